/*
 * conv2d on the OpenCL device against the golden reference: the lecture's
 * worked example with its printed values, layers shaped like the
 * benchmark's, and constrained-random layers over every parameter (kernel,
 * stride, dilation, padding and SAME, groups, zero points, pad value,
 * requantization per tensor and per channel, activations), each through
 * the general kernel and the tiled fast path.
 */
#include "tests/opencl/ocl_test.h"
#include "testkit/seed_data.h"

Test(ocl_conv, lecture_example_int8) {
  nc_ocl_t *c = ocl_test_open();
  nc_tensor_t x, w, b, o;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  for (int path = NC_OCL_PATH_GENERAL; path <= NC_OCL_PATH_LOCAL; path++) {
    ocl_test_path(c, (nc_ocl_path_t)path);
    int st = nc_ocl_run_layer(c, &l, &x, &w, &b, &o);
    cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
    cr_assert_eq(o.dtype, NC_DTYPE_INT32);
    cr_assert_eq(o.shape[1], 3);
    cr_assert_eq(o.shape[2], 3);
    cr_assert_eq(o.shape[3], 2);
    const int32_t *y = o.data;
    for (int i = 0; i < 9; i++) {
      cr_assert_eq(y[2 * i], nc_seed_out0[i], "path %d o0[%d] = %d, not %d",
                   path, i, y[2 * i], nc_seed_out0[i]);
      cr_assert_eq(y[2 * i + 1], nc_seed_out1[i], "path %d o1[%d] = %d, not %d",
                   path, i, y[2 * i + 1], nc_seed_out1[i]);
    }
    nc_tensor_free(&o);
  }
  ocl_test_check(c, &l, &x, &w, &b, "lecture example int8");
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_ocl_close(c);
}

