/* The reference evaluator's operators, with ONNX's semantics. Values are
 * read into doubles, which hold every int8..int32 value and every float32
 * exactly; float32 results are rounded once from double (for one addition,
 * multiplication or division that is the correctly rounded float32
 * result), integer sums are exact (far below 2^53), and quantization rounds
 * half to even as ONNX does. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/graph_internal.h"
#include "neocog/error.h"
#include "neocog/text.h"

/* ---- helpers ---------------------------------------------------------- */

static nc_status_t fail_(const nc__op_ctx_t *c, nc_status_t st, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

static nc_status_t fail_(const nc__op_ctx_t *c, nc_status_t st, const char *fmt,
                         ...) {
  char msg[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return nc__fail(st, "%s: %s", c->what, msg);
}

double nc__value_at(const nc_value_t *v, size_t i) {
  switch (v->elem) {
    case NC_ELEM_FLOAT32:
      return ((const float *)v->data)[i];
    case NC_ELEM_UINT8:
      return ((const uint8_t *)v->data)[i];
    case NC_ELEM_INT8:
      return ((const int8_t *)v->data)[i];
    case NC_ELEM_UINT16:
      return ((const uint16_t *)v->data)[i];
    case NC_ELEM_INT16:
      return ((const int16_t *)v->data)[i];
    case NC_ELEM_INT32:
      return ((const int32_t *)v->data)[i];
    case NC_ELEM_INT64:
      return (double)((const int64_t *)v->data)[i];
  }
  return 0;
}

static double get_(const nc_value_t *v, size_t i) {
  return nc__value_at(v, i);
}

/* Stores x: float32 rounds, integers wrap as C's conversions of an exact
 * integer do (callers saturate first where ONNX saturates). */
static void put_(nc_value_t *v, size_t i, double x) {
  if (v->elem == NC_ELEM_FLOAT32) {
    ((float *)v->data)[i] = (float)x;
    return;
  }
  const int64_t k = isfinite(x) && fabs(x) < 9.2e18 ? (int64_t)x : 0;
  switch (v->elem) {
    case NC_ELEM_UINT8:
      ((uint8_t *)v->data)[i] = (uint8_t)k;
      break;
    case NC_ELEM_INT8:
      ((int8_t *)v->data)[i] = (int8_t)(uint8_t)k;
      break;
    case NC_ELEM_UINT16:
      ((uint16_t *)v->data)[i] = (uint16_t)k;
      break;
    case NC_ELEM_INT16:
      ((int16_t *)v->data)[i] = (int16_t)(uint16_t)k;
      break;
    case NC_ELEM_INT32:
      ((int32_t *)v->data)[i] = (int32_t)(uint32_t)k;
      break;
    case NC_ELEM_INT64:
      ((int64_t *)v->data)[i] = k;
      break;
    default:
      break;
  }
}

/* The range of an integer type, for saturation. */
static void range_(int elem, double *lo, double *hi) {
  switch (elem) {
    case NC_ELEM_UINT8:
      *lo = 0, *hi = 255;
      return;
    case NC_ELEM_INT8:
      *lo = -128, *hi = 127;
      return;
    case NC_ELEM_UINT16:
      *lo = 0, *hi = 65535;
      return;
    case NC_ELEM_INT16:
      *lo = -32768, *hi = 32767;
      return;
    case NC_ELEM_INT32:
      *lo = -2147483648.0, *hi = 2147483647.0;
      return;
    case NC_ELEM_INT64:
      *lo = -9.2e18, *hi = 9.2e18;
      return;
    default:
      *lo = -FLT_MAX, *hi = FLT_MAX;
      return;
  }
}

static double clampd_(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* The whole value as doubles; NULL (after a detail) when out of memory. */
static double *doubles_(const nc__op_ctx_t *c, const nc_value_t *v) {
  const size_t n = nc_value_numel(v);
  double *d = malloc((n + 1) * sizeof *d);
  if (d == NULL) {
    fail_(c, NC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    d[i] = get_(v, i);
  }
  return d;
}

static nc_status_t alloc_(const nc__op_ctx_t *c, nc_value_t *y, int elem,
                          int ndim, const int64_t *shape) {
  char what[224];
  snprintf(what, sizeof what, "%s: output", c->what);
  return nc_value_alloc(y, elem, ndim, shape, what);
}

static int64_t aint_(const nc__op_ctx_t *c, const char *name, int64_t def) {
  return nc_graph_attr_int(c->n, name, def);
}

static float afloat_(const nc__op_ctx_t *c, const char *name, float def) {
  const nc_attr_t *a = nc_graph_attr(c->n, name);
  return a != NULL && a->type == NC_ATTR_FLOAT ? a->f : def;
}

/* An ints attribute of exactly `want` entries into out[], or the default
 * `def` in every entry when absent. */
static nc_status_t aints_(const nc__op_ctx_t *c, const char *name, int want,
                          int64_t def, int64_t *out) {
  const nc_attr_t *a = nc_graph_attr(c->n, name);
  for (int i = 0; i < want; i++) {
    out[i] = def;
  }
  if (a == NULL) {
    return NC_OK;
  }
  if (a->type != NC_ATTR_INTS || a->n != want) {
    return fail_(c, NC_ERR_FORMAT, "attribute '%s' must be %d integers", name,
                 want);
  }
  memcpy(out, a->ints, (size_t)want * sizeof *out);
  return NC_OK;
}

static int is_int_(int elem) {
  return elem != NC_ELEM_FLOAT32;
}

/* A per-tensor or per-index parameter (zero point, scale): 0 when absent. */
static double at_(const nc_value_t *v, int64_t i) {
  if (v == NULL || v->nbytes == 0) {
    return 0;
  }
  return get_(v, nc_value_numel(v) == 1 ? 0 : (size_t)i);
}

/* Checks that a parameter has one entry or `n` entries. */
static nc_status_t param_(const nc__op_ctx_t *c, const nc_value_t *v,
                          const char *what, int64_t n) {
  if (v == NULL) {
    return NC_OK;
  }
  const size_t k = nc_value_numel(v);
  if (k != 1 && (int64_t)k != n) {
    return fail_(c, NC_ERR_SHAPE, "%s has %zu entries (needs 1 or %lld)", what,
                 k, (long long)n);
  }
  return NC_OK;
}

/* The offset into v of output index idx (rank ond), numpy broadcasting. */
static size_t bcast_off_(const nc_value_t *v, int ond, const int64_t *idx) {
  size_t off = 0, stride = 1;
  for (int d = v->ndim - 1; d >= 0; d--) {
    const int od = ond - v->ndim + d;
    if (v->shape[d] != 1) {
      off += (size_t)idx[od] * stride;
    }
    stride *= (size_t)v->shape[d];
  }
  return off;
}

/* The broadcast shape of a and b. */
static nc_status_t bcast_shape_(const nc__op_ctx_t *c, const nc_value_t *a,
                                const nc_value_t *b, int *ndim,
                                int64_t *shape) {
  const int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int d = 0; d < nd; d++) {
    const int da = d - (nd - a->ndim), db = d - (nd - b->ndim);
    const int64_t ea = da >= 0 ? a->shape[da] : 1;
    const int64_t eb = db >= 0 ? b->shape[db] : 1;
    if (ea != eb && ea != 1 && eb != 1) {
      char s1[96], s2[96];
      nc_value_shape_format(a, s1, sizeof s1);
      nc_value_shape_format(b, s2, sizeof s2);
      return fail_(c, NC_ERR_SHAPE, "shapes %s and %s do not broadcast", s1,
                   s2);
    }
    shape[d] = ea == 1 ? eb : ea;
  }
  *ndim = nd;
  return NC_OK;
}

/* Steps a multi-index through shape (C order). */
static void next_(int ndim, const int64_t *shape, int64_t *idx) {
  for (int d = ndim - 1; d >= 0; d--) {
    if (++idx[d] < shape[d]) {
      return;
    }
    idx[d] = 0;
  }
}

/* An axis attribute in [-r, r + extra) normalized to >= 0. */
static nc_status_t axis_(const nc__op_ctx_t *c, int64_t axis, int r, int extra,
                         int *out) {
  if (axis < -r || axis >= r + extra) {
    return fail_(c, NC_ERR_FORMAT, "axis %lld out of range for rank %d",
                 (long long)axis, r);
  }
  *out = (int)(axis < 0 ? axis + r : axis);
  return NC_OK;
}

static nc_status_t same_elem_(const nc__op_ctx_t *c, const nc_value_t *a,
                              const nc_value_t *b) {
  if (a->elem != b->elem) {
    return fail_(c, NC_ERR_FORMAT, "inputs are %s and %s (must be alike)",
                 nc_elem_name(a->elem), nc_elem_name(b->elem));
  }
  return NC_OK;
}

static nc_status_t need_elem_(const nc__op_ctx_t *c, const nc_value_t *v,
                              const char *what, int ok) {
  if (!ok) {
    return fail_(c, NC_ERR_UNSUPPORTED, "%s of type %s is not supported", what,
                 nc_elem_name(v->elem));
  }
  return NC_OK;
}

/* ---- spatial geometry (Conv and pooling) ------------------------------ */

typedef struct {
  int64_t n, c, h, w;     /* input */
  int64_t kh, kw;         /* window */
  int64_t sh, sw, dh, dw; /* strides, dilations */
  int64_t pt, pl, pb, pr; /* padding */
  int64_t oh, ow;         /* output */
} geom_t;

static int64_t out_dim_(int64_t d, int64_t k, int64_t s, int64_t dil,
                        int64_t pb, int64_t pe, int ceil_mode) {
  const int64_t span = d + pb + pe - (dil * (k - 1) + 1);
  if (span < 0) {
    return 0;
  }
  int64_t o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  /* The last window must start inside the input or its leading pad. */
  if (ceil_mode && (o - 1) * s >= d + pb) {
    o--;
  }
  return o;
}

static nc_status_t geom_(const nc__op_ctx_t *c, const nc_value_t *x, int64_t kh,
                         int64_t kw, int ceil_mode, geom_t *g) {
  if (x->ndim != 4) {
    return fail_(c, NC_ERR_UNSUPPORTED,
                 "input has rank %d: only 2-D spatial inputs (N, C, H, W) "
                 "are supported",
                 x->ndim);
  }
  memset(g, 0, sizeof *g);
  g->n = x->shape[0], g->c = x->shape[1], g->h = x->shape[2];
  g->w = x->shape[3], g->kh = kh, g->kw = kw;
  int64_t s[2], d[2], p[4];
  nc_status_t st = aints_(c, "strides", 2, 1, s);
  if (st == NC_OK) {
    st = aints_(c, "dilations", 2, 1, d);
  }
  if (st == NC_OK) {
    st = aints_(c, "pads", 4, 0, p);
  }
  if (st != NC_OK) {
    return st;
  }
  if (s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || kh < 1 || kw < 1 ||
      s[0] > 1 << 20 || s[1] > 1 << 20 || d[0] > 1 << 20 || d[1] > 1 << 20 ||
      kh > 1 << 20 || kw > 1 << 20) {
    return fail_(c, NC_ERR_FORMAT,
                 "strides, dilations and kernel must be 1..2^20");
  }
  for (int i = 0; i < 4; i++) {
    if (p[i] < 0 || p[i] > 1 << 20) {
      return fail_(c, NC_ERR_FORMAT, "pads must be 0..2^20");
    }
  }
  g->sh = s[0], g->sw = s[1], g->dh = d[0], g->dw = d[1];
  const char *ap = nc_graph_attr_str(c->n, "auto_pad", "NOTSET");
  if (strcmp(ap, "NOTSET") == 0) {
    g->pt = p[0], g->pl = p[1], g->pb = p[2], g->pr = p[3];
  } else if (strcmp(ap, "VALID") != 0) {
    const int64_t ins[2] = {g->h, g->w}, st2[2] = {g->sh, g->sw};
    const int64_t k2[2] = {(kh - 1) * g->dh + 1, (kw - 1) * g->dw + 1};
    int64_t lo[2], hi[2];
    for (int i = 0; i < 2; i++) {
      const int64_t o = (ins[i] + st2[i] - 1) / st2[i];
      int64_t tot = (o - 1) * st2[i] + k2[i] - ins[i];
      tot = tot < 0 ? 0 : tot;
      const int upper = strcmp(ap, "SAME_UPPER") == 0;
      lo[i] = upper ? tot / 2 : tot - tot / 2;
      hi[i] = tot - lo[i];
    }
    g->pt = lo[0], g->pl = lo[1], g->pb = hi[0], g->pr = hi[1];
  }
  g->oh = out_dim_(g->h, kh, g->sh, g->dh, g->pt, g->pb, ceil_mode);
  g->ow = out_dim_(g->w, kw, g->sw, g->dw, g->pl, g->pr, ceil_mode);
  if (g->oh < 1 || g->ow < 1) {
    return fail_(c, NC_ERR_EMPTY_OUTPUT,
                 "the window (%lldx%lld, dilation %lldx%lld) is larger than "
                 "the padded input (%lldx%lld)",
                 (long long)kh, (long long)kw, (long long)g->dh,
                 (long long)g->dw, (long long)(g->h + g->pt + g->pb),
                 (long long)(g->w + g->pl + g->pr));
  }
  return NC_OK;
}

/* ---- convolution ------------------------------------------------------ */

/* y[n, m, oy, ox] = sum over the group's channels and the window of
 * x * w, padding reading 0 (callers subtract zero points first). */
static void conv_core_(const geom_t *g, int64_t group, int64_t m,
                       const double *x, const double *w, double *y) {
  const int64_t cg = g->c / group, mg = m / group;
  size_t o = 0;
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t f = 0; f < m; f++) {
      const int64_t c0 = (f / mg) * cg;
      for (int64_t oy = 0; oy < g->oh; oy++) {
        for (int64_t ox = 0; ox < g->ow; ox++, o++) {
          double acc = 0;
          for (int64_t ci = 0; ci < cg; ci++) {
            const double *xc = x + ((n * g->c + c0 + ci) * g->h) * g->w;
            const double *wc = w + ((f * cg + ci) * g->kh) * g->kw;
            for (int64_t ky = 0; ky < g->kh; ky++) {
              const int64_t iy = oy * g->sh - g->pt + ky * g->dh;
              if (iy < 0 || iy >= g->h) {
                continue;
              }
              for (int64_t kx = 0; kx < g->kw; kx++) {
                const int64_t ix = ox * g->sw - g->pl + kx * g->dw;
                if (ix >= 0 && ix < g->w) {
                  acc += xc[iy * g->w + ix] * wc[ky * g->kw + kx];
                }
              }
            }
          }
          y[o] = acc;
        }
      }
    }
  }
}

/* Shared by Conv, ConvInteger and QLinearConv: checks x and w, resolves
 * the geometry, subtracts the zero points (xzp per tensor, wzp per tensor
 * or per output channel) and computes the sums into *acc (N, M, OH, OW). */
static nc_status_t conv_sums_(nc__op_ctx_t *c, const nc_value_t *x,
                              const nc_value_t *w, const nc_value_t *xzp,
                              const nc_value_t *wzp, geom_t *g, int64_t *m,
                              double **acc) {
  *acc = NULL;
  if (w->ndim != 4 || x->ndim != 4) {
    return fail_(c, NC_ERR_UNSUPPORTED,
                 "input rank %d, weight rank %d: only 2-D convolutions "
                 "(rank 4) are supported",
                 x->ndim, w->ndim);
  }
  int64_t ks[2];
  nc_status_t st = aints_(c, "kernel_shape", 2, 0, ks);
  if (st != NC_OK) {
    return st;
  }
  if ((ks[0] != 0 || ks[1] != 0) &&
      (ks[0] != w->shape[2] || ks[1] != w->shape[3])) {
    return fail_(c, NC_ERR_SHAPE,
                 "kernel_shape %lldx%lld disagrees with the "
                 "weight's %lldx%lld",
                 (long long)ks[0], (long long)ks[1], (long long)w->shape[2],
                 (long long)w->shape[3]);
  }
  const int64_t group = aint_(c, "group", 1);
  *m = w->shape[0];
  if (group < 1 || x->shape[1] % group != 0 || *m % group != 0 ||
      w->shape[1] * group != x->shape[1]) {
    return fail_(c, NC_ERR_SHAPE,
                 "input has %lld channels, weight is [%lld, %lld, ...] with "
                 "group %lld",
                 (long long)x->shape[1], (long long)w->shape[0],
                 (long long)w->shape[1], (long long)group);
  }
  st = geom_(c, x, w->shape[2], w->shape[3], 0, g);
  if (st == NC_OK) {
    st = param_(c, xzp, "the input zero point", 1);
  }
  if (st == NC_OK) {
    st = param_(c, wzp, "the weight zero point", *m);
  }
  if (st != NC_OK) {
    return st;
  }
  int64_t yshape[4] = {g->n, *m, g->oh, g->ow};
  uint64_t cnt = 1;
  int over = 0;
  for (int i = 0; i < 4; i++) {
    over |= __builtin_mul_overflow(cnt, (uint64_t)yshape[i], &cnt);
  }
  if (over || cnt > nc__tensor_max_bytes() / sizeof(double)) {
    return fail_(c, NC_ERR_UNSUPPORTED, "the output is too large");
  }
  double *xd = doubles_(c, x), *wd = doubles_(c, w);
  double *y = malloc((size_t)(cnt + 1) * sizeof *y);
  if (xd == NULL || wd == NULL || y == NULL) {
    free(xd);
    free(wd);
    free(y);
    return fail_(c, NC_ERR_NOMEM, "out of memory");
  }
  const size_t xn = nc_value_numel(x), per_f = nc_value_numel(w) / (size_t)*m;
  for (size_t i = 0; i < xn; i++) {
    xd[i] -= at_(xzp, 0);
  }
  for (size_t i = 0; i < nc_value_numel(w); i++) {
    wd[i] -= at_(wzp, (int64_t)(i / (per_f ? per_f : 1)));
  }
  conv_core_(g, group, *m, xd, wd, y);
  free(xd);
  free(wd);
  *acc = y;
  return NC_OK;
}

static nc_status_t op_conv_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *w = c->x[1], *b = c->x[2];
  nc_status_t st = need_elem_(c, x, "input", x->elem == NC_ELEM_FLOAT32);
  if (st == NC_OK) {
    st = same_elem_(c, x, w);
  }
  geom_t g = {0};
  int64_t m = 0;
  double *acc = NULL;
  if (st == NC_OK) {
    st = conv_sums_(c, x, w, NULL, NULL, &g, &m, &acc);
  }
  if (st == NC_OK && b != NULL &&
      (b->elem != NC_ELEM_FLOAT32 || (int64_t)nc_value_numel(b) != m)) {
    st = fail_(c, NC_ERR_SHAPE, "bias must be %lld float32 values",
               (long long)m);
  }
  const int64_t ys[4] = {g.n, m, g.oh, g.ow};
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], NC_ELEM_FLOAT32, 4, ys);
  }
  if (st == NC_OK) {
    const size_t plane = (size_t)(g.oh * g.ow), n = nc_value_numel(&c->y[0]);
    for (size_t i = 0; i < n; i++) {
      put_(&c->y[0], i, acc[i] + (b ? get_(b, (i / plane) % (size_t)m) : 0.0));
    }
  }
  free(acc);
  return st;
}

