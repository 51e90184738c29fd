/*
 * The accelerator's scheduler (neocog/sched.h): fetch, dispatch, the
 * dependency tokens, the units' acceptance and retirement, deadlock and the
 * watchdog, under the timing rules of neocog/timing.h.
 *
 * A unit whose next instruction may start (its tokens are there, it is
 * free) has the caller execute the whole instruction at once and books the
 * cycles the hardware would take; the instruction's tokens are pushed, and
 * it retires, when those cycles have passed. The three units therefore
 * overlap exactly as far as the tokens let them, and a run of a
 * million-cycle program costs only its events.
 */
#include "neocog/sched.h"

#include <string.h>

#define TOKEN_MAX ((1u << NC_HW_TOKEN_BITS) - 1u)

/* Token counters, one per direction between neighbouring queues. */
enum { TOK_L2C = 0, TOK_C2L, TOK_C2S, TOK_S2C };

/* ---- Small helpers ---- */

static uint64_t sat_add_(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t min_(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

static uint32_t unit_of_queue_(int q) {
  static const uint32_t u[NC__SCHED_NQ] = {NC_HW_UNIT_LOAD, NC_HW_UNIT_COMPUTE,
                                           NC_HW_UNIT_STORE};
  return u[q];
}

int nc__sched_queue_of(const nc_hw_insn_t *in) {
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
    case NC_HW_OP_LOAD_CFG:
      return NC_HW_QUEUE_LOAD;
    case NC_HW_OP_GEMM:
    case NC_HW_OP_DWCONV:
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
  return q == NC_HW_QUEUE_COMPUTE ? TOK_L2C
         : q == NC_HW_QUEUE_STORE ? TOK_C2S
                                  : -1;
}

static int tok_pop_next_(int q) {
  return q == NC_HW_QUEUE_LOAD      ? TOK_C2L
         : q == NC_HW_QUEUE_COMPUTE ? TOK_S2C
                                    : -1;
}

static int tok_push_prev_(int q) {
  return q == NC_HW_QUEUE_COMPUTE ? TOK_C2L
         : q == NC_HW_QUEUE_STORE ? TOK_S2C
                                  : -1;
}

static int tok_push_next_(int q) {
  return q == NC_HW_QUEUE_LOAD      ? TOK_L2C
         : q == NC_HW_QUEUE_COMPUTE ? TOK_C2S
                                    : -1;
}

/* ---- Events: a binary min-heap on (time, seq) ---- */

static int ev_less_(const nc__sched_event_t *a, const nc__sched_event_t *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void ev_push_(nc__sched_t *s, nc__sched_event_t e) {
  /* NC__SCHED_EVENTS covers nc__tm_depth() per unit, which start_one_
   * keeps. */
  unsigned i = s->nev++;
  e.seq = s->ev_seq++;
  s->ev[i] = e;
  while (i > 0) {
    unsigned p = (i - 1) / 2;
    if (!ev_less_(&s->ev[i], &s->ev[p])) {
      break;
    }
    nc__sched_event_t t = s->ev[p];
    s->ev[p] = s->ev[i];
    s->ev[i] = t;
    i = p;
  }
}

/* Moves event i down to its place after its time grew. */
static void ev_down_(nc__sched_t *s, unsigned i) {
  for (;;) {
    unsigned l = 2 * i + 1, r = l + 1, m = i;
    if (l < s->nev && ev_less_(&s->ev[l], &s->ev[m])) {
      m = l;
    }
    if (r < s->nev && ev_less_(&s->ev[r], &s->ev[m])) {
      m = r;
    }
    if (m == i) {
      break;
    }
    nc__sched_event_t t = s->ev[m];
    s->ev[m] = s->ev[i];
    s->ev[i] = t;
    i = m;
  }
}

static nc__sched_event_t ev_pop_(nc__sched_t *s) {
  nc__sched_event_t top = s->ev[0];
  s->ev[0] = s->ev[--s->nev];
  ev_down_(s, 0);
  return top;
}

/* Delays the STORE in flight by the cycles the LOADs booked during its
 * writes took from it (timing.h, nc__tm_share). */
static void store_push_(nc__sched_t *s) {
  const uint64_t d = s->tm.st_push;
  s->tm.st_push = 0;
  nc__sched_unit_t *u = &s->unit[NC_HW_QUEUE_STORE];
  for (unsigned i = 0; i < s->nev; i++) {
    if (s->ev[i].q == NC_HW_QUEUE_STORE && s->ev[i].opcode == NC_HW_OP_STORE) {
      s->ev[i].time += d;
      u->free_at += d;
      u->busy_until += d;
      s->tm.qdone[NC_HW_QUEUE_STORE] += d;
      s->last_progress = nc__tm_max(s->last_progress, s->ev[i].time);
      ev_down_(s, i);
      return;
    }
  }
}

/* Delays the load unit's instructions in flight that complete after
 * ld_push_at by the cycles a STORE's writes took from their reads
 * (timing.h, nc__tm_share_w). */
static void load_push_(nc__sched_t *s) {
  const uint64_t d = s->tm.ld_push, at = s->tm.ld_push_at;
  s->tm.ld_push = s->tm.ld_push_at = 0;
  nc__sched_unit_t *u = &s->unit[NC_HW_QUEUE_LOAD];
  int moved = 0;
  for (unsigned i = 0; i < s->nev; i++) {
    if (s->ev[i].q == NC_HW_QUEUE_LOAD && s->ev[i].time > at) {
      s->ev[i].time += d;
      s->last_progress = nc__tm_max(s->last_progress, s->ev[i].time);
      moved = 1;
    }
  }
  if (!moved) {
    return;
  }
  u->busy_until += u->busy_until > at ? d : 0;
  s->tm.qdone[NC_HW_QUEUE_LOAD] += s->tm.qdone[NC_HW_QUEUE_LOAD] > at ? d : 0;
  for (unsigned i = s->nev / 2; i-- > 0;) {
    ev_down_(s, i);
  }
}

/* ---- Stopping, errors, reset ---- */

void nc__sched_stop(nc__sched_t *s) {
  s->running = 0;
  s->fbuf_head = s->fbuf_count = 0;
  s->fetch_inflight = s->fetch_hung = 0;
  s->fetch_ptr = s->head;
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    nc__sched_unit_t *u = &s->unit[q];
    u->head = u->count = 0;
    u->inflight = 0;
    u->hung = 0;
    u->start = u->stall_until = u->free_at = u->busy_until = s->now;
  }
  s->nev = 0;
  nc__tm_restart(&s->tm, s->now);
}

void nc__sched_reset(nc__sched_t *s) {
  nc__sched_stop(s);
  memset(s->tok, 0, sizeof s->tok);
  nc__tm_reset_cfg(&s->tm);
}

void nc__sched_init(nc__sched_t *s, const nc__sched_ops_t *ops, void *ctx,
                    uint64_t latency, uint64_t bw) {
  memset(s, 0, sizeof *s);
  s->ops = ops;
  s->ctx = ctx;
  nc__tm_init(&s->tm, latency, bw);
  nc__sched_reset(s);
}

void nc__sched_start(nc__sched_t *s) {
  nc__sched_stop(s);
  s->running = 1;
  s->last_progress = s->now;
}

/* Raises an error through the caller and stops. */
static void fail_(nc__sched_t *s, uint32_t code, uint32_t unit, uint32_t idx,
                  uint32_t info) {
  s->ops->raise(s->ctx, code, unit, idx, info);
  nc__sched_stop(s);
}

int nc__sched_unit_busy(const nc__sched_t *s, int q) {
  const nc__sched_unit_t *u = &s->unit[q];
  return u->count > 0 || u->inflight > 0 || u->hung || u->free_at > s->now;
}

/* ---- Fetch and dispatch ---- */

/* Reads the next burst of ring entries if fetch is idle, there are any and
 * the buffer has room (it holds two bursts, so fetch runs ahead). */
static void fetch_issue_(nc__sched_t *s) {
  if (s->fetch_inflight || s->fbuf_count >= NC__TM_FETCH_BUF ||
      s->fetch_ptr == s->tail) {
    return;
  }
  if (s->tail >= s->size) {
    fail_(s, NC_HW_ERR_RING_CONFIG, NC_HW_UNIT_FETCH, s->fetch_ptr, 0);
    return;
  }
  const uint32_t ptr = s->fetch_ptr;
  uint32_t n = s->tail > ptr ? s->tail - ptr : s->size - ptr;
  n = n > NC__SCHED_FETCH_MAX ? NC__SCHED_FETCH_MAX : n;
  n = n > NC__TM_FETCH_BUF - s->fbuf_count ? NC__TM_FETCH_BUF - s->fbuf_count
                                           : n;
  const uint32_t err = s->ops->fetch(s->ctx, ptr, n, s->fetch_data);
  if (err != NC_HW_ERR_NONE && err != NC__SCHED_HANG) {
    fail_(s, err, NC_HW_UNIT_FETCH, ptr, 0);
    return;
  }
  s->fetch_inflight = 1;
  if (err == NC__SCHED_HANG) {
    s->fetch_hung = 1;
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    s->fetch_data[i].idx = ptr + i;
  }
  s->fetch_n = n;
  s->fetch_arrive = nc__tm_fetch(&s->tm, s->now, n);
  s->last_progress = nc__tm_max(s->last_progress, s->fetch_arrive);
  s->fetch_ptr = ptr + n == s->size ? 0 : ptr + n;
}

static int drained_(const nc__sched_t *s) {
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    if (nc__sched_unit_busy(s, q)) {
      return 0;
    }
  }
  return 1;
}

static void consume_(nc__sched_t *s, uint32_t idx) {
  s->head = idx + 1 >= s->size ? 0 : idx + 1;
  s->fbuf_head = (s->fbuf_head + 1) % NC__TM_FETCH_BUF;
  s->fbuf_count--;
}

/* Moves fetched entries to their queues, in order, while there is room.
 * Fetch checks the opcode, FINISH and a SYNC's target. Returns 1 when
 * anything changed. */
static int dispatch_(nc__sched_t *s) {
  int changed = 0;
  while (s->fbuf_count > 0 && s->running) {
    const nc__sched_entry_t *e = &s->fbuf[s->fbuf_head];
    const uint32_t op = nc_hw_insn_get_opcode(&e->insn);
    uint32_t info = 0;
    if (op == NC_HW_OP_ILLEGAL || op > NC_HW_OP_DWCONV) { /* the highest */
      fail_(s, NC_HW_ERR_ILLEGAL_OPCODE, NC_HW_UNIT_FETCH, e->idx, 0);
      return 1;
    }
    if (op == NC_HW_OP_FINISH) {
      uint32_t err = nc_hw_finish_check(&e->insn, &info);
      if (err != NC_HW_ERR_NONE) {
        fail_(s, err, NC_HW_UNIT_FETCH, e->idx, info);
        return 1;
      }
      if (!drained_(s)) {
        break;
      }
      const uint32_t idx = e->idx;
      consume_(s, idx);
      s->ops->retire(s->ctx, idx, op, NC_HW_UNIT_FETCH, s->now, s->now);
      /* Entries fetched past the FINISH are fetched again at START. */
      nc__sched_stop(s);
      s->finished = 1;
      return 1;
    }
    const int q = nc__sched_queue_of(&e->insn);
    if (q < 0) { /* a SYNC naming no queue: its check says why */
      uint32_t err = nc_hw_sync_check(&e->insn, &info);
      fail_(s, err, NC_HW_UNIT_FETCH, e->idx, info);
      return 1;
    }
    nc__sched_unit_t *u = &s->unit[q];
    if (u->count == NC_HW_INSN_QUEUE_DEPTH) {
      break;
    }
    u->q[(u->head + u->count) % NC_HW_INSN_QUEUE_DEPTH] = *e;
    u->count++;
    consume_(s, e->idx);
    changed = 1;
  }
  if (s->running) {
    fetch_issue_(s);
  }
  return changed;
}

/* ---- Units ---- */

/* Starts the head instruction of queue q if it may start now. Returns 1 when
 * it did (or raised an error). */
static int start_one_(nc__sched_t *s, int q) {
  nc__sched_unit_t *u = &s->unit[q];
  if (u->count == 0 || u->hung || u->free_at > s->now ||
      u->inflight >= nc__tm_depth(q)) {
    return 0;
  }
  /* Stays in place until a later dispatch, after this function. */
  const nc__sched_entry_t *e = &u->q[u->head];
  const uint32_t unit = unit_of_queue_(q);
  uint32_t info = 0;
  uint32_t err = s->ops->check != NULL ? s->ops->check(s->ctx, &e->insn, &info)
                                       : NC_HW_ERR_NONE;
  if (err != NC_HW_ERR_NONE) {
    fail_(s, err, unit, e->idx, info);
    return 1;
  }
  /* Both pops wait until both counters are non-zero. */
  const int pp = nc_hw_insn_get_pop_prev(&e->insn) ? tok_pop_prev_(q) : -1;
  const int pn = nc_hw_insn_get_pop_next(&e->insn) ? tok_pop_next_(q) : -1;
  if ((pp >= 0 && s->tok[pp] == 0) || (pn >= 0 && s->tok[pn] == 0)) {
    return 0;
  }
  if (pp >= 0) {
    s->tok[pp]--;
  }
  if (pn >= 0) {
    s->tok[pn]--;
  }
  u->head = (u->head + 1) % NC_HW_INSN_QUEUE_DEPTH;
  u->count--;
  u->start = u->stall_until = s->now;
  info = 0;
  err = s->ops->exec(s->ctx, &e->insn, &info);
  if (err == NC__SCHED_HANG) {
    u->hung = 1;
    u->hung_on = *e;
    return 1;
  }
  if (err != NC_HW_ERR_NONE) {
    fail_(s, err, unit, e->idx, info);
    return 1;
  }
  /* The effects happened at once; the timing rules say when (timing.h). */
  nc__tm_slot_t ts;
  nc__tm_insn(&s->tm, q, &e->insn, s->now, &ts);
  if (s->tm.st_push > 0) {
    store_push_(s);
  }
  if (s->tm.ld_push > 0) {
    load_push_(s);
  }
  u->stall_until = ts.stall_until;
  u->free_at = ts.free_at;
  u->busy_until = nc__tm_max(u->busy_until, ts.busy_until);
  const nc__sched_event_t ev = {
      .time = ts.done,
      .start = s->now,
      .idx = e->idx,
      .q = (uint8_t)q,
      .opcode = (uint8_t)nc_hw_insn_get_opcode(&e->insn),
      .push_prev = (uint8_t)nc_hw_insn_get_push_prev(&e->insn),
      .push_next = (uint8_t)nc_hw_insn_get_push_next(&e->insn),
  };
  ev_push_(s, ev);
  u->inflight++;
  s->last_progress = nc__tm_max(s->last_progress, ts.done);
  return 1;
}

static int start_units_(nc__sched_t *s) {
  int changed = 0;
  for (int q = 0; q < NC__SCHED_NQ && s->running; q++) {
    while (s->running && start_one_(s, q)) {
      changed = 1;
    }
  }
  return changed;
}

/* Retires every completion due by now and lands an arrived fetch burst. */
static void process_events_(nc__sched_t *s) {
  while (s->nev > 0 && s->ev[0].time <= s->now && s->running) {
    const nc__sched_event_t e = ev_pop_(s);
    const int q = e.q;
    s->unit[q].inflight--;
    const int pushes[2] = {e.push_prev ? tok_push_prev_(q) : -1,
                           e.push_next ? tok_push_next_(q) : -1};
    for (int i = 0; i < 2; i++) {
      if (pushes[i] < 0) {
        continue;
      }
      if (s->tok[pushes[i]] == TOKEN_MAX) {
        fail_(s, NC_HW_ERR_TOKEN_OVERFLOW, unit_of_queue_(q), e.idx, 0);
        return;
      }
      s->tok[pushes[i]]++;
    }
    s->ops->retire(s->ctx, e.idx, e.opcode, unit_of_queue_(q), e.start, s->now);
  }
  if (s->running && s->fetch_inflight && !s->fetch_hung &&
      s->fetch_arrive <= s->now) {
    for (unsigned i = 0; i < s->fetch_n; i++) {
      s->fbuf[(s->fbuf_head + s->fbuf_count) % NC__TM_FETCH_BUF] =
          s->fetch_data[i];
      s->fbuf_count++;
    }
    s->fetch_inflight = 0;
  }
}

/* The earliest cycle after now at which something is scheduled. */
static uint64_t next_time_(const nc__sched_t *s) {
  uint64_t t = s->nev > 0 ? s->ev[0].time : NC__SCHED_NEVER;
  if (s->fetch_inflight && !s->fetch_hung) {
    t = min_(t, s->fetch_arrive);
  }
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    const nc__sched_unit_t *u = &s->unit[q];
    if (u->count > 0 && !u->hung && u->free_at > s->now) {
      t = min_(t, u->free_at);
    }
  }
  return t;
}

