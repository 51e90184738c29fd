/*
 * The test list: one test per line,
 *
 *   NAME  gen=GEN backends=B[,B...] [smoke=N] [nightly=N] [soak=N]
 *         [timeout=SECONDS] [OPTION=VALUE...]
 *
 * '#' starts a comment. A level's count is how many seeds of the test that
 * level runs (absent or 0: the test is not in it); every other key is an
 * option of the generator, checked against what the generator takes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/regress.h"
#include "regress/regress_internal.h"

static const char *const level_names_[NC_REGRESS_LEVEL_COUNT] = {
    "smoke", "nightly", "soak"};

const char *nc_regress_level_name(nc_regress_level_t level) {
  return (unsigned)level < NC_REGRESS_LEVEL_COUNT ? level_names_[level] : "?";
}

int nc_regress_level_parse(const char *name) {
  for (int i = 0; i < NC_REGRESS_LEVEL_COUNT; i++) {
    if (strcmp(name, level_names_[i]) == 0) {
      return i;
    }
  }
  return -1;
}

int rg_parse_uint(const char *s, unsigned long long max,
                  unsigned long long *out) {
  if (s == NULL || !isdigit((unsigned char)s[0])) {
    return -1;
  }
  errno = 0;
  char *end = NULL;
  const unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > max) {
    return -1;
  }
  *out = v;
  return 0;
}

static int name_ok_(const char *s) {
  if (*s == '\0') {
    return 0;
  }
  for (; *s; s++) {
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.') {
      return 0;
    }
  }
  return 1;
}

/* Copies `src` into a field of `cap` bytes; 0 when it does not fit. */
static int put_(char *dst, size_t cap, const char *src) {
  const size_t n = strlen(src);
  if (n >= cap) {
    return 0;
  }
  memcpy(dst, src, n + 1);
  return 1;
}

/* Parses one entry's tokens into *t; NC_OK or NC_ERR_FORMAT. */
static nc_status_t parse_entry_(const char *path, int line, char *s,
                                nc_regress_test_t *t) {
  memset(t, 0, sizeof *t);
  t->line = line;
  t->timeout_s = 300;
  char *save = NULL;
  char *tok = strtok_r(s, " \t", &save);
  if (!name_ok_(tok) || !put_(t->name, sizeof t->name, tok)) {
    return nc__fail(NC_ERR_FORMAT,
                    "%s:%d: bad test name '%s' (letters, digits, _ - ., at "
                    "most %zu characters)",
                    path, line, tok, sizeof t->name - 1);
  }
  while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
    char *eq = strchr(tok, '=');
    if (eq == NULL || eq == tok || eq[1] == '\0') {
      return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: '%s' is not KEY=VALUE", path,
                      line, t->name, tok);
    }
    *eq = '\0';
    const char *key = tok, *val = eq + 1;
    unsigned long long v = 0;
    const int lvl = nc_regress_level_parse(key);
    if (lvl >= 0) {
      if (rg_parse_uint(val, 1000000, &v) != 0) {
        return nc__fail(NC_ERR_FORMAT,
                        "%s:%d: %s: %s=%s: want a seed count 0..1000000", path,
                        line, t->name, key, val);
      }
      t->seeds[lvl] = (int)v;
    } else if (strcmp(key, "gen") == 0) {
      if (!nc_regress_gen_known(val) || !put_(t->gen, sizeof t->gen, val)) {
        return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: unknown generator '%s' (%s)",
                        path, line, t->name, val, rg_gen_names());
      }
    } else if (strcmp(key, "backends") == 0) {
      char *bs = NULL;
      for (char *b = strtok_r(eq + 1, ",", &bs); b != NULL;
           b = strtok_r(NULL, ",", &bs)) {
        if (strcmp(b, "model") != 0 && strcmp(b, "rtl") != 0 &&
            strcmp(b, "lockstep") != 0) {
          return nc__fail(NC_ERR_FORMAT,
                          "%s:%d: %s: unknown backend '%s' (model, rtl, "
                          "lockstep)",
                          path, line, t->name, b);
        }
        if (t->nbackends == NC_REGRESS_MAX_BACKENDS) {
          return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: more than %d backends",
                          path, line, t->name, NC_REGRESS_MAX_BACKENDS);
        }
        put_(t->backends[t->nbackends++], sizeof t->backends[0], b);
      }
    } else if (strcmp(key, "config") == 0) {
      unsigned r = 0, c = 0;
      char tail = 0;
      if (sscanf(val, "%3ux%3u%c", &r, &c, &tail) != 2 || r < 1 || c < 1 ||
          !isdigit((unsigned char)val[0]) ||
          !put_(t->config, sizeof t->config, val)) {
        return nc__fail(NC_ERR_FORMAT,
                        "%s:%d: %s: config=%s: want an array shape ROWSxCOLS "
                        "(8x8)",
                        path, line, t->name, val);
      }
      snprintf(t->config, sizeof t->config, "%ux%u", r % 1000, c % 1000);
    } else if (strcmp(key, "timeout") == 0) {
      if (rg_parse_uint(val, 86400, &v) != 0 || v == 0) {
        return nc__fail(NC_ERR_FORMAT,
                        "%s:%d: %s: timeout=%s: want seconds 1..86400", path,
                        line, t->name, val);
      }
      t->timeout_s = (double)v;
    } else {
      if (t->nopts == NC_REGRESS_MAX_OPTS ||
          !put_(t->opt_key[t->nopts], sizeof t->opt_key[0], key) ||
          !put_(t->opt_val[t->nopts], sizeof t->opt_val[0], val)) {
        return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: option %s=%s too long", path,
                        line, t->name, key, val);
      }
      t->nopts++;
    }
  }
  if (t->gen[0] == '\0') {
    return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: no gen=GENERATOR", path, line,
                    t->name);
  }
  if (t->nbackends == 0) {
    return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: no backends=...", path, line,
                    t->name);
  }
  for (int i = 0; i < t->nopts; i++) {
    char why[160];
    if (!rg_gen_check_opt(t->gen, t->opt_key[i], t->opt_val[i], why,
                          sizeof why)) {
      return nc__fail(NC_ERR_FORMAT, "%s:%d: %s: %s", path, line, t->name, why);
    }
  }
  return NC_OK;
}

