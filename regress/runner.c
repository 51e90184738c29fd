/*
 * The runner: the (test, seed) jobs of a run, each a child process
 * (`EXE regress --one TEST --seed S`) with its output in a log, -j at a
 * time, each under its test's timeout (a job that runs past it is killed
 * with its whole process group and reported as a failure: a hang never
 * hangs the run). Failing seeds of tests that run the RTL are run again
 * on lockstep with an FST waveform, which names the first submission where
 * the RTL and the model part ways.
 *
 * The job list is a pure function of the selected tests, the seed counts
 * and the base seed; shard K of N takes jobs K-1, K-1+N, ... of it, so N
 * shards run every job exactly once, on any machines, in any order.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "neocog/regress.h"
#include "regress/regress_internal.h"

typedef struct {
  const nc_regress_test_t *t;
  char exe[1024]; /* the program that runs it (config=: another build's) */
  rg_job_t rec;
  pid_t pid;
  double start;
  int timed_out;
} job_t;

/* snprintf into a bounded record field, cutting what does not fit. */
static void put_(char *dst, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put_(char *dst, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, len, fmt, ap);
  va_end(ap);
}

static volatile sig_atomic_t stop_ = 0;

static void on_signal_(int sig) {
  stop_ = sig;
}

static double now_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* mkdir -p */
static int mkdirs_(const char *path) {
  char buf[1024];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    return -1;
  }
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return -1;
      }
      *p = '/';
    }
  }
  return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

double rg_now(void) {
  return now_();
}

int rg_mkdirs(const char *path) {
  return mkdirs_(path);
}

/* The command that runs a job, as one line a person can paste. */
static void repro_(const nc_regress_opts_t *o, const char *display,
                   const rg_job_t *j, char *buf, size_t len) {
  const int deflt = strcmp(o->list, "regress/tests.list") == 0;
  put_(buf, len, "%s regress --one %s --seed %llu%s%s", display, j->test,
           (unsigned long long)j->seed, deflt ? "" : " --list ",
           deflt ? "" : o->list);
}

/* rg_spawn without a mutant. */
static pid_t spawn_(const char *exe, char *const argv[], const char *log,
                    const char *env_fst, const char *env_cov) {
  return rg_spawn(exe, argv, log, env_fst, NULL, env_cov);
}

pid_t rg_spawn(const char *exe, char *const argv[], const char *log,
               const char *env_fst, const char *env_mutant,
               const char *env_cov) {
  const pid_t pid = fork();
  if (pid != 0) {
    return pid;
  }
  setpgid(0, 0);
  const int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  const int in = open("/dev/null", O_RDONLY);
  if (fd < 0 || in < 0) {
    _exit(126);
  }
  dup2(in, 0);
  dup2(fd, 1);
  dup2(fd, 2);
  close(fd);
  close(in);
  if (env_fst != NULL) {
    setenv("NEOCOG_RTL_FST", env_fst, 1);
  } else {
    unsetenv("NEOCOG_RTL_FST");
  }
  if (env_mutant != NULL) {
    setenv("NEOCOG_RTL_MUTANT", env_mutant, 1);
  }
  if (env_cov != NULL) {
    setenv("NEOCOG_RTL_COV_DIR", env_cov, 1);
  } else {
    unsetenv("NEOCOG_RTL_COV_DIR");
  }
  execv(exe, argv);
  fprintf(stderr, "FAIL: cannot run %s: %s\n", exe, strerror(errno));
  _exit(127);
}

/* Reads a log: the first "FAIL: " line, the items count, the last line
 * that names a cause (testkit, sanitizer, assert), and the last lines. */
static void read_log_(const char *path, rg_job_t *j, char *cause, size_t clen) {
  rg_read_log(path, j, cause, clen);
}

