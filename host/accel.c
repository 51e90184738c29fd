/*
 * The runtime: plan, copy in, submit, wait, read counters, copy out. Only
 * nc_dev_* calls touch the device, so every backend the driver knows runs
 * the same way.
 */
#include "neocog/accel.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "neocog/error.h"
#include "neocog/nc_hw.h"

/* The ring holds a whole layer's stream, so the device never waits for the
 * driver to top it up between two of its steps (which would add cycles
 * that are the driver's, not the layer's). */
#define RING_ENTRIES 65536u
#define MIN_WINDOW (UINT64_C(64) << 20)
#define MAX_WINDOW ((UINT64_C(4) << 30) - 4096)

struct nc_accel {
  char backend[16];
  nc_accel_options_t opt;
  nc_dev_t *dev;
  uint64_t window;
  nc_plan_t *plan; /* of the last run */
  nc_dev_event_t *ev;
  size_t nev, cap;
  int ev_oom;
  uint64_t total; /* instructions of the run in flight, for progress */
};

void nc_accel_options_default(nc_accel_options_t *opt) {
  if (opt == NULL) {
    return;
  }
  memset(opt, 0, sizeof *opt);
  nc_plan_caps_default(&opt->caps);
  opt->mem_latency = 100;
  opt->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  opt->timeout_ms = 60000;
  opt->corrupt_byte = -1;
  opt->watchdog_cycles = NC_HW_CSR_WATCHDOG_RESVAL;
  opt->fault.fault = NC_FAULT_NONE;
}

static double now_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static nc_status_t open_dev_(nc_accel_t *a, uint64_t window) {
  nc_dev_close(a->dev);
  a->dev = NULL;
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = window;
  o.ring_entries = RING_ENTRIES;
  o.mem_latency = a->opt.mem_latency;
  o.mem_bytes_per_cycle = a->opt.mem_bytes_per_cycle;
  o.watchdog_cycles = a->opt.watchdog_cycles;
  nc_status_t st = nc_dev_open(a->backend, &o, &a->dev);
  if (st == NC_OK) {
    a->window = window;
  }
  return st;
}

nc_status_t nc_accel_open(const char *backend, const nc_accel_options_t *opt,
                          nc_accel_t **out) {
  if (backend == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "accel_open: NULL argument");
  }
  if (strlen(backend) >= sizeof((nc_accel_t *)0)->backend) {
    return nc__fail(NC_ERR_NOT_FOUND, "accel_open: unknown backend '%s'",
                    backend);
  }
  nc_accel_t *a = calloc(1, sizeof *a);
  if (a == NULL) {
    return nc__fail(NC_ERR_NOMEM, "accel_open: out of memory");
  }
  strcpy(a->backend, backend);
  if (opt != NULL) {
    a->opt = *opt;
  } else {
    nc_accel_options_default(&a->opt);
  }
  if (a->opt.timeout_ms == 0) {
    free(a);
    return nc__fail(NC_ERR_INVALID_ARG, "accel_open: timeout_ms must be >= 1");
  }
  if ((unsigned)a->opt.fault.fault >= NC_FAULT_COUNT) {
    const int f = (int)a->opt.fault.fault;
    free(a);
    return nc__fail(NC_ERR_INVALID_ARG, "accel_open: unknown fault %d", f);
  }
  nc_status_t st = open_dev_(a, MIN_WINDOW);
  if (st != NC_OK) {
    free(a);
    return st;
  }
  *out = a;
  return NC_OK;
}

void nc_accel_close(nc_accel_t *a) {
  if (a == NULL) {
    return;
  }
  nc_dev_close(a->dev);
  nc_plan_free(a->plan);
  free(a->ev);
  free(a);
}

void nc_accel_set_trace(nc_accel_t *a, int on) {
  if (a != NULL) {
    a->opt.trace = on != 0;
  }
}

const char *nc_accel_backend(const nc_accel_t *a) {
  return a->backend;
}

static void trace_(void *ctx, const nc_dev_event_t *e) {
  nc_accel_t *a = ctx;
  if (a->nev == a->cap && !a->ev_oom) {
    size_t cap = a->cap ? a->cap * 2 : 4096;
    nc_dev_event_t *v = realloc(a->ev, cap * sizeof *v);
    if (v == NULL) {
      a->ev_oom = 1;
    } else {
      a->ev = v;
      a->cap = cap;
    }
  }
  if (a->nev < a->cap) {
    a->ev[a->nev++] = *e;
  }
  if (a->opt.progress != NULL) {
    a->opt.progress(a->opt.progress_ctx, a->nev, a->total);
  }
}

