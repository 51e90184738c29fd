/*
 * OpenCL backend throughput against its peers, as a markdown table.
 *
 * Layers: a VGG-like 3x3 layer (64x56x56 -> 64, pad 1), ResNet-50 1x1 and
 * 3x3 shapes, AlexNet conv1 and AlexNet's first max pooling. For each: our
 * kernels in fp32 (GFLOP/s) and int8 with requantization (GOP/s), oneDNN
 * fp32 on the CPU (its own best layouts, weights and input reordered
 * outside the timing; and int8: u8 input, s8 weights and output), and
 * CLBlast's convgemm fp32 on the same OpenCL device. 1 MAC = 2 operations.
 *
 * Times are medians of --runs runs (default 7) after WARMUP untimed ones. Ours
 * and CLBlast's are kernel times from OpenCL event profiling (ours: every
 * kernel of the layer, the padding copy included; uploads and read-back
 * excluded); oneDNN's are wall times of execute + wait. All OpenCL runs go
 * first, then oneDNN, so that OpenMP's spinning threads cannot steal POCL's
 * cores.
 *
 * --algos compares the float32 convolution algorithms instead, on 3x3
 * layers of VGG-16 and ResNet-50, the lecture's ConvNet (9x9) and AlexNet
 * conv1 (11x11 stride 4): direct, Winograd, FFT and what --algo auto
 * picks, each against oneDNN's direct fp32 convolution, and a second table
 * with the main kernel's share of each algorithm's time (the GEMM's, for
 * the fast ones). For this one pin both to one core (taskset -c 0), as the
 * figures in the docs are.
 *
 * --direct times our direct float32 convolution against oneDNN's on the
 * conv layers of ResNet-50 and VGG-16, one run of each in turn; pin it to
 * one core (taskset -c 0) and give POCL one thread there
 * (POCL_MAX_PTHREAD_COUNT=1): two POCL threads on one core make a kernel
 * wait for whichever of them other work preempts.
 *
 * --int8 compares our integer formulations (the automatic choice, VNNI
 * where it can run, and the two that run everywhere) with oneDNN's int8
 * on the same layers (see int8_ below); pin it to one core too.
 *
 * Usage: bench_ocl [--runs N] [--min] [--sweep] [--no-peers] [--algos]
 *                  [--direct] [--only NAME] [--tile W,OV] [--wino M]
 *                  [--fft N] [--int8]
 *   POCL uses every core: do not pin it with taskset. Select the device as
 *   the library does (NEOCOG_CL_PLATFORM / NEOCOG_CL_DEVICE).
 *   --sweep times the tiled conv kernel's tunables on the VGG layer.
 *   --min reports the best run instead of the median (for tuning on a
 *   machine shared with other work).
 *   --only NAME keeps the --algos / --direct / --int8 layers whose name
 *   contains NAME. --tile W,OV sets the direct kernel's tile for --direct (W
 *   output columns times OV 16-channel vectors per work-item). --wino M
 *   fixes Winograd's output tile (2 or 4) in --algos, --fft N the FFT's
 *   size (8, 16, 32 or 64).
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <clblast_c.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_util.h"
#include "neocog/layer.h"
#include "neocog/ocl.h"
#include "neocog/rng.h"

/* Untimed runs first: the first few launches on POCL run at half speed
 * (thread and clock ramp-up), and the first one compiles. */
#define WARMUP 10
static int warmup_ = WARMUP;

static int runs_ = 7;
static int use_min_ = 0; /* --min: best run instead of the median */
static const char *only_ = NULL;      /* --only: layers whose name has this */
static int tile_w_ = 0, tile_ov_ = 0; /* --tile: the direct kernel's tile */
static int wino_m_ = 0;   /* --wino M: Winograd's output tile for --algos */
static int fft_n_ = 0;    /* --fft N: the FFT's size for --algos */
static double last_main_; /* ours_(): median time of the compute kernel */

typedef struct {
  const char *name;
  int64_t h, w, c, o, k, s, p;
  int pool; /* 1: max pooling, window k, stride s */
} shape_t;

static const shape_t shapes_[] = {
    {"VGG 3x3 64x56x56->64 p1", 56, 56, 64, 64, 3, 1, 1, 0},
    {"ResNet-50 1x1 256x56x56->64", 56, 56, 256, 64, 1, 1, 0, 0},
    {"ResNet-50 1x1 64x56x56->256", 56, 56, 64, 256, 1, 1, 0, 0},
    {"ResNet-50 3x3 128x28x28->128 p1", 28, 28, 128, 128, 3, 1, 1, 0},
    {"ResNet-50 3x3 256x14x14->256 p1", 14, 14, 256, 256, 3, 1, 1, 0},
    {"AlexNet conv1 3x227x227->96 11/4", 227, 227, 3, 96, 11, 4, 0, 0},
    {"AlexNet pool1 max 3/2 96x55x55", 55, 55, 96, 96, 3, 2, 0, 1},
};
#define NSHAPES (int)(sizeof shapes_ / sizeof shapes_[0])

typedef struct {
  double ours_f32, ours_i8, dnnl_f32, dnnl_i8, clblast_f32; /* s, 0: none */
  const char *kernel;
} result_t;

/* The median of the runs, or with --min the best one. */
static double median_(double *v, int n) {
  double m = nc_bench_median(v, n);
  return use_min_ ? v[0] : m;
}

/* The lecture's (D + 2P - K) / S + 1 through the library's own rule; the
 * benchmark shapes are valid by construction. */
static int64_t out_dim_(int64_t d, int64_t k, int64_t s, int64_t p) {
  int64_t o = 0;
  return nc_out_dim(d, k, s, p, p, 1, &o) == NC_OK ? o : 0;
}

