/*
 * Quantized ONNX graphs in QDQ form (DequantizeLinear -> float operator ->
 * QuantizeLinear) through neocog run: the conv, Gemm and residual Add
 * patterns lower onto integer layers (the Add into the conv's store path)
 * and give the host evaluator's bytes on every backend; patterns that
 * cannot lower stay on the host. The graphs are built here, with scales
 * chosen so that the evaluator's float arithmetic is exact and no value
 * falls on a rounding tie: there, ONNX's float definition and TFLite's
 * fixed-point requantization must agree bit for bit.
 */
#include <math.h>

#include "neocog/graph.h"
#include "neocog/lower.h"
#include "neocog/onnx.h"
#include "tests/cli_run.h"

/* A constant of `elem` values given as doubles. */
static int cval_(nc_graph_t *g, const char *name, int elem, int ndim,
                 const int64_t *shape, const double *v) {
  nc_value_t x;
  cr_assert_eq(nc_value_alloc(&x, elem, ndim, shape, name), NC_OK);
  for (size_t i = 0; i < nc_value_numel(&x); i++) {
    if (elem == NC_ELEM_FLOAT32) {
      ((float *)x.data)[i] = (float)v[i];
    } else if (elem == NC_ELEM_UINT8) {
      ((uint8_t *)x.data)[i] = (uint8_t)v[i];
    } else if (elem == NC_ELEM_INT8) {
      ((int8_t *)x.data)[i] = (int8_t)v[i];
    } else {
      ((int32_t *)x.data)[i] = (int32_t)v[i];
    }
  }
  int t;
  cr_assert_eq(nc_graph_add_tensor(g, name, 0, 0, NULL, &x, 0, &t), NC_OK);
  return t;
}

/* A scalar constant. */
static int scalar_(nc_graph_t *g, const char *name, int elem, double v) {
  return cval_(g, name, elem, 0, NULL, &v);
}

static int tens_(nc_graph_t *g, const char *name) {
  int t;
  cr_assert_eq(nc_graph_add_tensor(g, name, 0, -1, NULL, NULL, 0, &t), NC_OK);
  return t;
}

/* Starts graph `name` (opset 13) with its input x [N, 4, 6, 6] of `elem`;
 * returns x. */
static int graph_open_(nc_graph_t *g, const char *name, int elem) {
  memset(g, 0, sizeof *g);
  snprintf(g->name, sizeof g->name, "%s", name);
  g->opset = 13;
  const int64_t xs[4] = {-1, 4, 6, 6};
  int x;
  cr_assert_eq(nc_graph_add_tensor(g, "x", elem, 4, xs, NULL, 1, &x), NC_OK);
  return x;
}

/* Adds node `name`; returns its index. */
static int node_(nc_graph_t *g, const char *name, const char *op, int nin,
                 const int *in, int out) {
  int k;
  cr_assert_eq(nc_graph_add_node(g, name, op, nin, in, 1, &out, &k), NC_OK,
               "%s", nc_error_detail());
  return k;
}

/* DequantizeLinear of tensor x with scale and zero point tensors; returns
 * the float output. `axis` >= 0: per axis. */
static int dq_(nc_graph_t *g, const char *name, int x, int s, int z, int axis) {
  char out[80];
  snprintf(out, sizeof out, "%s_out", name);
  const int y = tens_(g, out), in[3] = {x, s, z};
  const int k = node_(g, name, "DequantizeLinear", z >= 0 ? 3 : 2, in, y);
  if (axis >= 0) {
    const int64_t a = axis;
    cr_assert_eq(nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &a, 0, NULL),
                 NC_OK);
  }
  return y;
}

static int q_(nc_graph_t *g, const char *name, int x, int s, int z) {
  char out[80];
  snprintf(out, sizeof out, "%s_out", name);
  const int y = tens_(g, out), in[3] = {x, s, z};
  node_(g, name, "QuantizeLinear", 3, in, y);
  return y;
}

/* Small random weights in [-m, m]. */
static void weights_(double *w, size_t n, int m, nc_rng_t *r) {
  for (size_t i = 0; i < n; i++) {
    w[i] = (double)(int)(nc_rng_next(r) % (uint64_t)(2 * m + 1)) - m;
  }
}

/* A 3x3 conv (pads 1) of DequantizeLinear(x) with int8 weights `w` at
 * scales `ws` (per output channel when nws > 1), bias as given (`bias`
 * tensor, or -1), Relu when asked, quantized with (ys, yz). */
