/*
 * neocog: run CNN layers and networks on the golden CPU reference, OpenCL,
 * the accelerator's functional model, its RTL or both in lockstep, checking
 * every result against golden.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/cli/cli.h"
#include "neocog/nc_hw.h"
#include "neocog/sim.h"
#include "neocog/version.h"

static const char usage_[] =
    "usage: neocog <command> [options]\n"
    "\n"
    "commands:\n"
    "  layer KIND   run one layer (conv2d, fc, local, maxpool, avgpool)\n"
    "  run NET      run a network file or an ONNX model (MODEL.onnx)\n"
    "  info NET     print each layer's output shape, parameters and MACs\n"
    "  classify MODEL  top-1/top-5 accuracy of a model on labelled images\n"
    "  quantize MODEL.onnx  calibrate and quantize a float model to int8\n"
    "  devices      list OpenCL platforms and devices\n"
    "  regress      the regression runner: levels, seeds, shards, reports\n"
    "  --version    the version, the accelerator's configuration and devices\n"
    "\n"
    "backends (--backend): cpu (golden reference), opencl, and the int8\n"
    "accelerator: model (its functional model), rtl (its Verilator model) or\n"
    "lockstep (both, every submission compared). Every non-cpu result is\n"
    "checked against golden.\n"
    "\n"
    "`neocog <command> --help` describes a command's options.\n"
    "Exit status: 0 success, 1 failure while running, 2 bad command line.\n";

void cli_report(const char *what, int status) {
  const char *d = nc_error_detail();
  /* A detail that already names its source ("opencl: no device ...") is
   * not prefixed with the same word again. */
  const size_t wn = what != NULL ? strlen(what) : 0;
  if (what != NULL && strncmp(d, what, wn) == 0 && d[wn] == ':') {
    what = NULL;
  }
  if (what == NULL) {
    fprintf(stderr, "neocog: %s\n", d[0] ? d : nc_strerror(status));
    return;
  }
  fprintf(stderr, "neocog: %s: %s\n", what, d[0] ? d : nc_strerror(status));
}

void cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "neocog %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see 'neocog %s --help')\n", cmd);
}

