/*
 * The planner and runtime on the accelerator backends, against the golden
 * reference: the lecture's examples, constrained-random layers of every
 * kind, tiling forced by tiny capacities, the cost model's prediction, and
 * the errors for what the accelerator does not do.
 */
#include "neocog/nc_hw.h"
#include "tests/plan/plan_test.h"
#include "testkit/seed_data.h"

/* Requantizes to int8 by one per-tensor multiplier, 2^shift / 2. */
static void rq_int8_(nc_layer_t *l, int shift) {
  l->rq.enabled = 1;
  l->rq.out_dtype = NC_DTYPE_INT8;
  l->rq.channels = 1;
  l->rq.mult[0] = 1 << 30;
  l->rq.shift[0] = shift;
  l->rq.act_min = -128;
  l->rq.act_max = 127;
}

/* A random int8 conv of input shape xs and weights ws into r (layer
 * geometry set by the caller), requantized per tensor by 2^shift to int8
 * with zero point zp. */
static void conv_rl_(nc_rng_t *g, rl_t *r, const int64_t xs[4],
                     const int64_t ws[4], int shift, int zp) {
  nc_test_alloc(&r->x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&r->w, NC_DTYPE_INT8, 4, ws);
  nc_rng_fill(g, &r->x, -128, 127);
  nc_rng_fill(g, &r->w, -128, 127);
  rq_int8_(&r->l, shift);
  r->l.rq.out_zp = zp;
}

/* The lecture's convolution: the exact volume the slides print. */
static void lecture_(const char *backend) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  nc_accel_t *a = plan_open(backend, NULL);
  nc_plan_req_t req = {&l, &x, &w, &b, NULL, NULL, NULL};
  nc_accel_stats_t st;
  cr_assert_eq(nc_accel_run(a, &req, &y, &st), NC_OK, "%s", nc_error_detail());
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(((int32_t *)y.data)[2 * i], nc_seed_out0[i], "o[%d,%d,0]",
                 i / 3, i % 3);
    cr_assert_eq(((int32_t *)y.data)[2 * i + 1], nc_seed_out1[i], "o[%d,%d,1]",
                 i / 3, i % 3);
  }
  cr_assert_eq(st.macs, 3u * 3 * 2 * 27);
  cr_assert_gt(st.cycles, 0);
  nc_tensor_free(&y);
  /* The lecture's pooling example: 2x2 max pooling, stride 2, on 4x4. */
  static const int8_t px[16] = {1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4};
  static const int8_t pwant[4] = {6, 8, 3, 4};
  nc_tensor_t pin, pout;
  const int64_t ps[4] = {1, 4, 4, 1};
  nc_test_alloc(&pin, NC_DTYPE_INT8, 4, ps);
  memcpy(pin.data, px, 16);
  nc_layer_t pl;
  nc_layer_init(&pl, NC_LAYER_MAXPOOL);
  pl.pool_h = pl.pool_w = pl.stride_h = pl.stride_w = 2;
  nc_plan_req_t preq = {&pl, &pin, NULL, NULL, NULL, NULL, NULL};
  cr_assert_eq(nc_accel_run(a, &preq, &pout, NULL), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(memcmp(pout.data, pwant, 4), 0, "max pool 2x2/2");
  nc_tensor_free(&pin);
  nc_tensor_free(&pout);
  nc_accel_close(a);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
}

Test(plan, lecture_examples_model) {
  lecture_("model");
}

Test(plan, lecture_examples_rtl) {
  if (plan_backend_or_skip("rtl")) {
    lecture_("rtl");
  }
}

/* Random layers of every kind; each prints how to reproduce it. */
static void random_layers_(const char *backend, const char *name, int iters,
                           int small, const nc_plan_caps_t *caps) {
  nc_rng_t g;
  const uint64_t seed = nc_test_seed(&g, "plan", name, 4004);
  char repro[512];
  char exe[256] = "build/tests/neocog_tests";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = n > 0 ? '\0' : exe[0];
  snprintf(repro, sizeof repro, "NEOCOG_SEED=%llu %s --filter 'plan/%s'",
           (unsigned long long)seed, exe, name);
  nc_accel_t *a = plan_open(backend, caps);
  for (int it = 0; it < iters; it++) {
    rl_t r;
    rl_random(&g, -1, small, &r);
    char what[400];
    snprintf(what, sizeof what, "iteration %d: %s", it, r.what);
    snprintf(r.what, sizeof r.what, "%.300s", what);
    rl_check(a, &r, repro, NULL);
    rl_free(&r);
  }
  nc_accel_close(a);
}

