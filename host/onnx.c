/* ONNX models into graphs, through the protobuf-c parser generated from
 * onnx.proto at build time. */
#include "neocog/onnx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "neocog/error.h"
#include "neocog/text.h"
#include "onnx.pb-c.h"

/* A name as a message shows it: printable, bounded. */
static const char *shown_(const char *s, char *buf, size_t cap) {
  return nc__shown_str(s != NULL ? s : "", buf, cap);
}

static char *dup_(const char *s) {
  return strdup(s != NULL ? s : "");
}

/* Stores element i of a value from an integer (typed int32/int64 data). */
static void store_int_(nc_value_t *v, size_t i, int64_t x) {
  switch (v->elem) {
    case NC_ELEM_UINT8:
      ((uint8_t *)v->data)[i] = (uint8_t)x;
      break;
    case NC_ELEM_INT8:
      ((int8_t *)v->data)[i] = (int8_t)x;
      break;
    case NC_ELEM_UINT16:
      ((uint16_t *)v->data)[i] = (uint16_t)x;
      break;
    case NC_ELEM_INT16:
      ((int16_t *)v->data)[i] = (int16_t)x;
      break;
    case NC_ELEM_INT32:
      ((int32_t *)v->data)[i] = (int32_t)x;
      break;
    case NC_ELEM_INT64:
      ((int64_t *)v->data)[i] = x;
      break;
    default:
      break;
  }
}

/* A TensorProto into a value; `what` names it in details. */
static nc_status_t tensor_(const Onnx__TensorProto *tp, const char *what,
                           nc_value_t *v) {
  char sh[96];
  memset(v, 0, sizeof *v);
  const int elem = tp->has_data_type ? tp->data_type : 0;
  if (nc_elem_size(elem) == 0) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: element type %s is not supported (float32, uint8, "
                    "int8, uint16, int16, int32, int64)",
                    what, nc_elem_name(elem));
  }
  if (tp->n_external_data > 0 ||
      (tp->has_data_location &&
       tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: external data is not supported (store the data "
                    "inside the model)",
                    what);
  }
  if (tp->segment != NULL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: segmented tensors are not "
                    "supported",
                    what);
  }
  if (tp->n_dims > NC_MAX_DIMS) {
    return nc__fail(NC_ERR_UNSUPPORTED, "%s: %zu dimensions (at most %d)", what,
                    tp->n_dims, NC_MAX_DIMS);
  }
  nc_status_t st = nc_value_alloc(v, elem, (int)tp->n_dims, tp->dims, what);
  if (st != NC_OK) {
    return st;
  }
  const size_t n = nc_value_numel(v), es = nc_elem_size(elem);
  nc_value_shape_format(v, sh, sizeof sh);
  size_t have = 0;
  const char *field = "";
  if (tp->has_raw_data) {
    /* raw_data is little-endian, as is every host neocog builds for. */
    if (tp->raw_data.len == n * es) {
      if (n > 0) {
        memcpy(v->data, tp->raw_data.data, n * es);
      }
      return NC_OK;
    }
    nc_value_free(v);
    return nc__fail(NC_ERR_FORMAT,
                    "%s: raw_data holds %zu bytes, shape %s %s needs %zu", what,
                    tp->raw_data.len, sh, nc_elem_name(elem), n * es);
  }
  if (elem == NC_ELEM_FLOAT32) {
    have = tp->n_float_data;
    field = "float_data";
    if (have == n) {
      if (n > 0) {
        memcpy(v->data, tp->float_data, n * es);
      }
      return NC_OK;
    }
  } else if (elem == NC_ELEM_INT64) {
    have = tp->n_int64_data;
    field = "int64_data";
    if (have == n) {
      if (n > 0) {
        memcpy(v->data, tp->int64_data, n * es);
      }
      return NC_OK;
    }
  } else {
    have = tp->n_int32_data;
    field = "int32_data";
    if (have == n) {
      for (size_t i = 0; i < n; i++) {
        store_int_(v, i, tp->int32_data[i]);
      }
      return NC_OK;
    }
  }
  nc_value_free(v);
  return nc__fail(NC_ERR_FORMAT,
                  "%s: %s holds %zu elements, shape %s needs %zu", what, field,
                  have, sh, n);
}

