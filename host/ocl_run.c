/*
 * Layer runs on an OpenCL device: checks, kernel choice, buffers, launches.
 *
 * Every argument is checked (nc__layer_check_run, the golden reference's
 * own checks), the kernel and its buffers are planned and every buffer is
 * compared with the device's limits before anything touches the device.
 * Then the inputs are uploaded, one or two kernels run on an in-order queue
 * with profiling on, and the result is read back into a freshly allocated
 * tensor.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "host/layer_check.h"
#include "host/ocl_internal.h"


/* A device buffer: `bytes` from `host` (NULL: zero-filled). */
nc_status_t nc__run_buf(nc__run_t *r, const char *what, size_t bytes,
                        const void *host, cl_mem *out) {
  cl_int err = CL_SUCCESS;
  void *zeros = NULL;
  if (host == NULL) {
    zeros = calloc(1, bytes);
    if (zeros == NULL) {
      return nc__fail(NC_ERR_NOMEM, "opencl: cannot allocate %zu bytes", bytes);
    }
    host = zeros;
  }
  cl_mem m = clCreateBuffer(r->c->ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                            bytes, (void *)host, &err);
  free(zeros);
  if (err != CL_SUCCESS) {
    return nc__ocl_fail(err, "clCreateBuffer", what);
  }
  r->mem[r->nmem++] = m;
  *out = m;
  return NC_OK;
}

/* An uninitialised device buffer the kernels write. */
nc_status_t nc__run_scratch(nc__run_t *r, const char *what, size_t bytes,
                            cl_mem *out) {
  cl_int err = CL_SUCCESS;
  cl_mem m = clCreateBuffer(r->c->ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
  if (err != CL_SUCCESS) {
    return nc__ocl_fail(err, "clCreateBuffer", what);
  }
  r->mem[r->nmem++] = m;
  *out = m;
  return NC_OK;
}

void nc__run_release(nc__run_t *r) {
  for (int i = 0; i < r->nk; i++) {
    if (r->ev[i] != NULL) {
      clReleaseEvent(r->ev[i]);
    }
    clReleaseKernel(r->k[i]);
  }
  for (int i = 0; i < r->nmem; i++) {
    clReleaseMemObject(r->mem[i]);
  }
  r->nk = 0;
  r->nmem = 0;
}

nc_status_t nc__run_kernel(nc__run_t *r, cl_program p, const char *name,
                           cl_kernel *out) {
  cl_int err = CL_SUCCESS;
  cl_kernel k = clCreateKernel(p, name, &err);
  if (err != CL_SUCCESS) {
    return nc__ocl_fail(err, "clCreateKernel", name);
  }
  r->k[r->nk] = k;
  r->ev[r->nk] = NULL;
  r->nk++;
  *out = k;
  return NC_OK;
}


void nc__arg(nc__args_t *a, size_t size, const void *v) {
  if (a->err == CL_SUCCESS) {
    a->err = clSetKernelArg(a->k, a->next, size, v);
    a->bad = a->next;
  }
  a->next++;
}

void nc__arg_mem(nc__args_t *a, cl_mem m) {
  nc__arg(a, sizeof m, &m);
}

void nc__arg_int(nc__args_t *a, int64_t v) {
  cl_int x = (cl_int)v;
  nc__arg(a, sizeof x, &x);
}

void nc__arg_float(nc__args_t *a, float v) {
  cl_float x = v;
  nc__arg(a, sizeof x, &x);
}

nc_status_t nc__args_done(const nc__args_t *a) {
  if (a->err != CL_SUCCESS) {
    char what[96];
    snprintf(what, sizeof what, "%s, argument %u", a->name, a->bad);
    return nc__ocl_fail(a->err, "clSetKernelArg", what);
  }
  return NC_OK;
}

/* Launches kernel r->k[idx] over `gws` (3-D), rounded up to `lws` when one
 * is given. */
nc_status_t nc__run_launch(nc__run_t *r, int idx, const char *name,
                           const size_t *gws, const size_t *lws) {
  size_t g[3];
  size_t items = 1;
  for (int i = 0; i < 3; i++) {
    g[i] = gws[i];
    if (lws != NULL && lws[i] > 0) {
      g[i] = (g[i] + lws[i] - 1) / lws[i] * lws[i];
      items *= lws[i];
    }
  }
  /* The kernel's own limit can be below the device's (registers, local
   * memory): say so rather than CL_INVALID_WORK_GROUP_SIZE alone. */
  size_t kmax = 0;
  if (lws != NULL &&
      clGetKernelWorkGroupInfo(r->k[idx], r->c->device,
                               CL_KERNEL_WORK_GROUP_SIZE, sizeof kmax, &kmax,
                               NULL) == CL_SUCCESS &&
      items > kmax) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s needs work-groups of %zu items but device "
                    "'%s' runs it with at most %zu "
                    "(CL_KERNEL_WORK_GROUP_SIZE)",
                    name, items, r->c->info.name, kmax);
  }
  cl_int err = clEnqueueNDRangeKernel(r->c->q, r->k[idx], 3, NULL, g, lws, 0,
                                      NULL, &r->ev[idx]);
  if (err != CL_SUCCESS) {
    r->ev[idx] = NULL;
    return nc__ocl_fail(err, "clEnqueueNDRangeKernel", name);
  }
  return NC_OK;
}

/* ---------------------------------------------------------------------- */
/* Planning                                                                */
/* ---------------------------------------------------------------------- */

typedef enum {
  K_GENERAL = 0, /* nc_mac_general: conv2d, fc, local */
  K_CONV_TILED,  /* nc_conv_tiled (+ nc_pad_input) */
  K_FC_ROWS,     /* nc_fc_rows */
  K_LOCAL_ROWS,  /* nc_local_rows + nc_pad_input */
  K_POOL_GENERAL,
  K_POOL_VEC,
  K_CONV_LOCAL, /* nc_conv_local: conv2d and fc */
} kind_t_;