static double macs_(const shape_t *s) {
  int64_t oh = out_dim_(s->h, s->k, s->s, s->p);
  int64_t ow = out_dim_(s->w, s->k, s->s, s->p);
  return (double)(oh * ow * s->o * s->k * s->k * s->c);
}

static void die_(const char *what, int st) {
  fprintf(stderr, "bench_ocl: %s failed: %d %s\n", what, st, nc_error_detail());
  exit(1);
}

/* Our kernels: median kernel time of one layer. */
static double ours_(nc_ocl_t *c, const shape_t *s, nc_dtype_t dt,
                    const char **kernel) {
  nc_rng_t r;
  nc_rng_seed(&r, 1);
  const int64_t xs[4] = {1, s->h, s->w, s->c};
  const int64_t ws[4] = {s->o, s->k, s->k, s->c};
  const int64_t bs[1] = {s->o};
  const int fl = dt == NC_DTYPE_FLOAT32;
  nc_tensor_t x, w, b, y;
  memset(&w, 0, sizeof w);
  memset(&b, 0, sizeof b);
  nc_layer_t l;
  nc_layer_init(&l, s->pool ? NC_LAYER_MAXPOOL : NC_LAYER_CONV2D);
  l.stride_h = l.stride_w = (int)s->s;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = (int)s->p;
  int st = nc_tensor_alloc(&x, dt, 4, xs);
  if (st != NC_OK) {
    die_("alloc", st);
  }
  nc_rng_fill(&r, &x, -1.0, 1.0);
  if (s->pool) {
    l.pool_h = l.pool_w = (int)s->k;
  } else {
    if (nc_tensor_alloc(&w, dt, 4, ws) != NC_OK ||
        nc_tensor_alloc(&b, fl ? NC_DTYPE_FLOAT32 : NC_DTYPE_INT32, 1, bs) !=
            NC_OK) {
      die_("alloc", NC_ERR_NOMEM);
    }
    nc_rng_fill(&r, &w, -1.0, 1.0);
    nc_rng_fill(&r, &b, -1.0, 1.0);
    if (!fl) {
      nc_rng_fill(&r, &x, -128, 127);
      nc_rng_fill(&r, &w, -128, 127);
      nc_rng_fill(&r, &b, -1000, 1000);
      l.in_zp = 3;
      l.pad_value = 3;
      st = nc_requant_init(&l.rq, NC_DTYPE_INT8, 1e-4, -2);
      if (st != NC_OK) {
        die_("requant", st);
      }
    } else {
      l.act = NC_ACT_RELU;
    }
  }
  double t[64], tm[64];
  for (int i = -warmup_; i < runs_; i++) {
    st = nc_ocl_run_layer(c, &l, &x, s->pool ? NULL : &w, s->pool ? NULL : &b,
                          &y);
    if (st != NC_OK) {
      die_("nc_ocl_run_layer", st);
    }
    nc_tensor_free(&y);
    nc_ocl_profile_t p;
    nc_ocl_last_profile(c, &p);
    if (i >= 0) {
      t[i] = 1e-9 * (double)p.kernel_ns;
      tm[i] = 1e-9 * (double)p.main_ns;
    }
    *kernel = p.kernel;
  }
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  last_main_ = median_(tm, runs_);
  return median_(t, runs_);
}

/* CLBlast convgemm (NCHW, weights [O][C][KH][KW]) on the same device. */
static double clblast_(cl_context ctx, cl_command_queue q, const shape_t *s) {
  if (s->pool) {
    return 0.0;
  }
  int64_t oh = out_dim_(s->h, s->k, s->s, s->p);
  int64_t ow = out_dim_(s->w, s->k, s->s, s->p);
  size_t xb = (size_t)(s->c * s->h * s->w) * 4;
  size_t wb = (size_t)(s->o * s->c * s->k * s->k) * 4;
  size_t yb = (size_t)(s->o * oh * ow) * 4;
  float *host = calloc(1, xb > wb ? xb : wb);
  for (size_t i = 0; i < (xb > wb ? xb : wb) / 4; i++) {
    host[i] = (float)((i * 7919u) % 200u) / 100.0f - 1.0f;
  }
  cl_int err = CL_SUCCESS;
  cl_mem x = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, xb,
                            host, &err);
  cl_mem w = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, wb,
                            host, &err);
  cl_mem y = clCreateBuffer(ctx, CL_MEM_READ_WRITE, yb, NULL, &err);
  free(host);
  double t[64];
  double res = 0.0;
  for (int i = -WARMUP; i < runs_; i++) {
    cl_event ev = NULL;
    CLBlastStatusCode cs =
        CLBlastSconvgemm(CLBlastKernelModeCrossCorrelation, (size_t)s->c,
                         (size_t)s->h, (size_t)s->w, (size_t)s->k, (size_t)s->k,
                         (size_t)s->p, (size_t)s->p, (size_t)s->s, (size_t)s->s,
                         1, 1, (size_t)s->o, 1, x, 0, w, 0, y, 0, &q, &ev);
    if (cs != CLBlastSuccess) {
      fprintf(stderr, "bench_ocl: CLBlastSconvgemm: status %d\n", (int)cs);
      goto out;
    }
    clWaitForEvents(1, &ev);
    cl_ulong t0 = 0, t1 = 0;
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0,
                            NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    if (i >= 0) {
      t[i] = 1e-9 * (double)(t1 - t0);
    }
  }
  res = median_(t, runs_);
out:
  clReleaseMemObject(x);
  clReleaseMemObject(w);
  clReleaseMemObject(y);
  return res;
}

