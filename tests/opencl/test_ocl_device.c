/*
 * The OpenCL backend's device handling and error paths: listing, selection
 * by index, name and environment, the binary cache, error names, build
 * logs, and the clear errors of runs the device cannot do (a buffer above
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE, a missing feature, an unsupported dtype).
 */
#include "host/ocl_internal.h"
#include "tests/opencl/ocl_test.h"

Test(ocl_device, list_devices) {
  int n = 0;
  int st = nc_ocl_list_devices(NULL, 0, &n);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  cr_assert_geq(n, 1, "no OpenCL device: the suite needs POCL at least");
  nc_ocl_device_info_t *d = calloc((size_t)n, sizeof *d);
  cr_assert_not_null(d);
  st = nc_ocl_list_devices(d, n, &n);
  cr_assert_eq(st, NC_OK);
  int defaults = 0;
  for (int i = 0; i < n; i++) {
    cr_assert_eq(d[i].global_index, i);
    cr_assert_neq(d[i].name[0], '\0');
    cr_assert_neq(d[i].opencl_c_version[0], '\0');
    cr_assert_gt(d[i].compute_units, 0);
    cr_assert_gt(d[i].global_mem_bytes, 0);
    cr_assert_gt(d[i].max_alloc_bytes, 0);
    defaults += d[i].is_default;
  }
  cr_assert_eq(defaults, 1);
  cr_assert_eq(nc_ocl_list_devices(NULL, 1, &n), NC_ERR_INVALID_ARG);
  free(d);
}

Test(ocl_device, select_by_index_and_name) {
  ocl_test_cache_env();
  nc_ocl_device_info_t d[4];
  int n = 0;
  cr_assert_eq(nc_ocl_list_devices(d, 4, &n), NC_OK);
  nc_ocl_t *c = NULL;
  int st = nc_ocl_open(&c, "0", "0");
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  cr_assert_str_eq(nc_ocl_device(c)->name, d[0].name);
  nc_ocl_close(c);
  /* A case-changed piece of the names selects the same device. */
  char plat[8], dev[8];
  snprintf(plat, sizeof plat, "%.4s", d[0].platform_name);
  snprintf(dev, sizeof dev, "%.4s", d[0].name);
  for (char *p = plat; *p; p++) {
    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
  }
  st = nc_ocl_open(&c, plat, dev);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  cr_assert_str_eq(nc_ocl_device(c)->name, d[0].name);
  nc_ocl_close(c);
  /* Empty selectors mean no preference: the default device. */
  st = nc_ocl_open(&c, "", "");
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  for (int i = 0; i < n && i < 4; i++) {
    if (d[i].is_default) {
      cr_assert_str_eq(nc_ocl_device(c)->name, d[i].name);
    }
  }
  nc_ocl_close(c);
}

Test(ocl_device, bad_selectors) {
  ocl_test_cache_env();
  nc_ocl_t *c = (nc_ocl_t *)1;
  int st = nc_ocl_open(&c, "no-such-platform", NULL);
  cr_assert_eq(st, NC_ERR_NOT_FOUND);
  cr_assert_null(c);
  cr_assert(strstr(nc_error_detail(),
                   "no platform matches "
                   "'no-such-platform'") != NULL,
            "%s", nc_error_detail());
  st = nc_ocl_open(&c, NULL, "no-such-device");
  cr_assert_eq(st, NC_ERR_NOT_FOUND);
  cr_assert(strstr(nc_error_detail(), "no device matches") != NULL, "%s",
            nc_error_detail());
  cr_assert(strstr(nc_error_detail(), "there are: 0 '") != NULL, "%s",
            nc_error_detail());
  st = nc_ocl_open(&c, "0", "999");
  cr_assert_eq(st, NC_ERR_NOT_FOUND, "%s", nc_error_detail());
  st = nc_ocl_open(&c, "77", NULL);
  cr_assert_eq(st, NC_ERR_NOT_FOUND, "%s", nc_error_detail());
  cr_assert_eq(nc_ocl_open(NULL, NULL, NULL), NC_ERR_INVALID_ARG);
}

