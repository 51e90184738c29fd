/*
 * The "isa" generator: random legal instruction programs written at the
 * ISA level (testkit/prog.h builders, not the planner), run from the same
 * memory image on the RTL and on the functional model, compared at every
 * stop.
 *
 * A program mixes LOAD_CFG, LOAD (3-D strides, padding on every side,
 * every element count), GEMM (loops, strides, accumulate, kept weights),
 * STORE_CFG and STORE (int8 and int32, max and average pooling with
 * padding), LOAD_PARAM and SYNC, with scratchpad accesses at bank edges and
 * across them, and FINISHes inside the stream (the host starts the device
 * again after each, as the driver would). Two kinds (sync=):
 *
 *   strict  race-free (rg_isa_stream_sync): steps of LOADs, GEMMs and
 *           STOREs on alternating halves of the scratchpad and accumulator,
 *           ordered by tokens on the instructions or on SYNCs around them,
 *           with extra token pairs, so the results do not depend on timing
 *           and memory is compared byte for byte
 *   free    any consistent tokens (rg_isa_stream: a pop takes only a token
 *           pushed earlier, so the program cannot deadlock), units racing
 *           on shared rows; everything but memory is compared
 *
 * Backends:
 *   rtl       the RTL and the model as two devices: after every stop
 *             STATUS, ERR_CODE, ERR_INSN, ERR_INFO, RING_HEAD, INTR_STATE,
 *             the counters that do not depend on timing (MACs, bytes
 *             written, instructions) and every byte of memory (ring, window
 *             and the guard after it) must be equal, and the RTL must not
 *             have touched memory outside the window and the ring.
 *             PERF_RD_BYTES is not compared: the RTL counts whole bursts,
 *             the model the bytes the ISA moves.
 *   lockstep  the lockstep device, which compares the two after every stop
 *             itself; a mismatch is a failure (strict programs only)
 *   model     the model against the planner's cost model, which replays
 *             the program with the same scheduler: cycles, bytes and MACs
 *             must be equal
 *
 * Per job: the memory's latency and bandwidth (mem=random). Per item: the
 * program and the window's contents.
 */
#include "regress/gen_isa.h"

#include <string.h>

#include "neocog/plan.h"
#include "neocog/rng.h"
#include "regress/regress_internal.h"
#include "testkit/rig.h"

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
  static const int pop_prev[3] = {-1, RG_T_L2C, RG_T_C2S};
  static const int pop_next[3] = {RG_T_C2L, RG_T_S2C, -1};
  static const int push_prev[3] = {-1, RG_T_C2L, RG_T_S2C};
  static const int push_next[3] = {RG_T_L2C, RG_T_C2S, -1};
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

/* A scratchpad row for an access of `rows` rows: anywhere, or at the start
 * or the end of a random bank (accesses that cross into the next bank). */
static uint32_t spad_row_(gen_t *s, uint32_t rows) {
  const uint32_t last = NC_HW_SPAD_ROWS - rows;
  const uint32_t bank_rows = NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS;
  const uint32_t b = rnd_(s, 0, NC_HW_SPAD_BANKS - 1);
  uint32_t r;
  switch (rnd_(s, 0, 3)) {
    case 0:
      r = b * bank_rows; /* a bank's first row */
      break;
    case 1:
      r = (b + 1) * bank_rows - (rows < bank_rows ? rnd_(s, 1, rows) : 1);
      break;
    default:
      r = rnd_(s, 0, last);
  }
  return r > last ? last : r;
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
  a.sram = spad_row_(s, rows);
  a.dram = rnd_(s, RG_ISA_LD_OFF, RG_ISA_LD_OFF + 0x20000);
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
  a.wgt = a.keep ? 0 : spad_row_(s, NC_HW_COLS);
  a.inp = spad_row_(s, 1 + (a.lo - 1) * a.iso + (a.li - 1) * a.isi);
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
  a.dram = rnd_(s, RG_ISA_ST_OFF, RG_ISA_ST_OFF + 0x40000);
  p_store(s->p, a, flags_(s, NC_HW_QUEUE_STORE));
}

