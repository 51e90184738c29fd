/* neocog run MODEL.onnx, neocog info MODEL.onnx and neocog classify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/nc_hw.h"
#include "neocog/onnx.h"
#include "neocog/quantize.h"
#include "neocog/text.h"

static const char run_help_[] =
    "usage: neocog run MODEL.onnx --input X.npy --output Y.npy\n"
    "                  [--backend NAME] [--stats S.json] [--quiet]\n"
    "\n"
    "Runs an ONNX model (docs/onnx.md) and prints one line per node: where\n"
    "it ran, its output, its time and, on the accelerator, its cycles.\n"
    "  --input X.npy    the model's one input, in its own layout (NCHW for\n"
    "                   images) and element type (float32, uint8, int8 or\n"
    "                   int32); any batch the model's input allows\n"
    "  --output Y.npy   the model's first output, written atomically\n"
    "  --backend NAME   cpu (default), opencl, model, rtl or lockstep. The\n"
    "                   integer nodes a layer computes (QLinearConv,\n"
    "                   ConvInteger, QLinearMatMul, MatMulInteger, MaxPool)\n"
    "                   run as layers on the backend (golden on cpu), each\n"
    "                   checked against golden; opencl runs float32 Conv,\n"
    "                   MatMul, Gemm and pooling too; every other node runs\n"
    "                   on the host evaluator between them\n"
    "  --cl-platform P, --cl-device D   the OpenCL device\n"
    "  --stats S.json   per node: operator, where it ran, output, time;\n"
    "                   on model/rtl/lockstep cycles and utilization\n"
    "  --quiet          print nothing on success\n";

static const char classify_help_[] =
    "usage: neocog classify MODEL --images IMAGES --labels LABELS\n"
    "                       [--skip N] [--limit N] [--batch B]\n"
    "                       [--backend NAME] [--quiet]\n"
    "\n"
    "Classifies images with a model, an ONNX model (.onnx) or a network\n"
    "file (.net, e.g. from neocog quantize), and prints top-1 and top-5\n"
    "accuracy, the confusion matrix and the throughput.\n"
    "  --images IMAGES  IDX file of unsigned bytes (plain or .gz, as MNIST\n"
    "                   ships), or a .npy of uint8 or float32 images, one\n"
    "                   image per entry of the first dimension\n"
    "  --labels LABELS  IDX (plain or .gz) or .npy (uint8 or int32) labels,\n"
    "                   one per image\n"
    "  --skip N         leave out the first N images (e.g. those a model\n"
    "                   was calibrated on)\n"
    "  --limit N        at most N images (after --skip)\n"
    "  --batch B        images per run of the model (default: an ONNX\n"
    "                   model's batch dimension, or 1 when it is symbolic;\n"
    "                   a network runs any batch)\n"
    "  --backend NAME   cpu, opencl, model, rtl or lockstep (see neocog run\n"
    "                   MODEL.onnx --help for which ONNX nodes run where),\n"
    "                   every layer checked against golden; the accelerator\n"
    "                   backends add cycles per image and PE utilization\n"
    "  --cl-platform P, --cl-device D   the OpenCL device, as for run\n"
    "  --quiet          print only the accuracy line\n"
    "Pixels go to a float32 input as their raw values (0..255), to a uint8\n"
    "input unchanged, to an int8 input minus 128.\n";

int cli_is_onnx(const char *path) {
  const size_t n = path != NULL ? strlen(path) : 0;
  return n >= 5 && strcmp(path + n - 5, ".onnx") == 0;
}

static int load_graph_(const char *path, nc_graph_t *g) {
  int st = nc_onnx_load(path, g);
  if (st != NC_OK) {
    cli_report("model", st);
    return -1;
  }
  return 0;
}

int cmd_run_onnx(const char *path, int argc, char **argv, int i) {
  const char *input = NULL, *output = NULL, *backend = "cpu", *stats = NULL;
  const char *clp = NULL, *cld = NULL;
  int quiet = 0, r;
  static const char *const flags[] = {"help", "quiet", NULL};
  const char *key, *val;
  while ((r = cli_next_opt("run", argc, argv, &i, flags, &key, &val)) > 0) {
    if (strcmp(key, "help") == 0) {
      fputs(run_help_, stdout);
      return 0;
    } else if (strcmp(key, "quiet") == 0) {
      quiet = 1;
    } else if (strcmp(key, "input") == 0) {
      input = val;
    } else if (strcmp(key, "output") == 0) {
      output = val;
    } else if (strcmp(key, "backend") == 0) {
      backend = val;
    } else if (strcmp(key, "stats") == 0) {
      stats = val;
    } else if (strcmp(key, "cl-platform") == 0) {
      clp = val;
    } else if (strcmp(key, "cl-device") == 0) {
      cld = val;
    } else {
      cli_usage_error("run", "unknown option '--%s' for an ONNX model", key);
      return CLI_EXIT_USAGE;
    }
  }
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (input == NULL || output == NULL) {
    cli_usage_error("run", "an ONNX model needs --input and --output");
    return CLI_EXIT_USAGE;
  }
  cli_output_t outs[2] = {{"--output", output, ""}, {"--stats", stats, ""}};
  if (cli_outputs_stage(outs, 2) != 0) {
    return CLI_EXIT_FAIL;
  }
  cli_backend_t be = {0};
  int rc = cli_backend_open("run", backend, clp, cld, &be);
  if (rc != 0) {
    cli_backend_close(&be);
    return rc;
  }
  be.quiet = quiet;
  nc_graph_t g;
  if (load_graph_(path, &g) != 0) {
    cli_backend_close(&be);
    return CLI_EXIT_FAIL;
  }
  rc = CLI_EXIT_FAIL;
  cli_graph_t cg = {0};
  nc_tensor_t x = {0}, y = {0};
  nc_value_t xv = {0}, *yv = calloc((size_t)g.noutputs, sizeof *yv);
  if (yv == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    goto done;
  }
  if (g.ninputs != 1) {
    fprintf(stderr,
            "neocog: model: the graph has %d inputs; run takes "
            "models with one\n",
            g.ninputs);
    goto done;
  }
  int st = nc_tensor_load_npy(input, &x);
  if (st == NC_OK) {
    st = nc_value_from_tensor(&x, &xv);
  }
  if (st != NC_OK) {
    cli_report("--input", st);
    goto done;
  }
  rc = cli_graph_open(&cg, &be, &g);
  if (rc != 0) {
    goto done;
  }
  rc = CLI_EXIT_FAIL;
  const double t0 = cli_now();
  if (cli_graph_forward(&cg, &xv, yv, quiet) != 0) {
    goto done;
  }
  const double secs = cli_now() - t0;
  st = nc_value_to_tensor(&yv[0], &y);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  if (cli_output_open(&outs[0]) == NULL) {
    goto done;
  }
  st = nc_tensor_save_npy(outs[0].tmp, &y);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  if (stats != NULL &&
      (cli_output_open(&outs[1]) == NULL ||
       cli_write_stats(outs[1].tmp, backend, cg.ns, g.nnodes) != 0)) {
    goto done;
  }
  if (cli_outputs_commit(outs, 2) != 0) {
    goto done;
  }
  if (!quiet) {
    char s[96];
    int on = 0;
    unsigned long long cyc = 0;
    long long macs = 0;
    for (int k = 0; k < g.nnodes; k++) {
      on += cg.ns[k].ran_on != NULL && strcmp(cg.ns[k].ran_on, "host") != 0 &&
            strcmp(cg.ns[k].ran_on, "fused") != 0;
      cyc += cg.ns[k].accel ? cg.ns[k].ast.cycles : 0;
      macs += cg.ns[k].accel ? cg.ns[k].macs : 0;
    }
    nc_shape_format(&y, s, sizeof s);
    printf("%s on %s: %d nodes (%d as layers on %s) in %.2f ms, output %s %s "
           "written to %s\n",
           g.name, backend, g.nnodes, on, backend, secs * 1e3, s,
           nc_dtype_name(y.dtype), output);
    if (cyc > 0) {
      printf("%llu cycles, PE utilization %.1f%% of the %dx%d array; every "
             "layer matches golden\n",
             cyc,
             100.0 * (double)macs /
                 ((double)NC_HW_ROWS * NC_HW_COLS * (double)cyc),
             NC_HW_ROWS, NC_HW_COLS);
    }
  }
  rc = 0;
done:
  cli_outputs_discard(outs, 2);
  cli_graph_close(&cg);
  cli_backend_close(&be);
  nc_tensor_free(&x);
  nc_tensor_free(&y);
  nc_value_free(&xv);
  for (int o = 0; yv != NULL && o < g.noutputs; o++) {
    nc_value_free(&yv[o]);
  }
  free(yv);
  nc_graph_free(&g);
  return rc;
}

int cmd_info_onnx(const char *path) {
  nc_graph_t g;
  if (load_graph_(path, &g) != 0) {
    return CLI_EXIT_FAIL;
  }
  printf("graph %s: opset %lld, %d nodes, %d inputs, %d outputs\n", g.name,
         (long long)g.opset, g.nnodes, g.ninputs, g.noutputs);
  for (int i = 0; i < g.ninputs; i++) {
    const nc_graph_tensor_t *t = &g.tensors[g.inputs[i]];
    nc_value_t decl = {.ndim = t->ndim};
    memcpy(decl.shape, t->shape, sizeof decl.shape);
    char s[96];
    nc_value_shape_format(&decl, s, sizeof s);
    printf("input  %-24s %s %s\n", t->name, s, nc_elem_name(t->elem));
  }
  printf("%-3s %-28s %-20s %s\n", "#", "node", "operator", "inputs");
  for (int k = 0; k < g.nnodes; k++) {
    const nc_graph_node_t *n = &g.nodes[k];
    printf("%-3d %-28s %-20s", k + 1, n->name, n->op);
    for (int i = 0; i < n->nin; i++) {
      printf("%s%s", i ? ", " : " ",
             n->in[i] >= 0 ? g.tensors[n->in[i]].name : "(none)");
    }
    printf("\n");
  }
  for (int o = 0; o < g.noutputs; o++) {
    printf("output %s\n", g.tensors[g.outputs[o]].name);
  }
  nc_graph_free(&g);
  return 0;
}

/* Images or labels from an IDX (plain or .gz) or a .npy file. */
static int load_data_(const char *flag, const char *path, nc_tensor_t *t) {
  const size_t n = strlen(path);
  const int npy = n >= 4 && strcmp(path + n - 4, ".npy") == 0;
  int st = npy ? nc_tensor_load_npy(path, t) : nc_tensor_load_idx(path, t);
  if (st != NC_OK) {
    cli_report(flag, st);
    return -1;
  }
  return 0;
}

