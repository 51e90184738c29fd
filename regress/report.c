/*
 * What a run leaves behind and shows: job records (one JSON object per
 * line, jobs.jsonl, what shards exchange), the summary table with
 * throughput, failure buckets with the first seed of each and a reproduce
 * line per failure, JUnit XML (one test case per test and seed) and a JSON
 * summary.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/regress.h"
#include "regress/regress_internal.h"

void nc_regress_signature(const char *line, char *buf, size_t len) {
  size_t o = 0;
  if (len == 0) {
    return;
  }
  for (const char *p = line; *p && o + 4 < len;) {
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        isxdigit((unsigned char)p[2])) {
      p += 2;
      while (isxdigit((unsigned char)*p)) {
        p++;
      }
      memcpy(buf + o, "0x#", 3);
      o += 3;
    } else if ((isdigit((unsigned char)*p) ||
                (*p == '-' && isdigit((unsigned char)p[1]))) &&
               (p == line || !isalnum((unsigned char)p[-1]))) {
      /* A number (signed or not), not a digit inside a name such as
       * "int8" or "x2". */
      p++;
      while (isdigit((unsigned char)*p) || *p == '.') {
        p++;
      }
      buf[o++] = '#';
    } else {
      buf[o++] = *p++;
    }
  }
  buf[o] = '\0';
}

int rg_job_passed(const rg_job_t *j) {
  return strcmp(j->status, "pass") == 0;
}

/* ---- JSON lines ---- */

static void json_str_(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      fprintf(f, "\\%c", *p);
    } else if (*p == '\n') {
      fputs("\\n", f);
    } else if (*p == '\t') {
      fputs("\\t", f);
    } else if (*p < 0x20 || *p == 0x7f) {
      fprintf(f, "\\u%04x", *p);
    } else {
      fputc(*p, f);
    }
  }
  fputc('"', f);
}

/* , "key": "value" */
static void json_kv_(FILE *f, const char *key, const char *v) {
  fprintf(f, ", \"%s\": ", key);
  json_str_(f, v);
}

void rg_run_write(FILE *f, const rg_run_t *r) {
  fputs("{\"run\": ", f);
  json_str_(f, r->label);
  fprintf(f, ", \"seed\": %llu, \"shard_k\": %d, \"shard_n\": %d, ",
          (unsigned long long)r->seed, r->shard_k, r->shard_n);
  fprintf(f, "\"jobs\": %d, \"wall_seconds\": %.3f, \"host\": ", r->jobs,
          r->wall_s);
  json_str_(f, r->host);
  fputs("}\n", f);
}

void rg_job_write(FILE *f, const rg_job_t *j) {
  fputs("{\"test\": ", f);
  json_str_(f, j->test);
  json_kv_(f, "gen", j->gen);
  json_kv_(f, "backends", j->backends);
  fprintf(f, ", \"seed\": %llu, \"status\": ", (unsigned long long)j->seed);
  json_str_(f, j->status);
  fprintf(f, ", \"seconds\": %.3f, \"items\": %llu", j->seconds,
          (unsigned long long)j->items);
  static const char *const keys[] = {"message", "signature", "reproduce", "log",
                                     "waves",   "rerun",     "excerpt"};
  const char *vals[] = {j->message, j->signature, j->reproduce, j->log,
                        j->waves,   j->rerun,     j->excerpt};
  for (int i = 0; i < 7; i++) {
    fprintf(f, ", \"%s\": ", keys[i]);
    json_str_(f, vals[i]);
  }
  fputs("}\n", f);
}

/* A flat JSON object's members, as jobs.jsonl has them: strings and
 * numbers. Calls `put` for each; -1 on malformed input. */
