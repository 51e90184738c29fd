/*
 * The .npy codec: round trips, hand-built images of every format version,
 * the writer's exact bytes, and each way a file can be wrong.
 *
 * Byte images are assembled here from the format description in
 * numpy/lib/format.py ("\x93NUMPY", major, minor, little-endian header
 * length, header text padded with spaces and a '\n' so the data starts on a
 * 64-byte boundary), never taken from the writer under test.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common.h"

/* --- helpers ----------------------------------------------------------- */

/* A byte image owned by the test. */
typedef struct {
  unsigned char *b; /* malloc'ed bytes */
  size_t len;       /* their number */
} img_t;

/* Assembles magic, version `major`.0, header length, `dict` padded per the
 * spec, then `nbytes` of data. */
static img_t npy_img(int major, const char *dict, const void *data,
                     size_t nbytes) {
  size_t field = major == 1 ? 2 : 4;
  size_t start = 8 + field;
  size_t text = strlen(dict) + 1;
  size_t total = (start + text + 63) / 64 * 64;
  size_t hlen = total - start;
  img_t im = {malloc(total + nbytes + 1), total + nbytes};
  cr_assert_not_null(im.b);
  memcpy(im.b, "\x93NUMPY", 6);
  im.b[6] = (unsigned char)major;
  im.b[7] = 0;
  for (size_t i = 0; i < field; i++) {
    im.b[8 + i] = (unsigned char)(hlen >> (8 * i));
  }
  memcpy(im.b + start, dict, text - 1);
  memset(im.b + start + text - 1, ' ', total - start - text);
  im.b[total - 1] = '\n';
  if (nbytes > 0) {
    memcpy(im.b + total, data, nbytes);
  }
  return im;
}

/* A tensor that a failed call must have emptied. */
static void expect_empty(const nc_tensor_t *t) {
  cr_expect_null(t->data);
  cr_expect_eq(t->ndim, 0);
  cr_expect_eq(t->nbytes, 0);
}

/* Parses `im` expecting failure `want` with `word` in the detail. */
static void expect_parse_fails(img_t im, int want, const char *word) {
  nc_tensor_t t;
  memset(&t, 0xab, sizeof t);
  nc_error_clear();
  int st = nc_tensor_parse_npy(im.b, im.len, &t);
  cr_expect_eq(st, want, "status %s (%s), want %s", nc_status_name(st),
               nc_error_detail(), nc_status_name(want));
  cr_expect_not_null(strstr(nc_error_detail(), word),
                     "detail \"%s\" lacks \"%s\"", nc_error_detail(), word);
  expect_empty(&t);
  free(im.b);
}

/* Parses a v1 image of `dict` with `nbytes` zero bytes of data, expecting
 * failure. */
static void expect_dict_fails(const char *dict, size_t nbytes, int want,
                              const char *word) {
  unsigned char zeros[64] = {0};
  cr_assert_leq(nbytes, sizeof zeros);
  expect_parse_fails(npy_img(1, dict, zeros, nbytes), want, word);
}

/* Parses `im` expecting success with the given dtype and shape; returns
 * the tensor (caller frees). */
static nc_tensor_t expect_parse_ok(img_t im, nc_dtype_t dt, int ndim,
                                   const int64_t *shape) {
  nc_tensor_t t;
  int st = nc_tensor_parse_npy(im.b, im.len, &t);
  free(im.b);
  cr_assert_eq(st, NC_OK, "parse: %s (%s)", nc_status_name(st),
               nc_error_detail());
  cr_expect_eq(t.dtype, dt, "dtype %s, want %s", nc_dtype_name(t.dtype),
               nc_dtype_name(dt));
  cr_assert_eq(t.ndim, ndim);
  for (int i = 0; i < ndim; i++) {
    cr_expect_eq(t.shape[i], shape[i], "dim %d: %lld, want %lld", i,
                 (long long)t.shape[i], (long long)shape[i]);
  }
  return t;
}

/* Reads a whole file for byte-level checks. */
static img_t read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
  img_t im = {malloc(1 << 16), 0};
  cr_assert_not_null(im.b);
  im.len = fread(im.b, 1, 1 << 16, f);
  cr_assert(feof(f), "%s is larger than the test expects", path);
  fclose(f);
  return im;
}

static void write_all(const char *path, const void *b, size_t len) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
  cr_assert_eq(fwrite(b, 1, len, f), len);
  cr_assert_eq(fclose(f), 0);
}

/* A scratch directory per test, removed (with its files) afterwards. */
static char dir_[64];

static void dir_setup(void) {
  snprintf(dir_, sizeof dir_, "/tmp/nc_npy_XXXXXX");
  cr_assert_not_null(mkdtemp(dir_), "mkdtemp: %s", strerror(errno));
}

/* Counts entries of dir_ whose name contains `part` (all when NULL). */
static int dir_count(const char *part) {
  DIR *d = opendir(dir_);
  cr_assert_not_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
        (part == NULL || strstr(e->d_name, part) != NULL)) {
      n++;
    }
  }
  closedir(d);
  return n;
}

