/*
 * Helpers shared by every neocog kernel. The host prepends this file to each
 * operation's source before it builds a program.
 *
 * Build options (all prefixed, never the name of a kernel parameter):
 *   NC_FLOAT     defined: float32 layer; otherwise an integer layer
 *   NC_XT        integer input element type: char or uchar
 *   NC_IDX       index type: int when every buffer has < 2^31 elements,
 *                long otherwise
 *
 * Integer accumulators are uint so that they wrap modulo 2^32 with defined
 * behaviour, as the golden reference and the accelerator do; every single
 * product (x - zp) * w fits in an int.
 */
#ifndef NC_IDX
#define NC_IDX int
#endif

/* Element types of the multiply-accumulate layers. */
#ifdef NC_FLOAT
#define NC_XT float
#define NC_WT float
#define NC_BT float
#else
#ifndef NC_XT
#define NC_XT char
#endif
#define NC_WT char
#define NC_BT int
#endif

#ifndef NC_FLOAT
/* The requantization needs 64-bit integers; float programs leave it out so
 * that they build on devices without them. */

/* gemmlowp SaturatingRoundingDoublingHighMul, as base/quant.c writes it. */
inline int nc_srdhm(int a, int b) {
  if (a == INT_MIN && b == INT_MIN) {
    return INT_MAX;
  }
  long ab = (long)a * (long)b;
  long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
  return (int)((ab + nudge) / (1L << 31));
}

/* gemmlowp RoundingDivideByPOT, exponent 0..31. */
inline int nc_rdivpot(int x, int exponent) {
  long mask = (1L << exponent) - 1L;
  long remainder = (long)x & mask;
  long threshold = (mask >> 1) + (x < 0 ? 1L : 0L);
  /* Floor division: OpenCL's >> of a signed value is arithmetic. */
  long q = (long)x >> exponent;
  return (int)(q + (remainder > threshold ? 1L : 0L));
}

/* TFLite MultiplyByQuantizedMultiplier with a saturating left shift. */
inline int nc_mbqm(int x, int mult, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  long shifted = (long)x * (1L << left);
  shifted = clamp(shifted, (long)INT_MIN, (long)INT_MAX);
  return nc_rdivpot(nc_srdhm((int)shifted, mult), right);
}

/* Requantizes an accumulator; the result is inside [act_min, act_max]. */
inline int nc_requant(int acc, int mult, int shift, int out_zp, int act_min,
                      int act_max) {
  long v = (long)nc_mbqm(acc, mult, shift) + (long)out_zp;
  v = v < (long)act_min ? (long)act_min : v;
  v = v > (long)act_max ? (long)act_max : v;
  return (int)v;
}

/*
 * nc_requant on sixteen accumulators at once. The multiplier is never
 * negative (nc_requant_validate), so the one saturating case of nc_srdhm
 * (INT_MIN * INT_MIN) cannot occur; out_zp, act_min and act_max lie in the
 * 8-bit output type's range (nc_requant_validate too).
 *
 * nc_requant16_left: any shift, the same steps as nc_requant in long16
 * lanes.
 */
inline int16 nc_requant16_left(int16 acc, int16 mult, int16 shift,
                               int out_zp, int act_min, int act_max) {
  const long16 one = (long16)(1L);
  const long16 left = convert_long16(max(shift, (int16)(0)));
  const long16 right = convert_long16(max(-shift, (int16)(0)));
  long16 x = convert_long16(acc) * (one << left);
  x = clamp(x, (long16)(INT_MIN), (long16)(INT_MAX));
  const long16 ab = x * convert_long16(mult);
  const long16 nudge =
      select((long16)(1L - (1L << 30)), (long16)(1L << 30), ab >= 0);
  const long16 hi = (ab + nudge) / (1L << 31);
  const long16 mask = (one << right) - one;
  const long16 rem = hi & mask;
  const long16 thr = (mask >> 1) + select((long16)(0), one, hi < 0);
  long16 q = (hi >> right) + select((long16)(0), one, rem > thr);
  q = clamp(q + (long)out_zp, (long16)(act_min), (long16)(act_max));
  return convert_int16(q);
}

