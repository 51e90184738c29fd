/*
 * neocog status codes.
 *
 * Every neocog function that can fail returns an nc_status_t. NC_OK is zero,
 * errors are negative. The list below is the only place a code is defined;
 * nc_status_name() and nc_strerror() are generated from it.
 *
 * OpenCL error codes pass through unchanged in their own range: a CL error
 * `e` (negative) becomes NC_CL_ERROR_BASE + e, so no neocog code collides
 * with one.
 */
#ifndef NEOCOG_STATUS_H
#define NEOCOG_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a function whose status must be looked at. */
#if defined(__GNUC__)
#define NC_MUST_CHECK __attribute__((warn_unused_result))
#else
#define NC_MUST_CHECK
#endif

/** X(name, value, message): one line per status. */
#define NC_STATUS_MAP(X)                                       \
  X(OK, 0, "success")                                          \
  X(ERR_INVALID_ARG, -1, "invalid argument")                   \
  X(ERR_NOMEM, -2, "out of memory")                            \
  X(ERR_IO, -3, "input/output error")                          \
  X(ERR_FORMAT, -4, "malformed file")                          \
  X(ERR_UNSUPPORTED, -5, "unsupported feature")                \
  X(ERR_SHAPE, -6, "shape mismatch")                           \
  X(ERR_OVERFLOW, -7, "size overflows")                        \
  X(ERR_EMPTY_OUTPUT, -8, "layer produces no output")          \
  X(ERR_NOT_FOUND, -9, "not found")                            \
  X(ERR_MISMATCH, -10, "result differs from golden reference") \
  X(ERR_TIMEOUT, -11, "timed out")                             \
  X(ERR_DEVICE, -12, "device reported an error")               \
  X(ERR_INTERNAL, -13, "internal error")

/** One status type for the whole library. */
typedef enum {
#define NC_STATUS_ENUM_(name, value, msg) NC_##name = value,
  NC_STATUS_MAP(NC_STATUS_ENUM_)
#undef NC_STATUS_ENUM_
      NC_CL_ERROR_BASE = -100000 /**< OpenCL code e maps to this + e. */
} nc_status_t;

/** Short symbolic name of a status, e.g. "NC_ERR_FORMAT". Never NULL. */
const char *nc_status_name(int status);

/** Human readable message for a status. Never NULL. */
const char *nc_strerror(int status);

/**
 * Details of the most recent failure on this thread, e.g. "x.npy: truncated
 * data: expected 48 bytes, got 40". Empty when nothing failed. The library
 * never prints; callers that want to tell a user print this.
 */
const char *nc_error_detail(void);

/** Clears the detail string of this thread. */
void nc_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_STATUS_H */
