/*
 * neocog driver: one API for every backend of the accelerator.
 *
 *   nc_dev_open("model", NULL, &dev)     the functional model (sim/model)
 *   nc_dev_open("rtl", NULL, &dev)       the Verilator model of hw/rtl
 *                                        (sim/rtl, neocog/rtl.h)
 *   nc_dev_open("lockstep", NULL, &dev)  both, compared at every stop:
 *                                        NC_ERR_MISMATCH names the first
 *                                        difference
 *
 * A device grants one window of main memory. Buffers are pieces of it
 * (nc_dev_alloc); their `offset` is what instructions put in their
 * dram_offset fields. The driver keeps the instruction ring in the window
 * too, feeds it from nc_dev_submit() and nc_dev_wait(), and never waits
 * without a bound: nc_dev_wait() has a wall-clock timeout and the device its
 * watchdog.
 *
 * One submission is in flight at a time: submit, then wait, then submit the
 * next. Every call checks all of its arguments before it touches the device
 * or memory, so a rejected call changes nothing.
 */
#ifndef NEOCOG_DRV_H
#define NEOCOG_DRV_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/sim.h"
#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open device. Opaque. */
typedef struct nc_dev nc_dev_t;

/** How to open a device; start from nc_dev_options_default(). */
typedef struct {
  uint64_t window_bytes;        /**< memory window granted to the device,
                                     64 KiB .. 4 GiB - 4 KiB */
  uint32_t mem_latency;         /**< model: cycles per memory request */
  uint32_t mem_bytes_per_cycle; /**< model: memory bandwidth, 1..bus_bytes */
  uint32_t ring_entries;        /**< instruction ring, 64..65536 entries */
  uint32_t watchdog_cycles;     /**< WATCHDOG register; 0 disables it */
} nc_dev_options_t;

/** What the device says it is (from its ID, VERSION and HWCFG registers). */
typedef struct {
  const char *backend;    /**< "model", "rtl" or "lockstep" */
  uint32_t version_major; /**< register map and ISA version */
  uint32_t version_minor; /**< backward-compatible additions */
  uint32_t rows;          /**< array rows: reduction depth, int8 lanes */
  uint32_t cols;          /**< array columns: output channels per pass */
  uint32_t spad_rows;     /**< scratchpad rows of `rows` bytes */
  uint32_t spad_banks;    /**< scratchpad banks */
  uint32_t acc_rows;      /**< accumulator rows of `cols` int32 */
  uint32_t param_entries; /**< parameter memory entries (qparam records) */
  uint32_t bus_bytes;     /**< memory port width in bytes */
  uint64_t window_bytes;  /**< the window granted, ring included */
  uint32_t ring_entries;  /**< ring capacity in instructions */
} nc_dev_info_t;

/** A buffer inside the device's window. Treat as a value: copy it, pass it
 *  back; the driver recognises its own live buffers. */
typedef struct {
  uint64_t offset; /**< window offset: what instructions address */
  uint64_t size;   /**< bytes */
  uint64_t owner;  /**< device it came from (internal) */
  uint64_t gen;    /**< which allocation it is (internal) */
} nc_dev_buf_t;

/** No instruction is to blame (see nc_dev_result_t.insn_index). */
#define NC_DEV_NO_INSN UINT64_MAX

/** How a submission ended. */
typedef struct {
  uint32_t status;     /**< STATUS register when the run ended */
  uint32_t err_code;   /**< NC_HW_ERR_* (NC_HW_ERR_NONE on success) */
  uint32_t err_unit;   /**< NC_HW_UNIT_* that raised it */
  uint32_t err_insn;   /**< ERR_INSN: ring index of the failing entry */
  uint32_t err_info;   /**< ERR_INFO: field LSB, window offset, or 0 */
  uint64_t insn_index; /**< that entry's index in the submitted array (the
                            appended FINISH is index `count`), or
                            NC_DEV_NO_INSN */
  uint64_t cycles;     /**< PERF_CYCLES of the submission */
  uint64_t wall_ns;    /**< wall-clock time nc_dev_wait() took */
  int fault_struck;    /**< a fault armed with nc_dev_arm_fault() struck
                            during this submission */
} nc_dev_result_t;

/** The performance counters (all of them; 32-bit ones zero-extended). */
typedef struct {
  uint64_t cycles;        /**< cycles with STATUS.busy */
  uint64_t load_busy;     /**< load unit executing */
  uint64_t load_stall;    /**< load unit waiting (token or memory port) */
  uint64_t compute_busy;  /**< compute unit executing */
  uint64_t compute_stall; /**< compute unit waiting */
  uint64_t store_busy;    /**< store unit executing */
  uint64_t store_stall;   /**< store unit waiting */
  uint64_t macs;          /**< int8 MACs: rows x cols per activation vector */
  uint64_t rd_bytes;      /**< bytes read, instruction fetch included */
  uint64_t wr_bytes;      /**< bytes written */
  uint64_t insns;         /**< instructions retired, FINISH included */
} nc_dev_counters_t;

