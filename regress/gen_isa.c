/*
 * The "isa" generator: random legal instruction programs written at the
 * ISA level (testkit/prog.h builders, not the planner), run from the same
 * memory image on the RTL and on the functional model, compared at every
 * stop.
 *
 * A program mixes LOAD_CFG, LOAD (3-D strides, padding on every side,
 * every element count, im2col), GEMM (loops, strides, accumulate, kept
 * weights), DWCONV (1 compute instruction in 4 of the strict programs),
 * STORE_CFG and STORE (int8 and int32, max and average pooling with
 * padding), LOAD_PARAM and SYNC, with scratchpad accesses at bank edges and
 * across them, and FINISHes inside the stream (the host starts the device
 * again after each, as the driver would). Two kinds (sync=):
 *
 *   strict  race-free (rg_isa_stream_sync): steps of LOADs, GEMMs and
 *           STOREs on alternating halves of the scratchpad and accumulator,
 *           ordered by tokens on the instructions or on SYNCs around them,
 *           with extra token pairs, so the results do not depend on timing
 *           and memory is compared byte for byte
 *   free    any consistent tokens (rg_isa_stream: a pop takes only a token
 *           pushed earlier, so the program cannot deadlock), units racing
 *           on shared rows; everything but memory is compared
 *
 * Backends:
 *   rtl       the RTL and the model as two devices: after every stop
 *             STATUS, ERR_CODE, ERR_INSN, ERR_INFO, RING_HEAD, INTR_STATE,
 *             the counters that do not depend on timing (MACs, bytes
 *             written, instructions) and every byte of memory (ring, window
 *             and the guard after it) must be equal, and the RTL must not
 *             have touched memory outside the window and the ring.
 *             PERF_RD_BYTES is not compared: the RTL counts whole bursts,
 *             the model the bytes the ISA moves.
 *   lockstep  the lockstep device, which compares the two after every stop
 *             itself; a mismatch is a failure (strict programs only)
 *   model     the model against the planner's cost model, which replays
 *             the program with the same scheduler: cycles, bytes and MACs
 *             must be equal
 *
 * Every program ends with three runs that each give work to one unit only
 * (rg_isa_idle_tail); at every stop of the rtl backend the busy and stall
 * counters of each unit the run gave no instruction must not have moved,
 * on either device.
 *
 * Per job: the memory's latency and bandwidth (mem=random). Per item: the
 * program, the window's contents and the ring: the whole rig ring with the
 * program from entry 0 (ring=full), a ring a few entries longer than the
 * program with the program starting before its end, so that fetch wraps
 * (ring=small), or a ring of up to 2^32 - 1 entries with the program from
 * a random HEAD (ring=far); ring=random: one of the three. And where the
 * rig memory sits (place=random: anywhere in the AXI address space, with
 * ignored bits above it in the _HI registers, and a WIN_SIZE of 2 MiB to
 * 4 GiB - 1, which grants more than the programs touch). The model backend
 * always uses the whole ring: the cost model replays the program without a
 * ring. perf=preset (perf=random: 1 item in 2): the rtl backend presets
 * every performance counter of both devices a little below a carry, checks
 * that both read the values back, and counts from them (the 64-bit
 * counters carry into their high halves, the 32-bit ones wrap, and the
 * compared counters must still agree); and arms the watchdog with a random
 * WATCHDOG of its reset value or more, which must not fire.
 */
#include "regress/gen_isa.h"

#include <string.h>

#include "neocog/plan.h"
#include "neocog/rng.h"
#include "neocog/sched.h"
#include "regress/regress_internal.h"
#include "testkit/isa_stream.h"
#include "testkit/rig.h"

void rg_isa_stream(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                   int tok[4]) {
  isa_stream(g, p, max_len, finish_inside, 1, tok);
}

/* ---- race-free programs ---- */

/* A first row for `span` rows inside [base, base + size): anywhere, at a
 * bank's first row, or across the edge between two banks. */
static uint32_t row_in_(isa_gen_t *s, uint32_t base, uint32_t size,
                        uint32_t span, uint32_t bank_rows) {
  const uint32_t last = base + size - span;
  uint32_t r;
  switch (isa_rnd(s, 0, 3)) {
    case 0:
      r = base + bank_rows * isa_rnd(s, 0, size / bank_rows - 1);
      break;
    case 1: /* ends just past an edge inside the range */
      r = base + bank_rows * isa_rnd(s, 1, size / bank_rows) -
          (span > 1 ? isa_rnd(s, 1, span - 1) : 0);
      break;
    default:
      r = isa_rnd(s, base, last);
  }
  return r > last ? last : r < base ? base : r;
}

/* One step's LOAD, GEMM and STORE, each inside the step's half of the
 * scratchpad and accumulator (strides, padding, pooling and the rest as
 * in the free programs). */
static void sync_load_(isa_gen_t *s, uint32_t half, unsigned flags) {
  ld_t a = isa_load_shape(s);
  a.sram = row_in_(s, half * (NC_HW_SPAD_ROWS / 2), NC_HW_SPAD_ROWS / 2,
                   isa_load_rows(&a), NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS);
  a.dram = isa_rnd(s, ISA_LD_OFF, ISA_LD_OFF + 0x20000);
  p_load(s->p, a, flags);
}

