/* neocog run MODEL.onnx, neocog info MODEL.onnx and neocog classify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/onnx.h"
#include "neocog/text.h"

static const char run_help_[] =
    "usage: neocog run MODEL.onnx --input X.npy --output Y.npy\n"
    "                  [--backend cpu] [--quiet]\n"
    "\n"
    "Runs an ONNX model on the host reference evaluator (docs/onnx.md).\n"
    "  --input X.npy    the model's one input, in its own layout (NCHW for\n"
    "                   images) and element type (float32, uint8, int8 or\n"
    "                   int32)\n"
    "  --output Y.npy   the model's first output, written atomically\n"
    "  --backend cpu    the only backend that runs ONNX graphs so far\n"
    "  --quiet          print nothing on success\n";

static const char classify_help_[] =
    "usage: neocog classify MODEL.onnx --images IMAGES --labels LABELS\n"
    "                       [--limit N] [--batch B] [--backend cpu] "
    "[--quiet]\n"
    "\n"
    "Classifies images with an ONNX model and prints top-1 and top-5\n"
    "accuracy, the confusion matrix and the throughput.\n"
    "  --images IMAGES  IDX file of unsigned bytes (plain or .gz, as MNIST\n"
    "                   ships), or a .npy of uint8 or float32 images, one\n"
    "                   image per entry of the first dimension\n"
    "  --labels LABELS  IDX (plain or .gz) or .npy (uint8 or int32) labels,\n"
    "                   one per image\n"
    "  --limit N        only the first N images\n"
    "  --batch B        images per run of the model (default: the model's\n"
    "                   batch dimension, or 1 when it is symbolic)\n"
    "  --backend cpu    the only backend that runs ONNX graphs so far\n"
    "  --quiet          print only the accuracy line\n"
    "Pixels go to a float32 input as their raw values (0..255), to a uint8\n"
    "input unchanged.\n";

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

static int backend_ok_(const char *cmd, const char *backend) {
  if (strcmp(backend, "cpu") != 0) {
    char shown[64];
    cli_usage_error(cmd,
                    "--backend %s: ONNX graphs run on the cpu backend (the "
                    "host reference evaluator) only so far",
                    nc__shown_str(backend, shown, sizeof shown));
    return 0;
  }
  return 1;
}

int cmd_run_onnx(const char *path, int argc, char **argv, int i) {
  const char *input = NULL, *output = NULL, *backend = "cpu";
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
  if (!backend_ok_("run", backend)) {
    return CLI_EXIT_USAGE;
  }
  cli_output_t out = {"--output", output, ""};
  if (cli_outputs_stage(&out, 1) != 0) {
    return CLI_EXIT_FAIL;
  }
  nc_graph_t g;
  if (load_graph_(path, &g) != 0) {
    return CLI_EXIT_FAIL;
  }
  int rc = CLI_EXIT_FAIL;
  nc_tensor_t x = {0}, y = {0};
  nc_value_t xv = {0}, *yv = calloc((size_t)g.noutputs, sizeof *yv);
  if (yv == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    goto done;
  }
  if (g.ninputs != 1) {
    fprintf(stderr, "neocog: model: the graph has %d inputs; run takes "
                    "models with one\n", g.ninputs);
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
  const double t0 = cli_now();
  st = nc_graph_run(&g, &xv, yv);
  const double secs = cli_now() - t0;
  if (st != NC_OK) {
    cli_report("model", st);
    goto done;
  }
  st = nc_value_to_tensor(&yv[0], &y);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  if (cli_output_open(&out) == NULL) {
    goto done;
  }
  st = nc_tensor_save_npy(out.tmp, &y);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  if (cli_outputs_commit(&out, 1) != 0) {
    goto done;
  }
  if (!quiet) {
    char s[96];
    nc_shape_format(&y, s, sizeof s);
    printf("%s on cpu: %d nodes in %.2f ms, output %s %s written to %s\n",
           g.name, g.nnodes, secs * 1e3, s, nc_dtype_name(y.dtype), output);
  }
  rc = 0;
done:
  cli_outputs_discard(&out, 1);
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

/* The indices of the five largest logits, largest first. */
static void top5_(const float *v, int64_t n, int64_t *best) {
  for (int k = 0; k < 5; k++) {
    best[k] = -1;
  }
  for (int64_t i = 0; i < n; i++) {
    for (int k = 0; k < 5; k++) {
      if (best[k] < 0 || v[i] > v[best[k]]) {
        for (int j = 4; j > k; j--) {
          best[j] = best[j - 1];
        }
        best[k] = i;
        break;
      }
    }
  }
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

int cmd_classify(int argc, char **argv) {
  const char *path = NULL, *images = NULL, *labels = NULL, *backend = "cpu";
  uint64_t limit = 0, batch = 0;
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
    } else if (strcmp(key, "limit") == 0) {
      if (parse_count_("limit", val, UINT64_C(1) << 31, &limit) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(key, "batch") == 0) {
      if (parse_count_("batch", val, 1 << 16, &batch) != 0) {
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
  if (!cli_is_onnx(path)) {
    cli_usage_error("classify", "MODEL must be an ONNX model (.onnx)");
    return CLI_EXIT_USAGE;
  }
  if (!backend_ok_("classify", backend)) {
    return CLI_EXIT_USAGE;
  }
  nc_graph_t g = {0};
  nc_tensor_t im = {0}, lb = {0};
  nc_value_t x = {0}, *y = NULL;
  int64_t *conf = NULL;
  int rc = CLI_EXIT_FAIL;
  if (load_data_("--images", images, &im) != 0 ||
      load_data_("--labels", labels, &lb) != 0) {
    goto done;
  }
  if (im.ndim < 2 || (im.dtype != NC_DTYPE_UINT8 &&
                      im.dtype != NC_DTYPE_FLOAT32)) {
    fprintf(stderr, "neocog: --images: need uint8 or float32 images, one "
                    "per entry of the first dimension\n");
    goto done;
  }
  if (lb.ndim != 1 || (lb.dtype != NC_DTYPE_UINT8 &&
                       lb.dtype != NC_DTYPE_INT32)) {
    fprintf(stderr, "neocog: --labels: need a vector of uint8 or int32 "
                    "labels\n");
    goto done;
  }
  if (lb.shape[0] != im.shape[0]) {
    fprintf(stderr, "neocog: --labels: %lld labels for %lld images\n",
            (long long)lb.shape[0], (long long)im.shape[0]);
    goto done;
  }
  if (load_graph_(path, &g) != 0) {
    goto done;
  }
  if (g.ninputs != 1 || g.noutputs < 1) {
    fprintf(stderr, "neocog: model: classify takes models with one input "
                    "(the graph has %d)\n", g.ninputs);
    goto done;
  }
  const nc_graph_tensor_t *in = &g.tensors[g.inputs[0]];
  if (in->ndim < 2 || (in->elem != NC_ELEM_FLOAT32 &&
                       in->elem != NC_ELEM_UINT8)) {
    fprintf(stderr, "neocog: model: input '%s' must be a batch of float32 "
                    "or uint8 images\n", in->name);
    goto done;
  }
  int64_t per = 1;
  for (int d = 1; d < in->ndim; d++) {
    per *= in->shape[d] < 0 ? -1 : in->shape[d];
  }
  const int64_t pix = (int64_t)(nc_tensor_numel(&im) / (size_t)im.shape[0]);
  if (per != pix) {
    fprintf(stderr, "neocog: --images: %lld values per image, the model's "
                    "input takes %lld per batch entry\n",
            (long long)pix, (long long)per);
    goto done;
  }
  if (batch == 0) {
    batch = in->shape[0] > 0 ? (uint64_t)in->shape[0] : 1;
  } else if (in->shape[0] > 0 && (int64_t)batch != in->shape[0]) {
    cli_usage_error("classify", "--batch %llu: the model's batch dimension "
                    "is fixed at %lld",
                    (unsigned long long)batch, (long long)in->shape[0]);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  int64_t total = im.shape[0];
  if (limit > 0 && (int64_t)limit < total) {
    total = (int64_t)limit;
  }
  if (total % (int64_t)batch != 0) {
    fprintf(stderr, "neocog: %lld images are not a whole number of batches "
                    "of %llu\n", (long long)total, (unsigned long long)batch);
    goto done;
  }
  int64_t xs[NC_MAX_DIMS];
  memcpy(xs, in->shape, sizeof xs);
  xs[0] = (int64_t)batch;
  int st = nc_value_alloc(&x, in->elem, in->ndim, xs, "input batch");
  y = calloc((size_t)g.noutputs, sizeof *y);
  if (st != NC_OK || y == NULL) {
    cli_report("model", st != NC_OK ? st : NC_ERR_NOMEM);
    goto done;
  }
  int64_t classes = 0, top1 = 0, top5 = 0;
  const int tty = isatty(fileno(stderr)) && !quiet;
  const double t0 = cli_now();
  double shown_at = t0;
  for (int64_t b0 = 0; b0 < total; b0 += (int64_t)batch) {
    const size_t n = (size_t)batch * (size_t)pix;
    for (size_t e = 0; e < n; e++) {
      const size_t src = (size_t)b0 * (size_t)pix + e;
      const double v = im.dtype == NC_DTYPE_UINT8
                           ? ((const uint8_t *)im.data)[src]
                           : ((const float *)im.data)[src];
      if (x.elem == NC_ELEM_FLOAT32) {
        ((float *)x.data)[e] = (float)v;
      } else {
        ((uint8_t *)x.data)[e] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
      }
    }
    st = nc_graph_run(&g, &x, y);
    if (st != NC_OK) {
      cli_report("model", st);
      goto done;
    }
    const nc_value_t *out = &y[0];
    const int64_t k = out->ndim >= 1 && out->shape[0] == (int64_t)batch
                          ? (int64_t)(nc_value_numel(out) / (size_t)batch)
                          : 0;
    if (out->elem != NC_ELEM_FLOAT32 || k < 1 ||
        (classes != 0 && k != classes)) {
      char s[96];
      nc_value_shape_format(out, s, sizeof s);
      fprintf(stderr, "neocog: model: output %s %s is not one float32 score "
                      "vector per image\n", s, nc_elem_name(out->elem));
      goto done;
    }
    if (conf == NULL) {
      classes = k;
      conf = calloc((size_t)(classes * classes), sizeof *conf);
      if (conf == NULL) {
        fprintf(stderr, "neocog: out of memory\n");
        goto done;
      }
    }
    for (int64_t j = 0; j < (int64_t)batch; j++) {
      const int64_t want = label_(&lb, (size_t)(b0 + j));
      if (want < 0 || want >= classes) {
        fprintf(stderr, "neocog: --labels: label %lld of image %lld is not "
                        "one of the model's %lld classes\n",
                (long long)want, (long long)(b0 + j), (long long)classes);
        goto done;
      }
      int64_t best[5];
      top5_((const float *)out->data + j * classes, classes, best);
      top1 += best[0] == want;
      for (int q = 0; q < 5; q++) {
        top5 += best[q] == want;
      }
      conf[want * classes + best[0]]++;
    }
    for (int o = 0; o < g.noutputs; o++) {
      nc_value_free(&y[o]);
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
         g.name, backend, (long long)total,
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
    printf("throughput: %.1f images/s (%.3f ms per image, batch %llu, wall "
           "clock)\n",
           secs > 0 ? (double)total / secs : 0.0,
           1e3 * secs / (double)total, (unsigned long long)batch);
  }
  rc = 0;
done:
  for (int o = 0; y != NULL && o < g.noutputs; o++) {
    nc_value_free(&y[o]);
  }
  free(y);
  free(conf);
  nc_value_free(&x);
  nc_tensor_free(&im);
  nc_tensor_free(&lb);
  nc_graph_free(&g);
  return rc;
}
