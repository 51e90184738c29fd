/*
 * The planner's DRAM-aware choices: first layers on the im2col LOAD read
 * their input about once (the byte weight of nc_plan_caps_t.read_cost),
 * the predicted bus bytes are what the RTL counts, and a max pool whose
 * window is a multiple of its stride runs split (an s x s / s pool in the
 * store path, an m x m / 1 pass), bit-exact against golden.
 */
#include <math.h>

#include "neocog/nc_hw.h"
#include "tests/plan/plan_test.h"

/* A random int8 conv (geometry set by the caller), requantized per tensor
 * to int8 by 2^shift / 2 with a ReLU. */
static void conv_(nc_rng_t *g, rl_t *r, const int64_t xs[4],
                  const int64_t ws[4], int shift) {
  nc_test_alloc(&r->x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&r->w, NC_DTYPE_INT8, 4, ws);
  nc_rng_fill(g, &r->x, -128, 127);
  nc_rng_fill(g, &r->w, -128, 127);
  r->l.rq.enabled = 1;
  r->l.rq.out_dtype = NC_DTYPE_INT8;
  r->l.rq.channels = 1;
  r->l.rq.mult[0] = 1 << 30;
  r->l.rq.shift[0] = shift;
  r->l.rq.act_min = 0;
  r->l.rq.act_max = 127;
}

typedef struct {
  const char *name;
  int hw, o, k, s, pt, pb; /* padding: top/left pt, bottom/right pb */
  double util;             /* the utilization it keeps, at least */
} first_t;

/* VGG-16 conv1_1, ResNet-50 conv1 and MobileNet conv1 (SAME), batch 1. */
static const first_t firsts_[] = {
    {"vgg16 conv1_1", 224, 64, 3, 1, 1, 1, 0.770},
    {"resnet50 conv1", 224, 64, 7, 2, 3, 3, 0.900},
    {"mobilenet conv1", 224, 32, 3, 2, 0, 1, 0.732},
};

static void first_rl_(nc_rng_t *g, const first_t *f, rl_t *r) {
  memset(r, 0, sizeof *r);
  nc_layer_init(&r->l, NC_LAYER_CONV2D);
  r->l.stride_h = r->l.stride_w = f->s;
  r->l.pad_top = r->l.pad_left = f->pt;
  r->l.pad_bottom = r->l.pad_right = f->pb;
  const int64_t xs[4] = {1, f->hw, f->hw, 3}, ws[4] = {f->o, f->k, f->k, 3};
  conv_(g, r, xs, ws, -9);
  snprintf(r->what, sizeof r->what, "%s", f->name);
}

/* With the default byte weight each first layer's plan reads at most 1.5x
 * its compulsory bytes over the bus (the planner's prediction, which the
 * next test ties to the RTL's counter) and keeps its utilization; ranked
 * by cycles alone, ResNet-50 conv1 takes narrow tiles whose halos read
 * more. */
Test(plan_dram, first_layers_read_their_input_about_once) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_dram", "first_layers_read_their_input_about_once",
               3);
  for (size_t i = 0; i < sizeof firsts_ / sizeof firsts_[0]; i++) {
    rl_t r;
    first_rl_(&g, &firsts_[i], &r);
    nc_accel_t *a = plan_open("model", NULL);
    nc_accel_stats_t st;
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan_dram/first*'",
             &st);
    nc_accel_close(a);
    const double ratio =
        (double)st.plan.bus_bytes_read / (double)st.plan.compulsory_read;
    cr_assert_eq(st.plan.lowering, NC_PLAN_IM2COL_LOAD, "%s: %s", r.what,
                 st.plan.summary);
    cr_assert_leq(ratio, 1.5, "%s: %llu bus bytes, %.2fx compulsory (%s)",
                  r.what, (unsigned long long)st.plan.bus_bytes_read, ratio,
                  st.plan.summary);
    cr_assert_geq(st.pe_utilization, firsts_[i].util, "%s: %.1f%% (%s)",
                  r.what, 100 * st.pe_utilization, st.plan.summary);
    if (i == 1) {
      nc_plan_caps_t c;
      nc_plan_caps_default(&c);
      c.read_cost = 0;
      a = plan_open("model", &c);
      nc_accel_stats_t s0;
      rl_check(a, &r, "build/tests/neocog_tests --filter 'plan_dram/first*'",
               &s0);
      nc_accel_close(a);
      cr_assert_gt((double)s0.plan.bus_bytes_read,
                   1.5 * (double)s0.plan.compulsory_read,
                   "%s by cycles alone: %llu bus bytes (%s)", r.what,
                   (unsigned long long)s0.plan.bus_bytes_read,
                   s0.plan.summary);
    }
    rl_free(&r);
  }
}