/* A DWCONV inside the step's halves (its input span cut to fit one). */
static void sync_dwconv_(isa_gen_t *s, uint32_t half, unsigned flags) {
  const uint32_t sb = half * (NC_HW_SPAD_ROWS / 2), ss = NC_HW_SPAD_ROWS / 2;
  const uint32_t ab = half * (NC_HW_ACC_ROWS / 2), as = NC_HW_ACC_ROWS / 2;
  const uint32_t bank = NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS;
  dw_t a = isa_dwconv_shape(s);
  while (isa_dwconv_inp_rows(&a) > ss && (a.ps > 1 || a.oh > 1)) {
    if (a.ps > 1) {
      a.ps--;
    } else {
      a.oh--;
    }
  }
  a.wgt = a.keep ? 0 : row_in_(s, sb, ss, NC_HW_COLS, bank);
  a.inp = row_in_(s, sb, ss, isa_dwconv_inp_rows(&a), bank);
  a.acc = row_in_(s, ab, as, isa_dwconv_acc_rows(&a), as);
  if (!isa_one_in(s, 3)) {
    p_dwconv(s->p, a, flags);
    return;
  }
  /* 1 in 3: a second DWCONV of the same geometry on other rows right
   * behind it (the array streams on without a drain); the pops on the
   * first, the pushes on the second. */
  p_dwconv(s->p, a, flags & (PP | PN));
  a.inp = row_in_(s, sb, ss, isa_dwconv_inp_rows(&a), bank);
  a.acc = row_in_(s, ab, as, isa_dwconv_acc_rows(&a), as);
  p_dwconv(s->p, a, flags & (UP | UN));
}

static void sync_gemm_(isa_gen_t *s, uint32_t half, unsigned flags) {
  const uint32_t sb = half * (NC_HW_SPAD_ROWS / 2), ss = NC_HW_SPAD_ROWS / 2;
  const uint32_t ab = half * (NC_HW_ACC_ROWS / 2), as = NC_HW_ACC_ROWS / 2;
  const uint32_t bank = NC_HW_SPAD_ROWS / NC_HW_SPAD_BANKS;
  if (isa_one_in(s, 4)) {
    sync_dwconv_(s, half, flags);
    return;
  }
  gm_t a = isa_gemm_shape(s);
  a.wgt = a.keep ? 0 : row_in_(s, sb, ss, NC_HW_COLS, bank);
  a.inp = row_in_(s, sb, ss, 1 + (a.lo - 1) * a.iso + (a.li - 1) * a.isi, bank);
  a.acc = row_in_(s, ab, as, 1 + (a.lo - 1) * a.aso + (a.li - 1) * a.asi, as);
  p_gemm(s->p, a, flags);
}

static void sync_store_(isa_gen_t *s, uint32_t half, unsigned flags) {
  st_t a = isa_store_shape(s);
  const uint32_t as = NC_HW_ACC_ROWS / 2;
  a.acc = half * as + isa_rnd(s, 0, as - a.y * a.x);
  a.param = isa_rnd(s, 0, NC_HW_PARAM_ENTRIES - a.ncols);
  a.dram = isa_rnd(s, ISA_ST_OFF, ISA_ST_OFF + 0x40000);
  isa_store_addq(s, &a);
  p_store(s->p, a, flags);
}

/* Emits `n` instructions of one unit's part of a step: `first` flags on
 * the first (or on a SYNC of queue q before it), `last` flags on the last
 * (or on a SYNC after it); `one` emits one instruction with the flags
 * given. Configuration instructions (no flags) fall in between. */
static void part_(isa_gen_t *s, int q, int n, unsigned first, unsigned last,
                  uint32_t half,
                  void (*one)(isa_gen_t *s, uint32_t half, unsigned flags)) {
  if (first && isa_one_in(s, 3)) {
    p_sync(s->p, (uint32_t)q, first);
    first = 0;
  }
  const int trailing = last && isa_one_in(s, 3);
  for (int i = 0; i < n; i++) {
    if (q == NC_HW_QUEUE_LOAD && isa_one_in(s, 4)) {
      isa_load_cfg(s, -1);
    }
    if (q == NC_HW_QUEUE_STORE && isa_one_in(s, 4)) {
      isa_store_cfg(s, -1);
    }
    if (q == NC_HW_QUEUE_STORE && isa_one_in(s, 5)) {
      isa_load_param(s, -1);
    }
    unsigned f = i == 0 ? first : 0;
    f |= i == n - 1 && !trailing ? last : 0;
    one(s, half, f);
  }
  if (trailing) {
    p_sync(s->p, (uint32_t)q, last);
  }
}

void rg_isa_stream_sync(nc_rng_t *g, prog_t *p, int max_len, int finish_inside,
                        int tok[4]) {
  isa_gen_t s;
  isa_gen_init(&s, g, p, 1);
  const size_t target = p->n + (size_t)nc_rng_range(g, 1, max_len);
  int k = 0;
  while (p->n < target) {
    const uint32_t h = (uint32_t)(k % 2);
    const int old = k >= 2; /* the step two back used this half */
    /* Loads wait until the GEMMs two steps back stopped reading the
     * half; the last load tells compute. */
    part_(&s, NC_HW_QUEUE_LOAD, (int)isa_rnd(&s, 1, 4), old ? PN : 0, UN, h,
          sync_load_);
    const int extra_l2c = isa_one_in(&s, 4);
    if (extra_l2c) {
      p_sync(p, NC_HW_QUEUE_LOAD, UN); /* after every load of the step */
    }
    /* GEMMs wait for the loads, and for the stores two steps back to have
     * read the accumulator half; the last frees the scratchpad half and
     * tells store. */
    const int ng = (int)isa_rnd(&s, 1, 4);
    const int extra_c2s = isa_one_in(&s, 4);
    part_(&s, NC_HW_QUEUE_COMPUTE, 1, PP | (old ? PN : 0),
          ng == 1 ? UP | UN : 0, h, sync_gemm_);
    if (extra_l2c) {
      p_sync(p, NC_HW_QUEUE_COMPUTE, PP);
    }
    if (ng > 1) {
      part_(&s, NC_HW_QUEUE_COMPUTE, ng - 1, 0, UP | UN, h, sync_gemm_);
    }
    if (extra_c2s) {
      p_sync(p, NC_HW_QUEUE_COMPUTE, UN);
    }
    /* Stores wait for the GEMMs; the last frees the accumulator half. */
    const int ns = (int)isa_rnd(&s, 1, 3);
    part_(&s, NC_HW_QUEUE_STORE, 1, PP, ns == 1 ? UP : 0, h, sync_store_);
    if (extra_c2s) {
      p_sync(p, NC_HW_QUEUE_STORE, PP);
    }
    if (ns > 1) {
      part_(&s, NC_HW_QUEUE_STORE, ns - 1, 0, UP, h, sync_store_);
    }
    k++;
    if (finish_inside && isa_one_in(&s, 8)) {
      p_finish(p);
    }
  }
  p_finish(p);
  if (tok != NULL) {
    tok[ISA_T_L2C] = tok[ISA_T_C2S] = 0;
    tok[ISA_T_C2L] = tok[ISA_T_S2C] = k < 2 ? k : 2;
  }
}

