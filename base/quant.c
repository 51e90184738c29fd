/*
 * Requantization, bit-exact with TFLite's reference kernels.
 *
 * The two gemmlowp primitives are written out with 64-bit intermediates so
 * that no step is undefined behaviour in C; their results are those of
 * gemmlowp's fixedpoint.h for every int32 input.
 */
#include "neocog/quant.h"

#include <math.h>
#include <string.h>

#include "neocog/error.h"

int32_t nc_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX; /* 2 * (-2^31)^2 / 2^32 = 2^31 does not fit */
  }
  int64_t ab = (int64_t)a * (int64_t)b;
  /* Ties go up for positive and down-toward-zero for negative products,
   * exactly as gemmlowp's nudge does. C division truncates toward zero. */
  int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

int32_t nc_rdivpot(int32_t x, int exponent) {
  int64_t mask = (INT64_C(1) << exponent) - 1;
  int64_t remainder = (int64_t)x & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* Floor division by 2^exponent, written without shifting a negative. */
  int64_t q = ((int64_t)x - remainder) / (INT64_C(1) << exponent);
  return (int32_t)(q + (remainder > threshold ? 1 : 0));
}

int32_t nc_mul_by_quantized_multiplier(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  int64_t shifted = (int64_t)x * (INT64_C(1) << left);
  if (shifted > INT32_MAX) {
    shifted = INT32_MAX;
  } else if (shifted < INT32_MIN) {
    shifted = INT32_MIN;
  }
  return nc_rdivpot(nc_srdhm((int32_t)shifted, mult), right);
}

int32_t nc_requant_apply(const nc_requant_t *rq, int c, int32_t acc) {
  int64_t v =
      (int64_t)nc_mul_by_quantized_multiplier(acc, rq->mult[c], rq->shift[c]) +
      rq->out_zp;
  if (v < rq->act_min) {
    v = rq->act_min;
  }
  if (v > rq->act_max) {
    v = rq->act_max;
  }
  return (int32_t)v;
}

nc_status_t nc_quantize_multiplier(double scale, int32_t *mult,
                                   int32_t *shift) {
  if (mult == NULL || shift == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "quantize_multiplier: NULL output");
  }
  if (!isfinite(scale) || scale <= 0.0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "requantization scale must be finite and > 0 (got %g)",
                    scale);
  }
  int e = 0;
  double q = frexp(scale, &e); /* scale = q * 2^e, q in [0.5, 1) */
  int64_t fixed = (int64_t)round(q * (double)(INT64_C(1) << 31));
  if (fixed == (INT64_C(1) << 31)) {
    fixed /= 2;
    e++;
  }
  if (e < -31) { /* TFLite: too small to represent, flush to zero */
    fixed = 0;
    e = 0;
  }
  if (e > 30) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "requantization scale %g is too large (needs a left "
                    "shift of %d; at most 30)",
                    scale, e);
  }
  *mult = (int32_t)fixed;
  *shift = e;
  return NC_OK;
}

static void dtype_range_(nc_dtype_t dt, int32_t *lo, int32_t *hi) {
  if (dt == NC_DTYPE_UINT8) {
    *lo = 0;
    *hi = 255;
  } else {
    *lo = -128;
    *hi = 127;
  }
}

nc_status_t nc_requant_init(nc_requant_t *rq, nc_dtype_t dtype, double scale,
                            int32_t out_zp) {
  if (rq == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "requant: NULL argument");
  }
  if (dtype != NC_DTYPE_INT8 && dtype != NC_DTYPE_UINT8) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "requantized output must be int8 or uint8 (got %s)",
                    nc_dtype_name(dtype));
  }
  int32_t m = 0, s = 0;
  int st = nc_quantize_multiplier(scale, &m, &s);
  if (st != NC_OK) {
    return st;
  }
  memset(rq, 0, sizeof *rq);
  rq->enabled = 1;
  rq->out_dtype = dtype;
  rq->channels = 1;
  rq->mult[0] = m;
  rq->shift[0] = s;
  rq->out_zp = out_zp;
  dtype_range_(dtype, &rq->act_min, &rq->act_max);
  return nc_requant_validate(rq);
}

void nc_requant_clamp_relu(nc_requant_t *rq) {
  if (rq->act_min < rq->out_zp) {
    rq->act_min = rq->out_zp;
  }
}

nc_status_t nc_requant_clamp_relu6(nc_requant_t *rq, double out_scale) {
  if (!isfinite(out_scale) || out_scale <= 0.0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "relu6 needs an output scale > 0 (got %g)", out_scale);
  }
  nc_requant_clamp_relu(rq);
  double six = (double)rq->out_zp + round(6.0 / out_scale);
  if (six < (double)rq->act_max) {
    rq->act_max = (int32_t)six;
  }
  return NC_OK;
}

