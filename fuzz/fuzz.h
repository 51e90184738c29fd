/*
 * What the fuzz targets share: the entry point every target defines (the
 * libFuzzer interface, which replay.c also drives) and the device the
 * instruction target runs its streams on, which seeds.c sets up the same
 * way so that the seed programs address the same buffer.
 */
#ifndef NEOCOG_FUZZ_FUZZ_H
#define NEOCOG_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/drv.h"

/** The one entry point of a target: never crashes, leaks, hangs or trips a
 *  sanitizer, whatever the bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** The instruction target's device: a small window, a small ring, a short
 *  watchdog so that a stream that waits forever ends quickly. */
#define NC_FUZZ_INSN_WINDOW (UINT64_C(1) << 20)
#define NC_FUZZ_INSN_RING 256u
#define NC_FUZZ_INSN_WATCHDOG 200000u
/** Most instructions of one input that are run (the rest are only
 *  decoded and checked). */
#define NC_FUZZ_INSN_MAX_RUN 2048u

/** Opens the instruction target's device and its one buffer (the whole
 *  window but the ring). Returns 0, or -1 with the reason on stderr. */
static inline int nc_fuzz_insn_device(nc_dev_t **dev, nc_dev_buf_t *buf) {
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = NC_FUZZ_INSN_WINDOW;
  o.ring_entries = NC_FUZZ_INSN_RING;
  o.watchdog_cycles = NC_FUZZ_INSN_WATCHDOG;
  nc_dev_info_t info;
  if (nc_dev_open("model", &o, dev) != NC_OK ||
      nc_dev_info(*dev, &info) != NC_OK) {
    return -1;
  }
  /* What the ring leaves of the window, in whole 4 KiB pages. */
  const uint64_t ring = (uint64_t)NC_FUZZ_INSN_RING * 16u;
  const uint64_t left = (NC_FUZZ_INSN_WINDOW - ring) & ~UINT64_C(4095);
  if (nc_dev_alloc(*dev, left, 4096, buf) != NC_OK) {
    nc_dev_close(*dev);
    *dev = NULL;
    return -1;
  }
  return 0;
}

#endif /* NEOCOG_FUZZ_FUZZ_H */