typedef struct {
  const nc_layer_t *l;
  nc_geom_t g;
  int pool, is_float, x_u8;
  nc_dtype_t odt;
  kind_t_ k;
  int pad;                            /* a padded copy of the input is made */
  int64_t hp, wp;                     /* its rows and columns */
  int tw, tov;                        /* conv tile */
  int64_t owb, ocb;                   /* conv tile counts */
  int64_t ocp;                        /* conv padded output channels */
  int pairs;                          /* conv tiled: nc_conv_pairs */
  int vnni;                           /* conv tiled: nc_conv_vnni */
  int64_t cp;                         /* conv tiled: channels of xp and wp */
  int fc_nb;                          /* fc rows per item */
  int pool_pb;                        /* nc_pool_vec: output pixels per item */
  int lt_m, lt_n, lt_k, lt_rm, lt_rn; /* nc_conv_local tile */
  int b_pos;                          /* local: bias per output position */
  size_t x_bytes, w_bytes, b_bytes, y_bytes, p_bytes, rq_bytes;
  int64_t max_elems; /* largest element count of any buffer */
} plan_t_;

/* Conv tile width: the widest up to `max` that wastes the fewest columns. */
static int pick_tw_(int64_t ow, int max) {
  if (ow <= max) {
    return (int)ow;
  }
  int best = max;
  int64_t best_waste = (ow + max - 1) / max * max - ow;
  for (int t = max - 1; t > max / 2; t--) {
    int64_t waste = (ow + t - 1) / t * t - ow;
    if (waste < best_waste) {
      best = t;
      best_waste = waste;
    }
  }
  return best;
}

static int64_t max64_(int64_t a, int64_t b) {
  return a > b ? a : b;
}

/* Smallest power of two >= v, within [lo, hi]. */
static int pow2_in_(int64_t v, int lo, int hi) {
  int p = lo;
  while (p < hi && p < v) {
    p *= 2;
  }
  return p;
}

/* The local-memory tile: the tuning's, else 64 x 64 x 16 on a GPU (256
 * work-items of 4 x 4 outputs) and 32 x 32 x 16 elsewhere, narrowed to the
 * layer's pixels and channels per group; then checked against the device's
 * work-group and local-memory limits. */
static nc_status_t plan_local_(const nc_ocl_t *c, const nc_layer_t *l,
                               plan_t_ *pl) {
  const nc_geom_t *g = &pl->g;
  const nc_ocl_tuning_t *t = &c->tune;
  const int64_t og = g->oc / (l->kind == NC_LAYER_CONV2D ? l->groups : 1);
  const int big = c->info.is_gpu ? 64 : 32;
  pl->k = K_CONV_LOCAL;
  pl->lt_m =
      t->ltile_m > 0 ? t->ltile_m : pow2_in_(g->n * g->oh * g->ow, 8, big);
  pl->lt_n = t->ltile_n > 0 ? t->ltile_n : pow2_in_(og, 8, big);
  pl->lt_k = t->ltile_k > 0 ? t->ltile_k : 16;
  pl->lt_rm = pl->lt_m < 4 ? pl->lt_m : 4;
  pl->lt_rn = pl->lt_n < 4 ? pl->lt_n : 4;
  const uint64_t wg =
      (uint64_t)(pl->lt_m / pl->lt_rm) * (uint64_t)(pl->lt_n / pl->lt_rn);
  const uint64_t lmem =
      4u * (uint64_t)pl->lt_k * (uint64_t)(pl->lt_m + pl->lt_n + 2);
  if (wg > c->info.max_work_group) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: local tile %dx%d needs work-groups of %llu "
                    "items but device '%s' allows %llu "
                    "(CL_DEVICE_MAX_WORK_GROUP_SIZE)",
                    pl->lt_m, pl->lt_n, (unsigned long long)wg, c->info.name,
                    (unsigned long long)c->info.max_work_group);
  }
  if (lmem > c->info.local_mem_bytes) {
    return nc__fail(
        NC_ERR_UNSUPPORTED,
        "opencl: local tile %dx%dx%d needs %llu bytes of local "
        "memory but device '%s' has %llu (CL_DEVICE_LOCAL_MEM_SIZE)",
        pl->lt_m, pl->lt_n, pl->lt_k, (unsigned long long)lmem, c->info.name,
        (unsigned long long)c->info.local_mem_bytes);
  }
  return NC_OK;
}