int cli_next_opt(const char *cmd, int argc, char **argv, int *i,
                 const char *const *flags, const char **key, const char **val) {
  static char buf[128];
  if (*i >= argc) {
    return 0;
  }
  const char *a = argv[*i];
  if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
    cli_usage_error(cmd, "unexpected argument '%s'", a);
    return -1;
  }
  a += 2;
  const char *eq = strchr(a, '=');
  size_t klen = eq ? (size_t)(eq - a) : strlen(a);
  if (klen >= sizeof buf) {
    cli_usage_error(cmd, "option too long");
    return -1;
  }
  memcpy(buf, a, klen);
  buf[klen] = '\0';
  *key = buf;
  (*i)++;
  for (const char *const *f = flags; f != NULL && *f != NULL; f++) {
    if (strcmp(*f, buf) == 0) {
      if (eq != NULL) {
        cli_usage_error(cmd, "--%s takes no value", buf);
        return -1;
      }
      *val = NULL;
      return 1;
    }
  }
  if (eq != NULL) {
    *val = eq + 1;
    return 1;
  }
  if (*i >= argc) {
    cli_usage_error(cmd, "--%s needs a value", buf);
    return -1;
  }
  *val = argv[(*i)++];
  return 1;
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_write_stats(const char *path, const char *backend,
                    const cli_layer_stat_t *st, int n) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    fprintf(stderr, "neocog: --stats: path too long\n");
    return -1;
  }
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "neocog: --stats %s: cannot write\n", path);
    return -1;
  }
  long long macs = 0;
  double secs = 0;
  unsigned long long cyc = 0, pred = 0, rd = 0, wr = 0;
  int any_accel = 0;
  const int graph = n > 0 && st[0].out == NULL;
  fprintf(f, "{\n  \"backend\": \"%s\",\n  \"%s\": [\n", backend,
          graph ? "nodes" : "layers");
  for (int i = 0; i < n; i++) {
    char shape[128];
    if (st[i].out != NULL) {
      nc_shape_format(st[i].out, shape, sizeof shape);
    } else {
      snprintf(shape, sizeof shape, "%s", st[i].shape);
    }
    fprintf(f,
            "    {\"name\": \"%s\", \"%s\": \"%s\", \"output_shape\": %s, "
            "\"output_dtype\": \"%s\", \"macs\": %lld, \"seconds\": %.6f, "
            "\"gmac_per_s\": %.3f",
            st[i].name, graph ? "operator" : "kind",
            st[i].op != NULL ? st[i].op : nc_layer_kind_name(st[i].kind), shape,
            st[i].out != NULL ? nc_dtype_name(st[i].out->dtype) : st[i].dtype,
            st[i].macs, st[i].seconds,
            st[i].seconds > 0 ? (double)st[i].macs / st[i].seconds / 1e9 : 0);
    if (st[i].ran_on != NULL) {
      fprintf(f, ", \"ran_on\": \"%s\"", st[i].ran_on);
    }
    if (st[i].fused_into != NULL) {
      fprintf(f, ", \"fused_into\": \"%s\"", st[i].fused_into);
    }
    if (st[i].algo[0] != '\0') {
      fprintf(f, ", \"algorithm\": \"%s\"", st[i].algo);
    }
    if (st[i].accel) {
      const nc_accel_stats_t *a = &st[i].ast;
      fprintf(f,
              ",\n     \"cycles\": %llu, \"predicted_cycles\": %llu, "
              "\"pe_utilization\": %.4f, \"array_macs\": %llu,\n     "
              "\"dram_bytes_read\": %llu, \"dram_bytes_written\": %llu, "
              "\"instructions\": %llu,\n     \"units\": {\"load\": "
              "{\"busy\": %llu, \"stall\": %llu}, \"compute\": {\"busy\": "
              "%llu, \"stall\": %llu}, \"store\": {\"busy\": %llu, "
              "\"stall\": %llu}},\n     \"plan\": \"%s\"",
              (unsigned long long)a->cycles,
              (unsigned long long)a->predicted_cycles, a->pe_utilization,
              (unsigned long long)a->array_macs,
              (unsigned long long)a->dram_bytes_read,
              (unsigned long long)a->dram_bytes_written,
              (unsigned long long)a->insns, (unsigned long long)a->load_busy,
              (unsigned long long)a->load_stall,
              (unsigned long long)a->compute_busy,
              (unsigned long long)a->compute_stall,
              (unsigned long long)a->store_busy,
              (unsigned long long)a->store_stall, a->plan.summary);
      cyc += a->cycles;
      pred += a->predicted_cycles;
      rd += a->dram_bytes_read;
      wr += a->dram_bytes_written;
      any_accel = 1;
    }
    fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    macs += st[i].macs;
    secs += st[i].seconds;
  }
  fprintf(f, "  ],\n  \"macs\": %lld,\n  \"seconds\": %.6f", macs, secs);
  if (any_accel) {
    fprintf(f,
            ",\n  \"cycles\": %llu,\n  \"predicted_cycles\": %llu,\n  "
            "\"pe_utilization\": %.4f,\n  \"dram_bytes_read\": %llu,\n  "
            "\"dram_bytes_written\": %llu,\n  \"array\": \"%dx%d\",\n  "
            "\"note\": \"cycles are the %s backend's count; the model's are "
            "an estimate from its timing rules\"",
            cyc, pred,
            cyc ? (double)macs / ((double)NC_HW_ROWS * NC_HW_COLS * (double)cyc)
                : 0.0,
            rd, wr, NC_HW_ROWS, NC_HW_COLS, backend);
  }
  fprintf(f, "\n}\n");
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    fprintf(stderr, "neocog: --stats %s: write failed\n", path);
    return -1;
  }
  return 0;
}

/* neocog --version: the library's version, the accelerator it was built
 * for (from nc_hw.h, as the device's ID registers report it) and whether
 * the RTL is built in. */
static int cmd_version_(int argc, char **argv) {
  if (argc > 0) {
    cli_usage_error("--version", "unexpected argument '%s'", argv[0]);
    return CLI_EXIT_USAGE;
  }
  nc_sim_t *s = NULL;
  const nc_status_t st = nc_sim_open("rtl", NULL, &s);
  nc_sim_close(s);
  nc_error_clear();
  printf("neocog %s\n", nc_version());
  printf("accelerator: ISA and register map %d.%d, %dx%d array, "
         "scratchpad %d rows, accumulator %d rows, %d-byte bus\n",
         NC_HW_VERSION_MAJOR, NC_HW_VERSION_MINOR, NC_HW_ROWS, NC_HW_COLS,
         NC_HW_SPAD_ROWS, NC_HW_ACC_ROWS, NC_HW_BUS_BYTES);
  printf("devices: model, %s\n", st == NC_OK ? "rtl and lockstep (Verilator)"
                                             : "(built without the RTL)");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    fputs(usage_, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_EXIT_USAGE : 0;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    return cmd_version_(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "layer") == 0) {
    return cmd_layer(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "run") == 0) {
    return cmd_run(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "info") == 0) {
    return cmd_info(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "quantize") == 0) {
    return cmd_quantize(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "classify") == 0) {
    return cmd_classify(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "regress") == 0) {
    return cmd_regress(argc - 2, argv + 2);
  }
  if (strcmp(cmd, "devices") == 0) {
    return cmd_devices(argc - 2, argv + 2);
  }
  fprintf(stderr, "neocog: unknown command '%s' (see 'neocog --help')\n", cmd);
  return CLI_EXIT_USAGE;
}