#define DNNL_OK(call)                                                     \
  do {                                                                    \
    dnnl_status_t s_ = (call);                                            \
    if (s_ != dnnl_success) {                                             \
      fprintf(stderr, "bench_ocl: %s: dnnl status %d\n", #call, (int)s_); \
      exit(1);                                                            \
    }                                                                     \
  } while (0)

/* A oneDNN memory of descriptor md, filled with a pattern (floats in
 * [-1, 1), or small bytes for integer memories). */
static dnnl_memory_t dmem_(const dnnl_memory_desc_t *md, dnnl_engine_t eng) {
  dnnl_memory_t m;
  DNNL_OK(dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE));
  void *p = NULL;
  DNNL_OK(dnnl_memory_get_data_handle(m, &p));
  size_t bytes = dnnl_memory_desc_get_size(md);
  if (md->data_type == dnnl_f32) {
    for (size_t i = 0; i < bytes / 4; i++) {
      ((float *)p)[i] = (float)((i * 7919u) % 200u) / 100.0f - 1.0f;
    }
  } else {
    for (size_t i = 0; i < bytes; i++) {
      ((unsigned char *)p)[i] = (unsigned char)((i * 7919u) % 100u);
    }
  }
  return m;
}

/* A oneDNN primitive with its memories, ready to execute. */
typedef struct {
  dnnl_primitive_t prim;
  dnnl_memory_t mem[5];
  dnnl_exec_arg_t args[5];
  int nargs;
} dnnl_layer_t;

/* oneDNN forward inference, layouts chosen by oneDNN: fp32, or int8 (u8
 * input, s8 weights, s32 bias, s8 output through an output scale; int8
 * pooling is s8). */
static void dnnl_setup_(dnnl_engine_t eng, const shape_t *s, int int8,
                        dnnl_layer_t *dl) {
  const dnnl_data_type_t xt = int8 ? dnnl_u8 : dnnl_f32;
  const dnnl_data_type_t wt = int8 ? dnnl_s8 : dnnl_f32;
  const dnnl_data_type_t bt = int8 ? dnnl_s32 : dnnl_f32;
  const dnnl_data_type_t yt = int8 ? dnnl_s8 : dnnl_f32;
  int64_t oh = out_dim_(s->h, s->k, s->s, s->p);
  int64_t ow = out_dim_(s->w, s->k, s->s, s->p);
  dnnl_dims_t xd = {1, s->c, s->h, s->w}, yd = {1, s->o, oh, ow};
  dnnl_dims_t wd = {s->o, s->c, s->k, s->k}, bd = {s->o};
  dnnl_dims_t st = {s->s, s->s}, pad = {s->p, s->p}, ker = {s->k, s->k};
  dnnl_memory_desc_t xmd, ymd, wmd, bmd;
  dnnl_primitive_desc_t pd;
  memset(dl, 0, sizeof *dl);
  if (s->pool) {
    DNNL_OK(dnnl_memory_desc_init_by_tag(&xmd, 4, xd, yt, dnnl_nhwc));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&ymd, 4, yd, yt, dnnl_nhwc));
    dnnl_pooling_desc_t d;
    DNNL_OK(dnnl_pooling_forward_desc_init(&d, dnnl_forward_inference,
                                           dnnl_pooling_max, &xmd, &ymd, st,
                                           ker, pad, pad));
    DNNL_OK(dnnl_primitive_desc_create(&pd, &d, NULL, eng, NULL));
  } else {
    DNNL_OK(dnnl_memory_desc_init_by_tag(&xmd, 4, xd, xt, dnnl_format_tag_any));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&ymd, 4, yd, yt, dnnl_format_tag_any));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&wmd, 4, wd, wt, dnnl_format_tag_any));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, bt, dnnl_x));
    dnnl_convolution_desc_t d;
    DNNL_OK(dnnl_convolution_forward_desc_init(&d, dnnl_forward_inference,
                                               dnnl_convolution_direct, &xmd,
                                               &wmd, &bmd, &ymd, st, pad, pad));
    dnnl_primitive_attr_t attr = NULL;
    if (int8) {
      const float scale = 1e-4f;
      DNNL_OK(dnnl_primitive_attr_create(&attr));
      DNNL_OK(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale));
    }
    DNNL_OK(dnnl_primitive_desc_create(&pd, &d, attr, eng, NULL));
    if (attr != NULL) {
      dnnl_primitive_attr_destroy(attr);
    }
  }
  DNNL_OK(dnnl_primitive_create(&dl->prim, pd));
  const struct {
    dnnl_query_t q;
    int idx, arg;
  } ms[] = {{dnnl_query_src_md, 0, DNNL_ARG_SRC},
            {dnnl_query_dst_md, 0, DNNL_ARG_DST},
            {dnnl_query_weights_md, 0, DNNL_ARG_WEIGHTS},
            {dnnl_query_weights_md, 1, DNNL_ARG_BIAS},
            {dnnl_query_workspace_md, 0, DNNL_ARG_WORKSPACE}};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
    const int conv_arg = ms[i].arg != DNNL_ARG_WORKSPACE;
    if (s->pool ? ms[i].arg == DNNL_ARG_WEIGHTS || ms[i].arg == DNNL_ARG_BIAS
                : !conv_arg) {
      continue;
    }
    const dnnl_memory_desc_t *md =
        dnnl_primitive_desc_query_md(pd, ms[i].q, ms[i].idx);
    if (md == NULL || dnnl_memory_desc_get_size(md) == 0) {
      continue;
    }
    dl->mem[dl->nargs] = dmem_(md, eng);
    dl->args[dl->nargs] = (dnnl_exec_arg_t){ms[i].arg, dl->mem[dl->nargs]};
    dl->nargs++;
  }
  dnnl_primitive_desc_destroy(pd);
}

