/*
 * What each instruction does to the memories: the data path of the model.
 *
 * Every function here first checks every main-memory access the instruction
 * will make (the window, then the attached memory), and only then moves a
 * byte, so an instruction that fails leaves main memory, the scratchpad, the
 * accumulator and the parameter memory exactly as they were.
 */
#include <string.h>

#include "neocog/quant.h"
#include "sim/model/model_internal.h"

/* int32 from its two's-complement bits, without implementation-defined
 * conversions. */
static int32_t s32_(uint32_t x) {
  return x <= (uint32_t)INT32_MAX ? (int32_t)x : -(int32_t)(~x) - 1;
}

/* Physical address of window offset `off` (AXI address bits only). */
static uint64_t phys_(const nc_model_t *m, uint64_t off) {
  const uint64_t mask = NC_HW_AXI_ADDR_BITS >= 64
                            ? UINT64_MAX
                            : (UINT64_C(1) << NC_HW_AXI_ADDR_BITS) - 1u;
  return (m->win_base & mask) + off;
}

/* 1 when window offsets [lo, hi) lie in the attached memory. */
static int mem_ok_(const nc_model_t *m, uint64_t lo, uint64_t hi) {
  if (m->mem == NULL || hi < lo) {
    return 0;
  }
  const uint64_t a = phys_(m, lo), b = phys_(m, hi);
  return a >= m->mem_base && b >= a && b - m->mem_base <= m->mem_size;
}

static uint8_t *host_(nc_model_t *m, uint64_t off) {
  return m->mem + (phys_(m, off) - m->mem_base);
}

/* An injected SLVERR answers every request: dma_bus before a byte moves. */
static int port_fault_(const nc_model_t *m, nc__exec_t *r) {
  if (m->fault == NC_FAULT_SLVERR) {
    r->err = NC_HW_ERR_DMA_BUS;
    r->info = 0;
    return 1;
  }
  return 0;
}

static void fail_(nc__exec_t *r, uint32_t err, uint64_t info) {
  r->err = err;
  r->info = (uint32_t)info;
}

/* ---- LOAD ---- */

/* The rows of an im2col LOAD (docs/isa.md): the unpadded tile at `tile`
 * (yn lines of xn pixels of el bytes), padded by pt/pl/... with `pad`, as
 * the rows of a kh x kw convolution with strides sh x sw, zn planes of
 * NC_HW_ROWS elements of each window's (ky, kx, c) sequence. */
static void im2col_rows_(int8_t *dst, const uint8_t *tile, uint32_t el,
                         uint32_t xn, uint32_t yn, uint32_t zn, uint32_t pt,
                         uint32_t pb, uint32_t pl, uint32_t pr, uint32_t kh,
                         uint32_t kw, uint32_t sh, uint32_t sw, int8_t pad) {
  const uint32_t oh = (pt + yn + pb - kh) / sh + 1;
  const uint32_t ow = (pl + xn + pr - kw) / sw + 1;
  const uint32_t k = kh * kw * el;
  for (uint32_t z = 0; z < zn; z++) {
    for (uint32_t oy = 0; oy < oh; oy++) {
      for (uint32_t ox = 0; ox < ow; ox++) {
        for (uint32_t l = 0; l < NC_HW_ROWS; l++) {
          const uint32_t e = z * NC_HW_ROWS + l;
          int8_t v = pad;
          if (e < k) {
            const uint32_t ky = e / (kw * el), kx = e / el % kw, c = e % el;
            const uint32_t py = oy * sh + ky, px = ox * sw + kx;
            if (py >= pt && py < pt + yn && px >= pl && px < pl + xn) {
              v = (int8_t)tile[((py - pt) * xn + (px - pl)) * el + c];
            }
          }
          *dst++ = v;
        }
      }
    }
  }
}

