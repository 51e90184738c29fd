/*
 * Speed and efficiency of the RTL (make bench; built by make as
 * build/bench/bench_rtl). It takes its programs from testkit/workloads.h
 * (Criterion instruction builders, hence the link with Criterion).
 *
 * 1. Simulation speed: the full accelerator (nc_top under Verilator, -O2;
 *    16x16 unless built with ROWS/COLS) running a stream of 8 convolution
 *    tiles (18x18 input padded to 20x20, as many channels and 3x3 filters
 *    as the array has rows and columns, 16 and 16 by default, int8
 *    requantized, two buffers so loads overlap compute): simulated cycles
 *    per wall-clock second on the plain harness,
 *    median of 5 runs; then the same workload under SystemC (nc_sc_run, if
 *    built: make sc-test) for comparison.
 * 2. GEMM folds against SCALE-Sim's weight-stationary estimate: the compute
 *    unit's busy cycles (PERF_COMPUTE_BUSY) of GEMMs of several shapes with
 *    all operands loaded first, next to ceil(Sr/R) * ceil(Sc/C) *
 *    (2R + C + T - 2) with Sr = K (reduction, array rows), Sc = N (output
 *    channels, columns), T = M (activation vectors).
 *
 * Usage: bench_rtl [BUILD_DIR]   (BUILD_DIR locates systemc/nc_sc_run)
 */
#include <stdio.h>

#include "bench/bench_util.h"
#include "neocog/sim.h"
#include "neocog/ncw.h"
#include "testkit/workloads.h"

static nc_sim_t *open_(uint8_t **mem) {
  nc_sim_t *r = NULL;
  const nc_status_t st = nc_sim_open("rtl", NULL, &r);
  if (st == NC_ERR_UNSUPPORTED) {
    printf("bench_rtl: %s\n", nc_error_detail());
    exit(0);
  }
  if (st != NC_OK) {
    fprintf(stderr, "bench_rtl: %s\n", nc_error_detail());
    exit(1);
  }
  *mem = calloc(1, NCW_WIN_OFF + RIG_WIN_SIZE);
  if (*mem == NULL ||
      nc_sim_attach_memory(r, *mem, NCW_MEM_BASE, NCW_WIN_OFF + RIG_WIN_SIZE) !=
          NC_OK) {
    fprintf(stderr, "bench_rtl: out of memory\n");
    exit(1);
  }
  return r;
}

