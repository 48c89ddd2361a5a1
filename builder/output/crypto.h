/* SPDX-License-Identifier: MIT */
/* The builder's cryptographic libraries: gpgme (signing) and libgcrypt
 * (zsync's MD4 and SHA-1), initialised once before their first use. */
#ifndef BENTO_BUILDER_CRYPTO_H
#define BENTO_BUILDER_CRYPTO_H

void bento_crypto_init(void);

#endif
