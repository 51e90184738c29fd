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
 *      activation and stores the valid pixels and channels. Z is stored
 *      tile by tile, Z[t][e][k], so that these reads are one stretch.
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
 *   FFT:      NC_FN        transform size N (a power of two), NC_FV and
 *                          NC_FVO lanes of the input and output transforms
 *   GEMM:     NC_GC, NC_GK depth and row length, NC_GTP rows and
 *                          NC_GTOV 16-wide column vectors per work-item
 *   NC_E                   transform points per tile
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

/* Activation of a vector in place, with the golden's comparisons (select
 * keeps a NaN where nc_activate keeps it). */
#define NC_ACT_VEC(VT, v)                                      \
  do {                                                         \
    if (act == 1 || act == 2) {                                \
      v = select(v, (VT)(0.0f), v < (VT)(0.0f));               \
    }                                                          \
    if (act == 2) {                                            \
      v = select(v, (VT)(6.0f), v > (VT)(6.0f));               \
    }                                                          \
    if (act == 3) {                                            \
      v = select(v, (VT)(act_lo), v < (VT)(act_lo));           \
      v = select(v, (VT)(act_hi), v > (VT)(act_hi));           \
    }                                                          \
  } while (0)

/* The bias of output channels k .. k + VLEN - 1 (0 past k_n). */
#define NC_LOAD_BIAS(VT, VLEN, bv, k)                    \
  do {                                                   \
    if ((k) + (VLEN) <= k_n) {                           \
      bv = NC_CAT(vload, VLEN)(0, bias + (k));           \
    } else {                                             \
      float t_[VLEN];                                    \
      for (int j_ = 0; j_ < (VLEN); j_++) {              \
        t_[j_] = (k) + j_ < k_n ? bias[(k) + j_] : 0.0f; \
      }                                                  \
      bv = NC_CAT(vload, VLEN)(0, t_);                   \
    }                                                    \
  } while (0)

/* Stores the lanes of v + bv (at most VLEN valid from channel k) of output
 * pixel (n, oh, ow), activated. */
#define NC_OUT_BV(VT, VLEN, v, bv, n, oh, ow, k)                         \
  do {                                                                  \
    VT r_ = (v) + (bv);                                                 \
    NC_ACT_VEC(VT, r_);                                                 \
    __global float *o_ =                                                \
        y + (((NC_IDX)(n) * oh_n + (oh)) * ow_n + (ow)) * k_n + (k);    \
    if ((k) + (VLEN) <= k_n) {                                          \
      NC_CAT(vstore, VLEN)(r_, 0, o_);                                  \
    } else {                                                            \
      float t_[VLEN];                                                   \
      NC_CAT(vstore, VLEN)(r_, 0, t_);                                  \
      for (int j_ = 0; j_ < k_n - (k); j_++) {                          \
        o_[j_] = t_[j_];                                                \
      }                                                                 \
    }                                                                   \
  } while (0)
#endif

/* ---------------------------------------------------------------------- */
/* Batched GEMM: Z[e] = V[e] x U[e]                                        */
/* ---------------------------------------------------------------------- */
#ifdef NC_GC
/* V [E][rows][NC_GC], Z [rows][E][NC_GK]; rows is a multiple of NC_GTP
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
  __global float *zr = z + ((NC_IDX)r0 * NC_E + e) * NC_GK + k0;
#pragma unroll
  for (int p = 0; p < NC_GTP; p++) {
#pragma unroll
    for (int q = 0; q < NC_GTOV; q++) {
      vstore16(acc[p][q], 0, zr + (NC_IDX)p * NC_E * NC_GK + q * 16);
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

/* gid0 = tile, gid1 = block of 16 output channels. Z [tp][A*A][NC_KP]. */
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
  float16 bv;
  NC_LOAD_BIAS(float16, 16, bv, k0);
  float16 tmp[NC_M][NC_WA];
