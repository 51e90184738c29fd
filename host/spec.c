/*
 * Layer options: the one place where `key=value` text becomes a layer.
 * Network files and the CLI both go through nc_spec_set().
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/net.h"
#include "neocog/text.h"

/* A value as a message shows it: printable, at most 60 characters (see
 * net.c). */
#define SHOWN(v) nc__shown_str((v), (char[64]){0}, 64)

void nc_spec_init(nc_spec_t *s, nc_layer_kind_t kind) {
  memset(s, 0, sizeof *s);
  nc_layer_init(&s->layer, kind);
  s->out_dtype = NC_DTYPE_INT8;
  s->act = NC_ACT_NONE;
}

static nc_status_t parse_i64_(const char *key, const char *v, int64_t lo,
                              int64_t hi, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (v[0] == '\0' || end == v || *end != '\0' || v[0] == ' ' ||
      (v[0] >= '\t' && v[0] <= '\r')) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: '%s' is not an integer", key,
                    SHOWN(v));
  }
  if (errno == ERANGE || x < lo || x > hi) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s must be in %lld..%lld (got %s)",
                    key, (long long)lo, (long long)hi, SHOWN(v));
  }
  *out = x;
  return NC_OK;
}

static nc_status_t parse_int_(const char *key, const char *v, int64_t lo,
                              int64_t hi, int *out) {
  int64_t x = 0;
  int st = parse_i64_(key, v, lo, hi, &x);
  if (st == NC_OK) {
    *out = (int)x;
  }
  return st;
}

static nc_status_t parse_real_(const char *key, const char *v, double *out) {
  char *end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (v[0] == '\0' || end == v || *end != '\0' || errno == ERANGE ||
      !isfinite(x)) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: '%s' is not a finite number", key,
                    SHOWN(v));
  }
  *out = x;
  return NC_OK;
}

/* Splits "a,b,c" (or "axb") into at most `max` fields of at most 63
 * characters; returns the count, or -1 if malformed. */
static int split_(const char *v, char fields[][64], int max) {
  int n = 0;
  const char *p = v;
  for (;;) {
    const char *q = p;
    while (*q != '\0' && *q != ',' && *q != 'x') {
      q++;
    }
    if (n == max || q - p >= 64 || q == p) {
      return -1;
    }
    memcpy(fields[n], p, (size_t)(q - p));
    fields[n][q - p] = '\0';
    n++;
    if (*q == '\0') {
      return n;
    }
    p = q + 1;
  }
}

/* "3" -> (3, 3); "3x5" or "3,5" -> (3, 5). */
static nc_status_t parse_pair_(const char *key, const char *v, int64_t lo,
                               int64_t hi, int *a, int *b) {
  char f[2][64];
  int n = split_(v, f, 2);
  if (n < 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s: '%s' is not N or HxW (e.g. 3 or 3x5)", key, SHOWN(v));
  }
  int st = parse_int_(key, f[0], lo, hi, a);
  if (st == NC_OK) {
    st = parse_int_(key, f[n - 1], lo, hi, b);
  }
  return st;
}

static nc_status_t parse_pad_(nc_layer_t *l, const char *v) {
  if (strcmp(v, "same") == 0) {
    l->pad_mode = NC_PAD_SAME;
    return NC_OK;
  }
  char f[4][64];
  int n = split_(v, f, 4);
  int p[4] = {0, 0, 0, 0};
  if (n != 1 && n != 2 && n != 4) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "pad: '%s' is not P, PH,PW, T,B,L,R or 'same'", SHOWN(v));
  }
  for (int i = 0; i < n; i++) {
    if (f[i][0] == '-') {
      return nc__fail(NC_ERR_INVALID_ARG, "pad must be >= 0 (got %s)",
                      SHOWN(v));
    }
    int st = parse_int_("pad", f[i], 0, 1 << 20, &p[i]);
    if (st != NC_OK) {
      return st;
    }
  }
  l->pad_mode = NC_PAD_EXPLICIT;
  if (n == 1) {
    l->pad_top = l->pad_bottom = l->pad_left = l->pad_right = p[0];
  } else if (n == 2) {
    l->pad_top = l->pad_bottom = p[0];
    l->pad_left = l->pad_right = p[1];
  } else {
    l->pad_top = p[0];
    l->pad_bottom = p[1];
    l->pad_left = p[2];
    l->pad_right = p[3];
  }
  return NC_OK;
}

