/*
 * In-order command queues. An enqueued command becomes an event on the
 * queue's pending list and holds references to what it uses (buffers, the
 * kernel with a snapshot of its arguments, the events it waits for). The
 * list runs in order, on the calling thread, when the application asks for
 * results: clFlush, clFinish, clWaitForEvents, a blocking enqueue, polling
 * an event's status, or releasing the queue. A command whose wait list
 * holds an incomplete user event stops the queue there until the event is
 * set; one whose wait list holds a failed event fails with
 * CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST without running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"
#include "neocog/status.h"

#define ERR_(code)             \
  do {                         \
    if (errcode_ret != NULL) { \
      *errcode_ret = (code);   \
    }                          \
  } while (0)

/* --- queues ------------------------------------------------------------ */

static cl_command_queue create_(cl_context ctx, cl_device_id d,
                                cl_command_queue_properties props,
                                cl_int *errcode_ret) {
  if (!nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    ERR_(CL_INVALID_CONTEXT);
    return NULL;
  }
  int in = 0;
  for (cl_uint i = 0; i < ctx->ndev; i++) {
    in |= ctx->dev[i] == d;
  }
  if (!in) {
    ERR_(CL_INVALID_DEVICE);
    return NULL;
  }
  const cl_command_queue_properties known =
      CL_QUEUE_PROFILING_ENABLE | CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE;
  if (props & ~known) {
    ERR_(CL_INVALID_VALUE);
    return NULL;
  }
  if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) {
    ERR_(CL_INVALID_QUEUE_PROPERTIES);
    return NULL;
  }
  cl_command_queue q = calloc(1, sizeof *q);
  if (q == NULL) {
    ERR_(CL_OUT_OF_HOST_MEMORY);
    return NULL;
  }
  q->ctx = ctx;
  ctx->h.refs++;
  q->dev = d;
  q->props = props;
  nc__icd_register(q, NC_ICD_QUEUE);
  ERR_(CL_SUCCESS);
  return q;
}

CL_API_ENTRY cl_command_queue CL_API_CALL
clCreateCommandQueue(cl_context ctx, cl_device_id d,
                     cl_command_queue_properties props, cl_int *errcode_ret) {
  nc__icd_lock();
  cl_command_queue q = create_(ctx, d, props, errcode_ret);
  nc__icd_unlock();
  return q;
}

void nc__icd_queue_release(cl_command_queue q) {
  if (--q->h.refs > 0) {
    return;
  }
  free(q->pending);
  cl_context ctx = q->ctx;
  nc__icd_bury(q, sizeof *q);
  nc__icd_context_release(ctx);
}

CL_API_ENTRY cl_int CL_API_CALL clRetainCommandQueue(cl_command_queue q) {
  return nc__icd_retain(q, NC_ICD_QUEUE, CL_INVALID_COMMAND_QUEUE);
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseCommandQueue(cl_command_queue q) {
  return nc__icd_release(q, NC_ICD_QUEUE, CL_INVALID_COMMAND_QUEUE);
}

CL_API_ENTRY cl_int CL_API_CALL
clGetCommandQueueInfo(cl_command_queue q, cl_command_queue_info name,
                      size_t size, void *value, size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    switch (name) {
      case CL_QUEUE_CONTEXT:
        r = nc__icd_info(&q->ctx, sizeof q->ctx, size, value, size_ret);
        break;
      case CL_QUEUE_DEVICE:
        r = nc__icd_info(&q->dev, sizeof q->dev, size, value, size_ret);
        break;
      case CL_QUEUE_REFERENCE_COUNT:
        r = nc__icd_info(&q->h.refs, sizeof q->h.refs, size, value, size_ret);
        break;
      case CL_QUEUE_PROPERTIES:
        r = nc__icd_info(&q->props, sizeof q->props, size, value, size_ret);
        break;
      default:
        r = CL_INVALID_VALUE;
    }
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL
clSetCommandQueueProperty(cl_command_queue q, cl_command_queue_properties props,
                          cl_bool enable, cl_command_queue_properties *old) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    r = CL_INVALID_QUEUE_PROPERTIES;
    if ((props & ~(cl_command_queue_properties)CL_QUEUE_PROFILING_ENABLE) ==
        0) {
      if (old != NULL) {
        *old = q->props;
      }
      (void)nc__icd_queue_run(q, NULL);
      q->props = enable ? (q->props | props) : (q->props & ~props);
      r = CL_SUCCESS;
    }
  }
  nc__icd_unlock();
  return r;
}