void rg_isa_memory(nc_rng_t *g, uint8_t *mem) {
  uint8_t *win = mem + RIG_WIN_OFF;
  for (uint64_t i = 0; i < RIG_WIN_SIZE; i += 8) {
    const uint64_t v = nc_rng_next(g);
    memcpy(win + i, &v, 8);
  }
  for (uint32_t i = 0; i < ISA_PRM_RECS; i++) {
    const int32_t lo = (int32_t)nc_rng_range(g, -128, 255);
    qparam_put(win + ISA_PRM_OFF + i * NC_HW_QPARAM_BYTES,
               (int32_t)nc_rng_next(g), (int32_t)nc_rng_range(g, 0, INT32_MAX),
               (int32_t)nc_rng_range(g, -31, 30),
               (int32_t)nc_rng_range(g, -128, 255), lo,
               (int32_t)nc_rng_range(g, lo, 255));
  }
  isa_addq_fill(g, win);
}

void rg_isa_config(const rg_ctx_t *c, nc_sim_config_t *cfg) {
  nc_sim_config_default(cfg);
  if (strcmp(rg_opt_str(c, "mem", "default"), "random") == 0) {
    nc_rng_t g;
    nc_rng_seed(&g, rg_item_seed(c->stream, UINT64_MAX));
    static const uint32_t lat[] = {1, 2, 10, 50, 100, 300, 1000};
    cfg->mem_latency = lat[nc_rng_range(&g, 0, 6)];
    cfg->mem_bytes_per_cycle = (uint32_t)nc_rng_range(&g, 1, NC_HW_BUS_BYTES);
  }
}

void rg_isa_place(const rg_ctx_t *c, nc_rng_t *g, int win, rg_place_t *pl) {
  pl->base = RIG_MEM_BASE;
  pl->hi_extra = 0;
  pl->win_size = (uint32_t)RIG_WIN_SIZE;
  if (strcmp(rg_opt_str(c, "place", "fixed"), "random") != 0) {
    return;
  }
  if (win) {
    pl->win_size =
        (uint32_t)nc_rng_range(g, (int64_t)RIG_WIN_SIZE, (int64_t)UINT32_MAX);
  }
  const uint64_t top =
      NC_HW_AXI_ADDR_BITS >= 64
          ? UINT64_MAX - RIG_MEM_SIZE
          : (UINT64_C(1) << NC_HW_AXI_ADDR_BITS) - RIG_MEM_SIZE;
  pl->base = (nc_rng_next(g) % (top / NC_HW_INSN_BYTES)) * NC_HW_INSN_BYTES;
  pl->hi_extra = nc_rng_next(g);
}

int rg_isa_open(rg_ctx_t *c, rig_t *r, rig_kind_t kind,
                const nc_sim_config_t *cfg, const uint8_t *image,
                const rg_place_t *pl) {
  static const char *const names[] = {"model", "rtl", "lockstep"};
  const nc_status_t st = rig_open_sim_at(
      r, kind, cfg, pl ? pl->base : RIG_MEM_BASE, pl ? pl->hi_extra : 0);
  if (st != NC_OK) {
    return rg_fail(c, "cannot open a %s device: %s", names[kind],
                   nc_error_detail());
  }
  TK_REQUIRE_OK(nc_sim_mem_write(r->s, r->base, image, RIG_MEM_SIZE));
  if (pl != NULL) {
    rig_wr(r, NC_HW_CSR_WIN_SIZE_OFFSET, pl->win_size);
  }
  return 0;
}

/* The rig memory offset of ring entry 0: RING_BASE as the device uses it,
 * less the rig's base (negative when the ring starts below the rig). */
static int64_t ring_off_(rig_t *r) {
  const uint64_t amask = NC_HW_AXI_ADDR_BITS >= 64
                             ? UINT64_MAX
                             : (UINT64_C(1) << NC_HW_AXI_ADDR_BITS) - 1u;
  const uint64_t rb =
      ((uint64_t)rig_rd(r, NC_HW_CSR_RING_BASE_LO_OFFSET) |
       (uint64_t)rig_rd(r, NC_HW_CSR_RING_BASE_HI_OFFSET) << 32) &
      amask;
  return (int64_t)(rb - r->base);
}

void rg_isa_load_ring(rig_t *r, const prog_t *p, const rg_ring_t *ring) {
  const uint32_t size = ring->size, head = ring->head, at = ring->at;
  TK_REQUIRE(p->n < size && head < size && at <= head &&
             (uint64_t)at * NC_HW_INSN_BYTES <= r->base);
  /* Inside the rig's ring area, below the window. */
  TK_REQUIRE(at == 0 ? size <= RIG_RING_ENTRIES
                     : head + p->n < size &&
                           ((uint64_t)head - at + p->n) * NC_HW_INSN_BYTES <=
                               RIG_WIN_OFF);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  /* RING_BASE: the bits above the AXI address kept as they are. */
  const uint64_t above =
      NC_HW_AXI_ADDR_BITS >= 64
          ? 0
          : (uint64_t)rig_rd(r, NC_HW_CSR_RING_BASE_HI_OFFSET) << 32 >>
                NC_HW_AXI_ADDR_BITS << NC_HW_AXI_ADDR_BITS;
  const uint64_t rb = (r->base - (uint64_t)at * NC_HW_INSN_BYTES) | above;
  rig_wr(r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)rb);
  rig_wr(r, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(rb >> 32));
  rig_wr(r, NC_HW_CSR_RING_SIZE_OFFSET, size);
  const int64_t off0 = ring_off_(r);
  for (size_t i = 0; i < p->n; i++) {
    uint8_t b[NC_HW_INSN_BYTES];
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS, b);
    rig_write(
        r, (uint64_t)(off0 + (int64_t)((head + i) % size) * NC_HW_INSN_BYTES),
        b, sizeof b);
  }
  rig_wr(r, NC_HW_CSR_RING_HEAD_OFFSET, head);
  rig_wr(r, NC_HW_CSR_RING_TAIL_OFFSET, (uint32_t)((head + p->n) % size));
  rig_wr(r, NC_HW_CSR_PERF_CTRL_OFFSET,
         1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
             1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
}

