/* SPDX-License-Identifier: MIT */
/* Downloads into a cache keyed by SHA-256.
 *
 * bento_fetch() gives the path of a file in the download cache whose SHA-256
 * is the one asked for, downloading it first when it is not there yet:
 *
 *     CACHE_DIR/sha256/<hex>        a verified download
 *     CACHE_DIR/sha256/<hex>.part   a download in progress or interrupted
 *
 * Only http, https and file URLs are fetched, and redirects are followed only
 * to http and https URLs.  The digest is computed while the bytes arrive; a
 * file lands in the cache (renamed from its .part) only once it matches.  An
 * interrupted download is resumed with a Range request (from the start again
 * when the server cannot resume), transient failures (connection refused or
 * reset, timeouts, 5xx, 408, 429) are retried with a growing delay, and a
 * progress bar is drawn on stderr when stderr is a terminal.
 *
 * The cache is keyed by checksum, so a file fetched once from a good URL
 * would hide a wrong URL for the same file (a manifest that builds for its
 * author and fails for everyone else).  Beside each entry,
 *
 *     CACHE_DIR/sha256/<hex>.urls   the URLs this cache fetched it from,
 *                                   one a line
 *
 * records the URLs that answered; a cache hit for a URL not in it is asked
 * once (when not offline) whether it answers. */
#ifndef BENTO_BUILDER_FETCH_H
#define BENTO_BUILDER_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define BENTO_SHA256_HEX_LEN 64

typedef enum bento_fetch_progress {
	BENTO_FETCH_PROGRESS_AUTO = 0, /* a progress bar when stderr is a terminal */
	BENTO_FETCH_PROGRESS_NEVER,
	BENTO_FETCH_PROGRESS_ALWAYS,
} bento_fetch_progress;

/* Zero-initialised options are the defaults. */
typedef struct bento_fetch_options {
	/* The cache: files go to CACHE_DIR/sha256/.  NULL: the default one,
	 * bento_fetch_default_cache_dir(). */
	const char *cache_dir;
	/* Only the cache: a missing entry is an error, nothing is downloaded. */
	bool offline;
	/* Refuse downloads larger than this many bytes (0: no limit). */
	uint64_t max_size;
	/* Tries in all, the first included (0: 4). */
	unsigned attempts;
	/* Delay before the first retry in milliseconds, doubled for each
	 * further one (0: 1000). */
	unsigned retry_delay_ms;
	/* Seconds to wait for a connection (0: 30). */
	unsigned connect_timeout;
	/* A transfer slower than 1 KiB/s for this many seconds is a
	 * (transient) failure (0: 60). */
	unsigned stall_timeout;
	bento_fetch_progress progress;
	/* No notices on stderr about retries and restarts. */
	bool quiet;
} bento_fetch_options;

/* ${XDG_CACHE_HOME:-$HOME/.cache}/bento-builder/downloads (newly allocated). */
char *bento_fetch_default_cache_dir(bento_error **err);

/* Whether s is 64 hexadecimal digits (either case). */
bool bento_sha256_hex_valid(const char *s);

/* Makes sure the cache holds the file of URL whose SHA-256 is sha256_hex and
 * sets *cached_path (newly allocated) to it.  A cache hit is checked again
 * (a corrupt entry is removed and fetched anew, or is an error offline).
 * Errors name the URL; a checksum mismatch names the expected and the actual
 * digest, and the downloaded bytes are discarded.  Returns 0 or -1. */
int bento_fetch(const bento_fetch_options *opt, const char *url, const char *sha256_hex,
                char **cached_path, bento_error **err);

/* What bento_fetch_check_url found out about one URL. */
typedef struct bento_url_check {
	bool answers;   /* the server answered a HEAD (or a one-byte GET) with success */
	bool transient; /* it did not, but may later: no connection, 5xx, timeout */
	bool cached;    /* the cache holds the file of sha256_hex */
	char *why;      /* when it does not answer: what happened (newly allocated) */
} bento_url_check;
void bento_url_check_clear(bento_url_check *c);

/* Asks url whether it still serves a file (a HEAD request, or a GET of its
 * first byte where HEAD is refused), whatever the cache holds; when it
 * answers and the cache holds sha256_hex, url joins the entry's record.
 * Returns -1 only when the question cannot be asked (libcurl, the cache
 * directory). */
int bento_fetch_check_url(const bento_fetch_options *opt, const char *url, const char *sha256_hex,
                          bento_url_check *out, bento_error **err);

#endif
