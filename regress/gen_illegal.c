/*
 * The "illegal" generator: every error the device reports, reached at a
 * random point of a random legal program, on the RTL and the functional
 * model from the same memory image; then a correct program on the same two
 * devices, to show that they recover.
 *
 * An item is a legal prefix (rg_isa_stream) that runs to its FINISH and is
 * compared in full; then the host appends a tail (RING_TAIL moves on) that
 * breaks one rule, or makes the memory or the host misbehave:
 *
 *   opcode    an opcode outside the enum                  illegal_opcode
 *   dep       a token flag toward a queue that is not there illegal_dep
 *   field     an access past the end of an on-chip memory, field_range
 *             a LOAD_PARAM record that fails its check, or a
 *             STORE's addq record that fails its own
 *   window    a LOAD, STORE, LOAD_PARAM or a STORE's     dma_window
 *             residual outside the window
 *   overflow  a token counter pushed past its maximum      token_overflow
 *   deadlock  a pop no unit will ever push for            deadlock
 *   watchdog  a unit blocked on an empty ring              watchdog
 *   slverr    the memory answers SLVERR from now on        dma_bus
 *   hang      the memory stops answering                   watchdog
 *   ring      START with a bad RING_SIZE, base, HEAD or TAIL ring_config
 *   reset     a soft reset after a random number of cycles (none)
 *   halt_stopped CTRL.halt on the stopped device, then START halted
 *   slverr_run the memory answers SLVERR from a random cycle dma_bus
 *             of a running program on
 *   halt      CTRL.halt after a random number of cycles    halted
 *   hang_run  the memory stops answering from a random     watchdog
 *             cycle of a running program on
 *   slverr_unit SLVERR from the cycle fetch has dispatched a dma_bus
 *             long STORE or LOAD_PARAM (its unit is the one left to
 *             use the memory), or from the cycle a long residual
 *             add STORE is next to retire (its residual reads)
 *
 * The last four only with the option midrun=1 (illegal_rtl_midrun).
 *
 * Both devices must stop with the expected error code (a fact of the ISA,
 * not of either device) and identical STATUS, ERR_CODE (code and unit),
 * ERR_INSN, ERR_INFO and INTR_STATE, which a CTRL.halt written then (a
 * second error on a device in error) must leave as they are. Those faults
 * start at a stop (the
 * next access the device makes), where both devices are in the same state.
 *
 * A halt, or a fault, at a random cycle of a running program lands where
 * each device happens to be, and the two devices' timing differs (the
 * model's cycles are its cost model's), so what can be compared is what
 * the data file defines independently of timing. Halt: both stop with
 * STATUS.error, ERR_CODE halted from the host, ERR_INFO 0, the same
 * INTR_STATE, and each one's ERR_INSN is its own RING_HEAD (the next entry
 * it would have fetched). A fault: each device either finished before it
 * needed the memory again (done, no error) or stopped with the class's
 * error from a unit that uses the memory (fetch, load or store, never
 * compute), ERR_INSN inside the program; when both stopped with an error,
 * ERR_CODE's code is the same. In every case both then recover.
 *
 * Recovery: faults healed, the watchdog off, the ring registers and the
 * memory image written again, a soft reset, and a fresh legal program that
 * must run on both with every register and byte equal.
 */
#include <string.h>

#include "regress/gen_isa.h"
#include "regress/regress_internal.h"

enum {
  C_OPCODE,
  C_DEP,
  C_FIELD,
  C_WINDOW,
  C_OVERFLOW,
  C_DEADLOCK,
  C_WATCHDOG,
  C_SLVERR,
  C_HANG,
  C_RING,
  C_RESET,
  C_HALT_STOPPED,
  C_SLVERR_RUN, /* this one and the next three only with midrun=1 */
  C_HALT,
  C_HANG_RUN,
  C_SLVERR_UNIT, /* midrun=1 too */
  C_COUNT
};

static const struct {
  const char *name;
  uint32_t code;
} classes_[C_COUNT] = {
    {"opcode", NC_HW_ERR_ILLEGAL_OPCODE},
    {"dep", NC_HW_ERR_ILLEGAL_DEP},
    {"field", NC_HW_ERR_FIELD_RANGE},
    {"window", NC_HW_ERR_DMA_WINDOW},
    {"overflow", NC_HW_ERR_TOKEN_OVERFLOW},
    {"deadlock", NC_HW_ERR_DEADLOCK},
    {"watchdog", NC_HW_ERR_WATCHDOG},
    {"slverr", NC_HW_ERR_DMA_BUS},
    {"hang", NC_HW_ERR_WATCHDOG},
    {"ring", NC_HW_ERR_RING_CONFIG},
    {"reset", NC_HW_ERR_NONE},
    {"halt_stopped", NC_HW_ERR_HALTED},
    {"slverr_run", NC_HW_ERR_DMA_BUS},
    {"halt", NC_HW_ERR_HALTED},
    {"hang_run", NC_HW_ERR_WATCHDOG},
    {"slverr_unit", NC_HW_ERR_DMA_BUS},
};

static uint32_t rnd_(nc_rng_t *g, int64_t lo, int64_t hi) {
  return (uint32_t)nc_rng_range(g, lo, hi);
}

