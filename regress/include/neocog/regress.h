/*
 * The regression system: a test list with levels, constrained-random
 * stimulus generators checked against the golden reference and the
 * functional model, and a runner that spreads (test, seed) jobs over child
 * processes, shards and machines and reports them for people and for CI.
 *
 *   list      regress/tests.list: one test per line, a generator, its
 *             backends, options and a seed count per level (smoke,
 *             nightly, soak)
 *   generator one seeded run of a test, in its own process
 *             (`neocog regress --one TEST --seed S`): a number of items
 *             (layers, programs) drawn from the seed, each checked; prints
 *             "FAIL: ..." lines and exits 1 on the first failure
 *   runner    `neocog regress LEVEL|TEST...`: the jobs of a level (or of
 *             named tests), -j N at a time, each under a timeout, with a
 *             progress line, a summary table, JUnit XML, a JSON summary,
 *             failures bucketed by signature and a reproduce line each,
 *             waveforms and a lockstep rerun of failing RTL seeds
 *   merge     `neocog regress --merge DIR...`: the shards' job records as
 *             one report
 *
 * This is program code of the top layer (host/cli links it into neocog):
 * it prints and writes files; the library below never does.
 */
#ifndef NEOCOG_REGRESS_H
#define NEOCOG_REGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Regression levels, cheapest first. */
typedef enum {
  NC_REGRESS_SMOKE = 0, /**< part of make test: a few minutes */
  NC_REGRESS_NIGHTLY,   /**< under 30 minutes on a 2-core machine */
  NC_REGRESS_SOAK,      /**< as many seeds as asked for */
  NC_REGRESS_LEVEL_COUNT
} nc_regress_level_t;

#define NC_REGRESS_MAX_OPTS 16    /**< generator options per test */
#define NC_REGRESS_MAX_BACKENDS 3 /**< backends per test */

/** One test of the list. */
typedef struct {
  char name[48];                              /**< unique */
  char gen[24];                               /**< generator */
  char backends[NC_REGRESS_MAX_BACKENDS][12]; /**< model, rtl, lockstep */
  int nbackends;                              /**< 1.. */
  int seeds[NC_REGRESS_LEVEL_COUNT];          /**< 0: not in the level */
  double timeout_s;                           /**< per job */
  char config[16]; /**< array shape "RxC" the test runs on (the build in
                        build/RxC, make ROWS=R COLS=C), "": any */
  int nopts;                                  /**< generator options */
  char opt_key[NC_REGRESS_MAX_OPTS][24];      /**< option names */
  char opt_val[NC_REGRESS_MAX_OPTS][48];      /**< their values */
  int line;                                   /**< line in the list */
} nc_regress_test_t;

/** A loaded test list. */
typedef struct {
  nc_regress_test_t *tests; /**< in file order */
  int n;                    /**< how many */
  char path[512];           /**< where it was read from */
} nc_regress_list_t;

/** "smoke", "nightly", "soak". */
const char *nc_regress_level_name(nc_regress_level_t level);

/** The level named `name`, or -1. */
int nc_regress_level_parse(const char *name);

/**
 * Reads a test list. Every entry is checked (unknown generator, backend or
 * option, duplicate name, bad number): NC_ERR_FORMAT with the detail
 * "FILE:LINE: what is wrong"; NC_ERR_IO when the file cannot be read.
 */
NC_MUST_CHECK nc_status_t nc_regress_list_load(const char *path,
                                               nc_regress_list_t *out);

/** Frees a list (safe on a zeroed one). */
void nc_regress_list_free(nc_regress_list_t *l);

/** The test named `name`, or NULL. */
const nc_regress_test_t *nc_regress_list_find(const nc_regress_list_t *l,
                                              const char *name);

/**
 * Runs one job in this process: test `t` with `seed`, on `backend` instead
 * of the test's own backends when not NULL. Writes what it does to `out`
 * ("FAIL: ..." lines on a failure, then "regress-items: N") and returns 0
 * when every item passed, 1 on a failure.
 */
int nc_regress_run_one(const nc_regress_test_t *t, uint64_t seed,
                       const char *backend, FILE *out);

/** Whether generator `gen` exists, and which options it takes. */
int nc_regress_gen_known(const char *gen);
int nc_regress_gen_takes(const char *gen, const char *opt);