Test(plan, random_layers_model) {
  random_layers_("model", "random_layers_model", 120, 0, NULL);
}

Test(plan, random_layers_rtl) {
  if (plan_backend_or_skip("rtl")) {
    random_layers_("rtl", "random_layers_rtl", 12, 1, NULL);
  }
}

/* Tiny on-chip memories: every dimension has to be tiled (output rows and
 * columns, output channels, the reduction with accumulation), and the
 * parameters reloaded per channel group. */
Test(plan, random_layers_tiny_capacity) {
  nc_plan_caps_t c;
  nc_plan_caps_default(&c);
  c.spad_rows = 300;
  c.acc_rows = 64;
  c.param_entries = 32;
  random_layers_("model", "random_layers_tiny_capacity", 60, 1, &c);
}

Test(plan, tiling_along_every_dimension) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "tiling_along_every_dimension", 77);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = 1;
  const int64_t xs[4] = {1, 20, 24, 70}, ws[4] = {50, 3, 3, 70}, bs[1] = {50};
  nc_test_alloc(&r.x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&r.w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&r.b, NC_DTYPE_INT32, 1, bs);
  r.has_b = 1;
  nc_rng_fill(&g, &r.x, -128, 127);
  nc_rng_fill(&g, &r.w, -128, 127);
  nc_rng_fill(&g, &r.b, -1000, 1000);
  snprintf(r.what, sizeof r.what, "conv 20x24x70 -> 50, 3x3 pad 1, tiny");
  nc_plan_caps_t c;
  nc_plan_caps_default(&c);
  c.spad_rows = 400; /* < one 3x3 x 70-channel input tile of a row */
  c.acc_rows = 40;   /* 20 rows per half: < one output row */
  c.param_entries = 16;
  c.im2col = 0;
  nc_accel_t *a = plan_open("model", &c);
  nc_accel_stats_t st;
  rl_check(a, &r, "build/tests/neocog_tests --filter 'plan/tiling*'", &st);
  cr_assert_gt(st.plan.tiles, 20, "%s", st.plan.summary);
  cr_assert_lt(st.plan.tile_h * st.plan.tile_w, 20 * 24, "%s", st.plan.summary);
  cr_assert_lt(st.plan.oc_chunks, 4, "%s", st.plan.summary);
  cr_assert_lt(st.plan.kc_chunks, 5, "%s", st.plan.summary);
  nc_accel_close(a);
  rl_free(&r);
}

/* The cost model replays the model's timing rules: its prediction must be
 * within 5% of what the model counts, on every kind of layer. */
Test(plan, prediction_within_5_percent_on_model) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "prediction_within_5_percent_on_model", 5);
  nc_accel_t *a = plan_open("model", NULL);
  for (int it = 0; it < 30; it++) {
    rl_t r;
    rl_random(&g, -1, 0, &r);
    nc_accel_stats_t st;
    rl_check(a, &r, "see the seed line", &st);
    const double e = (double)st.predicted_cycles / (double)st.cycles - 1;
    cr_assert(e < 0.05 && e > -0.05, "%s: predicted %llu, measured %llu",
              r.what, (unsigned long long)st.predicted_cycles,
              (unsigned long long)st.cycles);
    cr_assert_eq(st.array_macs, st.plan.array_macs, "%s", r.what);
    rl_free(&r);
  }
  nc_accel_close(a);
}

/* One fixed conv layer of the rtl accuracy test. */
typedef struct {
  const char *what;
  int64_t H, W, C, O, K, S, P, groups; /* groups 0: 1 */
  int pool;                            /* fused 2x2/2 max pooling */
} cal_layer_t;

/* The cost model follows the RTL's timing (base/include/neocog/timing.h): on a few
 * small layers of each kind (1x1, 3x3, first layer with C = 3, fused
 * pooling, depthwise, one wide enough that LOADs and STOREs share the memory
 * port, a layer tiled along its reduction) the prediction is
 * within 5% of the cycles the RTL counts. Simulated cycles are
 * deterministic, so this is an accuracy check, not a timing one. */
