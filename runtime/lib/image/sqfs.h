/* SPDX-License-Identifier: MIT */
/* The one place that includes libsquashfuse's headers.  Its config.h redefines
 * _POSIX_C_SOURCE, which features.h has already set for _GNU_SOURCE; undefining
 * it first keeps the build warning-free and changes nothing (features.h has
 * been processed by then). */
#ifndef BENTO_SQFS_H
#define BENTO_SQFS_H

#include <stdio.h>
#undef _POSIX_C_SOURCE
#undef FUSE_USE_VERSION
#include <squashfuse.h>

/* libsquashfuse 0.1 trusts lengths in hostile images; bento works around
 * what it can (tests/fuzz/crashes/README.md lists what was found):
 *
 * A directory entry's name is copied with the length the image gives, up to
 * 65536 bytes, into the caller's buffer, which libsquashfuse assumes holds
 * SQUASHFS_NAME_LEN + 1.  bento's buffers hold the largest; a longer name
 * than SQUASHFS_NAME_LEN is corruption, and bento_dir_lookup says so. */
typedef struct bento_sqfs_name {
	char name[65536 + 2];
} bento_sqfs_name;

/* sqfs_inode_get() plus the checks libsquashfuse leaves out: the reference's
 * offset, a directory's offset, a symlink's size, a file's data position and
 * fragment (index, offset, and the fragment's own entry).  SQFS_BADFORMAT for
 * a corrupt inode. */
sqfs_err bento_inode_get(sqfs *fs, sqfs_inode *inode, sqfs_inode_id id);

/* Looks name up in a directory by reading its entries in order, into
 * entry (initialised with a bento_sqfs_name).  sqfs_dir_lookup() would use
 * the directory index, whose 32-bit name lengths it trusts.  Returns
 * SQFS_ERR for a corrupt directory. */
sqfs_err bento_dir_lookup(sqfs *fs, sqfs_inode *dir, const char *name, sqfs_dir_entry *entry,
                          bool *found);

#endif
