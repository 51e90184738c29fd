/*
 * The Verilator harness (neocog/rtl.h) as the device of a workload file's
 * host sequence (ncw_run() of neocog/ncw.h): the one adapter the tools and
 * benchmarks that write or time .ncw workloads share.
 */
#ifndef NEOCOG_TESTKIT_NCW_RTL_H
#define NEOCOG_TESTKIT_NCW_RTL_H

#include "neocog/ncw.h"
#include "neocog/rtl.h"

static inline int tk_ncw_rtl_rd_(void *ctx, uint32_t off, uint32_t *v) {
  return nc_rtl_csr_read(ctx, off, v) != NC_OK;
}

static inline int tk_ncw_rtl_wr_(void *ctx, uint32_t off, uint32_t v) {
  return nc_rtl_csr_write(ctx, off, v) != NC_OK;
}

static inline int tk_ncw_rtl_run_(void *ctx, uint64_t budget, int *busy) {
  return nc_rtl_run(ctx, budget, busy) != NC_OK;
}

/* `r` as an ncw_run() device. */
static inline ncw_dev_t tk_ncw_rtl(nc_rtl_t *r) {
  const ncw_dev_t d = {r, tk_ncw_rtl_rd_, tk_ncw_rtl_wr_, tk_ncw_rtl_run_};
  return d;
}

#endif /* NEOCOG_TESTKIT_NCW_RTL_H */
