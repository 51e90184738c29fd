/*
 * The test rig of testkit/prog.h on either device: the functional model
 * or the RTL (neocog/rtl.h), with the same memory layout (RIG_*), so one
 * program can run on both and the results be compared.
 *
 * On the RTL every register access is a clock cycle and runs are bounded by
 * XR_RTL_BUDGET cycles. xr_open() returns 0 (and the test should skip) when
 * the library was built without the RTL.
 */
#ifndef NEOCOG_TESTS_SIM_XRIG_H
#define NEOCOG_TESTS_SIM_XRIG_H

#include "neocog/rtl.h"
#include "tests/model/rig.h"

/* Cycles after which an RTL run that has not stopped is a failure: every
 * program of the suite ends well within it. */
#define XR_RTL_BUDGET UINT64_C(3000000)

typedef enum { XR_MODEL, XR_RTL } xr_kind_t;

typedef struct {
  xr_kind_t kind;
  nc_model_t *m;
  nc_rtl_t *r;
  uint8_t *mem;
  uint8_t *win; /* mem + RIG_WIN_OFF */
} xrig_t;

static inline const char *xr_name(const xrig_t *x) {
  return x->kind == XR_RTL ? "rtl" : "model";
}

static inline uint32_t xr_rd(xrig_t *x, uint32_t off) {
  uint32_t v = 0;
  const nc_status_t st = x->kind == XR_RTL ? nc_rtl_csr_read(x->r, off, &v)
                                           : nc_model_csr_read(x->m, off, &v);
  cr_assert_eq(st, NC_OK, "%s: %s", xr_name(x), nc_error_detail());
  return v;
}

static inline void xr_wr(xrig_t *x, uint32_t off, uint32_t v) {
  const nc_status_t st = x->kind == XR_RTL ? nc_rtl_csr_write(x->r, off, v)
                                           : nc_model_csr_write(x->m, off, v);
  cr_assert_eq(st, NC_OK, "%s: %s", xr_name(x), nc_error_detail());
}

/* Opens the rig on `kind`, an RTL device built with `cfg` (NULL: the
 * defaults); 0 when that device is not built. */
static inline int xr_open_cfg(xrig_t *x, xr_kind_t kind,
                              const nc_rtl_config_t *cfg) {
  memset(x, 0, sizeof *x);
  x->kind = kind;
  if (kind == XR_RTL) {
    const nc_status_t st = nc_rtl_create(cfg, &x->r);
    if (st == NC_ERR_UNSUPPORTED) {
      return 0;
    }
    cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  } else {
    cr_assert_eq(nc_model_create(NULL, &x->m), NC_OK, "%s", nc_error_detail());
  }
  x->mem = calloc(1, RIG_MEM_SIZE);
  cr_assert_not_null(x->mem);
  x->win = x->mem + RIG_WIN_OFF;
  const nc_status_t st =
      kind == XR_RTL
          ? nc_rtl_attach_memory(x->r, x->mem, RIG_MEM_BASE, RIG_MEM_SIZE)
          : nc_model_attach_memory(x->m, x->mem, RIG_MEM_BASE, RIG_MEM_SIZE);
  cr_assert_eq(st, NC_OK, "%s", nc_error_detail());
  const uint64_t wb = RIG_MEM_BASE + RIG_WIN_OFF;
  xr_wr(x, NC_HW_CSR_WIN_BASE_LO_OFFSET, (uint32_t)wb);
  xr_wr(x, NC_HW_CSR_WIN_BASE_HI_OFFSET, (uint32_t)(wb >> 32));
  xr_wr(x, NC_HW_CSR_WIN_SIZE_OFFSET, (uint32_t)RIG_WIN_SIZE);
  xr_wr(x, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE);
  xr_wr(x, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(RIG_MEM_BASE >> 32));
  xr_wr(x, NC_HW_CSR_RING_SIZE_OFFSET, RIG_RING_ENTRIES);
  return 1;
}

static inline int xr_open(xrig_t *x, xr_kind_t kind) {
  return xr_open_cfg(x, kind, NULL);
}

