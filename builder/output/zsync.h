/* SPDX-License-Identifier: MIT */
/* zsync control files (the format of zsync 0.6.2): the header lines, then
 * for each block of the file its weak rolling checksum and the start of its
 * MD4, so that a zsync client can rebuild a new version of the file from an
 * old one and fetch only the blocks it lacks with HTTP range requests. */
#ifndef BENTO_BUILDER_ZSYNC_H
#define BENTO_BUILDER_ZSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "output/outfile.h"

/* zsyncmake's choices for a file of len bytes: the block size and the
 * Hash-Lengths (sequential matches, rsum bytes, checksum bytes). */
typedef struct bento_zsync_params {
	uint32_t block_size;
	int seq_matches, rsum_bytes, checksum_bytes;
} bento_zsync_params;

void bento_zsync_choose(uint64_t len, bento_zsync_params *p);

/* The control file for the len bytes of the file open as fd (read with
 * pread), named file_name (its Filename and its relative URL) with the given
 * modification time.  name is for messages. */
int bento_zsync_make(int fd, uint64_t len, const char *file_name, int64_t mtime, const char *name,
                     char **out, size_t *out_len, bento_error **err);

/* Writes the control file of the file open as fd, which is to become
 * output, into zs: a new temporary file for OUTPUT.zsync, which the caller
 * commits.  Its MTime is SOURCE_DATE_EPOCH when set, else the file's. */
int bento_zsync_write(int fd, const char *output, bento_outfile *zs, bento_error **err);

#endif
