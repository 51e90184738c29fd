/*
 * The OpenCL backend's device side: error names, device listing and
 * selection, contexts, and program builds with an on-disk binary cache.
 * Layer runs are in ocl_run.c.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/file.h"
#include "host/ocl_internal.h"
#include "host/sha256.h"
#include "neocog/error.h"

/* ocl-icd's "no platform" code (cl_khr_icd), absent from CL/cl.h. */
#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

/* ---------------------------------------------------------------------- */
/* Error names                                                             */
/* ---------------------------------------------------------------------- */

#define NC_CL_ERRORS(X)                                \
  X(CL_SUCCESS, 0)                                     \
  X(CL_DEVICE_NOT_FOUND, -1)                           \
  X(CL_DEVICE_NOT_AVAILABLE, -2)                       \
  X(CL_COMPILER_NOT_AVAILABLE, -3)                     \
  X(CL_MEM_OBJECT_ALLOCATION_FAILURE, -4)              \
  X(CL_OUT_OF_RESOURCES, -5)                           \
  X(CL_OUT_OF_HOST_MEMORY, -6)                         \
  X(CL_PROFILING_INFO_NOT_AVAILABLE, -7)               \
  X(CL_MEM_COPY_OVERLAP, -8)                           \
  X(CL_IMAGE_FORMAT_MISMATCH, -9)                      \
  X(CL_IMAGE_FORMAT_NOT_SUPPORTED, -10)                \
  X(CL_BUILD_PROGRAM_FAILURE, -11)                     \
  X(CL_MAP_FAILURE, -12)                               \
  X(CL_MISALIGNED_SUB_BUFFER_OFFSET, -13)              \
  X(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, -14) \
  X(CL_COMPILE_PROGRAM_FAILURE, -15)                   \
  X(CL_LINKER_NOT_AVAILABLE, -16)                      \
  X(CL_LINK_PROGRAM_FAILURE, -17)                      \
  X(CL_DEVICE_PARTITION_FAILED, -18)                   \
  X(CL_KERNEL_ARG_INFO_NOT_AVAILABLE, -19)             \
  X(CL_INVALID_VALUE, -30)                             \
  X(CL_INVALID_DEVICE_TYPE, -31)                       \
  X(CL_INVALID_PLATFORM, -32)                          \
  X(CL_INVALID_DEVICE, -33)                            \
  X(CL_INVALID_CONTEXT, -34)                           \
  X(CL_INVALID_QUEUE_PROPERTIES, -35)                  \
  X(CL_INVALID_COMMAND_QUEUE, -36)                     \
  X(CL_INVALID_HOST_PTR, -37)                          \
  X(CL_INVALID_MEM_OBJECT, -38)                        \
  X(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, -39)           \
  X(CL_INVALID_IMAGE_SIZE, -40)                        \
  X(CL_INVALID_SAMPLER, -41)                           \
  X(CL_INVALID_BINARY, -42)                            \
  X(CL_INVALID_BUILD_OPTIONS, -43)                     \
  X(CL_INVALID_PROGRAM, -44)                           \
  X(CL_INVALID_PROGRAM_EXECUTABLE, -45)                \
  X(CL_INVALID_KERNEL_NAME, -46)                       \
  X(CL_INVALID_KERNEL_DEFINITION, -47)                 \
  X(CL_INVALID_KERNEL, -48)                            \
  X(CL_INVALID_ARG_INDEX, -49)                         \
  X(CL_INVALID_ARG_VALUE, -50)                         \
  X(CL_INVALID_ARG_SIZE, -51)                          \
  X(CL_INVALID_KERNEL_ARGS, -52)                       \
  X(CL_INVALID_WORK_DIMENSION, -53)                    \
  X(CL_INVALID_WORK_GROUP_SIZE, -54)                   \
  X(CL_INVALID_WORK_ITEM_SIZE, -55)                    \
  X(CL_INVALID_GLOBAL_OFFSET, -56)                     \
  X(CL_INVALID_EVENT_WAIT_LIST, -57)                   \
  X(CL_INVALID_EVENT, -58)                             \
  X(CL_INVALID_OPERATION, -59)                         \
  X(CL_INVALID_GL_OBJECT, -60)                         \
  X(CL_INVALID_BUFFER_SIZE, -61)                       \
  X(CL_INVALID_MIP_LEVEL, -62)                         \
  X(CL_INVALID_GLOBAL_WORK_SIZE, -63)                  \
  X(CL_INVALID_PROPERTY, -64)                          \
  X(CL_INVALID_IMAGE_DESCRIPTOR, -65)                  \
  X(CL_INVALID_COMPILER_OPTIONS, -66)                  \
  X(CL_INVALID_LINKER_OPTIONS, -67)                    \
  X(CL_INVALID_DEVICE_PARTITION_COUNT, -68)            \
  X(CL_INVALID_PIPE_SIZE, -69)                         \
  X(CL_INVALID_DEVICE_QUEUE, -70)                      \
  X(CL_INVALID_SPEC_ID, -71)                           \
  X(CL_MAX_SIZE_RESTRICTION_EXCEEDED, -72)             \
  X(CL_PLATFORM_NOT_FOUND_KHR, -1001)

