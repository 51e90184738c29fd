/*
 * Property tests of the golden reference on random small shapes: one layer
 * computed two ways must agree (1x1 conv and fc, grouped conv and one conv
 * per group, padding and a padded input, dilation and a dilated kernel,
 * local with a shared filter and conv, ...), and every layer agrees with a
 * literal, loop-per-term transcription of its formula in this file.
 */
#include <math.h>

#include "neocog/layer.h"
#include "tests/common.h"

#define CASES 40

/* ---- tensor helpers ---------------------------------------------------- */

static double tget_(const nc_tensor_t *t, int64_t i) {
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

static void tset_(nc_tensor_t *t, int64_t i, double v) {
  switch (t->dtype) {
    case NC_DTYPE_INT8:
      ((int8_t *)t->data)[i] = (int8_t)v;
      break;
    case NC_DTYPE_UINT8:
      ((uint8_t *)t->data)[i] = (uint8_t)v;
      break;
    case NC_DTYPE_INT32:
      ((int32_t *)t->data)[i] = (int32_t)v;
      break;
    default:
      ((float *)t->data)[i] = (float)v;
      break;
  }
}

static void alloc4_(nc_tensor_t *t, nc_dtype_t dt, int64_t a, int64_t b,
                    int64_t c, int64_t d) {
  const int64_t s[4] = {a, b, c, d};
  nc_test_alloc(t, dt, 4, s);
}

static void alloc1_(nc_tensor_t *t, nc_dtype_t dt, int64_t a) {
  const int64_t s[1] = {a};
  nc_test_alloc(t, dt, 1, s);
}

/* A copy of t with another shape of the same element count. */
static void reshape_copy_(nc_tensor_t *dst, const nc_tensor_t *src, int ndim,
                          const int64_t *shape) {
  nc_test_alloc(dst, src->dtype, ndim, shape);
  cr_assert_eq(dst->nbytes, src->nbytes);
  memcpy(dst->data, src->data, src->nbytes);
}

/* Typical values of each dtype: full range for 8-bit, moderate int32 bias,
 * [-1, 1) floats. */
static void fill_(nc_rng_t *r, nc_tensor_t *t) {
  switch (t->dtype) {
    case NC_DTYPE_INT8:
      nc_rng_fill(r, t, -128, 127);
      break;
    case NC_DTYPE_UINT8:
      nc_rng_fill(r, t, 0, 255);
      break;
    case NC_DTYPE_INT32:
      nc_rng_fill(r, t, -100000, 100000);
      break;
    default:
      nc_rng_fill(r, t, -1.0, 1.0);
      break;
  }
}

static int64_t dt_lo_(nc_dtype_t dt) {
  return dt == NC_DTYPE_UINT8 ? 0 : dt == NC_DTYPE_INT8 ? -128 : -1000000;
}

static int64_t dt_hi_(nc_dtype_t dt) {
  return dt == NC_DTYPE_UINT8 ? 255 : dt == NC_DTYPE_INT8 ? 127 : 1000000;
}

static int close_(double a, double b) {
  return fabs(a - b) <= 1e-4 * (fabs(a) > 1.0 ? fabs(a) : 1.0);
}

/* Element-wise equality: exact for integers, 1e-4 relative for float32. */
static void expect_same_(const nc_tensor_t *a, const nc_tensor_t *b,
                         const char *what) {
  cr_assert_eq(a->dtype, b->dtype, "%s: dtype %s vs %s", what,
               nc_dtype_name(a->dtype), nc_dtype_name(b->dtype));
  size_t n = nc_tensor_numel(a);
  cr_assert_eq(n, nc_tensor_numel(b), "%s: %zu vs %zu elements", what, n,
               nc_tensor_numel(b));
  for (size_t i = 0; i < n; i++) {
    double x = tget_(a, (int64_t)i), y = tget_(b, (int64_t)i);
    if (a->dtype == NC_DTYPE_FLOAT32) {
      cr_assert(close_(x, y), "%s: element %zu: %.9g vs %.9g", what, i, x, y);
    } else {
      cr_assert_eq(x, y, "%s: element %zu: %.0f vs %.0f", what, i, x, y);
    }
  }
}

static void run_(const nc_layer_t *l, const nc_tensor_t *x,
                 const nc_tensor_t *w, const nc_tensor_t *b, nc_tensor_t *y) {
  nc_status_t st = nc_golden_run(l, x, w, b, y);
  cr_assert_eq(st, NC_OK, "golden: %s: %s", nc_status_name(st),
               nc_error_detail());
}

static void free_all_(nc_tensor_t *ts, int n) {
  for (int i = 0; i < n; i++) {
    nc_tensor_free(&ts[i]);
  }
}

/* ---- random layers ----------------------------------------------------- */

static nc_dtype_t pick_xdt_(nc_rng_t *r) {
  static const nc_dtype_t dts[3] = {NC_DTYPE_INT8, NC_DTYPE_UINT8,
                                    NC_DTYPE_FLOAT32};
  return dts[nc_rng_range(r, 0, 2)];
}

/* Zero points and padding values of an integer layer. */
static void rand_zp_(nc_rng_t *r, nc_layer_t *l, nc_dtype_t xdt) {
  if (xdt == NC_DTYPE_FLOAT32) {
    return;
  }
  l->in_zp = (int32_t)nc_rng_range(r, dt_lo_(xdt), dt_hi_(xdt));
  l->pad_value = nc_rng_range(r, 0, 2) == 0
                     ? l->in_zp
                     : (int32_t)nc_rng_range(r, dt_lo_(xdt), dt_hi_(xdt));
}

/* A random per-channel (or per-tensor) requantization for o channels. */
static void rand_rq_(nc_rng_t *r, nc_requant_t *rq, int64_t o) {
  rq->enabled = 1;
  rq->out_dtype = nc_rng_range(r, 0, 1) ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  rq->channels = nc_rng_range(r, 0, 1) ? (int)o : 1;
  for (int c = 0; c < rq->channels; c++) {
    rq->mult[c] = (int32_t)nc_rng_range(r, INT64_C(1) << 30, INT32_MAX);
    rq->shift[c] = (int32_t)nc_rng_range(r, -18, 1);
  }
  int64_t lo = dt_lo_(rq->out_dtype), hi = dt_hi_(rq->out_dtype);
  rq->out_zp = (int32_t)nc_rng_range(r, lo, hi);
  rq->act_min = (int32_t)nc_rng_range(r, lo, hi);
  rq->act_max = (int32_t)nc_rng_range(r, rq->act_min, hi);
  if (nc_rng_range(r, 0, 2) == 0) {
    rq->act_min = (int32_t)lo;
    rq->act_max = (int32_t)hi;
  }
}

/* Random stride, explicit padding and dilation. */
static void rand_spatial_(nc_rng_t *r, nc_layer_t *l, int max_dil) {
  l->stride_h = (int)nc_rng_range(r, 1, 3);
  l->stride_w = (int)nc_rng_range(r, 1, 3);
  l->pad_top = (int)nc_rng_range(r, 0, 2);
  l->pad_bottom = (int)nc_rng_range(r, 0, 2);
  l->pad_left = (int)nc_rng_range(r, 0, 2);
  l->pad_right = (int)nc_rng_range(r, 0, 2);
  l->dil_h = (int)nc_rng_range(r, 1, max_dil);
  l->dil_w = (int)nc_rng_range(r, 1, max_dil);
}

/* A random conv with a nonempty output: shapes into xs/ws, geometry in g. */
static void rand_conv_(nc_rng_t *r, nc_layer_t *l, int max_groups, int max_dil,
                       int64_t xs[4], int64_t ws[4], nc_geom_t *g) {
  for (;;) {
    nc_layer_init(l, NC_LAYER_CONV2D);
    rand_spatial_(r, l, max_dil);
    l->groups = (int)nc_rng_range(r, 1, max_groups);
    int64_t cg = nc_rng_range(r, 1, 4), og = nc_rng_range(r, 1, 4);
    xs[0] = nc_rng_range(r, 1, 2);
    xs[1] = nc_rng_range(r, 1, 9);
    xs[2] = nc_rng_range(r, 1, 9);
    xs[3] = cg * l->groups;
    ws[0] = og * l->groups;
    ws[1] = nc_rng_range(r, 1, 4);
    ws[2] = nc_rng_range(r, 1, 4);
    ws[3] = cg;
    if (nc_layer_geometry(l, xs, 4, ws, 4, ws[0], g) == NC_OK) {
      return;
    }
  }
}

/* Allocates and fills input, weights and (maybe) bias for a MAC layer. */
static void rand_operands_(nc_rng_t *r, nc_dtype_t xdt, int xn,
                           const int64_t *xs, int wn, const int64_t *ws,
                           int64_t blen, nc_tensor_t *x, nc_tensor_t *w,
                           nc_tensor_t *b) {
  int fl = xdt == NC_DTYPE_FLOAT32;
  nc_test_alloc(x, xdt, xn, xs);
  nc_test_alloc(w, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8, wn, ws);
  fill_(r, x);
  fill_(r, w);
  memset(b, 0, sizeof *b);
  if (blen > 0) {
    alloc1_(b, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT32, blen);
    fill_(r, b);
  }
}

/* ---- literal reference -------------------------------------------------- */

/* conv, fc and local by their definition, one term at a time: int64 sum
 * wrapped to int32 at the end (the hardware's modulo-2^32 accumulator), or
 * a double sum for float32. Output dtype and shape as the golden run's. */
static void ref_mac_(const nc_layer_t *l, const nc_tensor_t *x,
                     const nc_tensor_t *w, const nc_tensor_t *b,
                     nc_tensor_t *y) {
  nc_geom_t g;
  cr_assert_eq(
      nc_layer_geometry(l, x->shape, x->ndim, w->shape, w->ndim,
                        b->data ? (int64_t)nc_tensor_numel(b) : -1, &g),
      NC_OK, "%s", nc_error_detail());
  int fl = x->dtype == NC_DTYPE_FLOAT32;
  int64_t groups = l->kind == NC_LAYER_CONV2D ? l->groups : 1;
  int64_t cg = g.c / groups, og = g.oc / groups;
  nc_dtype_t odt = fl ? NC_DTYPE_FLOAT32
                      : (l->rq.enabled ? l->rq.out_dtype : NC_DTYPE_INT32);
  alloc4_(y, odt, g.n, g.oh, g.ow, g.oc);
  int per_pos = b->data != NULL && l->kind == NC_LAYER_LOCAL &&
                (int64_t)nc_tensor_numel(b) != g.oc;
  for (int64_t n = 0; n < g.n; n++) {
    for (int64_t oh = 0; oh < g.oh; oh++) {
      for (int64_t ow = 0; ow < g.ow; ow++) {
        for (int64_t oc = 0; oc < g.oc; oc++) {
          int64_t gr = oc / og;
          int64_t iacc = 0;
          double facc = 0.0;
          for (int64_t kh = 0; kh < g.kh; kh++) {
            for (int64_t kw = 0; kw < g.kw; kw++) {
              for (int64_t ci = 0; ci < cg; ci++) {
                int64_t ih = oh * l->stride_h - g.pad_top + kh * l->dil_h;
                int64_t iw = ow * l->stride_w - g.pad_left + kw * l->dil_w;
                int in = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
                double xv = in ? tget_(x, ((n * g.h + ih) * g.w + iw) * g.c +
                                              gr * cg + ci)
                               : (fl ? 0.0 : l->pad_value);
                int64_t wi =
                    l->kind == NC_LAYER_LOCAL
                        ? ((((oh * g.ow + ow) * g.oc + oc) * g.kh + kh) * g.kw +
                           kw) * g.c +
                              ci
                        : ((oc * g.kh + kh) * g.kw + kw) * cg + ci;
                double wv = tget_(w, wi);
                if (fl) {
                  facc += xv * wv;
                } else {
                  iacc += ((int64_t)xv - l->in_zp) * (int64_t)wv;
                }
              }
            }
          }
          int64_t bi = per_pos ? (oh * g.ow + ow) * g.oc + oc : oc;
          int64_t o_idx = ((n * g.oh + oh) * g.ow + ow) * g.oc + oc;
          if (fl) {
            if (b->data != NULL) {
              facc += tget_(b, bi);
            }
            switch (l->act) {
              case NC_ACT_RELU:
                facc = facc < 0 ? 0 : facc;
                break;
              case NC_ACT_RELU6:
                facc = facc < 0 ? 0 : (facc > 6 ? 6 : facc);
                break;
              case NC_ACT_CLAMP:
                facc = facc < l->act_lo ? l->act_lo
                                        : (facc > l->act_hi ? l->act_hi : facc);
                break;
              default:
                break;
            }
            tset_(y, o_idx, facc);
            continue;
          }
          if (b->data != NULL) {
            iacc += (int64_t)tget_(b, bi);
          }
          uint32_t u = (uint32_t)((uint64_t)iacc & 0xffffffffu);
          int64_t v =
              u >= 0x80000000u ? (int64_t)u - (INT64_C(1) << 32) : (int64_t)u;
          if (l->rq.enabled) {
            v = nc_requant_apply(&l->rq, l->rq.channels == 1 ? 0 : (int)oc,
                                 (int32_t)v);
          }
          tset_(y, o_idx, (double)v);
        }
      }
    }
  }
}

/* ---- properties ---------------------------------------------------------- */

Test(props, conv_matches_definition) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "conv_matches_definition", 1001);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 3, 3, xs, ws, &g);
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && nc_rng_range(&r, 0, 1)) {
      rand_rq_(&r, &l.rq, ws[0]);
    }
    if (xdt == NC_DTYPE_FLOAT32) {
      l.act = (nc_act_t)nc_rng_range(&r, 0, 3);
      l.act_lo = -0.5f;
      l.act_hi = 0.75f;
    }
    nc_tensor_t t[5];
    rand_operands_(&r, xdt, 4, xs, 4, ws, nc_rng_range(&r, 0, 1) ? ws[0] : 0,
                   &t[0], &t[1], &t[2]);
    run_(&l, &t[0], &t[1], t[2].data ? &t[2] : NULL, &t[3]);
    ref_mac_(&l, &t[0], &t[1], &t[2], &t[4]);
    expect_same_(&t[3], &t[4], "conv vs definition");
    free_all_(t, 5);
  }
}

