/*
 * Graph building, simplification (BatchNormalization folded into its Conv,
 * constants folded), lowering onto layers and the ONNX writer, on small
 * graphs built in code.
 */
#include <math.h>

#include "neocog/error.h"
#include "neocog/graph.h"
#include "neocog/layer.h"
#include "neocog/lower.h"
#include "neocog/onnx.h"
#include "tests/common.h"

/* A constant of float32 values drawn from r in [lo, hi). */
static int fconst_(nc_graph_t *g, const char *name, int ndim,
                   const int64_t *shape, nc_rng_t *r, double lo, double hi) {
  nc_value_t v;
  cr_assert_eq(nc_value_alloc(&v, NC_ELEM_FLOAT32, ndim, shape, name), NC_OK);
  for (size_t i = 0; i < nc_value_numel(&v); i++) {
    ((float *)v.data)[i] = nc_rng_float(r, (float)lo, (float)hi);
  }
  int t;
  cr_assert_eq(nc_graph_add_tensor(g, name, 0, 0, NULL, &v, 0, &t), NC_OK);
  return t;
}

/* A constant of `elem` values given as doubles. */
static int vconst_(nc_graph_t *g, const char *name, int elem, int ndim,
                   const int64_t *shape, const double *v) {
  nc_value_t x;
  cr_assert_eq(nc_value_alloc(&x, elem, ndim, shape, name), NC_OK);
  for (size_t i = 0; i < nc_value_numel(&x); i++) {
    switch (elem) {
      case NC_ELEM_FLOAT32:
        ((float *)x.data)[i] = (float)v[i];
        break;
      case NC_ELEM_UINT8:
        ((uint8_t *)x.data)[i] = (uint8_t)v[i];
        break;
      case NC_ELEM_INT8:
        ((int8_t *)x.data)[i] = (int8_t)v[i];
        break;
      default:
        ((int32_t *)x.data)[i] = (int32_t)v[i];
        break;
    }
  }
  int t;
  cr_assert_eq(nc_graph_add_tensor(g, name, 0, 0, NULL, &x, 0, &t), NC_OK);
  return t;
}

static int tensor_(nc_graph_t *g, const char *name) {
  int t;
  cr_assert_eq(nc_graph_add_tensor(g, name, 0, -1, NULL, NULL, 0, &t), NC_OK);
  return t;
}

static void ints_attr_(nc_graph_t *g, int k, const char *name, int n,
                       const int64_t *v) {
  cr_assert_eq(nc_graph_add_attr(g, k, name, n == 1 ? NC_ATTR_INT : NC_ATTR_INTS,
                                 n, v, 0, NULL),
               NC_OK);
}

static void random_input_(nc_value_t *x, int elem, const int64_t *shape,
                          nc_rng_t *r) {
  cr_assert_eq(nc_value_alloc(x, elem, 4, shape, "x"), NC_OK);
  for (size_t i = 0; i < nc_value_numel(x); i++) {
    if (elem == NC_ELEM_FLOAT32) {
      ((float *)x->data)[i] = nc_rng_float(r, -1.0f, 1.0f);
    } else {
      ((uint8_t *)x->data)[i] = (uint8_t)(nc_rng_next(r) & 0xff);
    }
  }
}

/* x -> Conv(W, B) -> BatchNormalization -> Relu -> y, float32. */
static void conv_bn_graph_(nc_graph_t *g, nc_rng_t *r, int conv_is_output) {
  memset(g, 0, sizeof *g);
  snprintf(g->name, sizeof g->name, "conv_bn");
  g->opset = 13;
  const int64_t xs[4] = {2, 3, 6, 6}, ws[4] = {4, 3, 3, 3}, m = 4;
  int x;
  cr_assert_eq(
      nc_graph_add_tensor(g, "x", NC_ELEM_FLOAT32, 4, xs, NULL, 1, &x), NC_OK);
  const int w = fconst_(g, "W", 4, ws, r, -0.5, 0.5);
  const int b = fconst_(g, "B", 1, &m, r, -0.2, 0.2);
  const int sc = fconst_(g, "scale", 1, &m, r, 0.5, 2.0);
  const int be = fconst_(g, "beta", 1, &m, r, -1, 1);
  const int mu = fconst_(g, "mean", 1, &m, r, -0.3, 0.3);
  const int va = fconst_(g, "var", 1, &m, r, 0.1, 3.0);
  const int c = tensor_(g, "c"), bn = tensor_(g, "bn"), y = tensor_(g, "y");
  int k;
  const int cin[3] = {x, w, b};
  cr_assert_eq(nc_graph_add_node(g, "conv", "Conv", 3, cin, 1, &c, &k), NC_OK);
  const int64_t pads[4] = {1, 1, 1, 1};
  ints_attr_(g, k, "pads", 4, pads);
  const int bin[5] = {c, sc, be, mu, va};
  cr_assert_eq(
      nc_graph_add_node(g, "bn", "BatchNormalization", 5, bin, 1, &bn, &k),
      NC_OK);
  cr_assert_eq(nc_graph_add_attr(g, k, "epsilon", NC_ATTR_FLOAT, 0, NULL, 1e-3f,
                                 NULL),
               NC_OK);
  cr_assert_eq(nc_graph_add_node(g, "relu", "Relu", 1, &bn, 1, &y, NULL),
               NC_OK);
  cr_assert_eq(nc_graph_add_output(g, y), NC_OK);
  if (conv_is_output) {
    cr_assert_eq(nc_graph_add_output(g, c), NC_OK);
  }
  cr_assert_eq(nc_graph_check(g), NC_OK, "%s", nc_error_detail());
}

