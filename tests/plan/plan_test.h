/*
 * Helpers of the planner tests: random layers of every kind the golden
 * reference accepts, run through the runtime on a backend and compared with
 * golden bit for bit.
 *
 * The rtl variants call plan_backend_or_skip("rtl"), which skips with a
 * visible message while nc_dev_open("rtl") answers NC_ERR_UNSUPPORTED, and
 * runs the same checks once it opens.
 */
#ifndef NEOCOG_TESTS_PLAN_TEST_H
#define NEOCOG_TESTS_PLAN_TEST_H

#include "neocog/accel.h"
#include "neocog/check.h"
#include "neocog/drv.h"
#include "neocog/layer.h"
#include "neocog/plan.h"
#include "neocog/rng.h"
#include "testkit/layer_gen.h"
#include "tests/common.h"

/* A layer with its tensors (and an optional fused pooling). */
typedef struct {
  nc_layer_t l, pool;
  int has_pool;
  nc_tensor_t x, w, b;
  int has_b;
  char what[320];
} rl_t;

static inline void rl_free(rl_t *r) {
  nc_tensor_free(&r->x);
  nc_tensor_free(&r->w);
  nc_tensor_free(&r->b);
}

/* Opens a runtime on `backend` with the default options and `caps` (NULL:
 * the defaults). */
static inline nc_accel_t *plan_open(const char *backend,
                                    const nc_plan_caps_t *caps) {
  nc_accel_options_t o;
  nc_accel_options_default(&o);
  if (caps != NULL) {
    o.caps = *caps;
  }
  nc_accel_t *a = NULL;
  cr_assert_eq(nc_accel_open(backend, &o, &a), NC_OK, "%s: %s", backend,
               nc_error_detail());
  return a;
}

/* Skips the calling test unless `backend` opens. */
static inline int plan_backend_or_skip(const char *backend) {
  nc_dev_t *d = NULL;
  nc_status_t st = nc_dev_open(backend, NULL, &d);
  if (st == NC_ERR_UNSUPPORTED) {
    fprintf(stderr, "[skip] %s backend not in this build: %s\n", backend,
            nc_error_detail());
    cr_skip_test("%s backend not in this build: %s", backend,
                 nc_error_detail());
    return 0;
  }
  cr_assert_eq(st, NC_OK, "%s: %s", backend, nc_error_detail());
  nc_dev_close(d);
  return 1;
}

/* Golden result of the layer (and its pooling). */
static inline void rl_golden(const rl_t *r, nc_tensor_t *want) {
  nc_tensor_t y;
  cr_assert_eq(nc_golden_run(&r->l, &r->x, r->w.ndim ? &r->w : NULL,
                             r->has_b ? &r->b : NULL, &y),
               NC_OK, "%s: golden: %s", r->what, nc_error_detail());
  if (!r->has_pool) {
    *want = y;
    return;
  }
  cr_assert_eq(nc_golden_run(&r->pool, &y, NULL, NULL, want), NC_OK,
               "%s: golden pool: %s", r->what, nc_error_detail());
  nc_tensor_free(&y);
}

/* Runs the layer on an open runtime and compares with golden; returns the
 * stats. `repro` is printed on failure. */
static inline void rl_check(nc_accel_t *a, const rl_t *r, const char *repro,
                            nc_accel_stats_t *st) {
  nc_plan_req_t req = {&r->l, &r->x, r->w.ndim ? &r->w : NULL,
                       r->has_b ? &r->b : NULL, r->has_pool ? &r->pool : NULL,
                       NULL, NULL};
  nc_tensor_t got, want;
  nc_accel_stats_t s;
  nc_status_t rc = nc_accel_run(a, &req, &got, &s);
  cr_assert_eq(rc, NC_OK, "%s: %s\n  reproduce: %s", r->what, nc_error_detail(),
               repro);
  rl_golden(r, &want);
  cr_assert_eq(got.dtype, want.dtype, "%s: dtype", r->what);
  cr_assert_eq(got.nbytes, want.nbytes, "%s: size", r->what);
  if (memcmp(got.data, want.data, got.nbytes) != 0) {
    size_t es = nc_dtype_size(got.dtype), i = 0;
    while (memcmp((char *)got.data + i * es, (char *)want.data + i * es, es) ==
           0) {
      i++;
    }
    int64_t coord[NC_MAX_DIMS];
    int64_t rem = (int64_t)i;
    for (int d = want.ndim - 1; d >= 0; d--) {
      coord[d] = rem % want.shape[d];
      rem /= want.shape[d];
    }
    char tile[200];
    nc_accel_describe_tile(a, coord, want.ndim, tile, sizeof tile);
    cr_assert_fail("%s: element %zu differs (%s; plan %s)\n  reproduce: %s",
                   r->what, i, tile, s.plan.summary, repro);
  }
  nc_tensor_free(&got);
  nc_tensor_free(&want);
  if (getenv("NEOCOG_PLAN_VERBOSE") != NULL) {
    fprintf(stderr, "%s\n  -> %s, %llu cycles (predicted %llu)\n", r->what,
            s.plan.summary, (unsigned long long)s.cycles,
            (unsigned long long)s.predicted_cycles);
  }
  if (st != NULL) {
    *st = s;
  }
}