Test(props, local_and_fc_match_definition) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "local_and_fc_match_definition", 1002);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], cws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 1, 2, xs, cws, &g);
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && nc_rng_range(&r, 0, 1)) {
      rand_rq_(&r, &l.rq, cws[0]);
    }
    nc_tensor_t t[5];
    int64_t blen = 0;
    if (nc_rng_range(&r, 0, 1)) {
      /* fc on the whole [N, H, W, C] input: I = H * W * C. */
      nc_layer_t f;
      nc_layer_init(&f, NC_LAYER_FC);
      f.in_zp = l.in_zp;
      f.pad_value = l.pad_value;
      f.rq = l.rq;
      const int64_t ws[2] = {cws[0], xs[1] * xs[2] * xs[3]};
      blen = nc_rng_range(&r, 0, 1) ? ws[0] : 0;
      rand_operands_(&r, xdt, 4, xs, 2, ws, blen, &t[0], &t[1], &t[2]);
      run_(&f, &t[0], &t[1], t[2].data ? &t[2] : NULL, &t[3]);
      cr_assert_eq(t[3].ndim, 2);
      cr_assert_eq(t[3].shape[0], xs[0]);
      cr_assert_eq(t[3].shape[1], ws[0]);
      /* The definition sees fc as a 1x1 conv over [N, 1, 1, I]. */
      const int64_t fs[4] = {xs[0], 1, 1, ws[1]};
      const int64_t fws[4] = {ws[0], 1, 1, ws[1]};
      nc_tensor_t x4, w4;
      reshape_copy_(&x4, &t[0], 4, fs);
      reshape_copy_(&w4, &t[1], 4, fws);
      nc_layer_t c = l;
      c.kind = NC_LAYER_CONV2D;
      c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
      c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 0;
      ref_mac_(&c, &x4, &w4, &t[2], &t[4]);
      nc_tensor_free(&x4);
      nc_tensor_free(&w4);
    } else {
      l.kind = NC_LAYER_LOCAL;
      const int64_t ws[6] = {g.oh, g.ow, cws[0], cws[1], cws[2], cws[3]};
      int64_t pick = nc_rng_range(&r, 0, 2);
      blen = pick == 0 ? 0 : (pick == 1 ? ws[2] : g.oh * g.ow * ws[2]);
      rand_operands_(&r, xdt, 4, xs, 6, ws, blen, &t[0], &t[1], &t[2]);
      run_(&l, &t[0], &t[1], t[2].data ? &t[2] : NULL, &t[3]);
      ref_mac_(&l, &t[0], &t[1], &t[2], &t[4]);
    }
    expect_same_(&t[3], &t[4], "local/fc vs definition");
    free_all_(t, 5);
  }
}

