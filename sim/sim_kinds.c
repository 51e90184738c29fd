/*
 * The kinds of simulated device this library builds, opened by name
 * (neocog/sim.h), and the functional model and the Verilator harness as two
 * of them (the third, lockstep, is in sim_lockstep.c). Both already have the same C API under their own
 * prefix (neocog/model.h, neocog/rtl.h); NC_SIM_FORWARD_ writes the
 * operations that only forward, so the two tables differ only where the
 * devices do: how each is configured, how each reports retirements, and
 * memory checks (the RTL's memory model counts accesses outside what it was
 * given).
 */

#include <string.h>

#include "neocog/error.h"
#include "neocog/model.h"
#include "neocog/rtl.h"
#include "neocog/sim.h"

/* The forwarding operations of device type T with API prefix P. */
#define NC_SIM_FORWARD_(P, T)                                                \
  static void P##_destroy_(void *dev) {                                      \
    P##_destroy((T *)dev);                                                   \
  }                                                                          \
  static nc_status_t P##_attach_(void *dev, uint8_t *mem, uint64_t base,     \
                                 uint64_t size) {                            \
    return P##_attach_memory((T *)dev, mem, base, size);                     \
  }                                                                          \
  static nc_status_t P##_rd_(void *dev, uint32_t off, uint32_t *v) {         \
    return P##_csr_read((T *)dev, off, v);                                   \
  }                                                                          \
  static nc_status_t P##_wr_(void *dev, uint32_t off, uint32_t v) {          \
    return P##_csr_write((T *)dev, off, v);                                  \
  }                                                                          \
  static nc_status_t P##_run_(void *dev, uint64_t cycles, int *busy) {       \
    return P##_run((T *)dev, cycles, busy);                                  \
  }                                                                          \
  static uint64_t P##_cycle_(const void *dev) {                              \
    return P##_cycle((const T *)dev);                                        \
  }                                                                          \
  static int P##_irq_(const void *dev) {                                     \
    return P##_irq((const T *)dev);                                          \
  }                                                                          \
  static nc_status_t P##_fault_(void *dev, nc_fault_t f) {                   \
    return P##_inject_fault((T *)dev, f);                                    \
  }

static const nc_sim_ops_t *const kinds_[] = {
    &nc_sim_model_ops, &nc_sim_rtl_ops, &nc_sim_lockstep_ops};

const nc_sim_ops_t *nc_sim_find(const char *name) {
  for (size_t i = 0; name != NULL && i < sizeof kinds_ / sizeof kinds_[0];
       i++) {
    if (strcmp(name, kinds_[i]->name) == 0) {
      return kinds_[i];
    }
  }
  return NULL;
}

nc_status_t nc_sim_open(const char *kind, const nc_sim_config_t *cfg,
                        nc_sim_t **out) {
  if (kind == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "sim_open: NULL %s",
                    kind == NULL ? "kind" : "output");
  }
  *out = NULL;
  const nc_sim_ops_t *ops = nc_sim_find(kind);
  if (ops == NULL) {
    return nc__fail(NC_ERR_NOT_FOUND,
                    "unknown device '%s' (known: model, rtl, lockstep)", kind);
  }
  nc_sim_config_t c;
  nc_sim_config_default(&c);
  if (cfg != NULL) {
    c = *cfg;
  }
  void *dev = NULL;
  nc_status_t st = ops->create(&c, &dev);
  if (st == NC_OK) {
    st = nc_sim_wrap(ops, dev, out);
    if (st != NC_OK) {
      ops->destroy(dev);
    }
  }
  return st;
}

NC_SIM_FORWARD_(nc_model, nc_model_t)
NC_SIM_FORWARD_(nc_rtl, nc_rtl_t)

static nc_status_t model_create_(const nc_sim_config_t *cfg, void **dev) {
  nc_model_config_t c;
  nc_model_config_default(&c);
  c.mem_latency = cfg->mem_latency;
  c.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
  nc_model_t *m = NULL;
  const nc_status_t st = nc_model_create(&c, &m);
  *dev = m;
  return st;
}

static nc_status_t model_set_trace_(void *dev, nc_sim_trace_fn fn, void *ctx) {
  nc_model_set_trace(dev, fn, ctx);
  return NC_OK;
}

static nc_status_t rtl_create_(const nc_sim_config_t *cfg, void **dev) {
  nc_rtl_config_t c;
  nc_rtl_config_default(&c);
  c.mem_latency = cfg->mem_latency;
  c.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
  c.trace_path = cfg->trace_path;
  c.trace_from = cfg->trace_from;
  c.trace_to = cfg->trace_to;
  c.trace_scope = cfg->trace_scope;
  c.fall_eval = cfg->fall_eval;
  nc_rtl_t *r = NULL;
  const nc_status_t st = nc_rtl_create(&c, &r);
  *dev = r;
  return st;
}

static nc_status_t rtl_set_trace_(void *dev, nc_sim_trace_fn fn, void *ctx) {
  return nc_rtl_set_trace(dev, fn, ctx);
}

static nc_status_t rtl_check_memory_(const void *dev) {
  const nc_rtl_t *r = dev;
  if (nc_rtl_window_violations(r) == 0) {
    return NC_OK;
  }
  /* The device touched memory it was not given: a hardware bug no caller
   * may hide. */
  return nc__fail(NC_ERR_DEVICE,
                  "rtl: memory access outside the window and the ring: %s",
                  nc_rtl_first_violation(r));
}

const nc_sim_ops_t nc_sim_model_ops = {
    .name = "model",
    .create = model_create_,
    .destroy = nc_model_destroy_,
    .attach_memory = nc_model_attach_,
    .csr_read = nc_model_rd_,
    .csr_write = nc_model_wr_,
    .run = nc_model_run_,
    .cycle = nc_model_cycle_,
    .irq = nc_model_irq_,
    .inject_fault = nc_model_fault_,
    .set_trace = model_set_trace_,
};

/* A cycle of the RTL costs microseconds, not nanoseconds as in the model:
 * callers look at their clocks every 8192. */
const nc_sim_ops_t nc_sim_rtl_ops = {
    .name = "rtl",
    .run_quantum = UINT64_C(1) << 13,
    .create = rtl_create_,
    .destroy = nc_rtl_destroy_,
    .attach_memory = nc_rtl_attach_,
    .csr_read = nc_rtl_rd_,
    .csr_write = nc_rtl_wr_,
    .run = nc_rtl_run_,
    .cycle = nc_rtl_cycle_,
    .irq = nc_rtl_irq_,
    .inject_fault = nc_rtl_fault_,
    .set_trace = rtl_set_trace_,
    .check_memory = rtl_check_memory_,
};
