/*
 * Every way a layer can be wrong: each call fails with the right status, a
 * detail that names the problem, and (for nc_golden_run) an empty output.
 */
#include "neocog/layer.h"
#include "tests/common.h"

/* Operands of one golden run. */
typedef struct {
  nc_tensor_t x, w, b;
} ops_t;

static void ops_free_(ops_t *o) {
  nc_tensor_free(&o->x);
  nc_tensor_free(&o->w);
  nc_tensor_free(&o->b);
}

/* Allocates zero-filled operands; wn == 0 or blen < 0 leaves that one
 * empty. */
static void ops_make_(ops_t *o, nc_dtype_t xdt, int xn, const int64_t *xs,
                      nc_dtype_t wdt, int wn, const int64_t *ws, nc_dtype_t bdt,
                      int64_t blen) {
  memset(o, 0, sizeof *o);
  nc_test_alloc(&o->x, xdt, xn, xs);
  if (wn > 0) {
    nc_test_alloc(&o->w, wdt, wn, ws);
  }
  if (blen >= 0) {
    const int64_t bs[1] = {blen};
    nc_test_alloc(&o->b, bdt, 1, bs);
  }
}

/* The usual int8 conv: [1,8,8,4] input, [6,3,3,4] weights, 6 biases. */
static void ops_conv_(ops_t *o) {
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, 6);
}

static void expect_detail_(nc_status_t st, nc_status_t want, const char *word) {
  cr_assert_eq(st, want, "status %s, want %s (detail: %s)", nc_status_name(st),
               nc_status_name(want), nc_error_detail());
  cr_assert(strstr(nc_error_detail(), word) != NULL,
            "detail \"%s\" does not mention \"%s\"", nc_error_detail(), word);
}

/* Runs the layer, which must fail with `want` and leave *out empty. */
static void expect_run_fail_(const nc_layer_t *l, const ops_t *o,
                             nc_status_t want, const char *word) {
  nc_tensor_t y;
  memset(&y, 0xa5, sizeof y); /* garbage: the call must empty it */
  nc_error_clear();
  nc_status_t st = nc_golden_run(l, &o->x, o->w.data != NULL ? &o->w : NULL,
                                 o->b.data != NULL ? &o->b : NULL, &y);
  expect_detail_(st, want, word);
  cr_assert_null(y.data, "output not empty after failure");
  cr_assert_eq(y.ndim, 0);
  cr_assert_eq(y.nbytes, 0);
}

static void expect_conv_fail_(const nc_layer_t *l, nc_status_t want,
                              const char *word) {
  ops_t o;
  ops_conv_(&o);
  expect_run_fail_(l, &o, want, word);
  ops_free_(&o);
}

Test(layer_errors, stride_zero) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_w = 0;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "stride must be >= 1");
  int64_t out = 0;
  expect_detail_(nc_out_dim(8, 3, 0, 0, 0, 1, &out), NC_ERR_INVALID_ARG,
                 "stride must be >= 1 (got 0)");
}

Test(layer_errors, negative_pad) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_left = -1;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "pad must be >= 0");
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "pad_left=-1");
  int64_t out = 0;
  expect_detail_(nc_out_dim(8, 3, 1, -1, 0, 1, &out), NC_ERR_INVALID_ARG,
                 "pad must be >= 0 (got -1)");
  expect_detail_(nc_out_dim(8, 3, 1, 0, -2, 1, &out), NC_ERR_INVALID_ARG,
                 "pad must be >= 0 (got -2)");
}

Test(layer_errors, dilation_zero) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.dil_h = 0;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "dilation");
  int64_t out = 0;
  expect_detail_(nc_out_dim(8, 3, 1, 0, 0, 0, &out), NC_ERR_INVALID_ARG,
                 "dilation must be >= 1 (got 0)");
}

Test(layer_errors, out_dim_bad_sizes) {
  int64_t out = 0;
  expect_detail_(nc_out_dim(8, 0, 1, 0, 0, 1, &out), NC_ERR_INVALID_ARG,
                 "kernel size");
  expect_detail_(nc_out_dim(0, 3, 1, 0, 0, 1, &out), NC_ERR_INVALID_ARG,
                 "input size");
  expect_detail_(nc_out_dim(8, 3, 1, 0, 0, 1, NULL), NC_ERR_INVALID_ARG,
                 "NULL");
  expect_detail_(nc_out_dim(INT64_MAX, 3, 1, 1, 1, 1, &out), NC_ERR_OVERFLOW,
                 "overflow");
  expect_detail_(nc_out_dim(8, INT64_MAX, 1, 0, 0, 2, &out), NC_ERR_OVERFLOW,
                 "overflow");
  cr_assert_eq(nc_out_dim(83, 9, 1, 0, 0, 1, &out), NC_OK);
  cr_assert_eq(out, 75);
}

