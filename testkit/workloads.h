/*
 * Whole programs with their data and their golden results, for running on
 * the RTL: the lecture's worked convolution, a stream of convolution tiles
 * (double-buffered, the loads of one tile overlapping the compute of the
 * one before), and an int8 GEMM of any shape. Every shape and layout
 * follows the array the build is configured for (NC_HW_ROWS x NC_HW_COLS,
 * the scratchpad and accumulator sizes of nc_hw.h). The tests
 * (tests/sim), the SystemC runner's workload files (sim/systemc) and the RTL
 * benchmark (bench/bench_rtl.c) all take their programs from here, so they
 * run the same instruction streams.
 *
 * A workload is an image of the rig's window (testkit/prog.h layout), a
 * program for ring entry 0, and the bytes the window must hold afterwards
 * in [out_off, out_off + out_len), computed by the golden CPU reference.
 */
#ifndef NEOCOG_TESTKIT_WORKLOADS_H
#define NEOCOG_TESTKIT_WORKLOADS_H

#include "neocog/layer.h"
#include "neocog/quant.h"
#include "neocog/rng.h"
#include "testkit/prog.h"
#include "testkit/seed_data.h"

/* Window layout. The scratchpad in quarters: input buffer 0, input buffer
 * 1, then the weights from the middle (at 16x16, with four banks, one bank
 * each); the accumulator in halves. */
enum {
  WL_IN = 0x10000,
  WL_WT = 0x20000,
  WL_PRM = 0x30000,
  WL_OUT = 0x40000,
  WL_IBUF = NC_HW_SPAD_ROWS / 4, /* scratchpad rows per input buffer (two) */
  WL_WROW = 2 * WL_IBUF,         /* scratchpad row of the first weight tile */
  WL_ABUF = NC_HW_ACC_ROWS / 2   /* accumulator rows per output buffer (two) */
};

typedef struct {
  char name[64];
  prog_t p;
  uint8_t *win;     /* initial window image, RIG_WIN_SIZE bytes */
  uint32_t out_off; /* window offset of the checked result */
  uint32_t out_len; /* its bytes */
  uint8_t *want;    /* what they must hold */
  uint64_t macs;    /* PERF_MACS the program must count */
} wl_t;

static inline void wl_free(wl_t *w) {
  prog_free(&w->p);
  free(w->win);
  free(w->want);
  memset(w, 0, sizeof *w);
}

static inline void wl_init_(wl_t *w, const char *name, uint32_t out_off,
                            uint32_t out_len) {
  memset(w, 0, sizeof *w);
  snprintf(w->name, sizeof w->name, "%s", name);
  w->win = calloc(1, RIG_WIN_SIZE);
  w->want = calloc(1, out_len);
  TK_REQUIRE(w->win != NULL && w->want != NULL);
  w->out_off = out_off;
  w->out_len = out_len;
}

/* A convolution layer of at most NC_HW_ROWS input and NC_HW_COLS output
 * channels (one scratchpad row per pixel, one weight tile per kernel tap)
 * whose output fits one accumulator buffer, run `tiles` times over the same
 * data (output tile t at WL_OUT + t * tile bytes). */
typedef struct {
  int H, W, C, O, K, stride, pad; /* square kernel, stride, padding */
  int rq;                         /* requantize to int8 (else int32 out) */
  int pool_k, pool_s;             /* fused max pooling, 0: none */
  int tiles;
} wl_conv_t;

/* Filters of the test streams that leave part of the array's columns
 * unused: 13 of 16 at 16x16 (all of them on an array of 3 or fewer). */
#define WL_PARTIAL_COLS (NC_HW_COLS > 3 ? NC_HW_COLS - 3 : NC_HW_COLS)

/* Emits the program: weights and parameters once, then per tile a LOAD of
 * the padded input into buffer t % 2, one GEMM per kernel tap into
 * accumulator buffer t % 2, and a STORE. Tokens: LOAD -> GEMM -> STORE as
 * usual; the last GEMM of tile t frees input buffer t % 2 for the LOAD of
 * tile t + 2, and the STORE frees the accumulator buffer for its GEMMs. */
