/*
 * Layer descriptions and shape rules: defaults, kind names, the lecture's
 * output-size formula and the full geometry check every backend relies on.
 *
 * Status conventions: a layer parameter out of its range (stride, padding,
 * dilation, groups, pooling window, an option a kind does not take) is
 * NC_ERR_INVALID_ARG; tensors whose shapes disagree with each other or with
 * the layer (rank, channels, weight extents, bias length) are NC_ERR_SHAPE;
 * a window larger than the padded input is NC_ERR_EMPTY_OUTPUT; sizes that
 * do not fit in 64 bits are NC_ERR_OVERFLOW.
 */
#include "neocog/layer.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/text.h"

static const char *const kind_names_[NC_LAYER_KIND_COUNT] = {
    [NC_LAYER_CONV2D] = "conv2d",   [NC_LAYER_FC] = "fc",
    [NC_LAYER_LOCAL] = "local",     [NC_LAYER_MAXPOOL] = "maxpool",
    [NC_LAYER_AVGPOOL] = "avgpool",
};

void nc_layer_init(nc_layer_t *l, nc_layer_kind_t kind) {
  if (l == NULL) {
    return;
  }
  memset(l, 0, sizeof *l);
  l->kind = kind;
  /* pool_h/pool_w stay 0: a pooling layer must choose its window, and
   * nc_layer_geometry() says so if it does not. */
  l->stride_h = 1;
  l->stride_w = 1;
  l->pad_mode = NC_PAD_EXPLICIT;
  l->dil_h = 1;
  l->dil_w = 1;
  l->groups = 1;
  l->rq.enabled = 0;
  l->rq.out_dtype = NC_DTYPE_INT8;
  l->rq.channels = 1;
  l->rq.act_min = INT8_MIN;
  l->rq.act_max = INT8_MAX;
  l->act = NC_ACT_NONE;
  l->act_lo = -FLT_MAX;
  l->act_hi = FLT_MAX;
}

const char *nc_layer_kind_name(nc_layer_kind_t kind) {
  return (unsigned)kind < NC_LAYER_KIND_COUNT ? kind_names_[kind] : "?";
}

nc_status_t nc_layer_kind_parse(const char *name, nc_layer_kind_t *out) {
  if (name == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "layer kind: NULL argument");
  }
  for (int i = 0; i < NC_LAYER_KIND_COUNT; i++) {
    if (strcmp(name, kind_names_[i]) == 0) {
      *out = (nc_layer_kind_t)i;
      return NC_OK;
    }
  }
  char shown[64];
  return nc__fail(NC_ERR_INVALID_ARG,
                  "unknown layer kind '%s' (expected conv2d, fc, local, "
                  "maxpool or avgpool)",
                  nc__shown_str(name, shown, sizeof shown));
}

/* Dilated window extent dil * (k - 1) + 1; nonzero on overflow. */
static int eff_kernel_(int64_t k, int64_t dil, int64_t *keff) {
  int64_t span = 0;
  if (__builtin_mul_overflow(dil, k - 1, &span) ||
      __builtin_add_overflow(span, 1, keff)) {
    return 1;
  }
  return 0;
}

nc_status_t nc_out_dim(int64_t d, int64_t k, int64_t s, int64_t pb, int64_t pe,
                       int64_t dil, int64_t *out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "out_dim: NULL output");
  }
  if (s < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "stride must be >= 1 (got %lld)",
                    (long long)s);
  }
  if (dil < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "dilation must be >= 1 (got %lld)",
                    (long long)dil);
  }
  if (k < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "kernel size must be >= 1 (got %lld)",
                    (long long)k);
  }
  if (pb < 0 || pe < 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "pad must be >= 0 (got %lld)",
                    (long long)(pb < 0 ? pb : pe));
  }
  if (d < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "input size must be >= 1 (got %lld)",
                    (long long)d);
  }
  int64_t keff = 0;
  int64_t padded = 0;
  if (eff_kernel_(k, dil, &keff)) {
    return nc__fail(NC_ERR_OVERFLOW,
                    "dilated window %lld x dilation %lld overflows",
                    (long long)k, (long long)dil);
  }
  if (__builtin_add_overflow(d, pb, &padded) ||
      __builtin_add_overflow(padded, pe, &padded)) {
    return nc__fail(NC_ERR_OVERFLOW,
                    "input %lld + padding %lld + %lld "
                    "overflows",
                    (long long)d, (long long)pb, (long long)pe);
  }
  if (padded < keff) {
    return nc__fail(NC_ERR_EMPTY_OUTPUT,
                    "input %lld + padding %lld is smaller than the "
                    "%lld-wide window: no output",
                    (long long)d, (long long)(pb + pe), (long long)keff);
  }
  *out = (padded - keff) / s + 1;
  return NC_OK;
}

