/*
 * Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/), made from
 * what the repository itself produces: .npy files the library writes,
 * the network files in nets/ and networks that use every key of the
 * format, instruction streams the planner emits for small layers, and
 * program-cache files the OpenCL backend would write, and ONNX models and
 * tensors serialized by the protobuf-c code generated from onnx.proto (the
 * operators the importer knows, in the chain quantize maps). `make fuzz-seeds`
 * runs it; the result is committed, next to the inputs the fuzzers found.
 *
 *   fuzz_seeds OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"
#include "neocog/layer.h"
#include "neocog/ocl.h"
#include "neocog/plan.h"
#include "neocog/rng.h"
#include "neocog/tensor.h"
#include "onnx.pb-c.h"

static const char *out_;

static void put_(const char *target, const char *name, const void *data,
                 size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", out_, target);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/%s/%s", out_, target, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
}

static uint8_t *slurp_(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  static uint8_t buf[1 << 20];
  *n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

/* A tensor of random values, through the writer, as a seed. */
static void npy_(const char *name, nc_dtype_t dt, int nd, const int64_t *s) {
  nc_tensor_t t;
  nc_rng_t r;
  nc_rng_seed(&r, 7);
  if (nc_tensor_alloc(&t, dt, nd, s) != NC_OK) {
    exit(1);
  }
  nc_rng_fill(&r, &t, -100, 100);
  char path[1024];
  snprintf(path, sizeof path, "%s/npy", out_);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/npy/%s", out_, name);
  if (nc_tensor_save_npy(path, &t) != NC_OK) {
    exit(1);
  }
  nc_tensor_free(&t);
}

static void npy_seeds_(void) {
  const int64_t s4[4] = {1, 5, 5, 3}, s1[1] = {4}, s2[2] = {2, 3}, s0[1] = {0},
                s6[6] = {2, 2, 3, 1, 1, 2};
  npy_("int8_nhwc.npy", NC_DTYPE_INT8, 4, s4);
  npy_("uint8_vec.npy", NC_DTYPE_UINT8, 1, s1);
  npy_("int32_mat.npy", NC_DTYPE_INT32, 2, s2);
  npy_("float32_scalar.npy", NC_DTYPE_FLOAT32, 0, NULL);
  npy_("float32_empty.npy", NC_DTYPE_FLOAT32, 1, s0);
  npy_("int8_local_weights.npy", NC_DTYPE_INT8, 6, s6);
  /* The same image as format 2.0 and 3.0 (4-byte header length) and with
   * the spellings numpy also writes. */
  char path[1024];
  size_t n = 0;
  snprintf(path, sizeof path, "%s/npy/int32_mat.npy", out_);
  const uint8_t *v1 = slurp_(path, &n);
  static uint8_t v2[4096];
  memcpy(v2, v1, 8);
  v2[6] = 2;
  const size_t hlen = (size_t)v1[8] | (size_t)v1[9] << 8;
  v2[8] = (uint8_t)(hlen - 2);
  v2[9] = (uint8_t)((hlen - 2) >> 8);
  v2[10] = v2[11] = 0;
  memcpy(v2 + 12, v1 + 10, hlen - 2);
  memcpy(v2 + 12 + hlen - 2, v1 + 10 + hlen, n - 10 - hlen);
  put_("npy", "int32_mat_v2.npy", v2, n);
  v2[6] = 3;
  put_("npy", "int32_mat_v3.npy", v2, n);
  /* Double quotes, keys in another order, no trailing comma, as other
   * writers spell the header. */
  static const char dict[] =
      "{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": False}";
  static uint8_t hand[160];
  const size_t hl = 128 - 10; /* preamble and header: two 64-byte lines */
  memcpy(hand, "\x93NUMPY\x01\x00", 8);
  hand[8] = (uint8_t)hl;
  hand[9] = 0;
  memset(hand + 10, ' ', hl);
  memcpy(hand + 10, dict, sizeof dict - 1);
  hand[10 + hl - 1] = '\n';
  static const uint8_t two_floats[8] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40};
  memcpy(hand + 128, two_floats, sizeof two_floats);
  put_("npy", "float32_hand.npy", hand, 128 + sizeof two_floats);
  /* A header announcing 16 GiB of data, more than a tensor may hold. */
  static const char huge[] =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }";
  memset(hand + 10, ' ', hl);
  memcpy(hand + 10, huge, sizeof huge - 1);
  hand[10 + hl - 1] = '\n';
  put_("npy", "found_huge_header.npy", hand, 128 + sizeof two_floats);
}

