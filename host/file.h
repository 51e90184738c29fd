/* Private: reading the files a user names (tensors, networks, the OpenCL
 * program cache) without trusting what is at the path. */
#ifndef NEOCOG_HOST_FILE_H
#define NEOCOG_HOST_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/status.h"

/**
 * Reads the whole regular file at `path` into a malloc'ed buffer with one
 * spare zero byte after the `*len` bytes read. Anything that is not a
 * regular file (a directory, a FIFO, a device, a socket) is refused before
 * it is opened for reading, so nothing blocks; a file of more than
 * `max_bytes` is refused (`limit_words` says the limit in the message, e.g.
 * "1 MiB"). Details start with the path. NC_ERR_NOT_FOUND for a missing
 * file, NC_ERR_IO for other system errors and non-regular files,
 * NC_ERR_FORMAT for a file that is too large, NC_ERR_NOMEM.
 */
nc_status_t nc__read_file(const char *path, uint64_t max_bytes,
                          const char *limit_words, unsigned char **out,
                          size_t *len);

/** What a file of this st_mode is, for a message: "a directory", "a FIFO
 *  (named pipe)", ... */
const char *nc__file_kind(unsigned mode);

#endif /* NEOCOG_HOST_FILE_H */