static int parse_flat_(const char *s,
                       void (*put)(void *ctx, const char *key, const char *val),
                       void *ctx) {
  char key[64], *val = malloc(strlen(s) + 1);
  if (val == NULL) {
    return -1;
  }
  const char *p = s;
  int rc = -1;
  while (isspace((unsigned char)*p)) {
    p++;
  }
  if (*p++ != '{') {
    goto out;
  }
  for (;;) {
    while (isspace((unsigned char)*p) || *p == ',') {
      p++;
    }
    if (*p == '}') {
      rc = 0;
      goto out;
    }
    if (*p++ != '"') {
      goto out;
    }
    size_t k = 0;
    while (*p && *p != '"' && k + 1 < sizeof key) {
      key[k++] = *p++;
    }
    key[k] = '\0';
    if (*p++ != '"') {
      goto out;
    }
    while (isspace((unsigned char)*p)) {
      p++;
    }
    if (*p++ != ':') {
      goto out;
    }
    while (isspace((unsigned char)*p)) {
      p++;
    }
    size_t v = 0;
    if (*p == '"') {
      p++;
      while (*p && *p != '"') {
        if (*p == '\\') {
          p++;
          switch (*p) {
            case 'n':
              val[v++] = '\n';
              break;
            case 't':
              val[v++] = '\t';
              break;
            case 'u': {
              unsigned code = 0;
              if (sscanf(p + 1, "%4x", &code) != 1) {
                goto out;
              }
              val[v++] = (char)(code < 0x80 ? code : '?');
              p += 4;
              break;
            }
            case '\0':
              goto out;
            default:
              val[v++] = *p;
          }
          p++;
        } else {
          val[v++] = *p++;
        }
      }
      if (*p++ != '"') {
        goto out;
      }
    } else {
      while (*p && *p != ',' && *p != '}' && !isspace((unsigned char)*p)) {
        val[v++] = *p++;
      }
    }
    val[v] = '\0';
    put(ctx, key, val);
  }
out:
  free(val);
  return rc;
}

static void cpy_(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src);
}

static void put_job_(void *ctx, const char *k, const char *v) {
  rg_job_t *j = ctx;
#define S_(f)                   \
  if (strcmp(k, #f) == 0) {     \
    cpy_(j->f, sizeof j->f, v); \
    return;                     \
  }
  S_(test) S_(gen) S_(backends) S_(status) S_(message) S_(signature);
  S_(reproduce) S_(log) S_(waves) S_(rerun) S_(excerpt);
#undef S_
  if (strcmp(k, "seed") == 0) {
    j->seed = strtoull(v, NULL, 10);
  } else if (strcmp(k, "seconds") == 0) {
    j->seconds = strtod(v, NULL);
  } else if (strcmp(k, "items") == 0) {
    j->items = strtoull(v, NULL, 10);
  }
}

static void put_run_(void *ctx, const char *k, const char *v) {
  rg_run_t *r = ctx;
  if (strcmp(k, "run") == 0) {
    cpy_(r->label, sizeof r->label, v);
  } else if (strcmp(k, "seed") == 0) {
    r->seed = strtoull(v, NULL, 10);
  } else if (strcmp(k, "shard_k") == 0) {
    r->shard_k = atoi(v);
  } else if (strcmp(k, "shard_n") == 0) {
    r->shard_n = atoi(v);
  } else if (strcmp(k, "jobs") == 0) {
    r->jobs = atoi(v);
  } else if (strcmp(k, "wall_seconds") == 0) {
    r->wall_s = strtod(v, NULL);
  } else if (strcmp(k, "host") == 0) {
    cpy_(r->host, sizeof r->host, v);
  }
}

int rg_jobs_read(const char *path, rg_run_t *r, rg_job_t **jobs, int *n,
                 int *cap, char *why, size_t len) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  size_t lcap = 0;
  char *line = NULL;
  int lineno = 0, rc = 0, have_run = 0;
  while (getline(&line, &lcap, f) > 0) {
    lineno++;
    if (strncmp(line, "{\"run\"", 6) == 0) {
      memset(r, 0, sizeof *r);
      rc = parse_flat_(line, put_run_, r);
      have_run = 1;
    } else {
      if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        rg_job_t *nj = realloc(*jobs, (size_t)*cap * sizeof *nj);
        if (nj == NULL) {
          snprintf(why, len, "out of memory");
          rc = -1;
          break;
        }
        *jobs = nj;
      }
      memset(&(*jobs)[*n], 0, sizeof **jobs);
      rc = parse_flat_(line, put_job_, &(*jobs)[*n]);
      if (rc == 0 && (*jobs)[*n].test[0] == '\0') {
        rc = -1;
      }
      *n += rc == 0;
    }
    if (rc != 0) {
      snprintf(why, len, "%s:%d: not a job record", path, lineno);
      break;
    }
  }
  free(line);
  fclose(f);
  if (rc == 0 && !have_run) {
    snprintf(why, len, "%s: no run record (not a jobs.jsonl of neocog regress)",
             path);
    rc = -1;
  }
  return rc;
}

