/*
 * The functional model's control side: registers, the ring, dispatch, the
 * dependency tokens, errors and the timing estimate.
 *
 * Time is simulated by events, not cycle by cycle. A unit whose next
 * instruction may start (its tokens are there, it is free) executes the whole
 * instruction at once (exec.c) and books the cycles the hardware would take;
 * the instruction's tokens are pushed, and it retires, when those cycles have
 * passed. The three units therefore overlap exactly as far as the tokens let
 * them, and a run of a million-cycle program costs only its data movement.
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
#define TOKEN_MAX ((1u << NC_HW_TOKEN_BITS) - 1u)
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

static uint32_t unit_of_queue_(int q) {
  static const uint32_t u[NC__NQ] = {NC_HW_UNIT_LOAD, NC_HW_UNIT_COMPUTE,
                                     NC_HW_UNIT_STORE};
  return u[q];
}

/* Queue an instruction goes to, -1 for FINISH, an unknown opcode or a SYNC
 * naming no queue. */
static int queue_of_(const nc_hw_insn_t *in) {
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
    case NC_HW_OP_LOAD_CFG:
      return NC_HW_QUEUE_LOAD;
    case NC_HW_OP_GEMM:
      return NC_HW_QUEUE_COMPUTE;
    case NC_HW_OP_STORE:
    case NC_HW_OP_STORE_CFG:
    case NC_HW_OP_LOAD_PARAM:
      return NC_HW_QUEUE_STORE;
    case NC_HW_OP_SYNC: {
      const uint32_t t = nc_hw_sync_get_target(in);
      return t <= NC_HW_QUEUE_STORE ? (int)t : -1;
    }
    default:
      return -1;
  }
}

/* The counter a queue's pop_prev/pop_next/push_prev/push_next flag names;
 * -1 where the queue has no such neighbour (the checks reject those). */
static int tok_pop_prev_(int q) {
  return q == NC_HW_QUEUE_COMPUTE ? NC__TOK_L2C
         : q == NC_HW_QUEUE_STORE ? NC__TOK_C2S
                                  : -1;
}

static int tok_pop_next_(int q) {
  return q == NC_HW_QUEUE_LOAD      ? NC__TOK_C2L
         : q == NC_HW_QUEUE_COMPUTE ? NC__TOK_S2C
                                    : -1;
}

static int tok_push_prev_(int q) {
  return q == NC_HW_QUEUE_COMPUTE ? NC__TOK_C2L
         : q == NC_HW_QUEUE_STORE ? NC__TOK_S2C
                                  : -1;
}

static int tok_push_next_(int q) {
  return q == NC_HW_QUEUE_LOAD      ? NC__TOK_L2C
         : q == NC_HW_QUEUE_COMPUTE ? NC__TOK_C2S
                                    : -1;
}

static int uses_memory_(uint32_t opcode) {
  return opcode == NC_HW_OP_LOAD || opcode == NC_HW_OP_STORE ||
         opcode == NC_HW_OP_LOAD_PARAM;
}

/* ---- Events: a binary min-heap on (time, seq) ---- */

