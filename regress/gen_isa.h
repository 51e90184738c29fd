/*
 * The ISA-level program generator and the RTL-against-model comparison,
 * shared by the "isa" and "illegal" generators. The programs' window
 * layout and token counters are testkit/isa_stream.h's.
 */
#ifndef NEOCOG_REGRESS_GEN_ISA_H
#define NEOCOG_REGRESS_GEN_ISA_H

#include "neocog/rng.h"
#include "neocog/sim.h"
#include "regress/regress_internal.h"
#include "testkit/isa_stream.h"
#include "testkit/rig.h"

/* Appends a legal program of at most `max_len` instructions ending with
 * FINISH (with FINISHes inside when `finish_inside`); `tok` (may be NULL)
 * receives the tokens left in each counter at its end. */
void rg_isa_stream(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                   int tok[4]);

/* Appends a race-free program: steps of LOADs, GEMMs and STOREs on
 * alternating halves of the scratchpad and accumulator (double buffering),
 * ordered by tokens wherever one unit uses what another writes, so that its
 * results do not depend on timing and can be compared byte for byte. The
 * tokens are pushed and popped on the instructions or on SYNCs before and
 * after them, with extra token pairs between the units. Ends with FINISH
 * (FINISHes inside when `finish_inside`); `tok` as rg_isa_stream. */
void rg_isa_stream_sync(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                        int tok[4]);

/* Random window contents and legal qparam records into a rig memory image
 * (RIG_MEM_SIZE bytes). */
void rg_isa_memory(nc_rng_t *g, uint8_t *mem);

/* The job's device configuration (mem=random draws latency and
 * bandwidth from the job's seed). */
void rg_isa_config(const rg_ctx_t *c, nc_sim_config_t *cfg);

/* Where an item's rig memory sits in the physical address space: at
 * RIG_MEM_BASE (place=fixed, the default), or (place=random) anywhere in
 * the AXI address space, 16-byte aligned, with random bits above it in the
 * _HI halves of WIN_BASE and RING_BASE (which the device ignores), so that
 * every address bit of the registers, the DMA engines and the bus moves. */
typedef struct {
  uint64_t base;     /* physical address of the rig memory */
  uint64_t hi_extra; /* bits 63:axi_addr_bits of the _HI registers */
  uint32_t win_size; /* WIN_SIZE: RIG_WIN_SIZE, or more (which grants
                        memory no program of the streams touches) */
} rg_place_t;

/* Draws an item's placement from `g` (place=random; nothing is drawn with
 * place=fixed); `win` 1: a random WIN_SIZE of RIG_WIN_SIZE and up. */
void rg_isa_place(const rg_ctx_t *c, nc_rng_t *g, int win, rg_place_t *pl);

/* Opens a rig of `kind` holding `image` at `pl` (NULL: RIG_MEM_BASE); 1
 * (after rg_fail) when it cannot be opened. */
int rg_isa_open(rg_ctx_t *c, rig_t *r, rig_kind_t kind,
                const nc_sim_config_t *cfg, const uint8_t *image,
                const rg_place_t *pl);

/* Writes the program into the ring (after a soft reset) and clears and
 * enables the counters. */
void rg_isa_load(rig_t *r, const prog_t *p);

/* A ring: RING_SIZE `size`, the program from entry `head` on (HEAD =
 * head, TAIL = (head + n) mod size), and RING_BASE such that entry `at`
 * is the first byte of the rig memory (0: the ring starts there; a ring
 * whose entries before `at` lie below the rig memory never wraps). */
typedef struct {
  uint32_t size, head, at;
} rg_ring_t;

/* The same into the ring `ring`. */
void rg_isa_load_ring(rig_t *r, const prog_t *p, const rg_ring_t *ring);

/* Appends three runs (each ends with FINISH) that each give work to one
 * unit only: LOADs, a STORE, a GEMM. rg_isa_run_pair checks that the
 * other units' busy and stall counters do not move in them. Draws
 * nothing. */
void rg_isa_idle_tail(prog_t *p);

/* Presets every performance counter of both devices to the same values,
 * drawn from `g` a little below a carry (the low half of each 64-bit
 * counter, each 32-bit counter a few counts below 2^32; random high
 * halves), so that the program's counts carry into the high halves and
 * wrap the 32-bit counters; records them in c->perf0 and checks that both
 * devices read them back. Then a random WATCHDOG from its reset value to
 * 2^32 - 1 (no program of the streams waits that long), read back too. 1
 * (after rg_fail) when a device does not read back what was written. */
int rg_isa_preset(rg_ctx_t *c, nc_rng_t *g, rig_t *rtl, rig_t *model);

/* Runs the device until it stops or `budget` cycles pass; STATUS. */
nc_status_t rg_isa_step(rig_t *r, uint64_t budget, uint32_t *status);

/* Compares a stopped RTL with a stopped model: the error registers always;
 * RING_HEAD, the timing-independent counters and, when `memory`, every
 * byte of memory after a clean stop. 1 (after rg_fail) on a difference. */
int rg_isa_compare(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                   int memory);

/* Cycles a stop of the RTL may take before it counts as a hang. */
#define RG_ISA_RTL_BUDGET UINT64_C(20000000)

/* Runs both started devices to their next stop (or `budget` cycles when
 * not 0, without comparing) and compares them (memory too when `memory`);
 * *model_status receives the model's STATUS. 1 (after rg_fail) on a
 * difference. */
int rg_isa_stop_pair(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                     uint64_t budget, int memory, uint32_t *model_status);

/* Runs a loaded program to its end (RING_HEAD = RING_TAIL) on both,
 * starting them again after each FINISH, compared at every stop (memory
 * too when `memory`: the program must be race-free; and the busy and stall
 * counters of each unit the run gave no instruction, which must not move);
 * an error stop is a failure. */
int rg_isa_run_pair(rg_ctx_t *c, const char *what, rig_t *rtl, rig_t *model,
                    int memory);

#endif /* NEOCOG_REGRESS_GEN_ISA_H */
