/*
 * Coverage of a regression run (`neocog regress ... --cov`): the jobs run
 * on the coverage build of neocog (nc_top built with verilator --coverage
 * and the RTL's cover points, +define+NC_COVER), each writing its own
 * .dat file (NEOCOG_RTL_COV_DIR, sim/rtl/harness.cpp). Here they are
 * merged with verilator_coverage, and the merged file is read back: line,
 * branch and toggle percentages, the functional cover points hit and those
 * never hit (the holes), a per-point report, and an HTML report through
 * lcov's genhtml (verilator_coverage --write-info).
 *
 * A Verilator coverage file holds one point per line,
 *   C '<key>\2<value>\1<key>\2<value>...' <count>
 * whose `page` key says the kind (v_line/<module>, v_branch/..., v_toggle/...,
 * v_user/...), `o` names a cover point (its label) or a toggled bit, `h`
 * its instance, `f` and `l` its source.
 *
 * Exclusions: points that no input can move (a bit tied to a constant)
 * leave the totals. They are listed, each with its reason, in
 * regress/cov_exclude.tsv (relative to the directory the report runs in,
 * the repository's root; $NEOCOG_COV_EXCLUDE names another file), one a
 * line: kind (line, branch, toggle), instance glob, point glob (fnmatch:
 * on the bit's name for toggle, on "o:line", e.g. "if:46", for line and
 * branch), reason. The report says how many points each kind left out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "neocog/regress.h"
#include "regress/regress_internal.h"

static const char *const kind_name_[RG_COV_KINDS] = {"line", "branch", "toggle",
                                                     "user"};

/* Runs argv[0] (searched on PATH) with its output into `log` (or
 * /dev/null); its exit status, or -1 when it could not run. */
static int run_(char *const argv[], const char *log) {
  const pid_t pid = fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    const int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND,
                        0666);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Whether `prog` is on PATH. */
static int on_path_(const char *prog) {
  const char *path = getenv("PATH");
  char buf[1024];
  for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
    const size_t n = strcspn(p, ":");
    snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, prog);
    if (access(buf, X_OK) == 0) {
      return 1;
    }
    p += n + (p[n] == ':');
  }
  return 0;
}

int nc_regress_cov_exe(const char *self, char *buf, size_t len, char *why,
                    size_t wlen) {
  const char *slash = strrchr(self, '/');
  const int dir = slash ? (int)(slash - self) : 0;
  snprintf(buf, len, "%.*s%s../coverage/neocog", dir, self, slash ? "/" : "");
  if (access(buf, X_OK) != 0) {
    snprintf(why, wlen,
             "--cov needs the coverage build of neocog, %s (not found): run "
             "'make regress-cov'",
             buf);
    return -1;
  }
  if (!on_path_("verilator_coverage")) {
    snprintf(why, wlen,
             "--cov needs verilator_coverage (Debian's verilator) on PATH: "
             "run 'sh mk/deps.sh'");
    return -1;
  }
  return 0;
}

/* ---- reading a coverage file ---- */

