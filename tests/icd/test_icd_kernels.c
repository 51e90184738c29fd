/*
 * The built-in kernels through the ICD loader, on the functional model and
 * the RTL, each result compared bit for bit with the golden reference of
 * the same layer: the lecture's worked convolution (whose output the
 * lecture prints), and seeded random layers of every kind with stride,
 * padding, dilation, groups, per-channel requantization, activation
 * clamps and fused pooling. Profiling: a kernel's END - START is the
 * device cycles the runtime reports for the same layer, at 1 ns a cycle.
 */
#include "neocog/accel.h"
#include "neocog/layer.h"
#include "neocog/ocl.h"
#include "neocog/rng.h"
#include "testkit/seed_data.h"
#include "tests/common.h"
#include "tests/icd/icd_test.h"

/* Runs conv2d/local (with `pool` fused, or NULL) and returns the output
 * in *y (golden's shape and dtype) and the kernel's profiled ns. */
static cl_ulong run_convlike(icd_env_t *e, const nc_layer_t *l,
                             const nc_layer_t *pool, const nc_tensor_t *x,
                             const nc_tensor_t *w, const nc_tensor_t *b,
                             const nc_tensor_t *want, nc_tensor_t *y) {
  cl_int err;
  const int local = l->kind == NC_LAYER_LOCAL;
  cl_kernel k = clCreateKernel(
      e->prog, local ? "neocog.dnn.local.int8" : "neocog.dnn.conv2d.int8",
      &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_mem bx = icd_buf(e, x->nbytes, x->data);
  cl_mem bw = icd_buf(e, w->nbytes, w->data);
  cl_mem bb = b != NULL ? icd_buf(e, b->nbytes, b->data) : NULL;
  cl_mem by = icd_buf(e, want->nbytes, NULL);
  cl_mem bm = NULL, bs = NULL;
  icd_arg_mem(k, 0, bx);
  icd_arg_mem(k, 1, bw);
  cr_assert_eq(clSetKernelArg(k, 2, sizeof bb, b != NULL ? &bb : NULL),
               CL_SUCCESS);
  icd_arg_mem(k, 3, by);
  const int64_t kh = local ? w->shape[3] : w->shape[1];
  const int64_t kw = local ? w->shape[4] : w->shape[2];
  const int64_t o = local ? w->shape[2] : w->shape[0];
  const int ints[16] = {
      (int)x->shape[0], (int)x->shape[1],
      (int)x->shape[2], (int)x->shape[3],
      (int)o,           (int)kh,
      (int)kw,          l->stride_h,
      l->stride_w,      l->pad_top,
      l->pad_bottom,    l->pad_left,
      l->pad_right,     l->dil_h,
      l->dil_w,         local ? (b != NULL && b->ndim == 3) : l->groups};
  for (int i = 0; i < 16; i++) {
    icd_arg_int(k, (cl_uint)(4 + i), ints[i]);
  }
  icd_arg_int(k, 20, l->in_zp);
  if (l->rq.enabled) {
    const size_t n = (size_t)l->rq.channels * sizeof(int32_t);
    bm = icd_buf(e, n, l->rq.mult);
    bs = icd_buf(e, n, l->rq.shift);
  }
  cr_assert_eq(clSetKernelArg(k, 21, sizeof bm, l->rq.enabled ? &bm : NULL),
               CL_SUCCESS);
  cr_assert_eq(clSetKernelArg(k, 22, sizeof bs, l->rq.enabled ? &bs : NULL),
               CL_SUCCESS);
  icd_arg_int(k, 23, l->rq.channels);
  icd_arg_int(k, 24, l->rq.out_zp);
  icd_arg_int(k, 25, l->rq.act_min);
  icd_arg_int(k, 26, l->rq.act_max);
  if (!local) {
    icd_arg_int(k, 27,
                pool == NULL                     ? 0
                : pool->kind == NC_LAYER_MAXPOOL ? 1
                                                 : 2);
    icd_arg_int(k, 28, pool ? pool->pool_h : 0);
    icd_arg_int(k, 29, pool ? pool->pool_w : 0);
    icd_arg_int(k, 30, pool ? pool->stride_h : 0);
    icd_arg_int(k, 31, pool ? pool->stride_w : 0);
  }
  cl_event ev;
  cr_assert_eq(clEnqueueTask(e->q, k, 0, NULL, &ev), CL_SUCCESS);
  nc_test_alloc(y, want->dtype, want->ndim, want->shape);
  cr_assert_eq(clEnqueueReadBuffer(e->q, by, CL_TRUE, 0, y->nbytes, y->data, 0,
                                   NULL, NULL),
               CL_SUCCESS);
  cl_int status = 1;
  cr_assert_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS,
                              sizeof status, &status, NULL),
               CL_SUCCESS);
  cr_assert_eq(status, CL_COMPLETE);
  cl_ulong t0 = 0, t1 = 0;
  cr_assert_eq(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START,
                                       sizeof t0, &t0, NULL),
               CL_SUCCESS);
  cr_assert_eq(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1,
                                       &t1, NULL),
               CL_SUCCESS);
  clReleaseEvent(ev);
  cl_mem all[6] = {bx, bw, bb, by, bm, bs};
  for (int i = 0; i < 6; i++) {
    if (all[i] != NULL) {
      cr_assert_eq(clReleaseMemObject(all[i]), CL_SUCCESS);
    }
  }
  cr_assert_eq(clReleaseKernel(k), CL_SUCCESS);
  return t1 - t0;
}

