/*
 * The residual add on the store path (STORE with STORE_CFG add) on the
 * functional model and on the RTL, each against the golden: the reference
 * GEMM, + bias, nc_mul_by_quantized_multiplier + zero point + clamp per
 * lane, then nc_add_quant_apply() with the residual byte. The errors the
 * add brings (the residual outside the window, a bad addq record, add with
 * pooling or int32 output) must stop both devices the same way, at the
 * values the spec gives, with nothing written.
 */
#include "neocog/quant.h"
#include "tests/sim/xrig.h"

enum { R = NC_HW_ROWS, L = NC_HW_COLS };
enum { TY = 3, TX = 4, NPIX = TY * TX }; /* the tile */
enum { A_OFF = 0x0000, W_OFF = 0x1000, Q_OFF = 0x2000, AQ_OFF = 0x2800 };
enum { AQ_ENTRY = 100 };                /* parameter entry of the addq */
#define W_END ((uint32_t)RIG_WIN_SIZE)

typedef struct {
  uint32_t ncols, xs, ys, out, res; /* output strides, offsets */
  int32_t zp0, zp1, zpo, lo, hi;    /* the add's zero points and clamp */
  int lane_u8, res_u;               /* requantized lanes / residual uint8 */
} acase_t;

typedef struct {
  int8_t a[NPIX * R], w[L * R];
  int32_t bias[L], mult[L], shift[L], zp[L], lo[L], hi[L];
  nc_add_quant_t aq;
} data_t;

/* Random activations, weights and lane parameters, and the add's record
 * from nc_add_quant_init() with the case's zero points and clamp. */
