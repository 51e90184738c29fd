/* Post-training quantization of a float32 ONNX graph into a network file
 * or an ONNX model: match its nodes to layers (and residual adds and
 * concatenations), calibrate on images, quantize, write .net and .npy or
 * .onnx. */
#include "neocog/quantize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/layer.h"
#include "neocog/onnx.h"
#include "neocog/text.h"

#define MAX_STAGES 64
/* The most inputs of a Concat. */
#define MAX_SRC 8
/* Calibration keeps at most this many samples of one activation. */
#define MAX_SAMPLES (1u << 22)

/* What a stage is: a layer, or an element-wise add or a concatenation of
 * other stages' outputs. */
typedef enum { OP_LAYER, OP_ADD, OP_CONCAT } stage_op_t;

/* One statement of the network file, matched from one or more nodes. */
typedef struct {
  stage_op_t op;
  nc_layer_kind_t kind; /* OP_LAYER */
  int src[MAX_SRC];     /* the stages read, in order; -1: the graph input */
  int nsrc;
  char name[64];
  const nc_graph_node_t *node; /* the main node, for messages */
  const nc_value_t *w;         /* conv OIHW / matmul [K, O] / gemm */
  nc_value_t w_view;           /* w reshaped by a constant Reshape */
  int trans_b;                 /* gemm: w is [O, K] */
  const nc_value_t *bias[2];   /* folded float32 biases (Conv B, Add) */
  int64_t o;                   /* output channels */
  int relu;                    /* a Relu folded in */
  int in_t, out_t;             /* tensors: stage input, stage output */
  int flat_t;                  /* fc: the 4-D tensor flattened, or -1 */
  int64_t k[2], s[2], d[2], p[4], group;
  int same; /* auto_pad SAME_UPPER */
  /* calibration */
  float *samples;
  size_t nsamples, seen, stride; /* every stride-th value is kept */
  double lo, hi;
  int ndim_out;
  int64_t shape_flat[NC_MAX_DIMS];
  /* quantized */
  int64_t per;    /* weights per output */
  int8_t *wq;     /* [o, per], the network's order (OHWI / NHWC rows) */
  int32_t *bq;    /* [o] */
  double *sw;     /* [o] weight scales */
  float *rs;      /* [o] requantization scales */
  double s_in;    /* input scale */
  int32_t zp_in;  /* input zero point */
  double s_out;   /* output scale */
  int32_t zp_out; /* output zero point */
} stage_t;

typedef struct {
  const nc_graph_t *g;
  stage_t st[MAX_STAGES];
  int n;
  int64_t nimages; /* calibration images */
  /* matching: per graph tensor the stage computing it (-1: the graph
   * input, -2: not yet known) and the 4-D tensor it flattens (or -1); per
   * node whether it is taken */
  int *tsrc, *tflat;
  unsigned char *done;
} chain_t;

static void aints_(const nc_graph_node_t *n, const char *name, int want,
                   int64_t d, int64_t *out) {
  const nc_attr_t *a = nc_graph_attr(n, name);
  for (int i = 0; i < want; i++) {
    out[i] =
        a != NULL && a->type == NC_ATTR_INTS && a->n == want ? a->ints[i] : d;
  }
}

static nc_status_t refuse_(const nc_graph_node_t *n, const char *why) {
  char sn[96], so[64];
  return nc__fail(NC_ERR_UNSUPPORTED,
                  "quantize: node '%s' (%s): %s (quantize maps Conv, "
                  "pooling, Reshape/Flatten, MatMul/Gemm, Add and Concat "
                  "onto network layers)",
                  nc__shown_str(n->name, sn, sizeof sn),
                  nc__shown_str(n->op, so, sizeof so), why);
}

/* The one node reading tensor t; NULL when none. *many when several. */
static const nc_graph_node_t *consumer_(const nc_graph_t *g, int t, int *many) {
  const nc_graph_node_t *found = NULL;
  *many = 0;
  for (int k = 0; k < g->nnodes; k++) {
    for (int i = 0; i < g->nodes[k].nin; i++) {
      if (g->nodes[k].in[i] == t) {
        *many |= found != NULL && found != &g->nodes[k];
        found = &g->nodes[k];
      }
    }
  }
  return found;
}

static const nc_value_t *const_(const nc_graph_t *g, const nc_graph_node_t *n,
                                int i) {
  if (i >= n->nin || n->in[i] < 0 || !g->tensors[n->in[i]].is_const) {
    return NULL;
  }
  const nc_value_t *v = &g->tensors[n->in[i]].value;
  return v->elem == NC_ELEM_FLOAT32 ? v : NULL;
}

/* A weight: a constant, or a constant reshaped by a Reshape node whose
 * inputs are constants (a view of the same data in `view`). */
static const nc_value_t *weight_of_(const nc_graph_t *g,
                                    const nc_graph_node_t *n, int i,
                                    nc_value_t *view) {
  const nc_value_t *v = const_(g, n, i);
  if (v != NULL || i >= n->nin || n->in[i] < 0) {
    return v;
  }
  const int p = g->tensors[n->in[i]].producer;
  if (p < 0 || strcmp(g->nodes[p].op, "Reshape") != 0) {
    return NULL;
  }
  const nc_graph_node_t *r = &g->nodes[p];
  const nc_value_t *data = const_(g, r, 0);
  const int sh = r->in[1];
  if (data == NULL || sh < 0 || !g->tensors[sh].is_const) {
    return NULL;
  }
  const nc_value_t *shape = &g->tensors[sh].value;
  if (shape->elem != NC_ELEM_INT64 || shape->ndim != 1 ||
      shape->shape[0] > NC_MAX_DIMS) {
    return NULL;
  }
  memset(view, 0, sizeof *view);
  view->elem = data->elem;
  view->ndim = (int)shape->shape[0];
  int64_t known = 1, infer = -1;
  for (int d = 0; d < view->ndim; d++) {
    int64_t e = ((const int64_t *)shape->data)[d];
    e = e == 0 && d < data->ndim ? data->shape[d] : e;
    if (e == -1) {
      infer = d;
      e = 1;
    }
    if (e < 0) {
      return NULL;
    }
    view->shape[d] = e;
    known *= e;
  }
  const int64_t n_el = (int64_t)nc_value_numel(data);
  if (infer >= 0 && known > 0) {
    view->shape[infer] = n_el / known;
  }
  if ((int64_t)nc_value_numel(view) != n_el) {
    return NULL;
  }
  view->data = data->data;
  view->nbytes = data->nbytes;
  return view;
}

/* Folds a following Add of a constant bias of `o` values (a layer's) and
 * a Relu, marking the nodes taken. */
static void fold_tail_(chain_t *c, stage_t *s) {
  const nc_graph_t *g = c->g;
  int many;
  const nc_graph_node_t *n = consumer_(g, s->out_t, &many);
  if (s->op == OP_LAYER && n != NULL && !many && strcmp(n->op, "Add") == 0 &&
      n->nin == 2 && s->out_t != g->outputs[0]) {
    const int other = n->in[0] == s->out_t ? 1 : 0;
    const nc_value_t *b = const_(g, n, other);
    if (b != NULL && (int64_t)nc_value_numel(b) == s->o) {
      s->bias[1] = b;
      s->out_t = n->out[0];
      c->done[n - g->nodes] = 1;
      n = consumer_(g, s->out_t, &many);
    }
  }
  if (n != NULL && !many && strcmp(n->op, "Relu") == 0 &&
      s->out_t != g->outputs[0]) {
    s->relu = 1;
    s->out_t = n->out[0];
    c->done[n - g->nodes] = 1;
  }
}