static void expect_equal(const nc_tensor_t *got, const nc_tensor_t *want,
                         const char *what) {
  cr_assert_eq(got->nbytes, want->nbytes, "%s: size", what);
  cr_assert(memcmp(got->data, want->data, want->nbytes) == 0,
            "%s: differs from golden", what);
}

/* The lecture's worked example: raw int32, stride 2, padding 1. */
static void worked(int dev) {
  icd_env_t e;
  icd_env_open(&e, dev);
  nc_tensor_t x, w, b, y, g;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  cr_assert_eq(nc_golden_run(&l, &x, &w, &b, &g), NC_OK);
  const cl_ulong ns = run_convlike(&e, &l, NULL, &x, &w, &b, &g, &y);
  const int32_t *o = y.data;
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(o[i * 2], nc_seed_out0[i], "o[:, :, 0][%d]", i);
    cr_assert_eq(o[i * 2 + 1], nc_seed_out1[i], "o[:, :, 1][%d]", i);
  }
  /* The same layer on the runtime directly: the same cycles. */
  nc_accel_t *a;
  static const char *const backend[3] = {"model", "rtl", "lockstep"};
  cr_assert_eq(nc_accel_open(backend[dev], NULL, &a), NC_OK);
  nc_plan_req_t req = {&l, &x, &w, &b, NULL, NULL, NULL};
  nc_tensor_t y2;
  nc_accel_stats_t st;
  cr_assert_eq(nc_accel_run(a, &req, &y2, &st), NC_OK);
  cr_assert_eq(ns, st.cycles, "profiled %llu ns, runtime %llu cycles",
               (unsigned long long)ns, (unsigned long long)st.cycles);
  cr_assert_gt(ns, 0);
  nc_accel_close(a);
  nc_tensor_free(&y2);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&y);
  nc_tensor_free(&g);
  icd_env_close(&e);
}

Test(icd_kernels, worked_conv_model) {
  worked(0);
}

Test(icd_kernels, worked_conv_rtl) {
  worked(1);
}

