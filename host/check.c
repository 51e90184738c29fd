/* Comparison of a backend's output with the golden reference. */
#include "neocog/check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "neocog/error.h"

/* A float32 copy of t with every element replaced by its magnitude. */
static nc_status_t abs_copy_(const nc_tensor_t *t, nc_tensor_t *a) {
  int st = nc_tensor_alloc(a, t->dtype, t->ndim, t->shape);
  if (st != NC_OK) {
    return st;
  }
  const float *src = t->data;
  float *dst = a->data;
  size_t n = nc_tensor_numel(t);
  for (size_t i = 0; i < n; i++) {
    dst[i] = fabsf(src[i]);
  }
  return NC_OK;
}

/* Golden run on |x|, |w|, |b| with no activation: the magnitude bound. */
static nc_status_t magnitude_(const nc_layer_t *l, const nc_tensor_t *x,
                              const nc_tensor_t *w, const nc_tensor_t *b,
                              nc_tensor_t *m) {
  nc_tensor_t xa = {0}, wa = {0}, ba = {0};
  nc_layer_t la = *l;
  la.act = NC_ACT_NONE;
  int st = abs_copy_(x, &xa);
  if (st == NC_OK && w != NULL) {
    st = abs_copy_(w, &wa);
  }
  if (st == NC_OK && b != NULL) {
    st = abs_copy_(b, &ba);
  }
  if (st == NC_OK) {
    st = nc_golden_run(&la, &xa, w ? &wa : NULL, b ? &ba : NULL, m);
  }
  nc_tensor_free(&xa);
  nc_tensor_free(&wa);
  nc_tensor_free(&ba);
  return st;
}

static double get_(const nc_tensor_t *t, size_t i) {
  switch (t->dtype) {
    case NC_DTYPE_INT8:
      return ((const int8_t *)t->data)[i];
    case NC_DTYPE_UINT8:
      return ((const uint8_t *)t->data)[i];
    case NC_DTYPE_INT32:
      return ((const int32_t *)t->data)[i];
    default:
      return ((const float *)t->data)[i];
  }
}

nc_status_t nc_check_layer(const nc_layer_t *l, const nc_tensor_t *input,
                           const nc_tensor_t *weights, const nc_tensor_t *bias,
                           const nc_tensor_t *got, double rtol,
                           nc_check_report_t *rep) {
  nc_check_report_t r;
  memset(&r, 0, sizeof r);
  r.index = -1;
  if (l == NULL || input == NULL || got == NULL || !(rtol >= 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "check: bad argument");
  }
  nc_tensor_t want = {0}, mag = {0};
  int st = nc_golden_run(l, input, weights, bias, &want);
  if (st != NC_OK) {
    return st;
  }
  if (got->dtype != want.dtype || got->ndim != want.ndim ||
      memcmp(got->shape, want.shape, sizeof(int64_t) * (size_t)want.ndim) !=
          0 ||
      got->data == NULL || got->nbytes != want.nbytes) {
    char a[96], b[96];
    nc_shape_format(got, a, sizeof a);
    nc_shape_format(&want, b, sizeof b);
    st = nc__fail(NC_ERR_SHAPE, "output is %s %s, golden is %s %s",
                  nc_dtype_name(got->dtype), a, nc_dtype_name(want.dtype), b);
    nc_tensor_free(&want);
    return st;
  }
  const int fl = want.dtype == NC_DTYPE_FLOAT32;
  if (fl && (st = magnitude_(l, input, weights, bias, &mag)) != NC_OK) {
    nc_tensor_free(&want);
    return st;
  }
  size_t n = nc_tensor_numel(&want);
  for (size_t i = 0; i < n; i++) {
    double e = get_(&want, i), a = get_(got, i);
    double tol = fl ? rtol * get_(&mag, i) : 0.0;
    /* NaN never compares within tolerance. */
    if (!(fabs(a - e) <= tol)) {
      if (r.mismatches++ == 0) {
        r.index = (int64_t)i;
        r.expected = e;
        r.actual = a;
        r.tolerance = tol;
      }
    }
  }
  r.ndim = want.ndim;
  if (r.index >= 0) {
    int64_t rest = r.index;
    for (int d = want.ndim - 1; d >= 0; d--) {
      r.coord[d] = want.shape[d] ? rest % want.shape[d] : 0;
      rest = want.shape[d] ? rest / want.shape[d] : 0;
    }
  }
  nc_tensor_free(&want);
  nc_tensor_free(&mag);
  if (rep != NULL) {
    *rep = r;
  }
  if (r.mismatches == 0) {
    return NC_OK;
  }
  char c[160];
  size_t used = (size_t)snprintf(c, sizeof c, "[");
  for (int d = 0; d < r.ndim && used < sizeof c; d++) {
    used += (size_t)snprintf(c + used, sizeof c - used, "%s%lld", d ? ", " : "",
                             (long long)r.coord[d]);
  }
  if (used < sizeof c) {
    snprintf(c + used, sizeof c - used, "]");
  }
  if (fl) {
    return nc__fail(NC_ERR_MISMATCH,
                    "output %s is %.9g, golden %.9g (allowed difference "
                    "%.3g); %lld of %zu elements differ",
                    c, r.actual, r.expected, r.tolerance,
                    (long long)r.mismatches, n);
  }
  return nc__fail(NC_ERR_MISMATCH,
                  "output %s is %.0f, golden %.0f; %lld of %zu elements "
                  "differ",
                  c, r.actual, r.expected, (long long)r.mismatches, n);
}
