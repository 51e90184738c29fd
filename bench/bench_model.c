/*
 * Speed of the functional model (make bench; built by make as
 * build/bench/bench_model). Its programs are written with the test kit's
 * instruction builders and run on its model rig (testkit/rig.h).
 *
 * 1. A 3x3 convolution tile: 45x45 input padded to 47x47 with as many
 *    channels as the array has rows and as many filters as it has columns
 *    (16 and 16 by default), 45x45 output (2025 accumulator rows), one GEMM
 *    per tap, int8 requantized STORE; run 200 times.
 * 2. A stream of small instructions: LOAD one row, GEMM one vector, STORE
 *    one pixel, chained by tokens, 3900 instructions; run 50 times.
 */
#include <stdio.h>
#include <time.h>

#include "bench/bench_util.h"
#include "testkit/rig.h"

/* Runs `p`, which must finish without error (the bench measures nothing
 * else). */
static void run_ok_(rig_t *r, const prog_t *p) {
  const uint32_t s = rig_run(r, p);
  if ((s & 7u) != 1u << NC_HW_CSR_STATUS_DONE_SHIFT) {
    const rig_err_t e = rig_err(r);
    fprintf(stderr, "bench_model: STATUS 0x%x, error %s in %s at entry %u\n",
            s, nc_model_err_name(e.code), nc_model_unit_name(e.unit), e.insn);
    exit(1);
  }
}

static void conv_tile_(rig_t *r) {
  enum { H = 45, W = 45, C = NC_HW_ROWS, O = NC_HW_COLS, WP = W + 2 };
  enum { REPS = 200, WROW = NC_HW_SPAD_ROWS / 2 /* 8192 at 16x16 */ };
  for (int i = 0; i < 0x50000; i++) {
    r->win[i] = (uint8_t)(i * 131 + 7);
  }
  for (int o = 0; o < O; o++) {
    qparam_put(r->win + 0x60000 + NC_HW_QPARAM_BYTES * o, o * 100, 1 << 30, -8,
               0, -128, 127);
  }
  prog_t p = {0};
  p_load_cfg(&p, C, W * C, 0, 0, 0);
  p_load(&p,
         (ld_t){.dram = 0,
                .elems = C,
                .x = W,
                .y = H,
                .pt = 1,
                .pb = 1,
                .pl = 1,
                .pr = 1},
         0);
  p_load_cfg(&p, 9 * C, 0, C, 0, 0);
  p_load(&p, (ld_t){.sram = WROW, .dram = 0x40000, .elems = C, .x = O, .z = 9},
         UN);
  p_load_param(&p, 0, O, 0x60000, 0);
  p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT8, .xs = O, .ys = W * O}, 0);
  for (uint32_t t = 0; t < 9; t++) {
    p_gemm(&p,
           (gm_t){.wgt = WROW + O * t,
                  .inp = WP * (t / 3) + t % 3,
                  .lo = H,
                  .li = W,
                  .iso = WP,
                  .isi = 1,
                  .aso = W,
                  .asi = 1,
                  .accum = t > 0},
           (t == 0 ? PP : 0) | (t == 8 ? UN : 0));
  }
  p_store(&p, (st_t){.dram = 0x80000, .ncols = O, .y = H, .x = W}, PP);
  p_finish(&p);
  uint64_t macs = 0, insns = 0, cycles = 0;
  const double t0 = nc_bench_now();
  for (int k = 0; k < REPS; k++) {
    rig_wr(r, NC_HW_CSR_PERF_CTRL_OFFSET, 3); /* clear */
    run_ok_(r, &p);
    macs += rig_ctr(r, NC_HW_CSR_PERF_MACS_LO_OFFSET);
    insns += rig_rd(r, NC_HW_CSR_PERF_INSNS_OFFSET);
    cycles += rig_ctr(r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  }
  const double dt = nc_bench_now() - t0;
  printf(
      "conv tile: %d runs in %.3f s: %.2f G array-MACs/s, %.1f M "
      "simulated cycles/s (%llu cycles per run), %.0f insns/s\n",
      REPS, dt, (double)macs / dt * 1e-9, (double)cycles / dt * 1e-6,
      (unsigned long long)(cycles / REPS), (double)insns / dt);
  prog_free(&p);
}

static void small_insns_(rig_t *r) {
  enum { N = 1300, REPS = 50 };
  prog_t p = {0};
  for (uint32_t k = 0; k < N; k++) {
    p_load(&p,
           (ld_t){.sram = k % 64, .dram = 16 * k, .elems = NC_HW_ROWS, .x = 1},
           UN);
    p_gemm(&p, (gm_t){.keep = 1, .inp = k % 64, .acc = k % 64}, PP | UN);
    p_store(
        &p,
        (st_t){.acc = k % 64, .dram = 0x90000 + 64 * k, .ncols = NC_HW_COLS},
        PP);
  }
  p_finish(&p);
  uint64_t insns = 0;
  const double t0 = nc_bench_now();
  for (int k = 0; k < REPS; k++) {
    rig_wr(r, NC_HW_CSR_PERF_CTRL_OFFSET, 3);
    run_ok_(r, &p);
    insns += rig_rd(r, NC_HW_CSR_PERF_INSNS_OFFSET);
  }
  const double dt = nc_bench_now() - t0;
  printf("small instructions: %.2f M insns/s\n", (double)insns / dt * 1e-6);
  prog_free(&p);
}

int main(void) {
  rig_t r;
  rig_open(&r);
  conv_tile_(&r);
  small_insns_(&r);
  rig_close(&r);
  return 0;
}
