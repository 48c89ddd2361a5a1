/* SPDX-License-Identifier: MIT */
/* Whether this system runs an app, by its [Requires] (bento-metadata(5)), and
 * which of the image's .bento layers its /usr needs (bento-sandbox(7),
 * "/usr"): the image's glibc where the host's is older, its libstdc++ where
 * the host's is missing or older, its fallback libraries where the host
 * lacks one of them.  Decided before the sandbox is built, on every
 * strategy, sandboxed or not. */
#ifndef BENTO_LAUNCH_REQUIRES_H
#define BENTO_LAUNCH_REQUIRES_H

#include <stdbool.h>

#include "core/error.h"
#include "permissions/requires.h"
#include "sandbox/sandbox.h"

/* What the host has, as bento_requirements_decide needs it. */
typedef struct bento_host_facts {
	const char *glibc;     /* its GNU C library's version, NULL: none found */
	const char *libstdcxx; /* its libstdc++'s (GLIBCXX_), NULL: none found */
	/* Whether the host has the library name where the loader looks. */
	bool (*has_library)(void *ctx, const char *name);
	void *ctx;
} bento_host_facts;

/* Sets the .bento layers of *layers (not .image) that req needs on host,
 * or refuses: an error (status BENTO_EXIT_RUNTIME) naming what app (its
 * name, for the message) needs and this system lacks. */
int bento_requirements_decide(const bento_requirements *req, const char *app,
                              const bento_host_facts *host, bento_usr_layers *layers,
                              bento_error **err);

/* bento_requirements_decide on this host: reads only what req asks about
 * (nothing without [Requires]).  sandboxed: a library counts only where the
 * sandbox shows it. */
int bento_requirements_check(const bento_requirements *req, const char *app, bool sandboxed,
                             bento_usr_layers *layers, bento_error **err);

#endif
