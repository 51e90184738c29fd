/*
 * The ICD's entry points through the system loader: what the platform and
 * devices say, the error codes the OpenCL 1.2 specification gives for
 * wrong use (invalid and released objects, objects of the wrong kind,
 * wrong argument sizes, out-of-range buffers, work sizes), reference
 * counts, buffers (copy, fill, map, sub-buffers, USE_HOST_PTR), events,
 * callbacks and user events, two contexts at once, a queue with many
 * kernels in flight, and two threads at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/icd/icd_test.h"

Test(icd_api, platform_and_devices) {
  cl_platform_id p = icd_platform();
  char s[256];
  cr_assert_eq(clGetPlatformInfo(p, CL_PLATFORM_VERSION, sizeof s, s, NULL),
               CL_SUCCESS);
  cr_assert(strncmp(s, "OpenCL 1.2 ", 11) == 0, "%s", s);
  cr_assert_eq(
      clGetPlatformInfo(p, CL_PLATFORM_ICD_SUFFIX_KHR, sizeof s, s, NULL),
      CL_SUCCESS);
  cr_assert_str_eq(s, "NEOCOG");
  cr_assert_eq(clGetPlatformInfo(p, 0x7fff, sizeof s, s, NULL),
               CL_INVALID_VALUE);
  size_t need = 0;
  cr_assert_eq(clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, NULL, &need),
               CL_SUCCESS);
  cr_assert_eq(need, 7);
  cr_assert_eq(clGetPlatformInfo(p, CL_PLATFORM_NAME, 3, s, NULL),
               CL_INVALID_VALUE);

  cl_device_id d[4];
  cl_uint n = 0;
  cr_assert_eq(clGetDeviceIDs(p, CL_DEVICE_TYPE_ACCELERATOR, 4, d, &n),
               CL_SUCCESS);
  cr_assert_eq(n, 2);
  cr_assert_eq(clGetDeviceIDs(p, CL_DEVICE_TYPE_GPU, 4, d, &n),
               CL_DEVICE_NOT_FOUND);
  cr_assert_eq(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, d, &n),
               CL_INVALID_VALUE);
  const char *names[2] = {"neocog functional model", "neocog RTL (Verilator)"};
  for (int i = 0; i < 2; i++) {
    cl_device_id dev = icd_device(i);
    cl_device_type t = 0;
    cr_assert_eq(clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof t, &t, NULL),
                 CL_SUCCESS);
    cr_assert_eq(t, CL_DEVICE_TYPE_ACCELERATOR);
    cr_assert_eq(clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof s, s, NULL),
                 CL_SUCCESS);
    cr_assert_str_eq(s, names[i]);
    cr_assert_eq(
        clGetDeviceInfo(dev, CL_DEVICE_BUILT_IN_KERNELS, sizeof s, s, NULL),
        CL_SUCCESS);
    cr_assert(strstr(s, "neocog.dnn.conv2d.int8") != NULL, "%s", s);
    cl_command_queue_properties qp = 0;
    cr_assert_eq(
        clGetDeviceInfo(dev, CL_DEVICE_QUEUE_PROPERTIES, sizeof qp, &qp, NULL),
        CL_SUCCESS);
    cr_assert(qp & CL_QUEUE_PROFILING_ENABLE);
    cl_bool comp = CL_TRUE;
    cr_assert_eq(clGetDeviceInfo(dev, CL_DEVICE_COMPILER_AVAILABLE, sizeof comp,
                                 &comp, NULL),
                 CL_SUCCESS);
    cr_assert_eq(comp, CL_FALSE);
  }
}

/* Objects of another kind, and released ones, are refused. */
Test(icd_api, invalid_and_released_objects) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_int err;
  cl_mem m = icd_buf(&e, 64, NULL);
  /* A buffer where a context is expected (the loader dispatches through
   * it; the ICD checks its kind). */
  cr_assert_eq(clRetainContext((cl_context)m), CL_INVALID_CONTEXT);
  cr_assert_eq(clReleaseCommandQueue((cl_command_queue)m),
               CL_INVALID_COMMAND_QUEUE);
  cr_assert_eq(clCreateBuffer((cl_context)e.q, 0, 16, NULL, &err), NULL);
  cr_assert_eq(err, CL_INVALID_CONTEXT);
  cr_assert_eq(clCreateKernel(e.prog, "no.such.kernel", &err), NULL);
  cr_assert_eq(err, CL_INVALID_KERNEL_NAME);
  /* Released: every call on it fails with the kind's code. */
  cr_assert_eq(clReleaseMemObject(m), CL_SUCCESS);
  cr_assert_eq(clReleaseMemObject(m), CL_INVALID_MEM_OBJECT);
  cr_assert_eq(clRetainMemObject(m), CL_INVALID_MEM_OBJECT);
  size_t sz;
  cr_assert_eq(clGetMemObjectInfo(m, CL_MEM_SIZE, sizeof sz, &sz, NULL),
               CL_INVALID_MEM_OBJECT);
  char buf[64];
  cr_assert_eq(clEnqueueReadBuffer(e.q, m, CL_TRUE, 0, 64, buf, 0, NULL, NULL),
               CL_INVALID_MEM_OBJECT);
  cl_kernel k = clCreateKernel(e.prog, "neocog.dnn.maxpool.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  cr_assert_eq(clSetKernelArg(k, 0, sizeof m, &m), CL_INVALID_MEM_OBJECT);
  cr_assert_eq(clReleaseKernel(k), CL_SUCCESS);
  cr_assert_eq(clSetKernelArg(k, 2, sizeof(cl_int), &err), CL_INVALID_KERNEL);
  cl_event ev;
  cr_assert_eq(clEnqueueMarkerWithWaitList(e.q, 0, NULL, &ev), CL_SUCCESS);
  cr_assert_eq(clFinish(e.q), CL_SUCCESS);
  cr_assert_eq(clReleaseEvent(ev), CL_SUCCESS);
  cr_assert_eq(clWaitForEvents(1, &ev), CL_INVALID_EVENT);
  cr_assert_eq(clEnqueueMarkerWithWaitList(e.q, 1, &ev, NULL),
               CL_INVALID_EVENT_WAIT_LIST);
  /* NULL objects: the loader or the ICD answers with the same code. */
  cr_assert_eq(clRetainKernel(NULL), CL_INVALID_KERNEL);
  cr_assert_eq(clFinish(NULL), CL_INVALID_COMMAND_QUEUE);
  icd_env_close(&e);
  cr_assert_eq(clReleaseContext(e.ctx), CL_INVALID_CONTEXT);
  cr_assert_eq(clFlush(e.q), CL_INVALID_COMMAND_QUEUE);
}

