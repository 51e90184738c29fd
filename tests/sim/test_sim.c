/*
 * The one interface to every simulated device (neocog/sim.h): opening by
 * kind, argument checks, the model and the RTL behind the same calls, the
 * lockstep pair (it agrees on a correct program and catches two devices
 * that disagree), and a device from outside the library (nc_sim_wrap).
 */
#include <string.h>

#include "neocog/sim.h"
#include "testkit/workloads.h"
#include "tests/sim/xrig.h"

Test(sim, open_by_kind_and_bad_arguments) {
  nc_sim_t *s = NULL;
  cr_assert_eq(nc_sim_open("gpu", NULL, &s), NC_ERR_NOT_FOUND);
  cr_assert(strstr(nc_error_detail(), "model, rtl, lockstep") != NULL, "%s",
            nc_error_detail());
  cr_assert_null(s);
  cr_assert_eq(nc_sim_open(NULL, NULL, &s), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_open("model", NULL, NULL), NC_ERR_INVALID_ARG);
  cr_assert_null(nc_sim_find("gpu"));
  cr_assert_eq(nc_sim_find("model"), &nc_sim_model_ops);
  cr_assert_eq(nc_sim_find("rtl"), &nc_sim_rtl_ops);
  cr_assert_eq(nc_sim_find("lockstep"), &nc_sim_lockstep_ops);

  cr_assert_eq(nc_sim_open("model", NULL, &s), NC_OK, "%s", nc_error_detail());
  cr_assert_str_eq(nc_sim_kind(s), "model");
  uint32_t id = 0;
  cr_assert_eq(nc_sim_csr_read(s, NC_HW_CSR_ID_OFFSET, &id), NC_OK);
  cr_assert_eq(id, NC_HW_CSR_ID_RESVAL);
  cr_assert_eq(nc_sim_csr_read(s, 3, &id), NC_ERR_INVALID_ARG, "unaligned");
  cr_assert_eq(nc_sim_inject_fault(s, NC_FAULT_COUNT), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_inject_fault(s, (nc_fault_t)-1), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_inject_fault(s, NC_FAULT_NONE), NC_OK);
  /* Host writes stay inside the attached memory. */
  uint8_t mem[256] = {0};
  const uint8_t b[4] = {1, 2, 3, 4};
  cr_assert_eq(nc_sim_attach_memory(s, mem, 0x1000, sizeof mem), NC_OK);
  cr_assert_eq(nc_sim_mem_write(s, 0x10fc, b, 4), NC_OK);
  cr_assert_eq(memcmp(mem + 0xfc, b, 4), 0);
  cr_assert_eq(nc_sim_mem_write(s, 0x10fd, b, 4), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_mem_write(s, 0xfff, b, 1), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_mem_write(s, UINT64_MAX, b, 4), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_check_memory(s), NC_OK, "the model has no checks");
  nc_sim_close(s);
  nc_sim_close(NULL);

  cr_assert_str_eq(nc_fault_name(NC_FAULT_HANG), "hang");
  cr_assert_str_eq(nc_fault_name(NC_FAULT_COUNT), "?");
}

static void count_retire_(void *ctx, const nc_sim_retire_t *r) {
  uint64_t *n = ctx;
  cr_assert_eq(r->seq, *n, "retirements in order");
  (*n)++;
}

/* The lecture's convolution on `kind` through the rig: golden, and the
 * retirement trace where the kind reports one. */
static int lecture_on_(rig_kind_t kind) {
  rig_t r;
  const nc_status_t st = rig_open_sim(&r, kind, NULL);
  if (st == NC_ERR_UNSUPPORTED) {
    return 0;
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  wl_t w;
  wl_lecture(&w);
  rig_write(&r, RIG_WIN_OFF, w.win, RIG_WIN_SIZE);
  uint64_t retired = 0;
  const nc_status_t ts = nc_sim_set_trace(r.s, count_retire_, &retired);
  cr_assert(ts == NC_OK || ts == NC_ERR_UNSUPPORTED, "%d", ts);
  cr_assert_eq(ts == NC_OK, kind == RIG_MODEL, "only the model traces");
  const uint32_t s = rig_run(&r, &w.p);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT, "%s: STATUS 0x%x",
               rig_name(&r), s);
  cr_assert_eq(wl_first_diff(&w, r.win), -1, "%s: golden", rig_name(&r));
  if (ts == NC_OK) {
    cr_assert_eq(retired, rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET));
  }
  cr_assert_eq(nc_sim_check_memory(r.s), NC_OK, "%s", nc_error_detail());
  cr_assert_gt(nc_sim_cycle(r.s), 0);
  wl_free(&w);
  rig_close(&r);
  return 1;
}

