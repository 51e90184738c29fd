/*
 * The driver: a simulated device by name (neocog/sim.h: model, rtl or
 * lockstep), the window, the ring, submit and wait.
 *
 * The ring is RING_SIZE entries in the window. Each submission starts at
 * entry 0 (the device is idle then, so HEAD may be written); the driver
 * writes as much of the program as fits, leaving one entry free so that
 * HEAD == TAIL means empty, and tops the ring up from nc_dev_wait() as the
 * device consumes it.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/drv_internal.h"
#include "neocog/error.h"
#include "neocog/nc_hw.h"
#include "neocog/sim.h"
#include "neocog/text.h"

/* Cycles the device runs between two looks at the clock and the ring. */
#define STEP_CYCLES (UINT64_C(1) << 16)

#define ST_BUSY (1u << NC_HW_CSR_STATUS_BUSY_SHIFT)
#define ST_DONE (1u << NC_HW_CSR_STATUS_DONE_SHIFT)
#define ST_ERROR (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)

/* Where the window sits in the device's physical address space: above
 * 4 GiB, so the _HI halves of the address registers are exercised. */
#define PHYS_BASE (UINT64_C(1) << 32)

static atomic_uint_fast64_t next_dev_id_ = 1;

struct nc_dev {
  nc_sim_t *sim;
  uint8_t *mem; /* the window, at PHYS_BASE */
  uint64_t id;
  nc_dev_options_t opt;
  nc_dev_info_t info;
  nc__heap_t heap;
  nc__extent_t ring;
  /* The submission in flight. */
  int inflight;
  uint8_t *prog; /* its entries, FINISH appended */
  size_t prog_n, prog_cap;
  size_t written;      /* entries written into the ring */
  uint64_t consumed;   /* entries the device has moved HEAD past */
  uint32_t head, tail; /* ring indices as the driver last saw them */
  /* The user's retirement hook and the last program index it was given. */
  nc_dev_trace_fn trace;
  void *trace_ctx;
  uint64_t trace_last;
  /* A fault armed for the next submission (nc_dev_arm_fault). */
  nc_dev_fault_at_t arm;
  int armed, struck;
};

const char *nc_dev_err_name(uint32_t code) {
  return nc_hw_err_name(code);
}

const char *nc_dev_unit_name(uint32_t unit) {
  return nc_hw_unit_name(unit);
}

void nc_dev_options_default(nc_dev_options_t *opt) {
  if (opt == NULL) {
    return;
  }
  opt->window_bytes = UINT64_C(64) << 20;
  opt->mem_latency = 100;
  opt->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  opt->ring_entries = 1024;
  opt->watchdog_cycles = NC_HW_CSR_WATCHDOG_RESVAL;
}

/* ---- Register access (the devices only fail for a bad offset, which
 * would be a bug here) ---- */

static uint32_t rd_(nc_dev_t *d, uint32_t off) {
  uint32_t v = 0;
  if (nc_sim_csr_read(d->sim, off, &v) != NC_OK) {
    v = 0;
  }
  return v;
}

static void wr_(nc_dev_t *d, uint32_t off, uint32_t v) {
  if (nc_sim_csr_write(d->sim, off, v) != NC_OK) {
    return;
  }
}

/* A _LO/_HI pair, _LO first so that _HI is its snapshot. */
static uint64_t rd64_(nc_dev_t *d, uint32_t lo) {
  const uint64_t l = rd_(d, lo);
  return l | (uint64_t)rd_(d, lo + 4u) << 32;
}

static uint64_t now_ns_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Open and close ---- */

static nc_status_t check_options_(const nc_dev_options_t *o) {
  if (o->window_bytes < (UINT64_C(64) << 10) ||
      o->window_bytes > UINT64_C(0xfffff000)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_open: window_bytes %llu outside 64 KiB .. 4 GiB - "
                    "4 KiB (WIN_SIZE is 32 bits)",
                    (unsigned long long)o->window_bytes);
  }
  if (o->mem_bytes_per_cycle < 1 || o->mem_bytes_per_cycle > NC_HW_BUS_BYTES) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_open: mem_bytes_per_cycle %u outside 1..%u",
                    o->mem_bytes_per_cycle, NC_HW_BUS_BYTES);
  }
  if (o->mem_latency > (1u << 24)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_open: mem_latency %u above %u cycles", o->mem_latency,
                    1u << 24);
  }
  /* The queues and fetch hold fewer than 64 entries, so an error's ring
   * index maps back to one submitted instruction. */
  if (o->ring_entries < 64 || o->ring_entries > 65536 ||
      (uint64_t)o->ring_entries * NC_HW_INSN_BYTES > o->window_bytes / 2) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_open: ring_entries %u outside 64..65536 or above "
                    "half the window",
                    o->ring_entries);
  }
  return NC_OK;
}

