/* SPDX-License-Identifier: MIT */
#include "core/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static int error_setv(bento_error **err, int errnum, bool with_strerror, const char *fmt,
                      va_list ap)
{
	if (err == NULL || *err != NULL)
		return -1;
	bento_error *e = calloc(1, sizeof(*e));
	if (e == NULL)
		abort();
	char *msg = vformat(fmt, ap);
	if (msg == NULL)
		abort();
	if (with_strerror) {
		char *full = NULL;
		if (asprintf(&full, "%s: %s", msg, strerror(errnum)) < 0)
			abort();
		free(msg);
		msg = full;
	}
	e->errnum = errnum;
	e->message = msg;
	*err = e;
	return -1;
}

int bento_error_set(bento_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_setv(err, errnum, false, fmt, ap);
	va_end(ap);
	return -1;
}

int bento_error_usage(bento_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_setv(err, 0, false, fmt, ap);
	va_end(ap);
	if (err && *err)
		(*err)->status = BENTO_EXIT_USAGE;
	return -1;
}

int bento_error_errno(bento_error **err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	error_setv(err, saved, true, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int bento_error_prefix(bento_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = vformat(fmt, ap);
	va_end(ap);
	if (prefix == NULL)
		abort();
	char *full = NULL;
	if (asprintf(&full, "%s: %s", prefix, (*err)->message) < 0)
		abort();
	free(prefix);
	free((*err)->message);
	(*err)->message = full;
	return -1;
}

void bento_error_free(bento_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err);
}

int bento_error_report(bento_error *err, const char *prog, int fallback)
{
	if (err == NULL)
		return fallback;
	fprintf(stderr, "%s: %s\n", prog, err->message);
	int status = err->status ? err->status : fallback;
	bento_error_free(err);
	return status;
}

static const char *program_name = "bento";
static bool debugging;

void bento_program_init(const char *name)
{
	program_name = name;
	debugging = bento_env_flag("BENTO_DEBUG", false);
}

void bento_debug_enable(bool on)
{
	debugging = on;
}

bool bento_debugging(void)
{
	return debugging;
}

/* One call, so one line that another thread's does not split. */
static void print_line(const char *kind, const char *fmt, va_list ap)
{
	char *msg = vformat(fmt, ap);
	fprintf(stderr, "%s: %s%s\n", program_name, kind, msg ? msg : fmt);
	free(msg);
}

void bento_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line("warning: ", fmt, ap);
	va_end(ap);
}

void bento_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line("", fmt, ap);
	va_end(ap);
}
