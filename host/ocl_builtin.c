/*
 * The OpenCL backend on a device that runs neocog's built-in kernels (the
 * neocog ICD's model and RTL devices): each int8 layer becomes one
 * built-in kernel launch with the argument list docs/opencl-icd.md gives,
 * through the plain OpenCL API, so `--backend opencl --cl-platform neocog`
 * exercises the same path any host program takes.
 */
#include <stdio.h>
#include <string.h>

#include "host/layer_check.h"
#include "host/ocl_internal.h"
#include "neocog/error.h"

#define CONV_ "neocog.dnn.conv2d.int8"

int nc__ocl_is_builtin(const nc_ocl_t *c) {
  return !c->info.compiler && strstr(c->info.builtin_kernels, CONV_) != NULL;
}

int nc_ocl_fuses_pooling(const nc_ocl_t *c) {
  return c != NULL && nc__ocl_is_builtin(c);
}

/* The buffers and kernel of one launch, released together. */
typedef struct {
  cl_kernel k;
  cl_mem m[6];
  int nm;
  cl_event ev;
} launch_t_;

static void release_(launch_t_ *r) {
  for (int i = 0; i < r->nm; i++) {
    clReleaseMemObject(r->m[i]);
  }
  if (r->k != NULL) {
    clReleaseKernel(r->k);
  }
  if (r->ev != NULL) {
    clReleaseEvent(r->ev);
  }
}

/* A buffer with `bytes` of `data` (NULL: written by the kernel). */
static nc_status_t buf_(nc_ocl_t *c, launch_t_ *r, const void *data,
                        size_t bytes, cl_mem *out) {
  cl_int err = CL_SUCCESS;
  *out = clCreateBuffer(c->ctx,
                        data != NULL ? CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR
                                     : CL_MEM_WRITE_ONLY,
                        bytes, (void *)data, &err);
  if (err != CL_SUCCESS) {
    return nc__ocl_fail(err, "clCreateBuffer", "built-in kernel argument");
  }
  r->m[r->nm++] = *out;
  return NC_OK;
}

static nc_status_t arg_mem_(cl_kernel k, cl_uint i, cl_mem m) {
  const cl_int err = clSetKernelArg(k, i, sizeof m, m != NULL ? &m : NULL);
  return err == CL_SUCCESS ? NC_OK
                           : nc__ocl_fail(err, "clSetKernelArg", "buffer");
}

static nc_status_t arg_ints_(cl_kernel k, cl_uint first, const int *v, int n) {
  for (int i = 0; i < n; i++) {
    const cl_int x = v[i];
    const cl_int err = clSetKernelArg(k, first + (cl_uint)i, sizeof x, &x);
    if (err != CL_SUCCESS) {
      return nc__ocl_fail(err, "clSetKernelArg", "int");
    }
  }
  return NC_OK;
}

/* The requantization block: in_zp, multiplier, shift, channels, out_zp,
 * act_min, act_max, from argument `first`. */
static nc_status_t rq_args_(nc_ocl_t *c, launch_t_ *r, const nc_layer_t *l,
                            cl_uint first) {
  cl_mem mult = NULL, shift = NULL;
  nc_status_t st = NC_OK;
  const size_t n = (size_t)l->rq.channels * sizeof(int32_t);
  if (l->rq.enabled) {
    st = buf_(c, r, l->rq.mult, n, &mult);
    if (st == NC_OK) {
      st = buf_(c, r, l->rq.shift, n, &shift);
    }
  }
  const int zp = l->in_zp;
  const int tail[4] = {l->rq.enabled ? l->rq.channels : 1, l->rq.out_zp,
                       l->rq.act_min, l->rq.act_max};
  if (st == NC_OK) {
    st = arg_ints_(r->k, first, &zp, 1);
  }
  if (st == NC_OK) {
    st = arg_mem_(r->k, first + 1, mult);
  }
  if (st == NC_OK) {
    st = arg_mem_(r->k, first + 2, shift);
  }
  if (st == NC_OK) {
    st = arg_ints_(r->k, first + 3, tail, 4);
  }
  return st;
}

