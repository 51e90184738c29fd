/*
 * The driver API on the "model" backend: opening by name, the window
 * allocator and copies with every refusal, submit and wait on good, failing
 * and never-ending programs, and the performance counters.
 */
#include "neocog/drv.h"
#include "tests/model/rig.h"
#include "testkit/seed_data.h"

static nc_dev_t *open_(const nc_dev_options_t *o) {
  nc_dev_t *d = NULL;
  cr_assert_eq(nc_dev_open("model", o, &d), NC_OK, "%s", nc_error_detail());
  cr_assert_not_null(d);
  return d;
}

static nc_status_t submit_(nc_dev_t *d, const prog_t *p) {
  uint8_t *b = prog_bytes(p);
  nc_status_t st = nc_dev_submit(d, b, p->n);
  free(b);
  return st;
}

Test(driver, open_backends) {
  nc_dev_t *d = (nc_dev_t *)0x1;
  cr_assert_eq(nc_dev_open("fpga", NULL, &d), NC_ERR_NOT_FOUND);
  cr_assert(strstr(nc_error_detail(), "unknown backend 'fpga'") != NULL, "%s",
            nc_error_detail());
  cr_assert(strstr(nc_error_detail(), "known: model, rtl, lockstep") != NULL,
            "%s", nc_error_detail());
  cr_assert_eq(d, (nc_dev_t *)0x1, "output untouched on failure");
  /* rtl (and lockstep, which needs it) open unless the library was built
   * without the RTL; tests/driver/test_driver_rtl.c runs them. */
  nc_dev_t *r = NULL;
  const nc_status_t rs = nc_dev_open("rtl", NULL, &r);
  if (rs == NC_OK) {
    nc_dev_close(r);
  } else {
    cr_assert_eq(rs, NC_ERR_UNSUPPORTED, "%s", nc_error_detail());
    cr_assert(strstr(nc_error_detail(), "built without the RTL") != NULL, "%s",
              nc_error_detail());
  }
  cr_assert_eq(nc_dev_open(NULL, NULL, &d), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_open("model", NULL, NULL), NC_ERR_INVALID_ARG);
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1024;
  cr_assert_eq(nc_dev_open("model", &o, &d), NC_ERR_INVALID_ARG);
  nc_dev_options_default(&o);
  o.ring_entries = 8;
  cr_assert_eq(nc_dev_open("model", &o, &d), NC_ERR_INVALID_ARG);
  nc_dev_options_default(&o);
  o.mem_bytes_per_cycle = 0;
  cr_assert_eq(nc_dev_open("model", &o, &d), NC_ERR_INVALID_ARG);
  cr_assert_eq(d, (nc_dev_t *)0x1);
  nc_dev_close(NULL);
}

