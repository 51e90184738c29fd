/*
 * Convolution family: conv2d, and the general kernel that fully connected
 * and locally connected layers share with it.
 *
 * nc_mac_general handles every shape of the three layers: one work-item per
 * output element (gid0 = output channel, gid1 = output column, gid2 =
 * batch * OH + output row). Fully connected is a 1x1 convolution of a 1x1
 * image with I channels; locally connected reads a different filter bank
 * (and optionally bias) per output pixel, which w_pos / b_pos say.
 *
 * nc_conv_tiled is the fast path for conv2d with groups == 1. nc_pad_tiled
 * copies the input into a float buffer that already holds the padding
 * (integers: x - in_zp, border pad_value - in_zp; float: x, border 0),
 * wide enough that every tile reads inside it, and the host repacks the
 * weights as float [OCB][KH][KW][C][NC_TILE_OV * NC_VW]: blocks of a
 * work-item's output channels, each a contiguous slice with the channels
 * innermost, zero-padded beyond the last channel. Each work-item computes
 * NC_TILE_W output pixels of one row times NC_TILE_OV vectors of NC_VW
 * output channels, held in registers: every input value is loaded once per
 * tile and broadcast against a vector of weights (register blocking over
 * output channels, vector FMAs; the loops over the tile are unrolled so the
 * accumulators stay in registers). Integer layers run the same float
 * inner loop with exact chunked sums (see nc_conv_tiled below).
 *
 * Build options of the tiled kernel, all compile-time so that the inner
 * loops have constant trip counts and constant offsets:
 *   NC_TILE_W, NC_TILE_OV    pixels and output-channel vectors per item
 *   NC_C                     input channels
 *   NC_KH, NC_KW             kernel size
 *   NC_SH, NC_SW, NC_DH, NC_DW   stride and dilation
 *   NC_HP, NC_WP             padded input rows and columns
 */

/* ---------------------------------------------------------------------- */
/* General kernel: every shape of conv2d, fc and local.                    */
/* ---------------------------------------------------------------------- */
__kernel void nc_mac_general(
    __global const NC_XT *x, __global const NC_WT *w,
    __global const NC_BT *bias, const int n_img, const int ih_n,
    const int iw_n, const int ic_n, const int oh_n, const int ow_n,
    const int oc_n, const int kh_n, const int kw_n, const int s_h,
    const int s_w, const int d_h, const int d_w, const int p_t, const int p_l,
    const int cg_n, const int og_n, const int w_pos, const int b_pos,
    const int in_zp, const int pad_value, NC_OUT_PARAMS) {
  const int oc = get_global_id(0);
  const int ow = get_global_id(1);
  const int row = get_global_id(2);
  if (oc >= oc_n || ow >= ow_n || row >= n_img * oh_n) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const int grp = oc / og_n;
  const NC_IDX pos = (NC_IDX)oh * ow_n + ow;
  const NC_IDX kwc = (NC_IDX)kw_n * cg_n;
  __global const NC_WT *wb =
      w + pos * (NC_IDX)w_pos + (NC_IDX)oc * kh_n * kwc;
#ifdef NC_FLOAT
  float acc = 0.0f;
#else
  uint acc = (uint)bias[pos * b_pos + oc];
  const int padc = pad_value - in_zp;
#endif
  for (int kh = 0; kh < kh_n; kh++) {
    const int ih = oh * s_h - p_t + kh * d_h;
    const int in_h = ih >= 0 && ih < ih_n;
    for (int kw = 0; kw < kw_n; kw++) {
      const int iw = ow * s_w - p_l + kw * d_w;
      __global const NC_WT *wr = wb + (NC_IDX)kh * kwc + (NC_IDX)kw * cg_n;
      if (in_h && iw >= 0 && iw < iw_n) {
        __global const NC_XT *xr =
            x + (((NC_IDX)n * ih_n + ih) * iw_n + iw) * ic_n +
            (NC_IDX)grp * cg_n;
        for (int c = 0; c < cg_n; c++) {
#ifdef NC_FLOAT
          acc = fma(xr[c], wr[c], acc);
#else
          acc += (uint)(((int)xr[c] - in_zp) * (int)wr[c]);
#endif
        }
      } else {
#ifndef NC_FLOAT
        if (padc != 0) {
          for (int c = 0; c < cg_n; c++) {
            acc += (uint)(padc * (int)wr[c]);
          }
        }
#endif
      }
    }
  }
  const NC_IDX o_idx = (((NC_IDX)n * oh_n + oh) * ow_n + ow) * oc_n + oc;
#ifdef NC_FLOAT
  acc += bias[pos * b_pos + oc];
#endif
  NC_STORE(o_idx, acc, oc);
}

/* ---------------------------------------------------------------------- */
/* Padded float copy of the input for the tiled path.                     */
/* ---------------------------------------------------------------------- */

