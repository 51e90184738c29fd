/*
 * The RTL of the accelerator (hw/rtl, top nc_top) as Verilator builds it,
 * behind a C API that mirrors the functional model's (neocog/model.h), so
 * the driver, the tests and the benchmarks can run one program on either and
 * compare.
 *
 * The harness owns the clock. Every call that talks to the device moves it:
 * a register access drives the register bus for one cycle (csr_req_i; a read
 * returns the data the design registers for the next cycle), and
 * nc_rtl_run() steps the clock until STATUS.busy falls or the budget is
 * spent. Main memory is nc::AxiMem (sim/rtl/include/neocog/axi_mem.h) answering the
 * design's AXI4 master with a fixed latency and bandwidth; it serves the
 * caller's byte array attached as the physical range [base, base + size),
 * answers DECERR outside it, and counts every access outside the window and
 * the ring the registers grant (nc_rtl_window_violations()): the device must
 * never touch anything else.
 *
 * FST waveforms: set `trace_path`, or the environment variable
 * NEOCOG_RTL_FST when `trace_path` is NULL. Tracing is off otherwise and then
 * costs nothing (the model is built with tracing compiled in, but trace
 * activity is only recorded once a trace file is open). The waveform's time
 * is the cycle count at a stated 1 GHz clock: cycle N spans N ns to N+1 ns,
 * its rising edge at N.5 ns. A window of cycles (`trace_from`, `trace_to`,
 * or NEOCOG_RTL_FST_WINDOW=FROM:TO, TO empty for the end) and a scope
 * (`trace_scope`, or NEOCOG_RTL_FST_SCOPE: an instance path as the RTL
 * writes it, "nc_top.u_compute" or "u_compute", whose signals are written
 * with the design's ports) keep the file to what is looked at: the full
 * design writes about 2.3 KB per busy cycle. In the file the design sits at
 * nc_top.nc_top.
 *
 * When hw/rtl/nc_top.sv is absent at build time the library carries a stub
 * whose nc_rtl_create() fails with NC_ERR_UNSUPPORTED.
 */
#ifndef NEOCOG_RTL_H
#define NEOCOG_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/sim.h"
#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A Verilated device with its memory model. Opaque. */
typedef struct nc_rtl nc_rtl_t;

/** How the device is built around the RTL. */
typedef struct {
  uint32_t mem_latency;         /**< cycles from an accepted burst request to
                                     its first data beat / its response */
  uint32_t mem_bytes_per_cycle; /**< bytes the memory moves per cycle,
                                     1..NC_HW_BUS_BYTES */
  const char *trace_path;       /**< FST file to write, NULL: the environment
                                     variable NEOCOG_RTL_FST, or no trace */
  uint64_t trace_from;          /**< first cycle the waveform holds */
  uint64_t trace_to;            /**< cycle it stops before; 0: no end. Both 0:
                                     NEOCOG_RTL_FST_WINDOW, or every cycle */
  const char *trace_scope;      /**< hierarchy prefix of the signals written,
                                     NULL: NEOCOG_RTL_FST_SCOPE, or all */
  int fall_eval;                /**< nonzero: evaluate the model at the falling
                                     clock edge too, as a trace does; 0 (the
                                     default): once per cycle, at the rising
                                     edge. Same results, cycles and assertions;
                                     one eval per cycle is faster. */
} nc_rtl_config_t;

/** Fills `cfg` with the defaults: 100 cycles latency, NC_HW_BUS_BYTES bytes
 *  per cycle, no trace path. */
void nc_rtl_config_default(nc_rtl_config_t *cfg);

/**
 * Builds the device, resets it and leaves it idle, with no memory attached.
 * `cfg` NULL takes the defaults. Fails with NC_ERR_INVALID_ARG for a NULL
 * `out` or a configuration out of range, NC_ERR_IO when the trace file
 * cannot be opened, NC_ERR_NOMEM, and NC_ERR_UNSUPPORTED when the library
 * was built without the RTL.
 */
