/*
 * The CLI against hostile input, one test per way it used to go wrong:
 * outputs replaced by a command that then failed, a FIFO that blocked the
 * reader, outputs written over symbolic links and special files, the
 * network file's size limit, numbers that overflow, messages that echoed
 * raw file bytes or said the wrong thing, and shapes that reached the
 * allocator. Under tests/run.sh the sanitized suite drives the sanitized
 * binary, so an abort in the allocator fails these tests too.
 */
#include <dirent.h>
#include <errno.h>

#include "neocog/net.h"
#include "tests/cli_run.h"
#include "tests/common.h"

static void write_text_(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "%s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

static void precious_(const char *path) {
  write_text_(path, "precious");
}

static void expect_precious_(const char *path, const char *what) {
  char buf[64];
  slurp_(path, buf, sizeof buf);
  cr_expect_str_eq(buf, "precious", "%s: the output was replaced", what);
}

/* Nothing but the files the test made: no temporary left behind. */
static void expect_no_temporaries_(const run_t *r) {
  DIR *d = opendir(r->dir);
  cr_assert_not_null(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    cr_expect(strstr(e->d_name, "tmp") == NULL, "left behind: %s/%s", r->dir,
              e->d_name);
  }
  closedir(d);
}

/* One line of printable text. */
static void expect_one_clean_line_(const char *err, const char *what) {
  const char *nl = strchr(err, '\n');
  cr_expect(nl != NULL && nl[1] == '\0', "%s: not one line: %s", what, err);
  for (const char *p = err; *p != '\0'; p++) {
    const unsigned char c = (unsigned char)*p;
    cr_expect(c == '\n' || (c >= 0x20 && c < 0x7f),
              "%s: byte 0x%02x in the message: %s", what, c, err);
  }
}

/* Every output of a command is written, or none: a --stats or --timeline
 * that cannot be written leaves --output as it was. */
Test(cli_reliability, outputs_all_or_none) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256], dir[256], s[256], t[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  path_(&r, "adir", dir);
  path_(&r, "s.json", s);
  path_(&r, "t.json", t);
  cr_assert_eq(mkdir(dir, 0755), 0);
  const char *cases[][16] = {
      {"layer", "conv2d", "--input", x, "--weights", w, "--output", y,
       "--stats", "/no/such/dir/s.json", NULL},
      {"layer", "conv2d", "--input", x, "--weights", w, "--output", y,
       "--stats", dir, NULL},
      {"layer", "conv2d", "--input", x, "--weights", w, "--backend", "model",
       "--output", y, "--timeline", "/no/such/t.json", NULL},
      {"run", "nets/convnet.net", "--seed", "1", "--quiet", "--output", y,
       "--stats", "/no/s.json", NULL},
      {"layer", "conv2d", "--input", x, "--weights", w, "--output", y,
       "--stats", y, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    precious_(y);
    run_(&r, cases[i]);
    cr_expect_eq(r.status, 1, "case %zu: exit %d: %s", i, r.status, r.err);
    expect_precious_(y, cases[i][8]);
    expect_one_clean_line_(r.err, "outputs");
    expect_no_temporaries_(&r);
  }
  /* And when all can be written, all are. */
  precious_(y);
  const char *ok[] = {"layer",      "conv2d", "--input",  x, "--weights", w,
                      "--backend",  "model",  "--output", y, "--stats",   s,
                      "--timeline", t,        NULL};
  run_(&r, ok);
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK, "%s", nc_error_detail());
  nc_tensor_free(&out);
  char json[4096];
  slurp_(s, json, sizeof json);
  cr_expect(strstr(json, "\"backend\": \"model\"") != NULL, "%s", json);
  slurp_(t, json, sizeof json);
  cr_expect(strstr(json, "traceEvents") != NULL, "%s", json);
  expect_no_temporaries_(&r);
  cleanup_(&r);
}

/* A FIFO (or a directory) where a file is expected is refused at once,
 * without blocking on it. */
