/* SPDX-License-Identifier: MIT */
/* A build (`bento-builder build`): fetches the sources of every module,
 * builds each in the sandbox on top of the ones before it (taking it from
 * the module cache, cache.h, when nothing it depends on changed), bundles
 * the libraries, writes the desktop integration files and packs, signs and
 * describes the result (output/pack.h). */
#ifndef BENTO_BUILDER_BUILD_H
#define BENTO_BUILDER_BUILD_H

#include <stdbool.h>

#include "core/error.h"
#include "manifest/manifest.h"
#include "sources/fetch.h"

/* The state directory when none is given, in the working directory. */
#define BENTO_BUILD_STATE_DIR ".bento-builder"

typedef struct bento_build_config {
	const char *output; /* the file to write */
	/* Where sources, logs and the module cache live (state.h); NULL:
	 * BENTO_BUILD_STATE_DIR, which is not taken through a symbolic link. */
	const char *state_dir;
	const char *sign_key; /* NULL: unsigned */
	const char *runtime;  /* NULL: the one built into bento-builder */
	bento_fetch_options fetch;
	bool force_clean;   /* start from empty build and /app directories */
	bool disable_cache; /* build every module, even an unchanged one */
	bool verbose;       /* show the build's output as it runs */
	bool update_lock;   /* resolve apt sources again, rewrite the lock file */
	int jobs;           /* parallel jobs of make and ninja */
} bento_build_config;

/* Builds the app m describes into o->output.  On failure nothing is written
 * there. */
int bento_build(const bento_manifest *m, const bento_build_config *o, bento_error **err);

#endif