static int qdq_conv_(nc_graph_t *g, const char *name, int xf, int wt,
                     const double *ws, int nws, int bias, int relu, int ys,
                     int yz, int wz) {
  char nm[64];
  snprintf(nm, sizeof nm, "%s_ws", name);
  const int64_t m = nws;
  const int wst = nws > 1 ? cval_(g, nm, NC_ELEM_FLOAT32, 1, &m, ws)
                          : scalar_(g, nm, NC_ELEM_FLOAT32, ws[0]);
  snprintf(nm, sizeof nm, "%s_wdq", name);
  const int wf = dq_(g, nm, wt, wst, wz, nws > 1 ? 0 : -1);
  snprintf(nm, sizeof nm, "%s_f", name);
  const int c = tens_(g, nm);
  const int in[3] = {xf, wf, bias};
  const int k = node_(g, name, "Conv", bias >= 0 ? 3 : 2, in, c);
  const int64_t pads[4] = {1, 1, 1, 1};
  cr_assert_eq(nc_graph_add_attr(g, k, "pads", NC_ATTR_INTS, 4, pads, 0, NULL),
               NC_OK);
  int t = c;
  if (relu) {
    snprintf(nm, sizeof nm, "%s_relu", name);
    char o[80];
    snprintf(o, sizeof o, "%s_out", nm);
    const int r = tens_(g, o);
    node_(g, nm, "Relu", 1, &t, r);
    t = r;
  }
  snprintf(nm, sizeof nm, "%s_q", name);
  return q_(g, nm, t, ys, yz);
}

/*
 * x (uint8 [N, 4, 6, 6], scale 2^-4, zero point 3)
 *   -> conv1 (per-channel weight scales 2^-6 and 2^-5, int32 bias through
 *      DequantizeLinear, Relu) -> uint8 at 3 * 2^-4
 *   -> conv2 (per-tensor weight scale 2^-5, float32 bias that is an exact
 *      multiple of x_scale * w_scale) -> uint8 at 9 * 2^-3, zero point 128
 *   + x (the skip) -> Relu -> int8 at 19 * 2^-4, zero point -10
 *   -> Flatten -> Gemm (transB, int32 bias) -> int8 at 27 * 2^5 * s * 2^-6.
 * The graph's output is conv2's (`out` 0), the Add's (1) or the Gemm's (2);
 * with `out` 3 the Add's, its skip x max-pooled to [N, 4, 1, 1].
 * Every float the evaluator forms is exact, and every requantization puts
 * k/3, k/19 or k/27 of an integer k between steps: never a half, and at
 * least 1/54 of a step from one, while TFLite's rounding (the multiplier's
 * 31 bits, the doubling high multiply rounding to 2^-r of a step with the
 * right shift r >= 6 here, then the rounding shift) errs by less than
 * 2^-(r+1). So the evaluator's float definition and the integer layers'
 * fixed point must give the same bytes.
 */
