/* SPDX-License-Identifier: MIT */
/* A GLib error turned into a bento_error, for the parts of bento that call
 * GLib's libraries (libostree: runtime/lib/repo, builder/output).  A header
 * only: the core library itself does not link GLib. */
#ifndef BENTO_GERROR_H
#define BENTO_GERROR_H

#include <glib.h>
#include <stdarg.h>

#include "core/error.h"
#include "core/util.h"

/* Sets *err to "context: gerror's message", frees gerror and returns -1. */
static inline __attribute__((format(printf, 3, 4))) int
bento_error_from_gerror(bento_error **err, GError *gerror, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *context = xvasprintf(fmt, ap);
	va_end(ap);
	bento_error_set(err, 0, "%s: %s", context, gerror ? gerror->message : "failed");
	g_clear_error(&gerror);
	return -1;
}

#endif
