/*
 * A conv (or fc) whose 8-bit output feeds a residual add, planned as one
 * accelerator layer with the add in the store path, against the golden
 * reference: the layer, then nc_add_quant_apply() per element. Shapes that
 * tile, per-group parameter loads, uint8 tensors, and the requests the
 * store path cannot fuse.
 */
#include "neocog/quant.h"
#include "tests/plan/plan_test.h"

/* A conv2d (fc when fc) requantized to `odt`, with a residual of its
 * output's shape in `rdt` and an add of both into `adt`. */
typedef struct {
  rl_t r;
  nc_tensor_t res;
  nc_add_quant_t aq;
} case_t;

static void make_(nc_rng_t *g, case_t *c, int fc, const int64_t xs[4],
                  int64_t O, nc_dtype_t odt, nc_dtype_t rdt, nc_dtype_t adt) {
  memset(c, 0, sizeof *c);
  rl_t *r = &c->r;
  nc_layer_init(&r->l, fc ? NC_LAYER_FC : NC_LAYER_CONV2D);
  int64_t oh = 1, ow = 1;
  if (fc) {
    const int64_t x2[2] = {xs[0], xs[3]}, w2[2] = {O, xs[3]};
    nc_test_alloc(&r->x, NC_DTYPE_INT8, 2, x2);
    nc_test_alloc(&r->w, NC_DTYPE_INT8, 2, w2);
  } else {
    r->l.pad_top = r->l.pad_bottom = r->l.pad_left = r->l.pad_right = 1;
    const int64_t ws[4] = {O, 3, 3, xs[3]};
    nc_test_alloc(&r->x, NC_DTYPE_INT8, 4, xs);
    nc_test_alloc(&r->w, NC_DTYPE_INT8, 4, ws);
    oh = xs[1], ow = xs[2];
  }
  const int64_t bs[1] = {O};
  nc_test_alloc(&r->b, NC_DTYPE_INT32, 1, bs);
  r->has_b = 1;
  nc_rng_fill(g, &r->x, -128, 127);
  nc_rng_fill(g, &r->w, -128, 127);
  nc_rng_fill(g, &r->b, -3000, 3000);
  const int u8 = odt == NC_DTYPE_UINT8;
  nc_requant_t *q = &r->l.rq;
  q->enabled = 1;
  q->out_dtype = odt;
  q->channels = (int)O;
  for (int k = 0; k < O; k++) {
    q->mult[k] = (int32_t)nc_rng_range(g, 1 << 30, INT32_MAX);
    q->shift[k] = -(int32_t)nc_rng_range(g, fc ? 7 : 9, fc ? 9 : 11);
  }
  q->out_zp = (int32_t)(u8 ? nc_rng_range(g, 60, 200) : nc_rng_range(g, -9, 9));
  q->act_min = u8 ? 0 : -128;
  q->act_max = u8 ? 255 : 127;
  const int64_t rs4[4] = {xs[0], oh, ow, O}, rs2[2] = {xs[0], O};
  nc_test_alloc(&c->res, rdt, fc ? 2 : 4, fc ? rs2 : rs4);
  const int ru = rdt == NC_DTYPE_UINT8, au = adt == NC_DTYPE_UINT8;
  nc_rng_fill(g, &c->res, ru ? 0 : -128, ru ? 255 : 127);
  cr_assert_eq(nc_add_quant_init(&c->aq, 0.05, q->out_zp, 0.031, ru ? 131 : -7,
                                 0.07, au ? 120 : 3, adt),
               NC_OK, "%s", nc_error_detail());
  snprintf(r->what, sizeof r->what,
           "%s [%lld,%lld,%lld,%lld] -> %lld %s + %s"
           " residual -> %s",
           fc ? "fc" : "conv 3x3", (long long)xs[0], (long long)xs[1],
           (long long)xs[2], (long long)xs[3], (long long)O, nc_dtype_name(odt),
           nc_dtype_name(rdt), nc_dtype_name(adt));
}

static void free_(case_t *c) {
  rl_free(&c->r);
  nc_tensor_free(&c->res);
}

static nc_plan_req_t req_(const case_t *c) {
  const rl_t *r = &c->r;
  return (nc_plan_req_t){.layer = &r->l,
                         .input = &r->x,
                         .weights = &r->w,
                         .bias = &r->b,
                         .add = &c->aq,
                         .residual = &c->res};
}

/* Runs the case and checks every byte against golden + add. */
static void check_(const char *backend, const nc_plan_caps_t *caps, case_t *c,
                   nc_accel_stats_t *st) {
  nc_accel_t *a = plan_open(backend, caps);
  const nc_plan_req_t req = req_(c);
  nc_tensor_t got, conv;
  cr_assert_eq(nc_accel_run(a, &req, &got, st), NC_OK, "%s on %s: %s",
               c->r.what, backend, nc_error_detail());
  rl_golden(&c->r, &conv);
  cr_assert_eq(got.dtype, c->aq.out_dtype, "%s: dtype", c->r.what);
  cr_assert_eq(got.nbytes, conv.nbytes, "%s: size", c->r.what);
  const int cu = conv.dtype == NC_DTYPE_UINT8;
  const int ru = c->res.dtype == NC_DTYPE_UINT8;
  for (size_t i = 0; i < conv.nbytes; i++) {
    const uint8_t cb = ((const uint8_t *)conv.data)[i];
    const uint8_t rb = ((const uint8_t *)c->res.data)[i];
    const int32_t want =
        nc_add_quant_apply(&c->aq, cu ? (int32_t)cb : (int32_t)(int8_t)cb,
                           ru ? (int32_t)rb : (int32_t)(int8_t)rb);
    cr_assert_eq(((const uint8_t *)got.data)[i], (uint8_t)want,
                 "%s on %s: element %zu: %u, want %d (plan %s)", c->r.what,
                 backend, i, ((const uint8_t *)got.data)[i], want,
                 st->plan.summary);
  }
  nc_tensor_free(&got);
  nc_tensor_free(&conv);
  nc_accel_close(a);
}