static nc_status_t plan_(nc_ocl_t *c, const nc_layer_t *l,
                         const nc_tensor_t *in, const nc_tensor_t *w,
                         const nc_tensor_t *b, plan_t_ *pl) {
  const nc_geom_t *g = &pl->g;
  const nc_ocl_tuning_t *t = &c->tune;
  const int64_t xsz = (int64_t)nc_dtype_size(in->dtype);
  pl->l = l;
  pl->pool = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  pl->is_float = in->dtype == NC_DTYPE_FLOAT32;
  pl->x_u8 = in->dtype == NC_DTYPE_UINT8;
  pl->odt = nc__layer_out_dtype(l, in);
  pl->x_bytes = in->nbytes;
  pl->y_bytes = (size_t)(g->n * g->oh * g->ow * g->oc) * nc_dtype_size(pl->odt);
  pl->max_elems =
      max64_((int64_t)nc_tensor_numel(in), g->n * g->oh * g->ow * g->oc);
  if (pl->pool) {
    int vec = g->c % 16 == 0 && in->dtype != NC_DTYPE_INT32 &&
              g->kh * g->kw < (INT64_C(1) << 23);
    pl->k = vec && t->path != NC_OCL_PATH_GENERAL ? K_POOL_VEC : K_POOL_GENERAL;
    /* A CPU does best with whole output rows per item (few, large
     * work-groups that read the input in order), split only when there are
     * too few rows to keep every compute unit busy; a GPU wants one pixel
     * per item. */
    pl->pool_pb = 1;
    if (!c->info.is_gpu) {
      const int64_t rows = g->n * g->oh;
      const int64_t want =
          4 * (int64_t)(c->info.compute_units > 0 ? c->info.compute_units : 1);
      const int64_t split = rows >= want ? 1 : (want + rows - 1) / rows;
      pl->pool_pb = (int)((g->ow + split - 1) / split);
    }
    return NC_OK;
  }
  pl->w_bytes = w->nbytes;
  pl->max_elems = max64_(pl->max_elems, (int64_t)nc_tensor_numel(w));
  pl->b_pos = b != NULL && l->kind == NC_LAYER_LOCAL &&
              (int64_t)nc_tensor_numel(b) != g->oc;
  pl->b_bytes = (size_t)(pl->b_pos ? g->oh * g->ow * g->oc : g->oc) * 4u;
  pl->rq_bytes = (size_t)(l->rq.enabled ? l->rq.channels : 1) * 4u;
  pl->k = K_GENERAL;
  if (t->path == NC_OCL_PATH_GENERAL) {
    return NC_OK;
  }
  const int want_local = t->path == NC_OCL_PATH_LOCAL ||
                         (t->path == NC_OCL_PATH_AUTO && c->info.is_gpu);
  if (want_local && l->kind != NC_LAYER_LOCAL &&
      g->n * g->oh * g->ow <= INT_MAX &&
      g->kh * g->kw * (g->c / (l->kind == NC_LAYER_CONV2D ? l->groups : 1)) <=
          INT_MAX) {
    return plan_local_(c, l, pl);
  }
  if (l->kind == NC_LAYER_FC) {
    pl->k = K_FC_ROWS;
    pl->fc_nb = t->fc_rows > 0 ? t->fc_rows : (int)(g->n < 4 ? g->n : 4);
    return NC_OK;
  }
  /* Output rows and columns of the padded copy the fast paths read. */
  const int64_t kh_span = (g->kh - 1) * l->dil_h + 1;
  const int64_t kw_span = (g->kw - 1) * l->dil_w + 1;
  if (l->kind == NC_LAYER_LOCAL) {
    pl->k = K_LOCAL_ROWS;
    pl->pad = 1;
    pl->hp = (g->oh - 1) * l->stride_h + kh_span;
    pl->wp = (g->ow - 1) * l->stride_w + kw_span;
  } else {
    /* conv2d: the tiled path needs groups == 1 and pays off from 16
     * output channels (one full vector) on; PATH_FAST takes it anyway. */
    if (l->groups != 1 || (t->path == NC_OCL_PATH_AUTO && g->oc < 16)) {
      return NC_OK;
    }
    pl->k = K_CONV_TILED;
    /* Integer formulation: VNNI where it can run (AUTO) or is asked for,
     * else pairs on a CPU, else float chunks. */
    if (!pl->is_float &&
        (t->int8 == NC_OCL_INT8_AUTO || t->int8 == NC_OCL_INT8_VNNI)) {
      const char *why = "";
      pl->vnni = nc__ocl_vnni(c, &why);
      if (!pl->vnni && t->int8 == NC_OCL_INT8_VNNI) {
        return nc__fail(NC_ERR_UNSUPPORTED,
                        "opencl: conv2d: int8 formulation vnni "
                        "(nc_conv_vnni) cannot run on device '%s': %s",
                        c->info.name, why);
      }
    }
    pl->pairs = !pl->is_float && !pl->vnni &&
                (t->int8 == NC_OCL_INT8_PAIRS ||
                 (t->int8 == NC_OCL_INT8_AUTO && !c->info.is_gpu));
    /* The integer kernels ran fastest with four vectors of output
     * channels (bench_ocl --sweep), where those waste no channels. */
    const int int_k = pl->pairs || pl->vnni;
    pl->tov = t->tile_ov > 0             ? t->tile_ov
              : int_k && g->oc % 64 == 0 ? 4
              : g->oc > 16               ? 2
                                         : 1;
    int tw_max = pl->tov == 1 ? 16 : (pl->tov == 2 ? 12 : 6);
    if (pl->pairs && pl->tov == 4) {
      tw_max = 7; /* 28 accumulators, 4 weight vectors, 1 broadcast */
    }
    pl->tw = t->tile_w > 0 ? t->tile_w : pick_tw_(g->ow, tw_max);
    pl->owb = (g->ow + pl->tw - 1) / pl->tw;
    pl->ocb = (g->oc + 16 * pl->tov - 1) / (16 * pl->tov);
    pl->ocp = pl->ocb * 16 * pl->tov;
    pl->hp = (g->oh - 1) * l->stride_h + kh_span;
    pl->wp = (pl->owb * pl->tw - 1) * l->stride_w + kw_span;
    /* The kernel reads float, or for integer pairs short with an even
     * channel count, or for VNNI unsigned bytes with a channel count that
     * is a multiple of four: integer inputs always go through the
     * converting copy; a float input serves as it is when it needs no
     * border and has the pitch. */
    pl->pad = !pl->is_float || !(g->pad_top == 0 && g->pad_left == 0 &&
                                 pl->wp == g->w && pl->hp <= g->h);
    if (!pl->pad) {
      pl->hp = g->h;
    }
    pl->cp = pl->vnni    ? (g->c + 3) / 4 * 4
             : pl->pairs ? (g->c + 1) / 2 * 2
                         : g->c;
    const size_t wsz = pl->vnni ? 1u : pl->pairs ? 2u : 4u;
    pl->w_bytes = (size_t)(g->kh * g->kw * pl->cp * pl->ocp) * wsz;
    pl->max_elems = max64_(pl->max_elems, g->kh * g->kw * pl->cp * pl->ocp);
  }
  if (pl->pad) {
    /* The tiled path's copy is float (short for pairs, uchar for VNNI),
     * the local path's keeps the dtype. */
    const int64_t psz = pl->k != K_CONV_TILED ? xsz
                        : pl->vnni            ? 1
                        : pl->pairs           ? 2
                                              : 4;
    const int64_t pc = pl->k == K_CONV_TILED ? pl->cp : g->c;
    pl->p_bytes = (size_t)(g->n * pl->hp * pl->wp * pc * psz);
    pl->max_elems = max64_(pl->max_elems, g->n * pl->hp * pl->wp * pc);
  }
  return NC_OK;
}