static nc_status_t copy_str_(const char *key, const char *v, char *dst) {
  size_t n = strlen(v);
  if (n == 0 || n >= NC_SPEC_STR) {
    return nc__fail(NC_ERR_INVALID_ARG, "%s: value must be 1..%d characters",
                    key, NC_SPEC_STR - 1);
  }
  memcpy(dst, v, n + 1);
  return NC_OK;
}

static nc_status_t parse_act_(nc_spec_t *s, const char *v) {
  static const char *names[] = {"none", "relu", "relu6", "clamp"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(v, names[i]) == 0) {
      s->act = (nc_act_t)i;
      return NC_OK;
    }
  }
  return nc__fail(NC_ERR_INVALID_ARG,
                  "act: unknown activation '%s' (none, relu, relu6, clamp)",
                  SHOWN(v));
}

static nc_status_t parse_clamp_(nc_spec_t *s, const char *v) {
  char f[2][64];
  /* Split on ',' only: 'x' is no separator here, and values may be
   * negative. */
  const char *comma = strchr(v, ',');
  if (comma == NULL || comma == v || comma[1] == '\0' ||
      (size_t)(comma - v) >= 64 || strlen(comma + 1) >= 64) {
    return nc__fail(NC_ERR_INVALID_ARG, "clamp: '%s' is not LO,HI", SHOWN(v));
  }
  memcpy(f[0], v, (size_t)(comma - v));
  f[0][comma - v] = '\0';
  strcpy(f[1], comma + 1);
  int st = parse_real_("clamp", f[0], &s->clamp_lo);
  if (st == NC_OK) {
    st = parse_real_("clamp", f[1], &s->clamp_hi);
  }
  if (st == NC_OK && s->clamp_lo > s->clamp_hi) {
    return nc__fail(NC_ERR_INVALID_ARG, "clamp: LO > HI in '%s'", SHOWN(v));
  }
  s->has_clamp = st == NC_OK;
  return st;
}

int nc_spec_name_ok(const char *name) {
  for (const char *p = name; *p != '\0'; p++) {
    const unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      return 0;
    }
  }
  return 1;
}

static const char *const keys_[] = {
    "stride",    "pad",    "dilation",  "groups", "size",  "in_zp",
    "pad_value", "scale",  "scales",    "mult",   "shift", "out_dtype",
    "out_zp",    "act",    "out_scale", "clamp",  "name",  "filters",
    "units",     "kernel", "weights",   "bias",   "seed",
};

int nc_spec_has_key(const char *key) {
  for (size_t i = 0; i < sizeof keys_ / sizeof keys_[0]; i++) {
    if (strcmp(keys_[i], key) == 0) {
      return 1;
    }
  }
  return 0;
}