Test(cli_reliability, fifo_input_is_refused, .timeout = 60) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256], f[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  path_(&r, "f.npy", f);
  cr_assert_eq(mkfifo(f, 0644), 0);
  const char *cases[][12] = {
      {"layer", "conv2d", "--input", f, "--weights", w, "--output", y, NULL},
      {"layer", "conv2d", "--input", x, "--weights", f, "--output", y, NULL},
      {"info", f, NULL},
      {"run", f, "--seed", "1", "--output", y, NULL},
      {"run", r.dir, "--seed", "1", "--output", y, NULL},
  };
  const char *words[] = {"is a FIFO", "is a FIFO", "is a FIFO", "is a FIFO",
                         "is a directory, not a regular file"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    precious_(y);
    run_(&r, cases[i]);
    cr_expect_eq(r.status, 1, "case %zu: exit %d: %s", i, r.status, r.err);
    cr_expect(strstr(r.err, words[i]) != NULL, "case %zu: %s", i, r.err);
    expect_one_clean_line_(r.err, "fifo");
    expect_precious_(y, "fifo");
  }
  /* A FIFO named by a network file as its weights. */
  char net[256];
  path_(&r, "n.net", net);
  write_text_(net,
              "input shape=5x5x3 dtype=int8\n"
              "conv2d weights=f.npy scale=0.1\n");
  const char *a[] = {"info", net, NULL};
  run_(&r, a);
  cr_expect_eq(r.status, 1, "%s", r.err);
  cr_expect(strstr(r.err, "n.net:2:") != NULL && strstr(r.err, "FIFO"), "%s",
            r.err);
  cleanup_(&r);
}

/* An output path that is a symbolic link, a FIFO or a directory is refused
 * and left as it was; the file a link points to is not touched. */
Test(cli_reliability, special_outputs_are_refused, .timeout = 60) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], target[256], link[256], fifo[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "target.npy", target);
  path_(&r, "link.npy", link);
  path_(&r, "fifo.npy", fifo);
  precious_(target);
  cr_assert_eq(symlink("target.npy", link), 0);
  cr_assert_eq(mkfifo(fifo, 0644), 0);
  const char *outs[] = {link, fifo, r.dir};
  const char *kinds[] = {"symbolic link", "FIFO", "directory"};
  const mode_t modes[] = {S_IFLNK, S_IFIFO, S_IFDIR};
  for (int i = 0; i < 3; i++) {
    const char *a[] = {"layer", "conv2d",   "--input", x,   "--weights",
                       w,       "--output", outs[i],   NULL};
    run_(&r, a);
    cr_expect_eq(r.status, 1, "%s: exit %d: %s", kinds[i], r.status, r.err);
    cr_expect(strstr(r.err, kinds[i]) != NULL, "%s", r.err);
    expect_one_clean_line_(r.err, kinds[i]);
    struct stat sb;
    cr_assert_eq(lstat(outs[i], &sb), 0);
    cr_expect_eq(sb.st_mode & S_IFMT, modes[i], "%s replaced", kinds[i]);
  }
  expect_precious_(target, "the link's target");
  cleanup_(&r);
}

/* Writes a valid network file of exactly `bytes` bytes (comment padding). */
static void net_of_size_(const char *path, size_t bytes) {
  static const char body[] =
      "input shape=4x4x3 dtype=int8\n"
      "conv2d filters=2 kernel=3 scale=0.01\n";
  char *t = malloc(bytes + 1);
  cr_assert_not_null(t);
  /* The layers, then comment lines of 64 bytes, the last one shorter. */
  memset(t, ' ', bytes);
  memcpy(t, body, sizeof body - 1);
  for (size_t i = sizeof body - 1; i < bytes; i += 64) {
    t[i] = '#';
    t[(i + 63 < bytes ? i + 63 : bytes - 1)] = '\n';
  }
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(t, 1, bytes, f), bytes);
  cr_assert_eq(fclose(f), 0);
  free(t);
}