/* --- running commands ---------------------------------------------------- */

/* Drops what a command held. */
static void cmd_release_(cl_event e) {
  nc__icd_cmd_t *c = &e->cmd;
  if (c->src != NULL) {
    nc__icd_mem_release(c->src);
  }
  if (c->dst != NULL) {
    nc__icd_mem_release(c->dst);
  }
  if (c->kernel != NULL) {
    for (cl_uint i = 0; i < c->kernel->bi->nargs; i++) {
      if (c->args[i].mem != NULL) {
        nc__icd_mem_release(c->args[i].mem);
      }
    }
    nc__icd_kernel_release(c->kernel);
  }
  memset(c, 0, sizeof *c);
  for (cl_uint i = 0; i < e->nwait; i++) {
    nc__icd_event_release(e->wait[i]);
  }
  free(e->wait);
  e->wait = NULL;
  e->nwait = 0;
}

/* Executes one command; returns CL_COMPLETE or a negative status. */
static cl_int execute_(cl_event e, uint64_t *cycles) {
  nc__icd_cmd_t *c = &e->cmd;
  *cycles = 0;
  switch (e->type) {
    case CL_COMMAND_READ_BUFFER:
      memcpy(c->ptr, c->src->data + c->src_off, c->size);
      break;
    case CL_COMMAND_WRITE_BUFFER:
      memcpy(c->dst->data + c->dst_off, c->ptr, c->size);
      break;
    case CL_COMMAND_COPY_BUFFER:
      memmove(c->dst->data + c->dst_off, c->src->data + c->src_off, c->size);
      break;
    case CL_COMMAND_FILL_BUFFER:
      for (size_t k = 0; k < c->size; k += c->pattern_size) {
        memcpy(c->dst->data + c->dst_off + k, c->pattern, c->pattern_size);
      }
      break;
    case CL_COMMAND_NDRANGE_KERNEL:
    case CL_COMMAND_TASK:
      return nc__icd_builtin_run(e->q->dev, c->kernel->bi, c->args, cycles);
    default: /* markers, barriers, maps and unmaps: the data is in place */
      break;
  }
  return CL_COMPLETE;
}

/* Tells the context's notify callback why a command failed on the device. */
static void notify_(cl_event e, cl_int st) {
  cl_context c = e->ctx;
  if (c->notify == NULL || st == CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) {
    return;
  }
  char msg[512];
  snprintf(msg, sizeof msg, "neocog: %s on %s failed (%d): %s",
           e->cmd.kernel != NULL ? e->cmd.kernel->bi->name : "command",
           e->q->dev->name, (int)st, nc_error_detail());
  c->notify(msg, NULL, 0, c->notify_data);
}

static void run_one_(cl_event e, int failed) {
  cl_device_id d = e->q->dev;
  e->t_submit = d->clock_ns;
  nc__icd_event_set(e, CL_SUBMITTED);
  e->t_start = d->clock_ns;
  nc__icd_event_set(e, CL_RUNNING);
  uint64_t cycles = 0;
  const cl_int st = failed ? CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST
                           : execute_(e, &cycles);
  d->clock_ns += cycles * 1000u / NC_ICD_CLOCK_MHZ;
  e->t_end = d->clock_ns;
  if (st < 0) {
    notify_(e, st);
  }
  cmd_release_(e);
  nc__icd_event_set(e, st);
}

int nc__icd_queue_run(cl_command_queue q, cl_event upto) {
  while (q->npending > 0) {
    cl_event e = q->pending[0];
    int failed = 0;
    for (cl_uint i = 0; i < e->nwait; i++) {
      cl_event w = e->wait[i];
      if (w->status > CL_COMPLETE && w->q != NULL && w->q != q) {
        (void)nc__icd_queue_run(w->q, w);
      }
      if (w->status > CL_COMPLETE) {
        return 1; /* an incomplete user event */
      }
      failed |= w->status < 0;
    }
    q->npending--;
    memmove(q->pending, q->pending + 1, q->npending * sizeof q->pending[0]);
    run_one_(e, failed);
    nc__icd_event_release(e); /* the queue's reference */
    if (e == upto) {
      break;
    }
  }
  return 0;
}

