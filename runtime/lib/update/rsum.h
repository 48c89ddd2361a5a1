/* SPDX-License-Identifier: MIT */
/* zsync's rolling checksum (rsync's a and b, modulo 2^16) of a block at
 * every offset of a seed: the work the scan does for every byte of a
 * changed region, in SIMD lanes where the CPU has them. */
#ifndef BENTO_UPDATE_RSUM_H
#define BENTO_UPDATE_RSUM_H

#include <stddef.h>
#include <stdint.h>

/* The checksum of the len bytes at p, from scratch (in the low 16 bits). */
void zsync_rsum_block(const unsigned char *p, size_t len, uint32_t *a, uint32_t *b);

/* Given in *a, *b the checksum of the block of bs bytes at p, stores in
 * m[j], for j < count, the masked checksum (a & a_mask) << 16 | (b & b_mask)
 * of the block at p + j, and leaves in *a, *b the checksum of the block at
 * p + count.  Reads p[0 .. count + bs). */
void zsync_rsum_roll(const unsigned char *p, size_t bs, size_t count, uint32_t a_mask,
                     uint32_t b_mask, uint32_t *a, uint32_t *b, uint32_t *m);

/* As bento_md4_lanes and bento_md4_limit_lanes: the widest group of offsets
 * zsync_rsum_roll computes at once (1, 4, 8 or 16), and a limit for tests. */
unsigned zsync_rsum_lanes(void);
unsigned zsync_rsum_limit_lanes(unsigned max);

#endif
