/*
 * The whole path from a device error to the user's message, driven through
 * the CLI with NEOCOG_FAULT (a memory fault armed for every layer's run),
 * NEOCOG_WATCHDOG_CYCLES and NEOCOG_TIMEOUT_MS: one line naming the layer,
 * the backend and the device's error, exit 1, and no output written.
 * tests/driver/test_faults.c covers the same faults below the CLI.
 */
#include "neocog/sim.h"
#include "tests/cli_run.h"
#include "tests/common.h"

/* Skips the test when the library has no RTL. */
static void need_rtl_(void) {
  nc_sim_t *s = NULL;
  const nc_status_t st = nc_sim_open("rtl", NULL, &s);
  nc_sim_close(s);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("no RTL in this build");
  }
}

/* Runs the lecture's layer on `backend` with the environment `env` (NAME,
 * VALUE pairs, NULL-terminated); `y` holds "precious" before, and still
 * after unless the run succeeds. */
static void run_layer_(run_t *r, const char *backend, const char *const *env) {
  char x[256], w[256], b[256], y[256];
  path_(r, "x.npy", x);
  path_(r, "w.npy", w);
  path_(r, "b.npy", b);
  path_(r, "y.npy", y);
  FILE *f = fopen(y, "w");
  cr_assert_not_null(f);
  fputs("precious", f);
  fclose(f);
  for (int i = 0; env[i] != NULL; i += 2) {
    setenv(env[i], env[i + 1], 1);
  }
  const char *a[] = {"layer",     "conv2d", "--input",  x,   "--weights", w,
                     "--bias",    b,        "--stride", "2", "--pad",     "1",
                     "--backend", backend,  "--output", y,   NULL};
  run_(r, a);
  for (int i = 0; env[i] != NULL; i += 2) {
    unsetenv(env[i]);
  }
  char buf[64];
  slurp_(y, buf, sizeof buf);
  if (r->status != 0) {
    cr_expect_str_eq(buf, "precious", "%s: the output was written", backend);
  } else {
    cr_expect_str_neq(buf, "precious", "%s: the output was not written",
                      backend);
  }
}

/* Exit 1 and one line holding every word of `words`. */
static void expect_failure_(const run_t *r, const char *const *words) {
  cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->err);
  const char *nl = strchr(r->err, '\n');
  cr_expect(nl != NULL && nl[1] == '\0', "not one line: %s", r->err);
  for (int i = 0; words[i] != NULL; i++) {
    cr_expect(strstr(r->err, words[i]) != NULL, "'%s' not in: %s", words[i],
              r->err);
  }
}

/* A memory error while each unit works, on the functional model. */
Test(cli_faults, slverr_in_each_phase_on_model) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  static const char *const triggers[] = {"slverr@load:5", "slverr@compute:1",
                                         "slverr@store:20", "slverr"};
  for (int i = 0; i < 4; i++) {
    const char *env[] = {"NEOCOG_FAULT", triggers[i], NULL};
    run_layer_(&r, "model", env);
    const char *words[] = {"neocog: conv2d on model: device error dma_bus in ",
                           " unit at instruction ", NULL};
    expect_failure_(&r, words);
  }
  cleanup_(&r);
}

/* On the RTL, a fault after the GEMMs fails the STORE's write. */
Test(cli_faults, store_write_error_on_rtl, .timeout = 120) {
  need_rtl_();
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  const char *env[] = {"NEOCOG_FAULT", "slverr@compute:20", NULL};
  run_layer_(&r, "rtl", env);
  const char *words[] = {
      "neocog: conv2d on rtl: device error dma_bus in store unit at "
      "instruction ",
      NULL};
  expect_failure_(&r, words);
  cleanup_(&r);
}

/* A hung memory: the watchdog, then with the watchdog off the timeout. */
Test(cli_faults, hang_watchdog_and_timeout, .timeout = 120) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  const char *e1[] = {"NEOCOG_FAULT", "hang@load:5", "NEOCOG_WATCHDOG_CYCLES",
                      "3000", NULL};
  run_layer_(&r, "model", e1);
  const char *w1[] = {"device error watchdog in ", NULL};
  expect_failure_(&r, w1);
  const char *e2[] = {"NEOCOG_FAULT",
                      "hang@load:5",
                      "NEOCOG_WATCHDOG_CYCLES",
                      "0",
                      "NEOCOG_TIMEOUT_MS",
                      "200",
                      NULL};
  run_layer_(&r, "model", e2);
  const char *w2[] = {"did not finish within 200 ms", "reset", NULL};
  expect_failure_(&r, w2);
  cleanup_(&r);
}

/* Lockstep with the RTL's memory hung: the pair's disagreement, in words. */
Test(cli_faults, lockstep_with_a_hung_memory, .timeout = 120) {
  need_rtl_();
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  const char *env[] = {"NEOCOG_FAULT", "hang@load:10", "NEOCOG_WATCHDOG_CYCLES",
                       "4000", NULL};
  run_layer_(&r, "lockstep", env);
  const char *words[] = {"neocog: conv2d on lockstep: lockstep: STATUS",
                         "on the rtl (error watchdog in", "on the model (done)",
                         NULL};
  expect_failure_(&r, words);
  cleanup_(&r);
}

/* A network stops at the first layer the fault fails, naming it. */
Test(cli_faults, network_names_the_layer) {
  run_t r;
  tmpdir_(&r);
  char y[256];
  path_(&r, "y.npy", y);
  setenv("NEOCOG_FAULT", "slverr@store:100", 1);
  const char *a[] = {"run",   "nets/convnet.net", "--seed",   "1", "--backend",
                     "model", "--quiet",          "--output", y,   NULL};
  run_(&r, a);
  unsetenv("NEOCOG_FAULT");
  const char *words[] = {
      "layer 1 (conv1) + layer 2 (pool1) on model: device "
      "error dma_bus in ",
      NULL};
  expect_failure_(&r, words);
  cr_expect_eq(access(y, F_OK), -1, "a failed run wrote %s", y);
  cleanup_(&r);
}

/* A fault that never strikes is said so; a fault on a backend without a
 * device is a usage error rather than a test that passes unnoticed. */
Test(cli_faults, unstruck_and_misplaced_faults) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  const char *e1[] = {"NEOCOG_FAULT", "slverr@store:100000", NULL};
  run_layer_(&r, "model", e1);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "never struck") != NULL, "%s", r.err);
  const char *e2[] = {"NEOCOG_FAULT", "slverr", NULL};
  run_layer_(&r, "cpu", e2);
  cr_expect_eq(r.status, 2, "%s", r.err);
  cr_expect(strstr(r.err, "NEOCOG_FAULT") != NULL, "%s", r.err);
  const char *e3[] = {"NEOCOG_FAULT", "slverr@fetch:1", NULL};
  run_layer_(&r, "model", e3);
  cr_expect_eq(r.status, 2, "%s", r.err);
  cr_expect(strstr(r.err, "FAULT[@WHEN]") != NULL, "%s", r.err);
  cleanup_(&r);
}