void rg_read_log(const char *path, rg_job_t *j, char *cause, size_t clen) {
  FILE *f = fopen(path, "r");
  cause[0] = '\0';
  j->excerpt[0] = '\0';
  if (f == NULL) {
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  enum { KEEP = 24 };
  char *tail[KEEP] = {0};
  int nl = 0;
  ssize_t r;
  while ((r = getline(&line, &cap, f)) > 0) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "FAIL: ", 6) == 0 && j->message[0] == '\0') {
      snprintf(j->message, sizeof j->message, "%s", line + 6);
    } else if (strncmp(line, "regress-items: ", 15) == 0) {
      j->items = strtoull(line + 15, NULL, 10);
    } else if (strstr(line, "testkit:") != NULL ||
               strstr(line, "ERROR: AddressSanitizer") != NULL ||
               strstr(line, "runtime error:") != NULL ||
               strstr(line, "Assertion") != NULL) {
      snprintf(cause, clen, "%s", line);
    }
    free(tail[nl % KEEP]);
    tail[nl % KEEP] = strdup(line);
    nl++;
  }
  size_t o = 0;
  for (int i = nl > KEEP ? nl - KEEP : 0; i < nl; i++) {
    const char *s = tail[i % KEEP] ? tail[i % KEEP] : "";
    const int w = snprintf(j->excerpt + o, sizeof j->excerpt - o, "%s\n", s);
    if (w < 0 || (size_t)w >= sizeof j->excerpt - o) {
      break;
    }
    o += (size_t)w;
  }
  for (int i = 0; i < KEEP; i++) {
    free(tail[i]);
  }
  free(line);
  fclose(f);
}

/* Fills in a finished job's outcome from its wait status and log. */
static void finish_(job_t *jb, int wstatus, double t) {
  rg_job_t *j = &jb->rec;
  j->seconds = t - jb->start;
  char cause[512];
  read_log_(j->log, j, cause, sizeof cause);
  char head[160] = "";
  if (jb->timed_out) {
    snprintf(j->status, sizeof j->status, "timeout");
    snprintf(head, sizeof head, "timeout: no result after %.0f s",
             jb->t->timeout_s);
    snprintf(j->message, sizeof j->message, "%s", head);
  } else if (WIFSIGNALED(wstatus)) {
    snprintf(j->status, sizeof j->status, "crash");
    snprintf(head, sizeof head, "crash: %s", strsignal(WTERMSIG(wstatus)));
    put_(j->message, sizeof j->message, "%s%s%s", head, cause[0] ? ": " : "",
         cause);
  } else if (WEXITSTATUS(wstatus) == 0) {
    snprintf(j->status, sizeof j->status, "pass");
    j->message[0] = '\0';
  } else if (WEXITSTATUS(wstatus) == 1 && j->message[0] != '\0') {
    snprintf(j->status, sizeof j->status, "fail");
  } else {
    snprintf(j->status, sizeof j->status, "error");
    char m[512];
    snprintf(m, sizeof m, "%s", j->message[0] ? j->message : cause);
    put_(j->message, sizeof j->message, "exit %d%s%s", WEXITSTATUS(wstatus),
         m[0] ? ": " : "", m);
  }
  if (!rg_job_passed(j)) {
    nc_regress_signature(j->message, j->signature, sizeof j->signature);
  }
}

static int uses_rtl_(const job_t *jb) {
  for (int i = 0; i < jb->t->nbackends; i++) {
    if (strcmp(jb->t->backends[i], "model") != 0) {
      return 1;
    }
  }
  return 0;
}

/* Runs a failing RTL job again on lockstep with a waveform; records where
 * it went and what lockstep said. */