Test(ocl_device, environment_selects) {
  ocl_test_cache_env();
  setenv("NEOCOG_CL_DEVICE", "no-such-device", 1);
  nc_ocl_t *c = NULL;
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_ERR_NOT_FOUND);
  /* An explicit selector wins over the environment. */
  cr_assert_eq(nc_ocl_open(&c, NULL, "0"), NC_OK, "%s", nc_error_detail());
  nc_ocl_close(c);
  unsetenv("NEOCOG_CL_DEVICE");
  setenv("NEOCOG_CL_PLATFORM", "no-such-platform", 1);
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_ERR_NOT_FOUND);
  setenv("NEOCOG_CL_PLATFORM", "0", 1);
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_OK, "%s", nc_error_detail());
  nc_ocl_close(c);
}

Test(ocl_device, error_names) {
  cr_assert_str_eq(nc_ocl_error_name(-54), "CL_INVALID_WORK_GROUP_SIZE");
  cr_assert_str_eq(nc_ocl_error_name(0), "CL_SUCCESS");
  cr_assert_str_eq(nc_ocl_error_name(-11), "CL_BUILD_PROGRAM_FAILURE");
  cr_assert_str_eq(nc_ocl_error_name(-4242), "CL_UNKNOWN_ERROR");
  int st = nc__ocl_fail(-54, "clEnqueueNDRangeKernel", "k");
  cr_assert_eq(st, NC_CL_ERROR_BASE - 54);
  cr_assert_str_eq(nc_error_detail(),
                   "clEnqueueNDRangeKernel(k): CL_INVALID_WORK_GROUP_SIZE "
                   "(-54)");
  cr_assert_str_eq(nc_status_name(st), "NC_CL_ERROR");
}

/* A program that does not compile fails with its build log. */
Test(ocl_device, build_failure_has_log) {
  nc_ocl_t *c = ocl_test_open();
  cl_program p = NULL;
  int st = nc__ocl_program(c, "conv.cl", "-DNC_IDX=no_such_type", &p);
  cr_assert_eq(st, NC_CL_ERROR_BASE + CL_BUILD_PROGRAM_FAILURE, "%d", st);
  cr_assert(strstr(nc_error_detail(), "CL_BUILD_PROGRAM_FAILURE") != NULL, "%s",
            nc_error_detail());
  cr_assert(strstr(nc_ocl_build_log(c), "no_such_type") != NULL, "log: %s",
            nc_ocl_build_log(c));
  nc_ocl_close(c);
}

/* A second context on the same cache loads the program binary instead of
 * compiling it. */
Test(ocl_device, binary_cache) {
  char dir[256];
  snprintf(dir, sizeof dir, "%s/neocog-ocl-cache-test-%ld",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
  setenv("NEOCOG_CL_CACHE", dir, 1);
  const int64_t xs[4] = {1, 5, 5, 16};
  nc_tensor_t x, o1, o2;
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL);
  l.pool_h = l.pool_w = 3;
  nc_ocl_profile_t p;
  nc_ocl_t *c = NULL;
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_OK);
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, NULL, NULL, &o1), NC_OK);
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.programs_built, 1);
  cr_assert_eq(p.programs_cached, 0);
  nc_ocl_close(c);
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_OK);
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, NULL, NULL, &o2), NC_OK);
  nc_ocl_last_profile(c, &p);
  cr_assert_eq(p.programs_built, 0);
  cr_assert_eq(p.programs_cached, 1);
  cr_assert_eq(memcmp(o1.data, o2.data, o1.nbytes), 0);
  nc_ocl_close(c);
  nc_tensor_free(&x);
  nc_tensor_free(&o1);
  nc_tensor_free(&o2);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

