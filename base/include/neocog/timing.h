/*
 * The accelerator's timing rules, in one place: what each instruction costs
 * on the RTL (hw/rtl/), as an event model. The scheduler (neocog/sched.h,
 * base/sched.c) applies them, and the functional model and the planner's
 * replay both run that scheduler, so the planner predicts what the model
 * counts and both follow the RTL's measured costs (bench/bench_insn.c shows
 * them side by side).
 *
 * The rules, with L = memory latency and the RTL's structure behind each:
 *
 *  - Memory port: one beat of bus_bytes per cycle, bursts requested ahead of
 *    their data, so a transfer books the port from its request on and its
 *    data arrives L + 2 cycles later (the memory's latency and the port's
 *    register slices); back-to-back transfers hide the latency.
 *    The memory answers at most NC__TM_OUTSTANDING bursts at once, so a
 *    stream of one-burst rows moves one row per (L + 5) / 64 cycles.
 *  - Fetch (nc_cmd_proc): one burst of up to 16 entries in flight, into a
 *    buffer of 32; a burst is usable at its last beat.
 *  - LOAD (nc_load_unit): the issue side takes a LOAD 2 cycles before its
 *    first read segment (a line when rows are contiguous, else a row) and
 *    hands out one segment per cycle; the write side writes one scratchpad
 *    row per cycle, padding included, in LOAD order, one cycle between
 *    LOADs. At most 4 LOADs are accepted and not done (its command FIFO).
 *    An im2col LOAD reads each line as one segment cut into rows of the
 *    array's width (the last one short), the write side takes those rows
 *    into its tile buffer at one per cycle, then writes each plane's rows
 *    at one per cycle after a cycle that sets the plane up, and reports
 *    done one cycle after its last row.
 *  - GEMM (nc_compute_unit): vectors stream at one per cycle, back to back
 *    across GEMMs. A weight preload (cols rows through the second
 *    scratchpad port) starts cols - 2 cycles after the previous swap, takes
 *    cols + 2 cycles (so GEMMs that swap weights take 2 * cols cycles at
 *    least), and waits for the previous GEMM's activations when it reads
 *    one of their banks (the activation port wins the bank). Results leave
 *    the array rows + cols - 1 cycles after their vector.
 *  - DWCONV (the same unit): reads its tile's pixels at one per cycle,
 *    nread = ((out_h-1)*stride_y + kh-1)*line + (out_w-1)*stride_x + kw of
 *    them, and issues its output pixels (slots) from j0 = 3 +
 *    (kh-1)*(line-kw) cycles after its first read on, one input pixel a
 *    cycle, where the window's position is an output; it takes
 *    max(nread, j0 + the last slot's position + 1) cycles, the preload as a
 *    GEMM's but ready before the first read. The array changes mode (GEMM
 *    or depthwise, and the depthwise geometry kh, kw, line) only when
 *    empty: rows + cols cycles after the last vector, plus one cycle.
 *  - STORE (nc_store_unit): one at a time: 2 cycles of checks, cols + 1
 *    reading the lane parameters, then accumulator rows at one per cycle
 *    (with pooling: then each output pixel's taps at one per cycle, plus 2
 *    per pixel), the writes overlapped, and the last write response L
 *    cycles after the last beat. Pixels that are not contiguous are one
 *    burst each, bounded by the outstanding writes as rows are for LOAD.
 *    The memory serves reads and writes in turn: where a STORE's writes
 *    and LOADs' reads arriving meanwhile together ask for more than a beat
 *    a cycle, each gets half the beats, or what the other leaves, so both
 *    take longer (nc__tm_halve). For LOADs booked while its writes run the
 *    STORE completes later (nc__tm_share; the scheduler moves the STORE's
 *    completion); for the reads of the last LOADs booked before it, those
 *    reads, and every read behind them on the port, arrive later
 *    (nc__tm_share_w; the scheduler moves the LOADs' completions).
 *    With a residual add: 2 more cycles reading the addq record, then the
 *    residual's reads (the same segments as the writes) booked on the port
 *    ahead of the writes; rows wait for their residual pixel, so the
 *    stream starts L + 3 cycles later, and reads and writes share the
 *    memory's beats.
 *  - LOAD_PARAM: reads its records twice (check pass, write pass).
 *  - A completion's tokens are usable NC__TM_RETIRE cycles after it.
 *
 * Results never depend on these numbers; only cycle counts do.
 */
#ifndef NEOCOG_TIMING_H
#define NEOCOG_TIMING_H

#include <stdint.h>
#include <string.h>

#include "neocog/nc_hw.h"

