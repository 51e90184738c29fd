/*
 * The planner's cost model and the functional model run one scheduler
 * (base/include/neocog/sched.h), so for any legal stream nc_plan_replay()
 * predicts exactly the cycles, DRAM bytes and MACs the model counts. Random
 * streams of every instruction kind, with random dependency tokens, CFG
 * state, memory latencies and bandwidths, and FINISHes inside the stream,
 * run on both; any difference is a drift between the two.
 */
#include "neocog/plan.h"
#include "neocog/rng.h"
#include "testkit/rig.h"
#include "tests/common.h"

/* Window layout: legal qparam records, what LOADs read, what STOREs write. */
#define PRM_OFF 0x1000u
#define PRM_RECS 128u
#define LD_OFF 0x10000u
#define ST_OFF 0x100000u

/* Token counters, as the queues' flags name them. */
enum { T_L2C, T_C2L, T_C2S, T_S2C };

/* Tokens one counter holds at most (far below its 8 bits). */
#define TOK_CAP 8

/* A random stream under construction, with the state its legality depends
 * on. */
typedef struct {
  nc_rng_t *g;
  prog_t *p;
  int tok[4]; /* pushed minus popped so far, in stream order */
  uint32_t ld_xs, ld_ys, ld_zs; /* the last LOAD_CFG */
  stc_t st;                     /* the last STORE_CFG */
} gen_t;

static uint32_t rnd_(gen_t *s, int64_t lo, int64_t hi) {
  return (uint32_t)nc_rng_range(s->g, lo, hi);
}

/* 1 with probability 1/n. */
static int one_in_(gen_t *s, int n) {
  return nc_rng_range(s->g, 1, n) == 1;
}

/* Dependency flags for an instruction of queue q. A pop only takes a token
 * an earlier instruction pushes, so the earliest unfinished instruction can
 * always run: the stream never deadlocks. */
static unsigned flags_(gen_t *s, int q) {
  static const int pop_prev[3] = {-1, T_L2C, T_C2S};
  static const int pop_next[3] = {T_C2L, T_S2C, -1};
  static const int push_prev[3] = {-1, T_C2L, T_S2C};
  static const int push_next[3] = {T_L2C, T_C2S, -1};
  unsigned f = 0;
  if (pop_prev[q] >= 0 && s->tok[pop_prev[q]] > 0 && one_in_(s, 2)) {
    s->tok[pop_prev[q]]--;
    f |= PP;
  }
  if (pop_next[q] >= 0 && s->tok[pop_next[q]] > 0 && one_in_(s, 2)) {
    s->tok[pop_next[q]]--;
    f |= PN;
  }
  if (push_prev[q] >= 0 && s->tok[push_prev[q]] < TOK_CAP && one_in_(s, 3)) {
    s->tok[push_prev[q]]++;
    f |= UP;
  }
  if (push_next[q] >= 0 && s->tok[push_next[q]] < TOK_CAP && one_in_(s, 3)) {
    s->tok[push_next[q]]++;
    f |= UN;
  }
  return f;
}

static void load_cfg_(gen_t *s) {
  static const uint32_t xs[4] = {16, 32, 64, 0};
  s->ld_xs = xs[rnd_(s, 0, 3)];
  s->ld_xs = s->ld_xs ? s->ld_xs : rnd_(s, 1, 16);
  s->ld_ys = one_in_(s, 2) ? s->ld_xs * rnd_(s, 1, 32) : rnd_(s, 0, 4096);
  s->ld_zs = rnd_(s, 0, 16384);
  p_load_cfg(s->p, s->ld_xs, s->ld_ys, s->ld_zs, (int)rnd_(s, 0, 255),
             flags_(s, NC_HW_QUEUE_LOAD));
}

/* At most 31 * 64 + 3 * 32 * 64 + 2 * 16384 bytes past dram: inside the
 * window. */
static void load_(gen_t *s) {
  ld_t a = {.elems = rnd_(s, 1, NC_HW_ROWS),
            .x = rnd_(s, 1, 32),
            .y = rnd_(s, 1, 4),
            .z = rnd_(s, 1, 3)};
  if (one_in_(s, 3)) {
    a.pt = rnd_(s, 0, 2);
    a.pb = rnd_(s, 0, 2);
    a.pl = rnd_(s, 0, 2);
    a.pr = rnd_(s, 0, 2);
  }
  if (one_in_(s, 2)) {
    a.elems = s->ld_xs >= 1 && s->ld_xs <= NC_HW_ROWS ? s->ld_xs : a.elems;
  }
  const uint32_t rows = a.z * (a.pt + a.y + a.pb) * (a.pl + a.x + a.pr);
  a.sram = rnd_(s, 0, NC_HW_SPAD_ROWS - rows);
  a.dram = rnd_(s, LD_OFF, LD_OFF + 0x20000);
  p_load(s->p, a, flags_(s, NC_HW_QUEUE_LOAD));
}

