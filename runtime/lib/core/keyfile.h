/* SPDX-License-Identifier: MIT */
/* A strict reader of the key files bento keeps inside images (.bento/metadata)
 * and in desktop entries: "[Group]" lines, "key=value" lines, comments and
 * blank lines.  Anything else is an error that names the line. */
#ifndef BENTO_KEYFILE_H
#define BENTO_KEYFILE_H

#include <stddef.h>

#include "core/error.h"

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

/* Every "key=value" line in file order (repeated keys included), with its
 * group and line number: for readers that check each key. */
typedef struct bento_keyfile_entry {
	const char *group;
	const char *key;
	const char *value;
	unsigned line;
} bento_keyfile_entry;
size_t bento_keyfile_n_entries(const bento_keyfile *kf);
bento_keyfile_entry bento_keyfile_nth(const bento_keyfile *kf, size_t i);

/* Every "[Group]" header in file order (a group may appear twice), with the
 * line it is on: groups without keys are listed too. */
size_t bento_keyfile_n_groups(const bento_keyfile *kf);
const char *bento_keyfile_group(const bento_keyfile *kf, size_t i, unsigned *line);

#endif
