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
 * pairs kernel and, where it runs, the VNNI kernel (their own weight
 * layouts) take the same block widths. */
Test(ocl_conv, tiled_weight_blocks, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "tiled_weight_blocks", 31);
  const int64_t xs[4] = {2, 9, 11, 21};
  const int64_t ws[4] = {150, 3, 2, 21};
  const int64_t bs[1] = {150};
  const int nvariants =
      nc_ocl_device(c)->is_gpu ? 2 : (ocl_test_vnni_here(c) ? 4 : 3);
  static const nc_ocl_int8_t forms[4] = {NC_OCL_INT8_FLOAT, NC_OCL_INT8_FLOAT,
                                         NC_OCL_INT8_PAIRS, NC_OCL_INT8_VNNI};
  static const char *const kernels[4] = {"nc_conv_tiled", "nc_conv_tiled",
                                         "nc_conv_pairs", "nc_conv_vnni"};
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
      t.int8 = forms[d];
      const char *want = kernels[d];
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
  /* An int8 layer runs in VNNI where it can, else in integer pairs on a
   * CPU. */
  nc_tensor_t xi, wi;
  nc_test_alloc(&xi, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&wi, NC_DTYPE_INT8, 4, ws);
  l.groups = 1;
  st = nc_ocl_run_layer(c, &l, &xi, &wi, NULL, &o);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel,
                   ocl_test_vnni_here(c) ? "nc_conv_vnni" : "nc_conv_pairs");
  nc_tensor_free(&o);
  nc_tensor_free(&xi);
  nc_tensor_free(&wi);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&wg);
  nc_ocl_close(c);
}

/* The tiled path's integer formulations (kernels/conv.cl) at their
 * edges. Float chunks: products summed in float chunks of at most 512,
 * so the largest products (255 * -127) and channel counts above the chunk
 * must stay exact. Pairs: 16-bit pairs of channels, so odd channel counts
 * (a zero channel added) and the extremes of x - in_zp (+-255) times
 * -128. VNNI: quads of channels (1 to 3 zero channels added) of unsigned
 * x + 128 (int8 input) or x (uint8) times signed weights, with the
 * correction for the zero point folded into the bias, so the zero point
 * and the padding value at both ends of both input types. Sums of 73728
 * products of +-32640 or -32385 go past the int32 range and must wrap as
 * the golden's do. Each case must run on the kernel its formulation
 * names. Pairs are written in clang's OpenCL C (vectors of 32 shorts):
 * CPU devices only; VNNI where ocl_test_vnni_here says it runs. */
