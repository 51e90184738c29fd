/*
 * The planner's cycle predictor: a replay of an instruction stream under
 * the timing rules of base/include/neocog/timing.h (the RTL's costs, which the
 * functional model's estimate follows too), without any data. It has the
 * model's structure: fetch bursts of up to 16 entries into a buffer of two
 * bursts over the shared memory port, dispatch in ring order into queues of
 * NC_HW_INSN_QUEUE_DEPTH, units that accept their head instruction when its
 * tokens are there and they have room, and the rules of timing.h for what
 * each instruction then costs. A FINISH inside the stream waits for every
 * queue to drain; the device's busy-cycle counter does not run while the
 * host restarts it, so neither does the replay.
 *
 * The search ranks configurations with it, and the runtime reports its
 * total as predicted_cycles next to what the backend measures.
 */
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "host/plan_internal.h"
#include "neocog/timing.h"

#define NQ 3
#define FETCH_MAX 16
#define FBUF NC__TM_FETCH_BUF

enum { T_L2C, T_C2L, T_C2S, T_S2C };

typedef struct {
  uint64_t time, seq, start, idx;
  int q, push_prev, push_next;
} ev_t;

typedef struct {
  size_t q[NC_HW_INSN_QUEUE_DEPTH];
  unsigned head, count;
  uint64_t free_at;
  unsigned inflight;
} unit_t;

typedef struct {
  const iprog_t *p;
  const nc_plan_caps_t *caps;
  nc_plan_event_t *out;
  uint64_t now, seq;
  size_t fetch_ptr, fetch_next, fbuf_head, fbuf_count, fetch_n;
  int fetch_inflight;
  uint64_t fetch_arrive;
  size_t fbuf[FBUF];
  nc__tm_t tm;
  unit_t u[NQ];
  uint64_t tok[4];
  ev_t *ev;
  size_t nev, cap;
  /* Store-path state the bytes a STORE writes depend on. */
  uint32_t st_fmt, st_pool, st_kh, st_kw, st_sh, st_sw;
  plan_replay_t r;
  int done, running;
} rp_t;