static int64_t label_(const nc_tensor_t *l, size_t i) {
  return l->dtype == NC_DTYPE_UINT8 ? ((const uint8_t *)l->data)[i]
                                    : ((const int32_t *)l->data)[i];
}

static int parse_count_(const char *opt, const char *val, uint64_t max,
                        uint64_t *out) {
  char shown[64];
  if (nc__parse_u64(val, out) != NC_OK || *out < 1 || *out > max) {
    cli_usage_error("classify", "--%s must be 1..%llu (got '%s')", opt,
                    (unsigned long long)max,
                    nc__shown_str(val, shown, sizeof shown));
    return -1;
  }
  return 0;
}

/* The model classify runs: an ONNX graph on the evaluator, or a network
 * on any backend. */
typedef struct {
  int is_net;
  nc_graph_t g;
  nc_net_t net;
  cli_backend_t be;
  nc_tensor_t *acts;    /* net: nlayers + 1 */
  cli_layer_stat_t *ls; /* net: per layer */
  nc_value_t x, *y;     /* graph: input batch, outputs */
  cli_graph_t cg;       /* graph: where its nodes run */
  unsigned long long cycles, macs;
} cls_model_t;

/* Element e of the batch input, from a pixel value. */
static void put_pixel_(cls_model_t *m, size_t e, double v) {
  const int elem = m->is_net
                       ? (m->net.dtype == NC_DTYPE_FLOAT32
                              ? NC_ELEM_FLOAT32
                              : (m->net.dtype == NC_DTYPE_UINT8 ? NC_ELEM_UINT8
                                                                : NC_ELEM_INT8))
                       : (int)m->x.elem;
  void *d = m->is_net ? m->acts[0].data : m->x.data;
  const double c = v < 0 ? 0 : (v > 255 ? 255 : v);
  if (elem == NC_ELEM_FLOAT32) {
    ((float *)d)[e] = (float)v;
  } else if (elem == NC_ELEM_UINT8) {
    ((uint8_t *)d)[e] = (uint8_t)c;
  } else {
    ((int8_t *)d)[e] = (int8_t)((int)c - 128);
  }
}