Test(plan, prediction_within_5_percent_on_rtl) {
  if (!plan_backend_or_skip("rtl")) {
    return;
  }
  static const cal_layer_t layers[] = {
      {"conv 1x1 14x14x64 -> 64", 14, 14, 64, 64, 1, 1, 0, 0, 0},
      {"conv 3x3 16x16x32 -> 32 pad 1", 16, 16, 32, 32, 3, 1, 1, 0, 0},
      {"first layer 3x3 24x24x3 -> 16", 24, 24, 3, 16, 3, 1, 1, 0, 0},
      {"conv 3x3 16x16x16 -> 32 + max pool 2x2/2", 16, 16, 16, 32, 3, 1, 1, 0,
       1},
      {"depthwise 3x3 16x16x32", 16, 16, 32, 32, 3, 1, 1, 32, 0},
      /* MobileNet dw7-11: the next tiles' LOADs share the port with the
       * STOREs. */
      {"depthwise 3x3 14x14x512", 14, 14, 512, 512, 3, 1, 1, 512, 0},
      /* MobileNet dw13 and dw4: a tile per block whose STORE shares the
       * port with the next block's LOADs, and stride 2, where the next
       * tile's LOAD shares it with the STOREs. */
      {"depthwise 3x3 7x7x1024", 7, 7, 1024, 1024, 3, 1, 1, 1024, 0},
      {"depthwise 3x3/2 56x56x128", 56, 56, 128, 128, 3, 2, 1, 128, 0},
      {"conv 3x3/2 10x10x96 -> 48", 10, 10, 96, 48, 3, 2, 1, 0, 0},
  };
  nc_rng_t g;
  nc_test_seed(&g, "plan", "prediction_within_5_percent_on_rtl", 6);
  nc_accel_t *a = plan_open("rtl", NULL);
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    const cal_layer_t *c = &layers[i];
    rl_t r;
    memset(&r, 0, sizeof r);
    nc_layer_init(&r.l, NC_LAYER_CONV2D);
    r.l.stride_h = r.l.stride_w = (int)c->S;
    r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = (int)c->P;
    r.l.groups = c->groups ? (int)c->groups : 1;
    const int64_t xs[4] = {1, c->H, c->W, c->C};
    const int64_t ws[4] = {c->O, c->K, c->K, c->C / r.l.groups};
    conv_rl_(&g, &r, xs, ws, -10, 0);
    if (c->pool) {
      r.has_pool = 1;
      nc_layer_init(&r.pool, NC_LAYER_MAXPOOL);
      r.pool.pool_h = r.pool.pool_w = r.pool.stride_h = r.pool.stride_w = 2;
    }
    snprintf(r.what, sizeof r.what, "%s", c->what);
    nc_accel_stats_t st;
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan/prediction*'",
             &st);
    const double e = (double)st.predicted_cycles / (double)st.cycles - 1;
    cr_assert(e < 0.05 && e > -0.05,
              "%s (%s): predicted %llu, rtl measured %llu (%+.1f%%)", r.what,
              st.plan.summary, (unsigned long long)st.predicted_cycles,
              (unsigned long long)st.cycles, 100 * e);
    rl_free(&r);
  }
  nc_accel_close(a);
}

/* A first layer (C = 3) packs its taps into the reduction dimension when
 * that is faster, the load unit gathering them from the plain input, and
 * then uses more than half of the array. */
Test(plan, first_layer_packs_taps) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "first_layer_packs_taps", 3);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = 1;
  const int64_t xs[4] = {1, 32, 32, 3}, ws[4] = {64, 3, 3, 3};
  conv_rl_(&g, &r, xs, ws, -8, 0);
  snprintf(r.what, sizeof r.what, "conv 32x32x3 -> 64, 3x3");
  nc_accel_t *a = plan_open("model", NULL);
  nc_accel_stats_t st;
  rl_check(a, &r, "build/tests/neocog_tests --filter 'plan/first*'", &st);
  cr_assert_eq(st.plan.lowering, NC_PLAN_IM2COL_LOAD, "%s", st.plan.summary);
  cr_assert_gt(st.pe_utilization, 0.5, "%s: %.3f", st.plan.summary,
               st.pe_utilization);
  nc_accel_close(a);
  rl_free(&r);
}