static int ev_less_(const ev_t *a, const ev_t *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int ev_push_(rp_t *r, ev_t e) {
  if (r->nev == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    ev_t *v = realloc(r->ev, cap * sizeof *v);
    if (v == NULL) {
      return -1;
    }
    r->ev = v;
    r->cap = cap;
  }
  size_t i = r->nev++;
  r->ev[i] = e;
  while (i > 0 && ev_less_(&r->ev[i], &r->ev[(i - 1) / 2])) {
    ev_t t = r->ev[i];
    r->ev[i] = r->ev[(i - 1) / 2];
    r->ev[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
  return 0;
}

static ev_t ev_pop_(rp_t *r) {
  ev_t top = r->ev[0];
  r->ev[0] = r->ev[--r->nev];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < r->nev && ev_less_(&r->ev[l], &r->ev[m])) {
      m = l;
    }
    if (l + 1 < r->nev && ev_less_(&r->ev[l + 1], &r->ev[m])) {
      m = l + 1;
    }
    if (m == i) {
      break;
    }
    ev_t t = r->ev[i];
    r->ev[i] = r->ev[m];
    r->ev[m] = t;
    i = m;
  }
  return top;
}

static int queue_of_(const nc_hw_insn_t *i) {
  switch (nc_hw_insn_get_opcode(i)) {
    case NC_HW_OP_LOAD:
    case NC_HW_OP_LOAD_CFG:
      return NC_HW_QUEUE_LOAD;
    case NC_HW_OP_GEMM:
      return NC_HW_QUEUE_COMPUTE;
    case NC_HW_OP_SYNC:
      return (int)nc_hw_sync_get_target(i);
    default:
      return NC_HW_QUEUE_STORE;
  }
}

static uint32_t unit_of_(int q) {
  return q == NC_HW_QUEUE_LOAD      ? NC_HW_UNIT_LOAD
         : q == NC_HW_QUEUE_COMPUTE ? NC_HW_UNIT_COMPUTE
                                    : NC_HW_UNIT_STORE;
}

static int tok_pop_prev_(int q) {
  return q == NC_HW_QUEUE_COMPUTE ? T_L2C : T_C2S;
}
static int tok_pop_next_(int q) {
  return q == NC_HW_QUEUE_LOAD ? T_C2L : T_S2C;
}
static int tok_push_prev_(int q) {
  return q == NC_HW_QUEUE_COMPUTE ? T_C2L : T_S2C;
}
static int tok_push_next_(int q) {
  return q == NC_HW_QUEUE_LOAD ? T_L2C : T_C2S;
}

static void record_(rp_t *r, size_t idx, uint32_t unit, uint64_t start) {
  if (r->out != NULL) {
    nc_plan_event_t *e = &r->out[idx];
    e->index = idx;
    e->opcode = nc_hw_insn_get_opcode(&r->p->v[idx]);
    e->unit = unit;
    e->start = start;
    e->end = r->now;
  }
}

static int drained_(const rp_t *r) {
  for (int q = 0; q < NQ; q++) {
    const unit_t *u = &r->u[q];
    if (u->count > 0 || u->inflight > 0 || u->free_at > r->now) {
      return 0;
    }
  }
  return 1;
}

/* Fetch reads ahead while its buffer has room (the model's rule). */
static void fetch_issue_(rp_t *r) {
  if (r->fetch_inflight || r->fbuf_count >= FBUF || r->fetch_next >= r->p->n) {
    return;
  }
  size_t n = r->p->n - r->fetch_next;
  n = n > FETCH_MAX ? FETCH_MAX : n;
  n = n > FBUF - r->fbuf_count ? FBUF - r->fbuf_count : n;
  r->fetch_arrive = nc__tm_fetch(&r->tm, r->now, n);
  r->fetch_inflight = 1;
  r->fetch_n = n;
  r->r.rd_bytes += (uint64_t)n * NC_HW_INSN_BYTES;
}

static void restart_(rp_t *r) {
  /* The driver restarts fetch after a FINISH: fresh units, same cycle.
   * What fetch read past the FINISH is read again. */
  r->fbuf_count = r->fbuf_head = 0;
  r->fetch_inflight = 0;
  r->fetch_next = r->fetch_ptr;
  for (int q = 0; q < NQ; q++) {
    r->u[q].free_at = r->now;
  }
  nc__tm_restart(&r->tm, r->now);
}

static int dispatch_(rp_t *r) {
  int changed = 0;
  while (r->fbuf_count > 0 && r->running) {
    const size_t idx = r->fbuf[r->fbuf_head];
    const nc_hw_insn_t *in = &r->p->v[idx];
    if (nc_hw_insn_get_opcode(in) == NC_HW_OP_FINISH) {
      if (!drained_(r)) {
        break;
      }
      r->fbuf_head = (r->fbuf_head + 1) % FBUF;
      r->fbuf_count--;
      r->fetch_ptr = idx + 1;
      record_(r, idx, NC_HW_UNIT_FETCH, r->now);
      if (idx + 1 >= r->p->n) {
        r->running = 0;
        r->done = 1;
      } else {
        restart_(r);
      }
      return 1;
    }
    unit_t *u = &r->u[queue_of_(in)];
    if (u->count == NC_HW_INSN_QUEUE_DEPTH) {
      break;
    }
    u->q[(u->head + u->count) % NC_HW_INSN_QUEUE_DEPTH] = idx;
    u->count++;
    r->fbuf_head = (r->fbuf_head + 1) % FBUF;
    r->fbuf_count--;
    r->fetch_ptr = idx + 1;
    changed = 1;
  }
  if (r->running) {
    fetch_issue_(r);
  }
  return changed;
}

/* Bytes an instruction moves and MACs it performs (the counters the model
 * keeps); tracks the STORE_CFG fields STORE's bytes depend on. */
static void count_(rp_t *r, const nc_hw_insn_t *in) {
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_STORE_CFG:
      r->st_fmt = nc_hw_store_cfg_get_out_fmt(in);
      r->st_pool = nc_hw_store_cfg_get_pool_op(in);
      r->st_kh = nc_hw_store_cfg_get_pool_kh(in);
      r->st_kw = nc_hw_store_cfg_get_pool_kw(in);
      r->st_sh = nc_hw_store_cfg_get_pool_sh(in);
      r->st_sw = nc_hw_store_cfg_get_pool_sw(in);
      break;
    case NC_HW_OP_LOAD:
      r->r.rd_bytes += (uint64_t)nc_hw_load_get_elems(in) *
                       nc_hw_load_get_x_size(in) * nc_hw_load_get_y_size(in) *
                       nc_hw_load_get_z_size(in);
      break;
    case NC_HW_OP_STORE: {
      const int pool = r->st_pool != NC_HW_POOL_NONE;
      const uint64_t yn = nc_hw_store_get_y_size(in);
      const uint64_t xn = nc_hw_store_get_x_size(in);
      const uint64_t kh = pool ? r->st_kh : 1, kw = pool ? r->st_kw : 1;
      const uint64_t sh = pool ? r->st_sh : 1, sw = pool ? r->st_sw : 1;
      const uint64_t oh = (yn + nc_hw_store_get_pool_pad_top(in) +
                           nc_hw_store_get_pool_pad_bottom(in) - kh) /
                              sh +
                          1;
      const uint64_t ow = (xn + nc_hw_store_get_pool_pad_left(in) +
                           nc_hw_store_get_pool_pad_right(in) - kw) /
                              sw +
                          1;
      r->r.wr_bytes += oh * ow * nc_hw_store_get_n_cols(in) *
                       (r->st_fmt == NC_HW_OUT_INT8 ? 1u : 4u);
      break;
    }
    case NC_HW_OP_LOAD_PARAM:
      r->r.rd_bytes +=
          (uint64_t)nc_hw_load_param_get_count(in) * NC_HW_QPARAM_BYTES;
      break;
    case NC_HW_OP_GEMM:
      r->r.array_macs += (uint64_t)nc_hw_gemm_get_loop_out(in) *
                         nc_hw_gemm_get_loop_in(in) * NC_HW_ROWS * NC_HW_COLS;
      break;
    default:
      break;
  }
}

