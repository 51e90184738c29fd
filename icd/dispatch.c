/*
 * The dispatch table every object points to, and the OpenCL 1.2 entry
 * points of features the devices do not have (images, native kernels),
 * answered with the codes the specification gives for them. Entries of
 * OpenCL 2.x and of extensions the platform does not report stay NULL.
 */
#include <string.h>

#include "icd/icd_internal.h"

/* --- rectangular buffer copies ------------------------------------------- */

/* Bytes of a rectangle's last byte + 1 within its buffer, or 0 when the
 * region is malformed. */
static size_t rect_end_(const size_t *origin, const size_t *region,
                        size_t *row_pitch, size_t *slice_pitch) {
  if (region[0] == 0 || region[1] == 0 || region[2] == 0) {
    return 0;
  }
  if (*row_pitch == 0) {
    *row_pitch = region[0];
  }
  if (*slice_pitch == 0) {
    *slice_pitch = region[1] * *row_pitch;
  }
  if (*row_pitch < region[0] || *slice_pitch < region[1] * *row_pitch ||
      *slice_pitch % *row_pitch != 0) {
    return 0;
  }
  return origin[2] * *slice_pitch + origin[1] * *row_pitch + origin[0] +
         (region[2] - 1) * *slice_pitch + (region[1] - 1) * *row_pitch +
         region[0];
}

static void rect_copy_(unsigned char *dst, const size_t *dorg, size_t drp,
                       size_t dsp, const unsigned char *src, const size_t *sorg,
                       size_t srp, size_t ssp, const size_t *region) {
  for (size_t z = 0; z < region[2]; z++) {
    for (size_t y = 0; y < region[1]; y++) {
      memmove(dst + (dorg[2] + z) * dsp + (dorg[1] + y) * drp + dorg[0],
              src + (sorg[2] + z) * ssp + (sorg[1] + y) * srp + sorg[0],
              region[0]);
    }
  }
}

/* The rect commands run at once after the queue's earlier commands
 * (blocking semantics whatever the flag says); the event, if asked for,
 * is a marker that completes with them. */
