/*
 * The driver API on the "rtl" backend (the Verilated RTL) and on
 * "lockstep" (RTL and functional model side by side, compared at every
 * stop): the lecture's convolution through buffers, submit, wait and the
 * counters; device errors and reuse; deadlock and timeout; a program longer
 * than the ring with FINISH barriers inside. Programs are kept short: an RTL
 * cycle costs microseconds.
 */
#include "neocog/drv.h"
#include "neocog/sim.h"
#include "tests/model/rig.h"
#include "testkit/seed_data.h"

static const char *const backends_[] = {"rtl", "lockstep"};

/* Opens `backend`, or skips the test when the library has no RTL. */
static nc_dev_t *open_(const char *backend, const nc_dev_options_t *o) {
  nc_dev_t *d = NULL;
  const nc_status_t st = nc_dev_open(backend, o, &d);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("%s: %s", backend, nc_error_detail());
  }
  cr_assert_eq(st, NC_OK, "%s: %s", backend, nc_error_detail());
  return d;
}

static nc_status_t submit_(nc_dev_t *d, const prog_t *p) {
  uint8_t *b = prog_bytes(p);
  nc_status_t st = nc_dev_submit(d, b, p->n);
  free(b);
  return st;
}

/* Writes the lecture's convolution (input, weights, bias records) into new
 * buffers of `d` and its program into `p`; *ob is the output buffer. */
static void lecture_setup_(nc_dev_t *d, prog_t *p, nc_dev_buf_t *ob) {
  nc_dev_buf_t xb, wb, pb;
  cr_assert_eq(nc_dev_alloc(d, 75, 0, &xb), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 54, 0, &wb), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 32, 0, &pb), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 72, 0, ob), NC_OK);
  int8_t x[75], w[54];
  for (int i = 0; i < 75; i++) {
    x[i] = (int8_t)nc_seed_x[i % 3][i / 15][i / 3 % 5];
  }
  for (int i = 0; i < 54; i++) {
    const int o = i / 27, t = i / 3 % 9, c = i % 3;
    w[i] = (int8_t)nc_seed_w[o][c][t / 3][t % 3];
  }
  uint8_t rec[32];
  qparam_put(rec, nc_seed_b[0], 0, 0, 0, 0, 0);
  qparam_put(rec + 16, nc_seed_b[1], 0, 0, 0, 0, 0);
  cr_assert_eq(nc_dev_write(d, &xb, 0, x, sizeof x), NC_OK);
  cr_assert_eq(nc_dev_write(d, &wb, 0, w, sizeof w), NC_OK);
  cr_assert_eq(nc_dev_write(d, &pb, 0, rec, sizeof rec), NC_OK);
  prog_lecture_conv(p, (uint32_t)xb.offset, (uint32_t)wb.offset,
                    (uint32_t)pb.offset, (uint32_t)ob->offset);
}

/* The output buffer must hold the slides' numbers. */
static void lecture_check_(nc_dev_t *d, const nc_dev_buf_t *ob,
                           const char *be) {
  uint8_t o[72];
  cr_assert_eq(nc_dev_read(d, ob, 0, o, sizeof o), NC_OK);
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(le32(o + 8 * i), nc_seed_out0[i], "%s: o[%d][0]", be, i);
    cr_assert_eq(le32(o + 8 * i + 4), nc_seed_out1[i], "%s: o[%d][1]", be, i);
  }
}

