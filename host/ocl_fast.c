/*
 * Fast convolution algorithms of the OpenCL backend (kernels/fast.cl):
 * Winograd F(2x2,3x3) and F(4x4,3x3), tiled FFT convolution, the cache of
 * transformed weights, the device's cost model and the algorithm-aware
 * result check.
 *
 * A float32 conv2d with groups 1, dilation 1, equal strides and a square
 * kernel is first seen as a stride-1 layer (polyphase): S x S phases of
 * the input become S*S times the channels, the R x R kernel becomes
 * ceil(R/S) x ceil(R/S). Winograd takes it when that is 3x3; FFT takes any
 * size. The weights are transformed on the host in double precision, once
 * per layer: the context keeps the transformed copy on the device with a
 * copy of the original weights it came from, and a later run whose weights
 * compare equal (memcmp) reuses it.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "neocog/error.h"
#include "host/layer_check.h"
#include "host/ocl_internal.h"
#include "host/sha256.h"

#define WCACHE_N 32
#define CAL_WARMUP 3 /* untimed rounds of the cost model's calibration */
#define CAL_ROUNDS 7 /* and timed ones */
#define PI_ 3.14159265358979323846

typedef struct {
  nc_ocl_algo_t algo;
  int tile;
  int64_t shape[4]; /* weights O, KH, KW, C */
  int stride;
  int gtov;    /* U's column blocks: 16 * gtov wide (see uidx_) */
  void *wcopy; /* the float weights the transform came from */
  size_t wbytes;
  cl_mem u;
  uint64_t used;
} wentry_t_;

struct nc__fast_state {
  wentry_t_ w[WCACHE_N];
  uint64_t clock;
  nc_ocl_cost_t cost;
  int have_cost;
  int calibrating; /* inside nc_ocl_cost_model(): no AUTO decisions */
};

static const char *const algo_names_[NC_OCL_ALGO_COUNT] = {
    [NC_OCL_ALGO_DIRECT] = "direct",
    [NC_OCL_ALGO_AUTO] = "auto",
    [NC_OCL_ALGO_WINOGRAD] = "winograd",
    [NC_OCL_ALGO_FFT] = "fft"};

const char *nc_ocl_algo_name(nc_ocl_algo_t a) {
  return (unsigned)a < NC_OCL_ALGO_COUNT ? algo_names_[a] : NULL;
}

int nc_ocl_algo_parse(const char *name) {
  for (int i = 0; name != NULL && i < NC_OCL_ALGO_COUNT; i++) {
    if (strcasecmp(name, algo_names_[i]) == 0) {
      return i;
    }
  }
  return -1;
}

void nc_ocl_algo_describe(nc_ocl_algo_t algo, int tile, char *buf,
                          size_t len) {
  if (algo == NC_OCL_ALGO_WINOGRAD) {
    snprintf(buf, len, "winograd F(%dx%d,3x3)", tile, tile);
  } else if (algo == NC_OCL_ALGO_FFT) {
    snprintf(buf, len, "fft %dx%d", tile, tile);
  } else {
    snprintf(buf, len, "%s", nc_ocl_algo_name(algo) ? nc_ocl_algo_name(algo)
                                                     : "?");
  }
}

/* ---------------------------------------------------------------------- */
/* Geometry                                                                */
/* ---------------------------------------------------------------------- */

