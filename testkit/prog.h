/*
 * Accelerator programs written by hand, for tests, benches and tools:
 * instruction builders over the generated nc_hw.h accessors, the qparam
 * record, a reference GEMM and the lecture's worked convolution as a stream.
 *
 * The rig memory layout every runner of these programs uses: RIG_MEM_SIZE
 * bytes at physical RIG_MEM_BASE (above 4 GiB, so the _HI address registers
 * matter). The ring lives at the start of that memory, outside the window;
 * the window is RIG_WIN_SIZE bytes from RIG_WIN_OFF, and the bytes after it
 * are a guard no instruction may touch.
 *
 * No test framework inside: a failed allocation aborts (TK_REQUIRE).
 */
#ifndef NEOCOG_TESTKIT_PROG_H
#define NEOCOG_TESTKIT_PROG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/nc_hw.h"

#include "testkit/testkit.h"

#define RIG_MEM_BASE (UINT64_C(0x2) << 32)
#define RIG_MEM_SIZE (UINT64_C(4) << 20)
#define RIG_RING_ENTRIES 4096u
#define RIG_WIN_OFF (UINT64_C(64) << 10)
#define RIG_WIN_SIZE (UINT64_C(2) << 20)

/* Dependency flags, as the header byte holds them. */
#define PP (1u << NC_HW_INSN_POP_PREV_LSB)  /* pop_prev */
#define PN (1u << NC_HW_INSN_POP_NEXT_LSB)  /* pop_next */
#define UP (1u << NC_HW_INSN_PUSH_PREV_LSB) /* push_prev */
#define UN (1u << NC_HW_INSN_PUSH_NEXT_LSB) /* push_next */

typedef struct {
  nc_hw_insn_t *v;
  size_t n, cap;
} prog_t;

static inline void prog_free(prog_t *p) {
  free(p->v);
  memset(p, 0, sizeof *p);
}

/* Appends a zeroed instruction with `opcode` and dependency `flags`. */
static inline nc_hw_insn_t *prog_add(prog_t *p, uint32_t opcode,
                                     unsigned flags) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 64;
    p->v = realloc(p->v, p->cap * sizeof *p->v);
    TK_REQUIRE(p->v != NULL);
  }
  nc_hw_insn_t *i = &p->v[p->n++];
  memset(i, 0, sizeof *i);
  nc_hw_insn_set_opcode(i, opcode);
  i->w[0] |= flags;
  return i;
}

/* Instructions as ring bytes. Caller frees. */
static inline uint8_t *prog_bytes(const prog_t *p) {
  uint8_t *b = malloc(p->n * NC_HW_INSN_BYTES + 1);
  TK_REQUIRE(b != NULL);
  for (size_t i = 0; i < p->n; i++) {
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS, b + i * NC_HW_INSN_BYTES);
  }
  return b;
}

static inline void p_load_cfg(prog_t *p, uint32_t xs, uint32_t ys, uint32_t zs,
                              int pad, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_LOAD_CFG, flags);
  nc_hw_load_cfg_set_x_stride(i, xs);
  nc_hw_load_cfg_set_y_stride(i, ys);
  nc_hw_load_cfg_set_z_stride(i, zs);
  nc_hw_load_cfg_set_pad_value(i, pad);
}

typedef struct {
  uint32_t sram, dram, elems, x, y, z, pt, pb, pl, pr;
  uint32_t kh, kw, sh, sw; /* im2col kernel and strides (kh 0: plain) */
} ld_t;

static inline void p_load(prog_t *p, ld_t a, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_LOAD, flags);
  nc_hw_load_set_sram_addr(i, a.sram);
  nc_hw_load_set_dram_offset(i, a.dram);
  nc_hw_load_set_elems(i, a.elems);
  nc_hw_load_set_x_size(i, a.x);
  nc_hw_load_set_y_size(i, a.y ? a.y : 1);
  nc_hw_load_set_z_size(i, a.z ? a.z : 1);
  nc_hw_load_set_pad_top(i, a.pt);
  nc_hw_load_set_pad_bottom(i, a.pb);
  nc_hw_load_set_pad_left(i, a.pl);
  nc_hw_load_set_pad_right(i, a.pr);
  nc_hw_load_set_im2col_kh(i, a.kh);
  nc_hw_load_set_im2col_kw(i, a.kw);
  nc_hw_load_set_im2col_sh(i, a.sh);
  nc_hw_load_set_im2col_sw(i, a.sw);
}