static void fmt_bytes_(uint64_t b, char *buf, size_t len) {
  if (b >= (UINT64_C(1) << 30)) {
    snprintf(buf, len, "%.2f GiB", (double)b / (double)(UINT64_C(1) << 30));
  } else {
    snprintf(buf, len, "%.2f MiB", (double)b / (double)(UINT64_C(1) << 20));
  }
}

/* Every buffer within CL_DEVICE_MAX_MEM_ALLOC_SIZE, all of them within the
 * global memory, every extent within an int. */
static nc_status_t check_limits_(const nc_ocl_t *c, const plan_t_ *pl) {
  const char *kn = nc_layer_kind_name(pl->l->kind);
  const struct {
    const char *what;
    size_t bytes;
  } bufs[] = {{"input", pl->x_bytes},        {"weight", pl->w_bytes},
              {"bias", pl->b_bytes},         {"output", pl->y_bytes},
              {"padded input", pl->p_bytes}, {"requantization", pl->rq_bytes}};
  uint64_t total = 0;
  char need[32], have[32];
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    total += bufs[i].bytes;
    if (bufs[i].bytes > c->info.max_alloc_bytes) {
      fmt_bytes_(bufs[i].bytes, need, sizeof need);
      fmt_bytes_(c->info.max_alloc_bytes, have, sizeof have);
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "opencl: %s: the %s buffer needs %s (%zu bytes) but "
                      "device '%s' allows at most %s per buffer "
                      "(CL_DEVICE_MAX_MEM_ALLOC_SIZE)",
                      kn, bufs[i].what, need, bufs[i].bytes, c->info.name,
                      have);
    }
  }
  if (total > c->info.global_mem_bytes) {
    fmt_bytes_(total, need, sizeof need);
    fmt_bytes_(c->info.global_mem_bytes, have, sizeof have);
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s: the buffers need %s together but device "
                    "'%s' has %s (CL_DEVICE_GLOBAL_MEM_SIZE)",
                    kn, need, c->info.name, have);
  }
  const nc_geom_t *g = &pl->g;
  const int64_t dims[] = {g->n,  g->h,         g->w,          g->c,
                          g->oh, g->ow,        g->oc,         g->kh,
                          g->kw, g->n * g->oh, pl->hp * g->n, pl->wp};
  for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
    if (dims[i] > INT_MAX) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "opencl: %s: an extent of %lld does not fit the "
                      "kernels' int indices",
                      kn, (long long)dims[i]);
    }
  }
  return NC_OK;
}

/* Whole-program -D options of a plan. */
static void options_(const plan_t_ *pl, char *buf, size_t len) {
  const nc_geom_t *g = &pl->g;
  const nc_layer_t *l = pl->l;
  const char *idx = pl->max_elems < INT_MAX ? "int" : "long";
  int n = 0;
  if (pl->pool) {
    static const char *const types[NC_DTYPE_COUNT] = {"char", "uchar", "int",
                                                      "float"};
    nc_dtype_t dt = pl->odt;
    n = snprintf(buf, len, "-DNC_IDX=%s -DNC_PT=%s%s%s", idx, types[dt],
                 dt == NC_DTYPE_FLOAT32 ? " -DNC_FLOAT -DNC_PFLOAT" : "",
                 l->kind == NC_LAYER_MAXPOOL ? " -DNC_PMAX" : "");
  } else if (pl->is_float) {
    n = snprintf(buf, len, "-DNC_IDX=%s -DNC_FLOAT", idx);
  } else {
    n = snprintf(buf, len, "-DNC_IDX=%s -DNC_XT=%s", idx,
                 pl->x_u8 ? "uchar" : "char");
  }
  size_t used = n > 0 ? (size_t)n : 0;
  if (pl->k == K_CONV_TILED && used < len) {
    snprintf(buf + used, len - used,
             " -DNC_TILE_W=%d -DNC_TILE_OV=%d -DNC_C=%lld -DNC_KH=%lld "
             "-DNC_KW=%lld -DNC_SH=%d -DNC_SW=%d -DNC_DH=%d -DNC_DW=%d "
             "-DNC_HP=%lld -DNC_WP=%lld -DNC_OCP=%lld%s%s",
             pl->tw, pl->tov, (long long)pl->cp, (long long)g->kh,
             (long long)g->kw, l->stride_h, l->stride_w, l->dil_h, l->dil_w,
             (long long)pl->hp, (long long)pl->wp, (long long)pl->ocp,
             pl->pairs ? " -DNC_PAIRS" : "", pl->vnni ? " -DNC_VNNI" : "");
  } else if (pl->k == K_CONV_LOCAL && used < len) {
    snprintf(buf + used, len - used,
             " -DNC_LT_TM=%d -DNC_LT_TN=%d -DNC_LT_TK=%d -DNC_LT_RM=%d "
             "-DNC_LT_RN=%d",
             pl->lt_m, pl->lt_n, pl->lt_k, pl->lt_rm, pl->lt_rn);
  } else if (pl->k == K_POOL_VEC && used < len) {
    snprintf(
        buf + used, len - used,
        " -DNC_PKH=%lld -DNC_PKW=%lld -DNC_PSH=%d -DNC_PSW=%d -DNC_PC=%lld "
        "-DNC_PB=%d",
        (long long)g->kh, (long long)g->kw, l->stride_h, l->stride_w,
        (long long)g->c, pl->pool_pb);
  } else if (pl->k == K_FC_ROWS && used < len) {
    snprintf(buf + used, len - used, " -DNC_FC_NB=%d", pl->fc_nb);
  }
}

static const char *file_of_(kind_t_ k) {
  switch (k) {
    case K_FC_ROWS:
      return "fc.cl";
    case K_LOCAL_ROWS:
      return "local.cl";
    case K_POOL_GENERAL:
    case K_POOL_VEC:
      return "pool.cl";
    default:
      return "conv.cl";
  }
}