Test(layer_errors, groups_do_not_divide) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.groups = 3; /* C = 4 */
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG,
                    "groups=3 does not divide the 4 "
                    "input channels");
  l.groups = 0;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "groups must be >= 1");
  /* C = 8 divides by 4 but O = 6 does not. */
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 8}, ws[4] = {6, 3, 3, 2};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, -1);
  l.groups = 4;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG,
                   "groups=4 does not divide the 6 output channels");
  ops_free_(&o);
}

Test(layer_errors, weight_channel_mismatch) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 3};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, 6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE,
                   "conv2d: weights have 3 input channels per group but "
                   "input has 4 channels and groups=1");
  ops_free_(&o);
}

Test(layer_errors, wrong_input_rank) {
  ops_t o;
  const int64_t xs[3] = {8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_INT8, 3, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "rank");
  l.kind = NC_LAYER_MAXPOOL;
  l.pool_h = l.pool_w = 2;
  nc_tensor_free(&o.w);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "rank");
  ops_free_(&o);
}

Test(layer_errors, wrong_weight_rank) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[3] = {6, 3, 4};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 3, ws, NC_DTYPE_INT32, -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "weights must have rank 4");
  ops_free_(&o);
}

Test(layer_errors, weights_missing) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 0, NULL, NC_DTYPE_INT32,
            -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "weights are required");
  ops_free_(&o);
}

Test(layer_errors, fc_weight_size_mismatch) {
  ops_t o;
  const int64_t xs[4] = {2, 4, 4, 3}, ws[2] = {10, 47};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 2, ws, NC_DTYPE_INT32, 10);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_FC);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "48 features");
  ops_free_(&o);
}

Test(layer_errors, fc_rejects_spatial_options) {
  ops_t o;
  const int64_t xs[2] = {2, 48}, ws[2] = {10, 48};
  ops_make_(&o, NC_DTYPE_INT8, 2, xs, NC_DTYPE_INT8, 2, ws, NC_DTYPE_INT32, 10);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_FC);
  l.stride_h = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "fc: stride");
  nc_layer_init(&l, NC_LAYER_FC);
  l.pad_bottom = 1;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "fc: pad");
  nc_layer_init(&l, NC_LAYER_FC);
  l.dil_w = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "fc: dilation");
  nc_layer_init(&l, NC_LAYER_FC);
  l.groups = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "fc: groups");
  /* A rank-1 input has no batch dimension. */
  const int64_t x1[1] = {48};
  nc_layer_init(&l, NC_LAYER_FC);
  cr_assert_eq(nc_layer_geometry(&l, x1, 1, ws, 2, -1, &(nc_geom_t){0}),
               NC_ERR_SHAPE);
  ops_free_(&o);
}

Test(layer_errors, local_wrong_output_size) {
  ops_t o;
  /* 8x8 input, 3x3 window, stride 1: the output is 6x6, not 5x6. */
  const int64_t xs[4] = {1, 8, 8, 2}, ws[6] = {5, 6, 4, 3, 3, 2};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 6, ws, NC_DTYPE_INT32, -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_LOCAL);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE,
                   "5x6 output but the layer's output "
                   "is 6x6");
  ops_free_(&o);
}

Test(layer_errors, local_groups_and_bias) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 2}, ws[6] = {6, 6, 4, 3, 3, 2};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 6, ws, NC_DTYPE_INT32, 5);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_LOCAL);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "bias has 5 elements");
  nc_tensor_free(&o.b);
  l.groups = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "groups must be 1");
  /* A rank-3 bias must be [OH, OW, O]. */
  l.groups = 1;
  const int64_t bs[3] = {4, 6, 6};
  nc_test_alloc(&o.b, NC_DTYPE_INT32, 3, bs);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "[OH,OW,O]");
  ops_free_(&o);
}

Test(layer_errors, bias_length_mismatch) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, 5);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE,
                   "bias has 5 elements but there are 6 output channels");
  nc_tensor_free(&o.b);
  const int64_t bs[2] = {2, 3};
  nc_test_alloc(&o.b, NC_DTYPE_INT32, 2, bs);
  expect_run_fail_(&l, &o, NC_ERR_SHAPE, "bias must have rank 1");
  ops_free_(&o);
}

Test(layer_errors, float_input_int8_weights) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_FLOAT32, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_FLOAT32,
            6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_UNSUPPORTED, "float32 input needs float32");
  ops_free_(&o);
}