static const ld_t ld_ok_ = {.dram = ISA_LD_OFF, .elems = 1, .x = 1};

/* Where the field class's bad qparam record goes: the window right after
 * the legal records of rg_isa_memory. */
#define BAD_REC_OFF (ISA_PRM_OFF + ISA_PRM_RECS * NC_HW_QPARAM_BYTES)

/* Writes a qparam record that fails its check at BAD_REC_OFF: one field
 * outside its range (or act_min above act_max, or a reserved bit set). */
static void bad_record_(nc_rng_t *g, rig_t *r) {
  nc_hw_qparam_vals_t v = {.mult = 1 << 30, .act_min = -128, .act_max = 127};
  uint8_t b[NC_HW_QPARAM_BYTES];
  const uint32_t which = rnd_(g, 0, 6);
  switch (which) {
    case 0:
      v.mult = -1;
      break;
    case 1:
      v.shift = rnd_(g, 0, 1) ? NC_HW_QPARAM_SHIFT_MAX + 1
                              : NC_HW_QPARAM_SHIFT_MIN - 1;
      break;
    case 2:
      v.out_zp = rnd_(g, 0, 1) ? NC_HW_QPARAM_OUT_ZP_MAX + 1
                               : NC_HW_QPARAM_OUT_ZP_MIN - 1;
      break;
    case 3:
      v.act_min = NC_HW_QPARAM_ACT_MIN_MAX + 1;
      v.act_max = NC_HW_QPARAM_ACT_MAX_MAX;
      break;
    case 4:
      v.act_max = NC_HW_QPARAM_ACT_MAX_MIN - 1;
      v.act_min = NC_HW_QPARAM_ACT_MIN_MIN;
      break;
    case 5:
      v.act_min = 10;
      v.act_max = 9;
      break;
    default:
      break;
  }
  nc_hw_qparam_pack(&v, b);
  if (which == 6) {
    /* The reserved byte between shift and out_zp. */
    b[(NC_HW_QPARAM_SHIFT_LSB + NC_HW_QPARAM_SHIFT_WIDTH) / 8] =
        (uint8_t)rnd_(g, 1, 255);
  }
  rig_write(r, RIG_WIN_OFF + BAD_REC_OFF, b, sizeof b);
}

/* Where the field class's bad addq record goes: the window right after the
 * legal addq records of rg_isa_memory. */
#define BAD_ADDQ_OFF (ISA_ADDQ_OFF + ISA_ADDQ_RECS * NC_HW_ADDQ_BYTES)

/* Writes at BAD_ADDQ_OFF an addq record that fails the STORE's check but
 * passes LOAD_PARAM's, which checks its two halves as qparam records: a
 * left shift (in_shift0, in_shift1: 1..30, a legal qparam shift),
 * out_shift 1..127 (the second half's bias) or the reserved last word set
 * (the second half's clamp). */
static void bad_addq_(nc_rng_t *g, rig_t *r) {
  nc_hw_addq_vals_t v = {.out_mult = 1 << 30,
                         .in_mult0 = 1 << 30,
                         .in_mult1 = 1 << 30,
                         .act_min = -128,
                         .act_max = 127,
                         .out_shift = -20};
  const uint32_t which = rnd_(g, 0, 3);
  switch (which) {
    case 0:
      v.in_shift0 = (int32_t)rnd_(g, 1, 30);
      break;
    case 1:
      v.in_shift1 = (int32_t)rnd_(g, 1, 30);
      break;
    case 2:
      v.out_shift = (int32_t)rnd_(g, 1, 127);
      break;
    default:
      break;
  }
  uint8_t b[NC_HW_ADDQ_BYTES];
  nc_hw_addq_pack(&v, b);
  if (which == 3) {
    /* The reserved last word, as the second half's clamp reads it: a
     * legal qparam clamp, not zero. */
    const int32_t lo = (int32_t)nc_rng_range(g, -128, 255);
    const int32_t hi = (int32_t)nc_rng_range(g, lo == 0 ? 1 : lo, 255);
    const uint16_t l16 = (uint16_t)lo, h16 = (uint16_t)hi;
    const uint8_t w[4] = {(uint8_t)l16, (uint8_t)(l16 >> 8), (uint8_t)h16,
                          (uint8_t)(h16 >> 8)};
    memcpy(b + NC_HW_ADDQ_BYTES - 4, w, sizeof w);
  }
  rig_write(r, RIG_WIN_OFF + BAD_ADDQ_OFF, b, sizeof b);
}

/* A STORE_CFG with the residual add (int8, no pooling, the residual
 * `rdelta` from the output), a LOAD_PARAM of the addq record at `rec` and
 * a STORE of one pixel of all lanes at `dram` that adds it. */
static void add_store_(nc_rng_t *g, prog_t *p, uint32_t rec, uint32_t dram,
                       uint32_t rdelta) {
  const uint32_t e = rnd_(g, 0, NC_HW_PARAM_ENTRIES - 2);
  p_store_cfg(p, (stc_t){.fmt = NC_HW_OUT_INT8, .add = 1, .rdelta = rdelta}, 0);
  p_load_param(p, e, 2, rec, 0);
  p_store(p, (st_t){.dram = dram, .ncols = NC_HW_COLS, .addp = e}, 0);
}

