/*
 * Runtime: plans a layer, runs it on an accelerator backend through the
 * driver (nc_dev_*), and reports what happened.
 *
 *   nc_accel_t *a;
 *   nc_accel_open("model", NULL, &a);        // or "rtl"
 *   nc_plan_req_t req = {&layer, &x, &w, &b, NULL, NULL, NULL};
 *   nc_tensor_t y;
 *   nc_accel_stats_t st;
 *   nc_accel_run(a, &req, &y, &st);          // y as golden would give it
 *   nc_accel_close(a);
 *
 * The runtime does not compare with golden itself (the CLI and the tests do,
 * through nc_check_layer); it gives them what a mismatch report needs:
 * nc_accel_describe_tile() names the tile that wrote an output element.
 */
#ifndef NEOCOG_ACCEL_H
#define NEOCOG_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/drv.h"
#include "neocog/plan.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open runtime: one device of one backend. Opaque. */
typedef struct nc_accel nc_accel_t;

/** Options; start from nc_accel_options_default(). */
typedef struct {
  nc_plan_caps_t caps;          /**< planner capacities and cost model */
  uint32_t mem_latency;         /**< device memory latency (model timing) */
  uint32_t mem_bytes_per_cycle; /**< device memory bandwidth */
  uint64_t timeout_ms;          /**< wall-clock limit of one layer's run */
  int trace;                    /**< record per-instruction events */
  /** Called as instructions retire (needs `trace`), with how many of the
   *  layer's have retired; for progress displays. NULL: none. */
  void (*progress)(void *ctx, uint64_t done, uint64_t total);
  void *progress_ctx;       /**< passed to `progress` */
  int64_t corrupt_byte;     /**< test hook: flip output byte k (-1: off) */
  uint32_t watchdog_cycles; /**< the device's WATCHDOG: cycles without
                                 progress before it stops with an error
                                 (0: off; default the reset value, 2^24) */
  nc_dev_fault_at_t fault;  /**< test hook: a memory fault armed for every
                                 run (nc_dev_arm_fault(); NC_FAULT_NONE:
                                 none), to exercise device errors from the
                                 runtime up */
} nc_accel_options_t;

/** Per-layer figures. Cycles, busy/stall and bytes come from the device's
 *  counters; predicted_cycles from the planner's cost model. */
typedef struct {
  uint64_t cycles;                /**< PERF_CYCLES */
  uint64_t macs;                  /**< useful MACs (the layer's) */
  uint64_t array_macs;            /**< PERF_MACS: rows x cols per vector */
  double pe_utilization;          /**< macs / (rows * cols * cycles) */
  uint64_t predicted_cycles;      /**< planner's cost model */
  uint64_t dram_bytes_read;       /**< PERF_RD_BYTES (fetch included) */
  uint64_t dram_bytes_written;    /**< PERF_WR_BYTES */
  uint64_t load_busy, load_stall; /**< load unit */
  uint64_t compute_busy, compute_stall; /**< compute unit */
  uint64_t store_busy, store_stall;     /**< store unit */
  uint64_t insns;                       /**< instructions retired */
  double seconds;        /**< wall time: plan, copy, run, read back */
  nc_plan_info_t plan;   /**< what the planner chose */
  int timeline_measured; /**< events are the device's (1) or the cost
                              model's prediction (0) */
  int fault_struck;      /**< the armed fault struck, yet the run
                              succeeded (it came after the last memory
                              access that mattered) */
} nc_accel_stats_t;

/** Defaults: nc_plan_caps_default(), 100 cycles, 16 B/cycle, 60 s, no
 *  trace, no progress, no corruption, the WATCHDOG reset value, no
 *  fault. */
void nc_accel_options_default(nc_accel_options_t *opt);

/**
 * Opens a backend ("model", "rtl" or "lockstep") through nc_dev_open(). Its
 * errors pass through (NC_ERR_UNSUPPORTED for rtl and lockstep in a library
 * built without the RTL, NC_ERR_NOT_FOUND for an unknown name).
 */
NC_MUST_CHECK nc_status_t nc_accel_open(const char *backend,
                                        const nc_accel_options_t *opt,
                                        nc_accel_t **out);

/** Closes it. NULL is fine. */
void nc_accel_close(nc_accel_t *a);

/**
 * Plans and runs one layer (with its fused pooling, if req->pool), and
 * decodes the output into *out (allocated; the golden reference's shape and
 * dtype). `st` may be NULL. Planner errors pass through (NC_ERR_UNSUPPORTED
 * for float32); device errors are NC_ERR_DEVICE / NC_ERR_TIMEOUT with the
 * driver's detail. The last plan stays available to
 * nc_accel_describe_tile() and nc_accel_events().
 */
NC_MUST_CHECK nc_status_t nc_accel_run(nc_accel_t *a, const nc_plan_req_t *req,
                                       nc_tensor_t *out, nc_accel_stats_t *st);

/** Per-instruction events of the last run (device cycles relative to its
 *  first event), in retirement order; with `trace` off or a backend that
 *  cannot trace, the cost model's predicted schedule. */
const nc_dev_event_t *nc_accel_events(const nc_accel_t *a, size_t *count);

/** Describes the tile of the last run that wrote output `coord`. */
void nc_accel_describe_tile(const nc_accel_t *a, const int64_t *coord, int ndim,
                            char *buf, size_t len);

/** Turns the per-instruction trace on or off for the next runs. */
void nc_accel_set_trace(nc_accel_t *a, int on);

/** The backend's name. */
const char *nc_accel_backend(const nc_accel_t *a);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_ACCEL_H */