Test(layer_errors, int_input_wrong_weights_or_bias) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_UINT8, 4, xs, NC_DTYPE_UINT8, 4, ws, NC_DTYPE_INT32,
            6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_UNSUPPORTED, "weights uint8");
  ops_free_(&o);
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_FLOAT32,
            6);
  expect_run_fail_(&l, &o, NC_ERR_UNSUPPORTED, "bias float32");
  ops_free_(&o);
}

Test(layer_errors, int32_input_to_conv) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_INT32, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, 6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  expect_run_fail_(&l, &o, NC_ERR_UNSUPPORTED, "input dtype int32");
  ops_free_(&o);
}

Test(layer_errors, empty_output) {
  /* D + 2P < K: a 9-wide window on 5 + 2*1 rows. */
  ops_t o;
  const int64_t xs[4] = {1, 5, 20, 1}, ws[4] = {1, 9, 3, 1};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = 1;
  expect_run_fail_(&l, &o, NC_ERR_EMPTY_OUTPUT,
                   "rows: input 5 + padding 2 is smaller than the 9-wide "
                   "window: no output");
  /* Dilation widens the window: 3 taps at dilation 4 span 9. */
  nc_layer_init(&l, NC_LAYER_CONV2D);
  ops_free_(&o);
  const int64_t ws2[4] = {1, 3, 3, 1};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws2, NC_DTYPE_INT32,
            -1);
  l.dil_h = 4;
  expect_run_fail_(&l, &o, NC_ERR_EMPTY_OUTPUT, "9-wide window");
  ops_free_(&o);
  int64_t out = 0;
  expect_detail_(nc_out_dim(5, 9, 1, 0, 0, 1, &out), NC_ERR_EMPTY_OUTPUT,
                 "input 5 + padding 0 is smaller than the 9-wide window: no "
                 "output");
}

static void pool_ops_(ops_t *o) {
  const int64_t xs[4] = {1, 6, 6, 3};
  ops_make_(o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 0, NULL, NC_DTYPE_INT32,
            -1);
}

Test(layer_errors, pool_pad_not_smaller_than_window) {
  ops_t o;
  pool_ops_(&o);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_AVGPOOL);
  l.pool_h = l.pool_w = 2;
  l.pad_right = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG,
                   "pad must be smaller than the "
                   "window (pad_right=2");
  l.pad_right = 1; /* fine */
  nc_tensor_t y;
  cr_assert_eq(nc_golden_run(&l, &o.x, NULL, NULL, &y), NC_OK, "%s",
               nc_error_detail());
  nc_tensor_free(&y);
  ops_free_(&o);
}

Test(layer_errors, pool_window_zero) {
  ops_t o;
  pool_ops_(&o);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL); /* window left unset */
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "window must be >= 1");
  ops_free_(&o);
}

Test(layer_errors, pool_given_weights) {
  ops_t o;
  const int64_t xs[4] = {1, 6, 6, 3}, ws[4] = {3, 2, 2, 3};
  ops_make_(&o, NC_DTYPE_INT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, -1);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL);
  l.pool_h = l.pool_w = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "weights");
  nc_geom_t g;
  expect_detail_(nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g),
                 NC_ERR_INVALID_ARG, "no weights");
  expect_detail_(nc_layer_geometry(&l, xs, 4, NULL, 0, 3, &g),
                 NC_ERR_INVALID_ARG, "bias");
  ops_free_(&o);
}

Test(layer_errors, pool_rejects_rq_act_dilation) {
  ops_t o;
  pool_ops_(&o);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_AVGPOOL);
  l.pool_h = l.pool_w = 2;
  l.rq.enabled = 1;
  l.rq.mult[0] = 1 << 30;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "requantization");
  nc_layer_init(&l, NC_LAYER_AVGPOOL);
  l.pool_h = l.pool_w = 2;
  l.dil_w = 2;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "dilation");
  ops_free_(&o);
}

Test(layer_errors, rq_on_float_path) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_FLOAT32, 4, xs, NC_DTYPE_FLOAT32, 4, ws,
            NC_DTYPE_FLOAT32, 6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  cr_assert_eq(nc_requant_init(&l.rq, NC_DTYPE_INT8, 0.01, 0), NC_OK);
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "requantization");
  ops_free_(&o);
}

Test(layer_errors, float_clamp_range) {
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_FLOAT32, 4, xs, NC_DTYPE_FLOAT32, 4, ws,
            NC_DTYPE_FLOAT32, 6);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.act = NC_ACT_CLAMP;
  l.act_lo = 1.0f;
  l.act_hi = -1.0f;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "act_lo <= act_hi");
  l.act = (nc_act_t)17;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "unknown activation");
  ops_free_(&o);
}

Test(layer_errors, float_activation_on_int_path) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.act = NC_ACT_RELU;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "activation must be NONE");
}