/* Appends the tail of class `k`; sets *variant to what it chose. */
static void tail_(nc_rng_t *g, int k, const int tok[4], prog_t *p,
                  int *variant) {
  const uint32_t W = (uint32_t)RIG_WIN_SIZE;
  const int max_tok = (1 << NC_HW_TOKEN_BITS) - 1;
  int v = 0;
  switch (k) {
    case C_OPCODE: {
      static const uint32_t ops[] = {NC_HW_OP_ILLEGAL, NC_HW_OP_DWCONV + 1,
                                     11, 12, 13, 14, 15};
      v = (int)rnd_(g, 0, 6);
      (void)prog_add(p, ops[v], 0);
      break;
    }
    case C_DEP:
      v = (int)rnd_(g, 0, 4);
      if (v == 0) {
        p_load(p, ld_ok_, PP);
      } else if (v == 1) {
        p_load(p, ld_ok_, UP);
      } else if (v == 2) {
        p_store_cfg(p, (stc_t){0}, 0); /* no pooling: one pixel is a tile */
        p_store(p, (st_t){.dram = ISA_ST_OFF, .ncols = 1}, PN);
      } else if (v == 3) {
        p_store_cfg(p, (stc_t){0}, 0);
        p_store(p, (st_t){.dram = ISA_ST_OFF, .ncols = 1}, UN);
      } else {
        (void)prog_add(p, NC_HW_OP_FINISH, UN);
      }
      break;
    case C_FIELD:
      v = (int)rnd_(g, 0, 11);
      if (v == 0) {
        ld_t a = ld_ok_;
        a.sram = NC_HW_SPAD_ROWS - 1;
        a.x = 2;
        p_load(p, a, 0);
      } else if (v == 1) {
        p_gemm(p, (gm_t){.inp = NC_HW_SPAD_ROWS - 1, .li = 2, .isi = 1}, 0);
      } else if (v == 2) {
        p_gemm(p, (gm_t){.acc = NC_HW_ACC_ROWS - 1, .li = 2, .asi = 1}, 0);
      } else if (v == 3) {
        p_store_cfg(p, (stc_t){0}, 0);
        p_store(p,
                (st_t){.acc = NC_HW_ACC_ROWS - 1,
                       .dram = ISA_ST_OFF,
                       .ncols = 1,
                       .x = 2},
                0);
      } else if (v == 4) {
        p_load_param(p, NC_HW_PARAM_ENTRIES - 1, 2, ISA_PRM_OFF, 0);
      } else if (v == 7) {
        /* A qparam record that fails its check (setup_ writes it at
         * BAD_REC_OFF), last of the LOAD_PARAM's records. */
        const uint32_t n = rnd_(g, 1, 8);
        p_load_param(p, rnd_(g, 0, NC_HW_PARAM_ENTRIES - n), n,
                     BAD_REC_OFF - (n - 1) * NC_HW_QPARAM_BYTES, 0);
      } else if (v == 8) {
        /* im2col: no stride, or a kernel taller than the padded tile. */
        ld_t a = ld_ok_;
        a.x = 3;
        a.kh = 3;
        a.kw = 3;
        a.sh = 1;
        a.sw = (uint32_t)rnd_(g, 0, 1);
        a.y = a.sw ? 2 : 3;
        p_load(p, a, 0);
      } else if (v == 9) {
        /* A DWCONV whose taps do not fit a column. */
        p_dwconv(p, (dw_t){.kh = 2, .kw = NC_HW_ROWS / 2 + 1, .line = 16}, 0);
      } else if (v == 10) {
        /* A DWCONV whose last input line runs past the scratchpad. */
        p_dwconv(p,
                 (dw_t){.inp = NC_HW_SPAD_ROWS - 8, .kh = 2, .kw = 2,
                        .line = 8},
                 0);
      } else if (v == 11) {
        /* A residual add whose addq record fails its check (setup_ writes
         * it at BAD_ADDQ_OFF). */
        add_store_(g, p, BAD_ADDQ_OFF, ISA_ST_OFF, ISA_LD_OFF - ISA_ST_OFF);
      } else if (v == 5) {
        /* The store unit's own rules: no pooling takes no padding. */
        p_store_cfg(p, (stc_t){0}, 0);
        p_store(p, (st_t){.dram = ISA_ST_OFF, .ncols = 1, .pb = 1}, 0);
      } else {
        /* Pooling: padding under the window, one window in the tile (too
         * few lines, or too few pixels in a line). */
        p_store_cfg(p, (stc_t){.pool = NC_HW_POOL_MAX, .kh = 3, .kw = 2}, 0);
        static const st_t bad[3] = {
            {.dram = ISA_ST_OFF, .ncols = 1, .y = 3, .x = 2, .pl = 2},
            {.dram = ISA_ST_OFF, .ncols = 1, .y = 1, .x = 2, .pt = 1},
            {.dram = ISA_ST_OFF, .ncols = 1, .y = 3, .x = 1}};
        p_store(p, bad[rnd_(g, 0, 2)], 0);
      }
      break;
    case C_WINDOW:
      v = (int)rnd_(g, 0, 6);
      if (v == 5) {
        /* A LOAD, STORE or LOAD_PARAM anywhere past the window's end in
         * the 32-bit offset space (ERR_INFO's every bit). */
        const uint32_t off = rnd_(g, W, UINT32_MAX - 64);
        const uint32_t which = rnd_(g, 0, 2);
        if (which == 0) {
          ld_t a = ld_ok_;
          a.dram = off;
          p_load(p, a, 0);
        } else if (which == 1) {
          p_store_cfg(p, (stc_t){0}, 0);
          p_store(p, (st_t){.dram = off, .ncols = 1}, 0);
        } else {
          p_load_param(p, 0, 1, off, 0);
        }
      } else if (v == 6) {
        /* Strides across the whole 32-bit range: a LOAD or STORE whose
         * later rows, lines or planes land far outside (its 64-bit offset
         * sums' upper bits). */
        const uint32_t xs = (uint32_t)nc_rng_next(g);
        const uint32_t ys = (uint32_t)nc_rng_next(g);
        const uint32_t zs = (uint32_t)nc_rng_next(g);
        if (rnd_(g, 0, 1)) {
          p_load_cfg(p, xs, ys, zs, 0, 0);
          p_load(p,
                 (ld_t){.dram = rnd_(g, ISA_LD_OFF, ISA_LD_OFF + 0x1000),
                        .elems = 1,
                        .x = 2,
                        .y = 2,
                        .z = 2},
                 0);
        } else {
          p_store_cfg(p, (stc_t){.xs = xs, .ys = ys}, 0);
          p_store(p,
                  (st_t){.dram = rnd_(g, ISA_ST_OFF, ISA_ST_OFF + 0x1000),
                         .ncols = 1,
                         .x = 2,
                         .y = 2},
                  0);
        }
      } else if (v == 4) {
        /* A residual add whose residual pixel straddles the window's end
         * (the output inside it). */
        add_store_(g, p, ISA_ADDQ_OFF, ISA_ST_OFF,
                   W - ISA_ST_OFF - rnd_(g, 1, NC_HW_COLS - 1));
      } else if (v == 3) {
        /* An im2col LOAD whose last pixel straddles the window's end. */
        ld_t a = {.dram = W - 3 * 4 + rnd_(g, 1, 2), .elems = 3, .x = 4,
                  .pt = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1};
        p_load(p, a, 0);
      } else if (v == 0) {
        ld_t a = ld_ok_;
        a.dram = W - rnd_(g, 1, NC_HW_ROWS - 1);
        a.elems = NC_HW_ROWS;
        p_load(p, a, 0);
      } else if (v == 1) {
        p_store_cfg(p, (stc_t){0}, 0);
        p_store(
            p,
            (st_t){.dram = W - rnd_(g, 1, NC_HW_COLS - 1), .ncols = NC_HW_COLS},
            0);
      } else {
        p_load_param(p, 0, 1, W - rnd_(g, 1, NC_HW_QPARAM_BYTES - 1), 0);
      }
      break;
    case C_OVERFLOW:
      for (int i = 0; i < max_tok - tok[ISA_T_L2C] + 1; i++) {
        p_sync(p, NC_HW_QUEUE_LOAD, UN);
      }
      break;
    case C_DEADLOCK:
    case C_WATCHDOG:
      for (int i = 0; i < tok[ISA_T_L2C]; i++) {
        p_sync(p, NC_HW_QUEUE_COMPUTE, PP);
      }
      p_sync(p, NC_HW_QUEUE_COMPUTE, PP); /* no one will push it */
      if (k == C_WATCHDOG) {
        return; /* no FINISH: the ring runs empty, the watchdog fires */
      }
      break;
    case C_SLVERR:
    case C_HANG:
    case C_HALT_STOPPED:
      p_load(p, ld_ok_, 0);
      break;
    case C_SLVERR_UNIT:
      /* One long store-unit instruction: 64 int32 pixels written, 128
       * records read, or 64 int8 pixels added to a residual (which the
       * store unit reads before it writes each pixel; midway_ injects the
       * SLVERR once the LOAD_PARAM of its addq record has retired). */
      v = (int)rnd_(g, 0, 2);
      if (v == 2) {
        const uint32_t e = rnd_(g, 0, NC_HW_PARAM_ENTRIES - 2);
        p_store_cfg(p,
                    (stc_t){.fmt = NC_HW_OUT_INT8,
                            .add = 1,
                            .rdelta = ISA_LD_OFF - ISA_ST_OFF,
                            .xs = NC_HW_COLS},
                    0);
        p_load_param(p, e, 2, ISA_ADDQ_OFF, 0);
        p_store(p,
                (st_t){.dram = ISA_ST_OFF,
                       .ncols = NC_HW_COLS,
                       .x = 64,
                       .addp = e},
                0);
      } else if (v == 0) {
        p_store_cfg(p,
                    (stc_t){.fmt = NC_HW_OUT_INT32,
                            .pool = NC_HW_POOL_NONE,
                            .xs = 4 * NC_HW_COLS},
                    0);
        p_store(p, (st_t){.dram = ISA_ST_OFF, .ncols = NC_HW_COLS, .x = 64},
                0);
      } else {
        p_load_param(p, 0, ISA_PRM_RECS, ISA_PRM_OFF, 0);
      }
      break;
    case C_RESET:
    case C_HALT:
    case C_SLVERR_RUN:
    case C_HANG_RUN:
      /* The stream assumes the reset STORE_CFG, the prefix left its own
       * (the STORE's pooling rules are judged against it): put the reset
       * one back first, or a STORE the stream meant legal is field_range. */
      p_store_cfg(p,
                  (stc_t){.fmt = NC_HW_OUT_INT32,
                          .pool = NC_HW_POOL_NONE,
                          .kh = 1,
                          .kw = 1,
                          .sh = 1,
                          .sw = 1},
                  0);
      rg_isa_stream_sync(g, p, 100, 0, NULL);
      return;
    default: /* C_RING: the registers do it */
      v = (int)rnd_(g, 0, 3);
      break;
  }
  *variant = v;
  p_finish(p);
}