static void exec_load_(nc_model_t *m, const nc_hw_insn_t *in, nc__exec_t *r) {
  const uint32_t sram = nc_hw_load_get_sram_addr(in);
  const uint64_t dram = nc_hw_load_get_dram_offset(in);
  const uint32_t elems = nc_hw_load_get_elems(in);
  const uint32_t xn = nc_hw_load_get_x_size(in);
  const uint32_t yn = nc_hw_load_get_y_size(in);
  const uint32_t zn = nc_hw_load_get_z_size(in);
  const uint32_t pt = nc_hw_load_get_pad_top(in);
  const uint32_t pb = nc_hw_load_get_pad_bottom(in);
  const uint32_t pl = nc_hw_load_get_pad_left(in);
  const uint32_t pr = nc_hw_load_get_pad_right(in);
  const uint32_t kh = nc_hw_load_get_im2col_kh(in);
  /* im2col: one plane, pixels elems bytes apart. */
  const uint32_t zr = kh != 0 ? 1 : zn;
  const uint64_t xs = kh != 0 ? elems : m->ld_xs, ys = m->ld_ys, zs = m->ld_zs;
  /* Strides are unsigned: row (0,0,0) is the lowest, the last the highest. */
  const uint64_t last = dram + (zr - 1) * zs + (yn - 1) * ys + (xn - 1) * xs;
  if (last + elems > m->win_size) {
    for (uint64_t z = 0; z < zr; z++) {
      for (uint64_t y = 0; y < yn; y++) {
        for (uint64_t x = 0; x < xn; x++) {
          const uint64_t off = dram + z * zs + y * ys + x * xs;
          if (off + elems > m->win_size) {
            fail_(r, NC_HW_ERR_DMA_WINDOW, off);
            return;
          }
        }
      }
    }
  }
  if (port_fault_(m, r)) {
    return;
  }
  if (!mem_ok_(m, dram, last + elems)) {
    fail_(r, NC_HW_ERR_DMA_BUS, 0);
    return;
  }
  const int8_t pad = m->ld_pad;
  int8_t *dst = m->spad + (size_t)sram * NC_HW_ROWS;
  if (kh != 0) {
    /* The tile buffer, then its rows. */
    uint8_t tile[NC_HW_IM2COL_BUF_BYTES];
    for (uint64_t y = 0; y < yn; y++) {
      memcpy(tile + y * xn * elems, host_(m, dram + y * ys), (size_t)xn * elems);
    }
    im2col_rows_(dst, tile, elems, xn, yn, zn, pt, pb, pl, pr, kh,
                 nc_hw_load_get_im2col_kw(in), nc_hw_load_get_im2col_sh(in),
                 nc_hw_load_get_im2col_sw(in), pad);
    if (m->perf_enable) {
      m->rd_bytes.v += (uint64_t)yn * xn * elems;
    }
    return;
  }
  for (uint64_t z = 0; z < zn; z++) {
    for (uint64_t ly = 0; ly < pt + yn + pb; ly++) {
      const int pad_line = ly < pt || ly >= pt + yn;
      for (uint64_t lx = 0; lx < pl + xn + pr; lx++) {
        if (pad_line || lx < pl || lx >= pl + xn) {
          memset(dst, pad, NC_HW_ROWS);
        } else {
          const uint64_t off = dram + z * zs + (ly - pt) * ys + (lx - pl) * xs;
          memcpy(dst, host_(m, off), elems);
          if (elems < NC_HW_ROWS) {
            memset(dst + elems, pad, NC_HW_ROWS - elems);
          }
        }
        dst += NC_HW_ROWS;
      }
    }
  }
  const uint64_t lines = (uint64_t)zn * yn;
  if (m->perf_enable) {
    m->rd_bytes.v += lines * xn * elems;
  }
}

/* ---- GEMM ---- */

/* One GEMM loop nest: acc rows (+)= spad rows x w (w[k][n]), in the order
 * docs/isa.md gives. Written for the compiler: restrict pointers, a constant
 * trip count for k (so it unrolls), and int16 operands, which give 16-bit
 * widening multiplies (baseline SSE2 has no 32-bit one); this is 3-4x
 * faster than the plain int32 form. Products of int8 fit int32, and so does
 * a sum of NC_HW_ROWS of them: only adding into the accumulator wraps. */
