/*
 * Random legal instruction streams at the ISA level, for the tests and the
 * regression's "isa" and "illegal" generators: LOAD_CFG, LOAD (3-D strides,
 * padding on every side, every element count; im2col with kernels and
 * strides up to 4x4 and 3x3), GEMM (loops, strides, accumulate, kept
 * weights), DWCONV (kernels up to dw_kh_max lines, strides, accumulate,
 * kept weights), STORE_CFG and STORE (int8 and int32, max and average
 * pooling with padding, the residual add), LOAD_PARAM, SYNC and FINISH, with
 * dependency tokens that can never deadlock.
 *
 * Every access stays inside the rig's window (testkit/prog.h): LOADs read
 * at ISA_LD_OFF and after, STOREs write at ISA_ST_OFF and after, LOAD_PARAM
 * reads ISA_PRM_RECS qparam records at ISA_PRM_OFF, which the runner fills
 * with legal ones, or one of ISA_ADDQ_RECS addq records at ISA_ADDQ_OFF
 * (isa_addq_fill()) just before a STORE with the residual add, whose
 * residual lies in the LOAD area.
 *
 * The draws are the stream: a seed gives the same program as long as these
 * functions draw in the same order.
 */
#ifndef NEOCOG_TESTKIT_ISA_STREAM_H
#define NEOCOG_TESTKIT_ISA_STREAM_H

#include <stdint.h>
#include <string.h>

#include "neocog/nc_hw.h"
#include "neocog/rng.h"

#include "testkit/prog.h"

/* Window layout of the streams. */
#define ISA_PRM_OFF 0x1000u
#define ISA_PRM_RECS 128u
#define ISA_ADDQ_OFF (ISA_PRM_OFF + ISA_PRM_RECS * NC_HW_QPARAM_BYTES)
#define ISA_ADDQ_RECS 8u
#define ISA_LD_OFF 0x10000u
#define ISA_ST_OFF 0x100000u

/* Token counters, as the queues' flags name them. */
enum { ISA_T_L2C, ISA_T_C2L, ISA_T_C2S, ISA_T_S2C };

/* Tokens one counter holds at most (far below its 8 bits). */
#define ISA_TOK_CAP 8

/* A random stream under construction, with the state its legality depends
 * on. */
typedef struct {
  nc_rng_t *g;
  prog_t *p;
  int bank_edges; /* scratchpad accesses drawn at and across bank edges */
  int tok[4];     /* pushed minus popped so far, in stream order */
  uint32_t ld_xs, ld_ys, ld_zs; /* the last LOAD_CFG */
  stc_t st;                     /* the last STORE_CFG */
} isa_gen_t;

/* A generator writing into `p`, after the reset CFG state. */
static inline void isa_gen_init(isa_gen_t *s, nc_rng_t *g, prog_t *p,
                                int bank_edges) {
  memset(s, 0, sizeof *s);
  s->g = g;
  s->p = p;
  s->bank_edges = bank_edges;
  s->st.kh = s->st.kw = s->st.sh = s->st.sw = 1; /* the reset STORE_CFG */
}

static inline uint32_t isa_rnd(isa_gen_t *s, int64_t lo, int64_t hi) {
  return (uint32_t)nc_rng_range(s->g, lo, hi);
}

/* 1 with probability 1/n. */
static inline int isa_one_in(isa_gen_t *s, int n) {
  return nc_rng_range(s->g, 1, n) == 1;
}

/* Dependency flags for an instruction of queue q. A pop only takes a token
 * an earlier instruction pushes, so the earliest unfinished instruction can
 * always run: the stream never deadlocks. */
