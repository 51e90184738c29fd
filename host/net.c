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

static nc_status_t parse_layer_line_(nc_net_layer_t *nl, nc_layer_kind_t kind,
                                     char **tok, int n) {
  nc_spec_init(&nl->spec, kind);
  for (int i = 1; i < n; i++) {
    char *k = NULL, *v = NULL;
    if (split_kv_(tok[i], &k, &v) != 0) {
      return nc__fail(NC_ERR_FORMAT, "expected key=value, got '%s'",
                      SHOWN(tok[i]));
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
  nc_dtype_t dt = net->dtype;
  for (int j = 0; j <= i && j < net->nlayers; j++) {
    const nc_layer_t *l = &net->layers[j].spec.layer;
    if (l->kind == NC_LAYER_MAXPOOL || l->kind == NC_LAYER_AVGPOOL ||
        dt == NC_DTYPE_FLOAT32) {
      continue;
    }
    dt = l->rq.enabled ? l->rq.out_dtype : NC_DTYPE_INT32;
  }
  return dt;
}

/* Walks the chain: sets zero points, materializes tensors, checks shapes. */
static nc_status_t resolve_(const ctx_t *c0, nc_net_t *net) {
  int64_t shape[NC_MAX_DIMS] = {1, net->in_h, net->in_w, net->in_c};
  int ndim = 4;
  nc_dtype_t dt = net->dtype;
  int32_t zp = net->in_zp;
  for (int i = 0; i < net->nlayers; i++) {
    nc_net_layer_t *nl = &net->layers[i];
    ctx_t c = *c0;
    c.line = nl->line;
    nc_layer_t *l = &nl->spec.layer;
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
    if (nl->spec.name[0] == '\0') {
      snprintf(nl->spec.name, sizeof nl->spec.name, "%s%d",
               nc_layer_kind_name(l->kind), i + 1);
    }
    nc_geom_t g;
    int st = materialize_(&c, net, i, shape, ndim, dt, &g);
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
    if (l->kind != NC_LAYER_MAXPOOL && l->kind != NC_LAYER_AVGPOOL &&
        is_int_dtype_(dt)) {
      dt = l->rq.enabled ? l->rq.out_dtype : NC_DTYPE_INT32;
      zp = l->rq.enabled ? l->rq.out_zp : 0;
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
    } else if (nc_layer_kind_parse(tok[0], &kind) == NC_OK) {
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
        st = parse_layer_line_(l, kind, tok, n);
      }
    } else {
      st = nc__fail(NC_ERR_FORMAT,
                    "unknown statement '%s' (network, input, conv2d, fc, "
                    "local, maxpool, avgpool)",
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
  int64_t shape[NC_MAX_DIMS] = {batch, net->in_h, net->in_w, net->in_c};
  int ndim = 4;
  for (int i = 0; i < net->nlayers; i++) {
    const nc_net_layer_t *nl = &net->layers[i];
    int64_t blen = nl->bias.ndim ? (int64_t)nc_tensor_numel(&nl->bias) : -1;
    int st = nc_layer_geometry(&nl->spec.layer, shape, ndim,
                               nl->weights.ndim ? nl->weights.shape : NULL,
                               nl->weights.ndim, blen, &geoms[i]);
    if (st != NC_OK) {
      return st;
    }
    if (nl->spec.layer.kind == NC_LAYER_FC) {
      shape[1] = geoms[i].oc;
      ndim = 2;
    } else {
      shape[1] = geoms[i].oh;
      shape[2] = geoms[i].ow;
      shape[3] = geoms[i].oc;
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
