/*
 * The planner: lowering a layer to virtual convolutions (vconv_t), choosing
 * tile sizes and loop order with a cost model, laying out the arena and the
 * constants, packing inputs and decoding outputs. plan_emit.c writes the
 * instruction stream of a configuration, plan_cost.c replays it through the
 * functional model's scheduler (neocog/sched.h), without data.
 *
 * The search, per pass: every loop order, output-channel and reduction
 * chunking, tile width (and the tallest tile height that fits, plus a
 * balanced one), resident or streamed weights, is first ranked by a closed
 * form (cycles = the busiest of compute, load unit, store unit, memory port
 * and instruction fetch, plus a fill and a drain); the best few are emitted
 * and replayed, and the fewest replayed cycles win (DRAM bytes break
 * near-ties). Lowerings (direct or im2col) and pooling placements (fused or
 * a second pass) are planned that way each and compared the same way.
 */
#include "neocog/plan.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "host/layer_check.h"
#include "host/plan_internal.h"
#include "neocog/timing.h"

/* The array: ROWS_ int8 lanes per scratchpad row (the reduction of one
 * chunk, the bytes of one row), COLS_ columns (the output channels of one
 * chunk, the scratchpad rows of one weight tile). */
#define ROWS_ NC_HW_ROWS
#define COLS_ NC_HW_COLS
#define ALIGN 64u

static int64_t cdiv_(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

static uint64_t align_(uint64_t x) {
  return (x + ALIGN - 1) / ALIGN * ALIGN;
}

void nc_plan_caps_default(nc_plan_caps_t *caps) {
  if (caps == NULL) {
    return;
  }
  memset(caps, 0, sizeof *caps);
  caps->spad_rows = NC_HW_SPAD_ROWS;
  caps->acc_rows = NC_HW_ACC_ROWS;
  caps->param_entries = NC_HW_PARAM_ENTRIES;
  caps->mem_latency = 100;
  caps->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  caps->im2col = -1;
  caps->pool_pass = -1;
  caps->max_candidates = 6;
  caps->read_cost = 1.0 / NC_HW_BUS_BYTES;
}

static nc_status_t check_caps_(const nc_plan_caps_t *c) {
  if (c->spad_rows < 64 || c->spad_rows > NC_HW_SPAD_ROWS || c->acc_rows < 2 ||
      c->acc_rows > NC_HW_ACC_ROWS || c->param_entries < COLS_ ||
      c->param_entries > NC_HW_PARAM_ENTRIES || c->mem_bytes_per_cycle < 1 ||
      c->mem_bytes_per_cycle > NC_HW_BUS_BYTES || c->im2col < -1 ||
      c->im2col > 1 || c->host_im2col < 0 || c->host_im2col > 2 ||
      c->pool_pass < -1 || c->pool_pass > 2 ||
      c->max_candidates < 1 || c->max_candidates > 64 ||
      !(c->read_cost >= 0 && c->read_cost <= 1)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "plan: capacities out of range (scratchpad %u rows: "
                    "64..%u; accumulator %u rows: 2..%u; params %u: %u..%u; "
                    "bandwidth %u: 1..%u; candidates %u: 1..64; "
                    "read cost %g: 0..1; "
                    "im2col -1..1, host_im2col 0..2, pool_pass -1..2)",
                    c->spad_rows, NC_HW_SPAD_ROWS, c->acc_rows, NC_HW_ACC_ROWS,
                    c->param_entries, COLS_, NC_HW_PARAM_ENTRIES,
                    c->mem_bytes_per_cycle, NC_HW_BUS_BYTES, c->max_candidates,
                    c->read_cost);
  }
  return NC_OK;
}

/* ---- Weights of a pass, element by element ---- */

typedef enum {
  WK_IDENT,
  WK_CONV,
  WK_CONV_I2C,
  WK_FC,
  WK_LOCAL,
  WK_DW /* depthwise, one tile per block: row = channel, lane = tap */
} wkind_t;

typedef struct {
  wkind_t kind;
  const int8_t *w;
  int64_t KH, KW, taps, C, O, cg, og;
  int64_t cb, ob; /* original channels / outputs per full block */
  int64_t nblk, cb_last;
} wsrc_t;

/* Original weight of block b, block output ol, tap t, block channel cl. */
static int8_t wconv_(const wsrc_t *s, int64_t b, int64_t ol, int64_t t,
                     int64_t cl) {
  const int64_t o = b * s->ob + ol, c = b * s->cb + cl;
  if (o / s->og != c / s->cg) {
    return 0;
  }
  return s->w[(o * s->taps + t) * s->cg + c % s->cg];
}

static int8_t wval_(const wsrc_t *s, int64_t bp, int ol, int t, int cl) {
  switch (s->kind) {
    case WK_IDENT:
      return (int8_t)(ol == cl);
    case WK_CONV:
      return wconv_(s, bp, ol, t, cl);
    case WK_CONV_I2C: {
      const int64_t cbb = bp == s->nblk - 1 ? s->cb_last : s->cb;
      if (cl >= s->taps * cbb) {
        return 0;
      }
      return wconv_(s, bp, ol, cl / cbb, cl % cbb);
    }
    case WK_FC:
      return s->w[(int64_t)ol * s->C + cl];
    case WK_DW:
      return cl < s->taps ? s->w[(bp * s->ob + ol) * s->taps + cl] : 0;
    case WK_LOCAL:
      if (cl >= s->taps * s->C) {
        return 0;
      }
      return s->w[((bp * s->O + ol) * s->taps + cl / s->C) * s->C + cl % s->C];
  }
  return 0;
}

/* ---- Tiles ---- */

typedef struct {
  int64_t p0, p1, c0, c1; /* stored range, conv range */
  int pa, pb;             /* store-path pooling pads */
} range_t;

/* Splits [0, P) stored pixels into tiles of `pt`, with the conv range each
 * needs (pooling window k, stride s, pad pb_ before; conv extent D). */
static range_t *ranges_(int64_t P, int64_t pt, int k, int s, int pad, int64_t D,
                        int64_t *count) {
  const int64_t n = cdiv_(P, pt);
  range_t *r = malloc((size_t)n * sizeof *r);
  if (r == NULL) {
    return NULL;
  }
  for (int64_t i = 0; i < n; i++) {
    range_t *x = &r[i];
    x->p0 = i * pt;
    x->p1 = x->p0 + pt < P ? x->p0 + pt : P;
    const int64_t start = x->p0 * s - pad;
    const int64_t end = (x->p1 - 1) * s - pad + k;
    x->c0 = start < 0 ? 0 : start;
    x->c1 = end > D ? D : end;
    x->pa = (int)(x->c0 - start);
    x->pb = (int)(end - x->c1);
  }
  *count = n;
  return r;
}

/* How much each part of a cut first tile grows over the one before: an
 * im2col LOAD writes about kc rows a pixel where the GEMMs of every output
 * chunk take kc x oc cycles, so a part three times longer still loads
 * within the one before it on first layers of 32 or more outputs. */
#define RAMP 3

static nc_status_t make_tiles_(pass_t *ps) {
  const vconv_t *v = &ps->v;
  const pcfg_t *c = &ps->c;
  free(ps->tiles);
  ps->tiles = NULL;
  if (v->local) {
    const int64_t P = v->OH * v->OW;
    ps->ntiles = cdiv_(P, c->ptw);
    ps->tiles = calloc((size_t)ps->ntiles, sizeof *ps->tiles);
    if (ps->tiles == NULL) {
      return nc__fail(NC_ERR_NOMEM, "plan: out of memory for tiles");
    }
    for (int64_t t = 0; t < ps->ntiles; t++) {
      ptile_t *x = &ps->tiles[t];
      x->px0 = x->cx0 = t * c->ptw;
      x->px1 = x->cx1 = x->px0 + c->ptw < P ? x->px0 + c->ptw : P;
      x->py1 = x->cy1 = 1;
    }
    return NC_OK;
  }
  int64_t ny = 0, nx = 0;
  range_t *ry = ranges_(v->POH, c->pth, v->pkh, v->psh, v->ppt, v->OH, &ny);
  range_t *rx = ranges_(v->POW, c->ptw, v->pkw, v->psw, v->ppl, v->OW, &nx);
  /* An im2col LOAD writes every row plane of its tile before the tile's
   * first GEMM may start, so the first tile's rows are all exposed, and
   * the next tile's LOAD must end within the first one's GEMMs: the first
   * tile is cut along y into parts that grow RAMP times, the first just
   * tall enough for GEMMs no shorter than a weight preload. */
  int64_t cut[16];
  int ncut = 0;
  if (v->i2c && v->pool_op == NC_HW_POOL_NONE && ry && rx) {
    const int64_t w0 = rx[0].p1 - rx[0].p0, t0 = ry[0].p1 - ry[0].p0;
    int64_t h = cdiv_(2 * COLS_, w0), at = 0;
    while (at + h < t0 && ncut < 15) {
      cut[ncut++] = at + h;
      at += h;
      h *= RAMP;
    }
  }
  /* Its last tile's STOREs come after every GEMM: with c->tail the last
   * tile is cut along y into parts that shrink RAMP times, the last just
   * tall enough for GEMMs no shorter than a weight preload, so less is
   * left to store at the end (the search tries both). */
  int64_t tcut[16];
  int ntc = 0;
  if (c->tail && v->i2c && v->pool_op == NC_HW_POOL_NONE && ry && rx &&
      v->N * ny * nx > 1) { /* the last tile is not the first */
    const int64_t y0 = ry[ny - 1].p0;
    int64_t h = cdiv_(2 * COLS_, rx[nx - 1].p1 - rx[nx - 1].p0);
    int64_t at = ry[ny - 1].p1;
    while (at - h > y0 && ntc < 15) {
      at -= h;
      tcut[ntc++] = at; /* descending */
      h *= RAMP;
    }
  }
  ps->ntiles = v->N * ny * nx + ncut + ntc;
  ps->tiles = ry && rx ? calloc((size_t)ps->ntiles, sizeof *ps->tiles) : NULL;
  if (ps->tiles == NULL) {
    free(ry);
    free(rx);
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory for tiles");
  }
  int64_t k = 0;
  for (int64_t n = 0; n < v->N; n++) {
    for (int64_t y = 0; y < ny; y++) {
      for (int64_t x = 0; x < nx; x++) {
        ps->tiles[k++] = (ptile_t){.n = n,
                                   .py0 = ry[y].p0,
                                   .py1 = ry[y].p1,
                                   .px0 = rx[x].p0,
                                   .px1 = rx[x].p1,
                                   .cy0 = ry[y].c0,
                                   .cy1 = ry[y].c1,
                                   .cx0 = rx[x].c0,
                                   .cx1 = rx[x].c1,
                                   .spt = ry[y].pa,
                                   .spb = ry[y].pb,
                                   .spl = rx[x].pa,
                                   .spr = rx[x].pb};
      }
    }
  }
  if (ncut > 0) {
    memmove(&ps->tiles[ncut], &ps->tiles[0],
            (size_t)(k * (int64_t)sizeof *ps->tiles));
    for (int i = 0; i < ncut; i++) {
      ps->tiles[i] = ps->tiles[ncut];
      ps->tiles[i].py0 = ps->tiles[i].cy0 = i == 0 ? ps->tiles[ncut].py0
                                                   : cut[i - 1];
      ps->tiles[i].py1 = ps->tiles[i].cy1 = cut[i];
    }
    ps->tiles[ncut].py0 = ps->tiles[ncut].cy0 = cut[ncut - 1];
  }
  if (ntc > 0) {
    /* Parts [y0, tcut[ntc - 1]), ..., [tcut[0], y1) of the last tile. */
    const int64_t last = ps->ntiles - 1 - ntc;
    const ptile_t t = ps->tiles[last];
    for (int i = 0; i <= ntc; i++) {
      ptile_t *x = &ps->tiles[last + i];
      *x = t;
      x->py0 = x->cy0 = i == 0 ? t.py0 : tcut[ntc - i];
      x->py1 = x->cy1 = i == ntc ? t.py1 : tcut[ntc - 1 - i];
    }
  }
  free(ry);
  free(rx);
  return NC_OK;
}