static inline unsigned isa_flags(isa_gen_t *s, int q) {
  static const int pop_prev[3] = {-1, ISA_T_L2C, ISA_T_C2S};
  static const int pop_next[3] = {ISA_T_C2L, ISA_T_S2C, -1};
  static const int push_prev[3] = {-1, ISA_T_C2L, ISA_T_S2C};
  static const int push_next[3] = {ISA_T_L2C, ISA_T_C2S, -1};
  unsigned f = 0;
  if (pop_prev[q] >= 0 && s->tok[pop_prev[q]] > 0 && isa_one_in(s, 2)) {
    s->tok[pop_prev[q]]--;
    f |= PP;
  }
  if (pop_next[q] >= 0 && s->tok[pop_next[q]] > 0 && isa_one_in(s, 2)) {
    s->tok[pop_next[q]]--;
    f |= PN;
  }
  if (push_prev[q] >= 0 && s->tok[push_prev[q]] < ISA_TOK_CAP &&
      isa_one_in(s, 3)) {
    s->tok[push_prev[q]]++;
    f |= UP;
  }
  if (push_next[q] >= 0 && s->tok[push_next[q]] < ISA_TOK_CAP &&
      isa_one_in(s, 3)) {
    s->tok[push_next[q]]++;
    f |= UN;
  }
  return f;
}

/* A scratchpad row for an access of `rows` rows: anywhere, or (with
 * bank_edges) also at the start or the end of a random bank, so that the
 * access crosses into the next bank. */
static inline uint32_t isa_spad_row(isa_gen_t *s, uint32_t rows) {
  const uint32_t last = NC_HW_SPAD_ROWS - rows;
  if (!s->bank_edges) {
    return isa_rnd(s, 0, last);
  }
  const uint32_t bank_rows = NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS;
  const uint32_t b = isa_rnd(s, 0, NC_HW_SPAD_BANKS - 1);
  uint32_t r;
  switch (isa_rnd(s, 0, 3)) {
    case 0:
      r = b * bank_rows; /* a bank's first row */
      break;
    case 1:
      r = (b + 1) * bank_rows - (rows < bank_rows ? isa_rnd(s, 1, rows) : 1);
      break;
    default:
      r = isa_rnd(s, 0, last);
  }
  return r > last ? last : r;
}

/* A LOAD_CFG; the flags of queue q, or none when q < 0. */
static inline void isa_load_cfg(isa_gen_t *s, int q) {
  static const uint32_t xs[4] = {16, 32, 64, 0};
  s->ld_xs = xs[isa_rnd(s, 0, 3)];
  s->ld_xs = s->ld_xs ? s->ld_xs : isa_rnd(s, 1, 16);
  s->ld_ys = isa_one_in(s, 2) ? s->ld_xs * isa_rnd(s, 1, 32)
                              : isa_rnd(s, 0, 4096);
  s->ld_zs = isa_rnd(s, 0, 16384);
  if (q < 0) {
    p_load_cfg(s->p, s->ld_xs, s->ld_ys, s->ld_zs, (int)isa_rnd(s, 0, 255),
               0);
  } else {
    p_load_cfg(s->p, s->ld_xs, s->ld_ys, s->ld_zs, (int)isa_rnd(s, 0, 255),
               isa_flags(s, q));
  }
}

/* A LOAD's shape: element count, extent and padding (not where it reads
 * or writes). Its scratchpad footprint is z * (pt + y + pb) * (pl + x +
 * pr) rows, its DRAM reach at most 31 * 64 + 3 * 32 * 64 + 2 * 16384
 * bytes. */
static inline ld_t isa_load_shape(isa_gen_t *s) {
  ld_t a = {.elems = isa_rnd(s, 1, NC_HW_ROWS),
            .x = isa_rnd(s, 1, 32),
            .y = isa_rnd(s, 1, 4),
            .z = isa_rnd(s, 1, 3)};
  if (isa_one_in(s, 3)) {
    a.pt = isa_rnd(s, 0, 2);
    a.pb = isa_rnd(s, 0, 2);
    a.pl = isa_rnd(s, 0, 2);
    a.pr = isa_rnd(s, 0, 2);
  }
  if (isa_one_in(s, 2)) {
    a.elems = s->ld_xs >= 1 && s->ld_xs <= NC_HW_ROWS ? s->ld_xs : a.elems;
  }
  if (isa_one_in(s, 4)) {
    /* im2col: a kernel that fits the padded tile, its row planes and up to
     * one more (all padding). */
    a.kh = isa_rnd(s, 1, 4);
    a.kw = isa_rnd(s, 1, 4);
    a.sh = isa_rnd(s, 1, 3);
    a.sw = isa_rnd(s, 1, 3);
    if (a.pt + a.y + a.pb < a.kh) {
      a.pb = a.kh - a.pt - a.y;
    }
    if (a.pl + a.x + a.pr < a.kw) {
      a.pr = a.kw - a.pl - a.x;
    }
    a.z = isa_rnd(s, 1,
                  (a.kh * a.kw * a.elems + NC_HW_ROWS - 1) / NC_HW_ROWS + 1);
  }
  return a;
}