/* The device must be the one nc_hw.h describes. */
static nc_status_t check_identity_(nc_dev_t *d) {
  const uint32_t id = rd_(d, NC_HW_CSR_ID_OFFSET);
  const uint32_t ver = rd_(d, NC_HW_CSR_VERSION_OFFSET);
  const uint32_t c0 = rd_(d, NC_HW_CSR_HWCFG0_OFFSET);
  const uint32_t c1 = rd_(d, NC_HW_CSR_HWCFG1_OFFSET);
  const uint32_t c2 = rd_(d, NC_HW_CSR_HWCFG2_OFFSET);
  if (id != NC_HW_CSR_ID_RESVAL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "dev_open(%s): ID reads 0x%08x, not 0x%08x ('NCOG')",
                    nc_sim_kind(d->sim), id, NC_HW_CSR_ID_RESVAL);
  }
  nc_dev_info_t *in = &d->info;
  in->backend = nc_sim_kind(d->sim);
  in->version_major =
      ver >> NC_HW_CSR_VERSION_MAJOR_SHIFT & NC_HW_CSR_VERSION_MAJOR_MASK;
  in->version_minor =
      ver >> NC_HW_CSR_VERSION_MINOR_SHIFT & NC_HW_CSR_VERSION_MINOR_MASK;
  in->rows = c0 >> NC_HW_CSR_HWCFG0_ROWS_SHIFT & NC_HW_CSR_HWCFG0_ROWS_MASK;
  in->cols = c0 >> NC_HW_CSR_HWCFG0_COLS_SHIFT & NC_HW_CSR_HWCFG0_COLS_MASK;
  in->spad_banks = c0 >> NC_HW_CSR_HWCFG0_SPAD_BANKS_SHIFT &
                   NC_HW_CSR_HWCFG0_SPAD_BANKS_MASK;
  in->bus_bytes =
      c0 >> NC_HW_CSR_HWCFG0_BUS_BYTES_SHIFT & NC_HW_CSR_HWCFG0_BUS_BYTES_MASK;
  if (in->bus_bytes == 0) {
    in->bus_bytes = 256;
  }
  in->spad_rows =
      c1 >> NC_HW_CSR_HWCFG1_SPAD_ROWS_SHIFT & NC_HW_CSR_HWCFG1_SPAD_ROWS_MASK;
  in->acc_rows =
      c2 >> NC_HW_CSR_HWCFG2_ACC_ROWS_SHIFT & NC_HW_CSR_HWCFG2_ACC_ROWS_MASK;
  in->param_entries = c2 >> NC_HW_CSR_HWCFG2_PARAM_ENTRIES_SHIFT &
                      NC_HW_CSR_HWCFG2_PARAM_ENTRIES_MASK;
  if (in->version_major != NC_HW_VERSION_MAJOR || in->rows != NC_HW_ROWS ||
      in->cols != NC_HW_COLS || in->spad_rows != NC_HW_SPAD_ROWS ||
      in->spad_banks != NC_HW_SPAD_BANKS || in->acc_rows != NC_HW_ACC_ROWS ||
      in->param_entries != NC_HW_PARAM_ENTRIES ||
      in->bus_bytes != NC_HW_BUS_BYTES) {
    return nc__fail(
        NC_ERR_UNSUPPORTED,
        "dev_open(%s): device is v%u.%u %ux%u, spad %u rows/%u banks, acc %u "
        "rows, %u params, bus %u B; this library was built for v%u.%u %ux%u, "
        "spad %u/%u, acc %u, %u params, bus %u B",
        nc_sim_kind(d->sim), in->version_major, in->version_minor, in->rows, in->cols,
        in->spad_rows, in->spad_banks, in->acc_rows, in->param_entries,
        in->bus_bytes, NC_HW_VERSION_MAJOR, NC_HW_VERSION_MINOR, NC_HW_ROWS,
        NC_HW_COLS, NC_HW_SPAD_ROWS, NC_HW_SPAD_BANKS, NC_HW_ACC_ROWS,
        NC_HW_PARAM_ENTRIES, NC_HW_BUS_BYTES);
  }
  in->window_bytes = d->opt.window_bytes;
  in->ring_entries = d->opt.ring_entries;
  return NC_OK;
}

