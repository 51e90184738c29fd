/* Which graph nodes become layers, and the layers they become
 * (neocog/lower.h). */
#include "neocog/lower.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host/graph_internal.h"
#include "neocog/error.h"
#include "neocog/text.h"

/* Constant input i of node n, or NULL when omitted or computed. */
static const nc_value_t *cin_(const nc_graph_t *g, const nc_graph_node_t *n,
                              int i) {
  if (i >= n->nin || n->in[i] < 0 || !g->tensors[n->in[i]].is_const) {
    return NULL;
  }
  return &g->tensors[n->in[i]].value;
}

/* Whether input i is omitted. */
static int absent_(const nc_graph_node_t *n, int i) {
  return i >= n->nin || n->in[i] < 0;
}

static double at_(const nc_value_t *v, size_t i) {
  return nc__value_at(v, i);
}

/* All values zero (an absent zero point is zero). */
static int zeros_(const nc_value_t *v) {
  for (size_t i = 0; v != NULL && i < nc_value_numel(v); i++) {
    if (at_(v, i) != 0) {
      return 0;
    }
  }
  return 1;
}

static int is_8bit_(int elem) {
  return elem == NC_ELEM_UINT8 || elem == NC_ELEM_INT8;
}

/* A scalar (one value) of an 8-bit type: a zero point per tensor. */
static int zp_ok_(const nc_value_t *v) {
  return v != NULL && is_8bit_(v->elem) && nc_value_numel(v) == 1;
}

static int ints_(const nc_graph_node_t *n, const char *name, int want,
                 int64_t def, int64_t *out) {
  const nc_attr_t *a = nc_graph_attr(n, name);
  if (a != NULL && (a->type != NC_ATTR_INTS || a->n != want)) {
    return 0;
  }
  for (int i = 0; i < want; i++) {
    out[i] = a != NULL ? a->ints[i] : def;
    if (out[i] < 0 || out[i] > 1 << 16) {
      return 0;
    }
  }
  return 1;
}

/* Strides, pads, dilations and auto_pad of a Conv/pool node into a layer;
 * 0 when the layer cannot express them (SAME_LOWER, out-of-range
 * values). */
static int window_(const nc_graph_node_t *n, nc_layer_t *l, int dilations) {
  int64_t s[2], d[2], p[4];
  if (!ints_(n, "strides", 2, 1, s) || !ints_(n, "dilations", 2, 1, d) ||
      !ints_(n, "pads", 4, 0, p) || s[0] < 1 || s[1] < 1 || d[0] < 1 ||
      d[1] < 1 || (!dilations && (d[0] != 1 || d[1] != 1))) {
    return 0;
  }
  l->stride_h = (int)s[0], l->stride_w = (int)s[1];
  l->dil_h = (int)d[0], l->dil_w = (int)d[1];
  const char *ap = nc_graph_attr_str(n, "auto_pad", "NOTSET");
  if (strcmp(ap, "SAME_UPPER") == 0) {
    l->pad_mode = NC_PAD_SAME;
  } else if (strcmp(ap, "VALID") == 0) {
    l->pad_mode = NC_PAD_EXPLICIT;
  } else if (strcmp(ap, "NOTSET") == 0) {
    l->pad_mode = NC_PAD_EXPLICIT;
    l->pad_top = (int)p[0], l->pad_left = (int)p[1];
    l->pad_bottom = (int)p[2], l->pad_right = (int)p[3];
  } else {
    return 0;
  }
  return 1;
}

/* The element type of tensor t where it can be told before a run: declared,
 * constant, or what its producer makes of its inputs. 0 when unknown. */
static int elem_of_(const nc_graph_t *g, int t, int depth) {
  if (t < 0 || depth > 64) {
    return 0;
  }
  const nc_graph_tensor_t *gt = &g->tensors[t];
  if (gt->is_const) {
    return gt->value.elem;
  }
  if (gt->producer < 0) {
    return gt->elem;
  }
  const nc_graph_node_t *n = &g->nodes[gt->producer];
  const char *op = n->op;
  if (strcmp(op, "QLinearConv") == 0 || strcmp(op, "QLinearMatMul") == 0) {
    return elem_of_(g, n->in[7], depth + 1);
  }
  if (strcmp(op, "QuantizeLinear") == 0) {
    return absent_(n, 2) ? NC_ELEM_UINT8 : elem_of_(g, n->in[2], depth + 1);
  }
  if (strcmp(op, "ConvInteger") == 0 || strcmp(op, "MatMulInteger") == 0) {
    return NC_ELEM_INT32;
  }
  if (strcmp(op, "DequantizeLinear") == 0 || strcmp(op, "Softmax") == 0 ||
      strcmp(op, "Sigmoid") == 0 || strcmp(op, "Gemm") == 0) {
    return NC_ELEM_FLOAT32;
  }
  static const char *const same[] = {
      "MaxPool", "AveragePool", "Reshape", "Flatten", "Transpose", "Identity",
      "Relu",    "Clip",        "Concat",  "Conv",    "MatMul",    "Add",
      "Mul",     "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
    if (strcmp(op, same[i]) == 0) {
      return n->nin > 0 ? elem_of_(g, n->in[0], depth + 1) : 0;
    }
  }
  return 0;
}

