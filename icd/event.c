/*
 * Events: one per enqueued command (the application gets a reference when
 * it asks for one), and user events. Statuses fall from CL_QUEUED to
 * CL_COMPLETE, or to a negative error; a callback registered for a status
 * runs once the event reaches it, on the thread that moved the event.
 *
 * Profiling times are the device's timeline: nanoseconds of device cycles
 * at the nominal NC_ICD_CLOCK_MHZ, counted from the device's first
 * command, so END - START of a kernel is exactly its cycle count converted.
 */
#include <stdlib.h>
#include <string.h>

#include "icd/icd_internal.h"

void nc__icd_event_release(cl_event e) {
  if (--e->h.refs > 0) {
    return;
  }
  while (e->cbs != NULL) {
    nc__icd_evcb_t *cb = e->cbs;
    e->cbs = cb->next;
    free(cb);
  }
  free(e->wait);
  cl_command_queue q = e->q;
  cl_context ctx = e->ctx;
  nc__icd_bury(e, sizeof *e);
  if (q != NULL) {
    nc__icd_queue_release(q);
  }
  nc__icd_context_release(ctx);
}

void nc__icd_event_set(cl_event e, cl_int status) {
  e->h.refs++; /* a callback may release the application's reference */
  e->status = status;
  nc__icd_evcb_t **pp = &e->cbs;
  while (*pp != NULL) {
    nc__icd_evcb_t *cb = *pp;
    if (status <= cb->when) {
      *pp = cb->next;
      cb->fn(e, status < 0 ? status : cb->when, cb->data);
      free(cb);
      pp = &e->cbs; /* the list may have changed */
    } else {
      pp = &cb->next;
    }
  }
  nc__icd_broadcast();
  nc__icd_event_release(e);
}

cl_int nc__icd_wait(cl_uint n, const cl_event *ev) {
  for (;;) {
    int pending = 0;
    for (cl_uint i = 0; i < n; i++) {
      if (ev[i]->status > CL_COMPLETE && ev[i]->q != NULL) {
        (void)nc__icd_queue_run(ev[i]->q, ev[i]);
      }
      pending |= ev[i]->status > CL_COMPLETE;
    }
    if (!pending) {
      break;
    }
    /* Something waits for a user event another thread will set. */
    nc__icd_wait_change();
  }
  for (cl_uint i = 0; i < n; i++) {
    if (ev[i]->status < 0) {
      return CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST;
    }
  }
  return CL_SUCCESS;
}

CL_API_ENTRY cl_int CL_API_CALL clWaitForEvents(cl_uint n, const cl_event *ev) {
  if (n == 0 || ev == NULL) {
    return CL_INVALID_VALUE;
  }
  nc__icd_lock();
  cl_int r = CL_SUCCESS;
  for (cl_uint i = 0; i < n && r == CL_SUCCESS; i++) {
    if (!nc__icd_live(ev[i], NC_ICD_EVENT)) {
      r = CL_INVALID_EVENT;
    } else if (ev[i]->ctx != ev[0]->ctx) {
      r = CL_INVALID_CONTEXT;
    }
  }
  if (r == CL_SUCCESS) {
    r = nc__icd_wait(n, ev);
  }
  nc__icd_unlock();
  return r;
}

static cl_int event_info_(cl_event e, cl_event_info name, size_t size,
                          void *value, size_t *size_ret) {
  switch (name) {
    case CL_EVENT_COMMAND_QUEUE:
      return nc__icd_info(&e->q, sizeof e->q, size, value, size_ret);
    case CL_EVENT_CONTEXT:
      return nc__icd_info(&e->ctx, sizeof e->ctx, size, value, size_ret);
    case CL_EVENT_COMMAND_TYPE:
      return nc__icd_info(&e->type, sizeof e->type, size, value, size_ret);
    case CL_EVENT_COMMAND_EXECUTION_STATUS:
      /* Polling makes progress: a pending command runs now. */
      if (e->status > CL_COMPLETE && e->q != NULL) {
        (void)nc__icd_queue_run(e->q, e);
      }
      return nc__icd_info(&e->status, sizeof e->status, size, value, size_ret);
    case CL_EVENT_REFERENCE_COUNT:
      return nc__icd_info(&e->h.refs, sizeof e->h.refs, size, value, size_ret);
    default:
      return CL_INVALID_VALUE;
  }
}

