/* Graphs: values, the structural checks (names, producers, cycles,
 * operators) and the run loop of the reference evaluator. The operators
 * themselves are in graph_ops.c. */
#include "neocog/graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/graph_internal.h"
#include "neocog/error.h"
#include "neocog/text.h"

size_t nc_elem_size(int elem) {
  switch (elem) {
    case NC_ELEM_FLOAT32:
      return 4;
    case NC_ELEM_UINT8:
      return 1;
    case NC_ELEM_INT8:
      return 1;
    case NC_ELEM_UINT16:
      return 2;
    case NC_ELEM_INT16:
      return 2;
    case NC_ELEM_INT32:
      return 4;
    case NC_ELEM_INT64:
      return 8;
    default:
      return 0;
  }
}

const char *nc_elem_name(int elem) {
  static _Thread_local char other[32];
  switch (elem) {
    case NC_ELEM_FLOAT32:
      return "float32";
    case NC_ELEM_UINT8:
      return "uint8";
    case NC_ELEM_INT8:
      return "int8";
    case NC_ELEM_UINT16:
      return "uint16";
    case NC_ELEM_INT16:
      return "int16";
    case NC_ELEM_INT32:
      return "int32";
    case NC_ELEM_INT64:
      return "int64";
    case 9:
      return "bool";
    case 10:
      return "float16";
    case 11:
      return "double";
    case 16:
      return "bfloat16";
    default:
      snprintf(other, sizeof other, "type %d", elem);
      return other;
  }
}

size_t nc_value_numel(const nc_value_t *v) {
  size_t n = 1;
  for (int i = 0; i < v->ndim; i++) {
    n *= (size_t)v->shape[i];
  }
  return n;
}

nc_status_t nc_value_alloc(nc_value_t *v, int elem, int ndim,
                           const int64_t *shape, const char *what) {
  if (v == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: NULL value", what);
  }
  memset(v, 0, sizeof *v);
  const size_t es = nc_elem_size(elem);
  if (es == 0) {
    return nc__fail(NC_ERR_UNSUPPORTED, "%s: element type %s", what,
                    nc_elem_name(elem));
  }
  if (ndim < 0 || ndim > NC_MAX_DIMS || (ndim > 0 && shape == NULL)) {
    return nc__fail(NC_ERR_UNSUPPORTED, "%s: %d dimensions (at most %d)", what,
                    ndim, NC_MAX_DIMS);
  }
  uint64_t b = es;
  int over = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      return nc__fail(NC_ERR_FORMAT, "%s: negative extent %lld", what,
                      (long long)shape[i]);
    }
    over |= __builtin_mul_overflow(b, (uint64_t)shape[i], &b);
  }
  if (over || b > SIZE_MAX) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: its byte size overflows", what);
  }
  if (b > nc__tensor_max_bytes()) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: %llu bytes, over the %llu-byte tensor limit", what,
                    (unsigned long long)b,
                    (unsigned long long)nc__tensor_max_bytes());
  }
  void *d = NULL;
  if (b > 0) {
    d = calloc(1, (size_t)b);
    if (d == NULL) {
      return nc__fail(NC_ERR_NOMEM, "%s: out of memory for %llu bytes", what,
                      (unsigned long long)b);
    }
  }
  v->elem = (nc_elem_t)elem;
  v->ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    v->shape[i] = shape[i];
  }
  v->data = d;
  v->nbytes = (size_t)b;
  return NC_OK;
}

void nc_value_free(nc_value_t *v) {
  if (v != NULL) {
    free(v->data);
    memset(v, 0, sizeof *v);
  }
}

static const struct {
  nc_dtype_t dtype;
  nc_elem_t elem;
} dtype_elems_[] = {
    {NC_DTYPE_INT8, NC_ELEM_INT8},
    {NC_DTYPE_UINT8, NC_ELEM_UINT8},
    {NC_DTYPE_INT32, NC_ELEM_INT32},
    {NC_DTYPE_FLOAT32, NC_ELEM_FLOAT32},
};

nc_status_t nc_value_from_tensor(const nc_tensor_t *t, nc_value_t *v) {
  if (t == NULL || v == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "value: NULL argument");
  }
  memset(v, 0, sizeof *v);
  for (size_t i = 0; i < sizeof dtype_elems_ / sizeof dtype_elems_[0]; i++) {
    if (dtype_elems_[i].dtype == t->dtype) {
      nc_status_t st =
          nc_value_alloc(v, dtype_elems_[i].elem, t->ndim, t->shape, "tensor");
      if (st == NC_OK && v->nbytes > 0) {
        memcpy(v->data, t->data, v->nbytes);
      }
      return st;
    }
  }
  return nc__fail(NC_ERR_INVALID_ARG, "value: invalid dtype %d", (int)t->dtype);
}

