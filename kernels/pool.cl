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
 * nc_pool_vec: one work-item per output pixel, all its channels sixteen at
 * a time (C % 16 == 0), for 8-bit and float elements.
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

/* Sixteen channels of the element type, and of the sum type. */
#ifdef NC_PFLOAT
#define NC_PV_T float16
#define NC_SV_T float16
#define NC_SV_CONVERT(v) (v)
#else
#define NC_PV_T NC_PV_CAT(NC_PT, 16)
#define NC_SV_T int16
#define NC_SV_CONVERT(v) convert_int16(v)
#endif
#define NC_PV_CAT(a, b) NC_PV_CAT2(a, b)
#define NC_PV_CAT2(a, b) a##b

/* gid0 = output column, gid1 = batch * OH + output row; the work-item
 * walks all channels, sixteen at a time (C % 16 == 0). 8-bit and float
 * elements only: an 8-bit window sum fits an int for windows below 2^23
 * elements, which the host checks. */
__kernel void nc_pool_vec(__global const NC_PT *x, __global NC_PT *y,
                          const int n_img, const int ih_n, const int iw_n,
                          const int ic_n, const int oh_n, const int ow_n,
                          const int ph_n, const int pw_n, const int s_h,
                          const int s_w, const int p_t, const int p_l) {
  const int ow = get_global_id(0);
  const int row = get_global_id(1);
  if (ow >= ow_n || row >= n_img * oh_n) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const int ih0 = oh * s_h - p_t;
  const int iw0 = ow * s_w - p_l;
  const int kh0 = max(0, -ih0), kh1 = min(ph_n, ih_n - ih0);
  const int kw0 = max(0, -iw0), kw1 = min(pw_n, iw_n - iw0);
  const int cnt = (kh1 - kh0) * (kw1 - kw0);
  __global const NC_PT *xb = x + ((NC_IDX)n * ih_n * iw_n) * ic_n;
  __global NC_PT *yb = y + (((NC_IDX)n * oh_n + oh) * ow_n + ow) * ic_n;
  for (int c = 0; c < ic_n; c += 16) {
#ifdef NC_PMAX
    NC_PV_T m = vload16(
        0, xb + ((NC_IDX)(ih0 + kh0) * iw_n + iw0 + kw0) * ic_n + c);
#else
    NC_SV_T s = (NC_SV_T)(0);
#endif
    for (int kh = kh0; kh < kh1; kh++) {
      for (int kw = kw0; kw < kw1; kw++) {
        const NC_PV_T v =
            vload16(0, xb + ((NC_IDX)(ih0 + kh) * iw_n + iw0 + kw) * ic_n + c);
#ifdef NC_PMAX
#ifdef NC_PFLOAT
        m = select(m, v, v > m); /* the golden's v > m ? v : m */
#else
        m = max(m, v);
#endif
#else
        s += NC_SV_CONVERT(v);
#endif
      }
    }
#ifdef NC_PMAX
    vstore16(m, 0, yb + c);
#elif defined(NC_PFLOAT)
    vstore16(s / (float)cnt, 0, yb + c);
#else
    const int16 h = (int16)(cnt / 2);
    const int16 q = select((s - h) / cnt, (s + h) / cnt, s > (int16)(0));
    vstore16(NC_PV_CAT(convert_, NC_PV_T)(q), 0, yb + c);
#endif
  }
}
