/* SPDX-License-Identifier: MIT */
/* Extracting an image's tree onto disk, treating the image as hostile: names
 * are checked, everything is created relative to directory descriptors with
 * O_NOFOLLOW, symlinks are created but never followed, device nodes, fifos and
 * sockets are skipped and setuid/setgid bits are dropped. */
#ifndef BENTO_EXTRACT_H
#define BENTO_EXTRACT_H

#include <stdbool.h>

#include "core/error.h"
#include "image/image.h"

typedef struct bento_extract_options {
	/* Only paths matching this glob (fnmatch, FNM_PATHNAME | FNM_LEADING_DIR
	 * as AppImage's runtime uses it) and the directories leading to them. */
	const char *pattern;
	/* Print each extracted path on stdout (as --appimage-extract does). */
	bool verbose;
	/* A publisher's extraction (bento-builder export): a device node, fifo
	 * or socket is an error rather than skipped, and a dropped setuid or
	 * setgid bit is reported (bento_note). */
	bool strict;
} bento_extract_options;

/* Extracts into dest (created if missing; existing files are replaced). */
int bento_extract(bento_image *img, const char *dest, const bento_extract_options *opts,
                  bento_error **err);

/* Extracts into dest atomically: into a temporary sibling, synced, then
 * renamed.  If another process completed dest first, that one is kept. */
int bento_extract_atomic(bento_image *img, const char *dest, bento_error **err);

#endif
