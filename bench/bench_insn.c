/*
 * Per-instruction cost of the accelerator on each backend: short streams of
 * one instruction kind (LOAD contiguous or scattered, GEMM with and without
 * new weights or scratchpad bank conflicts, STORE with and without pooling,
 * LOAD_PARAM, and two small load/compute and compute/store pipelines) run on
 * "model" and "rtl", next to the planner's replay of the same stream
 * (host/plan_cost.c: the model's scheduler without data, so "replay" and
 * "model" agree exactly). It is how base/include/neocog/timing.h was
 * calibrated: the cycles of a case minus those of an empty program (one
 * FINISH) are the cost of its instructions, and rtl/rep is measured over
 * predicted.
 *
 *   build/bench/bench_insn [--backend model|rtl|both] [--case SUBSTRING]
 *
 * Memory: latency 100 cycles, 16 B/cycle (the rtl defaults). Results are
 * not compared here (the tests do that), only PERF_CYCLES and the per-unit
 * busy/stall counters of the RTL.
 *
 * The cases are written for the configured array: a scratchpad row is R
 * bytes, an accumulator row L lanes (16 and 16 by default, the size the
 * timing rules were calibrated at), and the scratchpad addresses follow
 * its banks. The case names give counts of rows and vectors, which are the
 * same at every size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/plan.h"
#include "neocog/drv.h"
#include "neocog/nc_hw.h"

#define PP (1u << NC_HW_INSN_POP_PREV_LSB)
#define PN (1u << NC_HW_INSN_POP_NEXT_LSB)
#define UP (1u << NC_HW_INSN_PUSH_PREV_LSB)
#define UN (1u << NC_HW_INSN_PUSH_NEXT_LSB)

/* Window layout of every case: inputs at 0, parameters at PRM, outputs at
 * OUT (all far apart). */
#define PRM (UINT32_C(8) << 20)
#define OUT (UINT32_C(16) << 20)
#define WIN (UINT64_C(32) << 20)

enum { R = NC_HW_ROWS, L = NC_HW_COLS };

/* Window offset of the cases' buffer (the ring sits before it). */
static uint32_t base_;

typedef struct {
  nc_hw_insn_t v[4096];
  size_t n;
} prog_t;

static nc_hw_insn_t *add_(prog_t *p, uint32_t op, unsigned flags) {
  if (p->n == sizeof p->v / sizeof p->v[0]) {
    fprintf(stderr, "bench_insn: program too long\n");
    exit(1);
  }
  nc_hw_insn_t *i = &p->v[p->n++];
  memset(i, 0, sizeof *i);
  nc_hw_insn_set_opcode(i, op);
  i->w[0] |= flags;
  return i;
}

static void load_cfg_(prog_t *p, uint32_t xs, uint32_t ys) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_LOAD_CFG, 0);
  nc_hw_load_cfg_set_x_stride(i, xs);
  nc_hw_load_cfg_set_y_stride(i, ys);
  nc_hw_load_cfg_set_z_stride(i, ys * 64);
}

static void load_(prog_t *p, uint32_t sram, uint32_t dram, uint32_t el,
                  uint32_t x, uint32_t y, uint32_t pad, unsigned flags) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_LOAD, flags);
  nc_hw_load_set_sram_addr(i, sram);
  nc_hw_load_set_dram_offset(i, base_ + dram);
  nc_hw_load_set_elems(i, el);
  nc_hw_load_set_x_size(i, x);
  nc_hw_load_set_y_size(i, y);
  nc_hw_load_set_z_size(i, 1);
  nc_hw_load_set_pad_left(i, pad);
  nc_hw_load_set_pad_right(i, pad);
  nc_hw_load_set_pad_top(i, pad);
  nc_hw_load_set_pad_bottom(i, pad);
}

/* Scratchpad row of the GEMM cases' weights: another bank than the
 * activations at row 0 (bank 2, row 8192 at 16x16), or the same one. */