/* TF/ONNX SAME_UPPER: out = ceil(d / s), the smaller half of the padding
 * before, the rest after. */
static nc_status_t same_pad_(const char *kn, const char *axis, int64_t d,
                             int64_t keff, int64_t s, int *pb, int *pe) {
  int64_t out = d / s + (d % s != 0);
  int64_t total = (out - 1) * s + keff - d; /* < keff: no overflow */
  if (total < 0) {
    total = 0;
  }
  if (total > INT_MAX) {
    return nc__fail(NC_ERR_OVERFLOW,
                    "%s: SAME padding of %lld %s does not fit in an int", kn,
                    (long long)total, axis);
  }
  *pb = (int)(total / 2);
  *pe = (int)(total - total / 2);
  return NC_OK;
}

/* Checks stride, dilation, padding mode and explicit padding values. */
static nc_status_t check_spatial_(const nc_layer_t *l, const char *kn) {
  if (l->stride_h < 1 || l->stride_w < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: stride must be >= 1 (got %s=%d)",
                    kn, l->stride_h < 1 ? "stride_h" : "stride_w",
                    l->stride_h < 1 ? l->stride_h : l->stride_w);
  }
  if (l->dil_h < 1 || l->dil_w < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: dilation must be >= 1 (got %s=%d)",
                    kn, l->dil_h < 1 ? "dil_h" : "dil_w",
                    l->dil_h < 1 ? l->dil_h : l->dil_w);
  }
  if (l->pad_mode != NC_PAD_EXPLICIT && l->pad_mode != NC_PAD_SAME) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: unknown pad mode %d", kn,
                    (int)l->pad_mode);
  }
  if (l->pad_mode == NC_PAD_EXPLICIT) {
    const int pads[4] = {l->pad_top, l->pad_bottom, l->pad_left, l->pad_right};
    static const char *const names[4] = {"pad_top", "pad_bottom", "pad_left",
                                         "pad_right"};
    for (int i = 0; i < 4; i++) {
      if (pads[i] < 0) {
        return nc__fail(NC_ERR_INVALID_ARG, "%s: pad must be >= 0 (got %s=%d)",
                        kn, names[i], pads[i]);
      }
    }
  }
  return NC_OK;
}

/* Output size of one axis, with the padding resolved into g; prefixes the
 * detail of a failure with the layer kind and the axis. */
static nc_status_t axis_(const nc_layer_t *l, const char *kn, int rows,
                         int64_t d, int64_t k, nc_geom_t *g, int64_t *out) {
  const char *axis = rows ? "rows" : "columns";
  int64_t s = rows ? l->stride_h : l->stride_w;
  int64_t dil = rows ? l->dil_h : l->dil_w;
  int *pb = rows ? &g->pad_top : &g->pad_left;
  int *pe = rows ? &g->pad_bottom : &g->pad_right;
  if (l->pad_mode == NC_PAD_SAME) {
    int64_t keff = 0;
    if (eff_kernel_(k, dil, &keff)) {
      return nc__fail(NC_ERR_OVERFLOW,
                      "%s: dilated window of the %s "
                      "overflows",
                      kn, axis);
    }
    nc_status_t st = same_pad_(kn, axis, d, keff, s, pb, pe);
    if (st != NC_OK) {
      return st;
    }
  } else {
    *pb = rows ? l->pad_top : l->pad_left;
    *pe = rows ? l->pad_bottom : l->pad_right;
  }
  nc_status_t st = nc_out_dim(d, k, s, *pb, *pe, dil, out);
  if (st != NC_OK) {
    char why[400];
    snprintf(why, sizeof why, "%s", nc_error_detail());
    return nc__fail(st, "%s: %s: %s", kn, axis, why);
  }
  return NC_OK;
}

/* Product of extents into *out; nonzero on overflow. */
static int prod_(const int64_t *v, int n, int64_t *out) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) {
    if (__builtin_mul_overflow(p, v[i], &p)) {
      return 1;
    }
  }
  *out = p;
  return 0;
}

static nc_status_t check_extents_(const char *kn, const char *what,
                                  const int64_t *shape, int ndim) {
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 1) {
      return nc__fail(NC_ERR_SHAPE,
                      "%s: %s dimension %d is %lld (every extent must be "
                      ">= 1)",
                      kn, what, i, (long long)shape[i]);
    }
  }
  return NC_OK;
}

