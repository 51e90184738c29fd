/*
 * The golden CPU reference: the definition of every layer's result.
 *
 * Integer layers are exact: the accumulator wraps modulo 2^32, as the
 * hardware's does. Every partial sum is taken in uint32_t (whose overflow C
 * defines as wrapping) or in an int32_t chunk short enough never to
 * overflow, and only the final value is read back as a two's-complement
 * int32. The order of the integer terms therefore does not matter, which
 * lets the loops below run in the order that is fast on a CPU:
 *
 *   for each output pixel, group, kernel row, output channel:
 *     acc[oc] += dot(input row segment, weight row segment)
 *
 * where both segments are contiguous in NHWC / OHWI memory. Padded taps read
 * as pad_value, so they add (pad_value - in_zp) * sum(weights of the tap).
 *
 * Float layers accumulate in float32 in a fixed order: kernel row by kernel
 * row, each row segment summed by float_dot_() (eight interleaved partial
 * sums, combined at the end), then the bias, then the activation. Results
 * are compared across backends with a tolerance, not bitwise.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "host/layer_check.h"
#include "neocog/layer.h"

/* An int32 dot product of at most this many int8/uint8 x int8 terms cannot
 * overflow: 32768 * 255 * 128 < 2^31. */
#define DOT_CHUNK 32768

/* Reads a wrapped uint32 accumulator as the two's-complement int32 it holds
 * (a plain cast would be implementation-defined above INT32_MAX). */
static int32_t wrap_i32_(uint32_t u) {
  if (u <= (uint32_t)INT32_MAX) {
    return (int32_t)u;
  }
  return (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* x - zp lies in -255..255 (both are 8-bit values), so it is an int16_t,
 * and so is each product (|p| <= 255 * 128): written this way the compiler
 * maps the loop onto 16-bit multiply-adds (pmaddwd and its kin). */
static int32_t dot_s8_(const int8_t *restrict x, const int8_t *restrict w,
                       int64_t n, int16_t zp) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; i++) {
    int16_t xv = (int16_t)(x[i] - zp);
    s += xv * (int16_t)w[i];
  }
  return s;
}

static int32_t dot_u8_(const uint8_t *restrict x, const int8_t *restrict w,
                       int64_t n, int16_t zp) {
  int32_t s = 0;
  for (int64_t i = 0; i < n; i++) {
    int16_t xv = (int16_t)(x[i] - zp);
    s += xv * (int16_t)w[i];
  }
  return s;
}

/* sum (x[i] - zp) * w[i] modulo 2^32; x is int8 or uint8. */
static uint32_t int_dot_(const void *x, int x_u8, const int8_t *w, int64_t n,
                         int16_t zp) {
  uint32_t s = 0;
  for (int64_t i = 0; i < n; i += DOT_CHUNK) {
    int64_t m = n - i < DOT_CHUNK ? n - i : DOT_CHUNK;
    int32_t part = x_u8 ? dot_u8_((const uint8_t *)x + i, w + i, m, zp)
                        : dot_s8_((const int8_t *)x + i, w + i, m, zp);
    s += (uint32_t)part;
  }
  return s;
}

/* sum w[i] modulo 2^32. */
static uint32_t wsum_(const int8_t *w, int64_t n) {
  uint32_t s = 0;
  for (int64_t i = 0; i < n; i++) {
    s += (uint32_t)(int32_t)w[i];
  }
  return s;
}

/* sum x[i] * w[i] in float: lane j sums the terms i = j (mod 8) in order,
 * then the lanes are added 0..7 and the tail follows in order. */
static float float_dot_(const float *restrict x, const float *restrict w,
                        int64_t n) {
  float lane[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) {
      lane[j] += x[i + j] * w[i + j];
    }
  }
  float s = 0.0f;
  for (int j = 0; j < 8; j++) {
    s += lane[j];
  }
  for (; i < n; i++) {
    s += x[i] * w[i];
  }
  return s;
}

/* The kernel taps k in [*k0, *k1) whose input coordinate base + k * dil
 * lies inside [0, d); the valid taps of a window are always contiguous. */
static void valid_taps_(int64_t base, int64_t dil, int64_t k, int64_t d,
                        int64_t *k0, int64_t *k1) {
  int64_t lo = base >= 0 ? 0 : (-base + dil - 1) / dil;
  int64_t hi = base > d - 1 ? 0 : (d - 1 - base) / dil + 1;
  lo = lo < k ? lo : k;
  hi = hi < k ? hi : k;
  *k0 = lo;
  *k1 = hi > lo ? hi : lo;
}

