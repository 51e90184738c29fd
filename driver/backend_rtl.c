/*
 * The "rtl" backend: the Verilator model of hw/rtl (sim/rtl, neocog/rtl.h)
 * with a host buffer standing for the window, at the same physical address
 * as the model backend's (4 GiB, so the _HI halves of the address registers
 * are exercised).
 *
 * The "lockstep" backend runs every submission on the RTL and on the
 * functional model side by side, each with its own copy of the window, and
 * stops with NC_ERR_MISMATCH and the first differing address when they
 * disagree. Whenever the RTL stops (a FINISH or an error) the model is run to
 * its stop too, and then STATUS, ERR_CODE, ERR_INSN, ERR_INFO, the MAC and
 * instruction counters and, after an error-free stop, every byte of the
 * window are compared. (After an error the window may differ legitimately:
 * the model executes each instruction atomically, the RTL finishes the
 * bursts it had issued.) Register reads answer with the RTL's values, except
 * RING_HEAD while both run: the one that is behind, so that the driver never
 * refills ring entries the model has not fetched yet. A fault injected on
 * lockstep goes to the RTL's memory only: two devices that disagree on
 * purpose, to test this comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/drv_internal.h"
#include "neocog/error.h"
#include "neocog/model.h"
#include "neocog/nc_hw.h"
#include "neocog/rtl.h"

#define PHYS_BASE (UINT64_C(1) << 32)

/* Cycles of one step: the driver looks at its wall clock between steps, and
 * a cycle of the RTL costs microseconds, not nanoseconds as in the model. */
#define RTL_STEP_MAX (UINT64_C(1) << 13)

#define ST_BUSY (1u << NC_HW_CSR_STATUS_BUSY_SHIFT)

typedef struct {
  nc_rtl_t *m;
  uint8_t *mem;
  uint64_t size;
} rtl_ctx_t;

static void rtl_close_(void *ctx) {
  rtl_ctx_t *c = ctx;
  nc_rtl_destroy(c->m);
  free(c->mem);
  free(c);
}

static nc_status_t rtl_open_(const nc_dev_options_t *opt, void **ctx,
                             uint64_t *phys_base) {
  nc_rtl_config_t cfg;
  nc_rtl_config_default(&cfg);
  cfg.mem_latency = opt->mem_latency;
  cfg.mem_bytes_per_cycle = opt->mem_bytes_per_cycle;
  rtl_ctx_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return nc__fail(NC_ERR_NOMEM, "rtl backend: out of memory");
  }
  nc_status_t st = nc_rtl_create(&cfg, &c->m);
  if (st != NC_OK) {
    free(c);
    return st;
  }
  c->size = opt->window_bytes;
  c->mem = calloc(1, (size_t)c->size);
  if (c->mem == NULL) {
    rtl_close_(c);
    return nc__fail(NC_ERR_NOMEM,
                    "rtl backend: cannot allocate a %llu-byte window",
                    (unsigned long long)opt->window_bytes);
  }
  st = nc_rtl_attach_memory(c->m, c->mem, PHYS_BASE, c->size);
  if (st != NC_OK) {
    rtl_close_(c);
    return st;
  }
  *ctx = c;
  *phys_base = PHYS_BASE;
  return NC_OK;
}

static nc_status_t rtl_csr_read_(void *ctx, uint32_t offset, uint32_t *value) {
  return nc_rtl_csr_read(((rtl_ctx_t *)ctx)->m, offset, value);
}

static nc_status_t rtl_csr_write_(void *ctx, uint32_t offset, uint32_t value) {
  return nc_rtl_csr_write(((rtl_ctx_t *)ctx)->m, offset, value);
}

static nc_status_t rtl_step_(void *ctx, uint64_t cycles, int *busy) {
  rtl_ctx_t *c = ctx;
  nc_status_t st =
      nc_rtl_run(c->m, cycles < RTL_STEP_MAX ? cycles : RTL_STEP_MAX, busy);
  if (st == NC_OK && nc_rtl_window_violations(c->m) != 0) {
    /* The device touched memory it was not given: a hardware bug the
     * driver must not hide. */
    return nc__fail(NC_ERR_DEVICE,
                    "rtl: memory access outside the window "
                    "and the ring: %s",
                    nc_rtl_first_violation(c->m));
  }
  return st;
}