/* OIHW (or [O, I] for fc given `kt` = 1) weights into OHWI as `dt`. */
static nc_status_t ohwi_(const nc_value_t *w, nc_dtype_t dt, nc_tensor_t *t) {
  const int64_t o = w->shape[0], c = w->shape[1];
  const int64_t kh = w->shape[2], kw = w->shape[3];
  const int64_t shape[4] = {o, kh, kw, c};
  nc_status_t st = nc_tensor_alloc(t, dt, 4, shape);
  if (st != NC_OK) {
    return st;
  }
  const size_t es = nc_dtype_size(dt);
  const char *src = w->data;
  char *dst = t->data;
  for (int64_t a = 0; a < o; a++) {
    for (int64_t ci = 0; ci < c; ci++) {
      for (int64_t y = 0; y < kh; y++) {
        for (int64_t x = 0; x < kw; x++) {
          const int64_t from = ((a * c + ci) * kh + y) * kw + x;
          const int64_t to = ((a * kh + y) * kw + x) * c + ci;
          memcpy(dst + (size_t)to * es, src + (size_t)from * es, es);
        }
      }
    }
  }
  return NC_OK;
}

/* B [K, O] (or [O, K] when `trans`) into fc weights [O, K] as `dt`. */
static nc_status_t fc_w_(const nc_value_t *b, int trans, nc_dtype_t dt,
                         nc_tensor_t *t) {
  const int64_t k = b->shape[trans ? 1 : 0], o = b->shape[trans ? 0 : 1];
  const int64_t shape[2] = {o, k};
  nc_status_t st = nc_tensor_alloc(t, dt, 2, shape);
  if (st != NC_OK) {
    return st;
  }
  const size_t es = nc_dtype_size(dt);
  for (int64_t a = 0; a < o; a++) {
    for (int64_t q = 0; q < k; q++) {
      const int64_t from = trans ? a * k + q : q * o + a;
      memcpy((char *)t->data + (size_t)(a * k + q) * es,
             (const char *)b->data + (size_t)from * es, es);
    }
  }
  return NC_OK;
}

/* A constant [O] bias value as a tensor of `dt`. */
static nc_status_t bias_(const nc_value_t *b, nc_dtype_t dt, nc_tensor_t *t) {
  const int64_t o = (int64_t)nc_value_numel(b);
  nc_status_t st = nc_tensor_alloc(t, dt, 1, &o);
  if (st == NC_OK) {
    memcpy(t->data, b->data, t->nbytes);
  }
  return st;
}

/* Requantization to `yzp`'s type with scale x_s * w_s[c] / y_s per channel,
 * each product in float32 as ONNX's reference forms it. 0 when a scale has
 * no TFLite multiplier (not finite, <= 0, >= 2^30) or too many channels. */
static int requant_(nc_requant_t *rq, const nc_value_t *xs,
                    const nc_value_t *ws, const nc_value_t *ys,
                    const nc_value_t *yzp, int64_t m) {
  const size_t nw = nc_value_numel(ws);
  if (nc_value_numel(xs) != 1 || nc_value_numel(ys) != 1 ||
      (nw != 1 && (int64_t)nw != m) || m > NC_RQ_MAX_CHANNELS ||
      xs->elem != NC_ELEM_FLOAT32 || ws->elem != NC_ELEM_FLOAT32 ||
      ys->elem != NC_ELEM_FLOAT32 || !zp_ok_(yzp)) {
    return 0;
  }
  const nc_dtype_t dt =
      yzp->elem == NC_ELEM_UINT8 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8;
  const float x = (float)at_(xs, 0), y = (float)at_(ys, 0);
  if (nc_requant_init(rq, dt, (double)((x * (float)at_(ws, 0)) / y),
                      (int32_t)at_(yzp, 0)) != NC_OK) {
    return 0;
  }
  if (nw > 1) {
    rq->channels = (int)m;
    for (int64_t c = 0; c < m; c++) {
      const float s = (x * (float)at_(ws, (size_t)c)) / y;
      if (nc_quantize_multiplier((double)s, &rq->mult[c], &rq->shift[c]) !=
          NC_OK) {
        return 0;
      }
    }
  }
  return nc_requant_validate(rq) == NC_OK;
}

/* An 8-bit input zero point per tensor (absent: 0) into the layer. */
static int in_zp_(const nc_graph_t *g, const nc_graph_node_t *n, int i,
                  nc_layer_t *l) {
  if (absent_(n, i)) {
    return 1;
  }
  const nc_value_t *z = cin_(g, n, i);
  if (!zp_ok_(z)) {
    return 0;
  }
  l->in_zp = l->pad_value = (int32_t)at_(z, 0);
  return 1;
}

/* Conv-like nodes: QLinearConv, ConvInteger, Conv. Returns 1 lowered,
 * 0 not, or a negative status. */