/* Conv, fc and local share one loop nest. fc is a 1x1 conv on a 1x1 image
 * with I channels; local reads a different filter bank per output pixel. */
typedef struct {
  const nc_geom_t *g;
  int64_t groups;   /* 1 for fc and local */
  int64_t cg, og;   /* input and output channels per group */
  int64_t sh, sw;   /* strides */
  int64_t dh, dw;   /* dilations */
  int local;        /* weights [OH,OW,O,KH,KW,C] */
  int bias_per_pos; /* local bias [OH,OW,O] */
} conv_t_;

/* Offset of the filter bank and the bias of output pixel (oh, ow). */
static void bank_(const conv_t_ *cv, int64_t oh, int64_t ow, int64_t *w_off,
                  int64_t *b_off) {
  const nc_geom_t *g = cv->g;
  int64_t pos = oh * g->ow + ow;
  *w_off = cv->local ? pos * g->oc * g->kh * g->kw * g->c : 0;
  *b_off = cv->bias_per_pos ? pos * g->oc : 0;
}

static void conv_int_(const conv_t_ *cv, const nc_layer_t *l, const void *x,
                      int x_u8, const int8_t *w, const int32_t *bias,
                      nc_tensor_t *out, uint32_t *acc) {
  const nc_geom_t *g = cv->g;
  const int64_t kwc = g->kw * cv->cg; /* one kernel row of one filter */
  const uint32_t padc = (uint32_t)(l->pad_value - l->in_zp);
  const int16_t zp = (int16_t)l->in_zp; /* checked: within the input dtype */
  const int merged = cv->dw == 1 && cv->groups == 1;
  int64_t o_idx = 0;
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t oh = 0; oh < g->oh; oh++) {
      const int64_t ih0 = oh * cv->sh - g->pad_top;
      for (int64_t ow = 0; ow < g->ow; ow++) {
        const int64_t iw0 = ow * cv->sw - g->pad_left;
        int64_t kw0 = 0, kw1 = 0, w_off = 0, b_off = 0;
        valid_taps_(iw0, cv->dw, g->kw, g->w, &kw0, &kw1);
        bank_(cv, oh, ow, &w_off, &b_off);
        const int8_t *wb = w + w_off;
        for (int64_t oc = 0; oc < g->oc; oc++) {
          acc[oc] = bias != NULL ? (uint32_t)bias[b_off + oc] : 0u;
        }
        for (int64_t kh = 0; kh < g->kh; kh++) {
          const int64_t ih = ih0 + kh * cv->dh;
          const int inside = ih >= 0 && ih < g->h;
          for (int64_t gr = 0; gr < cv->groups; gr++) {
            /* Input row ih, column 0, first channel of the group. */
            const int64_t xrow = ((n * g->h + ih) * g->w) * g->c + gr * cv->cg;
            for (int64_t oc = gr * cv->og; oc < (gr + 1) * cv->og; oc++) {
              const int8_t *wrow = wb + (oc * g->kh + kh) * kwc;
              uint32_t s = 0;
              if (!inside) {
                if (padc != 0) {
                  s = padc * wsum_(wrow, kwc);
                }
                acc[oc] += s;
                continue;
              }
              if (padc != 0) {
                s = padc * (wsum_(wrow, kw0 * cv->cg) +
                            wsum_(wrow + kw1 * cv->cg, (g->kw - kw1) * cv->cg));
              }
              if (merged) {
                const int64_t xi = xrow + (iw0 + kw0) * g->c;
                s += int_dot_((const char *)x + xi, x_u8, wrow + kw0 * cv->cg,
                              (kw1 - kw0) * cv->cg, zp);
              } else {
                for (int64_t kw = kw0; kw < kw1; kw++) {
                  const int64_t xi = xrow + (iw0 + kw * cv->dw) * g->c;
                  s += int_dot_((const char *)x + xi, x_u8, wrow + kw * cv->cg,
                                cv->cg, zp);
                }
              }
              acc[oc] += s;
            }
          }
        }
        for (int64_t oc = 0; oc < g->oc; oc++, o_idx++) {
          int32_t v = wrap_i32_(acc[oc]);
          if (!l->rq.enabled) {
            ((int32_t *)out->data)[o_idx] = v;
            continue;
          }
          int32_t q =
              nc_requant_apply(&l->rq, l->rq.channels == 1 ? 0 : (int)oc, v);
          if (l->rq.out_dtype == NC_DTYPE_UINT8) {
            ((uint8_t *)out->data)[o_idx] = (uint8_t)q;
          } else {
            ((int8_t *)out->data)[o_idx] = (int8_t)q;
          }
        }
      }
    }
  }
}