static int is_8bit_(int elem) {
  return elem == NC_ELEM_UINT8 || elem == NC_ELEM_INT8;
}

static nc_status_t op_conv_integer_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *w = c->x[1];
  nc_status_t st = need_elem_(c, x, "input", is_8bit_(x->elem));
  if (st == NC_OK) {
    st = need_elem_(c, w, "weight", is_8bit_(w->elem));
  }
  geom_t g = {0};
  int64_t m = 0;
  double *acc = NULL;
  if (st == NC_OK) {
    st = conv_sums_(c, x, w, c->x[2], c->x[3], &g, &m, &acc);
  }
  const int64_t ys[4] = {g.n, m, g.oh, g.ow};
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], NC_ELEM_INT32, 4, ys);
  }
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(&c->y[0]); i++) {
    put_(&c->y[0], i, acc[i]);
  }
  free(acc);
  return st;
}

/* The requantization of QLinearConv and QLinearMatMul, as ONNX's reference
 * computes it: the scale product in float32, the sum times it in double,
 * rounded half to even, the zero point added, saturated. */
static double requant_(double acc, float xs, float ws, float ys, double yzp,
                       int elem) {
  const float mult = (xs * ws) / ys;
  double lo, hi;
  range_(elem, &lo, &hi);
  return clampd_(nearbyint(acc * (double)mult) + yzp, lo, hi);
}

