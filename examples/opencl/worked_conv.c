/*
 * The lecture's worked convolution (a 5x5x3 input with padding 1, two
 * 3x3x3 filters with biases 1 and 0, stride 2, giving 3x3x2) on every
 * OpenCL platform the ICD loader finds, written against the Khronos
 * headers alone:
 *   - on a device with a compiler (POCL, a GPU) as an OpenCL C kernel,
 *   - on a device that offers neocog's built-in kernel
 *     "neocog.dnn.conv2d.int8" (the neocog platform's functional model and
 *     RTL) as that built-in kernel, with the arguments docs/opencl-icd.md
 *     lists,
 * and compares every result with the others and with the output the
 * lecture prints. Exit status 0 when all agree and both kinds ran.
 *
 *   cc worked_conv.c -lOpenCL -o worked_conv && ./worked_conv
 *   OCL_ICD_VENDORS=DIR ./worked_conv   (DIR holding pocl.icd, neocog.icd)
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <string.h>

/* The lecture's input, NHWC, and filters, OHWI (filter, row, column,
 * channel). */
static const cl_char x_[5][5][3] = {
    {{2, 2, 2}, {1, 2, 2}, {0, 0, 1}, {2, 2, 0}, {2, 1, 2}},
    {{0, 1, 1}, {0, 2, 2}, {2, 2, 2}, {2, 2, 2}, {0, 1, 2}},
    {{1, 1, 0}, {0, 2, 0}, {1, 2, 0}, {2, 2, 1}, {2, 1, 0}},
    {{0, 2, 1}, {2, 1, 0}, {2, 0, 2}, {2, 1, 1}, {0, 1, 2}},
    {{2, 0, 2}, {2, 0, 2}, {0, 1, 1}, {0, 1, 0}, {2, 0, 1}}};
static const cl_char w_[2][3][3][3] = {{{{1, 1, 0}, {1, -1, 0}, {-1, 0, 1}},
                                        {{1, 1, -1}, {1, 1, 0}, {0, 0, -1}},
                                        {{1, 1, -1}, {1, -1, 1}, {-1, 1, -1}}},
                                       {{{1, 1, -1}, {0, -1, 0}, {0, -1, 1}},
                                        {{0, 1, -1}, {1, -1, -1}, {0, -1, 1}},
                                        {{0, 0, 1}, {0, -1, -1}, {0, 1, 0}}}};
static const cl_int bias_[2] = {1, 0};
/* The lecture's o[:, :, 0] and o[:, :, 1]. */
static const cl_int want_[2][9] = {{3, 2, 11, 2, 12, 13, -3, 6, 6},
                                   {-2, -3, 0, -5, -3, 1, -1, -2, 3}};

enum { H = 5, W = 5, C = 3, O = 2, K = 3, S = 2, P = 1, OH = 3, OW = 3 };

/* Direct convolution, one work-item per output element. */
static const char *src_ =
    "__kernel void conv(__global const char *x, __global const char *w,\n"
    "                   __global const int *b, __global int *y) {\n"
    "  const int ox = get_global_id(0), oy = get_global_id(1);\n"
    "  const int o = get_global_id(2);\n"
    "  int acc = b[o];\n"
    "  for (int kh = 0; kh < 3; kh++) {\n"
    "    for (int kw = 0; kw < 3; kw++) {\n"
    "      const int iy = oy * 2 - 1 + kh, ix = ox * 2 - 1 + kw;\n"
    "      if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;\n"
    "      for (int c = 0; c < 3; c++)\n"
    "        acc += x[(iy * 5 + ix) * 3 + c] * w[((o * 3 + kh) * 3 + kw) * 3 + "
    "c];\n"
    "    }\n"
    "  }\n"
    "  y[(oy * 3 + ox) * 2 + o] = acc;\n"
    "}\n";

