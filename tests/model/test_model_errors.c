/*
 * Every error path of docs/isa.md on the functional model: the code, the
 * unit, ERR_INSN and ERR_INFO, that the device stops (busy clear, error
 * set, error interrupt), and that nothing after the error executes or
 * writes memory.
 */
#include "tests/model/rig.h"

#define W_END ((uint32_t)RIG_WIN_SIZE)

/* Runs {insn, FINISH} and expects the error at entry 0. */
static void one_(const nc_hw_insn_t *in, uint32_t code, uint32_t unit,
                 uint32_t info) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  *prog_add(&p, 0, 0) = *in;
  p_finish(&p);
  rig_expect_err(&r, &p, code, unit, 0, info);
  prog_free(&p);
  rig_close(&r);
}

/* Runs {STORE_CFG, STORE, FINISH}; the STORE (entry 1) must fail. */
static void store_(stc_t cfg, st_t st, uint32_t info) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_store_cfg(&p, cfg, 0);
  p_store(&p, st, 0);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_FIELD_RANGE, NC_HW_UNIT_STORE, 1, info);
  prog_free(&p);
  rig_close(&r);
}

static nc_hw_insn_t ld_(ld_t a, unsigned flags) {
  prog_t p = {0};
  p_load(&p, a, flags);
  nc_hw_insn_t i = p.v[0];
  prog_free(&p);
  return i;
}

static nc_hw_insn_t gm_(gm_t a, unsigned flags) {
  prog_t p = {0};
  p_gemm(&p, a, flags);
  nc_hw_insn_t i = p.v[0];
  prog_free(&p);
  return i;
}

static nc_hw_insn_t raw_(uint32_t opcode, unsigned flags) {
  nc_hw_insn_t i = {{0, 0, 0, 0}};
  nc_hw_insn_set_opcode(&i, opcode);
  i.w[0] |= flags;
  return i;
}

Test(model_err, illegal_opcode_stops_everything) {
  for (uint32_t op = 0; op < 16; op += (op == 0 ? NC_HW_OP_DWCONV + 1 : 1)) {
    rig_t r;
    rig_open(&r);
    memset(r.win + 0x100, 0x5a, 64);
    prog_t p = {0};
    p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT32}, 0);
    nc_hw_insn_t bad = raw_(op, 0);
    bad.w[2] = 0x12345678u; /* whatever else the entry holds */
    *prog_add(&p, 0, 0) = bad;
    /* A STORE right after, free to run: it must never execute. */
    p_store(&p, (st_t){.acc = 0, .dram = 0x100, .ncols = 4}, 0);
    p_finish(&p);
    rig_expect_err(&r, &p, NC_HW_ERR_ILLEGAL_OPCODE, NC_HW_UNIT_FETCH, 1, 0);
    for (int i = 0; i < 64; i++) {
      cr_assert_eq(r.win[0x100 + i], 0x5a, "opcode %u: STORE wrote", op);
    }
    const uint32_t s = rig_rd(&r, NC_HW_CSR_STATUS_OFFSET);
    cr_assert_eq(s, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT,
                 "STATUS 0x%x: only error, no unit busy", s);
    cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET),
                 1u << NC_HW_CSR_INTR_STATE_ERROR_SHIFT);
    cr_assert_leq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 1,
                  "at most the STORE_CFG before it retired");
    prog_free(&p);
    rig_close(&r);
  }
}

Test(model_err, illegal_dep) {
  const uint32_t E = NC_HW_ERR_ILLEGAL_DEP;
  one_(&(nc_hw_insn_t){0}, NC_HW_ERR_ILLEGAL_OPCODE, NC_HW_UNIT_FETCH, 0);
  nc_hw_insn_t i = ld_((ld_t){.elems = 1, .x = 1}, PP);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_INSN_POP_PREV_LSB);
  i = raw_(NC_HW_OP_LOAD_CFG, UP);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_INSN_PUSH_PREV_LSB);
  i = raw_(NC_HW_OP_STORE_CFG, PN);
  nc_hw_store_cfg_set_pool_kh(&i, 1);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_INSN_POP_NEXT_LSB);
  i = raw_(NC_HW_OP_LOAD_PARAM, UN);
  nc_hw_load_param_set_count(&i, 1);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_INSN_PUSH_NEXT_LSB);
  i = raw_(NC_HW_OP_STORE, PN);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_INSN_POP_NEXT_LSB);
  i = raw_(NC_HW_OP_FINISH, UN);
  one_(&i, E, NC_HW_UNIT_FETCH, NC_HW_INSN_PUSH_NEXT_LSB);
  i = raw_(NC_HW_OP_FINISH, PP);
  one_(&i, E, NC_HW_UNIT_FETCH, NC_HW_INSN_POP_PREV_LSB);
  i = raw_(NC_HW_OP_SYNC, UP);
  nc_hw_sync_set_target(&i, NC_HW_QUEUE_LOAD);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_INSN_PUSH_PREV_LSB);
  i = raw_(NC_HW_OP_SYNC, PN);
  nc_hw_sync_set_target(&i, NC_HW_QUEUE_STORE);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_INSN_POP_NEXT_LSB);
}