/** The seed of job `index` of test `name` for base seed `base`: `base`
 *  itself for index 0, so that `--seed S --seeds 1` reruns seed S. */
uint64_t nc_regress_job_seed(uint64_t base, const char *name, int index);

/** How the runner runs. */
typedef struct {
  const char *exe;      /**< program the jobs run (this one) */
  const char *display;  /**< how reproduce lines name it (NULL: exe) */
  const char *list;     /**< the test list's path, passed to jobs */
  const char *label;    /**< the run's name: a level, or "tests" */
  const char *out_dir;  /**< logs, waveforms, job records */
  const char *junit;    /**< JUnit XML path, or NULL: out_dir/junit.xml */
  const char *json;     /**< JSON summary path, or NULL: out_dir/... */
  int level;            /**< a level, or -1 for named tests */
  int jobs;             /**< processes at a time, >= 1 */
  int seeds;            /**< seeds per test, or -1: the list's counts */
  uint64_t seed;        /**< base seed */
  int shard_k, shard_n; /**< this shard (1-based) of n; 1 of 1: all */
  int waves;            /**< failing RTL seeds rerun with waveforms */
  double timeout_s;     /**< per job, or 0: the list's */
  int progress_tty;     /**< 1: one rewritten line; 0: a line per job */
  int cov;              /**< 1: exe is a coverage build; each job writes
                             its coverage, the run merges and reports it */
  const char *cov_dir;  /**< coverage output, or NULL: out_dir/cov */
} nc_regress_opts_t;

/**
 * Runs the jobs of `tests` (selected from a list) and reports them on
 * `out`. Returns 0 when every job passed, 1 when one failed, 2 when the
 * run could not start (reported).
 */
int nc_regress_run(const nc_regress_test_t *const *tests, int ntests,
                   const nc_regress_opts_t *o, FILE *out);

/**
 * Combines the job records (jobs.jsonl) of the shard output directories
 * `dirs` into one report: the summary table on `out`, JUnit XML at
 * `junit` and the JSON summary at `json` (either may be NULL). When the
 * shards ran with coverage (DIR/cov/coverage.dat), their coverage is merged
 * into `cov_dir` (NULL: not merged) and reported. Returns 0 when every job
 * passed, 1 when one failed, 2 on unreadable input.
 */
int nc_regress_merge(const char *const *dirs, int ndirs, const char *junit,
                     const char *json, const char *cov_dir, FILE *out);

/**
 * The coverage build of neocog next to `self` (DIR/../coverage/neocog, what
 * `make regress-cov` builds) into `buf`. Returns 0, or -1 with `why` (one
 * line that names the command to run) when it or verilator_coverage is
 * missing.
 */
int nc_regress_cov_exe(const char *self, char *buf, size_t len, char *why,
                       size_t wlen);

/**
 * Reports a Verilator coverage file of nc_top (merged by verilator_coverage)
 * on `out`: line, branch and toggle percentages and the functional cover
 * points hit; writes `dir`/cover_points.txt (the holes first) and, with
 * lcov's genhtml, `dir`/html. Returns 0, or 2 on unreadable input.
 */
int nc_regress_cov_report(const char *dat, const char *dir, FILE *out);

/**
 * The mutation check (regress/mutate.c): runs the jobs of `tests` that use
 * the RTL against each mutant of a mutant build, listed in `mutants_tsv`
 * (hw/gen/mutate.py), this program being that build; mutant K runs with
 * NEOCOG_RTL_MUTANT=K. Mutant 0, the original design, runs first and must
 * pass. A mutant is killed by its first failing job; one that passes every
 * job survives, unless `equivalent` (a file, may be NULL) argues it
 * equivalent. `select` picks mutants ("3,7,10-12"; NULL: all, 0 included).
 * Reports the score and the survivors on `out` and as JSON (o->json, or
 * o->out_dir/mutation.json). Returns 0 when every selected non-equivalent
 * mutant was killed, 1 when one survived, 2 on bad input or when mutant 0
 * fails (reported).
 */
int nc_regress_mutate(const nc_regress_test_t *const *tests, int ntests,
                      const nc_regress_opts_t *o, const char *mutants_tsv,
                      const char *select, const char *equivalent, FILE *out);

/** The bucket signature of an error line: numbers and addresses masked
 *  ("0x1f00 at 12" -> "0x# at #"), into `buf`. */
void nc_regress_signature(const char *line, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_REGRESS_H */