static void dir_teardown(void) {
  DIR *d = opendir(dir_);
  if (d == NULL) {
    return;
  }
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      snprintf(p, sizeof p, "%s/%s", dir_, e->d_name);
      if (unlink(p) != 0) {
        rmdir(p); /* the directory-target test leaves an empty one */
      }
    }
  }
  closedir(d);
  rmdir(dir_);
}

static void dir_path(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "%s/%s", dir_, name);
}

TestSuite(npy);

/* --- round trips ------------------------------------------------------- */

Test(npy, round_trip_all_dtypes_and_shapes, .init = dir_setup,
     .fini = dir_teardown) {
  static const struct {
    int ndim;
    int64_t shape[4];
  } shapes[] = {
      {0, {0}},          /* scalar: one element */
      {1, {5}},          /* 1-d */
      {1, {1}},          /* 1-d of one */
      {2, {2, 3}},       /* matrix */
      {4, {2, 3, 4, 5}}, /* NHWC-like */
      {3, {3, 0, 2}},    /* zero-size middle dim: no data */
      {1, {0}},          /* empty vector */
  };
  nc_rng_t rng;
  nc_test_seed(&rng, "npy", "round_trip_all_dtypes_and_shapes", 7);
  char path[256];
  dir_path(path, sizeof path, "a.npy");
  for (int dt = 0; dt < NC_DTYPE_COUNT; dt++) {
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
      nc_tensor_t a, b;
      nc_test_alloc(&a, (nc_dtype_t)dt, shapes[s].ndim, shapes[s].shape);
      unsigned char *bytes = a.data;
      for (size_t i = 0; i < a.nbytes; i++) {
        bytes[i] = (unsigned char)nc_rng_next(&rng);
      }
      int st = nc_tensor_save_npy(path, &a);
      cr_assert_eq(st, NC_OK, "save %s case %zu: %s", nc_dtype_name(dt), s,
                   nc_error_detail());
      st = nc_tensor_load_npy(path, &b);
      cr_assert_eq(st, NC_OK, "load %s case %zu: %s", nc_dtype_name(dt), s,
                   nc_error_detail());
      cr_expect_eq(b.dtype, a.dtype);
      cr_assert_eq(b.ndim, a.ndim);
      for (int i = 0; i < a.ndim; i++) {
        cr_expect_eq(b.shape[i], a.shape[i]);
      }
      cr_assert_eq(b.nbytes, a.nbytes, "%s case %zu", nc_dtype_name(dt), s);
      if (a.nbytes > 0) {
        cr_expect_eq(memcmp(a.data, b.data, a.nbytes), 0,
                     "%s case %zu: data differs", nc_dtype_name(dt), s);
      }
      /* The file is a 64-aligned preamble followed by exactly the data. */
      struct stat sb;
      cr_assert_eq(stat(path, &sb), 0);
      size_t pre = (size_t)sb.st_size - a.nbytes;
      cr_expect_eq(pre % 64, 0, "preamble of %zu bytes", pre);
      nc_tensor_free(&a);
      nc_tensor_free(&b);
    }
  }
  cr_expect_eq(dir_count(NULL), 1, "only a.npy should remain");
}

Test(npy, save_replaces_existing_file_and_leaves_no_temp, .init = dir_setup,
     .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "w.npy");
  write_all(path, "old contents", 12);
  int64_t shape[] = {3};
  nc_tensor_t a, b;
  nc_test_alloc(&a, NC_DTYPE_INT32, 1, shape);
  int32_t *v = a.data;
  v[0] = -1;
  v[1] = INT32_MAX;
  v[2] = INT32_MIN;
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(nc_tensor_load_npy(path, &b), NC_OK, "%s", nc_error_detail());
  cr_assert_eq(b.nbytes, 12);
  const int32_t *w = b.data;
  cr_expect_eq(w[0], -1);
  cr_expect_eq(w[1], INT32_MAX);
  cr_expect_eq(w[2], INT32_MIN);
  cr_expect_eq(dir_count(NULL), 1);
  cr_expect_eq(dir_count("tmp"), 0, "a temporary file was left behind");
  nc_tensor_free(&a);
  nc_tensor_free(&b);
}

/* --- the writer's bytes ------------------------------------------------ */

/* Checks a file against the spec: magic, version 1.0, a header that is
 * exactly `dict`, then spaces, then '\n', ending on the first 64-byte
 * boundary that leaves room for the newline; then `data`. */
static void expect_file_bytes(const char *path, const char *dict,
                              const unsigned char *data, size_t nbytes) {
  img_t im = read_all(path);
  size_t text = strlen(dict) + 1;
  size_t total = 10 + text;
  total = (total + 63) / 64 * 64;
  cr_assert_eq(im.len, total + nbytes, "file is %zu bytes, want %zu", im.len,
               total + nbytes);
  cr_expect_eq(memcmp(im.b, "\x93NUMPY\x01\x00", 8), 0, "magic/version");
  size_t hlen = (size_t)im.b[8] | (size_t)im.b[9] << 8;
  cr_expect_eq(hlen, total - 10);
  cr_expect_eq(memcmp(im.b + 10, dict, text - 1), 0, "header: %.*s",
               (int)(total - 10), (const char *)im.b + 10);
  for (size_t i = 10 + text - 1; i < total - 1; i++) {
    cr_expect_eq(im.b[i], ' ', "byte %zu of the preamble is not a space", i);
  }
  cr_expect_eq(im.b[total - 1], '\n');
  if (nbytes > 0) {
    cr_expect_eq(memcmp(im.b + total, data, nbytes), 0, "data bytes");
  }
  free(im.b);
}

