/*
 * The built-in kernels: every layer the accelerator runs, named in POCL's
 * dotted style (vendor.dnn.operation.type). Each kernel's arguments are
 * buffers and ints, in the order docs/opencl-icd.md lists them; together
 * they describe one nc_layer_t (and, for conv2d, an optional fused pooling
 * layer), which runs through the planner and runtime (nc_accel_run) on the
 * queue's device exactly as `--backend model|rtl` runs it.
 *
 * Every argument is checked when the kernel is enqueued: shapes and layer
 * parameters by the same rules the golden reference applies
 * (nc_layer_geometry), requantization fields (nc_requant_validate), and
 * every buffer against the bytes its tensor needs. A kernel that fails
 * them is not enqueued (CL_INVALID_KERNEL_ARGS).
 */
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"
#include "neocog/layer.h"
#include "neocog/plan.h"

#define IN_(n) \
  { n, NC_ARG_IN, "char*" }
#define OPT_(n, t) \
  { n, NC_ARG_IN_OPT, t }
#define OUT_(n) \
  { n, NC_ARG_OUT, "void*" }
#define INT_(n) \
  { n, NC_ARG_INT, "int" }

/* The requantization arguments conv2d, fc and local end with. */
#define RQ_ARGS_                                                          \
  INT_("in_zp"), OPT_("rq_multiplier", "int*"), OPT_("rq_shift", "int*"), \
      INT_("rq_channels"), INT_("out_zp"), INT_("act_min"), INT_("act_max")

/* The arguments conv2d and local start with (0..18). */
#define WINDOW_ARGS_                                                     \
  IN_("input"), IN_("weights"), OPT_("bias", "int*"), OUT_("output"),    \
      INT_("n"), INT_("h"), INT_("w"), INT_("c"), INT_("o"), INT_("kh"), \
      INT_("kw"), INT_("stride_h"), INT_("stride_w"), INT_("pad_top"),   \
      INT_("pad_bottom"), INT_("pad_left"), INT_("pad_right"),           \
      INT_("dilation_h"), INT_("dilation_w")

static const nc__icd_argdesc_t conv_args_[] = {
    WINDOW_ARGS_,          INT_("groups"),        RQ_ARGS_,
    INT_("pool"),          INT_("pool_h"),        INT_("pool_w"),
    INT_("pool_stride_h"), INT_("pool_stride_w"),
};

static const nc__icd_argdesc_t local_args_[] = {
    WINDOW_ARGS_,
    INT_("bias_per_position"),
    RQ_ARGS_,
};

static const nc__icd_argdesc_t fc_args_[] = {
    IN_("input"), IN_("weights"),      OPT_("bias", "int*"), OUT_("output"),
    INT_("n"),    INT_("in_features"), INT_("out_features"), RQ_ARGS_,
};

static const nc__icd_argdesc_t pool_args_[] = {
    IN_("input"),     OUT_("output"),    INT_("n"),       INT_("h"),
    INT_("w"),        INT_("c"),         INT_("pool_h"),  INT_("pool_w"),
    INT_("stride_h"), INT_("stride_w"),  INT_("pad_top"), INT_("pad_bottom"),
    INT_("pad_left"), INT_("pad_right"),
};

#define COUNT_(a) (cl_uint)(sizeof(a) / sizeof((a)[0]))

static const nc__icd_builtin_t builtins_[] = {
    {"neocog.dnn.conv2d.int8", COUNT_(conv_args_), conv_args_, NC_LAYER_CONV2D},
    {"neocog.dnn.fc.int8", COUNT_(fc_args_), fc_args_, NC_LAYER_FC},
    {"neocog.dnn.local.int8", COUNT_(local_args_), local_args_, NC_LAYER_LOCAL},
    {"neocog.dnn.maxpool.int8", COUNT_(pool_args_), pool_args_,
     NC_LAYER_MAXPOOL},
    {"neocog.dnn.avgpool.int8", COUNT_(pool_args_), pool_args_,
     NC_LAYER_AVGPOOL},
};

#define NBUILTINS_ COUNT_(builtins_)

const char *nc__icd_builtin_names(void) {
  return "neocog.dnn.conv2d.int8;neocog.dnn.fc.int8;neocog.dnn.local.int8;"
         "neocog.dnn.maxpool.int8;neocog.dnn.avgpool.int8";
}

