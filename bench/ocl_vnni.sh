#!/bin/sh
# Which int8 dot-product instructions POCL emits for kernel formulations
# of 8-bit products summed into int32 (docs/opencl.md, "int8 and VNNI"):
# builds a small OpenCL program on the default device with POCL's kernel
# files kept, and counts vpdpbusd (AVX512-VNNI), vpmaddwd (AVX512BW:
# 32 16-bit products added in pairs into 16 ints), vpmulld and vpaddd in
# the compiled kernels. pairs* are nc_conv_pairs' inner loop
# (kernels/conv.cl) and the variants that lose the pattern; vnni_asm and
# vnni_tile issue vpdpbusd in an asm statement (nc_conv_vnni's inner
# loop), and their results are compared with the same sums in C. They run
# only where /proc/cpuinfo lists avx512_vnni (elsewhere the instruction
# would fault), and then the script fails if a result differs.
# Usage: sh bench/ocl_vnni.sh   (needs cc, the OpenCL headers, objdump)
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/k.cl" <<'CL'
/* Four 16-lane u8 x s8 products added per int lane: what vpdpbusd does */
__kernel void dot4(__global const uchar *x, __global const char *w,
                   __global int *y, int n) {
  int16 acc = (int16)(0);
  for (int i = 0; i < n; i += 64) {
    acc += convert_int16(vload16(0, x + i)) * convert_int16(vload16(0, w + i)) +
           convert_int16(vload16(1, x + i)) * convert_int16(vload16(1, w + i)) +
           convert_int16(vload16(2, x + i)) * convert_int16(vload16(2, w + i)) +
           convert_int16(vload16(3, x + i)) * convert_int16(vload16(3, w + i));
  }
  vstore16(acc, 0, y + get_global_id(0) * 16);
}
/* The scalar reduction a vectorizer turns into a dot product */
__kernel void dotloop(__global const uchar *x, __global const char *w,
                      __global int *y, int n) {
  int acc = 0;
  for (int i = 0; i < n; i++) {
    acc += (int)x[i] * (int)w[i];
  }
  y[get_global_id(0)] = acc;
}
/* nc_conv_pairs' formulation: a pair of 16-bit inputs broadcast against
 * 32 weights (16 outputs x 2 channels), even times even plus odd times
 * odd; OPAQUE_X / OPAQUE_S hide the broadcast and the pair's sum from the
 * optimizer, PAIRS_INT loads the weights as ints. */
typedef short short32 __attribute__((ext_vector_type(32)));
typedef short32 short32_u __attribute__((aligned(2)));
#define PAIRS(name, OPAQUE_X, OPAQUE_S, LOADW)                               \
  __kernel void name(__global const short *x, __global const short *w,      \
                     __global int *y, int n) {                              \
    int16 acc[4][2];                                                        \
    _Pragma("unroll") for (int p = 0; p < 4; p++) {                         \
      acc[p][0] = acc[p][1] = (int16)(0);                                   \
    }                                                                       \
    for (int c = 0; c < n; c += 2) {                                        \
      short32 wv[2];                                                        \
      _Pragma("unroll") for (int v = 0; v < 2; v++) {                       \
        wv[v] = LOADW(w + c * 32 + v * 32);                                 \
      }                                                                     \
      _Pragma("unroll") for (int p = 0; p < 4; p++) {                       \
        short32 xv = __builtin_astype(                                      \
            (int16)(*(__global const int *)(x + p * n + c)), short32);      \
        OPAQUE_X;                                                           \
        _Pragma("unroll") for (int v = 0; v < 2; v++) {                     \
          int16 s = convert_int16(xv.even) * convert_int16(wv[v].even) +    \
                    convert_int16(xv.odd) * convert_int16(wv[v].odd);       \
          OPAQUE_S;                                                         \
          acc[p][v] += s;                                                   \
        }                                                                   \
      }                                                                     \
    }                                                                       \
    _Pragma("unroll") for (int p = 0; p < 4; p++) {                         \
      vstore16(acc[p][0] + acc[p][1], p, y);                                \
    }                                                                       \
  }
#define LOAD_SHORTS(p) (*(__global const short32_u *)(p))
#define LOAD_INTS(p) \
  __builtin_astype(vload16(0, (__global const int *)(p)), short32)
PAIRS(pairs, __asm__("" : "+v"(xv)), __asm__("" : "+v"(s)), LOAD_SHORTS)
PAIRS(pairs_no_opaque, , , LOAD_SHORTS)
PAIRS(pairs_opaque_x_only, __asm__("" : "+v"(xv)), , LOAD_SHORTS)
PAIRS(pairs_int_weights, __asm__("" : "+v"(xv)), __asm__("" : "+v"(s)),
      LOAD_INTS)