static nc_status_t conv_(const nc_graph_t *g, const nc_graph_node_t *n,
                         int flags, nc_lowered_node_t *ln, int *ok) {
  const int q = strcmp(n->op, "QLinearConv") == 0;
  const int ci = strcmp(n->op, "ConvInteger") == 0;
  const int fl = strcmp(n->op, "Conv") == 0;
  *ok = 0;
  if (!(((q || ci) && (flags & NC_LOWER_INT)) ||
        (fl && (flags & NC_LOWER_FLOAT)))) {
    return NC_OK;
  }
  const nc_value_t *w = cin_(g, n, q ? 3 : 1);
  if (w == NULL || w->ndim != 4 || w->shape[0] < 1 ||
      w->elem != (fl ? NC_ELEM_FLOAT32 : NC_ELEM_INT8)) {
    return NC_OK;
  }
  nc_layer_t *l = &ln->layer;
  nc_layer_init(l, NC_LAYER_CONV2D);
  int64_t ks[2];
  if (!window_(n, l, 1) || !ints_(n, "kernel_shape", 2, 0, ks) ||
      (nc_graph_attr(n, "kernel_shape") != NULL &&
       (ks[0] != w->shape[2] || ks[1] != w->shape[3]))) {
    return NC_OK;
  }
  const int64_t group = nc_graph_attr_int(n, "group", 1);
  if (group < 1 || group > 1 << 16 || w->shape[0] % group != 0) {
    return NC_OK;
  }
  l->groups = (int)group;
  const int64_t m = w->shape[0];
  const nc_value_t *b = NULL;
  if (q) {
    if (!in_zp_(g, n, 2, l) || !zeros_(cin_(g, n, 5)) || cin_(g, n, 5) == NULL ||
        cin_(g, n, 1) == NULL || cin_(g, n, 4) == NULL ||
        cin_(g, n, 6) == NULL ||
        !requant_(&l->rq, cin_(g, n, 1), cin_(g, n, 4), cin_(g, n, 6),
                  cin_(g, n, 7), m)) {
      return NC_OK;
    }
    if (!absent_(n, 8)) {
      b = cin_(g, n, 8);
      if (b == NULL || b->elem != NC_ELEM_INT32 ||
          (int64_t)nc_value_numel(b) != m) {
        return NC_OK;
      }
    }
  } else if (ci) {
    if (!in_zp_(g, n, 2, l) ||
        (!absent_(n, 3) && (cin_(g, n, 3) == NULL || !zeros_(cin_(g, n, 3))))) {
      return NC_OK;
    }
  } else {
    if (!absent_(n, 2)) {
      b = cin_(g, n, 2);
      if (b == NULL || b->elem != NC_ELEM_FLOAT32 ||
          (int64_t)nc_value_numel(b) != m) {
        return NC_OK;
      }
    }
  }
  const nc_dtype_t wd = fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8;
  nc_status_t st = ohwi_(w, wd, &ln->weights);
  if (st == NC_OK && b != NULL) {
    st = bias_(b, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT32, &ln->bias);
  }
  *ok = st == NC_OK;
  return st;
}

/* MatMul-like nodes: QLinearMatMul, MatMulInteger, MatMul, Gemm. */
static nc_status_t fc_(const nc_graph_t *g, const nc_graph_node_t *n, int flags,
                       nc_lowered_node_t *ln, int *ok) {
  const int q = strcmp(n->op, "QLinearMatMul") == 0;
  const int mi = strcmp(n->op, "MatMulInteger") == 0;
  const int mm = strcmp(n->op, "MatMul") == 0;
  const int gm = strcmp(n->op, "Gemm") == 0;
  *ok = 0;
  if (!(((q || mi) && (flags & NC_LOWER_INT)) ||
        ((mm || gm) && (flags & NC_LOWER_FLOAT)))) {
    return NC_OK;
  }
  const nc_value_t *b = cin_(g, n, q ? 3 : 1);
  const int trans = gm && nc_graph_attr_int(n, "transB", 0) != 0;
  if (b == NULL || b->ndim != 2 || b->shape[0] < 1 || b->shape[1] < 1 ||
      b->elem != (q || mi ? NC_ELEM_INT8 : NC_ELEM_FLOAT32)) {
    return NC_OK;
  }
  const int64_t o = b->shape[trans ? 0 : 1];
  nc_layer_t *l = &ln->layer;
  nc_layer_init(l, NC_LAYER_FC);
  const nc_value_t *bias = NULL;
  if (q) {
    if (!in_zp_(g, n, 2, l) || cin_(g, n, 5) == NULL ||
        !zeros_(cin_(g, n, 5)) || cin_(g, n, 1) == NULL ||
        cin_(g, n, 4) == NULL || cin_(g, n, 6) == NULL ||
        !requant_(&l->rq, cin_(g, n, 1), cin_(g, n, 4), cin_(g, n, 6),
                  cin_(g, n, 7), o)) {
      return NC_OK;
    }
  } else if (mi) {
    if (!in_zp_(g, n, 2, l) ||
        (!absent_(n, 3) && (cin_(g, n, 3) == NULL || !zeros_(cin_(g, n, 3))))) {
      return NC_OK;
    }
  } else if (gm) {
    const nc_attr_t *al = nc_graph_attr(n, "alpha");
    const nc_attr_t *be = nc_graph_attr(n, "beta");
    if (nc_graph_attr_int(n, "transA", 0) != 0 || (al != NULL && al->f != 1) ||
        (be != NULL && be->f != 1)) {
      return NC_OK;
    }
    if (!absent_(n, 2)) {
      bias = cin_(g, n, 2);
      if (bias == NULL || bias->elem != NC_ELEM_FLOAT32 ||
          (int64_t)nc_value_numel(bias) != o ||
          (bias->ndim == 2 && bias->shape[0] != 1)) {
        return NC_OK;
      }
    }
  }
  const nc_dtype_t wd = q || mi ? NC_DTYPE_INT8 : NC_DTYPE_FLOAT32;
  nc_status_t st = fc_w_(b, trans, wd, &ln->weights);
  if (st == NC_OK && bias != NULL) {
    st = bias_(bias, NC_DTYPE_FLOAT32, &ln->bias);
  }
  *ok = st == NC_OK;
  return st;
}

