/*
 * The fast convolution algorithms (Winograd F(2x2,3x3) and F(4x4,3x3),
 * tiled FFT) against the golden reference and a float64 reference with
 * each algorithm's own tolerance; the weight cache; the fallbacks; the
 * cost model and --algo auto.
 */
#include "tests/opencl/ocl_test.h"

static nc_ocl_tuning_t algo_(nc_ocl_algo_t a, int tile) {
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  /* Where a direct run is part of a test, the general kernel: its program
   * serves every float shape, which keeps the compiles of the suite few. */
  t.path = a == NC_OCL_ALGO_DIRECT ? NC_OCL_PATH_GENERAL : NC_OCL_PATH_AUTO;
  t.algo = a;
  t.wino_m = a == NC_OCL_ALGO_WINOGRAD ? tile : 0;
  t.fft_n = a == NC_OCL_ALGO_FFT ? tile : 0;
  return t;
}

/* An algorithm with the general kernel for what runs directly. */
static nc_ocl_tuning_t general_(nc_ocl_algo_t a) {
  nc_ocl_tuning_t t = algo_(a, 0);
  t.path = NC_OCL_PATH_GENERAL;
  return t;
}

/* A float conv2d layer's tensors, uniform in [-1, 1]. */
static void tensors_(nc_rng_t *r, int64_t h, int64_t w, int64_t c, int64_t k,
                     int64_t ks, nc_tensor_t *x, nc_tensor_t *wt,
                     nc_tensor_t *b) {
  const int64_t xs[4] = {2, h, w, c}, ws[4] = {k, ks, ks, c}, bs[1] = {k};
  nc_test_alloc(x, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(wt, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(b, NC_DTYPE_FLOAT32, 1, bs);
  nc_rng_fill(r, x, -1, 1);
  nc_rng_fill(r, wt, -1, 1);
  nc_rng_fill(r, b, -1, 1);
}

/* The suite's 3x3 layer: 11x13x20 -> 40 channels (no multiple of the
 * tiles or vectors), padding 1 top and left and 2 at the bottom, ReLU. One
 * shape for most tests, so that they share their compiled programs. */
static void layer_a_(nc_rng_t *r, nc_tensor_t *x, nc_tensor_t *w,
                     nc_tensor_t *b, nc_layer_t *l) {
  tensors_(r, 11, 13, 20, 40, 3, x, w, b);
  nc_layer_init(l, NC_LAYER_CONV2D);
  l->pad_top = l->pad_left = 1;
  l->pad_bottom = 2;
  l->act = NC_ACT_RELU;
}

static void free3_(nc_tensor_t *a, nc_tensor_t *b, nc_tensor_t *c) {
  nc_tensor_free(a);
  nc_tensor_free(b);
  nc_tensor_free(c);
}

/* Runs with tuning t, asserts which algorithm ran and that the result is
 * within that algorithm's tolerance of the float64 reference; returns the
 * worst |error| / magnitude. */
static double run_checked_(nc_ocl_t *c, nc_ocl_tuning_t t, const nc_layer_t *l,
                           const nc_tensor_t *x, const nc_tensor_t *w,
                           const nc_tensor_t *b, nc_ocl_algo_t want,
                           int want_tile, nc_tensor_t *keep) {
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_OK, "%s", nc_error_detail());
  nc_tensor_t y;
  int st = nc_ocl_run_layer(c, l, x, w, b, &y);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_profile_t p;
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.algo, want, "ran %s, not %s", nc_ocl_algo_name(p.algo),
               nc_ocl_algo_name(want));
  cr_assert_eq(p.algo_tile, want_tile, "tile %d, not %d", p.algo_tile,
               want_tile);
  nc_check_report_t rep;
  double worst = -1;
  st = nc_ocl_check_last(c, l, x, w, b, &y, &rep, &worst);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  const double rtol = nc_ocl_algo_rtol(c, l, x, w);
  cr_assert(worst >= 0 && worst <= rtol, "worst %g > %g", worst, rtol);
  if (keep != NULL) {
    *keep = y;
  } else {
    nc_tensor_free(&y);
  }
  return worst;
}

