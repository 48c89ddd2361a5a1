/* SPDX-License-Identifier: MIT */
/* Turns a directory tree into a SquashFS image with libsquashfs
 * (squashfs-tools-ng).  The image is reproducible: entries are sorted by name,
 * every inode is owned by root and carries one fixed time stamp, and the
 * parallel block processor keeps the output order independent of the number
 * of worker threads. */
#ifndef BENTO_SQUASHFS_WRITER_H
#define BENTO_SQUASHFS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct bento_sqfs_options {
	int compressor;      /* an SQFS_COMPRESSOR id */
	int level;           /* compression level, BENTO_SQFS_DEFAULT_LEVEL for the library's */
	uint32_t block_size; /* power of two, 4 KiB .. 1 MiB */
	unsigned jobs;       /* compression threads, at least 1 */
	uint32_t mtime;      /* time stamp of every inode and of the super block */
} bento_sqfs_options;

#define BENTO_SQFS_DEFAULT_LEVEL (-1)

/* A symbolic link the image gets at its top level although the source tree
 * does not have it (the AppDir's .DirIcon, for instance). */
typedef struct bento_sqfs_symlink {
	const char *name;
	const char *target;
} bento_sqfs_symlink;

/* Where the image goes: into fd from byte `offset` on (what comes before is
 * left alone); name is only for messages. */
typedef struct bento_sqfs_output {
	int fd;
	uint64_t offset;
	const char *name;
} bento_sqfs_output;

/* Writes the tree below src_dir as a SquashFS image into out, padded to a
 * multiple of 4 KiB as mksquashfs does.  Regular files, directories
 * and symbolic links are stored; any other file type is refused.  On success
 * *image_size (if not NULL) receives the size of the image including padding.
 * Returns 0, or -1 with *err set. */
int bento_sqfs_write_tree(const char *src_dir, const bento_sqfs_symlink *extra, size_t n_extra,
                          const bento_sqfs_output *out, const bento_sqfs_options *opts,
                          uint64_t *image_size, bento_error **err);

/* "gzip", "xz", "lz4" or "zstd" to an SQFS_COMPRESSOR id; -1 if unknown. */
int bento_sqfs_compressor_from_name(const char *name);

/* The valid level range of a compressor; -1 if it has no levels (lz4). */
int bento_sqfs_level_range(int compressor, int *min, int *max);

#endif