static nc_status_t check_rank_(const char *kn, const char *what, int ndim,
                               int want, const char *layout) {
  if (ndim != want) {
    return nc__fail(NC_ERR_SHAPE, "%s: %s must have rank %d %s (got rank %d)",
                    kn, what, want, layout, ndim);
  }
  return NC_OK;
}

/* macs = product of the factors, params = weights + bias. */
static nc_status_t costs_(const char *kn, const int64_t *f, int nf,
                          const int64_t *w_shape, int w_ndim, int64_t b_len,
                          nc_geom_t *g) {
  int64_t wn = 0;
  if (prod_(f, nf, &g->macs) || prod_(w_shape, w_ndim, &wn) ||
      __builtin_add_overflow(wn, b_len < 0 ? 0 : b_len, &g->params)) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: MAC or parameter count overflows",
                    kn);
  }
  return NC_OK;
}

static nc_status_t geom_conv_(const nc_layer_t *l, const char *kn,
                              const int64_t *in, int in_ndim, const int64_t *ws,
                              int w_ndim, int64_t b_len, nc_geom_t *g) {
  nc_status_t st = check_rank_(kn, "input", in_ndim, 4, "[N,H,W,C]");
  if (st == NC_OK) {
    st = check_rank_(kn, "weights", w_ndim, 4, "[O,KH,KW,C/groups]");
  }
  if (st == NC_OK) {
    st = check_extents_(kn, "weight", ws, w_ndim);
  }
  if (st == NC_OK) {
    st = check_spatial_(l, kn);
  }
  if (st != NC_OK) {
    return st;
  }
  int64_t n = in[0], h = in[1], w = in[2], c = in[3];
  int64_t o = ws[0], kh = ws[1], kw = ws[2], cg = ws[3];
  int64_t gr = l->groups;
  if (gr < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: groups must be >= 1 (got %d)", kn,
                    l->groups);
  }
  if (c % gr != 0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: groups=%lld does not divide the %lld input "
                    "channels",
                    kn, (long long)gr, (long long)c);
  }
  if (o % gr != 0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: groups=%lld does not divide the %lld output "
                    "channels",
                    kn, (long long)gr, (long long)o);
  }
  if (cg != c / gr) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: weights have %lld input channels per group but "
                    "input has %lld channels and groups=%lld",
                    kn, (long long)cg, (long long)c, (long long)gr);
  }
  if (b_len != -1 && b_len != o) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: bias has %lld elements but there are %lld output "
                    "channels",
                    kn, (long long)b_len, (long long)o);
  }
  int64_t oh = 0, ow = 0;
  st = axis_(l, kn, 1, h, kh, g, &oh);
  if (st == NC_OK) {
    st = axis_(l, kn, 0, w, kw, g, &ow);
  }
  if (st != NC_OK) {
    return st;
  }
  g->n = n, g->h = h, g->w = w, g->c = c;
  g->kh = kh, g->kw = kw;
  g->oh = oh, g->ow = ow, g->oc = o;
  const int64_t f[7] = {n, oh, ow, o, kh, kw, cg};
  return costs_(kn, f, 7, ws, w_ndim, b_len, g);
}

static nc_status_t geom_fc_(const nc_layer_t *l, const char *kn,
                            const int64_t *in, int in_ndim, const int64_t *ws,
                            int w_ndim, int64_t b_len, nc_geom_t *g) {
  if (in_ndim < 2) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: input must have rank >= 2 [N, ...] (got rank %d)", kn,
                    in_ndim);
  }
  nc_status_t st = check_rank_(kn, "weights", w_ndim, 2, "[O,I]");
  if (st == NC_OK) {
    st = check_extents_(kn, "weight", ws, w_ndim);
  }
  if (st != NC_OK) {
    return st;
  }
  if (l->stride_h != 1 || l->stride_w != 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: stride must be 1 (got stride_h=%d, stride_w=%d)", kn,
                    l->stride_h, l->stride_w);
  }
  if (l->pad_mode != NC_PAD_EXPLICIT || l->pad_top != 0 || l->pad_bottom != 0 ||
      l->pad_left != 0 || l->pad_right != 0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: pad must be explicit and 0 (got mode %d, %d %d %d "
                    "%d)",
                    kn, (int)l->pad_mode, l->pad_top, l->pad_bottom,
                    l->pad_left, l->pad_right);
  }
  if (l->dil_h != 1 || l->dil_w != 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: dilation must be 1 (got dil_h=%d, dil_w=%d)", kn,
                    l->dil_h, l->dil_w);
  }
  if (l->groups != 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: groups must be 1 (got %d)", kn,
                    l->groups);
  }
  int64_t feat = 0;
  if (prod_(in + 1, in_ndim - 1, &feat)) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: input feature count overflows", kn);
  }
  int64_t o = ws[0];
  if (ws[1] != feat) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: weights are [%lld, %lld] but the input has %lld "
                    "features per sample",
                    kn, (long long)o, (long long)ws[1], (long long)feat);
  }
  if (b_len != -1 && b_len != o) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: bias has %lld elements but there are %lld outputs", kn,
                    (long long)b_len, (long long)o);
  }
  g->n = in[0], g->h = 1, g->w = 1, g->c = feat;
  g->kh = 1, g->kw = 1;
  g->oh = 1, g->ow = 1, g->oc = o;
  const int64_t f[3] = {in[0], o, feat};
  return costs_(kn, f, 3, ws, w_ndim, b_len, g);
}