/* Winograd matrices (Lavin and Gray), as in kernels/fast.cl, and G. */
static const double bt2_[4][4] = {
    {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
static const double at2_[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};
static const double g2_[4][3] = {
    {1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
static const double bt4_[6][6] = {
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
static const double at4_[4][6] = {{1, 1, 1, 1, 1, 0},
                                  {0, 1, -1, 2, -2, 0},
                                  {0, 1, 1, 4, 4, 0},
                                  {0, 1, -1, 8, -8, 1}};
static const double g4_[6][3] = {{1.0 / 4, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};

static double bt_(int m, int i, int j) {
  return m == 2 ? bt2_[i][j] : bt4_[i][j];
}
static double at_(int m, int i, int j) {
  return m == 2 ? at2_[i][j] : at4_[i][j];
}
static double gm_(int m, int i, int j) {
  return m == 2 ? g2_[i][j] : g4_[i][j];
}

/* One fast run's shapes. */
typedef struct {
  nc_ocl_algo_t algo;
  int tile;           /* Winograd M, FFT N */
  int s, r, rv;       /* stride, kernel, virtual kernel (after folding) */
  int nb;             /* Winograd: 3x3 blocks per axis of the kernel */
  int64_t c, cv, k;   /* input, virtual input, output channels */
  int64_t n, h, w, oh, ow;
  int pt, pl;
  int m, a;           /* output tile side, input tile side */
  int64_t e;          /* transform points */
  int64_t th, tw, t, tp;
  int64_t cp, kp;     /* padded virtual input / output channels */
  int gtp, gtov;
  int fv, fvo;        /* channels per work-item of the input / output
                         transform */
  int64_t gc, gk;     /* GEMM depth and row length */
  size_t v_bytes, z_bytes, u_bytes;
} fgeom_t_;

static int64_t up_(int64_t v, int64_t q) {
  return (v + q - 1) / q * q;
}

static int log2i_(int v) {
  int l = 0;
  while ((1 << l) < v) {
    l++;
  }
  return l;
}

/* The GEMM's register block: gtp rows (tiles) times gtov 16-wide column
 * vectors per work-item, for gk columns. From 48 tiles on, 12 x 2 (or
 * 16 x 1 when gk is an odd number of vectors). With fewer tiles (the 14x14
 * and 7x7 layers: 16 or 4 tiles per image with F(4x4,3x3)) padding the
 * rows to 12 would multiply the work by up to 3: there the block is the
 * one of least modelled cost, rows padded to a multiple of gtp times
 * (FMAs + loads / 2) per FMA of a block (gtp broadcasts and gtov vector
 * loads for gtp * gtov FMAs), at most 24 accumulators. */
static void gemm_block_(fgeom_t_ *f, int64_t gk) {
  const int64_t vecs = gk / 16;
  f->gtov = vecs % 2 == 0 ? 2 : 1;
  f->gtp = f->gtov == 2 ? 12 : 16;
  if (f->t < 48) {
    static const int rows[] = {4, 6, 8, 12, 16};
    double best = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
      for (int q = 1; q <= 4; q++) {
        if (vecs % q != 0 || rows[i] * q > 24) {
          continue;
        }
        const double fma = (double)(rows[i] * q);
        const double cost =
            (double)up_(f->t, rows[i]) * (fma + 0.5 * (rows[i] + q)) / fma;
        if (best == 0 || cost < best) {
          best = cost;
          f->gtp = rows[i];
          f->gtov = q;
        }
      }
    }
  }
  f->tp = up_(f->t, f->gtp);
}

/* Fills *f for the algorithm and tile; 0 if the layer is not one it takes. */
static int fgeom_(const nc_layer_t *l, const nc_geom_t *g, nc_ocl_algo_t algo,
                  int tile, fgeom_t_ *f) {
  memset(f, 0, sizeof *f);
  if (l->kind != NC_LAYER_CONV2D || l->groups != 1 || l->dil_h != 1 ||
      l->dil_w != 1 || l->stride_h != l->stride_w || g->kh != g->kw ||
      l->stride_h > 8 || g->kh > 64) {
    return 0;
  }
  f->algo = algo;
  f->tile = tile;
  f->s = l->stride_h;
  f->r = (int)g->kh;
  f->rv = (f->r + f->s - 1) / f->s;
  f->nb = algo == NC_OCL_ALGO_WINOGRAD ? (f->rv + 2) / 3 : 1;
  f->c = g->c;
  f->cv = g->c * f->s * f->s * f->nb * f->nb;
  f->k = g->oc;
  f->n = g->n;
  f->h = g->h;
  f->w = g->w;
  f->oh = g->oh;
  f->ow = g->ow;
  f->pt = g->pad_top;
  f->pl = g->pad_left;
  if (algo == NC_OCL_ALGO_WINOGRAD) {
    if (f->rv < 2 || f->nb > 4 || (tile != 2 && tile != 4)) {
      return 0;
    }
    f->m = tile;
    f->a = tile + 2;
    f->e = (int64_t)f->a * f->a;
    f->fv = 16;
    f->fvo = 16;
  } else if (algo == NC_OCL_ALGO_FFT) {
    if (tile < 8 || tile > 64 || (tile & (tile - 1)) || f->rv + 1 > tile) {
      return 0;
    }
    f->a = tile;
    f->m = tile - f->rv + 1;
    f->e = (int64_t)tile * (tile / 2 + 1);
    f->fv = tile <= 16 ? 8 : 4;
    /* The inverse keeps M x (N/2 + 1) complex vectors: 52 KB at N = 32
     * with 16 lanes. */
    f->fvo = tile <= 32 ? 16 : 8;
  } else {
    return 0;
  }
  f->th = (f->oh + f->m - 1) / f->m;
  f->tw = (f->ow + f->m - 1) / f->m;
  f->t = f->n * f->th * f->tw;
  f->cp = up_(f->cv, f->fv);
  f->kp = up_(f->k, 16);
  gemm_block_(f, f->kp * (algo == NC_OCL_ALGO_FFT ? 2 : 1));
  const int cplx = algo == NC_OCL_ALGO_FFT ? 2 : 1;
  f->gc = cplx * f->cp;
  f->gk = cplx * f->kp;
  f->v_bytes = (size_t)(f->e * f->tp * f->gc) * 4u;
  f->z_bytes = (size_t)(f->e * f->tp * f->gk) * 4u;
  f->u_bytes = (size_t)(f->e * f->gc * f->gk) * 4u;
  return f->tp < INT_MAX / 64 && f->e * f->tp * (f->gc > f->gk ? f->gc : f->gk) <
                                     INT_MAX;
}

/* Virtual channel cv: its 3x3 block (a, b), phase and real channel. */
static void vchan_(const fgeom_t_ *f, int64_t cv, int64_t *a, int64_t *b,
                   int64_t *ph, int64_t *c) {
  const int64_t per = f->c * f->s * f->s;
  const int64_t blk = cv / per, rem = cv % per;
  *a = blk / f->nb;
  *b = blk % f->nb;
  *ph = rem / f->c;
  *c = rem % f->c;
}

/* Virtual weight w'[k][u][v][c'] (kernel rv x rv, or 3x3 blocks). */
static double vweight_(const fgeom_t_ *f, const float *w, int64_t k, int u,
                       int v, int64_t cv) {
  int64_t a, b, ph, c;
  vchan_(f, cv, &a, &b, &ph, &c);
  const int64_t kh = (int64_t)f->s * (3 * a + u) + ph / f->s;
  const int64_t kw = (int64_t)f->s * (3 * b + v) + ph % f->s;
  if (kh >= f->r || kw >= f->r) {
    return 0.0;
  }
  return w[((k * f->r + kh) * f->r + kw) * f->c + c];
}

/* ---------------------------------------------------------------------- */
/* Weight transforms (host, double precision)                             */
/* ---------------------------------------------------------------------- */

/* Index of U[e][row][col] in the packed U: [E][GK / B][GC][B] with
 * B = 16 * gtov, so that each GEMM work-item's columns of one point are
 * one contiguous slice it streams in order. */
static int64_t uidx_(const fgeom_t_ *f, int64_t e, int64_t row, int64_t col) {
  const int64_t b = 16 * (int64_t)f->gtov;
  return ((e * (f->gk / b) + col / b) * f->gc + row) * b + col % b;
}

/* U [E][CP][KP] (packed, see uidx_): G g' Gt for every (k, c'). */
static void wino_weights_(const fgeom_t_ *f, const float *w, float *u) {
  const int a = f->a, m = f->m;
  for (int64_t k = 0; k < f->k; k++) {
    for (int64_t cv = 0; cv < f->cv; cv++) {
      double g[3][3], t[6][3];
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          g[i][j] = vweight_(f, w, k, i, j, cv);
        }
      }
      for (int i = 0; i < a; i++) {
        for (int j = 0; j < 3; j++) {
          t[i][j] = 0;
          for (int q = 0; q < 3; q++) {
            t[i][j] += gm_(m, i, q) * g[q][j];
          }
        }
      }
      for (int i = 0; i < a; i++) {
        for (int j = 0; j < a; j++) {
          double s = 0;
          for (int q = 0; q < 3; q++) {
            s += t[i][q] * gm_(m, j, q);
          }
          u[uidx_(f, i * a + j, cv, k)] = (float)s;
        }
      }
    }
  }
}

/* U [E][2CP][2KP] (packed, see uidx_): the 2 x 2 real blocks of
 * conj(DFT(g')), see fast.cl. */
static void fft_weights_(const fgeom_t_ *f, const float *w, float *u) {
  const int n = f->a, fh = n / 2 + 1, rv = f->rv;
  double *cr = malloc(sizeof(double) * (size_t)(n * n));
  double *ci = malloc(sizeof(double) * (size_t)(n * n));
  double *rr = malloc(sizeof(double) * (size_t)(rv * fh));
  double *ri = malloc(sizeof(double) * (size_t)(rv * fh));
  if (cr == NULL || ci == NULL || rr == NULL || ri == NULL) {
    free(cr);
    free(ci);
    free(rr);
    free(ri);
    return;
  }
  for (int i = 0; i < n * n; i++) {
    cr[i] = cos(2 * PI_ * i / n);
    ci[i] = sin(2 * PI_ * i / n);
  }
  for (int64_t k = 0; k < f->k; k++) {
    for (int64_t cv = 0; cv < f->cv; cv++) {
      /* Rows: R[u][fq] = sum_v g'[u][v] e^{-2 pi i fq v / n}. */
      for (int uu = 0; uu < rv; uu++) {
        for (int fq = 0; fq < fh; fq++) {
          double sr = 0, si = 0;
          for (int v = 0; v < rv; v++) {
            const double gv = vweight_(f, w, k, uu, v, cv);
            sr += gv * cr[(fq * v) % n];
            si -= gv * ci[(fq * v) % n];
          }
          rr[uu * fh + fq] = sr;
          ri[uu * fh + fq] = si;
        }
      }
      for (int r = 0; r < n; r++) {
        for (int fq = 0; fq < fh; fq++) {
          double gr = 0, gi = 0;
          for (int uu = 0; uu < rv; uu++) {
            const double c = cr[(r * uu) % n], s = -ci[(r * uu) % n];
            gr += rr[uu * fh + fq] * c - ri[uu * fh + fq] * s;
            gi += rr[uu * fh + fq] * s + ri[uu * fh + fq] * c;
          }
          const int64_t e = r * fh + fq;
          u[uidx_(f, e, cv, k)] = (float)gr;
          u[uidx_(f, e, cv, f->kp + k)] = (float)-gi;
          u[uidx_(f, e, f->cp + cv, k)] = (float)gi;
          u[uidx_(f, e, f->cp + cv, f->kp + k)] = (float)gr;
        }
      }
    }
  }
  free(cr);
  free(ci);
  free(rr);
  free(ri);
}

static struct nc__fast_state *state_(nc_ocl_t *c) {
  if (c->fast == NULL) {
    c->fast = calloc(1, sizeof *c->fast);
  }
  return c->fast;
}

void nc__fast_free(nc_ocl_t *c) {
  if (c->fast == NULL) {
    return;
  }
  for (int i = 0; i < WCACHE_N; i++) {
    if (c->fast->w[i].u != NULL) {
      clReleaseMemObject(c->fast->w[i].u);
    }
    free(c->fast->w[i].wcopy);
  }
  free(c->fast);
  c->fast = NULL;
}

/* The transformed weights of this layer on the device: from the cache, or
 * transformed now and cached (the least recently used entry goes). */
static nc_status_t weights_(nc_ocl_t *c, const fgeom_t_ *f,
                            const nc_tensor_t *w, cl_mem *out, int *hit) {
  struct nc__fast_state *s = state_(c);
  if (s == NULL) {
    return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
  }
  s->clock++;
  int victim = 0;
  for (int i = 0; i < WCACHE_N; i++) {
    wentry_t_ *e = &s->w[i];
    if (e->u != NULL && e->algo == f->algo && e->tile == f->tile &&
        e->stride == f->s && e->gtov == f->gtov && e->wbytes == w->nbytes &&
        memcmp(e->shape, w->shape, sizeof e->shape) == 0 &&
        memcmp(e->wcopy, w->data, w->nbytes) == 0) {
      e->used = s->clock;
      *out = e->u;
      *hit = 1;
      return NC_OK;
    }
    if (e->used < s->w[victim].used) {
      victim = i;
    }
  }
  *hit = 0;
  float *u = calloc(1, f->u_bytes);
  void *copy = malloc(w->nbytes);
  if (u == NULL || copy == NULL) {
    free(u);
    free(copy);
    return nc__fail(NC_ERR_NOMEM, "opencl: cannot allocate %zu bytes",
                    f->u_bytes);
  }
  memcpy(copy, w->data, w->nbytes);
  if (f->algo == NC_OCL_ALGO_WINOGRAD) {
    wino_weights_(f, w->data, u);
  } else {
    fft_weights_(f, w->data, u);
  }
  cl_int err = CL_SUCCESS;
  cl_mem m = clCreateBuffer(c->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                            f->u_bytes, u, &err);
  free(u);
  if (err != CL_SUCCESS) {
    free(copy);
    return nc__ocl_fail(err, "clCreateBuffer", "transformed weights");
  }
  wentry_t_ *e = &s->w[victim];
  if (e->u != NULL) {
    clReleaseMemObject(e->u);
  }
  free(e->wcopy);
  e->algo = f->algo;
  e->tile = f->tile;
  e->stride = f->s;
  e->gtov = f->gtov;
  memcpy(e->shape, w->shape, sizeof e->shape);
  e->wcopy = copy;
  e->wbytes = w->nbytes;
  e->u = m;
  e->used = s->clock;
  *out = m;
  return NC_OK;
}

/* ---------------------------------------------------------------------- */
/* Choice                                                                  */
/* ---------------------------------------------------------------------- */

/* The FFT transforms' work of a run: N-point complex FFTs times N log2 N
 * (points times stages), per channel. Per tile, the input transform does
 * N/2 FFTs of row pairs and N/2 + 1 of columns for each input channel; the
 * inverse N/2 of columns (0 and N/2 as one) and ceil(M/2) of row pairs for
 * each output channel (kernels/fast.cl). */
static double fft_work_(const fgeom_t_ *f) {
  const int n = f->a;
  const double ffts = (double)f->cp * (n + 1) +
                      (double)f->kp * (n / 2 + (f->m + 1) / 2);
  return ffts * (double)f->tp * n * log2i_(n);
}

/* Modelled nanoseconds of a fast run (the cost model's terms). */
static double fast_cost_(const nc_ocl_cost_t *m, const fgeom_t_ *f) {
  const double gemm = (double)f->e * (double)f->tp * (double)f->gc *
                      (double)f->gk;
  const double chans = (double)(f->cp + f->kp) * (double)f->tp;
  if (f->algo == NC_OCL_ALGO_WINOGRAD) {
    return gemm * m->gemm_ns_mac + chans * (double)f->e * m->wino_ns_pt;
  }
  return gemm * m->gemm_ns_mac + fft_work_(f) * m->fft_ns_pt;
}

static int fits_(const nc_ocl_t *c, const fgeom_t_ *f) {
  return f->v_bytes <= c->info.max_alloc_bytes &&
         f->z_bytes <= c->info.max_alloc_bytes &&
         f->u_bytes <= c->info.max_alloc_bytes;
}

/* The best tile of one algorithm by the model (or the tuning's). */
static int best_tile_(const nc_ocl_t *c, const nc_layer_t *l,
                      const nc_geom_t *g, nc_ocl_algo_t algo,
                      const nc_ocl_cost_t *m, double *cost) {
  static const int wt[] = {4, 2}, ft[] = {8, 16, 32, 64};
  const int *tiles = algo == NC_OCL_ALGO_WINOGRAD ? wt : ft;
  const int nt = algo == NC_OCL_ALGO_WINOGRAD ? 2 : 4;
  const int fixed =
      algo == NC_OCL_ALGO_WINOGRAD ? c->tune.wino_m : c->tune.fft_n;
  int best = 0;
  *cost = HUGE_VAL;
  for (int i = 0; i < nt; i++) {
    fgeom_t_ f;
    if ((fixed != 0 && tiles[i] != fixed) ||
        !fgeom_(l, g, algo, tiles[i], &f) || !fits_(c, &f)) {
      continue;
    }
    const double t = fast_cost_(m, &f);
    if (t < *cost) {
      *cost = t;
      best = tiles[i];
    }
  }
  return best;
}

int nc__fast_plan(nc_ocl_t *c, const nc_layer_t *l, const nc_tensor_t *in,
                  const nc_geom_t *gp, nc_ocl_algo_t *algo, int *tile) {
  *algo = NC_OCL_ALGO_DIRECT;
  *tile = 0;
  const nc_ocl_algo_t want = c->tune.algo;
  if (want == NC_OCL_ALGO_DIRECT || in->dtype != NC_DTYPE_FLOAT32 ||
      l->kind != NC_LAYER_CONV2D) {
    return 0;
  }
  if (want == NC_OCL_ALGO_WINOGRAD || want == NC_OCL_ALGO_FFT) {
    /* The tile by the device's model when it is at hand, else by a
     * default one (measured on POCL on a Zen 4 core); never calibrates. */
    static const nc_ocl_cost_t dflt = {0.006, 0.006, 0.02, 0.004, 0};
    double cost;
    *tile = best_tile_(c, l, gp, want,
                       c->fast != NULL && c->fast->have_cost ? &c->fast->cost
                                                             : &dflt,
                       &cost);
    *algo = *tile != 0 ? want : NC_OCL_ALGO_DIRECT;
    return *tile != 0;
  }
  /* AUTO: the cheapest of the three by the device's model. */
  if (c->fast != NULL && c->fast->calibrating) {
    return 0;
  }
  nc_ocl_cost_t m;
  if (nc_ocl_cost_model(c, &m) != NC_OK) {
    return 0;
  }
  double best = (double)gp->macs * m.direct_ns_mac;
  for (int a = NC_OCL_ALGO_WINOGRAD; a <= NC_OCL_ALGO_FFT; a++) {
    double cost;
    const int t = best_tile_(c, l, gp, (nc_ocl_algo_t)a, &m, &cost);
    if (t != 0 && cost < best) {
      best = cost;
      *algo = (nc_ocl_algo_t)a;
      *tile = t;
    }
  }
  return *algo != NC_OCL_ALGO_DIRECT;
}

/* ---------------------------------------------------------------------- */
/* Running                                                                 */
/* ---------------------------------------------------------------------- */

static void options_(const fgeom_t_ *f, char *buf, size_t len) {
  const int64_t big = f->e * f->tp * (f->gc > f->gk ? f->gc : f->gk);
  int n = snprintf(buf, len,
                   "-DNC_IDX=%s -DNC_FLOAT -DNC_S=%d -DNC_NB=%d -DNC_C=%lld "
                   "-DNC_CP=%lld "
                   "-DNC_KP=%lld -DNC_TH=%lld -DNC_TW=%lld -DNC_M=%d "
                   "-DNC_GC=%lld -DNC_GK=%lld -DNC_GTP=%d -DNC_GTOV=%d "
                   "-DNC_E=%lld",
                   big < INT_MAX ? "int" : "long", f->s, f->nb, (long long)f->c,
                   (long long)f->cp, (long long)f->kp, (long long)f->th,
                   (long long)f->tw, f->m, (long long)f->gc, (long long)f->gk,
                   f->gtp, f->gtov, (long long)f->e);
  if (n > 0 && (size_t)n < len) {
    if (f->algo == NC_OCL_ALGO_WINOGRAD) {
      snprintf(buf + n, len - (size_t)n, " -DNC_WA=%d", f->a);
    } else {
      snprintf(buf + n, len - (size_t)n, " -DNC_FN=%d -DNC_FV=%d -DNC_FVO=%d",
               f->a, f->fv, f->fvo);
    }
  }
}

static nc_status_t launch_fast_(nc__run_t *r, cl_program p, const char *name,
                                cl_mem *mems, int nmems,
                                const int64_t *ints, int nints,
                                const size_t gws[3], int act_args,
                                const nc_layer_t *l) {
  cl_kernel k = NULL;
  nc_status_t st = nc__run_kernel(r, p, name, &k);
  if (st != NC_OK) {
    return st;
  }
  nc__args_t a = {.k = k, .name = name};
  for (int i = 0; i < nmems; i++) {
    nc__arg_mem(&a, mems[i]);
  }
  for (int i = 0; i < nints; i++) {
    nc__arg_int(&a, ints[i]);
  }
  if (act_args) {
    nc__arg_int(&a, (int)l->act);
    nc__arg_float(&a, l->act_lo);
    nc__arg_float(&a, l->act_hi);
  }
  st = nc__args_done(&a);
  if (st != NC_OK) {
    return st;
  }
  /* On a CPU one item per work-group, as for nc_conv_tiled. */
  static const size_t one[3] = {1, 1, 1};
  return nc__run_launch(r, r->nk - 1, name, gws,
                        r->c->info.is_gpu ? NULL : one);
}

static nc_status_t execute_(nc_ocl_t *c, nc__run_t *r, const fgeom_t_ *f,
                            const nc_layer_t *l, const nc_tensor_t *in,
                            const nc_tensor_t *w, const nc_tensor_t *b,
                            nc_tensor_t *out) {
  char opts[512];
  options_(f, opts, sizeof opts);
  cl_program p = NULL;
  nc_status_t st = nc__ocl_program(c, "fast.cl", opts, &p);
  if (st != NC_OK) {
    return st;
  }
  cl_mem u = NULL;
  int hit = 0;
  st = weights_(c, f, w, &u, &hit);
  if (st != NC_OK) {
    return st;
  }
  const size_t y_bytes = (size_t)(f->n * f->oh * f->ow * f->k) * 4u;
  cl_mem x = NULL, v = NULL, z = NULL, bm = NULL, y = NULL;
  st = nc__run_buf(r, "input", in->nbytes, in->data, &x);
  if (st == NC_OK) {
    st = nc__run_buf(r, "bias", (size_t)f->k * 4u, b != NULL ? b->data : NULL,
                     &bm);
  }
  if (st == NC_OK) {
    st = nc__run_scratch(r, "transformed input", f->v_bytes, &v);
  }
  if (st == NC_OK) {
    st = nc__run_scratch(r, "transformed output", f->z_bytes, &z);
  }
  if (st == NC_OK) {
    st = nc__run_scratch(r, "output", y_bytes, &y);
  }
  const int fft = f->algo == NC_OCL_ALGO_FFT;
  if (st != NC_OK) {
    return st;
  }
  /* 1. input transform */
  {
    cl_mem mems[2] = {x, v};
    const int64_t ints[6] = {f->n, f->h, f->w, f->pt, f->pl, f->tp};
    const size_t gws[3] = {(size_t)f->tp, (size_t)(f->cp / f->fv), 1};
    st = launch_fast_(r, p, fft ? "nc_fft_in" : "nc_wino_in", mems, 2, ints,
                      6, gws, 0, l);
  }
  /* 2. batched GEMM */
  if (st == NC_OK) {
    cl_mem mems[3] = {v, u, z};
    const int64_t ints[1] = {f->tp};
    const size_t gws[3] = {(size_t)(f->gk / (16 * f->gtov)),
                           (size_t)(f->tp / f->gtp), (size_t)f->e};
    st = launch_fast_(r, p, "nc_bgemm", mems, 3, ints, 1, gws, 0, l);
    r->main_k = r->nk - 1;
  }
  /* 3. output transform */
  if (st == NC_OK) {
    cl_mem mems[3] = {z, bm, y};
    const int64_t ints[5] = {f->n, f->oh, f->ow, f->k, f->tp};
    const size_t gws[3] = {(size_t)f->t,
                           (size_t)((f->k + f->fvo - 1) / f->fvo), 1};
    st = launch_fast_(r, p, fft ? "nc_fft_out" : "nc_wino_out", mems, 3,
                      ints, 5, gws, 1, l);
  }
  st = nc__run_finish(r, st, y, y_bytes, out, "nc_bgemm");
  if (st != NC_OK) {
    return st;
  }
  c->prof.algo = f->algo;
  c->prof.algo_tile = f->tile;
  c->prof.weights_cached = hit;
  return NC_OK;
}

nc_status_t nc__fast_run(nc_ocl_t *c, const nc_layer_t *l,
                         const nc_geom_t *g, const nc_tensor_t *in,
                         const nc_tensor_t *w, const nc_tensor_t *b,
                         nc_ocl_algo_t algo, int tile, nc_tensor_t *out) {
  nc_status_t st = NC_OK;
  fgeom_t_ f;
  if (!fgeom_(l, g, algo, tile, &f)) {
    return nc__fail(NC_ERR_INTERNAL, "opencl: %s tile %d does not fit",
                    nc_ocl_algo_name(algo), tile);
  }
  if (!fits_(c, &f)) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl: %s: the transformed buffers need %zu bytes but "
                    "device '%s' allows at most %llu per buffer "
                    "(CL_DEVICE_MAX_MEM_ALLOC_SIZE)",
                    nc_ocl_algo_name(algo),
                    f.v_bytes > f.z_bytes ? f.v_bytes : f.z_bytes,
                    c->info.name, (unsigned long long)c->info.max_alloc_bytes);
  }
  nc__run_t r;
  memset(&r, 0, sizeof r);
  r.c = c;
  st = execute_(c, &r, &f, l, in, w, b, out);
  nc__run_release(&r);
  return st;
}

/* ---------------------------------------------------------------------- */
/* The cost model                                                          */
/* ---------------------------------------------------------------------- */

/* The cache file of the model: keyed like the programs, by platform,
 * device, driver and the kernels' source. */
static void cost_path_(const nc_ocl_t *c, char *path, size_t len) {
  nc__sha256_t h;
  nc__sha256_init(&h);
  const char *parts[] = {c->info.platform_version, c->info.name,
                         c->info.driver_version, "cost model 3"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    nc__sha256_update(&h, parts[i], strlen(parts[i]) + 1);
  }
  for (int i = 0; i < nc__cl_nsrcs; i++) {
    nc__sha256_update(&h, nc__cl_srcs[i].text, strlen(nc__cl_srcs[i].text));
  }
  uint8_t key[NC__SHA256_BYTES];
  nc__sha256_final(&h, key);
  char hex[33];
  for (int i = 0; i < 16; i++) {
    snprintf(hex + 2 * i, 3, "%02x", key[i]);
  }
  snprintf(path, len, "%s/cost-%s.txt", c->cache_dir, hex);
}

static int cost_ok_(const nc_ocl_cost_t *m) {
  const double v[4] = {m->direct_ns_mac, m->gemm_ns_mac, m->wino_ns_pt,
                       m->fft_ns_pt};
  for (int i = 0; i < 4; i++) {
    if (!(v[i] > 0 && v[i] < 1e9)) {
      return 0;
    }
  }
  return 1;
}

static int cost_load_(const nc_ocl_t *c, nc_ocl_cost_t *m) {
  if (c->cache_dir[0] == '\0') {
    return 0;
  }
  char path[1200];
  cost_path_(c, path, sizeof path);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return 0;
  }
  int version = 0;
  const int n = fscanf(f, "neocog-cost %d %lg %lg %lg %lg", &version,
                       &m->direct_ns_mac, &m->gemm_ns_mac, &m->wino_ns_pt,
                       &m->fft_ns_pt);
  fclose(f);
  m->from_cache = 1;
  return n == 5 && version == 1 && cost_ok_(m);
}

