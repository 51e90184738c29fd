/*
 * The "rtl" backend: the Verilator model of hw/rtl behind the same table.
 * The harness with a C ABI (sim/) does not exist yet, so opening it says so;
 * its csr_read/csr_write/step/mem_* entries plug in here when it does.
 */
#include "driver/drv_internal.h"
#include "host/internal.h"

static nc_status_t rtl_open_(const nc_dev_options_t *opt, void **ctx,
                             uint64_t *phys_base) {
  (void)opt;
  (void)ctx;
  (void)phys_base;
  return nc__fail(NC_ERR_UNSUPPORTED,
                  "rtl backend not built yet: the Verilator harness (sim/) "
                  "does not exist; use the \"model\" backend");
}

const nc__backend_t nc__backend_rtl = {
    .name = "rtl",
    .open = rtl_open_,
};