#pragma unroll
  for (int j = 0; j < NC_WA; j++) {
    float16 col[NC_WA];
#pragma unroll
    for (int i = 0; i < NC_WA; i++) {
      col[i] = vload16(0, z + ((NC_IDX)t * NC_E + i * NC_WA + j) * NC_KP + k0);
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
        NC_OUT_BV(float16, 16, s, bv, n, oh0 + i, ow0 + j, k0);
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
 * U [e] is [[Re G, -Im G], [Im G, Re G]] with conj folded in, so Z [t][e]
 * holds Re then Im of sum_c D_c conj(G_c) for NC_KP output channels.
 *
 * Real data is transformed two rows at a time: the FFT of row a + i row b
 * gives both half spectra, and the inverse of A + i B (each extended by
 * Hermitian symmetry) gives a + i b. The inverse computes only the M rows
 * and columns that are outputs. The work-items of nc_fft_in hold NC_FV
 * input channels as one vector, those of nc_fft_out NC_FVO output
 * channels.
 */
#define NC_FVT NC_CAT(float, NC_FV)
#define NC_FVOT NC_CAT(float, NC_FVO)
#define NC_FH (NC_FN / 2 + 1)
#define NC_ME ((NC_M + 1) / 2 * 2) /* output rows rounded up to pairs */
#if NC_FN == 8
#define NC_FL 3
#elif NC_FN == 16
#define NC_FL 4
#elif NC_FN == 32
#define NC_FL 5
#elif NC_FN == 64
#define NC_FL 6
#else
#error "NC_FN must be 8, 16, 32 or 64"
#endif

/* cos and sin of 2 pi k / 64 for k < 32, correctly rounded: the twiddles
 * of every N that divides 64. */
__constant float nc_twc[32] = {
    1.000000000e+00f, 9.951847267e-01f, 9.807852804e-01f, 9.569403357e-01f,
    9.238795325e-01f, 8.819212643e-01f, 8.314696123e-01f, 7.730104534e-01f,
    7.071067812e-01f, 6.343932842e-01f, 5.555702330e-01f, 4.713967368e-01f,
    3.826834324e-01f, 2.902846773e-01f, 1.950903220e-01f, 9.801714033e-02f,
    0.000000000e+00f, -9.801714033e-02f, -1.950903220e-01f, -2.902846773e-01f,
    -3.826834324e-01f, -4.713967368e-01f, -5.555702330e-01f, -6.343932842e-01f,
    -7.071067812e-01f, -7.730104534e-01f, -8.314696123e-01f, -8.819212643e-01f,
    -9.238795325e-01f, -9.569403357e-01f, -9.807852804e-01f, -9.951847267e-01f};
__constant float nc_tws[32] = {
    0.000000000e+00f, 9.801714033e-02f, 1.950903220e-01f, 2.902846773e-01f,
    3.826834324e-01f, 4.713967368e-01f, 5.555702330e-01f, 6.343932842e-01f,
    7.071067812e-01f, 7.730104534e-01f, 8.314696123e-01f, 8.819212643e-01f,
    9.238795325e-01f, 9.569403357e-01f, 9.807852804e-01f, 9.951847267e-01f,
    1.000000000e+00f, 9.951847267e-01f, 9.807852804e-01f, 9.569403357e-01f,
    9.238795325e-01f, 8.819212643e-01f, 8.314696123e-01f, 7.730104534e-01f,
    7.071067812e-01f, 6.343932842e-01f, 5.555702330e-01f, 4.713967368e-01f,
    3.826834324e-01f, 2.902846773e-01f, 1.950903220e-01f, 9.801714033e-02f};

/* In-place complex FFT of NC_FN vectors (sign -1, or +1 and unscaled when
 * inv), natural order in and out, radix 2. Every loop has a constant trip
 * count and is unrolled, so indices and twiddles are constants: the arrays
 * live in registers, the products by 1 and by -i or i are left out, and
 * results that the caller does not use are never computed. */
#define NC_FFT_DEF(NAME, VT)                                               \
  inline void NAME(VT *re, VT *im, const int inv) {                        \
    _Pragma("unroll") for (int i = 0; i < NC_FN; i++) {                    \
      int j = 0;                                                           \
      _Pragma("unroll") for (int b = 0; b < NC_FL; b++) {                  \
        j |= ((i >> b) & 1) << (NC_FL - 1 - b);                            \
      }                                                                    \
      if (i < j) {                                                         \
        VT t = re[i];                                                      \
        re[i] = re[j];                                                     \
        re[j] = t;                                                         \
        t = im[i];                                                         \
        im[i] = im[j];                                                     \
        im[j] = t;                                                         \
      }                                                                    \
    }                                                                      \
    _Pragma("unroll") for (int s = 0; s < NC_FL; s++) {                    \
      _Pragma("unroll") for (int q = 0; q < NC_FN / 2; q++) {              \
        const int hl = 1 << s;                                             \
        const int j = q & (hl - 1);                                        \
        const int i = ((q >> s) << (s + 1)) + j;                           \
        const int k = j << (NC_FL - 1 - s); /* twiddle of 2 pi k / N */    \
        const VT br = re[i + hl], bi = im[i + hl];                         \
        VT tr, ti;                                                         \
        if (k == 0) {                                                      \
          tr = br;                                                         \
          ti = bi;                                                         \
        } else if (4 * k == NC_FN) { /* -i, or i when inv */               \
          tr = inv ? -bi : bi;                                             \
          ti = inv ? br : -br;                                             \
        } else {                                                           \
          const float wc = nc_twc[k * (64 / NC_FN)];                       \
          const float ws =                                                 \
              inv ? nc_tws[k * (64 / NC_FN)] : -nc_tws[k * (64 / NC_FN)];  \
          tr = fma(br, (VT)(wc), -bi * ws);                                \
          ti = fma(br, (VT)(ws), bi * wc);                                 \
        }                                                                  \
        re[i + hl] = re[i] - tr;                                           \
        im[i + hl] = im[i] - ti;                                           \
        re[i] += tr;                                                       \
        im[i] += ti;                                                       \
      }                                                                    \
    }                                                                      \
  }
NC_FFT_DEF(nc_fft_iv, NC_FVT)
NC_FFT_DEF(nc_fft_ov, NC_FVOT)

/* gid0 = tile (of tp; past the last: zeros), gid1 = block of NC_FV
 * virtual channels. V [E][tp][2 * NC_CP]. */
__kernel void nc_fft_in(__global const float *x, __global float *vo,
                        const int n_img, const int ih_n, const int iw_n,
                        const int p_t, const int p_l, const int tp) {
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
  /* Rows, two at a time: X = FFT(row i + i row i+1), then
   * D_i = (X[f] + conj X[-f]) / 2 and D_i+1 = (X[f] - conj X[-f]) / 2i. */
  for (int i = 0; i < NC_FN; i += 2) {
    NC_FVT re[NC_FN], im[NC_FN];
#pragma unroll
    for (int j = 0; j < NC_FN; j++) {
      if (n < n_img) {
        NC_VIN_VEC(NC_FVT, NC_FV, re[j], x, n, qh0 + i, qw0 + j, c0);
        NC_VIN_VEC(NC_FVT, NC_FV, im[j], x, n, qh0 + i + 1, qw0 + j, c0);
      } else {
        re[j] = (NC_FVT)(0.0f);
        im[j] = (NC_FVT)(0.0f);
      }
    }
    nc_fft_iv(re, im, 0);
#pragma unroll
    for (int f = 0; f < NC_FH; f++) {
      const int g = (NC_FN - f) & (NC_FN - 1);
      sre[i][f] = 0.5f * (re[f] + re[g]);
      sim[i][f] = 0.5f * (im[f] - im[g]);
      sre[i + 1][f] = 0.5f * (im[f] + im[g]);
      sim[i + 1][f] = 0.5f * (re[g] - re[f]);
    }
  }
  /* Columns. */
  for (int f = 0; f < NC_FH; f++) {
    NC_FVT re[NC_FN], im[NC_FN];
#pragma unroll
    for (int i = 0; i < NC_FN; i++) {
      re[i] = sre[i][f];
      im[i] = sim[i][f];
    }
    nc_fft_iv(re, im, 0);
#pragma unroll
    for (int i = 0; i < NC_FN; i++) {
      __global float *o = vo + ((NC_IDX)(i * NC_FH + f) * tp + t) * 2 * NC_CP;
      NC_CAT(vstore, NC_FV)(re[i], 0, o + c0);
      NC_CAT(vstore, NC_FV)(im[i], 0, o + NC_CP + c0);
    }
  }
}

/* gid0 = tile, gid1 = block of NC_FVO output channels. Z [tp][E][2 NC_KP]
 * (NC_KP a multiple of NC_FVO). */
__kernel void nc_fft_out(__global const float *z, __global const float *bias,
                         __global float *y, const int n_img, const int oh_n,
                         const int ow_n, const int k_n, const int tp,
                         const int act, const float act_lo,
                         const float act_hi) {
  const int t = get_global_id(0);
  const int k0 = get_global_id(1) * NC_FVO;
  const int per = NC_TH * NC_TW;
  if (t >= n_img * per || k0 >= k_n) {
    return;
  }
  const int n = t / per;
  const int r = t - n * per;
  const int oh0 = (r / NC_TW) * NC_M;
  const int ow0 = (r % NC_TW) * NC_M;
  __global const float *zt = z + (NC_IDX)t * NC_E * 2 * NC_KP + k0;
  const int ze = 2 * NC_KP; /* from one point to the next */
  /* W = the inverse over the rows r of each frequency f, its first NC_ME
   * rows. Columns 0 and N/2 are Hermitian in r (their inverses are real):
   * one complex inverse of Z[.][0] + i Z[.][N/2] gives both. */
  NC_FVOT wre[NC_ME][NC_FH], wim[NC_ME][NC_FH];
  {
    NC_FVOT re[NC_FN], im[NC_FN];
#pragma unroll
    for (int i = 0; i < NC_FN; i++) {
      __global const float *a = zt + (NC_IDX)(i * NC_FH) * ze;
      __global const float *b = a + (NC_IDX)(NC_FN / 2) * ze;
      re[i] = NC_CAT(vload, NC_FVO)(0, a) - NC_CAT(vload, NC_FVO)(0, b + NC_KP);
      im[i] = NC_CAT(vload, NC_FVO)(0, a + NC_KP) + NC_CAT(vload, NC_FVO)(0, b);
    }
    nc_fft_ov(re, im, 1);
#pragma unroll
    for (int i = 0; i < NC_ME; i++) {
      wre[i][0] = re[i];
      wre[i][NC_FN / 2] = im[i];
    }
  }
  for (int f = 1; f < NC_FN / 2; f++) {
    NC_FVOT re[NC_FN], im[NC_FN];
#pragma unroll
    for (int i = 0; i < NC_FN; i++) {
      __global const float *a = zt + (NC_IDX)(i * NC_FH + f) * ze;
      re[i] = NC_CAT(vload, NC_FVO)(0, a);
      im[i] = NC_CAT(vload, NC_FVO)(0, a + NC_KP);
    }
    nc_fft_ov(re, im, 1);
#pragma unroll
    for (int i = 0; i < NC_ME; i++) {
      wre[i][f] = re[i];
      wim[i][f] = im[i];
    }
  }
  /* Rows, two at a time: the inverse of W[i] + i W[i+1], both extended by
   * Hermitian symmetry (W[-f] = conj W[f]), is row i + i row i+1. */
  NC_FVOT bv;
  NC_LOAD_BIAS(NC_FVOT, NC_FVO, bv, k0);
  const float scale = 1.0f / (float)(NC_FN * NC_FN);
  for (int i = 0; i < NC_ME; i += 2) {
    NC_FVOT re[NC_FN], im[NC_FN];
#pragma unroll
    for (int f = 0; f < NC_FN; f++) {
      const int g = f <= NC_FN / 2 ? f : NC_FN - f;
      const int real = g == 0 || g == NC_FN / 2; /* W[.][g] is real */
      const NC_FVOT ar = wre[i][g], br = wre[i + 1][g];
      const NC_FVOT ai = real ? (NC_FVOT)(0.0f) : wim[i][g];
      const NC_FVOT bi = real ? (NC_FVOT)(0.0f) : wim[i + 1][g];
      if (f == g) {
        re[f] = ar - bi;
        im[f] = ai + br;
      } else {
        re[f] = ar + bi;
        im[f] = br - ai;
      }
    }
    nc_fft_ov(re, im, 1);
#pragma unroll
    for (int j = 0; j < NC_M; j++) {
      if (ow0 + j < ow_n) {
        if (oh0 + i < oh_n) {
          NC_OUT_BV(NC_FVOT, NC_FVO, re[j] * scale, bv, n, oh0 + i, ow0 + j, k0);
        }
        if (i + 1 < NC_M && oh0 + i + 1 < oh_n) {
          NC_OUT_BV(NC_FVOT, NC_FVO, im[j] * scale, bv, n, oh0 + i + 1,
                    ow0 + j, k0);
        }
      }
    }
  }
}
#endif /* NC_FN */