static inline uint32_t isa_load_rows(const ld_t *a) {
  if (a->kh != 0) {
    return a->z * ((a->pt + a->y + a->pb - a->kh) / a->sh + 1) *
           ((a->pl + a->x + a->pr - a->kw) / a->sw + 1);
  }
  return a->z * (a->pt + a->y + a->pb) * (a->pl + a->x + a->pr);
}

/* A GEMM's loops and strides (not its rows). */
static inline gm_t isa_gemm_shape(isa_gen_t *s) {
  const gm_t a = {.lo = isa_rnd(s, 1, 8),
                  .li = isa_rnd(s, 1, 32),
                  .iso = isa_rnd(s, 0, 64),
                  .isi = isa_rnd(s, 0, 4),
                  .aso = isa_rnd(s, 0, 64),
                  .asi = isa_rnd(s, 0, 2),
                  .keep = isa_one_in(s, 4),
                  .accum = isa_one_in(s, 2)};
  return a;
}

/* A STORE_CFG; the flags of queue q, or none when q < 0. */
static inline void isa_store_cfg(isa_gen_t *s, int q) {
  stc_t a = {
      .fmt = isa_rnd(s, 0, 1),
      .pool = isa_one_in(s, 2) ? NC_HW_POOL_NONE : isa_rnd(s, 1, 2),
      .kh = isa_rnd(s, 1, 3),
      .kw = isa_rnd(s, 1, 3),
      .sh = isa_rnd(s, 1, 3),
      .sw = isa_rnd(s, 1, 3),
      .xs = isa_one_in(s, 2) ? 16u << isa_rnd(s, 0, 2) : isa_rnd(s, 1, 128),
      .ys = isa_rnd(s, 0, 2048)};
  if (a.fmt == NC_HW_OUT_INT8 && a.pool == NC_HW_POOL_NONE &&
      isa_one_in(s, 2)) {
    /* The residual: in the LOAD area wherever a STORE writes (below it,
     * so res_delta wraps), never on an output. */
    a.add = 1;
    a.rdelta = ISA_LD_OFF - ISA_ST_OFF + isa_rnd(s, 0, 0x20000);
  }
  s->st = a;
  p_store_cfg(s->p, a, q < 0 ? 0 : isa_flags(s, q));
}

/* Random valid addq records (TFLite-like: right shifts, zero points over
 * both 8-bit types, a clamp that may narrow) at ISA_ADDQ_OFF of `win`. */
static inline void isa_addq_fill(nc_rng_t *g, uint8_t *win) {
  for (uint32_t i = 0; i < ISA_ADDQ_RECS; i++) {
    const int32_t lo = (int32_t)nc_rng_range(g, -128, 100);
    const nc_hw_addq_vals_t v = {
        .out_mult = (int32_t)nc_rng_range(g, 1 << 30, INT32_MAX),
        .in_mult0 = (int32_t)nc_rng_range(g, 1 << 30, INT32_MAX),
        .in_shift0 = (int32_t)nc_rng_range(g, -3, 0),
        .in_zp0 = (int32_t)nc_rng_range(g, -128, 255),
        .act_min = lo,
        .act_max = (int32_t)nc_rng_range(g, lo, 255),
        .out_shift = (int32_t)nc_rng_range(g, -24, -18),
        .res_unsigned = (uint32_t)nc_rng_range(g, 0, 1),
        .out_zp = (int32_t)nc_rng_range(g, -128, 255),
        .in_mult1 = (int32_t)nc_rng_range(g, 1 << 30, INT32_MAX),
        .in_shift1 = (int32_t)nc_rng_range(g, -3, 0),
        .in_zp1 = (int32_t)nc_rng_range(g, -128, 255)};
    nc_hw_addq_pack(&v, win + ISA_ADDQ_OFF + i * NC_HW_ADDQ_BYTES);
  }
}

