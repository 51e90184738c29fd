/*
 * Requantization against a table of cases worked out by hand.
 *
 * Each expected value below was derived on paper from the gemmlowp
 * definitions (real value 2*a*b / 2^32, nudge, truncating division), not by
 * running the code under test. The comment on each row shows the working.
 */
#include <math.h>

#include "neocog/quant.h"
#include "tests/common.h"

typedef struct {
  int32_t a, b, want;
  const char *why;
} srdhm_case_t;

Test(quant, srdhm_table) {
  static const srdhm_case_t cases[] = {
      {INT32_MIN, INT32_MIN, INT32_MAX, "2^31 overflows: saturates"},
      {INT32_MIN, INT32_MAX, -2147483647, "-2^31 + 0.5 + 2^-31 -> trunc"},
      {INT32_MAX, INT32_MAX, 2147483646, "(2^31-1)^2/2^31 = 2^31-2+2^-31"},
      {1 << 30, 1 << 30, 1 << 29, "2 * 2^60 / 2^32 = 2^29 exactly"},
      {3, 1 << 30, 2, "real 1.5: tie rounds up"},
      {-3, 1 << 30, -1, "real -1.5: tie rounds toward +inf in gemmlowp"},
      {5, 1 << 30, 3, "real 2.5 -> 3"},
      {-5, 1 << 30, -2, "real -2.5 -> -2"},
      {-7, 1 << 30, -3, "real -3.5 -> -3"},
      {1, 1 << 30, 1, "real 0.5 -> 1"},
      {-1, 1 << 30, 0, "real -0.5 -> 0"},
      {1, 1, 0, "real 2^-31 -> 0"},
      {0, INT32_MIN, 0, "zero"},
      {100, 1518500250, 71, "100 * 0.7071 = 70.71 -> 71"},
      {-100, 1518500250, -71, "-70.71 -> -71"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int32_t got = nc_srdhm(cases[i].a, cases[i].b);
    cr_expect_eq(got, cases[i].want, "srdhm(%d, %d) = %d, want %d (%s)",
                 cases[i].a, cases[i].b, got, cases[i].want, cases[i].why);
  }
}

typedef struct {
  int32_t x;
  int e;
  int32_t want;
} rdiv_case_t;

Test(quant, rounding_divide_by_pot_table) {
  static const rdiv_case_t cases[] = {
      {5, 1, 3},            /* 2.5 -> 3 (half away from zero) */
      {-5, 1, -3},          /* -2.5 -> -3 */
      {-4, 1, -2},          /* exact */
      {6, 2, 2},            /* 1.5 -> 2 */
      {-6, 2, -2},          /* -1.5 -> -2 */
      {7, 2, 2},            /* 1.75 -> 2 */
      {-7, 2, -2},          /* -1.75 -> -2 */
      {-5, 2, -1},          /* -1.25 -> -1 */
      {5, 2, 1},            /* 1.25 -> 1 */
      {12345, 0, 12345},    /* exponent 0 is the identity */
      {INT32_MIN, 31, -1},  /* exact -1 */
      {INT32_MAX, 31, 1},   /* 0.99999... -> 1 */
      {1 << 30, 31, 1},     /* 0.5 -> 1 */
      {-(1 << 30), 31, -1}, /* -0.5 -> -1 */
      {INT32_MIN, 1, -(1 << 30)},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int32_t got = nc_rdivpot(cases[i].x, cases[i].e);
    cr_expect_eq(got, cases[i].want, "rdivpot(%d, %d) = %d, want %d",
                 cases[i].x, cases[i].e, got, cases[i].want);
  }
}

Test(quant, multiply_by_quantized_multiplier_table) {
  /* mult 2^30 is 0.5 at shift 0; the shift scales by 2^shift. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(5, 1 << 30, 0), 3);
  cr_expect_eq(nc_mul_by_quantized_multiplier(-5, 1 << 30, 0), -2);
  /* 0.25: srdhm gives 5 exactly, then 5 / 2 = 2.5 -> 3. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(10, 1 << 30, -1), 3);
  /* -10 * 0.25: srdhm gives -5, then -2.5 rounds away from zero -> -3,
   * where one rounding of -2.5 in srdhm alone would give -2. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(-10, 1 << 30, -1), -3);
  /* 3 * 2: x << 2 = 12, srdhm(12, 2^30) = 6. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(3, 1 << 30, 2), 6);
  /* The left shift saturates: INT32_MAX << 1 -> INT32_MAX, times 0.5
   * is (2^31 - 1) / 2 -> rounds to 2^30. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(INT32_MAX, 1 << 30, 1), 1 << 30);
  cr_expect_eq(nc_mul_by_quantized_multiplier(INT32_MIN, 1 << 30, 1),
               -(1 << 30));
  /* shift -31 with mult 2^30: 1000 * 2^-32 -> 0. */
  cr_expect_eq(nc_mul_by_quantized_multiplier(1000, 1 << 30, -31), 0);
}

Test(quant, quantize_multiplier_table) {
  int32_t m = 0, s = 0;
  cr_assert_eq(nc_quantize_multiplier(0.5, &m, &s), NC_OK);
  cr_expect(m == (1 << 30) && s == 0, "0.5 -> (%d, %d)", m, s);
  cr_assert_eq(nc_quantize_multiplier(1.0, &m, &s), NC_OK);
  cr_expect(m == (1 << 30) && s == 1, "1.0 -> (%d, %d)", m, s);
  cr_assert_eq(nc_quantize_multiplier(0.75, &m, &s), NC_OK);
  cr_expect(m == 1610612736 && s == 0, "0.75 -> (%d, %d)", m, s);
  /* q = 1 - 2^-40 rounds to 2^31, which is halved with shift + 1. */
  cr_assert_eq(nc_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s), NC_OK);
  cr_expect(m == (1 << 30) && s == 1, "1-2^-40 -> (%d, %d)", m, s);
  cr_assert_eq(nc_quantize_multiplier(ldexp(1.0, -40), &m, &s), NC_OK);
  cr_expect(m == 0 && s == 0, "2^-40 flushes to zero: (%d, %d)", m, s);
  cr_expect_eq(nc_quantize_multiplier(0.0, &m, &s), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_quantize_multiplier(-1.0, &m, &s), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_quantize_multiplier(NAN, &m, &s), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_quantize_multiplier(ldexp(1.0, 31), &m, &s),
               NC_ERR_INVALID_ARG);
  cr_expect(strstr(nc_error_detail(), "too large") != NULL);
}