/* Wall time of one execute + wait. */
static double dnnl_once_(dnnl_stream_t strm, const dnnl_layer_t *dl) {
  double t0 = nc_bench_now();
  DNNL_OK(dnnl_primitive_execute(dl->prim, strm, dl->nargs, dl->args));
  DNNL_OK(dnnl_stream_wait(strm));
  return nc_bench_now() - t0;
}

static void dnnl_free_(dnnl_layer_t *dl) {
  for (int i = 0; i < dl->nargs; i++) {
    dnnl_memory_destroy(dl->mem[i]);
  }
  dnnl_primitive_destroy(dl->prim);
}

/* oneDNN's median time of a layer, after warmup_ untimed runs. */
static double dnnl_(dnnl_engine_t eng, dnnl_stream_t strm, const shape_t *s,
                    int int8) {
  dnnl_layer_t dl;
  dnnl_setup_(eng, s, int8, &dl);
  double t[64];
  for (int i = -warmup_; i < runs_; i++) {
    const double ti = dnnl_once_(strm, &dl);
    if (i >= 0) {
      t[i] = ti;
    }
  }
  dnnl_free_(&dl);
  return median_(t, runs_);
}

/* The float32 conv layers of --algos. */
static const shape_t algo_shapes_[] = {
    {"VGG-16 conv1_2 3x3 64x224x224->64", 224, 224, 64, 64, 3, 1, 1, 0},
    {"VGG-16 conv2_2 3x3 128x112x112->128", 112, 112, 128, 128, 3, 1, 1, 0},
    {"VGG-16 conv3_x 3x3 256x56x56->256", 56, 56, 256, 256, 3, 1, 1, 0},
    {"VGG-16 conv4_x 3x3 512x28x28->512", 28, 28, 512, 512, 3, 1, 1, 0},
    {"VGG-16 conv5_x 3x3 512x14x14->512", 14, 14, 512, 512, 3, 1, 1, 0},
    {"ResNet-50 3x3 64x56x56->64", 56, 56, 64, 64, 3, 1, 1, 0},
    {"ResNet-50 3x3 128x28x28->128", 28, 28, 128, 128, 3, 1, 1, 0},
    {"ResNet-50 3x3 256x14x14->256", 14, 14, 256, 256, 3, 1, 1, 0},
    {"ResNet-50 3x3 512x7x7->512", 7, 7, 512, 512, 3, 1, 1, 0},
    {"ConvNet conv1 9x9 3x83x83->64", 83, 83, 3, 64, 9, 1, 0, 0},
    {"ConvNet conv2 9x9 64x14x14->256", 14, 14, 64, 256, 9, 1, 0, 0},
    {"AlexNet conv1 11x11/4 3x227x227->96", 227, 227, 3, 96, 11, 4, 0, 0},
};

/* One run of the algorithm table: each algorithm's median time of each
 * layer (the direct MACs over it as GMAC/s), oneDNN's direct, and what
 * auto picked. On a machine shared with other work the load changes over
 * minutes, so the runs of one layer are interleaved: each round times one
 * run of every variant of ours and one of oneDNN's, and the medians are
 * over the rounds. Pinned to one core (as this table is meant to be run),
 * OpenMP has no worker thread left spinning to take POCL's core. */
