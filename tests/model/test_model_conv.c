/*
 * Whole programs on the functional model, bit-exact against the golden CPU
 * reference: the lecture's worked convolution, a 64x64x64 GEMM, and random
 * convolution tiles (with requantization and fused pooling) and GEMMs of
 * any shape. The programs are written here by hand, the way the planner
 * will emit them: one GEMM per kernel tap over the output tile.
 */
#include "neocog/layer.h"
#include "neocog/quant.h"
#include "tests/model/rig.h"
#include "testkit/seed_data.h"

/* Window layout of the convolution programs. */
enum {
  IN = 0x10000,
  WT = 0x20000,
  PRM = 0x30000,
  OUT = 0x40000,
  WB = NC_HW_SPAD_ROWS / 2 /* scratchpad row of the first weight tile */
};

typedef struct {
  int H, W, C, O, KH, KW, sh, sw, pt, pb, pl, pr;
  int pad_value;
  int rq;                 /* 0: int32 output; 1: requantized int8 */
  int pool;               /* NC_HW_POOL_* fused into the STORE */
  int pk, ps;             /* pooling window and stride (square) */
  int ppt, ppb, ppl, ppr; /* pooling padding */
} conv_t;

/* Emits the convolution of an NHWC int8 input (at IN) with OHWI int8
 * weights (at WT) and qparam records (at PRM) into OUT, NHWC. Requires
 * C <= NC_HW_ROWS, O <= NC_HW_COLS and the whole output in one accumulator
 * tile. */
static void conv_prog_(prog_t *p, const conv_t *c, int oh, int ow, int out_w,
                       int esize) {
  const int hp = c->H + c->pt + c->pb, wp = c->W + c->pl + c->pr;
  const int taps = c->KH * c->KW;
  cr_assert_leq(hp * wp, WB, "padded input fits below the weights");
  cr_assert_leq(oh * ow, NC_HW_ACC_ROWS);
  cr_assert(c->C <= NC_HW_ROWS && c->O <= NC_HW_COLS);
  p_load_cfg(p, (uint32_t)c->C, (uint32_t)(c->W * c->C), 0, c->pad_value, 0);
  p_load(p,
         (ld_t){.sram = 0,
                .dram = IN,
                .elems = (uint32_t)c->C,
                .x = (uint32_t)c->W,
                .y = (uint32_t)c->H,
                .pt = (uint32_t)c->pt,
                .pb = (uint32_t)c->pb,
                .pl = (uint32_t)c->pl,
                .pr = (uint32_t)c->pr},
         0);
  /* One NC_HW_COLS-row weight tile per tap: row n is filter n's C weights
   * at that tap (OHWI: filter stride KH*KW*C, tap stride C); rows O.. are
   * zero padding rows, lanes C.. zero padding lanes. */
  p_load_cfg(p, (uint32_t)(taps * c->C), 0, (uint32_t)c->C, 0, 0);
  p_load(p,
         (ld_t){.sram = WB,
                .dram = WT,
                .elems = (uint32_t)c->C,
                .x = (uint32_t)c->O,
                .z = (uint32_t)taps,
                .pr = (uint32_t)(NC_HW_COLS - c->O)},
         UN);
  p_load_param(p, 0, (uint32_t)c->O, PRM, 0);
  p_store_cfg(p,
              (stc_t){.fmt = c->rq ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32,
                      .pool = (uint32_t)c->pool,
                      .kh = (uint32_t)c->pk,
                      .kw = (uint32_t)c->pk,
                      .sh = (uint32_t)c->ps,
                      .sw = (uint32_t)c->ps,
                      .xs = (uint32_t)(c->O * esize),
                      .ys = (uint32_t)(out_w * c->O * esize)},
              0);
  for (int t = 0; t < taps; t++) {
    const int kh = t / c->KW, kw = t % c->KW;
    p_gemm(p,
           (gm_t){.wgt = (uint32_t)(WB + NC_HW_COLS * t),
                  .inp = (uint32_t)(wp * kh + kw),
                  .acc = 0,
                  .lo = (uint32_t)oh,
                  .li = (uint32_t)ow,
                  .iso = (uint32_t)(wp * c->sh),
                  .isi = (uint32_t)c->sw,
                  .aso = (uint32_t)ow,
                  .asi = 1,
                  .accum = t > 0},
           (t == 0 ? PP : 0) | (t == taps - 1 ? UN : 0));
  }
  p_store(p,
          (st_t){.acc = 0,
                 .dram = OUT,
                 .param = 0,
                 .ncols = (uint32_t)c->O,
                 .y = (uint32_t)oh,
                 .x = (uint32_t)ow,
                 .pt = (uint32_t)c->ppt,
                 .pb = (uint32_t)c->ppb,
                 .pl = (uint32_t)c->ppl,
                 .pr = (uint32_t)c->ppr},
          PP);
  p_finish(p);
}