Test(model_err, field_range_load_gemm) {
  const uint32_t E = NC_HW_ERR_FIELD_RANGE;
  nc_hw_insn_t i = ld_((ld_t){.elems = 1, .x = 1}, 0);
  i.w[3] |= 1u << (124 - 96);
  one_(&i, E, NC_HW_UNIT_LOAD, 124); /* reserved bits: their LSB */
  /* im2col fields: a plain LOAD leaves them 0, an im2col one needs a
   * kernel with pixels, strides, a padded tile the kernel fits, a tile the
   * buffer holds and rows the scratchpad holds. */
  static const struct {
    ld_t a;
    uint32_t lsb;
  } i2c[] = {
      {{.elems = 1, .x = 1, .sw = 1}, NC_HW_LOAD_IM2COL_KW_LSB},
      {{.elems = 1, .x = 3, .kh = 3, .sh = 1, .sw = 1, .y = 3},
       NC_HW_LOAD_IM2COL_KW_LSB},
      {{.elems = 1, .x = 3, .y = 3, .kh = 3, .kw = 3, .sw = 1},
       NC_HW_LOAD_IM2COL_SH_LSB},
      {{.elems = 1, .x = 3, .y = 3, .kh = 3, .kw = 3, .sh = 1},
       NC_HW_LOAD_IM2COL_SW_LSB},
      {{.elems = 3, .x = 4, .y = 1, .pt = 1, .kh = 3, .kw = 3, .sh = 1,
        .sw = 1},
       NC_HW_LOAD_IM2COL_KH_LSB},
      {{.elems = 3, .x = 1, .y = 4, .pr = 1, .kh = 3, .kw = 3, .sh = 1,
        .sw = 1},
       NC_HW_LOAD_IM2COL_KW_LSB},
      {{.elems = 16, .x = 1023, .y = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1},
       NC_HW_LOAD_X_SIZE_LSB},
      {{.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 12, .y = 3, .z = 2,
        .kh = 3, .kw = 3, .sh = 1, .sw = 1},
       NC_HW_LOAD_SRAM_ADDR_LSB},
  };
  for (size_t k = 0; k < sizeof i2c / sizeof i2c[0]; k++) {
    i = ld_(i2c[k].a, 0);
    one_(&i, E, NC_HW_UNIT_LOAD, i2c[k].lsb);
  }
  /* The last case with one plane: 10 rows end at the scratchpad's end. */
  i = ld_((ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 12, .y = 3,
                 .kh = 3, .kw = 3, .sh = 1, .sw = 1},
          0);
  uint32_t info = 0;
  cr_assert_eq(nc_hw_load_check(&i, &info), NC_HW_ERR_NONE, "info %u", info);
  i = ld_((ld_t){.elems = 0, .x = 1}, 0);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_LOAD_ELEMS_LSB);
  i = ld_((ld_t){.elems = NC_HW_ROWS + 1, .x = 1}, 0);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_LOAD_ELEMS_LSB);
  i = ld_((ld_t){.elems = 1, .x = 0}, 0);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_LOAD_X_SIZE_LSB);
  i = ld_((ld_t){.sram = NC_HW_SPAD_ROWS, .elems = 1, .x = 1}, 0);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_LOAD_SRAM_ADDR_LSB);
  /* 10 rows from the last but nine fit; with one padding row they do not. */
  i = ld_((ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 10}, 0);
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  *prog_add(&p, 0, 0) = i;
  p_finish(&p);
  rig_run_ok(&r, &p);
  prog_free(&p);
  rig_close(&r);
  i = ld_((ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 10, .pr = 1},
          0);
  one_(&i, E, NC_HW_UNIT_LOAD, NC_HW_LOAD_SRAM_ADDR_LSB);

  i = gm_((gm_t){.keep = 1, .wgt = 16}, 0);
  one_(&i, E, NC_HW_UNIT_COMPUTE, NC_HW_GEMM_WGT_ADDR_LSB);
  i = gm_((gm_t){.wgt = NC_HW_SPAD_ROWS - NC_HW_COLS + 1}, 0);
  one_(&i, E, NC_HW_UNIT_COMPUTE, NC_HW_GEMM_WGT_ADDR_LSB);
  i = gm_((gm_t){.inp = NC_HW_SPAD_ROWS - 5, .li = 6, .isi = 1}, 0);
  one_(&i, E, NC_HW_UNIT_COMPUTE, NC_HW_GEMM_INP_ADDR_LSB);
  i = gm_((gm_t){.acc = NC_HW_ACC_ROWS - 20, .lo = 3, .aso = 10}, 0);
  one_(&i, E, NC_HW_UNIT_COMPUTE, NC_HW_GEMM_ACC_ADDR_LSB);
  i = gm_((gm_t){0}, 0);
  nc_hw_gemm_set_loop_out(&i, 0);
  one_(&i, E, NC_HW_UNIT_COMPUTE, NC_HW_GEMM_LOOP_OUT_LSB);
  i = gm_((gm_t){0}, 0);
  i.w[3] |= 1u << (126 - 96);
  one_(&i, E, NC_HW_UNIT_COMPUTE, 126);
}

