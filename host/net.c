/*
 * Network files: parsing, weight materialization and shape checking.
 *
 * The format (docs/network-format.md) is line based:
 *   # comment
 *   network name=convnet seed=1
 *   input shape=83x83x3 dtype=int8 zp=0
 *   conv2d name=conv1 filters=64 kernel=9 scale=0.0004 act=relu
 *   maxpool size=10 stride=5
 * Every layer line is a kind followed by the options of nc_spec_set().
 */
#include "neocog/net.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "neocog/error.h"
#include "neocog/rng.h"
#include "neocog/text.h"

#define MAX_LAYERS 1024
#define MAX_TOKENS 64
/* Largest network file: 1 MiB. */
#define MAX_FILE_BYTES (UINT64_C(1) << 20)

/* Text of the file as a message shows it: printable, at most 60
 * characters (the compound literal lives to the end of the enclosing
 * block, long enough for the call it is an argument of). */
#define SHOWN(v) nc__shown_str((v), (char[64]){0}, 64)

typedef struct {
  const char *origin;   /* file name for messages */
  const char *base_dir; /* weight paths are relative to it */
  int line;
} ctx_t;

/* Prefixes the current detail with "file:line: ". */
static int at_(const ctx_t *c, int st) {
  char inner[512];
  snprintf(inner, sizeof inner, "%s", nc_error_detail());
  char origin[256];
  return nc__fail(st, "%s:%d: %s",
                  nc__shown_str(c->origin, origin, sizeof origin), c->line,
                  inner);
}

void nc_net_free(nc_net_t *net) {
  if (net == NULL) {
    return;
  }
  for (int i = 0; i < net->nlayers; i++) {
    nc_tensor_free(&net->layers[i].weights);
    nc_tensor_free(&net->layers[i].bias);
  }
  free(net->layers);
  memset(net, 0, sizeof *net);
}

/* Splits a line in place into whitespace-separated tokens. */
static int tokenize_(char *line, char **tok, int max) {
  int n = 0;
  char *p = line;
  while (*p != '\0') {
    while (isspace((unsigned char)*p)) {
      p++;
    }
    if (*p == '\0' || *p == '#') {
      break;
    }
    if (n == max) {
      return -1;
    }
    tok[n++] = p;
    while (*p != '\0' && !isspace((unsigned char)*p)) {
      p++;
    }
    if (*p != '\0') {
      *p++ = '\0';
    }
  }
  return n;
}

static int split_kv_(char *tok, char **key, char **val) {
  char *eq = strchr(tok, '=');
  if (eq == NULL || eq == tok) {
    return -1;
  }
  *eq = '\0';
  *key = tok;
  *val = eq + 1;
  return 0;
}

static nc_status_t parse_network_line_(nc_net_t *net, char **tok, int n) {
  for (int i = 1; i < n; i++) {
    char *k = NULL, *v = NULL;
    if (split_kv_(tok[i], &k, &v) != 0) {
      return nc__fail(NC_ERR_FORMAT, "expected key=value, got '%s'",
                      SHOWN(tok[i]));
    }
    if (strcmp(k, "name") == 0) {
      if (strlen(v) == 0 || strlen(v) >= sizeof net->name) {
        return nc__fail(NC_ERR_FORMAT, "network name: 1..63 characters");
      }
      if (!nc_spec_name_ok(v)) {
        return nc__fail(NC_ERR_FORMAT,
                        "network name '%s': only printable ASCII without "
                        "quotes (\") or backslashes",
                        SHOWN(v));
      }
      strcpy(net->name, v);
    } else if (strcmp(k, "seed") == 0) {
      uint64_t u = 0;
      const nc_status_t ps = nc__parse_u64(v, &u);
      if (ps != NC_OK) {
        return nc__fail(NC_ERR_FORMAT,
                        "seed: '%s' is not an unsigned 64-bit integer%s",
                        SHOWN(v), ps == NC_ERR_OVERFLOW ? " (too large)" : "");
      }
      net->seed = u;
    } else {
      return nc__fail(NC_ERR_FORMAT, "network: unknown key '%s'", SHOWN(k));
    }
  }
  return NC_OK;
}

static nc_status_t parse_dim_(const char *s, int64_t *out, const char **rest) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || errno == ERANGE || v < 1 || v > (1 << 20)) {
    return nc__fail(NC_ERR_FORMAT,
                    "input shape: bad extent in '%s' (each is 1..%d)", SHOWN(s),
                    1 << 20);
  }
  *out = v;
  *rest = end;
  return NC_OK;
}