/* What the host does to both devices before starting the tail. */
static void setup_(nc_rng_t *g, int k, int variant, uint32_t latency,
                   rig_t *r) {
  switch (k) {
    case C_WATCHDOG:
      /* Above the memory's latency: the RTL counts a fetch waiting on a
       * slow memory as no progress, the model does not (a watchdog shorter
       * than one memory access fires on the RTL only). */
      rig_wr(r, NC_HW_CSR_WATCHDOG_OFFSET, latency + rnd_(g, 200, 3000));
      break;
    case C_SLVERR:
      TK_REQUIRE_OK(nc_sim_inject_fault(r->s, NC_FAULT_SLVERR));
      break;
    case C_HANG:
      rig_wr(r, NC_HW_CSR_WATCHDOG_OFFSET, rnd_(g, 500, 3000));
      TK_REQUIRE_OK(nc_sim_inject_fault(r->s, NC_FAULT_HANG));
      break;
    case C_HALT_STOPPED:
      /* On a stopped device, where both are in the same state (a halt of a
       * running program lands on different instructions of the two): the
       * error names RING_HEAD, and the START after it is ignored. */
      rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
      break;
    case C_FIELD:
      if (variant == 7) {
        bad_record_(g, r);
      } else if (variant == 11) {
        bad_addq_(g, r);
      }
      break;
    case C_HANG_RUN:
      /* Armed from the start, above the memory's latency (see above). */
      rig_wr(r, NC_HW_CSR_WATCHDOG_OFFSET, latency + rnd_(g, 500, 3000));
      break;
    case C_RING:
      if (variant == 0) {
        rig_wr(r, NC_HW_CSR_RING_SIZE_OFFSET, 0);
      } else if (variant == 1) {
        rig_wr(r, NC_HW_CSR_RING_BASE_LO_OFFSET,
               rig_rd(r, NC_HW_CSR_RING_BASE_LO_OFFSET) + 8);
      } else if (variant == 2) {
        rig_wr(r, NC_HW_CSR_RING_HEAD_OFFSET,
               rig_rd(r, NC_HW_CSR_RING_SIZE_OFFSET));
      } else {
        rig_wr(r, NC_HW_CSR_RING_TAIL_OFFSET,
               rig_rd(r, NC_HW_CSR_RING_SIZE_OFFSET) + 1);
      }
      break;
    default:
      break;
  }
}