nc_status_t nc_requant_validate(const nc_requant_t *rq) {
  if (rq == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "requant: NULL argument");
  }
  if (!rq->enabled) {
    return NC_OK;
  }
  if (rq->out_dtype != NC_DTYPE_INT8 && rq->out_dtype != NC_DTYPE_UINT8) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "requantized output must be int8 or uint8 (got %s)",
                    nc_dtype_name(rq->out_dtype));
  }
  if (rq->channels < 1 || rq->channels > NC_RQ_MAX_CHANNELS) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "requantization has %d channels (1..%d allowed)",
                    rq->channels, NC_RQ_MAX_CHANNELS);
  }
  for (int c = 0; c < rq->channels; c++) {
    if (rq->mult[c] < 0) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "requantization multiplier %d of channel %d is "
                      "negative",
                      rq->mult[c], c);
    }
    if (rq->shift[c] < -31 || rq->shift[c] > 30) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "requantization shift %d of channel %d is outside "
                      "-31..30",
                      rq->shift[c], c);
    }
  }
  int32_t lo = 0, hi = 0;
  dtype_range_(rq->out_dtype, &lo, &hi);
  if (rq->out_zp < lo || rq->out_zp > hi) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "output zero point %d is outside %s range %d..%d",
                    rq->out_zp, nc_dtype_name(rq->out_dtype), lo, hi);
  }
  if (rq->act_min < lo || rq->act_max > hi || rq->act_min > rq->act_max) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "clamp range %d..%d is empty or outside %s range "
                    "%d..%d",
                    rq->act_min, rq->act_max, nc_dtype_name(rq->out_dtype), lo,
                    hi);
  }
  return NC_OK;
}

nc_status_t nc_add_quant_init(nc_add_quant_t *q, double s1, int32_t z1,
                              double s2, int32_t z2, double so, int32_t zo,
                              nc_dtype_t dtype) {
  if (q == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "add: NULL argument");
  }
  memset(q, 0, sizeof *q);
  if (!(s1 > 0 && s2 > 0 && so > 0) || !isfinite(s1) || !isfinite(s2) ||
      !isfinite(so)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "add: scales must be finite and > 0 (got %g, %g, "
                    "output %g)",
                    s1, s2, so);
  }
  if (dtype != NC_DTYPE_INT8 && dtype != NC_DTYPE_UINT8) {
    return nc__fail(NC_ERR_INVALID_ARG, "add: output must be int8 or uint8");
  }
  int32_t lo = 0, hi = 0;
  dtype_range_(dtype, &lo, &hi);
  if (zo < lo || zo > hi) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "add: output zero point %d is outside %s range %d..%d",
                    zo, nc_dtype_name(dtype), lo, hi);
  }
  const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
  nc_status_t st = nc_quantize_multiplier(s1 / twice_max, &q->in_mult[0],
                                          &q->in_shift[0]);
  if (st == NC_OK) {
    st = nc_quantize_multiplier(s2 / twice_max, &q->in_mult[1],
                                &q->in_shift[1]);
  }
  if (st == NC_OK) {
    st = nc_quantize_multiplier(
        twice_max / ((double)(1 << NC_ADD_LEFT_SHIFT) * so), &q->out_mult,
        &q->out_shift);
  }
  if (st != NC_OK) {
    return st;
  }
  q->in_zp[0] = z1;
  q->in_zp[1] = z2;
  q->out_zp = zo;
  q->act_min = lo;
  q->act_max = hi;
  q->out_dtype = dtype;
  return NC_OK;
}

int32_t nc_add_quant_apply(const nc_add_quant_t *q, int32_t a, int32_t b) {
  const int32_t sa = (a - q->in_zp[0]) * (1 << NC_ADD_LEFT_SHIFT);
  const int32_t sb = (b - q->in_zp[1]) * (1 << NC_ADD_LEFT_SHIFT);
  const int32_t ra = nc_mul_by_quantized_multiplier(sa, q->in_mult[0],
                                                    q->in_shift[0]);
  const int32_t rb = nc_mul_by_quantized_multiplier(sb, q->in_mult[1],
                                                    q->in_shift[1]);
  int32_t v = nc_mul_by_quantized_multiplier(ra + rb, q->out_mult,
                                             q->out_shift) +
              q->out_zp;
  v = v < q->act_min ? q->act_min : v;
  return v > q->act_max ? q->act_max : v;
}