static void lecture_(const char *be) {
  nc_dev_t *d = open_(be, NULL);
  nc_dev_info_t in;
  cr_assert_eq(nc_dev_info(d, &in), NC_OK);
  cr_assert_str_eq(in.backend, be);
  cr_assert(in.rows == NC_HW_ROWS && in.cols == NC_HW_COLS &&
            in.spad_rows == NC_HW_SPAD_ROWS && in.acc_rows == NC_HW_ACC_ROWS);
  nc_dev_buf_t ob;
  prog_t p = {0};
  lecture_setup_(d, &p, &ob);
  nc_dev_result_t res;
  cr_assert_eq(submit_(d, &p), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s: %s", be,
               nc_error_detail());
  cr_assert_eq(res.err_code, NC_HW_ERR_NONE);
  cr_assert_gt(res.cycles, 0);
  lecture_check_(d, &ob, be);
  nc_dev_counters_t c;
  cr_assert_eq(nc_dev_counters(d, &c), NC_OK);
  cr_assert_eq(c.macs, 81 * NC_HW_ROWS * NC_HW_COLS, "%s", be);
  cr_assert_eq(c.insns, p.n + 1, "%s: the program and the FINISH", be);
  cr_assert_eq(c.wr_bytes, 72, "%s", be);
  cr_assert_eq(c.cycles, res.cycles);
  cr_assert_leq(c.compute_busy, c.cycles);
  prog_free(&p);
  nc_dev_close(d);
}

Test(driver_rtl, lecture_convolution) {
  for (size_t b = 0; b < 2; b++) {
    lecture_(backends_[b]);
  }
}

/* A failing program reports the device's code, unit, entry and info; the
 * device works afterwards. On lockstep the rtl and the model must agree. */
Test(driver_rtl, device_error_then_reuse) {
  for (size_t b = 0; b < 2; b++) {
    const char *be = backends_[b];
    nc_dev_options_t o;
    nc_dev_options_default(&o);
    o.window_bytes = 1 << 20;
    o.ring_entries = 64;
    nc_dev_t *d = open_(be, &o);
    prog_t p = {0};
    p_sync(&p, NC_HW_QUEUE_LOAD, 0);
    p_load_cfg(&p, NC_HW_ROWS, 0, 0, 0, 0);
    p_sync(&p, NC_HW_QUEUE_STORE, 0);
    /* One row of NC_HW_ROWS bytes from half a row before the end. */
    p_load(
        &p,
        (ld_t){
            .dram = (1u << 20) - NC_HW_ROWS / 2, .elems = NC_HW_ROWS, .x = 1},
        0);
    cr_assert_eq(submit_(d, &p), NC_OK);
    nc_dev_result_t res;
    cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE, "%s: %s", be,
                 nc_error_detail());
    cr_assert(res.err_code == NC_HW_ERR_DMA_WINDOW &&
                  res.err_unit == NC_HW_UNIT_LOAD && res.insn_index == 3 &&
                  res.err_info == (1u << 20) - NC_HW_ROWS / 2,
              "%s: %s", be, nc_error_detail());
    prog_free(&p);
    p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
    p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
    (void)prog_add(&p, 13, 0);
    cr_assert_eq(submit_(d, &p), NC_OK);
    cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE, "%s: %s", be,
                 nc_error_detail());
    cr_assert(res.err_code == NC_HW_ERR_ILLEGAL_OPCODE &&
                  res.err_unit == NC_HW_UNIT_FETCH && res.insn_index == 2,
              "%s: %s", be, nc_error_detail());
    prog_free(&p);
    p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
    cr_assert_eq(submit_(d, &p), NC_OK);
    cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s: %s", be,
                 nc_error_detail());
    prog_free(&p);
    nc_dev_close(d);
  }
}

/* Deadlock is detected by the device; a long program outlives a tiny
 * timeout, is halted, and the device is usable again. */
Test(driver_rtl, never_finishing_programs_return) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  o.ring_entries = 64;
  nc_dev_t *d = open_("rtl", &o);
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  p_gemm(&p, (gm_t){0}, PP);
  cr_assert_eq(submit_(d, &p), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE);
  cr_assert_eq(res.err_code, NC_HW_ERR_DEADLOCK, "%s", nc_error_detail());
  cr_assert_eq(res.insn_index, 1);
  prog_free(&p);
  for (int k = 0; k < 20; k++) {
    p_gemm(&p, (gm_t){.lo = 1000, .li = 1000, .keep = k > 0, .accum = 1}, 0);
  }
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 1, &res), NC_ERR_TIMEOUT);
  cr_assert_eq(res.err_code, NC_HW_ERR_HALTED, "the driver halted it");
  prog_free(&p);
  p_sync(&p, NC_HW_QUEUE_STORE, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s", nc_error_detail());
  prog_free(&p);
  nc_dev_close(d);
}