nc_status_t nc_regress_list_load(const char *path, nc_regress_list_t *out) {
  if (path == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "regress list: NULL argument");
  }
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return nc__fail(NC_ERR_IO, "cannot read test list %s: %s", path,
                    strerror(errno));
  }
  nc_regress_list_t l = {0};
  snprintf(l.path, sizeof l.path, "%s", path);
  int cap = 0, line = 0;
  char buf[2048];
  nc_status_t st = NC_OK;
  while (st == NC_OK && fgets(buf, sizeof buf, f) != NULL) {
    line++;
    char *hash = strchr(buf, '#');
    if (hash != NULL) {
      *hash = '\0';
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    const char *p = buf;
    while (*p == ' ' || *p == '\t') {
      p++;
    }
    if (*p == '\0') {
      continue;
    }
    if (l.n == cap) {
      cap = cap ? 2 * cap : 32;
      nc_regress_test_t *nt = realloc(l.tests, (size_t)cap * sizeof *nt);
      if (nt == NULL) {
        st = nc__fail(NC_ERR_NOMEM, "regress list: out of memory");
        break;
      }
      l.tests = nt;
    }
    st = parse_entry_(path, line, buf, &l.tests[l.n]);
    if (st == NC_OK && nc_regress_list_find(&l, l.tests[l.n].name) != NULL) {
      st = nc__fail(NC_ERR_FORMAT, "%s:%d: test '%s' is already on line %d",
                    path, line, l.tests[l.n].name,
                    nc_regress_list_find(&l, l.tests[l.n].name)->line);
    }
    if (st == NC_OK) {
      l.n++;
    }
  }
  fclose(f);
  if (st != NC_OK) {
    nc_regress_list_free(&l);
    return st;
  }
  *out = l;
  return NC_OK;
}

void nc_regress_list_free(nc_regress_list_t *l) {
  if (l != NULL) {
    free(l->tests);
    memset(l, 0, sizeof *l);
  }
}

const nc_regress_test_t *nc_regress_list_find(const nc_regress_list_t *l,
                                              const char *name) {
  for (int i = 0; i < l->n; i++) {
    if (strcmp(l->tests[i].name, name) == 0) {
      return &l->tests[i];
    }
  }
  return NULL;
}

static uint64_t mix_(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t nc_regress_job_seed(uint64_t base, const char *name, int index) {
  if (index == 0) {
    return base;
  }
  uint64_t h = 1469598103934665603ull; /* FNV-1a of the name */
  for (const char *p = name; *p; p++) {
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  }
  /* 32 bits: short enough to read and type in a reproduce line. */
  return mix_(mix_(base ^ h) + (uint64_t)index) & 0xffffffffu;
}

uint64_t rg_item_seed(uint64_t seed, uint64_t item) {
  return mix_(seed * 0x2545f4914f6cdd1dull + item);
}
