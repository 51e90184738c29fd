/*
 * The register interface of the functional model: reset values, the access
 * types (ro, rw, wo, rw1c), _LO/_HI snapshots, START/HEAD/TAIL semantics,
 * interrupts, performance counter control, the documented timing example,
 * and the API's argument checks.
 */
#include "tests/model/rig.h"

#define START_ (1u << NC_HW_CSR_CTRL_START_SHIFT)
#define DONE_ (1u << NC_HW_CSR_STATUS_DONE_SHIFT)

Test(model_csr, reset_values_and_unmapped) {
  /* A bare device: no memory, no register written. */
  rig_t r = {.kind = RIG_MODEL};
  cr_assert_eq(nc_sim_open("model", NULL, &r.s), NC_OK);
  static const struct {
    uint32_t off, v;
  } regs[] = {
      {NC_HW_CSR_ID_OFFSET, 0x4e434f47u},
      {NC_HW_CSR_VERSION_OFFSET, NC_HW_CSR_VERSION_RESVAL},
      {NC_HW_CSR_HWCFG0_OFFSET, NC_HW_CSR_HWCFG0_RESVAL},
      {NC_HW_CSR_HWCFG1_OFFSET, NC_HW_SPAD_ROWS},
      {NC_HW_CSR_HWCFG2_OFFSET, NC_HW_PARAM_ENTRIES << 16 | NC_HW_ACC_ROWS},
      {NC_HW_CSR_STATUS_OFFSET, 0},
      {NC_HW_CSR_ERR_CODE_OFFSET, 0},
      {NC_HW_CSR_WATCHDOG_OFFSET, 0x1000000u},
      {NC_HW_CSR_PERF_CTRL_OFFSET, 1},
      {NC_HW_CSR_RING_SIZE_OFFSET, 0},
      {NC_HW_CSR_WIN_SIZE_OFFSET, 0},
      {NC_HW_CSR_PERF_INSNS_OFFSET, 0},
      {0x014, 0}, /* unmapped */
      {0x3fc, 0},
  };
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
    cr_assert_eq(rig_rd(&r, regs[i].off), regs[i].v, "0x%03x: 0x%x, want 0x%x",
                 regs[i].off, rig_rd(&r, regs[i].off), regs[i].v);
  }
  /* HWCFG0 says what nc_hw.h says. */
  const uint32_t c0 = rig_rd(&r, NC_HW_CSR_HWCFG0_OFFSET);
  cr_assert_eq(c0 & 0xffu, NC_HW_ROWS);
  cr_assert_eq(c0 >> 8 & 0xffu, NC_HW_COLS);
  cr_assert_eq(c0 >> 16 & 0xffu, NC_HW_SPAD_BANKS);
  cr_assert_eq(c0 >> 24, NC_HW_BUS_BYTES);
  /* ro registers and unmapped offsets ignore writes. */
  rig_wr(&r, NC_HW_CSR_ID_OFFSET, 0);
  rig_wr(&r, NC_HW_CSR_STATUS_OFFSET, 0xffffffffu);
  rig_wr(&r, NC_HW_CSR_ERR_CODE_OFFSET, 0xffffffffu);
  rig_wr(&r, NC_HW_CSR_ERR_INFO_OFFSET, 77);
  rig_wr(&r, 0x014, 5);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ID_OFFSET), 0x4e434f47u);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ERR_CODE_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ERR_INFO_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, 0x014), 0);
  /* rw registers read back; 64-bit addresses as two halves. */
  rig_wr(&r, NC_HW_CSR_WIN_BASE_HI_OFFSET, 0xabcdu);
  rig_wr(&r, NC_HW_CSR_WIN_BASE_LO_OFFSET, 0x12345678u);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_WIN_BASE_LO_OFFSET), 0x12345678u);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_WIN_BASE_HI_OFFSET), 0xabcdu);
  nc_sim_close(r.s);
}