nc_status_t nc_spec_set(nc_spec_t *s, const char *key, const char *v) {
  if (s == NULL || key == NULL || v == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "spec: NULL argument");
  }
  nc_layer_t *l = &s->layer;
  int64_t x = 0;
  int st = NC_OK;
  if (strcmp(key, "stride") == 0) {
    if (v[0] == '-' || strcmp(v, "0") == 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "stride must be >= 1 (got %s)",
                      SHOWN(v));
    }
    return parse_pair_(key, v, 1, 1 << 20, &l->stride_h, &l->stride_w);
  }
  if (strcmp(key, "pad") == 0) {
    return parse_pad_(l, v);
  }
  if (strcmp(key, "dilation") == 0) {
    return parse_pair_(key, v, 1, 1 << 20, &l->dil_h, &l->dil_w);
  }
  if (strcmp(key, "groups") == 0) {
    return parse_int_(key, v, 1, 1 << 24, &l->groups);
  }
  if (strcmp(key, "size") == 0) {
    return parse_pair_(key, v, 1, 1 << 20, &l->pool_h, &l->pool_w);
  }
  if (strcmp(key, "in_zp") == 0) {
    st = parse_int_(key, v, -128, 255, &s->layer.in_zp);
    s->layer.pad_value = s->layer.in_zp;
    return st;
  }
  if (strcmp(key, "pad_value") == 0) {
    return parse_int_(key, v, -128, 255, &s->layer.pad_value);
  }
  if (strcmp(key, "scale") == 0) {
    st = parse_real_(key, v, &s->scale);
    if (st == NC_OK && s->scale <= 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "scale must be > 0 (got %s)",
                      SHOWN(v));
    }
    s->has_scale = st == NC_OK;
    return st;
  }
  if (strcmp(key, "scales") == 0) {
    return copy_str_(key, v, s->scales);
  }
  if (strcmp(key, "mult") == 0) {
    st = parse_i64_(key, v, 0, INT32_MAX, &x);
    s->mult = (int32_t)x;
    s->has_mult = st == NC_OK;
    return st;
  }
  if (strcmp(key, "shift") == 0) {
    st = parse_i64_(key, v, -31, 30, &x);
    s->shift = (int32_t)x;
    s->has_shift = st == NC_OK;
    return st;
  }
  if (strcmp(key, "out_dtype") == 0) {
    st = nc_dtype_parse(v, &s->out_dtype);
    if (st == NC_OK && s->out_dtype != NC_DTYPE_INT8 &&
        s->out_dtype != NC_DTYPE_UINT8) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "out_dtype must be int8 or uint8 (got %s)", SHOWN(v));
    }
    return st;
  }
  if (strcmp(key, "out_zp") == 0) {
    st = parse_i64_(key, v, -128, 255, &x);
    s->out_zp = (int32_t)x;
    return st;
  }
  if (strcmp(key, "act") == 0) {
    return parse_act_(s, v);
  }
  if (strcmp(key, "out_scale") == 0) {
    st = parse_real_(key, v, &s->out_scale);
    if (st == NC_OK && s->out_scale <= 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "out_scale must be > 0 (got %s)",
                      SHOWN(v));
    }
    return st;
  }
  if (strcmp(key, "clamp") == 0) {
    return parse_clamp_(s, v);
  }
  if (strcmp(key, "name") == 0) {
    if (strlen(v) == 0 || strlen(v) >= sizeof s->name) {
      return nc__fail(NC_ERR_INVALID_ARG, "name: 1..%zu characters",
                      sizeof s->name - 1);
    }
    if (!nc_spec_name_ok(v)) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "name '%s': only printable ASCII without quotes (\") or "
                      "backslashes",
                      SHOWN(v));
    }
    strcpy(s->name, v);
    return NC_OK;
  }
  if (strcmp(key, "filters") == 0 || strcmp(key, "units") == 0) {
    return parse_i64_(key, v, 1, 1 << 24, &s->filters);
  }
  if (strcmp(key, "kernel") == 0) {
    return parse_pair_(key, v, 1, 1 << 12, &s->kernel_h, &s->kernel_w);
  }
  if (strcmp(key, "weights") == 0) {
    return copy_str_(key, v, s->weights);
  }
  if (strcmp(key, "bias") == 0) {
    return copy_str_(key, v, s->bias);
  }
  if (strcmp(key, "seed") == 0) {
    uint64_t u = 0;
    const nc_status_t ps = nc__parse_u64(v, &u);
    if (ps != NC_OK) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "seed: '%s' is not an unsigned 64-bit integer%s",
                      SHOWN(v), ps == NC_ERR_OVERFLOW ? " (too large)" : "");
    }
    s->seed = u;
    s->has_seed = 1;
    return NC_OK;
  }
  return nc__fail(NC_ERR_INVALID_ARG, "unknown option '%s'", SHOWN(key));
}