/* Like nc_pad_input, but the copy is float: x for float layers (border 0),
 * x - in_zp for integer layers (border pad_value - in_zp); with NC_PAIRS
 * (nc_conv_pairs) the copy is short instead and NC_C channels a pixel,
 * the channels beyond ic_n (one, for an odd count) zero; with NC_VNNI
 * (nc_conv_vnni) it is uchar, NC_C channels a pixel, and the host passes
 * in_zp = -128 for int8 input and 0 for uint8 so that the copy holds the
 * unsigned x + 128 or x (uchar arithmetic wraps modulo 256). A work-item
 * copies pw_blk consecutive padded pixels of one row, all their channels,
 * sixteen at a time: gid0 = block of pw_blk padded columns, gid1 = batch *
 * hp_n + padded row. On a CPU the host passes whole rows (few, large
 * work-items that stream through memory); on a GPU one pixel per item. */
/* Sixteen bytes to any address in one store: POCL's vstore16 of chars
 * writes them one by one. clang lets a typedef lower a vector's
 * alignment; elsewhere vstore16 stays. */
#if defined(__clang__)
typedef uchar16 nc_uchar16_u __attribute__((aligned(1)));
#define NC_VSTORE_UCHAR16(v, p) (*(__global nc_uchar16_u *)(p) = (v))
#else
#define NC_VSTORE_UCHAR16(v, p) vstore16((v), 0, (p))
#endif

#if defined(NC_VNNI) && !defined(NC_FLOAT)
#define NC_PADT uchar
#define NC_PADT16 uchar16
#define NC_PADT_CONV16 convert_uchar16
#define NC_PADT_PITCH NC_C
#define NC_PADT_STORE16(v, p) NC_VSTORE_UCHAR16(v, p)
#elif defined(NC_PAIRS) && !defined(NC_FLOAT)
#define NC_PADT short
#define NC_PADT16 short16
#define NC_PADT_CONV16 convert_short16
#define NC_PADT_PITCH NC_C
#define NC_PADT_STORE16(v, p) vstore16((v), 0, (p))
#else
#define NC_PADT float
#define NC_PADT16 float16
#define NC_PADT_CONV16 convert_float16
#define NC_PADT_PITCH ic_n
#define NC_PADT_STORE16(v, p) vstore16((v), 0, (p))
#endif
__kernel void nc_pad_tiled(__global const NC_XT *x, __global NC_PADT *xp,
                           const int n_img, const int ih_n, const int iw_n,
                           const int ic_n, const int hp_n, const int wp_n,
                           const int p_t, const int p_l, const int pad_value,
                           const int in_zp, const int pw_blk) {
  const int pw0 = get_global_id(0) * pw_blk;
  const int row = get_global_id(1);
  if (pw0 >= wp_n || row >= n_img * hp_n) {
    return;
  }
  const int pw1 = min(pw0 + pw_blk, wp_n);
  const int n = row / hp_n;
  const int ph = row - n * hp_n;
  const int ih = ph - p_t;
  const int row_in = ih >= 0 && ih < ih_n;
#ifdef NC_FLOAT
  const NC_PADT v = 0.0f;
#else
  const NC_PADT v = (NC_PADT)(pad_value - in_zp);
  const NC_PADT16 zv = (NC_PADT16)((NC_PADT)in_zp);
#endif
  for (int pw = pw0; pw < pw1; pw++) {
    const int iw = pw - p_l;
    __global NC_PADT *dst =
        xp + (((NC_IDX)n * hp_n + ph) * wp_n + pw) * NC_PADT_PITCH;
    int c = 0;
    if (!row_in || iw < 0 || iw >= iw_n) {
      /* With NC_PAIRS the extra channel of an odd count meets zero
       * weights. */
      for (; c + 16 <= NC_PADT_PITCH; c += 16) {
        NC_PADT_STORE16((NC_PADT16)(v), dst + c);
      }
      for (; c < NC_PADT_PITCH; c++) {
        dst[c] = v;
      }
      continue;
    }
    __global const NC_XT *src =
        x + (((NC_IDX)n * ih_n + ih) * iw_n + iw) * (NC_IDX)ic_n;
#ifdef NC_FLOAT
    for (; c + 16 <= ic_n; c += 16) {
      vstore16(vload16(0, src + c), 0, dst + c);
    }
    for (; c < ic_n; c++) {
      dst[c] = src[c];
    }
#else
    for (; c + 16 <= ic_n; c += 16) {
      NC_PADT_STORE16(NC_PADT_CONV16(vload16(0, src + c)) - zv, dst + c);
    }
    for (; c < ic_n; c++) {
      dst[c] = (NC_PADT)((int)src[c] - in_zp);
    }
    for (; c < NC_PADT_PITCH; c++) {
      dst[c] = 0;
    }
#endif
  }
}

/* ---------------------------------------------------------------------- */
/* Tiled fast path for conv2d, groups == 1.                               */
/* ---------------------------------------------------------------------- */
#ifdef NC_TILE_W

#define NC_VW 16
#define NC_OB (NC_TILE_OV * NC_VW) /* output channels per work-item */
#ifdef NC_FLOAT
#define NC_VACC float16
#define NC_VZERO ((float16)(0.0f))
#define NC_VLOAD_BIAS(p) vload16(0, (p))
#define NC_RESULT(p, v) facc[p][v]
/* Activation of sixteen outputs, with the golden's comparisons (select keeps
 * a NaN where the scalar code keeps it). */
