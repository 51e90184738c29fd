/* State of the functional model, shared by its translation units. */
#ifndef NEOCOG_SIM_MODEL_INTERNAL_H
#define NEOCOG_SIM_MODEL_INTERNAL_H

#include <stdint.h>

#include "neocog/model.h"
#include "neocog/nc_hw.h"
#include "neocog/sched.h"

/* One parameter-memory entry, decoded, with the raw record. */
typedef struct {
  nc_hw_qparam_vals_t q; /* the record's fields */
  nc_hw_qparam_t raw;    /* the record as LOAD_PARAM read it */
} nc__param_t;

/* A 64-bit counter with the snapshot of its high half. */
typedef struct {
  uint64_t v;
  uint32_t hi_snap;
} nc__ctr_t;

struct nc_model {
  nc_model_config_t cfg;

  /* Attached physical memory. */
  uint8_t *mem;
  uint64_t mem_base, mem_size;
  nc_fault_t fault;

  /* Registers (RING_SIZE, RING_HEAD, RING_TAIL and WATCHDOG are the
   * scheduler's). */
  uint32_t status; /* busy, done, error bits */
  uint32_t err_code, err_insn, err_info;
  uint32_t intr_state, intr_enable;
  uint64_t ring_base, win_base;
  uint32_t win_size;
  uint32_t perf_enable;
  nc__ctr_t cycles, macs, rd_bytes, wr_bytes;
  uint64_t unit_busy[NC__SCHED_NQ], unit_stall[NC__SCHED_NQ], insns;
  uint64_t retire_seq;

  /* Fetch, queues, tokens, units and time (base/include/neocog/sched.h). */
  nc__sched_t sched;

  /* Unit state set by LOAD_CFG and STORE_CFG. */
  uint32_t ld_xs, ld_ys, ld_zs;
  int8_t ld_pad;
  uint32_t st_fmt, st_pool, st_kh, st_kw, st_sh, st_sw, st_xs, st_ys;
  uint32_t st_add, st_rdelta; /* STORE_CFG add, res_delta */

  /* On-chip memories. */
  int8_t *spad;                        /* NC_HW_SPAD_ROWS x NC_HW_ROWS */
  uint32_t *acc;                       /* NC_HW_ACC_ROWS x NC_HW_COLS */
  nc__param_t *param;                  /* NC_HW_PARAM_ENTRIES */
  int16_t wgt[NC_HW_ROWS][NC_HW_COLS]; /* stationary weights, [k][n] */
  int32_t *tile;                       /* STORE scratch: acc rows x cols */

  nc_sim_trace_fn trace;
  void *trace_ctx;
};

/* Result of executing one instruction's data movement (its cycles come
 * from the scheduler and its timing rules, neocog/sched.h). */
typedef struct {
  uint32_t err, info; /* NC_HW_ERR_NONE or the error to raise */
} nc__exec_t;

/* Executes a LOAD, LOAD_CFG, GEMM, STORE, STORE_CFG or LOAD_PARAM whose
 * checks have passed: either every effect happens, or none and r->err says
 * why. Counts MACs and bytes. */
void nc__model_exec(nc_model_t *m, const nc_hw_insn_t *insn, nc__exec_t *r);

/* The STORE rules that depend on the STORE_CFG state, which the generated
 * nc_hw_store_check() cannot see. Returns an NC_HW_ERR_ code. */
uint32_t nc__model_store_pool_check(const nc_model_t *m,
                                    const nc_hw_insn_t *insn, uint32_t *info);

/* Resets the unit state LOAD_CFG/STORE_CFG set and the array's weights. */
void nc__model_reset_units(nc_model_t *m);

#endif /* NEOCOG_SIM_MODEL_INTERNAL_H */
