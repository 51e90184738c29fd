/*
 * The planner's instruction stream: one pass of a lowered layer as LOADs,
 * GEMMs and STOREs, double-buffered with dependency tokens as VTA does.
 *
 * A pass is a sequence of steps (tile, block, output-channel group,
 * reduction step) in the configuration's loop order. Each step needs an
 * input tile and a weight group in the scratchpad and an accumulator half:
 *
 *   - Input tiles and weight groups each rotate through two scratchpad
 *     slots. A step whose input (or weights) differ from what the current
 *     slot holds loads into the other slot, after the compute unit is done
 *     with that slot's old content. A resident weight layout loads every
 *     tile once instead.
 *   - Loads run one step ahead: the ring holds Loads(s + 1) before Comp(s),
 *     so the load unit fills one slot while the array works on the other.
 *   - Tokens: the last LOAD of a step pushes load->compute and the step's
 *     first GEMM pops it. A load into a slot pops compute->load once per
 *     release point, and the last GEMM of that step pushes it; release
 *     points only ever move forward, so pops and pushes pair up in order.
 *     The last GEMM of an accumulator tile pushes compute->store, its first
 *     STORE pops it, and its last STORE pushes store->compute for the tile
 *     that reuses the accumulator half two tiles later. Every push has its
 *     pop: counters are back at zero at each FINISH.
 *   - STOREs (and LOAD_PARAMs) are spread one per GEMM through the next
 *     tile's compute so that the store queue never stops fetch for long,
 *     and all of tile u's are in the ring before tile u + 2's first GEMM.
 */
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "host/plan_internal.h"

#define PP (1u << NC_HW_INSN_POP_PREV_LSB)
#define PN (1u << NC_HW_INSN_POP_NEXT_LSB)
#define UP (1u << NC_HW_INSN_PUSH_PREV_LSB)
#define UN (1u << NC_HW_INSN_PUSH_NEXT_LSB)

void nc__iprog_free(iprog_t *p) {
  free(p->v);
  memset(p, 0, sizeof *p);
}

static nc_hw_insn_t *add_(iprog_t *p, uint32_t op, unsigned flags) {
  static nc_hw_insn_t dummy;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    nc_hw_insn_t *v = realloc(p->v, cap * sizeof *v);
    if (v == NULL) {
      p->oom = 1;
      return &dummy;
    }
    p->v = v;
    p->cap = cap;
  }
  nc_hw_insn_t *i = &p->v[p->n++];
  memset(i, 0, sizeof *i);
  nc_hw_insn_set_opcode(i, op);
  i->w[0] |= flags;
  return i;
}

/* One step of a pass. */
typedef struct {
  int64_t t;           /* pixel tile */
  int b, og, ks;       /* block, output group, reduction step */
  int in_load, w_load; /* new content loaded for this step */
  int in_slot, w_slot;
  int64_t in_rel, w_rel; /* step whose end frees the slot (-1: free) */
  int in_pop, w_pop;     /* that load pops compute->load */
  int push_c2l;          /* last GEMM pushes compute->load */
  int64_t acc;           /* accumulator tile index */
  int acc_first, acc_last;
} step_t;

typedef struct {
  iprog_t *pr;
  const pass_t *ps;
  const vconv_t *v;
  const pcfg_t *c;
  uint32_t ibase[2], wbase[2], wres_base, abase[2];
  int cfg_valid;
  uint64_t cxs, cys, czs;
  int cpad;
  /* STOREs (and LOAD_PARAMs) waiting to be spread into the ring. */
  nc_hw_insn_t *pend;
  int64_t *pend_tile;
  size_t npend, pend_head, pend_cap;
  int params_all;
  int64_t prm_key; /* group whose params are loaded (-1: none) */
  int wsplit; /* the first step's weights came in two parts, each with its
                 token: the first output chunk's, then the rest */
} em_t;

static void load_cfg_(em_t *e, uint64_t xs, uint64_t ys, uint64_t zs, int pad) {
  if (e->cfg_valid && e->cxs == xs && e->cys == ys && e->czs == zs &&
      e->cpad == pad) {
    return;
  }
  nc_hw_insn_t *i = add_(e->pr, NC_HW_OP_LOAD_CFG, 0);
  nc_hw_load_cfg_set_x_stride(i, (uint32_t)xs);
  nc_hw_load_cfg_set_y_stride(i, (uint32_t)ys);
  nc_hw_load_cfg_set_z_stride(i, (uint32_t)zs);
  nc_hw_load_cfg_set_pad_value(i, (uint32_t)(uint8_t)pad);
  e->cfg_valid = 1;
  e->cxs = xs, e->cys = ys, e->czs = zs, e->cpad = pad;
}

static nc_hw_insn_t *load_(em_t *e, uint32_t sram, uint64_t dram,
                           uint32_t elems, uint32_t x, uint32_t y, uint32_t z,
                           int pt, int pb, int pl, int pr, unsigned flags) {
  nc_hw_insn_t *i = add_(e->pr, NC_HW_OP_LOAD, flags);
  nc_hw_load_set_sram_addr(i, sram);
  nc_hw_load_set_dram_offset(i, (uint32_t)dram);
  nc_hw_load_set_elems(i, elems);
  nc_hw_load_set_x_size(i, x);
  nc_hw_load_set_y_size(i, y);
  nc_hw_load_set_z_size(i, z);
  nc_hw_load_set_pad_top(i, (uint32_t)pt);
  nc_hw_load_set_pad_bottom(i, (uint32_t)pb);
  nc_hw_load_set_pad_left(i, (uint32_t)pl);
  nc_hw_load_set_pad_right(i, (uint32_t)pr);
  return i;
}

