/* Timing helpers shared by the benchmarks: one clock, one median. */
#ifndef NEOCOG_BENCH_UTIL_H
#define NEOCOG_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

/** Seconds from a monotonic clock. */
static inline double nc_bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int nc_bench_cmp_(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/** Sorts v[0..n) and returns its median (mean of the middle two if n is
 *  even); after the call v[0] is the minimum. */
static inline double nc_bench_median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, nc_bench_cmp_);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif /* NEOCOG_BENCH_UTIL_H */
