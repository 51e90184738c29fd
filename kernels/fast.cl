/*
 * Fast convolution algorithms for float32 conv2d: Winograd minimal
 * filtering F(2x2,3x3) and F(4x4,3x3), and tiled FFT convolution
 * (overlap-save). Both run in three kernels:
 *
 *   1. an input transform (nc_wino_in, nc_fft_in): the input is cut into
 *      overlapping tiles of A x A pixels (A = M + R - 1 for M x M outputs
 *      of an R x R kernel), each tile and channel is transformed, and the
 *      result is stored as V[e][t][c]: E transform points e, T tiles t, the
 *      channels innermost;
 *   2. a batched GEMM (nc_bgemm): for every point e, Z[e] = V[e] x U[e],
 *      with U[e][c][k] the transformed weights (computed once per layer on
 *      the host, in double precision, and cached there);
 *   3. an output transform (nc_wino_out, nc_fft_out) that takes each tile's
 *      E points of Z back to M x M outputs, adds the bias, applies the
 *      activation and stores the valid pixels and channels.
 *
 * A stride S > 1 is folded in first (polyphase): the stride-S layer equals
 * a stride-1 layer with S*S times the channels and a ceil(R/S) kernel on
 * the phases of the input. For Winograd a kernel larger than 3x3 is then
 * split into NB x NB blocks of 3x3 (zero-padded): the sum of NB*NB 3x3
 * layers on shifted inputs, i.e. one 3x3 layer with NB*NB times the
 * channels. The loaders read "virtual" channels
 * c' = ((a * NB + b) * S * S + ph * S + pw) * C + c at input pixel
 * (S * (q + 3a) + ph - pad, S * (q' + 3b) + pw - pad). The host maps the
 * weights the same way.
 *
 * Build options (NC_FLOAT is always defined):
 *   NC_S                   stride (virtual-input phases per axis)
 *   NC_NB                  3x3 blocks per axis of a split kernel (1: none)
 *   NC_C                   real input channels
 *   NC_CP                  virtual channels padded to the vector width
 *   NC_KP                  output channels padded to the GEMM's block
 *   NC_TH, NC_TW           tiles per image, vertically and horizontally
 *   NC_M                   output tile side
 *   Winograd: NC_WA        tile side A (4 or 6)
 *   FFT:      NC_FN        transform size N (a power of two), NC_FV lanes
 *   GEMM:     NC_GC, NC_GK depth and row length, NC_GTP rows and
 *                          NC_GTOV 16-wide column vectors per work-item
 */

#define NC_CAT_(a, b) a##b
#define NC_CAT(a, b) NC_CAT_(a, b)

/* ---------------------------------------------------------------------- */
/* The virtual (polyphase, padded) input                                   */
/* ---------------------------------------------------------------------- */
#ifdef NC_S
#ifndef NC_NB
#define NC_NB 1
#endif
#define NC_PER (NC_C * NC_S * NC_S)
/* Virtual channel cv of virtual pixel (qh, qw) of image n: 0 outside. */
inline float nc_vin(__global const float *x, int n, int qh, int qw, int cv,
                    int ih_n, int iw_n, int p_t, int p_l) {
  if (cv >= NC_PER * NC_NB * NC_NB) {
    return 0.0f;
  }
  const int blk = cv / NC_PER;
  const int rem = cv - blk * NC_PER;
  const int ph = rem / NC_C;
  const int c = rem - ph * NC_C;
  const int ih = NC_S * (qh + 3 * (blk / NC_NB)) + ph / NC_S - p_t;
  const int iw = NC_S * (qw + 3 * (blk % NC_NB)) + ph % NC_S - p_l;
  if (ih < 0 || ih >= ih_n || iw < 0 || iw >= iw_n) {
    return 0.0f;
  }
  return x[(((NC_IDX)n * ih_n + ih) * iw_n + iw) * NC_C + c];
}