/* 300 entries through a 64-entry ring, FINISH barriers inside, tokens
 * across queues; then an error late in the stream maps back to its index. */
Test(driver_rtl, program_longer_than_ring) {
  for (size_t b = 0; b < 2; b++) {
    const char *be = backends_[b];
    nc_dev_options_t o;
    nc_dev_options_default(&o);
    o.window_bytes = 1 << 20;
    o.ring_entries = 64;
    nc_dev_t *d = open_(be, &o);
    prog_t p = {0};
    for (int k = 0; k < 300; k++) {
      if (k % 100 == 99) {
        p_finish(&p);
      } else {
        p_sync(&p, (uint32_t)(k % 3), 0);
      }
    }
    p_sync(&p, NC_HW_QUEUE_LOAD, UN);
    p_sync(&p, NC_HW_QUEUE_COMPUTE, PP);
    cr_assert_eq(submit_(d, &p), NC_OK);
    nc_dev_result_t res;
    cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s: %s", be,
                 nc_error_detail());
    nc_dev_counters_t c;
    cr_assert_eq(nc_dev_counters(d, &c), NC_OK);
    cr_assert_eq(c.insns, p.n + 1, "%s: every entry and the FINISH", be);
    prog_free(&p);
    for (int k = 0; k < 150; k++) {
      p_sync(&p, (uint32_t)(k % 3), 0);
    }
    p_load(&p, (ld_t){.elems = 0, .x = 1}, 0);
    cr_assert_eq(submit_(d, &p), NC_OK);
    cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE);
    cr_assert(res.err_code == NC_HW_ERR_FIELD_RANGE &&
                  res.err_info == NC_HW_LOAD_ELEMS_LSB &&
                  res.insn_index == 150 && res.err_insn == 150 % 64,
              "%s: %s", be, nc_error_detail());
    prog_free(&p);
    nc_dev_close(d);
  }
}

/* A memory that never answers: the device's watchdog reports it, and with
 * the watchdog off nc_dev_wait() times out; either way the device is halted
 * and soft-reset without waiting for the memory, a second submission while
 * the memory still hangs times out the same way (the device is idle, not
 * stuck in its reset), and once the memory answers the same device runs the
 * lecture's convolution to the slides' numbers. */
Test(driver_rtl, memory_hang_then_reuse) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  o.ring_entries = 64;
  o.watchdog_cycles = 3000;
  nc_dev_t *d = open_("rtl", &o);
  nc_dev_buf_t ob;
  prog_t p = {0};
  lecture_setup_(d, &p, &ob);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_HANG), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE, "%s",
               nc_error_detail());
  cr_assert_eq(res.err_code, NC_HW_ERR_WATCHDOG, "%s", nc_error_detail());
  cr_assert(strstr(nc_error_detail(), "watchdog") != NULL, "%s",
            nc_error_detail());
  /* Watchdog off: only the wall clock ends the wait. */
  nc_dev_close(d);
  o.watchdog_cycles = 0;
  d = open_("rtl", &o);
  prog_free(&p);
  lecture_setup_(d, &p, &ob);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_HANG), NC_OK);
  for (int k = 0; k < 2; k++) {
    cr_assert_eq(submit_(d, &p), NC_OK);
    cr_assert_eq(nc_dev_wait(d, 100, &res), NC_ERR_TIMEOUT, "try %d: %s", k,
                 nc_error_detail());
    cr_assert(strstr(nc_error_detail(), "did not finish") != NULL, "%s",
              nc_error_detail());
    cr_assert_eq(res.err_code, NC_HW_ERR_HALTED, "the driver halted it");
  }
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_NONE), NC_OK);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s", nc_error_detail());
  lecture_check_(d, &ob, "rtl");
  prog_free(&p);
  nc_dev_close(d);
}

