/* SPDX-License-Identifier: MIT */
/* Copying a directory tree that a build made (or a source directory) into
 * another, the way `cp -a SRC/. DST` does, but treating both sides as
 * hostile: nothing is followed on either side, and nothing is ever written
 * through what is already in the destination.
 *   - a directory is made, or merged into a directory of that name; a
 *     symbolic link or file of that name is refused (with a message naming
 *     it), never followed;
 *   - a file or symbolic link replaces a file or link of that name (it is
 *     removed first: an existing file may be a hard link to a file outside,
 *     and a link points anywhere); a directory of that name is refused;
 *   - permission bits and modification times are kept, and so are hard
 *     links between files of the copy;
 *   - anything but regular files, directories and symbolic links is
 *     refused, and so are trees nested more than BENTO_TREE_COPY_MAX_DEPTH deep. */
#ifndef BENTO_BUILDER_TREE_COPY_H
#define BENTO_BUILDER_TREE_COPY_H

#include "core/error.h"

#define BENTO_TREE_COPY_MAX_DEPTH 128

/* Copies what the directory src_fd holds into the directory dst_fd.
 * src_label and dst_label name the two in messages. */
int bento_tree_copy(int src_fd, const char *src_label, int dst_fd, const char *dst_label,
                    bento_error **err);

#endif