static void rerun_(const nc_regress_opts_t *o, job_t *jb) {
  rg_job_t *j = &jb->rec;
  char seed[32], log[600], fst[600];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)j->seed);
  snprintf(log, sizeof log, "%s/logs/%s.%s.lockstep.log", o->out_dir, j->test,
           seed);
  snprintf(fst, sizeof fst, "%s/waves/%s.%s.fst", o->out_dir, j->test, seed);
  char *argv[] = {jb->exe,  "regress",  "--one",  j->test,
                  "--seed", seed,       "--list", (char *)o->list,
                  "--backend", "lockstep", NULL};
  const pid_t pid = spawn_(jb->exe, argv, log, fst, NULL);
  if (pid < 0) {
    return;
  }
  const double deadline = now_() + 3 * jb->t->timeout_s;
  int ws = 0;
  while (waitpid(pid, &ws, WNOHANG) == 0) {
    if (now_() > deadline || stop_) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &ws, 0);
      put_(j->rerun, sizeof j->rerun, "no result within %.0f s (log %s)",
           3 * jb->t->timeout_s, log);
      return;
    }
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
  }
  rg_job_t r;
  memset(&r, 0, sizeof r);
  char cause[512];
  read_log_(log, &r, cause, sizeof cause);
  struct stat sb;
  if (stat(fst, &sb) == 0 && sb.st_size > 0) {
    put_(j->waves, sizeof j->waves, "%s", fst);
  }
  if (r.message[0] != '\0') {
    put_(j->rerun, sizeof j->rerun, "%s (log %s)", r.message, log);
  } else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
    put_(j->rerun, sizeof j->rerun,
         "passes on lockstep: the rtl and the model agree at every stop "
         "(log %s)",
         log);
  } else {
    put_(j->rerun, sizeof j->rerun, "%s (log %s)",
         cause[0] ? cause : "no FAIL line", log);
  }
}

/* The progress line on a terminal: redrawn when a count changes, or once
 * a second for the clock. */
static void progress_(const nc_regress_opts_t *o, FILE *out, int done,
                      int total, int running, int failed, double t0) {
  static double last = 0;
  static int key = -1;
  const double t = now_();
  const int k = (done * 1024 + running) * 1024 + failed;
  if (!o->progress_tty || (k == key && t - last < 1.0)) {
    return;
  }
  key = k;
  last = t;
  fprintf(out, "\r\033[K[%d/%d] %d running, %d passed, %d failed, %.0f s", done,
          total, running, done - failed, failed, t - t0);
  fflush(out);
}