/* The predicted schedule as events, when the device gave none. */
static nc_status_t predicted_events_(nc_accel_t *a) {
  size_t n = 0;
  const nc_plan_event_t *s = nc_plan_schedule(a->plan, &n);
  if (n > a->cap) {
    nc_dev_event_t *v = realloc(a->ev, n * sizeof *v);
    if (v == NULL) {
      return nc__fail(NC_ERR_NOMEM, "accel: out of memory for events");
    }
    a->ev = v;
    a->cap = n;
  }
  for (size_t i = 0; i < n; i++) {
    a->ev[i] = (nc_dev_event_t){s[i].index, s[i].opcode, s[i].unit, s[i].start,
                                s[i].end};
  }
  a->nev = n;
  return NC_OK;
}

nc_status_t nc_accel_run(nc_accel_t *a, const nc_plan_req_t *req,
                         nc_tensor_t *out, nc_accel_stats_t *stats) {
  if (a == NULL || req == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "accel_run: NULL argument");
  }
  memset(out, 0, sizeof *out);
  const double t0 = now_();
  nc_plan_free(a->plan);
  a->plan = NULL;
  a->nev = 0;
  a->ev_oom = 0;
  nc_status_t st = nc_plan_create(req, &a->opt.caps, &a->plan);
  if (st != NC_OK) {
    return st;
  }
  const nc_plan_t *p = a->plan;
  const nc_plan_info_t *info = nc_plan_info(p);
  const uint64_t ring = (uint64_t)RING_ENTRIES * NC_HW_INSN_BYTES;
  const uint64_t need = info->arena_bytes + ring + 4096;
  if (need > a->window) {
    if (need > MAX_WINDOW) {
      return nc__fail(NC_ERR_NOMEM,
                      "accel: the layer needs %llu bytes of device memory, "
                      "more than a %llu-byte window",
                      (unsigned long long)info->arena_bytes,
                      (unsigned long long)MAX_WINDOW);
    }
    uint64_t w = a->window;
    while (w < need) {
      w = w * 2 < MAX_WINDOW ? w * 2 : MAX_WINDOW;
    }
    st = open_dev_(a, w);
    if (st != NC_OK) {
      return st;
    }
  }
  nc_dev_buf_t buf;
  st = nc_dev_alloc(a->dev, info->arena_bytes, 64, &buf);
  if (st != NC_OK) {
    return st;
  }
  const size_t ninsn = nc_plan_insn_count(p);
  const nc_plan_region_t rc = nc_plan_const_region(p);
  const nc_plan_region_t rin = nc_plan_input_region(p);
  const nc_plan_region_t rout = nc_plan_output_region(p);
  uint8_t *ringb = malloc(ninsn * NC_HW_INSN_BYTES + 1);
  uint8_t *in = malloc((size_t)rin.bytes + 1);
  uint8_t *ob = malloc((size_t)rout.bytes + 1);
  if (ringb == NULL || in == NULL || ob == NULL) {
    st = nc__fail(NC_ERR_NOMEM, "accel: out of memory");
    goto done;
  }
  st = nc_plan_pack_input(p, req->input, in, (size_t)rin.bytes);
  if (st == NC_OK) {
    st = nc_plan_emit(p, buf.offset, ringb, ninsn * NC_HW_INSN_BYTES);
  }
  if (st == NC_OK && rc.bytes > 0) {
    st = nc_dev_write(a->dev, &buf, rc.offset, nc_plan_const_data(p),
                      (size_t)rc.bytes);
  }
  if (st == NC_OK && rin.bytes > 0) {
    st = nc_dev_write(a->dev, &buf, rin.offset, in, (size_t)rin.bytes);
  }
  const nc_plan_region_t rres = nc_plan_residual_region(p);
  if (st == NC_OK && rres.bytes > 0) {
    uint8_t *rb = malloc((size_t)rres.bytes);
    st = rb == NULL ? nc__fail(NC_ERR_NOMEM, "accel: out of memory")
                    : nc_plan_pack_residual(p, req->residual, rb,
                                            (size_t)rres.bytes);
    if (st == NC_OK) {
      st = nc_dev_write(a->dev, &buf, rres.offset, rb, (size_t)rres.bytes);
    }
    free(rb);
  }
  int traced = 0;
  if (st == NC_OK && a->opt.trace) {
    a->total = ninsn;
    nc_status_t ts = nc_dev_set_trace(a->dev, trace_, a);
    traced = ts == NC_OK;
    if (ts != NC_OK && ts != NC_ERR_UNSUPPORTED) {
      st = ts;
    }
  }
  if (st == NC_OK && a->opt.fault.fault != NC_FAULT_NONE) {
    st = nc_dev_arm_fault(a->dev, &a->opt.fault);
  }
  if (st == NC_OK) {
    st = nc_dev_submit(a->dev, ringb, ninsn);
  }
  nc_dev_result_t res;
  memset(&res, 0, sizeof res);
  if (st == NC_OK) {
    st = nc_dev_wait(a->dev, a->opt.timeout_ms, &res);
  }
  if (traced) {
    /* Cannot fail: nothing is in flight and the backend traces. */
    nc_status_t ts = nc_dev_set_trace(a->dev, NULL, NULL);
    st = st != NC_OK ? st : ts;
  }
  nc_dev_counters_t c;
  memset(&c, 0, sizeof c);
  if (st == NC_OK) {
    st = nc_dev_counters(a->dev, &c);
  }
  if (st == NC_OK) {
    st = nc_dev_read(a->dev, &buf, rout.offset, ob, (size_t)rout.bytes);
  }
  if (st == NC_OK && a->opt.corrupt_byte >= 0 &&
      (uint64_t)a->opt.corrupt_byte < rout.bytes) {
    ob[a->opt.corrupt_byte] ^= 0x5a;
  }
  if (st == NC_OK) {
    st = nc_plan_unpack_output(p, ob, (size_t)rout.bytes, out);
  }
  if (st == NC_OK && (!traced || a->ev_oom)) {
    st = predicted_events_(a);
  } else if (st == NC_OK && a->nev > 0) {
    /* Cycles relative to START: the last FINISH retires PERF_CYCLES
     * after it (the counter runs only while the device is busy, so with
     * a FINISH inside the stream this is approximate). */
    uint64_t t = UINT64_MAX, end = 0;
    for (size_t i = 0; i < a->nev; i++) {
      t = a->ev[i].start < t ? a->ev[i].start : t;
      end = a->ev[i].end > end ? a->ev[i].end : end;
    }
    if (end >= c.cycles && end - c.cycles <= t) {
      t = end - c.cycles;
    }
    for (size_t i = 0; i < a->nev; i++) {
      a->ev[i].start -= t;
      a->ev[i].end -= t;
    }
  }
  if (st == NC_OK && stats != NULL) {
    memset(stats, 0, sizeof *stats);
    stats->cycles = c.cycles;
    stats->macs = info->macs;
    stats->array_macs = c.macs;
    stats->pe_utilization =
        c.cycles > 0 ? (double)info->macs /
                           ((double)NC_HW_ROWS * NC_HW_COLS * (double)c.cycles)
                     : 0.0;
    stats->predicted_cycles = info->predicted_cycles;
    stats->dram_bytes_read = c.rd_bytes;
    stats->dram_bytes_written = c.wr_bytes;
    stats->load_busy = c.load_busy;
    stats->load_stall = c.load_stall;
    stats->compute_busy = c.compute_busy;
    stats->compute_stall = c.compute_stall;
    stats->store_busy = c.store_busy;
    stats->store_stall = c.store_stall;
    stats->insns = c.insns;
    stats->plan = *info;
    stats->timeline_measured = traced && !a->ev_oom;
    stats->fault_struck = res.fault_struck;
    stats->seconds = now_() - t0;
  }
done:
  if (st != NC_OK) {
    nc_tensor_free(out);
  }
  free(ringb);
  free(in);
  free(ob);
  nc_status_t fs = nc_dev_free(a->dev, &buf);
  return st != NC_OK ? st : fs;
}

const nc_dev_event_t *nc_accel_events(const nc_accel_t *a, size_t *count) {
  *count = a->nev;
  return a->ev;
}

void nc_accel_describe_tile(const nc_accel_t *a, const int64_t *coord, int ndim,
                            char *buf, size_t len) {
  if (a == NULL || a->plan == NULL) {
    if (len > 0) {
      buf[0] = '\0';
    }
    return;
  }
  nc_plan_describe_tile(a->plan, coord, ndim, buf, len);
}
