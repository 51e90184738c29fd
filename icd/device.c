/*
 * The devices: one per simulated backend of the runtime (the functional
 * model and the Verilated RTL; the lockstep pair when NEOCOG_ICD_LOCKSTEP=1),
 * each an ACCELERATOR that runs built-in kernels only, and what
 * clGetDeviceInfo says about them.
 *
 * Sizes are the truth of the runtime: buffers live in host memory and each
 * kernel's operands are copied into the device's window, which grows up to
 * NC_ICD_GLOBAL_MEM; local memory is the scratchpad the built-in kernels
 * tile into; profiling counts device cycles at the nominal
 * NC_ICD_CLOCK_MHZ.
 */
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"
#include "neocog/nc_hw.h"
#include "neocog/version.h"

static struct _cl_device_id devs_[3] = {
    {{&nc__icd_dispatch, NC_ICD_DEVICE, 1, NULL},
     "model",
     "neocog functional model",
     NULL,
     0},
    {{&nc__icd_dispatch, NC_ICD_DEVICE, 1, NULL},
     "rtl",
     "neocog RTL (Verilator)",
     NULL,
     0},
    {{&nc__icd_dispatch, NC_ICD_DEVICE, 1, NULL},
     "lockstep",
     "neocog RTL in lockstep with the functional model",
     NULL,
     0},
};

cl_uint nc__icd_ndev(void) {
  const char *e = getenv("NEOCOG_ICD_LOCKSTEP");
  return e != NULL && strcmp(e, "1") == 0 ? 3 : 2;
}

cl_device_id nc__icd_dev(cl_uint i) {
  return &devs_[i];
}

int nc__icd_is_dev(const void *p) {
  for (cl_uint i = 0; i < nc__icd_ndev(); i++) {
    if (p == &devs_[i]) {
      return 1;
    }
  }
  return 0;
}

/* The runtimes opened on first use stay open until the library unloads. */
__attribute__((destructor)) static void close_devices_(void) {
  for (int i = 0; i < 3; i++) {
    nc_accel_close(devs_[i].acc);
    devs_[i].acc = NULL;
  }
}

CL_API_ENTRY cl_int CL_API_CALL clGetDeviceIDs(cl_platform_id platform,
                                               cl_device_type type,
                                               cl_uint num_entries,
                                               cl_device_id *devices,
                                               cl_uint *num_devices) {
  if (platform != NULL && platform != &nc__icd_platform) {
    return CL_INVALID_PLATFORM;
  }
  const cl_device_type known = CL_DEVICE_TYPE_DEFAULT | CL_DEVICE_TYPE_CPU |
                               CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR |
                               CL_DEVICE_TYPE_CUSTOM;
  if (type != CL_DEVICE_TYPE_ALL && (type & ~known) != 0) {
    return CL_INVALID_DEVICE_TYPE;
  }
  if ((num_entries == 0 && devices != NULL) ||
      (devices == NULL && num_devices == NULL)) {
    return CL_INVALID_VALUE;
  }
  cl_uint n = 0;
  if (type & (CL_DEVICE_TYPE_ACCELERATOR)) {
    n = nc__icd_ndev();
  } else if (type & CL_DEVICE_TYPE_DEFAULT) {
    n = 1; /* the functional model */
  }
  if (n == 0) {
    return CL_DEVICE_NOT_FOUND;
  }
  for (cl_uint i = 0; devices != NULL && i < n && i < num_entries; i++) {
    devices[i] = &devs_[i];
  }
  if (num_devices != NULL) {
    *num_devices = n;
  }
  return CL_SUCCESS;
}

#define U32_(v)                                                 \
  do {                                                          \
    const cl_uint x_ = (v);                                     \
    return nc__icd_info(&x_, sizeof x_, size, value, size_ret); \
  } while (0)
#define U64_(v)                                                 \
  do {                                                          \
    const cl_ulong x_ = (v);                                    \
    return nc__icd_info(&x_, sizeof x_, size, value, size_ret); \
  } while (0)
#define SZ_(v)                                                  \
  do {                                                          \
    const size_t x_ = (v);                                      \
    return nc__icd_info(&x_, sizeof x_, size, value, size_ret); \
  } while (0)
#define STR_(s) return nc__icd_info_str((s), size, value, size_ret)