static void gemm_loops_(const int8_t *restrict spad, uint32_t *restrict acc,
                        const int16_t (*restrict w)[NC_HW_COLS],
                        const uint32_t *g, int accumulate) {
  const uint32_t inp0 = g[0], acc0 = g[1], lo = g[2], li = g[3];
  const uint32_t iso = g[4], isi = g[5], aso = g[6], asi = g[7];
  for (uint32_t o = 0; o < lo; o++) {
    for (uint32_t i = 0; i < li; i++) {
      const int8_t *a = spad + (size_t)(inp0 + o * iso + i * isi) * NC_HW_ROWS;
      uint32_t *dst = acc + (size_t)(acc0 + o * aso + i * asi) * NC_HW_COLS;
      int32_t sum[NC_HW_COLS] = {0};
      for (unsigned k = 0; k < NC_HW_ROWS; k++) {
        const int16_t av = a[k];
        for (unsigned n = 0; n < NC_HW_COLS; n++) {
          sum[n] += (int32_t)av * (int32_t)w[k][n];
        }
      }
      if (accumulate) {
        for (unsigned n = 0; n < NC_HW_COLS; n++) {
          dst[n] += (uint32_t)sum[n];
        }
      } else {
        for (unsigned n = 0; n < NC_HW_COLS; n++) {
          dst[n] = (uint32_t)sum[n];
        }
      }
    }
  }
}

/* The weight preload GEMM and DWCONV share: scratchpad row n becomes
 * column n, its lane k row k. */
static void preload_(nc_model_t *m, uint32_t wgt_addr) {
  const int8_t *w = m->spad + (size_t)wgt_addr * NC_HW_ROWS;
  for (unsigned k = 0; k < NC_HW_ROWS; k++) {
    for (unsigned n = 0; n < NC_HW_COLS; n++) {
      m->wgt[k][n] = w[n * NC_HW_ROWS + k];
    }
  }
}

static void exec_gemm_(nc_model_t *m, const nc_hw_insn_t *in) {
  if (!nc_hw_gemm_get_wgt_keep(in)) {
    preload_(m, nc_hw_gemm_get_wgt_addr(in));
  }
  const uint32_t lo = nc_hw_gemm_get_loop_out(in);
  const uint32_t li = nc_hw_gemm_get_loop_in(in);
  const uint32_t g[8] = {nc_hw_gemm_get_inp_addr(in),
                         nc_hw_gemm_get_acc_addr(in),
                         lo,
                         li,
                         nc_hw_gemm_get_inp_stride_out(in),
                         nc_hw_gemm_get_inp_stride_in(in),
                         nc_hw_gemm_get_acc_stride_out(in),
                         nc_hw_gemm_get_acc_stride_in(in)};
  gemm_loops_(m->spad, m->acc, (const int16_t(*)[NC_HW_COLS])m->wgt, g,
              (int)nc_hw_gemm_get_accumulate(in));
  if (m->perf_enable) {
    m->macs.v += (uint64_t)lo * li * NC_HW_ROWS * NC_HW_COLS;
  }
}


/* ---- DWCONV ---- */

/* Column c filters lane c: tap t = ky * kw + kx of channel c is weight
 * [t][c], and the array's rows from kh * kw on take no part. */
