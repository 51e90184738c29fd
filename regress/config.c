/*
 * Tests on other array shapes: an entry with config=RxC runs on the build
 * of that shape (make ROWS=R COLS=C puts it in build/RxC; the data file's
 * own shape is the default build in build/). The runner starts such a
 * test's jobs with that build's neocog instead of itself.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "neocog/nc_hw.h"
#include "neocog/regress.h"
#include "regress/regress_internal.h"

int rg_config_native(const nc_regress_test_t *t) {
  char own[16];
  snprintf(own, sizeof own, "%ux%u", (unsigned)NC_HW_ROWS,
           (unsigned)NC_HW_COLS);
  return t->config[0] == '\0' || strcmp(t->config, own) == 0;
}

/* The directory part of `path` (no trailing slash), in place. */
static void dirname_(char *path) {
  char *s = strrchr(path, '/');
  if (s == NULL) {
    snprintf(path, 2, ".");
  } else if (s == path) {
    s[1] = '\0';
  } else {
    *s = '\0';
  }
}

static int is_shape_(const char *name) {
  unsigned r = 0, c = 0;
  char tail = 0;
  return sscanf(name, "%3ux%3u%c", &r, &c, &tail) == 2;
}

int rg_config_exe(const nc_regress_test_t *t, const char *exe, char *buf,
                  size_t len, char *why, size_t wlen) {
  if (rg_config_native(t)) {
    snprintf(buf, len, "%s", exe);
    return 0;
  }
  /* exe is BUILD/bin/neocog or BUILD/RxC/bin/neocog: the top build
   * directory holds the other shapes. */
  char top[PATH_MAX];
  snprintf(top, sizeof top, "%s", exe);
  dirname_(top);
  dirname_(top);
  const char *last = strrchr(top, '/');
  const int in_shape_dir = is_shape_(last ? last + 1 : top);
  if (in_shape_dir) {
    dirname_(top);
  }
  snprintf(buf, len, "%s/%s/bin/neocog", top, t->config);
  if (access(buf, X_OK) == 0) {
    return 0;
  }
  /* Run from another shape's build, the default build (the data file's own
   * shape) may be the one: its job says so if it is not. */
  char dflt[PATH_MAX + 16];
  snprintf(dflt, sizeof dflt, "%s/bin/neocog", top);
  if (in_shape_dir && access(dflt, X_OK) == 0) {
    snprintf(buf, len, "%s", dflt);
    return 0;
  }
  char cwd[PATH_MAX];
  const char *shown = buf;
  if (getcwd(cwd, sizeof cwd) != NULL && strncmp(buf, cwd, strlen(cwd)) == 0 &&
      buf[strlen(cwd)] == '/') {
    shown = buf + strlen(cwd) + 1;
  }
  unsigned r = 0, c = 0;
  sscanf(t->config, "%ux%u", &r, &c);
  snprintf(why, wlen,
           "test %s (config=%s) needs %s, which is missing: build it with "
           "'make ROWS=%u COLS=%u %s'",
           t->name, t->config, shown, r, c, shown);
  return -1;
}