void rg_isa_load(rig_t *r, const prog_t *p) {
  const rg_ring_t whole = {RIG_RING_ENTRIES, 0, 0};
  rg_isa_load_ring(r, p, &whole);
}

void rg_isa_idle_tail(prog_t *p) {
  /* Load only: eight equal unpadded LOADs (more than the load unit holds
   * ahead, so whatever it keeps of them afterwards is this LOAD) of one
   * line and one plane, whose unused line and plane strides are all ones
   * (every bit of them set and cleared again by the next LOAD_CFG; the
   * LOADs must read the same rows whatever they are). */
  p_load_cfg(p, NC_HW_ROWS, UINT32_MAX, UINT32_MAX, 0, 0);
  for (int i = 0; i < 8; i++) {
    p_load(p, (ld_t){.dram = ISA_LD_OFF, .elems = NC_HW_ROWS, .x = 2}, 0);
  }
  p_finish(p);
  /* Store only: two raw int32 pixels of accumulator rows 0 and 1, in one
   * line (its unused line stride all ones, as above). */
  p_store_cfg(p,
              (stc_t){.fmt = NC_HW_OUT_INT32,
                      .pool = NC_HW_POOL_NONE,
                      .xs = 4 * NC_HW_COLS,
                      .ys = UINT32_MAX},
              0);
  p_store(p, (st_t){.dram = ISA_ST_OFF, .ncols = NC_HW_COLS, .x = 2}, 0);
  p_finish(p);
  /* Compute only: two vectors into accumulator rows 0 and 1. */
  p_gemm(p, (gm_t){.li = 2, .isi = 1, .asi = 1}, 0);
  p_finish(p);
}

nc_status_t rg_isa_step(rig_t *r, uint64_t budget, uint32_t *status) {
  int busy = 0;
  nc_status_t st = nc_sim_run(r->s, budget, &busy);
  if (st == NC_OK) {
    st = nc_sim_csr_read(r->s, NC_HW_CSR_STATUS_OFFSET, status);
  }
  return st;
}

/* Registers compared at every stop; `after_error` 0: only after a clean
 * stop (how far the units got before an error stopped them depends on
 * timing). */
static const struct {
  uint32_t off;
  const char *name;
  int after_error;
} regs_[] = {
    {NC_HW_CSR_STATUS_OFFSET, "STATUS", 1},
    {NC_HW_CSR_ERR_CODE_OFFSET, "ERR_CODE", 1},
    {NC_HW_CSR_ERR_INSN_OFFSET, "ERR_INSN", 1},
    {NC_HW_CSR_ERR_INFO_OFFSET, "ERR_INFO", 1},
    {NC_HW_CSR_RING_HEAD_OFFSET, "RING_HEAD", 0},
    {NC_HW_CSR_INTR_STATE_OFFSET, "INTR_STATE", 1},
    {NC_HW_CSR_PERF_MACS_LO_OFFSET, "PERF_MACS_LO", 0},
    {NC_HW_CSR_PERF_MACS_HI_OFFSET, "PERF_MACS_HI", 0},
    {NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET, "PERF_WR_BYTES_LO", 0},
    {NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET, "PERF_WR_BYTES_HI", 0},
    {NC_HW_CSR_PERF_INSNS_OFFSET, "PERF_INSNS", 0},
};

/* The performance counters (c->perf0's order): the _LO (or only) register,
 * whether it is 64 bits wide (a _HI at lo + 4), and how far below a carry
 * a preset puts it (at most; at least 1), so that the program's counts
 * carry: every program ends with rg_isa_idle_tail's runs, which take
 * hundreds of cycles, read and write over a hundred bytes, run two vectors
 * (2 x rows x cols MACs) and retire over ten instructions, with each unit
 * busy in one of them. */
enum { CTR_CYCLES, CTR_UNIT0, CTR_MACS = CTR_UNIT0 + 6, CTR_RD, CTR_WR,
       CTR_INSNS, CTR_N };
static const struct {
  uint32_t lo;
  int wide;
  uint32_t below;
  const char *name;
} ctrs_[CTR_N] = {
    {NC_HW_CSR_PERF_CYCLES_LO_OFFSET, 1, 200, "PERF_CYCLES"},
    {NC_HW_CSR_PERF_LOAD_BUSY_OFFSET, 0, 8, "PERF_LOAD_BUSY"},
    {NC_HW_CSR_PERF_LOAD_STALL_OFFSET, 0, 4096, "PERF_LOAD_STALL"},
    {NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET, 0, 2, "PERF_COMPUTE_BUSY"},
    {NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET, 0, 4096, "PERF_COMPUTE_STALL"},
    {NC_HW_CSR_PERF_STORE_BUSY_OFFSET, 0, 2, "PERF_STORE_BUSY"},
    {NC_HW_CSR_PERF_STORE_STALL_OFFSET, 0, 4096, "PERF_STORE_STALL"},
    {NC_HW_CSR_PERF_MACS_LO_OFFSET, 1, 2 * NC_HW_ROWS * NC_HW_COLS,
     "PERF_MACS"},
    {NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET, 1, 128, "PERF_RD_BYTES"},
    {NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET, 1, 128, "PERF_WR_BYTES"},
    {NC_HW_CSR_PERF_INSNS_OFFSET, 0, 10, "PERF_INSNS"},
};

