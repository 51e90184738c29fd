/*
 * Each instruction of docs/isa.md on the functional model, in isolation,
 * against expectations derived by hand from the spec (or, for the bulk
 * cases, from a few lines of C that restate the spec's formula).
 */
#include "neocog/layer.h"
#include "neocog/quant.h"
#include "tests/model/rig.h"

/* The array the build is configured for: R int8 lanes per scratchpad row,
 * L int32 lanes per accumulator row (16 and 16 by default). The programs
 * below are written in those terms, so each expectation holds at any size. */
enum { R = NC_HW_ROWS, L = NC_HW_COLS, RL = R < L ? R : L };

static void spad_rows_(rig_t *r, uint32_t row, uint32_t n, int8_t *out) {
  cr_assert_eq(nc_model_read_spad(r->m, row, n, out), NC_OK);
}

static void expect_row_(const int8_t *got, const int8_t *want, int row) {
  for (int k = 0; k < NC_HW_ROWS; k++) {
    cr_assert_eq(got[k], want[k], "spad row %d lane %d: got %d, want %d", row,
                 k, got[k], want[k]);
  }
}

/* A 1x2 region with one padding row on the left and one padding line
 * below: 2 lines of 3 rows from row 10, pad value -1. */
Test(model_insn, load_padding_by_hand) {
  rig_t r;
  rig_open(&r);
  for (int i = 0; i < 64; i++) {
    r.win[100 + i] = (uint8_t)(10 + i);
  }
  prog_t p = {0};
  p_load_cfg(&p, 4, 20, 0, -1, 0);
  p_load(&p,
         (ld_t){.sram = 10, .dram = 100, .elems = 2, .x = 2, .pl = 1, .pb = 1},
         0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int8_t got[8][NC_HW_ROWS];
  spad_rows_(&r, 9, 8, &got[0][0]);
  int8_t pad[NC_HW_ROWS], zero[NC_HW_ROWS] = {0}, a[NC_HW_ROWS], b[NC_HW_ROWS];
  memset(pad, -1, sizeof pad);
  memcpy(a, pad, sizeof a);
  memcpy(b, pad, sizeof b);
  a[0] = 10; /* window offset 100 */
  a[1] = 11;
  b[0] = 14; /* 100 + x_stride 4 */
  b[1] = 15;
  expect_row_(got[0], zero, 9); /* before the region: untouched */
  expect_row_(got[1], pad, 10); /* pad_left */
  expect_row_(got[2], a, 11);
  expect_row_(got[3], b, 12);
  expect_row_(got[4], pad, 13); /* pad_bottom line: 3 rows */
  expect_row_(got[5], pad, 14);
  expect_row_(got[6], pad, 15);
  expect_row_(got[7], zero, 16); /* after: untouched */
  prog_free(&p);
  rig_close(&r);
}

/* im2col LOADs against the receptive fields built the host's way: each
 * output pixel's (ky, kx, c) vector over the padded tile, cut into rows of
 * R lanes, pad value past its end. One channel, three, more than R
 * elements per pixel (split over rows), stride 2, padding on every side,
 * and a row plane past the kernel. */
Test(model_insn, load_im2col_against_receptive_fields) {
  static const struct {
    uint32_t el, x, y, z, pt, pb, pl, pr, kh, kw, sh, sw;
  } cs[] = {
      {1, 6, 5, 1, 1, 1, 1, 1, 3, 3, 1, 1},
      {3, 7, 6, 2, 0, 1, 0, 1, 3, 3, 2, 2},
      {3, 12, 11, 16, 0, 0, 0, 0, 9, 9, 1, 1},
      {5, 6, 4, 3, 1, 0, 2, 1, 2, 3, 2, 1},
  };
  for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
    const uint32_t el = cs[k].el, xn = cs[k].x, yn = cs[k].y, zn = cs[k].z;
    const uint32_t hp = cs[k].pt + yn + cs[k].pb, wp = cs[k].pl + xn + cs[k].pr;
    const uint32_t oh = (hp - cs[k].kh) / cs[k].sh + 1;
    const uint32_t ow = (wp - cs[k].kw) / cs[k].sw + 1;
    const uint32_t ys = xn * el + 5, dram = 300, sram = 7;
    rig_t r;
    rig_open(&r);
    for (uint32_t i = 0; i < 4096; i++) {
      r.win[dram + i] = (uint8_t)(i * 37u + 11u);
    }
    prog_t p = {0};
    p_load_cfg(&p, 999, ys, 12345, -7, 0);
    p_load(&p,
           (ld_t){.sram = sram, .dram = dram, .elems = el, .x = xn, .y = yn,
                  .z = zn, .pt = cs[k].pt, .pb = cs[k].pb, .pl = cs[k].pl,
                  .pr = cs[k].pr, .kh = cs[k].kh, .kw = cs[k].kw,
                  .sh = cs[k].sh, .sw = cs[k].sw},
           0);
    p_finish(&p);
    rig_run_ok(&r, &p);
    const uint32_t rows = zn * oh * ow;
    int8_t *got = malloc((size_t)rows * R);
    spad_rows_(&r, sram, rows, got);
    const uint32_t kvec = zn * R;
    int8_t *field = malloc(kvec);
    for (uint32_t oy = 0; oy < oh; oy++) {
      for (uint32_t ox = 0; ox < ow; ox++) {
        /* The padded receptive field, taps in order, then the pad value. */
        memset(field, -7, kvec);
        uint32_t n = 0;
        for (uint32_t ky = 0; ky < cs[k].kh; ky++) {
          for (uint32_t kx = 0; kx < cs[k].kw; kx++) {
            const int64_t iy = (int64_t)(oy * cs[k].sh + ky) - cs[k].pt;
            const int64_t ix = (int64_t)(ox * cs[k].sw + kx) - cs[k].pl;
            for (uint32_t c = 0; c < el; c++, n++) {
              if (n < kvec && iy >= 0 && iy < yn && ix >= 0 && ix < xn) {
                field[n] = (int8_t)r.win[dram + iy * ys + ix * el + c];
              }
            }
          }
        }
        for (uint32_t z = 0; z < zn; z++) {
          const uint32_t row = (z * oh + oy) * ow + ox;
          for (int l = 0; l < R; l++) {
            cr_assert_eq(got[row * R + l], field[z * R + l],
                         "case %zu: pixel (%u, %u) plane %u lane %d: got %d, "
                         "want %d",
                         k, oy, ox, z, l, got[row * R + l], field[z * R + l]);
          }
        }
      }
    }
    /* The rows after the last are untouched. */
    int8_t after[R];
    spad_rows_(&r, sram + rows, 1, after);
    for (int l = 0; l < R; l++) {
      cr_assert_eq(after[l], 0, "case %zu: row after the LOAD written", k);
    }
    free(field);
    free(got);
    prog_free(&p);
    rig_close(&r);
  }
}