Test(ocl_conv, lecture_example_float) {
  nc_ocl_t *c = ocl_test_open();
  nc_tensor_t x, w, b, o;
  nc_seed_example_tensors(NC_DTYPE_FLOAT32, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  for (int path = NC_OCL_PATH_GENERAL; path <= NC_OCL_PATH_LOCAL; path++) {
    ocl_test_path(c, (nc_ocl_path_t)path);
    int st = nc_ocl_run_layer(c, &l, &x, &w, &b, &o);
    cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
    const float *y = o.data;
    for (int i = 0; i < 9; i++) {
      /* Small integers: every order of summation is exact. */
      cr_assert_eq(y[2 * i], (float)nc_seed_out0[i]);
      cr_assert_eq(y[2 * i + 1], (float)nc_seed_out1[i]);
    }
    nc_tensor_free(&o);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_ocl_close(c);
}

/* The lecture's "6 5x5 filters on a 32x32x3 image give 28x28x6". */
Test(ocl_conv, lecture_six_filters) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_conv", "lecture_six_filters", 6);
  const int64_t xs[4] = {1, 32, 32, 3}, ws[4] = {6, 5, 5, 3}, bs[1] = {6};
  nc_tensor_t x, w, b;
  nc_test_alloc(&x, NC_DTYPE_UINT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
  nc_rng_fill(&r, &x, 0, 255);
  nc_rng_fill(&r, &w, -128, 127);
  nc_rng_fill(&r, &b, -5000, 5000);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.in_zp = 128;
  l.pad_value = 128;
  ocl_test_check(c, &l, &x, &w, &b, "six 5x5 filters");
  nc_ocl_close(c);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
}

static const nc_dtype_t dts_[3] = {NC_DTYPE_FLOAT32, NC_DTYPE_INT8,
                                   NC_DTYPE_UINT8};

Test(ocl_conv, random_shapes, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "random_shapes", 5005);
  int done = 0;
  for (int it = 0; done < 15 && it < 1000; it++) {
    nc_dtype_t dt = dts_[done % 3];
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    int64_t n = nc_rng_range(&r, 1, 2), h = nc_rng_range(&r, 1, 12),
            wd = nc_rng_range(&r, 1, 12), ch = nc_rng_range(&r, 1, 24),
            oc = nc_rng_range(&r, 1, 40), kh = nc_rng_range(&r, 1, 4),
            kw = nc_rng_range(&r, 1, 4);
    l.stride_h = (int)nc_rng_range(&r, 1, 3);
    l.stride_w = (int)nc_rng_range(&r, 1, 3);
    l.dil_h = (int)nc_rng_range(&r, 1, 2);
    l.dil_w = (int)nc_rng_range(&r, 1, 2);
    if (nc_rng_range(&r, 0, 4) == 0) {
      l.pad_mode = NC_PAD_SAME;
    } else {
      l.pad_top = (int)nc_rng_range(&r, 0, 2);
      l.pad_bottom = (int)nc_rng_range(&r, 0, 2);
      l.pad_left = (int)nc_rng_range(&r, 0, 2);
      l.pad_right = (int)nc_rng_range(&r, 0, 2);
    }
    /* Every third layer grouped, by a divisor of both channel counts. */
    if (done % 3 == 2) {
      int64_t gr = nc_rng_range(&r, 1, 4);
      ch = ch / gr * gr + (ch < gr ? gr : 0);
      oc = oc / gr * gr + (oc < gr ? gr : 0);
      l.groups = (int)gr;
    }
    const int64_t xs[4] = {n, h, wd, ch};
    const int64_t ws[4] = {oc, kh, kw, ch / l.groups};
    const int64_t bs[1] = {oc};
    nc_geom_t g;
    if (nc_layer_geometry(&l, xs, 4, ws, 4, oc, &g) != NC_OK) {
      continue; /* window larger than the padded input: draw again */
    }
    ocl_test_random_numerics(&r, &l, dt, oc);
    nc_tensor_t x, w, b;
    ocl_test_random_tensors(&r, dt, xs, 4, ws, 4, bs, 1, &x, &w, &b);
    int no_bias = nc_rng_range(&r, 0, 4) == 0;
    char label[320];
    snprintf(label, sizeof label,
             "seed %llu case %d: %s x[%lld,%lld,%lld,%lld] w[%lld,%lld,%lld,"
             "%lld] stride %dx%d dil %dx%d pad %s%d,%d,%d,%d groups %d zp %d "
             "padv %d rq %d/%d act %d%s",
             (unsigned long long)seed, done, nc_dtype_name(dt), (long long)n,
             (long long)h, (long long)wd, (long long)ch, (long long)oc,
             (long long)kh, (long long)kw, (long long)(ch / l.groups),
             l.stride_h, l.stride_w, l.dil_h, l.dil_w,
             l.pad_mode == NC_PAD_SAME ? "SAME " : "", l.pad_top, l.pad_bottom,
             l.pad_left, l.pad_right, l.groups, (int)l.in_zp, (int)l.pad_value,
             l.rq.enabled, l.rq.channels, (int)l.act,
             no_bias ? " no bias" : "");
    ocl_test_check(c, &l, &x, &w, no_bias ? NULL : &b, label);
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    done++;
  }
  cr_assert_eq(done, 15, "only %d layers drawn", done);
  nc_ocl_close(c);
}

/* Shapes like the benchmark's, scaled down: many channels, tile tails in
 * both the columns and the output channels. */
Test(ocl_conv, wide_layers, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "wide_layers", 77);
  static const struct {
    int64_t h, w, c, o, k, s, p;
  } cases[] = {
      {14, 14, 64, 64, 3, 1, 1}, /* VGG-like 3x3, pad 1 */
      {7, 9, 64, 72, 1, 1, 0},   /* ResNet 1x1, channel tail */
      {23, 23, 3, 48, 11, 4, 2}, /* AlexNet conv1-like */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int d = 0; d < 2; d++) {
      nc_dtype_t dt = d == 0 ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8;
      const int64_t xs[4] = {1, cases[i].h, cases[i].w, cases[i].c};
      const int64_t ws[4] = {cases[i].o, cases[i].k, cases[i].k, cases[i].c};
      const int64_t bs[1] = {cases[i].o};
      nc_layer_t l;
      nc_layer_init(&l, NC_LAYER_CONV2D);
      l.stride_h = l.stride_w = (int)cases[i].s;
      l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = (int)cases[i].p;
      ocl_test_random_numerics(&r, &l, dt, cases[i].o);
      nc_tensor_t x, w, b;
      ocl_test_random_tensors(&r, dt, xs, 4, ws, 4, bs, 1, &x, &w, &b);
      char label[160];
      snprintf(label, sizeof label, "seed %llu wide case %zu %s",
               (unsigned long long)seed, i, nc_dtype_name(dt));
      ocl_test_check(c, &l, &x, &w, &b, label);
      nc_tensor_free(&x);
      nc_tensor_free(&w);
      nc_tensor_free(&b);
    }
  }
  nc_ocl_close(c);
}