/* A 1x1 max pool over n float32 values: input and output of 4n bytes. */
static int pool_run_(nc_ocl_t *c, int64_t n) {
  const int64_t xs[4] = {1, 1, 1, n};
  nc_tensor_t x, o;
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL);
  l.pool_h = l.pool_w = 1;
  int st = nc_ocl_run_layer(c, &l, &x, NULL, NULL, &o);
  if (st != NC_OK) {
    cr_assert_null(o.data);
  }
  nc_tensor_free(&x);
  nc_tensor_free(&o);
  return st;
}

/* The limits are lowered so the checks run the same on a device of any size;
 * they only ever go down. */
Test(ocl_device, limit_memory) {
  nc_ocl_t *c = ocl_test_open();
  const nc_ocl_device_info_t *d = nc_ocl_device(c);
  const uint64_t alloc0 = d->max_alloc_bytes, global0 = d->global_mem_bytes;
  cr_assert_gt(alloc0, 1u << 20);
  nc_ocl_limit_memory(c, alloc0 + 1, global0 + 1);
  cr_assert_eq(d->max_alloc_bytes, alloc0);
  cr_assert_eq(d->global_mem_bytes, global0);
  nc_ocl_limit_memory(c, 0, 0);
  cr_assert_eq(d->max_alloc_bytes, alloc0);
  cr_assert_eq(d->global_mem_bytes, global0);
  nc_ocl_limit_memory(c, 1u << 20, 3u << 19);
  cr_assert_eq(d->max_alloc_bytes, 1u << 20);
  cr_assert_eq(d->global_mem_bytes, 3u << 19);
  nc_ocl_limit_memory(NULL, 1, 1);
  nc_ocl_close(c);
}

/* One buffer larger than CL_DEVICE_MAX_MEM_ALLOC_SIZE: a clear error before
 * anything is enqueued; one that just fits runs. */
Test(ocl_device, oversized_buffer) {
  nc_ocl_t *c = ocl_test_open();
  nc_ocl_limit_memory(c, 1u << 20, 0);
  cr_assert_eq(pool_run_(c, (1 << 18) + 1), NC_ERR_UNSUPPORTED);
  const char *e = nc_error_detail();
  cr_assert(strstr(e, "CL_DEVICE_MAX_MEM_ALLOC_SIZE") != NULL, "%s", e);
  cr_assert(strstr(e, "input buffer") != NULL, "%s", e);
  cr_assert(strstr(e, "1048580 bytes") != NULL, "%s", e);
  cr_assert_eq(pool_run_(c, 1 << 18), NC_OK, "%s", nc_error_detail());
  nc_ocl_close(c);
}

/* Every buffer fits on its own but not all of them together. */
Test(ocl_device, buffers_over_global_memory) {
  nc_ocl_t *c = ocl_test_open();
  nc_ocl_limit_memory(c, 1u << 20, 3u << 19);
  cr_assert_eq(pool_run_(c, 200000), NC_ERR_UNSUPPORTED);
  const char *e = nc_error_detail();
  cr_assert(strstr(e, "CL_DEVICE_GLOBAL_MEM_SIZE") != NULL, "%s", e);
  cr_assert_eq(pool_run_(c, 150000), NC_OK, "%s", nc_error_detail());
  nc_ocl_close(c);
}

Test(ocl_device, missing_int64) {
  nc_ocl_t *c = ocl_test_open();
  nc_ocl_mask_features(c, NC_OCL_FEAT_INT64);
  const int64_t xs[4] = {1, 4, 4, 2}, ws[4] = {3, 3, 3, 2};
  nc_tensor_t x, w, o;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  int st = nc_ocl_run_layer(c, &l, &x, &w, NULL, &o);
  cr_assert_eq(st, NC_ERR_UNSUPPORTED);
  cr_assert(strstr(nc_error_detail(), "64-bit integers") != NULL, "%s",
            nc_error_detail());
  /* Float layers do not need them. */
  nc_tensor_t xf, wf;
  nc_test_alloc(&xf, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(&wf, NC_DTYPE_FLOAT32, 4, ws);
  st = nc_ocl_run_layer(c, &l, &xf, &wf, NULL, &o);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  nc_tensor_free(&o);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&xf);
  nc_tensor_free(&wf);
  nc_ocl_close(c);
}

