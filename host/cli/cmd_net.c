/* neocog run NET and neocog info NET. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/nc_hw.h"
#include "neocog/text.h"

static const char run_help_[] =
    "usage: neocog run NET (--input X.npy | --seed S) [--backend NAME]\n"
    "       (an ONNX model, MODEL.onnx: see neocog run MODEL.onnx --help)\n"
    "                  --output Y.npy [--stats S.json] [--timeline T.json]\n"
    "                  [--quiet]\n"
    "\n"
    "Runs every layer of the network file NET (format: "
    "docs/network-format.md)\n"
    "in order and prints one line per layer: output shape, MACs, time.\n"
    "  --input X.npy    NHWC input matching the network's input line\n"
    "                   (any batch size)\n"
    "  --seed S         use a random input made from seed S instead\n"
    "  --backend NAME   cpu (golden reference; default), opencl, model\n"
    "                   (functional model of the accelerator) or rtl\n"
    "                   (Verilator) or lockstep (rtl and model, every\n"
    "                   submission compared); every layer of a non-cpu run is\n"
    "                   checked against golden. On model/rtl (and opencl on\n"
    "                   the neocog platform) a pooling layer right after\n"
    "                   conv2d runs fused in its store path, checked as\n"
    "                   golden conv then golden pooling\n"
    "  --cl-platform P  OpenCL platform: index or part of its name\n"
    "  --cl-device D    OpenCL device: index or part of its name\n"
    "  --algo A         opencl: float32 conv2d algorithm: direct (default),\n"
    "                   winograd, fft, or auto (the device's cost model)\n"
    "  --output Y.npy   final output, written atomically\n"
    "  --stats S.json   per-layer shapes, MACs and times; model/rtl add\n"
    "                   cycles, predicted_cycles, pe_utilization, DRAM\n"
    "                   bytes, per-unit busy/stall cycles and the plan\n"
    "  --timeline T.json  model/rtl: Chrome/Perfetto trace of every layer's\n"
    "                   load, compute and store activity\n"
    "  --quiet          print nothing on success\n";

static const char info_help_[] =
    "usage: neocog info NET [--batch N]\n"
    "       neocog info MODEL.onnx\n"
    "\n"
    "Prints each layer of the network file NET: kind, output shape (NHWC),\n"
    "parameter count and multiply-accumulates, with totals.\n";

static int load_net_(const char *path, nc_net_t *net) {
  int st = nc_net_load(path, net);
  if (st != NC_OK) {
    cli_report("network", st);
    return -1;
  }
  return 0;
}

static void fmt_geom_shape_(const nc_net_t *net, int i, const nc_geom_t *g,
                            char *buf, size_t len) {
  if (net->layers[i].out_ndim == 2) {
    snprintf(buf, len, "[%lld, %lld]", (long long)g->n, (long long)g->oc);
  } else {
    snprintf(buf, len, "[%lld, %lld, %lld, %lld]", (long long)g->n,
             (long long)g->oh, (long long)g->ow, (long long)g->oc);
  }
}

int cmd_info(int argc, char **argv) {
  const char *path = NULL;
  long long batch = 1;
  static const char *const flags[] = {"help", NULL};
  int i = 0, r;
  const char *key, *val;
  if (argc >= 1 && strncmp(argv[0], "--", 2) != 0) {
    path = argv[0];
    i = 1;
  }
  if (cli_is_onnx(path) && argc == 1) {
    return cmd_info_onnx(path);
  }
  while ((r = cli_next_opt("info", argc, argv, &i, flags, &key, &val)) > 0) {
    if (strcmp(key, "help") == 0) {
      fputs(info_help_, stdout);
      return 0;
    } else if (strcmp(key, "batch") == 0) {
      uint64_t b = 0;
      char shown[64];
      if (nc__parse_u64(val, &b) != NC_OK || b < 1 || b > 1 << 20) {
        cli_usage_error("info", "--batch must be 1..%d (got '%s')", 1 << 20,
                        nc__shown_str(val, shown, sizeof shown));
        return CLI_EXIT_USAGE;
      }
      batch = (long long)b;
    } else {
      cli_usage_error("info", "unknown option '--%s'", key);
      return CLI_EXIT_USAGE;
    }
  }
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (path == NULL) {
    cli_usage_error("info", "missing NET");
    return CLI_EXIT_USAGE;
  }
  nc_net_t net;
  if (load_net_(path, &net) != 0) {
    return CLI_EXIT_FAIL;
  }
  nc_geom_t *g = calloc((size_t)net.nlayers, sizeof *g);
  int st = g ? nc_net_geometry(&net, batch, g) : NC_ERR_NOMEM;
  if (st != NC_OK) {
    cli_report("network", st);
    free(g);
    nc_net_free(&net);
    return CLI_EXIT_FAIL;
  }
  printf("network %s: input [%lld, %lld, %lld, %lld] %s, %d layers\n", net.name,
         batch, (long long)net.in_h, (long long)net.in_w, (long long)net.in_c,
         nc_dtype_name(net.dtype), net.nlayers);
  printf("%-3s %-10s %-8s %-22s %-8s %12s %16s\n", "#", "layer", "kind",
         "output (NHWC)", "dtype", "params", "MACs");
  long long params = 0, macs = 0;
  for (int l = 0; l < net.nlayers; l++) {
    char shape[96];
    fmt_geom_shape_(&net, l, &g[l], shape, sizeof shape);
    printf("%-3d %-10s %-8s %-22s %-8s %12lld %16lld\n", l + 1,
           net.layers[l].spec.name,
           nc_net_layer_kind(&net, l), shape,
           nc_dtype_name(nc_net_layer_out_dtype(&net, l)),
           (long long)g[l].params, (long long)g[l].macs);
    params += g[l].params;
    macs += g[l].macs;
  }
  printf("%-3s %-10s %-8s %-22s %-8s %12lld %16lld\n", "", "total", "", "", "",
         params, macs);
  free(g);
  nc_net_free(&net);
  return 0;
}

/* Which input (0 or 1) of the next statement layer l's output is, when
 * that statement is an add that alone reads an 8-bit conv2d or fc output
 * and adds an earlier tensor to it; -1 otherwise. */
