/*
 * Runs a fuzz target's corpus once, without libFuzzer: every file named on
 * the command line (a directory stands for the files in it, in name
 * order) is read and handed to LLVMFuzzerTestOneInput, as the fuzzer
 * would. Built with gcc and the sanitizers by `make`, so that `make test`
 * replays every seed and every input that once crashed a target.
 *
 *   replay_npy fuzz/corpus/npy
 *
 * Prints one line, "<name>: N inputs", and exits 0; a crash, a sanitizer
 * report or an unreadable corpus exits non-zero.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static int by_name_(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file_(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) {
      break;
    }
    uint8_t *p = realloc(buf, cap * 2);
    if (p == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = p;
    cap *= 2;
  }
  const int bad = ferror(f) || buf == NULL;
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: cannot read\n", path);
    free(buf);
    return -1;
  }
  /* A copy of exactly n bytes, so that ASan sees a read past the end. */
  uint8_t *exact = malloc(n > 0 ? n : 1);
  if (exact == NULL) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int run_dir_(const char *dir, int *count) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    perror(dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') {
      continue;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **p = realloc(names, cap * sizeof *p);
      if (p == NULL) {
        break;
      }
      names = p;
    }
    const size_t len = strlen(dir) + strlen(e->d_name) + 2;
    names[n] = malloc(len);
    if (names[n] == NULL) {
      break;
    }
    snprintf(names[n], len, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name_);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    if (rc == 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
      rc = run_file_(names[i]);
      *count += rc == 0;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  const char *name =
      strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  int count = 0;
  for (int i = 1; i < argc; i++) {
    struct stat sb;
    if (stat(argv[i], &sb) != 0) {
      perror(argv[i]);
      return 1;
    }
    const int rc =
        S_ISDIR(sb.st_mode) ? run_dir_(argv[i], &count) : run_file_(argv[i]);
    if (rc != 0) {
      return 1;
    }
    count += !S_ISDIR(sb.st_mode);
  }
  if (count == 0) {
    fprintf(stderr, "%s: no inputs\n", name);
    return 1;
  }
  printf("%s: %d inputs\n", name, count);
  return 0;
}