/* Weight regions of a configuration: offsets from 0 in key order. */
static nc_status_t make_wreg_(pass_t *ps) {
  const vconv_t *v = &ps->v;
  const pcfg_t *c = &ps->c;
  free(ps->wreg);
  ps->og_max = (int)cdiv_(vc_oc(v, 0), c->oct);
  ps->ks_max = (int)cdiv_(vc_kc(v, 0), c->kct);
  const int64_t outer = v->local ? ps->ntiles : v->nblk;
  ps->nwreg = outer * ps->og_max * ps->ks_max;
  ps->wreg = calloc((size_t)ps->nwreg, sizeof *ps->wreg);
  if (ps->wreg == NULL) {
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory for weight regions");
  }
  uint64_t off = 0;
  for (int64_t o = 0; o < outer; o++) {
    const int b = v->local ? 0 : (int)o;
    const int oc = vc_oc(v, b), kc = vc_kc(v, b);
    const int64_t tp = v->local ? ps->tiles[o].px1 - ps->tiles[o].px0 : 1;
    for (int g = 0; g < ps->og_max; g++) {
      for (int r = 0; r < ps->ks_max; r++) {
        wreg_t *w = &ps->wreg[(o * ps->og_max + g) * ps->ks_max + r];
        w->off = off;
        const int ocn = oc - g * c->oct < c->oct ? oc - g * c->oct : c->oct;
        const int kz = kc - r * c->kct < c->kct ? kc - r * c->kct : c->kct;
        if (ocn <= 0 || kz <= 0) {
          continue;
        }
        w->rows = (uint32_t)(tp * ocn * kz * v->taps * COLS_);
        off += (uint64_t)w->rows * ROWS_;
      }
    }
  }
  ps->wall_rows = off / ROWS_;
  return NC_OK;
}

/* ---- Feasibility and the closed-form estimate ---- */

typedef struct {
  int64_t th, tw, hi, wi; /* largest conv tile and input tile */
} tdim_t;

static tdim_t tile_dims_(const vconv_t *v, const pcfg_t *c) {
  tdim_t d;
  if (v->local) {
    d.th = 1, d.tw = c->ptw, d.hi = 1, d.wi = c->ptw * v->batch;
    return d;
  }
  int64_t th = (c->pth - 1) * v->psh + v->pkh;
  int64_t tw = (c->ptw - 1) * v->psw + v->pkw;
  th = th < v->OH ? th : v->OH;
  tw = tw < v->OW ? tw : v->OW;
  d.th = th, d.tw = tw;
  d.hi = (th - 1) * v->sh + (v->KH - 1) * v->dh + 1;
  d.wi = (tw - 1) * v->sw + (v->KW - 1) * v->dw + 1;
  return d;
}

static uint64_t wall_rows_(const vconv_t *v) {
  uint64_t r = 0;
  for (int b = 0; b < v->nblk; b++) {
    r += (uint64_t)vc_oc(v, b) * (uint64_t)vc_kc(v, b) * (uint64_t)v->taps *
         COLS_;
  }
  if (v->local) {
    r = (uint64_t)(v->OH * v->OW) * (uint64_t)vc_oc(v, 0) *
        (uint64_t)vc_kc(v, 0) * COLS_;
  }
  return r;
}

static int feasible_(const vconv_t *v, const pcfg_t *c,
                     const nc_plan_caps_t *caps) {
  const tdim_t d = tile_dims_(v, c);
  const uint64_t half = caps->acc_rows / 2;
  uint64_t in_slot, w_slot, acc;
  if (v->local) {
    if (v->batch > 1023 || c->ptw > 1023 || c->kct > 255) {
      return 0;
    }
    acc = (uint64_t)c->oct * (uint64_t)c->ptw * (uint64_t)v->batch;
    in_slot = (uint64_t)c->kct * (uint64_t)c->ptw * (uint64_t)v->batch;
    w_slot = (uint64_t)c->ptw * (uint64_t)c->oct * (uint64_t)c->kct * COLS_;
    if (v->nprm > (int64_t)caps->param_entries &&
        (uint64_t)c->ptw * (uint64_t)c->oct * COLS_ > caps->param_entries) {
      return 0;
    }
  } else {
    if (d.th > 1023 || d.tw > 1023 || d.wi > 1023 + 30 ||
        (uint64_t)v->sh * (uint64_t)d.wi > 65535 || c->kct > 255 ||
        v->sw > 255) {
      return 0;
    }
    if (v->i2c) {
      /* One im2col LOAD per tile, every chunk; its input tile (bounded
       * by the padded one) fits the load unit's buffer. */
      const int64_t ih = (d.th - 1) * v->rsh + v->rKH;
      const int64_t iw = (d.tw - 1) * v->rsw + v->rKW;
      if (c->kct != vc_kc(v, 0) || iw > 1023 + 30 || ih > 1023 + 30 ||
          ih * iw * v->rC > NC_HW_IM2COL_BUF_BYTES) {
        return 0;
      }
      }
    if (v->dwm && (d.wi > NC_HW_DW_LINE_MAX || d.tw > 255)) {
      return 0; /* a DWCONV's line and out_w fields */
    }
    acc = (uint64_t)c->oct * (uint64_t)(d.th * d.tw);
    in_slot = (uint64_t)c->kct * (uint64_t)(d.hi * d.wi) *
              (uint64_t)(v->dwm == 2 ? v->nblk : 1);
    w_slot = (uint64_t)c->oct * (uint64_t)c->kct * (uint64_t)v->taps * COLS_;
    if (v->nprm > (int64_t)caps->param_entries &&
        (uint64_t)c->oct * COLS_ > caps->param_entries) {
      return 0;
    }
  }
  if (acc > half) {
    return 0;
  }
  const uint64_t wneed = c->wres ? wall_rows_(v) : 2 * w_slot;
  return wneed + 2 * in_slot <= caps->spad_rows;
}

/* Sum of conv-tile extents and input-tile extents along one axis. */
static void axis_sums_(int64_t P, int64_t pt, int k, int s, int pad, int64_t D,
                       int st, int ke, int64_t *nt, int64_t *sc, int64_t *si) {
  *nt = cdiv_(P, pt);
  *sc = *si = 0;
  for (int64_t i = 0; i < *nt; i++) {
    const int64_t p0 = i * pt, p1 = p0 + pt < P ? p0 + pt : P;
    int64_t c0 = p0 * s - pad, c1 = (p1 - 1) * s - pad + k;
    c0 = c0 < 0 ? 0 : c0;
    c1 = c1 > D ? D : c1;
    *sc += c1 - c0;
    *si += (c1 - c0 - 1) * st + ke;
  }
}

/*
 * Closed-form cycles, per block: every step takes the longer of its compute
 * (or the fetch of its instructions) and the loads of the next step (each
 * LOAD pays the latency; a slot is free one array latency after its last
 * GEMM), with the steps that load input and/or weights counted by how often
 * the loop order reloads them; then the busiest of that, the memory port and
 * the store unit, plus a fill and a drain. The rates are base/include/neocog/timing.h's
 * (the RTL's): rows that are not contiguous in DRAM (channels beyond one
 * chunk) are one burst each, bounded by the bursts in flight; a GEMM with
 * new weights takes 2 * cols cycles at least; a STORE pays the latency and
 * its lane parameters once, and non-contiguous pixels like rows. Only a
 * first ranking: the replay of timing.h's rules decides. *rd_bytes gets
 * the bytes it reads (input, weights and instructions), as roughly.
 */