static inline int64_t rr(nc_rng_t *g, int64_t lo, int64_t hi) {
  return nc_rng_range(g, lo, hi);
}

/* Random requantization (or none) for O channels. */
static inline void rand_rq_(nc_rng_t *g, nc_layer_t *l, int64_t O,
                            int64_t k_terms) {
  if (rr(g, 0, 2) == 0) {
    return; /* raw int32 */
  }
  nc_requant_t *q = &l->rq;
  q->enabled = 1;
  q->out_dtype = rr(g, 0, 3) == 0 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  q->channels = rr(g, 0, 1) ? (int)O : 1;
  /* A scale that keeps about 3 sigma of the accumulator in range. */
  int sh = 0;
  for (int64_t t = k_terms * 128 * 128; t > 1; t >>= 2) {
    sh++;
  }
  for (int c = 0; c < q->channels; c++) {
    q->mult[c] = (int32_t)rr(g, 1 << 30, INT32_MAX);
    q->shift[c] = -(int32_t)rr(g, sh > 2 ? sh - 2 : 0, sh + 1);
  }
  const int u8 = q->out_dtype == NC_DTYPE_UINT8;
  q->out_zp = (int32_t)(u8 ? rr(g, 0, 255) : rr(g, -128, 127));
  q->act_min = u8 ? 0 : -128;
  q->act_max = u8 ? 255 : 127;
  if (rr(g, 0, 2) == 0) {
    q->act_min = q->out_zp; /* ReLU */
  }
}