Test(ocl_conv, int8_tiled_extremes, .timeout = 300) {
  nc_ocl_t *c = ocl_test_open();
  const int nforms =
      nc_ocl_device(c)->is_gpu ? 1 : (ocl_test_vnni_here(c) ? 3 : 2);
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
      {5, 6, 17, 3},    /* two channels past a quad */
      {3, 8192, 16, 3}, /* 73728 products: the sums wrap */
  };
  static const nc_ocl_int8_t forms[3] = {NC_OCL_INT8_FLOAT, NC_OCL_INT8_PAIRS,
                                         NC_OCL_INT8_VNNI};
  static const char *const kernels[3] = {"nc_conv_tiled", "nc_conv_pairs",
                                         "nc_conv_vnni"};
  static const char *const names[5] = {"random", "extreme+ uint8",
                                       "extreme- uint8", "extreme- int8",
                                       "extreme+ int8"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (int extreme = 0; extreme < (i >= 3 ? 5 : 3); extreme++) {
      const int64_t xs[4] = {1, cases[i].h, cases[i].h, cases[i].c};
      const int64_t ws[4] = {cases[i].o, cases[i].k, cases[i].k, cases[i].c};
      const int64_t bs[1] = {cases[i].o};
      nc_tensor_t x, w, b;
      nc_test_alloc(&x, extreme >= 3 ? NC_DTYPE_INT8 : NC_DTYPE_UINT8, 4, xs);
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
      } else if (extreme == 3) {
        /* int8: x - in_zp = -128 - 127 = -255 times -128; VNNI's
         * unsigned input is 0 and the whole sum is the correction. */
        memset(x.data, 0x80, x.nbytes);
        memset(w.data, 0x80, w.nbytes);
        l.in_zp = 127;
        l.pad_value = -128;
      } else if (extreme == 4) {
        /* int8: x - in_zp = 127 + 128 = 255 times -128; VNNI's unsigned
         * input is 255, the largest it multiplies. */
        memset(x.data, 0x7f, x.nbytes);
        memset(w.data, 0x80, w.nbytes);
        l.in_zp = -128;
        l.pad_value = 127;
      } else {
        nc_rng_fill(&r, &x, 0, 255);
        nc_rng_fill(&r, &w, -128, 127);
        nc_rng_fill(&r, &b, -100000, 100000);
        l.in_zp = 7;
        l.pad_value = 200;
      }
      /* int8 input (a program of its own per shape): the narrow channel
       * counts, on the kernels that treat it apart (the float sums
       * convert x - in_zp alike for both). */
      for (int f = extreme >= 3 ? 1 : 0; f < nforms; f++) {
        nc_ocl_tuning_t t;
        memset(&t, 0, sizeof t);
        t.path = NC_OCL_PATH_FAST;
        t.int8 = forms[f];
        char label[160];
        snprintf(label, sizeof label, "seed %llu case %zu %s %s",
                 (unsigned long long)seed, i, names[extreme], kernels[f]);
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

/* Which integer formulation runs: VNNI by default where it can, the pairs
 * when VNNI is masked off (the fallback a device without it takes), and a
 * run that asks for VNNI where it cannot run fails with one clear error
 * and no output; the fallback's results are the golden's too. */
Test(ocl_conv, int8_vnni_choice) {
  nc_ocl_t *c = ocl_test_open();
  const int gpu = nc_ocl_device(c)->is_gpu;
  const int vnni = ocl_test_vnni_here(c);
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "int8_vnni_choice", 21);
  const int64_t xs[4] = {1, 6, 6, 24}, ws[4] = {32, 3, 3, 24}, bs[1] = {32};
  nc_tensor_t x, w, b, o;
  ocl_test_random_tensors(&r, NC_DTYPE_INT8, xs, 4, ws, 4, bs, 1, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  ocl_test_random_numerics(&r, &l, NC_DTYPE_INT8, 32);
  const char *fallback = gpu ? "nc_conv_tiled" : "nc_conv_pairs";
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  nc_ocl_profile_t p;
  char label[96];
  for (int masked = 0; masked < 2; masked++) {
    nc_ocl_mask_features(c, masked ? NC_OCL_FEAT_VNNI : 0u);
    const int runs = vnni && !masked;
    snprintf(label, sizeof label, "seed %llu masked %d auto",
             (unsigned long long)seed, masked);
    t.int8 = NC_OCL_INT8_AUTO;
    ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
    nc_ocl_last_profile(c, &p);
    cr_assert_str_eq(p.kernel, runs ? "nc_conv_vnni" : fallback, "%s", label);
    t.int8 = NC_OCL_INT8_VNNI;
    cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_OK);
    int st = nc_ocl_run_layer(c, &l, &x, &w, &b, &o);
    if (runs) {
      cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
      nc_tensor_free(&o);
    } else {
      cr_assert_eq(st, NC_ERR_UNSUPPORTED, "masked %d: %s", masked,
                   nc_status_name(st));
      cr_assert_null(o.data);
      cr_assert(strstr(nc_error_detail(), "vnni") != NULL, "%s",
                nc_error_detail());
    }
  }
  /* The float sums and the pairs stay selectable with VNNI there. */
  nc_ocl_mask_features(c, 0u);
  t.int8 = NC_OCL_INT8_FLOAT;
  ocl_test_check_tuned(c, &t, &l, &x, &w, &b, "float");
  nc_ocl_last_profile(c, &p);
  cr_assert_str_eq(p.kernel, "nc_conv_tiled");
  /* Out of range: refused, the tuning unchanged. */
  t.int8 = NC_OCL_INT8_COUNT;
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_ocl_close(c);
}

/* The VNNI kernel on random layers where it differs from the others:
 * every channel count 1..6 (quads padded with zero channels), int8 and
 * uint8 inputs with zero points and padding values drawn over the whole
 * range (the ends included), padding on every side, stride and dilation,
 * requantization or the raw sums, and a bias near the int32 limits now
 * and then. Skipped where VNNI does not run. */
Test(ocl_conv, int8_vnni_random, .timeout = 240) {
  nc_ocl_t *c = ocl_test_open();
  if (!ocl_test_vnni_here(c)) {
    nc_ocl_close(c);
    cr_skip_test("nc_conv_vnni does not run on this device");
  }
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "int8_vnni_random", 4444);
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  t.path = NC_OCL_PATH_FAST;
  t.int8 = NC_OCL_INT8_VNNI;
  for (int i = 0; i < 8; i++) {
    const nc_dtype_t dt = i % 2 ? NC_DTYPE_INT8 : NC_DTYPE_UINT8;
    const int64_t ch = i < 6 ? i + 1 : nc_rng_range(&r, 10, 70);
    const int64_t h = nc_rng_range(&r, 3, 9), wd = nc_rng_range(&r, 3, 13);
    const int64_t oc = nc_rng_range(&r, 1, 80), k = nc_rng_range(&r, 1, 3);
    const int64_t xs[4] = {nc_rng_range(&r, 1, 2), h, wd, ch};
    const int64_t ws[4] = {oc, k, k, ch}, bs[1] = {oc};
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    l.stride_h = (int)nc_rng_range(&r, 1, 2);
    l.stride_w = (int)nc_rng_range(&r, 1, 2);
    l.dil_w = (int)nc_rng_range(&r, 1, 2);
    l.pad_top = (int)nc_rng_range(&r, 0, 2);
    l.pad_bottom = (int)nc_rng_range(&r, 0, 2);
    l.pad_left = (int)nc_rng_range(&r, 0, 2);
    l.pad_right = (int)nc_rng_range(&r, 0, 2);
    ocl_test_random_numerics(&r, &l, dt, oc);
    if (i < 4) { /* the zero point and the padding value at the ends */
      const int lo = dt == NC_DTYPE_UINT8 ? 0 : -128;
      l.in_zp = i < 2 ? lo : lo + 255;
      l.pad_value = i < 2 ? lo + 255 : lo;
    }
    nc_tensor_t x, w, b;
    ocl_test_random_tensors(&r, dt, xs, 4, ws, 4, bs, 1, &x, &w, &b);
    char label[200];
    snprintf(label, sizeof label,
             "seed %llu case %d: %s c %lld oc %lld k %lld zp %d padv %d "
             "rq %d",
             (unsigned long long)seed, i, nc_dtype_name(dt), (long long)ch,
             (long long)oc, (long long)k, (int)l.in_zp, (int)l.pad_value,
             l.rq.enabled);
    ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
    nc_ocl_profile_t p;
    nc_ocl_last_profile(c, &p);
    cr_assert_str_eq(p.kernel, "nc_conv_vnni", "%s", label);
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
  }
  nc_ocl_close(c);
}