const char *nc_ocl_error_name(int clerr) {
  switch (clerr) {
#define NC_CL_ERR_CASE_(name, value) \
  case value:                        \
    return #name;
    NC_CL_ERRORS(NC_CL_ERR_CASE_)
#undef NC_CL_ERR_CASE_
    default:
      break;
  }
  return "CL_UNKNOWN_ERROR";
}

int nc__ocl_fail(cl_int err, const char *call, const char *what) {
  if (what != NULL && *what != '\0') {
    return nc__fail(NC_CL_ERROR_BASE + err, "%s(%s): %s (%d)", call, what,
                    nc_ocl_error_name(err), (int)err);
  }
  return nc__fail(NC_CL_ERROR_BASE + err, "%s: %s (%d)", call,
                  nc_ocl_error_name(err), (int)err);
}

/* ---------------------------------------------------------------------- */
/* Devices                                                                 */
/* ---------------------------------------------------------------------- */

/* Most platforms and devices per platform the backend looks at. */
#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

static void str_info_(cl_device_id d, cl_device_info what, char *buf,
                      size_t len) {
  buf[0] = '\0';
  if (clGetDeviceInfo(d, what, len - 1, buf, NULL) != CL_SUCCESS) {
    buf[0] = '\0';
  }
  buf[len - 1] = '\0';
}

static uint64_t u64_info_(cl_device_id d, cl_device_info what) {
  cl_ulong v = 0;
  if (clGetDeviceInfo(d, what, sizeof v, &v, NULL) != CL_SUCCESS) {
    return 0;
  }
  return v;
}

static unsigned uint_info_(cl_device_id d, cl_device_info what) {
  cl_uint v = 0;
  if (clGetDeviceInfo(d, what, sizeof v, &v, NULL) != CL_SUCCESS) {
    return 0;
  }
  return v;
}

/* Whether the space-separated extension list `exts` holds `name`. */
static int has_ext_(const char *exts, const char *name) {
  size_t n = strlen(name);
  for (const char *p = exts; (p = strstr(p, name)) != NULL; p += n) {
    if ((p == exts || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
      return 1;
    }
  }
  return 0;
}

static void fill_info_(cl_platform_id p, cl_device_id d,
                       nc_ocl_device_info_t *di) {
  memset(di, 0, sizeof *di);
  if (clGetPlatformInfo(p, CL_PLATFORM_NAME, sizeof di->platform_name - 1,
                        di->platform_name, NULL) != CL_SUCCESS) {
    di->platform_name[0] = '\0';
  }
  if (clGetPlatformInfo(p, CL_PLATFORM_VERSION, sizeof di->platform_version - 1,
                        di->platform_version, NULL) != CL_SUCCESS) {
    di->platform_version[0] = '\0';
  }
  str_info_(d, CL_DEVICE_NAME, di->name, sizeof di->name);
  str_info_(d, CL_DEVICE_VENDOR, di->vendor, sizeof di->vendor);
  str_info_(d, CL_DEVICE_VERSION, di->device_version,
            sizeof di->device_version);
  str_info_(d, CL_DRIVER_VERSION, di->driver_version,
            sizeof di->driver_version);
  str_info_(d, CL_DEVICE_OPENCL_C_VERSION, di->opencl_c_version,
            sizeof di->opencl_c_version);
  cl_device_type t = 0;
  if (clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL) != CL_SUCCESS) {
    t = 0;
  }
  di->is_gpu = (t & CL_DEVICE_TYPE_GPU) != 0;
  snprintf(di->type, sizeof di->type, "%s",
           (t & CL_DEVICE_TYPE_GPU)           ? "GPU"
           : (t & CL_DEVICE_TYPE_CPU)         ? "CPU"
           : (t & CL_DEVICE_TYPE_ACCELERATOR) ? "ACCELERATOR"
                                              : "CUSTOM");
  di->compute_units = uint_info_(d, CL_DEVICE_MAX_COMPUTE_UNITS);
  di->clock_mhz = uint_info_(d, CL_DEVICE_MAX_CLOCK_FREQUENCY);
  di->global_mem_bytes = u64_info_(d, CL_DEVICE_GLOBAL_MEM_SIZE);
  di->max_alloc_bytes = u64_info_(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  di->local_mem_bytes = u64_info_(d, CL_DEVICE_LOCAL_MEM_SIZE);
  size_t wg = 0;
  if (clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL) ==
      CL_SUCCESS) {
    di->max_work_group = wg;
  }
  size_t elen = 0;
  char *exts = NULL;
  if (clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &elen) == CL_SUCCESS &&
      (exts = calloc(elen + 1, 1)) != NULL &&
      clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, elen, exts, NULL) ==
          CL_SUCCESS) {
    di->fp16 = has_ext_(exts, "cl_khr_fp16");
    di->fp64 = has_ext_(exts, "cl_khr_fp64");
    di->int_dot = has_ext_(exts, "cl_khr_integer_dot_product");
    di->int64 = has_ext_(exts, "cles_khr_int64");
  }
  free(exts);
  cl_bool comp = CL_TRUE;
  if (clGetDeviceInfo(d, CL_DEVICE_COMPILER_AVAILABLE, sizeof comp, &comp,
                      NULL) != CL_SUCCESS) {
    comp = CL_TRUE;
  }
  di->compiler = comp != CL_FALSE;
  str_info_(d, CL_DEVICE_BUILT_IN_KERNELS, di->builtin_kernels,
            sizeof di->builtin_kernels);
  char profile[64];
  str_info_(d, CL_DEVICE_PROFILE, profile, sizeof profile);
  if (strcmp(profile, "FULL_PROFILE") == 0) {
    di->int64 = 1; /* 64-bit integers are core in the full profile */
  }
}