static void name_(stage_t *s, const char *from) {
  size_t j = 0;
  for (size_t i = 0; from[i] != '\0' && j + 1 < sizeof s->name; i++) {
    const char c = from[i];
    const int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '_' || c == '-';
    s->name[j++] = ok ? c : '_';
  }
  s->name[j] = '\0';
  if (j == 0) {
    snprintf(s->name, sizeof s->name, "layer");
  }
}

static nc_status_t geometry_(const nc_graph_node_t *n, stage_t *s) {
  aints_(n, "strides", 2, 1, s->s);
  aints_(n, "dilations", 2, 1, s->d);
  aints_(n, "pads", 4, 0, s->p);
  const char *ap = nc_graph_attr_str(n, "auto_pad", "NOTSET");
  if (strcmp(ap, "SAME_UPPER") == 0) {
    s->same = 1;
  } else if (strcmp(ap, "NOTSET") != 0 && strcmp(ap, "VALID") != 0) {
    return refuse_(n, "auto_pad SAME_LOWER has no network-file form");
  }
  return NC_OK;
}

/* The layer a Conv, pooling, MatMul or Gemm node n becomes, reading the
 * tensor t (a flattening of tensor `flat` when flat >= 0). */
static nc_status_t layer_(chain_t *c, const nc_graph_node_t *n, stage_t *s,
                          int flat) {
  const nc_graph_t *g = c->g;
  if (strcmp(n->op, "Conv") == 0) {
    s->kind = NC_LAYER_CONV2D;
    s->w = weight_of_(g, n, 1, &s->w_view);
    if (s->w == NULL || s->w->ndim != 4 || flat >= 0) {
      return refuse_(n,
                     "needs constant float32 OIHW weights on a 4-D "
                     "input");
    }
    s->o = s->w->shape[0];
    s->bias[0] = n->nin > 2 ? const_(g, n, 2) : NULL;
    s->group = nc_graph_attr_int(n, "group", 1);
    s->k[0] = s->w->shape[2];
    s->k[1] = s->w->shape[3];
    return geometry_(n, s);
  }
  if (strcmp(n->op, "MaxPool") == 0 || strcmp(n->op, "AveragePool") == 0) {
    s->kind = n->op[0] == 'M' ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL;
    aints_(n, "kernel_shape", 2, 1, s->k);
    nc_status_t st = geometry_(n, s);
    if (st != NC_OK) {
      return st;
    }
    if (nc_graph_attr_int(n, "ceil_mode", 0) != 0 || s->d[0] != 1 ||
        s->d[1] != 1 || flat >= 0) {
      return refuse_(n,
                     "ceil_mode and dilations have no network-file "
                     "form");
    }
    if (s->kind == NC_LAYER_AVGPOOL &&
        nc_graph_attr_int(n, "count_include_pad", 0) != 0 &&
        (s->same || s->p[0] || s->p[1] || s->p[2] || s->p[3])) {
      return refuse_(n,
                     "count_include_pad with padding has no "
                     "network-file form");
    }
    return NC_OK;
  }
  s->kind = NC_LAYER_FC;
  s->w = weight_of_(g, n, 1, &s->w_view);
  const int gemm = n->op[0] == 'G';
  s->trans_b = gemm && nc_graph_attr_int(n, "transB", 0) != 0;
  if (s->w == NULL || s->w->ndim != 2 ||
      (gemm && (nc_graph_attr_int(n, "transA", 0) != 0 ||
                nc_graph_attr(n, "alpha") != NULL ||
                nc_graph_attr(n, "beta") != NULL))) {
    return refuse_(n,
                   "needs constant float32 2-D weights, no transA, "
                   "alpha or beta");
  }
  s->o = s->w->shape[s->trans_b ? 0 : 1];
  s->bias[0] = gemm && n->nin > 2 ? const_(g, n, 2) : NULL;
  s->flat_t = flat;
  return NC_OK;
}

/* Whether node n's data inputs are known: the first input of a weighted
 * node or a Reshape, every input of the others. A node on constants alone
 * (a weight's Reshape) is no stage: *konst. */
static int ready_(const chain_t *c, const nc_graph_node_t *n, int *konst) {
  const int first = strcmp(n->op, "Conv") == 0 ||
                    strcmp(n->op, "MatMul") == 0 ||
                    strcmp(n->op, "Gemm") == 0 || strcmp(n->op, "Reshape") == 0;
  int known = 1, computed = 0;
  for (int i = 0; i < (first ? 1 : n->nin); i++) {
    const int t = n->in[i];
    if (t < 0 || c->g->tensors[t].is_const) {
      continue;
    }
    computed = 1;
    known &= c->tsrc[t] != -2;
  }
  *konst = !computed;
  return known;
}

/* Node n, whose inputs are known, as a stage (or an alias of its input). */
static nc_status_t take_(chain_t *c, const nc_graph_node_t *n) {
  const nc_graph_t *g = c->g;
  const int t = n->in[0];
  if (strcmp(n->op, "Identity") == 0 || strcmp(n->op, "Reshape") == 0 ||
      strcmp(n->op, "Flatten") == 0) {
    if (n->op[0] != 'I' && c->tflat[t] >= 0) {
      return refuse_(n, "two reshapes in a row");
    }
    c->tsrc[n->out[0]] = c->tsrc[t];
    c->tflat[n->out[0]] = n->op[0] == 'I' ? c->tflat[t] : t;
    return NC_OK;
  }
  if (c->n == MAX_STAGES) {
    return refuse_(n, "too many layers");
  }
  stage_t *s = &c->st[c->n];
  memset(s, 0, sizeof *s);
  s->node = n;
  s->in_t = t;
  s->flat_t = -1;
  s->out_t = n->out[0];
  s->group = 1;
  name_(s, n->name);
  nc_status_t st = NC_OK;
  if (strcmp(n->op, "Add") == 0 || strcmp(n->op, "Concat") == 0) {
    s->op = n->op[0] == 'A' ? OP_ADD : OP_CONCAT;
    if ((s->op == OP_ADD && n->nin != 2) || n->nin > MAX_SRC) {
      return refuse_(
          n, s->op == OP_ADD ? "needs two inputs" : "has more than 8 inputs");
    }
    const int64_t axis = nc_graph_attr_int(n, "axis", 1);
    if (s->op == OP_CONCAT && axis != 1 && axis != -3) {
      return refuse_(n,
                     "only a concatenation of channels (axis 1 of NCHW) "
                     "has a network-file form");
    }
    for (int i = 0; i < n->nin; i++) {
      const int u = n->in[i];
      if (u < 0 || g->tensors[u].is_const) {
        return refuse_(n,
                       "an input is a constant (only a conv's or fully "
                       "connected layer's bias add is folded)");
      }
      if (c->tflat[u] >= 0) {
        return refuse_(n, "an input is flattened");
      }
      const int p = c->tsrc[u];
      const stage_t *ps = p >= 0 ? &c->st[p] : NULL;
      if (s->op == OP_CONCAT &&
          (ps == NULL || ps->op == OP_CONCAT ||
           (ps->op == OP_LAYER &&
            (ps->kind == NC_LAYER_MAXPOOL || ps->kind == NC_LAYER_AVGPOOL)))) {
        return refuse_(n,
                       "an input is not the output of a conv, fully "
                       "connected layer or Add, whose scale could be "
                       "the concatenation's");
      }
      s->src[s->nsrc++] = p;
    }
  } else if (strcmp(n->op, "Conv") == 0 || strcmp(n->op, "MaxPool") == 0 ||
             strcmp(n->op, "AveragePool") == 0 ||
             strcmp(n->op, "MatMul") == 0 || strcmp(n->op, "Gemm") == 0) {
    s->op = OP_LAYER;
    s->src[s->nsrc++] = c->tsrc[t];
    st = layer_(c, n, s, c->tflat[t]);
    if (st == NC_OK && s->kind != NC_LAYER_MAXPOOL &&
        s->kind != NC_LAYER_AVGPOOL && s->bias[0] != NULL &&
        (int64_t)nc_value_numel(s->bias[0]) != s->o) {
      st = refuse_(n, "the bias must have one value per output channel");
    }
  } else {
    return refuse_(n, "operator not supported here");
  }
  if (st == NC_OK && s->kind != NC_LAYER_MAXPOOL &&
      s->kind != NC_LAYER_AVGPOOL && s->op != OP_CONCAT) {
    fold_tail_(c, s);
  }
  if (st == NC_OK) {
    c->tsrc[s->out_t] = c->n++;
  }
  return st;
}