Test(props, conv1x1_is_fc_per_pixel) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "conv1x1_is_fc_per_pixel", 1003);
  for (int it = 0; it < CASES; it++) {
    int64_t n = nc_rng_range(&r, 1, 3), h = nc_rng_range(&r, 1, 6);
    int64_t w = nc_rng_range(&r, 1, 6), c = nc_rng_range(&r, 1, 40);
    int64_t o = nc_rng_range(&r, 1, 9);
    nc_dtype_t xdt = pick_xdt_(&r);
    nc_layer_t conv, fc;
    nc_layer_init(&conv, NC_LAYER_CONV2D);
    rand_zp_(&r, &conv, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && nc_rng_range(&r, 0, 1)) {
      rand_rq_(&r, &conv.rq, o);
    }
    nc_layer_init(&fc, NC_LAYER_FC);
    fc.in_zp = conv.in_zp;
    fc.pad_value = conv.pad_value;
    fc.rq = conv.rq;
    const int64_t xs[4] = {n, h, w, c}, ws[4] = {o, 1, 1, c};
    nc_tensor_t t[7];
    rand_operands_(&r, xdt, 4, xs, 4, ws, nc_rng_range(&r, 0, 1) ? o : 0, &t[0],
                   &t[1], &t[2]);
    const nc_tensor_t *b = t[2].data ? &t[2] : NULL;
    run_(&conv, &t[0], &t[1], b, &t[3]);
    const int64_t px[2] = {n * h * w, c}, fw[2] = {o, c};
    const int64_t px4[4] = {n * h * w, 1, 1, c};
    reshape_copy_(&t[4], &t[0], 2, px);
    reshape_copy_(&t[5], &t[1], 2, fw);
    run_(&fc, &t[4], &t[5], b, &t[6]);
    cr_assert_eq(t[6].ndim, 2);
    cr_assert_eq(t[6].shape[0], n * h * w);
    cr_assert_eq(t[6].shape[1], o);
    expect_same_(&t[3], &t[6], "1x1 conv vs fc");
    /* fc flattens any non-batch dims: [P, 1, 1, C] is [P, C]. */
    nc_tensor_free(&t[4]);
    nc_tensor_free(&t[6]);
    reshape_copy_(&t[4], &t[0], 4, px4);
    run_(&fc, &t[4], &t[5], b, &t[6]);
    expect_same_(&t[3], &t[6], "1x1 conv vs fc on rank 4");
    free_all_(t, 7);
  }
}

