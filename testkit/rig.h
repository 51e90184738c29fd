/*
 * The rig: runs a testkit/prog.h program on any simulated device
 * (neocog/sim.h: the functional model, the RTL or both in lockstep) with the
 * rig memory layout (RIG_*), so one program runs on each and the results can
 * be compared. A register access or run that the device refuses is a bug in
 * the caller's use of the rig, and aborts (TK_REQUIRE_OK); what the program
 * computes is the caller's to check.
 */
#ifndef NEOCOG_TESTKIT_RIG_H
#define NEOCOG_TESTKIT_RIG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/model.h"
#include "neocog/rtl.h"
#include "neocog/sim.h"
#include "testkit/prog.h"


/* The kinds of device a rig runs on. */
typedef enum { RIG_MODEL, RIG_RTL, RIG_LOCKSTEP } rig_kind_t;

typedef struct {
  rig_kind_t kind;
  nc_sim_t *s;  /* the device */
  nc_model_t *m; /* its model handle, on RIG_MODEL (else NULL) */
  nc_rtl_t *r;   /* its RTL handle, on RIG_RTL (else NULL) */
  uint8_t *mem;
  uint8_t *win; /* mem + RIG_WIN_OFF */
  uint64_t base; /* physical address of mem[0] (RIG_MEM_BASE unless the
                    rig was opened with rig_open_sim_at) */
} rig_t;

static inline const char *rig_name(const rig_t *r) {
  static const char *const names[] = {"model", "rtl", "lockstep"};
  return names[r->kind];
}

static inline uint32_t rig_rd(rig_t *r, uint32_t off) {
  uint32_t v = 0;
  TK_REQUIRE_OK(nc_sim_csr_read(r->s, off, &v));
  return v;
}

static inline void rig_wr(rig_t *r, uint32_t off, uint32_t v) {
  TK_REQUIRE_OK(nc_sim_csr_write(r->s, off, v));
}

/* Opens the rig on a device of `kind` built with `cfg` (NULL: defaults)
 * with its memory at physical `base` (16-byte aligned, base + RIG_MEM_SIZE
 * inside the AXI address space): memory attached, window and ring
 * registers written. `hi_extra` goes into bits 63:axi_addr_bits of the
 * _HI halves of WIN_BASE and RING_BASE, which the device ignores. Returns
 * what opening the device returned (NC_ERR_UNSUPPORTED: a library without
 * the RTL); any other failure aborts. */
static inline nc_status_t rig_open_sim_at(rig_t *r, rig_kind_t kind,
                                          const nc_sim_config_t *cfg,
                                          uint64_t base, uint64_t hi_extra) {
  memset(r, 0, sizeof *r);
  r->kind = kind;
  r->base = base;
  const nc_status_t st = nc_sim_open(rig_name(r), cfg, &r->s);
  if (st != NC_OK) {
    return st;
  }
  r->m = kind == RIG_MODEL ? nc_sim_handle(r->s) : NULL;
  r->r = kind == RIG_RTL ? nc_sim_handle(r->s) : NULL;
  r->mem = calloc(1, RIG_MEM_SIZE);
  TK_REQUIRE(r->mem != NULL);
  r->win = r->mem + RIG_WIN_OFF;
  TK_REQUIRE_OK(nc_sim_attach_memory(r->s, r->mem, base, RIG_MEM_SIZE));
  const uint64_t hi =
      NC_HW_AXI_ADDR_BITS >= 64 ? 0 : hi_extra << NC_HW_AXI_ADDR_BITS;
  const uint64_t wb = (base + RIG_WIN_OFF) | hi, rb = base | hi;
  rig_wr(r, NC_HW_CSR_WIN_BASE_LO_OFFSET, (uint32_t)wb);
  rig_wr(r, NC_HW_CSR_WIN_BASE_HI_OFFSET, (uint32_t)(wb >> 32));
  rig_wr(r, NC_HW_CSR_WIN_SIZE_OFFSET, (uint32_t)RIG_WIN_SIZE);
  rig_wr(r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)rb);
  rig_wr(r, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(rb >> 32));
  rig_wr(r, NC_HW_CSR_RING_SIZE_OFFSET, RIG_RING_ENTRIES);
  return NC_OK;
}