/* Contiguous weight rows (whole tiles of NC_HW_COLS rows of NC_HW_ROWS
 * bytes) into the scratchpad; returns
 * the first LOAD, the last through *last. */
static nc_hw_insn_t *load_rows_(em_t *e, uint32_t sram, uint64_t dram,
                                uint32_t rows, unsigned pop,
                                nc_hw_insn_t **last) {
  load_cfg_(e, NC_HW_ROWS, (uint64_t)NC_HW_ROWS * PLAN_WLINE, 0, 0);
  nc_hw_insn_t *first = NULL;
  const uint32_t lines = rows / PLAN_WLINE, rest = rows % PLAN_WLINE;
  size_t i0 = e->pr->n;
  if (lines > 0) {
    (void)load_(e, sram, dram, NC_HW_ROWS, PLAN_WLINE, lines, 1, 0, 0, 0, 0,
                pop);
    pop = 0;
  }
  if (rest > 0) {
    (void)load_(e, sram + lines * PLAN_WLINE,
                dram + (uint64_t)lines * PLAN_WLINE * NC_HW_ROWS, NC_HW_ROWS,
                rest, 1, 1, 0, 0, 0, 0, pop);
  }
  if (!e->pr->oom) {
    first = &e->pr->v[i0];
    *last = &e->pr->v[e->pr->n - 1];
  }
  return first;
}

/* A depthwise tile: every channel chunk of a pixel in consecutive rows
 * (the LOAD's x walks the chunks, contiguous in DRAM; y the pixels, with
 * the left and right padding; z the lines). Padding lines read the pad
 * pixel in the constants. Returns the last LOAD. */
static nc_hw_insn_t *load_dw_input_(em_t *e, const step_t *s) {
  const vconv_t *v = e->v;
  const ptile_t *tl = &e->ps->tiles[s->t];
  const uint32_t slot = e->ibase[s->in_slot];
  const uint32_t nch = (uint32_t)v->nblk;
  unsigned pop = s->in_pop ? PN : 0;
  const int64_t iy0 = tl->cy0 * v->sh - v->pt;
  const int64_t iy1 = (tl->cy1 - 1) * v->sh - v->pt + v->KH;
  const int64_t ix0 = tl->cx0 * v->sw - v->pl;
  const int64_t ix1 = (tl->cx1 - 1) * v->sw - v->pl + v->KW;
  const int64_t ry0 = iy0 < 0 ? 0 : iy0, ry1 = iy1 > v->H ? v->H : iy1;
  const int64_t rx0 = ix0 < 0 ? 0 : ix0, rx1 = ix1 > v->W ? v->W : ix1;
  const uint32_t wi = (uint32_t)(ix1 - ix0), line = wi * nch;
  const uint32_t pt = (uint32_t)(ry0 - iy0), pb = (uint32_t)(iy1 - ry1);
  if (pt + pb > 0) {
    load_cfg_(e, NC_HW_ROWS, 0, 0, 0);
    if (pt > 0) {
      (void)load_(e, slot, v->pad_off, NC_HW_ROWS, nch, wi, pt, 0, 0, 0, 0,
                  pop);
      pop = 0;
    }
    if (pb > 0) {
      (void)load_(e, slot + (uint32_t)(iy1 - iy0 - pb) * line, v->pad_off,
                  NC_HW_ROWS, nch, wi, pb, 0, 0, 0, 0, pop);
      pop = 0;
    }
  }
  load_cfg_(e, NC_HW_ROWS, (uint64_t)v->C, (uint64_t)(v->W * v->C), v->pad);
  return load_(e, slot + pt * line,
               v->in_off +
                   (uint64_t)(((tl->n * v->H + ry0) * v->W + rx0) * v->C),
               NC_HW_ROWS, nch, (uint32_t)(rx1 - rx0), (uint32_t)(ry1 - ry0),
               (int)(rx0 - ix0), (int)(ix1 - rx1), 0, 0, pop);
}

