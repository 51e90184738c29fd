/*
 * The lecture's worked convolution example (its "Illustration of Convolution
 * Operation"), transcribed once: a 5x5x3 input, two 3x3x3
 * filters W0 and W1 with biases 1 and 0, stride 2, pad 1 -> 3x3x2.
 *
 * The lecture prints each depth slice x[:, :, c] as a matrix; here the
 * slices are stored as [c][row][col] and nc_seed_example_tensors() lays them
 * out as NHWC / OHWI.
 */
#ifndef NEOCOG_TESTKIT_SEED_DATA_H
#define NEOCOG_TESTKIT_SEED_DATA_H

#include <stdint.h>

#include "neocog/tensor.h"
#include "testkit/testkit.h"

/* Allocates a tensor or aborts. */
static inline void tk_tensor_alloc(nc_tensor_t *t, nc_dtype_t dt, int ndim,
                                   const int64_t *shape) {
  TK_REQUIRE_OK(nc_tensor_alloc(t, dt, ndim, shape));
}

/* x[:, :, c] without the zero border the lecture draws around it. */
static const int nc_seed_x[3][5][5] = {
    {{2, 1, 0, 2, 2},
     {0, 0, 2, 2, 0},
     {1, 0, 1, 2, 2},
     {0, 2, 2, 2, 0},
     {2, 2, 0, 0, 2}},
    {{2, 2, 0, 2, 1},
     {1, 2, 2, 2, 1},
     {1, 2, 2, 2, 1},
     {2, 1, 0, 1, 1},
     {0, 0, 1, 1, 0}},
    {{2, 2, 1, 0, 2},
     {1, 2, 2, 2, 2},
     {0, 0, 0, 1, 0},
     {1, 0, 2, 1, 2},
     {2, 2, 1, 0, 1}},
};

/* w0[:, :, c] and w1[:, :, c]: [filter][c][kh][kw]. */
static const int nc_seed_w[2][3][3][3] = {
    {{{1, 1, -1}, {1, 1, 0}, {1, 1, -1}},
     {{1, -1, 0}, {1, 1, 0}, {1, -1, 1}},
     {{0, 0, 1}, {-1, 0, -1}, {-1, 1, -1}}},
    {{{1, 0, 0}, {0, 1, 0}, {0, 0, 0}},
     {{1, -1, -1}, {1, -1, -1}, {0, -1, 1}},
     {{-1, 0, 1}, {-1, -1, 1}, {1, -1, 0}}},
};

static const int nc_seed_b[2] = {1, 0};

/* o[:, :, 0] and o[:, :, 1], row-major 3x3. */
static const int32_t nc_seed_out0[9] = {3, 2, 11, 2, 12, 13, -3, 6, 6};
static const int32_t nc_seed_out1[9] = {-2, -3, 0, -5, -3, 1, -1, -2, 3};

/* Builds x [1,5,5,3], w [2,3,3,3] (OHWI) and b [2] in `dt` (int8 input
 * and weights with int32 bias, or all float32). */
static inline void nc_seed_example_tensors(nc_dtype_t dt, nc_tensor_t *x,
                                           nc_tensor_t *w, nc_tensor_t *b) {
  const int64_t xs[4] = {1, 5, 5, 3}, ws[4] = {2, 3, 3, 3}, bs[1] = {2};
  int fl = dt == NC_DTYPE_FLOAT32;
  tk_tensor_alloc(x, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8, 4, xs);
  tk_tensor_alloc(w, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT8, 4, ws);
  tk_tensor_alloc(b, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT32, 1, bs);
  for (int h = 0; h < 5; h++) {
    for (int v = 0; v < 5; v++) {
      for (int c = 0; c < 3; c++) {
        int i = (h * 5 + v) * 3 + c;
        if (fl) {
          ((float *)x->data)[i] = (float)nc_seed_x[c][h][v];
        } else {
          ((int8_t *)x->data)[i] = (int8_t)nc_seed_x[c][h][v];
        }
      }
    }
  }
  for (int o = 0; o < 2; o++) {
    for (int kh = 0; kh < 3; kh++) {
      for (int kw = 0; kw < 3; kw++) {
        for (int c = 0; c < 3; c++) {
          int i = ((o * 3 + kh) * 3 + kw) * 3 + c;
          if (fl) {
            ((float *)w->data)[i] = (float)nc_seed_w[o][c][kh][kw];
          } else {
            ((int8_t *)w->data)[i] = (int8_t)nc_seed_w[o][c][kh][kw];
          }
        }
      }
    }
    if (fl) {
      ((float *)b->data)[o] = (float)nc_seed_b[o];
    } else {
      ((int32_t *)b->data)[o] = nc_seed_b[o];
    }
  }
}

#endif /* NEOCOG_TESTKIT_SEED_DATA_H */
