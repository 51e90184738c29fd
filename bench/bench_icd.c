/*
 * Overhead of the OpenCL path to the accelerator (make bench; built by make
 * as build/bench/bench_icd): the lecture's ConvNet (nets/convnet.net, conv1
 * with pool1 fused, then conv2) run
 *   direct: through the runtime, nc_accel_run(), as `neocog run --backend
 *           rtl` does, and
 *   opencl: through the system's ICD loader and the neocog ICD's built-in
 *           kernels, as `neocog run --backend opencl --cl-platform neocog`
 *           does (nc_ocl_run_layer_pooled / nc_ocl_run_layer: buffers,
 *           arguments, enqueue, profiling event, read back).
 * Both arms use the same simulator build: this program links the
 * position-independent objects the ICD is linked from, so the difference is
 * the OpenCL path alone. Repetitions alternate between the arms; the
 * medians of wall time and of the thread's CPU time (steadier on a shared
 * machine: time spent waiting for a core is not in it) and their ratios
 * are printed, and the two outputs must be equal byte for byte.
 *
 *   bench_icd [rtl|model] [REPS] [NET]     defaults: rtl 5 nets/convnet.net
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "neocog/accel.h"
#include "neocog/net.h"
#include "neocog/ocl.h"

#define MAX_REPS 64

/* CPU seconds of this thread. */
static double cpu_now_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die_(const char *what, int st) {
  fprintf(stderr, "bench_icd: %s: %s (%s)\n", what, nc_strerror(st),
          nc_error_detail());
  exit(1);
}

/* conv1 + pool1 fused, then conv2: the ConvNet's two accelerator runs. */
static double direct_(nc_accel_t *a, const nc_net_t *net, const nc_tensor_t *x,
                      nc_tensor_t *y) {
  const double t0 = nc_bench_now();
  nc_tensor_t mid;
  const nc_net_layer_t *c1 = &net->layers[0], *p1 = &net->layers[1],
                       *c2 = &net->layers[2];
  nc_plan_req_t r1 = {&c1->spec.layer, x, &c1->weights,
                      c1->bias.ndim ? &c1->bias : NULL, &p1->spec.layer,
                      NULL, NULL};
  int st = nc_accel_run(a, &r1, &mid, NULL);
  if (st != NC_OK) {
    die_("direct conv1+pool1", st);
  }
  nc_plan_req_t r2 = {&c2->spec.layer, &mid, &c2->weights,
                      c2->bias.ndim ? &c2->bias : NULL, NULL, NULL, NULL};
  st = nc_accel_run(a, &r2, y, NULL);
  if (st != NC_OK) {
    die_("direct conv2", st);
  }
  nc_tensor_free(&mid);
  return nc_bench_now() - t0;
}

