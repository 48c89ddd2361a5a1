/* SPDX-License-Identifier: MIT */
/* Progress of a zsync build: on a terminal one bar redrawn in place (bytes
 * needed, reused, downloaded, rate, time left); elsewhere one line per event
 * (a seed scanned, the download started, a retry, the end). */
#ifndef BENTO_UPDATE_PROGRESS_H
#define BENTO_UPDATE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct zsync_progress {
	int fd; /* -1: silent */
	bool tty;
	bool drawn;
	bool finished; /* no bar after the last event */
	uint64_t length, reused, needed, downloaded;
	double start, last_draw, fetch_start;
} zsync_progress;

void zsync_progress_init(zsync_progress *p, int fd, bool tty, uint64_t length);
/* A line for an event (on a terminal, above the bar). */
void zsync_progress_event(zsync_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The counters changed: redraws the bar, at most ten times a second. */
void zsync_progress_update(zsync_progress *p);
/* Clears the bar (before an error is printed or at the end). */
void zsync_progress_clear(zsync_progress *p);
/* "12.3 MiB" */
void zsync_human_bytes(double v, char *buf, unsigned len);
double zsync_now(void);

#endif
