/*
 * One interface to every simulated device (neocog/sim.h): the calls every
 * caller makes, whatever the kind. The kinds this library builds are opened
 * by name in sim_kinds.c; a device built elsewhere (the SystemC wrapper)
 * joins with nc_sim_wrap().
 */
#include "neocog/sim.h"

#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/nc_hw.h"

struct nc_sim {
  const nc_sim_ops_t *ops;
  void *dev;
  uint8_t *mem; /* attached memory, [base, base + size) */
  uint64_t base, size;
};

const char *nc_fault_name(nc_fault_t fault) {
  switch (fault) {
    case NC_FAULT_NONE:
      return "none";
    case NC_FAULT_HANG:
      return "hang";
    case NC_FAULT_SLVERR:
      return "slverr";
    case NC_FAULT_COUNT:
      break;
  }
  return "?";
}

void nc_sim_config_default(nc_sim_config_t *cfg) {
  if (cfg == NULL) {
    return;
  }
  memset(cfg, 0, sizeof *cfg);
  cfg->mem_latency = 100;
  cfg->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
}

nc_status_t nc_sim_wrap(const nc_sim_ops_t *ops, void *dev, nc_sim_t **out) {
  if (ops == NULL || dev == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "sim_wrap: NULL argument");
  }
  nc_sim_t *s = calloc(1, sizeof *s);
  if (s == NULL) {
    return nc__fail(NC_ERR_NOMEM, "sim_wrap: out of memory");
  }
  s->ops = ops;
  s->dev = dev;
  *out = s;
  return NC_OK;
}

void nc_sim_close(nc_sim_t *s) {
  if (s != NULL) {
    if (s->ops->destroy != NULL) {
      s->ops->destroy(s->dev);
    }
    free(s);
  }
}

const char *nc_sim_kind(const nc_sim_t *s) {
  return s->ops->name;
}

const nc_sim_ops_t *nc_sim_ops(const nc_sim_t *s) {
  return s->ops;
}

void *nc_sim_handle(const nc_sim_t *s) {
  return s->dev;
}

nc_status_t nc_sim_attach_memory(nc_sim_t *s, uint8_t *mem, uint64_t base,
                                 uint64_t size) {
  const nc_status_t st = s->ops->attach_memory(s->dev, mem, base, size);
  if (st == NC_OK) {
    s->mem = mem;
    s->base = base;
    s->size = size;
  }
  return st;
}

nc_status_t nc_sim_csr_read(nc_sim_t *s, uint32_t offset, uint32_t *value) {
  return s->ops->csr_read(s->dev, offset, value);
}

nc_status_t nc_sim_csr_write(nc_sim_t *s, uint32_t offset, uint32_t value) {
  return s->ops->csr_write(s->dev, offset, value);
}

nc_status_t nc_sim_run(nc_sim_t *s, uint64_t max_cycles, int *busy) {
  return s->ops->run(s->dev, max_cycles, busy);
}

uint64_t nc_sim_cycle(const nc_sim_t *s) {
  return s->ops->cycle(s->dev);
}

int nc_sim_irq(const nc_sim_t *s) {
  return s->ops->irq(s->dev);
}

nc_status_t nc_sim_inject_fault(nc_sim_t *s, nc_fault_t fault) {
  if ((unsigned)fault >= NC_FAULT_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: unknown fault %d", s->ops->name,
                    (int)fault);
  }
  return s->ops->inject_fault(s->dev, fault);
}

nc_status_t nc_sim_set_trace(nc_sim_t *s, nc_sim_trace_fn fn, void *ctx) {
  if (s->ops->set_trace == NULL) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "the %s device does not report retired instructions",
                    s->ops->name);
  }
  return s->ops->set_trace(s->dev, fn, ctx);
}

nc_status_t nc_sim_check_memory(const nc_sim_t *s) {
  return s->ops->check_memory != NULL ? s->ops->check_memory(s->dev) : NC_OK;
}

nc_status_t nc_sim_mem_write(nc_sim_t *s, uint64_t addr, const void *src,
                             size_t bytes) {
  if (addr < s->base || bytes > s->size || addr - s->base > s->size - bytes ||
      (bytes > 0 && src == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: host write of %zu bytes at 0x%llx outside the "
                    "attached memory",
                    s->ops->name, bytes, (unsigned long long)addr);
  }
  if (s->ops->mem_write != NULL) {
    return s->ops->mem_write(s->dev, addr, src, bytes);
  }
  if (bytes > 0) {
    memcpy(s->mem + (addr - s->base), src, bytes);
  }
  return NC_OK;
}