static void program_ring_(nc_dev_t *d) {
  const uint64_t rb = PHYS_BASE + d->ring.off;
  wr_(d, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)rb);
  wr_(d, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(rb >> 32));
  wr_(d, NC_HW_CSR_RING_SIZE_OFFSET, d->opt.ring_entries);
  wr_(d, NC_HW_CSR_RING_HEAD_OFFSET, 0);
  wr_(d, NC_HW_CSR_RING_TAIL_OFFSET, 0);
  d->head = d->tail = 0;
}

nc_status_t nc_dev_open(const char *backend, const nc_dev_options_t *opt,
                        nc_dev_t **dev) {
  if (backend == NULL || dev == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_open: NULL %s",
                    backend == NULL ? "backend name" : "output");
  }
  if (nc_sim_find(backend) == NULL) {
    return nc__fail(NC_ERR_NOT_FOUND,
                    "dev_open: unknown backend '%s' (known: model, rtl, "
                    "lockstep)",
                    backend);
  }
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  if (opt != NULL) {
    o = *opt;
  }
  nc_status_t st = check_options_(&o);
  if (st != NC_OK) {
    return st;
  }
  nc_dev_t *d = calloc(1, sizeof *d);
  if (d == NULL) {
    return nc__fail(NC_ERR_NOMEM, "dev_open: out of memory");
  }
  d->opt = o;
  nc_sim_config_t cfg;
  nc_sim_config_default(&cfg);
  cfg.mem_latency = o.mem_latency;
  cfg.mem_bytes_per_cycle = o.mem_bytes_per_cycle;
  st = nc_sim_open(backend, &cfg, &d->sim);
  if (st == NC_OK) {
    d->mem = calloc(1, (size_t)o.window_bytes);
    st = d->mem != NULL
             ? nc_sim_attach_memory(d->sim, d->mem, PHYS_BASE, o.window_bytes)
             : nc__fail(NC_ERR_NOMEM,
                        "dev_open: cannot allocate a %llu-byte window",
                        (unsigned long long)o.window_bytes);
  }
  if (st != NC_OK) {
    nc_sim_close(d->sim);
    free(d->mem);
    free(d);
    return st;
  }
  st = nc__heap_init(&d->heap, o.window_bytes);
  if (st == NC_OK) {
    st = check_identity_(d);
  }
  if (st == NC_OK) {
    st = nc__heap_alloc(&d->heap, (uint64_t)o.ring_entries * NC_HW_INSN_BYTES,
                        64, &d->ring);
  }
  if (st != NC_OK) {
    nc__heap_fini(&d->heap);
    nc_sim_close(d->sim);
    free(d->mem);
    free(d);
    return st;
  }
  wr_(d, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  wr_(d, NC_HW_CSR_WIN_BASE_LO_OFFSET, (uint32_t)PHYS_BASE);
  wr_(d, NC_HW_CSR_WIN_BASE_HI_OFFSET, (uint32_t)(PHYS_BASE >> 32));
  wr_(d, NC_HW_CSR_WIN_SIZE_OFFSET, (uint32_t)o.window_bytes);
  wr_(d, NC_HW_CSR_WATCHDOG_OFFSET, o.watchdog_cycles);
  wr_(d, NC_HW_CSR_INTR_ENABLE_OFFSET,
      1u << NC_HW_CSR_INTR_ENABLE_DONE_SHIFT |
          1u << NC_HW_CSR_INTR_ENABLE_ERROR_SHIFT);
  program_ring_(d);
  d->id = atomic_fetch_add(&next_dev_id_, 1);
  *dev = d;
  return NC_OK;
}

void nc_dev_close(nc_dev_t *dev) {
  if (dev == NULL) {
    return;
  }
  if (rd_(dev, NC_HW_CSR_STATUS_OFFSET) & ST_BUSY) {
    wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
  }
  nc_sim_close(dev->sim);
  free(dev->mem);
  nc__heap_fini(&dev->heap);
  free(dev->prog);
  free(dev);
}