/* The input rows step s reads: returns the last LOAD. */
static nc_hw_insn_t *load_input_(em_t *e, const step_t *s) {
  const vconv_t *v = e->v;
  const pcfg_t *c = e->c;
  const ptile_t *tl = &e->ps->tiles[s->t];
  const int kc = vc_kc(v, s->b);
  const int k0 = s->ks * c->kct;
  const int kz = kc - k0 < c->kct ? kc - k0 : c->kct;
  const uint32_t slot = e->ibase[s->in_slot];
  unsigned pop = s->in_pop ? PN : 0;
  if (v->i2c) {
    /* The input tile of output tile (cy, cx) as the layer sees it; the load
     * unit pads it and cuts its receptive fields into rows. */
    const int64_t iy0 = tl->cy0 * v->rsh - v->rpt;
    const int64_t iy1 = (tl->cy1 - 1) * v->rsh - v->rpt + v->rKH;
    const int64_t ix0 = tl->cx0 * v->rsw - v->rpl;
    const int64_t ix1 = (tl->cx1 - 1) * v->rsw - v->rpl + v->rKW;
    const int64_t ry0 = iy0 < 0 ? 0 : iy0, ry1 = iy1 > v->rH ? v->rH : iy1;
    const int64_t rx0 = ix0 < 0 ? 0 : ix0, rx1 = ix1 > v->rW ? v->rW : ix1;
    load_cfg_(e, (uint64_t)v->rC, (uint64_t)(v->rW * v->rC), 0, v->pad);
    nc_hw_insn_t *i = load_(
        e, slot,
        v->in_off + (uint64_t)(((tl->n * v->rH + ry0) * v->rW + rx0) * v->rC),
        (uint32_t)v->rC, (uint32_t)(rx1 - rx0), (uint32_t)(ry1 - ry0),
        (uint32_t)kz, (int)(ry0 - iy0), (int)(iy1 - ry1), (int)(rx0 - ix0),
        (int)(ix1 - rx1), pop);
    nc_hw_load_set_im2col_kh(i, (uint32_t)v->rKH);
    nc_hw_load_set_im2col_kw(i, (uint32_t)v->rKW);
    nc_hw_load_set_im2col_sh(i, (uint32_t)v->rsh);
    nc_hw_load_set_im2col_sw(i, (uint32_t)v->rsw);
    return i;
  }
  if (v->dwm == 2) {
    return load_dw_input_(e, s);
  }
  if (v->local) {
    const int64_t tp = tl->px1 - tl->px0;
    load_cfg_(e, (uint64_t)v->C, (uint64_t)(v->batch * v->C), NC_HW_ROWS, 0);
    return load_(e, slot,
                 v->in_off + (uint64_t)(tl->px0 * v->batch * v->C) +
                     (uint64_t)NC_HW_ROWS * (uint64_t)k0,
                 NC_HW_ROWS, (uint32_t)v->batch, (uint32_t)tp, (uint32_t)kz, 0,
                 0, 0, 0, pop);
  }
  const int64_t iy0 = tl->cy0 * v->sh - v->pt;
  const int64_t iy1 = (tl->cy1 - 1) * v->sh - v->pt + (v->KH - 1) * v->dh + 1;
  const int64_t ix0 = tl->cx0 * v->sw - v->pl;
  const int64_t ix1 = (tl->cx1 - 1) * v->sw - v->pl + (v->KW - 1) * v->dw + 1;
  const int64_t ry0 = iy0 < 0 ? 0 : iy0, ry1 = iy1 > v->H ? v->H : iy1;
  const int64_t rx0 = ix0 < 0 ? 0 : ix0, rx1 = ix1 > v->W ? v->W : ix1;
  const uint32_t plane = (uint32_t)((iy1 - iy0) * (ix1 - ix0));
  const int cbb = vc_cb(v, s->b);
  const int full_end = cbb / NC_HW_ROWS; /* chunks with every lane */
  const int nfull = (k0 + kz <= full_end ? kz : full_end - k0);
  load_cfg_(e, (uint64_t)v->C, (uint64_t)(v->W * v->C), NC_HW_ROWS, v->pad);
  const uint64_t px = v->in_off +
                      (uint64_t)(((tl->n * v->H + ry0) * v->W + rx0) * v->C) +
                      (uint64_t)s->b * (uint64_t)v->cstride;
  nc_hw_insn_t *last = NULL;
  const int pt = (int)(ry0 - iy0), pb = (int)(iy1 - ry1);
  const int pl = (int)(rx0 - ix0), pr = (int)(ix1 - rx1);
  if (nfull > 0) {
    last = load_(e, slot, px + (uint64_t)NC_HW_ROWS * (uint64_t)k0, NC_HW_ROWS,
                 (uint32_t)(rx1 - rx0), (uint32_t)(ry1 - ry0), (uint32_t)nfull,
                 pt, pb, pl, pr, pop);
    pop = 0;
  }
  if (nfull < kz) {
    const uint32_t elems = (uint32_t)(cbb - NC_HW_ROWS * (k0 + nfull));
    last = load_(e, slot + plane * (uint32_t)nfull,
                 px + (uint64_t)NC_HW_ROWS * (uint64_t)(k0 + nfull), elems,
                 (uint32_t)(rx1 - rx0), (uint32_t)(ry1 - ry0), 1, pt, pb, pl,
                 pr, pop);
  }
  return last;
}

static int64_t wkey_(const pass_t *ps, const step_t *s) {
  const int64_t outer = ps->v.local ? s->t : s->b;
  return (outer * ps->og_max + s->og) * ps->ks_max + s->ks;
}