static int start_one_(rp_t *r, int q) {
  unit_t *u = &r->u[q];
  if (u->count == 0 || u->free_at > r->now || u->inflight >= nc__tm_depth(q)) {
    return 0;
  }
  const size_t idx = u->q[u->head];
  const nc_hw_insn_t *in = &r->p->v[idx];
  const int pp = nc_hw_insn_get_pop_prev(in) ? tok_pop_prev_(q) : -1;
  const int pn = nc_hw_insn_get_pop_next(in) ? tok_pop_next_(q) : -1;
  if ((pp >= 0 && r->tok[pp] == 0) || (pn >= 0 && r->tok[pn] == 0)) {
    return 0;
  }
  if (pp >= 0) {
    r->tok[pp]--;
  }
  if (pn >= 0) {
    r->tok[pn]--;
  }
  u->head = (u->head + 1) % NC_HW_INSN_QUEUE_DEPTH;
  u->count--;
  count_(r, in);
  nc__tm_slot_t ts;
  nc__tm_insn(&r->tm, q, in, r->now, &ts);
  u->free_at = ts.free_at;
  const uint64_t done = ts.done;
  ev_t e = {done,
            r->seq++,
            r->now,
            idx,
            q,
            (int)nc_hw_insn_get_push_prev(in),
            (int)nc_hw_insn_get_push_next(in)};
  if (ev_push_(r, e) != 0) {
    return -1;
  }
  u->inflight++;
  return 1;
}

static void events_(rp_t *r) {
  while (r->nev > 0 && r->ev[0].time <= r->now) {
    const ev_t e = ev_pop_(r);
    r->u[e.q].inflight--;
    if (e.push_prev) {
      r->tok[tok_push_prev_(e.q)]++;
    }
    if (e.push_next) {
      r->tok[tok_push_next_(e.q)]++;
    }
    record_(r, e.idx, unit_of_(e.q), e.start);
  }
  if (r->fetch_inflight && r->fetch_arrive <= r->now) {
    for (size_t i = 0; i < r->fetch_n; i++) {
      r->fbuf[(r->fbuf_head + r->fbuf_count) % FBUF] = r->fetch_next + i;
      r->fbuf_count++;
    }
    r->fetch_next += r->fetch_n;
    r->fetch_inflight = 0;
  }
}

nc_status_t nc__plan_replay(const iprog_t *prog, const nc_plan_caps_t *caps,
                            nc_plan_event_t *ev, plan_replay_t *out) {
  rp_t r;
  memset(&r, 0, sizeof r);
  r.p = prog;
  r.caps = caps;
  nc__tm_init(&r.tm, caps->mem_latency, caps->mem_bytes_per_cycle);
  r.out = ev;
  r.running = prog->n > 0;
  r.done = prog->n == 0;
  while (r.running) {
    events_(&r);
    int changed = 1;
    while (changed && r.running) {
      changed = dispatch_(&r);
      for (int q = 0; q < NQ && r.running; q++) {
        int s;
        while ((s = start_one_(&r, q)) > 0) {
          changed = 1;
        }
        if (s < 0) {
          free(r.ev);
          return nc__fail(NC_ERR_NOMEM, "plan: out of memory in the replay");
        }
      }
    }
    if (!r.running) {
      break;
    }
    uint64_t next = UINT64_MAX;
    if (r.nev > 0) {
      next = r.ev[0].time;
    }
    if (r.fetch_inflight && r.fetch_arrive < next) {
      next = r.fetch_arrive;
    }
    for (int q = 0; q < NQ; q++) {
      if (r.u[q].count > 0 && r.u[q].free_at > r.now && r.u[q].free_at < next) {
        next = r.u[q].free_at;
      }
    }
    if (next == UINT64_MAX) {
      free(r.ev);
      return nc__fail(NC_ERR_INTERNAL,
                      "plan: the program deadlocks at cycle %llu (a token "
                      "no instruction pushes)",
                      (unsigned long long)r.now);
    }
    r.now = next;
  }
  free(r.ev);
  r.r.cycles = r.now;
  *out = r.r;
  return NC_OK;
}

nc_status_t nc_plan_replay(const nc_hw_insn_t *insns, size_t n,
                           const nc_plan_caps_t *caps, nc_plan_replay_t *out) {
  if (insns == NULL || n == 0 || caps == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "nc_plan_replay: %s", n == 0 ? "no instructions"
                                                 : "NULL argument");
  }
  /* The replay only reads the stream. */
  const iprog_t prog = {(nc_hw_insn_t *)(uintptr_t)insns, n, n, 0};
  plan_replay_t r;
  const nc_status_t st = nc__plan_replay(&prog, caps, NULL, &r);
  if (st == NC_OK) {
    out->cycles = r.cycles;
    out->rd_bytes = r.rd_bytes;
    out->wr_bytes = r.wr_bytes;
    out->array_macs = r.array_macs;
  }
  return st;
}