nc_status_t nc_value_to_tensor(const nc_value_t *v, nc_tensor_t *t) {
  if (t == NULL || v == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "value: NULL argument");
  }
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < sizeof dtype_elems_ / sizeof dtype_elems_[0]; i++) {
    if (dtype_elems_[i].elem == v->elem) {
      nc_status_t st =
          nc_tensor_alloc(t, dtype_elems_[i].dtype, v->ndim, v->shape);
      if (st == NC_OK && t->nbytes > 0) {
        memcpy(t->data, v->data, t->nbytes);
      }
      return st;
    }
  }
  return nc__fail(NC_ERR_UNSUPPORTED,
                  "a %s value cannot be a .npy tensor (int8, uint8, int32 "
                  "and float32 can)",
                  nc_elem_name(v->elem));
}

void nc_value_shape_format(const nc_value_t *v, char *buf, size_t len) {
  size_t used = (size_t)snprintf(buf, len, "[");
  for (int i = 0; i < v->ndim && used < len; i++) {
    used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? ", " : "",
                             (long long)v->shape[i]);
  }
  if (used < len) {
    snprintf(buf + used, len - used, "]");
  }
}

static void attr_free_(nc_attr_t *a) {
  free(a->name);
  free(a->s);
  free(a->floats);
  free(a->ints);
  nc_value_free(&a->t);
}

static void node_free_(nc_graph_node_t *n) {
  free(n->name);
  free(n->op);
  free(n->in);
  free(n->out);
  for (int a = 0; a < n->nattr; a++) {
    attr_free_(&n->attr[a]);
  }
  free(n->attr);
  memset(n, 0, sizeof *n);
}

void nc_graph_free(nc_graph_t *g) {
  if (g == NULL) {
    return;
  }
  for (int i = 0; i < g->ntensors; i++) {
    free(g->tensors[i].name);
    nc_value_free(&g->tensors[i].value);
  }
  for (int i = 0; i < g->nnodes; i++) {
    node_free_(&g->nodes[i]);
  }
  free(g->tensors);
  free(g->nodes);
  free(g->inputs);
  free(g->outputs);
  memset(g, 0, sizeof *g);
}

int nc_graph_find(const nc_graph_t *g, const char *name) {
  name = name != NULL ? name : ""; /* an absent protobuf string */
  for (int i = 0; i < g->ntensors; i++) {
    if (strcmp(g->tensors[i].name, name) == 0) {
      return i;
    }
  }
  return -1;
}

const nc_attr_t *nc_graph_attr(const nc_graph_node_t *n, const char *name) {
  for (int i = 0; i < n->nattr; i++) {
    if (strcmp(n->attr[i].name, name) == 0) {
      return &n->attr[i];
    }
  }
  return NULL;
}

int64_t nc_graph_attr_int(const nc_graph_node_t *n, const char *name,
                          int64_t def) {
  const nc_attr_t *a = nc_graph_attr(n, name);
  return a != NULL && a->type == NC_ATTR_INT ? a->i : def;
}

const char *nc_graph_attr_str(const nc_graph_node_t *n, const char *name,
                              const char *def) {
  const nc_attr_t *a = nc_graph_attr(n, name);
  return a != NULL && a->type == NC_ATTR_STRING ? a->s : def;
}

static void node_what_(const nc_graph_node_t *n, char *buf, size_t len) {
  char sn[96], so[64];
  snprintf(buf, len, "node '%s' (%s)", nc__shown_str(n->name, sn, sizeof sn),
           nc__shown_str(n->op, so, sizeof so));
}

