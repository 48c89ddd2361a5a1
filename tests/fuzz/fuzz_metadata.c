/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bento_metadata_parse(), the strict reader of .bento/metadata
 * and override files, on arbitrary bytes; then what bento does with a parsed
 * layer (merging, describing, writing it back), and the runtime's
 * --bento-permissions= reader on the same bytes.
 *
 * Oracle beyond the sanitizers: a layer written with
 * bento_permissions_to_keyfile() must read back without error into a layer
 * that writes the very same text (override files are written that way and
 * read on every launch). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "permissions/permissions.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	/* No NUL terminator: the parser must stay within size. */
	char *copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	if (size)
		memcpy(copy, data, size);
	bento_metadata md;
	bento_error *err = NULL;
	if (bento_metadata_parse("fuzz", copy, size, &md, &err) == 0) {
		if (md.app_id && !bento_app_id_valid(md.app_id, strlen(md.app_id)))
			__builtin_trap(); /* an accepted id must be valid */
		char *text = bento_permissions_to_keyfile(&md.permissions);
		bento_metadata again;
		bento_error *err2 = NULL;
		if (bento_metadata_parse("fuzz-again", text, strlen(text), &again, &err2) < 0)
			__builtin_trap(); /* what bento writes, it must read */
		char *text2 = bento_permissions_to_keyfile(&again.permissions);
		if (strcmp(text, text2) != 0)
			__builtin_trap(); /* and read back the same */
		bento_permissions base = {0};
		bento_permissions_apply_option(&base, "filesystem", "home", NULL);
		bento_permissions_apply_option(&base, "talk-name", "org.example.A", NULL);
		bento_permissions_merge(&base, &md.permissions);
		bento_permissions_merge(&base, &again.permissions);
		bento_permissions_describe(&base, "  ", devnull);
		bento_permissions_clear(&base);
		free(text);
		free(text2);
		bento_metadata_clear(&again);
		bento_metadata_clear(&md);
	} else {
		if (err == NULL || err->message == NULL)
			__builtin_trap(); /* a failure must say why */
		bento_error_free(err);
	}
	/* The same bytes as the runtime's --bento-permissions= argument. */
	char *words = strndup(copy, size);
	if (words == NULL)
		abort();
	bento_permissions layer = {0};
	err = NULL;
	if (bento_permissions_apply_words(&layer, words, &err) < 0 &&
	    (err == NULL || err->message == NULL))
		__builtin_trap();
	bento_error_free(err);
	bento_permissions_describe(&layer, "", devnull);
	bento_permissions_clear(&layer);
	free(words);
	free(copy);
	return 0;
}
