/*
 * The RTL's performance counters are writable (a preset, as the data file's
 * PERF_CTRL says): a program run on counters preset just below a carry
 * counts what it counts from zero, carried into the _HI halves of the
 * 64-bit counters and wrapped at 2^32 in the 32-bit ones. No run of the
 * suite reaches 2^32 cycles, bytes or MACs; this is what checks the carry.
 */
#include "tests/sim/xrig.h"

/* Every counter: its _LO (or only) register and whether it has a _HI. */
static const struct {
  uint32_t lo;
  int wide;
} ctrs_[] = {
    {NC_HW_CSR_PERF_CYCLES_LO_OFFSET, 1},
    {NC_HW_CSR_PERF_LOAD_BUSY_OFFSET, 0},
    {NC_HW_CSR_PERF_LOAD_STALL_OFFSET, 0},
    {NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET, 0},
    {NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET, 0},
    {NC_HW_CSR_PERF_STORE_BUSY_OFFSET, 0},
    {NC_HW_CSR_PERF_STORE_STALL_OFFSET, 0},
    {NC_HW_CSR_PERF_MACS_LO_OFFSET, 1},
    {NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET, 1},
    {NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET, 1},
    {NC_HW_CSR_PERF_INSNS_OFFSET, 0},
};
#define NCTR (sizeof ctrs_ / sizeof ctrs_[0])

static uint64_t read_(rig_t *x, size_t i) {
  return ctrs_[i].wide ? rig_ctr(x, ctrs_[i].lo) : rig_rd(x, ctrs_[i].lo);
}

/* A LOAD, a GEMM and a STORE: every unit busy, bytes both ways, MACs. */
static void program_(prog_t *p) {
  p_load_cfg(p, NC_HW_ROWS, 2 * NC_HW_ROWS, 0, 0, 0);
  p_load(p, (ld_t){.elems = NC_HW_ROWS, .x = 4}, UN);
  p_gemm(p, (gm_t){.li = 2, .isi = 1, .asi = 1}, PP | UN);
  p_store_cfg(p,
              (stc_t){.fmt = NC_HW_OUT_INT32,
                      .pool = NC_HW_POOL_NONE,
                      .xs = 4 * NC_HW_COLS},
              0);
  p_store(p, (st_t){.dram = 4096, .ncols = NC_HW_COLS, .x = 2}, PP);
  p_finish(p);
}

/* Runs the program on a fresh RTL, its counters preset to `pre` first
 * (NULL: from zero); the counters after. 0 without the RTL. */
static int run_(const uint64_t *pre, uint64_t out[NCTR]) {
  rig_t x;
  if (!xr_open(&x, RIG_RTL)) {
    return 0;
  }
  prog_t p = {0};
  program_(&p);
  rig_load(&x, &p);
  for (size_t i = 0; pre != NULL && i < NCTR; i++) {
    rig_wr(&x, ctrs_[i].lo, (uint32_t)pre[i]);
    if (ctrs_[i].wide) {
      rig_wr(&x, ctrs_[i].lo + 4, (uint32_t)(pre[i] >> 32));
      cr_assert_eq(rig_rd(&x, ctrs_[i].lo + 4), (uint32_t)(pre[i] >> 32),
                   "a _HI reads back before any _LO read");
    }
    cr_assert_eq(read_(&x, i), pre[i], "counter 0x%03x reads 0x%llx after "
                 "a preset to 0x%llx", ctrs_[i].lo,
                 (unsigned long long)read_(&x, i), (unsigned long long)pre[i]);
  }
  rig_wr(&x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  const uint32_t s = rig_go(&x, XR_RTL_BUDGET);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT, "STATUS 0x%x", s);
  for (size_t i = 0; i < NCTR; i++) {
    out[i] = read_(&x, i);
  }
  prog_free(&p);
  xr_close(&x);
  return 1;
}

Test(rtl_perf, counters_preset_and_carry) {
  uint64_t from0[NCTR], pre[NCTR], got[NCTR];
  if (!run_(NULL, from0)) {
    cr_skip_test("built without the RTL (hw/rtl/nc_top.sv missing)");
  }
  /* Each counter one count below a carry (the 64-bit ones with random-ish
   * high halves, one of them all ones, so its carry wraps at 2^64). */
  for (size_t i = 0; i < NCTR; i++) {
    const uint64_t hi = ctrs_[i].wide ? UINT64_C(0x9e3779b9) * (i + 1) : 0;
    pre[i] = (hi << 32 & UINT64_C(0xffffffff00000000)) | 0xffffffffu;
  }
  pre[8] = UINT64_MAX; /* PERF_RD_BYTES */
  cr_assert(run_(pre, got));
  for (size_t i = 0; i < NCTR; i++) {
    cr_assert_gt(from0[i] + (i == 2 || i == 4 || i == 6), 0,
                 "counter 0x%03x counted nothing", ctrs_[i].lo);
    const uint64_t mask = ctrs_[i].wide ? UINT64_MAX : UINT32_MAX;
    cr_assert_eq(got[i], (pre[i] + from0[i]) & mask,
                 "counter 0x%03x: 0x%llx from a preset of 0x%llx, which "
                 "counted 0x%llx from zero",
                 ctrs_[i].lo, (unsigned long long)got[i],
                 (unsigned long long)pre[i], (unsigned long long)from0[i]);
  }
}
