/* SPDX-License-Identifier: MIT */
/* A zsync 0.6 client: reads a control file (the ones bento-builder and
 * zsyncmake write), finds the blocks of the new file that the seed files
 * (the old file first) already hold, fetches only the missing ranges over
 * HTTP(S) (multi-range requests, single ranges when a server refuses them,
 * retries with back-off for transient errors, never for 4xx) and checks the
 * result's SHA-1 against the control file.
 *
 * Resumption: a previous, unfinished output file is just one more seed: every
 * block of it whose checksums verify is reused, the rest is fetched again.
 * So a caller that keeps its temporary file after a failure and passes it as
 * an extra seed next time resumes for free.
 *
 * Linked into `bento` only (libcurl), never into the static runtime stub. */
#ifndef BENTO_UPDATE_ZSYNC_H
#define BENTO_UPDATE_ZSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct bento_zsync_options {
	/* Files that may hold blocks of the new file: the old file first, then
	 * `--seed` files, then a previous partial output.  Missing or unreadable
	 * seeds are skipped with a warning. */
	const char *const *seeds;
	size_t n_seeds;
	int progress_fd;        /* where progress goes; -1: none */
	bool progress_tty;      /* a bar redrawn in place; otherwise one line per event */
	unsigned max_retries;   /* per request, for 503/reset/timeout; 0: the default (5) */
	const char *user_agent; /* NULL: "bento/VERSION" */
} bento_zsync_options;

typedef struct bento_zsync_stats {
	uint64_t length;     /* of the new file */
	uint64_t reused;     /* bytes taken from the seeds */
	uint64_t downloaded; /* bytes of the new file fetched (payload, not headers) */
	uint64_t requests;   /* HTTP requests for the new file, retries included */
} bento_zsync_stats;

typedef struct bento_zsync_control bento_zsync_control;

/* Downloads the control file at control_url and parses it. */
int bento_zsync_control_fetch(const char *control_url, const char *user_agent,
                              bento_zsync_control **out, bento_error **err);
/* Parses a control file already in memory; control_url (may be NULL: then a
 * relative URL: header is refused) resolves the relative URL: header and names
 * the file in messages. */
int bento_zsync_control_parse(const char *data, size_t len, const char *control_url,
                              bento_zsync_control **out, bento_error **err);
void bento_zsync_control_free(bento_zsync_control *c);

/* Lowercase hex SHA-1 of the new file (40 characters). */
const char *bento_zsync_control_sha1_hex(const bento_zsync_control *c);
uint64_t bento_zsync_control_length(const bento_zsync_control *c);
/* The Filename: header (may be NULL), untrusted: the caller must not use it
 * as a path without checking it. */
const char *bento_zsync_control_filename(const bento_zsync_control *c);
/* The absolute URL of the new file. */
const char *bento_zsync_control_url(const bento_zsync_control *c);
/* The MTime: header in seconds since the epoch, or -1 when absent. */
int64_t bento_zsync_control_mtime(const bento_zsync_control *c);

/* Lowercase hex SHA-1 of what fd holds (read from offset 0, with pread), so
 * `bento update --check` can compare the old file with the control file. */
int bento_zsync_sha1_of_fd(int fd, char hex[41], bento_error **err);

/* Builds the new file into out_fd (a regular file opened read-write, which is
 * truncated to the new length), then verifies its SHA-1 against the control
 * file.  On success the file is complete and verified (not fsynced: that is
 * the caller's).  On error out_fd's content is garbage and the caller removes
 * it (or keeps it to pass it as a seed next time). stats may be NULL; it is
 * filled on error too, as far as the work went. */
int bento_zsync_build(const bento_zsync_control *c, const bento_zsync_options *o, int out_fd,
                      bento_zsync_stats *stats, bento_error **err);

#endif
