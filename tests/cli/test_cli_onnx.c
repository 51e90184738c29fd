/*
 * neocog run / info / classify with ONNX models and IDX files. The bad
 * input cases need no real data; the real-model cases read mnist-12.onnx
 * and the MNIST test set from ../shared/data (NEOCOG_DATA overrides it)
 * and say so when they are absent.
 */
#include <math.h>

#include "neocog/graph.h"
#include "neocog/onnx.h"
#include "tests/cli_run.h"

static const char *data_(void) {
  const char *env = getenv("NEOCOG_DATA");
  return env != NULL && *env != '\0' ? env : "../shared/data";
}

/* The paths of the MNIST model, images and labels (512 bytes each); 0,
 * after saying so, when they are not there. */
static int mnist_(char *model, char *images, char *labels) {
  snprintf(model, 512, "%s/mnist-12.onnx", data_());
  snprintf(images, 512, "%s/t10k-images-idx3-ubyte.gz", data_());
  snprintf(labels, 512, "%s/t10k-labels-idx1-ubyte.gz", data_());
  if (access(model, R_OK) != 0 || access(images, R_OK) != 0 ||
      access(labels, R_OK) != 0) {
    fprintf(stderr,
            "cli_onnx: skipped: the MNIST model and images are not "
            "in %s\n",
            data_());
    return 0;
  }
  return 1;
}

static void write_bytes_(const char *path, const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(b, 1, n, f), n);
  fclose(f);
}

