/*
 * The "layer" generator: constrained-random layers through the library's
 * public API (planner and runtime, nc_accel_*) on each of the test's
 * backends, every output checked against the golden reference bit for bit
 * (nc_check_layer), and the MACs the device counted against the plan's.
 *
 * Each item is drawn from its own seed (rg_item_seed), so an item does not
 * depend on the ones before it. Per job, from the job's seed: the memory's
 * latency and bandwidth (mem=random), the planner's on-chip capacities
 * (caps=tiny forces tiling along every dimension, caps=random draws them)
 * and (lower=random) its choices forced one way or another: the im2col
 * lowering on or off, the load unit's im2col or the host's packing, fused
 * or second-pass pooling.
 *
 * What an item covers: conv2d with every parameter (stride, dilation,
 * explicit and SAME padding, groups and depthwise, a pad value other than
 * the zero point, int8 and uint8 inputs), fc, locally connected layers with
 * per-pixel bias, max and average pooling standalone and fused, raw int32
 * outputs and per-tensor and per-channel requantization (rq=extreme: the
 * edges of multiplier, shift, zero point and clamp), channel counts that
 * are and are not multiples of the array; kind=depthwise: depthwise convs
 * of the shapes DWCONV computes; add=1: a residual add fused into the
 * store path on half the layers that can take one (8-bit output, conv2d or
 * fc, no pooling), checked against golden then nc_add_quant_apply.
 */
#include <string.h>

#include "neocog/accel.h"
#include "neocog/check.h"
#include "neocog/error.h"
#include "neocog/layer.h"
#include "neocog/nc_hw.h"
#include "neocog/quant.h"
#include "neocog/rng.h"
#include "regress/regress_internal.h"
#include "testkit/layer_gen.h"

/* A layer with its tensors (and an optional fused pooling). */
typedef struct {
  nc_layer_t l, pool;
  int has_pool;
  nc_tensor_t x, w, b;
  int has_b;
  int has_add;       /* a residual add fused into the store path */
  nc_add_quant_t aq; /* its parameters */
  nc_tensor_t res;   /* the residual, of the output's shape */
  char what[480];
} lay_t;

static void lay_free_(lay_t *r) {
  nc_tensor_free(&r->x);
  nc_tensor_free(&r->w);
  nc_tensor_free(&r->b);
  nc_tensor_free(&r->res);
}

static int64_t rr_(nc_rng_t *g, int64_t lo, int64_t hi) {
  return nc_rng_range(g, lo, hi);
}

/* One of the values in `v`. */
static int64_t pick_(nc_rng_t *g, const int64_t *v, int n) {
  return v[rr_(g, 0, n - 1)];
}

/* Random requantization (or none) for O channels over k_terms products. */
static void rand_rq_(nc_rng_t *g, nc_layer_t *l, int64_t O, int64_t k_terms,
                     int extreme) {
  if (rr_(g, 0, 2) == 0) {
    return; /* raw int32 */
  }
  nc_requant_t *q = &l->rq;
  q->enabled = 1;
  q->out_dtype = rr_(g, 0, 3) == 0 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  q->channels = rr_(g, 0, 1) ? (int)O : 1;
  /* A scale that keeps about 3 sigma of the accumulator in range. */
  int sh = 0;
  for (int64_t t = k_terms * 128 * 128; t > 1; t >>= 2) {
    sh++;
  }
  static const int64_t mults[] = {0, 1, 1 << 30, INT32_MAX, 0x7fff0000};
  static const int64_t shifts[] = {-31, -30, -1, 0, 1, 30};
  for (int c = 0; c < q->channels; c++) {
    q->mult[c] = (int32_t)rr_(g, 1 << 30, INT32_MAX);
    q->shift[c] = -(int32_t)rr_(g, sh > 2 ? sh - 2 : 0, sh + 1);
    if (extreme && rr_(g, 0, 2) == 0) {
      q->mult[c] = (int32_t)pick_(g, mults, 5);
    }
    if (extreme && rr_(g, 0, 2) == 0) {
      q->shift[c] = (int32_t)pick_(g, shifts, 6);
    }
  }
  const int u8 = q->out_dtype == NC_DTYPE_UINT8;
  const int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  q->out_zp = (int32_t)rr_(g, lo, hi);
  if (extreme && rr_(g, 0, 1)) {
    q->out_zp = rr_(g, 0, 1) ? lo : hi;
  }
  q->act_min = lo;
  q->act_max = hi;
  const int64_t clamp = rr_(g, 0, extreme ? 4 : 2);
  if (clamp == 0) {
    q->act_min = q->out_zp; /* ReLU */
  } else if (clamp == 3) {
    q->act_min = (int32_t)rr_(g, lo, hi); /* a narrow range */
    q->act_max = (int32_t)rr_(g, q->act_min, hi);
  } else if (clamp == 4) {
    q->act_min = q->act_max = (int32_t)rr_(g, lo, hi); /* one value */
  }
}