const nc__icd_builtin_t *nc__icd_builtin_find(const char *name, size_t len) {
  for (cl_uint i = 0; i < NBUILTINS_; i++) {
    if (strlen(builtins_[i].name) == len &&
        strncmp(builtins_[i].name, name, len) == 0) {
      return &builtins_[i];
    }
  }
  return NULL;
}

/* One kernel launch as a layer request. */
typedef struct {
  nc_layer_t layer;
  nc_layer_t pool;
  int has_pool;
  nc_tensor_t x, w, b; /* views of the buffers: never freed */
  int has_w, has_b;
  cl_mem out;
  uint64_t out_bytes;
} req_t_;

/* A tensor view of a buffer, if the buffer holds enough bytes. */
static int view_(cl_mem m, nc_dtype_t dt, int ndim, const int64_t *shape,
                 nc_tensor_t *t) {
  uint64_t bytes = 0;
  if (nc_tensor_bytes(dt, ndim, shape, "argument", &bytes) != NC_OK ||
      bytes > m->size) {
    return 0;
  }
  t->dtype = dt;
  t->ndim = ndim;
  memcpy(t->shape, shape, (size_t)ndim * sizeof shape[0]);
  t->data = m->data;
  t->nbytes = (size_t)bytes;
  return 1;
}

/* Requantization from the argument block starting at `a` (in_zp first). */
static int rq_(const nc__icd_arg_t *a, int64_t o, nc_layer_t *l) {
  l->in_zp = a[0].i;
  l->pad_value = a[0].i;
  if (a[0].i < -128 || a[0].i > 127) {
    return 0;
  }
  const cl_mem mult = a[1].mem, shift = a[2].mem;
  if (mult == NULL && shift == NULL) {
    return 1; /* raw int32 output */
  }
  const int ch = a[3].i;
  if (mult == NULL || shift == NULL || (ch != 1 && ch != o) ||
      ch > NC_RQ_MAX_CHANNELS || mult->size < (size_t)ch * sizeof(int32_t) ||
      shift->size < (size_t)ch * sizeof(int32_t)) {
    return 0;
  }
  nc_requant_t *r = &l->rq;
  r->enabled = 1;
  r->out_dtype = NC_DTYPE_INT8;
  r->channels = ch;
  memcpy(r->mult, mult->data, (size_t)ch * sizeof(int32_t));
  memcpy(r->shift, shift->data, (size_t)ch * sizeof(int32_t));
  r->out_zp = a[4].i;
  r->act_min = a[5].i;
  r->act_max = a[6].i;
  return nc_requant_validate(r) == NC_OK;
}

/* Output bytes of a geometry in a dtype, checked against the buffer. */
static int out_(req_t_ *q, cl_mem out, nc_dtype_t dt, int ndim,
                const int64_t *shape) {
  uint64_t bytes = 0;
  if (nc_tensor_bytes(dt, ndim, shape, "output", &bytes) != NC_OK ||
      bytes > out->size) {
    return 0;
  }
  q->out = out;
  q->out_bytes = bytes;
  return 1;
}

/* The common part of conv2d, local and fc once the input, weights and
 * bias (if any) are viewed: the requantization block `rq` and the golden
 * reference's checks of the whole layer. */
static int weighted_(req_t_ *q, const nc__icd_arg_t *rq, int64_t o,
                     int64_t blen, nc_geom_t *g) {
  q->has_w = 1;
  q->has_b = q->b.ndim > 0;
  return rq_(rq, o, &q->layer) &&
         nc_layer_geometry(&q->layer, q->x.shape, q->x.ndim, q->w.shape,
                           q->w.ndim, q->has_b ? blen : -1, g) == NC_OK;
}

/* The spatial arguments shared by conv2d and local, from index 11. */
static void spatial_(const nc__icd_arg_t *a, nc_layer_t *l) {
  l->stride_h = a[11].i;
  l->stride_w = a[12].i;
  l->pad_top = a[13].i;
  l->pad_bottom = a[14].i;
  l->pad_left = a[15].i;
  l->pad_right = a[16].i;
  l->dil_h = a[17].i;
  l->dil_w = a[18].i;
}

