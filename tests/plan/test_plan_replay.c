/*
 * The planner's cost model and the functional model run one scheduler
 * (base/include/neocog/sched.h), so for any legal stream nc_plan_replay()
 * predicts exactly the cycles, DRAM bytes and MACs the model counts. Random
 * streams of every instruction kind, with random dependency tokens, CFG
 * state, memory latencies and bandwidths, and FINISHes inside the stream,
 * run on both; any difference is a drift between the two.
 */
#include "neocog/plan.h"
#include "neocog/rng.h"
#include "testkit/isa_stream.h"
#include "testkit/rig.h"
#include "tests/common.h"

/* What the model counts for a stream: cycles, DRAM bytes, MACs. */
typedef struct {
  uint64_t cycles, rd_bytes, wr_bytes, macs;
} counts_t;

/* Runs the stream on the model from START to its last FINISH, starting it
 * again after each FINISH inside it, as the driver would. */
static counts_t run_model_(const prog_t *p, uint32_t latency, uint32_t bw,
                           const char *what) {
  const nc_model_config_t cfg = {.mem_latency = latency,
                                 .mem_bytes_per_cycle = bw};
  rig_t r;
  rig_open_cfg(&r, &cfg);
  for (uint32_t i = 0; i < ISA_PRM_RECS; i++) {
    qparam_put(r.win + ISA_PRM_OFF + i * NC_HW_QPARAM_BYTES, (int32_t)i - 64,
               1 << 30, -8, 0, -128, 127);
  }
  nc_rng_t g;
  nc_rng_seed(&g, 5);
  isa_addq_fill(&g, r.win);
  rig_load(&r, p);
  rig_wr(&r, NC_HW_CSR_PERF_CTRL_OFFSET,
         1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
             1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT);
  do {
    rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
    const uint32_t st = rig_go(&r, UINT64_C(10000000000));
    const rig_err_t e = rig_err(&r);
    cr_assert_eq(st & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
                 "%s: STATUS 0x%x, %s in %s at entry %u (info %u): the "
                 "generator wrote an illegal stream",
                 what, st, nc_hw_err_name(e.code), nc_hw_unit_name(e.unit),
                 e.insn, e.info);
  } while (rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET) != p->n);
  const counts_t c = {rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET),
                      rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET)};
  rig_close(&r);
  return c;
}

Test(plan_replay, equals_the_model_on_random_streams) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_replay", "equals_the_model_on_random_streams", 17);
  for (int it = 0; it < 60; it++) {
    prog_t p = {0};
    isa_stream(&g, &p, 400, 1, 0, NULL); /* 0 to 399, then FINISH */
    const uint32_t latency =
        (uint32_t)(nc_rng_range(&g, 0, 3) == 0 ? nc_rng_range(&g, 0, 1000)
                                               : nc_rng_range(&g, 20, 200));
    const uint32_t bw = (uint32_t)nc_rng_range(&g, 1, NC_HW_BUS_BYTES);
    char what[96];
    snprintf(what, sizeof what,
             "stream %d (%zu instructions, latency %u, %u B/cycle)", it, p.n,
             latency, bw);
    const counts_t m = run_model_(&p, latency, bw, what);
    nc_plan_caps_t caps;
    nc_plan_caps_default(&caps);
    caps.mem_latency = latency;
    caps.mem_bytes_per_cycle = bw;
    nc_plan_replay_t rp;
    cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_OK, "%s: %s", what,
                 nc_error_detail());
    cr_assert(rp.cycles == m.cycles && rp.rd_bytes == m.rd_bytes &&
                  rp.wr_bytes == m.wr_bytes && rp.array_macs == m.macs,
              "%s: replay %llu cycles, %llu B read, %llu B written, %llu "
              "MACs; model %llu, %llu, %llu, %llu",
              what, (unsigned long long)rp.cycles,
              (unsigned long long)rp.rd_bytes, (unsigned long long)rp.wr_bytes,
              (unsigned long long)rp.array_macs, (unsigned long long)m.cycles,
              (unsigned long long)m.rd_bytes, (unsigned long long)m.wr_bytes,
              (unsigned long long)m.macs);
    prog_free(&p);
  }
}

/* A stream that cannot finish is an error, not a prediction. */
Test(plan_replay, a_stream_that_cannot_finish_is_an_error) {
  nc_plan_caps_t caps;
  nc_plan_caps_default(&caps);
  nc_plan_replay_t rp;
  prog_t p = {0};
  p_gemm(&p, (gm_t){.li = 1}, PP); /* pops a token no one pushes */
  p_finish(&p);
  cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_ERR_INTERNAL);
  cr_assert(strstr(nc_error_detail(), "deadlock") != NULL, "%s",
            nc_error_detail());
  prog_free(&p);
  p_load_cfg(&p, 16, 0, 0, 0, 0); /* no FINISH */
  cr_assert_eq(nc_plan_replay(p.v, p.n, &caps, &rp), NC_ERR_INTERNAL);
  cr_assert(strstr(nc_error_detail(), "waits forever") != NULL, "%s",
            nc_error_detail());
  prog_free(&p);
}
