/*
 * The lockstep pair as a kind of simulated device (neocog/sim.h), built from
 * the other two.
 *
 * Lockstep runs the RTL on the caller's memory and the model on a copy of
 * its own. Whenever the RTL stops (a FINISH or an error) the model is run to
 * its stop too, and then STATUS, ERR_CODE, ERR_INSN, ERR_INFO, the MAC and
 * instruction counters and, after an error-free stop, every byte of memory
 * are compared. (After an error memory may differ legitimately: the model
 * executes each instruction atomically, the RTL finishes the bursts it had
 * issued.) Register reads answer with the RTL's values, except RING_HEAD
 * while both run: the one that is behind, so that a host never refills ring
 * entries the model has not fetched yet. A fault injected on lockstep goes
 * to the RTL's memory only: two devices that disagree on purpose, to test
 * this comparison.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neocog/error.h"
#include "neocog/nc_hw.h"
#include "neocog/sim.h"

typedef struct {
  nc_sim_t *rtl, *model;
  uint8_t *mem, *copy; /* the caller's memory (rtl), the model's copy */
  uint64_t base, size;
  int model_busy;
  uint32_t ring_size; /* RING_SIZE as last written */
} ls_t;

static void ls_destroy_(void *dev) {
  ls_t *c = dev;
  nc_sim_close(c->rtl);
  nc_sim_close(c->model);
  free(c->copy);
  free(c);
}

static nc_status_t ls_create_(const nc_sim_config_t *cfg, void **dev) {
  ls_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return nc__fail(NC_ERR_NOMEM, "lockstep: out of memory");
  }
  nc_status_t st = nc_sim_open("rtl", cfg, &c->rtl);
  if (st == NC_OK) {
    st = nc_sim_open("model", cfg, &c->model);
  }
  if (st != NC_OK) {
    ls_destroy_(c);
    return st;
  }
  *dev = c;
  return NC_OK;
}

static nc_status_t ls_attach_memory_(void *dev, uint8_t *mem, uint64_t base,
                                     uint64_t size) {
  ls_t *c = dev;
  uint8_t *copy = NULL;
  if (size > 0) {
    copy = malloc((size_t)size);
    if (copy == NULL) {
      return nc__fail(NC_ERR_NOMEM,
                      "lockstep: cannot copy %llu bytes of memory for the "
                      "model",
                      (unsigned long long)size);
    }
    memcpy(copy, mem, (size_t)size);
  }
  nc_status_t st = nc_sim_attach_memory(c->rtl, mem, base, size);
  if (st == NC_OK) {
    st = nc_sim_attach_memory(c->model, copy, base, size);
  }
  if (st != NC_OK) {
    free(copy);
    return st;
  }
  free(c->copy);
  c->mem = mem;
  c->copy = copy;
  c->base = base;
  c->size = size;
  return NC_OK;
}

static nc_status_t ls_mem_write_(void *dev, uint64_t addr, const void *src,
                                 size_t bytes) {
  ls_t *c = dev;
  if (bytes > 0) {
    memcpy(c->mem + (addr - c->base), src, bytes);
    memcpy(c->copy + (addr - c->base), src, bytes);
  }
  return NC_OK;
}

static nc_status_t ls_csr_write_(void *dev, uint32_t offset, uint32_t value) {
  ls_t *c = dev;
  nc_status_t st = nc_sim_csr_write(c->rtl, offset, value);
  if (st == NC_OK) {
    st = nc_sim_csr_write(c->model, offset, value);
  }
  if (offset == NC_HW_CSR_RING_SIZE_OFFSET) {
    c->ring_size = value;
  }
  if (offset == NC_HW_CSR_CTRL_OFFSET &&
      (value & 1u << NC_HW_CSR_CTRL_START_SHIFT)) {
    c->model_busy = 1;
  }
  return st;
}