static double estimate_(const vconv_t *v, const pcfg_t *c,
                        const nc_plan_caps_t *caps, double *rd_bytes) {
  const double L = caps->mem_latency, B = caps->mem_bytes_per_cycle;
  int64_t T, PIX, INR, OUTPIX;
  if (v->local) {
    const int64_t P = v->OH * v->OW;
    T = cdiv_(P, c->ptw);
    PIX = P * v->batch;
    INR = PIX;
    OUTPIX = PIX;
  } else {
    int64_t ny, nx, scy, scx, siy, six;
    axis_sums_(v->POH, c->pth, v->pkh, v->psh, v->ppt, v->OH, v->sh,
               (v->KH - 1) * v->dh + 1, &ny, &scy, &siy);
    axis_sums_(v->POW, c->ptw, v->pkw, v->psw, v->ppl, v->OW, v->sw,
               (v->KW - 1) * v->dw + 1, &nx, &scx, &six);
    T = v->N * ny * nx;
    PIX = v->N * scy * scx;
    INR = v->N * siy * six;
    OUTPIX = v->N * v->POH * v->POW;
  }
  /* An im2col LOAD reads its input tile, a line a segment of whole bus
   * beats (about one beat more than its bytes): the bytes of all tiles. */
  double i2c_bytes = 0;
  if (v->i2c) {
    int64_t ny, nx, scy, scx, siy, six;
    axis_sums_(v->POH, c->pth, v->pkh, v->psh, v->ppt, v->OH, v->rsh, v->rKH,
               &ny, &scy, &siy);
    axis_sums_(v->POW, c->ptw, v->pkw, v->psw, v->ppl, v->OW, v->rsw, v->rKW,
               &nx, &scx, &six);
    i2c_bytes = (double)v->N * (double)siy *
                ((double)six * (double)v->rC + (double)(nx * NC_HW_BUS_BYTES));
  }
  double time = 0, port = 0, st = 0, rd = 0;
  const double esz = v->es;
  const double sbeats = (double)cdiv_((int64_t)(COLS_ * esz), (int64_t)B);
  const double lat = NC_HW_ARRAY_LATENCY;
  /* Cycles per scattered row (LOAD) and pixel (STORE): one burst each, with
   * at most NC__TM_OUTSTANDING bursts in flight. */
  const double flight = NC__TM_OUTSTANDING;
  const double in_rate =
      !v->i2c && v->C > ROWS_ && (L + 3) / flight > 1 ? (L + 3) / flight : 1;
  const double out_rate =
      v->O > COLS_ && (L - 7) / flight > 1 ? (L - 7) / flight : 1;
  for (int b = 0; b < v->nblk; b++) {
    const double kc = vc_kc(v, b), oc = vc_oc(v, b);
    const double OG = (double)cdiv_((int64_t)oc, c->oct);
    const double KS = (double)cdiv_((int64_t)kc, c->kct);
    const double steps = (double)T * OG * KS;
    const double kz = kc / KS, ocn = oc / OG;
    const double pix = (double)PIX / (double)T;
    const double taps = v->taps;
    const double gemms = v->local ? (double)c->ptw * ocn * kz : taps * kz * ocn;
    const double comp = taps * kz * ocn * pix;
    /* A GEMM shorter than the preload exposes the difference. */
    const double per_gemm = comp / gemms;
    double c_step =
        comp +
        (per_gemm < 2 * NC_HW_COLS ? gemms * (2 * NC_HW_COLS - per_gemm) : 0);
    const double nst = (v->local ? (double)c->ptw : 1.0) * ocn;
    const double insns_step = gemms + 4 + nst / KS;
    const double fetch = insns_step / 16.0 * (L + 16 + 4);
    c_step = fetch > c_step ? fetch : c_step;
    /* How often a step loads new input / weights. */
    double f_in, f_w;
    if (c->order == NC_PLAN_PIXELS_OUTER) {
      f_in = KS == 1 ? 1.0 / OG : 1.0;
      f_w = (OG == 1 && KS == 1 && v->nblk == 1) ? 1.0 / (double)T : 1.0;
    } else {
      f_in = KS == 1 && T == 1 ? 1.0 / OG : 1.0;
      f_w = KS == 1 ? 1.0 / (double)T : 1.0;
    }
    if (c->wres) {
      f_w = 0;
    }
    if (v->local) {
      f_w = 1.0;
    }
    const double in_rows = kz * (double)INR / (double)T;
    const double w_rows =
        (v->local ? (double)c->ptw : 1.0) * ocn * kz * taps * COLS_;
    const double li = L + in_rows * in_rate + 2, lw = L + w_rows + 2;
#define MX_(a, b) ((a) > (b) ? (a) : (b))
    time += steps * (f_in * f_w * MX_(c_step, li + lw + lat) +
                     f_in * (1 - f_w) * MX_(c_step, li + lat) +
                     (1 - f_in) * f_w * MX_(c_step, lw + lat) +
                     (1 - f_in) * (1 - f_w) * c_step);
#undef MX_
    const double in_tot = steps * f_in * in_rows, w_tot = steps * f_w * w_rows;
    const double obeats = (double)OUTPIX * oc * sbeats * out_rate;
    port += in_tot * in_rate + w_tot + steps * insns_step;
    st += (double)T * OG * nst * (L + NC_HW_COLS + 5) +
          ((double)PIX * oc > obeats ? (double)PIX * oc : obeats);
    rd += (v->i2c ? steps * f_in / (double)T * i2c_bytes
                  : in_tot * (v->local ? ROWS_
                                       : (double)(vc_cb(v, b) < ROWS_
                                                      ? vc_cb(v, b)
                                                      : ROWS_))) +
          w_tot * ROWS_ + steps * insns_step * NC_HW_INSN_BYTES;
  }
  const double wall = (double)wall_rows_(v);
  if (c->wres) {
    time += L + wall;
    port += wall;
    rd += wall * ROWS_;
  }
  double t = time;
  t = port > t ? port : t;
  t = st > t ? st : t;
  const tdim_t d = tile_dims_(v, c);
  t += 2 * L + (double)(c->kct * d.hi * d.wi) + (double)(d.th * d.tw) +
       NC_HW_ARRAY_LATENCY;
  *rd_bytes = rd;
  return t;
}

/* ---- Search ---- */

typedef struct {
  pcfg_t c;
  double est; /* cost_() of the predicted cycles and bytes read */
} cand_t;

/* The cycles each byte read costs in a pass's ranking: caps->read_cost
 * where the pass reads its input through the im2col LOAD (a first layer,
 * whose tile shape decides between reading the input about once and
 * reading it several times over, at nearly the same cycles), 0 elsewhere:
 * there a byte weight trades cycles of large layers for their rereads
 * (docs/performance.md), and near-ties go to fewer bytes instead. */
static double read_cost_(const vconv_t *v, const nc_plan_caps_t *caps) {
  return v->i2c ? caps->read_cost : 0;
}

/* What the search minimizes: the cycles, plus the bytes read over the bus
 * (whole beats, instruction fetch included) at read_cost_() cycles each.
 * A byte read costs energy and port time that the cycles do not show. */
static double cost_(const vconv_t *v, const nc_plan_caps_t *caps,
                    double cycles, double rd) {
  return cycles + read_cost_(v, caps) * rd;
}

/* Candidates that differ only in the tile's shape or the loop order and
 * were ranked alike (tilings of the same pixels a step, say): one of them
 * is enough. */
static int same_cand_(const cand_t *x, const cand_t *y) {
  return x->est == y->est && x->c.oct == y->c.oct && x->c.kct == y->c.kct &&
         x->c.wres == y->c.wres && x->c.pth * x->c.ptw == y->c.pth * y->c.ptw;
}

static int cand_cmp_(const void *a, const void *b) {
  const cand_t *x = a, *y = b;
  return x->est < y->est ? -1 : x->est > y->est ? 1 : 0;
}

/* Distinct values ceil(n / k), k = 1, 2, ..., at most `max` of them. */
static int splits_(int64_t n, int64_t *out, int max) {
  int m = 0;
  int64_t last = -1;
  for (int64_t k = 1; k <= n && m < max; k++) {
    const int64_t v = cdiv_(n, k);
    if (v != last) {
      out[m++] = v;
      last = v;
    }
  }
  if (m == max && out[m - 1] != 1) {
    out[m - 1] = 1;
  }
  return m;
}

typedef struct {
  cand_t *v;
  size_t n, cap;
} cands_t;

static int cands_add_(cands_t *cs, const cand_t *c) {
  if (cs->n == cs->cap) {
    size_t cap = cs->cap ? cs->cap * 2 : 256;
    cand_t *v = realloc(cs->v, cap * sizeof *v);
    if (v == NULL) {
      return -1;
    }
    cs->v = v;
    cs->cap = cap;
  }
  cs->v[cs->n++] = *c;
  return 0;
}

/* Largest tile height (stored pixels) that fits, by bisection: feasibility
 * only gets harder as the tile grows. */