static inline void wl_conv_prog_(prog_t *p, const wl_conv_t *c, int oh, int ow,
                                 int out_w, int esize, uint32_t tile_bytes) {
  const int hp = c->H + 2 * c->pad, wp = c->W + 2 * c->pad;
  const int taps = c->K * c->K;
  TK_REQUIRE(c->C <= NC_HW_ROWS && c->O <= NC_HW_COLS);
  TK_REQUIRE(hp * wp <= WL_IBUF);
  TK_REQUIRE(oh * ow <= WL_ABUF);
  TK_REQUIRE(taps * NC_HW_COLS <= NC_HW_SPAD_ROWS - WL_WROW);
  p_load_cfg(p, (uint32_t)(taps * c->C), 0, (uint32_t)c->C, 0, 0);
  p_load(p,
         (ld_t){.sram = WL_WROW,
                .dram = WL_WT,
                .elems = (uint32_t)c->C,
                .x = (uint32_t)c->O,
                .z = (uint32_t)taps,
                .pr = (uint32_t)(NC_HW_COLS - c->O)},
         0);
  p_load_param(p, 0, (uint32_t)c->O, WL_PRM, 0);
  const int pk = c->pool_k ? c->pool_k : 1, ps = c->pool_s ? c->pool_s : 1;
  p_store_cfg(p,
              (stc_t){.fmt = c->rq ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32,
                      .pool = c->pool_k ? NC_HW_POOL_MAX : NC_HW_POOL_NONE,
                      .kh = (uint32_t)pk,
                      .kw = (uint32_t)pk,
                      .sh = (uint32_t)ps,
                      .sw = (uint32_t)ps,
                      .xs = (uint32_t)(c->O * esize),
                      .ys = (uint32_t)(out_w * c->O * esize)},
              0);
  p_load_cfg(p, (uint32_t)c->C, (uint32_t)(c->W * c->C), 0, 0, 0);
  for (int t = 0; t < c->tiles; t++) {
    const uint32_t ib = (uint32_t)(WL_IBUF * (t % 2));
    const uint32_t ab = (uint32_t)(WL_ABUF * (t % 2));
    p_load(p,
           (ld_t){.sram = ib,
                  .dram = WL_IN,
                  .elems = (uint32_t)c->C,
                  .x = (uint32_t)c->W,
                  .y = (uint32_t)c->H,
                  .pt = (uint32_t)c->pad,
                  .pb = (uint32_t)c->pad,
                  .pl = (uint32_t)c->pad,
                  .pr = (uint32_t)c->pad},
           UN | (t >= 2 ? PN : 0));
    for (int k = 0; k < taps; k++) {
      const int kh = k / c->K, kw = k % c->K;
      unsigned f = 0;
      if (k == 0) {
        f |= PP | (t >= 2 ? PN : 0);
      }
      if (k == taps - 1) {
        f |= UN | UP;
      }
      p_gemm(p,
             (gm_t){.wgt = (uint32_t)(WL_WROW + NC_HW_COLS * k),
                    .inp = ib + (uint32_t)(wp * kh + kw),
                    .acc = ab,
                    .lo = (uint32_t)oh,
                    .li = (uint32_t)ow,
                    .iso = (uint32_t)(wp * c->stride),
                    .isi = (uint32_t)c->stride,
                    .aso = (uint32_t)ow,
                    .asi = 1,
                    .accum = k > 0},
             f);
    }
    p_store(p,
            (st_t){.acc = ab,
                   .dram = WL_OUT + (uint32_t)t * tile_bytes,
                   .param = 0,
                   .ncols = (uint32_t)c->O,
                   .y = (uint32_t)oh,
                   .x = (uint32_t)ow},
            PP | UP);
  }
  p_finish(p);
}