static nc_status_t ls_csr_read_(void *dev, uint32_t offset, uint32_t *value) {
  ls_t *c = dev;
  nc_status_t st = nc_sim_csr_read(c->rtl, offset, value);
  if (st != NC_OK || offset != NC_HW_CSR_RING_HEAD_OFFSET || !c->model_busy ||
      c->ring_size == 0) {
    return st;
  }
  uint32_t mh = 0, tail = 0;
  st = nc_sim_csr_read(c->model, offset, &mh);
  if (st == NC_OK) {
    st = nc_sim_csr_read(c->rtl, NC_HW_CSR_RING_TAIL_OFFSET, &tail);
  }
  if (st != NC_OK) {
    return st;
  }
  /* The head with more entries still to go before TAIL is behind. */
  const uint32_t n = c->ring_size;
  if ((tail + n - mh) % n > (tail + n - *value) % n) {
    *value = mh;
  }
  return NC_OK;
}

/* Reads the same register of both; NC_ERR_MISMATCH when they differ. */
static nc_status_t ls_same_(ls_t *c, uint32_t offset, uint32_t mask,
                            const char *name) {
  uint32_t r = 0, m = 0;
  nc_status_t st = nc_sim_csr_read(c->rtl, offset, &r);
  if (st == NC_OK) {
    st = nc_sim_csr_read(c->model, offset, &m);
  }
  if (st != NC_OK) {
    return st;
  }
  if ((r & mask) != (m & mask)) {
    return nc__fail(NC_ERR_MISMATCH,
                    "lockstep: %s is 0x%x on the rtl, 0x%x "
                    "on the model",
                    name, r & mask, m & mask);
  }
  return NC_OK;
}

/* How one side stopped, for a message: "done", or "error <code> in <unit>
 * unit at ring entry <n>". */
static void ls_stop_words_(uint32_t status, uint32_t code, uint32_t insn,
                           char *buf, size_t len) {
  if (status & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) {
    snprintf(buf, len, "error %s in %s unit at ring entry %u",
             nc_hw_err_name(code >> NC_HW_CSR_ERR_CODE_CODE_SHIFT &
                            NC_HW_CSR_ERR_CODE_CODE_MASK),
             nc_hw_unit_name(code >> NC_HW_CSR_ERR_CODE_UNIT_SHIFT &
                             NC_HW_CSR_ERR_CODE_UNIT_MASK),
             insn);
  } else {
    snprintf(buf, len, "%s",
             status & (1u << NC_HW_CSR_STATUS_DONE_SHIFT) ? "done" : "idle");
  }
}

/* STATUS of both; when they differ, NC_ERR_MISMATCH says how each stopped. */
static nc_status_t ls_same_status_(ls_t *c) {
  uint32_t v[2][3];
  static const uint32_t offs[3] = {NC_HW_CSR_STATUS_OFFSET,
                                   NC_HW_CSR_ERR_CODE_OFFSET,
                                   NC_HW_CSR_ERR_INSN_OFFSET};
  for (int i = 0; i < 3; i++) {
    nc_status_t st = nc_sim_csr_read(c->rtl, offs[i], &v[0][i]);
    if (st == NC_OK) {
      st = nc_sim_csr_read(c->model, offs[i], &v[1][i]);
    }
    if (st != NC_OK) {
      return st;
    }
  }
  if ((v[0][0] & 7u) == (v[1][0] & 7u)) {
    return NC_OK;
  }
  char r[96], m[96];
  ls_stop_words_(v[0][0], v[0][1], v[0][2], r, sizeof r);
  ls_stop_words_(v[1][0], v[1][1], v[1][2], m, sizeof m);
  return nc__fail(NC_ERR_MISMATCH,
                  "lockstep: STATUS (busy/done/error) is 0x%x on the rtl "
                  "(%s), 0x%x on the model (%s)",
                  v[0][0] & 7u, r, v[1][0] & 7u, m);
}

