/* Graphs written as ONNX models, through the generated protobuf-c
 * packer (neocog/onnx.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/onnx.h"
#include "onnx.pb-c.h"

/* Everything one save allocates, freed together. */
typedef struct {
  void **p;
  size_t n, cap;
  int bad;
} arena_t;

static void *take_(arena_t *a, size_t bytes) {
  if (a->bad) {
    return NULL;
  }
  if (a->n == a->cap) {
    const size_t cap = a->cap ? 2 * a->cap : 256;
    void **v = realloc(a->p, cap * sizeof *v);
    if (v == NULL) {
      a->bad = 1;
      return NULL;
    }
    a->p = v;
    a->cap = cap;
  }
  void *m = calloc(1, bytes ? bytes : 1);
  if (m == NULL) {
    a->bad = 1;
    return NULL;
  }
  a->p[a->n++] = m;
  return m;
}

static void arena_free_(arena_t *a) {
  for (size_t i = 0; i < a->n; i++) {
    free(a->p[i]);
  }
  free(a->p);
}

static Onnx__TensorProto *tensor_(arena_t *a, const char *name,
                                  const nc_value_t *v) {
  Onnx__TensorProto *tp = take_(a, sizeof *tp);
  int64_t *dims = take_(a, (size_t)(v->ndim + 1) * sizeof *dims);
  if (tp == NULL || dims == NULL) {
    return NULL;
  }
  onnx__tensor_proto__init(tp);
  tp->name = (char *)name;
  tp->has_data_type = 1;
  tp->data_type = (int32_t)v->elem;
  tp->n_dims = (size_t)v->ndim;
  for (int d = 0; d < v->ndim; d++) {
    dims[d] = v->shape[d];
  }
  tp->dims = dims;
  tp->has_raw_data = 1;
  tp->raw_data.len = v->nbytes;
  tp->raw_data.data = v->data;
  return tp;
}

