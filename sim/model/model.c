/*
 * The functional model's control side: registers, errors, and what the
 * scheduler (base/include/neocog/sched.h) has the model do.
 *
 * The scheduler decides when each instruction is fetched, accepted by its
 * unit and retired; the model reads the ring from memory when it fetches,
 * checks an instruction when it reaches its unit, executes the whole
 * instruction at once when the unit accepts it (exec.c), and counts the
 * cycles as they pass. The planner's cost model replays streams through the
 * same scheduler, without data.
 */
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "sim/model/model_internal.h"

#define ST_BUSY (1u << NC_HW_CSR_STATUS_BUSY_SHIFT)
#define ST_DONE (1u << NC_HW_CSR_STATUS_DONE_SHIFT)
#define ST_ERROR (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)
#define INTR_DONE (1u << NC_HW_CSR_INTR_STATE_DONE_SHIFT)
#define INTR_ERROR (1u << NC_HW_CSR_INTR_STATE_ERROR_SHIFT)
#define INTR_ALL (INTR_DONE | INTR_ERROR)
#define AXI_MASK                          \
  (NC_HW_AXI_ADDR_BITS >= 64 ? UINT64_MAX \
                             : (UINT64_C(1) << NC_HW_AXI_ADDR_BITS) - 1u)

const char *nc_model_err_name(uint32_t code) {
  return nc_hw_err_name(code);
}

const char *nc_model_unit_name(uint32_t unit) {
  return nc_hw_unit_name(unit);
}

/* ---- Small helpers ---- */

