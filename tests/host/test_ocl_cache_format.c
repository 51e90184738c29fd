/*
 * The OpenCL program cache's file format and its integrity check, without a
 * device: the header's layout, and every way a file can be damaged refused.
 * tests/opencl/test_ocl_cache.c runs damaged files through a device.
 */
#include "neocog/ocl.h"
#include "tests/common.h"

static void key_(uint8_t *k, int salt) {
  for (int i = 0; i < NC_OCL_CACHE_KEY_BYTES; i++) {
    k[i] = (uint8_t)(i * 29 + salt);
  }
}

/* A cache file: header and payload in one buffer. */
static uint8_t *cache_file_(const void *payload, size_t n, const uint8_t *key,
                            size_t *len) {
  uint8_t *f = malloc(NC_OCL_CACHE_HEADER_BYTES + n + 1);
  cr_assert_not_null(f);
  cr_assert_eq(nc_ocl_cache_header(payload, n, key, f), NC_OK);
  if (n > 0) {
    memcpy(f + NC_OCL_CACHE_HEADER_BYTES, payload, n);
  }
  *len = NC_OCL_CACHE_HEADER_BYTES + n;
  return f;
}

/* The header holds the payload's SHA-256 (FIPS 180-2's "abc" example) and
 * the key, at the documented offsets. */
Test(ocl_cache_format, header_layout) {
  static const uint8_t abc_sha256[32] = {
      0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
      0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
      0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  uint8_t key[NC_OCL_CACHE_KEY_BYTES];
  key_(key, 1);
  size_t len = 0;
  uint8_t *f = cache_file_("abc", 3, key, &len);
  cr_expect_eq(memcmp(f, "NCCLBIN\n", 8), 0);
  cr_expect_eq(f[8], 1, "format version");
  cr_expect_eq(f[12], NC_OCL_CACHE_HEADER_BYTES);
  cr_expect_eq(f[16], 3, "payload bytes");
  cr_expect_eq(memcmp(f + 24, key, sizeof key), 0);
  cr_expect_eq(memcmp(f + 56, abc_sha256, 32), 0, "SHA-256 of 'abc'");
  size_t n = 0;
  cr_expect_eq(nc_ocl_cache_check(f, len, key, &n), NC_OK, "%s",
               nc_error_detail());
  cr_expect_eq(n, 3);
  cr_expect_eq(nc_ocl_cache_check(f, len, NULL, &n), NC_OK);
  free(f);
}

/* Every way a file can be damaged is refused: each byte flipped, each
 * length cut short, a byte more, another key, another version. */
Test(ocl_cache_format, every_damage_is_refused) {
  uint8_t payload[300];
  for (size_t i = 0; i < sizeof payload; i++) {
    payload[i] = (uint8_t)(i * 7 + 3);
  }
  uint8_t key[NC_OCL_CACHE_KEY_BYTES];
  key_(key, 5);
  size_t len = 0;
  uint8_t *f = cache_file_(payload, sizeof payload, key, &len);
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      f[i] ^= (uint8_t)(1u << bit);
      cr_expect_neq(nc_ocl_cache_check(f, len, key, &n), NC_OK,
                    "byte %zu bit %d flipped and accepted", i, bit);
      cr_expect_eq(n, 0);
      f[i] ^= (uint8_t)(1u << bit);
    }
  }
  for (size_t cut = 0; cut < len; cut++) {
    cr_expect_neq(nc_ocl_cache_check(f, cut, key, &n), NC_OK, "cut to %zu",
                  cut);
  }
  f[len] = 0;
  cr_expect_eq(nc_ocl_cache_check(f, len + 1, key, &n), NC_ERR_FORMAT);
  uint8_t other[NC_OCL_CACHE_KEY_BYTES];
  key_(other, 6);
  cr_expect_eq(nc_ocl_cache_check(f, len, other, &n), NC_ERR_MISMATCH);
  cr_expect(strstr(nc_error_detail(), "another program"), "%s",
            nc_error_detail());
  f[8] = 2;
  cr_expect_eq(nc_ocl_cache_check(f, len, key, &n), NC_ERR_UNSUPPORTED);
  cr_expect_eq(nc_ocl_cache_check(NULL, 0, key, &n), NC_ERR_FORMAT);
  cr_expect_eq(nc_ocl_cache_check(f, len, key, NULL), NC_ERR_INVALID_ARG);
  free(f);
}