/* The tiled kernel reads its weights as one contiguous slice per block of
 * output channels: every block width (tile_ov 1..4 vectors of 16) with
 * several blocks and a partial last one, float and int8, with a stride and
 * a column tail, against the golden reference; on a CPU device the int8
 * pairs kernel (its own weight layout) takes the same block widths. */
Test(ocl_conv, tiled_weight_blocks, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "tiled_weight_blocks", 31);
  const int64_t xs[4] = {2, 9, 11, 21};
  const int64_t ws[4] = {150, 3, 2, 21};
  const int64_t bs[1] = {150};
  const int nvariants = nc_ocl_device(c)->is_gpu ? 2 : 3;
  for (int tov = 1; tov <= 4; tov++) {
    for (int d = 0; d < nvariants; d++) {
      nc_dtype_t dt = d == 0 ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8;
      nc_layer_t l;
      nc_layer_init(&l, NC_LAYER_CONV2D);
      l.stride_w = 2;
      l.pad_top = l.pad_bottom = l.pad_left = 1;
      ocl_test_random_numerics(&r, &l, dt, ws[0]);
      nc_tensor_t x, w, b;
      ocl_test_random_tensors(&r, dt, xs, 4, ws, 4, bs, 1, &x, &w, &b);
      nc_ocl_tuning_t t;
      memset(&t, 0, sizeof t);
      t.path = NC_OCL_PATH_FAST;
      t.tile_w = 3;
      t.tile_ov = tov;
      t.int8 = d == 2 ? NC_OCL_INT8_PAIRS : NC_OCL_INT8_FLOAT;
      const char *want = d == 2 ? "nc_conv_pairs" : "nc_conv_tiled";
      char label[160];
      snprintf(label, sizeof label, "seed %llu tile_ov %d %s %s",
               (unsigned long long)seed, tov, nc_dtype_name(dt), want);
      ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
      nc_ocl_profile_t p;
      nc_ocl_last_profile(c, &p);
      cr_assert_str_eq(p.kernel, want, "%s: ran %s", label, p.kernel);
      nc_tensor_free(&x);
      nc_tensor_free(&w);
      nc_tensor_free(&b);
    }
  }
  nc_ocl_close(c);
}

/* Auto picks the tiled kernel for a wide layer and the general one for a
 * grouped layer. */
Test(ocl_conv, auto_path_choice) {
  nc_ocl_t *c = ocl_test_open();
  const int64_t xs[4] = {1, 8, 8, 32}, ws[4] = {32, 3, 3, 32};
  const int64_t wgs[4] = {32, 3, 3, 16};
  nc_tensor_t x, w, wg, o;
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(&wg, NC_DTYPE_FLOAT32, 4, wgs);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  nc_ocl_profile_t p;
  int st = nc_ocl_run_layer(c, &l, &x, &w, NULL, &o);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_conv_tiled");
  cr_assert_gt(p.kernel_ns, 0);
  nc_tensor_free(&o);
  l.groups = 2;
  st = nc_ocl_run_layer(c, &l, &x, &wg, NULL, &o);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_mac_general");
  nc_tensor_free(&o);
  /* An int8 layer runs in integer pairs on a CPU. */
  nc_tensor_t xi, wi;
  nc_test_alloc(&xi, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&wi, NC_DTYPE_INT8, 4, ws);
  l.groups = 1;
  st = nc_ocl_run_layer(c, &l, &xi, &wi, NULL, &o);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_conv_pairs");
  nc_tensor_free(&o);
  nc_tensor_free(&xi);
  nc_tensor_free(&wi);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&wg);
  nc_ocl_close(c);
}

/* The tiled path's two integer formulations (kernels/conv.cl) at their
 * edges. Float chunks: products summed in float chunks of at most 512,
 * so the largest products (255 * -127) and channel counts above the chunk
 * must stay exact. Pairs: 16-bit pairs of channels, so odd channel counts
 * (a zero channel added) and the extremes of x - in_zp (+-255) times
 * -128. Each case must run on the kernel its formulation names. Pairs are
 * written in clang's OpenCL C (vectors of 32 shorts): CPU devices only. */