static int alloc_(rg_ctx_t *c, nc_tensor_t *t, nc_dtype_t dt, int ndim,
                  const int64_t *shape) {
  if (nc_tensor_alloc(t, dt, ndim, shape) != NC_OK) {
    return rg_fail(c, "layer: cannot allocate a tensor: %s", nc_error_detail());
  }
  return 0;
}

/* A channel count: with probability 1/4 a multiple of `unit` (the array's
 * side), else anything in 1..hi. */
static int64_t chans_(nc_rng_t *g, int64_t hi, int64_t unit) {
  if (hi >= unit && rr_(g, 0, 3) == 0) {
    return unit * rr_(g, 1, hi / unit);
  }
  return rr_(g, 1, hi);
}

/* A depthwise conv's window as DWCONV computes it (the planner lowers it
 * to DWCONV when it predicts that faster): a kernel of at most dw_kh_max
 * lines whose taps fit down a column, strides 1..3, no dilation. */
static void dw_window_(nc_rng_t *g, nc_layer_t *l, int64_t *kh, int64_t *kw,
                       int64_t *h, int64_t *w) {
  *kh = rr_(g, 1, NC_HW_DW_KH_MAX);
  const int64_t kw_max = NC_HW_ROWS / *kh < 5 ? NC_HW_ROWS / *kh : 5;
  *kw = rr_(g, 1, kw_max);
  l->stride_h = (int)rr_(g, 1, 3);
  l->stride_w = (int)rr_(g, 1, 3);
  if (rr_(g, 0, 4) == 0) {
    l->pad_mode = NC_PAD_SAME;
  } else {
    l->pad_top = (int)rr_(g, 0, *kh - 1);
    l->pad_bottom = (int)rr_(g, 0, *kh - 1);
    l->pad_left = (int)rr_(g, 0, *kw - 1);
    l->pad_right = (int)rr_(g, 0, *kw - 1);
  }
  *h = *h < *kh ? *kh : *h;
  *w = *w < *kw ? *kw : *w;
}

/* A residual add after the layer's 8-bit output (conv2d or fc, no
 * pooling): a residual of the output's shape in int8 or uint8, and the add
 * from random scales and zero points into int8 or uint8, its clamp at
 * times narrowed. */
