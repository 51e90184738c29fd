/*
 * The checks every backend runs before it computes a layer. They are the
 * golden reference's (host/golden.c, check_run_ and its helpers) word for
 * word, so that a layer the golden rejects is rejected by every backend with
 * the same status and detail.
 */
#include "host/layer_check.h"

#include <limits.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/layer.h"

/* A tensor whose fields agree with each other. */
static nc_status_t check_tensor_(const char *kn, const char *what,
                                 const nc_tensor_t *t) {
  if (nc_dtype_size(t->dtype) == 0 || t->ndim < 0 || t->ndim > NC_MAX_DIMS) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: %s tensor has an invalid dtype (%d) or rank (%d)", kn,
                    what, (int)t->dtype, t->ndim);
  }
  size_t bytes = nc_dtype_size(t->dtype);
  for (int i = 0; i < t->ndim; i++) {
    if (t->shape[i] < 0 || (uint64_t)t->shape[i] > SIZE_MAX ||
        nc__mul_overflow(bytes, (size_t)t->shape[i], &bytes)) {
      return nc__fail(NC_ERR_INVALID_ARG, "%s: %s tensor has a bad extent %lld",
                      kn, what, (long long)t->shape[i]);
    }
  }
  if (bytes != t->nbytes || (bytes > 0 && t->data == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: %s tensor holds %zu bytes at %s but its shape "
                    "needs %zu",
                    kn, what, t->nbytes, t->data ? "data" : "NULL", bytes);
  }
  return NC_OK;
}

static nc_status_t check_range_(const char *kn, const char *what, int32_t v,
                                nc_dtype_t dt) {
  int32_t lo = dt == NC_DTYPE_UINT8 ? 0 : INT8_MIN;
  int32_t hi = dt == NC_DTYPE_UINT8 ? UINT8_MAX : INT8_MAX;
  if (v < lo || v > hi) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: %s %d is outside the %s range %d..%d", kn, what,
                    (int)v, nc_dtype_name(dt), (int)lo, (int)hi);
  }
  return NC_OK;
}

/* Dtype, requantization and activation rules of conv, fc and local. */
static nc_status_t check_mac_types_(const nc_layer_t *l, const char *kn,
                                    const nc_geom_t *g, const nc_tensor_t *in,
                                    const nc_tensor_t *w,
                                    const nc_tensor_t *b) {
  const char *bname = b != NULL ? nc_dtype_name(b->dtype) : "none";
  if (in->dtype == NC_DTYPE_FLOAT32) {
    if (w->dtype != NC_DTYPE_FLOAT32 ||
        (b != NULL && b->dtype != NC_DTYPE_FLOAT32)) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: float32 input needs float32 weights and bias "
                      "(got weights %s, bias %s)",
                      kn, nc_dtype_name(w->dtype), bname);
    }
    if (l->rq.enabled) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "%s: requantization (rq.enabled) applies to integer "
                      "layers only; this one is float32",
                      kn);
    }
    if ((unsigned)l->act > NC_ACT_CLAMP) {
      return nc__fail(NC_ERR_INVALID_ARG, "%s: unknown activation %d", kn,
                      (int)l->act);
    }
    if (l->act == NC_ACT_CLAMP && !(l->act_lo <= l->act_hi)) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "%s: activation clamp needs act_lo <= act_hi (got %g, "
                      "%g)",
                      kn, (double)l->act_lo, (double)l->act_hi);
    }
    return NC_OK;
  }
  if (in->dtype != NC_DTYPE_INT8 && in->dtype != NC_DTYPE_UINT8) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: input dtype %s is not supported (int8, uint8 or "
                    "float32)",
                    kn, nc_dtype_name(in->dtype));
  }
  if (w->dtype != NC_DTYPE_INT8 || (b != NULL && b->dtype != NC_DTYPE_INT32)) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: %s input needs int8 weights and int32 bias (got "
                    "weights %s, bias %s)",
                    kn, nc_dtype_name(in->dtype), nc_dtype_name(w->dtype),
                    bname);
  }
  if (l->act != NC_ACT_NONE) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: integer layers clamp through rq.act_min/act_max; "
                    "the float activation must be NONE (got %d)",
                    kn, (int)l->act);
  }
  nc_status_t st = check_range_(kn, "in_zp", l->in_zp, in->dtype);
  if (st == NC_OK) {
    st = check_range_(kn, "pad_value", l->pad_value, in->dtype);
  }
  if (st != NC_OK || !l->rq.enabled) {
    return st;
  }
  st = nc_requant_validate(&l->rq);
  if (st != NC_OK) {
    char why[400];
    strncpy(why, nc_error_detail(), sizeof why - 1);
    why[sizeof why - 1] = '\0';
    return nc__fail(st, "%s: %s", kn, why);
  }
  if (l->rq.channels != 1 && l->rq.channels != g->oc) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: requantization has %d channels but the layer has "
                    "%lld output channels (1 or %lld allowed)",
                    kn, l->rq.channels, (long long)g->oc, (long long)g->oc);
  }
  return NC_OK;
}