static int ev_less_(const nc__event_t *a, const nc__event_t *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void ev_push_(nc_model_t *m, nc__event_t e) {
  /* Capacity covers NC__MAX_INFLIGHT per unit, which start_units_ keeps. */
  unsigned i = m->nev++;
  e.seq = m->ev_seq++;
  m->ev[i] = e;
  while (i > 0) {
    unsigned p = (i - 1) / 2;
    if (!ev_less_(&m->ev[i], &m->ev[p])) {
      break;
    }
    nc__event_t t = m->ev[p];
    m->ev[p] = m->ev[i];
    m->ev[i] = t;
    i = p;
  }
}

static nc__event_t ev_pop_(nc_model_t *m) {
  nc__event_t top = m->ev[0];
  m->ev[0] = m->ev[--m->nev];
  unsigned i = 0;
  for (;;) {
    unsigned l = 2 * i + 1, r = l + 1, s = i;
    if (l < m->nev && ev_less_(&m->ev[l], &m->ev[s])) {
      s = l;
    }
    if (r < m->nev && ev_less_(&m->ev[r], &m->ev[s])) {
      s = r;
    }
    if (s == i) {
      break;
    }
    nc__event_t t = m->ev[s];
    m->ev[s] = m->ev[i];
    m->ev[i] = t;
    i = s;
  }
  return top;
}

/* ---- Stopping, errors, reset ---- */

/* Drops everything in flight: fetch, queues, units, pending completions. The
 * entries dispatched to the queues count as consumed (RING_HEAD stays past
 * them); what fetch held but had not dispatched is fetched again at the next
 * START. */
static void stop_(nc_model_t *m) {
  m->fbuf_head = m->fbuf_count = 0;
  m->fetch_inflight = m->fetch_hung = 0;
  m->fetch_ptr = m->ring_head;
  for (int q = 0; q < NC__NQ; q++) {
    nc__unit_t *u = &m->unit[q];
    u->head = u->count = 0;
    u->inflight = 0;
    u->hung = 0;
    u->start = u->stall_until = u->free_at = u->busy_until = m->now;
  }
  m->nev = 0;
  nc__tm_restart(&m->tm, m->now);
}

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
  stop_(m);
}

static void soft_reset_(nc_model_t *m) {
  stop_(m);
  m->status = 0;
  m->err_code = m->err_insn = m->err_info = 0;
  m->intr_state = 0;
  memset(m->tok, 0, sizeof m->tok);
  nc__model_reset_units(m);
  nc__tm_reset_cfg(&m->tm);
}

static int busy_(const nc_model_t *m) {
  return (m->status & ST_BUSY) != 0;
}

/* ---- Performance accounting ---- */