inline float16 nc_activate16(float16 v, int act, float lo, float hi) {
  if (act == 1) {
    return select(v, (float16)(0.0f), v < (float16)(0.0f));
  }
  if (act == 2) {
    v = select(v, (float16)(0.0f), v < (float16)(0.0f));
    return select(v, (float16)(6.0f), v > (float16)(6.0f));
  }
  if (act == 3) {
    v = select(v, (float16)(lo), v < (float16)(lo));
    return select(v, (float16)(hi), v > (float16)(hi));
  }
  return v;
}
#define NC_STORE16(r, base, ocv, nv)                     \
  do {                                                   \
    float16 r_ = nc_activate16((r), act, act_lo, act_hi); \
    if ((nv) == NC_VW) {                                 \
      vstore16(r_, 0, y + (base));                       \
    } else {                                             \
      float t_[NC_VW];                                   \
      vstore16(r_, 0, t_);                               \
      for (int j_ = 0; j_ < (nv); j_++) {                \
        y[(base) + j_] = t_[j_];                         \
      }                                                  \
    }                                                    \
  } while (0)
#else
#define NC_VACC uint16
#define NC_VZERO ((uint16)(0u))
#define NC_VLOAD_BIAS(p) as_uint16(vload16(0, (p)))
#define NC_RESULT(p, v) acc[p][v]
/* Stores sixteen accumulators (nv of them valid): the raw int32, or the
 * requantized byte with the channels' multipliers m_ and shifts s_. */
#define NC_STORE16(r, base, ocv, nv)                                    \
  do {                                                                  \
    const int16 a_ = as_int16(r);                                       \
    if (!rq_on && (nv) == NC_VW) {                                      \
      vstore16(a_, 0, y32 + (base));                                    \
    } else if (!rq_on) {                                                \
      int t_[NC_VW];                                                    \
      vstore16(a_, 0, t_);                                              \
      for (int j_ = 0; j_ < (nv); j_++) {                               \
        y32[(base) + j_] = t_[j_];                                      \
      }                                                                 \
    } else {                                                            \
      const int16 q_ =                                                  \
          nc_requant16(a_, rqm, rqs, out_zp, act_min, act_max);         \
      const uchar16 b_ = convert_uchar16(as_uint16(q_) & (uint16)(0xFFu)); \
      if ((nv) == NC_VW) {                                              \
        NC_VSTORE_UCHAR16(b_, y8 + (base));                             \
      } else {                                                          \
        uchar t_[NC_VW];                                                \
        vstore16(b_, 0, t_);                                            \
        for (int j_ = 0; j_ < (nv); j_++) {                             \
          y8[(base) + j_] = t_[j_];                                     \
        }                                                               \
      }                                                                 \
    }                                                                   \
  } while (0)
#endif

/*
 * The inner loop is the same for float and integer layers: float FMAs of a
 * broadcast input value against sixteen weights. For an integer layer the
 * host converts the padded input to float (x - in_zp) and the weights to
 * float, and the sums are exact: every product is an integer of magnitude
 * at most 255 * 128 = 32640, so a float sum of at most NC_CHUNK = 512 of
 * them stays below 2^24 and every partial sum is an integer a float holds
 * exactly. After at most NC_CHUNK products the float sums are converted
 * (exactly) and added to uint accumulators, which wrap modulo 2^32 as the
 * golden reference's do. The integer path thus runs at the float FMA rate
 * and agrees with the golden reference to the bit.
 *
 * NC_CCHUNK = min(C, NC_CHUNK) channels are summed between flushes; when
 * C < NC_CHUNK, NC_FLUSH_TAPS = NC_CHUNK / C kernel taps are.
 */
#define NC_CHUNK 512
#ifndef NC_FLOAT
#define NC_CCHUNK (NC_C < NC_CHUNK ? NC_C : NC_CHUNK)
#define NC_FLUSH_TAPS (NC_C < NC_CHUNK ? NC_CHUNK / NC_C : 1)
#define NC_FLUSH()                                                   \
  do {                                                               \
    _Pragma("unroll") for (int p_ = 0; p_ < NC_TILE_W; p_++) {       \
      _Pragma("unroll") for (int v_ = 0; v_ < NC_TILE_OV; v_++) {    \
        acc[p_][v_] += as_uint16(convert_int16(facc[p_][v_]));       \
        facc[p_][v_] = (float16)(0.0f);                              \
      }                                                              \
    }                                                                \
  } while (0)
#endif

/* gid0 = batch * OH + output row, gid1 = block of NC_TILE_W output
 * columns, gid2 = block of NC_TILE_OV * NC_VW output channels. xp and wp
 * are float for every layer (see above). The output channels vary
 * slowest so that the work-items that run one after another (POCL takes
 * work-groups in order, dimension 0 fastest) share their slice of the
 * weights while it is in the cache: with the channels fastest, every
 * row streamed all the weights again, which made layers with large
 * weights and small images (ResNet-50's 512x7x7, VGG-16's 512x28x28)
 * memory-bound. */
