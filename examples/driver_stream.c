/*
 * The driver API with an instruction stream written by hand: the lecture's
 * worked convolution (a 5x5x3 input with padding 1, two 3x3x3 filters with
 * biases 1 and 0, stride 2) as the accelerator's own program, checked
 * against the 3x3x2 output the lecture prints.
 *
 *   driver_stream [model|rtl|lockstep]
 *
 * The program: LOAD the padded input into scratchpad rows (one pixel of 3
 * channels a row, 7x7 with the border), LOAD the filters (one tap of 3
 * channels for both filters a row), LOAD_PARAM the two biases, then one
 * GEMM per kernel tap over the 3x3 output pixels, accumulating, and STORE
 * the int32 accumulators. Tokens (the push/pop flags) order the units.
 */
#include <neocog/drv.h>
#include <neocog/nc_hw.h>
#include <stdio.h>
#include <string.h>

/* The lecture's input, NHWC, and filters, OHWI (filter, row, column, channel). */
static const int8_t x_[5][5][3] = {
    {{2, 2, 2}, {1, 2, 2}, {0, 0, 1}, {2, 2, 0}, {2, 1, 2}},
    {{0, 1, 1}, {0, 2, 2}, {2, 2, 2}, {2, 2, 2}, {0, 1, 2}},
    {{1, 1, 0}, {0, 2, 0}, {1, 2, 0}, {2, 2, 1}, {2, 1, 0}},
    {{0, 2, 1}, {2, 1, 0}, {2, 0, 2}, {2, 1, 1}, {0, 1, 2}},
    {{2, 0, 2}, {2, 0, 2}, {0, 1, 1}, {0, 1, 0}, {2, 0, 1}}};
static const int8_t w_[2][3][3][3] = {
    {{{1, 1, 0}, {1, -1, 0}, {-1, 0, 1}},
     {{1, 1, -1}, {1, 1, 0}, {0, 0, -1}},
     {{1, 1, -1}, {1, -1, 1}, {-1, 1, -1}}},
    {{{1, 1, -1}, {0, -1, 0}, {0, -1, 1}},
     {{0, 1, -1}, {1, -1, -1}, {0, -1, 1}},
     {{0, 0, 1}, {0, -1, -1}, {0, 1, 0}}}};
static const int32_t bias_[2] = {1, 0};
/* The lecture's output o[:, :, 0] and o[:, :, 1]. */
static const int32_t want_[2][9] = {{3, 2, 11, 2, 12, 13, -3, 6, 6},
                                    {-2, -3, 0, -5, -3, 1, -1, -2, 3}};

/* Token flags of an instruction's header. */
#define POP_PREV (1u << NC_HW_INSN_POP_PREV_LSB)
#define PUSH_NEXT (1u << NC_HW_INSN_PUSH_NEXT_LSB)