/* Books the cycles [t0, t1), during which nothing changes state. */
static void account_(nc_model_t *m, uint64_t t0, uint64_t t1) {
  if (!m->perf_enable || t1 <= t0) {
    return;
  }
  const uint64_t dt = t1 - t0;
  m->cycles.v += dt;
  for (int q = 0; q < NC__NQ; q++) {
    const nc__unit_t *u = &m->unit[q];
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

/* ---- Fetch and dispatch ---- */

static void trace_(nc_model_t *m, uint32_t idx, uint32_t op, uint32_t unit,
                   uint64_t start) {
  if (m->perf_enable) {
    m->insns++;
  }
  if (m->trace != NULL) {
    nc_sim_retire_t r = {idx, op, unit, start, m->now, m->retire_seq};
    m->trace(m->trace_ctx, &r);
  }
  m->retire_seq++;
}

/* Reads the next burst of ring entries if fetch is idle, there are any and
 * the buffer has room (it holds two bursts, so fetch runs ahead). */
static void fetch_issue_(nc_model_t *m) {
  if (m->fetch_inflight || m->fbuf_count >= NC__TM_FETCH_BUF ||
      m->fetch_ptr == m->ring_tail) {
    return;
  }
  if (m->ring_tail >= m->ring_size) {
    raise_(m, NC_HW_ERR_RING_CONFIG, NC_HW_UNIT_FETCH, m->fetch_ptr, 0);
    return;
  }
  const uint32_t ptr = m->fetch_ptr;
  uint32_t n = m->ring_tail > ptr ? m->ring_tail - ptr : m->ring_size - ptr;
  n = n > NC__FETCH_MAX ? NC__FETCH_MAX : n;
  n = n > NC__TM_FETCH_BUF - m->fbuf_count ? NC__TM_FETCH_BUF - m->fbuf_count
                                           : n;
  const uint64_t len = (uint64_t)n * NC_HW_INSN_BYTES;
  const uint64_t pa = (m->ring_base & AXI_MASK) + (uint64_t)ptr * 16u;
  if (m->fault == NC_FAULT_SLVERR || m->mem == NULL || pa < m->mem_base ||
      pa - m->mem_base > m->mem_size ||
      len > m->mem_size - (pa - m->mem_base)) {
    raise_(m, NC_HW_ERR_DMA_BUS, NC_HW_UNIT_FETCH, ptr, 0);
    return;
  }
  m->fetch_inflight = 1;
  if (m->fault == NC_FAULT_HANG) {
    m->fetch_hung = 1;
    return;
  }
  const uint8_t *src = m->mem + (pa - m->mem_base);
  for (uint32_t i = 0; i < n; i++) {
    nc_hw_words_from_bytes(src + (size_t)i * NC_HW_INSN_BYTES, NC_HW_INSN_WORDS,
                           m->fetch_data[i].insn.w);
    m->fetch_data[i].idx = ptr + i;
  }
  m->fetch_n = n;
  m->fetch_arrive = nc__tm_fetch(&m->tm, m->now, n);
  m->last_progress = max_(m->last_progress, m->fetch_arrive);
  m->rd_bytes.v += m->perf_enable ? len : 0;
  m->fetch_ptr = ptr + n == m->ring_size ? 0 : ptr + n;
}

static int drained_(const nc_model_t *m) {
  for (int q = 0; q < NC__NQ; q++) {
    const nc__unit_t *u = &m->unit[q];
    if (u->count > 0 || u->inflight > 0 || u->hung || u->free_at > m->now) {
      return 0;
    }
  }
  return 1;
}

static void consume_(nc_model_t *m, uint32_t idx) {
  m->ring_head = idx + 1 >= m->ring_size ? 0 : idx + 1;
  m->fbuf_head = (m->fbuf_head + 1) % NC__TM_FETCH_BUF;
  m->fbuf_count--;
}

/* Moves fetched entries to their queues, in order, while there is room.
 * Returns 1 when anything changed. */
static int dispatch_(nc_model_t *m) {
  int changed = 0;
  while (m->fbuf_count > 0 && busy_(m)) {
    const nc__entry_t *e = &m->fbuf[m->fbuf_head];
    const uint32_t op = nc_hw_insn_get_opcode(&e->insn);
    uint32_t info = 0;
    if (op == NC_HW_OP_ILLEGAL || op > NC_HW_OP_FINISH) {
      raise_(m, NC_HW_ERR_ILLEGAL_OPCODE, NC_HW_UNIT_FETCH, e->idx, 0);
      return 1;
    }
    if (op == NC_HW_OP_FINISH) {
      uint32_t err = nc_hw_finish_check(&e->insn, &info);
      if (err != NC_HW_ERR_NONE) {
        raise_(m, err, NC_HW_UNIT_FETCH, e->idx, info);
        return 1;
      }
      if (!drained_(m)) {
        break;
      }
      const uint32_t idx = e->idx;
      consume_(m, idx);
      trace_(m, idx, op, NC_HW_UNIT_FETCH, m->now);
      m->status = (m->status | ST_DONE) & ~ST_BUSY;
      m->intr_state |= INTR_DONE;
      /* Entries fetched past the FINISH are fetched again at START. */
      stop_(m);
      return 1;
    }
    const int q = queue_of_(&e->insn);
    if (q < 0) { /* a SYNC naming no queue: its check says why */
      uint32_t err = nc_hw_sync_check(&e->insn, &info);
      raise_(m, err, NC_HW_UNIT_FETCH, e->idx, info);
      return 1;
    }
    nc__unit_t *u = &m->unit[q];
    if (u->count == NC_HW_INSN_QUEUE_DEPTH) {
      break;
    }
    u->q[(u->head + u->count) % NC_HW_INSN_QUEUE_DEPTH] = *e;
    u->count++;
    consume_(m, e->idx);
    changed = 1;
  }
  if (busy_(m)) {
    fetch_issue_(m);
  }
  return changed;
}

/* ---- Units ---- */

/* Starts the head instruction of queue q if it may start now. Returns 1 when
 * it did (or raised an error). */
static int start_one_(nc_model_t *m, int q) {
  nc__unit_t *u = &m->unit[q];
  if (u->count == 0 || u->hung || u->free_at > m->now ||
      u->inflight >= nc__tm_depth(q)) {
    return 0;
  }
  const nc__entry_t e = u->q[u->head];
  const uint32_t unit = unit_of_queue_(q);
  const uint32_t op = nc_hw_insn_get_opcode(&e.insn);
  uint32_t info = 0;
  uint32_t err = nc_hw_insn_check(&e.insn, &info);
  if (err == NC_HW_ERR_NONE && op == NC_HW_OP_STORE) {
    err = nc__model_store_pool_check(m, &e.insn, &info);
  }
  if (err != NC_HW_ERR_NONE) {
    raise_(m, err, unit, e.idx, info);
    return 1;
  }
  /* Both pops wait until both counters are non-zero. */
  const int pp = nc_hw_insn_get_pop_prev(&e.insn) ? tok_pop_prev_(q) : -1;
  const int pn = nc_hw_insn_get_pop_next(&e.insn) ? tok_pop_next_(q) : -1;
  if ((pp >= 0 && m->tok[pp] == 0) || (pn >= 0 && m->tok[pn] == 0)) {
    return 0;
  }
  if (pp >= 0) {
    m->tok[pp]--;
  }
  if (pn >= 0) {
    m->tok[pn]--;
  }
  u->head = (u->head + 1) % NC_HW_INSN_QUEUE_DEPTH;
  u->count--;
  u->start = u->stall_until = m->now;
  if (m->fault == NC_FAULT_HANG && uses_memory_(op)) {
    u->hung = 1;
    u->hung_on = e;
    return 1;
  }
  nc__exec_t r;
  nc__model_exec(m, &e.insn, &r);
  if (r.err != NC_HW_ERR_NONE) {
    raise_(m, r.err, unit, e.idx, r.info);
    return 1;
  }
  /* The data moved at once; the timing rules say when (timing.h). */
  nc__tm_slot_t ts;
  nc__tm_insn(&m->tm, q, &e.insn, m->now, &ts);
  u->stall_until = ts.stall_until;
  u->free_at = ts.free_at;
  u->busy_until = max_(u->busy_until, ts.busy_until);
  const uint64_t done = ts.done;
  const nc__event_t ev = {
      .time = done,
      .start = m->now,
      .idx = e.idx,
      .q = (uint8_t)q,
      .opcode = (uint8_t)op,
      .push_prev = (uint8_t)nc_hw_insn_get_push_prev(&e.insn),
      .push_next = (uint8_t)nc_hw_insn_get_push_next(&e.insn),
  };
  ev_push_(m, ev);
  u->inflight++;
  m->last_progress = max_(m->last_progress, done);
  return 1;
}

static int start_units_(nc_model_t *m) {
  int changed = 0;
  for (int q = 0; q < NC__NQ && busy_(m); q++) {
    while (busy_(m) && start_one_(m, q)) {
      changed = 1;
    }
  }
  return changed;
}

/* Retires every completion due by now and lands an arrived fetch burst. */
static void process_events_(nc_model_t *m) {
  while (m->nev > 0 && m->ev[0].time <= m->now && busy_(m)) {
    const nc__event_t e = ev_pop_(m);
    const int q = e.q;
    m->unit[q].inflight--;
    const int pushes[2] = {e.push_prev ? tok_push_prev_(q) : -1,
                           e.push_next ? tok_push_next_(q) : -1};
    for (int i = 0; i < 2; i++) {
      if (pushes[i] < 0) {
        continue;
      }
      if (m->tok[pushes[i]] == TOKEN_MAX) {
        raise_(m, NC_HW_ERR_TOKEN_OVERFLOW, unit_of_queue_(q), e.idx, 0);
        return;
      }
      m->tok[pushes[i]]++;
    }
    trace_(m, e.idx, e.opcode, unit_of_queue_(q), e.start);
  }
  if (busy_(m) && m->fetch_inflight && !m->fetch_hung &&
      m->fetch_arrive <= m->now) {
    for (unsigned i = 0; i < m->fetch_n; i++) {
      m->fbuf[(m->fbuf_head + m->fbuf_count) % NC__TM_FETCH_BUF] =
          m->fetch_data[i];
      m->fbuf_count++;
    }
    m->fetch_inflight = 0;
  }
}

/* The earliest cycle after now at which something is scheduled. */
static uint64_t next_time_(const nc_model_t *m) {
  uint64_t t = m->nev > 0 ? m->ev[0].time : NC__NEVER;
  if (m->fetch_inflight && !m->fetch_hung) {
    t = min_(t, m->fetch_arrive);
  }
  for (int q = 0; q < NC__NQ; q++) {
    const nc__unit_t *u = &m->unit[q];
    if (u->count > 0 && !u->hung && u->free_at > m->now) {
      t = min_(t, u->free_at);
    }
  }
  return t;
}

/* Nothing is scheduled any more. Decides between deadlock (raised now),
 * a watchdog that will fire (returns its cycle), and a device that just
 * waits for the host to hand it more entries (returns NC__NEVER). */
static uint64_t quiet_(nc_model_t *m, int *fire) {
  int queued = -1, hung = -1;
  for (int q = NC__NQ - 1; q >= 0; q--) {
    if (m->unit[q].count > 0) {
      queued = q;
    }
    if (m->unit[q].hung) {
      hung = q;
    }
  }
  *fire = 0;
  if (hung < 0 && !m->fetch_hung && m->fbuf_count > 0) {
    /* Fetch holds an entry it cannot dispatch (a FINISH waiting for the
     * queues, or a full queue) and every queued head waits for a token that
     * no unit will push. */
    const nc__entry_t *e = queued >= 0
                               ? &m->unit[queued].q[m->unit[queued].head]
                               : &m->fbuf[m->fbuf_head];
    raise_(m, NC_HW_ERR_DEADLOCK, NC_HW_UNIT_FETCH, e->idx, 0);
    return NC__NEVER;
  }
  if (m->watchdog == 0 || (hung < 0 && !m->fetch_hung && queued < 0)) {
    return NC__NEVER; /* idle, waiting for RING_TAIL to move */
  }
  *fire = 1;
  return max_(m->now, sat_add_(m->last_progress, m->watchdog));
}

static void fire_watchdog_(nc_model_t *m) {
  for (int q = 0; q < NC__NQ; q++) {
    if (m->unit[q].hung) {
      raise_(m, NC_HW_ERR_WATCHDOG, unit_of_queue_(q), m->unit[q].hung_on.idx,
             0);
      return;
    }
  }
  if (m->fetch_hung) {
    raise_(m, NC_HW_ERR_WATCHDOG, NC_HW_UNIT_FETCH, m->fetch_ptr, 0);
    return;
  }
  for (int q = 0; q < NC__NQ; q++) {
    if (m->unit[q].count > 0) {
      const nc__unit_t *u = &m->unit[q];
      raise_(m, NC_HW_ERR_WATCHDOG, unit_of_queue_(q), u->q[u->head].idx, 0);
      return;
    }
  }
}

nc_status_t nc_model_run(nc_model_t *m, uint64_t max_cycles, int *busy) {
  if (m == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "model_run: NULL model");
  }
  const uint64_t end = sat_add_(m->now, max_cycles);
  while (busy_(m)) {
    process_events_(m);
    int changed = 1;
    while (changed && busy_(m)) {
      changed = dispatch_(m);
      changed |= busy_(m) ? start_units_(m) : 0;
    }
    if (!busy_(m)) {
      break;
    }
    uint64_t next = next_time_(m);
    int fire = 0;
    if (next == NC__NEVER) {
      next = quiet_(m, &fire);
      if (!busy_(m)) {
        break;
      }
    }
    if (next > end) {
      account_(m, m->now, end);
      m->now = end;
      break;
    }
    account_(m, m->now, next);
    m->now = next;
    if (fire) {
      fire_watchdog_(m);
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
  if (m->ring_size == 0 || (m->ring_base & 15u) != 0 ||
      m->ring_head >= m->ring_size || m->ring_tail >= m->ring_size) {
    m->status |= ST_BUSY; /* raise_ clears it again */
    raise_(m, NC_HW_ERR_RING_CONFIG, NC_HW_UNIT_FETCH, m->ring_head, 0);
    return;
  }
  stop_(m);
  m->status |= ST_BUSY;
  m->last_progress = m->now;
}

static uint32_t lo_(nc__ctr_t *c) {
  c->hi_snap = (uint32_t)(c->v >> 32);
  return (uint32_t)c->v;
}

static uint32_t status_(const nc_model_t *m) {
  uint32_t s = m->status;
  if (m->fetch_inflight || m->fbuf_count > 0) {
    s |= 1u << NC_HW_CSR_STATUS_FETCH_BUSY_SHIFT;
  }
  static const unsigned sh[NC__NQ] = {NC_HW_CSR_STATUS_LOAD_BUSY_SHIFT,
                                      NC_HW_CSR_STATUS_COMPUTE_BUSY_SHIFT,
                                      NC_HW_CSR_STATUS_STORE_BUSY_SHIFT};
  for (int q = 0; q < NC__NQ; q++) {
    const nc__unit_t *u = &m->unit[q];
    if (u->count > 0 || u->inflight > 0 || u->hung || u->free_at > m->now) {
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
      v = m->ring_size;
      break;
    case NC_HW_CSR_RING_HEAD_OFFSET:
      v = m->ring_head;
      break;
    case NC_HW_CSR_RING_TAIL_OFFSET:
      v = m->ring_tail;
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
      v = m->watchdog;
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
        raise_(m, NC_HW_ERR_HALTED, NC_HW_UNIT_NONE, m->ring_head, 0);
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
        m->ring_size = value;
      }
      break;
    case NC_HW_CSR_RING_HEAD_OFFSET:
      if (!busy) {
        m->ring_head = value;
        m->fetch_ptr = value;
      }
      break;
    case NC_HW_CSR_RING_TAIL_OFFSET:
      m->ring_tail = value;
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
      m->watchdog = value;
      break;
    case NC_HW_CSR_PERF_CTRL_OFFSET:
      m->perf_enable = value & NC_HW_CSR_PERF_CTRL_ENABLE_MASK;
      if (value & (1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT)) {
        perf_clear_(m);
      }
      break;
    default: /* read-only or unmapped */
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
  nc__tm_init(&m->tm, c.mem_latency, c.mem_bytes_per_cycle);
  m->spad = calloc((size_t)NC_HW_SPAD_ROWS * NC_HW_ROWS, 1);
  m->acc = calloc((size_t)NC_HW_ACC_ROWS * NC_HW_COLS, sizeof(uint32_t));
  m->param = calloc(NC_HW_PARAM_ENTRIES, sizeof(nc__param_t));
  m->tile = calloc((size_t)NC_HW_ACC_ROWS * NC_HW_COLS, sizeof(int32_t));
  m->ev_cap = NC__NQ * NC__MAX_INFLIGHT + 4;
  m->ev = calloc(m->ev_cap, sizeof(nc__event_t));
  if (m->spad == NULL || m->acc == NULL || m->param == NULL ||
      m->tile == NULL || m->ev == NULL) {
    nc_model_destroy(m);
    return nc__fail(NC_ERR_NOMEM, "model_create: out of memory");
  }
  m->watchdog = NC_HW_CSR_WATCHDOG_RESVAL;
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
  free(m->ev);
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
  return m == NULL ? 0 : m->now;
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