#define WGT_ROW (2u * NC_HW_SPAD_BANK_ROWS)
#define WGT_ROW_CONFLICT (NC_HW_SPAD_BANK_ROWS / 2u)
static uint32_t wgt_row_ = WGT_ROW;

static void gemm_(prog_t *p, uint32_t lo, uint32_t li, int keep, unsigned fl) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_GEMM, fl);
  nc_hw_gemm_set_wgt_addr(i, keep ? 0 : wgt_row_);
  nc_hw_gemm_set_wgt_keep(i, (uint32_t)keep);
  nc_hw_gemm_set_inp_addr(i, 0);
  nc_hw_gemm_set_acc_addr(i, 0);
  nc_hw_gemm_set_loop_out(i, lo);
  nc_hw_gemm_set_loop_in(i, li);
  nc_hw_gemm_set_inp_stride_out(i, li);
  nc_hw_gemm_set_inp_stride_in(i, 1);
  nc_hw_gemm_set_acc_stride_out(i, li);
  nc_hw_gemm_set_acc_stride_in(i, 1);
  nc_hw_gemm_set_accumulate(i, 1);
}

static void store_cfg_(prog_t *p, uint32_t fmt, uint32_t pool, uint32_t k,
                       uint32_t s, uint32_t xs, uint32_t ys) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_STORE_CFG, 0);
  nc_hw_store_cfg_set_out_fmt(i, fmt);
  nc_hw_store_cfg_set_pool_op(i, pool);
  nc_hw_store_cfg_set_pool_kh(i, k);
  nc_hw_store_cfg_set_pool_kw(i, k);
  nc_hw_store_cfg_set_pool_sh(i, s);
  nc_hw_store_cfg_set_pool_sw(i, s);
  nc_hw_store_cfg_set_x_stride(i, xs);
  nc_hw_store_cfg_set_y_stride(i, ys);
}

static void store_(prog_t *p, uint32_t dram, uint32_t ncols, uint32_t y,
                   uint32_t x, unsigned flags) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_STORE, flags);
  nc_hw_store_set_acc_addr(i, 0);
  nc_hw_store_set_dram_offset(i, base_ + OUT + dram);
  nc_hw_store_set_param_addr(i, 0);
  nc_hw_store_set_n_cols(i, ncols);
  nc_hw_store_set_y_size(i, y);
  nc_hw_store_set_x_size(i, x);
}

static void load_param_(prog_t *p, uint32_t count, unsigned flags) {
  nc_hw_insn_t *i = add_(p, NC_HW_OP_LOAD_PARAM, flags);
  nc_hw_load_param_set_param_addr(i, 0);
  nc_hw_load_param_set_count(i, count);
  nc_hw_load_param_set_dram_offset(i, base_ + PRM);
}

/* A case: builds its stream from two integer parameters. */
typedef struct {
  const char *name;
  void (*build)(prog_t *p, int a, int b);
  int a, b;
} case_t;

/* n LOADs of one line of x contiguous R-byte rows. */
static void c_load_line_(prog_t *p, int n, int x) {
  load_cfg_(p, R, R * 1024);
  for (int i = 0; i < n; i++) {
    load_(p, (uint32_t)(i % 4) * 2048, (uint32_t)i * 65536, R, (uint32_t)x, 1,
          0, 0);
  }
}

/* n LOADs of y lines of x contiguous R-byte rows (line stride 4 KiB). */
static void c_load_rect_(prog_t *p, int y, int x) {
  load_cfg_(p, R, 4096);
  for (int i = 0; i < 4; i++) {
    load_(p, (uint32_t)i * 2048, (uint32_t)i * 1048576 / 4, R, (uint32_t)x,
          (uint32_t)y, 0, 0);
  }
}