static void cost_save_(const nc_ocl_t *c, const nc_ocl_cost_t *m) {
  if (c->cache_dir[0] == '\0') {
    return;
  }
  char path[1200], tmp[1300];
  cost_path_(c, path, sizeof path);
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)clock());
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    return;
  }
  const int ok = fprintf(f, "neocog-cost 1 %.17g %.17g %.17g %.17g\n",
                         m->direct_ns_mac, m->gemm_ns_mac, m->wino_ns_pt,
                         m->fft_ns_pt) > 0;
  if (fclose(f) == 0 && ok) {
    rename(tmp, path);
  } else {
    remove(tmp);
  }
}

/* Runs the calibration layer once with `algo` and `tile`; keeps the main
 * and total kernel times if this run's main time is the fastest so far. */
static nc_status_t time_(nc_ocl_t *c, nc_ocl_algo_t algo, int tile,
                         const nc_layer_t *l, const nc_tensor_t *x,
                         const nc_tensor_t *w, const nc_tensor_t *b,
                         double *main_ns, double *all_ns) {
  nc_ocl_tuning_t t;
  memset(&t, 0, sizeof t);
  t.algo = algo;
  t.wino_m = algo == NC_OCL_ALGO_WINOGRAD ? tile : 0;
  t.fft_n = algo == NC_OCL_ALGO_FFT ? tile : 0;
  c->tune = t;
  nc_tensor_t y;
  nc_status_t st = nc_ocl_run_layer(c, l, x, w, b, &y);
  if (st != NC_OK) {
    return st;
  }
  nc_tensor_free(&y);
  if ((double)c->prof.main_ns < *main_ns) {
    *main_ns = (double)c->prof.main_ns;
    *all_ns = (double)c->prof.kernel_ns;
  }
  return NC_OK;
}

