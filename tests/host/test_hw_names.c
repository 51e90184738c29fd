/*
 * The names nc_hw.h generates from hw/data/neocog.json: error codes, units,
 * opcodes and registers.
 *
 * The expected strings are written out here, not taken from the header: they
 * are the names messages, logs and tests have always shown (the model's old
 * hand-kept tables), so a change to the data file that renames one fails
 * here. hw/gen/test_regtool.py checks the other direction, that every value
 * the data file lists has its case in the generated functions.
 */
#include "neocog/drv.h"
#include "neocog/model.h"
#include "neocog/nc_hw.h"
#include "tests/common.h"

typedef const char *(*name_fn_t)(uint32_t);

/* Each of the `nfns` functions names values 0..n-1 as `want` does and every
 * other value up to `max`, and UINT32_MAX, "?". */
static void check_names_(const char *what, const name_fn_t *fns, int nfns,
                         const char *const *want, uint32_t n, uint32_t max) {
  for (int f = 0; f < nfns; f++) {
    for (uint32_t v = 0; v < n; v++) {
      cr_assert_str_eq(fns[f](v), want[v], "%s %u (function %d)", what, v, f);
    }
    for (uint32_t v = n; v <= max; v++) {
      cr_assert_str_eq(fns[f](v), "?", "%s %u (function %d)", what, v, f);
    }
    cr_assert_str_eq(fns[f](UINT32_MAX), "?", "%s (function %d)", what, f);
  }
}

Test(hw_names, error_codes) {
  static const char *const want[] = {
      "none",       "illegal_opcode", "illegal_dep", "field_range",
      "dma_window", "dma_bus",        "ring_config", "token_overflow",
      "deadlock",   "watchdog",       "halted",
  };
  const uint32_t n = (uint32_t)(sizeof want / sizeof want[0]);
  cr_assert_eq(n, NC_HW_ERR_HALTED + 1u, "one name per code");
  /* Every other value ERR_CODE.code can hold has none. */
  const name_fn_t fns[3] = {nc_hw_err_name, nc_model_err_name, nc_dev_err_name};
  check_names_("code", fns, 3, want, n, NC_HW_CSR_ERR_CODE_CODE_MASK);
}

Test(hw_names, units) {
  /* NC_HW_UNIT_NONE reports errors the host caused (CTRL.halt). */
  static const char *const want[] = {"host", "fetch", "load", "compute",
                                     "store"};
  const uint32_t n = (uint32_t)(sizeof want / sizeof want[0]);
  cr_assert_eq(n, NC_HW_UNIT_STORE + 1u, "one name per unit");
  const name_fn_t fns[3] = {nc_hw_unit_name, nc_model_unit_name,
                            nc_dev_unit_name};
  check_names_("unit", fns, 3, want, n, NC_HW_CSR_ERR_CODE_UNIT_MASK);
}

Test(hw_names, opcodes) {
  /* As the ISA writes them; the CLI's --timeline names events so. */
  static const char *const want[] = {"ILLEGAL",    "LOAD",  "LOAD_CFG",
                                     "GEMM",       "STORE", "STORE_CFG",
                                     "LOAD_PARAM", "SYNC",  "FINISH",
                                     "DWCONV"};
  const uint32_t n = (uint32_t)(sizeof want / sizeof want[0]);
  cr_assert_eq(n, NC_HW_OP_DWCONV + 1u);
  const name_fn_t fn = nc_hw_opcode_name;
  check_names_("opcode", &fn, 1, want, n, (1u << NC_HW_INSN_OPCODE_WIDTH) - 1u);
}

Test(hw_names, registers) {
  cr_assert_str_eq(nc_hw_csr_name(0x000), "ID");
  cr_assert_str_eq(nc_hw_csr_name(0x028), "ERR_CODE");
  cr_assert_str_eq(nc_hw_csr_name(NC_HW_CSR_PERF_CYCLES_LO_OFFSET),
                   "PERF_CYCLES_LO");
  cr_assert_str_eq(nc_hw_csr_name(0x13c), "PERF_INSNS");
  /* Unmapped, misaligned and out-of-window offsets name nothing. */
  cr_assert_str_eq(nc_hw_csr_name(0x014), "?");
  cr_assert_str_eq(nc_hw_csr_name(0x029), "?");
  cr_assert_str_eq(nc_hw_csr_name(1u << NC_HW_CSR_ADDR_BITS), "?");
  /* Every name is a distinct register. */
  for (uint32_t off = 0; off < 1u << NC_HW_CSR_ADDR_BITS; off++) {
    const char *a = nc_hw_csr_name(off);
    if (strcmp(a, "?") == 0) {
      continue;
    }
    cr_assert_eq(off % 4u, 0u, "%s at 0x%x", a, off);
    for (uint32_t o2 = off + 4u; o2 < 1u << NC_HW_CSR_ADDR_BITS; o2 += 4u) {
      cr_assert_str_neq(nc_hw_csr_name(o2), a, "0x%x and 0x%x", off, o2);
    }
  }
}