/* vpdpbusd from an asm statement: sixteen int lanes, each adding four
 * products of an unsigned byte of x and a signed byte of w. */
#define DPBUSD(acc, u, s) \
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s))
__kernel void vnni_asm(__global const uchar *x, __global const char *w,
                       __global int *y, int n) {
  int16 acc = (int16)(0);
  for (int i = 0; i < n; i += 64) {
    DPBUSD(acc, vload16(0, (__global const int *)(x + i)),
           vload16(0, (__global const int *)(w + i)));
  }
  vstore16(acc, get_global_id(0), y);
}
/* nc_conv_vnni's inner loop: four input channels of each of 4 pixels (one
 * int, broadcast) against 2 vectors of 16 output channels' four weights. */
__kernel void vnni_tile(__global const uchar *x, __global const char *w,
                        __global int *y, int n) {
  int16 acc[4][2];
  _Pragma("unroll") for (int p = 0; p < 4; p++) {
    acc[p][0] = acc[p][1] = (int16)(0);
  }
  __global const int *xi = (__global const int *)x;
  __global const int *wi = (__global const int *)w;
  for (int c = 0; c < n / 4; c++) {
    int16 wv[2];
    _Pragma("unroll") for (int v = 0; v < 2; v++) {
      wv[v] = vload16(0, wi + c * 32 + v * 16);
    }
    _Pragma("unroll") for (int p = 0; p < 4; p++) {
      const int16 xv = (int16)(xi[p * (n / 4) + c]);
      _Pragma("unroll") for (int v = 0; v < 2; v++) {
        DPBUSD(acc[p][v], xv, wv[v]);
      }
    }
  }
  _Pragma("unroll") for (int p = 0; p < 4; p++) {
    vstore16(acc[p][0], 2 * p, y);
    vstore16(acc[p][1], 2 * p + 1, y);
  }
}
CL
cat >"$dir/h.c" <<'C'
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <string.h>
/* Runs vnni_asm (n bytes of x and w) or vnni_tile (4 pixels of n
 * channels) on x and w and compares the 16 or 128 results with C's. */