/* Matches the graph's nodes, in an order that computes each one's inputs
 * first, to stages. */
static nc_status_t match_(chain_t *c) {
  const nc_graph_t *g = c->g;
  if (g->ninputs != 1 || g->noutputs != 1) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "quantize: the graph must have one "
                    "input and one output");
  }
  const nc_graph_tensor_t *in = &g->tensors[g->inputs[0]];
  if (in->elem != NC_ELEM_FLOAT32 || in->ndim != 4) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "quantize: the input must be float32 "
                    "NCHW images");
  }
  c->tsrc = malloc((size_t)g->ntensors * sizeof *c->tsrc);
  c->tflat = malloc((size_t)g->ntensors * sizeof *c->tflat);
  c->done = calloc((size_t)g->nnodes + 1, 1);
  if (c->tsrc == NULL || c->tflat == NULL || c->done == NULL) {
    return nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
  }
  for (int t = 0; t < g->ntensors; t++) {
    c->tsrc[t] = -2;
    c->tflat[t] = -1;
  }
  c->tsrc[g->inputs[0]] = -1;
  for (int progress = 1; progress;) {
    progress = 0;
    for (int k = 0; k < g->nnodes; k++) {
      const nc_graph_node_t *n = &g->nodes[k];
      int konst;
      if (c->done[k] || !ready_(c, n, &konst)) {
        continue;
      }
      c->done[k] = 1;
      progress = 1;
      nc_status_t st = konst || n->nout < 1 ? NC_OK : take_(c, n);
      if (st != NC_OK) {
        return st;
      }
    }
  }
  for (int k = 0; k < g->nnodes; k++) {
    if (!c->done[k]) {
      return refuse_(&g->nodes[k],
                     "its inputs are not computed from the graph's input");
    }
  }
  const int out = g->outputs[0];
  const int last = c->n - 1;
  if (c->n == 0 || c->tsrc[out] != last || c->tflat[out] >= 0 ||
      c->st[last].op != OP_LAYER || c->st[last].kind == NC_LAYER_MAXPOOL ||
      c->st[last].kind == NC_LAYER_AVGPOOL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "quantize: the graph must end in a "
                    "Conv, MatMul or Gemm");
  }
  /* Every stage but the last must be read: the last (raw int32) by none. */
  for (int i = 0; i < c->n; i++) {
    int readers = 0;
    for (int j = 0; j < c->n; j++) {
      for (int k = 0; k < c->st[j].nsrc; k++) {
        readers += c->st[j].src[k] == i;
      }
    }
    if (i < last && readers == 0) {
      return refuse_(c->st[i].node, "its output leads to no graph output");
    }
    if (i == last && readers > 0) {
      return refuse_(c->st[i].node,
                     "the last layer's output (raw int32) is read by "
                     "another node");
    }
  }
  return NC_OK;
}

/* Calibration: every stage's output values (sampled) and the flattened
 * tensors' shapes. */
static void observe_(void *ctx, int tensor, const nc_value_t *v) {
  chain_t *c = ctx;
  for (int i = 0; i < c->n; i++) {
    stage_t *s = &c->st[i];
    if (s->flat_t == tensor) {
      s->ndim_out = v->ndim;
      memcpy(s->shape_flat, v->shape, sizeof s->shape_flat);
    }
    if (s->out_t != tensor) {
      continue;
    }
    const float *d = v->data;
    const size_t n = nc_value_numel(v);
    if (s->stride == 0) {
      /* Evenly spread over every image: the stride that keeps the
       * samples of all of them within the buffer. */
      s->stride = 1 + n * (size_t)c->nimages / MAX_SAMPLES;
    }
    for (size_t j = 0; j < n; j++) {
      s->lo = d[j] < s->lo ? d[j] : s->lo;
      s->hi = d[j] > s->hi ? d[j] : s->hi;
      if (s->samples != NULL && s->seen++ % s->stride == 0 &&
          s->nsamples < MAX_SAMPLES) {
        s->samples[s->nsamples++] = d[j];
      }
    }
  }
}