static void residual_graph_(nc_graph_t *g, nc_rng_t *r, int out) {
  const int x = graph_open_(g, "qdq_residual", NC_ELEM_UINT8);
  const double xsc = 1.0 / 16, s1 = 3.0 / 16, s2 = 9.0 / 8, s3 = 19.0 / 16;
  const int xs_t = scalar_(g, "x_s", NC_ELEM_FLOAT32, xsc);
  const int xz_t = scalar_(g, "x_z", NC_ELEM_UINT8, 3);
  const int xf = dq_(g, "x_dq", x, xs_t, xz_t, -1);
  /* conv1 */
  const int64_t wsh[4] = {4, 4, 3, 3}, four = 4;
  double w1[144], w2[144], zero4[4] = {0, 0, 0, 0};
  weights_(w1, 144, 60, r);
  weights_(w2, 144, 60, r);
  const double ws1[4] = {1.0 / 64, 1.0 / 32, 1.0 / 64, 1.0 / 32};
  double b1[4], b1s[4], b2[4];
  for (int c = 0; c < 4; c++) {
    b1[c] = (double)(int)(nc_rng_next(r) % 401) - 200;
    b1s[c] = xsc * ws1[c];
    b2[c] = ((double)(int)(nc_rng_next(r) % 401) - 200) * s1 / 32;
  }
  const int w1t = cval_(g, "w1", NC_ELEM_INT8, 4, wsh, w1);
  const int w1z = cval_(g, "w1_z", NC_ELEM_INT8, 1, &four, zero4);
  const int b1t = cval_(g, "b1", NC_ELEM_INT32, 1, &four, b1);
  const int b1st = cval_(g, "b1_s", NC_ELEM_FLOAT32, 1, &four, b1s);
  const int b1f = dq_(g, "b1_dq", b1t, b1st, -1, 0);
  const int y1s = scalar_(g, "y1_s", NC_ELEM_FLOAT32, s1);
  const int y1z = scalar_(g, "y1_z", NC_ELEM_UINT8, 0);
  const int c1 = qdq_conv_(g, "conv1", xf, w1t, ws1, 4, b1f, 1, y1s, y1z, w1z);
  /* conv2 */
  const int c1f = dq_(g, "c1_dq", c1, y1s, y1z, -1);
  const double ws2 = 1.0 / 32;
  const int w2t = cval_(g, "w2", NC_ELEM_INT8, 4, wsh, w2);
  const int b2t = cval_(g, "b2", NC_ELEM_FLOAT32, 1, &four, b2);
  const int y2s = scalar_(g, "y2_s", NC_ELEM_FLOAT32, s2);
  const int y2z = scalar_(g, "y2_z", NC_ELEM_UINT8, 128);
  const int c2 = qdq_conv_(g, "conv2", c1f, w2t, &ws2, 1, b2t, 0, y2s, y2z, -1);
  /* the residual add: conv2 + x */
  const int af = dq_(g, "c2_dq", c2, y2s, y2z, -1);
  int skip = x;
  if (out == 3) {
    /* A skip of shape [N, 4, 1, 1]: the Add broadcasts it. */
    skip = tens_(g, "pooled");
    const int pk = node_(g, "pool", "MaxPool", 1, &x, skip);
    const int64_t six[2] = {6, 6};
    cr_assert_eq(
        nc_graph_add_attr(g, pk, "kernel_shape", NC_ATTR_INTS, 2, six, 0, NULL),
        NC_OK);
  }
  const int skf = dq_(g, "skip_dq", skip, xs_t, xz_t, -1);
  const int sum = tens_(g, "sum"), rs = tens_(g, "sum_relu");
  const int ain[2] = {af, skf};
  node_(g, "add", "Add", 2, ain, sum);
  node_(g, "add_relu", "Relu", 1, &sum, rs);
  const int y3s = scalar_(g, "y3_s", NC_ELEM_FLOAT32, s3);
  const int y3z = scalar_(g, "y3_z", NC_ELEM_INT8, -10);
  const int a = q_(g, "add_q", rs, y3s, y3z);
  /* Flatten -> Gemm */
  const int fl = tens_(g, "flat");
  const int fk = node_(g, "flatten", "Flatten", 1, &a, fl);
  const int64_t one = 1;
  cr_assert_eq(nc_graph_add_attr(g, fk, "axis", NC_ATTR_INT, 1, &one, 0, NULL),
               NC_OK);
  const int ff = dq_(g, "flat_dq", fl, y3s, y3z, -1);
  const int64_t gsh[2] = {10, 144}, ten = 10;
  double w3[1440], b3[10];
  weights_(w3, 1440, 60, r);
  for (int o = 0; o < 10; o++) {
    b3[o] = (double)(int)(nc_rng_next(r) % 2001) - 1000;
  }
  const double ws3 = 1.0 / 64, b3sc = s3 * ws3;
  const int w3t = cval_(g, "w3", NC_ELEM_INT8, 2, gsh, w3);
  const int w3f =
      dq_(g, "w3_dq", w3t, scalar_(g, "w3_s", NC_ELEM_FLOAT32, ws3), -1, -1);
  const int b3f = dq_(g, "b3_dq", cval_(g, "b3", NC_ELEM_INT32, 1, &ten, b3),
                      scalar_(g, "b3_s", NC_ELEM_FLOAT32, b3sc), -1, -1);
  const int gf = tens_(g, "gemm_f"), gin[3] = {ff, w3f, b3f};
  const int gk = node_(g, "gemm", "Gemm", 3, gin, gf);
  cr_assert_eq(
      nc_graph_add_attr(g, gk, "transB", NC_ATTR_INT, 1, &one, 0, NULL), NC_OK);
  const int y =
      q_(g, "gemm_q", gf, scalar_(g, "y4_s", NC_ELEM_FLOAT32, 27 * 32 * b3sc),
         scalar_(g, "y4_z", NC_ELEM_INT8, 0));
  cr_assert_eq(nc_graph_add_output(g, out == 2 ? y : out == 0 ? c2 : a), NC_OK);
  cr_assert_eq(nc_graph_check(g), NC_OK, "%s", nc_error_detail());
}

/* A uint8 [n, 4, 6, 6] input, values 0..63 (the skip and the convs then
 * use most of their ranges without saturating everywhere). */
static void input_(const char *path, int64_t n, nc_rng_t *r, nc_value_t *v) {
  const int64_t s[4] = {n, 4, 6, 6};
  cr_assert_eq(nc_value_alloc(v, NC_ELEM_UINT8, 4, s, "x"), NC_OK);
  for (size_t i = 0; i < v->nbytes; i++) {
    ((uint8_t *)v->data)[i] = (uint8_t)(nc_rng_next(r) % 64);
  }
  nc_tensor_t t;
  cr_assert_eq(nc_value_to_tensor(v, &t), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(path, &t), NC_OK);
  nc_tensor_free(&t);
}

/* The data of a .npy written by run (at most n bytes); its size. */
static size_t npy_data_(const char *path, void *buf, size_t n) {
  nc_tensor_t t;
  cr_assert_eq(nc_tensor_load_npy(path, &t), NC_OK, "%s", path);
  const size_t k = t.nbytes < n ? t.nbytes : n;
  memcpy(buf, t.data, k);
  nc_tensor_free(&t);
  return k;
}

/* One model under test: g saved as m.onnx in a temporary directory, an
 * n-image input as x.npy, the evaluator's output on it, and the paths the
 * runs write. */
typedef struct {
  run_t rn;
  char model[256], xp[256], yp[256], st[256];
  nc_value_t x, want;
  char js[32768]; /* --stats of the last run */
} case_t;