static nc_status_t op_qlinear_conv_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *xs = c->x[1], *xzp = c->x[2], *w = c->x[3];
  const nc_value_t *ws = c->x[4], *wzp = c->x[5], *ys = c->x[6];
  const nc_value_t *yzp = c->x[7], *b = c->x[8];
  nc_status_t st = need_elem_(c, x, "input", is_8bit_(x->elem));
  if (st == NC_OK) {
    st = need_elem_(c, w, "weight", is_8bit_(w->elem));
  }
  if (st == NC_OK) {
    st = need_elem_(c, yzp, "output zero point", is_8bit_(yzp->elem));
  }
  geom_t g = {0};
  int64_t m = 0;
  double *acc = NULL;
  if (st == NC_OK) {
    st = conv_sums_(c, x, w, xzp, wzp, &g, &m, &acc);
  }
  if (st == NC_OK) {
    st = param_(c, ws, "the weight scale", m);
  }
  if (st == NC_OK && b != NULL &&
      (b->elem != NC_ELEM_INT32 || (int64_t)nc_value_numel(b) != m)) {
    st = fail_(c, NC_ERR_SHAPE, "bias must be %lld int32 values", (long long)m);
  }
  const int64_t shp[4] = {g.n, m, g.oh, g.ow};
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], yzp->elem, 4, shp);
  }
  if (st == NC_OK) {
    const size_t plane = (size_t)(g.oh * g.ow), n = nc_value_numel(&c->y[0]);
    for (size_t i = 0; i < n; i++) {
      const int64_t f = (int64_t)((i / plane) % (size_t)m);
      const double a = acc[i] + (b ? get_(b, (size_t)f) : 0.0);
      put_(&c->y[0], i,
           requant_(a, (float)at_(xs, 0), (float)at_(ws, f), (float)at_(ys, 0),
                    at_(yzp, 0), yzp->elem));
    }
  }
  free(acc);
  return st;
}

/* ---- matrix products -------------------------------------------------- */

typedef struct {
  int64_t m, k, n; /* one product: [m, k] x [k, n] */
  int a1, b1;      /* a or b was 1-D (promoted) */
  int nd;          /* output rank */
  int64_t shape[NC_MAX_DIMS];
  int bnd; /* batch rank */
  int64_t bshape[NC_MAX_DIMS];
} mm_t;

static nc_status_t mm_shape_(const nc__op_ctx_t *c, const nc_value_t *a,
                             const nc_value_t *b, mm_t *p) {
  memset(p, 0, sizeof *p);
  if (a->ndim < 1 || b->ndim < 1) {
    return fail_(c, NC_ERR_SHAPE, "matrix product of a scalar");
  }
  p->a1 = a->ndim == 1, p->b1 = b->ndim == 1;
  p->m = p->a1 ? 1 : a->shape[a->ndim - 2];
  p->k = a->shape[a->ndim - 1];
  const int64_t kb = p->b1 ? b->shape[0] : b->shape[b->ndim - 2];
  p->n = p->b1 ? 1 : b->shape[b->ndim - 1];
  if (kb != p->k) {
    char s1[96], s2[96];
    nc_value_shape_format(a, s1, sizeof s1);
    nc_value_shape_format(b, s2, sizeof s2);
    return fail_(c, NC_ERR_SHAPE, "inner dimensions of %s and %s differ", s1,
                 s2);
  }
  const int ab = a->ndim > 2 ? a->ndim - 2 : 0,
            bb = b->ndim > 2 ? b->ndim - 2 : 0;
  p->bnd = ab > bb ? ab : bb;
  for (int d = 0; d < p->bnd; d++) {
    const int da = d - (p->bnd - ab), db = d - (p->bnd - bb);
    const int64_t ea = da >= 0 ? a->shape[da] : 1;
    const int64_t eb = db >= 0 ? b->shape[db] : 1;
    if (ea != eb && ea != 1 && eb != 1) {
      return fail_(c, NC_ERR_SHAPE, "batch dimensions do not broadcast");
    }
    p->bshape[d] = ea == 1 ? eb : ea;
    p->shape[p->nd++] = p->bshape[d];
  }
  if (!p->a1) {
    p->shape[p->nd++] = p->m;
  }
  if (!p->b1) {
    p->shape[p->nd++] = p->n;
  }
  return NC_OK;
}

