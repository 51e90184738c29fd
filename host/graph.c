/* Graphs: values, the structural checks (names, producers, cycles,
 * operators) and the run loop of the reference evaluator. The operators
 * themselves are in graph_ops.c. */
#include "neocog/graph.h"

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

void nc_graph_free(nc_graph_t *g) {
  if (g == NULL) {
    return;
  }
  for (int i = 0; i < g->ntensors; i++) {
    free(g->tensors[i].name);
    nc_value_free(&g->tensors[i].value);
  }
  for (int i = 0; i < g->nnodes; i++) {
    nc_graph_node_t *n = &g->nodes[i];
    free(n->name);
    free(n->op);
    free(n->in);
    free(n->out);
    for (int a = 0; a < n->nattr; a++) {
      attr_free_(&n->attr[a]);
    }
    free(n->attr);
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

nc_status_t nc_graph_run(const nc_graph_t *g, const nc_value_t *inputs,
                         nc_value_t *outputs) {
  return nc_graph_run_observed(g, inputs, outputs, NULL, NULL);
}

nc_status_t nc_graph_run_observed(const nc_graph_t *g, const nc_value_t *inputs,
                                  nc_value_t *outputs,
                                  nc_graph_observer_t observe, void *ctx) {
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
    nc__op_ctx_t c = {.g = g, .n = n, .x = x, .y = y};
    node_what_(n, c.what, sizeof c.what);
    for (int i = 0; i < n->nin && i < 64; i++) {
      x[i] = n->in[i] >= 0 ? cur[n->in[i]] : NULL;
    }
    st = nc__graph_op(n->op)->run(&c);
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
