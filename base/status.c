/* Status names and messages, generated from NC_STATUS_MAP. */
#include "neocog/status.h"

#include <stdarg.h>
#include <stdio.h>

#include "neocog/error.h"

static _Thread_local char detail_[512];

const char *nc_status_name(int status) {
  switch (status) {
#define NC_STATUS_NAME_(name, value, msg) \
  case value:                             \
    return "NC_" #name;
    NC_STATUS_MAP(NC_STATUS_NAME_)
#undef NC_STATUS_NAME_
    default:
      break;
  }
  return status <= NC_CL_ERROR_BASE + 0 && status > NC_CL_ERROR_BASE - 10000
             ? "NC_CL_ERROR"
             : "NC_UNKNOWN";
}

const char *nc_strerror(int status) {
  switch (status) {
#define NC_STATUS_MSG_(name, value, msg) \
  case value:                            \
    return msg;
    NC_STATUS_MAP(NC_STATUS_MSG_)
#undef NC_STATUS_MSG_
    default:
      break;
  }
  return "unknown status";
}

const char *nc_error_detail(void) {
  return detail_;
}

void nc_error_clear(void) {
  detail_[0] = '\0';
}

int nc__fail(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail_, sizeof detail_, fmt, ap);
  va_end(ap);
  return status;
}