static nc_hw_insn_t dw_(dw_t a) {
  prog_t p = {0};
  p_dwconv(&p, a, 0);
  nc_hw_insn_t i = p.v[0];
  prog_free(&p);
  return i;
}

/* Each DWCONV rule, and a field range, with the ERR_INFO it names. */
Test(model_err, field_range_dwconv) {
  const uint32_t E = NC_HW_ERR_FIELD_RANGE, U = NC_HW_UNIT_COMPUTE;
  const dw_t ok = {.kh = 3, .kw = 3, .line = 8, .oh = 2, .ow = 6, .asi = 1,
                   .aso = 6};
  dw_t a = ok;
  a.kh = NC_HW_DW_KH_MAX + 1;
  nc_hw_insn_t i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_KH_LSB);
  a = ok;
  a.kh = 2, a.kw = NC_HW_ROWS / 2 + 1, a.ow = 1, a.line = 16;
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_KW_LSB); /* kh * kw > rows */
  a = ok;
  a.line = NC_HW_DW_LINE_MAX + 1;
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_LINE_LSB);
  a = ok;
  a.line = 7; /* (6 - 1) * 1 + 3 = 8 rows of a window line */
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_LINE_LSB);
  a = ok;
  a.inp = NC_HW_SPAD_ROWS - 31; /* the last row read is inp + 3 * 8 + 7 */
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_INP_ADDR_LSB);
  a = ok;
  a.acc = NC_HW_ACC_ROWS - 11;
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_ACC_ADDR_LSB);
  a = ok;
  a.keep = 1, a.wgt = 16;
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_WGT_ADDR_LSB);
  i = dw_(ok);
  nc_hw_dwconv_set_stride_x(&i, 0);
  one_(&i, E, U, NC_HW_DWCONV_STRIDE_X_LSB);
  i = dw_(ok);
  nc_hw_dwconv_set_pix_stride(&i, 0);
  one_(&i, E, U, NC_HW_DWCONV_PIX_STRIDE_LSB);
  a = ok;
  a.ps = 2, a.inp = NC_HW_SPAD_ROWS - 62; /* the last row is inp + 31 * 2 */
  i = dw_(a);
  one_(&i, E, U, NC_HW_DWCONV_INP_ADDR_LSB);
  /* The largest legal: the last input row is the scratchpad's last. */
  a = ok;
  a.inp = NC_HW_SPAD_ROWS - 32;
  a.acc = NC_HW_ACC_ROWS - 12;
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_dwconv(&p, a, 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  prog_free(&p);
  rig_close(&r);
}