/* Winograd F(2x2,3x3) and F(4x4,3x3) on a 3x3 layer whose sizes are no
 * multiple of the tiles or vectors, with padding and an activation: within
 * the golden reference's own tolerance (benign data) and the algorithm's
 * against float64. */
Test(ocl_fast, winograd_f2_f4) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "winograd_f2_f4", 1);
  nc_tensor_t x, w, b;
  nc_layer_t l;
  layer_a_(&r, &x, &w, &b, &l);
  for (int m = 2; m <= 4; m += 2) {
    nc_ocl_tuning_t t = algo_(NC_OCL_ALGO_WINOGRAD, m);
    ocl_test_check_tuned(c, &t, &l, &x, &w, &b, m == 2 ? "F2" : "F4");
    run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, m, NULL);
  }
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

/* FFT and Winograd (the kernel split into 3x3 blocks) on the lecture's
 * 9x9 kernel (stride 1), and both on an AlexNet-like 11x11 stride 4 layer
 * (folded to 3x3). */
Test(ocl_fast, fft_9x9_and_11x11_stride4) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "fft_9x9_and_11x11_stride4", 2);
  nc_tensor_t x, w, b;
  tensors_(&r, 20, 21, 3, 24, 9, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 2;
  nc_ocl_tuning_t t = algo_(NC_OCL_ALGO_FFT, 16);
  ocl_test_check_tuned(c, &t, &l, &x, &w, &b, "9x9 fft16");
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_FFT, 16, NULL);
  t = algo_(NC_OCL_ALGO_WINOGRAD, 4);
  ocl_test_check_tuned(c, &t, &l, &x, &w, &b, "9x9 F4 in 3x3 blocks");
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, 4, NULL);
  free3_(&x, &w, &b);

  tensors_(&r, 31, 31, 3, 16, 11, &x, &w, &b);
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 4;
  l.pad_top = l.pad_left = 2;
  t = algo_(NC_OCL_ALGO_FFT, 8);
  ocl_test_check_tuned(c, &t, &l, &x, &w, &b, "11x11/4 fft8");
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_FFT, 8, NULL);
  t = algo_(NC_OCL_ALGO_WINOGRAD, 4);
  ocl_test_check_tuned(c, &t, &l, &x, &w, &b, "11x11/4 F4");
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, 4, NULL);
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

/* The FFT's other sizes and odd shapes: N = 8, 32 and 64 (at 64 the
 * inverse holds 8 output channels per work-item, else 16), odd output
 * tiles M (the inverse's last pair of rows has one output row), channel
 * counts that fill no vector (the last block of output channels partial),
 * asymmetric padding, ReLU6 and a clamp: each within the golden
 * reference's tolerance and its own bound against float64. */