Test(quant, requant_apply_zero_point_and_clamp) {
  nc_requant_t rq;
  cr_assert_eq(nc_requant_init(&rq, NC_DTYPE_INT8, 0.25, -3), NC_OK);
  cr_expect_eq(nc_requant_apply(&rq, 0, 10), 0);       /* 2.5 -> 3, - 3 */
  cr_expect_eq(nc_requant_apply(&rq, 0, 1000), 127);   /* 247 saturates */
  cr_expect_eq(nc_requant_apply(&rq, 0, -1000), -128); /* -253 saturates */
  nc_requant_clamp_relu(&rq);
  cr_expect_eq(nc_requant_apply(&rq, 0, -1000), -3); /* ReLU: real 0 */
  cr_assert_eq(nc_requant_clamp_relu6(&rq, 0.5), NC_OK);
  cr_expect_eq(rq.act_max, 9); /* -3 + 6 / 0.5 */
  cr_expect_eq(nc_requant_apply(&rq, 0, 1000), 9);

  cr_assert_eq(nc_requant_init(&rq, NC_DTYPE_UINT8, 0.25, 128), NC_OK);
  cr_expect_eq(nc_requant_apply(&rq, 0, -10), 125); /* -2.5 -> -3 */
  cr_expect_eq(nc_requant_apply(&rq, 0, -10000), 0);
  cr_expect_eq(nc_requant_apply(&rq, 0, 10000), 255);
}

Test(quant, requant_per_channel) {
  nc_requant_t rq;
  cr_assert_eq(nc_requant_init(&rq, NC_DTYPE_INT8, 1.0, 0), NC_OK);
  rq.channels = 3;
  rq.mult[1] = 1 << 30; /* 0.5 */
  rq.shift[1] = 0;
  rq.mult[2] = 1 << 30; /* 0.125 */
  rq.shift[2] = -2;
  cr_assert_eq(nc_requant_validate(&rq), NC_OK);
  cr_expect_eq(nc_requant_apply(&rq, 0, 37), 37);
  cr_expect_eq(nc_requant_apply(&rq, 1, 37), 19); /* 18.5 -> 19 */
  cr_expect_eq(nc_requant_apply(&rq, 2, 36), 5);  /* 4.5 -> 5 */
  cr_expect_eq(nc_requant_apply(&rq, 2, -36), -5);
}

Test(quant, validate_rejects_bad_fields) {
  nc_requant_t rq;
  cr_assert_eq(nc_requant_init(&rq, NC_DTYPE_INT8, 0.5, 0), NC_OK);
  nc_requant_t bad = rq;
  bad.out_dtype = NC_DTYPE_INT32;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_UNSUPPORTED);
  bad = rq;
  bad.channels = 0;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_INVALID_ARG);
  bad = rq;
  bad.shift[0] = 31;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_INVALID_ARG);
  cr_expect(strstr(nc_error_detail(), "shift") != NULL);
  bad = rq;
  bad.mult[0] = -1;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_INVALID_ARG);
  bad = rq;
  bad.out_zp = 128;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_INVALID_ARG);
  cr_expect(strstr(nc_error_detail(), "zero point") != NULL);
  bad = rq;
  bad.act_min = 10;
  bad.act_max = 5;
  cr_expect_eq(nc_requant_validate(&bad), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_requant_init(&rq, NC_DTYPE_FLOAT32, 0.5, 0),
               NC_ERR_UNSUPPORTED);
  cr_expect_eq(nc_requant_clamp_relu6(&rq, 0.0), NC_ERR_INVALID_ARG);
}