static void expect_close_(const nc_value_t *a, const nc_value_t *b) {
  cr_assert_eq(nc_value_numel(a), nc_value_numel(b));
  for (size_t i = 0; i < nc_value_numel(a); i++) {
    const double p = ((float *)a->data)[i], q = ((float *)b->data)[i];
    cr_assert(fabs(p - q) <= 1e-5 + 1e-4 * fabs(p), "element %zu: %g vs %g", i,
              p, q);
  }
}

static int has_op_(const nc_graph_t *g, const char *op) {
  for (int k = 0; k < g->nnodes; k++) {
    if (strcmp(g->nodes[k].op, op) == 0) {
      return 1;
    }
  }
  return 0;
}

Test(graph, batchnorm_folded_into_conv_equals_unfolded) {
  nc_rng_t r;
  nc_test_seed(&r, "graph", "batchnorm_folded_into_conv_equals_unfolded", 7);
  nc_graph_t g;
  conv_bn_graph_(&g, &r, 0);
  const int64_t xs[4] = {2, 3, 6, 6};
  nc_value_t x, y0, y1, y2;
  random_input_(&x, NC_ELEM_FLOAT32, xs, &r);
  cr_assert_eq(nc_graph_run(&g, &x, &y0), NC_OK, "%s", nc_error_detail());
  int folded = 0;
  cr_assert_eq(nc_graph_simplify(&g, 1, 0, &folded), NC_OK);
  cr_assert_eq(folded, 1);
  cr_assert_eq(g.nnodes, 2);
  cr_assert(!has_op_(&g, "BatchNormalization"));
  cr_assert_eq(nc_graph_run(&g, &x, &y1), NC_OK, "%s", nc_error_detail());
  expect_close_(&y0, &y1);
  /* Written and read back: the import folds it the same way. */
  char path[] = "/tmp/neocog_graph_XXXXXX";
  const int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  nc_graph_t u, back;
  conv_bn_graph_(&u, &r, 0);
  cr_assert_eq(nc_onnx_save(&u, path), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_onnx_load(path, &back), NC_OK, "%s", nc_error_detail());
  remove(path);
  cr_assert_eq(back.nnodes, 2);
  cr_assert(!has_op_(&back, "BatchNormalization"));
  cr_assert_eq(nc_graph_run(&back, &x, &y2), NC_OK, "%s", nc_error_detail());
  nc_value_free(&y1);
  cr_assert_eq(nc_graph_run(&u, &x, &y1), NC_OK, "%s", nc_error_detail());
  expect_close_(&y1, &y2);
  nc_value_free(&x);
  nc_value_free(&y0);
  nc_value_free(&y1);
  nc_value_free(&y2);
  nc_graph_free(&g);
  nc_graph_free(&u);
  nc_graph_free(&back);
}

/* A BatchNormalization on a graph input, or after a Conv whose output is
 * also read elsewhere, stays and computes
 * (x - mean) / sqrt(var + eps) * scale + beta. */
