/*
 * The ICD's plumbing: the loader's entry points, the dispatch table, the
 * process-wide lock, and the registry of live objects (see icd_internal.h).
 *
 * The OpenCL entry points are defined under their own names, so the
 * compiler checks each against CL/cl.h; the linker's version script
 * (icd/neocog_icd.map) keeps all of them local except the three the
 * loaders look up by name, and the loader reaches the rest through the
 * dispatch table every object starts with.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icd/icd_internal.h"
#include "neocog/version.h"

/* --- lock ------------------------------------------------------------ */

static pthread_mutex_t lock_;
static pthread_cond_t change_ = PTHREAD_COND_INITIALIZER;
static pthread_once_t once_ = PTHREAD_ONCE_INIT;

static void init_lock_(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&lock_, &a);
  pthread_mutexattr_destroy(&a);
}

void nc__icd_lock(void) {
  pthread_once(&once_, init_lock_);
  pthread_mutex_lock(&lock_);
}

void nc__icd_unlock(void) {
  pthread_mutex_unlock(&lock_);
}

void nc__icd_broadcast(void) {
  pthread_cond_broadcast(&change_);
}

void nc__icd_wait_change(void) {
  pthread_cond_wait(&change_, &lock_);
}

cl_ulong nc__icd_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (cl_ulong)ts.tv_sec * 1000000000u + (cl_ulong)ts.tv_nsec;
}

/* --- registry ---------------------------------------------------------- */

#define BUCKETS 1024
static nc__icd_obj_t *table_[BUCKETS];
/* Released headers, oldest overwritten (and freed) first. */
static nc__icd_obj_t *grave_[NC_ICD_GRAVEYARD];
static size_t grave_next_;

static size_t bucket_(const void *p) {
  return (size_t)(((uintptr_t)p >> 4) ^ ((uintptr_t)p >> 14)) % BUCKETS;
}

void nc__icd_register(void *obj, nc__icd_kind_t kind) {
  nc__icd_obj_t *h = obj;
  h->dispatch = &nc__icd_dispatch;
  h->kind = (uint32_t)kind;
  h->refs = 1;
  const size_t b = bucket_(h);
  h->hnext = table_[b];
  table_[b] = h;
}

int nc__icd_live(const void *p, nc__icd_kind_t kind) {
  if (p == NULL) {
    return 0;
  }
  for (const nc__icd_obj_t *h = table_[bucket_(p)]; h != NULL; h = h->hnext) {
    if (h == p) {
      return h->kind == (uint32_t)kind;
    }
  }
  return 0;
}

void nc__icd_bury(void *obj, size_t size) {
  nc__icd_obj_t *h = obj;
  memset(h + 1, 0, size - sizeof *h);
  for (nc__icd_obj_t **pp = &table_[bucket_(h)]; *pp != NULL;
       pp = &(*pp)->hnext) {
    if (*pp == h) {
      *pp = h->hnext;
      break;
    }
  }
  h->kind = NC_ICD_DEAD;
  h->refs = 0;
  h->hnext = NULL;
  free(grave_[grave_next_]);
  grave_[grave_next_] = h;
  grave_next_ = (grave_next_ + 1) % NC_ICD_GRAVEYARD;
}

cl_int nc__icd_retain(void *obj, nc__icd_kind_t kind, cl_int bad) {
  nc__icd_lock();
  cl_int r = bad;
  if (nc__icd_live(obj, kind)) {
    ((nc__icd_obj_t *)obj)->refs++;
    r = CL_SUCCESS;
  }
  nc__icd_unlock();
  return r;
}

cl_int nc__icd_release(void *obj, nc__icd_kind_t kind, cl_int bad) {
  nc__icd_lock();
  cl_int r = bad;
  if (nc__icd_live(obj, kind)) {
    r = CL_SUCCESS;
    switch (kind) {
      case NC_ICD_CONTEXT:
        nc__icd_context_release(obj);
        break;
      case NC_ICD_QUEUE:
        (void)nc__icd_queue_run(obj, NULL); /* the implicit flush */
        nc__icd_queue_release(obj);
        break;
      case NC_ICD_MEM:
        nc__icd_mem_release(obj);
        break;
      case NC_ICD_PROGRAM:
        nc__icd_program_release(obj);
        break;
      case NC_ICD_KERNEL:
        nc__icd_kernel_release(obj);
        break;
      case NC_ICD_EVENT:
        nc__icd_event_release(obj);
        break;
      default:
        r = bad;
    }
  }
  nc__icd_unlock();
  return r;
}

