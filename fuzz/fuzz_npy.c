/* Fuzz target: the .npy reader (nc_tensor_parse_npy). An accepted image
 * must describe exactly the bytes it holds; a refused one must say why in
 * one printable line. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

/* A message is one line of printable text (the parser echoes file bytes
 * only through its quoting). */
static void check_detail_(void) {
  for (const char *p = nc_error_detail(); *p != '\0'; p++) {
    if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
      abort();
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nc_tensor_t t;
  if (nc_tensor_parse_npy(data, size, &t) != NC_OK) {
    check_detail_();
    if (t.data != NULL || t.nbytes != 0) {
      abort(); /* a refused image leaves the tensor empty */
    }
    return 0;
  }
  size_t bytes = nc_dtype_size(t.dtype);
  for (int i = 0; i < t.ndim; i++) {
    bytes *= (size_t)t.shape[i];
  }
  if (bytes != t.nbytes || bytes > size ||
      (bytes > 0 &&
       (t.data == NULL || memcmp(t.data, data + size - bytes, bytes) != 0))) {
    abort(); /* the data is the file's last nbytes bytes, as they are */
  }
  nc_tensor_free(&t);
  return 0;
}
