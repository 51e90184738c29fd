/* State of the functional model, shared by its translation units. */
#ifndef NEOCOG_SIM_MODEL_INTERNAL_H
#define NEOCOG_SIM_MODEL_INTERNAL_H

#include <stdint.h>

#include "neocog/model.h"
#include "neocog/nc_hw.h"
#include "neocog/timing.h"

/* The three execution queues, indexed by NC_HW_QUEUE_*. */
#define NC__NQ 3

/* Token counters, one per direction between neighbouring queues. */
enum {
  NC__TOK_L2C = 0, /* load -> compute */
  NC__TOK_C2L,     /* compute -> load */
  NC__TOK_C2S,     /* compute -> store */
  NC__TOK_S2C,     /* store -> compute */
  NC__NTOK
};

/* Most ring entries one fetch burst reads: a longest AXI burst. */
#define NC__FETCH_MAX                                               \
  ((NC_HW_AXI_MAX_BEATS * NC_HW_BUS_BYTES) / NC_HW_INSN_BYTES > 0   \
       ? (NC_HW_AXI_MAX_BEATS * NC_HW_BUS_BYTES) / NC_HW_INSN_BYTES \
       : 1)

/* Completions one unit may have in flight: the array's pipeline depth. */
#define NC__MAX_INFLIGHT (NC_HW_ARRAY_LATENCY + 1)

/* A cycle that never comes. */
#define NC__NEVER UINT64_MAX

/* An instruction with the ring entry it came from. */
typedef struct {
  nc_hw_insn_t insn;
  uint32_t idx;
} nc__entry_t;

/* A pending completion: at `time` the instruction's tokens are pushed and it
 * retires. */
typedef struct {
  uint64_t time;
  uint64_t seq;   /* tie-break: events of one cycle run in creation order */
  uint64_t start; /* cycle the unit began it (for the trace) */
  uint32_t idx;   /* ring index */
  uint8_t q;      /* queue (NC_HW_QUEUE_*) */
  uint8_t opcode;
  uint8_t push_prev, push_next;
} nc__event_t;

/* One execution unit and its queue. */
typedef struct {
  nc__entry_t q[NC_HW_INSN_QUEUE_DEPTH];
  unsigned head, count;
  uint64_t start;       /* cycle the current instruction began */
  uint64_t stall_until; /* until then it waits for the memory port */
  uint64_t free_at;     /* cycle the unit can begin its next instruction */
  uint64_t busy_until;  /* it works on accepted instructions until then */
  unsigned inflight;    /* completions scheduled, not yet retired */
  int hung;             /* waiting for a memory that never answers */
  nc__entry_t hung_on;  /* the instruction it hangs on */
} nc__unit_t;

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

  /* Registers. */
  uint32_t status; /* busy, done, error bits */
  uint32_t err_code, err_insn, err_info;
  uint32_t intr_state, intr_enable;
  uint64_t ring_base, win_base;
  uint32_t ring_size, ring_head, ring_tail, win_size, watchdog;
  uint32_t perf_enable;
  nc__ctr_t cycles, macs, rd_bytes, wr_bytes;
  uint64_t unit_busy[NC__NQ], unit_stall[NC__NQ], insns;

  /* Command processor. */
  uint64_t now;                    /* model time */
  uint32_t fetch_ptr;              /* next ring entry to read */
  nc__entry_t fbuf[NC__TM_FETCH_BUF]; /* fetched, not yet dispatched */
  unsigned fbuf_head, fbuf_count;
  int fetch_inflight;    /* a burst is on its way */
  int fetch_hung;        /* ... and never arrives */
  uint64_t fetch_arrive; /* cycle it arrives */
  unsigned fetch_n;      /* entries it carries */
  nc__entry_t fetch_data[NC__FETCH_MAX];
  nc__tm_t tm;            /* timing rules' state (base/include/neocog/timing.h) */
  uint64_t last_progress; /* latest cycle anything is known to progress */

  nc__unit_t unit[NC__NQ];
  uint32_t tok[NC__NTOK];
  nc__event_t *ev; /* binary min-heap on (time, seq) */
  unsigned nev, ev_cap;
  uint64_t ev_seq, retire_seq;

  /* Unit state set by LOAD_CFG and STORE_CFG. */
  uint32_t ld_xs, ld_ys, ld_zs;
  int8_t ld_pad;
  uint32_t st_fmt, st_pool, st_kh, st_kw, st_sh, st_sw, st_xs, st_ys;

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
 * from the timing rules, timing.h). */
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
