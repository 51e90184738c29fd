/*
 * The retirement trace of every simulated device (nc_sim_set_trace): the
 * model's comes from its scheduler, the RTL's from nc_top's trace port, and
 * lockstep reports the RTL's. Checked: one event per retired instruction, in
 * retirement order; each event names its ring entry, that entry's opcode and
 * the unit that executes it (a table written here, not the library's); each
 * unit retires the same instructions in the same order on the RTL as on the
 * model; the cycles from START to the FINISH are the device's own busy
 * counter; and a run
 * that an error cut short leaves nothing behind for the next one.
 */
#include <stdlib.h>
#include <string.h>

#include "neocog/sim.h"
#include "testkit/workloads.h"
#include "tests/sim/xrig.h"

typedef struct {
  nc_sim_retire_t *v;
  size_t n, cap;
} tlog_t;

static void tlog_(void *ctx, const nc_sim_retire_t *r) {
  tlog_t *l = ctx;
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    cr_assert_not_null(l->v);
  }
  l->v[l->n++] = *r;
}

/* The unit that executes an instruction, from the ISA document's queue
 * assignment (docs/isa.md). */
static uint32_t unit_of_(const nc_hw_insn_t *i) {
  switch (nc_hw_insn_get_opcode(i)) {
    case NC_HW_OP_LOAD:
    case NC_HW_OP_LOAD_CFG:
      return NC_HW_UNIT_LOAD;
    case NC_HW_OP_GEMM:
    case NC_HW_OP_DWCONV:
      return NC_HW_UNIT_COMPUTE;
    case NC_HW_OP_STORE:
    case NC_HW_OP_STORE_CFG:
    case NC_HW_OP_LOAD_PARAM:
      return NC_HW_UNIT_STORE;
    case NC_HW_OP_SYNC: {
      static const uint32_t of_queue[3] = {NC_HW_UNIT_LOAD, NC_HW_UNIT_COMPUTE,
                                           NC_HW_UNIT_STORE};
      return of_queue[nc_hw_sync_get_target(i) % 3];
    }
    default:
      return NC_HW_UNIT_FETCH;
  }
}

/* A conv stream over every unit, with a flag-less SYNC on each queue before
 * its FINISH, so that SYNCs retire too. */
static void workload_(wl_t *w) {
  nc_rng_t rng;
  nc_rng_seed(&rng, 5);
  const wl_conv_t c = wl_conv_stream_cfg(3);
  wl_conv(w, "conv stream", &c, &rng);
  prog_t *p = &w->p;
  cr_assert_eq(nc_hw_insn_get_opcode(&p->v[p->n - 1]), NC_HW_OP_FINISH);
  p->n--;
  p_sync(p, NC_HW_QUEUE_STORE, 0);
  p_sync(p, NC_HW_QUEUE_LOAD, 0);
  p_sync(p, NC_HW_QUEUE_COMPUTE, 0);
  p_finish(p);
}

/* Each event against the program: order, entry, opcode, unit, cycles. */
static void check_events_(const char *what, const tlog_t *l, const prog_t *p,
                          uint64_t now) {
  cr_assert_eq(l->n, p->n, "%s: %zu events for %zu instructions", what, l->n,
               p->n);
  char *seen = calloc(p->n, 1);
  cr_assert_not_null(seen);
  for (size_t i = 0; i < l->n; i++) {
    const nc_sim_retire_t *e = &l->v[i];
    cr_assert_eq(e->seq, i, "%s: retirement order", what);
    cr_assert_lt(e->ring_index, p->n, "%s: event %zu", what, i);
    cr_assert_eq(seen[e->ring_index]++, 0, "%s: entry %u twice", what,
                 e->ring_index);
    const nc_hw_insn_t *insn = &p->v[e->ring_index];
    cr_assert_eq(e->opcode, nc_hw_insn_get_opcode(insn), "%s: entry %u", what,
                 e->ring_index);
    cr_assert_eq(e->unit, unit_of_(insn), "%s: entry %u (%s)", what,
                 e->ring_index, nc_hw_opcode_name(e->opcode));
    cr_assert_leq(e->start, e->end, "%s: entry %u", what, e->ring_index);
    cr_assert_leq(e->end, now, "%s: entry %u", what, e->ring_index);
  }
  free(seen);
  cr_assert_eq(l->v[l->n - 1].opcode, NC_HW_OP_FINISH, "%s: FINISH last",
               what);
}

/* Same instructions, same order, unit by unit. */
static void same_per_unit_(const char *what, const tlog_t *a, const tlog_t *b) {
  for (uint32_t u = NC_HW_UNIT_FETCH; u <= NC_HW_UNIT_STORE; u++) {
    size_t j = 0;
    for (size_t i = 0; i < a->n; i++) {
      if (a->v[i].unit != u) {
        continue;
      }
      while (j < b->n && b->v[j].unit != u) {
        j++;
      }
      cr_assert_lt(j, b->n, "%s: unit %s retires fewer", what,
                   nc_hw_unit_name(u));
      cr_assert_eq(a->v[i].ring_index, b->v[j].ring_index,
                   "%s: unit %s retires entry %u where the other has %u", what,
                   nc_hw_unit_name(u), a->v[i].ring_index, b->v[j].ring_index);
      j++;
    }
  }
}

/* Runs the workload on `kind` with the hook on: the events, PERF_CYCLES and
 * the cycles from the START write to the FINISH's retirement. Returns 0
 * without the RTL. */
