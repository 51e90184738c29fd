/*
 * Bad ONNX models and IDX files: each is one error with a detail naming
 * what is wrong, never a crash (the suite also runs under ASan+UBSan).
 * The models are built here with the protobuf-c code generated from
 * onnx.proto, so each test states exactly which fault the file carries.
 */
#include <zlib.h>

#include "neocog/onnx.h"
#include "neocog/quantize.h"
#include "onnx.pb-c.h"
#include "tests/common.h"

/* A small model under construction: nodes, initializers and one input. */
typedef struct {
  Onnx__NodeProto nodes[8];
  Onnx__NodeProto *node_ptrs[8];
  Onnx__AttributeProto attrs[8];
  Onnx__AttributeProto *attr_ptrs[8][4];
  Onnx__TensorProto inits[4];
  Onnx__TensorProto *init_ptrs[4];
  Onnx__ValueInfoProto in, out;
  Onnx__ValueInfoProto *in_ptr, *out_ptr;
  Onnx__TypeProto in_type;
  Onnx__TypeProto__Tensor in_tensor;
  Onnx__TensorShapeProto in_shape;
  Onnx__TensorShapeProto__Dimension dims[4];
  Onnx__TensorShapeProto__Dimension *dim_ptrs[4];
  Onnx__GraphProto graph;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opset_ptr;
  Onnx__ModelProto model;
  int nnodes, nattrs, ninits;
} tmodel_t;

/* A model with float32 input "x" of `shape` and graph output `out`. */
static void tm_init_(tmodel_t *m, int ndim, const int64_t *shape,
                     const char *out) {
  memset(m, 0, sizeof *m);
  onnx__model_proto__init(&m->model);
  onnx__graph_proto__init(&m->graph);
  onnx__operator_set_id_proto__init(&m->opset);
  m->opset.has_version = 1;
  m->opset.version = 17;
  m->opset_ptr = &m->opset;
  m->model.n_opset_import = 1;
  m->model.opset_import = &m->opset_ptr;
  m->model.has_ir_version = 1;
  m->model.ir_version = 8;
  m->model.graph = &m->graph;
  m->graph.name = "t";
  onnx__value_info_proto__init(&m->in);
  onnx__type_proto__init(&m->in_type);
  onnx__type_proto__tensor__init(&m->in_tensor);
  onnx__tensor_shape_proto__init(&m->in_shape);
  for (int d = 0; d < ndim; d++) {
    onnx__tensor_shape_proto__dimension__init(&m->dims[d]);
    m->dims[d].value_case =
        ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    m->dims[d].dim_value = shape[d];
    m->dim_ptrs[d] = &m->dims[d];
  }
  m->in_shape.n_dim = (size_t)ndim;
  m->in_shape.dim = m->dim_ptrs;
  m->in_tensor.has_elem_type = 1;
  m->in_tensor.elem_type = NC_ELEM_FLOAT32;
  m->in_tensor.shape = &m->in_shape;
  m->in_type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  m->in_type.tensor_type = &m->in_tensor;
  m->in.name = "x";
  m->in.type = &m->in_type;
  m->in_ptr = &m->in;
  m->graph.n_input = 1;
  m->graph.input = &m->in_ptr;
  onnx__value_info_proto__init(&m->out);
  m->out.name = (char *)out;
  m->out_ptr = &m->out;
  m->graph.n_output = 1;
  m->graph.output = &m->out_ptr;
}

/* Adds a node; `in` and `out` are NULL-terminated name lists. */
static Onnx__NodeProto *tm_node_(tmodel_t *m, const char *name, const char *op,
                                 char **in, char **out) {
  Onnx__NodeProto *n = &m->nodes[m->nnodes];
  onnx__node_proto__init(n);
  n->name = (char *)name;
  n->op_type = (char *)op;
  while (in[n->n_input] != NULL) {
    n->n_input++;
  }
  n->input = in;
  while (out[n->n_output] != NULL) {
    n->n_output++;
  }
  n->output = out;
  m->node_ptrs[m->nnodes] = n;
  m->nnodes++;
  m->graph.n_node = (size_t)m->nnodes;
  m->graph.node = m->node_ptrs;
  return n;
}