/* 4 LOADs of y lines of x rows of R bytes, x_stride 64 (scattered). */
static void c_load_scat_(prog_t *p, int y, int x) {
  load_cfg_(p, 64, 64 * 1024);
  for (int i = 0; i < 4; i++) {
    load_(p, (uint32_t)i * 2048, (uint32_t)i * 262144, R, (uint32_t)x,
          (uint32_t)y, 0, 0);
  }
}

/* 4 LOADs of x rows of `el` bytes each, contiguous (x_stride = el). */
static void c_load_elems_(prog_t *p, int el, int x) {
  load_cfg_(p, (uint32_t)el, 65536);
  for (int i = 0; i < 4; i++) {
    load_(p, (uint32_t)i * 2048, (uint32_t)i * 262144, (uint32_t)el,
          (uint32_t)x, 1, 0, 0);
  }
}

/* 4 LOADs of 16 lines of x R-byte rows with `pad` padding on each side. */
static void c_load_pad_(prog_t *p, int pad, int x) {
  load_cfg_(p, R, 4096);
  for (int i = 0; i < 4; i++) {
    load_(p, (uint32_t)i * 2048, (uint32_t)i * 262144, R, (uint32_t)x, 16,
          (uint32_t)pad, 0);
  }
}

/* n GEMMs of lo x li vectors, weights preloaded (not kept). */
static void c_gemm_(prog_t *p, int n, int li) {
  for (int i = 0; i < n; i++) {
    gemm_(p, 1, (uint32_t)li, 0, 0);
  }
}

/* n GEMMs of li vectors, weights in the activations' bank. */
static void c_gemm_conf_(prog_t *p, int n, int li) {
  wgt_row_ = WGT_ROW_CONFLICT;
  for (int i = 0; i < n; i++) {
    gemm_(p, 1, (uint32_t)li, 0, 0);
  }
  wgt_row_ = WGT_ROW;
}

/* n GEMMs of li x li vectors, new weights each. */
static void c_gemm_sq_(prog_t *p, int n, int li) {
  for (int i = 0; i < n; i++) {
    gemm_(p, (uint32_t)li, (uint32_t)li, 0, 0);
  }
}

/* n GEMMs of 4 x li vectors, weights kept after the first. */
static void c_gemm_lo_(prog_t *p, int n, int li) {
  for (int i = 0; i < n; i++) {
    gemm_(p, 4, (uint32_t)li, i > 0, 0);
  }
}

/* n GEMMs of li vectors, weights kept after the first. */
static void c_gemm_keep_(prog_t *p, int n, int li) {
  for (int i = 0; i < n; i++) {
    gemm_(p, 1, (uint32_t)li, i > 0, 0);
  }
}

/* 4 int8 STOREs of y x x pixels, L lanes, contiguous. */
static void c_store_(prog_t *p, int y, int x) {
  load_param_(p, L, 0);
  store_cfg_(p, NC_HW_OUT_INT8, NC_HW_POOL_NONE, 1, 1, L, L * (uint32_t)x);
  for (int i = 0; i < 4; i++) {
    store_(p, (uint32_t)i * 65536, L, (uint32_t)y, (uint32_t)x, 0);
  }
}

/* 4 int8 STOREs of y x x pixels, L lanes of a 64-channel tensor. */
static void c_store_scat_(prog_t *p, int y, int x) {
  load_param_(p, L, 0);
  store_cfg_(p, NC_HW_OUT_INT8, NC_HW_POOL_NONE, 1, 1, 64, 64 * (uint32_t)x);
  for (int i = 0; i < 4; i++) {
    store_(p, (uint32_t)i * 65536, L, (uint32_t)y, (uint32_t)x, 0);
  }
}

/* 4 int32 STOREs of y x x pixels, contiguous. */
static void c_store32_(prog_t *p, int y, int x) {
  load_param_(p, L, 0);
  store_cfg_(p, NC_HW_OUT_INT32, NC_HW_POOL_NONE, 1, 1, 4 * L,
             4 * L * (uint32_t)x);
  for (int i = 0; i < 4; i++) {
    store_(p, (uint32_t)i * 65536, L, (uint32_t)y, (uint32_t)x, 0);
  }
}