/* Offset of the matrix for batch index idx in an operand of `ndim` dims
 * with `mat` elements per matrix. */
static size_t mm_batch_off_(const nc_value_t *v, const mm_t *p,
                            const int64_t *idx, size_t mat) {
  const int vb = v->ndim > 2 ? v->ndim - 2 : 0;
  size_t off = 0, stride = mat;
  for (int d = vb - 1; d >= 0; d--) {
    if (v->shape[d] != 1) {
      off += (size_t)idx[p->bnd - vb + d] * stride;
    }
    stride *= (size_t)v->shape[d];
  }
  return off;
}

/* acc = a x b over every batch; the zero points are per tensor, a's per row
 * or b's per column. */
static nc_status_t mm_sums_(nc__op_ctx_t *c, const nc_value_t *a,
                            const nc_value_t *b, const nc_value_t *azp,
                            const nc_value_t *bzp, mm_t *p, double **acc) {
  *acc = NULL;
  nc_status_t st = mm_shape_(c, a, b, p);
  if (st == NC_OK) {
    st = param_(c, azp, "a's zero point", p->m);
  }
  if (st == NC_OK) {
    st = param_(c, bzp, "b's zero point", p->n);
  }
  if (st != NC_OK) {
    return st;
  }
  uint64_t cnt = 1;
  int over = __builtin_mul_overflow((uint64_t)p->m, (uint64_t)p->n, &cnt);
  for (int d = 0; d < p->bnd; d++) {
    over |= __builtin_mul_overflow(cnt, (uint64_t)p->bshape[d], &cnt);
  }
  if (over || cnt > nc__tensor_max_bytes() / sizeof(double)) {
    return fail_(c, NC_ERR_UNSUPPORTED, "the output is too large");
  }
  double *ad = doubles_(c, a), *bd = doubles_(c, b);
  double *y = malloc((size_t)(cnt + 1) * sizeof *y);
  if (ad == NULL || bd == NULL || y == NULL) {
    free(ad);
    free(bd);
    free(y);
    return fail_(c, NC_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < nc_value_numel(a); i++) {
    ad[i] -= at_(azp, (int64_t)((i / (size_t)p->k) % (size_t)p->m));
  }
  for (size_t i = 0; i < nc_value_numel(b); i++) {
    bd[i] -= at_(bzp, (int64_t)(i % (size_t)p->n));
  }
  int64_t idx[NC_MAX_DIMS] = {0};
  const size_t nb = (size_t)(cnt / ((uint64_t)p->m * (uint64_t)p->n + !cnt));
  size_t o = 0;
  for (size_t bi = 0; bi < nb; bi++) {
    const double *am = ad + mm_batch_off_(a, p, idx, (size_t)(p->m * p->k));
    const double *bm = bd + mm_batch_off_(b, p, idx, (size_t)(p->k * p->n));
    for (int64_t i = 0; i < p->m; i++) {
      for (int64_t j = 0; j < p->n; j++) {
        double s = 0;
        for (int64_t k = 0; k < p->k; k++) {
          s += am[i * p->k + k] * bm[k * p->n + j];
        }
        y[o++] = s;
      }
    }
    next_(p->bnd, p->bshape, idx);
  }
  free(ad);
  free(bd);
  *acc = y;
  return NC_OK;
}

static nc_status_t op_matmul_(nc__op_ctx_t *c) {
  const nc_value_t *a = c->x[0], *b = c->x[1];
  nc_status_t st = need_elem_(c, a, "input", a->elem == NC_ELEM_FLOAT32);
  if (st == NC_OK) {
    st = same_elem_(c, a, b);
  }
  mm_t p = {0};
  double *acc = NULL;
  if (st == NC_OK) {
    st = mm_sums_(c, a, b, NULL, NULL, &p, &acc);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], NC_ELEM_FLOAT32, p.nd, p.shape);
  }
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(&c->y[0]); i++) {
    put_(&c->y[0], i, acc[i]);
  }
  free(acc);
  return st;
}

static nc_status_t op_matmul_integer_(nc__op_ctx_t *c) {
  const nc_value_t *a = c->x[0], *b = c->x[1];
  nc_status_t st = need_elem_(c, a, "a", is_8bit_(a->elem));
  if (st == NC_OK) {
    st = need_elem_(c, b, "b", is_8bit_(b->elem));
  }
  mm_t p = {0};
  double *acc = NULL;
  if (st == NC_OK) {
    st = mm_sums_(c, a, b, c->x[2], c->x[3], &p, &acc);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], NC_ELEM_INT32, p.nd, p.shape);
  }
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(&c->y[0]); i++) {
    put_(&c->y[0], i, acc[i]);
  }
  free(acc);
  return st;
}

static nc_status_t op_qlinear_matmul_(nc__op_ctx_t *c) {
  const nc_value_t *a = c->x[0], *as = c->x[1], *azp = c->x[2], *b = c->x[3];
  const nc_value_t *bs = c->x[4], *bzp = c->x[5], *ys = c->x[6];
  const nc_value_t *yzp = c->x[7];
  nc_status_t st = need_elem_(c, a, "a", is_8bit_(a->elem));
  if (st == NC_OK) {
    st = need_elem_(c, b, "b", is_8bit_(b->elem));
  }
  if (st == NC_OK) {
    st = need_elem_(c, yzp, "output zero point", is_8bit_(yzp->elem));
  }
  mm_t p = {0};
  double *acc = NULL;
  if (st == NC_OK) {
    st = mm_sums_(c, a, b, azp, bzp, &p, &acc);
  }
  if (st == NC_OK) {
    st = param_(c, as, "a's scale", p.m);
  }
  if (st == NC_OK) {
    st = param_(c, bs, "b's scale", p.n);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], yzp->elem, p.nd, p.shape);
  }
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(&c->y[0]); i++) {
    const int64_t row = (int64_t)((i / (size_t)p.n) % (size_t)p.m);
    const int64_t col = (int64_t)(i % (size_t)p.n);
    put_(&c->y[0], i,
         requant_(acc[i], (float)at_(as, row), (float)at_(bs, col),
                  (float)at_(ys, 0), at_(yzp, 0), yzp->elem));
  }
  free(acc);
  return st;
}