static void case_open_(case_t *c, const nc_graph_t *g, int64_t n, nc_rng_t *r) {
  tmpdir_(&c->rn);
  path_(&c->rn, "m.onnx", c->model);
  path_(&c->rn, "x.npy", c->xp);
  path_(&c->rn, "y.npy", c->yp);
  path_(&c->rn, "s.json", c->st);
  cr_assert_eq(nc_onnx_save(g, c->model), NC_OK, "%s", nc_error_detail());
  input_(c->xp, n, r, &c->x);
  cr_assert_eq(nc_graph_run(g, &c->x, &c->want), NC_OK, "%s",
               nc_error_detail());
}

/* neocog run on backend `be`: its output must be the evaluator's bytes;
 * its --stats land in c->js. */
static void case_run_(case_t *c, const char *be) {
  run_(&c->rn, (const char *[]){"run", c->model, "--input", c->xp, "--backend",
                                be, "--output", c->yp, "--stats", c->st, NULL});
  cr_assert_eq(c->rn.status, 0, "%s: %s", be, c->rn.err);
  char got[512];
  cr_assert_eq(npy_data_(c->yp, got, sizeof got), c->want.nbytes, "%s", be);
  cr_assert_eq(memcmp(got, c->want.data, c->want.nbytes), 0,
               "%s: the output differs from the evaluator's", be);
  slurp_(c->st, c->js, sizeof c->js);
  /* Every node has a shape, a JSON list (fused ones too). */
  for (const char *p = c->js; (p = strstr(p, "\"output_shape\": ")) != NULL;
       p++) {
    cr_assert_eq(p[16], '[', "%s: %.60s", be, p);
  }
}

/* Where --stats says node `name` ran ("" when it is not there). */
static void ran_on_(const case_t *c, const char *name, char *on, size_t n) {
  char key[96];
  snprintf(key, sizeof key, "{\"name\": \"%s\"", name);
  const char *p = strstr(c->js, key);
  const char *q = p != NULL ? strstr(p, "\"ran_on\": \"") : NULL;
  on[0] = '\0';
  if (q != NULL) {
    q += 11;
    snprintf(on, n, "%.*s", (int)strcspn(q, "\""), q);
  }
}

static void case_close_(case_t *c) {
  nc_value_free(&c->want);
  nc_value_free(&c->x);
  cleanup_(&c->rn);
}

/* The residual QDQ graph on every backend: conv1, conv2 and the Gemm run
 * as integer layers, the Add (and its Relu and QuantizeLinear) fused into
 * conv2's layer (on the accelerator its store path) unless conv2's output
 * is also the graph's (then the Add runs on the host); the output (conv2's,
 * the Add's, the Gemm's) is the evaluator's bytes everywhere. */
Test(cli_qdq, residual_block_lowers_and_matches_the_evaluator) {
  static const char *const be[5] = {"cpu", "model", "rtl", "lockstep",
                                    "opencl"};
  for (int out = 0; out < 3; out++) {
    nc_rng_t r;
    nc_test_seed(&r, "cli_qdq",
                 "residual_block_lowers_and_matches_the_evaluator", 21);
    nc_graph_t g;
    residual_graph_(&g, &r, out);
    case_t *c = calloc(1, sizeof *c);
    cr_assert_not_null(c);
    case_open_(c, &g, 2, &r);
    cr_assert_eq(c->want.elem, out ? NC_ELEM_INT8 : NC_ELEM_UINT8);
    cr_assert_eq(c->want.nbytes, out == 2 ? 20 : 2 * 144);
    /* Not saturated flat: many distinct values. */
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < c->want.nbytes; i++) {
      const int v = ((uint8_t *)c->want.data)[i];
      distinct += !seen[v];
      seen[v] = 1;
    }
    cr_assert_geq(distinct, out == 2 ? 10 : 40, "%d distinct values", distinct);
    for (int b = 0; b < 5; b++) {
      case_run_(c, be[b]);
      char on[32];
      /* The float operators ran as layers on the backend. */
      static const char *const layers[3] = {"conv1", "conv2", "gemm"};
      for (int i = 0; i < 3; i++) {
        ran_on_(c, layers[i], on, sizeof on);
        cr_assert_str_eq(on, be[b], "%s: %s", layers[i], c->js);
      }
      /* The Add, its Relu and its QuantizeLinear: in conv2's store path
       * on the accelerator, else TFLite's addition on the host after the
       * layer (or, when conv2's output is also the graph's, not fused). */
      const int store = out != 0 && b >= 1 && b <= 3;
      static const char *const adds[3] = {"add", "add_relu", "add_q"};
      for (int i = 0; i < 3; i++) {
        ran_on_(c, adds[i], on, sizeof on);
        cr_assert_str_eq(on, store ? "fused" : "host", "%s: %s", adds[i],
                         c->js);
      }
      if (store) {
        cr_assert(strstr(c->js, "\"fused_into\": \"conv2\"") != NULL);
        cr_assert(strstr(c->js, "\"cycles\": ") != NULL, "%s", c->js);
      }
    }
    case_close_(c);
    free(c);
    nc_graph_free(&g);
  }
}