/* Three dimensions, every stride and every padding side, restated from the
 * spec's formula. */
Test(model_insn, load_3d_strides_and_padding) {
  rig_t r;
  rig_open(&r);
  for (int i = 0; i < 4096; i++) {
    r.win[i] = (uint8_t)(i * 37 + 11);
  }
  enum { Z = 3, Y = 2, X = 3, E = R < 5 ? R : 5, PT = 1, PB = 2, PL = 0 };
  enum { PR = 2 };
  enum { XS = 8, YS = 32, ZS = 100, DRAM = 200, SRAM = 300, PAD = 7 };
  prog_t p = {0};
  p_load_cfg(&p, XS, YS, ZS, PAD, 0);
  p_load(&p,
         (ld_t){.sram = SRAM,
                .dram = DRAM,
                .elems = E,
                .x = X,
                .y = Y,
                .z = Z,
                .pt = PT,
                .pb = PB,
                .pl = PL,
                .pr = PR},
         0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  const int lines = PT + Y + PB, cols = PL + X + PR;
  const int n = Z * lines * cols;
  int8_t got[Z * (PT + Y + PB) * (PL + X + PR)][NC_HW_ROWS];
  spad_rows_(&r, SRAM, (uint32_t)n, &got[0][0]);
  int row = 0;
  for (int z = 0; z < Z; z++) {
    for (int ly = 0; ly < lines; ly++) {
      for (int lx = 0; lx < cols; lx++, row++) {
        int8_t want[NC_HW_ROWS];
        memset(want, PAD, sizeof want);
        const int y = ly - PT, x = lx - PL;
        if (y >= 0 && y < Y && x >= 0 && x < X) {
          const int off = DRAM + z * ZS + y * YS + x * XS;
          for (int k = 0; k < E; k++) {
            want[k] = (int8_t)r.win[off + k];
          }
        }
        expect_row_(got[row], want, SRAM + row);
      }
    }
  }
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET),
               Z * Y * X * E + 3 * NC_HW_INSN_BYTES,
               "bytes read: the rows' elems plus three ring entries");
  prog_free(&p);
  rig_close(&r);
}

/* LOAD_CFG's reset state is all zero: every row reads the same bytes and the
 * pad value is 0. */