static int add_operand_(const nc_net_t *net, int l) {
  const nc_net_layer_t *nl = &net->layers[l];
  if (l + 1 >= net->nlayers || net->layers[l + 1].op != NC_NET_ADD ||
      nl->op != NC_NET_LAYER || !nl->spec.layer.rq.enabled ||
      (nl->spec.layer.kind != NC_LAYER_CONV2D &&
       nl->spec.layer.kind != NC_LAYER_FC)) {
    return -1;
  }
  const nc_net_layer_t *ad = &net->layers[l + 1];
  if (ad->nin != 2 || (ad->in[0] == l) == (ad->in[1] == l)) {
    return -1;
  }
  for (int k = l + 2; k < net->nlayers; k++) {
    for (int j = 0; j < net->layers[k].nin; j++) {
      if (net->layers[k].in[j] == l) {
        return -1; /* another statement reads the conv's output */
      }
    }
  }
  return ad->in[0] == l ? 0 : 1;
}

/* Runs every layer of a network on an open backend: acts[0] is the
 * input, acts[l + 1] receives layer l's output, ls[l] its figures. Prints
 * one line per layer unless quiet; returns 0 or an exit status. */
int cli_net_forward(cli_backend_t *be, const nc_net_t *net, nc_tensor_t *acts,
                    cli_layer_stat_t *ls, int quiet) {
  int st = NC_OK;
  const int tty = isatty(fileno(stderr));
  const int accel = cli_backend_is_accel(be);
  if (!quiet) {
    if (accel) {
      printf("%-10s %-8s %-22s %-8s %14s %10s %12s %6s\n", "layer", "kind",
             "output (NHWC)", "dtype", "MACs", "ms", "cycles", "util");
    } else {
      printf("%-10s %-8s %-22s %-8s %14s %10s %8s%s\n", "layer", "kind",
             "output (NHWC)", "dtype", "MACs", "ms", "GMAC/s",
             be->ocl != NULL ? "  algorithm" : "");
    }
  }
  for (int l = 0; l < net->nlayers; l++) {
    nc_net_layer_t *nl = &net->layers[l];
    /* Each statement reads the outputs it names (acts[0]: the input). */
    const nc_tensor_t *x = &acts[nl->in[0] + 1];
    if (nl->op != NC_NET_LAYER) {
      /* add and concat run on the host between the backend's layers. */
      const nc_tensor_t *ins[NC_NET_MAX_IN];
      for (int k = 0; k < nl->nin; k++) {
        ins[k] = &acts[nl->in[k] + 1];
      }
      const double t0 = cli_now();
      st = nc_net_host_op(nl, ins, &acts[l + 1]);
      if (st != NC_OK) {
        char what[192];
        snprintf(what, sizeof what, "layer %d (%s)", l + 1, nl->spec.name);
        cli_report(what, st);
        return CLI_EXIT_FAIL;
      }
      ls[l] = (cli_layer_stat_t){.name = nl->spec.name,
                                 .kind = nl->spec.layer.kind,
                                 .out = &acts[l + 1],
                                 .seconds = cli_now() - t0,
                                 .op = nc_net_layer_kind(net, l),
                                 .ran_on = "host"};
      if (!quiet) {
        char s[96];
        nc_shape_format(&acts[l + 1], s, sizeof s);
        printf("%-10s %-8s %-22s %-8s %14s %10.2f %12s  (on the host)\n",
               nl->spec.name, ls[l].op, s, nc_dtype_name(acts[l + 1].dtype),
               "0", ls[l].seconds * 1e3, "-");
      }
      continue;
    }
    /* On the accelerator a pooling layer after a conv runs in its plan. */
    /* So does it through OpenCL on neocog's built-in conv2d kernel. */
    /* The next statement pools this layer's output. */
    const int next_pools =
        l + 1 < net->nlayers && net->layers[l + 1].op == NC_NET_LAYER &&
        net->layers[l + 1].in[0] == l;
    const nc_layer_t *nx = next_pools ? &net->layers[l + 1].spec.layer : NULL;
    const int ocl_fuse =
        !accel && cli_backend_fuses_pooling(be) && nx != NULL &&
        nl->spec.layer.kind == NC_LAYER_CONV2D && nl->spec.layer.rq.enabled &&
        nx->pad_mode == NC_PAD_EXPLICIT && nx->pad_top == 0 &&
        nx->pad_bottom == 0 && nx->pad_left == 0 && nx->pad_right == 0;
    int fuse = (accel || ocl_fuse) && next_pools &&
                     (nl->spec.layer.kind == NC_LAYER_CONV2D ||
                      nl->spec.layer.kind == NC_LAYER_LOCAL) &&
                     (net->layers[l + 1].spec.layer.kind == NC_LAYER_MAXPOOL ||
                      net->layers[l + 1].spec.layer.kind == NC_LAYER_AVGPOOL) &&
                     net->layers[l + 1].spec.layer.pool_h <= 15 &&
                     net->layers[l + 1].spec.layer.pool_w <= 15;
    /* On the accelerator an add that is the only reader of an 8-bit conv
     * or fc output runs in that layer's store path (when the planner can
     * fuse it; otherwise on the host as before). */
    const int ci = fuse ? -1 : add_operand_(net, l);
    int fold = accel && ci >= 0;
    char label[160];
    snprintf(label, sizeof label, "[%d/%d] %s%s%s", l + 1, net->nlayers,
             nl->spec.name, fuse || fold ? " + " : "",
             fuse || fold ? net->layers[l + 1].spec.name : "");
    if (tty && !quiet) {
      fprintf(stderr, "\r%s ...", label);
      fflush(stderr);
    }
    nc_geom_t g;
    int64_t blen = nl->bias.ndim ? (int64_t)nc_tensor_numel(&nl->bias) : -1;
    char what[192];
    snprintf(what, sizeof what, "layer %d (%s)", l + 1, nl->spec.name);
    st = nc_layer_geometry(&nl->spec.layer, x->shape, x->ndim,
                           nl->weights.ndim ? nl->weights.shape : NULL,
                           nl->weights.ndim, blen, &g);
    if (st != NC_OK) {
      cli_report(what, st);
      return CLI_EXIT_FAIL;
    }
    if (fuse || fold) {
      snprintf(what, sizeof what, "layer %d (%s) + layer %d (%s)", l + 1,
               nl->spec.name, l + 2, net->layers[l + 1].spec.name);
    }
    double secs = 0;
    nc_accel_stats_t ast;
    be->progress_what = label;
    int lrc = -1;
    if (fold) {
      const nc_net_layer_t *ad = &net->layers[l + 1];
      lrc = cli_backend_run_add(
          be, what, &nl->spec.layer, x, nl->weights.ndim ? &nl->weights : NULL,
          nl->bias.ndim ? &nl->bias : NULL, ad, ci, &acts[ad->in[1 - ci] + 1],
          &acts[l + 1], &acts[l + 2], &secs, &ast);
      fold = lrc != -1;
    }
    if (lrc == -1) {
      snprintf(what, sizeof what, "layer %d (%s)", l + 1, nl->spec.name);
      if (fuse) {
        snprintf(what, sizeof what, "layer %d (%s) + layer %d (%s)", l + 1,
                 nl->spec.name, l + 2, net->layers[l + 1].spec.name);
      }
      lrc = cli_backend_run(be, what, &nl->spec.layer, x,
                            nl->weights.ndim ? &nl->weights : NULL,
                            nl->bias.ndim ? &nl->bias : NULL,
                            fuse ? &net->layers[l + 1].spec.layer : NULL,
                            fuse ? &acts[l + 1] : NULL,
                            fuse ? &acts[l + 2] : &acts[l + 1], &secs, &ast);
    }
    fuse |= fold;
    if (tty && !quiet) {
      fprintf(stderr, "\r\033[K");
    }
    if (lrc != 0) {
      return CLI_EXIT_FAIL;
    }
    ls[l] = (cli_layer_stat_t){.name = nl->spec.name,
                               .kind = nl->spec.layer.kind,
                               .out = &acts[l + 1],
                               .macs = (long long)g.macs,
                               .seconds = secs,
                               .accel = accel,
                               .ast = ast};
    snprintf(ls[l].algo, sizeof ls[l].algo, "%s",
             be->ocl != NULL ? be->algo : "");
    if (fuse) {
      ls[l + 1] = (cli_layer_stat_t){.name = net->layers[l + 1].spec.name,
                                     .kind = net->layers[l + 1].spec.layer.kind,
                                     .out = &acts[l + 2],
                                     .op = nc_net_layer_kind(net, l + 1),
                                     .fused_into = nl->spec.name};
    }
    for (int k = l; k <= l + fuse && !quiet; k++) {
      char s[96];
      nc_shape_format(&acts[k + 1], s, sizeof s);
      const nc_net_layer_t *kl = &net->layers[k];
      if (accel && k == l) {
        printf("%-10s %-8s %-22s %-8s %14lld %10.2f %12llu %5.1f%%\n",
               kl->spec.name, nc_net_layer_kind(net, k), s,
               nc_dtype_name(acts[k + 1].dtype), ls[k].macs, secs * 1e3,
               (unsigned long long)ast.cycles, 100.0 * ast.pe_utilization);
      } else if (accel) {
        printf("%-10s %-8s %-22s %-8s %14s %10s %12s  (fused into %s)\n",
               kl->spec.name, nc_net_layer_kind(net, k), s,
               nc_dtype_name(acts[k + 1].dtype), "0", "-", "-", nl->spec.name);
      } else if (k > l) {
        printf("%-10s %-8s %-22s %-8s %14s %10s %8s  (fused into %s)\n",
               kl->spec.name, nc_net_layer_kind(net, k), s,
               nc_dtype_name(acts[k + 1].dtype), "0", "-", "-", nl->spec.name);
      } else {
        printf("%-10s %-8s %-22s %-8s %14lld %10.2f %8.2f%s%s\n",
               kl->spec.name, nc_net_layer_kind(net, k), s,
               nc_dtype_name(acts[k + 1].dtype), ls[k].macs, secs * 1e3,
               secs > 0 ? (double)ls[k].macs / secs / 1e9 : 0.0,
               ls[k].algo[0] ? "  " : "", ls[k].algo);
      }
      fflush(stdout);
    }
    l += fuse;
  }
  return 0;
}

