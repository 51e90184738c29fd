/*
 * What the library does with input it cannot trust, below the CLI: strict
 * numbers, quoting of file text in messages, paths that are not regular
 * files, the tensor size limit and names. The OpenCL program cache's file
 * format is tests/host/test_ocl_cache_format.c.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neocog/layer.h"
#include "neocog/net.h"
#include "neocog/text.h"
#include "tests/common.h"

/* --- numbers and quoting ---------------------------------------------- */

Test(untrusted, parse_u64_is_strict) {
  static const struct {
    const char *s;
    nc_status_t st;
    uint64_t v;
  } cases[] = {
      {"0", NC_OK, 0},
      {"42", NC_OK, 42},
      {"0x2a", NC_OK, 42},
      {"0XFF", NC_OK, 255},
      {"18446744073709551615", NC_OK, UINT64_MAX},
      {"0xffffffffffffffff", NC_OK, UINT64_MAX},
      {"18446744073709551616", NC_ERR_OVERFLOW, 0},
      {"99999999999999999999", NC_ERR_OVERFLOW, 0},
      {"0x10000000000000000", NC_ERR_OVERFLOW, 0},
      {"99999999999999999999x", NC_ERR_FORMAT, 0},
      {"", NC_ERR_FORMAT, 0},
      {"-1", NC_ERR_FORMAT, 0},
      {"+1", NC_ERR_FORMAT, 0},
      {" 1", NC_ERR_FORMAT, 0},
      {"1 ", NC_ERR_FORMAT, 0},
      {"1e3", NC_ERR_FORMAT, 0},
      {"0x", NC_ERR_FORMAT, 0},
      {"0xg", NC_ERR_FORMAT, 0},
      {"12abc", NC_ERR_FORMAT, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t v = 7;
    const nc_status_t st = nc__parse_u64(cases[i].s, &v);
    cr_expect_eq(st, cases[i].st, "'%s': %s", cases[i].s, nc_status_name(st));
    if (cases[i].st == NC_OK) {
      cr_expect_eq(v, cases[i].v, "'%s'", cases[i].s);
    } else {
      cr_expect_eq(v, 7, "'%s': output written on failure", cases[i].s);
    }
  }
  uint64_t v;
  cr_expect_eq(nc__parse_u64(NULL, &v), NC_ERR_FORMAT);
}

Test(untrusted, shown_is_printable_and_bounded) {
  char out[16];
  cr_expect_str_eq(nc__shown_str("abc", out, sizeof out), "abc");
  cr_expect_str_eq(nc__shown_str("a\033[31mb\n", out, sizeof out), "a?[31mb?");
  cr_expect_str_eq(nc__shown_str("0123456789abcdefghij", out, sizeof out),
                   "0123456789ab...");
  cr_expect_str_eq(nc__shown("\x80\xff", 2, out, sizeof out), "??");
}

/* --- files that are not regular files ---------------------------------- */

/* A FIFO, a directory and a device are refused at once, by name. */
Test(untrusted, readers_refuse_what_is_not_a_regular_file, .timeout = 30) {
  char dir[] = "/tmp/neocog_untrusted_XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char fifo[64];
  snprintf(fifo, sizeof fifo, "%s/f", dir);
  cr_assert_eq(mkfifo(fifo, 0644), 0);
  nc_tensor_t t;
  nc_net_t net;
  const char *paths[] = {fifo, dir, "/dev/zero"};
  const char *kinds[] = {"FIFO", "directory", "character device"};
  for (int i = 0; i < 3; i++) {
    cr_expect_eq(nc_tensor_load_npy(paths[i], &t), NC_ERR_IO, "%s", paths[i]);
    cr_expect(strstr(nc_error_detail(), kinds[i]) != NULL, "%s",
              nc_error_detail());
    cr_expect_null(t.data);
    cr_expect_eq(nc_net_load(paths[i], &net), NC_ERR_IO, "%s", paths[i]);
    cr_expect(strstr(nc_error_detail(), kinds[i]) != NULL, "%s",
              nc_error_detail());
    cr_expect_null(net.layers);
  }
  cr_assert_eq(unlink(fifo), 0);
  cr_assert_eq(rmdir(dir), 0);
}

/* --- the tensor limit ------------------------------------------------- */

Test(untrusted, tensor_limit) {
  const int64_t ok[2] = {1024, 1024}, big[3] = {1024, 1024, 2049};
  uint64_t b = 0;
  cr_expect_eq(nc_tensor_bytes(NC_DTYPE_FLOAT32, 2, ok, "t", &b), NC_OK);
  cr_expect_eq(b, 4u << 20);
  /* 2^31 + 2^20 int8 bytes: one MiB over. */
  cr_expect_eq(nc_tensor_bytes(NC_DTYPE_INT8, 3, big, "t", &b),
               NC_ERR_UNSUPPORTED);
  cr_expect(strstr(nc_error_detail(), "more than the 2 GiB a tensor may hold"),
            "%s", nc_error_detail());
  const int64_t wraps[3] = {INT64_C(1) << 40, INT64_C(1) << 40, 1 << 20};
  cr_expect_eq(nc_tensor_bytes(NC_DTYPE_INT8, 3, wraps, "t", &b),
               NC_ERR_OVERFLOW);
  const int64_t neg[1] = {-1};
  cr_expect_eq(nc_tensor_bytes(NC_DTYPE_INT8, 1, neg, "t", &b),
               NC_ERR_INVALID_ARG);
  /* Refused before allocating: the tensor stays empty. */
  nc_tensor_t t;
  cr_expect_eq(nc_tensor_alloc(&t, NC_DTYPE_INT8, 3, big), NC_ERR_UNSUPPORTED);
  cr_expect_null(t.data);
  /* The test hook moves the limit; exactly at it is fine. */
  nc__tensor_set_max_bytes(4096);
  const int64_t at[1] = {4096}, over[1] = {4097};
  cr_expect_eq(nc_tensor_alloc(&t, NC_DTYPE_INT8, 1, at), NC_OK);
  nc_tensor_free(&t);
  cr_expect_eq(nc_tensor_alloc(&t, NC_DTYPE_INT8, 1, over), NC_ERR_UNSUPPORTED);
  cr_expect(strstr(nc_error_detail(), "4096 bytes"), "%s", nc_error_detail());
  nc__tensor_set_max_bytes(0);
  cr_expect_eq(nc__tensor_max_bytes(), NC_TENSOR_MAX_BYTES);
}

/* A .npy header that announces more than a tensor may hold is refused as
 * such, before the data is even looked at. */
Test(untrusted, npy_header_over_the_limit) {
  static const char dict[] =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }";
  unsigned char im[128];
  memset(im, ' ', sizeof im);
  memcpy(im, "\x93NUMPY\x01\x00", 8);
  im[8] = 128 - 10;
  im[9] = 0;
  memcpy(im + 10, dict, sizeof dict - 1);
  im[127] = '\n';
  nc_tensor_t t;
  cr_expect_eq(nc_tensor_parse_npy(im, sizeof im, &t), NC_ERR_UNSUPPORTED);
  cr_expect(strstr(nc_error_detail(), "more than a tensor may hold"), "%s",
            nc_error_detail());
}

