/*
 * Functional model of the neocog accelerator.
 *
 * The model implements docs/isa.md (generated from hw/data/neocog.json): the
 * control/status registers with their access types, the instruction ring,
 * dispatch to the load, compute and store queues, the four dependency-token
 * counters, every instruction and every rule check, with the same ERR_CODE,
 * ERR_INSN and ERR_INFO the RTL reports. Its results are what the hardware
 * guarantees for a correctly synchronised program, bit for bit; its cycle
 * counts are an estimate (see sim/model/README.md for the timing model).
 *
 * The array geometry and memory sizes are those nc_hw.h was generated with
 * (NC_HW_ROWS x NC_HW_COLS and so on): the generated rule checks are compiled
 * for them, so one build of the model is one configuration of the device.
 *
 * Main memory is a byte array the caller owns and attaches: it stands for the
 * physical range [base, base + size). Every instruction address is an offset
 * into the window the WIN_BASE/WIN_SIZE registers grant; an access outside it
 * raises dma_window before a byte moves. An access inside the window that
 * misses the attached memory is answered with DECERR (dma_bus).
 *
 * Time only passes inside nc_model_run(), so a caller that bounds the cycles
 * it asks for can never hang on the model.
 */
#ifndef NEOCOG_MODEL_H
#define NEOCOG_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/sim.h"
#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An instance of the device. Opaque; one per nc_model_create(). */
typedef struct nc_model nc_model_t;

/** Parameters of the timing estimate; they never change results. */
typedef struct {
  uint32_t mem_latency;         /**< cycles from a burst request to its data */
  uint32_t mem_bytes_per_cycle; /**< bytes the memory port moves per cycle,
                                     1..NC_HW_BUS_BYTES (the port width) */
} nc_model_config_t;

/** Fills `cfg` with the defaults: 100 cycles latency, NC_HW_BUS_BYTES
 *  bytes per cycle. */
void nc_model_config_default(nc_model_config_t *cfg);

/**
 * Creates a device in its reset state, with no memory attached. `cfg` NULL
 * takes the defaults. Fails with NC_ERR_INVALID_ARG for a NULL `out` or a
 * configuration out of range, NC_ERR_NOMEM when the on-chip memories cannot
 * be allocated.
 */
NC_MUST_CHECK nc_status_t nc_model_create(const nc_model_config_t *cfg,
                                          nc_model_t **out);

/** Frees a device. NULL is fine. The attached memory is the caller's. */
void nc_model_destroy(nc_model_t *m);

/**
 * Attaches `size` bytes at `mem` as the physical range [base, base + size).
 * The model reads and writes it only inside nc_model_run(). Fails with
 * NC_ERR_INVALID_ARG while the device is busy, for a NULL `mem` with a
 * non-zero size, or for a range that wraps the 64-bit address space. `mem`
 * NULL with `size` 0 detaches.
 */
NC_MUST_CHECK nc_status_t nc_model_attach_memory(nc_model_t *m, uint8_t *mem,
                                                 uint64_t base, uint64_t size);

/**
 * Reads the 32-bit register at byte `offset` (NC_HW_CSR_*_OFFSET) as the
 * register bus does: unmapped offsets read 0, wo registers read 0, reading a
 * _LO counter snapshots its _HI half. Fails with NC_ERR_INVALID_ARG for an
 * offset that is not 4-byte aligned or lies outside the 2^csr_addr_bits
 * window.
 */
NC_MUST_CHECK nc_status_t nc_model_csr_read(nc_model_t *m, uint32_t offset,
                                            uint32_t *value);

/**
 * Writes the register at `offset`: ro registers and unmapped offsets ignore
 * it, rw1c bits clear where `value` has a 1, wo command bits act once
 * (CTRL applies soft_reset, then halt, then start). RING_BASE, RING_SIZE and
 * RING_HEAD ignore writes while STATUS.busy. Same argument checks as
 * nc_model_csr_read().
 */
NC_MUST_CHECK nc_status_t nc_model_csr_write(nc_model_t *m, uint32_t offset,
                                             uint32_t value);

/**
 * Runs the device for at most `max_cycles` cycles of model time, or until
 * it stops (a FINISH retired, an error, or nothing to run). `*busy` (may be
 * NULL) receives STATUS.busy afterwards. Never blocks: a device waiting for
 * the host (an empty ring) simply lets the cycles pass. One instruction is
 * executed as a whole, so the call may end up to one instruction's
 * duration past the budget.
 */
NC_MUST_CHECK nc_status_t nc_model_run(nc_model_t *m, uint64_t max_cycles,
                                       int *busy);

/** Cycles of model time since creation (advances only while busy). */
uint64_t nc_model_cycle(const nc_model_t *m);

/** Level of the interrupt line: (INTR_STATE & INTR_ENABLE) != 0. */
int nc_model_irq(const nc_model_t *m);

/** Makes the memory port misbehave from now on (NC_FAULT_NONE heals
 *  it). Fails with NC_ERR_INVALID_ARG for an unknown fault. */
NC_MUST_CHECK nc_status_t nc_model_inject_fault(nc_model_t *m,
                                                nc_fault_t fault);

/** Installs (or with NULL removes) the retirement hook, e.g. to compare the
 *  model with the RTL instruction by instruction. */
void nc_model_set_trace(nc_model_t *m, nc_sim_trace_fn fn, void *ctx);

/**
 * Debug port: copies `count` scratchpad rows from `row` on, NC_HW_ROWS
 * int8 lanes each, into `out`. Fails with NC_ERR_INVALID_ARG when the range
 * leaves the scratchpad.
 */
NC_MUST_CHECK nc_status_t nc_model_read_spad(const nc_model_t *m, uint32_t row,
                                             uint32_t count, int8_t *out);

/** Debug port: `count` accumulator rows from `row` on, NC_HW_COLS int32
 *  lanes each. */
NC_MUST_CHECK nc_status_t nc_model_read_acc(const nc_model_t *m, uint32_t row,
                                            uint32_t count, int32_t *out);

/** Debug port: `count` parameter entries from `entry` on, as the
 *  NC_HW_QPARAM_BYTES-byte records LOAD_PARAM read. */
NC_MUST_CHECK nc_status_t nc_model_read_param(const nc_model_t *m,
                                              uint32_t entry, uint32_t count,
                                              uint8_t *out);

/** Name of an NC_HW_ERR_* code ("dma_window"), "?" when unknown: the
 *  generated nc_hw_err_name(), for callers that link the model rather than
 *  include nc_hw.h. */
const char *nc_model_err_name(uint32_t code);

/** Name of an NC_HW_UNIT_* value ("load"; "host" for NC_HW_UNIT_NONE), "?"
 *  when unknown: the generated nc_hw_unit_name(). */
const char *nc_model_unit_name(uint32_t unit);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_MODEL_H */