/* QDQ patterns the integer layers cannot take stay on the host and still
 * give the evaluator's bytes (see the variants below). */
Test(cli_qdq, patterns_that_cannot_lower_run_on_the_host) {
  nc_rng_t r;
  nc_test_seed(&r, "cli_qdq", "patterns_that_cannot_lower_run_on_the_host", 22);
  for (int variant = 0; variant < 4; variant++) {
    nc_graph_t g;
    memset(&g, 0, sizeof g);
    g.opset = 13;
    const int64_t xs[4] = {1, 4, 6, 6}, wsh[4] = {4, 4, 3, 3}, four = 4;
    int x;
    cr_assert_eq(
        nc_graph_add_tensor(&g, "x", NC_ELEM_UINT8, 4, xs, NULL, 1, &x), NC_OK);
    double w[144];
    weights_(w, 144, 60, &r);
    const int wt = cval_(&g, "w", NC_ELEM_INT8, 4, wsh, w);
    const double ws = 1.0 / 64, fbias[4] = {0.1, -0.2, 0.3, 0.01};
    const double ibias[4] = {100, -50, 7, 0}, bsc = 2 * 0.0625 / 64;
    const double xsc[4] = {0.0625, 0.0625, 0.125, 0.0625}, xz[4] = {3, 3, 3, 3};
    /* 0: weight zero point 2; 1: a float32 bias that is no multiple of
     * x_scale * w_scale; 2: x dequantized per channel; 3: an int32 bias
     * dequantized at twice x_scale * w_scale. */
    const int xf =
        variant == 2
            ? dq_(&g, "x_dq", x,
                  cval_(&g, "x_s", NC_ELEM_FLOAT32, 1, &four, xsc),
                  cval_(&g, "x_z", NC_ELEM_UINT8, 1, &four, xz), 1)
            : dq_(&g, "x_dq", x, scalar_(&g, "x_s", NC_ELEM_FLOAT32, 0.0625),
                  scalar_(&g, "x_z", NC_ELEM_UINT8, 3), -1);
    int bias = -1;
    if (variant == 1) {
      bias = cval_(&g, "b", NC_ELEM_FLOAT32, 1, &four, fbias);
    } else if (variant == 3) {
      bias = dq_(&g, "b_dq", cval_(&g, "b", NC_ELEM_INT32, 1, &four, ibias),
                 scalar_(&g, "b_s", NC_ELEM_FLOAT32, bsc), -1, -1);
    }
    const int y =
        qdq_conv_(&g, "conv", xf, wt, &ws, 1, bias, 0,
                  scalar_(&g, "y_s", NC_ELEM_FLOAT32, 3.0 / 16),
                  scalar_(&g, "y_z", NC_ELEM_UINT8, 0),
                  scalar_(&g, "w_z", NC_ELEM_INT8, variant == 0 ? 2 : 0));
    cr_assert_eq(nc_graph_add_output(&g, y), NC_OK);
    cr_assert_eq(nc_graph_check(&g), NC_OK, "%s", nc_error_detail());
    case_t *c = calloc(1, sizeof *c);
    cr_assert_not_null(c);
    case_open_(c, &g, 1, &r);
    for (int b = 0; b < 2; b++) {
      case_run_(c, b ? "model" : "cpu");
      /* Every node ran on the host. */
      cr_assert(strstr(c->js, "\"ran_on\": \"cpu\"") == NULL &&
                    strstr(c->js, "\"ran_on\": \"model\"") == NULL &&
                    strstr(c->js, "\"fused_into\"") == NULL,
                "variant %d: %s", variant, c->js);
      char on[32];
      ran_on_(c, "conv", on, sizeof on);
      cr_assert_str_eq(on, "host", "%s", c->js);
    }
    case_close_(c);
    free(c);
    nc_graph_free(&g);
  }
}

/* A residual Add whose skip the Add broadcasts: lowering fuses it into
 * conv2 (shapes are not known before a run), the run finds the shapes
 * differ and computes the Add and its DequantizeLinear nodes on the host
 * instead, on every backend, with the evaluator's bytes. */
Test(cli_qdq, broadcast_add_falls_back_to_the_host) {
  nc_rng_t r;
  nc_test_seed(&r, "cli_qdq", "broadcast_add_falls_back_to_the_host", 23);
  nc_graph_t g;
  residual_graph_(&g, &r, 3);
  nc_lowering_t l;
  cr_assert_eq(nc_graph_lower(&g, NC_LOWER_INT | NC_LOWER_FUSE_ADD, &l), NC_OK);
  int fused = 0;
  for (int k = 0; k < g.nnodes; k++) {
    if (strcmp(g.nodes[k].op, "Add") == 0) {
      cr_assert_eq(l.node[k].where, NC_NODE_FUSED);
      cr_assert_str_eq(g.nodes[l.node[k].into].name, "conv2");
      fused = 1;
    }
  }
  cr_assert(fused);
  nc_lowering_free(&l);
  case_t *c = calloc(1, sizeof *c);
  cr_assert_not_null(c);
  case_open_(c, &g, 2, &r);
  static const char *const be[2] = {"cpu", "model"};
  for (int b = 0; b < 2; b++) {
    case_run_(c, be[b]);
    char on[32];
    ran_on_(c, "add", on, sizeof on);
    cr_assert_str_eq(on, "host", "%s: %s", be[b], c->js);
    ran_on_(c, "skip_dq", on, sizeof on);
    cr_assert_str_eq(on, "host", "%s: %s", be[b], c->js);
    ran_on_(c, "conv2", on, sizeof on);
    cr_assert_str_eq(on, be[b], "%s", c->js);
  }
  case_close_(c);
  free(c);
  nc_graph_free(&g);
}