static int64_t max_height_(const vconv_t *v, pcfg_t c,
                           const nc_plan_caps_t *caps) {
  int64_t lo = 0, hi = v->POH;
  while (lo < hi) {
    const int64_t mid = (lo + hi + 1) / 2;
    c.pth = mid;
    if (feasible_(v, &c, caps)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

typedef struct {
  pcfg_t c;
  uint64_t cycles, rd, wr, array_macs, insns, steps, tiles;
  uint64_t bus_rd; /* bytes of the bus beats read */
  double cost;     /* cost_() of cycles and bus_rd */
} best_t;

/* Tiles, weight regions, stream and replay of the configuration ps->c
 * (its first ps->max_steps steps, if set); *insns gets the stream's
 * length when not NULL. */
static nc_status_t replay_cfg_(pass_t *ps, const nc_plan_caps_t *caps,
                               plan_replay_t *r, size_t *insns) {
  nc_status_t st = make_tiles_(ps);
  if (st == NC_OK) {
    st = make_wreg_(ps);
  }
  iprog_t pr = {0};
  if (st == NC_OK) {
    st = nc__plan_emit_pass(ps, caps, &pr);
  }
  if (st == NC_OK) {
    st = nc__plan_replay(&pr, caps, NULL, r);
  }
  if (insns != NULL) {
    *insns = pr.n;
  }
  nc__iprog_free(&pr);
  return st;
}

static nc_status_t search_pass_(pass_t *ps, const nc_plan_caps_t *caps,
                                best_t *best, uint32_t *ranked) {
  const vconv_t *v = &ps->v;
  int64_t ocs[12], kcs[12], tws[24];
  int noc = splits_(vc_oc(v, 0), ocs, 12);
  int nkc = splits_(vc_kc(v, 0), kcs, 12);
  const int64_t W = v->local ? v->OH * v->OW : v->POW;
  int ntw = splits_(W, tws, 24);
  cands_t cs = {0};
  for (int order = 0; order < 2; order++) {
    for (int io = 0; io < noc; io++) {
      for (int ik = 0; ik < nkc; ik++) {
        if (kcs[ik] > 255) {
          continue;
        }
        for (int wres = 0; wres < 2; wres++) {
          if (v->dwm == 2 && !wres) {
            continue; /* plan_emit.c loads depthwise tiles a tile ahead */
          }
          for (int it = 0; it < ntw; it++) {
            pcfg_t c = {.order = (nc_plan_order_t)order,
                        .pth = 1,
                        .ptw = tws[it],
                        .oct = (int)ocs[io],
                        .kct = (int)kcs[ik],
                        .wres = wres};
            if (v->local) {
              if (!feasible_(v, &c, caps)) {
                continue;
              }
              double rd = 0;
              const double cyc = estimate_(v, &c, caps, &rd);
              cand_t k = {c, cost_(v, caps, cyc, rd)};
              if (cands_add_(&cs, &k) != 0) {
                free(cs.v);
                return nc__fail(NC_ERR_NOMEM, "plan: out of memory");
              }
              continue;
            }
            const int64_t hmax = max_height_(v, c, caps);
            if (hmax < 1) {
              continue;
            }
            /* The tallest tile, and the balanced one with as many tiles. */
            const int64_t hs[2] = {hmax, cdiv_(v->POH, cdiv_(v->POH, hmax))};
            for (int ih = 0; ih < 2; ih++) {
              if (ih == 1 && hs[1] == hs[0]) {
                continue;
              }
              c.pth = hs[ih];
              double rd = 0;
              const double cyc = estimate_(v, &c, caps, &rd);
              cand_t k = {c, cost_(v, caps, cyc, rd)};
              if (cands_add_(&cs, &k) != 0) {
                free(cs.v);
                return nc__fail(NC_ERR_NOMEM, "plan: out of memory");
              }
            }
          }
        }
      }
    }
  }
  if (cs.n == 0) {
    free(cs.v);
    return NC_ERR_UNSUPPORTED; /* the caller says why */
  }
  qsort(cs.v, cs.n, sizeof *cs.v, cand_cmp_);
  *ranked += (uint32_t)cs.n;
  nc_status_t st = NC_OK;
  /* Stage 2: the best by the closed form are emitted for their first
   * steps and replayed; the replayed rate per step re-ranks them. The
   * closed form cannot see everything the replay does (a long weight
   * transfer holding the memory port while the compute queue runs dry of
   * fetched GEMMs, say). */
  const size_t n2 = cs.n < 8 * (size_t)caps->max_candidates
                        ? cs.n
                        : 8 * (size_t)caps->max_candidates;
  for (size_t i = 0; i < n2 && st == NC_OK && n2 > caps->max_candidates; i++) {
    ps->c = cs.v[i].c;
    ps->max_steps = 48;
    plan_replay_t r;
    st = replay_cfg_(ps, caps, &r, NULL);
    if (st == NC_OK) {
      const double scale =
          (double)ps->nsteps / (double)(ps->emitted > 0 ? ps->emitted : 1);
      cs.v[i].est = cost_(v, caps, (double)r.cycles * scale,
                          (double)r.bus_rd_bytes * scale);
    }
    ps->max_steps = 0;
  }
  if (st != NC_OK) {
    free(cs.v);
    return st;
  }
  qsort(cs.v, n2, sizeof *cs.v, cand_cmp_);
  /* Stage 3: the best few are replayed whole. */
  const size_t top = cs.n < caps->max_candidates ? cs.n : caps->max_candidates;
  memset(best, 0, sizeof *best);
  best->cycles = UINT64_MAX;
  size_t nrep = 0, last = 0;
  for (size_t i = 0; i < n2 && nrep < top && st == NC_OK; i++) {
    if (nrep > 0 && same_cand_(&cs.v[i], &cs.v[last])) {
      continue; /* the partial replay told them apart by nothing */
    }
    last = i;
    nrep++;
    /* An im2col LOAD plan is replayed with and without its last tile cut
     * (the partial replay cannot tell them apart). */
    const int ntail = v->i2c && v->pool_op == NC_HW_POOL_NONE ? 2 : 1;
    for (int tail = 0; tail < ntail && st == NC_OK; tail++) {
      ps->c = cs.v[i].c;
      ps->c.tail = tail;
      plan_replay_t r;
      size_t insns = 0;
      st = replay_cfg_(ps, caps, &r, &insns);
      if (st == NC_OK) {
        const double cost =
            cost_(v, caps, (double)r.cycles, (double)r.bus_rd_bytes);
        const uint64_t bytes = r.rd_bytes + r.wr_bytes;
        const uint64_t best_bytes = best->rd + best->wr;
        /* The lower cost wins; without a byte weight, within 0.5% fewer
         * DRAM bytes do. */
        const int better =
            best->cycles == UINT64_MAX ||
            (read_cost_(v, caps) > 0
                 ? cost < best->cost ||
                       (cost == best->cost && r.bus_rd_bytes < best->bus_rd)
                 : (double)r.cycles < 0.995 * (double)best->cycles ||
                       ((double)r.cycles <= 1.005 * (double)best->cycles &&
                        bytes < best_bytes));
        if (better) {
          best->cost = cost;
          best->bus_rd = r.bus_rd_bytes;
          best->c = ps->c;
          best->cycles = r.cycles;
          best->rd = r.rd_bytes;
          best->wr = r.wr_bytes;
          best->array_macs = r.array_macs;
          best->insns = insns;
          best->tiles = (uint64_t)ps->ntiles;
        }
      }
    }
  }
  free(cs.v);
  if (st != NC_OK) {
    return st;
  }
  ps->c = best->c;
  st = make_tiles_(ps);
  if (st == NC_OK) {
    st = make_wreg_(ps);
  }
  return st;
}

/* ---- Lowering ---- */

/* How one candidate plan lowers the layer. */
typedef struct {
  nc_plan_lowering_t low;
  nc_plan_pool_t pool;
  int fallback; /* host im2col, planned only when no im2col LOAD plan of
                   this pooling fits */
  int il; /* depthwise: interleaved tiles (vconv_t.dwm 2) */
} shape_t;

/* Conv-like (conv2d, fc, local) geometry with the groups packed. */
typedef struct {
  int64_t G, cg, og, gp, nblk;
} grp_t;

static grp_t groups_(int64_t G, int64_t C, int64_t O) {
  grp_t g;
  g.G = G, g.cg = C / G, g.og = O / G;
  g.gp = 1;
  if (g.cg <= ROWS_ && g.og <= NC_HW_COLS) {
    g.gp = ROWS_ / g.cg < NC_HW_COLS / g.og ? ROWS_ / g.cg : NC_HW_COLS / g.og;
    g.gp = g.gp < G ? g.gp : G;
  }
  g.nblk = cdiv_(G, g.gp);
  return g;
}

static void store_path_(vconv_t *v, const nc_layer_t *pl, const nc_geom_t *pg,
                        int fused) {
  if (!fused) {
    v->pool_op = NC_HW_POOL_NONE;
    v->pkh = v->pkw = v->psh = v->psw = 1;
    v->ppt = v->ppb = v->ppl = v->ppr = 0;
    v->POH = v->OH, v->POW = v->OW;
    return;
  }
  v->pool_op = pl->kind == NC_LAYER_MAXPOOL ? NC_HW_POOL_MAX : NC_HW_POOL_AVG;
  v->pkh = (int)pg->kh, v->pkw = (int)pg->kw;
  v->psh = pl->stride_h, v->psw = pl->stride_w;
  v->ppt = pg->pad_top, v->ppb = pg->pad_bottom;
  v->ppl = pg->pad_left, v->ppr = pg->pad_right;
  v->POH = pg->oh, v->POW = pg->ow;
}

/* Whether the load unit can gather this convolution's receptive fields
 * itself (an im2col LOAD): one channel block of whole pixels (at most a
 * scratchpad row), no dilation, kernel, strides and padding in its 4-bit
 * fields, and at most 255 row planes. */
static int load_i2c_ok_(const nc_layer_t *l, const nc_geom_t *g) {
  const grp_t gr = groups_(l->groups, g->c, g->oc);
  const int64_t kp = cdiv_(g->kh * g->kw * g->c, ROWS_);
  return gr.nblk == 1 && g->c <= ROWS_ && l->dil_h == 1 && l->dil_w == 1 &&
         g->kh <= 15 && g->kw <= 15 && l->stride_h <= 15 &&
         l->stride_w <= 15 && g->pad_top <= 15 && g->pad_bottom <= 15 &&
         g->pad_left <= 15 && g->pad_right <= 15 && g->pad_top < g->kh &&
         g->pad_bottom < g->kh && g->pad_left < g->kw &&
         g->pad_right < g->kw && kp <= 255 &&
         g->kh * g->kw * g->c <= NC_HW_IM2COL_BUF_BYTES;
}

/* Whether the LOAD unit can insert this layer's padding in every tile:
 * at most 15 rows each side, and never a tile of padding alone. */
static int direct_ok_(const nc_layer_t *l, const nc_geom_t *g) {
  const int64_t keh = (g->kh - 1) * l->dil_h + 1;
  const int64_t kew = (g->kw - 1) * l->dil_w + 1;
  return g->pad_top <= 15 && g->pad_bottom <= 15 && g->pad_left <= 15 &&
         g->pad_right <= 15 && g->pad_top < keh && g->pad_bottom < keh &&
         g->pad_left < kew && g->pad_right < kew && l->stride_w <= 255;
}

/* Whether a conv is depthwise in the sense DWCONV computes: one input
 * channel per output channel, no dilation, a kernel of at most dw_kh_max
 * lines whose taps fit down a column, strides of at most 3. */
static int dw_ok_(const nc_layer_t *l, const nc_geom_t *g) {
  return l->kind == NC_LAYER_CONV2D && l->groups == g->c && g->oc == g->c &&

         l->dil_h == 1 && l->dil_w == 1 && g->kh <= NC_HW_DW_KH_MAX &&
         g->kh * g->kw <= ROWS_ && l->stride_h <= 3 && l->stride_w <= 3;
}

/* ---- Public API ---- */

static void pass_free_(pass_t *ps) {
  free(ps->tiles);
  free(ps->wreg);
  memset(ps, 0, sizeof *ps);
}

void nc_plan_free(nc_plan_t *p) {
  if (p == NULL) {
    return;
  }
  for (int i = 0; i < 2; i++) {
    pass_free_(&p->pass[i]);
  }
  free(p->cdata);
  nc__iprog_free(&p->prog);
  free(p->sched);
  free(p);
}

const nc_plan_info_t *nc_plan_info(const nc_plan_t *p) {
  return p != NULL ? &p->info : NULL;
}

nc_plan_region_t nc_plan_const_region(const nc_plan_t *p) {
  return p->rc;
}

const uint8_t *nc_plan_const_data(const nc_plan_t *p) {
  return p->cdata;
}

nc_plan_region_t nc_plan_input_region(const nc_plan_t *p) {
  return p->rin;
}

nc_plan_region_t nc_plan_residual_region(const nc_plan_t *p) {
  return p->rres;
}

nc_plan_region_t nc_plan_output_region(const nc_plan_t *p) {
  return p->rout;
}

size_t nc_plan_insn_count(const nc_plan_t *p) {
  return p->prog.n;
}

const nc_plan_event_t *nc_plan_schedule(const nc_plan_t *p, size_t *count) {
  *count = p->nsched;
  return p->sched;
}

/* Everything the layer-specific code hands the generic part. */
typedef struct {
  const nc_plan_req_t *req;
  const nc_layer_t *l;
  nc_geom_t g;
  int has_pool;
  nc_geom_t pg;
  int u8;         /* uint8 input */
  int pool_only;  /* a standalone pooling layer */
  nc_dtype_t odt; /* output dtype of the conv (or pooling) */
  int32_t pad8;   /* pad value as stored (int8) */
} ctx_t;

/* Whether the fused pooling is a max pool whose window is m >= 2 times its
 * stride s along some axis and a multiple of it along both, without
 * padding: window j covers the s x s blocks j .. j + m - 1, so an s x s / s
 * pool in the store path (no tile recomputes the rows two windows share)
 * and an m x m / 1 pass over its output give the same max. */
static int split_ok_(const ctx_t *x) {
  const nc_layer_t *pl = x->req->pool;
  const nc_geom_t *pg = &x->pg;
  return x->has_pool && pl->kind == NC_LAYER_MAXPOOL && pg->pad_top == 0 &&
         pg->pad_bottom == 0 && pg->pad_left == 0 && pg->pad_right == 0 &&
         pg->kh % pl->stride_h == 0 && pg->kw % pl->stride_w == 0 &&
         (pg->kh > pl->stride_h || pg->kw > pl->stride_w) &&
         pg->h / pl->stride_h - pg->kh / pl->stride_h + 1 == pg->oh &&
         pg->w / pl->stride_w - pg->kw / pl->stride_w + 1 == pg->ow;
}

/* The two pools of a split (split_ok_()): the store path's s x s / s over
 * the convolution's output, the pass's m x m / 1 over that. */
static void split_pools_(const ctx_t *x, nc_layer_t *l0, nc_geom_t *g0,
                         nc_layer_t *l1, nc_geom_t *g1) {
  const nc_layer_t *pl = x->req->pool;
  const nc_geom_t *pg = &x->pg;
  const int64_t bh = pg->h / pl->stride_h, bw = pg->w / pl->stride_w;
  if (l0 != NULL) {
    *l0 = *pl;
    l0->pool_h = pl->stride_h, l0->pool_w = pl->stride_w;
    *g0 = *pg;
    g0->kh = pl->stride_h, g0->kw = pl->stride_w;
    g0->oh = bh, g0->ow = bw;
  }
  if (l1 != NULL) {
    *l1 = *pl;
    l1->pool_h = (int)(pg->kh / pl->stride_h);
    l1->pool_w = (int)(pg->kw / pl->stride_w);
    l1->stride_h = l1->stride_w = 1;
    *g1 = *pg;
    g1->h = bh, g1->w = bw;
    g1->kh = l1->pool_h, g1->kw = l1->pool_w;
  }
}

/* Lowers the layer as `sh` into the plan's passes (geometry only). */
static nc_status_t lower_(const ctx_t *x, shape_t sh, nc_plan_t *p,
                          wsrc_t *ws) {
  const nc_layer_t *l = x->l;
  const nc_geom_t *g = &x->g;
  memset(ws, 0, sizeof *ws);
  pass_t *a = &p->pass[0];
  vconv_t *v = &a->v;
  memset(v, 0, sizeof *v);
  v->N = g->n;
  v->KH = v->KW = v->sh = v->sw = v->dh = v->dw = 1;
  v->taps = 1;
  v->pad = (int8_t)x->pad8;
  const int out8 = x->odt != NC_DTYPE_INT32;
  v->fmt = out8 ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32;
  v->es = out8 ? 1 : 4;
  p->npass = 1;
  if (x->pool_only) {
    v->H = g->h, v->W = g->w, v->C = g->c;
    v->OH = g->h, v->OW = g->w;
    v->nblk = (int)cdiv_(g->c, ROWS_);
    v->cb = v->ob = ROWS_;
    v->cb_last = v->ob_last = (int)(g->c - (int64_t)ROWS_ * (v->nblk - 1));
    v->cstride = ROWS_;
    v->O = (int)g->c;
    v->nprm = g->c;
    ws->kind = WK_IDENT;
    store_path_(v, l, g, 1);
    return NC_OK;
  }
  const int64_t O = g->oc;
  v->O = (int)O;
  v->nprm = O;
  if (l->kind == NC_LAYER_FC) {
    v->N = 1, v->H = 1, v->W = g->n, v->C = g->c;
    v->OH = 1, v->OW = g->n;
    v->nblk = 1;
    v->cb = v->cb_last = (int)g->c;
    v->ob = v->ob_last = (int)O;
    ws->kind = WK_FC;
    ws->C = g->c;
    ws->w = x->req->weights->data;
    store_path_(v, NULL, NULL, 0);
    return NC_OK;
  }
  const int64_t taps = g->kh * g->kw;
  ws->w = x->req->weights->data;
  ws->KH = g->kh, ws->KW = g->kw, ws->taps = taps;
  ws->C = g->c, ws->O = O;
  if (l->kind == NC_LAYER_LOCAL) {
    const int64_t K = taps * g->c;
    v->local = 1;
    v->batch = g->n;
    v->N = 1;
    v->H = 1, v->W = g->oh * g->ow * g->n;
    v->C = cdiv_(K, ROWS_) * ROWS_;
    v->OH = g->oh, v->OW = g->ow;
    v->nblk = 1;
    v->cb = v->cb_last = (int)v->C;
    v->ob = v->ob_last = (int)O;
    v->nprm = g->oh * g->ow * O;
    ws->kind = WK_LOCAL;
    store_path_(v, NULL, NULL, 0);
    /* Pooling after a local layer always takes a second pass. */
  } else {
    const grp_t gr = groups_(l->groups, g->c, O);
    ws->cg = gr.cg, ws->og = gr.og;
    ws->cb = gr.gp * gr.cg, ws->ob = gr.gp * gr.og;
    ws->nblk = gr.nblk;
    ws->cb_last = (gr.G - gr.gp * (gr.nblk - 1)) * gr.cg;
    v->nblk = (int)gr.nblk;
    v->ob = (int)(gr.gp * gr.og);
    v->ob_last = (int)((gr.G - gr.gp * (gr.nblk - 1)) * gr.og);
    v->OH = g->oh, v->OW = g->ow;
    if (sh.low == NC_PLAN_DIRECT || sh.low == NC_PLAN_DEPTHWISE) {
      v->H = g->h, v->W = g->w, v->C = g->c;
      v->KH = (int)g->kh, v->KW = (int)g->kw;
      v->sh = l->stride_h, v->sw = l->stride_w;
      v->dh = l->dil_h, v->dw = l->dil_w;
      v->pt = g->pad_top, v->pb = g->pad_bottom;
      v->pl = g->pad_left, v->pr = g->pad_right;
      v->taps = (int)taps;
      v->cb = (int)ws->cb;
      v->cb_last = (int)ws->cb_last;
      v->cstride = (int)ws->cb;
      ws->kind = WK_CONV;
      if (sh.low == NC_PLAN_DEPTHWISE) {
        v->dwm = sh.il ? 2 : 1;
        v->taps = 1;
        ws->kind = WK_DW;
      }
    } else {
      const int64_t kp = cdiv_(taps * ws->cb, ROWS_) * ROWS_;
      v->H = g->oh, v->W = g->ow, v->C = kp * gr.nblk;
      v->cb = v->cb_last = (int)kp;
      v->cstride = (int)kp;
      ws->kind = WK_CONV_I2C;
      if (sh.low == NC_PLAN_IM2COL_LOAD) {
        v->i2c = 1;
        v->rH = g->h, v->rW = g->w, v->rC = g->c;
        v->rKH = (int)g->kh, v->rKW = (int)g->kw;
        v->rsh = l->stride_h, v->rsw = l->stride_w;
        v->rpt = g->pad_top, v->rpl = g->pad_left;
      }
    }
    if (x->has_pool && sh.pool == NC_PLAN_POOL_SPLIT) {
      nc_layer_t b0;
      nc_geom_t g0;
      split_pools_(x, &b0, &g0, NULL, NULL);
      store_path_(v, &b0, &g0, 1);
    } else {
      store_path_(v, &x->req->pool[0], &x->pg,
                  x->has_pool && sh.pool == NC_PLAN_POOL_FUSED);
    }
  }
  if (x->has_pool &&
      (sh.pool == NC_PLAN_POOL_PASS || sh.pool == NC_PLAN_POOL_SPLIT)) {
    /* Pass 1 writes int8 to the scratch area; pass 2 pools it. */
    pass_t *b = &p->pass[1];
    vconv_t *w = &b->v;
    memset(w, 0, sizeof *w);
    w->N = v->local ? v->batch : v->N;
    w->H = v->POH, w->W = v->POW, w->C = O;
    w->KH = w->KW = w->sh = w->sw = w->dh = w->dw = 1;
    w->taps = 1;
    w->OH = v->POH, w->OW = v->POW;
    w->nblk = (int)cdiv_(O, ROWS_);
    w->cb = w->ob = ROWS_;
    w->cb_last = w->ob_last = (int)(O - (int64_t)ROWS_ * (w->nblk - 1));
    w->cstride = ROWS_;
    w->O = (int)O;
    w->nprm = O;
    w->fmt = v->fmt, w->es = v->es;
    if (sh.pool == NC_PLAN_POOL_SPLIT) {
      nc_layer_t b1;
      nc_geom_t g1;
      split_pools_(x, NULL, NULL, &b1, &g1);
      store_path_(w, &b1, &g1, 1);
    } else {
      store_path_(w, x->req->pool, &x->pg, 1);
    }
    p->npass = 2;
  }
  return NC_OK;
}

/* Lays out the arena: [constants][input][scratch][output]. */
static void arena_(nc_plan_t *p, int with_data_size) {
  (void)with_data_size;
  uint64_t off = 0;
  uint64_t cbytes = 0;
  for (int i = 0; i < p->npass; i++) {
    pass_t *ps = &p->pass[i];
    ps->v.prm_off = 0; /* set below */
    cbytes = align_(cbytes + ps->wall_rows * ROWS_);
    ps->v.prm_off = cbytes;
    cbytes = align_(cbytes + (uint64_t)ps->v.nprm * NC_HW_QPARAM_BYTES);
  }
  /* A depthwise pass reads its tiles' padding lines from one pixel of pad
   * values after the constants. */
  p->pass[0].v.pad_off = cbytes;
  if (p->pass[0].v.dwm == 2) {
    cbytes = align_(cbytes + (uint64_t)p->pass[0].v.C);
  }
  p->pass[0].v.aq_off = cbytes;
  if (p->pass[0].v.add) {
    cbytes = align_(cbytes + NC_HW_ADDQ_BYTES);
  }
  p->rc = (nc_plan_region_t){0, cbytes};
  off = align_(cbytes);
  const vconv_t *v0 = &p->pass[0].v;
  const uint64_t in_bytes =
      v0->i2c ? (uint64_t)(v0->N * v0->rH * v0->rW * v0->rC)
              : (uint64_t)(v0->N * v0->H * v0->W * v0->C);
  p->rin = (nc_plan_region_t){off, in_bytes};
  off = align_(off + in_bytes);
  p->rtmp = (nc_plan_region_t){off, 0};
  if (p->npass == 2) {
    const vconv_t *v1 = &p->pass[1].v;
    p->rtmp.bytes = (uint64_t)(v1->N * v1->H * v1->W * v1->C);
    off = align_(off + p->rtmp.bytes);
  }
  const vconv_t *vl = &p->pass[p->npass - 1].v;
  const int64_t nout = vl->local ? vl->batch * vl->OH * vl->OW * vl->O
                                 : vl->N * vl->POH * vl->POW * vl->O;
  p->rout = (nc_plan_region_t){off, (uint64_t)nout * (uint64_t)vl->es};
  off = align_(off + p->rout.bytes);
  p->rres = (nc_plan_region_t){off, vl->add ? p->rout.bytes : 0};
  p->pass[0].v.res_off = off;
  off = align_(off + p->rres.bytes);
  p->arena = off;
  /* Pass addresses and weight regions (shifted by their pass's base). */
  uint64_t wbase = 0;
  for (int i = 0; i < p->npass; i++) {
    pass_t *ps = &p->pass[i];
    for (int64_t k = 0; k < ps->nwreg; k++) {
      ps->wreg[k].off += wbase;
    }
    ps->v.in_off = i == 0 ? p->rin.offset : p->rtmp.offset;
    ps->v.out_off = i == p->npass - 1 ? p->rout.offset : p->rtmp.offset;
    wbase = ps->v.prm_off + align_((uint64_t)ps->v.nprm * NC_HW_QPARAM_BYTES);
  }
}

/* Weight tiles of a pass into the constants, in wreg order. */
static void fill_weights_(const pass_t *ps, const wsrc_t *ws, uint8_t *dst) {
  const vconv_t *v = &ps->v;
  const pcfg_t *c = &ps->c;
  const int64_t outer = v->local ? ps->ntiles : v->nblk;
  for (int64_t o = 0; o < outer; o++) {
    const int b = v->local ? 0 : (int)o;
    const int oc = vc_oc(v, b), kc = vc_kc(v, b);
    const int obb = vc_ob(v, b), cbb = vc_cb(v, b);
    const int64_t p0 = v->local ? ps->tiles[o].px0 : 0;
    const int64_t tp = v->local ? ps->tiles[o].px1 - p0 : 1;
    for (int g = 0; g < ps->og_max; g++) {
      for (int r = 0; r < ps->ks_max; r++) {
        const wreg_t *w = &ps->wreg[(o * ps->og_max + g) * ps->ks_max + r];
        if (w->rows == 0) {
          continue;
        }
        const int ocn = oc - g * c->oct < c->oct ? oc - g * c->oct : c->oct;
        const int kz = kc - r * c->kct < c->kct ? kc - r * c->kct : c->kct;
        int8_t *t8 = (int8_t *)(dst + w->off);
        for (int64_t pp = 0; pp < tp; pp++) {
          for (int j = 0; j < ocn; j++) {
            for (int z = 0; z < kz; z++) {
              for (int t = 0; t < v->taps; t++) {
                for (int n = 0; n < NC_HW_COLS; n++) {
                  const int ol = (g * c->oct + j) * NC_HW_COLS + n;
                  for (int k = 0; k < ROWS_; k++) {
                    const int cl = (r * c->kct + z) * ROWS_ + k;
                    *t8++ = ol < obb && (cl < cbb || ws->kind == WK_DW)
                                ? wval_(ws, v->local ? p0 + pp : b, ol, t, cl)
                                : 0;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/* The identity requantization (x -> x for |x| < 2^30) that lets pooling run
 * on int8 values in the store path: 2^30 * 2^1 / 2^31 = 1. */
#define ID_MULT (1 << 30)
#define ID_SHIFT 1

/* qparam records of every pass. */
static void fill_params_(const nc_plan_t *p, const ctx_t *x, uint8_t *dst) {
  const nc_layer_t *l = x->l;
  const nc_geom_t *g = &x->g;
  const int is_u8_out = x->odt == NC_DTYPE_UINT8;
  for (int i = 0; i < p->npass; i++) {
    const pass_t *ps = &p->pass[i];
    const vconv_t *v = &ps->v;
    uint8_t *q = dst + v->prm_off;
    const int pool_pass = x->pool_only || i == 1;
    if (pool_pass) {
      /* Identity GEMM of (x - 128) for uint8, x for int8. */
      const int u8 = x->pool_only ? x->u8 : is_u8_out;
      const nc_hw_qparam_vals_t id = {.bias = u8 ? 128 : 0,
                                      .mult = ID_MULT,
                                      .shift = ID_SHIFT,
                                      .act_min = u8 ? 0 : -128,
                                      .act_max = u8 ? 255 : 127};
      for (int64_t o = 0; o < v->nprm; o++) {
        nc_hw_qparam_pack(&id, q + o * NC_HW_QPARAM_BYTES);
      }
      continue;
    }
    /* bias + (shift - zp) * sum(w): the zero point and the uint8 shift. */
    const int64_t corr = (x->u8 ? 128 : 0) - l->in_zp;
    const int8_t *w = x->req->weights->data;
    const int32_t *bias = x->req->bias != NULL ? x->req->bias->data : NULL;
    const int64_t per =
        l->kind == NC_LAYER_FC
            ? g->c
            : g->kh * g->kw *
                  (g->c / (l->kind == NC_LAYER_CONV2D ? l->groups : 1));
    const int64_t npos = v->local ? g->oh * g->ow : 1;
    const int bias_pos = bias != NULL && v->local &&
                         (int64_t)nc_tensor_numel(x->req->bias) != g->oc;
    const int shift8 = p->npass == 2 && is_u8_out; /* scratch copy form */
    for (int64_t pos = 0; pos < npos; pos++) {
      for (int64_t o = 0; o < g->oc; o++) {
        uint32_t s = 0;
        const int8_t *wr = w + (pos * g->oc + o) * per;
        for (int64_t k = 0; k < per; k++) {
          s += (uint32_t)(int32_t)wr[k];
        }
        uint32_t b =
            bias == NULL ? 0u : (uint32_t)bias[bias_pos ? pos * g->oc + o : o];
        b += (uint32_t)corr * s;
        /* The wrapped uint32 sum, read back as the int32 the record holds. */
        nc_hw_qparam_vals_t r = {.bias = nc_hw_sext(b, 32)};
        if (l->rq.enabled) {
          const int ch = l->rq.channels == 1 ? 0 : (int)o;
          const int32_t d = shift8 ? 128 : 0;
          r.mult = l->rq.mult[ch];
          r.shift = l->rq.shift[ch];
          r.out_zp = l->rq.out_zp - d;
          r.act_min = l->rq.act_min - d;
          r.act_max = l->rq.act_max - d;
        }
        nc_hw_qparam_pack(&r, q + (pos * g->oc + o) * NC_HW_QPARAM_BYTES);
      }
    }
  }
}

static const char *low_name_(nc_plan_lowering_t l) {
  return l == NC_PLAN_DIRECT        ? "direct"
         : l == NC_PLAN_IM2COL      ? "host im2col"
         : l == NC_PLAN_IM2COL_LOAD ? "load im2col"
         : l == NC_PLAN_DEPTHWISE   ? "dwconv"
                                    : "local";
}

/* Plans one shape; fills the passes and returns the total replay. */
static nc_status_t plan_shape_(const ctx_t *x, shape_t sh, nc_plan_t *p,
                               wsrc_t *ws, best_t *tot, uint32_t *ranked) {
  nc_status_t st = lower_(x, sh, p, ws);
  if (st != NC_OK) {
    return st;
  }
  if (x->req->add != NULL) {
    /* check_add_() ruled out a pooling pass; the record goes in the two
     * entries above those the plan may use. */
    p->pass[0].v.add = 1;
    p->pass[0].v.aq_slot = p->caps.param_entries;
  }
  memset(tot, 0, sizeof *tot);
  for (int i = 0; i < p->npass; i++) {
    best_t b;
    st = search_pass_(&p->pass[i], &p->caps, &b, ranked);
    if (st != NC_OK) {
      return st;
    }
    if (i == 0) {
      tot->c = b.c;
    }
    tot->cycles += b.cycles;
    tot->rd += b.rd;
    tot->wr += b.wr;
    tot->bus_rd += b.bus_rd;
    tot->cost += b.cost;
    tot->array_macs += b.array_macs;
    tot->insns += b.insns;
    tot->tiles += b.tiles;
  }
  return NC_OK;
}

static nc_status_t check_req_(const nc_plan_req_t *req, ctx_t *x) {
  memset(x, 0, sizeof *x);
  if (req == NULL || req->layer == NULL || req->input == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan: NULL layer or input");
  }
  const nc_layer_t *l = req->layer;
  x->req = req;
  x->l = l;
  if (req->input->dtype == NC_DTYPE_FLOAT32 ||
      (req->weights != NULL && req->weights->dtype == NC_DTYPE_FLOAT32)) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: %s is a float32 layer; the accelerator computes "
                    "int8 x int8 only (run float32 on --backend cpu or "
                    "opencl)",
                    nc_layer_kind_name(l->kind));
  }
  /* The golden reference's own checks: shapes, dtypes, zero points. */
  nc_status_t st =
      nc__layer_check_run(l, req->input, req->weights, req->bias, &x->g);
  if (st != NC_OK) {
    return st;
  }
  if (req->input->dtype == NC_DTYPE_INT32) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: %s of an int32 input: the scratchpad holds int8 "
                    "activations only",
                    nc_layer_kind_name(l->kind));
  }
  x->u8 = req->input->dtype == NC_DTYPE_UINT8;
  x->odt = nc__layer_out_dtype(l, req->input);
  x->pool_only = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  if (x->g.n * x->g.oh * x->g.ow * x->g.oc == 0 || x->g.c == 0) {
    return nc__fail(NC_ERR_EMPTY_OUTPUT, "plan: %s has an empty tensor",
                    nc_layer_kind_name(l->kind));
  }
  const nc_layer_t *pl = x->pool_only ? l : req->pool;
  if (req->pool != NULL) {
    if (x->pool_only || l->kind == NC_LAYER_FC) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "plan: pooling can only be fused after conv2d or "
                      "local (got %s)",
                      nc_layer_kind_name(l->kind));
    }
    if (pl->kind != NC_LAYER_MAXPOOL && pl->kind != NC_LAYER_AVGPOOL) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "plan: the fused layer must be maxpool or avgpool "
                      "(got %s)",
                      nc_layer_kind_name(pl->kind));
    }
    if (pl->rq.enabled || pl->act != NC_ACT_NONE) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "plan: pooling takes no requantization or activation");
    }
    const int64_t shp[4] = {x->g.n, x->g.oh, x->g.ow, x->g.oc};
    st = nc_layer_geometry(pl, shp, 4, NULL, 0, -1, &x->pg);
    if (st != NC_OK) {
      return st;
    }
    x->has_pool = 1;
  } else if (x->pool_only) {
    x->pg = x->g;
  }
  if (pl != NULL) {
    if (pl->pool_h > 15 || pl->pool_w > 15 || pl->stride_h > 15 ||
        pl->stride_w > 15) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "plan: %s %dx%d stride %dx%d: the store path pools "
                      "windows and strides of at most 15",
                      nc_layer_kind_name(pl->kind), pl->pool_h, pl->pool_w,
                      pl->stride_h, pl->stride_w);
    }
  }
  /* Padding as stored in the scratchpad. */
  int32_t pad = x->pool_only ? 0 : l->pad_value - (x->u8 ? 128 : 0);
  if (pad < -128 || pad > 127) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: pad value %d does not fit the int8 scratchpad",
                    l->pad_value);
  }
  x->pad8 = pad;
  return NC_OK;
}