/* ---- the summary ---- */

typedef struct {
  char name[48], gen[24], backends[40];
  int runs, passed;
  double seconds;
  uint64_t items;
} row_t;

typedef struct {
  char sig[512];
  int count, first; /* first: index of the job */
  char tests[256];
} bucket_t;

static int find_row_(row_t *rows, int n, const char *name) {
  for (int i = 0; i < n; i++) {
    if (strcmp(rows[i].name, name) == 0) {
      return i;
    }
  }
  return -1;
}

static void xml_(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
      case '<':
        fputs("&lt;", f);
        break;
      case '>':
        fputs("&gt;", f);
        break;
      case '&':
        fputs("&amp;", f);
        break;
      case '"':
        fputs("&quot;", f);
        break;
      default:
        if (*p >= 0x20 || *p == '\n' || *p == '\t') {
          fputc(*p, f);
        }
    }
  }
}

static int write_junit_(const char *path, const rg_run_t *r,
                        const rg_job_t *jobs, int n, const row_t *rows,
                        int nrows) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    return -1;
  }
  int fail = 0, err = 0;
  double secs = 0;
  for (int i = 0; i < n; i++) {
    fail += strcmp(jobs[i].status, "fail") == 0;
    err += !rg_job_passed(&jobs[i]) && strcmp(jobs[i].status, "fail") != 0;
    secs += jobs[i].seconds;
  }
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f,
          "<testsuites name=\"neocog regress %s\" tests=\"%d\" "
          "failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
          r->label, n, fail, err, secs);
  for (int t = 0; t < nrows; t++) {
    int tf = 0, te = 0;
    for (int i = 0; i < n; i++) {
      if (strcmp(jobs[i].test, rows[t].name) == 0 && !rg_job_passed(&jobs[i])) {
        tf += strcmp(jobs[i].status, "fail") == 0;
        te += strcmp(jobs[i].status, "fail") != 0;
      }
    }
    fprintf(f,
            "  <testsuite name=\"regress.%s.%s\" tests=\"%d\" failures=\"%d\" "
            "errors=\"%d\" time=\"%.3f\">\n",
            r->label, rows[t].name, rows[t].runs, tf, te, rows[t].seconds);
    for (int i = 0; i < n; i++) {
      const rg_job_t *j = &jobs[i];
      if (strcmp(j->test, rows[t].name) != 0) {
        continue;
      }
      fprintf(f,
              "    <testcase classname=\"regress.%s.%s\" name=\"seed %llu\" "
              "time=\"%.3f\"",
              r->label, j->test, (unsigned long long)j->seed, j->seconds);
      if (rg_job_passed(j)) {
        fputs("/>\n", f);
        continue;
      }
      const char *tag = strcmp(j->status, "fail") == 0 ? "failure" : "error";
      fprintf(f, ">\n      <%s type=\"%s\" message=\"", tag, j->status);
      xml_(f, j->message);
      fputs("\">", f);
      fputs("reproduce: ", f);
      xml_(f, j->reproduce);
      fputs("\nlog: ", f);
      xml_(f, j->log);
      if (j->waves[0]) {
        fputs("\nwaves: ", f);
        xml_(f, j->waves);
      }
      if (j->rerun[0]) {
        fputs("\nlockstep rerun: ", f);
        xml_(f, j->rerun);
      }
      fputs("\n\n", f);
      xml_(f, j->excerpt);
      fprintf(f, "</%s>\n    </testcase>\n", tag);
    }
    fputs("  </testsuite>\n", f);
  }
  fputs("</testsuites>\n", f);
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    return -1;
  }
  return 0;
}

