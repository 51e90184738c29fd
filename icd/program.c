/*
 * Programs and kernels. The devices run built-in kernels only: a program
 * from clCreateProgramWithBuiltInKernels is built at creation; one from
 * source can be created (so a portable host program gets as far as the
 * build) but its build fails with CL_COMPILER_NOT_AVAILABLE and a log that
 * names the built-in kernels to use instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"

#define ERR_(code)             \
  do {                         \
    if (errcode_ret != NULL) { \
      *errcode_ret = (code);   \
    }                          \
  } while (0)

static char source_log_[1024];

static const char *source_log_text_(void) {
  snprintf(source_log_, sizeof source_log_,
           "neocog: this device runs built-in kernels only and has no "
           "OpenCL C compiler; create the program with "
           "clCreateProgramWithBuiltInKernels from: %s",
           nc__icd_builtin_names());
  return source_log_;
}

/* The devices of a program: a subset of its context's. */
static cl_int devices_(cl_context ctx, cl_uint n, const cl_device_id *devs,
                       cl_program p) {
  if (devs == NULL || n == 0) {
    return CL_INVALID_VALUE;
  }
  for (cl_uint i = 0; i < n; i++) {
    int in = 0;
    for (cl_uint j = 0; j < ctx->ndev; j++) {
      in |= ctx->dev[j] == devs[i];
    }
    if (!in) {
      return CL_INVALID_DEVICE;
    }
    int dup = 0;
    for (cl_uint j = 0; j < p->ndev; j++) {
      dup |= p->dev[j] == devs[i];
    }
    if (!dup) {
      p->dev[p->ndev++] = devs[i];
    }
  }
  return CL_SUCCESS;
}

static cl_program new_(cl_context ctx) {
  cl_program p = calloc(1, sizeof *p);
  if (p != NULL) {
    p->ctx = ctx;
    ctx->h.refs++;
    nc__icd_register(p, NC_ICD_PROGRAM);
  }
  return p;
}

void nc__icd_program_release(cl_program p) {
  if (--p->h.refs > 0) {
    return;
  }
  free(p->source);
  free(p->names);
  nc__icd_context_release(p->ctx);
  nc__icd_bury(p, sizeof *p);
}

