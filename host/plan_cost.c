/*
 * The planner's cycle predictor: the accelerator's scheduler
 * (base/include/neocog/sched.h, the same code the functional model runs)
 * replays an instruction stream without any data. The stream is a ring that
 * does not wrap and holds all of it; a FINISH inside the stream waits for
 * every queue to drain, and the replay starts the device again at once
 * after it, since the device's busy-cycle counter does not run while the
 * host restarts it.
 *
 * The search ranks configurations with it, and the runtime reports its
 * total as predicted_cycles next to what the backend measures.
 */
#include <string.h>

#include "host/plan_internal.h"
#include "neocog/error.h"
#include "neocog/sched.h"

typedef struct {
  const iprog_t *p;
  nc_plan_event_t *out; /* per-instruction events, or NULL */
  plan_replay_t r;
  uint32_t err, err_unit, err_idx; /* the error the stream raised */
  nc__sched_t s;
} rp_t;

/* Fetch reads the stream; its bytes count as DRAM reads. */
static uint32_t on_fetch_(void *ctx, uint32_t pos, uint32_t n,
                          nc__sched_entry_t *out) {
  rp_t *r = ctx;
  for (uint32_t i = 0; i < n; i++) {
    out[i].insn = r->p->v[pos + i];
  }
  r->r.rd_bytes += (uint64_t)n * NC_HW_INSN_BYTES;
  r->r.bus_rd_bytes += (uint64_t)n * NC_HW_INSN_BYTES;
  return NC_HW_ERR_NONE;
}

/* Bytes of the 16-byte bus beats that cover [a, a + len): what the read
 * engine moves for one segment (nc_dma_rd: aligned beats, a segment's rows
 * never share a beat with another's). */
static uint64_t beats_(uint64_t a, uint64_t len) {
  const uint64_t B = NC_HW_BUS_BYTES;
  return len == 0 ? 0 : ((a + len + B - 1) / B - a / B) * B;
}

/* Bus bytes of a LOAD as the load unit cuts it into read segments: one per
 * line where the rows are contiguous (and every line of an im2col LOAD),
 * otherwise one per row. DRAM offsets count from an aligned base. */
static uint64_t load_beats_(const nc__tm_t *t, const nc_hw_insn_t *in) {
  const uint64_t off = nc_hw_load_get_dram_offset(in);
  const uint64_t el = nc_hw_load_get_elems(in);
  const uint64_t xn = nc_hw_load_get_x_size(in);
  const uint64_t yn = nc_hw_load_get_y_size(in);
  const int i2c = nc_hw_load_get_im2col_kh(in) != 0;
  const uint64_t zn = i2c ? 1 : nc_hw_load_get_z_size(in);
  const int lines = i2c || t->ld_xs == el;
  uint64_t b = 0;
  for (uint64_t z = 0; z < zn; z++) {
    for (uint64_t y = 0; y < yn; y++) {
      const uint64_t a = off + z * t->ld_zs + y * t->ld_ys;
      if (lines) {
        b += beats_(a, xn * el);
        continue;
      }
      for (uint64_t x = 0; x < xn; x++) {
        b += beats_(a + x * t->ld_xs, el);
      }
    }
  }
  return b;
}

/* Bytes an instruction moves and MACs it performs (the counters the model
 * keeps). A STORE's bytes depend on the STORE_CFG state, which the timing
 * rules' state holds. */
static uint32_t on_exec_(void *ctx, const nc_hw_insn_t *in, uint32_t *info) {
  rp_t *r = ctx;
  const nc__tm_t *t = &r->s.tm;
  (void)info;
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
      /* An im2col LOAD reads one plane; z_size counts its row planes. */
      r->r.rd_bytes += (uint64_t)nc_hw_load_get_elems(in) *
                       nc_hw_load_get_x_size(in) * nc_hw_load_get_y_size(in) *
                       (nc_hw_load_get_im2col_kh(in) != 0
                            ? 1u
                            : nc_hw_load_get_z_size(in));
      r->r.bus_rd_bytes += load_beats_(t, in);
      break;
    case NC_HW_OP_STORE: {
      const int pool = t->st_pool != NC_HW_POOL_NONE;
      const uint64_t yn = nc_hw_store_get_y_size(in);
      const uint64_t xn = nc_hw_store_get_x_size(in);
      const uint64_t kh = pool ? t->st_kh : 1, kw = pool ? t->st_kw : 1;
      const uint64_t sh = pool ? t->st_sh : 1, sw = pool ? t->st_sw : 1;
      const uint64_t oh = (yn + nc_hw_store_get_pool_pad_top(in) +
                           nc_hw_store_get_pool_pad_bottom(in) - kh) /
                              sh +
                          1;
      const uint64_t ow = (xn + nc_hw_store_get_pool_pad_left(in) +
                           nc_hw_store_get_pool_pad_right(in) - kw) /
                              sw +
                          1;
      r->r.wr_bytes += oh * ow * nc_hw_store_get_n_cols(in) *
                       (t->st_fmt == NC_HW_OUT_INT8 ? 1u : 4u);
      /* A residual add reads n_cols bytes per output pixel. */
      r->r.rd_bytes += t->st_add ? oh * ow * nc_hw_store_get_n_cols(in) : 0;
      r->r.bus_rd_bytes +=
          t->st_add ? oh * ow * beats_(0, nc_hw_store_get_n_cols(in)) : 0;
      break;
    }
    case NC_HW_OP_LOAD_PARAM:
      r->r.rd_bytes +=
          (uint64_t)nc_hw_load_param_get_count(in) * NC_HW_QPARAM_BYTES;
      /* The store unit reads the records twice: checks, then entries. */
      r->r.bus_rd_bytes +=
          2 * (uint64_t)nc_hw_load_param_get_count(in) * NC_HW_QPARAM_BYTES;
      break;
    case NC_HW_OP_GEMM:
      r->r.array_macs += (uint64_t)nc_hw_gemm_get_loop_out(in) *
                         nc_hw_gemm_get_loop_in(in) * NC_HW_ROWS * NC_HW_COLS;
      break;
    case NC_HW_OP_DWCONV:
      r->r.array_macs += (uint64_t)nc_hw_dwconv_get_out_h(in) *
                         nc_hw_dwconv_get_out_w(in) * NC_HW_ROWS * NC_HW_COLS;
      break;
    default:
      break;
  }
  return NC_HW_ERR_NONE;
}