static nc_status_t op_gemm_(nc__op_ctx_t *c) {
  const nc_value_t *a = c->x[0], *b = c->x[1], *cc = c->x[2];
  nc_status_t st = need_elem_(c, a, "input", a->elem == NC_ELEM_FLOAT32);
  if (st == NC_OK) {
    st = same_elem_(c, a, b);
  }
  if (st == NC_OK && (a->ndim != 2 || b->ndim != 2)) {
    st = fail_(c, NC_ERR_SHAPE, "A and B must be 2-D (are %d-D and %d-D)",
               a->ndim, b->ndim);
  }
  if (st != NC_OK) {
    return st;
  }
  const int ta = aint_(c, "transA", 0) != 0, tb = aint_(c, "transB", 0) != 0;
  const double alpha = afloat_(c, "alpha", 1.0f),
               beta = afloat_(c, "beta", 1.0f);
  const int64_t m = a->shape[ta ? 1 : 0], k = a->shape[ta ? 0 : 1];
  const int64_t kb = b->shape[tb ? 1 : 0], n = b->shape[tb ? 0 : 1];
  if (k != kb) {
    return fail_(c, NC_ERR_SHAPE, "inner dimensions %lld and %lld differ",
                 (long long)k, (long long)kb);
  }
  const int64_t ys[2] = {m, n};
  if (cc != NULL) {
    int nd;
    int64_t bs[NC_MAX_DIMS];
    const nc_value_t out = {.ndim = 2, .shape = {m, n}};
    st = bcast_shape_(c, &out, cc, &nd, bs);
    if (st == NC_OK && (nd != 2 || bs[0] != m || bs[1] != n)) {
      st = fail_(c, NC_ERR_SHAPE, "C does not broadcast to [%lld, %lld]",
                 (long long)m, (long long)n);
    }
    if (st != NC_OK) {
      return st;
    }
  }
  st = alloc_(c, &c->y[0], NC_ELEM_FLOAT32, 2, ys);
  if (st != NC_OK) {
    return st;
  }
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = 0; j < n; j++) {
      double s = 0;
      for (int64_t q = 0; q < k; q++) {
        s += get_(a, (size_t)(ta ? q * m + i : i * k + q)) *
             get_(b, (size_t)(tb ? j * k + q : q * n + j));
      }
      const int64_t idx[2] = {i, j};
      s *= alpha;
      if (cc != NULL) {
        s += beta * get_(cc, bcast_off_(cc, 2, idx));
      }
      put_(&c->y[0], (size_t)(i * n + j), s);
    }
  }
  return NC_OK;
}

/* ---- element-wise ----------------------------------------------------- */

static nc_status_t binary_(nc__op_ctx_t *c, int mul) {
  const nc_value_t *a = c->x[0], *b = c->x[1];
  nc_status_t st = same_elem_(c, a, b);
  int nd;
  int64_t shape[NC_MAX_DIMS];
  if (st == NC_OK) {
    st = bcast_shape_(c, a, b, &nd, shape);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], a->elem, nd, shape);
  }
  if (st != NC_OK) {
    return st;
  }
  int64_t idx[NC_MAX_DIMS] = {0};
  const size_t n = nc_value_numel(&c->y[0]);
  for (size_t i = 0; i < n; i++) {
    const double x = get_(a, bcast_off_(a, nd, idx));
    const double y = get_(b, bcast_off_(b, nd, idx));
    double r = mul ? x * y : x + y;
    if (a->elem == NC_ELEM_INT64) {
      /* Exact in 64-bit integers, wrapping as numpy does. */
      const uint64_t xa = (uint64_t)(int64_t)x, ya = (uint64_t)(int64_t)y;
      ((int64_t *)c->y[0].data)[i] = (int64_t)(mul ? xa * ya : xa + ya);
    } else if (a->elem == NC_ELEM_INT32) {
      const uint32_t xa = (uint32_t)(int32_t)x, ya = (uint32_t)(int32_t)y;
      ((int32_t *)c->y[0].data)[i] = (int32_t)(mul ? xa * ya : xa + ya);
    } else {
      put_(&c->y[0], i, r);
    }
    next_(nd, shape, idx);
  }
  return NC_OK;
}

static nc_status_t op_add_(nc__op_ctx_t *c) {
  return binary_(c, 0);
}

static nc_status_t op_mul_(nc__op_ctx_t *c) {
  return binary_(c, 1);
}

/* A unary map into a value of the input's type and shape. */
static nc_status_t unary_(nc__op_ctx_t *c, double (*f)(double, const void *),
                          const void *arg) {
  const nc_value_t *x = c->x[0];
  nc_status_t st = alloc_(c, &c->y[0], x->elem, x->ndim, x->shape);
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(x); i++) {
    put_(&c->y[0], i, f(get_(x, i), arg));
  }
  return st;
}

static double relu_(double x, const void *arg) {
  (void)arg;
  return x > 0 ? x : 0;
}

static double sigmoid_(double x, const void *arg) {
  (void)arg;
  return 1.0 / (1.0 + exp(-x));
}

static double clip_(double x, const void *arg) {
  const double *lh = arg;
  return x < lh[0] ? lh[0] : (x > lh[1] ? lh[1] : x);
}

static double identity_(double x, const void *arg) {
  (void)arg;
  return x;
}

static nc_status_t op_relu_(nc__op_ctx_t *c) {
  return unary_(c, relu_, NULL);
}

static nc_status_t op_sigmoid_(nc__op_ctx_t *c) {
  nc_status_t st =
      need_elem_(c, c->x[0], "input", c->x[0]->elem == NC_ELEM_FLOAT32);
  return st != NC_OK ? st : unary_(c, sigmoid_, NULL);
}

static nc_status_t op_identity_(nc__op_ctx_t *c) {
  return unary_(c, identity_, NULL);
}

static nc_status_t op_clip_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0];
  double lh[2];
  range_(x->elem, &lh[0], &lh[1]);
  if (c->g->opset < 11) {
    lh[0] = afloat_(c, "min", (float)lh[0]);
    lh[1] = afloat_(c, "max", (float)lh[1]);
  }
  for (int i = 0; i < 2; i++) {
    const nc_value_t *b = c->x[1 + i];
    if (b == NULL) {
      continue;
    }
    if (b->elem != x->elem || nc_value_numel(b) != 1) {
      return fail_(c, NC_ERR_SHAPE, "%s must be one %s value",
                   i ? "max" : "min", nc_elem_name(x->elem));
    }
    lh[i] = get_(b, 0);
  }
  return unary_(c, clip_, lh);
}

static nc_status_t op_batchnorm_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0];
  nc_status_t st = need_elem_(c, x, "input", x->elem == NC_ELEM_FLOAT32);
  if (st == NC_OK && x->ndim < 2) {
    st = fail_(c, NC_ERR_SHAPE, "input must have a channel dimension");
  }
  for (int i = 1; st == NC_OK && i < 5; i++) {
    if (c->x[i]->elem != NC_ELEM_FLOAT32 ||
        (int64_t)nc_value_numel(c->x[i]) != x->shape[1]) {
      st = fail_(c, NC_ERR_SHAPE,
                 "scale, bias, mean and variance must be %lld float32 "
                 "values each",
                 (long long)x->shape[1]);
    }
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], x->elem, x->ndim, x->shape);
  }
  if (st != NC_OK) {
    return st;
  }
  const double eps = afloat_(c, "epsilon", 1e-5f);
  size_t inner = 1;
  for (int d = 2; d < x->ndim; d++) {
    inner *= (size_t)x->shape[d];
  }
  for (size_t i = 0; i < nc_value_numel(x); i++) {
    const size_t ch = (i / inner) % (size_t)x->shape[1];
    const double v = (get_(x, i) - get_(c->x[3], ch)) /
                         sqrt(get_(c->x[4], ch) + eps) * get_(c->x[1], ch) +
                     get_(c->x[2], ch);
    put_(&c->y[0], i, v);
  }
  return NC_OK;
}

/* ---- pooling ---------------------------------------------------------- */

static nc_status_t pool_(nc__op_ctx_t *c, int avg) {
  const nc_value_t *x = c->x[0];
  nc_status_t st = need_elem_(
      c, x, "input", x->elem == NC_ELEM_FLOAT32 || (!avg && is_8bit_(x->elem)));
  int64_t ks[2];
  if (st == NC_OK) {
    const nc_attr_t *a = nc_graph_attr(c->n, "kernel_shape");
    st = a == NULL ? fail_(c, NC_ERR_FORMAT, "kernel_shape is required")
                   : aints_(c, "kernel_shape", 2, 0, ks);
  }
  geom_t g = {0};
  if (st == NC_OK) {
    st = geom_(c, x, ks[0], ks[1], aint_(c, "ceil_mode", 0) != 0, &g);
  }
  const int64_t ys[4] = {g.n, g.c, g.oh, g.ow};
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], x->elem, 4, ys);
  }
  if (st != NC_OK) {
    return st;
  }
  const int incl = aint_(c, "count_include_pad", 0) != 0;
  size_t o = 0;
  for (int64_t p = 0; p < g.n * g.c; p++) {
    for (int64_t oy = 0; oy < g.oh; oy++) {
      for (int64_t ox = 0; ox < g.ow; ox++, o++) {
        double acc = avg ? 0 : -INFINITY;
        int64_t cnt = 0;
        for (int64_t ky = 0; ky < g.kh; ky++) {
          const int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          for (int64_t kx = 0; kx < g.kw; kx++) {
            const int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            const int in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            /* count_include_pad counts the explicit padding, never the
             * overhang ceil_mode adds. */
            const int in_pad = iy >= -g.pt && iy < g.h + g.pb && ix >= -g.pl &&
                               ix < g.w + g.pr;
            if (in) {
              const double v = get_(x, (size_t)((p * g.h + iy) * g.w + ix));
              acc = avg ? acc + v : (v > acc ? v : acc);
            }
            cnt += incl ? in_pad : in;
          }
        }
        put_(&c->y[0], o, avg ? (cnt ? acc / (double)cnt : 0.0) : acc);
      }
    }
  }
  return NC_OK;
}

