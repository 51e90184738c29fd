/*
 * Layer options and networks.
 *
 * One vocabulary of `key=value` options describes a layer, whether it comes
 * from a network file or from `neocog layer --key value`: both feed
 * nc_spec_set(), so the two can never disagree. docs/network-format.md
 * documents the keys and the file format.
 */
#ifndef NEOCOG_NET_H
#define NEOCOG_NET_H

#include <limits.h>
#include <stdint.h>

#include "neocog/layer.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest path or name an option may hold. */
#define NC_SPEC_STR 256

/** A layer as written: options not yet resolved against tensors. */
typedef struct {
  nc_layer_t layer;          /**< geometry options land here directly */
  char name[64];             /**< layer name (networks) */
  int64_t filters;           /**< output channels / units, 0 if unset */
  int kernel_h, kernel_w;    /**< kernel for random weights, 0 if unset */
  char weights[NC_SPEC_STR]; /**< weight .npy path, "" for random */
  char bias[NC_SPEC_STR];    /**< bias .npy path, "" random, "none" */
  uint64_t seed;             /**< random-weight seed */
  int has_seed;              /**< seed was given */
  double scale;              /**< per-tensor requantization scale */
  int has_scale;             /**< scale was given */
  char scales[NC_SPEC_STR];  /**< per-channel scales .npy (float32) */
  int32_t mult, shift;       /**< raw TFLite multiplier and shift */
  int has_mult, has_shift;   /**< mult / shift were given */
  nc_dtype_t out_dtype;      /**< requantized output dtype */
  int32_t out_zp;            /**< output zero point */
  nc_act_t act;              /**< activation */
  double out_scale;          /**< output scale, for relu6 on int8 */
  int has_clamp;             /**< clamp range was given */
  double clamp_lo, clamp_hi; /**< clamp range */
} nc_spec_t;

/** Resets a spec to a layer kind's defaults. */
void nc_spec_init(nc_spec_t *s, nc_layer_kind_t kind);

/**
 * Applies one option, e.g. ("stride", "2"), ("pad", "same"),
 * ("pad", "1,1,0,2"), ("size", "3x3"), ("act", "relu"). Fails with
 * NC_ERR_INVALID_ARG and a detail for an unknown key, a malformed or
 * out-of-range value (stride 0, negative pad, ...).
 */
NC_MUST_CHECK nc_status_t nc_spec_set(nc_spec_t *s, const char *key,
                                      const char *value);

/** Whether a key is one nc_spec_set() knows (for option tables). */
int nc_spec_has_key(const char *key);

/** Whether `name` may name a layer or a network: printable ASCII without
 *  double quotes or backslashes, so that it can be printed to a terminal
 *  and written into --stats JSON as it is. */
int nc_spec_name_ok(const char *name);

/**
 * Resolves the requantization and activation of a spec into s->layer for a
 * layer with `out_channels` outputs and an integer (`int_path` != 0) or
 * float path. Integer path: requantization is on when scale, scales or
 * mult/shift were given; otherwise the output is raw int32 and act/clamp are
 * errors. Float path: requantization options are errors.
 */
NC_MUST_CHECK nc_status_t nc_spec_finish(nc_spec_t *s, int64_t out_channels,
                                         int int_path);

/** Most inputs one statement of a network may name. */
#define NC_NET_MAX_IN 8

/** What a network statement computes. */
typedef enum {
  NC_NET_LAYER = 0, /**< a layer (spec.layer), run on the backend */
  NC_NET_ADD,       /**< element-wise sum of two inputs, on the host */
  NC_NET_CONCAT,    /**< channel concatenation of its inputs, on the host */
} nc_net_op_t;

/** One statement of a network with its tensors. */
typedef struct {
  nc_spec_t spec;      /**< options as written, resolved by nc_net_load */
  nc_tensor_t weights; /**< empty for pooling, add and concat */
  nc_tensor_t bias;    /**< empty when the layer has none */
  int line;            /**< line in the network file, for messages */
  nc_net_op_t op;      /**< layer, add or concat */
  int nin;             /**< inputs; always >= 1 once loaded */
  int in[NC_NET_MAX_IN]; /**< each: -1 the network input, else a layer's
                              index (always an earlier one) */
  char in_name[NC_NET_MAX_IN][64]; /**< the inputs as named ("" : the
                                        previous statement's output) */
  double add_scale[3];   /**< integer add: input 1, input 2, output scale */
  int has_add_scale;     /**< add_scale was given */
  nc_add_quant_t add;    /**< integer add: its TFLite parameters */
  int add_relu;          /**< add: act=relu */
  nc_dtype_t out_dtype;  /**< dtype of the output */
  int32_t out_zp;        /**< its zero point (integer) */
  int out_ndim;          /**< its rank: 4 (NHWC) or 2 ([N, O]) */
  int64_t out_shape[4];  /**< its shape for a batch of 1 */
} nc_net_layer_t;

/** A network: an input description and ordered layers. */
typedef struct {
  char name[64];            /**< from the `network` line, else the file stem */
  nc_dtype_t dtype;         /**< input dtype: int8, uint8 or float32 */
  int64_t in_h, in_w, in_c; /**< input pixel shape (batch comes at run) */
  int32_t in_zp;            /**< zero point of integer input */
  uint64_t seed;            /**< base seed for random weights */
  int nlayers;              /**< number of layers */
  nc_net_layer_t *layers;   /**< nlayers entries */
} nc_net_t;

/**
 * Reads a network file and materializes every layer's weights (from .npy
 * files relative to the network file, or from the seed) and requantization.
 * Shapes are checked through the whole chain. On failure the detail names
 * the file and line; *net is left empty.
 */
NC_MUST_CHECK nc_status_t nc_net_load(const char *path, nc_net_t *net);

/** Same as nc_net_load() but from text; `base_dir` resolves weight paths. */
NC_MUST_CHECK nc_status_t nc_net_parse(const char *text, const char *origin,
                                       const char *base_dir, nc_net_t *net);

/** Frees everything a network owns and empties it. */
void nc_net_free(nc_net_t *net);

/**
 * Geometry of every layer for a batch of `batch` inputs; `geoms` has
 * net->nlayers entries.
 */
NC_MUST_CHECK nc_status_t nc_net_geometry(const nc_net_t *net, int64_t batch,
                                          nc_geom_t *geoms);

/** Output dtype of layer i, given the network. */
nc_dtype_t nc_net_layer_out_dtype(const nc_net_t *net, int i);

/** "conv2d", ..., "add" or "concat": what statement i is. */
const char *nc_net_layer_kind(const nc_net_t *net, int i);

/**
 * Computes an add or concat statement on the host: `in` holds its inputs
 * (nl->nin tensors, in its order), *out receives the result (allocated).
 * float32 adds sum (then act=relu); integer adds follow TFLite's kernel
 * (nc_add_quant_apply()); a concatenation joins NHWC channels. Shapes and
 * dtypes that disagree are NC_ERR_SHAPE.
 */
NC_MUST_CHECK nc_status_t nc_net_host_op(const nc_net_layer_t *nl,
                                         const nc_tensor_t *const *in,
                                         nc_tensor_t *out);

/** Makes a random input for a network (batch 1) from a seed. */
NC_MUST_CHECK nc_status_t nc_net_random_input(const nc_net_t *net,
                                              uint64_t seed, nc_tensor_t *t);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_NET_H */
