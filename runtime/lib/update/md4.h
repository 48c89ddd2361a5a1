/* SPDX-License-Identifier: MIT */
/* MD4 (RFC 1320), the strong checksum of zsync's blocks.  OpenSSL 3 keeps
 * MD4 in its legacy provider, which a host need not load, and the block scan
 * calls it often enough that a plain function beats EVP's overhead. */
#ifndef BENTO_UPDATE_MD4_H
#define BENTO_UPDATE_MD4_H

#include <stddef.h>
#include <stdint.h>

void bento_md4(const void *data, size_t len, unsigned char out[16]);

/* The MD4s of n blocks of len bytes each, the i-th at data + i * stride,
 * into out[i]: the scan's run of consecutive blocks.  Several blocks go
 * through the rounds at once in SIMD lanes (4 with SSE2, 8 with AVX2, 16
 * with AVX-512, whichever the CPU has), the same result as bento_md4 on each. */
void bento_md4_blocks(const void *data, size_t stride, size_t len, size_t n,
                      unsigned char (*out)[16]);

/* The widest group of lanes bento_md4_blocks uses on this CPU (1 without
 * SIMD); limiting it (1, 4, 8 or 16) lets a test compare each path with
 * bento_md4.  Returns the width now used. */
unsigned bento_md4_lanes(void);
unsigned bento_md4_limit_lanes(unsigned max);

#endif