typedef struct {
  uint32_t wgt, inp, acc, lo, li, iso, isi, aso, asi, keep, accum;
} gm_t;

static inline void p_gemm(prog_t *p, gm_t a, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_GEMM, flags);
  nc_hw_gemm_set_wgt_addr(i, a.wgt);
  nc_hw_gemm_set_inp_addr(i, a.inp);
  nc_hw_gemm_set_acc_addr(i, a.acc);
  nc_hw_gemm_set_loop_out(i, a.lo ? a.lo : 1);
  nc_hw_gemm_set_loop_in(i, a.li ? a.li : 1);
  nc_hw_gemm_set_inp_stride_out(i, a.iso);
  nc_hw_gemm_set_inp_stride_in(i, a.isi);
  nc_hw_gemm_set_acc_stride_out(i, a.aso);
  nc_hw_gemm_set_acc_stride_in(i, a.asi);
  nc_hw_gemm_set_wgt_keep(i, a.keep);
  nc_hw_gemm_set_accumulate(i, a.accum);
}

typedef struct {
  uint32_t wgt, inp, acc, oh, ow, line, kh, kw, sy, sx, aso, asi, keep, accum;
  uint32_t ps; /* pix_stride, 0 meaning 1 */
} dw_t;

static inline void p_dwconv(prog_t *p, dw_t a, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_DWCONV, flags);
  nc_hw_dwconv_set_wgt_addr(i, a.wgt);
  nc_hw_dwconv_set_inp_addr(i, a.inp);
  nc_hw_dwconv_set_acc_addr(i, a.acc);
  nc_hw_dwconv_set_out_h(i, a.oh ? a.oh : 1);
  nc_hw_dwconv_set_out_w(i, a.ow ? a.ow : 1);
  nc_hw_dwconv_set_line(i, a.line ? a.line : 1);
  nc_hw_dwconv_set_kh(i, a.kh ? a.kh : 1);
  nc_hw_dwconv_set_kw(i, a.kw ? a.kw : 1);
  nc_hw_dwconv_set_stride_y(i, a.sy ? a.sy : 1);
  nc_hw_dwconv_set_stride_x(i, a.sx ? a.sx : 1);
  nc_hw_dwconv_set_acc_stride_out(i, a.aso);
  nc_hw_dwconv_set_acc_stride_in(i, a.asi);
  nc_hw_dwconv_set_wgt_keep(i, a.keep);
  nc_hw_dwconv_set_accumulate(i, a.accum);
  nc_hw_dwconv_set_pix_stride(i, a.ps ? a.ps : 1);
}

typedef struct {
  uint32_t acc, dram, param, ncols, y, x, pt, pb, pl, pr;
  uint32_t addp; /* add_param: the addq record (with STORE_CFG add) */
} st_t;

static inline void p_store(prog_t *p, st_t a, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_STORE, flags);
  nc_hw_store_set_acc_addr(i, a.acc);
  nc_hw_store_set_dram_offset(i, a.dram);
  nc_hw_store_set_param_addr(i, a.param);
  nc_hw_store_set_n_cols(i, a.ncols);
  nc_hw_store_set_y_size(i, a.y ? a.y : 1);
  nc_hw_store_set_x_size(i, a.x ? a.x : 1);
  nc_hw_store_set_pool_pad_top(i, a.pt);
  nc_hw_store_set_pool_pad_bottom(i, a.pb);
  nc_hw_store_set_pool_pad_left(i, a.pl);
  nc_hw_store_set_pool_pad_right(i, a.pr);
  nc_hw_store_set_add_param(i, a.addp);
}

typedef struct {
  uint32_t fmt, pool, kh, kw, sh, sw, xs, ys;
  uint32_t add, rdelta; /* residual add, its offset from the output */
} stc_t;

static inline void p_store_cfg(prog_t *p, stc_t a, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_STORE_CFG, flags);
  nc_hw_store_cfg_set_out_fmt(i, a.fmt);
  nc_hw_store_cfg_set_pool_op(i, a.pool);
  nc_hw_store_cfg_set_pool_kh(i, a.kh ? a.kh : 1);
  nc_hw_store_cfg_set_pool_kw(i, a.kw ? a.kw : 1);
  nc_hw_store_cfg_set_pool_sh(i, a.sh ? a.sh : 1);
  nc_hw_store_cfg_set_pool_sw(i, a.sw ? a.sw : 1);
  nc_hw_store_cfg_set_x_stride(i, a.xs);
  nc_hw_store_cfg_set_y_stride(i, a.ys);
  nc_hw_store_cfg_set_add(i, a.add);
  nc_hw_store_cfg_set_res_delta(i, a.rdelta);
}