/* The value of `key` in a point's key string, into buf ("" if absent). */
static void field_(const char *keys, size_t klen, const char *key, char *buf,
                   size_t len) {
  const size_t kl = strlen(key);
  buf[0] = '\0';
  for (const char *p = keys; p < keys + klen;) {
    const char *end = memchr(p, '\1', (size_t)(keys + klen - p));
    if (end == NULL) {
      end = keys + klen;
    }
    if ((size_t)(end - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '\2') {
      snprintf(buf, len, "%.*s", (int)(end - p - kl - 1), p + kl + 1);
      return;
    }
    p = end + 1;
  }
}

typedef struct {
  char name[64];    /* the label */
  char module[48];  /* from the page */
  char file[256];   /* source */
  int line;
  unsigned long long count;
} point_t;

static int point_cmp_(const void *a, const void *b) {
  const point_t *x = a, *y = b;
  const int m = strcmp(x->module, y->module);
  return m ? m : x->line - y->line;
}

/* The comment line above a cover point's label in its source ("" if none):
 * what the feature is, for the report. */
static void describe_(const point_t *p, char *buf, size_t len) {
  buf[0] = '\0';
  FILE *f = fopen(p->file, "r");
  if (f == NULL) {
    return;
  }
  char line[512], prev[512] = "", pat[96];
  snprintf(pat, sizeof pat, "%s: cover property", p->name);
  while (fgets(line, sizeof line, f) != NULL) {
    if (strstr(line, pat) != NULL) {
      const char *c = prev + strspn(prev, " ");
      if (strncmp(c, "// ", 3) == 0) {
        snprintf(buf, len, "%s", c + 3);
        buf[strcspn(buf, "\n")] = '\0';
      }
      break;
    }
    snprintf(prev, sizeof prev, "%s", line);
  }
  fclose(f);
}

/* One exclusion: a kind, an instance glob and a point glob. */
typedef struct {
  int kind;
  char inst[128], point[128];
} excl_t;

enum { MAX_EXCL = 64 };

/* Reads the exclusion file into ex (at most MAX_EXCL); their number, 0
 * when there is no file, -1 (with `why`) on a malformed line. */
static int read_excl_(excl_t *ex, char *file, size_t flen, char *why,
                      size_t wlen) {
  const char *env = getenv("NEOCOG_COV_EXCLUDE");
  snprintf(file, flen, "%s", env && env[0] ? env : "regress/cov_exclude.tsv");
  FILE *f = fopen(file, "r");
  if (f == NULL) {
    file[0] = '\0';
    return 0;
  }
  char line[1024];
  int n = 0, no = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    no++;
    if (line[0] == '#' || line[strspn(line, " \t\n")] == '\0') {
      continue;
    }
    char kind[16] = "";
    excl_t e = {.kind = -1};
    char *cut[3] = {kind, e.inst, e.point};
    const size_t cap[3] = {sizeof kind, sizeof e.inst, sizeof e.point};
    const char *p = line;
    int fields = 0;
    for (; fields < 3; fields++) {
      const size_t l = strcspn(p, "\t\n");
      if (p[l] != '\t' || l == 0 || l >= cap[fields]) {
        break;
      }
      memcpy(cut[fields], p, l);
      cut[fields][l] = '\0';
      p += l + 1;
    }
    for (int k = 0; k < RG_COV_USER; k++) {
      e.kind = strcmp(kind, kind_name_[k]) == 0 ? k : e.kind;
    }
    if (fields < 3 || e.kind < 0 || p[strspn(p, " \t\n")] == '\0' ||
        n == MAX_EXCL) {
      snprintf(why, wlen,
               "%s:%d: want kind (line, branch or toggle), instance, point "
               "and reason, tab-separated (at most %d lines)",
               file, no, MAX_EXCL);
      fclose(f);
      return -1;
    }
    ex[n++] = e;
  }
  fclose(f);
  return n;
}