static nc_status_t rtl_mem_write_(void *ctx, uint64_t offset, const void *src,
                                  size_t bytes) {
  rtl_ctx_t *c = ctx;
  if (bytes > 0) {
    memcpy(c->mem + offset, src, bytes);
  }
  return NC_OK;
}

static nc_status_t rtl_mem_read_(void *ctx, uint64_t offset, void *dst,
                                 size_t bytes) {
  rtl_ctx_t *c = ctx;
  if (bytes > 0) {
    memcpy(dst, c->mem + offset, bytes);
  }
  return NC_OK;
}

static nc_status_t rtl_inject_fault_(void *ctx, nc_dev_fault_t fault) {
  nc_rtl_fault_t f = NC_RTL_FAULT_NONE;
  switch (fault) {
    case NC_DEV_FAULT_NONE:
      break;
    case NC_DEV_FAULT_HANG:
      f = NC_RTL_FAULT_HANG;
      break;
    case NC_DEV_FAULT_SLVERR:
      f = NC_RTL_FAULT_SLVERR;
      break;
  }
  return nc_rtl_inject_fault(((rtl_ctx_t *)ctx)->m, f);
}

const nc__backend_t nc__backend_rtl = {
    .name = "rtl",
    .open = rtl_open_,
    .close = rtl_close_,
    .csr_read = rtl_csr_read_,
    .csr_write = rtl_csr_write_,
    .step = rtl_step_,
    .mem_write = rtl_mem_write_,
    .mem_read = rtl_mem_read_,
    .inject_fault = rtl_inject_fault_,
};

/* ---- lockstep ---- */

typedef struct {
  rtl_ctx_t *rtl;
  void *model; /* the model backend's context */
  int model_busy;
  uint32_t ring_size; /* RING_SIZE as last written */
} ls_ctx_t;

#define MODEL (&nc__backend_model)

static void ls_close_(void *ctx) {
  ls_ctx_t *c = ctx;
  if (c->rtl != NULL) {
    rtl_close_(c->rtl);
  }
  if (c->model != NULL) {
    MODEL->close(c->model);
  }
  free(c);
}

static nc_status_t ls_open_(const nc_dev_options_t *opt, void **ctx,
                            uint64_t *phys_base) {
  ls_ctx_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return nc__fail(NC_ERR_NOMEM, "lockstep backend: out of memory");
  }
  void *r = NULL;
  uint64_t rb = 0, mb = 0;
  nc_status_t st = rtl_open_(opt, &r, &rb);
  if (st != NC_OK) {
    free(c);
    return st;
  }
  c->rtl = r;
  st = MODEL->open(opt, &c->model, &mb);
  if (st != NC_OK) {
    ls_close_(c);
    return st;
  }
  if (rb != mb) {
    ls_close_(c);
    return nc__fail(NC_ERR_INTERNAL,
                    "lockstep: the rtl and model windows start at different "
                    "physical addresses");
  }
  *ctx = c;
  *phys_base = rb;
  return NC_OK;
}

static nc_status_t ls_csr_write_(void *ctx, uint32_t offset, uint32_t value) {
  ls_ctx_t *c = ctx;
  nc_status_t st = rtl_csr_write_(c->rtl, offset, value);
  if (st == NC_OK) {
    st = MODEL->csr_write(c->model, offset, value);
  }
  if (offset == NC_HW_CSR_RING_SIZE_OFFSET) {
    c->ring_size = value;
  }
  if (offset == NC_HW_CSR_CTRL_OFFSET &&
      (value & 1u << NC_HW_CSR_CTRL_START_SHIFT)) {
    c->model_busy = 1;
  }
  return st;
}