/* Every device of every platform, in listing order. */
typedef struct {
  int n;
  cl_platform_id plat[MAX_PLATFORMS * MAX_DEVICES];
  cl_device_id dev[MAX_PLATFORMS * MAX_DEVICES];
  int pidx[MAX_PLATFORMS * MAX_DEVICES];
  int didx[MAX_PLATFORMS * MAX_DEVICES];
  int nplat;
  cl_platform_id plats[MAX_PLATFORMS];
} devlist_t_;

static nc_status_t enumerate_(devlist_t_ *dl) {
  memset(dl, 0, sizeof *dl);
  cl_uint np = 0;
  cl_int err = clGetPlatformIDs(MAX_PLATFORMS, dl->plats, &np);
  if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && np == 0)) {
    return nc__fail(NC_ERR_NOT_FOUND,
                    "no OpenCL platform found: is an ICD installed "
                    "(/etc/OpenCL/vendors, e.g. pocl-opencl-icd)?");
  }
  if (err != CL_SUCCESS) {
    return nc__ocl_fail(err, "clGetPlatformIDs", NULL);
  }
  dl->nplat = np < MAX_PLATFORMS ? (int)np : MAX_PLATFORMS;
  for (int p = 0; p < dl->nplat; p++) {
    cl_device_id ds[MAX_DEVICES];
    cl_uint nd = 0;
    err =
        clGetDeviceIDs(dl->plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, ds, &nd);
    if (err == CL_DEVICE_NOT_FOUND) {
      continue; /* a platform without devices lists nothing */
    }
    if (err != CL_SUCCESS) {
      return nc__ocl_fail(err, "clGetDeviceIDs", NULL);
    }
    nd = nd < MAX_DEVICES ? nd : MAX_DEVICES;
    for (cl_uint d = 0; d < nd; d++) {
      dl->plat[dl->n] = dl->plats[p];
      dl->dev[dl->n] = ds[d];
      dl->pidx[dl->n] = p;
      dl->didx[dl->n] = (int)d;
      dl->n++;
    }
  }
  return NC_OK;
}

/* The first GPU of devices [0, n) that pass `keep`, else the first CPU
 * (an accelerator with built-in kernels only runs fewer layers), else the
 * first. */
static int default_of_(const devlist_t_ *dl, const int *keep) {
  int first = -1, cpu = -1;
  for (int i = 0; i < dl->n; i++) {
    if (!keep[i]) {
      continue;
    }
    if (first < 0) {
      first = i;
    }
    cl_device_type t = 0;
    if (clGetDeviceInfo(dl->dev[i], CL_DEVICE_TYPE, sizeof t, &t, NULL) !=
        CL_SUCCESS) {
      continue;
    }
    if (t & CL_DEVICE_TYPE_GPU) {
      return i;
    }
    if ((t & CL_DEVICE_TYPE_CPU) && cpu < 0) {
      cpu = i;
    }
  }
  return cpu >= 0 ? cpu : first;
}