static double score_(const void *d, int elem, size_t i) {
  switch (elem) {
    case NC_ELEM_FLOAT32:
      return ((const float *)d)[i];
    case NC_ELEM_UINT8:
      return ((const uint8_t *)d)[i];
    case NC_ELEM_INT8:
      return ((const int8_t *)d)[i];
    case NC_ELEM_INT32:
      return ((const int32_t *)d)[i];
    default:
      return 0;
  }
}

/* Runs one batch; *scores points at batch x classes values of type
 * *elem. */
static int forward_(cls_model_t *m, uint64_t batch, const void **scores,
                    int *elem, int64_t *classes) {
  const void *data;
  int e, nd;
  const int64_t *shape;
  size_t numel;
  if (m->is_net) {
    for (int l = 1; l <= m->net.nlayers; l++) {
      nc_tensor_free(&m->acts[l]);
    }
    if (cli_net_forward(&m->be, &m->net, m->acts, m->ls, 1) != 0) {
      return -1;
    }
    for (int l = 0; l < m->net.nlayers; l++) {
      m->cycles += m->ls[l].accel ? m->ls[l].ast.cycles : 0;
      m->macs += (unsigned long long)m->ls[l].macs;
    }
    const nc_tensor_t *o = &m->acts[m->net.nlayers];
    static const int elems[] = {NC_ELEM_INT8, NC_ELEM_UINT8, NC_ELEM_INT32,
                                NC_ELEM_FLOAT32};
    data = o->data, e = elems[o->dtype], nd = o->ndim, shape = o->shape;
    numel = nc_tensor_numel(o);
  } else {
    for (int o = 0; o < m->g.noutputs; o++) {
      nc_value_free(&m->y[o]);
    }
    if (cli_graph_forward(&m->cg, &m->x, m->y, 1) != 0) {
      return -1;
    }
    for (int k = 0; k < m->g.nnodes; k++) {
      m->cycles += m->cg.ns[k].accel ? m->cg.ns[k].ast.cycles : 0;
      m->macs += m->cg.ns[k].accel ? (unsigned long long)m->cg.ns[k].macs : 0;
    }
    data = m->y[0].data, e = m->y[0].elem, nd = m->y[0].ndim;
    shape = m->y[0].shape, numel = nc_value_numel(&m->y[0]);
  }
  const int64_t k = nd >= 1 && shape[0] == (int64_t)batch
                        ? (int64_t)(numel / (size_t)batch)
                        : 0;
  if (k < 1 || (*classes != 0 && k != *classes)) {
    fprintf(stderr,
            "neocog: model: the output is not one score vector per "
            "image\n");
    return -1;
  }
  *classes = k;
  *scores = data;
  *elem = e;
  return 0;
}