/* MaxPool / AveragePool as a layer, for an input of type `elem`. */
static int pool_(const nc_graph_t *g, const nc_graph_node_t *n, int flags,
                 nc_layer_t *l) {
  const int mx = strcmp(n->op, "MaxPool") == 0;
  if (!mx && strcmp(n->op, "AveragePool") != 0) {
    return 0;
  }
  const int elem = elem_of_(g, n->in[0], 0);
  const int fl = elem == NC_ELEM_FLOAT32;
  if (!((fl && (flags & NC_LOWER_FLOAT)) ||
        (mx && is_8bit_(elem) && (flags & NC_LOWER_INT)))) {
    return 0;
  }
  for (int o = 1; o < n->nout; o++) {
    if (n->out[o] >= 0) {
      return 0; /* MaxPool's indices */
    }
  }
  int64_t k[2];
  nc_layer_init(l, mx ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
  if (nc_graph_attr(n, "kernel_shape") == NULL ||
      !ints_(n, "kernel_shape", 2, 1, k) || k[0] < 1 || k[1] < 1 ||
      !window_(n, l, 0) || nc_graph_attr_int(n, "ceil_mode", 0) != 0) {
    return 0;
  }
  /* The layer's average counts the valid taps only. */
  if (!mx && nc_graph_attr_int(n, "count_include_pad", 0) != 0 &&
      (l->pad_mode == NC_PAD_SAME || l->pad_top || l->pad_bottom ||
       l->pad_left || l->pad_right)) {
    return 0;
  }
  l->pool_h = (int)k[0], l->pool_w = (int)k[1];
  return 1;
}

/* The one node reading tensor t, or -1 (none, several, or an output). */
static int sole_reader_(const nc_graph_t *g, int t) {
  for (int o = 0; o < g->noutputs; o++) {
    if (g->outputs[o] == t) {
      return -1;
    }
  }
  int found = -1;
  for (int k = 0; k < g->nnodes; k++) {
    for (int i = 0; i < g->nodes[k].nin; i++) {
      if (g->nodes[k].in[i] == t) {
        if (found >= 0) {
          return -1;
        }
        found = k;
      }
    }
  }
  return found;
}

/* ---- QDQ form -------------------------------------------------------- */

/* The node producing tensor t when it is an `op` node, else -1. */
static int made_by_(const nc_graph_t *g, int t, const char *op) {
  if (t < 0) {
    return -1;
  }
  const int p = g->tensors[t].producer;
  return p >= 0 && strcmp(g->nodes[p].op, op) == 0 ? p : -1;
}

/* A QuantizeLinear / DequantizeLinear node's constant scale (float32) and
 * zero point (NULL when omitted), per tensor or along axis `axis` (resolved
 * against a value of rank `rank`). No blocks and no output_dtype. */
typedef struct {
  const nc_value_t *s; /* scale */
  const nc_value_t *z; /* zero point, or NULL */
  int axis;            /* -1 per tensor, else the axis */
} qparam_t;

static int qparam_(const nc_graph_t *g, const nc_graph_node_t *n, int rank,
                   qparam_t *q) {
  q->s = cin_(g, n, 1);
  q->z = absent_(n, 2) ? NULL : cin_(g, n, 2);
  q->axis = -1;
  if (q->s == NULL || q->s->elem != NC_ELEM_FLOAT32 || q->s->ndim > 1 ||
      (!absent_(n, 2) && q->z == NULL) ||
      nc_graph_attr_int(n, "block_size", 0) != 0 ||
      nc_graph_attr(n, "output_dtype") != NULL ||
      (q->z != NULL && nc_value_numel(q->z) != nc_value_numel(q->s))) {
    return 0;
  }
  for (size_t i = 0; i < nc_value_numel(q->s); i++) {
    const double v = at_(q->s, i);
    if (!(v > 0) || v > 1e30) {
      return 0; /* the evaluator would make inf or nan of it */
    }
  }
  /* One scale (of rank 0 or 1) is per tensor, as the evaluator takes it. */
  if (nc_value_numel(q->s) != 1) {
    int64_t ax = nc_graph_attr_int(n, "axis", 1);
    ax = ax < 0 ? ax + rank : ax;
    if (ax < 0 || ax >= rank) {
      return 0;
    }
    q->axis = (int)ax;
  }
  return 1;
}

/* Per tensor with an 8-bit zero point of type `elem` (omitted: uint8 0);
 * *zp receives it. */
static int qparam_tensor_(const qparam_t *q, int elem, int32_t *zp) {
  *zp = 0;
  if (q->axis != -1 || (q->z == NULL && elem != NC_ELEM_UINT8) ||
      (q->z != NULL && ((int)q->z->elem != elem || !is_8bit_(elem)))) {
    return 0;
  }
  *zp = q->z != NULL ? (int32_t)at_(q->z, 0) : 0;
  return 1;
}

/* The rank of tensor t where it can be told before a run, else -1. */
static int rank_of_(const nc_graph_t *g, int t, int depth) {
  if (t < 0 || depth > 64) {
    return -1;
  }
  const nc_graph_tensor_t *gt = &g->tensors[t];
  if (gt->is_const) {
    return gt->value.ndim;
  }
  if (gt->producer < 0) {
    return gt->ndim;
  }
  const nc_graph_node_t *n = &g->nodes[gt->producer];
  if (strcmp(n->op, "Flatten") == 0 || strcmp(n->op, "Gemm") == 0) {
    return 2;
  }
  if (strcmp(n->op, "Reshape") == 0) {
    const nc_value_t *s = cin_(g, n, 1);
    return s != NULL && s->ndim == 1 ? (int)s->shape[0] : -1;
  }
  if (strcmp(n->op, "MatMul") == 0) {
    const nc_value_t *b = NULL;
    const int p = made_by_(g, n->in[1], "DequantizeLinear");
    b = p >= 0 ? cin_(g, &g->nodes[p], 0) : cin_(g, n, 1);
    return b != NULL && b->ndim == 2 ? rank_of_(g, n->in[0], depth + 1) : -1;
  }
  static const char *const same[] = {"QuantizeLinear", "DequantizeLinear",
                                     "Relu", "Clip", "Identity"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
    if (strcmp(n->op, same[i]) == 0) {
      return rank_of_(g, n->in[0], depth + 1);
    }
  }
  return -1;
}

/* The int32 bias of a QDQ conv / fc from input i of node n, given the
 * accumulator scale x_s * w_s[c] per channel (float32, as ONNX forms it):
 * either DequantizeLinear of an int32 constant with exactly that scale and
 * zero point 0 (*dq receives that node), or a float32 constant each of
 * whose values is an integer multiple q of the scale with float32(q * s)
 * equal to it. 0 when neither. */
static nc_status_t qdq_bias_(const nc_graph_t *g, const nc_graph_node_t *n,
                             int i, float xs, const nc_value_t *ws, int64_t o,
                             nc_tensor_t *t, int *dq, int *ok) {
  *ok = 0;
  *dq = -1;
  if (absent_(n, i)) {
    *ok = 1;
    return NC_OK;
  }
  const int p = made_by_(g, n->in[i], "DequantizeLinear");
  const nc_value_t *b = p >= 0 ? cin_(g, &g->nodes[p], 0) : cin_(g, n, i);
  if (b == NULL || (int64_t)nc_value_numel(b) != o ||
      (b->ndim != 1 &&
       !(strcmp(n->op, "Gemm") == 0 && b->ndim == 2 && b->shape[0] == 1)) ||
      b->elem != (p >= 0 ? NC_ELEM_INT32 : NC_ELEM_FLOAT32)) {
    return NC_OK;
  }
  qparam_t q = {0};
  if (p >= 0 && (!qparam_(g, &g->nodes[p], b->ndim, &q) || !zeros_(q.z) ||
                 (q.axis != -1 && q.axis != b->ndim - 1))) {
    return NC_OK;
  }
  const int64_t shape[1] = {o};
  nc_status_t st = nc_tensor_alloc(t, NC_DTYPE_INT32, 1, shape);
  if (st != NC_OK) {
    return st;
  }
  const size_t nw = nc_value_numel(ws);
  for (int64_t c = 0; c < o; c++) {
    const float s = xs * (float)at_(ws, nw == 1 ? 0 : (size_t)c);
    double v = 0;
    if (p >= 0) {
      const size_t nq = nc_value_numel(q.s);
      if ((float)at_(q.s, nq == 1 ? 0 : (size_t)c) != s) {
        nc_tensor_free(t);
        return NC_OK;
      }
      v = at_(b, (size_t)c);
    } else {
      const float f = (float)at_(b, (size_t)c);
      v = nearbyint((double)f / (double)s);
      if (fabs(v) > 2147483647.0 || (float)(v * (double)s) != f) {
        nc_tensor_free(t);
        return NC_OK;
      }
    }
    ((int32_t *)t->data)[c] = (int32_t)v;
  }
  *dq = p;
  *ok = 1;
  return NC_OK;
}

/* Marks node r as fused into node k (`add`: part of its fused Add). */
static void fuse_(nc_lowering_t *out, int r, int k, int add) {
  out->node[r].where = NC_NODE_FUSED;
  out->node[r].into = k;
  out->node[r].add_part = add;
}

/* Marks the DequantizeLinear node p fused into node k when k alone reads
 * it (else it runs on the host, its value unused by the layer). */
static void fuse_dq_(const nc_graph_t *g, nc_lowering_t *out, int p, int k,
                     int add) {
  if (p >= 0 && sole_reader_(g, g->nodes[p].out[0]) == k) {
    fuse_(out, p, k, add);
  }
}

/* QDQ form (NC_LOWER_INT): DequantizeLinear of an 8-bit x (per tensor) and
 * of a constant int8 w (per tensor or per output channel, zero point 0)
 * into a float32 Conv, MatMul (2-D A) or Gemm (no transA, alpha = beta =
 * 1) [-> Relu] -> QuantizeLinear (per tensor, 8-bit): the integer conv2d
 * or fc a QLinearConv / QLinearMatMul becomes. */
static nc_status_t qdq_(const nc_graph_t *g, int k, nc_lowering_t *out,
                        int *ok) {
  const nc_graph_node_t *n = &g->nodes[k];
  nc_lowered_node_t *ln = &out->node[k];
  const int cv = strcmp(n->op, "Conv") == 0;
  const int mm = strcmp(n->op, "MatMul") == 0;
  const int gm = strcmp(n->op, "Gemm") == 0;
  *ok = 0;
  if ((!cv && !mm && !gm) || n->nin < 2) {
    return NC_OK;
  }
  const int dx = made_by_(g, n->in[0], "DequantizeLinear");
  const int dw = made_by_(g, n->in[1], "DequantizeLinear");
  if (dx < 0 || dw < 0) {
    return NC_OK;
  }
  const int src = g->nodes[dx].in[0];
  const int xe = elem_of_(g, src, 0);
  const nc_value_t *w = cin_(g, &g->nodes[dw], 0);
  qparam_t qx, qw, qy;
  int32_t xzp = 0, yzp = 0;
  if (!is_8bit_(xe) || !qparam_(g, &g->nodes[dx], 4, &qx) ||
      !qparam_tensor_(&qx, xe, &xzp) || w == NULL ||
      w->elem != NC_ELEM_INT8 || w->ndim != (cv ? 4 : 2) ||
      w->shape[0] < 1 || w->shape[1] < 1 ||
      !qparam_(g, &g->nodes[dw], w->ndim, &qw) || !zeros_(qw.z) ||
      (qw.z != NULL && qw.z->elem != NC_ELEM_INT8)) {
    return NC_OK;
  }
  const int trans = gm && nc_graph_attr_int(n, "transB", 0) != 0;
  const int oaxis = cv || trans ? 0 : 1;
  const int64_t o = w->shape[oaxis];
  if (qw.axis != -1 && qw.axis != oaxis) {
    return NC_OK;
  }
  if (mm && rank_of_(g, src, 0) != 2) {
    return NC_OK; /* the fc layer takes [N, K] only */
  }
  if (gm) {
    const nc_attr_t *al = nc_graph_attr(n, "alpha");
    const nc_attr_t *be = nc_graph_attr(n, "beta");
    if (nc_graph_attr_int(n, "transA", 0) != 0 || (al != NULL && al->f != 1) ||
        (be != NULL && be->f != 1)) {
      return NC_OK;
    }
  }
  /* The tail: [Relu ->] QuantizeLinear, each the sole reader. */
  int t = n->out[0];
  int r = sole_reader_(g, t), relu = -1;
  if (r >= 0 && strcmp(g->nodes[r].op, "Relu") == 0) {
    relu = r;
    t = g->nodes[r].out[0];
    r = sole_reader_(g, t);
  }
  if (r < 0 || strcmp(g->nodes[r].op, "QuantizeLinear") != 0 ||
      g->nodes[r].in[0] != t || !qparam_(g, &g->nodes[r], 4, &qy)) {
    return NC_OK;
  }
  const int ye = qy.z != NULL ? (int)qy.z->elem : NC_ELEM_UINT8;
  if (!qparam_tensor_(&qy, ye, &yzp)) {
    return NC_OK;
  }
  nc_layer_t *l = &ln->layer;
  nc_layer_init(l, cv ? NC_LAYER_CONV2D : NC_LAYER_FC);
  if (cv) {
    int64_t ks[2];
    const int64_t group = nc_graph_attr_int(n, "group", 1);
    if (!window_(n, l, 1) || !ints_(n, "kernel_shape", 2, 0, ks) ||
        (nc_graph_attr(n, "kernel_shape") != NULL &&
         (ks[0] != w->shape[2] || ks[1] != w->shape[3])) ||
        group < 1 || group > 1 << 16 || o % group != 0) {
      return NC_OK;
    }
    l->groups = (int)group;
  }
  l->in_zp = l->pad_value = xzp;
  /* requant_() takes zero points as values: an omitted one is uint8 0. */
  uint8_t zero = 0;
  const nc_value_t z0 = {.elem = NC_ELEM_UINT8, .data = &zero, .nbytes = 1};
  if (!requant_(&l->rq, qx.s, qw.s, qy.s, qy.z != NULL ? qy.z : &z0, o)) {
    return NC_OK;
  }
  if (relu >= 0) {
    nc_requant_clamp_relu(&l->rq);
  }
  int db = -1, bok = 0;
  nc_status_t st = qdq_bias_(g, n, 2, (float)at_(qx.s, 0), qw.s, o, &ln->bias,
                             &db, &bok);
  if (st != NC_OK || !bok) {
    return st;
  }
  st = cv ? ohwi_(w, NC_DTYPE_INT8, &ln->weights)
          : fc_w_(w, trans, NC_DTYPE_INT8, &ln->weights);
  if (st != NC_OK) {
    return st;
  }
  ln->src = src;
  ln->out_node = r;
  fuse_dq_(g, out, dx, k, 0);
  fuse_dq_(g, out, dw, k, 0);
  fuse_dq_(g, out, db, k, 0);
  if (relu >= 0) {
    fuse_(out, relu, k, 0);
  }
  fuse_(out, r, k, 0);
  *ok = 1;
  return NC_OK;
}

/* A quantized Add in QDQ form after lowered node k, whose 8-bit output is
 * tensor `t`: DequantizeLinear(t) (read by nothing else) and
 * DequantizeLinear(s), s an 8-bit tensor of t's type that exists before
 * node k runs, -> Add [-> Relu] -> QuantizeLinear, all per tensor. Fused
 * into k's store path as TFLite's addition. */
static nc_status_t add_(const nc_graph_t *g, int k, int t, nc_lowering_t *out) {
  nc_lowered_node_t *ln = &out->node[k];
  const int te = elem_of_(g, t, 0);
  const int da = sole_reader_(g, t);
  if (!is_8bit_(te) || da < 0 ||
      strcmp(g->nodes[da].op, "DequantizeLinear") != 0 ||
      g->nodes[da].in[0] != t) {
    return NC_OK;
  }
  const int a = sole_reader_(g, g->nodes[da].out[0]);
  if (a < 0 || strcmp(g->nodes[a].op, "Add") != 0 || g->nodes[a].nin != 2 ||
      g->nodes[a].in[0] == g->nodes[a].in[1]) {
    return NC_OK;
  }
  const int j = g->nodes[a].in[0] == g->nodes[da].out[0] ? 1 : 0;
  const int db = made_by_(g, g->nodes[a].in[j], "DequantizeLinear");
  if (db < 0) {
    return NC_OK;
  }
  const int s = g->nodes[db].in[0];
  const int sp = s >= 0 ? g->tensors[s].producer : -1;
  if (s < 0 || s == t || g->tensors[s].is_const || sp >= k ||
      elem_of_(g, s, 0) != te) {
    return NC_OK;
  }
  int u = g->nodes[a].out[0];
  int r = sole_reader_(g, u), relu = -1;
  if (r >= 0 && strcmp(g->nodes[r].op, "Relu") == 0) {
    relu = r;
    u = g->nodes[r].out[0];
    r = sole_reader_(g, u);
  }
  qparam_t qa, qb, qy;
  int32_t za = 0, zb = 0, zy = 0;
  if (r < 0 || strcmp(g->nodes[r].op, "QuantizeLinear") != 0 ||
      g->nodes[r].in[0] != u || !qparam_(g, &g->nodes[da], 4, &qa) ||
      !qparam_tensor_(&qa, te, &za) || !qparam_(g, &g->nodes[db], 4, &qb) ||
      !qparam_tensor_(&qb, te, &zb) || !qparam_(g, &g->nodes[r], 4, &qy)) {
    return NC_OK;
  }
  const int ye = qy.z != NULL ? (int)qy.z->elem : NC_ELEM_UINT8;
  if (!qparam_tensor_(&qy, ye, &zy)) {
    return NC_OK;
  }
  nc_add_quant_t aq;
  if (nc_add_quant_init(&aq, at_(qa.s, 0), za, at_(qb.s, 0), zb, at_(qy.s, 0),
                        zy,
                        ye == NC_ELEM_UINT8 ? NC_DTYPE_UINT8 : NC_DTYPE_INT8) !=
      NC_OK) {
    nc_error_clear();
    return NC_OK;
  }
  if (relu >= 0 && aq.act_min < zy) {
    aq.act_min = zy;
  }
  ln->add = aq;
  ln->residual = s;
  ln->add_node = r;
  fuse_(out, da, k, 1);
  fuse_dq_(g, out, db, a, 1);
  if (out->node[db].where == NC_NODE_FUSED) {
    out->node[db].into = k;
  }
  fuse_(out, a, k, 1);
  if (relu >= 0) {
    fuse_(out, relu, k, 1);
  }
  fuse_(out, r, k, 1);
  return NC_OK;
}

void nc_lowering_free(nc_lowering_t *l) {
  if (l == NULL) {
    return;
  }
  for (int k = 0; l->node != NULL && k < l->nnodes; k++) {
    nc_tensor_free(&l->node[k].weights);
    nc_tensor_free(&l->node[k].bias);
  }
  free(l->node);
  memset(l, 0, sizeof *l);
}

nc_status_t nc_graph_lower(const nc_graph_t *g, int flags, nc_lowering_t *out) {
  if (out != NULL) {
    memset(out, 0, sizeof *out);
  }
  if (g == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "lower: NULL argument");
  }
  out->node = calloc((size_t)g->nnodes + 1, sizeof *out->node);
  if (out->node == NULL) {
    return nc__fail(NC_ERR_NOMEM, "lower: out of memory");
  }
  out->nnodes = g->nnodes;
  for (int k = 0; k < g->nnodes; k++) {
    nc_lowered_node_t *ln = &out->node[k];
    ln->pool = ln->into = ln->src = ln->out_node = -1;
    ln->add_node = ln->residual = -1;
  }
  nc_status_t st = NC_OK;
  for (int k = 0; k < g->nnodes && st == NC_OK; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    nc_lowered_node_t *ln = &out->node[k];
    if (ln->where != NC_NODE_HOST || n->nout < 1 || n->out[0] < 0) {
      continue; /* already fused into an earlier node */
    }
    int ok = 0;
    if (flags & NC_LOWER_INT) {
      st = qdq_(g, k, out, &ok);
    }
    const int qdq = ok;
    if (st == NC_OK && !ok) {
      st = conv_(g, n, flags, ln, &ok);
    }
    const int is_conv = ok && ln->layer.kind == NC_LAYER_CONV2D;
    if (st == NC_OK && !ok) {
      st = fc_(g, n, flags, ln, &ok);
    }
    if (st == NC_OK && !ok) {
      ok = pool_(g, n, flags, &ln->layer);
    }
    if (st != NC_OK || !ok) {
      nc_tensor_free(&ln->weights);
      nc_tensor_free(&ln->bias);
      continue;
    }
    ln->where = NC_NODE_LAYER;
    out->nlayers++;
    if (ln->layer.kind != NC_LAYER_CONV2D && ln->layer.kind != NC_LAYER_FC) {
      continue;
    }
    /* The tensor holding the layer's output: a QDQ node's QuantizeLinear
     * output, else the node's own. */
    int tail = qdq ? g->nodes[ln->out_node].out[0] : n->out[0];
    int r = sole_reader_(g, tail);
    /* A float Relu that alone reads the conv: the layer's activation. */
    if (is_conv && r >= 0 && !ln->layer.rq.enabled &&
        ln->weights.dtype == NC_DTYPE_FLOAT32 &&
        strcmp(g->nodes[r].op, "Relu") == 0) {
      ln->layer.act = NC_ACT_RELU;
      fuse_(out, r, k, 0);
      ln->out_node = r;
      tail = g->nodes[r].out[0];
      r = sole_reader_(g, tail);
    }
    nc_layer_t pl;
    if (is_conv && (flags & NC_LOWER_FUSE_POOL) && r >= 0 &&
        ln->layer.rq.enabled && pool_(g, &g->nodes[r], flags, &pl) &&
        pl.pool_h <= 15 && pl.pool_w <= 15 && pl.pad_mode == NC_PAD_EXPLICIT &&
        !pl.pad_top && !pl.pad_bottom && !pl.pad_left && !pl.pad_right) {
      ln->pool = r;
      ln->pool_layer = pl;
      fuse_(out, r, k, 0);
    } else if ((flags & NC_LOWER_FUSE_ADD) && ln->layer.rq.enabled) {
      st = add_(g, k, tail, out);
    }
  }
  if (st != NC_OK) {
    nc_lowering_free(out);
  }
  return st;
}