nc_status_t nc_dev_info(const nc_dev_t *dev, nc_dev_info_t *info) {
  if (dev == NULL || info == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_info: NULL argument");
  }
  *info = dev->info;
  return NC_OK;
}

/* ---- Buffers ---- */

nc_status_t nc_dev_alloc(nc_dev_t *dev, uint64_t bytes, uint64_t align,
                         nc_dev_buf_t *buf) {
  if (dev == NULL || buf == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_alloc: NULL argument");
  }
  if (bytes == 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_alloc: zero bytes");
  }
  if (align == 0) {
    align = 64;
  }
  if ((align & (align - 1)) != 0 || align > dev->opt.window_bytes) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_alloc: alignment %llu is not a power of two up to "
                    "the window size",
                    (unsigned long long)align);
  }
  if (bytes > dev->opt.window_bytes) {
    return nc__fail(
        NC_ERR_NOMEM, "dev_alloc: %llu bytes is more than the %llu-byte window",
        (unsigned long long)bytes, (unsigned long long)dev->opt.window_bytes);
  }
  nc__extent_t e;
  nc_status_t st = nc__heap_alloc(&dev->heap, bytes, align, &e);
  if (st != NC_OK) {
    return st;
  }
  buf->offset = e.off;
  buf->size = e.size;
  buf->owner = dev->id;
  buf->gen = e.gen;
  return NC_OK;
}

/* Index of `buf` among the live allocations, or a failure. */
static nc_status_t find_buf_(const nc_dev_t *dev, const nc_dev_buf_t *buf,
                             const char *fn, ptrdiff_t *idx) {
  if (dev == NULL || buf == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: NULL argument", fn);
  }
  if (buf->owner != dev->id) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: the buffer at window offset 0x%llx belongs to "
                    "another device",
                    fn, (unsigned long long)buf->offset);
  }
  const nc__extent_t e = {buf->offset, buf->size, buf->gen};
  *idx = nc__heap_find(&dev->heap, &e);
  if (*idx < 0) {
    return nc__fail(NC_ERR_NOT_FOUND,
                    "%s: no live buffer of %llu bytes at window offset 0x%llx "
                    "(freed already?)",
                    fn, (unsigned long long)buf->size,
                    (unsigned long long)buf->offset);
  }
  return NC_OK;
}

nc_status_t nc_dev_free(nc_dev_t *dev, const nc_dev_buf_t *buf) {
  ptrdiff_t i = 0;
  nc_status_t st = find_buf_(dev, buf, "dev_free", &i);
  if (st != NC_OK) {
    return st;
  }
  return nc__heap_release(&dev->heap, i);
}

static nc_status_t check_copy_(const nc_dev_t *dev, const nc_dev_buf_t *buf,
                               uint64_t offset, const void *host, size_t bytes,
                               const char *fn) {
  ptrdiff_t i = 0;
  nc_status_t st = find_buf_(dev, buf, fn, &i);
  if (st != NC_OK) {
    return st;
  }
  if (host == NULL && bytes > 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: NULL host pointer", fn);
  }
  if (offset > buf->size || bytes > buf->size - offset) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: [%llu, %llu + %zu) leaves the %llu-byte buffer", fn,
                    (unsigned long long)offset, (unsigned long long)offset,
                    bytes, (unsigned long long)buf->size);
  }
  return NC_OK;
}

nc_status_t nc_dev_write(nc_dev_t *dev, const nc_dev_buf_t *buf,
                         uint64_t offset, const void *src, size_t bytes) {
  nc_status_t st = check_copy_(dev, buf, offset, src, bytes, "dev_write");
  if (st != NC_OK) {
    return st;
  }
  return nc_sim_mem_write(dev->sim, PHYS_BASE + buf->offset + offset, src,
                          bytes);
}

nc_status_t nc_dev_read(nc_dev_t *dev, const nc_dev_buf_t *buf, uint64_t offset,
                        void *dst, size_t bytes) {
  nc_status_t st = check_copy_(dev, buf, offset, dst, bytes, "dev_read");
  if (st != NC_OK) {
    return st;
  }
  if (bytes > 0) {
    memcpy(dst, dev->mem + buf->offset + offset, bytes);
  }
  return NC_OK;
}

/* ---- Submit and wait ---- */