static int add_(rg_ctx_t *c, nc_rng_t *g, lay_t *r, const nc_geom_t *gm) {
  const nc_layer_t *l = &r->l;
  const int ru = rr_(g, 0, 1), au = rr_(g, 0, 1);
  const nc_dtype_t rdt = ru ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  const nc_dtype_t adt = au ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  const int64_t N = r->x.shape[0];
  const int64_t s4[4] = {N, gm->oh, gm->ow, gm->oc}, s2[2] = {N, gm->oc};
  if (alloc_(c, &r->res, rdt, l->kind == NC_LAYER_FC ? 2 : 4,
             l->kind == NC_LAYER_FC ? s2 : s4)) {
    return 1;
  }
  nc_rng_fill(g, &r->res, ru ? 0 : -128, ru ? 255 : 127);
  const double s1 = 0.002 * (double)rr_(g, 1, 500);
  const double s2s = 0.002 * (double)rr_(g, 1, 500);
  const double so = 0.002 * (double)rr_(g, 1, 1000);
  const int32_t z1 = l->rq.out_zp;
  const int32_t z2 = (int32_t)(ru ? rr_(g, 0, 255) : rr_(g, -128, 127));
  const int32_t zo = (int32_t)(au ? rr_(g, 0, 255) : rr_(g, -128, 127));
  if (nc_add_quant_init(&r->aq, s1, z1, s2s, z2, so, zo, adt) != NC_OK) {
    return rg_fail(c, "layer: generator made a bad add: %s", nc_error_detail());
  }
  if (rr_(g, 0, 2) == 0) {
    r->aq.act_min = (int32_t)rr_(g, r->aq.act_min, r->aq.act_max);
    r->aq.act_max = (int32_t)rr_(g, r->aq.act_min, r->aq.act_max);
  }
  r->has_add = 1;
  return 0;
}

static int pool_layer_(rg_ctx_t *c, nc_rng_t *g, int kind, int small,
                       nc_dtype_t xdt, lay_t *r) {
  nc_layer_t *l = &r->l;
  const int u8 = xdt == NC_DTYPE_UINT8;
  const int64_t N = rr_(g, 1, 2), hw = small ? 9 : 20;
  const int64_t C = chans_(g, 40, NC_HW_COLS);
  l->pool_h = (int)rr_(g, 1, 4);
  l->pool_w = (int)rr_(g, 1, 4);
  const int64_t H = rr_(g, l->pool_h, hw), W = rr_(g, l->pool_w, hw);
  l->stride_h = (int)rr_(g, 1, 4);
  l->stride_w = (int)rr_(g, 1, 4);
  l->pad_top = (int)rr_(g, 0, l->pool_h - 1);
  l->pad_bottom = (int)rr_(g, 0, l->pool_h - 1);
  l->pad_left = (int)rr_(g, 0, l->pool_w - 1);
  l->pad_right = (int)rr_(g, 0, l->pool_w - 1);
  const int64_t xs[4] = {N, H, W, C};
  if (alloc_(c, &r->x, xdt, 4, xs)) {
    return 1;
  }
  nc_rng_fill(g, &r->x, u8 ? 0 : -128, u8 ? 255 : 127);
  snprintf(r->what, sizeof r->what,
           "%s %s [%lld,%lld,%lld,%lld] %dx%d/%dx%d pad %d,%d,%d,%d",
           nc_layer_kind_name((nc_layer_kind_t)kind), nc_dtype_name(xdt),
           (long long)N, (long long)H, (long long)W, (long long)C, l->pool_h,
           l->pool_w, l->stride_h, l->stride_w, l->pad_top, l->pad_bottom,
           l->pad_left, l->pad_right);
  return 0;
}

/* A constrained-random layer of `kind` (-1: any; -2: conv2d with fused
 * pooling; -3: a depthwise conv2d), with a residual add 1 in 2 times when
 * `add` and the layer can take one. */