static int cmp_float_(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* The flattened tensor's shape when it was produced by a constant path:
 * the observer sees only computed tensors, so a graph input is taken from
 * its declaration. */
static void flat_from_input_(chain_t *c) {
  for (int i = 0; i < c->n; i++) {
    stage_t *s = &c->st[i];
    if (s->flat_t >= 0 && s->ndim_out == 0) {
      const nc_graph_tensor_t *t = &c->g->tensors[s->flat_t];
      s->ndim_out = t->ndim;
      memcpy(s->shape_flat, t->shape, sizeof s->shape_flat);
    }
  }
}

static nc_status_t save_(const char *path, nc_dtype_t dt, int ndim,
                         const int64_t *shape, const void *data) {
  nc_tensor_t t;
  nc_status_t st = nc_tensor_alloc(&t, dt, ndim, shape);
  if (st == NC_OK) {
    memcpy(t.data, data, t.nbytes);
    st = nc_tensor_save_npy(path, &t);
  }
  nc_tensor_free(&t);
  return st;
}

/* The ONNX row of a fully connected layer's network input index i: the
 * network flattens (h, w, c), ONNX flattened the NCHW tensor as (c, h, w). */
static int64_t onnx_k_(const stage_t *s, int64_t i) {
  if (s->flat_t >= 0 && s->ndim_out == 4) {
    const int64_t C = s->shape_flat[1], H = s->shape_flat[2];
    const int64_t W = s->shape_flat[3];
    const int64_t cc = i % C, ww = (i / C) % W, hh = i / (C * W);
    return (cc * H + hh) * W + ww;
  }
  return i;
}

/* The weight of output o at OHWI / [O, I] position i, from the ONNX layout. */
static double weight_(const stage_t *s, int64_t o, int64_t i) {
  const float *w = s->w->data;
  if (s->kind == NC_LAYER_CONV2D) {
    /* OHWI index i = (ky * KW + kx) * Cg + ci  <-  OIHW */
    const int64_t cg = s->w->shape[1], kh = s->w->shape[2];
    const int64_t kw = s->w->shape[3];
    const int64_t ci = i % cg, kx = (i / cg) % kw, ky = i / (cg * kw);
    return w[((o * cg + ci) * kh + ky) * kw + kx];
  }
  const int64_t k = onnx_k_(s, i);
  const int64_t kk = s->w->shape[s->trans_b ? 1 : 0];
  return s->trans_b ? w[o * kk + k] : w[k * s->o + o];
}

/* The stage's calibrated output range, by the method: uint8, so it holds
 * 0 (and starts at 0 after a Relu). */
static void range_(stage_t *s, const nc_quantize_options_t *o) {
  double lo = s->lo, hi = s->hi;
  if (o->method == NC_CALIB_PERCENTILE && s->nsamples > 0) {
    qsort(s->samples, s->nsamples, sizeof *s->samples, cmp_float_);
    lo = s->samples[(size_t)((double)(s->nsamples - 1) * 0.0001)];
    hi = s->samples[(size_t)((double)(s->nsamples - 1) * 0.9999)];
  } else if (o->method == NC_CALIB_ENTROPY && s->nsamples > 0) {
    const int one_sided = s->relu || lo >= 0;
    const double t =
        nc__kl_threshold(s->samples, s->nsamples, fabs(lo) > hi ? fabs(lo) : hi,
                         one_sided ? 255 : 128, one_sided);
    hi = hi < t ? hi : t;
    lo = one_sided ? lo : (lo > -t ? lo : -t);
  }
  lo = s->relu || lo > 0 ? 0 : lo;
  s->lo = lo;
  s->hi = hi < lo + 1e-6 ? lo + 1e-6 : hi;
}

/* A concatenation copies bytes, so its inputs and output share one scale
 * and zero point: each takes the union of all their ranges (repeated
 * until no range grows, for an input read by two concatenations). */
static void share_concat_ranges_(chain_t *c) {
  for (int grew = 1; grew;) {
    grew = 0;
    for (int i = 0; i < c->n; i++) {
      stage_t *s = &c->st[i];
      if (s->op != OP_CONCAT) {
        continue;
      }
      double lo = c->st[s->src[0]].lo, hi = c->st[s->src[0]].hi;
      for (int k = 1; k < s->nsrc; k++) {
        lo = c->st[s->src[k]].lo < lo ? c->st[s->src[k]].lo : lo;
        hi = c->st[s->src[k]].hi > hi ? c->st[s->src[k]].hi : hi;
      }
      s->lo = lo, s->hi = hi;
      for (int k = 0; k < s->nsrc; k++) {
        stage_t *p = &c->st[s->src[k]];
        grew |= p->lo != lo || p->hi != hi;
        p->lo = lo, p->hi = hi;
      }
    }
  }
}

/* Quantizes every stage: int8 weights, int32 biases, output ranges and
 * scales (TFLite's scheme, docs/onnx.md). */
static nc_status_t quantize_(chain_t *c, const nc_quantize_options_t *o) {
  for (int i = 0; i < c->n; i++) {
    if (c->st[i].op != OP_CONCAT) {
      range_(&c->st[i], o);
    }
  }
  share_concat_ranges_(c);
  for (int i = 0; i < c->n; i++) {
    stage_t *s = &c->st[i];
    const int last = i == c->n - 1;
    const stage_t *from = s->src[0] >= 0 ? &c->st[s->src[0]] : NULL;
    const double s_in = from != NULL ? from->s_out : 1.0;
    const int32_t zp_in = from != NULL ? from->zp_out : 0;
    s->s_in = s_in;
    s->zp_in = zp_in;
    if (s->op == OP_LAYER &&
        (s->kind == NC_LAYER_MAXPOOL || s->kind == NC_LAYER_AVGPOOL)) {
      s->s_out = s_in;
      s->zp_out = zp_in;
      continue;
    }
    s->s_out = (s->hi - s->lo) / 255.0;
    s->zp_out = (int32_t)nearbyint(-s->lo / s->s_out);
    if (s->op != OP_LAYER) {
      continue;
    }
    /* Weights: symmetric int8, per output channel or per tensor (always
     * per tensor in the last layer, whose raw sums are compared). */
    const int64_t per = (int64_t)nc_value_numel(s->w) / s->o;
    const int pc = o->per_channel && !last;
    s->per = per;
    s->sw = calloc((size_t)s->o, sizeof *s->sw);
    s->wq = malloc((size_t)(s->o * per));
    s->bq = malloc((size_t)s->o * sizeof *s->bq);
    s->rs = malloc((size_t)s->o * sizeof *s->rs);
    if (s->sw == NULL || s->wq == NULL || s->bq == NULL || s->rs == NULL) {
      return nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
    }
    double all = 0;
    for (int64_t oc = 0; oc < s->o; oc++) {
      for (int64_t j = 0; j < per; j++) {
        const double a = fabs(weight_(s, oc, j));
        s->sw[oc] = a > s->sw[oc] ? a : s->sw[oc];
      }
      all = s->sw[oc] > all ? s->sw[oc] : all;
    }
    for (int64_t oc = 0; oc < s->o; oc++) {
      s->sw[oc] = (pc ? s->sw[oc] : all) / 127.0;
      s->sw[oc] = s->sw[oc] > 0 ? s->sw[oc] : 1.0;
      for (int64_t j = 0; j < per; j++) {
        double q = nearbyint(weight_(s, oc, j) / s->sw[oc]);
        q = q > 127 ? 127 : (q < -127 ? -127 : q);
        s->wq[oc * per + j] = (int8_t)q;
      }
      double b = 0;
      for (int k = 0; k < 2; k++) {
        b += s->bias[k] ? ((const float *)s->bias[k]->data)[oc] : 0.0;
      }
      const double bqd = nearbyint(b / (s_in * s->sw[oc]));
      s->bq[oc] = (int32_t)(bqd > 2147483647.0
                                ? 2147483647.0
                                : (bqd < -2147483648.0 ? -2147483648.0 : bqd));
    }
    /* Formed in float32 from the float32 scales, as ONNX's QLinearConv
     * forms x_scale * w_scale / y_scale, so that the network file and the
     * ONNX model requantize alike. */
    for (int64_t oc = 0; oc < s->o; oc++) {
      s->rs[oc] = ((float)s_in * (float)s->sw[oc]) / (float)s->s_out;
    }
  }
  return NC_OK;
}

static const char *calib_name_(nc_calib_method_t m) {
  return m == NC_CALIB_MINMAX       ? "min/max"
         : m == NC_CALIB_PERCENTILE ? "percentile"
                                    : "entropy (KL)";
}

#define KL_BINS 2048

/* Spreads eps of probability onto the empty bins of a distribution of n
 * bins (taking it evenly from the others), so that a KL divergence stays
 * finite; returns 0 when every bin is empty. */
static int smooth_(double *p, int n) {
  const double eps = 1e-4;
  int zeros = 0;
  double sum = 0;
  for (int k = 0; k < n; k++) {
    zeros += p[k] == 0;
    sum += p[k];
  }
  if (zeros == n || sum <= 0) {
    return 0;
  }
  const double take = eps * zeros / (double)(n - zeros);
  for (int k = 0; k < n; k++) {
    p[k] = p[k] / sum + (p[k] == 0 ? eps : -take);
  }
  return 1;
}

double nc__kl_threshold(const float *v, size_t n, double amax, int levels,
                        int one_sided) {
  if (n == 0 || !(amax > 0) || levels < 2 || levels > KL_BINS) {
    return amax;
  }
  double *hist = calloc(KL_BINS, sizeof *hist);
  double *p = malloc(KL_BINS * sizeof *p);
  double *q = malloc(KL_BINS * sizeof *q);
  if (hist == NULL || p == NULL || q == NULL) {
    free(hist), free(p), free(q);
    return amax;
  }
  /* The histogram of |x| (of x >= 0 when one-sided) over [0, amax]. */
  const double width = amax / KL_BINS;
  for (size_t i = 0; i < n; i++) {
    const double x = one_sided ? v[i] : fabs(v[i]);
    if (x < 0) {
      continue;
    }
    int b = (int)(x / width);
    hist[b < KL_BINS ? b : KL_BINS - 1] += 1;
  }
  double best_kl = INFINITY;
  int best = KL_BINS;
  for (int i = levels; i <= KL_BINS; i++) {
    /* P: the first i bins, the clipped tail folded into the last. */
    double tail = 0;
    for (int k = i; k < KL_BINS; k++) {
      tail += hist[k];
    }
    memcpy(p, hist, (size_t)i * sizeof *p);
    p[i - 1] += tail;
    /* Q: those i bins merged into `levels` and spread back evenly over
     * the bins that held something. */
    const int merged = i / levels;
    for (int j = 0; j < levels; j++) {
      const int a = j * merged, b = j == levels - 1 ? i : a + merged;
      double sum = 0;
      int nz = 0;
      for (int k = a; k < b; k++) {
        sum += hist[k];
        nz += hist[k] != 0;
      }
      for (int k = a; k < b; k++) {
        q[k] = hist[k] != 0 && nz > 0 ? sum / nz : 0;
      }
    }
    if (!smooth_(p, i) || !smooth_(q, i)) {
      continue;
    }
    double kl = 0;
    for (int k = 0; k < i; k++) {
      kl += p[k] > 0 && q[k] > 0 ? p[k] * log(p[k] / q[k]) : 0;
    }
    if (kl < best_kl) {
      best_kl = kl;
      best = i;
    }
  }
  free(hist), free(p), free(q);
  return ((double)best + 0.5) * width > amax ? amax
                                             : ((double)best + 0.5) * width;
}

/* The network file's name of stage i's output (-1: the input). */
static const char *src_name_(const chain_t *c, int i) {
  return i < 0 ? "input" : c->st[i].name;
}

/* Stage i's output scale (-1: the input, raw pixels). */
static double s_of_(const chain_t *c, int i) {
  return i < 0 ? 1.0 : c->st[i].s_out;
}

static nc_status_t write_net_(chain_t *c, const nc_quantize_options_t *o,
                              int64_t nimages, const int64_t *in_shape,
                              const char *out_net) {
  char stem[1100], path[2400], base[1100];
  if (strlen(out_net) >= 1024) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "quantize: the output path is too "
                    "long");
  }
  snprintf(stem, sizeof stem, "%s", out_net);
  const size_t sl = strlen(stem);
  if (sl > 4 && strcmp(stem + sl - 4, ".net") == 0) {
    stem[sl - 4] = '\0';
  }
  const char *slash = strrchr(stem, '/');
  const char *file_stem = slash != NULL ? slash + 1 : stem;
  char tmp[1200];
  snprintf(tmp, sizeof tmp, "%s.tmp", out_net);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    return nc__fail(NC_ERR_IO, "quantize: cannot write %s", out_net);
  }
  fprintf(f,
          "# Quantized by neocog quantize from %s: %s ranges over %lld "
          "calibration images, %s int8 weights,\n# int32 bias, uint8 "
          "activations, TFLite requantization; the last layer's output "
          "is raw int32.\n",
          o->source ? o->source : "an ONNX model", calib_name_(o->method),
          (long long)nimages, o->per_channel ? "per-channel" : "per-tensor");
  fprintf(f, "input shape=%lldx%lldx%lld dtype=uint8 zp=0\n",
          (long long)in_shape[2], (long long)in_shape[3],
          (long long)in_shape[1]);
  nc_status_t st = NC_OK;
  for (int i = 0; i < c->n && st == NC_OK; i++) {
    stage_t *s = &c->st[i];
    const int last = i == c->n - 1;
    if (s->op != OP_LAYER) {
      /* add: TFLite's 8-bit addition at the float32 scales, printed
       * exactly, as the ONNX model's QDQ Add gives them; concat: a copy,
       * its inputs at its own scale and zero point. */
      fprintf(f, "%s name=%s inputs=", s->op == OP_ADD ? "add" : "concat",
              s->name);
      for (int k = 0; k < s->nsrc; k++) {
        fprintf(f, "%s%s", k ? "," : "", src_name_(c, s->src[k]));
      }
      if (s->op == OP_ADD) {
        fprintf(f, " in_scales=%.17g,%.17g out_scale=%.17g out_zp=%d%s",
                (double)(float)s_of_(c, s->src[0]),
                (double)(float)s_of_(c, s->src[1]), (double)(float)s->s_out,
                (int)s->zp_out, s->relu ? " act=relu" : "");
      }
      fprintf(f, "\n");
      continue;
    }
    /* The input, named where it is not the previous statement's output. */
    char from[96] = "";
    if (s->src[0] != i - 1) {
      snprintf(from, sizeof from, " input=%s", src_name_(c, s->src[0]));
    }
    if (s->kind == NC_LAYER_MAXPOOL || s->kind == NC_LAYER_AVGPOOL) {
      fprintf(f, "%s name=%s%s size=%lldx%lld stride=%lldx%lld",
              nc_layer_kind_name(s->kind), s->name, from, (long long)s->k[0],
              (long long)s->k[1], (long long)s->s[0], (long long)s->s[1]);
      if (s->same) {
        fprintf(f, " pad=same");
      } else {
        fprintf(f, " pad=%lld,%lld,%lld,%lld", (long long)s->p[0],
                (long long)s->p[2], (long long)s->p[1], (long long)s->p[3]);
      }
      fprintf(f, "\n");
      continue;
    }
    const int64_t per = s->per;
    char wn[1200], bn[1200], sn[1200];
    snprintf(wn, sizeof wn, "%s.%s.w.npy", file_stem, s->name);
    snprintf(bn, sizeof bn, "%s.%s.b.npy", file_stem, s->name);
    snprintf(sn, sizeof sn, "%s.%s.s.npy", file_stem, s->name);
    snprintf(base, sizeof base, "%.*s", (int)(file_stem - stem), stem);
    const int64_t kk = s->kind == NC_LAYER_CONV2D ? s->k[0] * s->k[1] : 1;
    int64_t wshape[4] = {s->o, s->k[0], s->k[1], per / kk};
    int64_t fshape[2] = {s->o, per};
    snprintf(path, sizeof path, "%s%s", base, wn);
    st = s->kind == NC_LAYER_CONV2D
             ? save_(path, NC_DTYPE_INT8, 4, wshape, s->wq)
             : save_(path, NC_DTYPE_INT8, 2, fshape, s->wq);
    snprintf(path, sizeof path, "%s%s", base, bn);
    if (st == NC_OK) {
      st = save_(path, NC_DTYPE_INT32, 1, &s->o, s->bq);
    }
    snprintf(path, sizeof path, "%s%s", base, sn);
    if (st == NC_OK && !last) {
      st = save_(path, NC_DTYPE_FLOAT32, 1, &s->o, s->rs);
    }
    if (s->kind == NC_LAYER_CONV2D) {
      fprintf(f,
              "conv2d name=%s%s weights=%s bias=%s stride=%lldx%lld "
              "dilation=%lldx%lld",
              s->name, from, wn, bn, (long long)s->s[0], (long long)s->s[1],
              (long long)s->d[0], (long long)s->d[1]);
      if (s->group != 1) {
        fprintf(f, " groups=%lld", (long long)s->group);
      }
      if (s->same) {
        fprintf(f, " pad=same");
      } else {
        fprintf(f, " pad=%lld,%lld,%lld,%lld", (long long)s->p[0],
                (long long)s->p[2], (long long)s->p[1], (long long)s->p[3]);
      }
    } else {
      fprintf(f, "fc name=%s%s weights=%s bias=%s", s->name, from, wn, bn);
    }
    if (!last) {
      fprintf(f, " scales=%s out_dtype=uint8 out_zp=%d%s", sn, (int)s->zp_out,
              s->relu ? " act=relu" : "");
    }
    fprintf(f, "\n");
  }
  const int bad = ferror(f) != 0;
  if (fclose(f) != 0 || bad) {
    st = st != NC_OK
             ? st
             : nc__fail(NC_ERR_IO, "quantize: write failed: %s", out_net);
  }
  if (st == NC_OK && rename(tmp, out_net) != 0) {
    st = nc__fail(NC_ERR_IO, "quantize: cannot write %s", out_net);
  }
  if (st != NC_OK) {
    remove(tmp);
  }
  return st;
}

