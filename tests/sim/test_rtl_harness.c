/*
 * The harness API of neocog/rtl.h itself: argument checks, the identity
 * registers over the register bus, FST waveforms on demand, and that the
 * memory model counts accesses outside the window and the ring.
 */
#include <sys/stat.h>

#include "testkit/workloads.h"
#include "tests/sim/xrig.h"

static nc_rtl_t *create_(const nc_rtl_config_t *cfg) {
  nc_rtl_t *r = NULL;
  const nc_status_t st = nc_rtl_create(cfg, &r);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("built without the RTL");
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  return r;
}

Test(rtl_harness, arguments_and_identity) {
  nc_rtl_config_t c;
  nc_rtl_config_default(&c);
  cr_assert(c.mem_latency == 100 && c.mem_bytes_per_cycle == NC_HW_BUS_BYTES &&
            c.trace_path == NULL && c.fall_eval == 0);
  nc_rtl_t *r = create_(NULL);
  nc_rtl_t *keep = r;
  cr_assert_eq(nc_rtl_create(&c, NULL), NC_ERR_INVALID_ARG);
  c.mem_bytes_per_cycle = NC_HW_BUS_BYTES + 1;
  cr_assert_eq(nc_rtl_create(&c, &r), NC_ERR_INVALID_ARG);
  cr_assert_eq(r, keep, "output untouched on failure");
  uint32_t v = 0;
  cr_assert_eq(nc_rtl_csr_read(r, NC_HW_CSR_ID_OFFSET, &v), NC_OK);
  cr_assert_eq(v, NC_HW_CSR_ID_RESVAL);
  cr_assert_eq(nc_rtl_csr_read(r, NC_HW_CSR_HWCFG0_OFFSET, &v), NC_OK);
  cr_assert_eq(v, NC_HW_CSR_HWCFG0_RESVAL);
  cr_assert_eq(nc_rtl_csr_read(r, 2, &v), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_csr_read(r, 1u << NC_HW_CSR_ADDR_BITS, &v),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_csr_write(r, 3, 0), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_csr_read(r, 0, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_inject_fault(r, (nc_fault_t)7), NC_ERR_INVALID_ARG);
  uint8_t mem[64];
  cr_assert_eq(nc_rtl_attach_memory(r, NULL, 0, 64), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_attach_memory(r, mem, UINT64_MAX - 8, 64),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_rtl_attach_memory(r, NULL, 0, 0), NC_OK, "detach");
  /* An idle device: run stops at once, and every access costs a cycle. */
  const uint64_t c0 = nc_rtl_cycle(r);
  int busy = 1;
  cr_assert_eq(nc_rtl_run(r, 1000, &busy), NC_OK);
  cr_assert_eq(busy, 0);
  cr_assert_lt(nc_rtl_cycle(r) - c0, 10);
  cr_assert_eq(nc_rtl_irq(r), 0);
  cr_assert_eq(nc_rtl_window_violations(r), 0);
  cr_assert_str_eq(nc_rtl_first_violation(r), "");
  nc_rtl_destroy(r);
  nc_rtl_destroy(NULL);
}

/* A waveform of a short program, on request. */
Test(rtl_harness, fst_on_demand) {
  char path[] = "/tmp/neocog_rtl_XXXXXX";
  const int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  nc_rtl_config_t c;
  nc_rtl_config_default(&c);
  c.trace_path = path;
  nc_rtl_t *r = create_(&c);
  for (int i = 0; i < 100; i++) {
    uint32_t v = 0;
    cr_assert_eq(nc_rtl_csr_read(r, NC_HW_CSR_STATUS_OFFSET, &v), NC_OK);
  }
  nc_rtl_destroy(r);
  struct stat sb;
  cr_assert_eq(stat(path, &sb), 0);
  cr_assert_gt(sb.st_size, 100, "the FST file holds a trace");
  unlink(path);
  c.trace_path = "/nonexistent-dir/x.fst";
  cr_assert_eq(nc_rtl_create(&c, &r), NC_ERR_IO);
  cr_assert(strstr(nc_error_detail(), "/nonexistent-dir/x.fst") != NULL, "%s",
            nc_error_detail());
}

/* The FST header's start and end times (ps) and size of the file. */
static void fst_times_(const char *path, uint64_t *start, uint64_t *end,
                       long *size) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f);
  uint8_t h[80];
  cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h);
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fclose(f);
  /* Block type, section length, then start and end time, big-endian. */
  cr_assert_eq(h[0], 0, "an FST header block");
  *start = *end = 0;
  for (int i = 0; i < 8; i++) {
    *start = *start << 8 | h[9 + i];
    *end = *end << 8 | h[17 + i];
  }
  cr_assert_eq((int8_t)h[73], -12, "time in ps");
}