static nc_status_t ls_compare_(ls_t *c) {
  /* After an error only the error registers must agree: how many
   * instructions completed before the units stopped depends on timing. */
  static const struct {
    uint32_t off, mask;
    const char *name;
  } regs[] = {
      {NC_HW_CSR_STATUS_OFFSET, 7u, "STATUS (busy/done/error)"},
      {NC_HW_CSR_ERR_CODE_OFFSET, 0xffffffffu, "ERR_CODE"},
      {NC_HW_CSR_ERR_INSN_OFFSET, 0xffffffffu, "ERR_INSN"},
      {NC_HW_CSR_ERR_INFO_OFFSET, 0xffffffffu, "ERR_INFO"},
      {NC_HW_CSR_PERF_MACS_LO_OFFSET, 0xffffffffu, "PERF_MACS_LO"},
      {NC_HW_CSR_PERF_INSNS_OFFSET, 0xffffffffu, "PERF_INSNS"},
  };
  uint32_t s = 0;
  nc_status_t st = ls_same_status_(c);
  if (st == NC_OK) {
    st = nc_sim_csr_read(c->rtl, NC_HW_CSR_STATUS_OFFSET, &s);
  }
  const int error = (s & (1u << NC_HW_CSR_STATUS_ERROR_SHIFT)) != 0;
  const size_t n = error ? 4 : sizeof regs / sizeof regs[0];
  for (size_t i = 1; st == NC_OK && i < n; i++) {
    st = ls_same_(c, regs[i].off, regs[i].mask, regs[i].name);
  }
  if (st != NC_OK || error || c->size == 0 ||
      memcmp(c->copy, c->mem, (size_t)c->size) == 0) {
    return st;
  }
  size_t i = 0;
  while (c->copy[i] == c->mem[i]) {
    i++;
  }
  return nc__fail(NC_ERR_MISMATCH,
                  "lockstep: address 0x%llx holds 0x%02x on the rtl, 0x%02x "
                  "on the model",
                  (unsigned long long)(c->base + i), c->mem[i], c->copy[i]);
}

static nc_status_t ls_run_(void *dev, uint64_t cycles, int *busy) {
  ls_t *c = dev;
  int rb = 0;
  nc_status_t st = nc_sim_run(c->rtl, cycles, &rb);
  if (st != NC_OK) {
    return st;
  }
  if (c->model_busy) {
    /* The model is event-driven: a large budget costs only the work. When
     * the RTL stopped, the model must stop too; while it runs, the model is
     * kept at least as far as the same number of cycles. */
    int mb = 0;
    st = nc_sim_run(c->model, rb ? cycles : UINT64_C(1) << 40, &mb);
    if (st != NC_OK) {
      return st;
    }
    c->model_busy = mb;
  }
  if (!rb) {
    if (c->model_busy) {
      return nc__fail(NC_ERR_MISMATCH,
                      "lockstep: the rtl stopped, the model still runs");
    }
    st = ls_compare_(c);
  }
  if (busy != NULL) {
    *busy = rb;
  }
  return st;
}

static uint64_t ls_cycle_(const void *dev) {
  return nc_sim_cycle(((const ls_t *)dev)->rtl);
}

static int ls_irq_(const void *dev) {
  return nc_sim_irq(((const ls_t *)dev)->rtl);
}

static nc_status_t ls_inject_fault_(void *dev, nc_fault_t fault) {
  return nc_sim_inject_fault(((ls_t *)dev)->rtl, fault);
}

/* The schedule is the RTL's: the model's timing is what lockstep checks it
 * against only through the results. */
static nc_status_t ls_set_trace_(void *dev, nc_sim_trace_fn fn, void *ctx) {
  return nc_sim_set_trace(((ls_t *)dev)->rtl, fn, ctx);
}

static nc_status_t ls_check_memory_(const void *dev) {
  return nc_sim_check_memory(((const ls_t *)dev)->rtl);
}

const nc_sim_ops_t nc_sim_lockstep_ops = {
    .name = "lockstep",
    .run_quantum = UINT64_C(1) << 13,
    .create = ls_create_,
    .destroy = ls_destroy_,
    .attach_memory = ls_attach_memory_,
    .csr_read = ls_csr_read_,
    .csr_write = ls_csr_write_,
    .run = ls_run_,
    .cycle = ls_cycle_,
    .irq = ls_irq_,
    .inject_fault = ls_inject_fault_,
    .set_trace = ls_set_trace_,
    .check_memory = ls_check_memory_,
    .mem_write = ls_mem_write_,
};
