/*
 * The planner: one int8 layer (optionally followed by a fused pooling layer)
 * becomes an accelerator program for the array of nc_hw.h.
 *
 * A plan owns
 *   - an arena layout: one block of device memory holding the constants
 *     (weights re-laid out as 16x16 tiles in the order the program loads
 *     them, qparam records), the packed input, a scratch area for a separate
 *     pooling pass, and the output;
 *   - the instruction stream, with addresses relative to the arena (shifted
 *     by nc_plan_emit());
 *   - the choice its cost model made (lowering, loop order, tile sizes) and
 *     the cycles and DRAM bytes it predicts.
 *
 * How a layer is lowered (see host/plan.c for the details):
 *   - conv2d reads NHWC input straight from DRAM: one scratchpad row per
 *     pixel and 16-channel chunk, padding inserted by LOAD, one GEMM per
 *     kernel tap over the output tile (stride and dilation are GEMM
 *     strides). Groups are packed block-diagonally, so a depthwise layer
 *     uses 16 channels per pass instead of one.
 *   - im2col: each output pixel's receptive field becomes one row (taps x
 *     channels packed into the reduction dimension). This is what makes a
 *     first layer with C = 1..3 use the array; the cost model picks it
 *     when it predicts fewer cycles. The load unit builds those rows from
 *     the plain NHWC input (an im2col LOAD, which reads the input about
 *     once) where it can: up to 16 channels, one channel block, no
 *     dilation, kernel, strides and padding up to 15. Elsewhere the host
 *     packs them (reading the input once per tap), which is also the
 *     fallback for padding the LOAD unit cannot insert.
 *   - fc is a 1x1 convolution over the batch; locally connected layers use
 *     im2col rows with one weight bank per output pixel.
 *   - pooling runs in the store path (after requantization), fused into the
 *     tile that produced its input, or in a second pass over an int8
 *     scratch copy when fusing does not fit or costs more; standalone
 *     pooling is an identity GEMM followed by the store path's pooling.
 * int8 and uint8 inputs with any zero point are handled exactly: uint8 is
 * shifted to int8 on the way in, and zero-point terms fold into the bias.
 */
#ifndef NEOCOG_PLAN_H
#define NEOCOG_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/layer.h"
#include "neocog/nc_hw.h"
#include "neocog/quant.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the planner may use and what its cost model assumes. Shrinking the
 *  capacities (tests do) forces tiling along every dimension. */
typedef struct {
  uint32_t spad_rows;           /**< scratchpad rows, 64..NC_HW_SPAD_ROWS */
  uint32_t acc_rows;            /**< accumulator rows, 2..NC_HW_ACC_ROWS */
  uint32_t param_entries;       /**< qparam entries, 16..NC_HW_PARAM_ENTRIES */
  uint32_t mem_latency;         /**< cost model: cycles per memory request */
  uint32_t mem_bytes_per_cycle; /**< cost model: memory port bandwidth */
  int im2col;    /**< -1: cost model decides; 0: never; 1: when legal */
  int host_im2col; /**< 0: host packing only where the load unit's im2col
                        cannot serve the layer; 1: planned beside it too;
                        2: host packing instead of it (comparisons) */
  int pool_pass; /**< -1: cost model decides; 0: fuse; 1: separate pass;
                      2: split (NC_PLAN_POOL_SPLIT) where the pool allows
                      it, else a separate pass */
  uint32_t max_candidates; /**< configurations the search may replay, 1..64 */
  double read_cost; /**< cycles the search charges per byte read from DRAM
                         (bus beats, instruction fetch included), 0..1:
                         a plan's cost is its cycles plus read_cost times
                         its bytes read */
} nc_plan_caps_t;

/** How the layer was lowered. */
typedef enum {
  NC_PLAN_DIRECT = 0, /**< NHWC rows, one GEMM per tap */
  NC_PLAN_IM2COL,     /**< host-packed receptive fields, taps in K */
  NC_PLAN_LOCAL,      /**< im2col rows, one weight bank per output pixel */
  NC_PLAN_IM2COL_LOAD, /**< the load unit gathers the receptive fields from
                            the plain NHWC input (im2col LOAD) */
  NC_PLAN_DEPTHWISE,  /**< NHWC rows, one DWCONV per tile: a channel per
                           array column, the taps down the columns */
} nc_plan_lowering_t;