/* Nothing is scheduled any more. Decides between deadlock (raised now),
 * a watchdog that will fire (returns its cycle), and a device that just
 * waits for the host to hand it more entries (returns NC__SCHED_NEVER). */
static uint64_t quiet_(nc__sched_t *s, int *fire) {
  int queued = -1, hung = -1;
  for (int q = NC__SCHED_NQ - 1; q >= 0; q--) {
    if (s->unit[q].count > 0) {
      queued = q;
    }
    if (s->unit[q].hung) {
      hung = q;
    }
  }
  *fire = 0;
  if (hung < 0 && !s->fetch_hung && s->fbuf_count > 0) {
    /* Fetch holds an entry it cannot dispatch (a FINISH waiting for the
     * queues, or a full queue) and every queued head waits for a token that
     * no unit will push. */
    const nc__sched_entry_t *e = queued >= 0
                                     ? &s->unit[queued].q[s->unit[queued].head]
                                     : &s->fbuf[s->fbuf_head];
    fail_(s, NC_HW_ERR_DEADLOCK, NC_HW_UNIT_FETCH, e->idx, 0);
    return NC__SCHED_NEVER;
  }
  if (s->watchdog == 0 || (hung < 0 && !s->fetch_hung && queued < 0)) {
    return NC__SCHED_NEVER; /* idle, waiting for the ring's tail to move */
  }
  *fire = 1;
  return nc__tm_max(s->now, sat_add_(s->last_progress, s->watchdog));
}

