/* The error-detail mechanism every layer shares: nc__fail() records why a
 * call failed for nc_error_detail(). Internal to the library (nc__ names),
 * public to the layers above base. */
#ifndef NEOCOG_ERROR_H
#define NEOCOG_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/status.h"

/**
 * Records a printf-style detail for this thread and returns `status`, so a
 * failing path reads `return nc__fail(NC_ERR_FORMAT, "%s: bad magic", p);`.
 */
int nc__fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** a * b into *out; returns nonzero on overflow. */
static inline int nc__mul_overflow(size_t a, size_t b, size_t *out) {
  return __builtin_mul_overflow(a, b, out);
}

#endif /* NEOCOG_ERROR_H */
