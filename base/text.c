/* Strict number parsing and safe echoing of untrusted text (neocog/text.h). */
#include "neocog/text.h"

#include <string.h>

nc_status_t nc__parse_u64(const char *s, uint64_t *out) {
  if (s == NULL || out == NULL || *s == '\0') {
    return NC_ERR_FORMAT;
  }
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
    if (*s == '\0') {
      return NC_ERR_FORMAT;
    }
  }
  uint64_t v = 0;
  for (; *s != '\0'; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9') {
      d = (unsigned)(*s - '0');
    } else if (base == 16 && *s >= 'a' && *s <= 'f') {
      d = (unsigned)(*s - 'a') + 10;
    } else if (base == 16 && *s >= 'A' && *s <= 'F') {
      d = (unsigned)(*s - 'A') + 10;
    } else {
      return NC_ERR_FORMAT;
    }
    if (v > (UINT64_MAX - d) / base) {
      /* Keep reading: "99999999999999999999x" is malformed, not large. */
      for (s++; *s != '\0'; s++) {
        const int hex = base == 16 &&
                        ((*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'));
        if (!(*s >= '0' && *s <= '9') && !hex) {
          return NC_ERR_FORMAT;
        }
      }
      return NC_ERR_OVERFLOW;
    }
    v = v * base + d;
  }
  *out = v;
  return NC_OK;
}

const char *nc__shown(const char *s, size_t n, char *out, size_t cap) {
  if (cap < 8) {
    if (cap > 0) {
      out[0] = '\0';
    }
    return out;
  }
  const size_t keep = n < cap ? n : cap - 4;
  for (size_t i = 0; i < keep; i++) {
    const unsigned char c = (unsigned char)s[i];
    out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  if (keep < n) {
    memcpy(out + keep, "...", 4);
  } else {
    out[keep] = '\0';
  }
  return out;
}

const char *nc__shown_str(const char *s, char *out, size_t cap) {
  return nc__shown(s, strlen(s), out, cap);
}