/* 4 max-pooled int8 STOREs of a y x y tile, window k, stride k / 2. */
static void c_store_pool_(prog_t *p, int y, int k) {
  load_param_(p, L, 0);
  store_cfg_(p, NC_HW_OUT_INT8, NC_HW_POOL_MAX, (uint32_t)k, (uint32_t)k / 2,
             64, 64 * 64);
  for (int i = 0; i < 4; i++) {
    store_(p, (uint32_t)i * 65536, L, (uint32_t)y, (uint32_t)y, 0);
  }
}

/* n LOAD_PARAMs of `cnt` records. */
static void c_param_(prog_t *p, int n, int cnt) {
  for (int i = 0; i < n; i++) {
    load_param_(p, (uint32_t)cnt, 0);
  }
}

/* n load->compute steps: LOAD of x rows then GEMM over them, tokens both
 * ways, double-buffered. */
static void c_pipe_(prog_t *p, int n, int x) {
  load_cfg_(p, R, R * 1024);
  load_(p, WGT_ROW, 0, R, L, 1, 0, 0);
  for (int i = 0; i < n; i++) {
    const unsigned pop = i >= 2 ? PN : 0;
    load_(p, (uint32_t)(i % 2) * 2048, (uint32_t)i * 16384, R, (uint32_t)x, 1,
          0, pop | UN);
    nc_hw_insn_t *g = add_(p, NC_HW_OP_GEMM, PP | UP);
    nc_hw_gemm_set_wgt_addr(g, WGT_ROW);
    nc_hw_gemm_set_inp_addr(g, (uint32_t)(i % 2) * 2048);
    nc_hw_gemm_set_loop_out(g, 1);
    nc_hw_gemm_set_loop_in(g, (uint32_t)x);
    nc_hw_gemm_set_inp_stride_in(g, 1);
    nc_hw_gemm_set_acc_stride_in(g, 1);
  }
  for (int i = n < 2 ? n : 2; i > 0; i--) {
    nc_hw_insn_t *s = add_(p, NC_HW_OP_SYNC, PN);
    nc_hw_sync_set_target(s, NC_HW_QUEUE_LOAD);
  }
}

/* n compute->store steps: GEMM of x vectors then a contiguous STORE. */
static void c_cstore_(prog_t *p, int n, int x) {
  load_param_(p, L, 0);
  store_cfg_(p, NC_HW_OUT_INT8, NC_HW_POOL_NONE, 1, 1, L, L * (uint32_t)x);
  for (int i = 0; i < n; i++) {
    const unsigned pop = i >= 2 ? PN : 0;
    nc_hw_insn_t *g = add_(p, NC_HW_OP_GEMM, pop | UN);
    nc_hw_gemm_set_wgt_addr(g, WGT_ROW);
    nc_hw_gemm_set_acc_addr(g, (uint32_t)(i % 2) * 1024);
    nc_hw_gemm_set_loop_out(g, 1);
    nc_hw_gemm_set_loop_in(g, (uint32_t)x);
    nc_hw_gemm_set_inp_stride_in(g, 1);
    nc_hw_gemm_set_acc_stride_in(g, 1);
    nc_hw_insn_t *s = add_(p, NC_HW_OP_STORE, PP | UP);
    nc_hw_store_set_acc_addr(s, (uint32_t)(i % 2) * 1024);
    nc_hw_store_set_dram_offset(s, base_ + OUT + (uint32_t)i * L * (uint32_t)x);
    nc_hw_store_set_n_cols(s, L);
    nc_hw_store_set_y_size(s, 1);
    nc_hw_store_set_x_size(s, (uint32_t)x);
  }
  for (int i = n < 2 ? n : 2; i > 0; i--) {
    nc_hw_insn_t *s = add_(p, NC_HW_OP_SYNC, PN);
    nc_hw_sync_set_target(s, NC_HW_QUEUE_COMPUTE);
  }
}