static uint64_t ctr_read_(rig_t *r, int i) {
  return ctrs_[i].wide ? rig_ctr(r, ctrs_[i].lo) : rig_rd(r, ctrs_[i].lo);
}

int rg_isa_preset(rg_ctx_t *c, nc_rng_t *g, rig_t *rtl, rig_t *model) {
  for (int i = 0; i < CTR_N; i++) {
    const uint64_t lo =
        (UINT64_C(1) << 32) - (uint64_t)nc_rng_range(g, 1, ctrs_[i].below);
    const uint64_t hi = ctrs_[i].wide ? nc_rng_next(g) << 32 : 0;
    c->perf0[i] = hi | lo;
    rig_t *const dev[2] = {rtl, model};
    for (int d = 0; d < 2; d++) {
      rig_wr(dev[d], ctrs_[i].lo, (uint32_t)lo);
      /* A _HI reads what was written to it before any _LO read. */
      if (ctrs_[i].wide) {
        rig_wr(dev[d], ctrs_[i].lo + 4, (uint32_t)(hi >> 32));
        const uint32_t h = rig_rd(dev[d], ctrs_[i].lo + 4);
        if (h != (uint32_t)(hi >> 32)) {
          return rg_fail(c, "the %s's %s_HI reads 0x%x after a write of 0x%x",
                         rig_name(dev[d]), ctrs_[i].name, h,
                         (uint32_t)(hi >> 32));
        }
      }
      const uint64_t got = ctr_read_(dev[d], i);
      if (got != c->perf0[i]) {
        return rg_fail(c, "the %s's %s reads 0x%llx after a preset to 0x%llx",
                       rig_name(dev[d]), ctrs_[i].name,
                       (unsigned long long)got,
                       (unsigned long long)c->perf0[i]);
      }
    }
  }
  /* A WATCHDOG anywhere from its reset value up: no program of the streams
   * goes that long without progress, so it must not fire. */
  const uint32_t wd = (uint32_t)nc_rng_range(g, NC_HW_CSR_WATCHDOG_RESVAL,
                                             UINT32_MAX);
  rig_t *const dev[2] = {rtl, model};
  for (int d = 0; d < 2; d++) {
    rig_wr(dev[d], NC_HW_CSR_WATCHDOG_OFFSET, wd);
    if (rig_rd(dev[d], NC_HW_CSR_WATCHDOG_OFFSET) != wd) {
      return rg_fail(c, "the %s's WATCHDOG reads 0x%x after a write of 0x%x",
                     rig_name(dev[d]),
                     rig_rd(dev[d], NC_HW_CSR_WATCHDOG_OFFSET), wd);
    }
  }
  return 0;
}

/* What the data file says of the RTL's performance counters whatever its
 * timing, after a clean stop, counted from c->perf0 (the 64-bit counters
 * with their carries, the 32-bit ones modulo 2^32): no unit is busy or
 * stalled in more cycles than the device was busy (PERF_CYCLES counts the
 * cycles with STATUS.busy); a random program's counts are far below 2^32
 * (a lost or spurious carry is not); the memory port reads whole bus
 * beats, so the bytes read are a multiple of the beat. (Not compared with
 * the model's count: the RTL reads whole bursts, the model counts the
 * bytes the ISA names, row by row.) */
static int perf_invariants_(rg_ctx_t *c, const char *where, rig_t *rtl) {
  uint64_t n[CTR_N];
  for (int i = 0; i < CTR_N; i++) {
    n[i] = ctr_read_(rtl, i) - c->perf0[i];
    n[i] &= ctrs_[i].wide ? UINT64_MAX : UINT32_MAX;
  }
  if (n[CTR_CYCLES] > UINT32_MAX || n[CTR_RD] > UINT32_MAX) {
    return rg_fail(c, "%s: the rtl counted %llu cycles and %llu bytes read "
                   "in a short program (counters from 0x%llx and 0x%llx)",
                   where, (unsigned long long)n[CTR_CYCLES],
                   (unsigned long long)n[CTR_RD],
                   (unsigned long long)c->perf0[CTR_CYCLES],
                   (unsigned long long)c->perf0[CTR_RD]);
  }
  if (n[CTR_INSNS] > 0 && n[CTR_CYCLES] == 0) {
    return rg_fail(c, "%s: the rtl retired %llu instructions in 0 busy cycles",
                   where, (unsigned long long)n[CTR_INSNS]);
  }
  for (int i = CTR_UNIT0; i < CTR_UNIT0 + 6; i++) {
    if (n[i] > n[CTR_CYCLES]) {
      return rg_fail(c, "%s: the rtl's %s counted %llu, above PERF_CYCLES' "
                     "%llu",
                     where, ctrs_[i].name, (unsigned long long)n[i],
                     (unsigned long long)n[CTR_CYCLES]);
    }
  }
  if (n[CTR_RD] % NC_HW_BUS_BYTES != 0) {
    return rg_fail(c, "%s: the rtl's PERF_RD_BYTES counted %llu: not whole "
                   "%u-byte beats",
                   where, (unsigned long long)n[CTR_RD],
                   (unsigned)NC_HW_BUS_BYTES);
  }
  return 0;
}