/* The addq record of a fused residual add (res_u: uint8 residual). */
static nc_hw_addq_vals_t addq_vals_(const nc_add_quant_t *q, int res_u) {
  return (nc_hw_addq_vals_t){.out_mult = q->out_mult,
                             .in_mult0 = q->in_mult[0],
                             .in_shift0 = q->in_shift[0],
                             .in_zp0 = q->in_zp[0],
                             .act_min = q->act_min,
                             .act_max = q->act_max,
                             .out_shift = q->out_shift,
                             .res_unsigned = (uint32_t)res_u,
                             .out_zp = q->out_zp,
                             .in_mult1 = q->in_mult[1],
                             .in_shift1 = q->in_shift[1],
                             .in_zp1 = q->in_zp[1]};
}

/* Whether the store path can fuse the request's residual add: an 8-bit
 * output without pooling, not a local layer, a residual of the output's
 * shape in 8 bits, and an addq record the ISA accepts. */
static nc_status_t check_add_(const nc_plan_req_t *req, const ctx_t *x,
                              const nc_plan_caps_t *cp) {
  const nc_tensor_t *r = req->residual;
  if (r == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan: a residual add needs the "
                                        "residual tensor");
  }
  if (x->pool_only || x->has_pool || x->l->kind == NC_LAYER_LOCAL ||
      x->odt == NC_DTYPE_INT32) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: the store path adds a residual only to an 8-bit "
                    "conv2d or fc output without pooling (got %s%s, %s)",
                    nc_layer_kind_name(x->l->kind),
                    x->has_pool ? " + pooling" : "", nc_dtype_name(x->odt));
  }
  if (cp->param_entries < 2 * COLS_ + 2) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: a residual add needs %d parameter entries (caps "
                    "give %u)",
                    2 * COLS_ + 2, cp->param_entries);
  }
  const int fc = x->l->kind == NC_LAYER_FC;
  const int64_t want[4] = {x->g.n, fc ? x->g.oc : x->g.oh, x->g.ow, x->g.oc};
  const int nd = fc ? 2 : 4;
  int same = r->ndim == nd;
  for (int i = 0; same && i < nd; i++) {
    same = r->shape[i] == want[i];
  }
  if (!same || (r->dtype != NC_DTYPE_INT8 && r->dtype != NC_DTYPE_UINT8) ||
      r->nbytes != (size_t)(x->g.n * (fc ? 1 : x->g.oh * x->g.ow) * x->g.oc)) {
    return nc__fail(NC_ERR_SHAPE,
                    "plan: the residual must be an int8 or uint8 tensor of "
                    "the output's shape");
  }
  const nc_hw_addq_vals_t v = addq_vals_(req->add, r->dtype == NC_DTYPE_UINT8);
  nc_hw_addq_t rec;
  nc_hw_addq_encode(&v, &rec);
  nc_hw_addq_vals_t back;
  nc_hw_addq_decode(&rec, &back);
  uint32_t info = 0;
  if (nc_hw_addq_check(&rec, &info) != NC_HW_ERR_NONE ||
      memcmp(&v, &back, sizeof v) != 0) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: the add's parameters do not fit the store path's "
                    "addq record (field at bit %u)",
                    info);
  }
  return NC_OK;
}

