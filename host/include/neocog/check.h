/*
 * Checking a backend's result against the golden reference.
 *
 * Every backend's output passes through nc_check_layer() before the runtime
 * hands it back: integer outputs must match bit for bit, float32 outputs
 * within `rtol * magnitude`, where the magnitude of an element is what the
 * golden reference computes from |x|, |w| and |b| (|bias| + sum |x * w| for
 * conv, fc and local; the window's mean |x| for average pooling). The
 * magnitude, unlike the value, cannot cancel, so the bound is meaningful
 * for outputs near zero.
 */
#ifndef NEOCOG_CHECK_H
#define NEOCOG_CHECK_H

#include <stdint.h>

#include "neocog/layer.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where and how a result first differs from golden. */
typedef struct {
  int64_t mismatches;          /**< elements outside the tolerance */
  int64_t index;               /**< flat index of the first one, or -1 */
  int ndim;                    /**< rank of the output */
  int64_t coord[NC_MAX_DIMS];  /**< its coordinate (NHWC, or [N, O] for fc) */
  double expected;             /**< golden value there */
  double actual;               /**< the backend's value there */
  double tolerance;            /**< allowed |difference| there (0: exact) */
} nc_check_report_t;

/**
 * Computes the golden result of a layer and compares `got` with it. Returns
 * NC_OK when every element agrees, NC_ERR_MISMATCH (with the first
 * difference in *rep and in the detail, e.g. "output [0, 2, 1, 5] is 13,
 * golden 12; 4 of 18 elements differ") when not, NC_ERR_SHAPE when `got`
 * has the wrong shape or dtype, or the golden reference's own error.
 * `rep` may be NULL.
 */
NC_MUST_CHECK nc_status_t nc_check_layer(const nc_layer_t *l,
                                         const nc_tensor_t *input,
                                         const nc_tensor_t *weights,
                                         const nc_tensor_t *bias,
                                         const nc_tensor_t *got, double rtol,
                                         nc_check_report_t *rep);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_CHECK_H */