/** One retired instruction of the submission in flight. */
typedef struct {
  uint64_t index;  /**< its index in the submitted array (the appended
                        FINISH is `count`) */
  uint32_t opcode; /**< NC_HW_OP_* */
  uint32_t unit;   /**< NC_HW_UNIT_* that executed it (fetch: FINISH) */
  uint64_t start;  /**< device cycle its unit began it */
  uint64_t end;    /**< device cycle it completed (tokens pushed) */
} nc_dev_event_t;

/** Called once per retired instruction, from inside nc_dev_wait(). */
typedef void (*nc_dev_trace_fn)(void *ctx, const nc_dev_event_t *ev);

/** Defaults: 64 MiB window, 100 cycles latency, 16 B/cycle, 1024-entry
 *  ring, the WATCHDOG reset value (2^24 cycles). */
void nc_dev_options_default(nc_dev_options_t *opt);

/**
 * Opens a device on `backend` ("model", "rtl" or "lockstep"; "rtl" answers
 * NC_ERR_UNSUPPORTED when the library was built without the RTL). `opt` NULL
 * takes the defaults. Checks that the device's ID, VERSION and HWCFG registers
 * match the nc_hw.h this library was built with (NC_ERR_UNSUPPORTED
 * otherwise), then grants it the window and sets up the ring. Fails with
 * NC_ERR_NOT_FOUND for an unknown backend, NC_ERR_INVALID_ARG for options
 * out of range, NC_ERR_NOMEM. *dev is written only on success.
 */
NC_MUST_CHECK nc_status_t nc_dev_open(const char *backend,
                                      const nc_dev_options_t *opt,
                                      nc_dev_t **dev);

/** Closes a device: halts it if it runs, frees everything. NULL is fine.
 *  Buffers of the device become invalid. */
void nc_dev_close(nc_dev_t *dev);

/** Describes the device. */
NC_MUST_CHECK nc_status_t nc_dev_info(const nc_dev_t *dev, nc_dev_info_t *info);

/**
 * Allocates `bytes` of the window, aligned to `align` bytes (a power of
 * two; 0 means 64). First fit. Fails with NC_ERR_INVALID_ARG for 0 bytes or
 * a bad alignment, NC_ERR_NOMEM when no free extent of the window fits.
 * *buf is written only on success.
 */
NC_MUST_CHECK nc_status_t nc_dev_alloc(nc_dev_t *dev, uint64_t bytes,
                                       uint64_t align, nc_dev_buf_t *buf);

/**
 * Returns a buffer to the window (neighbouring free extents merge). Fails
 * with NC_ERR_INVALID_ARG for a buffer of another device, NC_ERR_NOT_FOUND
 * for one that is not live (freed already).
 */
NC_MUST_CHECK nc_status_t nc_dev_free(nc_dev_t *dev, const nc_dev_buf_t *buf);

/** Copies `bytes` from `src` into the buffer at byte `offset`. Fails with
 *  NC_ERR_INVALID_ARG when [offset, offset + bytes) leaves the buffer, and
 *  as nc_dev_free() for a buffer that is not live on this device. */
NC_MUST_CHECK nc_status_t nc_dev_write(nc_dev_t *dev, const nc_dev_buf_t *buf,
                                       uint64_t offset, const void *src,
                                       size_t bytes);

/** Copies `bytes` from the buffer at `offset` into `dst`; same checks. */
NC_MUST_CHECK nc_status_t nc_dev_read(nc_dev_t *dev, const nc_dev_buf_t *buf,
                                      uint64_t offset, void *dst, size_t bytes);

/**
 * Submits `count` instructions of NC_HW_INSN_BYTES little-endian bytes each
 * (the ring format; nc_hw_words_to_bytes() writes it) and starts the device.
 * Unless the last instruction is a FINISH the driver appends one, so every
 * submission ends; a FINISH inside the stream is a barrier the driver
 * restarts after. The instructions are copied: `insns` may be reused at
 * once. The performance counters are cleared. Programs longer than the ring
 * are fed to it while nc_dev_wait() runs. Fails with NC_ERR_INVALID_ARG while
 * a submission is in flight (wait for it first).
 */
NC_MUST_CHECK nc_status_t nc_dev_submit(nc_dev_t *dev, const void *insns,
                                        size_t count);

/**
 * Runs the device until the submission finishes, fails, or `timeout_ms`
 * (>= 1) of wall-clock time pass, and fills `res` (may be NULL). Returns
 * NC_OK when the last FINISH retired; NC_ERR_DEVICE when the device stopped
 * with an error (deadlock and watchdog included), with `res` holding
 * ERR_CODE, ERR_INSN and ERR_INFO and the detail naming them; NC_ERR_TIMEOUT
 * when time ran out. After an error or a timeout the device is halted and
 * soft-reset, ready for the next submission. Fails with NC_ERR_INVALID_ARG
 * when nothing was submitted.
 */