static void load_param_(gen_t *s) {
  const uint32_t count = rnd_(s, 1, 64);
  const uint32_t rec = rnd_(s, 0, RG_ISA_PRM_RECS - count);
  p_load_param(s->p, rnd_(s, 0, NC_HW_PARAM_ENTRIES - count), count,
               RG_ISA_PRM_OFF + rec * NC_HW_QPARAM_BYTES,
               flags_(s, NC_HW_QUEUE_STORE));
}

void rg_isa_stream(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                   int tok[4]) {
  gen_t s;
  memset(&s, 0, sizeof s);
  s.g = g;
  s.p = p;
  s.st.kh = s.st.kw = s.st.sh = s.st.sw = 1; /* the reset STORE_CFG */
  const int n = (int)nc_rng_range(g, 0, max_len - 1);
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
    } else if (k < 97 || !finish_inside) {
      const int q = (int)rnd_(&s, 0, 2);
      p_sync(p, (uint32_t)q, flags_(&s, q));
    } else {
      p_finish(p);
    }
  }
  p_finish(p);
  if (tok != NULL) {
    memcpy(tok, s.tok, sizeof s.tok);
  }
}

/* ---- race-free programs ---- */

/* A first row for `span` rows inside [base, base + size): anywhere, at a
 * bank's first row, or across the edge between two banks. */
static uint32_t row_in_(gen_t *s, uint32_t base, uint32_t size, uint32_t span,
                        uint32_t bank_rows) {
  const uint32_t last = base + size - span;
  uint32_t r;
  switch (rnd_(s, 0, 3)) {
    case 0:
      r = base + bank_rows * rnd_(s, 0, size / bank_rows - 1);
      break;
    case 1: /* ends just past an edge inside the range */
      r = base + bank_rows * rnd_(s, 1, size / bank_rows) -
          (span > 1 ? rnd_(s, 1, span - 1) : 0);
      break;
    default:
      r = rnd_(s, base, last);
  }
  return r > last ? last : r < base ? base : r;
}

/* One step's LOAD, GEMM and STORE, each inside the step's half of the
 * scratchpad and accumulator (strides, padding, pooling and the rest as
 * in the free programs). */
static void sync_load_(gen_t *s, uint32_t half, unsigned flags) {
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
  a.sram = row_in_(s, half * (NC_HW_SPAD_ROWS / 2), NC_HW_SPAD_ROWS / 2, rows,
                   NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS);
  a.dram = rnd_(s, RG_ISA_LD_OFF, RG_ISA_LD_OFF + 0x20000);
  p_load(s->p, a, flags);
}

static void sync_gemm_(gen_t *s, uint32_t half, unsigned flags) {
  const uint32_t sb = half * (NC_HW_SPAD_ROWS / 2), ss = NC_HW_SPAD_ROWS / 2;
  const uint32_t ab = half * (NC_HW_ACC_ROWS / 2), as = NC_HW_ACC_ROWS / 2;
  const uint32_t bank = NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS;
  gm_t a = {.lo = rnd_(s, 1, 8),
            .li = rnd_(s, 1, 32),
            .iso = rnd_(s, 0, 64),
            .isi = rnd_(s, 0, 4),
            .aso = rnd_(s, 0, 64),
            .asi = rnd_(s, 0, 2),
            .keep = one_in_(s, 4),
            .accum = one_in_(s, 2)};
  a.wgt = a.keep ? 0 : row_in_(s, sb, ss, NC_HW_COLS, bank);
  a.inp = row_in_(s, sb, ss, 1 + (a.lo - 1) * a.iso + (a.li - 1) * a.isi, bank);
  a.acc = row_in_(s, ab, as, 1 + (a.lo - 1) * a.aso + (a.li - 1) * a.asi, as);
  p_gemm(s->p, a, flags);
}