static uint64_t sat_add_(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t min_(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

static uint64_t max_(uint64_t a, uint64_t b) {
  return a > b ? a : b;
}

/* Length of [a, b) inside [lo, hi). */
static uint64_t overlap_(uint64_t a, uint64_t b, uint64_t lo, uint64_t hi) {
  const uint64_t s = max_(a, lo), e = min_(b, hi);
  return e > s ? e - s : 0;
}

static int uses_memory_(uint32_t opcode) {
  return opcode == NC_HW_OP_LOAD || opcode == NC_HW_OP_STORE ||
         opcode == NC_HW_OP_LOAD_PARAM;
}

static int busy_(const nc_model_t *m) {
  return (m->status & ST_BUSY) != 0;
}

/* ---- Errors, reset ---- */

/* Records the first error, stops the device and drops everything in flight
 * (neocog/sched.h: nc__sched_stop). */
static void raise_(nc_model_t *m, uint32_t code, uint32_t unit, uint32_t insn,
                   uint32_t info) {
  if (!(m->status & ST_ERROR)) {
    m->err_code =
        (code & NC_HW_CSR_ERR_CODE_CODE_MASK) << NC_HW_CSR_ERR_CODE_CODE_SHIFT |
        (unit & NC_HW_CSR_ERR_CODE_UNIT_MASK) << NC_HW_CSR_ERR_CODE_UNIT_SHIFT;
    m->err_insn = insn;
    m->err_info = info;
  }
  m->status = (m->status | ST_ERROR) & ~ST_BUSY;
  m->intr_state |= INTR_ERROR;
  nc__sched_stop(&m->sched);
}

static void soft_reset_(nc_model_t *m) {
  nc__sched_reset(&m->sched);
  m->status = 0;
  m->err_code = m->err_insn = m->err_info = 0;
  m->intr_state = 0;
  nc__model_reset_units(m);
}

/* ---- What the scheduler has the model do (neocog/sched.h) ---- */

/* Fetch reads ring entries at their physical address. */
static uint32_t on_fetch_(void *ctx, uint32_t pos, uint32_t n,
                          nc__sched_entry_t *out) {
  nc_model_t *m = ctx;
  const uint64_t len = (uint64_t)n * NC_HW_INSN_BYTES;
  const uint64_t pa = (m->ring_base & AXI_MASK) + (uint64_t)pos * 16u;
  if (m->fault == NC_FAULT_SLVERR || m->mem == NULL || pa < m->mem_base ||
      pa - m->mem_base > m->mem_size ||
      len > m->mem_size - (pa - m->mem_base)) {
    return NC_HW_ERR_DMA_BUS;
  }
  if (m->fault == NC_FAULT_HANG) {
    return NC__SCHED_HANG;
  }
  const uint8_t *src = m->mem + (pa - m->mem_base);
  for (uint32_t i = 0; i < n; i++) {
    nc_hw_words_from_bytes(src + (size_t)i * NC_HW_INSN_BYTES, NC_HW_INSN_WORDS,
                           out[i].insn.w);
  }
  m->rd_bytes.v += m->perf_enable ? len : 0;
  return NC_HW_ERR_NONE;
}

/* The executing unit checks every rule fetch did not. */
static uint32_t on_check_(void *ctx, const nc_hw_insn_t *in, uint32_t *info) {
  const nc_model_t *m = ctx;
  uint32_t err = nc_hw_insn_check(in, info);
  if (err == NC_HW_ERR_NONE && nc_hw_insn_get_opcode(in) == NC_HW_OP_STORE) {
    err = nc__model_store_pool_check(m, in, info);
  }
  return err;
}

/* The whole instruction's data moves at once (exec.c). */
static uint32_t on_exec_(void *ctx, const nc_hw_insn_t *in, uint32_t *info) {
  nc_model_t *m = ctx;
  if (m->fault == NC_FAULT_HANG &&
      uses_memory_(nc_hw_insn_get_opcode(in))) {
    return NC__SCHED_HANG;
  }
  nc__exec_t r;
  nc__model_exec(m, in, &r);
  *info = r.info;
  return r.err;
}

static void on_retire_(void *ctx, uint32_t idx, uint32_t op, uint32_t unit,
                       uint64_t start, uint64_t end) {
  nc_model_t *m = ctx;
  if (m->perf_enable) {
    m->insns++;
  }
  if (m->trace != NULL) {
    nc_sim_retire_t r = {idx, op, unit, start, end, m->retire_seq};
    m->trace(m->trace_ctx, &r);
  }
  m->retire_seq++;
}

static void on_raise_(void *ctx, uint32_t code, uint32_t unit, uint32_t idx,
                      uint32_t info) {
  raise_(ctx, code, unit, idx, info);
}

/* Books the cycles [t0, t1), during which nothing changes state. */
static void on_account_(void *ctx, uint64_t t0, uint64_t t1) {
  nc_model_t *m = ctx;
  if (!m->perf_enable || t1 <= t0) {
    return;
  }
  const uint64_t dt = t1 - t0;
  m->cycles.v += dt;
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    const nc__sched_unit_t *u = &m->sched.unit[q];
    if (u->hung) {
      m->unit_stall[q] += dt;
      continue;
    }
    const uint64_t s = overlap_(t0, t1, u->start, u->stall_until);
    const uint64_t b = overlap_(t0, t1, u->stall_until, u->busy_until);
    m->unit_stall[q] += s;
    m->unit_busy[q] += b;
    if (u->count > 0) {
      /* Free with work queued: its head waits for a token. */
      m->unit_stall[q] += dt - s - b;
    }
  }
}

static const nc__sched_ops_t model_ops_ = {
    .fetch = on_fetch_,
    .check = on_check_,
    .exec = on_exec_,
    .retire = on_retire_,
    .raise = on_raise_,
    .account = on_account_,
};

nc_status_t nc_model_run(nc_model_t *m, uint64_t max_cycles, int *busy) {
  if (m == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_run: NULL model");
  }
  if (busy_(m)) {
    const uint64_t end = sat_add_(m->sched.now, max_cycles);
    if (nc__sched_run(&m->sched, end) == NC__SCHED_FINISHED) {
      m->status = (m->status | ST_DONE) & ~ST_BUSY;
      m->intr_state |= INTR_DONE;
    }
  }
  if (busy != NULL) {
    *busy = busy_(m);
  }
  return NC_OK;
}

/* ---- Registers ---- */

static void start_(nc_model_t *m) {
  if (m->status & (ST_BUSY | ST_ERROR)) {
    return; /* ignored while busy; an error needs soft_reset first */
  }
  m->status &= ~ST_DONE;
  const nc__sched_t *s = &m->sched;
  if (s->size == 0 || (m->ring_base & 15u) != 0 || s->head >= s->size ||
      s->tail >= s->size) {
    m->status |= ST_BUSY; /* raise_ clears it again */
    raise_(m, NC_HW_ERR_RING_CONFIG, NC_HW_UNIT_FETCH, s->head, 0);
    return;
  }
  nc__sched_start(&m->sched);
  m->status |= ST_BUSY;
}

static uint32_t lo_(nc__ctr_t *c) {
  c->hi_snap = (uint32_t)(c->v >> 32);
  return (uint32_t)c->v;
}

static uint32_t status_(const nc_model_t *m) {
  uint32_t s = m->status;
  if (m->sched.fetch_inflight || m->sched.fbuf_count > 0) {
    s |= 1u << NC_HW_CSR_STATUS_FETCH_BUSY_SHIFT;
  }
  static const unsigned sh[NC__SCHED_NQ] = {NC_HW_CSR_STATUS_LOAD_BUSY_SHIFT,
                                            NC_HW_CSR_STATUS_COMPUTE_BUSY_SHIFT,
                                            NC_HW_CSR_STATUS_STORE_BUSY_SHIFT};
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    if (nc__sched_unit_busy(&m->sched, q)) {
      s |= 1u << sh[q];
    }
  }
  return s;
}