/* ---- neocog quantize on float graphs with branches -------------------- */

/* A float32 constant of random values in [-m, m]. */
static int fconst_(nc_graph_t *g, const char *name, int ndim,
                   const int64_t *shape, double m, nc_rng_t *r) {
  size_t n = 1;
  for (int d = 0; d < ndim; d++) {
    n *= (size_t)shape[d];
  }
  double *v = malloc(n * sizeof *v);
  cr_assert_not_null(v);
  for (size_t i = 0; i < n; i++) {
    v[i] = m * ((double)(nc_rng_next(r) % 2001) / 1000.0 - 1.0);
  }
  const int t = cval_(g, name, NC_ELEM_FLOAT32, ndim, shape, v);
  free(v);
  return t;
}

/* A float 3x3 conv (pads 1) of x from ci to co channels, Relu when asked;
 * its output tensor. */
static int fconv_(nc_graph_t *g, const char *name, int x, int64_t ci,
                  int64_t co, int relu, nc_rng_t *r) {
  char nm[64];
  const int64_t ws[4] = {co, ci, 3, 3};
  snprintf(nm, sizeof nm, "%s_w", name);
  const int w = fconst_(g, nm, 4, ws, 0.3 / (double)ci, r);
  snprintf(nm, sizeof nm, "%s_b", name);
  const int b = fconst_(g, nm, 1, &co, 0.5, r);
  snprintf(nm, sizeof nm, "%s_out", name);
  int y = tens_(g, nm);
  const int in[3] = {x, w, b};
  const int k = node_(g, name, "Conv", 3, in, y);
  const int64_t pads[4] = {1, 1, 1, 1};
  cr_assert_eq(nc_graph_add_attr(g, k, "pads", NC_ATTR_INTS, 4, pads, 0, NULL),
               NC_OK);
  if (relu) {
    snprintf(nm, sizeof nm, "%s_relu", name);
    const int t = y;
    y = tens_(g, nm);
    node_(g, nm, "Relu", 1, &t, y);
  }
  return y;
}

/*
 * Float32 graphs on a [N, 4, 6, 6] input x:
 * kind 0, a residual block: conv1 -> Relu -> conv2, + x, Relu -> Flatten
 *   -> Gemm (10 logits);
 * kind 1, a concatenation: conv1 -> Relu (a) -> conv2 -> Relu (b),
 *   Concat(a, b) -> conv3 -> Relu -> Flatten -> Gemm;
 * kind 2, the residual block with a Sigmoid after conv1 (quantize cannot
 *   map it);
 * kind 3, the concatenation of x (not a) and b (x's scale is the input's:
 *   quantize cannot make it the concatenation's).
 */
static void float_graph_(nc_graph_t *g, int kind, nc_rng_t *r) {
  const int x = graph_open_(g, "branches", NC_ELEM_FLOAT32);
  int a = fconv_(g, "conv1", x, 4, 4, kind != 2, r);
  if (kind == 2) {
    const int t = a;
    a = tens_(g, "sig_out");
    node_(g, "sig", "Sigmoid", 1, &t, a);
  }
  int h;
  int64_t hc = 4;
  if (kind == 1 || kind == 3) {
    const int b = fconv_(g, "conv2", a, 4, 4, 1, r);
    const int cat = tens_(g, "cat_out"), in[2] = {kind == 3 ? x : a, b};
    const int k = node_(g, "cat", "Concat", 2, in, cat);
    const int64_t one = 1;
    cr_assert_eq(nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &one, 0, NULL),
                 NC_OK);
    h = fconv_(g, "conv3", cat, 8, 4, 1, r);
  } else {
    const int c2 = fconv_(g, "conv2", a, 4, 4, 0, r);
    const int s = tens_(g, "add_out"), in[2] = {c2, x};
    node_(g, "add", "Add", 2, in, s);
    h = tens_(g, "add_relu_out");
    node_(g, "add_relu", "Relu", 1, &s, h);
  }
  const int f = tens_(g, "flat_out");
  node_(g, "flatten", "Flatten", 1, &h, f);
  const int64_t ws[2] = {10, hc * 36}, bs = 10;
  const int w = fconst_(g, "gemm_w", 2, ws, 0.2, r);
  const int b = fconst_(g, "gemm_b", 1, &bs, 0.1, r);
  const int y = tens_(g, "y"), in[3] = {f, w, b};
  const int k = node_(g, "gemm", "Gemm", 3, in, y);
  const int64_t one = 1;
  cr_assert_eq(nc_graph_add_attr(g, k, "transB", NC_ATTR_INT, 1, &one, 0, NULL),
               NC_OK);
  cr_assert_eq(nc_graph_add_output(g, y), NC_OK);
  cr_assert_eq(nc_graph_check(g), NC_OK, "%s", nc_error_detail());
}