static void sync_store_(gen_t *s, uint32_t half, unsigned flags) {
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
  const uint32_t as = NC_HW_ACC_ROWS / 2;
  a.acc = half * as + rnd_(s, 0, as - a.y * a.x);
  a.param = rnd_(s, 0, NC_HW_PARAM_ENTRIES - a.ncols);
  a.dram = rnd_(s, RG_ISA_ST_OFF, RG_ISA_ST_OFF + 0x40000);
  p_store(s->p, a, flags);
}

/* Emits `n` instructions of one unit's part of a step: `first` flags on
 * the first (or on a SYNC of queue q before it), `last` flags on the last
 * (or on a SYNC after it); `one` emits one instruction with the flags
 * given. Configuration instructions (no flags) fall in between. */
static void part_(gen_t *s, int q, int n, unsigned first, unsigned last,
                  uint32_t half,
                  void (*one)(gen_t *s, uint32_t half, unsigned flags)) {
  if (first && one_in_(s, 3)) {
    p_sync(s->p, (uint32_t)q, first);
    first = 0;
  }
  const int trailing = last && one_in_(s, 3);
  for (int i = 0; i < n; i++) {
    if (q == NC_HW_QUEUE_LOAD && one_in_(s, 4)) {
      static const uint32_t xs[4] = {16, 32, 64, 0};
      s->ld_xs = xs[rnd_(s, 0, 3)];
      s->ld_xs = s->ld_xs ? s->ld_xs : rnd_(s, 1, 16);
      s->ld_ys = one_in_(s, 2) ? s->ld_xs * rnd_(s, 1, 32) : rnd_(s, 0, 4096);
      s->ld_zs = rnd_(s, 0, 16384);
      p_load_cfg(s->p, s->ld_xs, s->ld_ys, s->ld_zs, (int)rnd_(s, 0, 255), 0);
    }
    if (q == NC_HW_QUEUE_STORE && one_in_(s, 4)) {
      stc_t a = {.fmt = rnd_(s, 0, 1),
                 .pool = one_in_(s, 2) ? NC_HW_POOL_NONE : rnd_(s, 1, 2),
                 .kh = rnd_(s, 1, 3),
                 .kw = rnd_(s, 1, 3),
                 .sh = rnd_(s, 1, 3),
                 .sw = rnd_(s, 1, 3),
                 .xs = one_in_(s, 2) ? 16u << rnd_(s, 0, 2) : rnd_(s, 1, 128),
                 .ys = rnd_(s, 0, 2048)};
      s->st = a;
      p_store_cfg(s->p, a, 0);
    }
    if (q == NC_HW_QUEUE_STORE && one_in_(s, 5)) {
      const uint32_t count = rnd_(s, 1, 64);
      const uint32_t rec = rnd_(s, 0, RG_ISA_PRM_RECS - count);
      p_load_param(s->p, rnd_(s, 0, NC_HW_PARAM_ENTRIES - count), count,
                   RG_ISA_PRM_OFF + rec * NC_HW_QPARAM_BYTES, 0);
    }
    unsigned f = i == 0 ? first : 0;
    f |= i == n - 1 && !trailing ? last : 0;
    one(s, half, f);
  }
  if (trailing) {
    p_sync(s->p, (uint32_t)q, last);
  }
}