/* The predicted bus bytes are the RTL's PERF_RD_BYTES: whole beats of
 * every read segment (an im2col LOAD's lines, a plain LOAD's lines or rows),
 * LOAD_PARAM's two passes and the instruction fetch. */
Test(plan_dram, bus_bytes_are_what_the_rtl_reads) {
  if (!plan_backend_or_skip("rtl")) {
    return;
  }
  nc_rng_t g;
  nc_test_seed(&g, "plan_dram", "bus_bytes_are_what_the_rtl_reads", 7);
  static const struct {
    int h, w, c, o, k, s, pad;
  } cases[] = {
      {37, 29, 3, 24, 5, 2, 2}, /* im2col LOAD, 15-byte lines */
      {19, 17, 24, 40, 3, 1, 1}, /* direct: rows of 16 and 8 bytes */
      {13, 11, 5, 16, 1, 1, 0},  /* 1x1: lines of 5-byte pixels */
  };
  nc_accel_t *a = plan_open("rtl", NULL);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rl_t r;
    memset(&r, 0, sizeof r);
    nc_layer_init(&r.l, NC_LAYER_CONV2D);
    r.l.stride_h = r.l.stride_w = cases[i].s;
    r.l.pad_top = r.l.pad_bottom = r.l.pad_left = r.l.pad_right = cases[i].pad;
    const int64_t xs[4] = {1, cases[i].h, cases[i].w, cases[i].c};
    const int64_t ws[4] = {cases[i].o, cases[i].k, cases[i].k, cases[i].c};
    conv_(&g, &r, xs, ws, -8);
    snprintf(r.what, sizeof r.what, "conv %dx%dx%d -> %d, %dx%d/%d",
             cases[i].h, cases[i].w, cases[i].c, cases[i].o, cases[i].k,
             cases[i].k, cases[i].s);
    nc_accel_stats_t st;
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan_dram/bus*'",
             &st);
    cr_assert_eq(st.dram_bytes_read, st.plan.bus_bytes_read,
                 "%s: the RTL read %llu bytes, predicted %llu (%s)", r.what,
                 (unsigned long long)st.dram_bytes_read,
                 (unsigned long long)st.plan.bus_bytes_read, st.plan.summary);
    rl_free(&r);
  }
  nc_accel_close(a);
}

/* Max pools split (pool_pass 2) where the window is a multiple of the
 * stride, a separate pass where it is not (average, padding, 3 of 2),
 * bit-exact either way. */
static void split_(const char *backend) {
  if (!plan_backend_or_skip(backend)) {
    return;
  }
  nc_rng_t g;
  nc_test_seed(&g, "plan_dram", "split_pool", 13);
  static const struct {
    int hw, c, o, k, ph, pw, sh, sw, avg, pad, split;
  } cases[] = {
      {27, 3, 20, 3, 10, 10, 5, 5, 0, 0, 1}, /* the ConvNet's 10x10/5 */
      {18, 8, 16, 3, 4, 4, 2, 2, 0, 0, 1},
      {20, 3, 32, 5, 6, 2, 3, 2, 0, 0, 1}, /* split along y only */
      {19, 5, 16, 3, 4, 4, 2, 2, 0, 0, 1}, /* a conv row no window uses */
      {18, 8, 16, 3, 4, 4, 2, 2, 1, 0, 0}, /* average: not exact split */
      {18, 8, 16, 3, 4, 4, 2, 2, 0, 1, 0}, /* padded windows */
      {18, 8, 16, 3, 3, 3, 2, 2, 0, 0, 0}, /* 3 is not a multiple of 2 */
  };
  nc_plan_caps_t c;
  nc_plan_caps_default(&c);
  c.pool_pass = 2;
  nc_accel_t *a = plan_open(backend, &c);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rl_t r;
    memset(&r, 0, sizeof r);
    nc_layer_init(&r.l, NC_LAYER_CONV2D);
    const int64_t xs[4] = {1, cases[i].hw, cases[i].hw, cases[i].c};
    const int64_t ws[4] = {cases[i].o, cases[i].k, cases[i].k, cases[i].c};
    conv_(&g, &r, xs, ws, -8);
    nc_layer_init(&r.pool,
                  cases[i].avg ? NC_LAYER_AVGPOOL : NC_LAYER_MAXPOOL);
    r.pool.pool_h = cases[i].ph, r.pool.pool_w = cases[i].pw;
    r.pool.stride_h = cases[i].sh, r.pool.stride_w = cases[i].sw;
    r.pool.pad_top = r.pool.pad_left = cases[i].pad;
    r.has_pool = 1;
    snprintf(r.what, sizeof r.what,
             "conv %dx%dx%d -> %d %dx%d, %s pool %dx%d/%dx%d pad %d",
             cases[i].hw, cases[i].hw, cases[i].c, cases[i].o, cases[i].k,
             cases[i].k, cases[i].avg ? "avg" : "max", cases[i].ph,
             cases[i].pw, cases[i].sh, cases[i].sw, cases[i].pad);
    nc_accel_stats_t st;
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan_dram/split*'",
             &st);
    cr_assert_eq(st.plan.pool,
                 cases[i].split ? NC_PLAN_POOL_SPLIT : NC_PLAN_POOL_PASS,
                 "%s: %s", r.what, st.plan.summary);
    rl_free(&r);
  }
  nc_accel_close(a);
}