Test(npy, writer_golden_int32_2x3, .init = dir_setup, .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "g.npy");
  int64_t shape[] = {2, 3};
  nc_tensor_t a;
  nc_test_alloc(&a, NC_DTYPE_INT32, 2, shape);
  int32_t vals[6] = {0, 1, -1, 256, 0x12345678, INT32_MIN};
  memcpy(a.data, vals, sizeof vals);
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  nc_tensor_free(&a);

  const char *dict =
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (2, 3), }";
  /* 10 preamble bytes + 59 of dict + '\n' = 70, next multiple of 64 is
   * 128: the header length field says 118. */
  cr_assert_eq(strlen(dict), 59);
  /* Little-endian int32, written out byte by byte. */
  static const unsigned char data[24] = {
      0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
      0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x80,
  };
  expect_file_bytes(path, dict, data, sizeof data);
  img_t im = read_all(path);
  cr_expect_eq(im.len, 128 + 24);
  cr_expect_eq(im.b[8], 118);
  cr_expect_eq(im.b[9], 0);
  free(im.b);
}

Test(npy, writer_golden_other_dtypes_and_ranks, .init = dir_setup,
     .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "g.npy");
  nc_tensor_t a;

  int64_t five[] = {5};
  nc_test_alloc(&a, NC_DTYPE_UINT8, 1, five);
  memcpy(a.data, "\x00\x01\x7f\x80\xff", 5);
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  expect_file_bytes(path,
                    "{'descr': '|u1', 'fortran_order': False, "
                    "'shape': (5,), }",
                    (const unsigned char *)"\x00\x01\x7f\x80\xff", 5);
  nc_tensor_free(&a);

  nc_test_alloc(&a, NC_DTYPE_FLOAT32, 0, NULL);
  float one = 1.0f;
  memcpy(a.data, &one, 4);
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  /* IEEE binary32 1.0 is 0x3f800000. */
  expect_file_bytes(path,
                    "{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (), }",
                    (const unsigned char *)"\x00\x00\x80\x3f", 4);
  nc_tensor_free(&a);

  int64_t s4[] = {1, 2, 0, 3};
  nc_test_alloc(&a, NC_DTYPE_INT8, 4, s4);
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  expect_file_bytes(path,
                    "{'descr': '|i1', 'fortran_order': False, "
                    "'shape': (1, 2, 0, 3), }",
                    NULL, 0);
  nc_tensor_free(&a);

  /* 10 + 117 bytes of dict + '\n' is exactly 128: no padding at all.
   * (numpy's own writer would add 64 spaces here; both are valid.) */
  int64_t s5[] = {0, 100000000000000, 100000000000000, 100000000000000,
                  10000000};
  nc_test_alloc(&a, NC_DTYPE_INT8, 5, s5);
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  const char *dict =
      "{'descr': '|i1', 'fortran_order': False, 'shape': "
      "(0, 100000000000000, 100000000000000, "
      "100000000000000, 10000000), }";
  cr_assert_eq(strlen(dict), 117);
  expect_file_bytes(path, dict, NULL, 0);
  img_t im = read_all(path);
  cr_expect_eq(im.len, 128);
  free(im.b);
  nc_tensor_free(&a);
}

/* --- hand-built images -------------------------------------------------- */

static const int32_t six_[6] = {10, -20, 30, -40, 50, 2147483647};

static void expect_six(nc_tensor_t *t) {
  cr_assert_eq(t->nbytes, sizeof six_);
  cr_expect_eq(memcmp(t->data, six_, sizeof six_), 0);
  nc_tensor_free(t);
}

Test(npy, parse_versions_1_2_3) {
  static const int64_t shape[] = {2, 3};
  const char *dict =
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (2, 3), }";
  for (int major = 1; major <= 3; major++) {
    img_t im = npy_img(major, dict, six_, sizeof six_);
    cr_assert_eq(im.b[6], major);
    nc_tensor_t t = expect_parse_ok(im, NC_DTYPE_INT32, 2, shape);
    expect_six(&t);
  }
}

Test(npy, parse_v2_with_large_header) {
  /* A 2.0 header longer than 65535 bytes, as numpy writes for huge
   * structured dtypes; here it is plain padding. */
  static const int64_t shape[] = {2, 3};
  size_t pad = 70000;
  const char *head =
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (2, 3), }";
  char *dict = malloc(strlen(head) + pad + 1);
  cr_assert_not_null(dict);
  strcpy(dict, head);
  memset(dict + strlen(head), ' ', pad);
  dict[strlen(head) + pad] = '\0';
  img_t im = npy_img(2, dict, six_, sizeof six_);
  free(dict);
  cr_assert_gt((size_t)im.b[8] | (size_t)im.b[9] << 8 | (size_t)im.b[10] << 16,
               65535);
  nc_tensor_t t = expect_parse_ok(im, NC_DTYPE_INT32, 2, shape);
  expect_six(&t);
}