/* ---- the quantized model as ONNX (QOperator form) --------------------- */

/* A new constant of `n` values of `elem` from doubles (rounded). */
static nc_status_t const_of_(nc_graph_t *g, const char *name, int elem,
                             int ndim, const int64_t *shape, const double *v,
                             int *t) {
  nc_value_t x;
  nc_status_t st = nc_value_alloc(&x, elem, ndim, shape, name);
  for (size_t i = 0; st == NC_OK && i < nc_value_numel(&x); i++) {
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
      case NC_ELEM_INT32:
        ((int32_t *)x.data)[i] = (int32_t)v[i];
        break;
      default:
        ((int64_t *)x.data)[i] = (int64_t)v[i];
        break;
    }
  }
  if (st == NC_OK) {
    st = nc_graph_add_tensor(g, name, elem, ndim, shape, &x, 0, t);
  }
  return st;
}

/* The stage's window attributes on node k. */
static nc_status_t window_attrs_(nc_graph_t *g, int k, const stage_t *s,
                                 int conv) {
  const int64_t pads[4] = {s->p[0], s->p[1], s->p[2], s->p[3]};
  nc_status_t st =
      nc_graph_add_attr(g, k, "kernel_shape", NC_ATTR_INTS, 2, s->k, 0, NULL);
  if (st == NC_OK) {
    st = nc_graph_add_attr(g, k, "strides", NC_ATTR_INTS, 2, s->s, 0, NULL);
  }
  if (st == NC_OK && s->same) {
    st = nc_graph_add_attr(g, k, "auto_pad", NC_ATTR_STRING, 0, NULL, 0,
                           "SAME_UPPER");
  } else if (st == NC_OK) {
    st = nc_graph_add_attr(g, k, "pads", NC_ATTR_INTS, 4, pads, 0, NULL);
  }
  if (st == NC_OK && conv) {
    st = nc_graph_add_attr(g, k, "dilations", NC_ATTR_INTS, 2, s->d, 0, NULL);
  }
  if (st == NC_OK && conv) {
    st = nc_graph_add_attr(g, k, "group", NC_ATTR_INT, 1, &s->group, 0, NULL);
  }
  return st;
}