/* Index of a tensor by name, adding it when new. */
static nc_status_t intern_(nc_graph_t *g, int *cap, const char *name,
                           int *idx) {
  const int found = nc_graph_find(g, name);
  if (found >= 0) {
    *idx = found;
    return NC_OK;
  }
  if (g->ntensors == *cap) {
    const int nc = *cap ? 2 * *cap : 16;
    nc_graph_tensor_t *t = realloc(g->tensors, (size_t)nc * sizeof *t);
    if (t == NULL) {
      return nc__fail(NC_ERR_NOMEM, "out of memory for the graph's tensors");
    }
    g->tensors = t;
    *cap = nc;
  }
  nc_graph_tensor_t *t = &g->tensors[g->ntensors];
  memset(t, 0, sizeof *t);
  t->name = dup_(name);
  t->ndim = -1;
  t->producer = -1;
  if (t->name == NULL) {
    return nc__fail(NC_ERR_NOMEM, "out of memory for a tensor name");
  }
  *idx = g->ntensors++;
  return NC_OK;
}

/* A declared type (graph inputs and outputs). */
static nc_status_t declare_(nc_graph_tensor_t *t,
                            const Onnx__ValueInfoProto *vi,
                            const char *origin) {
  char sn[96];
  const Onnx__TypeProto *tp = vi->type;
  if (tp == NULL) {
    return NC_OK;
  }
  if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
      tp->tensor_type == NULL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: graph value '%s' is not a tensor (sequences, maps "
                    "and optionals are not supported)",
                    origin, shown_(vi->name, sn, sizeof sn));
  }
  const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
  if (tt->has_elem_type) {
    t->elem = tt->elem_type;
  }
  if (tt->shape != NULL) {
    if (tt->shape->n_dim > NC_MAX_DIMS) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: graph value '%s' has %zu "
                      "dimensions (at most %d)",
                      origin, shown_(vi->name, sn, sizeof sn), tt->shape->n_dim,
                      NC_MAX_DIMS);
    }
    t->ndim = (int)tt->shape->n_dim;
    for (int d = 0; d < t->ndim; d++) {
      const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
      const int known = dim->value_case ==
                        ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      if (known && dim->dim_value < 0) {
        return nc__fail(NC_ERR_FORMAT,
                        "%s: graph value '%s' has negative "
                        "extent %lld",
                        origin, shown_(vi->name, sn, sizeof sn),
                        (long long)dim->dim_value);
      }
      t->shape[d] = known ? dim->dim_value : -1;
    }
  }
  return NC_OK;
}