static nc_status_t geom_local_(const nc_layer_t *l, const char *kn,
                               const int64_t *in, int in_ndim,
                               const int64_t *ws, int w_ndim, int64_t b_len,
                               nc_geom_t *g) {
  nc_status_t st = check_rank_(kn, "input", in_ndim, 4, "[N,H,W,C]");
  if (st == NC_OK) {
    st = check_rank_(kn, "weights", w_ndim, 6, "[OH,OW,O,KH,KW,C]");
  }
  if (st == NC_OK) {
    st = check_extents_(kn, "weight", ws, w_ndim);
  }
  if (st == NC_OK) {
    st = check_spatial_(l, kn);
  }
  if (st != NC_OK) {
    return st;
  }
  if (l->groups != 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: groups must be 1 (got %d)", kn,
                    l->groups);
  }
  int64_t n = in[0], h = in[1], w = in[2], c = in[3];
  int64_t o = ws[2], kh = ws[3], kw = ws[4];
  if (ws[5] != c) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: weights have %lld input channels but input has "
                    "%lld channels",
                    kn, (long long)ws[5], (long long)c);
  }
  int64_t oh = 0, ow = 0;
  st = axis_(l, kn, 1, h, kh, g, &oh);
  if (st == NC_OK) {
    st = axis_(l, kn, 0, w, kw, g, &ow);
  }
  if (st != NC_OK) {
    return st;
  }
  if (ws[0] != oh || ws[1] != ow) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: weights hold filters for a %lldx%lld output but "
                    "the layer's output is %lldx%lld",
                    kn, (long long)ws[0], (long long)ws[1], (long long)oh,
                    (long long)ow);
  }
  int64_t per_pos = 0;
  const int64_t bank[3] = {oh, ow, o};
  if (prod_(bank, 3, &per_pos)) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: weight count overflows", kn);
  }
  if (b_len != -1 && b_len != o && b_len != per_pos) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: bias has %lld elements but needs %lld (per "
                    "channel) or %lld (per position, [OH,OW,O])",
                    kn, (long long)b_len, (long long)o, (long long)per_pos);
  }
  g->n = n, g->h = h, g->w = w, g->c = c;
  g->kh = kh, g->kw = kw;
  g->oh = oh, g->ow = ow, g->oc = o;
  const int64_t f[7] = {n, oh, ow, o, kh, kw, c};
  return costs_(kn, f, 7, ws, w_ndim, b_len, g);
}