Test(icd_api, argument_errors) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_int err;
  cl_kernel k = clCreateKernel(e.prog, "neocog.dnn.maxpool.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_uint nargs = 0;
  cr_assert_eq(
      clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof nargs, &nargs, NULL),
      CL_SUCCESS);
  cr_assert_eq(nargs, 14);
  char name[32];
  cr_assert_eq(
      clGetKernelArgInfo(k, 6, CL_KERNEL_ARG_NAME, sizeof name, name, NULL),
      CL_SUCCESS);
  cr_assert_str_eq(name, "pool_h");
  cl_mem in = icd_buf(&e, 2 * 4 * 4 * 3, NULL), out = icd_buf(&e, 12, NULL);
  const cl_short small = 2;
  /* Wrong sizes, a wrong index, NULL where a buffer is required. */
  cr_assert_eq(clSetKernelArg(k, 2, sizeof small, &small), CL_INVALID_ARG_SIZE);
  cr_assert_eq(clSetKernelArg(k, 0, sizeof(cl_int), &in), CL_INVALID_ARG_SIZE);
  cr_assert_eq(clSetKernelArg(k, 14, sizeof in, &in), CL_INVALID_ARG_INDEX);
  cr_assert_eq(clSetKernelArg(k, 0, sizeof in, NULL), CL_INVALID_ARG_VALUE);
  /* Not every argument set. */
  icd_arg_mem(k, 0, in);
  icd_arg_mem(k, 1, out);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_INVALID_KERNEL_ARGS);
  /* A 2x4x4x3 input pooled 2x2 / 2 gives 2x2x2x3 = 24 bytes: `out` holds 12. */
  const int ints[12] = {2, 4, 4, 3, 2, 2, 2, 2, 0, 0, 0, 0};
  for (int i = 0; i < 12; i++) {
    icd_arg_int(k, (cl_uint)(2 + i), ints[i]);
  }
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_INVALID_KERNEL_ARGS);
  cl_mem out2 = icd_buf(&e, 24, NULL);
  icd_arg_mem(k, 1, out2);
  /* An input larger than its buffer. */
  icd_arg_int(k, 2, 3);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_INVALID_KERNEL_ARGS);
  icd_arg_int(k, 2, 2);
  /* A window larger than the input. */
  icd_arg_int(k, 6, 9);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_INVALID_KERNEL_ARGS);
  icd_arg_int(k, 6, 2);
  /* Work sizes: the kernel is one work-item. */
  const size_t two = 2, one = 1, zero = 0;
  cr_assert_eq(
      clEnqueueNDRangeKernel(e.q, k, 1, NULL, &two, NULL, 0, NULL, NULL),
      CL_INVALID_GLOBAL_WORK_SIZE);
  cr_assert_eq(
      clEnqueueNDRangeKernel(e.q, k, 0, NULL, &one, NULL, 0, NULL, NULL),
      CL_INVALID_WORK_DIMENSION);
  cr_assert_eq(
      clEnqueueNDRangeKernel(e.q, k, 1, &one, &one, NULL, 0, NULL, NULL),
      CL_INVALID_GLOBAL_OFFSET);
  cr_assert_eq(
      clEnqueueNDRangeKernel(e.q, k, 1, &zero, &one, &two, 0, NULL, NULL),
      CL_INVALID_WORK_GROUP_SIZE);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_SUCCESS);
  cr_assert_eq(clFinish(e.q), CL_SUCCESS);
  /* A buffer released after it was set: the kernel is not enqueued. */
  cr_assert_eq(clReleaseMemObject(out2), CL_SUCCESS);
  cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, NULL), CL_INVALID_KERNEL_ARGS);
  clReleaseKernel(k);
  clReleaseMemObject(in);
  clReleaseMemObject(out);
  icd_env_close(&e);
}