Test(cli_onnx, bad_input_is_one_clear_line_and_output_untouched) {
  run_t r;
  tmpdir_(&r);
  char img[256], lab3[256], badmagic[256], junk[256], y[256], x[256];
  path_(&r, "img", img);
  path_(&r, "lab3", lab3);
  path_(&r, "badmagic", badmagic);
  path_(&r, "junk.onnx", junk);
  path_(&r, "y.npy", y);
  path_(&r, "x.npy", x);
  /* Two 2x2 images; three labels; a file with a float IDX magic. */
  static const uint8_t im[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2,
                               0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
  static const uint8_t lb[] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3};
  static const uint8_t bm[] = {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0};
  write_bytes_(img, im, sizeof im);
  write_bytes_(lab3, lb, sizeof lb);
  write_bytes_(badmagic, bm, sizeof bm);
  write_bytes_(junk, "\xff\xff\xff\xff\x0f", 5);
  /* A network naming an input no earlier layer has; an ONNX model (a Relu)
   * whose input is declared [1, 2, 2, 2], which x.npy is not. */
  char dangling[256], relu[256];
  path_(&r, "dangling.net", dangling);
  path_(&r, "relu.onnx", relu);
  static const char dn[] =
      "input shape=4x4x1\nconv2d filters=2 kernel=1 input=nowhere\n";
  write_bytes_(dangling, dn, sizeof dn - 1);
  {
    nc_graph_t g;
    memset(&g, 0, sizeof g);
    g.opset = 13;
    const int64_t xs[4] = {1, 2, 2, 2};
    int xt, yt;
    cr_assert_eq(
        nc_graph_add_tensor(&g, "x", NC_ELEM_FLOAT32, 4, xs, NULL, 1, &xt),
        NC_OK);
    cr_assert_eq(nc_graph_add_tensor(&g, "y", 0, -1, NULL, NULL, 0, &yt),
                 NC_OK);
    cr_assert_eq(nc_graph_add_node(&g, "relu", "Relu", 1, &xt, 1, &yt, NULL),
                 NC_OK);
    cr_assert_eq(nc_graph_add_output(&g, yt), NC_OK);
    cr_assert_eq(nc_graph_check(&g), NC_OK);
    cr_assert_eq(nc_onnx_save(&g, relu), NC_OK);
    nc_graph_free(&g);
  }
  {
    int64_t shape[4] = {1, 1, 2, 2};
    nc_tensor_t t;
    nc_test_alloc(&t, NC_DTYPE_FLOAT32, 4, shape);
    cr_assert_eq(nc_tensor_save_npy(x, &t), NC_OK);
    nc_tensor_free(&t);
  }
  const struct {
    const char *args[16];
    int status;
    const char *word;
  } cases[] = {
      {{"classify", "m.onnx", "--images", img, "--labels", lab3, NULL},
       1,
       "3 labels for 2 images"},
      {{"classify", "m.onnx", "--images", badmagic, "--labels", lab3, NULL},
       1,
       "not an IDX file"},
      {{"classify", "m.onnx", "--images", img, "--labels", img, NULL},
       1,
       "vector"},
      {{"classify", "m.onnx", "--images", img, NULL}, 2, "--labels"},
      {{"classify", "m.txt", "--images", img, "--labels", lab3, NULL},
       2,
       ".onnx"},
      {{"classify", "m.onnx", "--images", img, "--labels", lab3, "--skip", "x",
        NULL},
       2,
       "--skip"},
      {{"quantize", "m.onnx", "--calib", img, "-o", "q.txt", NULL}, 2, ".net"},
      {{"quantize", "m.onnx", "--calib", img, "--method", "kl", "-o",
        "q.net", NULL},
       2,
       "entropy"},
      {{"quantize", "m.onnx", "--calib", badmagic, "-o", y, NULL}, 2, ".net"},
      {{"quantize", "m.onnx", "--calib", img, "--format", "qdq", "-o",
        "q.net", NULL},
       2,
       "--format needs -o OUT.onnx"},
      {{"quantize", "m.onnx", "--calib", img, "--format", "qlinear", "-o",
        "q.onnx", NULL},
       2,
       "qoperator or qdq"},
      {{"classify", "m.onnx", "--images", img, "--labels", lab3, "--limit", "0",
        NULL},
       2,
       "--limit"},
      {{"run", junk, "--input", x, "--output", y, "--backend", "tpu", NULL},
       2,
       "unknown backend"},
      {{"run", junk, "--input", x, "--output", y, "--backend", "rtl", NULL},
       1,
       "not a valid ONNX model"},
      {{"quantize", "m.onnx", "--calib", img, "-o", "q.onnx.txt", NULL},
       2,
       ".onnx"},
      {{"run", junk, "--input", x, "--output", y, NULL},
       1,
       "not a valid ONNX model"},
      {{"run", junk, "--input", x, NULL}, 2, "--output"},
      {{"run", dangling, "--seed", "1", "--output", y, "--backend", "rtl",
        NULL},
       1,
       "names no earlier layer"},
      {{"run", relu, "--input", x, "--output", y, "--backend", "model", NULL},
       1,
       "graph declares [1, 2, 2, 2]"},
      {{"run", relu, "--input", x, "--output", y, "--stats", y, NULL},
       1,
       "name the same file"},
      {{"run", junk, "--input", x, "--output", y, "--seed", "1", NULL},
       2,
       "--seed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    write_bytes_(y, "precious", 8);
    run_(&r, cases[i].args);
    cr_expect_eq(r.status, cases[i].status, "case %zu: exit %d: %s", i,
                 r.status, r.err);
    cr_expect(strstr(r.err, cases[i].word) != NULL,
              "case %zu: stderr lacks '%s': %s", i, cases[i].word, r.err);
    char *nl = strchr(r.err, '\n');
    cr_expect(nl != NULL && nl[1] == '\0', "case %zu: not one line: %s", i,
              r.err);
    char buf[64];
    slurp_(y, buf, sizeof buf);
    cr_expect_str_eq(buf, "precious", "case %zu clobbered the output", i);
  }
  cleanup_(&r);
}

/* mnist-12 on the first test image (a 7, per the label file): run writes
 * ten logits whose largest is class 7, and classify on the first 100
 * images agrees with the labels on all but at most 2 (the model's error
 * rate is 1.09% over the 10,000). */
Test(cli_onnx, mnist_run_and_classify) {
  char model[512], images[512], labels[512];
  if (!mnist_(model, images, labels)) {
    return;
  }
  nc_tensor_t im, lb;
  cr_assert_eq(nc_tensor_load_idx(images, &im), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_tensor_load_idx(labels, &lb), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(im.shape[0], 10000);
  cr_assert_eq(((uint8_t *)lb.data)[0], 7);
  run_t r;
  tmpdir_(&r);
  char x[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "y.npy", y);
  int64_t shape[4] = {1, 1, 28, 28};
  nc_tensor_t t;
  nc_test_alloc(&t, NC_DTYPE_FLOAT32, 4, shape);
  for (int i = 0; i < 28 * 28; i++) {
    ((float *)t.data)[i] = ((uint8_t *)im.data)[i];
  }
  cr_assert_eq(nc_tensor_save_npy(x, &t), NC_OK);
  nc_tensor_free(&t);
  run_(&r, (const char *[]){"run", model, "--input", x, "--output", y, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK);
  cr_assert_eq(out.ndim, 2);
  cr_assert_eq(out.shape[1], 10);
  int best = 0;
  for (int k = 1; k < 10; k++) {
    best = ((float *)out.data)[k] > ((float *)out.data)[best] ? k : best;
  }
  cr_assert_eq(best, 7);
  nc_tensor_free(&out);
  run_(&r, (const char *[]){"classify", model, "--images", images, "--labels",
                            labels, "--limit", "100", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  long long n = 0, ok = 0;
  const char *p = strstr(r.out, ": 100 images, top-1 ");
  cr_assert_not_null(p, "%s", r.out);
  cr_assert_eq(sscanf(strchr(p, '(') + 1, "%lld", &ok), 1);
  cr_assert_geq(ok, 98, "%s", r.out);
  /* The confusion matrix's rows add up to the images. */
  const char *row = strstr(r.out, "\n     0 ");
  cr_assert_not_null(row, "%s", r.out);
  for (int k = 0; k < 10 && row != NULL; k++) {
    long long v[11];
    cr_assert_eq(sscanf(row + 1,
                        "%lld %lld %lld %lld %lld %lld %lld %lld "
                        "%lld %lld %lld",
                        &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                        &v[8], &v[9], &v[10]),
                 11);
    for (int c = 1; c <= 10; c++) {
      n += v[c];
    }
    row = strchr(row + 1, '\n');
  }
  cr_assert_eq(n, 100);
  nc_tensor_free(&im);
  nc_tensor_free(&lb);
  cleanup_(&r);
}

/* Parses "top-1 NN.NN% (K)" from classify's first line. */
static long long top1_count_(const char *out) {
  const char *p = strstr(out, "top-1 ");
  cr_assert_not_null(p, "%s", out);
  long long k = -1;
  cr_assert_eq(sscanf(strchr(p, '(') + 1, "%lld", &k), 1);
  return k;
}

/* neocog quantize on 100 calibration images, then the int8 network on the
 * next 200: as accurate as the float model there to within one image, and
 * its output byte for byte the same on cpu, the functional model and the
 * RTL (every layer of which is also checked against golden). */
Test(cli_onnx, quantize_mnist_int8_matches_float_and_backends) {
  char model[512], images[512], labels[512];
  if (!mnist_(model, images, labels)) {
    return;
  }
  run_t r;
  tmpdir_(&r);
  char net[256];
  path_(&r, "q.net", net);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--per-channel", "-o", net, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  run_(&r, (const char *[]){"classify", model, "--images", images, "--labels",
                            labels, "--skip", "100", "--limit", "200",
                            "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  const long long f32 = top1_count_(r.out);
  run_(&r, (const char *[]){"classify", net, "--images", images, "--labels",
                            labels, "--skip", "100", "--limit", "200",
                            "--batch", "50", "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  const long long i8 = top1_count_(r.out);
  cr_assert(i8 >= f32 - 1 && i8 <= f32 + 1, "int8 %lld, float %lld", i8, f32);
  /* Four images as one NHWC uint8 batch through run on three backends. */
  nc_tensor_t im, x;
  cr_assert_eq(nc_tensor_load_idx(images, &im), NC_OK);
  int64_t shape[4] = {4, 28, 28, 1};
  nc_test_alloc(&x, NC_DTYPE_UINT8, 4, shape);
  memcpy(x.data, im.data, x.nbytes);
  char xp[256], y[3][256];
  path_(&r, "x.npy", xp);
  cr_assert_eq(nc_tensor_save_npy(xp, &x), NC_OK);
  static const char *const be[3] = {"cpu", "model", "rtl"};
  char outs[3][8192];
  for (int b = 0; b < 3; b++) {
    snprintf(y[b], sizeof y[b], "%s/y_%s.npy", r.dir, be[b]);
    run_(&r, (const char *[]){"run", net, "--input", xp, "--backend", be[b],
                              "--output", y[b], "--quiet", NULL});
    cr_assert_eq(r.status, 0, "%s: %s", be[b], r.err);
    slurp_(y[b], outs[b], sizeof outs[b]);
  }
  nc_tensor_t o;
  cr_assert_eq(nc_tensor_load_npy(y[0], &o), NC_OK);
  cr_assert_eq(o.dtype, NC_DTYPE_INT32);
  cr_assert_eq(o.shape[0], 4);
  cr_assert_eq(o.shape[1], 10);
  for (int b = 1; b < 3; b++) {
    cr_assert_eq(memcmp(outs[0], outs[b], 128 + o.nbytes), 0,
                 "%s differs from cpu", be[b]);
  }
  nc_tensor_free(&o);
  nc_tensor_free(&x);
  nc_tensor_free(&im);
  cleanup_(&r);
}

/* Loads an int32 or float32 .npy's data as doubles (at most n). */
static size_t npy_values_(const char *path, double *v, size_t n) {
  nc_tensor_t t;
  cr_assert_eq(nc_tensor_load_npy(path, &t), NC_OK, "%s", path);
  size_t k = nc_tensor_numel(&t);
  k = k < n ? k : n;
  for (size_t i = 0; i < k; i++) {
    v[i] = t.dtype == NC_DTYPE_INT32 ? ((int32_t *)t.data)[i]
                                     : ((float *)t.data)[i];
  }
  nc_tensor_free(&t);
  return k;
}

/* neocog quantize -o q.onnx writes the quantized MNIST CNN as an ONNX
 * model; neocog run takes it on every backend (its QLinearConv, MaxPool
 * and MatMulInteger nodes as layers, each checked against golden, the
 * rest on the host) with the same bytes out; --stats says where each node
 * ran; classify runs it on the RTL in batches. The float model on opencl
 * (its Conv, pooling and MatMul as OpenCL layers) gives the evaluator's
 * logits to within float rounding. */
Test(cli_onnx, quantized_onnx_runs_bit_identical_on_every_backend) {
  char model[512], images[512], labels[512];
  if (!mnist_(model, images, labels)) {
    return;
  }
  run_t r;
  tmpdir_(&r);
  char q[256], xp[256], x1[256], st[256];
  path_(&r, "q.onnx", q);
  path_(&r, "x.npy", xp);
  path_(&r, "x1.npy", x1);
  path_(&r, "s.json", st);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--per-channel", "-o", q, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  /* Four images, NCHW float32 raw pixels, as the float model takes them. */
  nc_tensor_t im, x;
  cr_assert_eq(nc_tensor_load_idx(images, &im), NC_OK);
  int64_t shape[4] = {4, 1, 28, 28};
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, shape);
  for (int i = 0; i < 4 * 784; i++) {
    ((float *)x.data)[i] = ((uint8_t *)im.data)[i];
  }
  cr_assert_eq(nc_tensor_save_npy(xp, &x), NC_OK);
  x.shape[0] = 1;
  x.nbytes = 784 * sizeof(float);
  cr_assert_eq(nc_tensor_save_npy(x1, &x), NC_OK);
  static const char *const be[5] = {"cpu", "model", "rtl", "lockstep",
                                    "opencl"};
  char y[5][256], outs[5][1024];
  for (int b = 0; b < 5; b++) {
    snprintf(y[b], sizeof y[b], "%s/y_%s.npy", r.dir, be[b]);
    run_(&r, (const char *[]){"run", q, "--input", xp, "--backend", be[b],
                              "--output", y[b], "--stats", st, NULL});
    cr_assert_eq(r.status, 0, "%s: %s", be[b], r.err);
    memset(outs[b], 0, sizeof outs[b]);
    slurp_(y[b], outs[b], sizeof outs[b]);
    char js[8192];
    slurp_(st, js, sizeof js);
    cr_assert(strstr(js, "\"operator\": \"QLinearConv\"") != NULL, "%s", js);
    cr_assert(strstr(js, "\"operator\": \"QuantizeLinear\"") != NULL &&
                  strstr(js, "\"ran_on\": \"host\"") != NULL,
              "%s", js);
    char want[64];
    snprintf(want, sizeof want, "\"ran_on\": \"%s\"", be[b]);
    cr_assert(strstr(js, want) != NULL, "%s: %s", be[b], js);
    if (b == 1 || b == 2 || b == 3) {
      /* The accelerator runs each MaxPool in its conv's store path. */
      cr_assert(strstr(js, "\"fused_into\": \"Convolution28\"") != NULL,
                "%s", js);
      cr_assert(strstr(js, "\"cycles\": ") != NULL, "%s", js);
    }
  }
  double v[40];
  cr_assert_eq(npy_values_(y[0], v, 40), 40);
  for (int b = 1; b < 5; b++) {
    cr_assert_eq(memcmp(outs[0], outs[b], sizeof outs[0]), 0,
                 "%s differs from cpu", be[b]);
  }
  /* The network file quantize writes from the same calibration gives the
   * same bytes (NHWC and NCHW agree for one channel). */
  char qn[256], xn[256], yn[256], on[1024] = {0};
  path_(&r, "q.net", qn);
  path_(&r, "xn.npy", xn);
  path_(&r, "yn.npy", yn);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--per-channel", "-o", qn, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_tensor_t xu;
  const int64_t us[4] = {4, 28, 28, 1};
  nc_test_alloc(&xu, NC_DTYPE_UINT8, 4, us);
  memcpy(xu.data, im.data, xu.nbytes);
  cr_assert_eq(nc_tensor_save_npy(xn, &xu), NC_OK);
  nc_tensor_free(&xu);
  run_(&r, (const char *[]){"run", qn, "--input", xn, "--output", yn,
                            "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  slurp_(yn, on, sizeof on);
  cr_assert_eq(memcmp(outs[0], on, sizeof on), 0, ".net differs from .onnx");
  /* The int32 logits pick the labels' classes for these four digits. */
  static const int label[4] = {7, 2, 1, 0};
  for (int i = 0; i < 4; i++) {
    int best = 0;
    for (int k = 1; k < 10; k++) {
      best = v[i * 10 + k] > v[i * 10 + best] ? k : best;
    }
    cr_expect_eq(best, label[i], "image %d", i);
  }
  run_(&r, (const char *[]){"classify", q, "--images", images, "--labels",
                            labels, "--limit", "20", "--batch", "10",
                            "--backend", "rtl", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "cycles per image") != NULL, "%s", r.out);
  cr_assert_geq(top1_count_(r.out), 19, "%s", r.out);
  /* float32 on opencl: the evaluator's logits within float rounding. */
  char f0[256], f1[256];
  path_(&r, "f_cpu.npy", f0);
  path_(&r, "f_ocl.npy", f1);
  run_(&r, (const char *[]){"run", model, "--input", x1, "--output", f0,
                            "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  run_(&r, (const char *[]){"run", model, "--input", x1, "--output", f1,
                            "--backend", "opencl", "--stats", st, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "Conv           opencl") != NULL, "%s", r.out);
  double a[10], b2[10];
  cr_assert_eq(npy_values_(f0, a, 10), 10);
  cr_assert_eq(npy_values_(f1, b2, 10), 10);
  for (int k = 0; k < 10; k++) {
    cr_expect(fabs(a[k] - b2[k]) <= 1e-4 * (1 + fabs(a[k])), "logit %d: %g %g",
              k, a[k], b2[k]);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&im);
  cleanup_(&r);
}

/* quantize --format qdq writes each inner conv as DequantizeLinear ->
 * Conv -> QuantizeLinear; lowering turns the pattern back into the
 * integer conv (its MaxPool fused, on the RTL), so the model gives the
 * QOperator model's bytes on cpu, model and rtl. */
Test(cli_onnx, quantize_qdq_lowers_like_qoperator) {
  char model[512], images[512], labels[512];
  if (!mnist_(model, images, labels)) {
    return;
  }
  run_t r;
  tmpdir_(&r);
  char qo[256], qd[256], xp[256], st[256];
  path_(&r, "qo.onnx", qo);
  path_(&r, "qd.onnx", qd);
  path_(&r, "x.npy", xp);
  path_(&r, "s.json", st);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--per-channel", "-o", qo, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--per-channel", "--format", "qdq", "-o",
                            qd, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_graph_t g;
  cr_assert_eq(nc_onnx_load(qd, &g), NC_OK, "%s", nc_error_detail());
  int convs = 0, qlinear = 0;
  for (int k = 0; k < g.nnodes; k++) {
    convs += strcmp(g.nodes[k].op, "Conv") == 0;
    qlinear += strcmp(g.nodes[k].op, "QLinearConv") == 0;
  }
  cr_assert_eq(convs, 2);
  cr_assert_eq(qlinear, 0);
  nc_graph_free(&g);
  nc_tensor_t im, x;
  cr_assert_eq(nc_tensor_load_idx(images, &im), NC_OK);
  int64_t shape[4] = {3, 1, 28, 28};
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, shape);
  for (int i = 0; i < 3 * 784; i++) {
    ((float *)x.data)[i] = ((uint8_t *)im.data)[100 * 784 + i];
  }
  cr_assert_eq(nc_tensor_save_npy(xp, &x), NC_OK);
  static const char *const be[3] = {"cpu", "model", "rtl"};
  char want[1024] = {0}, got[1024];
  for (int b = -1; b < 3; b++) {
    char y[256];
    snprintf(y, sizeof y, "%s/y%d.npy", r.dir, b + 1);
    run_(&r, (const char *[]){"run", b < 0 ? qo : qd, "--input", xp,
                              "--backend", b < 0 ? "cpu" : be[b], "--output",
                              y, "--stats", st, NULL});
    cr_assert_eq(r.status, 0, "%s", r.err);
    memset(got, 0, sizeof got);
    slurp_(y, b < 0 ? want : got, sizeof got);
    if (b < 0) {
      continue;
    }
    cr_assert_eq(memcmp(got, want, sizeof got), 0, "%s differs", be[b]);
    char js[16384], on[64];
    slurp_(st, js, sizeof js);
    snprintf(on, sizeof on, "\"operator\": \"Conv\", \"output_shape\": "
                            "[3, 8, 28, 28]");
    const char *c = strstr(js, on);
    cr_assert_not_null(c, "%s", js);
    snprintf(on, sizeof on, "\"ran_on\": \"%s\"", be[b]);
    cr_assert(strncmp(strstr(c, "\"ran_on\": "), on, strlen(on)) == 0, "%s",
              js);
    if (b > 0) {
      cr_assert(strstr(js, "\"fused_into\": \"Convolution28\"") != NULL,
                "%s", js);
    }
  }
  nc_tensor_free(&x);
  nc_tensor_free(&im);
  cleanup_(&r);
}

/* --method entropy: clipping thresholds from the KL divergence give other
 * requantization scales than min/max, and a model as accurate as the float
 * one on 200 digits it was not calibrated on (to within two). */
Test(cli_onnx, quantize_entropy_calibration) {
  char model[512], images[512], labels[512];
  if (!mnist_(model, images, labels)) {
    return;
  }
  run_t r;
  tmpdir_(&r);
  char qe[256], qm[256], se[256], sm[256];
  path_(&r, "e.net", qe);
  path_(&r, "m.net", qm);
  path_(&r, "e.Convolution28.s.npy", se);
  path_(&r, "m.Convolution28.s.npy", sm);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "--method", "entropy", "-o", qe, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "entropy") != NULL, "%s", r.out);
  run_(&r, (const char *[]){"quantize", model, "--calib", images, "--limit",
                            "100", "-o", qm, NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  char a[512] = {0}, b[512] = {0};
  slurp_(se, a, sizeof a);
  slurp_(sm, b, sizeof b);
  cr_assert(memcmp(a, b, sizeof a) != 0, "entropy gave min/max's scales");
  run_(&r, (const char *[]){"classify", model, "--images", images, "--labels",
                            labels, "--skip", "100", "--limit", "200",
                            "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  const long long f32 = top1_count_(r.out);
  run_(&r, (const char *[]){"classify", qe, "--images", images, "--labels",
                            labels, "--skip", "100", "--limit", "200",
                            "--batch", "50", "--quiet", NULL});
  cr_assert_eq(r.status, 0, "%s", r.err);
  const long long e8 = top1_count_(r.out);
  cr_assert(e8 >= f32 - 2, "entropy int8 %lld, float %lld", e8, f32);
  cleanup_(&r);
}