/* The requantization's edges on every integer kernel: a 1x1 layer whose
 * input equals its zero point makes each output channel's accumulator its
 * bias, so the biases choose the accumulators (the int32 limits, zero,
 * +-1, ties of the rounding) and the per-channel multipliers and shifts
 * the rest (2^30 and INT32_MAX, right shifts 0..31 and left shifts). */
Test(ocl_conv, requant_edges, .timeout = 180) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_conv", "requant_edges", 1717);
  enum { OC = 64 };
  static const int32_t accs[] = {INT32_MIN,
                                 INT32_MIN + 1,
                                 -(1 << 30) - 1,
                                 -(1 << 30),
                                 -3,
                                 -2,
                                 -1,
                                 0,
                                 1,
                                 2,
                                 3,
                                 1 << 30,
                                 (1 << 30) + 1,
                                 INT32_MAX - 1,
                                 INT32_MAX};
  static const int32_t mults[] = {1 << 30,    INT32_MAX, (1 << 30) + 1,
                                  1518500250, 0,         1};
  const int64_t xs[4] = {1, 2, 3, 5}, ws[4] = {OC, 1, 1, 5}, bs[1] = {OC};
  nc_tensor_t x, w, b;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
  memset(x.data, 0xf6, x.nbytes); /* -10, the zero point */
  nc_rng_fill(&r, &w, -128, 127);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.in_zp = -10;
  for (int round = 0; round < 3; round++) {
    int32_t *bv = b.data;
    for (int o = 0; o < OC; o++) {
      bv[o] = accs[(o + round * 5) % (int)(sizeof accs / sizeof accs[0])];
    }
    memset(&l.rq, 0, sizeof l.rq);
    l.rq.enabled = 1;
    l.rq.out_dtype = round == 1 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
    l.rq.channels = OC;
    for (int o = 0; o < OC; o++) {
      l.rq.mult[o] = mults[(o + round) % 6];
      /* round 2 mixes in left shifts, which take the wide path */
      l.rq.shift[o] = round == 2 && o % 3 == 0 ? (int32_t)(o % 31)
                                               : -(int32_t)((o * 7) % 32);
    }
    l.rq.out_zp = round == 1 ? 255 : (round ? -128 : 5);
    l.rq.act_min = round == 1 ? 0 : -128;
    l.rq.act_max = round == 1 ? 255 : 127;
    char label[64];
    snprintf(label, sizeof label, "seed %llu round %d",
             (unsigned long long)seed, round);
    ocl_test_check(c, &l, &x, &w, &b, label);
    const int nforms =
        nc_ocl_device(c)->is_gpu ? 1 : (ocl_test_vnni_here(c) ? 3 : 2);
    static const nc_ocl_int8_t forms[3] = {NC_OCL_INT8_FLOAT, NC_OCL_INT8_PAIRS,
                                           NC_OCL_INT8_VNNI};
    for (int f = 0; f < nforms; f++) {
      nc_ocl_tuning_t t;
      memset(&t, 0, sizeof t);
      t.path = NC_OCL_PATH_FAST;
      t.int8 = forms[f];
      ocl_test_check_tuned(c, &t, &l, &x, &w, &b, label);
    }
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
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