/* Small-C layers go through the load unit's im2col on the model and the
 * RTL, bit-exact with golden: one channel, three, a receptive field split
 * over many rows (7x7 and 9x9 x 3), stride 2 with SAME padding, asymmetric
 * strides and padding, fused pooling. Their input is read about once: the
 * model's bytes read stay under the compulsory ones, the program and half
 * of the packed input that host im2col would read. */
Test(plan, first_layers_im2col_load_bit_exact) {
  static const struct {
    const char *what;
    int H, W, C, O, KH, KW, SH, SW, pt, pb, pl, pr, pool, same;
  } ls[] = {
      {"C=1 3x3 pad 1", 20, 18, 1, 8, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0},
      {"C=3 3x3/2 SAME", 23, 22, 3, 32, 3, 3, 2, 2, 0, 0, 0, 0, 0, 1},
      {"C=3 7x7/2 pad 3", 30, 28, 3, 20, 7, 7, 2, 2, 3, 3, 3, 3, 0, 0},
      {"C=3 9x9 + max pool 2x2/2", 21, 21, 3, 24, 9, 9, 1, 1, 0, 0, 0, 0, 1,
       0},
      {"C=2 5x3 stride 2x1 pads 2,0,1,2", 17, 15, 2, 18, 5, 3, 2, 1, 2, 0, 1,
       2, 0, 0},
  };
  static const char *const backends[] = {"model", "rtl"};
  nc_rng_t g;
  nc_test_seed(&g, "plan", "first_layers_im2col_load_bit_exact", 20);
  for (size_t b = 0; b < 2; b++) {
    if (b == 1 && !plan_backend_or_skip("rtl")) {
      return;
    }
    nc_accel_t *a = plan_open(backends[b], NULL);
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++) {
      rl_t r;
      memset(&r, 0, sizeof r);
      nc_layer_init(&r.l, NC_LAYER_CONV2D);
      r.l.stride_h = ls[i].SH;
      r.l.stride_w = ls[i].SW;
      if (ls[i].same) {
        r.l.pad_mode = NC_PAD_SAME;
      } else {
        r.l.pad_top = ls[i].pt, r.l.pad_bottom = ls[i].pb;
        r.l.pad_left = ls[i].pl, r.l.pad_right = ls[i].pr;
      }
      const int64_t xs[4] = {1, ls[i].H, ls[i].W, ls[i].C};
      const int64_t ws[4] = {ls[i].O, ls[i].KH, ls[i].KW, ls[i].C};
      conv_rl_(&g, &r, xs, ws, -9, 3);
      if (ls[i].pool) {
        r.has_pool = 1;
        nc_layer_init(&r.pool, NC_LAYER_MAXPOOL);
        r.pool.pool_h = r.pool.pool_w = r.pool.stride_h = r.pool.stride_w = 2;
      }
      snprintf(r.what, sizeof r.what, "%s on %s", ls[i].what, backends[b]);
      nc_accel_stats_t st;
      rl_check(a, &r,
               "build/tests/neocog_tests --filter 'plan/first_layers_im2col*'",
               &st);
      cr_assert_eq(st.plan.lowering, NC_PLAN_IM2COL_LOAD, "%s: %s", r.what,
                   st.plan.summary);
      if (b == 0) {
        const int64_t oh = ls[i].same ? (ls[i].H + ls[i].SH - 1) / ls[i].SH
                                      : (ls[i].H + ls[i].pt + ls[i].pb -
                                         ls[i].KH) / ls[i].SH + 1;
        const int64_t ow = ls[i].same ? (ls[i].W + ls[i].SW - 1) / ls[i].SW
                                      : (ls[i].W + ls[i].pl + ls[i].pr -
                                         ls[i].KW) / ls[i].SW + 1;
        const int64_t k = ls[i].KH * ls[i].KW * ls[i].C;
        const double packed = (double)(oh * ow * ((k + 15) / 16) * 16);
        const double bound = (double)st.plan.compulsory_read + packed / 2 +
                             (double)st.plan.insns * NC_HW_INSN_BYTES;
        cr_assert_leq((double)st.dram_bytes_read, bound,
                      "%s: read %llu bytes, compulsory %llu (%s)", r.what,
                      (unsigned long long)st.dram_bytes_read,
                      (unsigned long long)st.plan.compulsory_read,
                      st.plan.summary);
      }
      rl_free(&r);
    }
    nc_accel_close(a);
  }
}

