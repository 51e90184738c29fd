/*
 * The mutation check: would the suite notice a bug put into the RTL?
 *
 * A mutant build (mk/mutate.mk, hw/gen/mutate.py) holds many mutants of the
 * RTL in one Verilator model, mutant K selected at run time by the
 * environment variable NEOCOG_RTL_MUTANT=K; mutant 0 is the original
 * design. Its list, mutants.tsv, lies next to the binary. For each mutant
 * this runs the jobs of the chosen level that use the RTL (model-only tests
 * cannot see an RTL bug) as child processes, like the runner does. The
 * first failing job kills the mutant (its other jobs are stopped and the
 * rest never start); a mutant that passes every job survives. A job that
 * runs past its time limit counts as a failure too: the suite notices a
 * hang through its timeouts.
 *
 * Mutant 0 runs first, alone ahead of the others, and must pass every job:
 * otherwise the suite fails the design itself and no score means anything.
 * Its job times set each job's limit for the mutants (ten times, at least
 * 30 s, at most the test's own timeout), so a mutant that makes the model
 * crawl is stopped in reasonable time.
 *
 * Survivors that are argued equivalent to the original (no input can tell
 * them apart) are listed, with the argument, in a file of their own
 * (regress/equivalent_mutants.tsv); they leave the score's denominator.
 *
 * Reports: a line per finished mutant, then the survivors (module, line,
 * operator, original -> mutated), a table per module, the score, and a JSON
 * file with every mutant.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "neocog/regress.h"
#include "regress/regress_internal.h"

enum { M_PENDING = 0, M_KILLED, M_SURVIVED, M_STOPPED };

typedef struct {
  int id;
  char module[48];
  char file[256];
  int line;
  char op[12];
  char orig[600];
  char mut[600];
  char equivalent[400]; /* the argument, when argued equivalent */
  /* outcome */
  int state;
  int next;     /* next job to start */
  int inflight; /* jobs running */
  int passed;   /* jobs passed */
  char killer[48];
  uint64_t killer_seed;
  char message[512];
  double t0, t1;
} mutant_t;

typedef struct {
  const nc_regress_test_t *t;
  uint64_t seed;
  double base_s; /* mutant 0's time, 0 when not run */
} mjob_t;

typedef struct {
  pid_t pid;
  int m, j;
  double start;
  int stopped; /* we killed it: its mutant is decided already */
  int timed_out;
  char log[1200];
} slot_t;

static volatile sig_atomic_t stop_ = 0;

static void on_signal_(int sig) {
  stop_ = sig;
}

/* Splits a line at tabs into at most n fields; how many it had. */
static int split_tabs_(char *line, char **f, int n) {
  int k = 0;
  f[k++] = line;
  for (char *p = line; *p && k < n; p++) {
    if (*p == '\t') {
      *p = '\0';
      f[k++] = p + 1;
    }
  }
  return k;
}

/* mutants.tsv: id module file line operator original mutated. */
static int load_mutants_(const char *path, mutant_t **out, int *n, char *why,
                         size_t len) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(why, len, "%s: %s", path, strerror(errno));
    return -1;
  }
  int cap = 64;
  mutant_t *ms = calloc((size_t)cap, sizeof *ms);
  /* Mutant 0, the original design. */
  int k = 1;
  if (ms != NULL) {
    snprintf(ms[0].module, sizeof ms[0].module, "(none)");
    snprintf(ms[0].op, sizeof ms[0].op, "none");
  }
  char *line = NULL;
  size_t lcap = 0;
  int no = 0, rc = 0;
  while (ms != NULL && getline(&line, &lcap, f) > 0) {
    no++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') {
      continue;
    }
    char *fl[7];
    if (split_tabs_(line, fl, 7) != 7 || atoi(fl[0]) != k) {
      snprintf(why, len, "%s:%d: not a mutant line (id %d expected)", path, no,
               k);
      rc = -1;
      break;
    }
    if (k == cap) {
      cap *= 2;
      mutant_t *g = realloc(ms, (size_t)cap * sizeof *ms);
      if (g == NULL) {
        break;
      }
      ms = g;
    }
    mutant_t *m = &ms[k];
    memset(m, 0, sizeof *m);
    m->id = k++;
    snprintf(m->module, sizeof m->module, "%s", fl[1]);
    snprintf(m->file, sizeof m->file, "%s", fl[2]);
    m->line = atoi(fl[3]);
    snprintf(m->op, sizeof m->op, "%s", fl[4]);
    snprintf(m->orig, sizeof m->orig, "%s", fl[5]);
    snprintf(m->mut, sizeof m->mut, "%s", fl[6]);
  }
  free(line);
  fclose(f);
  if (ms == NULL) {
    snprintf(why, len, "out of memory");
    return -1;
  }
  if (rc == 0 && k == 1) {
    snprintf(why, len, "%s: no mutants in it", path);
    rc = -1;
  }
  if (rc != 0) {
    free(ms);
    return -1;
  }
  *out = ms;
  *n = k;
  return 0;
}

