/* Untrusted text: strict parsing of numbers and safe echoing in messages.
 * Internal to the library (nc__ names), public to the layers above base:
 * the .npy reader, the network parser, the layer options and the CLI all
 * parse and quote what a user or a file hands them the same way. */
#ifndef NEOCOG_TEXT_H
#define NEOCOG_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/status.h"

/**
 * Parses an unsigned integer: decimal digits, or hexadecimal after "0x".
 * No sign, no blanks, nothing after the digits. Returns NC_OK, NC_ERR_FORMAT
 * when `s` is not such a number, NC_ERR_OVERFLOW when it does not fit in
 * 64 bits. Records no detail: the caller words its own message.
 */
nc_status_t nc__parse_u64(const char *s, uint64_t *out);

/**
 * Copies `n` bytes of untrusted text into `out` (`cap` >= 8 bytes) so that
 * it can be printed: bytes outside printable ASCII become '?', and text that
 * does not fit is cut with "...". Returns `out`.
 */
const char *nc__shown(const char *s, size_t n, char *out, size_t cap);

/** nc__shown() of a NUL-terminated string. */
const char *nc__shown_str(const char *s, char *out, size_t cap);

#endif /* NEOCOG_TEXT_H */