/* The RTL must never have touched memory outside the window and the ring. */
static inline void xr_check_violations(xrig_t *x) {
  if (x->kind == XR_RTL) {
    cr_assert_eq(nc_rtl_window_violations(x->r), 0,
                 "the RTL accessed memory it was not given: %s",
                 nc_rtl_first_violation(x->r));
  }
}

static inline void xr_close(xrig_t *x) {
  if (x->kind == XR_RTL) {
    xr_check_violations(x);
    nc_rtl_destroy(x->r);
  } else {
    nc_model_destroy(x->m);
  }
  free(x->mem);
  memset(x, 0, sizeof *x);
}

/* Writes the program at ring entry 0, HEAD = 0, TAIL = n, after a soft
 * reset. Does not start. */
static inline void xr_load(xrig_t *x, const prog_t *p) {
  cr_assert_lt(p->n, RIG_RING_ENTRIES);
  xr_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  for (size_t i = 0; i < p->n; i++) {
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS,
                         x->mem + i * NC_HW_INSN_BYTES);
  }
  xr_wr(x, NC_HW_CSR_RING_HEAD_OFFSET, 0);
  xr_wr(x, NC_HW_CSR_RING_TAIL_OFFSET, (uint32_t)p->n);
}

/* Runs until the device stops or `budget` cycles pass; returns STATUS. */
static inline uint32_t xr_go(xrig_t *x, uint64_t budget) {
  int busy = 0;
  const nc_status_t st = x->kind == XR_RTL ? nc_rtl_run(x->r, budget, &busy)
                                           : nc_model_run(x->m, budget, &busy);
  cr_assert_eq(st, NC_OK, "%s: %s", xr_name(x), nc_error_detail());
  return xr_rd(x, NC_HW_CSR_STATUS_OFFSET);
}

/* Loads, starts and runs a program to its end. */
static inline uint32_t xr_run(xrig_t *x, const prog_t *p) {
  xr_load(x, p);
  xr_wr(x, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  const uint32_t s =
      xr_go(x, x->kind == XR_RTL ? XR_RTL_BUDGET : UINT64_C(10000000000));
  cr_assert_eq(s & 1u, 0u, "%s: still busy after the budget (STATUS 0x%x)",
               xr_name(x), s);
  return s;
}

/* Reads STATUS until fetch and every unit are idle (on the RTL they wind
 * down within a bounded number of cycles after an error or a halt: the
 * array drains), at most 1000 reads; returns the last STATUS. */
static inline uint32_t xr_settle(xrig_t *x) {
  uint32_t s = 0;
  for (int i = 0; i < 1000; i++) {
    s = xr_rd(x, NC_HW_CSR_STATUS_OFFSET);
    if ((s & 0xf0u) == 0) {
      break;
    }
  }
  return s;
}

static inline rig_err_t xr_err(xrig_t *x) {
  const uint32_t c = xr_rd(x, NC_HW_CSR_ERR_CODE_OFFSET);
  const uint32_t insn = xr_rd(x, NC_HW_CSR_ERR_INSN_OFFSET);
  return rig_err_split(c, insn, xr_rd(x, NC_HW_CSR_ERR_INFO_OFFSET));
}

/* Runs a program that must finish without error. */
static inline void xr_run_ok(xrig_t *x, const prog_t *p) {
  const uint32_t s = xr_run(x, p);
  const rig_err_t e = xr_err(x);
  cr_assert_eq(s & 7u, 1u << NC_HW_CSR_STATUS_DONE_SHIFT,
               "%s: STATUS 0x%x, error %s in %s at entry %u (info %u)",
               xr_name(x), s, nc_model_err_name(e.code),
               nc_model_unit_name(e.unit), e.insn, e.info);
  xr_check_violations(x);
}

static inline uint64_t xr_ctr(xrig_t *x, uint32_t lo) {
  const uint64_t l = xr_rd(x, lo);
  return l | (uint64_t)xr_rd(x, lo + 4) << 32;
}

#endif /* NEOCOG_TESTS_SIM_XRIG_H */
