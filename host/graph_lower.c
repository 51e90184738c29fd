/* Which graph nodes become layers, and the layers they become
 * (neocog/lower.h). */
#include "neocog/lower.h"

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
    out->node[k].pool = -1;
    out->node[k].into = -1;
  }
  nc_status_t st = NC_OK;
  for (int k = 0; k < g->nnodes && st == NC_OK; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    nc_lowered_node_t *ln = &out->node[k];
    if (ln->where != NC_NODE_HOST || n->nout < 1 || n->out[0] < 0) {
      continue; /* already fused into an earlier node */
    }
    int ok = 0;
    st = conv_(g, n, flags, ln, &ok);
    const int is_conv = ok;
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
    if (!is_conv) {
      continue;
    }
    int tail = n->out[0];
    int r = sole_reader_(g, tail);
    /* A float Relu that alone reads the conv: the layer's activation. */
    if (r >= 0 && !ln->layer.rq.enabled && ln->weights.dtype == NC_DTYPE_FLOAT32 &&
        strcmp(g->nodes[r].op, "Relu") == 0) {
      ln->layer.act = NC_ACT_RELU;
      out->node[r].where = NC_NODE_FUSED;
      out->node[r].into = k;
      tail = g->nodes[r].out[0];
      r = sole_reader_(g, tail);
    }
    nc_layer_t pl;
    if ((flags & NC_LOWER_FUSE_POOL) && r >= 0 && ln->layer.rq.enabled &&
        pool_(g, &g->nodes[r], flags, &pl) && pl.pool_h <= 15 &&
        pl.pool_w <= 15 && pl.pad_mode == NC_PAD_EXPLICIT && !pl.pad_top &&
        !pl.pad_bottom && !pl.pad_left && !pl.pad_right) {
      ln->pool = r;
      ln->pool_layer = pl;
      out->node[r].where = NC_NODE_FUSED;
      out->node[r].into = k;
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