static nc_status_t parse_input_line_(nc_net_t *net, char **tok, int n,
                                     int *seen) {
  int have_shape = 0;
  for (int i = 1; i < n; i++) {
    char *k = NULL, *v = NULL;
    if (split_kv_(tok[i], &k, &v) != 0) {
      return nc__fail(NC_ERR_FORMAT, "expected key=value, got '%s'",
                      SHOWN(tok[i]));
    }
    int st = NC_OK;
    if (strcmp(k, "shape") == 0) {
      /* HxWxC */
      const char *p = v;
      st = parse_dim_(p, &net->in_h, &p);
      if (st == NC_OK && *p++ == 'x') {
        st = parse_dim_(p, &net->in_w, &p);
      } else if (st == NC_OK) {
        st = nc__fail(NC_ERR_FORMAT, "input shape must be HxWxC (got '%s')",
                      SHOWN(v));
      }
      if (st == NC_OK && *p++ == 'x') {
        st = parse_dim_(p, &net->in_c, &p);
      } else if (st == NC_OK) {
        st = nc__fail(NC_ERR_FORMAT, "input shape must be HxWxC (got '%s')",
                      SHOWN(v));
      }
      if (st == NC_OK && *p != '\0') {
        st = nc__fail(NC_ERR_FORMAT, "input shape must be HxWxC (got '%s')",
                      SHOWN(v));
      }
      have_shape = 1;
    } else if (strcmp(k, "dtype") == 0) {
      st = nc_dtype_parse(v, &net->dtype);
      if (st == NC_OK && net->dtype == NC_DTYPE_INT32) {
        st = nc__fail(NC_ERR_FORMAT,
                      "input dtype must be int8, uint8 or float32");
      }
    } else if (strcmp(k, "zp") == 0) {
      char *end = NULL;
      long z = strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || z < -128 || z > 255) {
        st = nc__fail(NC_ERR_FORMAT, "zp: '%s' is not in -128..255", SHOWN(v));
      }
      net->in_zp = (int32_t)z;
    } else {
      st = nc__fail(NC_ERR_FORMAT, "input: unknown key '%s'", SHOWN(k));
    }
    if (st != NC_OK) {
      return st;
    }
  }
  if (!have_shape) {
    return nc__fail(NC_ERR_FORMAT, "input needs shape=HxWxC");
  }
  /* The input tensor (batch 1) must fit before anything is made of it. */
  uint64_t bytes = 0;
  const int64_t shape[4] = {1, net->in_h, net->in_w, net->in_c};
  nc_status_t st = nc_tensor_bytes(net->dtype, 4, shape, "input", &bytes);
  if (st != NC_OK) {
    return st;
  }
  *seen = 1;
  return NC_OK;
}

/* input=A or inputs=A,B,...: the statements whose outputs this one
 * reads. */
static nc_status_t parse_inputs_(nc_net_layer_t *nl, char *v) {
  if (nl->nin > 0) {
    return nc__fail(NC_ERR_FORMAT, "inputs given twice");
  }
  for (char *p = v; p != NULL;) {
    char *comma = strchr(p, ',');
    if (comma != NULL) {
      *comma = '\0';
    }
    if (nl->nin == NC_NET_MAX_IN) {
      return nc__fail(NC_ERR_FORMAT, "more than %d inputs", NC_NET_MAX_IN);
    }
    if (*p == '\0' || strlen(p) >= sizeof nl->in_name[0] ||
        !nc_spec_name_ok(p)) {
      return nc__fail(NC_ERR_FORMAT, "input '%s' is not a layer name",
                      SHOWN(p));
    }
    snprintf(nl->in_name[nl->nin++], sizeof nl->in_name[0], "%s", p);
    p = comma != NULL ? comma + 1 : NULL;
  }
  return NC_OK;
}

/* A comma-separated pair of reals > 0. */
static nc_status_t parse_pair_(const char *k, const char *v, double *out) {
  char *end = NULL;
  errno = 0;
  out[0] = strtod(v, &end);
  if (end == v || *end != ',') {
    return nc__fail(NC_ERR_FORMAT, "%s must be S1,S2 (got '%s')", k,
                    SHOWN(v));
  }
  const char *second = end + 1;
  out[1] = strtod(second, &end);
  if (end == second || *end != '\0' || errno != 0 || !(out[0] > 0) ||
      !(out[1] > 0) || !isfinite(out[0]) || !isfinite(out[1])) {
    return nc__fail(NC_ERR_FORMAT, "%s must be two reals > 0 (got '%s')", k,
                    SHOWN(v));
  }
  return NC_OK;
}

/* add name=N inputs=A,B [in_scales=S1,S2 out_scale=S out_zp=Z
 * out_dtype=T] [act=relu], or concat name=N inputs=A,B,... */
