/*
 * The functional-model rig of testkit/rig.h with the checks Criterion tests
 * make of a whole run: it finished, or it stopped with exactly this error.
 */
#ifndef NEOCOG_TESTS_MODEL_RIG_H
#define NEOCOG_TESTS_MODEL_RIG_H

#include "tests/common.h"
#include "testkit/rig.h"

/* Runs a program that must finish without error. */
static inline void rig_run_ok(rig_t *r, const prog_t *p) {
  const uint32_t s = rig_run(r, p);
  const rig_err_t e = rig_err(r);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
               "STATUS 0x%x, error %s in %s at entry %u (info %u)", s,
               nc_model_err_name(e.code), nc_model_unit_name(e.unit), e.insn,
               e.info);
}

/* Runs a program that must stop with exactly this error. */
static inline void rig_expect_err(rig_t *r, const prog_t *p, uint32_t code,
                                  uint32_t unit, uint32_t insn, uint32_t info) {
  const uint32_t s = rig_run(r, p);
  const rig_err_t e = rig_err(r);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT, "STATUS 0x%x", s);
  cr_assert(
      e.code == code && e.unit == unit && e.insn == insn && e.info == info,
      "got %s/%s at %u info %u, want %s/%s at %u info %u",
      nc_model_err_name(e.code), nc_model_unit_name(e.unit), e.insn, e.info,
      nc_model_err_name(code), nc_model_unit_name(unit), insn, info);
}

#endif /* NEOCOG_TESTS_MODEL_RIG_H */