/* Runs r on the model with the load unit's im2col (st[0]) and with host
 * packing (st[1]); `im2col` is the caps' choice of lowering. */
static void both_im2col_(const rl_t *r, int im2col, double read_cost,
                         const char *repro, nc_accel_stats_t st[2]) {
  for (int host = 0; host < 2; host++) {
    nc_plan_caps_t c;
    nc_plan_caps_default(&c);
    c.im2col = im2col;
    c.read_cost = read_cost;
    c.host_im2col = host ? 2 : 0;
    nc_accel_t *a = plan_open("model", &c);
    rl_check(a, r, repro, &st[host]);
    cr_assert_eq(st[host].plan.lowering,
                 host ? NC_PLAN_IM2COL : NC_PLAN_IM2COL_LOAD, "%s",
                 st[host].plan.summary);
    nc_accel_close(a);
  }
}

/* The compulsory bytes: the input, weights and qparam records once, the
 * output once: 32x32x3 in, 16 x 3x3x3 weights, 16 records of 16 bytes,
 * 32x32x16 int8 out. Host im2col (forced) reads the packed input, 32 bytes
 * per output pixel, where the load unit's im2col reads it about once. */
Test(plan, compulsory_bytes_and_host_im2col_traffic) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "compulsory_bytes_and_host_im2col_traffic", 5);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = 1;
  const int64_t xs[4] = {1, 32, 32, 3}, ws[4] = {16, 3, 3, 3};
  conv_rl_(&g, &r, xs, ws, -8, 0);
  snprintf(r.what, sizeof r.what, "conv 32x32x3 -> 16, 3x3");
  nc_accel_stats_t both[2];
  nc_plan_caps_t dc;
  nc_plan_caps_default(&dc);
  both_im2col_(&r, 1, dc.read_cost,
               "build/tests/neocog_tests --filter 'plan/compulsory*'", both);
  uint64_t rd[2];
  for (int host = 0; host < 2; host++) {
    const nc_accel_stats_t *st = &both[host];
    cr_assert_eq(st->plan.compulsory_read, 32 * 32 * 3 + 16 * 27 + 16 * 16);
    cr_assert_eq(st->plan.compulsory_written, 32 * 32 * 16);
    cr_assert_eq(st->dram_bytes_written, st->plan.compulsory_written);
    rd[host] = st->dram_bytes_read - st->plan.insns * NC_HW_INSN_BYTES;
  }
  /* The packed input alone: 1024 pixels x 32 bytes. */
  cr_assert_geq(rd[1], 32 * 32 * 32, "host im2col read %llu",
                (unsigned long long)rd[1]);
  cr_assert_lt(rd[0], 2 * (32 * 32 * 3 + 16 * 27 + 16 * 16),
               "im2col LOAD read %llu", (unsigned long long)rd[0]);
  rl_free(&r);
}

/* A first layer with a large im2col LOAD tile (AlexNet conv1: 23 row
 * planes of each tile's pixels) takes no more cycles than with host
 * packing: the array starts on the first output chunk's weights and a
 * short first tile while the rest load. Ranked by cycles alone (read_cost
 * 0): by default the planner gives a little of them for fewer bytes. */
Test(plan, im2col_load_keeps_pace_with_host_packing) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "im2col_load_keeps_pace_with_host_packing", 4);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  r.l.stride_h = r.l.stride_w = 4;
  const int64_t xs[4] = {1, 227, 227, 3}, ws[4] = {96, 11, 11, 3};
  conv_rl_(&g, &r, xs, ws, -10, 0);
  snprintf(r.what, sizeof r.what, "conv 227x227x3 -> 96, 11x11/4");
  nc_accel_stats_t st[2];
  both_im2col_(&r, -1, 0,
               "build/tests/neocog_tests --filter 'plan/im2col_load*'", st);
  const uint64_t cyc[2] = {st[0].cycles, st[1].cycles};
  cr_assert_leq(cyc[0], cyc[1], "im2col LOAD %llu cycles, host im2col %llu",
                (unsigned long long)cyc[0], (unsigned long long)cyc[1]);
  rl_free(&r);
}