static int random_layer_(rg_ctx_t *c, nc_rng_t *g, int kind, int small,
                         int extreme, int add, int pool_pass, lay_t *r) {
  memset(r, 0, sizeof *r);
  int want_pool = 0, dw = 0;
  if (kind == -2) {
    kind = NC_LAYER_CONV2D;
    want_pool = 1;
  } else if (kind == -3) {
    kind = NC_LAYER_CONV2D;
    dw = 1;
  } else if (kind < 0) {
    const int k = (int)rr_(g, 0, 9);
    kind = k < 5    ? NC_LAYER_CONV2D
           : k == 5 ? NC_LAYER_FC
           : k == 6 ? NC_LAYER_LOCAL
           : k == 7 ? NC_LAYER_MAXPOOL
                    : NC_LAYER_AVGPOOL;
  }
  nc_layer_t *l = &r->l;
  nc_layer_init(l, (nc_layer_kind_t)kind);
  const int u8 = rr_(g, 0, 3) == 0;
  const nc_dtype_t xdt = u8 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  if (kind == NC_LAYER_MAXPOOL || kind == NC_LAYER_AVGPOOL) {
    return pool_layer_(c, g, kind, small, xdt, r);
  }
  const int64_t N = rr_(g, 1, 2), hw = small ? 9 : 20;
  int64_t H = rr_(g, 1, hw), W = rr_(g, 1, hw);
  l->in_zp = (int32_t)(u8 ? rr_(g, 0, 255) : rr_(g, -20, 20));
  l->pad_value = rr_(g, 0, 1)
                     ? l->in_zp
                     : (int32_t)(u8 ? rr_(g, 0, 255) : rr_(g, -128, 127));
  int64_t C, O, KH = 1, KW = 1, G = 1;
  if (kind == NC_LAYER_FC) {
    C = chans_(g, small ? 60 : 300, NC_HW_ROWS);
    O = chans_(g, small ? 40 : 80, NC_HW_COLS);
    const int64_t xs[2] = {N, C}, ws[2] = {O, C};
    if (alloc_(c, &r->x, xdt, 2, xs) ||
        alloc_(c, &r->w, NC_DTYPE_INT8, 2, ws)) {
      return 1;
    }
    l->pad_value = l->in_zp;
    H = W = 1;
  } else {
    if (dw) {
      G = chans_(g, small ? 40 : 80, NC_HW_COLS);
    } else {
      G = kind == NC_LAYER_CONV2D && rr_(g, 0, 2) == 0 ? rr_(g, 1, 20) : 1;
    }
    const int64_t cg = dw      ? 1
                       : G > 1 ? rr_(g, 1, 4)
                               : chans_(g, small ? 24 : 48, 16);
    const int64_t og = dw      ? 1
                       : G > 1 ? (rr_(g, 0, 1) ? 1 : rr_(g, 1, 3))
                               : chans_(g, 40, NC_HW_COLS);
    C = G * cg, O = G * og;
    l->groups = (int)G;
    if (dw) {
      dw_window_(g, l, &KH, &KW, &H, &W);
    } else {
      tk_conv_window(g, l, &KH, &KW, &H, &W);
    }
    const int64_t xs[4] = {N, H, W, C};
    if (alloc_(c, &r->x, xdt, 4, xs)) {
      return 1;
    }
    const int64_t wcs[4] = {O, KH, KW, cg};
    if (kind == NC_LAYER_LOCAL) {
      /* Same spatial rules as a conv with these windows. */
      nc_geom_t gm;
      l->kind = NC_LAYER_CONV2D;
      if (nc_layer_geometry(l, xs, 4, wcs, 4, -1, &gm) != NC_OK) {
        return rg_fail(c, "layer: generator made a bad local layer: %s",
                       nc_error_detail());
      }
      l->kind = NC_LAYER_LOCAL;
      const int64_t ws[6] = {gm.oh, gm.ow, O, KH, KW, C};
      if (alloc_(c, &r->w, NC_DTYPE_INT8, 6, ws)) {
        return 1;
      }
    } else if (alloc_(c, &r->w, NC_DTYPE_INT8, 4, wcs)) {
      return 1;
    }
  }
  nc_rng_fill(g, &r->x, u8 ? 0 : -128, u8 ? 255 : 127);
  nc_rng_fill(g, &r->w, -128, 127);
  r->has_b = rr_(g, 0, 3) != 0;
  if (r->has_b) {
    int64_t bl = O;
    if (kind == NC_LAYER_LOCAL && rr_(g, 0, 1)) {
      nc_geom_t gm;
      if (nc_layer_geometry(l, r->x.shape, 4, r->w.shape, 6, -1, &gm) !=
          NC_OK) {
        return rg_fail(c, "layer: generator made a bad local layer: %s",
                       nc_error_detail());
      }
      bl = gm.oh * gm.ow * O; /* one bias per output pixel */
    }
    const int64_t bs[1] = {bl};
    if (alloc_(c, &r->b, NC_DTYPE_INT32, 1, bs)) {
      return 1;
    }
    nc_rng_fill(g, &r->b, extreme ? -2000000000.0 : -100000,
                extreme ? 2000000000.0 : 100000);
  }
  rand_rq_(g, l, O, KH * KW * (C / G), extreme);
  nc_geom_t gm;
  if (nc_layer_geometry(l, r->x.shape, r->x.ndim, r->w.shape, r->w.ndim,
                        r->has_b ? r->b.shape[0] : -1, &gm) != NC_OK) {
    return rg_fail(c, "layer: generator made a bad layer: %s",
                   nc_error_detail());
  }
  r->has_pool = tk_fused_pool(g, l, &gm, want_pool, &r->pool);
  /* Pooling the job's forced placement cannot serve (the planner refuses
   * it): fused after a local layer, a second pass over int32. */
  if ((pool_pass == 0 && kind == NC_LAYER_LOCAL) ||
      (pool_pass == 1 && !l->rq.enabled)) {
    r->has_pool = 0;
  }
  if (add && !r->has_pool && l->rq.enabled && kind != NC_LAYER_LOCAL &&
      rr_(g, 0, 1) && add_(c, g, r, &gm)) {
    return 1;
  }
  tk_layer_what(r->what, sizeof r->what, l, xdt,
                (tk_layer_dims_t){N, H, W, C, O, KH, KW, G}, r->has_b,
                r->has_pool ? &r->pool : NULL);
  if (r->has_add) {
    const size_t n = strlen(r->what);
    snprintf(r->what + n, sizeof r->what - n, " +add %s residual -> %s [%d,%d]",
             nc_dtype_name(r->res.dtype), nc_dtype_name(r->aq.out_dtype),
             r->aq.act_min, r->aq.act_max);
  }
  return 0;
}

