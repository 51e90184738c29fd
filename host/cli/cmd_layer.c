/* neocog layer KIND: one layer on one backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cli/cli.h"
#include "neocog/nc_hw.h"

static const char help_[] =
    "usage: neocog layer KIND --input X.npy [--weights W.npy] [--bias B.npy]\n"
    "                    [layer options] [--backend NAME] --output Y.npy\n"
    "                    [--stats S.json] [--timeline T.json]\n"
    "\n"
    "KIND is conv2d, fc, local, maxpool or avgpool. Activations are NHWC;\n"
    "conv2d weights OHWI [O,KH,KW,C/groups]; fc weights [O,I]; local weights\n"
    "[OH,OW,O,KH,KW,C]; bias [O] (int32 for integer layers, float32 else).\n"
    "\n"
    "geometry:\n"
    "  --stride S|SHxSW      stride (default 1)\n"
    "  --pad P|PH,PW|T,B,L,R|same   zero padding (default 0)\n"
    "  --dilation D|DHxDW    dilation (default 1)\n"
    "  --groups G            grouped conv; G = C is depthwise (default 1)\n"
    "  --size F|FHxFW        pooling window\n"
    "integer layers (int8/uint8 input, int8 weights):\n"
    "  --in-zp Z             input zero point (default 0)\n"
    "  --pad-value V         value of padded input (default: in-zp)\n"
    "  --scale R             per-tensor requantization scale -> int8/uint8\n"
    "  --scales S.npy        per-channel scales, float32 [O]\n"
    "  --mult M --shift S    raw TFLite multiplier and shift\n"
    "  --out-dtype T         int8 (default) or uint8\n"
    "  --out-zp Z            output zero point (default 0)\n"
    "  --out-scale R         output scale, needed by --act relu6\n"
    "  without --scale/--scales/--mult the output is raw int32\n"
    "activation (both paths):\n"
    "  --act none|relu|relu6|clamp   --clamp LO,HI\n"
    "run:\n"
    "  --backend NAME        cpu (golden reference; default), opencl, or\n"
    "                        the int8 accelerator: model (functional model)\n"
    "                        or rtl (Verilator), or lockstep (both, every\n"
    "                        submission compared); a non-cpu result is checked\n"
    "                        against golden, a mismatch reported with its\n"
    "                        tile and NHWC coordinate (exit 1)\n"
    "  --cl-platform P       OpenCL platform: index or part of its name\n"
    "  --cl-device D         OpenCL device: index or part of its name\n"
    "                        (defaults: $NEOCOG_CL_PLATFORM, "
    "$NEOCOG_CL_DEVICE,\n"
    "                        else the first GPU, else the first device)\n"
    "  --algo A              opencl: float32 conv2d algorithm: direct\n"
    "                        (default), winograd, fft, auto (cost model)\n"
    "  --output Y.npy        written atomically; untouched on failure\n"
    "  --stats S.json        MACs and time; model/rtl add cycles,\n"
    "                        predicted_cycles, pe_utilization, DRAM bytes,\n"
    "                        per-unit busy/stall cycles and the plan\n"
    "  --timeline T.json     model/rtl: Chrome/Perfetto trace of the load,\n"
    "                        compute and store units (open in "
    "ui.perfetto.dev)\n";

static int load_(const char *what, const char *path, nc_tensor_t *t) {
  int st = nc_tensor_load_npy(path, t);
  if (st != NC_OK) {
    cli_report(what, st);
    return -1;
  }
  return 0;
}

int cmd_layer(int argc, char **argv) {
  if (argc >= 1 &&
      (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
    fputs(help_, stdout);
    return 0;
  }
  if (argc < 1 || strncmp(argv[0], "--", 2) == 0) {
    cli_usage_error("layer",
                    "missing KIND (conv2d, fc, local, maxpool, "
                    "avgpool)");
    return CLI_EXIT_USAGE;
  }
  nc_layer_kind_t kind;
  if (nc_layer_kind_parse(argv[0], &kind) != NC_OK) {
    cli_usage_error("layer",
                    "unknown layer kind '%s' (conv2d, fc, local, "
                    "maxpool, avgpool)",
                    argv[0]);
    return CLI_EXIT_USAGE;
  }
  nc_spec_t *spec = malloc(sizeof *spec);
  if (spec == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    return CLI_EXIT_FAIL;
  }
  nc_spec_init(spec, kind);
  const char *input = NULL, *output = NULL, *stats = NULL, *timeline = NULL;
  cli_timeline_t tl = {0};
  const char *backend = "cpu";
  const char *cl_platform = NULL, *cl_device = NULL, *algo = NULL;
  cli_backend_t be = {0};
  cli_output_t outs[3] = {
      {"--output", NULL, ""}, {"--stats", NULL, ""}, {"--timeline", NULL, ""}};
  static const char *const flags[] = {"help", NULL};
  int i = 1, r;
  const char *key, *val;
  int rc = CLI_EXIT_USAGE;
  while ((r = cli_next_opt("layer", argc, argv, &i, flags, &key, &val)) > 0) {
    if (strcmp(key, "help") == 0) {
      fputs(help_, stdout);
      free(spec);
      return 0;
    } else if (strcmp(key, "input") == 0) {
      input = val;
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
      char k[128];
      snprintf(k, sizeof k, "%s", key);
      for (char *p = k; *p; p++) {
        *p = *p == '-' ? '_' : *p;
      }
      if (!nc_spec_has_key(k) || strcmp(k, "name") == 0 ||
          strcmp(k, "filters") == 0 || strcmp(k, "units") == 0 ||
          strcmp(k, "kernel") == 0 || strcmp(k, "seed") == 0 ||
          strchr(key, '_') != NULL) {
        cli_usage_error("layer", "unknown option '--%s'", key);
        goto out;
      }
      if (nc_spec_set(spec, k, val) != NC_OK) {
        cli_usage_error("layer", "--%s: %s", key, nc_error_detail());
        goto out;
      }
    }
  }
  if (r < 0) {
    goto out;
  }
  int pooling = kind == NC_LAYER_MAXPOOL || kind == NC_LAYER_AVGPOOL;
  if (input == NULL || output == NULL) {
    cli_usage_error("layer", "--input and --output are required");
    goto out;
  }
  if (!pooling && spec->weights[0] == '\0') {
    cli_usage_error("layer", "%s needs --weights", argv[0]);
    goto out;
  }
  if (pooling && (spec->weights[0] || spec->bias[0])) {
    cli_usage_error("layer", "%s takes no --weights or --bias", argv[0]);
    goto out;
  }
  if (pooling && spec->layer.pool_h == 0) {
    cli_usage_error("layer", "%s needs --size", argv[0]);
    goto out;
  }
  if (!pooling && spec->layer.pool_h != 0) {
    cli_usage_error("layer", "--size is for pooling layers");
    goto out;
  }
  rc = cli_backend_open("layer", backend, cl_platform, cl_device, &be);
  if (rc == 0 && algo != NULL) {
    rc = cli_backend_set_algo("layer", &be, algo);
  }
  if (rc != 0) {
    goto out;
  }
  if (timeline != NULL) {
    if (!cli_backend_is_accel(&be)) {
      cli_usage_error("layer", "--timeline needs --backend model or rtl");
      rc = CLI_EXIT_USAGE;
      goto out;
    }
    nc_accel_set_trace(be.acc, 1);
    tl.ok = tl.measured = 1;
    be.tl = &tl;
  }

  rc = CLI_EXIT_FAIL;
  /* The outputs' paths are checked now, before the run; at the end each
   * is written to a temporary file and all are renamed into place, or
   * none (outputs.c). */
  outs[0].path = output;
  outs[1].path = stats;
  outs[2].path = timeline;
  if (cli_outputs_stage(outs, 3) != 0) {
    goto out;
  }
  nc_tensor_t x = {0}, w = {0}, b = {0}, y = {0};
  if (load_("--input", input, &x) != 0 ||
      (spec->weights[0] && load_("--weights", spec->weights, &w) != 0) ||
      (spec->bias[0] && load_("--bias", spec->bias, &b) != 0)) {
    goto done;
  }
  int int_path = x.dtype == NC_DTYPE_INT8 || x.dtype == NC_DTYPE_UINT8;
  int64_t oc = pooling       ? (x.ndim ? x.shape[x.ndim - 1] : 0)
               : w.ndim == 6 ? w.shape[2]
               : w.ndim > 0  ? w.shape[0]
                             : 0;
  int st = nc_spec_finish(spec, oc, int_path);
  if (st != NC_OK) {
    cli_report(NULL, st);
    goto done;
  }
  double secs = 0;
  nc_accel_stats_t ast;
  if (cli_backend_run(&be, argv[0], &spec->layer, &x, w.ndim ? &w : NULL,
                      spec->bias[0] ? &b : NULL, NULL, NULL, &y, &secs,
                      &ast) != 0) {
    goto done;
  }
  const char *out_tmp = cli_output_open(&outs[0]);
  if (out_tmp == NULL) {
    goto done;
  }
  st = nc_tensor_save_npy(out_tmp, &y);
  if (st != NC_OK) {
    cli_report("--output", st);
    goto done;
  }
  nc_geom_t g;
  int64_t blen = spec->bias[0] ? (int64_t)nc_tensor_numel(&b) : -1;
  if (nc_layer_geometry(&spec->layer, x.shape, x.ndim, w.ndim ? w.shape : NULL,
                        w.ndim, blen, &g) != NC_OK) {
    g.macs = 0;
  }
  cli_layer_stat_t ls = {.name = argv[0],
                         .kind = kind,
                         .out = &y,
                         .macs = (long long)g.macs,
                         .seconds = secs};
  snprintf(ls.algo, sizeof ls.algo, "%s", be.ocl != NULL ? be.algo : "");
  if (cli_backend_is_accel(&be)) {
    ls.accel = 1;
    ls.ast = ast;
  }
  if (stats != NULL && (cli_output_open(&outs[1]) == NULL ||
                        cli_write_stats(outs[1].tmp, backend, &ls, 1) != 0)) {
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
  char in_s[96], out_s[96];
  nc_shape_format(&x, in_s, sizeof in_s);
  nc_shape_format(&y, out_s, sizeof out_s);
  printf("%s %s %s -> %s %s, %lld MACs, %.3f ms (%s%s%s)\n", argv[0], in_s,
         nc_dtype_name(x.dtype), out_s, nc_dtype_name(y.dtype),
         (long long)g.macs, secs * 1e3, backend, ls.algo[0] ? ", " : "",
         ls.algo);
  if (ls.accel) {
    printf(
        "  %llu cycles (predicted %llu), PE utilization %.1f%% of %dx%d; "
        "plan: %s\n",
        (unsigned long long)ast.cycles,
        (unsigned long long)ast.predicted_cycles, 100.0 * ast.pe_utilization,
        NC_HW_ROWS, NC_HW_COLS, ast.plan.summary);
  }
  rc = 0;
done:
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
out:
  cli_outputs_discard(outs, 3);
  cli_timeline_free(&tl);
  cli_backend_close(&be);
  free(spec);
  return rc;
}