/* A program that writes every on-chip memory a program can read (the
 * scratchpad, the accumulator, the parameter memory) from the window, so
 * that two devices stopped at different points (a soft reset at a random
 * cycle) hold the same state again. A soft reset keeps those memories. */
static void scrub_(prog_t *p) {
  const uint32_t quarter = NC_HW_SPAD_ROWS / 4;
  p_load_cfg(p, NC_HW_ROWS, NC_HW_ROWS * 64, 0, 0, 0);
  for (uint32_t i = 0; i < 4; i++) {
    p_load(p,
           (ld_t){.sram = i * quarter,
                  .dram = ISA_LD_OFF,
                  .elems = NC_HW_ROWS,
                  .x = 64,
                  .y = quarter / 64},
           i == 3 ? UN : 0);
  }
  p_gemm(p, (gm_t){.lo = NC_HW_ACC_ROWS / 32, .li = 32, .aso = 32, .asi = 1},
         PP);
  for (uint32_t e = 0; e < NC_HW_PARAM_ENTRIES; e += ISA_PRM_RECS) {
    const uint32_t n = NC_HW_PARAM_ENTRIES - e < ISA_PRM_RECS
                           ? NC_HW_PARAM_ENTRIES - e
                           : ISA_PRM_RECS;
    p_load_param(p, e, n, ISA_PRM_OFF, 0);
  }
  p_finish(p);
}

/* Heals a stopped device and gives it back its ring. A soft reset keeps
 * the ring registers (the data file: configuration registers keep their
 * values), RING_HEAD included: 1 after rg_fail when it moved. */
/* Cycles a healed memory gets to take what the device still offers: the
 * slowest memory of mem=random (1 B/cycle, a 16-beat read burst in front)
 * needs a few hundred. */
#define HEAL_DRAIN_CYCLES 4096

