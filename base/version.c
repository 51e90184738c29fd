/* The library's version, for callers that compare it with their headers'. */
#include "neocog/version.h"

const char *nc_version(void) {
  return NC_VERSION_STRING;
}
