/*
 * Contexts: a set of the platform's devices. Queues, buffers and programs
 * hold a reference to their context, so it lives until the last of them
 * is released.
 */
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"

#define ERR_(code)             \
  do {                         \
    if (errcode_ret != NULL) { \
      *errcode_ret = (code);   \
    }                          \
  } while (0)

/* Checks the property list: CL_CONTEXT_PLATFORM (ours) at most once,
 * CL_CONTEXT_INTEROP_USER_SYNC, nothing else. */
static cl_int props_(const cl_context_properties *p, cl_context c) {
  int seen_platform = 0, seen_sync = 0;
  for (size_t i = 0; p != NULL && p[i] != 0; i += 2) {
    if (p[i] == CL_CONTEXT_PLATFORM) {
      if (seen_platform++) {
        return CL_INVALID_PROPERTY;
      }
      if ((cl_platform_id)p[i + 1] != &nc__icd_platform) {
        return CL_INVALID_PLATFORM;
      }
    } else if (p[i] == CL_CONTEXT_INTEROP_USER_SYNC) {
      if (seen_sync++) {
        return CL_INVALID_PROPERTY;
      }
    } else {
      return CL_INVALID_PROPERTY;
    }
  }
  if (c != NULL && p != NULL) {
    c->props[0] = CL_CONTEXT_PLATFORM;
    c->props[1] = (cl_context_properties)&nc__icd_platform;
    c->props[2] = 0;
    c->nprops = 3;
  }
  return CL_SUCCESS;
}

static cl_context create_(const cl_context_properties *props, cl_uint n,
                          const cl_device_id *devs,
                          void(CL_CALLBACK *notify)(const char *, const void *,
                                                    size_t, void *),
                          void *data, cl_int *errcode_ret) {
  cl_int err = props_(props, NULL);
  if (err != CL_SUCCESS) {
    ERR_(err);
    return NULL;
  }
  if (devs == NULL || n == 0 || (notify == NULL && data != NULL)) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  cl_context c = calloc(1, sizeof *c);
  if (c == NULL) {
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  for (cl_uint i = 0; i < n; i++) {
    if (!nc__icd_is_dev(devs[i])) {
      free(c);
      ERR_(CL_INVALID_DEVICE);
      return NULL;
    }
    int dup = 0;
    for (cl_uint j = 0; j < c->ndev; j++) {
      dup |= c->dev[j] == devs[i];
    }
    if (!dup) {
      c->dev[c->ndev++] = devs[i];
    }
  }
  (void)props_(props, c);
  c->notify = notify;
  c->notify_data = data;
  nc__icd_register(c, NC_ICD_CONTEXT);
  ERR_(CL_SUCCESS);
  return c;
}

CL_API_ENTRY cl_context CL_API_CALL clCreateContext(
    const cl_context_properties *props, cl_uint n, const cl_device_id *devs,
    void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *),
    void *data, cl_int *errcode_ret) {
  nc__icd_lock();
  cl_context c = create_(props, n, devs, notify, data, errcode_ret);
  nc__icd_unlock();
  return c;
}

CL_API_ENTRY cl_context CL_API_CALL clCreateContextFromType(
    const cl_context_properties *props, cl_device_type type,
    void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *),
    void *data, cl_int *errcode_ret) {
  cl_device_id devs[4];
  cl_uint n = 0;
  cl_int err = clGetDeviceIDs(&nc__icd_platform, type, 4, devs, &n);
  if (err != CL_SUCCESS) {
    ERR_(err);
    return NULL;
  }
  return clCreateContext(props, n, devs, notify, data, errcode_ret);
}

CL_API_ENTRY cl_int CL_API_CALL clRetainContext(cl_context c) {
  return nc__icd_retain(c, NC_ICD_CONTEXT, CL_INVALID_CONTEXT);
}

void nc__icd_context_release(cl_context c) {
  if (--c->h.refs == 0) {
    nc__icd_bury(c, sizeof *c);
  }
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseContext(cl_context c) {
  return nc__icd_release(c, NC_ICD_CONTEXT, CL_INVALID_CONTEXT);
}

CL_API_ENTRY cl_int CL_API_CALL clGetContextInfo(cl_context c,
                                                 cl_context_info name,
                                                 size_t size, void *value,
                                                 size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_CONTEXT;
  if (nc__icd_live(c, NC_ICD_CONTEXT)) {
    switch (name) {
      case CL_CONTEXT_REFERENCE_COUNT:
        r = nc__icd_info(&c->h.refs, sizeof c->h.refs, size, value, size_ret);
        break;
      case CL_CONTEXT_NUM_DEVICES:
        r = nc__icd_info(&c->ndev, sizeof c->ndev, size, value, size_ret);
        break;
      case CL_CONTEXT_DEVICES:
        r = nc__icd_info(c->dev, c->ndev * sizeof c->dev[0], size, value,
                         size_ret);
        break;
      case CL_CONTEXT_PROPERTIES:
        r = nc__icd_info(c->props, c->nprops * sizeof c->props[0], size, value,
                         size_ret);
        break;
      default:
        r = CL_INVALID_VALUE;
    }
  }
  nc__icd_unlock();
  return r;
}
