/* SPDX-License-Identifier: MIT */
/* The state directory of a build (default .bento-builder in the working
 * directory):
 *   cache/        the module cache (cache.h)
 *   build/NAME/   the sources of module NAME, built in place
 *   logs/NAME.log what building NAME printed
 *   app/          /app while a module builds
 *   appdir/       the AppDir packed at the end
 *   root/         an empty directory the sandbox's root is built on
 * Everything a build made is hostile: the build steps write /app and their
 * sources, and may leave symbolic links there that point anywhere on the
 * host.  So every part of it is reached one element at a time from the
 * directory's descriptor without following a link (util/beneath.h), and
 * trees are copied without following or writing through one
 * (util/tree_copy.h). */
#ifndef BENTO_BUILDER_STATE_H
#define BENTO_BUILDER_STATE_H

#include <stdbool.h>

#include "core/error.h"

typedef struct bento_build_state {
	/* Its real path and the paths of its parts, which the builder made:
	 * below it, nothing is followed. */
	char *path, *cache, *builds, *logs, *app, *appdir, *root;
	int fd;
} bento_build_state;

/* Opens (making it where missing) the state directory path, which is not
 * taken through a symbolic link unless given (a repository a manifest comes
 * from could hold one where the default one is), and makes its parts. */
int bento_build_state_open(bento_build_state *s, const char *path, bool given, bento_error **err);
void bento_build_state_close(bento_build_state *s);

/* The part rel ("cache", "build/NAME") of the state directory: its
 * descriptor. */
int bento_build_state_dir(const bento_build_state *s, const char *rel, bento_error **err);

/* The same, emptied (or made). */
int bento_build_state_fresh_dir(const bento_build_state *s, const char *rel, bento_error **err);

/* Copies the part from into the part to, which is made empty first. */
int bento_build_state_copy_tree(const bento_build_state *s, const char *from, const char *to,
                                bento_error **err);

#endif