/* A constrained-random layer: every golden parameter. kind < 0: any. */
static inline void rl_random(nc_rng_t *g, int kind, int small, rl_t *r) {
  memset(r, 0, sizeof *r);
  if (kind < 0) {
    const int k = (int)rr(g, 0, 9);
    kind = k < 5    ? NC_LAYER_CONV2D
           : k == 5 ? NC_LAYER_FC
           : k == 6 ? NC_LAYER_LOCAL
           : k == 7 ? NC_LAYER_MAXPOOL
                    : NC_LAYER_AVGPOOL;
  }
  nc_layer_t *l = &r->l;
  nc_layer_init(l, (nc_layer_kind_t)kind);
  const int u8 = rr(g, 0, 3) == 0;
  const nc_dtype_t xdt = u8 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  const int64_t N = rr(g, 1, 2);
  const int64_t hw = small ? 9 : 20;
  int64_t H = rr(g, 1, hw), W = rr(g, 1, hw);
  if (kind == NC_LAYER_MAXPOOL || kind == NC_LAYER_AVGPOOL) {
    const int64_t C = rr(g, 1, 40);
    l->pool_h = (int)rr(g, 1, 4);
    l->pool_w = (int)rr(g, 1, 4);
    H = H < l->pool_h ? l->pool_h : H;
    W = W < l->pool_w ? l->pool_w : W;
    l->stride_h = (int)rr(g, 1, 4);
    l->stride_w = (int)rr(g, 1, 4);
    l->pad_top = (int)rr(g, 0, l->pool_h - 1);
    l->pad_bottom = (int)rr(g, 0, l->pool_h - 1);
    l->pad_left = (int)rr(g, 0, l->pool_w - 1);
    l->pad_right = (int)rr(g, 0, l->pool_w - 1);
    const int64_t xs[4] = {N, H, W, C};
    nc_test_alloc(&r->x, xdt, 4, xs);
    nc_rng_fill(g, &r->x, u8 ? 0 : -128, u8 ? 255 : 127);
    snprintf(r->what, sizeof r->what,
             "%s %s [%lld,%lld,%lld,%lld] %dx%d/%dx%d pad %d,%d,%d,%d",
             nc_layer_kind_name(l->kind), nc_dtype_name(xdt), (long long)N,
             (long long)H, (long long)W, (long long)C, l->pool_h, l->pool_w,
             l->stride_h, l->stride_w, l->pad_top, l->pad_bottom, l->pad_left,
             l->pad_right);
    return;
  }
  l->in_zp = (int32_t)(u8 ? rr(g, 0, 255) : rr(g, -20, 20));
  l->pad_value =
      rr(g, 0, 1) ? l->in_zp : (int32_t)(u8 ? rr(g, 0, 255) : rr(g, -128, 127));
  int64_t C, O, KH = 1, KW = 1, G = 1;
  if (kind == NC_LAYER_FC) {
    C = rr(g, 1, small ? 60 : 300);
    O = rr(g, 1, small ? 40 : 80);
    const int64_t xs[2] = {N, C}, ws[2] = {O, C};
    nc_test_alloc(&r->x, xdt, 2, xs);
    nc_test_alloc(&r->w, NC_DTYPE_INT8, 2, ws);
    l->pad_value = l->in_zp;
    H = W = 1;
  } else {
    G = kind == NC_LAYER_CONV2D && rr(g, 0, 2) == 0 ? rr(g, 1, 20) : 1;
    const int64_t cg = rr(g, 1, G > 1 ? 4 : (small ? 24 : 48));
    const int64_t og = G > 1 && rr(g, 0, 1) ? 1 : rr(g, 1, G > 1 ? 3 : 40);
    C = G * cg, O = G * og;
    l->groups = (int)G;
    tk_conv_window(g, l, &KH, &KW, &H, &W);
    const int64_t xs[4] = {N, H, W, C};
    nc_test_alloc(&r->x, xdt, 4, xs);
    nc_geom_t gm;
    const int64_t wcs[4] = {O, KH, KW, cg};
    if (kind == NC_LAYER_LOCAL) {
      /* Same spatial rules as a conv with these windows. */
      l->kind = NC_LAYER_CONV2D;
      cr_assert_eq(nc_layer_geometry(l, xs, 4, wcs, 4, -1, &gm), NC_OK, "%s",
                   nc_error_detail());
      l->kind = NC_LAYER_LOCAL;
      const int64_t ws[6] = {gm.oh, gm.ow, O, KH, KW, C};
      nc_test_alloc(&r->w, NC_DTYPE_INT8, 6, ws);
    } else {
      nc_test_alloc(&r->w, NC_DTYPE_INT8, 4, wcs);
    }
  }
  nc_rng_fill(g, &r->x, u8 ? 0 : -128, u8 ? 255 : 127);
  nc_rng_fill(g, &r->w, -128, 127);
  r->has_b = rr(g, 0, 3) != 0;
  if (r->has_b) {
    int64_t bl = O;
    if (kind == NC_LAYER_LOCAL && rr(g, 0, 1)) {
      nc_geom_t gm;
      const int64_t *ws = r->w.shape;
      cr_assert_eq(nc_layer_geometry(l, r->x.shape, 4, ws, 6, -1, &gm), NC_OK);
      bl = gm.oh * gm.ow * O;
    }
    const int64_t bs[1] = {bl};
    nc_test_alloc(&r->b, NC_DTYPE_INT32, 1, bs);
    nc_rng_fill(g, &r->b, -100000, 100000);
  }
  rand_rq_(g, l, O, KH * KW * (C / G));
  /* Fused pooling, sometimes. */
  nc_geom_t gm;
  cr_assert_eq(nc_layer_geometry(l, r->x.shape, r->x.ndim, r->w.shape,
                                 r->w.ndim, r->has_b ? r->b.shape[0] : -1, &gm),
               NC_OK, "%s", nc_error_detail());
  r->has_pool = tk_fused_pool(g, l, &gm, 0, &r->pool);
  tk_layer_what(r->what, sizeof r->what, l, xdt,
                (tk_layer_dims_t){N, H, W, C, O, KH, KW, G}, r->has_b,
                r->has_pool ? &r->pool : NULL);
}

#endif /* NEOCOG_TESTS_PLAN_TEST_H */