/* Depthwise layers: DWCONV (one channel per array column) where the kernel
 * fits it, the block-diagonal GEMMs where it does not (5 kernel lines,
 * dilation); bit-exact against golden either way, and past the
 * block-diagonal packing's bound of 1/16 of the array where DWCONV runs. */
static void depthwise_(const char *backend) {
  if (!plan_backend_or_skip(backend)) {
    return;
  }
  nc_rng_t g;
  nc_test_seed(&g, "plan", "depthwise", 5);
  static const struct {
    int hw, c, k, s, dil, pad, fused_pool, dwconv;
  } cases[] = {
      {20, 32, 3, 1, 1, 1, 0, 1},  /* MobileNet's stride 1, two blocks */
      {21, 48, 3, 2, 1, 1, 0, 1},  /* stride 2, three blocks */
      {12, 24, 2, 1, 1, 0, 0, 1},  /* a partial block, no padding */
      {9, 16, 4, 1, 1, 2, 1, 1},   /* kh * kw == rows, max pooling after */
      {10, 16, 5, 1, 1, 2, 0, 0},  /* 5 lines: more than dw_kh_max */
      {10, 16, 3, 1, 2, 2, 0, 0},  /* dilated */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rl_t r;
    memset(&r, 0, sizeof r);
    nc_layer_init(&r.l, NC_LAYER_CONV2D);
    r.l.groups = cases[i].c;
    r.l.stride_h = r.l.stride_w = cases[i].s;
    r.l.dil_h = r.l.dil_w = cases[i].dil;
    r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = cases[i].pad;
    const int64_t xs[4] = {1, cases[i].hw, cases[i].hw, cases[i].c};
    const int64_t ws[4] = {cases[i].c, cases[i].k, cases[i].k, 1};
    nc_test_alloc(&r.x, NC_DTYPE_INT8, 4, xs);
    nc_test_alloc(&r.w, NC_DTYPE_INT8, 4, ws);
    nc_rng_fill(&g, &r.x, -128, 127);
    nc_rng_fill(&g, &r.w, -128, 127);
    r.l.in_zp = (int32_t)nc_rng_range(&g, -20, 20); /* padding is not 0 */
    rq_int8_(&r.l, -7);
    if (cases[i].fused_pool) {
      r.has_pool = 1;
      nc_layer_init(&r.pool, NC_LAYER_MAXPOOL);
      r.pool.pool_h = r.pool.pool_w = 2;
      r.pool.stride_h = r.pool.stride_w = 2;
    }
    snprintf(r.what, sizeof r.what, "depthwise %dx%dx%d %dx%d/%d dil %d",
             cases[i].hw, cases[i].hw, cases[i].c, cases[i].k, cases[i].k,
             cases[i].s, cases[i].dil);
    nc_accel_t *a = plan_open(backend, NULL);
    nc_accel_stats_t st;
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan/depthwise*'",
             &st);
    cr_assert_eq(st.plan.lowering == NC_PLAN_DEPTHWISE, cases[i].dwconv,
                 "%s: %s", r.what, st.plan.summary);
    if (cases[i].dwconv && cases[i].s == 1 && cases[i].k == 3) {
      cr_assert_gt(st.pe_utilization, 1.0 / 16, "%s: %s: %.3f", r.what,
                   st.plan.summary, st.pe_utilization);
    }
    nc_accel_close(a);
    rl_free(&r);
  }
}

Test(plan, depthwise_model) {
  depthwise_("model");
}

Test(plan, depthwise_rtl, .timeout = 600) {
  depthwise_("rtl");
}

/* Fused pooling runs in the store path; forcing a second pass gives the
 * same bits. */
