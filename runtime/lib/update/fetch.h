/* SPDX-License-Identifier: MIT */
/* HTTP for the zsync client (libcurl): the control file, and the blocks the
 * seeds did not supply, merged into ranges and asked for in multi-range
 * requests (single ranges when a server refuses those).  Transient errors
 * (5xx, a reset, a timeout) are retried with back-off, 4xx never. */
#ifndef BENTO_UPDATE_FETCH_H
#define BENTO_UPDATE_FETCH_H

#include <stddef.h>

#include "update/control.h"
#include "update/progress.h"
#include "update/scan.h"

typedef struct zsync_http_options {
	const char *user_agent;
	unsigned max_retries;
} zsync_http_options;

/* GETs url into *data (NUL-terminated, at most max bytes); *final_url is the
 * URL after redirects. */
int zsync_http_get(const char *url, const zsync_http_options *o, size_t max, char **data,
                   size_t *len, char **final_url, bento_error **err);

/* Fetches every block that s does not have into out_fd, marking them. */
int zsync_fetch_missing(const bento_zsync_control *c, zsync_scan *s, int out_fd,
                        const zsync_http_options *o, zsync_progress *pr, bento_zsync_stats *stats,
                        bento_error **err);

#endif