static nc_status_t parse_join_line_(nc_net_layer_t *nl, nc_net_op_t op,
                                    char **tok, int n) {
  nc_spec_init(&nl->spec, NC_LAYER_CONV2D);
  nl->op = op;
  nl->out_dtype = (nc_dtype_t)-1;
  for (int i = 1; i < n; i++) {
    char *k = NULL, *v = NULL;
    if (split_kv_(tok[i], &k, &v) != 0) {
      return nc__fail(NC_ERR_FORMAT, "expected key=value, got '%s'",
                      SHOWN(tok[i]));
    }
    nc_status_t st = NC_OK;
    if (strcmp(k, "name") == 0) {
      st = nc_spec_set(&nl->spec, k, v);
    } else if (strcmp(k, "input") == 0 || strcmp(k, "inputs") == 0) {
      st = parse_inputs_(nl, v);
    } else if (op == NC_NET_ADD && strcmp(k, "in_scales") == 0) {
      st = parse_pair_(k, v, nl->add_scale);
      nl->has_add_scale |= 1;
    } else if (op == NC_NET_ADD && strcmp(k, "out_scale") == 0) {
      double two[2];
      char buf[160];
      snprintf(buf, sizeof buf, "%s,1", v);
      st = parse_pair_(k, buf, two);
      nl->add_scale[2] = two[0];
      nl->has_add_scale |= 2;
    } else if (op == NC_NET_ADD && strcmp(k, "out_zp") == 0) {
      st = nc_spec_set(&nl->spec, k, v);
    } else if (op == NC_NET_ADD && strcmp(k, "out_dtype") == 0) {
      st = nc_spec_set(&nl->spec, k, v);
      nl->out_dtype = nl->spec.out_dtype;
    } else if (op == NC_NET_ADD && strcmp(k, "act") == 0) {
      if (strcmp(v, "relu") != 0 && strcmp(v, "none") != 0) {
        st = nc__fail(NC_ERR_FORMAT, "add: act must be none or relu");
      }
      nl->add_relu = strcmp(v, "relu") == 0;
    } else {
      st = nc__fail(NC_ERR_FORMAT, "%s takes no option '%s'",
                    op == NC_NET_ADD ? "add" : "concat", SHOWN(k));
    }
    if (st != NC_OK) {
      return st;
    }
  }
  if (nl->has_add_scale != 0 && nl->has_add_scale != 3) {
    return nc__fail(NC_ERR_FORMAT, "add needs both in_scales and out_scale");
  }
  return NC_OK;
}

static nc_status_t parse_layer_line_(nc_net_layer_t *nl, nc_layer_kind_t kind,
                                     char **tok, int n) {
  nc_spec_init(&nl->spec, kind);
  for (int i = 1; i < n; i++) {
    char *k = NULL, *v = NULL;
    if (split_kv_(tok[i], &k, &v) != 0) {
      return nc__fail(NC_ERR_FORMAT, "expected key=value, got '%s'",
                      SHOWN(tok[i]));
    }
    if (strcmp(k, "input") == 0 || strcmp(k, "inputs") == 0) {
      nc_status_t st = parse_inputs_(nl, v);
      if (st == NC_OK && nl->nin > 1) {
        st = nc__fail(NC_ERR_FORMAT, "a %s layer takes one input",
                      nc_layer_kind_name(kind));
      }
      if (st != NC_OK) {
        return st;
      }
      continue;
    }
    if (strcmp(k, "in_zp") == 0 || strcmp(k, "pad_value") == 0) {
      return nc__fail(NC_ERR_FORMAT,
                      "%s is derived from the previous layer in a network", k);
    }
    int st = nc_spec_set(&nl->spec, k, v);
    if (st != NC_OK) {
      return st;
    }
  }
  return NC_OK;
}

static int is_int_dtype_(nc_dtype_t d) {
  return d == NC_DTYPE_INT8 || d == NC_DTYPE_UINT8;
}

/* Loads a tensor named by a spec, relative to the network's directory. */
static nc_status_t load_rel_(const ctx_t *c, const char *name, nc_tensor_t *t) {
  char path[2 * NC_SPEC_STR + 2];
  if (name[0] == '/' || c->base_dir == NULL || c->base_dir[0] == '\0') {
    snprintf(path, sizeof path, "%s", name);
  } else {
    snprintf(path, sizeof path, "%s/%s", c->base_dir, name);
  }
  return nc_tensor_load_npy(path, t);
}

/* Creates or loads the weights and bias of a layer whose input has shape
 * `in` (rank `in_ndim`) and dtype `in_dt`, then checks the geometry. */