/* The equivalence file: module operator original mutated argument. A
 * mutant matches by its texts, not its line, so edits elsewhere in a
 * source keep the argument attached. */
static void load_equivalent_(const char *path, mutant_t *ms, int n) {
  FILE *f = path ? fopen(path, "r") : NULL;
  if (f == NULL) {
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\r\n")] = '\0';
    char *fl[5];
    if (line[0] == '#' || split_tabs_(line, fl, 5) != 5) {
      continue;
    }
    for (int i = 1; i < n; i++) {
      if (strcmp(ms[i].module, fl[0]) == 0 && strcmp(ms[i].op, fl[1]) == 0 &&
          strcmp(ms[i].orig, fl[2]) == 0 && strcmp(ms[i].mut, fl[3]) == 0) {
        snprintf(ms[i].equivalent, sizeof ms[i].equivalent, "%s", fl[4]);
      }
    }
  }
  free(line);
  fclose(f);
}

/* "1,4,7-9" -> want[] flags over 0..n-1; -1 with `why` on a bad list. */
static int parse_sel_(const char *s, char *want, int n, char *why, size_t len) {
  const char *p = s;
  while (*p) {
    char *end = NULL;
    errno = 0;
    const long a = strtol(p, &end, 10);
    long b = a;
    if (end == p || errno || a < 0) {
      snprintf(why, len, "--mutants %s: want ids like 3,7,10-12", s);
      return -1;
    }
    p = end;
    if (*p == '-') {
      const char *q = p + 1;
      b = strtol(q, &end, 10);
      if (end == q || b < a) {
        snprintf(why, len, "--mutants %s: want ids like 3,7,10-12", s);
        return -1;
      }
      p = end;
    }
    if (b >= n) {
      snprintf(why, len,
               "--mutants %s: mutant %ld does not exist: this build has "
               "mutants 1..%d (0 is the original design)",
               s, b, n - 1);
      return -1;
    }
    for (long i = a; i <= b; i++) {
      want[i] = 1;
    }
    if (*p == ',') {
      p++;
    } else if (*p != '\0') {
      snprintf(why, len, "--mutants %s: want ids like 3,7,10-12", s);
      return -1;
    }
  }
  return 0;
}

static void json_str_(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    const unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      fprintf(f, "\\%c", c);
    } else if (c < 0x20) {
      fprintf(f, "\\u%04x", c);
    } else {
      fputc(c, f);
    }
  }
  fputc('"', f);
}

static const char *state_name_(const mutant_t *m) {
  switch (m->state) {
  case M_KILLED:
    return "killed";
  case M_SURVIVED:
    return m->id == 0 ? "passed" : m->equivalent[0] ? "equivalent" : "survived";
  case M_STOPPED:
    return "not-run";
  default:
    return "pending";
  }
}

