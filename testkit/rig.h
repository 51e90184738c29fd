/*
 * The functional-model rig: runs a testkit/prog.h program on the model with
 * the rig memory layout (RIG_*). A register access or run that the model
 * refuses is a bug in the caller's program of the rig, and aborts
 * (TK_REQUIRE_OK); what the program computes is the caller's to check.
 */
#ifndef NEOCOG_TESTKIT_RIG_H
#define NEOCOG_TESTKIT_RIG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/model.h"
#include "testkit/prog.h"


typedef struct {
  nc_model_t *m;
  uint8_t *mem;
  uint8_t *win; /* mem + RIG_WIN_OFF */
} rig_t;

static inline uint32_t rig_rd(rig_t *r, uint32_t off) {
  uint32_t v = 0;
  TK_REQUIRE_OK(nc_model_csr_read(r->m, off, &v));
  return v;
}

static inline void rig_wr(rig_t *r, uint32_t off, uint32_t v) {
  TK_REQUIRE_OK(nc_model_csr_write(r->m, off, v));
}

static inline void rig_open_cfg(rig_t *r, const nc_model_config_t *cfg) {
  TK_REQUIRE_OK(nc_model_create(cfg, &r->m));
  r->mem = calloc(1, RIG_MEM_SIZE);
  TK_REQUIRE(r->mem != NULL);
  r->win = r->mem + RIG_WIN_OFF;
  TK_REQUIRE_OK(
      nc_model_attach_memory(r->m, r->mem, RIG_MEM_BASE, RIG_MEM_SIZE));
  const uint64_t wb = RIG_MEM_BASE + RIG_WIN_OFF;
  rig_wr(r, NC_HW_CSR_WIN_BASE_LO_OFFSET, (uint32_t)wb);
  rig_wr(r, NC_HW_CSR_WIN_BASE_HI_OFFSET, (uint32_t)(wb >> 32));
  rig_wr(r, NC_HW_CSR_WIN_SIZE_OFFSET, (uint32_t)RIG_WIN_SIZE);
  rig_wr(r, NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)RIG_MEM_BASE);
  rig_wr(r, NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(RIG_MEM_BASE >> 32));
  rig_wr(r, NC_HW_CSR_RING_SIZE_OFFSET, RIG_RING_ENTRIES);
}

static inline void rig_open(rig_t *r) {
  rig_open_cfg(r, NULL);
}

static inline void rig_close(rig_t *r) {
  nc_model_destroy(r->m);
  free(r->mem);
  memset(r, 0, sizeof *r);
}

/* Writes the program at ring entry 0 and sets HEAD = 0, TAIL = n, after a
 * soft reset. Does not start. */
static inline void rig_load(rig_t *r, const prog_t *p) {
  TK_REQUIRE(p->n < RIG_RING_ENTRIES);
  rig_wr(r, NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  for (size_t i = 0; i < p->n; i++) {
    nc_hw_words_to_bytes(p->v[i].w, NC_HW_INSN_WORDS,
                         r->mem + i * NC_HW_INSN_BYTES);
  }
  rig_wr(r, NC_HW_CSR_RING_HEAD_OFFSET, 0);
  rig_wr(r, NC_HW_CSR_RING_TAIL_OFFSET, (uint32_t)p->n);
}

/* Runs until the device stops or `budget` cycles pass; returns STATUS. */
static inline uint32_t rig_go(rig_t *r, uint64_t budget) {
  int busy = 0;
  TK_REQUIRE_OK(nc_model_run(r->m, budget, &busy));
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