Test(props, grouped_is_one_conv_per_group) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "grouped_is_one_conv_per_group", 1004);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 5, 2, xs, ws, &g);
    if (it % 2 == 0) { /* depthwise: groups == C */
      xs[3] = l.groups;
      ws[3] = 1;
      cr_assert_eq(nc_layer_geometry(&l, xs, 4, ws, 4, ws[0], &g), NC_OK);
    }
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && nc_rng_range(&r, 0, 1)) {
      rand_rq_(&r, &l.rq, ws[0]);
    }
    nc_tensor_t x, w, b, y;
    rand_operands_(&r, xdt, 4, xs, 4, ws, nc_rng_range(&r, 0, 1) ? ws[0] : 0,
                   &x, &w, &b);
    run_(&l, &x, &w, b.data ? &b : NULL, &y);
    int64_t G = l.groups, cg = xs[3] / G, og = ws[0] / G;
    int64_t wper = ws[1] * ws[2] * ws[3];
    size_t xsz = nc_dtype_size(x.dtype);
    for (int64_t gr = 0; gr < G; gr++) {
      nc_layer_t one = l;
      one.groups = 1;
      if (l.rq.enabled && l.rq.channels != 1) {
        one.rq.channels = (int)og;
        for (int64_t j = 0; j < og; j++) {
          one.rq.mult[j] = l.rq.mult[gr * og + j];
          one.rq.shift[j] = l.rq.shift[gr * og + j];
        }
      }
      nc_tensor_t xg, wg, bg, yg;
      alloc4_(&xg, x.dtype, xs[0], xs[1], xs[2], cg);
      alloc4_(&wg, w.dtype, og, ws[1], ws[2], ws[3]);
      memset(&bg, 0, sizeof bg);
      for (int64_t p = 0; p < xs[0] * xs[1] * xs[2]; p++) {
        memcpy((char *)xg.data + (size_t)(p * cg) * xsz,
               (char *)x.data + (size_t)(p * xs[3] + gr * cg) * xsz,
               (size_t)cg * xsz);
      }
      memcpy(wg.data,
             (char *)w.data + (size_t)(gr * og * wper) * nc_dtype_size(w.dtype),
             wg.nbytes);
      if (b.data != NULL) {
        alloc1_(&bg, b.dtype, og);
        memcpy(bg.data,
               (char *)b.data + (size_t)(gr * og) * nc_dtype_size(b.dtype),
               bg.nbytes);
      }
      run_(&one, &xg, &wg, bg.data ? &bg : NULL, &yg);
      cr_assert_eq(yg.shape[1], y.shape[1]);
      cr_assert_eq(yg.shape[2], y.shape[2]);
      int64_t pix = y.shape[0] * y.shape[1] * y.shape[2];
      for (int64_t p = 0; p < pix; p++) {
        for (int64_t j = 0; j < og; j++) {
          double a = tget_(&y, p * ws[0] + gr * og + j);
          double e = tget_(&yg, p * og + j);
          if (xdt == NC_DTYPE_FLOAT32) {
            cr_assert(close_(a, e), "group %lld pixel %lld ch %lld: %g vs %g",
                      (long long)gr, (long long)p, (long long)j, a, e);
          } else {
            cr_assert_eq(a, e, "group %lld pixel %lld ch %lld: %g vs %g",
                         (long long)gr, (long long)p, (long long)j, a, e);
          }
        }
      }
      nc_tensor_free(&xg);
      nc_tensor_free(&wg);
      nc_tensor_free(&bg);
      nc_tensor_free(&yg);
    }
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    nc_tensor_free(&y);
  }
}