/* The coverage member of the JSON summary. */
static void json_cov_(FILE *f, const rg_cov_t *c) {
  fputs(",\n  \"coverage\": {\"files\": ", f);
  fprintf(f, "%d", c->files);
  for (int k = 0; k < RG_COV_KINDS; k++) {
    fprintf(f,
            ", \"%s\": {\"hit\": %llu, \"total\": %llu, \"excluded\": %llu, "
            "\"percent\": %.2f}",
            rg_cov_kind_name(k), (unsigned long long)c->hit[k],
            (unsigned long long)c->total[k],
            (unsigned long long)c->excluded[k], rg_cov_pct(c, k));
  }
  json_kv_(f, "exclude_file", c->exclude_file);
  json_kv_(f, "holes", c->hole_names);
  json_kv_(f, "dir", c->dir);
  json_kv_(f, "html", c->html);
  fputs("}", f);
}

static int write_json_(const char *path, const rg_run_t *r,
                       const rg_job_t *jobs, int n, const row_t *rows,
                       int nrows, const bucket_t *bk, int nb,
                       const rg_cov_t *cov) {
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    return -1;
  }
  int passed = 0;
  for (int i = 0; i < n; i++) {
    passed += rg_job_passed(&jobs[i]);
  }
  fputs("{\n  \"label\": ", f);
  json_str_(f, r->label);
  fprintf(f,
          ",\n  \"seed\": %llu,\n  \"shard\": \"%d/%d\",\n  \"jobs\": %d,\n"
          "  \"wall_seconds\": %.3f,\n  \"host\": ",
          (unsigned long long)r->seed, r->shard_k, r->shard_n, r->jobs,
          r->wall_s);
  json_str_(f, r->host);
  fprintf(f, ",\n  \"runs\": %d,\n  \"passed\": %d,\n  \"failed\": %d", n,
          passed, n - passed);
  if (cov != NULL && cov->have) {
    json_cov_(f, cov);
  }
  fputs(",\n  \"tests\": [\n", f);
  for (int t = 0; t < nrows; t++) {
    const row_t *w = &rows[t];
    fputs("    {\"name\": ", f);
    json_str_(f, w->name);
    json_kv_(f, "generator", w->gen);
    json_kv_(f, "backends", w->backends);
    fprintf(f,
            ", \"runs\": %d, \"passed\": %d, \"failed\": %d, \"seconds\": "
            "%.3f, \"items\": %llu, \"items_per_minute\": %.2f}%s\n",
            w->runs, w->passed, w->runs - w->passed, w->seconds,
            (unsigned long long)w->items,
            w->seconds > 0 ? 60.0 * (double)w->items / w->seconds : 0.0,
            t + 1 < nrows ? "," : "");
  }
  fputs("  ],\n  \"buckets\": [\n", f);
  for (int b = 0; b < nb; b++) {
    const rg_job_t *j = &jobs[bk[b].first];
    fputs("    {\"signature\": ", f);
    json_str_(f, bk[b].sig);
    fprintf(f, ", \"count\": %d, \"tests\": ", bk[b].count);
    json_str_(f, bk[b].tests);
    fputs(", \"first\": {\"test\": ", f);
    json_str_(f, j->test);
    fprintf(f, ", \"seed\": %llu, \"message\": ", (unsigned long long)j->seed);
    json_str_(f, j->message);
    json_kv_(f, "reproduce", j->reproduce);
    json_kv_(f, "log", j->log);
    json_kv_(f, "waves", j->waves);
    json_kv_(f, "rerun", j->rerun);
    fprintf(f, "}}%s\n", b + 1 < nb ? "," : "");
  }
  fputs("  ],\n  \"failures\": [\n", f);
  int first = 1;
  for (int i = 0; i < n; i++) {
    const rg_job_t *j = &jobs[i];
    if (rg_job_passed(j)) {
      continue;
    }
    fputs(first ? "    {\"test\": " : ",\n    {\"test\": ", f);
    first = 0;
    json_str_(f, j->test);
    fprintf(f, ", \"seed\": %llu, \"status\": ", (unsigned long long)j->seed);
    json_str_(f, j->status);
    json_kv_(f, "message", j->message);
    json_kv_(f, "signature", j->signature);
    json_kv_(f, "reproduce", j->reproduce);
    json_kv_(f, "log", j->log);
    fputs("}", f);
  }
  fputs(first ? "  ]\n}\n" : "\n  ]\n}\n", f);
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    return -1;
  }
  return 0;
}