void rg_isa_stream_sync(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                        int tok[4]) {
  gen_t s;
  memset(&s, 0, sizeof s);
  s.g = g;
  s.p = p;
  s.st.kh = s.st.kw = s.st.sh = s.st.sw = 1; /* the reset STORE_CFG */
  const size_t target = p->n + (size_t)nc_rng_range(g, 1, max_len);
  int k = 0;
  while (p->n < target) {
    const uint32_t h = (uint32_t)(k % 2);
    const int old = k >= 2; /* the step two back used this half */
    /* Loads wait until the GEMMs two steps back stopped reading the
     * half; the last load tells compute. */
    part_(&s, NC_HW_QUEUE_LOAD, (int)rnd_(&s, 1, 4), old ? PN : 0, UN, h,
          sync_load_);
    const int extra_l2c = one_in_(&s, 4);
    if (extra_l2c) {
      p_sync(p, NC_HW_QUEUE_LOAD, UN); /* after every load of the step */
    }
    /* GEMMs wait for the loads, and for the stores two steps back to have
     * read the accumulator half; the last frees the scratchpad half and
     * tells store. */
    const int ng = (int)rnd_(&s, 1, 4);
    const int extra_c2s = one_in_(&s, 4);
    part_(&s, NC_HW_QUEUE_COMPUTE, 1, PP | (old ? PN : 0),
          ng == 1 ? UP | UN : 0, h, sync_gemm_);
    if (extra_l2c) {
      p_sync(p, NC_HW_QUEUE_COMPUTE, PP);
    }
    if (ng > 1) {
      part_(&s, NC_HW_QUEUE_COMPUTE, ng - 1, 0, UP | UN, h, sync_gemm_);
    }
    if (extra_c2s) {
      p_sync(p, NC_HW_QUEUE_COMPUTE, UN);
    }
    /* Stores wait for the GEMMs; the last frees the accumulator half. */
    const int ns = (int)rnd_(&s, 1, 3);
    part_(&s, NC_HW_QUEUE_STORE, 1, PP, ns == 1 ? UP : 0, h, sync_store_);
    if (extra_c2s) {
      p_sync(p, NC_HW_QUEUE_STORE, PP);
    }
    if (ns > 1) {
      part_(&s, NC_HW_QUEUE_STORE, ns - 1, 0, UP, h, sync_store_);
    }
    k++;
    if (finish_inside && one_in_(&s, 8)) {
      p_finish(p);
    }
  }
  p_finish(p);
  if (tok != NULL) {
    tok[RG_T_L2C] = tok[RG_T_C2S] = 0;
    tok[RG_T_C2L] = tok[RG_T_S2C] = k < 2 ? k : 2;
  }
}

void rg_isa_memory(nc_rng_t *g, uint8_t *mem) {
  uint8_t *win = mem + RIG_WIN_OFF;
  for (uint64_t i = 0; i < RIG_WIN_SIZE; i += 8) {
    const uint64_t v = nc_rng_next(g);
    memcpy(win + i, &v, 8);
  }
  for (uint32_t i = 0; i < RG_ISA_PRM_RECS; i++) {
    const int32_t lo = (int32_t)nc_rng_range(g, -128, 255);
    qparam_put(win + RG_ISA_PRM_OFF + i * NC_HW_QPARAM_BYTES,
               (int32_t)nc_rng_next(g), (int32_t)nc_rng_range(g, 0, INT32_MAX),
               (int32_t)nc_rng_range(g, -31, 30),
               (int32_t)nc_rng_range(g, -128, 255), lo,
               (int32_t)nc_rng_range(g, lo, 255));
  }
}

void rg_isa_config(const rg_ctx_t *c, nc_sim_config_t *cfg) {
  nc_sim_config_default(cfg);
  if (strcmp(rg_opt_str(c, "mem", "default"), "random") == 0) {
    nc_rng_t g;
    nc_rng_seed(&g, rg_item_seed(c->stream, UINT64_MAX));
    static const uint32_t lat[] = {1, 2, 10, 50, 100, 300, 1000};
    cfg->mem_latency = lat[nc_rng_range(&g, 0, 6)];
    cfg->mem_bytes_per_cycle = (uint32_t)nc_rng_range(&g, 1, NC_HW_BUS_BYTES);
  }
}

int rg_isa_open(rg_ctx_t *c, rig_t *r, rig_kind_t kind,
                const nc_sim_config_t *cfg, const uint8_t *image) {
  static const char *const names[] = {"model", "rtl", "lockstep"};
  const nc_status_t st = rig_open_sim(r, kind, cfg);
  if (st != NC_OK) {
    return rg_fail(c, "cannot open a %s device: %s", names[kind],
                   nc_error_detail());
  }
  TK_REQUIRE_OK(nc_sim_mem_write(r->s, RIG_MEM_BASE, image, RIG_MEM_SIZE));
  return 0;
}

