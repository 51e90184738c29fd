/*
 * The error programs of tests/model/test_model_errors.c, run on the RTL and
 * on the functional model from the same memory image: STATUS, ERR_CODE
 * (code and unit), ERR_INSN and ERR_INFO must be the same, and so must the
 * whole window afterwards (nothing is written after an error, and the
 * accesses that fail move no byte). The model's own tests pin the model's
 * answers; this table pins the RTL to the model.
 */
#include "tests/sim/xrig.h"

#define W_END ((uint32_t)RIG_WIN_SIZE)

typedef struct {
  const char *name;
  /* Writes the program (and any data it reads into `win`); `arg` tells
   * variants of one case apart. */
  void (*build)(prog_t *p, uint8_t *win, int arg);
  int arg;
  /* Register writes or faults before the start, NULL for none. */
  void (*setup)(rig_t *x);
  /* 1 when the window may legitimately differ (an instruction before the
   * failing one may or may not have run, depending on timing). */
  int racy;
} ecase_t;

typedef struct {
  uint32_t status;
  rig_err_t e;
} outcome_t;

static void fault_(rig_t *x, int f) {
  cr_assert_eq(nc_sim_inject_fault(x->s, (nc_fault_t)f), NC_OK, "%s",
               nc_error_detail());
}

/* Runs one case on one device; 0 when the device is not built. */
static int run_case_(const ecase_t *c, rig_kind_t kind, outcome_t *o,
                     uint8_t *win_out) {
  rig_t x;
  if (!xr_open(&x, kind)) {
    return 0;
  }
  for (uint32_t i = 0; i < RIG_WIN_SIZE; i++) {
    x.win[i] = (uint8_t)(0x5a ^ (i >> 4)); /* a pattern stores must keep */
  }
  prog_t p = {0};
  c->build(&p, x.win, c->arg);
  if (c->setup != NULL) {
    c->setup(&x);
  }
  o->status = xr_run(&x, &p) & 7u;
  o->e = rig_err(&x);
  memcpy(win_out, x.win, RIG_WIN_SIZE);
  prog_free(&p);
  xr_close(&x);
  return 1;
}

static void check_table_(const ecase_t *cases, size_t n) {
  uint8_t *wm = malloc(RIG_WIN_SIZE), *wr = malloc(RIG_WIN_SIZE);
  cr_assert(wm != NULL && wr != NULL);
  for (size_t i = 0; i < n; i++) {
    const ecase_t *c = &cases[i];
    outcome_t m, r;
    cr_assert(run_case_(c, RIG_MODEL, &m, wm));
    if (!run_case_(c, RIG_RTL, &r, wr)) {
      free(wm);
      free(wr);
      cr_skip_test("built without the RTL (hw/rtl/nc_top.sv missing)");
    }
    cr_assert(r.status == m.status && r.e.code == m.e.code &&
                  r.e.unit == m.e.unit && r.e.insn == m.e.insn &&
                  r.e.info == m.e.info,
              "%s (%d): rtl STATUS 0x%x %s/%s at %u info %u; model STATUS 0x%x "
              "%s/%s at %u info %u",
              c->name, c->arg, r.status, nc_model_err_name(r.e.code),
              nc_model_unit_name(r.e.unit), r.e.insn, r.e.info, m.status,
              nc_model_err_name(m.e.code), nc_model_unit_name(m.e.unit),
              m.e.insn, m.e.info);
    if (!c->racy) {
      for (uint32_t k = 0; k < RIG_WIN_SIZE; k++) {
        cr_assert_eq(wr[k], wm[k],
                     "%s (%d): window offset 0x%x is 0x%02x on the rtl, "
                     "0x%02x on the model",
                     c->name, c->arg, k, wr[k], wm[k]);
      }
    }
  }
  free(wm);
  free(wr);
}

/* ---- Single instructions: {insn, FINISH} ---- */

static nc_hw_insn_t raw_(uint32_t opcode, unsigned flags) {
  nc_hw_insn_t i = {{0, 0, 0, 0}};
  nc_hw_insn_set_opcode(&i, opcode);
  i.w[0] |= flags;
  return i;
}

static void stc1_(nc_hw_insn_t *i) {
  nc_hw_store_cfg_set_pool_kh(i, 1);
  nc_hw_store_cfg_set_pool_kw(i, 1);
  nc_hw_store_cfg_set_pool_sh(i, 1);
  nc_hw_store_cfg_set_pool_sw(i, 1);
}