static nc_status_t check_csr_(const nc_model_t *m, uint32_t offset,
                              const char *what) {
  if (m == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_csr_%s: NULL model", what);
  }
  if ((offset & 3u) != 0 || offset >= (1u << NC_HW_CSR_ADDR_BITS)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_csr_%s: offset 0x%x is not a register address "
                    "(4-byte aligned, below 0x%x)",
                    what, offset, 1u << NC_HW_CSR_ADDR_BITS);
  }
  return NC_OK;
}

nc_status_t nc_model_csr_read(nc_model_t *m, uint32_t offset, uint32_t *value) {
  nc_status_t st = check_csr_(m, offset, "read");
  if (st != NC_OK) {
    return st;
  }
  if (value == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_csr_read: NULL value");
  }
  uint32_t v = 0;
  switch (offset) {
    case NC_HW_CSR_ID_OFFSET:
      v = NC_HW_CSR_ID_RESVAL;
      break;
    case NC_HW_CSR_VERSION_OFFSET:
      v = NC_HW_CSR_VERSION_RESVAL;
      break;
    case NC_HW_CSR_HWCFG0_OFFSET:
      v = NC_HW_CSR_HWCFG0_RESVAL;
      break;
    case NC_HW_CSR_HWCFG1_OFFSET:
      v = NC_HW_CSR_HWCFG1_RESVAL;
      break;
    case NC_HW_CSR_HWCFG2_OFFSET:
      v = NC_HW_CSR_HWCFG2_RESVAL;
      break;
    case NC_HW_CSR_STATUS_OFFSET:
      v = status_(m);
      break;
    case NC_HW_CSR_ERR_CODE_OFFSET:
      v = m->err_code;
      break;
    case NC_HW_CSR_ERR_INSN_OFFSET:
      v = m->err_insn;
      break;
    case NC_HW_CSR_ERR_INFO_OFFSET:
      v = m->err_info;
      break;
    case NC_HW_CSR_INTR_STATE_OFFSET:
      v = m->intr_state;
      break;
    case NC_HW_CSR_INTR_ENABLE_OFFSET:
      v = m->intr_enable;
      break;
    case NC_HW_CSR_RING_BASE_LO_OFFSET:
      v = (uint32_t)m->ring_base;
      break;
    case NC_HW_CSR_RING_BASE_HI_OFFSET:
      v = (uint32_t)(m->ring_base >> 32);
      break;
    case NC_HW_CSR_RING_SIZE_OFFSET:
      v = m->sched.size;
      break;
    case NC_HW_CSR_RING_HEAD_OFFSET:
      v = m->sched.head;
      break;
    case NC_HW_CSR_RING_TAIL_OFFSET:
      v = m->sched.tail;
      break;
    case NC_HW_CSR_WIN_BASE_LO_OFFSET:
      v = (uint32_t)m->win_base;
      break;
    case NC_HW_CSR_WIN_BASE_HI_OFFSET:
      v = (uint32_t)(m->win_base >> 32);
      break;
    case NC_HW_CSR_WIN_SIZE_OFFSET:
      v = m->win_size;
      break;
    case NC_HW_CSR_WATCHDOG_OFFSET:
      v = m->sched.watchdog;
      break;
    case NC_HW_CSR_PERF_CTRL_OFFSET:
      v = m->perf_enable;
      break;
    case NC_HW_CSR_PERF_CYCLES_LO_OFFSET:
      v = lo_(&m->cycles);
      break;
    case NC_HW_CSR_PERF_CYCLES_HI_OFFSET:
      v = m->cycles.hi_snap;
      break;
    case NC_HW_CSR_PERF_LOAD_BUSY_OFFSET:
      v = (uint32_t)m->unit_busy[NC_HW_QUEUE_LOAD];
      break;
    case NC_HW_CSR_PERF_LOAD_STALL_OFFSET:
      v = (uint32_t)m->unit_stall[NC_HW_QUEUE_LOAD];
      break;
    case NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET:
      v = (uint32_t)m->unit_busy[NC_HW_QUEUE_COMPUTE];
      break;
    case NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET:
      v = (uint32_t)m->unit_stall[NC_HW_QUEUE_COMPUTE];
      break;
    case NC_HW_CSR_PERF_STORE_BUSY_OFFSET:
      v = (uint32_t)m->unit_busy[NC_HW_QUEUE_STORE];
      break;
    case NC_HW_CSR_PERF_STORE_STALL_OFFSET:
      v = (uint32_t)m->unit_stall[NC_HW_QUEUE_STORE];
      break;
    case NC_HW_CSR_PERF_MACS_LO_OFFSET:
      v = lo_(&m->macs);
      break;
    case NC_HW_CSR_PERF_MACS_HI_OFFSET:
      v = m->macs.hi_snap;
      break;
    case NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET:
      v = lo_(&m->rd_bytes);
      break;
    case NC_HW_CSR_PERF_RD_BYTES_HI_OFFSET:
      v = m->rd_bytes.hi_snap;
      break;
    case NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET:
      v = lo_(&m->wr_bytes);
      break;
    case NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET:
      v = m->wr_bytes.hi_snap;
      break;
    case NC_HW_CSR_PERF_INSNS_OFFSET:
      v = (uint32_t)m->insns;
      break;
    default: /* CTRL and INTR_TEST are write-only; the rest is unmapped */
      break;
  }
  *value = v;
  return NC_OK;
}

