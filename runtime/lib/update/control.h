/* SPDX-License-Identifier: MIT */
/* The parsed zsync control file, as the scan and the download see it. */
#ifndef BENTO_UPDATE_CONTROL_H
#define BENTO_UPDATE_CONTROL_H

#include <stdint.h>

#include "update/zsync.h"

/* zsync's own limits on the hash lengths, and ours on the block size and
 * the file's length (a control file is untrusted input). */
enum {
	ZSYNC_MIN_BLOCK = 512,
	ZSYNC_MAX_BLOCK = 1 << 20,
	ZSYNC_MAX_CHECKSUM = 16,
};
#define ZSYNC_MAX_LENGTH (UINT64_C(1) << 40)

struct bento_zsync_control {
	char *source;   /* the control file's URL (or "control file"), for messages */
	char *filename; /* Filename:, may be NULL */
	char *url;      /* absolute URL of the new file */
	int64_t mtime;  /* -1: none */
	uint64_t length;
	uint32_t block_size;
	unsigned block_shift; /* log2(block_size) */
	unsigned seq_matches, rsum_bytes, checksum_bytes;
	char sha1[41];
	uint64_t blocks;
	/* Per block: the rolling checksum as zsync compares it ((a & a_mask) << 16
	 * | (b & b_mask)) and the first checksum_bytes of its MD4. */
	uint32_t *rsum;
	unsigned char *strong; /* blocks * checksum_bytes */
	uint32_t a_mask, b_mask;
};

/* The masked rolling checksum of a whole block, as stored for a block. */
static inline uint32_t zsync_rsum_masked(const struct bento_zsync_control *c, uint16_t a,
                                         uint16_t b)
{
	return (uint32_t)(a & c->a_mask) << 16 | (uint32_t)(b & c->b_mask);
}

#endif
