/*
 * Helpers of the OpenCL test runner (build/tests/neocog_ocl_tests): open
 * the device with a private binary cache, run a layer on the device and on
 * the golden reference, and compare.
 *
 * Integer results must be bit-exact. Float32 results must agree within the
 * tolerance nc_ocl_run_layer() states: |got - golden| <= NC_OCL_F32_RTOL *
 * m, where m is the golden result of the same layer on |x|, |w| and |b|
 * without activation, i.e. |bias| + sum |x * w| of that output (for average
 * pooling the mean of |x| over the window; max pooling must be exact).
 */
#ifndef NEOCOG_TESTS_OCL_TEST_H
#define NEOCOG_TESTS_OCL_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neocog/layer.h"
#include "neocog/ocl.h"
#include "tests/common.h"

/* Points the binary cache at a directory of this test run (shared by the
 * test processes, so that later tests reuse earlier builds). */
static inline void ocl_test_cache_env(void) {
  char dir[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/neocog-ocl-test-cache-%ld",
           tmp != NULL && *tmp != '\0' ? tmp : "/tmp", (long)getuid());
  setenv("NEOCOG_CL_CACHE", dir, 0);
}

/* Seeds `r` like nc_test_seed() (NEOCOG_SEED: a number, or "random") and
 * prints the command that reproduces the test with this runner. */
/* Opens the default device (or the one NEOCOG_CL_* selects). */
static inline nc_ocl_t *ocl_test_open(void) {
  ocl_test_cache_env();
  nc_ocl_t *c = NULL;
  int st = nc_ocl_open(&c, NULL, NULL);
  cr_assert_eq(st, NC_OK, "nc_ocl_open: %s: %s", nc_status_name(st),
               nc_error_detail());
  return c;
}

static inline void ocl_test_path(nc_ocl_t *c, nc_ocl_path_t path) {
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  t.path = path;
  int st = nc_ocl_set_tuning(c, &t);
  cr_assert_eq(st, NC_OK, "set_tuning: %s", nc_error_detail());
}

/* A copy of t with every element replaced by its magnitude. */
static inline void ocl_test_abs(const nc_tensor_t *t, nc_tensor_t *a) {
  nc_test_alloc(a, t->dtype, t->ndim, t->shape);
  size_t n = nc_tensor_numel(t);
  for (size_t i = 0; i < n; i++) {
    ((float *)a->data)[i] = fabsf(((const float *)t->data)[i]);
  }
}

/* Per-element float tolerance scale (see the top of this file). */
static inline void ocl_test_magnitude(const nc_layer_t *l, const nc_tensor_t *x,
                                      const nc_tensor_t *w,
                                      const nc_tensor_t *b, nc_tensor_t *m) {
  nc_layer_t la = *l;
  la.act = NC_ACT_NONE;
  if (la.kind == NC_LAYER_MAXPOOL) {
    la.kind = NC_LAYER_AVGPOOL;
  }
  nc_tensor_t xa, wa, ba;
  memset(&wa, 0, sizeof wa);
  memset(&ba, 0, sizeof ba);
  ocl_test_abs(x, &xa);
  if (w != NULL) {
    ocl_test_abs(w, &wa);
  }
  if (b != NULL) {
    ocl_test_abs(b, &ba);
  }
  int st = nc_golden_run(&la, &xa, w ? &wa : NULL, b ? &ba : NULL, m);
  cr_assert_eq(st, NC_OK, "golden (magnitudes): %s", nc_error_detail());
  nc_tensor_free(&xa);
  nc_tensor_free(&wa);
  nc_tensor_free(&ba);
}

/* Runs `l` on the device with `path` and on the golden reference and
 * compares them; `label` says which case failed. */
static inline void ocl_test_compare_(nc_ocl_t *c, const nc_layer_t *l,
                                     const nc_tensor_t *x, const nc_tensor_t *w,
                                     const nc_tensor_t *b, const char *label);

static inline void ocl_test_check_path(
    nc_ocl_t *c, nc_ocl_path_t path, const nc_layer_t *l, const nc_tensor_t *x,
    const nc_tensor_t *w, const nc_tensor_t *b, const char *label) {
  ocl_test_path(c, path);
  ocl_test_compare_(c, l, x, w, b, label);
}

