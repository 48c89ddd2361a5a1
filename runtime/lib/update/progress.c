/* SPDX-License-Identifier: MIT */
#include "update/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

double zsync_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void zsync_human_bytes(double v, char *buf, unsigned len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void zsync_progress_init(zsync_progress *p, int fd, bool tty, uint64_t length)
{
	*p = (zsync_progress){.fd = fd, .tty = tty, .length = length, .start = zsync_now()};
}

static void put(int fd, const char *s)
{
	(void)!bento_write_all(fd, s, strlen(s));
}

void zsync_progress_clear(zsync_progress *p)
{
	if (p->fd >= 0 && p->tty && p->drawn)
		put(p->fd, "\r\033[K");
	p->drawn = false;
}

void zsync_progress_event(zsync_progress *p, const char *fmt, ...)
{
	if (p->fd < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	autofree char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	zsync_progress_clear(p);
	autofree char *line = xasprintf("%s\n", msg);
	put(p->fd, line);
	if (p->tty)
		zsync_progress_update(p);
}

void zsync_progress_update(zsync_progress *p)
{
	if (p->fd < 0 || !p->tty || p->needed == 0 || p->finished)
		return;
	double now = zsync_now();
	if (p->drawn && now - p->last_draw < 0.1 && p->downloaded < p->needed)
		return;
	p->last_draw = now;
	double since = p->fetch_start > 0 ? now - p->fetch_start : 0;
	double rate = since > 0.05 ? (double)p->downloaded / since : 0;
	char need[32], got[32], reused[32], speed[32], left[32] = "--:--";
	zsync_human_bytes((double)p->needed, need, sizeof(need));
	zsync_human_bytes((double)p->downloaded, got, sizeof(got));
	zsync_human_bytes((double)p->reused, reused, sizeof(reused));
	zsync_human_bytes(rate, speed, sizeof(speed));
	if (rate > 0 && p->needed >= p->downloaded) {
		unsigned long s = (unsigned long)((double)(p->needed - p->downloaded) / rate);
		snprintf(left, sizeof(left), "%lu:%02lu", s / 60, s % 60);
	}
	enum { WIDTH = 24 };
	unsigned fill =
	    (unsigned)(p->downloaded >= p->needed ? WIDTH : WIDTH * p->downloaded / p->needed);
	char bar[WIDTH + 1];
	memset(bar, '#', fill);
	memset(bar + fill, '-', WIDTH - fill);
	bar[WIDTH] = '\0';
	char line[256];
	snprintf(line, sizeof(line), "\r[%s] %s of %s needed, %s reused, %s/s, %s left\033[K", bar,
	         got, need, reused, speed, left);
	put(p->fd, line);
	p->drawn = true;
}
