/*
 * What the parts of regress/ share: the generators' context and helpers,
 * and the job record the runner, the reports and the merge pass around.
 */
#ifndef NEOCOG_REGRESS_INTERNAL_H
#define NEOCOG_REGRESS_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "neocog/regress.h"
#include "neocog/rng.h"

/* ---- generators ---- */

/* One job in progress, as a generator sees it. */
typedef struct {
  const nc_regress_test_t *t;
  uint64_t seed;
  uint64_t stream; /* what items and the job's configuration are drawn from:
                      the seed and the test's name, so that two tests given
                      one seed do not draw the same stimulus */
  const char *backends[NC_REGRESS_MAX_BACKENDS];
  int nbackends;
  FILE *out;
  uint64_t items; /* items checked so far */
  uint64_t perf0[11]; /* the performance counters when the item's program
                         started: 0 after a clear, or what perf=preset
                         wrote (gen_isa.c's counter table order) */
} rg_ctx_t;

/* A generator: runs every item of the job; 0 passed, 1 failed (after
 * rg_fail). */
typedef int (*rg_gen_fn)(rg_ctx_t *c);

int rg_gen_layer(rg_ctx_t *c);
int rg_gen_isa(rg_ctx_t *c);
int rg_gen_illegal(rg_ctx_t *c);
int rg_gen_self(rg_ctx_t *c);