static void minsec_(double s, char *buf, size_t len) {
  if (s < 60) {
    snprintf(buf, len, "%.1f s", s);
  } else {
    snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
  }
}

int rg_report(const rg_run_t *r, const rg_job_t *jobs, int n, const char *junit,
              const char *json, const rg_cov_t *cov, FILE *out) {
  row_t *rows = calloc((size_t)n + 1, sizeof *rows);
  bucket_t *bk = calloc((size_t)n + 1, sizeof *bk);
  if (rows == NULL || bk == NULL) {
    free(rows);
    free(bk);
    fprintf(out, "regress: out of memory\n");
    return 1;
  }
  int nrows = 0, nb = 0, passed = 0;
  for (int i = 0; i < n; i++) {
    const rg_job_t *j = &jobs[i];
    int t = find_row_(rows, nrows, j->test);
    if (t < 0) {
      t = nrows++;
      cpy_(rows[t].name, sizeof rows[t].name, j->test);
      cpy_(rows[t].gen, sizeof rows[t].gen, j->gen);
      cpy_(rows[t].backends, sizeof rows[t].backends, j->backends);
    }
    rows[t].runs++;
    rows[t].passed += rg_job_passed(j);
    rows[t].seconds += j->seconds;
    rows[t].items += j->items;
    passed += rg_job_passed(j);
    if (rg_job_passed(j)) {
      continue;
    }
    int b = 0;
    while (b < nb && strcmp(bk[b].sig, j->signature) != 0) {
      b++;
    }
    if (b == nb) {
      nb++;
      cpy_(bk[b].sig, sizeof bk[b].sig, j->signature);
      bk[b].first = i;
    }
    bk[b].count++;
    if (strstr(bk[b].tests, j->test) == NULL &&
        strlen(bk[b].tests) + strlen(j->test) + 3 < sizeof bk[b].tests) {
      if (bk[b].tests[0]) {
        strcat(bk[b].tests, ", ");
      }
      strcat(bk[b].tests, j->test);
    }
  }
  /* The table. */
  fprintf(out, "\n%-22s %-8s %-16s %5s %5s %5s %9s %7s %9s\n", "test", "gen",
          "backends", "runs", "pass", "fail", "time", "items", "items/min");
  double secs = 0;
  uint64_t items = 0;
  for (int t = 0; t < nrows; t++) {
    const row_t *w = &rows[t];
    char tm[32];
    minsec_(w->seconds, tm, sizeof tm);
    fprintf(out, "%-22s %-8s %-16s %5d %5d %5d %9s %7llu %9.1f\n", w->name,
            w->gen, w->backends, w->runs, w->passed, w->runs - w->passed, tm,
            (unsigned long long)w->items,
            w->seconds > 0 ? 60.0 * (double)w->items / w->seconds : 0.0);
    secs += w->seconds;
    items += w->items;
  }
  char tm[32], wall[32];
  minsec_(secs, tm, sizeof tm);
  minsec_(r->wall_s, wall, sizeof wall);
  fprintf(out, "%-22s %-8s %-16s %5d %5d %5d %9s %7llu\n", "total", "", "", n,
          passed, n - passed, tm, (unsigned long long)items);
  /* Throughput per generator and backend, per worker process. */
  fprintf(out, "\nthroughput (per worker):");
  int any = 0;
  for (int t = 0; t < nrows; t++) {
    if (strcmp(rows[t].gen, "self") == 0 || rows[t].seconds <= 0) {
      continue;
    }
    int seen = 0;
    for (int u = 0; u < t; u++) {
      seen |= strcmp(rows[u].gen, rows[t].gen) == 0 &&
              strcmp(rows[u].backends, rows[t].backends) == 0;
    }
    if (seen) {
      continue;
    }
    double s = 0;
    uint64_t it = 0;
    for (int u = t; u < nrows; u++) {
      if (strcmp(rows[u].gen, rows[t].gen) == 0 &&
          strcmp(rows[u].backends, rows[t].backends) == 0) {
        s += rows[u].seconds;
        it += rows[u].items;
      }
    }
    fprintf(out, "%s %s on %s %.1f/min", any ? "," : "", rows[t].gen,
            rows[t].backends, 60.0 * (double)it / s);
    any = 1;
  }
  fprintf(out, "%s\n", any ? "" : " -");
  fprintf(out, "wall time %s with -j %d (%s of jobs)", wall, r->jobs, tm);
  if (r->shard_n > 1) {
    fprintf(out, ", shard %d/%d", r->shard_k, r->shard_n);
  }
  fprintf(out, ", base seed %llu\n", (unsigned long long)r->seed);
  if (cov != NULL) {
    rg_cov_print(cov, out);
  }
  /* Failures, bucketed. */
  if (nb > 0) {
    fprintf(out, "\n%d failure%s in %d bucket%s:\n", n - passed,
            n - passed == 1 ? "" : "s", nb, nb == 1 ? "" : "s");
    for (int b = 0; b < nb; b++) {
      const rg_job_t *j = &jobs[bk[b].first];
      fprintf(out, "\n[%d] %d x %s (%s)\n    %s\n", b + 1, bk[b].count,
              bk[b].sig, bk[b].tests, j->message);
      fprintf(out, "    first: %s seed %llu, log %s\n", j->test,
              (unsigned long long)j->seed, j->log);
      fprintf(out, "    reproduce: %s\n", j->reproduce);
      if (j->waves[0]) {
        fprintf(out, "    waves: %s\n", j->waves);
      }
      if (j->rerun[0]) {
        fprintf(out, "    lockstep rerun: %s\n", j->rerun);
      }
    }
    fprintf(out, "\nevery failure:\n");
    for (int i = 0; i < n; i++) {
      if (!rg_job_passed(&jobs[i])) {
        fprintf(out, "  %s\n", jobs[i].reproduce);
      }
    }
  }
  int rc = 0;
  if (junit != NULL && write_junit_(junit, r, jobs, n, rows, nrows) != 0) {
    fprintf(out, "regress: cannot write %s\n", junit);
    rc = 1;
  }
  if (json != NULL && write_json_(json, r, jobs, n, rows, nrows, bk, nb, cov) != 0) {
    fprintf(out, "regress: cannot write %s\n", json);
    rc = 1;
  }
  if (junit != NULL || json != NULL) {
    fprintf(out, "\nreports: %s%s%s\n", junit ? junit : "",
            junit && json ? ", " : "", json ? json : "");
  }
  fprintf(out, "\nregress.%s: %d passed, %d failed\n", r->label, passed,
          n - passed);
  fflush(out);
  free(rows);
  free(bk);
  return rc || passed != n;
}