static nc_status_t ls_csr_read_(void *ctx, uint32_t offset, uint32_t *value) {
  ls_ctx_t *c = ctx;
  nc_status_t st = rtl_csr_read_(c->rtl, offset, value);
  if (st != NC_OK || offset != NC_HW_CSR_RING_HEAD_OFFSET || !c->model_busy ||
      c->ring_size == 0) {
    return st;
  }
  uint32_t mh = 0, tail = 0;
  st = MODEL->csr_read(c->model, offset, &mh);
  if (st == NC_OK) {
    st = rtl_csr_read_(c->rtl, NC_HW_CSR_RING_TAIL_OFFSET, &tail);
  }
  if (st != NC_OK) {
    return st;
  }
  /* The head with more entries still to go before TAIL is behind. */
  const uint32_t n = c->ring_size;
  if ((tail + n - mh) % n > (tail + n - *value) % n) {
    *value = mh;
  }
  return NC_OK;
}

/* Reads the same register of both; NC_ERR_MISMATCH when they differ. */
static nc_status_t ls_same_(ls_ctx_t *c, uint32_t offset, uint32_t mask,
                            const char *name) {
  uint32_t r = 0, m = 0;
  nc_status_t st = rtl_csr_read_(c->rtl, offset, &r);
  if (st == NC_OK) {
    st = MODEL->csr_read(c->model, offset, &m);
  }
  if (st != NC_OK) {
    return st;
  }
  if ((r & mask) != (m & mask)) {
    return nc__fail(NC_ERR_MISMATCH,
                    "lockstep: %s is 0x%x on the rtl, 0x%x "
                    "on the model",
                    name, r & mask, m & mask);
  }
  return NC_OK;
}

/* How one side stopped, for a message: "done", or "error <code> in <unit>
 * unit at ring entry <n>". */
static void ls_stop_words_(uint32_t status, uint32_t code, uint32_t insn,
                           char *buf, size_t len) {
  if (status & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
    snprintf(buf, len, "error %s in %s unit at ring entry %u",
             nc_hw_err_name(code >> NC_HW_CSR_ERR_CODE_CODE_SHIFT &
                            NC_HW_CSR_ERR_CODE_CODE_MASK),
             nc_hw_unit_name(code >> NC_HW_CSR_ERR_CODE_UNIT_SHIFT &
                             NC_HW_CSR_ERR_CODE_UNIT_MASK),
             insn);
  } else {
    snprintf(buf, len, "%s",
             status & (1u << NC_HW_CSR_STATUS_DONE_SHIFT) ? "done" : "idle");
  }
}

/* STATUS of both; when they differ, NC_ERR_MISMATCH says how each stopped. */
static nc_status_t ls_same_status_(ls_ctx_t *c) {
  uint32_t v[2][3];
  static const uint32_t offs[3] = {NC_HW_CSR_STATUS_OFFSET,
                                   NC_HW_CSR_ERR_CODE_OFFSET,
                                   NC_HW_CSR_ERR_INSN_OFFSET};
  for (int i = 0; i < 3; i++) {
    nc_status_t st = rtl_csr_read_(c->rtl, offs[i], &v[0][i]);
    if (st == NC_OK) {
      st = MODEL->csr_read(c->model, offs[i], &v[1][i]);
    }
    if (st != NC_OK) {
      return st;
    }
  }
  if ((v[0][0] & 7u) == (v[1][0] & 7u)) {
    return NC_OK;
  }
  char r[96], m[96];
  ls_stop_words_(v[0][0], v[0][1], v[0][2], r, sizeof r);
  ls_stop_words_(v[1][0], v[1][1], v[1][2], m, sizeof m);
  return nc__fail(NC_ERR_MISMATCH,
                  "lockstep: STATUS (busy/done/error) is 0x%x on the rtl "
                  "(%s), 0x%x on the model (%s)",
                  v[0][0] & 7u, r, v[1][0] & 7u, m);
}