static const char *kernel_name_(kind_t_ k) {
  static const char *const names[] = {
      [K_GENERAL] = "nc_mac_general",       [K_CONV_TILED] = "nc_conv_tiled",
      [K_FC_ROWS] = "nc_fc_rows",           [K_LOCAL_ROWS] = "nc_local_rows",
      [K_POOL_GENERAL] = "nc_pool_general", [K_POOL_VEC] = "nc_pool_vec",
      [K_CONV_LOCAL] = "nc_conv_local",
  };
  return names[k];
}

/* The compute kernel of a plan: the kind's, nc_conv_pairs or
 * nc_conv_vnni. */
static const char *main_name_(const plan_t_ *pl) {
  return pl->vnni    ? "nc_conv_vnni"
         : pl->pairs ? "nc_conv_pairs"
                     : kernel_name_(pl->k);
}

/* Weights [O][KH][KW][C] as [KH][KW][CP / q][OCP][q] for the integer
 * kernels that take q input channels at once, short for nc_conv_pairs
 * (q = 2), char for nc_conv_vnni (q = 4): the weights of channels qj ..
 * qj + q - 1 side by side, zero beyond O and beyond C. */
static void *pack_groups_(const plan_t_ *pl, const nc_tensor_t *w, int q) {
  const nc_geom_t *g = &pl->g;
  void *dst = calloc(1, pl->w_bytes);
  if (dst == NULL) {
    return NULL;
  }
  const int64_t kk = g->kh * g->kw;
  const int8_t *src = (const int8_t *)w->data;
  for (int64_t o = 0; o < g->oc; o++) {
    for (int64_t t = 0; t < kk; t++) {
      for (int64_t ch = 0; ch < g->c; ch++) {
        const int64_t j = (t * pl->cp + ch) / q;
        const int64_t i = (j * pl->ocp + o) * q + ch % q;
        const int8_t v = src[(o * kk + t) * g->c + ch];
        if (q == 2) {
          ((int16_t *)dst)[i] = v;
        } else {
          ((int8_t *)dst)[i] = v;
        }
      }
    }
  }
  return dst;
}

/* The input offset nc_conv_vnni sums with: it multiplies the unsigned
 * x + off (off = 128 for int8 input, 0 for uint8). */
static int vnni_off_(const plan_t_ *pl) {
  return pl->x_u8 ? 0 : 128;
}

/* nc_conv_vnni's bias: bias[o] - (in_zp + off) * (sum of output channel
 * o's weights), modulo 2^32 (see kernels/conv.cl). */
static int32_t *vnni_bias_(const plan_t_ *pl, const nc_tensor_t *w,
                           const nc_tensor_t *b) {
  const nc_geom_t *g = &pl->g;
  int32_t *dst = malloc((size_t)g->oc * sizeof *dst);
  if (dst == NULL) {
    return NULL;
  }
  const int64_t taps = g->kh * g->kw * g->c;
  const uint32_t zp = (uint32_t)(pl->l->in_zp + vnni_off_(pl));
  const int8_t *src = (const int8_t *)w->data;
  for (int64_t o = 0; o < g->oc; o++) {
    uint32_t sum = 0;
    for (int64_t i = 0; i < taps; i++) {
      sum += (uint32_t)(int32_t)src[o * taps + i];
    }
    const uint32_t bo =
        b != NULL ? (uint32_t)((const int32_t *)b->data)[o] : 0u;
    dst[o] = (int32_t)(bo - zp * sum);
  }
  return dst;
}

/* Weights [O][KH][KW][C] as float [OCB][KH][KW][C][OB]: the output
 * channels in blocks of OB = NC_TILE_OV * 16 (one work-item's), each block
 * one contiguous slice that the kernel streams in order, channels
 * innermost and zero beyond O (int8 weights convert exactly); for integer
 * pairs and VNNI pack_groups_'s layouts. */
static void *pack_weights_(const plan_t_ *pl, const nc_tensor_t *w) {
  const nc_geom_t *g = &pl->g;
  if (pl->pairs || pl->vnni) {
    return pack_groups_(pl, w, pl->vnni ? 4 : 2);
  }
  float *dst = calloc(1, pl->w_bytes);
  if (dst == NULL) {
    return NULL;
  }
  const int64_t taps = g->kh * g->kw * g->c;
  const int64_t ob = 16 * (int64_t)pl->tov;
  const int is_float = w->dtype == NC_DTYPE_FLOAT32;
  for (int64_t o = 0; o < g->oc; o++) {
    float *slice = dst + (o / ob) * taps * ob + o % ob;
    for (int64_t i = 0; i < taps; i++) {
      slice[i * ob] = is_float ? ((const float *)w->data)[o * taps + i]
                               : (float)((const int8_t *)w->data)[o * taps + i];
    }
  }
  return dst;
}

/* ---------------------------------------------------------------------- */
/* Running                                                                 */
/* ---------------------------------------------------------------------- */

/* Epilogue arguments (NC_OUT_PARAMS of kernels/common.cl). */
static void out_args_(nc__args_t *a, const plan_t_ *pl, cl_mem y, cl_mem mult,
                      cl_mem shift) {
  const nc_layer_t *l = pl->l;
  nc__arg_mem(a, y);
  if (pl->is_float) {
    nc__arg_int(a, (int)l->act);
    nc__arg_float(a, l->act_lo);
    nc__arg_float(a, l->act_hi);
    return;
  }
  nc__arg_mem(a, y);
  nc__arg_int(a, l->rq.enabled);
  nc__arg_mem(a, mult);
  nc__arg_mem(a, shift);
  nc__arg_int(a, l->rq.enabled && l->rq.channels > 1);
  nc__arg_int(a, l->rq.out_zp);
  nc__arg_int(a, l->rq.act_min);
  nc__arg_int(a, l->rq.act_max);
}

/* The padded copy of x into xp: nc_pad_tiled for the tiled conv path
 * (float, or short for nc_conv_pairs, or uchar for nc_conv_vnni),
 * nc_pad_input (same dtype) for the others. */