static nc_status_t program_(nc_ocl_t *c) {
  if (c->builtin != NULL) {
    return NC_OK;
  }
  cl_int err = CL_SUCCESS;
  c->builtin = clCreateProgramWithBuiltInKernels(c->ctx, 1, &c->device,
                                                 c->info.builtin_kernels, &err);
  if (err != CL_SUCCESS) {
    c->builtin = NULL;
    return nc__ocl_fail(err, "clCreateProgramWithBuiltInKernels", c->info.name);
  }
  return NC_OK;
}

/* Sets the arguments of layer `l` on r->k (created for its kind). */
static nc_status_t args_(nc_ocl_t *c, launch_t_ *r, const nc_layer_t *l,
                         const nc_layer_t *pool, const nc_geom_t *g,
                         const nc_tensor_t *x, const nc_tensor_t *w,
                         const nc_tensor_t *b, cl_mem y) {
  cl_mem mx = NULL, mw = NULL, mb = NULL;
  nc_status_t st = buf_(c, r, x->data, x->nbytes, &mx);
  if (st == NC_OK && w != NULL) {
    st = buf_(c, r, w->data, w->nbytes, &mw);
  }
  if (st == NC_OK && b != NULL) {
    st = buf_(c, r, b->data, b->nbytes, &mb);
  }
  if (st != NC_OK) {
    return st;
  }
  if (l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL) {
    const int v[12] = {(int)g->n,  (int)g->h,     (int)g->w,   (int)g->c,
                       l->pool_h,  l->pool_w,     l->stride_h, l->stride_w,
                       g->pad_top, g->pad_bottom, g->pad_left, g->pad_right};
    st = arg_mem_(r->k, 0, mx);
    if (st == NC_OK) {
      st = arg_mem_(r->k, 1, y);
    }
    return st == NC_OK ? arg_ints_(r->k, 2, v, 12) : st;
  }
  st = arg_mem_(r->k, 0, mx);
  if (st == NC_OK) {
    st = arg_mem_(r->k, 1, mw);
  }
  if (st == NC_OK) {
    st = arg_mem_(r->k, 2, mb);
  }
  if (st == NC_OK) {
    st = arg_mem_(r->k, 3, y);
  }
  if (st != NC_OK) {
    return st;
  }
  if (l->kind == NC_LAYER_FC) {
    const int64_t in = (int64_t)(nc_tensor_numel(x) / (size_t)g->n);
    const int v[3] = {(int)g->n, (int)in, (int)g->oc};
    st = arg_ints_(r->k, 4, v, 3);
    return st == NC_OK ? rq_args_(c, r, l, 7) : st;
  }
  const int local = l->kind == NC_LAYER_LOCAL;
  const int v[16] = {
      (int)g->n,     (int)g->h,
      (int)g->w,     (int)g->c,
      (int)g->oc,    (int)g->kh,
      (int)g->kw,    l->stride_h,
      l->stride_w,   g->pad_top,
      g->pad_bottom, g->pad_left,
      g->pad_right,  l->dil_h,
      l->dil_w,      local ? (b != NULL && b->ndim == 3) : l->groups};
  st = arg_ints_(r->k, 4, v, 16);
  if (st == NC_OK) {
    st = rq_args_(c, r, l, 20);
  }
  if (st == NC_OK && !local) {
    int p[5] = {0, 0, 0, 0, 0};
    if (pool != NULL) {
      p[0] = pool->kind == NC_LAYER_MAXPOOL ? 1 : 2;
      p[1] = pool->pool_h;
      p[2] = pool->pool_w;
      p[3] = pool->stride_h;
      p[4] = pool->stride_w;
    }
    st = arg_ints_(r->k, 27, p, 5);
  }
  return st;
}