Test(driver, info_matches_nc_hw) {
  nc_dev_t *d = open_(NULL);
  nc_dev_info_t in;
  cr_assert_eq(nc_dev_info(d, &in), NC_OK);
  cr_assert_str_eq(in.backend, "model");
  cr_assert_eq(in.version_major, NC_HW_VERSION_MAJOR);
  cr_assert_eq(in.version_minor, NC_HW_VERSION_MINOR);
  cr_assert_eq(in.rows, NC_HW_ROWS);
  cr_assert_eq(in.cols, NC_HW_COLS);
  cr_assert_eq(in.spad_rows, NC_HW_SPAD_ROWS);
  cr_assert_eq(in.spad_banks, NC_HW_SPAD_BANKS);
  cr_assert_eq(in.acc_rows, NC_HW_ACC_ROWS);
  cr_assert_eq(in.param_entries, NC_HW_PARAM_ENTRIES);
  cr_assert_eq(in.bus_bytes, NC_HW_BUS_BYTES);
  cr_assert_eq(in.window_bytes, UINT64_C(64) << 20);
  cr_assert_eq(in.ring_entries, 1024);
  cr_assert_eq(nc_dev_info(d, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_info(NULL, &in), NC_ERR_INVALID_ARG);
  nc_dev_close(d);
}

Test(driver, alloc_and_free) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  o.ring_entries = 64; /* 1 KiB of the window */
  nc_dev_t *d = open_(&o);
  nc_dev_buf_t a, b, c, x = {0};
  cr_assert_eq(nc_dev_alloc(d, 0, 0, &a), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "zero bytes") != NULL);
  cr_assert_eq(nc_dev_alloc(d, 16, 3, &a), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_alloc(d, 16, UINT64_C(1) << 40, &a), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_alloc(d, (1 << 20) + 1, 0, &a), NC_ERR_NOMEM);
  cr_assert_eq(nc_dev_alloc(d, 1 << 20, 0, &a), NC_ERR_NOMEM,
               "the ring holds part of the window");
  cr_assert_eq(nc_dev_alloc(NULL, 16, 0, &a), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_alloc(d, 16, 0, NULL), NC_ERR_INVALID_ARG);

  cr_assert_eq(nc_dev_alloc(d, 1000, 0, &a), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 100, 4096, &b), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 5000, 16, &c), NC_OK);
  cr_assert_eq(a.offset % 64, 0, "default alignment 64");
  cr_assert_eq(b.offset % 4096, 0);
  cr_assert_eq(c.offset % 16, 0);
  cr_assert(a.offset + a.size <= b.offset || b.offset + b.size <= a.offset);
  cr_assert(b.offset + b.size <= c.offset || c.offset + c.size <= b.offset);
  cr_assert(a.offset + a.size <= c.offset || c.offset + c.size <= a.offset);
  /* Free a and b: they merge with the gap between them, so a first-fit
   * allocation of their combined size lands at a's offset. */
  const uint64_t a_off = a.offset, span = b.offset + b.size - a.offset;
  cr_assert_eq(nc_dev_free(d, &b), NC_OK);
  cr_assert_eq(nc_dev_free(d, &a), NC_OK);
  cr_assert_eq(nc_dev_free(d, &a), NC_ERR_NOT_FOUND, "double free");
  cr_assert(strstr(nc_error_detail(), "freed already") != NULL);
  cr_assert_eq(nc_dev_alloc(d, span, 64, &x), NC_OK);
  cr_assert_eq(x.offset, a_off);
  /* A stale copy of a freed buffer does not free the new one there. */
  cr_assert_eq(nc_dev_free(d, &a), NC_ERR_NOT_FOUND);
  nc_dev_buf_t forged = x;
  forged.size = 1;
  cr_assert_eq(nc_dev_free(d, &forged), NC_ERR_NOT_FOUND);
  /* Another device's buffer. */
  nc_dev_t *e = open_(&o);
  nc_dev_buf_t f;
  cr_assert_eq(nc_dev_alloc(e, 64, 0, &f), NC_OK);
  cr_assert_eq(nc_dev_free(d, &f), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "another device") != NULL);
  cr_assert_eq(nc_dev_free(e, &f), NC_OK);
  nc_dev_close(e);
  /* Everything back: the whole window but the ring is one extent again. */
  cr_assert_eq(nc_dev_free(d, &x), NC_OK);
  cr_assert_eq(nc_dev_free(d, &c), NC_OK);
  nc_dev_buf_t all;
  cr_assert_eq(nc_dev_alloc(d, (1 << 20) - 64 * 16, 16, &all), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 1, 1, &x), NC_ERR_NOMEM);
  cr_assert_eq(nc_dev_free(d, &all), NC_OK);
  cr_assert_eq(nc_dev_free(NULL, &all), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_free(d, NULL), NC_ERR_INVALID_ARG);
  nc_dev_close(d);
}

