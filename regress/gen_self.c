/*
 * The "self" generator: jobs whose outcome the seed decides, for the
 * runner's own tests (tests/regress/runner_test.sh). It checks nothing in
 * the accelerator; it lets those tests make a job pass, fail with one of
 * two error signatures, hang or crash, and check that the runner reports
 * each as it should.
 *
 *   mode=pass   every seed passes        mode=hang   never returns
 *   mode=fail   every seed fails         mode=crash  dies of SIGSEGV
 *   mode=mixed  by seed % 4: 0 and 3 pass, 1 fails with signature A,
 *               2 with signature B
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "regress/regress_internal.h"

static void sleep_ms_(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int rg_gen_self(rg_ctx_t *c) {
  const char *mode = rg_opt_str(c, "mode", "pass");
  const long items = rg_opt_int(c, "items", 3);
  const long ms = rg_opt_int(c, "sleep_ms", 0);
  for (long i = 0; i < items; i++) {
    sleep_ms_(ms);
    rg_note(c, "item %ld", i);
    c->items++;
  }
  if (strcmp(mode, "hang") == 0) {
    rg_note(c, "hanging");
    for (;;) {
      pause();
    }
  }
  if (strcmp(mode, "crash") == 0) {
    rg_note(c, "crashing");
    raise(SIGSEGV);
  }
  const unsigned k = (unsigned)(c->seed % 4);
  if (strcmp(mode, "fail") == 0 || (strcmp(mode, "mixed") == 0 && k == 1)) {
    return rg_fail(c, "self: item %ld: value 0x%llx at address 0x%llx, want %u",
                   items - 1, (unsigned long long)(c->seed * 7 + 3),
                   (unsigned long long)(0x1000 + c->seed % 97), k);
  }
  if (strcmp(mode, "mixed") == 0 && k == 2) {
    return rg_fail(c, "self: counter %llu is %llu cycles late",
                   (unsigned long long)(c->seed % 13),
                   (unsigned long long)c->seed);
  }
  return 0;
}
