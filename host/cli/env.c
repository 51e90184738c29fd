/*
 * The environment variables the CLI reads for the accelerator backends,
 * each parsed strictly: a value that is not exactly a number in range is
 * refused (exit 2) rather than read as far as it goes.
 *
 *   NEOCOG_TIMEOUT_MS           wall-clock limit of one layer's run
 *   NEOCOG_WATCHDOG_CYCLES      the device's WATCHDOG (0: off)
 *   NEOCOG_FAULT                test hook: a memory fault armed for every
 *                               layer's run (nc_dev_fault_parse())
 *   NEOCOG_TEST_CORRUPT_OUTPUT  test hook: flip one output byte
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cli/cli.h"
#include "neocog/text.h"

static const char *env_(const char *name) {
  const char *v = getenv(name);
  return v != NULL && *v != '\0' ? v : NULL;
}

/* The variable as an unsigned number in [lo, hi]; 0 when unset, 1 when set,
 * -1 when refused (reported). */
static int env_u64_(const char *name, uint64_t lo, uint64_t hi, uint64_t *out) {
  const char *v = env_(name);
  if (v == NULL) {
    return 0;
  }
  uint64_t x = 0;
  char shown[64];
  const nc_status_t st = nc__parse_u64(v, &x);
  if (st != NC_OK || x < lo || x > hi) {
    fprintf(stderr,
            "neocog: %s='%s': %s (a number %llu..%llu, decimal or 0x hex)\n",
            name, nc__shown_str(v, shown, sizeof shown),
            st == NC_ERR_FORMAT ? "not a number" : "out of range",
            (unsigned long long)lo, (unsigned long long)hi);
    return -1;
  }
  *out = x;
  return 1;
}

int cli_accel_env(nc_accel_options_t *o, int *fault_armed) {
  uint64_t v = 0;
  int r = env_u64_("NEOCOG_TEST_CORRUPT_OUTPUT", 0, INT64_MAX, &v);
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (r > 0) {
    o->corrupt_byte = (int64_t)v;
  }
  r = env_u64_("NEOCOG_TIMEOUT_MS", 1, UINT64_MAX / 1000000u, &v);
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (r > 0) {
    o->timeout_ms = v;
  }
  r = env_u64_("NEOCOG_WATCHDOG_CYCLES", 0, UINT32_MAX, &v);
  if (r < 0) {
    return CLI_EXIT_USAGE;
  }
  if (r > 0) {
    o->watchdog_cycles = (uint32_t)v;
  }
  *fault_armed = 0;
  const char *f = env_("NEOCOG_FAULT");
  if (f != NULL) {
    if (nc_dev_fault_parse(f, &o->fault) != NC_OK) {
      fprintf(stderr, "neocog: NEOCOG_FAULT: %s\n", nc_error_detail());
      return CLI_EXIT_USAGE;
    }
    *fault_armed = 1;
  }
  return 0;
}

int cli_env_accel_only(const char *cmd, const char *backend) {
  /* A test that sets a fault and runs a backend without faults must not
   * pass by not noticing. */
  if (env_("NEOCOG_FAULT") != NULL) {
    cli_usage_error(cmd,
                    "NEOCOG_FAULT is set, but --backend %s is not the "
                    "accelerator (model, rtl or lockstep)",
                    backend);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

void cli_fault_report(const char *what, const nc_accel_stats_t *s) {
  fprintf(stderr,
          "neocog: warning: %s: NEOCOG_FAULT=%s %s; the layer ran clean\n",
          what, getenv("NEOCOG_FAULT"),
          s->fault_struck ? "struck after the layer's last memory access"
                          : "never struck (the layer finished first)");
}