/* One instruction per arg value; the order is the table's. */
static nc_hw_insn_t single_insn_(int arg) {
  prog_t t = {0};
  nc_hw_insn_t i = raw_(NC_HW_OP_SYNC, 0);
  switch (arg) {
    case 0: /* all zero: illegal opcode */
      i = raw_(0, 0);
      break;
    case 1:
      p_load(&t, (ld_t){.elems = 1, .x = 1}, PP);
      i = t.v[0];
      break;
    case 2:
      i = raw_(NC_HW_OP_LOAD_CFG, UP);
      break;
    case 3:
      i = raw_(NC_HW_OP_STORE_CFG, PN);
      nc_hw_store_cfg_set_pool_kh(&i, 1);
      break;
    case 4:
      i = raw_(NC_HW_OP_LOAD_PARAM, UN);
      nc_hw_load_param_set_count(&i, 1);
      break;
    case 5:
      i = raw_(NC_HW_OP_STORE, PN);
      break;
    case 6:
      i = raw_(NC_HW_OP_FINISH, UN);
      break;
    case 7:
      i = raw_(NC_HW_OP_FINISH, PP);
      break;
    case 8:
      i = raw_(NC_HW_OP_SYNC, UP);
      nc_hw_sync_set_target(&i, NC_HW_QUEUE_LOAD);
      break;
    case 9:
      i = raw_(NC_HW_OP_SYNC, PN);
      nc_hw_sync_set_target(&i, NC_HW_QUEUE_STORE);
      break;
    case 10: /* LOAD reserved bit 124 */
      p_load(&t, (ld_t){.elems = 1, .x = 1}, 0);
      i = t.v[0];
      i.w[3] |= 1u << (124 - 96);
      break;
    case 11:
      p_load(&t, (ld_t){.elems = 0, .x = 1}, 0);
      i = t.v[0];
      break;
    case 12:
      p_load(&t, (ld_t){.elems = NC_HW_ROWS + 1, .x = 1}, 0);
      i = t.v[0];
      break;
    case 13:
      p_load(&t, (ld_t){.elems = 1, .x = 0}, 0);
      i = t.v[0];
      break;
    case 14:
      p_load(&t, (ld_t){.sram = NC_HW_SPAD_ROWS, .elems = 1, .x = 1}, 0);
      i = t.v[0];
      break;
    case 15: /* the last ten rows: fits */
      p_load(&t, (ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 10}, 0);
      i = t.v[0];
      break;
    case 16: /* one padding row more: does not */
      p_load(&t,
             (ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 10, .pr = 1},
             0);
      i = t.v[0];
      break;
    case 17:
      p_gemm(&t, (gm_t){.keep = 1, .wgt = 16}, 0);
      i = t.v[0];
      break;
    case 18:
      p_gemm(&t, (gm_t){.wgt = NC_HW_SPAD_ROWS - NC_HW_COLS + 1}, 0);
      i = t.v[0];
      break;
    case 19:
      p_gemm(&t, (gm_t){.inp = NC_HW_SPAD_ROWS - 5, .li = 6, .isi = 1}, 0);
      i = t.v[0];
      break;
    case 20:
      p_gemm(&t, (gm_t){.acc = NC_HW_ACC_ROWS - 20, .lo = 3, .aso = 10}, 0);
      i = t.v[0];
      break;
    case 21:
      p_gemm(&t, (gm_t){0}, 0);
      i = t.v[0];
      nc_hw_gemm_set_loop_out(&i, 0);
      break;
    case 22:
      p_gemm(&t, (gm_t){0}, 0);
      i = t.v[0];
      i.w[3] |= 1u << (126 - 96);
      break;
    case 23:
      i = raw_(NC_HW_OP_STORE_CFG, 0);
      stc1_(&i);
      nc_hw_store_cfg_set_out_fmt(&i, 2);
      break;
    case 24:
      i = raw_(NC_HW_OP_STORE_CFG, 0);
      stc1_(&i);
      nc_hw_store_cfg_set_pool_op(&i, 3);
      break;
    case 25:
      i = raw_(NC_HW_OP_STORE_CFG, 0);
      stc1_(&i);
      nc_hw_store_cfg_set_pool_sw(&i, 0);
      break;
    case 26:
      i = raw_(NC_HW_OP_STORE_CFG, 0);
      stc1_(&i);
      i.w[2] |= 1u << (92 - 64);
      break;
    case 27: /* SYNC to a queue that does not exist */
      nc_hw_sync_set_target(&i, 3);
      break;
    case 28:
      nc_hw_sync_set_target(&i, NC_HW_QUEUE_COMPUTE);
      i.w[1] |= 1;
      break;
    case 29:
      i = raw_(NC_HW_OP_FINISH, 0);
      i.w[0] |= 1u << 8;
      break;
    case 30:
      i = raw_(NC_HW_OP_LOAD_PARAM, 0);
      break;
    case 31:
      i = raw_(NC_HW_OP_LOAD_PARAM, 0);
      nc_hw_load_param_set_count(&i, 4);
      nc_hw_load_param_set_param_addr(&i, NC_HW_PARAM_ENTRIES - 3);
      break;
    case 32: /* a plain LOAD with an im2col field */
      p_load(&t, (ld_t){.elems = 1, .x = 1, .sw = 1}, 0);
      i = t.v[0];
      break;
    case 33: /* im2col without a stride */
      p_load(&t, (ld_t){.elems = 1, .x = 3, .y = 3, .kh = 3, .kw = 3, .sw = 1},
             0);
      i = t.v[0];
      break;
    case 34: /* a kernel taller than the padded tile */
      p_load(&t,
             (ld_t){.elems = 3, .x = 4, .y = 1, .pt = 1, .kh = 3, .kw = 3,
                    .sh = 1, .sw = 1},
             0);
      i = t.v[0];
      break;
    case 35: /* a tile the buffer does not hold */
      p_load(&t,
             (ld_t){.elems = 16, .x = 1023, .kh = 1, .kw = 1, .sh = 1, .sw = 1},
             0);
      i = t.v[0];
      break;
    case 36: /* 2 planes of 10 rows past the scratchpad's end */
      p_load(&t,
             (ld_t){.sram = NC_HW_SPAD_ROWS - 10, .elems = 1, .x = 12, .y = 3,
                    .z = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1},
             0);
      i = t.v[0];
      break;
    default:
      cr_assert_fail("no single-instruction case %d", arg);
  }
  prog_free(&t);
  return i;
}

