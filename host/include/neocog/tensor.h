/*
 * Dense tensors and NumPy .npy files.
 *
 * A tensor is a C-order (row-major) block of one dtype. Activations are NHWC
 * and weights OHWI, as docs/architecture.md fixes; this header does not care, it only
 * knows shapes.
 */
#ifndef NEOCOG_TENSOR_H
#define NEOCOG_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/dtype.h"
#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most dimensions a tensor may have (a locally connected weight has 6). */
#define NC_MAX_DIMS 8

/** Most bytes one tensor may hold: 2 GiB. Every size neocog derives from
 *  a file or an option (a .npy header, a network's shapes, a layer's
 *  output) is checked against it, with overflow checks, before anything is
 *  allocated; a larger one is refused with NC_ERR_UNSUPPORTED. */
#define NC_TENSOR_MAX_BYTES (UINT64_C(1) << 31)

/** A dense C-order tensor that owns its data. */
typedef struct {
  nc_dtype_t dtype;           /**< element type */
  int ndim;                   /**< number of dimensions, 0 for a scalar */
  int64_t shape[NC_MAX_DIMS]; /**< extent of each dimension, all >= 0 */
  void *data;                 /**< nbytes of elements, NULL when empty */
  size_t nbytes;              /**< numel * element size */
} nc_tensor_t;

/** Number of elements (product of the shape; 1 for a scalar). */
size_t nc_tensor_numel(const nc_tensor_t *t);

/**
 * Allocates a zero-filled tensor. Fails with NC_ERR_OVERFLOW when the byte
 * size does not fit in size_t, NC_ERR_UNSUPPORTED when it exceeds
 * NC_TENSOR_MAX_BYTES, NC_ERR_INVALID_ARG on a negative extent or a bad
 * dtype. On failure *t is left empty (safe to free).
 */
NC_MUST_CHECK nc_status_t nc_tensor_alloc(nc_tensor_t *t, nc_dtype_t dtype,
                                          int ndim, const int64_t *shape);

/**
 * Bytes a tensor of this dtype and shape holds, with every product checked:
 * NC_ERR_OVERFLOW when it does not fit in 64 bits, NC_ERR_UNSUPPORTED when
 * it exceeds the tensor limit (NC_TENSOR_MAX_BYTES), NC_ERR_INVALID_ARG for
 * a negative extent or a bad dtype; the detail names `what` and the shape.
 */
NC_MUST_CHECK nc_status_t nc_tensor_bytes(nc_dtype_t dtype, int ndim,
                                          const int64_t *shape,
                                          const char *what, uint64_t *bytes);

/** Test hook: lowers the tensor limit below NC_TENSOR_MAX_BYTES for this
 *  process (0 restores it); the fuzz targets use it to keep each input
 *  cheap. Internal. */
void nc__tensor_set_max_bytes(uint64_t bytes);

/** The tensor limit in force. Internal. */
uint64_t nc__tensor_max_bytes(void);

/** Releases the data of a tensor and empties it. NULL and empty are fine. */
void nc_tensor_free(nc_tensor_t *t);

/** Writes "[1, 83, 83, 3]" (truncated to fit) into buf. */
void nc_shape_format(const nc_tensor_t *t, char *buf, size_t len);

/**
 * Parses an in-memory .npy image (format versions 1.0, 2.0 and 3.0,
 * little-endian int8/uint8/int32/float32, C order). Everything is checked:
 * a bad magic, a truncated header or body, trailing bytes, fortran_order,
 * an unsupported dtype or a byte size that overflows fails with a detail in
 * nc_error_detail(). On failure *t is left empty.
 */
NC_MUST_CHECK nc_status_t nc_tensor_parse_npy(const void *buf, size_t len,
                                              nc_tensor_t *t);

/** Reads a .npy file; see nc_tensor_parse_npy(). */
NC_MUST_CHECK nc_status_t nc_tensor_load_npy(const char *path, nc_tensor_t *t);

/**
 * Writes a tensor as .npy (version 1.0, or 2.0 if the header needs it). The
 * file appears atomically: data goes to a temporary file next to `path`
 * which is renamed over it only when complete, so a failure never leaves a
 * partial or clobbered file.
 */
NC_MUST_CHECK nc_status_t nc_tensor_save_npy(const char *path,
                                             const nc_tensor_t *t);

/**
 * Parses an IDX file of unsigned bytes (the MNIST distribution's format:
 * magic 00 00 08 NDIM, NDIM big-endian 32-bit extents, the data), plain or
 * gzip-compressed, into a uint8 tensor of that shape. A wrong magic, a
 * truncated header, a count that disagrees with the data, corrupt gzip or a
 * size beyond the tensor limit fails with a detail starting with `origin`;
 * *t is then left empty.
 */
NC_MUST_CHECK nc_status_t nc_tensor_parse_idx(const void *buf, size_t len,
                                              const char *origin,
                                              nc_tensor_t *t);

/** Reads an IDX file (plain or .gz); see nc_tensor_parse_idx(). */
NC_MUST_CHECK nc_status_t nc_tensor_load_idx(const char *path, nc_tensor_t *t);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_TENSOR_H */
