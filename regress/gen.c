/*
 * The generators by name, the options each takes, and one job run in this
 * process (nc_regress_run_one: what `neocog regress --one` calls).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/nc_hw.h"
#include "neocog/regress.h"
#include "regress/regress_internal.h"

/* An option: an integer in [lo, hi], or one of the words in `words`
 * (space-separated) when it is not NULL. */
typedef struct {
  const char *gen, *key;
  long lo, hi;
  const char *words;
} opt_t;

static const opt_t opts_[] = {
    {"layer", "items", 1, 100000, NULL},
    {"layer", "kind", 0, 0,
     "any conv2d fc local maxpool avgpool fused depthwise"},
    {"layer", "add", 0, 1, NULL},
    {"layer", "lower", 0, 0, "auto random"},
    {"layer", "size", 0, 0, "small medium"},
    {"layer", "caps", 0, 0, "default tiny random"},
    {"layer", "mem", 0, 0, "default random"},
    {"layer", "rq", 0, 0, "mixed extreme"},
    {"isa", "items", 1, 100000, NULL},
    {"isa", "len", 1, 2000, NULL},
    {"isa", "mem", 0, 0, "default random"},
    {"isa", "finish", 0, 1, NULL},
    {"isa", "sync", 0, 0, "strict free"},
    {"isa", "ring", 0, 0, "full small far random"},
    {"isa", "place", 0, 0, "fixed random"},
    {"isa", "perf", 0, 0, "clear preset random"},
    {"illegal", "items", 1, 100000, NULL},
    {"illegal", "mem", 0, 0, "default random"},
    {"illegal", "midrun", 0, 1, NULL},
    {"illegal", "place", 0, 0, "fixed random"},
    {"self", "mode", 0, 0, "pass fail hang crash mixed"},
    {"self", "items", 1, 1000, NULL},
    {"self", "sleep_ms", 0, 60000, NULL},
};
#define NOPTS (sizeof opts_ / sizeof opts_[0])

static const struct {
  const char *name;
  rg_gen_fn fn;
} gens_[] = {
    {"layer", rg_gen_layer},
    {"isa", rg_gen_isa},
    {"illegal", rg_gen_illegal},
    {"self", rg_gen_self},
};
#define NGENS (sizeof gens_ / sizeof gens_[0])

const char *rg_gen_names(void) {
  return "layer, isa, illegal, self";
}

int nc_regress_gen_known(const char *gen) {
  for (size_t i = 0; i < NGENS; i++) {
    if (strcmp(gens_[i].name, gen) == 0) {
      return 1;
    }
  }
  return 0;
}

static const opt_t *find_opt_(const char *gen, const char *key) {
  for (size_t i = 0; i < NOPTS; i++) {
    if (strcmp(opts_[i].gen, gen) == 0 && strcmp(opts_[i].key, key) == 0) {
      return &opts_[i];
    }
  }
  return NULL;
}

int nc_regress_gen_takes(const char *gen, const char *opt) {
  return find_opt_(gen, opt) != NULL;
}

/* Whether `w` is one of the space-separated `words`. */
static int word_in_(const char *w, const char *words) {
  const size_t n = strlen(w);
  for (const char *p = words; *p;) {
    const char *e = strchr(p, ' ');
    const size_t m = e ? (size_t)(e - p) : strlen(p);
    if (m == n && strncmp(p, w, n) == 0) {
      return 1;
    }
    p += m + (e != NULL);
  }
  return 0;
}