static void net_seeds_(void) {
  size_t n = 0;
  const uint8_t *t = slurp_("nets/convnet.net", &n);
  put_("net", "convnet.net", t, n);
  t = slurp_("nets/convnet_fp32.net", &n);
  put_("net", "convnet_fp32.net", t, n);
  static const char every_key[] =
      "# every key of the format\n"
      "network name=allkeys seed=0x2a\n"
      "input shape=12x10x8 dtype=uint8 zp=3\n"
      "conv2d name=c1 filters=16 kernel=3x2 stride=1x2 pad=1,0,1,2 "
      "dilation=2x1 groups=2 mult=1073741824 shift=-3 out_dtype=int8 "
      "out_zp=-2 act=clamp clamp=-100,100 seed=9\n"
      "maxpool name=p1 size=2 stride=2 pad=same\n"
      "local name=l1 filters=4 kernel=2 scale=0.01 out_dtype=uint8 "
      "act=relu6 out_scale=0.05 bias=none\n"
      "avgpool size=1x2 stride=1\n"
      "fc name=f1 units=5 scale=0.002 act=relu\n";
  put_("net", "every_key.net", every_key, sizeof every_key - 1);
  static const char fp32[] =
      "input shape=7x7x2\n"
      "conv2d filters=3 kernel=3 pad=same act=relu6\n"
      "avgpool size=3 stride=2 pad=1\n"
      "fc units=4 act=clamp clamp=-0.5,0.5\n";
  put_("net", "fp32_small.net", fp32, sizeof fp32 - 1);
  /* What the hostile-input review found, kept as regressions. */
  static const char *const found[][2] = {
      {"found_huge_input.net",
       "input shape=1048576x1048576x1048576 dtype=int8\n"
       "conv2d filters=1 kernel=1 scale=0.1\n"},
      {"found_huge_fc.net",
       "input shape=1024x1024x3 dtype=int8\nfc units=16777216 scale=0.1\n"},
      {"found_huge_pad.net",
       "input shape=8x8x3 dtype=int8\n"
       "conv2d filters=2 kernel=3 pad=1048576 scale=0.1\n"},
      {"found_escape_in_name.net",
       "input shape=4x4x3 dtype=int8\n"
       "conv2d name=a\033[31mb filters=2 kernel=3 scale=0.01\n"},
      {"found_seed_overflow.net",
       "network seed=99999999999999999999\ninput shape=4x4x3\nfc units=2\n"},
  };
  for (size_t i = 0; i < sizeof found / sizeof found[0]; i++) {
    put_("net", found[i][0], found[i][1], strlen(found[i][1]));
  }
}

/* The planner's instruction stream for one layer, addressed to the
 * instruction target's buffer. */