static void on_retire_(void *ctx, uint32_t idx, uint32_t opcode, uint32_t unit,
                       uint64_t start, uint64_t end) {
  rp_t *r = ctx;
  if (r->out != NULL) {
    nc_plan_event_t *e = &r->out[idx];
    e->index = idx;
    e->opcode = opcode;
    e->unit = unit;
    e->start = start;
    e->end = end;
  }
}

static void on_raise_(void *ctx, uint32_t code, uint32_t unit, uint32_t idx,
                      uint32_t info) {
  rp_t *r = ctx;
  (void)info;
  r->err = code;
  r->err_unit = unit;
  r->err_idx = idx;
}

/* No rule checks (the planner's streams pass them) and no counters of
 * busy cycles. */
static const nc__sched_ops_t replay_ops_ = {
    .fetch = on_fetch_,
    .exec = on_exec_,
    .retire = on_retire_,
    .raise = on_raise_,
};

nc_status_t nc__plan_replay(const iprog_t *prog, const nc_plan_caps_t *caps,
                            nc_plan_event_t *ev, plan_replay_t *out) {
  if (prog->n >= UINT32_MAX) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "plan: %zu instructions are more than a ring holds",
                    prog->n);
  }
  rp_t rp;
  rp_t *r = &rp;
  memset(r, 0, sizeof *r);
  r->p = prog;
  r->out = ev;
  nc__sched_init(&r->s, &replay_ops_, r, caps->mem_latency,
                 caps->mem_bytes_per_cycle);
  r->s.size = (uint32_t)prog->n + 1;
  r->s.tail = (uint32_t)prog->n;
  nc__sched_why_t why = NC__SCHED_FINISHED;
  while (r->s.head < r->s.tail) {
    nc__sched_start(&r->s);
    why = nc__sched_run(&r->s, NC__SCHED_NEVER);
    if (why != NC__SCHED_FINISHED) {
      break;
    }
  }
  nc_status_t st = NC_OK;
  if (why == NC__SCHED_STOPPED) {
    st = nc__fail(NC_ERR_INTERNAL,
                  "plan: the program stops with %s in unit %s at "
                  "instruction %u, cycle %llu",
                  nc_hw_err_name(r->err), nc_hw_unit_name(r->err_unit),
                  r->err_idx, (unsigned long long)r->s.now);
  } else if (why != NC__SCHED_FINISHED) {
    st = nc__fail(NC_ERR_INTERNAL,
                  "plan: the program waits forever after instruction %u (a "
                  "token no instruction pushes, or no FINISH at the end)",
                  r->s.head);
  } else {
    r->r.cycles = r->s.now;
    *out = r->r;
  }
  return st;
}

nc_status_t nc_plan_replay(const nc_hw_insn_t *insns, size_t n,
                           const nc_plan_caps_t *caps, nc_plan_replay_t *out) {
  if (insns == NULL || n == 0 || caps == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "nc_plan_replay: %s",
                    n == 0 ? "no instructions" : "NULL argument");
  }
  /* The replay only reads the stream. */
  const iprog_t prog = {(nc_hw_insn_t *)(uintptr_t)insns, n, n, 0};
  plan_replay_t r;
  const nc_status_t st = nc__plan_replay(&prog, caps, NULL, &r);
  if (st == NC_OK) {
    out->cycles = r.cycles;
    out->rd_bytes = r.rd_bytes;
    out->wr_bytes = r.wr_bytes;
    out->array_macs = r.array_macs;
  }
  return st;
}