static nc_status_t materialize_(const ctx_t *c, nc_net_t *net, int idx,
                                const int64_t *in, int in_ndim,
                                nc_dtype_t in_dt, nc_geom_t *g) {
  nc_net_layer_t *nl = &net->layers[idx];
  nc_spec_t *s = &nl->spec;
  nc_layer_t *l = &s->layer;
  int pooling = l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL;
  int int_path = is_int_dtype_(in_dt);
  int st = NC_OK;
  nc_rng_t rng;
  nc_rng_seed(&rng,
              s->has_seed ? s->seed : net->seed * 1000003u + (uint64_t)idx);

  if (pooling) {
    if (s->weights[0] || s->bias[0] || s->filters || s->kernel_h) {
      return nc__fail(NC_ERR_FORMAT,
                      "%s takes no filters, kernel, weights or bias",
                      nc_layer_kind_name(l->kind));
    }
    return nc_layer_geometry(l, in, in_ndim, NULL, 0, -1, g);
  }
  if (l->pool_h) {
    return nc__fail(NC_ERR_FORMAT, "size is a pooling option; use kernel");
  }
  nc_dtype_t wdt = int_path ? NC_DTYPE_INT8 : NC_DTYPE_FLOAT32;
  nc_dtype_t bdt = int_path ? NC_DTYPE_INT32 : NC_DTYPE_FLOAT32;

  if (s->weights[0]) {
    st = load_rel_(c, s->weights, &nl->weights);
    if (st == NC_OK && nl->weights.dtype != wdt) {
      st = nc__fail(NC_ERR_SHAPE, "weights %s are %s; this layer needs %s",
                    SHOWN(s->weights), nc_dtype_name(nl->weights.dtype),
                    nc_dtype_name(wdt));
    }
  } else {
    /* Random weights: the shape follows from filters and kernel. */
    if (s->filters == 0) {
      return nc__fail(NC_ERR_FORMAT,
                      "%s needs %s= or weights=", nc_layer_kind_name(l->kind),
                      l->kind == NC_LAYER_FC ? "units" : "filters");
    }
    int64_t shape[6];
    int nd = 0;
    if (l->kind == NC_LAYER_FC) {
      int64_t fan = 1;
      for (int i = 1; i < in_ndim; i++) {
        fan *= in[i];
      }
      shape[0] = s->filters;
      shape[1] = fan;
      nd = 2;
    } else {
      if (s->kernel_h == 0) {
        return nc__fail(NC_ERR_FORMAT, "%s needs kernel= or weights=",
                        nc_layer_kind_name(l->kind));
      }
      if (in_ndim != 4) {
        return nc__fail(NC_ERR_SHAPE, "%s needs an NHWC input",
                        nc_layer_kind_name(l->kind));
      }
      if (l->kind == NC_LAYER_CONV2D) {
        if (l->groups < 1 || in[3] % l->groups != 0) {
          return nc__fail(NC_ERR_SHAPE,
                          "groups=%d does not divide the %lld input channels",
                          l->groups, (long long)in[3]);
        }
        shape[0] = s->filters;
        shape[1] = s->kernel_h;
        shape[2] = s->kernel_w;
        shape[3] = in[3] / l->groups;
        nd = 4;
      } else { /* local: the output size comes from a probe geometry */
        nc_geom_t probe;
        int64_t pw[6] = {1, 1, s->filters, s->kernel_h, s->kernel_w, in[3]};
        nc_layer_t tmp = *l;
        tmp.kind = NC_LAYER_CONV2D;
        int64_t cw[4] = {s->filters, s->kernel_h, s->kernel_w, in[3]};
        st = nc_layer_geometry(&tmp, in, 4, cw, 4, -1, &probe);
        if (st != NC_OK) {
          return st;
        }
        pw[0] = probe.oh;
        pw[1] = probe.ow;
        memcpy(shape, pw, sizeof pw);
        nd = 6;
      }
    }
    uint64_t bytes = 0;
    st = nc_tensor_bytes(wdt, nd, shape, "random weights", &bytes);
    if (st == NC_OK) {
      st = nc_tensor_alloc(&nl->weights, wdt, nd, shape);
    }
    if (st == NC_OK) {
      size_t per_out = nc_tensor_numel(&nl->weights) / (size_t)s->filters;
      if (l->kind == NC_LAYER_LOCAL) {
        per_out = (size_t)(s->kernel_h * s->kernel_w * in[3]);
      }
      double r = 1.0 / sqrt((double)per_out);
      if (int_path) {
        nc_rng_fill(&rng, &nl->weights, -127, 127);
      } else {
        nc_rng_fill(&rng, &nl->weights, -r, r);
      }
    }
  }
  if (st != NC_OK) {
    return st;
  }
  int64_t oc =
      nl->weights.ndim == 6 ? nl->weights.shape[2] : nl->weights.shape[0];
  if (strcmp(s->bias, "none") == 0) {
    /* no bias */
  } else if (s->bias[0]) {
    st = load_rel_(c, s->bias, &nl->bias);
    if (st == NC_OK && nl->bias.dtype != bdt) {
      st = nc__fail(NC_ERR_SHAPE, "bias %s is %s; this layer needs %s",
                    SHOWN(s->bias), nc_dtype_name(nl->bias.dtype),
                    nc_dtype_name(bdt));
    }
  } else {
    st = nc_tensor_alloc(&nl->bias, bdt, 1, &oc);
    if (st == NC_OK) {
      nc_rng_fill(&rng, &nl->bias, int_path ? -1024 : -0.1,
                  int_path ? 1024 : 0.1);
    }
  }
  if (st != NC_OK) {
    return st;
  }
  if (st == NC_OK && s->bias[0] && strcmp(s->bias, "none") != 0 &&
      nl->bias.ndim == 0) {
    return nc__fail(NC_ERR_SHAPE, "bias %s must have at least 1 dimension",
                    SHOWN(s->bias));
  }
  int64_t blen = nl->bias.ndim ? (int64_t)nc_tensor_numel(&nl->bias) : -1;
  st = nc_layer_geometry(l, in, in_ndim, nl->weights.shape, nl->weights.ndim,
                         blen, g);
  if (st != NC_OK) {
    return st;
  }
  /* Per-channel scales, like the weights, are relative to the network. */
  if (s->scales[0] != '\0' && s->scales[0] != '/' && c->base_dir != NULL &&
      c->base_dir[0] != '\0') {
    char rel[NC_SPEC_STR];
    memcpy(rel, s->scales, sizeof rel);
    if (snprintf(s->scales, sizeof s->scales, "%s/%s", c->base_dir, rel) >=
        (int)sizeof s->scales) {
      return nc__fail(NC_ERR_INVALID_ARG,
                      "scales: the path relative to the network is longer "
                      "than %d bytes",
                      NC_SPEC_STR - 1);
    }
  }
  return nc_spec_finish(s, g->oc, int_path);
}