/* Against a straightforward long-double model of the same definition, over
 * random inputs: the real product rounded with gemmlowp's tie rule, then
 * divided with ties away from zero. Independent of the 64-bit tricks. */
Test(quant, random_against_exact_model) {
  nc_rng_t r;
  nc_test_seed(&r, "quant", "random_against_exact_model", 7);
  for (int i = 0; i < 20000; i++) {
    int32_t x = (int32_t)nc_rng_range(&r, INT32_MIN, INT32_MAX);
    if (i % 4 == 0) {
      x = (int32_t)nc_rng_range(&r, -100000, 100000);
    }
    int32_t m = (int32_t)nc_rng_range(&r, 1 << 30, INT32_MAX);
    int s = (int)nc_rng_range(&r, -20, 0);
    /* srdhm: floor(x*m/2^31 + 1/2) for x*m >= 0, and for x*m < 0 the
     * truncation of (x*m + 1 - 2^30) / 2^31 which is ceil((x*m - 2^30) /
     * 2^31 + 2^-31) -- both equal floor(x*m/2^31 + 1/2) except at exact
     * negative ties, where gemmlowp rounds up as well. So: floor(v + 1/2). */
    long double v = ((long double)x * (long double)m) / 2147483648.0L;
    int64_t hm = (int64_t)floorl(v + 0.5L);
    long double q = (long double)hm / (long double)(INT64_C(1) << -s);
    int64_t want = (int64_t)(q >= 0 ? floorl(q + 0.5L) : -floorl(-q + 0.5L));
    int32_t got = nc_mul_by_quantized_multiplier(x, m, s);
    cr_assert_eq(got, want, "x=%d m=%d s=%d: got %d want %lld", x, m, s, got,
                 (long long)want);
  }
}

/* The 8-bit addition against exact real arithmetic: the fixed-point result
 * is the real sum rounded, give or take one step (the multipliers carry 31
 * bits), and a worked example is exact. */
Test(quant, add_matches_real_arithmetic) {
  nc_rng_t r;
  nc_test_seed(&r, "quant", "add_matches_real_arithmetic", 11);
  for (int trial = 0; trial < 200; trial++) {
    const double s1 = nc_rng_float(&r, 0.001f, 0.2f);
    const double s2 = nc_rng_float(&r, 0.001f, 0.2f);
    const double so = nc_rng_float(&r, 0.002f, 0.3f);
    const int32_t z1 = (int32_t)nc_rng_range(&r, 0, 255);
    const int32_t z2 = (int32_t)nc_rng_range(&r, 0, 255);
    const int32_t zo = (int32_t)nc_rng_range(&r, 0, 255);
    nc_add_quant_t q;
    cr_assert_eq(nc_add_quant_init(&q, s1, z1, s2, z2, so, zo, NC_DTYPE_UINT8),
                 NC_OK);
    for (int k = 0; k < 50; k++) {
      const int32_t a = (int32_t)nc_rng_range(&r, 0, 255);
      const int32_t b = (int32_t)nc_rng_range(&r, 0, 255);
      double want = nearbyint((s1 * (a - z1) + s2 * (b - z2)) / so) + zo;
      want = want < 0 ? 0 : (want > 255 ? 255 : want);
      const int32_t got = nc_add_quant_apply(&q, a, b);
      cr_assert(fabs(got - want) <= 1, "trial %d: %d + %d -> %d, want %g",
                trial, a, b, got, want);
    }
  }
  /* Equal scales 0.5, output 1: (10 - 2) * 0.5 + (7 - 3) * 0.5 = 6. */
  nc_add_quant_t q;
  cr_assert_eq(nc_add_quant_init(&q, 0.5, 2, 0.5, 3, 1.0, -4, NC_DTYPE_INT8),
               NC_OK);
  cr_expect_eq(nc_add_quant_apply(&q, 10, 7), 2);
  cr_expect_eq(nc_add_quant_apply(&q, 127, 126), 120);
  cr_expect_eq(nc_add_quant_apply(&q, -128, -128), -128);
  cr_expect_eq(nc_add_quant_init(&q, 0, 0, 1, 0, 1, 0, NC_DTYPE_INT8),
               NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_add_quant_init(&q, 1, 0, 1, 0, 1, 300, NC_DTYPE_UINT8),
               NC_ERR_INVALID_ARG);
}