static void gemm_(gen_t *s) {
  gm_t a = {.lo = rnd_(s, 1, 8),
            .li = rnd_(s, 1, 32),
            .iso = rnd_(s, 0, 64),
            .isi = rnd_(s, 0, 4),
            .aso = rnd_(s, 0, 64),
            .asi = rnd_(s, 0, 2),
            .keep = one_in_(s, 4),
            .accum = one_in_(s, 2)};
  a.wgt = a.keep ? 0 : rnd_(s, 0, NC_HW_SPAD_ROWS - NC_HW_COLS);
  a.inp =
      rnd_(s, 0, NC_HW_SPAD_ROWS - 1 - (a.lo - 1) * a.iso - (a.li - 1) * a.isi);
  a.acc =
      rnd_(s, 0, NC_HW_ACC_ROWS - 1 - (a.lo - 1) * a.aso - (a.li - 1) * a.asi);
  p_gemm(s->p, a, flags_(s, NC_HW_QUEUE_COMPUTE));
}

static void store_cfg_(gen_t *s) {
  stc_t a = {.fmt = rnd_(s, 0, 1),
             .pool = one_in_(s, 2) ? NC_HW_POOL_NONE : rnd_(s, 1, 2),
             .kh = rnd_(s, 1, 3),
             .kw = rnd_(s, 1, 3),
             .sh = rnd_(s, 1, 3),
             .sw = rnd_(s, 1, 3),
             .xs = one_in_(s, 2) ? 16u << rnd_(s, 0, 2) : rnd_(s, 1, 128),
             .ys = rnd_(s, 0, 2048)};
  s->st = a;
  p_store_cfg(s->p, a, flags_(s, NC_HW_QUEUE_STORE));
}

/* At most 11 * 2048 + 15 * 128 + 64 bytes past dram: inside the window. A
 * pooled tile fits at least one window, and its padding is smaller than the
 * window (the model's pooling rules). */
static void store_(gen_t *s) {
  st_t a = {
      .ncols = rnd_(s, 1, NC_HW_COLS), .y = rnd_(s, 1, 8), .x = rnd_(s, 1, 16)};
  if (s->st.pool != NC_HW_POOL_NONE) {
    a.x = a.x > 8 ? 8 : a.x;
    a.pt = rnd_(s, 0, s->st.kh - 1);
    a.pb = rnd_(s, 0, s->st.kh - 1);
    a.pl = rnd_(s, 0, s->st.kw - 1);
    a.pr = rnd_(s, 0, s->st.kw - 1);
    a.y = a.y + a.pt + a.pb < s->st.kh ? s->st.kh : a.y;
    a.x = a.x + a.pl + a.pr < s->st.kw ? s->st.kw : a.x;
  }
  a.acc = rnd_(s, 0, NC_HW_ACC_ROWS - a.y * a.x);
  a.param = rnd_(s, 0, NC_HW_PARAM_ENTRIES - a.ncols);
  a.dram = rnd_(s, ST_OFF, ST_OFF + 0x40000);
  p_store(s->p, a, flags_(s, NC_HW_QUEUE_STORE));
}

static void load_param_(gen_t *s) {
  const uint32_t count = rnd_(s, 1, 64);
  const uint32_t rec = rnd_(s, 0, PRM_RECS - count);
  p_load_param(s->p, rnd_(s, 0, NC_HW_PARAM_ENTRIES - count), count,
               PRM_OFF + rec * NC_HW_QPARAM_BYTES,
               flags_(s, NC_HW_QUEUE_STORE));
}

/* A legal stream of 1 to 400 instructions that ends with a FINISH. */
static void random_stream_(nc_rng_t *g, prog_t *p) {
  gen_t s;
  memset(&s, 0, sizeof s);
  s.g = g;
  s.p = p;
  s.st.kh = s.st.kw = s.st.sh = s.st.sw = 1; /* the reset STORE_CFG */
  const int n = (int)nc_rng_range(g, 0, 399);
  for (int i = 0; i < n; i++) {
    const uint32_t k = rnd_(&s, 0, 99);
    if (k < 8) {
      load_cfg_(&s);
    } else if (k < 33) {
      load_(&s);
    } else if (k < 63) {
      gemm_(&s);
    } else if (k < 69) {
      store_cfg_(&s);
    } else if (k < 84) {
      store_(&s);
    } else if (k < 89) {
      load_param_(&s);
    } else if (k < 97) {
      const int q = (int)rnd_(&s, 0, 2);
      p_sync(p, (uint32_t)q, flags_(&s, q));
    } else {
      p_finish(p);
    }
  }
  p_finish(p);
}