static void perf_clear_(nc_model_t *m) {
  memset(&m->cycles, 0, sizeof m->cycles);
  memset(&m->macs, 0, sizeof m->macs);
  memset(&m->rd_bytes, 0, sizeof m->rd_bytes);
  memset(&m->wr_bytes, 0, sizeof m->wr_bytes);
  memset(m->unit_busy, 0, sizeof m->unit_busy);
  memset(m->unit_stall, 0, sizeof m->unit_stall);
  m->insns = 0;
}

static void set_lo_(uint64_t *r, uint32_t v) {
  *r = (*r & ~(uint64_t)UINT32_MAX) | v;
}

static void set_hi_(uint64_t *r, uint32_t v) {
  *r = (*r & UINT32_MAX) | (uint64_t)v << 32;
}

/* The counter a PERF_* offset names (NULL: none), and whether it is the
 * _HI half of a 64-bit one (`*hi` NULL: a 32-bit counter or a _LO). */
static uint64_t *counter_(nc_model_t *m, uint32_t offset, nc__ctr_t **hi) {
  *hi = NULL;
  switch (offset) {
    case NC_HW_CSR_PERF_CYCLES_LO_OFFSET:
      return &m->cycles.v;
    case NC_HW_CSR_PERF_CYCLES_HI_OFFSET:
      *hi = &m->cycles;
      return &m->cycles.v;
    case NC_HW_CSR_PERF_MACS_LO_OFFSET:
      return &m->macs.v;
    case NC_HW_CSR_PERF_MACS_HI_OFFSET:
      *hi = &m->macs;
      return &m->macs.v;
    case NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET:
      return &m->rd_bytes.v;
    case NC_HW_CSR_PERF_RD_BYTES_HI_OFFSET:
      *hi = &m->rd_bytes;
      return &m->rd_bytes.v;
    case NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET:
      return &m->wr_bytes.v;
    case NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET:
      *hi = &m->wr_bytes;
      return &m->wr_bytes.v;
    case NC_HW_CSR_PERF_LOAD_BUSY_OFFSET:
      return &m->unit_busy[NC_HW_QUEUE_LOAD];
    case NC_HW_CSR_PERF_LOAD_STALL_OFFSET:
      return &m->unit_stall[NC_HW_QUEUE_LOAD];
    case NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET:
      return &m->unit_busy[NC_HW_QUEUE_COMPUTE];
    case NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET:
      return &m->unit_stall[NC_HW_QUEUE_COMPUTE];
    case NC_HW_CSR_PERF_STORE_BUSY_OFFSET:
      return &m->unit_busy[NC_HW_QUEUE_STORE];
    case NC_HW_CSR_PERF_STORE_STALL_OFFSET:
      return &m->unit_stall[NC_HW_QUEUE_STORE];
    case NC_HW_CSR_PERF_INSNS_OFFSET:
      return &m->insns;
    default:
      return NULL;
  }
}