__kernel void nc_conv_tiled(__global const float *xp, __global const float *wp,
                            __global const NC_BT *bias, const int rows,
                            const int oh_n, const int ow_n, const int oc_n,
                            const int owb_n, const int ocb_n, NC_OUT_PARAMS) {
  const int row = get_global_id(0);
  const int owb = get_global_id(1);
  const int ocb = get_global_id(2);
  if (ocb >= ocb_n || owb >= owb_n || row >= rows) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const int ow0 = owb * NC_TILE_W;
  const int oc0 = ocb * (NC_TILE_OV * NC_VW);
  float16 facc[NC_TILE_W][NC_TILE_OV];
#ifndef NC_FLOAT
  uint16 acc[NC_TILE_W][NC_TILE_OV];
  int taps = 0;
#endif
#pragma unroll
  for (int p = 0; p < NC_TILE_W; p++) {
#pragma unroll
    for (int v = 0; v < NC_TILE_OV; v++) {
      facc[p][v] = (float16)(0.0f);
#ifndef NC_FLOAT
      acc[p][v] = (uint16)(0u);
#endif
    }
  }
  __global const float *xrow =
      xp + (((NC_IDX)n * NC_HP + oh * NC_SH) * NC_WP + ow0 * NC_SW) * NC_C;
  __global const float *wslice =
      wp + (NC_IDX)ocb * ((NC_IDX)NC_KH * NC_KW * NC_C * NC_OB);
  for (int kh = 0; kh < NC_KH; kh++) {
    for (int kw = 0; kw < NC_KW; kw++) {
      __global const float *xr =
          xrow + ((NC_IDX)kh * NC_DH * NC_WP + kw * NC_DW) * NC_C;
      __global const float *wr =
          wslice + (NC_IDX)(kh * NC_KW + kw) * NC_C * NC_OB;
#ifdef NC_FLOAT
      for (int c = 0; c < NC_C; c++) {
#else
      for (int c0 = 0; c0 < NC_C; c0 += NC_CCHUNK) {
        const int c1 = min(c0 + NC_CCHUNK, NC_C);
        for (int c = c0; c < c1; c++) {
#endif
        float16 wv[NC_TILE_OV];
#pragma unroll
        for (int v = 0; v < NC_TILE_OV; v++) {
          wv[v] = vload16(0, wr + c * NC_OB + v * NC_VW);
        }
#pragma unroll
        for (int p = 0; p < NC_TILE_W; p++) {
          const float xv = xr[p * NC_SW * NC_C + c];
#pragma unroll
          for (int v = 0; v < NC_TILE_OV; v++) {
            facc[p][v] = fma((float16)(xv), wv[v], facc[p][v]);
          }
        }
#ifndef NC_FLOAT
        }
        if (NC_C >= NC_CHUNK) {
          NC_FLUSH();
        }
#endif
      }
#ifndef NC_FLOAT
      if (NC_C < NC_CHUNK && ++taps == NC_FLUSH_TAPS) {
        NC_FLUSH();
        taps = 0;
      }
#endif
    }
  }
#ifndef NC_FLOAT
  NC_FLUSH();
#endif
  /* Epilogue: bias, then activation or requantization, then the store. The
   * loops over the tile are unrolled so that acc stays in registers. */
#pragma unroll
  for (int v = 0; v < NC_TILE_OV; v++) {
    const int ocv = oc0 + v * NC_VW;
    const int nv = min(NC_VW, oc_n - ocv); /* valid lanes, <= 0: none */
    NC_VACC bv = NC_VZERO;
    if (nv == NC_VW) {
      bv = NC_VLOAD_BIAS(bias + ocv);
    } else if (nv > 0) {
      NC_ACC_T tmp[NC_VW];
      for (int j = 0; j < NC_VW; j++) {
        tmp[j] = j < nv ? (NC_ACC_T)bias[ocv + j] : (NC_ACC_T)0;
      }
      bv = vload16(0, tmp);
    }
#ifndef NC_FLOAT
    /* Requantization multipliers and shifts of these sixteen channels. */
    int16 rqm = (int16)(rq_mult[0]), rqs = (int16)(rq_shift[0]);
    if (rq_on && rq_perch && nv == NC_VW) {
      rqm = vload16(0, rq_mult + ocv);
      rqs = vload16(0, rq_shift + ocv);
    } else if (rq_on && rq_perch && nv > 0) {
      int tm[NC_VW], ts[NC_VW];
      for (int j = 0; j < NC_VW; j++) {
        tm[j] = j < nv ? rq_mult[ocv + j] : 0;
        ts[j] = j < nv ? rq_shift[ocv + j] : 0;
      }
      rqm = vload16(0, tm);
      rqs = vload16(0, ts);
    }
#endif
#pragma unroll
    for (int p = 0; p < NC_TILE_W; p++) {
      if (nv > 0 && ow0 + p < ow_n) {
        const NC_IDX base =
            (((NC_IDX)n * oh_n + oh) * ow_n + ow0 + p) * oc_n + ocv;
        NC_STORE16(NC_RESULT(p, v) + bv, base, ocv, nv);
      }
    }
  }
}
#endif /* NC_TILE_W */

/* ---------------------------------------------------------------------- */
/* Integer conv2d in 16-bit pairs or VNNI quads, groups == 1.             */
/* ---------------------------------------------------------------------- */
/*
 * nc_conv_pairs and nc_conv_vnni are the integer layers' tiled paths on a
 * CPU: the tile of nc_conv_tiled (NC_TILE_W pixels of a row times
 * NC_TILE_OV vectors of sixteen output channels, the same NDRange and
 * epilogue), with integer sums instead of float chunks; the uint
 * accumulators wrap modulo 2^32 as the golden reference's do. They share
 * the tile's set-up and epilogue.
 */
#if defined(NC_TILE_W) && !defined(NC_FLOAT) && \
    (defined(NC_PAIRS) || defined(NC_VNNI))

/* The work-item's tile and its NC_TILE_W x NC_TILE_OV accumulators
 * acc[][] of type T, zero. */
#define NC_INT_TILE_BEGIN(T)                                     \
  const int row = get_global_id(0);                              \
  const int owb = get_global_id(1);                              \
  const int ocb = get_global_id(2);                              \
  if (ocb >= ocb_n || owb >= owb_n || row >= rows) {             \
    return;                                                      \
  }                                                              \
  const int n = row / oh_n;                                      \
  const int oh = row - n * oh_n;                                 \
  const int ow0 = owb * NC_TILE_W;                               \
  const int oc0 = ocb * (NC_TILE_OV * NC_VW);                    \
  T acc[NC_TILE_W][NC_TILE_OV];                                  \
  _Pragma("unroll") for (int p = 0; p < NC_TILE_W; p++) {        \
    _Pragma("unroll") for (int v = 0; v < NC_TILE_OV; v++) {     \
      acc[p][v] = (T)(0);                                        \
    }                                                            \
  }

/* Epilogue: bias, then the raw accumulator or the requantized byte. The
 * accumulators are copied out so that the loops over them need not be
 * unrolled: unrolled, each vector got its own call of nc_requant16 with
 * every accumulator spilled around it. */
#define NC_INT_TILE_END()                                                  \
  uint16 res_[NC_TILE_W][NC_TILE_OV];                                      \
  _Pragma("unroll") for (int p = 0; p < NC_TILE_W; p++) {                  \
    _Pragma("unroll") for (int v = 0; v < NC_TILE_OV; v++) {               \
      res_[p][v] = as_uint16(acc[p][v]);                                   \
    }                                                                      \
  }                                                                        \
  _Pragma("unroll 1") for (int v = 0; v < NC_TILE_OV; v++) {               \
    const int ocv = oc0 + v * NC_VW;                                       \
    const int nv = min(NC_VW, oc_n - ocv); /* valid lanes, <= 0: none */   \
    uint16 bv = (uint16)(0u);                                              \
    int16 rqm = (int16)(rq_mult[0]), rqs = (int16)(rq_shift[0]);           \
    if (nv == NC_VW) {                                                     \
      bv = as_uint16(vload16(0, bias + ocv));                              \
      if (rq_on && rq_perch) {                                             \
        rqm = vload16(0, rq_mult + ocv);                                   \
        rqs = vload16(0, rq_shift + ocv);                                  \
      }                                                                    \
    } else if (nv > 0) {                                                   \
      int tb[NC_VW], tm[NC_VW], ts[NC_VW];                                 \
      for (int j = 0; j < NC_VW; j++) {                                    \
        const int in = j < nv;                                             \
        tb[j] = in ? bias[ocv + j] : 0;                                    \
        tm[j] = in && rq_on && rq_perch ? rq_mult[ocv + j] : rq_mult[0];   \
        ts[j] = in && rq_on && rq_perch ? rq_shift[ocv + j] : rq_shift[0]; \
      }                                                                    \
      bv = as_uint16(vload16(0, tb));                                      \
      rqm = vload16(0, tm);                                                \
      rqs = vload16(0, ts);                                                \
    }                                                                      \
    _Pragma("unroll 1") for (int p = 0; p < NC_TILE_W; p++) {              \
      if (nv > 0 && ow0 + p < ow_n) {                                      \
        const NC_IDX base =                                                \
            (((NC_IDX)n * oh_n + oh) * ow_n + ow0 + p) * oc_n + ocv;       \
        NC_STORE16(res_[p][v] + bv, base, ocv, nv);                        \
      }                                                                    \
    }                                                                      \
  }
#endif

/*
 * nc_conv_pairs: nc_pad_tiled (with NC_PAIRS) writes the padded input as
 * short, x - in_zp (pad_value - in_zp at the border), NC_C channels per
 * pixel with NC_C even (a layer with an odd channel count gets one more,
 * whose weights are zero); the host packs the weights as short
 * [KH][KW][NC_C / 2][OCP][2]: for each pair of input channels and each
 * output channel the pair's two weights side by side.
 *
 * For each pair of input channels, a pixel's two inputs (read as one int
 * and broadcast to sixteen lanes) against 32 weights (sixteen output
 * channels x two) give sixteen sums of two products: even elements times
 * even plus odd times odd, sign-extended from 16 bits, which LLVM's x86
 * back end turns into one AVX512BW vpmaddwd (32 multiply-adds; the fp32
 * FMA does 16, AVX512-VNNI's vpdpbusd 64) and a vpaddd into the
 * accumulator. The optimizer undoes that pattern in two places unless they
 * are hidden from it: the even and odd elements of a broadcast fold into
 * two splats, and adding the pair's sum into the accumulator reassociates
 * into two adds of single products. NC_OPAQUE, an empty asm statement that
 * claims to change its operand, keeps both (bench/ocl_vnni.sh counts the
 * instructions). Elsewhere it is empty: the sums stay exact, only slower.
 *
 * Every value fits 16 bits (x - in_zp and pad_value - in_zp in -255..255,
 * weights in -128..127) and a pair's sum an int, so every partial sum is
 * exact.
 */
#if defined(NC_TILE_W) && defined(NC_PAIRS) && !defined(NC_FLOAT)

typedef short nc_short32 __attribute__((ext_vector_type(32)));
/* The same, for loads at any short boundary. */
typedef nc_short32 nc_short32_u __attribute__((aligned(2)));
#if defined(__AVX512BW__)
#define NC_OPAQUE(v) __asm__("" : "+v"(v))
#else
#define NC_OPAQUE(v) ((void)0)
#endif

/* Arguments and NDRange as nc_conv_tiled's; xp and wp as above. */
__kernel void nc_conv_pairs(__global const short *xp,
                            __global const short *wp,
                            __global const int *bias, const int rows,
                            const int oh_n, const int ow_n, const int oc_n,
                            const int owb_n, const int ocb_n, NC_OUT_PARAMS) {
  NC_INT_TILE_BEGIN(uint16)
  __global const short *xrow =
      xp + (((NC_IDX)n * NC_HP + oh * NC_SH) * NC_WP + ow0 * NC_SW) * NC_C;
  for (int kh = 0; kh < NC_KH; kh++) {
    for (int kw = 0; kw < NC_KW; kw++) {
      __global const short *xr =
          xrow + ((NC_IDX)kh * NC_DH * NC_WP + kw * NC_DW) * NC_C;
      __global const short *wr =
          wp + (NC_IDX)(kh * NC_KW + kw) * NC_C * NC_OCP + 2 * oc0;
      for (int c = 0; c < NC_C; c += 2) {
        nc_short32 wv[NC_TILE_OV];
#pragma unroll
        for (int v = 0; v < NC_TILE_OV; v++) {
          /* Loaded as shorts: the even and odd elements of ints would
           * become truncations and shifts, which hide the pattern. */
          wv[v] = *(__global const nc_short32_u *)(wr + c * NC_OCP +
                                                  v * 2 * NC_VW);
        }
#pragma unroll
        for (int p = 0; p < NC_TILE_W; p++) {
          /* Two channels of one pixel, in every lane's pair. */
          nc_short32 xv = __builtin_astype(
              (int16)(*(__global const int *)(xr + p * NC_SW * NC_C + c)),
              nc_short32);
          NC_OPAQUE(xv);
#pragma unroll
          for (int v = 0; v < NC_TILE_OV; v++) {
            int16 s = convert_int16(xv.even) * convert_int16(wv[v].even) +
                      convert_int16(xv.odd) * convert_int16(wv[v].odd);
            NC_OPAQUE(s);
            acc[p][v] += as_uint16(s);
          }
        }
      }
    }
  }
  NC_INT_TILE_END()
}
#endif /* NC_PAIRS */

/*
 * nc_conv_vnni: the same tile in AVX512-VNNI vpdpbusd, which adds four
 * products of an unsigned byte and a signed byte into each of sixteen
 * int32 lanes (64 multiply-adds and the accumulation in one instruction).
 * LLVM emits it only for a target with the avx512vnni feature, which
 * Debian's POCL does not give its kernels (docs/opencl.md, "int8 and
 * VNNI"), so the kernel issues it itself in an asm statement. The
 * assembler takes it whatever the target, and the host selects this
 * kernel only on a CPU device of POCL (kernels run on the host) whose
 * host CPU has AVX512-VNNI, after checking that the compiler targets
 * AVX512F (the zmm registers the statement names; without it the build
 * stops at the #error below).
 *
 * The inputs must be unsigned: nc_pad_tiled (with NC_VNNI) writes the
 * padded input as uchar x + off (pad_value + off at the border), with
 * off = 128 for int8 input and 0 for uint8, NC_C channels per pixel with
 * NC_C a multiple of four (the extra channels zero, their weights zero);
 * the host packs the weights as char [KH][KW][NC_C / 4][OCP][4]: for each
 * quad of input channels and each output channel the quad's four weights
 * in one int. Each step broadcasts a pixel's quad (one int) against
 * NC_TILE_OV vectors of sixteen output channels' quads. The sum is then
 * sum (x + off) * w = sum (x - in_zp) * w + (in_zp + off) * sum w; the
 * host folds -(in_zp + off) * sum w of each output channel into the bias
 * it passes, modulo 2^32. Every product and every four-product sum fits
 * an int, and vpdpbusd adds into its lanes modulo 2^32, so the result is
 * the golden reference's to the bit.
 */
#if defined(NC_VNNI) && !defined(NC_FLOAT)
#if !defined(__AVX512F__)
#error "NC_VNNI: nc_conv_vnni needs an OpenCL C compiler targeting AVX512F"
#endif
#define NC_C4 (NC_C / 4) /* ints (quads of channels) per padded pixel */
/* acc += sixteen lanes of four u8 x s8 products (AT&T operand order: the
 * signed source, the unsigned source, the accumulator). */
#define NC_DPBUSD(acc, u, s) \
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s))