void rg_isa_load(rig_t *r, const prog_t *p) {
  rig_load(r, p);
  rig_wr(r, NC_HW_CSR_PERF_CTRL_OFFSET,
         1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
             1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
}

nc_status_t rg_isa_step(rig_t *r, uint64_t budget, uint32_t *status) {
  int busy = 0;
  nc_status_t st = nc_sim_run(r->s, budget, &busy);
  if (st == NC_OK) {
    st = nc_sim_csr_read(r->s, NC_HW_CSR_STATUS_OFFSET, status);
  }
  return st;
}

/* Registers compared at every stop; `after_error` 0: only after a clean
 * stop (how far the units got before an error stopped them depends on
 * timing). */
static const struct {
  uint32_t off;
  const char *name;
  int after_error;
} regs_[] = {
    {NC_HW_CSR_STATUS_OFFSET, "STATUS", 1},
    {NC_HW_CSR_ERR_CODE_OFFSET, "ERR_CODE", 1},
    {NC_HW_CSR_ERR_INSN_OFFSET, "ERR_INSN", 1},
    {NC_HW_CSR_ERR_INFO_OFFSET, "ERR_INFO", 1},
    {NC_HW_CSR_RING_HEAD_OFFSET, "RING_HEAD", 0},
    {NC_HW_CSR_INTR_STATE_OFFSET, "INTR_STATE", 1},
    {NC_HW_CSR_PERF_MACS_LO_OFFSET, "PERF_MACS_LO", 0},
    {NC_HW_CSR_PERF_MACS_HI_OFFSET, "PERF_MACS_HI", 0},
    {NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET, "PERF_WR_BYTES_LO", 0},
    {NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET, "PERF_WR_BYTES_HI", 0},
    {NC_HW_CSR_PERF_INSNS_OFFSET, "PERF_INSNS", 0},
};

/* What the data file says of the RTL's performance counters whatever its
 * timing, after a clean stop: no unit is busy or stalled in more cycles
 * than the device was busy (PERF_CYCLES counts the cycles with
 * STATUS.busy); a random program's counts are far below 2^32; the memory
 * port reads whole bus beats, so the bytes read are a multiple of the
 * beat. (Not compared with the model's count: the RTL reads whole bursts,
 * the model counts the bytes the ISA names, row by row.) */
static int perf_invariants_(rg_ctx_t *c, const char *where, rig_t *rtl) {
  static const struct {
    uint32_t off;
    const char *name;
  } units_[] = {
      {NC_HW_CSR_PERF_LOAD_BUSY_OFFSET, "PERF_LOAD_BUSY"},
      {NC_HW_CSR_PERF_LOAD_STALL_OFFSET, "PERF_LOAD_STALL"},
      {NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET, "PERF_COMPUTE_BUSY"},
      {NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET, "PERF_COMPUTE_STALL"},
      {NC_HW_CSR_PERF_STORE_BUSY_OFFSET, "PERF_STORE_BUSY"},
      {NC_HW_CSR_PERF_STORE_STALL_OFFSET, "PERF_STORE_STALL"},
  };
  const uint32_t cyc = rig_rd(rtl, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  const uint32_t cyc_hi = rig_rd(rtl, NC_HW_CSR_PERF_CYCLES_HI_OFFSET);
  const uint32_t rd = rig_rd(rtl, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET);
  const uint32_t rd_hi = rig_rd(rtl, NC_HW_CSR_PERF_RD_BYTES_HI_OFFSET);
  const uint32_t insns = rig_rd(rtl, NC_HW_CSR_PERF_INSNS_OFFSET);
  if (cyc_hi != 0 || rd_hi != 0) {
    return rg_fail(c, "%s: the rtl's PERF_CYCLES_HI is 0x%x, PERF_RD_BYTES_HI "
                   "0x%x, after a short program",
                   where, cyc_hi, rd_hi);
  }
  if (insns > 0 && cyc == 0) {
    return rg_fail(c, "%s: the rtl retired %u instructions in 0 busy cycles",
                   where, insns);
  }
  for (size_t i = 0; i < sizeof units_ / sizeof units_[0]; i++) {
    const uint32_t v = rig_rd(rtl, units_[i].off);
    if (v > cyc) {
      return rg_fail(c, "%s: the rtl's %s is %u, above PERF_CYCLES %u", where,
                     units_[i].name, v, cyc);
    }
  }
  if (rd % NC_HW_BUS_BYTES != 0) {
    return rg_fail(c, "%s: the rtl's PERF_RD_BYTES is %u: not whole %u-byte "
                   "beats",
                   where, rd, (unsigned)NC_HW_BUS_BYTES);
  }
  return 0;
}

int rg_isa_compare(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                   int memory) {
  const int error = (rig_rd(rtl, NC_HW_CSR_STATUS_OFFSET) &
                     1u << NC_HW_CSR_STATUS_ERROR_SHIFT) != 0;
  for (size_t i = 0; i < sizeof regs_ / sizeof regs_[0]; i++) {
    if (error && !regs_[i].after_error) {
      continue;
    }
    uint32_t a = rig_rd(rtl, regs_[i].off), b = rig_rd(model, regs_[i].off);
    if (regs_[i].off == NC_HW_CSR_STATUS_OFFSET) {
      a &= 7u; /* busy, done, error; the units' busy bits are timing */
      b &= 7u;
    }
    if (a != b) {
      const rig_err_t er = rig_err(rtl), em = rig_err(model);
      rg_note(c,
              "  rtl stopped with %s in %s at entry %u (info %u); model with "
              "%s in %s at entry %u (info %u)",
              nc_hw_err_name(er.code), nc_hw_unit_name(er.unit), er.insn,
              er.info, nc_hw_err_name(em.code), nc_hw_unit_name(em.unit),
              em.insn, em.info);
      return rg_fail(c, "%s: %s is 0x%x on the rtl, 0x%x on the model", where,
                     regs_[i].name, a, b);
    }
  }
  if (memory && !error && memcmp(rtl->mem, model->mem, RIG_MEM_SIZE) != 0) {
    size_t i = 0;
    while (rtl->mem[i] == model->mem[i]) {
      i++;
    }
    const char *part = i < RIG_WIN_OFF                  ? "ring"
                       : i < RIG_WIN_OFF + RIG_WIN_SIZE ? "window"
                                                        : "guard";
    return rg_fail(c,
                   "%s: memory byte 0x%llx (%s) is 0x%02x on the rtl, 0x%02x "
                   "on the model",
                   where, (unsigned long long)(RIG_MEM_BASE + i), part,
                   rtl->mem[i], model->mem[i]);
  }
  if (nc_sim_check_memory(rtl->s) != NC_OK) {
    return rg_fail(c, "%s: the rtl touched memory it was not given: %s", where,
                   nc_error_detail());
  }
  return error ? 0 : perf_invariants_(c, where, rtl);
}

int rg_isa_stop_pair(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                     uint64_t budget, int memory, uint32_t *model_status) {
  uint32_t sm = 0, sr = 0;
  TK_REQUIRE_OK(rg_isa_step(model, budget ? budget : UINT64_C(1) << 40, &sm));
  TK_REQUIRE_OK(rg_isa_step(rtl, budget ? budget : RG_ISA_RTL_BUDGET, &sr));
  *model_status = sm;
  if (budget == 0 && (sr & 1u)) {
    return rg_fail(c, "%s: the rtl is still busy after %llu cycles", where,
                   (unsigned long long)RG_ISA_RTL_BUDGET);
  }
  return budget ? 0 : rg_isa_compare(c, where, rtl, model, memory);
}

int rg_isa_run_pair(rg_ctx_t *c, const char *what, rig_t *rtl, rig_t *model,
                    size_t n, int memory) {
  for (int stop = 0;; stop++) {
    char where[96];
    snprintf(where, sizeof where, "%s stop %d", what, stop);
    const uint32_t head0 = rig_rd(rtl, NC_HW_CSR_RING_HEAD_OFFSET);
    rig_wr(rtl, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    rig_wr(model, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    /* STATUS.fetch_busy: "fetch has a request outstanding or an
     * instruction to dispatch". A stop that fetched anything had a request
     * outstanding for at least the memory's latency: watched cycle by cycle
     * until it shows (at once, as a rule) or for 2000 cycles, a stop that
     * ends in that window must have shown it. */
    int fetch_seen = 0, stopped = 0;
    for (int i = 0; i < 2000 && !stopped && !fetch_seen; i++) {
      uint32_t sr = 0;
      TK_REQUIRE_OK(rg_isa_step(rtl, 1, &sr));
      fetch_seen |= (sr & 1u << NC_HW_CSR_STATUS_FETCH_BUSY_SHIFT) != 0;
      stopped = (sr & 1u << NC_HW_CSR_STATUS_BUSY_SHIFT) == 0;
    }
    if (stopped && !fetch_seen &&
        rig_rd(rtl, NC_HW_CSR_RING_HEAD_OFFSET) != head0) {
      return rg_fail(c, "%s: the rtl fetched entries %u.. without ever "
                     "showing STATUS.fetch_busy",
                     where, head0);
    }
    uint32_t sm = 0;
    if (rg_isa_stop_pair(c, where, rtl, model, 0, memory, &sm)) {
      return 1;
    }
    if (sm & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
      const rig_err_t e = rig_err(model);
      return rg_fail(c,
                     "%s: the generator wrote an illegal program: %s in %s "
                     "at entry %u (info %u)",
                     where, nc_hw_err_name(e.code), nc_hw_unit_name(e.unit),
                     e.insn, e.info);
    }
    if (rig_rd(model, NC_HW_CSR_RING_HEAD_OFFSET) == n) {
      return 0;
    }
  }
}

/* The program on the RTL and the model, compared at every stop. */
static int pair_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                 const nc_sim_config_t *cfg, const uint8_t *image, int memory) {
  rig_t rtl, model;
  if (rg_isa_open(c, &model, RIG_MODEL, cfg, image)) {
    return 1;
  }
  if (rg_isa_open(c, &rtl, RIG_RTL, cfg, image)) {
    rig_close(&model);
    return 1;
  }
  rg_isa_load(&rtl, p);
  rg_isa_load(&model, p);
  char what[64];
  snprintf(what, sizeof what, "isa program %llu", (unsigned long long)item);
  const int bad = rg_isa_run_pair(c, what, &rtl, &model, p->n, memory);
  rig_close(&rtl);
  rig_close(&model);
  return bad;
}

/* The program on the lockstep device, which compares at every stop. */
static int lockstep_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                     const nc_sim_config_t *cfg, const uint8_t *image) {
  rig_t r;
  if (rg_isa_open(c, &r, RIG_LOCKSTEP, cfg, image)) {
    return 1;
  }
  rg_isa_load(&r, p);
  int bad = 0;
  for (int stop = 0; !bad; stop++) {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    uint32_t s = 0;
    const nc_status_t st = rg_isa_step(&r, RG_ISA_RTL_BUDGET, &s);
    if (st != NC_OK) {
      bad = rg_fail(c, "isa program %llu stop %d on lockstep: %s",
                    (unsigned long long)item, stop, nc_error_detail());
    } else if (s & 1u) {
      bad = rg_fail(c, "isa program %llu stop %d: still busy after %llu cycles",
                    (unsigned long long)item, stop,
                    (unsigned long long)RG_ISA_RTL_BUDGET);
    } else if (s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
      const rig_err_t e = rig_err(&r);
      bad = rg_fail(c, "isa program %llu stop %d: %s in %s at entry %u",
                    (unsigned long long)item, stop, nc_hw_err_name(e.code),
                    nc_hw_unit_name(e.unit), e.insn);
    } else if (rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) == p->n) {
      break;
    }
  }
  rig_close(&r);
  return bad;
}

/* The program on the model against the cost model's replay. */
static int replay_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                   const nc_sim_config_t *cfg, const uint8_t *image) {
  rig_t r;
  if (rg_isa_open(c, &r, RIG_MODEL, cfg, image)) {
    return 1;
  }
  rg_isa_load(&r, p);
  int bad = 0;
  do {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    uint32_t s = 0;
    TK_REQUIRE_OK(rg_isa_step(&r, UINT64_C(1) << 40, &s));
    if ((s & 7u) != 1u << NC_HW_CSR_STATUS_DONE_SHIFT) {
      const rig_err_t e = rig_err(&r);
      bad = rg_fail(c, "isa program %llu on the model: STATUS 0x%x, %s in %s",
                    (unsigned long long)item, s, nc_hw_err_name(e.code),
                    nc_hw_unit_name(e.unit));
    }
  } while (!bad && rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) != p->n);
  if (!bad) {
    nc_plan_caps_t caps;
    nc_plan_caps_default(&caps);
    caps.mem_latency = cfg->mem_latency;
    caps.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
    nc_plan_replay_t rp;
    if (nc_plan_replay(p->v, p->n, &caps, &rp) != NC_OK) {
      bad = rg_fail(c, "isa program %llu: replay: %s", (unsigned long long)item,
                    nc_error_detail());
    } else {
      const uint64_t m[4] = {rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET)};
      const uint64_t q[4] = {rp.cycles, rp.rd_bytes, rp.wr_bytes,
                             rp.array_macs};
      static const char *const names[4] = {"cycles", "bytes read",
                                           "bytes written", "MACs"};
      for (int i = 0; i < 4 && !bad; i++) {
        if (m[i] != q[i]) {
          bad = rg_fail(c,
                        "isa program %llu: the cost model predicts %llu %s, "
                        "the model counts %llu",
                        (unsigned long long)item, (unsigned long long)q[i],
                        names[i], (unsigned long long)m[i]);
        }
      }
    }
  }
  rig_close(&r);
  return bad;
}

