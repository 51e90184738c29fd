/*
 * The OpenCL program cache's file format (neocog/ocl.h). A cache file is
 * a header and the program binary the OpenCL driver returned:
 *
 *   offset  bytes  field
 *        0      8  magic "NCCLBIN\n"
 *        8      4  format version, little-endian (1)
 *       12      4  header bytes, little-endian (88)
 *       16      8  payload bytes, little-endian
 *       24     32  key: SHA-256 of everything the binary depends on
 *       56     32  SHA-256 of the payload
 *       88      -  the payload
 *
 * A binary goes to the driver only when every field checks out: a file
 * cut short, grown, flipped anywhere or copied under another program's
 * name is refused here, and the caller rebuilds from source. Drivers do
 * not check the binaries they are given (POCL asserts, or reads past the
 * end), so this is the only check there is.
 */
#include <string.h>

#include "host/sha256.h"
#include "neocog/error.h"
#include "neocog/ocl.h"

static const char magic_[8] = {'N', 'C', 'C', 'L', 'B', 'I', 'N', '\n'};
#define VERSION_ 1u

static void put_u32_(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) {
    p[i] = (uint8_t)(v >> (8 * i));
  }
}

static void put_u64_(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)(v >> (8 * i));
  }
}

static uint32_t get_u32_(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    v |= (uint32_t)p[i] << (8 * i);
  }
  return v;
}

static uint64_t get_u64_(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) {
    v |= (uint64_t)p[i] << (8 * i);
  }
  return v;
}

nc_status_t nc_ocl_cache_header(const void *payload, size_t len,
                                const uint8_t key[NC_OCL_CACHE_KEY_BYTES],
                                uint8_t header[NC_OCL_CACHE_HEADER_BYTES]) {
  if ((payload == NULL && len > 0) || key == NULL || header == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl cache: NULL argument");
  }
  if (len > NC_OCL_CACHE_MAX_PAYLOAD) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl cache: a %zu-byte program binary is larger than "
                    "the cache holds (%llu bytes)",
                    len, (unsigned long long)NC_OCL_CACHE_MAX_PAYLOAD);
  }
  memcpy(header, magic_, sizeof magic_);
  put_u32_(header + 8, VERSION_);
  put_u32_(header + 12, NC_OCL_CACHE_HEADER_BYTES);
  put_u64_(header + 16, len);
  memcpy(header + 24, key, NC_OCL_CACHE_KEY_BYTES);
  nc__sha256(payload, len, header + 56);
  return NC_OK;
}

nc_status_t nc_ocl_cache_check(const void *file, size_t len,
                               const uint8_t key[NC_OCL_CACHE_KEY_BYTES],
                               size_t *payload_len) {
  if ((file == NULL && len > 0) || payload_len == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "opencl cache: NULL argument");
  }
  *payload_len = 0;
  const uint8_t *f = file;
  if (len < NC_OCL_CACHE_HEADER_BYTES) {
    return nc__fail(NC_ERR_FORMAT,
                    "opencl cache: %zu bytes, shorter than the %d-byte header",
                    len, NC_OCL_CACHE_HEADER_BYTES);
  }
  if (memcmp(f, magic_, sizeof magic_) != 0) {
    return nc__fail(NC_ERR_FORMAT,
                    "opencl cache: not a neocog cache file "
                    "(bad magic)");
  }
  const uint32_t version = get_u32_(f + 8), hlen = get_u32_(f + 12);
  if (version != VERSION_ || hlen != NC_OCL_CACHE_HEADER_BYTES) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl cache: format version %u with a %u-byte header "
                    "(this library reads version %u, %d bytes)",
                    version, hlen, VERSION_, NC_OCL_CACHE_HEADER_BYTES);
  }
  const uint64_t n = get_u64_(f + 16);
  const uint64_t have = len - NC_OCL_CACHE_HEADER_BYTES;
  if (n != have) {
    return nc__fail(NC_ERR_FORMAT,
                    "opencl cache: the header announces %llu payload bytes, "
                    "%llu follow it",
                    (unsigned long long)n, (unsigned long long)have);
  }
  if (n > NC_OCL_CACHE_MAX_PAYLOAD) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "opencl cache: a %llu-byte payload is larger than the "
                    "cache holds (%llu bytes)",
                    (unsigned long long)n,
                    (unsigned long long)NC_OCL_CACHE_MAX_PAYLOAD);
  }
  if (key != NULL && memcmp(f + 24, key, NC_OCL_CACHE_KEY_BYTES) != 0) {
    return nc__fail(NC_ERR_MISMATCH,
                    "opencl cache: the file holds another program (its key "
                    "differs)");
  }
  uint8_t sum[NC__SHA256_BYTES];
  nc__sha256(f + NC_OCL_CACHE_HEADER_BYTES, (size_t)n, sum);
  if (memcmp(sum, f + 56, sizeof sum) != 0) {
    return nc__fail(NC_ERR_FORMAT,
                    "opencl cache: the payload's SHA-256 differs from the "
                    "header's: the file is corrupt");
  }
  *payload_len = (size_t)n;
  return NC_OK;
}
