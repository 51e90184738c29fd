/*
 * The test kit's rig (testkit/rig.h) on the functional model or the RTL, for
 * Criterion tests that run one program on both and compare: every failure
 * of a run fails the test, and the RTL must never touch memory it was not
 * given.
 *
 * On the RTL every register access is a clock cycle and runs are bounded by
 * XR_RTL_BUDGET cycles. xr_open() returns 0 (and the test should skip) when
 * the library was built without the RTL.
 */
#ifndef NEOCOG_TESTS_SIM_XRIG_H
#define NEOCOG_TESTS_SIM_XRIG_H

#include "tests/model/rig.h"

/* Cycles after which an RTL run that has not stopped is a failure: every
 * program of the suite ends well within it. */
#define XR_RTL_BUDGET UINT64_C(3000000)

/* Opens the rig on `kind`, an RTL device built with `cfg` (NULL: the
 * defaults); 0 when that device is not built. */
static inline int xr_open_cfg(rig_t *x, rig_kind_t kind,
                              const nc_rtl_config_t *cfg) {
  nc_sim_config_t c;
  nc_sim_config_default(&c);
  if (cfg != NULL) {
    c.mem_latency = cfg->mem_latency;
    c.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
    c.trace_path = cfg->trace_path;
    c.trace_from = cfg->trace_from;
    c.trace_to = cfg->trace_to;
    c.trace_scope = cfg->trace_scope;
    c.fall_eval = cfg->fall_eval;
  }
  const nc_status_t st = rig_open_sim(x, kind, &c);
  if (st == NC_ERR_UNSUPPORTED && kind == RIG_RTL) {
    return 0;
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  return 1;
}

static inline int xr_open(rig_t *x, rig_kind_t kind) {
  return xr_open_cfg(x, kind, NULL);
}

/* The device must never have touched memory outside the window and the
 * ring. */
static inline void xr_check_violations(rig_t *x) {
  cr_assert_eq(nc_sim_check_memory(x->s), NC_OK,
               "the %s accessed memory it was not given: %s", rig_name(x),
               nc_error_detail());
}

static inline void xr_close(rig_t *x) {
  xr_check_violations(x);
  rig_close(x);
}

/* Loads, starts and runs a program to its end. */
static inline uint32_t xr_run(rig_t *x, const prog_t *p) {
  rig_load(x, p);
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  const uint32_t s =
      rig_go(x, x->kind == RIG_RTL ? XR_RTL_BUDGET : UINT64_C(10000000000));
  cr_assert_eq(s & 1u, 0u, "%s: still busy after the budget (STATUS 0x%x)",
               rig_name(x), s);
  return s;
}

/* Reads STATUS until fetch and every unit are idle (on the RTL they wind
 * down within a bounded number of cycles after an error or a halt: the
 * array drains), at most 1000 reads; returns the last STATUS. */
static inline uint32_t xr_settle(rig_t *x) {
  uint32_t s = 0;
  for (int i = 0; i < 1000; i++) {
    s = rig_rd(x, NC_HW_CSR_STATUS_OFFSET);
    if ((s & 0xf0u) == 0) {
      break;
    }
  }
  return s;
}

/* Runs a program that must finish without error. */
static inline void xr_run_ok(rig_t *x, const prog_t *p) {
  const uint32_t s = xr_run(x, p);
  const rig_err_t e = rig_err(x);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
               "%s: STATUS 0x%x, error %s in %s at entry %u (info %u)",
               rig_name(x), s, nc_model_err_name(e.code),
               nc_model_unit_name(e.unit), e.insn, e.info);
  xr_check_violations(x);
}

#endif /* NEOCOG_TESTS_SIM_XRIG_H */