/* Runs conv `c` on the model and on the golden reference (conv, then the
 * pooling layer when c->pool) and compares every output element. */
static void conv_check_(const conv_t *c, nc_rng_t *rng, const char *what) {
  nc_tensor_t x, w, b, y, yp;
  const int64_t xs[4] = {1, c->H, c->W, c->C};
  const int64_t ws[4] = {c->O, c->KH, c->KW, c->C};
  const int64_t bs[1] = {c->O};
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
  nc_rng_fill(rng, &x, -128, 127);
  nc_rng_fill(rng, &w, -128, 127);
  nc_rng_fill(rng, &b, -30000, 30000);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = c->sh;
  l.stride_w = c->sw;
  l.pad_top = c->pt;
  l.pad_bottom = c->pb;
  l.pad_left = c->pl;
  l.pad_right = c->pr;
  l.pad_value = c->pad_value;
  if (c->rq) {
    l.rq.enabled = 1;
    l.rq.out_dtype = NC_DTYPE_INT8;
    l.rq.channels = c->O;
    for (int o = 0; o < c->O; o++) {
      l.rq.mult[o] = (int32_t)nc_rng_range(rng, 1 << 30, INT32_MAX);
      l.rq.shift[o] = (int32_t)nc_rng_range(rng, -14, -9);
    }
    l.rq.out_zp = (int32_t)nc_rng_range(rng, -20, 20);
    l.rq.act_min = (int32_t)nc_rng_range(rng, -128, l.rq.out_zp);
    l.rq.act_max = 127;
  }
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK, "%s: %s", what,
               nc_error_detail());
  const int oh = (int)y.shape[1], ow = (int)y.shape[2];
  const nc_tensor_t *want = &y;
  if (c->pool != NC_HW_POOL_NONE) {
    nc_layer_t pl;
    nc_layer_init(
        &pl, c->pool == NC_HW_POOL_MAX ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
    pl.pool_h = pl.pool_w = c->pk;
    pl.stride_h = pl.stride_w = c->ps;
    pl.pad_top = c->ppt;
    pl.pad_bottom = c->ppb;
    pl.pad_left = c->ppl;
    pl.pad_right = c->ppr;
    cr_assert_eq(nc_golden_run(&pl, &y, NULL, NULL, &yp), NC_OK, "%s: %s", what,
                 nc_error_detail());
    want = &yp;
  }
  const int esize = c->rq ? 1 : 4;
  const int out_w = (int)want->shape[2];

  rig_t r;
  rig_open(&r);
  memcpy(r.win + IN, x.data, x.nbytes);
  memcpy(r.win + WT, w.data, w.nbytes);
  for (int o = 0; o < c->O; o++) {
    qparam_put(r.win + PRM + NC_HW_QPARAM_BYTES * o, ((int32_t *)b.data)[o],
               c->rq ? l.rq.mult[o] : 0, c->rq ? l.rq.shift[o] : 0,
               c->rq ? l.rq.out_zp : 0, c->rq ? l.rq.act_min : 0,
               c->rq ? l.rq.act_max : 0);
  }
  prog_t p = {0};
  conv_prog_(&p, c, oh, ow, out_w, esize);
  rig_run_ok(&r, &p);
  const size_t n = nc_tensor_numel(want);
  for (size_t i = 0; i < n; i++) {
    const int32_t got =
        c->rq ? (int8_t)r.win[OUT + i] : le32(r.win + OUT + 4 * i);
    const int32_t exp =
        c->rq ? ((int8_t *)want->data)[i] : ((int32_t *)want->data)[i];
    cr_assert_eq(got, exp,
                 "%s: element %zu (pixel %zu, channel %zu): %d, "
                 "want %d",
                 what, i, i / (size_t)c->O, i % (size_t)c->O, got, exp);
  }
  /* Every tap is one GEMM over the output tile: rows x cols MACs per
   * output pixel and tap. */
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
               (uint64_t)oh * ow * c->KH * c->KW * NC_HW_ROWS * NC_HW_COLS,
               "%s: MACs", what);
  prog_free(&p);
  rig_close(&r);
  if (want == &yp) {
    nc_tensor_free(&yp);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

/* The lecture: 5x5x3 input, pad 1, stride 2, two 3x3x3 filters with biases
 * 1 and 0 -> the 3x3x2 volume the slides print, and the golden result. */
Test(model_conv, lecture_example) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  const conv_t c = {.H = 5,
                    .W = 5,
                    .C = 3,
                    .O = 2,
                    .KH = 3,
                    .KW = 3,
                    .sh = 2,
                    .sw = 2,
                    .pt = 1,
                    .pb = 1,
                    .pl = 1,
                    .pr = 1};
  rig_t r;
  rig_open(&r);
  memcpy(r.win + IN, x.data, x.nbytes);
  memcpy(r.win + WT, w.data, w.nbytes);
  qparam_put(r.win + PRM, nc_seed_b[0], 0, 0, 0, 0, 0);
  qparam_put(r.win + PRM + NC_HW_QPARAM_BYTES, nc_seed_b[1], 0, 0, 0, 0, 0);
  prog_t p = {0};
  conv_prog_(&p, &c, 3, 3, 3, 4);
  rig_run_ok(&r, &p);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK);
  for (int i = 0; i < 9; i++) {
    const int32_t o0 = le32(r.win + OUT + 8 * i);
    const int32_t o1 = le32(r.win + OUT + 8 * i + 4);
    cr_assert_eq(o0, nc_seed_out0[i], "o[%d,%d,0] = %d, slides say %d", i / 3,
                 i % 3, o0, nc_seed_out0[i]);
    cr_assert_eq(o1, nc_seed_out1[i], "o[%d,%d,1] = %d, slides say %d", i / 3,
                 i % 3, o1, nc_seed_out1[i]);
    cr_assert_eq(o0, ((int32_t *)y.data)[2 * i]);
    cr_assert_eq(o1, ((int32_t *)y.data)[2 * i + 1]);
  }
  /* 9 taps x 9 output pixels, each the whole array's rows x cols MACs;
   * 18 pixels x 4 bytes out. */
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
               81 * NC_HW_ROWS * NC_HW_COLS);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET), 72);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), p.n);
  prog_free(&p);
  rig_close(&r);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