/* Loads(s): the input and weights step s needs that are not resident. */
static void loads_(em_t *e, const step_t *s, int first_step) {
  nc_hw_insn_t *last = NULL;
  if (s->in_load) {
    last = load_input_(e, s);
  }
  uint32_t wslot = 0, rows = 0;
  uint64_t woff = 0;
  unsigned wpop = 0;
  if (first_step && e->c->wres) {
    /* Every weight tile, once, in the layout wreg[].srow gives. */
    wslot = e->wres_base;
    woff = e->ps->wreg[0].off;
    rows = (uint32_t)e->ps->wall_rows;
  } else if (s->w_load) {
    const wreg_t *r = &e->ps->wreg[wkey_(e->ps, s)];
    wslot = e->wbase[s->w_slot];
    woff = r->off;
    rows = r->rows;
    wpop = s->w_pop ? PN : 0;
  }
  /* The first step's GEMMs run output chunk after output chunk: its first
   * chunk's weight tiles come first with a token of their own, so the
   * array starts while the rest load. */
  const vconv_t *v = e->v;
  const int kc = vc_kc(v, s->b), oc = vc_oc(v, s->b);
  const int kz = kc - s->ks * e->c->kct < e->c->kct ? kc - s->ks * e->c->kct
                                                    : e->c->kct;
  const int ocn = oc - s->og * e->c->oct < e->c->oct ? oc - s->og * e->c->oct
                                                     : e->c->oct;
  const uint32_t part = (uint32_t)(kz * v->taps * NC_HW_COLS);
  if (first_step) {
    e->wsplit = !v->local && !v->dwm && ocn > 1 && rows > part;
  }
  if (first_step && e->wsplit) {
    nc_hw_insn_t *l = NULL;
    if (load_rows_(e, wslot, woff, part, wpop, &l) != NULL && !e->pr->oom) {
      l->w[0] |= UN;
    }
    wslot += part;
    woff += (uint64_t)part * NC_HW_ROWS;
    rows -= part;
    wpop = 0;
  }
  if (rows > 0) {
    nc_hw_insn_t *l = NULL;
    if (load_rows_(e, wslot, woff, rows, wpop, &l) != NULL) {
      last = l;
    }
  }
  if (last != NULL && !e->pr->oom) {
    last->w[0] |= UN;
  }
}

static void pend_(em_t *e, const nc_hw_insn_t *i, int64_t tile) {
  if (e->npend == e->pend_cap) {
    size_t cap = e->pend_cap ? e->pend_cap * 2 : 64;
    nc_hw_insn_t *p = realloc(e->pend, cap * sizeof *p);
    int64_t *t = realloc(e->pend_tile, cap * sizeof *t);
    if (p != NULL) {
      e->pend = p;
    }
    if (t != NULL) {
      e->pend_tile = t;
    }
    if (p == NULL || t == NULL) {
      e->pr->oom = 1;
      return;
    }
    e->pend_cap = cap;
  }
  e->pend[e->npend] = *i;
  e->pend_tile[e->npend] = tile;
  e->npend++;
}

/* Moves pending store-queue instructions into the ring: one, or all those
 * of tiles <= `upto`. */
static void flush_(em_t *e, int one, int64_t upto) {
  while (e->pend_head < e->npend) {
    if (!one && e->pend_tile[e->pend_head] > upto) {
      break;
    }
    nc_hw_insn_t *i = add_(e->pr, 0, 0);
    *i = e->pend[e->pend_head++];
    if (one) {
      break;
    }
  }
  if (e->pend_head == e->npend) {
    e->pend_head = e->npend = 0;
  }
}

static void gemm_(em_t *e, uint32_t wgt, uint32_t inp, uint32_t acc,
                  uint32_t lo, uint32_t li, uint32_t iso, uint32_t isi,
                  uint32_t aso, uint32_t accum, unsigned flags) {
  nc_hw_insn_t *i = add_(e->pr, NC_HW_OP_GEMM, flags);
  nc_hw_gemm_set_wgt_addr(i, wgt);
  nc_hw_gemm_set_inp_addr(i, inp);
  nc_hw_gemm_set_acc_addr(i, acc);
  nc_hw_gemm_set_loop_out(i, lo);
  nc_hw_gemm_set_loop_in(i, li);
  nc_hw_gemm_set_inp_stride_out(i, iso);
  nc_hw_gemm_set_inp_stride_in(i, isi);
  nc_hw_gemm_set_acc_stride_out(i, aso);
  nc_hw_gemm_set_acc_stride_in(i, 1);
  nc_hw_gemm_set_accumulate(i, accum);
  /* Spread the store queue's work through the compute stream. */
  flush_(e, 1, 0);
}

/* A DWCONV over an output tile of th x tw pixels whose input lines hold wi
 * rows (the kernel and strides are the pass's). */
static void dwconv_(em_t *e, uint32_t wgt, uint32_t inp, uint32_t acc,
                    uint32_t th, uint32_t tw, uint32_t wi, unsigned flags) {
  /* Interleaved tiles: chunk b of every pixel, every nblk-th row. */
  const vconv_t *v = e->v;
  nc_hw_insn_t *i = add_(e->pr, NC_HW_OP_DWCONV, flags);
  nc_hw_dwconv_set_wgt_addr(i, wgt);
  nc_hw_dwconv_set_inp_addr(i, inp);
  nc_hw_dwconv_set_acc_addr(i, acc);
  nc_hw_dwconv_set_out_h(i, th);
  nc_hw_dwconv_set_out_w(i, tw);
  nc_hw_dwconv_set_line(i, wi);
  nc_hw_dwconv_set_kh(i, (uint32_t)v->KH);
  nc_hw_dwconv_set_kw(i, (uint32_t)v->KW);
  nc_hw_dwconv_set_stride_y(i, (uint32_t)v->sh);
  nc_hw_dwconv_set_stride_x(i, (uint32_t)v->sw);
  nc_hw_dwconv_set_acc_stride_out(i, tw);
  nc_hw_dwconv_set_acc_stride_in(i, 1);
  nc_hw_dwconv_set_pix_stride(i, v->dwm == 2 ? (uint32_t)v->nblk : 1u);
  flush_(e, 1, 0);
}

