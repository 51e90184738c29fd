/*
 * Post-training static quantization of a float32 ONNX graph into an integer
 * network file (docs/network-format.md) that every backend runs.
 *
 * The graph must be one the network format can hold: Conv (with a bias
 * and a Relu folded in), MaxPool/AveragePool, a Reshape or Flatten,
 * MatMul/Gemm (with a bias and a Relu folded in), a residual Add of two
 * computed tensors (a Relu folded in) and a Concat of channels, whose
 * inputs are all quantized to its one scale. Calibration runs the float
 * graph on real images and takes each layer's output range (minimum and
 * maximum, or a percentile); weights become int8 (symmetric, one scale per
 * output channel or per tensor), biases int32 at the scale input x weight,
 * activations uint8 with one scale per tensor, and each layer requantizes
 * with TFLite's fixed-point arithmetic (neocog/quant.h), so the result is
 * bit-identical on every backend. The last layer keeps its raw int32 sums
 * (with one weight scale, so their order is the order of the float logits).
 */
#ifndef NEOCOG_QUANTIZE_H
#define NEOCOG_QUANTIZE_H

#include "neocog/graph.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How an activation's range is taken from the calibration images. */
typedef enum {
  NC_CALIB_MINMAX = 0,     /**< the least and greatest value seen */
  NC_CALIB_PERCENTILE = 1, /**< the 0.01th and 99.99th percentiles */
  NC_CALIB_ENTROPY = 2,    /**< the clipping threshold whose quantized
                                histogram is closest in KL divergence to
                                the observed one (TensorRT's method) */
} nc_calib_method_t;

/** Options of nc_quantize_graph(). */
typedef struct {
  nc_calib_method_t method; /**< range of each activation */
  int per_channel;          /**< one weight scale per output channel */
  const char *source;       /**< the model's name, for the file's comment */
  int qdq; /**< .onnx output in QDQ form: each inner conv a float32 Conv
                between DequantizeLinear and QuantizeLinear nodes */
} nc_quantize_options_t;

/**
 * Calibrates `g` on `images` (uint8, one image per entry of the first
 * dimension, given to the float input as raw values 0..255; input scale 1)
 * and writes the network file `out_net` with its weights, biases and
 * per-channel scales as .npy files next to it (`<stem>.<layer>.w.npy`, ...).
 * Fails with NC_ERR_UNSUPPORTED and a detail naming the node when the graph
 * is not such a graph; nothing is written before the graph is matched and
 * calibrated. The .npy files are written first, each atomically, and the
 * network file last, through a temporary file renamed into place.
 *
 * When `out_net` ends in ".onnx" the same quantized model is written as an
 * ONNX model in QOperator form instead (nc_onnx_save()): a float32 input
 * [N, C, H, W] quantized by QuantizeLinear (scale 1, zero point 0), each
 * inner conv a QLinearConv (per-channel weight scales, int32 bias), MaxPool
 * on uint8, Flatten, and the last layer a ConvInteger or MatMulInteger plus
 * an Add of its int32 bias (raw int32 outputs, as the network file's); a
 * residual Add in QDQ form (DequantizeLinear of both inputs, Add, Relu,
 * QuantizeLinear) and a Concat of uint8 tensors, in both forms.
 * AveragePool and a fully connected layer before the last have no such
 * form here and are refused. With `qdq` each inner conv is written in QDQ
 * form instead: DequantizeLinear of its input, of its int8 weights (per
 * output channel, zero point 0) and of its int32 bias (at scale
 * x_scale * w_scale[c], formed in float32), a float32 Conv, and a
 * QuantizeLinear to its output scale; lowering (neocog/lower.h) turns it
 * back into the same integer layer.
 */
NC_MUST_CHECK nc_status_t nc_quantize_graph(const nc_graph_t *g,
                                            const nc_tensor_t *images,
                                            const nc_quantize_options_t *o,
                                            const char *out_net);

/**
 * Entropy calibration's threshold (internal; exposed for its tests): the
 * n values' histogram over [0, amax] in 2048 bins (of |x|, or of x >= 0
 * when `one_sided`), and for each candidate bin count i from `levels` to
 * 2048 the KL divergence between the first i bins (the clipped tail folded
 * into the last) and the same merged into `levels` bins; returns the
 * threshold (i + 0.5) bin widths of the least divergence, at most amax.
 */
double nc__kl_threshold(const float *v, size_t n, double amax, int levels,
                        int one_sided);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_QUANTIZE_H */