Test(graph, batchnorm_not_after_a_conv_still_runs) {
  nc_rng_t r;
  nc_test_seed(&r, "graph", "batchnorm_not_after_a_conv_still_runs", 8);
  nc_graph_t g;
  conv_bn_graph_(&g, &r, 1);
  int folded = -1;
  cr_assert_eq(nc_graph_simplify(&g, 1, 0, &folded), NC_OK);
  cr_assert_eq(folded, 0);
  cr_assert(has_op_(&g, "BatchNormalization"));
  nc_graph_free(&g);
  memset(&g, 0, sizeof g);
  g.opset = 13;
  const int64_t xs[4] = {1, 2, 3, 3}, m = 2;
  int x, y;
  cr_assert_eq(
      nc_graph_add_tensor(&g, "x", NC_ELEM_FLOAT32, 4, xs, NULL, 1, &x), NC_OK);
  const double sc[2] = {1.5, -0.5}, be[2] = {0.25, 1}, mu[2] = {0.1, -0.2},
               va[2] = {0.5, 2};
  const int in[5] = {x, vconst_(&g, "s", NC_ELEM_FLOAT32, 1, &m, sc),
                     vconst_(&g, "b", NC_ELEM_FLOAT32, 1, &m, be),
                     vconst_(&g, "m", NC_ELEM_FLOAT32, 1, &m, mu),
                     vconst_(&g, "v", NC_ELEM_FLOAT32, 1, &m, va)};
  y = tensor_(&g, "y");
  cr_assert_eq(
      nc_graph_add_node(&g, "bn", "BatchNormalization", 5, in, 1, &y, NULL),
      NC_OK);
  cr_assert_eq(nc_graph_add_output(&g, y), NC_OK);
  cr_assert_eq(nc_graph_check(&g), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_graph_simplify(&g, 1, 1, &folded), NC_OK);
  cr_assert_eq(folded, 0);
  nc_value_t xv, yv;
  random_input_(&xv, NC_ELEM_FLOAT32, xs, &r);
  cr_assert_eq(nc_graph_run(&g, &xv, &yv), NC_OK, "%s", nc_error_detail());
  for (int i = 0; i < 18; i++) {
    const int c = i / 9;
    const double want =
        (((float *)xv.data)[i] - mu[c]) / sqrt(va[c] + 1e-5) * sc[c] + be[c];
    cr_assert(fabs(((float *)yv.data)[i] - want) <= 1e-5, "%d", i);
  }
  nc_value_free(&xv);
  nc_value_free(&yv);
  nc_graph_free(&g);
}

/* uint8 x -> QLinearConv (per-channel weight scales, bias, pads) ->
 * MaxPool -> Flatten -> MatMulInteger -> Add: the integer chain a
 * quantized CNN is. */
static void int8_graph_(nc_graph_t *g, nc_rng_t *r) {
  memset(g, 0, sizeof *g);
  g->opset = 13;
  const int64_t xs[4] = {-1, 2, 6, 6}, m = 3, ws[4] = {3, 2, 3, 3};
  int x;
  cr_assert_eq(
      nc_graph_add_tensor(g, "x", NC_ELEM_UINT8, 4, xs, NULL, 1, &x), NC_OK);
  double w[54], wsc[3] = {0.011, 0.02, 0.0093}, z3[3] = {0, 0, 0},
                bias[3] = {-40, 25, 300};
  for (int i = 0; i < 54; i++) {
    w[i] = (double)(int)(nc_rng_next(r) % 255) - 127;
  }
  const double xsc = 0.05, xzp = 3, ysc = 0.4, yzp = 7;
  const int in[9] = {x,
                     vconst_(g, "xs", NC_ELEM_FLOAT32, 0, NULL, &xsc),
                     vconst_(g, "xz", NC_ELEM_UINT8, 0, NULL, &xzp),
                     vconst_(g, "W", NC_ELEM_INT8, 4, ws, w),
                     vconst_(g, "ws", NC_ELEM_FLOAT32, 1, &m, wsc),
                     vconst_(g, "wz", NC_ELEM_INT8, 1, &m, z3),
                     vconst_(g, "ys", NC_ELEM_FLOAT32, 0, NULL, &ysc),
                     vconst_(g, "yz", NC_ELEM_UINT8, 0, NULL, &yzp),
                     vconst_(g, "B", NC_ELEM_INT32, 1, &m, bias)};
  const int c = tensor_(g, "c"), p = tensor_(g, "p"), f = tensor_(g, "f");
  const int a = tensor_(g, "a"), y = tensor_(g, "y");
  int k;
  cr_assert_eq(nc_graph_add_node(g, "conv", "QLinearConv", 9, in, 1, &c, &k),
               NC_OK);
  const int64_t pads[4] = {1, 1, 1, 1}, two[2] = {2, 2}, one = 1;
  ints_attr_(g, k, "pads", 4, pads);
  cr_assert_eq(nc_graph_add_node(g, "pool", "MaxPool", 1, &c, 1, &p, &k),
               NC_OK);
  ints_attr_(g, k, "kernel_shape", 2, two);
  ints_attr_(g, k, "strides", 2, two);
  cr_assert_eq(nc_graph_add_node(g, "flat", "Flatten", 1, &p, 1, &f, &k),
               NC_OK);
  ints_attr_(g, k, "axis", 1, &one);
  double fw[27 * 4], fb[4] = {5, -6, 7, -8};
  for (int i = 0; i < 27 * 4; i++) {
    fw[i] = (double)(int)(nc_rng_next(r) % 255) - 127;
  }
  const int64_t fws[2] = {27, 4}, o = 4;
  const int mi[3] = {f, vconst_(g, "FW", NC_ELEM_INT8, 2, fws, fw), in[7]};
  cr_assert_eq(nc_graph_add_node(g, "fc", "MatMulInteger", 3, mi, 1, &a, NULL),
               NC_OK);
  const int ad[2] = {a, vconst_(g, "FB", NC_ELEM_INT32, 1, &o, fb)};
  cr_assert_eq(nc_graph_add_node(g, "bias", "Add", 2, ad, 1, &y, NULL), NC_OK);
  cr_assert_eq(nc_graph_add_output(g, y), NC_OK);
  cr_assert_eq(nc_graph_check(g), NC_OK, "%s", nc_error_detail());
}