static int is_compute_(const nc_hw_insn_t *i) {
  const uint32_t op = nc_hw_insn_get_opcode(i);
  return op == NC_HW_OP_GEMM || op == NC_HW_OP_DWCONV;
}

/* Comp(s): the GEMMs (or the DWCONV) of step s. */
static void comp_(em_t *e, const step_t *s) {
  const vconv_t *v = e->v;
  const pcfg_t *c = e->c;
  const ptile_t *tl = &e->ps->tiles[s->t];
  const int kc = vc_kc(v, s->b), oc = vc_oc(v, s->b);
  const int k0 = s->ks * c->kct;
  const int kz = kc - k0 < c->kct ? kc - k0 : c->kct;
  const int ocn = oc - s->og * c->oct < c->oct ? oc - s->og * c->oct : c->oct;
  const uint32_t islot = e->ibase[s->in_slot];
  const uint32_t ab = e->abase[s->acc & 1];
  uint32_t wslot;
  if (c->wres) {
    wslot = e->wres_base +
            (uint32_t)(e->ps->wreg[wkey_(e->ps, s)].off - e->ps->wreg[0].off) /
                NC_HW_ROWS;
  } else {
    wslot = e->wbase[s->w_slot];
  }
  if (s->acc_first && s->acc >= 2) {
    flush_(e, 0, s->acc - 2);
  }
  unsigned first = s->in_load || s->w_load ? PP : 0;
  if (s->acc_first && s->acc >= 2) {
    first |= PN;
  }
  size_t n0 = e->pr->n;
  if (v->local) {
    const int64_t tp = tl->px1 - tl->px0;
    const uint32_t nb = (uint32_t)v->batch;
    for (int64_t p = 0; p < tp; p++) {
      for (int j = 0; j < ocn; j++) {
        for (int z = 0; z < kz; z++) {
          gemm_(e, wslot + (uint32_t)(((p * ocn + j) * kz + z) * NC_HW_COLS),
                islot + (uint32_t)((int64_t)z * tp * nb + p * nb),
                ab + (uint32_t)(((int64_t)j * tp + p) * nb), 1, nb, 0, 1, 0,
                !(s->ks == 0 && z == 0), first);
          first = 0;
        }
      }
    }
  } else if (v->dwm) {
    const int64_t th = tl->cy1 - tl->cy0, tw = tl->cx1 - tl->cx0;
    const int64_t wi = (tw - 1) * v->sw + v->KW;
    dwconv_(e, wslot, islot + (v->dwm == 2 ? (uint32_t)s->b : 0), ab,
            (uint32_t)th, (uint32_t)tw, (uint32_t)wi, first);
  } else {
    const int64_t th = tl->cy1 - tl->cy0, tw = tl->cx1 - tl->cx0;
    const int64_t hi = (th - 1) * v->sh + (v->KH - 1) * v->dh + 1;
    const int64_t wi = (tw - 1) * v->sw + (v->KW - 1) * v->dw + 1;
    for (int j = 0; j < ocn; j++) {
      for (int z = 0; z < kz; z++) {
        for (int t = 0; t < v->taps; t++) {
          const int kh = t / v->KW, kw = t % v->KW;
          if (j == 1 && z == 0 && t == 0 && e->wsplit) {
            first |= PP; /* the rest of the first step's weights */
            e->wsplit = 0;
          }
          gemm_(e,
                wslot + (uint32_t)(((j * kz + z) * v->taps + t) * NC_HW_COLS),
                islot + (uint32_t)(z * hi * wi + (int64_t)kh * v->dh * wi +
                                   (int64_t)kw * v->dw),
                ab + (uint32_t)(j * th * tw), (uint32_t)th, (uint32_t)tw,
                (uint32_t)(v->sh * wi), (uint32_t)v->sw, (uint32_t)tw,
                !(s->ks == 0 && z == 0 && t == 0), first);
          first = 0;
        }
      }
    }
  }
  if (e->pr->oom) {
    return;
  }
  /* The last GEMM of the step: find it (stores may follow it). */
  size_t last = e->pr->n;
  while (last > n0 && !is_compute_(&e->pr->v[last - 1])) {
    last--;
  }
  nc_hw_insn_t *g = &e->pr->v[last - 1];
  if (s->push_c2l) {
    g->w[0] |= UP;
  }
  if (s->acc_last) {
    g->w[0] |= UN;
  }
}

static void load_param_(em_t *e, uint32_t slot, uint32_t count, uint64_t dram,
                        int64_t tile) {
  nc_hw_insn_t i;
  memset(&i, 0, sizeof i);
  nc_hw_insn_set_opcode(&i, NC_HW_OP_LOAD_PARAM);
  nc_hw_load_param_set_param_addr(&i, slot);
  nc_hw_load_param_set_count(&i, count);
  nc_hw_load_param_set_dram_offset(&i, (uint32_t)dram);
  pend_(e, &i, tile);
}