/* Builds the quantized graph: QuantizeLinear of the float input (scale 1),
 * QLinearConv per inner conv (with `qdq`, a float Conv between
 * DequantizeLinear and QuantizeLinear nodes), MaxPool on uint8, Flatten,
 * and the last layer as ConvInteger / MatMulInteger plus an Add of its
 * int32 bias. */
/* node(in) -> a new float tensor called `<name>_float`, in *y. */
static nc_status_t node_to_(nc_graph_t *g, const char *name, const char *op,
                            int nin, const int *in, int *y, int *k) {
  char nm[200];
  snprintf(nm, sizeof nm, "%s_float", name);
  nc_status_t st = nc_graph_add_tensor(g, nm, 0, -1, NULL, NULL, 0, y);
  if (st == NC_OK) {
    st = nc_graph_add_node(g, name, op, nin, in, 1, y, k);
  }
  return st;
}

/* QDQ form of an inner conv: DequantizeLinear of x, of the int8 weights
 * (per output channel) and of the int32 bias (at scale x_scale * w_scale,
 * formed in float32) into a float32 Conv, then QuantizeLinear to (tys,
 * tyz) as tensor y. */
static nc_status_t qdq_conv_(nc_graph_t *g, const stage_t *s, int x, int xscale,
                             int xzp, double xs, int tw, int tws, int twz,
                             int tb, int tys, int tyz, int y) {
  char nm[160];
  int xf, wf, bf, cf, tbs, k;
  const int64_t o = s->o;
  double *bs = malloc((size_t)o * sizeof *bs);
  if (bs == NULL) {
    return nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
  }
  for (int64_t oc = 0; oc < o; oc++) {
    bs[oc] = (double)((float)xs * (float)s->sw[oc]);
  }
  snprintf(nm, sizeof nm, "%s_B_scale", s->name);
  nc_status_t st = const_of_(g, nm, NC_ELEM_FLOAT32, 1, &o, bs, &tbs);
  free(bs);
  const int64_t axis0 = 0;
  const int ix[3] = {x, xscale, xzp}, iw[3] = {tw, tws, twz}, ib[2] = {tb, tbs};
  snprintf(nm, sizeof nm, "%s_x_dq", s->name);
  if (st == NC_OK) {
    st = node_to_(g, nm, "DequantizeLinear", 3, ix, &xf, NULL);
  }
  snprintf(nm, sizeof nm, "%s_W_dq", s->name);
  if (st == NC_OK) {
    st = node_to_(g, nm, "DequantizeLinear", 3, iw, &wf, &k);
  }
  if (st == NC_OK) {
    st = nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &axis0, 0, NULL);
  }
  snprintf(nm, sizeof nm, "%s_B_dq", s->name);
  if (st == NC_OK) {
    st = node_to_(g, nm, "DequantizeLinear", 2, ib, &bf, &k);
  }
  if (st == NC_OK) {
    st = nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &axis0, 0, NULL);
  }
  const int ic[3] = {xf, wf, bf};
  if (st == NC_OK) {
    st = node_to_(g, s->name, "Conv", 3, ic, &cf, &k);
  }
  if (st == NC_OK) {
    st = window_attrs_(g, k, s, 1);
  }
  const int iq[3] = {cf, tys, tyz};
  snprintf(nm, sizeof nm, "%s_q", s->name);
  if (st == NC_OK) {
    st = nc_graph_add_node(g, nm, "QuantizeLinear", 3, iq, 1, &y, NULL);
  }
  return st;
}

/* An add in QDQ form: DequantizeLinear of a and of b (each {tensor, scale,
 * zero point}) into a float32 Add [-> Relu], then QuantizeLinear to the
 * stage's scale and uint8 zero point (*tys, *tyz) as tensor y. */
