/*
 * Buffers (and sub-buffers): host memory the built-in kernels read and
 * write; each kernel copies its operands into the device's window and its
 * result back, as the runtime does for --backend model|rtl. Images and
 * samplers are not supported (CL_DEVICE_IMAGE_SUPPORT is false).
 */
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"
#include "neocog/nc_hw.h"

#define ERR_(code)             \
  do {                         \
    if (errcode_ret != NULL) { \
      *errcode_ret = (code);   \
    }                          \
  } while (0)

static const cl_mem_flags ACCESS_ =
    CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY | CL_MEM_READ_ONLY;
static const cl_mem_flags HOST_ACCESS_ =
    CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS;

/* At most one bit of `set` in `f`. */
static int one_of_(cl_mem_flags f, cl_mem_flags set) {
  const cl_mem_flags x = f & set;
  return (x & (x - 1)) == 0;
}

static cl_mem create_(cl_context ctx, cl_mem_flags flags, size_t size,
                      void *host_ptr, cl_int *errcode_ret) {
  if (!nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    ERR_(CL_INVALID_CONTEXT);
    return NULL;
  }
  if (flags == 0) {
    flags = CL_MEM_READ_WRITE;
  }
  const cl_mem_flags known = ACCESS_ | HOST_ACCESS_ | CL_MEM_USE_HOST_PTR |
                             CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR;
  if ((flags & ~known) != 0 || !one_of_(flags, ACCESS_) ||
      !one_of_(flags, HOST_ACCESS_) ||
      ((flags & CL_MEM_USE_HOST_PTR) &&
       (flags & (CL_MEM_ALLOC_HOST_PTR | CL_MEM_COPY_HOST_PTR)))) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  if (size == 0 || size > NC_ICD_MAX_ALLOC) {
    ERR_(CL_INVALID_BUFFER_SIZE);
    return NULL;
  }
  const int wants_ptr =
      (flags & (CL_MEM_USE_HOST_PTR | CL_MEM_COPY_HOST_PTR)) != 0;
  if (wants_ptr != (host_ptr != NULL)) {
    ERR_(CL_INVALID_HOST_PTR);
    return NULL;
  }
  cl_mem m = calloc(1, sizeof *m);
  if (m == NULL) {
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  if (flags & CL_MEM_USE_HOST_PTR) {
    m->data = host_ptr;
  } else {
    m->data = calloc(1, size);
    m->owns_data = 1;
    if (m->data == NULL) {
      free(m);
      ERR_(CL_MEM_OBJECT_ALLOCATION_FAILURE);
      return NULL;
    }
    if (flags & CL_MEM_COPY_HOST_PTR) {
      memcpy(m->data, host_ptr, size);
    }
  }
  m->ctx = ctx;
  ctx->h.refs++;
  m->flags = flags;
  m->size = size;
  m->host_ptr = (flags & CL_MEM_USE_HOST_PTR) ? host_ptr : NULL;
  nc__icd_register(m, NC_ICD_MEM);
  ERR_(CL_SUCCESS);
  return m;
}

CL_API_ENTRY cl_mem CL_API_CALL clCreateBuffer(cl_context ctx,
                                               cl_mem_flags flags, size_t size,
                                               void *host_ptr,
                                               cl_int *errcode_ret) {
  nc__icd_lock();
  cl_mem m = create_(ctx, flags, size, host_ptr, errcode_ret);
  nc__icd_unlock();
  return m;
}

static cl_mem sub_(cl_mem parent, cl_mem_flags flags,
                   cl_buffer_create_type type, const void *info,
                   cl_int *errcode_ret) {
  if (!nc__icd_live(parent, NC_ICD_MEM) || parent->parent != NULL) {
    ERR_(CL_INVALID_MEM_OBJECT);
    return NULL;
  }
  if (type != CL_BUFFER_CREATE_TYPE_REGION || info == NULL) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  const cl_buffer_region *r = info;
  const cl_mem_flags pa = parent->flags;
  if ((flags & ~(ACCESS_ | HOST_ACCESS_)) != 0 || !one_of_(flags, ACCESS_) ||
      !one_of_(flags, HOST_ACCESS_) ||
      ((pa & CL_MEM_WRITE_ONLY) &&
       (flags & (CL_MEM_READ_WRITE | CL_MEM_READ_ONLY))) ||
      ((pa & CL_MEM_READ_ONLY) &&
       (flags & (CL_MEM_READ_WRITE | CL_MEM_WRITE_ONLY))) ||
      ((pa & CL_MEM_HOST_WRITE_ONLY) && (flags & CL_MEM_HOST_READ_ONLY)) ||
      ((pa & CL_MEM_HOST_READ_ONLY) && (flags & CL_MEM_HOST_WRITE_ONLY)) ||
      ((pa & CL_MEM_HOST_NO_ACCESS) &&
       (flags & (CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_WRITE_ONLY)))) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  if (r->size == 0) {
    ERR_(CL_INVALID_BUFFER_SIZE);
    return NULL;
  }
  if (r->origin > parent->size || r->size > parent->size - r->origin) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  if (r->origin % NC_HW_BUS_BYTES != 0) {
    ERR_(CL_MISALIGNED_SUB_BUFFER_OFFSET);
    return NULL;
  }
  cl_mem m = calloc(1, sizeof *m);
  if (m == NULL) {
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  if ((flags & ACCESS_) == 0) {
    flags |= pa & ACCESS_;
  }
  if ((flags & HOST_ACCESS_) == 0) {
    flags |= pa & HOST_ACCESS_;
  }
  m->flags = flags | (pa & (CL_MEM_USE_HOST_PTR | CL_MEM_ALLOC_HOST_PTR |
                            CL_MEM_COPY_HOST_PTR));
  m->ctx = parent->ctx;
  m->ctx->h.refs++;
  m->parent = parent;
  parent->h.refs++;
  m->origin = r->origin;
  m->size = r->size;
  m->data = parent->data + r->origin;
  m->host_ptr =
      parent->host_ptr ? (unsigned char *)parent->host_ptr + r->origin : NULL;
  nc__icd_register(m, NC_ICD_MEM);
  ERR_(CL_SUCCESS);
  return m;
}

CL_API_ENTRY cl_mem CL_API_CALL clCreateSubBuffer(cl_mem parent,
                                                  cl_mem_flags flags,
                                                  cl_buffer_create_type type,
                                                  const void *info,
                                                  cl_int *errcode_ret) {
  nc__icd_lock();
  cl_mem m = sub_(parent, flags, type, info, errcode_ret);
  nc__icd_unlock();
  return m;
}

void nc__icd_mem_release(cl_mem m) {
  if (--m->h.refs > 0) {
    return;
  }
  /* Destructor callbacks, most recently registered first. */
  while (m->cbs != NULL) {
    nc__icd_memcb_t *cb = m->cbs;
    m->cbs = cb->next;
    cb->fn(m, cb->data);
    free(cb);
  }
  if (m->owns_data) {
    free(m->data);
  }
  if (m->parent != NULL) {
    nc__icd_mem_release(m->parent);
  }
  nc__icd_context_release(m->ctx);
  nc__icd_bury(m, sizeof *m);
}

CL_API_ENTRY cl_int CL_API_CALL clRetainMemObject(cl_mem m) {
  return nc__icd_retain(m, NC_ICD_MEM, CL_INVALID_MEM_OBJECT);
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseMemObject(cl_mem m) {
  return nc__icd_release(m, NC_ICD_MEM, CL_INVALID_MEM_OBJECT);
}

CL_API_ENTRY cl_int CL_API_CALL clSetMemObjectDestructorCallback(
    cl_mem m, void(CL_CALLBACK *fn)(cl_mem, void *), void *data) {
  nc__icd_lock();
  cl_int r = CL_INVALID_MEM_OBJECT;
  if (nc__icd_live(m, NC_ICD_MEM)) {
    nc__icd_memcb_t *cb = fn != NULL ? malloc(sizeof *cb) : NULL;
    r = fn == NULL   ? CL_INVALID_VALUE
        : cb == NULL ? CL_OUT_OF_HOST_MEMORY
                     : CL_SUCCESS;
    if (cb != NULL) {
      cb->fn = fn;
      cb->data = data;
      cb->next = m->cbs;
      m->cbs = cb;
    }
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clGetMemObjectInfo(cl_mem m, cl_mem_info name,
                                                   size_t size, void *value,
                                                   size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_MEM_OBJECT;
  if (nc__icd_live(m, NC_ICD_MEM)) {
    switch (name) {
      case CL_MEM_TYPE: {
        const cl_mem_object_type t = CL_MEM_OBJECT_BUFFER;
        r = nc__icd_info(&t, sizeof t, size, value, size_ret);
        break;
      }
      case CL_MEM_FLAGS:
        r = nc__icd_info(&m->flags, sizeof m->flags, size, value, size_ret);
        break;
      case CL_MEM_SIZE:
        r = nc__icd_info(&m->size, sizeof m->size, size, value, size_ret);
        break;
      case CL_MEM_HOST_PTR:
        r = nc__icd_info(&m->host_ptr, sizeof m->host_ptr, size, value,
                         size_ret);
        break;
      case CL_MEM_MAP_COUNT:
        r = nc__icd_info(&m->maps, sizeof m->maps, size, value, size_ret);
        break;
      case CL_MEM_REFERENCE_COUNT:
        r = nc__icd_info(&m->h.refs, sizeof m->h.refs, size, value, size_ret);
        break;
      case CL_MEM_CONTEXT:
        r = nc__icd_info(&m->ctx, sizeof m->ctx, size, value, size_ret);
        break;
      case CL_MEM_ASSOCIATED_MEMOBJECT:
        r = nc__icd_info(&m->parent, sizeof m->parent, size, value, size_ret);
        break;
      case CL_MEM_OFFSET:
        r = nc__icd_info(&m->origin, sizeof m->origin, size, value, size_ret);
        break;
      default:
        r = CL_INVALID_VALUE;
    }
  }
  nc__icd_unlock();
  return r;
}

/* --- images and samplers: not supported -------------------------------- */

CL_API_ENTRY cl_mem CL_API_CALL
clCreateImage(cl_context ctx, cl_mem_flags flags, const cl_image_format *fmt,
              const cl_image_desc *desc, void *host_ptr, cl_int *errcode_ret) {
  (void)flags;
  (void)fmt;
  (void)desc;
  (void)host_ptr;
  ERR_(nc__icd_live(ctx, NC_ICD_CONTEXT) ? CL_INVALID_OPERATION
                                         : CL_INVALID_CONTEXT);
  return NULL;
}

CL_API_ENTRY cl_mem CL_API_CALL clCreateImage2D(
    cl_context ctx, cl_mem_flags flags, const cl_image_format *fmt, size_t w,
    size_t h, size_t pitch, void *host_ptr, cl_int *errcode_ret) {
  (void)w;
  (void)h;
  (void)pitch;
  return clCreateImage(ctx, flags, fmt, NULL, host_ptr, errcode_ret);
}

CL_API_ENTRY cl_mem CL_API_CALL
clCreateImage3D(cl_context ctx, cl_mem_flags flags, const cl_image_format *fmt,
                size_t w, size_t h, size_t d, size_t rp, size_t sp,
                void *host_ptr, cl_int *errcode_ret) {
  (void)w;
  (void)h;
  (void)d;
  (void)rp;
  (void)sp;
  return clCreateImage(ctx, flags, fmt, NULL, host_ptr, errcode_ret);
}

CL_API_ENTRY cl_int CL_API_CALL clGetSupportedImageFormats(
    cl_context ctx, cl_mem_flags flags, cl_mem_object_type type, cl_uint n,
    cl_image_format *fmts, cl_uint *nfmts) {
  (void)flags;
  (void)type;
  (void)n;
  (void)fmts;
  if (!nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    return CL_INVALID_CONTEXT;
  }
  if (nfmts != NULL) {
    *nfmts = 0;
  }
  return CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL clGetImageInfo(cl_mem m, cl_image_info name,
                                               size_t size, void *value,
                                               size_t *size_ret) {
  (void)m;
  (void)name;
  (void)size;
  (void)value;
  (void)size_ret;
  return CL_INVALID_MEM_OBJECT;
}

CL_API_ENTRY cl_sampler CL_API_CALL clCreateSampler(cl_context ctx,
                                                    cl_bool norm,
                                                    cl_addressing_mode am,
                                                    cl_filter_mode fm,
                                                    cl_int *errcode_ret) {
  (void)norm;
  (void)am;
  (void)fm;
  ERR_(nc__icd_live(ctx, NC_ICD_CONTEXT) ? CL_INVALID_OPERATION
                                         : CL_INVALID_CONTEXT);
  return NULL;
}

CL_API_ENTRY cl_int CL_API_CALL clRetainSampler(cl_sampler s) {
  (void)s;
  return CL_INVALID_SAMPLER;
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseSampler(cl_sampler s) {
  (void)s;
  return CL_INVALID_SAMPLER;
}

CL_API_ENTRY cl_int CL_API_CALL clGetSamplerInfo(cl_sampler s,
                                                 cl_sampler_info name,
                                                 size_t size, void *value,
                                                 size_t *size_ret) {
  (void)s;
  (void)name;
  (void)size;
  (void)value;
  (void)size_ret;
  return CL_INVALID_SAMPLER;
}