static void exec_dwconv_(nc_model_t *m, const nc_hw_insn_t *in) {
  if (!nc_hw_dwconv_get_wgt_keep(in)) {
    preload_(m, nc_hw_dwconv_get_wgt_addr(in));
  }
  const uint32_t oh = nc_hw_dwconv_get_out_h(in);
  const uint32_t ow = nc_hw_dwconv_get_out_w(in);
  const uint32_t line = nc_hw_dwconv_get_line(in);
  const uint32_t kh = nc_hw_dwconv_get_kh(in);
  const uint32_t kw = nc_hw_dwconv_get_kw(in);
  const uint32_t sy = nc_hw_dwconv_get_stride_y(in);
  const uint32_t sx = nc_hw_dwconv_get_stride_x(in);
  const uint32_t inp0 = nc_hw_dwconv_get_inp_addr(in);
  const uint32_t acc0 = nc_hw_dwconv_get_acc_addr(in);
  const uint32_t aso = nc_hw_dwconv_get_acc_stride_out(in);
  const uint32_t asi = nc_hw_dwconv_get_acc_stride_in(in);
  const uint32_t ps = nc_hw_dwconv_get_pix_stride(in);
  const int accumulate = (int)nc_hw_dwconv_get_accumulate(in);
  for (uint32_t oy = 0; oy < oh; oy++) {
    for (uint32_t ox = 0; ox < ow; ox++) {
      int32_t sum[NC_HW_COLS] = {0};
      for (uint32_t ky = 0; ky < kh; ky++) {
        for (uint32_t kx = 0; kx < kw; kx++) {
          const int8_t *a =
              m->spad +
              (size_t)(inp0 + ((oy * sy + ky) * line + ox * sx + kx) * ps) *
                  NC_HW_ROWS;
          const int16_t *w = m->wgt[ky * kw + kx];
          for (unsigned c = 0; c < NC_HW_COLS && c < NC_HW_ROWS; c++) {
            sum[c] += (int32_t)a[c] * (int32_t)w[c];
          }
        }
      }
      uint32_t *dst = m->acc + (size_t)(acc0 + oy * aso + ox * asi) * NC_HW_COLS;
      for (unsigned c = 0; c < NC_HW_COLS; c++) {
        dst[c] = accumulate ? dst[c] + (uint32_t)sum[c] : (uint32_t)sum[c];
      }
    }
  }
  if (m->perf_enable) {
    m->macs.v += (uint64_t)oh * ow * NC_HW_ROWS * NC_HW_COLS;
  }
}
/* ---- STORE ---- */

uint32_t nc__model_store_pool_check(const nc_model_t *m, const nc_hw_insn_t *in,
                                    uint32_t *info) {
  const uint32_t pt = nc_hw_store_get_pool_pad_top(in);
  const uint32_t pb = nc_hw_store_get_pool_pad_bottom(in);
  const uint32_t pl = nc_hw_store_get_pool_pad_left(in);
  const uint32_t pr = nc_hw_store_get_pool_pad_right(in);
  const uint32_t lim[4] = {m->st_kh, m->st_kh, m->st_kw, m->st_kw};
  const uint32_t pad[4] = {pt, pb, pl, pr};
  const uint32_t lsb[4] = {
      NC_HW_STORE_POOL_PAD_TOP_LSB, NC_HW_STORE_POOL_PAD_BOTTOM_LSB,
      NC_HW_STORE_POOL_PAD_LEFT_LSB, NC_HW_STORE_POOL_PAD_RIGHT_LSB};
  for (int i = 0; i < 4; i++) {
    /* No pooling takes no padding; pooling takes less than a window. */
    if (m->st_pool == NC_HW_POOL_NONE ? pad[i] != 0 : pad[i] >= lim[i]) {
      *info = lsb[i];
      return NC_HW_ERR_FIELD_RANGE;
    }
  }
  if (m->st_pool != NC_HW_POOL_NONE) {
    /* At least one window must fit the padded tile. */
    if (nc_hw_store_get_y_size(in) + pt + pb < m->st_kh) {
      *info = NC_HW_STORE_Y_SIZE_LSB;
      return NC_HW_ERR_FIELD_RANGE;
    }
    if (nc_hw_store_get_x_size(in) + pl + pr < m->st_kw) {
      *info = NC_HW_STORE_X_SIZE_LSB;
      return NC_HW_ERR_FIELD_RANGE;
    }
  }
  *info = 0;
  return NC_HW_ERR_NONE;
}

static void put_lanes_(uint8_t *dst, const int32_t *v, uint32_t n, int fmt) {
  if (fmt == NC_HW_OUT_INT8) {
    for (uint32_t i = 0; i < n; i++) {
      dst[i] = (uint8_t)((uint32_t)v[i] & 0xffu);
    }
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t u = (uint32_t)v[i];
    dst[4 * i] = (uint8_t)u;
    dst[4 * i + 1] = (uint8_t)(u >> 8);
    dst[4 * i + 2] = (uint8_t)(u >> 16);
    dst[4 * i + 3] = (uint8_t)(u >> 24);
  }
}

/* The addq record in parameter entries p, p + 1 as nc_add_quant_apply()
 * takes it, and whether residual bytes are uint8; 0 when the two entries
 * are not a valid addq record. */