static void tm_attr_int_(tmodel_t *m, Onnx__NodeProto *n, const char *name,
                         int64_t v) {
  Onnx__AttributeProto *a = &m->attrs[m->nattrs++];
  onnx__attribute_proto__init(a);
  a->name = (char *)name;
  a->has_type = 1;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  a->has_i = 1;
  a->i = v;
  const int k = (int)(n - m->nodes);
  m->attr_ptrs[k][n->n_attribute++] = a;
  n->attribute = m->attr_ptrs[k];
}

/* Adds a float32 initializer of `shape` with `nraw` bytes of raw data. */
static void tm_init_tensor_(tmodel_t *m, const char *name, int ndim,
                            int64_t *shape, size_t nraw) {
  static uint8_t zeros[4096];
  Onnx__TensorProto *t = &m->inits[m->ninits];
  onnx__tensor_proto__init(t);
  t->name = (char *)name;
  t->has_data_type = 1;
  t->data_type = NC_ELEM_FLOAT32;
  t->n_dims = (size_t)ndim;
  t->dims = shape;
  t->has_raw_data = 1;
  t->raw_data.len = nraw;
  t->raw_data.data = zeros;
  m->init_ptrs[m->ninits++] = t;
  m->graph.n_initializer = (size_t)m->ninits;
  m->graph.initializer = m->init_ptrs;
}

/* Serializes the model; the caller frees the bytes. */
static uint8_t *tm_pack_(const tmodel_t *m, size_t *len) {
  *len = onnx__model_proto__get_packed_size(&m->model);
  uint8_t *buf = malloc(*len + 1);
  cr_assert_not_null(buf);
  cr_assert_eq(onnx__model_proto__pack(&m->model, buf), *len);
  return buf;
}

/* Parses the model and expects status `want` with `needle` in the detail. */
static void expect_(const tmodel_t *m, int want, const char *needle) {
  size_t len;
  uint8_t *buf = tm_pack_(m, &len);
  nc_graph_t g;
  const int st = nc_onnx_parse(buf, len, "t.onnx", &g);
  free(buf);
  cr_assert_eq(st, want, "status %s, expected %s: %s", nc_status_name(st),
               nc_status_name(want), nc_error_detail());
  cr_assert_not_null(strstr(nc_error_detail(), needle),
                     "detail '%s' lacks '%s'", nc_error_detail(), needle);
  cr_assert_eq(g.nnodes, 0, "a failed parse leaves the graph empty");
  cr_assert_null(g.tensors);
}

static char *x_[] = {"x", NULL}, *y_[] = {"y", NULL}, *z_[] = {"z", NULL};

Test(onnx_errors, a_good_model_runs) {
  tmodel_t m;
  const int64_t shape[2] = {2, 3};
  tm_init_(&m, 2, shape, "z");
  tm_node_(&m, "r1", "Relu", x_, y_);
  tm_node_(&m, "r2", "Sigmoid", y_, z_);
  size_t len;
  uint8_t *buf = tm_pack_(&m, &len);
  nc_graph_t g;
  cr_assert_eq(nc_onnx_parse(buf, len, "t.onnx", &g), NC_OK, "%s",
               nc_error_detail());
  free(buf);
  nc_value_t x, y;
  cr_assert_eq(nc_value_alloc(&x, NC_ELEM_FLOAT32, 2, shape, "x"), NC_OK);
  ((float *)x.data)[0] = -1.0f;
  ((float *)x.data)[1] = 2.0f;
  cr_assert_eq(nc_graph_run(&g, &x, &y), NC_OK, "%s", nc_error_detail());
  /* sigmoid(relu(-1)) = 0.5, sigmoid(relu(2)) = 1 / (1 + e^-2). */
  cr_assert_float_eq(((float *)y.data)[0], 0.5f, 1e-7);
  cr_assert_float_eq(((float *)y.data)[1], 0.880797078f, 1e-7);
  nc_value_free(&y);
  /* A run with an input of another shape is refused, naming it. */
  const int64_t other[2] = {3, 2};
  nc_value_free(&x);
  cr_assert_eq(nc_value_alloc(&x, NC_ELEM_FLOAT32, 2, other, "x"), NC_OK);
  cr_assert_eq(nc_graph_run(&g, &x, &y), NC_ERR_SHAPE);
  cr_assert_not_null(strstr(nc_error_detail(), "graph input 'x'"));
  cr_assert_null(y.data);
  nc_value_free(&x);
  nc_graph_free(&g);
}