Test(icd_api, buffer_errors_and_operations) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_int err;
  cr_assert_eq(clCreateBuffer(e.ctx, 0, 0, NULL, &err), NULL);
  cr_assert_eq(err, CL_INVALID_BUFFER_SIZE);
  cr_assert_eq(clCreateBuffer(e.ctx, 0, (size_t)1 << 40, NULL, &err), NULL);
  cr_assert_eq(err, CL_INVALID_BUFFER_SIZE);
  cr_assert_eq(clCreateBuffer(e.ctx, CL_MEM_USE_HOST_PTR, 16, NULL, &err),
               NULL);
  cr_assert_eq(err, CL_INVALID_HOST_PTR);
  cr_assert_eq(clCreateBuffer(e.ctx, CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY, 16,
                              NULL, &err),
               NULL);
  cr_assert_eq(err, CL_INVALID_VALUE);
  uint8_t host[256], back[256];
  for (int i = 0; i < 256; i++) {
    host[i] = (uint8_t)i;
  }
  cl_mem a = clCreateBuffer(e.ctx, CL_MEM_USE_HOST_PTR, 256, host, &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_mem b = icd_buf(&e, 256, NULL);
  /* Out of range. */
  cr_assert_eq(
      clEnqueueReadBuffer(e.q, a, CL_TRUE, 200, 57, back, 0, NULL, NULL),
      CL_INVALID_VALUE);
  cr_assert_eq(
      clEnqueueWriteBuffer(e.q, a, CL_TRUE, 257, 1, back, 0, NULL, NULL),
      CL_INVALID_VALUE);
  cr_assert_eq(clEnqueueCopyBuffer(e.q, a, b, 0, 128, 129, 0, NULL, NULL),
               CL_INVALID_VALUE);
  cr_assert_eq(clEnqueueCopyBuffer(e.q, a, a, 0, 10, 20, 0, NULL, NULL),
               CL_MEM_COPY_OVERLAP);
  cr_assert_eq(clEnqueueFillBuffer(e.q, b, host, 3, 0, 9, 0, NULL, NULL),
               CL_INVALID_VALUE);
  /* Copy, fill, read back. */
  cr_assert_eq(clEnqueueCopyBuffer(e.q, a, b, 16, 0, 240, 0, NULL, NULL),
               CL_SUCCESS);
  const cl_uint pat = 0xa5a5a5a5u;
  cr_assert_eq(clEnqueueFillBuffer(e.q, b, &pat, 4, 240, 16, 0, NULL, NULL),
               CL_SUCCESS);
  cr_assert_eq(
      clEnqueueReadBuffer(e.q, b, CL_TRUE, 0, 256, back, 0, NULL, NULL),
      CL_SUCCESS);
  for (int i = 0; i < 240; i++) {
    cr_assert_eq(back[i], (uint8_t)(i + 16));
  }
  cr_assert_eq(back[250], 0xa5);
  /* USE_HOST_PTR: the buffer is the host memory; mapping gives it. */
  const uint8_t v = 7;
  cr_assert_eq(clEnqueueWriteBuffer(e.q, a, CL_TRUE, 3, 1, &v, 0, NULL, NULL),
               CL_SUCCESS);
  cr_assert_eq(host[3], 7);
  uint8_t *p = clEnqueueMapBuffer(e.q, a, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE,
                                  0, 256, 0, NULL, NULL, &err);
  cr_assert_eq(err, CL_SUCCESS);
  cr_assert_eq(p, host);
  cl_uint maps = 0;
  clGetMemObjectInfo(a, CL_MEM_MAP_COUNT, sizeof maps, &maps, NULL);
  cr_assert_eq(maps, 1);
  cr_assert_eq(clEnqueueUnmapMemObject(e.q, a, back, 0, NULL, NULL),
               CL_INVALID_VALUE);
  cr_assert_eq(clEnqueueUnmapMemObject(e.q, a, p, 0, NULL, NULL), CL_SUCCESS);
  /* A sub-buffer sees its parent's bytes and keeps the parent alive. */
  cl_buffer_region r = {64, 32};
  cl_mem s = clCreateSubBuffer(b, CL_MEM_READ_WRITE,
                               CL_BUFFER_CREATE_TYPE_REGION, &r, &err);
  cr_assert_eq(err, CL_SUCCESS);
  r.origin = 250;
  cr_assert_eq(clCreateSubBuffer(b, 0, CL_BUFFER_CREATE_TYPE_REGION, &r, &err),
               NULL);
  cr_assert_eq(err, CL_INVALID_VALUE);
  cr_assert_eq(clReleaseMemObject(b), CL_SUCCESS);
  uint8_t sub[32];
  cr_assert_eq(clEnqueueReadBuffer(e.q, s, CL_TRUE, 0, 32, sub, 0, NULL, NULL),
               CL_SUCCESS);
  cr_assert_eq(sub[0], 80);
  clReleaseMemObject(s);
  clReleaseMemObject(a);
  icd_env_close(&e);
}