int nc_regress_run(const nc_regress_test_t *const *tests, int ntests,
                   const nc_regress_opts_t *o, FILE *out) {
  /* The job list, then this shard's part of it. */
  int total = 0;
  for (int i = 0; i < ntests; i++) {
    total += o->seeds >= 0   ? o->seeds
             : o->level >= 0 ? tests[i]->seeds[o->level]
                             : 1;
  }
  job_t *jobs = calloc((size_t)total + 1, sizeof *jobs);
  if (jobs == NULL) {
    fprintf(out, "neocog regress: out of memory\n");
    return 2;
  }
  const char *display = o->exe;
  int n = 0, index = 0, missing = 0;
  for (int i = 0; i < ntests; i++) {
    const nc_regress_test_t *t = tests[i];
    const int count = o->seeds >= 0   ? o->seeds
                      : o->level >= 0 ? t->seeds[o->level]
                                      : 1;
    for (int s = 0; s < count; s++, index++) {
      if (index % o->shard_n != o->shard_k - 1) {
        continue;
      }
      job_t *jb = &jobs[n++];
      jb->t = t;
      char why[1200];
      if (rg_config_exe(t, o->exe, jb->exe, sizeof jb->exe, why,
                        sizeof why) != 0) {
        /* Once per test: the first of its jobs. */
        if (n == 1 || jobs[n - 2].t != t) {
          fprintf(stderr, "neocog regress: %s\n", why);
        }
        missing++;
      }
      rg_job_t *j = &jb->rec;
      snprintf(j->test, sizeof j->test, "%s", t->name);
      snprintf(j->gen, sizeof j->gen, "%s", t->gen);
      for (int b = 0; b < t->nbackends; b++) {
        const size_t l = strlen(j->backends);
        snprintf(j->backends + l, sizeof j->backends - l, "%s%s", b ? "," : "",
                 t->backends[b]);
      }
      j->seed = nc_regress_job_seed(o->seed, t->name, s);
      snprintf(j->log, sizeof j->log, "%s/logs/%s.%llu.log", o->out_dir,
               t->name, (unsigned long long)j->seed);
      const char *shown = o->display ? o->display : display;
      if (strcmp(jb->exe, o->exe) != 0) {
        /* Another build: shown as the runner's own path shows it. */
        const size_t cut = strlen(o->exe) - strlen(shown);
        shown = strlen(jb->exe) > cut && strncmp(jb->exe, o->exe, cut) == 0
                    ? jb->exe + cut
                    : jb->exe;
      }
      repro_(o, shown, j, j->reproduce, sizeof j->reproduce);
    }
  }
  if (missing > 0) {
    free(jobs);
    return 2;
  }
  char logs[1024], waves[1024], cov_dir[1024], cov_jobs[1100];
  snprintf(logs, sizeof logs, "%s/logs", o->out_dir);
  snprintf(waves, sizeof waves, "%s/waves", o->out_dir);
  snprintf(cov_dir, sizeof cov_dir, "%s", o->cov_dir ? o->cov_dir : "");
  if (o->cov_dir == NULL) {
    snprintf(cov_dir, sizeof cov_dir, "%s/cov", o->out_dir);
  }
  snprintf(cov_jobs, sizeof cov_jobs, "%s/jobs", cov_dir);
  if (o->cov) {
    /* A fresh start: an earlier run's files would be merged too. */
    char *rm[] = {"rm", "-rf", cov_jobs, NULL};
    const pid_t p = fork();
    if (p == 0) {
      execvp(rm[0], rm);
      _exit(127);
    }
    int ws;
    if (p > 0) {
      waitpid(p, &ws, 0);
    }
  }
  if (mkdirs_(logs) != 0 || mkdirs_(waves) != 0 ||
      (o->cov && mkdirs_(cov_jobs) != 0)) {
    fprintf(out, "neocog regress: cannot create %s: %s\n", o->out_dir,
            strerror(errno));
    free(jobs);
    return 2;
  }
  fprintf(out, "regress %s: %d job%s of %d test%s, -j %d, base seed %llu%s",
          o->label, n, n == 1 ? "" : "s", ntests, ntests == 1 ? "" : "s",
          o->jobs, (unsigned long long)o->seed,
          o->shard_n > 1 ? ", shard " : "");
  if (o->shard_n > 1) {
    fprintf(out, "%d/%d (%d jobs in all)", o->shard_k, o->shard_n, total);
  }
  fprintf(out, "; logs in %s\n", logs);
  if (o->cov) {
    fprintf(out, "coverage: jobs run %s, coverage into %s\n", o->exe, cov_dir);
  }
  fflush(out);
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal_;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  stop_ = 0;
  const double t0 = now_();
  int next = 0, running = 0, done = 0, failed = 0;
  while ((next < n && !stop_) || running > 0) {
    while (running < o->jobs && next < n && !stop_) {
      job_t *jb = &jobs[next++];
      char seed[32];
      snprintf(seed, sizeof seed, "%llu", (unsigned long long)jb->rec.seed);
      char *argv[] = {jb->exe,  "regress",       "--one",
                      jb->rec.test, "--seed",        seed,
                      "--list",     (char *)o->list, NULL};
      /* With coverage, each job writes into a directory of its own. */
      char cdir[1200];
      snprintf(cdir, sizeof cdir, "%s/jobs/%s.%s", cov_dir, jb->rec.test, seed);
      if (o->cov && mkdirs_(cdir) != 0) {
        snprintf(cdir, sizeof cdir, "%s/jobs", cov_dir);
      }
      jb->start = now_();
      jb->pid = spawn_(jb->exe, argv, jb->rec.log, NULL, o->cov ? cdir : NULL);
      if (jb->pid < 0) {
        snprintf(jb->rec.status, sizeof jb->rec.status, "error");
        snprintf(jb->rec.message, sizeof jb->rec.message, "fork: %s",
                 strerror(errno));
        nc_regress_signature(jb->rec.message, jb->rec.signature,
                             sizeof jb->rec.signature);
        done++;
        failed++;
        continue;
      }
      running++;
    }
    progress_(o, out, done, n, running, failed, t0);
    int ws = 0;
    const pid_t pid = waitpid(-1, &ws, WNOHANG);
    const double t = now_();
    if (pid <= 0) {
      /* Nothing finished: kill what ran out of time, then wait a little. */
      for (int i = 0; i < next; i++) {
        job_t *jb = &jobs[i];
        const double limit = o->timeout_s > 0 ? o->timeout_s : jb->t->timeout_s;
        if (jb->pid > 0 && !jb->timed_out && (t - jb->start > limit || stop_)) {
          jb->timed_out = t - jb->start > limit;
          kill(-jb->pid, SIGKILL);
          kill(jb->pid, SIGKILL);
        }
      }
      struct timespec ts = {0, 20000000};
      nanosleep(&ts, NULL);
      continue;
    }
    for (int i = 0; i < next; i++) {
      job_t *jb = &jobs[i];
      if (jb->pid != pid) {
        continue;
      }
      jb->pid = 0;
      running--;
      done++;
      if (stop_ && !jb->timed_out && !(WIFEXITED(ws))) {
        snprintf(jb->rec.status, sizeof jb->rec.status, "error");
        snprintf(jb->rec.message, sizeof jb->rec.message,
                 "interrupted by signal %d", (int)stop_);
        jb->rec.seconds = t - jb->start;
        nc_regress_signature(jb->rec.message, jb->rec.signature,
                             sizeof jb->rec.signature);
      } else {
        finish_(jb, ws, t);
      }
      const rg_job_t *j = &jb->rec;
      failed += !rg_job_passed(j);
      if (o->progress_tty && rg_job_passed(j)) {
        break;
      }
      if (o->progress_tty) {
        fputs("\r\033[K", out);
      }
      fprintf(out, "[%*d/%d] %-5s %s seed %llu (%.1f s, %llu items)",
              n >= 100  ? 4
              : n >= 10 ? 2
                        : 1,
              done, n, rg_job_passed(j) ? "PASS" : "FAIL", j->test,
              (unsigned long long)j->seed, j->seconds,
              (unsigned long long)j->items);
      if (!rg_job_passed(j)) {
        fprintf(out, ": %s\n    reproduce: %s\n    log: %s", j->message,
                j->reproduce, j->log);
      }
      fputc('\n', out);
      fflush(out);
      break;
    }
  }
  if (o->progress_tty) {
    fputs("\r\033[K", out);
  }
  /* Waveforms and lockstep reruns of the first failing RTL seeds. */
  int waved = 0;
  for (int i = 0; i < n && waved < o->waves && !stop_; i++) {
    if (jobs[i].pid == 0 && jobs[i].rec.status[0] &&
        !rg_job_passed(&jobs[i].rec) && uses_rtl_(&jobs[i]) &&
        strcmp(jobs[i].rec.status, "error") != 0) {
      fprintf(out, "rerunning %s seed %llu on lockstep with a waveform\n",
              jobs[i].rec.test, (unsigned long long)jobs[i].rec.seed);
      fflush(out);
      rerun_(o, &jobs[i]);
      waved++;
    }
  }
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  /* Only the jobs that ran (all of them unless interrupted). */
  rg_job_t *recs = calloc((size_t)n + 1, sizeof *recs);
  int nr = 0;
  for (int i = 0; i < n && recs != NULL; i++) {
    if (jobs[i].rec.status[0]) {
      recs[nr++] = jobs[i].rec;
    }
  }
  rg_run_t run;
  memset(&run, 0, sizeof run);
  snprintf(run.label, sizeof run.label, "%s", o->label);
  run.seed = o->seed;
  run.shard_k = o->shard_k;
  run.shard_n = o->shard_n;
  run.jobs = o->jobs;
  run.wall_s = now_() - t0;
  gethostname(run.host, sizeof run.host - 1);
  char path[1024];
  snprintf(path, sizeof path, "%s/jobs.jsonl", o->out_dir);
  FILE *f = fopen(path, "w");
  if (f != NULL) {
    rg_run_write(f, &run);
    for (int i = 0; i < nr; i++) {
      rg_job_write(f, &recs[i]);
    }
    fclose(f);
  }
  rg_cov_t cov;
  memset(&cov, 0, sizeof cov);
  int cov_rc = 0;
  if (o->cov) {
    const char *dirs[] = {cov_jobs};
    fprintf(out, "merging coverage...\n");
    fflush(out);
    cov_rc = rg_cov_merge(dirs, 1, 1, cov_dir, &cov, out);
  }
  char junit[1024], json[1024];
  snprintf(junit, sizeof junit, "%s/junit.xml", o->out_dir);
  snprintf(json, sizeof json, "%s/summary.json", o->out_dir);
  int rc = recs == NULL ? 1
                        : rg_report(&run, recs, nr, o->junit ? o->junit : junit,
                                    o->json ? o->json : json,
                                    o->cov ? &cov : NULL, out);
  rc |= cov_rc != 0;
  if (stop_) {
    fprintf(out, "regress: interrupted after %d of %d jobs\n", nr, n);
    rc = 1;
  }
  free(recs);
  free(jobs);
  return rc;
}