Test(driver, read_write_bounds) {
  nc_dev_t *d = open_(NULL);
  nc_dev_buf_t a;
  cr_assert_eq(nc_dev_alloc(d, 100, 0, &a), NC_OK);
  uint8_t src[128], dst[128];
  for (int i = 0; i < 128; i++) {
    src[i] = (uint8_t)i;
  }
  cr_assert_eq(nc_dev_write(d, &a, 0, src, 100), NC_OK);
  cr_assert_eq(nc_dev_write(d, &a, 1, src, 100), NC_ERR_INVALID_ARG);
  cr_assert(strstr(nc_error_detail(), "leaves the 100-byte buffer") != NULL,
            "%s", nc_error_detail());
  cr_assert_eq(nc_dev_write(d, &a, 101, src, 0), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_write(d, &a, UINT64_MAX, src, 2), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_write(d, &a, 0, NULL, 1), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_read(d, &a, 50, dst, 51), NC_ERR_INVALID_ARG);
  memset(dst, 0xee, sizeof dst);
  cr_assert_eq(nc_dev_read(d, &a, 10, dst, 90), NC_OK);
  cr_assert_arr_eq(dst, src + 10, 90, "the rejected write changed nothing");
  cr_assert_eq(nc_dev_read(d, &a, 100, dst, 0), NC_OK);
  cr_assert_eq(nc_dev_free(d, &a), NC_OK);
  cr_assert_eq(nc_dev_read(d, &a, 0, dst, 1), NC_ERR_NOT_FOUND,
               "read of a freed buffer");
  nc_dev_close(d);
}

/* The lecture's convolution through the driver: buffers, copies, submit,
 * wait, counters. */
Test(driver, lecture_convolution) {
  nc_dev_t *d = open_(NULL);
  nc_dev_buf_t in, wt, prm, out;
  cr_assert_eq(nc_dev_alloc(d, 75, 0, &in), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 54, 0, &wt), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 32, 0, &prm), NC_OK);
  cr_assert_eq(nc_dev_alloc(d, 72, 0, &out), NC_OK);
  int8_t x[75], w[54];
  for (int h = 0; h < 5; h++) {
    for (int v = 0; v < 5; v++) {
      for (int ch = 0; ch < 3; ch++) {
        x[(h * 5 + v) * 3 + ch] = (int8_t)nc_seed_x[ch][h][v];
      }
    }
  }
  for (int o = 0; o < 2; o++) {
    for (int t = 0; t < 9; t++) {
      for (int ch = 0; ch < 3; ch++) {
        w[(o * 9 + t) * 3 + ch] = (int8_t)nc_seed_w[o][ch][t / 3][t % 3];
      }
    }
  }
  uint8_t rec[32];
  qparam_put(rec, nc_seed_b[0], 0, 0, 0, 0, 0);
  qparam_put(rec + 16, nc_seed_b[1], 0, 0, 0, 0, 0);
  cr_assert_eq(nc_dev_write(d, &in, 0, x, sizeof x), NC_OK);
  cr_assert_eq(nc_dev_write(d, &wt, 0, w, sizeof w), NC_OK);
  cr_assert_eq(nc_dev_write(d, &prm, 0, rec, sizeof rec), NC_OK);

  prog_t p = {0};
  prog_lecture_conv(&p, (uint32_t)in.offset, (uint32_t)wt.offset,
                    (uint32_t)prm.offset, (uint32_t)out.offset);
  nc_dev_result_t res;
  cr_assert_eq(submit_(d, &p), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(submit_(d, &p), NC_ERR_INVALID_ARG, "one in flight");
  cr_assert_eq(nc_dev_wait(d, 0, &res), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(res.err_code, NC_HW_ERR_NONE);
  cr_assert_eq(res.insn_index, NC_DEV_NO_INSN);
  cr_assert_gt(res.cycles, 0);
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_ERR_INVALID_ARG,
               "nothing submitted");
  uint8_t o[72];
  cr_assert_eq(nc_dev_read(d, &out, 0, o, sizeof o), NC_OK);
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(le32(o + 8 * i), nc_seed_out0[i]);
    cr_assert_eq(le32(o + 8 * i + 4), nc_seed_out1[i]);
  }
  nc_dev_counters_t c;
  cr_assert_eq(nc_dev_counters(d, &c), NC_OK);
  cr_assert_eq(c.macs, 81 * NC_HW_ROWS * NC_HW_COLS, "9 taps x 9 pixels");
  cr_assert_eq(c.insns, p.n + 1, "the program and the appended FINISH");
  cr_assert_eq(c.wr_bytes, 72);
  cr_assert_eq(c.rd_bytes, 75 + 54 + 32 + 16 * (p.n + 1),
               "data plus one fetch of every ring entry");
  cr_assert_eq(c.cycles, res.cycles);
  cr_assert_leq(c.compute_busy, c.cycles);
  cr_assert_leq(c.load_busy + c.load_stall, c.cycles);
  cr_assert_gt(c.compute_stall, 0, "the GEMMs waited for the loads");
  cr_assert_eq(nc_dev_counters(d, NULL), NC_ERR_INVALID_ARG);
  prog_free(&p);
  nc_dev_close(d);
}