Test(props, pool_1x1_is_identity) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "pool_1x1_is_identity", 1005);
  for (int it = 0; it < CASES; it++) {
    nc_dtype_t dt = (nc_dtype_t)nc_rng_range(&r, 0, NC_DTYPE_COUNT - 1);
    nc_layer_t l;
    nc_layer_init(&l,
                  nc_rng_range(&r, 0, 1) ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
    l.pool_h = l.pool_w = 1;
    nc_tensor_t x, y;
    alloc4_(&x, dt, nc_rng_range(&r, 1, 3), nc_rng_range(&r, 1, 8),
            nc_rng_range(&r, 1, 8), nc_rng_range(&r, 1, 8));
    fill_(&r, &x);
    run_(&l, &x, NULL, NULL, &y);
    cr_assert_eq(y.dtype, dt);
    cr_assert_eq(y.nbytes, x.nbytes);
    for (int i = 0; i < 4; i++) {
      cr_assert_eq(y.shape[i], x.shape[i]);
    }
    cr_assert_eq(memcmp(x.data, y.data, x.nbytes), 0, "%s %s changed data",
                 nc_layer_kind_name(l.kind), nc_dtype_name(dt));
    nc_tensor_free(&x);
    nc_tensor_free(&y);
  }
}

Test(props, padding_is_a_padded_input) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "padding_is_a_padded_input", 1006);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 2, 2, xs, ws, &g);
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && it % 2 == 0) {
      /* Padding that matters: a nonzero zero point, pad_value != in_zp. */
      l.in_zp = (int32_t)nc_rng_range(&r, dt_lo_(xdt) + 1, dt_hi_(xdt));
      l.pad_value = (int32_t)nc_rng_range(&r, dt_lo_(xdt), l.in_zp - 1);
    }
    nc_tensor_t x, w, b, y, xp, yp;
    rand_operands_(&r, xdt, 4, xs, 4, ws, ws[0], &x, &w, &b);
    run_(&l, &x, &w, &b, &y);
    int64_t ph = xs[1] + g.pad_top + g.pad_bottom;
    int64_t pw = xs[2] + g.pad_left + g.pad_right;
    alloc4_(&xp, xdt, xs[0], ph, pw, xs[3]);
    for (int64_t n = 0; n < xs[0]; n++) {
      for (int64_t h = 0; h < ph; h++) {
        for (int64_t wi = 0; wi < pw; wi++) {
          for (int64_t c = 0; c < xs[3]; c++) {
            int64_t ih = h - g.pad_top, iw = wi - g.pad_left;
            int in = ih >= 0 && ih < xs[1] && iw >= 0 && iw < xs[2];
            double v = xdt == NC_DTYPE_FLOAT32 ? 0.0 : l.pad_value;
            if (in) {
              v = tget_(&x, ((n * xs[1] + ih) * xs[2] + iw) * xs[3] + c);
            }
            tset_(&xp, ((n * ph + h) * pw + wi) * xs[3] + c, v);
          }
        }
      }
    }
    nc_layer_t l0 = l;
    l0.pad_top = l0.pad_bottom = l0.pad_left = l0.pad_right = 0;
    run_(&l0, &xp, &w, &b, &yp);
    expect_same_(&y, &yp, "padding vs padded input");
    nc_tensor_t all[6] = {x, w, b, y, xp, yp};
    free_all_(all, 6);
  }
}

Test(props, dilation_is_a_dilated_kernel) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "dilation_is_a_dilated_kernel", 1007);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 2, 3, xs, ws, &g);
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    nc_tensor_t x, w, b, y, wd, yd;
    rand_operands_(&r, xdt, 4, xs, 4, ws, ws[0], &x, &w, &b);
    run_(&l, &x, &w, &b, &y);
    int64_t kh = l.dil_h * (ws[1] - 1) + 1, kw = l.dil_w * (ws[2] - 1) + 1;
    alloc4_(&wd, w.dtype, ws[0], kh, kw, ws[3]);
    for (int64_t o = 0; o < ws[0]; o++) {
      for (int64_t i = 0; i < ws[1]; i++) {
        for (int64_t j = 0; j < ws[2]; j++) {
          for (int64_t c = 0; c < ws[3]; c++) {
            double v = tget_(&w, ((o * ws[1] + i) * ws[2] + j) * ws[3] + c);
            tset_(&wd, ((o * kh + i * l.dil_h) * kw + j * l.dil_w) * ws[3] + c,
                  v);
          }
        }
      }
    }
    nc_layer_t l1 = l;
    l1.dil_h = l1.dil_w = 1;
    run_(&l1, &x, &wd, &b, &yd);
    expect_same_(&y, &yd, "dilation vs dilated kernel");
    nc_tensor_t all[6] = {x, w, b, y, wd, yd};
    free_all_(all, 6);
  }
}