static float activate_(const nc_layer_t *l, float v) {
  switch (l->act) {
    case NC_ACT_RELU:
      return v < 0.0f ? 0.0f : v;
    case NC_ACT_RELU6:
      return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    case NC_ACT_CLAMP:
      return v < l->act_lo ? l->act_lo : (v > l->act_hi ? l->act_hi : v);
    case NC_ACT_NONE:
    default:
      return v;
  }
}

static void conv_float_(const conv_t_ *cv, const nc_layer_t *l, const float *x,
                        const float *w, const float *bias, float *y,
                        float *acc) {
  const nc_geom_t *g = cv->g;
  const int64_t kwc = g->kw * cv->cg;
  const int merged = cv->dw == 1 && cv->groups == 1;
  int64_t o_idx = 0;
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t oh = 0; oh < g->oh; oh++) {
      const int64_t ih0 = oh * cv->sh - g->pad_top;
      for (int64_t ow = 0; ow < g->ow; ow++) {
        const int64_t iw0 = ow * cv->sw - g->pad_left;
        int64_t kw0 = 0, kw1 = 0, w_off = 0, b_off = 0;
        valid_taps_(iw0, cv->dw, g->kw, g->w, &kw0, &kw1);
        bank_(cv, oh, ow, &w_off, &b_off);
        const float *wb = w + w_off;
        for (int64_t oc = 0; oc < g->oc; oc++) {
          acc[oc] = 0.0f;
        }
        for (int64_t kh = 0; kh < g->kh; kh++) {
          const int64_t ih = ih0 + kh * cv->dh;
          if (ih < 0 || ih >= g->h) {
            continue; /* padding reads as 0 */
          }
          for (int64_t gr = 0; gr < cv->groups; gr++) {
            const float *xrow =
                x + ((n * g->h + ih) * g->w) * g->c + gr * cv->cg;
            for (int64_t oc = gr * cv->og; oc < (gr + 1) * cv->og; oc++) {
              const float *wrow = wb + (oc * g->kh + kh) * kwc;
              if (merged) {
                acc[oc] +=
                    float_dot_(xrow + (iw0 + kw0) * g->c, wrow + kw0 * cv->cg,
                               (kw1 - kw0) * cv->cg);
              } else {
                for (int64_t kw = kw0; kw < kw1; kw++) {
                  acc[oc] += float_dot_(xrow + (iw0 + kw * cv->dw) * g->c,
                                        wrow + kw * cv->cg, cv->cg);
                }
              }
            }
          }
        }
        for (int64_t oc = 0; oc < g->oc; oc++, o_idx++) {
          float v = acc[oc];
          if (bias != NULL) {
            v += bias[b_off + oc];
          }
          y[o_idx] = activate_(l, v);
        }
      }
    }
  }
}

/* Pooling reads and writes any dtype through these two helpers; the
 * integer types go through int64_t, which holds them all exactly. */
static int64_t ld_int_(const void *p, nc_dtype_t dt, int64_t i) {
  switch (dt) {
    case NC_DTYPE_INT8:
      return ((const int8_t *)p)[i];
    case NC_DTYPE_UINT8:
      return ((const uint8_t *)p)[i];
    default:
      return ((const int32_t *)p)[i];
  }
}

/* v is always inside the dtype's range here: a max or a rounded mean of
 * elements of that dtype. */
static void st_int_(void *p, nc_dtype_t dt, int64_t i, int64_t v) {
  switch (dt) {
    case NC_DTYPE_INT8:
      ((int8_t *)p)[i] = (int8_t)v;
      break;
    case NC_DTYPE_UINT8:
      ((uint8_t *)p)[i] = (uint8_t)v;
      break;
    default:
      ((int32_t *)p)[i] = (int32_t)v;
      break;
  }
}

/* Integer mean rounded half away from zero, as TFLite's reference does. */
static int64_t round_avg_(int64_t sum, int64_t cnt) {
  return sum > 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt;
}