/* The lecture's shape with random data, requantized to int8 and max-pooled
 * 2x2/1 in the same STORE. */
Test(model_conv, lecture_shape_requant_maxpool) {
  nc_rng_t rng;
  nc_test_seed(&rng, "model_conv", "lecture_shape_requant_maxpool", 3);
  const conv_t c = {.H = 5,
                    .W = 5,
                    .C = 3,
                    .O = 2,
                    .KH = 3,
                    .KW = 3,
                    .sh = 2,
                    .sw = 2,
                    .pt = 1,
                    .pb = 1,
                    .pl = 1,
                    .pr = 1,
                    .rq = 1,
                    .pool = NC_HW_POOL_MAX,
                    .pk = 2,
                    .ps = 1};
  conv_check_(&c, &rng, "lecture shape, requant + maxpool");
}

/* C[64][64] = A[64][64] x B^T, B as [N][K] (OHWI with H = W = 1), tiled
 * for the array: K in tiles of NC_HW_ROWS lanes, N in tiles of NC_HW_COLS
 * columns (4 x 4 tiles at 16x16; a partial last tile where the size does
 * not divide 64), int32 out; then the same requantized per channel. */
static void gemm64_(int requant) {
  enum { M = 64, N = 64, K = 64, A0 = 0x10000, B0 = 0x20000, C0 = 0x30000 };
  enum { R = NC_HW_ROWS, L = NC_HW_COLS, KT = (K + R - 1) / R };
  enum { NT = (N + L - 1) / L, SB = M * KT /* first B row */ };
  cr_assert_leq(M * NT, NC_HW_ACC_ROWS, "one accumulator row per (m, nt)");
  nc_rng_t rng;
  nc_test_seed(&rng, "model_conv", requant ? "gemm_64_int8" : "gemm_64_int32",
               64);
  static int8_t a[M * K], bt[N * K];
  static int32_t c[M * N];
  for (int i = 0; i < M * K; i++) {
    a[i] = (int8_t)nc_rng_range(&rng, -128, 127);
    bt[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  ref_gemm(a, bt, c, M, N, K);
  rig_t r;
  rig_open(&r);
  memcpy(r.win + A0, a, sizeof a);
  memcpy(r.win + B0, bt, sizeof bt);
  nc_requant_t *rq = calloc(1, sizeof *rq);
  cr_assert_not_null(rq);
  rq->enabled = 1;
  rq->channels = N;
  rq->out_zp = 3;
  rq->act_min = -128;
  rq->act_max = 127;
  for (int n = 0; n < N; n++) {
    rq->mult[n] = (int32_t)nc_rng_range(&rng, 1 << 30, INT32_MAX);
    rq->shift[n] = (int32_t)nc_rng_range(&rng, -12, -6);
    qparam_put(r.win + 0x50000 + NC_HW_QPARAM_BYTES * n, 0, rq->mult[n],
               rq->shift[n], rq->out_zp, rq->act_min, rq->act_max);
  }
  const int esz = requant ? 1 : 4;
  prog_t p = {0};
  /* A's K tile kt: 64 rows of up to R lanes at scratchpad 64 kt. */
  p_load_cfg(&p, K, 0, 0, 0, 0);
  for (int kt = 0; kt < KT; kt++) {
    const int ek = K - R * kt < R ? K - R * kt : R;
    p_load(&p,
           (ld_t){.sram = (uint32_t)(M * kt),
                  .dram = A0 + (uint32_t)(R * kt),
                  .elems = (uint32_t)ek,
                  .x = M},
           0);
  }
  /* B tile (nt, kt): L rows at SB + L (KT nt + kt), the missing filters of
   * a partial tile zero rows. */
  for (int nt = 0; nt < NT; nt++) {
    const int en = N - L * nt < L ? N - L * nt : L;
    for (int kt = 0; kt < KT; kt++) {
      const int ek = K - R * kt < R ? K - R * kt : R;
      const int last = nt == NT - 1 && kt == KT - 1;
      p_load(&p,
             (ld_t){.sram = (uint32_t)(SB + L * (KT * nt + kt)),
                    .dram = (uint32_t)(B0 + L * nt * K + R * kt),
                    .elems = (uint32_t)ek,
                    .x = (uint32_t)en,
                    .pr = (uint32_t)(L - en)},
             last ? UN : 0);
    }
  }
  p_load_param(&p, 0, N, 0x50000, 0);
  p_store_cfg(&p,
              (stc_t){.fmt = requant ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32,
                      .xs = (uint32_t)(N * esz)},
              0);
  for (int nt = 0; nt < NT; nt++) {
    const int en = N - L * nt < L ? N - L * nt : L;
    for (int kt = 0; kt < KT; kt++) {
      const int first = nt == 0 && kt == 0;
      const int last = kt == KT - 1;
      p_gemm(&p,
             (gm_t){.wgt = (uint32_t)(SB + L * (KT * nt + kt)),
                    .inp = (uint32_t)(M * kt),
                    .acc = (uint32_t)(M * nt),
                    .li = M,
                    .isi = 1,
                    .asi = 1,
                    .accum = kt > 0},
             (first ? PP : 0) | (last ? UN : 0));
    }
    /* Output row m of tile nt: lanes L nt.. of C's row m. */
    p_store(&p,
            (st_t){.acc = (uint32_t)(M * nt),
                   .dram = (uint32_t)(C0 + L * nt * esz),
                   .param = (uint32_t)(L * nt),
                   .ncols = (uint32_t)en,
                   .x = M},
            PP);
  }
  p_finish(&p);
  rig_run_ok(&r, &p);
  for (int i = 0; i < M * N; i++) {
    const int32_t want = requant ? nc_requant_apply(rq, i % N, c[i]) : c[i];
    const int32_t got =
        requant ? (int8_t)r.win[C0 + i] : le32(r.win + C0 + 4 * i);
    cr_assert_eq(got, want, "C[%d][%d] = %d, want %d", i / N, i % N, got, want);
  }
  /* Each GEMM counts the whole array per activation row: 64 rows x R x L
   * per tile. When the array divides 64 (any power of two), every MAC is
   * useful: exactly 64^3. */
  const uint64_t macs = rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET);
  cr_assert_eq(macs, (uint64_t)M * NT * KT * R * L, "MACs of %d x %d tiles", NT,
               KT);
  if (K % R == 0 && N % L == 0) {
    cr_assert_eq(macs, (uint64_t)M * N * K, "a full 64^3 GEMM");
  }
  free(rq);
  prog_free(&p);
  rig_close(&r);
}

Test(model_conv, gemm_64_int32) {
  gemm64_(0);
}

Test(model_conv, gemm_64_int8) {
  gemm64_(1);
}

/* Random convolution tiles against golden: shapes, strides, padding and pad
 * value, int32 or requantized, with or without fused pooling. */
Test(model_conv, random_conv_tiles) {
  nc_rng_t rng;
  nc_test_seed(&rng, "model_conv", "random_conv_tiles", 2024);
  for (int iter = 0; iter < 60; iter++) {
    conv_t c = {0};
    c.KH = (int)nc_rng_range(&rng, 1, 5);
    c.KW = (int)nc_rng_range(&rng, 1, 5);
    c.H = (int)nc_rng_range(&rng, 1, 14);
    c.W = (int)nc_rng_range(&rng, 1, 14);
    c.C = (int)nc_rng_range(&rng, 1, NC_HW_ROWS);
    c.O = (int)nc_rng_range(&rng, 1, NC_HW_COLS);
    c.sh = (int)nc_rng_range(&rng, 1, 3);
    c.sw = (int)nc_rng_range(&rng, 1, 3);
    c.pt = (int)nc_rng_range(&rng, 0, c.KH - 1);
    c.pb = (int)nc_rng_range(&rng, 0, c.KH - 1);
    c.pl = (int)nc_rng_range(&rng, 0, c.KW - 1);
    c.pr = (int)nc_rng_range(&rng, 0, c.KW - 1);
    c.pad_value = (int)nc_rng_range(&rng, -5, 5);
    c.rq = (int)nc_rng_range(&rng, 0, 1);
    if (c.H + c.pt + c.pb < c.KH || c.W + c.pl + c.pr < c.KW) {
      continue;
    }
    const int oh = (c.H + c.pt + c.pb - c.KH) / c.sh + 1;
    const int ow = (c.W + c.pl + c.pr - c.KW) / c.sw + 1;
    c.pool = (int)nc_rng_range(&rng, 0, 2);
    c.pk = (int)nc_rng_range(&rng, 1, 3);
    c.ps = (int)nc_rng_range(&rng, 1, 2);
    c.ppt = (int)nc_rng_range(&rng, 0, c.pk - 1);
    c.ppb = (int)nc_rng_range(&rng, 0, c.pk - 1);
    c.ppl = (int)nc_rng_range(&rng, 0, c.pk - 1);
    c.ppr = (int)nc_rng_range(&rng, 0, c.pk - 1);
    if (c.pool == NC_HW_POOL_NONE || oh + c.ppt + c.ppb < c.pk ||
        ow + c.ppl + c.ppr < c.pk) {
      c.pool = NC_HW_POOL_NONE;
      c.pk = c.ps = 1;
      c.ppt = c.ppb = c.ppl = c.ppr = 0;
    }
    char what[160];
    snprintf(what, sizeof what,
             "iter %d: %dx%dx%d * %dx%dx%d/%d,%d pad %d,%d,%d,%d (%d) %s "
             "pool %d %dx%d/%d pad %d,%d,%d,%d",
             iter, c.H, c.W, c.C, c.O, c.KH, c.KW, c.sh, c.sw, c.pt, c.pb, c.pl,
             c.pr, c.pad_value, c.rq ? "int8" : "int32", c.pool, c.pk, c.pk,
             c.ps, c.ppt, c.ppb, c.ppl, c.ppr);
    conv_check_(&c, &rng, what);
  }
}

/* Random GEMMs of any shape, tiled over K and N with partial tiles: the
 * last K tile loads fewer lanes (the rest take the pad value 0), the last N
 * tile has zero weight rows and stores fewer lanes. */
Test(model_conv, random_gemm_shapes) {
  nc_rng_t rng;
  nc_test_seed(&rng, "model_conv", "random_gemm_shapes", 99);
  enum { A0 = 0x10000, B0 = 0x30000, C0 = 0x50000, SA = 0, SB = 4096 };
  enum { R = NC_HW_ROWS, L = NC_HW_COLS };
  for (int iter = 0; iter < 25; iter++) {
    const int M = (int)nc_rng_range(&rng, 1, 200);
    /* At most 40 filters, and as many N tiles as M accumulator rows each
     * leave room for (on the narrowest arrays fewer). */
    const int nmax = NC_HW_ACC_ROWS / M * L;
    const int N = (int)nc_rng_range(&rng, 1, nmax < 40 ? nmax : 40);
    const int K = (int)nc_rng_range(&rng, 1, 50);
    const int KT = (K + R - 1) / R, NT = (N + L - 1) / L;
    cr_assert_leq(SA + M * KT, SB);
    int8_t *a = malloc((size_t)M * K), *bt = malloc((size_t)N * K);
    int32_t *c = malloc(sizeof(int32_t) * (size_t)M * N);
    cr_assert(a != NULL && bt != NULL && c != NULL);
    for (int i = 0; i < M * K; i++) {
      a[i] = (int8_t)nc_rng_range(&rng, -128, 127);
    }
    for (int i = 0; i < N * K; i++) {
      bt[i] = (int8_t)nc_rng_range(&rng, -128, 127);
    }
    ref_gemm(a, bt, c, M, N, K);
    rig_t r;
    rig_open(&r);
    memcpy(r.win + A0, a, (size_t)M * K);
    memcpy(r.win + B0, bt, (size_t)N * K);
    prog_t p = {0};
    p_load_cfg(&p, (uint32_t)K, 0, 0, 0, 0);
    for (int kt = 0; kt < KT; kt++) {
      const int ek = K - R * kt < R ? K - R * kt : R;
      p_load(&p,
             (ld_t){.sram = (uint32_t)(SA + M * kt),
                    .dram = (uint32_t)(A0 + R * kt),
                    .elems = (uint32_t)ek,
                    .x = (uint32_t)M},
             0);
    }
    for (int nt = 0; nt < NT; nt++) {
      const int en = N - L * nt < L ? N - L * nt : L;
      for (int kt = 0; kt < KT; kt++) {
        const int ek = K - R * kt < R ? K - R * kt : R;
        p_load(&p,
               (ld_t){.sram = (uint32_t)(SB + L * (nt * KT + kt)),
                      .dram = (uint32_t)(B0 + L * nt * K + R * kt),
                      .elems = (uint32_t)ek,
                      .x = (uint32_t)en,
                      .pr = (uint32_t)(L - en)},
               nt == NT - 1 && kt == KT - 1 ? UN : 0);
      }
    }
    p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT32, .xs = (uint32_t)(4 * N)},
                0);
    for (int nt = 0; nt < NT; nt++) {
      const int en = N - L * nt < L ? N - L * nt : L;
      for (int kt = 0; kt < KT; kt++) {
        p_gemm(&p,
               (gm_t){.wgt = (uint32_t)(SB + L * (nt * KT + kt)),
                      .inp = (uint32_t)(SA + M * kt),
                      .acc = (uint32_t)(M * nt),
                      .li = (uint32_t)M,
                      .isi = 1,
                      .asi = 1,
                      .accum = kt > 0},
               (nt == 0 && kt == 0 ? PP : 0) | (kt == KT - 1 ? UN : 0));
      }
      p_store(&p,
              (st_t){.acc = (uint32_t)(M * nt),
                     .dram = (uint32_t)(C0 + 4 * L * nt),
                     .ncols = (uint32_t)en,
                     .x = (uint32_t)M},
              PP);
    }
    p_finish(&p);
    rig_run_ok(&r, &p);
    for (int i = 0; i < M * N; i++) {
      const int32_t got = le32(r.win + C0 + 4 * i);
      cr_assert_eq(got, c[i],
                   "iter %d (M %d N %d K %d): C[%d][%d] = %d, "
                   "want %d",
                   iter, M, N, K, i / N, i % N, got, c[i]);
    }
    cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
                 (uint64_t)M * NT * KT * NC_HW_ROWS * NC_HW_COLS);
    prog_free(&p);
    rig_close(&r);
    free(a);
    free(bt);
    free(c);
  }
}