/** Where the pooling runs. */
typedef enum {
  NC_PLAN_POOL_NONE = 0, /**< no pooling */
  NC_PLAN_POOL_FUSED,    /**< in the store path of the producing tile */
  NC_PLAN_POOL_PASS,     /**< a second pass over an int8 scratch copy */
  NC_PLAN_POOL_SPLIT,    /**< a max pool whose window is m >= 2 times its
                              stride s: an s x s / s pool in the store path,
                              then an m x m / 1 pass over that int8 copy
                              (windows of s x s blocks, so the same max) */
} nc_plan_pool_t;

/** Loop orders the cost model chooses between (the K loop is innermost,
 *  accumulating in place, in both). */
typedef enum {
  NC_PLAN_PIXELS_OUTER = 0, /**< tiles outer: an input tile is reused by
                                 every output-channel group */
  NC_PLAN_CHANNELS_OUTER,   /**< channel groups outer: a weight group is
                                 reused by every tile */
} nc_plan_order_t;

/** A layer to plan. Tensors give shapes and dtypes (and, for weights and
 *  bias, the data the plan lays out); the input's data is packed later. */
typedef struct {
  const nc_layer_t *layer;    /**< conv2d, fc, local, maxpool or avgpool */
  const nc_tensor_t *input;   /**< int8 or uint8 */
  const nc_tensor_t *weights; /**< NULL for pooling */
  const nc_tensor_t *bias;    /**< NULL: none */
  const nc_layer_t *pool;     /**< pooling fused after conv/fc/local, or NULL */
  /** A residual add fused into the store path (NULL: none): output =
   *  nc_add_quant_apply(add, conv output, residual) per element. Needs an
   *  8-bit output without pooling and not a local layer. */
  const nc_add_quant_t *add;
  const nc_tensor_t *residual; /**< with `add`: int8 or uint8, the output's
                                    shape (its data is packed later) */
} nc_plan_req_t;

/** What the planner chose and predicts. */
typedef struct {
  nc_plan_lowering_t lowering; /**< how the layer maps onto GEMMs */
  nc_plan_order_t order;       /**< loop order */
  nc_plan_pool_t pool;         /**< where pooling runs */
  int tile_h, tile_w;          /**< output tile (stored pixels) */
  int oc_chunks;               /**< 16-channel output chunks per tile */
  int kc_chunks;               /**< reduction chunks loaded per step */
  int weights_resident;        /**< all weights loaded once */
  uint64_t tiles;              /**< accumulator tiles (all passes) */
  uint64_t steps;              /**< load/compute steps (all passes) */
  uint64_t insns;              /**< instructions, FINISH included */
  uint64_t macs;               /**< useful MACs (the layer's) */
  uint64_t array_macs;         /**< rows x cols per activation vector */
  uint64_t predicted_cycles;   /**< cost model (timing replay) */
  uint64_t dram_bytes_read;    /**< predicted, instruction fetch included */
  uint64_t dram_bytes_written; /**< predicted */
  uint64_t bus_bytes_read;     /**< predicted bytes of the 16-byte bus beats
                                    read (the RTL's PERF_RD_BYTES): whole
                                    beats per read segment, LOAD_PARAM's
                                    two passes, instruction fetch */
  uint64_t compulsory_read;    /**< the layer's input, weights and qparam
                                    records, each read once */
  uint64_t compulsory_written; /**< its output, written once */
  uint64_t arena_bytes;        /**< device memory the plan needs */
  uint32_t candidates;         /**< configurations the cost model ranked */
  char summary[200];           /**< one line, e.g. "direct 3x3 ..." */
} nc_plan_info_t;

/** A byte range of the arena. */
typedef struct {
  uint64_t offset; /**< from the arena's start */
  uint64_t bytes;  /**< length */
} nc_plan_region_t;

/** One instruction's predicted execution (cost model replay). */
typedef struct {
  uint64_t index;  /**< position in the emitted stream */
  uint32_t opcode; /**< NC_HW_OP_* */
  uint32_t unit;   /**< NC_HW_UNIT_* */
  uint64_t start;  /**< cycle it starts executing */
  uint64_t end;    /**< cycle it completes */
} nc_plan_event_t;

/** An opaque plan. */
typedef struct nc_plan nc_plan_t;

/** Capacities of nc_hw.h, 100 cycles latency, 16 B/cycle, the cost model
 *  choosing everything. */
void nc_plan_caps_default(nc_plan_caps_t *caps);