static nc_status_t op_maxpool_(nc__op_ctx_t *c) {
  return pool_(c, 0);
}

static nc_status_t op_avgpool_(nc__op_ctx_t *c) {
  return pool_(c, 1);
}

static nc_status_t global_pool_(nc__op_ctx_t *c, int avg) {
  const nc_value_t *x = c->x[0];
  nc_status_t st = need_elem_(
      c, x, "input", x->elem == NC_ELEM_FLOAT32 || (!avg && is_8bit_(x->elem)));
  if (st == NC_OK && x->ndim < 3) {
    st = fail_(c, NC_ERR_SHAPE, "input must be (N, C, spatial...)");
  }
  int64_t ys[NC_MAX_DIMS];
  size_t plane = 1;
  for (int d = 0; st == NC_OK && d < x->ndim; d++) {
    ys[d] = d < 2 ? x->shape[d] : 1;
    plane *= d < 2 ? 1 : (size_t)x->shape[d];
  }
  if (st == NC_OK && plane == 0) {
    st = fail_(c, NC_ERR_EMPTY_OUTPUT, "the input has no spatial extent");
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], x->elem, x->ndim, ys);
  }
  for (size_t p = 0; st == NC_OK && p < nc_value_numel(&c->y[0]); p++) {
    double acc = avg ? 0 : -INFINITY;
    for (size_t i = 0; i < plane; i++) {
      const double v = get_(x, p * plane + i);
      acc = avg ? acc + v : (v > acc ? v : acc);
    }
    put_(&c->y[0], p, avg ? acc / (double)plane : acc);
  }
  return st;
}

static nc_status_t op_gap_(nc__op_ctx_t *c) {
  return global_pool_(c, 1);
}

static nc_status_t op_gmp_(nc__op_ctx_t *c) {
  return global_pool_(c, 0);
}

/* ---- shapes ----------------------------------------------------------- */

static nc_status_t copy_as_(nc__op_ctx_t *c, int nd, const int64_t *shape) {
  const nc_value_t *x = c->x[0];
  nc_status_t st = alloc_(c, &c->y[0], x->elem, nd, shape);
  if (st == NC_OK && c->y[0].nbytes != x->nbytes) {
    nc_value_free(&c->y[0]);
    char s1[96];
    nc_value_shape_format(x, s1, sizeof s1);
    return fail_(c, NC_ERR_SHAPE,
                 "cannot reshape %s into another count of "
                 "elements",
                 s1);
  }
  if (st == NC_OK && x->nbytes > 0) {
    memcpy(c->y[0].data, x->data, x->nbytes);
  }
  return st;
}

static nc_status_t op_reshape_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *s = c->x[1];
  if (s->elem != NC_ELEM_INT64 || s->ndim != 1 || s->shape[0] > NC_MAX_DIMS) {
    return fail_(c, NC_ERR_SHAPE, "shape must be at most %d int64 values",
                 NC_MAX_DIMS);
  }
  const int nd = (int)s->shape[0];
  const int allowzero = aint_(c, "allowzero", 0) != 0;
  int64_t shape[NC_MAX_DIMS];
  int infer = -1;
  uint64_t known = 1;
  for (int d = 0; d < nd; d++) {
    int64_t e = ((const int64_t *)s->data)[d];
    if (e == 0 && !allowzero) {
      if (d >= x->ndim) {
        return fail_(c, NC_ERR_SHAPE,
                     "0 at dimension %d copies no input "
                     "dimension",
                     d);
      }
      e = x->shape[d];
    }
    if (e == -1) {
      if (infer >= 0) {
        return fail_(c, NC_ERR_SHAPE, "more than one -1 in the shape");
      }
      infer = d;
      e = 1;
    } else if (e < 0) {
      return fail_(c, NC_ERR_SHAPE, "negative extent %lld in the shape",
                   (long long)e);
    }
    shape[d] = e;
    if (__builtin_mul_overflow(known, (uint64_t)e, &known)) {
      return fail_(c, NC_ERR_OVERFLOW, "the shape's size overflows");
    }
  }
  const size_t n = nc_value_numel(x);
  if (infer >= 0) {
    if (known == 0 || n % known != 0) {
      return fail_(c, NC_ERR_SHAPE,
                   "cannot infer the -1 extent for %zu "
                   "elements",
                   n);
    }
    shape[infer] = (int64_t)(n / known);
  }
  return copy_as_(c, nd, shape);
}

static nc_status_t op_flatten_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0];
  int ax = 0;
  nc_status_t st = axis_(c, aint_(c, "axis", 1), x->ndim, 1, &ax);
  if (st != NC_OK) {
    return st;
  }
  int64_t shape[2] = {1, 1};
  for (int d = 0; d < x->ndim; d++) {
    shape[d >= ax] *= x->shape[d];
  }
  return copy_as_(c, 2, shape);
}

static nc_status_t op_transpose_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0];
  int64_t perm[NC_MAX_DIMS];
  for (int d = 0; d < x->ndim; d++) {
    perm[d] = x->ndim - 1 - d;
  }
  const nc_attr_t *a = nc_graph_attr(c->n, "perm");
  if (a != NULL) {
    nc_status_t st = aints_(c, "perm", x->ndim, 0, perm);
    if (st != NC_OK) {
      return st;
    }
  }
  int seen[NC_MAX_DIMS] = {0};
  for (int d = 0; d < x->ndim; d++) {
    if (perm[d] < 0 || perm[d] >= x->ndim || seen[perm[d]]++) {
      return fail_(c, NC_ERR_FORMAT, "perm is not a permutation of 0..%d",
                   x->ndim - 1);
    }
  }
  int64_t ys[NC_MAX_DIMS], xstride[NC_MAX_DIMS];
  int64_t s = 1;
  for (int d = x->ndim - 1; d >= 0; d--) {
    xstride[d] = s;
    s *= x->shape[d];
  }
  for (int d = 0; d < x->ndim; d++) {
    ys[d] = x->shape[perm[d]];
  }
  nc_status_t st = alloc_(c, &c->y[0], x->elem, x->ndim, ys);
  if (st != NC_OK) {
    return st;
  }
  const size_t es = nc_elem_size(x->elem), n = nc_value_numel(x);
  int64_t idx[NC_MAX_DIMS] = {0};
  for (size_t i = 0; i < n; i++) {
    size_t off = 0;
    for (int d = 0; d < x->ndim; d++) {
      off += (size_t)(idx[d] * xstride[perm[d]]);
    }
    memcpy((char *)c->y[0].data + i * es, (const char *)x->data + off * es, es);
    next_(x->ndim, ys, idx);
  }
  return NC_OK;
}

