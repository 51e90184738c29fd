/*
 * Layer descriptions, shape rules and the golden CPU reference.
 *
 * One nc_layer_t describes any layer neocog runs. The golden reference
 * (nc_golden_run) is the definition every backend is checked against: it is
 * written to be obviously correct first.
 *
 * Layouts: activations NHWC; conv weights OHWI with I = C / groups; fully
 * connected weights [O, I] where I is the product of the input's non-batch
 * dimensions in C order; locally connected weights [OH, OW, O, KH, KW, C]
 * (one filter bank per output position, as the lecture draws it); bias [O]
 * (a locally connected layer may instead have one per position, [OH, OW, O],
 * given as a rank-1 or rank-3 tensor).
 *
 * Integer arithmetic (int8/uint8 input, int8 weights, int32 bias):
 *   acc = bias[o] + sum (x - in_zp) * w
 * where an input element in the padding reads as pad_value (pad_value ==
 * in_zp, the default, makes padding contribute nothing). acc is either the
 * int32 output, or is requantized (see quant.h) to int8/uint8.
 *
 * Float arithmetic (all float32): acc = bias[o] + sum x * w, padding reads as
 * 0, then the activation clamp.
 *
 * Sizes follow the lecture: out = (D + P_begin + P_end - K_eff) / S + 1 with
 * K_eff = dilation * (K - 1) + 1, and MACs = N * OH*OW * O * KH*KW * (C/groups)
 * (the lecture's M*K*K*N*(D-K+1)^2 for one unpadded stride-1 image).
 */
#ifndef NEOCOG_LAYER_H
#define NEOCOG_LAYER_H

#include <stdint.h>

#include "neocog/quant.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The layer kinds of the lecture. */
typedef enum {
  NC_LAYER_CONV2D = 0, /**< shared weights across space */
  NC_LAYER_FC,         /**< fully connected */
  NC_LAYER_LOCAL,      /**< locally connected: unshared weights */
  NC_LAYER_MAXPOOL,    /**< max over a window, per channel */
  NC_LAYER_AVGPOOL,    /**< mean over the valid part of a window */
  NC_LAYER_KIND_COUNT
} nc_layer_kind_t;

/** How padding is given. */
typedef enum {
  NC_PAD_EXPLICIT = 0, /**< pad_top/bottom/left/right as written */
  NC_PAD_SAME, /**< TF/ONNX SAME_UPPER: out = ceil(D / S), extra at end */
} nc_pad_mode_t;

/** Activation applied to float32 outputs (int outputs clamp in nc_requant_t).
 */
typedef enum {
  NC_ACT_NONE = 0, /**< identity */
  NC_ACT_RELU,     /**< max(x, 0) */
  NC_ACT_RELU6,    /**< min(max(x, 0), 6) */
  NC_ACT_CLAMP,    /**< min(max(x, act_lo), act_hi) */
} nc_act_t;

/** Everything that defines a layer except its tensors. */
typedef struct {
  nc_layer_kind_t kind;    /**< which computation */
  int pool_h, pool_w;      /**< pooling window; ignored by other kinds */
  int stride_h, stride_w;  /**< >= 1 */
  nc_pad_mode_t pad_mode;  /**< explicit or SAME */
  int pad_top, pad_bottom; /**< explicit padding rows, >= 0 */
  int pad_left, pad_right; /**< explicit padding columns, >= 0 */
  int dil_h, dil_w;        /**< dilation, >= 1 (conv and local) */
  int groups;              /**< conv only; C and O divisible by it */
  int32_t in_zp;           /**< integer input zero point */
  int32_t pad_value;       /**< integer value of padded input elements */
  nc_requant_t rq;         /**< integer output requantization */
  nc_act_t act;            /**< float32 activation */
  float act_lo, act_hi;    /**< NC_ACT_CLAMP range */
} nc_layer_t;

/** Resolved geometry of a layer applied to given tensor shapes. */
typedef struct {
  int64_t n, h, w, c; /**< input batch, rows, columns, channels */
  int64_t kh, kw;     /**< kernel or pooling window */
  int64_t oh, ow, oc; /**< output rows, columns, channels */
  int pad_top, pad_bottom, pad_left, pad_right; /**< after SAME is resolved */
  int64_t macs;   /**< multiply-accumulates (0 for pooling) */
  int64_t params; /**< weight + bias elements */
} nc_geom_t;

/** Fills a layer with the defaults: stride 1, no padding, dilation 1,
 *  groups 1, zero points 0, requantization off, no activation. The pooling
 *  window is left 0: a pooling layer must set pool_h and pool_w. */
void nc_layer_init(nc_layer_t *l, nc_layer_kind_t kind);

/** "conv2d", "fc", "local", "maxpool", "avgpool". */
const char *nc_layer_kind_name(nc_layer_kind_t kind);

/** Parses a name as nc_layer_kind_name() writes it. */
NC_MUST_CHECK nc_status_t nc_layer_kind_parse(const char *name,
                                              nc_layer_kind_t *out);

/**
 * Output size of one spatial dimension by the lecture's formula,
 * (d + pb + pe - dil*(k-1) - 1) / s + 1. Fails with NC_ERR_EMPTY_OUTPUT if
 * the padded input is smaller than the (dilated) window, and
 * NC_ERR_INVALID_ARG for s < 1, dil < 1, k < 1 or negative padding.
 */
NC_MUST_CHECK nc_status_t nc_out_dim(int64_t d, int64_t k, int64_t s,
                                     int64_t pb, int64_t pe, int64_t dil,
                                     int64_t *out);

/**
 * Checks a layer against its input and weight shapes and computes the output
 * geometry. `w_shape`/`w_ndim` describe the weights (pooling takes none:
 * pass NULL/0). `b_len` is the bias length, or -1 for no bias. Every
 * inconsistency is an error with a detail naming it: NC_ERR_INVALID_ARG for
 * a layer parameter out of range or an option the kind does not take,
 * NC_ERR_SHAPE for tensor shapes that disagree, NC_ERR_EMPTY_OUTPUT for a
 * window larger than the padded input, NC_ERR_OVERFLOW for sizes beyond
 * int64. *g is written only on success.
 */
NC_MUST_CHECK nc_status_t nc_layer_geometry(const nc_layer_t *l,
                                            const int64_t *in_shape,
                                            int in_ndim, const int64_t *w_shape,
                                            int w_ndim, int64_t b_len,
                                            nc_geom_t *g);

/**
 * Runs a layer on the golden CPU reference and allocates *out.
 * `weights` and `bias` are NULL for pooling; `bias` may be NULL otherwise.
 * Integer layers: input int8 or uint8, weights int8, bias int32; output int32,
 * or int8/uint8 when l->rq.enabled. Float layers: all float32. Pooling keeps
 * the input dtype; pooling rejects rq.enabled and an activation, and integer
 * conv/fc/local reject a float activation (they clamp through rq). A
 * wrong dtype combination is NC_ERR_UNSUPPORTED. *out is overwritten (not
 * freed) and on failure is left empty.
 */
NC_MUST_CHECK nc_status_t nc_golden_run(const nc_layer_t *l,
                                        const nc_tensor_t *input,
                                        const nc_tensor_t *weights,
                                        const nc_tensor_t *bias,
                                        nc_tensor_t *out);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_LAYER_H */