/* The limit is 1 MiB, inclusive. */
Test(cli_reliability, network_file_size_limit) {
  run_t r;
  tmpdir_(&r);
  char p[256];
  path_(&r, "big.net", p);
  const size_t sizes[] = {(1u << 20) - 2, (1u << 20) - 1, 1u << 20,
                          (1u << 20) + 1};
  for (int i = 0; i < 4; i++) {
    net_of_size_(p, sizes[i]);
    const char *a[] = {"info", p, NULL};
    run_(&r, a);
    if (sizes[i] <= 1u << 20) {
      cr_expect_eq(r.status, 0, "%zu bytes: %s", sizes[i], r.err);
    } else {
      cr_expect_eq(r.status, 1, "%zu bytes", sizes[i]);
      cr_expect(strstr(r.err, "larger than 1 MiB") != NULL, "%s", r.err);
    }
  }
  cleanup_(&r);
}

/* Every number a user types, or a file holds, is refused when it does not
 * fit, never wrapped or cut. */
Test(cli_reliability, numbers_that_overflow_are_refused) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256], net[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  path_(&r, "n.net", net);
  static const char *const seeds[] = {
      "99999999999999999999", "-1", " 1", "1x", "+1", "0x",
      "18446744073709551616"};
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    const char *a[] = {"run",     "nets/convnet.net", "--seed", seeds[i],
                       "--quiet", "--output",         y,        NULL};
    run_(&r, a);
    cr_expect_eq(r.status, 2, "--seed '%s': exit %d", seeds[i], r.status);
    cr_expect(strstr(r.err, "--seed") != NULL, "%s", r.err);
  }
  const char *top[] = {
      "run",     "nets/convnet.net", "--seed", "18446744073709551615",
      "--quiet", "--output",         y,        NULL};
  run_(&r, top);
  cr_expect_eq(r.status, 0, "2^64 - 1 is a seed: %s", r.err);
  const char *batch[] = {"info", "nets/convnet.net", "--batch",
                         "99999999999999999999", NULL};
  run_(&r, batch);
  cr_expect_eq(r.status, 2, "%s", r.err);
  const char *stride[] = {
      "layer",     "conv2d", "--input",  x,
      "--weights", w,        "--stride", "99999999999999999999",
      "--output",  y,        NULL};
  run_(&r, stride);
  cr_expect_eq(r.status, 2, "%s", r.err);
  write_text_(net,
              "network seed=99999999999999999999\n"
              "input shape=4x4x3 dtype=int8\n"
              "conv2d filters=2 kernel=3 scale=0.01\n");
  const char *info[] = {"info", net, NULL};
  run_(&r, info);
  cr_expect_eq(r.status, 1);
  cr_expect(strstr(r.err, "n.net:1: seed") != NULL, "%s", r.err);
  /* The environment variables the CLI reads, as strictly. */
  const char *vars[][2] = {
      {"NEOCOG_TIMEOUT_MS", "99999999999999999999"},
      {"NEOCOG_TIMEOUT_MS", "100ms"},
      {"NEOCOG_TIMEOUT_MS", "0"},
      {"NEOCOG_WATCHDOG_CYCLES", "4294967296"},
      {"NEOCOG_TEST_CORRUPT_OUTPUT", "-1"},
      {"NEOCOG_FAULT", "slverr@store:99999999999999999999"}};
  const char *a[] = {"layer",     "conv2d", "--input",  x, "--weights", w,
                     "--backend", "model",  "--output", y, NULL};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    setenv(vars[i][0], vars[i][1], 1);
    run_(&r, a);
    unsetenv(vars[i][0]);
    cr_expect_eq(r.status, 2, "%s=%s: exit %d: %s", vars[i][0], vars[i][1],
                 r.status, r.err);
    cr_expect(strstr(r.err, vars[i][0]) != NULL, "%s", r.err);
    expect_one_clean_line_(r.err, vars[i][0]);
  }
  cleanup_(&r);
}