/* Reads `dat`: the totals into *c and the user points into *pts. */
static int read_dat_(const char *dat, rg_cov_t *c, point_t **pts, int *np,
                     char *why, size_t wlen) {
  FILE *f = fopen(dat, "r");
  if (f == NULL) {
    snprintf(why, wlen, "cannot read %s: %s", dat, strerror(errno));
    return -1;
  }
  excl_t ex[MAX_EXCL];
  const int nex =
      read_excl_(ex, c->exclude_file, sizeof c->exclude_file, why, wlen);
  if (nex < 0) {
    fclose(f);
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  int ncap = 0;
  ssize_t r;
  while ((r = getline(&line, &cap, f)) > 0) {
    if (strncmp(line, "C '", 3) != 0) {
      continue;
    }
    char *end = strrchr(line, '\'');
    if (end == NULL || end < line + 3) {
      continue;
    }
    const char *keys = line + 3;
    const size_t klen = (size_t)(end - keys);
    const unsigned long long count = strtoull(end + 1, NULL, 10);
    char page[128];
    field_(keys, klen, "page", page, sizeof page);
    const char *slash = strchr(page, '/');
    int kind = -1;
    for (int k = 0; k < RG_COV_KINDS; k++) {
      const size_t n = strlen(kind_name_[k]);
      if (strncmp(page, "v_", 2) == 0 && strncmp(page + 2, kind_name_[k], n) == 0 &&
          page[2 + n] == '/') {
        kind = k;
      }
    }
    if (kind < 0) {
      continue;
    }
    if (nex > 0 && kind != RG_COV_USER) {
      char inst[256], name[256], l[16];
      field_(keys, klen, "h", inst, sizeof inst);
      field_(keys, klen, "o", name, sizeof name);
      if (kind != RG_COV_TOGGLE) { /* "if:46": the branch or block, its line */
        field_(keys, klen, "l", l, sizeof l);
        const size_t n = strlen(name);
        snprintf(name + n, sizeof name - n, ":%s", l);
      }
      int out = 0;
      for (int i = 0; i < nex && !out; i++) {
        out = ex[i].kind == kind && fnmatch(ex[i].inst, inst, 0) == 0 &&
              fnmatch(ex[i].point, name, 0) == 0;
      }
      if (out) {
        c->excluded[kind]++;
        continue;
      }
    }
    c->total[kind]++;
    c->hit[kind] += count > 0;
    if (kind != RG_COV_USER) {
      continue;
    }
    if (*np == ncap) {
      ncap = ncap ? 2 * ncap : 256;
      point_t *np2 = realloc(*pts, (size_t)ncap * sizeof *np2);
      if (np2 == NULL) {
        snprintf(why, wlen, "out of memory");
        free(line);
        fclose(f);
        return -1;
      }
      *pts = np2;
    }
    point_t *p = &(*pts)[(*np)++];
    memset(p, 0, sizeof *p);
    field_(keys, klen, "o", p->name, sizeof p->name);
    snprintf(p->module, sizeof p->module, "%s", slash ? slash + 1 : "?");
    field_(keys, klen, "f", p->file, sizeof p->file);
    char l[16];
    field_(keys, klen, "l", l, sizeof l);
    p->line = atoi(l);
    p->count = count;
  }
  free(line);
  fclose(f);
  if (c->total[RG_COV_LINE] == 0) {
    snprintf(why, wlen, "%s: no line coverage points (not a coverage file?)",
             dat);
    return -1;
  }
  return 0;
}

/* ---- reports ---- */

int rg_cov_report(const char *dat, const char *dir, rg_cov_t *c, FILE *out) {
  char why[600];
  point_t *pts = NULL;
  int np = 0;
  const int files = c->files;
  memset(c, 0, sizeof *c);
  c->files = files;
  c->have = 1;
  snprintf(c->dir, sizeof c->dir, "%s", dir);
  if (read_dat_(dat, c, &pts, &np, why, sizeof why) != 0) {
    fprintf(out, "regress: coverage: %s\n", why);
    free(pts);
    c->have = 0;
    return -1;
  }
  qsort(pts, (size_t)np, sizeof *pts, point_cmp_);
  /* The per-point report: holes first. */
  char path[1024];
  snprintf(path, sizeof path, "%s/cover_points.txt", dir);
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(out, "regress: coverage: cannot write %s: %s\n", path,
            strerror(errno));
    free(pts);
    return -1;
  }
  const uint64_t nu = c->total[RG_COV_USER], hu = c->hit[RG_COV_USER];
  fprintf(f, "# Functional cover points of nc_top: %llu of %llu hit",
          (unsigned long long)hu, (unsigned long long)nu);
  fprintf(f, " (from %s)\n# regress/testplan.md maps each to its feature and tests\n",
          dat);
  fprintf(f, "\nholes (never hit): %llu\n", (unsigned long long)(nu - hu));
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      fprintf(f, "\nhit: %llu\n", (unsigned long long)hu);
    }
    for (int i = 0; i < np; i++) {
      const point_t *p = &pts[i];
      if ((p->count > 0) != pass) {
        continue;
      }
      char desc[256];
      describe_(p, desc, sizeof desc);
      fprintf(f, "  %10llu  %-26s %-18s %s:%d%s%s\n", p->count, p->name,
              p->module, p->file, p->line, desc[0] ? "  " : "", desc);
      if (pass == 0) {
        const size_t l = strlen(c->hole_names);
        if (l + strlen(p->name) + 8 < sizeof c->hole_names) {
          snprintf(c->hole_names + l, sizeof c->hole_names - l, "%s%s",
                   l ? ", " : "", p->name);
        } else if (l + 5 < sizeof c->hole_names &&
                   strcmp(c->hole_names + l - 3, "...") != 0) {
          snprintf(c->hole_names + l, sizeof c->hole_names - l, ", ...");
        }
      }
    }
  }
  free(pts);
  const int bad = ferror(f) | (fclose(f) != 0);
  if (bad) {
    fprintf(out, "regress: coverage: cannot write %s\n", path);
    return -1;
  }
  /* HTML: lcov's genhtml on verilator_coverage's info file. */
  char info[1024], html[1024], log[1024];
  snprintf(info, sizeof info, "%s/coverage.info", dir);
  snprintf(html, sizeof html, "%s/html", dir);
  snprintf(log, sizeof log, "%s/html.log", dir);
  remove(log);
  char *wi[] = {"verilator_coverage", "--write-info", info, (char *)dat, NULL};
  char *gh[] = {"genhtml", "-q", "--ignore-errors", "source", "-o", html,
                info,      NULL};
  if (!on_path_("genhtml")) {
    fprintf(out,
            "regress: coverage: no HTML report: genhtml (Debian's lcov) is "
            "not on PATH\n");
  } else if (run_(wi, log) != 0 || run_(gh, log) != 0) {
    fprintf(out, "regress: coverage: the HTML report failed (see %s)\n", log);
  } else {
    snprintf(c->html, sizeof c->html, "%s/html/index.html", c->dir);
  }
  return 0;
}