static int addq_load_(const nc_model_t *m, uint32_t p, nc_add_quant_t *q,
                      int *res_unsigned) {
  nc_hw_addq_t rec;
  for (unsigned w = 0; w < NC_HW_QPARAM_WORDS; w++) {
    rec.w[w] = m->param[p].raw.w[w];
    rec.w[NC_HW_QPARAM_WORDS + w] = m->param[p + 1].raw.w[w];
  }
  uint32_t info = 0;
  if (nc_hw_addq_check(&rec, &info) != NC_HW_ERR_NONE) {
    return 0;
  }
  nc_hw_addq_vals_t v;
  nc_hw_addq_decode(&rec, &v);
  q->in_zp[0] = v.in_zp0;
  q->in_zp[1] = v.in_zp1;
  q->in_mult[0] = v.in_mult0;
  q->in_mult[1] = v.in_mult1;
  q->in_shift[0] = v.in_shift0;
  q->in_shift[1] = v.in_shift1;
  q->out_mult = v.out_mult;
  q->out_shift = v.out_shift;
  q->out_zp = v.out_zp;
  q->act_min = v.act_min;
  q->act_max = v.act_max;
  q->out_dtype = v.act_min < 0 ? NC_DTYPE_INT8 : NC_DTYPE_UINT8;
  *res_unsigned = v.res_unsigned != 0;
  return 1;
}