static nc_hw_insn_t *add(nc_hw_insn_t *p, size_t *n, uint32_t op,
                         uint32_t flags) {
  nc_hw_insn_t *i = &p[(*n)++];
  memset(i, 0, sizeof *i);
  nc_hw_insn_set_opcode(i, op);
  i->w[0] |= flags;
  return i;
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "model";
  nc_dev_t *dev = NULL;
  nc_status_t st = nc_dev_open(backend, NULL, &dev);
  /* Buffers in the device's window: input, filters, parameters, output. */
  nc_dev_buf_t xb, wb, pb, yb;
  if (st == NC_OK) {
    st = nc_dev_alloc(dev, sizeof x_, 64, &xb);
  }
  if (st == NC_OK) {
    st = nc_dev_alloc(dev, sizeof w_, 64, &wb);
  }
  if (st == NC_OK) {
    st = nc_dev_alloc(dev, 2 * NC_HW_QPARAM_BYTES, 64, &pb);
  }
  if (st == NC_OK) {
    st = nc_dev_alloc(dev, sizeof want_, 64, &yb);
  }
  uint8_t prm[2 * NC_HW_QPARAM_BYTES];
  for (int o = 0; o < 2; o++) { /* bias only: int32 out, no requantization */
    const nc_hw_qparam_vals_t v = {.bias = bias_[o]};
    nc_hw_qparam_pack(&v, prm + o * NC_HW_QPARAM_BYTES);
  }
  if (st == NC_OK) {
    st = nc_dev_write(dev, &xb, 0, x_, sizeof x_);
  }
  if (st == NC_OK) {
    st = nc_dev_write(dev, &wb, 0, w_, sizeof w_);
  }
  if (st == NC_OK) {
    st = nc_dev_write(dev, &pb, 0, prm, sizeof prm);
  }
  if (st != NC_OK) {
    fprintf(stderr, "driver_stream: %s\n", nc_error_detail());
    nc_dev_close(dev);
    return 1;
  }

  nc_hw_insn_t p[16];
  size_t n = 0;
  nc_hw_insn_t *i;
  /* Input: 5x5 pixels of 3 bytes (row stride 15) into rows 0..48 with a
   * one-pixel zero border, 7x7. */
  i = add(p, &n, NC_HW_OP_LOAD_CFG, 0);
  nc_hw_load_cfg_set_x_stride(i, 3);
  nc_hw_load_cfg_set_y_stride(i, 15);
  i = add(p, &n, NC_HW_OP_LOAD, 0);
  nc_hw_load_set_dram_offset(i, (uint32_t)xb.offset);
  nc_hw_load_set_elems(i, 3);
  nc_hw_load_set_x_size(i, 5);
  nc_hw_load_set_y_size(i, 5);
  nc_hw_load_set_z_size(i, 1);
  nc_hw_load_set_pad_top(i, 1);
  nc_hw_load_set_pad_bottom(i, 1);
  nc_hw_load_set_pad_left(i, 1);
  nc_hw_load_set_pad_right(i, 1);
  /* Filters: for each of the 9 taps, a block of NC_HW_COLS rows (one per
   * column of the array, 16 by default) from row 64 whose first two hold
   * that tap's 3 channels of filter 0 and 1 (the filters lie 27 bytes
   * apart), the rest padding. Pushes a token to the compute unit. */
  i = add(p, &n, NC_HW_OP_LOAD_CFG, 0);
  nc_hw_load_cfg_set_x_stride(i, 27);
  nc_hw_load_cfg_set_z_stride(i, 3);
  i = add(p, &n, NC_HW_OP_LOAD, PUSH_NEXT);
  nc_hw_load_set_sram_addr(i, 64);
  nc_hw_load_set_dram_offset(i, (uint32_t)wb.offset);
  nc_hw_load_set_elems(i, 3);
  nc_hw_load_set_x_size(i, 2);
  nc_hw_load_set_y_size(i, 1);
  nc_hw_load_set_z_size(i, 9);
  nc_hw_load_set_pad_right(i, NC_HW_COLS - 2);
  /* The two output channels' parameter records (their biases). */
  i = add(p, &n, NC_HW_OP_LOAD_PARAM, 0);
  nc_hw_load_param_set_count(i, 2);
  nc_hw_load_param_set_dram_offset(i, (uint32_t)pb.offset);
  /* Output pixels 8 bytes apart (two int32), rows 24 bytes apart. */
  i = add(p, &n, NC_HW_OP_STORE_CFG, 0);
  nc_hw_store_cfg_set_pool_kh(i, 1);
  nc_hw_store_cfg_set_pool_kw(i, 1);
  nc_hw_store_cfg_set_pool_sh(i, 1);
  nc_hw_store_cfg_set_pool_sw(i, 1);
  nc_hw_store_cfg_set_x_stride(i, 8);
  nc_hw_store_cfg_set_y_stride(i, 24);
  /* One GEMM per tap (kh, kw): weights of that tap, the input pixel at
   * (2 * oy + kh, 2 * ox + kw) of the padded 7x7 for each of the 3x3 output
   * pixels (stride 2: 14 rows down, 2 across), accumulating after the
   * first. The first waits for the filters; the last tells the store. */
  for (uint32_t t = 0; t < 9; t++) {
    i = add(p, &n, NC_HW_OP_GEMM,
            (t == 0 ? POP_PREV : 0) | (t == 8 ? PUSH_NEXT : 0));
    nc_hw_gemm_set_wgt_addr(i, 64 + NC_HW_COLS * t);
    nc_hw_gemm_set_inp_addr(i, 7 * (t / 3) + t % 3);
    nc_hw_gemm_set_loop_out(i, 3);
    nc_hw_gemm_set_loop_in(i, 3);
    nc_hw_gemm_set_inp_stride_out(i, 14);
    nc_hw_gemm_set_inp_stride_in(i, 2);
    nc_hw_gemm_set_acc_stride_out(i, 3);
    nc_hw_gemm_set_acc_stride_in(i, 1);
    nc_hw_gemm_set_accumulate(i, t > 0);
  }
  /* The 3x3 accumulators of 2 channels, plus bias, as int32. */
  i = add(p, &n, NC_HW_OP_STORE, POP_PREV);
  nc_hw_store_set_dram_offset(i, (uint32_t)yb.offset);
  nc_hw_store_set_n_cols(i, 2);
  nc_hw_store_set_y_size(i, 3);
  nc_hw_store_set_x_size(i, 3);

  /* The ring holds bytes; the driver appends FINISH. */
  uint8_t ring[16 * NC_HW_INSN_BYTES];
  for (size_t k = 0; k < n; k++) {
    nc_hw_words_to_bytes(p[k].w, NC_HW_INSN_WORDS, ring + k * NC_HW_INSN_BYTES);
  }
  nc_dev_result_t res;
  int32_t y[3][3][2];
  st = nc_dev_submit(dev, ring, n);
  if (st == NC_OK) {
    st = nc_dev_wait(dev, 10000, &res);
  }
  if (st == NC_OK) {
    st = nc_dev_read(dev, &yb, 0, y, sizeof y);
  }
  int bad = st != NC_OK;
  if (bad) {
    fprintf(stderr, "driver_stream: %s: %s\n", nc_strerror(st),
            nc_error_detail());
  }
  for (int k = 0; !bad && k < 18; k++) {
    const int32_t got = y[k / 2 / 3][k / 2 % 3][k % 2];
    if (got != want_[k % 2][k / 2]) {
      fprintf(stderr, "driver_stream: o[%d, %d, %d] is %d, the lecture %d\n",
              k / 2 / 3, k / 2 % 3, k % 2, got, want_[k % 2][k / 2]);
      bad = 1;
    }
  }
  if (!bad) {
    printf("the lecture's convolution on %s: %zu instructions, %llu cycles, "
           "o[:, :, 0] = %d %d %d / %d %d %d / %d %d %d as the lecture "
           "prints\n",
           backend, n + 1, (unsigned long long)res.cycles, y[0][0][0],
           y[0][1][0], y[0][2][0], y[1][0][0], y[1][1][0], y[1][2][0],
           y[2][0][0], y[2][1][0], y[2][2][0]);
  }
  nc_dev_close(dev);
  return bad;
}