static void CL_CALLBACK mem_gone(cl_mem m, void *data) {
  (void)m;
  (*(int *)data)++;
}

/* Reference counts as the specification counts them; objects go when the
 * last reference (the application's or an internal one) goes. The
 * sanitized runner turns any leak or use after free into a failure. */
Test(icd_api, reference_counting) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_uint refs = 0;
  cl_mem m = icd_buf(&e, 64, NULL);
  int gone = 0;
  cr_assert_eq(clSetMemObjectDestructorCallback(m, mem_gone, &gone),
               CL_SUCCESS);
  cr_assert_eq(clRetainMemObject(m), CL_SUCCESS);
  clGetMemObjectInfo(m, CL_MEM_REFERENCE_COUNT, sizeof refs, &refs, NULL);
  cr_assert_eq(refs, 2);
  cr_assert_eq(clReleaseMemObject(m), CL_SUCCESS);
  cr_assert_eq(gone, 0);
  /* A pending command holds its buffer: released by the application,
   * the buffer lives until the command has run. */
  char data[64] = {1};
  cr_assert_eq(
      clEnqueueWriteBuffer(e.q, m, CL_FALSE, 0, 64, data, 0, NULL, NULL),
      CL_SUCCESS);
  cr_assert_eq(clReleaseMemObject(m), CL_SUCCESS);
  cr_assert_eq(gone, 0);
  cr_assert_eq(clFinish(e.q), CL_SUCCESS);
  cr_assert_eq(gone, 1);
  /* A kernel holds its program; the program and queue hold the context. */
  cl_int err;
  cl_kernel k = clCreateKernel(e.prog, "neocog.dnn.fc.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  cr_assert_eq(clReleaseProgram(e.prog), CL_SUCCESS);
  cl_program p = NULL;
  cr_assert_eq(clGetKernelInfo(k, CL_KERNEL_PROGRAM, sizeof p, &p, NULL),
               CL_SUCCESS);
  cr_assert_eq(p, e.prog);
  cr_assert_eq(clRetainProgram(p), CL_SUCCESS);
  cr_assert_eq(clReleaseProgram(p), CL_SUCCESS);
  cr_assert_eq(clReleaseContext(e.ctx), CL_SUCCESS);
  cl_context c = NULL;
  cr_assert_eq(clGetCommandQueueInfo(e.q, CL_QUEUE_CONTEXT, sizeof c, &c, NULL),
               CL_SUCCESS);
  cr_assert_eq(c, e.ctx);
  cr_assert_eq(clReleaseKernel(k), CL_SUCCESS);
  cr_assert_eq(clRetainProgram(p), CL_INVALID_PROGRAM);
  cl_event ev;
  cr_assert_eq(clEnqueueMarkerWithWaitList(e.q, 0, NULL, &ev), CL_SUCCESS);
  cr_assert_eq(clReleaseCommandQueue(e.q), CL_SUCCESS);
  /* The event keeps its queue; the queue keeps the context. */
  cl_command_queue q = NULL;
  cr_assert_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_QUEUE, sizeof q, &q, NULL),
               CL_SUCCESS);
  cr_assert_eq(q, e.q);
  cr_assert_eq(clReleaseEvent(ev), CL_SUCCESS);
  cr_assert_eq(clRetainCommandQueue(e.q), CL_INVALID_COMMAND_QUEUE);
  cr_assert_eq(clRetainContext(e.ctx), CL_INVALID_CONTEXT);
}