/* Everything a run needs to know is checked here; nothing is allocated. */
nc_status_t nc__layer_check_run(const nc_layer_t *l, const nc_tensor_t *in,
                                const nc_tensor_t *w, const nc_tensor_t *b,
                                nc_geom_t *g) {
  if ((unsigned)l->kind >= NC_LAYER_KIND_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "unknown layer kind %d", (int)l->kind);
  }
  const char *kn = nc_layer_kind_name(l->kind);
  const int pool = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  if (pool && (w != NULL || b != NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: pooling takes no weights or bias (pass NULL)", kn);
  }
  if (!pool && w == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: weights are required (got NULL)",
                    kn);
  }
  nc_status_t st = check_tensor_(kn, "input", in);
  if (st == NC_OK && w != NULL) {
    st = check_tensor_(kn, "weight", w);
  }
  if (st == NC_OK && b != NULL) {
    st = check_tensor_(kn, "bias", b);
  }
  if (st != NC_OK) {
    return st;
  }
  /* Bias is [O]; a local layer's per-position bias may also be [OH,OW,O]. */
  if (b != NULL && b->ndim != 1 &&
      !(l->kind == NC_LAYER_LOCAL && b->ndim == 3)) {
    return nc__fail(NC_ERR_SHAPE, "%s: bias must have rank 1 (got rank %d)", kn,
                    b->ndim);
  }
  st = nc_layer_geometry(l, in->shape, in->ndim, w ? w->shape : NULL,
                         w ? w->ndim : 0, b ? (int64_t)nc_tensor_numel(b) : -1,
                         g);
  if (st != NC_OK) {
    return st;
  }
  if (b != NULL && b->ndim == 3 &&
      (b->shape[0] != g->oh || b->shape[1] != g->ow || b->shape[2] != g->oc)) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: a rank-3 bias must be [OH,OW,O] = [%lld, %lld, "
                    "%lld]",
                    kn, (long long)g->oh, (long long)g->ow, (long long)g->oc);
  }
  if (!pool) {
    return check_mac_types_(l, kn, g, in, w, b);
  }
  if (in->dtype != NC_DTYPE_INT8 && in->dtype != NC_DTYPE_UINT8 &&
      in->dtype != NC_DTYPE_INT32 && in->dtype != NC_DTYPE_FLOAT32) {
    return nc__fail(NC_ERR_UNSUPPORTED, "%s: input dtype %s is not supported",
                    kn, nc_dtype_name(in->dtype));
  }
  if (l->rq.enabled || l->act != NC_ACT_NONE) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: pooling keeps the input dtype; requantization "
                    "(rq.enabled) and activation must be off",
                    kn);
  }
  return NC_OK;
}

nc_dtype_t nc__layer_out_dtype(const nc_layer_t *l, const nc_tensor_t *in) {
  const int pool = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  if (pool || in->dtype == NC_DTYPE_FLOAT32) {
    return in->dtype;
  }
  return l->rq.enabled ? l->rq.out_dtype : NC_DTYPE_INT32;
}
