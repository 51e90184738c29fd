/*
 * Fully connected fast path: y[n][o] = bias[o] + sum_i x[n][i] * w[o][i].
 *
 * Every shape: one work-item per output feature o (gid0) and block of
 * NC_FC_NB batch rows (gid1). The weight row, contiguous in [O, I] memory,
 * is read once per block and multiplied with NC_FC_NB input rows in
 * sixteen-wide vectors, so batched inference reads the weights once per
 * NC_FC_NB samples. The general kernel in conv.cl computes the same thing
 * one element at a time.
 */
#ifndef NC_FC_NB
#define NC_FC_NB 4
#endif

__kernel void nc_fc_rows(__global const NC_XT *x, __global const NC_WT *w,
                         __global const NC_BT *bias, const int n_img,
                         const int in_n, const int oc_n, const int in_zp,
                         NC_OUT_PARAMS) {
  const int o = get_global_id(0);
  const int n0 = get_global_id(1) * NC_FC_NB;
  if (o >= oc_n || n0 >= n_img) {
    return;
  }
  __global const NC_WT *wr = w + (NC_IDX)o * in_n;
#ifdef NC_FLOAT
  float16 s[NC_FC_NB];
#else
  uint16 s[NC_FC_NB];
  const int16 zv = (int16)(in_zp);
#endif
  for (int r = 0; r < NC_FC_NB; r++) {
#ifdef NC_FLOAT
    s[r] = (float16)(0.0f);
#else
    s[r] = (uint16)(0u);
#endif
  }
  /* Rows past the batch read row n0 again and are never stored. */
  NC_IDX xoff[NC_FC_NB];
  for (int r = 0; r < NC_FC_NB; r++) {
    xoff[r] = (NC_IDX)(n0 + r < n_img ? n0 + r : n0) * in_n;
  }
  int i = 0;
  for (; i + 16 <= in_n; i += 16) {
#ifdef NC_FLOAT
    const float16 wv = vload16(0, wr + i);
    for (int r = 0; r < NC_FC_NB; r++) {
      s[r] = fma(vload16(0, x + xoff[r] + i), wv, s[r]);
    }
#else
    const int16 wv = convert_int16(vload16(0, wr + i));
    for (int r = 0; r < NC_FC_NB; r++) {
      const int16 xv = convert_int16(vload16(0, x + xoff[r] + i)) - zv;
      s[r] += as_uint16(xv * wv);
    }
#endif
  }
  for (int r = 0; r < NC_FC_NB; r++) {
    if (n0 + r >= n_img) {
      break;
    }
#ifdef NC_FLOAT
    float8 s8 = s[r].lo + s[r].hi;
    float4 s4 = s8.lo + s8.hi;
    float2 s2 = s4.lo + s4.hi;
    float acc = s2.x + s2.y;
    for (int j = i; j < in_n; j++) {
      acc = fma(x[xoff[r] + j], wr[j], acc);
    }
    acc += bias[o];
#else
    uint8 s8 = s[r].lo + s[r].hi;
    uint4 s4 = s8.lo + s8.hi;
    uint2 s2 = s4.lo + s4.hi;
    uint acc = s2.x + s2.y + (uint)bias[o];
    for (int j = i; j < in_n; j++) {
      acc += (uint)(((int)x[xoff[r] + j] - in_zp) * (int)wr[j]);
    }
#endif
    NC_STORE((NC_IDX)(n0 + r) * oc_n + o, acc, o);
  }
}
