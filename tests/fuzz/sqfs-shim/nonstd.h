/* SPDX-License-Identifier: MIT */
/* For tests/fuzz/build.sh only: the one declaration libsquashfuse's fs.c,
 * table.c and xattr.c need from its private "nonstd.h" (sqfs_pread itself is
 * linked from Debian's libsquashfuse.a). */
#ifndef SQFS_NONSTD_H
#define SQFS_NONSTD_H

#include "common.h"

ssize_t sqfs_pread(sqfs_fd_t fd, void *buf, size_t count, sqfs_off_t off);

#endif
