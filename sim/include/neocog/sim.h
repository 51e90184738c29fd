/*
 * One interface to every simulated accelerator.
 *
 * The functional model (neocog/model.h), the Verilator harness of the RTL
 * (neocog/rtl.h) and the two in lockstep each implement the operations
 * below (nc_sim_ops_t), as every target of a runtime implements one device
 * interface; the driver, the test kit, the benchmarks and the tools talk to a
 * simulated device only through them. A device is opened by kind:
 *
 *   "model"     the functional model: event-driven, fast, cycles estimated
 *               from the timing rules measured on the RTL
 *   "rtl"       the Verilated nc_top with its AXI memory model, cycle-exact
 *               (NC_ERR_UNSUPPORTED when the library has no RTL)
 *   "lockstep"  both, run side by side: every stop of the RTL is compared
 *               with the model's (STATUS, ERR_*, counters and, after a
 *               clean stop, every byte of memory); a difference fails the
 *               run with NC_ERR_MISMATCH and says where
 *
 * Memory belongs to the caller (nc_sim_attach_memory). A device reads and
 * writes it only inside nc_sim_run(); the host writes it while the device
 * is stopped, or, for ring entries, ahead of RING_TAIL. Lockstep gives the
 * model a copy of its own: write through nc_sim_mem_write() so that both
 * see the bytes (the other devices accept it too).
 */
#ifndef NEOCOG_SIM_H
#define NEOCOG_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ways the device's memory can be told to misbehave, to reach the error
 *  paths a correct memory never takes. */
typedef enum {
  NC_FAULT_NONE = 0, /**< the memory answers every request */
  NC_FAULT_HANG,     /**< no request is answered any more: the issuing unit
                          waits (the watchdog's case) */
  NC_FAULT_SLVERR,   /**< every request is answered SLVERR (dma_bus) */
  NC_FAULT_COUNT     /**< number of faults, not a fault */
} nc_fault_t;

/** Name of a fault ("hang"), "?" when unknown. */
const char *nc_fault_name(nc_fault_t fault);

/** One retired instruction, as a device's trace hook receives it. */
typedef struct {
  uint32_t ring_index; /**< ring entry it was fetched from */
  uint32_t opcode;     /**< NC_HW_OP_* */
  uint32_t unit;       /**< NC_HW_UNIT_* that executed it (fetch: FINISH) */
  uint64_t start;      /**< cycle its unit began executing it */
  uint64_t end;        /**< cycle it completed (tokens pushed) */
  uint64_t seq;        /**< retirement order, from 0 */
} nc_sim_retire_t;

/** Called once per retired instruction, from inside nc_sim_run(). */
typedef void (*nc_sim_trace_fn)(void *ctx, const nc_sim_retire_t *r);

/** How a device is built; start from nc_sim_config_default(). */
typedef struct {
  uint32_t mem_latency;         /**< cycles from a burst request to its data */
  uint32_t mem_bytes_per_cycle; /**< memory bandwidth, 1..NC_HW_BUS_BYTES */
  const char *trace_path; /**< rtl: FST waveform to write; NULL: the
                               environment variable NEOCOG_RTL_FST, or none */
  uint64_t trace_from;    /**< rtl: first cycle of the waveform */
  uint64_t trace_to;      /**< rtl: cycle it stops before (0: no end; both
                               0: NEOCOG_RTL_FST_WINDOW or every cycle) */
  const char *trace_scope; /**< rtl: hierarchy prefix of the signals written
                                (NULL: NEOCOG_RTL_FST_SCOPE, or all) */
  int fall_eval;          /**< rtl: nonzero evaluates at the falling edge
                               too, as a waveform does (same results) */
} nc_sim_config_t;

/** What a kind of device implements. `dev` is the device's own handle.
 *  Entries marked optional may be NULL. */
typedef struct {
  const char *name; /**< the kind: "model", "rtl", "lockstep" */
  /** Most cycles one nc_sim_run() should be asked for, so that a caller
   *  watching a wall clock looks at it often enough (0: no limit). */
  uint64_t run_quantum;
  nc_status_t (*create)(const nc_sim_config_t *cfg, void **dev);
  void (*destroy)(void *dev);
  nc_status_t (*attach_memory)(void *dev, uint8_t *mem, uint64_t base,
                               uint64_t size);
  nc_status_t (*csr_read)(void *dev, uint32_t offset, uint32_t *value);
  nc_status_t (*csr_write)(void *dev, uint32_t offset, uint32_t value);
  nc_status_t (*run)(void *dev, uint64_t max_cycles, int *busy);
  uint64_t (*cycle)(const void *dev);
  int (*irq)(const void *dev);
  nc_status_t (*inject_fault)(void *dev, nc_fault_t fault);
  /** Optional: installs the retirement hook (NULL fn removes it). */
  nc_status_t (*set_trace)(void *dev, nc_sim_trace_fn fn, void *ctx);
  /** Optional: NC_ERR_DEVICE with the first memory access outside the
   *  window and the ring, or against the bus rules, since creation. */
  nc_status_t (*check_memory)(const void *dev);
  /** Optional: host write into attached memory at physical `addr`, for
   *  devices that keep copies of it (lockstep). */
  nc_status_t (*mem_write)(void *dev, uint64_t addr, const void *src,
                           size_t bytes);
} nc_sim_ops_t;

