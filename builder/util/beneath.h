/* SPDX-License-Identifier: MIT */
/* Paths below a directory whose contents a build made: the module's sources,
 * /app, a cache entry, the AppDir - and the state directory that holds them.
 * A build step may leave a symbolic link anywhere there, pointing anywhere on
 * the host, so every function here walks its path one element at a time from
 * a directory descriptor and never follows a symbolic link, as openat2(2)
 * does with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: an absolute path, a ".."
 * element or a link on the way is refused with a message that names it.
 * (The builder runs nothing of the build's while it works on these trees:
 * what it checked stays so.)
 *
 * label names the directory in messages: "/app", the sources' path, ... */
#ifndef BENTO_BUILDER_BENEATH_H
#define BENTO_BUILDER_BENEATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"

/* The directory path ("a/b"; "" or "." is dir_fd itself) below dir_fd, as a
 * new descriptor; with create, missing elements are made (mode 0755).
 * Returns -1 (and *err) on failure; errno is ENOENT when an element is
 * missing (and not to be created). */
int bento_beneath_dir(int dir_fd, const char *label, const char *path, bool create,
                      bento_error **err);

/* openat(2) of path below dir_fd with flags (O_NOFOLLOW and O_CLOEXEC
 * added: the last element is not followed either) and mode.  Returns the
 * descriptor, or -1 with errno kept (ENOENT for a missing file) and *err. */
int bento_beneath_open(int dir_fd, const char *label, const char *path, int flags, mode_t mode,
                       bento_error **err);

/* A whole small file below dir_fd (at most max bytes), NUL-terminated, as
 * bento_read_file_at reads one. */
int bento_beneath_read_file(int dir_fd, const char *label, const char *path, size_t max,
                            char **data, size_t *len, bento_error **err);

/* Replaces the file path below dir_fd by one of the given mode holding
 * contents, atomically (a temporary file beside it, then a rename that
 * replaces whatever had the name, a link included, never what it points
 * to).  Its directory must exist. */
int bento_beneath_replace_file(int dir_fd, const char *label, const char *path,
                               const char *contents, mode_t mode, bento_error **err);

/* Removes path below dir_fd: a file or link, or a directory with all it
 * holds (nothing is followed).  A missing path is not an error. */
int bento_beneath_remove(int dir_fd, const char *label, const char *path, bento_error **err);

/* Creates a new file ".NAME.XXXXXX" (mode 0600) in dir_fd, for a file that
 * is to replace name by a rename; *tmp (newly allocated) gets its name.
 * Returns its descriptor or -1 with errno. */
int bento_beneath_tmpfile(int dir_fd, const char *name, char **tmp);

/* Splits "a/b/c" into the directory "a/b" (newly allocated; "" for "c") and
 * the last element "c" (inside path). */
void bento_beneath_split(const char *path, char **dir, const char **leaf);

#endif
