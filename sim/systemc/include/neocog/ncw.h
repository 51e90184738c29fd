/*
 * Workload files (.ncw) and the one host sequence that runs them, shared by
 * the plain Verilator harness (nc_sc_gen, C) and the SystemC platform
 * (nc_sc_run, C++), so both drive the device register for register and
 * their results and performance counters can be compared exactly.
 *
 * A file holds the memory image the device starts from (the ring with the
 * program at physical NCW_MEM_BASE, the window after it), the golden bytes
 * the window must hold afterwards in [out_off, out_off + out_len), and what
 * the plain harness saw: STATUS, ERR_CODE, every performance counter and the
 * whole final window. Integers are little-endian (x86 and Arm hosts).
 */
#ifndef NEOCOG_SIM_SYSTEMC_NCW_H
#define NEOCOG_SIM_SYSTEMC_NCW_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/nc_hw.h"
#include "neocog/sim.h"

#define NCW_MAGIC "NCWL0001"
/* Physical layout: the ring at NCW_MEM_BASE, the window NCW_WIN_OFF on. */
#define NCW_MEM_BASE (UINT64_C(0x2) << 32)
#define NCW_WIN_OFF (UINT64_C(64) << 10)
#define NCW_RING_ENTRIES 4096u

/* The performance counters, in the order they are read and stored. */
static const uint32_t ncw_ctr_off[] = {
    NC_HW_CSR_PERF_CYCLES_LO_OFFSET,    NC_HW_CSR_PERF_CYCLES_HI_OFFSET,
    NC_HW_CSR_PERF_LOAD_BUSY_OFFSET,    NC_HW_CSR_PERF_LOAD_STALL_OFFSET,
    NC_HW_CSR_PERF_COMPUTE_BUSY_OFFSET, NC_HW_CSR_PERF_COMPUTE_STALL_OFFSET,
    NC_HW_CSR_PERF_STORE_BUSY_OFFSET,   NC_HW_CSR_PERF_STORE_STALL_OFFSET,
    NC_HW_CSR_PERF_MACS_LO_OFFSET,      NC_HW_CSR_PERF_MACS_HI_OFFSET,
    NC_HW_CSR_PERF_RD_BYTES_LO_OFFSET,  NC_HW_CSR_PERF_RD_BYTES_HI_OFFSET,
    NC_HW_CSR_PERF_WR_BYTES_LO_OFFSET,  NC_HW_CSR_PERF_WR_BYTES_HI_OFFSET,
    NC_HW_CSR_PERF_INSNS_OFFSET};
#define NCW_NCTR (sizeof ncw_ctr_off / sizeof ncw_ctr_off[0])

typedef struct {
  char name[64];
  uint64_t win_size; /* window bytes */
  uint64_t n_insns;  /* program entries at ring entry 0 */
  uint64_t out_off;  /* window offset of the golden bytes */
  uint64_t out_len;  /* their count */
  uint8_t *mem;      /* NCW_WIN_OFF + win_size bytes at NCW_MEM_BASE */
  uint8_t *want;     /* out_len golden bytes */
  /* What the plain harness saw. */
  uint32_t status, err_code;
  uint32_t ctr[NCW_NCTR];
  uint8_t *final_win; /* win_size bytes */
} ncw_t;

static inline void ncw_free(ncw_t *w) {
  free(w->mem);
  free(w->want);
  free(w->final_win);
  memset(w, 0, sizeof *w);
}

static inline int ncw_put_(FILE *f, const void *p, size_t n) {
  return fwrite(p, 1, n, f) == n ? 0 : -1;
}

static inline int ncw_get_(FILE *f, void *p, size_t n) {
  return fread(p, 1, n, f) == n ? 0 : -1;
}

/* Writes `w` to `path`; 0 on success. */
static inline int ncw_save(const ncw_t *w, const char *path) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    return -1;
  }
  int bad = ncw_put_(f, NCW_MAGIC, 8) || ncw_put_(f, w->name, 64) ||
            ncw_put_(f, &w->win_size, 8) || ncw_put_(f, &w->n_insns, 8) ||
            ncw_put_(f, &w->out_off, 8) || ncw_put_(f, &w->out_len, 8) ||
            ncw_put_(f, &w->status, 4) || ncw_put_(f, &w->err_code, 4) ||
            ncw_put_(f, w->ctr, sizeof w->ctr) ||
            ncw_put_(f, w->mem, NCW_WIN_OFF + w->win_size) ||
            ncw_put_(f, w->want, w->out_len) ||
            ncw_put_(f, w->final_win, w->win_size);
  bad |= fclose(f) != 0;
  return bad ? -1 : 0;
}

/* Reads `path` into `w`; 0 on success, -1 for a missing, short or foreign
 * file (w is then empty). */