static nc_status_t qdq_add_(nc_graph_t *g, const stage_t *s, const int *a,
                            const int *b, int y, int *tys, int *tyz) {
  char nm[160];
  int af, bf, sum;
  snprintf(nm, sizeof nm, "%s_a_dq", s->name);
  nc_status_t st = node_to_(g, nm, "DequantizeLinear", 3, a, &af, NULL);
  snprintf(nm, sizeof nm, "%s_b_dq", s->name);
  if (st == NC_OK) {
    st = node_to_(g, nm, "DequantizeLinear", 3, b, &bf, NULL);
  }
  const int ab[2] = {af, bf};
  if (st == NC_OK) {
    st = node_to_(g, s->name, "Add", 2, ab, &sum, NULL);
  }
  snprintf(nm, sizeof nm, "%s_relu", s->name);
  if (st == NC_OK && s->relu) {
    const int r = sum;
    st = node_to_(g, nm, "Relu", 1, &r, &sum, NULL);
  }
  const double ysd = s->s_out, yzd = s->zp_out;
  snprintf(nm, sizeof nm, "%s_scale", s->name);
  if (st == NC_OK) {
    st = const_of_(g, nm, NC_ELEM_FLOAT32, 0, NULL, &ysd, tys);
  }
  snprintf(nm, sizeof nm, "%s_zero_point", s->name);
  if (st == NC_OK) {
    st = const_of_(g, nm, NC_ELEM_UINT8, 0, NULL, &yzd, tyz);
  }
  const int iq[3] = {sum, *tys, *tyz};
  snprintf(nm, sizeof nm, "%s_q", s->name);
  if (st == NC_OK) {
    st = nc_graph_add_node(g, nm, "QuantizeLinear", 3, iq, 1, &y, NULL);
  }
  return st;
}

static nc_status_t build_onnx_(const chain_t *c, const int64_t *in_shape,
                               int qdq, nc_graph_t *g) {
  snprintf(g->name, sizeof g->name, "%.58s_int8", c->g->name);
  g->opset = 13;
  char nm[160];
  int t_in, x, k;
  const int64_t xs[4] = {-1, in_shape[1], in_shape[2], in_shape[3]};
  nc_status_t st =
      nc_graph_add_tensor(g, "input", NC_ELEM_FLOAT32, 4, xs, NULL, 1, &t_in);
  int sc1, zp0;
  const double one = 1.0, zero = 0.0;
  if (st == NC_OK) {
    st = const_of_(g, "input_scale", NC_ELEM_FLOAT32, 0, NULL, &one, &sc1);
  }
  if (st == NC_OK) {
    st = const_of_(g, "input_zero_point", NC_ELEM_UINT8, 0, NULL, &zero, &zp0);
  }
  if (st == NC_OK) {
    st = nc_graph_add_tensor(g, "input_q", 0, -1, NULL, NULL, 0, &x);
  }
  if (st == NC_OK) {
    const int in[3] = {t_in, sc1, zp0};
    st = nc_graph_add_node(g, "quantize_input", "QuantizeLinear", 3, in, 1, &x,
                           NULL);
  }
  const int x_in = x;
  /* Per stage: its output tensor, the tensors of its scale and zero
   * point, and the scale's value. */
  int qy[MAX_STAGES], qs[MAX_STAGES], qz[MAX_STAGES];
  double qsv[MAX_STAGES];
  for (int i = 0; st == NC_OK && i < c->n; i++) {
    const stage_t *s = &c->st[i];
    const int last = i == c->n - 1;
    const int from = s->src[0];
    x = from < 0 ? x_in : qy[from];
    int xscale = from < 0 ? sc1 : qs[from], xzp = from < 0 ? zp0 : qz[from];
    const double xsv = from < 0 ? 1.0 : qsv[from]; /* the value of xscale */
    int y;
    snprintf(nm, sizeof nm, "%s_out", s->name);
    st = nc_graph_add_tensor(g, nm, 0, -1, NULL, NULL, 0, &y);
    if (st != NC_OK) {
      break;
    }
    qy[i] = y, qs[i] = xscale, qz[i] = xzp, qsv[i] = xsv;
    if (s->op == OP_ADD) {
      const int p = s->src[1];
      const int a[3] = {x, xscale, xzp};
      const int b[3] = {p < 0 ? x_in : qy[p], p < 0 ? sc1 : qs[p],
                        p < 0 ? zp0 : qz[p]};
      st = qdq_add_(g, s, a, b, y, &qs[i], &qz[i]);
      qsv[i] = s->s_out;
      continue;
    }
    if (s->op == OP_CONCAT) {
      /* uint8 bytes side by side: its inputs share its scale and zero
       * point (quantize_), those of its first input's tensors. */
      int ins[MAX_SRC];
      for (int k2 = 0; k2 < s->nsrc; k2++) {
        ins[k2] = qy[s->src[k2]];
      }
      const int64_t one_i = 1;
      st = nc_graph_add_node(g, s->name, "Concat", s->nsrc, ins, 1, &y, &k);
      if (st == NC_OK) {
        st = nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &one_i, 0, NULL);
      }
      continue;
    }
    if (s->kind == NC_LAYER_AVGPOOL) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "quantize: '%s': AveragePool on uint8 has no ONNX "
                      "operator form here; write a network file (.net)",
                      s->name);
    }
    if (s->kind == NC_LAYER_MAXPOOL) {
      st = nc_graph_add_node(g, s->name, "MaxPool", 1, &x, 1, &y, &k);
      if (st == NC_OK) {
        st = window_attrs_(g, k, s, 0);
      }
      x = y;
      continue;
    }
    if (s->kind == NC_LAYER_FC && !last) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "quantize: '%s': a fully connected layer before the "
                      "last has no ONNX form here; write a network file "
                      "(.net)",
                      s->name);
    }
    if (s->kind == NC_LAYER_FC && s->flat_t >= 0) {
      int f;
      snprintf(nm, sizeof nm, "%s_flat", s->name);
      st = nc_graph_add_tensor(g, nm, 0, -1, NULL, NULL, 0, &f);
      if (st == NC_OK) {
        st = nc_graph_add_node(g, nm, "Flatten", 1, &x, 1, &f, &k);
      }
      const int64_t one_i = 1;
      if (st == NC_OK) {
        st = nc_graph_add_attr(g, k, "axis", NC_ATTR_INT, 1, &one_i, 0, NULL);
      }
      x = f;
    }
    /* Weights in ONNX's layout: conv OIHW, fc B [K, O]. */
    const int64_t per = s->per, o = s->o;
    double *wv = malloc((size_t)(o * per) * sizeof *wv);
    double *ov = malloc((size_t)o * sizeof *ov);
    if (wv == NULL || ov == NULL) {
      free(wv), free(ov);
      return nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
    }
    int64_t wshape[4];
    if (s->kind == NC_LAYER_CONV2D) {
      const int64_t cg = s->w->shape[1], kh = s->w->shape[2];
      const int64_t kw = s->w->shape[3];
      memcpy(wshape, s->w->shape, sizeof wshape);
      for (int64_t oc = 0; oc < o; oc++) {
        for (int64_t j = 0; j < per; j++) {
          const int64_t ci = j % cg, kx = (j / cg) % kw, ky = j / (cg * kw);
          wv[((oc * cg + ci) * kh + ky) * kw + kx] = s->wq[oc * per + j];
        }
      }
    } else {
      wshape[0] = per, wshape[1] = o;
      for (int64_t oc = 0; oc < o; oc++) {
        for (int64_t j = 0; j < per; j++) {
          wv[onnx_k_(s, j) * o + oc] = s->wq[oc * per + j];
        }
      }
    }
    int tw, tb;
    snprintf(nm, sizeof nm, "%s_W", s->name);
    st = const_of_(g, nm, NC_ELEM_INT8, s->kind == NC_LAYER_CONV2D ? 4 : 2,
                   wshape, wv, &tw);
    free(wv);
    for (int64_t oc = 0; oc < o; oc++) {
      ov[oc] = s->bq[oc];
    }
    const int64_t bshape[4] = {1, o, 1, 1};
    snprintf(nm, sizeof nm, "%s_B", s->name);
    if (st == NC_OK) {
      st = const_of_(g, nm, NC_ELEM_INT32,
                     last && s->kind == NC_LAYER_CONV2D ? 4 : 1,
                     last && s->kind == NC_LAYER_CONV2D ? bshape : &o, ov, &tb);
    }
    if (st == NC_OK && !last) {
      int tws, twz, tys, tyz;
      for (int64_t oc = 0; oc < o; oc++) {
        ov[oc] = s->sw[oc];
      }
      snprintf(nm, sizeof nm, "%s_W_scale", s->name);
      st = const_of_(g, nm, NC_ELEM_FLOAT32, 1, &o, ov, &tws);
      memset(ov, 0, (size_t)o * sizeof *ov);
      snprintf(nm, sizeof nm, "%s_W_zero_point", s->name);
      if (st == NC_OK) {
        st = const_of_(g, nm, NC_ELEM_INT8, 1, &o, ov, &twz);
      }
      const double ysd = s->s_out, yzd = s->zp_out;
      snprintf(nm, sizeof nm, "%s_scale", s->name);
      if (st == NC_OK) {
        st = const_of_(g, nm, NC_ELEM_FLOAT32, 0, NULL, &ysd, &tys);
      }
      snprintf(nm, sizeof nm, "%s_zero_point", s->name);
      if (st == NC_OK) {
        st = const_of_(g, nm, NC_ELEM_UINT8, 0, NULL, &yzd, &tyz);
      }
      const int in[9] = {x, xscale, xzp, tw, tws, twz, tys, tyz, tb};
      if (st == NC_OK && qdq) {
        st =
            qdq_conv_(g, s, x, xscale, xzp, xsv, tw, tws, twz, tb, tys, tyz, y);
      } else if (st == NC_OK) {
        st = nc_graph_add_node(g, s->name, "QLinearConv", 9, in, 1, &y, &k);
        if (st == NC_OK) {
          st = window_attrs_(g, k, s, 1);
        }
      }
      qs[i] = tys, qz[i] = tyz;
      qsv[i] = s->s_out;
    } else if (st == NC_OK) {
      /* The last layer: raw int32 sums plus the bias. */
      int acc;
      snprintf(nm, sizeof nm, "%s_acc", s->name);
      st = nc_graph_add_tensor(g, nm, 0, -1, NULL, NULL, 0, &acc);
      const int in[3] = {x, tw, xzp};
      const int conv = s->kind == NC_LAYER_CONV2D;
      if (st == NC_OK) {
        st = nc_graph_add_node(g, s->name,
                               conv ? "ConvInteger" : "MatMulInteger", 3, in, 1,
                               &acc, &k);
      }
      if (st == NC_OK && conv) {
        st = window_attrs_(g, k, s, 1);
      }
      const int ab[2] = {acc, tb};
      snprintf(nm, sizeof nm, "%s_bias", s->name);
      if (st == NC_OK) {
        st = nc_graph_add_node(g, nm, "Add", 2, ab, 1, &y, NULL);
      }
      if (st == NC_OK) {
        g->tensors[y].elem = NC_ELEM_INT32;
        g->tensors[y].ndim = conv ? 4 : 2;
        for (int d = 0; d < 4; d++) {
          g->tensors[y].shape[d] = -1;
        }
        g->tensors[y].shape[1] = o;
        st = nc_graph_add_output(g, y);
      }
    }
    free(ov);
    x = y;
  }
  if (st == NC_OK) {
    st = nc_graph_check(g);
  }
  return st;
}

