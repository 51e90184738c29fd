/*
 * Soft reset on the RTL, where it is not instantaneous as in the model: the
 * units must go quiet first (the array drains, the compute unit flushes its
 * weights afterwards) and the memory may still owe responses.
 *
 *  - A START written right after a soft reset, while the device still winds
 *    down, reads as STATUS.busy at once (as on the model) and the program
 *    then runs to its end with the golden results; the flush's dummy vectors
 *    are not counted as compute time (PERF_COMPUTE_BUSY as on the model).
 *  - A soft reset while the memory answers nothing (fault Hang) returns the
 *    device to idle within a bounded number of cycles: the DMA engines and
 *    fetch abandon what the memory owes them. Once the memory works again,
 *    the same device runs the program with the golden results (the
 *    abandoned responses are dropped on arrival).
 *  - A pooled STORE whose pixels the memory stops taking is no progress:
 *    the watchdog fires (blamed on the store unit) instead of the device
 *    staying busy for ever.
 */
#include "testkit/workloads.h"
#include "tests/sim/xrig.h"

#define ST_BUSY (1u << NC_HW_CSR_STATUS_BUSY_SHIFT)

static void ctrl_(rig_t *x, uint32_t shift) {
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << shift);
}

static void fault_(rig_t *x, int f) {
  cr_assert_eq(nc_sim_inject_fault(x->s, (nc_fault_t)f), NC_OK, "%s",
               nc_error_detail());
}

static void perf_clear_(rig_t *x) {
  rig_wr(x, NC_HW_CSR_PERF_CTRL_OFFSET,
        1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
            1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
}

/* Runs a started program to its end: STATUS must say done. */
static void finish_(rig_t *x, const char *what) {
  const uint32_t s =
      rig_go(x, x->kind == RIG_RTL ? XR_RTL_BUDGET : UINT64_C(10000000000));
  const rig_err_t e = rig_err(x);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
               "%s on %s: STATUS 0x%x, error %s in %s at entry %u", what,
               rig_name(x), s, nc_model_err_name(e.code),
               nc_model_unit_name(e.unit), e.insn);
}

static void check_result_(rig_t *x, const wl_t *w, const char *what) {
  const long d = wl_first_diff(w, x->win);
  cr_assert_eq(d, -1, "%s on %s: result byte %ld is 0x%02x, golden 0x%02x",
               what, rig_name(x), d, d >= 0 ? x->win[w->out_off + d] : 0,
               d >= 0 ? w->want[d] : 0);
  cr_assert_eq(rig_ctr(x, NC_HW_CSR_PERF_MACS_LO_OFFSET), w->macs, "%s on %s",
               what, rig_name(x));
}

/* Halts a long GEMM mid-stream, soft-resets and STARTs the workload in the
 * next register cycles: the RTL's array is still draining, so the START
 * waits inside the device. Returns PERF_COMPUTE_BUSY of the workload. */
static uint64_t start_while_resetting_(rig_kind_t kind, const wl_t *w) {
  rig_t x;
  cr_assert(xr_open(&x, kind));
  wl_setup(w, x.win);
  prog_t g = {0};
  p_gemm(&g, (gm_t){.lo = 100, .li = 100}, 0);
  p_finish(&g);
  rig_load(&x, &g);
  ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(&x, 300) & ST_BUSY, ST_BUSY, "%s: the GEMM runs",
               rig_name(&x));
  ctrl_(&x, NC_HW_CSR_CTRL_HALT_SHIFT);
  rig_load(&x, &w->p); /* soft reset, HEAD, TAIL */
  perf_clear_(&x);
  ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
  const uint32_t s = rig_rd(&x, NC_HW_CSR_STATUS_OFFSET);
  cr_assert_eq(s & 7u, ST_BUSY,
               "%s: STATUS 0x%x right after a START that follows a soft "
               "reset; the driver would take it for the end of the run",
               rig_name(&x), s);
  finish_(&x, w->name);
  check_result_(&x, w, w->name);
  const uint64_t busy = rig_rd(&x, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET);
  cr_assert_leq(busy, rig_ctr(&x, NC_HW_CSR_PERF_CYCLES_LO_OFFSET));
  prog_free(&g);
  xr_close(&x);
  return busy;
}