/* Runs lowered nodes on the golden layers, the rest on the evaluator. */
typedef struct {
  const nc_graph_t *g;
  const nc_lowering_t *l;
  nc_value_t pooled; /* the fused pooling's output */
  nc_value_t conv;   /* the conv node's output, kept */
} golden_ctx_t;

static nc_status_t golden_dispatch_(void *ctx, int k,
                                    const nc_value_t *const *x,
                                    nc_value_t *y) {
  golden_ctx_t *c = ctx;
  const nc_lowered_node_t *ln = &c->l->node[k];
  if (ln->where == NC_NODE_HOST) {
    return nc_graph_node_eval(c->g, k, x, y);
  }
  if (ln->where == NC_NODE_FUSED) {
    y[0] = c->pooled;
    memset(&c->pooled, 0, sizeof c->pooled);
    return NC_OK;
  }
  nc_tensor_t xt, out, mid;
  cr_assert_eq(nc_value_to_nhwc(x[0], &xt), NC_OK);
  cr_assert_eq(nc_golden_run(&ln->layer, &xt, ln->weights.ndim ? &ln->weights : NULL,
                             ln->bias.ndim ? &ln->bias : NULL, &mid),
               NC_OK, "%s", nc_error_detail());
  if (ln->pool >= 0) {
    cr_assert_eq(nc_golden_run(&ln->pool_layer, &mid, NULL, NULL, &out), NC_OK);
    cr_assert_eq(nc_value_from_nhwc(&out, &c->pooled), NC_OK);
    nc_tensor_free(&out);
  }
  cr_assert_eq(nc_value_from_nhwc(&mid, &y[0]), NC_OK);
  if (ln->pool >= 0) {
    cr_assert_eq(nc_value_from_nhwc(&mid, &c->conv), NC_OK);
  }
  nc_tensor_free(&xt);
  nc_tensor_free(&mid);
  return NC_OK;
}

/* Which node becomes which layer, and the layers (OHWI weights, zero
 * points, per-channel TFLite multipliers, the fused MaxPool) compute what
 * the evaluator computes: the conv's uint8 output to within one step (the
 * evaluator rounds the float product, the layer TFLite's fixed-point one)
 * and the same everywhere else when fed the same values. */