static inline void p_load_param(prog_t *p, uint32_t param, uint32_t count,
                                uint32_t dram, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_LOAD_PARAM, flags);
  nc_hw_load_param_set_param_addr(i, param);
  nc_hw_load_param_set_count(i, count);
  nc_hw_load_param_set_dram_offset(i, dram);
}

static inline void p_sync(prog_t *p, uint32_t target, unsigned flags) {
  nc_hw_insn_t *i = prog_add(p, NC_HW_OP_SYNC, flags);
  nc_hw_sync_set_target(i, target);
}

static inline void p_finish(prog_t *p) {
  (void)prog_add(p, NC_HW_OP_FINISH, 0);
}

/* One qparam record into `out`, its fields in record order (the tests'
 * short form of nc_hw_qparam_pack). */
static inline void qparam_put(uint8_t *out, int32_t bias, int32_t mult,
                              int32_t shift, int32_t zp, int32_t lo,
                              int32_t hi) {
  const nc_hw_qparam_vals_t v = {.bias = bias,
                                 .mult = mult,
                                 .shift = shift,
                                 .out_zp = zp,
                                 .act_min = lo,
                                 .act_max = hi};
  nc_hw_qparam_pack(&v, out);
}

static inline int32_t le32(const uint8_t *p) {
  const uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* Reference int8 GEMM in wrapping int32: c[m][n] (+)= sum_k a[m][k]
 * b[n][k] (b is [N][K], one output channel's weights per row). */
static inline void ref_gemm(const int8_t *a, const int8_t *b, int32_t *c, int M,
                            int N, int K) {
  for (int m = 0; m < M; m++) {
    for (int n = 0; n < N; n++) {
      uint32_t s = 0;
      for (int k = 0; k < K; k++) {
        s += (uint32_t)((int32_t)a[m * K + k] * (int32_t)b[n * K + k]);
      }
      const uint32_t u = s;
      c[m * N + n] = u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
    }
  }
}

/* The lecture's worked convolution (5x5x3 input, pad 1, stride 2, two 3x3
 * filters -> 3x3x2 int32) as a stream: the input at window offset x_off
 * (NHWC), the weights at w_off (OHWI), two qparam records at param_off, the
 * output at out_off. One GEMM per kernel tap, accumulating; each tap's
 * weight tile is NC_HW_COLS scratchpad rows, two of them filters (so the
 * array needs 3 rows and 2 columns; mk/config.mk allows no narrower). */
static inline void prog_lecture_conv(prog_t *p, uint32_t x_off, uint32_t w_off,
                                     uint32_t param_off, uint32_t out_off) {
  p_load_cfg(p, 3, 15, 0, 0, 0);
  p_load(p,
         (ld_t){.dram = x_off,
                .elems = 3,
                .x = 5,
                .y = 5,
                .pt = 1,
                .pb = 1,
                .pl = 1,
                .pr = 1},
         0);
  p_load_cfg(p, 27, 0, 3, 0, 0);
  p_load(p,
         (ld_t){.sram = 64,
                .dram = w_off,
                .elems = 3,
                .x = 2,
                .z = 9,
                .pr = NC_HW_COLS - 2},
         UN);
  p_load_param(p, 0, 2, param_off, 0);
  p_store_cfg(p, (stc_t){.xs = 8, .ys = 24}, 0);
  for (int t = 0; t < 9; t++) {
    p_gemm(p,
           (gm_t){.wgt = 64u + NC_HW_COLS * (uint32_t)t,
                  .inp = (uint32_t)(7 * (t / 3) + t % 3),
                  .lo = 3,
                  .li = 3,
                  .iso = 14,
                  .isi = 2,
                  .aso = 3,
                  .asi = 1,
                  .accum = t > 0},
           (t == 0 ? PP : 0) | (t == 8 ? UN : 0));
  }
  p_store(p, (st_t){.dram = out_off, .ncols = 2, .y = 3, .x = 3}, PP);
}

#endif /* NEOCOG_TESTKIT_PROG_H */