/* What the model counts for a stream: cycles, DRAM bytes, MACs. */
typedef struct {
  uint64_t cycles, rd_bytes, wr_bytes, macs;
} counts_t;

/* Runs the stream on the model from START to its last FINISH, starting it
 * again after each FINISH inside it, as the driver would. */
static counts_t run_model_(const prog_t *p, uint32_t latency, uint32_t bw,
                           const char *what) {
  const nc_model_config_t cfg = {.mem_latency = latency,
                                 .mem_bytes_per_cycle = bw};
  rig_t r;
  rig_open_cfg(&r, &cfg);
  for (uint32_t i = 0; i < PRM_RECS; i++) {
    qparam_put(r.win + PRM_OFF + i * NC_HW_QPARAM_BYTES, (int32_t)i - 64,
               1 << 30, -8, 0, -128, 127);
  }
  rig_load(&r, p);
  rig_wr(&r, NC_HW_CSR_PERF_CTRL_OFFSET,
         1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
             1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
  do {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    const uint32_t st = rig_go(&r, UINT64_C(10000000000));
    const rig_err_t e = rig_err(&r);
    cr_assert_eq(st & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
                 "%s: STATUS 0x%x, %s in %s at entry %u (info %u): the "
                 "generator wrote an illegal stream",
                 what, st, nc_hw_err_name(e.code), nc_hw_unit_name(e.unit),
                 e.insn, e.info);
  } while (rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) != p->n);
  const counts_t c = {rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET)};
  rig_close(&r);
  return c;
}

Test(plan_replay, equals_the_model_on_random_streams) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_replay", "equals_the_model_on_random_streams", 17);
  for (int it = 0; it < 60; it++) {
    prog_t p = {0};
    random_stream_(&g, &p);
    const uint32_t latency =
        (uint32_t)(nc_rng_range(&g, 0, 3) == 0 ? nc_rng_range(&g, 0, 1000)
                                               : nc_rng_range(&g, 20, 200));
    const uint32_t bw = (uint32_t)nc_rng_range(&g, 1, NC_HW_BUS_BYTES);
    char what[96];
    snprintf(what, sizeof what,
             "stream %d (%zu instructions, latency %u, %u B/cycle)", it, p.n,
             latency, bw);
    const counts_t m = run_model_(&p, latency, bw, what);
    nc_plan_caps_t caps;
    nc_plan_caps_default(&caps);
    caps.mem_latency = latency;
    caps.mem_bytes_per_cycle = bw;
    nc_plan_replay_t rp;
    cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_OK, "%s: %s", what,
                 nc_error_detail());
    cr_assert(rp.cycles == m.cycles && rp.rd_bytes == m.rd_bytes &&
                  rp.wr_bytes == m.wr_bytes && rp.array_macs == m.macs,
              "%s: replay %llu cycles, %llu B read, %llu B written, %llu "
              "MACs; model %llu, %llu, %llu, %llu",
              what, (unsigned long long)rp.cycles,
              (unsigned long long)rp.rd_bytes, (unsigned long long)rp.wr_bytes,
              (unsigned long long)rp.array_macs, (unsigned long long)m.cycles,
              (unsigned long long)m.rd_bytes, (unsigned long long)m.wr_bytes,
              (unsigned long long)m.macs);
    prog_free(&p);
  }
}

/* A stream that cannot finish is an error, not a prediction. */
Test(plan_replay, a_stream_that_cannot_finish_is_an_error) {
  nc_plan_caps_t caps;
  nc_plan_caps_default(&caps);
  nc_plan_replay_t rp;
  prog_t p = {0};
  p_gemm(&p, (gm_t){.li = 1}, PP); /* pops a token no one pushes */
  p_finish(&p);
  cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_ERR_INTERNAL);
  cr_assert(strstr(nc_error_detail(), "deadlock") != NULL, "%s",
            nc_error_detail());
  prog_free(&p);
  p_load_cfg(&p, 16, 0, 0, 0, 0); /* no FINISH */
  cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_ERR_INTERNAL);
  cr_assert(strstr(nc_error_detail(), "waits forever") != NULL, "%s",
            nc_error_detail());
  prog_free(&p);
}