nc_dtype_t nc_net_layer_out_dtype(const nc_net_t *net, int i) {
  return i >= 0 && i < net->nlayers ? net->layers[i].out_dtype : net->dtype;
}

const char *nc_net_layer_kind(const nc_net_t *net, int i) {
  const nc_net_layer_t *nl = &net->layers[i];
  return nl->op == NC_NET_ADD      ? "add"
         : nl->op == NC_NET_CONCAT ? "concat"
                                   : nc_layer_kind_name(nl->spec.layer.kind);
}

/* What statement i reads as input k: shape (batch 1), rank, dtype and zero
 * point of the network input or of an earlier statement's output. */
static void source_(const nc_net_t *net, int src, int64_t *shape, int *ndim,
                    nc_dtype_t *dt, int32_t *zp) {
  if (src < 0) {
    const int64_t in[4] = {1, net->in_h, net->in_w, net->in_c};
    memcpy(shape, in, sizeof in);
    *ndim = 4;
    *dt = net->dtype;
    *zp = net->in_zp;
    return;
  }
  const nc_net_layer_t *l = &net->layers[src];
  memcpy(shape, l->out_shape, sizeof l->out_shape);
  *ndim = l->out_ndim;
  *dt = l->out_dtype;
  *zp = l->out_zp;
}

/* The statement indices its input names refer to. */
static nc_status_t link_(nc_net_t *net, int i) {
  nc_net_layer_t *nl = &net->layers[i];
  if (nl->nin == 0) {
    nl->nin = 1;
    nl->in[0] = i - 1;
  } else {
    for (int k = 0; k < nl->nin; k++) {
      const char *want = nl->in_name[k];
      int found = strcmp(want, "input") == 0 ? -1 : -2;
      for (int j = 0; j < i && found == -2; j++) {
        if (strcmp(net->layers[j].spec.name, want) == 0) {
          found = j;
        }
      }
      for (int j = found + 1; found >= 0 && j < i; j++) {
        if (strcmp(net->layers[j].spec.name, want) == 0) {
          return nc__fail(NC_ERR_FORMAT, "input '%s' names two layers",
                          SHOWN(want));
        }
      }
      if (found == -2) {
        return nc__fail(NC_ERR_FORMAT,
                        "input '%s' names no earlier layer (nor 'input', "
                        "the network's)",
                        SHOWN(want));
      }
      nl->in[k] = found;
    }
  }
  if (nl->op == NC_NET_ADD && nl->nin != 2) {
    return nc__fail(NC_ERR_FORMAT, "add takes two inputs (inputs=A,B)");
  }
  if (nl->op == NC_NET_CONCAT && nl->nin < 2) {
    return nc__fail(NC_ERR_FORMAT, "concat takes two or more inputs");
  }
  return NC_OK;
}

/* add / concat: the output from the inputs' shapes, dtypes, zero points. */
static nc_status_t join_(const nc_net_t *net, nc_net_layer_t *nl) {
  const int given_dt = (int)nl->out_dtype; /* -1: not given */
  int64_t s0[4], s1[4];
  int nd0, nd1;
  nc_dtype_t d0, d1;
  int32_t z0, z1;
  source_(net, nl->in[0], s0, &nd0, &d0, &z0);
  memcpy(nl->out_shape, s0, sizeof s0);
  nl->out_ndim = nd0;
  for (int k = 1; k < nl->nin; k++) {
    source_(net, nl->in[k], s1, &nd1, &d1, &z1);
    if (d1 != d0) {
      return nc__fail(NC_ERR_SHAPE, "inputs are %s and %s; they must agree",
                      nc_dtype_name(d0), nc_dtype_name(d1));
    }
    if (nl->op == NC_NET_ADD) {
      if (nd1 != nd0 || memcmp(s0, s1, (size_t)nd0 * sizeof s0[0]) != 0) {
        return nc__fail(NC_ERR_SHAPE, "add: the inputs' shapes differ");
      }
    } else {
      if (nd0 != 4 || nd1 != 4 || s0[1] != s1[1] || s0[2] != s1[2]) {
        return nc__fail(NC_ERR_SHAPE,
                        "concat: inputs must be NHWC with the same height "
                        "and width");
      }
      if (z1 != z0) {
        return nc__fail(NC_ERR_SHAPE,
                        "concat: inputs have zero points %d and %d; a "
                        "concatenation copies values, so they must agree",
                        (int)z0, (int)z1);
      }
      nl->out_shape[3] += s1[3];
    }
  }
  if (d0 == NC_DTYPE_INT32) {
    return nc__fail(NC_ERR_SHAPE,
                    "input is raw int32: give the layer before it a "
                    "requantization (scale=...)");
  }
  nl->out_dtype = d0;
  nl->out_zp = z0;
  if (nl->op == NC_NET_CONCAT) {
    return NC_OK;
  }
  if (d0 == NC_DTYPE_FLOAT32) {
    if (nl->has_add_scale || given_dt >= 0 || nl->spec.out_zp != 0) {
      return nc__fail(NC_ERR_FORMAT,
                      "a float32 add takes no in_scales, out_scale, out_zp "
                      "or out_dtype");
    }
    return NC_OK;
  }
  if (!nl->has_add_scale) {
    return nc__fail(NC_ERR_FORMAT,
                    "an integer add needs in_scales=S1,S2 and out_scale=S "
                    "(the real value of one step of each)");
  }
  source_(net, nl->in[1], s1, &nd1, &d1, &z1);
  const nc_dtype_t od = given_dt >= 0 ? (nc_dtype_t)given_dt : d0;
  nc_status_t st =
      nc_add_quant_init(&nl->add, nl->add_scale[0], z0, nl->add_scale[1], z1,
                        nl->add_scale[2], nl->spec.out_zp, od);
  if (st != NC_OK) {
    return st;
  }
  if (nl->add_relu) {
    nl->add.act_min =
        nl->add.out_zp > nl->add.act_min ? nl->add.out_zp : nl->add.act_min;
  }
  nl->out_dtype = od;
  nl->out_zp = nl->add.out_zp;
  return NC_OK;
}