static nc_status_t attr_(const Onnx__AttributeProto *ap, const char *what,
                         nc_attr_t *a) {
  char sn[96];
  a->name = dup_(ap->name);
  if (a->name == NULL) {
    return nc__fail(NC_ERR_NOMEM, "out of memory for an attribute");
  }
  if (ap->ref_attr_name != NULL && ap->ref_attr_name[0] != '\0') {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: attribute '%s' refers to a function attribute, which "
                    "is not supported",
                    what, shown_(ap->name, sn, sizeof sn));
  }
  a->type = ap->has_type ? (nc_attr_type_t)ap->type : 0;
  switch (a->type) {
    case NC_ATTR_FLOAT:
      a->f = ap->f;
      return NC_OK;
    case NC_ATTR_INT:
      a->i = ap->i;
      return NC_OK;
    case NC_ATTR_STRING:
      a->s = malloc(ap->s.len + 1);
      if (a->s == NULL) {
        return nc__fail(NC_ERR_NOMEM, "out of memory for an attribute");
      }
      if (ap->s.len > 0) { /* an empty string may have no data */
        memcpy(a->s, ap->s.data, ap->s.len);
      }
      a->s[ap->s.len] = '\0';
      return NC_OK;
    case NC_ATTR_TENSOR:
      if (ap->t == NULL) {
        return nc__fail(NC_ERR_FORMAT, "%s: tensor attribute '%s' is empty",
                        what, shown_(ap->name, sn, sizeof sn));
      }
      return tensor_(ap->t, what, &a->t);
    case NC_ATTR_FLOATS:
    case NC_ATTR_INTS: {
      const size_t n = a->type == NC_ATTR_INTS ? ap->n_ints : ap->n_floats;
      if (n > INT_MAX / 8) {
        return nc__fail(NC_ERR_UNSUPPORTED,
                        "%s: attribute '%s' has %zu "
                        "entries",
                        what, shown_(ap->name, sn, sizeof sn), n);
      }
      a->n = (int)n;
      if (a->type == NC_ATTR_INTS) {
        a->ints = malloc(n * sizeof *a->ints + 1);
        if (a->ints != NULL && n > 0) {
          memcpy(a->ints, ap->ints, n * sizeof *a->ints);
        }
      } else {
        a->floats = malloc(n * sizeof *a->floats + 1);
        if (a->floats != NULL && n > 0) {
          memcpy(a->floats, ap->floats, n * sizeof *a->floats);
        }
      }
      if (a->ints == NULL && a->floats == NULL) {
        return nc__fail(NC_ERR_NOMEM, "out of memory for an attribute");
      }
      return NC_OK;
    }
    default:
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: attribute '%s' has type %d (graphs, sparse "
                      "tensors, strings lists and type protos are not "
                      "supported)",
                      what, shown_(ap->name, sn, sizeof sn), (int)a->type);
  }
}

/* Adds one node: its tensors and attributes. */
static nc_status_t node_(nc_graph_t *g, int *cap, const Onnx__NodeProto *np,
                         int k, const char *origin) {
  char sn[96], so[64], what[256];
  nc_graph_node_t *n = &g->nodes[k];
  const char *label = np->name != NULL && np->name[0] != '\0'
                          ? np->name
                          : (np->n_output > 0 ? np->output[0] : "");
  n->name = dup_(label);
  n->op = dup_(np->op_type);
  if (n->name == NULL || n->op == NULL) {
    return nc__fail(NC_ERR_NOMEM, "out of memory for a node");
  }
  snprintf(what, sizeof what, "%s: node '%s' (%s)", origin,
           shown_(n->name, sn, sizeof sn), shown_(n->op, so, sizeof so));
  if (np->domain != NULL && np->domain[0] != '\0' &&
      strcmp(np->domain, "ai.onnx") != 0) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: operator domain '%s' is not supported (only the "
                    "default ONNX domain)",
                    what, shown_(np->domain, sn, sizeof sn));
  }
  if (np->n_input > 1024 || np->n_output > 1024 || np->n_attribute > 1024) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: too many inputs, outputs or "
                    "attributes",
                    what);
  }
  n->in = malloc((np->n_input + 1) * sizeof *n->in);
  n->out = malloc((np->n_output + 1) * sizeof *n->out);
  n->attr = calloc(np->n_attribute + 1, sizeof *n->attr);
  if (n->in == NULL || n->out == NULL || n->attr == NULL) {
    return nc__fail(NC_ERR_NOMEM, "out of memory for a node");
  }
  for (size_t i = 0; i < np->n_input; i++) {
    n->in[n->nin] = -1;
    if (np->input[i][0] != '\0') {
      nc_status_t st = intern_(g, cap, np->input[i], &n->in[n->nin]);
      if (st != NC_OK) {
        return st;
      }
    }
    n->nin++;
  }
  for (size_t i = 0; i < np->n_output; i++) {
    n->out[n->nout] = -1;
    if (np->output[i][0] != '\0') {
      int t;
      nc_status_t st = intern_(g, cap, np->output[i], &t);
      if (st != NC_OK) {
        return st;
      }
      if (g->tensors[t].producer >= 0 || g->tensors[t].is_const) {
        return nc__fail(NC_ERR_FORMAT,
                        "%s: output '%s' is already written by another node "
                        "or is an initializer",
                        what, shown_(np->output[i], sn, sizeof sn));
      }
      g->tensors[t].producer = k;
      n->out[n->nout] = t;
    }
    n->nout++;
  }
  for (size_t i = 0; i < np->n_attribute; i++) {
    nc_status_t st = attr_(np->attribute[i], what, &n->attr[n->nattr++]);
    if (st != NC_OK) {
      return st;
    }
  }
  return NC_OK;
}