Test(graph, lowered_int8_layers_match_the_evaluator) {
  nc_rng_t r;
  nc_test_seed(&r, "graph", "lowered_int8_layers_match_the_evaluator", 9);
  nc_graph_t g;
  int8_graph_(&g, &r);
  nc_lowering_t l;
  cr_assert_eq(nc_graph_lower(&g, NC_LOWER_INT | NC_LOWER_FUSE_POOL, &l), NC_OK);
  cr_assert_eq(l.nnodes, 5);
  cr_assert_eq(l.node[0].where, NC_NODE_LAYER);
  cr_assert_eq(l.node[0].layer.kind, NC_LAYER_CONV2D);
  cr_assert_eq(l.node[0].layer.in_zp, 3);
  cr_assert_eq(l.node[0].layer.rq.channels, 3);
  cr_assert_eq(l.node[0].layer.rq.out_zp, 7);
  cr_assert_eq(l.node[0].pool, 1);
  cr_assert_eq(l.node[1].where, NC_NODE_FUSED);
  cr_assert_eq(l.node[1].into, 0);
  cr_assert_eq(l.node[2].where, NC_NODE_HOST);
  cr_assert_eq(l.node[3].where, NC_NODE_LAYER);
  cr_assert_eq(l.node[3].layer.kind, NC_LAYER_FC);
  cr_assert_eq(l.node[3].layer.rq.enabled, 0);
  cr_assert_eq(l.node[3].weights.shape[0], 4);
  cr_assert_eq(l.node[4].where, NC_NODE_HOST);
  cr_assert_eq(l.nlayers, 2);
  /* Float lowering only: nothing of this graph lowers. */
  nc_lowering_t lf;
  cr_assert_eq(nc_graph_lower(&g, NC_LOWER_FLOAT, &lf), NC_OK);
  cr_assert_eq(lf.nlayers, 0);
  nc_lowering_free(&lf);
  const int64_t xs[4] = {2, 2, 6, 6};
  nc_value_t x, ye, yl;
  random_input_(&x, NC_ELEM_UINT8, xs, &r);
  nc_value_t conv_e = {0};
  const int tc = nc_graph_find(&g, "c");
  cr_assert_gt(tc, 0);
  cr_assert_eq(nc_graph_run(&g, &x, &ye), NC_OK, "%s", nc_error_detail());
  golden_ctx_t c = {.g = &g, .l = &l};
  cr_assert_eq(nc_graph_run_dispatched(&g, &x, &yl, golden_dispatch_, &c),
               NC_OK, "%s", nc_error_detail());
  /* The conv's output from the evaluator: made a graph output. */
  cr_assert_eq(nc_graph_add_output(&g, tc), NC_OK);
  nc_value_t two[2];
  cr_assert_eq(nc_graph_run(&g, &x, two), NC_OK);
  conv_e = two[1];
  nc_value_free(&two[0]);
  cr_assert_eq(nc_value_numel(&conv_e), nc_value_numel(&c.conv));
  size_t same = 0;
  for (size_t i = 0; i < nc_value_numel(&conv_e); i++) {
    const int a = ((uint8_t *)conv_e.data)[i], b = ((uint8_t *)c.conv.data)[i];
    cr_assert(abs(a - b) <= 1, "conv element %zu: %d vs %d", i, a, b);
    same += a == b;
  }
  cr_assert_geq(same * 100, 99 * nc_value_numel(&conv_e));
  cr_assert_eq(ye.elem, NC_ELEM_INT32);
  cr_assert_eq(ye.shape[0], 2);
  cr_assert_eq(ye.shape[1], 4);
  if (same == nc_value_numel(&conv_e)) {
    cr_assert_eq(memcmp(ye.data, yl.data, ye.nbytes), 0);
  }
  nc_value_free(&conv_e);
  nc_value_free(&c.conv);
  nc_value_free(&x);
  nc_value_free(&ye);
  nc_value_free(&yl);
  nc_lowering_free(&l);
  nc_graph_free(&g);
}

/* NCHW <-> NHWC: an element moves to where the layouts say. */
Test(graph, nhwc_round_trip) {
  const int64_t s[4] = {2, 3, 4, 5};
  nc_value_t v, back;
  cr_assert_eq(nc_value_alloc(&v, NC_ELEM_INT32, 4, s, "v"), NC_OK);
  for (int i = 0; i < 120; i++) {
    ((int32_t *)v.data)[i] = i;
  }
  nc_tensor_t t;
  cr_assert_eq(nc_value_to_nhwc(&v, &t), NC_OK);
  cr_assert_eq(t.shape[3], 3);
  /* (n=1, c=2, h=3, w=4) -> NHWC (1, 3, 4, 2) */
  cr_assert_eq(((int32_t *)t.data)[((1 * 4 + 3) * 5 + 4) * 3 + 2],
               ((1 * 3 + 2) * 4 + 3) * 5 + 4);
  cr_assert_eq(nc_value_from_nhwc(&t, &back), NC_OK);
  cr_assert_eq(memcmp(v.data, back.data, v.nbytes), 0);
  nc_value_t i64;
  cr_assert_eq(nc_value_alloc(&i64, NC_ELEM_INT64, 4, s, "i"), NC_OK);
  nc_tensor_t bad;
  cr_assert_eq(nc_value_to_nhwc(&i64, &bad), NC_ERR_UNSUPPORTED);
  nc_value_free(&i64);
  nc_tensor_free(&t);
  nc_value_free(&v);
  nc_value_free(&back);
}