cl_int nc__icd_check_qm(cl_command_queue q, cl_mem m) {
  if (!nc__icd_live(q, NC_ICD_QUEUE)) {
    return CL_INVALID_COMMAND_QUEUE;
  }
  if (!nc__icd_live(m, NC_ICD_MEM)) {
    return CL_INVALID_MEM_OBJECT;
  }
  return m->ctx != q->ctx ? CL_INVALID_CONTEXT : CL_SUCCESS;
}

/* --- info answers ------------------------------------------------------ */

cl_int nc__icd_info(const void *val, size_t size, size_t param_size,
                    void *param_value, size_t *size_ret) {
  if (param_value != NULL) {
    if (param_size < size) {
      return CL_INVALID_VALUE;
    }
    if (size > 0) {
      memcpy(param_value, val, size);
    }
  }
  if (size_ret != NULL) {
    *size_ret = size;
  }
  return CL_SUCCESS;
}

cl_int nc__icd_info_str(const char *s, size_t param_size, void *param_value,
                        size_t *size_ret) {
  return nc__icd_info(s, strlen(s) + 1, param_size, param_value, size_ret);
}

/* --- the platform ------------------------------------------------------ */

struct _cl_platform_id nc__icd_platform = {
    {&nc__icd_dispatch, NC_ICD_PLATFORM, 1, NULL}};

/* Exported as the loaders require. */
__attribute__((visibility("default"))) CL_API_ENTRY cl_int CL_API_CALL
clIcdGetPlatformIDsKHR(cl_uint num_entries, cl_platform_id *platforms,
                       cl_uint *num_platforms);

CL_API_ENTRY cl_int CL_API_CALL clIcdGetPlatformIDsKHR(
    cl_uint num_entries, cl_platform_id *platforms, cl_uint *num_platforms) {
  if ((num_entries == 0 && platforms != NULL) ||
      (platforms == NULL && num_platforms == NULL)) {
    return CL_INVALID_VALUE;
  }
  if (platforms != NULL) {
    platforms[0] = &nc__icd_platform;
  }
  if (num_platforms != NULL) {
    *num_platforms = 1;
  }
  return CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL clGetPlatformIDs(cl_uint num_entries,
                                                 cl_platform_id *platforms,
                                                 cl_uint *num_platforms) {
  return clIcdGetPlatformIDsKHR(num_entries, platforms, num_platforms);
}

CL_API_ENTRY cl_int CL_API_CALL clGetPlatformInfo(cl_platform_id platform,
                                                  cl_platform_info name,
                                                  size_t size, void *value,
                                                  size_t *size_ret) {
  if (platform != NULL && platform != &nc__icd_platform) {
    return CL_INVALID_PLATFORM;
  }
  switch (name) {
    case CL_PLATFORM_PROFILE:
      return nc__icd_info_str("FULL_PROFILE", size, value, size_ret);
    case CL_PLATFORM_VERSION:
      return nc__icd_info_str("OpenCL 1.2 neocog " NC_VERSION_STRING, size,
                              value, size_ret);
    case CL_PLATFORM_NAME:
      return nc__icd_info_str("neocog", size, value, size_ret);
    case CL_PLATFORM_VENDOR:
      return nc__icd_info_str("neocog project", size, value, size_ret);
    case CL_PLATFORM_EXTENSIONS:
      return nc__icd_info_str("cl_khr_icd", size, value, size_ret);
    case CL_PLATFORM_ICD_SUFFIX_KHR:
      return nc__icd_info_str("NEOCOG", size, value, size_ret);
    default:
      return CL_INVALID_VALUE;
  }
}

CL_API_ENTRY void *CL_API_CALL
clGetExtensionFunctionAddress(const char *func_name) {
  if (func_name != NULL && strcmp(func_name, "clIcdGetPlatformIDsKHR") == 0) {
    return (void *)&clIcdGetPlatformIDsKHR;
  }
  return NULL;
}

CL_API_ENTRY void *CL_API_CALL clGetExtensionFunctionAddressForPlatform(
    cl_platform_id platform, const char *func_name) {
  if (platform != &nc__icd_platform) {
    return NULL;
  }
  return clGetExtensionFunctionAddress(func_name);
}

CL_API_ENTRY cl_int CL_API_CALL clUnloadCompiler(void) {
  return CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL
clUnloadPlatformCompiler(cl_platform_id platform) {
  return platform == &nc__icd_platform ? CL_SUCCESS : CL_INVALID_PLATFORM;
}
