/*
 * Dependency tokens order the three queues. Each program here computes the
 * right answer only because of its tokens; where it helps, the same program
 * without them is run too, to show that the race is real (the model is
 * deterministic, so "wrong without tokens" is a stable fact of its timing,
 * not of the hardware's).
 */
#include "tests/model/rig.h"

/* Each program multiplies M = 16 activation rows of R lanes by one weight
 * tile of L filters (R x L, the configured array; 16x16 by default). */
enum { R = NC_HW_ROWS, L = NC_HW_COLS, M = 16 };
enum { NA = M * R, NW = L * R, NC = M * L }; /* elements of A, W and C */
enum { AW = 0x100, AA = AW + (NW > 0x300 ? NW : 0x300), AB = AA + 0x400 };
enum { OUT0 = 0x4000, OUT1 = 0x5000 };

static void fill_(rig_t *r, int8_t *w, int8_t *a, int8_t *b) {
  nc_rng_t rng;
  nc_rng_seed(&rng, 5);
  for (int i = 0; i < (NA > NW ? NA : NW); i++) {
    const int8_t v[3] = {(int8_t)nc_rng_range(&rng, -128, 127),
                         (int8_t)nc_rng_range(&rng, -128, 127),
                         (int8_t)nc_rng_range(&rng, -128, 127)};
    if (i < NW) {
      w[i] = v[0];
    }
    if (i < NA) {
      a[i] = v[1];
      b[i] = v[2];
    }
  }
  memcpy(r->win + AW, w, NW);
  memcpy(r->win + AA, a, NA);
  memcpy(r->win + AB, b, NA);
}

/* Write-after-read on the scratchpad: LOAD B overwrites the rows GEMM 1
 * reads, so it must wait for GEMM 1 (compute -> load token). Returns 1 when
 * GEMM 1 saw A. */
static int war_(int tokens) {
  rig_t r;
  rig_open(&r);
  int8_t w[NW], a[NA], b[NA];
  fill_(&r, w, a, b);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 100, .dram = AW, .elems = R, .x = L}, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = AA, .elems = R, .x = M}, UN);
  p_gemm(&p,
         (gm_t){.wgt = 100, .inp = 0, .acc = 0, .li = M, .isi = 1, .asi = 1},
         PP | (tokens ? UP : 0));
  p_load(&p, (ld_t){.sram = 0, .dram = AB, .elems = R, .x = M},
         UN | (tokens ? PN : 0));
  p_gemm(&p, (gm_t){.keep = 1, .inp = 0, .acc = M, .li = M, .isi = 1, .asi = 1},
         PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int32_t ca[NC], cb[NC], got[2 * NC];
  ref_gemm(a, w, ca, M, L, R);
  ref_gemm(b, w, cb, M, L, R);
  cr_assert_eq(nc_model_read_acc(r.m, 0, 2 * M, got), NC_OK);
  cr_assert_arr_eq(got + NC, cb, sizeof cb, "GEMM 2 sees B either way");
  const int ok = memcmp(got, ca, sizeof ca) == 0;
  prog_free(&p);
  rig_close(&r);
  return ok;
}

Test(model_tokens, scratchpad_write_after_read) {
  cr_assert(war_(1), "with the compute->load token GEMM 1 sees A");
  cr_assert(!war_(0), "without it LOAD B overtakes GEMM 1 in the model");
}

/* Read-after-write on the accumulator: the STORE must wait for the GEMM
 * (compute -> store token), which itself waits for its LOAD. */
static int raw_(int tokens) {
  rig_t r;
  rig_open(&r);
  int8_t w[NW], a[NA], b[NA];
  fill_(&r, w, a, b);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 100, .dram = AW, .elems = R, .x = L}, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = AA, .elems = R, .x = M}, UN);
  p_gemm(&p,
         (gm_t){.wgt = 100, .inp = 0, .acc = 0, .li = M, .isi = 1, .asi = 1},
         PP | (tokens ? UN : 0));
  p_store_cfg(&p, (stc_t){.xs = 4 * L}, 0);
  p_store(&p, (st_t){.acc = 0, .dram = OUT0, .ncols = L, .x = M},
          tokens ? PP : 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int32_t ca[NC];
  ref_gemm(a, w, ca, M, L, R);
  int ok = 1;
  for (int i = 0; i < NC; i++) {
    ok &= le32(r.win + OUT0 + 4 * i) == ca[i];
  }
  prog_free(&p);
  rig_close(&r);
  return ok;
}

Test(model_tokens, accumulator_read_after_write) {
  cr_assert(raw_(1), "with the compute->store token the STORE sees A W");
  cr_assert(!raw_(0), "without it the STORE reads the accumulator early");
}

/* Write-after-read on the accumulator: GEMM 2 overwrites the rows STORE 1
 * reads, so it waits for it (store -> compute token). */