/* A failing program: NC_ERR_DEVICE with the device's code, unit, entry and
 * info, a detail that names them, and a device that works afterwards. The
 * LOAD's one row (NC_HW_ROWS bytes) starts half a row before the end. */
Test(driver, device_error_then_reuse) {
  nc_dev_t *d = open_(NULL);
  const uint64_t win = UINT64_C(64) << 20;
  const uint64_t at = win - NC_HW_ROWS / 2;
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_LOAD, 0);
  p_load_cfg(&p, NC_HW_ROWS, 0, 0, 0, 0);
  p_sync(&p, NC_HW_QUEUE_STORE, 0);
  p_load(&p, (ld_t){.dram = (uint32_t)at, .elems = NC_HW_ROWS, .x = 1}, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_ERR_DEVICE);
  cr_assert_eq(res.err_code, NC_HW_ERR_DMA_WINDOW);
  cr_assert_eq(res.err_unit, NC_HW_UNIT_LOAD);
  cr_assert_eq(res.err_insn, 3);
  cr_assert_eq(res.insn_index, 3);
  cr_assert_eq(res.err_info, (uint32_t)at);
  cr_assert_eq(res.status & 7u, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT);
  cr_assert(
      strstr(nc_error_detail(),
             "device error dma_window in load unit at instruction 3") != NULL,
      "%s", nc_error_detail());
  char want[64];
  snprintf(want, sizeof want, "window offset 0x%llx", (unsigned long long)at);
  cr_assert(strstr(nc_error_detail(), want) != NULL, "%s (0x3fffff8 at 16x16)",
            nc_error_detail());
  prog_free(&p);
  /* Reusable: a good program runs next. */
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_OK, "%s", nc_error_detail());
  prog_free(&p);
  /* An illegal instruction is reported by fetch at its index. */
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  (void)prog_add(&p, 13, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_ERR_DEVICE);
  cr_assert(res.err_code == NC_HW_ERR_ILLEGAL_OPCODE &&
            res.err_unit == NC_HW_UNIT_FETCH && res.insn_index == 2);
  cr_assert(strstr(nc_error_detail(), "illegal_opcode in fetch unit") != NULL,
            "%s", nc_error_detail());
  prog_free(&p);
  nc_dev_close(d);
}

/* Programs that never finish return a status: deadlock is detected by the
 * device; a long program outlives a tiny timeout and is halted. */
