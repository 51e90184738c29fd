/*
 * The OpenCL program cache against damaged files: a cache file cut in
 * half, with one byte flipped, emptied, swapped for another program's or
 * replaced by a FIFO is refused by its integrity check and rebuilt from
 * source, never handed to the driver (POCL crashed or asserted on them),
 * and the rebuild leaves a good file behind. Through the library and
 * through the CLI, as a user meets it.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "neocog/ocl.h"
#include "tests/cli_run.h"
#include "tests/common.h"

/* A fresh cache directory of this test. */
static void cache_dir_(char *dir, size_t len, const char *name) {
  snprintf(dir, len, "%s/neocog-cache-%s-%ld",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name, (long)getpid());
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
  setenv("NEOCOG_CL_CACHE", dir, 1);
}

static void rm_dir_(const char *dir) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

/* The one .clbin file in `dir` (the tests build one program). */
static void the_file_(const char *dir, char *path, size_t len) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d, "%s", dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const size_t l = strlen(e->d_name);
    if (l > 6 && strcmp(e->d_name + l - 6, ".clbin") == 0) {
      snprintf(path, len, "%s/%s", dir, e->d_name);
      n++;
    }
  }
  closedir(d);
  cr_assert_eq(n, 1, "%d cache files in %s", n, dir);
}

static uint8_t *slurp_all_(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "%s", path);
  cr_assert_eq(fseek(f, 0, SEEK_END), 0);
  const long len = ftell(f);
  cr_assert_gt(len, 0);
  rewind(f);
  uint8_t *b = malloc((size_t)len);
  cr_assert_not_null(b);
  cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return b;
}

static void write_all_(const char *path, const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "%s", path);
  cr_assert_eq(fwrite(b, 1, n, f), n);
  cr_assert_eq(fclose(f), 0);
}

/* A 3x3 max pool: one small program. */
static void pool_run_(nc_ocl_profile_t *p, nc_tensor_t *o) {
  const int64_t xs[4] = {1, 5, 5, 16};
  nc_tensor_t x;
  nc_test_alloc(&x, NC_DTYPE_FLOAT32, 4, xs);
  for (size_t i = 0; i < nc_tensor_numel(&x); i++) {
    ((float *)x.data)[i] = (float)((i * 37) % 101) - 50.0f;
  }
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_MAXPOOL);
  l.pool_h = l.pool_w = 3;
  nc_ocl_t *c = NULL;
  cr_assert_eq(nc_ocl_open(&c, NULL, NULL), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_ocl_run_layer(c, &l, &x, NULL, NULL, o), NC_OK, "%s",
               nc_error_detail());
  nc_ocl_last_profile(c, p);
  nc_ocl_close(c);
  nc_tensor_free(&x);
}

enum { CUT_HALF, FLIP_100, FLIP_LAST, EMPTY, FOREIGN, FIFO, NDAMAGE };
static const char *const damage_names_[NDAMAGE] = {
    "cut in half", "byte 100 flipped",       "last byte flipped",
    "empty",       "another program's file", "a FIFO"};

static void damage_(const char *path, int how, const uint8_t *good, size_t n) {
  uint8_t *b = malloc(n);
  cr_assert_not_null(b);
  memcpy(b, good, n);
  switch (how) {
    case CUT_HALF:
      write_all_(path, b, n / 2);
      break;
    case FLIP_100:
      b[100] ^= 0xff;
      write_all_(path, b, n);
      break;
    case FLIP_LAST:
      b[n - 1] ^= 0x01;
      write_all_(path, b, n);
      break;
    case EMPTY:
      write_all_(path, b, 0);
      break;
    case FOREIGN:
      b[24] ^= 0x01; /* the key: written for something else */
      write_all_(path, b, n);
      break;
    case FIFO:
      cr_assert_eq(unlink(path), 0);
      cr_assert_eq(mkfifo(path, 0644), 0);
      break;
  }
  free(b);
}

Test(ocl_cache, damaged_files_are_rebuilt, .timeout = 300) {
  char dir[512], file[1024];
  cache_dir_(dir, sizeof dir, "lib");
  nc_ocl_profile_t p;
  nc_tensor_t want, got;
  pool_run_(&p, &want);
  cr_assert_eq(p.programs_built, 1);
  the_file_(dir, file, sizeof file);
  size_t n = 0;
  uint8_t *good = slurp_all_(file, &n);
  size_t pn = 0;
  cr_assert_eq(nc_ocl_cache_check(good, n, NULL, &pn), NC_OK, "%s",
               nc_error_detail());
  cr_assert_gt(n, 100);
  for (int how = 0; how < NDAMAGE; how++) {
    damage_(file, how, good, n);
    pool_run_(&p, &got);
    cr_expect_eq(p.programs_refused, 1, "%s", damage_names_[how]);
    cr_expect_eq(p.programs_cached, 0, "%s", damage_names_[how]);
    cr_expect_eq(p.programs_built, 1, "%s", damage_names_[how]);
    cr_expect_eq(memcmp(got.data, want.data, want.nbytes), 0, "%s",
                 damage_names_[how]);
    nc_tensor_free(&got);
    /* The rebuild wrote a good file again, which the next run loads. */
    struct stat sb;
    cr_assert_eq(lstat(file, &sb), 0);
    cr_expect(S_ISREG(sb.st_mode), "%s: not replaced", damage_names_[how]);
    pool_run_(&p, &got);
    cr_expect_eq(p.programs_cached, 1, "%s", damage_names_[how]);
    cr_expect_eq(p.programs_refused, 0, "%s", damage_names_[how]);
    nc_tensor_free(&got);
  }
  free(good);
  nc_tensor_free(&want);
  rm_dir_(dir);
}

/* The issue as a user met it: fill the cache with one run, truncate the
 * file to half its size (the next run died with SIGSEGV) or flip byte 100
 * (SIGABRT in POCL); the next run must succeed and match. */
Test(ocl_cache, cli_survives_a_damaged_cache, .timeout = 300) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char dir[512], file[1024], x[256], w[256], y[256];
  snprintf(dir, sizeof dir, "%s/cache", r.dir);
  setenv("NEOCOG_CL_CACHE", dir, 1);
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  const char *a[] = {"layer",     "conv2d", "--input",  x, "--weights", w,
                     "--backend", "opencl", "--output", y, NULL};
  run_(&r, a);
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_tensor_t want, got;
  cr_assert_eq(nc_tensor_load_npy(y, &want), NC_OK);
  the_file_(dir, file, sizeof file);
  size_t n = 0;
  uint8_t *good = slurp_all_(file, &n);
  const int hows[2] = {CUT_HALF, FLIP_100};
  for (int i = 0; i < 2; i++) {
    damage_(file, hows[i], good, n);
    run_(&r, a);
    cr_expect_eq(r.status, 0, "%s: %s", damage_names_[hows[i]], r.err);
    cr_assert_eq(nc_tensor_load_npy(y, &got), NC_OK);
    cr_expect_eq(memcmp(got.data, want.data, want.nbytes), 0);
    nc_tensor_free(&got);
  }
  free(good);
  nc_tensor_free(&want);
  cleanup_(&r);
}