static void fire_watchdog_(nc__sched_t *s) {
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    if (s->unit[q].hung) {
      fail_(s, NC_HW_ERR_WATCHDOG, unit_of_queue_(q), s->unit[q].hung_on.idx,
            0);
      return;
    }
  }
  if (s->fetch_hung) {
    fail_(s, NC_HW_ERR_WATCHDOG, NC_HW_UNIT_FETCH, s->fetch_ptr, 0);
    return;
  }
  for (int q = 0; q < NC__SCHED_NQ; q++) {
    if (s->unit[q].count > 0) {
      const nc__sched_unit_t *u = &s->unit[q];
      fail_(s, NC_HW_ERR_WATCHDOG, unit_of_queue_(q), u->q[u->head].idx, 0);
      return;
    }
  }
}

static void advance_(nc__sched_t *s, uint64_t to) {
  if (s->ops->account != NULL) {
    s->ops->account(s->ctx, s->now, to);
  }
  s->now = to;
}

nc__sched_why_t nc__sched_run(nc__sched_t *s, uint64_t end) {
  s->finished = 0;
  while (s->running) {
    process_events_(s);
    int changed = 1;
    while (changed && s->running) {
      changed = dispatch_(s);
      changed |= s->running ? start_units_(s) : 0;
    }
    if (!s->running) {
      break;
    }
    uint64_t next = next_time_(s);
    int fire = 0, idle = 0;
    if (next == NC__SCHED_NEVER) {
      next = quiet_(s, &fire);
      if (!s->running) {
        break;
      }
      idle = !fire;
    }
    if (idle || next > end) {
      advance_(s, end);
      return idle ? NC__SCHED_IDLE : NC__SCHED_PAUSED;
    }
    advance_(s, next);
    if (fire) {
      fire_watchdog_(s);
    }
  }
  return s->finished ? NC__SCHED_FINISHED : NC__SCHED_STOPPED;
}
