/* neocog regress: the regression runner (regress/, neocog/regress.h). */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/regress.h"

static const char help_[] =
    "usage: neocog regress LEVEL|TEST... [-j N] [--seeds N] [--seed S|random]\n"
    "                      [--shard K/N] [--junit FILE] [--json FILE]\n"
    "                      [--out DIR] [--waves N] [--timeout S] [--list F]\n"
    "                      [--cov [--cov-dir DIR]]\n"
    "       neocog regress --one TEST --seed S [--backend B] [--list F]\n"
    "       neocog regress --merge DIR... [--out DIR] [--junit F] [--json F]\n"
    "       neocog regress --cov-report FILE.dat [--cov-dir DIR]\n"
    "       neocog regress --tests [LEVEL]\n"
    "       neocog regress --mutate LEVEL|TEST... [--mutants IDS] [-j N] ...\n"
    "\n"
    "Runs the regression: the jobs (test, seed) of a level of the test list\n"
    "(smoke, nightly, soak) or of the tests named (shell patterns work:\n"
    "'layer_*'), each in a child process under its test's timeout, and\n"
    "reports them: a line per finished job, a summary table with\n"
    "throughput, failures bucketed by signature with a reproduce line each,\n"
    "JUnit XML and a JSON summary. A failing seed of a test that runs the\n"
    "RTL is run again on lockstep with an FST waveform.\n"
    "\n"
    "  -j N, --jobs N   jobs at a time (default: the number of CPUs)\n"
    "  --seeds N        seeds per test (default: the level's count in the\n"
    "                   list; 1 for named tests)\n"
    "  --seed S         base seed: the first job of each test runs S, the\n"
    "                   others seeds derived from it (default 1); 'random'\n"
    "                   draws one, printed in the report\n"
    "  --shard K/N      run only shard K of N of the job list (the same\n"
    "                   list on every machine: give the same --seed)\n"
    "  --junit FILE     JUnit XML (default OUT/junit.xml)\n"
    "  --json FILE      JSON summary (default OUT/summary.json)\n"
    "  --out DIR        logs, waveforms, job records (default\n"
    "                   build/regress/LEVEL[-shard-K-of-N])\n"
    "  --waves N        failing RTL seeds rerun with a waveform (default 2)\n"
    "  --timeout S      per-job timeout in seconds (default: the list's)\n"
    "  --cov            run the jobs on the coverage build of neocog\n"
    "                   (build/coverage/neocog: make regress-cov), merge their\n"
    "                   coverage of nc_top and report line, branch, toggle and\n"
    "                   the cover points hit, the holes (never hit) in\n"
    "                   DIR/cover_points.txt and an HTML report in DIR/html\n"
    "  --cov-dir DIR    where coverage goes (default OUT/cov)\n"
    "  --cov-report F   that report of one merged coverage file\n"
    "  --list FILE      the test list (default $NEOCOG_REGRESS_LIST or\n"
    "                   regress/tests.list)\n"
    "  --one TEST       run one job in this process (what the runner runs);\n"
    "                   --backend runs it on model, rtl or lockstep instead\n"
    "  --merge DIR...   one report from the job records (jobs.jsonl) of\n"
    "                   shard output directories (into --out, default\n"
    "                   build/regress/merged), and of their coverage\n"
    "                   (DIR/cov/coverage.dat) when they ran with --cov\n"
    "  --tests [LEVEL]  list the tests (of a level) with their seed counts\n"
    "  --mutate         the mutation check: run the RTL tests of the level\n"
    "                   against every mutant of a mutant build (this program\n"
    "                   must be one: make regress-mutant-bin), report the\n"
    "                   mutation score and the survivors (docs/testing.md)\n"
    "  --mutants IDS    only these mutants: 3,7,10-12 (0: the original)\n"
    "  --equivalent F   survivors argued equivalent (default\n"
    "                   regress/equivalent_mutants.tsv)\n"
    "\n"
    "Exit status: 0 every job passed, 1 a job failed, 2 bad command line.\n";

#define MAX_SEL 256

static int usage_(const char *fmt, const char *arg) {
  fprintf(stderr, "neocog regress: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see 'neocog regress --help')\n");
  return CLI_EXIT_USAGE;
}