/* A layer whose output could not be held is refused by its geometry, so
 * every backend refuses it before allocating. */
Test(untrusted, geometry_refuses_outputs_over_the_limit) {
  nc_layer_t l;
  nc_layer_init(&l, NC_LAYER_CONV2D);
  l.pad_mode = NC_PAD_EXPLICIT;
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1 << 20;
  const int64_t xs[4] = {1, 5, 5, 3}, ws[4] = {2, 3, 3, 3};
  nc_geom_t g;
  cr_expect_eq(nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g), NC_ERR_UNSUPPORTED);
  cr_expect(strstr(nc_error_detail(), "the output [1, 2097155, 2097155, 2]"),
            "%s", nc_error_detail());
  l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1000;
  cr_expect_eq(nc_layer_geometry(&l, xs, 4, ws, 4, -1, &g), NC_OK, "%s",
               nc_error_detail());
}

/* --- network and layer text ------------------------------------------- */

/* A message never carries a control character from the file, and quotes
 * file text in bounded pieces. */
static void expect_clean_(const char *what) {
  const char *d = nc_error_detail();
  for (const char *p = d; *p != '\0'; p++) {
    cr_expect((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
              "%s: byte 0x%02x in '%s'", what, (unsigned char)*p, d);
  }
  cr_expect_lt(strlen(d), 300, "%s: %zu bytes: %s", what, strlen(d), d);
}

Test(untrusted, network_text_is_quoted_and_names_checked) {
  static const struct {
    const char *text;
    const char *word;
  } cases[] = {
      {"input shape=4x4x3 dtype=int8\nconv2d name=a\033[2Jb filters=1 "
       "kernel=1\n",
       "name 'a?[2Jb'"},
      {"network name=n\007\ninput shape=4x4x3\nfc units=1\n",
       "network name 'n?'"},
      {"input shape=4x4x3\nconv2d name=a\"b filters=1 kernel=1\n", "name"},
      {"input shape=4x4x3\nconv2d name=a\\b filters=1 kernel=1\n", "name"},
      {"\033]0;title\007 x\n", "unknown statement '?]0;title?'"},
      {"input shape=4x4x3 dtype=\033[1m\n", "unknown dtype '?[1m'"},
      {"input shape=4x4x3\n\033[1m\n", "unknown statement"},
      {"input shape=4x4x3\nconv2d stride=\033 filters=1 kernel=1\n",
       "stride: '?'"},
      {"input shape=4x4x3\nconv2d act=\033 filters=1 kernel=1\n", "act"},
      {"input shape=4x4x3\nconv2d \033=1 filters=1 kernel=1\n",
       "unknown option '?'"},
      {"network seed=1\033\ninput shape=4x4x3\nfc units=1\n", "seed: '1?'"},
      {"network seed=99999999999999999999\ninput shape=4x4x3\nfc units=1\n",
       "too large"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nc_net_t net;
    const nc_status_t st = nc_net_parse(cases[i].text, "t.net", NULL, &net);
    cr_expect_neq(st, NC_OK, "case %zu parsed", i);
    cr_expect(strstr(nc_error_detail(), cases[i].word) != NULL,
              "case %zu: '%s' not in: %s", i, cases[i].word, nc_error_detail());
    expect_clean_("network text");
  }
  /* A long run of binary: cut, not echoed whole. */
  char bin[2000];
  for (size_t i = 0; i < sizeof bin - 1; i++) {
    bin[i] = (char)(0x80 + i % 0x7f);
  }
  bin[sizeof bin - 1] = '\0';
  nc_net_t net;
  cr_expect_eq(nc_net_parse(bin, "t.net", NULL, &net), NC_ERR_FORMAT);
  expect_clean_("binary network");
  cr_expect(nc_spec_name_ok("conv1/relu_2.a-b"));
  cr_expect(!nc_spec_name_ok("a b"));
}

/* The detail of a --scales file of the wrong dtype names its dtype (it
 * used to be read after the tensor was freed, and said int8). */
Test(untrusted, scales_of_the_wrong_dtype) {
  char path[] = "/tmp/neocog_scales_XXXXXX";
  const int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  const int64_t five = 5;
  nc_tensor_t t;
  nc_test_alloc(&t, NC_DTYPE_INT32, 1, &five);
  cr_assert_eq(nc_tensor_save_npy(path, &t), NC_OK);
  nc_tensor_free(&t);
  nc_spec_t s;
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "scales", path), NC_OK);
  cr_expect_eq(nc_spec_finish(&s, 5, 1), NC_ERR_SHAPE);
  cr_expect(strstr(nc_error_detail(), "(got int32 [5])") != NULL, "%s",
            nc_error_detail());
  unlink(path);
}