Test(npy, parse_header_spellings) {
  static const int64_t shape[] = {2, 3};
  static const char *const dicts[] = {
      /* keys in other orders */
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4', }",
      "{'fortran_order': False, 'shape': (2, 3), 'descr': '<i4'}",
      /* double quotes, mixed quotes */
      "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2, 3)}",
      "{'descr': \"<i4\", \"fortran_order\": False, 'shape': (2, 3),}",
      /* no trailing comma, no spaces at all */
      "{'descr':'<i4','fortran_order':False,'shape':(2,3)}",
      /* generous whitespace, tabs, trailing comma inside the tuple */
      "{ 'descr' :\t'<i4' ,\n 'fortran_order' : False , 'shape' : "
      "( 2 , 3 , ) , }",
  };
  for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
    nc_tensor_t t = expect_parse_ok(npy_img(1, dicts[i], six_, sizeof six_),
                                    NC_DTYPE_INT32, 2, shape);
    expect_six(&t);
  }
}

Test(npy, parse_unpadded_header) {
  /* A header without alignment padding or newline is still a valid dict;
   * numpy's reader accepts it, and so do we. */
  static const char dict[] =
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}";
  size_t hlen = sizeof dict - 1;
  img_t im = {malloc(10 + hlen + sizeof six_), 10 + hlen + sizeof six_};
  cr_assert_not_null(im.b);
  memcpy(im.b, "\x93NUMPY\x01\x00", 8);
  im.b[8] = (unsigned char)hlen;
  im.b[9] = 0;
  memcpy(im.b + 10, dict, hlen);
  memcpy(im.b + 10 + hlen, six_, sizeof six_);
  static const int64_t shape[] = {2, 3};
  nc_tensor_t t = expect_parse_ok(im, NC_DTYPE_INT32, 2, shape);
  expect_six(&t);
}

Test(npy, parse_8bit_descr_spellings) {
  static const struct {
    const char *descr;
    nc_dtype_t dt;
  } cases[] = {
      {"|i1", NC_DTYPE_INT8},  {"<i1", NC_DTYPE_INT8},  {"i1", NC_DTYPE_INT8},
      {"|u1", NC_DTYPE_UINT8}, {"<u1", NC_DTYPE_UINT8}, {"u1", NC_DTYPE_UINT8},
  };
  static const int64_t shape[] = {4};
  static const unsigned char data[4] = {0x00, 0x7f, 0x80, 0xff};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dict[128];
    snprintf(dict, sizeof dict,
             "{'descr': '%s', 'fortran_order': False, 'shape': (4,), }",
             cases[i].descr);
    nc_tensor_t t =
        expect_parse_ok(npy_img(1, dict, data, 4), cases[i].dt, 1, shape);
    cr_assert_eq(t.nbytes, 4);
    cr_expect_eq(memcmp(t.data, data, 4), 0, "%s", cases[i].descr);
    if (cases[i].dt == NC_DTYPE_INT8) {
      cr_expect_eq(((const int8_t *)t.data)[2], -128);
    } else {
      cr_expect_eq(((const uint8_t *)t.data)[3], 255);
    }
    nc_tensor_free(&t);
  }
}

Test(npy, parse_float32_scalar_and_empty) {
  float v = -2.5f;
  nc_tensor_t t = expect_parse_ok(
      npy_img(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", &v,
              4),
      NC_DTYPE_FLOAT32, 0, NULL);
  cr_assert_eq(t.nbytes, 4);
  cr_expect_eq(*(const float *)t.data, -2.5f);
  nc_tensor_free(&t);

  static const int64_t shape[] = {0, 7};
  t = expect_parse_ok(
      npy_img(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7)}",
              NULL, 0),
      NC_DTYPE_FLOAT32, 2, shape);
  cr_expect_eq(t.nbytes, 0);
  cr_expect_null(t.data);
  nc_tensor_free(&t);
}

Test(npy, parse_eight_dims_is_the_limit) {
  static const int64_t shape[8] = {1, 1, 1, 1, 1, 1, 1, 2};
  unsigned char d[2] = {1, 2};
  nc_tensor_t t =
      expect_parse_ok(npy_img(1,
                              "{'descr': '|u1', 'fortran_order': False, "
                              "'shape': (1, 1, 1, 1, 1, 1, 1, 2), }",
                              d, 2),
                      NC_DTYPE_UINT8, 8, shape);
  nc_tensor_free(&t);
}

/* --- malformed input ---------------------------------------------------- */

#define DICT_I4_23 "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"