int rg_isa_compare(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                   int memory) {
  const int error = (rig_rd(rtl, NC_HW_CSR_STATUS_OFFSET) &
                     1u << NC_HW_CSR_STATUS_ERROR_SHIFT) != 0;
  for (size_t i = 0; i < sizeof regs_ / sizeof regs_[0]; i++) {
    if (error && !regs_[i].after_error) {
      continue;
    }
    uint32_t a = rig_rd(rtl, regs_[i].off), b = rig_rd(model, regs_[i].off);
    if (regs_[i].off == NC_HW_CSR_STATUS_OFFSET) {
      a &= 7u; /* busy, done, error; the units' busy bits are timing */
      b &= 7u;
    }
    if (a != b) {
      const rig_err_t er = rig_err(rtl), em = rig_err(model);
      rg_note(c,
              "  rtl stopped with %s in %s at entry %u (info %u); model with "
              "%s in %s at entry %u (info %u)",
              nc_hw_err_name(er.code), nc_hw_unit_name(er.unit), er.insn,
              er.info, nc_hw_err_name(em.code), nc_hw_unit_name(em.unit),
              em.insn, em.info);
      return rg_fail(c, "%s: %s is 0x%x on the rtl, 0x%x on the model", where,
                     regs_[i].name, a, b);
    }
  }
  if (memory && !error && memcmp(rtl->mem, model->mem, RIG_MEM_SIZE) != 0) {
    size_t i = 0;
    while (rtl->mem[i] == model->mem[i]) {
      i++;
    }
    const char *part = i < RIG_WIN_OFF                  ? "ring"
                       : i < RIG_WIN_OFF + RIG_WIN_SIZE ? "window"
                                                        : "guard";
    return rg_fail(c,
                   "%s: memory byte 0x%llx (%s) is 0x%02x on the rtl, 0x%02x "
                   "on the model",
                   where, (unsigned long long)(rtl->base + i), part,
                   rtl->mem[i], model->mem[i]);
  }
  if (nc_sim_check_memory(rtl->s) != NC_OK) {
    return rg_fail(c, "%s: the rtl touched memory it was not given: %s", where,
                   nc_error_detail());
  }
  return error ? 0 : perf_invariants_(c, where, rtl);
}

int rg_isa_stop_pair(rg_ctx_t *c, const char *where, rig_t *rtl, rig_t *model,
                     uint64_t budget, int memory, uint32_t *model_status) {
  uint32_t sm = 0, sr = 0;
  TK_REQUIRE_OK(rg_isa_step(model, budget ? budget : UINT64_C(1) << 40, &sm));
  TK_REQUIRE_OK(rg_isa_step(rtl, budget ? budget : RG_ISA_RTL_BUDGET, &sr));
  *model_status = sm;
  if (budget == 0 && (sr & 1u)) {
    return rg_fail(c, "%s: the rtl is still busy after %llu cycles", where,
                   (unsigned long long)RG_ISA_RTL_BUDGET);
  }
  return budget ? 0 : rg_isa_compare(c, where, rtl, model, memory);
}

/* The queues that the ring entries [from, to) give work to (a bit per
 * queue), read from the ring in `r`'s memory. */
static unsigned queues_fed_(rig_t *r, uint32_t from, uint32_t to) {
  const uint32_t size = rig_rd(r, NC_HW_CSR_RING_SIZE_OFFSET);
  const int64_t off0 = ring_off_(r);
  unsigned q = 0;
  for (uint32_t i = from; i != to && size != 0; i = (i + 1) % size) {
    const uint8_t *b = r->mem + off0 + (int64_t)i * NC_HW_INSN_BYTES;
    nc_hw_insn_t insn;
    for (unsigned w = 0; w < NC_HW_INSN_WORDS; w++) {
      insn.w[w] = (uint32_t)le32(b + 4 * w);
    }
    const int qi = nc__sched_queue_of(&insn);
    if (qi >= 0) {
      q |= 1u << qi;
    }
  }
  return q;
}

/* Each unit's busy and stall counters, in queue order. */
static void unit_counters_(rig_t *r, uint32_t v[6]) {
  static const uint32_t off[6] = {
      NC_HW_CSR_PERF_LOAD_BUSY_OFFSET,    NC_HW_CSR_PERF_LOAD_STALL_OFFSET,
      NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET, NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET,
      NC_HW_CSR_PERF_STORE_BUSY_OFFSET,   NC_HW_CSR_PERF_STORE_STALL_OFFSET};
  for (int i = 0; i < 6; i++) {
    v[i] = rig_rd(r, off[i]);
  }
}

/* A unit given no instruction between two stops (every instruction before
 * the first one retired: a FINISH waits for the queues to drain) neither
 * executed nor waited (the data file: PERF_*_BUSY counts the cycles a unit
 * executed an instruction, PERF_*_STALL the cycles it waited on a token or
 * the memory port), whatever the timing: its counters did not move. */
static int idle_units_(rg_ctx_t *c, const char *where, rig_t *r,
                       const uint32_t before[6], unsigned fed) {
  static const char *const names[6] = {
      "PERF_LOAD_BUSY",  "PERF_LOAD_STALL",  "PERF_COMPUTE_BUSY",
      "PERF_COMPUTE_STALL", "PERF_STORE_BUSY", "PERF_STORE_STALL"};
  uint32_t after[6];
  unit_counters_(r, after);
  for (int i = 0; i < 6; i++) {
    if (!(fed & 1u << (i / 2)) && after[i] != before[i]) {
      return rg_fail(c,
                     "%s: the %s's %s moved from %u to %u in a run that "
                     "gave that unit no instruction",
                     where, rig_name(r), names[i], before[i], after[i]);
    }
  }
  return 0;
}

