/*
 * Element types neocog reads, writes and computes with. In base, because the
 * requantization arithmetic (neocog/quant.h) names its output type with them.
 */
#ifndef NEOCOG_DTYPE_H
#define NEOCOG_DTYPE_H

#include <stddef.h>

#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Element types neocog reads, writes and computes with. */
typedef enum {
  NC_DTYPE_INT8 = 0, /**< signed 8-bit, npy '|i1' */
  NC_DTYPE_UINT8,    /**< unsigned 8-bit, npy '|u1' */
  NC_DTYPE_INT32,    /**< signed 32-bit little-endian, npy '<i4' */
  NC_DTYPE_FLOAT32,  /**< IEEE binary32 little-endian, npy '<f4' */
  NC_DTYPE_COUNT
} nc_dtype_t;

/** Size in bytes of one element, 0 for an invalid dtype. */
size_t nc_dtype_size(nc_dtype_t dtype);

/** Lower-case name ("int8", "float32"), or "?" for an invalid dtype. */
const char *nc_dtype_name(nc_dtype_t dtype);

/** Parses a dtype name as nc_dtype_name() writes it. */
NC_MUST_CHECK nc_status_t nc_dtype_parse(const char *name, nc_dtype_t *out);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_DTYPE_H */