static nc_status_t geom_pool_(const nc_layer_t *l, const char *kn,
                              const int64_t *in, int in_ndim, int w_ndim,
                              int64_t b_len, nc_geom_t *g) {
  nc_status_t st = check_rank_(kn, "input", in_ndim, 4, "[N,H,W,C]");
  if (st != NC_OK) {
    return st;
  }
  if (w_ndim != 0 || b_len != -1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: pooling has no weights or bias (got weights of "
                    "rank %d, bias length %lld)",
                    kn, w_ndim, (long long)b_len);
  }
  if (l->pool_h < 1 || l->pool_w < 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: pooling window must be >= 1 (got %dx%d)", kn,
                    l->pool_h, l->pool_w);
  }
  st = check_spatial_(l, kn);
  if (st != NC_OK) {
    return st;
  }
  if (l->dil_h != 1 || l->dil_w != 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: dilation must be 1 (got dil_h=%d, dil_w=%d)", kn,
                    l->dil_h, l->dil_w);
  }
  if (l->groups != 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: groups must be 1 (got %d)", kn,
                    l->groups);
  }
  int64_t oh = 0, ow = 0;
  st = axis_(l, kn, 1, in[1], l->pool_h, g, &oh);
  if (st == NC_OK) {
    st = axis_(l, kn, 0, in[2], l->pool_w, g, &ow);
  }
  if (st != NC_OK) {
    return st;
  }
  /* A pad as large as the window would let a window hold only padding. */
  const int pads[4] = {g->pad_top, g->pad_bottom, g->pad_left, g->pad_right};
  const int win[4] = {l->pool_h, l->pool_h, l->pool_w, l->pool_w};
  static const char *const names[4] = {"pad_top", "pad_bottom", "pad_left",
                                       "pad_right"};
  for (int i = 0; i < 4; i++) {
    if (pads[i] >= win[i]) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "%s: pad must be smaller than the window (%s=%d, "
                      "window %s %d): a window could be all padding",
                      kn, names[i], pads[i], i < 2 ? "height" : "width",
                      win[i]);
    }
  }
  g->n = in[0], g->h = in[1], g->w = in[2], g->c = in[3];
  g->kh = l->pool_h, g->kw = l->pool_w;
  g->oh = oh, g->ow = ow, g->oc = in[3];
  g->macs = 0;
  g->params = 0;
  return NC_OK;
}

nc_status_t nc_layer_geometry(const nc_layer_t *l, const int64_t *in_shape,
                              int in_ndim, const int64_t *w_shape, int w_ndim,
                              int64_t b_len, nc_geom_t *g) {
  if (l == NULL || g == NULL || (in_ndim > 0 && in_shape == NULL) ||
      (w_ndim > 0 && w_shape == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG, "layer geometry: NULL argument");
  }
  if ((unsigned)l->kind >= NC_LAYER_KIND_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "unknown layer kind %d", (int)l->kind);
  }
  const char *kn = kind_names_[l->kind];
  if (in_ndim < 1 || in_ndim > NC_MAX_DIMS || w_ndim < 0 ||
      w_ndim > NC_MAX_DIMS) {
    return nc__fail(NC_ERR_SHAPE,
                    "%s: input rank %d / weight rank %d (1..%d / 0..%d "
                    "allowed)",
                    kn, in_ndim, w_ndim, NC_MAX_DIMS, NC_MAX_DIMS);
  }
  if (b_len < -1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: bias length %lld (use -1 for no bias)", kn,
                    (long long)b_len);
  }
  nc_status_t st = check_extents_(kn, "input", in_shape, in_ndim);
  if (st != NC_OK) {
    return st;
  }
  nc_geom_t r;
  memset(&r, 0, sizeof r);
  switch (l->kind) {
    case NC_LAYER_CONV2D:
      st = geom_conv_(l, kn, in_shape, in_ndim, w_shape, w_ndim, b_len, &r);
      break;
    case NC_LAYER_FC:
      st = geom_fc_(l, kn, in_shape, in_ndim, w_shape, w_ndim, b_len, &r);
      break;
    case NC_LAYER_LOCAL:
      st = geom_local_(l, kn, in_shape, in_ndim, w_shape, w_ndim, b_len, &r);
      break;
    case NC_LAYER_MAXPOOL:
    case NC_LAYER_AVGPOOL:
      st = geom_pool_(l, kn, in_shape, in_ndim, w_ndim, b_len, &r);
      break;
    default:
      st = nc__fail(NC_ERR_INTERNAL, "unhandled layer kind %d", (int)l->kind);
      break;
  }
  if (st != NC_OK) {
    return st;
  }
  /* Output element count must fit too (allocation checks bytes later). */
  int64_t numel = 0;
  const int64_t od[4] = {r.n, r.oh, r.ow, r.oc};
  if (prod_(od, 4, &numel)) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: output element count overflows", kn);
  }
  /* Refused here, before anything is allocated: at 4 bytes per element
   * (int32 accumulators, float32) the output must fit in a tensor. */
  if ((uint64_t)numel > nc__tensor_max_bytes() / 4) {
    char os[160];
    if (l->kind == NC_LAYER_FC) {
      snprintf(os, sizeof os, "[%lld, %lld]", (long long)r.n, (long long)r.oc);
    } else {
      snprintf(os, sizeof os, "[%lld, %lld, %lld, %lld]", (long long)r.n,
               (long long)r.oh, (long long)r.ow, (long long)r.oc);
    }
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: the output %s has %lld elements, more than a tensor "
                    "may hold (%llu bytes at 4 bytes each)",
                    kn, os, (long long)numel,
                    (unsigned long long)nc__tensor_max_bytes());
  }
  *g = r;
  return NC_OK;
}