/* Walks the statements in order (each reads only earlier ones): links the
 * inputs, sets zero points, materializes tensors, checks shapes. */
static nc_status_t resolve_(const ctx_t *c0, nc_net_t *net) {
  for (int i = 0; i < net->nlayers; i++) {
    nc_net_layer_t *nl = &net->layers[i];
    ctx_t c = *c0;
    c.line = nl->line;
    nc_layer_t *l = &nl->spec.layer;
    if (nl->spec.name[0] == '\0') {
      snprintf(nl->spec.name, sizeof nl->spec.name, "%s%d",
               nc_net_layer_kind(net, i), i + 1);
    }
    nc_status_t st = link_(net, i);
    if (st == NC_OK && nl->op != NC_NET_LAYER) {
      st = join_(net, nl);
    }
    if (st != NC_OK) {
      return at_(&c, st);
    }
    if (nl->op != NC_NET_LAYER) {
      continue;
    }
    int64_t shape[NC_MAX_DIMS] = {0};
    int ndim;
    nc_dtype_t dt;
    int32_t zp;
    source_(net, nl->in[0], shape, &ndim, &dt, &zp);
    if (dt == NC_DTYPE_INT32 && l->kind != NC_LAYER_MAXPOOL &&
        l->kind != NC_LAYER_AVGPOOL) {
      nc__fail(NC_ERR_SHAPE,
               "input of this layer is raw int32: give the layer before "
               "it a requantization (scale=...)");
      return at_(&c, NC_ERR_SHAPE);
    }
    if (is_int_dtype_(dt)) {
      l->in_zp = zp;
      l->pad_value = zp;
    }
    nc_geom_t g;
    st = materialize_(&c, net, i, shape, ndim, dt, &g);
    if (st != NC_OK) {
      return at_(&c, st);
    }
    if (l->kind == NC_LAYER_FC) {
      shape[1] = g.oc;
      ndim = 2;
    } else {
      shape[1] = g.oh;
      shape[2] = g.ow;
      shape[3] = g.oc;
    }
    memcpy(nl->out_shape, shape, sizeof nl->out_shape);
    nl->out_ndim = ndim;
    nl->out_dtype = dt;
    nl->out_zp = zp;
    if (l->kind != NC_LAYER_MAXPOOL && l->kind != NC_LAYER_AVGPOOL &&
        is_int_dtype_(dt)) {
      nl->out_dtype = l->rq.enabled ? l->rq.out_dtype : NC_DTYPE_INT32;
      nl->out_zp = l->rq.enabled ? l->rq.out_zp : 0;
    }
  }
  return NC_OK;
}

/* Makes room for `want` layers (at most MAX_LAYERS), zeroed. */
static nc_status_t grow_layers_(nc_net_t *net, int want, int *cap) {
  want = want < MAX_LAYERS ? want : MAX_LAYERS;
  nc_net_layer_t *v = realloc(net->layers, (size_t)want * sizeof *v);
  if (v == NULL) {
    return nc__fail(NC_ERR_NOMEM, "net: out of memory for %d layers", want);
  }
  memset(v + *cap, 0, (size_t)(want - *cap) * sizeof *v);
  net->layers = v;
  *cap = want;
  return NC_OK;
}

