/*
 * Fully connected, locally connected and pooling layers on the OpenCL
 * device against the golden reference: the lecture's max pooling example,
 * and constrained-random layers of each kind, through the general kernel
 * and the fast path.
 */
#include "tests/opencl/ocl_test.h"

static const nc_dtype_t dts_[3] = {NC_DTYPE_FLOAT32, NC_DTYPE_INT8,
                                   NC_DTYPE_UINT8};

Test(ocl_layers, fc_random, .timeout = 120) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_layers", "fc_random", 11);
  for (int i = 0; i < 9; i++) {
    nc_dtype_t dt = dts_[i % 3];
    /* Rank 2 or 4 input; feature counts below, at and above a vector. */
    int64_t n = nc_rng_range(&r, 1, 6);
    int64_t h = nc_rng_range(&r, 1, 3), wd = nc_rng_range(&r, 1, 3);
    int64_t ch = nc_rng_range(&r, 1, 70), o = nc_rng_range(&r, 1, 50);
    int rank = i % 2 ? 4 : 2;
    const int64_t xs4[4] = {n, h, wd, ch}, xs2[2] = {n, h * wd * ch};
    const int64_t ws[2] = {o, h * wd * ch}, bs[1] = {o};
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_FC);
    ocl_test_random_numerics(&r, &l, dt, o);
    l.pad_value = l.in_zp; /* fc has no padding */
    nc_tensor_t x, w, b;
    ocl_test_random_tensors(&r, dt, rank == 4 ? xs4 : xs2, rank, ws, 2, bs, 1,
                            &x, &w, &b);
    char label[200];
    snprintf(label, sizeof label,
             "seed %llu fc case %d: %s n %lld features %lld out %lld rq %d",
             (unsigned long long)seed, i, nc_dtype_name(dt), (long long)n,
             (long long)ws[1], (long long)o, l.rq.enabled);
    ocl_test_check(c, &l, &x, &w, i == 4 ? NULL : &b, label);
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
  }
  nc_ocl_close(c);
}

Test(ocl_layers, local_random, .timeout = 120) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_layers", "local_random", 12);
  int done = 0;
  for (int it = 0; done < 9 && it < 1000; it++) {
    nc_dtype_t dt = dts_[done % 3];
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_LOCAL);
    int64_t n = nc_rng_range(&r, 1, 2), h = nc_rng_range(&r, 1, 9),
            wd = nc_rng_range(&r, 1, 9), ch = nc_rng_range(&r, 1, 20),
            oc = nc_rng_range(&r, 1, 12), kh = nc_rng_range(&r, 1, 3),
            kw = nc_rng_range(&r, 1, 3);
    l.stride_h = (int)nc_rng_range(&r, 1, 2);
    l.stride_w = (int)nc_rng_range(&r, 1, 2);
    l.dil_h = (int)nc_rng_range(&r, 1, 2);
    l.dil_w = (int)nc_rng_range(&r, 1, 2);
    l.pad_top = (int)nc_rng_range(&r, 0, 1);
    l.pad_bottom = (int)nc_rng_range(&r, 0, 1);
    l.pad_left = (int)nc_rng_range(&r, 0, 1);
    l.pad_right = (int)nc_rng_range(&r, 0, 1);
    const int64_t xs[4] = {n, h, wd, ch};
    int64_t ws[6] = {1, 1, oc, kh, kw, ch};
    nc_geom_t g;
    if (nc_layer_geometry(&l, xs, 4, ws, 6, -1, &g) != NC_OK) {
      continue;
    }
    ws[0] = g.oh;
    ws[1] = g.ow;
    /* Bias per channel, or per output position ([OH, OW, O]). */
    int per_pos = done % 2;
    const int64_t bs1[1] = {oc}, bs3[3] = {g.oh, g.ow, oc};
    ocl_test_random_numerics(&r, &l, dt, oc);
    nc_tensor_t x, w, b;
    ocl_test_random_tensors(&r, dt, xs, 4, ws, 6, per_pos ? bs3 : bs1,
                            per_pos ? 3 : 1, &x, &w, &b);
    char label[240];
    snprintf(label, sizeof label,
             "seed %llu local case %d: %s x[%lld,%lld,%lld,%lld] out %lld "
             "k %lldx%lld stride %dx%d dil %dx%d bias %s rq %d",
             (unsigned long long)seed, done, nc_dtype_name(dt), (long long)n,
             (long long)h, (long long)wd, (long long)ch, (long long)oc,
             (long long)kh, (long long)kw, l.stride_h, l.stride_w, l.dil_h,
             l.dil_w, per_pos ? "per position" : "per channel", l.rq.enabled);
    ocl_test_check(c, &l, &x, &w, &b, label);
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    done++;
  }
  cr_assert_eq(done, 9);
  nc_ocl_close(c);
}