Test(driver, never_finishing_programs_return) {
  nc_dev_t *d = open_(NULL);
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_COMPUTE, 0);
  p_gemm(&p, (gm_t){0}, PP); /* no LOAD will ever push */
  cr_assert_eq(submit_(d, &p), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_ERR_DEVICE);
  cr_assert_eq(res.err_code, NC_HW_ERR_DEADLOCK);
  cr_assert_eq(res.insn_index, 1);
  cr_assert(strstr(nc_error_detail(), "deadlock") != NULL, "%s",
            nc_error_detail());
  prog_free(&p);

  /* 3000 GEMMs of 64 x 64 vectors: 3 G MACs, far beyond 1 ms. */
  for (int k = 0; k < 3000; k++) {
    p_gemm(&p, (gm_t){.lo = 64, .li = 64, .keep = k > 0, .accum = 1}, 0);
  }
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 1, &res), NC_ERR_TIMEOUT);
  cr_assert(strstr(nc_error_detail(), "did not finish within 1 ms") != NULL,
            "%s", nc_error_detail());
  cr_assert_eq(res.err_code, NC_HW_ERR_HALTED, "the driver halted it");
  cr_assert_lt(res.wall_ns, UINT64_C(5000000000));
  prog_free(&p);
  /* And it is usable again. */
  p_sync(&p, NC_HW_QUEUE_STORE, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 10000, &res), NC_OK, "%s", nc_error_detail());
  prog_free(&p);
  /* Closing with a submission in flight is fine too. */
  p_gemm(&p, (gm_t){.lo = 1023, .li = 1023}, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  prog_free(&p);
  nc_dev_close(d);
}

/* A program much longer than the ring is fed to it while the device runs;
 * FINISHes inside the stream are barriers the driver restarts after. */
Test(driver, program_longer_than_ring) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.ring_entries = 64;
  nc_dev_t *d = open_(&o);
  prog_t p = {0};
  for (int k = 0; k < 5000; k++) {
    if (k % 1000 == 999) {
      p_finish(&p);
    } else {
      p_sync(&p, (uint32_t)(k % 3), 0);
    }
  }
  p_sync(&p, NC_HW_QUEUE_LOAD, UN);
  p_sync(&p, NC_HW_QUEUE_COMPUTE, PP);
  cr_assert_eq(submit_(d, &p), NC_OK);
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 30000, &res), NC_OK, "%s", nc_error_detail());
  nc_dev_counters_t c;
  cr_assert_eq(nc_dev_counters(d, &c), NC_OK);
  cr_assert_eq(c.insns, p.n + 1);
  /* Entries fetched past a FINISH are fetched again after it. */
  cr_assert_geq(c.rd_bytes, 16 * (p.n + 1));
  prog_free(&p);
  /* An error late in a long stream maps back to its index. */
  for (int k = 0; k < 3000; k++) {
    p_sync(&p, (uint32_t)(k % 3), 0);
  }
  p_load(&p, (ld_t){.elems = 0, .x = 1}, 0);
  cr_assert_eq(submit_(d, &p), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 30000, &res), NC_ERR_DEVICE);
  cr_assert_eq(res.err_code, NC_HW_ERR_FIELD_RANGE);
  cr_assert_eq(res.err_info, NC_HW_LOAD_ELEMS_LSB);
  cr_assert_eq(res.insn_index, 3000);
  cr_assert_eq(res.err_insn, 3000 % 64);
  prog_free(&p);
  cr_assert_eq(nc_dev_submit(d, NULL, 0), NC_OK, "an empty program: FINISH");
  cr_assert_eq(nc_dev_wait(d, 1000, NULL), NC_OK);
  cr_assert_eq(nc_dev_submit(d, NULL, 3), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_dev_submit(NULL, NULL, 0), NC_ERR_INVALID_ARG);
  nc_dev_close(d);
}

Test(driver, error_names) {
  for (uint32_t e = 0; e <= NC_HW_ERR_HALTED; e++) {
    cr_assert_str_neq(nc_dev_err_name(e), "?", "code %u has a name", e);
  }
  cr_assert_str_eq(nc_dev_err_name(NC_HW_ERR_WATCHDOG), "watchdog");
  cr_assert_str_eq(nc_dev_err_name(NC_HW_ERR_HALTED + 1), "?");
  for (uint32_t u = 0; u <= NC_HW_UNIT_STORE; u++) {
    cr_assert_str_neq(nc_dev_unit_name(u), "?");
  }
}