static cl_program builtin_(cl_context ctx, cl_uint n, const cl_device_id *devs,
                           const char *names, cl_int *errcode_ret) {
  if (!nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    ERR_(CL_INVALID_CONTEXT);
    return NULL;
  }
  if (names == NULL || names[0] == '\0') {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  struct _cl_program tmp;
  memset(&tmp, 0, sizeof tmp);
  cl_int err = devices_(ctx, n, devs, &tmp);
  if (err != CL_SUCCESS) {
    ERR_(err);
    return NULL;
  }
  /* Every name must be one of ours. */
  for (const char *s = names; *s != '\0';) {
    const char *e = strchr(s, ';');
    const size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
    if (nc__icd_builtin_find(s, len) == NULL) {
      ERR_(CL_INVALID_VALUE);
      return NULL;
    }
    s += len + (e != NULL);
  }
  char *copy = strdup(names);
  cl_program p = copy != NULL ? new_(ctx) : NULL;
  if (p == NULL) {
    free(copy);
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  p->ndev = tmp.ndev;
  memcpy(p->dev, tmp.dev, sizeof p->dev);
  p->names = copy;
  p->build = CL_BUILD_SUCCESS;
  p->log = "";
  ERR_(CL_SUCCESS);
  return p;
}

CL_API_ENTRY cl_program CL_API_CALL clCreateProgramWithBuiltInKernels(
    cl_context ctx, cl_uint n, const cl_device_id *devs, const char *names,
    cl_int *errcode_ret) {
  nc__icd_lock();
  cl_program p = builtin_(ctx, n, devs, names, errcode_ret);
  nc__icd_unlock();
  return p;
}

static cl_program source_(cl_context ctx, cl_uint count, const char **strings,
                          const size_t *lengths, cl_int *errcode_ret) {
  if (!nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    ERR_(CL_INVALID_CONTEXT);
    return NULL;
  }
  if (count == 0 || strings == NULL) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  size_t total = 0;
  for (cl_uint i = 0; i < count; i++) {
    if (strings[i] == NULL) {
      ERR_(CL_INVALID_VALUE);
      return NULL;
    }
    total +=
        lengths != NULL && lengths[i] != 0 ? lengths[i] : strlen(strings[i]);
  }
  char *src = malloc(total + 1);
  cl_program p = src != NULL ? new_(ctx) : NULL;
  if (p == NULL) {
    free(src);
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  size_t k = 0;
  for (cl_uint i = 0; i < count; i++) {
    const size_t len =
        lengths != NULL && lengths[i] != 0 ? lengths[i] : strlen(strings[i]);
    memcpy(src + k, strings[i], len);
    k += len;
  }
  src[k] = '\0';
  p->source = src;
  p->ndev = ctx->ndev;
  memcpy(p->dev, ctx->dev, sizeof p->dev);
  p->build = CL_BUILD_NONE;
  p->log = "";
  ERR_(CL_SUCCESS);
  return p;
}

CL_API_ENTRY cl_program CL_API_CALL
clCreateProgramWithSource(cl_context ctx, cl_uint count, const char **strings,
                          const size_t *lengths, cl_int *errcode_ret) {
  nc__icd_lock();
  cl_program p = source_(ctx, count, strings, lengths, errcode_ret);
  nc__icd_unlock();
  return p;
}

CL_API_ENTRY cl_program CL_API_CALL
clCreateProgramWithBinary(cl_context ctx, cl_uint n, const cl_device_id *devs,
                          const size_t *lengths, const unsigned char **binaries,
                          cl_int *binary_status, cl_int *errcode_ret) {
  (void)lengths;
  (void)binaries;
  nc__icd_lock();
  cl_int err = CL_INVALID_CONTEXT;
  if (nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    struct _cl_program tmp;
    memset(&tmp, 0, sizeof tmp);
    err = devices_(ctx, n, devs, &tmp);
    if (err == CL_SUCCESS) {
      /* No program binaries exist for these devices. */
      err = CL_INVALID_BINARY;
      for (cl_uint i = 0; binary_status != NULL && i < n; i++) {
        binary_status[i] = CL_INVALID_BINARY;
      }
    }
  }
  nc__icd_unlock();
  ERR_(err);
  return NULL;
}

static cl_int build_(cl_program p, cl_uint n, const cl_device_id *devs,
                     void(CL_CALLBACK *notify)(cl_program, void *),
                     void *data) {
  if (!nc__icd_live(p, NC_ICD_PROGRAM)) {
    return CL_INVALID_PROGRAM;
  }
  if ((devs == NULL) != (n == 0) || (notify == NULL && data != NULL)) {
    return CL_INVALID_VALUE;
  }
  for (cl_uint i = 0; i < n; i++) {
    int in = 0;
    for (cl_uint j = 0; j < p->ndev; j++) {
      in |= p->dev[j] == devs[i];
    }
    if (!in) {
      return CL_INVALID_DEVICE;
    }
  }
  if (p->kernels > 0) {
    return CL_INVALID_OPERATION;
  }
  cl_int r = CL_SUCCESS;
  if (p->source != NULL) {
    p->build = CL_BUILD_ERROR;
    p->log = source_log_text_();
    r = CL_COMPILER_NOT_AVAILABLE;
  }
  if (notify != NULL) {
    notify(p, data);
  }
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clBuildProgram(
    cl_program p, cl_uint n, const cl_device_id *devs, const char *options,
    void(CL_CALLBACK *notify)(cl_program, void *), void *data) {
  (void)options;
  nc__icd_lock();
  cl_int r = build_(p, n, devs, notify, data);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clCompileProgram(
    cl_program p, cl_uint n, const cl_device_id *devs, const char *options,
    cl_uint nh, const cl_program *headers, const char **names,
    void(CL_CALLBACK *notify)(cl_program, void *), void *data) {
  (void)nh;
  (void)headers;
  (void)names;
  return clBuildProgram(p, n, devs, options, notify, data);
}

CL_API_ENTRY cl_program CL_API_CALL
clLinkProgram(cl_context ctx, cl_uint n, const cl_device_id *devs,
              const char *options, cl_uint np, const cl_program *progs,
              void(CL_CALLBACK *notify)(cl_program, void *), void *data,
              cl_int *errcode_ret) {
  (void)n;
  (void)devs;
  (void)options;
  (void)np;
  (void)progs;
  (void)notify;
  (void)data;
  ERR_(nc__icd_live(ctx, NC_ICD_CONTEXT) ? CL_LINKER_NOT_AVAILABLE
                                         : CL_INVALID_CONTEXT);
  return NULL;
}

CL_API_ENTRY cl_int CL_API_CALL clRetainProgram(cl_program p) {
  return nc__icd_retain(p, NC_ICD_PROGRAM, CL_INVALID_PROGRAM);
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseProgram(cl_program p) {
  return nc__icd_release(p, NC_ICD_PROGRAM, CL_INVALID_PROGRAM);
}

static cl_int program_info_(cl_program p, cl_program_info name, size_t size,
                            void *value, size_t *size_ret) {
  const int built = p->build == CL_BUILD_SUCCESS;
  switch (name) {
    case CL_PROGRAM_REFERENCE_COUNT:
      return nc__icd_info(&p->h.refs, sizeof p->h.refs, size, value, size_ret);
    case CL_PROGRAM_CONTEXT:
      return nc__icd_info(&p->ctx, sizeof p->ctx, size, value, size_ret);
    case CL_PROGRAM_NUM_DEVICES:
      return nc__icd_info(&p->ndev, sizeof p->ndev, size, value, size_ret);
    case CL_PROGRAM_DEVICES:
      return nc__icd_info(p->dev, p->ndev * sizeof p->dev[0], size, value,
                          size_ret);
    case CL_PROGRAM_SOURCE:
      return nc__icd_info_str(p->source != NULL ? p->source : "", size, value,
                              size_ret);
    case CL_PROGRAM_BINARY_SIZES: {
      size_t z[4] = {0, 0, 0, 0};
      return nc__icd_info(z, p->ndev * sizeof z[0], size, value, size_ret);
    }
    case CL_PROGRAM_BINARIES: {
      /* Zero-sized binaries: nothing is written through the pointers. */
      const size_t need = p->ndev * sizeof(unsigned char *);
      if (value != NULL && size < need) {
        return CL_INVALID_VALUE;
      }
      if (size_ret != NULL) {
        *size_ret = need;
      }
      return CL_SUCCESS;
    }
    case CL_PROGRAM_NUM_KERNELS: {
      if (!built) {
        return CL_INVALID_PROGRAM_EXECUTABLE;
      }
      size_t k = 1;
      for (const char *s = p->names; *s != '\0'; s++) {
        k += *s == ';';
      }
      return nc__icd_info(&k, sizeof k, size, value, size_ret);
    }
    case CL_PROGRAM_KERNEL_NAMES:
      if (!built) {
        return CL_INVALID_PROGRAM_EXECUTABLE;
      }
      return nc__icd_info_str(p->names, size, value, size_ret);
    default:
      return CL_INVALID_VALUE;
  }
}

CL_API_ENTRY cl_int CL_API_CALL clGetProgramInfo(cl_program p,
                                                 cl_program_info name,
                                                 size_t size, void *value,
                                                 size_t *size_ret) {
  nc__icd_lock();
  cl_int r = nc__icd_live(p, NC_ICD_PROGRAM)
                 ? program_info_(p, name, size, value, size_ret)
                 : CL_INVALID_PROGRAM;
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL
clGetProgramBuildInfo(cl_program p, cl_device_id d, cl_program_build_info name,
                      size_t size, void *value, size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_PROGRAM;
  if (nc__icd_live(p, NC_ICD_PROGRAM)) {
    int in = 0;
    for (cl_uint j = 0; j < p->ndev; j++) {
      in |= p->dev[j] == d;
    }
    if (!in) {
      r = CL_INVALID_DEVICE;
    } else if (name == CL_PROGRAM_BUILD_STATUS) {
      r = nc__icd_info(&p->build, sizeof p->build, size, value, size_ret);
    } else if (name == CL_PROGRAM_BUILD_OPTIONS) {
      r = nc__icd_info_str("", size, value, size_ret);
    } else if (name == CL_PROGRAM_BUILD_LOG) {
      r = nc__icd_info_str(p->log, size, value, size_ret);
    } else if (name == CL_PROGRAM_BINARY_TYPE) {
      const cl_program_binary_type t = p->build == CL_BUILD_SUCCESS
                                           ? CL_PROGRAM_BINARY_TYPE_EXECUTABLE
                                           : CL_PROGRAM_BINARY_TYPE_NONE;
      r = nc__icd_info(&t, sizeof t, size, value, size_ret);
    } else {
      r = CL_INVALID_VALUE;
    }
  }
  nc__icd_unlock();
  return r;
}

/* --- kernels ------------------------------------------------------------- */

static cl_kernel kernel_new_(cl_program p, const nc__icd_builtin_t *bi) {
  cl_kernel k = calloc(1, sizeof *k);
  if (k != NULL) {
    k->prog = p;
    k->bi = bi;
    p->h.refs++;
    p->kernels++;
    nc__icd_register(k, NC_ICD_KERNEL);
  }
  return k;
}

/* Does the program's list hold this name? */
static int has_name_(const cl_program p, const char *name) {
  const size_t n = strlen(name);
  for (const char *s = p->names; s != NULL && *s != '\0';) {
    const char *e = strchr(s, ';');
    const size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
    if (len == n && strncmp(s, name, n) == 0) {
      return 1;
    }
    s += len + (e != NULL);
  }
  return 0;
}

static cl_kernel create_kernel_(cl_program p, const char *name,
                                cl_int *errcode_ret) {
  if (!nc__icd_live(p, NC_ICD_PROGRAM)) {
    ERR_(CL_INVALID_PROGRAM);
    return NULL;
  }
  if (p->build != CL_BUILD_SUCCESS) {
    ERR_(CL_INVALID_PROGRAM_EXECUTABLE);
    return NULL;
  }
  if (name == NULL) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  if (!has_name_(p, name)) {
    ERR_(CL_INVALID_KERNEL_NAME);
    return NULL;
  }
  cl_kernel k = kernel_new_(p, nc__icd_builtin_find(name, strlen(name)));
  ERR_(k != NULL ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY);
  return k;
}

CL_API_ENTRY cl_kernel CL_API_CALL clCreateKernel(cl_program p,
                                                  const char *name,
                                                  cl_int *errcode_ret) {
  nc__icd_lock();
  cl_kernel k = create_kernel_(p, name, errcode_ret);
  nc__icd_unlock();
  return k;
}

CL_API_ENTRY cl_int CL_API_CALL clCreateKernelsInProgram(cl_program p,
                                                         cl_uint n,
                                                         cl_kernel *out,
                                                         cl_uint *nout) {
  nc__icd_lock();
  cl_int r = CL_INVALID_PROGRAM;
  if (nc__icd_live(p, NC_ICD_PROGRAM)) {
    r = CL_INVALID_PROGRAM_EXECUTABLE;
    if (p->build == CL_BUILD_SUCCESS) {
      cl_uint count = 0;
      for (const char *s = p->names; *s != '\0'; count++) {
        const char *e = strchr(s, ';');
        s += (e != NULL ? (size_t)(e - s) : strlen(s)) + (e != NULL);
      }
      r = out != NULL && n < count ? CL_INVALID_VALUE : CL_SUCCESS;
      cl_uint made = 0;
      for (const char *s = p->names; r == CL_SUCCESS && out != NULL && *s;) {
        const char *e = strchr(s, ';');
        const size_t len = e != NULL ? (size_t)(e - s) : strlen(s);
        out[made] = kernel_new_(p, nc__icd_builtin_find(s, len));
        if (out[made] == NULL) {
          r = CL_OUT_OF_HOST_MEMORY;
          while (made > 0) {
            nc__icd_kernel_release(out[--made]);
          }
          break;
        }
        made++;
        s += len + (e != NULL);
      }
      if (r == CL_SUCCESS && nout != NULL) {
        *nout = count;
      }
    }
  }
  nc__icd_unlock();
  return r;
}

void nc__icd_kernel_release(cl_kernel k) {
  if (--k->h.refs > 0) {
    return;
  }
  cl_program p = k->prog;
  p->kernels--;
  nc__icd_bury(k, sizeof *k);
  nc__icd_program_release(p);
}

CL_API_ENTRY cl_int CL_API_CALL clRetainKernel(cl_kernel k) {
  return nc__icd_retain(k, NC_ICD_KERNEL, CL_INVALID_KERNEL);
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseKernel(cl_kernel k) {
  return nc__icd_release(k, NC_ICD_KERNEL, CL_INVALID_KERNEL);
}

static cl_int set_arg_(cl_kernel k, cl_uint i, size_t size, const void *value) {
  if (!nc__icd_live(k, NC_ICD_KERNEL)) {
    return CL_INVALID_KERNEL;
  }
  if (i >= k->bi->nargs) {
    return CL_INVALID_ARG_INDEX;
  }
  const nc__icd_argdesc_t *a = &k->bi->args[i];
  nc__icd_arg_t v = {1, NULL, 0};
  if (a->kind == NC_ARG_INT) {
    if (size != sizeof(cl_int)) {
      return CL_INVALID_ARG_SIZE;
    }
    if (value == NULL) {
      return CL_INVALID_ARG_VALUE;
    }
    memcpy(&v.i, value, sizeof v.i);
  } else {
    if (size != sizeof(cl_mem)) {
      return CL_INVALID_ARG_SIZE;
    }
    if (value != NULL) {
      memcpy(&v.mem, value, sizeof v.mem);
    }
    if (v.mem != NULL) {
      if (!nc__icd_live(v.mem, NC_ICD_MEM) || v.mem->ctx != k->prog->ctx) {
        return CL_INVALID_MEM_OBJECT;
      }
    } else if (a->kind != NC_ARG_IN_OPT) {
      return CL_INVALID_ARG_VALUE;
    }
  }
  k->args[i] = v;
  return CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL clSetKernelArg(cl_kernel k, cl_uint i,
                                               size_t size, const void *value) {
  nc__icd_lock();
  cl_int r = set_arg_(k, i, size, value);
  nc__icd_unlock();
  return r;
}

static cl_int kernel_info_(cl_kernel k, cl_kernel_info name, size_t size,
                           void *value, size_t *size_ret) {
  switch (name) {
    case CL_KERNEL_FUNCTION_NAME:
      return nc__icd_info_str(k->bi->name, size, value, size_ret);
    case CL_KERNEL_NUM_ARGS:
      return nc__icd_info(&k->bi->nargs, sizeof k->bi->nargs, size, value,
                          size_ret);
    case CL_KERNEL_REFERENCE_COUNT:
      return nc__icd_info(&k->h.refs, sizeof k->h.refs, size, value, size_ret);
    case CL_KERNEL_CONTEXT:
      return nc__icd_info(&k->prog->ctx, sizeof k->prog->ctx, size, value,
                          size_ret);
    case CL_KERNEL_PROGRAM:
      return nc__icd_info(&k->prog, sizeof k->prog, size, value, size_ret);
    case CL_KERNEL_ATTRIBUTES:
      return nc__icd_info_str("", size, value, size_ret);
    default:
      return CL_INVALID_VALUE;
  }
}

CL_API_ENTRY cl_int CL_API_CALL clGetKernelInfo(cl_kernel k,
                                                cl_kernel_info name,
                                                size_t size, void *value,
                                                size_t *size_ret) {
  nc__icd_lock();
  cl_int r = nc__icd_live(k, NC_ICD_KERNEL)
                 ? kernel_info_(k, name, size, value, size_ret)
                 : CL_INVALID_KERNEL;
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clGetKernelArgInfo(cl_kernel k, cl_uint i,
                                                   cl_kernel_arg_info name,
                                                   size_t size, void *value,
                                                   size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_KERNEL;
  if (nc__icd_live(k, NC_ICD_KERNEL)) {
    r = CL_INVALID_ARG_INDEX;
    if (i < k->bi->nargs) {
      const nc__icd_argdesc_t *a = &k->bi->args[i];
      const int buf = a->kind != NC_ARG_INT;
      switch (name) {
        case CL_KERNEL_ARG_ADDRESS_QUALIFIER: {
          const cl_kernel_arg_address_qualifier q =
              buf ? CL_KERNEL_ARG_ADDRESS_GLOBAL
                  : CL_KERNEL_ARG_ADDRESS_PRIVATE;
          r = nc__icd_info(&q, sizeof q, size, value, size_ret);
          break;
        }
        case CL_KERNEL_ARG_ACCESS_QUALIFIER: {
          const cl_kernel_arg_access_qualifier q = CL_KERNEL_ARG_ACCESS_NONE;
          r = nc__icd_info(&q, sizeof q, size, value, size_ret);
          break;
        }
        case CL_KERNEL_ARG_TYPE_NAME:
          r = nc__icd_info_str(a->type, size, value, size_ret);
          break;
        case CL_KERNEL_ARG_TYPE_QUALIFIER: {
          const cl_kernel_arg_type_qualifier q =
              a->kind == NC_ARG_IN || a->kind == NC_ARG_IN_OPT
                  ? CL_KERNEL_ARG_TYPE_CONST
                  : CL_KERNEL_ARG_TYPE_NONE;
          r = nc__icd_info(&q, sizeof q, size, value, size_ret);
          break;
        }
        case CL_KERNEL_ARG_NAME:
          r = nc__icd_info_str(a->name, size, value, size_ret);
          break;
        default:
          r = CL_INVALID_VALUE;
      }
    }
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clGetKernelWorkGroupInfo(
    cl_kernel k, cl_device_id d, cl_kernel_work_group_info name, size_t size,
    void *value, size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_KERNEL;
  if (nc__icd_live(k, NC_ICD_KERNEL)) {
    r = d != NULL && !nc__icd_is_dev(d) ? CL_INVALID_DEVICE : CL_SUCCESS;
    if (r == CL_SUCCESS) {
      switch (name) {
        case CL_KERNEL_GLOBAL_WORK_SIZE: {
          const size_t s[3] = {1, 1, 1};
          r = nc__icd_info(s, sizeof s, size, value, size_ret);
          break;
        }
        case CL_KERNEL_WORK_GROUP_SIZE:
        case CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE: {
          const size_t one = 1;
          r = nc__icd_info(&one, sizeof one, size, value, size_ret);
          break;
        }
        case CL_KERNEL_COMPILE_WORK_GROUP_SIZE: {
          const size_t s[3] = {1, 1, 1};
          r = nc__icd_info(s, sizeof s, size, value, size_ret);
          break;
        }
        case CL_KERNEL_LOCAL_MEM_SIZE:
        case CL_KERNEL_PRIVATE_MEM_SIZE: {
          const cl_ulong z = 0;
          r = nc__icd_info(&z, sizeof z, size, value, size_ret);
          break;
        }
        default:
          r = CL_INVALID_VALUE;
      }
    }
  }
  nc__icd_unlock();
  return r;
}