static void fused_(const char *backend) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_add", backend, 5);
  case_t c;
  /* Every parameter resident, one tile. */
  const int64_t xs[4] = {1, 6, 7, 24};
  make_(&g, &c, 0, xs, 20, NC_DTYPE_INT8, NC_DTYPE_INT8, NC_DTYPE_INT8);
  nc_accel_stats_t st;
  check_(backend, NULL, &c, &st);
  free_(&c);
  /* fc, uint8 everywhere. */
  const int64_t xf[4] = {3, 1, 1, 40};
  make_(&g, &c, 1, xf, 33, NC_DTYPE_UINT8, NC_DTYPE_UINT8, NC_DTYPE_UINT8);
  check_(backend, NULL, &c, &st);
  free_(&c);
  /* Tiny capacities: many tiles, parameters loaded per channel group (50
   * records > the 32 entries left beside the add's record). */
  const int64_t xt[4] = {2, 9, 11, 20};
  make_(&g, &c, 0, xt, 50, NC_DTYPE_INT8, NC_DTYPE_UINT8, NC_DTYPE_INT8);
  nc_plan_caps_t caps;
  nc_plan_caps_default(&caps);
  caps.spad_rows = 400;
  caps.acc_rows = 40;
  caps.param_entries = 34;
  caps.im2col = 0;
  check_(backend, &caps, &c, &st);
  cr_assert_gt(st.plan.tiles, 10, "%s", st.plan.summary);
  free_(&c);
}

Test(plan_add, conv_add_fused_model) {
  fused_("model");
}

Test(plan_add, conv_add_fused_rtl, .timeout = 300) {
  if (plan_backend_or_skip("rtl")) {
    fused_("rtl");
  }
}

/* The add makes the output bytes differ from the plain conv's: the
 * residual really reaches the store path. */
Test(plan_add, residual_changes_the_output) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_add", "differs", 9);
  case_t c;
  const int64_t xs[4] = {1, 4, 4, 16};
  make_(&g, &c, 0, xs, 16, NC_DTYPE_INT8, NC_DTYPE_INT8, NC_DTYPE_INT8);
  nc_accel_t *a = plan_open("model", NULL);
  nc_plan_req_t req = req_(&c);
  nc_tensor_t y1, y2;
  nc_accel_stats_t st;
  cr_assert_eq(nc_accel_run(a, &req, &y1, &st), NC_OK, "%s", nc_error_detail());
  ((int8_t *)c.res.data)[5] ^= 0x40;
  cr_assert_eq(nc_accel_run(a, &req, &y2, &st), NC_OK, "%s", nc_error_detail());
  size_t diff = 0;
  for (size_t i = 0; i < y1.nbytes; i++) {
    diff += ((uint8_t *)y1.data)[i] != ((uint8_t *)y2.data)[i];
  }
  cr_assert_eq(diff, 1, "one residual byte changed %zu outputs", diff);
  cr_assert_gt(st.plan.compulsory_read, c.res.nbytes, "%s", st.plan.summary);
  nc_tensor_free(&y1);
  nc_tensor_free(&y2);
  nc_accel_close(a);
  free_(&c);
}

/* What the store path cannot add is a clear planner error (the caller
 * falls back to the host's add). */
Test(plan_add, refused_requests) {
  nc_rng_t g;
  nc_test_seed(&g, "plan_add", "refused", 3);
  case_t c;
  const int64_t xs[4] = {1, 4, 6, 8};
  make_(&g, &c, 0, xs, 8, NC_DTYPE_INT8, NC_DTYPE_INT8, NC_DTYPE_INT8);
  nc_plan_req_t req = req_(&c);
  nc_plan_t *p = NULL;
  /* Fused pooling. */
  nc_layer_t pool;
  nc_layer_init(&pool, NC_LAYER_MAXPOOL);
  pool.pool_h = pool.pool_w = pool.stride_h = pool.stride_w = 2;
  req.pool = &pool;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "pooling") != NULL, "%s",
            nc_error_detail());
  req.pool = NULL;
  /* int32 output. */
  c.r.l.rq.enabled = 0;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "int32") != NULL, "%s",
            nc_error_detail());
  c.r.l.rq.enabled = 1;
  /* No residual, or one of another shape. */
  req.residual = NULL;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_INVALID_ARG);
  const int64_t bad[4] = {1, 4, 6, 9};
  nc_tensor_t r2;
  nc_test_alloc(&r2, NC_DTYPE_INT8, 4, bad);
  req.residual = &r2;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_SHAPE);
  nc_tensor_free(&r2);
  req.residual = &c.res;
  /* A record the ISA rejects: a left shift of an input. */
  nc_add_quant_t aq = c.aq;
  aq.in_shift[0] = 3;
  req.add = &aq;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "addq") != NULL, "%s", nc_error_detail());
  cr_assert_null(p);
  /* The request as made plans. */
  req.add = &c.aq;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_plan_residual_region(p).bytes, c.res.nbytes);
  nc_plan_free(p);
  free_(&c);
}
