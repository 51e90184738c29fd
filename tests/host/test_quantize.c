/* Entropy calibration's threshold (nc__kl_threshold). */
#include "neocog/quantize.h"
#include "tests/common.h"

/* A bulk of values in [0, 1) and a few far outliers: the threshold the KL
 * divergence picks clips the outliers and keeps the bulk; without
 * outliers it keeps (nearly) the whole range. */
Test(quantize, kl_threshold_clips_outliers) {
  nc_rng_t r;
  nc_test_seed(&r, "quantize", "kl_threshold_clips_outliers", 5);
  const size_t n = 200000;
  float *v = malloc(n * sizeof *v);
  cr_assert_not_null(v);
  for (size_t i = 0; i < n; i++) {
    /* Skewed towards 0, as activations after a ReLU are. */
    const float u = nc_rng_float(&r, 0.0f, 1.0f);
    v[i] = u * u;
  }
  const double whole = nc__kl_threshold(v, n, 1.0, 255, 1);
  cr_expect(whole > 0.5 && whole <= 1.0, "no outliers: %g", whole);
  for (size_t i = 0; i < 20; i++) {
    v[i * 1000] = 40.0f + (float)i;
  }
  /* At least `levels` of the 2048 bins: 255 / 2048 of 59 is 7.35. */
  const double t = nc__kl_threshold(v, n, 59.0, 255, 1);
  cr_expect(t < 10.0 && t > 0.3, "with outliers: %g of 59", t);
  /* Signed values: the threshold is on |x|. */
  for (size_t i = 0; i < n; i++) {
    v[i] = (i % 2 ? -1.0f : 1.0f) * nc_rng_float(&r, 0.0f, 1.0f);
  }
  v[7] = -30.0f;
  const double s = nc__kl_threshold(v, n, 30.0, 128, 0);
  cr_expect(s < 4.0 && s > 0.3, "signed: %g of 30", s);
  /* Degenerate input: the range as given. */
  cr_expect_eq(nc__kl_threshold(v, 0, 3.0, 255, 1), 3.0);
  free(v);
}
