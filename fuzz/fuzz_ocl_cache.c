/* Fuzz target: the OpenCL program cache's reader (nc_ocl_cache_check), the
 * only thing between a file on disk and the OpenCL driver, which trusts the
 * binaries it is given. An accepted file must be exactly what the writer
 * makes of its payload. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "neocog/ocl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n = 0;
  /* Any key (the file's own), then a key the file cannot hold. */
  if (nc_ocl_cache_check(data, size, NULL, &n) == NC_OK) {
    if (n != size - NC_OCL_CACHE_HEADER_BYTES) {
      abort();
    }
    uint8_t h[NC_OCL_CACHE_HEADER_BYTES];
    const uint8_t *key = data + 24;
    if (nc_ocl_cache_header(data + NC_OCL_CACHE_HEADER_BYTES, n, key, h) !=
            NC_OK ||
        memcmp(h, data, sizeof h) != 0) {
      abort(); /* the reader accepts only what the writer writes */
    }
    uint8_t other[NC_OCL_CACHE_KEY_BYTES];
    memcpy(other, key, sizeof other);
    other[0] ^= 1;
    if (nc_ocl_cache_check(data, size, other, &n) == NC_OK) {
      abort();
    }
  } else if (n != 0) {
    abort();
  }
  return 0;
}