/* The golden output of a layer with a residual add: the layer, then
 * nc_add_quant_apply per element; NC_ERR_MISMATCH (with the first wrong
 * element in the error detail) when `got` differs. */
static nc_status_t check_add_(const lay_t *r, const nc_tensor_t *w,
                              const nc_tensor_t *b, const nc_tensor_t *got,
                              nc_check_report_t *rep) {
  nc_tensor_t conv = {0};
  nc_status_t rc = nc_golden_run(&r->l, &r->x, w, b, &conv);
  if (rc != NC_OK) {
    return rc;
  }
  if (got->dtype != r->aq.out_dtype || got->nbytes != conv.nbytes) {
    nc_tensor_free(&conv);
    return nc__fail(NC_ERR_MISMATCH,
                    "output is %s of %zu bytes, want %s of %zu",
                    nc_dtype_name(got->dtype), got->nbytes,
                    nc_dtype_name(r->aq.out_dtype), conv.nbytes);
  }
  const int cu = conv.dtype == NC_DTYPE_UINT8;
  const int ru = r->res.dtype == NC_DTYPE_UINT8;
  size_t wrong = 0, first = 0;
  int32_t want0 = 0;
  for (size_t i = 0; i < conv.nbytes; i++) {
    const uint8_t cb = ((const uint8_t *)conv.data)[i];
    const uint8_t rb = ((const uint8_t *)r->res.data)[i];
    const int32_t want =
        nc_add_quant_apply(&r->aq, cu ? (int32_t)cb : (int32_t)(int8_t)cb,
                           ru ? (int32_t)rb : (int32_t)(int8_t)rb);
    if (((const uint8_t *)got->data)[i] != (uint8_t)want) {
      if (wrong++ == 0) {
        first = i;
        want0 = want;
      }
    }
  }
  nc_tensor_free(&conv);
  if (wrong != 0) {
    rep->ndim = got->ndim;
    for (int d = got->ndim - 1, k = (int)first; d >= 0; d--) {
      rep->coord[d] = k % got->shape[d];
      k /= (int)got->shape[d];
    }
    const uint8_t g0 = ((const uint8_t *)got->data)[first];
    return nc__fail(NC_ERR_MISMATCH,
                    "output element %zu (flat) is %d, golden + add %d; %zu of "
                    "%zu elements differ",
                    first, got->dtype == NC_DTYPE_UINT8 ? g0 : (int8_t)g0,
                    want0, wrong, got->nbytes);
  }
  return NC_OK;
}