Test(npy, null_arguments) {
  nc_tensor_t t;
  unsigned char b[16] = {0};
  cr_expect_eq(nc_tensor_parse_npy(NULL, 16, &t), NC_ERR_INVALID_ARG);
  expect_empty(&t);
  cr_expect_eq(nc_tensor_parse_npy(b, sizeof b, NULL), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_tensor_load_npy(NULL, &t), NC_ERR_INVALID_ARG);
  cr_expect_not_null(strstr(nc_error_detail(), "NULL"));
  cr_expect_eq(nc_tensor_load_npy("/tmp/x.npy", NULL), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_tensor_save_npy(NULL, &t), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_tensor_save_npy("/tmp/x.npy", NULL), NC_ERR_INVALID_ARG);
}

Test(npy, truncated_preamble) {
  img_t full = npy_img(1, DICT_I4_23, six_, sizeof six_);
  for (size_t n = 0; n < 10; n++) {
    img_t im = {malloc(n + 1), n};
    memcpy(im.b, full.b, n);
    expect_parse_fails(im, NC_ERR_FORMAT, "truncated header");
  }
  free(full.b);
  /* 2.0 has a 4-byte length: 11 bytes is not enough. */
  full = npy_img(2, DICT_I4_23, six_, sizeof six_);
  full.len = 11;
  expect_parse_fails(full, NC_ERR_FORMAT, "truncated header");
}

Test(npy, truncated_header) {
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.len = 10 + 50;
  expect_parse_fails(im, NC_ERR_FORMAT, "truncated header");
}

Test(npy, header_length_past_the_end) {
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[8] = 0xff;
  im.b[9] = 0xff;
  expect_parse_fails(im, NC_ERR_FORMAT, "truncated header");
  im = npy_img(3, DICT_I4_23, six_, sizeof six_);
  memset(im.b + 8, 0xff, 4);
  expect_parse_fails(im, NC_ERR_FORMAT, "truncated header");
}

Test(npy, every_truncation_fails_cleanly) {
  img_t full = npy_img(1, DICT_I4_23, six_, sizeof six_);
  for (size_t n = 0; n < full.len; n++) {
    /* An exact-size copy so the sanitizer sees any overread. */
    img_t im = {malloc(n > 0 ? n : 1), n};
    memcpy(im.b, full.b, n);
    expect_parse_fails(im, NC_ERR_FORMAT, "truncated");
  }
  free(full.b);
}

Test(npy, truncated_data) {
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.len -= 4;
  expect_parse_fails(im, NC_ERR_FORMAT,
                     "truncated data: expected 24 bytes, got 20");
}

Test(npy, trailing_bytes) {
  int32_t seven[7] = {0};
  expect_parse_fails(npy_img(1, DICT_I4_23, seven, sizeof seven), NC_ERR_FORMAT,
                     "trailing bytes");
}

Test(npy, bad_magic) {
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[5] = 'Z';
  expect_parse_fails(im, NC_ERR_FORMAT, "bad magic");
  static const char text[] = "hello, this is not an array\n";
  im = (img_t){malloc(sizeof text), sizeof text - 1};
  memcpy(im.b, text, sizeof text);
  expect_parse_fails(im, NC_ERR_FORMAT, "bad magic");
  /* A short prefix that already differs is bad magic, not truncation. */
  im = (img_t){malloc(2), 2};
  memcpy(im.b, "PK", 2);
  expect_parse_fails(im, NC_ERR_FORMAT, "bad magic");
}

Test(npy, unsupported_versions) {
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[6] = 4;
  expect_parse_fails(im, NC_ERR_UNSUPPORTED, "version 4.0");
  im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[7] = 1;
  expect_parse_fails(im, NC_ERR_UNSUPPORTED, "version 1.1");
  im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[6] = 0;
  expect_parse_fails(im, NC_ERR_UNSUPPORTED, "version 0.0");
}

Test(npy, fortran_order) {
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", 24,
      NC_ERR_UNSUPPORTED, "np.ascontiguousarray");
}

Test(npy, unsupported_dtypes) {
  static const struct {
    const char *descr;
    size_t itemsize;
  } cases[] = {
      {">i4", 4}, {"<f8", 8}, {"<U5", 20}, {"<i8", 8}, {"|b1", 1},
      {"<f2", 2}, {"", 0},    {"<i2", 2},  {">f4", 4},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dict[128], quoted[16];
    snprintf(dict, sizeof dict,
             "{'descr': '%s', 'fortran_order': False, 'shape': (2,), }",
             cases[i].descr);
    snprintf(quoted, sizeof quoted, "'%s'", cases[i].descr);
    expect_dict_fails(dict, 2 * cases[i].itemsize, NC_ERR_UNSUPPORTED, quoted);
    cr_expect_not_null(strstr(nc_error_detail(), "unsupported dtype"));
  }
  expect_dict_fails("{'descr': '>i4', 'fortran_order': False, 'shape': ()}", 4,
                    NC_ERR_UNSUPPORTED, "big-endian");
  expect_dict_fails(
      "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': ()}", 4,
      NC_ERR_UNSUPPORTED, "structured");
}

Test(npy, too_many_dims) {
  expect_dict_fails(
      "{'descr': '|u1', 'fortran_order': False, "
      "'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }",
      1, NC_ERR_UNSUPPORTED, "more than 8 dimensions");
}

