/* SPDX-License-Identifier: MIT */
/* A strict reader of the key files bento keeps inside images (.bento/metadata)
 * and in desktop entries: "[Group]" lines, "key=value" lines, comments and
 * blank lines.  Anything else is an error that names the line. */
#ifndef BENTO_KEYFILE_H
#define BENTO_KEYFILE_H

#include <stddef.h>

#include "error.h"

typedef struct bento_keyfile bento_keyfile;

/* name is used in messages ("NAME:LINE: ..."). */
int bento_keyfile_parse(const char *name, const char *data, size_t len, bento_keyfile **out,
                        bento_error **err);
void bento_keyfile_free(bento_keyfile *kf);
static inline void bento_keyfile_freep(bento_keyfile **kf)
{
	if (*kf)
		bento_keyfile_free(*kf);
}
#define auto_bento_keyfile __attribute__((cleanup(bento_keyfile_freep))) bento_keyfile *

/* The value of key in group, or NULL.  The last occurrence wins. */
const char *bento_keyfile_get(const bento_keyfile *kf, const char *group, const char *key);

#endif