/* The operator, its arity and its attributes. */
static nc_status_t check_node_(const nc_graph_t *g, const nc_graph_node_t *n) {
  char what[192], sn[96];
  node_what_(n, what, sizeof what);
  const nc__op_t *op = nc__graph_op(n->op);
  if (op == NULL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: operator %s is not supported (supported: %s)", what,
                    nc__shown_str(n->op, sn, sizeof sn), nc__graph_op_names());
  }
  if (n->nin < op->min_in || n->nin > op->max_in) {
    return nc__fail(NC_ERR_FORMAT, "%s: %d inputs (takes %d to %d)", what,
                    n->nin, op->min_in, op->max_in);
  }
  for (int i = 0; i < op->min_in; i++) {
    if (n->in[i] < 0) {
      return nc__fail(NC_ERR_FORMAT, "%s: required input %d is empty", what, i);
    }
  }
  if (n->nout < 1 || n->out[0] < 0) {
    return nc__fail(NC_ERR_FORMAT, "%s: has no output", what);
  }
  for (int i = op->max_out; i < n->nout; i++) {
    if (n->out[i] >= 0) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: output %d ('%s') is not supported (only the "
                      "first %d)",
                      what, i,
                      nc__shown_str(g->tensors[n->out[i]].name, sn, sizeof sn),
                      op->max_out);
    }
  }
  for (int a = 0; a < n->nattr; a++) {
    int known = 0;
    for (const char *const *k = op->attr; *k != NULL; k++) {
      known |= strcmp(*k, n->attr[a].name) == 0;
    }
    if (!known) {
      return nc__fail(NC_ERR_UNSUPPORTED, "%s: attribute '%s' is not supported",
                      what, nc__shown_str(n->attr[a].name, sn, sizeof sn));
    }
  }
  return nc__graph_op_check(g, n, what);
}

nc_status_t nc_graph_check(nc_graph_t *g) {
  char what[192], sn[96];
  if (g == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph: NULL argument");
  }
  for (int k = 0; k < g->nnodes; k++) {
    nc_status_t st = check_node_(g, &g->nodes[k]);
    if (st != NC_OK) {
      return st;
    }
  }
  /* Every name a node reads is an input, a constant or a node's output. */
  for (int k = 0; k < g->nnodes; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    for (int i = 0; i < n->nin; i++) {
      const int t = n->in[i];
      if (t < 0 || g->tensors[t].is_const || g->tensors[t].producer >= 0) {
        continue;
      }
      int is_input = 0;
      for (int j = 0; j < g->ninputs; j++) {
        is_input |= g->inputs[j] == t;
      }
      if (!is_input) {
        node_what_(n, what, sizeof what);
        return nc__fail(NC_ERR_FORMAT,
                        "%s: input '%s' is not a graph input, an initializer "
                        "or any node's output",
                        what, nc__shown_str(g->tensors[t].name, sn, sizeof sn));
      }
    }
  }
  /* Dependency order (Kahn): a node is ready when all it reads is. */
  int *order = malloc(((size_t)g->nnodes + 1) * sizeof *order);
  int *missing = calloc((size_t)g->nnodes + 1, sizeof *missing);
  if (order == NULL || missing == NULL) {
    free(order);
    free(missing);
    return nc__fail(NC_ERR_NOMEM, "out of memory for the graph's order");
  }
  int head = 0, tail = 0;
  for (int k = 0; k < g->nnodes; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    for (int i = 0; i < n->nin; i++) {
      missing[k] += n->in[i] >= 0 && g->tensors[n->in[i]].producer >= 0;
    }
    if (missing[k] == 0) {
      order[tail++] = k;
    }
  }
  while (head < tail) {
    const nc_graph_node_t *n = &g->nodes[order[head++]];
    for (int o = 0; o < n->nout; o++) {
      if (n->out[o] < 0) {
        continue;
      }
      for (int k = 0; k < g->nnodes; k++) {
        const nc_graph_node_t *m = &g->nodes[k];
        for (int i = 0; i < m->nin; i++) {
          if (m->in[i] == n->out[o] && --missing[k] == 0) {
            order[tail++] = k;
          }
        }
      }
    }
  }
  if (tail < g->nnodes) {
    int stuck = 0;
    while (missing[stuck] == 0) {
      stuck++;
    }
    node_what_(&g->nodes[stuck], what, sizeof what);
    free(order);
    free(missing);
    return nc__fail(NC_ERR_FORMAT,
                    "%s: the graph has a cycle through this node (%d of %d "
                    "nodes can never run)",
                    what, g->nnodes - tail, g->nnodes);
  }
  nc_graph_node_t *sorted = calloc((size_t)g->nnodes + 1, sizeof *sorted);
  if (sorted == NULL) {
    free(order);
    free(missing);
    return nc__fail(NC_ERR_NOMEM, "out of memory for the graph's order");
  }
  for (int k = 0; k < g->nnodes; k++) {
    sorted[k] = g->nodes[order[k]];
    for (int o = 0; o < sorted[k].nout; o++) {
      if (sorted[k].out[o] >= 0) {
        g->tensors[sorted[k].out[o]].producer = k;
      }
    }
  }
  free(g->nodes);
  g->nodes = sorted;
  free(order);
  free(missing);
  return NC_OK;
}

