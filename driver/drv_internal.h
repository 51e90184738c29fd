/* Private parts of the driver: the backend interface and the window
 * allocator. */
#ifndef NEOCOG_DRIVER_INTERNAL_H
#define NEOCOG_DRIVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/drv.h"

/* A retirement as a backend reports it: ring index and unit cycles. */
typedef struct {
  uint32_t ring_index, opcode, unit;
  uint64_t start, end;
} nc__retire_t;

typedef void (*nc__retire_fn)(void *ctx, const nc__retire_t *r);

/*
 * What a backend provides. The driver only talks to a device through these,
 * so the Verilator harness plugs in as one more table. Window offsets are
 * translated by the backend, which owns the memory standing for the window.
 */
typedef struct {
  const char *name;
  /* Creates the device and its memory; *phys_base is where the window
   * starts in the device's physical address space. */
  nc_status_t (*open)(const nc_dev_options_t *opt, void **ctx,
                      uint64_t *phys_base);
  void (*close)(void *ctx);
  nc_status_t (*csr_read)(void *ctx, uint32_t offset, uint32_t *value);
  nc_status_t (*csr_write)(void *ctx, uint32_t offset, uint32_t value);
  /* Lets the device run for up to `cycles` cycles; *busy is STATUS.busy. */
  nc_status_t (*step)(void *ctx, uint64_t cycles, int *busy);
  /* Host access to the window (the driver has bounds-checked it). */
  nc_status_t (*mem_write)(void *ctx, uint64_t offset, const void *src,
                           size_t bytes);
  nc_status_t (*mem_read)(void *ctx, uint64_t offset, void *dst, size_t bytes);
  /* Optional: reports each retired instruction to fn (NULL removes it).
   * NULL entry: the backend cannot (nc_dev_set_trace says so). */
  nc_status_t (*set_trace)(void *ctx, nc__retire_fn fn, void *fctx);
  /* Makes the memory misbehave (the driver has checked `fault`). */
  nc_status_t (*inject_fault)(void *ctx, nc_dev_fault_t fault);
} nc__backend_t;

extern const nc__backend_t nc__backend_model;
extern const nc__backend_t nc__backend_rtl;
/* rtl and model side by side, compared at every stop (backend_rtl.c). */
extern const nc__backend_t nc__backend_lockstep;

/* An extent [off, off + size) of the window. */
typedef struct {
  uint64_t off, size, gen;
} nc__extent_t;

/* First-fit allocator over [0, size): free extents sorted and coalesced,
 * live allocations sorted, each with a generation that tells a stale copy of
 * a freed buffer from a new one at the same offset. */
typedef struct {
  nc__extent_t *free_, *live;
  size_t nfree, nlive, cap_free, cap_live;
  uint64_t size, next_gen;
} nc__heap_t;

nc_status_t nc__heap_init(nc__heap_t *h, uint64_t size);
void nc__heap_fini(nc__heap_t *h);

/* Carves `bytes` aligned to `align` (a power of two); NC_ERR_NOMEM when no
 * extent fits. */
nc_status_t nc__heap_alloc(nc__heap_t *h, uint64_t bytes, uint64_t align,
                           nc__extent_t *out);

/* Index of the live allocation equal to `e`, or -1. */
ptrdiff_t nc__heap_find(const nc__heap_t *h, const nc__extent_t *e);

/* Frees live allocation `i` (from nc__heap_find). */
nc_status_t nc__heap_release(nc__heap_t *h, ptrdiff_t i);

#endif /* NEOCOG_DRIVER_INTERNAL_H */
