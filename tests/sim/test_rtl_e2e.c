/*
 * Whole programs on the RTL (Verilator, neocog/rtl.h), bit-exact against the
 * golden CPU reference: the lecture's worked convolution, a 64x64x64 int8
 * GEMM (int32 and requantized int8 out), and a double-buffered stream of
 * convolution tiles with requantization and fused max pooling. The same
 * workloads run on the functional model too, and the counters that do not
 * depend on timing (MACs, bytes written, instructions) must agree.
 *
 * Kept small: every RTL cycle costs microseconds.
 */
#include "testkit/workloads.h"
#include "tests/sim/xrig.h"

/* Runs `w` on `kind`; returns 0 when that device is not built. Fills the
 * timing-independent counters. */
static int run_wl_(const wl_t *w, rig_kind_t kind, uint64_t ctr[3]) {
  rig_t x;
  if (!xr_open(&x, kind)) {
    return 0;
  }
  wl_setup(w, x.win);
  xr_run_ok(&x, &w->p);
  const long d = wl_first_diff(w, x.win);
  cr_assert_eq(d, -1,
               "%s on %s: result byte %ld (window offset 0x%lx) is "
               "0x%02x, golden 0x%02x",
               w->name, rig_name(&x), d, (unsigned long)w->out_off + d,
               d >= 0 ? x.win[w->out_off + d] : 0, d >= 0 ? w->want[d] : 0);
  ctr[0] = rig_ctr(&x, NC_HW_CSR_PERF_MACS_LO_OFFSET);
  ctr[1] = rig_ctr(&x, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET);
  ctr[2] = rig_rd(&x, NC_HW_CSR_PERF_INSNS_OFFSET);
  cr_assert_eq(ctr[0], w->macs, "%s on %s: MACs", w->name, rig_name(&x));
  cr_assert_gt(rig_ctr(&x, NC_HW_CSR_PERF_CYCLES_LO_OFFSET), 0);
  xr_close(&x);
  return 1;
}

/* The workload on the RTL and on the model: both golden, same counters. */
static void both_(wl_t *w) {
  uint64_t m[3], r[3];
  cr_assert(run_wl_(w, RIG_MODEL, m));
  if (!run_wl_(w, RIG_RTL, r)) {
    wl_free(w);
    cr_skip_test("built without the RTL (hw/rtl/nc_top.sv missing)");
  }
  cr_assert_eq(r[1], m[1], "%s: bytes written, rtl %llu model %llu", w->name,
               (unsigned long long)r[1], (unsigned long long)m[1]);
  cr_assert_eq(r[2], m[2], "%s: instructions retired", w->name);
  wl_free(w);
}

Test(rtl_e2e, lecture_convolution) {
  wl_t w;
  wl_lecture(&w);
  /* The slides' numbers, independently of the golden reference. */
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(le32(w.want + 8 * i), nc_seed_out0[i]);
    cr_assert_eq(le32(w.want + 8 * i + 4), nc_seed_out1[i]);
  }
  cr_assert_eq(w.out_len, 72);
  both_(&w);
}

Test(rtl_e2e, gemm_64_int32) {
  nc_rng_t rng;
  nc_test_seed(&rng, "rtl_e2e", "gemm_64_int32", 64);
  wl_t w;
  wl_gemm(&w, "gemm_64_int32", 64, 64, 64, 0, &rng);
  both_(&w);
}

Test(rtl_e2e, gemm_64_int8) {
  nc_rng_t rng;
  nc_test_seed(&rng, "rtl_e2e", "gemm_64_int8", 65);
  wl_t w;
  wl_gemm(&w, "gemm_64_int8", 64, 64, 64, 1, &rng);
  both_(&w);
}

/* Three tiles through two buffers: the third LOAD waits for the first
 * tile's GEMMs to free its buffer, the third tile's GEMMs for its STORE. */
Test(rtl_e2e, conv_tile_stream_requant_maxpool) {
  nc_rng_t rng;
  nc_test_seed(&rng, "rtl_e2e", "conv_tile_stream_requant_maxpool", 7);
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
  both_(&w);
}
