/*
 * Private: the objects of the neocog OpenCL ICD (the .c files of icd/).
 *
 * Every object a host program holds starts with the loader's dispatch
 * pointer (the ICD rule: the Khronos and Debian loaders call
 * obj->dispatch->clFoo(obj, ...)), followed by a common header with the
 * object's kind and reference count. Live objects are kept in a registry,
 * so a handle the ICD never made, or one already released, is answered
 * with the specification's CL_INVALID_* code instead of being followed.
 * A released object's header is kept (in a ring of the last
 * NC_ICD_GRAVEYARD released objects) so that the loader's own dispatch
 * through it stays valid; its resources are freed at once.
 *
 * Every entry point takes one process-wide recursive lock, so the API is
 * thread-safe as OpenCL 1.2 requires and event callbacks (which run on the
 * thread that completes the command) may call back into the API.
 */
#ifndef NEOCOG_ICD_INTERNAL_H
#define NEOCOG_ICD_INTERNAL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
/* The ICD implements the deprecated 1.0 and 1.1 entry points too. */
#define CL_USE_DEPRECATED_OPENCL_1_0_APIS
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#include <CL/cl.h>
#include <CL/cl_icd.h>
#include <stddef.h>
#include <stdint.h>

#include "neocog/accel.h"

/** Kinds of objects, stored in the header; 0 marks a released one. */
typedef enum {
  NC_ICD_DEAD = 0,
  NC_ICD_PLATFORM = 0x6e630001,
  NC_ICD_DEVICE,
  NC_ICD_CONTEXT,
  NC_ICD_QUEUE,
  NC_ICD_MEM,
  NC_ICD_PROGRAM,
  NC_ICD_KERNEL,
  NC_ICD_EVENT,
} nc__icd_kind_t;

/** Released objects whose header stays readable. */
#define NC_ICD_GRAVEYARD 4096

/** The header every object starts with. */
typedef struct nc__icd_obj {
  const cl_icd_dispatch *dispatch; /* must be first (ICD rule) */
  uint32_t kind;                   /* nc__icd_kind_t */
  cl_uint refs;                    /* the application's references */
  struct nc__icd_obj *hnext;       /* registry bucket chain */
} nc__icd_obj_t;

/** One device: a simulated backend behind the runtime (nc_accel_*). */
struct _cl_device_id {
  nc__icd_obj_t h;
  const char *backend; /* "model", "rtl" or "lockstep" */
  const char *name;    /* CL_DEVICE_NAME */
  nc_accel_t *acc;     /* opened on first use, closed at unload */
  uint64_t clock_ns;   /* device timeline for profiling, ns */
};

struct _cl_platform_id {
  nc__icd_obj_t h;
};

struct _cl_context {
  nc__icd_obj_t h;
  cl_uint ndev;
  cl_device_id dev[4];
  cl_context_properties props[3]; /* {CL_CONTEXT_PLATFORM, p, 0} or {0} */
  cl_uint nprops;                 /* entries of props returned, 0 or 3 */
  void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *);
  void *notify_data;
};

struct _cl_command_queue {
  nc__icd_obj_t h;
  cl_context ctx;
  cl_device_id dev;
  cl_command_queue_properties props;
  cl_event *pending; /* enqueued, not yet run, in order */
  size_t npending, cap;
};

/** A destructor callback of a memory object. */
typedef struct nc__icd_memcb {
  void(CL_CALLBACK *fn)(cl_mem, void *);
  void *data;
  struct nc__icd_memcb *next;
} nc__icd_memcb_t;

struct _cl_mem {
  nc__icd_obj_t h;
  cl_context ctx;
  cl_mem_flags flags;
  size_t size;
  void *host_ptr;      /* as given (USE_HOST_PTR, COPY_HOST_PTR) */
  unsigned char *data; /* the contents: host_ptr with USE_HOST_PTR */
  int owns_data;
  cl_mem parent; /* of a sub-buffer, retained */
  size_t origin; /* within the parent */
  cl_uint maps;  /* outstanding maps */
  cl_uint users; /* commands in flight that hold it */
  nc__icd_memcb_t *cbs;
};

struct nc__icd_builtin; /* builtin.c */

struct _cl_program {
  nc__icd_obj_t h;
  cl_context ctx;
  cl_uint ndev;
  cl_device_id dev[4];
  char *source; /* from clCreateProgramWithSource, or NULL */
  char *names;  /* the built-in kernels, ';'-separated */
  cl_build_status build;
  const char *log;
  cl_uint kernels; /* kernels attached (which block a rebuild) */
};

/** One argument value as clSetKernelArg gave it. */
typedef struct {
  int set;    /* given */
  cl_mem mem; /* buffer arguments (NULL allowed where the kernel says) */
  cl_int i;   /* int arguments */
} nc__icd_arg_t;

/** Most arguments a built-in kernel has. */
#define NC_ICD_MAX_ARGS 40

struct _cl_kernel {
  nc__icd_obj_t h;
  cl_program prog;
  const struct nc__icd_builtin *bi;
  nc__icd_arg_t args[NC_ICD_MAX_ARGS];
};

/** An event callback. */
typedef struct nc__icd_evcb {
  void(CL_CALLBACK *fn)(cl_event, cl_int, void *);
  void *data;
  cl_int when; /* CL_SUBMITTED, CL_RUNNING or CL_COMPLETE */
  struct nc__icd_evcb *next;
} nc__icd_evcb_t;

/** The commands a queue runs. */
typedef struct {
  cl_mem src, dst; /* buffers, retained while pending */
  size_t src_off, dst_off, size;
  void *ptr;             /* host memory of a read or write */
  cl_uchar pattern[128]; /* fill pattern */
  size_t pattern_size;
  cl_kernel kernel;                    /* retained while pending */
  nc__icd_arg_t args[NC_ICD_MAX_ARGS]; /* snapshot at enqueue */
} nc__icd_cmd_t;