int rg_isa_run_pair(rg_ctx_t *c, const char *what, rig_t *rtl, rig_t *model,
                    int memory) {
  for (int stop = 0;; stop++) {
    char where[96];
    snprintf(where, sizeof where, "%s stop %d", what, stop);
    const uint32_t head0 = rig_rd(rtl, NC_HW_CSR_RING_HEAD_OFFSET);
    uint32_t units0[2][6];
    unit_counters_(rtl, units0[0]);
    unit_counters_(model, units0[1]);
    rig_wr(rtl, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    rig_wr(model, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    /* STATUS.fetch_busy: "fetch has a request outstanding or an
     * instruction to dispatch". A stop that fetched anything had a request
     * outstanding for at least the memory's latency: watched cycle by cycle
     * until it shows (at once, as a rule) or for 2000 cycles, a stop that
     * ends in that window must have shown it. */
    int fetch_seen = 0, stopped = 0;
    for (int i = 0; i < 2000 && !stopped && !fetch_seen; i++) {
      uint32_t sr = 0;
      TK_REQUIRE_OK(rg_isa_step(rtl, 1, &sr));
      fetch_seen |= (sr & 1u << NC_HW_CSR_STATUS_FETCH_BUSY_SHIFT) != 0;
      stopped = (sr & 1u << NC_HW_CSR_STATUS_BUSY_SHIFT) == 0;
    }
    if (stopped && !fetch_seen &&
        rig_rd(rtl, NC_HW_CSR_RING_HEAD_OFFSET) != head0) {
      return rg_fail(c, "%s: the rtl fetched entries %u.. without ever "
                     "showing STATUS.fetch_busy",
                     where, head0);
    }
    uint32_t sm = 0;
    if (rg_isa_stop_pair(c, where, rtl, model, 0, memory, &sm)) {
      return 1;
    }
    if (sm & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
      const rig_err_t e = rig_err(model);
      return rg_fail(c,
                     "%s: the generator wrote an illegal program: %s in %s "
                     "at entry %u (info %u)",
                     where, nc_hw_err_name(e.code), nc_hw_unit_name(e.unit),
                     e.insn, e.info);
    }
    const uint32_t head = rig_rd(model, NC_HW_CSR_RING_HEAD_OFFSET);
    const unsigned fed = queues_fed_(rtl, head0, head);
    if (idle_units_(c, where, rtl, units0[0], fed) ||
        idle_units_(c, where, model, units0[1], fed)) {
      return 1;
    }
    if (head == rig_rd(model, NC_HW_CSR_RING_TAIL_OFFSET)) {
      return 0;
    }
  }
}

/* The program on the RTL and the model, compared at every stop; with the
 * counters preset from `preset` (NULL: cleared). */
static int pair_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                 const nc_sim_config_t *cfg, const uint8_t *image, int memory,
                 const rg_ring_t *ring, const rg_place_t *pl,
                 nc_rng_t *preset) {
  rig_t rtl, model;
  if (rg_isa_open(c, &model, RIG_MODEL, cfg, image, pl)) {
    return 1;
  }
  if (rg_isa_open(c, &rtl, RIG_RTL, cfg, image, pl)) {
    rig_close(&model);
    return 1;
  }
  rg_isa_load_ring(&rtl, p, ring);
  rg_isa_load_ring(&model, p, ring);
  memset(c->perf0, 0, sizeof c->perf0);
  char what[64];
  snprintf(what, sizeof what, "isa program %llu", (unsigned long long)item);
  const int bad = (preset != NULL && rg_isa_preset(c, preset, &rtl, &model)) ||
                  rg_isa_run_pair(c, what, &rtl, &model, memory);
  memset(c->perf0, 0, sizeof c->perf0);
  rig_close(&rtl);
  rig_close(&model);
  return bad;
}

/* The program on the lockstep device, which compares at every stop. */
static int lockstep_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                     const nc_sim_config_t *cfg, const uint8_t *image,
                     const rg_ring_t *ring, const rg_place_t *pl) {
  rig_t r;
  if (rg_isa_open(c, &r, RIG_LOCKSTEP, cfg, image, pl)) {
    return 1;
  }
  rg_isa_load_ring(&r, p, ring);
  const uint32_t tail = rig_rd(&r, NC_HW_CSR_RING_TAIL_OFFSET);
  int bad = 0;
  for (int stop = 0; !bad; stop++) {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    uint32_t s = 0;
    const nc_status_t st = rg_isa_step(&r, RG_ISA_RTL_BUDGET, &s);
    if (st != NC_OK) {
      bad = rg_fail(c, "isa program %llu stop %d on lockstep: %s",
                    (unsigned long long)item, stop, nc_error_detail());
    } else if (s & 1u) {
      bad = rg_fail(c, "isa program %llu stop %d: still busy after %llu cycles",
                    (unsigned long long)item, stop,
                    (unsigned long long)RG_ISA_RTL_BUDGET);
    } else if (s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
      const rig_err_t e = rig_err(&r);
      bad = rg_fail(c, "isa program %llu stop %d: %s in %s at entry %u",
                    (unsigned long long)item, stop, nc_hw_err_name(e.code),
                    nc_hw_unit_name(e.unit), e.insn);
    } else if (rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) == tail) {
      break;
    }
  }
  rig_close(&r);
  return bad;
}

/* The program on the model against the cost model's replay. */
static int replay_(rg_ctx_t *c, uint64_t item, const prog_t *p,
                   const nc_sim_config_t *cfg, const uint8_t *image,
                   const rg_place_t *pl) {
  rig_t r;
  if (rg_isa_open(c, &r, RIG_MODEL, cfg, image, pl)) {
    return 1;
  }
  rg_isa_load(&r, p);
  int bad = 0;
  do {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    uint32_t s = 0;
    TK_REQUIRE_OK(rg_isa_step(&r, UINT64_C(1) << 40, &s));
    if ((s & 7u) != 1u << NC_HW_CSR_STATUS_DONE_SHIFT) {
      const rig_err_t e = rig_err(&r);
      bad = rg_fail(c, "isa program %llu on the model: STATUS 0x%x, %s in %s",
                    (unsigned long long)item, s, nc_hw_err_name(e.code),
                    nc_hw_unit_name(e.unit));
    }
  } while (!bad && rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) != p->n);
  if (!bad) {
    nc_plan_caps_t caps;
    nc_plan_caps_default(&caps);
    caps.mem_latency = cfg->mem_latency;
    caps.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
    nc_plan_replay_t rp;
    if (nc_plan_replay(p->v, p->n, &caps, &rp) != NC_OK) {
      bad = rg_fail(c, "isa program %llu: replay: %s", (unsigned long long)item,
                    nc_error_detail());
    } else {
      const uint64_t m[4] = {rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET),
                             rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET)};
      const uint64_t q[4] = {rp.cycles, rp.rd_bytes, rp.wr_bytes,
                             rp.array_macs};
      static const char *const names[4] = {"cycles", "bytes read",
                                           "bytes written", "MACs"};
      for (int i = 0; i < 4 && !bad; i++) {
        if (m[i] != q[i]) {
          bad = rg_fail(c,
                        "isa program %llu: the cost model predicts %llu %s, "
                        "the model counts %llu",
                        (unsigned long long)item, (unsigned long long)q[i],
                        names[i], (unsigned long long)m[i]);
        }
      }
    }
  }
  rig_close(&r);
  return bad;
}