/* Merges `in` (n files) into `dat`, at most `batch` files per
 * verilator_coverage call. */
static int merge_(char **in, int n, const char *dat, const char *dir, FILE *out) {
  enum { BATCH = 200 };
  char log[1024];
  snprintf(log, sizeof log, "%s/merge.log", dir);
  remove(log);
  char **argv = calloc(BATCH + 5, sizeof *argv);
  char **parts = calloc((size_t)n / BATCH + 2, sizeof *parts);
  int nparts = 0, rc = 0;
  if (argv == NULL || parts == NULL) {
    free(argv);
    free(parts);
    return -1;
  }
  for (int i = 0; i < n && rc == 0; i += BATCH) {
    char part[1024];
    snprintf(part, sizeof part, "%s/part%d.dat", dir, nparts);
    int k = 0;
    argv[k++] = "verilator_coverage";
    argv[k++] = "-write";
    argv[k++] = n <= BATCH ? (char *)dat : part;
    for (int j = i; j < n && j < i + BATCH; j++) {
      argv[k++] = in[j];
    }
    argv[k] = NULL;
    rc = run_(argv, log);
    if (n > BATCH) {
      parts[nparts++] = strdup(part);
    }
  }
  if (rc == 0 && nparts > 0) {
    argv[0] = "verilator_coverage";
    argv[1] = "-write";
    argv[2] = (char *)dat;
    for (int j = 0; j < nparts; j++) {
      argv[3 + j] = parts[j];
    }
    argv[3 + nparts] = NULL;
    rc = run_(argv, log);
  }
  for (int j = 0; j < nparts; j++) {
    remove(parts[j]);
    free(parts[j]);
  }
  free(parts);
  free(argv);
  if (rc != 0) {
    fprintf(out, "regress: coverage: verilator_coverage -write failed (see %s)\n",
            log);
    return -1;
  }
  return 0;
}

/* Appends the .dat files directly under `dir` to *files. */
static int list_dat_(const char *dir, char ***files, int *n, int *cap) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    return 0;
  }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL && rc == 0) {
    const size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".dat") != 0) {
      continue;
    }
    if (*n == *cap) {
      *cap = *cap ? 2 * *cap : 64;
      char **nf = realloc(*files, (size_t)*cap * sizeof *nf);
      if (nf == NULL) {
        rc = -1;
        break;
      }
      *files = nf;
    }
    const size_t len = strlen(dir) + l + 2;
    char *p = malloc(len);
    if (p == NULL) {
      rc = -1;
      break;
    }
    snprintf(p, len, "%s/%s", dir, e->d_name);
    (*files)[(*n)++] = p;
  }
  closedir(d);
  return rc;
}