nc_status_t nc_ocl_list_devices(nc_ocl_device_info_t *out, int cap,
                                int *count) {
  if (count == NULL || cap < 0 || (cap > 0 && out == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: list_devices: bad argument");
  }
  devlist_t_ *dl = malloc(sizeof *dl);
  if (dl == NULL) {
    return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
  }
  nc_status_t st = enumerate_(dl);
  if (st != NC_OK) {
    free(dl);
    return st;
  }
  int keep[MAX_PLATFORMS * MAX_DEVICES];
  for (int i = 0; i < dl->n; i++) {
    keep[i] = 1;
  }
  int def = default_of_(dl, keep);
  for (int i = 0; i < dl->n && i < cap; i++) {
    fill_info_(dl->plat[i], dl->dev[i], &out[i]);
    out[i].platform_index = dl->pidx[i];
    out[i].device_index = dl->didx[i];
    out[i].global_index = i;
    out[i].is_default = i == def;
  }
  *count = dl->n;
  free(dl);
  return NC_OK;
}

/* "0".."99999": a non-negative index; else -1. */
static int parse_index_(const char *s) {
  if (*s == '\0' || strlen(s) > 5) {
    return -1;
  }
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') {
      return -1;
    }
  }
  return atoi(s);
}

/* Case-insensitive substring test. */
static int icontains_(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++) {
    if (strncasecmp(p, needle, n) == 0) {
      return 1;
    }
  }
  return n == 0;
}

static const char *env_or_(const char *sel, const char *var) {
  if (sel != NULL) {
    return *sel != '\0' ? sel : NULL;
  }
  const char *e = getenv(var);
  return e != NULL && *e != '\0' ? e : NULL;
}

/* "0 'name', 1 'name'" of the platforms or of devices passing `keep`. */
static void names_(const devlist_t_ *dl, int plats, const int *keep, char *buf,
                   size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < (plats ? dl->nplat : dl->n) && used < len; i++) {
    char name[128] = "";
    int idx = i;
    if (plats) {
      if (clGetPlatformInfo(dl->plats[i], CL_PLATFORM_NAME, sizeof name - 1,
                            name, NULL) != CL_SUCCESS) {
        name[0] = '\0';
      }
    } else {
      if (!keep[i]) {
        continue;
      }
      str_info_(dl->dev[i], CL_DEVICE_NAME, name, sizeof name);
    }
    int w = snprintf(buf + used, len - used, "%s%d '%s'", used ? ", " : "", idx,
                     name);
    used += w > 0 ? (size_t)w : 0;
  }
}

/* Picks a device: its position in dl, or fails with a detail. */
static nc_status_t select_(const devlist_t_ *dl, const char *psel,
                           const char *dsel, int *pick) {
  int keep[MAX_PLATFORMS * MAX_DEVICES];
  char have[400];
  int plat = -1;
  if (psel != NULL) {
    int idx = parse_index_(psel);
    for (int p = 0; p < dl->nplat && plat < 0; p++) {
      char name[128] = "";
      if (clGetPlatformInfo(dl->plats[p], CL_PLATFORM_NAME, sizeof name - 1,
                            name, NULL) != CL_SUCCESS) {
        name[0] = '\0';
      }
      if (idx >= 0 ? p == idx : icontains_(name, psel)) {
        plat = p;
      }
    }
    if (plat < 0) {
      names_(dl, 1, NULL, have, sizeof have);
      return nc__fail(NC_ERR_NOT_FOUND,
                      "opencl: no platform matches '%s' (an index or part "
                      "of a name; there are: %s)",
                      psel, have);
    }
  }
  for (int i = 0; i < dl->n; i++) {
    keep[i] = plat < 0 || dl->pidx[i] == plat;
  }
  if (dsel == NULL) {
    int d = default_of_(dl, keep);
    if (d < 0) {
      return nc__fail(NC_ERR_NOT_FOUND, "opencl: platform '%s' has no devices",
                      psel != NULL ? psel : "?");
    }
    *pick = d;
    return NC_OK;
  }
  int idx = parse_index_(dsel);
  for (int i = 0; i < dl->n; i++) {
    if (!keep[i]) {
      continue;
    }
    int match = 0;
    if (idx >= 0) {
      match = plat >= 0 ? dl->didx[i] == idx : i == idx;
    } else {
      char name[128];
      str_info_(dl->dev[i], CL_DEVICE_NAME, name, sizeof name);
      match = icontains_(name, dsel);
    }
    if (match) {
      *pick = i;
      return NC_OK;
    }
  }
  names_(dl, 0, keep, have, sizeof have);
  return nc__fail(NC_ERR_NOT_FOUND,
                  "opencl: no device matches '%s'%s%s (an index or part of a "
                  "name; there are: %s)",
                  dsel, psel != NULL ? " on platform " : "",
                  psel != NULL ? psel : "", have);
}

/* mkdir -p; nonzero on failure. */
static int mkdirs_(const char *path) {
  char buf[1024];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    return -1;
  }
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        return -1;
      }
      *p = '/';
    }
  }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
    return -1;
  }
  return 0;
}