/* The index of the greatest of n values. */
static int argmax_(const double *v, int n) {
  int best = 0;
  for (int i = 1; i < n; i++) {
    best = v[i] > v[best] ? i : best;
  }
  return best;
}

/* The float graph `kind` quantized (on its 8 calibration images) as a
 * network file, a QOperator ONNX model and a QDQ one; each run on cpu,
 * model and rtl on those images: every output is the same int32 bytes,
 * the logits' order the float model's, and on rtl the residual Add is in
 * conv2's store path. */
static void quantize_branches_(int kind, const char *test) {
  nc_rng_t r;
  nc_test_seed(&r, "cli_qdq", test, (uint64_t)(40 + kind));
  nc_graph_t g;
  float_graph_(&g, kind, &r);
  run_t rn;
  tmpdir_(&rn);
  char fm[256], calib[256], xf[256], xn[256], yp[256], st[256];
  path_(&rn, "f.onnx", fm);
  path_(&rn, "calib.npy", calib);
  path_(&rn, "xf.npy", xf);
  path_(&rn, "xn.npy", xn);
  path_(&rn, "y.npy", yp);
  path_(&rn, "s.json", st);
  cr_assert_eq(nc_onnx_save(&g, fm), NC_OK, "%s", nc_error_detail());
  /* 8 images of values 0..63: uint8 NCHW for --calib, float32 NCHW for
   * the ONNX models, uint8 NHWC for the network file. */
  enum { N = 8 };
  const int64_t cs[4] = {N, 4, 6, 6}, ns[4] = {N, 6, 6, 4};
  nc_tensor_t ci, cf, cn;
  cr_assert_eq(nc_tensor_alloc(&ci, NC_DTYPE_UINT8, 4, cs), NC_OK);
  cr_assert_eq(nc_tensor_alloc(&cn, NC_DTYPE_UINT8, 4, ns), NC_OK);
  nc_value_t x;
  cr_assert_eq(nc_value_alloc(&x, NC_ELEM_FLOAT32, 4, cs, "x"), NC_OK);
  for (size_t i = 0; i < ci.nbytes; i++) {
    const uint8_t v = (uint8_t)(nc_rng_next(&r) % 64);
    const size_t c = (i / 36) % 4, hw = i % 36, im = i / 144;
    ((uint8_t *)ci.data)[i] = v;
    ((uint8_t *)cn.data)[(im * 36 + hw) * 4 + c] = v;
    ((float *)x.data)[i] = v;
  }
  cr_assert_eq(nc_value_to_tensor(&x, &cf), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(calib, &ci), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(xf, &cf), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(xn, &cn), NC_OK);
  nc_value_t want;
  cr_assert_eq(nc_graph_run(&g, &x, &want), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_value_numel(&want), N * 10);
  static const char *const outs[3] = {"q.net", "q.onnx", "qdq.onnx"};
  static const char *const be[3] = {"cpu", "model", "rtl"};
  int32_t first[N * 10];
  for (int o = 0; o < 3; o++) {
    char qp[256];
    path_(&rn, outs[o], qp);
    run_(&rn, o == 0 ? (const char *[]){"quantize", fm, "--calib", calib,
                                        "--per-channel", "-o", qp, NULL}
                     : (const char *[]){"quantize", fm, "--calib", calib,
                                        "--per-channel", "--format",
                                        o == 2 ? "qdq" : "qoperator", "-o", qp,
                                        NULL});
    cr_assert_eq(rn.status, 0, "%s: %s", outs[o], rn.err);
    for (int b = 0; b < 3; b++) {
      run_(&rn,
           (const char *[]){"run", qp, "--input", o == 0 ? xn : xf, "--backend",
                            be[b], "--output", yp, "--stats", st, NULL});
      cr_assert_eq(rn.status, 0, "%s on %s: %s", outs[o], be[b], rn.err);
      int32_t got[N * 10 + 1];
      cr_assert_eq(npy_data_(yp, got, sizeof got), sizeof first, "%s on %s",
                   outs[o], be[b]);
      if (o == 0 && b == 0) {
        memcpy(first, got, sizeof first);
      }
      cr_assert_eq(memcmp(got, first, sizeof first), 0,
                   "%s on %s: not the network file's bytes on cpu", outs[o],
                   be[b]);
      static char js[65536];
      slurp_(st, js, sizeof js);
      const char *add = strstr(js, "{\"name\": \"add\"");
      if (kind == 0 && b == 2) {
        /* The Add runs in conv2's store path on the RTL. */
        cr_assert_not_null(add, "%s: %s", outs[o], js);
        const char *end = strchr(add, '}');
        const char *fu = strstr(add, "\"fused_into\": \"conv2\"");
        cr_assert(fu != NULL && fu < end, "%s: %.300s", outs[o], add);
      }
    }
  }
  if (kind == 1) {
    /* The concatenation copies bytes: both its inputs were quantized at
     * one scale and zero point (the union of their ranges). */
    char qp[256];
    path_(&rn, "q.onnx", qp);
    nc_graph_t q;
    cr_assert_eq(nc_onnx_load(qp, &q), NC_OK, "%s", nc_error_detail());
    static const char *const names[4] = {
        "conv1_scale", "conv2_scale", "conv1_zero_point", "conv2_zero_point"};
    const nc_value_t *v[4];
    for (int i = 0; i < 4; i++) {
      const int t = nc_graph_find(&q, names[i]);
      cr_assert_geq(t, 0, "%s", names[i]);
      v[i] = &q.tensors[t].value;
      cr_assert_eq(v[i]->nbytes, i < 2 ? 4u : 1u, "%s", names[i]);
    }
    cr_assert_eq(memcmp(v[0]->data, v[1]->data, 4), 0);
    cr_assert_eq(memcmp(v[2]->data, v[3]->data, 1), 0);
    nc_graph_free(&q);
  }
  /* The int8 model's top class is the float model's on every image, and
   * its raw int32 logits are the float ones at one scale k (the input's
   * times the weights', fitted here by least squares) within 4% of their
   * largest magnitude. */
  double qf = 0, qq = 0, fmax = 0, err = 0;
  for (int i = 0; i < N * 10; i++) {
    const double fl = ((const float *)want.data)[i];
    qf += fl * first[i];
    qq += (double)first[i] * first[i];
    fmax = fabs(fl) > fmax ? fabs(fl) : fmax;
  }
  cr_assert_gt(qq, 0);
  for (int i = 0; i < N; i++) {
    double fl[10], q[10];
    for (int j = 0; j < 10; j++) {
      fl[j] = ((const float *)want.data)[i * 10 + j];
      q[j] = first[i * 10 + j];
      const double e = fabs(q[j] * qf / qq - fl[j]);
      err = e > err ? e : err;
    }
    cr_assert_eq(argmax_(q, 10), argmax_(fl, 10), "image %d", i);
  }
  cr_assert_leq(err, 0.04 * fmax, "max error %g of %g", err, fmax);
  cr_log_info("kind %d: max error %g of %g", kind, err, fmax);
  nc_value_free(&want);
  nc_value_free(&x);
  nc_tensor_free(&ci);
  nc_tensor_free(&cf);
  nc_tensor_free(&cn);
  nc_graph_free(&g);
  cleanup_(&rn);
}