/* The third device, the RTL in lockstep with the model, exists on request. */
Test(icd_kernels, worked_conv_lockstep) {
  cl_uint n = 0;
  cr_assert_eq(clGetDeviceIDs(icd_platform(), CL_DEVICE_TYPE_ALL, 0, NULL, &n),
               CL_SUCCESS);
  cr_assert_eq(n, 2);
  setenv("NEOCOG_ICD_LOCKSTEP", "1", 1);
  cr_assert_eq(clGetDeviceIDs(icd_platform(), CL_DEVICE_TYPE_ALL, 0, NULL, &n),
               CL_SUCCESS);
  cr_assert_eq(n, 3);
  worked(2);
}

/* Per-channel requantization with an activation clamp. */
static void set_rq(nc_rng_t *r, nc_layer_t *l, int channels, double scale) {
  l->rq.enabled = 1;
  l->rq.out_dtype = NC_DTYPE_INT8;
  l->rq.channels = channels;
  for (int c = 0; c < channels; c++) {
    int32_t m, s;
    cr_assert_eq(
        nc_quantize_multiplier(scale * (1.0 + 0.1 * (double)c), &m, &s), NC_OK);
    l->rq.mult[c] = m;
    l->rq.shift[c] = s;
  }
  l->rq.out_zp = (int32_t)nc_rng_range(r, -5, 5);
  l->rq.act_min = nc_rng_range(r, 0, 1) ? l->rq.out_zp : -128;
  l->rq.act_max = 127;
}

static void fill(nc_rng_t *r, nc_tensor_t *t, nc_dtype_t dt, int nd,
                 const int64_t *s, double lo, double hi) {
  nc_test_alloc(t, dt, nd, s);
  nc_rng_fill(r, t, lo, hi);
}