/*
 * nc_requant16_right: every shift <= 0 (the usual case), in int lanes
 * where it can, with the same results:
 * - nc_srdhm(acc, mult) = (acc * mult + 2^30) >> 31 with a flooring
 *   shift, for either sign of the product ab: for ab >= 0 nc_srdhm
 *   divides ab + 2^30 rounding down; for ab < 0 it divides
 *   y = ab + 1 - 2^30 < 0 rounding towards zero, i.e. up, and
 *   ceil(y / 2^31) = floor((y + 2^31 - 1) / 2^31) = floor((ab + 2^30) /
 *   2^31). The even and odd lanes of acc and mult, sign-extended in place
 *   in 64-bit lanes, make two 32 x 32 -> 64-bit multiplies (vpmuldq)
 *   without widening the vectors; the results fit an int and go back into
 *   their lanes.
 * - The rounding right shift in int lanes (the mask is a uint for shifts
 *   of 31).
 * - clamp(q + out_zp, act_min, act_max) = clamp(q, act_min - out_zp,
 *   act_max - out_zp) + out_zp, exact in int lanes because the bounds are
 *   8-bit values: no saturating add (which AVX512 lacks for 32-bit lanes).
 */
inline int16 nc_requant16_right(int16 acc, int16 mult, int16 shift,
                                int out_zp, int act_min, int act_max) {
  const long8 a = as_long8(acc), m = as_long8(mult);
  const long8 pe = ((a << 32) >> 32) * ((m << 32) >> 32);
  const long8 po = (a >> 32) * (m >> 32);
  const long8 he = (pe + (1L << 30)) >> 31;
  const long8 ho = (po + (1L << 30)) >> 31;
  const int16 hi = as_int16((he & (long8)(0xFFFFFFFFL)) | (ho << 32));
  const uint16 right = as_uint16(-shift);
  const uint16 mask = ((uint16)(1u) << right) - (uint16)(1u);
  const uint16 rem = as_uint16(hi) & mask;
  const uint16 thr =
      (mask >> 1) + select((uint16)(0u), (uint16)(1u), hi < (int16)(0));
  const int16 q =
      (hi >> as_int16(right)) + select((int16)(0), (int16)(1), rem > thr);
  return clamp(q, (int16)(act_min - out_zp), (int16)(act_max - out_zp)) +
         (int16)(out_zp);
}

/* The largest of sixteen shifts, by halves (any() tests the lanes one by
 * one): callers hoist it out of their loops over pixels. */
inline int nc_max_shift16(int16 shift) {
  const int8 s8 = max(shift.lo, shift.hi);
  const int4 s4 = max(s8.lo, s8.hi);
  const int2 s2 = max(s4.lo, s4.hi);
  return max(s2.x, s2.y);
}

inline int16 nc_requant16(int16 acc, int16 mult, int16 shift, int out_zp,
                          int act_min, int act_max) {
  return nc_max_shift16(shift) <= 0
             ? nc_requant16_right(acc, mult, shift, out_zp, act_min,
                                  act_max)
             : nc_requant16_left(acc, mult, shift, out_zp, act_min, act_max);
}
#endif /* !NC_FLOAT */

/* Float activation, written exactly as the golden reference writes it (a
 * NaN passes through RELU and RELU6 unchanged). */
inline float nc_activate(float v, int act, float lo, float hi) {
  if (act == 1) {
    return v < 0.0f ? 0.0f : v;
  }
  if (act == 2) {
    return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  }
  if (act == 3) {
    return v < lo ? lo : (v > hi ? hi : v);
  }
  return v;
}

/*
 * Output epilogue parameters of every multiply-accumulate kernel. Float
 * layers take the activation; integer layers write either the raw int32
 * accumulator (rq_on == 0, into y32) or the requantized byte (into y8: an
 * int8 and a uint8 result have the same low byte, so one store serves both).
 */