/* Notes how far the device got and writes what fits of the rest. */
static nc_status_t refill_(nc_dev_t *d) {
  const uint32_t size = d->opt.ring_entries;
  const uint32_t head = rd_(d, NC_HW_CSR_RING_HEAD_OFFSET);
  d->consumed += (head + size - d->head) % size;
  d->head = head;
  const uint32_t used = (d->tail + size - head) % size;
  size_t n = size - 1u - used;
  if (n > d->prog_n - d->written) {
    n = d->prog_n - d->written;
  }
  if (n == 0) {
    return NC_OK;
  }
  while (n > 0) {
    /* Up to the end of the ring, then around. */
    size_t run = size - d->tail;
    run = run < n ? run : n;
    nc_status_t st = nc_sim_mem_write(
        d->sim, PHYS_BASE + d->ring.off + (uint64_t)d->tail * NC_HW_INSN_BYTES,
        d->prog + d->written * NC_HW_INSN_BYTES, run * NC_HW_INSN_BYTES);
    if (st != NC_OK) {
      return st;
    }
    d->written += run;
    d->tail = (uint32_t)((d->tail + run) % size);
    n -= run;
  }
  wr_(d, NC_HW_CSR_RING_TAIL_OFFSET, d->tail);
  return NC_OK;
}

nc_status_t nc_dev_submit(nc_dev_t *dev, const void *insns, size_t count) {
  if (dev == NULL || (insns == NULL && count > 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_submit: NULL argument");
  }
  if (dev->inflight) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_submit: a submission is in flight; nc_dev_wait() "
                    "for it first");
  }
  if (count > SIZE_MAX / NC_HW_INSN_BYTES - 1) {
    return nc__fail(NC_ERR_OVERFLOW, "dev_submit: %zu instructions", count);
  }
  const uint8_t *in = insns;
  int ends = 0;
  if (count > 0) {
    nc_hw_insn_t last;
    nc_hw_words_from_bytes(in + (count - 1) * NC_HW_INSN_BYTES,
                           NC_HW_INSN_WORDS, last.w);
    ends = nc_hw_insn_get_opcode(&last) == NC_HW_OP_FINISH;
  }
  const size_t n = count + (ends ? 0 : 1);
  if (n > dev->prog_cap) {
    uint8_t *p = realloc(dev->prog, n * NC_HW_INSN_BYTES);
    if (p == NULL) {
      return nc__fail(NC_ERR_NOMEM,
                      "dev_submit: out of memory for %zu "
                      "instructions",
                      n);
    }
    dev->prog = p;
    dev->prog_cap = n;
  }
  if (count > 0) {
    memcpy(dev->prog, in, count * NC_HW_INSN_BYTES);
  }
  if (!ends) {
    nc_hw_insn_t fin;
    nc_hw_finish_init(&fin);
    nc_hw_words_to_bytes(fin.w, NC_HW_INSN_WORDS,
                         dev->prog + count * NC_HW_INSN_BYTES);
  }
  dev->prog_n = n;
  dev->written = 0;
  dev->consumed = 0;
  dev->trace_last = 0;
  /* The device is idle between submissions (wait leaves it so); a stale
   * error would make START a no-op, so clear one. */
  if (rd_(dev, NC_HW_CSR_STATUS_OFFSET) & (ST_BUSY | ST_ERROR)) {
    wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
    wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  }
  program_ring_(dev);
  nc_status_t st = refill_(dev);
  if (st != NC_OK) {
    return st;
  }
  wr_(dev, NC_HW_CSR_PERF_CTRL_OFFSET,
      1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
          1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
  wr_(dev, NC_HW_CSR_INTR_STATE_OFFSET,
      1u << NC_HW_CSR_INTR_STATE_DONE_SHIFT |
          1u << NC_HW_CSR_INTR_STATE_ERROR_SHIFT);
  wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  dev->inflight = 1;
  return NC_OK;
}

/* Index in the submitted array of the entry at ring index `e`, which the
 * device has consumed or is about to (it lies at most a few queues behind
 * HEAD). */
static uint64_t insn_index_(const nc_dev_t *d, uint32_t e) {
  const uint32_t size = d->opt.ring_entries;
  if (e >= size) {
    return NC_DEV_NO_INSN;
  }
  const uint64_t back = (d->head + size - e) % size;
  if (back > d->consumed || d->consumed - back >= d->prog_n) {
    return NC_DEV_NO_INSN;
  }
  return d->consumed - back;
}