/* The workload started long after the soft reset (the flush is over). */
static uint64_t start_when_settled_(const wl_t *w) {
  rig_t x;
  cr_assert(xr_open(&x, RIG_RTL));
  wl_setup(w, x.win);
  rig_load(&x, &w->p);
  for (int i = 0; i < 500; i++) {
    (void)rig_rd(&x, NC_HW_CSR_STATUS_OFFSET); /* two cycles each */
  }
  perf_clear_(&x);
  ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
  finish_(&x, w->name);
  check_result_(&x, w, w->name);
  const uint64_t busy = rig_rd(&x, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET);
  xr_close(&x);
  return busy;
}

Test(rtl_reset, start_right_after_soft_reset) {
  rig_t probe;
  if (!xr_open(&probe, RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  xr_close(&probe);
  wl_t w;
  wl_lecture(&w);
  (void)start_while_resetting_(RIG_MODEL, &w);
  const uint64_t during = start_while_resetting_(RIG_RTL, &w);
  const uint64_t settled = start_when_settled_(&w);
  cr_assert_eq(during, settled,
               "PERF_COMPUTE_BUSY %llu when started during the reset, %llu "
               "when started after it: the flush was counted",
               (unsigned long long)during, (unsigned long long)settled);
  wl_free(&w);
}

/* A program with no GEMM started right after a soft reset, while the
 * compute unit flushes: no compute time on either device. */
static void no_gemm_counters_(rig_kind_t kind, uint64_t ctr[4]) {
  rig_t x;
  cr_assert(xr_open(&x, kind));
  prog_t p = {0};
  p_load(&p, (ld_t){.dram = 0x100, .elems = NC_HW_ROWS, .x = 4}, 0);
  p_store(&p, (st_t){.dram = 0x1000, .ncols = NC_HW_COLS < 4 ? NC_HW_COLS : 4},
          0);
  p_finish(&p);
  rig_load(&x, &p);
  perf_clear_(&x);
  ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
  finish_(&x, "LOAD and STORE");
  ctr[0] = rig_rd(&x, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET);
  ctr[1] = rig_ctr(&x, NC_HW_CSR_PERF_MACS_LO_OFFSET);
  ctr[2] = rig_rd(&x, NC_HW_CSR_PERF_INSNS_OFFSET);
  ctr[3] = rig_ctr(&x, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET);
  prog_free(&p);
  xr_close(&x);
}

Test(rtl_reset, flush_is_not_compute_time) {
  rig_t probe;
  if (!xr_open(&probe, RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  xr_close(&probe);
  uint64_t m[4], r[4];
  no_gemm_counters_(RIG_MODEL, m);
  no_gemm_counters_(RIG_RTL, r);
  static const char *const names[4] = {"PERF_COMPUTE_BUSY", "PERF_MACS",
                                       "PERF_INSNS", "PERF_WR_BYTES"};
  for (int i = 0; i < 4; i++) {
    cr_assert_eq(r[i], m[i], "%s: rtl %llu, model %llu", names[i],
                 (unsigned long long)r[i], (unsigned long long)m[i]);
  }
}

/* When the memory stops answering, in cycles after START: before the first
 * fetch, with the first fetch in flight, during the parameter and weight
 * loads, and then at eighths of the whole run, where the tiles' loads,
 * GEMMs and stores overlap. */
static uint64_t hang_at_(int k, uint64_t run) {
  static const uint64_t early[3] = {0, 60, 150};
  return k < 3 ? early[k] : run * (uint64_t)(k - 2) / 8;
}

Test(rtl_reset, soft_reset_while_memory_hangs) {
  rig_t x;
  if (!xr_open(&x, RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  nc_rng_t rng;
  nc_test_seed(&rng, "rtl_reset", "soft_reset_while_memory_hangs", 7);
  const wl_conv_t c = {.H = 6,
                       .W = 7,
                       .C = NC_HW_ROWS,
                       .O = WL_PARTIAL_COLS,
                       .K = 3,
                       .stride = 1,
                       .pad = 1,
                       .rq = 1,
                       .pool_k = 2,
                       .pool_s = 2,
                       .tiles = 3};
  wl_t w;
  wl_conv(&w, "conv_tile_stream", &c, &rng);
  /* A clean run first: its length places the hangs. */
  wl_setup(&w, x.win);
  xr_run_ok(&x, &w.p);
  check_result_(&x, &w, w.name);
  const uint64_t run = rig_ctr(&x, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  for (int k = 0; k < 10; k++) {
    const uint64_t at = hang_at_(k, run);
    wl_setup(&w, x.win);
    rig_load(&x, &w.p);
    if (at == 0) {
      fault_(&x, NC_FAULT_HANG);
    }
    ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
    if (at > 0) {
      cr_assert_eq(rig_go(&x, at) & ST_BUSY, ST_BUSY,
                   "hang at %llu: the program ended before",
                   (unsigned long long)at);
      fault_(&x, NC_FAULT_HANG);
    }
    cr_assert_eq(rig_go(&x, 3000) & ST_BUSY, ST_BUSY,
                 "hang at %llu: finished without a memory",
                 (unsigned long long)at);
    /* The memory still answers nothing: the soft reset must not wait for
     * it. Bounded: the array drains and the weights flush. */
    ctrl_(&x, NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
    uint32_t s = 0;
    for (int i = 0; i < 1000; i++) {
      s = rig_rd(&x, NC_HW_CSR_STATUS_OFFSET);
      if (s == 0) {
        break;
      }
    }
    cr_assert_eq(s, 0,
                 "hang at %llu: STATUS 0x%x 2000 cycles after the soft "
                 "reset; the device waits for a memory that never answers",
                 (unsigned long long)at, s);
    cr_assert_eq(rig_rd(&x, NC_HW_CSR_ERR_CODE_OFFSET), 0);
    /* The memory answers again, the abandoned responses among the first:
     * the same device runs the program to its golden end. */
    fault_(&x, NC_FAULT_NONE);
    wl_setup(&w, x.win);
    rig_load(&x, &w.p);
    perf_clear_(&x);
    ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
    finish_(&x, w.name);
    check_result_(&x, &w, w.name);
    xr_check_violations(&x);
  }
  wl_free(&w);
  xr_close(&x);
}

/* A pooled STORE (2x2 max, stride 1, 7x7 outputs of every column), the
 * memory stopping at `at` cycles after START: each time either the STORE
 * ended first or the watchdog names the store unit. Most hang times fall
 * while the unit pools into a pixel FIFO the write engine cannot drain. */
Test(rtl_reset, watchdog_while_pooling_store_hangs) {
  rig_t x;
  if (!xr_open(&x, RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  const uint32_t pix = 4 * NC_HW_COLS; /* int32 lanes */
  prog_t p = {0};
  p_store_cfg(&p,
              (stc_t){.fmt = NC_HW_OUT_INT32,
                      .pool = NC_HW_POOL_MAX,
                      .kh = 2,
                      .kw = 2,
                      .sh = 1,
                      .sw = 1,
                      .xs = pix,
                      .ys = 7 * pix},
              0);
  p_store(&p, (st_t){.dram = 0x1000, .ncols = NC_HW_COLS, .y = 8, .x = 8},
          0);
  p_finish(&p);
  rig_wr(&x, NC_HW_CSR_WATCHDOG_OFFSET, 2000);
  int fired = 0;
  for (uint64_t at = 40; at < 400; at += 20) {
    rig_load(&x, &p); /* soft reset, HEAD, TAIL */
    ctrl_(&x, NC_HW_CSR_CTRL_START_SHIFT);
    const uint32_t before = rig_go(&x, at);
    fault_(&x, NC_FAULT_HANG);
    const uint32_t s = rig_go(&x, 100000);
    const rig_err_t e = rig_err(&x);
    cr_assert_eq(s & ST_BUSY, 0,
                 "hang at %llu: still busy 100000 cycles later with "
                 "WATCHDOG 2000",
                 (unsigned long long)at);
    if (s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
      /* Fetch when the hang came before the program was fetched. */
      cr_assert(e.code == NC_HW_ERR_WATCHDOG &&
                    (e.unit == NC_HW_UNIT_STORE || e.unit == NC_HW_UNIT_FETCH),
                "hang at %llu: %s in %s, want watchdog in store or fetch",
                (unsigned long long)at, nc_model_err_name(e.code),
                nc_model_unit_name(e.unit));
      fired += e.unit == NC_HW_UNIT_STORE;
    } else {
      cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
                   "hang at %llu: STATUS 0x%x (0x%x before the hang)",
                   (unsigned long long)at, s, before);
    }
    fault_(&x, NC_FAULT_NONE);
  }
  cr_assert_gt(fired, 0, "no hang time caught the STORE running");
  prog_free(&p);
  xr_close(&x);
}
