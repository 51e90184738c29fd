/* Private parts of the driver: the window allocator. */
#ifndef NEOCOG_DRIVER_INTERNAL_H
#define NEOCOG_DRIVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/drv.h"

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