#ifdef NC_TILE_W
/* Arguments and NDRange as nc_conv_tiled's; xp, wp and bias as above. */
__kernel void nc_conv_vnni(__global const uint *xp, __global const int *wp,
                           __global const int *bias, const int rows,
                           const int oh_n, const int ow_n, const int oc_n,
                           const int owb_n, const int ocb_n, NC_OUT_PARAMS) {
  NC_INT_TILE_BEGIN(int16)
  __global const uint *xrow =
      xp + (((NC_IDX)n * NC_HP + oh * NC_SH) * NC_WP + ow0 * NC_SW) * NC_C4;
  for (int kh = 0; kh < NC_KH; kh++) {
    for (int kw = 0; kw < NC_KW; kw++) {
      __global const uint *xr =
          xrow + ((NC_IDX)kh * NC_DH * NC_WP + kw * NC_DW) * NC_C4;
      __global const int *wr =
          wp + (NC_IDX)(kh * NC_KW + kw) * NC_C4 * NC_OCP + oc0;
      for (int c = 0; c < NC_C4; c++) {
        int16 wv[NC_TILE_OV];
#pragma unroll
        for (int v = 0; v < NC_TILE_OV; v++) {
          wv[v] = vload16(0, wr + c * NC_OCP + v * NC_VW);
        }
#pragma unroll
        for (int p = 0; p < NC_TILE_W; p++) {
          const int16 xv = (int16)(as_int(xr[p * NC_SW * NC_C4 + c]));
#pragma unroll
          for (int v = 0; v < NC_TILE_OV; v++) {
            NC_DPBUSD(acc[p][v], xv, wv[v]);
          }
        }
      }
    }
  }
  NC_INT_TILE_END()
}
#endif /* NC_TILE_W */
#endif /* NC_VNNI */