/* A calibration layer's tensors (NHWC input of one h x h image, OHWI
 * weights, bias), filled with a fixed pattern. */
static nc_status_t cal_tensors_(int64_t h, int64_t c, int64_t k, int64_t r,
                                nc_tensor_t t[3]) {
  const int64_t xs[4] = {1, h, h, c}, ws[4] = {k, r, r, c}, bs[1] = {k};
  memset(t, 0, 3 * sizeof *t);
  nc_status_t st = nc_tensor_alloc(&t[0], NC_DTYPE_FLOAT32, 4, xs);
  if (st == NC_OK) {
    st = nc_tensor_alloc(&t[1], NC_DTYPE_FLOAT32, 4, ws);
  }
  if (st == NC_OK) {
    st = nc_tensor_alloc(&t[2], NC_DTYPE_FLOAT32, 1, bs);
  }
  for (int q = 0; q < 3 && st == NC_OK; q++) {
    float *p = t[q].data;
    for (size_t i = 0; i < nc_tensor_numel(&t[q]); i++) {
      p[i] = (float)sin((double)(i * 7 + (size_t)q));
    }
  }
  return st;
}

/* Direct and Winograd F(4x4,3x3) timed on a 3x3 layer, 128 -> 128
 * channels on 28x28 (padding 1); the FFT's transforms on a layer where
 * they dominate, as on the large kernels FFT is for: 9x9, 8 -> 64 channels
 * on 40x40 (padding 4), FFT 32x32 (4 tiles). */