/* Lockstep with a memory fault on the RTL side only: the RTL stops with
 * dma_bus, the model finishes, and the comparison says so with both stops in
 * words, without crashing or hanging. Healed, the same pair agrees again. */
Test(driver_rtl, lockstep_reports_a_mismatch) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  o.ring_entries = 64;
  nc_dev_t *d = open_("lockstep", &o);
  nc_dev_buf_t ob;
  prog_t p = {0};
  lecture_setup_(d, &p, &ob);
  cr_assert_eq(nc_dev_inject_fault(d, (nc_fault_t)3), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_inject_fault(NULL, NC_FAULT_NONE),
               NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_SLVERR), NC_OK);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_NONE), NC_ERR_INVALID_ARG,
               "refused while a submission is in flight");
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_MISMATCH, "%s",
               nc_error_detail());
  const char *msg = nc_error_detail();
  cr_assert(
      strstr(msg, "lockstep: STATUS") != NULL &&
          strstr(msg, "on the rtl (error dma_bus in fetch unit") != NULL &&
          strstr(msg, "on the model (done)") != NULL,
      "%s", msg);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_NONE), NC_OK);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s", nc_error_detail());
  lecture_check_(d, &ob, "lockstep");
  prog_free(&p);
  nc_dev_close(d);
}

/* The hook on the model backend: SLVERR is the model's dma_bus. */
Test(driver_rtl, model_memory_fault) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  o.ring_entries = 64;
  nc_dev_t *d = NULL;
  cr_assert_eq(nc_dev_open("model", &o, &d), NC_OK, "%s", nc_error_detail());
  nc_dev_buf_t ob;
  prog_t p = {0};
  lecture_setup_(d, &p, &ob);
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_SLVERR), NC_OK);
  cr_assert_eq(submit_(d, &p), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE);
  cr_assert(
      res.err_code == NC_HW_ERR_DMA_BUS && res.err_unit == NC_HW_UNIT_FETCH,
      "%s", nc_error_detail());
  cr_assert_eq(nc_dev_inject_fault(d, NC_FAULT_NONE), NC_OK);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s", nc_error_detail());
  lecture_check_(d, &ob, "model");
  prog_free(&p);
  nc_dev_close(d);
}

/* A FINISH that retires between two of nc_dev_wait()'s register reads (a
 * register access takes cycles on the RTL) must end the wait: with HEAD read
 * before STATUS, the driver saw done with a stale HEAD short of TAIL, took it
 * for a FINISH inside the stream, wrote START, and the device then ran on an
 * empty ring for ever (nothing pending, so no watchdog either). A lone FINISH
 * retires some cycles after its fetch's memory latency; the latencies swept
 * put that retirement on each cycle around the end of the driver's first
 * step of the simulation (the rtl backend's run quantum, 8192 cycles), so
 * one of them lands in the gap. */
Test(driver_rtl, finish_between_register_reads) {
  const nc_sim_ops_t *ops = nc_sim_find("rtl");
  cr_assert_not_null(ops);
  const uint64_t quantum = ops->run_quantum;
  cr_assert(quantum > 64, "the driver steps the rtl %llu cycles at a time",
            (unsigned long long)quantum);
  for (uint32_t lat = (uint32_t)quantum - 40; lat <= (uint32_t)quantum + 8;
       lat++) {
    nc_dev_options_t o;
    nc_dev_options_default(&o);
    o.window_bytes = 1 << 20;
    o.ring_entries = 64;
    o.mem_latency = lat;
    nc_dev_t *d = open_("rtl", &o);
    cr_assert_eq(nc_dev_submit(d, NULL, 0), NC_OK);
    nc_dev_result_t res;
    cr_assert_eq(nc_dev_wait(d, 5000, &res), NC_OK, "memory latency %u: %s",
                 lat, nc_error_detail());
    nc_dev_counters_t c;
    cr_assert_eq(nc_dev_counters(d, &c), NC_OK);
    cr_assert_eq(c.insns, 1, "memory latency %u: the FINISH alone", lat);
    nc_dev_close(d);
  }
}