/* Like ocl_test_check_path with every tunable of `t`. */
static inline void ocl_test_check_tuned(nc_ocl_t *c, const nc_ocl_tuning_t *t,
                                        const nc_layer_t *l,
                                        const nc_tensor_t *x,
                                        const nc_tensor_t *w,
                                        const nc_tensor_t *b,
                                        const char *label) {
  int st = nc_ocl_set_tuning(c, t);
  cr_assert_eq(st, NC_OK, "set_tuning: %s", nc_error_detail());
  ocl_test_compare_(c, l, x, w, b, label);
}

/* Runs `l` on the device as tuned and on the golden reference, and
 * compares. */
static inline void ocl_test_compare_(nc_ocl_t *c, const nc_layer_t *l,
                                     const nc_tensor_t *x, const nc_tensor_t *w,
                                     const nc_tensor_t *b, const char *label) {
  nc_tensor_t g, o;
  int st = nc_golden_run(l, x, w, b, &g);
  cr_assert_eq(st, NC_OK, "%s: golden: %s: %s", label, nc_status_name(st),
               nc_error_detail());
  st = nc_ocl_run_layer(c, l, x, w, b, &o);
  cr_assert_eq(st, NC_OK, "%s: opencl: %s: %s", label, nc_status_name(st),
               nc_error_detail());
  nc_ocl_profile_t prof;
  nc_ocl_last_profile(c, &prof);
  cr_assert_eq(o.dtype, g.dtype, "%s: dtype %s, golden %s", label,
               nc_dtype_name(o.dtype), nc_dtype_name(g.dtype));
  cr_assert_eq(o.ndim, g.ndim, "%s: rank", label);
  for (int i = 0; i < g.ndim; i++) {
    cr_assert_eq(o.shape[i], g.shape[i], "%s: shape[%d]", label, i);
  }
  size_t n = nc_tensor_numel(&g);
  if (g.dtype != NC_DTYPE_FLOAT32) {
    if (memcmp(o.data, g.data, g.nbytes) != 0) {
      size_t es = nc_dtype_size(g.dtype);
      for (size_t i = 0; i < n; i++) {
        if (memcmp((char *)o.data + i * es, (char *)g.data + i * es, es)) {
          long long gv = es == 4                     ? ((int32_t *)g.data)[i]
                         : g.dtype == NC_DTYPE_UINT8 ? ((uint8_t *)g.data)[i]
                                                     : ((int8_t *)g.data)[i];
          long long ov = es == 4                     ? ((int32_t *)o.data)[i]
                         : o.dtype == NC_DTYPE_UINT8 ? ((uint8_t *)o.data)[i]
                                                     : ((int8_t *)o.data)[i];
          cr_assert_fail("%s [%s]: element %zu of %zu is %lld, golden %lld",
                         label, prof.kernel, i, n, ov, gv);
        }
      }
    }
  } else {
    nc_tensor_t m;
    ocl_test_magnitude(l, x, w, b, &m);
    const float *gf = g.data, *of = o.data, *mf = m.data;
    int exact = l->kind == NC_LAYER_MAXPOOL;
    for (size_t i = 0; i < n; i++) {
      double tol = exact ? 0.0 : NC_OCL_F32_RTOL * (double)mf[i];
      double d = fabs((double)of[i] - (double)gf[i]);
      if (!(d <= tol) && !(isnan(gf[i]) && isnan(of[i]))) {
        cr_assert_fail(
            "%s [%s]: element %zu of %zu is %.9g, golden %.9g "
            "(|d| = %g > tolerance %g)",
            label, prof.kernel, i, n, (double)of[i], (double)gf[i], d, tol);
      }
    }
    nc_tensor_free(&m);
  }
  nc_tensor_free(&g);
  nc_tensor_free(&o);
}

/* The general kernel, the fast path and, for conv2d and fc, the
 * local-memory tiled kernel (which a GPU gets by default; forced here so
 * that it runs on POCL too). */
static inline void ocl_test_check(nc_ocl_t *c, const nc_layer_t *l,
                                  const nc_tensor_t *x, const nc_tensor_t *w,
                                  const nc_tensor_t *b, const char *label) {
  char lab[512];
  snprintf(lab, sizeof lab, "%s (general)", label);
  ocl_test_check_path(c, NC_OCL_PATH_GENERAL, l, x, w, b, lab);
  snprintf(lab, sizeof lab, "%s (fast)", label);
  ocl_test_check_path(c, NC_OCL_PATH_FAST, l, x, w, b, lab);
  if (l->kind == NC_LAYER_CONV2D || l->kind == NC_LAYER_FC) {
    snprintf(lab, sizeof lab, "%s (local)", label);
    ocl_test_check_path(c, NC_OCL_PATH_LOCAL, l, x, w, b, lab);
  }
}

