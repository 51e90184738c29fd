/*
 * Running the neocog binary from a test: a real process with its own
 * stdout, stderr and exit status, in a temporary directory.
 *
 * NEOCOG_BIN names the binary (tests/run.sh points the sanitized suite at
 * the sanitized CLI); the default is build/bin/neocog from the repo top.
 */
#ifndef NEOCOG_TESTS_CLI_RUN_H
#define NEOCOG_TESTS_CLI_RUN_H

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common.h"
#include "testkit/seed_data.h"

extern char **environ;

typedef struct {
  char dir[64];
  char out[8192]; /* stdout */
  char err[8192]; /* stderr */
  int status;     /* exit status */
} run_t;

static inline void tmpdir_(run_t *r) {
  strcpy(r->dir, "/tmp/neocog_cli_XXXXXX");
  cr_assert_not_null(mkdtemp(r->dir));
}

static inline void slurp_(const char *path, char *buf, size_t len) {
  FILE *f = fopen(path, "rb");
  size_t n = 0;
  if (f != NULL) {
    n = fread(buf, 1, len - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
}

/* Runs neocog with a NULL-terminated argument list. */
static inline void run_(run_t *r, const char *const *args) {
  const char *bin = getenv("NEOCOG_BIN");
  if (bin == NULL || *bin == '\0') {
    bin = "build/bin/neocog";
  }
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)bin;
  for (; args[n - 1] != NULL && n < 63; n++) {
    argv[n] = (char *)args[n - 1];
  }
  argv[n] = NULL;
  char o[128], e[128];
  snprintf(o, sizeof o, "%s/stdout", r->dir);
  snprintf(e, sizeof e, "%s/stderr", r->dir);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid;
  int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  cr_assert_eq(rc, 0, "cannot start %s", bin);
  int ws = 0;
  cr_assert_eq(waitpid(pid, &ws, 0), pid);
  cr_assert(WIFEXITED(ws), "%s did not exit normally", bin);
  r->status = WEXITSTATUS(ws);
  slurp_(o, r->out, sizeof r->out);
  slurp_(e, r->err, sizeof r->err);
}

static inline void path_(const run_t *r, const char *name, char *buf) {
  snprintf(buf, 256, "%s/%s", r->dir, name);
}

static inline void cleanup_(run_t *r) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
  cr_assert_eq(system(cmd), 0);
}

/* Writes the lecture's worked example as .npy files in r->dir. */
static inline void nc_cli_write_seed_example(run_t *r) {
  nc_tensor_t x, w, b;
  nc_seed_example_tensors(NC_DTYPE_INT8, &x, &w, &b);
  char p[256];
  path_(r, "x.npy", p);
  cr_assert_eq(nc_tensor_save_npy(p, &x), NC_OK);
  path_(r, "w.npy", p);
  cr_assert_eq(nc_tensor_save_npy(p, &w), NC_OK);
  path_(r, "b.npy", p);
  cr_assert_eq(nc_tensor_save_npy(p, &b), NC_OK);
  nc_tensor_free(&x);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
}

#endif /* NEOCOG_TESTS_CLI_RUN_H */