/* The lecture's convolution on the RTL with a waveform; returns the cycles
 * of the whole run. */
static uint64_t lecture_fst_(const nc_rtl_config_t *c) {
  rig_t x;
  cr_assert(xr_open_cfg(&x, RIG_RTL, c));
  wl_t w;
  wl_lecture(&w);
  wl_setup(&w, x.win);
  xr_run_ok(&x, &w.p);
  const uint64_t cycles = nc_rtl_cycle(x.r);
  wl_free(&w);
  xr_close(&x);
  return cycles;
}

/* Waveforms a person can use: time in cycles at 1 GHz, a window of cycles,
 * a scope; bad windows refused. */
Test(rtl_harness, fst_window_scope_and_time) {
  nc_rtl_t *probe = NULL;
  if (nc_rtl_create(NULL, &probe) == NC_ERR_UNSUPPORTED) {
    cr_skip_test("built without the RTL");
  }
  nc_rtl_destroy(probe);
  char path[] = "/tmp/neocog_fst_XXXXXX";
  const int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  nc_rtl_config_t c;
  nc_rtl_config_default(&c);
  c.trace_path = path;
  uint64_t start = 0, end = 0;
  long full = 0, part = 0;
  const uint64_t cycles = lecture_fst_(&c);
  fst_times_(path, &start, &end, &full);
  cr_assert_eq(start, 0);
  /* The last rising edge is at (cycles - 1).5 ns. */
  cr_assert_eq(end, (cycles - 1) * 1000 + 500, "%llu cycles, end %llu ps",
               (unsigned long long)cycles, (unsigned long long)end);
  c.trace_from = 300;
  c.trace_to = 400;
  (void)lecture_fst_(&c);
  fst_times_(path, &start, &end, &part);
  cr_assert_eq(start, 300000);
  cr_assert_eq(end, 399500);
  cr_assert_lt(part, full / 2, "window: %ld of %ld bytes", part, full);
  c.trace_from = c.trace_to = 0;
  c.trace_scope = "nc_top.u_csr";
  (void)lecture_fst_(&c);
  fst_times_(path, &start, &end, &part);
  cr_assert_lt(part, full / 4, "scope: %ld of %ld bytes", part, full);
  c.trace_scope = "u_no_such_instance"; /* the ports only, no crash */
  (void)lecture_fst_(&c);
  fst_times_(path, &start, &end, &part);
  cr_assert_lt(part, full / 4);
  c.trace_scope = NULL;
  /* Bad windows. */
  nc_rtl_t *r = NULL;
  c.trace_from = 10;
  c.trace_to = 10;
  cr_assert_eq(nc_rtl_create(&c, &r), NC_ERR_INVALID_ARG);
  c.trace_from = c.trace_to = 0;
  static const char *const bad[] = {"", "5", "5:3", "x:9", "-1:4", "3:y"};
  for (size_t i = 1; i < sizeof bad / sizeof bad[0]; i++) {
    setenv("NEOCOG_RTL_FST_WINDOW", bad[i], 1);
    cr_assert_eq(nc_rtl_create(&c, &r), NC_ERR_INVALID_ARG, "'%s'", bad[i]);
    cr_assert(strstr(nc_error_detail(), "NEOCOG_RTL_FST_WINDOW") != NULL, "%s",
              nc_error_detail());
  }
  setenv("NEOCOG_RTL_FST_WINDOW", "100:", 1);
  (void)lecture_fst_(&c);
  fst_times_(path, &start, &end, &part);
  cr_assert_eq(start, 100000);
  cr_assert_eq(end, (cycles - 1) * 1000 + 500);
  unsetenv("NEOCOG_RTL_FST_WINDOW");
  unlink(path);
}

/* The memory model's window check works: shrink the granted window while a
 * LOAD's bursts are in flight, and the rest of its beats count as
 * violations (the device checked the LOAD against the window it had). */