Test(layer_errors, rq_channel_count_mismatch) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  cr_assert_eq(nc_requant_init(&l.rq, NC_DTYPE_INT8, 0.01, 0), NC_OK);
  l.rq.channels = 4; /* the layer has 6 output channels */
  for (int c = 0; c < 4; c++) {
    l.rq.mult[c] = l.rq.mult[0];
    l.rq.shift[c] = l.rq.shift[0];
  }
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "requantization has 4 channels");
  /* nc_requant_validate's own checks come through too. */
  l.rq.channels = 1;
  l.rq.shift[0] = 40;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "shift");
}

Test(layer_errors, in_zp_out_of_range) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.in_zp = 128; /* int8 input */
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "in_zp 128 is outside the int8");
  l.in_zp = 0;
  l.pad_value = -129;
  expect_conv_fail_(&l, NC_ERR_INVALID_ARG, "pad_value -129");
  ops_t o;
  const int64_t xs[4] = {1, 8, 8, 4}, ws[4] = {6, 3, 3, 4};
  ops_make_(&o, NC_DTYPE_UINT8, 4, xs, NC_DTYPE_INT8, 4, ws, NC_DTYPE_INT32, 6);
  l.pad_value = 0;
  l.in_zp = -1;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG,
                   "in_zp -1 is outside the "
                   "uint8");
  ops_free_(&o);
}

Test(layer_errors, malformed_tensor) {
  ops_t o;
  ops_conv_(&o);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  o.x.nbytes -= 1;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "input tensor holds");
  o.x.nbytes += 1;
  o.w.dtype = (nc_dtype_t)42;
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "invalid dtype");
  o.w.dtype = NC_DTYPE_INT8;
  ops_free_(&o);
}

Test(layer_errors, null_arguments) {
  ops_t o;
  ops_conv_(&o);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  nc_tensor_t y;
  expect_detail_(nc_golden_run(&l, &o.x, &o.w, &o.b, NULL), NC_ERR_INVALID_ARG,
                 "NULL");
  expect_detail_(nc_golden_run(NULL, &o.x, &o.w, &o.b, &y), NC_ERR_INVALID_ARG,
                 "NULL");
  cr_assert_null(y.data);
  expect_detail_(nc_golden_run(&l, NULL, &o.w, &o.b, &y), NC_ERR_INVALID_ARG,
                 "NULL");
  nc_geom_t g;
  expect_detail_(nc_layer_geometry(&l, o.x.shape, 4, NULL, 4, -1, &g),
                 NC_ERR_INVALID_ARG, "NULL");
  expect_detail_(nc_layer_geometry(&l, o.x.shape, 4, o.w.shape, 4, -1, NULL),
                 NC_ERR_INVALID_ARG, "NULL");
  l.kind = NC_LAYER_KIND_COUNT;
  expect_detail_(nc_layer_geometry(&l, o.x.shape, 4, o.w.shape, 4, -1, &g),
                 NC_ERR_INVALID_ARG, "unknown layer kind");
  expect_run_fail_(&l, &o, NC_ERR_INVALID_ARG, "unknown layer kind");
  ops_free_(&o);
}

Test(layer_errors, size_overflow) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  const int64_t xs[4] = {1, INT64_C(1) << 31, INT64_C(1) << 31, 1};
  const int64_t ws[4] = {INT64_C(1) << 20, 1, 1, 1};
  nc_geom_t g;
  expect_detail_(nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g), NC_ERR_OVERFLOW,
                 "overflow");
}

Test(layer_errors, zero_extent) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  const int64_t xs[4] = {1, 0, 8, 4}, ws[4] = {6, 3, 3, 4};
  nc_geom_t g;
  expect_detail_(nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g), NC_ERR_SHAPE,
                 "input dimension 1 is 0");
}

Test(layer_errors, kind_names) {
  for (int k = 0; k < NC_LAYER_KIND_COUNT; k++) {
    nc_layer_kind_t got;
    cr_assert_eq(
        nc_layer_kind_parse(nc_layer_kind_name((nc_layer_kind_t)k), &got),
        NC_OK);
    cr_assert_eq(got, k);
  }
  cr_assert_str_eq(nc_layer_kind_name(NC_LAYER_LOCAL), "local");
  cr_assert_str_eq(nc_layer_kind_name((nc_layer_kind_t)99), "?");
  nc_layer_kind_t got;
  expect_detail_(nc_layer_kind_parse("conv3d", &got), NC_ERR_INVALID_ARG,
                 "unknown layer kind 'conv3d'");
  expect_detail_(nc_layer_kind_parse(NULL, &got), NC_ERR_INVALID_ARG, "NULL");
}