nc_status_t nc_net_parse(const char *text, const char *origin,
                         const char *base_dir, nc_net_t *net) {
  if (text == NULL || net == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "net: NULL argument");
  }
  memset(net, 0, sizeof *net);
  ctx_t c = {origin ? origin : "<network>", base_dir, 0};
  net->dtype = NC_DTYPE_FLOAT32;
  net->seed = 1;
  /* Layers are ~34 KB each (the per-channel requantization tables): the
   * array grows as lines come instead of holding MAX_LAYERS up front. */
  int cap = 0;
  int have_input = 0;
  int st = NC_OK;
  const char *p = text;
  char line[4096];
  while (*p != '\0' && st == NC_OK) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    c.line++;
    if (len >= sizeof line) {
      st = at_(&c, nc__fail(NC_ERR_FORMAT, "line too long"));
      break;
    }
    memcpy(line, p, len);
    line[len] = '\0';
    p += len + (nl ? 1 : 0);
    char *tok[MAX_TOKENS];
    int n = tokenize_(line, tok, MAX_TOKENS);
    if (n < 0) {
      st = at_(&c, nc__fail(NC_ERR_FORMAT, "too many fields"));
      break;
    }
    if (n == 0) {
      continue;
    }
    nc_layer_kind_t kind;
    if (strcmp(tok[0], "network") == 0) {
      st = parse_network_line_(net, tok, n);
    } else if (strcmp(tok[0], "input") == 0) {
      if (have_input || net->nlayers > 0) {
        st = nc__fail(NC_ERR_FORMAT, "input must come once, before layers");
      } else {
        st = parse_input_line_(net, tok, n, &have_input);
      }
    } else if (nc_layer_kind_parse(tok[0], &kind) == NC_OK ||
               strcmp(tok[0], "add") == 0 || strcmp(tok[0], "concat") == 0) {
      if (!have_input) {
        st = nc__fail(NC_ERR_FORMAT, "layers must follow an input line");
      } else if (net->nlayers == MAX_LAYERS) {
        st = nc__fail(NC_ERR_FORMAT, "more than %d layers", MAX_LAYERS);
      } else if (net->nlayers == cap &&
                 grow_layers_(net, cap ? 2 * cap : 8, &cap) != NC_OK) {
        st = NC_ERR_NOMEM;
        break;
      } else {
        nc_net_layer_t *l = &net->layers[net->nlayers++];
        l->line = c.line;
        if (strcmp(tok[0], "add") == 0 || strcmp(tok[0], "concat") == 0) {
          st = parse_join_line_(l, tok[0][0] == 'a' ? NC_NET_ADD : NC_NET_CONCAT,
                                tok, n);
        } else {
          st = parse_layer_line_(l, kind, tok, n);
        }
      }
    } else {
      st = nc__fail(NC_ERR_FORMAT,
                    "unknown statement '%s' (network, input, conv2d, fc, "
                    "local, maxpool, avgpool, add, concat)",
                    SHOWN(tok[0]));
    }
    if (st != NC_OK) {
      st = at_(&c, st);
    }
  }
  if (st == NC_OK && (!have_input || net->nlayers == 0)) {
    st = nc__fail(NC_ERR_FORMAT,
                  "%s: a network needs an input line and at "
                  "least one layer",
                  SHOWN(c.origin));
  }
  if (st == NC_OK && net->name[0] == '\0') {
    const char *b = strrchr(c.origin, '/');
    nc__shown_str(b ? b + 1 : c.origin, net->name, sizeof net->name);
    char *dot = strrchr(net->name, '.');
    if (dot != NULL && dot != net->name) {
      *dot = '\0';
    }
  }
  if (st == NC_OK) {
    st = resolve_(&c, net);
  }
  if (st != NC_OK) {
    nc_net_free(net);
  }
  return st;
}

nc_status_t nc_net_load(const char *path, nc_net_t *net) {
  if (path == NULL || net == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "net: NULL argument");
  }
  memset(net, 0, sizeof *net);
  unsigned char *buf = NULL;
  size_t n = 0;
  nc_status_t rs = nc__read_file(path, MAX_FILE_BYTES, "1 MiB", &buf, &n);
  if (rs != NC_OK) {
    return rs;
  }
  char *text = (char *)buf;
  if (memchr(text, '\0', n) != NULL) {
    free(text);
    return nc__fail(NC_ERR_FORMAT, "%s: not a text file (it holds NUL bytes)",
                    SHOWN(path));
  }
  char dir[NC_SPEC_STR];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash != NULL) {
    *slash = '\0';
  } else {
    strcpy(dir, ".");
  }
  int st = nc_net_parse(text, path, dir, net);
  free(text);
  return st;
}

