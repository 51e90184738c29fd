/*
 * The backends a CLI run can use, behind one open/run/close. Every backend
 * other than the golden reference itself has its result checked against
 * golden before it is accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/check.h"
#include "neocog/error.h"
#include "neocog/nc_hw.h"

static const char *const names_[] = {"cpu", "opencl", "model", "rtl", "lockstep"};

/* The one-line progress counter on a terminal, at most 10 updates/s. */
static void progress_(void *ctx, uint64_t done, uint64_t total) {
  cli_backend_t *b = ctx;
  const double t = cli_now();
  if (b->quiet || (done < total && t - b->progress_t < 0.1)) {
    return;
  }
  b->progress_t = t;
  fprintf(stderr, "\r\033[K%s: instruction %llu/%llu (%.0f%%)",
          b->progress_what ? b->progress_what : "layer",
          (unsigned long long)done, (unsigned long long)total,
          total ? 100.0 * (double)done / (double)total : 100.0);
  fflush(stderr);
}

int cli_backend_open(const char *cmd, const char *name, const char *cl_platform,
                     const char *cl_device, cli_backend_t *b) {
  memset(b, 0, sizeof *b);
  b->name = name;
  /* lockstep: the RTL and the functional model side by side, every
   * submission's status, errors, counters and window bytes compared. */
  const int accel = strcmp(name, "model") == 0 || strcmp(name, "rtl") == 0 ||
                    strcmp(name, "lockstep") == 0;
  if ((strcmp(name, "cpu") == 0 || accel) &&
      (cl_platform != NULL || cl_device != NULL)) {
    cli_usage_error(cmd,
                    "--cl-platform and --cl-device need --backend "
                    "opencl");
    return CLI_EXIT_USAGE;
  }
  if (!accel && (strcmp(name, "cpu") == 0 || strcmp(name, "opencl") == 0) &&
      cli_env_accel_only(cmd, name) != 0) {
    return CLI_EXIT_USAGE;
  }
  if (strcmp(name, "cpu") == 0) {
    return 0;
  }
  if (strcmp(name, "opencl") == 0) {
    int st = nc_ocl_open(&b->ocl, cl_platform, cl_device);
    if (st != NC_OK) {
      cli_report("opencl", st);
      return CLI_EXIT_FAIL;
    }
    return 0;
  }
  if (accel) {
    nc_accel_options_t o;
    nc_accel_options_default(&o);
    /* Progress on a terminal needs the retirement hook; so does a
     * measured timeline (set by the command before it runs). */
    if (isatty(fileno(stderr))) {
      o.trace = 1;
      o.progress = progress_;
      o.progress_ctx = b;
    }
    /* Limits and test hooks (the corrupt byte, the fault): env.c. */
    const int erc = cli_accel_env(&o, &b->fault_armed);
    if (erc != 0) {
      return erc;
    }
    o.trace |= getenv("NEOCOG_TRACE") != NULL;
    int st = nc_accel_open(name, &o, &b->acc);
    if (st != NC_OK) {
      char msg[64];
      snprintf(msg, sizeof msg, "--backend %s", name);
      cli_report(msg, st);
      return CLI_EXIT_FAIL;
    }
    return 0;
  }
  cli_usage_error(cmd, "unknown backend '%s' (available: %s, %s, %s, %s, %s)",
                  name, names_[0], names_[1], names_[2], names_[3], names_[4]);
  return CLI_EXIT_USAGE;
}