/* Runs one layer on one backend and checks it against golden. */
static int check_(rg_ctx_t *c, uint64_t item, const char *backend,
                  nc_accel_t *a, const lay_t *r) {
  const nc_tensor_t *w = r->w.ndim ? &r->w : NULL;
  const nc_tensor_t *b = r->has_b ? &r->b : NULL;
  nc_plan_req_t req = {&r->l,
                       &r->x,
                       w,
                       b,
                       r->has_pool ? &r->pool : NULL,
                       r->has_add ? &r->aq : NULL,
                       r->has_add ? &r->res : NULL};
  nc_tensor_t got = {0};
  nc_accel_stats_t st;
  nc_status_t rc = nc_accel_run(a, &req, &got, &st);
  if (rc != NC_OK) {
    return rg_fail(c, "layer item %llu on %s: %s: %s", (unsigned long long)item,
                   backend, nc_status_name(rc), nc_error_detail());
  }
  nc_check_report_t rep;
  rep.ndim = 0;
  if (r->has_add) {
    rc = check_add_(r, w, b, &got, &rep);
  } else if (r->has_pool) {
    nc_tensor_t mid = {0};
    rc = nc_golden_run(&r->l, &r->x, w, b, &mid);
    if (rc == NC_OK) {
      rc = nc_check_layer(&r->pool, &mid, NULL, NULL, &got, 0, &rep);
    }
    nc_tensor_free(&mid);
  } else {
    rc = nc_check_layer(&r->l, &r->x, w, b, &got, 0, &rep);
  }
  int bad = 0;
  if (rc != NC_OK) {
    char tile[200] = "";
    if (rc == NC_ERR_MISMATCH && rep.ndim > 0) {
      nc_accel_describe_tile(a, rep.coord, rep.ndim, tile, sizeof tile);
    }
    rg_note(c, "  plan: %s; first wrong element in %s", st.plan.summary,
            tile[0] ? tile : "?");
    bad = rg_fail(c, "layer item %llu on %s: %s", (unsigned long long)item,
                  backend, nc_error_detail());
  } else if (st.array_macs != st.plan.array_macs) {
    bad = rg_fail(c,
                  "layer item %llu on %s: the device counted %llu MACs, the "
                  "plan has %llu",
                  (unsigned long long)item, backend,
                  (unsigned long long)st.array_macs,
                  (unsigned long long)st.plan.array_macs);
  }
  nc_tensor_free(&got);
  return bad;
}

