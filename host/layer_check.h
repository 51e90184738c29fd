/* Private: the argument checks of a layer run, shared by the backends. */
#ifndef NEOCOG_HOST_LAYER_CHECK_H
#define NEOCOG_HOST_LAYER_CHECK_H

#include "neocog/layer.h"

/**
 * Checks a layer with its tensors exactly as nc_golden_run() does (tensor
 * consistency, shapes through nc_layer_geometry(), dtypes, zero points,
 * requantization, activation) and fills *g. Nothing is allocated.
 */
nc_status_t nc__layer_check_run(const nc_layer_t *l, const nc_tensor_t *in,
                                const nc_tensor_t *w, const nc_tensor_t *b,
                                nc_geom_t *g);

/** dtype of the result of a checked run. */
nc_dtype_t nc__layer_out_dtype(const nc_layer_t *l, const nc_tensor_t *in);

#endif /* NEOCOG_HOST_LAYER_CHECK_H */