static void cache_dir_(nc_ocl_t *c) {
  const char *env = getenv("NEOCOG_CL_CACHE");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  int n = -1;
  if (env != NULL) {
    n = snprintf(c->cache_dir, sizeof c->cache_dir, "%s", env);
  } else if (xdg != NULL && *xdg != '\0') {
    n = snprintf(c->cache_dir, sizeof c->cache_dir, "%s/neocog", xdg);
  } else if (home != NULL && *home != '\0') {
    n = snprintf(c->cache_dir, sizeof c->cache_dir, "%s/.cache/neocog", home);
  }
  if (n <= 0 || n >= (int)sizeof c->cache_dir) {
    c->cache_dir[0] = '\0';
  }
}

/* NEOCOG_CL_KERNEL: the kernel choice of every run of this context. */
static nc_status_t kernel_env_(nc_ocl_t *c) {
  static const char *const names[] = {[NC_OCL_PATH_AUTO] = "auto",
                                      [NC_OCL_PATH_GENERAL] = "general",
                                      [NC_OCL_PATH_FAST] = "fast",
                                      [NC_OCL_PATH_LOCAL] = "local"};
  const char *e = getenv("NEOCOG_CL_KERNEL");
  if (e == NULL || *e == '\0') {
    return NC_OK;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(e, names[i]) == 0) {
      c->tune.path = (nc_ocl_path_t)i;
      return NC_OK;
    }
  }
  return nc__fail(NC_ERR_INVALID_ARG,
                  "opencl: NEOCOG_CL_KERNEL='%s' is not one of auto, general, "
                  "fast, local",
                  e);
}

/* NEOCOG_CL_ALGO: the float32 conv2d algorithm of every run. */
static nc_status_t algo_env_(nc_ocl_t *c) {
  const char *e = getenv("NEOCOG_CL_ALGO");
  if (e == NULL || *e == '\0') {
    return NC_OK;
  }
  const int a = nc_ocl_algo_parse(e);
  if (a < 0) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: NEOCOG_CL_ALGO='%s' is not one of auto, direct, "
                    "winograd, fft",
                    e);
  }
  c->tune.algo = (nc_ocl_algo_t)a;
  return NC_OK;
}

nc_status_t nc_ocl_open(nc_ocl_t **ctx, const char *platform_sel,
                        const char *device_sel) {
  if (ctx == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: open: NULL context pointer");
  }
  *ctx = NULL;
  devlist_t_ *dl = malloc(sizeof *dl);
  nc_ocl_t *c = calloc(1, sizeof *c);
  if (dl == NULL || c == NULL) {
    free(dl);
    free(c);
    return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
  }
  int pick = -1;
  nc_status_t st = enumerate_(dl);
  if (st == NC_OK) {
    st = select_(dl, env_or_(platform_sel, "NEOCOG_CL_PLATFORM"),
                 env_or_(device_sel, "NEOCOG_CL_DEVICE"), &pick);
  }
  if (st != NC_OK) {
    free(dl);
    free(c);
    return st;
  }
  c->platform = dl->plat[pick];
  c->device = dl->dev[pick];
  fill_info_(c->platform, c->device, &c->info);
  c->info.platform_index = dl->pidx[pick];
  c->info.device_index = dl->didx[pick];
  c->info.global_index = pick;
  free(dl);
  cl_int err = CL_SUCCESS;
  cl_context_properties props[3] = {CL_CONTEXT_PLATFORM,
                                    (cl_context_properties)c->platform, 0};
  c->ctx = clCreateContext(props, 1, &c->device, NULL, NULL, &err);
  if (err != CL_SUCCESS) {
    st = nc__ocl_fail(err, "clCreateContext", c->info.name);
    free(c);
    return st;
  }
  c->q =
      clCreateCommandQueue(c->ctx, c->device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS) {
    clReleaseContext(c->ctx);
    st = nc__ocl_fail(err, "clCreateCommandQueue", c->info.name);
    free(c);
    return st;
  }
  /* OpenCL C 1.2 when the device has it (it adds nothing the kernels need
   * beyond 1.1, but pins the dialect); "OpenCL C 1.2 PoCL" -> 1.2. */
  int maj = 0, min = 0;
  if (sscanf(c->info.opencl_c_version, "OpenCL C %d.%d", &maj, &min) == 2 &&
      (maj > 1 || (maj == 1 && min >= 2))) {
    snprintf(c->std_opt, sizeof c->std_opt, "-cl-std=CL1.2");
  }
  cache_dir_(c);
  st = kernel_env_(c);
  if (st == NC_OK) {
    st = algo_env_(c);
  }
  if (st != NC_OK) {
    nc_ocl_close(c);
    return st;
  }
  *ctx = c;
  return NC_OK;
}

