/* SPDX-License-Identifier: MIT */
/* What the attack programs of tests/security (escape.c, procprobe.c,
 * runtimefilter.c) say: one line "ATTACK: escaped|blocked|...: detail" on
 * stdout and the matching exit status, which tests/security/lib/verdict.sh
 * reads (both must agree, so that nothing counts as blocked by failing). */
#ifndef BENTO_TEST_ATTACK_H
#define BENTO_TEST_ATTACK_H

#include <stdarg.h>
#include <stdio.h>

enum {
	ESCAPED = 0,
	USAGE = 2,
	UNTESTABLE = 3,
	UNSUPPORTED = 4,
	BLOCKED = 10,
};

/* The attack running, for the line; the program sets it. */
static const char *attack_name;

__attribute__((format(printf, 2, 3), unused)) static int report(int verdict, const char *fmt, ...)
{
	const char *word = verdict == ESCAPED       ? "escaped"
	                   : verdict == BLOCKED     ? "blocked"
	                   : verdict == UNSUPPORTED ? "unsupported"
	                   : verdict == USAGE       ? "usage"
	                                            : "untestable";
	va_list ap;
	printf("%s: %s: ", attack_name, word);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return verdict;
}

#endif
