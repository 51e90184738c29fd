/*
 * Pieces of the random layer builders that the planner's tests
 * (tests/plan/plan_test.h) and the regression's "layer" generator share:
 * the fused pooling drawn after a layer, and the one-line description a
 * failure message names the layer by.
 */
#ifndef NEOCOG_TESTKIT_LAYER_GEN_H
#define NEOCOG_TESTKIT_LAYER_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "neocog/layer.h"
#include "neocog/rng.h"

/* Fused pooling after a layer of kind `kind` whose output geometry is
 * `gm`: none after fc, else (always when `want`, one time in three
 * otherwise) a max or average window of up to 3x3 that fits the output,
 * strides up to 3, top and left padding smaller than the window. 1 when
 * *p holds a pooling layer the planner can fuse (a locally connected layer
 * with int32 output cannot pool in a second pass, so it gets none). */
static inline int tk_fused_pool(nc_rng_t *g, const nc_layer_t *l,
                                const nc_geom_t *gm, int want,
                                nc_layer_t *p) {
  if (l->kind == NC_LAYER_FC || !(want || nc_rng_range(g, 0, 2) == 0)) {
    return 0;
  }
  nc_layer_init(p, nc_rng_range(g, 0, 1) ? NC_LAYER_MAXPOOL
                                         : NC_LAYER_AVGPOOL);
  p->pool_h = (int)nc_rng_range(g, 1, gm->oh < 3 ? gm->oh : 3);
  p->pool_w = (int)nc_rng_range(g, 1, gm->ow < 3 ? gm->ow : 3);
  p->stride_h = (int)nc_rng_range(g, 1, 3);
  p->stride_w = (int)nc_rng_range(g, 1, 3);
  p->pad_top = (int)nc_rng_range(g, 0, p->pool_h - 1);
  p->pad_left = (int)nc_rng_range(g, 0, p->pool_w - 1);
  return !(l->kind == NC_LAYER_LOCAL && !l->rq.enabled);
}

/* A convolution window: KH x KW taps of 1 to 5, strides of 1 to 4 (larger
 * than the window too), dilation 2 one time in four per axis, SAME padding
 * one time in five, else explicit padding of up to 3 and less than the
 * dilated window; the input grows to *h x *w of at least that window. */
static inline void tk_conv_window(nc_rng_t *g, nc_layer_t *l, int64_t *kh,
                                  int64_t *kw, int64_t *h, int64_t *w) {
  *kh = nc_rng_range(g, 1, 5), *kw = nc_rng_range(g, 1, 5);
  l->stride_h = (int)nc_rng_range(g, 1, 4);
  l->stride_w = (int)nc_rng_range(g, 1, 4);
  l->dil_h = nc_rng_range(g, 0, 3) == 0 ? 2 : 1;
  l->dil_w = nc_rng_range(g, 0, 3) == 0 ? 2 : 1;
  const int64_t keh = (*kh - 1) * l->dil_h + 1, kew = (*kw - 1) * l->dil_w + 1;
  if (nc_rng_range(g, 0, 4) == 0) {
    l->pad_mode = NC_PAD_SAME;
  } else {
    l->pad_top = (int)nc_rng_range(g, 0, keh > 3 ? 3 : keh - 1);
    l->pad_bottom = (int)nc_rng_range(g, 0, keh > 3 ? 3 : keh - 1);
    l->pad_left = (int)nc_rng_range(g, 0, kew > 3 ? 3 : kew - 1);
    l->pad_right = (int)nc_rng_range(g, 0, kew > 3 ? 3 : kew - 1);
  }
  *h = *h < keh ? keh : *h;
  *w = *w < kew ? kew : *w;
}

/* A random layer's shape: input N x H x W x C, O outputs, KH x KW taps,
 * G groups. */
typedef struct {
  int64_t n, h, w, c, o, kh, kw, g;
} tk_layer_dims_t;

/* "conv2d int8 zp 3 pad 0 [1,9,9,17] O 20 K 3x3 s 1x1 d 1x1 p 1,1,1,1 g 1
 * int8 bias +maxpool": what a failure names the layer by. */
static inline void tk_layer_what(char *buf, size_t size, const nc_layer_t *l,
                                 nc_dtype_t xdt, tk_layer_dims_t d,
                                 int has_b, const nc_layer_t *pool) {
  snprintf(buf, size,
           "%s %s zp %d pad %d [%lld,%lld,%lld,%lld] O %lld K %lldx%lld "
           "s %dx%d d %dx%d p %s%d,%d,%d,%d g %lld %s%s%s",
           nc_layer_kind_name(l->kind), nc_dtype_name(xdt), l->in_zp,
           l->pad_value, (long long)d.n, (long long)d.h, (long long)d.w,
           (long long)d.c, (long long)d.o, (long long)d.kh, (long long)d.kw,
           l->stride_h, l->stride_w, l->dil_h, l->dil_w,
           l->pad_mode == NC_PAD_SAME ? "same " : "", l->pad_top,
           l->pad_bottom, l->pad_left, l->pad_right, (long long)d.g,
           l->rq.enabled ? nc_dtype_name(l->rq.out_dtype) : "int32",
           has_b ? " bias" : "",
           pool == NULL ? ""
           : pool->kind == NC_LAYER_MAXPOOL ? " +maxpool"
                                            : " +avgpool");
}

#endif /* NEOCOG_TESTKIT_LAYER_GEN_H */