Test(npy, negative_dim) {
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, -3), }", 0,
      NC_ERR_FORMAT, "negative");
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,), }", 0,
      NC_ERR_FORMAT, "negative");
}

Test(npy, garbage_shapes) {
  static const char *const shapes[] = {
      "(2, x)",  "(2 3)",  "[2, 3]", "(5)",     "(,)",     "(2,,3)",
      "(+3,)",   "(2.5,)", "(2, 3",  "2, 3",    "(0x10,)", "(3L,)",
      "((2,),)", "",       "None",   "(2, 3)x",
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    char dict[128];
    snprintf(dict, sizeof dict,
             "{'descr': '|u1', 'fortran_order': False, 'shape': %s}",
             shapes[i]);
    expect_dict_fails(dict, 6, NC_ERR_FORMAT, "bad header");
  }
}

Test(npy, overflowing_shapes) {
  /* 2^62 * 4 elements * 4 bytes = 2^66 bytes. */
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (4611686018427387904, 4), }",
      0, NC_ERR_OVERFLOW,
      "byte size of shape (4611686018427387904, 4) overflows");
  /* 2^62 int32 alone is 2^64 bytes, one past SIZE_MAX. */
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (4611686018427387904,), }",
      0, NC_ERR_OVERFLOW, "overflows");
  /* INT64_MAX itself is a legal extent, but not as int32 bytes. */
  expect_dict_fails(
      "{'descr': '<i4', 'fortran_order': False, "
      "'shape': (9223372036854775807,), }",
      0, NC_ERR_OVERFLOW, "overflows");
  /* One past INT64_MAX, and something far larger. */
  expect_dict_fails(
      "{'descr': '|u1', 'fortran_order': False, "
      "'shape': (9223372036854775808,), }",
      0, NC_ERR_OVERFLOW, "int64");
  expect_dict_fails(
      "{'descr': '|u1', 'fortran_order': False, "
      "'shape': (2, 99999999999999999999999999999), }",
      0, NC_ERR_OVERFLOW, "dimension 1");
}

Test(npy, bad_header_dicts) {
  static const struct {
    const char *dict;
    const char *word;
  } cases[] = {
      {"{'descr': '<i4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'shape': (2, 3), 'fortran_order': False}", "missing key 'descr'"},
      {"{'descr': '<i4', 'shape': (2, 3)}", "missing key 'fortran_order'"},
      {"{}", "missing key"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), "
       "'shape': (2, 3)}",
       "duplicate key 'shape'"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), "
       "'extra': 1}",
       "unexpected key 'extra'"},
      {"{'descr': <i4, 'fortran_order': False, 'shape': (2, 3)}",
       "quoted string"},
      {"{'descr': '<i4, 'fortran_order': False, 'shape': (2, 3)}",
       "expected ',' or '}'"},
      {"{'descr' '<i4', 'fortran_order': False, 'shape': (2, 3)}",
       "expected ':'"},
      {"{'descr': '<i4', 'fortran_order': false, 'shape': (2, 3)}",
       "True or False"},
      {"{'descr': '<i4', 'fortran_order': Falsey, 'shape': (2, 3)}",
       "True or False"},
      {"{'descr': '<i4', 'fortran_order': 0, 'shape': (2, 3)}",
       "True or False"},
      {"{'descr': '<i4' 'fortran_order': False, 'shape': (2, 3)}",
       "expected ',' or '}'"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)} junk",
       "after the closing"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)",
       "bad header"},
      {"'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}",
       "expected '{'"},
      {"{'de\\x73cr': '<i4', 'fortran_order': False, 'shape': (2, 3)}",
       "escape"},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3),,}",
       "quoted string"},
      {"", "expected '{'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_dict_fails(cases[i].dict, 24, NC_ERR_FORMAT, cases[i].word);
  }
}

Test(npy, nul_and_high_bytes_in_header) {
  /* A NUL must not end the header early, and odd bytes in a key are shown
   * as '?' rather than copied into the detail. */
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  im.b[10 + 28] = '\0'; /* the 'd' of 'fortran_order' */
  expect_parse_fails(im, NC_ERR_FORMAT, "unexpected key 'fortran_or?er'");
  im = npy_img(3,
               "{'descr': '\xc3\xa9', 'fortran_order': False, "
               "'shape': ()}",
               NULL, 0);
  expect_parse_fails(im, NC_ERR_UNSUPPORTED, "'?\?'"); /* not a trigraph */
}

