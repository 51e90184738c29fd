/*
 * Max and average pooling; the output keeps the input dtype.
 *
 * Build options:
 *   NC_PT      element type: float, char, uchar or int
 *   NC_PFLOAT  defined for float
 *   NC_PMAX    defined for max pooling, else average
 *
 * Average divides by the number of valid (non-padding) elements of the
 * window. Integers sum in a long and round half away from zero, as the
 * golden reference does: (s > 0 ? s + cnt / 2 : s - cnt / 2) / cnt. Float
 * max keeps the golden's comparison (v > m ? v : m), so a NaN counts only
 * when it comes first; a float mean sums the window row by row in order.
 *
 * nc_pool_general: one work-item per output element, gid0 = channel,
 * gid1 = output column, gid2 = batch * OH + output row.
 * nc_pool_vec: the fast path for 8-bit and float elements with C % 16 ==
 * 0. The window, the strides and C are build options (below), so the
 * window loops have constant trip counts: a window that lies inside the
 * input (every window but the border ones) runs fully unrolled, with
 * constant offsets and no bounds. One work-item computes NC_PB output
 * pixels of a row, all their channels, sixteen at a time: on a CPU the
 * pixels of a row walk the input in order and the launch has few, large
 * work-groups; on a GPU the host picks NC_PB = 1.
 */
__kernel void nc_pool_general(__global const NC_PT *x, __global NC_PT *y,
                              const int n_img, const int ih_n, const int iw_n,
                              const int ic_n, const int oh_n, const int ow_n,
                              const int ph_n, const int pw_n, const int s_h,
                              const int s_w, const int p_t, const int p_l) {
  const int c = get_global_id(0);
  const int ow = get_global_id(1);
  const int row = get_global_id(2);
  if (c >= ic_n || ow >= ow_n || row >= n_img * oh_n) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const int ih0 = oh * s_h - p_t;
  const int iw0 = ow * s_w - p_l;
  const int kh0 = max(0, -ih0), kh1 = min(ph_n, ih_n - ih0);
  const int kw0 = max(0, -iw0), kw1 = min(pw_n, iw_n - iw0);
  const int cnt = (kh1 - kh0) * (kw1 - kw0);
  __global const NC_PT *xb = x + ((NC_IDX)n * ih_n * iw_n) * ic_n + c;
  NC_PT m = xb[((NC_IDX)(ih0 + kh0) * iw_n + iw0 + kw0) * ic_n];
#ifdef NC_PFLOAT
  float s = 0.0f;
#else
  long s = 0;
#endif
  for (int kh = kh0; kh < kh1; kh++) {
    for (int kw = kw0; kw < kw1; kw++) {
      const NC_PT v = xb[((NC_IDX)(ih0 + kh) * iw_n + iw0 + kw) * ic_n];
#ifdef NC_PMAX
      m = v > m ? v : m;
#else
      s += v;
#endif
    }
  }
  const NC_IDX o_idx = (((NC_IDX)n * oh_n + oh) * ow_n + ow) * ic_n + c;
#ifdef NC_PMAX
  y[o_idx] = m;
#elif defined(NC_PFLOAT)
  y[o_idx] = s / (float)cnt;
#else
  y[o_idx] = (NC_PT)(s > 0 ? (s + cnt / 2) / cnt : (s - cnt / 2) / cnt);
#endif
}

/* Build options of nc_pool_vec (all prefixed, see kernels/common.cl):
 *   NC_PKH, NC_PKW   window rows and columns
 *   NC_PSH, NC_PSW   strides
 *   NC_PC            channels, a multiple of 16
 *   NC_PB            output pixels of a row per work-item */
#ifdef NC_PKH

/* Sixteen channels of the element type, and of the sum type. */
#ifdef NC_PFLOAT
#define NC_PV_T float16
#define NC_SV_T float16
#define NC_SV_CONVERT(v) (v)
/* The golden's v > m ? v : m, lane by lane (a NaN counts only first). */
#define NC_PV_MAX(m, v) select((m), (v), (v) > (m))
#else
#define NC_PV_T NC_PV_CAT(NC_PT, 16)
#define NC_SV_T int16
#define NC_SV_CONVERT(v) convert_int16(v)
#define NC_PV_MAX(m, v) max((m), (v))
#endif
#define NC_PV_CAT(a, b) NC_PV_CAT2(a, b)
#define NC_PV_CAT2(a, b) a##b

/* The result of sixteen channels from the window's max m or sum s over cnt
 * elements. An 8-bit window sum fits an int for windows below 2^23
 * elements, which the host checks. */
