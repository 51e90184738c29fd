/* Tensor allocation and small helpers. The .npy codec lives in npy.c. */
#include "neocog/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"

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
  if (nc_dtype_size(dtype) == 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "tensor: invalid dtype %d", (int)dtype);
  }
  if (ndim < 0 || ndim > NC_MAX_DIMS || (ndim > 0 && shape == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "tensor: %d dimensions (at most %d allowed)", ndim,
                    NC_MAX_DIMS);
  }
  size_t bytes = nc_dtype_size(dtype);
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "tensor: negative extent %lld",
                      (long long)shape[i]);
    }
    if ((uint64_t)shape[i] > SIZE_MAX ||
        nc__mul_overflow(bytes, (size_t)shape[i], &bytes)) {
      return nc__fail(NC_ERR_OVERFLOW,
                      "tensor: byte size of the shape overflows");
    }
  }
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