static int ends_with_(const char *s, const char *tail) {
  const size_t n = strlen(s), t = strlen(tail);
  return n > t && strcmp(s + n - t, tail) == 0;
}

nc_status_t nc_quantize_graph(const nc_graph_t *g, const nc_tensor_t *images,
                              const nc_quantize_options_t *o,
                              const char *out_net) {
  if (g == NULL || images == NULL || o == NULL || out_net == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "quantize: NULL argument");
  }
  chain_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
  }
  c->g = g;
  c->nimages = images->shape[0];
  nc_status_t st = match_(c);
  const nc_graph_tensor_t *in = st == NC_OK ? &g->tensors[g->inputs[0]] : NULL;
  int64_t per = 1, xs[NC_MAX_DIMS];
  if (st == NC_OK) {
    for (int d = 1; d < 4; d++) {
      per *= in->shape[d];
    }
    if (images->dtype != NC_DTYPE_UINT8 || images->ndim < 2 || per <= 0 ||
        (int64_t)nc_tensor_numel(images) != per * images->shape[0] ||
        images->shape[0] < 1) {
      st = nc__fail(NC_ERR_SHAPE,
                    "quantize: the calibration images must be "
                    "uint8 with %lld values each",
                    (long long)per);
    }
  }
  nc_value_t x = {0}, y = {0};
  if (st == NC_OK) {
    memcpy(xs, in->shape, sizeof xs);
    xs[0] = 1;
    st = nc_value_alloc(&x, NC_ELEM_FLOAT32, 4, xs, "calibration input");
  }
  for (int i = 0; st == NC_OK && i < c->n; i++) {
    c->st[i].lo = INFINITY;
    c->st[i].hi = -INFINITY;
    if (o->method == NC_CALIB_PERCENTILE || o->method == NC_CALIB_ENTROPY) {
      c->st[i].samples = malloc(MAX_SAMPLES * sizeof(float));
      if (c->st[i].samples == NULL) {
        st = nc__fail(NC_ERR_NOMEM, "quantize: out of memory");
      }
    }
  }
  for (int64_t im = 0; st == NC_OK && im < images->shape[0]; im++) {
    const uint8_t *p = (const uint8_t *)images->data + im * per;
    for (int64_t e = 0; e < per; e++) {
      ((float *)x.data)[e] = p[e];
    }
    st = nc_graph_run_observed(g, &x, &y, observe_, c);
    nc_value_free(&y);
  }
  if (st == NC_OK) {
    flat_from_input_(c);
    st = quantize_(c, o);
  }
  if (st == NC_OK && ends_with_(out_net, ".onnx")) {
    nc_graph_t q;
    memset(&q, 0, sizeof q);
    st = build_onnx_(c, in->shape, o->qdq, &q);
    if (st == NC_OK) {
      st = nc_onnx_save(&q, out_net);
    }
    nc_graph_free(&q);
  } else if (st == NC_OK) {
    st = write_net_(c, o, images->shape[0], in->shape, out_net);
  }
  nc_value_free(&x);
  free(c->tsrc);
  free(c->tflat);
  free(c->done);
  for (int i = 0; i < c->n; i++) {
    free(c->st[i].samples);
    free(c->st[i].wq);
    free(c->st[i].bq);
    free(c->st[i].sw);
    free(c->st[i].rs);
  }
  free(c);
  return st;
}
