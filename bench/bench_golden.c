/*
 * Golden reference conv throughput: GMAC/s, median of 5 runs, on a VGG-like
 * layer and AlexNet conv1, int8 and fp32. Run it single-threaded and pinned
 * (bench/run.sh does `taskset -c 0`).
 *
 * For scale, the same run times a naive seven-deep loop (NCHW order of
 * thought, no blocking) on the same shapes and prints the ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "neocog/layer.h"
#include "neocog/rng.h"

#define RUNS 5

typedef struct {
  const char *name;
  int64_t h, w, c, n, k, stride, pad;
} shape_t;

/* Naive direct convolution: out-channel, out-pixel, then kh, kw, c, with
 * bounds checks inside the innermost loop. The yardstick, not a peer. */
static void naive_f32_(const shape_t *s, const float *x, const float *w,
                       float *y, int64_t oh, int64_t ow) {
  for (int64_t o = 0; o < s->n; o++) {
    for (int64_t i = 0; i < oh; i++) {
      for (int64_t j = 0; j < ow; j++) {
        float acc = 0;
        for (int64_t kh = 0; kh < s->k; kh++) {
          for (int64_t kw = 0; kw < s->k; kw++) {
            for (int64_t c = 0; c < s->c; c++) {
              int64_t ih = i * s->stride - s->pad + kh;
              int64_t iw = j * s->stride - s->pad + kw;
              if (ih >= 0 && ih < s->h && iw >= 0 && iw < s->w) {
                acc += x[(ih * s->w + iw) * s->c + c] *
                       w[((o * s->k + kh) * s->k + kw) * s->c + c];
              }
            }
          }
        }
        y[(i * ow + j) * s->n + o] = acc;
      }
    }
  }
}

static int bench_(const shape_t *s, nc_dtype_t dt, double *gmacs,
                  double *naive_gmacs) {
  int fl = dt == NC_DTYPE_FLOAT32;
  int64_t xs[4] = {1, s->h, s->w, s->c}, ws[4] = {s->n, s->k, s->k, s->c};
  int64_t bs[1] = {s->n};
  nc_tensor_t x, w, b, y;
  nc_rng_t r;
  nc_rng_seed(&r, 42);
  if (nc_tensor_alloc(&x, dt, 4, xs) != NC_OK ||
      nc_tensor_alloc(&w, fl ? dt : NC_DTYPE_INT8, 4, ws) != NC_OK ||
      nc_tensor_alloc(&b, fl ? dt : NC_DTYPE_INT32, 1, bs) != NC_OK) {
    return -1;
  }
  nc_rng_fill(&r, &x, fl ? -1 : -128, fl ? 1 : 127);
  nc_rng_fill(&r, &w, fl ? -1 : -128, fl ? 1 : 127);
  nc_rng_fill(&r, &b, -100, 100);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = (int)s->stride;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = (int)s->pad;
  nc_geom_t g;
  if (nc_layer_geometry(&l, xs, 4, ws, 4, s->n, &g) != NC_OK) {
    fprintf(stderr, "bench: %s: %s\n", s->name, nc_error_detail());
    return -1;
  }
  double t[RUNS];
  for (int i = 0; i <= RUNS; i++) { /* run 0 warms up */
    double t0 = nc_bench_now();
    if (nc_golden_run(&l, &x, &w, &b, &y) != NC_OK) {
      fprintf(stderr, "bench: %s: %s\n", s->name, nc_error_detail());
      return -1;
    }
    double dt_s = nc_bench_now() - t0;
    if (i > 0) {
      t[i - 1] = dt_s;
    }
    nc_tensor_free(&y);
  }
  *gmacs = (double)g.macs / nc_bench_median(t, RUNS) / 1e9;
  *naive_gmacs = 0;
  if (fl) {
    float *out = malloc((size_t)(g.oh * g.ow * s->n) * sizeof *out);
    for (int i = 0; i < RUNS && out != NULL; i++) {
      double t0 = nc_bench_now();
      naive_f32_(s, x.data, w.data, out, g.oh, g.ow);
      t[i] = nc_bench_now() - t0;
    }
    *naive_gmacs = out ? (double)g.macs / nc_bench_median(t, RUNS) / 1e9 : 0;
    free(out);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  return 0;
}

int main(void) {
  static const shape_t shapes[] = {
      {"VGG-like 64x56x56, 64 3x3, pad 1", 56, 56, 64, 64, 3, 1, 1},
      {"AlexNet conv1 3x227x227, 96 11x11 /4", 227, 227, 3, 96, 11, 4, 0},
  };
  printf("| layer | dtype | golden GMAC/s | naive GMAC/s | golden/naive |\n");
  printf("|---|---|---:|---:|---:|\n");
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    double naive = 0;
    for (int d = 0; d < 2; d++) {
      nc_dtype_t dt = d == 0 ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8;
      double gm = 0, nv = 0;
      if (bench_(&shapes[i], dt, &gm, &nv) != 0) {
        return 1;
      }
      if (d == 0) {
        naive = nv;
      }
      printf("| %s | %s | %.2f | %.2f | %.1fx |\n", shapes[i].name,
             nc_dtype_name(dt), gm, naive, naive > 0 ? gm / naive : 0);
      fflush(stdout);
    }
  }
  printf(
      "\nmedian of %d runs after one warm-up; naive = fp32 seven-loop "
      "direct conv, same shapes, same run\n",
      RUNS);
  return 0;
}