/* Bursts the memory holds accepted and unanswered (nc::AxiMem). */
#define NC__TM_OUTSTANDING 64u
/* Instructions the load unit holds accepted and not done. */
#define NC__TM_LOAD_DEPTH 4u
/* GEMMs the compute unit holds accepted and not yet streamed. */
#define NC__TM_GEMM_DEPTH 4u
/* Entries of the fetch buffer (two bursts). */
#define NC__TM_FETCH_BUF 32u
/* Cycles the AXI port's register slices add to a memory round trip: one on
 * the way out (AR, AW/W), one on the way back (R, B). */
#define NC__TM_SLICES 2u
/* Cycles from a unit's completion to its tokens being usable. */
#define NC__TM_RETIRE 2u

/* Timing state: the memory port, the units' pipelines and the LOAD_CFG /
 * STORE_CFG fields costs depend on. Zero it with nc__tm_init(). */
typedef struct {
  uint64_t lat, bw;   /* memory latency, bytes per cycle */
  uint64_t port_free; /* the memory port takes its next request then */
  uint64_t port_bb;   /* beats per burst of the stream booked last */
  /* LOAD_CFG / STORE_CFG state (as the units hold it). */
  uint64_t ld_xs, ld_ys, ld_zs;
  uint64_t st_xs, st_ys;
  uint32_t st_fmt, st_pool, st_kh, st_kw, st_sh, st_sw;
  uint32_t st_add, st_rdelta; /* STORE_CFG add, res_delta */
  /* Load unit. */
  uint64_t ld_wfree; /* write side free (last row written) */
  /* Compute unit. */
  uint64_t cu_afree;                       /* activation stream free */
  uint64_t cu_swap;                        /* last weight swap (0: none) */
  uint64_t cu_aend[NC__TM_GEMM_DEPTH];     /* stream ends, last GEMMs */
  unsigned cu_k;                           /* GEMMs so far (ring index) */
  uint32_t cu_bank_lo, cu_bank_hi;         /* banks the last GEMM read */
  int cu_any;                              /* a GEMM ran since restart */
  uint64_t cu_vend;  /* the last vector entered the array then */
  uint32_t cu_mode;  /* the array's mode: 0 GEMM, else a DWCONV geometry */
  uint64_t qdone[3]; /* last retirement per queue: they retire in order */
  /* The STORE in flight: its writes' span on the port and their beats, and
   * the cycles LOADs booked since have delayed it by (the scheduler moves
   * the STORE's completion by them and clears the field). */
  uint64_t st_wb, st_we, st_wbeats;
  uint64_t st_push;
  /* The last LOADs' reads booked on the port (a ring, rd_k the next
   * entry): the span their data arrive over and their beats; and the cycles
   * a STORE booked while they arrive delays them by, from cycle ld_push_at
   * on (the scheduler moves the LOADs' completions by them and clears the
   * field). */
  uint64_t rd_b[NC__TM_LOAD_DEPTH], rd_e[NC__TM_LOAD_DEPTH];
  uint64_t rd_beats[NC__TM_LOAD_DEPTH];
  unsigned rd_k;
  uint64_t ld_push, ld_push_at;
} nc__tm_t;

/* What one instruction does to its unit's schedule. */
typedef struct {
  uint64_t stall_until; /* it waits for the memory port until then */
  uint64_t free_at;     /* its unit may accept the next instruction */
  uint64_t busy_until;  /* its unit works on it until then */
  uint64_t done;        /* its tokens are usable, it retires */
} nc__tm_slot_t;

static inline uint64_t nc__tm_max(uint64_t a, uint64_t b) {
  return a > b ? a : b;
}

