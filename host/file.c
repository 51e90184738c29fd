/*
 * Reading the files a user names. A path may name a FIFO (reading it would
 * block until someone writes), a directory (which reads as an error only
 * after open), a device (endless or blocking) or a file that grows while it
 * is read; only a regular file of bounded size is read.
 */
#include "host/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neocog/error.h"
#include "neocog/text.h"

const char *nc__file_kind(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO (named pipe)";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "not a regular file";
  }
}

static nc_status_t sys_fail_(const char *shown, int e) {
  return nc__fail(e == ENOENT ? NC_ERR_NOT_FOUND : NC_ERR_IO, "%s: %s", shown,
                  strerror(e));
}

static nc_status_t not_regular_(const char *shown, unsigned mode) {
  return nc__fail(NC_ERR_IO, "%s: is %s, not a regular file", shown,
                  nc__file_kind(mode));
}

nc_status_t nc__read_file(const char *path, uint64_t max_bytes,
                          const char *limit_words, unsigned char **out,
                          size_t *len) {
  char shown[512];
  nc__shown_str(path, shown, sizeof shown);
  /* stat first: a FIFO or device is refused without being opened. */
  struct stat sb;
  if (stat(path, &sb) != 0) {
    return sys_fail_(shown, errno);
  }
  if (!S_ISREG(sb.st_mode)) {
    return not_regular_(shown, (unsigned)sb.st_mode);
  }
  /* O_NONBLOCK: should the path have become a FIFO since, open returns at
   * once and fstat refuses it. */
  const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return sys_fail_(shown, errno);
  }
  nc_status_t st = NC_OK;
  if (fstat(fd, &sb) != 0) {
    st = sys_fail_(shown, errno);
  } else if (!S_ISREG(sb.st_mode)) {
    st = not_regular_(shown, (unsigned)sb.st_mode);
  } else if (sb.st_size < 0 || (uint64_t)sb.st_size > max_bytes ||
             max_bytes >= SIZE_MAX) {
    st = nc__fail(NC_ERR_FORMAT, "%s: larger than %s (%llu bytes)", shown,
                  limit_words, (unsigned long long)max_bytes);
  }
  if (st != NC_OK) {
    close(fd);
    return st;
  }
  /* The size stat gave, one byte to see the end, grown should the file
   * grow; never past max_bytes + 1. */
  size_t cap = (size_t)sb.st_size + 1;
  unsigned char *buf = malloc(cap + 1);
  size_t n = 0;
  if (buf == NULL) {
    close(fd);
    return nc__fail(NC_ERR_NOMEM, "%s: cannot allocate %zu bytes", shown, cap);
  }
  for (;;) {
    if (n == cap) {
      if (n > max_bytes) {
        st = nc__fail(NC_ERR_FORMAT, "%s: larger than %s (%llu bytes)", shown,
                      limit_words, (unsigned long long)max_bytes);
        break;
      }
      size_t grown = cap < (SIZE_MAX - 1) / 2 ? cap * 2 : SIZE_MAX - 1;
      if (grown > max_bytes + 1) {
        grown = (size_t)max_bytes + 1;
      }
      unsigned char *p = realloc(buf, grown + 1);
      if (p == NULL) {
        st = nc__fail(NC_ERR_NOMEM, "%s: cannot allocate %zu bytes", shown,
                      grown);
        break;
      }
      buf = p;
      cap = grown;
    }
    const ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      st = sys_fail_(shown, errno);
      break;
    }
    if (got == 0) {
      break;
    }
    n += (size_t)got;
  }
  close(fd);
  if (st == NC_OK && n > max_bytes) {
    st = nc__fail(NC_ERR_FORMAT, "%s: larger than %s (%llu bytes)", shown,
                  limit_words, (unsigned long long)max_bytes);
  }
  if (st != NC_OK) {
    free(buf);
    return st;
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return NC_OK;
}