/* The conv tile stream the SystemC check and the RTL speed bench share:
 * as many channels in and out as the array has rows and columns (16 and 16
 * at 16x16), 3x3, 18x18 padded to 20x20 in, 18x18 out (324 of the 1024
 * accumulator rows), requantized: one full-width tile, `tiles` times. */
static inline wl_conv_t wl_conv_stream_cfg(int tiles) {
  const wl_conv_t c = {.H = 18,
                       .W = 18,
                       .C = NC_HW_ROWS,
                       .O = NC_HW_COLS,
                       .K = 3,
                       .stride = 1,
                       .pad = 1,
                       .rq = 1,
                       .tiles = tiles};
  return c;
}

/* Builds a convolution workload; `rng` NULL takes the lecture's data (C 3,
 * O 2, 5x5, K 3) with its biases. */
static inline void wl_conv(wl_t *w, const char *name, const wl_conv_t *c,
                           nc_rng_t *rng) {
  nc_tensor_t x, wt, b, y, yp;
  nc_layer_t *l = calloc(1, sizeof *l);
  TK_REQUIRE(l != NULL);
  if (rng == NULL) {
    nc_seed_example_tensors(NC_DTYPE_INT8, &x, &wt, &b);
  } else {
    const int64_t xs[4] = {1, c->H, c->W, c->C};
    const int64_t ws[4] = {c->O, c->K, c->K, c->C}, bs[1] = {c->O};
    tk_tensor_alloc(&x, NC_DTYPE_INT8, 4, xs);
    tk_tensor_alloc(&wt, NC_DTYPE_INT8, 4, ws);
    tk_tensor_alloc(&b, NC_DTYPE_INT32, 1, bs);
    nc_rng_fill(rng, &x, -128, 127);
    nc_rng_fill(rng, &wt, -128, 127);
    nc_rng_fill(rng, &b, -30000, 30000);
  }
  nc_layer_init(l, NC_LAYER_CONV2D);
  l->stride_h = l->stride_w = c->stride;
  l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = c->pad;
  if (c->rq) {
    l->rq.enabled = 1;
    l->rq.out_dtype = NC_DTYPE_INT8;
    l->rq.channels = c->O;
    for (int o = 0; o < c->O; o++) {
      l->rq.mult[o] =
          rng ? (int32_t)nc_rng_range(rng, 1 << 30, INT32_MAX) : 1 << 30;
      l->rq.shift[o] = rng ? (int32_t)nc_rng_range(rng, -14, -9) : 0;
    }
    l->rq.out_zp = rng ? (int32_t)nc_rng_range(rng, -20, 20) : 0;
    l->rq.act_min = -128;
    l->rq.act_max = 127;
  }
  TK_REQUIRE_OK(nc_golden_run(l, &x, &wt, &b, &y));
  const int oh = (int)y.shape[1], ow = (int)y.shape[2];
  const nc_tensor_t *want = &y;
  if (c->pool_k) {
    nc_layer_t pl;
    nc_layer_init(&pl, NC_LAYER_MAXPOOL);
    pl.pool_h = pl.pool_w = c->pool_k;
    pl.stride_h = pl.stride_w = c->pool_s;
    TK_REQUIRE_OK(nc_golden_run(&pl, &y, NULL, NULL, &yp));
    want = &yp;
  }
  const int esize = c->rq ? 1 : 4;
  const uint32_t tile_bytes = (uint32_t)want->nbytes;
  wl_init_(w, name, WL_OUT, tile_bytes * (uint32_t)c->tiles);
  for (int t = 0; t < c->tiles; t++) {
    memcpy(w->want + (size_t)t * tile_bytes, want->data, tile_bytes);
  }
  memcpy(w->win + WL_IN, x.data, x.nbytes);
  memcpy(w->win + WL_WT, wt.data, wt.nbytes);
  for (int o = 0; o < c->O; o++) {
    qparam_put(w->win + WL_PRM + NC_HW_QPARAM_BYTES * o, ((int32_t *)b.data)[o],
               c->rq ? l->rq.mult[o] : 0, c->rq ? l->rq.shift[o] : 0,
               c->rq ? l->rq.out_zp : 0, c->rq ? l->rq.act_min : 0,
               c->rq ? l->rq.act_max : 0);
  }
  wl_conv_prog_(&w->p, c, oh, ow, (int)want->shape[2], esize, tile_bytes);
  w->macs =
      (uint64_t)c->tiles * oh * ow * c->K * c->K * NC_HW_ROWS * NC_HW_COLS;
  if (want == &yp) {
    nc_tensor_free(&yp);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&wt);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
  free(l);
}

