/*
 * Locally connected fast path: every output pixel has its own filter bank,
 * weights [OH][OW][O][KH][KW][C], so each weight is used once per image and
 * the layer is bound by reading them. One work-item per output element
 * (gid0 = output channel, gid1 = output column, gid2 = batch * OH + row)
 * reads the input from a padded copy (nc_pad_input, which stores pad_value
 * in the border), so there is no bounds check. With dilation 1 along the
 * columns a kernel row is one contiguous run of KW * C elements in both the
 * input and the weights, summed sixteen lanes at a time.
 */
__kernel void nc_local_rows(__global const NC_XT *xp, __global const NC_WT *w,
                            __global const NC_BT *bias, const int n_img,
                            const int hp_n, const int wp_n, const int ic_n,
                            const int oh_n, const int ow_n, const int oc_n,
                            const int kh_n, const int kw_n, const int s_h,
                            const int s_w, const int d_h, const int d_w,
                            const int b_pos, const int in_zp, NC_OUT_PARAMS) {
  const int oc = get_global_id(0);
  const int ow = get_global_id(1);
  const int row = get_global_id(2);
  if (oc >= oc_n || ow >= ow_n || row >= n_img * oh_n) {
    return;
  }
  const int n = row / oh_n;
  const int oh = row - n * oh_n;
  const NC_IDX pos = (NC_IDX)oh * ow_n + ow;
  const NC_IDX kwc = (NC_IDX)kw_n * ic_n;
  __global const NC_WT *wb = w + (pos * oc_n + oc) * kh_n * kwc;
  /* One run of kw_n * ic_n elements per kernel row when d_w == 1, else
   * kw_n runs of ic_n. */
  const int runs = d_w == 1 ? 1 : kw_n;
  const int len = d_w == 1 ? kw_n * ic_n : ic_n;
#ifdef NC_FLOAT
  float acc = 0.0f;
#else
  uint acc = (uint)bias[pos * b_pos + oc];
#endif
  for (int kh = 0; kh < kh_n; kh++) {
    const int ph = oh * s_h + kh * d_h;
    for (int k = 0; k < runs; k++) {
      const int pw = ow * s_w + k * d_w;
      __global const NC_XT *xr =
          xp + (((NC_IDX)n * hp_n + ph) * wp_n + pw) * ic_n;
      __global const NC_WT *wr = wb + (NC_IDX)kh * kwc + (NC_IDX)k * ic_n;
#ifdef NC_FLOAT
      acc += nc_dot_f32(xr, wr, len);
#else
      acc += nc_dot_int(xr, wr, len, in_zp);
#endif
    }
  }
  const NC_IDX o_idx = (((NC_IDX)n * oh_n + oh) * ow_n + ow) * oc_n + oc;
#ifdef NC_FLOAT
  acc += bias[pos * b_pos + oc];
#endif
  NC_STORE(o_idx, acc, oc);
}