nc_status_t nc_graph_node_eval(const nc_graph_t *g, int node,
                               const nc_value_t *const *x, nc_value_t *y) {
  if (g == NULL || node < 0 || node >= g->nnodes || y == NULL ||
      (x == NULL && g->nodes[node].nin > 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph node: bad argument");
  }
  const nc_graph_node_t *n = &g->nodes[node];
  const nc__op_t *op = nc__graph_op(n->op);
  if (op == NULL || n->nin > 64 || n->nout > 8) {
    return nc__fail(NC_ERR_UNSUPPORTED, "graph node: operator not checked");
  }
  for (int o = 0; o < n->nout; o++) {
    memset(&y[o], 0, sizeof y[o]);
  }
  nc__op_ctx_t c = {.g = g, .n = n, .x = x, .y = y};
  node_what_(n, c.what, sizeof c.what);
  nc_status_t st = op->run(&c);
  if (st != NC_OK) {
    for (int o = 0; o < n->nout; o++) {
      nc_value_free(&y[o]);
    }
  }
  return st;
}

/* The run loop: every node through `dispatch` (the evaluator when NULL),
 * every computed tensor shown to `observe` (when not NULL). */
static nc_status_t run_(const nc_graph_t *g, const nc_value_t *inputs,
                        nc_value_t *outputs, nc_graph_observer_t observe,
                        nc_graph_dispatch_t dispatch, void *ctx) {
  char sn[96], s1[96], s2[96];
  if (g == NULL || (inputs == NULL && g->ninputs > 0) || outputs == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph run: NULL argument");
  }
  for (int o = 0; o < g->noutputs; o++) {
    memset(&outputs[o], 0, sizeof outputs[o]);
  }
  for (int i = 0; i < g->ninputs; i++) {
    const nc_graph_tensor_t *t = &g->tensors[g->inputs[i]];
    int ok = (int)inputs[i].elem == t->elem && inputs[i].ndim == t->ndim;
    for (int d = 0; ok && d < t->ndim; d++) {
      ok = t->shape[d] < 0 || t->shape[d] == inputs[i].shape[d];
    }
    if (!ok) {
      nc_value_t decl = {.ndim = t->ndim};
      memcpy(decl.shape, t->shape, sizeof decl.shape);
      nc_value_shape_format(&inputs[i], s1, sizeof s1);
      nc_value_shape_format(&decl, s2, sizeof s2);
      return nc__fail(NC_ERR_SHAPE,
                      "graph input '%s': given %s %s, the graph declares %s "
                      "%s (-1: any extent)",
                      nc__shown_str(t->name, sn, sizeof sn), s1,
                      nc_elem_name(inputs[i].elem), s2, nc_elem_name(t->elem));
    }
  }
  /* Where each tensor's value is during the run; `own` holds computed
   * ones. */
  const nc_value_t **cur = calloc((size_t)g->ntensors + 1, sizeof *cur);
  nc_value_t *own = calloc((size_t)g->ntensors + 1, sizeof *own);
  if (cur == NULL || own == NULL) {
    free(cur);
    free(own);
    return nc__fail(NC_ERR_NOMEM, "out of memory for the run");
  }
  for (int t = 0; t < g->ntensors; t++) {
    if (g->tensors[t].is_const) {
      cur[t] = &g->tensors[t].value;
    }
  }
  for (int i = 0; i < g->ninputs; i++) {
    cur[g->inputs[i]] = &inputs[i];
  }
  nc_status_t st = NC_OK;
  for (int k = 0; k < g->nnodes && st == NC_OK; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    const nc_value_t *x[64] = {0};
    nc_value_t y[8];
    memset(y, 0, sizeof y);
    for (int i = 0; i < n->nin && i < 64; i++) {
      x[i] = n->in[i] >= 0 ? cur[n->in[i]] : NULL;
    }
    st = dispatch != NULL ? dispatch(ctx, k, x, y)
                          : nc_graph_node_eval(g, k, x, y);
    for (int o = 0; o < n->nout && o < 8; o++) {
      if (st == NC_OK && n->out[o] >= 0) {
        own[n->out[o]] = y[o];
        cur[n->out[o]] = &own[n->out[o]];
        if (observe != NULL) {
          observe(ctx, n->out[o], cur[n->out[o]]);
        }
      } else {
        nc_value_free(&y[o]);
      }
    }
  }
  for (int o = 0; o < g->noutputs && st == NC_OK; o++) {
    const nc_value_t *v = cur[g->outputs[o]];
    st = nc_value_alloc(&outputs[o], v->elem, v->ndim, v->shape, "output");
    if (st == NC_OK && v->nbytes > 0) {
      memcpy(outputs[o].data, v->data, v->nbytes);
    }
  }
  if (st != NC_OK) {
    for (int o = 0; o < g->noutputs; o++) {
      nc_value_free(&outputs[o]);
    }
  }
  for (int t = 0; t < g->ntensors; t++) {
    nc_value_free(&own[t]);
  }
  free(own);
  free(cur);
  return st;
}

nc_status_t nc_graph_run(const nc_graph_t *g, const nc_value_t *inputs,
                         nc_value_t *outputs) {
  return run_(g, inputs, outputs, NULL, NULL, NULL);
}

nc_status_t nc_graph_run_observed(const nc_graph_t *g, const nc_value_t *inputs,
                                  nc_value_t *outputs,
                                  nc_graph_observer_t observe, void *ctx) {
  return run_(g, inputs, outputs, observe, NULL, ctx);
}

nc_status_t nc_graph_run_dispatched(const nc_graph_t *g,
                                    const nc_value_t *inputs,
                                    nc_value_t *outputs,
                                    nc_graph_dispatch_t dispatch, void *ctx) {
  if (dispatch == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph run: NULL dispatcher");
  }
  return run_(g, inputs, outputs, NULL, dispatch, ctx);
}

/* ---- simplification --------------------------------------------------- */


static int is_output_(const nc_graph_t *g, int t) {
  for (int o = 0; o < g->noutputs; o++) {
    if (g->outputs[o] == t) {
      return 1;
    }
  }
  return 0;
}

/* How many node inputs read tensor t. */
static int readers_(const nc_graph_t *g, int t) {
  int r = 0;
  for (int k = 0; k < g->nnodes; k++) {
    for (int i = 0; i < g->nodes[k].nin; i++) {
      r += g->nodes[k].in[i] == t;
    }
  }
  return r;
}

/* A constant float32 input of node n with `count` values, or NULL. */
static const nc_value_t *const_f32_(const nc_graph_t *g,
                                    const nc_graph_node_t *n, int i,
                                    int64_t count) {
  if (i >= n->nin || n->in[i] < 0 || !g->tensors[n->in[i]].is_const) {
    return NULL;
  }
  const nc_value_t *v = &g->tensors[n->in[i]].value;
  return v->elem == NC_ELEM_FLOAT32 &&
                 (count < 0 || (int64_t)nc_value_numel(v) == count)
             ? v
             : NULL;
}

/* Appends a constant tensor called `<base><suffix>` holding *v (taken
 * over); returns its index or -1 (v freed) for lack of memory. */
static int add_const_(nc_graph_t *g, const char *base, const char *suffix,
                      nc_value_t *v) {
  char name[256];
  snprintf(name, sizeof name, "%s%s", base, suffix);
  int t = -1;
  for (int k = 2; nc_graph_find(g, name) >= 0 && k < 1000; k++) {
    snprintf(name, sizeof name, "%s%s_%d", base, suffix, k);
  }
  if (nc_graph_add_tensor(g, name, v->elem, v->ndim, v->shape, v, 0, &t) !=
      NC_OK) {
    return -1;
  }
  return t;
}

/* Folds BatchNormalization node k into the Conv that feeds it, when it
 * can; *folded says whether it did (node k is then dead: op "" ). */
static nc_status_t fold_bn_(nc_graph_t *g, int k, int *folded) {
  *folded = 0;
  nc_graph_node_t *bn = &g->nodes[k];
  if (strcmp(bn->op, "BatchNormalization") != 0 || bn->nin != 5 ||
      bn->in[0] < 0 || (bn->nout > 1 && bn->out[1] >= 0) ||
      nc_graph_attr_int(bn, "training_mode", 0) != 0) {
    return NC_OK;
  }
  for (int o = 2; o < bn->nout; o++) {
    if (bn->out[o] >= 0) {
      return NC_OK;
    }
  }
  const int mid = bn->in[0];
  const int p = g->tensors[mid].producer;
  if (p < 0 || strcmp(g->nodes[p].op, "Conv") != 0 || readers_(g, mid) != 1 ||
      is_output_(g, mid)) {
    return NC_OK;
  }
  nc_graph_node_t *cv = &g->nodes[p];
  const nc_value_t *w = const_f32_(g, cv, 1, -1);
  if (w == NULL || w->ndim < 3 || w->shape[0] < 1) {
    return NC_OK;
  }
  const int64_t m = w->shape[0];
  const nc_value_t *b = cv->nin > 2 && cv->in[2] >= 0
                            ? const_f32_(g, cv, 2, m)
                            : NULL;
  if (cv->nin > 2 && cv->in[2] >= 0 && b == NULL) {
    return NC_OK;
  }
  const nc_value_t *sc = const_f32_(g, bn, 1, m), *be = const_f32_(g, bn, 2, m);
  const nc_value_t *mu = const_f32_(g, bn, 3, m), *va = const_f32_(g, bn, 4, m);
  if (sc == NULL || be == NULL || mu == NULL || va == NULL) {
    return NC_OK;
  }
  const nc_attr_t *ea = nc_graph_attr(bn, "epsilon");
  const double eps = ea != NULL && ea->type == NC_ATTR_FLOAT ? ea->f : 1e-5;
  nc_value_t nw, nb;
  nc_status_t st = nc_value_alloc(&nw, NC_ELEM_FLOAT32, w->ndim, w->shape,
                                  "folded weights");
  if (st != NC_OK) {
    return st;
  }
  st = nc_value_alloc(&nb, NC_ELEM_FLOAT32, 1, &m, "folded bias");
  if (st != NC_OK) {
    nc_value_free(&nw);
    return st;
  }
  const size_t per = nc_value_numel(w) / (size_t)m;
  for (int64_t c = 0; c < m; c++) {
    const double s = (double)((const float *)sc->data)[c] /
                     sqrt((double)((const float *)va->data)[c] + eps);
    for (size_t j = 0; j < per; j++) {
      const size_t e = (size_t)c * per + j;
      ((float *)nw.data)[e] = (float)((double)((const float *)w->data)[e] * s);
    }
    const double b0 = b != NULL ? ((const float *)b->data)[c] : 0.0;
    ((float *)nb.data)[c] =
        (float)((b0 - ((const float *)mu->data)[c]) * s +
                ((const float *)be->data)[c]);
  }
  const int tw = add_const_(g, cv->name, "_bn_folded_W", &nw);
  const int tb = tw >= 0 ? add_const_(g, cv->name, "_bn_folded_B", &nb) : -1;
  if (tw < 0 || tb < 0) {
    nc_value_free(&nb);
    return nc__fail(NC_ERR_NOMEM, "out of memory folding a BatchNormalization");
  }
  /* add_const_ may have moved the tensors, never the nodes. */
  if (cv->nin < 3) {
    int *in = realloc(cv->in, 3 * sizeof *in);
    if (in == NULL) {
      return nc__fail(NC_ERR_NOMEM,
                      "out of memory folding a BatchNormalization");
    }
    cv->in = in;
    cv->nin = 3;
  }
  cv->in[1] = tw;
  cv->in[2] = tb;
  /* The Conv now writes what the BatchNormalization wrote. */
  cv->out[0] = bn->out[0];
  g->tensors[mid].producer = -1;
  bn->op[0] = '\0';
  *folded = 1;
  return NC_OK;
}

/* Evaluates node k once when every input is a constant; its outputs
 * become constants. */
static nc_status_t fold_const_(nc_graph_t *g, int k, int *folded) {
  *folded = 0;
  nc_graph_node_t *n = &g->nodes[k];
  /* A DequantizeLinear of a constant stays a node, so that lowering sees
   * the integer weights and their scales (QDQ form). */
  if (n->nout > 8 || n->nin > 64 || strcmp(n->op, "DequantizeLinear") == 0) {
    return NC_OK;
  }
  const nc_value_t *x[64] = {0};
  for (int i = 0; i < n->nin; i++) {
    if (n->in[i] >= 0 && !g->tensors[n->in[i]].is_const) {
      return NC_OK;
    }
    x[i] = n->in[i] >= 0 ? &g->tensors[n->in[i]].value : NULL;
  }
  for (int o = 0; o < n->nout; o++) {
    if (n->out[o] >= 0 && is_output_(g, n->out[o])) {
      return NC_OK;
    }
  }
  nc_value_t y[8];
  nc_status_t st = nc_graph_node_eval(g, k, x, y);
  if (st != NC_OK) {
    return st;
  }
  for (int o = 0; o < n->nout; o++) {
    if (n->out[o] < 0) {
      nc_value_free(&y[o]);
      continue;
    }
    nc_graph_tensor_t *t = &g->tensors[n->out[o]];
    t->is_const = 1;
    t->value = y[o];
    t->elem = y[o].elem;
    t->ndim = y[o].ndim;
    memcpy(t->shape, y[o].shape, sizeof t->shape);
    t->producer = -1;
  }
  n->op[0] = '\0';
  *folded = 1;
  return NC_OK;
}

nc_status_t nc_graph_simplify(nc_graph_t *g, int fold_bn, int fold_const,
                              int *nfolded) {
  if (g == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph simplify: NULL graph");
  }
  int gone = 0;
  nc_status_t st = NC_OK;
  for (int k = 0; k < g->nnodes && st == NC_OK; k++) {
    int f = 0;
    if (fold_const) {
      st = fold_const_(g, k, &f);
    }
    if (st == NC_OK && !f && fold_bn) {
      st = fold_bn_(g, k, &f);
    }
    gone += f;
  }
  /* Drop the dead nodes, keeping the order; renumber the producers. */
  int j = 0;
  for (int k = 0; k < g->nnodes; k++) {
    if (g->nodes[k].op[0] == '\0') {
      node_free_(&g->nodes[k]);
      continue;
    }
    g->nodes[j] = g->nodes[k];
    for (int o = 0; o < g->nodes[j].nout; o++) {
      if (g->nodes[j].out[o] >= 0) {
        g->tensors[g->nodes[j].out[o]].producer = j;
      }
    }
    j++;
  }
  g->nnodes = j;
  if (nfolded != NULL) {
    *nfolded = gone;
  }
  return st;
}

/* ---- building --------------------------------------------------------- */

static char *dup_(const char *s) {
  const size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL) {
    memcpy(d, s, n);
  }
  return d;
}