/* Prints "FAIL: <message>" (the line buckets are made from) and returns 1. */
int rg_fail(rg_ctx_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints an informational line. */
void rg_note(rg_ctx_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The test's option `key` (already checked against the generator's table
 * when the list was read), or `dflt`. */
long rg_opt_int(const rg_ctx_t *c, const char *key, long dflt);
const char *rg_opt_str(const rg_ctx_t *c, const char *key, const char *dflt);

/* Seed of item `item` of a job: items are independent of each other. */
uint64_t rg_item_seed(uint64_t seed, uint64_t item);

/* Names of the generators, for messages ("layer, isa, ..."). */
const char *rg_gen_names(void);

/* Whether `key=val` is an option generator `gen` takes; `why` says what
 * is wrong when not. */
int rg_gen_check_opt(const char *gen, const char *key, const char *val,
                     char *why, size_t len);

/* Decimal in 0..max; -1 when `s` is not one. */
int rg_parse_uint(const char *s, unsigned long long max,
                  unsigned long long *out);

/* ---- jobs and reports ---- */

/* One (test, seed) run and what came of it. */
typedef struct {
  char test[48];
  char gen[24];
  char backends[40]; /* comma-separated */
  uint64_t seed;
  char status[8];      /* pass, fail, timeout, crash, error */
  double seconds;      /* wall time of the job */
  uint64_t items;      /* items it checked */
  char message[512];   /* the first error line */
  char signature[512]; /* the message with numbers masked */
  char reproduce[768]; /* the one command that reproduces it */
  char log[512];       /* its output */
  char waves[512];     /* FST of the rerun, or "" */
  char rerun[512];     /* what the lockstep rerun said, or "" */
  char excerpt[2048];  /* the log's last lines, for JUnit */
} rg_job_t;

/* The run a set of job records belongs to. */
typedef struct {
  char label[48]; /* level or "tests" */
  uint64_t seed;  /* base seed */
  int shard_k, shard_n;
  int jobs;      /* -j */
  double wall_s; /* wall time of the run(s) */
  char host[64];
} rg_run_t;

/* Appends one job's record as a JSON line. */
void rg_job_write(FILE *f, const rg_job_t *j);

/* Writes the run header line of a jobs.jsonl file. */
void rg_run_write(FILE *f, const rg_run_t *r);

/* Reads a jobs.jsonl file: the run header into *r, the jobs appended to
 * *jobs (realloc'd, *n and *cap updated). 0, or -1 with `why` set. */
int rg_jobs_read(const char *path, rg_run_t *r, rg_job_t **jobs, int *n,
                 int *cap, char *why, size_t len);

/* The summary table, buckets and reproduce lines, the coverage when `cov`
 * is not NULL; JUnit XML and the JSON summary (paths may be NULL). Returns 0
 * when every job passed, else 1. */
struct rg_cov;
int rg_report(const rg_run_t *r, const rg_job_t *jobs, int n, const char *junit,
              const char *json, const struct rg_cov *cov, FILE *out);

/* Whether a status is a pass. */
int rg_job_passed(const rg_job_t *j);

/* Whether test `t` runs on this build's array shape (no config=, or this
 * build's). */
int rg_config_native(const nc_regress_test_t *t);

/* The program that runs test `t`'s jobs when this one is `exe`: `exe`
 * unless the test names another array shape, then that shape's build
 * beside this one (BUILD/RxC/bin/neocog). 0, or -1 with `why` naming the
 * make command that builds it. */
int rg_config_exe(const nc_regress_test_t *t, const char *exe, char *buf,
                  size_t len, char *why, size_t wlen);

/* Seconds on the monotonic clock. */
double rg_now(void);

/* mkdir -p; 0 or -1 (errno set). */
int rg_mkdirs(const char *path);

/* Starts `argv` in a process group of its own with its output in `log`;
 * `env_fst` (when not NULL) as NEOCOG_RTL_FST, `env_mutant` (when not
 * NULL) as NEOCOG_RTL_MUTANT, `env_cov` (when not NULL) as
 * NEOCOG_RTL_COV_DIR. The pid, or -1. */
pid_t rg_spawn(const char *exe, char *const argv[], const char *log,
               const char *env_fst, const char *env_mutant,
               const char *env_cov);

/* Reads a job's log: the first "FAIL: " line into j->message, the items
 * count, the last line that names a cause (testkit, sanitizer, assert)
 * into `cause`, and the last lines into j->excerpt. */
void rg_read_log(const char *path, rg_job_t *j, char *cause, size_t clen);

/* ---- coverage (regress/cov.c) ---- */

enum { RG_COV_LINE, RG_COV_BRANCH, RG_COV_TOGGLE, RG_COV_USER, RG_COV_KINDS };

/* What a coverage run measured. */
typedef struct rg_cov {
  int have;                     /* a coverage run: the fields below are set */
  int files;                    /* .dat files merged */
  uint64_t hit[RG_COV_KINDS];   /* points hit, per kind */
  uint64_t total[RG_COV_KINDS]; /* points, per kind (exclusions left out) */
  uint64_t excluded[RG_COV_KINDS]; /* points left out by the exclusion file */
  char exclude_file[256];       /* the exclusion file read, or "" */
  char hole_names[1024];        /* cover points never hit, comma-separated */
  char dir[512];                /* coverage.dat, cover_points.txt, html/ */
  char html[600];               /* html/index.html, or "" without genhtml */
} rg_cov_t;

/* Merges the coverage files of a run into DIR/coverage.dat and reports it
 * (rg_cov_report). per_job: `dirs` holds one directory per job, each with
 * .dat files; else `dirs` are shard output directories, each with
 * cov/coverage.dat. 0, or -1 (said on `out`). */
int rg_cov_merge(const char *const *dirs, int ndirs, int per_job,
                 const char *dir, rg_cov_t *c, FILE *out);

/* Reads a merged coverage file into *c and writes DIR/cover_points.txt (the
 * holes first) and DIR/html (genhtml). 0, or -1 (said on `out`). */
int rg_cov_report(const char *dat, const char *dir, rg_cov_t *c, FILE *out);

/* The coverage lines of the summary. */
void rg_cov_print(const rg_cov_t *c, FILE *out);

/* "line", "branch", "toggle", "cover_points"; percentage of a kind. */
const char *rg_cov_kind_name(int kind);
double rg_cov_pct(const rg_cov_t *c, int kind);

#endif /* NEOCOG_REGRESS_INTERNAL_H */