static nc_status_t model_(const Onnx__ModelProto *m, const char *origin,
                          nc_graph_t *g) {
  char sn[96], what[256];
  const Onnx__GraphProto *gp = m->graph;
  if (gp == NULL) {
    return nc__fail(NC_ERR_FORMAT, "%s: the model has no graph", origin);
  }
  g->opset = -1;
  for (size_t i = 0; i < m->n_opset_import; i++) {
    const char *d = m->opset_import[i]->domain;
    if (d == NULL || d[0] == '\0' || strcmp(d, "ai.onnx") == 0) {
      g->opset = m->opset_import[i]->version;
    }
  }
  if (g->opset < 1) {
    return nc__fail(NC_ERR_FORMAT,
                    "%s: the model imports no version of the default operator "
                    "set",
                    origin);
  }
  snprintf(g->name, sizeof g->name, "%s",
           gp->name != NULL && gp->name[0] ? gp->name : "graph");
  if (gp->n_sparse_initializer > 0) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: sparse initializers are not supported", origin);
  }
  if (gp->n_node > (1u << 20) || gp->n_initializer > (1u << 20) ||
      gp->n_input > 4096 || gp->n_output > 4096) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: the graph is too large (over "
                    "2^20 nodes or initializers, or 4096 inputs or outputs)",
                    origin);
  }
  int cap = 0;
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    int t;
    nc_status_t st = intern_(g, &cap, tp->name, &t);
    if (st != NC_OK) {
      return st;
    }
    snprintf(what, sizeof what, "%s: initializer '%s'", origin,
             shown_(tp->name, sn, sizeof sn));
    if (g->tensors[t].is_const) {
      return nc__fail(NC_ERR_FORMAT, "%s: defined twice", what);
    }
    st = tensor_(tp, what, &g->tensors[t].value);
    if (st != NC_OK) {
      return st;
    }
    g->tensors[t].is_const = 1;
    g->tensors[t].elem = g->tensors[t].value.elem;
    g->tensors[t].ndim = g->tensors[t].value.ndim;
    memcpy(g->tensors[t].shape, g->tensors[t].value.shape,
           sizeof g->tensors[t].shape);
  }
  g->inputs = malloc((gp->n_input + 1) * sizeof *g->inputs);
  g->outputs = malloc((gp->n_output + 1) * sizeof *g->outputs);
  g->nodes = calloc(gp->n_node + 1, sizeof *g->nodes);
  if (g->inputs == NULL || g->outputs == NULL || g->nodes == NULL) {
    return nc__fail(NC_ERR_NOMEM, "out of memory for the graph");
  }
  for (size_t i = 0; i < gp->n_input; i++) {
    int t;
    nc_status_t st = intern_(g, &cap, gp->input[i]->name, &t);
    if (st != NC_OK) {
      return st;
    }
    /* Older models list initializers among the inputs too. */
    if (g->tensors[t].is_const) {
      continue;
    }
    for (int j = 0; j < g->ninputs; j++) {
      if (g->inputs[j] == t) {
        return nc__fail(NC_ERR_FORMAT, "%s: graph input '%s' listed twice",
                        origin, shown_(gp->input[i]->name, sn, sizeof sn));
      }
    }
    st = declare_(&g->tensors[t], gp->input[i], origin);
    if (st != NC_OK) {
      return st;
    }
    if (g->tensors[t].ndim < 0 || nc_elem_size(g->tensors[t].elem) == 0) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "%s: graph input '%s' needs a declared shape and a "
                      "supported element type (has %s)",
                      origin, shown_(gp->input[i]->name, sn, sizeof sn),
                      nc_elem_name(g->tensors[t].elem));
    }
    g->inputs[g->ninputs++] = t;
  }
  for (size_t i = 0; i < gp->n_node; i++) {
    nc_status_t st = node_(g, &cap, gp->node[i], (int)i, origin);
    g->nnodes = (int)i + 1;
    if (st != NC_OK) {
      return st;
    }
  }
  for (size_t i = 0; i < gp->n_output; i++) {
    const int t = nc_graph_find(g, gp->output[i]->name);
    if (t < 0) {
      return nc__fail(NC_ERR_FORMAT,
                      "%s: graph output '%s' is produced by no node", origin,
                      shown_(gp->output[i]->name, sn, sizeof sn));
    }
    nc_graph_tensor_t saved = g->tensors[t];
    nc_status_t st = declare_(&g->tensors[t], gp->output[i], origin);
    if (st != NC_OK) {
      return st;
    }
    /* An output's declared shape is informative only; a run gives the
     * computed one. */
    g->tensors[t].ndim = saved.ndim;
    memcpy(g->tensors[t].shape, saved.shape, sizeof saved.shape);
    g->outputs[g->noutputs++] = t;
  }
  if (g->noutputs == 0) {
    return nc__fail(NC_ERR_FORMAT, "%s: the graph has no outputs", origin);
  }
  return NC_OK;
}