/** The kinds of device, each with its operations. */
extern const nc_sim_ops_t nc_sim_model_ops;
extern const nc_sim_ops_t nc_sim_rtl_ops;
extern const nc_sim_ops_t nc_sim_lockstep_ops;

/** An open device of some kind. Opaque. */
typedef struct nc_sim nc_sim_t;

/** Defaults: 100 cycles latency, NC_HW_BUS_BYTES bytes per cycle, no
 *  waveform path, one evaluation per cycle. */
void nc_sim_config_default(nc_sim_config_t *cfg);

/** The operations of kind `name`, or NULL. */
const nc_sim_ops_t *nc_sim_find(const char *name);

/**
 * Opens a device of kind `kind` ("model", "rtl", "lockstep"), reset and
 * idle, with no memory attached; `cfg` NULL takes the defaults.
 * NC_ERR_NOT_FOUND for an unknown kind (the detail lists the kinds),
 * NC_ERR_UNSUPPORTED for rtl and lockstep in a library built without the
 * RTL, and the device's own errors.
 */
NC_MUST_CHECK nc_status_t nc_sim_open(const char *kind,
                                      const nc_sim_config_t *cfg,
                                      nc_sim_t **out);

/**
 * Makes a device that `ops` drives, already created by its owner (`dev`),
 * an nc_sim_t: how a simulator outside this library, such as the SystemC
 * wrapper, offers the same interface. nc_sim_close() calls ops->destroy
 * when it is not NULL. NC_ERR_INVALID_ARG for NULL arguments.
 */
NC_MUST_CHECK nc_status_t nc_sim_wrap(const nc_sim_ops_t *ops, void *dev,
                                      nc_sim_t **out);

/** Closes a device. NULL is fine. The attached memory stays the caller's. */
void nc_sim_close(nc_sim_t *s);

/** The device's kind. */
const char *nc_sim_kind(const nc_sim_t *s);

/** The device's operations and handle, for what this API does not say
 *  (e.g. nc_model_read_spad() on a "model" device). */
const nc_sim_ops_t *nc_sim_ops(const nc_sim_t *s);
void *nc_sim_handle(const nc_sim_t *s);

/** Attaches `size` bytes at `mem` as physical [base, base + size). */
NC_MUST_CHECK nc_status_t nc_sim_attach_memory(nc_sim_t *s, uint8_t *mem,
                                               uint64_t base, uint64_t size);

/** Reads a register (NC_HW_CSR_*_OFFSET) as the register bus does. */
NC_MUST_CHECK nc_status_t nc_sim_csr_read(nc_sim_t *s, uint32_t offset,
                                          uint32_t *value);

/** Writes a register as the register bus does. */
NC_MUST_CHECK nc_status_t nc_sim_csr_write(nc_sim_t *s, uint32_t offset,
                                           uint32_t value);

/** Runs at most `max_cycles` cycles or until STATUS.busy falls; `*busy`
 *  (may be NULL) receives STATUS.busy. */
NC_MUST_CHECK nc_status_t nc_sim_run(nc_sim_t *s, uint64_t max_cycles,
                                     int *busy);

/** Cycles since the device was opened. */
uint64_t nc_sim_cycle(const nc_sim_t *s);

/** Level of the interrupt line. */
int nc_sim_irq(const nc_sim_t *s);

/** Makes the memory misbehave from now on (NC_FAULT_NONE heals it).
 *  NC_ERR_INVALID_ARG for an unknown fault. */
NC_MUST_CHECK nc_status_t nc_sim_inject_fault(nc_sim_t *s, nc_fault_t fault);

/** Installs (NULL removes) the retirement hook; NC_ERR_UNSUPPORTED when the
 *  kind cannot trace. */
NC_MUST_CHECK nc_status_t nc_sim_set_trace(nc_sim_t *s, nc_sim_trace_fn fn,
                                           void *ctx);

/** NC_OK when the device has touched only the memory it was given;
 *  NC_ERR_DEVICE with the first violation otherwise. */
NC_MUST_CHECK nc_status_t nc_sim_check_memory(const nc_sim_t *s);

/** Copies `bytes` from `src` into attached memory at physical `addr`, for
 *  the device and any copy it keeps. NC_ERR_INVALID_ARG outside the
 *  attached range. */
NC_MUST_CHECK nc_status_t nc_sim_mem_write(nc_sim_t *s, uint64_t addr,
                                           const void *src, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_SIM_H */