Test(ocl_fast, fft_sizes_odd_tiles_and_channels) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "fft_sizes_odd_tiles_and_channels", 10);
  static const struct {
    int n, h, w, c, k, ks, pad[4]; /* pad: top, bottom, left, right */
    nc_act_t act;
  } cases[] = {
      {8, 13, 11, 17, 33, 2, {1, 0, 1, 0}, NC_ACT_RELU6}, /* M = 7 */
      {32, 30, 37, 5, 20, 8, {1, 2, 0, 3}, NC_ACT_CLAMP}, /* M = 25 */
      {64, 61, 70, 3, 12, 5, {2, 2, 2, 2}, NC_ACT_NONE},  /* M = 60 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nc_tensor_t x, w, b;
    tensors_(&r, cases[i].h, cases[i].w, cases[i].c, cases[i].k,
             cases[i].ks, &x, &w, &b);
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    l.pad_top = cases[i].pad[0];
    l.pad_bottom = cases[i].pad[1];
    l.pad_left = cases[i].pad[2];
    l.pad_right = cases[i].pad[3];
    l.act = cases[i].act;
    l.act_lo = -0.5f;
    l.act_hi = 2.0f;
    char what[32];
    snprintf(what, sizeof what, "fft%d %dx%d", cases[i].n, cases[i].ks,
             cases[i].ks);
    nc_ocl_tuning_t t = algo_(NC_OCL_ALGO_FFT, cases[i].n);
    ocl_test_check_tuned(c, &t, &l, &x, &w, &b, what);
    run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_FFT, cases[i].n, NULL);
    free3_(&x, &w, &b);
  }
  nc_ocl_close(c);
}

/* Large dynamic range: magnitudes 2^-12 .. 2^12 with random signs, and a
 * few spikes of 2^20. Each algorithm stays within its own bound (printed:
 * the worst error over the magnitude against float64); Winograd's error
 * near a spike exceeds the direct tolerance (|bias| + sum |x w| of the
 * output's own window), which is why its bound carries the transforms. */
Test(ocl_fast, worst_error_large_dynamic_range) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "worst_error_large_dynamic_range", 3);
  nc_tensor_t x, w, b;
  nc_layer_t l;
  layer_a_(&r, &x, &w, &b, &l);
  l.act = NC_ACT_NONE;
  float *xf = x.data, *wf = w.data;
  for (size_t i = 0; i < nc_tensor_numel(&x); i++) {
    xf[i] = (xf[i] < 0 ? -1.0f : 1.0f) *
            ldexpf(1.0f, (int)nc_rng_range(&r, -12, 12));
  }
  for (size_t i = 0; i < nc_tensor_numel(&w); i++) {
    wf[i] = (wf[i] < 0 ? -1.0f : 1.0f) *
            ldexpf(1.0f, (int)nc_rng_range(&r, -12, 12));
  }
  for (int s = 0; s < 6; s++) {
    xf[nc_rng_range(&r, 0, (int64_t)nc_tensor_numel(&x) - 1)] = 1048576.0f;
  }
  static const struct {
    nc_ocl_algo_t a;
    int tile;
  } algos[] = {{NC_OCL_ALGO_DIRECT, 0},
               {NC_OCL_ALGO_WINOGRAD, 2},
               {NC_OCL_ALGO_WINOGRAD, 4},
               {NC_OCL_ALGO_FFT, 16}};
  int direct_tol_broken = 0;
  for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++) {
    nc_tensor_t y;
    const double worst =
        run_checked_(c, algo_(algos[i].a, algos[i].tile), &l, &x, &w, &b,
                     algos[i].a, algos[i].tile, &y);
    char what[64];
    nc_ocl_algo_describe(algos[i].a, algos[i].tile, what, sizeof what);
    fprintf(stderr,
            "ocl_fast: worst |error| / magnitude against float64: %-22s "
            "%.3g (bound %.3g)\n",
            what, worst, nc_ocl_algo_rtol(c, &l, &x, &w));
    nc_check_report_t rep;
    if (algos[i].a == NC_OCL_ALGO_WINOGRAD &&
        nc_check_layer(&l, &x, &w, &b, &y, NC_OCL_F32_RTOL, &rep) ==
            NC_ERR_MISMATCH) {
      direct_tol_broken++;
    }
    nc_tensor_free(&y);
  }
  cr_assert(direct_tol_broken > 0,
            "Winograd met the direct tolerance despite the spikes");
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

/* The check has teeth: a result one tolerance off fails it, with the
 * element named. */