static int check_(cl_context c, cl_command_queue q, cl_program pr,
                  const char *name, int n, int tile) {
  static unsigned char x[1024];
  static signed char w[8192];
  unsigned s = 12345;
  for (int i = 0; i < 8192; i++) {
    s = s * 1103515245u + 12345u;
    if (i < 1024) {
      x[i] = i < 64 ? 255 : (unsigned char)(s >> 16);
    }
    w[i] = i < 64 ? -128 : (signed char)(s >> 8);
  }
  cl_int e;
  cl_mem bx = clCreateBuffer(c, CL_MEM_COPY_HOST_PTR, sizeof x, x, &e);
  cl_mem bw = clCreateBuffer(c, CL_MEM_COPY_HOST_PTR, sizeof w, w, &e);
  cl_mem by = clCreateBuffer(c, CL_MEM_READ_WRITE, 128 * 4, NULL, &e);
  cl_kernel k = clCreateKernel(pr, name, &e);
  clSetKernelArg(k, 0, sizeof bx, &bx);
  clSetKernelArg(k, 1, sizeof bw, &bw);
  clSetKernelArg(k, 2, sizeof by, &by);
  clSetKernelArg(k, 3, sizeof n, &n);
  size_t g = 1;
  clEnqueueNDRangeKernel(q, k, 1, NULL, &g, &g, 0, NULL, NULL);
  int y[128];
  clEnqueueReadBuffer(q, by, CL_TRUE, 0, sizeof y, y, 0, NULL, NULL);
  const int m = tile ? 128 : 16;
  int bad = 0;
  for (int o = 0; o < m; o++) {
    int ref = 0;
    if (tile) { /* o = (pixel * 2 + vector) * 16 + lane */
      const int p = o / 32, oc = o % 32;
      for (int ch = 0; ch < n; ch++) {
        ref += x[p * n + ch] * w[((ch / 4) * 32 + oc) * 4 + ch % 4];
      }
    } else {
      for (int i = 0; i < n; i += 64) {
        for (int j = 0; j < 4; j++) {
          ref += x[i + 4 * o + j] * w[i + 4 * o + j];
        }
      }
    }
    bad += y[o] != ref;
  }
  printf("%s: %d of %d sums as C's\n", name, m - bad, m);
  return bad;
}
int main(int argc, char **argv) {
  cl_platform_id p;
  cl_device_id d;
  cl_int e;
  clGetPlatformIDs(1, &p, NULL);
  clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &d, NULL);
  char name[256], ext[8192];
  clGetDeviceInfo(d, CL_DEVICE_NAME, sizeof name, name, NULL);
  clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, sizeof ext, ext, NULL);
  printf("device: %s\ncl_khr_integer_dot_product: %s\n", name,
         strstr(ext, "cl_khr_integer_dot_product") ? "yes" : "no");
  static char src[1 << 16];
  FILE *f = fopen(argv[1], "r");
  src[fread(src, 1, sizeof src - 1, f)] = 0;
  fclose(f);
  const char *s = src;
  cl_context c = clCreateContext(NULL, 1, &d, NULL, NULL, &e);
  cl_program pr = clCreateProgramWithSource(c, 1, &s, NULL, &e);
  if (clBuildProgram(pr, 1, &d, "", NULL, NULL) != CL_SUCCESS) {
    static char log[1 << 16];
    clGetProgramBuildInfo(pr, d, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
    printf("build failed:\n%s\n", log);
    return 1;
  }
  cl_command_queue q = clCreateCommandQueue(c, d, 0, &e);
  cl_mem b = clCreateBuffer(c, CL_MEM_READ_WRITE, 4096, NULL, &e);
  const char *names[6] = {"dot4",
                          "dotloop",
                          "pairs",
                          "pairs_no_opaque",
                          "pairs_opaque_x_only",
                          "pairs_int_weights"};
  for (int i = 0; i < 6; i++) {
    cl_kernel k = clCreateKernel(pr, names[i], &e);
    int n = 256;
    clSetKernelArg(k, 0, sizeof b, &b);
    clSetKernelArg(k, 1, sizeof b, &b);
    clSetKernelArg(k, 2, sizeof b, &b);
    clSetKernelArg(k, 3, sizeof n, &n);
    size_t g = 16, l = i == 1 ? 16 : 1;
    clEnqueueNDRangeKernel(q, k, 1, NULL, &g, &l, 0, NULL, NULL);
  }
  clFinish(q);
  int bad = 0;
  if (argc > 2 && strcmp(argv[2], "vnni") == 0) {
    bad += check_(c, q, pr, "vnni_asm", 1024, 0);
    bad += check_(c, q, pr, "vnni_tile", 256, 1);
  } else {
    printf("vnni_asm, vnni_tile: not run (no avx512_vnni in /proc/cpuinfo)\n");
  }
  return bad != 0;
}
C
cc "$dir/h.c" -o "$dir/h" -lOpenCL
mkdir "$dir/cache"
vnni=no
if grep -qw avx512_vnni /proc/cpuinfo; then
  vnni=vnni
fi
rc=0
POCL_CACHE_DIR="$dir/cache" POCL_LEAVE_KERNEL_COMPILER_TEMP_FILES=1 \
  "$dir/h" "$dir/k.cl" "$vnni" || rc=$?
for so in $(find "$dir/cache" -name '*.so' | sort); do
  n=$(basename "$so" .so)
  objdump -d --no-show-raw-insn "$so" >"$dir/$n.s"
  echo "$n: $(grep -c vpdpbusd "$dir/$n.s") vpdpbusd," \
    "$(grep -c vpmaddwd "$dir/$n.s") vpmaddwd, $(grep -c vpmulld "$dir/$n.s") vpmulld," \
    "$(grep -c vpaddd "$dir/$n.s") vpaddd"
done
echo "dot4's inner loop (first lines with vpmaddwd):"
grep -m 4 -B 2 vpmaddwd "$dir/dot4.s" | sed 's/^/  /'
echo "pairs' inner loop (4 pixels x 2 vectors of 16 outputs, one channel pair):"
sed -n '/<_pocl_kernel_pairs>:/,/ret/p' "$dir/pairs.s" |
  awk '/vbroadcastss|vpbroadcastd|vmovdqu|vpmaddwd|vpaddd|jb|jl|jne/' |
  sed -n '1,20p' | sed 's/^/  /'
if [ -f "$dir/vnni_tile.s" ]; then
  echo "vnni_tile's inner loop (4 pixels x 2 vectors of 16 outputs, one quad of channels):"
  sed -n '/<_pocl_kernel_vnni_tile>:/,/ret/p' "$dir/vnni_tile.s" |
    awk '/vbroadcastss|vpbroadcastd|vmovdqu|vmovups|vpdpbusd|jb|jl|jne/' |
    sed -n '1,16p' | sed 's/^/  /'
fi
exit "$rc"