Test(model_err, field_range_store_and_pooling) {
  const stc_t none = {.fmt = NC_HW_OUT_INT32};
  const stc_t mx3 = {
      .pool = NC_HW_POOL_MAX, .kh = 3, .kw = 2, .sh = 1, .sw = 1};
  store_(none, (st_t){.acc = NC_HW_ACC_ROWS - 5, .ncols = 1, .y = 2, .x = 3},
         NC_HW_STORE_ACC_ADDR_LSB);
  store_(none, (st_t){.param = NC_HW_PARAM_ENTRIES - 3, .ncols = 4},
         NC_HW_STORE_PARAM_ADDR_LSB);
  store_(none, (st_t){.ncols = 0}, NC_HW_STORE_N_COLS_LSB);
  store_(none, (st_t){.ncols = NC_HW_COLS + 1}, NC_HW_STORE_N_COLS_LSB);
  /* No pooling takes no pooling padding, whichever side. */
  store_(none, (st_t){.ncols = 1, .pt = 1}, NC_HW_STORE_POOL_PAD_TOP_LSB);
  store_(none, (st_t){.ncols = 1, .pb = 1}, NC_HW_STORE_POOL_PAD_BOTTOM_LSB);
  store_(none, (st_t){.ncols = 1, .pl = 1}, NC_HW_STORE_POOL_PAD_LEFT_LSB);
  store_(none, (st_t){.ncols = 1, .pr = 1}, NC_HW_STORE_POOL_PAD_RIGHT_LSB);
  /* Pooling padding must be smaller than the window in its dimension. */
  store_(mx3, (st_t){.ncols = 1, .y = 4, .x = 4, .pt = 3},
         NC_HW_STORE_POOL_PAD_TOP_LSB);
  store_(mx3, (st_t){.ncols = 1, .y = 4, .x = 4, .pr = 2},
         NC_HW_STORE_POOL_PAD_RIGHT_LSB);
  /* A 3-line window does not fit a 1-line tile padded by 1. */
  store_(mx3, (st_t){.ncols = 1, .y = 1, .x = 4, .pb = 1},
         NC_HW_STORE_Y_SIZE_LSB);
  store_(mx3, (st_t){.ncols = 1, .y = 4, .x = 1}, NC_HW_STORE_X_SIZE_LSB);

  const uint32_t E = NC_HW_ERR_FIELD_RANGE;
  nc_hw_insn_t i = raw_(NC_HW_OP_STORE_CFG, 0);
  nc_hw_store_cfg_set_pool_kh(&i, 1);
  nc_hw_store_cfg_set_pool_kw(&i, 1);
  nc_hw_store_cfg_set_pool_sh(&i, 1);
  nc_hw_store_cfg_set_pool_sw(&i, 1);
  nc_hw_insn_t j = i;
  nc_hw_store_cfg_set_out_fmt(&j, 2);
  one_(&j, E, NC_HW_UNIT_STORE, NC_HW_STORE_CFG_OUT_FMT_LSB);
  j = i;
  nc_hw_store_cfg_set_pool_op(&j, 3);
  one_(&j, E, NC_HW_UNIT_STORE, NC_HW_STORE_CFG_POOL_OP_LSB);
  j = i;
  nc_hw_store_cfg_set_pool_sw(&j, 0);
  one_(&j, E, NC_HW_UNIT_STORE, NC_HW_STORE_CFG_POOL_SW_LSB);
  j = i;
  j.w[2] |= 1u << (92 - 64);
  one_(&j, E, NC_HW_UNIT_STORE, 92);
}

Test(model_err, field_range_sync_finish_load_param) {
  const uint32_t E = NC_HW_ERR_FIELD_RANGE;
  nc_hw_insn_t i = raw_(NC_HW_OP_SYNC, 0);
  nc_hw_sync_set_target(&i, 3); /* no such queue: fetch cannot route it */
  one_(&i, E, NC_HW_UNIT_FETCH, NC_HW_SYNC_TARGET_LSB);
  i = raw_(NC_HW_OP_SYNC, 0);
  nc_hw_sync_set_target(&i, NC_HW_QUEUE_COMPUTE);
  i.w[1] |= 1;
  one_(&i, E, NC_HW_UNIT_COMPUTE, 10); /* reserved bits 127:10 */
  i = raw_(NC_HW_OP_FINISH, 0);
  i.w[0] |= 1u << 8;
  one_(&i, E, NC_HW_UNIT_FETCH, 8);
  i = raw_(NC_HW_OP_LOAD_PARAM, 0);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_LOAD_PARAM_COUNT_LSB);
  i = raw_(NC_HW_OP_LOAD_PARAM, 0);
  nc_hw_load_param_set_count(&i, 4);
  nc_hw_load_param_set_param_addr(&i, NC_HW_PARAM_ENTRIES - 3);
  one_(&i, E, NC_HW_UNIT_STORE, NC_HW_LOAD_PARAM_PARAM_ADDR_LSB);
}

/* A bad qparam record fails the whole LOAD_PARAM: the records before it
 * are not written either. */