static void single_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  *prog_add(p, 0, 0) = single_insn_(arg);
  p_finish(p);
}

Test(rtl_errors, single_instructions) {
  ecase_t cases[37];
  for (int a = 0; a < 37; a++) {
    cases[a] =
        (ecase_t){.name = "single instruction", .build = single_, .arg = a};
  }
  check_table_(cases, 32);
}

/* ---- Illegal opcodes behind a STORE_CFG, with a STORE after them ---- */

static void illegal_(prog_t *p, uint8_t *win, int op) {
  (void)win;
  p_store_cfg(p, (stc_t){.fmt = NC_HW_OUT_INT32}, 0);
  nc_hw_insn_t bad = raw_((uint32_t)op, 0);
  bad.w[2] = 0x12345678u;
  *prog_add(p, 0, 0) = bad;
  p_store(p, (st_t){.acc = 0, .dram = 0x100, .ncols = 4}, 0);
  p_finish(p);
}

/* ---- STORE rules that depend on STORE_CFG ---- */

static void store_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  const stc_t none = {.fmt = NC_HW_OUT_INT32};
  const stc_t mx3 = {
      .pool = NC_HW_POOL_MAX, .kh = 3, .kw = 2, .sh = 1, .sw = 1};
  static const st_t st[] = {
      {.acc = NC_HW_ACC_ROWS - 5, .ncols = 1, .y = 2, .x = 3},
      {.param = NC_HW_PARAM_ENTRIES - 3, .ncols = 4},
      {.ncols = 0},
      {.ncols = NC_HW_COLS + 1},
      {.ncols = 1, .pt = 1},
      {.ncols = 1, .pb = 1},
      {.ncols = 1, .pl = 1},
      {.ncols = 1, .pr = 1},
      {.ncols = 1, .y = 4, .x = 4, .pt = 3},
      {.ncols = 1, .y = 4, .x = 4, .pr = 2},
      {.ncols = 1, .y = 1, .x = 4, .pb = 1},
      {.ncols = 1, .y = 4, .x = 1},
  };
  p_store_cfg(p, arg < 8 ? none : mx3, 0);
  p_store(p, st[arg], 0);
  p_finish(p);
}

