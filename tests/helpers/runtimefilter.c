/* SPDX-License-Identifier: MIT */
/* runtimefilter: the runtime's own seccomp filter (the very program the
 * runtime installs once the app runs, runtime/lib/sandbox/seccomp_filter.c) put to
 * the test, for tests/security/process.sh: what a memory bug in the FUSE
 * server could still do to the user's session.
 *
 *     runtimefilter [--no-filter] ATTACK [ARGS...]
 *
 * sets up what the runtime has (a controlling terminal, a child in a
 * process group of its own), installs the filter with those pids as the
 * runtime does (not with --no-filter: the control run), and makes one
 * attempt.  It prints "ATTACK: VERDICT: observation" with the exit status
 * 0 escaped, 10 blocked, 4 unsupported, 3 untestable, 2 usage, as
 * tests/helpers/escape.c does.  "allowed" instead checks that what the
 * runtime needs still works under the filter: exit status 0, or 1 naming
 * the first call refused. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "attack.h"

#include "sandbox/seccomp_filter.h"

/* What the attacks work on, set up before the filter (which allows no
 * open): the terminal, the runtime's child. */
static struct {
	int tty;         /* a new pseudo-terminal, our controlling terminal */
	pid_t child;     /* a child in a process group of its own */
	pid_t own_group; /* ours (getpgrp is no call the runtime may make) */
	bool tiocsti_disabled;
} env;

static int verdict_of(long rc, const char *what)
{
	if (rc >= 0)
		return report(ESCAPED, "%s succeeded", what);
	return report(BLOCKED, "%s: %s", what, strerror(errno));
}

static pid_t pid_arg(int argc, char **argv)
{
	return argc == 2 ? (pid_t)strtol(argv[1], NULL, 10) : 0;
}

static int tiocsti(unsigned long high)
{
	if (env.tty < 0)
		return report(UNTESTABLE, "no pseudo-terminal");
	if (env.tiocsti_disabled)
		return report(UNSUPPORTED,
		              "dev.tty.legacy_tiocsti is 0: the kernel refuses TIOCSTI");
	char c = 'Z';
	if (ioctl(env.tty, TIOCSTI | high, &c) < 0)
		return report(BLOCKED, "ioctl(TIOCSTI%s): %s", high ? " | 1 << 32" : "",
		              strerror(errno));
	char got[64];
	ssize_t n = read(env.tty, got, sizeof got);
	if (n > 0 && memchr(got, c, (size_t)n))
		return report(ESCAPED, "TIOCSTI pushed a byte into the terminal's input");
	return report(UNTESTABLE, "TIOCSTI returned 0 but nothing was injected");
}

static int attack_tiocsti(int argc, char **argv)
{
	(void)argc, (void)argv;
	return tiocsti(0);
}

static int attack_tiocsti_high(int argc, char **argv)
{
	(void)argc, (void)argv;
	return tiocsti(1ul << 32);
}

static int attack_kill_zero(int argc, char **argv)
{
	(void)argc, (void)argv;
	return verdict_of(kill(0, SIGCONT), "kill(0, SIGCONT)");
}

static int attack_kill_all(int argc, char **argv)
{
	(void)argc, (void)argv;
	return verdict_of(kill(-1, SIGCONT), "kill(-1, SIGCONT)");
}

static int attack_kill_own_group(int argc, char **argv)
{
	(void)argc, (void)argv;
	return verdict_of(kill(-env.own_group, SIGCONT), "kill(-own process group, SIGCONT)");
}

static int attack_kill_other(int argc, char **argv)
{
	pid_t pid = pid_arg(argc, argv);
	if (pid <= 0)
		return report(USAGE, "kill-other PID");
	return verdict_of(kill(pid, SIGTERM), "kill(PID, SIGTERM)");
}

static int attack_tgkill_other(int argc, char **argv)
{
	pid_t pid = pid_arg(argc, argv);
	if (pid <= 0)
		return report(USAGE, "tgkill-other PID");
	return verdict_of(syscall(SYS_tgkill, pid, pid, SIGTERM), "tgkill(PID, PID, SIGTERM)");
}

static int attack_sigqueue_other(int argc, char **argv)
{
	pid_t pid = pid_arg(argc, argv);
	if (pid <= 0)
		return report(USAGE, "sigqueue-other PID");
	return verdict_of(sigqueue(pid, SIGTERM, (union sigval){0}), "sigqueue(PID, SIGTERM)");
}

/* F_SETOWN and F_SETSIG: the kernel signals the descriptor's owner when
 * input arrives (here on a pipe), whoever the owner is. */
static int attack_fsetown_other(int argc, char **argv)
{
	pid_t pid = pid_arg(argc, argv);
	if (pid <= 0)
		return report(USAGE, "fsetown-other PID");
	int p[2];
	if (pipe(p) < 0)
		return report(UNTESTABLE, "pipe: %s", strerror(errno));
	if (fcntl(p[0], F_SETOWN, pid) < 0)
		return report(BLOCKED, "fcntl(F_SETOWN): %s", strerror(errno));
	if (fcntl(p[0], F_SETSIG, SIGTERM) < 0)
		return report(BLOCKED, "fcntl(F_SETSIG): %s", strerror(errno));
	if (fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC) < 0)
		return report(BLOCKED, "fcntl(F_SETFL, O_ASYNC): %s", strerror(errno));
	if (write(p[1], "x", 1) != 1)
		return report(UNTESTABLE, "write: %s", strerror(errno));
	return report(ESCAPED, "F_SETOWN, F_SETSIG(SIGTERM) and O_ASYNC on a pipe took");
}