static const struct {
  nc_dtype_t dtype;
  nc_elem_t elem;
} types_[] = {
    {NC_DTYPE_INT8, NC_ELEM_INT8},
    {NC_DTYPE_UINT8, NC_ELEM_UINT8},
    {NC_DTYPE_INT32, NC_ELEM_INT32},
    {NC_DTYPE_FLOAT32, NC_ELEM_FLOAT32},
};

/* NCHW <-> NHWC copy of 4-D data with `es`-byte elements. */
static void permute_(const char *src, char *dst, const int64_t *nchw,
                     size_t es, int to_nhwc) {
  const int64_t n = nchw[0], c = nchw[1], h = nchw[2], w = nchw[3];
  for (int64_t a = 0; a < n; a++) {
    for (int64_t ch = 0; ch < c; ch++) {
      for (int64_t y = 0; y < h; y++) {
        for (int64_t x = 0; x < w; x++) {
          const size_t i = (size_t)(((a * c + ch) * h + y) * w + x);
          const size_t j = (size_t)(((a * h + y) * w + x) * c + ch);
          memcpy(dst + (to_nhwc ? j : i) * es, src + (to_nhwc ? i : j) * es,
                 es);
        }
      }
    }
  }
}

nc_status_t nc_value_to_nhwc(const nc_value_t *v, nc_tensor_t *t) {
  if (v == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "to NHWC: NULL argument");
  }
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < sizeof types_ / sizeof types_[0]; i++) {
    if (types_[i].elem != v->elem) {
      continue;
    }
    if (v->ndim != 4 && v->ndim != 2) {
      break;
    }
    int64_t shape[4] = {v->shape[0], v->shape[1], 0, 0};
    if (v->ndim == 4) {
      shape[1] = v->shape[2], shape[2] = v->shape[3], shape[3] = v->shape[1];
    }
    nc_status_t st = nc_tensor_alloc(t, types_[i].dtype, v->ndim, shape);
    if (st != NC_OK || t->nbytes == 0) {
      return st;
    }
    if (v->ndim == 4) {
      permute_(v->data, t->data, v->shape, nc_elem_size(v->elem), 1);
    } else {
      memcpy(t->data, v->data, t->nbytes);
    }
    return NC_OK;
  }
  char s[96];
  nc_value_shape_format(v, s, sizeof s);
  return nc__fail(NC_ERR_UNSUPPORTED,
                  "a %s %s value is not a layer's input (4-D NCHW or 2-D, "
                  "int8, uint8, int32 or float32)",
                  s, nc_elem_name(v->elem));
}

nc_status_t nc_value_from_nhwc(const nc_tensor_t *t, nc_value_t *v) {
  if (v == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "from NHWC: NULL argument");
  }
  memset(v, 0, sizeof *v);
  if (t->ndim != 4) {
    return nc_value_from_tensor(t, v);
  }
  for (size_t i = 0; i < sizeof types_ / sizeof types_[0]; i++) {
    if (types_[i].dtype != t->dtype) {
      continue;
    }
    const int64_t shape[4] = {t->shape[0], t->shape[3], t->shape[1],
                              t->shape[2]};
    nc_status_t st = nc_value_alloc(v, types_[i].elem, 4, shape, "layer output");
    if (st == NC_OK && v->nbytes > 0) {
      permute_(t->data, v->data, shape, nc_elem_size(v->elem), 0);
    }
    return st;
  }
  return nc__fail(NC_ERR_INVALID_ARG, "from NHWC: bad dtype");
}