CL_API_ENTRY cl_int CL_API_CALL clGetEventInfo(cl_event e, cl_event_info name,
                                               size_t size, void *value,
                                               size_t *size_ret) {
  nc__icd_lock();
  cl_int r = nc__icd_live(e, NC_ICD_EVENT)
                 ? event_info_(e, name, size, value, size_ret)
                 : CL_INVALID_EVENT;
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clGetEventProfilingInfo(cl_event e,
                                                        cl_profiling_info name,
                                                        size_t size,
                                                        void *value,
                                                        size_t *size_ret) {
  nc__icd_lock();
  cl_int r = CL_INVALID_EVENT;
  if (nc__icd_live(e, NC_ICD_EVENT)) {
    r = CL_PROFILING_INFO_NOT_AVAILABLE;
    if (e->q != NULL && (e->q->props & CL_QUEUE_PROFILING_ENABLE) &&
        e->status == CL_COMPLETE) {
      const cl_ulong *t = name == CL_PROFILING_COMMAND_QUEUED   ? &e->t_queued
                          : name == CL_PROFILING_COMMAND_SUBMIT ? &e->t_submit
                          : name == CL_PROFILING_COMMAND_START  ? &e->t_start
                          : name == CL_PROFILING_COMMAND_END    ? &e->t_end
                                                                : NULL;
      r = t != NULL ? nc__icd_info(t, sizeof *t, size, value, size_ret)
                    : CL_INVALID_VALUE;
    }
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_int CL_API_CALL clRetainEvent(cl_event e) {
  return nc__icd_retain(e, NC_ICD_EVENT, CL_INVALID_EVENT);
}

CL_API_ENTRY cl_int CL_API_CALL clReleaseEvent(cl_event e) {
  return nc__icd_release(e, NC_ICD_EVENT, CL_INVALID_EVENT);
}

CL_API_ENTRY cl_int CL_API_CALL clSetEventCallback(
    cl_event e, cl_int when, void(CL_CALLBACK *fn)(cl_event, cl_int, void *),
    void *data) {
  nc__icd_lock();
  cl_int r = CL_INVALID_EVENT;
  if (nc__icd_live(e, NC_ICD_EVENT)) {
    r = CL_INVALID_VALUE;
    if (fn != NULL &&
        (when == CL_SUBMITTED || when == CL_RUNNING || when == CL_COMPLETE)) {
      nc__icd_evcb_t *cb = malloc(sizeof *cb);
      r = CL_OUT_OF_HOST_MEMORY;
      if (cb != NULL) {
        cb->fn = fn;
        cb->data = data;
        cb->when = when;
        cb->next = e->cbs;
        e->cbs = cb;
        r = CL_SUCCESS;
        if (e->status <= when) {
          nc__icd_event_set(e, e->status); /* already there: call now */
        }
      }
    }
  }
  nc__icd_unlock();
  return r;
}

CL_API_ENTRY cl_event CL_API_CALL clCreateUserEvent(cl_context ctx,
                                                    cl_int *errcode_ret) {
  nc__icd_lock();
  cl_event e = NULL;
  cl_int r = CL_INVALID_CONTEXT;
  if (nc__icd_live(ctx, NC_ICD_CONTEXT)) {
    e = calloc(1, sizeof *e);
    r = CL_OUT_OF_HOST_MEMORY;
    if (e != NULL) {
      e->ctx = ctx;
      ctx->h.refs++;
      e->type = CL_COMMAND_USER;
      e->status = CL_SUBMITTED;
      nc__icd_register(e, NC_ICD_EVENT);
      r = CL_SUCCESS;
    }
  }
  nc__icd_unlock();
  if (errcode_ret != NULL) {
    *errcode_ret = r;
  }
  return e;
}

CL_API_ENTRY cl_int CL_API_CALL clSetUserEventStatus(cl_event e,
                                                     cl_int status) {
  nc__icd_lock();
  cl_int r = CL_INVALID_EVENT;
  if (nc__icd_live(e, NC_ICD_EVENT) && e->q == NULL) {
    r = CL_INVALID_VALUE;
    if (status <= CL_COMPLETE) {
      r = CL_INVALID_OPERATION;
      if (e->status == CL_SUBMITTED) {
        nc__icd_event_set(e, status);
        r = CL_SUCCESS;
      }
    }
  }
  nc__icd_unlock();
  return r;
}
