/*
 * nc_sc_gen DIR [--bench]: runs the workloads of testkit/workloads.h on
 * the plain Verilator harness (neocog/rtl.h) with the host sequence of
 * ncw.h, checks each result against the golden reference, and writes each
 * workload with what the harness saw to DIR/<name>.ncw for nc_sc_run, which
 * must see the same under SystemC.
 *
 * Workloads: the lecture's convolution, a 64x64x64 int8 GEMM, and a stream
 * of convolution tiles (with --bench: a longer one, the benchmark's).
 * Prints one line per workload; exit status 0 only if all matched golden.
 */
#include "neocog/sim.h"
#include "neocog/ncw.h"
#include "testkit/workloads.h"

/* Runs `wl` on a fresh harness and saves it; 0 when it matched golden. */
static int gen_(const wl_t *wl, const char *dir) {
  ncw_t w;
  memset(&w, 0, sizeof w);
  snprintf(w.name, sizeof w.name, "%s", wl->name);
  w.win_size = RIG_WIN_SIZE;
  w.n_insns = wl->p.n;
  w.out_off = wl->out_off;
  w.out_len = wl->out_len;
  w.mem = calloc(1, NCW_WIN_OFF + w.win_size);
  w.want = malloc(w.out_len);
  w.final_win = malloc(w.win_size);
  if (w.mem == NULL || w.want == NULL || w.final_win == NULL) {
    fprintf(stderr, "%s: out of memory\n", wl->name);
    ncw_free(&w);
    return 1;
  }
  for (size_t i = 0; i < wl->p.n; i++) {
    nc_hw_words_to_bytes(wl->p.v[i].w, NC_HW_INSN_WORDS,
                         w.mem + i * NC_HW_INSN_BYTES);
  }
  memcpy(w.mem + NCW_WIN_OFF, wl->win, w.win_size);
  memcpy(w.want, wl->want, w.out_len);
  /* The harness works on a copy: the file keeps the initial image. */
  uint8_t *mem = malloc(NCW_WIN_OFF + w.win_size);
  nc_sim_t *r = NULL;
  if (mem == NULL || nc_sim_open("rtl", NULL, &r) != NC_OK) {
    fprintf(stderr, "%s: %s\n", wl->name, nc_error_detail());
    free(mem);
    ncw_free(&w);
    return 1;
  }
  memcpy(mem, w.mem, NCW_WIN_OFF + w.win_size);
  int bad = nc_sim_attach_memory(r, mem, NCW_MEM_BASE,
                                 NCW_WIN_OFF + w.win_size) != NC_OK;
  bad = bad || ncw_run(r, &w, UINT64_C(50000000), &w.status, &w.err_code,
                       w.ctr) != 0;
  if (bad) {
    fprintf(stderr, "%s: the harness failed: %s\n", wl->name,
            nc_error_detail());
  }
  memcpy(w.final_win, mem + NCW_WIN_OFF, w.win_size);
  const long d = wl_first_diff(wl, mem + NCW_WIN_OFF);
  const uint64_t cycles = w.ctr[0] | (uint64_t)w.ctr[1] << 32;
  printf(
      "%-20s harness: STATUS 0x%02x, %llu cycles, compute busy %u, "
      "%s\n",
      wl->name, w.status, (unsigned long long)cycles, w.ctr[4],
      d < 0 ? "golden" : "DIFFERS from golden");
  if (d >= 0) {
    fprintf(stderr, "%s: result byte %ld is 0x%02x, golden 0x%02x\n", wl->name,
            d, mem[NCW_WIN_OFF + wl->out_off + (size_t)d], wl->want[d]);
  }
  bad = bad || d >= 0 || nc_sim_check_memory(r) != NC_OK;
  char path[512];
  snprintf(path, sizeof path, "%s/%s.ncw", dir, wl->name);
  if (!bad && ncw_save(&w, path) != 0) {
    fprintf(stderr, "%s: cannot write %s\n", wl->name, path);
    bad = 1;
  }
  nc_sim_close(r);
  free(mem);
  ncw_free(&w);
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [--bench]\n", argv[0]);
    return 2;
  }
  const int bench = argc > 2 && strcmp(argv[2], "--bench") == 0;
  nc_rng_t rng;
  nc_rng_seed(&rng, 2024);
  int bad = 0;
  wl_t w;
  if (!bench) {
    wl_lecture(&w);
    bad |= gen_(&w, argv[1]);
    wl_free(&w);
    wl_gemm(&w, "gemm_64_int8", 64, 64, 64, 1, &rng);
    bad |= gen_(&w, argv[1]);
    wl_free(&w);
  }
  const wl_conv_t c = wl_conv_stream_cfg(bench ? 8 : 2);
  wl_conv(&w, bench ? "conv_stream_bench" : "conv_stream", &c, &rng);
  bad |= gen_(&w, argv[1]);
  wl_free(&w);
  return bad;
}
