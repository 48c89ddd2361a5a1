/* SPDX-License-Identifier: MIT */
/* [Requires] of .bento/metadata (bento-metadata(5)): what an app needs of the
 * system it runs on, written by bento-builder, and what the image bundles in
 * its place: the GNU C library and libstdc++ versions its programs need and
 * those of .bento/glibc and .bento/libstdc++, the libraries it takes from the
 * host (each with the Debian package that provides it) and those of them
 * .bento/fallback holds. */
#ifndef BENTO_REQUIRES_H
#define BENTO_REQUIRES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* A library the app takes from the host, and its Debian package ("" when
 * the builder did not know it). */
typedef struct bento_host_library {
	char *name;
	char *package;
} bento_host_library;

typedef struct bento_requirements {
	/* Versions (core/version.h), or NULL when the key is absent. */
	char *glibc;                        /* glibc: the newest GLIBC_ version needed */
	char *glibc_bundled;                /* glibc-bundled: the version of .bento/glibc */
	char *libstdcxx;                    /* libstdc++: the newest GLIBCXX_ version needed */
	char *libstdcxx_bundled;            /* libstdc++-bundled: the version of .bento/libstdc++ */
	bento_host_library *host_libraries; /* host-libraries */
	size_t n_host_libraries;
	char **fallback_libraries; /* fallback-libraries */
	size_t n_fallback_libraries;
	bool present; /* the metadata has the group */
} bento_requirements;

/* Sets key of [Requires] from its value, items a list's elements (the key
 * file's escapes undone).  Returns 1 for a key it does not know (ignored:
 * later builders may write more), -1 for an invalid value. */
int bento_requirements_set(bento_requirements *req, const char *key, char *const *items,
                           size_t n_items, bento_error **err);

void bento_requirements_clear(bento_requirements *req);

/* Whether name is one of fallback-libraries. */
bool bento_requirements_has_fallback(const bento_requirements *req, const char *name);

/* The first release of each common distribution whose GNU C library is
 * version or newer, as words: "Debian 12, Ubuntu 22.04, Fedora 35 or later"
 * (allocated); NULL when version is newer than every release known here. */
char *bento_glibc_releases(const char *version);

#endif
