/* SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified. */
#include "neocog/rng.h"

#include <math.h>

void nc_rng_seed(nc_rng_t *r, uint64_t seed) {
  r->s = seed;
}

uint64_t nc_rng_next(nc_rng_t *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int64_t nc_rng_range(nc_rng_t *r, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)hi - (uint64_t)lo + 1u;
  if (span == 0) { /* the full 64-bit range */
    return (int64_t)nc_rng_next(r);
  }
  return lo + (int64_t)(nc_rng_next(r) % span);
}

float nc_rng_float(nc_rng_t *r, float lo, float hi) {
  /* 24 random bits: every value is exactly representable. */
  float u = (float)(nc_rng_next(r) >> 40) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * u;
}

static int64_t clip_(double v, int64_t lo, int64_t hi) {
  if (v < (double)lo) {
    return lo;
  }
  if (v > (double)hi) {
    return hi;
  }
  return (int64_t)v;
}

void nc_rng_fill(nc_rng_t *r, nc_tensor_t *t, double lo, double hi) {
  size_t n = nc_tensor_numel(t);
  switch (t->dtype) {
    case NC_DTYPE_INT8: {
      int8_t *p = t->data;
      int64_t a = clip_(ceil(lo), INT8_MIN, INT8_MAX);
      int64_t b = clip_(floor(hi), INT8_MIN, INT8_MAX);
      for (size_t i = 0; i < n; i++) {
        p[i] = (int8_t)nc_rng_range(r, a, b);
      }
      break;
    }
    case NC_DTYPE_UINT8: {
      uint8_t *p = t->data;
      int64_t a = clip_(ceil(lo), 0, UINT8_MAX);
      int64_t b = clip_(floor(hi), 0, UINT8_MAX);
      for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)nc_rng_range(r, a, b);
      }
      break;
    }
    case NC_DTYPE_INT32: {
      int32_t *p = t->data;
      int64_t a = clip_(ceil(lo), INT32_MIN, INT32_MAX);
      int64_t b = clip_(floor(hi), INT32_MIN, INT32_MAX);
      for (size_t i = 0; i < n; i++) {
        p[i] = (int32_t)nc_rng_range(r, a, b);
      }
      break;
    }
    case NC_DTYPE_FLOAT32: {
      float *p = t->data;
      for (size_t i = 0; i < n; i++) {
        p[i] = nc_rng_float(r, (float)lo, (float)hi);
      }
      break;
    }
    default:
      break;
  }
}