Test(ocl_fast, check_rejects_a_wrong_element) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "check_rejects_a_wrong_element", 4);
  nc_tensor_t x, w, b, y;
  nc_layer_t l;
  layer_a_(&r, &x, &w, &b, &l);
  run_checked_(c, algo_(NC_OCL_ALGO_WINOGRAD, 4), &l, &x, &w, &b,
               NC_OCL_ALGO_WINOGRAD, 4, &y);
  float *yf = y.data;
  size_t at = 0;
  while (yf[at] <= 0.5f) {
    at++; /* an element the ReLU passes */
  }
  yf[at] *= 1.01f;
  nc_check_report_t rep;
  cr_assert_eq(nc_ocl_check_last(c, &l, &x, &w, &b, &y, &rep, NULL),
               NC_ERR_MISMATCH);
  cr_assert_eq(rep.mismatches, 1);
  cr_assert_eq(rep.index, (int64_t)at);
  cr_assert(strstr(nc_error_detail(), "winograd F(4x4,3x3)") != NULL, "%s",
            nc_error_detail());
  nc_tensor_free(&y);
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

/* The transformed weights are cached per layer: the second run reuses
 * them, new weight values are transformed again (and give their own
 * result). */
Test(ocl_fast, weights_transformed_once) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "weights_transformed_once", 5);
  nc_tensor_t x, w, b;
  nc_layer_t l;
  layer_a_(&r, &x, &w, &b, &l);
  nc_ocl_profile_t p;
  const nc_ocl_tuning_t t = algo_(NC_OCL_ALGO_WINOGRAD, 4);
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, 4, NULL);
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.weights_cached, 0, "a new context had the weights");
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, 4, NULL);
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.weights_cached, 1);
  ((float *)w.data)[7] += 0.5f;
  run_checked_(c, t, &l, &x, &w, &b, NC_OCL_ALGO_WINOGRAD, 4, NULL);
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.weights_cached, 0, "changed weights came from the cache");
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

/* The GEMM's register block follows the number of tiles (few tiles: up to
 * four 16-wide column vectors per work-item; many: two), and the packed
 * transformed weights follow the block. The same weights on a small and a
 * large image, then the small one again, with Winograd and FFT: each run
 * within its tolerance, the large image's weights transformed anew (another
 * layout), the small one's found again in the cache. */
Test(ocl_fast, gemm_block_follows_tiles) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "gemm_block_follows_tiles", 9);
  static const struct {
    nc_ocl_algo_t algo;
    int tile;
    int64_t big;
  } cases[] = {{NC_OCL_ALGO_WINOGRAD, 4, 30}, {NC_OCL_ALGO_FFT, 16, 60}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nc_tensor_t xs, xb, w, b;
    tensors_(&r, 6, 6, 20, 64, 3, &xs, &w, &b);
    const int64_t bigs[4] = {2, cases[i].big, cases[i].big, 20};
    nc_test_alloc(&xb, NC_DTYPE_FLOAT32, 4, bigs);
    nc_rng_fill(&r, &xb, -1, 1);
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
    const nc_ocl_tuning_t t = algo_(cases[i].algo, cases[i].tile);
    const nc_tensor_t *x[3] = {&xs, &xb, &xs};
    const int cached[3] = {0, 0, 1};
    for (int k = 0; k < 3; k++) {
      run_checked_(c, t, &l, x[k], &w, &b, cases[i].algo, cases[i].tile, NULL);
      nc_ocl_profile_t p;
      nc_ocl_last_profile(c, &p);
      cr_assert_eq(p.weights_cached, cached[k], "%s run %d: cached %d",
                   nc_ocl_algo_name(cases[i].algo), k, p.weights_cached);
    }
    free3_(&xs, &xb, &w);
    nc_tensor_free(&b);
  }
  nc_ocl_close(c);
}

