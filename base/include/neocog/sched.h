/*
 * The accelerator's scheduler, in one place: when each instruction of a
 * stream is fetched, dispatched, accepted by its unit and retired, and what
 * the device does when it cannot go on (deadlock, watchdog). It needs only
 * the instruction stream, the memory port's latency and bandwidth, and the
 * timing rules of neocog/timing.h; no data.
 *
 * Two callers drive it: the functional model (sim/model/model.c), which
 * moves the data when the scheduler says an instruction runs, and the
 * planner's cost model (host/plan_cost.c), which only counts. Both use this
 * one implementation, so the cycles the planner predicts for a stream are
 * the cycles the model counts for it.
 *
 * The structure is the device's (docs/isa.md, sim/model/README.md): a ring
 * of entries that fetch reads in bursts of up to NC__SCHED_FETCH_MAX into a
 * buffer of NC__TM_FETCH_BUF, dispatch in ring order into the load, compute
 * and store queues, units that accept their head instruction when it passes
 * its checks, its tokens are there and the unit has room, and completions
 * that push tokens and retire the instruction when the timing rules say it
 * is done. Time is simulated by events, not cycle by cycle.
 *
 * What the data does is the caller's, through the hooks of nc__sched_ops_t:
 * reading ring entries, an instruction's rule checks, its effects, its
 * retirement, errors, and the passing of time. This header is shared by the
 * library's layers; it is not part of the API programs use.
 */
#ifndef NEOCOG_SCHED_H
#define NEOCOG_SCHED_H

#include <stdint.h>

#include "neocog/nc_hw.h"
#include "neocog/timing.h"

/* The three execution queues, indexed by NC_HW_QUEUE_*. */
#define NC__SCHED_NQ 3

/* Token counters: load -> compute, compute -> load, compute -> store,
 * store -> compute. */
#define NC__SCHED_NTOK 4

/* Most ring entries one fetch burst reads: a longest AXI burst. */
#define NC__SCHED_FETCH_MAX                                         \
  ((NC_HW_AXI_MAX_BEATS * NC_HW_BUS_BYTES) / NC_HW_INSN_BYTES > 0   \
       ? (NC_HW_AXI_MAX_BEATS * NC_HW_BUS_BYTES) / NC_HW_INSN_BYTES \
       : 1)

/* Pending completions at most: each unit holds at most nc__tm_depth() of
 * them, the array's pipeline depth at most. */
#define NC__SCHED_EVENTS (NC__SCHED_NQ * (NC_HW_ARRAY_LATENCY + 1) + 4)

/* A cycle that never comes. */
#define NC__SCHED_NEVER UINT64_MAX

/* A hook's answer that the memory never answers the request: the unit (or
 * fetch) waits for it forever, which only the watchdog ends. */
#define NC__SCHED_HANG UINT32_MAX

/* An instruction with the ring entry it came from. */
typedef struct {
  nc_hw_insn_t insn;
  uint32_t idx;
} nc__sched_entry_t;

/* A pending completion: at `time` the instruction's tokens are pushed and it
 * retires. */
typedef struct {
  uint64_t time;
  uint64_t seq;   /* tie-break: events of one cycle run in creation order */
  uint64_t start; /* cycle the unit began it */
  uint32_t idx;   /* ring index */
  uint8_t q;      /* queue (NC_HW_QUEUE_*) */
  uint8_t opcode;
  uint8_t push_prev, push_next;
} nc__sched_event_t;

/* One execution unit and its queue. */
typedef struct {
  nc__sched_entry_t q[NC_HW_INSN_QUEUE_DEPTH];
  unsigned head, count;
  uint64_t start;            /* cycle the current instruction began */
  uint64_t stall_until;      /* until then it waits for the memory port */
  uint64_t free_at;          /* cycle the unit can begin its next instruction */
  uint64_t busy_until;       /* it works on accepted instructions until then */
  unsigned inflight;         /* completions scheduled, not yet retired */
  int hung;                  /* waiting for a memory that never answers */
  nc__sched_entry_t hung_on; /* the instruction it hangs on */
} nc__sched_unit_t;

/* What the caller does for the scheduler. `ctx` is nc__sched_t.ctx. A hook
 * may call nc__sched_stop() (an error the caller raises itself), but no
 * other scheduler function. */