/* NC_VLEN consecutive virtual channels from cv as one vector. */
#define NC_VIN_VEC(VT, VLEN, out, x, n, qh, qw, cv)                       \
  do {                                                                    \
    const int b_ = (cv) / NC_C, c_ = (cv) - b_ * NC_C;                    \
    const int ih_ = (qh) + 3 * (b_ / NC_NB) - p_t;                        \
    const int iw_ = (qw) + 3 * (b_ % NC_NB) - p_l;                        \
    if (NC_S == 1 && c_ + (VLEN) <= NC_C && b_ < NC_NB * NC_NB) {         \
      if (ih_ >= 0 && ih_ < ih_n && iw_ >= 0 && iw_ < iw_n) {             \
        out = NC_CAT(vload, VLEN)(                                        \
            0, (x) + (((NC_IDX)(n) * ih_n + ih_) * iw_n + iw_) * NC_C + c_); \
      } else {                                                            \
        out = (VT)(0.0f);                                                 \
      }                                                                   \
    } else {                                                              \
      float t_[VLEN];                                                     \
      for (int j_ = 0; j_ < (VLEN); j_++) {                               \
        t_[j_] = nc_vin((x), (n), (qh), (qw), (cv) + j_, ih_n, iw_n, p_t, \
                        p_l);                                             \
      }                                                                   \
      out = NC_CAT(vload, VLEN)(0, t_);                                   \
    }                                                                     \
  } while (0)

/* Stores NC lanes of v (at most VLEN valid from channel k) of output pixel
 * (n, oh, ow) with bias and activation applied lane by lane. */
#define NC_OUT_VEC(VT, VLEN, v, n, oh, ow, k)                           \
  do {                                                                  \
    float t_[VLEN];                                                     \
    NC_CAT(vstore, VLEN)((v), 0, t_);                                   \
    const NC_IDX o_ = (((NC_IDX)(n) * oh_n + (oh)) * ow_n + (ow)) * k_n; \
    for (int j_ = 0; j_ < (VLEN) && (k) + j_ < k_n; j_++) {             \
      y[o_ + (k) + j_] =                                                \
          nc_activate(t_[j_] + bias[(k) + j_], act, act_lo, act_hi);    \
    }                                                                   \
  } while (0)
#endif

/* ---------------------------------------------------------------------- */
/* Batched GEMM: Z[e] = V[e] x U[e]                                        */
/* ---------------------------------------------------------------------- */
#ifdef NC_GC
/* V [E][rows][NC_GC], Z [E][rows][NC_GK]; rows is a multiple of NC_GTP
 * and NC_GK of NC_GOB = 16 * NC_GTOV. U [E][NC_GC][NC_GK] is packed as
 * [E][NC_GK / NC_GOB][NC_GC][NC_GOB]: a work-item's columns of one point
 * are one contiguous slice (a strided walk over whole rows of U made the
 * layers with large U and few tiles memory-bound). gid0 = block of
 * NC_GTOV 16-wide column vectors, gid1 = block of NC_GTP rows, gid2 =
 * point e. Register blocking as in nc_conv_tiled: every V value is
 * broadcast against NC_GTOV vectors of U. */
#define NC_GOB (NC_GTOV * 16)
__kernel void nc_bgemm(__global const float *v, __global const float *u,
                       __global float *z, const int rows) {
  const int kb = get_global_id(0);
  const int rb = get_global_id(1);
  const int e = get_global_id(2);
  const int k0 = kb * NC_GTOV * 16;
  const int r0 = rb * NC_GTP;
  __global const float *vr = v + ((NC_IDX)e * rows + r0) * NC_GC;
  __global const float *ur =
      u + ((NC_IDX)e * (NC_GK / NC_GOB) + kb) * NC_GC * NC_GOB;
  float16 acc[NC_GTP][NC_GTOV];
#pragma unroll
  for (int p = 0; p < NC_GTP; p++) {
#pragma unroll
    for (int q = 0; q < NC_GTOV; q++) {
      acc[p][q] = (float16)(0.0f);
    }
  }
  for (int c = 0; c < NC_GC; c++) {
    float16 wv[NC_GTOV];
#pragma unroll
    for (int q = 0; q < NC_GTOV; q++) {
      wv[q] = vload16(0, ur + (NC_IDX)c * NC_GOB + q * 16);
    }
#pragma unroll
    for (int p = 0; p < NC_GTP; p++) {
      const float a = vr[p * NC_GC + c];
#pragma unroll
      for (int q = 0; q < NC_GTOV; q++) {
        acc[p][q] = fma((float16)(a), wv[q], acc[p][q]);
      }
    }
  }
  __global float *zr = z + ((NC_IDX)e * rows + r0) * NC_GK + k0;
#pragma unroll
  for (int p = 0; p < NC_GTP; p++) {
#pragma unroll
    for (int q = 0; q < NC_GTOV; q++) {
      vstore16(acc[p][q], 0, zr + (NC_IDX)p * NC_GK + q * 16);
    }
  }
}
#endif /* NC_GC */