Test(rtl_errors, illegal_opcodes_and_store_rules) {
  ecase_t cases[8 + 12];
  size_t n = 0;
  for (int op = 0; op < 16; op += (op == 0 ? NC_HW_OP_DWCONV + 1 : 1)) {
    cases[n++] =
        (ecase_t){.name = "illegal opcode", .build = illegal_, .arg = op};
  }
  for (int a = 0; a < 12; a++) {
    cases[n++] = (ecase_t){.name = "store rule", .build = store_, .arg = a};
  }
  check_table_(cases, n);
}

/* ---- Memory: records, the window, the bus ---- */

static void bad_record_(prog_t *p, uint8_t *win, int arg) {
  static const struct {
    int32_t shift, zp, lo, hi;
  } bad[] = {{0, 0, 10, 9},
             {31, 0, 0, 0},
             {0, 256, 0, 0},
             {0, 0, -129, 0},
             {0, 0, 0, 0}};
  qparam_put(win + 0x200, 1, 2, 3, 4, 5, 6);
  qparam_put(win + 0x210, 7, 8, 9, 10, 11, 12);
  qparam_put(win + 0x220, 0, 1 << 30, bad[arg].shift, bad[arg].zp, bad[arg].lo,
             bad[arg].hi);
  if (arg == 4) {
    win[0x220 + 9] = 1; /* reserved byte */
  }
  p_load_param(p, 0, 3, 0x200, 0);
  /* A STORE of lane 0 with its parameters: they must be the reset ones. */
  p_store(p, (st_t){.acc = 0, .dram = 0x400, .ncols = 1}, 0);
  p_finish(p);
}

/* Rows of R = NC_HW_ROWS bytes: the last of three straddles the window's
 * end, one lies past it, or a line stride of 1 MiB takes the third out. */
static void window_load_(prog_t *p, uint8_t *win, int arg) {
  enum { R = NC_HW_ROWS };
  (void)win;
  static const struct {
    uint32_t xs, ys, dram, x, y;
  } c[] = {{R, 0, W_END - 5 * R / 2, 3, 1},
           {R, 0, W_END + 100, 1, 1},
           {1u << 20, 16, 0, 3, 2}};
  if (arg >= 3) {
    /* im2col, 3-byte pixels whatever x_stride says: pixels at W-10, W-7,
     * W-4, W-1; the last straddles the end. Or lines 4 MiB apart. */
    p_load_cfg(p, 100, arg == 3 ? 64 : 4u << 20, 0, 9, 0);
    p_load(p,
           (ld_t){.dram = arg == 3 ? W_END - 10 : 0,
                  .elems = 3,
                  .x = 4,
                  .y = arg == 3 ? 1 : 2,
                  .pt = 2,
                  .kh = 3,
                  .kw = 3,
                  .sh = 1,
                  .sw = 1},
           0);
    p_load(p, (ld_t){.sram = 100, .dram = 0, .elems = R, .x = 1}, 0);
    p_finish(p);
    return;
  }
  p_load_cfg(p, c[arg].xs, c[arg].ys, 0, 9, 0);
  p_load(p,
         (ld_t){.sram = 0,
                .dram = c[arg].dram,
                .elems = R,
                .x = c[arg].x,
                .y = c[arg].y},
         0);
  p_load(p, (ld_t){.sram = 100, .dram = 0, .elems = R, .x = 1}, 0);
  p_finish(p);
}

static void window_store_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  (void)arg;
  p_store_cfg(p, (stc_t){.fmt = NC_HW_OUT_INT32, .xs = 16, .ys = 60}, 0);
  p_store(p, (st_t){.acc = 0, .dram = W_END - 64, .ncols = 4, .y = 2, .x = 2},
          0);
  p_finish(p);
}

static void window_param_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  (void)arg;
  p_load_param(p, 0, 3, W_END - 32, 0);
  p_finish(p);
}

static void load_one_(prog_t *p, uint8_t *win, int dram) {
  (void)win;
  p_load(p, (ld_t){.dram = (uint32_t)dram, .elems = 4, .x = 1}, 0);
  p_finish(p);
}

static void win_none_(rig_t *x) {
  rig_wr(x, NC_HW_CSR_WIN_SIZE_OFFSET, 0);
}

static void win_huge_(rig_t *x) {
  rig_wr(x, NC_HW_CSR_WIN_SIZE_OFFSET, 0xfffffff0u);
}

static void slverr_(rig_t *x) {
  fault_(x, 2);
}