static int heal_(rg_ctx_t *c, const char *where, rig_t *r) {
  TK_REQUIRE_OK(nc_sim_inject_fault(r->s, NC_FAULT_NONE));
  rig_wr(r, NC_HW_CSR_WATCHDOG_OFFSET, 0);
  const uint32_t head = rig_rd(r, NC_HW_CSR_RING_HEAD_OFFSET);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  /* The RTL returns to idle within a bounded number of cycles (its DMA
   * engines finish or drop the bursts they had started); every register
   * access is a cycle. */
  for (int i = 0; i < 100000; i++) {
    if ((rig_rd(r, NC_HW_CSR_STATUS_OFFSET) & 0xf1u) == 0) {
      break;
    }
  }
  /* The data file (CTRL.soft_reset): a write beat offered before the stop
   * is written when the healed memory takes it; let it drain before the
   * caller writes the memory image again. */
  for (int i = 0; i < HEAL_DRAIN_CYCLES; i++) {
    (void)rig_rd(r, NC_HW_CSR_STATUS_OFFSET);
  }
  const uint32_t after = rig_rd(r, NC_HW_CSR_RING_HEAD_OFFSET);
  if (after != head) {
    return rg_fail(c, "%s: a soft reset moved the %s's RING_HEAD from %u to %u",
                   where, rig_name(r), head, after);
  }
  rig_wr(r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)r->base);
  rig_wr(r, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(r->base >> 32));
  rig_wr(r, NC_HW_CSR_RING_SIZE_OFFSET, RIG_RING_ENTRIES);
  return 0;
}

/* A halt or a fault at a random cycle of the running tail (see the top of
 * the file for what is compared); 1 after rg_fail. slverr_unit injects it
 * once fetch has dispatched the FINISH at ring entry `finish` and `insns`
 * instructions have retired. */