Test(model_csr, bad_arguments) {
  nc_model_t *m = NULL;
  uint32_t v = 0;
  cr_assert_eq(nc_model_create(NULL, NULL), NC_ERR_INVALID_ARG);
  nc_model_config_t cfg;
  nc_model_config_default(&cfg);
  cfg.mem_bytes_per_cycle = NC_HW_BUS_BYTES + 1;
  cr_assert_eq(nc_model_create(&cfg, &m), NC_ERR_INVALID_ARG);
  cr_assert_null(m);
  cr_assert(strstr(nc_error_detail(), "mem_bytes_per_cycle") != NULL);
  cfg.mem_bytes_per_cycle = 0;
  cr_assert_eq(nc_model_create(&cfg, &m), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_create(NULL, &m), NC_OK);
  cr_assert_eq(nc_model_csr_read(NULL, 0, &v), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_csr_read(m, 0, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_csr_read(m, 2, &v), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_csr_read(m, 1u << NC_HW_CSR_ADDR_BITS, &v),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_csr_write(m, 0x21, 1), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_csr_write(NULL, 0x20, 1), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_run(NULL, 1, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_attach_memory(m, NULL, 0, 16), NC_ERR_INVALID_ARG);
  uint8_t b[16];
  cr_assert_eq(nc_model_attach_memory(m, b, UINT64_MAX - 4, 16),
               NC_ERR_INVALID_ARG);
  int8_t row[NC_HW_ROWS];
  int32_t acc[NC_HW_COLS];
  cr_assert_eq(nc_model_read_spad(m, NC_HW_SPAD_ROWS, 1, row),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_read_spad(m, NC_HW_SPAD_ROWS - 1, 1, row), NC_OK);
  cr_assert_eq(nc_model_read_acc(m, NC_HW_ACC_ROWS - 1, 2, acc),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_read_param(m, 0, NC_HW_PARAM_ENTRIES + 1, b),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_model_read_spad(m, 0, 1, NULL), NC_ERR_INVALID_ARG);
  /* Busy: memory cannot be swapped under the device. */
  cr_assert_eq(nc_model_attach_memory(m, b, 0, 16), NC_OK);
  cr_assert_eq(nc_model_csr_write(m, NC_HW_CSR_RING_SIZE_OFFSET, 1), NC_OK);
  cr_assert_eq(nc_model_csr_write(m, NC_HW_CSR_CTRL_OFFSET, START_), NC_OK);
  cr_assert_eq(nc_model_attach_memory(m, NULL, 0, 0), NC_ERR_INVALID_ARG);
  cr_assert_eq(strcmp(nc_model_err_name(NC_HW_ERR_DMA_WINDOW), "dma_window"),
               0);
  cr_assert_eq(strcmp(nc_model_err_name(99), "?"), 0);
  cr_assert_eq(strcmp(nc_model_unit_name(NC_HW_UNIT_COMPUTE), "compute"), 0);
  nc_model_destroy(m);
  nc_model_destroy(NULL);
}

Test(model_csr, interrupts) {
  rig_t r;
  rig_open(&r);
  /* INTR_TEST sets, reads 0; rw1c clears only the bits written as 1. */
  rig_wr(&r, NC_HW_CSR_INTR_TEST_OFFSET, 3);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_TEST_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET), 3);
  cr_assert_eq(nc_model_irq(r.m), 0, "nothing enabled");
  rig_wr(&r, NC_HW_CSR_INTR_ENABLE_OFFSET, 2);
  cr_assert_eq(nc_model_irq(r.m), 1);
  rig_wr(&r, NC_HW_CSR_INTR_STATE_OFFSET, 2);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET), 1);
  cr_assert_eq(nc_model_irq(r.m), 0, "done pending but not enabled");
  rig_wr(&r, NC_HW_CSR_INTR_STATE_OFFSET, 1);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET), 0);
  /* A FINISH raises done. CTRL reads 0. */
  rig_wr(&r, NC_HW_CSR_INTR_ENABLE_OFFSET, 1);
  prog_t p = {0};
  p_finish(&p);
  rig_run_ok(&r, &p);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET), 1);
  cr_assert_eq(nc_model_irq(r.m), 1);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_CTRL_OFFSET), 0);
  prog_free(&p);
  rig_close(&r);
}

/* Reading _LO snapshots _HI: a reader that reads _LO then _HI gets one
 * consistent 64-bit value even if the counter moves in between. The idle
 * busy device (started on an empty ring) counts cycles cheaply past 2^32. */
