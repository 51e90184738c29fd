/*
 * Integer requantization, bit-exact with TFLite / gemmlowp.
 *
 * An int32 accumulator `acc` becomes an 8-bit value by
 *   v = MultiplyByQuantizedMultiplier(acc, mult[c], shift[c]) + out_zp
 *   y = clamp(v, act_min, act_max)
 * with MultiplyByQuantizedMultiplier(x, m, s) =
 *   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << max(s, 0), m),
 *                       max(-s, 0)).
 * `shift` is TFLite's: positive shifts left. The left shift saturates to the
 * int32 range (TFLite leaves that overflow undefined). The multiplier and the
 * shift encode a real scale M = mult * 2^(shift - 31).
 */
#ifndef NEOCOG_QUANT_H
#define NEOCOG_QUANT_H

#include <stdint.h>

#include "neocog/status.h"
#include "neocog/dtype.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most output channels a per-channel requantization may describe. */
#define NC_RQ_MAX_CHANNELS 4096

/** Requantization of an int32 accumulator to int8/uint8. */
typedef struct {
  int enabled;          /**< 0: output stays raw int32 */
  nc_dtype_t out_dtype; /**< NC_DTYPE_INT8 or NC_DTYPE_UINT8 */
  int channels;         /**< 1 (per tensor) or the output channel count */
  int32_t mult[NC_RQ_MAX_CHANNELS];  /**< fixed-point multiplier per channel */
  int32_t shift[NC_RQ_MAX_CHANNELS]; /**< TFLite shift per channel, -31..30 */
  int32_t out_zp;                    /**< output zero point, within the dtype */
  int32_t act_min;                   /**< clamp low, within the dtype */
  int32_t act_max; /**< clamp high, within the dtype, >= act_min */
} nc_requant_t;

/** gemmlowp SaturatingRoundingDoublingHighMul: high 32 bits of 2*a*b,
 *  rounded half away from zero; INT32_MIN * INT32_MIN saturates. */
int32_t nc_srdhm(int32_t a, int32_t b);

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from
 *  zero, exponent in 0..31. */
int32_t nc_rdivpot(int32_t x, int exponent);

/** TFLite MultiplyByQuantizedMultiplier with a saturating left shift. */
int32_t nc_mul_by_quantized_multiplier(int32_t x, int32_t mult, int shift);

/** Requantizes one accumulator of output channel `c` (0 when per tensor). */
int32_t nc_requant_apply(const nc_requant_t *rq, int c, int32_t acc);

/**
 * TFLite QuantizeMultiplier: the (mult, shift) pair for a real scale > 0,
 * mult in [2^30, 2^31). As in TFLite a scale below 2^-32 gives (0, 0).
 * Fails for a scale that is not finite and > 0, or one too large for a
 * shift <= 30 (scale >= 2^30).
 */
NC_MUST_CHECK nc_status_t nc_quantize_multiplier(double scale, int32_t *mult,
                                                 int32_t *shift);

/**
 * Sets up a per-tensor requantization to `dtype` with zero point `out_zp`
 * and a full-range clamp, from a real scale.
 */
NC_MUST_CHECK nc_status_t nc_requant_init(nc_requant_t *rq, nc_dtype_t dtype,
                                          double scale, int32_t out_zp);

/** Clamps to ReLU: act_min becomes max(act_min, out_zp). */
void nc_requant_clamp_relu(nc_requant_t *rq);

/**
 * Clamps to ReLU6 for an output scale `out_scale` (real value per step):
 * act_min = max(act_min, out_zp), act_max = min(act_max, out_zp +
 * round(6 / out_scale)). Fails for out_scale not finite and > 0.
 */
NC_MUST_CHECK nc_status_t nc_requant_clamp_relu6(nc_requant_t *rq,
                                                 double out_scale);

/** Checks every field (dtype, channel count, shift range, zero point and
 *  clamp inside the dtype, act_min <= act_max). */
NC_MUST_CHECK nc_status_t nc_requant_validate(const nc_requant_t *rq);

/**
 * An element-wise addition of two 8-bit tensors, as TFLite's reference
 * kernel computes it: each input, less its zero point, is shifted left by
 * 20 and scaled by its multiplier (its scale over twice the larger input
 * scale), the two are summed, and the sum is scaled by the output
 * multiplier (twice the larger input scale over 2^20 times the output
 * scale), offset by the output zero point and clamped.
 */
typedef struct {
  int32_t in_zp[2];    /**< input zero points */
  int32_t in_mult[2];  /**< input multipliers */
  int32_t in_shift[2]; /**< their shifts (<= 0) */
  int32_t out_mult;    /**< output multiplier */
  int32_t out_shift;   /**< its shift */
  int32_t out_zp;      /**< output zero point */
  int32_t act_min;     /**< clamp low */
  int32_t act_max;     /**< clamp high */
  nc_dtype_t out_dtype; /**< NC_DTYPE_INT8 or NC_DTYPE_UINT8 */
} nc_add_quant_t;

/** The left shift TFLite gives 8-bit additions' inputs. */
#define NC_ADD_LEFT_SHIFT 20

/**
 * Sets up an addition of inputs with real scales s1, s2 (> 0) and zero
 * points z1, z2 into `dtype` (int8 or uint8) with scale so and zero point zo,
 * full-range clamp. Fails for a scale that is not finite and > 0 or a zero
 * point outside the dtype.
 */
NC_MUST_CHECK nc_status_t nc_add_quant_init(nc_add_quant_t *q, double s1,
                                            int32_t z1, double s2, int32_t z2,
                                            double so, int32_t zo,
                                            nc_dtype_t dtype);

/** One output element from input values a and b (raw 8-bit values). */
int32_t nc_add_quant_apply(const nc_add_quant_t *q, int32_t a, int32_t b);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_QUANT_H */