Test(npy, random_corruption_never_crashes) {
  nc_rng_t rng;
  nc_test_seed(&rng, "npy", "random_corruption_never_crashes", 11);
  img_t full = npy_img(1, DICT_I4_23, six_, sizeof six_);
  int ok = 0;
  for (int iter = 0; iter < 20000; iter++) {
    img_t im = {malloc(full.len), full.len};
    memcpy(im.b, full.b, full.len);
    int flips = (int)nc_rng_range(&rng, 1, 4);
    for (int k = 0; k < flips; k++) {
      /* Mostly the preamble and header, where the parser works. */
      size_t at = (size_t)nc_rng_range(&rng, 0, 127);
      im.b[at] = (unsigned char)nc_rng_next(&rng);
    }
    im.len = (size_t)nc_rng_range(&rng, 100, (int64_t)full.len);
    if (nc_rng_range(&rng, 0, 1) == 0) {
      im.len = full.len; /* half keep the right length */
    }
    nc_tensor_t t;
    int st = nc_tensor_parse_npy(im.b, im.len, &t);
    if (st == NC_OK) {
      cr_expect_eq(t.nbytes, nc_tensor_numel(&t) * nc_dtype_size(t.dtype));
      cr_expect_leq(t.nbytes, im.len);
      ok++;
      nc_tensor_free(&t);
    } else {
      cr_expect(st == NC_ERR_FORMAT || st == NC_ERR_UNSUPPORTED ||
                    st == NC_ERR_OVERFLOW,
                "unexpected status %s", nc_status_name(st));
      cr_expect_neq(nc_error_detail()[0], '\0');
      expect_empty(&t);
    }
    free(im.b);
  }
  free(full.b);
  cr_log_info("%d of 20000 corrupted images still parsed", ok);
}

/* --- files --------------------------------------------------------------- */

Test(npy, load_missing_file) {
  nc_tensor_t t;
  int st = nc_tensor_load_npy("/nonexistent_dir/missing.npy", &t);
  cr_expect_eq(st, NC_ERR_NOT_FOUND, "%s", nc_status_name(st));
  cr_expect_not_null(strstr(nc_error_detail(),
                            "/nonexistent_dir/missing.npy: No such file or "
                            "directory"),
                     "%s", nc_error_detail());
  expect_empty(&t);
}

Test(npy, load_directory, .init = dir_setup, .fini = dir_teardown) {
  nc_tensor_t t;
  int st = nc_tensor_load_npy(dir_, &t);
  cr_expect_eq(st, NC_ERR_IO, "%s (%s)", nc_status_name(st), nc_error_detail());
  cr_expect_not_null(strstr(nc_error_detail(), dir_));
  expect_empty(&t);
}

Test(npy, load_prefixes_detail_with_path, .init = dir_setup,
     .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "short.npy");
  img_t im = npy_img(1, DICT_I4_23, six_, sizeof six_);
  write_all(path, im.b, im.len - 8);
  free(im.b);
  nc_tensor_t t;
  int st = nc_tensor_load_npy(path, &t);
  cr_expect_eq(st, NC_ERR_FORMAT);
  char want[512];
  snprintf(want, sizeof want, "%s: truncated data: expected 24 bytes, got 16",
           path);
  cr_expect_str_eq(nc_error_detail(), want);
  expect_empty(&t);

  dir_path(path, sizeof path, "empty.npy");
  write_all(path, "", 0);
  st = nc_tensor_load_npy(path, &t);
  cr_expect_eq(st, NC_ERR_FORMAT);
  cr_expect_not_null(strstr(nc_error_detail(), "truncated header"));
}

Test(npy, load_hand_built_file, .init = dir_setup, .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "v3.npy");
  img_t im = npy_img(3, DICT_I4_23, six_, sizeof six_);
  write_all(path, im.b, im.len);
  free(im.b);
  nc_tensor_t t;
  cr_assert_eq(nc_tensor_load_npy(path, &t), NC_OK, "%s", nc_error_detail());
  cr_expect_eq(t.ndim, 2);
  expect_six(&t);
}

Test(npy, save_into_missing_directory) {
  int64_t shape[] = {2};
  nc_tensor_t a;
  nc_test_alloc(&a, NC_DTYPE_INT8, 1, shape);
  int st = nc_tensor_save_npy("/nonexistent_dir/x.npy", &a);
  cr_expect_eq(st, NC_ERR_IO, "%s", nc_status_name(st));
  cr_expect_not_null(strstr(nc_error_detail(), "/nonexistent_dir/x.npy"));
  cr_expect_not_null(strstr(nc_error_detail(), "No such file or directory"),
                     "%s", nc_error_detail());
  nc_tensor_free(&a);
}

Test(npy, failed_save_leaves_target_and_no_temp, .init = dir_setup,
     .fini = dir_teardown) {
  /* Renaming a file over a directory fails after the data is written: the
   * directory stays and the temporary is removed. */
  char path[256];
  dir_path(path, sizeof path, "target");
  cr_assert_eq(mkdir(path, 0755), 0);
  int64_t shape[] = {3};
  nc_tensor_t a;
  nc_test_alloc(&a, NC_DTYPE_FLOAT32, 1, shape);
  int st = nc_tensor_save_npy(path, &a);
  cr_expect_eq(st, NC_ERR_IO, "%s", nc_status_name(st));
  cr_expect_not_null(strstr(nc_error_detail(), "rename"), "%s",
                     nc_error_detail());
  struct stat sb;
  cr_expect_eq(stat(path, &sb), 0);
  cr_expect(S_ISDIR(sb.st_mode));
  cr_expect_eq(dir_count(NULL), 1, "a temporary file was left behind");
  nc_tensor_free(&a);
}

