/*
 * The lecture's worked examples (the lecture the project grows from),
 * run through the golden reference exactly as the slides give them.
 */
#include "neocog/layer.h"
#include "tests/common.h"
#include "testkit/seed_data.h"

/* The slides' data lives in testkit/seed_data.h, transcribed once. */
static int32_t lec_o_(int o, int h, int w) {
  return (o == 0 ? nc_seed_out0 : nc_seed_out1)[h * 3 + w];
}

static void lec_layer_(nc_layer_t *l) {
  nc_layer_init(l, NC_LAYER_CONV2D);
  l->stride_h = l->stride_w = 2;
  l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = 1;
}

static void check_lec_out_(const nc_tensor_t *y) {
  cr_assert_eq(y->ndim, 4);
  cr_assert_eq(y->shape[0], 1);
  cr_assert_eq(y->shape[1], 3);
  cr_assert_eq(y->shape[2], 3);
  cr_assert_eq(y->shape[3], 2);
  for (int h = 0; h < 3; h++) {
    for (int w = 0; w < 3; w++) {
      for (int o = 0; o < 2; o++) {
        int i = (h * 3 + w) * 2 + o;
        double got = y->dtype == NC_DTYPE_FLOAT32
                         ? (double)((const float *)y->data)[i]
                         : (double)((const int32_t *)y->data)[i];
        cr_assert_eq(got, (double)lec_o_(o, h, w),
                     "o[%d,%d,%d]: got %g, want %d", h, w, o, got,
                     lec_o_(o, h, w));
      }
    }
  }
}

