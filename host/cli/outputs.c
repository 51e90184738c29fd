/*
 * The files a command writes (--output, --stats, --timeline), all or none.
 *
 * Each is first written to a temporary file next to it (same directory, so
 * that rename() stays on one file system and is atomic); only when every
 * one of them has been written are they renamed into place. A failure
 * anywhere (a run that fails, --stats in a directory that does not exist)
 * removes the temporaries and leaves every path as it was.
 *
 * Only regular files are replaced. A path that exists as anything else (a
 * symbolic link, a device such as /dev/null, a directory, a FIFO) is
 * refused before the run: renaming over it would replace the link or the
 * device node itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cli/cli.h"

/* What a file of mode m is, for the message. */
static const char *kind_(mode_t m) {
  return S_ISLNK(m)    ? "a symbolic link"
         : S_ISDIR(m)  ? "a directory"
         : S_ISCHR(m)  ? "a character device"
         : S_ISBLK(m)  ? "a block device"
         : S_ISFIFO(m) ? "a FIFO (named pipe)"
         : S_ISSOCK(m) ? "a socket"
                       : "not a regular file";
}

/* Checks one output's path and creates its temporary. */
static int stage_(cli_output_t *o) {
  const char *flag = o->flag, *path = o->path;
  o->tmp[0] = '\0';
  if (path == NULL) {
    return 0;
  }
  if (*path == '\0') {
    fprintf(stderr, "neocog: %s: empty path\n", flag);
    return -1;
  }
  struct stat sb;
  if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
    fprintf(stderr,
            "neocog: %s %s: is %s; outputs replace only regular files "
            "(give a new path or a regular file)\n",
            flag, path, kind_(sb.st_mode));
    return -1;
  }
  static unsigned counter;
  for (int tries = 0; tries < 100; tries++) {
    if (snprintf(o->tmp, sizeof o->tmp, "%s.neocog-tmp%ld.%u", path,
                 (long)getpid(), counter++) >= (int)sizeof o->tmp) {
      fprintf(stderr, "neocog: %s: path too long\n", flag);
      o->tmp[0] = '\0';
      return -1;
    }
    /* 0666 & ~umask, the mode a new file gets (mkstemp would give 0600). */
    const int fd =
        open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd >= 0) {
      close(fd);
      return 0;
    }
    if (errno != EEXIST) {
      const int e = errno;
      fprintf(stderr, "neocog: %s %s: cannot create the file: %s\n", flag, path,
              strerror(e));
      o->tmp[0] = '\0';
      return -1;
    }
  }
  fprintf(stderr, "neocog: %s %s: cannot create a temporary file\n", flag,
          path);
  o->tmp[0] = '\0';
  return -1;
}

int cli_outputs_stage(cli_output_t *o, int n) {
  for (int i = 0; i < n; i++) {
    o[i].tmp[0] = '\0';
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i && o[i].path != NULL; j++) {
      if (o[j].path != NULL && strcmp(o[i].path, o[j].path) == 0) {
        fprintf(stderr, "neocog: %s and %s name the same file %s\n", o[j].flag,
                o[i].flag, o[i].path);
        cli_outputs_discard(o, n);
        return -1;
      }
    }
    if (stage_(&o[i]) != 0) {
      cli_outputs_discard(o, n);
      return -1;
    }
  }
  return 0;
}

const char *cli_output_tmp(const cli_output_t *o) {
  return o->tmp[0] != '\0' ? o->tmp : NULL;
}

void cli_outputs_discard(cli_output_t *o, int n) {
  for (int i = 0; i < n; i++) {
    if (o[i].tmp[0] != '\0') {
      unlink(o[i].tmp);
      o[i].tmp[0] = '\0';
    }
  }
}

int cli_outputs_commit(cli_output_t *o, int n) {
  /* Look again before the first rename: what was a regular file or
   * nothing at staging must still be, or nothing is replaced. */
  for (int i = 0; i < n; i++) {
    struct stat sb;
    if (o[i].tmp[0] != '\0' && lstat(o[i].path, &sb) == 0 &&
        !S_ISREG(sb.st_mode)) {
      fprintf(stderr, "neocog: %s %s: has become %s; nothing written\n",
              o[i].flag, o[i].path, kind_(sb.st_mode));
      cli_outputs_discard(o, n);
      return -1;
    }
  }
  for (int i = 0; i < n; i++) {
    if (o[i].tmp[0] == '\0') {
      continue;
    }
    if (rename(o[i].tmp, o[i].path) != 0) {
      const int e = errno;
      fprintf(stderr, "neocog: %s %s: %s\n", o[i].flag, o[i].path, strerror(e));
      cli_outputs_discard(o, n);
      return -1;
    }
    o[i].tmp[0] = '\0';
  }
  return 0;
}