static void write_json_(const char *path, const nc_regress_opts_t *o,
                        const char *tsv, const mutant_t *ms, int n,
                        const char *want, int killed, int live, double wall,
                        int njobs) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    return;
  }
  fprintf(f, "{\"level\": ");
  json_str_(f, o->label);
  fprintf(f, ", \"seed\": %llu, \"jobs_at_a_time\": %d, \"mutants_file\": ",
          (unsigned long long)o->seed, o->jobs);
  json_str_(f, tsv);
  fprintf(f,
          ", \"jobs_per_mutant\": %d, \"wall_s\": %.1f, \"killed\": %d, "
          "\"non_equivalent\": %d, \"score\": %.4f, \"mutants\": [",
          njobs, wall, killed, live, live ? (double)killed / live : 0.0);
  int first = 1;
  for (int i = 0; i < n; i++) {
    if (!want[i]) {
      continue;
    }
    const mutant_t *m = &ms[i];
    fprintf(f, "%s\n  {\"id\": %d, \"module\": ", first ? "" : ",", m->id);
    first = 0;
    json_str_(f, m->module);
    fprintf(f, ", \"file\": ");
    json_str_(f, m->file);
    fprintf(f, ", \"line\": %d, \"operator\": ", m->line);
    json_str_(f, m->op);
    fprintf(f, ", \"original\": ");
    json_str_(f, m->orig);
    fprintf(f, ", \"mutated\": ");
    json_str_(f, m->mut);
    fprintf(f, ", \"status\": ");
    json_str_(f, state_name_(m));
    fprintf(f, ", \"jobs_passed\": %d, \"seconds\": %.1f", m->passed,
            m->t1 > m->t0 ? m->t1 - m->t0 : 0.0);
    if (m->state == M_KILLED) {
      fprintf(f, ", \"killed_by\": ");
      json_str_(f, m->killer);
      fprintf(f, ", \"killed_by_seed\": %llu, \"message\": ",
              (unsigned long long)m->killer_seed);
      json_str_(f, m->message);
    }
    if (m->equivalent[0]) {
      fprintf(f, ", \"equivalent\": ");
      json_str_(f, m->equivalent);
    }
    fputc('}', f);
  }
  fprintf(f, "\n]}\n");
  fclose(f);
}

/* A mutant's verdict, decided when its last job is back. */
static void settle_(mutant_t *m, int njobs, double t, const char *display,
                    FILE *out, int *done, int total) {
  if (m->inflight > 0 || m->state == M_STOPPED) {
    return;
  }
  if (m->state == M_PENDING && m->next < njobs) {
    return;
  }
  if (m->state == M_PENDING) {
    m->state = M_SURVIVED;
  }
  m->t1 = t;
  (*done)++;
  if (m->id == 0) {
    fprintf(out, "[%*d/%d] mutant 0 (the original design): %s %d jobs (%.1f s)\n",
            total >= 100 ? 3 : 2, *done, total,
            m->state == M_SURVIVED ? "passes all" : "FAILS one of", njobs,
            m->t1 - m->t0);
  } else {
    fprintf(out, "[%*d/%d] mutant %d %s:%d %-6s %s", total >= 100 ? 3 : 2,
            *done, total, m->id, m->module, m->line, m->op,
            m->state == M_KILLED ? "killed by " : "SURVIVED");
    if (m->state == M_KILLED) {
      fprintf(out, "%s seed %llu after %d passed jobs (%.1f s): %.100s",
              m->killer, (unsigned long long)m->killer_seed, m->passed,
              m->t1 - m->t0, m->message);
    } else {
      fprintf(out, " all %d jobs (%.1f s)%s", njobs, m->t1 - m->t0,
              m->equivalent[0] ? ", argued equivalent" : "");
    }
    fputc('\n', out);
  }
  (void)display;
  fflush(out);
}

/* The seeds of test `t` a mutant runs: none for a test that does not use
 * the RTL (the model cannot see an RTL mutant) or runs on another array
 * shape (another build, without the mutants). */
static int seeds_(const nc_regress_test_t *t, const nc_regress_opts_t *o) {
  int rtl = 0;
  for (int b = 0; b < t->nbackends; b++) {
    rtl |= strcmp(t->backends[b], "model") != 0;
  }
  return !rtl || !rg_config_native(t) ? 0
         : o->seeds >= 0              ? o->seeds
         : o->level >= 0              ? t->seeds[o->level]
                                      : 1;
}