Test(seed, conv_example_int) {
  nc_tensor_t x, w, b, y;
  nc_layer_t l;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  lec_layer_(&l);
  nc_geom_t g;
  cr_assert_eq(nc_layer_geometry(&l, x.shape, 4, w.shape, 4, 2, &g), NC_OK,
               "%s", nc_error_detail());
  /* The slides: (5 - 3 + 2) / 2 + 1 = 3. */
  cr_assert_eq(g.oh, (5 - 3 + 2) / 2 + 1);
  cr_assert_eq(g.ow, 3);
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(y.dtype, NC_DTYPE_INT32);
  check_lec_out_(&y);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

Test(seed, conv_example_float) {
  nc_tensor_t x, w, b, y;
  nc_layer_t l;
  nc_seed_example_tensors(NC_DTYPE_FLOAT32, &x, &w, &b);
  lec_layer_(&l);
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(y.dtype, NC_DTYPE_FLOAT32);
  check_lec_out_(&y);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

Test(seed, maxpool_example) {
  static const int in[4][4] = {
      {1, 1, 2, 4}, {5, 6, 7, 8}, {3, 2, 1, 0}, {1, 2, 3, 4}};
  static const int want[2][2] = {{6, 8}, {3, 4}};
  const nc_dtype_t dts[4] = {NC_DTYPE_INT8, NC_DTYPE_UINT8, NC_DTYPE_INT32,
                             NC_DTYPE_FLOAT32};
  for (int d = 0; d < 4; d++) {
    const int64_t xs[4] = {1, 4, 4, 1};
    nc_tensor_t x, y;
    nc_test_alloc(&x, dts[d], 4, xs);
    for (int i = 0; i < 16; i++) {
      int v = in[i / 4][i % 4];
      switch (dts[d]) {
        case NC_DTYPE_INT8:
          ((int8_t *)x.data)[i] = (int8_t)v;
          break;
        case NC_DTYPE_UINT8:
          ((uint8_t *)x.data)[i] = (uint8_t)v;
          break;
        case NC_DTYPE_INT32:
          ((int32_t *)x.data)[i] = v;
          break;
        default:
          ((float *)x.data)[i] = (float)v;
          break;
      }
    }
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_MAXPOOL);
    l.pool_h = l.pool_w = 2;
    l.stride_h = l.stride_w = 2;
    cr_assert_eq(nc_golden_run(&l, &x, NULL, NULL, &y), NC_OK, "%s",
                 nc_error_detail());
    cr_assert_eq(y.dtype, dts[d]);
    cr_assert_eq(y.shape[1], 2);
    cr_assert_eq(y.shape[2], 2);
    cr_assert_eq(y.shape[3], 1);
    for (int i = 0; i < 4; i++) {
      double got = 0;
      switch (dts[d]) {
        case NC_DTYPE_INT8:
          got = ((int8_t *)y.data)[i];
          break;
        case NC_DTYPE_UINT8:
          got = ((uint8_t *)y.data)[i];
          break;
        case NC_DTYPE_INT32:
          got = ((int32_t *)y.data)[i];
          break;
        default:
          got = ((float *)y.data)[i];
          break;
      }
      cr_assert_eq(got, (double)want[i / 2][i % 2], "%s [%d]: got %g",
                   nc_dtype_name(dts[d]), i, got);
    }
    nc_tensor_free(&x);
    nc_tensor_free(&y);
  }
}

Test(seed, six_filters_32x32x3) {
  nc_rng_t r;
  nc_test_seed(&r, "seed", "six_filters_32x32x3", 32);
  const int64_t xs[4] = {1, 32, 32, 3};
  const int64_t ws[4] = {6, 5, 5, 3};
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  nc_geom_t g;
  cr_assert_eq(nc_layer_geometry(&l, xs, 4, ws, 4, 6, &g), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(g.oh, 28);
  cr_assert_eq(g.ow, 28);
  cr_assert_eq(g.oc, 6);
  /* "Filters always extend the full depth of the input volume". */
  cr_assert_eq(g.params, 6 * 5 * 5 * 3 + 6);
  nc_tensor_t x, w, b, y;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  const int64_t bs[1] = {6};
  nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
  nc_rng_fill(&r, &x, -128, 127);
  nc_rng_fill(&r, &w, -128, 127);
  nc_rng_fill(&r, &b, -1000, 1000);
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(y.ndim, 4);
  cr_assert_eq(y.shape[0], 1);
  cr_assert_eq(y.shape[1], 28);
  cr_assert_eq(y.shape[2], 28);
  cr_assert_eq(y.shape[3], 6);
  cr_assert_eq(y.dtype, NC_DTYPE_INT32);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

/* The lecture's cost of a stride-1 unpadded conv: M*K*K*N*(D-K+1)^2. */
static int64_t lec_cost_(int64_t m, int64_t k, int64_t n, int64_t d) {
  return m * k * k * n * (d - k + 1) * (d - k + 1);
}

Test(seed, convnet_shapes_and_costs) {
  nc_layer_t conv, pool;
  nc_layer_init(&conv, NC_LAYER_CONV2D);
  nc_layer_init(&pool, NC_LAYER_MAXPOOL);
  pool.pool_h = pool.pool_w = 10;
  pool.stride_h = pool.stride_w = 5;
  nc_geom_t g1, g2, g3;

  /* First convolution: (83 - 9) + 1 = 75, 64 kernels -> 64@75x75. */
  const int64_t in1[4] = {1, 83, 83, 3};
  const int64_t w1[4] = {64, 9, 9, 3};
  cr_assert_eq(nc_layer_geometry(&conv, in1, 4, w1, 4, 64, &g1), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(g1.oh, (83 - 9) + 1);
  cr_assert_eq(g1.ow, 75);
  cr_assert_eq(g1.oc, 64);
  cr_assert_eq(g1.macs, lec_cost_(3, 9, 64, 83));

  /* First pooling: (75 - 10) / 5 + 1 = 14, 64 slices -> 64@14x14. */
  const int64_t in2[4] = {1, g1.oh, g1.ow, g1.oc};
  cr_assert_eq(nc_layer_geometry(&pool, in2, 4, NULL, 0, -1, &g2), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(g2.oh, (75 - 10) / 5 + 1);
  cr_assert_eq(g2.oh, 14);
  cr_assert_eq(g2.ow, 14);
  cr_assert_eq(g2.oc, 64);
  cr_assert_eq(g2.macs, 0);
  cr_assert_eq(g2.params, 0);

  /* Second convolution: (14 - 9) + 1 = 6, 256 kernels -> 256@6x6. */
  const int64_t in3[4] = {1, g2.oh, g2.ow, g2.oc};
  const int64_t w3[4] = {256, 9, 9, 64};
  cr_assert_eq(nc_layer_geometry(&conv, in3, 4, w3, 4, -1, &g3), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(g3.oh, 6);
  cr_assert_eq(g3.ow, 6);
  cr_assert_eq(g3.oc, 256);
  cr_assert_eq(g3.macs, lec_cost_(64, 9, 256, 14));
  cr_assert_eq(g3.params, 256 * 9 * 9 * 64);
}

Test(seed, pooling_size_formula) {
  /* Pooling F x F with stride S on M@DxD: M@((D-F)/S+1)^2, and with
   * stride 1: M@(D-F+1)^2. */
  nc_layer_t pool;
  nc_layer_init(&pool, NC_LAYER_AVGPOOL);
  for (int64_t d = 1; d <= 20; d++) {
    for (int64_t f = 1; f <= d; f++) {
      for (int s = 1; s <= 4; s++) {
        pool.pool_h = pool.pool_w = (int)f;
        pool.stride_h = pool.stride_w = s;
        const int64_t in[4] = {2, d, d, 5};
        nc_geom_t g;
        cr_assert_eq(nc_layer_geometry(&pool, in, 4, NULL, 0, -1, &g), NC_OK,
                     "%s", nc_error_detail());
        cr_assert_eq(g.oh, (d - f) / s + 1, "D=%lld F=%lld S=%d", (long long)d,
                     (long long)f, s);
        cr_assert_eq(g.ow, g.oh);
        cr_assert_eq(g.oc, 5);
        if (s == 1) {
          cr_assert_eq(g.oh, d - f + 1);
        }
      }
    }
  }
}

Test(seed, padding_keeps_size) {
  /* The slides' 3x3 input zero-padded to 5x5: a 3x3 kernel with stride 1
   * and pad 1 keeps the size, and the padding contributes nothing. */
  static const int in[3][3] = {{4, 5, 8}, {6, 3, 5}, {7, 5, 6}};
  const int64_t xs[4] = {1, 3, 3, 1};
  const int64_t ws[4] = {1, 3, 3, 1};
  nc_tensor_t x, w, y;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  for (int i = 0; i < 9; i++) {
    ((int8_t *)x.data)[i] = (int8_t)in[i / 3][i % 3];
    ((int8_t *)w.data)[i] = 1;
  }
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  cr_assert_eq(nc_golden_run(&l, &x, &w, NULL, &y), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(y.shape[1], 3);
  cr_assert_eq(y.shape[2], 3);
  const int32_t *o = y.data;
  cr_assert_eq(o[0], 4 + 5 + 6 + 3);                     /* corner */
  cr_assert_eq(o[4], 4 + 5 + 8 + 6 + 3 + 5 + 7 + 5 + 6); /* centre */
  cr_assert_eq(o[8], 3 + 5 + 5 + 6);                     /* corner */
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&y);
}
