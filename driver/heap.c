/*
 * The window allocator: first fit over sorted free extents, coalescing on
 * free. Arrays grow before anything changes, so a failed call leaves the
 * allocator as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "driver/drv_internal.h"
#include "neocog/error.h"

static nc_status_t reserve_(nc__extent_t **a, size_t *cap, size_t need) {
  if (need <= *cap) {
    return NC_OK;
  }
  size_t n = *cap ? *cap * 2 : 16;
  while (n < need) {
    n *= 2;
  }
  nc__extent_t *p = realloc(*a, n * sizeof **a);
  if (p == NULL) {
    return nc__fail(NC_ERR_NOMEM, "window allocator: out of host memory");
  }
  *a = p;
  *cap = n;
  return NC_OK;
}

static void insert_at_(nc__extent_t *a, size_t *n, size_t i, nc__extent_t e) {
  memmove(a + i + 1, a + i, (*n - i) * sizeof *a);
  a[i] = e;
  (*n)++;
}

static void remove_at_(nc__extent_t *a, size_t *n, size_t i) {
  memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
  (*n)--;
}

nc_status_t nc__heap_init(nc__heap_t *h, uint64_t size) {
  memset(h, 0, sizeof *h);
  h->size = size;
  h->next_gen = 1;
  nc_status_t st = reserve_(&h->free_, &h->cap_free, 1);
  if (st != NC_OK) {
    return st;
  }
  h->free_[0] = (nc__extent_t){0, size, 0};
  h->nfree = size > 0 ? 1 : 0;
  return NC_OK;
}

void nc__heap_fini(nc__heap_t *h) {
  free(h->free_);
  free(h->live);
  memset(h, 0, sizeof *h);
}

nc_status_t nc__heap_alloc(nc__heap_t *h, uint64_t bytes, uint64_t align,
                           nc__extent_t *out) {
  for (size_t i = 0; i < h->nfree; i++) {
    const nc__extent_t f = h->free_[i];
    const uint64_t start = (f.off + align - 1) & ~(align - 1);
    if (start < f.off || start - f.off > f.size ||
        bytes > f.size - (start - f.off)) {
      continue;
    }
    /* Room for the split and the live entry first: then nothing fails. */
    if (reserve_(&h->free_, &h->cap_free, h->nfree + 1) != NC_OK ||
        reserve_(&h->live, &h->cap_live, h->nlive + 1) != NC_OK) {
      return NC_ERR_NOMEM;
    }
    const nc__extent_t before = {f.off, start - f.off, 0};
    const nc__extent_t after = {start + bytes, f.off + f.size - start - bytes,
                                0};
    remove_at_(h->free_, &h->nfree, i);
    if (after.size > 0) {
      insert_at_(h->free_, &h->nfree, i, after);
    }
    if (before.size > 0) {
      insert_at_(h->free_, &h->nfree, i, before);
    }
    const nc__extent_t a = {start, bytes, h->next_gen++};
    size_t j = 0;
    while (j < h->nlive && h->live[j].off < start) {
      j++;
    }
    insert_at_(h->live, &h->nlive, j, a);
    *out = a;
    return NC_OK;
  }
  return nc__fail(NC_ERR_NOMEM,
                  "device window: no free extent holds %llu bytes aligned to "
                  "%llu (window %llu bytes)",
                  (unsigned long long)bytes, (unsigned long long)align,
                  (unsigned long long)h->size);
}

ptrdiff_t nc__heap_find(const nc__heap_t *h, const nc__extent_t *e) {
  size_t lo = 0, hi = h->nlive;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (h->live[mid].off < e->off) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < h->nlive && h->live[lo].off == e->off &&
      h->live[lo].size == e->size && h->live[lo].gen == e->gen) {
    return (ptrdiff_t)lo;
  }
  return -1;
}

nc_status_t nc__heap_release(nc__heap_t *h, ptrdiff_t i) {
  nc_status_t st = reserve_(&h->free_, &h->cap_free, h->nfree + 1);
  if (st != NC_OK) {
    return st;
  }
  nc__extent_t e = h->live[i];
  remove_at_(h->live, &h->nlive, (size_t)i);
  e.gen = 0;
  size_t j = 0;
  while (j < h->nfree && h->free_[j].off < e.off) {
    j++;
  }
  /* Merge with the extent after, then with the one before. */
  if (j < h->nfree && e.off + e.size == h->free_[j].off) {
    e.size += h->free_[j].size;
    remove_at_(h->free_, &h->nfree, j);
  }
  if (j > 0 && h->free_[j - 1].off + h->free_[j - 1].size == e.off) {
    h->free_[j - 1].size += e.size;
    return NC_OK;
  }
  insert_at_(h->free_, &h->nfree, j, e);
  return NC_OK;
}