/* Random conv2d layers (groups, dilation, stride, padding, fused pool). */
static void random_conv(int dev, uint64_t seed, int count) {
  nc_rng_t r;
  nc_test_seed(&r, "icd_kernels", dev ? "random_conv_rtl" : "random_conv_model",
               seed);
  icd_env_t e;
  icd_env_open(&e, dev);
  for (int t = 0; t < count; t++) {
    nc_layer_t *l = calloc(1, sizeof *l);
    nc_layer_t *pool = calloc(1, sizeof *pool);
    nc_layer_init(l, NC_LAYER_CONV2D);
    l->groups = (int)nc_rng_range(&r, 1, 2);
    const int64_t c = l->groups * nc_rng_range(&r, 1, 5);
    const int64_t o = l->groups * nc_rng_range(&r, 1, 10);
    const int64_t k = nc_rng_range(&r, 1, 3);
    l->stride_h = (int)nc_rng_range(&r, 1, 2);
    l->stride_w = (int)nc_rng_range(&r, 1, 2);
    l->dil_h = (int)nc_rng_range(&r, 1, 2);
    l->dil_w = 1;
    l->pad_top = (int)nc_rng_range(&r, 0, 1);
    l->pad_bottom = l->pad_top;
    l->pad_left = (int)nc_rng_range(&r, 0, 1);
    l->pad_right = l->pad_left;
    l->in_zp = (int32_t)nc_rng_range(&r, -3, 3);
    l->pad_value = l->in_zp;
    const int fuse = t % 3 == 2;
    if (t % 3 != 0) {
      set_rq(&r, l, nc_rng_range(&r, 0, 1) ? (int)o : 1, 0.01);
    }
    const int64_t xs[4] = {1, nc_rng_range(&r, 6, 11), nc_rng_range(&r, 6, 11),
                           c};
    const int64_t ws[4] = {o, k, k, c / l->groups};
    const int64_t bs[1] = {o};
    nc_tensor_t x, w, b, g, y, gp;
    fill(&r, &x, NC_DTYPE_INT8, 4, xs, -128, 127);
    fill(&r, &w, NC_DTYPE_INT8, 4, ws, -128, 127);
    fill(&r, &b, NC_DTYPE_INT32, 1, bs, -1000, 1000);
    cr_assert_eq(nc_golden_run(l, &x, &w, &b, &g), NC_OK, "layer %d", t);
    const nc_tensor_t *want = &g;
    if (fuse) {
      nc_layer_init(pool, t % 2 ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
      pool->pool_h = pool->pool_w = 2;
      pool->stride_h = pool->stride_w = 2;
      cr_assert_eq(nc_golden_run(pool, &g, NULL, NULL, &gp), NC_OK);
      want = &gp;
    }
    run_convlike(&e, l, fuse ? pool : NULL, &x, &w, &b, want, &y);
    char what[64];
    snprintf(what, sizeof what, "conv2d layer %d", t);
    expect_equal(&y, want, what);
    if (fuse) {
      nc_tensor_free(&gp);
    }
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    nc_tensor_free(&g);
    nc_tensor_free(&y);
    free(l);
    free(pool);
  }
  icd_env_close(&e);
}

Test(icd_kernels, random_conv_model) {
  random_conv(0, 11, 12);
}

Test(icd_kernels, random_conv_rtl) {
  random_conv(1, 12, 3);
}

/* Locally connected layers, with bias per channel or per position. */
Test(icd_kernels, local_model) {
  nc_rng_t r;
  nc_test_seed(&r, "icd_kernels", "local_model", 21);
  icd_env_t e;
  icd_env_open(&e, 0);
  for (int t = 0; t < 4; t++) {
    nc_layer_t *l = calloc(1, sizeof *l);
    nc_layer_init(l, NC_LAYER_LOCAL);
    l->stride_h = l->stride_w = (int)nc_rng_range(&r, 1, 2);
    l->pad_top = l->pad_left = (int)nc_rng_range(&r, 0, 1);
    const int64_t c = nc_rng_range(&r, 1, 4), o = nc_rng_range(&r, 1, 6);
    const int64_t xs[4] = {1, 5, 6, c};
    int64_t oh, ow;
    cr_assert_eq(nc_out_dim(5, 3, l->stride_h, l->pad_top, 0, 1, &oh), NC_OK);
    cr_assert_eq(nc_out_dim(6, 3, l->stride_w, l->pad_left, 0, 1, &ow), NC_OK);
    const int64_t ws[6] = {oh, ow, o, 3, 3, c};
    const int64_t bs3[3] = {oh, ow, o}, bs1[1] = {o};
    if (t % 2) {
      set_rq(&r, l, (int)o, 0.02);
    }
    nc_tensor_t x, w, b, g, y;
    fill(&r, &x, NC_DTYPE_INT8, 4, xs, -128, 127);
    fill(&r, &w, NC_DTYPE_INT8, 6, ws, -128, 127);
    if (t >= 2) {
      fill(&r, &b, NC_DTYPE_INT32, 3, bs3, -500, 500);
    } else {
      fill(&r, &b, NC_DTYPE_INT32, 1, bs1, -500, 500);
    }
    cr_assert_eq(nc_golden_run(l, &x, &w, &b, &g), NC_OK);
    run_convlike(&e, l, NULL, &x, &w, &b, &g, &y);
    expect_equal(&y, &g, "local");
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&b);
    nc_tensor_free(&g);
    nc_tensor_free(&y);
    free(l);
  }
  icd_env_close(&e);
}