/* A write presets the 32 bits of the counter it names (the data file's
 * PERF_CTRL); a _HI write also sets what _HI reads. Nothing for an offset
 * that names no counter. */
static void counter_write_(nc_model_t *m, uint32_t offset, uint32_t value) {
  nc__ctr_t *hi = NULL;
  uint64_t *c = counter_(m, offset, &hi);
  if (c == NULL) {
    return;
  }
  if (hi != NULL) {
    set_hi_(c, value);
    hi->hi_snap = value;
  } else {
    set_lo_(c, value);
  }
}

nc_status_t nc_model_csr_write(nc_model_t *m, uint32_t offset, uint32_t value) {
  nc_status_t st = check_csr_(m, offset, "write");
  if (st != NC_OK) {
    return st;
  }
  const int busy = busy_(m);
  switch (offset) {
    case NC_HW_CSR_CTRL_OFFSET:
      if (value & (1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT)) {
        soft_reset_(m);
      }
      if (value & (1u << NC_HW_CSR_CTRL_HALT_SHIFT)) {
        m->status |= ST_BUSY; /* raise_ clears it */
        raise_(m, NC_HW_ERR_HALTED, NC_HW_UNIT_NONE, m->sched.head, 0);
      }
      if (value & (1u << NC_HW_CSR_CTRL_START_SHIFT)) {
        start_(m);
      }
      break;
    case NC_HW_CSR_INTR_STATE_OFFSET:
      m->intr_state &= ~(value & INTR_ALL);
      break;
    case NC_HW_CSR_INTR_ENABLE_OFFSET:
      m->intr_enable = value & INTR_ALL;
      break;
    case NC_HW_CSR_INTR_TEST_OFFSET:
      m->intr_state |= value & INTR_ALL;
      break;
    case NC_HW_CSR_RING_BASE_LO_OFFSET:
      if (!busy) {
        set_lo_(&m->ring_base, value);
      }
      break;
    case NC_HW_CSR_RING_BASE_HI_OFFSET:
      if (!busy) {
        set_hi_(&m->ring_base, value);
      }
      break;
    case NC_HW_CSR_RING_SIZE_OFFSET:
      if (!busy) {
        m->sched.size = value;
      }
      break;
    case NC_HW_CSR_RING_HEAD_OFFSET:
      if (!busy) {
        m->sched.head = value;
        m->sched.fetch_ptr = value;
      }
      break;
    case NC_HW_CSR_RING_TAIL_OFFSET:
      m->sched.tail = value;
      break;
    case NC_HW_CSR_WIN_BASE_LO_OFFSET:
      set_lo_(&m->win_base, value);
      break;
    case NC_HW_CSR_WIN_BASE_HI_OFFSET:
      set_hi_(&m->win_base, value);
      break;
    case NC_HW_CSR_WIN_SIZE_OFFSET:
      m->win_size = value;
      break;
    case NC_HW_CSR_WATCHDOG_OFFSET:
      m->sched.watchdog = value;
      break;
    case NC_HW_CSR_PERF_CTRL_OFFSET:
      m->perf_enable = value & NC_HW_CSR_PERF_CTRL_ENABLE_MASK;
      if (value & (1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT)) {
        perf_clear_(m);
      }
      break;
    default: /* a counter, read-only or unmapped */
      counter_write_(m, offset, value);
      break;
  }
  return NC_OK;
}