static Onnx__ValueInfoProto *value_info_(arena_t *a,
                                         const nc_graph_tensor_t *t) {
  Onnx__ValueInfoProto *vi = take_(a, sizeof *vi);
  Onnx__TypeProto *ty = take_(a, sizeof *ty);
  Onnx__TypeProto__Tensor *tt = take_(a, sizeof *tt);
  if (vi == NULL || ty == NULL || tt == NULL) {
    return NULL;
  }
  onnx__value_info_proto__init(vi);
  onnx__type_proto__init(ty);
  onnx__type_proto__tensor__init(tt);
  vi->name = t->name;
  vi->type = ty;
  ty->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  ty->tensor_type = tt;
  tt->has_elem_type = 1;
  tt->elem_type = t->is_const ? (int32_t)t->value.elem : t->elem;
  const int ndim = t->is_const ? t->value.ndim : t->ndim;
  const int64_t *shape = t->is_const ? t->value.shape : t->shape;
  if (ndim < 0) {
    return vi;
  }
  Onnx__TensorShapeProto *sp = take_(a, sizeof *sp);
  Onnx__TensorShapeProto__Dimension **dv =
      take_(a, (size_t)(ndim + 1) * sizeof *dv);
  if (sp == NULL || dv == NULL) {
    return NULL;
  }
  onnx__tensor_shape_proto__init(sp);
  for (int d = 0; d < ndim; d++) {
    dv[d] = take_(a, sizeof *dv[d]);
    if (dv[d] == NULL) {
      return NULL;
    }
    onnx__tensor_shape_proto__dimension__init(dv[d]);
    if (shape[d] >= 0) {
      dv[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      dv[d]->dim_value = shape[d];
    } else {
      dv[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
      dv[d]->dim_param = "N";
    }
  }
  sp->n_dim = (size_t)ndim;
  sp->dim = dv;
  tt->shape = sp;
  return vi;
}

static Onnx__AttributeProto *attr_(arena_t *a, const nc_attr_t *at) {
  Onnx__AttributeProto *ap = take_(a, sizeof *ap);
  if (ap == NULL) {
    return NULL;
  }
  onnx__attribute_proto__init(ap);
  ap->name = at->name;
  ap->has_type = 1;
  ap->type = (Onnx__AttributeProto__AttributeType)at->type;
  switch (at->type) {
    case NC_ATTR_FLOAT:
      ap->has_f = 1;
      ap->f = at->f;
      break;
    case NC_ATTR_INT:
      ap->has_i = 1;
      ap->i = at->i;
      break;
    case NC_ATTR_STRING:
      ap->has_s = 1;
      ap->s.data = (uint8_t *)at->s;
      ap->s.len = strlen(at->s);
      break;
    case NC_ATTR_TENSOR:
      ap->t = tensor_(a, "", &at->t);
      if (ap->t == NULL) {
        return NULL;
      }
      break;
    case NC_ATTR_FLOATS:
      ap->n_floats = (size_t)at->n;
      ap->floats = at->floats;
      break;
    case NC_ATTR_INTS:
      ap->n_ints = (size_t)at->n;
      ap->ints = at->ints;
      break;
  }
  return ap;
}

static char empty_[] = "";

nc_status_t nc_onnx_save(const nc_graph_t *g, const char *path) {
  if (g == NULL || path == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "onnx save: NULL argument");
  }
  arena_t a = {0};
  Onnx__ModelProto m;
  Onnx__GraphProto gp;
  Onnx__OperatorSetIdProto os;
  Onnx__OperatorSetIdProto *osp = &os;
  onnx__model_proto__init(&m);
  onnx__graph_proto__init(&gp);
  onnx__operator_set_id_proto__init(&os);
  os.domain = empty_;
  os.has_version = 1;
  os.version = g->opset;
  m.has_ir_version = 1;
  m.ir_version = 8;
  m.n_opset_import = 1;
  m.opset_import = &osp;
  m.producer_name = "neocog";
  m.graph = &gp;
  gp.name = (char *)g->name;
  /* Initializers: the constants some node reads (or an output is). */
  gp.initializer = take_(&a, ((size_t)g->ntensors + 1) * sizeof *gp.initializer);
  int *used = take_(&a, ((size_t)g->ntensors + 1) * sizeof *used);
  for (int k = 0; used != NULL && k < g->nnodes; k++) {
    for (int i = 0; i < g->nodes[k].nin; i++) {
      if (g->nodes[k].in[i] >= 0) {
        used[g->nodes[k].in[i]] = 1;
      }
    }
  }
  for (int o = 0; used != NULL && o < g->noutputs; o++) {
    used[g->outputs[o]] = 1;
  }
  for (int t = 0; gp.initializer != NULL && used != NULL && t < g->ntensors;
       t++) {
    if (g->tensors[t].is_const && used[t]) {
      Onnx__TensorProto *tp =
          tensor_(&a, g->tensors[t].name, &g->tensors[t].value);
      gp.initializer[gp.n_initializer++] = tp;
    }
  }
  gp.input = take_(&a, ((size_t)g->ninputs + 1) * sizeof *gp.input);
  for (int i = 0; gp.input != NULL && i < g->ninputs; i++) {
    gp.input[gp.n_input++] = value_info_(&a, &g->tensors[g->inputs[i]]);
  }
  gp.output = take_(&a, ((size_t)g->noutputs + 1) * sizeof *gp.output);
  for (int o = 0; gp.output != NULL && o < g->noutputs; o++) {
    gp.output[gp.n_output++] = value_info_(&a, &g->tensors[g->outputs[o]]);
  }
  gp.node = take_(&a, ((size_t)g->nnodes + 1) * sizeof *gp.node);
  for (int k = 0; gp.node != NULL && k < g->nnodes; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    Onnx__NodeProto *np = take_(&a, sizeof *np);
    char **in = take_(&a, ((size_t)n->nin + 1) * sizeof *in);
    char **out = take_(&a, ((size_t)n->nout + 1) * sizeof *out);
    Onnx__AttributeProto **at =
        take_(&a, ((size_t)n->nattr + 1) * sizeof *at);
    if (np == NULL || in == NULL || out == NULL || at == NULL) {
      break;
    }
    onnx__node_proto__init(np);
    np->name = n->name;
    np->op_type = n->op;
    for (int i = 0; i < n->nin; i++) {
      in[i] = n->in[i] >= 0 ? g->tensors[n->in[i]].name : empty_;
    }
    for (int o = 0; o < n->nout; o++) {
      out[o] = n->out[o] >= 0 ? g->tensors[n->out[o]].name : empty_;
    }
    for (int j = 0; j < n->nattr; j++) {
      at[j] = attr_(&a, &n->attr[j]);
    }
    np->n_input = (size_t)n->nin, np->input = in;
    np->n_output = (size_t)n->nout, np->output = out;
    np->n_attribute = (size_t)n->nattr, np->attribute = at;
    gp.node[gp.n_node++] = np;
  }
  nc_status_t st = NC_OK;
  uint8_t *buf = NULL;
  size_t len = 0;
  if (a.bad) {
    st = nc__fail(NC_ERR_NOMEM, "onnx save: out of memory");
  } else {
    len = onnx__model_proto__get_packed_size(&m);
    buf = malloc(len ? len : 1);
    if (buf == NULL) {
      st = nc__fail(NC_ERR_NOMEM, "onnx save: out of memory");
    } else {
      onnx__model_proto__pack(&m, buf);
    }
  }
  arena_free_(&a);
  if (st != NC_OK) {
    free(buf);
    return st;
  }
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    free(buf);
    return nc__fail(NC_ERR_INVALID_ARG, "onnx save: path too long");
  }
  FILE *f = fopen(tmp, "wb");
  if (f == NULL) {
    free(buf);
    return nc__fail(NC_ERR_IO, "cannot write %s", path);
  }
  int bad = fwrite(buf, 1, len, f) != len;
  bad |= fclose(f) != 0;
  free(buf);
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    return nc__fail(NC_ERR_IO, "write failed: %s", path);
  }
  return NC_OK;
}