Test(rtl_harness, accesses_outside_the_window_are_counted) {
  rig_t x;
  if (!xr_open(&x, RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  prog_t p = {0};
  /* 1023 x 256 / R rows of R bytes (16368 at 16x16), 256 KiB: far more
   * than the memory accepts in flight. */
  enum { R = NC_HW_ROWS };
  p_load_cfg(&p, R, R * 1023, 0, 0, 0);
  p_load(
      &p,
      (ld_t){.sram = 0, .dram = 0x10000, .elems = R, .x = 1023, .y = 256 / R},
      0);
  p_finish(&p);
  rig_load(&x, &p);
  rig_wr(&x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  (void)rig_go(&x, 400); /* the fetch and the first bursts are out */
  rig_wr(&x, NC_HW_CSR_WIN_SIZE_OFFSET, 0x10000);
  (void)rig_go(&x, 100000);
  cr_assert_gt(nc_rtl_window_violations(x.r), 0);
  cr_assert(strlen(nc_rtl_first_violation(x.r)) > 0);
  /* The one interface reports them too, with the first one. */
  cr_assert_eq(nc_sim_check_memory(x.s), NC_ERR_DEVICE);
  cr_assert(strstr(nc_error_detail(), nc_rtl_first_violation(x.r)) != NULL,
            "%s", nc_error_detail());
  /* xr_close would fail on them: this device is expected to have them. */
  rig_close(&x);
  prog_free(&p);
}

/* The harness evaluates the model once per cycle unless asked for the
 * falling edge too (fall_eval, or a trace): a tile stream with pooling, with
 * register reads while it runs, must give the same result, the same cycle
 * count and the same counters both ways, with every assertion holding (a
 * failed one fails the run). */
Test(rtl_harness, one_eval_per_cycle_matches_two) {
  nc_rng_t rng;
  nc_test_seed(&rng, "rtl_harness", "one_eval_per_cycle_matches_two", 11);
  const wl_conv_t cv = {.H = 6,
                        .W = 7,
                        .C = NC_HW_ROWS,
                        .O = WL_PARTIAL_COLS,
                        .K = 3,
                        .stride = 1,
                        .pad = 1,
                        .rq = 1,
                        .pool_k = 2,
                        .pool_s = 2,
                        .tiles = 2};
  wl_t w;
  wl_conv(&w, "conv_tile_stream", &cv, &rng);
  /* MACs first: the check below that the run did work reads got[.][0]. */
  static const uint32_t ctr[] = {
      NC_HW_CSR_PERF_MACS_LO_OFFSET,       NC_HW_CSR_PERF_CYCLES_LO_OFFSET,
      NC_HW_CSR_PERF_LOAD_BUSY_OFFSET,     NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET,
      NC_HW_CSR_PERF_STORE_BUSY_OFFSET,    NC_HW_CSR_PERF_LOAD_STALL_OFFSET,
      NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET, NC_HW_CSR_PERF_STORE_STALL_OFFSET,
      NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET,   NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET,
      NC_HW_CSR_PERF_INSNS_OFFSET};
  enum { NCTR = sizeof ctr / sizeof ctr[0] };
  uint64_t got[2][NCTR + 2];
  for (int fall = 0; fall < 2; fall++) {
    nc_rtl_config_t c;
    nc_rtl_config_default(&c);
    c.fall_eval = fall;
    rig_t x;
    if (!xr_open_cfg(&x, RIG_RTL, &c)) {
      wl_free(&w);
      cr_skip_test("built without the RTL");
    }
    wl_setup(&w, x.win);
    rig_load(&x, &w.p);
    rig_wr(&x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    /* Register reads between short runs: the bus inputs change while the
     * device works. */
    uint64_t status_sum = 0;
    uint32_t s = 0;
    for (int i = 0; i < 100000 && ((s = rig_go(&x, 97)) & 1u) != 0; i++) {
      status_sum += s + rig_rd(&x, NC_HW_CSR_RING_HEAD_OFFSET);
    }
    cr_assert_eq(s & 1u, 0u, "fall_eval %d: still busy", fall);
    cr_assert_eq(wl_first_diff(&w, x.win), -1, "fall_eval %d: not golden",
                 fall);
    for (int k = 0; k < NCTR; k++) {
      got[fall][k] = ctr[k] == NC_HW_CSR_PERF_INSNS_OFFSET
                         ? rig_rd(&x, ctr[k])
                         : rig_ctr(&x, ctr[k]);
    }
    got[fall][NCTR] = nc_rtl_cycle(x.r);
    got[fall][NCTR + 1] = status_sum;
    xr_close(&x);
  }
  const uint64_t macs = w.macs;
  wl_free(&w);
  cr_assert_eq(got[0][0], macs, "MACs counted");
  for (int k = 0; k < NCTR + 2; k++) {
    cr_assert_eq(got[0][k], got[1][k],
                 "value %d: %llu with one eval per cycle, %llu with two", k,
                 (unsigned long long)got[0][k], (unsigned long long)got[1][k]);
  }
}