static nc_status_t calibrate_(nc_ocl_t *c, nc_ocl_cost_t *m) {
  nc_tensor_t a[3], f3[3];
  nc_status_t st = cal_tensors_(28, 128, 128, 3, a);
  if (st == NC_OK) {
    st = cal_tensors_(40, 8, 64, 9, f3);
  }
  nc_layer_t l, lf;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
  nc_layer_init(&lf, NC_LAYER_CONV2D);
  lf.pad_top = lf.pad_bottom = lf.pad_left = lf.pad_right = 4;
  const nc_ocl_tuning_t saved = c->tune;
  c->fast->calibrating = 1;
  double d_main = HUGE_VAL, d_all = HUGE_VAL, w_main = HUGE_VAL,
         w_all = HUGE_VAL, f_main = HUGE_VAL, f_all = HUGE_VAL;
  /* The first rounds compile and warm up (POCL's first launches run
   * slowly). Then the three take turns, so that a burst of other work on
   * the machine slows one round of each rather than all runs of one, and
   * each keeps its fastest run. */
  for (int rd = -CAL_WARMUP; rd < CAL_ROUNDS && st == NC_OK; rd++) {
    double junk_m = HUGE_VAL, junk_a = HUGE_VAL;
    const int keep = rd >= 0;
    st = time_(c, NC_OCL_ALGO_DIRECT, 0, &l, &a[0], &a[1], &a[2],
               keep ? &d_main : &junk_m, keep ? &d_all : &junk_a);
    if (st == NC_OK) {
      st = time_(c, NC_OCL_ALGO_WINOGRAD, 4, &l, &a[0], &a[1], &a[2],
                 keep ? &w_main : &junk_m, keep ? &w_all : &junk_a);
    }
    if (st == NC_OK) {
      st = time_(c, NC_OCL_ALGO_FFT, 32, &lf, &f3[0], &f3[1], &f3[2],
                 keep ? &f_main : &junk_m, keep ? &f_all : &junk_a);
    }
  }
  c->fast->calibrating = 0;
  c->tune = saved;
  if (st == NC_OK) {
    nc_geom_t g, gf;
    st = nc__layer_check_run(&l, &a[0], &a[1], &a[2], &g);
    if (st == NC_OK) {
      st = nc__layer_check_run(&lf, &f3[0], &f3[1], &f3[2], &gf);
    }
    fgeom_t_ fw, ff;
    if (st == NC_OK && fgeom_(&l, &g, NC_OCL_ALGO_WINOGRAD, 4, &fw) &&
        fgeom_(&lf, &gf, NC_OCL_ALGO_FFT, 32, &ff)) {
      m->direct_ns_mac = d_main / (double)g.macs;
      m->gemm_ns_mac = w_main / ((double)fw.e * fw.tp * fw.gc * fw.gk);
      m->wino_ns_pt = (w_all - w_main) / ((double)(fw.cp + fw.kp) * fw.tp * fw.e);
      m->fft_ns_pt = (f_all - f_main) / fft_work_(&ff);
      m->from_cache = 0;
      if (!cost_ok_(m)) {
        st = nc__fail(NC_ERR_INTERNAL,
                      "opencl: the cost model's calibration timed nothing "
                      "(profiling events without times?)");
      }
    }
  }
  for (int q = 0; q < 3; q++) {
    nc_tensor_free(&a[q]);
    nc_tensor_free(&f3[q]);
  }
  return st;
}