static void c_empty_(prog_t *p, int a, int b) {
  (void)p;
  (void)a;
  (void)b;
}

/* 4 im2col LOADs of a k x k kernel (k = 3 + 6 * (c / 8), c = c % 8
 * channels), stride 1 + (x / 100), padding 1, over an x % 100 pixels square
 * tile (line stride 1 KiB): the tile buffer fills, then its rows. */
static void c_load_i2c_(prog_t *p, int c, int x) {
  const uint32_t k = 3 + 6 * (uint32_t)(c / 8), ch = (uint32_t)(c % 8);
  const uint32_t s = 1 + (uint32_t)(x / 100), n = (uint32_t)(x % 100);
  load_cfg_(p, ch, 1024);
  for (int i = 0; i < 4; i++) {
    load_(p, (uint32_t)i * 4096, (uint32_t)i * 262144, ch, n, n, 1, 0);
    nc_hw_insn_t *l = &p->v[p->n - 1];
    nc_hw_load_set_z_size(l, (k * k * ch + R - 1) / R);
    nc_hw_load_set_im2col_kh(l, k);
    nc_hw_load_set_im2col_kw(l, k);
    nc_hw_load_set_im2col_sh(l, s);
    nc_hw_load_set_im2col_sw(l, s);
  }
}

static const case_t cases_[] = {
    {"empty", c_empty_, 0, 0},
    {"load line n1 x16", c_load_line_, 1, 16},
    {"load line n1 x64", c_load_line_, 1, 64},
    {"load line n2 x16", c_load_line_, 2, 16},
    {"load line n4 x16", c_load_line_, 4, 16},
    {"load line x16", c_load_line_, 8, 16},
    {"load line n16 x16", c_load_line_, 16, 16},
    {"load line n16 x4", c_load_line_, 16, 4},
    {"load line x64", c_load_line_, 8, 64},
    {"load line x256", c_load_line_, 8, 256},
    {"load line x1000", c_load_line_, 4, 1000},
    {"load rect 16x16", c_load_rect_, 16, 16},
    {"load rect 64x8", c_load_rect_, 64, 8},
    {"load rect 8x75", c_load_rect_, 8, 75},
    {"load scat 1x256", c_load_scat_, 1, 256},
    {"load scat 16x16", c_load_scat_, 16, 16},
    {"load scat 4x256", c_load_scat_, 4, 256},
    {"load elems3 x256", c_load_elems_, 3, 256},
    {"load elems8 x256", c_load_elems_, 8, 256},
    {"load pad1 16x16", c_load_pad_, 1, 16},
    {"load pad4 16x16", c_load_pad_, 4, 16},
    {"load i2c 3x3 c3 16x16", c_load_i2c_, 3, 16},
    {"load i2c 3x3 c1 30x30", c_load_i2c_, 1, 30},
    {"load i2c 3x3/2 c3 31x31", c_load_i2c_, 3, 131},
    {"load i2c 3x3 c3 5x5", c_load_i2c_, 3, 5},
    {"load i2c 9x9 c3 20x20", c_load_i2c_, 11, 20},
    {"gemm 4x16 keep n8", c_gemm_lo_, 8, 16},
    {"gemm 6x6 n8", c_gemm_sq_, 8, 6},
    {"gemm 6x6 n64", c_gemm_sq_, 64, 6},
    {"gemm 8x8 n64", c_gemm_sq_, 64, 8},
    {"gemm 8x8 n4", c_gemm_sq_, 4, 8},
    {"gemm keep 1x16 n64", c_gemm_keep_, 64, 16},
    {"gemm keep 1x16 n32", c_gemm_keep_, 32, 16},
    {"gemm 1x16 n64", c_gemm_, 64, 16},
    {"gemm 1x40 n64", c_gemm_, 64, 40},
    {"gemm 8x8 n12", c_gemm_sq_, 12, 8},
    {"gemm 8x8 n16", c_gemm_sq_, 16, 8},
    {"gemm 8x8 n32", c_gemm_sq_, 32, 8},
    {"gemm 4x16 keep n1", c_gemm_lo_, 1, 16},
    {"gemm 1x1 n1", c_gemm_, 1, 1},
    {"gemm 1x1 n2", c_gemm_, 2, 1},
    {"gemm 1x16 n1", c_gemm_, 1, 16},
    {"gemm 1x64 n1", c_gemm_, 1, 64},
    {"gemm 1x8 n8", c_gemm_, 8, 8},
    {"gemm 1x16 n8", c_gemm_, 8, 16},
    {"gemm 1x24 n8", c_gemm_, 8, 24},
    {"gemm 1x30 n8", c_gemm_, 8, 30},
    {"gemm 1x32 n8", c_gemm_, 8, 32},
    {"gemm 1x34 n8", c_gemm_, 8, 34},
    {"gemm 1x40 n8", c_gemm_, 8, 40},
    {"gemm conf 1x16 n8", c_gemm_conf_, 8, 16},
    {"gemm conf 1x64 n8", c_gemm_conf_, 8, 64},
    {"gemm conf 1x256 n8", c_gemm_conf_, 8, 256},
    {"gemm 1x64 n8", c_gemm_, 8, 64},
    {"gemm 1x256 n8", c_gemm_, 8, 256},
    {"gemm keep 1x16 n8", c_gemm_keep_, 8, 16},
    {"gemm keep 1x256 n8", c_gemm_keep_, 8, 256},
    {"store 1x16", c_store_, 1, 16},
    {"store 1x64", c_store_, 1, 64},
    {"store 8x8", c_store_, 8, 8},
    {"store 16x16", c_store_, 16, 16},
    {"store 1x256", c_store_, 1, 256},
    {"store scat 8x8", c_store_scat_, 8, 8},
    {"store scat 16x16", c_store_scat_, 16, 16},
    {"store32 8x8", c_store32_, 8, 8},
    {"store32 16x16", c_store32_, 16, 16},
    {"store pool 15 k3", c_store_pool_, 15, 3},
    {"store pool 20 k10", c_store_pool_, 20, 10},
    {"store pool 40 k10", c_store_pool_, 40, 10},
    {"param n4 x16", c_param_, 4, 16},
    {"param n4 x64", c_param_, 4, 64},
    {"param n2 x512", c_param_, 2, 512},
    {"pipe load+gemm n16 x64", c_pipe_, 16, 64},
    {"pipe load+gemm n16 x256", c_pipe_, 16, 256},
    {"pipe gemm+store n16 x64", c_cstore_, 16, 64},
    {"pipe gemm+store n16 x256", c_cstore_, 16, 256},
};