/* The STOREs of accumulator tile `u` (ending at step s), queued. */
static void stores_(em_t *e, const step_t *s, int push_s2c) {
  const vconv_t *v = e->v;
  const pcfg_t *c = e->c;
  const ptile_t *tl = &e->ps->tiles[s->t];
  const int oc = vc_oc(v, s->b), obb = vc_ob(v, s->b);
  const int ocn = oc - s->og * c->oct < c->oct ? oc - s->og * c->oct : c->oct;
  const uint32_t ab = e->abase[s->acc & 1];
  const int64_t co_base =
      (int64_t)s->b * v->ob + (int64_t)s->og * c->oct * NC_HW_COLS;
  const int och = ocn * NC_HW_COLS;
  const int64_t nrec_grp = obb - (int64_t)s->og * c->oct * NC_HW_COLS < och
                               ? obb - (int64_t)s->og * c->oct * NC_HW_COLS
                               : och;
  size_t first = e->npend;
  if (v->local) {
    const int64_t tp = tl->px1 - tl->px0;
    if (!e->params_all) {
      for (int64_t p = 0; p < tp; p++) {
        load_param_(e, (uint32_t)(p * och), (uint32_t)nrec_grp,
                    v->prm_off + (uint64_t)(((tl->px0 + p) * v->O + co_base) *
                                            NC_HW_QPARAM_BYTES),
                    s->acc);
      }
    }
    first = e->npend;
    for (int j = 0; j < ocn; j++) {
      const int64_t co = co_base + (int64_t)j * NC_HW_COLS;
      const int ncols = (int)(obb - (co - (int64_t)s->b * v->ob) < NC_HW_COLS
                                  ? obb - (co - (int64_t)s->b * v->ob)
                                  : NC_HW_COLS);
      for (int64_t p = 0; p < tp; p++) {
        nc_hw_insn_t i;
        memset(&i, 0, sizeof i);
        nc_hw_insn_set_opcode(&i, NC_HW_OP_STORE);
        nc_hw_store_set_acc_addr(
            &i, ab + (uint32_t)(((int64_t)j * tp + p) * v->batch));
        nc_hw_store_set_dram_offset(
            &i, (uint32_t)(v->out_off +
                           (uint64_t)(((tl->px0 + p) * v->O + co) * v->es)));
        nc_hw_store_set_param_addr(
            &i, e->params_all ? (uint32_t)((tl->px0 + p) * v->O + co)
                              : (uint32_t)(p * och + j * NC_HW_COLS));
        nc_hw_store_set_n_cols(&i, (uint32_t)ncols);
        nc_hw_store_set_y_size(&i, 1);
        nc_hw_store_set_x_size(&i, (uint32_t)v->batch);
        pend_(e, &i, s->acc);
      }
    }
  } else {
    const int64_t key = (int64_t)s->b * e->ps->og_max + s->og;
    if (!e->params_all && e->prm_key != key) {
      load_param_(e, 0, (uint32_t)nrec_grp,
                  v->prm_off + (uint64_t)co_base * NC_HW_QPARAM_BYTES, s->acc);
      e->prm_key = key;
    }
    first = e->npend;
    const int64_t th = tl->cy1 - tl->cy0, tw = tl->cx1 - tl->cx0;
    for (int j = 0; j < ocn; j++) {
      const int64_t co = co_base + (int64_t)j * NC_HW_COLS;
      const int64_t rem = obb - (co - (int64_t)s->b * v->ob);
      nc_hw_insn_t i;
      memset(&i, 0, sizeof i);
      nc_hw_insn_set_opcode(&i, NC_HW_OP_STORE);
      nc_hw_store_set_acc_addr(&i, ab + (uint32_t)(j * th * tw));
      nc_hw_store_set_dram_offset(
          &i, (uint32_t)(v->out_off +
                         (uint64_t)((((tl->n * v->POH + tl->py0) * v->POW +
                                      tl->px0) *
                                         v->O +
                                     co) *
                                    v->es)));
      nc_hw_store_set_param_addr(
          &i, e->params_all ? (uint32_t)co : (uint32_t)(j * NC_HW_COLS));
      nc_hw_store_set_n_cols(&i,
                             (uint32_t)(rem < NC_HW_COLS ? rem : NC_HW_COLS));
      nc_hw_store_set_y_size(&i, (uint32_t)th);
      nc_hw_store_set_x_size(&i, (uint32_t)tw);
      nc_hw_store_set_pool_pad_top(&i, (uint32_t)tl->spt);
      nc_hw_store_set_pool_pad_bottom(&i, (uint32_t)tl->spb);
      nc_hw_store_set_pool_pad_left(&i, (uint32_t)tl->spl);
      nc_hw_store_set_pool_pad_right(&i, (uint32_t)tl->spr);
      nc_hw_store_set_add_param(&i, v->add ? v->aq_slot : 0);
      pend_(e, &i, s->acc);
    }
  }
  if (e->pr->oom || e->npend == first) {
    return;
  }
  e->pend[first].w[0] |= PP;
  if (push_s2c) {
    e->pend[e->npend - 1].w[0] |= UP;
  }
}