static nc_status_t grow_ints_(int **v, int n) {
  int *p = realloc(*v, ((size_t)n + 1) * sizeof *p);
  if (p == NULL) {
    return nc__fail(NC_ERR_NOMEM, "graph: out of memory");
  }
  *v = p;
  return NC_OK;
}

nc_status_t nc_graph_add_tensor(nc_graph_t *g, const char *name, int elem,
                                int ndim, const int64_t *shape,
                                nc_value_t *value, int is_input, int *index) {
  nc_status_t st = NC_OK;
  if (g == NULL || name == NULL || ndim > NC_MAX_DIMS ||
      (ndim > 0 && shape == NULL && value == NULL)) {
    st = nc__fail(NC_ERR_INVALID_ARG, "graph: bad tensor");
  } else if (nc_graph_find(g, name) >= 0) {
    st = nc__fail(NC_ERR_FORMAT, "graph: tensor '%s' defined twice", name);
  }
  nc_graph_tensor_t *t = NULL;
  char *nm = NULL;
  if (st == NC_OK) {
    t = realloc(g->tensors, ((size_t)g->ntensors + 1) * sizeof *t);
    if (t != NULL) {
      g->tensors = t;
    }
    nm = dup_(name);
    if (t == NULL || nm == NULL) {
      st = nc__fail(NC_ERR_NOMEM, "graph: out of memory");
    }
  }
  if (st == NC_OK && is_input) {
    st = grow_ints_(&g->inputs, g->ninputs);
  }
  if (st != NC_OK) {
    free(nm);
    if (value != NULL) {
      nc_value_free(value);
    }
    return st;
  }
  nc_graph_tensor_t *nt = &g->tensors[g->ntensors];
  memset(nt, 0, sizeof *nt);
  nt->name = nm;
  nt->producer = -1;
  if (value != NULL) {
    nt->is_const = 1;
    nt->value = *value;
    nt->elem = value->elem;
    nt->ndim = value->ndim;
    memcpy(nt->shape, value->shape, sizeof nt->shape);
    memset(value, 0, sizeof *value);
  } else {
    nt->elem = elem;
    nt->ndim = ndim;
    for (int d = 0; d < ndim; d++) {
      nt->shape[d] = shape[d];
    }
  }
  if (is_input) {
    g->inputs[g->ninputs++] = g->ntensors;
  }
  if (index != NULL) {
    *index = g->ntensors;
  }
  g->ntensors++;
  return NC_OK;
}