int cli_backend_set_algo(const char *cmd, cli_backend_t *b, const char *algo) {
  const int a = nc_ocl_algo_parse(algo);
  if (b->ocl == NULL) {
    cli_usage_error(cmd, "--algo needs --backend opencl");
    return CLI_EXIT_USAGE;
  }
  if (a < 0) {
    cli_usage_error(cmd, "--algo: '%s' is not one of auto, direct, winograd, fft",
                    algo);
    return CLI_EXIT_USAGE;
  }
  if (nc_ocl_set_algo(b->ocl, (nc_ocl_algo_t)a) != NC_OK) {
    cli_report("--algo", NC_ERR_INVALID_ARG);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

int cli_backend_is_accel(const cli_backend_t *b) {
  return b->acc != NULL;
}

int cli_backend_fuses_pooling(const cli_backend_t *b) {
  return b->acc != NULL || (b->ocl != NULL && nc_ocl_fuses_pooling(b->ocl));
}

const char *cli_backend_device(const cli_backend_t *b) {
  if (b->ocl != NULL) {
    return nc_ocl_device(b->ocl)->name;
  }
  if (b->acc != NULL) {
    if (strcmp(b->name, "lockstep") == 0) {
      return "Verilator model of hw/rtl in lockstep with the functional model";
    }
    return strcmp(b->name, "rtl") == 0 ? "Verilator model of hw/rtl"
                                       : "functional model (sim/model)";
  }
  return "golden reference";
}

static int tl_add_(cli_timeline_t *tl, const nc_accel_t *acc, const char *what,
                   uint64_t cycles, int measured) {
  size_t n = 0;
  const nc_dev_event_t *ev = nc_accel_events(acc, &n);
  if (tl->n + n > tl->cap) {
    size_t cap = tl->cap ? tl->cap : 4096;
    while (cap < tl->n + n) {
      cap *= 2;
    }
    nc_dev_event_t *v = realloc(tl->ev, cap * sizeof *v);
    if (v == NULL) {
      return -1;
    }
    tl->ev = v;
    tl->cap = cap;
  }
  if (tl->nlayers == tl->caplayers) {
    size_t cap = tl->caplayers ? tl->caplayers * 2 : 16;
    void *v = realloc(tl->layers, cap * sizeof *tl->layers);
    if (v == NULL) {
      return -1;
    }
    tl->layers = v;
    tl->caplayers = cap;
  }
  uint64_t end = 0;
  for (size_t i = 0; i < n; i++) {
    nc_dev_event_t e = ev[i];
    e.start += tl->t;
    e.end += tl->t;
    end = e.end > end ? e.end : end;
    tl->ev[tl->n++] = e;
  }
  const uint64_t stop =
      tl->t + (cycles > end - tl->t || n == 0 ? cycles : end - tl->t);
  snprintf(tl->layers[tl->nlayers].name, sizeof tl->layers[0].name, "%s", what);
  tl->layers[tl->nlayers].start = tl->t;
  tl->layers[tl->nlayers].end = stop;
  tl->nlayers++;
  tl->t = stop;
  tl->measured &= measured;
  return 0;
}

/* Reports the first difference from golden with the tile that wrote it. */
static void mismatch_(cli_backend_t *b, const char *what,
                      const nc_check_report_t *rep) {
  char tile[200] = "";
  nc_accel_describe_tile(b->acc, rep->coord, rep->ndim, tile, sizeof tile);
  char coord[128];
  size_t k = 0;
  coord[0] = '\0';
  for (int d = 0; d < rep->ndim && k < sizeof coord; d++) {
    k += (size_t)snprintf(coord + k, sizeof coord - k, "%s%lld", d ? ", " : "",
                          (long long)rep->coord[d]);
  }
  fprintf(stderr,
          "neocog: %s on %s: mismatch against golden at %s [%s]: expected "
          "%.0f, got %.0f (%lld of the output's elements differ); %s\n",
          what, b->name, rep->ndim == 2 ? "[N, O]" : "NHWC", coord,
          rep->expected, rep->actual, (long long)rep->mismatches,
          tile[0] ? tile : "tile unknown");
}

/* Runs a request on the accelerator: progress line cleared, figures into
 * *ast (may be NULL), an armed fault reported, the timeline extended. */
static nc_status_t accel_run_(cli_backend_t *b, const char *what,
                              const nc_plan_req_t *req, nc_tensor_t *out,
                              nc_accel_stats_t *ast) {
  nc_accel_stats_t s;
  b->progress_what = what;
  b->progress_t = 0;
  const nc_status_t st = nc_accel_run(b->acc, req, out, &s);
  if (isatty(fileno(stderr)) && !b->quiet) {
    fprintf(stderr, "\r\033[K");
  }
  if (st != NC_OK) {
    return st;
  }
  if (ast != NULL) {
    *ast = s;
  }
  if (b->fault_armed) {
    cli_fault_report(what, &s);
  }
  if (b->tl != NULL && b->tl->ok &&
      tl_add_(b->tl, b->acc, what, s.cycles, s.timeline_measured) != 0) {
    b->tl->ok = 0;
  }
  return NC_OK;
}

int cli_backend_run(cli_backend_t *b, const char *what, const nc_layer_t *l,
                    const nc_tensor_t *x, const nc_tensor_t *w,
                    const nc_tensor_t *bias, const nc_layer_t *pool,
                    nc_tensor_t *mid, nc_tensor_t *out, double *seconds,
                    nc_accel_stats_t *ast) {
  double t0 = cli_now();
  int st;
  if (b->acc != NULL) {
    const nc_plan_req_t req = {l, x, w, bias, pool, NULL, NULL};
    st = accel_run_(b, what, &req, out, ast);
  } else if (b->ocl != NULL) {
    st = pool != NULL ? nc_ocl_run_layer_pooled(b->ocl, l, pool, x, w, bias, out)
                      : nc_ocl_run_layer(b->ocl, l, x, w, bias, out);
    if (st == NC_OK) {
      nc_ocl_profile_t p;
      nc_ocl_last_profile(b->ocl, &p);
      if (cli_backend_fuses_pooling(b)) {
        snprintf(b->algo, sizeof b->algo, "built-in");
      } else if (l->kind == NC_LAYER_CONV2D) {
        nc_ocl_algo_describe(p.algo, p.algo_tile, b->algo, sizeof b->algo);
      } else {
        snprintf(b->algo, sizeof b->algo, "-");
      }
    }
  } else {
    st = nc_golden_run(l, x, w, bias, out);
  }
  *seconds = cli_now() - t0;
  if (st != NC_OK) {
    if (b->ocl != NULL && st == NC_CL_ERROR_BASE - 11 /* BUILD_FAILURE */) {
      fprintf(stderr, "%s\n", nc_ocl_build_log(b->ocl));
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%s on %s", what, b->name);
    cli_report(msg, st);
    return CLI_EXIT_FAIL;
  }
  if (b->ocl == NULL && b->acc == NULL) {
    return 0; /* the golden reference is the reference */
  }
  nc_check_report_t rep;
  if (pool != NULL) {
    nc_tensor_t g;
    st = nc_golden_run(l, x, w, bias, &g);
    if (st == NC_OK) {
      st = nc_check_layer(pool, &g, NULL, NULL, out, 0, &rep);
      if (mid != NULL) {
        *mid = g;
      } else {
        nc_tensor_free(&g);
      }
    }
  } else if (b->ocl != NULL) {
    /* The tolerance of the algorithm that ran (docs/opencl.md). */
    st = nc_ocl_check_last(b->ocl, l, x, w, bias, out, &rep, NULL);
  } else {
    st = nc_check_layer(l, x, w, bias, out, 0, &rep);
  }
  if (st != NC_OK) {
    if (st == NC_ERR_MISMATCH && b->acc != NULL) {
      mismatch_(b, what, &rep);
    } else {
      char msg[160];
      snprintf(msg, sizeof msg, "%s on %s: result check against golden failed",
               what, b->name);
      cli_report(msg, st);
    }
    nc_tensor_free(out);
    if (mid != NULL) {
      nc_tensor_free(mid);
    }
    return CLI_EXIT_FAIL;
  }
  return 0;
}

int cli_backend_run_add(cli_backend_t *b, const char *what, const nc_layer_t *l,
                        const nc_tensor_t *x, const nc_tensor_t *w,
                        const nc_tensor_t *bias, const nc_net_layer_t *add,
                        int ci, const nc_tensor_t *res, nc_tensor_t *mid,
                        nc_tensor_t *out, double *seconds,
                        nc_accel_stats_t *ast) {
  const double t0 = cli_now();
  /* The store path's input 0 is the layer's value: swap the add's inputs
   * when the layer is its second (the sum is the same). */
  nc_add_quant_t aq = add->add;
  if (ci == 1) {
    aq.in_zp[0] = add->add.in_zp[1], aq.in_zp[1] = add->add.in_zp[0];
    aq.in_mult[0] = add->add.in_mult[1], aq.in_mult[1] = add->add.in_mult[0];
    aq.in_shift[0] = add->add.in_shift[1];
    aq.in_shift[1] = add->add.in_shift[0];
  }
  const nc_plan_req_t req = {.layer = l, .input = x, .weights = w,
                             .bias = bias, .add = &aq, .residual = res};
  nc_status_t st = accel_run_(b, what, &req, out, ast);
  *seconds = cli_now() - t0;
  if (st == NC_ERR_UNSUPPORTED) {
    return -1;
  }
  char msg[200];
  snprintf(msg, sizeof msg, "%s on %s", what, b->name);
  if (st != NC_OK) {
    cli_report(msg, st);
    return CLI_EXIT_FAIL;
  }
  /* Golden: the layer, then the host's add of the statement's inputs. */
  nc_tensor_t want = {0};
  st = nc_golden_run(l, x, w, bias, mid);
  if (st == NC_OK) {
    const nc_tensor_t *ins[2] = {ci == 0 ? mid : res, ci == 0 ? res : mid};
    st = nc_net_host_op(add, ins, &want);
  }
  if (st == NC_OK && (want.nbytes != out->nbytes || want.dtype != out->dtype)) {
    st = nc__fail(NC_ERR_MISMATCH, "fused add: %zu bytes of %s, golden %zu "
                  "of %s", out->nbytes, nc_dtype_name(out->dtype),
                  want.nbytes, nc_dtype_name(want.dtype));
  }
  if (st == NC_OK && memcmp(want.data, out->data, out->nbytes) != 0) {
    size_t i = 0;
    while (((uint8_t *)want.data)[i] == ((uint8_t *)out->data)[i]) {
      i++;
    }
    st = nc__fail(NC_ERR_MISMATCH,
                  "mismatch against golden layer + add at element %zu: "
                  "expected %d, got %d",
                  i, (int)((uint8_t *)want.data)[i],
                  (int)((uint8_t *)out->data)[i]);
  }
  nc_tensor_free(&want);
  if (st != NC_OK) {
    cli_report(msg, st);
    nc_tensor_free(out);
    nc_tensor_free(mid);
    return CLI_EXIT_FAIL;
  }
  return 0;
}

void cli_backend_close(cli_backend_t *b) {
  if (b->ocl != NULL) {
    nc_ocl_close(b->ocl);
  }
  nc_accel_close(b->acc);
  memset(b, 0, sizeof *b);
}

void cli_timeline_free(cli_timeline_t *tl) {
  free(tl->ev);
  free(tl->layers);
  memset(tl, 0, sizeof *tl);
}

/* Track 0 holds the layers, track u the instructions unit u executed, named
 * as the data file names the units. */
static const char *track_name_(int t) {
  return t == 0 ? "layers" : nc_hw_unit_name((uint32_t)t);
}

/* Where the events came from, for the file's otherData.source. */
static const char *timeline_source_(const char *backend, int measured) {
  if (!measured) {
    return "planner cost model (predicted schedule)";
  }
  return strcmp(backend, "model") == 0
             ? "functional model retirement trace (its timing rules)"
             : "RTL retirement trace (measured: nc_top trace port)";
}

/* Chrome trace event format: complete events ("ph": "X") on one track per
 * unit, timestamps in microseconds of a 1 GHz clock (1 cycle = 1 ns). */
int cli_write_timeline(const char *path, const char *backend,
                       const cli_timeline_t *tl) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    fprintf(stderr, "neocog: --timeline: path too long\n");
    return -1;
  }
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "neocog: --timeline %s: cannot write\n", path);
    return -1;
  }
  fprintf(f,
          "{\"displayTimeUnit\": \"ns\",\n \"otherData\": {\"backend\": "
          "\"%s\", \"clock\": \"cycles shown as ns (1 GHz)\", "
          "\"source\": \"%s\"},\n \"traceEvents\": [\n",
          backend, timeline_source_(backend, tl->measured));
  for (int t = 0; t <= NC_HW_UNIT_STORE; t++) {
    fprintf(f,
            "  {\"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"name\": "
            "\"thread_name\", \"args\": {\"name\": \"%s\"}},\n",
            t, track_name_(t));
  }
  fprintf(f,
          "  {\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", "
          "\"args\": {\"name\": \"neocog %s\"}}",
          backend);
  for (size_t i = 0; i < tl->nlayers; i++) {
    fprintf(f,
            ",\n  {\"ph\": \"X\", \"pid\": 1, \"tid\": 0, \"name\": \"%s\", "
            "\"cat\": \"layer\", \"ts\": %.3f, \"dur\": %.3f}",
            tl->layers[i].name, (double)tl->layers[i].start / 1000.0,
            (double)(tl->layers[i].end - tl->layers[i].start) / 1000.0);
  }
  for (size_t i = 0; i < tl->n; i++) {
    const nc_dev_event_t *e = &tl->ev[i];
    const int tid =
        e->unit <= NC_HW_UNIT_STORE ? (int)e->unit : NC_HW_UNIT_FETCH;
    fprintf(f,
            ",\n  {\"ph\": \"X\", \"pid\": 1, \"tid\": %d, \"name\": \"%s\", "
            "\"cat\": \"%s\", \"ts\": %.3f, \"dur\": %.3f, \"args\": "
            "{\"insn\": %llu}}",
            tid, nc_hw_opcode_name(e->opcode), track_name_(tid),
            (double)e->start / 1000.0, (double)(e->end - e->start) / 1000.0,
            (unsigned long long)e->index);
  }
  fprintf(f, "\n]}\n");
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    fprintf(stderr, "neocog: --timeline %s: write failed\n", path);
    return -1;
  }
  return 0;
}