static nc_status_t ls_compare_(ls_ctx_t *c) {
  /* After an error only the error registers must agree: how many
   * instructions completed before the units stopped depends on timing. */
  static const struct {
    uint32_t off, mask;
    const char *name;
  } regs[] = {
      {NC_HW_CSR_STATUS_OFFSET, 7u, "STATUS (busy/done/error)"},
      {NC_HW_CSR_ERR_CODE_OFFSET, 0xffffffffu, "ERR_CODE"},
      {NC_HW_CSR_ERR_INSN_OFFSET, 0xffffffffu, "ERR_INSN"},
      {NC_HW_CSR_ERR_INFO_OFFSET, 0xffffffffu, "ERR_INFO"},
      {NC_HW_CSR_PERF_MACS_LO_OFFSET, 0xffffffffu, "PERF_MACS_LO"},
      {NC_HW_CSR_PERF_INSNS_OFFSET, 0xffffffffu, "PERF_INSNS"},
  };
  uint32_t s = 0;
  nc_status_t st = ls_same_status_(c);
  if (st == NC_OK) {
    st = rtl_csr_read_(c->rtl, NC_HW_CSR_STATUS_OFFSET, &s);
  }
  const int error = (s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) != 0;
  const size_t n = error ? 4 : sizeof regs / sizeof regs[0];
  for (size_t i = 1; st == NC_OK && i < n; i++) {
    st = ls_same_(c, regs[i].off, regs[i].mask, regs[i].name);
  }
  if (st != NC_OK || error) {
    return st;
  }
  enum { CHUNK = 1 << 16 };
  static _Thread_local uint8_t buf[CHUNK];
  const rtl_ctx_t *r = c->rtl;
  for (uint64_t off = 0; off < r->size; off += CHUNK) {
    const size_t len = r->size - off < CHUNK ? (size_t)(r->size - off) : CHUNK;
    st = MODEL->mem_read(c->model, off, buf, len);
    if (st != NC_OK) {
      return st;
    }
    if (memcmp(buf, r->mem + off, len) != 0) {
      size_t i = 0;
      while (buf[i] == r->mem[off + i]) {
        i++;
      }
      return nc__fail(NC_ERR_MISMATCH,
                      "lockstep: window offset 0x%llx holds 0x%02x on the "
                      "rtl, 0x%02x on the model",
                      (unsigned long long)(off + i), r->mem[off + i], buf[i]);
    }
  }
  return NC_OK;
}

static nc_status_t ls_step_(void *ctx, uint64_t cycles, int *busy) {
  ls_ctx_t *c = ctx;
  int rb = 0;
  nc_status_t st = rtl_step_(c->rtl, cycles, &rb);
  if (st != NC_OK) {
    return st;
  }
  if (c->model_busy) {
    /* The model is event-driven: a large budget costs only the work. When
     * the RTL stopped, the model must stop too; while it runs, the model is
     * kept at least as far as the same number of cycles. */
    int mb = 0;
    st = MODEL->step(c->model, rb ? cycles : UINT64_C(1) << 40, &mb);
    if (st != NC_OK) {
      return st;
    }
    c->model_busy = mb;
  }
  if (!rb) {
    if (c->model_busy) {
      return nc__fail(NC_ERR_MISMATCH,
                      "lockstep: the rtl stopped, the model still runs");
    }
    st = ls_compare_(c);
  }
  if (busy != NULL) {
    *busy = rb;
  }
  return st;
}

static nc_status_t ls_mem_write_(void *ctx, uint64_t offset, const void *src,
                                 size_t bytes) {
  ls_ctx_t *c = ctx;
  nc_status_t st = rtl_mem_write_(c->rtl, offset, src, bytes);
  return st == NC_OK ? MODEL->mem_write(c->model, offset, src, bytes) : st;
}

static nc_status_t ls_inject_fault_(void *ctx, nc_dev_fault_t fault) {
  return rtl_inject_fault_(((ls_ctx_t *)ctx)->rtl, fault);
}

static nc_status_t ls_mem_read_(void *ctx, uint64_t offset, void *dst,
                                size_t bytes) {
  return rtl_mem_read_(((ls_ctx_t *)ctx)->rtl, offset, dst, bytes);
}

const nc__backend_t nc__backend_lockstep = {
    .name = "lockstep",
    .open = ls_open_,
    .close = ls_close_,
    .csr_read = ls_csr_read_,
    .csr_write = ls_csr_write_,
    .step = ls_step_,
    .mem_write = ls_mem_write_,
    .mem_read = ls_mem_read_,
    .inject_fault = ls_inject_fault_,
};