void nc_ocl_close(nc_ocl_t *c) {
  if (c == NULL) {
    return;
  }
  for (int i = 0; i < c->nprogs; i++) {
    clReleaseProgram(c->progs[i].p);
    free(c->progs[i].file);
    free(c->progs[i].opts);
  }
  free(c->progs);
  if (c->builtin != NULL) {
    clReleaseProgram(c->builtin);
  }
  free(c->build_log);
  nc__fast_free(c);
  clReleaseCommandQueue(c->q);
  clReleaseContext(c->ctx);
  free(c);
}

const nc_ocl_device_info_t *nc_ocl_device(const nc_ocl_t *c) {
  return c != NULL ? &c->info : NULL;
}

const char *nc_ocl_build_log(const nc_ocl_t *c) {
  return c != NULL && c->build_log != NULL ? c->build_log : "";
}

void nc_ocl_mask_features(nc_ocl_t *c, unsigned features) {
  if (c != NULL) {
    c->masked = features;
  }
}

/* Whether the host CPU (and the OS, which must save the zmm registers)
 * runs AVX512-VNNI; libgcc's and compiler-rt's cpuid checks both. */
static int host_vnni_(void) {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni") != 0;
#else
  return 0;
#endif
}

/* Builds only where the device's OpenCL C compiler targets AVX512F. */
static const char vnni_probe_[] =
    "#ifndef __AVX512F__\n#error \"no AVX512F\"\n#endif\n"
    "__kernel void nc_vnni_probe(__global int *y) { y[0] = 0; }\n";

int nc__ocl_vnni(nc_ocl_t *c, const char **why) {
  if (c->masked & NC_OCL_FEAT_VNNI) {
    *why = "VNNI is masked off (nc_ocl_mask_features)";
    return 0;
  }
  if (c->vnni == 0) {
    c->vnni = -1;
    if (strcmp(c->info.type, "CPU") != 0 ||
        strcmp(c->info.platform_name, "Portable Computing Language") != 0) {
      c->vnni_why = "the device is not a CPU device of POCL";
    } else if (!host_vnni_()) {
      c->vnni_why = "the host CPU has no AVX512-VNNI";
    } else {
      const char *src = vnni_probe_;
      cl_int err = CL_SUCCESS;
      cl_program p = clCreateProgramWithSource(c->ctx, 1, &src, NULL, &err);
      if (err == CL_SUCCESS) {
        err = clBuildProgram(p, 1, &c->device, c->std_opt, NULL, NULL);
        clReleaseProgram(p);
      }
      c->vnni = err == CL_SUCCESS ? 1 : -1;
      c->vnni_why = c->vnni == 1 ? ""
                                 : "the device's OpenCL C compiler does not "
                                   "target AVX512F";
    }
  }
  *why = c->vnni_why;
  return c->vnni == 1;
}

void nc_ocl_limit_memory(nc_ocl_t *c, uint64_t max_alloc_bytes,
                         uint64_t global_mem_bytes) {
  if (c == NULL) {
    return;
  }
  if (max_alloc_bytes != 0 && max_alloc_bytes < c->info.max_alloc_bytes) {
    c->info.max_alloc_bytes = max_alloc_bytes;
  }
  if (global_mem_bytes != 0 && global_mem_bytes < c->info.global_mem_bytes) {
    c->info.global_mem_bytes = global_mem_bytes;
  }
}

void nc_ocl_last_profile(const nc_ocl_t *c, nc_ocl_profile_t *p) {
  if (c != NULL && p != NULL) {
    *p = c->prof;
  }
}

nc_status_t nc_ocl_set_tuning(nc_ocl_t *c, const nc_ocl_tuning_t *t) {
  if (c == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: set_tuning: NULL argument");
  }
  if ((unsigned)t->path > NC_OCL_PATH_LOCAL || t->tile_w < 0 ||
      t->tile_w > 32 || t->tile_ov < 0 || t->tile_ov > 4 || t->fc_rows < 0 ||
      t->fc_rows > 8) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: tuning out of range (path %d, tile_w %d of "
                    "0..32, tile_ov %d of 0..4, fc_rows %d of 0..8)",
                    (int)t->path, t->tile_w, t->tile_ov, t->fc_rows);
  }
  for (int i = 0; i < 3; i++) {
    if (t->local_size[i] < 0 || t->local_size[i] > 4096) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "opencl: local_size[%d] = %d out of range 0..4096", i,
                      t->local_size[i]);
    }
  }
  const int lt[2] = {t->ltile_m, t->ltile_n};
  for (int i = 0; i < 2; i++) {
    if (lt[i] != 0 && (lt[i] < 4 || lt[i] > 128 || (lt[i] & (lt[i] - 1)))) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "opencl: %s = %d: must be 0 or a power of two in "
                      "4..128",
                      i == 0 ? "ltile_m" : "ltile_n", lt[i]);
    }
  }
  if (t->ltile_k < 0 || t->ltile_k > 64) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: ltile_k = %d out of range 0..64", t->ltile_k);
  }
  if ((unsigned)t->algo >= NC_OCL_ALGO_COUNT ||
      (t->wino_m != 0 && t->wino_m != 2 && t->wino_m != 4) ||
      (t->fft_n != 0 && t->fft_n != 8 && t->fft_n != 16 && t->fft_n != 32 &&
       t->fft_n != 64)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: algo %d, wino_m %d (0, 2 or 4), fft_n %d (0, 8, "
                    "16, 32 or 64): out of range",
                    (int)t->algo, t->wino_m, t->fft_n);
  }
  if ((unsigned)t->int8 >= NC_OCL_INT8_COUNT) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "opencl: int8 formulation %d out of range 0..%d",
                    (int)t->int8, NC_OCL_INT8_COUNT - 1);
  }
  c->tune = *t;
  return NC_OK;
}