/* Under a STORE_CFG with add: a LOAD_PARAM of one addq record into a
 * random pair of entries (no flags), which STORE `a` then names. */
static inline void isa_store_addq(isa_gen_t *s, st_t *a) {
  if (!s->st.add) {
    return;
  }
  a->addp = isa_rnd(s, 0, NC_HW_PARAM_ENTRIES - 2);
  p_load_param(s->p, a->addp, 2,
               ISA_ADDQ_OFF +
                   isa_rnd(s, 0, ISA_ADDQ_RECS - 1) * NC_HW_ADDQ_BYTES,
               0);
}

/* A STORE's shape under the last STORE_CFG (not where it reads or
 * writes): a pooled tile fits at least one window, and its padding is
 * smaller than the window (the model's pooling rules). Its DRAM reach is
 * at most 11 * 2048 + 15 * 128 + 64 bytes. */
static inline st_t isa_store_shape(isa_gen_t *s) {
  st_t a = {.ncols = isa_rnd(s, 1, NC_HW_COLS),
            .y = isa_rnd(s, 1, 8),
            .x = isa_rnd(s, 1, 16)};
  if (s->st.pool != NC_HW_POOL_NONE) {
    a.x = a.x > 8 ? 8 : a.x;
    a.pt = isa_rnd(s, 0, s->st.kh - 1);
    a.pb = isa_rnd(s, 0, s->st.kh - 1);
    a.pl = isa_rnd(s, 0, s->st.kw - 1);
    a.pr = isa_rnd(s, 0, s->st.kw - 1);
    a.y = a.y + a.pt + a.pb < s->st.kh ? s->st.kh : a.y;
    a.x = a.x + a.pl + a.pr < s->st.kw ? s->st.kw : a.x;
  }
  return a;
}

/* A LOAD_PARAM of legal records; the flags of queue q, or none when
 * q < 0. */
static inline void isa_load_param(isa_gen_t *s, int q) {
  const uint32_t count = isa_rnd(s, 1, 64);
  const uint32_t rec = isa_rnd(s, 0, ISA_PRM_RECS - count);
  if (q < 0) {
    p_load_param(s->p, isa_rnd(s, 0, NC_HW_PARAM_ENTRIES - count), count,
                 ISA_PRM_OFF + rec * NC_HW_QPARAM_BYTES, 0);
  } else {
    p_load_param(s->p, isa_rnd(s, 0, NC_HW_PARAM_ENTRIES - count), count,
                 ISA_PRM_OFF + rec * NC_HW_QPARAM_BYTES, isa_flags(s, q));
  }
}

static inline void isa_load(isa_gen_t *s) {
  ld_t a = isa_load_shape(s);
  a.sram = isa_spad_row(s, isa_load_rows(&a));
  a.dram = isa_rnd(s, ISA_LD_OFF, ISA_LD_OFF + 0x20000);
  p_load(s->p, a, isa_flags(s, NC_HW_QUEUE_LOAD));
}

static inline void isa_gemm(isa_gen_t *s) {
  gm_t a = isa_gemm_shape(s);
  a.wgt = a.keep ? 0 : isa_spad_row(s, NC_HW_COLS);
  a.inp = isa_spad_row(s, 1 + (a.lo - 1) * a.iso + (a.li - 1) * a.isi);
  a.acc = isa_rnd(s, 0,
                  NC_HW_ACC_ROWS - 1 - (a.lo - 1) * a.aso - (a.li - 1) * a.asi);
  p_gemm(s->p, a, isa_flags(s, NC_HW_QUEUE_COMPUTE));
}

/* A DWCONV's shape (not its rows): a kernel whose taps fit a column,
 * strides 1..3, lines at least as long as the windows need (up to
 * dw_line_max), a few output lines. */