/* The lecture's slide: 2x2 max pooling with stride 2 of one depth slice. */
Test(ocl_layers, lecture_maxpool) {
  nc_ocl_t *c = ocl_test_open();
  static const int in[16] = {1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4};
  static const int want[4] = {6, 8, 3, 4};
  const nc_dtype_t dts[4] = {NC_DTYPE_INT8, NC_DTYPE_UINT8, NC_DTYPE_INT32,
                             NC_DTYPE_FLOAT32};
  const int64_t xs[4] = {1, 4, 4, 1};
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL);
  l.pool_h = l.pool_w = 2;
  l.stride_h = l.stride_w = 2;
  for (int d = 0; d < 4; d++) {
    nc_tensor_t x, o;
    nc_test_alloc(&x, dts[d], 4, xs);
    for (int i = 0; i < 16; i++) {
      switch (dts[d]) {
        case NC_DTYPE_INT8:
          ((int8_t *)x.data)[i] = (int8_t)in[i];
          break;
        case NC_DTYPE_UINT8:
          ((uint8_t *)x.data)[i] = (uint8_t)in[i];
          break;
        case NC_DTYPE_INT32:
          ((int32_t *)x.data)[i] = in[i];
          break;
        default:
          ((float *)x.data)[i] = (float)in[i];
          break;
      }
    }
    int st = nc_ocl_run_layer(c, &l, &x, NULL, NULL, &o);
    cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
    cr_assert_eq(o.dtype, dts[d]);
    for (int i = 0; i < 4; i++) {
      double v = dts[d] == NC_DTYPE_INT8    ? ((int8_t *)o.data)[i]
                 : dts[d] == NC_DTYPE_UINT8 ? ((uint8_t *)o.data)[i]
                 : dts[d] == NC_DTYPE_INT32 ? ((int32_t *)o.data)[i]
                                            : ((float *)o.data)[i];
      cr_assert_eq(v, (double)want[i], "%s: [%d] = %g", nc_dtype_name(dts[d]),
                   i, v);
    }
    nc_tensor_free(&o);
    nc_tensor_free(&x);
  }
  nc_ocl_close(c);
}

Test(ocl_layers, pool_random, .timeout = 120) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  uint64_t seed = nc_test_seed(&r, "ocl_layers", "pool_random", 13);
  const nc_dtype_t dts[4] = {NC_DTYPE_INT8, NC_DTYPE_UINT8, NC_DTYPE_INT32,
                             NC_DTYPE_FLOAT32};
  int done = 0;
  for (int it = 0; done < 16 && it < 1000; it++) {
    nc_dtype_t dt = dts[done % 4];
    nc_layer_t l;
    nc_layer_init(&l, done % 8 < 4 ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
    /* Channels a multiple of 16 half of the time (the vector path). */
    int64_t ch =
        done % 3 ? 16 * nc_rng_range(&r, 1, 3) : nc_rng_range(&r, 1, 20);
    const int64_t xs[4] = {nc_rng_range(&r, 1, 2), nc_rng_range(&r, 1, 12),
                           nc_rng_range(&r, 1, 12), ch};
    l.pool_h = (int)nc_rng_range(&r, 1, 4);
    l.pool_w = (int)nc_rng_range(&r, 1, 4);
    l.stride_h = (int)nc_rng_range(&r, 1, 3);
    l.stride_w = (int)nc_rng_range(&r, 1, 3);
    if (nc_rng_range(&r, 0, 3) == 0) {
      l.pad_mode = NC_PAD_SAME;
    } else {
      l.pad_top = (int)nc_rng_range(&r, 0, l.pool_h - 1);
      l.pad_bottom = (int)nc_rng_range(&r, 0, l.pool_h - 1);
      l.pad_left = (int)nc_rng_range(&r, 0, l.pool_w - 1);
      l.pad_right = (int)nc_rng_range(&r, 0, l.pool_w - 1);
    }
    nc_geom_t g;
    if (nc_layer_geometry(&l, xs, 4, NULL, 0, -1, &g) != NC_OK) {
      continue;
    }
    nc_tensor_t x;
    nc_test_alloc(&x, dt, 4, xs);
    if (dt == NC_DTYPE_INT32) {
      nc_rng_fill(&r, &x, INT32_MIN, INT32_MAX); /* sums need 64 bits */
    } else if (dt == NC_DTYPE_FLOAT32) {
      nc_rng_fill(&r, &x, -10.0, 10.0);
    } else {
      nc_rng_fill(&r, &x, -128, 255);
    }
    char label[240];
    snprintf(label, sizeof label,
             "seed %llu pool case %d: %s %s x[%lld,%lld,%lld,%lld] window "
             "%dx%d stride %dx%d pad %s%d,%d,%d,%d",
             (unsigned long long)seed, done, nc_layer_kind_name(l.kind),
             nc_dtype_name(dt), (long long)xs[0], (long long)xs[1],
             (long long)xs[2], (long long)xs[3], l.pool_h, l.pool_w, l.stride_h,
             l.stride_w, l.pad_mode == NC_PAD_SAME ? "SAME " : "", g.pad_top,
             g.pad_bottom, g.pad_left, g.pad_right);
    ocl_test_check(c, &l, &x, NULL, NULL, label);
    nc_tensor_free(&x);
    done++;
  }
  cr_assert_eq(done, 16);
  nc_ocl_close(c);
}

/* The lecture's ConvNet pooling (10x10 window, stride 5) on its 75x75x64
 * conv output. */
Test(ocl_layers, convnet_pool) {
  nc_ocl_t *c = ocl_test_open();
  nc_rng_t r;
  nc_test_seed(&r, "ocl_layers", "convnet_pool", 14);
  const int64_t xs[4] = {1, 75, 75, 64};
  nc_tensor_t x;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_rng_fill(&r, &x, -128, 127);
  for (int k = NC_LAYER_MAXPOOL; k <= NC_LAYER_AVGPOOL; k++) {
    nc_layer_t l;
    nc_layer_init(&l, (nc_layer_kind_t)k);
    l.pool_h = l.pool_w = 10;
    l.stride_h = l.stride_w = 5;
    ocl_test_check(c, &l, &x, NULL, NULL, "convnet pool");
  }
  nc_tensor_free(&x);
  nc_ocl_close(c);
}