/* Messages say what is so, once, in printable text. */
Test(cli_reliability, messages_are_right_and_printable) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256], sc[256], net[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  path_(&r, "s.npy", sc);
  path_(&r, "n.net", net);
  /* --scales of the wrong dtype names the dtype it has. */
  const int64_t two = 2;
  nc_tensor_t t;
  nc_test_alloc(&t, NC_DTYPE_INT32, 1, &two);
  cr_assert_eq(nc_tensor_save_npy(sc, &t), NC_OK);
  nc_tensor_free(&t);
  const char *a1[] = {"layer",    "conv2d", "--input",  x, "--weights", w,
                      "--scales", sc,       "--output", y, NULL};
  run_(&r, a1);
  cr_expect_eq(r.status, 1);
  cr_expect(strstr(r.err, "(got int32 [2])") != NULL, "%s", r.err);
  /* A control character in a name is refused, and not echoed raw. */
  write_text_(net,
              "input shape=4x4x3 dtype=int8\n"
              "conv2d name=a\033[31mb filters=2 kernel=3 scale=0.01\n");
  const char *a2[] = {"info", net, NULL};
  run_(&r, a2);
  cr_expect_eq(r.status, 1);
  cr_expect(strstr(r.err, "n.net:2: name 'a?[31mb'") != NULL, "%s", r.err);
  expect_one_clean_line_(r.err, "escape in name");
  write_text_(net,
              "network name=x\033]0;title\007\n"
              "input shape=4x4x3 dtype=int8\n"
              "conv2d filters=2 kernel=3 scale=0.01\n");
  run_(&r, a2);
  cr_expect_eq(r.status, 1);
  expect_one_clean_line_(r.err, "escape in network name");
  write_text_(net,
              "input shape=4x4x3 dtype=int8\n"
              "conv2d name=a\"b filters=2 kernel=3 scale=0.01\n");
  run_(&r, a2);
  cr_expect_eq(r.status, 1, "a quote would break --stats JSON");
  /* A binary file: a short, printable message, not its bytes. */
  FILE *f = fopen(net, "wb");
  cr_assert_not_null(f);
  nc_rng_t rng;
  nc_rng_seed(&rng, 5);
  for (int i = 0; i < 3000; i++) {
    fputc(1 + (int)(nc_rng_next(&rng) % 255), f);
  }
  cr_assert_eq(fclose(f), 0);
  run_(&r, a2);
  cr_expect_eq(r.status, 1);
  expect_one_clean_line_(r.err, "binary network file");
  cr_expect_lt(strlen(r.err), 300, "%zu bytes: %s", strlen(r.err), r.err);
  cleanup_(&r);
}

/* Shapes whose sizes cannot be held are refused with the limit named,
 * before anything is allocated (under ASan the allocator used to abort). */
Test(cli_reliability, huge_shapes_are_refused) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256], net[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  path_(&r, "n.net", net);
  static const char *const nets[] = {
      "input shape=1048576x1048576x1048576 dtype=int8\n"
      "conv2d filters=1 kernel=1 scale=0.1\n",
      "input shape=1024x1024x3 dtype=int8\nfc units=16777216 scale=0.1\n",
      "input shape=8x8x3 dtype=int8\n"
      "conv2d filters=16777216 kernel=8 pad=1048576 scale=0.1\n",
      "input shape=8x8x3\nlocal filters=4096 kernel=1 pad=4000\n",
  };
  for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
    write_text_(net, nets[i]);
    const char *a[] = {"run",     net,        "--seed", "1",
                       "--quiet", "--output", y,        NULL};
    run_(&r, a);
    cr_expect_eq(r.status, 1, "net %zu: exit %d: %s", i, r.status, r.err);
    cr_expect(strstr(r.err, "may hold") != NULL, "net %zu: %s", i, r.err);
    expect_one_clean_line_(r.err, "huge network");
  }
  const char *backends[] = {"cpu", "model"};
  for (int i = 0; i < 2; i++) {
    const char *a[] = {"layer",     "conv2d",    "--input",  x,
                       "--weights", w,           "--pad",    "1048576",
                       "--backend", backends[i], "--output", y,
                       NULL};
    run_(&r, a);
    cr_expect_eq(r.status, 1, "%s: exit %d: %s", backends[i], r.status, r.err);
    cr_expect(strstr(r.err, "may hold") != NULL, "%s", r.err);
  }
  cleanup_(&r);
}