/* The indices of the five largest scores, largest first. */
static void top5_(const void *d, int elem, size_t base, int64_t n,
                  int64_t *best) {
  for (int k = 0; k < 5; k++) {
    best[k] = -1;
  }
  for (int64_t i = 0; i < n; i++) {
    const double v = score_(d, elem, base + (size_t)i);
    for (int k = 0; k < 5; k++) {
      if (best[k] < 0 || v > score_(d, elem, base + (size_t)best[k])) {
        for (int j = 4; j > k; j--) {
          best[j] = best[j - 1];
        }
        best[k] = i;
        break;
      }
    }
  }
}

/* Opens the model; prepares the input batch of `batch` images of `pix`
 * values. Returns 0, or an exit status after reporting. */
static int open_model_(cls_model_t *m, const char *path, const char *backend,
                       const char *clp, const char *cld, uint64_t *batch,
                       int64_t pix) {
  if (!m->is_net) {
    if (load_graph_(path, &m->g) != 0) {
      return CLI_EXIT_FAIL;
    }
    if (m->g.ninputs != 1 || m->g.noutputs < 1) {
      fprintf(stderr,
              "neocog: model: classify takes models with one input "
              "(the graph has %d)\n",
              m->g.ninputs);
      return CLI_EXIT_FAIL;
    }
    const nc_graph_tensor_t *in = &m->g.tensors[m->g.inputs[0]];
    int64_t per = 1;
    for (int d = 1; d < in->ndim; d++) {
      per *= in->shape[d] < 0 ? -1 : in->shape[d];
    }
    if (in->ndim < 2 ||
        (in->elem != NC_ELEM_FLOAT32 && in->elem != NC_ELEM_UINT8) ||
        per != pix) {
      fprintf(stderr,
              "neocog: model: input '%s' must take float32 or uint8 "
              "images of %lld values (takes %lld)\n",
              in->name, (long long)pix, (long long)per);
      return CLI_EXIT_FAIL;
    }
    if (*batch == 0) {
      *batch = in->shape[0] > 0 ? (uint64_t)in->shape[0] : 1;
    } else if (in->shape[0] > 0 && (int64_t)*batch != in->shape[0]) {
      cli_usage_error("classify",
                      "--batch %llu: the model's batch dimension "
                      "is fixed at %lld",
                      (unsigned long long)*batch, (long long)in->shape[0]);
      return CLI_EXIT_USAGE;
    }
    int64_t xs[NC_MAX_DIMS];
    memcpy(xs, in->shape, sizeof xs);
    xs[0] = (int64_t)*batch;
    int st = nc_value_alloc(&m->x, in->elem, in->ndim, xs, "input batch");
    m->y = calloc((size_t)m->g.noutputs, sizeof *m->y);
    if (st != NC_OK || m->y == NULL) {
      cli_report("model", st != NC_OK ? st : NC_ERR_NOMEM);
      return CLI_EXIT_FAIL;
    }
    const int brc = cli_backend_open("classify", backend, clp, cld, &m->be);
    if (brc != 0) {
      return brc;
    }
    m->be.quiet = 1;
    return cli_graph_open(&m->cg, &m->be, &m->g);
  }
  int st = nc_net_load(path, &m->net);
  if (st != NC_OK) {
    cli_report("network", st);
    return CLI_EXIT_FAIL;
  }
  if (m->net.in_h * m->net.in_w * m->net.in_c != pix) {
    fprintf(stderr,
            "neocog: network: input %lldx%lldx%lld does not take "
            "images of %lld values\n",
            (long long)m->net.in_h, (long long)m->net.in_w,
            (long long)m->net.in_c, (long long)pix);
    return CLI_EXIT_FAIL;
  }
  *batch = *batch == 0 ? 1 : *batch;
  const int brc = cli_backend_open("classify", backend, clp, cld, &m->be);
  if (brc != 0) {
    return brc;
  }
  m->be.quiet = 1;
  m->acts = calloc((size_t)m->net.nlayers + 1, sizeof *m->acts);
  m->ls = calloc((size_t)m->net.nlayers, sizeof *m->ls);
  const int64_t shape[4] = {(int64_t)*batch, m->net.in_h, m->net.in_w,
                            m->net.in_c};
  st = m->acts != NULL && m->ls != NULL
           ? nc_tensor_alloc(&m->acts[0], m->net.dtype, 4, shape)
           : NC_ERR_NOMEM;
  if (st != NC_OK) {
    cli_report("network", st);
    return CLI_EXIT_FAIL;
  }
  return 0;
}