Test(sim, one_program_on_every_kind) {
  cr_assert(lecture_on_(RIG_MODEL));
  if (!lecture_on_(RIG_RTL)) {
    cr_skip_test("built without the RTL");
  }
  cr_assert(lecture_on_(RIG_LOCKSTEP));
}

/* Lockstep catches two devices that disagree: a fault goes to the RTL's
 * memory only, so its stop differs from the model's. */
Test(sim, lockstep_catches_a_disagreement) {
  rig_t r;
  const nc_status_t st = rig_open_sim(&r, RIG_LOCKSTEP, NULL);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("built without the RTL");
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  wl_t w;
  wl_lecture(&w);
  rig_write(&r, RIG_WIN_OFF, w.win, RIG_WIN_SIZE);
  cr_assert_eq(nc_sim_inject_fault(r.s, NC_FAULT_SLVERR), NC_OK);
  rig_load(&r, &w.p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  int busy = 1;
  nc_status_t rs = NC_OK;
  for (int i = 0; i < 1000 && rs == NC_OK && busy; i++) {
    rs = nc_sim_run(r.s, 8192, &busy);
  }
  cr_assert_eq(rs, NC_ERR_MISMATCH, "got %d", rs);
  cr_assert(strstr(nc_error_detail(), "on the rtl") != NULL, "%s",
            nc_error_detail());
  wl_free(&w);
  rig_close(&r);
}

/* A device from outside the library: a register file that counts calls. */
typedef struct {
  uint32_t regs[64];
  int runs, destroyed;
} fake_t;

static nc_status_t fake_rd_(void *dev, uint32_t off, uint32_t *v) {
  *v = ((fake_t *)dev)->regs[off / 4 % 64];
  return NC_OK;
}
static nc_status_t fake_wr_(void *dev, uint32_t off, uint32_t v) {
  ((fake_t *)dev)->regs[off / 4 % 64] = v;
  return NC_OK;
}
static nc_status_t fake_run_(void *dev, uint64_t cycles, int *busy) {
  (void)cycles;
  ((fake_t *)dev)->runs++;
  *busy = 0;
  return NC_OK;
}
static void fake_destroy_(void *dev) {
  ((fake_t *)dev)->destroyed++;
}

Test(sim, wrap_a_device_from_outside) {
  static const nc_sim_ops_t ops = {.name = "fake",
                                   .destroy = fake_destroy_,
                                   .csr_read = fake_rd_,
                                   .csr_write = fake_wr_,
                                   .run = fake_run_};
  fake_t f;
  memset(&f, 0, sizeof f);
  nc_sim_t *s = NULL;
  cr_assert_eq(nc_sim_wrap(NULL, &f, &s), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_wrap(&ops, NULL, &s), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_wrap(&ops, &f, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_sim_wrap(&ops, &f, &s), NC_OK);
  cr_assert_str_eq(nc_sim_kind(s), "fake");
  cr_assert_eq(nc_sim_handle(s), &f);
  uint32_t v = 0;
  cr_assert_eq(nc_sim_csr_write(s, 8, 42), NC_OK);
  cr_assert_eq(nc_sim_csr_read(s, 8, &v), NC_OK);
  cr_assert_eq(v, 42);
  int busy = 1;
  cr_assert_eq(nc_sim_run(s, 10, &busy), NC_OK);
  cr_assert_eq(busy, 0);
  cr_assert_eq(f.runs, 1);
  cr_assert_eq(nc_sim_set_trace(s, count_retire_, NULL), NC_ERR_UNSUPPORTED);
  cr_assert_eq(nc_sim_check_memory(s), NC_OK);
  nc_sim_close(s);
  cr_assert_eq(f.destroyed, 1);
}