struct _cl_event {
  nc__icd_obj_t h;
  cl_context ctx;
  cl_command_queue q; /* NULL for a user event; retained while pending */
  cl_command_type type;
  cl_int status;
  cl_ulong t_queued, t_submit, t_start, t_end;
  cl_event *wait; /* retained while pending */
  cl_uint nwait;
  nc__icd_cmd_t cmd;
  nc__icd_evcb_t *cbs;
};

/* --- icd.c: lock, registry, lifetime -------------------------------- */

extern const cl_icd_dispatch nc__icd_dispatch;
extern struct _cl_platform_id nc__icd_platform;

void nc__icd_lock(void);
void nc__icd_unlock(void);
/** Registers a new object (refs 1) of `kind`. */
void nc__icd_register(void *obj, nc__icd_kind_t kind);
/** Is p a live object of this kind? */
int nc__icd_live(const void *p, nc__icd_kind_t kind);
/** Takes a released object of `size` bytes out of the registry into the
 *  graveyard, clearing all but its header (so the graveyard holds no
 *  pointer a leak check would follow). */
void nc__icd_bury(void *obj, size_t size);
/** Wakes threads waiting for events (after any status change). */
void nc__icd_broadcast(void);
/** Waits for a status change; the lock must be held once. */
void nc__icd_wait_change(void);
/** Host monotonic time in ns. */
cl_ulong nc__icd_now_ns(void);

/** clRetain*: one more reference to a live object of `kind`, else `bad`. */
cl_int nc__icd_retain(void *obj, nc__icd_kind_t kind, cl_int bad);
/** clRelease*: drops the application's reference to a live object of
 *  `kind` (a queue flushes first), else `bad`. */
cl_int nc__icd_release(void *obj, nc__icd_kind_t kind, cl_int bad);
/** Is `m` a live buffer of q's context (q live too)? The call's code. */
cl_int nc__icd_check_qm(cl_command_queue q, cl_mem m);

/* --- device.c ------------------------------------------------------- */

/** Number of devices (2, or 3 with NEOCOG_ICD_LOCKSTEP=1). */
cl_uint nc__icd_ndev(void);
cl_device_id nc__icd_dev(cl_uint i);
int nc__icd_is_dev(const void *p);
/** The built-in kernel list of every device, ';'-separated. */
const char *nc__icd_builtin_names(void);
/** Nominal clock in MHz at which cycles become profiling ns. */
#define NC_ICD_CLOCK_MHZ 1000
/** Largest single buffer. */
#define NC_ICD_MAX_ALLOC (UINT64_C(1) << 30)
/** Device memory: the largest window the runtime grants a layer. */
#define NC_ICD_GLOBAL_MEM ((UINT64_C(4) << 30) - 4096)

/** Writes `size` bytes of `val` the way every clGet*Info answers. */
cl_int nc__icd_info(const void *val, size_t size, size_t param_size,
                    void *param_value, size_t *size_ret);
cl_int nc__icd_info_str(const char *s, size_t param_size, void *param_value,
                        size_t *size_ret);

/* --- mem.c, queue.c, event.c ---------------------------------------- */

void nc__icd_context_release(cl_context c);
void nc__icd_mem_release(cl_mem m);
void nc__icd_kernel_release(cl_kernel k);
void nc__icd_program_release(cl_program p);
void nc__icd_event_release(cl_event e);
void nc__icd_queue_release(cl_command_queue q);
/** Runs the queue's pending commands up to and including `upto` (NULL:
 *  all), as far as their wait lists allow. Returns 1 if it stopped at a
 *  command waiting on an incomplete user event. */
int nc__icd_queue_run(cl_command_queue q, cl_event upto);
/** Sets an event's status and runs its callbacks. */
void nc__icd_event_set(cl_event e, cl_int status);
/** Blocks until every event is complete (or failed). */
cl_int nc__icd_wait(cl_uint n, const cl_event *ev);

/* --- builtin.c ------------------------------------------------------ */

typedef enum {
  NC_ARG_IN,     /* __global const buffer, required */
  NC_ARG_IN_OPT, /* __global const buffer, may be NULL */
  NC_ARG_OUT,    /* __global buffer, written */
  NC_ARG_INT,    /* int */
} nc__icd_arg_kind_t;

typedef struct {
  const char *name;
  nc__icd_arg_kind_t kind;
  const char *type; /* CL_KERNEL_ARG_TYPE_NAME */
} nc__icd_argdesc_t;

typedef struct nc__icd_builtin {
  const char *name;
  cl_uint nargs;
  const nc__icd_argdesc_t *args;
  /** Checks the arguments (shapes, ranges, buffer sizes) into a layer
   *  request; returns CL_SUCCESS or CL_INVALID_KERNEL_ARGS. */
  int kind; /* nc_layer_kind_t */
} nc__icd_builtin_t;

const nc__icd_builtin_t *nc__icd_builtin_find(const char *name, size_t len);
/** Validates a kernel's arguments before it is enqueued. */
cl_int nc__icd_builtin_check(const nc__icd_builtin_t *bi,
                             const nc__icd_arg_t *args);
/** Runs it on the device; returns the command's status (CL_COMPLETE or a
 *  negative code) and the device cycles. */
cl_int nc__icd_builtin_run(cl_device_id dev, const nc__icd_builtin_t *bi,
                           const nc__icd_arg_t *args, uint64_t *cycles);

#endif /* NEOCOG_ICD_INTERNAL_H */
