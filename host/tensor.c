/* Tensor allocation and small helpers. The .npy codec lives in npy.c. */
#include "neocog/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"

static uint64_t max_bytes_ = NC_TENSOR_MAX_BYTES;

void nc__tensor_set_max_bytes(uint64_t bytes) {
  max_bytes_ =
      bytes == 0 || bytes > NC_TENSOR_MAX_BYTES ? NC_TENSOR_MAX_BYTES : bytes;
}

uint64_t nc__tensor_max_bytes(void) {
  return max_bytes_;
}

/* "1 GiB", "512 MiB", "4096 bytes": the limit as a message says it. */
static void limit_words_(uint64_t b, char *buf, size_t len) {
  if (b >= (1u << 30) && b % (1u << 30) == 0) {
    snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
  } else if (b >= (1u << 20) && b % (1u << 20) == 0) {
    snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
  } else {
    snprintf(buf, len, "%llu bytes", (unsigned long long)b);
  }
}

nc_status_t nc_tensor_bytes(nc_dtype_t dtype, int ndim, const int64_t *shape,
                            const char *what, uint64_t *bytes) {
  if (nc_dtype_size(dtype) == 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: invalid dtype %d", what,
                    (int)dtype);
  }
  if (ndim < 0 || ndim > NC_MAX_DIMS || (ndim > 0 && shape == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: %d dimensions (at most %d allowed)", what, ndim,
                    NC_MAX_DIMS);
  }
  nc_tensor_t t = {.dtype = dtype, .ndim = ndim};
  uint64_t b = nc_dtype_size(dtype);
  int over = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "%s: negative extent %lld", what,
                      (long long)shape[i]);
    }
    t.shape[i] = shape[i];
    over |= __builtin_mul_overflow(b, (uint64_t)shape[i], &b);
  }
  char s[200];
  nc_shape_format(&t, s, sizeof s);
  if (over || b > SIZE_MAX) {
    return nc__fail(NC_ERR_OVERFLOW, "%s: the byte size of %s %s overflows",
                    what, s, nc_dtype_name(dtype));
  }
  if (b > max_bytes_) {
    char lim[32];
    limit_words_(max_bytes_, lim, sizeof lim);
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%s: %s %s would hold %llu bytes, more than the %s a "
                    "tensor may hold",
                    what, s, nc_dtype_name(dtype), (unsigned long long)b, lim);
  }
  *bytes = b;
  return NC_OK;
}

size_t nc_tensor_numel(const nc_tensor_t *t) {
  size_t n = 1;
  for (int i = 0; i < t->ndim; i++) {
    n *= (size_t)t->shape[i];
  }
  return n;
}

nc_status_t nc_tensor_alloc(nc_tensor_t *t, nc_dtype_t dtype, int ndim,
                            const int64_t *shape) {
  if (t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "tensor: NULL tensor");
  }
  memset(t, 0, sizeof *t);
  uint64_t b = 0;
  nc_status_t st = nc_tensor_bytes(dtype, ndim, shape, "tensor", &b);
  if (st != NC_OK) {
    return st;
  }
  const size_t bytes = (size_t)b;
  if (bytes > 0) {
    t->data = calloc(1, bytes);
    if (t->data == NULL) {
      return nc__fail(NC_ERR_NOMEM, "tensor: cannot allocate %zu bytes", bytes);
    }
  }
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    t->shape[i] = shape[i];
  }
  t->nbytes = bytes;
  return NC_OK;
}

void nc_tensor_free(nc_tensor_t *t) {
  if (t == NULL) {
    return;
  }
  free(t->data);
  memset(t, 0, sizeof *t);
}

void nc_shape_format(const nc_tensor_t *t, char *buf, size_t len) {
  size_t used = 0;
  if (len == 0) {
    return;
  }
  buf[0] = '\0';
  used += (size_t)snprintf(buf, len, "[");
  for (int i = 0; i < t->ndim && used < len; i++) {
    used += (size_t)snprintf(buf + used, len - used, "%s%lld", i ? ", " : "",
                             (long long)t->shape[i]);
  }
  if (used < len) {
    snprintf(buf + used, len - used, "]");
  }
}