static void algos_(nc_ocl_t *c, int peers) {
  const int n = (int)(sizeof algo_shapes_ / sizeof algo_shapes_[0]);
  static const nc_ocl_algo_t algos[4] = {
      NC_OCL_ALGO_DIRECT, NC_OCL_ALGO_WINOGRAD, NC_OCL_ALGO_FFT,
      NC_OCL_ALGO_AUTO};
  double t[16][5];
  char picked[16][4][40];
  memset(t, 0, sizeof t);
  warmup_ = 2;
  nc_ocl_tuning_t tune;
  memset(&tune, 0, sizeof tune);
  tune.wino_m = wino_m_;
  tune.fft_n = fft_n_;
  if (nc_ocl_set_tuning(c, &tune) != NC_OK) {
    die_("nc_ocl_set_tuning", NC_ERR_INVALID_ARG);
  }
  nc_ocl_cost_t m;
  int st = nc_ocl_cost_model(c, &m);
  if (st != NC_OK) {
    die_("nc_ocl_cost_model", st);
  }
  printf("cost model (%s): direct %.4f ns/MAC, transform GEMM %.4f ns/MAC, "
         "Winograd %.3f ns/point, FFT %.4f ns/point/stage\n\n",
         m.from_cache ? "cached" : "calibrated now", m.direct_ns_mac,
         m.gemm_ns_mac, m.wino_ns_pt, m.fft_ns_pt);
  dnnl_engine_t eng = NULL;
  dnnl_stream_t strm = NULL;
  if (peers) {
    DNNL_OK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    DNNL_OK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
  }
  const int rounds = runs_;
  double v[5][64], vm[3][64];
  double share[16][3]; /* median main-kernel time over total, per algo */
  memset(share, 0, sizeof share);
  for (int i = 0; i < n; i++) {
    if (only_ != NULL && strstr(algo_shapes_[i].name, only_) == NULL) {
      continue;
    }
    dnnl_layer_t dl;
    if (peers) {
      dnnl_setup_(eng, &algo_shapes_[i], 0, &dl);
    }
    for (int rd = -1; rd < rounds; rd++) {
      /* Round -1 compiles and warms up; its times are dropped. */
      warmup_ = rd < 0 ? 2 : 0;
      runs_ = 1;
      for (int a = 0; a < 4; a++) {
        if (nc_ocl_set_algo(c, algos[a]) != NC_OK) {
          die_("nc_ocl_set_algo", NC_ERR_INVALID_ARG);
        }
        const char *kn = NULL;
        const double ta = ours_(c, &algo_shapes_[i], NC_DTYPE_FLOAT32, &kn);
        nc_ocl_profile_t p;
        nc_ocl_last_profile(c, &p);
        nc_ocl_algo_describe(p.algo, p.algo_tile, picked[i][a],
                             sizeof picked[i][a]);
        if (rd >= 0) {
          v[a][rd] = ta;
          if (a < 3) {
            vm[a][rd] = last_main_;
          }
        }
      }
      for (int k = 0; peers && k < (rd < 0 ? 3 : 1); k++) {
        const double td = dnnl_once_(strm, &dl);
        if (rd >= 0) {
          v[4][rd] = td;
        }
      }
    }
    runs_ = rounds;
    for (int a = 0; a < (peers ? 5 : 4); a++) {
      t[i][a] = median_(v[a], rounds);
      if (a < 3) {
        share[i][a] = median_(vm[a], rounds) / t[i][a];
      }
    }
    if (peers) {
      dnnl_free_(&dl);
    }
  }
  if (peers) {
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
  }
  printf("| layer | GMAC | direct | Winograd | FFT | auto | oneDNN direct "
         "| best/oneDNN | auto/oneDNN | auto picked |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < n; i++) {
    const shape_t *s = &algo_shapes_[i];
    if (only_ != NULL && strstr(s->name, only_) == NULL) {
      continue;
    }
    char f[5][48];
    double best = t[i][0];
    for (int a = 0; a < 5; a++) {
      if (t[i][a] <= 0) {
        snprintf(f[a], sizeof f[a], "-");
        continue;
      }
      if (a < 3 && t[i][a] < best) {
        best = t[i][a];
      }
      /* A column whose algorithm could not take the layer ran direct. */
      const int fell_back = (a == 1 || a == 2) &&
                            strcmp(picked[i][a], "direct") == 0;
      snprintf(f[a], sizeof f[a], "%.1f%s%s%s", 1e-9 * macs_(s) / t[i][a],
               a < 3 && !fell_back && a > 0 ? " (" : "",
               a < 3 && !fell_back && a > 0 ? picked[i][a] : "",
               a < 3 && !fell_back && a > 0 ? ")" : (fell_back ? " (n/a)" : ""));
    }
    char rb[16] = "-", ra[16] = "-";
    if (t[i][4] > 0) {
      snprintf(rb, sizeof rb, "%.2fx", t[i][4] / best);
      snprintf(ra, sizeof ra, "%.2fx", t[i][4] / t[i][3]);
    }
    printf("| %s | %.3f | %s | %s | %s | %s | %s | %s | %s | %s |\n", s->name,
           1e-9 * macs_(s), f[0], f[1], f[2], f[3], f[4], rb, ra,
           picked[i][3]);
  }
  printf("\nGMAC/s of the direct convolution's MACs (so a fast algorithm "
         "shows its effective rate); ratios: oneDNN's time over ours.\n");
  printf("\n| layer | direct: conv kernel | Winograd: GEMM | FFT: GEMM |\n");
  printf("|---|---:|---:|---:|\n");
  for (int i = 0; i < n; i++) {
    if (only_ != NULL && strstr(algo_shapes_[i].name, only_) == NULL) {
      continue;
    }
    printf("| %s | %.0f%% | %.0f%% | %.0f%% |\n", algo_shapes_[i].name,
           100.0 * share[i][0], 100.0 * share[i][1], 100.0 * share[i][2]);
  }
  printf(
      "\nThe main kernel's share of each algorithm's time (medians; "
      "the rest: padding copy, or the input and output transforms).\n");
}

/* The ResNet-50 and VGG-16 conv layers of --direct (each shape once). */
static const shape_t direct_shapes_[] = {
    {"VGG-16 conv1_1 3x3 3x224x224->64", 224, 224, 3, 64, 3, 1, 1, 0},
    {"VGG-16 conv1_2 3x3 64x224x224->64", 224, 224, 64, 64, 3, 1, 1, 0},
    {"VGG-16 conv2_1 3x3 64x112x112->128", 112, 112, 64, 128, 3, 1, 1, 0},
    {"VGG-16 conv2_2 3x3 128x112x112->128", 112, 112, 128, 128, 3, 1, 1, 0},
    {"VGG-16 conv3_1 3x3 128x56x56->256", 56, 56, 128, 256, 3, 1, 1, 0},
    {"VGG-16 conv3_x 3x3 256x56x56->256", 56, 56, 256, 256, 3, 1, 1, 0},
    {"VGG-16 conv4_1 3x3 256x28x28->512", 28, 28, 256, 512, 3, 1, 1, 0},
    {"VGG-16 conv4_x 3x3 512x28x28->512", 28, 28, 512, 512, 3, 1, 1, 0},
    {"VGG-16 conv5_x 3x3 512x14x14->512", 14, 14, 512, 512, 3, 1, 1, 0},
    {"ResNet-50 conv1 7x7/2 3x224x224->64", 224, 224, 3, 64, 7, 2, 3, 0},
    {"ResNet-50 1x1 64x56x56->64", 56, 56, 64, 64, 1, 1, 0, 0},
    {"ResNet-50 3x3 64x56x56->64", 56, 56, 64, 64, 3, 1, 1, 0},
    {"ResNet-50 1x1 64x56x56->256", 56, 56, 64, 256, 1, 1, 0, 0},
    {"ResNet-50 1x1 256x56x56->64", 56, 56, 256, 64, 1, 1, 0, 0},
    {"ResNet-50 1x1 256x56x56->128", 56, 56, 256, 128, 1, 1, 0, 0},
    {"ResNet-50 3x3/2 128x56x56->128", 56, 56, 128, 128, 3, 2, 1, 0},
    {"ResNet-50 3x3 128x28x28->128", 28, 28, 128, 128, 3, 1, 1, 0},
    {"ResNet-50 1x1 128x28x28->512", 28, 28, 128, 512, 1, 1, 0, 0},
    {"ResNet-50 1x1 512x28x28->128", 28, 28, 512, 128, 1, 1, 0, 0},
    {"ResNet-50 3x3 256x14x14->256", 14, 14, 256, 256, 3, 1, 1, 0},
    {"ResNet-50 1x1 256x14x14->1024", 14, 14, 256, 1024, 1, 1, 0, 0},
    {"ResNet-50 1x1 1024x14x14->256", 14, 14, 1024, 256, 1, 1, 0, 0},
    {"ResNet-50 3x3 512x7x7->512", 7, 7, 512, 512, 3, 1, 1, 0},
    {"ResNet-50 1x1 512x7x7->2048", 7, 7, 512, 2048, 1, 1, 0, 0},
    {"ResNet-50 1x1 2048x7x7->512", 7, 7, 2048, 512, 1, 1, 0, 0},
};