Test(cli_qdq, quantize_residual_add_runs_fused_on_every_backend) {
  quantize_branches_(0, "quantize_residual_add_runs_fused_on_every_backend");
}

Test(cli_qdq, quantize_concat_shares_one_scale) {
  quantize_branches_(1, "quantize_concat_shares_one_scale");
}

/* An operator quantize cannot map, a Concat of the graph input: one line
 * naming the node, no output. */
Test(cli_qdq, quantize_refuses_an_unmapped_node_by_name) {
  nc_rng_t r;
  nc_test_seed(&r, "cli_qdq", "quantize_refuses_an_unmapped_node_by_name", 1);
  nc_graph_t g;
  run_t rn;
  tmpdir_(&rn);
  for (int kind = 2; kind <= 3; kind++) {
    float_graph_(&g, kind, &r);
    char fm[256], calib[256], qp[256];
    path_(&rn, "f.onnx", fm);
    path_(&rn, "calib.npy", calib);
    path_(&rn, "q.onnx", qp);
    cr_assert_eq(nc_onnx_save(&g, fm), NC_OK, "%s", nc_error_detail());
    const int64_t cs[4] = {2, 4, 6, 6};
    nc_tensor_t ci;
    cr_assert_eq(nc_tensor_alloc(&ci, NC_DTYPE_UINT8, 4, cs), NC_OK);
    memset(ci.data, 7, ci.nbytes);
    cr_assert_eq(nc_tensor_save_npy(calib, &ci), NC_OK);
    nc_tensor_free(&ci);
    for (int fmt = 0; fmt < 2; fmt++) {
      run_(&rn, (const char *[]){"quantize", fm, "--calib", calib, "--format",
                                 fmt ? "qdq" : "qoperator", "-o", qp, NULL});
      cr_assert_neq(rn.status, 0);
      cr_assert(strstr(rn.err, kind == 2 ? "node 'sig' (Sigmoid)"
                                         : "node 'cat' (Concat)") != NULL,
                "%s", rn.err);
      cr_assert_eq(strchr(rn.err, '\n'), rn.err + strlen(rn.err) - 1, "%s",
                   rn.err);
      cr_assert_eq(access(qp, F_OK), -1, "an output was written");
    }
    nc_graph_free(&g);
  }
  cleanup_(&rn);
}