static nc_status_t pad_(nc__run_t *r, cl_program p, const plan_t_ *pl, cl_mem x,
                        cl_mem xp) {
  const nc_geom_t *g = &pl->g;
  const int tiled = pl->k == K_CONV_TILED;
  const char *name = tiled ? "nc_pad_tiled" : "nc_pad_input";
  cl_kernel k = NULL;
  nc_status_t st = nc__run_kernel(r, p, name, &k);
  if (st != NC_OK) {
    return st;
  }
  nc__args_t a = {.k = k, .name = name};
  nc__arg_mem(&a, x);
  nc__arg_mem(&a, xp);
  nc__arg_int(&a, g->n);
  nc__arg_int(&a, g->h);
  nc__arg_int(&a, g->w);
  nc__arg_int(&a, g->c);
  nc__arg_int(&a, pl->hp);
  nc__arg_int(&a, pl->wp);
  nc__arg_int(&a, g->pad_top);
  nc__arg_int(&a, g->pad_left);
  nc__arg_int(&a, pl->is_float ? 0 : pl->l->pad_value);
  /* nc_pad_tiled: on a CPU a whole padded row per item and one item per
   * work-group (per-pixel items in runtime-sized groups ran about 4x
   * slower on POCL: it vectorizes across work-items, turning the
   * sixteen-wide copies into gathers); on a GPU a pixel per item.
   * nc_pad_input: one item per element. */
  const int cpu = !r->c->info.is_gpu;
  const int64_t blk = cpu ? pl->wp : 1;
  if (tiled) {
    /* VNNI: the copy holds x + off, i.e. x - (-off) (kernels/conv.cl). */
    nc__arg_int(&a, pl->is_float ? 0
                    : pl->vnni   ? -vnni_off_(pl)
                                 : pl->l->in_zp);
    nc__arg_int(&a, blk);
  }
  st = nc__args_done(&a);
  if (st != NC_OK) {
    return st;
  }
  const size_t gws[3] = {
      tiled ? (size_t)((pl->wp + blk - 1) / blk) : (size_t)g->c,
      tiled ? (size_t)(g->n * pl->hp) : (size_t)pl->wp,
      tiled ? 1 : (size_t)(g->n * pl->hp)};
  static const size_t one[3] = {1, 1, 1};
  return nc__run_launch(r, r->nk - 1, name, gws, tiled && cpu ? one : NULL);
}

static nc_status_t run_pool_(nc__run_t *r, cl_program p, const plan_t_ *pl,
                             cl_mem x, cl_mem y) {
  const nc_geom_t *g = &pl->g;
  const nc_layer_t *l = pl->l;
  const char *name = kernel_name_(pl->k);
  cl_kernel k = NULL;
  nc_status_t st = nc__run_kernel(r, p, name, &k);
  if (st != NC_OK) {
    return st;
  }
  nc__args_t a = {.k = k, .name = name};
  nc__arg_mem(&a, x);
  nc__arg_mem(&a, y);
  nc__arg_int(&a, g->n);
  nc__arg_int(&a, g->h);
  nc__arg_int(&a, g->w);
  nc__arg_int(&a, g->c);
  nc__arg_int(&a, g->oh);
  nc__arg_int(&a, g->ow);
  nc__arg_int(&a, l->pool_h);
  nc__arg_int(&a, l->pool_w);
  nc__arg_int(&a, l->stride_h);
  nc__arg_int(&a, l->stride_w);
  nc__arg_int(&a, g->pad_top);
  nc__arg_int(&a, g->pad_left);
  st = nc__args_done(&a);
  if (st != NC_OK) {
    return st;
  }
  r->main_k = r->nk - 1;
  const int vec = pl->k == K_POOL_VEC;
  const size_t blocks = (size_t)((g->ow + pl->pool_pb - 1) / pl->pool_pb);
  const size_t gws[3] = {vec ? blocks : (size_t)g->c,
                         vec ? (size_t)(g->n * g->oh) : (size_t)g->ow,
                         vec ? 1 : (size_t)(g->n * g->oh)};
  /* On a CPU a vector item does a row of pixels: one per group balances
   * best (see run_mac_). The general kernel's items are single elements. */
  static const size_t one[3] = {1, 1, 1};
  return nc__run_launch(r, r->main_k, name, gws,
                 vec && !r->c->info.is_gpu ? one : NULL);
}