#ifdef NC_PMAX
#define NC_PV_STORE(dst, cnt) vstore16(m, 0, (dst))
#elif defined(NC_PFLOAT)
#define NC_PV_STORE(dst, cnt) vstore16(s / (float)(cnt), 0, (dst))
#else
#define NC_PV_STORE(dst, cnt)                                          \
  do {                                                                 \
    const int16 h_ = (int16)((cnt) / 2);                               \
    const int16 q_ =                                                   \
        select((s - h_) / (cnt), (s + h_) / (cnt), s > (int16)(0));    \
    vstore16(NC_PV_CAT(convert_, NC_PV_T)(q_), 0, (dst));              \
  } while (0)
#endif

/* gid0 = block of NC_PB output columns, gid1 = batch * OH + output row. */
__kernel void nc_pool_vec(__global const NC_PT *x, __global NC_PT *y,
                          const int n_img, const int ih_n, const int iw_n,
                          const int ic_n, const int oh_n, const int ow_n,
                          const int ph_n, const int pw_n, const int s_h,
                          const int s_w, const int p_t, const int p_l) {
  const int owb = get_global_id(0);
  const int row = get_global_id(1);
  if (row >= n_img * oh_n) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const int ih0 = oh * NC_PSH - p_t;
  const int kh0 = max(0, -ih0), kh1 = min(NC_PKH, ih_n - ih0);
  const int rows_inside = kh0 == 0 && kh1 == NC_PKH;
  const int ow_end = min(ow_n, (owb + 1) * NC_PB);
  /* Offset of input row ih0 of image n; ih0 and iw0 may be negative at
   * the border, where only taps kh0.. and kw0.. are read. */
  const NC_IDX xrow = ((NC_IDX)n * ih_n + ih0) * iw_n * NC_PC;
  __global NC_PT *yrow = y + ((NC_IDX)n * oh_n + oh) * ow_n * NC_PC;
  const NC_IDX xpitch = (NC_IDX)iw_n * NC_PC; /* one input row */
  for (int ow = owb * NC_PB; ow < ow_end; ow++) {
    const int iw0 = ow * NC_PSW - p_l;
    const int kw0 = max(0, -iw0), kw1 = min(NC_PKW, iw_n - iw0);
    const NC_IDX xo = xrow + (NC_IDX)iw0 * NC_PC; /* tap (0, 0) */
    __global NC_PT *yp = yrow + (NC_IDX)ow * NC_PC;
    if (rows_inside && kw0 == 0 && kw1 == NC_PKW) {
      /* The window lies inside the input: constant taps, no bounds, and
       * pointers with constant offsets rather than index arithmetic. */
      __global const NC_PT *xw = x + xo;
      for (int c = 0; c < NC_PC; c += 16) {
        __global const NC_PT *xc = xw + c;
#ifdef NC_PMAX
        NC_PV_T m = vload16(0, xc);
#else
        NC_SV_T s = (NC_SV_T)(0);
#endif
#pragma unroll
        for (int kh = 0; kh < NC_PKH; kh++) {
          __global const NC_PT *xr = xc + kh * xpitch;
#pragma unroll
          for (int kw = 0; kw < NC_PKW; kw++) {
            const NC_PV_T v = vload16(0, xr + kw * NC_PC);
#ifdef NC_PMAX
            m = NC_PV_MAX(m, v);
#else
            s += NC_SV_CONVERT(v);
#endif
          }
        }
        NC_PV_STORE(yp + c, NC_PKH * NC_PKW);
      }
    } else {
      /* A border window: only its valid taps, in the golden's order. */
      const int cnt = (kh1 - kh0) * (kw1 - kw0);
      for (int c = 0; c < NC_PC; c += 16) {
#ifdef NC_PMAX
        NC_PV_T m =
            vload16(0, x + (xo + ((NC_IDX)kh0 * iw_n + kw0) * NC_PC + c));
#else
        NC_SV_T s = (NC_SV_T)(0);
#endif
        for (int kh = kh0; kh < kh1; kh++) {
          for (int kw = kw0; kw < kw1; kw++) {
            const NC_PV_T v =
                vload16(0, x + (xo + ((NC_IDX)kh * iw_n + kw) * NC_PC + c));
#ifdef NC_PMAX
            m = NC_PV_MAX(m, v);
#else
            s += NC_SV_CONVERT(v);
#endif
          }
        }
        NC_PV_STORE(yp + c, cnt);
      }
    }
  }
}
#endif /* NC_PKH */
