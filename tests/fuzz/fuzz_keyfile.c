/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bento_keyfile_parse(), the strict reader of .bento/metadata
 * and desktop entries, on arbitrary bytes; then the look-ups launch.c, info.c
 * and the builder make. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/keyfile.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser gets a buffer and a length; make sure it reads neither
	 * before nor after them (no NUL terminator here, unlike the callers). */
	char *copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	if (size)
		memcpy(copy, data, size);
	bento_keyfile *kf = NULL;
	bento_error *err = NULL;
	if (bento_keyfile_parse("fuzz", copy, size, &kf, &err) == 0) {
		static const char *const lookups[][2] = {
		    {"Application", "command"},    {"Application", "name"},
		    {"Context", "shared"},         {"Context", "filesystems"},
		    {"Desktop Entry", "Name"},     {"Desktop Entry", "Icon"},
		    {"Session Bus Policy", "a.b"}, {"", ""},
		};
		for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
			const char *v = bento_keyfile_get(kf, lookups[i][0], lookups[i][1]);
			if (v)
				sink += strlen(v);
		}
		bento_keyfile_free(kf);
	} else {
		if (err == NULL || err->message == NULL)
			__builtin_trap(); /* a failure must say why */
		sink += strlen(err->message);
	}
	bento_error_free(err);
	free(copy);
	return 0;
}