/* ---------------------------------------------------------------------- */
/* Local-memory tiled path for conv2d and fully connected (GPU-shaped).   */
/* ---------------------------------------------------------------------- */
/*
 * nc_conv_local computes the layer as an implicit GEMM per group:
 * Y[m][o] = bias[o] + sum_k A[m][k] * B[k][o] with m an output pixel
 * (batch, row, column), o an output channel of the group, k a tap
 * (kh, kw, c) of the group's input channels, A the padded input and B the
 * weights [O][KH][KW][C/groups] read as they are. A work-group owns an
 * NC_LT_TM x NC_LT_TN tile of Y; for each slice of NC_LT_TK taps its
 * work-items first copy the A and B slices into local memory together
 * (consecutive work-items read consecutive taps, i.e. consecutive input
 * channels and weights: coalesced), then each work-item multiplies its
 * NC_LT_RM x NC_LT_RN outputs held in registers (register blocking over
 * pixels and output channels) from local memory. The padding is applied
 * while loading A, so no padded copy is made. Integer layers load x - in_zp
 * (pad_value - in_zp at the border) and sum exact int products into uint
 * accumulators, which wrap modulo 2^32 as the golden reference's do, so the
 * result is bit-exact; float layers sum in float.
 *
 * The arguments are nc_mac_general's (w_pos and b_pos must be 0: the host
 * never picks this kernel for locally connected layers). Fully connected
 * layers arrive as a 1x1 convolution of a 1x1 image.
 *
 * Build options, all compile-time so the tile loops unroll:
 *   NC_LT_TM, NC_LT_TN   output pixels and channels per work-group
 *   NC_LT_TK             taps per local-memory slice
 *   NC_LT_RM, NC_LT_RN   pixels and channels per work-item; the work-group
 *                        is (NC_LT_TN / NC_LT_RN) x (NC_LT_TM / NC_LT_RM)
 * Work-item (tx, ty) owns pixels ty + i * LY and channels tx + j * LX, so
 * that neighbouring work-items read neighbouring local words.
 */