Test(ocl_conv, int8_tiled_extremes, .timeout = 180) {
  nc_ocl_t *c = ocl_test_open();
  const int nforms = nc_ocl_device(c)->is_gpu ? 1 : 2;
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "int8_tiled_extremes", 99);
  static const struct {
    int64_t h, c, o, k;
  } cases[] = {
      {3, 1100, 20, 1}, /* two full chunks and a partial one per tap */
      {6, 40, 33, 5},   /* a flush every 12 taps */
      {5, 512, 16, 3},  /* exactly one chunk per tap */
      {7, 3, 64, 3},    /* odd channels, four vectors of outputs */
      {4, 33, 70, 2},   /* odd channels, an output channel tail */
  };
  static const nc_ocl_int8_t forms[2] = {NC_OCL_INT8_FLOAT, NC_OCL_INT8_PAIRS};
  static const char *const kernels[2] = {"nc_conv_tiled", "nc_conv_pairs"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int extreme = 0; extreme < 3; extreme++) {
      const int64_t xs[4] = {1, cases[i].h, cases[i].h, cases[i].c};
      const int64_t ws[4] = {cases[i].o, cases[i].k, cases[i].k, cases[i].c};
      const int64_t bs[1] = {cases[i].o};
      nc_tensor_t x, w, b;
      nc_test_alloc(&x, NC_DTYPE_UINT8, 4, xs);
      nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
      nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
      nc_layer_t l;
      nc_layer_init(&l, NC_LAYER_CONV2D);
      l.pad_top = l.pad_bottom = l.pad_left = l.pad_right =
          (int)(cases[i].k / 2);
      if (extreme == 1) {
        /* Every product is 255 * -127, odd and near the largest, so a
         * float sum of more than 518 of them would round. */
        memset(x.data, 255, x.nbytes);
        memset(w.data, 0x81, w.nbytes);
        l.pad_value = 255;
      } else if (extreme == 2) {
        /* x - in_zp = -255 everywhere, the border included, times -128:
         * the largest product, 32640, and pairs of them. */
        memset(x.data, 0, x.nbytes);
        memset(w.data, 0x80, w.nbytes);
        l.in_zp = 255;
        l.pad_value = 0;
      } else {
        nc_rng_fill(&r, &x, 0, 255);
        nc_rng_fill(&r, &w, -128, 127);
        nc_rng_fill(&r, &b, -100000, 100000);
        l.in_zp = 7;
        l.pad_value = 200;
      }
      for (int f = 0; f < nforms; f++) {
        nc_ocl_tuning_t t;
        memset(&t, 0, sizeof t);
        t.path = NC_OCL_PATH_FAST;
        t.int8 = forms[f];
        char label[160];
        snprintf(label, sizeof label, "seed %llu case %zu%s %s",
                 (unsigned long long)seed, i,
                 extreme == 1 ? " extreme+" : (extreme ? " extreme-" : ""),
                 kernels[f]);
        ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
        nc_ocl_profile_t p;
        nc_ocl_last_profile(c, &p);
        cr_assert_str_eq(p.kernel, kernels[f], "%s", label);
      }
      nc_tensor_free(&x);
      nc_tensor_free(&w);
      nc_tensor_free(&b);
    }
  }
  nc_ocl_close(c);
}

/* The local-memory tiled kernel under random tiles: pixel and channel tiles
 * larger and smaller than the layer, tap slices that do not divide the taps
 * (a partial last slice), grouped and depthwise layers, channel counts that
 * are not a multiple of anything, stride, dilation and padding. */