static nc_status_t run_mac_(nc__run_t *r, cl_program p, const plan_t_ *pl,
                            cl_mem x, cl_mem xp, cl_mem w, cl_mem b, cl_mem y,
                            cl_mem mult, cl_mem shift) {
  const nc_geom_t *g = &pl->g;
  const nc_layer_t *l = pl->l;
  const char *name = main_name_(pl);
  if (pl->pad) {
    nc_status_t st = pad_(r, p, pl, x, xp);
    if (st != NC_OK) {
      return st;
    }
  }
  cl_kernel k = NULL;
  nc_status_t st = nc__run_kernel(r, p, name, &k);
  if (st != NC_OK) {
    return st;
  }
  r->main_k = r->nk - 1;
  nc__args_t a = {.k = k, .name = name};
  size_t gws[3] = {(size_t)g->oc, (size_t)g->ow, (size_t)(g->n * g->oh)};
  const size_t *lws = NULL;
  size_t lws_tuned[3];
  switch (pl->k) {
    case K_CONV_LOCAL:
    case K_GENERAL: {
      const int groups = l->kind == NC_LAYER_CONV2D ? l->groups : 1;
      nc__arg_mem(&a, x);
      nc__arg_mem(&a, w);
      nc__arg_mem(&a, b);
      nc__arg_int(&a, g->n);
      nc__arg_int(&a, g->h);
      nc__arg_int(&a, g->w);
      nc__arg_int(&a, g->c);
      nc__arg_int(&a, g->oh);
      nc__arg_int(&a, g->ow);
      nc__arg_int(&a, g->oc);
      nc__arg_int(&a, g->kh);
      nc__arg_int(&a, g->kw);
      nc__arg_int(&a, l->kind == NC_LAYER_FC ? 1 : l->stride_h);
      nc__arg_int(&a, l->kind == NC_LAYER_FC ? 1 : l->stride_w);
      nc__arg_int(&a, l->kind == NC_LAYER_FC ? 1 : l->dil_h);
      nc__arg_int(&a, l->kind == NC_LAYER_FC ? 1 : l->dil_w);
      nc__arg_int(&a, g->pad_top);
      nc__arg_int(&a, g->pad_left);
      nc__arg_int(&a, g->c / groups);
      nc__arg_int(&a, g->oc / groups);
      nc__arg_int(&a,
               l->kind == NC_LAYER_LOCAL ? g->oc * g->kh * g->kw * g->c : 0);
      nc__arg_int(&a, pl->b_pos ? g->oc : 0);
      nc__arg_int(&a, l->in_zp);
      nc__arg_int(&a, l->pad_value);
      if (pl->k == K_CONV_LOCAL) {
        /* (groups x channel blocks) x pixel blocks of one work-group
         * each, (TN / RN) x (TM / RM) work-items per group. */
        const int64_t og = g->oc / groups;
        const int64_t obn = (og + pl->lt_n - 1) / pl->lt_n;
        const int64_t mbn = (g->n * g->oh * g->ow + pl->lt_m - 1) / pl->lt_m;
        lws_tuned[0] = (size_t)(pl->lt_n / pl->lt_rn);
        lws_tuned[1] = (size_t)(pl->lt_m / pl->lt_rm);
        lws_tuned[2] = 1;
        gws[0] = (size_t)(groups * obn) * lws_tuned[0];
        gws[1] = (size_t)mbn * lws_tuned[1];
        gws[2] = 1;
        lws = lws_tuned;
      }
      break;
    }
    case K_CONV_TILED:
      nc__arg_mem(&a, pl->pad ? xp : x);
      nc__arg_mem(&a, w);
      nc__arg_mem(&a, b);
      nc__arg_int(&a, g->n * g->oh);
      nc__arg_int(&a, g->oh);
      nc__arg_int(&a, g->ow);
      nc__arg_int(&a, g->oc);
      nc__arg_int(&a, pl->owb);
      nc__arg_int(&a, pl->ocb);
      gws[0] = (size_t)(g->n * g->oh);
      gws[1] = (size_t)pl->owb;
      gws[2] = (size_t)pl->ocb;
      if (r->c->tune.local_size[0] > 0) {
        for (int i = 0; i < 3; i++) {
          lws_tuned[i] =
              (size_t)(r->c->tune.local_size[i] > 0 ? r->c->tune.local_size[i]
                                                    : 1);
        }
        lws = lws_tuned;
      } else if (!r->c->info.is_gpu) {
        /* On a CPU each work-item is a whole register tile: one per
         * work-group keeps many groups for the threads to balance, where
         * the runtime's choice (POCL: as few as one group per core) stalls
         * when a core is busy with something else. */
        lws_tuned[0] = lws_tuned[1] = lws_tuned[2] = 1;
        lws = lws_tuned;
      }
      break;
    case K_FC_ROWS:
      nc__arg_mem(&a, x);
      nc__arg_mem(&a, w);
      nc__arg_mem(&a, b);
      nc__arg_int(&a, g->n);
      nc__arg_int(&a, g->c);
      nc__arg_int(&a, g->oc);
      nc__arg_int(&a, l->in_zp);
      gws[1] = (size_t)((g->n + pl->fc_nb - 1) / pl->fc_nb);
      gws[2] = 1;
      break;
    case K_LOCAL_ROWS:
      nc__arg_mem(&a, xp);
      nc__arg_mem(&a, w);
      nc__arg_mem(&a, b);
      nc__arg_int(&a, g->n);
      nc__arg_int(&a, pl->hp);
      nc__arg_int(&a, pl->wp);
      nc__arg_int(&a, g->c);
      nc__arg_int(&a, g->oh);
      nc__arg_int(&a, g->ow);
      nc__arg_int(&a, g->oc);
      nc__arg_int(&a, g->kh);
      nc__arg_int(&a, g->kw);
      nc__arg_int(&a, l->stride_h);
      nc__arg_int(&a, l->stride_w);
      nc__arg_int(&a, l->dil_h);
      nc__arg_int(&a, l->dil_w);
      nc__arg_int(&a, pl->b_pos ? g->oc : 0);
      nc__arg_int(&a, l->in_zp);
      break;
    default:
      return nc__fail(NC_ERR_INTERNAL, "opencl: bad kernel plan %d",
                      (int)pl->k);
  }
  out_args_(&a, pl, y, mult, shift);
  st = nc__args_done(&a);
  if (st != NC_OK) {
    return st;
  }
  return nc__run_launch(r, r->main_k, name, gws, lws);
}

uint64_t nc__event_ns(cl_event e) {
  cl_ulong t0 = 0, t1 = 0;
  if (e == NULL ||
      clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_START, sizeof t0, &t0,
                              NULL) != CL_SUCCESS ||
      clGetEventProfilingInfo(e, CL_PROFILING_COMMAND_END, sizeof t1, &t1,
                              NULL) != CL_SUCCESS ||
      t1 < t0) {
    return 0;
  }
  return t1 - t0;
}

nc_status_t nc__run_finish(nc__run_t *r, nc_status_t st, cl_mem y,
                           size_t y_bytes, nc_tensor_t *out,
                           const char *kernel) {
  nc_ocl_t *c = r->c;
  if (st != NC_OK) {
    clFinish(c->q);
    return st;
  }
  cl_int err = clEnqueueReadBuffer(c->q, y, CL_TRUE, 0, y_bytes, out->data, 0,
                                   NULL, NULL);
  if (err != CL_SUCCESS) {
    clFinish(c->q);
    return nc__ocl_fail(err, "clEnqueueReadBuffer", "output");
  }
  c->prof.kernel_ns = 0;
  for (int i = 0; i < r->nk; i++) {
    c->prof.kernel_ns += nc__event_ns(r->ev[i]);
  }
  c->prof.main_ns = nc__event_ns(r->ev[r->main_k]);
  c->prof.kernel = kernel;
  return NC_OK;
}