nc_status_t nc_graph_add_output(nc_graph_t *g, int t) {
  if (g == NULL || t < 0 || t >= g->ntensors) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph: bad output");
  }
  nc_status_t st = grow_ints_(&g->outputs, g->noutputs);
  if (st == NC_OK) {
    g->outputs[g->noutputs++] = t;
  }
  return st;
}

nc_status_t nc_graph_add_node(nc_graph_t *g, const char *name, const char *op,
                              int nin, const int *in, int nout, const int *out,
                              int *index) {
  if (g == NULL || name == NULL || op == NULL || nin < 0 || nout < 1 ||
      (nin > 0 && in == NULL) || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph: bad node");
  }
  for (int i = 0; i < nin + nout; i++) {
    const int t = i < nin ? in[i] : out[i - nin];
    if (t < -1 || t >= g->ntensors) {
      return nc__fail(NC_ERR_INVALID_ARG, "graph: node '%s': bad tensor", name);
    }
  }
  nc_graph_node_t *nodes =
      realloc(g->nodes, ((size_t)g->nnodes + 1) * sizeof *nodes);
  if (nodes == NULL) {
    return nc__fail(NC_ERR_NOMEM, "graph: out of memory");
  }
  g->nodes = nodes;
  nc_graph_node_t *n = &g->nodes[g->nnodes];
  memset(n, 0, sizeof *n);
  n->name = dup_(name);
  n->op = dup_(op);
  n->in = malloc(((size_t)nin + 1) * sizeof *n->in);
  n->out = malloc(((size_t)nout + 1) * sizeof *n->out);
  if (n->name == NULL || n->op == NULL || n->in == NULL || n->out == NULL) {
    node_free_(n);
    return nc__fail(NC_ERR_NOMEM, "graph: out of memory");
  }
  n->nin = nin;
  n->nout = nout;
  for (int i = 0; i < nin; i++) {
    n->in[i] = in[i];
  }
  for (int o = 0; o < nout; o++) {
    n->out[o] = out[o];
    if (out[o] >= 0) {
      g->tensors[out[o]].producer = g->nnodes;
    }
  }
  if (index != NULL) {
    *index = g->nnodes;
  }
  g->nnodes++;
  return NC_OK;
}