/* The workload in ncw form (program in the ring, window after it). */
static void to_ncw_(const wl_t *wl, ncw_t *w) {
  memset(w, 0, sizeof *w);
  snprintf(w->name, sizeof w->name, "%s", wl->name);
  w->win_size = RIG_WIN_SIZE;
  w->n_insns = wl->p.n;
  w->out_off = wl->out_off;
  w->out_len = wl->out_len;
  w->mem = calloc(1, NCW_WIN_OFF + RIG_WIN_SIZE);
  w->want = malloc(wl->out_len);
  w->final_win = malloc(RIG_WIN_SIZE);
  if (w->mem == NULL || w->want == NULL || w->final_win == NULL) {
    fprintf(stderr, "bench_rtl: out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < wl->p.n; i++) {
    nc_hw_words_to_bytes(wl->p.v[i].w, NC_HW_INSN_WORDS,
                         w->mem + i * NC_HW_INSN_BYTES);
  }
  memcpy(w->mem + NCW_WIN_OFF, wl->win, RIG_WIN_SIZE);
  memcpy(w->want, wl->want, wl->out_len);
}

/* Runs `w` once on a fresh harness; returns wall seconds of the run, and
 * the cycles it took in *cycles. Leaves the harness's view in `w`. */
static double run_once_(ncw_t *w, uint64_t *cycles) {
  uint8_t *mem = NULL;
  nc_sim_t *r = open_(&mem);
  memcpy(mem, w->mem, NCW_WIN_OFF + w->win_size);
  const uint64_t c0 = nc_sim_cycle(r);
  const double t0 = nc_bench_now();
  if (ncw_run(r, w, UINT64_C(100000000), &w->status, &w->err_code, w->ctr) !=
      0) {
    fprintf(stderr, "bench_rtl: %s did not run: %s\n", w->name,
            nc_error_detail());
    exit(1);
  }
  const double t = nc_bench_now() - t0;
  *cycles = nc_sim_cycle(r) - c0;
  if (memcmp(mem + NCW_WIN_OFF + w->out_off, w->want, w->out_len) != 0) {
    fprintf(stderr, "bench_rtl: %s differs from golden\n", w->name);
    exit(1);
  }
  memcpy(w->final_win, mem + NCW_WIN_OFF, w->win_size);
  nc_sim_close(r);
  free(mem);
  return t;
}

static void speed_(const char *build) {
  enum { RUNS = 5 };
  nc_rng_t rng;
  nc_rng_seed(&rng, 11);
  const wl_conv_t c = wl_conv_stream_cfg(8);
  wl_t wl;
  wl_conv(&wl, "conv_stream_bench", &c, &rng);
  ncw_t w;
  to_ncw_(&wl, &w);
  double rate[RUNS];
  uint64_t cycles = 0;
  for (int i = 0; i < RUNS; i++) {
    const double t = run_once_(&w, &cycles);
    rate[i] = (double)cycles / t;
  }
  const uint64_t busy = w.ctr[0] | (uint64_t)w.ctr[1] << 32;
  const uint64_t macs = w.ctr[8] | (uint64_t)w.ctr[9] << 32;
  printf(
      "conv tile stream: 8 tiles of 18x18x16 * 16x3x3x16 (pad 1), int8 "
      "out\n");
  printf(
      "  %llu cycles busy, compute busy %u (%.0f%% of the array's peak: "
      "%llu MACs)\n",
      (unsigned long long)busy, w.ctr[4],
      100.0 * (double)macs / ((double)busy * NC_HW_ROWS * NC_HW_COLS),
      (unsigned long long)macs);
  printf(
      "  plain harness:  %.0f simulated cycles/s (median of %d, %llu "
      "cycles each)\n",
      nc_bench_median(rate, RUNS), RUNS, (unsigned long long)cycles);
  char path[512], cmd[1200];
  snprintf(path, sizeof path, "%s/systemc/conv_stream_bench.ncw", build);
  snprintf(cmd, sizeof cmd, "%s/systemc/nc_sc_run", build);
  FILE *probe = fopen(cmd, "rb");
  if (probe == NULL || ncw_save(&w, path) != 0) {
    printf("  systemc:        not built (make sc-test builds it)\n");
  } else {
    /* The run loop's speed; the same check as make sc-test on top. */
    snprintf(cmd, sizeof cmd,
             "SYSC_DISABLE_COPYRIGHT_MESSAGE=1 %s/systemc/nc_sc_run --bench %s",
             build, path);
    double sc[3];
    int n = 0;
    for (int i = 0; i < 3; i++) {
      FILE *f = popen(cmd, "r");
      char line[512];
      double v = 0;
      while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "s = ");
        if (p != NULL && sscanf(p, "s = %lf", &v) == 1) {
          sc[n++] = v;
        }
        if (strstr(line, "failed") != NULL &&
            strstr(line, " 0 failed") == NULL) {
          printf("  systemc: %s", line);
        }
      }
      if (f != NULL) {
        pclose(f);
      }
    }
    if (n > 0) {
      printf("  systemc:        %.0f simulated cycles/s (median of %d)\n",
             nc_bench_median(sc, n), n);
    } else {
      printf("  systemc:        no figure from %s\n", cmd);
    }
  }
  if (probe != NULL) {
    fclose(probe);
  }
  ncw_free(&w);
  wl_free(&wl);
}

static uint64_t ceil_div_(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

static void folds_(void) {
  static const int shapes[][3] = {
      {16, 16, 16}, {64, 16, 16}, {64, 64, 64}, {256, 32, 48}, {512, 16, 64},
  };
  const int R = NC_HW_ROWS, C = NC_HW_COLS;
  printf("\nGEMM folds, weight-stationary %dx%d (compute busy cycles)\n", R, C);
  printf("  %-14s %6s %10s %10s %8s\n", "M x N x K", "folds", "rtl",
         "SCALE-Sim", "rtl/SS");
  nc_rng_t rng;
  nc_rng_seed(&rng, 5);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
    wl_t wl;
    char name[64];
    snprintf(name, sizeof name, "gemm_%dx%dx%d", M, N, K);
    wl_gemm(&wl, name, M, N, K, 0, &rng);
    ncw_t w;
    to_ncw_(&wl, &w);
    uint64_t cycles = 0;
    (void)run_once_(&w, &cycles);
    const uint64_t folds =
        ceil_div_((uint64_t)K, R) * ceil_div_((uint64_t)N, C);
    const uint64_t ss = folds * (uint64_t)(2 * R + C + M - 2);
    printf("  %-14s %6llu %10u %10llu %8.2f\n", name + 5,
           (unsigned long long)folds, w.ctr[4], (unsigned long long)ss,
           (double)w.ctr[4] / (double)ss);
    ncw_free(&w);
    wl_free(&wl);
  }
  printf(
      "  (SCALE-Sim fills and drains the array for every fold; the RTL "
      "preloads the next fold's weights while the current one streams)\n");
}

int main(int argc, char **argv) {
  const char *build = argc > 1 ? argv[1] : "build";
  speed_(build);
  folds_();
  return 0;
}