Test(model_insn, load_cfg_reset_state) {
  rig_t r;
  rig_open(&r);
  r.win[40] = 5;
  r.win[41] = 6;
  prog_t p = {0};
  p_load(&p, (ld_t){.sram = 0, .dram = 40, .elems = 2, .x = 3, .pr = 1}, 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int8_t got[4][NC_HW_ROWS], want[NC_HW_ROWS] = {5, 6}, zero[NC_HW_ROWS] = {0};
  spad_rows_(&r, 0, 4, &got[0][0]);
  for (int i = 0; i < 3; i++) {
    expect_row_(got[i], want, i);
  }
  expect_row_(got[3], zero, 3);
  prog_free(&p);
  rig_close(&r);
}

/* Activations A[10][R] at window 0, weight tiles W1 and W2 ([L][R]: [n][k])
 * after them; both loaded to the scratchpad by one program prefix. */
enum { GA = 0, GW1 = 10 * R, GW2 = GW1 + L * R };
enum { GS_A = 0, GS_W1 = 100, GS_W2 = 200 };

static void gemm_prefix_(prog_t *p, rig_t *r, int8_t *a, int8_t *w1,
                         int8_t *w2) {
  nc_rng_t rng;
  nc_rng_seed(&rng, 42);
  for (int i = 0; i < 10 * R; i++) {
    a[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  for (int i = 0; i < L * R; i++) {
    w1[i] = (int8_t)nc_rng_range(&rng, -128, 127);
    w2[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  memcpy(r->win + GA, a, 10 * R);
  memcpy(r->win + GW1, w1, L * R);
  memcpy(r->win + GW2, w2, L * R);
  p_load_cfg(p, R, 0, 0, 0, 0);
  p_load(p, (ld_t){.sram = GS_A, .dram = GA, .elems = R, .x = 10}, 0);
  p_load(p, (ld_t){.sram = GS_W1, .dram = GW1, .elems = R, .x = L}, 0);
  p_load(p, (ld_t){.sram = GS_W2, .dram = GW2, .elems = R, .x = L}, UN);
}

static void expect_acc_(rig_t *r, uint32_t row, const int32_t *want, int n,
                        const char *what) {
  int32_t got[64 * NC_HW_COLS];
  cr_assert_leq(n, 64);
  cr_assert_eq(nc_model_read_acc(r->m, row, (uint32_t)n, got), NC_OK);
  for (int i = 0; i < n * NC_HW_COLS; i++) {
    cr_assert_eq(got[i], want[i], "%s: acc row %d lane %d: got %d, want %d",
                 what, row + i / NC_HW_COLS, i % NC_HW_COLS, got[i], want[i]);
  }
}

/* Preload, overwrite, accumulate, wgt_keep, two-level loops and the
 * sequential meaning of a zero accumulator stride, against ref_gemm. */
Test(model_insn, gemm_against_reference) {
  rig_t r;
  rig_open(&r);
  int8_t a[10 * R], w1[L * R], w2[L * R];
  prog_t p = {0};
  gemm_prefix_(&p, &r, a, w1, w2);
  /* acc[0..9] = 2 A W1: preload + overwrite, then keep + accumulate. */
  p_gemm(
      &p,
      (gm_t){.wgt = GS_W1, .inp = GS_A, .acc = 0, .li = 10, .isi = 1, .asi = 1},
      PP);
  p_gemm(&p,
         (gm_t){.keep = 1,
                .accum = 1,
                .inp = GS_A,
                .acc = 0,
                .li = 10,
                .isi = 1,
                .asi = 1},
         0);
  /* acc[20..29] = A W2 once with one loop, again with two (2 x 5). */
  p_gemm(
      &p,
      (gm_t){
          .wgt = GS_W2, .inp = GS_A, .acc = 20, .li = 10, .isi = 1, .asi = 1},
      0);
  p_gemm(&p,
         (gm_t){.keep = 1,
                .accum = 1,
                .inp = GS_A,
                .acc = 20,
                .lo = 2,
                .li = 5,
                .iso = 5,
                .isi = 1,
                .aso = 5,
                .asi = 1},
         0);
  /* acc[40] = sum over the ten rows (zero acc stride, accumulating). */
  p_gemm(&p, (gm_t){.keep = 1, .inp = GS_A, .acc = 40}, 0);
  p_gemm(
      &p,
      (gm_t){
          .keep = 1, .accum = 1, .inp = GS_A + 1, .acc = 40, .li = 9, .isi = 1},
      0);
  /* acc[50] = A[9] W2: overwriting with a zero stride, the last one wins. */
  p_gemm(&p, (gm_t){.keep = 1, .inp = GS_A, .acc = 50, .li = 10, .isi = 1}, 0);
  p_finish(&p);
  rig_run_ok(&r, &p);

  int32_t c1[10 * L], c2[10 * L], want[10 * L];
  ref_gemm(a, w1, c1, 10, L, R);
  ref_gemm(a, w2, c2, 10, L, R);
  for (int i = 0; i < 10 * L; i++) {
    want[i] = 2 * c1[i];
  }
  expect_acc_(&r, 0, want, 10, "2 A W1");
  for (int i = 0; i < 10 * L; i++) {
    want[i] = 2 * c2[i];
  }
  expect_acc_(&r, 20, want, 10, "2 A W2");
  for (int n = 0; n < L; n++) {
    want[n] = 0;
    for (int m = 0; m < 10; m++) {
      want[n] += c2[m * L + n];
    }
  }
  expect_acc_(&r, 40, want, 1, "sum of rows");
  expect_acc_(&r, 50, c2 + 9 * L, 1, "last row wins");
  /* Seven GEMMs over 10+10+10+10+1+9+10 vectors of rows x cols MACs. */
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
               60u * NC_HW_ROWS * NC_HW_COLS);
  prog_free(&p);
  rig_close(&r);
}

/* DWCONV (docs/isa.md), restated: lane c of output (oy, ox) sums lane c of
 * the window's rows times tap ky*kw+kx of weight row c. */
static void ref_dw_(const int8_t *in, const int8_t *w, int32_t *out,
                    const dw_t *d) {
  const uint32_t sy = d->sy ? d->sy : 1, sx = d->sx ? d->sx : 1; /* p_dwconv */
  const uint32_t ps = d->ps ? d->ps : 1;
  for (uint32_t oy = 0; oy < d->oh; oy++) {
    for (uint32_t ox = 0; ox < d->ow; ox++) {
      for (int c = 0; c < L; c++) {
        int32_t s = 0;
        for (uint32_t ky = 0; ky < d->kh && c < R; ky++) {
          for (uint32_t kx = 0; kx < d->kw; kx++) {
            const uint32_t row = ((oy * sy + ky) * d->line + ox * sx + kx) * ps;
            s += in[row * R + (uint32_t)c] * w[c * R + ky * d->kw + kx];
          }
        }
        out[(oy * d->ow + ox) * L + (uint32_t)c] = s;
      }
    }
  }
}

/* 3x3 stride 1, then 2x2 stride 2 twice (kept weights, accumulating), then
 * 1xN and Nx1 kernels, on 40 input rows (five lines of eight). */
Test(model_insn, dwconv_against_reference) {
  enum { NIN = 40, LINE = 8, DW_IN = 0, DW_W = NIN * R, DW_W2 = DW_W + L * R };
  rig_t r;
  rig_open(&r);
  int8_t in[NIN * R], w[L * R], w2[L * R];
  nc_rng_t rng;
  nc_rng_seed(&rng, 7);
  for (int i = 0; i < NIN * R; i++) {
    in[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  for (int i = 0; i < L * R; i++) {
    w[i] = (int8_t)nc_rng_range(&rng, -128, 127);
    w2[i] = (int8_t)nc_rng_range(&rng, -128, 127);
  }
  memcpy(r.win + DW_IN, in, sizeof in);
  memcpy(r.win + DW_W, w, sizeof w);
  memcpy(r.win + DW_W2, w2, sizeof w2);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = DW_IN, .elems = R, .x = NIN}, 0);
  p_load(&p, (ld_t){.sram = 100, .dram = DW_W, .elems = R, .x = L}, 0);
  p_load(&p, (ld_t){.sram = 200, .dram = DW_W2, .elems = R, .x = L}, UN);
  const uint32_t k = R >= 9 ? 3 : 2;
  const dw_t d[4] = {
      {.wgt = 100, .acc = 0, .oh = 5 - k + 1, .ow = LINE - k + 1, .line = LINE,
       .kh = k, .kw = k, .aso = LINE - k + 1, .asi = 1},
      {.wgt = 200, .acc = 100, .oh = 2, .ow = 4, .line = LINE, .kh = 2,
       .kw = 2, .sy = 2, .sx = 2, .aso = 4, .asi = 1},
      {.wgt = 100, .acc = 200, .oh = 5, .ow = 2, .line = LINE, .kh = 1,
       .kw = R < 4 ? R : 4, .sx = 3, .aso = 2, .asi = 1},
      {.wgt = 200, .acc = 300, .oh = 2, .ow = LINE / 2, .line = LINE / 2,
       .kh = R < 4 ? R : 4, .kw = 1, .aso = LINE / 2, .asi = 1, .ps = 2},
  };
  p_dwconv(&p, d[0], PP);
  p_dwconv(&p, d[1], 0);
  dw_t again = d[1];
  again.keep = 1, again.wgt = 0, again.accum = 1;
  p_dwconv(&p, again, 0);
  p_dwconv(&p, d[2], 0);
  p_dwconv(&p, d[3], 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int32_t want[64 * L];
  ref_dw_(in, w, want, &d[0]);
  expect_acc_(&r, 0, want, (int)(d[0].oh * d[0].ow), "dw 3x3");
  ref_dw_(in, w2, want, &d[1]);
  for (int i = 0; i < 8 * L; i++) {
    want[i] *= 2;
  }
  expect_acc_(&r, 100, want, 8, "dw 2x2/2 twice");
  ref_dw_(in, w, want, &d[2]);
  expect_acc_(&r, 200, want, 10, "dw 1xN/3");
  ref_dw_(in, w2, want, &d[3]);
  expect_acc_(&r, 300, want, LINE, "dw Nx1, every other row");
  /* Every output pixel is one vector through the array. */
  const uint64_t px = d[0].oh * d[0].ow + 2 * 8 + 10 + LINE;
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_MACS_LO_OFFSET),
               px * NC_HW_ROWS * NC_HW_COLS);
  prog_free(&p);
  rig_close(&r);
}

/* The accumulator wraps as two's complement: each vector of R -128s times
 * -128 weights adds R * 16384 per lane, and the accumulating GEMMs add
 * 16575 such vectors each, as many times as it takes to pass 2^32 (once at
 * 16x16: 16575 * 16 * 16384 = 4345036800 = 2^32 + 50069504). */
Test(model_insn, gemm_accumulator_wraps) {
  enum { REPS = R < 16 ? 16 / R : 1 };
  rig_t r;
  rig_open(&r);
  memset(r.win, 0x80, (size_t)(1 + L) * R);
  prog_t p = {0};
  p_load_cfg(&p, R, 0, 0, 0, 0);
  p_load(&p, (ld_t){.sram = 0, .dram = 0, .elems = R, .x = 1 + L}, UN);
  p_gemm(&p,
         (gm_t){.wgt = 1, .inp = 0, .acc = 7, .lo = 255, .li = 65, .accum = 0},
         PP);
  for (int i = 0; i < REPS; i++) {
    p_gemm(
        &p,
        (gm_t){.keep = 1, .accum = 1, .inp = 0, .acc = 7, .lo = 255, .li = 65},
        0);
  }
  p_finish(&p);
  rig_run_ok(&r, &p);
  /* The first GEMM overwrites per vector, so only its last counts: R *
   * 16384; the others add all 16575 of theirs. */
  const uint64_t sum = (uint64_t)R * 16384 * (1 + 16575 * REPS);
  cr_assert_gt(sum, UINT32_MAX, "the sum must pass 2^32");
  const uint32_t u = (uint32_t)sum;
  const int32_t want = u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
  int32_t got[NC_HW_COLS];
  cr_assert_eq(nc_model_read_acc(r.m, 7, 1, got), NC_OK);
  for (int n = 0; n < NC_HW_COLS; n++) {
    cr_assert_eq(got[n], want, "lane %d: %d, want %d", n, got[n], want);
  }
  prog_free(&p);
  rig_close(&r);
}

/* Identity weights make acc rows equal the activation rows loaded (R lanes
 * each): acc lane n is row lane n for n < RL, 0 beyond. */
static void acc_from_rows_(prog_t *p, rig_t *r, const int8_t *rows, int n,
                           uint32_t acc) {
  int8_t eye[L * R] = {0};
  for (int i = 0; i < RL; i++) {
    eye[i * R + i] = 1;
  }
  memcpy(r->win + 0x1000, eye, sizeof eye);
  memcpy(r->win + 0x2000, rows, (size_t)n * R);
  p_load_cfg(p, R, 0, 0, 0, 0);
  p_load(p, (ld_t){.sram = 0, .dram = 0x1000, .elems = R, .x = L}, 0);
  p_load(p, (ld_t){.sram = L, .dram = 0x2000, .elems = R, .x = (uint32_t)n},
         UN);
  p_gemm(p,
         (gm_t){.wgt = 0,
                .inp = L,
                .acc = acc,
                .li = (uint32_t)n,
                .isi = 1,
                .asi = 1},
         PP | UN);
}

/* int32 output: acc + bias per lane, n_cols < cols (5 of 16, or fewer on a
 * narrow array), both strides; the bytes between pixels stay untouched. */
Test(model_insn, store_int32_bias_and_strides) {
  enum { NC = L < 5 ? L : 5 };
  rig_t r;
  rig_open(&r);
  int8_t rows[6 * R];
  for (int i = 0; i < 6 * R; i++) {
    rows[i] = (int8_t)(i * 5 - 200);
  }
  prog_t p = {0};
  acc_from_rows_(&p, &r, rows, 6, 100);
  uint8_t *rec = r.win + 0x3000;
  for (int n = 0; n < NC; n++) {
    qparam_put(rec + NC_HW_QPARAM_BYTES * n, 1000 * n - 5000, 0, 0, 0, 0, 0);
  }
  memset(r.win + 0x4000, 0xaa, 0x400);
  p_load_param(&p, 7, NC, 0x3000, 0);
  p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT32, .xs = 32, .ys = 200}, 0);
  p_store(
      &p,
      (st_t){
          .acc = 100, .dram = 0x4000, .param = 7, .ncols = NC, .y = 2, .x = 3},
      PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  for (int i = 0; i < 0x400; i++) {
    const int oy = i / 200, ox = (i % 200) / 32, b = i % 200 % 32;
    if (oy < 2 && ox < 3 && b < 4 * NC) {
      continue;
    }
    cr_assert_eq(r.win[0x4000 + i], 0xaa, "byte %d outside the pixels", i);
  }
  for (int oy = 0; oy < 2; oy++) {
    for (int ox = 0; ox < 3; ox++) {
      for (int n = 0; n < NC; n++) {
        const int32_t v = n < RL ? rows[(oy * 3 + ox) * R + n] : 0;
        const int32_t want = v + 1000 * n - 5000;
        const int32_t got = le32(r.win + 0x4000 + oy * 200 + ox * 32 + 4 * n);
        cr_assert_eq(got, want, "pixel (%d,%d) lane %d: %d, want %d", oy, ox, n,
                     got, want);
      }
    }
  }
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET), 6 * 4 * NC);
  prog_free(&p);
  rig_close(&r);
}