/* ---- Life cycle and the rest of the API ---- */

void nc_model_config_default(nc_model_config_t *cfg) {
  if (cfg != NULL) {
    cfg->mem_latency = 100;
    cfg->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  }
}

nc_status_t nc_model_create(const nc_model_config_t *cfg, nc_model_t **out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_create: NULL output");
  }
  nc_model_config_t c;
  nc_model_config_default(&c);
  if (cfg != NULL) {
    c = *cfg;
  }
  if (c.mem_bytes_per_cycle < 1 || c.mem_bytes_per_cycle > NC_HW_BUS_BYTES) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_create: mem_bytes_per_cycle %u outside 1..%u (the "
                    "memory port width)",
                    c.mem_bytes_per_cycle, NC_HW_BUS_BYTES);
  }
  if (c.mem_latency > (1u << 24)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_create: mem_latency %u cycles is above %u",
                    c.mem_latency, 1u << 24);
  }
  nc_model_t *m = calloc(1, sizeof *m);
  if (m == NULL) {
    return nc__fail(NC_ERR_NOMEM, "model_create: out of memory");
  }
  m->cfg = c;
  nc__sched_init(&m->sched, &model_ops_, m, c.mem_latency,
                 c.mem_bytes_per_cycle);
  m->spad = calloc((size_t)NC_HW_SPAD_ROWS * NC_HW_ROWS, 1);
  m->acc = calloc((size_t)NC_HW_ACC_ROWS * NC_HW_COLS, sizeof(uint32_t));
  m->param = calloc(NC_HW_PARAM_ENTRIES, sizeof(nc__param_t));
  m->tile = calloc((size_t)NC_HW_ACC_ROWS * NC_HW_COLS, sizeof(int32_t));
  if (m->spad == NULL || m->acc == NULL || m->param == NULL ||
      m->tile == NULL) {
    nc_model_destroy(m);
    return nc__fail(NC_ERR_NOMEM, "model_create: out of memory");
  }
  m->sched.watchdog = NC_HW_CSR_WATCHDOG_RESVAL;
  m->perf_enable = NC_HW_CSR_PERF_CTRL_RESVAL & NC_HW_CSR_PERF_CTRL_ENABLE_MASK;
  soft_reset_(m);
  *out = m;
  return NC_OK;
}