static inline uint64_t nc__tm_cdiv(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

/* The CFG state after reset / soft reset. */
static inline void nc__tm_reset_cfg(nc__tm_t *t) {
  t->ld_xs = t->ld_ys = t->ld_zs = 0;
  t->st_xs = t->st_ys = 0;
  t->st_fmt = NC_HW_OUT_INT32;
  t->st_pool = NC_HW_POOL_NONE;
  t->st_kh = t->st_kw = t->st_sh = t->st_sw = 1;
  t->st_add = t->st_rdelta = 0;
  t->cu_mode = 0;
}

/* Fresh pipelines at cycle `now` (START after a stop); CFG state stays. */
static inline void nc__tm_restart(nc__tm_t *t, uint64_t now) {
  t->port_free = now;
  t->ld_wfree = now;
  t->cu_afree = now;
  t->cu_swap = 0;
  for (unsigned i = 0; i < NC__TM_GEMM_DEPTH; i++) {
    t->cu_aend[i] = now;
  }
  t->cu_k = 0;
  t->cu_bank_lo = t->cu_bank_hi = 0;
  t->cu_any = 0;
  t->cu_vend = now;
  t->qdone[0] = t->qdone[1] = t->qdone[2] = now;
  t->st_wb = t->st_we = now;
  t->st_wbeats = 0;
  t->st_push = 0;
  for (unsigned i = 0; i < NC__TM_LOAD_DEPTH; i++) {
    t->rd_b[i] = t->rd_e[i] = now;
    t->rd_beats[i] = 0;
  }
  t->rd_k = 0;
  t->ld_push = t->ld_push_at = 0;
}

static inline void nc__tm_init(nc__tm_t *t, uint64_t latency, uint64_t bw) {
  memset(t, 0, sizeof *t);
  t->lat = latency + NC__TM_SLICES;
  t->bw = bw > 0 ? bw : 1;
  nc__tm_reset_cfg(t);
  nc__tm_restart(t, 0);
}

/* Most instructions queue q's unit holds accepted and not retired. */
static inline unsigned nc__tm_depth(int q) {
  return q == NC_HW_QUEUE_LOAD ? NC__TM_LOAD_DEPTH
         : q == NC_HW_QUEUE_STORE ? 1u
                                  : NC_HW_ARRAY_LATENCY + 1u;
}

/* Books `beats` on the port for a request another master makes at `at`
 * while a stream may be under way: the memory answers in order, but holds
 * only NC__TM_OUTSTANDING bursts, so the request waits for those at most
 * (and delays the rest of the stream). Returns the request's cycle. */
static inline uint64_t nc__tm_cut_in(nc__tm_t *t, uint64_t at,
                                     uint64_t beats) {
  uint64_t xs = at;
  if (t->port_free > at) {
    const uint64_t ahead = NC__TM_OUTSTANDING * t->port_bb;
    const uint64_t wait = ahead > t->lat ? ahead - t->lat : 0;
    xs = t->port_free < at + wait ? t->port_free : at + wait;
    t->port_free += beats;
  } else {
    t->port_free = at + beats;
    t->port_bb = beats;
  }
  return xs;
}

/* A fetch burst of n entries requested at `now`: the cycle its entries
 * may be dispatched. */
static inline uint64_t nc__tm_fetch(nc__tm_t *t, uint64_t now, uint64_t n) {
  const uint64_t beats = nc__tm_cdiv(n * NC_HW_INSN_BYTES, t->bw);
  const uint64_t xs = nc__tm_cut_in(t, now + 1, beats);
  return xs + t->lat + beats + 1;
}

/* Cycles a stream of `bursts` bursts of `beats` beats in all occupies the
 * port: one beat per bus_bytes, and the outstanding-burst bound. */
static inline uint64_t nc__tm_stream(const nc__tm_t *t, uint64_t beats,
                                     uint64_t bursts, int64_t extra) {
  const int64_t per = (int64_t)t->lat + extra;
  const uint64_t lim = per > 0 && bursts > NC__TM_OUTSTANDING
                           ? nc__tm_cdiv(bursts * (uint64_t)per,
                                         NC__TM_OUTSTANDING)
                           : 0;
  return nc__tm_max(beats, lim);
}

static inline uint64_t nc__tm_gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    const uint64_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/* The bus width's common divisor with the strides `a`, `b`, `c` (0: not
 * used): every run of an instruction starts at its first one's offset plus
 * a multiple of it. */
static inline uint64_t nc__tm_grain(uint64_t a, uint64_t b, uint64_t c) {
  return nc__tm_gcd(nc__tm_gcd(nc__tm_gcd(NC_HW_BUS_BYTES, a), b), c);
}

/* Beats a run of `bytes` starting at byte offset `off` takes (whole,
 * bus-aligned beats). Every run starts at `off` plus a multiple of `grain`
 * (nc__tm_grain): with the bus width all at off's alignment; else the
 * worst start within a beat is assumed, bus width - gcd(grain, off), so a
 * run that fits its grain never straddles two beats (8-byte rows at 8-byte
 * steps on a 16-byte bus). */
static inline uint64_t nc__tm_beats(const nc__tm_t *t, uint64_t off,
                                    uint64_t bytes, uint64_t grain) {
  const uint64_t bb = NC_HW_BUS_BYTES;
  const uint64_t lead = grain == bb       ? off % bb
                        : bytes % bb == 0 ? 0
                                          : bb - nc__tm_gcd(grain, off % bb);
  return nc__tm_cdiv(nc__tm_cdiv(lead + bytes, bb) * bb, t->bw);
}

/* Fixed-point unit of the port shares below. */
#define NC__TM_ONE 65536u

/* Two streams on the port over `o` cycles, one asking for pa beats a cycle
 * and the other for pb (NC__TM_ONE: a beat every cycle): where together
 * they ask for more than a beat a cycle, the memory serves them in turn,
 * each getting half the beats or what the other leaves. Returns the cycles
 * the first stream is delayed by. */
static inline uint64_t nc__tm_halve(uint64_t o, uint64_t pa, uint64_t pb) {
  const uint64_t half = NC__TM_ONE / 2;
  const uint64_t sa = pb >= half ? (pa < half ? pa : half) : NC__TM_ONE - pb;
  return o * (pa - sa) / sa;
}

/* Beats a cycle (NC__TM_ONE: one) of `beats` over `span` cycles. */
static inline uint64_t nc__tm_rate(uint64_t beats, uint64_t span) {
  return span > 0 ? nc__tm_max(1, beats * NC__TM_ONE / span) : NC__TM_ONE;
}

/* Reads of `beats` beats whose data arrives over [rb, rb + span) while the
 * STORE in flight writes: both slowed where together they ask for more
 * than a beat a cycle (nc__tm_halve). Adds the STORE's delay to st_push and
 * returns the reads'. */
static inline uint64_t nc__tm_share(nc__tm_t *t, uint64_t rb, uint64_t span,
                                    uint64_t beats) {
  const uint64_t lo = nc__tm_max(rb, t->st_wb);
  const uint64_t hi = rb + span < t->st_we ? rb + span : t->st_we;
  if (hi <= lo || span == 0 || t->st_we <= t->st_wb) {
    return 0;
  }
  const uint64_t pr = nc__tm_rate(beats, span);
  const uint64_t pw = nc__tm_rate(t->st_wbeats, t->st_we - t->st_wb);
  if (pr + pw <= NC__TM_ONE) {
    return 0;
  }
  const uint64_t dw = nc__tm_halve(hi - lo, pw, pr);
  t->st_we += dw;
  t->st_push += dw;
  return nc__tm_halve(hi - lo, pr, pw);
}

/* The same from the STORE's side: writes of `beats` beats over [wb, wb +
 * span) while the reads of the LOADs booked before them arrive. Delays
 * those reads (and the ones behind them on the port: the port, the load
 * unit's write side, and ld_push for the LOADs in flight) and returns the
 * writes' delay. */
static inline uint64_t nc__tm_share_w(nc__tm_t *t, uint64_t wb, uint64_t span,
                                      uint64_t beats) {
  if (span == 0 || beats == 0) {
    return 0;
  }
  const uint64_t pw = nc__tm_rate(beats, span);
  uint64_t dw = 0, dr = 0, at = 0;
  for (unsigned i = 0; i < NC__TM_LOAD_DEPTH; i++) {
    const unsigned k = (t->rd_k + i) % NC__TM_LOAD_DEPTH; /* oldest first */
    t->rd_b[k] += dr; /* behind the reads delayed so far */
    t->rd_e[k] += dr;
    const uint64_t lo = nc__tm_max(wb, t->rd_b[k]);
    const uint64_t hi = wb + span < t->rd_e[k] ? wb + span : t->rd_e[k];
    if (hi <= lo) {
      continue;
    }
    const uint64_t pr = nc__tm_rate(t->rd_beats[k], t->rd_e[k] - t->rd_b[k]);
    if (pr + pw <= NC__TM_ONE) {
      continue;
    }
    const uint64_t d = nc__tm_halve(hi - lo, pr, pw);
    at = dr == 0 ? lo : at;
    t->rd_e[k] += d;
    dr += d;
    dw += nc__tm_halve(hi - lo, pw, pr);
  }
  if (dr > 0) {
    t->port_free += t->port_free + t->lat > at ? dr : 0;
    t->ld_wfree += t->ld_wfree > at ? dr : 0;
    t->ld_push_at = t->ld_push == 0 || at < t->ld_push_at ? at
                                                           : t->ld_push_at;
    t->ld_push += dr;
  }
  return dw;
}

/* Books a LOAD's reads (`beats` in `bursts`) on the port; its issue side
 * takes it 2 cycles after `now`. Returns the cycle its first data reaches
 * the write side; *xs is the cycle the port takes its first request and
 * *port the cycles the reads occupy it. */
static inline uint64_t nc__tm_load_reads(nc__tm_t *t, uint64_t now,
                                         uint64_t beats, uint64_t bursts,
                                         uint64_t *xs, uint64_t *port) {
  *port = nc__tm_stream(t, beats, bursts, 3);
  *xs = nc__tm_max(now + 2, t->port_free);
  *port += nc__tm_share(t, *xs + t->lat, *port, beats);
  t->port_free = *xs + *port;
  t->port_bb = nc__tm_cdiv(beats, bursts);
  const unsigned k = t->rd_k++ % NC__TM_LOAD_DEPTH;
  t->rd_b[k] = *xs + t->lat;
  t->rd_e[k] = *xs + t->lat + *port;
  t->rd_beats[k] = beats;
  return *xs + t->lat + 3;
}

/* An im2col LOAD (im2col_kh != 0): the tile's lines, its rows. */
static inline void nc__tm_load_i2c(nc__tm_t *t, const nc_hw_insn_t *in,
                                   uint64_t now, nc__tm_slot_t *s) {
  const uint64_t el = nc_hw_load_get_elems(in);
  const uint64_t xn = nc_hw_load_get_x_size(in);
  const uint64_t yn = nc_hw_load_get_y_size(in);
  const uint64_t zn = nc_hw_load_get_z_size(in);
  const uint64_t hp = nc_hw_load_get_pad_top(in) + yn +
                      nc_hw_load_get_pad_bottom(in);
  const uint64_t wp = nc_hw_load_get_pad_left(in) + xn +
                      nc_hw_load_get_pad_right(in);
  const uint64_t oh =
      (hp - nc_hw_load_get_im2col_kh(in)) / nc_hw_load_get_im2col_sh(in) + 1;
  const uint64_t ow =
      (wp - nc_hw_load_get_im2col_kw(in)) / nc_hw_load_get_im2col_sw(in) + 1;
  const uint64_t off = nc_hw_load_get_dram_offset(in);
  const uint64_t len = xn * el;
  const uint64_t grain = nc__tm_grain(t->ld_ys, 0, 0);
  const uint64_t bl = nc__tm_beats(t, off, len, grain);
  const uint64_t beats = yn * bl, nseg = yn;
  const uint64_t bursts = yn * nc__tm_cdiv(bl, NC_HW_AXI_MAX_BEATS);
  const uint64_t iss = now + 2;
  uint64_t xs, port;
  const uint64_t first = nc__tm_load_reads(t, now, beats, bursts, &xs, &port);
  const uint64_t fill = yn * nc__tm_cdiv(len, NC_HW_ROWS);
  const uint64_t wstart = nc__tm_max(t->ld_wfree + 1, now + 3);
  const uint64_t fend =
      nc__tm_max(wstart + fill, first + nc__tm_max(port, fill));
  const uint64_t wend = fend + zn * (1 + oh * ow) + 1;
  t->ld_wfree = wend;
  s->stall_until = xs > iss ? xs : now;
  s->free_at = iss + nseg;
  s->busy_until = wend;
  s->done = wend + NC__TM_RETIRE;
}

static inline void nc__tm_load(nc__tm_t *t, const nc_hw_insn_t *in,
                               uint64_t now, nc__tm_slot_t *s) {
  if (nc_hw_load_get_im2col_kh(in) != 0) {
    nc__tm_load_i2c(t, in, now, s);
    return;
  }
  const uint64_t el = nc_hw_load_get_elems(in);
  const uint64_t xn = nc_hw_load_get_x_size(in);
  const uint64_t yn = nc_hw_load_get_y_size(in);
  const uint64_t zn = nc_hw_load_get_z_size(in);
  const uint64_t pt = nc_hw_load_get_pad_top(in);
  const uint64_t pb = nc_hw_load_get_pad_bottom(in);
  const uint64_t pl = nc_hw_load_get_pad_left(in);
  const uint64_t pr = nc_hw_load_get_pad_right(in);
  const uint64_t off = nc_hw_load_get_dram_offset(in);
  const uint64_t lines = zn * yn, rows = lines * xn;
  const uint64_t wline = pl + xn + pr;
  const uint64_t all = zn * (pt + yn + pb) * wline;
  const int contig = t->ld_xs == el;
  const uint64_t grain =
      nc__tm_grain(t->ld_ys, t->ld_zs, contig ? 0 : t->ld_xs);
  uint64_t beats, bursts, nseg;
  if (contig) {
    const uint64_t bl = nc__tm_beats(t, off, xn * el, grain);
    beats = lines * bl;
    bursts = lines * nc__tm_cdiv(bl, NC_HW_AXI_MAX_BEATS);
    nseg = lines;
  } else {
    beats = rows * nc__tm_beats(t, off, el, grain);
    bursts = nseg = rows;
  }
  const uint64_t iss = now + 2;
  uint64_t xs, port;
  const uint64_t first = nc__tm_load_reads(t, now, beats, bursts, &xs, &port);
  const uint64_t data = nc__tm_max(port, rows);
  const uint64_t tail = pb * wline + pr;
  const uint64_t wstart = nc__tm_max(t->ld_wfree + 1, now + 3);
  const uint64_t wend = nc__tm_max(wstart + all, first + data + tail);
  t->ld_wfree = wend;
  s->stall_until = xs > iss ? xs : now;
  s->free_at = iss + nseg;
  if (!contig && t->port_free > t->lat + 3) {
    /* Row segments wait for room among the bursts in flight. */
    s->free_at = nc__tm_max(s->free_at, t->port_free - t->lat - 3);
  }
  s->busy_until = wend;
  s->done = wend + NC__TM_RETIRE;
}

/* Scratchpad banks rows [a, b] touch. */
static inline uint32_t nc__tm_bank(uint64_t row) {
  return (uint32_t)(row / NC_HW_SPAD_BANK_ROWS);
}

/* The first cycle a compute instruction accepted at `now` may issue a read,
 * in array mode `mode` (0 GEMM, else a DWCONV geometry): a mode change waits
 * for the array to empty and takes a cycle. */
static inline uint64_t nc__tm_mode(nc__tm_t *t, uint32_t mode, uint64_t now) {
  uint64_t first = nc__tm_max(now + 1, t->cu_afree);
  if (t->cu_mode != mode) {
    first = nc__tm_max(first, t->cu_vend + NC_HW_ARRAY_LATENCY + 1) + 1;
    t->cu_mode = mode;
  }
  return first;
}

/* When the weights of an instruction accepted at `now` (first vector no
 * sooner than `first`) are in the shadow: its preload of cols rows at `w`
 * starts after the previous swap, and after the previous instruction's
 * activations when it reads one of their banks. */
static inline uint64_t nc__tm_preload(const nc__tm_t *t, uint64_t w,
                                      uint64_t now, uint64_t first) {
  uint64_t pre = now;
  if (t->cu_swap > 0) {
    pre = nc__tm_max(pre, t->cu_swap + NC_HW_COLS - 2);
  } else {
    pre += 4; /* the weight stage starts from idle */
  }
  if (t->cu_any && nc__tm_bank(w) <= t->cu_bank_hi &&
      nc__tm_bank(w + NC_HW_COLS - 1) >= t->cu_bank_lo && t->cu_afree > 3) {
    /* The previous instruction's activations win the bank. */
    pre = nc__tm_max(pre, t->cu_afree - 2);
  }
  return nc__tm_max(first, pre + NC_HW_COLS + 2);
}

/* Books a compute instruction accepted at `now` whose reads (rows lo..hi)
 * end at `aend` and whose last vector enters the array at `vend`. */
static inline void nc__tm_cu_book(nc__tm_t *t, uint64_t now, uint64_t aend,
                                  uint64_t vend, uint64_t lo, uint64_t hi,
                                  nc__tm_slot_t *s) {
  t->cu_afree = aend;
  t->cu_vend = vend;
  t->cu_bank_lo = nc__tm_bank(lo);
  t->cu_bank_hi = nc__tm_bank(hi);
  t->cu_any = 1;
  t->cu_aend[t->cu_k % NC__TM_GEMM_DEPTH] = aend;
  t->cu_k++;
  s->stall_until = now;
  s->free_at = nc__tm_max(now + 1, t->cu_aend[t->cu_k % NC__TM_GEMM_DEPTH]);
  s->busy_until = aend;
  s->done = vend + NC_HW_ARRAY_LATENCY + NC__TM_RETIRE;
}

static inline void nc__tm_gemm(nc__tm_t *t, const nc_hw_insn_t *in,
                               uint64_t now, nc__tm_slot_t *s) {
  const uint64_t lo = nc_hw_gemm_get_loop_out(in);
  const uint64_t li = nc_hw_gemm_get_loop_in(in);
  const uint64_t n = lo * li;
  const uint64_t inp = nc_hw_gemm_get_inp_addr(in);
  const uint64_t last = inp + (lo - 1) * nc_hw_gemm_get_inp_stride_out(in) +
                        (li - 1) * nc_hw_gemm_get_inp_stride_in(in);
  uint64_t first = nc__tm_mode(t, 0, now);
  if (!nc_hw_gemm_get_wgt_keep(in)) {
    first = nc__tm_preload(t, nc_hw_gemm_get_wgt_addr(in), now, first);
    t->cu_swap = first;
  }
  nc__tm_cu_book(t, now, first + n, first + n, inp, last, s);
}

static inline void nc__tm_dwconv(nc__tm_t *t, const nc_hw_insn_t *in,
                                 uint64_t now, nc__tm_slot_t *s) {
  const uint64_t oh = nc_hw_dwconv_get_out_h(in);
  const uint64_t ow = nc_hw_dwconv_get_out_w(in);
  const uint64_t line = nc_hw_dwconv_get_line(in);
  const uint64_t kh = nc_hw_dwconv_get_kh(in);
  const uint64_t kw = nc_hw_dwconv_get_kw(in);
  const uint64_t sy = nc_hw_dwconv_get_stride_y(in);
  const uint64_t sx = nc_hw_dwconv_get_stride_x(in);
  const uint64_t inp = nc_hw_dwconv_get_inp_addr(in);
  const uint64_t nread = ((oh - 1) * sy + kh - 1) * line + (ow - 1) * sx + kw;
  const uint64_t j0 = 3 + (kh - 1) * (line - kw);
  const uint64_t blast = (oh - 1) * sy * line + (ow - 1) * sx;
  const uint64_t run = nc__tm_max(nread, j0 + blast + 1);
  const uint32_t mode = (uint32_t)(1 + kh + (kw << 4) + (line << 9));
  uint64_t first = nc__tm_mode(t, mode, now);
  if (!nc_hw_dwconv_get_wgt_keep(in)) {
    first = nc__tm_preload(t, nc_hw_dwconv_get_wgt_addr(in), now, first);
    t->cu_swap = first + j0;
  }
  nc__tm_cu_book(t, now, first + run, first + j0 + blast + 1, inp,
                 inp + (nread - 1) * nc_hw_dwconv_get_pix_stride(in), s);
}

/* Taps the windows of a pooled STORE read, in one dimension: the sum over
 * output positions of the window's extent inside the tile. */
static inline uint64_t nc__tm_taps(uint64_t size, uint64_t pad0,
                                   uint64_t pad1, uint64_t k, uint64_t st,
                                   uint64_t *outs) {
  const uint64_t o = (size + pad0 + pad1 - k) / st + 1;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < o; i++) {
    const int64_t a = (int64_t)(i * st) - (int64_t)pad0;
    const int64_t b = a + (int64_t)k;
    const int64_t lo = a < 0 ? 0 : a;
    const int64_t hi = b > (int64_t)size ? (int64_t)size : b;
    sum += hi > lo ? (uint64_t)(hi - lo) : 0;
  }
  *outs = o;
  return sum;
}