/* STORE_CFG's reset state: int32, strides 0, so every pixel lands on the
 * same bytes and the last one stays. */
Test(model_insn, store_cfg_reset_state) {
  rig_t r;
  rig_open(&r);
  int8_t rows[2 * R] = {1, 2, 3};
  rows[R] = -4;
  rows[R + 1] = -5;
  rows[R + 2] = -6;
  prog_t p = {0};
  acc_from_rows_(&p, &r, rows, 2, 0);
  p_store(&p, (st_t){.acc = 0, .dram = 0x5000, .ncols = 3, .y = 1, .x = 2}, PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  cr_assert_eq(le32(r.win + 0x5000), -4);
  cr_assert_eq(le32(r.win + 0x5004), -5);
  cr_assert_eq(le32(r.win + 0x5008), -6);
  prog_free(&p);
  rig_close(&r);
}

/* int8 output with per-channel multiplier, shift, zero point and clamp,
 * against nc_requant_apply() on the reference accumulator + bias. */
Test(model_insn, store_int8_requant_per_channel) {
  rig_t r;
  rig_open(&r);
  nc_rng_t rng;
  nc_test_seed(&rng, "model_insn", "store_int8_requant_per_channel", 7);
  int8_t a[10 * R], w1[L * R], w2[L * R];
  prog_t p = {0};
  gemm_prefix_(&p, &r, a, w1, w2);
  p_gemm(
      &p,
      (gm_t){.wgt = GS_W1, .inp = GS_A, .acc = 0, .li = 10, .isi = 1, .asi = 1},
      PP | UN);
  nc_requant_t *rq = calloc(1, sizeof *rq);
  cr_assert_not_null(rq);
  rq->enabled = 1;
  rq->channels = L;
  int32_t bias[L], zp[L], lo[L], hi[L];
  for (int n = 0; n < L; n++) {
    rq->mult[n] = (int32_t)nc_rng_range(&rng, 1 << 30, INT32_MAX);
    rq->shift[n] = (int32_t)nc_rng_range(&rng, -14, 1);
    bias[n] = (int32_t)nc_rng_range(&rng, -100000, 100000);
    const int u8 = n % 3 == 0; /* some lanes uint8 */
    zp[n] = u8 ? (int32_t)nc_rng_range(&rng, 0, 255)
               : (int32_t)nc_rng_range(&rng, -128, 127);
    lo[n] = u8 ? (int32_t)nc_rng_range(&rng, 0, 60)
               : (int32_t)nc_rng_range(&rng, -128, -60);
    hi[n] = u8 ? (int32_t)nc_rng_range(&rng, 200, 255)
               : (int32_t)nc_rng_range(&rng, 60, 127);
    qparam_put(r.win + 0x3000 + NC_HW_QPARAM_BYTES * n, bias[n], rq->mult[n],
               rq->shift[n], zp[n], lo[n], hi[n]);
  }
  p_load_param(&p, 0, L, 0x3000, 0);
  p_store_cfg(&p, (stc_t){.fmt = NC_HW_OUT_INT8, .xs = L, .ys = 10 * L}, 0);
  p_store(&p, (st_t){.acc = 0, .dram = 0x6000, .ncols = L, .y = 1, .x = 10},
          PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  int32_t c[10 * L];
  ref_gemm(a, w1, c, 10, L, R);
  for (int m = 0; m < 10; m++) {
    for (int n = 0; n < L; n++) {
      rq->out_zp = zp[n];
      rq->act_min = lo[n];
      rq->act_max = hi[n];
      const int32_t v = (int32_t)((uint32_t)c[m * L + n] + (uint32_t)bias[n]);
      const int32_t want = nc_requant_apply(rq, n, v);
      const uint8_t got = r.win[0x6000 + m * L + n];
      cr_assert_eq(got, (uint8_t)want, "row %d lane %d: %u, want %d", m, n, got,
                   want);
    }
  }
  free(rq);
  prog_free(&p);
  rig_close(&r);
}

/* Lane 0 holds 1..9 over a 3x3 tile, lane 1 the negatives. Each expected
 * value is worked out below from the window's taps inside the tile. */
static void pool_case_(uint32_t op, uint32_t pt, uint32_t pb, uint32_t pl,
                       uint32_t pr, const int32_t want0[4],
                       const int32_t want1[4]) {
  rig_t r;
  rig_open(&r);
  int8_t rows[9 * R] = {0};
  for (int i = 0; i < 9; i++) {
    rows[i * R] = (int8_t)(i + 1);
    rows[i * R + 1] = (int8_t) - (i + 1);
  }
  prog_t p = {0};
  acc_from_rows_(&p, &r, rows, 9, 0);
  p_store_cfg(&p,
              (stc_t){.fmt = NC_HW_OUT_INT32,
                      .pool = op,
                      .kh = 2,
                      .kw = 2,
                      .sh = 2,
                      .sw = 2,
                      .xs = 8,
                      .ys = 16},
              0);
  p_store(&p,
          (st_t){.acc = 0,
                 .dram = 0x7000,
                 .ncols = 2,
                 .y = 3,
                 .x = 3,
                 .pt = pt,
                 .pb = pb,
                 .pl = pl,
                 .pr = pr},
          PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  for (int o = 0; o < 4; o++) {
    const uint8_t *px = r.win + 0x7000 + (o / 2) * 16 + (o % 2) * 8;
    cr_assert_eq(le32(px), want0[o], "op %u out %d lane 0: %d, want %d", op, o,
                 le32(px), want0[o]);
    cr_assert_eq(le32(px + 4), want1[o], "op %u out %d lane 1: %d, want %d", op,
                 o, le32(px + 4), want1[o]);
  }
  prog_free(&p);
  rig_close(&r);
}

/*   1 2 3     2x2 windows, stride 2, padding 1 below and right:
 *   4 5 6     {1,2,4,5} {3,6} {7,8} {9}
 *   7 8 9     max 5 6 8 9; mean 3, 4.5 -> 5, 7.5 -> 8, 9 (and -5, -8). */
Test(model_insn, store_pool_bottom_right_padding) {
  const int32_t mx0[4] = {5, 6, 8, 9}, mx1[4] = {-1, -3, -7, -9};
  const int32_t av0[4] = {3, 5, 8, 9}, av1[4] = {-3, -5, -8, -9};
  pool_case_(NC_HW_POOL_MAX, 0, 1, 0, 1, mx0, mx1);
  pool_case_(NC_HW_POOL_AVG, 0, 1, 0, 1, av0, av1);
}

/* Padding 1 above and left: windows {1} {2,3} {4,7} {5,6,8,9}:
 * max 1 3 7 9; mean 1, 2.5 -> 3, 5.5 -> 6, 7. */
Test(model_insn, store_pool_top_left_padding) {
  const int32_t mx0[4] = {1, 3, 7, 9}, mx1[4] = {-1, -2, -4, -5};
  const int32_t av0[4] = {1, 3, 6, 7}, av1[4] = {-1, -3, -6, -7};
  pool_case_(NC_HW_POOL_MAX, 1, 0, 1, 0, mx0, mx1);
  pool_case_(NC_HW_POOL_AVG, 1, 0, 1, 0, av0, av1);
}

/* int8 tiles pooled by the store path against the golden max/avg pooling,
 * with an identity requantization (mult 2^30, shift 1 is exactly 1.0). */
Test(model_insn, store_pool_against_golden) {
  nc_rng_t rng;
  nc_test_seed(&rng, "model_insn", "store_pool_against_golden", 11);
  for (int iter = 0; iter < 40; iter++) {
    const int H = (int)nc_rng_range(&rng, 1, 9);
    const int W = (int)nc_rng_range(&rng, 1, 9);
    const int C = (int)nc_rng_range(&rng, 1, RL); /* lanes the identity maps */
    const int kh = (int)nc_rng_range(&rng, 1, 4);
    const int kw = (int)nc_rng_range(&rng, 1, 4);
    const int sh = (int)nc_rng_range(&rng, 1, 3);
    const int sw = (int)nc_rng_range(&rng, 1, 3);
    const int pt = (int)nc_rng_range(&rng, 0, kh - 1);
    const int pb = (int)nc_rng_range(&rng, 0, kh - 1);
    const int pl = (int)nc_rng_range(&rng, 0, kw - 1);
    const int pr = (int)nc_rng_range(&rng, 0, kw - 1);
    const int is_max = (int)nc_rng_range(&rng, 0, 1);
    if (H + pt + pb < kh || W + pl + pr < kw) {
      continue;
    }
    nc_tensor_t x, y;
    const int64_t xs[4] = {1, H, W, C};
    nc_test_alloc(&x, NC_DTYPE_INT8, 4, xs);
    nc_rng_fill(&rng, &x, -128, 127);
    nc_layer_t l;
    nc_layer_init(&l, is_max ? NC_LAYER_MAXPOOL : NC_LAYER_AVGPOOL);
    l.pool_h = kh;
    l.pool_w = kw;
    l.stride_h = sh;
    l.stride_w = sw;
    l.pad_top = pt;
    l.pad_bottom = pb;
    l.pad_left = pl;
    l.pad_right = pr;
    cr_assert_eq(nc_golden_run(&l, &x, NULL, NULL, &y), NC_OK, "%s",
                 nc_error_detail());
    const int OH = (int)y.shape[1], OW = (int)y.shape[2];

    rig_t r;
    rig_open(&r);
    int8_t rows[81 * R] = {0};
    for (int i = 0; i < H * W; i++) {
      memcpy(rows + i * R, (int8_t *)x.data + i * C, (size_t)C);
    }
    prog_t p = {0};
    acc_from_rows_(&p, &r, rows, H * W, 0);
    for (int n = 0; n < C; n++) {
      qparam_put(r.win + 0x3000 + NC_HW_QPARAM_BYTES * n, 0, 1 << 30, 1, 0,
                 -128, 127);
    }
    p_load_param(&p, 0, (uint32_t)C, 0x3000, 0);
    p_store_cfg(&p,
                (stc_t){.fmt = NC_HW_OUT_INT8,
                        .pool = is_max ? NC_HW_POOL_MAX : NC_HW_POOL_AVG,
                        .kh = (uint32_t)kh,
                        .kw = (uint32_t)kw,
                        .sh = (uint32_t)sh,
                        .sw = (uint32_t)sw,
                        .xs = (uint32_t)C,
                        .ys = (uint32_t)(OW * C)},
                0);
    p_store(&p,
            (st_t){.acc = 0,
                   .dram = 0x8000,
                   .ncols = (uint32_t)C,
                   .y = (uint32_t)H,
                   .x = (uint32_t)W,
                   .pt = (uint32_t)pt,
                   .pb = (uint32_t)pb,
                   .pl = (uint32_t)pl,
                   .pr = (uint32_t)pr},
            PP);
    p_finish(&p);
    rig_run_ok(&r, &p);
    for (int i = 0; i < OH * OW * C; i++) {
      cr_assert_eq((int8_t)r.win[0x8000 + i], ((int8_t *)y.data)[i],
                   "iter %d (%dx%dx%d %s %dx%d/%dx%d pad %d,%d,%d,%d) elem "
                   "%d: %d, want %d",
                   iter, H, W, C, is_max ? "max" : "avg", kh, kw, sh, sw, pt,
                   pb, pl, pr, i, (int8_t)r.win[0x8000 + i],
                   ((int8_t *)y.data)[i]);
    }
    prog_free(&p);
    rig_close(&r);
    nc_tensor_free(&x);
    nc_tensor_free(&y);
  }
}

/* The clamp comes before pooling: act_max 5 caps 1..9 before the max. */
Test(model_insn, store_pool_after_clamp) {
  rig_t r;
  rig_open(&r);
  int8_t rows[4 * R] = {0};
  for (int i = 0; i < 4; i++) {
    rows[i * R] = (int8_t)(3 * i + 1); /* 1 4 7 10 */
  }
  prog_t p = {0};
  acc_from_rows_(&p, &r, rows, 4, 0);
  qparam_put(r.win + 0x3000, 0, 1 << 30, 1, 0, -128, 5);
  p_load_param(&p, 0, 1, 0x3000, 0);
  p_store_cfg(&p,
              (stc_t){.fmt = NC_HW_OUT_INT8,
                      .pool = NC_HW_POOL_AVG,
                      .kh = 2,
                      .kw = 2,
                      .sh = 2,
                      .sw = 2},
              0);
  p_store(&p, (st_t){.acc = 0, .dram = 0x9000, .ncols = 1, .y = 2, .x = 2}, PP);
  p_finish(&p);
  rig_run_ok(&r, &p);
  /* (1 + 4 + 5 + 5) / 4 = 3.75 -> 4; unclamped it would be 5.5 -> 6. */
  cr_assert_eq(r.win[0x9000], 4);
  prog_free(&p);
  rig_close(&r);
}

/* LOAD_PARAM copies the records into the parameter memory and nothing
 * around them. */
Test(model_insn, load_param_records) {
  rig_t r;
  rig_open(&r);
  uint8_t rec[3 * 16];
  qparam_put(rec, -7, 1 << 30, -3, 5, -128, 127);
  qparam_put(rec + 16, 123456, 2000000000, 2, -128, -128, -1);
  qparam_put(rec + 32, INT32_MIN, 0, -31, 255, 0, 255);
  memcpy(r.win + 0x100, rec, sizeof rec);
  prog_t p = {0};
  p_load_param(&p, 5, 3, 0x100, 0);
  p_finish(&p);
  rig_run_ok(&r, &p);
  uint8_t got[5 * 16], zero[16] = {0};
  cr_assert_eq(nc_model_read_param(r.m, 4, 5, got), NC_OK);
  cr_assert_arr_eq(got, zero, 16, "entry 4 untouched");
  cr_assert_arr_eq(got + 16, rec, sizeof rec);
  cr_assert_arr_eq(got + 64, zero, 16, "entry 8 untouched");
  prog_free(&p);
  rig_close(&r);
}

/* SYNCs move only tokens: a ring of them around all three queues runs to
 * the end, and one that pops a token nobody pushes deadlocks. */
Test(model_insn, sync_tokens_only) {
  rig_t r;
  rig_open(&r);
  prog_t p = {0};
  p_sync(&p, NC_HW_QUEUE_LOAD, UN);
  p_sync(&p, NC_HW_QUEUE_COMPUTE, PP | UN);
  p_sync(&p, NC_HW_QUEUE_STORE, PP | UP);
  p_sync(&p, NC_HW_QUEUE_COMPUTE, PN | UP);
  p_sync(&p, NC_HW_QUEUE_LOAD, PN);
  p_finish(&p);
  rig_run_ok(&r, &p);
  cr_assert_eq(rig_rd(&r, NC_HW_CSR_PERF_INSNS_OFFSET), 6);
  cr_assert_eq(rig_ctr(&r, NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET), 0);
  prog_free(&p);
  p_sync(&p, NC_HW_QUEUE_LOAD, PN);
  p_finish(&p);
  rig_expect_err(&r, &p, NC_HW_ERR_DEADLOCK, NC_HW_UNIT_FETCH, 0, 0);
  prog_free(&p);
  rig_close(&r);
}