Test(props, local_with_shared_filter_is_conv) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "local_with_shared_filter_is_conv", 1008);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 1, 2, xs, ws, &g);
    nc_dtype_t xdt = pick_xdt_(&r);
    rand_zp_(&r, &l, xdt);
    if (xdt != NC_DTYPE_FLOAT32 && nc_rng_range(&r, 0, 1)) {
      rand_rq_(&r, &l.rq, ws[0]);
    }
    nc_tensor_t x, w, b, y, wl, bl, yl;
    rand_operands_(&r, xdt, 4, xs, 4, ws, ws[0], &x, &w, &b);
    run_(&l, &x, &w, &b, &y);
    const int64_t lws[6] = {g.oh, g.ow, ws[0], ws[1], ws[2], ws[3]};
    nc_test_alloc(&wl, w.dtype, 6, lws);
    for (int64_t p = 0; p < g.oh * g.ow; p++) {
      memcpy((char *)wl.data + (size_t)p * w.nbytes, w.data, w.nbytes);
    }
    int per_pos = (int)nc_rng_range(&r, 0, 1);
    if (per_pos) { /* the same bias repeated at every position */
      const int64_t bs[3] = {g.oh, g.ow, ws[0]};
      nc_test_alloc(&bl, b.dtype, 3, bs);
      for (int64_t p = 0; p < g.oh * g.ow; p++) {
        memcpy((char *)bl.data + (size_t)p * b.nbytes, b.data, b.nbytes);
      }
    } else {
      reshape_copy_(&bl, &b, 1, b.shape);
    }
    nc_layer_t ll = l;
    ll.kind = NC_LAYER_LOCAL;
    run_(&ll, &x, &wl, &bl, &yl);
    expect_same_(&y, &yl, "local with a shared filter vs conv");
    nc_tensor_t all[7] = {x, w, b, y, wl, bl, yl};
    free_all_(all, 7);
  }
}

Test(props, same_padding_gives_ceil) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "same_padding_gives_ceil", 1009);
  for (int it = 0; it < 4 * CASES; it++) {
    int64_t d[2] = {nc_rng_range(&r, 1, 40), nc_rng_range(&r, 1, 40)};
    int64_t k[2] = {nc_rng_range(&r, 1, 7), nc_rng_range(&r, 1, 7)};
    int s[2] = {(int)nc_rng_range(&r, 1, 4), (int)nc_rng_range(&r, 1, 4)};
    int dil[2] = {(int)nc_rng_range(&r, 1, 3), (int)nc_rng_range(&r, 1, 3)};
    nc_layer_t l;
    int pool = it % 3 == 0;
    nc_layer_init(&l, pool ? NC_LAYER_MAXPOOL : NC_LAYER_CONV2D);
    l.pad_mode = NC_PAD_SAME;
    l.stride_h = s[0], l.stride_w = s[1];
    if (pool) {
      l.pool_h = (int)k[0], l.pool_w = (int)k[1];
      dil[0] = dil[1] = 1;
    } else {
      l.dil_h = dil[0], l.dil_w = dil[1];
    }
    const int64_t xs[4] = {1, d[0], d[1], 2};
    const int64_t ws[4] = {3, k[0], k[1], 2};
    nc_geom_t g;
    nc_status_t st = pool ? nc_layer_geometry(&l, xs, 4, NULL, 0, -1, &g)
                          : nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g);
    cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
    const int64_t out[2] = {g.oh, g.ow};
    const int pb[2] = {g.pad_top, g.pad_left},
              pe[2] = {g.pad_bottom, g.pad_right};
    for (int a = 0; a < 2; a++) {
      int64_t want = (d[a] + s[a] - 1) / s[a];
      cr_assert_eq(out[a], want, "D=%lld S=%d: out %lld, want ceil = %lld",
                   (long long)d[a], s[a], (long long)out[a], (long long)want);
      int64_t keff = dil[a] * (k[a] - 1) + 1;
      int64_t total = (want - 1) * s[a] + keff - d[a];
      total = total < 0 ? 0 : total;
      cr_assert_eq(pb[a], total / 2);
      cr_assert_eq(pe[a], total - total / 2);
    }
    if (pool) {
      continue;
    }
    /* SAME runs exactly like the explicit padding it resolves to. */
    nc_tensor_t x, w, b, y, ye;
    rand_operands_(&r, NC_DTYPE_INT8, 4, xs, 4, ws, 0, &x, &w, &b);
    run_(&l, &x, &w, NULL, &y);
    nc_layer_t le = l;
    le.pad_mode = NC_PAD_EXPLICIT;
    le.pad_top = g.pad_top, le.pad_bottom = g.pad_bottom;
    le.pad_left = g.pad_left, le.pad_right = g.pad_right;
    run_(&le, &x, &w, NULL, &ye);
    expect_same_(&y, &ye, "SAME vs explicit");
    nc_tensor_t all[5] = {x, w, b, y, ye};
    free_all_(all, 5);
  }
}

