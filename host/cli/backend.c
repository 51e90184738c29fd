/*
 * The backends a CLI run can use, behind one open/run/close. Every backend
 * other than the golden reference itself has its result checked against
 * golden before it is accepted.
 */
#include <stdio.h>
#include <string.h>

#include "host/cli/cli.h"
#include "neocog/check.h"

static const char *const names_[] = {"cpu", "opencl"};

int cli_backend_open(const char *cmd, const char *name, const char *cl_platform,
                     const char *cl_device, cli_backend_t *b) {
  memset(b, 0, sizeof *b);
  b->name = name;
  if (strcmp(name, "cpu") == 0) {
    if (cl_platform != NULL || cl_device != NULL) {
      cli_usage_error(cmd,
                      "--cl-platform and --cl-device need --backend "
                      "opencl");
      return CLI_EXIT_USAGE;
    }
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
  cli_usage_error(cmd, "unknown backend '%s' (available: %s, %s)", name,
                  names_[0], names_[1]);
  return CLI_EXIT_USAGE;
}

const char *cli_backend_device(const cli_backend_t *b) {
  if (b->ocl != NULL) {
    return nc_ocl_device(b->ocl)->name;
  }
  return "golden reference";
}

int cli_backend_run(cli_backend_t *b, const char *what, const nc_layer_t *l,
                    const nc_tensor_t *x, const nc_tensor_t *w,
                    const nc_tensor_t *bias, nc_tensor_t *out,
                    double *seconds) {
  double t0 = cli_now();
  int st;
  if (b->ocl != NULL) {
    st = nc_ocl_run_layer(b->ocl, l, x, w, bias, out);
  } else {
    st = nc_golden_run(l, x, w, bias, out);
  }
  *seconds = cli_now() - t0;
  if (st != NC_OK) {
    if (b->ocl != NULL && st == NC_CL_ERROR_BASE - 11 /* BUILD_FAILURE */) {
      fprintf(stderr, "%s\n", nc_ocl_build_log(b->ocl));
    }
    cli_report(what, st);
    return CLI_EXIT_FAIL;
  }
  if (b->ocl == NULL) {
    return 0; /* the golden reference is the reference */
  }
  st = nc_check_layer(l, x, w, bias, out, NC_OCL_F32_RTOL, NULL);
  if (st != NC_OK) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s on %s: result check against golden failed",
             what, b->name);
    cli_report(msg, st);
    nc_tensor_free(out);
    return CLI_EXIT_FAIL;
  }
  return 0;
}

void cli_backend_close(cli_backend_t *b) {
  if (b->ocl != NULL) {
    nc_ocl_close(b->ocl);
  }
  memset(b, 0, sizeof *b);
}