int cmd_run(int argc, char **argv) {
  const char *path = NULL, *input = NULL, *output = NULL, *stats = NULL;
  const char *backend = "cpu", *seed_s = NULL, *timeline = NULL;
  cli_timeline_t tl = {0};
  const char *cl_platform = NULL, *cl_device = NULL, *algo = NULL;
  cli_backend_t be = {0};
  cli_output_t outs[3] = {
      {"--output", NULL, ""}, {"--stats", NULL, ""}, {"--timeline", NULL, ""}};
  int quiet = 0;
  static const char *const flags[] = {"help", "quiet", NULL};
  int i = 0, r;
  const char *key, *val;
  if (argc >= 1 && strncmp(argv[0], "--", 2) != 0) {
    path = argv[0];
    i = 1;
  }
  if (cli_is_onnx(path)) {
    return cmd_run_onnx(path, argc, argv, i);
  }
  while ((r = cli_next_opt("run", argc, argv, &i, flags, &key, &val)) > 0) {
    if (strcmp(key, "help") == 0) {
      fputs(run_help_, stdout);
      return 0;
    } else if (strcmp(key, "quiet") == 0) {
      quiet = 1;
    } else if (strcmp(key, "input") == 0) {
      input = val;
    } else if (strcmp(key, "seed") == 0) {
      seed_s = val;
    } else if (strcmp(key, "output") == 0) {
      output = val;
    } else if (strcmp(key, "stats") == 0) {
      stats = val;
    } else if (strcmp(key, "timeline") == 0) {
      timeline = val;
    } else if (strcmp(key, "backend") == 0) {
      backend = val;
    } else if (strcmp(key, "cl-platform") == 0) {
      cl_platform = val;
    } else if (strcmp(key, "cl-device") == 0) {
      cl_device = val;
    } else if (strcmp(key, "algo") == 0) {
      algo = val;
    } else {
      cli_usage_error("run", "unknown option '--%s'", key);
      return CLI_EXIT_USAGE;
    }
  }
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (path == NULL) {
    cli_usage_error("run", "missing NET");
    return CLI_EXIT_USAGE;
  }
  if ((input == NULL) == (seed_s == NULL)) {
    cli_usage_error("run", "give exactly one of --input and --seed");
    return CLI_EXIT_USAGE;
  }
  uint64_t seed = 0;
  if (seed_s != NULL) {
    char shown[64];
    const nc_status_t ps = nc__parse_u64(seed_s, &seed);
    if (ps != NC_OK) {
      cli_usage_error("run", "--seed: '%s' is %s",
                      nc__shown_str(seed_s, shown, sizeof shown),
                      ps == NC_ERR_OVERFLOW
                          ? "too large (at most 18446744073709551615)"
                          : "not an unsigned integer (decimal or 0x hex)");
      return CLI_EXIT_USAGE;
    }
  }
  if (output == NULL) {
    cli_usage_error("run", "--output is required");
    return CLI_EXIT_USAGE;
  }
  nc_net_t net;
  if (load_net_(path, &net) != 0) {
    return CLI_EXIT_FAIL;
  }
  int brc = cli_backend_open("run", backend, cl_platform, cl_device, &be);
  if (brc == 0 && algo != NULL) {
    brc = cli_backend_set_algo("run", &be, algo);
  }
  if (brc == 0 && timeline != NULL && !cli_backend_is_accel(&be)) {
    cli_usage_error("run", "--timeline needs --backend model or rtl");
    brc = CLI_EXIT_USAGE;
  }
  if (brc != 0) {
    cli_backend_close(&be);
    nc_net_free(&net);
    return brc;
  }
  be.quiet = quiet;
  if (timeline != NULL) {
    nc_accel_set_trace(be.acc, 1);
    tl.ok = tl.measured = 1;
    be.tl = &tl;
  }
  int rc = CLI_EXIT_FAIL;
  nc_tensor_t *acts = calloc((size_t)net.nlayers + 1, sizeof *acts);
  cli_layer_stat_t *ls = calloc((size_t)net.nlayers, sizeof *ls);
  if (acts == NULL || ls == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    goto done;
  }
  /* The outputs' paths are checked before the run; all are written or
   * none (outputs.c). */
  outs[0].path = output;
  outs[1].path = stats;
  outs[2].path = timeline;
  if (cli_outputs_stage(outs, 3) != 0) {
    goto done;
  }
  int st = input ? nc_tensor_load_npy(input, &acts[0])
                 : nc_net_random_input(&net, seed, &acts[0]);
  if (st != NC_OK) {
    cli_report("--input", st);
    goto done;
  }
  if (acts[0].ndim != 4 || acts[0].shape[1] != net.in_h ||
      acts[0].shape[2] != net.in_w || acts[0].shape[3] != net.in_c ||
      acts[0].dtype != net.dtype) {
    char s[96];
    nc_shape_format(&acts[0], s, sizeof s);
    fprintf(stderr,
            "neocog: --input: %s %s does not match the network input "
            "[N, %lld, %lld, %lld] %s\n",
            s, nc_dtype_name(acts[0].dtype), (long long)net.in_h,
            (long long)net.in_w, (long long)net.in_c, nc_dtype_name(net.dtype));
    goto done;
  }
  if (cli_net_forward(&be, &net, acts, ls, quiet) != 0) {
    goto done;
  }
  const int accel = cli_backend_is_accel(&be);
  if (cli_output_open(&outs[0]) == NULL) {
    goto done;
  }
  st = nc_tensor_save_npy(outs[0].tmp, &acts[net.nlayers]);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  if (stats != NULL &&
      (cli_output_open(&outs[1]) == NULL ||
       cli_write_stats(outs[1].tmp, backend, ls, net.nlayers) != 0)) {
    goto done;
  }
  if (timeline != NULL &&
      (!tl.ok || cli_output_open(&outs[2]) == NULL ||
       cli_write_timeline(outs[2].tmp, backend, &tl) != 0)) {
    if (!tl.ok) {
      fprintf(stderr, "neocog: --timeline: out of memory for the events\n");
    }
    goto done;
  }
  if (cli_outputs_commit(outs, 3) != 0) {
    goto done;
  }
  if (!quiet) {
    long long macs = 0;
    double secs = 0;
    for (int l = 0; l < net.nlayers; l++) {
      macs += ls[l].macs;
      secs += ls[l].seconds;
    }
    printf("%s on %s: %lld MACs in %.2f ms, output written to %s\n", net.name,
           backend, macs, secs * 1e3, output);
    if (accel) {
      unsigned long long cyc = 0, pred = 0;
      for (int l = 0; l < net.nlayers; l++) {
        cyc += ls[l].accel ? ls[l].ast.cycles : 0;
        pred += ls[l].accel ? ls[l].ast.predicted_cycles : 0;
      }
      printf(
          "%llu cycles (predicted %llu), PE utilization %.1f%% of the "
          "%dx%d array; every layer matches golden\n",
          cyc, pred,
          cyc ? 100.0 * (double)macs /
                    ((double)NC_HW_ROWS * NC_HW_COLS * (double)cyc)
              : 0.0,
          NC_HW_ROWS, NC_HW_COLS);
    }
  }
  rc = 0;
done:
  cli_outputs_discard(outs, 3);
  if (acts != NULL) {
    for (int l = 0; l <= net.nlayers; l++) {
      nc_tensor_free(&acts[l]);
    }
  }
  free(acts);
  free(ls);
  nc_net_free(&net);
  cli_timeline_free(&tl);
  cli_backend_close(&be);
  return rc;
}

