/* SPDX-License-Identifier: MIT */
/* Replacing a file by its new version without ever losing a working one.
 *
 * The file is locked (flock on the file itself, so the lock dies with the
 * process and binds every user of the file: a second `bento update` of it
 * is told that it is being updated).  The new version is built beside it
 * under a temporary name (.NAME.bento-update-RANDOM, created O_EXCL and
 * O_NOFOLLOW, mode 0600), checked by the caller, given the old file's mode
 * and renamed over it; before that, the old version is kept in
 *     ${XDG_DATA_HOME:-~/.local/share}/bento/previous/DIGEST/file
 * where DIGEST is the SHA-256 of the file's canonical path (so that two
 * files of the same name do not collide; DIGEST/path names it), from which
 * rollback puts it back, keeping the newer one in its place.
 *
 * A temporary file left by an interrupted update is found by the next one,
 * passed to the zsync client as a seed (every block of it that verifies is
 * reused) and removed. */
#ifndef BENTO_UPDATE_REPLACE_H
#define BENTO_UPDATE_REPLACE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/exit.h"
#include "core/util.h"

typedef struct bento_target {
	char *path; /* canonical */
	char *base; /* its last component */
	int dir_fd;
	int fd; /* the file, read-only, locked */
	struct stat st;
	/* Temporary files of interrupted updates, open: seed paths in
	 * /proc/self/fd, names in the directory. */
	bento_strv leftover_seeds, leftover_names;
	int *leftover_fds;
} bento_target;

/* Opens file (resolving symlinks: the file they lead to is the one
 * replaced) and, when lock is set, locks it without waiting: a file locked
 * by another process is an error with status BENTO_EXIT_BUSY; then
 * completes (or undoes) a rollback of the file that was killed between its
 * two renames.  (Only asking whether there is an update needs no lock.) */
int bento_target_open(const char *file, bool lock, bento_target *t, bento_error **err);
void bento_target_close(bento_target *t);

/* Finds the temporary files of earlier updates of this file that are the
 * user's own regular files (t->leftover_*). */
int bento_target_find_leftovers(bento_target *t, bento_error **err);
/* Removes them. */
void bento_target_remove_leftovers(bento_target *t);

/* A new temporary file in dir_fd (the target's directory, or another one
 * for --output) for the new version: *name its name there. */
int bento_temp_create(int dir_fd, const char *base, char **name, int *fd, bento_error **err);

/* The directory of the store for the file's canonical path, made private
 * when make is set. */
char *bento_previous_dir(const char *path, bool make, bento_error **err);

/* Keeps the current version of the target in the store, then renames the
 * temporary file name (open as tmp_fd, checked by the caller) over it. */
int bento_target_install(bento_target *t, const char *name, int tmp_fd, bento_error **err);

/* Renames the temporary file name (open as tmp_fd) in dir_fd to dest there,
 * refusing to replace an existing dest. */
int bento_temp_publish(int dir_fd, const char *name, int tmp_fd, const char *dest,
                       bento_error **err);

/* Puts the kept version back and keeps the current one in its place. */
int bento_target_rollback(bento_target *t, bento_error **err);

#endif