static double opencl_(nc_ocl_t *c, const nc_net_t *net, const nc_tensor_t *x,
                      nc_tensor_t *y) {
  const double t0 = nc_bench_now();
  nc_tensor_t mid;
  const nc_net_layer_t *c1 = &net->layers[0], *p1 = &net->layers[1],
                       *c2 = &net->layers[2];
  int st = nc_ocl_run_layer_pooled(c, &c1->spec.layer, &p1->spec.layer, x,
                                   &c1->weights,
                                   c1->bias.ndim ? &c1->bias : NULL, &mid);
  if (st != NC_OK) {
    die_("opencl conv1+pool1", st);
  }
  st = nc_ocl_run_layer(c, &c2->spec.layer, &mid, &c2->weights,
                        c2->bias.ndim ? &c2->bias : NULL, y);
  if (st != NC_OK) {
    die_("opencl conv2", st);
  }
  nc_tensor_free(&mid);
  return nc_bench_now() - t0;
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "rtl";
  const int reps = argc > 2 ? atoi(argv[2]) : 5;
  const char *path = argc > 3 ? argv[3] : "nets/convnet.net";
  if ((strcmp(backend, "rtl") != 0 && strcmp(backend, "model") != 0) ||
      reps < 1 || reps > MAX_REPS) {
    fprintf(stderr, "usage: bench_icd [rtl|model] [REPS 1..%d] [NET]\n",
            MAX_REPS);
    return 2;
  }
  /* The loader reads this on its first call: this build's ICD. */
  setenv("OCL_ICD_VENDORS", NC_BENCH_ICD_VENDORS, 0);
  nc_net_t net;
  int st = nc_net_load(path, &net);
  if (st != NC_OK) {
    die_(path, st);
  }
  if (net.nlayers != 3 || net.layers[0].spec.layer.kind != NC_LAYER_CONV2D ||
      net.layers[1].spec.layer.kind != NC_LAYER_MAXPOOL ||
      net.layers[2].spec.layer.kind != NC_LAYER_CONV2D) {
    fprintf(stderr, "bench_icd: %s: want conv2d, maxpool, conv2d\n", path);
    return 2;
  }
  nc_tensor_t x;
  st = nc_net_random_input(&net, 1, &x);
  if (st != NC_OK) {
    die_("input", st);
  }
  nc_accel_t *a = NULL;
  st = nc_accel_open(backend, NULL, &a);
  if (st != NC_OK) {
    die_("nc_accel_open", st);
  }
  nc_ocl_t *c = NULL;
  st = nc_ocl_open(&c, "neocog", backend);
  if (st != NC_OK) {
    die_("nc_ocl_open(neocog)", st);
  }
  printf(
      "bench_icd: %s, %s on %s (direct) and on OpenCL device '%s', %d "
      "repetitions each, alternating\n",
      net.name, path, backend, nc_ocl_device(c)->name, reps);
  double td[MAX_REPS], to[MAX_REPS], cd[MAX_REPS], co[MAX_REPS];
  nc_tensor_t yd, yo;
  /* One of each first: the RTL model's and the ICD's first-use costs. */
  nc_tensor_t w1, w2;
  direct_(a, &net, &x, &w1);
  opencl_(c, &net, &x, &w2);
  nc_tensor_free(&w1);
  nc_tensor_free(&w2);
  for (int i = 0; i < reps; i++) {
    double c0 = cpu_now_();
    td[i] = direct_(a, &net, &x, &yd);
    double c1 = cpu_now_();
    to[i] = opencl_(c, &net, &x, &yo);
    cd[i] = c1 - c0;
    co[i] = cpu_now_() - c1;
    const int same =
        yd.nbytes == yo.nbytes && memcmp(yd.data, yo.data, yd.nbytes) == 0;
    nc_tensor_free(&yd);
    nc_tensor_free(&yo);
    if (!same) {
      fprintf(stderr, "bench_icd: the two paths' outputs differ\n");
      return 1;
    }
  }
  const double md = nc_bench_median(td, reps), mo = nc_bench_median(to, reps);
  const double mcd = nc_bench_median(cd, reps), mco = nc_bench_median(co, reps);
  printf("                                wall median (min)      CPU median\n");
  printf("  direct (nc_accel_run)         %8.1f ms (%8.1f)  %8.1f ms\n",
         md * 1e3, td[0] * 1e3, mcd * 1e3);
  printf("  opencl (ICD built-in kernels) %8.1f ms (%8.1f)  %8.1f ms\n",
         mo * 1e3, to[0] * 1e3, mco * 1e3);
  printf(
      "  OpenCL path overhead: %+.2f%% wall (ratio %.4f), %+.2f%% CPU "
      "(ratio %.4f); outputs identical\n",
      100.0 * (mo - md) / md, mo / md, 100.0 * (mco - mcd) / mcd, mco / mcd);
  nc_ocl_close(c);
  nc_accel_close(a);
  nc_tensor_free(&x);
  nc_net_free(&net);
  return 0;
}
