/*
 * Shared helpers for the Criterion test suite.
 *
 * Random tests take their seed from NEOCOG_SEED (a number, or "random" for a
 * fresh one) and otherwise use a fixed default, print it, and print the
 * command that reproduces the run.
 */
#ifndef NEOCOG_TESTS_COMMON_H
#define NEOCOG_TESTS_COMMON_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "neocog/rng.h"
#include "neocog/tensor.h"

/** Seeds `r` for the test `suite/name` and prints how to reproduce it. */
static inline uint64_t nc_test_seed(nc_rng_t *r, const char *suite,
                                    const char *name, uint64_t dflt) {
  const char *env = getenv("NEOCOG_SEED");
  uint64_t seed = dflt;
  if (env != NULL && strcmp(env, "random") == 0) {
    seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
  } else if (env != NULL && *env != '\0') {
    seed = strtoull(env, NULL, 0);
  }
  nc_rng_seed(r, seed);
  /* The runner this test is part of (optimized, sanitized or OpenCL). */
  char exe[512] = "build/tests/neocog_tests";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
  }
  fprintf(stderr,
          "[seed] %s/%s seed=%llu  reproduce: NEOCOG_SEED=%llu %s "
          "--filter '%s/%s'\n",
          suite, name, (unsigned long long)seed, (unsigned long long)seed, exe,
          suite, name);
  return seed;
}

/** Allocates a tensor or fails the test. */
static inline void nc_test_alloc(nc_tensor_t *t, nc_dtype_t dt, int ndim,
                                 const int64_t *shape) {
  int st = nc_tensor_alloc(t, dt, ndim, shape);
  cr_assert_eq(st, 0, "nc_tensor_alloc failed: %d", st);
}

#endif /* NEOCOG_TESTS_COMMON_H */
