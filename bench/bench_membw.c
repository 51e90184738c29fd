/*
 * Single-thread read bandwidth: the rate at which one core streams a
 * buffer it does not keep in cache, the bound a memory-bound OpenCL layer
 * meets on the same core (docs/performance.md, the Winograd 7x7 layer).
 *
 * Usage: taskset -c 0 build/bench/bench_membw [MB ...]   (default 8 16 40 64)
 * Each size: the buffer is written once, then read 15 times (64-bit words
 * summed so nothing is optimized away); median and best GB/s of the reads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

enum { RUNS = 15 };

static uint64_t read_all_(const uint64_t *v, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) {
    s += v[i];
  }
  return s;
}

int main(int argc, char **argv) {
  static const char *const defaults[] = {"8", "16", "40", "64"};
  const int nsizes = argc > 1 ? argc - 1 : 4;
  const char *const *sizes =
      argc > 1 ? (const char *const *)argv + 1 : defaults;
  uint64_t sink = 0;
  printf("single-thread read, %d runs each: median / best GB/s\n", RUNS);
  for (int k = 0; k < nsizes; k++) {
    char *end = NULL;
    const long mb = strtol(sizes[k], &end, 10);
    if (end == sizes[k] || *end != '\0' || mb < 1 || mb > 65536) {
      fprintf(stderr, "bench_membw: size must be 1..65536 MB, not '%s'\n",
              sizes[k]);
      return 2;
    }
    const size_t n = (size_t)mb * 1000000u / sizeof(uint64_t);
    uint64_t *v = malloc(n * sizeof *v);
    if (v == NULL) {
      fprintf(stderr, "bench_membw: cannot allocate %ld MB\n", mb);
      return 1;
    }
    for (size_t i = 0; i < n; i++) {
      v[i] = i;
    }
    double rate[RUNS];
    for (int r = 0; r < RUNS; r++) {
      const double t0 = nc_bench_now();
      sink += read_all_(v, n);
      rate[r] = 1e-9 * (double)(n * sizeof *v) / (nc_bench_now() - t0);
    }
    const double med = nc_bench_median(rate, RUNS);
    printf("%6ld MB: %6.1f / %6.1f GB/s\n", mb, med, rate[RUNS - 1]);
    free(v);
  }
  return sink == 1 ? 3 : 0; /* keeps the sums live */
}