static nc_status_t load_scales_(nc_spec_t *s, int64_t oc) {
  nc_tensor_t t;
  int st = nc_tensor_load_npy(s->scales, &t);
  if (st != NC_OK) {
    return st;
  }
  if (t.dtype != NC_DTYPE_FLOAT32 || t.ndim != 1 || t.shape[0] != oc) {
    char shape[64];
    nc_shape_format(&t, shape, sizeof shape);
    const nc_dtype_t dt = t.dtype; /* nc_tensor_free() clears it */
    nc_tensor_free(&t);
    return nc__fail(NC_ERR_SHAPE,
                    "%s: per-channel scales must be float32 [%lld] (got %s "
                    "%s)",
                    SHOWN(s->scales), (long long)oc, nc_dtype_name(dt), shape);
  }
  if (oc > NC_RQ_MAX_CHANNELS) {
    nc_tensor_free(&t);
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "%lld channels: at most %d "
                    "per-channel scales",
                    (long long)oc, NC_RQ_MAX_CHANNELS);
  }
  const float *f = t.data;
  for (int64_t c = 0; c < oc && st == NC_OK; c++) {
    st = nc_quantize_multiplier(f[c], &s->layer.rq.mult[c],
                                &s->layer.rq.shift[c]);
  }
  nc_tensor_free(&t);
  s->layer.rq.channels = (int)oc;
  return st;
}

nc_status_t nc_spec_finish(nc_spec_t *s, int64_t out_channels, int int_path) {
  nc_layer_t *l = &s->layer;
  int want_rq =
      s->has_scale || s->scales[0] != '\0' || s->has_mult || s->has_shift;
  int pooling = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  memset(&l->rq, 0, sizeof l->rq);
  l->act = NC_ACT_NONE;
  if (pooling && (want_rq || s->act != NC_ACT_NONE || s->has_clamp)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "%s takes no requantization or activation options",
                    nc_layer_kind_name(l->kind));
  }
  if (!int_path) {
    if (want_rq) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "requantization options need an integer layer (the "
                      "input is float32)");
    }
    l->act = s->act;
    if (s->act == NC_ACT_CLAMP && !s->has_clamp) {
      return nc__fail(NC_ERR_INVALID_ARG, "act=clamp needs clamp=LO,HI");
    }
    l->act_lo = (float)s->clamp_lo;
    l->act_hi = (float)s->clamp_hi;
    if (s->has_clamp) {
      l->act = NC_ACT_CLAMP;
    }
    return NC_OK;
  }
  if (!want_rq) {
    if (s->act != NC_ACT_NONE || s->has_clamp) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "an activation on an integer layer needs "
                      "requantization (scale, scales or mult+shift)");
    }
    return NC_OK;
  }
  int st = NC_OK;
  if (s->has_mult != s->has_shift) {
    return nc__fail(NC_ERR_INVALID_ARG, "mult and shift go together");
  }
  if (s->has_scale + (s->scales[0] != '\0') + s->has_mult > 1) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "give one of scale, scales or mult+shift");
  }
  if (s->has_mult) {
    st = nc_requant_init(&l->rq, s->out_dtype, 1.0, s->out_zp);
    l->rq.mult[0] = s->mult;
    l->rq.shift[0] = s->shift;
  } else if (s->has_scale) {
    st = nc_requant_init(&l->rq, s->out_dtype, s->scale, s->out_zp);
  } else {
    st = nc_requant_init(&l->rq, s->out_dtype, 1.0, s->out_zp);
    if (st == NC_OK) {
      st = load_scales_(s, out_channels);
    }
  }
  if (st != NC_OK) {
    return st;
  }
  if (s->act == NC_ACT_RELU) {
    nc_requant_clamp_relu(&l->rq);
  } else if (s->act == NC_ACT_RELU6) {
    if (s->out_scale <= 0) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "act=relu6 on an integer layer needs out_scale");
    }
    st = nc_requant_clamp_relu6(&l->rq, s->out_scale);
  } else if (s->act == NC_ACT_CLAMP && !s->has_clamp) {
    return nc__fail(NC_ERR_INVALID_ARG, "act=clamp needs clamp=LO,HI");
  }
  if (st == NC_OK && s->has_clamp) {
    if (s->clamp_lo != floor(s->clamp_lo) ||
        s->clamp_hi != floor(s->clamp_hi)) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "clamp on an integer layer takes integers");
    }
    if (s->clamp_lo > l->rq.act_min) {
      l->rq.act_min = (int32_t)fmin(s->clamp_lo, 255);
    }
    if (s->clamp_hi < l->rq.act_max) {
      l->rq.act_max = (int32_t)fmax(s->clamp_hi, -128);
    }
  }
  return st == NC_OK ? nc_requant_validate(&l->rq) : st;
}