Test(onnx_errors, nodes_out_of_order_are_sorted) {
  tmodel_t m;
  const int64_t shape[1] = {4};
  tm_init_(&m, 1, shape, "z");
  tm_node_(&m, "second", "Relu", y_, z_);
  tm_node_(&m, "first", "Relu", x_, y_);
  size_t len;
  uint8_t *buf = tm_pack_(&m, &len);
  nc_graph_t g;
  cr_assert_eq(nc_onnx_parse(buf, len, "t.onnx", &g), NC_OK, "%s",
               nc_error_detail());
  free(buf);
  cr_assert_str_eq(g.nodes[0].name, "first");
  cr_assert_str_eq(g.nodes[1].name, "second");
  nc_graph_free(&g);
}

Test(onnx_errors, garbage_and_truncation) {
  nc_graph_t g;
  static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02};
  cr_assert_eq(nc_onnx_parse(junk, sizeof junk, "junk.onnx", &g),
               NC_ERR_FORMAT);
  cr_assert_not_null(strstr(nc_error_detail(),
                            "junk.onnx: not a valid ONNX "
                            "model"));
  tmodel_t m;
  const int64_t shape[2] = {2, 3};
  tm_init_(&m, 2, shape, "y");
  tm_node_(&m, "r1", "Relu", x_, y_);
  size_t len;
  uint8_t *buf = tm_pack_(&m, &len);
  /* Every prefix either parses to a (smaller) model or is one error. */
  int format = 0;
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *p = malloc(cut + 1);
    memcpy(p, buf, cut);
    const int st = nc_onnx_parse(p, cut, "cut.onnx", &g);
    free(p);
    if (st == NC_OK) {
      nc_graph_free(&g);
      continue;
    }
    cr_assert(st == NC_ERR_FORMAT || st == NC_ERR_UNSUPPORTED, "cut at %zu: %s",
              cut, nc_status_name(st));
    cr_assert_neq(nc_error_detail()[0], '\0');
    format += st == NC_ERR_FORMAT;
  }
  cr_assert_gt(format, 0);
  free(buf);
}

Test(onnx_errors, cycle_is_named) {
  tmodel_t m;
  const int64_t shape[1] = {4};
  tm_init_(&m, 1, shape, "z");
  static char *yx[] = {"y", "x", NULL}, *zy[] = {"z", "x", NULL};
  tm_node_(&m, "a", "Add", yx, z_);
  tm_node_(&m, "b", "Add", zy, y_);
  expect_(&m, NC_ERR_FORMAT, "has a cycle");
}

Test(onnx_errors, dangling_name_is_named) {
  tmodel_t m;
  const int64_t shape[1] = {4};
  tm_init_(&m, 1, shape, "y");
  static char *nope[] = {"nope", NULL};
  tm_node_(&m, "r", "Relu", nope, y_);
  expect_(&m, NC_ERR_FORMAT,
          "node 'r' (Relu): input 'nope' is not a graph "
          "input");
}

Test(onnx_errors, second_producer_is_refused) {
  tmodel_t m;
  const int64_t shape[1] = {4};
  tm_init_(&m, 1, shape, "y");
  tm_node_(&m, "r1", "Relu", x_, y_);
  tm_node_(&m, "r2", "Relu", x_, y_);
  expect_(&m, NC_ERR_FORMAT, "already written by another node");
}