/* The rig at RIG_MEM_BASE. */
static inline nc_status_t rig_open_sim(rig_t *r, rig_kind_t kind,
                                       const nc_sim_config_t *cfg) {
  return rig_open_sim_at(r, kind, cfg, RIG_MEM_BASE, 0);
}

/* The rig on the functional model with the model's own configuration. */
static inline void rig_open_cfg(rig_t *r, const nc_model_config_t *cfg) {
  nc_sim_config_t c;
  nc_sim_config_default(&c);
  if (cfg != NULL) {
    c.mem_latency = cfg->mem_latency;
    c.mem_bytes_per_cycle = cfg->mem_bytes_per_cycle;
  }
  TK_REQUIRE_OK(rig_open_sim(r, RIG_MODEL, &c));
}

static inline void rig_open(rig_t *r) {
  rig_open_cfg(r, NULL);
}

static inline void rig_close(rig_t *r) {
  nc_sim_close(r->s);
  free(r->mem);
  memset(r, 0, sizeof *r);
}

/* Host write into the rig memory at byte `off` (for lockstep, into both
 * devices' copies). */
static inline void rig_write(rig_t *r, uint64_t off, const void *src,
                             size_t bytes) {
  TK_REQUIRE_OK(nc_sim_mem_write(r->s, r->base + off, src, bytes));
}

/* Writes the program at ring entry 0 and sets HEAD = 0, TAIL = n, after a
 * soft reset. Does not start. */
static inline void rig_load(rig_t *r, const prog_t *p) {
  TK_REQUIRE(p->n < RIG_RING_ENTRIES);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  for (size_t i = 0; i < p->n; i++) {
    uint8_t b[NC_HW_INSN_BYTES];
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS, b);
    rig_write(r, i * NC_HW_INSN_BYTES, b, sizeof b);
  }
  rig_wr(r, NC_HW_CSR_RING_HEAD_OFFSET, 0);
  rig_wr(r, NC_HW_CSR_RING_TAIL_OFFSET, (uint32_t)p->n);
}

/* Runs until the device stops or `budget` cycles pass; returns STATUS. */
static inline uint32_t rig_go(rig_t *r, uint64_t budget) {
  int busy = 0;
  TK_REQUIRE_OK(nc_sim_run(r->s, budget, &busy));
  return rig_rd(r, NC_HW_CSR_STATUS_OFFSET);
}

/* Loads, starts and runs a program to the end (1e10 cycles at most). */
static inline uint32_t rig_run(rig_t *r, const prog_t *p) {
  rig_load(r, p);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  return rig_go(r, UINT64_C(10000000000));
}

/* The error registers: ERR_CODE's fields, ERR_INSN and ERR_INFO. */
typedef struct {
  uint32_t code, unit, insn, info;
} rig_err_t;

/* Splits an ERR_CODE value into its fields. */
static inline rig_err_t rig_err_split(uint32_t err_code, uint32_t insn,
                                      uint32_t info) {
  const rig_err_t e = {
      err_code >> NC_HW_CSR_ERR_CODE_CODE_SHIFT & NC_HW_CSR_ERR_CODE_CODE_MASK,
      err_code >> NC_HW_CSR_ERR_CODE_UNIT_SHIFT & NC_HW_CSR_ERR_CODE_UNIT_MASK,
      insn, info};
  return e;
}

static inline rig_err_t rig_err(rig_t *r) {
  const uint32_t c = rig_rd(r, NC_HW_CSR_ERR_CODE_OFFSET);
  const uint32_t insn = rig_rd(r, NC_HW_CSR_ERR_INSN_OFFSET);
  return rig_err_split(c, insn, rig_rd(r, NC_HW_CSR_ERR_INFO_OFFSET));
}

static inline uint64_t rig_ctr(rig_t *r, uint32_t lo) {
  const uint64_t l = rig_rd(r, lo);
  return l | (uint64_t)rig_rd(r, lo + 4) << 32;
}

#endif /* NEOCOG_TESTKIT_RIG_H */