int nc_regress_merge(const char *const *dirs, int ndirs, const char *junit,
                     const char *json, const char *cov_dir, FILE *out) {
  rg_job_t *jobs = NULL;
  int n = 0, cap = 0;
  rg_run_t all;
  memset(&all, 0, sizeof all);
  for (int i = 0; i < ndirs; i++) {
    char path[1024], why[600];
    struct stat sb;
    if (stat(dirs[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
      snprintf(path, sizeof path, "%s/jobs.jsonl", dirs[i]);
    } else {
      snprintf(path, sizeof path, "%s", dirs[i]);
    }
    rg_run_t r;
    if (rg_jobs_read(path, &r, &jobs, &n, &cap, why, sizeof why) != 0) {
      fprintf(stderr, "neocog regress --merge: %s\n", why);
      free(jobs);
      return 2;
    }
    if (i == 0) {
      all = r;
    } else if (strcmp(r.label, all.label) != 0 || r.seed != all.seed) {
      fprintf(stderr,
              "neocog regress --merge: %s is run '%s' seed %llu, not '%s' "
              "seed %llu\n",
              path, r.label, (unsigned long long)r.seed, all.label,
              (unsigned long long)all.seed);
      free(jobs);
      return 2;
    }
    all.wall_s = r.wall_s > all.wall_s ? r.wall_s : all.wall_s;
    all.jobs =
        i == 0 ? r.jobs : all.jobs + r.jobs; /* jobs at a time, all shards */
    if (strcmp(r.host, all.host) != 0) {
      snprintf(all.host, sizeof all.host, "several");
    }
  }
  /* Shards of one run never run a job twice. */
  for (int i = 0; i < n; i++) {
    for (int k = i + 1; k < n; k++) {
      if (jobs[i].seed == jobs[k].seed &&
          strcmp(jobs[i].test, jobs[k].test) == 0) {
        fprintf(stderr,
                "neocog regress --merge: %s seed %llu is in two of the "
                "inputs (the same shard twice?)\n",
                jobs[i].test, (unsigned long long)jobs[i].seed);
        free(jobs);
        return 2;
      }
    }
  }
  fprintf(out, "merged %d job%s from %d shard%s\n", n, n == 1 ? "" : "s", ndirs,
          ndirs == 1 ? "" : "s");
  all.shard_k = all.shard_n = 1;
  /* Coverage, when the shards have it. */
  rg_cov_t cov;
  memset(&cov, 0, sizeof cov);
  int with_cov = 0, cov_rc = 0;
  for (int i = 0; i < ndirs && cov_dir != NULL; i++) {
    char dat[1024];
    snprintf(dat, sizeof dat, "%s/cov/coverage.dat", dirs[i]);
    with_cov += access(dat, R_OK) == 0;
  }
  if (with_cov > 0 && with_cov < ndirs) {
    fprintf(out, "regress: coverage: only %d of %d shards have "
            "cov/coverage.dat; merging those\n", with_cov, ndirs);
  }
  if (with_cov > 0) {
    if (mkdirs_(cov_dir) != 0) {
      fprintf(out, "regress: cannot create %s: %s\n", cov_dir, strerror(errno));
      cov_rc = -1;
    } else {
      cov_rc = rg_cov_merge(dirs, ndirs, 0, cov_dir, &cov, out);
    }
  }
  int rc = rg_report(&all, jobs, n, junit, json, with_cov ? &cov : NULL, out);
  rc |= cov_rc != 0;
  free(jobs);
  return rc;
}