#ifdef NC_LT_TM

#define NC_LT_LX (NC_LT_TN / NC_LT_RN)
#define NC_LT_LY (NC_LT_TM / NC_LT_RM)
#define NC_LT_NT (NC_LT_LX * NC_LT_LY)
#ifdef NC_FLOAT
#define NC_LT_T float /* local element type */
#else
#define NC_LT_T int
#endif

__kernel __attribute__((reqd_work_group_size(NC_LT_LX, NC_LT_LY, 1))) void
nc_conv_local(__global const NC_XT *x, __global const NC_WT *w,
              __global const NC_BT *bias, const int n_img, const int ih_n,
              const int iw_n, const int ic_n, const int oh_n, const int ow_n,
              const int oc_n, const int kh_n, const int kw_n, const int s_h,
              const int s_w, const int d_h, const int d_w, const int p_t,
              const int p_l, const int cg_n, const int og_n, const int w_pos,
              const int b_pos, const int in_zp, const int pad_value,
              NC_OUT_PARAMS) {
  /* One extra column keeps the loaders' stores (consecutive k, stride one
   * row) off a single bank. */
  __local NC_LT_T as[NC_LT_TK][NC_LT_TM + 1];
  __local NC_LT_T bs[NC_LT_TK][NC_LT_TN + 1];
  const int tx = get_local_id(0);
  const int ty = get_local_id(1);
  const int lid = ty * NC_LT_LX + tx;
  const int obn = (og_n + NC_LT_TN - 1) / NC_LT_TN; /* blocks per group */
  const int grp = get_group_id(0) / obn;
  const int o0 = (get_group_id(0) - grp * obn) * NC_LT_TN;
  const int m0 = get_group_id(1) * NC_LT_TM;
  const int m_n = n_img * oh_n * ow_n;
  const int k_n = kh_n * kw_n * cg_n;
#ifdef NC_FLOAT
  const float padc = 0.0f;
  float acc[NC_LT_RM][NC_LT_RN];
#else
  const int padc = pad_value - in_zp;
  uint acc[NC_LT_RM][NC_LT_RN];
#endif
#pragma unroll
  for (int i = 0; i < NC_LT_RM; i++) {
#pragma unroll
    for (int j = 0; j < NC_LT_RN; j++) {
      acc[i][j] = 0;
    }
  }
  __global const NC_WT *wg = w + (NC_IDX)grp * og_n * k_n;
  for (int k0 = 0; k0 < k_n; k0 += NC_LT_TK) {
    for (int idx = lid; idx < NC_LT_TM * NC_LT_TK; idx += NC_LT_NT) {
      const int kk = idx % NC_LT_TK;
      const int mm = idx / NC_LT_TK;
      const int m = m0 + mm;
      const int k = k0 + kk;
      NC_LT_T v = 0;
      if (m < m_n && k < k_n) {
        const int ow = m % ow_n;
        const int t = m / ow_n;
        const int oh = t % oh_n;
        const int n = t / oh_n;
        const int c = k % cg_n;
        const int t2 = k / cg_n;
        const int kw = t2 % kw_n;
        const int kh = t2 / kw_n;
        const int ih = oh * s_h - p_t + kh * d_h;
        const int iw = ow * s_w - p_l + kw * d_w;
        v = padc;
        if (ih >= 0 && ih < ih_n && iw >= 0 && iw < iw_n) {
          const NC_XT xv = x[(((NC_IDX)n * ih_n + ih) * iw_n + iw) * ic_n +
                             grp * cg_n + c];
#ifdef NC_FLOAT
          v = xv;
#else
          v = (int)xv - in_zp;
#endif
        }
      }
      as[kk][mm] = v;
    }
    for (int idx = lid; idx < NC_LT_TN * NC_LT_TK; idx += NC_LT_NT) {
      const int kk = idx % NC_LT_TK;
      const int oo = idx / NC_LT_TK;
      const int k = k0 + kk;
      bs[kk][oo] = o0 + oo < og_n && k < k_n
                       ? (NC_LT_T)wg[(NC_IDX)(o0 + oo) * k_n + k]
                       : (NC_LT_T)0;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
    for (int kk = 0; kk < NC_LT_TK; kk++) {
      NC_LT_T a[NC_LT_RM], b[NC_LT_RN];
#pragma unroll
      for (int i = 0; i < NC_LT_RM; i++) {
        a[i] = as[kk][ty + i * NC_LT_LY];
      }
#pragma unroll
      for (int j = 0; j < NC_LT_RN; j++) {
        b[j] = bs[kk][tx + j * NC_LT_LX];
      }
#pragma unroll
      for (int i = 0; i < NC_LT_RM; i++) {
#pragma unroll
        for (int j = 0; j < NC_LT_RN; j++) {
#ifdef NC_FLOAT
          acc[i][j] = fma(a[i], b[j], acc[i][j]);
#else
          acc[i][j] += (uint)(a[i] * b[j]);
#endif
        }
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
#pragma unroll
  for (int i = 0; i < NC_LT_RM; i++) {
    const int m = m0 + ty + i * NC_LT_LY;
#pragma unroll
    for (int j = 0; j < NC_LT_RN; j++) {
      const int o = o0 + tx + j * NC_LT_LX;
      if (m < m_n && o < og_n) {
        const int oc = grp * og_n + o;
#ifdef NC_FLOAT
        const float r = acc[i][j] + bias[oc];
#else
        const uint r = acc[i][j] + (uint)bias[oc];
#endif
        NC_STORE((NC_IDX)m * oc_n + oc, r, oc);
      }
    }
  }
}
#endif /* NC_LT_TM */