static void pool_(const nc_layer_t *l, const nc_geom_t *g,
                  const nc_tensor_t *in, nc_tensor_t *out) {
  const int is_max = l->kind == NC_LAYER_MAXPOOL;
  const int is_float = in->dtype == NC_DTYPE_FLOAT32;
  const float *xf = in->data;
  float *yf = out->data;
  int64_t o_idx = 0;
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t oh = 0; oh < g->oh; oh++) {
      const int64_t ih0 = oh * l->stride_h - g->pad_top;
      int64_t kh0 = 0, kh1 = 0;
      valid_taps_(ih0, 1, g->kh, g->h, &kh0, &kh1);
      for (int64_t ow = 0; ow < g->ow; ow++) {
        const int64_t iw0 = ow * l->stride_w - g->pad_left;
        int64_t kw0 = 0, kw1 = 0;
        valid_taps_(iw0, 1, g->kw, g->w, &kw0, &kw1);
        const int64_t cnt = (kh1 - kh0) * (kw1 - kw0);
        /* pad < window (checked by the geometry) keeps a tap in every
         * window. */
        assert(cnt >= 1);
        for (int64_t c = 0; c < g->c; c++, o_idx++) {
          const int64_t first =
              ((n * g->h + ih0 + kh0) * g->w + iw0 + kw0) * g->c + c;
          if (is_float) {
            /* Max skips a NaN unless it comes first; the mean spreads it. */
            float m = xf[first];
            float s = 0.0f;
            for (int64_t kh = kh0; kh < kh1; kh++) {
              for (int64_t kw = kw0; kw < kw1; kw++) {
                float v =
                    xf[((n * g->h + ih0 + kh) * g->w + iw0 + kw) * g->c + c];
                m = v > m ? v : m;
                s += v;
              }
            }
            yf[o_idx] = is_max ? m : s / (float)cnt;
            continue;
          }
          int64_t m = ld_int_(in->data, in->dtype, first);
          int64_t s = 0;
          for (int64_t kh = kh0; kh < kh1; kh++) {
            for (int64_t kw = kw0; kw < kw1; kw++) {
              int64_t v =
                  ld_int_(in->data, in->dtype,
                          ((n * g->h + ih0 + kh) * g->w + iw0 + kw) * g->c + c);
              m = v > m ? v : m;
              s += v;
            }
          }
          st_int_(out->data, out->dtype, o_idx,
                  is_max ? m : round_avg_(s, cnt));
        }
      }
    }
  }
}

nc_status_t nc_golden_run(const nc_layer_t *l, const nc_tensor_t *input,
                          const nc_tensor_t *weights, const nc_tensor_t *bias,
                          nc_tensor_t *out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "golden: NULL output tensor");
  }
  memset(out, 0, sizeof *out);
  if (l == NULL || input == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "golden: NULL layer or input");
  }
  nc_geom_t g;
  nc_status_t st = nc__layer_check_run(l, input, weights, bias, &g);
  if (st != NC_OK) {
    return st;
  }
  const int pool = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  const int is_float = input->dtype == NC_DTYPE_FLOAT32;
  const nc_dtype_t odt = nc__layer_out_dtype(l, input);
  const int64_t fc_shape[2] = {g.n, g.oc};
  const int64_t img_shape[4] = {g.n, g.oh, g.ow, g.oc};
  if (l->kind == NC_LAYER_FC) {
    st = nc_tensor_alloc(out, odt, 2, fc_shape);
  } else {
    st = nc_tensor_alloc(out, odt, 4, img_shape);
  }
  if (st != NC_OK) {
    return st;
  }
  if (pool) {
    pool_(l, &g, input, out);
    return NC_OK;
  }
  /* One accumulator per output channel: uint32_t or float, 4 bytes each. */
  void *acc = malloc((size_t)g.oc * 4u);
  if (acc == NULL) {
    nc_tensor_free(out);
    return nc__fail(NC_ERR_NOMEM, "golden: cannot allocate %lld accumulators",
                    (long long)g.oc);
  }
  conv_t_ cv = {
      .g = &g,
      .groups = l->kind == NC_LAYER_CONV2D ? l->groups : 1,
      .sh = l->stride_h,
      .sw = l->stride_w,
      .dh = l->dil_h,
      .dw = l->dil_w,
      .local = l->kind == NC_LAYER_LOCAL,
      .bias_per_pos = bias != NULL && l->kind == NC_LAYER_LOCAL &&
                      (int64_t)nc_tensor_numel(bias) != g.oc,
  };
  cv.cg = g.c / cv.groups;
  cv.og = g.oc / cv.groups;
  if (is_float) {
    conv_float_(&cv, l, input->data, weights->data,
                bias != NULL ? bias->data : NULL, out->data, acc);
  } else {
    conv_int_(&cv, l, input->data, input->dtype == NC_DTYPE_UINT8,
              weights->data, bias != NULL ? bias->data : NULL, out, acc);
  }
  free(acc);
  return NC_OK;
}