/* Beats and bursts of a STORE's transfers of `len` bytes per pixel over
 * oh x ow pixels from offset `off`: a line's pixels in one run when they
 * are contiguous, else one burst per pixel (the output's writes, and the
 * residual's reads). */
static inline void nc__tm_pixels(const nc__tm_t *t, uint64_t off,
                                 uint64_t oh, uint64_t ow, uint64_t len,
                                 uint64_t *beats, uint64_t *bursts) {
  const int contig = t->st_xs == len;
  const uint64_t grain = nc__tm_grain(t->st_ys, contig ? 0 : t->st_xs, 0);
  if (contig) {
    const uint64_t bl = nc__tm_beats(t, off, ow * len, grain);
    *beats = oh * bl;
    *bursts = oh * nc__tm_cdiv(bl, NC_HW_AXI_MAX_BEATS);
  } else {
    *beats = oh * ow * nc__tm_beats(t, off, len, grain);
    *bursts = oh * ow;
  }
}

static inline void nc__tm_store(nc__tm_t *t, const nc_hw_insn_t *in,
                                uint64_t now, nc__tm_slot_t *s) {
  const int pool = t->st_pool != NC_HW_POOL_NONE;
  const uint64_t yn = nc_hw_store_get_y_size(in);
  const uint64_t xn = nc_hw_store_get_x_size(in);
  const uint64_t off = nc_hw_store_get_dram_offset(in);
  uint64_t oh, ow, ty, tx;
  ty = nc__tm_taps(yn, nc_hw_store_get_pool_pad_top(in),
                   nc_hw_store_get_pool_pad_bottom(in), pool ? t->st_kh : 1,
                   pool ? t->st_sh : 1, &oh);
  tx = nc__tm_taps(xn, nc_hw_store_get_pool_pad_left(in),
                   nc_hw_store_get_pool_pad_right(in), pool ? t->st_kw : 1,
                   pool ? t->st_sw : 1, &ow);
  const uint64_t plen = (uint64_t)nc_hw_store_get_n_cols(in) *
                        (t->st_fmt == NC_HW_OUT_INT8 ? 1u : 4u);
  uint64_t beats, bursts;
  nc__tm_pixels(t, off, oh, ow, plen, &beats, &bursts);
  uint64_t wr = nc__tm_stream(t, beats, bursts, -7);
  const int add = t->st_add != 0 && !pool;
  uint64_t start = now + 2 + NC_HW_COLS + 1;
  if (add) {
    /* The residual: n_cols bytes per pixel on the output's segments. */
    uint64_t rbeats, rbursts;
    nc__tm_pixels(t, (uint32_t)(off + t->st_rdelta), oh, ow,
                  nc_hw_store_get_n_cols(in), &rbeats, &rbursts);
    start += 2;
    const uint64_t xs = nc__tm_max(start, t->port_free);
    const uint64_t rd = nc__tm_stream(t, rbeats, rbursts, 3);
    t->port_free = xs + rd;
    t->port_bb = nc__tm_cdiv(rbeats, rbursts);
    wr += rd; /* the memory serves the reads' and the writes' beats in turn */
    start = xs + t->lat + 3;
  }
  uint64_t run;
  if (pool) {
    const uint64_t w = nc__tm_max(ty * tx + 2 * oh * ow, wr);
    run = yn * xn + 3 + w + nc__tm_share_w(t, start + yn * xn + 3, w, beats);
  } else {
    const uint64_t w = nc__tm_max(yn * xn, wr);
    run = w + 3 + (add ? 0 : nc__tm_share_w(t, start, w, beats));
  }
  const uint64_t end = start + run + t->lat + 2;
  t->st_wb = start;
  t->st_we = start + run;
  t->st_wbeats = add ? wr : beats;
  s->stall_until = now;
  s->free_at = end;
  s->busy_until = end;
  s->done = end + NC__TM_RETIRE;
}