static void close_model_(cls_model_t *m) {
  if (m->acts != NULL) {
    for (int l = 0; l <= m->net.nlayers; l++) {
      nc_tensor_free(&m->acts[l]);
    }
  }
  free(m->acts);
  free(m->ls);
  nc_net_free(&m->net);
  cli_graph_close(&m->cg);
  cli_backend_close(&m->be);
  for (int o = 0; m->y != NULL && o < m->g.noutputs; o++) {
    nc_value_free(&m->y[o]);
  }
  free(m->y);
  nc_value_free(&m->x);
  nc_graph_free(&m->g);
}

int cmd_classify(int argc, char **argv) {
  const char *path = NULL, *images = NULL, *labels = NULL, *backend = "cpu";
  const char *clp = NULL, *cld = NULL;
  uint64_t limit = 0, batch = 0, skip = 0;
  int quiet = 0, r, i = 0;
  static const char *const flags[] = {"help", "quiet", NULL};
  const char *key, *val;
  if (argc >= 1 && strncmp(argv[0], "--", 2) != 0) {
    path = argv[0];
    i = 1;
  }
  while ((r = cli_next_opt("classify", argc, argv, &i, flags, &key, &val)) >
         0) {
    if (strcmp(key, "help") == 0) {
      fputs(classify_help_, stdout);
      return 0;
    } else if (strcmp(key, "quiet") == 0) {
      quiet = 1;
    } else if (strcmp(key, "images") == 0) {
      images = val;
    } else if (strcmp(key, "labels") == 0) {
      labels = val;
    } else if (strcmp(key, "backend") == 0) {
      backend = val;
    } else if (strcmp(key, "cl-platform") == 0) {
      clp = val;
    } else if (strcmp(key, "cl-device") == 0) {
      cld = val;
    } else if (strcmp(key, "limit") == 0) {
      if (parse_count_("limit", val, UINT64_C(1) << 31, &limit) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(key, "batch") == 0) {
      if (parse_count_("batch", val, 1 << 16, &batch) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(key, "skip") == 0) {
      if (parse_count_("skip", val, UINT64_C(1) << 31, &skip) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else {
      cli_usage_error("classify", "unknown option '--%s'", key);
      return CLI_EXIT_USAGE;
    }
  }
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (path == NULL || images == NULL || labels == NULL) {
    cli_usage_error("classify", "needs MODEL, --images and --labels");
    return CLI_EXIT_USAGE;
  }
  const size_t pl = strlen(path);
  const int is_net = pl >= 4 && strcmp(path + pl - 4, ".net") == 0;
  if (!cli_is_onnx(path) && !is_net) {
    cli_usage_error("classify",
                    "MODEL must be an ONNX model (.onnx) or a "
                    "network file (.net)");
    return CLI_EXIT_USAGE;
  }
  cls_model_t m;
  memset(&m, 0, sizeof m);
  m.is_net = is_net;
  nc_tensor_t im = {0}, lb = {0};
  int64_t *conf = NULL;
  int rc = CLI_EXIT_FAIL;
  if (load_data_("--images", images, &im) != 0 ||
      load_data_("--labels", labels, &lb) != 0) {
    goto done;
  }
  if (im.ndim < 2 ||
      (im.dtype != NC_DTYPE_UINT8 && im.dtype != NC_DTYPE_FLOAT32)) {
    fprintf(stderr,
            "neocog: --images: need uint8 or float32 images, one "
            "per entry of the first dimension\n");
    goto done;
  }
  if (lb.ndim != 1 ||
      (lb.dtype != NC_DTYPE_UINT8 && lb.dtype != NC_DTYPE_INT32)) {
    fprintf(stderr,
            "neocog: --labels: need a vector of uint8 or int32 "
            "labels\n");
    goto done;
  }
  if (lb.shape[0] != im.shape[0]) {
    fprintf(stderr, "neocog: --labels: %lld labels for %lld images\n",
            (long long)lb.shape[0], (long long)im.shape[0]);
    goto done;
  }
  const int64_t pix = (int64_t)(nc_tensor_numel(&im) / (size_t)im.shape[0]);
  rc = open_model_(&m, path, backend, clp, cld, &batch, pix);
  if (rc != 0) {
    goto done;
  }
  rc = CLI_EXIT_FAIL;
  if ((int64_t)skip >= im.shape[0]) {
    fprintf(stderr, "neocog: --skip %llu leaves none of the %lld images\n",
            (unsigned long long)skip, (long long)im.shape[0]);
    goto done;
  }
  int64_t total = im.shape[0] - (int64_t)skip;
  if (limit > 0 && (int64_t)limit < total) {
    total = (int64_t)limit;
  }
  if (total % (int64_t)batch != 0) {
    fprintf(stderr,
            "neocog: %lld images are not a whole number of batches "
            "of %llu\n",
            (long long)total, (unsigned long long)batch);
    goto done;
  }
  int64_t classes = 0, top1 = 0, top5 = 0;
  const int tty = isatty(fileno(stderr)) && !quiet;
  const double t0 = cli_now();
  double shown_at = t0;
  for (int64_t b0 = 0; b0 < total; b0 += (int64_t)batch) {
    const size_t n = (size_t)batch * (size_t)pix;
    for (size_t e = 0; e < n; e++) {
      const size_t src = ((size_t)skip + (size_t)b0) * (size_t)pix + e;
      put_pixel_(&m, e,
                 im.dtype == NC_DTYPE_UINT8 ? ((const uint8_t *)im.data)[src]
                                            : ((const float *)im.data)[src]);
    }
    const void *sc;
    int elem;
    if (forward_(&m, batch, &sc, &elem, &classes) != 0) {
      goto done;
    }
    if (conf == NULL) {
      conf = calloc((size_t)(classes * classes), sizeof *conf);
      if (conf == NULL) {
        fprintf(stderr, "neocog: out of memory\n");
        goto done;
      }
    }
    for (int64_t j = 0; j < (int64_t)batch; j++) {
      const int64_t want = label_(&lb, (size_t)skip + (size_t)(b0 + j));
      if (want < 0 || want >= classes) {
        fprintf(stderr,
                "neocog: --labels: label %lld of image %lld is not "
                "one of the model's %lld classes\n",
                (long long)want, (long long)(b0 + j), (long long)classes);
        goto done;
      }
      int64_t best[5];
      top5_(sc, elem, (size_t)(j * classes), classes, best);
      top1 += best[0] == want;
      for (int q = 0; q < 5; q++) {
        top5 += best[q] == want;
      }
      conf[want * classes + best[0]]++;
    }
    const double now = cli_now();
    if (tty && (now - shown_at > 0.2 || b0 + (int64_t)batch == total)) {
      const int64_t done_n = b0 + (int64_t)batch;
      const int bar = (int)(30 * done_n / total);
      fprintf(stderr, "\r[%-30.*s] %lld/%lld images, top-1 %.2f%%", bar,
              "##############################", (long long)done_n,
              (long long)total, 100.0 * (double)top1 / (double)done_n);
      fflush(stderr);
      shown_at = now;
    }
  }
  const double secs = cli_now() - t0;
  if (tty) {
    fprintf(stderr, "\r\033[K");
  }
  printf("%s on %s: %lld images, top-1 %.2f%% (%lld), top-5 %.2f%% (%lld)\n",
         m.is_net ? m.net.name : m.g.name, backend, (long long)total,
         100.0 * (double)top1 / (double)total, (long long)top1,
         100.0 * (double)top5 / (double)total, (long long)top5);
  if (!quiet) {
    printf("confusion matrix (rows: label, columns: top-1 class)\n      ");
    for (int64_t c = 0; c < classes && classes <= 32; c++) {
      printf(" %6lld", (long long)c);
    }
    printf("\n");
    for (int64_t a = 0; a < classes && classes <= 32; a++) {
      printf("%6lld", (long long)a);
      for (int64_t c = 0; c < classes; c++) {
        printf(" %6lld", (long long)conf[a * classes + c]);
      }
      printf("\n");
    }
    if (classes > 32) {
      printf("(%lld classes: too many to print)\n", (long long)classes);
    }
    printf(
        "throughput: %.1f images/s (%.3f ms per image, batch %llu, wall "
        "clock)\n",
        secs > 0 ? (double)total / secs : 0.0, 1e3 * secs / (double)total,
        (unsigned long long)batch);
    if (m.cycles > 0) {
      printf(
          "accelerator: %.0f cycles per image, PE utilization %.1f%% of "
          "the %dx%d array; every layer matches golden\n",
          (double)m.cycles / (double)total,
          100.0 * (double)m.macs /
              ((double)NC_HW_ROWS * NC_HW_COLS * (double)m.cycles),
          NC_HW_ROWS, NC_HW_COLS);
    }
  }
  rc = 0;
done:
  free(conf);
  nc_tensor_free(&im);
  nc_tensor_free(&lb);
  close_model_(&m);
  return rc;
}

static const char quantize_help_[] =
    "usage: neocog quantize MODEL.onnx --calib IMAGES [--limit N]\n"
    "                       [--method minmax|percentile|entropy]\n"
    "                       [--per-channel] [--format qoperator|qdq]\n"
    "                       -o OUT.net|OUT.onnx\n"
    "\n"
    "Post-training static quantization (docs/onnx.md): runs the float32\n"
    "model on the calibration images, takes each activation's range and\n"
    "writes an integer network file OUT.net, with its int8 weights, int32\n"
    "biases and per-channel requantization scales as .npy files next to it,\n"
    "or a quantized ONNX model OUT.onnx (QuantizeLinear, QLinearConv,\n"
    "MaxPool, ConvInteger/MatMulInteger; a residual Add in QDQ form, a\n"
    "Concat at one scale), which neocog run and neocog classify take on\n"
    "every backend.\n"
    "  --calib IMAGES   IDX (plain or .gz) or .npy uint8 images, given to\n"
    "                   the model as raw values 0..255 (input scale 1)\n"
    "  --limit N        calibrate on the first N images only\n"
    "  --method M       minmax (default): the least and greatest value\n"
    "                   seen; percentile: the 0.01th and 99.99th\n"
    "                   percentiles; entropy: the clipping threshold whose\n"
    "                   quantized histogram is closest in KL divergence\n"
    "                   to the observed one (TensorRT's calibration)\n"
    "  --per-channel    one weight scale per output channel (default: one\n"
    "                   per tensor); the last layer keeps one\n"
    "  --format F       OUT.onnx's form: qoperator (default: QLinearConv)\n"
    "                   or qdq (DequantizeLinear -> Conv -> QuantizeLinear)\n"
    "  -o, --output OUT  the network file (.net) or ONNX model (.onnx) to\n"
    "                   write\n";

int cmd_quantize(int argc, char **argv) {
  const char *path = NULL, *calib = NULL, *out = NULL, *method = "minmax";
  const char *format = NULL;
  uint64_t limit = 0;
  int per_channel = 0, r, i = 0;
  static const char *const flags[] = {"help", "per-channel", NULL};
  const char *key, *val;
  if (argc >= 1 && strncmp(argv[0], "-", 1) != 0) {
    path = argv[0];
    i = 1;
  }
  for (;;) {
    if (i < argc && strcmp(argv[i], "-o") == 0) {
      if (i + 1 >= argc) {
        cli_usage_error("quantize", "-o needs a value");
        return CLI_EXIT_USAGE;
      }
      out = argv[i + 1];
      i += 2;
      continue;
    }
    r = cli_next_opt("quantize", argc, argv, &i, flags, &key, &val);
    if (r <= 0) {
      break;
    }
    if (strcmp(key, "help") == 0) {
      fputs(quantize_help_, stdout);
      return 0;
    } else if (strcmp(key, "per-channel") == 0) {
      per_channel = 1;
    } else if (strcmp(key, "calib") == 0) {
      calib = val;
    } else if (strcmp(key, "output") == 0) {
      out = val;
    } else if (strcmp(key, "method") == 0) {
      method = val;
    } else if (strcmp(key, "format") == 0) {
      format = val;
    } else if (strcmp(key, "limit") == 0) {
      if (parse_count_("limit", val, UINT64_C(1) << 31, &limit) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else {
      cli_usage_error("quantize", "unknown option '--%s'", key);
      return CLI_EXIT_USAGE;
    }
  }
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (path == NULL || calib == NULL || out == NULL) {
    cli_usage_error("quantize", "needs MODEL.onnx, --calib and -o");
    return CLI_EXIT_USAGE;
  }
  nc_quantize_options_t o = {.per_channel = per_channel};
  char shown[64];
  if (strcmp(method, "minmax") == 0) {
    o.method = NC_CALIB_MINMAX;
  } else if (strcmp(method, "percentile") == 0) {
    o.method = NC_CALIB_PERCENTILE;
  } else if (strcmp(method, "entropy") == 0) {
    o.method = NC_CALIB_ENTROPY;
  } else {
    cli_usage_error("quantize",
                    "--method must be minmax, percentile or entropy (got "
                    "'%s')",
                    nc__shown_str(method, shown, sizeof shown));
    return CLI_EXIT_USAGE;
  }
  const size_t ol = strlen(out);
  if ((ol < 5 || strcmp(out + ol - 4, ".net") != 0) && !cli_is_onnx(out)) {
    cli_usage_error("quantize",
                    "-o must name a network file (.net) or an ONNX model "
                    "(.onnx)");
    return CLI_EXIT_USAGE;
  }
  if (!cli_is_onnx(path)) {
    cli_usage_error("quantize", "MODEL must be an ONNX model (.onnx)");
    return CLI_EXIT_USAGE;
  }
  if (format != NULL) {
    o.qdq = strcmp(format, "qdq") == 0;
    if (!o.qdq && strcmp(format, "qoperator") != 0) {
      cli_usage_error("quantize",
                      "--format must be qoperator or qdq (got '%s')",
                      nc__shown_str(format, shown, sizeof shown));
      return CLI_EXIT_USAGE;
    }
    if (!cli_is_onnx(out)) {
      cli_usage_error("quantize", "--format needs -o OUT.onnx");
      return CLI_EXIT_USAGE;
    }
  }
  cli_output_t co = {"-o", out, ""};
  if (cli_outputs_stage(&co, 1) != 0) {
    return CLI_EXIT_FAIL;
  }
  nc_tensor_t im = {0};
  nc_graph_t g = {0};
  int rc = CLI_EXIT_FAIL;
  if (load_data_("--calib", calib, &im) != 0 || load_graph_(path, &g) != 0) {
    goto done;
  }
  if (limit > 0 && im.ndim >= 1 && (int64_t)limit < im.shape[0]) {
    /* The first N images: a prefix of the data. */
    im.nbytes = im.nbytes / (size_t)im.shape[0] * (size_t)limit;
    im.shape[0] = (int64_t)limit;
  }
  const char *slash = strrchr(path, '/');
  o.source = slash != NULL ? slash + 1 : path;
  const double t0 = cli_now();
  int st = nc_quantize_graph(&g, &im, &o, out);
  if (st != NC_OK) {
    cli_report(NULL, st);
    goto done;
  }
  printf("quantized %s on %lld images (%s, %s weights) in %.1f s: wrote %s\n",
         o.source, (long long)im.shape[0], method,
         per_channel ? "per-channel" : "per-tensor", cli_now() - t0, out);
  rc = 0;
done:
  nc_tensor_free(&im);
  nc_graph_free(&g);
  return rc;
}