/* Uploads, launches and reads back; `out` is allocated by the caller. */
static nc_status_t execute_(nc_ocl_t *c, nc__run_t *r, const plan_t_ *pl,
                            const nc_tensor_t *in, const nc_tensor_t *w,
                            const nc_tensor_t *b, nc_tensor_t *out) {
  char opts[512];
  options_(pl, opts, sizeof opts);
  cl_program p = NULL;
  nc_status_t st = nc__ocl_program(c, file_of_(pl->k), opts, &p);
  if (st != NC_OK) {
    return st;
  }
  cl_mem x = NULL, xp = NULL, wm = NULL, bm = NULL, y = NULL, mult = NULL,
         shift = NULL;
  st = nc__run_buf(r, "input", pl->x_bytes, in->data, &x);
  if (st == NC_OK) {
    st = nc__run_scratch(r, "output", pl->y_bytes, &y);
  }
  if (st == NC_OK && pl->pool) {
    st = run_pool_(r, p, pl, x, y);
  } else if (st == NC_OK) {
    void *packed = NULL;
    if (pl->k == K_CONV_TILED) {
      packed = pack_weights_(pl, w);
      if (packed == NULL) {
        return nc__fail(NC_ERR_NOMEM, "opencl: cannot allocate %zu bytes",
                        pl->w_bytes);
      }
    }
    st = nc__run_buf(r, "weight", pl->w_bytes,
              packed != NULL ? (const void *)packed : w->data, &wm);
    free(packed);
    if (st == NC_OK && pl->vnni) {
      int32_t *vb = vnni_bias_(pl, w, b);
      if (vb == NULL) {
        return nc__fail(NC_ERR_NOMEM, "opencl: cannot allocate %zu bytes",
                        pl->b_bytes);
      }
      st = nc__run_buf(r, "bias", pl->b_bytes, vb, &bm);
      free(vb);
    } else if (st == NC_OK) {
      st = nc__run_buf(r, "bias", pl->b_bytes, b != NULL ? b->data : NULL, &bm);
    }
    if (st == NC_OK && pl->l->rq.enabled) {
      st = nc__run_buf(r, "requantization multiplier", pl->rq_bytes, pl->l->rq.mult,
                &mult);
      if (st == NC_OK) {
        st = nc__run_buf(r, "requantization shift", pl->rq_bytes, pl->l->rq.shift,
                  &shift);
      }
    } else if (st == NC_OK) {
      mult = bm; /* never read: rq_on is 0 */
      shift = bm;
    }
    if (st == NC_OK && pl->pad) {
      st = nc__run_scratch(r, "padded input", pl->p_bytes, &xp);
    }
    if (st == NC_OK) {
      st = run_mac_(r, p, pl, x, xp, wm, bm, y, mult, shift);
    }
  }
  st = nc__run_finish(r, st, y, pl->y_bytes, out, main_name_(pl));
  if (st != NC_OK) {
    return st;
  }
  c->prof.algo = NC_OCL_ALGO_DIRECT;
  c->prof.algo_tile = 0;
  c->prof.weights_cached = 0;
  return NC_OK;
}

nc_status_t nc_ocl_run_layer(nc_ocl_t *c, const nc_layer_t *l,
                             const nc_tensor_t *input,
                             const nc_tensor_t *weights,
                             const nc_tensor_t *bias, nc_tensor_t *out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: NULL output tensor");
  }
  memset(out, 0, sizeof *out);
  if (c == NULL || l == NULL || input == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: NULL context, layer or input");
  }
  plan_t_ pl;
  memset(&pl, 0, sizeof pl);
  nc_status_t st = nc__layer_check_run(l, input, weights, bias, &pl.g);
  if (st != NC_OK) {
    return st;
  }
  if (nc__ocl_is_builtin(c)) {
    return nc__ocl_run_builtin(c, l, NULL, &pl.g, input, weights, bias, out);
  }
  st = plan_(c, l, input, weights, bias, &pl);
  if (st != NC_OK) {
    return st;
  }
  const int needs_int64 = input->dtype != NC_DTYPE_FLOAT32;
  if (needs_int64 && (!c->info.int64 || (c->masked & NC_OCL_FEAT_INT64))) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s: device '%s' has no 64-bit integers "
                    "(embedded profile without cles_khr_int64), which "
                    "integer layers need for exact requantization and sums",
                    nc_layer_kind_name(l->kind), c->info.name);
  }
  nc_ocl_algo_t algo = NC_OCL_ALGO_DIRECT;
  int algo_tile = 0;
  const int fast = nc__fast_plan(c, l, input, &pl.g, &algo, &algo_tile);
  st = fast ? NC_OK : check_limits_(c, &pl);
  if (st != NC_OK) {
    return st;
  }
  const nc_geom_t *g = &pl.g;
  const int64_t fc_shape[2] = {g->n, g->oc};
  const int64_t img_shape[4] = {g->n, g->oh, g->ow, g->oc};
  if (l->kind == NC_LAYER_FC) {
    st = nc_tensor_alloc(out, pl.odt, 2, fc_shape);
  } else {
    st = nc_tensor_alloc(out, pl.odt, 4, img_shape);
  }
  if (st != NC_OK) {
    return st;
  }
  if (fast) {
    st = nc__fast_run(c, l, &pl.g, input, weights, bias, algo, algo_tile, out);
    if (st != NC_OK) {
      nc_tensor_free(out);
    }
    return st;
  }
  nc__run_t r;
  memset(&r, 0, sizeof r);
  r.c = c;
  st = execute_(c, &r, &pl, input, weights, bias, out);
  nc__run_release(&r);
  if (st != NC_OK) {
    nc_tensor_free(out);
  }
  return st;
}