static inline int ncw_load(ncw_t *w, const char *path) {
  memset(w, 0, sizeof *w);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return -1;
  }
  char magic[8];
  int bad = ncw_get_(f, magic, 8) || memcmp(magic, NCW_MAGIC, 8) != 0 ||
            ncw_get_(f, w->name, 64) || ncw_get_(f, &w->win_size, 8) ||
            ncw_get_(f, &w->n_insns, 8) || ncw_get_(f, &w->out_off, 8) ||
            ncw_get_(f, &w->out_len, 8) || ncw_get_(f, &w->status, 4) ||
            ncw_get_(f, &w->err_code, 4) || ncw_get_(f, w->ctr, sizeof w->ctr);
  w->name[63] = '\0';
  if (!bad && (w->win_size > (UINT64_C(1) << 30) || w->n_insns == 0 ||
               w->n_insns >= NCW_RING_ENTRIES || w->out_off > w->win_size ||
               w->out_len > w->win_size - w->out_off)) {
    bad = 1;
  }
  if (!bad) {
    w->mem = (uint8_t *)malloc(NCW_WIN_OFF + w->win_size);
    w->want = (uint8_t *)malloc(w->out_len + 1);
    w->final_win = (uint8_t *)malloc(w->win_size);
    bad = w->mem == NULL || w->want == NULL || w->final_win == NULL ||
          ncw_get_(f, w->mem, NCW_WIN_OFF + w->win_size) ||
          ncw_get_(f, w->want, w->out_len) ||
          ncw_get_(f, w->final_win, w->win_size);
  }
  fclose(f);
  if (bad) {
    ncw_free(w);
    return -1;
  }
  return 0;
}

/* The host sequence: soft reset, window and ring, counters cleared, START,
 * run to the end, then STATUS, ERR_CODE and every counter into `status`,
 * `err_code` and `ctr`. The memory image must already be in place.
 * Returns nonzero when the device failed to answer or did not stop. */
static inline int ncw_run(nc_sim_t *d, const ncw_t *w, uint64_t budget,
                          uint32_t *status, uint32_t *err_code,
                          uint32_t ctr[NCW_NCTR]) {
  const uint64_t wb = NCW_MEM_BASE + NCW_WIN_OFF;
  const uint32_t seq[][2] = {
      {NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT},
      {NC_HW_CSR_WIN_BASE_LO_OFFSET, (uint32_t)wb},
      {NC_HW_CSR_WIN_BASE_HI_OFFSET, (uint32_t)(wb >> 32)},
      {NC_HW_CSR_WIN_SIZE_OFFSET, (uint32_t)w->win_size},
      {NC_HW_CSR_RING_BASE_LO_OFFSET, (uint32_t)NCW_MEM_BASE},
      {NC_HW_CSR_RING_BASE_HI_OFFSET, (uint32_t)(NCW_MEM_BASE >> 32)},
      {NC_HW_CSR_RING_SIZE_OFFSET, NCW_RING_ENTRIES},
      {NC_HW_CSR_RING_HEAD_OFFSET, 0},
      {NC_HW_CSR_RING_TAIL_OFFSET, (uint32_t)w->n_insns},
      {NC_HW_CSR_PERF_CTRL_OFFSET, 1u << NC_HW_CSR_PERF_CTRL_ENABLE_SHIFT |
                                       1u << NC_HW_CSR_PERF_CTRL_CLEAR_SHIFT},
      {NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT},
  };
  for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    if (nc_sim_csr_write(d, seq[i][0], seq[i][1]) != NC_OK) {
      return -1;
    }
    /* The soft reset completes when every unit is idle again (the RTL's
     * compute unit flushes its array for about 80 cycles, which counts as
     * compute busy once STATUS.busy is set); wait for it, so that what
     * follows starts from the same state whatever the host's own pace. */
    for (int k = 0, idle = 0; i == 0 && k < 10000 && idle < 8; k++) {
      uint32_t s = 0;
      if (nc_sim_csr_read(d, NC_HW_CSR_STATUS_OFFSET, &s) != NC_OK) {
        return -1;
      }
      /* The flush shows a few cycles after the write: idle must last. */
      idle = (s & 0xf0u) == 0 ? idle + 1 : 0;
    }
  }
  int busy = 1;
  if (nc_sim_run(d, budget, &busy) != NC_OK || busy) {
    return -1;
  }
  if (nc_sim_csr_read(d, NC_HW_CSR_STATUS_OFFSET, status) != NC_OK ||
      nc_sim_csr_read(d, NC_HW_CSR_ERR_CODE_OFFSET, err_code) != NC_OK) {
    return -1;
  }
  for (size_t i = 0; i < NCW_NCTR; i++) {
    if (nc_sim_csr_read(d, ncw_ctr_off[i], &ctr[i]) != NC_OK) {
      return -1;
    }
  }
  return 0;
}

#endif /* NEOCOG_SIM_SYSTEMC_NCW_H */