nc_status_t nc_ocl_set_algo(nc_ocl_t *c, nc_ocl_algo_t algo) {
  if (c == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: set_algo: NULL context");
  }
  nc_ocl_tuning_t t = c->tune;
  t.algo = algo;
  return nc_ocl_set_tuning(c, &t);
}

/* ---------------------------------------------------------------------- */
/* Programs and the binary cache                                           */
/* ---------------------------------------------------------------------- */

static const char *source_of_(const char *file) {
  for (int i = 0; i < nc__cl_nsrcs; i++) {
    if (strcmp(nc__cl_srcs[i].name, file) == 0) {
      return nc__cl_srcs[i].text;
    }
  }
  return NULL;
}

/* The cache key of a program: the SHA-256 of everything its binary depends
 * on, each part with its terminating zero. The file name is the key's
 * first half in hex; the header holds all of it. */
static int cache_key_(const nc_ocl_t *c, const char *src, const char *opts,
                      uint8_t key[NC_OCL_CACHE_KEY_BYTES], char *path,
                      size_t len) {
  const char *parts[] = {"neocog-cl-2",
                         c->info.platform_name,
                         c->info.platform_version,
                         c->info.name,
                         c->info.device_version,
                         c->info.driver_version,
                         source_of_("common.cl"),
                         src,
                         opts};
  nc__sha256_t h;
  nc__sha256_init(&h);
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    nc__sha256_update(&h, parts[i], strlen(parts[i]) + 1);
  }
  nc__sha256_final(&h, key);
  char hex[33];
  for (int i = 0; i < 16; i++) {
    snprintf(hex + 2 * i, 3, "%02x", key[i]);
  }
  int n = snprintf(path, len, "%s/%s.clbin", c->cache_dir, hex);
  return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Writes header and binary to a temporary file, syncs it and renames it
 * into place, so that a reader sees a whole file or none; a failure
 * leaves no file and is not an error (the next run compiles again). */
static void save_binary_(const nc_ocl_t *c, cl_program p, const char *path,
                         const uint8_t key[NC_OCL_CACHE_KEY_BYTES]) {
  size_t len = 0;
  if (mkdirs_(c->cache_dir) != 0 ||
      clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) !=
          CL_SUCCESS ||
      len == 0 || len > NC_OCL_CACHE_MAX_PAYLOAD) {
    return;
  }
  unsigned char *bin = malloc(len);
  if (bin == NULL) {
    return;
  }
  uint8_t head[NC_OCL_CACHE_HEADER_BYTES];
  char tmp[1100];
  static unsigned counter;
  if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) ==
          CL_SUCCESS &&
      nc_ocl_cache_header(bin, len, key, head) == NC_OK &&
      snprintf(tmp, sizeof tmp, "%s.%ld.%u.tmp", path, (long)getpid(),
               counter++) < (int)sizeof tmp) {
    const int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      FILE *f = fdopen(fd, "wb");
      int ok = f != NULL && fwrite(head, 1, sizeof head, f) == sizeof head &&
               fwrite(bin, 1, len, f) == len && fflush(f) == 0 &&
               fsync(fd) == 0;
      if (f != NULL) {
        ok = fclose(f) == 0 && ok;
      } else {
        close(fd);
      }
      if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
      }
    }
  }
  free(bin);
}

static void keep_log_(nc_ocl_t *c, cl_program p) {
  size_t len = 0;
  free(c->build_log);
  c->build_log = NULL;
  if (clGetProgramBuildInfo(p, c->device, CL_PROGRAM_BUILD_LOG, 0, NULL,
                            &len) != CL_SUCCESS) {
    return;
  }
  c->build_log = calloc(len + 1, 1);
  if (c->build_log != NULL &&
      clGetProgramBuildInfo(p, c->device, CL_PROGRAM_BUILD_LOG, len,
                            c->build_log, NULL) != CL_SUCCESS) {
    c->build_log[0] = '\0';
  }
}

