/*
 * The "model" backend: the functional model of sim/model with a host buffer
 * standing for the window. The window sits at physical address 4 GiB, so the
 * _HI halves of the address registers are exercised.
 */
#include <stdlib.h>
#include <string.h>

#include "driver/drv_internal.h"
#include "neocog/error.h"
#include "neocog/model.h"

#define PHYS_BASE (UINT64_C(1) << 32)

typedef struct {
  nc_model_t *m;
  uint8_t *mem;
  uint64_t size;
  nc__retire_fn trace; /* the driver's hook, or NULL */
  void *trace_ctx;
} model_ctx_t;

static nc_status_t model_open_(const nc_dev_options_t *opt, void **ctx,
                               uint64_t *phys_base) {
  nc_model_config_t cfg;
  nc_model_config_default(&cfg);
  cfg.mem_latency = opt->mem_latency;
  cfg.mem_bytes_per_cycle = opt->mem_bytes_per_cycle;
  model_ctx_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return nc__fail(NC_ERR_NOMEM, "model backend: out of memory");
  }
  nc_status_t st = nc_model_create(&cfg, &c->m);
  if (st != NC_OK) {
    free(c);
    return st;
  }
  c->size = opt->window_bytes;
  c->mem = calloc(1, (size_t)c->size);
  if (c->mem == NULL) {
    nc_model_destroy(c->m);
    free(c);
    return nc__fail(NC_ERR_NOMEM,
                    "model backend: cannot allocate a %llu-byte window",
                    (unsigned long long)opt->window_bytes);
  }
  st = nc_model_attach_memory(c->m, c->mem, PHYS_BASE, c->size);
  if (st != NC_OK) {
    free(c->mem);
    nc_model_destroy(c->m);
    free(c);
    return st;
  }
  *ctx = c;
  *phys_base = PHYS_BASE;
  return NC_OK;
}

static void model_close_(void *ctx) {
  model_ctx_t *c = ctx;
  nc_model_destroy(c->m);
  free(c->mem);
  free(c);
}

static nc_status_t model_csr_read_(void *ctx, uint32_t offset,
                                   uint32_t *value) {
  return nc_model_csr_read(((model_ctx_t *)ctx)->m, offset, value);
}

static nc_status_t model_csr_write_(void *ctx, uint32_t offset,
                                    uint32_t value) {
  return nc_model_csr_write(((model_ctx_t *)ctx)->m, offset, value);
}

static nc_status_t model_step_(void *ctx, uint64_t cycles, int *busy) {
  return nc_model_run(((model_ctx_t *)ctx)->m, cycles, busy);
}

static nc_status_t model_mem_write_(void *ctx, uint64_t offset, const void *src,
                                    size_t bytes) {
  model_ctx_t *c = ctx;
  if (bytes > 0) {
    memcpy(c->mem + offset, src, bytes);
  }
  return NC_OK;
}

static nc_status_t model_mem_read_(void *ctx, uint64_t offset, void *dst,
                                   size_t bytes) {
  model_ctx_t *c = ctx;
  if (bytes > 0) {
    memcpy(dst, c->mem + offset, bytes);
  }
  return NC_OK;
}

static void model_retire_(void *ctx, const nc_model_retire_t *r) {
  const model_ctx_t *c = ctx;
  const nc__retire_t e = {r->ring_index, r->opcode, r->unit, r->start, r->end};
  c->trace(c->trace_ctx, &e);
}

static nc_status_t model_set_trace_(void *ctx, nc__retire_fn fn, void *fctx) {
  model_ctx_t *c = ctx;
  c->trace = fn;
  c->trace_ctx = fctx;
  nc_model_set_trace(c->m, fn != NULL ? model_retire_ : NULL,
                     fn != NULL ? c : NULL);
  return NC_OK;
}

static nc_status_t model_inject_fault_(void *ctx, nc_dev_fault_t fault) {
  nc_model_fault_t f = NC_MODEL_FAULT_NONE;
  switch (fault) {
    case NC_DEV_FAULT_NONE:
      break;
    case NC_DEV_FAULT_HANG:
      f = NC_MODEL_FAULT_HANG;
      break;
    case NC_DEV_FAULT_SLVERR:
      f = NC_MODEL_FAULT_SLVERR;
      break;
  }
  return nc_model_inject_fault(((model_ctx_t *)ctx)->m, f);
}

const nc__backend_t nc__backend_model = {
    .name = "model",
    .open = model_open_,
    .close = model_close_,
    .csr_read = model_csr_read_,
    .csr_write = model_csr_write_,
    .step = model_step_,
    .mem_write = model_mem_write_,
    .mem_read = model_mem_read_,
    .set_trace = model_set_trace_,
    .inject_fault = model_inject_fault_,
};