/* Pooling by its definition: max over the valid taps, or the mean of the
 * valid taps rounded half away from zero (integers) / summed row by row in
 * float (float32). */
static void ref_pool_(const nc_layer_t *l, const nc_geom_t *g,
                      const nc_tensor_t *x, nc_tensor_t *y) {
  alloc4_(y, x->dtype, g->n, g->oh, g->ow, g->oc);
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t oh = 0; oh < g->oh; oh++) {
      for (int64_t ow = 0; ow < g->ow; ow++) {
        for (int64_t c = 0; c < g->c; c++) {
          int64_t isum = 0, cnt = 0;
          float fsum = 0.0f;
          double m = -INFINITY;
          for (int64_t kh = 0; kh < g->kh; kh++) {
            for (int64_t kw = 0; kw < g->kw; kw++) {
              int64_t ih = oh * l->stride_h - g->pad_top + kh;
              int64_t iw = ow * l->stride_w - g->pad_left + kw;
              if (ih < 0 || ih >= g->h || iw < 0 || iw >= g->w) {
                continue;
              }
              double v = tget_(x, ((n * g->h + ih) * g->w + iw) * g->c + c);
              m = v > m ? v : m;
              isum += (int64_t)v;
              fsum += (float)v;
              cnt++;
            }
          }
          cr_assert(cnt > 0);
          double v = m;
          if (l->kind == NC_LAYER_AVGPOOL) {
            if (x->dtype == NC_DTYPE_FLOAT32) {
              v = fsum / (float)cnt;
            } else if (isum > 0) {
              v = (double)((isum + cnt / 2) / cnt);
            } else {
              v = (double)((isum - cnt / 2) / cnt);
            }
          }
          tset_(y, ((n * g->oh + oh) * g->ow + ow) * g->oc + c, v);
        }
      }
    }
  }
}

Test(props, pool_matches_definition) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "pool_matches_definition", 1010);
  for (int it = 0; it < 2 * CASES; it++) {
    nc_layer_t l;
    /* int8 average pooling in every other case; the rest mixes kinds and
     * dtypes. */
    int avg_i8 = it % 2 == 0;
    nc_layer_init(&l, avg_i8 || nc_rng_range(&r, 0, 1) ? NC_LAYER_AVGPOOL
                                                       : NC_LAYER_MAXPOOL);
    nc_dtype_t dt = avg_i8
                        ? NC_DTYPE_INT8
                        : (nc_dtype_t)nc_rng_range(&r, 0, NC_DTYPE_COUNT - 1);
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
    const int64_t xs[4] = {nc_rng_range(&r, 1, 2), nc_rng_range(&r, 1, 9),
                           nc_rng_range(&r, 1, 9), nc_rng_range(&r, 1, 5)};
    nc_geom_t g;
    if (nc_layer_geometry(&l, xs, 4, NULL, 0, -1, &g) != NC_OK) {
      it--; /* window larger than the padded input: draw again */
      continue;
    }
    nc_tensor_t x, y, e;
    nc_test_alloc(&x, dt, 4, xs);
    fill_(&r, &x);
    if (dt == NC_DTYPE_INT32 && nc_rng_range(&r, 0, 1)) {
      nc_rng_fill(&r, &x, INT32_MIN, INT32_MAX); /* sums beyond int32 */
    }
    run_(&l, &x, NULL, NULL, &y);
    ref_pool_(&l, &g, &x, &e);
    cr_assert_eq(y.dtype, dt);
    cr_assert_eq(memcmp(y.data, e.data, y.nbytes), 0,
                 "%s %s differs from its definition",
                 nc_layer_kind_name(l.kind), nc_dtype_name(dt));
    nc_tensor_free(&x);
    nc_tensor_free(&y);
    nc_tensor_free(&e);
  }
}

Test(props, avgpool_rounds_half_away_from_zero) {
  /* Windows of 2 and 4 valid elements with sums at exact halves. */
  static const int8_t in[8] = {1, 2, -1, -2, 3, 4, -3, -4};
  const int64_t xs[4] = {1, 1, 8, 1};
  nc_tensor_t x, y;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  memcpy(x.data, in, sizeof in);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_AVGPOOL);
  l.pool_h = 1, l.pool_w = 2;
  l.stride_w = 2;
  run_(&l, &x, NULL, NULL, &y);
  const int8_t *o = y.data;
  cr_assert_eq(o[0], 2);  /* 1.5 */
  cr_assert_eq(o[1], -2); /* -1.5 */
  cr_assert_eq(o[2], 4);  /* 3.5 */
  cr_assert_eq(o[3], -4); /* -3.5 */
  nc_tensor_free(&y);
  /* A padded corner divides by the valid count only: (1 + 2) / 2. */
  l.pool_w = 3, l.stride_w = 3, l.pad_left = 1;
  run_(&l, &x, NULL, NULL, &y);
  cr_assert_eq(((int8_t *)y.data)[0], 2);
  nc_tensor_free(&y);
  nc_tensor_free(&x);
}

