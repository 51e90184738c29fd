/*
 * Helpers of the ICD test runner (build/tests/neocog_icd_tests): the neocog
 * platform found through the system's ICD loader (libOpenCL), pointed at
 * the build's vendors directory, and one-call setups of a context, a queue
 * and the built-in kernels.
 *
 * The runner is built twice, like the host suite: optimized against
 * libneocog_icd.so, and under ASan+UBSan against libneocog_icd_san.so (the
 * ICD's own code sanitized), so leaks and use after release in the ICD's
 * reference counting fail the sanitized run.
 */
#ifndef NEOCOG_TESTS_ICD_TEST_H
#define NEOCOG_TESTS_ICD_TEST_H

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* The loader reads OCL_ICD_VENDORS on its first call: point it at this
 * build's neocog.icd unless the caller chose a directory. */
__attribute__((constructor)) static void icd_test_env_(void) {
  setenv("OCL_ICD_VENDORS", NC_TEST_ICD_VENDORS, 0);
}

/* The neocog platform, or fails the test. */
static inline cl_platform_id icd_platform(void) {
  cl_platform_id p[16];
  cl_uint n = 0;
  cr_assert_eq(clGetPlatformIDs(16, p, &n), CL_SUCCESS, "no OpenCL platform");
  for (cl_uint i = 0; i < n && i < 16; i++) {
    char name[64] = "";
    clGetPlatformInfo(p[i], CL_PLATFORM_NAME, sizeof name, name, NULL);
    if (strcmp(name, "neocog") == 0) {
      return p[i];
    }
  }
  cr_assert_fail(
      "the loader did not find the neocog platform (OCL_ICD_VENDORS=%s)",
      getenv("OCL_ICD_VENDORS"));
  return NULL;
}

/* Device i of the platform: 0 the functional model, 1 the RTL. */
static inline cl_device_id icd_device(int i) {
  cl_device_id d[4];
  cl_uint n = 0;
  cr_assert_eq(clGetDeviceIDs(icd_platform(), CL_DEVICE_TYPE_ALL, 4, d, &n),
               CL_SUCCESS);
  cr_assert(i < (int)n);
  return d[i];
}

/* A context on one device, a queue (with profiling) and a program with
 * every built-in kernel. */
typedef struct {
  cl_device_id dev;
  cl_context ctx;
  cl_command_queue q;
  cl_program prog;
} icd_env_t;

static inline void icd_env_open(icd_env_t *e, int dev) {
  cl_int err = CL_SUCCESS;
  e->dev = icd_device(dev);
  e->ctx = clCreateContext(NULL, 1, &e->dev, NULL, NULL, &err);
  cr_assert_eq(err, CL_SUCCESS);
  e->q = clCreateCommandQueue(e->ctx, e->dev, CL_QUEUE_PROFILING_ENABLE, &err);
  cr_assert_eq(err, CL_SUCCESS);
  char names[512];
  cr_assert_eq(clGetDeviceInfo(e->dev, CL_DEVICE_BUILT_IN_KERNELS, sizeof names,
                               names, NULL),
               CL_SUCCESS);
  e->prog = clCreateProgramWithBuiltInKernels(e->ctx, 1, &e->dev, names, &err);
  cr_assert_eq(err, CL_SUCCESS);
}

static inline void icd_env_close(icd_env_t *e) {
  cr_assert_eq(clReleaseProgram(e->prog), CL_SUCCESS);
  cr_assert_eq(clReleaseCommandQueue(e->q), CL_SUCCESS);
  cr_assert_eq(clReleaseContext(e->ctx), CL_SUCCESS);
}

/* A buffer holding `bytes` of `data` (NULL: zeros). */
static inline cl_mem icd_buf(icd_env_t *e, size_t bytes, const void *data) {
  cl_int err = CL_SUCCESS;
  cl_mem m = clCreateBuffer(
      e->ctx, CL_MEM_READ_WRITE | (data ? CL_MEM_COPY_HOST_PTR : 0), bytes,
      (void *)data, &err);
  cr_assert_eq(err, CL_SUCCESS, "clCreateBuffer(%zu): %d", bytes, err);
  return m;
}

static inline void icd_arg_mem(cl_kernel k, cl_uint i, cl_mem m) {
  cr_assert_eq(clSetKernelArg(k, i, sizeof m, &m), CL_SUCCESS, "arg %u", i);
}

static inline void icd_arg_int(cl_kernel k, cl_uint i, cl_int v) {
  cr_assert_eq(clSetKernelArg(k, i, sizeof v, &v), CL_SUCCESS, "arg %u", i);
}

#endif /* NEOCOG_TESTS_ICD_TEST_H */