nc_status_t nc_ocl_cost_model(nc_ocl_t *c, nc_ocl_cost_t *out) {
  if (c == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: cost_model: NULL argument");
  }
  struct nc__fast_state *s = state_(c);
  if (s == NULL) {
    return nc__fail(NC_ERR_NOMEM, "opencl: out of memory");
  }
  if (!s->have_cost) {
    if (!cost_load_(c, &s->cost)) {
      nc_status_t st = calibrate_(c, &s->cost);
      if (st != NC_OK) {
        return st;
      }
      cost_save_(c, &s->cost);
    }
    s->have_cost = 1;
  }
  *out = s->cost;
  return NC_OK;
}

/* ---------------------------------------------------------------------- */
/* The algorithm-aware check                                               */
/* ---------------------------------------------------------------------- */

static double act_(const nc_layer_t *l, double v) {
  switch (l->act) {
    case NC_ACT_RELU:
      return v < 0 ? 0 : v;
    case NC_ACT_RELU6:
      return v < 0 ? 0 : (v > 6 ? 6 : v);
    case NC_ACT_CLAMP:
      return v < l->act_lo ? l->act_lo : (v > l->act_hi ? l->act_hi : v);
    default:
      return v;
  }
}

/* Virtual input d'[c'] at virtual pixel (qh, qw) of image n (0 outside). */
static double vinput_(const fgeom_t_ *f, const float *x, int64_t n, int64_t qh,
                      int64_t qw, int64_t cv) {
  int64_t a, b, ph, c;
  vchan_(f, cv, &a, &b, &ph, &c);
  const int64_t ih = f->s * (qh + 3 * a) + ph / f->s - f->pt;
  const int64_t iw = f->s * (qw + 3 * b) + ph % f->s - f->pl;
  if (ih < 0 || ih >= f->h || iw < 0 || iw >= f->w) {
    return 0.0;
  }
  return x[((n * f->h + ih) * f->w + iw) * f->c + c];
}