CL_API_ENTRY cl_int CL_API_CALL clFlush(cl_command_queue q) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    (void)nc__icd_queue_run(q, NULL);
    r = CL_SUCCESS;
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clFinish(cl_command_queue q) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    while (nc__icd_queue_run(q, NULL) != 0) {
      nc__icd_wait_change();
    }
    r = CL_SUCCESS;
  }
  nc__icd_unlock();
  return r;
}

/* --- enqueueing ------------------------------------------------------------
 */

static cl_int wait_list_(cl_command_queue q, cl_uint n, const cl_event *ev) {
  if ((ev == NULL) != (n == 0)) {
    return CL_INVALID_EVENT_WAIT_LIST;
  }
  for (cl_uint i = 0; i < n; i++) {
    if (!nc__icd_live(ev[i], NC_ICD_EVENT)) {
      return CL_INVALID_EVENT_WAIT_LIST;
    }
    if (ev[i]->ctx != q->ctx) {
      return CL_INVALID_CONTEXT;
    }
  }
  return CL_SUCCESS;
}

/* A new command on q; the checks are done. The queue and (if `out`) the
 * application each hold a reference. */
static cl_event enqueue_(cl_command_queue q, cl_command_type type,
                         const nc__icd_cmd_t *cmd, cl_uint nwait,
                         const cl_event *wait, cl_event *out, cl_int *err) {
  cl_event e = calloc(1, sizeof *e);
  cl_event *w = nwait > 0 ? malloc(nwait * sizeof *w) : NULL;
  if (q->npending == q->cap) {
    const size_t cap = q->cap ? q->cap * 2 : 16;
    cl_event *v = realloc(q->pending, cap * sizeof *v);
    if (v != NULL) {
      q->pending = v;
      q->cap = cap;
    }
  }
  if (e == NULL || (nwait > 0 && w == NULL) || q->npending == q->cap) {
    free(e);
    free(w);
    *err = CL_OUT_OF_HOST_MEMORY;
    return NULL;
  }
  e->ctx = q->ctx;
  q->ctx->h.refs++;
  e->q = q;
  q->h.refs++;
  e->type = type;
  e->status = CL_QUEUED;
  e->t_queued = q->dev->clock_ns;
  e->cmd = *cmd;
  /* Hold what the command uses until it has run. */
  if (cmd->src != NULL) {
    cmd->src->h.refs++;
  }
  if (cmd->dst != NULL) {
    cmd->dst->h.refs++;
  }
  if (cmd->kernel != NULL) {
    cmd->kernel->h.refs++;
    for (cl_uint i = 0; i < cmd->kernel->bi->nargs; i++) {
      if (cmd->args[i].mem != NULL) {
        cmd->args[i].mem->h.refs++;
      }
    }
  }
  for (cl_uint i = 0; i < nwait; i++) {
    w[i] = wait[i];
    w[i]->h.refs++;
  }
  e->wait = w;
  e->nwait = nwait;
  nc__icd_register(e, NC_ICD_EVENT);
  q->pending[q->npending++] = e;
  if (out != NULL) {
    e->h.refs++;
    *out = e;
  }
  *err = CL_SUCCESS;
  return e;
}

/* Blocks until `e` has run (for blocking calls). */
static cl_int block_on_(cl_event e) {
  e->h.refs++;
  cl_int r = nc__icd_wait(1, &e);
  nc__icd_event_release(e);
  return r;
}

/* The common checks of a buffer command. */
static cl_int buf_check_(cl_command_queue q, cl_mem m, size_t off,
                         size_t size) {
  const cl_int r = nc__icd_check_qm(q, m);
  if (r == CL_SUCCESS && (size == 0 || off > m->size || size > m->size - off)) {
    return CL_INVALID_VALUE;
  }
  return r;
}