static void insn_(const char *name, const nc_layer_t *l, const int64_t *xs,
                  int xn, const int64_t *ws, int wn, const nc_layer_t *pool,
                  uint64_t base) {
  nc_tensor_t x, w, b;
  if (nc_tensor_alloc(&x, NC_DTYPE_INT8, xn, xs) != NC_OK ||
      (wn > 0 && nc_tensor_alloc(&w, NC_DTYPE_INT8, wn, ws) != NC_OK)) {
    exit(1);
  }
  int64_t oc = wn == 6 ? ws[2] : wn > 0 ? ws[0] : 0;
  if (wn > 0 && nc_tensor_alloc(&b, NC_DTYPE_INT32, 1, &oc) != NC_OK) {
    exit(1);
  }
  nc_plan_req_t req = {l, &x, wn > 0 ? &w : NULL, wn > 0 ? &b : NULL, pool,
                       NULL, NULL};
  nc_plan_t *p = NULL;
  if (nc_plan_create(&req, NULL, &p) != NC_OK) {
    fprintf(stderr, "%s: %s\n", name, nc_error_detail());
    exit(1);
  }
  const size_t n = nc_plan_insn_count(p);
  uint8_t *s = malloc(n * NC_HW_INSN_BYTES);
  if (s == NULL || nc_plan_emit(p, base, s, n * NC_HW_INSN_BYTES) != NC_OK) {
    exit(1);
  }
  put_("insn", name, s, n * NC_HW_INSN_BYTES);
  free(s);
  nc_plan_free(p);
  nc_tensor_free(&x);
  if (wn > 0) {
    nc_tensor_free(&w);
    nc_tensor_free(&b);
  }
}

static void insn_seeds_(void) {
  nc_dev_t *dev = NULL;
  nc_dev_buf_t buf;
  if (nc_fuzz_insn_device(&dev, &buf) != 0) {
    exit(1);
  }
  nc_layer_t conv, pool, fc, local, avg;
  nc_layer_init(&conv, NC_LAYER_CONV2D);
  conv.pad_mode = NC_PAD_EXPLICIT;
  conv.pad_top = conv.pad_bottom = conv.pad_left = conv.pad_right = 1;
  const int64_t x1[4] = {1, 6, 6, 16}, w1[4] = {16, 3, 3, 16};
  insn_("conv3x3_direct.bin", &conv, x1, 4, w1, 4, NULL, buf.offset);
  const int64_t x2[4] = {1, 5, 5, 3}, w2[4] = {2, 3, 3, 3};
  conv.stride_h = conv.stride_w = 2;
  insn_("conv_lecture.bin", &conv, x2, 4, w2, 4, NULL, buf.offset);
  nc_layer_init(&pool, NC_LAYER_MAXPOOL);
  pool.pool_h = pool.pool_w = pool.stride_h = pool.stride_w = 2;
  conv.stride_h = conv.stride_w = 1;
  insn_("conv_maxpool_fused.bin", &conv, x1, 4, w1, 4, &pool, buf.offset);
  nc_layer_init(&fc, NC_LAYER_FC);
  const int64_t x3[2] = {2, 40}, w3[2] = {20, 40};
  insn_("fc.bin", &fc, x3, 2, w3, 2, NULL, buf.offset);
  nc_layer_init(&local, NC_LAYER_LOCAL);
  const int64_t x4[4] = {1, 3, 3, 2}, w4[6] = {2, 2, 4, 2, 2, 2};
  insn_("local.bin", &local, x4, 4, w4, 6, NULL, buf.offset);
  nc_layer_init(&avg, NC_LAYER_AVGPOOL);
  avg.pool_h = avg.pool_w = 3;
  const int64_t x5[4] = {1, 7, 7, 16};
  insn_("avgpool.bin", &avg, x5, 4, NULL, 0, NULL, buf.offset);
  nc_dev_close(dev);
}

