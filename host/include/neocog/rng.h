/*
 * A small deterministic random number generator (SplitMix64).
 *
 * Networks with random weights, random test shapes and benchmark data all
 * draw from it, so a seed reproduces the same tensors on every machine and
 * every backend.
 */
#ifndef NEOCOG_RNG_H
#define NEOCOG_RNG_H

#include <stdint.h>

#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Generator state; any value is a valid seed. */
typedef struct {
  uint64_t s; /**< SplitMix64 counter */
} nc_rng_t;

/** Seeds a generator. */
void nc_rng_seed(nc_rng_t *r, uint64_t seed);

/** Next 64 uniformly distributed bits. */
uint64_t nc_rng_next(nc_rng_t *r);

/** Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t nc_rng_range(nc_rng_t *r, int64_t lo, int64_t hi);

/** Uniform float in [lo, hi). */
float nc_rng_float(nc_rng_t *r, float lo, float hi);

/**
 * Fills a tensor: integer dtypes uniformly in [lo, hi] (clipped to the
 * dtype), float32 uniformly in [lo, hi).
 */
void nc_rng_fill(nc_rng_t *r, nc_tensor_t *t, double lo, double hi);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_RNG_H */