CL_API_ENTRY cl_int CL_API_CALL clGetDeviceInfo(cl_device_id d,
                                                cl_device_info name,
                                                size_t size, void *value,
                                                size_t *size_ret) {
  if (!nc__icd_is_dev(d)) {
    return CL_INVALID_DEVICE;
  }
  switch (name) {
    case CL_DEVICE_TYPE: {
      const cl_device_type t = CL_DEVICE_TYPE_ACCELERATOR;
      return nc__icd_info(&t, sizeof t, size, value, size_ret);
    }
    case CL_DEVICE_VENDOR_ID:
      U32_(0);
    case CL_DEVICE_MAX_COMPUTE_UNITS:
      U32_(1);
    case CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS:
      U32_(3);
    case CL_DEVICE_MAX_WORK_ITEM_SIZES: {
      const size_t s[3] = {1, 1, 1};
      return nc__icd_info(s, sizeof s, size, value, size_ret);
    }
    case CL_DEVICE_MAX_WORK_GROUP_SIZE:
      SZ_(1);
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_CHAR:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_CHAR:
      U32_(NC_HW_COLS);
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_SHORT:
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_INT:
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_LONG:
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_SHORT:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_INT:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_LONG:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT:
      U32_(1);
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_DOUBLE:
    case CL_DEVICE_PREFERRED_VECTOR_WIDTH_HALF:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_DOUBLE:
    case CL_DEVICE_NATIVE_VECTOR_WIDTH_HALF:
      U32_(0);
    case CL_DEVICE_MAX_CLOCK_FREQUENCY:
      U32_(NC_ICD_CLOCK_MHZ);
    case CL_DEVICE_ADDRESS_BITS:
      U32_(64);
    case CL_DEVICE_MAX_READ_IMAGE_ARGS:
    case CL_DEVICE_MAX_WRITE_IMAGE_ARGS:
    case CL_DEVICE_MAX_SAMPLERS:
      U32_(0);
    case CL_DEVICE_MAX_MEM_ALLOC_SIZE:
      U64_(NC_ICD_MAX_ALLOC);
    case CL_DEVICE_IMAGE2D_MAX_WIDTH:
    case CL_DEVICE_IMAGE2D_MAX_HEIGHT:
    case CL_DEVICE_IMAGE3D_MAX_WIDTH:
    case CL_DEVICE_IMAGE3D_MAX_HEIGHT:
    case CL_DEVICE_IMAGE3D_MAX_DEPTH:
    case CL_DEVICE_IMAGE_MAX_BUFFER_SIZE:
    case CL_DEVICE_IMAGE_MAX_ARRAY_SIZE:
      SZ_(0);
    case CL_DEVICE_IMAGE_SUPPORT:
    case CL_DEVICE_ERROR_CORRECTION_SUPPORT:
    case CL_DEVICE_COMPILER_AVAILABLE:
    case CL_DEVICE_LINKER_AVAILABLE:
      U32_(CL_FALSE);
    case CL_DEVICE_ENDIAN_LITTLE:
    case CL_DEVICE_AVAILABLE:
    case CL_DEVICE_HOST_UNIFIED_MEMORY:
    case CL_DEVICE_PREFERRED_INTEROP_USER_SYNC:
      U32_(CL_TRUE);
    case CL_DEVICE_MAX_PARAMETER_SIZE:
      SZ_(NC_ICD_MAX_ARGS * sizeof(cl_mem));
    case CL_DEVICE_MEM_BASE_ADDR_ALIGN:
      U32_(NC_HW_BUS_BYTES * 8);
    case CL_DEVICE_MIN_DATA_TYPE_ALIGN_SIZE:
      U32_(128);
    case CL_DEVICE_SINGLE_FP_CONFIG:
    case CL_DEVICE_DOUBLE_FP_CONFIG:
    case CL_DEVICE_HALF_FP_CONFIG: {
      const cl_device_fp_config f = 0; /* int8 only: no floating point */
      return nc__icd_info(&f, sizeof f, size, value, size_ret);
    }
    case CL_DEVICE_GLOBAL_MEM_CACHE_TYPE: {
      const cl_device_mem_cache_type t = CL_NONE;
      return nc__icd_info(&t, sizeof t, size, value, size_ret);
    }
    case CL_DEVICE_GLOBAL_MEM_CACHELINE_SIZE:
      U32_(0);
    case CL_DEVICE_GLOBAL_MEM_CACHE_SIZE:
      U64_(0);
    case CL_DEVICE_GLOBAL_MEM_SIZE:
      U64_(NC_ICD_GLOBAL_MEM);
    case CL_DEVICE_MAX_CONSTANT_BUFFER_SIZE:
      U64_(64 * 1024);
    case CL_DEVICE_MAX_CONSTANT_ARGS:
      U32_(8);
    case CL_DEVICE_LOCAL_MEM_TYPE: {
      const cl_device_local_mem_type t = CL_LOCAL;
      return nc__icd_info(&t, sizeof t, size, value, size_ret);
    }
    case CL_DEVICE_LOCAL_MEM_SIZE:
      U64_(NC_HW_SPAD_BYTES);
    case CL_DEVICE_PROFILING_TIMER_RESOLUTION:
      SZ_(1000 / NC_ICD_CLOCK_MHZ);
    case CL_DEVICE_EXECUTION_CAPABILITIES: {
      const cl_device_exec_capabilities c = CL_EXEC_KERNEL;
      return nc__icd_info(&c, sizeof c, size, value, size_ret);
    }
    case CL_DEVICE_QUEUE_PROPERTIES: {
      const cl_command_queue_properties p = CL_QUEUE_PROFILING_ENABLE;
      return nc__icd_info(&p, sizeof p, size, value, size_ret);
    }
    case CL_DEVICE_PLATFORM: {
      const cl_platform_id p = &nc__icd_platform;
      return nc__icd_info(&p, sizeof p, size, value, size_ret);
    }
    case CL_DEVICE_NAME:
      STR_(d->name);
    case CL_DEVICE_VENDOR:
      STR_("neocog project");
    case CL_DRIVER_VERSION:
      STR_(NC_VERSION_STRING);
    case CL_DEVICE_PROFILE:
      STR_("FULL_PROFILE");
    case CL_DEVICE_VERSION:
      STR_("OpenCL 1.2 neocog");
    case CL_DEVICE_OPENCL_C_VERSION:
      STR_("OpenCL C 1.2 neocog (no compiler: built-in kernels)");
    case CL_DEVICE_EXTENSIONS:
      STR_("");
    case CL_DEVICE_BUILT_IN_KERNELS:
      STR_(nc__icd_builtin_names());
    case CL_DEVICE_PRINTF_BUFFER_SIZE:
      SZ_(0);
    case CL_DEVICE_PARENT_DEVICE: {
      const cl_device_id p = NULL;
      return nc__icd_info(&p, sizeof p, size, value, size_ret);
    }
    case CL_DEVICE_PARTITION_MAX_SUB_DEVICES:
      U32_(0);
    case CL_DEVICE_PARTITION_PROPERTIES:
    case CL_DEVICE_PARTITION_TYPE: {
      const cl_device_partition_property p = 0;
      return nc__icd_info(&p, name == CL_DEVICE_PARTITION_TYPE ? 0 : sizeof p,
                          size, value, size_ret);
    }
    case CL_DEVICE_PARTITION_AFFINITY_DOMAIN: {
      const cl_device_affinity_domain a = 0;
      return nc__icd_info(&a, sizeof a, size, value, size_ret);
    }
    case CL_DEVICE_REFERENCE_COUNT:
      U32_(1);
    default:
      return CL_INVALID_VALUE;
  }
}

CL_API_ENTRY cl_int CL_API_CALL clRetainDevice(cl_device_id d) {
  return nc__icd_is_dev(d) ? CL_SUCCESS : CL_INVALID_DEVICE;
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseDevice(cl_device_id d) {
  return nc__icd_is_dev(d) ? CL_SUCCESS : CL_INVALID_DEVICE;
}

CL_API_ENTRY cl_int CL_API_CALL
clCreateSubDevices(cl_device_id d, const cl_device_partition_property *props,
                   cl_uint n, cl_device_id *out, cl_uint *nout) {
  (void)props;
  (void)n;
  (void)out;
  (void)nout;
  /* One compute unit: there is nothing to partition. */
  return nc__icd_is_dev(d) ? CL_INVALID_VALUE : CL_INVALID_DEVICE;
}