NC_MUST_CHECK nc_status_t nc_rtl_create(const nc_rtl_config_t *cfg,
                                        nc_rtl_t **out);

/** Closes the trace and frees the device. NULL is fine. */
void nc_rtl_destroy(nc_rtl_t *m);

/**
 * Attaches `size` bytes at `mem` as the physical range [base, base + size)
 * (as nc_model_attach_memory()). The device reads and writes it only inside
 * the calls that clock it. Fails with NC_ERR_INVALID_ARG while a memory
 * transaction is open, for a NULL `mem` with a non-zero size, or for a range
 * that wraps. `mem` NULL with `size` 0 detaches.
 */
NC_MUST_CHECK nc_status_t nc_rtl_attach_memory(nc_rtl_t *m, uint8_t *mem,
                                               uint64_t base, uint64_t size);

/**
 * Reads the register at byte `offset` over the register bus (one cycle).
 * Fails with NC_ERR_INVALID_ARG for an unaligned offset or one outside the
 * 2^csr_addr_bits window, NC_ERR_INTERNAL when the design does not answer
 * or one of its assertions failed.
 */
NC_MUST_CHECK nc_status_t nc_rtl_csr_read(nc_rtl_t *m, uint32_t offset,
                                          uint32_t *value);

/**
 * Writes the register at `offset` (one cycle). Writes that change the
 * window or the ring also update the memory model's allowed ranges, from
 * what the registers hold afterwards. Same checks as nc_rtl_csr_read().
 */
NC_MUST_CHECK nc_status_t nc_rtl_csr_write(nc_rtl_t *m, uint32_t offset,
                                           uint32_t value);

/**
 * Clocks the device for at most `max_cycles` cycles, or until STATUS.busy
 * is seen low (which costs one cycle when it is low already). `*busy` (may
 * be NULL) receives the last STATUS.busy seen. Fails with NC_ERR_INTERNAL
 * when an assertion of the design fired.
 */
NC_MUST_CHECK nc_status_t nc_rtl_run(nc_rtl_t *m, uint64_t max_cycles,
                                     int *busy);

/** Clock cycles since creation (register accesses included). */
uint64_t nc_rtl_cycle(const nc_rtl_t *m);

/** Level of irq_o after the last cycle. */
int nc_rtl_irq(const nc_rtl_t *m);

/** Installs (fn NULL removes) the retirement hook: from the next cycle on, fn
 *  gets one event per instruction the command processor retires (nc_top's
 *  trace_* outputs): its ring index, opcode, unit, the cycle its queue issued
 *  it to the unit (for a SYNC: when its tokens were taken), the cycle it
 *  retired (its unit reported it done and its tokens were pushed) and the
 *  retirement order. A FINISH is reported by the fetch unit, at the cycle it
 *  retires. Cycles count rising edges since nc_rtl_create(). Instructions that
 *  an error or a soft reset drops are not reported. While no hook is
 *  installed the outputs are not read. */
NC_MUST_CHECK nc_status_t nc_rtl_set_trace(nc_rtl_t *m, nc_sim_trace_fn fn,
                                           void *ctx);

/** Makes the memory misbehave from now on (NC_FAULT_NONE heals it).
 *  NC_ERR_INVALID_ARG for an unknown fault. */
NC_MUST_CHECK nc_status_t nc_rtl_inject_fault(nc_rtl_t *m,
                                              nc_fault_t fault);

/** Memory accesses so far that left both the window and the ring, or broke
 *  the AXI rules the memory model checks. 0 for a correct device. */
uint64_t nc_rtl_window_violations(const nc_rtl_t *m);

/** The first such violation in words, "" when there is none. Valid until
 *  the next call on `m`. */
const char *nc_rtl_first_violation(const nc_rtl_t *m);

/** Bytes the memory model has read and written for the device. */
void nc_rtl_mem_bytes(const nc_rtl_t *m, uint64_t *read, uint64_t *written);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_RTL_H */