static void make_data_(data_t *d, const acase_t *c, uint64_t seed) {
  nc_rng_t rng;
  nc_rng_seed(&rng, seed);
  for (int i = 0; i < NPIX * R; i++) {
    d->a[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  for (int i = 0; i < L * R; i++) {
    d->w[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  for (int n = 0; n < L; n++) {
    d->mult[n] = (int32_t)nc_rng_range(&rng, 1 << 30, INT32_MAX);
    d->shift[n] = (int32_t)nc_rng_range(&rng, -12, -6);
    d->bias[n] = (int32_t)nc_rng_range(&rng, -5000, 5000);
    d->zp[n] = c->lane_u8 ? (int32_t)nc_rng_range(&rng, 0, 255)
                          : (int32_t)nc_rng_range(&rng, -128, 127);
    d->lo[n] = c->lane_u8 ? 0 : -128;
    d->hi[n] = c->lane_u8 ? 255 : 127;
  }
  const double s1 = 0.02 + 0.01 * nc_rng_range(&rng, 0, 5);
  const double s2 = 0.015 + 0.01 * nc_rng_range(&rng, 0, 5);
  const double so = 0.03 + 0.01 * nc_rng_range(&rng, 0, 5);
  const nc_dtype_t dt = c->lo < 0 ? NC_DTYPE_INT8 : NC_DTYPE_UINT8;
  cr_assert_eq(nc_add_quant_init(&d->aq, s1, c->zp0, s2, c->zp1, so, c->zpo,
                                 dt),
               NC_OK, "%s", nc_error_detail());
  d->aq.act_min = c->lo;
  d->aq.act_max = c->hi;
}

static void addq_pack_(const nc_add_quant_t *q, int res_u, uint8_t *out) {
  const nc_hw_addq_vals_t v = {.out_mult = q->out_mult,
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
  nc_hw_addq_pack(&v, out);
}

/* The conv + add program: GEMM of the tile into acc rows 0.., lane
 * parameters at entries 0.., the addq record at AQ_ENTRY, one STORE. */
static void build_(prog_t *p, uint8_t *win, const data_t *d, const acase_t *c,
                   stc_t cfg) {
  memcpy(win + A_OFF, d->a, sizeof d->a);
  memcpy(win + W_OFF, d->w, sizeof d->w);
  for (int n = 0; n < L; n++) {
    qparam_put(win + Q_OFF + NC_HW_QPARAM_BYTES * n, d->bias[n], d->mult[n],
               d->shift[n], d->zp[n], d->lo[n], d->hi[n]);
  }
  addq_pack_(&d->aq, c->res_u, win + AQ_OFF);
  p_load_cfg(p, R, 0, 0, 0, 0);
  p_load(p, (ld_t){.sram = 0, .dram = A_OFF, .elems = R, .x = NPIX}, 0);
  p_load(p, (ld_t){.sram = 100, .dram = W_OFF, .elems = R, .x = L}, UN);
  p_gemm(p,
         (gm_t){.wgt = 100, .inp = 0, .acc = 0, .li = NPIX, .isi = 1, .asi = 1},
         PP | UN);
  p_load_param(p, 0, L, Q_OFF, 0);
  p_load_param(p, AQ_ENTRY, 2, AQ_OFF, 0);
  p_store_cfg(p, cfg, 0);
  p_store(p,
          (st_t){.acc = 0,
                 .dram = c->out,
                 .ncols = c->ncols,
                 .y = TY,
                 .x = TX,
                 .addp = AQ_ENTRY},
          PP);
  p_finish(p);
}

static stc_t add_cfg_(const acase_t *c) {
  return (stc_t){.fmt = NC_HW_OUT_INT8,
                 .xs = c->xs,
                 .ys = c->ys,
                 .add = 1,
                 .rdelta = c->res - c->out};
}

/* Byte `i` of the window before a run: a pattern the residual is read from
 * and the output must overwrite only where its pixels are. */
static uint8_t fill_(uint32_t i) {
  return (uint8_t)(i * 2654435761u >> 13);
}

/* Opens `kind` with the window filled and the case's data drawn; 0 when
 * the device is not built. */
static int open_case_(rig_t *x, rig_kind_t kind, const acase_t *c,
                      uint64_t seed, data_t *d) {
  if (!xr_open(x, kind)) {
    return 0;
  }
  for (uint32_t i = 0; i < RIG_WIN_SIZE; i++) {
    x->win[i] = fill_(i);
  }
  make_data_(d, c, seed);
  return 1;
}

/* Runs a case on one device and checks every byte of the output region
 * against the golden; 0 when the device is not built. */
static int run_ok_(const acase_t *c, rig_kind_t kind, uint64_t seed) {
  rig_t x;
  data_t d;
  if (!open_case_(&x, kind, c, seed, &d)) {
    return 0;
  }
  prog_t p = {0};
  build_(&p, x.win, &d, c, add_cfg_(c));
  const uint32_t s = xr_run(&x, &p) & 7u;
  const rig_err_t e = rig_err(&x);
  cr_assert_eq(s, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
               "%s: STATUS 0x%x, %s/%s at %u info %u", rig_name(&x), s,
               nc_model_err_name(e.code), nc_model_unit_name(e.unit), e.insn,
               e.info);
  int32_t acc[NPIX * L];
  ref_gemm(d.a, d.w, acc, NPIX, L, R);
  const uint32_t span = (TY - 1) * c->ys + (TX - 1) * c->xs + c->ncols;
  for (uint32_t i = 0; i < span; i++) {
    const uint32_t y = i / c->ys, x_ = i % c->ys / c->xs;
    const uint32_t n = i % c->ys % c->xs;
    const uint8_t got = x.win[c->out + i];
    if (y >= TY || x_ >= TX || n >= c->ncols) {
      cr_assert_eq(got, fill_(c->out + i),
                   "%s: byte %u between the pixels was written", rig_name(&x),
                   i);
      continue;
    }
    const uint32_t m = y * TX + x_;
    const int32_t v = (int32_t)((uint32_t)acc[m * L + n] + (uint32_t)d.bias[n]);
    int64_t q = (int64_t)nc_mul_by_quantized_multiplier(v, d.mult[n],
                                                        d.shift[n]) +
                d.zp[n];
    q = q < d.lo[n] ? d.lo[n] : q > d.hi[n] ? d.hi[n] : q;
    const uint8_t rb = fill_(c->res + y * c->ys + x_ * c->xs + n);
    const int32_t b = c->res_u ? (int32_t)rb : (int32_t)(int8_t)rb;
    const int32_t want = nc_add_quant_apply(&d.aq, (int32_t)q, b);
    cr_assert_eq(got, (uint8_t)want,
                 "%s: pixel (%u,%u) lane %u: %u, want %d (q %d, r %d)",
                 rig_name(&x), y, x_, n, got, want, (int)q, b);
  }
  prog_free(&p);
  xr_close(&x);
  return 1;
}

static void run_both_(const acase_t *c, uint64_t seed) {
  cr_assert(run_ok_(c, RIG_MODEL, seed));
  if (!run_ok_(c, RIG_RTL, seed)) {
    cr_skip_test("built without the RTL (hw/rtl/nc_top.sv missing)");
  }
}

/* Every lane, contiguous pixels (one segment per line), residual after the
 * output, typical zero points. */
Test(resadd, contiguous_all_lanes) {
  const acase_t c = {.ncols = L, .xs = L, .ys = TX * L, .out = 0x8000,
                     .res = 0x9000, .zp0 = -5, .zp1 = 3, .zpo = -1,
                     .lo = -128, .hi = 127};
  run_both_(&c, 1);
}

/* Zero points at the int8 extremes, a narrow clamp, n_cols < cols, pixels
 * strided apart (one segment per pixel), the residual below the output
 * (res_delta wraps). */
Test(resadd, extremes_clamp_strided) {
  const uint32_t nc = L < 5 ? L : 5;
  const acase_t c = {.ncols = nc, .xs = 24, .ys = 200, .out = 0x8003,
                     .res = 0x6001, .zp0 = -128, .zp1 = 127, .zpo = -128,
                     .lo = -20, .hi = 30};
  run_both_(&c, 2);
  const acase_t c2 = {.ncols = nc, .xs = 7 > nc ? 7 : nc, .ys = 64,
                      .out = 0x8100, .res = 0x7000, .zp0 = 127, .zp1 = -128,
                      .zpo = 127, .lo = -128, .hi = 127};
  run_both_(&c2, 3);
}

/* uint8 lanes, a uint8 residual and uint8 output, zero points at the uint8
 * ends; a single lane. */
Test(resadd, uint8_single_lane) {
  const acase_t c = {.ncols = 1, .xs = 1, .ys = TX, .out = 0x8000,
                     .res = 0xa000, .zp0 = 255, .zp1 = 0, .zpo = 255,
                     .lo = 0, .hi = 255, .lane_u8 = 1, .res_u = 1};
  run_both_(&c, 4);
  const acase_t c2 = {.ncols = L, .xs = L, .ys = TX * L, .out = 0x8000,
                      .res = 0xa000, .zp0 = 0, .zp1 = 255, .zpo = 0,
                      .lo = 0, .hi = 255, .lane_u8 = 1, .res_u = 1};
  run_both_(&c2, 5);
}

/* ---- Errors: both devices, the spec's answer, nothing written ---- */

typedef struct {
  uint32_t status;
  rig_err_t e;
} outcome_t;

typedef enum { E_WINDOW, E_RECORD, E_POOL, E_INT32 } ekind_t;

/* Runs the case's program, broken as `k` says; 0 when not built. */
static int run_err_(const acase_t *c, ekind_t k, int arg, rig_kind_t kind,
                    outcome_t *o, uint8_t *win_out) {
  rig_t x;
  data_t d;
  if (!open_case_(&x, kind, c, 9, &d)) {
    return 0;
  }
  stc_t cfg = add_cfg_(c);
  if (k == E_POOL) {
    cfg.pool = NC_HW_POOL_MAX;
    cfg.kh = cfg.kw = cfg.sh = cfg.sw = 1;
  } else if (k == E_INT32) {
    cfg.fmt = NC_HW_OUT_INT32;
  }
  prog_t p = {0};
  build_(&p, x.win, &d, c, cfg);
  if (k == E_RECORD) {
    /* Still two valid qparam records, so LOAD_PARAM takes them. */
    uint8_t *rec = x.win + AQ_OFF;
    if (arg == 0) {
      rec[8] = 1; /* in_shift0 = 1: a left shift */
    } else if (arg == 1) {
      rec[17] |= 2; /* reserved bit 137 */
    } else {
      rec[16] = 1; /* out_shift = 1: a left shift */
    }
  }
  memcpy(win_out, x.win, RIG_WIN_SIZE); /* nothing may change it */
  o->status = xr_run(&x, &p) & 7u;
  o->e = rig_err(&x);
  const uint32_t end = c->out + TY * c->ys;
  for (uint32_t i = c->out; i < end && i < W_END; i++) {
    cr_assert_eq(x.win[i], win_out[i],
                 "%s: output byte 0x%x written by a failing STORE",
                 rig_name(&x), i);
  }
  prog_free(&p);
  xr_close(&x);
  return 1;
}

static void expect_err_(const acase_t *c, ekind_t k, int arg, uint32_t insn,
                        uint32_t code, uint32_t info) {
  uint8_t *w = malloc(RIG_WIN_SIZE);
  cr_assert_not_null(w);
  outcome_t m, r;
  cr_assert(run_err_(c, k, arg, RIG_MODEL, &m, w));
  cr_assert(m.status == 1u << NC_HW_CSR_STATUS_ERROR_SHIFT &&
                m.e.code == code && m.e.insn == insn && m.e.info == info,
            "case %d/%d on the model: STATUS 0x%x %s at %u info %u, want %s "
            "at %u info %u",
            (int)k, arg, m.status, nc_model_err_name(m.e.code), m.e.insn,
            m.e.info, nc_model_err_name(code), insn, info);
  if (!run_err_(c, k, arg, RIG_RTL, &r, w)) {
    free(w);
    cr_skip_test("built without the RTL (hw/rtl/nc_top.sv missing)");
  }
  cr_assert(r.status == m.status && r.e.code == m.e.code &&
                r.e.unit == m.e.unit && r.e.insn == m.e.insn &&
                r.e.info == m.e.info,
            "case %d/%d: rtl %s/%s at %u info %u; model %s/%s at %u info %u",
            (int)k, arg, nc_model_err_name(r.e.code),
            nc_model_unit_name(r.e.unit), r.e.insn, r.e.info,
            nc_model_err_name(m.e.code), nc_model_unit_name(m.e.unit),
            m.e.insn, m.e.info);
  free(w);
}

/* Ring entries of build_()'s program. */
enum { I_STORE_CFG = 6, I_STORE = 7 };

/* The first access outside the window in execution order: per pixel the
 * residual read, then the output write (the spec, restated). */
static uint32_t first_out_(const acase_t *c) {
  for (uint64_t y = 0; y < TY; y++) {
    for (uint64_t x = 0; x < TX; x++) {
      const uint64_t ro = (uint64_t)c->res + y * c->ys + x * c->xs;
      const uint64_t oo = (uint64_t)c->out + y * c->ys + x * c->xs;
      if (ro + c->ncols > W_END) {
        return (uint32_t)ro;
      }
      if (oo + c->ncols > W_END) {
        return (uint32_t)oo;
      }
    }
  }
  cr_assert_fail("the case stays inside the window");
  return 0;
}

Test(resadd, residual_outside_the_window) {
  /* The residual's third line leaves the window ... */
  const acase_t a = {.ncols = L, .xs = L, .ys = 0x1000, .out = 0x8000,
                     .res = W_END - 0x1800, .zp0 = 1, .zp1 = 2, .zpo = 3,
                     .lo = -128, .hi = 127};
  expect_err_(&a, E_WINDOW, 0, I_STORE, NC_HW_ERR_DMA_WINDOW, first_out_(&a));
  cr_assert_eq(first_out_(&a), W_END + 0x800);
  /* ... or its pixel (1, 2) straddles the end while the output's (1, 3)
   * would too: the residual's comes first. */
  const acase_t b = {.ncols = 4, .xs = 0x100, .ys = 0x10000,
                     .out = W_END - 0x10000 - 0x300 - 1,
                     .res = W_END - 0x10000 - 0x200 - 2, .zp0 = 1, .zp1 = 2,
                     .zpo = 3, .lo = -128, .hi = 127};
  expect_err_(&b, E_WINDOW, 0, I_STORE, NC_HW_ERR_DMA_WINDOW, first_out_(&b));
  cr_assert_eq(first_out_(&b), W_END - 2);
  /* The output's pixel (1, 2) leaves before the residual's (1, 3). */
  const acase_t o = {.ncols = 4, .xs = 0x100, .ys = 0x10000,
                     .out = W_END - 0x10000 - 0x200 - 1,
                     .res = W_END - 0x10000 - 0x300 - 2, .zp0 = 1, .zp1 = 2,
                     .zpo = 3, .lo = -128, .hi = 127};
  expect_err_(&o, E_WINDOW, 0, I_STORE, NC_HW_ERR_DMA_WINDOW, first_out_(&o));
  cr_assert_eq(first_out_(&o), W_END - 1);
}

Test(resadd, bad_addq_record) {
  const acase_t c = {.ncols = L, .xs = L, .ys = TX * L, .out = 0x8000,
                     .res = 0x9000, .zp0 = 1, .zp1 = 2, .zpo = 3, .lo = -128,
                     .hi = 127};
  for (int arg = 0; arg < 3; arg++) {
    expect_err_(&c, E_RECORD, arg, I_STORE, NC_HW_ERR_FIELD_RANGE,
                NC_HW_STORE_ADD_PARAM_LSB);
  }
}

Test(resadd, add_needs_int8_without_pooling) {
  const acase_t c = {.ncols = L, .xs = L, .ys = TX * L, .out = 0x8000,
                     .res = 0x9000, .zp0 = 1, .zp1 = 2, .zpo = 3, .lo = -128,
                     .hi = 127};
  expect_err_(&c, E_POOL, 0, I_STORE_CFG, NC_HW_ERR_FIELD_RANGE,
              NC_HW_STORE_CFG_ADD_LSB);
  expect_err_(&c, E_INT32, 0, I_STORE_CFG, NC_HW_ERR_FIELD_RANGE,
              NC_HW_STORE_CFG_ADD_LSB);
  nc_hw_insn_t i = {{0, 0, 0, 0}};
  nc_hw_insn_set_opcode(&i, NC_HW_OP_STORE_CFG);
  nc_hw_store_cfg_set_out_fmt(&i, NC_HW_OUT_INT8);
  nc_hw_store_cfg_set_pool_kh(&i, 1);
  nc_hw_store_cfg_set_pool_kw(&i, 1);
  nc_hw_store_cfg_set_pool_sh(&i, 1);
  nc_hw_store_cfg_set_pool_sw(&i, 1);
  nc_hw_store_cfg_set_add(&i, 1);
  uint32_t info = 99;
  cr_assert_eq(nc_hw_insn_check(&i, &info), NC_HW_ERR_NONE);
  nc_hw_store_cfg_set_pool_op(&i, NC_HW_POOL_AVG);
  cr_assert_eq(nc_hw_insn_check(&i, &info), NC_HW_ERR_FIELD_RANGE);
  cr_assert_eq(info, NC_HW_STORE_CFG_ADD_LSB);
}
