/* SPDX-License-Identifier: MIT */
/* MD4 (RFC 1320), the strong checksum of zsync's blocks.  OpenSSL 3 keeps
 * MD4 in its legacy provider, which a host need not load, and the block scan
 * calls it often enough that a plain function beats EVP's overhead. */
#ifndef BENTO_UPDATE_MD4_H
#define BENTO_UPDATE_MD4_H

#include <stddef.h>
#include <stdint.h>

void bento_md4(const void *data, size_t len, unsigned char out[16]);

#endif