typedef struct {
  int order[8];
  int n;
} calls_t;

static void CL_CALLBACK on_event(cl_event ev, cl_int status, void *data) {
  calls_t *c = data;
  (void)ev;
  if (c->n < 8) {
    c->order[c->n++] = status;
  }
}

Test(icd_api, events_callbacks_user_events) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_int err;
  cl_event user = clCreateUserEvent(e.ctx, &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_mem m = icd_buf(&e, 16, NULL);
  char src[16] = "0123456789abcde", dst[16] = {0};
  cl_event w, r;
  cr_assert_eq(clEnqueueWriteBuffer(e.q, m, CL_FALSE, 0, 16, src, 1, &user, &w),
               CL_SUCCESS);
  cr_assert_eq(clEnqueueReadBuffer(e.q, m, CL_FALSE, 0, 16, dst, 0, NULL, &r),
               CL_SUCCESS);
  calls_t calls = {{0}, 0};
  cr_assert_eq(clSetEventCallback(r, CL_COMPLETE, on_event, &calls),
               CL_SUCCESS);
  cr_assert_eq(clSetEventCallback(w, CL_RUNNING, on_event, &calls), CL_SUCCESS);
  cr_assert_eq(clSetEventCallback(w, 99, on_event, &calls), CL_INVALID_VALUE);
  /* Nothing runs while the user event is open. */
  cr_assert_eq(clFlush(e.q), CL_SUCCESS);
  cl_int st = 0;
  clGetEventInfo(w, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st, NULL);
  cr_assert_eq(st, CL_QUEUED);
  cr_assert_eq(calls.n, 0);
  cr_assert_eq(clSetUserEventStatus(user, 1), CL_INVALID_VALUE);
  cr_assert_eq(clSetUserEventStatus(user, CL_COMPLETE), CL_SUCCESS);
  cr_assert_eq(clSetUserEventStatus(user, CL_COMPLETE), CL_INVALID_OPERATION);
  cr_assert_eq(clWaitForEvents(1, &r), CL_SUCCESS);
  cr_assert_str_eq(dst, src);
  cr_assert_eq(calls.n, 2);
  cr_assert_eq(calls.order[0], CL_RUNNING);
  cr_assert_eq(calls.order[1], CL_COMPLETE);
  /* A failed user event fails what waits for it. */
  cl_event bad = clCreateUserEvent(e.ctx, &err);
  cl_event after;
  cr_assert_eq(clEnqueueMarkerWithWaitList(e.q, 1, &bad, &after), CL_SUCCESS);
  cr_assert_eq(clSetUserEventStatus(bad, -1234), CL_SUCCESS);
  cr_assert_eq(clWaitForEvents(1, &after),
               CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
  clGetEventInfo(after, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st,
                 NULL);
  cr_assert_lt(st, 0);
  /* Profiling info: only for a queue with profiling, once complete. */
  cl_ulong t = 0;
  cr_assert_eq(clGetEventProfilingInfo(user, CL_PROFILING_COMMAND_END, sizeof t,
                                       &t, NULL),
               CL_PROFILING_INFO_NOT_AVAILABLE);
  cl_event evs[5] = {user, w, r, bad, after};
  for (int i = 0; i < 5; i++) {
    cr_assert_eq(clReleaseEvent(evs[i]), CL_SUCCESS);
  }
  clReleaseMemObject(m);
  icd_env_close(&e);
}

/* A program from source: created, but the build fails with the spec's
 * code for a device without a compiler and a log that says why. */
Test(icd_api, source_program_build_log) {
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_int err;
  const char *src = "__kernel void f(__global int *x) { x[0] = 1; }";
  cl_program p = clCreateProgramWithSource(e.ctx, 1, &src, NULL, &err);
  cr_assert_eq(err, CL_SUCCESS);
  cr_assert_eq(clBuildProgram(p, 1, &e.dev, "", NULL, NULL),
               CL_COMPILER_NOT_AVAILABLE);
  char log[1024];
  cr_assert_eq(clGetProgramBuildInfo(p, e.dev, CL_PROGRAM_BUILD_LOG, sizeof log,
                                     log, NULL),
               CL_SUCCESS);
  cr_assert(strstr(log, "built-in kernels only") != NULL, "%s", log);
  cr_assert(strstr(log, "neocog.dnn.conv2d.int8") != NULL, "%s", log);
  cr_assert_eq(clCreateKernel(p, "f", &err), NULL);
  cr_assert_eq(err, CL_INVALID_PROGRAM_EXECUTABLE);
  cr_assert_eq(clReleaseProgram(p), CL_SUCCESS);
  cr_assert_eq(clCreateProgramWithBuiltInKernels(e.ctx, 1, &e.dev,
                                                 "neocog.dnn.fft", &err),
               NULL);
  cr_assert_eq(err, CL_INVALID_VALUE);
  icd_env_close(&e);
}

/* One maxpool kernel over a 1x4x4x16 ramp, its buffers in `e`. */
static cl_kernel pool_kernel(icd_env_t *e, cl_mem *in, cl_mem *out,
                             int8_t base) {
  int8_t x[256];
  for (int i = 0; i < 256; i++) {
    x[i] = (int8_t)(base + (i % 64));
  }
  cl_int err;
  cl_kernel k = clCreateKernel(e->prog, "neocog.dnn.maxpool.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  *in = icd_buf(e, sizeof x, x);
  *out = icd_buf(e, 64, NULL);
  icd_arg_mem(k, 0, *in);
  icd_arg_mem(k, 1, *out);
  const int ints[12] = {1, 4, 4, 16, 2, 2, 2, 2, 0, 0, 0, 0};
  for (int i = 0; i < 12; i++) {
    icd_arg_int(k, (cl_uint)(2 + i), ints[i]);
  }
  return k;
}

/* The expected maxpool of pool_kernel's ramp. */
static int8_t pool_want(int8_t base, int i) {
  const int c = i % 16, px = i / 16, oy = px / 2, ox = px % 2;
  int best = -128;
  for (int dy = 0; dy < 2; dy++) {
    for (int dx = 0; dx < 2; dx++) {
      const int idx = ((oy * 2 + dy) * 4 + ox * 2 + dx) * 16 + c;
      const int v = (int8_t)(base + (idx % 64));
      best = v > best ? v : best;
    }
  }
  return (int8_t)best;
}

Test(icd_api, two_contexts_at_once) {
  icd_env_t a, b;
  icd_env_open(&a, 0);
  icd_env_open(&b, 1);
  cl_mem ia, oa, ib, ob;
  cl_kernel ka = pool_kernel(&a, &ia, &oa, 3);
  cl_kernel kb = pool_kernel(&b, &ib, &ob, -40);
  /* Objects of one context are refused in the other. */
  cl_int err;
  cr_assert_eq(clSetKernelArg(ka, 0, sizeof ib, &ib), CL_INVALID_MEM_OBJECT);
  cr_assert_eq(clEnqueueTask(a.q, kb, 0, NULL, NULL), CL_INVALID_CONTEXT);
  cl_event ea, eb;
  cr_assert_eq(clEnqueueTask(a.q, ka, 0, NULL, &ea), CL_SUCCESS);
  cr_assert_eq(clEnqueueTask(b.q, kb, 0, NULL, &eb), CL_SUCCESS);
  cr_assert_eq(clEnqueueMarkerWithWaitList(b.q, 1, &ea, NULL),
               CL_INVALID_CONTEXT);
  cl_event both[2] = {ea, eb};
  cr_assert_eq(clWaitForEvents(2, both), CL_INVALID_CONTEXT);
  cr_assert_eq(clWaitForEvents(1, &eb), CL_SUCCESS);
  cr_assert_eq(clWaitForEvents(1, &ea), CL_SUCCESS);
  int8_t ya[64], yb[64];
  cr_assert_eq(clEnqueueReadBuffer(a.q, oa, CL_TRUE, 0, 64, ya, 0, NULL, NULL),
               CL_SUCCESS);
  cr_assert_eq(clEnqueueReadBuffer(b.q, ob, CL_TRUE, 0, 64, yb, 0, NULL, NULL),
               CL_SUCCESS);
  for (int i = 0; i < 64; i++) {
    cr_assert_eq(ya[i], pool_want(3, i), "model [%d]", i);
    cr_assert_eq(yb[i], pool_want(-40, i), "rtl [%d]", i);
  }
  (void)err;
  clReleaseEvent(ea);
  clReleaseEvent(eb);
  clReleaseKernel(ka);
  clReleaseKernel(kb);
  cl_mem ms[4] = {ia, oa, ib, ob};
  for (int i = 0; i < 4; i++) {
    clReleaseMemObject(ms[i]);
  }
  icd_env_close(&a);
  icd_env_close(&b);
}

/* Many kernels in flight on one in-order queue, each with its own input,
 * the kernel's arguments changed between enqueues (each command keeps the
 * arguments it was enqueued with), the kernel and buffers released before
 * the queue runs. */
Test(icd_api, many_kernels_in_flight) {
  enum { N = 48 };
  icd_env_t e;
  icd_env_open(&e, 0);
  cl_mem in[N], out[N];
  cl_event ev[N];
  cl_kernel k = pool_kernel(&e, &in[0], &out[0], 0);
  for (int i = 0; i < N; i++) {
    if (i > 0) {
      cl_mem tmp;
      cl_kernel k2 = pool_kernel(&e, &in[i], &tmp, (int8_t)i);
      clReleaseKernel(k2);
      clReleaseMemObject(tmp);
      out[i] = icd_buf(&e, 64, NULL);
      icd_arg_mem(k, 0, in[i]);
      icd_arg_mem(k, 1, out[i]);
    }
    cr_assert_eq(clEnqueueTask(e.q, k, 0, NULL, &ev[i]), CL_SUCCESS);
  }
  cr_assert_eq(clReleaseKernel(k), CL_SUCCESS);
  cl_int st = 0;
  cr_assert_eq(
      clGetEventInfo(ev[N - 1], CL_EVENT_REFERENCE_COUNT, sizeof st, &st, NULL),
      CL_SUCCESS);
  int8_t y[N][64];
  for (int i = 0; i < N; i++) {
    cr_assert_eq(
        clEnqueueReadBuffer(e.q, out[i], CL_FALSE, 0, 64, y[i], 0, NULL, NULL),
        CL_SUCCESS);
    clReleaseMemObject(in[i]);
  }
  cr_assert_eq(clFinish(e.q), CL_SUCCESS);
  cl_ulong prev_end = 0;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < 64; j++) {
      cr_assert_eq(y[i][j], pool_want((int8_t)i, j), "kernel %d [%d]", i, j);
    }
    cl_ulong s = 0, t = 0;
    clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_START, sizeof s, &s,
                            NULL);
    clGetEventProfilingInfo(ev[i], CL_PROFILING_COMMAND_END, sizeof t, &t,
                            NULL);
    cr_assert(s >= prev_end && t > s, "kernel %d runs after %d", i, i - 1);
    prev_end = t;
    clReleaseEvent(ev[i]);
    clReleaseMemObject(out[i]);
  }
  icd_env_close(&e);
}