int nc_regress_mutate(const nc_regress_test_t *const *tests, int ntests,
                      const nc_regress_opts_t *o, const char *tsv,
                      const char *select, const char *equivalent, FILE *out) {
  mutant_t *ms = NULL;
  int n = 0;
  char why[700];
  if (load_mutants_(tsv, &ms, &n, why, sizeof why) != 0) {
    fprintf(stderr, "neocog regress --mutate: %s\n", why);
    return 2;
  }
  load_equivalent_(equivalent, ms, n);
  char *want = calloc((size_t)n, 1);
  if (want == NULL) {
    free(ms);
    return 2;
  }
  if (select == NULL) {
    memset(want, 1, (size_t)n);
  } else if (parse_sel_(select, want, n, why, sizeof why) != 0) {
    fprintf(stderr, "neocog regress: %s\n", why);
    free(want);
    free(ms);
    return 2;
  }
  /* The jobs that use the RTL: seed 0 of every test, then seed 1, ... so
   * that a mutant meets every kind of stimulus early. */
  int max_seeds = 0, njobs = 0;
  for (int i = 0; i < ntests; i++) {
    const int c = seeds_(tests[i], o);
    max_seeds = c > max_seeds ? c : max_seeds;
    njobs += c;
  }
  if (njobs == 0) {
    fprintf(stderr,
            "neocog regress --mutate: no test of '%s' runs the RTL (rtl or "
            "lockstep backend): nothing could notice an RTL mutant\n",
            o->label);
    free(want);
    free(ms);
    return 2;
  }
  mjob_t *jobs = calloc((size_t)njobs, sizeof *jobs);
  slot_t *slots = calloc((size_t)o->jobs, sizeof *slots);
  if (jobs == NULL || slots == NULL) {
    free(jobs);
    free(slots);
    free(want);
    free(ms);
    return 2;
  }
  int nj = 0;
  for (int s = 0; s < max_seeds; s++) {
    for (int i = 0; i < ntests; i++) {
      if (s < seeds_(tests[i], o)) {
        jobs[nj].t = tests[i];
        jobs[nj].seed = nc_regress_job_seed(o->seed, tests[i]->name, s);
        nj++;
      }
    }
  }
  char logs[1024];
  snprintf(logs, sizeof logs, "%s/logs", o->out_dir);
  if (rg_mkdirs(logs) != 0) {
    fprintf(stderr, "neocog regress --mutate: cannot create %s\n", logs);
    free(jobs);
    free(slots);
    free(want);
    free(ms);
    return 2;
  }
  /* The jobs read the list as it is now, whatever happens to the file
   * during a run that may take hours. */
  char list[1100];
  snprintf(list, sizeof list, "%s/tests.list", o->out_dir);
  FILE *lin = fopen(o->list, "r"), *lout = fopen(list, "w");
  int copied = lin != NULL && lout != NULL;
  for (int ch; copied && (ch = fgetc(lin)) != EOF;) {
    copied = fputc(ch, lout) != EOF;
  }
  copied = (lout == NULL || fclose(lout) == 0) && copied;
  if (lin != NULL) {
    fclose(lin);
  }
  if (!copied) {
    fprintf(stderr, "neocog regress --mutate: cannot copy %s to %s\n", o->list,
            list);
    free(jobs);
    free(slots);
    free(want);
    free(ms);
    return 2;
  }
  int total = 0;
  for (int i = 0; i < n; i++) {
    total += want[i];
  }
  fprintf(out,
          "regress --mutate %s: %d mutant%s%s of %s (%d in the build), %d "
          "RTL job%s each at most, -j %d, base seed %llu; logs in %s\n",
          o->label, total - want[0], total - want[0] == 1 ? "" : "s",
          want[0] ? " and the original design" : "", tsv, n - 1, njobs,
          njobs == 1 ? "" : "s", o->jobs, (unsigned long long)o->seed, logs);
  fflush(out);
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal_;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  stop_ = 0;
  const double t0 = rg_now();
  int running = 0, done = 0, baseline_bad = 0;
  for (;;) {
    /* Start jobs: the first undecided mutant with a job left; mutant 0
     * alone until it is decided. */
    while (running < o->jobs && !stop_ && !baseline_bad) {
      int pick = -1;
      for (int i = 0; i < n; i++) {
        if (!want[i] || ms[i].state != M_PENDING) {
          continue;
        }
        if (ms[i].next < njobs) {
          pick = i;
          break;
        }
        if (i == 0) {
          break; /* the baseline still runs: nothing else yet */
        }
      }
      if (pick < 0) {
        break;
      }
      mutant_t *m = &ms[pick];
      int sl = 0;
      while (slots[sl].pid != 0) {
        sl++;
      }
      slot_t *s = &slots[sl];
      const int j = m->next++;
      if (m->next == 1 && m->inflight == 0) {
        m->t0 = rg_now();
      }
      char seed[32], id[16];
      snprintf(seed, sizeof seed, "%llu", (unsigned long long)jobs[j].seed);
      snprintf(id, sizeof id, "%d", m->id);
      snprintf(s->log, sizeof s->log, "%s/m%d.%s.%s.log", logs, m->id,
               jobs[j].t->name, seed);
      char *argv[] = {(char *)o->exe,       "regress", "--one",
                      (char *)jobs[j].t->name, "--seed", seed,
                      "--list",             list, NULL};
      s->pid = rg_spawn(o->exe, argv, s->log, NULL, id, NULL);
      s->m = pick;
      s->j = j;
      s->start = rg_now();
      s->stopped = s->timed_out = 0;
      if (s->pid < 0) {
        fprintf(stderr, "neocog regress --mutate: fork: %s\n", strerror(errno));
        s->pid = 0;
        stop_ = SIGTERM;
        break;
      }
      m->inflight++;
      running++;
    }
    if (running == 0) {
      break;
    }
    int ws = 0;
    const pid_t pid = waitpid(-1, &ws, WNOHANG);
    const double t = rg_now();
    if (pid <= 0) {
      for (int k = 0; k < o->jobs; k++) {
        slot_t *s = &slots[k];
        if (s->pid <= 0 || s->stopped) {
          continue;
        }
        const mjob_t *jb = &jobs[s->j];
        double limit = o->timeout_s > 0 ? o->timeout_s : jb->t->timeout_s;
        if (s->m != 0 && jb->base_s > 0 && o->timeout_s <= 0) {
          const double l = 10 * jb->base_s < 30 ? 30 : 10 * jb->base_s;
          limit = l < limit ? l : limit;
        }
        if (t - s->start > limit || stop_) {
          s->timed_out = t - s->start > limit;
          s->stopped = !s->timed_out;
          kill(-s->pid, SIGKILL);
          kill(s->pid, SIGKILL);
        }
      }
      struct timespec ts = {0, 20000000};
      nanosleep(&ts, NULL);
      continue;
    }
    for (int k = 0; k < o->jobs; k++) {
      slot_t *s = &slots[k];
      if (s->pid != pid) {
        continue;
      }
      s->pid = 0;
      running--;
      mutant_t *m = &ms[s->m];
      m->inflight--;
      const int passed =
          !s->timed_out && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
      if (s->m == 0 && passed) {
        jobs[s->j].base_s = t - s->start;
      }
      if (s->stopped) {
        /* its mutant was decided, or the run was interrupted */
      } else if (passed) {
        m->passed++;
      } else if (m->state == M_PENDING) {
        m->state = M_KILLED;
        snprintf(m->killer, sizeof m->killer, "%s", jobs[s->j].t->name);
        m->killer_seed = jobs[s->j].seed;
        rg_job_t r;
        memset(&r, 0, sizeof r);
        char cause[512];
        rg_read_log(s->log, &r, cause, sizeof cause);
        if (s->timed_out) {
          snprintf(m->message, sizeof m->message,
                   "timeout: no result after %.0f s", t - s->start);
        } else if (WIFSIGNALED(ws)) {
          snprintf(m->message, sizeof m->message, "crash: %s",
                   strsignal(WTERMSIG(ws)));
        } else if (r.message[0]) {
          snprintf(m->message, sizeof m->message, "%s", r.message);
        } else {
          char last[256] = "";
          const char *nl = strrchr(r.excerpt, '\n');
          if (nl != NULL) {
            const char *p = nl;
            while (p > r.excerpt && p[-1] != '\n') {
              p--;
            }
            snprintf(last, sizeof last, "%.*s", (int)(nl - p), p);
          }
          snprintf(m->message, sizeof m->message, "exit %d: %.400s",
                   WIFEXITED(ws) ? WEXITSTATUS(ws) : -1,
                   cause[0] ? cause : last);
        }
        /* Its other jobs have nothing left to show. */
        for (int q = 0; q < o->jobs; q++) {
          if (slots[q].pid > 0 && slots[q].m == s->m) {
            slots[q].stopped = 1;
            kill(-slots[q].pid, SIGKILL);
            kill(slots[q].pid, SIGKILL);
          }
        }
        if (s->m == 0) {
          baseline_bad = 1;
        }
      }
      if (stop_ && m->state == M_PENDING && m->inflight == 0) {
        m->state = M_STOPPED;
      }
      settle_(m, njobs, t, o->display, out, &done, total);
      break;
    }
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  const double wall = rg_now() - t0;
  for (int i = 0; i < n; i++) {
    if (want[i] && ms[i].state == M_PENDING) {
      ms[i].state = M_STOPPED;
    }
  }
  /* The report. */
  int killed = 0, survived = 0, equiv = 0, notrun = 0;
  for (int i = 1; i < n; i++) {
    if (!want[i]) {
      continue;
    }
    killed += ms[i].state == M_KILLED;
    survived += ms[i].state == M_SURVIVED && !ms[i].equivalent[0];
    equiv += ms[i].state == M_SURVIVED && ms[i].equivalent[0] != '\0';
    notrun += ms[i].state == M_STOPPED;
  }
  const int live = killed + survived;
  int rc = survived > 0 || notrun > 0 ? 1 : 0;
  if (baseline_bad) {
    fprintf(out,
            "\nmutant 0, the original design, fails %s seed %llu: %s\n"
            "  reproduce: %s regress --one %s --seed %llu\n"
            "  the suite fails the design itself, so no mutant was run\n",
            ms[0].killer, (unsigned long long)ms[0].killer_seed, ms[0].message,
            o->display ? o->display : o->exe, ms[0].killer,
            (unsigned long long)ms[0].killer_seed);
    rc = 2;
  }
  fprintf(out, "\n%-18s %7s %6s %8s %10s %7s\n", "module", "mutants", "killed",
          "survived", "equivalent", "score");
  for (int i = 1; i < n; i++) {
    int seen = 0;
    for (int k = 1; k < i; k++) {
      seen |= want[k] && strcmp(ms[k].module, ms[i].module) == 0;
    }
    if (!want[i] || seen) {
      continue;
    }
    int c = 0, kd = 0, sv = 0, eq = 0;
    for (int k = i; k < n; k++) {
      if (!want[k] || strcmp(ms[k].module, ms[i].module) != 0) {
        continue;
      }
      c++;
      kd += ms[k].state == M_KILLED;
      sv += ms[k].state == M_SURVIVED && !ms[k].equivalent[0];
      eq += ms[k].state == M_SURVIVED && ms[k].equivalent[0] != '\0';
    }
    fprintf(out, "%-18s %7d %6d %8d %10d %6.1f%%\n", ms[i].module, c, kd, sv,
            eq, kd + sv ? 100.0 * kd / (kd + sv) : 100.0);
  }
  fprintf(out,
          "\nmutation score %s: %d of %d non-equivalent mutants killed "
          "(%.1f%%); %d argued equivalent; %d not run; %.0f s with -j %d\n",
          o->label, killed, live, live ? 100.0 * killed / live : 0.0, equiv,
          notrun, wall, o->jobs);
  if (survived > 0) {
    fprintf(out, "\nsurvivors (module:line operator: original -> mutated):\n");
    char ids[2048] = "";
    for (int i = 1; i < n; i++) {
      if (want[i] && ms[i].state == M_SURVIVED && !ms[i].equivalent[0]) {
        fprintf(out, "  %3d %s:%d %s: %s -> %s\n", ms[i].id, ms[i].module,
                ms[i].line, ms[i].op, ms[i].orig, ms[i].mut);
        const size_t l = strlen(ids);
        snprintf(ids + l, sizeof ids - l, "%s%d", l ? "," : "", ms[i].id);
      }
    }
    fprintf(out, "run them against another level:\n  %s regress --mutate "
                 "nightly --mutants %s\n",
            o->display ? o->display : o->exe, ids);
  }
  if (equiv > 0) {
    fprintf(out, "\nargued equivalent (%s):\n", equivalent);
    for (int i = 1; i < n; i++) {
      if (want[i] && ms[i].state == M_SURVIVED && ms[i].equivalent[0]) {
        fprintf(out, "  %3d %s:%d %s: %s -> %s\n      %s\n", ms[i].id,
                ms[i].module, ms[i].line, ms[i].op, ms[i].orig, ms[i].mut,
                ms[i].equivalent);
      }
    }
  }
  char json[1100];
  snprintf(json, sizeof json, "%s/mutation.json", o->out_dir);
  const char *jpath = o->json ? o->json : json;
  write_json_(jpath, o, tsv, ms, n, want, killed, live, wall, njobs);
  fprintf(out, "JSON: %s\n", jpath);
  if (stop_) {
    fprintf(out, "regress --mutate: interrupted\n");
    rc = rc == 2 ? 2 : 1;
  }
  free(jobs);
  free(slots);
  free(want);
  free(ms);
  return rc;
}