typedef struct {
  /* Reads ring entries [pos, pos + n) into out[i].insn (the ring does not
   * wrap inside one call). Returns NC_HW_ERR_NONE, the error fetch raises
   * (ERR_INSN pos, ERR_INFO 0) with nothing fetched, or NC__SCHED_HANG. */
  uint32_t (*fetch)(void *ctx, uint32_t pos, uint32_t n,
                    nc__sched_entry_t *out);
  /* The rule checks of a queue's head instruction, made when its unit is
   * free and before it waits for its tokens: NC_HW_ERR_NONE or the error,
   * with *info its ERR_INFO. NULL: no checks. */
  uint32_t (*check)(void *ctx, const nc_hw_insn_t *in, uint32_t *info);
  /* The unit accepted the instruction (its tokens popped): its effects, at
   * once. NC_HW_ERR_NONE (the timing rules then say how long it takes), the
   * error with *info, or NC__SCHED_HANG. */
  uint32_t (*exec)(void *ctx, const nc_hw_insn_t *in, uint32_t *info);
  /* An instruction retired at `end`: a unit's, or a FINISH (unit fetch,
   * start == end). */
  void (*retire)(void *ctx, uint32_t idx, uint32_t opcode, uint32_t unit,
                 uint64_t start, uint64_t end);
  /* The device stops with an error (NC_HW_ERR_*, NC_HW_UNIT_*, ERR_INSN,
   * ERR_INFO); the scheduler has stopped when it returns. */
  void (*raise)(void *ctx, uint32_t code, uint32_t unit, uint32_t idx,
                uint32_t info);
  /* The cycles [t0, t1) pass, during which nothing changes state. NULL:
   * nothing to count. */
  void (*account)(void *ctx, uint64_t t0, uint64_t t1);
} nc__sched_ops_t;

/* Why nc__sched_run() returned. */
typedef enum {
  NC__SCHED_PAUSED = 0, /* the cycle budget is spent; still running */
  NC__SCHED_IDLE,       /* nothing will happen until the ring grows (the
                           budget has passed); still running */
  NC__SCHED_FINISHED,   /* a FINISH retired; stopped */
  NC__SCHED_STOPPED     /* an error was raised, or a hook stopped it */
} nc__sched_why_t;

/* The scheduler's state. The caller reads it (the model's STATUS and
 * performance counters) and writes the ring registers and the watchdog
 * (while stopped, RING_HEAD sets head and fetch_ptr alike); everything else
 * changes only through these functions. */
typedef struct {
  const nc__sched_ops_t *ops;
  void *ctx;
  uint64_t now; /* model time */
  int running;  /* started, not yet stopped */
  int finished; /* it stopped at a FINISH */
  /* The ring (RING_SIZE, RING_HEAD: next entry to dispatch, RING_TAIL) and
   * the watchdog (WATCHDOG; 0: off). */
  uint32_t size, head, tail, watchdog;
  /* Fetch. */
  uint32_t fetch_ptr;                       /* next ring entry to read */
  nc__sched_entry_t fbuf[NC__TM_FETCH_BUF]; /* fetched, not dispatched */
  unsigned fbuf_head, fbuf_count;
  int fetch_inflight;    /* a burst is on its way */
  int fetch_hung;        /* ... and never arrives */
  uint64_t fetch_arrive; /* cycle it arrives */
  unsigned fetch_n;      /* entries it carries */
  nc__sched_entry_t fetch_data[NC__SCHED_FETCH_MAX];
  nc__tm_t tm;            /* the timing rules' state (timing.h) */
  uint64_t last_progress; /* latest cycle anything is known to progress */
  /* Units, tokens, completions. */
  nc__sched_unit_t unit[NC__SCHED_NQ];
  uint32_t tok[NC__SCHED_NTOK];
  nc__sched_event_t ev[NC__SCHED_EVENTS]; /* binary min-heap on (time, seq) */
  unsigned nev;
  uint64_t ev_seq;
} nc__sched_t;

/* A reset device at cycle 0 with an empty ring of 0 entries, the watchdog
 * off, memory `latency` cycles and `bw` bytes per cycle away. */
void nc__sched_init(nc__sched_t *s, const nc__sched_ops_t *ops, void *ctx,
                    uint64_t latency, uint64_t bw);

/* Drops everything in flight: fetch, queues, units, pending completions.
 * The entries dispatched to the queues count as consumed (head stays past
 * them); what fetch held but had not dispatched is fetched again at the
 * next start. Tokens and the CFG state stay. */
void nc__sched_stop(nc__sched_t *s);

/* Soft reset: stops, clears the tokens and the LOAD_CFG/STORE_CFG state. */
void nc__sched_reset(nc__sched_t *s);

/* START: fresh pipelines at the current cycle, fetching from head. */
void nc__sched_start(nc__sched_t *s);

/* Runs until it stops or the cycle `end` (NC__SCHED_NEVER: no limit). */
nc__sched_why_t nc__sched_run(nc__sched_t *s, uint64_t end);

/* The queue an instruction goes to (NC_HW_QUEUE_*), -1 for FINISH, an
 * unknown opcode or a SYNC naming no queue. */
int nc__sched_queue_of(const nc_hw_insn_t *in);

/* Whether queue q's unit has work: queued, in flight, hung or busy. */
int nc__sched_unit_busy(const nc__sched_t *s, int q);

#endif /* NEOCOG_SCHED_H */