Test(model_csr, lo_hi_snapshot) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_);
  (void)rig_go(&r, UINT64_C(5000000000));
  const uint32_t lo1 = rig_rd(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  (void)rig_go(&r, UINT64_C(5000000000));
  const uint32_t hi1 = rig_rd(&r, NC_HW_CSR_PERF_CYCLES_HI_OFFSET);
  cr_assert_eq((uint64_t)hi1 << 32 | lo1, UINT64_C(5000000000),
               "HI is the snapshot taken with LO");
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
               UINT64_C(10000000000));
  /* Counting off stops the counters; clear zeroes them. */
  rig_wr(&r, NC_HW_CSR_PERF_CTRL_OFFSET, 0);
  (void)rig_go(&r, 1000);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
               UINT64_C(10000000000));
  rig_wr(&r, NC_HW_CSR_PERF_CTRL_OFFSET, 3);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_CTRL_OFFSET), 1, "clear is wo");
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET), 0);
  (void)rig_go(&r, 1000);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET), 1000);
  rig_close(&r);
}

/* HEAD is the device's; TAIL hands it work, also while it runs. START is
 * ignored while busy, clears done, and resumes at HEAD after a FINISH. */
Test(model_csr, ring_head_tail_start) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  p_finish(&p);
  p_sync(&p, NC_HW_QUEUE_STORE, 0);
  p_sync(&p, NC_HW_QUEUE_LOAD, 0);
  p_finish(&p);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 0); /* empty for now */
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_);
  cr_assert_eq(rig_go(&r, 1000), 1u, "busy, waiting for entries");
  rig_wr(&r, NC_HW_CSR_RING_HEAD_OFFSET, 3); /* ignored while busy */
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET), 0);
  rig_wr(&r, NC_HW_CSR_RING_SIZE_OFFSET, 1); /* ignored while busy */
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_SIZE_OFFSET), RIG_RING_ENTRIES);
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 5);
  cr_assert_eq(rig_go(&r, 100000), DONE_, "stopped at the first FINISH");
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET), 2);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 2);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET) & 3u, 1u,
               "START cleared done");
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_); /* ignored: busy */
  cr_assert_eq(rig_go(&r, 100000), DONE_);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET), 5);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 5);
  prog_free(&p);
  rig_close(&r);
}

/* Indices wrap at RING_SIZE: a program that starts near the end of a small
 * ring runs across the wrap. */
Test(model_csr, ring_wraps) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_RING_SIZE_OFFSET, 8);
  prog_t p = {0};
  for (int k = 0; k < 5; k++) {
    p_sync(&p, NC_HW_QUEUE_LOAD, 0);
  }
  p_finish(&p);
  for (size_t i = 0; i < p.n; i++) {
    nc_hw_words_to_bytes(p.v[i].w, NC_HW_INSN_WORDS,
                         r.mem + ((5 + i) % 8) * NC_HW_INSN_BYTES);
  }
  rig_wr(&r, NC_HW_CSR_RING_HEAD_OFFSET, 5);
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, (5 + 6) % 8);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_);
  cr_assert_eq(rig_go(&r, 100000), DONE_);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET), 3);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 6);
  prog_free(&p);
  rig_close(&r);
}

/* The counters are writable (a preset): a write sets the 32 bits it
 * names, the counters count on from there, carrying into the _HI half (or
 * wrapping at 2^32); a _HI write is read back before any _LO read. The
 * counts are the documented timing example's (timing_example_and_trace):
 * 281 busy cycles, 172 of them the load unit's, 1024 + 48 bytes read,
 * 3 instructions, nothing written, no MACs. */
