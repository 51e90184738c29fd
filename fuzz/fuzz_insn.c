/*
 * Fuzz target: the instruction set's decoder and checker, and the device
 * that executes what passes. The input is a stream of 16-byte ring entries.
 * Each is decoded and checked by nc_hw_insn_check() (the checker the
 * hardware data file generates, which the functional model's units run),
 * then up to NC_FUZZ_INSN_MAX_RUN of them run on the functional model
 * through the driver, with the window holding the input's bytes as data.
 * Whatever the stream, the run must end (done, a device error or the
 * watchdog), never touch memory outside the window, and leave the device
 * ready for the next stream.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "neocog/nc_hw.h"

static nc_dev_t *dev_;
static nc_dev_buf_t buf_;
static uint8_t *fill_;

/* Every field getter of the opcode's format, as a disassembler would
 * read them. */
static uint32_t decode_(const nc_hw_insn_t *in) {
  uint32_t acc = nc_hw_insn_get_opcode(in) ^ nc_hw_insn_get_pop_prev(in) ^
                 nc_hw_insn_get_pop_next(in) ^ nc_hw_insn_get_push_prev(in) ^
                 nc_hw_insn_get_push_next(in);
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
      acc ^= nc_hw_load_get_sram_addr(in) ^ nc_hw_load_get_dram_offset(in) ^
             nc_hw_load_get_elems(in) ^ nc_hw_load_get_x_size(in) ^
             nc_hw_load_get_y_size(in) ^ nc_hw_load_get_z_size(in) ^
             nc_hw_load_get_pad_top(in) ^ nc_hw_load_get_pad_bottom(in) ^
             nc_hw_load_get_pad_left(in) ^ nc_hw_load_get_pad_right(in) ^
             nc_hw_load_get_im2col_kh(in) ^ nc_hw_load_get_im2col_kw(in) ^
             nc_hw_load_get_im2col_sh(in) ^ nc_hw_load_get_im2col_sw(in);
      break;
    case NC_HW_OP_GEMM:
      acc ^= nc_hw_gemm_get_accumulate(in) ^ nc_hw_gemm_get_wgt_keep(in) ^
             nc_hw_gemm_get_wgt_addr(in) ^ nc_hw_gemm_get_inp_addr(in) ^
             nc_hw_gemm_get_acc_addr(in) ^ nc_hw_gemm_get_loop_out(in) ^
             nc_hw_gemm_get_loop_in(in);
      break;
    case NC_HW_OP_DWCONV:
      acc ^= nc_hw_dwconv_get_accumulate(in) ^ nc_hw_dwconv_get_inp_addr(in) ^
             nc_hw_dwconv_get_acc_addr(in) ^ nc_hw_dwconv_get_line(in) ^
             nc_hw_dwconv_get_kh(in) ^ nc_hw_dwconv_get_kw(in);
      break;
    case NC_HW_OP_STORE:
      acc ^= nc_hw_store_get_acc_addr(in) ^ nc_hw_store_get_dram_offset(in) ^
             nc_hw_store_get_param_addr(in);
      break;
    default:
      break;
  }
  return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const size_t n = size / NC_HW_INSN_BYTES;
  volatile uint32_t sink = 0;
  for (size_t i = 0; i < n; i++) {
    nc_hw_insn_t in;
    nc_hw_words_from_bytes(data + i * NC_HW_INSN_BYTES, NC_HW_INSN_WORDS, in.w);
    uint32_t info = 0;
    const uint32_t err = nc_hw_insn_check(&in, &info);
    if (nc_hw_err_name(err)[0] == '?') {
      abort(); /* every code the checker returns has a name */
    }
    sink ^= decode_(&in) ^ err ^ info;
    (void)nc_hw_opcode_name(nc_hw_insn_get_opcode(&in));
  }
  (void)sink;
  if (dev_ == NULL) {
    if (nc_fuzz_insn_device(&dev_, &buf_) != 0 ||
        (fill_ = malloc((size_t)buf_.size)) == NULL) {
      abort();
    }
  }
  /* The data the stream works on: the input itself, then zeros, so that
   * every run starts from the same memory. */
  const size_t keep = size < buf_.size ? size : (size_t)buf_.size;
  memset(fill_, 0, (size_t)buf_.size);
  if (keep > 0) {
    memcpy(fill_, data, keep);
  }
  if (nc_dev_write(dev_, &buf_, 0, fill_, (size_t)buf_.size) != NC_OK) {
    abort();
  }
  const size_t run = n < NC_FUZZ_INSN_MAX_RUN ? n : NC_FUZZ_INSN_MAX_RUN;
  if (nc_dev_submit(dev_, data, run) != NC_OK) {
    abort();
  }
  nc_dev_result_t res;
  const nc_status_t st = nc_dev_wait(dev_, 10000, &res);
  if (st != NC_OK && st != NC_ERR_DEVICE) {
    abort(); /* the watchdog ends a stuck stream long before the timeout */
  }
  return 0;
}
