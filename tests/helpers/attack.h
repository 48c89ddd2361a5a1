/* SPDX-License-Identifier: MIT */
/* What the attack programs of tests/security (escape.c, procprobe.c,
 * runtimefilter.c) say: one line "ATTACK: escaped|blocked|...: detail" on
 * stdout and the matching exit status, which tests/security/lib/verdict.sh
 * reads (both must agree, so that nothing counts as blocked by failing). */
#ifndef BENTO_TEST_ATTACK_H
#define BENTO_TEST_ATTACK_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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

typedef struct attack {
	const char *name;
	int (*run)(int argc, char **argv);
} attack;

/* The attack called name in the table, which becomes attack_name; or NULL,
 * said on stderr (attack_name is still the program's name then). */
__attribute__((unused)) static const attack *find_attack(const attack *table, size_t n,
                                                         const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, table[i].name) == 0) {
			attack_name = table[i].name;
			return &table[i];
		}
	fprintf(stderr, "%s: unknown attack %s\n", attack_name, name);
	return NULL;
}

/* How the attack run by the child pid ended: its own verdict (its status),
 * or killed by a seccomp filter (SIGSYS: blocked); -1 with the signal in
 * *sig when another signal ended it, for the caller to judge. */
__attribute__((unused)) static int child_verdict(pid_t pid, int *sig)
{
	int st;
	*sig = 0;
	if (waitpid(pid, &st, 0) < 0)
		return report(UNTESTABLE, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WTERMSIG(st) == SIGSYS)
		return report(BLOCKED, "killed by the seccomp filter (SIGSYS)");
	*sig = WTERMSIG(st);
	return -1;
}

#endif