static cl_int rw_(cl_command_queue q, cl_mem m, int write, cl_bool blocking,
                  size_t off, size_t size, void *ptr, cl_uint nwait,
                  const cl_event *wait, cl_event *out) {
  cl_int r = buf_check_(q, m, off, size);
  if (r == CL_SUCCESS && ptr == NULL) {
    r = CL_INVALID_VALUE;
  }
  if (r == CL_SUCCESS) {
    r = wait_list_(q, nwait, wait);
  }
  if (r == CL_SUCCESS &&
      (m->flags & (write ? (CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS)
                         : (CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_NO_ACCESS)))) {
    r = CL_INVALID_OPERATION;
  }
  if (r != CL_SUCCESS) {
    return r;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.ptr = ptr;
  c.size = size;
  if (write) {
    c.dst = m;
    c.dst_off = off;
  } else {
    c.src = m;
    c.src_off = off;
  }
  cl_event e =
      enqueue_(q, write ? CL_COMMAND_WRITE_BUFFER : CL_COMMAND_READ_BUFFER, &c,
               nwait, wait, out, &r);
  if (e != NULL && blocking) {
    r = block_on_(e);
  }
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueReadBuffer(
    cl_command_queue q, cl_mem m, cl_bool blocking, size_t off, size_t size,
    void *ptr, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = rw_(q, m, 0, blocking, off, size, ptr, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueWriteBuffer(
    cl_command_queue q, cl_mem m, cl_bool blocking, size_t off, size_t size,
    const void *ptr, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = rw_(q, m, 1, blocking, off, size, (void *)ptr, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

static cl_int copy_(cl_command_queue q, cl_mem src, cl_mem dst, size_t so,
                    size_t dof, size_t size, cl_uint nwait,
                    const cl_event *wait, cl_event *out) {
  cl_int r = buf_check_(q, src, so, size);
  if (r == CL_SUCCESS) {
    r = buf_check_(q, dst, dof, size);
  }
  if (r == CL_SUCCESS) {
    r = wait_list_(q, nwait, wait);
  }
  if (r != CL_SUCCESS) {
    return r;
  }
  /* Overlap within one allocation (a buffer and its sub-buffers). */
  const cl_mem rs = src->parent ? src->parent : src;
  const cl_mem rd = dst->parent ? dst->parent : dst;
  const size_t a = src->origin + so, b = dst->origin + dof;
  if (rs == rd && a < b + size && b < a + size) {
    return CL_MEM_COPY_OVERLAP;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.src = src;
  c.dst = dst;
  c.src_off = so;
  c.dst_off = dof;
  c.size = size;
  (void)enqueue_(q, CL_COMMAND_COPY_BUFFER, &c, nwait, wait, out, &r);
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueCopyBuffer(
    cl_command_queue q, cl_mem src, cl_mem dst, size_t so, size_t dof,
    size_t size, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = copy_(q, src, dst, so, dof, size, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

static cl_int fill_(cl_command_queue q, cl_mem m, const void *pattern,
                    size_t psize, size_t off, size_t size, cl_uint nwait,
                    const cl_event *wait, cl_event *out) {
  cl_int r = buf_check_(q, m, off, size);
  if (r == CL_SUCCESS &&
      (pattern == NULL || psize == 0 || psize > 128 ||
       (psize & (psize - 1)) != 0 || off % psize != 0 || size % psize != 0)) {
    r = CL_INVALID_VALUE;
  }
  if (r == CL_SUCCESS) {
    r = wait_list_(q, nwait, wait);
  }
  if (r != CL_SUCCESS) {
    return r;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.dst = m;
  c.dst_off = off;
  c.size = size;
  memcpy(c.pattern, pattern, psize);
  c.pattern_size = psize;
  (void)enqueue_(q, CL_COMMAND_FILL_BUFFER, &c, nwait, wait, out, &r);
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueFillBuffer(
    cl_command_queue q, cl_mem m, const void *pattern, size_t psize, size_t off,
    size_t size, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = fill_(q, m, pattern, psize, off, size, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

static void *map_(cl_command_queue q, cl_mem m, cl_bool blocking,
                  cl_map_flags flags, size_t off, size_t size, cl_uint nwait,
                  const cl_event *wait, cl_event *out, cl_int *errcode_ret) {
  cl_int r = buf_check_(q, m, off, size);
  const cl_map_flags known =
      CL_MAP_READ | CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION;
  if (r == CL_SUCCESS &&
      ((flags & ~known) != 0 || ((flags & CL_MAP_WRITE_INVALIDATE_REGION) &&
                                 (flags & (CL_MAP_READ | CL_MAP_WRITE))))) {
    r = CL_INVALID_VALUE;
  }
  if (r == CL_SUCCESS) {
    r = wait_list_(q, nwait, wait);
  }
  if (r == CL_SUCCESS &&
      (((flags & CL_MAP_READ) &&
        (m->flags & (CL_MEM_HOST_WRITE_ONLY | CL_MEM_HOST_NO_ACCESS))) ||
       ((flags & (CL_MAP_WRITE | CL_MAP_WRITE_INVALIDATE_REGION)) &&
        (m->flags & (CL_MEM_HOST_READ_ONLY | CL_MEM_HOST_NO_ACCESS))))) {
    r = CL_INVALID_OPERATION;
  }
  if (r != CL_SUCCESS) {
    ERR_(r);
    return NULL;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.src = m;
  cl_event e = enqueue_(q, CL_COMMAND_MAP_BUFFER, &c, nwait, wait, out, &r);
  if (e != NULL && blocking) {
    r = block_on_(e);
  }
  if (e == NULL) {
    ERR_(r);
    return NULL;
  }
  m->maps++;
  ERR_(r);
  /* Buffers live in host memory: the mapping is the buffer itself. */
  return m->data + off;
}

CL_API_ENTRY void *CL_API_CALL
clEnqueueMapBuffer(cl_command_queue q, cl_mem m, cl_bool blocking,
                   cl_map_flags flags, size_t off, size_t size, cl_uint nwait,
                   const cl_event *wait, cl_event *out, cl_int *errcode_ret) {
  nc__icd_lock();
  void *p =
      map_(q, m, blocking, flags, off, size, nwait, wait, out, errcode_ret);
  nc__icd_unlock();
  return p;
}

static cl_int unmap_(cl_command_queue q, cl_mem m, void *ptr, cl_uint nwait,
                     const cl_event *wait, cl_event *out) {
  cl_int r = nc__icd_check_qm(q, m);
  if (r != CL_SUCCESS) {
    return r;
  }
  const unsigned char *p = ptr;
  if (m->maps == 0 || p < m->data || p >= m->data + m->size) {
    return CL_INVALID_VALUE;
  }
  r = wait_list_(q, nwait, wait);
  if (r != CL_SUCCESS) {
    return r;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.src = m;
  if (enqueue_(q, CL_COMMAND_UNMAP_MEM_OBJECT, &c, nwait, wait, out, &r) !=
      NULL) {
    m->maps--;
  }
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueUnmapMemObject(cl_command_queue q,
                                                        cl_mem m, void *ptr,
                                                        cl_uint nwait,
                                                        const cl_event *wait,
                                                        cl_event *out) {
  nc__icd_lock();
  cl_int r = unmap_(q, m, ptr, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

static cl_int kernel_(cl_command_queue q, cl_kernel k, cl_uint dim,
                      const size_t *offset, const size_t *global,
                      const size_t *local, cl_uint nwait, const cl_event *wait,
                      cl_event *out, cl_command_type type) {
  if (!nc__icd_live(q, NC_ICD_QUEUE)) {
    return CL_INVALID_COMMAND_QUEUE;
  }
  if (!nc__icd_live(k, NC_ICD_KERNEL)) {
    return CL_INVALID_KERNEL;
  }
  if (k->prog->ctx != q->ctx) {
    return CL_INVALID_CONTEXT;
  }
  int built = 0;
  for (cl_uint i = 0; i < k->prog->ndev; i++) {
    built |= k->prog->dev[i] == q->dev;
  }
  if (!built) {
    return CL_INVALID_PROGRAM_EXECUTABLE;
  }
  if (dim < 1 || dim > 3) {
    return CL_INVALID_WORK_DIMENSION;
  }
  if (global == NULL) {
    return CL_INVALID_VALUE;
  }
  /* A built-in kernel computes its whole layer in one work-item. */
  for (cl_uint i = 0; i < dim; i++) {
    if (global[i] != 1) {
      return CL_INVALID_GLOBAL_WORK_SIZE;
    }
    if (offset != NULL && offset[i] != 0) {
      return CL_INVALID_GLOBAL_OFFSET;
    }
    if (local != NULL && local[i] != 1) {
      return CL_INVALID_WORK_GROUP_SIZE;
    }
  }
  for (cl_uint i = 0; i < k->bi->nargs; i++) {
    if (!k->args[i].set) {
      return CL_INVALID_KERNEL_ARGS;
    }
    /* An argument's buffer may have been released since it was set. */
    if (k->args[i].mem != NULL && !nc__icd_live(k->args[i].mem, NC_ICD_MEM)) {
      return CL_INVALID_KERNEL_ARGS;
    }
  }
  cl_int r = wait_list_(q, nwait, wait);
  if (r != CL_SUCCESS) {
    return r;
  }
  r = nc__icd_builtin_check(k->bi, k->args);
  if (r != CL_SUCCESS) {
    return r;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  c.kernel = k;
  memcpy(c.args, k->args, sizeof c.args);
  (void)enqueue_(q, type, &c, nwait, wait, out, &r);
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueNDRangeKernel(
    cl_command_queue q, cl_kernel k, cl_uint dim, const size_t *offset,
    const size_t *global, const size_t *local, cl_uint nwait,
    const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = kernel_(q, k, dim, offset, global, local, nwait, wait, out,
                     CL_COMMAND_NDRANGE_KERNEL);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueTask(cl_command_queue q, cl_kernel k,
                                              cl_uint nwait,
                                              const cl_event *wait,
                                              cl_event *out) {
  const size_t one = 1;
  nc__icd_lock();
  cl_int r =
      kernel_(q, k, 1, NULL, &one, NULL, nwait, wait, out, CL_COMMAND_TASK);
  nc__icd_unlock();
  return r;
}

static cl_int marker_(cl_command_queue q, cl_command_type type, cl_uint nwait,
                      const cl_event *wait, cl_event *out) {
  if (!nc__icd_live(q, NC_ICD_QUEUE)) {
    return CL_INVALID_COMMAND_QUEUE;
  }
  cl_int r = wait_list_(q, nwait, wait);
  if (r != CL_SUCCESS) {
    return r;
  }
  nc__icd_cmd_t c;
  memset(&c, 0, sizeof c);
  (void)enqueue_(q, type, &c, nwait, wait, out, &r);
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueMarkerWithWaitList(
    cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = marker_(q, CL_COMMAND_MARKER, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueBarrierWithWaitList(
    cl_command_queue q, cl_uint nwait, const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = marker_(q, CL_COMMAND_BARRIER, nwait, wait, out);
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueMarker(cl_command_queue q,
                                                cl_event *out) {
  if (out == NULL) {
    return nc__icd_live(q, NC_ICD_QUEUE) ? CL_INVALID_VALUE
                                         : CL_INVALID_COMMAND_QUEUE;
  }
  return clEnqueueMarkerWithWaitList(q, 0, NULL, out);
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueBarrier(cl_command_queue q) {
  return clEnqueueBarrierWithWaitList(q, 0, NULL, NULL);
}

CL_API_ENTRY cl_int CL_API_CALL clEnqueueWaitForEvents(cl_command_queue q,
                                                       cl_uint n,
                                                       const cl_event *ev) {
  if (n == 0 || ev == NULL) {
    return nc__icd_live(q, NC_ICD_QUEUE) ? CL_INVALID_VALUE
                                         : CL_INVALID_COMMAND_QUEUE;
  }
  return clEnqueueBarrierWithWaitList(q, n, ev, NULL);
}

CL_API_ENTRY cl_int CL_API_CALL
clEnqueueMigrateMemObjects(cl_command_queue q, cl_uint n, const cl_mem *mems,
                           cl_mem_migration_flags flags, cl_uint nwait,
                           const cl_event *wait, cl_event *out) {
  nc__icd_lock();
  cl_int r = CL_INVALID_COMMAND_QUEUE;
  if (nc__icd_live(q, NC_ICD_QUEUE)) {
    r = n == 0 || mems == NULL ||
                (flags &
                 ~(cl_mem_migration_flags)(CL_MIGRATE_MEM_OBJECT_HOST |
                                           CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED)) !=
                    0
            ? CL_INVALID_VALUE
            : CL_SUCCESS;
    for (cl_uint i = 0; r == CL_SUCCESS && i < n; i++) {
      r = !nc__icd_live(mems[i], NC_ICD_MEM) ? CL_INVALID_MEM_OBJECT
          : mems[i]->ctx != q->ctx           ? CL_INVALID_CONTEXT
                                             : CL_SUCCESS;
    }
    if (r == CL_SUCCESS) {
      /* One memory: nothing moves. */
      r = marker_(q, CL_COMMAND_MIGRATE_MEM_OBJECTS, nwait, wait, out);
    }
  }
  nc__icd_unlock();
  return r;
}