/* ---------------------------------------------------------------------- */
/* Winograd F(MxM, 3x3)                                                    */
/* ---------------------------------------------------------------------- */
#ifdef NC_WA
/* Lavin and Gray's matrices (points 0, +-1, +-2, infinity for M = 4;
 * 0, +-1, infinity for M = 2): Y = At [(G g Gt) . (Bt d B)] A computes the
 * correlation of the A x A tile d with the 3x3 kernel g. */
#if NC_WA == 4
__constant float nc_bt[4][4] = {
    {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
__constant float nc_at[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
#elif NC_WA == 6
__constant float nc_bt[6][6] = {
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
__constant float nc_at[4][6] = {{1, 1, 1, 1, 1, 0},
                                {0, 1, -1, 2, -2, 0},
                                {0, 1, 1, 4, 4, 0},
                                {0, 1, -1, 8, -8, 1}};
#else
#error "NC_WA must be 4 or 6"
#endif

/* s = sum over k of MAT[row][k] * SRC (an expression of k_), the zero
 * coefficients left out. */
#define NC_WROW(s, MAT, row, SRC)                               \
  do {                                                          \
    s = (float16)(0.0f);                                        \
    _Pragma("unroll") for (int k_ = 0; k_ < NC_WA; k_++) {      \
      if (MAT[row][k_] != 0.0f) {                               \
        s = fma((float16)(MAT[row][k_]), SRC, s);               \
      }                                                         \
    }                                                           \
  } while (0)

/* gid0 = tile (of NC_TP, the padded count; tiles past the last get
 * zeros), gid1 = block of 16 virtual channels. V [A*A][tp][NC_CP]. */
__kernel void nc_wino_in(__global const float *x, __global float *vo,
                         const int n_img, const int ih_n, const int iw_n,
                         const int p_t, const int p_l, const int tp) {
  const int t = get_global_id(0);
  const int c0 = get_global_id(1) * 16;
  if (t >= tp || c0 >= NC_CP) {
    return;
  }
  const int per = NC_TH * NC_TW;
  const int n = t / per;
  const int r = t - n * per;
  const int qh0 = (r / NC_TW) * NC_M;
  const int qw0 = (r % NC_TW) * NC_M;
  float16 d[NC_WA][NC_WA];
#pragma unroll
  for (int i = 0; i < NC_WA; i++) {
#pragma unroll
    for (int j = 0; j < NC_WA; j++) {
      if (n < n_img) {
        NC_VIN_VEC(float16, 16, d[i][j], x, n, qh0 + i, qw0 + j, c0);
      } else {
        d[i][j] = (float16)(0.0f);
      }
    }
  }
  float16 tmp[NC_WA][NC_WA];
#pragma unroll
  for (int i = 0; i < NC_WA; i++) {
#pragma unroll
    for (int j = 0; j < NC_WA; j++) {
      float16 s;
      NC_WROW(s, nc_bt, i, d[k_][j]);
      tmp[i][j] = s;
    }
  }
#pragma unroll
  for (int i = 0; i < NC_WA; i++) {
#pragma unroll
    for (int j = 0; j < NC_WA; j++) {
      float16 s;
      NC_WROW(s, nc_bt, j, tmp[i][k_]);
      vstore16(s, 0, vo + ((NC_IDX)(i * NC_WA + j) * tp + t) * NC_CP + c0);
    }
  }
}

/* gid0 = tile, gid1 = block of 16 output channels. Z [A*A][tp][NC_KP]. */
__kernel void nc_wino_out(__global const float *z, __global const float *bias,
                          __global float *y, const int n_img, const int oh_n,
                          const int ow_n, const int k_n, const int tp,
                          const int act, const float act_lo,
                          const float act_hi) {
  const int t = get_global_id(0);
  const int k0 = get_global_id(1) * 16;
  const int per = NC_TH * NC_TW;
  if (t >= n_img * per || k0 >= k_n) {
    return;
  }
  const int n = t / per;
  const int r = t - n * per;
  const int oh0 = (r / NC_TW) * NC_M;
  const int ow0 = (r % NC_TW) * NC_M;
  float16 tmp[NC_M][NC_WA];
#pragma unroll
  for (int j = 0; j < NC_WA; j++) {
    float16 col[NC_WA];
#pragma unroll
    for (int i = 0; i < NC_WA; i++) {
      col[i] = vload16(0, z + ((NC_IDX)(i * NC_WA + j) * tp + t) * NC_KP + k0);
    }
#pragma unroll
    for (int i = 0; i < NC_M; i++) {
      float16 s;
      NC_WROW(s, nc_at, i, col[k_]);
      tmp[i][j] = s;
    }
  }
#pragma unroll
  for (int i = 0; i < NC_M; i++) {
#pragma unroll
    for (int j = 0; j < NC_M; j++) {
      float16 s;
      NC_WROW(s, nc_at, j, tmp[i][k_]);
      if (oh0 + i < oh_n && ow0 + j < ow_n) {
        NC_OUT_VEC(float16, 16, s, n, oh0 + i, ow0 + j, k0);
      }
    }
  }
}
#endif /* NC_WA */

/* ---------------------------------------------------------------------- */
/* FFT convolution (overlap-save)                                          */
/* ---------------------------------------------------------------------- */
#ifdef NC_FN
/*
 * Each N x N tile d (N a power of two) is transformed with a real 2-D FFT:
 * rows first (N/2 + 1 frequencies of each real row), then columns, giving
 * the E = N * (N/2 + 1) points D[r][f] of the half spectrum. The circular
 * correlation of d with the kernel g (zero-padded to N x N) has spectrum
 * D . conj(G), and its first M = N - R + 1 rows and columns are the linear
 * correlation, i.e. the layer's outputs (no wrap-around reaches them).
 * The GEMM multiplies complex numbers as real 2 x 2 blocks: V [e][t] holds
 * the real parts of the NC_CP channels and then their imaginary parts;
 * U [e] is [[Re G, -Im G], [Im G, Re G]] with conj folded in, so Z [e][t]
 * holds Re then Im of sum_c D_c conj(G_c) for NC_KP output channels.
 *
 * Work-items hold NC_FV channels as one vector; tw holds cos and sin of
 * 2 pi k / N for k < N/2 (computed by the host in double precision).
 */
#define NC_FVT NC_CAT(float, NC_FV)
#define NC_FH (NC_FN / 2 + 1)

/* In-place complex FFT of length NC_FN (sign -1, or +1 when inv). */
inline void nc_fft(NC_FVT *re, NC_FVT *im, __constant const float *tw,
                   const int inv) {
  for (int i = 0, j = 0; i < NC_FN; i++) {
    if (i < j) {
      NC_FVT t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
    int b = NC_FN >> 1;
    while (b >= 1 && (j & b)) {
      j ^= b;
      b >>= 1;
    }
    j |= b;
  }
  for (int len = 2; len <= NC_FN; len <<= 1) {
    const int hl = len >> 1;
    const int step = NC_FN / len;
    for (int j = 0; j < hl; j++) {
      const float wc = tw[j * step];
      const float ws = inv ? tw[NC_FN / 2 + j * step] : -tw[NC_FN / 2 + j * step];
      for (int i = j; i < NC_FN; i += len) {
        const NC_FVT br = re[i + hl], bi = im[i + hl];
        const NC_FVT tr = br * wc - bi * ws;
        const NC_FVT ti = br * ws + bi * wc;
        re[i + hl] = re[i] - tr;
        im[i + hl] = im[i] - ti;
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}

/* gid0 = tile (of tp; past the last: zeros), gid1 = block of NC_FV
 * virtual channels. V [E][tp][2 * NC_CP]. */
__kernel void nc_fft_in(__global const float *x, __global float *vo,
                        __constant const float *tw, const int n_img,
                        const int ih_n, const int iw_n, const int p_t,
                        const int p_l, const int tp) {
  const int t = get_global_id(0);
  const int c0 = get_global_id(1) * NC_FV;
  if (t >= tp || c0 >= NC_CP) {
    return;
  }
  const int per = NC_TH * NC_TW;
  const int n = t / per;
  const int r = t - n * per;
  const int qh0 = (r / NC_TW) * NC_M;
  const int qw0 = (r % NC_TW) * NC_M;
  NC_FVT sre[NC_FN][NC_FH], sim[NC_FN][NC_FH];
  NC_FVT re[NC_FN], im[NC_FN];
  for (int i = 0; i < NC_FN; i++) {
    for (int j = 0; j < NC_FN; j++) {
      if (n < n_img) {
        NC_VIN_VEC(NC_FVT, NC_FV, re[j], x, n, qh0 + i, qw0 + j, c0);
      } else {
        re[j] = (NC_FVT)(0.0f);
      }
      im[j] = (NC_FVT)(0.0f);
    }
    nc_fft(re, im, tw, 0);
    for (int f = 0; f < NC_FH; f++) {
      sre[i][f] = re[f];
      sim[i][f] = im[f];
    }
  }
  for (int f = 0; f < NC_FH; f++) {
    for (int i = 0; i < NC_FN; i++) {
      re[i] = sre[i][f];
      im[i] = sim[i][f];
    }
    nc_fft(re, im, tw, 0);
    for (int i = 0; i < NC_FN; i++) {
      __global float *o = vo + ((NC_IDX)(i * NC_FH + f) * tp + t) * 2 * NC_CP;
      NC_CAT(vstore, NC_FV)(re[i], 0, o + c0);
      NC_CAT(vstore, NC_FV)(im[i], 0, o + NC_CP + c0);
    }
  }
}

/* gid0 = tile, gid1 = block of NC_FV output channels. Z [E][tp][2 NC_KP]. */
__kernel void nc_fft_out(__global const float *z, __global const float *bias,
                         __global float *y, __constant const float *tw,
                         const int n_img, const int oh_n, const int ow_n,
                         const int k_n, const int tp, const int act,
                         const float act_lo, const float act_hi) {
  const int t = get_global_id(0);
  const int k0 = get_global_id(1) * NC_FV;
  const int per = NC_TH * NC_TW;
  if (t >= n_img * per || k0 >= k_n) {
    return;
  }
  const int n = t / per;
  const int r = t - n * per;
  const int oh0 = (r / NC_TW) * NC_M;
  const int ow0 = (r % NC_TW) * NC_M;
  NC_FVT sre[NC_FN][NC_FH], sim[NC_FN][NC_FH];
  NC_FVT re[NC_FN], im[NC_FN];
  /* Columns: inverse FFT over the rows of each frequency f. */
  for (int f = 0; f < NC_FH; f++) {
    for (int i = 0; i < NC_FN; i++) {
      __global const float *zi =
          z + ((NC_IDX)(i * NC_FH + f) * tp + t) * 2 * NC_KP;
      re[i] = NC_CAT(vload, NC_FV)(0, zi + k0);
      im[i] = NC_CAT(vload, NC_FV)(0, zi + NC_KP + k0);
    }
    nc_fft(re, im, tw, 1);
    for (int i = 0; i < NC_M; i++) {
      sre[i][f] = re[i];
      sim[i][f] = im[i];
    }
  }
  /* Rows: the real inverse of each of the first M rows, from its half
   * spectrum extended by Hermitian symmetry; the first M values. */
  const float scale = 1.0f / (float)(NC_FN * NC_FN);
  for (int i = 0; i < NC_M; i++) {
    for (int f = 0; f < NC_FH; f++) {
      re[f] = sre[i][f];
      im[f] = sim[i][f];
    }
    for (int f = NC_FH; f < NC_FN; f++) {
      re[f] = sre[i][NC_FN - f];
      im[f] = -sim[i][NC_FN - f];
    }
    nc_fft(re, im, tw, 1);
    if (oh0 + i < oh_n) {
      for (int j = 0; j < NC_M && ow0 + j < ow_n; j++) {
        NC_OUT_VEC(NC_FVT, NC_FV, re[j] * scale, n, oh0 + i, ow0 + j, k0);
      }
    }
  }
}
#endif /* NC_FN */
