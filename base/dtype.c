/* Element types: sizes, names and parsing. */
#include "neocog/dtype.h"

#include <string.h>

#include "neocog/error.h"
#include "neocog/text.h"

static const struct {
  const char *name;
  size_t size;
} dtypes_[NC_DTYPE_COUNT] = {
    [NC_DTYPE_INT8] = {"int8", 1},
    [NC_DTYPE_UINT8] = {"uint8", 1},
    [NC_DTYPE_INT32] = {"int32", 4},
    [NC_DTYPE_FLOAT32] = {"float32", 4},
};

size_t nc_dtype_size(nc_dtype_t dtype) {
  return (unsigned)dtype < NC_DTYPE_COUNT ? dtypes_[dtype].size : 0;
}

const char *nc_dtype_name(nc_dtype_t dtype) {
  return (unsigned)dtype < NC_DTYPE_COUNT ? dtypes_[dtype].name : "?";
}

nc_status_t nc_dtype_parse(const char *name, nc_dtype_t *out) {
  if (name == NULL || out == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "dtype: NULL argument");
  }
  for (int i = 0; i < NC_DTYPE_COUNT; i++) {
    if (strcmp(name, dtypes_[i].name) == 0) {
      *out = (nc_dtype_t)i;
      return NC_OK;
    }
  }
  char shown[64];
  return nc__fail(NC_ERR_INVALID_ARG,
                  "unknown dtype '%s' (expected int8, uint8, int32 or "
                  "float32)",
                  nc__shown_str(name, shown, sizeof shown));
}