Test(props, float_equals_int_on_small_integers) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "float_equals_int_on_small_integers", 1011);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    int local = it % 3 == 2;
    rand_conv_(&r, &l, local ? 1 : 3, 3, xs, ws, &g);
    nc_tensor_t xi, wi, bi, yi, xf, wf, bf, yf;
    int64_t lws[6] = {g.oh, g.ow, ws[0], ws[1], ws[2], ws[3]};
    const int64_t *wshape = local ? lws : ws;
    int wn = local ? 6 : 4;
    if (local) {
      l.kind = NC_LAYER_LOCAL;
    }
    nc_test_alloc(&xi, NC_DTYPE_INT8, 4, xs);
    nc_test_alloc(&wi, NC_DTYPE_INT8, wn, wshape);
    alloc1_(&bi, NC_DTYPE_INT32, ws[0]);
    nc_rng_fill(&r, &xi, -8, 8);
    nc_rng_fill(&r, &wi, -8, 8);
    nc_rng_fill(&r, &bi, -100, 100);
    nc_test_alloc(&xf, NC_DTYPE_FLOAT32, 4, xs);
    nc_test_alloc(&wf, NC_DTYPE_FLOAT32, wn, wshape);
    alloc1_(&bf, NC_DTYPE_FLOAT32, ws[0]);
    const nc_tensor_t *src[3] = {&xi, &wi, &bi};
    nc_tensor_t *dst[3] = {&xf, &wf, &bf};
    for (int t = 0; t < 3; t++) {
      for (size_t i = 0; i < nc_tensor_numel(src[t]); i++) {
        tset_(dst[t], (int64_t)i, tget_(src[t], (int64_t)i));
      }
    }
    run_(&l, &xi, &wi, &bi, &yi);
    run_(&l, &xf, &wf, &bf, &yf);
    cr_assert_eq(nc_tensor_numel(&yi), nc_tensor_numel(&yf));
    for (size_t i = 0; i < nc_tensor_numel(&yi); i++) {
      double a = tget_(&yi, (int64_t)i), b = tget_(&yf, (int64_t)i);
      /* Exact: every partial sum is a small integer. */
      cr_assert_eq(a, b, "element %zu: int %g, float %g", i, a, b);
    }
    nc_tensor_t all[8] = {xi, wi, bi, yi, xf, wf, bf, yf};
    free_all_(all, 8);
  }
}

Test(props, requant_is_applied_per_element) {
  nc_rng_t r;
  nc_test_seed(&r, "props", "requant_is_applied_per_element", 1012);
  for (int it = 0; it < CASES; it++) {
    nc_layer_t l;
    int64_t xs[4], ws[4];
    nc_geom_t g;
    rand_conv_(&r, &l, 2, 2, xs, ws, &g);
    nc_dtype_t xdt = nc_rng_range(&r, 0, 1) ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
    rand_zp_(&r, &l, xdt);
    nc_tensor_t x, w, b, y32, yq;
    rand_operands_(&r, xdt, 4, xs, 4, ws, ws[0], &x, &w, &b);
    run_(&l, &x, &w, &b, &y32);
    nc_layer_t lq = l;
    rand_rq_(&r, &lq.rq, ws[0]);
    if (it % 2 == 0) {
      lq.rq.channels = (int)ws[0]; /* per channel in most cases */
      for (int c = 0; c < lq.rq.channels; c++) {
        lq.rq.mult[c] = (int32_t)nc_rng_range(&r, INT64_C(1) << 30, INT32_MAX);
        lq.rq.shift[c] = (int32_t)nc_rng_range(&r, -18, 1);
      }
    }
    run_(&lq, &x, &w, &b, &yq);
    cr_assert_eq(yq.dtype, lq.rq.out_dtype);
    size_t n = nc_tensor_numel(&y32);
    cr_assert_eq(n, nc_tensor_numel(&yq));
    for (size_t i = 0; i < n; i++) {
      int oc = (int)((int64_t)i % ws[0]);
      int32_t want = nc_requant_apply(&lq.rq, lq.rq.channels == 1 ? 0 : oc,
                                      ((const int32_t *)y32.data)[i]);
      cr_assert_eq(tget_(&yq, (int64_t)i), (double)want,
                   "element %zu (channel %d)", i, oc);
    }
    nc_tensor_t all[5] = {x, w, b, y32, yq};
    free_all_(all, 5);
  }
}

Test(props, accumulator_wraps_modulo_2_32) {
  /* 70000 terms of (-128) * (-128) plus INT32_MAX overflow int32 many
   * times over, and run across the reference's internal chunks. */
  const int64_t n_in = 70000;
  const int64_t xs[2] = {2, n_in}, ws[2] = {1, n_in};
  nc_tensor_t x, w, b, y;
  nc_test_alloc(&x, NC_DTYPE_INT8, 2, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 2, ws);
  alloc1_(&b, NC_DTYPE_INT32, 1);
  memset(x.data, 0x80, (size_t)n_in);                /* sample 0: all -128 */
  memset((char *)x.data + n_in, 0x7f, (size_t)n_in); /* sample 1: all 127 */
  memset(w.data, 0x80, (size_t)n_in);
  ((int32_t *)b.data)[0] = INT32_MAX;
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_FC);
  l.in_zp = -3;
  run_(&l, &x, &w, &b, &y);
  const int64_t terms[2] = {(-128 + 3) * -128, (127 + 3) * -128};
  for (int s = 0; s < 2; s++) {
    int64_t exact = (int64_t)INT32_MAX + n_in * terms[s];
    uint32_t u = (uint32_t)((uint64_t)exact & 0xffffffffu);
    int64_t want =
        u >= 0x80000000u ? (int64_t)u - (INT64_C(1) << 32) : (int64_t)u;
    cr_assert_eq(((int32_t *)y.data)[s], want, "sample %d: %d vs %lld", s,
                 ((int32_t *)y.data)[s], (long long)want);
  }
  nc_tensor_t all[4] = {x, w, b, y};
  free_all_(all, 4);
}