int rg_gen_layer(rg_ctx_t *c) {
  const long items = rg_opt_int(c, "items", 10);
  const char *kind_s = rg_opt_str(c, "kind", "any");
  const int small = strcmp(rg_opt_str(c, "size", "medium"), "small") == 0;
  const char *caps_s = rg_opt_str(c, "caps", "default");
  const int extreme = strcmp(rg_opt_str(c, "rq", "mixed"), "extreme") == 0;
  const int add = (int)rg_opt_int(c, "add", 0);
  int kind = -1;
  if (strcmp(kind_s, "fused") == 0) {
    kind = -2;
  } else if (strcmp(kind_s, "depthwise") == 0) {
    kind = -3;
  } else if (strcmp(kind_s, "any") != 0) {
    nc_layer_kind_t k;
    if (nc_layer_kind_parse(kind_s, &k) != NC_OK) {
      return rg_fail(c, "layer: unknown kind %s", kind_s);
    }
    kind = (int)k;
  }
  /* The job's configuration, from its own seed. */
  nc_rng_t jg;
  nc_rng_seed(&jg, rg_item_seed(c->stream, UINT64_MAX));
  nc_accel_options_t o;
  nc_accel_options_default(&o);
  /* A layer may take as long as its job may: the coverage build of the
   * RTL (neocog regress --cov) simulates many times slower than the plain
   * one, past the default wait of a minute; the job's timeout still bounds
   * a hang. */
  o.timeout_ms = (uint64_t)(c->t->timeout_s * 1000.0);
  if (strcmp(rg_opt_str(c, "mem", "default"), "random") == 0) {
    static const int64_t lat[] = {1, 2, 10, 50, 100, 300, 1000};
    o.mem_latency = (uint32_t)pick_(&jg, lat, 7);
    o.mem_bytes_per_cycle = (uint32_t)rr_(&jg, 1, NC_HW_BUS_BYTES);
  }
  if (strcmp(caps_s, "tiny") == 0) {
    o.caps.spad_rows = 300;
    o.caps.acc_rows = 64;
    o.caps.param_entries = 32;
  } else if (strcmp(caps_s, "random") == 0) {
    o.caps.spad_rows = (uint32_t)rr_(&jg, 300, NC_HW_SPAD_ROWS);
    o.caps.acc_rows = (uint32_t)rr_(&jg, 64, NC_HW_ACC_ROWS);
    o.caps.param_entries = (uint32_t)rr_(&jg, 32, NC_HW_PARAM_ENTRIES);
  }
  o.caps.mem_latency = o.mem_latency;
  o.caps.mem_bytes_per_cycle = o.mem_bytes_per_cycle;
  if (strcmp(rg_opt_str(c, "lower", "auto"), "random") == 0) {
    /* The planner's choices forced one way or the other for the job, so
     * that every lowering and pooling placement runs, not only those its
     * cost model prefers. */
    o.caps.im2col = (int)rr_(&jg, -1, 1);
    o.caps.host_im2col = (int)rr_(&jg, 0, 2);
    o.caps.pool_pass = (int)rr_(&jg, -1, 1);
  }
  rg_note(c,
          "config: memory latency %u, %u B/cycle; capacities: scratchpad %u "
          "rows, accumulator %u rows, %u params; im2col %d, host_im2col %d, "
          "pool_pass %d",
          o.mem_latency, o.mem_bytes_per_cycle, o.caps.spad_rows,
          o.caps.acc_rows, o.caps.param_entries, o.caps.im2col,
          o.caps.host_im2col, o.caps.pool_pass);
  nc_accel_t *acc[NC_REGRESS_MAX_BACKENDS] = {0};
  int bad = 0;
  for (int i = 0; i < c->nbackends && !bad; i++) {
    const nc_status_t st = nc_accel_open(c->backends[i], &o, &acc[i]);
    if (st != NC_OK) {
      bad = rg_fail(c, "layer: cannot open backend %s: %s", c->backends[i],
                    nc_error_detail());
    }
  }
  for (long it = 0; it < items && !bad; it++) {
    nc_rng_t g;
    nc_rng_seed(&g, rg_item_seed(c->stream, (uint64_t)it));
    lay_t r;
    if (random_layer_(c, &g, kind, small, extreme, add, o.caps.pool_pass, &r) !=
        0) {
      lay_free_(&r);
      bad = 1;
      break;
    }
    rg_note(c, "item %ld: %s", it, r.what);
    for (int i = 0; i < c->nbackends && !bad; i++) {
      bad = check_(c, (uint64_t)it, c->backends[i], acc[i], &r);
      c->items += !bad;
    }
    lay_free_(&r);
  }
  for (int i = 0; i < c->nbackends; i++) {
    nc_accel_close(acc[i]);
  }
  return bad;
}