#ifdef NC_FLOAT
#define NC_ACC_T float
#define NC_OUT_PARAMS \
  __global float *y, const int act, const float act_lo, const float act_hi
#define NC_STORE(idx, accv, oc)                         \
  do {                                                  \
    y[(idx)] = nc_activate((accv), act, act_lo, act_hi); \
  } while (0)
#else
#define NC_ACC_T uint
#define NC_OUT_PARAMS                                                      \
  __global int *y32, __global uchar *y8, const int rq_on,                  \
      __global const int *rq_mult, __global const int *rq_shift,           \
      const int rq_perch, const int out_zp, const int act_min,             \
      const int act_max
#define NC_STORE(idx, accv, oc)                                        \
  do {                                                                 \
    int a_ = as_int(accv);                                             \
    if (rq_on) {                                                       \
      int c_ = rq_perch ? (oc) : 0;                                    \
      y8[(idx)] = (uchar)nc_requant(a_, rq_mult[c_], rq_shift[c_],     \
                                    out_zp, act_min, act_max);         \
    } else {                                                           \
      y32[(idx)] = a_;                                                 \
    }                                                                  \
  } while (0)
#endif

/* sum a[i] * b[i] over n contiguous floats: sixteen lanes, then the tail. */
inline float nc_dot_f32(__global const float *a, __global const float *b,
                        int n) {
  float16 s = (float16)(0.0f);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s = fma(vload16(0, a + i), vload16(0, b + i), s);
  }
  float8 s8 = s.lo + s.hi;
  float4 s4 = s8.lo + s8.hi;
  float2 s2 = s4.lo + s4.hi;
  float r = s2.x + s2.y;
  for (; i < n; i++) {
    r = fma(a[i], b[i], r);
  }
  return r;
}

/* sum (a[i] - zp) * b[i] modulo 2^32 over n contiguous elements. */
inline uint nc_dot_int(__global const NC_XT *a, __global const char *b, int n,
                       int zp) {
  uint16 s = (uint16)(0u);
  const int16 zv = (int16)(zp);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    int16 xv = convert_int16(vload16(0, a + i)) - zv;
    int16 wv = convert_int16(vload16(0, b + i));
    s += as_uint16(xv * wv);
  }
  uint8 s8 = s.lo + s.hi;
  uint4 s4 = s8.lo + s8.hi;
  uint2 s2 = s4.lo + s4.hi;
  uint r = s2.x + s2.y;
  for (; i < n; i++) {
    r += (uint)(((int)a[i] - zp) * (int)b[i]);
  }
  return r;
}

/*
 * Copies an NHWC input into a buffer that holds its border: rows
 * [0, hp_n) and columns [0, wp_n) of the padded image, the input placed at
 * (p_t, p_l), every other element pad_value (0 for float). One work-item
 * per padded element: gid0 = channel, gid1 = padded column, gid2 = batch *
 * hp_n + padded row.
 */
__kernel void nc_pad_input(__global const NC_XT *x, __global NC_XT *xp,
                           const int n_img, const int ih_n, const int iw_n,
                           const int ic_n, const int hp_n, const int wp_n,
                           const int p_t, const int p_l, const int pad_value) {
  const int c = get_global_id(0);
  const int pw = get_global_id(1);
  const int row = get_global_id(2);
  if (c >= ic_n || pw >= wp_n || row >= n_img * hp_n) {
    return;
  }
  const int n = row / hp_n;
  const int ph = row - n * hp_n;
  const int ih = ph - p_t;
  const int iw = pw - p_l;
  NC_XT v = (NC_XT)pad_value;
  if (ih >= 0 && ih < ih_n && iw >= 0 && iw < iw_n) {
    v = x[(((NC_IDX)n * ih_n + ih) * iw_n + iw) * ic_n + c];
  }
  xp[(((NC_IDX)n * hp_n + ph) * wp_n + pw) * ic_n + c] = v;
}