Test(npy, invalid_tensor_is_not_saved, .init = dir_setup,
     .fini = dir_teardown) {
  char path[256];
  dir_path(path, sizeof path, "keep.npy");
  write_all(path, "original", 8);
  int64_t shape[] = {4};
  nc_tensor_t a;
  nc_test_alloc(&a, NC_DTYPE_INT32, 1, shape);
  a.nbytes = 12; /* disagrees with the shape */
  cr_expect_eq(nc_tensor_save_npy(path, &a), NC_ERR_INVALID_ARG);
  cr_expect_not_null(strstr(nc_error_detail(), "needs 16"), "%s",
                     nc_error_detail());
  a.nbytes = 16;
  a.shape[0] = -4;
  cr_expect_eq(nc_tensor_save_npy(path, &a), NC_ERR_INVALID_ARG);
  a.shape[0] = 4;
  a.dtype = NC_DTYPE_COUNT;
  cr_expect_eq(nc_tensor_save_npy(path, &a), NC_ERR_INVALID_ARG);
  a.dtype = NC_DTYPE_INT32;
  a.ndim = NC_MAX_DIMS + 1;
  cr_expect_eq(nc_tensor_save_npy(path, &a), NC_ERR_INVALID_ARG);
  a.ndim = 1;
  nc_tensor_free(&a);
  img_t im = read_all(path);
  cr_expect_eq(im.len, 8);
  cr_expect_eq(memcmp(im.b, "original", 8), 0, "target was modified");
  free(im.b);
  cr_expect_eq(dir_count(NULL), 1);
}

/* --- numpy itself, when it is installed ------------------------------- */

static void need_numpy(void) {
  if (system("python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    /* Criterion skips .fini after a skip, so clean up here. */
    dir_teardown();
    cr_skip_test("python3 with numpy is not available");
  }
}

Test(npy, numpy_writes_we_read, .init = dir_setup, .fini = dir_teardown) {
  need_numpy();
  char path[256], cmd[1024];
  dir_path(path, sizeof path, "np.npy");
  snprintf(cmd, sizeof cmd,
           "python3 -c \"import numpy as np; np.save('%s', "
           "np.arange(-6, 6, dtype='<i4').reshape(3, 4))\"",
           path);
  cr_assert_eq(system(cmd), 0, "%s", cmd);
  nc_tensor_t t;
  cr_assert_eq(nc_tensor_load_npy(path, &t), NC_OK, "%s", nc_error_detail());
  cr_expect_eq(t.dtype, NC_DTYPE_INT32);
  cr_assert_eq(t.ndim, 2);
  cr_expect_eq(t.shape[0], 3);
  cr_expect_eq(t.shape[1], 4);
  const int32_t *v = t.data;
  for (int i = 0; i < 12; i++) {
    cr_expect_eq(v[i], i - 6);
  }
  nc_tensor_free(&t);

  snprintf(cmd, sizeof cmd,
           "python3 -c \"import numpy as np; np.save('%s', "
           "np.array([1, 255, 128], dtype=np.uint8))\"",
           path);
  cr_assert_eq(system(cmd), 0, "%s", cmd);
  cr_assert_eq(nc_tensor_load_npy(path, &t), NC_OK, "%s", nc_error_detail());
  cr_expect_eq(t.dtype, NC_DTYPE_UINT8);
  cr_expect_eq(memcmp(t.data, "\x01\xff\x80", 3), 0);
  nc_tensor_free(&t);
}

Test(npy, numpy_reads_what_we_write, .init = dir_setup, .fini = dir_teardown) {
  need_numpy();
  char path[256], cmd[1024];
  dir_path(path, sizeof path, "ours.npy");
  int64_t shape[] = {2, 3};
  nc_tensor_t a;
  nc_test_alloc(&a, NC_DTYPE_FLOAT32, 2, shape);
  float *f = a.data;
  for (int i = 0; i < 6; i++) {
    f[i] = 0.5f * (float)i - 1.0f;
  }
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  nc_tensor_free(&a);
  snprintf(cmd, sizeof cmd,
           "python3 -c \"import numpy as np, sys; a = np.load('%s'); "
           "sys.exit(0 if a.dtype == np.float32 and a.shape == (2, 3) and "
           "(a.ravel() == np.arange(6, dtype=np.float32) * 0.5 - 1).all() "
           "else 1)\"",
           path);
  cr_expect_eq(system(cmd), 0, "numpy rejected or misread %s", path);

  nc_test_alloc(&a, NC_DTYPE_INT8, 0, NULL);
  *(int8_t *)a.data = -7;
  cr_assert_eq(nc_tensor_save_npy(path, &a), NC_OK, "%s", nc_error_detail());
  nc_tensor_free(&a);
  snprintf(cmd, sizeof cmd,
           "python3 -c \"import numpy as np, sys; a = np.load('%s'); "
           "sys.exit(0 if a.dtype == np.int8 and a.shape == () and a == -7 "
           "else 1)\"",
           path);
  cr_expect_eq(system(cmd), 0, "numpy rejected or misread %s", path);
}