/* fc and the standalone pooling kernels, on one device. */
static void fc_pool(int dev) {
  nc_rng_t r;
  nc_test_seed(&r, "icd_kernels", dev ? "fc_pool_rtl" : "fc_pool_model", 31);
  icd_env_t e;
  icd_env_open(&e, dev);
  cl_int err;
  /* fc: [N, I] x [O, I] with per-tensor requantization. */
  nc_layer_t *l = calloc(1, sizeof *l);
  nc_layer_init(l, NC_LAYER_FC);
  set_rq(&r, l, 1, 0.005);
  const int64_t xs[2] = {3, 40}, ws[2] = {20, 40}, bs[1] = {20};
  nc_tensor_t x, w, b, g, y;
  fill(&r, &x, NC_DTYPE_INT8, 2, xs, -128, 127);
  fill(&r, &w, NC_DTYPE_INT8, 2, ws, -128, 127);
  fill(&r, &b, NC_DTYPE_INT32, 1, bs, -1000, 1000);
  cr_assert_eq(nc_golden_run(l, &x, &w, &b, &g), NC_OK);
  cl_kernel k = clCreateKernel(e.prog, "neocog.dnn.fc.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_mem bx = icd_buf(&e, x.nbytes, x.data), bw = icd_buf(&e, w.nbytes, w.data);
  cl_mem bb = icd_buf(&e, b.nbytes, b.data), by = icd_buf(&e, g.nbytes, NULL);
  cl_mem bm = icd_buf(&e, 4, l->rq.mult), bsh = icd_buf(&e, 4, l->rq.shift);
  icd_arg_mem(k, 0, bx);
  icd_arg_mem(k, 1, bw);
  icd_arg_mem(k, 2, bb);
  icd_arg_mem(k, 3, by);
  icd_arg_int(k, 4, 3);
  icd_arg_int(k, 5, 40);
  icd_arg_int(k, 6, 20);
  icd_arg_int(k, 7, 0);
  icd_arg_mem(k, 8, bm);
  icd_arg_mem(k, 9, bsh);
  icd_arg_int(k, 10, 1);
  icd_arg_int(k, 11, l->rq.out_zp);
  icd_arg_int(k, 12, l->rq.act_min);
  icd_arg_int(k, 13, l->rq.act_max);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_SUCCESS);
  nc_test_alloc(&y, g.dtype, g.ndim, g.shape);
  cr_assert_eq(
      clEnqueueReadBuffer(e.q, by, CL_TRUE, 0, y.nbytes, y.data, 0, NULL, NULL),
      CL_SUCCESS);
  expect_equal(&y, &g, "fc");
  clReleaseKernel(k);
  cl_mem all[6] = {bx, bw, bb, by, bm, bsh};
  for (int i = 0; i < 6; i++) {
    clReleaseMemObject(all[i]);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&g);
  nc_tensor_free(&y);
  /* Max and average pooling with stride and padding. */
  for (int kind = 0; kind < 2; kind++) {
    nc_layer_init(l, kind ? NC_LAYER_AVGPOOL : NC_LAYER_MAXPOOL);
    l->pool_h = 3;
    l->pool_w = 2;
    l->stride_h = 2;
    l->stride_w = 2;
    l->pad_top = kind;
    const int64_t ps[4] = {2, 9, 8, 5};
    fill(&r, &x, NC_DTYPE_INT8, 4, ps, -128, 127);
    cr_assert_eq(nc_golden_run(l, &x, NULL, NULL, &g), NC_OK);
    k = clCreateKernel(
        e.prog, kind ? "neocog.dnn.avgpool.int8" : "neocog.dnn.maxpool.int8",
        &err);
    cr_assert_eq(err, CL_SUCCESS);
    bx = icd_buf(&e, x.nbytes, x.data);
    by = icd_buf(&e, g.nbytes, NULL);
    icd_arg_mem(k, 0, bx);
    icd_arg_mem(k, 1, by);
    const int ints[12] = {2, 9, 8, 5, 3, 2, 2, 2, kind, 0, 0, 0};
    for (int i = 0; i < 12; i++) {
      icd_arg_int(k, (cl_uint)(2 + i), ints[i]);
    }
    const size_t one = 1;
    cr_assert_eq(
        clEnqueueNDRangeKernel(e.q, k, 1, NULL, &one, &one, 0, NULL, NULL),
        CL_SUCCESS);
    nc_test_alloc(&y, g.dtype, g.ndim, g.shape);
    cr_assert_eq(clEnqueueReadBuffer(e.q, by, CL_TRUE, 0, y.nbytes, y.data, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
    expect_equal(&y, &g, kind ? "avgpool" : "maxpool");
    clReleaseKernel(k);
    clReleaseMemObject(bx);
    clReleaseMemObject(by);
    nc_tensor_free(&x);
    nc_tensor_free(&g);
    nc_tensor_free(&y);
  }
  free(l);
  icd_env_close(&e);
}

Test(icd_kernels, fc_pool_model) {
  fc_pool(0);
}

Test(icd_kernels, fc_pool_rtl) {
  fc_pool(1);
}

/* The library's OpenCL runner on the neocog device (what --backend opencl
 * --cl-platform neocog uses): conv2d with fused pooling bit-exact, and the
 * layers the built-in kernels do not run refused with a reason. */
Test(icd_kernels, ocl_runner_on_neocog) {
  nc_rng_t r;
  nc_test_seed(&r, "icd_kernels", "ocl_runner_on_neocog", 41);
  nc_ocl_t *c = NULL;
  cr_assert_eq(nc_ocl_open(&c, "neocog", "model"), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(nc_ocl_fuses_pooling(c), 1);
  nc_layer_t *l = calloc(2, sizeof *l);
  nc_layer_init(&l[0], NC_LAYER_CONV2D);
  l[0].pad_top = l[0].pad_bottom = l[0].pad_left = l[0].pad_right = 1;
  set_rq(&r, &l[0], 8, 0.01);
  nc_layer_init(&l[1], NC_LAYER_AVGPOOL);
  l[1].pool_h = l[1].pool_w = 3;
  l[1].stride_h = l[1].stride_w = 2;
  const int64_t xs[4] = {2, 9, 9, 5}, ws[4] = {8, 3, 3, 5}, bs[1] = {8};
  nc_tensor_t x, w, b, g, gp, y;
  fill(&r, &x, NC_DTYPE_INT8, 4, xs, -128, 127);
  fill(&r, &w, NC_DTYPE_INT8, 4, ws, -128, 127);
  fill(&r, &b, NC_DTYPE_INT32, 1, bs, -300, 300);
  cr_assert_eq(nc_golden_run(&l[0], &x, &w, &b, &g), NC_OK);
  cr_assert_eq(nc_golden_run(&l[1], &g, NULL, NULL, &gp), NC_OK);
  cr_assert_eq(nc_ocl_run_layer_pooled(c, &l[0], &l[1], &x, &w, &b, &y), NC_OK,
               "%s", nc_error_detail());
  expect_equal(&y, &gp, "conv2d + avgpool through nc_ocl");
  nc_tensor_free(&y);
  /* Unfused, layer by layer, the same. */
  nc_tensor_t y1;
  cr_assert_eq(nc_ocl_run_layer(c, &l[0], &x, &w, &b, &y1), NC_OK);
  cr_assert_eq(nc_ocl_run_layer(c, &l[1], &y1, NULL, NULL, &y), NC_OK);
  expect_equal(&y, &gp, "conv2d, then avgpool through nc_ocl");
  nc_tensor_free(&y1);
  nc_tensor_free(&y);
  /* uint8 input and float32 layers are not the built-in kernels'. */
  nc_tensor_t xu = x;
  xu.dtype = NC_DTYPE_UINT8;
  cr_assert_eq(nc_ocl_run_layer(c, &l[0], &xu, &w, &b, &y), NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "int8 built-in kernels only") != NULL,
            "%s", nc_error_detail());
  cr_assert_null(y.data);
  nc_layer_t *f = calloc(1, sizeof *f);
  nc_layer_init(f, NC_LAYER_MAXPOOL);
  f->pool_h = f->pool_w = 2;
  nc_tensor_t xf;
  fill(&r, &xf, NC_DTYPE_FLOAT32, 4, xs, -1, 1);
  cr_assert_eq(nc_ocl_run_layer(c, f, &xf, NULL, NULL, &y), NC_ERR_UNSUPPORTED);
  nc_tensor_free(&xf);
  free(f);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_tensor_free(&g);
  nc_tensor_free(&gp);
  free(l);
  nc_ocl_close(c);
}