Test(plan, fused_pool_and_separate_pass_agree) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "fused_pool_and_separate_pass_agree", 11);
  for (int it = 0; it < 8; it++) {
    rl_t r;
    do {
      rl_random(&g, NC_LAYER_CONV2D, 1, &r);
      if (!r.has_pool || !r.l.rq.enabled) {
        rl_free(&r);
        continue;
      }
      break;
    } while (1);
    for (int pass = 0; pass < 2; pass++) {
      nc_plan_caps_t c;
      nc_plan_caps_default(&c);
      c.pool_pass = pass;
      nc_accel_t *a = plan_open("model", &c);
      nc_accel_stats_t st;
      rl_check(a, &r, "see the seed line", &st);
      cr_assert_eq(st.plan.pool, pass ? NC_PLAN_POOL_PASS : NC_PLAN_POOL_FUSED,
                   "%s", st.plan.summary);
      nc_accel_close(a);
    }
    rl_free(&r);
  }
}

/* The lecture's ConvNet (nets/convnet.net shapes, batch 1): conv 9x9 x64
 * with ReLU, max pool 10x10/5 fused, conv 9x9 x256. */
Test(plan, convnet_model) {
  nc_rng_t g;
  nc_test_seed(&g, "plan", "convnet_model", 1);
  nc_accel_t *a = plan_open("model", NULL);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  const int64_t xs[4] = {1, 83, 83, 3}, ws[4] = {64, 9, 9, 3};
  nc_test_alloc(&r.x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&r.w, NC_DTYPE_INT8, 4, ws);
  nc_rng_fill(&g, &r.x, -128, 127);
  nc_rng_fill(&g, &r.w, -128, 127);
  cr_assert_eq(nc_requant_init(&r.l.rq, NC_DTYPE_INT8, 0.0005, 0), NC_OK);
  nc_requant_clamp_relu(&r.l.rq);
  nc_layer_init(&r.pool, NC_LAYER_MAXPOOL);
  r.pool.pool_h = r.pool.pool_w = 10;
  r.pool.stride_h = r.pool.stride_w = 5;
  r.has_pool = 1;
  snprintf(r.what, sizeof r.what, "convnet conv1 + pool1");
  nc_accel_stats_t st;
  rl_check(a, &r, "build/tests/neocog_tests --filter 'plan/convnet*'", &st);
  /* conv2 on pool1's shape. */
  nc_tensor_t y;
  nc_plan_req_t req = {&r.l, &r.x, &r.w, NULL, &r.pool, NULL, NULL};
  cr_assert_eq(nc_accel_run(a, &req, &y, NULL), NC_OK);
  rl_t r2;
  memset(&r2, 0, sizeof r2);
  nc_layer_init(&r2.l, NC_LAYER_CONV2D);
  r2.x = y;
  const int64_t w2[4] = {256, 9, 9, 64};
  nc_test_alloc(&r2.w, NC_DTYPE_INT8, 4, w2);
  nc_rng_fill(&g, &r2.w, -128, 127);
  cr_assert_eq(nc_requant_init(&r2.l.rq, NC_DTYPE_INT8, 0.00008, 0), NC_OK);
  snprintf(r2.what, sizeof r2.what, "convnet conv2");
  rl_check(a, &r2, "build/tests/neocog_tests --filter 'plan/convnet*'", &st);
  cr_assert_eq(st.macs, 6u * 6 * 256 * 81 * 64);
  rl_free(&r2);
  rl_free(&r);
  nc_accel_close(a);
}

/* What the accelerator does not do is refused with a reason; bad shapes
 * get the golden reference's own errors. */