int rg_gen_isa(rg_ctx_t *c) {
  const long items = rg_opt_int(c, "items", 10);
  const int len = (int)rg_opt_int(c, "len", 400);
  const int finish = (int)rg_opt_int(c, "finish", 1);
  const int strict = strcmp(rg_opt_str(c, "sync", "strict"), "strict") == 0;
  for (int i = 0; i < c->nbackends; i++) {
    if (!strict && strcmp(c->backends[i], "lockstep") == 0) {
      return rg_fail(c,
                     "isa: lockstep compares memory, which programs with "
                     "sync=free race on; use sync=strict");
    }
  }
  nc_sim_config_t cfg;
  rg_isa_config(c, &cfg);
  rg_note(c, "config: memory latency %u, %u B/cycle", cfg.mem_latency,
          cfg.mem_bytes_per_cycle);
  uint8_t *image = calloc(1, RIG_MEM_SIZE);
  TK_REQUIRE(image != NULL);
  int bad = 0;
  for (long it = 0; it < items && !bad; it++) {
    nc_rng_t g;
    nc_rng_seed(&g, rg_item_seed(c->stream, (uint64_t)it));
    prog_t p = {0};
    if (strict) {
      rg_isa_stream_sync(&g, &p, len, finish, NULL);
    } else {
      rg_isa_stream(&g, &p, len, finish, NULL);
    }
    memset(image, 0, RIG_MEM_SIZE);
    rg_isa_memory(&g, image);
    rg_note(c, "item %ld: %zu instructions", it, p.n);
    for (int i = 0; i < c->nbackends && !bad; i++) {
      const char *b = c->backends[i];
      if (strcmp(b, "rtl") == 0) {
        bad = pair_(c, (uint64_t)it, &p, &cfg, image, strict);
      } else if (strcmp(b, "lockstep") == 0) {
        bad = lockstep_(c, (uint64_t)it, &p, &cfg, image);
      } else {
        bad = replay_(c, (uint64_t)it, &p, &cfg, image);
      }
      c->items += !bad;
    }
    prog_free(&p);
  }
  free(image);
  return bad;
}
