/* SPDX-License-Identifier: MIT */
/* SHA-256 (OpenSSL's libcrypto) of strings, files and directory trees: the
 * builder's cache keys. */
#ifndef BENTO_BUILDER_DIGEST_H
#define BENTO_BUILDER_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct bento_digest bento_digest;

bento_digest *bento_digest_new(void);
void bento_digest_free(bento_digest *d);
static inline void bento_digest_freep(bento_digest **d)
{
	if (*d)
		bento_digest_free(*d);
}
#define auto_bento_digest __attribute__((cleanup(bento_digest_freep))) bento_digest *

/* Starts again, as if new. */
void bento_digest_reset(bento_digest *d);
void bento_digest_add(bento_digest *d, const void *data, size_t len);
/* The whole file behind fd, from offset 0 (path is for messages); *size,
 * if not NULL, gets its length. */
int bento_digest_add_fd(bento_digest *d, int fd, const char *path, uint64_t *size,
                        bento_error **err);
void bento_digest_add_str(bento_digest *d, const char *s); /* with its NUL */
/* The contents of a file, or of a directory tree: each entry's relative path,
 * type, executable bit, symlink target and contents, in name order. */
int bento_digest_add_path(bento_digest *d, const char *path, bento_error **err);
/* The digest so far as 64 hex digits (newly allocated); d can go on. */
char *bento_digest_hex(const bento_digest *d);

#endif
