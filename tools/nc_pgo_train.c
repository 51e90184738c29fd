/*
 * nc_pgo_train: the training run of the plain model's profile-guided build
 * (make builds the model once instrumented, runs this, and builds it again
 * with the profile; see the Makefile's RTL section).
 *
 * It runs a mix of programs on the instrumented harness: the lecture's
 * convolution, a convolution stream with fused max pooling, an int8 GEMM and
 * an int32-out GEMM, shaped for the array the build is configured for (the
 * convolutions as many channels in and out as it has rows and columns, the
 * GEMMs tiled by the test kit). They are deliberately not the benchmark's
 * workload (bench_rtl's 8-tile 18x18 stream), so the bench measures a profile
 * it was not trained on. Every result is checked against the golden reference,
 * so a broken model stops the build here rather than in the tests.
 *
 * Prints one line per program; exit status 0 only if all matched golden.
 */
#include "neocog/sim.h"
#include "neocog/ncw.h"
#include "testkit/workloads.h"

/* Runs `wl` on a fresh harness; 0 when it finished and matched golden. */
static int train_(const wl_t *wl) {
  ncw_t w;
  memset(&w, 0, sizeof w);
  w.win_size = RIG_WIN_SIZE;
  w.n_insns = wl->p.n;
  uint8_t *mem = calloc(1, NCW_WIN_OFF + RIG_WIN_SIZE);
  nc_sim_t *r = NULL;
  if (mem == NULL || nc_sim_open("rtl", NULL, &r) != NC_OK) {
    fprintf(stderr, "nc_pgo_train: %s: %s\n", wl->name, nc_error_detail());
    free(mem);
    return 1;
  }
  for (size_t i = 0; i < wl->p.n; i++) {
    nc_hw_words_to_bytes(wl->p.v[i].w, NC_HW_INSN_WORDS,
                         mem + i * NC_HW_INSN_BYTES);
  }
  memcpy(mem + NCW_WIN_OFF, wl->win, RIG_WIN_SIZE);
  int bad = nc_sim_attach_memory(r, mem, NCW_MEM_BASE,
                                 NCW_WIN_OFF + RIG_WIN_SIZE) != NC_OK;
  bad = bad || ncw_run(r, &w, UINT64_C(50000000), &w.status, &w.err_code,
                       w.ctr) != 0;
  const long d = bad ? -1 : wl_first_diff(wl, mem + NCW_WIN_OFF);
  bad = bad || d >= 0 || nc_sim_check_memory(r) != NC_OK;
  printf("%-22s %8llu cycles  %s\n", wl->name,
         (unsigned long long)nc_sim_cycle(r),
         bad ? "FAILED" : "matches golden");
  if (bad) {
    fprintf(stderr, "nc_pgo_train: %s: %s\n", wl->name,
            d >= 0 ? "result differs from golden" : nc_error_detail());
  }
  nc_sim_close(r);
  free(mem);
  return bad;
}

int main(void) {
  nc_rng_t rng;
  nc_rng_seed(&rng, 7);
  int bad = 0;
  wl_t w;
  wl_lecture(&w);
  bad |= train_(&w);
  wl_free(&w);
  /* 14x14 padded to 16x16, full-width channels (16 in, 16 3x3 filters at
   * 16x16), int8 out max-pooled 2x2. */
  const wl_conv_t c = {.H = 14,
                       .W = 14,
                       .C = NC_HW_ROWS,
                       .O = NC_HW_COLS,
                       .K = 3,
                       .stride = 1,
                       .pad = 1,
                       .rq = 1,
                       .pool_k = 2,
                       .pool_s = 2,
                       .tiles = 4};
  wl_conv(&w, "conv_pool_stream", &c, &rng);
  bad |= train_(&w);
  wl_free(&w);
  /* 12x20 padded to 14x22, full-width channels, 3x3 filters, int8 out. */
  const wl_conv_t c2 = {.H = 12,
                        .W = 20,
                        .C = NC_HW_ROWS,
                        .O = NC_HW_COLS,
                        .K = 3,
                        .stride = 1,
                        .pad = 1,
                        .rq = 1,
                        .tiles = 4};
  wl_conv(&w, "conv_stream", &c2, &rng);
  bad |= train_(&w);
  wl_free(&w);
  wl_gemm(&w, "gemm_64_int8", 64, 64, 64, 1, &rng);
  bad |= train_(&w);
  wl_free(&w);
  wl_gemm(&w, "gemm_48x32x32_int32", 48, 32, 32, 0, &rng);
  bad |= train_(&w);
  wl_free(&w);
  return bad;
}