static cl_int rect_(cl_command_queue q, cl_mem m, int write, const size_t *bo,
                    const size_t *ho, const size_t *region, size_t brp,
                    size_t bsp, size_t hrp, size_t hsp, void *ptr,
                    cl_uint nwait, const cl_event *wait, cl_event *out) {
  const cl_int bad = nc__icd_check_qm(q, m);
  if (bad != CL_SUCCESS) {
    return bad;
  }
  if (bo == NULL || ho == NULL || region == NULL || ptr == NULL) {
    return CL_INVALID_VALUE;
  }
  const size_t end = rect_end_(bo, region, &brp, &bsp);
  size_t hrp2 = hrp, hsp2 = hsp;
  if (end == 0 || end > m->size || rect_end_(ho, region, &hrp2, &hsp2) == 0) {
    return CL_INVALID_VALUE;
  }
  cl_int r = clEnqueueBarrierWithWaitList(q, nwait, wait, NULL);
  if (r == CL_SUCCESS) {
    r = clFinish(q);
  }
  if (r != CL_SUCCESS) {
    return r;
  }
  if (write) {
    rect_copy_(m->data, bo, brp, bsp, ptr, ho, hrp2, hsp2, region);
  } else {
    rect_copy_(ptr, ho, hrp2, hsp2, m->data, bo, brp, bsp, region);
  }
  return out != NULL ? clEnqueueMarkerWithWaitList(q, 0, NULL, out)
                     : CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueReadBufferRect(
    cl_command_queue q, cl_mem m, cl_bool blocking, const size_t *bo,
    const size_t *ho, const size_t *region, size_t brp, size_t bsp, size_t hrp,
    size_t hsp, void *ptr, cl_uint nwait, const cl_event *wait, cl_event *out) {
  (void)blocking;
  nc__icd_lock();
  cl_int r =
      rect_(q, m, 0, bo, ho, region, brp, bsp, hrp, hsp, ptr, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueWriteBufferRect(
    cl_command_queue q, cl_mem m, cl_bool blocking, const size_t *bo,
    const size_t *ho, const size_t *region, size_t brp, size_t bsp, size_t hrp,
    size_t hsp, const void *ptr, cl_uint nwait, const cl_event *wait,
    cl_event *out) {
  (void)blocking;
  nc__icd_lock();
  cl_int r = rect_(q, m, 1, bo, ho, region, brp, bsp, hrp, hsp, (void *)ptr,
                   nwait, wait, out);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueCopyBufferRect(
    cl_command_queue q, cl_mem src, cl_mem dst, const size_t *so,
    const size_t *dof, const size_t *region, size_t srp, size_t ssp, size_t drp,
    size_t dsp, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    r = !nc__icd_live(src, NC_ICD_MEM) || !nc__icd_live(dst, NC_ICD_MEM)
            ? CL_INVALID_MEM_OBJECT
        : src->ctx != q->ctx || dst->ctx != q->ctx    ? CL_INVALID_CONTEXT
        : so == NULL || dof == NULL || region == NULL ? CL_INVALID_VALUE
                                                      : CL_SUCCESS;
    if (r == CL_SUCCESS) {
      const size_t se = rect_end_(so, region, &srp, &ssp);
      const size_t de = rect_end_(dof, region, &drp, &dsp);
      r = se == 0 || de == 0 || se > src->size || de > dst->size
              ? CL_INVALID_VALUE
              : CL_SUCCESS;
    }
    if (r == CL_SUCCESS) {
      r = clEnqueueBarrierWithWaitList(q, nwait, wait, NULL);
    }
    if (r == CL_SUCCESS) {
      r = clFinish(q);
    }
    if (r == CL_SUCCESS) {
      rect_copy_(dst->data, dof, drp, dsp, src->data, so, srp, ssp, region);
      if (out != NULL) {
        r = clEnqueueMarkerWithWaitList(q, 0, NULL, out);
      }
    }
  }
  nc__icd_unlock();
  return r;
}

/* --- images and native kernels: not supported ---------------------------- */

CL_API_ENTRY cl_int CL_API_CALL clEnqueueReadImage(
    cl_command_queue q, cl_mem img, cl_bool blocking, const size_t *origin,
    const size_t *region, size_t rp, size_t sp, void *ptr, cl_uint nwait,
    const cl_event *wait, cl_event *out) {
  (void)img, (void)blocking, (void)origin, (void)region, (void)rp, (void)sp;
  (void)ptr, (void)nwait, (void)wait, (void)out;
  return nc__icd_live(q, NC_ICD_QUEUE) ? CL_INVALID_MEM_OBJECT
                                       : CL_INVALID_COMMAND_QUEUE;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueWriteImage(
    cl_command_queue q, cl_mem img, cl_bool blocking, const size_t *origin,
    const size_t *region, size_t rp, size_t sp, const void *ptr, cl_uint nwait,
    const cl_event *wait, cl_event *out) {
  return clEnqueueReadImage(q, img, blocking, origin, region, rp, sp,
                            (void *)ptr, nwait, wait, out);
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueFillImage(
    cl_command_queue q, cl_mem img, const void *color, const size_t *origin,
    const size_t *region, cl_uint nwait, const cl_event *wait, cl_event *out) {
  (void)color;
  return clEnqueueReadImage(q, img, CL_FALSE, origin, region, 0, 0, NULL, nwait,
                            wait, out);
}

CL_API_ENTRY cl_int CL_API_CALL
clEnqueueCopyImage(cl_command_queue q, cl_mem src, cl_mem dst, const size_t *so,
                   const size_t *dof, const size_t *region, cl_uint nwait,
                   const cl_event *wait, cl_event *out) {
  (void)dst, (void)dof;
  return clEnqueueReadImage(q, src, CL_FALSE, so, region, 0, 0, NULL, nwait,
                            wait, out);
}

CL_API_ENTRY cl_int CL_API_CALL
clEnqueueCopyImageToBuffer(cl_command_queue q, cl_mem src, cl_mem dst,
                           const size_t *so, const size_t *region, size_t dof,
                           cl_uint nwait, const cl_event *wait, cl_event *out) {
  (void)dst, (void)dof;
  return clEnqueueReadImage(q, src, CL_FALSE, so, region, 0, 0, NULL, nwait,
                            wait, out);
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueCopyBufferToImage(
    cl_command_queue q, cl_mem src, cl_mem dst, size_t so, const size_t *dof,
    const size_t *region, cl_uint nwait, const cl_event *wait, cl_event *out) {
  (void)src, (void)so;
  return clEnqueueReadImage(q, dst, CL_FALSE, dof, region, 0, 0, NULL, nwait,
                            wait, out);
}

CL_API_ENTRY void *CL_API_CALL clEnqueueMapImage(
    cl_command_queue q, cl_mem img, cl_bool blocking, cl_map_flags flags,
    const size_t *origin, const size_t *region, size_t *rp, size_t *sp,
    cl_uint nwait, const cl_event *wait, cl_event *out, cl_int *errcode_ret) {
  (void)flags, (void)rp, (void)sp;
  const cl_int r = clEnqueueReadImage(q, img, blocking, origin, region, 0, 0,
                                      NULL, nwait, wait, out);
  if (errcode_ret != NULL) {
    *errcode_ret = r;
  }
  return NULL;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueNativeKernel(
    cl_command_queue q, void(CL_CALLBACK *fn)(void *), void *args,
    size_t cb_args, cl_uint nmem, const cl_mem *mems, const void **locs,
    cl_uint nwait, const cl_event *wait, cl_event *out) {
  (void)fn, (void)args, (void)cb_args, (void)nmem, (void)mems, (void)locs;
  (void)nwait, (void)wait, (void)out;
  /* CL_DEVICE_EXECUTION_CAPABILITIES has no CL_EXEC_NATIVE_KERNEL. */
  return nc__icd_live(q, NC_ICD_QUEUE) ? CL_INVALID_OPERATION
                                       : CL_INVALID_COMMAND_QUEUE;
}

/* --- the table ------------------------------------------------------------ */

#define E_(f) .f = f

const cl_icd_dispatch nc__icd_dispatch = {
    E_(clGetPlatformIDs),
    E_(clGetPlatformInfo),
    E_(clGetDeviceIDs),
    E_(clGetDeviceInfo),
    E_(clCreateContext),
    E_(clCreateContextFromType),
    E_(clRetainContext),
    E_(clReleaseContext),
    E_(clGetContextInfo),
    E_(clCreateCommandQueue),
    E_(clRetainCommandQueue),
    E_(clReleaseCommandQueue),
    E_(clGetCommandQueueInfo),
    E_(clSetCommandQueueProperty),
    E_(clCreateBuffer),
    E_(clCreateImage2D),
    E_(clCreateImage3D),
    E_(clRetainMemObject),
    E_(clReleaseMemObject),
    E_(clGetSupportedImageFormats),
    E_(clGetMemObjectInfo),
    E_(clGetImageInfo),
    E_(clCreateSampler),
    E_(clRetainSampler),
    E_(clReleaseSampler),
    E_(clGetSamplerInfo),
    E_(clCreateProgramWithSource),
    E_(clCreateProgramWithBinary),
    E_(clRetainProgram),
    E_(clReleaseProgram),
    E_(clBuildProgram),
    E_(clUnloadCompiler),
    E_(clGetProgramInfo),
    E_(clGetProgramBuildInfo),
    E_(clCreateKernel),
    E_(clCreateKernelsInProgram),
    E_(clRetainKernel),
    E_(clReleaseKernel),
    E_(clSetKernelArg),
    E_(clGetKernelInfo),
    E_(clGetKernelWorkGroupInfo),
    E_(clWaitForEvents),
    E_(clGetEventInfo),
    E_(clRetainEvent),
    E_(clReleaseEvent),
    E_(clGetEventProfilingInfo),
    E_(clFlush),
    E_(clFinish),
    E_(clEnqueueReadBuffer),
    E_(clEnqueueWriteBuffer),
    E_(clEnqueueCopyBuffer),
    E_(clEnqueueReadImage),
    E_(clEnqueueWriteImage),
    E_(clEnqueueCopyImage),
    E_(clEnqueueCopyImageToBuffer),
    E_(clEnqueueCopyBufferToImage),
    E_(clEnqueueMapBuffer),
    E_(clEnqueueMapImage),
    E_(clEnqueueUnmapMemObject),
    E_(clEnqueueNDRangeKernel),
    E_(clEnqueueTask),
    E_(clEnqueueNativeKernel),
    E_(clEnqueueMarker),
    E_(clEnqueueWaitForEvents),
    E_(clEnqueueBarrier),
    E_(clGetExtensionFunctionAddress),
    E_(clSetEventCallback),
    E_(clCreateSubBuffer),
    E_(clSetMemObjectDestructorCallback),
    E_(clCreateUserEvent),
    E_(clSetUserEventStatus),
    E_(clEnqueueReadBufferRect),
    E_(clEnqueueWriteBufferRect),
    E_(clEnqueueCopyBufferRect),
    E_(clCreateSubDevices),
    E_(clRetainDevice),
    E_(clReleaseDevice),
    E_(clCreateImage),
    E_(clCreateProgramWithBuiltInKernels),
    E_(clCompileProgram),
    E_(clLinkProgram),
    E_(clUnloadPlatformCompiler),
    E_(clGetKernelArgInfo),
    E_(clEnqueueFillBuffer),
    E_(clEnqueueFillImage),
    E_(clEnqueueMigrateMemObjects),
    E_(clEnqueueMarkerWithWaitList),
    E_(clEnqueueBarrierWithWaitList),
    E_(clGetExtensionFunctionAddressForPlatform),
};