nc_status_t nc_plan_create(const nc_plan_req_t *req, const nc_plan_caps_t *caps,
                           nc_plan_t **out) {
  if (out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan: NULL output");
  }
  nc_plan_caps_t cp;
  if (caps == NULL) {
    nc_plan_caps_default(&cp);
  } else {
    cp = *caps;
  }
  nc_status_t st = check_caps_(&cp);
  if (st != NC_OK) {
    return st;
  }
  ctx_t x;
  st = check_req_(req, &x);
  if (st != NC_OK) {
    return st;
  }
  /* A fused add keeps the last two parameter entries for its record. */
  if (req->add != NULL) {
    st = check_add_(req, &x, &cp);
    if (st != NC_OK) {
      return st;
    }
    cp.param_entries -= 2;
  }
  const nc_layer_t *l = x.l;
  /* The shapes worth planning. */
  shape_t shapes[15];
  int nsh = 0;
  const int conv = l->kind == NC_LAYER_CONV2D;
  const int can_direct = !conv || direct_ok_(l, &x.g);
  const int can_li2c = conv && cp.host_im2col != 2 && load_i2c_ok_(l, &x.g);
  nc_plan_pool_t pools[3] = {NC_PLAN_POOL_NONE, NC_PLAN_POOL_NONE,
                             NC_PLAN_POOL_NONE};
  int npools = 1;
  if (x.has_pool) {
    const int can_pass = x.odt != NC_DTYPE_INT32;
    const int can_fuse = l->kind != NC_LAYER_LOCAL;
    const int can_split = can_pass && can_fuse && split_ok_(&x);
    npools = 0;
    if (can_fuse && (cp.pool_pass == -1 || cp.pool_pass == 0)) {
      pools[npools++] = NC_PLAN_POOL_FUSED;
    }
    if (can_pass && (cp.pool_pass != 0 || !can_fuse) &&
        !(cp.pool_pass == 2 && can_split)) {
      pools[npools++] = NC_PLAN_POOL_PASS;
    }
    if (can_split && (cp.pool_pass == -1 || cp.pool_pass == 2)) {
      pools[npools++] = NC_PLAN_POOL_SPLIT;
    }
    if (npools == 0) {
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "plan: pooling after a local layer needs an int8 "
                      "output (a second pass over int32 is not possible)");
    }
  } else if (x.pool_only) {
    pools[0] = NC_PLAN_POOL_FUSED;
  }
  for (int i = 0; i < npools; i++) {
    if (l->kind == NC_LAYER_LOCAL) {
      shapes[nsh++] = (shape_t){.low = NC_PLAN_LOCAL, .pool = pools[i]};
      continue;
    }
    if (can_direct && !(conv && cp.im2col == 1)) {
      shapes[nsh++] = (shape_t){.low = NC_PLAN_DIRECT, .pool = pools[i]};
    }
    if (conv && (cp.im2col != 0 || !can_direct)) {
      if (can_li2c) {
        shapes[nsh++] =
            (shape_t){.low = NC_PLAN_IM2COL_LOAD, .pool = pools[i]};
      }
      shapes[nsh++] = (shape_t){.low = NC_PLAN_IM2COL,
                                .pool = pools[i],
                                .fallback = can_li2c && cp.host_im2col != 1};
    }
    if (can_direct && dw_ok_(l, &x.g) && cp.im2col != 1) {
      shapes[nsh++] = (shape_t){.low = NC_PLAN_DEPTHWISE, .pool = pools[i]};
      if (x.g.c % ROWS_ == 0 && x.g.c / ROWS_ <= 127) {
        shapes[nsh++] =
            (shape_t){.low = NC_PLAN_DEPTHWISE, .pool = pools[i], .il = 1};
      }
    }
  }
  nc_plan_t *p = calloc(1, sizeof *p);
  if (p == NULL) {
    return nc__fail(NC_ERR_NOMEM, "plan: out of memory");
  }
  p->caps = cp;
  int best_i = -1;
  best_t best = {0};
  uint32_t ranked = 0;
  wsrc_t ws;
  int li2c_fits[4] = {0, 0, 0, 0}; /* per pooling placement */
  for (int i = 0; i < nsh; i++) {
    best_t b;
    if (shapes[i].fallback && li2c_fits[shapes[i].pool]) {
      continue;
    }
    st = plan_shape_(&x, shapes[i], p, &ws, &b, &ranked);
    for (int k = 0; k < 2; k++) {
      pass_free_(&p->pass[k]);
    }
    if (st == NC_ERR_UNSUPPORTED) {
      continue; /* nothing fits this shape: try the next */
    }
    if (st != NC_OK) {
      nc_plan_free(p);
      return st;
    }
    if (shapes[i].low == NC_PLAN_IM2COL_LOAD) {
      li2c_fits[shapes[i].pool] = 1;
    }
    if (best_i < 0 || b.cost < best.cost) {
      best_i = i;
      best = b;
    }
  }
  if (best_i < 0) {
    nc_plan_free(p);
    if (x.has_pool || x.pool_only) {
      const int64_t rows = x.pg.kh * x.pg.kw;
      return nc__fail(NC_ERR_UNSUPPORTED,
                      "plan: no tiling fits: a %lldx%lld pooling window "
                      "needs %lld accumulator rows per half (the plan may "
                      "use %u) and its input in the scratchpad",
                      (long long)x.pg.kh, (long long)x.pg.kw, (long long)rows,
                      cp.acc_rows / 2);
    }
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "plan: no tiling of %s fits %u scratchpad rows and %u "
                    "accumulator rows",
                    nc_layer_kind_name(l->kind), cp.spad_rows, cp.acc_rows);
  }
  /* Re-plan the winner (its passes were freed) and lay it out. */
  st = plan_shape_(&x, shapes[best_i], p, &ws, &best, &ranked);
  if (st == NC_OK) {
    arena_(p, 1);
    p->cdata = calloc(1, p->rc.bytes ? (size_t)p->rc.bytes : 1);
    if (p->cdata == NULL) {
      st = nc__fail(NC_ERR_NOMEM,
                    "plan: out of memory for %llu bytes of "
                    "constants",
                    (unsigned long long)p->rc.bytes);
    }
  }
  if (st == NC_OK) {
    fill_weights_(&p->pass[0], &ws, p->cdata);
    if (p->npass == 2) {
      wsrc_t id = {.kind = WK_IDENT};
      fill_weights_(&p->pass[1], &id, p->cdata);
    }
    fill_params_(p, &x, p->cdata);
    if (req->add != NULL) {
      const nc_hw_addq_vals_t aq =
          addq_vals_(req->add, req->residual->dtype == NC_DTYPE_UINT8);
      nc_hw_addq_pack(&aq, p->cdata + p->pass[0].v.aq_off);
    }
    if (p->pass[0].v.dwm == 2) {
      memset(p->cdata + p->pass[0].v.pad_off, (uint8_t)p->pass[0].v.pad,
             (size_t)p->pass[0].v.C);
    }
    st = nc__plan_emit_all(p);
  }
  if (st == NC_OK) {
    p->nsched = p->prog.n;
    p->sched = calloc(p->nsched ? p->nsched : 1, sizeof *p->sched);
    plan_replay_t r;
    st = p->sched == NULL ? nc__fail(NC_ERR_NOMEM, "plan: out of memory")
                          : nc__plan_replay(&p->prog, &p->caps, p->sched, &r);
    if (st == NC_OK) {
      nc_plan_info_t *in = &p->info;
      const pass_t *a = &p->pass[0];
      in->lowering = shapes[best_i].low;
      in->pool = shapes[best_i].pool;
      in->order = a->c.order;
      in->tile_h = (int)a->c.pth;
      in->tile_w = (int)a->c.ptw;
      in->oc_chunks = a->c.oct;
      in->kc_chunks = a->c.kct;
      in->weights_resident = a->c.wres;
      in->tiles = best.tiles;
      in->insns = p->prog.n;
      in->macs = (uint64_t)x.g.macs;
      in->array_macs = r.array_macs;
      in->predicted_cycles = r.cycles;
      in->dram_bytes_read = r.rd_bytes;
      in->bus_bytes_read = r.bus_rd_bytes;
      in->dram_bytes_written = r.wr_bytes;
      in->compulsory_read =
          req->input->nbytes +
          (req->weights != NULL ? req->weights->nbytes : 0) +
          (uint64_t)p->pass[0].v.nprm * NC_HW_QPARAM_BYTES +
          (req->add != NULL ? p->rres.bytes + NC_HW_ADDQ_BYTES : 0);
      in->compulsory_written = p->rout.bytes;
      in->arena_bytes = p->arena;
      in->candidates = ranked;
      for (int i = 0; i < p->npass; i++) {
        int64_t n = 0;
        for (int b = 0; b < p->pass[i].v.nblk; b++) {
          n += cdiv_(vc_oc(&p->pass[i].v, b), p->pass[i].c.oct) *
               cdiv_(vc_kc(&p->pass[i].v, b), p->pass[i].c.kct);
        }
        in->steps += (uint64_t)(n * p->pass[i].ntiles);
      }
      snprintf(
          in->summary, sizeof in->summary,
          "%s%s, %s, tile %dx%d x %d ch, K %d chunks/step, %s weights, "
          "%llu tiles, %llu insns",
          low_name_(in->lowering),
          in->pool == NC_PLAN_POOL_FUSED  ? " + fused pool"
          : in->pool == NC_PLAN_POOL_PASS ? " + pool pass"
          : in->pool == NC_PLAN_POOL_SPLIT ? " + split pool"
                                          : "",
          in->order == NC_PLAN_PIXELS_OUTER ? "pixels outer" : "channels outer",
          in->tile_h, in->tile_w, in->oc_chunks * NC_HW_COLS, in->kc_chunks,
          in->weights_resident ? "resident" : "streamed",
          (unsigned long long)in->tiles, (unsigned long long)in->insns);
    }
  }
  if (st != NC_OK) {
    nc_plan_free(p);
    return st;
  }
  p->layer = *l;
  p->g = x.g;
  p->has_pool = x.has_pool;
  if (x.has_pool) {
    p->pool = *req->pool;
  }
  p->pg = x.pg;
  p->in_u8 = x.u8;
  p->pack_mode = shapes[best_i].low == NC_PLAN_DIRECT ||
                         shapes[best_i].low == NC_PLAN_IM2COL_LOAD ||
                         shapes[best_i].low == NC_PLAN_DEPTHWISE
                     ? 0
                 : shapes[best_i].low == NC_PLAN_IM2COL ? 1
                                                        : 2;
  if (x.pool_only) {
    p->pack_mode = 0;
  }
  p->in_shape.dtype = req->input->dtype;
  p->in_shape.ndim = req->input->ndim;
  memcpy(p->in_shape.shape, req->input->shape, sizeof p->in_shape.shape);
  p->out_dtype = req->add != NULL ? req->add->out_dtype : x.odt;
  if (l->kind == NC_LAYER_FC) {
    p->out_ndim = 2;
    p->out_shape[0] = x.g.n;
    p->out_shape[1] = x.g.oc;
  } else {
    const nc_geom_t *og = x.has_pool ? &x.pg : &x.g;
    p->out_ndim = 4;
    p->out_shape[0] = og->n;
    p->out_shape[1] = og->oh;
    p->out_shape[2] = og->ow;
    p->out_shape[3] = og->oc;
  }
  *out = p;
  return NC_OK;
}