NC_MUST_CHECK nc_status_t nc_dev_wait(nc_dev_t *dev, uint64_t timeout_ms,
                                      nc_dev_result_t *res);

/** Reads every performance counter (of the last submission, since submit
 *  clears them). */
NC_MUST_CHECK nc_status_t nc_dev_counters(nc_dev_t *dev, nc_dev_counters_t *c);

/**
 * Installs (fn != NULL) or removes (fn == NULL) a hook that sees every
 * instruction retire, with the cycles its unit started and finished it:
 * the raw material of a timeline. Cycles count from the device's reset, so
 * compare them within one submission. Fails with NC_ERR_UNSUPPORTED when
 * the backend cannot report retirements, NC_ERR_INVALID_ARG while a
 * submission is in flight. Index mapping assumes fewer than ring_entries / 2
 * instructions are in flight at once (the queues hold far fewer).
 */
NC_MUST_CHECK nc_status_t nc_dev_set_trace(nc_dev_t *dev, nc_dev_trace_fn fn,
                                           void *ctx);

/**
 * Test hook: makes the device's simulated memory misbehave from the next
 * submission on (NC_FAULT_NONE heals it), to reach the paths a correct
 * memory never takes: dma_bus, the watchdog, nc_dev_wait()'s timeout and the
 * recovery after them. On "lockstep" only the RTL side's memory misbehaves,
 * so the two sides disagree and nc_dev_wait() reports NC_ERR_MISMATCH: the
 * way to test the comparison itself. Fails with NC_ERR_INVALID_ARG for an
 * unknown fault or while a submission is in flight.
 */
NC_MUST_CHECK nc_status_t nc_dev_inject_fault(nc_dev_t *dev,
                                              nc_fault_t fault);

/** When an armed fault strikes, counted from the start of a submission. */
typedef struct {
  nc_fault_t fault; /**< what the memory does from then on; NC_FAULT_NONE
                         disarms */
  uint32_t unit;    /**< NC_HW_UNIT_LOAD, _COMPUTE or _STORE: once that
                         unit's busy counter (PERF_*_BUSY) reaches `after`,
                         i.e. in the middle of its work; NC_HW_UNIT_NONE:
                         once PERF_CYCLES reaches `after` */
  uint64_t after;   /**< cycles (0: from the first cycle) */
} nc_dev_fault_at_t;

/**
 * Test hook: arms a fault for the next submission only. nc_dev_wait() runs
 * the device up to the exact cycle the trigger names (busy counters grow by
 * at most one a cycle, so it never overshoots), makes the memory misbehave
 * from there on, runs on, and heals the memory when it returns, whatever
 * the outcome; nc_dev_result_t.fault_struck says whether the trigger was
 * reached before the submission ended. An SLVERR then fails the next memory
 * access of whichever unit makes it (dma_bus: a LOAD's read, a STORE's
 * write, an instruction fetch); a HANG stalls it (the watchdog, or
 * nc_dev_wait()'s timeout with the watchdog off). On "lockstep" the RTL
 * side alone misbehaves (see nc_dev_inject_fault()). `f` NULL or
 * NC_FAULT_NONE disarms. Fails with NC_ERR_INVALID_ARG for an unknown fault
 * or unit, or while a submission is in flight.
 */
NC_MUST_CHECK nc_status_t nc_dev_arm_fault(nc_dev_t *dev,
                                           const nc_dev_fault_at_t *f);

/**
 * Parses a fault trigger as NEOCOG_FAULT spells it: `FAULT[@WHEN]`, FAULT
 * `slverr` or `hang`, WHEN `load:N`, `compute:N`, `store:N` (that unit's
 * busy cycles) or `cycle:N` (device cycles); without WHEN, from the first
 * cycle. "slverr@store:40" fails a STORE write 40 cycles into the store
 * unit's work. NC_ERR_INVALID_ARG with a detail for anything else.
 */
NC_MUST_CHECK nc_status_t nc_dev_fault_parse(const char *text,
                                             nc_dev_fault_at_t *out);

/** Name of an NC_HW_ERR_* code, e.g. "dma_window"; "?" when unknown. The
 *  names come from hw/data/neocog.json (nc_hw_err_name()). */
const char *nc_dev_err_name(uint32_t code);

/** Name of an NC_HW_UNIT_* value, e.g. "load" ("host" for NC_HW_UNIT_NONE);
 *  "?" when unknown. The names come from hw/data/neocog.json
 *  (nc_hw_unit_name()). */
const char *nc_dev_unit_name(uint32_t unit);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_DRV_H */