static int traced_run_(rig_kind_t kind, wl_t *w, tlog_t *l, uint64_t *busy,
                       uint64_t *span) {
  rig_t r;
  const nc_status_t st = rig_open_sim(&r, kind, NULL);
  if (st == NC_ERR_UNSUPPORTED) {
    return 0;
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  rig_write(&r, RIG_WIN_OFF, w->win, RIG_WIN_SIZE);
  cr_assert_eq(nc_sim_set_trace(r.s, tlog_, l), NC_OK, "%s: %s", rig_name(&r),
               nc_error_detail());
  rig_load(&r, &w->p);
  const uint64_t t0 = nc_sim_cycle(r.s);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  const uint32_t s = rig_go(&r, UINT64_C(10000000000));
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT, "%s: STATUS 0x%x",
               rig_name(&r), s);
  cr_assert_eq(wl_first_diff(w, r.win), -1, "%s: golden", rig_name(&r));
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), l->n, "%s",
               rig_name(&r));
  check_events_(rig_name(&r), l, &w->p, nc_sim_cycle(r.s));
  *busy = rig_ctr(&r, NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  *span = l->v[l->n - 1].end - t0;
  cr_assert_eq(nc_sim_set_trace(r.s, NULL, NULL), NC_OK);
  rig_close(&r);
  return 1;
}

Test(sim_trace, rtl_retires_what_the_model_retires) {
  wl_t w;
  workload_(&w);
  tlog_t model = {0}, rtl = {0}, ls = {0};
  uint64_t busy[3], span[3];
  cr_assert(traced_run_(RIG_MODEL, &w, &model, &busy[0], &span[0]));
  if (!traced_run_(RIG_RTL, &w, &rtl, &busy[1], &span[1])) {
    cr_skip_test("built without the RTL");
  }
  cr_assert(traced_run_(RIG_LOCKSTEP, &w, &ls, &busy[2], &span[2]));
  same_per_unit_("rtl vs model", &rtl, &model);
  same_per_unit_("model vs rtl", &model, &rtl);
  /* Lockstep reports the RTL's schedule: the same events, cycle for cycle
   * relative to the first. */
  cr_assert_eq(ls.n, rtl.n);
  for (size_t i = 0; i < rtl.n; i++) {
    cr_assert_eq(ls.v[i].ring_index, rtl.v[i].ring_index, "event %zu", i);
    cr_assert_eq(ls.v[i].end - ls.v[0].start, rtl.v[i].end - rtl.v[0].start,
                 "event %zu", i);
  }
  /* From START to the FINISH's retirement is the device's busy time. */
  for (int k = 0; k < 3; k++) {
    cr_assert(span[k] == busy[k],
              "%s: START to FINISH %llu cycles, PERF_CYCLES %llu",
              k == 0 ? "model" : k == 1 ? "rtl" : "lockstep",
              (unsigned long long)span[k], (unsigned long long)busy[k]);
  }
  /* The RTL's schedule is its own, not the model's copied: the units'
   * timings differ somewhere (the model predicts, within its rules). */
  int differ = 0;
  for (size_t i = 0; i < rtl.n && !differ; i++) {
    for (size_t j = 0; j < model.n; j++) {
      if (model.v[j].ring_index == rtl.v[i].ring_index) {
        differ = model.v[j].end - model.v[j].start !=
                 rtl.v[i].end - rtl.v[i].start;
        break;
      }
    }
  }
  cr_assert(differ, "every duration on the rtl equals the model's");
  free(model.v);
  free(rtl.v);
  free(ls.v);
  wl_free(&w);
}

/* An error stops the RTL with instructions issued and not retired (the
 * first STORE writes outside the window while the next tile's LOAD and
 * GEMMs run); after a soft reset the next run's trace holds that run's
 * instructions only. */
Test(sim_trace, rtl_trace_after_an_error) {
  rig_t r;
  const nc_status_t st = rig_open_sim(&r, RIG_RTL, NULL);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("built without the RTL");
  }
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  wl_t w;
  workload_(&w);
  prog_t bad = {0};
  size_t store = 0;
  for (size_t i = 0; i < w.p.n; i++) {
    nc_hw_insn_t *insn = prog_add(&bad, NC_HW_OP_SYNC, 0);
    *insn = w.p.v[i];
    if (store == 0 && nc_hw_insn_get_opcode(insn) == NC_HW_OP_STORE) {
      nc_hw_store_set_dram_offset(insn, (uint32_t)RIG_WIN_SIZE);
      store = i;
    }
  }
  cr_assert_gt(store, 0);
  rig_write(&r, RIG_WIN_OFF, w.win, RIG_WIN_SIZE);
  tlog_t l = {0};
  cr_assert_eq(nc_sim_set_trace(r.s, tlog_, &l), NC_OK);
  uint32_t s = rig_run(&r, &bad);
  cr_assert(s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT), "STATUS 0x%x", s);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ERR_INSN_OFFSET), store);
  for (size_t i = 0; i < l.n; i++) {
    cr_assert_neq(l.v[i].ring_index, store, "the failed STORE retired");
  }

  rig_write(&r, RIG_WIN_OFF, w.win, RIG_WIN_SIZE);
  l.n = 0;
  s = rig_run(&r, &w.p);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT, "STATUS 0x%x", s);
  cr_assert_eq(wl_first_diff(&w, r.win), -1, "golden");
  /* seq keeps counting across runs; the entries must be this run's. */
  const uint64_t seq0 = l.n > 0 ? l.v[0].seq : 0;
  for (size_t i = 0; i < l.n; i++) {
    l.v[i].seq -= seq0;
  }
  check_events_("rtl after an error", &l, &w.p, nc_sim_cycle(r.s));
  free(l.v);
  prog_free(&bad);
  wl_free(&w);
  rig_close(&r);
}

Test(sim_trace, bad_arguments) {
  cr_assert_eq(nc_rtl_set_trace(NULL, tlog_, NULL), NC_ERR_INVALID_ARG);
}