static nc_status_t op_concat_(nc__op_ctx_t *c) {
  const nc_value_t *x0 = c->x[0];
  int ax = 0;
  nc_status_t st = axis_(c, aint_(c, "axis", 0), x0->ndim, 0, &ax);
  if (st != NC_OK) {
    return st;
  }
  int64_t ys[NC_MAX_DIMS];
  memcpy(ys, x0->shape, sizeof ys);
  ys[ax] = 0;
  for (int i = 0; i < c->n->nin; i++) {
    const nc_value_t *x = c->x[i];
    if (x == NULL || x->elem != x0->elem || x->ndim != x0->ndim) {
      return fail_(c, NC_ERR_SHAPE, "input %d differs in type or rank", i);
    }
    for (int d = 0; d < x->ndim; d++) {
      if (d != ax && x->shape[d] != x0->shape[d]) {
        return fail_(c, NC_ERR_SHAPE, "input %d differs in dimension %d", i, d);
      }
    }
    ys[ax] += x->shape[ax];
  }
  st = alloc_(c, &c->y[0], x0->elem, x0->ndim, ys);
  if (st != NC_OK) {
    return st;
  }
  size_t outer = 1, inner = nc_elem_size(x0->elem);
  for (int d = 0; d < ax; d++) {
    outer *= (size_t)x0->shape[d];
  }
  for (int d = ax + 1; d < x0->ndim; d++) {
    inner *= (size_t)x0->shape[d];
  }
  char *dst = c->y[0].data;
  for (size_t o = 0; o < outer; o++) {
    for (int i = 0; i < c->n->nin; i++) {
      const size_t chunk = (size_t)c->x[i]->shape[ax] * inner;
      if (chunk > 0) {
        memcpy(dst, (const char *)c->x[i]->data + o * chunk, chunk);
      }
      dst += chunk;
    }
  }
  return NC_OK;
}

static nc_status_t op_softmax_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0];
  const int old = c->g->opset < 13;
  int ax = 0;
  nc_status_t st = need_elem_(c, x, "input", x->elem == NC_ELEM_FLOAT32);
  if (st == NC_OK) {
    st = axis_(c, aint_(c, "axis", old ? 1 : -1), x->ndim, 0, &ax);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], x->elem, x->ndim, x->shape);
  }
  if (st != NC_OK) {
    return st;
  }
  /* Opset 13 normalizes along one axis; older ones over all trailing
   * dimensions from the axis on (the input seen as 2-D). */
  size_t outer = 1, len = 1, inner = 1;
  for (int d = 0; d < x->ndim; d++) {
    if (d < ax) {
      outer *= (size_t)x->shape[d];
    } else if (d == ax || old) {
      len *= (size_t)x->shape[d];
    } else {
      inner *= (size_t)x->shape[d];
    }
  }
  for (size_t o = 0; o < outer; o++) {
    for (size_t in = 0; in < inner; in++) {
      const size_t base = o * len * inner + in;
      double mx = -INFINITY, sum = 0;
      for (size_t k = 0; k < len; k++) {
        const double v = get_(x, base + k * inner);
        mx = v > mx ? v : mx;
      }
      for (size_t k = 0; k < len; k++) {
        sum += exp(get_(x, base + k * inner) - mx);
      }
      for (size_t k = 0; k < len; k++) {
        put_(&c->y[0], base + k * inner,
             exp(get_(x, base + k * inner) - mx) / sum);
      }
    }
  }
  return NC_OK;
}

static nc_status_t op_constant_(nc__op_ctx_t *c) {
  const nc_graph_node_t *n = c->n;
  if (n->nattr != 1) {
    return fail_(c, NC_ERR_FORMAT, "needs exactly one value attribute");
  }
  const nc_attr_t *a = &n->attr[0];
  const int64_t one = a->n;
  nc_status_t st;
  switch (a->type) {
    case NC_ATTR_TENSOR:
      st = alloc_(c, &c->y[0], a->t.elem, a->t.ndim, a->t.shape);
      if (st == NC_OK && a->t.nbytes > 0) {
        memcpy(c->y[0].data, a->t.data, a->t.nbytes);
      }
      return st;
    case NC_ATTR_FLOAT:
      st = alloc_(c, &c->y[0], NC_ELEM_FLOAT32, 0, NULL);
      if (st == NC_OK) {
        put_(&c->y[0], 0, a->f);
      }
      return st;
    case NC_ATTR_INT:
      st = alloc_(c, &c->y[0], NC_ELEM_INT64, 0, NULL);
      if (st == NC_OK) {
        ((int64_t *)c->y[0].data)[0] = a->i;
      }
      return st;
    case NC_ATTR_FLOATS:
    case NC_ATTR_INTS:
      st = alloc_(c, &c->y[0],
                  a->type == NC_ATTR_INTS ? NC_ELEM_INT64 : NC_ELEM_FLOAT32, 1,
                  &one);
      if (st == NC_OK && a->n > 0) {
        memcpy(c->y[0].data,
               a->type == NC_ATTR_INTS ? (void *)a->ints : (void *)a->floats,
               c->y[0].nbytes);
      }
      return st;
    default:
      return fail_(c, NC_ERR_UNSUPPORTED,
                   "value attribute '%s' is not "
                   "supported",
                   a->name);
  }
}

/* ---- quantization ----------------------------------------------------- */

/* The scale/zero-point index of element i: per tensor, per axis or per
 * block along the axis. */
typedef struct {
  int per;               /* 0 per tensor, 1 per axis, 2 blocked */
  size_t len, inner;     /* the axis' extent and the elements after it */
  size_t block, nblocks; /* blocked: block size, blocks along the axis */
} qidx_t;

static nc_status_t qidx_(nc__op_ctx_t *c, const nc_value_t *x,
                         const nc_value_t *scale, const nc_value_t *zp,
                         qidx_t *q) {
  memset(q, 0, sizeof *q);
  if (zp != NULL && (zp->ndim != scale->ndim ||
                     memcmp(zp->shape, scale->shape,
                            (size_t)scale->ndim * sizeof zp->shape[0]) != 0)) {
    return fail_(c, NC_ERR_SHAPE,
                 "the zero point's shape differs from the "
                 "scale's");
  }
  if (nc_value_numel(scale) == 1 && scale->ndim <= 1) {
    return NC_OK;
  }
  int ax = 0;
  nc_status_t st = axis_(c, aint_(c, "axis", 1), x->ndim, 0, &ax);
  if (st != NC_OK) {
    return st;
  }
  q->len = (size_t)x->shape[ax];
  q->inner = 1;
  for (int d = ax + 1; d < x->ndim; d++) {
    q->inner *= (size_t)x->shape[d];
  }
  const int64_t block = aint_(c, "block_size", 0);
  if (block <= 0) {
    if (scale->ndim != 1 || (size_t)scale->shape[0] != q->len) {
      return fail_(c, NC_ERR_SHAPE,
                   "a per-axis scale needs %zu entries "
                   "(axis %d)",
                   q->len, ax);
    }
    q->per = 1;
    return NC_OK;
  }
  q->per = 2;
  q->block = (size_t)block;
  q->nblocks = (q->len + q->block - 1) / q->block;
  int ok = scale->ndim == x->ndim;
  for (int d = 0; ok && d < x->ndim; d++) {
    ok = scale->shape[d] == (d == ax ? (int64_t)q->nblocks : x->shape[d]);
  }
  if (!ok) {
    return fail_(c, NC_ERR_SHAPE,
                 "a blocked scale must be the input's shape "
                 "with %zu blocks along axis %d",
                 q->nblocks, ax);
  }
  return NC_OK;
}

static size_t qat_(const qidx_t *q, size_t i) {
  if (q->per == 0) {
    return 0;
  }
  const size_t a = (i / q->inner) % q->len;
  if (q->per == 1) {
    return a;
  }
  const size_t outer = i / (q->inner * q->len), in = i % q->inner;
  return (outer * q->nblocks + a / q->block) * q->inner + in;
}

