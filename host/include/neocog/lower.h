/*
 * Lowering graph nodes onto layers.
 *
 * A graph (neocog/graph.h) runs on a backend node by node: the nodes a
 * layer can compute become layers (neocog/layer.h) that run on the
 * backend, planned and checked against golden as any layer is, and the
 * rest run on the host evaluator between them. This header says which
 * node becomes which layer; the caller moves the activations between
 * ONNX's NCHW and the layers' NHWC (nc_value_to_nhwc(),
 * nc_value_from_nhwc()).
 *
 * What lowers (docs/onnx.md):
 * - integer nodes (NC_LOWER_INT): QLinearConv and ConvInteger with int8
 *   constant weights whose zero point is 0 (conv2d; QLinearConv's scale
 *   x_scale * w_scale / y_scale becomes TFLite's fixed-point multiplier,
 *   per output channel); QLinearMatMul and MatMulInteger with a constant
 *   int8 2-D B, zero point 0 (fc); MaxPool on uint8/int8 without ceil_mode
 *   or dilations;
 * - float32 nodes (NC_LOWER_FLOAT): Conv with constant weights (a Relu
 *   that alone reads it fused in), MatMul and Gemm with a constant B,
 *   MaxPool and AveragePool as above;
 * - QDQ form (NC_LOWER_INT): DequantizeLinear(8-bit x, per tensor) and
 *   DequantizeLinear(constant int8 w, zero point 0, per tensor or per
 *   output channel) -> float Conv / MatMul / Gemm (bias: DequantizeLinear
 *   of an int32 constant at scale x_scale * w_scale, or a float32 constant
 *   that is an exact multiple of it) [-> Relu] -> QuantizeLinear becomes
 *   the integer layer a QLinearConv / QLinearMatMul becomes; the nodes
 *   around the float one are fused into it;
 * - a MaxPool/AveragePool that alone reads a lowered Conv's output is fused
 *   into it (NC_LOWER_FUSE_POOL), as the accelerator's store path runs it;
 * - a quantized Add in QDQ form (DequantizeLinear of a lowered integer
 *   layer's output, read by nothing else, and of an earlier 8-bit tensor
 *   -> Add [-> Relu] -> QuantizeLinear, per tensor) is fused into that
 *   layer (NC_LOWER_FUSE_ADD) as TFLite's addition (nc_add_quant_apply()),
 *   which the accelerator's store path computes.
 * Everything else stays on the host.
 */
#ifndef NEOCOG_LOWER_H
#define NEOCOG_LOWER_H

#include "neocog/graph.h"
#include "neocog/layer.h"
#include "neocog/quant.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which nodes nc_graph_lower() lowers. */
enum {
  NC_LOWER_INT = 1,       /**< integer nodes */
  NC_LOWER_FLOAT = 2,     /**< float32 nodes */
  NC_LOWER_FUSE_POOL = 4, /**< pooling after a lowered conv runs in it */
  NC_LOWER_FUSE_ADD = 8,  /**< a quantized Add after a lowered integer conv
                               or fc runs in its store path */
};

/** Where a node runs. */
typedef enum {
  NC_NODE_HOST = 0, /**< the host evaluator */
  NC_NODE_LAYER,    /**< a layer on the backend */
  NC_NODE_FUSED,    /**< inside another node's layer (`into`) */
} nc_node_where_t;

/** One node's lowering. */
typedef struct {
  nc_node_where_t where; /**< where it runs */
  nc_layer_t layer;      /**< NC_NODE_LAYER: the layer (NHWC) */
  nc_tensor_t weights;   /**< conv OHWI, fc [O, I]; empty for pooling */
  nc_tensor_t bias;      /**< [O], or empty */
  int pool;              /**< a pooling node fused after it, or -1 */
  nc_layer_t pool_layer; /**< that pooling as a layer */
  int into;              /**< NC_NODE_FUSED: the node it is fused into */
  int add_part;          /**< NC_NODE_FUSED: part of that node's fused Add */
  int src;               /**< the tensor the layer reads when it is not the
                              node's first input (QDQ: the 8-bit input of the
                              DequantizeLinear), or -1 */
  int out_node;          /**< the fused node whose output is the layer's
                              (QDQ: the QuantizeLinear; a fused Relu), or -1
                              (the node's own) */
  int add_node;          /**< a fused Add: the node (QuantizeLinear) whose
                              output is the sum, or -1 */
  int residual;          /**< with add_node: the 8-bit tensor added */
  nc_add_quant_t add;    /**< with add_node: TFLite's addition of the
                              layer's output (input 0) and the residual */
} nc_lowered_node_t;

/** A graph's lowering: one entry per node, in the graph's order. */
typedef struct {
  int nnodes;              /**< g->nnodes */
  nc_lowered_node_t *node; /**< per node */
  int nlayers;             /**< nodes that run as layers */
} nc_lowering_t;

/**
 * Decides where each node of a checked graph runs and builds the layers
 * (`flags`: NC_LOWER_*). A node that cannot lower stays on the host; the
 * only failures are a lack of memory and a constant that contradicts its
 * node (e.g. a weight scale of the wrong length), whose detail names the
 * node. *out is left empty on failure.
 */
NC_MUST_CHECK nc_status_t nc_graph_lower(const nc_graph_t *g, int flags,
                                         nc_lowering_t *out);

/** Frees a lowering and empties it. NULL and empty are fine. */
void nc_lowering_free(nc_lowering_t *l);

/** NCHW (or any 2-D [N, K]) value to the NHWC tensor a layer takes; a
 *  value of another rank or element type is NC_ERR_UNSUPPORTED. */
NC_MUST_CHECK nc_status_t nc_value_to_nhwc(const nc_value_t *v,
                                           nc_tensor_t *t);

/** A layer's NHWC (or [N, O]) output back to an NCHW value. */
NC_MUST_CHECK nc_status_t nc_value_from_nhwc(const nc_tensor_t *t,
                                             nc_value_t *v);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_LOWER_H */