/* --direct: our direct float32 convolution against oneDNN's on every
 * layer of direct_shapes_, interleaved run by run (one of ours, one of
 * oneDNN's) so that both meet the same load; medians over the rounds.
 * Pin to one core: with OpenMP on one thread no spinning worker is left
 * behind to take POCL's core. */
static void direct_(nc_ocl_t *c) {
  const int n = (int)(sizeof direct_shapes_ / sizeof direct_shapes_[0]);
  nc_ocl_tuning_t tune;
  memset(&tune, 0, sizeof tune);
  tune.algo = NC_OCL_ALGO_DIRECT;
  tune.tile_w = tile_w_;
  tune.tile_ov = tile_ov_;
  if (nc_ocl_set_tuning(c, &tune) != NC_OK) {
    die_("nc_ocl_set_tuning", NC_ERR_INVALID_ARG);
  }
  dnnl_engine_t eng = NULL;
  dnnl_stream_t strm = NULL;
  DNNL_OK(dnnl_engine_create(&eng, dnnl_cpu, 0));
  DNNL_OK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
  printf(
      "| layer | GMAC | ours GMAC/s | oneDNN GMAC/s | ours/oneDNN "
      "| our kernel | its share |\n");
  printf("|---|---:|---:|---:|---:|---|---:|\n");
  const int rounds = runs_;
  for (int i = 0; i < n; i++) {
    const shape_t *s = &direct_shapes_[i];
    if (only_ != NULL && strstr(s->name, only_) == NULL) {
      continue;
    }
    dnnl_layer_t dl;
    dnnl_setup_(eng, s, 0, &dl);
    double to[64], td[64], tmain[64];
    const char *kn = NULL;
    runs_ = 5;
    warmup_ = 1;
    (void)ours_(c, s, NC_DTYPE_FLOAT32, &kn);
    for (int k = 0; k < 5; k++) {
      (void)dnnl_once_(strm, &dl);
    }
    runs_ = 1;
    warmup_ = 0;
    for (int rd = 0; rd < rounds; rd++) {
      to[rd] = ours_(c, s, NC_DTYPE_FLOAT32, &kn);
      tmain[rd] = last_main_;
      td[rd] = dnnl_once_(strm, &dl);
    }
    runs_ = rounds;
    dnnl_free_(&dl);
    const double mo = median_(to, rounds), md = median_(td, rounds);
    const double mm = median_(tmain, rounds);
    printf("| %s | %.3f | %.1f | %.1f | %.0f%% | %s | %.0f%% |\n", s->name,
           1e-9 * macs_(s), 1e-9 * macs_(s) / mo, 1e-9 * macs_(s) / md,
           100.0 * md / mo, kn, 100.0 * mm / mo);
    fflush(stdout);
  }
  dnnl_stream_destroy(strm);
  dnnl_engine_destroy(eng);
  printf(
      "\nGMAC/s: the layer's MACs over the median time; ours: kernel "
      "time (padding copy included), oneDNN: wall time; its share: the "
      "compute kernel's median time over ours.\n");
}

/* --int8: the main table's layers in int8, our formulations of the tiled
 * conv against oneDNN's int8: the one the context picks (auto: nc_conv_vnni,
 * vpdpbusd in inline asm, where it can run, else nc_conv_pairs), and the
 * two that run everywhere (nc_conv_pairs: 16-bit pairs with integer
 * multiply-adds; nc_conv_tiled: exact float products in chunks),
 * interleaved: each round times --runs runs of each after one warm-up
 * run, and the figures are medians over five rounds, so that a change of
 * load on a shared machine hits all four alike. For one pinned core
 * (taskset -c 0), as the figures in the docs are. */
