/* SPDX-License-Identifier: MIT */
/* Errors travel as values: a function that can fail takes a `bento_error **err`
 * out parameter, fills it once at the place that knows what went wrong, and
 * returns -1 (or NULL).  Callers add context with bento_error_prefix() and the
 * top of the program reports it once.  What is no error of the command (a
 * warning, a notice, a line for debugging) the library prints at once, with
 * bento_warn(), bento_note() and bento_debug(). */
#ifndef BENTO_ERROR_H
#define BENTO_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

#include "core/exit.h"

typedef struct bento_error {
	int errnum; /* errno value behind the failure, 0 if none */
	int status; /* exit status the top of the program should use, 0 = default */
	char *message;
} bento_error;

/* Sets *err (if err is not NULL and *err is still empty); always returns -1. */
int bento_error_set(bento_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(errno)" for the current errno. */
int bento_error_errno(bento_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, for a usage error: the status is BENTO_EXIT_USAGE. */
int bento_error_usage(bento_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prepends "context: " to an existing error; always returns -1. */
int bento_error_prefix(bento_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bento_error_free(bento_error *err);
/* Prints "PROG: MESSAGE" on stderr, frees the error and returns the exit
 * status to use (err->status, or fallback when unset). */
int bento_error_report(bento_error *err, const char *prog, int fallback);

/* Names the running program in messages ("bento-runtime", "bento",
 * "bento-builder"; "bento" until then): each main calls it first.  It turns
 * debugging on when BENTO_DEBUG is set to a value other than 0. */
void bento_program_init(const char *name);
/* Turns debugging on or off (`bento run --debug`). */
void bento_debug_enable(bool on);
bool bento_debugging(void);

/* Print a line on stderr, prefixed with the program's name; never from a
 * child that shares the parent's memory (vfork-style: the heap and stdio's
 * lock are the parent's).  "PROGRAM: warning: MESSAGE": */
void bento_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROGRAM: MESSAGE": what the user should know that is no warning. */
void bento_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* bento_note(), only when debugging is on (and only then are the arguments
 * evaluated). */
#define bento_debug(...) (bento_debugging() ? bento_note(__VA_ARGS__) : (void)0)

static inline void bento_error_freep(bento_error **err)
{
	if (*err)
		bento_error_free(*err);
}
#define auto_bento_error __attribute__((cleanup(bento_error_freep))) bento_error *

#endif