/* The steps of a pass in loop order, with slot rotation and tokens. */
static step_t *plan_steps_(const pass_t *ps, int64_t *count) {
  const vconv_t *v = &ps->v;
  const pcfg_t *c = &ps->c;
  int64_t n = 0;
  for (int b = 0; b < v->nblk; b++) {
    const int og = (vc_oc(v, b) + c->oct - 1) / c->oct;
    const int ks = (vc_kc(v, b) + c->kct - 1) / c->kct;
    n += (int64_t)og * ks;
  }
  n *= ps->ntiles;
  step_t *st = calloc((size_t)n, sizeof *st);
  if (st == NULL) {
    return NULL;
  }
  int64_t k = 0;
  if (c->order == NC_PLAN_PIXELS_OUTER) {
    for (int64_t t = 0; t < ps->ntiles; t++) {
      for (int b = 0; b < v->nblk; b++) {
        const int og = (vc_oc(v, b) + c->oct - 1) / c->oct;
        const int ks = (vc_kc(v, b) + c->kct - 1) / c->kct;
        for (int o = 0; o < og; o++) {
          for (int r = 0; r < ks; r++) {
            st[k++] = (step_t){.t = t, .b = b, .og = o, .ks = r};
          }
        }
      }
    }
  } else {
    for (int b = 0; b < v->nblk; b++) {
      const int og = (vc_oc(v, b) + c->oct - 1) / c->oct;
      const int ks = (vc_kc(v, b) + c->kct - 1) / c->kct;
      for (int o = 0; o < og; o++) {
        for (int64_t t = 0; t < ps->ntiles; t++) {
          for (int r = 0; r < ks; r++) {
            st[k++] = (step_t){.t = t, .b = b, .og = o, .ks = r};
          }
        }
      }
    }
  }
  /* Slots: a new key goes to the other slot, freed when the compute unit
   * finished the last step that used the old content. */
  int64_t ikey[2] = {-1, -1}, ilast[2] = {-1, -1};
  int64_t wk[2] = {-1, -1}, wlast[2] = {-1, -1};
  int icur = 1, wcur = 1;
  int64_t acc = -1, akey = -1;
  for (int64_t s = 0; s < n; s++) {
    step_t *p = &st[s];
    /* A depthwise tile holds every block's channels. */
    const int64_t in_key =
        v->dwm == 2 ? p->t : (p->t * v->nblk + p->b) * ps->ks_max + p->ks;
    if (ikey[icur] != in_key) {
      icur ^= 1;
      p->in_load = 1;
      p->in_rel = ilast[icur];
      ikey[icur] = in_key;
    }
    p->in_slot = icur;
    ilast[icur] = s;
    if (!c->wres) {
      const int64_t w_key = wkey_(ps, p);
      if (wk[wcur] != w_key) {
        wcur ^= 1;
        p->w_load = 1;
        p->w_rel = wlast[wcur];
        wk[wcur] = w_key;
      }
      p->w_slot = wcur;
      wlast[wcur] = s;
    } else {
      p->w_load = s == 0;
      p->w_rel = -1;
    }
    const int64_t a_key = (p->t * v->nblk + p->b) * ps->og_max + p->og;
    if (a_key != akey) {
      acc++;
      akey = a_key;
      p->acc_first = 1;
      if (s > 0) {
        st[s - 1].acc_last = 1;
      }
    }
    p->acc = acc;
  }
  if (n > 0) {
    st[n - 1].acc_last = 1;
  }
  /* Release points move forward: one pop per new point. */
  int64_t rmax = -1;
  for (int64_t s = 0; s < n; s++) {
    step_t *p = &st[s];
    if (p->in_load && p->in_rel > rmax) {
      rmax = p->in_rel;
      p->in_pop = 1;
      st[rmax].push_c2l = 1;
    }
    if (p->w_load && !c->wres && p->w_rel > rmax) {
      rmax = p->w_rel;
      p->w_pop = 1;
      st[rmax].push_c2l = 1;
    }
  }
  *count = n;
  return st;
}