Test(onnx_errors, unsupported_operator_and_attribute_are_named) {
  tmodel_t m;
  const int64_t shape[4] = {1, 1, 4, 4};
  tm_init_(&m, 4, shape, "y");
  tm_node_(&m, "lstm1", "LSTM", x_, y_);
  expect_(&m, NC_ERR_UNSUPPORTED,
          "node 'lstm1' (LSTM): operator LSTM is not supported");
  tm_init_(&m, 4, shape, "y");
  Onnx__NodeProto *n = tm_node_(&m, "r", "Relu", x_, y_);
  tm_attr_int_(&m, n, "bogus", 1);
  expect_(&m, NC_ERR_UNSUPPORTED,
          "node 'r' (Relu): attribute 'bogus' is not supported");
  tm_init_(&m, 4, shape, "y");
  n = tm_node_(&m, "p", "MaxPool", x_, y_);
  tm_attr_int_(&m, n, "storage_order", 1);
  expect_(&m, NC_ERR_UNSUPPORTED, "node 'p' (MaxPool): storage_order 1");
}

Test(onnx_errors, huge_and_inconsistent_tensors) {
  tmodel_t m;
  const int64_t shape[1] = {4};
  static int64_t huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
  static int64_t big[2] = {INT64_C(1) << 20, INT64_C(1) << 20};
  static int64_t four[1] = {4}, neg[1] = {-3};
  static char *xw[] = {"x", "w", NULL};
  tm_init_(&m, 1, shape, "y");
  tm_init_tensor_(&m, "w", 2, huge, 16);
  tm_node_(&m, "a", "Add", xw, y_);
  expect_(&m, NC_ERR_OVERFLOW, "initializer 'w'");
  tm_init_(&m, 1, shape, "y");
  tm_init_tensor_(&m, "w", 2, big, 16);
  tm_node_(&m, "a", "Add", xw, y_);
  expect_(&m, NC_ERR_UNSUPPORTED, "tensor limit");
  tm_init_(&m, 1, shape, "y");
  tm_init_tensor_(&m, "w", 1, four, 15);
  tm_node_(&m, "a", "Add", xw, y_);
  expect_(&m, NC_ERR_FORMAT,
          "raw_data holds 15 bytes, shape [4] float32 "
          "needs 16");
  tm_init_(&m, 1, shape, "y");
  tm_init_tensor_(&m, "w", 1, neg, 0);
  tm_node_(&m, "a", "Add", xw, y_);
  expect_(&m, NC_ERR_FORMAT, "negative extent");
}

Test(onnx_errors, shape_mismatch_at_run_names_the_node) {
  tmodel_t m;
  const int64_t shape[2] = {2, 3};
  static int64_t four[1] = {4};
  static char *xw[] = {"x", "w", NULL};
  tm_init_(&m, 2, shape, "y");
  tm_init_tensor_(&m, "w", 1, four, 16);
  tm_node_(&m, "add1", "Add", xw, y_);
  size_t len;
  uint8_t *buf = tm_pack_(&m, &len);
  nc_graph_t g;
  cr_assert_eq(nc_onnx_parse(buf, len, "t.onnx", &g), NC_OK, "%s",
               nc_error_detail());
  free(buf);
  nc_value_t x, y;
  cr_assert_eq(nc_value_alloc(&x, NC_ELEM_FLOAT32, 2, shape, "x"), NC_OK);
  cr_assert_eq(nc_graph_run(&g, &x, &y), NC_ERR_SHAPE);
  cr_assert_str_eq(nc_error_detail(),
                   "node 'add1' (Add): shapes [2, 3] and "
                   "[4] do not broadcast");
  cr_assert_null(y.data);
  nc_value_free(&x);
  nc_graph_free(&g);
}