/* ---- Input packing and output decoding ---- */

nc_status_t nc_plan_pack_residual(const nc_plan_t *p, const nc_tensor_t *r,
                                  uint8_t *dst, size_t len) {
  if (p == NULL || r == NULL || dst == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_pack_residual: NULL argument");
  }
  if (p->rres.bytes == 0 || r->nbytes != p->rres.bytes ||
      len < p->rres.bytes) {
    return nc__fail(NC_ERR_SHAPE,
                    "plan_pack_residual: %zu bytes into %zu, the plan's "
                    "residual has %llu",
                    r->nbytes, len, (unsigned long long)p->rres.bytes);
  }
  /* The output's layout (NHWC, or [N, O] for fc), byte for byte. */
  memcpy(dst, r->data, r->nbytes);
  return NC_OK;
}

nc_status_t nc_plan_pack_input(const nc_plan_t *p, const nc_tensor_t *x,
                               uint8_t *dst, size_t len) {
  if (p == NULL || x == NULL || dst == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_pack_input: NULL argument");
  }
  if (x->dtype != p->in_shape.dtype || x->ndim != p->in_shape.ndim ||
      memcmp(x->shape, p->in_shape.shape, sizeof(int64_t) * (size_t)x->ndim) !=
          0) {
    return nc__fail(NC_ERR_SHAPE,
                    "plan_pack_input: the input's shape or dtype differs "
                    "from the planned one");
  }
  if (len < p->rin.bytes) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_pack_input: %zu bytes, need %llu",
                    len, (unsigned long long)p->rin.bytes);
  }
  const uint8_t *s = x->data;
  const uint8_t flip = p->in_u8 ? 0x80u : 0u;
  if (p->pack_mode == 0) {
    for (size_t i = 0; i < x->nbytes; i++) {
      dst[i] = s[i] ^ flip;
    }
    return NC_OK;
  }
  /* im2col rows: each output pixel's receptive field, taps x block
   * channels, padding as the pad value, lanes padded with zeros to a whole
   * number of scratchpad rows (NC_HW_ROWS). */
  const nc_layer_t *l = &p->layer;
  const nc_geom_t *g = &p->g;
  const vconv_t *v = &p->pass[0].v;
  const uint8_t pad = (uint8_t)v->pad;
  const int64_t taps = g->kh * g->kw;
  const int local = p->pack_mode == 2;
  const int64_t nblk = local ? 1 : v->nblk;
  const grp_t gr = groups_(local ? 1 : l->groups, g->c, g->oc);
  memset(dst, 0, (size_t)p->rin.bytes);
  for (int64_t n = 0; n < g->n; n++) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
      for (int64_t ox = 0; ox < g->ow; ox++) {
        const int64_t pix = local ? (oy * g->ow + ox) * g->n + n
                                  : (n * g->oh + oy) * g->ow + ox;
        uint8_t *row = dst + pix * v->C;
        for (int64_t b = 0; b < nblk; b++) {
          /* Block b's channels: [c0, c0 + cb). */
          int64_t c0 = 0, cb = g->c;
          if (!local) {
            c0 = b * gr.gp * gr.cg;
            cb = (b == nblk - 1 ? gr.G - gr.gp * (gr.nblk - 1) : gr.gp) * gr.cg;
          }
          uint8_t *lane = row + b * v->cstride;
          for (int64_t t = 0; t < taps; t++) {
            const int64_t iy =
                oy * l->stride_h - g->pad_top + (t / g->kw) * l->dil_h;
            const int64_t ix =
                ox * l->stride_w - g->pad_left + (t % g->kw) * l->dil_w;
            const int in = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w;
            const uint8_t *src = s + ((n * g->h + iy) * g->w + ix) * g->c + c0;
            for (int64_t c = 0; c < cb; c++) {
              lane[t * cb + c] = in ? (uint8_t)(src[c] ^ flip) : pad;
            }
          }
        }
      }
    }
  }
  return NC_OK;
}