/* Whether nc_conv_vnni should run here, derived apart from the library's
 * own check: POCL's CPU device on a host whose CPU has AVX512-VNNI. */
static inline int ocl_test_vnni_here(const nc_ocl_t *c) {
  const nc_ocl_device_info_t *d = nc_ocl_device(c);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  __builtin_cpu_init();
  return strcmp(d->type, "CPU") == 0 &&
         strcmp(d->platform_name, "Portable Computing Language") == 0 &&
         __builtin_cpu_supports("avx512vnni");
#else
  (void)d;
  return 0;
#endif
}

/* One random per-channel requantization with a random clamp. */
static inline void ocl_test_random_rq(nc_rng_t *r, nc_requant_t *rq,
                                      int64_t oc) {
  memset(rq, 0, sizeof *rq);
  rq->enabled = 1;
  rq->out_dtype = nc_rng_range(r, 0, 1) ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  rq->channels =
      nc_rng_range(r, 0, 1) && oc <= NC_RQ_MAX_CHANNELS ? (int)oc : 1;
  for (int i = 0; i < rq->channels; i++) {
    rq->mult[i] = (int32_t)nc_rng_range(r, INT64_C(1) << 30, INT32_MAX);
    /* Mostly right shifts that keep results in range; a few left shifts
     * that saturate. */
    rq->shift[i] =
        (int32_t)(nc_rng_range(r, 0, 7) == 0 ? nc_rng_range(r, 0, 30)
                                             : nc_rng_range(r, -31, -6));
  }
  int lo = rq->out_dtype == NC_DTYPE_UINT8 ? 0 : -128;
  int hi = rq->out_dtype == NC_DTYPE_UINT8 ? 255 : 127;
  rq->out_zp = (int32_t)nc_rng_range(r, lo, hi);
  rq->act_min = (int32_t)nc_rng_range(r, lo, (lo + hi) / 2);
  rq->act_max = (int32_t)nc_rng_range(r, rq->act_min, hi);
}

/* Random tensors for a MAC layer: x/w/b of `dt` (float32, int8, uint8). */
static inline void ocl_test_random_tensors(nc_rng_t *r, nc_dtype_t dt,
                                           const int64_t *xs, int xnd,
                                           const int64_t *ws, int wnd,
                                           const int64_t *bs, int bnd,
                                           nc_tensor_t *x, nc_tensor_t *w,
                                           nc_tensor_t *b) {
  int fl = dt == NC_DTYPE_FLOAT32;
  nc_test_alloc(x, dt, xnd, xs);
  nc_test_alloc(w, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8, wnd, ws);
  nc_test_alloc(b, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT32, bnd, bs);
  if (fl) {
    nc_rng_fill(r, x, -1.0, 1.0);
    nc_rng_fill(r, w, -1.0, 1.0);
    nc_rng_fill(r, b, -1.0, 1.0);
  } else {
    nc_rng_fill(r, x, -128, 255);
    nc_rng_fill(r, w, -128, 127);
    /* Now and then a bias near the int32 limits, so the sum wraps. */
    if (nc_rng_range(r, 0, 4) == 0) {
      nc_rng_fill(r, b, INT32_MAX - 100000.0, INT32_MAX);
    } else {
      nc_rng_fill(r, b, -200000, 200000);
    }
  }
}

/* Integer zero point / pad value, float activation, or requantization. */
static inline void ocl_test_random_numerics(nc_rng_t *r, nc_layer_t *l,
                                            nc_dtype_t dt, int64_t oc) {
  if (dt == NC_DTYPE_FLOAT32) {
    l->act = (nc_act_t)nc_rng_range(r, 0, 3);
    l->act_lo = -0.5f;
    l->act_hi = 0.75f;
    return;
  }
  int lo = dt == NC_DTYPE_UINT8 ? 0 : -128;
  int hi = dt == NC_DTYPE_UINT8 ? 255 : 127;
  l->in_zp = (int32_t)nc_rng_range(r, lo, hi);
  l->pad_value =
      nc_rng_range(r, 0, 1) ? l->in_zp : (int32_t)nc_rng_range(r, lo, hi);
  if (nc_rng_range(r, 0, 1)) {
    ocl_test_random_rq(r, &l->rq, oc);
  }
}

#endif /* NEOCOG_TESTS_OCL_TEST_H */