void nc_model_destroy(nc_model_t *m) {
  if (m == NULL) {
    return;
  }
  free(m->spad);
  free(m->acc);
  free(m->param);
  free(m->tile);
  free(m);
}

nc_status_t nc_model_attach_memory(nc_model_t *m, uint8_t *mem, uint64_t base,
                                   uint64_t size) {
  if (m == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_attach_memory: NULL model");
  }
  if (busy_(m)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_attach_memory: the device is busy");
  }
  if (mem == NULL && size != 0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_attach_memory: NULL memory of %llu bytes",
                    (unsigned long long)size);
  }
  if (size > UINT64_MAX - base) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_attach_memory: [0x%llx, +0x%llx) wraps the "
                    "address space",
                    (unsigned long long)base, (unsigned long long)size);
  }
  m->mem = size == 0 ? NULL : mem;
  m->mem_base = base;
  m->mem_size = size;
  return NC_OK;
}

uint64_t nc_model_cycle(const nc_model_t *m) {
  return m == NULL ? 0 : m->sched.now;
}

int nc_model_irq(const nc_model_t *m) {
  return m != NULL && (m->intr_state & m->intr_enable) != 0;
}

nc_status_t nc_model_inject_fault(nc_model_t *m, nc_fault_t fault) {
  if (m == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_inject_fault: NULL model");
  }
  if ((unsigned)fault >= NC_FAULT_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_inject_fault: unknown fault %d",
                    (int)fault);
  }
  m->fault = fault;
  return NC_OK;
}

void nc_model_set_trace(nc_model_t *m, nc_sim_trace_fn fn, void *ctx) {
  if (m != NULL) {
    m->trace = fn;
    m->trace_ctx = ctx;
  }
}

static nc_status_t check_range_(const nc_model_t *m, const void *out,
                                uint32_t first, uint32_t count, uint32_t total,
                                const char *what) {
  if (m == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_read_%s: NULL argument", what);
  }
  if (first > total || count > total - first) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "model_read_%s: [%u, %u + %u) leaves the %u entries", what,
                    first, first, count, total);
  }
  return NC_OK;
}

nc_status_t nc_model_read_spad(const nc_model_t *m, uint32_t row,
                               uint32_t count, int8_t *out) {
  nc_status_t st = check_range_(m, out, row, count, NC_HW_SPAD_ROWS, "spad");
  if (st == NC_OK && count > 0) {
    memcpy(out, m->spad + (size_t)row * NC_HW_ROWS, (size_t)count * NC_HW_ROWS);
  }
  return st;
}

nc_status_t nc_model_read_acc(const nc_model_t *m, uint32_t row, uint32_t count,
                              int32_t *out) {
  nc_status_t st = check_range_(m, out, row, count, NC_HW_ACC_ROWS, "acc");
  if (st != NC_OK) {
    return st;
  }
  for (size_t i = 0; i < (size_t)count * NC_HW_COLS; i++) {
    const uint32_t x = m->acc[(size_t)row * NC_HW_COLS + i];
    out[i] = x <= (uint32_t)INT32_MAX ? (int32_t)x : -(int32_t)(~x) - 1;
  }
  return NC_OK;
}

nc_status_t nc_model_read_param(const nc_model_t *m, uint32_t entry,
                                uint32_t count, uint8_t *out) {
  nc_status_t st =
      check_range_(m, out, entry, count, NC_HW_PARAM_ENTRIES, "param");
  if (st != NC_OK) {
    return st;
  }
  for (uint32_t i = 0; i < count; i++) {
    nc_hw_words_to_bytes(m->param[entry + i].raw.w, NC_HW_QPARAM_WORDS,
                         out + (size_t)i * NC_HW_QPARAM_BYTES);
  }
  return NC_OK;
}