static void cache_seeds_(void) {
  uint8_t key[NC_OCL_CACHE_KEY_BYTES];
  for (int i = 0; i < NC_OCL_CACHE_KEY_BYTES; i++) {
    key[i] = (uint8_t)(i * 37 + 1);
  }
  static uint8_t file[NC_OCL_CACHE_HEADER_BYTES + 512];
  const size_t sizes[3] = {0, 3, 512};
  for (int k = 0; k < 3; k++) {
    uint8_t *payload = file + NC_OCL_CACHE_HEADER_BYTES;
    for (size_t i = 0; i < sizes[k]; i++) {
      payload[i] = (uint8_t)(i * 131 + 7);
    }
    if (nc_ocl_cache_header(payload, sizes[k], key, file) != NC_OK) {
      exit(1);
    }
    char name[64];
    snprintf(name, sizeof name, "valid_%zu.clbin", sizes[k]);
    put_("ocl_cache", name, file, NC_OCL_CACHE_HEADER_BYTES + sizes[k]);
  }
  /* The two corruptions that used to crash POCL: cut in half, and one
   * byte flipped at offset 100. */
  put_("ocl_cache", "truncated.clbin", file,
       (NC_OCL_CACHE_HEADER_BYTES + 512) / 2);
  file[100] ^= 0xff;
  put_("ocl_cache", "flipped_100.clbin", file, NC_OCL_CACHE_HEADER_BYTES + 512);
}

/* A float32 TensorProto of `shape` filled with small values. */
static void onnx_tensor_(Onnx__TensorProto *t, char *name, int ndim,
                         int64_t *shape, float *vals) {
  onnx__tensor_proto__init(t);
  t->name = name;
  t->has_data_type = 1;
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->n_dims = (size_t)ndim;
  t->dims = shape;
  size_t n = 1;
  for (int i = 0; i < ndim; i++) {
    n *= (size_t)shape[i];
  }
  for (size_t i = 0; i < n; i++) {
    vals[i] = (float)((int)(i % 7) - 3) * 0.25f;
  }
  t->n_float_data = n;
  t->float_data = vals;
}

/* ONNX seeds: a one-node model, the Conv -> Relu -> MaxPool -> Reshape ->
 * MatMul chain with its initializers, and two tensors. */