/* A CPU time limit of 0 on another process: the kernel kills it once it
 * runs (the test reads its limit). */
static int attack_prlimit_other(int argc, char **argv)
{
	pid_t pid = pid_arg(argc, argv);
	if (pid <= 0)
		return report(USAGE, "prlimit-other PID");
	struct rlimit none = {0, 0};
	return verdict_of(prlimit(pid, RLIMIT_CPU, &none, NULL), "prlimit(PID, RLIMIT_CPU, 0)");
}

static int attack_prctl_dumpable(int argc, char **argv)
{
	(void)argc, (void)argv;
	return verdict_of(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE, 1)");
}

/* What the runtime does once confined, and must still be able to. */
static int check_allowed(int argc, char **argv)
{
	(void)argc, (void)argv;
	signal(SIGTSTP, SIG_IGN); /* (sent to our own group below) */
	pid_t fg = -1;
	char name[16] = "bento-check";
	struct termios t;
	const char *refused = NULL;
	if (kill(env.child, SIGCONT) < 0)
		refused = "kill(child, SIGCONT)";
	else if (kill(-env.child, SIGCONT) < 0)
		refused = "kill(-child's group, SIGCONT)";
	else if (kill(-env.own_group, SIGTSTP) < 0)
		refused = "kill(-own group, SIGTSTP)";
	else if (syscall(SYS_tgkill, getpid(), gettid(), 0) < 0)
		refused = "tgkill(self, own thread, 0)";
	else if (ioctl(env.tty, TCGETS, &t) < 0)
		refused = "ioctl(TCGETS)";
	else if (ioctl(env.tty, TIOCGPGRP, &fg) < 0)
		refused = "ioctl(TIOCGPGRP)";
	else if (ioctl(env.tty, TIOCSPGRP, &fg) < 0)
		refused = "ioctl(TIOCSPGRP)";
	else if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
		refused = "prctl(PR_SET_NAME)";
	else if (fcntl(env.tty, F_SETFL, fcntl(env.tty, F_GETFL) | O_NONBLOCK) < 0)
		refused = "fcntl(F_GETFL, F_SETFL)";
	else if (getrlimit(RLIMIT_STACK, &(struct rlimit){0}) < 0)
		refused = "getrlimit (prlimit64 of itself)";
	if (refused) {
		printf("allowed: refused: %s: %s\n", refused, strerror(errno));
		fflush(stdout);
		return 1;
	}
	printf("allowed: ok\n");
	fflush(stdout);
	return 0;
}

/* A new pseudo-terminal as the controlling terminal of a new session, in
 * raw mode (an injected byte is read back at once). */
static int controlling_pty(void)
{
	char name[128];
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof name) != 0 ||
	    setsid() < 0)
		return -1;
	int s = open(name, O_RDWR);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
		return -1;
	struct termios t;
	if (tcgetattr(s, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(s, TCSANOW, &t);
	}
	return s; /* (the master stays open, never read) */
}

static const attack attacks[] = {
    {"tiocsti", attack_tiocsti},
    {"tiocsti-high", attack_tiocsti_high},
    {"kill-zero", attack_kill_zero},
    {"kill-all", attack_kill_all},
    {"kill-own-group", attack_kill_own_group},
    {"kill-other", attack_kill_other},
    {"tgkill-other", attack_tgkill_other},
    {"sigqueue-other", attack_sigqueue_other},
    {"fsetown-other", attack_fsetown_other},
    {"prlimit-other", attack_prlimit_other},
    {"prctl-dumpable", attack_prctl_dumpable},
    {"allowed", check_allowed},
};

/* In a child of main, which is no process group leader (setsid works). */
static int run(int (*attempt)(int, char **), int argc, char **argv, bool filter)
{
	env.tty = controlling_pty();
	char c = '1';
	int fd = open("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY);
	if (fd >= 0 && read(fd, &c, 1) == 1 && c == '0')
		env.tiocsti_disabled = true;
	if (fd >= 0)
		close(fd);
	env.child = fork();
	if (env.child < 0)
		return report(UNTESTABLE, "fork: %s", strerror(errno));
	if (env.child == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(env.child, env.child);
	env.own_group = getpgrp();
	/* As the runtime confines itself: its child is the sandbox's PID 1,
	 * whose group is the sandbox's; no holder, no D-Bus proxy. */
	bento_runtime_peers peers = {.self = getpid(),
	                             .own_group = env.own_group,
	                             .child = env.child,
	                             .child_group = env.child};
	if (filter && bento_seccomp_install_runtime(&peers) < 0)
		return report(UNTESTABLE, "cannot install the filter: %s", strerror(errno));
	int r = attempt(argc, argv);
	kill(env.child, SIGKILL);
	return r;
}

int main(int argc, char **argv)
{
	attack_name = "runtimefilter";
	bool filter = true;
	if (argc > 1 && strcmp(argv[1], "--no-filter") == 0) {
		filter = false;
		argc--, argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: runtimefilter [--no-filter] ATTACK [ARGS...]\n");
		return USAGE;
	}
	const attack *a = find_attack(attacks, sizeof attacks / sizeof attacks[0], argv[1]);
	if (a == NULL)
		return USAGE;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return report(UNTESTABLE, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(run(a->run, argc - 1, argv + 1, filter));
	int sig, verdict = child_verdict(pid, &sig);
	return verdict >= 0 ? verdict : report(UNTESTABLE, "killed by signal %d", sig);
}