/* Reads the error registers into `res`. */
static void collect_(nc_dev_t *d, nc_dev_result_t *res) {
  const uint32_t code = rd_(d, NC_HW_CSR_ERR_CODE_OFFSET);
  res->status = rd_(d, NC_HW_CSR_STATUS_OFFSET);
  res->err_code =
      code >> NC_HW_CSR_ERR_CODE_CODE_SHIFT & NC_HW_CSR_ERR_CODE_CODE_MASK;
  res->err_unit =
      code >> NC_HW_CSR_ERR_CODE_UNIT_SHIFT & NC_HW_CSR_ERR_CODE_UNIT_MASK;
  res->err_insn = rd_(d, NC_HW_CSR_ERR_INSN_OFFSET);
  res->err_info = rd_(d, NC_HW_CSR_ERR_INFO_OFFSET);
  res->insn_index = res->err_code == NC_HW_ERR_NONE
                        ? NC_DEV_NO_INSN
                        : insn_index_(d, res->err_insn);
  res->cycles = rd64_(d, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
}

/* Leaves the device idle, error-free and with an empty ring. */
static void recover_(nc_dev_t *d) {
  wr_(d, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  program_ring_(d);
  d->inflight = 0;
}

static nc_status_t device_error_(nc_dev_t *d, const nc_dev_result_t *r) {
  char where[64], extra[64];
  if (r->insn_index == NC_DEV_NO_INSN) {
    snprintf(where, sizeof where, "ring entry %u", r->err_insn);
  } else {
    snprintf(where, sizeof where, "instruction %llu (ring entry %u)",
             (unsigned long long)r->insn_index, r->err_insn);
  }
  extra[0] = '\0';
  if (r->err_code == NC_HW_ERR_DMA_WINDOW) {
    snprintf(extra, sizeof extra, " (window offset 0x%x, window %llu bytes)",
             r->err_info, (unsigned long long)d->opt.window_bytes);
  } else if (r->err_code == NC_HW_ERR_FIELD_RANGE) {
    snprintf(extra, sizeof extra, " (field at bit %u)", r->err_info);
  } else if (r->err_info != 0) {
    snprintf(extra, sizeof extra, " (info 0x%x)", r->err_info);
  }
  return nc__fail(NC_ERR_DEVICE, "device error %s in %s unit at %s%s",
                  nc_dev_err_name(r->err_code), nc_dev_unit_name(r->err_unit),
                  where, extra);
}

/* How far the armed fault's trigger has got: the unit's busy cycles, or
 * the device's. */
static uint64_t fault_clock_(nc_dev_t *d) {
  switch (d->arm.unit) {
    case NC_HW_UNIT_LOAD:
      return rd_(d, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET);
    case NC_HW_UNIT_COMPUTE:
      return rd_(d, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET);
    case NC_HW_UNIT_STORE:
      return rd_(d, NC_HW_CSR_PERF_STORE_BUSY_OFFSET);
    default:
      return rd64_(d, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  }
}

/* Cycles the device may run before the armed fault is due, striking it
 * when it is; `step` when nothing is armed. */
static nc_status_t fault_step_(nc_dev_t *d, uint64_t step, uint64_t *out) {
  *out = step;
  if (!d->armed || d->struck) {
    return NC_OK;
  }
  const uint64_t now = fault_clock_(d);
  if (now < d->arm.after) {
    *out = d->arm.after - now < step ? d->arm.after - now : step;
    return NC_OK;
  }
  d->struck = 1;
  return nc_sim_inject_fault(d->sim, d->arm.fault);
}

static nc_status_t wait_(nc_dev_t *dev, uint64_t timeout_ms,
                         nc_dev_result_t *r) {
  const uint64_t t0 = now_ns_();
  const uint64_t limit =
      timeout_ms > UINT64_MAX / 1000000u ? UINT64_MAX : timeout_ms * 1000000u;
  for (;;) {
    int busy = 0;
    const uint64_t q = nc_sim_ops(dev->sim)->run_quantum;
    uint64_t step = 0;
    nc_status_t st =
        fault_step_(dev, q != 0 && q < STEP_CYCLES ? q : STEP_CYCLES, &step);
    if (st == NC_OK) {
      st = nc_sim_run(dev->sim, step, &busy);
    }
    if (st == NC_OK) {
      st = nc_sim_check_memory(dev->sim);
    }
    /* STATUS before HEAD (refill_ reads it): a register access takes
     * cycles on a timed device, so the device may stop between the two
     * reads. Read the other way round, a FINISH retiring in between would
     * show done with a stale HEAD short of TAIL, and the START written for
     * "a FINISH inside the stream" would leave the device running on an
     * empty ring for ever (no work pending, so no watchdog). Once STATUS
     * says stopped, HEAD no longer moves. */
    uint32_t s = 0;
    if (st == NC_OK) {
      s = rd_(dev, NC_HW_CSR_STATUS_OFFSET);
      st = refill_(dev);
    }
    if (st != NC_OK) {
      wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
      recover_(dev);
      return st;
    }
    if (s & ST_ERROR) {
      collect_(dev, r);
      r->wall_ns = now_ns_() - t0;
      st = device_error_(dev, r);
      recover_(dev);
      return st;
    }
    if (!(s & ST_BUSY)) {
      if (!(s & ST_DONE)) {
        recover_(dev);
        return nc__fail(NC_ERR_INTERNAL,
                        "dev_wait: device stopped without done or error "
                        "(STATUS 0x%x)",
                        s);
      }
      if (dev->written == dev->prog_n && dev->head == dev->tail) {
        collect_(dev, r);
        r->wall_ns = now_ns_() - t0;
        dev->inflight = 0;
        return NC_OK;
      }
      /* A FINISH inside the stream: go on after it. */
      wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    }
    const uint64_t el = now_ns_() - t0;
    if (el >= limit) {
      wr_(dev, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
      (void)refill_(dev);
      collect_(dev, r);
      r->wall_ns = el;
      st = nc__fail(NC_ERR_TIMEOUT,
                    "dev_wait: the device did not finish within %llu ms; "
                    "halted at instruction %llu of %zu and reset",
                    (unsigned long long)timeout_ms,
                    (unsigned long long)dev->consumed, dev->prog_n);
      recover_(dev);
      return st;
    }
  }
}

nc_status_t nc_dev_wait(nc_dev_t *dev, uint64_t timeout_ms,
                        nc_dev_result_t *res) {
  if (dev == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_wait: NULL device");
  }
  if (timeout_ms == 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_wait: timeout_ms must be >= 1");
  }
  if (!dev->inflight) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_wait: nothing submitted");
  }
  nc_dev_result_t local;
  nc_dev_result_t *r = res != NULL ? res : &local;
  memset(r, 0, sizeof *r);
  r->insn_index = NC_DEV_NO_INSN;
  nc_status_t st = wait_(dev, timeout_ms, r);
  if (dev->armed) {
    /* One submission only: heal the memory, keep the outcome's detail. */
    r->fault_struck = dev->struck;
    dev->armed = dev->struck = 0;
    if (nc_sim_inject_fault(dev->sim, NC_FAULT_NONE) != NC_OK && st == NC_OK) {
      st = nc__fail(NC_ERR_INTERNAL, "dev_wait: cannot heal the memory");
    }
  }
  return st;
}

/* Ring index -> program index: entry k of a submission sits in ring entry
 * k % size (each submission starts at entry 0), and what retires lies
 * within a few queues of the last retirement, so the nearest index with
 * the right residue is the one. */
static void retire_(void *ctx, const nc_sim_retire_t *r) {
  nc_dev_t *d = ctx;
  const uint64_t size = d->opt.ring_entries;
  const uint64_t last = d->trace_last;
  const uint64_t res = last % size;
  const uint64_t fwd = (r->ring_index + size - res) % size;
  const uint64_t back = size - fwd;
  const uint64_t idx =
      fwd > size / 2 && last >= back ? last - back : last + fwd;
  d->trace_last = idx;
  const nc_dev_event_t e = {idx, r->opcode, r->unit, r->start, r->end};
  d->trace(d->trace_ctx, &e);
}

nc_status_t nc_dev_set_trace(nc_dev_t *dev, nc_dev_trace_fn fn, void *ctx) {
  if (dev == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_set_trace: NULL device");
  }
  if (dev->inflight) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_set_trace: a submission is in flight");
  }
  if (nc_sim_ops(dev->sim)->set_trace == NULL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "dev_set_trace: the %s backend does not report "
                    "retired instructions",
                    nc_sim_kind(dev->sim));
  }
  dev->trace = fn;
  dev->trace_ctx = ctx;
  return nc_sim_set_trace(dev->sim, fn != NULL ? retire_ : NULL,
                          fn != NULL ? dev : NULL);
}

nc_status_t nc_dev_inject_fault(nc_dev_t *dev, nc_fault_t fault) {
  if (dev == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_inject_fault: NULL device");
  }
  if ((unsigned)fault >= NC_FAULT_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_inject_fault: unknown fault %d",
                    (int)fault);
  }
  if (dev->inflight) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_inject_fault: a submission is in flight");
  }
  return nc_sim_inject_fault(dev->sim, fault);
}