static int acc_war_(int tokens) {
  rig_t r;
  rig_open(&r);
  int8_t w[NW], a[NA], b[NA];
  fill_(&r, w, a, b);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 100, .dram = AW, .elems = R, .x = L}, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = AA, .elems = R, .x = M}, 0);
  p_load(&p, (ld_t){.sram = M, .dram = AB, .elems = R, .x = M}, UN);
  p_store_cfg(&p, (stc_t){.xs = 4 * L}, 0);
  p_gemm(&p,
         (gm_t){.wgt = 100, .inp = 0, .acc = 0, .li = M, .isi = 1, .asi = 1},
         PP | UN);
  p_store(&p, (st_t){.acc = 0, .dram = OUT0, .ncols = L, .x = M},
          PP | (tokens ? UP : 0));
  p_gemm(&p, (gm_t){.keep = 1, .inp = M, .acc = 0, .li = M, .isi = 1, .asi = 1},
         UN | (tokens ? PN : 0));
  p_store(&p, (st_t){.acc = 0, .dram = OUT1, .ncols = L, .x = M}, PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int32_t ca[NC], cb[NC];
  ref_gemm(a, w, ca, M, L, R);
  ref_gemm(b, w, cb, M, L, R);
  int ok = 1;
  for (int i = 0; i < NC; i++) {
    ok &= le32(r.win + OUT0 + 4 * i) == ca[i];
    cr_assert_eq(le32(r.win + OUT1 + 4 * i), cb[i]);
  }
  prog_free(&p);
  rig_close(&r);
  return ok;
}

Test(model_tokens, accumulator_write_after_read) {
  cr_assert(acc_war_(1), "with the store->compute token STORE 1 sees A W");
  cr_assert(!acc_war_(0), "without it GEMM 2 overwrites the rows first");
}

/* VTA-style double buffering over six tiles, every direction of token in
 * use: loads of tile t+1 overlap compute of t and the store of t-1. The
 * results are exact and the units overlap (the run takes fewer cycles than
 * the three units' busy cycles summed). */
Test(model_tokens, double_buffered_pipeline) {
  enum { T = 6 };
  rig_t r;
  rig_open(&r);
  nc_rng_t rng;
  nc_test_seed(&rng, "model_tokens", "double_buffered_pipeline", 17);
  int8_t w[NW], a[T][NA];
  for (int i = 0; i < (NA > NW ? NA : NW); i++) {
    const int8_t v = (int8_t)nc_rng_range(&rng, -128, 127);
    if (i < NW) {
      w[i] = v;
    }
    for (int t = 0; t < T; t++) {
      const int8_t u = (int8_t)nc_rng_range(&rng, -128, 127);
      if (i < NA) {
        a[t][i] = u;
      }
    }
  }
  memcpy(r.win + AW, w, NW);
  memcpy(r.win + 0x1000, a, sizeof a);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 200, .dram = AW, .elems = R, .x = L}, 0);
  p_store_cfg(&p, (stc_t){.xs = 4 * L}, 0);
  for (int t = 0; t < T; t++) {
    const uint32_t buf = M * (uint32_t)(t % 2);
    /* Reuse buffer t%2 only once GEMM t-2 has read it. */
    p_load(&p,
           (ld_t){.sram = buf,
                  .dram = 0x1000u + NA * (uint32_t)t,
                  .elems = R,
                  .x = M},
           UN | (t >= 2 ? PN : 0));
    /* Frees the input buffer (UP), hands the accumulator to the store (UN),
     * and waits until STORE t-2 has emptied its accumulator buffer. */
    p_gemm(&p,
           (gm_t){.wgt = t > 0 ? 0 : 200,
                  .keep = t > 0,
                  .inp = buf,
                  .acc = buf,
                  .li = M,
                  .isi = 1,
                  .asi = 1},
           PP | UP | UN | (t >= 2 ? PN : 0));
    p_store(&p,
            (st_t){.acc = buf,
                   .dram = 0x8000u + 4 * NC * (uint32_t)t,
                   .ncols = L,
                   .x = M},
            PP | UP);
  }
  p_finish(&p);
  rig_run_ok(&r, &p);
  for (int t = 0; t < T; t++) {
    int32_t c[NC];
    ref_gemm(a[t], w, c, M, L, R);
    for (int i = 0; i < NC; i++) {
      cr_assert_eq(le32(r.win + 0x8000 + 4 * NC * t + 4 * i), c[i],
                   "tile %d element %d", t, i);
    }
  }
  const uint64_t cycles = rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  const uint64_t sum = rig_rd(&r, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET) +
                       rig_rd(&r, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET) +
                       rig_rd(&r, NC_HW_CSR_PERF_STORE_BUSY_OFFSET);
  cr_assert_lt(cycles, sum, "units overlap: %llu cycles, %llu busy",
               (unsigned long long)cycles, (unsigned long long)sum);
  cr_assert_gt(rig_rd(&r, NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET), 0,
               "compute waited for loads");
  prog_free(&p);
  rig_close(&r);
}