nc_status_t nc_plan_unpack_output(const nc_plan_t *p, const uint8_t *src,
                                  size_t len, nc_tensor_t *out) {
  if (p == NULL || src == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_unpack_output: NULL argument");
  }
  memset(out, 0, sizeof *out);
  if (len < p->rout.bytes) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "plan_unpack_output: %zu bytes, need %llu", len,
                    (unsigned long long)p->rout.bytes);
  }
  nc_status_t st =
      nc_tensor_alloc(out, p->out_dtype, p->out_ndim, p->out_shape);
  if (st != NC_OK) {
    return st;
  }
  if (p->out_dtype == NC_DTYPE_INT32) {
    int32_t *d = out->data;
    const size_t n = nc_tensor_numel(out);
    for (size_t i = 0; i < n; i++) {
      const uint8_t *b = src + 4 * i;
      const uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                         (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
      d[i] = u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
    }
  } else {
    memcpy(out->data, src, out->nbytes);
  }
  return NC_OK;
}

nc_status_t nc_plan_emit(const nc_plan_t *p, uint64_t base, uint8_t *ring,
                         size_t len) {
  if (p == NULL || ring == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_emit: NULL argument");
  }
  if (len < p->prog.n * NC_HW_INSN_BYTES) {
    return nc__fail(NC_ERR_INVALID_ARG, "plan_emit: %zu bytes, need %zu", len,
                    p->prog.n * NC_HW_INSN_BYTES);
  }
  if (base + p->arena > UINT32_MAX) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "plan_emit: arena at 0x%llx + %llu bytes leaves the "
                    "32-bit dram_offset range",
                    (unsigned long long)base, (unsigned long long)p->arena);
  }
  for (size_t i = 0; i < p->prog.n; i++) {
    nc_hw_insn_t in = p->prog.v[i];
    switch (nc_hw_insn_get_opcode(&in)) {
      case NC_HW_OP_LOAD:
        nc_hw_load_set_dram_offset(
            &in, (uint32_t)(nc_hw_load_get_dram_offset(&in) + base));
        break;
      case NC_HW_OP_STORE:
        nc_hw_store_set_dram_offset(
            &in, (uint32_t)(nc_hw_store_get_dram_offset(&in) + base));
        break;
      case NC_HW_OP_LOAD_PARAM:
        nc_hw_load_param_set_dram_offset(
            &in, (uint32_t)(nc_hw_load_param_get_dram_offset(&in) + base));
        break;
      default:
        break;
    }
    nc_hw_words_to_bytes(in.w, NC_HW_INSN_WORDS, ring + i * NC_HW_INSN_BYTES);
  }
  return NC_OK;
}

void nc_plan_describe_tile(const nc_plan_t *p, const int64_t *coord, int ndim,
                           char *buf, size_t len) {
  if (len == 0) {
    return;
  }
  buf[0] = '\0';
  if (p == NULL || coord == NULL) {
    return;
  }
  const pass_t *ps = &p->pass[p->npass - 1];
  const vconv_t *v = &ps->v;
  int64_t n, y, x, c;
  if (ndim == 2) {
    n = 0, y = 0, x = coord[0], c = coord[1];
  } else if (ndim == 4) {
    n = coord[0], y = coord[1], x = coord[2], c = coord[3];
  } else {
    return;
  }
  if (v->local) {
    x = y * v->OW + x;
    y = 0;
  }
  for (int64_t t = 0; t < ps->ntiles; t++) {
    const ptile_t *tl = &ps->tiles[t];
    const int64_t tn = v->local ? n : tl->n;
    if (tn == n && y >= tl->py0 && y < tl->py1 && x >= tl->px0 && x < tl->px1) {
      const int64_t cw = (int64_t)ps->c.oct * NC_HW_COLS;
      const int64_t c0 = c / cw * cw;
      snprintf(buf, len,
               "tile %lld of %lld%s: output %s %lld..%lld, %s %lld..%lld, "
               "channels %lld..%lld",
               (long long)t + 1, (long long)ps->ntiles,
               p->npass == 2 ? " (pooling pass)" : "",
               v->local ? "pixels" : "rows", (long long)tl->py0,
               (long long)tl->py1 - 1, v->local ? "of" : "columns",
               (long long)tl->px0, (long long)tl->px1 - 1, (long long)c0,
               (long long)(c0 + cw - 1 < v->O - 1 ? c0 + cw - 1 : v->O - 1));
      return;
    }
  }
}