static int str_cmp_(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int rg_cov_merge(const char *const *dirs, int ndirs, int per_job,
                 const char *dir, rg_cov_t *c, FILE *out) {
  char **files = NULL;
  int n = 0, cap = 0, rc = 0;
  memset(c, 0, sizeof *c);
  for (int i = 0; i < ndirs && rc == 0; i++) {
    if (!per_job) {
      char sub[1024];
      snprintf(sub, sizeof sub, "%s/cov", dirs[i]);
      rc = list_dat_(sub, &files, &n, &cap);
      /* A shard's merged file only: coverage.dat. */
      for (int k = 0; k < n; k++) {
        const char *b = strrchr(files[k], '/');
        if (b && strcmp(b + 1, "coverage.dat") != 0) {
          free(files[k]);
          files[k--] = files[--n];
        }
      }
      continue;
    }
    DIR *d = opendir(dirs[i]);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL && rc == 0) {
      if (e->d_name[0] != '.') {
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", dirs[i], e->d_name);
        rc = list_dat_(sub, &files, &n, &cap);
      }
    }
    if (d != NULL) {
      closedir(d);
    }
  }
  if (rc == 0 && n == 0) {
    fprintf(out, "regress: coverage: no coverage files (no job ran the rtl)\n");
    rc = -1;
  }
  char dat[1024];
  snprintf(dat, sizeof dat, "%s/coverage.dat", dir);
  if (rc == 0) {
    qsort(files, (size_t)n, sizeof *files, str_cmp_);
    rc = merge_(files, n, dat, dir, out);
  }
  for (int i = 0; i < n; i++) {
    free(files[i]);
  }
  free(files);
  if (rc != 0) {
    return -1;
  }
  c->files = n;
  return rg_cov_report(dat, dir, c, out);
}

static double pct_(uint64_t hit, uint64_t total) {
  return total ? 100.0 * (double)hit / (double)total : 0.0;
}

void rg_cov_print(const rg_cov_t *c, FILE *out) {
  if (!c->have) {
    return;
  }
  fprintf(out, "\ncoverage of nc_top (%d file%s merged):", c->files,
          c->files == 1 ? "" : "s");
  for (int k = 0; k < RG_COV_USER; k++) {
    fprintf(out, " %s %.1f%%%s", kind_name_[k],
            pct_(c->hit[k], c->total[k]), k + 1 < RG_COV_USER ? "," : "");
  }
  fprintf(out, "; cover points %llu/%llu hit\n",
          (unsigned long long)c->hit[RG_COV_USER],
          (unsigned long long)c->total[RG_COV_USER]);
  if (c->hit[RG_COV_USER] < c->total[RG_COV_USER]) {
    fprintf(out, "  holes: %s\n", c->hole_names);
  }
  if (c->exclude_file[0]) {
    fprintf(out, "  excluded (%s): %llu line, %llu branch, %llu toggle points\n",
            c->exclude_file, (unsigned long long)c->excluded[RG_COV_LINE],
            (unsigned long long)c->excluded[RG_COV_BRANCH],
            (unsigned long long)c->excluded[RG_COV_TOGGLE]);
  }
  fprintf(out, "  report: %s/cover_points.txt%s%s\n", c->dir,
          c->html[0] ? ", html: " : "", c->html);
}

const char *rg_cov_kind_name(int kind) {
  return kind == RG_COV_USER ? "cover_points" : kind_name_[kind];
}

double rg_cov_pct(const rg_cov_t *c, int kind) {
  return pct_(c->hit[kind], c->total[kind]);
}

int nc_regress_cov_report(const char *dat, const char *dir, FILE *out) {
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    fprintf(out, "regress: coverage: cannot create %s: %s\n", dir,
            strerror(errno));
    return 2;
  }
  rg_cov_t c;
  memset(&c, 0, sizeof c);
  c.files = 1;
  if (rg_cov_report(dat, dir, &c, out) != 0) {
    return 2;
  }
  rg_cov_print(&c, out);
  return 0;
}