static nc_status_t op_quantize_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *s = c->x[1], *zp = c->x[2];
  int elem = zp != NULL ? (int)zp->elem : NC_ELEM_UINT8;
  const int64_t od = aint_(c, "output_dtype", 0);
  if (od != 0) {
    if (zp != NULL && od != zp->elem) {
      return fail_(c, NC_ERR_FORMAT,
                   "output_dtype disagrees with the zero "
                   "point's type");
    }
    elem = (int)od;
  }
  nc_status_t st = need_elem_(
      c, x, "input", x->elem == NC_ELEM_FLOAT32 || x->elem == NC_ELEM_INT32);
  if (st == NC_OK && (elem == NC_ELEM_FLOAT32 || elem == NC_ELEM_INT64 ||
                      nc_elem_size(elem) == 0)) {
    st = fail_(c, NC_ERR_UNSUPPORTED, "quantizing to %s is not supported",
               nc_elem_name(elem));
  }
  qidx_t q;
  if (st == NC_OK) {
    st = qidx_(c, x, s, zp, &q);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], elem, x->ndim, x->shape);
  }
  if (st != NC_OK) {
    return st;
  }
  double lo, hi;
  range_(elem, &lo, &hi);
  for (size_t i = 0; i < nc_value_numel(x); i++) {
    const size_t k = qat_(&q, i);
    /* float32 division, as ONNX's reference divides float32 arrays. */
    const double r = x->elem == NC_ELEM_FLOAT32
                         ? (double)((float)get_(x, i) / (float)get_(s, k))
                         : get_(x, i) / (double)(float)get_(s, k);
    put_(&c->y[0], i, clampd_(nearbyint(r) + (zp ? get_(zp, k) : 0.0), lo, hi));
  }
  return NC_OK;
}

static nc_status_t op_dequantize_(nc__op_ctx_t *c) {
  const nc_value_t *x = c->x[0], *s = c->x[1], *zp = c->x[2];
  nc_status_t st =
      need_elem_(c, x, "input", is_int_(x->elem) && x->elem != NC_ELEM_INT64);
  if (st == NC_OK && zp != NULL && zp->elem != x->elem) {
    st = fail_(c, NC_ERR_FORMAT, "the zero point is %s, the input %s",
               nc_elem_name(zp->elem), nc_elem_name(x->elem));
  }
  qidx_t q;
  if (st == NC_OK) {
    st = qidx_(c, x, s, zp, &q);
  }
  if (st == NC_OK) {
    st = alloc_(c, &c->y[0], NC_ELEM_FLOAT32, x->ndim, x->shape);
  }
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(x); i++) {
    const size_t k = qat_(&q, i);
    const float d = (float)(get_(x, i) - (zp ? get_(zp, k) : 0.0));
    put_(&c->y[0], i, (double)(d * (float)get_(s, k)));
  }
  return st;
}

/* ---- the table -------------------------------------------------------- */

static const char *const no_attr_[] = {NULL};
static const char *const conv_attr_[] = {
    "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", NULL};
static const char *const gemm_attr_[] = {"alpha", "beta", "transA", "transB",
                                         NULL};
static const char *const clip_attr_[] = {"min", "max", NULL};
static const char *const maxpool_attr_[] = {
    "auto_pad", "ceil_mode",     "dilations", "kernel_shape",
    "pads",     "storage_order", "strides",   NULL};
static const char *const avgpool_attr_[] = {
    "auto_pad",     "ceil_mode", "count_include_pad", "dilations",
    "kernel_shape", "pads",      "strides",           NULL};
static const char *const reshape_attr_[] = {"allowzero", NULL};
static const char *const axis_attr_[] = {"axis", NULL};
static const char *const perm_attr_[] = {"perm", NULL};
static const char *const bn_attr_[] = {"epsilon", "momentum", "spatial",
                                       "training_mode", NULL};
static const char *const quant_attr_[] = {"axis", "block_size", "saturate",
                                          "output_dtype", NULL};
static const char *const dequant_attr_[] = {"axis", "block_size", NULL};
static const char *const const_attr_[] = {
    "value", "value_float", "value_floats", "value_int", "value_ints", NULL};

static const nc__op_t ops_[] = {
    {"Add", 2, 2, 1, no_attr_, op_add_},
    {"AveragePool", 1, 1, 1, avgpool_attr_, op_avgpool_},
    {"BatchNormalization", 5, 5, 1, bn_attr_, op_batchnorm_},
    {"Clip", 1, 3, 1, clip_attr_, op_clip_},
    {"Concat", 1, 64, 1, axis_attr_, op_concat_},
    {"Constant", 0, 0, 1, const_attr_, op_constant_},
    {"Conv", 2, 3, 1, conv_attr_, op_conv_},
    {"ConvInteger", 2, 4, 1, conv_attr_, op_conv_integer_},
    {"DequantizeLinear", 2, 3, 1, dequant_attr_, op_dequantize_},
    {"Flatten", 1, 1, 1, axis_attr_, op_flatten_},
    {"Gemm", 2, 3, 1, gemm_attr_, op_gemm_},
    {"GlobalAveragePool", 1, 1, 1, no_attr_, op_gap_},
    {"GlobalMaxPool", 1, 1, 1, no_attr_, op_gmp_},
    {"Identity", 1, 1, 1, no_attr_, op_identity_},
    {"MatMul", 2, 2, 1, no_attr_, op_matmul_},
    {"MatMulInteger", 2, 4, 1, no_attr_, op_matmul_integer_},
    {"MaxPool", 1, 1, 1, maxpool_attr_, op_maxpool_},
    {"Mul", 2, 2, 1, no_attr_, op_mul_},
    {"QLinearConv", 8, 9, 1, conv_attr_, op_qlinear_conv_},
    {"QLinearMatMul", 8, 8, 1, no_attr_, op_qlinear_matmul_},
    {"QuantizeLinear", 2, 3, 1, quant_attr_, op_quantize_},
    {"Relu", 1, 1, 1, no_attr_, op_relu_},
    {"Reshape", 2, 2, 1, reshape_attr_, op_reshape_},
    {"Sigmoid", 1, 1, 1, no_attr_, op_sigmoid_},
    {"Softmax", 1, 1, 1, axis_attr_, op_softmax_},
    {"Transpose", 1, 1, 1, perm_attr_, op_transpose_},
};

const nc__op_t *nc__graph_op(const char *op) {
  for (size_t i = 0; i < sizeof ops_ / sizeof ops_[0]; i++) {
    if (strcmp(ops_[i].op, op) == 0) {
      return &ops_[i];
    }
  }
  return NULL;
}

const char *nc__graph_op_names(void) {
  static char names[512];
  if (names[0] == '\0') {
    size_t used = 0;
    for (size_t i = 0; i < sizeof ops_ / sizeof ops_[0]; i++) {
      used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                               i ? ", " : "", ops_[i].op);
    }
  }
  return names;
}

nc_status_t nc__graph_op_check(const nc_graph_t *g, const nc_graph_node_t *n,
                               const char *what) {
  const char *ap = nc_graph_attr_str(n, "auto_pad", "NOTSET");
  if (strcmp(ap, "NOTSET") != 0 && strcmp(ap, "SAME_UPPER") != 0 &&
      strcmp(ap, "SAME_LOWER") != 0 && strcmp(ap, "VALID") != 0) {
    char shown[64];
    return nc__fail(NC_ERR_UNSUPPORTED, "%s: auto_pad '%s' is not supported",
                    what, nc__shown_str(ap, shown, sizeof shown));
  }
  for (int a = 0; a < n->nattr; a++) {
    const nc_attr_t *at = &n->attr[a];
    if (strcmp(at->name, "storage_order") == 0 && at->i != 0) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: storage_order %lld (column-major indices) is not "
                      "supported",
                      what, (long long)at->i);
    }
    if (strcmp(at->name, "training_mode") == 0 && at->i != 0) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: training_mode is not supported (inference only)",
                      what);
    }
    if (strcmp(at->name, "spatial") == 0 && at->i != 1) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: spatial=0 (per-element statistics) is not "
                      "supported",
                      what);
    }
  }
  if (strcmp(n->op, "Clip") == 0 && g->opset < 11 && n->nin > 1) {
    return nc__fail(NC_ERR_FORMAT,
                    "%s: before opset 11 Clip takes min and max as "
                    "attributes, not inputs",
                    what);
  }
  if ((strcmp(n->op, "Add") == 0 || strcmp(n->op, "Mul") == 0) &&
      g->opset < 7) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: opset %lld broadcasting rules (before 7) are not "
                    "supported",
                    what, (long long)g->opset);
  }
  return NC_OK;
}