/* Layers an algorithm does not take run directly, and say so. */
Test(ocl_fast, fallbacks_run_direct) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "fallbacks_run_direct", 6);
  nc_tensor_t x, w, b;
  tensors_(&r, 9, 9, 16, 16, 1, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  /* 1x1: nothing to gain */
  run_checked_(c, general_(NC_OCL_ALGO_WINOGRAD), &l, &x, &w, &b,
               NC_OCL_ALGO_DIRECT, 0, NULL);
  free3_(&x, &w, &b);
  tensors_(&r, 9, 9, 16, 16, 5, &x, &w, &b);
  /* dilation */
  l.dil_h = l.dil_w = 2;
  run_checked_(c, general_(NC_OCL_ALGO_FFT), &l, &x, &w, &b,
               NC_OCL_ALGO_DIRECT, 0, NULL);
  free3_(&x, &w, &b);
  /* groups */
  const int64_t xs[4] = {1, 8, 8, 16}, ws[4] = {16, 3, 3, 8}, bs[1] = {16};
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_FLOAT32, 1, bs);
  nc_rng_fill(&r, &x, -1, 1);
  nc_rng_fill(&r, &w, -1, 1);
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.groups = 2;
  run_checked_(c, general_(NC_OCL_ALGO_WINOGRAD), &l, &x, &w, &b,
               NC_OCL_ALGO_DIRECT, 0, NULL);
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}

Test(ocl_fast, bad_tuning_and_environment) {
  nc_ocl_t *c = ocl_test_open();
  nc_ocl_tuning_t t = algo_(NC_OCL_ALGO_WINOGRAD, 3);
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  t = algo_(NC_OCL_ALGO_FFT, 12);
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  t = algo_((nc_ocl_algo_t)9, 0);
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_ocl_set_algo(c, NC_OCL_ALGO_COUNT), NC_ERR_INVALID_ARG);
  nc_ocl_close(c);
  cr_assert_eq(nc_ocl_algo_parse("WinoGrad"), NC_OCL_ALGO_WINOGRAD);
  cr_assert_eq(nc_ocl_algo_parse("fast"), -1);
  setenv("NEOCOG_CL_ALGO", "strassen", 1);
  nc_ocl_t *c2 = NULL;
  cr_assert_eq(nc_ocl_open(&c2, NULL, NULL), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "NEOCOG_CL_ALGO='strassen'") != NULL,
            "%s", nc_error_detail());
  unsetenv("NEOCOG_CL_ALGO");
}

/* AUTO: the model is calibrated once and then read from the cache by a
 * new context; every choice it makes passes its check. */
Test(ocl_fast, auto_cost_model_cached) {
  nc_ocl_t *c = ocl_test_open();
  nc_ocl_cost_t m1, m2;
  cr_assert_eq(nc_ocl_cost_model(c, &m1), NC_OK, "%s", nc_error_detail());
  cr_assert(m1.direct_ns_mac > 0 && m1.gemm_ns_mac > 0 &&
            m1.wino_ns_pt > 0 && m1.fft_ns_pt > 0);
  nc_ocl_close(c);
  c = ocl_test_open();
  cr_assert_eq(nc_ocl_cost_model(c, &m2), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(m2.from_cache, 1, "the second context calibrated again");
  cr_assert(fabs(m2.gemm_ns_mac - m1.gemm_ns_mac) <= 1e-12 * m1.gemm_ns_mac);
  nc_rng_t r;
  nc_test_seed(&r, "ocl_fast", "auto_cost_model_cached", 7);
  nc_tensor_t x, w, b;
  nc_layer_t l;
  layer_a_(&r, &x, &w, &b, &l);
  cr_assert_eq(nc_ocl_set_algo(c, NC_OCL_ALGO_AUTO), NC_OK);
  nc_tensor_t y;
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, &w, &b, &y), NC_OK, "%s",
               nc_error_detail());
  nc_ocl_profile_t p;
  nc_ocl_last_profile(c, &p);
  cr_assert_neq(p.algo, NC_OCL_ALGO_AUTO);
  nc_check_report_t rep;
  cr_assert_eq(nc_ocl_check_last(c, &l, &x, &w, &b, &y, &rep, NULL), NC_OK,
               "%s", nc_error_detail());
  nc_tensor_free(&y);
  free3_(&x, &w, &b);
  nc_ocl_close(c);
}