nc_status_t nc_graph_add_attr(nc_graph_t *g, int node, const char *name,
                              nc_attr_type_t type, int n, const int64_t *ints,
                              float f, const char *s) {
  if (g == NULL || node < 0 || node >= g->nnodes || name == NULL ||
      (type == NC_ATTR_STRING && s == NULL) ||
      ((type == NC_ATTR_INT || type == NC_ATTR_INTS) && ints == NULL) ||
      n < 0 || (type != NC_ATTR_INT && type != NC_ATTR_INTS &&
                type != NC_ATTR_FLOAT && type != NC_ATTR_STRING)) {
    return nc__fail(NC_ERR_INVALID_ARG, "graph: bad attribute");
  }
  nc_graph_node_t *nd = &g->nodes[node];
  nc_attr_t *a = realloc(nd->attr, ((size_t)nd->nattr + 1) * sizeof *a);
  if (a == NULL) {
    return nc__fail(NC_ERR_NOMEM, "graph: out of memory");
  }
  nd->attr = a;
  nc_attr_t *at = &nd->attr[nd->nattr];
  memset(at, 0, sizeof *at);
  at->type = type;
  at->name = dup_(name);
  int bad = at->name == NULL;
  if (type == NC_ATTR_INT) {
    at->i = ints[0];
  } else if (type == NC_ATTR_FLOAT) {
    at->f = f;
  } else if (type == NC_ATTR_STRING) {
    at->s = dup_(s);
    bad |= at->s == NULL;
  } else {
    at->n = n;
    at->ints = malloc(((size_t)n + 1) * sizeof *at->ints);
    bad |= at->ints == NULL;
    for (int i = 0; !bad && i < n; i++) {
      at->ints[i] = ints[i];
    }
  }
  if (bad) {
    attr_free_(at);
    return nc__fail(NC_ERR_NOMEM, "graph: out of memory");
  }
  nd->nattr++;
  return NC_OK;
}