static inline dw_t isa_dwconv_shape(isa_gen_t *s) {
  dw_t a = {.kh = isa_rnd(s, 1, NC_HW_DW_KH_MAX),
            .oh = isa_rnd(s, 1, 6),
            .ow = isa_rnd(s, 1, 24),
            .sy = isa_rnd(s, 1, 3),
            .sx = isa_rnd(s, 1, 3),
            .asi = isa_rnd(s, 0, 2),
            .keep = isa_one_in(s, 4),
            .accum = isa_one_in(s, 2)};
  a.kw = isa_rnd(s, 1, NC_HW_ROWS / a.kh < 5 ? NC_HW_ROWS / a.kh : 5);
  if ((a.ow - 1) * a.sx + a.kw > NC_HW_DW_LINE_MAX) {
    a.ow = (NC_HW_DW_LINE_MAX - a.kw) / a.sx + 1;
  }
  a.line = (a.ow - 1) * a.sx + a.kw + isa_rnd(s, 0, 4);
  a.line = a.line > NC_HW_DW_LINE_MAX ? NC_HW_DW_LINE_MAX : a.line;
  a.aso = isa_rnd(s, 0, 64);
  a.ps = isa_one_in(s, 2) ? 1 : isa_rnd(s, 2, 4);
  return a;
}

/* The scratchpad rows a DWCONV's input spans, and the accumulator rows
 * its outputs span. */
static inline uint32_t isa_dwconv_inp_rows(const dw_t *a) {
  return (((a->oh - 1) * a->sy + a->kh - 1) * a->line + (a->ow - 1) * a->sx +
          a->kw - 1) *
             a->ps +
         1;
}

static inline uint32_t isa_dwconv_acc_rows(const dw_t *a) {
  return 1 + (a->oh - 1) * a->aso + (a->ow - 1) * a->asi;
}

static inline void isa_dwconv(isa_gen_t *s) {
  dw_t a = isa_dwconv_shape(s);
  a.wgt = a.keep ? 0 : isa_spad_row(s, NC_HW_COLS);
  a.inp = isa_spad_row(s, isa_dwconv_inp_rows(&a));
  a.acc = isa_rnd(s, 0, NC_HW_ACC_ROWS - isa_dwconv_acc_rows(&a));
  p_dwconv(s->p, a, isa_flags(s, NC_HW_QUEUE_COMPUTE));
}

static inline void isa_store(isa_gen_t *s) {
  st_t a = isa_store_shape(s);
  a.acc = isa_rnd(s, 0, NC_HW_ACC_ROWS - a.y * a.x);
  a.param = isa_rnd(s, 0, NC_HW_PARAM_ENTRIES - a.ncols);
  a.dram = isa_rnd(s, ISA_ST_OFF, ISA_ST_OFF + 0x40000);
  isa_store_addq(s, &a);
  p_store(s->p, a, isa_flags(s, NC_HW_QUEUE_STORE));
}

/* Appends a legal stream of 0 to max_len - 1 random instructions and a
 * FINISH (FINISHes inside it when `finish_inside`); units race on shared
 * rows. `tok` (may be NULL) receives the tokens left in each counter. */
static inline void isa_stream(nc_rng_t *g, prog_t *p, int max_len,
                              int finish_inside, int bank_edges, int tok[4]) {
  isa_gen_t s;
  isa_gen_init(&s, g, p, bank_edges);
  const int n = (int)nc_rng_range(g, 0, max_len - 1);
  for (int i = 0; i < n; i++) {
    const uint32_t k = isa_rnd(&s, 0, 99);
    if (k < 8) {
      isa_load_cfg(&s, NC_HW_QUEUE_LOAD);
    } else if (k < 33) {
      isa_load(&s);
    } else if (k < 57) {
      isa_gemm(&s);
    } else if (k < 63) {
      isa_dwconv(&s);
    } else if (k < 69) {
      isa_store_cfg(&s, NC_HW_QUEUE_STORE);
    } else if (k < 84) {
      isa_store(&s);
    } else if (k < 89) {
      isa_load_param(&s, NC_HW_QUEUE_STORE);
    } else if (k < 97 || !finish_inside) {
      const int q = (int)isa_rnd(&s, 0, 2);
      p_sync(p, (uint32_t)q, isa_flags(&s, q));
    } else {
      p_finish(p);
    }
  }
  p_finish(p);
  if (tok != NULL) {
    memcpy(tok, s.tok, sizeof s.tok);
  }
}

#endif /* NEOCOG_TESTKIT_ISA_STREAM_H */