static int parse_count_(const char *s, long lo, long hi, long *out) {
  char *end = NULL;
  if (s == NULL || *s == '\0') {
    return -1;
  }
  const long v = strtol(s, &end, 10);
  if (*end != '\0' || v < lo || v > hi) {
    return -1;
  }
  *out = v;
  return 0;
}

/* This program's path, and how to show it (relative to the working
 * directory when it is under it). */
static void self_(char *exe, size_t len, const char **display) {
  const ssize_t n = readlink("/proc/self/exe", exe, len - 1);
  exe[n > 0 ? n : 0] = '\0';
  if (n <= 0) {
    snprintf(exe, len, "build/bin/neocog");
  }
  static char cwd[PATH_MAX];
  *display = exe;
  if (getcwd(cwd, sizeof cwd) != NULL) {
    const size_t c = strlen(cwd);
    if (strncmp(exe, cwd, c) == 0 && exe[c] == '/') {
      *display = exe + c + 1;
    }
  }
}

static int tests_(const nc_regress_list_t *l, const char *level) {
  const int lv = level ? nc_regress_level_parse(level) : -1;
  if (level != NULL && lv < 0) {
    return usage_("unknown level '%s' (smoke, nightly, soak)", level);
  }
  printf("%-22s %-8s %-18s %6s %8s %5s %8s\n", "test", "gen", "backends",
         "smoke", "nightly", "soak", "timeout");
  for (int i = 0; i < l->n; i++) {
    const nc_regress_test_t *t = &l->tests[i];
    if (lv >= 0 && t->seeds[lv] == 0) {
      continue;
    }
    char b[64] = "";
    for (int k = 0; k < t->nbackends; k++) {
      strcat(b, k ? "," : "");
      strcat(b, t->backends[k]);
    }
    printf("%-22s %-8s %-18s %6d %8d %5d %7.0fs\n", t->name, t->gen, b,
           t->seeds[0], t->seeds[1], t->seeds[2], t->timeout_s);
  }
  return 0;
}

/* The mutation check: the mutant list lies next to this program when it
 * is a mutant build. */
static int mutate_(const nc_regress_test_t **tests, int ntests,
                   const nc_regress_opts_t *o, const char *mutants,
                   const char *equivalent) {
  char tsv[PATH_MAX + 16];
  snprintf(tsv, sizeof tsv, "%s", o->exe);
  char *slash = strrchr(tsv, '/');
  snprintf(slash ? slash + 1 : tsv, sizeof tsv - (size_t)(slash ? slash + 1 - tsv : 0),
           "mutants.tsv");
  if (access(tsv, R_OK) != 0) {
    fprintf(stderr,
            "neocog regress --mutate: %s is not a mutant build (no %s); "
            "build one with 'make regress-mutant-bin' and run "
            "build/regress/mutate/neocog\n",
            o->display, tsv);
    return CLI_EXIT_USAGE;
  }
  if (equivalent == NULL && access("regress/equivalent_mutants.tsv", R_OK) == 0) {
    equivalent = "regress/equivalent_mutants.tsv";
  } else if (equivalent != NULL && access(equivalent, R_OK) != 0) {
    return usage_("--equivalent %s: cannot read it", equivalent);
  }
  return nc_regress_mutate(tests, ntests, o, tsv, mutants, equivalent, stdout);
}