int rg_gen_check_opt(const char *gen, const char *key, const char *val,
                     char *why, size_t len) {
  const opt_t *o = find_opt_(gen, key);
  if (o == NULL) {
    char names[256] = "";
    for (size_t i = 0; i < NOPTS; i++) {
      if (strcmp(opts_[i].gen, gen) == 0) {
        strncat(names, names[0] ? ", " : "", sizeof names - strlen(names) - 1);
        strncat(names, opts_[i].key, sizeof names - strlen(names) - 1);
      }
    }
    snprintf(why, len, "generator %s takes no option '%s' (it takes %s)", gen,
             key, names[0] ? names : "none");
    return 0;
  }
  if (o->words != NULL) {
    if (!word_in_(val, o->words)) {
      snprintf(why, len, "%s=%s: want one of %s", key, val, o->words);
      return 0;
    }
    return 1;
  }
  unsigned long long v = 0;
  if (rg_parse_uint(val, (unsigned long long)o->hi, &v) != 0 ||
      (long)v < o->lo) {
    snprintf(why, len, "%s=%s: want an integer %ld..%ld", key, val, o->lo,
             o->hi);
    return 0;
  }
  return 1;
}

const char *rg_opt_str(const rg_ctx_t *c, const char *key, const char *dflt) {
  for (int i = 0; i < c->t->nopts; i++) {
    if (strcmp(c->t->opt_key[i], key) == 0) {
      return c->t->opt_val[i];
    }
  }
  return dflt;
}

long rg_opt_int(const rg_ctx_t *c, const char *key, long dflt) {
  const char *v = rg_opt_str(c, key, NULL);
  return v != NULL ? strtol(v, NULL, 10) : dflt;
}

int rg_fail(rg_ctx_t *c, const char *fmt, ...) {
  va_list ap;
  fputs("FAIL: ", c->out);
  va_start(ap, fmt);
  vfprintf(c->out, fmt, ap);
  va_end(ap);
  fputc('\n', c->out);
  fflush(c->out);
  return 1;
}

void rg_note(rg_ctx_t *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(c->out, fmt, ap);
  va_end(ap);
  fputc('\n', c->out);
  fflush(c->out);
}

int nc_regress_run_one(const nc_regress_test_t *t, uint64_t seed,
                       const char *backend, FILE *out) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a of the test's name */
  for (const char *p = t->name; *p; p++) {
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  }
  rg_ctx_t c = {
      .t = t, .seed = seed, .stream = rg_item_seed(seed ^ h, 0), .out = out};
  if (backend != NULL) {
    c.backends[c.nbackends++] = backend;
  } else {
    for (int i = 0; i < t->nbackends; i++) {
      c.backends[c.nbackends++] = t->backends[i];
    }
  }
  if (!rg_config_native(t)) {
    fprintf(out,
            "FAIL: %s runs on a %s array; this neocog is a %ux%u build "
            "(run it with build/%s/bin/neocog: make ROWS=%.*s COLS=%s)\n",
            t->name, t->config, (unsigned)NC_HW_ROWS, (unsigned)NC_HW_COLS,
            t->config, (int)strcspn(t->config, "x"), t->config,
            strchr(t->config, 'x') + 1);
    fprintf(out, "regress-items: 0\n");
    return 1;
  }
  fprintf(out, "regress: %s seed %llu: generator %s on", t->name,
          (unsigned long long)seed, t->gen);
  for (int i = 0; i < c.nbackends; i++) {
    fprintf(out, "%s%s", i ? "," : " ", c.backends[i]);
  }
  for (int i = 0; i < t->nopts; i++) {
    fprintf(out, " %s=%s", t->opt_key[i], t->opt_val[i]);
  }
  fprintf(out, " (a %ux%u array)\n", (unsigned)NC_HW_ROWS, (unsigned)NC_HW_COLS);
  fflush(out);
  int rc = 1;
  for (size_t i = 0; i < NGENS; i++) {
    if (strcmp(gens_[i].name, t->gen) == 0) {
      rc = gens_[i].fn(&c);
    }
  }
  fprintf(out, "regress-items: %llu\n", (unsigned long long)c.items);
  fprintf(out, "regress: %s seed %llu: %s\n", t->name, (unsigned long long)seed,
          rc == 0 ? "PASS" : "FAIL");
  fflush(out);
  return rc != 0;
}