Test(model_err, load_param_bad_record_writes_nothing) {
  static const struct {
    int32_t shift, zp, lo, hi;
    uint32_t info;
  } bad[] = {
      {0, 0, 10, 9, NC_HW_QPARAM_ACT_MAX_LSB},   /* act_min > act_max */
      {31, 0, 0, 0, NC_HW_QPARAM_SHIFT_LSB},     /* shift above 30 */
      {0, 256, 0, 0, NC_HW_QPARAM_OUT_ZP_LSB},   /* zero point too big */
      {0, 0, -129, 0, NC_HW_QPARAM_ACT_MIN_LSB}, /* clamp below int8 */
      {0, 0, 0, 0, 72},                          /* reserved byte */
  };
  for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
    rig_t r;
    rig_open(&r);
    uint8_t rec[3 * 16];
    qparam_put(rec, 1, 2, 3, 4, 5, 6);
    qparam_put(rec + 16, 7, 8, 9, 10, 11, 12);
    qparam_put(rec + 32, 0, 1 << 30, bad[c].shift, bad[c].zp, bad[c].lo,
               bad[c].hi);
    if (bad[c].info == 72) {
      rec[32 + 9] = 1;
    }
    memcpy(r.win + 0x200, rec, sizeof rec);
    prog_t p = {0};
    p_load_param(&p, 0, 3, 0x200, 0);
    p_finish(&p);
    rig_expect_err(&r, &p, NC_HW_ERR_FIELD_RANGE, NC_HW_UNIT_STORE, 0,
                   bad[c].info);
    uint8_t got[48], zero[48] = {0};
    cr_assert_eq(nc_model_read_param(r.m, 0, 3, got), NC_OK);
    cr_assert_arr_eq(got, zero, 48, "case %zu wrote parameters", c);
    prog_free(&p);
    rig_close(&r);
  }
}

/* LOAD: the first row (in execution order) leaving the window is reported,
 * and no scratchpad row is written. Rows are R = NC_HW_ROWS bytes. */
Test(model_err, dma_window_load) {
  enum { R = NC_HW_ROWS };
  struct {
    uint32_t xs, ys, dram, x, y, want;
  } cases[] = {
      /* rows at W-2.5R, W-1.5R, W-0.5R (W-40, W-24, W-8 at 16x16): the
       * last straddles the end */
      {R, 0, W_END - 5 * R / 2, 3, 1, W_END - R / 2},
      /* entirely past the end */
      {16, 0, W_END + 100, 1, 1, W_END + 100},
      /* rows 0, 1M, 2M, then 16, ...: 2M is the first out */
      {1u << 20, 16, 0, 3, 2, 2u << 20},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rig_t r;
    rig_open(&r);
    memset(r.win, 0x33, RIG_WIN_SIZE);
    prog_t p = {0};
    p_load_cfg(&p, cases[c].xs, cases[c].ys, 0, 9, 0);
    p_load(&p,
           (ld_t){.sram = 0,
                  .dram = cases[c].dram,
                  .elems = R,
                  .x = cases[c].x,
                  .y = cases[c].y},
           0);
    /* A second LOAD on the same queue must not run either. */
    p_load(&p, (ld_t){.sram = 100, .dram = 0, .elems = R, .x = 1}, 0);
    p_finish(&p);
    rig_expect_err(&r, &p, NC_HW_ERR_DMA_WINDOW, NC_HW_UNIT_LOAD, 1,
                   cases[c].want);
    int8_t rows[101 * NC_HW_ROWS];
    cr_assert_eq(nc_model_read_spad(r.m, 0, 101, rows), NC_OK);
    for (size_t i = 0; i < sizeof rows; i++) {
      cr_assert_eq(rows[i], 0, "case %zu: scratchpad byte %zu written", c, i);
    }
    prog_free(&p);
    rig_close(&r);
  }
}

/* An im2col LOAD walks pixels elems bytes apart whatever LOAD_CFG's x
 * stride: ERR_INFO is the first pixel outside, in line order. */
Test(model_err, dma_window_load_im2col) {
  static const struct {
    uint32_t ys, dram, y, want;
  } cases[] = {
      /* 3-byte pixels at W-10, W-7, W-4, W-1: the last straddles the end */
      {64, W_END - 10, 1, W_END - 1},
      /* lines 4 MiB apart: the second line's first pixel */
      {4u << 20, 0, 2, 4u << 20},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rig_t r;
    rig_open(&r);
    prog_t p = {0};
    p_load_cfg(&p, 100, cases[c].ys, 0, 9, 0);
    p_load(&p,
           (ld_t){.dram = cases[c].dram,
                  .elems = 3,
                  .x = 4,
                  .y = cases[c].y,
                  .pt = 2,
                  .kh = 3,
                  .kw = 3,
                  .sh = 1,
                  .sw = 1},
           0);
    p_finish(&p);
    rig_expect_err(&r, &p, NC_HW_ERR_DMA_WINDOW, NC_HW_UNIT_LOAD, 1,
                   cases[c].want);
    prog_free(&p);
    rig_close(&r);
  }
}

/* STORE: pixels (0,0) and (0,1) lie inside, (1,0) does not: nothing is
 * written, inside or out. */
