/*
 * The test kit: programs, workloads and data shared by the tests, the
 * benchmarks and the tools (the PGO trainer, the SystemC workload writer).
 * No test framework inside, so a tool that uses it links no Criterion: what
 * the kit builds is fixed, and a condition it requires that does not hold
 * is a bug, reported with its place before the program aborts.
 */
#ifndef NEOCOG_TESTKIT_TESTKIT_H
#define NEOCOG_TESTKIT_TESTKIT_H

#include <stdio.h>
#include <stdlib.h>

#include "neocog/status.h"

/* Aborts with the place and the condition when `cond` is false. */
#define TK_REQUIRE(cond)                                                  \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: testkit: %s failed\n", __FILE__, __LINE__, \
              #cond);                                                     \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* Aborts with the place, the call and the library's error detail when
 * `expr` does not return NC_OK. */
#define TK_REQUIRE_OK(expr)                                               \
  do {                                                                    \
    const int tk_st_ = (expr);                                            \
    if (tk_st_ != NC_OK) {                                                \
      fprintf(stderr, "%s:%d: testkit: %s: %s (%s)\n", __FILE__, __LINE__, \
              #expr, nc_status_name(tk_st_), nc_error_detail());          \
      abort();                                                            \
    }                                                                     \
  } while (0)

#endif /* NEOCOG_TESTKIT_TESTKIT_H */