nc_status_t nc_onnx_parse(const void *buf, size_t len, const char *origin,
                          nc_graph_t *g) {
  if (g == NULL || (buf == NULL && len > 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "onnx: NULL argument");
  }
  memset(g, 0, sizeof *g);
  origin = origin != NULL ? origin : "onnx";
  Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
  if (m == NULL) {
    return nc__fail(NC_ERR_FORMAT,
                    "%s: not a valid ONNX model (the protobuf does not parse: "
                    "truncated or corrupt)",
                    origin);
  }
  nc_status_t st = model_(m, origin, g);
  onnx__model_proto__free_unpacked(m, NULL);
  if (st == NC_OK) {
    st = nc_graph_check(g);
  }
  /* A BatchNormalization after a Conv becomes the Conv's weights. */
  if (st == NC_OK) {
    st = nc_graph_simplify(g, 1, 0, NULL);
  }
  if (st != NC_OK) {
    nc_graph_free(g);
  }
  return st;
}

/* Reads the file at `path` and hands its bytes to `parse`. */
static nc_status_t load_(const char *path, void *out,
                         nc_status_t (*parse)(const void *, size_t,
                                              const char *, void *)) {
  unsigned char *buf = NULL;
  size_t len = 0;
  nc_status_t st =
      nc__read_file(path, NC_ONNX_MAX_FILE_BYTES, "1 GiB", &buf, &len);
  if (st != NC_OK) {
    return st;
  }
  st = parse(buf, len, path, out);
  free(buf);
  return st;
}

static nc_status_t parse_model_(const void *buf, size_t len, const char *origin,
                                void *out) {
  return nc_onnx_parse(buf, len, origin, out);
}

static nc_status_t parse_tensor_(const void *buf, size_t len,
                                 const char *origin, void *out) {
  return nc_onnx_parse_tensor(buf, len, origin, out);
}

nc_status_t nc_onnx_load(const char *path, nc_graph_t *g) {
  if (path == NULL || g == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "onnx: NULL argument");
  }
  memset(g, 0, sizeof *g);
  return load_(path, g, parse_model_);
}

nc_status_t nc_onnx_parse_tensor(const void *buf, size_t len,
                                 const char *origin, nc_value_t *v) {
  if (v == NULL || (buf == NULL && len > 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "onnx tensor: NULL argument");
  }
  memset(v, 0, sizeof *v);
  origin = origin != NULL ? origin : "tensor";
  Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
  if (tp == NULL) {
    return nc__fail(NC_ERR_FORMAT,
                    "%s: not a valid TensorProto (truncated or corrupt)",
                    origin);
  }
  nc_status_t st = tensor_(tp, origin, v);
  onnx__tensor_proto__free_unpacked(tp, NULL);
  return st;
}

nc_status_t nc_onnx_load_tensor(const char *path, nc_value_t *v) {
  if (path == NULL || v == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "onnx tensor: NULL argument");
  }
  memset(v, 0, sizeof *v);
  return load_(path, v, parse_tensor_);
}