/* A program from the cache file, built; NULL when there is none or it does
 * not pass its integrity check (counted in prof.programs_refused), or the
 * driver will not load it: the caller then rebuilds from source. */
static cl_program load_binary_(nc_ocl_t *c, const char *path,
                               const uint8_t key[NC_OCL_CACHE_KEY_BYTES],
                               const char *opts) {
  unsigned char *file = NULL;
  size_t len = 0, n = 0;
  const nc_status_t rs =
      nc__read_file(path, NC_OCL_CACHE_HEADER_BYTES + NC_OCL_CACHE_MAX_PAYLOAD,
                    "the largest program binary the cache holds", &file, &len);
  if (rs != NC_OK) {
    if (rs != NC_ERR_NOT_FOUND) {
      c->prof.programs_refused++;
    }
    return NULL;
  }
  if (nc_ocl_cache_check(file, len, key, &n) != NC_OK || n == 0) {
    free(file);
    c->prof.programs_refused++;
    return NULL;
  }
  cl_int bst = CL_SUCCESS, err = CL_SUCCESS;
  const unsigned char *bp = file + NC_OCL_CACHE_HEADER_BYTES;
  cl_program p =
      clCreateProgramWithBinary(c->ctx, 1, &c->device, &n, &bp, &bst, &err);
  free(file);
  if (err != CL_SUCCESS || bst != CL_SUCCESS) {
    if (p != NULL) {
      clReleaseProgram(p);
    }
    return NULL;
  }
  if (clBuildProgram(p, 1, &c->device, opts, NULL, NULL) != CL_SUCCESS) {
    clReleaseProgram(p);
    return NULL;
  }
  return p;
}

nc_status_t nc__ocl_program(nc_ocl_t *c, const char *file, const char *opts,
                            cl_program *out) {
  char full[1024];
  if (snprintf(full, sizeof full, "%s %s", c->std_opt, opts) >=
      (int)sizeof full) {
    return nc__fail(NC_ERR_INTERNAL, "opencl: build options too long");
  }
  for (int i = 0; i < c->nprogs; i++) {
    if (strcmp(c->progs[i].file, file) == 0 &&
        strcmp(c->progs[i].opts, full) == 0) {
      *out = c->progs[i].p;
      return NC_OK;
    }
  }
  const char *src = source_of_(file);
  if (src == NULL || source_of_("common.cl") == NULL) {
    return nc__fail(NC_ERR_INTERNAL, "opencl: no embedded kernel file '%s'",
                    file);
  }
  if (c->nprogs == c->cap_progs) {
    int cap = c->cap_progs ? 2 * c->cap_progs : 8;
    nc__ocl_prog_t *np = realloc(c->progs, (size_t)cap * sizeof *np);
    if (np == NULL) {
      return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
    }
    c->progs = np;
    c->cap_progs = cap;
  }
  char path[1100];
  uint8_t key[NC_OCL_CACHE_KEY_BYTES];
  int cacheable = c->cache_dir[0] != '\0' &&
                  cache_key_(c, src, full, key, path, sizeof path) == 0;
  cl_program p = cacheable ? load_binary_(c, path, key, full) : NULL;
  if (p != NULL) {
    c->prof.programs_cached++;
  } else {
    const char *texts[2] = {source_of_("common.cl"), src};
    cl_int err = CL_SUCCESS;
    p = clCreateProgramWithSource(c->ctx, 2, texts, NULL, &err);
    if (err != CL_SUCCESS) {
      return nc__ocl_fail(err, "clCreateProgramWithSource", file);
    }
    err = clBuildProgram(p, 1, &c->device, full, NULL, NULL);
    if (err != CL_SUCCESS) {
      keep_log_(c, p);
      clReleaseProgram(p);
      return nc__fail(NC_CL_ERROR_BASE + err,
                      "clBuildProgram(%s): %s (%d); build log (all of it in "
                      "nc_ocl_build_log):\n%.300s\n[options: %s]",
                      file, nc_ocl_error_name(err), (int)err,
                      c->build_log != NULL ? c->build_log : "", full);
    }
    c->prof.programs_built++;
    if (cacheable) {
      save_binary_(c, p, path, key);
    }
  }
  char *f = strdup(file);
  char *o = strdup(full);
  if (f == NULL || o == NULL) {
    free(f);
    free(o);
    clReleaseProgram(p);
    return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
  }
  c->progs[c->nprogs].file = f;
  c->progs[c->nprogs].opts = o;
  c->progs[c->nprogs].p = p;
  c->nprogs++;
  *out = p;
  return NC_OK;
}