/**
 * Plans a layer. `caps` NULL takes the defaults. Fails with
 * NC_ERR_UNSUPPORTED (detail says why) for float32 layers (they are not for
 * the accelerator), int32 inputs to pooling, pooling windows or strides the
 * store path cannot express (above 15), and a pooling window larger than
 * the accumulator allows; NC_ERR_INVALID_ARG / NC_ERR_SHAPE /
 * NC_ERR_EMPTY_OUTPUT for a layer the golden reference rejects (same
 * checks), or caps out of range. *out is written only on success.
 */
NC_MUST_CHECK nc_status_t nc_plan_create(const nc_plan_req_t *req,
                                         const nc_plan_caps_t *caps,
                                         nc_plan_t **out);

/** Frees a plan. NULL is fine. */
void nc_plan_free(nc_plan_t *p);

/** The plan's choice and predictions. */
const nc_plan_info_t *nc_plan_info(const nc_plan_t *p);

/** The constants' region and their bytes (weights, qparams). */
nc_plan_region_t nc_plan_const_region(const nc_plan_t *p);
const uint8_t *nc_plan_const_data(const nc_plan_t *p);

/** The input's region; nc_plan_pack_input() fills its bytes. */
nc_plan_region_t nc_plan_input_region(const nc_plan_t *p);

/** The residual's region (bytes 0 without an add); nc_plan_pack_residual()
 *  fills it. */
nc_plan_region_t nc_plan_residual_region(const nc_plan_t *p);

/** Writes the residual tensor (the planned shape and dtype) into `dst`,
 *  nc_plan_residual_region().bytes long. */
NC_MUST_CHECK nc_status_t nc_plan_pack_residual(const nc_plan_t *p,
                                                const nc_tensor_t *r,
                                                uint8_t *dst, size_t len);

/** The output's region; nc_plan_unpack_output() decodes it. */
nc_plan_region_t nc_plan_output_region(const nc_plan_t *p);

/**
 * Writes the input tensor (same shape and dtype as planned) into `dst`,
 * nc_plan_input_region().bytes long, in the layout the program reads.
 */
NC_MUST_CHECK nc_status_t nc_plan_pack_input(const nc_plan_t *p,
                                             const nc_tensor_t *x, uint8_t *dst,
                                             size_t len);

/** Decodes the output region's bytes into a new tensor (the golden
 *  reference's shape and dtype; of the pooling when one is fused). */
NC_MUST_CHECK nc_status_t nc_plan_unpack_output(const nc_plan_t *p,
                                                const uint8_t *src, size_t len,
                                                nc_tensor_t *out);

/** Number of instructions nc_plan_emit() writes. */
size_t nc_plan_insn_count(const nc_plan_t *p);

/**
 * Writes the instruction stream as ring bytes (NC_HW_INSN_BYTES each, `len`
 * >= nc_plan_insn_count() * NC_HW_INSN_BYTES) for an arena that starts at
 * window offset `base`. Fails with NC_ERR_INVALID_ARG when an address would
 * leave the 32-bit dram_offset field.
 */
NC_MUST_CHECK nc_status_t nc_plan_emit(const nc_plan_t *p, uint64_t base,
                                       uint8_t *ring, size_t len);

/** The cost model's predicted schedule: one event per instruction, in
 *  stream order (FINISH included). Valid while the plan lives. */
const nc_plan_event_t *nc_plan_schedule(const nc_plan_t *p, size_t *count);

/**
 * Describes the tile that produced output element `coord` (NHWC, or [N, O]
 * for fc), e.g. "tile 3 of 12 (pass 1): output rows 8..15, columns 0..31,
 * channels 0..63". Writes "" for a coordinate outside the output.
 */
void nc_plan_describe_tile(const nc_plan_t *p, const int64_t *coord, int ndim,
                           char *buf, size_t len);

/** What the cost model predicts for an instruction stream. */
typedef struct {
  uint64_t cycles;     /**< from START to the last retirement */
  uint64_t rd_bytes;   /**< DRAM bytes read, instruction fetch included */
  uint64_t wr_bytes;   /**< DRAM bytes written */
  uint64_t array_macs; /**< multiply-accumulates the array performs */
} nc_plan_replay_t;

/**
 * Replays `n` instructions (the last should be FINISH) under the accelerator's timing rules, as the
 * planner does for its own programs: how an instruction stream written by
 * hand is predicted to run. NC_ERR_INVALID_ARG for NULL pointers or n 0.
 */
NC_MUST_CHECK nc_status_t nc_plan_replay(const nc_hw_insn_t *insns, size_t n,
                                         const nc_plan_caps_t *caps,
                                         nc_plan_replay_t *out);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_PLAN_H */