Test(model_err, dma_window_store_writes_nothing) {
  rig_t r;
  rig_open(&r);
  memset(r.mem, 0x77, RIG_MEM_SIZE);
  memset(r.mem, 0, RIG_WIN_OFF); /* the ring */
  const uint32_t base = W_END - 64;
  prog_t p = {0};
  p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT32, .xs = 16, .ys = 60}, 0);
  p_store(&p, (st_t){.acc = 0, .dram = base, .ncols = 4, .y = 2, .x = 2}, 0);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DMA_WINDOW, NC_HW_UNIT_STORE, 1, base + 60);
  for (uint64_t i = RIG_WIN_OFF; i < RIG_MEM_SIZE; i++) {
    cr_assert_eq(r.mem[i], 0x77, "byte at window offset %llu written",
                 (unsigned long long)(i - RIG_WIN_OFF));
  }
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET), 0);
  prog_free(&p);
  rig_close(&r);
}

Test(model_err, dma_window_load_param_and_empty_window) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_load_param(&p, 0, 3, W_END - 32, 0); /* record 2 starts at the end */
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DMA_WINDOW, NC_HW_UNIT_STORE, 0, W_END);
  prog_free(&p);
  /* A later error (here a halt) does not overwrite the first. */
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
  const rig_err_t e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_DMA_WINDOW && e.unit == NC_HW_UNIT_STORE &&
            e.info == W_END);
  /* WIN_SIZE 0 grants nothing. */
  rig_wr(&r, NC_HW_CSR_WIN_SIZE_OFFSET, 0);
  p_load(&p, (ld_t){.dram = 0, .elems = 1, .x = 1}, 0);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DMA_WINDOW, NC_HW_UNIT_LOAD, 0, 0);
  prog_free(&p);
  rig_close(&r);
}

/* Inside the window but outside the memory the model was given: DECERR. */
Test(model_err, dma_bus_outside_memory) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_WIN_SIZE_OFFSET, 0xfffffff0u);
  prog_t p = {0};
  p_load(&p, (ld_t){.dram = (uint32_t)RIG_MEM_SIZE, .elems = 4, .x = 1}, 0);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DMA_BUS, NC_HW_UNIT_LOAD, 0, 0);
  prog_free(&p);
  /* The ring itself outside memory: fetch fails. */
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  rig_wr(&r, NC_HW_CSR_RING_BASE_LO_OFFSET, 0);
  rig_wr(&r, NC_HW_CSR_RING_BASE_HI_OFFSET, 0);
  rig_wr(&r, NC_HW_CSR_RING_HEAD_OFFSET, 0);
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 1);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  (void)rig_go(&r, 1000000);
  rig_err_t e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_DMA_BUS && e.unit == NC_HW_UNIT_FETCH &&
            e.insn == 0);
  rig_close(&r);
}

/* An injected SLVERR: on the fetch when present from the start, on the LOAD
 * when injected after the fetch went out. */
Test(model_err, dma_bus_slverr) {
  rig_t r;
  rig_open(&r);
  memset(r.win, 0x44, 64);
  prog_t p = {0};
  p_load(&p, (ld_t){.sram = 3, .dram = 0, .elems = NC_HW_ROWS, .x = 1}, 0);
  p_finish(&p);
  cr_assert_eq(nc_model_inject_fault(r.m, NC_FAULT_SLVERR), NC_OK);
  rig_expect_err(&r, &p, NC_HW_ERR_DMA_BUS, NC_HW_UNIT_FETCH, 0, 0);
  cr_assert_eq(nc_model_inject_fault(r.m, NC_FAULT_NONE), NC_OK);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(&r, 50) & 1u, 1u, "still fetching");
  cr_assert_eq(nc_model_inject_fault(r.m, NC_FAULT_SLVERR), NC_OK);
  (void)rig_go(&r, 100000);
  rig_err_t e = rig_err(&r);
  cr_assert(
      e.code == NC_HW_ERR_DMA_BUS && e.unit == NC_HW_UNIT_LOAD && e.insn == 0,
      "%s/%s at %u", nc_model_err_name(e.code), nc_model_unit_name(e.unit),
      e.insn);
  int8_t row[NC_HW_ROWS];
  cr_assert_eq(nc_model_read_spad(r.m, 3, 1, row), NC_OK);
  cr_assert_eq(row[0], 0, "the failed LOAD wrote the scratchpad");
  cr_assert_eq(nc_model_inject_fault(r.m, (nc_fault_t)99),
               NC_ERR_INVALID_ARG);
  prog_free(&p);
  rig_close(&r);
}

static void start_expect_ring_config_(rig_t *r, uint32_t insn) {
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  const rig_err_t e = rig_err(r);
  cr_assert_eq(rig_rd(r, NC_HW_CSR_STATUS_OFFSET),
               1u << NC_HW_CSR_STATUS_ERROR_SHIFT);
  cr_assert(e.code == NC_HW_ERR_RING_CONFIG && e.unit == NC_HW_UNIT_FETCH &&
                e.insn == insn && e.info == 0,
            "%s/%s at %u", nc_model_err_name(e.code),
            nc_model_unit_name(e.unit), e.insn);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
}