Test(ocl_conv, local_tiles_random, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "local_tiles_random", 4242);
  int done = 0;
  for (int it = 0; done < 18 && it < 1000; it++) {
    nc_dtype_t dt = dts_[done % 3];
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    int64_t n = nc_rng_range(&r, 1, 2), h = nc_rng_range(&r, 1, 14),
            wd = nc_rng_range(&r, 1, 14), ch = nc_rng_range(&r, 1, 40),
            oc = nc_rng_range(&r, 1, 70), kh = nc_rng_range(&r, 1, 5),
            kw = nc_rng_range(&r, 1, 5);
    l.stride_h = (int)nc_rng_range(&r, 1, 3);
    l.stride_w = (int)nc_rng_range(&r, 1, 3);
    l.dil_h = (int)nc_rng_range(&r, 1, 2);
    l.dil_w = (int)nc_rng_range(&r, 1, 2);
    l.pad_top = (int)nc_rng_range(&r, 0, 3);
    l.pad_bottom = (int)nc_rng_range(&r, 0, 3);
    l.pad_left = (int)nc_rng_range(&r, 0, 3);
    l.pad_right = (int)nc_rng_range(&r, 0, 3);
    if (done % 3 == 1) { /* grouped, every sixth depthwise */
      int64_t gr = done % 6 == 1 ? ch : nc_rng_range(&r, 2, 4);
      ch = ch / gr * gr + (ch < gr ? gr : 0);
      oc = (oc / gr + 1) * gr;
      l.groups = (int)gr;
    }
    const int64_t xs[4] = {n, h, wd, ch};
    const int64_t ws[4] = {oc, kh, kw, ch / l.groups};
    const int64_t bs[1] = {oc};
    nc_geom_t g;
    if (nc_layer_geometry(&l, xs, 4, ws, 4, oc, &g) != NC_OK) {
      continue;
    }
    ocl_test_random_numerics(&r, &l, dt, oc);
    nc_tensor_t x, w, b;
    ocl_test_random_tensors(&r, dt, xs, 4, ws, 4, bs, 1, &x, &w, &b);
    nc_ocl_tuning_t t;
    memset(&t, 0, sizeof t);
    t.path = NC_OCL_PATH_LOCAL;
    t.ltile_m = 4 << nc_rng_range(&r, 0, 4); /* 4..64 */
    t.ltile_n = 4 << nc_rng_range(&r, 0, 4);
    t.ltile_k = (int)nc_rng_range(&r, 1, 24);
    char label[320];
    snprintf(label, sizeof label,
             "seed %llu case %d: %s x[%lld,%lld,%lld,%lld] w[%lld,%lld,%lld,"
             "%lld] stride %dx%d dil %dx%d pad %d,%d,%d,%d groups %d tile "
             "%dx%dx%d rq %d",
             (unsigned long long)seed, done, nc_dtype_name(dt), (long long)n,
             (long long)h, (long long)wd, (long long)ch, (long long)oc,
             (long long)kh, (long long)kw, (long long)(ch / l.groups),
             l.stride_h, l.stride_w, l.dil_h, l.dil_w, l.pad_top, l.pad_bottom,
             l.pad_left, l.pad_right, l.groups, t.ltile_m, t.ltile_n, t.ltile_k,
             l.rq.enabled);
    ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
    nc_ocl_profile_t p;
    nc_ocl_last_profile(c, &p);
    cr_assert_str_eq(p.kernel, "nc_conv_local", "%s", label);
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    done++;
  }
  cr_assert_eq(done, 18, "only %d layers drawn", done);
  nc_ocl_close(c);
}

/* PATH_LOCAL and NEOCOG_CL_KERNEL=local pick nc_conv_local for conv2d
 * (grouped too) and fc; a bad NEOCOG_CL_KERNEL fails the open clearly; bad
 * local tiles are refused. */
Test(ocl_conv, local_path_choice) {
  const int64_t xs[4] = {1, 6, 6, 8}, ws[4] = {12, 3, 3, 4};
  const int64_t fxs[2] = {3, 20}, fws[2] = {5, 20};
  nc_tensor_t x, w, fx, fw, o;
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(&fx, NC_DTYPE_FLOAT32, 2, fxs);
  nc_test_alloc(&fw, NC_DTYPE_FLOAT32, 2, fws);
  nc_layer_t l, fc;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.groups = 2;
  nc_layer_init(&fc, NC_LAYER_FC);
  ocl_test_cache_env();
  setenv("NEOCOG_CL_KERNEL", "Local", 1);
  nc_ocl_t *c = NULL;
  int st = nc_ocl_open(&c, NULL, NULL);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_profile_t p;
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, &w, NULL, &o), NC_OK, "%s",
               nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_conv_local");
  nc_tensor_free(&o);
  cr_assert_eq(nc_ocl_run_layer(c, &fc, &fx, &fw, NULL, &o), NC_OK, "%s",
               nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_conv_local");
  nc_tensor_free(&o);
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  t.ltile_m = 48;
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "ltile_m") != NULL, "%s",
            nc_error_detail());
  t.ltile_m = 0;
  t.ltile_k = 65;
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  t.ltile_k = 0;
  t.int8 = NC_OCL_INT8_COUNT;
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "int8 formulation") != NULL, "%s",
            nc_error_detail());
  nc_ocl_close(c);
  setenv("NEOCOG_CL_KERNEL", "tiled", 1);
  st = nc_ocl_open(&c, NULL, NULL);
  unsetenv("NEOCOG_CL_KERNEL");
  cr_assert_eq(st, NC_ERR_INVALID_ARG);
  cr_assert_null(c);
  cr_assert(strstr(nc_error_detail(), "NEOCOG_CL_KERNEL='tiled'") != NULL, "%s",
            nc_error_detail());
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&fx);
  nc_tensor_free(&fw);
}