nc_status_t nc__ocl_run_builtin(nc_ocl_t *c, const nc_layer_t *l,
                                const nc_layer_t *pool, const nc_geom_t *g,
                                const nc_tensor_t *x, const nc_tensor_t *w,
                                const nc_tensor_t *b, nc_tensor_t *out) {
  static const char *const names[NC_LAYER_KIND_COUNT] = {
      CONV_, "neocog.dnn.fc.int8", "neocog.dnn.local.int8",
      "neocog.dnn.maxpool.int8", "neocog.dnn.avgpool.int8"};
  if (x->dtype != NC_DTYPE_INT8) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s: device '%s' runs neocog's int8 built-in "
                    "kernels only, not %s input",
                    nc_layer_kind_name(l->kind), c->info.name,
                    nc_dtype_name(x->dtype));
  }
  if (l->kind != NC_LAYER_MAXPOOL && l->kind != NC_LAYER_AVGPOOL &&
      l->pad_value != l->in_zp) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s: the built-in kernels pad with the input "
                    "zero point (%d), not %d",
                    nc_layer_kind_name(l->kind), (int)l->in_zp,
                    (int)l->pad_value);
  }
  nc_status_t st = program_(c);
  if (st != NC_OK) {
    return st;
  }
  const nc_dtype_t odt = nc__layer_out_dtype(l, x);
  const int64_t fc_shape[2] = {g->n, g->oc};
  int64_t img_shape[4] = {g->n, g->oh, g->ow, g->oc};
  if (pool != NULL) {
    nc_geom_t pg;
    st = nc_layer_geometry(pool, img_shape, 4, NULL, 0, -1, &pg);
    if (st != NC_OK) {
      return st;
    }
    img_shape[1] = pg.oh;
    img_shape[2] = pg.ow;
  }
  st = l->kind == NC_LAYER_FC ? nc_tensor_alloc(out, odt, 2, fc_shape)
                              : nc_tensor_alloc(out, odt, 4, img_shape);
  if (st != NC_OK) {
    return st;
  }
  launch_t_ r;
  memset(&r, 0, sizeof r);
  cl_int err = CL_SUCCESS;
  r.k = clCreateKernel(c->builtin, names[l->kind], &err);
  if (err != CL_SUCCESS) {
    r.k = NULL;
    st = nc__ocl_fail(err, "clCreateKernel", names[l->kind]);
  }
  cl_mem y = NULL;
  if (st == NC_OK) {
    st = buf_(c, &r, NULL, out->nbytes, &y);
  }
  if (st == NC_OK) {
    st = args_(c, &r, l, pool, g, x, w, b, y);
  }
  if (st == NC_OK) {
    err = clEnqueueTask(c->q, r.k, 0, NULL, &r.ev);
    st = err == CL_SUCCESS ? NC_OK
                           : nc__ocl_fail(err, "clEnqueueTask", names[l->kind]);
  }
  if (st == NC_OK) {
    err = clEnqueueReadBuffer(c->q, y, CL_TRUE, 0, out->nbytes, out->data, 0,
                              NULL, NULL);
    st = err == CL_SUCCESS
             ? NC_OK
             : nc__ocl_fail(err, "clEnqueueReadBuffer", names[l->kind]);
  }
  if (st == NC_OK) {
    cl_ulong t0 = 0, t1 = 0;
    if (clGetEventProfilingInfo(r.ev, CL_PROFILING_COMMAND_START, sizeof t0,
                                &t0, NULL) == CL_SUCCESS &&
        clGetEventProfilingInfo(r.ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1,
                                NULL) == CL_SUCCESS) {
      c->prof.kernel_ns = c->prof.main_ns = t1 - t0;
    }
    c->prof.kernel = names[l->kind];
  }
  release_(&r);
  if (st != NC_OK) {
    nc_tensor_free(out);
  }
  return st;
}

nc_status_t nc_ocl_run_layer_pooled(nc_ocl_t *c, const nc_layer_t *l,
                                    const nc_layer_t *pool,
                                    const nc_tensor_t *x, const nc_tensor_t *w,
                                    const nc_tensor_t *b, nc_tensor_t *out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: NULL output tensor");
  }
  memset(out, 0, sizeof *out);
  if (c == NULL || l == NULL || pool == NULL || x == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: NULL context, layer, pooling layer or input");
  }
  if (!nc__ocl_is_builtin(c)) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: device '%s' does not fuse pooling into conv2d "
                    "(only neocog's built-in kernels do)",
                    c->info.name);
  }
  if (l->kind != NC_LAYER_CONV2D || !l->rq.enabled ||
      (pool->kind != NC_LAYER_MAXPOOL && pool->kind != NC_LAYER_AVGPOOL) ||
      pool->pad_mode != NC_PAD_EXPLICIT || pool->pad_top || pool->pad_bottom ||
      pool->pad_left || pool->pad_right) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: fused pooling needs a requantized conv2d and an "
                    "unpadded max or average pooling layer");
  }
  nc_geom_t g;
  nc_status_t st = nc__layer_check_run(l, x, w, b, &g);
  if (st != NC_OK) {
    return st;
  }
  return nc__ocl_run_builtin(c, l, pool, &g, x, w, b, out);
}