Test(model_err, ring_config) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_RING_SIZE_OFFSET, 0);
  start_expect_ring_config_(&r, 0);
  rig_wr(&r, NC_HW_CSR_RING_SIZE_OFFSET, 16);
  rig_wr(&r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE + 8);
  start_expect_ring_config_(&r, 0);
  rig_wr(&r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE);
  rig_wr(&r, NC_HW_CSR_RING_HEAD_OFFSET, 16);
  start_expect_ring_config_(&r, 16);
  rig_wr(&r, NC_HW_CSR_RING_HEAD_OFFSET, 3);
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 17);
  start_expect_ring_config_(&r, 3);
  /* TAIL moved past the ring while running: caught by fetch. */
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 3);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(&r, 100) & 1u, 1u, "busy with an empty ring");
  rig_wr(&r, NC_HW_CSR_RING_TAIL_OFFSET, 40);
  (void)rig_go(&r, 100);
  const rig_err_t e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_RING_CONFIG && e.unit == NC_HW_UNIT_FETCH &&
            e.insn == 3);
  rig_close(&r);
}

/* The load->compute counter holds 2^token_bits - 1 tokens; the push after
 * that overflows. */
Test(model_err, token_overflow) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  const uint32_t max = (1u << NC_HW_TOKEN_BITS) - 1u;
  for (uint32_t k = 0; k <= max; k++) {
    p_sync(&p, NC_HW_QUEUE_LOAD, UN);
  }
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_TOKEN_OVERFLOW, NC_HW_UNIT_LOAD, max, 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), max);
  prog_free(&p);
  /* One fewer is fine: tokens left over stay in the counter. */
  for (uint32_t k = 0; k < max; k++) {
    p_sync(&p, NC_HW_QUEUE_LOAD, UN);
  }
  p_finish(&p);
  rig_run_ok(&r, &p);
  prog_free(&p);
  rig_close(&r);
}

Test(model_err, deadlock) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  /* A GEMM waiting for a LOAD that never comes; the FINISH behind it. */
  p_load(&p, (ld_t){.elems = 1, .x = 1}, 0);
  p_gemm(&p, (gm_t){0}, PP);
  p_store(&p, (st_t){.ncols = 1, .dram = 0x40}, PP);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DEADLOCK, NC_HW_UNIT_FETCH, 1, 0);
  prog_free(&p);
  /* A full queue blocks fetch too: ten store-queue SYNCs waiting. */
  for (int k = 0; k < 10; k++) {
    p_sync(&p, NC_HW_QUEUE_STORE, PP);
  }
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DEADLOCK, NC_HW_UNIT_FETCH, 0, 0);
  prog_free(&p);
  rig_close(&r);
}

/* A blocked queue with an empty ring is not a deadlock (the host may still
 * add the entry that unblocks it), so the watchdog catches it. */
Test(model_err, blocked_on_empty_ring_is_watchdog) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_WATCHDOG_OFFSET, 1000);
  prog_t p = {0};
  p_gemm(&p, (gm_t){0}, PP);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(&r, 600) & 1u, 1u);
  cr_assert_eq(rig_go(&r, 600) & 1u, 0u);
  const rig_err_t e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_WATCHDOG && e.unit == NC_HW_UNIT_COMPUTE &&
            e.insn == 0);
  prog_free(&p);
  rig_close(&r);
}

/* A memory that never answers: the watchdog fires WATCHDOG cycles after the
 * last progress; with the watchdog off the device waits, and halt stops
 * it. */
Test(model_err, watchdog_and_halt_on_hung_memory) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_WATCHDOG_OFFSET, 5000);
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_LOAD, 0);
  p_load(&p, (ld_t){.elems = 1, .x = 1}, 0);
  p_load(&p, (ld_t){.sram = 9, .elems = 1, .x = 1}, 0);
  p_finish(&p);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  (void)rig_go(&r, 50); /* the fetch is out; the memory dies */
  cr_assert_eq(nc_model_inject_fault(r.m, NC_FAULT_HANG), NC_OK);
  cr_assert_eq(rig_go(&r, 4000) & 1u, 1u);
  cr_assert_eq(rig_go(&r, 100000) & 1u, 0u);
  rig_err_t e = rig_err(&r);
  cr_assert(
      e.code == NC_HW_ERR_WATCHDOG && e.unit == NC_HW_UNIT_LOAD && e.insn == 1,
      "%s/%s at %u", nc_model_err_name(e.code), nc_model_unit_name(e.unit),
      e.insn);
  /* The fetch was requested at 1 and usable at 1 + 102 + 4 beats + 1 (the
   * memory's 100 cycles and the port's register slices); the SYNC ran one
   * cycle and retired 2 later (base/include/neocog/timing.h), so the last progress was
   * at cycle 111 and the watchdog fired at 5111. */
  cr_assert_eq(nc_model_cycle(r.m), 5111);

  rig_wr(&r, NC_HW_CSR_WATCHDOG_OFFSET, 0);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(&r, 10000000) & 1u, 1u, "hangs without a watchdog");
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET),
               1u << NC_HW_CSR_STATUS_ERROR_SHIFT);
  e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_HALTED && e.unit == NC_HW_UNIT_NONE);
  prog_free(&p);
  rig_close(&r);
}