Test(plan, bad_inputs_are_clear_errors) {
  nc_tensor_t x, w, b;
  nc_seed_example_tensors(NC_DTYPE_FLOAT32, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  nc_plan_req_t req = {&l, &x, &w, &b, NULL, NULL, NULL};
  nc_plan_t *p = NULL;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "float32") != NULL, "%s",
            nc_error_detail());
  cr_assert_null(p);
  nc_accel_t *a = plan_open("model", NULL);
  nc_tensor_t y;
  cr_assert_eq(nc_accel_run(a, &req, &y, NULL), NC_ERR_UNSUPPORTED);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  /* Zero-sized input. */
  const int64_t xz[4] = {1, 0, 5, 3}, wz[4] = {2, 1, 1, 3};
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xz);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, wz);
  req = (nc_plan_req_t){&l, &x, &w, NULL, NULL, NULL, NULL};
  nc_status_t st = nc_plan_create(&req, NULL, &p);
  cr_assert_neq(st, NC_OK);
  cr_assert_neq(nc_error_detail()[0], '\0');
  nc_tensor_free(&x);
  /* Pooling window beyond the store path's 15. */
  const int64_t xs[4] = {1, 20, 20, 4};
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_layer_t pl;
  nc_layer_init(&pl, NC_LAYER_MAXPOOL);
  pl.pool_h = pl.pool_w = 16;
  req = (nc_plan_req_t){&pl, &x, NULL, NULL, NULL, NULL, NULL};
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "15") != NULL, "%s", nc_error_detail());
  /* Capacities out of range. */
  nc_plan_caps_t c;
  nc_plan_caps_default(&c);
  c.spad_rows = 10;
  pl.pool_h = pl.pool_w = 2;
  cr_assert_eq(nc_plan_create(&req, &c, &p), NC_ERR_INVALID_ARG);
  /* NULL arguments. */
  cr_assert_eq(nc_plan_create(NULL, NULL, &p), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_accel_run(a, NULL, &y, NULL), NC_ERR_INVALID_ARG);
  nc_accel_close(a);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  /* An unknown backend. */
  nc_accel_t *bad = NULL;
  cr_assert_eq(nc_accel_open("nope", NULL, &bad), NC_ERR_NOT_FOUND);
}

/* Timeline events: the device's retirements, one per instruction. */
static void trace_events_(const char *backend) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  nc_accel_options_t o;
  nc_accel_options_default(&o);
  o.trace = 1;
  nc_accel_t *a = NULL;
  cr_assert_eq(nc_accel_open(backend, &o, &a), NC_OK, "%s", nc_error_detail());
  nc_plan_req_t req = {&l, &x, &w, &b, NULL, NULL, NULL};
  nc_accel_stats_t st;
  cr_assert_eq(nc_accel_run(a, &req, &y, &st), NC_OK, "%s", nc_error_detail());
  cr_assert(st.timeline_measured, "%s", backend);
  size_t n = 0;
  const nc_dev_event_t *ev = nc_accel_events(a, &n);
  cr_assert_eq(n, st.insns, "one event per retired instruction");
  char *seen = calloc(n, 1);
  for (size_t i = 0; i < n; i++) {
    cr_assert_lt(ev[i].index, n);
    cr_assert_leq(ev[i].start, ev[i].end);
    cr_assert_leq(ev[i].end, st.cycles);
    seen[ev[i].index]++;
  }
  for (size_t i = 0; i < n; i++) {
    cr_assert_eq(seen[i], 1, "instruction %zu", i);
  }
  free(seen);
  nc_accel_close(a);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

Test(plan, trace_events_cover_every_instruction) {
  trace_events_("model");
  if (plan_backend_or_skip("rtl")) {
    trace_events_("rtl");
    trace_events_("lockstep");
  }
}

static void count_(void *ctx, const nc_dev_event_t *e) {
  (void)e;
  (*(int *)ctx)++;
}

/* The driver's trace hook: one call per retired instruction (the appended
 * FINISH included), not changeable while a submission is in flight. */
Test(plan, driver_trace_hook) {
  nc_dev_t *d = NULL;
  cr_assert_eq(nc_dev_open("model", NULL, &d), NC_OK);
  int n = 0;
  cr_assert_eq(nc_dev_set_trace(d, count_, &n), NC_OK);
  uint8_t ring[3 * NC_HW_INSN_BYTES];
  for (int i = 0; i < 3; i++) {
    nc_hw_insn_t s;
    nc_hw_sync_init(&s);
    nc_hw_sync_set_target(&s, NC_HW_QUEUE_COMPUTE);
    nc_hw_words_to_bytes(s.w, NC_HW_INSN_WORDS, ring + i * NC_HW_INSN_BYTES);
  }
  cr_assert_eq(nc_dev_submit(d, ring, 3), NC_OK);
  cr_assert_eq(nc_dev_set_trace(d, NULL, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_wait(d, 1000, NULL), NC_OK);
  cr_assert_eq(n, 4, "3 SYNCs and the FINISH");
  cr_assert_eq(nc_dev_set_trace(d, NULL, NULL), NC_OK);
  cr_assert_eq(nc_dev_set_trace(NULL, NULL, NULL), NC_ERR_INVALID_ARG);
  nc_dev_close(d);
}
