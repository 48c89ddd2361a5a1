/* SPDX-License-Identifier: MIT */
/* Update information: the string in a file's .upd_info section that tells
 * update tools where its newer versions are, in the AppImage
 * specification's transports:
 *     zsync|URL                                the control file (http, https)
 *     gh-releases-zsync|USER|REPO|TAG|PATTERN  the asset of a GitHub release
 *                                              whose name matches PATTERN
 *                                              (fnmatch: * and ?); TAG may be
 *                                              "latest"
 *     pling-v1-zsync|PRODUCT-ID|PATTERN        a Pling (OpenDesktop) product
 * where PATTERN names a .zsync file.  One parser for the builder, which
 * embeds the string, and for `bento update`, which follows it: the string
 * may come from a hostile file, so every field is checked. */
#ifndef BENTO_CORE_UPDINFO_H
#define BENTO_CORE_UPDINFO_H

#include <stdbool.h>

#include "core/error.h"

/* The section is 1024 bytes and the string is NUL-terminated in it. */
#define BENTO_UPDINFO_MAX 1023

typedef enum bento_updinfo_kind {
	BENTO_UPDINFO_ZSYNC,
	BENTO_UPDINFO_GH_RELEASES,
	BENTO_UPDINFO_PLING,
} bento_updinfo_kind;

typedef struct bento_updinfo {
	bento_updinfo_kind kind;
	char *text;                        /* the whole string, for messages */
	char *url;                         /* zsync: the control file's URL */
	char *user, *repo, *tag, *pattern; /* gh-releases-zsync (pling: pattern) */
	char *product;                     /* pling-v1-zsync */
} bento_updinfo;

void bento_updinfo_clear(bento_updinfo *u);

/* Parses s; refuses what is malformed with a message that names where the
 * string comes from (where), the string and why. */
int bento_updinfo_parse(const char *s, const char *where, bento_updinfo *out, bento_error **err);

/* Whether s is an absolute http:// or https:// URL with a host and no
 * spaces or control characters. */
bool bento_updinfo_is_http_url(const char *s);

#endif