nc_status_t nc_dev_arm_fault(nc_dev_t *dev, const nc_dev_fault_at_t *f) {
  if (dev == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_arm_fault: NULL device");
  }
  if (f != NULL && (unsigned)f->fault >= NC_FAULT_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_arm_fault: unknown fault %d",
                    (int)f->fault);
  }
  if (f != NULL && f->unit != NC_HW_UNIT_NONE && f->unit != NC_HW_UNIT_LOAD &&
      f->unit != NC_HW_UNIT_COMPUTE && f->unit != NC_HW_UNIT_STORE) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_arm_fault: unit %u is not load, compute, store or "
                    "none",
                    f->unit);
  }
  if (dev->inflight) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "dev_arm_fault: a submission is in flight");
  }
  dev->armed = f != NULL && f->fault != NC_FAULT_NONE;
  dev->struck = 0;
  if (dev->armed) {
    dev->arm = *f;
  }
  return NC_OK;
}

nc_status_t nc_dev_fault_parse(const char *text, nc_dev_fault_at_t *out) {
  if (text == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "fault: NULL argument");
  }
  static const char *const units[] = {"cycle", "load", "compute", "store"};
  static const uint32_t unit_ids[] = {NC_HW_UNIT_NONE, NC_HW_UNIT_LOAD,
                                      NC_HW_UNIT_COMPUTE, NC_HW_UNIT_STORE};
  nc_dev_fault_at_t f = {NC_FAULT_NONE, NC_HW_UNIT_NONE, 0};
  const char *at = strchr(text, '@');
  const size_t klen = at != NULL ? (size_t)(at - text) : strlen(text);
  int ok = 0;
  if (klen == 6 && strncmp(text, "slverr", 6) == 0) {
    f.fault = NC_FAULT_SLVERR;
    ok = 1;
  } else if (klen == 4 && strncmp(text, "hang", 4) == 0) {
    f.fault = NC_FAULT_HANG;
    ok = 1;
  }
  if (ok && at != NULL) {
    ok = 0;
    const char *colon = strchr(at + 1, ':');
    for (size_t i = 0; colon != NULL && i < sizeof units / sizeof units[0];
         i++) {
      const size_t n = strlen(units[i]);
      if ((size_t)(colon - (at + 1)) == n &&
          strncmp(at + 1, units[i], n) == 0) {
        f.unit = unit_ids[i];
        ok = nc__parse_u64(colon + 1, &f.after) == NC_OK;
      }
    }
  }
  if (!ok) {
    char shown[64];
    return nc__fail(NC_ERR_INVALID_ARG,
                    "fault '%s' is not FAULT[@WHEN]: FAULT slverr or hang, "
                    "WHEN load:N, compute:N, store:N (busy cycles of that "
                    "unit) or cycle:N",
                    nc__shown_str(text, shown, sizeof shown));
  }
  *out = f;
  return NC_OK;
}

nc_status_t nc_dev_counters(nc_dev_t *dev, nc_dev_counters_t *c) {
  if (dev == NULL || c == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dev_counters: NULL argument");
  }
  c->cycles = rd64_(dev, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  c->load_busy = rd_(dev, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET);
  c->load_stall = rd_(dev, NC_HW_CSR_PERF_LOAD_STALL_OFFSET);
  c->compute_busy = rd_(dev, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET);
  c->compute_stall = rd_(dev, NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET);
  c->store_busy = rd_(dev, NC_HW_CSR_PERF_STORE_BUSY_OFFSET);
  c->store_stall = rd_(dev, NC_HW_CSR_PERF_STORE_STALL_OFFSET);
  c->macs = rd64_(dev, NC_HW_CSR_PERF_MACS_LO_OFFSET);
  c->rd_bytes = rd64_(dev, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET);
  c->wr_bytes = rd64_(dev, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET);
  c->insns = rd_(dev, NC_HW_CSR_PERF_INSNS_OFFSET);
  return NC_OK;
}