static const char devices_help_[] =
    "usage: neocog devices\n"
    "\n"
    "Lists every OpenCL platform and device the ICD loader finds: index,\n"
    "name, type, compute units, memory, OpenCL C version, and fp16 and\n"
    "integer dot-product support, and the built-in kernels of a device\n"
    "that has them (the neocog ICD's model and RTL devices, which run\n"
    "int8 layers only). '*' marks the device --backend opencl\n"
    "uses by default. Select another with --cl-platform/--cl-device (an\n"
    "index or part of the name) or NEOCOG_CL_PLATFORM/NEOCOG_CL_DEVICE.\n";

int cmd_devices(int argc, char **argv) {
  if (argc >= 1 &&
      (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
    fputs(devices_help_, stdout);
    return 0;
  }
  if (argc >= 1) {
    cli_usage_error("devices", "unexpected argument '%s'", argv[0]);
    return CLI_EXIT_USAGE;
  }
  int n = 0;
  int st = nc_ocl_list_devices(NULL, 0, &n);
  if (st != NC_OK) {
    cli_report("devices", st);
    return CLI_EXIT_FAIL;
  }
  nc_ocl_device_info_t *d = calloc((size_t)(n > 0 ? n : 1), sizeof *d);
  if (d == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    return CLI_EXIT_FAIL;
  }
  st = nc_ocl_list_devices(d, n, &n);
  if (st != NC_OK) {
    cli_report("devices", st);
    free(d);
    return CLI_EXIT_FAIL;
  }
  int last_platform = -1;
  for (int i = 0; i < n; i++) {
    if (d[i].platform_index != last_platform) {
      last_platform = d[i].platform_index;
      printf("platform %d: %s (%s)\n", d[i].platform_index, d[i].platform_name,
             d[i].platform_version);
    }
    printf("  %c device %d.%d: %s\n", d[i].is_default ? '*' : ' ',
           d[i].platform_index, d[i].device_index, d[i].name);
    printf(
        "      type %s, %u compute units, %u MHz, %.1f GiB memory "
        "(max buffer %.1f GiB), %llu KiB local\n",
        d[i].type, d[i].compute_units, d[i].clock_mhz,
        (double)d[i].global_mem_bytes / (1 << 30),
        (double)d[i].max_alloc_bytes / (1 << 30),
        (unsigned long long)(d[i].local_mem_bytes / 1024));
    printf(
        "      %s, driver %s; fp16 %s, fp64 %s, integer dot product "
        "%s\n",
        d[i].opencl_c_version, d[i].driver_version, d[i].fp16 ? "yes" : "no",
        d[i].fp64 ? "yes" : "no", d[i].int_dot ? "yes" : "no");
    if (d[i].builtin_kernels[0] != '\0') {
      printf("      built-in kernels%s: %s\n",
             d[i].compiler ? "" : " only (no compiler)", d[i].builtin_kernels);
    }
  }
  free(d);
  return 0;
}