int rg_gen_isa(rg_ctx_t *c) {
  const long items = rg_opt_int(c, "items", 10);
  const int len = (int)rg_opt_int(c, "len", 400);
  const int finish = (int)rg_opt_int(c, "finish", 1);
  const int strict = strcmp(rg_opt_str(c, "sync", "strict"), "strict") == 0;
  const char *ring = rg_opt_str(c, "ring", "full");
  const char *perf = rg_opt_str(c, "perf", "clear");
  for (int i = 0; i < c->nbackends; i++) {
    if (!strict && strcmp(c->backends[i], "lockstep") == 0) {
      return rg_fail(c,
                     "isa: lockstep compares memory, which programs with "
                     "sync=free race on; use sync=strict");
    }
  }
  nc_sim_config_t cfg;
  rg_isa_config(c, &cfg);
  rg_note(c, "config: memory latency %u, %u B/cycle", cfg.mem_latency,
          cfg.mem_bytes_per_cycle);
  uint8_t *image = calloc(1, RIG_MEM_SIZE);
  TK_REQUIRE(image != NULL);
  int bad = 0;
  for (long it = 0; it < items && !bad; it++) {
    nc_rng_t g;
    nc_rng_seed(&g, rg_item_seed(c->stream, (uint64_t)it));
    prog_t p = {0};
    if (strict) {
      rg_isa_stream_sync(&g, &p, len, finish, NULL);
    } else {
      rg_isa_stream(&g, &p, len, finish, NULL);
    }
    memset(image, 0, RIG_MEM_SIZE);
    rg_isa_memory(&g, image);
    rg_isa_idle_tail(&p);
    /* The whole ring, the program from entry 0; or (ring=small, or 1 in 3
     * with ring=random) a ring a little longer than the program, which
     * starts before the ring's end and wraps, so fetch reads the ring's
     * last entry and continues at its first; or (ring=far, 1 in 3 with
     * ring=random) a ring of up to 2^32 - 1 entries whose program starts
     * at a random index, its earlier entries below the rig memory (never
     * fetched), so that every bit of the ring indices moves. Drawn after
     * the program and the memory, which stay what the seed gave before;
     * then where the rig memory sits (place=). */
    rg_ring_t rs = {RIG_RING_ENTRIES, 0, 0};
    int mode = strcmp(ring, "small") == 0 ? 1
               : strcmp(ring, "far") == 0 ? 2
                                          : 0;
    if (strcmp(ring, "random") == 0) {
      mode = (int)nc_rng_range(&g, 0, 2);
    }
    rg_place_t pl;
    if (mode == 1) {
      rs.size = (uint32_t)p.n + (uint32_t)nc_rng_range(&g, 1, 64);
      rs.head = rs.size - (uint32_t)nc_rng_range(&g, 1, (int64_t)p.n - 1);
      rg_isa_place(c, &g, 1, &pl);
    } else if (mode == 2) {
      const uint32_t bits = (uint32_t)nc_rng_range(&g, 12, 32);
      const uint64_t most = (UINT64_C(1) << bits) - 1u;
      rs.size = (uint32_t)nc_rng_range(
          &g, (int64_t)(most / 2 + p.n + 1),
          (int64_t)(most + p.n + 1 > UINT32_MAX ? UINT32_MAX : most + p.n + 1));
      rs.head = (uint32_t)nc_rng_range(&g, 0, (int64_t)(rs.size - p.n - 1));
      rg_isa_place(c, &g, 1, &pl);
      if ((uint64_t)rs.head * NC_HW_INSN_BYTES > pl.base) {
        rs.head = (uint32_t)(pl.base / NC_HW_INSN_BYTES);
      }
      rs.at = rs.head;
    } else {
      rg_isa_place(c, &g, 1, &pl);
    }
    /* perf=preset (1 in 2 with perf=random): the rtl backend's counters
     * start a little below a carry (rg_isa_preset), drawn last. */
    const int preset =
        strcmp(perf, "preset") == 0 ||
        (strcmp(perf, "random") == 0 && nc_rng_range(&g, 0, 1) == 1);
    rg_note(c,
            "item %ld: %zu instructions, ring of %u from entry %u, memory at "
            "0x%llx%s",
            it, p.n, rs.size, rs.head, (unsigned long long)pl.base,
            preset ? ", counters preset" : "");
    for (int i = 0; i < c->nbackends && !bad; i++) {
      const char *b = c->backends[i];
      if (strcmp(b, "rtl") == 0) {
        bad = pair_(c, (uint64_t)it, &p, &cfg, image, strict, &rs, &pl,
                    preset ? &g : NULL);
      } else if (strcmp(b, "lockstep") == 0) {
        bad = lockstep_(c, (uint64_t)it, &p, &cfg, image, &rs, &pl);
      } else {
        bad = replay_(c, (uint64_t)it, &p, &cfg, image, &pl);
      }
      c->items += !bad;
    }
    prog_free(&p);
  }
  free(image);
  return bad;
}