static void int8_(nc_ocl_t *c, int peers) {
  enum { NF = 3, ROUNDS = 5 };
  static const nc_ocl_int8_t forms[NF] = {NC_OCL_INT8_AUTO, NC_OCL_INT8_PAIRS,
                                          NC_OCL_INT8_FLOAT};
  dnnl_engine_t eng = NULL;
  dnnl_stream_t strm = NULL;
  if (peers) {
    DNNL_OK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    DNNL_OK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
  }
  printf("| layer | GMAC | auto (kernel) GOP/s | pairs GOP/s | float chunks "
         "GOP/s | oneDNN int8 GOP/s | auto/oneDNN | pairs/oneDNN | "
         "auto/pairs |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  const int runs = runs_;
  for (int i = 0; i < NSHAPES; i++) {
    const shape_t *s = &shapes_[i];
    if (only_ != NULL && strstr(s->name, only_) == NULL) {
      continue;
    }
    double v[NF + 1][ROUNDS], t[NF + 1];
    const char *auto_k = "?";
    for (int rd = -1; rd < ROUNDS; rd++) {
      /* Round -1 compiles and warms up; its times are dropped. */
      warmup_ = rd < 0 ? WARMUP : 1;
      runs_ = runs;
      for (int f = 0; f < NF; f++) {
        nc_ocl_tuning_t tu;
        memset(&tu, 0, sizeof tu);
        tu.int8 = forms[f];
        if (nc_ocl_set_tuning(c, &tu) != NC_OK) {
          die_("nc_ocl_set_tuning", NC_ERR_INVALID_ARG);
        }
        const char *kn = NULL;
        const double tf = ours_(c, s, NC_DTYPE_INT8, &kn);
        if (f == 0) {
          auto_k = strncmp(kn, "nc_conv_", 8) == 0 ? kn + 8 : kn;
        }
        if (rd >= 0) {
          v[f][rd] = tf;
        }
      }
      const double td = peers ? dnnl_(eng, strm, s, 1) : 0.0;
      if (rd >= 0) {
        v[NF][rd] = td;
      }
    }
    for (int k = 0; k <= NF; k++) {
      t[k] = nc_bench_median(v[k], ROUNDS);
    }
    char f[NF + 1][48], r[3][16];
    for (int k = 0; k <= NF; k++) {
      if (t[k] <= 0) {
        snprintf(f[k], sizeof f[k], "-");
      } else if (s->pool) {
        snprintf(f[k], sizeof f[k], "%.0f us", 1e6 * t[k]);
      } else {
        snprintf(f[k], sizeof f[k], "%.1f", 2e-9 * macs_(s) / t[k]);
      }
    }
    if (!s->pool) {
      const size_t used = strlen(f[0]);
      snprintf(f[0] + used, sizeof f[0] - used, " (%.24s)", auto_k);
    }
    const double num[3] = {t[NF], t[NF], t[1]}, den[3] = {t[0], t[1], t[0]};
    for (int k = 0; k < 3; k++) {
      snprintf(r[k], sizeof r[k], "-");
      if (num[k] > 0 && den[k] > 0) {
        snprintf(r[k], sizeof r[k], "%.0f%%", 100.0 * num[k] / den[k]);
      }
    }
    char gm[16] = "-";
    if (!s->pool) {
      snprintf(gm, sizeof gm, "%.3f", 1e-9 * macs_(s));
    }
    printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s->name, gm,
           f[0], f[1], f[2], f[3], r[0], r[1], r[2]);
    fflush(stdout);
  }
  runs_ = runs;
  if (peers) {
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
  }
  printf("\nratios: throughput of the first over the second (time of the "
         "second over the first); pooling has one formulation, in "
         "microseconds.\n");
}

/* Times the tiled conv kernel's tunables on the VGG layer. */
static void sweep_(nc_ocl_t *c) {
  static const int tws[] = {4, 6, 7, 8, 12, 14, 16, 28};
  static const int ovs[] = {1, 2, 4};
  static const int lss[][3] = {{0, 0, 0}, {1, 1, 1}, {1, 1, 4}, {2, 1, 1},
                               {4, 1, 1}, {1, 7, 1}, {4, 1, 2}, {1, 1, 8}};
  const shape_t *s = &shapes_[0];
  printf("| tile_w | tile_ov | local | fp32 GFLOP/s | int8 GOP/s |\n");
  printf("|---|---|---|---|---|\n");
  for (size_t a = 0; a < sizeof ovs / sizeof ovs[0]; a++) {
    for (size_t b = 0; b < sizeof tws / sizeof tws[0]; b++) {
      for (size_t k = 0; k < sizeof lss / sizeof lss[0]; k++) {
        if (tws[b] * ovs[a] > 28 || (k > 0 && tws[b] * ovs[a] < 12)) {
          continue;
        }
        nc_ocl_tuning_t t;
        memset(&t, 0, sizeof t);
        t.path = NC_OCL_PATH_FAST;
        t.tile_w = tws[b];
        t.tile_ov = ovs[a];
        memcpy(t.local_size, lss[k], sizeof t.local_size);
        if (nc_ocl_set_tuning(c, &t) != NC_OK) {
          continue;
        }
        const char *kn = NULL;
        double tf = ours_(c, s, NC_DTYPE_FLOAT32, &kn);
        double ti = ours_(c, s, NC_DTYPE_INT8, &kn);
        printf("| %d | %d | %d,%d,%d | %.1f | %.1f |\n", tws[b], ovs[a],
               lss[k][0], lss[k][1], lss[k][2], 2e-9 * macs_(s) / tf,
               2e-9 * macs_(s) / ti);
        fflush(stdout);
      }
    }
  }
}