/* mag[n][oh][ow][k] without the bias: the terms of the algorithm's error
 * bound (docs/opencl.md, "Error bounds"). */
static nc_status_t fast_mag_(const fgeom_t_ *f, const float *x, const float *w,
                             double *mag) {
  const int a = f->a, m = f->m;
  const int64_t ng = f->cv * (f->algo == NC_OCL_ALGO_WINOGRAD ? a * a : 1);
  double *gk = malloc(sizeof(double) * (size_t)(f->k * ng));
  double *dt = malloc(sizeof(double) * (size_t)ng);
  if (gk == NULL || dt == NULL) {
    free(gk);
    free(dt);
    return nc__fail(NC_ERR_NOMEM, "opencl: check: out of memory");
  }
  /* Per (k, c'): |G||g'||Gt| (Winograd) or ||g'||_1 (FFT). */
  for (int64_t k = 0; k < f->k; k++) {
    for (int64_t cv = 0; cv < f->cv; cv++) {
      if (f->algo == NC_OCL_ALGO_FFT) {
        double s1 = 0;
        for (int u = 0; u < f->rv; u++) {
          for (int v = 0; v < f->rv; v++) {
            s1 += fabs(vweight_(f, w, k, u, v, cv));
          }
        }
        gk[k * ng + cv] = s1;
        continue;
      }
      for (int i = 0; i < a; i++) {
        for (int j = 0; j < a; j++) {
          double s = 0;
          for (int u = 0; u < 3; u++) {
            for (int v = 0; v < 3; v++) {
              s += fabs(gm_(m, i, u)) * fabs(vweight_(f, w, k, u, v, cv)) *
                   fabs(gm_(m, j, v));
            }
          }
          gk[k * ng + cv * a * a + i * a + j] = s;
        }
      }
    }
  }
  for (int64_t n = 0; n < f->n; n++) {
    for (int64_t ty = 0; ty < f->th; ty++) {
      for (int64_t tx = 0; tx < f->tw; tx++) {
        const int64_t q0 = ty * m, r0 = tx * m;
        /* Per c': |Bt||d'||B| (Winograd) or ||d'||_2 over the tile. */
        for (int64_t cv = 0; cv < f->cv; cv++) {
          if (f->algo == NC_OCL_ALGO_FFT) {
            double s2 = 0;
            for (int i = 0; i < a; i++) {
              for (int j = 0; j < a; j++) {
                const double d = vinput_(f, x, n, q0 + i, r0 + j, cv);
                s2 += d * d;
              }
            }
            dt[cv] = sqrt(s2);
            continue;
          }
          for (int i = 0; i < a; i++) {
            for (int j = 0; j < a; j++) {
              double s = 0;
              for (int u = 0; u < a; u++) {
                for (int v = 0; v < a; v++) {
                  if (bt_(m, i, u) != 0 && bt_(m, j, v) != 0) {
                    s += fabs(bt_(m, i, u)) *
                         fabs(vinput_(f, x, n, q0 + u, r0 + v, cv)) *
                         fabs(bt_(m, j, v));
                  }
                }
              }
              dt[cv * a * a + i * a + j] = s;
            }
          }
        }
        for (int64_t k = 0; k < f->k; k++) {
          double z[64];
          double tot = 0;
          if (f->algo == NC_OCL_ALGO_FFT) {
            for (int64_t cv = 0; cv < f->cv; cv++) {
              tot += gk[k * ng + cv] * dt[cv];
            }
          } else {
            for (int e = 0; e < a * a; e++) {
              z[e] = 0;
            }
            for (int64_t cv = 0; cv < f->cv; cv++) {
              for (int e = 0; e < a * a; e++) {
                z[e] += gk[k * ng + cv * a * a + e] * dt[cv * a * a + e];
              }
            }
          }
          for (int p = 0; p < m && q0 + p < f->oh; p++) {
            for (int q = 0; q < m && r0 + q < f->ow; q++) {
              double v = tot;
              if (f->algo == NC_OCL_ALGO_WINOGRAD) {
                v = 0;
                for (int i = 0; i < a; i++) {
                  for (int j = 0; j < a; j++) {
                    v += fabs(at_(m, p, i)) * z[i * a + j] * fabs(at_(m, q, j));
                  }
                }
              }
              mag[((n * f->oh + q0 + p) * f->ow + r0 + q) * f->k + k] = v;
            }
          }
        }
      }
    }
  }
  free(gk);
  free(dt);
  return NC_OK;
}

/* The bound's factor: twice gamma_n = n u (u = 2^-24, float32's unit
 * roundoff) with n the rounding steps one output goes through: C' for the
 * GEMM's sum, 2A for each A-point transform (Winograd), 27 log2 N for the
 * two 2-D FFTs (Higham's bound for radix-2 with computed twiddles, about
 * 6.7 u per stage, log2(N*N) stages each) and 3 for the additions that
 * pack two real rows into one complex FFT and unpack them (once in the
 * forward transform, twice in the inverse), 2 for the weights' rounding
 * and the bias. The factor 2 covers the second-order terms. */