static void exec_store_(nc_model_t *m, const nc_hw_insn_t *in, nc__exec_t *r) {
  const uint32_t acc0 = nc_hw_store_get_acc_addr(in);
  const uint64_t dram = nc_hw_store_get_dram_offset(in);
  const uint32_t p0 = nc_hw_store_get_param_addr(in);
  const uint32_t nc = nc_hw_store_get_n_cols(in);
  const uint32_t yn = nc_hw_store_get_y_size(in);
  const uint32_t xn = nc_hw_store_get_x_size(in);
  const int pool = m->st_pool != NC_HW_POOL_NONE;
  const uint32_t kh = pool ? m->st_kh : 1, kw = pool ? m->st_kw : 1;
  const uint32_t sh = pool ? m->st_sh : 1, sw = pool ? m->st_sw : 1;
  const uint32_t pt = nc_hw_store_get_pool_pad_top(in);
  const uint32_t pb = nc_hw_store_get_pool_pad_bottom(in);
  const uint32_t pl = nc_hw_store_get_pool_pad_left(in);
  const uint32_t pr = nc_hw_store_get_pool_pad_right(in);
  /* nc__model_store_pool_check() made sure a window fits. */
  const uint64_t oh = (yn + pt + pb - kh) / sh + 1;
  const uint64_t ow = (xn + pl + pr - kw) / sw + 1;
  const int fmt = (int)m->st_fmt;
  const uint64_t len = (uint64_t)nc * (fmt == NC_HW_OUT_INT8 ? 1u : 4u);
  const uint64_t xs = m->st_xs, ys = m->st_ys;
  const uint64_t last = dram + (oh - 1) * ys + (ow - 1) * xs;
  /* The residual (STORE_CFG add; never with pooling, so oh x ow is the
   * tile): pixel (y, x) is read just before output pixel (y, x) is
   * written, so the first access outside is looked for in that order. */
  const int add = m->st_add != 0;
  const uint64_t rbase = (uint32_t)(dram + m->st_rdelta);
  const uint64_t rlast = rbase + (oh - 1) * ys + (ow - 1) * xs;
  if (last + len > m->win_size || (add && rlast + nc > m->win_size)) {
    for (uint64_t oy = 0; oy < oh; oy++) {
      for (uint64_t ox = 0; ox < ow; ox++) {
        const uint64_t roff = rbase + oy * ys + ox * xs;
        const uint64_t off = dram + oy * ys + ox * xs;
        if (add && roff + nc > m->win_size) {
          fail_(r, NC_HW_ERR_DMA_WINDOW, roff);
          return;
        }
        if (off + len > m->win_size) {
          fail_(r, NC_HW_ERR_DMA_WINDOW, off);
          return;
        }
      }
    }
  }
  nc_add_quant_t aq;
  int res_u = 0;
  if (add && !addq_load_(m, nc_hw_store_get_add_param(in), &aq, &res_u)) {
    fail_(r, NC_HW_ERR_FIELD_RANGE, NC_HW_STORE_ADD_PARAM_LSB);
    return;
  }
  if (port_fault_(m, r)) {
    return;
  }
  if (!mem_ok_(m, dram, last + len) ||
      (add && !mem_ok_(m, rbase, rlast + nc))) {
    fail_(r, NC_HW_ERR_DMA_BUS, 0);
    return;
  }
  /* acc -> bias -> requantize -> clamp, for every row of the tile. */
  const nc__param_t *par = m->param + p0;
  int32_t *tile = m->tile;
  for (uint32_t t = 0; t < yn * xn; t++) {
    const uint32_t *a = m->acc + (size_t)(acc0 + t) * NC_HW_COLS;
    int32_t *v = tile + (size_t)t * NC_HW_COLS;
    for (uint32_t n = 0; n < nc; n++) {
      const nc_hw_qparam_vals_t *pq = &par[n].q;
      int32_t x = s32_(a[n] + (uint32_t)pq->bias);
      if (fmt == NC_HW_OUT_INT8) {
        int64_t q =
            (int64_t)nc_mul_by_quantized_multiplier(x, pq->mult, pq->shift) +
            pq->out_zp;
        q = q < pq->act_min ? pq->act_min : q;
        q = q > pq->act_max ? pq->act_max : q;
        x = (int32_t)q;
      }
      v[n] = x;
    }
  }
  /* Pool (or copy) every output pixel and write it. */
  for (uint64_t oy = 0; oy < oh; oy++) {
    const int64_t y0 = (int64_t)(oy * sh) - (int64_t)pt;
    const int64_t ya = y0 < 0 ? 0 : y0;
    const int64_t yb = y0 + kh > yn ? (int64_t)yn : y0 + (int64_t)kh;
    for (uint64_t ox = 0; ox < ow; ox++) {
      const int64_t x0 = (int64_t)(ox * sw) - (int64_t)pl;
      const int64_t xa = x0 < 0 ? 0 : x0;
      const int64_t xb = x0 + kw > xn ? (int64_t)xn : x0 + (int64_t)kw;
      int32_t out[NC_HW_COLS];
      if (!pool) {
        memcpy(out, tile + (size_t)(oy * xn + ox) * NC_HW_COLS,
               sizeof(int32_t) * nc);
      } else {
        const int64_t cnt = (yb - ya) * (xb - xa);
        for (uint32_t n = 0; n < nc; n++) {
          int64_t mx = tile[(size_t)(ya * xn + xa) * NC_HW_COLS + n];
          int64_t s = 0;
          for (int64_t y = ya; y < yb; y++) {
            for (int64_t x = xa; x < xb; x++) {
              const int64_t v = tile[(size_t)(y * xn + x) * NC_HW_COLS + n];
              mx = v > mx ? v : mx;
              s += v;
            }
          }
          if (m->st_pool == NC_HW_POOL_MAX) {
            out[n] = (int32_t)mx;
          } else {
            /* docs/isa.md: half away from zero with C division. */
            out[n] =
                (int32_t)(s > 0 ? (s + cnt / 2) / cnt : (s - cnt / 2) / cnt);
          }
        }
      }
      if (add) {
        const uint8_t *res = host_(m, rbase + oy * ys + ox * xs);
        for (uint32_t n = 0; n < nc; n++) {
          const int32_t b =
              res_u ? (int32_t)res[n] : (int32_t)(int8_t)res[n];
          out[n] = nc_add_quant_apply(&aq, out[n], b);
        }
      }
      put_lanes_(host_(m, dram + oy * ys + ox * xs), out, nc, fmt);
    }
  }
  if (m->perf_enable) {
    m->wr_bytes.v += oh * ow * len;
    m->rd_bytes.v += add ? oh * ow * nc : 0;
  }
}

/* ---- LOAD_PARAM ---- */