Test(onnx_errors, quantize_names_the_node_a_network_cannot_hold) {
  tmodel_t m;
  const int64_t shape[4] = {1, 1, 4, 4};
  tm_init_(&m, 4, shape, "y");
  tm_node_(&m, "sig", "Sigmoid", x_, y_);
  size_t len;
  uint8_t *buf = tm_pack_(&m, &len);
  nc_graph_t g;
  cr_assert_eq(nc_onnx_parse(buf, len, "t.onnx", &g), NC_OK, "%s",
               nc_error_detail());
  free(buf);
  nc_tensor_t im;
  const int64_t ishape[3] = {2, 4, 4};
  nc_test_alloc(&im, NC_DTYPE_UINT8, 3, ishape);
  const nc_quantize_options_t o = {NC_CALIB_MINMAX, 1, "t.onnx", 0};
  cr_assert_eq(nc_quantize_graph(&g, &im, &o, "/nonexistent/q.net"),
               NC_ERR_UNSUPPORTED);
  cr_assert_not_null(strstr(nc_error_detail(),
                            "node 'sig' (Sigmoid): "
                            "operator not supported"),
                     "%s", nc_error_detail());
  nc_tensor_free(&im);
  nc_graph_free(&g);
}

/* --- IDX files --------------------------------------------------------- */

static const uint8_t idx_ok_[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0,
                                  0, 2, 0, 0, 0, 1, 1, 2, 3, 4};

Test(onnx_errors, idx_parses_plain_and_gzip) {
  nc_tensor_t t;
  cr_assert_eq(nc_tensor_parse_idx(idx_ok_, sizeof idx_ok_, "i", &t), NC_OK,
               "%s", nc_error_detail());
  cr_assert_eq(t.ndim, 3);
  cr_assert_eq(t.shape[0], 2);
  cr_assert_eq(((uint8_t *)t.data)[3], 4);
  nc_tensor_free(&t);
  /* The same bytes gzip-compressed. */
  uint8_t gz[256];
  z_stream z;
  memset(&z, 0, sizeof z);
  cr_assert_eq(
      deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  z.next_in = (uint8_t *)idx_ok_;
  z.avail_in = sizeof idx_ok_;
  z.next_out = gz;
  z.avail_out = sizeof gz;
  cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
  const size_t gzlen = sizeof gz - z.avail_out;
  deflateEnd(&z);
  cr_assert_eq(nc_tensor_parse_idx(gz, gzlen, "i.gz", &t), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(nc_tensor_numel(&t), 4);
  nc_tensor_free(&t);
  /* Cut short, the gzip stream is an error. */
  cr_assert_eq(nc_tensor_parse_idx(gz, gzlen - 9, "i.gz", &t), NC_ERR_FORMAT);
  cr_assert_not_null(strstr(nc_error_detail(), "i.gz: corrupt or truncated"));
  cr_assert_null(t.data);
}

Test(onnx_errors, idx_bad_magic_and_count) {
  nc_tensor_t t;
  uint8_t b[sizeof idx_ok_];
  memcpy(b, idx_ok_, sizeof b);
  b[2] = 0x0d; /* float data */
  cr_assert_eq(nc_tensor_parse_idx(b, sizeof b, "i", &t), NC_ERR_FORMAT);
  cr_assert_not_null(strstr(nc_error_detail(), "not an IDX file"));
  memcpy(b, idx_ok_, sizeof b);
  b[7] = 3; /* three images, data for two */
  cr_assert_eq(nc_tensor_parse_idx(b, sizeof b, "i", &t), NC_ERR_FORMAT);
  cr_assert_str_eq(nc_error_detail(),
                   "i: the header's count calls for 6 "
                   "bytes of data, the file holds 4");
  cr_assert_eq(nc_tensor_parse_idx(b, 9, "i", &t), NC_ERR_FORMAT);
  cr_assert_not_null(strstr(nc_error_detail(), "truncated header"));
  b[4] = 0xff; /* 4 billion images */
  cr_assert_neq(nc_tensor_parse_idx(b, sizeof b, "i", &t), NC_OK);
  cr_assert_null(t.data);
}