/* The lecture's example: 5x5x3, two 3x3x3 filters, stride 2, pad 1. */
static inline void wl_lecture(wl_t *w) {
  const wl_conv_t c = {.H = 5,
                       .W = 5,
                       .C = 3,
                       .O = 2,
                       .K = 3,
                       .stride = 2,
                       .pad = 1,
                       .tiles = 1};
  wl_conv(w, "lecture_conv", &c, NULL);
}

/* C[M][N] = A[M][K] x B^T (B as [N][K]), any M, N, K the memories hold:
 * K in tiles of NC_HW_ROWS (one scratchpad row), N in tiles of NC_HW_COLS
 * (one weight tile), the last of each partial (the load pads the missing
 * lanes and weight rows with zeros, the STORE writes only the columns
 * there are). Every K tile of A and every (N, K) tile of B is loaded first,
 * then per N tile the K tiles accumulate and one STORE writes it.
 * `requant` stores int8 through per-channel requantization, else int32. */
static inline void wl_gemm(wl_t *w, const char *name, int M, int N, int K,
                           int requant, nc_rng_t *rng) {
  enum { A0 = 0x10000, B0 = 0x80000, C0 = 0x100000, P0 = 0x1f0000 };
  enum { R = NC_HW_ROWS, L = NC_HW_COLS };
  const int KT = (K + R - 1) / R, NT = (N + L - 1) / L;
  TK_REQUIRE(N >= 1 && K >= 1 && M >= 1 && M * NT <= NC_HW_ACC_ROWS);
  TK_REQUIRE(N <= NC_HW_PARAM_ENTRIES);
  TK_REQUIRE((size_t)M * K <= B0 - A0 && (size_t)N * K <= C0 - B0);
  TK_REQUIRE(M * KT + L * NT * KT <= NC_HW_SPAD_ROWS);
  const int esz = requant ? 1 : 4;
  wl_init_(w, name, C0, (uint32_t)(M * N * esz));
  TK_REQUIRE((size_t)C0 + w->out_len <= P0);
  int8_t *a = malloc((size_t)M * K), *bt = malloc((size_t)N * K);
  int32_t *c = malloc(sizeof(int32_t) * (size_t)M * N);
  nc_requant_t *rq = calloc(1, sizeof *rq);
  TK_REQUIRE(a != NULL && bt != NULL && c != NULL && rq != NULL);
  for (int i = 0; i < M * K; i++) {
    a[i] = (int8_t)nc_rng_range(rng, -128, 127);
  }
  for (int i = 0; i < N * K; i++) {
    bt[i] = (int8_t)nc_rng_range(rng, -128, 127);
  }
  ref_gemm(a, bt, c, M, N, K);
  rq->enabled = 1;
  rq->out_dtype = NC_DTYPE_INT8;
  rq->channels = N;
  rq->out_zp = 3;
  rq->act_min = -128;
  rq->act_max = 127;
  for (int n = 0; n < N; n++) {
    rq->mult[n] = (int32_t)nc_rng_range(rng, 1 << 30, INT32_MAX);
    rq->shift[n] = (int32_t)nc_rng_range(rng, -12, -6);
    qparam_put(w->win + P0 + NC_HW_QPARAM_BYTES * n, 0,
               requant ? rq->mult[n] : 0, requant ? rq->shift[n] : 0,
               requant ? rq->out_zp : 0, requant ? rq->act_min : 0,
               requant ? rq->act_max : 0);
  }
  for (int i = 0; i < M * N; i++) {
    if (requant) {
      w->want[i] = (uint8_t)nc_requant_apply(rq, i % N, c[i]);
    } else {
      const uint32_t u = (uint32_t)c[i];
      for (int k = 0; k < 4; k++) {
        w->want[4 * i + k] = (uint8_t)(u >> (8 * k));
      }
    }
  }
  memcpy(w->win + A0, a, (size_t)M * K);
  memcpy(w->win + B0, bt, (size_t)N * K);
  const uint32_t sb = (uint32_t)(M * KT); /* first B row in the scratchpad */
  prog_t *p = &w->p;
  p_load_cfg(p, (uint32_t)K, 0, 0, 0, 0);
  for (int kt = 0; kt < KT; kt++) {
    const int ke = K - R * kt < R ? K - R * kt : R; /* lanes of this K tile */
    p_load(p,
           (ld_t){.sram = (uint32_t)(M * kt),
                  .dram = A0 + (uint32_t)(R * kt),
                  .elems = (uint32_t)ke,
                  .x = (uint32_t)M},
           0);
  }
  for (int nt = 0; nt < NT; nt++) {
    const int ne = N - L * nt < L ? N - L * nt : L; /* columns of this tile */
    for (int kt = 0; kt < KT; kt++) {
      const int ke = K - R * kt < R ? K - R * kt : R;
      p_load(p,
             (ld_t){.sram = sb + (uint32_t)(L * (nt * KT + kt)),
                    .dram = (uint32_t)(B0 + L * nt * K + R * kt),
                    .elems = (uint32_t)ke,
                    .x = (uint32_t)ne,
                    .pr = (uint32_t)(L - ne)},
             nt == NT - 1 && kt == KT - 1 ? UN : 0);
    }
  }
  p_load_param(p, 0, (uint32_t)N, P0, 0);
  p_store_cfg(p,
              (stc_t){.fmt = requant ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32,
                      .xs = (uint32_t)(N * esz)},
              0);
  for (int nt = 0; nt < NT; nt++) {
    const int ne = N - L * nt < L ? N - L * nt : L;
    for (int kt = 0; kt < KT; kt++) {
      p_gemm(p,
             (gm_t){.wgt = sb + (uint32_t)(L * (nt * KT + kt)),
                    .inp = (uint32_t)(M * kt),
                    .acc = (uint32_t)(M * nt),
                    .li = (uint32_t)M,
                    .isi = 1,
                    .asi = 1,
                    .accum = kt > 0},
             (nt == 0 && kt == 0 ? PP : 0) | (kt == KT - 1 ? UN : 0));
    }
    p_store(p,
            (st_t){.acc = (uint32_t)(M * nt),
                   .dram = (uint32_t)(C0 + L * nt * esz),
                   .param = (uint32_t)(L * nt),
                   .ncols = (uint32_t)ne,
                   .x = (uint32_t)M},
            PP);
  }
  p_finish(p);
  w->macs = (uint64_t)M * NT * KT * NC_HW_ROWS * NC_HW_COLS;
  free(a);
  free(bt);
  free(c);
  free(rq);
}

/* Copies the workload's window into `win` (RIG_WIN_SIZE bytes). */
static inline void wl_setup(const wl_t *w, uint8_t *win) {
  memcpy(win, w->win, RIG_WIN_SIZE);
}

/* Index of the first byte of the result that differs, or -1. */
static inline long wl_first_diff(const wl_t *w, const uint8_t *win) {
  for (uint32_t i = 0; i < w->out_len; i++) {
    if (win[w->out_off + i] != w->want[i]) {
      return (long)i;
    }
  }
  return -1;
}

#endif /* NEOCOG_TESTKIT_WORKLOADS_H */