Test(rtl_errors, memory) {
  ecase_t cases[16];
  size_t n = 0;
  for (int a = 0; a < 5; a++) {
    cases[n++] =
        (ecase_t){.name = "bad qparam record", .build = bad_record_, .arg = a};
  }
  for (int a = 0; a < 5; a++) {
    cases[n++] = (ecase_t){
        .name = "LOAD leaves the window", .build = window_load_, .arg = a};
  }
  cases[n++] =
      (ecase_t){.name = "STORE leaves the window", .build = window_store_};
  cases[n++] =
      (ecase_t){.name = "LOAD_PARAM leaves the window", .build = window_param_};
  cases[n++] = (ecase_t){.name = "WIN_SIZE 0 grants nothing",
                         .build = load_one_,
                         .setup = win_none_};
  cases[n++] = (ecase_t){.name = "inside the window, outside memory",
                         .build = load_one_,
                         .arg = (int)RIG_MEM_SIZE,
                         .setup = win_huge_};
  cases[n++] = (ecase_t){
      .name = "SLVERR on the fetch", .build = load_one_, .setup = slverr_};
  check_table_(cases, n);
}

/* ---- Tokens, deadlock, watchdog ---- */

static void tokens_(prog_t *p, uint8_t *win, int extra) {
  (void)win;
  const int max = (1 << NC_HW_TOKEN_BITS) - 1;
  for (int k = 0; k < max + extra; k++) {
    p_sync(p, NC_HW_QUEUE_LOAD, UN);
  }
  p_finish(p);
}

static void deadlock_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  if (arg == 0) {
    p_load(p, (ld_t){.elems = 1, .x = 1}, 0);
    p_gemm(p, (gm_t){0}, PP);
    p_store(p, (st_t){.ncols = 1, .dram = 0x40}, PP);
  } else {
    for (int k = 0; k < 10; k++) {
      p_sync(p, NC_HW_QUEUE_STORE, PP);
    }
  }
  p_finish(p);
}

static void blocked_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  (void)arg;
  p_gemm(p, (gm_t){0}, PP);
}

static void watchdog_1000_(rig_t *x) {
  rig_wr(x, NC_HW_CSR_WATCHDOG_OFFSET, 1000);
}

static void hang_(rig_t *x) {
  rig_wr(x, NC_HW_CSR_WATCHDOG_OFFSET, 3000);
  fault_(x, 1);
}

static void errors_stop_others_(prog_t *p, uint8_t *win, int arg) {
  (void)win;
  (void)arg;
  p_gemm(p, (gm_t){.lo = 100}, UN);
  p_gemm(p, (gm_t){.acc = NC_HW_ACC_ROWS - 1, .li = 2, .asi = 1}, UN);
  p_store(p, (st_t){.dram = 0x100, .ncols = 4}, PP);
  p_store(p, (st_t){.dram = 0x120, .ncols = 4}, PP);
  p_finish(p);
}

Test(rtl_errors, tokens_deadlock_watchdog) {
  const ecase_t cases[] = {
      {.name = "token overflow", .build = tokens_, .arg = 1},
      {.name = "tokens up to the maximum", .build = tokens_, .arg = 0},
      {.name = "deadlock on a token", .build = deadlock_, .arg = 0},
      {.name = "deadlock on a full queue", .build = deadlock_, .arg = 1},
      {.name = "blocked on an empty ring: watchdog",
       .build = blocked_,
       .setup = watchdog_1000_},
      {.name = "memory that never answers: watchdog",
       .build = load_one_,
       .setup = hang_},
      {.name = "an error stops the other units",
       .build = errors_stop_others_,
       .racy = 1},
  };
  check_table_(cases, sizeof cases / sizeof cases[0]);
}

/* ---- Register-level errors: ring_config and halt ---- */

/* START with a bad ring; returns the error the device reports. */
static rig_err_t ring_case_(rig_t *x, int arg) {
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  rig_wr(x, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE);
  rig_wr(x, NC_HW_CSR_RING_SIZE_OFFSET, 16);
  rig_wr(x, NC_HW_CSR_RING_HEAD_OFFSET, 3);
  rig_wr(x, NC_HW_CSR_RING_TAIL_OFFSET, 3);
  switch (arg) {
    case 0:
      rig_wr(x, NC_HW_CSR_RING_SIZE_OFFSET, 0);
      break;
    case 1:
      rig_wr(x, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE + 8);
      break;
    case 2:
      rig_wr(x, NC_HW_CSR_RING_HEAD_OFFSET, 16);
      break;
    case 3:
      rig_wr(x, NC_HW_CSR_RING_TAIL_OFFSET, 17);
      break;
    default: /* TAIL moved past the ring while running */
      break;
  }
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  if (arg == 4) {
    cr_assert_eq(rig_go(x, 200) & 1u, 1u, "%s: busy with an empty ring",
                 rig_name(x));
    rig_wr(x, NC_HW_CSR_RING_TAIL_OFFSET, 40);
  }
  const uint32_t s = rig_go(x, 1000);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT, "%s: STATUS 0x%x",
               rig_name(x), s);
  return rig_err(x);
}