/* Runs `p` on `dev` and returns PERF_CYCLES (0 on failure). */
static uint64_t run_(nc_dev_t *dev, const prog_t *p, nc_dev_counters_t *c) {
  static uint8_t bytes[sizeof(((prog_t *)0)->v)];
  for (size_t i = 0; i < p->n; i++) {
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS,
                         bytes + i * NC_HW_INSN_BYTES);
  }
  nc_dev_result_t r;
  if (nc_dev_submit(dev, bytes, p->n) != NC_OK ||
      nc_dev_wait(dev, 600000, &r) != NC_OK ||
      nc_dev_counters(dev, c) != NC_OK) {
    fprintf(stderr, "bench_insn: run failed: %s\n", nc_error_detail());
    return 0;
  }
  return c->cycles;
}

static nc_dev_t *open_(const char *backend, nc_dev_buf_t *buf) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = WIN + (UINT64_C(1) << 20);
  nc_dev_t *d = NULL;
  if (nc_dev_open(backend, &o, &d) != NC_OK) {
    fprintf(stderr, "bench_insn: %s: %s\n", backend, nc_error_detail());
    return NULL;
  }
  if (nc_dev_alloc(d, WIN, 4096, buf) != NC_OK ||
      (base_ != 0 && buf->offset != base_)) {
    fprintf(stderr, "bench_insn: %s: window layout\n", backend);
    nc_dev_close(d);
    return NULL;
  }
  base_ = (uint32_t)buf->offset;
  /* Valid qparam records (identity-ish requantization). */
  uint8_t rec[1024 * 16];
  const nc_hw_qparam_vals_t id = {
      .mult = 1 << 30, .act_min = -128, .act_max = 127};
  for (int i = 0; i < 1024; i++) {
    nc_hw_qparam_pack(&id, rec + NC_HW_QPARAM_BYTES * i);
  }
  if (nc_dev_write(d, buf, PRM, rec, sizeof rec) != NC_OK) {
    nc_dev_close(d);
    return NULL;
  }
  return d;
}