static void exec_load_param_(nc_model_t *m, const nc_hw_insn_t *in,
                             nc__exec_t *r) {
  const uint64_t dram = nc_hw_load_param_get_dram_offset(in);
  const uint32_t cnt = nc_hw_load_param_get_count(in);
  const uint32_t p0 = nc_hw_load_param_get_param_addr(in);
  const uint64_t rec = NC_HW_QPARAM_BYTES;
  if (dram + cnt * rec > m->win_size) {
    for (uint64_t k = 0; k < cnt; k++) {
      if (dram + (k + 1) * rec > m->win_size) {
        fail_(r, NC_HW_ERR_DMA_WINDOW, dram + k * rec);
        return;
      }
    }
  }
  if (port_fault_(m, r)) {
    return;
  }
  if (!mem_ok_(m, dram, dram + cnt * rec)) {
    fail_(r, NC_HW_ERR_DMA_BUS, 0);
    return;
  }
  /* Every record is checked before the first is written. */
  const uint8_t *src = host_(m, dram);
  for (uint32_t k = 0; k < cnt; k++) {
    nc_hw_qparam_t q;
    uint32_t info = 0;
    nc_hw_words_from_bytes(src + k * rec, NC_HW_QPARAM_WORDS, q.w);
    uint32_t e = nc_hw_qparam_check(&q, &info);
    if (e != NC_HW_ERR_NONE) {
      fail_(r, e, info);
      return;
    }
  }
  for (uint32_t k = 0; k < cnt; k++) {
    nc__param_t *p = &m->param[p0 + k];
    nc_hw_words_from_bytes(src + k * rec, NC_HW_QPARAM_WORDS, p->raw.w);
    nc_hw_qparam_decode(&p->raw, &p->q);
  }
  if (m->perf_enable) {
    m->rd_bytes.v += cnt * rec;
  }
}

void nc__model_reset_units(nc_model_t *m) {
  m->ld_xs = m->ld_ys = m->ld_zs = 0;
  m->ld_pad = 0;
  m->st_fmt = NC_HW_OUT_INT32;
  m->st_pool = NC_HW_POOL_NONE;
  m->st_kh = m->st_kw = m->st_sh = m->st_sw = 1;
  m->st_xs = m->st_ys = 0;
  m->st_add = m->st_rdelta = 0;
  memset(m->wgt, 0, sizeof m->wgt);
}

void nc__model_exec(nc_model_t *m, const nc_hw_insn_t *in, nc__exec_t *r) {
  memset(r, 0, sizeof *r);
  switch (nc_hw_insn_get_opcode(in)) {
    case NC_HW_OP_LOAD:
      exec_load_(m, in, r);
      break;
    case NC_HW_OP_LOAD_CFG:
      m->ld_xs = nc_hw_load_cfg_get_x_stride(in);
      m->ld_ys = nc_hw_load_cfg_get_y_stride(in);
      m->ld_zs = nc_hw_load_cfg_get_z_stride(in);
      m->ld_pad = (int8_t)nc_hw_load_cfg_get_pad_value(in);
      break;
    case NC_HW_OP_GEMM:
      exec_gemm_(m, in);
      break;
    case NC_HW_OP_DWCONV:
      exec_dwconv_(m, in);
      break;
    case NC_HW_OP_STORE:
      exec_store_(m, in, r);
      break;
    case NC_HW_OP_STORE_CFG:
      m->st_fmt = nc_hw_store_cfg_get_out_fmt(in);
      m->st_pool = nc_hw_store_cfg_get_pool_op(in);
      m->st_kh = nc_hw_store_cfg_get_pool_kh(in);
      m->st_kw = nc_hw_store_cfg_get_pool_kw(in);
      m->st_sh = nc_hw_store_cfg_get_pool_sh(in);
      m->st_sw = nc_hw_store_cfg_get_pool_sw(in);
      m->st_xs = nc_hw_store_cfg_get_x_stride(in);
      m->st_ys = nc_hw_store_cfg_get_y_stride(in);
      m->st_add = nc_hw_store_cfg_get_add(in);
      m->st_rdelta = nc_hw_store_cfg_get_res_delta(in);
      break;
    case NC_HW_OP_LOAD_PARAM:
      exec_load_param_(m, in, r);
      break;
    default: /* SYNC: tokens only */
      break;
  }
}