static int conv_like_(const nc__icd_builtin_t *bi, const nc__icd_arg_t *a,
                      req_t_ *q) {
  nc_layer_t *l = &q->layer;
  nc_layer_init(l, (nc_layer_kind_t)bi->kind);
  spatial_(a, l);
  const int local = bi->kind == NC_LAYER_LOCAL;
  for (int i = 4; i <= 19; i++) {
    if (a[i].i < 0 || (i <= 10 && a[i].i == 0)) {
      return 0;
    }
  }
  const int64_t n = a[4].i, h = a[5].i, w = a[6].i, c = a[7].i, o = a[8].i;
  const int64_t kh = a[9].i, kw = a[10].i;
  const int64_t xs[4] = {n, h, w, c};
  if (!view_(a[0].mem, NC_DTYPE_INT8, 4, xs, &q->x)) {
    return 0;
  }
  int64_t oh = 0, ow = 0;
  if (nc_out_dim(h, kh, l->stride_h, l->pad_top, l->pad_bottom, l->dil_h,
                 &oh) != NC_OK ||
      nc_out_dim(w, kw, l->stride_w, l->pad_left, l->pad_right, l->dil_w,
                 &ow) != NC_OK) {
    return 0;
  }
  int64_t blen = o;
  if (local) {
    const int64_t ws[6] = {oh, ow, o, kh, kw, c};
    if (a[19].i > 1 || !view_(a[1].mem, NC_DTYPE_INT8, 6, ws, &q->w)) {
      return 0;
    }
    if (a[2].mem != NULL) {
      const int64_t bs3[3] = {oh, ow, o};
      const int64_t bs1[1] = {o};
      if (!(a[19].i ? view_(a[2].mem, NC_DTYPE_INT32, 3, bs3, &q->b)
                    : view_(a[2].mem, NC_DTYPE_INT32, 1, bs1, &q->b))) {
        return 0;
      }
      blen = a[19].i ? oh * ow * o : o;
    }
  } else {
    l->groups = a[19].i;
    if (l->groups < 1 || c % l->groups != 0) {
      return 0;
    }
    const int64_t ws[4] = {o, kh, kw, c / l->groups};
    const int64_t bs[1] = {o};
    if (!view_(a[1].mem, NC_DTYPE_INT8, 4, ws, &q->w) ||
        (a[2].mem != NULL && !view_(a[2].mem, NC_DTYPE_INT32, 1, bs, &q->b))) {
      return 0;
    }
  }
  nc_geom_t g;
  if (!weighted_(q, &a[20], o, blen, &g)) {
    return 0;
  }
  int64_t ys[4] = {g.n, g.oh, g.ow, g.oc};
  if (!local && a[27].i != 0) {
    /* Fused pooling: in the store path, after requantization. */
    if (a[27].i != 1 && a[27].i != 2) {
      return 0;
    }
    if (!l->rq.enabled) {
      return 0;
    }
    nc_layer_init(&q->pool, a[27].i == 1 ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
    q->pool.pool_h = a[28].i;
    q->pool.pool_w = a[29].i;
    q->pool.stride_h = a[30].i;
    q->pool.stride_w = a[31].i;
    nc_geom_t pg;
    if (nc_layer_geometry(&q->pool, ys, 4, NULL, 0, -1, &pg) != NC_OK) {
      return 0;
    }
    q->has_pool = 1;
    ys[1] = pg.oh;
    ys[2] = pg.ow;
  }
  return out_(q, a[3].mem, l->rq.enabled ? NC_DTYPE_INT8 : NC_DTYPE_INT32, 4,
              ys);
}

static int fc_(const nc__icd_arg_t *a, req_t_ *q) {
  nc_layer_t *l = &q->layer;
  nc_layer_init(l, NC_LAYER_FC);
  const int64_t n = a[4].i, in = a[5].i, o = a[6].i;
  if (n < 1 || in < 1 || o < 1) {
    return 0;
  }
  const int64_t xs[2] = {n, in}, ws[2] = {o, in}, bs[1] = {o};
  if (!view_(a[0].mem, NC_DTYPE_INT8, 2, xs, &q->x) ||
      !view_(a[1].mem, NC_DTYPE_INT8, 2, ws, &q->w) ||
      (a[2].mem != NULL && !view_(a[2].mem, NC_DTYPE_INT32, 1, bs, &q->b))) {
    return 0;
  }
  nc_geom_t g;
  if (!weighted_(q, &a[7], o, o, &g)) {
    return 0;
  }
  const int64_t ys[2] = {n, o};
  return out_(q, a[3].mem, l->rq.enabled ? NC_DTYPE_INT8 : NC_DTYPE_INT32, 2,
              ys);
}

static int pool_(const nc__icd_builtin_t *bi, const nc__icd_arg_t *a,
                 req_t_ *q) {
  nc_layer_t *l = &q->layer;
  nc_layer_init(l, (nc_layer_kind_t)bi->kind);
  for (int i = 2; i <= 13; i++) {
    if (a[i].i < 0 || (i <= 9 && a[i].i == 0)) {
      return 0;
    }
  }
  l->pool_h = a[6].i;
  l->pool_w = a[7].i;
  l->stride_h = a[8].i;
  l->stride_w = a[9].i;
  l->pad_top = a[10].i;
  l->pad_bottom = a[11].i;
  l->pad_left = a[12].i;
  l->pad_right = a[13].i;
  const int64_t xs[4] = {a[2].i, a[3].i, a[4].i, a[5].i};
  if (!view_(a[0].mem, NC_DTYPE_INT8, 4, xs, &q->x)) {
    return 0;
  }
  nc_geom_t g;
  if (nc_layer_geometry(l, xs, 4, NULL, 0, -1, &g) != NC_OK) {
    return 0;
  }
  const int64_t ys[4] = {g.n, g.oh, g.ow, g.oc};
  return out_(q, a[1].mem, NC_DTYPE_INT8, 4, ys);
}

static int build_(const nc__icd_builtin_t *bi, const nc__icd_arg_t *a,
                  req_t_ *q) {
  memset(q, 0, sizeof *q);
  switch (bi->kind) {
    case NC_LAYER_CONV2D:
    case NC_LAYER_LOCAL:
      return conv_like_(bi, a, q);
    case NC_LAYER_FC:
      return fc_(a, q);
    default:
      return pool_(bi, a, q);
  }
}

cl_int nc__icd_builtin_check(const nc__icd_builtin_t *bi,
                             const nc__icd_arg_t *args) {
  req_t_ *q = malloc(sizeof *q);
  if (q == NULL) {
    return CL_OUT_OF_HOST_MEMORY;
  }
  const int ok = build_(bi, args, q);
  free(q);
  return ok ? CL_SUCCESS : CL_INVALID_KERNEL_ARGS;
}

cl_int nc__icd_builtin_run(cl_device_id dev, const nc__icd_builtin_t *bi,
                           const nc__icd_arg_t *args, uint64_t *cycles) {
  *cycles = 0;
  if (dev->acc == NULL &&
      nc_accel_open(dev->backend, NULL, &dev->acc) != NC_OK) {
    return CL_DEVICE_NOT_AVAILABLE;
  }
  req_t_ *q = malloc(sizeof *q);
  if (q == NULL) {
    return CL_OUT_OF_HOST_MEMORY;
  }
  if (!build_(bi, args, q)) {
    free(q);
    return CL_INVALID_KERNEL_ARGS; /* checked at enqueue: cannot happen */
  }
  nc_plan_req_t req = {&q->layer, &q->x, q->has_w ? &q->w : NULL,
                       q->has_b ? &q->b : NULL, q->has_pool ? &q->pool : NULL,
                       NULL, NULL};
  nc_tensor_t y;
  nc_accel_stats_t st;
  const nc_status_t s = nc_accel_run(dev->acc, &req, &y, &st);
  cl_int r = CL_COMPLETE;
  if (s != NC_OK) {
    r = s == NC_ERR_NOMEM ? CL_OUT_OF_HOST_MEMORY : CL_OUT_OF_RESOURCES;
  } else {
    if (y.nbytes == q->out_bytes) {
      memcpy(q->out->data, y.data, y.nbytes);
      *cycles = st.cycles;
    } else {
      r = CL_OUT_OF_RESOURCES;
    }
    nc_tensor_free(&y);
  }
  free(q);
  return r;
}
