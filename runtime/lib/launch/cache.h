/* SPDX-License-Identifier: MIT */
/* The extraction cache of the extract strategy: ${XDG_CACHE_HOME:-~/.cache}/
 * bento/extract holds one tree per image, named by the image's identity
 * (bento_image_identity); extract.sources/NAME beside it names the file the
 * tree came from, and its modification time is the entry's last use.
 *
 * Every change of the cache (extracting, removing) happens under the user's
 * seal lock (image/seal.h); a launch that runs an app from a tree holds a
 * shared lock on the tree's directory until the app ends, so that cleaning
 * never pulls a tree from under a running app. */
#ifndef BENTO_LAUNCH_CACHE_H
#define BENTO_LAUNCH_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

typedef enum bento_cache_source {
	BENTO_CACHE_SOURCE_UNKNOWN, /* not recorded (extracted by an older bento) */
	BENTO_CACHE_SOURCE_PRESENT, /* the file is there, unchanged */
	BENTO_CACHE_SOURCE_GONE,    /* removed, or replaced by another file */
} bento_cache_source;

typedef struct bento_cache_entry {
	char *name;   /* the tree's directory name in the cache */
	char *source; /* the file it was extracted from, or NULL */
	bento_cache_source source_state;
	bool leftover;             /* an extraction that never finished */
	uint64_t bytes;            /* disk usage of the tree */
	struct timespec last_used; /* its last launch */
} bento_cache_entry;

/* The cache's directory; made private (state.h) when make is true.  Without
 * make, NULL and no error when it does not exist. */
char *bento_cache_dir(bool make, bento_error **err);

/* The entries of the cache at dir, sorted by name. */
int bento_cache_list(const char *dir, bento_cache_entry **entries, size_t *n, bento_error **err);
void bento_cache_entries_free(bento_cache_entry *entries, size_t n);

/* Removes an entry (its tree, its record and its seal), never following a
 * symbolic link; the caller holds the seal lock.  Returns 1 once removed, 0
 * when an app runs from it (it stays), -1 on an error. */
int bento_cache_remove(const char *dir, const char *name, bento_error **err);

/* Removes the entries whose source file no longer exists (or is another
 * file now) and the leftovers of extractions that never finished; the
 * caller holds the seal lock.  Best effort: what cannot be removed stays. */
void bento_cache_prune(const char *dir);

/* A launch runs from the entry name, extracted from source: records source
 * and the time, and returns a descriptor holding the entry's shared lock
 * (close it once the app has ended), or -1. */
int bento_cache_use(const char *dir, const char *name, const char *source, bento_error **err);

#endif