#define CHECK(call)                                               \
  do {                                                            \
    cl_int e_ = (call);                                           \
    if (e_ != CL_SUCCESS) {                                       \
      fprintf(stderr, "worked_conv: %s failed: %d\n", #call, e_); \
      return e_;                                                  \
    }                                                             \
  } while (0)

/* The built-in kernel's arguments after the four buffers: n, h, w, c, o,
 * kh, kw, stride_h/w, pad top/bottom/left/right, dilation_h/w, groups,
 * in_zp, (rq_multiplier, rq_shift: NULL for raw int32 output),
 * rq_channels, out_zp, act_min, act_max, pool, pool_h/w, pool_stride_h/w. */
static cl_int builtin_args_(cl_kernel k) {
  const cl_int geom[16] = {1, H, W, C, O, K, K, S, S, P, P, P, P, 1, 1, 1};
  for (cl_uint i = 0; i < 16; i++) {
    CHECK(clSetKernelArg(k, 4 + i, sizeof(cl_int), &geom[i]));
  }
  const cl_int zero = 0, one = 1;
  CHECK(clSetKernelArg(k, 20, sizeof(cl_int), &zero)); /* in_zp */
  CHECK(clSetKernelArg(k, 21, sizeof(cl_mem), NULL));  /* rq_multiplier */
  CHECK(clSetKernelArg(k, 22, sizeof(cl_mem), NULL));  /* rq_shift */
  CHECK(clSetKernelArg(k, 23, sizeof(cl_int), &one));  /* rq_channels */
  for (cl_uint i = 24; i < 32; i++) { /* out_zp .. pooling: unused */
    CHECK(clSetKernelArg(k, i, sizeof(cl_int), &zero));
  }
  return CL_SUCCESS;
}

/* Runs the convolution on `dev`; `builtin` picks the built-in kernel. */
static cl_int run_(cl_device_id dev, int builtin, cl_int y[OH * OW * O]) {
  cl_int err;
  cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
  CHECK(err);
  cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
  CHECK(err);
  cl_program prog = builtin
                        ? clCreateProgramWithBuiltInKernels(
                              ctx, 1, &dev, "neocog.dnn.conv2d.int8", &err)
                        : clCreateProgramWithSource(ctx, 1, &src_, NULL, &err);
  CHECK(err);
  if (!builtin) {
    CHECK(clBuildProgram(prog, 1, &dev, "", NULL, NULL));
  }
  cl_kernel k =
      clCreateKernel(prog, builtin ? "neocog.dnn.conv2d.int8" : "conv", &err);
  CHECK(err);
  const cl_mem_flags in = CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR;
  cl_mem bx = clCreateBuffer(ctx, in, sizeof x_, (void *)x_, &err);
  CHECK(err);
  cl_mem bw = clCreateBuffer(ctx, in, sizeof w_, (void *)w_, &err);
  CHECK(err);
  cl_mem bb = clCreateBuffer(ctx, in, sizeof bias_, (void *)bias_, &err);
  CHECK(err);
  cl_mem by = clCreateBuffer(ctx, CL_MEM_WRITE_ONLY,
                             OH * OW * O * sizeof(cl_int), NULL, &err);
  CHECK(err);
  CHECK(clSetKernelArg(k, 0, sizeof bx, &bx));
  CHECK(clSetKernelArg(k, 1, sizeof bw, &bw));
  CHECK(clSetKernelArg(k, 2, sizeof bb, &bb));
  CHECK(clSetKernelArg(k, 3, sizeof by, &by));
  if (builtin) {
    CHECK(builtin_args_(k));
    CHECK(clEnqueueTask(q, k, 0, NULL, NULL));
  } else {
    const size_t global[3] = {OW, OH, O};
    CHECK(clEnqueueNDRangeKernel(q, k, 3, NULL, global, NULL, 0, NULL, NULL));
  }
  CHECK(clEnqueueReadBuffer(q, by, CL_TRUE, 0, OH * OW * O * sizeof(cl_int), y,
                            0, NULL, NULL));
  clReleaseMemObject(bx);
  clReleaseMemObject(bw);
  clReleaseMemObject(bb);
  clReleaseMemObject(by);
  clReleaseKernel(k);
  clReleaseProgram(prog);
  clReleaseCommandQueue(q);
  clReleaseContext(ctx);
  return CL_SUCCESS;
}

int main(void) {
  cl_platform_id plats[16];
  cl_uint np = 0;
  if (clGetPlatformIDs(16, plats, &np) != CL_SUCCESS || np == 0) {
    fprintf(stderr, "worked_conv: no OpenCL platform\n");
    return 1;
  }
  printf(
      "worked_conv: the lecture's 5x5x3 input, two 3x3x3 filters, "
      "stride 2, padding 1\n");
  int runs[2] = {0, 0}, bad = 0;
  for (cl_uint p = 0; p < np && p < 16; p++) {
    char pname[128] = "";
    clGetPlatformInfo(plats[p], CL_PLATFORM_NAME, sizeof pname, pname, NULL);
    cl_device_id devs[8];
    cl_uint nd = 0;
    if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 8, devs, &nd) !=
        CL_SUCCESS) {
      continue;
    }
    for (cl_uint d = 0; d < nd && d < 8; d++) {
      char dname[128] = "", kernels[1024] = "";
      cl_bool compiler = CL_FALSE;
      clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof dname, dname, NULL);
      clGetDeviceInfo(devs[d], CL_DEVICE_BUILT_IN_KERNELS, sizeof kernels,
                      kernels, NULL);
      clGetDeviceInfo(devs[d], CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler,
                      &compiler, NULL);
      const int builtin = strstr(kernels, "neocog.dnn.conv2d.int8") != NULL;
      if (!builtin && !compiler) {
        continue;
      }
      cl_int y[OH * OW * O];
      if (run_(devs[d], builtin, y) != CL_SUCCESS) {
        bad++;
        continue;
      }
      runs[builtin]++;
      int same = 1;
      printf("  %s / %s (%s):\n", pname, dname,
             builtin ? "built-in neocog.dnn.conv2d.int8" : "OpenCL C kernel");
      for (int o = 0; o < O; o++) {
        printf("    o[:, :, %d] =", o);
        for (int i = 0; i < OH * OW; i++) {
          printf(" %d%s", y[i * O + o], i % 3 == 2 && i < 8 ? " /" : "");
          same &= y[i * O + o] == want_[o][i];
        }
        printf("\n");
      }
      printf("    %s\n",
             same ? "as the lecture prints" : "DIFFERS from the lecture");
      bad += !same;
    }
  }
  if (bad == 0 && runs[0] > 0 && runs[1] > 0) {
    printf(
        "worked_conv: %d OpenCL C and %d built-in kernel runs agree with "
        "each other and with the lecture\n",
        runs[0], runs[1]);
    return 0;
  }
  fprintf(stderr,
          "worked_conv: %d failed or differ; %d OpenCL C runs, %d built-in "
          "kernel runs (each kind needs a platform: POCL and neocog)\n",
          bad, runs[0], runs[1]);
  return 1;
}