typedef struct {
  cl_device_id dev; /* the functional model */
  int8_t base;      /* the ramp's start */
  int ok;           /* all launches right */
} pool_job_t;

/* One thread's work for threads_share_the_icd: its own context, queue and
 * kernel, 16 max-pooling launches checked; no Criterion asserts off the
 * main thread, so it reports through the job. */
static void *pool_thread(void *arg) {
  pool_job_t *job = arg;
  const int8_t base = job->base;
  cl_device_id dev = job->dev;
  cl_int err;
  cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
  cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
  cl_program p = clCreateProgramWithBuiltInKernels(
      ctx, 1, &dev, "neocog.dnn.maxpool.int8", &err);
  cl_kernel k = clCreateKernel(p, "neocog.dnn.maxpool.int8", &err);
  if (err != CL_SUCCESS) {
    return NULL;
  }
  int good = 1;
  for (int r = 0; r < 16 && good; r++) {
    int8_t x[256], y[64];
    for (int i = 0; i < 256; i++) {
      x[i] = (int8_t)(base + r + (i % 64));
    }
    cl_mem in = clCreateBuffer(ctx, CL_MEM_COPY_HOST_PTR, sizeof x, x, &err);
    cl_mem out = clCreateBuffer(ctx, 0, sizeof y, NULL, &err);
    const int ints[12] = {1, 4, 4, 16, 2, 2, 2, 2, 0, 0, 0, 0};
    good &= clSetKernelArg(k, 0, sizeof in, &in) == CL_SUCCESS;
    good &= clSetKernelArg(k, 1, sizeof out, &out) == CL_SUCCESS;
    for (int i = 0; i < 12; i++) {
      good &= clSetKernelArg(k, (cl_uint)(2 + i), sizeof(cl_int), &ints[i]) ==
              CL_SUCCESS;
    }
    good &= clEnqueueTask(q, k, 0, NULL, NULL) == CL_SUCCESS;
    good &= clEnqueueReadBuffer(q, out, CL_TRUE, 0, sizeof y, y, 0, NULL,
                                NULL) == CL_SUCCESS;
    for (int i = 0; i < 64; i++) {
      good &= y[i] == pool_want((int8_t)(base + r), i);
    }
    clReleaseMemObject(in);
    clReleaseMemObject(out);
  }
  clReleaseKernel(k);
  clReleaseProgram(p);
  clReleaseCommandQueue(q);
  clReleaseContext(ctx);
  job->ok = good;
  return NULL;
}