int main(int argc, char **argv) {
  const char *which = "both", *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
      which = argv[++i];
    } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      fprintf(stderr,
              "usage: bench_insn [--backend model|rtl|both] [--case S]\n");
      return 2;
    }
  }
  const int use_m = strcmp(which, "rtl") != 0;
  const int use_r = strcmp(which, "model") != 0;
  nc_dev_buf_t bm, br;
  nc_dev_t *dm = use_m ? open_("model", &bm) : NULL;
  nc_dev_t *dr = use_r ? open_("rtl", &br) : NULL;
  if ((use_m && dm == NULL) || (use_r && dr == NULL)) {
    return 1;
  }
  nc_plan_caps_t caps;
  nc_plan_caps_default(&caps);
  printf("%-26s %5s %9s %9s %9s %7s   %s\n", "case", "insns", "replay",
         "model", "rtl", "rtl/rep", "rtl busy/stall l c s");
  uint64_t base[3] = {0, 0, 0};
  for (size_t k = 0; k < sizeof cases_ / sizeof cases_[0]; k++) {
    const case_t *cs = &cases_[k];
    if (k > 0 && only != NULL && strstr(cs->name, only) == NULL) {
      continue;
    }
    static prog_t p;
    p.n = 0;
    cs->build(&p, cs->a, cs->b);
    (void)add_(&p, NC_HW_OP_FINISH, 0);
    nc_plan_replay_t rp;
    if (nc_plan_replay(p.v, p.n, &caps, &rp) != NC_OK) {
      fprintf(stderr, "bench_insn: %s: replay: %s\n", cs->name,
              nc_error_detail());
      return 1;
    }
    nc_dev_counters_t cm, cr;
    memset(&cm, 0, sizeof cm);
    memset(&cr, 0, sizeof cr);
    const uint64_t m = dm ? run_(dm, &p, &cm) : 0;
    const uint64_t r = dr ? run_(dr, &p, &cr) : 0;
    if (k == 0) {
      base[0] = rp.cycles;
      base[1] = m;
      base[2] = r;
    }
    const double ratio =
        rp.cycles > base[0] && r > base[2]
            ? (double)(r - base[2]) / (double)(rp.cycles - base[0])
            : 0;
    printf("%-26s %5zu %9llu %9llu %9llu %7.3f   %llu/%llu %llu/%llu "
           "%llu/%llu\n",
           cs->name, p.n, (unsigned long long)rp.cycles,
           (unsigned long long)m, (unsigned long long)r, ratio,
           (unsigned long long)cr.load_busy, (unsigned long long)cr.load_stall,
           (unsigned long long)cr.compute_busy,
           (unsigned long long)cr.compute_stall,
           (unsigned long long)cr.store_busy,
           (unsigned long long)cr.store_stall);
    fflush(stdout);
  }
  nc_dev_close(dm);
  nc_dev_close(dr);
  return 0;
}