static double fast_rtol_(const fgeom_t_ *f) {
  const double u = ldexp(1.0, -24);
  const double n = f->algo == NC_OCL_ALGO_WINOGRAD
                       ? (double)f->cv + 4.0 * f->a + 2.0
                       : (double)f->cv + 27.0 * log2i_(f->a) + 5.0;
  return 2.0 * n * u;
}

double nc_ocl_algo_rtol(const nc_ocl_t *c, const nc_layer_t *l,
                        const nc_tensor_t *input, const nc_tensor_t *weights) {
  nc_geom_t g;
  fgeom_t_ f;
  if (c == NULL || l == NULL || input == NULL || weights == NULL ||
      nc__layer_check_run(l, input, weights, NULL, &g) != NC_OK ||
      c->prof.algo == NC_OCL_ALGO_DIRECT ||
      !fgeom_(l, &g, c->prof.algo, c->prof.algo_tile, &f)) {
    return NC_OCL_F32_RTOL;
  }
  return fast_rtol_(&f);
}

nc_status_t nc_ocl_check_last(const nc_ocl_t *c, const nc_layer_t *l,
                              const nc_tensor_t *x, const nc_tensor_t *w,
                              const nc_tensor_t *b, const nc_tensor_t *got,
                              nc_check_report_t *rep, double *worst) {
  if (c == NULL || l == NULL || x == NULL || got == NULL || rep == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl: check: NULL argument");
  }
  if (worst != NULL) {
    *worst = 0;
  }
  if (l->kind != NC_LAYER_CONV2D || x->dtype != NC_DTYPE_FLOAT32) {
    return nc_check_layer(l, x, w, b, got, NC_OCL_F32_RTOL, rep);
  }
  nc_geom_t g;
  nc_status_t st = nc__layer_check_run(l, x, w, b, &g);
  if (st != NC_OK) {
    return st;
  }
  const int64_t total = g.n * g.oh * g.ow * g.oc;
  if (got->dtype != NC_DTYPE_FLOAT32 || (int64_t)nc_tensor_numel(got) != total) {
    return nc__fail(NC_ERR_SHAPE, "opencl: check: the result is not the "
                                  "layer's float32 output");
  }
  double *ref = calloc((size_t)total, sizeof *ref);
  double *mag = calloc((size_t)total, sizeof *mag);
  if (ref == NULL || mag == NULL) {
    free(ref);
    free(mag);
    return nc__fail(NC_ERR_NOMEM, "opencl: check: out of memory");
  }
  const float *xp = x->data, *wp = w->data;
  const float *bp = b != NULL ? b->data : NULL;
  const int64_t cg = g.c / l->groups, og = g.oc / l->groups;
  /* The float64 reference and the direct magnitude |x| * |w|. */
  for (int64_t n = 0; n < g.n; n++) {
    for (int64_t oh = 0; oh < g.oh; oh++) {
      for (int64_t ow = 0; ow < g.ow; ow++) {
        for (int64_t k = 0; k < g.oc; k++) {
          double s = 0, sa = 0;
          const int64_t grp = k / og;
          for (int64_t u = 0; u < g.kh; u++) {
            const int64_t ih = oh * l->stride_h - g.pad_top + u * l->dil_h;
            for (int64_t v = 0; v < g.kw && ih >= 0 && ih < g.h; v++) {
              const int64_t iw = ow * l->stride_w - g.pad_left + v * l->dil_w;
              if (iw < 0 || iw >= g.w) {
                continue;
              }
              const float *xr = xp + ((n * g.h + ih) * g.w + iw) * g.c + grp * cg;
              const float *wr = wp + ((k * g.kh + u) * g.kw + v) * cg;
              for (int64_t ci = 0; ci < cg; ci++) {
                const double t = (double)xr[ci] * (double)wr[ci];
                s += t;
                sa += fabs(t);
              }
            }
          }
          const int64_t i = ((n * g.oh + oh) * g.ow + ow) * g.oc + k;
          ref[i] = s;
          mag[i] = sa;
        }
      }
    }
  }
  fgeom_t_ f;
  const nc_ocl_profile_t *pr = &c->prof;
  double rtol = NC_OCL_F32_RTOL;
  if (pr->algo != NC_OCL_ALGO_DIRECT &&
      fgeom_(l, &g, pr->algo, pr->algo_tile, &f)) {
    st = fast_mag_(&f, xp, wp, mag);
    rtol = fast_rtol_(&f);
  }
  memset(rep, 0, sizeof *rep);
  rep->index = -1;
  rep->ndim = 4;
  const float *y = got->data;
  for (int64_t i = 0; st == NC_OK && i < total; i++) {
    const double bias = bp != NULL ? (double)bp[i % g.oc] : 0.0;
    const double want = act_(l, ref[i] + bias);
    const double tol = rtol * (mag[i] + fabs(bias));
    const double err = fabs((double)y[i] - want);
    if (worst != NULL && tol > 0 && err / tol * rtol > *worst) {
      *worst = err / tol * rtol;
    }
    if (!(err <= tol) && !(isnan(want) && isnan((double)y[i]))) {
      if (rep->mismatches++ == 0) {
        rep->index = i;
        rep->expected = want;
        rep->actual = y[i];
        rep->tolerance = tol;
        int64_t r = i;
        rep->coord[3] = r % g.oc;
        r /= g.oc;
        rep->coord[2] = r % g.ow;
        r /= g.ow;
        rep->coord[1] = r % g.oh;
        rep->coord[0] = r / g.oh;
      }
    }
  }
  free(ref);
  free(mag);
  if (st == NC_OK && rep->mismatches > 0) {
    char what[64];
    nc_ocl_algo_describe(pr->algo, pr->algo_tile, what, sizeof what);
    st = nc__fail(NC_ERR_MISMATCH,
                  "opencl: %s result differs from the float64 reference at "
                  "NHWC [%lld, %lld, %lld, %lld]: expected %.9g, got %.9g, "
                  "tolerance %.3g (%lld elements outside)",
                  what, (long long)rep->coord[0], (long long)rep->coord[1],
                  (long long)rep->coord[2], (long long)rep->coord[3],
                  rep->expected, rep->actual, rep->tolerance,
                  (long long)rep->mismatches);
  }
  return st;
}