/* Bad layers fail with the golden reference's status and leave *out empty. */
Test(ocl_device, rejects_what_golden_rejects) {
  nc_ocl_t *c = ocl_test_open();
  const int64_t xs[4] = {1, 4, 4, 2}, ws[4] = {3, 3, 3, 2}, bs[1] = {3};
  nc_tensor_t x32, x, w, b, o, g;
  nc_test_alloc(&x32, NC_DTYPE_INT32, 4, xs);
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_INT32, 1, bs);
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  /* int32 input to a convolution: unsupported dtype. */
  int st = nc_ocl_run_layer(c, &l, &x32, &w, &b, &o);
  cr_assert_eq(st, NC_ERR_UNSUPPORTED, "%s", nc_error_detail());
  cr_assert_eq(nc_golden_run(&l, &x32, &w, &b, &g), st);
  cr_assert_null(o.data);
  /* Window larger than the input, zero point out of range, bad stride. */
  nc_layer_t bad[3];
  for (int i = 0; i < 3; i++) {
    nc_layer_init(&bad[i], NC_LAYER_CONV2D);
  }
  bad[0].dil_h = 3;
  bad[1].in_zp = 300;
  bad[2].stride_w = 0;
  for (int i = 0; i < 3; i++) {
    st = nc_ocl_run_layer(c, &bad[i], &x, &w, &b, &o);
    cr_assert_neq(st, NC_OK, "case %d", i);
    cr_assert_eq(nc_golden_run(&bad[i], &x, &w, &b, &g), st, "case %d", i);
    cr_assert_null(o.data);
  }
  cr_assert_eq(nc_ocl_run_layer(NULL, &l, &x, &w, &b, &o), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, &w, &b, NULL), NC_ERR_INVALID_ARG);
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, NULL, &b, &o), NC_ERR_INVALID_ARG);
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  t.tile_w = 99;
  cr_assert_eq(nc_ocl_set_tuning(c, &t), NC_ERR_INVALID_ARG);
  nc_tensor_free(&x32);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  nc_ocl_close(c);
}

/* Only neocog's built-in kernels fuse pooling into conv2d: on any other
 * device the call is refused and writes nothing. */
Test(ocl_device, no_fused_pooling_elsewhere) {
  nc_ocl_t *c = ocl_test_open();
  cr_assert_eq(nc_ocl_fuses_pooling(c), 0);
  nc_layer_t *l = calloc(2, sizeof *l);
  nc_layer_init(&l[0], NC_LAYER_CONV2D);
  nc_layer_init(&l[1], NC_LAYER_MAXPOOL);
  l[1].pool_h = l[1].pool_w = 2;
  const int64_t xs[4] = {1, 4, 4, 1}, ws[4] = {1, 1, 1, 1};
  nc_tensor_t x, w, y;
  cr_assert_eq(nc_tensor_alloc(&x, NC_DTYPE_INT8, 4, xs), NC_OK);
  cr_assert_eq(nc_tensor_alloc(&w, NC_DTYPE_INT8, 4, ws), NC_OK);
  cr_assert_eq(nc_ocl_run_layer_pooled(c, &l[0], &l[1], &x, &w, NULL, &y),
               NC_ERR_UNSUPPORTED);
  cr_assert_null(y.data);
  cr_assert(strstr(nc_error_detail(), "does not fuse pooling") != NULL, "%s",
            nc_error_detail());
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  free(l);
  nc_ocl_close(c);
}