nc_status_t nc_net_geometry(const nc_net_t *net, int64_t batch,
                            nc_geom_t *geoms) {
  if (net == NULL || geoms == NULL || batch < 1) {
    return nc__fail(NC_ERR_INVALID_ARG, "net_geometry: bad argument");
  }
  for (int i = 0; i < net->nlayers; i++) {
    const nc_net_layer_t *nl = &net->layers[i];
    int64_t shape[NC_MAX_DIMS] = {0};
    int ndim;
    nc_dtype_t dt;
    int32_t zp;
    source_(net, nl->in[0], shape, &ndim, &dt, &zp);
    shape[0] = batch;
    if (nl->op != NC_NET_LAYER) {
      /* add / concat: the output as resolved, with this batch. */
      nc_geom_t *g = &geoms[i];
      memset(g, 0, sizeof *g);
      g->n = batch;
      g->h = g->oh = nl->out_ndim == 4 ? nl->out_shape[1] : 1;
      g->w = g->ow = nl->out_ndim == 4 ? nl->out_shape[2] : 1;
      g->c = g->oc = nl->out_shape[nl->out_ndim == 4 ? 3 : 1];
      continue;
    }
    int64_t blen = nl->bias.ndim ? (int64_t)nc_tensor_numel(&nl->bias) : -1;
    int st = nc_layer_geometry(&nl->spec.layer, shape, ndim,
                               nl->weights.ndim ? nl->weights.shape : NULL,
                               nl->weights.ndim, blen, &geoms[i]);
    if (st != NC_OK) {
      return st;
    }
  }
  return NC_OK;
}

nc_status_t nc_net_host_op(const nc_net_layer_t *nl,
                           const nc_tensor_t *const *in, nc_tensor_t *out) {
  if (nl == NULL || in == NULL || out == NULL || nl->op == NC_NET_LAYER ||
      nl->nin < 2 || in[0] == NULL || in[1] == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "net host op: bad argument");
  }
  memset(out, 0, sizeof *out);
  const nc_tensor_t *a = in[0];
  int64_t shape[NC_MAX_DIMS];
  memcpy(shape, a->shape, sizeof shape);
  for (int k = 1; k < nl->nin; k++) {
    const nc_tensor_t *b = in[k];
    const int same_rank = b != NULL && b->ndim == a->ndim &&
                          b->dtype == a->dtype;
    const int ok =
        same_rank &&
        (nl->op == NC_NET_ADD
             ? memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) == 0
             : a->ndim == 4 && memcmp(a->shape, b->shape, 3 * sizeof a->shape[0]) == 0);
    if (!ok) {
      return nc__fail(NC_ERR_SHAPE, "%s: the inputs' shapes or dtypes differ",
                      nl->op == NC_NET_ADD ? "add" : "concat");
    }
    if (nl->op == NC_NET_CONCAT) {
      shape[3] += b->shape[3];
    }
  }
  const int integer = a->dtype == NC_DTYPE_INT8 || a->dtype == NC_DTYPE_UINT8;
  const nc_dtype_t od = nl->op == NC_NET_ADD && integer ? nl->add.out_dtype
                                                        : a->dtype;
  if (nl->op == NC_NET_ADD && !integer && a->dtype != NC_DTYPE_FLOAT32) {
    return nc__fail(NC_ERR_UNSUPPORTED, "add: %s inputs",
                    nc_dtype_name(a->dtype));
  }
  nc_status_t st = nc_tensor_alloc(out, od, a->ndim, shape);
  if (st != NC_OK) {
    return st;
  }
  const size_t n = nc_tensor_numel(out);
  if (nl->op == NC_NET_CONCAT) {
    /* Per pixel, each input's channels in turn. */
    const size_t es = nc_dtype_size(a->dtype);
    const size_t pix = n / (size_t)shape[3];
    char *dst = out->data;
    for (size_t p = 0; p < pix; p++) {
      for (int k = 0; k < nl->nin; k++) {
        const size_t ck = (size_t)in[k]->shape[3] * es;
        memcpy(dst, (const char *)in[k]->data + p * ck, ck);
        dst += ck;
      }
    }
    return NC_OK;
  }
  const nc_tensor_t *b = in[1];
  for (size_t i = 0; i < n; i++) {
    if (a->dtype == NC_DTYPE_FLOAT32) {
      float v = ((const float *)a->data)[i] + ((const float *)b->data)[i];
      ((float *)out->data)[i] = nl->add_relu && v < 0 ? 0.0f : v;
      continue;
    }
    const int32_t x = a->dtype == NC_DTYPE_INT8 ? ((const int8_t *)a->data)[i]
                                                : ((const uint8_t *)a->data)[i];
    const int32_t y = b->dtype == NC_DTYPE_INT8 ? ((const int8_t *)b->data)[i]
                                                : ((const uint8_t *)b->data)[i];
    const int32_t v = nc_add_quant_apply(&nl->add, x, y);
    if (od == NC_DTYPE_INT8) {
      ((int8_t *)out->data)[i] = (int8_t)v;
    } else {
      ((uint8_t *)out->data)[i] = (uint8_t)v;
    }
  }
  return NC_OK;
}

nc_status_t nc_net_random_input(const nc_net_t *net, uint64_t seed,
                                nc_tensor_t *t) {
  int64_t shape[4] = {1, net->in_h, net->in_w, net->in_c};
  int st = nc_tensor_alloc(t, net->dtype, 4, shape);
  if (st != NC_OK) {
    return st;
  }
  nc_rng_t r;
  nc_rng_seed(&r, seed);
  if (net->dtype == NC_DTYPE_FLOAT32) {
    nc_rng_fill(&r, t, 0.0, 1.0);
  } else {
    nc_rng_fill(&r, t, -128, 255);
  }
  return NC_OK;
}