Test(plan_dram, split_pool_model) {
  split_("model");
}

Test(plan_dram, split_pool_rtl) {
  split_("rtl");
}

/* The lecture's ConvNet conv1 + pool1 (10x10/5): the cost model splits the
 * pool, which no tile then recomputes and no pass reads back whole: fewer
 * cycles and far fewer bytes than the separate pass over 75x75x64. */
Test(plan_dram, convnet_pool1_is_split) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_dram", "convnet_pool1_is_split", 2);
  rl_t r;
  memset(&r, 0, sizeof r);
  nc_layer_init(&r.l, NC_LAYER_CONV2D);
  const int64_t xs[4] = {1, 83, 83, 3}, ws[4] = {64, 9, 9, 3};
  conv_(&g, &r, xs, ws, -10);
  nc_layer_init(&r.pool, NC_LAYER_MAXPOOL);
  r.pool.pool_h = r.pool.pool_w = 10;
  r.pool.stride_h = r.pool.stride_w = 5;
  r.has_pool = 1;
  snprintf(r.what, sizeof r.what, "convnet conv1 + pool1");
  nc_accel_stats_t st[2];
  for (int k = 0; k < 2; k++) {
    nc_plan_caps_t c;
    nc_plan_caps_default(&c);
    c.pool_pass = k ? 1 : -1;
    nc_accel_t *a = plan_open("model", &c);
    rl_check(a, &r, "build/tests/neocog_tests --filter 'plan_dram/convnet*'",
             &st[k]);
    nc_accel_close(a);
  }
  cr_assert_eq(st[0].plan.pool, NC_PLAN_POOL_SPLIT, "%s", st[0].plan.summary);
  cr_assert_eq(st[1].plan.pool, NC_PLAN_POOL_PASS, "%s", st[1].plan.summary);
  cr_assert_lt(st[0].cycles, st[1].cycles);
  /* The pass reads the 75x75x64 copy back; the split 15x15x64. */
  cr_assert_lt(st[0].plan.bus_bytes_read + 75 * 75 * 64,
               st[1].plan.bus_bytes_read, "split %llu, pass %llu",
               (unsigned long long)st[0].plan.bus_bytes_read,
               (unsigned long long)st[1].plan.bus_bytes_read);
  rl_free(&r);
}

/* Out-of-range byte weights and pool placements are refused. */
Test(plan_dram, bad_caps_are_refused) {
  nc_tensor_t x;
  const int64_t xs[4] = {1, 8, 8, 16};
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_layer_t pl;
  nc_layer_init(&pl, NC_LAYER_MAXPOOL);
  pl.pool_h = pl.pool_w = 2;
  pl.stride_h = pl.stride_w = 2;
  nc_plan_req_t req = {&pl, &x, NULL, NULL, NULL, NULL, NULL};
  const double bad[] = {-0.5, 1.5, NAN};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    nc_plan_caps_t c;
    nc_plan_caps_default(&c);
    c.read_cost = bad[i];
    nc_plan_t *p = NULL;
    cr_assert_eq(nc_plan_create(&req, &c, &p), NC_ERR_INVALID_ARG);
    cr_assert_null(p);
    cr_assert(strstr(nc_error_detail(), "read cost") != NULL, "%s",
              nc_error_detail());
  }
  nc_plan_caps_t c;
  nc_plan_caps_default(&c);
  c.pool_pass = 3;
  nc_plan_t *p = NULL;
  cr_assert_eq(nc_plan_create(&req, &c, &p), NC_ERR_INVALID_ARG);
  cr_assert_null(p);
  c.pool_pass = 2;
  cr_assert_eq(nc_plan_create(&req, &c, &p), NC_OK, "%s", nc_error_detail());
  nc_plan_free(p);
  nc_tensor_free(&x);
}