static void onnx_seeds_(void) {
  static int64_t in_dims[4] = {1, 1, 6, 6}, w_dims[4] = {2, 1, 3, 3};
  static int64_t shape_dims[1] = {2}, m_dims[2] = {50, 3};
  static int64_t shape_vals[2] = {1, 50};
  static float w_vals[18], m_vals[150];
  Onnx__TensorShapeProto__Dimension dims[4], *dim_ptrs[4];
  for (int d = 0; d < 4; d++) {
    onnx__tensor_shape_proto__dimension__init(&dims[d]);
    dims[d].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    dims[d].dim_value = in_dims[d];
    dim_ptrs[d] = &dims[d];
  }
  Onnx__TensorShapeProto shp;
  onnx__tensor_shape_proto__init(&shp);
  shp.n_dim = 4;
  shp.dim = dim_ptrs;
  Onnx__TypeProto__Tensor tt;
  onnx__type_proto__tensor__init(&tt);
  tt.has_elem_type = 1;
  tt.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tt.shape = &shp;
  Onnx__TypeProto type;
  onnx__type_proto__init(&type);
  type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type.tensor_type = &tt;
  Onnx__ValueInfoProto in, out, *in_ptr = &in, *out_ptr = &out;
  onnx__value_info_proto__init(&in);
  in.name = "x";
  in.type = &type;
  onnx__value_info_proto__init(&out);
  Onnx__AttributeProto ks, pads, *conv_attrs[1] = {&pads},
                                 *pool_attrs[1] = {&ks};
  static int64_t ks_vals[2] = {2, 2}, pad_vals[4] = {1, 1, 1, 1};
  onnx__attribute_proto__init(&ks);
  ks.name = "kernel_shape";
  ks.has_type = 1;
  ks.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  ks.n_ints = 2;
  ks.ints = ks_vals;
  onnx__attribute_proto__init(&pads);
  pads.name = "pads";
  pads.has_type = 1;
  pads.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  pads.n_ints = 4;
  pads.ints = pad_vals;
  static char *conv_in[] = {"x", "w"}, *conv_out[] = {"c"};
  static char *relu_in[] = {"c"}, *relu_out[] = {"r"};
  static char *pool_in[] = {"r"}, *pool_out[] = {"p"};
  static char *resh_in[] = {"p", "s"}, *resh_out[] = {"f"};
  static char *mm_in[] = {"f", "m"}, *mm_out[] = {"y"};
  Onnx__NodeProto nodes[5], *node_ptrs[5];
  static const struct {
    char *name, *op;
    char **in, **out;
    int nin;
  } spec[5] = {{"conv", "Conv", conv_in, conv_out, 2},
               {"relu", "Relu", relu_in, relu_out, 1},
               {"pool", "MaxPool", pool_in, pool_out, 1},
               {"flat", "Reshape", resh_in, resh_out, 2},
               {"fc", "MatMul", mm_in, mm_out, 2}};
  for (int k = 0; k < 5; k++) {
    onnx__node_proto__init(&nodes[k]);
    nodes[k].name = spec[k].name;
    nodes[k].op_type = spec[k].op;
    nodes[k].n_input = (size_t)spec[k].nin;
    nodes[k].input = spec[k].in;
    nodes[k].n_output = 1;
    nodes[k].output = spec[k].out;
    node_ptrs[k] = &nodes[k];
  }
  nodes[0].n_attribute = 1;
  nodes[0].attribute = conv_attrs;
  nodes[2].n_attribute = 1;
  nodes[2].attribute = pool_attrs;
  Onnx__TensorProto w, m, sh, *inits[3] = {&w, &sh, &m};
  onnx_tensor_(&w, "w", 4, w_dims, w_vals);
  onnx_tensor_(&m, "m", 2, m_dims, m_vals);
  onnx__tensor_proto__init(&sh);
  sh.name = "s";
  sh.has_data_type = 1;
  sh.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  sh.n_dims = 1;
  sh.dims = shape_dims;
  sh.n_int64_data = 2;
  sh.int64_data = shape_vals;
  Onnx__GraphProto g;
  onnx__graph_proto__init(&g);
  g.name = "seed";
  g.n_input = 1;
  g.input = &in_ptr;
  g.n_output = 1;
  g.output = &out_ptr;
  Onnx__OperatorSetIdProto opset, *opset_ptr = &opset;
  onnx__operator_set_id_proto__init(&opset);
  opset.has_version = 1;
  opset.version = 17;
  Onnx__ModelProto model;
  onnx__model_proto__init(&model);
  model.has_ir_version = 1;
  model.ir_version = 8;
  model.n_opset_import = 1;
  model.opset_import = &opset_ptr;
  model.graph = &g;
  static uint8_t buf[1 << 16];
  /* One node: x -> Relu -> r. */
  g.n_node = 1;
  g.node = &node_ptrs[1];
  relu_in[0] = "x";
  out.name = "r";
  put_("onnx", "relu.onnx", buf, onnx__model_proto__pack(&model, buf));
  /* The chain: [1, 1, 6, 6] -> conv 3x3 pad 1 -> [1, 2, 6, 6] -> relu ->
   * max pool 2x2 stride 1 -> [1, 2, 5, 5] -> [1, 50] -> x [50, 3]. */
  relu_in[0] = "c";
  g.n_node = 5;
  g.node = node_ptrs;
  g.n_initializer = 3;
  g.initializer = inits;
  out.name = "y";
  put_("onnx", "chain.onnx", buf, onnx__model_proto__pack(&model, buf));
  put_("onnx", "tensor_float.pb", buf, onnx__tensor_proto__pack(&w, buf));
  put_("onnx", "tensor_int64.pb", buf, onnx__tensor_proto__pack(&sh, buf));
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: fuzz_seeds OUTDIR (run from the repository top)\n");
    return 2;
  }
  out_ = argv[1];
  mkdir(out_, 0755);
  npy_seeds_();
  net_seeds_();
  insn_seeds_();
  cache_seeds_();
  onnx_seeds_();
  return 0;
}
