/*
 * The files a command writes (--output, --stats, --timeline), all or none.
 *
 * Their paths are checked before the run (cli_outputs_stage), so that
 * --stats in a directory that does not exist fails at once. After the run
 * each is written to a temporary file next to it (same directory, so that
 * rename() stays on one file system and is atomic), and only when every
 * one of them has been written are they renamed into place. A failure
 * anywhere removes the temporaries and leaves every path as it was.
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

/* Checks one output's path: an existing path must be a regular file, and
 * its directory must exist and be writable. Creates nothing, so that a run
 * that is interrupted leaves nothing behind. */
static int check_(cli_output_t *o) {
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
  char dir[sizeof o->tmp];
  if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
    fprintf(stderr, "neocog: %s: path too long\n", flag);
    return -1;
  }
  char *slash = strrchr(dir, '/');
  if (slash == NULL) {
    strcpy(dir, ".");
  } else {
    slash[slash == dir ? 1 : 0] = '\0';
  }
  int e = 0;
  if (stat(dir, &sb) != 0) {
    e = errno;
  } else if (!S_ISDIR(sb.st_mode)) {
    e = ENOTDIR;
  } else if (access(dir, W_OK | X_OK) != 0) {
    e = errno;
  }
  if (e != 0) {
    fprintf(stderr, "neocog: %s %s: cannot create the file: %s\n", flag, path,
            strerror(e));
    return -1;
  }
  return 0;
}

const char *cli_output_open(cli_output_t *o) {
  static unsigned counter;
  for (int tries = 0; tries < 100; tries++) {
    if (snprintf(o->tmp, sizeof o->tmp, "%s.neocog-tmp%ld.%u", o->path,
                 (long)getpid(), counter++) >= (int)sizeof o->tmp) {
      fprintf(stderr, "neocog: %s: path too long\n", o->flag);
      break;
    }
    /* 0666 & ~umask, the mode a new file gets (mkstemp would give 0600). */
    const int fd =
        open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd >= 0) {
      close(fd);
      return o->tmp;
    }
    if (errno != EEXIST) {
      const int e = errno;
      fprintf(stderr, "neocog: %s %s: cannot create the file: %s\n", o->flag,
              o->path, strerror(e));
      break;
    }
  }
  o->tmp[0] = '\0';
  return NULL;
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
        return -1;
      }
    }
    if (check_(&o[i]) != 0) {
      return -1;
    }
  }
  return 0;
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
