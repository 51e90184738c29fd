/*
 * neocog/rtl.h when the library is built without the RTL (hw/rtl/nc_top.sv
 * absent): nc_rtl_create() says so, and nothing else can be reached because
 * no device exists.
 */
#include <stddef.h>

#include "neocog/error.h"
#include "neocog/nc_hw.h"
#include "neocog/rtl.h"

void nc_rtl_config_default(nc_rtl_config_t *cfg) {
  if (cfg == NULL) {
    return;
  }
  cfg->mem_latency = 100;
  cfg->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  cfg->trace_path = NULL;
  cfg->trace_from = 0;
  cfg->trace_to = 0;
  cfg->trace_scope = NULL;
  cfg->fall_eval = 0;
}

nc_status_t nc_rtl_create(const nc_rtl_config_t *cfg, nc_rtl_t **out) {
  (void)cfg;
  (void)out;
  return nc__fail(NC_ERR_UNSUPPORTED,
                  "rtl: this library was built without the RTL "
                  "(hw/rtl/nc_top.sv was missing); use the \"model\" "
                  "backend");
}

void nc_rtl_destroy(nc_rtl_t *m) {
  (void)m;
}

static nc_status_t none_(void) {
  return nc__fail(NC_ERR_UNSUPPORTED, "rtl: built without the RTL");
}

nc_status_t nc_rtl_attach_memory(nc_rtl_t *m, uint8_t *mem, uint64_t base,
                                 uint64_t size) {
  (void)m;
  (void)mem;
  (void)base;
  (void)size;
  return none_();
}

nc_status_t nc_rtl_csr_read(nc_rtl_t *m, uint32_t offset, uint32_t *value) {
  (void)m;
  (void)offset;
  (void)value;
  return none_();
}

nc_status_t nc_rtl_csr_write(nc_rtl_t *m, uint32_t offset, uint32_t value) {
  (void)m;
  (void)offset;
  (void)value;
  return none_();
}

nc_status_t nc_rtl_run(nc_rtl_t *m, uint64_t max_cycles, int *busy) {
  (void)m;
  (void)max_cycles;
  (void)busy;
  return none_();
}

uint64_t nc_rtl_cycle(const nc_rtl_t *m) {
  (void)m;
  return 0;
}

int nc_rtl_irq(const nc_rtl_t *m) {
  (void)m;
  return 0;
}

nc_status_t nc_rtl_inject_fault(nc_rtl_t *m, nc_fault_t fault) {
  (void)m;
  (void)fault;
  return none_();
}

uint64_t nc_rtl_window_violations(const nc_rtl_t *m) {
  (void)m;
  return 0;
}

const char *nc_rtl_first_violation(const nc_rtl_t *m) {
  (void)m;
  return "";
}

void nc_rtl_mem_bytes(const nc_rtl_t *m, uint64_t *read, uint64_t *written) {
  (void)m;
  if (read != NULL) {
    *read = 0;
  }
  if (written != NULL) {
    *written = 0;
  }
}

nc_status_t nc_rtl_set_trace(nc_rtl_t *m, nc_sim_trace_fn fn, void *ctx) {
  (void)m;
  (void)fn;
  (void)ctx;
  return none_();
}