Test(model_csr, counters_preset_and_carry) {
  if (NC_HW_ROWS != 16 || NC_HW_BUS_BYTES != 16) {
    cr_skip_test("the worked example is for 16-byte rows on a 16-byte bus");
  }
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_load_cfg(&p, 16, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = 0, .elems = 16, .x = 64}, 0);
  p_finish(&p);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_PERF_CYCLES_HI_OFFSET, 0x12345678u);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_CYCLES_HI_OFFSET), 0x12345678u,
               "a _HI write reads back before any _LO read");
  rig_wr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET, 0xffffff00u);
  rig_wr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET, 0xfffffc00u);
  rig_wr(&r, NC_HW_CSR_PERF_RD_BYTES_HI_OFFSET, 0xffffffffu);
  rig_wr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET, 7);
  rig_wr(&r, NC_HW_CSR_PERF_MACS_HI_OFFSET, 5);
  rig_wr(&r, NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET, 0x80000000u);
  rig_wr(&r, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET, 0xfffffff0u);
  rig_wr(&r, NC_HW_CSR_PERF_STORE_STALL_OFFSET, 99);
  rig_wr(&r, NC_HW_CSR_PERF_INSNS_OFFSET, 0xffffffffu);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
               UINT64_C(0x12345678ffffff00));
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
               UINT64_C(0xfffffffffffffc00));
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET), 0xfffffff0u);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, START_);
  cr_assert_eq(rig_go(&r, 100000), DONE_);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
               UINT64_C(0x1234567900000000) + 281 - 256, "carried");
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET), 1072 - 1024,
               "wrapped at 2^64");
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
               UINT64_C(0x500000007));
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET),
               UINT64_C(0x8000000000000000));
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET), 172 - 16,
               "wrapped at 2^32");
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_STORE_STALL_OFFSET), 99);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 2);
  /* Clear still zeroes them all. */
  rig_wr(&r, NC_HW_CSR_PERF_CTRL_OFFSET, 3);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_STORE_STALL_OFFSET), 0);
  prog_free(&p);
  rig_close(&r);
}

static void trace_cb_(void *ctx, const nc_sim_retire_t *rt) {
  nc_sim_retire_t *log = ctx;
  log[rt->seq] = *rt;
}

/* The documented timing example (sim/model/README.md): latency 100, 16
 * bytes per cycle, and the port's register slices adding 2 to each round
 * trip. Its cycle figures are those of 16-lane scratchpad rows, one bus
 * beat each; with other rows a beat carries a different number of rows and
 * the LOAD takes other cycles (bench_insn measures those), so the example
 * runs only on the default array. */
Test(model_csr, timing_example_and_trace) {
  if (NC_HW_ROWS != 16 || NC_HW_BUS_BYTES != 16) {
    cr_skip_test("the worked example is for 16-byte rows on a 16-byte bus");
  }
  rig_t r;
  rig_open(&r);
  nc_sim_retire_t log[3];
  nc_model_set_trace(r.m, trace_cb_, log);
  prog_t p = {0};
  p_load_cfg(&p, 16, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = 0, .elems = 16, .x = 64}, 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  /* base/include/neocog/timing.h: the fetch burst of 3 entries is requested at 1 and
   * usable at 1 + 102 + 3 + 1; LOAD_CFG is accepted at 107 and done (its
   * tokens usable) 1 + 2 cycles later; the LOAD is accepted at 108, requests
   * its 64 beats at 110, its first row arrives at 110 + 102 + 3 = 215 and its
   * last is written at 279, done at 281, when FINISH retires. */
  cr_assert_eq(nc_model_cycle(r.m), 281);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET), 281);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_LOAD_BUSY_OFFSET), 1 + 171);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_LOAD_STALL_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET), 0);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET), 1024 + 48);
  cr_assert_eq(log[0].opcode, NC_HW_OP_LOAD_CFG);
  cr_assert_eq(log[0].start, 107);
  cr_assert_eq(log[0].end, 110);
  cr_assert_eq(log[1].opcode, NC_HW_OP_LOAD);
  cr_assert_eq(log[1].unit, NC_HW_UNIT_LOAD);
  cr_assert_eq(log[1].ring_index, 1);
  cr_assert_eq(log[1].start, 108);
  cr_assert_eq(log[1].end, 281);
  cr_assert_eq(log[2].opcode, NC_HW_OP_FINISH);
  cr_assert_eq(log[2].unit, NC_HW_UNIT_FETCH);
  cr_assert_eq(log[2].seq, 2);
  prog_free(&p);
  rig_close(&r);
}
