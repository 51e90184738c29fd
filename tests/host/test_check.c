/* nc_check_layer: what the runtime uses to accept a backend's result. */
#include <math.h>

#include "neocog/check.h"
#include "tests/common.h"
#include "testkit/seed_data.h"

static void lecture_layer_(nc_layer_t *l) {
  nc_layer_init(l, NC_LAYER_CONV2D);
  l->stride_h = l->stride_w = 2;
  l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = 1;
}

Test(check, exact_int_result_passes_and_one_off_is_located) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  lecture_layer_(&l);
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK);
  nc_check_report_t rep;
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 0.0, &rep), NC_OK);
  cr_expect_eq(rep.mismatches, 0);
  /* Output [0, 2, 1, 1] is o[:,:,1] row 2 column 1 = -2; make it -1. */
  int32_t *o = y.data;
  o[(2 * 3 + 1) * 2 + 1] += 1;
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 0.0, &rep), NC_ERR_MISMATCH);
  cr_expect_eq(rep.mismatches, 1);
  cr_expect(rep.coord[0] == 0 && rep.coord[1] == 2 && rep.coord[2] == 1 &&
            rep.coord[3] == 1);
  cr_expect(rep.expected == -2 && rep.actual == -1);
  cr_expect(strstr(nc_error_detail(), "[0, 2, 1, 1] is -1, golden -2") != NULL,
            "%s", nc_error_detail());
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

Test(check, float_tolerance_scales_with_magnitude) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_FLOAT32, &x, &w, &b);
  nc_layer_t l;
  lecture_layer_(&l);
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &y), NC_OK);
  float *o = y.data;
  /* Output [0,0,0,0] is 3, so its magnitude |b| + sum |x*w| is at least 3
   * and at most 1 + 27 * 2 = 55: at rtol 1e-4 a change of 3e-6 is inside
   * the bound and a change of 1 is far outside it. */
  o[0] += 3e-6f;
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 1e-4, NULL), NC_OK);
  o[0] += 1.0f;
  nc_check_report_t rep;
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 1e-4, &rep), NC_ERR_MISMATCH);
  cr_expect(rep.tolerance > 0 && rep.tolerance < 0.01, "%g", rep.tolerance);
  o[0] = NAN;
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 1e-4, NULL), NC_ERR_MISMATCH);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}

Test(check, wrong_shape_or_dtype_is_a_shape_error) {
  nc_tensor_t x, w, b, y;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  lecture_layer_(&l);
  int64_t s[4] = {1, 3, 3, 2};
  nc_test_alloc(&y, NC_DTYPE_FLOAT32, 4, s);
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 0.0, NULL), NC_ERR_SHAPE);
  cr_expect(strstr(nc_error_detail(), "golden is int32") != NULL, "%s",
            nc_error_detail());
  nc_tensor_free(&y);
  s[2] = 4;
  nc_test_alloc(&y, NC_DTYPE_INT32, 4, s);
  cr_expect_eq(nc_check_layer(&l, &x, &w, &b, &y, 0.0, NULL), NC_ERR_SHAPE);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
}