Test(rtl_errors, ring_config) {
  rig_t m, r;
  cr_assert(xr_open(&m, RIG_MODEL));
  if (!xr_open(&r, RIG_RTL)) {
    xr_close(&m);
    cr_skip_test("built without the RTL");
  }
  for (int a = 0; a < 5; a++) {
    const rig_err_t em = ring_case_(&m, a), er = ring_case_(&r, a);
    cr_assert(em.code == NC_HW_ERR_RING_CONFIG, "model case %d", a);
    cr_assert(er.code == em.code && er.unit == em.unit && er.insn == em.insn &&
                  er.info == em.info,
              "case %d: rtl %s/%s at %u info %u, model %s/%s at %u info %u", a,
              nc_model_err_name(er.code), nc_model_unit_name(er.unit), er.insn,
              er.info, nc_model_err_name(em.code), nc_model_unit_name(em.unit),
              em.insn, em.info);
  }
  xr_close(&m);
  xr_close(&r);
}

/* Halt during a long GEMM: the STORE behind it never runs, START is ignored
 * until a soft reset, which keeps the configuration. */
static void halt_(rig_t *x, const prog_t *p) {
  rig_wr(x, NC_HW_CSR_INTR_ENABLE_OFFSET, 3);
  rig_wr(x, NC_HW_CSR_WATCHDOG_OFFSET, 123456);
  memset(x->win + 0x100, 0x66, 64);
  rig_load(x, p);
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(x, 3000) & 1u, 1u, "%s: running", rig_name(x));
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_HALT_SHIFT);
  (void)rig_go(x, 1000);
  const uint32_t s = xr_settle(x);
  cr_assert_eq(s & 0xffu, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT,
               "%s: STATUS 0x%x after the halt", rig_name(x), s);
  const rig_err_t e = rig_err(x);
  cr_assert(e.code == NC_HW_ERR_HALTED && e.unit == NC_HW_UNIT_NONE &&
                e.insn == 2 && e.info == 0,
            "%s: %s/%s at %u", rig_name(x), nc_model_err_name(e.code),
            nc_model_unit_name(e.unit), e.insn);
  cr_assert(nc_sim_irq(x->s), "%s: error interrupt", rig_name(x));
  (void)rig_go(x, 20000);
  for (int i = 0; i < 64; i++) {
    cr_assert_eq(x->win[0x100 + i], 0x66, "%s: the STORE ran after the halt",
                 rig_name(x));
  }
  rig_wr(x, NC_HW_CSR_WATCHDOG_OFFSET, 7);
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  cr_assert_eq(rig_go(x, 10) & 7u, 1u << NC_HW_CSR_STATUS_ERROR_SHIFT,
               "%s: START ignored", rig_name(x));
  rig_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  cr_assert_eq(rig_rd(x, NC_HW_CSR_STATUS_OFFSET), 0, "%s", rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_ERR_CODE_OFFSET), 0, "%s", rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_INTR_STATE_OFFSET), 0, "%s", rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_INTR_ENABLE_OFFSET), 3, "%s", rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_WATCHDOG_OFFSET), 7, "%s", rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_RING_SIZE_OFFSET), RIG_RING_ENTRIES, "%s",
               rig_name(x));
  cr_assert_eq(rig_rd(x, NC_HW_CSR_RING_HEAD_OFFSET), 2,
               "%s: HEAD survives the soft reset", rig_name(x));
}

Test(rtl_errors, halt_and_soft_reset) {
  prog_t p = {0};
  p_gemm(&p, (gm_t){.lo = 100, .li = 100}, UN);
  p_store(&p, (st_t){.dram = 0x100, .ncols = 4}, PP);
  p_finish(&p);
  rig_t m, r;
  cr_assert(xr_open(&m, RIG_MODEL));
  halt_(&m, &p);
  xr_close(&m);
  if (!xr_open(&r, RIG_RTL)) {
    prog_free(&p);
    cr_skip_test("built without the RTL");
  }
  halt_(&r, &p);
  xr_close(&r);
  prog_free(&p);
}