static inline void nc__tm_load_param(nc__tm_t *t, const nc_hw_insn_t *in,
                                     uint64_t now, nc__tm_slot_t *s) {
  const uint64_t cnt = nc_hw_load_param_get_count(in);
  const uint64_t beats = nc__tm_cdiv(cnt * NC_HW_QPARAM_BYTES, t->bw);
  uint64_t at = now + 2;
  for (int pass = 0; pass < 2; pass++) {
    const uint64_t xs = nc__tm_cut_in(t, at, beats);
    at = xs + t->lat + nc__tm_max(beats, cnt) + 4;
  }
  s->stall_until = now;
  s->free_at = at;
  s->busy_until = at;
  s->done = at + NC__TM_RETIRE;
}

/* Books instruction `in` of queue q, which its unit accepts at `now` (its
 * tokens were there): fills *s and applies LOAD_CFG / STORE_CFG to the
 * state. SYNC and the CFGs take one cycle; every instruction retires after
 * the ones before it in its queue. */
static inline void nc__tm_insn(nc__tm_t *t, int q, const nc_hw_insn_t *in,
                               uint64_t now, nc__tm_slot_t *s) {
  s->stall_until = now;
  s->free_at = s->busy_until = now + 1;
  s->done = now + 1 + NC__TM_RETIRE;
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
      nc__tm_load(t, in, now, s);
      break;
    case NC_HW_OP_LOAD_CFG:
      t->ld_xs = nc_hw_load_cfg_get_x_stride(in);
      t->ld_ys = nc_hw_load_cfg_get_y_stride(in);
      t->ld_zs = nc_hw_load_cfg_get_z_stride(in);
      /* Done when it reaches the write side, after the LOADs before it. */
      s->done = nc__tm_max(now + 1, t->ld_wfree + 1) + NC__TM_RETIRE;
      break;
    case NC_HW_OP_GEMM:
      nc__tm_gemm(t, in, now, s);
      break;
    case NC_HW_OP_DWCONV:
      nc__tm_dwconv(t, in, now, s);
      break;
    case NC_HW_OP_STORE:
      nc__tm_store(t, in, now, s);
      break;
    case NC_HW_OP_STORE_CFG:
      t->st_xs = nc_hw_store_cfg_get_x_stride(in);
      t->st_ys = nc_hw_store_cfg_get_y_stride(in);
      t->st_fmt = nc_hw_store_cfg_get_out_fmt(in);
      t->st_pool = nc_hw_store_cfg_get_pool_op(in);
      t->st_kh = nc_hw_store_cfg_get_pool_kh(in);
      t->st_kw = nc_hw_store_cfg_get_pool_kw(in);
      t->st_sh = nc_hw_store_cfg_get_pool_sh(in);
      t->st_sw = nc_hw_store_cfg_get_pool_sw(in);
      t->st_add = nc_hw_store_cfg_get_add(in);
      t->st_rdelta = nc_hw_store_cfg_get_res_delta(in);
      break;
    case NC_HW_OP_LOAD_PARAM:
      nc__tm_load_param(t, in, now, s);
      break;
    default: /* SYNC: retired by the command processor */
      break;
  }
  if (q >= 0 && q < 3) {
    s->done = nc__tm_max(s->done, t->qdone[q]);
    t->qdone[q] = s->done;
  }
}

#endif /* NEOCOG_TIMING_H */