/* Two threads use the ICD at once (the API is thread-safe). */
Test(icd_api, threads_share_the_icd) {
  pthread_t t[2];
  pool_job_t job[2] = {{icd_device(0), 5, 0}, {icd_device(0), -60, 0}};
  for (int i = 0; i < 2; i++) {
    cr_assert_eq(pthread_create(&t[i], NULL, pool_thread, &job[i]), 0);
  }
  for (int i = 0; i < 2; i++) {
    pthread_join(t[i], NULL);
    cr_assert_eq(job[i].ok, 1, "thread %d", i);
  }
}

static void CL_CALLBACK ctx_notify(const char *msg, const void *info, size_t cb,
                                   void *data) {
  (void)info;
  (void)cb;
  snprintf(data, 512, "%s", msg);
}

/* A layer the checks pass but the planner cannot map (a pooling window
 * above the store path's 15) fails its event on the device, and the
 * context's notify callback says why. */
Test(icd_api, device_failure_reaches_event_and_notify) {
  char said[512] = "";
  cl_device_id dev = icd_device(0);
  cl_int err;
  cl_context ctx = clCreateContext(NULL, 1, &dev, ctx_notify, said, &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
  cl_program p = clCreateProgramWithBuiltInKernels(
      ctx, 1, &dev, "neocog.dnn.maxpool.int8", &err);
  cl_kernel k = clCreateKernel(p, "neocog.dnn.maxpool.int8", &err);
  cr_assert_eq(err, CL_SUCCESS);
  cl_mem in = clCreateBuffer(ctx, 0, 16 * 16 * 16, NULL, &err);
  cl_mem out = clCreateBuffer(ctx, 0, 16, NULL, &err);
  clSetKernelArg(k, 0, sizeof in, &in);
  clSetKernelArg(k, 1, sizeof out, &out);
  const int ints[12] = {1, 16, 16, 16, 16, 16, 1, 1, 0, 0, 0, 0};
  for (int i = 0; i < 12; i++) {
    icd_arg_int(k, (cl_uint)(2 + i), ints[i]);
  }
  cl_event ev;
  cr_assert_eq(clEnqueueTask(q, k, 0, NULL, &ev), CL_SUCCESS);
  cr_assert_eq(clWaitForEvents(1, &ev),
               CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
  cl_int st = 0;
  clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof st, &st, NULL);
  cr_assert_eq(st, CL_OUT_OF_RESOURCES);
  cr_assert(strstr(said,
                   "neocog.dnn.maxpool.int8 on neocog functional model "
                   "failed") != NULL,
            "%s", said);
  /* A later command that waits for it fails without running. */
  cl_event after;
  cr_assert_eq(clEnqueueMarkerWithWaitList(q, 1, &ev, &after), CL_SUCCESS);
  cr_assert_eq(clWaitForEvents(1, &after),
               CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
  clReleaseEvent(ev);
  clReleaseEvent(after);
  clReleaseMemObject(in);
  clReleaseMemObject(out);
  clReleaseKernel(k);
  clReleaseProgram(p);
  clReleaseCommandQueue(q);
  clReleaseContext(ctx);
}