int cmd_regress(int argc, char **argv) {
  const char *sel[MAX_SEL];
  const char *merge[MAX_SEL];
  int nsel = 0, nmerge = 0;
  const char *list = getenv("NEOCOG_REGRESS_LIST");
  const char *one = NULL, *backend = NULL, *out = NULL, *seed_s = NULL;
  const char *cov_report = NULL;
  nc_regress_opts_t o;
  memset(&o, 0, sizeof o);
  o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
  o.jobs = o.jobs < 1 ? 1 : o.jobs;
  o.seeds = -1;
  o.seed = 1;
  o.shard_k = o.shard_n = 1;
  o.waves = 2;
  o.progress_tty = isatty(fileno(stdout));
  int want_merge = 0, want_tests = 0, want_mutate = 0;
  const char *mutants = NULL, *equivalent = NULL;
  long v = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    /* Options that take a value: --key value, --key=value, -j N, -jN. */
    const char *val = NULL;
    char key[32] = "";
    if (strncmp(a, "--", 2) == 0) {
      const char *eq = strchr(a, '=');
      snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - a - 2) : 31, a + 2);
      val = eq ? eq + 1 : NULL;
    } else if (strncmp(a, "-j", 2) == 0) {
      snprintf(key, sizeof key, "jobs");
      val = a[2] ? a + 2 : NULL;
    } else if (a[0] == '-') {
      return usage_("unknown option '%s'", a);
    } else {
      if (want_merge ? nmerge == MAX_SEL : nsel == MAX_SEL) {
        return usage_("too many arguments at '%s'", a);
      }
      if (want_merge) {
        merge[nmerge++] = a;
      } else {
        sel[nsel++] = a;
      }
      continue;
    }
    if (strcmp(key, "help") == 0) {
      fputs(help_, stdout);
      return 0;
    }
    if (strcmp(key, "mutate") == 0) {
      if (val != NULL) {
        return usage_("--%s takes no value: the level or tests follow", key);
      }
      want_mutate = 1;
      continue;
    }
    if (strcmp(key, "cov") == 0) {
      if (val != NULL) {
        return usage_("%s", "--cov takes no value (--cov-dir DIR places it)");
      }
      o.cov = 1;
      continue;
    }
    if (strcmp(key, "merge") == 0 || strcmp(key, "tests") == 0) {
      if (val != NULL) {
        return usage_("--%s takes no value", key);
      }
      want_merge |= key[0] == 'm';
      want_tests |= key[0] == 't';
      continue;
    }
    static const char *const with_value[] = {
        "jobs",  "seeds",   "seed", "shard", "junit",   "json", "out",
        "waves", "timeout", "list", "one",   "backend", "mutants",
        "equivalent", "cov-dir", "cov-report", NULL};
    int known = 0;
    for (const char *const *k = with_value; *k; k++) {
      known |= strcmp(*k, key) == 0;
    }
    if (!known) {
      return usage_("unknown option '%s'", a);
    }
    if (val == NULL) {
      if (i + 1 >= argc) {
        return usage_("%s needs a value", a);
      }
      val = argv[++i];
    }
    if (strcmp(key, "jobs") == 0) {
      if (parse_count_(val, 1, 256, &v) != 0) {
        return usage_("-j %s: want a number of jobs 1..256", val);
      }
      o.jobs = (int)v;
    } else if (strcmp(key, "seeds") == 0) {
      if (parse_count_(val, 1, 10000000, &v) != 0) {
        return usage_("--seeds %s: want a count 1..10000000", val);
      }
      o.seeds = (int)v;
    } else if (strcmp(key, "seed") == 0) {
      seed_s = val;
    } else if (strcmp(key, "shard") == 0) {
      long k = 0, n = 0;
      char kb[24], nb[24];
      const char *sl = strchr(val, '/');
      if (sl == NULL || sl - val >= (long)sizeof kb ||
          strlen(sl + 1) >= sizeof nb) {
        return usage_("--shard %s: want K/N with 1 <= K <= N", val);
      }
      snprintf(kb, sizeof kb, "%.*s", (int)(sl - val), val);
      snprintf(nb, sizeof nb, "%s", sl + 1);
      if (parse_count_(kb, 1, 100000, &k) != 0 ||
          parse_count_(nb, 1, 100000, &n) != 0 || k > n) {
        return usage_("--shard %s: want K/N with 1 <= K <= N", val);
      }
      o.shard_k = (int)k;
      o.shard_n = (int)n;
    } else if (strcmp(key, "junit") == 0) {
      o.junit = val;
    } else if (strcmp(key, "json") == 0) {
      o.json = val;
    } else if (strcmp(key, "out") == 0) {
      out = val;
    } else if (strcmp(key, "waves") == 0) {
      if (parse_count_(val, 0, 10000, &v) != 0) {
        return usage_("--waves %s: want a count 0..10000", val);
      }
      o.waves = (int)v;
    } else if (strcmp(key, "timeout") == 0) {
      if (parse_count_(val, 1, 864000, &v) != 0) {
        return usage_("--timeout %s: want seconds 1..864000", val);
      }
      o.timeout_s = (double)v;
    } else if (strcmp(key, "mutants") == 0) {
      mutants = val;
    } else if (strcmp(key, "equivalent") == 0) {
      equivalent = val;
    } else if (strcmp(key, "list") == 0) {
      list = val;
    } else if (strcmp(key, "cov-dir") == 0) {
      o.cov_dir = val;
    } else if (strcmp(key, "cov-report") == 0) {
      cov_report = val;
    } else if (strcmp(key, "one") == 0) {
      one = val;
    } else if (strcmp(key, "backend") == 0) {
      if (strcmp(val, "model") != 0 && strcmp(val, "rtl") != 0 &&
          strcmp(val, "lockstep") != 0) {
        return usage_("--backend %s: want model, rtl or lockstep", val);
      }
      backend = val;
    }
  }
  if ((mutants != NULL || equivalent != NULL) && !want_mutate) {
    return usage_("%s", "--mutants and --equivalent go with --mutate");
  }
  if (want_mutate && (want_merge || want_tests || one != NULL ||
                      o.shard_n > 1 || o.cov)) {
    return usage_("%s", "--mutate goes with a level or tests only (no "
                        "--merge, --tests, --one, --shard or --cov)");
  }
  if (cov_report != NULL) {
    if (nsel > 0 || want_merge || one != NULL || o.cov) {
      return usage_("%s", "--cov-report takes a coverage file and --cov-dir only");
    }
    return nc_regress_cov_report(cov_report,
                                 o.cov_dir ? o.cov_dir : "build/regress/cov",
                                 stdout);
  }
  if (o.cov_dir != NULL && !o.cov && !want_merge) {
    return usage_("%s", "--cov-dir goes with --cov, --merge or --cov-report");
  }
  if (want_merge) {
    if (o.cov) {
      return usage_("%s", "--merge merges the shards' coverage without --cov");
    }
    if (nmerge == 0) {
      return usage_("%s", "--merge needs the shards' output directories");
    }
    if (nsel > 0 || one != NULL) {
      return usage_("%s", "--merge takes directories only");
    }
    /* Reports next to each other in one directory unless placed. */
    char dir[PATH_MAX], junit[PATH_MAX + 16], json[PATH_MAX + 16];
    char cov_dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s", out ? out : "build/regress/merged");
    for (char *p = dir + 1;; p++) {
      const char c = *p;
      if (c == '/' || c == '\0') {
        *p = '\0';
        mkdir(dir, 0777);
        *p = c;
      }
      if (c == '\0') {
        break;
      }
    }
    snprintf(junit, sizeof junit, "%s/junit.xml", dir);
    snprintf(json, sizeof json, "%s/summary.json", dir);
    snprintf(cov_dir, sizeof cov_dir, "%s/cov", dir);
    return nc_regress_merge(merge, nmerge, o.junit ? o.junit : junit,
                            o.json ? o.json : json,
                            o.cov_dir ? o.cov_dir : cov_dir, stdout);
  }
  list = list != NULL ? list : "regress/tests.list";
  nc_regress_list_t l;
  if (nc_regress_list_load(list, &l) != NC_OK) {
    fprintf(stderr, "neocog regress: %s\n", nc_error_detail());
    return CLI_EXIT_USAGE;
  }
  int rc = CLI_EXIT_USAGE;
  if (seed_s != NULL && strcmp(seed_s, "random") == 0) {
    if (one != NULL || o.shard_n > 1) {
      rc = usage_("%s", one ? "--one needs the seed to run"
                            : "--shard needs a fixed --seed: every shard "
                              "must see the same job list");
      goto out;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    o.seed = ((uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^
              (uint64_t)getpid() << 16) &
             0xffffffffu;
  } else if (seed_s != NULL) {
    char *end = NULL;
    o.seed = strtoull(seed_s, &end, 0);
    if (*seed_s == '\0' || *seed_s == '-' || *end != '\0') {
      rc = usage_("--seed %s: want a number or 'random'", seed_s);
      goto out;
    }
  }
  if (want_tests) {
    rc = nsel > 1 ? usage_("%s", "--tests takes at most one level")
                  : tests_(&l, nsel ? sel[0] : NULL);
    goto out;
  }
  if (one != NULL && o.cov) {
    rc = usage_("%s", "--one runs on the build it is: run the coverage "
                      "build's neocog for coverage");
    goto out;
  }
  if (one != NULL) {
    const nc_regress_test_t *t = nc_regress_list_find(&l, one);
    if (t == NULL) {
      rc = usage_("unknown test '%s' ('neocog regress --tests' lists them)",
                  one);
    } else if (seed_s == NULL) {
      rc = usage_("%s", "--one needs --seed S");
    } else if (nsel > 0) {
      rc = usage_("unexpected argument '%s' with --one", sel[0]);
    } else {
      rc = nc_regress_run_one(t, o.seed, backend, stdout);
    }
    goto out;
  }
  if (backend != NULL) {
    rc = usage_("%s", "--backend goes with --one");
    goto out;
  }
  if (nsel == 0) {
    rc = usage_("%s",
                "nothing to run: give a level (smoke, nightly, soak) "
                "or tests");
    goto out;
  }
  /* A level, or tests (and patterns) from the list, in list order. */
  const nc_regress_test_t **tests = calloc((size_t)l.n + 1, sizeof *tests);
  int ntests = 0;
  o.level = -1;
  if (nsel == 1 && nc_regress_level_parse(sel[0]) >= 0) {
    o.level = nc_regress_level_parse(sel[0]);
    for (int i = 0; i < l.n; i++) {
      if (l.tests[i].seeds[o.level] > 0) {
        tests[ntests++] = &l.tests[i];
      }
    }
  } else {
    for (int s = 0; s < nsel; s++) {
      int hit = 0;
      if (nc_regress_level_parse(sel[s]) >= 0) {
        rc = usage_("level '%s' cannot be mixed with other selections", sel[s]);
        free(tests);
        goto out;
      }
      for (int i = 0; i < l.n; i++) {
        if (fnmatch(sel[s], l.tests[i].name, 0) == 0) {
          hit = 1;
          int dup = 0;
          for (int k = 0; k < ntests; k++) {
            dup |= tests[k] == &l.tests[i];
          }
          if (!dup) {
            tests[ntests++] = &l.tests[i];
          }
        }
      }
      if (!hit) {
        rc = usage_(
            "unknown test or level '%s' (levels: smoke, nightly, "
            "soak; 'neocog regress --tests' lists the tests)",
            sel[s]);
        free(tests);
        goto out;
      }
    }
  }
  char exe[PATH_MAX], cov_exe[PATH_MAX + 32];
  self_(exe, sizeof exe, &o.display);
  o.exe = exe;
  if (o.cov) {
    char why[PATH_MAX + 160];
    if (nc_regress_cov_exe(exe, cov_exe, sizeof cov_exe, why, sizeof why) != 0) {
      fprintf(stderr, "neocog regress: %s\n", why);
      free(tests);
      rc = CLI_EXIT_USAGE;
      goto out;
    }
    o.exe = cov_exe;
  }
  o.list = list;
  o.label = o.level >= 0 ? nc_regress_level_name(o.level) : "tests";
  char outbuf[PATH_MAX];
  if (out == NULL) {
    if (want_mutate) {
      snprintf(outbuf, sizeof outbuf, "build/regress/mutate-%s", o.label);
    } else if (o.shard_n > 1) {
      snprintf(outbuf, sizeof outbuf, "build/regress/%s-shard-%d-of-%d",
               o.label, o.shard_k, o.shard_n);
    } else {
      snprintf(outbuf, sizeof outbuf, "build/regress/%s", o.label);
    }
    out = outbuf;
  }
  o.out_dir = out;
  if (want_mutate) {
    rc = mutate_(tests, ntests, &o, mutants, equivalent);
  } else {
    rc = nc_regress_run(tests, ntests, &o, stdout);
  }
  free(tests);
out:
  nc_regress_list_free(&l);
  return rc;
}