nc_status_t nc__plan_emit_pass(pass_t *ps, const nc_plan_caps_t *caps,
                               iprog_t *out) {
  const vconv_t *v = &ps->v;
  const pcfg_t *c = &ps->c;
  int64_t n = 0;
  step_t *st = plan_steps_(ps, &n);
  if (st == NULL) {
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory for the steps");
  }
  ps->nsteps = n;
  if (ps->max_steps > 0 && n > ps->max_steps) {
    /* A prefix for the search: stop after a step that ends a tile. */
    int64_t k = ps->max_steps;
    while (k < n && !st[k - 1].acc_last) {
      k++;
    }
    n = k;
  }
  ps->emitted = n;
  em_t e;
  memset(&e, 0, sizeof e);
  e.pr = out;
  e.ps = ps;
  e.v = v;
  e.c = c;
  e.prm_key = -1;
  e.params_all = v->nprm <= (int64_t)caps->param_entries;
  /* Scratchpad: [resident weights | weight slots] [input slots]. */
  uint32_t in_slot = 0, w_slot = 0;
  if (v->local) {
    in_slot = (uint32_t)(c->kct * c->ptw * v->batch);
    w_slot = (uint32_t)(c->ptw * c->oct * c->kct * NC_HW_COLS);
  } else {
    int64_t hmax = 0, wmax = 0;
    for (int64_t t = 0; t < ps->ntiles; t++) {
      const ptile_t *tl = &ps->tiles[t];
      const int64_t hi =
          (tl->cy1 - tl->cy0 - 1) * v->sh + (v->KH - 1) * v->dh + 1;
      const int64_t wi =
          (tl->cx1 - tl->cx0 - 1) * v->sw + (v->KW - 1) * v->dw + 1;
      hmax = hi > hmax ? hi : hmax;
      wmax = wi > wmax ? wi : wmax;
    }
    in_slot = (uint32_t)(c->kct * hmax * wmax * (v->dwm == 2 ? v->nblk : 1));
    w_slot = (uint32_t)(c->oct * c->kct * v->taps * NC_HW_COLS);
  }
  if (c->wres) {
    e.wres_base = 0;
    e.ibase[0] = (uint32_t)ps->wall_rows;
  } else {
    e.wbase[0] = 0;
    e.wbase[1] = w_slot;
    e.ibase[0] = 2 * w_slot;
  }
  /* Inputs from the next bank on when they still fit: a GEMM's weight
   * preload reads the scratchpad while the previous GEMM streams its
   * activations, and loses every cycle they share a bank (timing.h). */
  {
    const uint32_t bank = NC_HW_SPAD_BANK_ROWS;
    const uint64_t up = ((uint64_t)e.ibase[0] + bank - 1) / bank * bank;
    if (up + 2 * (uint64_t)in_slot <= caps->spad_rows) {
      e.ibase[0] = (uint32_t)up;
    }
  }
  e.ibase[1] = e.ibase[0] + in_slot;
  e.abase[0] = 0;
  e.abase[1] = caps->acc_rows / 2;
  /* Store path configuration and the parameters, when they all fit. */
  {
    nc_hw_insn_t *i = add_(out, NC_HW_OP_STORE_CFG, 0);
    nc_hw_store_cfg_set_out_fmt(i, (uint32_t)v->fmt);
    nc_hw_store_cfg_set_pool_op(i, (uint32_t)v->pool_op);
    nc_hw_store_cfg_set_pool_kh(i, (uint32_t)v->pkh);
    nc_hw_store_cfg_set_pool_kw(i, (uint32_t)v->pkw);
    nc_hw_store_cfg_set_pool_sh(i, (uint32_t)v->psh);
    nc_hw_store_cfg_set_pool_sw(i, (uint32_t)v->psw);
    if (v->local) {
      nc_hw_store_cfg_set_x_stride(i, (uint32_t)(v->OH * v->OW * v->O * v->es));
      nc_hw_store_cfg_set_y_stride(i, 0);
    } else {
      nc_hw_store_cfg_set_x_stride(i, (uint32_t)(v->O * v->es));
      nc_hw_store_cfg_set_y_stride(i, (uint32_t)(v->POW * v->O * v->es));
    }
    if (v->add) {
      /* The residual has the output's layout: one delta for every STORE
       * (set before the next add_() may move `i`). */
      nc_hw_store_cfg_set_add(i, 1);
      nc_hw_store_cfg_set_res_delta(i, (uint32_t)(v->res_off - v->out_off));
    }
    if (e.params_all && v->nprm > 0) {
      nc_hw_insn_t *lp = add_(out, NC_HW_OP_LOAD_PARAM, 0);
      nc_hw_load_param_set_param_addr(lp, 0);
      nc_hw_load_param_set_count(lp, (uint32_t)v->nprm);
      nc_hw_load_param_set_dram_offset(lp, (uint32_t)v->prm_off);
    }
    if (v->add) {
      /* Its addq record sits above the entries the plan uses. */
      nc_hw_insn_t *lp = add_(out, NC_HW_OP_LOAD_PARAM, 0);
      nc_hw_load_param_set_param_addr(lp, v->aq_slot);
      nc_hw_load_param_set_count(lp, NC_HW_ADDQ_BYTES / NC_HW_QPARAM_BYTES);
      nc_hw_load_param_set_dram_offset(lp, (uint32_t)v->aq_off);
    }
  }
  /* Ring order: Loads(0), Loads(1), Comp(0), Loads(2), Comp(1), ... A
   * depthwise tile feeds every block's step, so its loads go ahead of the
   * first of the tile before (whose slot it takes, freed by the tile before
   * that): Loads(0), Loads(k1), Comp(0), ..., Comp(k1 - 1), Loads(k2),
   * Comp(k1), ..., where k1, k2 start tiles (its weights are resident). */
  if (n > 0) {
    loads_(&e, &st[0], 1);
  }
  for (int64_t s = 0; s < n && !out->oom; s++) {
    if (v->dwm == 2) {
      if (st[s].in_load) {
        int64_t k = s + 1;
        while (k < n && !st[k].in_load) {
          k++;
        }
        if (k < n) {
          loads_(&e, &st[k], 0);
        }
      }
    } else if (s + 1 < n) {
      loads_(&e, &st[s + 1], 0);
    }
    comp_(&e, &st[s]);
    if (st[s].acc_last) {
      /* Its half is reused by tile acc + 2, if there is one. */
      const int64_t nacc = st[n - 1].acc + 1;
      stores_(&e, &st[s], st[s].acc + 2 < nacc);
    }
    if (s + 1 == n) {
      break;
    }
  }
  flush_(&e, 0, INT64_MAX);
  free(e.pend);
  free(e.pend_tile);
  free(st);
  if (out->oom) {
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory for the program");
  }
  (void)add_(out, NC_HW_OP_FINISH, 0);
  if (out->oom) {
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory for the program");
  }
  return NC_OK;
}

nc_status_t nc__plan_emit_all(struct nc_plan *p) {
  nc__iprog_free(&p->prog);
  for (int i = 0; i < p->npass; i++) {
    nc_status_t st = nc__plan_emit_pass(&p->pass[i], &p->caps, &p->prog);
    if (st != NC_OK) {
      nc__iprog_free(&p->prog);
      return st;
    }
  }
  return NC_OK;
}