int main(int argc, char **argv) {
  int sweep = 0, peers = 1, algos = 0, direct = 0, int8 = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs_ = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--min") == 0) {
      use_min_ = 1;
    } else if (strcmp(argv[i], "--sweep") == 0) {
      sweep = 1;
    } else if (strcmp(argv[i], "--no-peers") == 0) {
      peers = 0;
    } else if (strcmp(argv[i], "--algos") == 0) {
      algos = 1;
    } else if (strcmp(argv[i], "--direct") == 0) {
      direct = 1;
    } else if (strcmp(argv[i], "--int8") == 0) {
      int8 = 1;
    } else if (strcmp(argv[i], "--tile") == 0 && i + 1 < argc) {
      if (sscanf(argv[++i], "%d,%d", &tile_w_, &tile_ov_) != 2) {
        fprintf(stderr, "bench_ocl: --tile wants W,OV\n");
        return 2;
      }
    } else if (strcmp(argv[i], "--wino") == 0 && i + 1 < argc) {
      wino_m_ = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--fft") == 0 && i + 1 < argc) {
      fft_n_ = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only_ = argv[++i];
    } else {
      fprintf(stderr,
              "usage: bench_ocl [--runs N] [--min] [--sweep] "
              "[--no-peers] [--algos] [--direct] [--only NAME] "
              "[--tile W,OV] [--wino M] [--fft N] [--int8]\n");
      return 2;
    }
  }
  if (runs_ < 5 || runs_ > 64) {
    fprintf(stderr, "bench_ocl: --runs must be 5..64\n");
    return 2;
  }
  nc_ocl_t *c = NULL;
  int st = nc_ocl_open(&c, NULL, NULL);
  if (st != NC_OK) {
    die_("nc_ocl_open", st);
  }
  const nc_ocl_device_info_t *dev = nc_ocl_device(c);
  printf("OpenCL device: %s (%s), %u compute units, driver %s\n", dev->name,
         dev->platform_name, dev->compute_units, dev->driver_version);
  printf("%s of %d runs after warm-up; 1 MAC = 2 ops\n\n",
         use_min_ ? "best" : "median", runs_);
  if (direct) {
    direct_(c);
    nc_ocl_close(c);
    return 0;
  }
  if (algos) {
    algos_(c, peers);
    nc_ocl_close(c);
    return 0;
  }
  if (int8) {
    int8_(c, peers);
    nc_ocl_close(c);
    return 0;
  }
  if (sweep) {
    sweep_(c);
    nc_ocl_close(c);
    return 0;
  }
  result_t res[NSHAPES];
  memset(res, 0, sizeof res);
  /* A second of work first: on this VM the device's second thread runs at
   * half speed for a while after start-up (seen as a 2x step after ~10
   * launches), which would otherwise land in the first rows. */
  const double t_end = nc_bench_now() + 1.0;
  while (nc_bench_now() < t_end) {
    const char *kn = NULL;
    (void)ours_(c, &shapes_[0], NC_DTYPE_FLOAT32, &kn);
  }
  for (int i = 0; i < NSHAPES; i++) {
    res[i].ours_f32 = ours_(c, &shapes_[i], NC_DTYPE_FLOAT32, &res[i].kernel);
    const char *kn = NULL;
    res[i].ours_i8 = ours_(c, &shapes_[i], NC_DTYPE_INT8, &kn);
  }
  if (peers) {
    /* CLBlast on the same platform and device, its own context. */
    cl_platform_id plats[16];
    cl_uint np = 0;
    clGetPlatformIDs(16, plats, &np);
    cl_platform_id pf = plats[dev->platform_index];
    cl_device_id devs[64];
    cl_uint nd = 0;
    clGetDeviceIDs(pf, CL_DEVICE_TYPE_ALL, 64, devs, &nd);
    cl_device_id d = devs[dev->device_index];
    cl_int err = CL_SUCCESS;
    cl_context ctx = clCreateContext(NULL, 1, &d, NULL, NULL, &err);
    cl_command_queue q =
        clCreateCommandQueue(ctx, d, CL_QUEUE_PROFILING_ENABLE, &err);
    for (int i = 0; i < NSHAPES; i++) {
      res[i].clblast_f32 = clblast_(ctx, q, &shapes_[i]);
    }
    clReleaseCommandQueue(q);
    clReleaseContext(ctx);
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    DNNL_OK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    DNNL_OK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
    for (int i = 0; i < NSHAPES; i++) {
      res[i].dnnl_f32 = dnnl_(eng, strm, &shapes_[i], 0);
      res[i].dnnl_i8 = dnnl_(eng, strm, &shapes_[i], 1);
    }
    dnnl_stream_destroy(strm);
    dnnl_engine_destroy(eng);
  }
  printf(
      "| layer | GMAC | ours fp32 | oneDNN fp32 | CLBlast convgemm fp32 "
      "| ours/oneDNN fp32 | ours/CLBlast | ours int8 | oneDNN int8 | our "
      "kernel |\n");
  printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < NSHAPES; i++) {
    const shape_t *s = &shapes_[i];
    const result_t *r = &res[i];
    /* Convolutions in GFLOP/s (GOP/s for int8), pooling in microseconds. */
    const double ops = 2.0 * macs_(s);
    const double t[5] = {r->ours_f32, r->dnnl_f32, r->clblast_f32, r->ours_i8,
                         r->dnnl_i8};
    char f[5][32];
    for (int k = 0; k < 5; k++) {
      if (t[k] <= 0) {
        snprintf(f[k], sizeof f[k], "%s", s->pool && k == 2 ? "n/a" : "-");
      } else if (s->pool) {
        snprintf(f[k], sizeof f[k], "%.0f us", 1e6 * t[k]);
      } else {
        snprintf(f[k], sizeof f[k], "%.1f", 1e-9 * ops / t[k]);
      }
    }
    char rd[16] = "-", rc[16] = "-", gm[16] = "-";
    if (r->dnnl_f32 > 0) {
      snprintf(rd, sizeof rd, "%.0f%%", 100.0 * r->dnnl_f32 / r->ours_f32);
    }
    if (r->clblast_f32 > 0) {
      snprintf(rc, sizeof rc, "%.1fx", r->clblast_f32 / r->ours_f32);
    }
    if (!s->pool) {
      snprintf(gm, sizeof gm, "%.3f", 1e-9 * macs_(s));
    }
    printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s->name, gm,
           f[0], f[1], f[2], rd, rc, f[3], f[4], r->kernel);
  }
  printf(
      "\nconvolutions: GFLOP/s (fp32), GOP/s (int8); pooling: "
      "microseconds; ours/oneDNN: ratio of throughputs (time ratio for "
      "pooling).\n");
  nc_ocl_close(c);
  return 0;
}