/* Halt in the middle of a long GEMM: the STORE waiting for it never runs,
 * later errors do not overwrite the first, START is ignored until a soft
 * reset, and the soft reset keeps the configuration. */
Test(model_err, halt_stops_and_soft_reset_recovers) {
  rig_t r;
  rig_open(&r);
  rig_wr(&r, NC_HW_CSR_INTR_ENABLE_OFFSET, 3);
  rig_wr(&r, NC_HW_CSR_WATCHDOG_OFFSET, 123456);
  memset(r.win + 0x100, 0x66, 64);
  prog_t p = {0};
  p_gemm(&p, (gm_t){.lo = 1023, .li = 1023}, UN);
  p_store(&p, (st_t){.dram = 0x100, .ncols = 4}, PP);
  p_finish(&p);
  rig_load(&r, &p);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  /* Fetch holds the FINISH, compute runs, the STORE waits. */
  cr_assert_eq(rig_go(&r, 10000) & 0xffu,
               (1u << NC_HW_CSR_STATUS_BUSY_SHIFT) |
                   (1u << NC_HW_CSR_STATUS_FETCH_BUSY_SHIFT) |
                   (1u << NC_HW_CSR_STATUS_COMPUTE_BUSY_SHIFT) |
                   (1u << NC_HW_CSR_STATUS_STORE_BUSY_SHIFT));
  cr_assert_eq(nc_model_irq(r.m), 0);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET),
               1u << NC_HW_CSR_STATUS_ERROR_SHIFT);
  rig_err_t e = rig_err(&r);
  cr_assert(e.code == NC_HW_ERR_HALTED && e.unit == NC_HW_UNIT_NONE &&
            e.insn == 2 && e.info == 0);
  cr_assert_eq(nc_model_irq(r.m), 1);
  (void)rig_go(&r, 10000000);
  for (int i = 0; i < 64; i++) {
    cr_assert_eq(r.win[0x100 + i], 0x66, "the STORE ran after the halt");
  }
  rig_wr(&r, NC_HW_CSR_WATCHDOG_OFFSET, 7);
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET),
               1u << NC_HW_CSR_STATUS_ERROR_SHIFT, "START ignored");
  rig_wr(&r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_STATUS_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ERR_CODE_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_ERR_INSN_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_STATE_OFFSET), 0);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_INTR_ENABLE_OFFSET), 3);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_WATCHDOG_OFFSET), 7);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_SIZE_OFFSET), RIG_RING_ENTRIES);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_RING_HEAD_OFFSET), 2,
               "HEAD is ring state the soft reset keeps");
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_WIN_SIZE_OFFSET), (uint32_t)RIG_WIN_SIZE);
  prog_free(&p);
  rig_close(&r);
}

/* An error in one unit stops the others: the STORE that waits for the
 * failing GEMM never runs. */
Test(model_err, error_stops_other_units) {
  rig_t r;
  rig_open(&r);
  memset(r.win + 0x100, 0x66, 64);
  prog_t p = {0};
  p_gemm(&p, (gm_t){.lo = 100}, UN);
  p_gemm(&p, (gm_t){.acc = NC_HW_ACC_ROWS - 1, .li = 2, .asi = 1}, UN);
  p_store(&p, (st_t){.dram = 0x100, .ncols = 4}, PP);
  p_store(&p, (st_t){.dram = 0x120, .ncols = 4}, PP);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_FIELD_RANGE, NC_HW_UNIT_COMPUTE, 1,
                 NC_HW_GEMM_ACC_ADDR_LSB);
  /* The first STORE may run (its GEMM finished); the second must not. */
  for (int i = 0; i < 16; i++) {
    cr_assert_eq(r.win[0x120 + i], 0x66, "second STORE ran");
  }
  prog_free(&p);
  rig_close(&r);
}