static int midway_(rg_ctx_t *c, const char *where, int k, nc_rng_t *g,
                   rig_t *rtl, rig_t *model, uint32_t finish, uint32_t insns) {
  rig_t *both[2] = {rtl, model};
  uint64_t when = rnd_(g, 1, 3000);
  uint32_t st[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    if (k == C_SLVERR_UNIT) {
      for (when = 0;
           when < 1000000 && (when == 0 || (st[i] & 1u)) &&
           (rig_rd(both[i], NC_HW_CSR_RING_HEAD_OFFSET) != finish ||
            rig_rd(both[i], NC_HW_CSR_PERF_INSNS_OFFSET) < insns);
           when++) {
        TK_REQUIRE_OK(rg_isa_step(both[i], 1, &st[i]));
      }
    } else {
      TK_REQUIRE_OK(rg_isa_step(both[i], when, &st[i]));
    }
    if (k == C_HALT) {
      rig_wr(both[i], NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
    } else {
      TK_REQUIRE_OK(nc_sim_inject_fault(
          both[i]->s, k == C_HANG_RUN ? NC_FAULT_HANG : NC_FAULT_SLVERR));
    }
    /* To the stop: at once after a halt, the watchdog after a hang. */
    TK_REQUIRE_OK(rg_isa_step(both[i],
                              i == 0 ? RG_ISA_RTL_BUDGET : UINT64_C(1) << 40,
                              &st[i]));
  }
  const uint32_t busy = 1u << NC_HW_CSR_STATUS_BUSY_SHIFT;
  const uint32_t done = 1u << NC_HW_CSR_STATUS_DONE_SHIFT;
  const uint32_t error = 1u << NC_HW_CSR_STATUS_ERROR_SHIFT;
  rig_err_t e[2];
  uint32_t head[2], intr[2];
  for (int i = 0; i < 2; i++) {
    e[i] = rig_err(both[i]);
    head[i] = rig_rd(both[i], NC_HW_CSR_RING_HEAD_OFFSET);
    intr[i] = rig_rd(both[i], NC_HW_CSR_INTR_STATE_OFFSET);
    const char *who = rig_name(both[i]);
    if (st[i] & busy) {
      return rg_fail(c, "%s at cycle %llu: the %s is still busy", where,
                     (unsigned long long)when, who);
    }
    if (k == C_HALT) {
      if (!(st[i] & error) || e[i].code != NC_HW_ERR_HALTED ||
          e[i].unit != NC_HW_UNIT_NONE || e[i].info != 0 ||
          e[i].insn != head[i]) {
        return rg_fail(c,
                       "%s at cycle %llu: the %s has STATUS 0x%x, %s in %s at "
                       "entry %u (info %u), RING_HEAD %u; want halted from "
                       "the host at RING_HEAD, info 0",
                       where, (unsigned long long)when, who, st[i],
                       nc_hw_err_name(e[i].code), nc_hw_unit_name(e[i].unit),
                       e[i].insn, e[i].info, head[i]);
      }
    } else if (!(st[i] & error) ? !(st[i] & done)
                                : e[i].code != classes_[k].code ||
                                      e[i].unit == NC_HW_UNIT_COMPUTE ||
                                      e[i].unit == NC_HW_UNIT_NONE) {
      return rg_fail(c,
                     "%s at cycle %llu: the %s has STATUS 0x%x, %s in %s at "
                     "entry %u; want done, or %s from fetch, load or store",
                     where, (unsigned long long)when, who, st[i],
                     nc_hw_err_name(e[i].code), nc_hw_unit_name(e[i].unit),
                     e[i].insn, nc_hw_err_name(classes_[k].code));
    }
  }
  if (((st[0] ^ st[1]) & error) == 0 && (st[0] & error) &&
      (e[0].code != e[1].code || intr[0] != intr[1])) {
    return rg_fail(c,
                   "%s at cycle %llu: ERR_CODE %s / INTR_STATE 0x%x on the "
                   "rtl, %s / 0x%x on the model",
                   where, (unsigned long long)when, nc_hw_err_name(e[0].code),
                   intr[0], nc_hw_err_name(e[1].code), intr[1]);
  }
  rg_note(c, "  %s at cycle %llu: rtl %s at entry %u, model %s at entry %u",
          classes_[k].name, (unsigned long long)when,
          nc_hw_err_name(e[0].code), e[0].insn, nc_hw_err_name(e[1].code),
          e[1].insn);
  return 0;
}

static int c_midrun_;

static int item_(rg_ctx_t *c, uint64_t item, const nc_sim_config_t *cfg,
                 uint8_t *image) {
  nc_rng_t g;
  nc_rng_seed(&g, rg_item_seed(c->stream, item));
  memset(image, 0, RIG_MEM_SIZE);
  rg_isa_memory(&g, image);
  prog_t p = {0};
  int tok[4];
  rg_isa_stream_sync(&g, &p, 80, 0, tok);
  const size_t prefix = p.n;
  /* slverr_run, halt, hang_run and slverr_unit (the last four) only with
   * midrun=1: see the top. */
  const int k = (int)rnd_(&g, 0, c_midrun_ ? C_COUNT - 1 : C_SLVERR_RUN - 1);
  int variant = 0;
  tail_(&g, k, tok, &p, &variant);
  rg_note(c, "item %llu: %zu legal instructions, then %s (variant %d): %zu",
          (unsigned long long)item, prefix, classes_[k].name, variant,
          p.n - prefix);
  /* Where the rig sits (place=), from a stream of its own so that the
   * item's other draws stay what the seed gave before. */
  nc_rng_t pg;
  nc_rng_seed(&pg, rg_item_seed(c->stream, item) ^ UINT64_C(0x706c616365));
  rg_place_t pl;
  rg_isa_place(c, &pg, 0, &pl);
  /* With it, 1 item in 2 in a ring of up to 2^32 - 1 entries from a
   * random HEAD (its entries before HEAD below the rig memory), so that
   * ERR_INSN and the ring indices move in every bit. */
  rg_ring_t ring = {RIG_RING_ENTRIES, 0, 0};
  if (pl.base != RIG_MEM_BASE) {
    if (nc_rng_range(&pg, 0, 1)) {
      ring.size = (uint32_t)nc_rng_range(&pg, 1 << 16, UINT32_MAX - 1);
      ring.head = (uint32_t)nc_rng_range(&pg, 0, ring.size - 4096);
      if ((uint64_t)ring.head * NC_HW_INSN_BYTES > pl.base) {
        ring.head = (uint32_t)(pl.base / NC_HW_INSN_BYTES);
      }
      ring.at = ring.head;
    }
    rg_note(c, "  memory at 0x%llx, ring of %u from entry %u",
            (unsigned long long)pl.base, ring.size, ring.head);
  }
  rig_t rtl, model;
  if (rg_isa_open(c, &model, RIG_MODEL, cfg, image, &pl)) {
    prog_free(&p);
    return 1;
  }
  if (rg_isa_open(c, &rtl, RIG_RTL, cfg, image, &pl)) {
    rig_close(&model);
    prog_free(&p);
    return 1;
  }
  rig_t *both[2] = {&rtl, &model};
  char where[96];
  snprintf(where, sizeof where, "illegal item %llu (%s) prefix",
           (unsigned long long)item, classes_[k].name);
  int bad = 0;
  uint32_t sm = 0;
  for (int i = 0; i < 2; i++) {
    rg_isa_load_ring(both[i], &p, &ring);
    rig_wr(both[i], NC_HW_CSR_RING_TAIL_OFFSET, ring.head + (uint32_t)prefix);
    rig_wr(both[i], NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  }
  bad = rg_isa_stop_pair(c, where, &rtl, &model, 0, 1, &sm);
  if (!bad && (sm & 7u) != 1u << NC_HW_CSR_STATUS_DONE_SHIFT) {
    bad =
        rg_fail(c, "%s: the legal prefix stopped with STATUS 0x%x", where, sm);
  }
  if (!bad) {
    snprintf(where, sizeof where, "illegal item %llu (%s %d)",
             (unsigned long long)item, classes_[k].name, variant);
    /* The same random choices for both devices. */
    const nc_rng_t g0 = g;
    for (int i = 0; i < 2; i++) {
      g = g0;
      rig_wr(both[i], NC_HW_CSR_RING_TAIL_OFFSET, ring.head + (uint32_t)p.n);
      setup_(&g, k, variant, cfg->mem_latency, both[i]);
      rig_wr(both[i], NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    }
    if (k == C_HALT || k == C_SLVERR_RUN || k == C_HANG_RUN ||
        k == C_SLVERR_UNIT) {
      /* The residual add of slverr_unit: the STORE before the FINISH
       * (what precedes it retired; the counters count from the load). */
      const uint32_t insns =
          k == C_SLVERR_UNIT && variant == 2 ? (uint32_t)p.n - 2 : 0;
      bad = midway_(c, where, k, &g, &rtl, &model,
                    ring.head + (uint32_t)p.n - 1, insns);
    } else if (k == C_RESET) {
      const uint64_t when = rnd_(&g, 1, 3000);
      (void)rg_isa_stop_pair(c, where, &rtl, &model, when, 0, &sm);
      for (int i = 0; i < 2; i++) {
        rig_wr(both[i], NC_HW_CSR_CTRL_OFFSET,
               1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
      }
      /* Where each device was when the reset came depends on its
       * timing; afterwards both must be idle with no error. */
      for (int i = 0; i < 2 && !bad; i++) {
        const uint32_t s = rig_rd(both[i], NC_HW_CSR_STATUS_OFFSET);
        const rig_err_t e = rig_err(both[i]);
        if ((s & 7u) != 0 || e.code != NC_HW_ERR_NONE) {
          bad = rg_fail(c, "%s: the %s has STATUS 0x%x, %s after a soft reset",
                        where, rig_name(both[i]), s, nc_hw_err_name(e.code));
        }
      }
    } else {
      bad = rg_isa_stop_pair(c, where, &rtl, &model, 0, 1, &sm);
      const rig_err_t e = rig_err(&model);
      /* After a halt the START is ignored: the prefix's done stays. */
      const uint32_t want =
          1u << NC_HW_CSR_STATUS_ERROR_SHIFT |
          (k == C_HALT_STOPPED ? 1u << NC_HW_CSR_STATUS_DONE_SHIFT : 0u);
      if (!bad && ((sm & 7u) != want ||
                   e.code != classes_[k].code)) {
        bad = rg_fail(c, "%s: want %s, both stopped with STATUS 0x%x, %s in %s",
                      where, nc_hw_err_name(classes_[k].code), sm,
                      nc_hw_err_name(e.code), nc_hw_unit_name(e.unit));
      }
      if (!bad) {
        /* A second error on a device in error (CTRL.halt from the host):
         * the first one's registers stay. */
        const uint32_t err_regs[3] = {rig_rd(&model, NC_HW_CSR_ERR_CODE_OFFSET),
                                      rig_rd(&model, NC_HW_CSR_ERR_INSN_OFFSET),
                                      rig_rd(&model, NC_HW_CSR_ERR_INFO_OFFSET)};
        for (int i = 0; i < 2 && !bad; i++) {
          rig_wr(both[i], NC_HW_CSR_CTRL_OFFSET,
                 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
          const uint32_t now[3] = {
              rig_rd(both[i], NC_HW_CSR_ERR_CODE_OFFSET),
              rig_rd(both[i], NC_HW_CSR_ERR_INSN_OFFSET),
              rig_rd(both[i], NC_HW_CSR_ERR_INFO_OFFSET)};
          if (memcmp(now, err_regs, sizeof now) != 0) {
            bad = rg_fail(c,
                          "%s: CTRL.halt on the stopped %s changed ERR_CODE, "
                          "ERR_INSN, ERR_INFO from 0x%x, %u, %u to 0x%x, %u, "
                          "%u",
                          where, rig_name(both[i]), err_regs[0], err_regs[1],
                          err_regs[2], now[0], now[1], now[2]);
          }
        }
        bad = bad || rg_isa_compare(c, where, &rtl, &model, 0);
      }
    }
  }
  if (!bad) {
    /* A correct program afterwards, from a fresh image and a scrubbed
     * device. */
    prog_t q = {0};
    scrub_(&q);
    rg_isa_stream_sync(&g, &q, 150, 1, NULL);
    rg_isa_memory(&g, image);
    snprintf(where, sizeof where, "illegal item %llu (%s) healing",
             (unsigned long long)item, classes_[k].name);
    for (int i = 0; i < 2 && !bad; i++) {
      bad = heal_(c, where, both[i]);
      TK_REQUIRE_OK(
          nc_sim_mem_write(both[i]->s, both[i]->base, image, RIG_MEM_SIZE));
      rg_isa_load(both[i], &q);
    }
    snprintf(where, sizeof where, "illegal item %llu (%s) recovery",
             (unsigned long long)item, classes_[k].name);
    bad = bad || rg_isa_run_pair(c, where, &rtl, &model, 1);
    prog_free(&q);
  }
  rig_close(&rtl);
  rig_close(&model);
  prog_free(&p);
  return bad;
}

int rg_gen_illegal(rg_ctx_t *c) {
  const long items = rg_opt_int(c, "items", 10);
  c_midrun_ = (int)rg_opt_int(c, "midrun", 0);
  for (int i = 0; i < c->nbackends; i++) {
    if (strcmp(c->backends[i], "rtl") != 0) {
      return rg_fail(c,
                     "illegal: runs the rtl against the model; backend %s "
                     "is not one it takes",
                     c->backends[i]);
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
    bad = item_(c, (uint64_t)it, &cfg, image);
    c->items += !bad;
  }
  free(image);
  return bad;
}
