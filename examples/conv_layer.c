/*
 * One convolution layer on the accelerator, checked against the golden CPU
 * reference.
 *
 *   conv_layer [model|rtl|lockstep]
 *
 * A 3x3 convolution with padding 1 of a random 1x12x12x16 int8 image by 32
 * random filters, int32 output: the planner tiles it onto the array, the
 * driver runs it on the chosen device, nc_check_layer() compares every
 * output element with the golden reference.
 */
#include <neocog/accel.h>
#include <neocog/check.h>
#include <neocog/layer.h>
#include <neocog/rng.h>
#include <stdio.h>

/* Prints why `st` is not NC_OK, and says whether it was. */
static int failed(nc_status_t st, const char *what) {
  if (st != NC_OK) {
    fprintf(stderr, "conv_layer: %s: %s (%s)\n", what, nc_strerror(st),
            nc_error_detail());
  }
  return st != NC_OK;
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "model";
  nc_layer_t conv;
  nc_layer_init(&conv, NC_LAYER_CONV2D);
  conv.pad_top = conv.pad_bottom = conv.pad_left = conv.pad_right = 1;

  /* The tensors: NHWC input, OHWI weights, one int32 bias per filter. */
  const int64_t xs[4] = {1, 12, 12, 16}, ws[4] = {32, 3, 3, 16}, bs[1] = {32};
  nc_tensor_t x, w, b, y = {0};
  if (failed(nc_tensor_alloc(&x, NC_DTYPE_INT8, 4, xs), "input") ||
      failed(nc_tensor_alloc(&w, NC_DTYPE_INT8, 4, ws), "weights") ||
      failed(nc_tensor_alloc(&b, NC_DTYPE_INT32, 1, bs), "bias")) {
    return 1;
  }
  nc_rng_t rng;
  nc_rng_seed(&rng, 1);
  nc_rng_fill(&rng, &x, -128, 127);
  nc_rng_fill(&rng, &w, -128, 127);
  nc_rng_fill(&rng, &b, -1000, 1000);

  /* Open the device, plan and run the layer. */
  nc_accel_options_t opt;
  nc_accel_options_default(&opt);
  nc_accel_t *acc = NULL;
  if (failed(nc_accel_open(backend, &opt, &acc), backend)) {
    return 1;
  }
  const nc_plan_req_t req = {.layer = &conv, .input = &x, .weights = &w,
                             .bias = &b};
  nc_accel_stats_t stats;
  int bad = failed(nc_accel_run(acc, &req, &y, &stats), "run");

  /* Every element against the golden reference, bit for bit. */
  nc_check_report_t rep;
  bad = bad || failed(nc_check_layer(&conv, &x, &w, &b, &y, 0, &rep), "check");
  if (!bad) {
    printf("conv2d [1, 12, 12, 16] -> [1, %lld, %lld, %lld] on %s: %llu "
           "cycles (predicted %llu), PE utilization %.1f%%, matches golden\n",
           (long long)y.shape[1], (long long)y.shape[2], (long long)y.shape[3],
           nc_accel_backend(acc), (unsigned long long)stats.cycles,
           (unsigned long long)stats.predicted_cycles,
           100.0 * stats.pe_utilization);
  }
  nc_accel_close(acc);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
  return bad;
}
