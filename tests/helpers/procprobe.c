/* SPDX-License-Identifier: MIT */
/* procprobe: the attacks of tests/security/process.sh on what a sandboxed
 * app inherits as a process (its process group, its descriptors) and on
 * the kernel interfaces that run calls on its behalf (io_uring), plus the
 * interactive programs that test job control and signal forwarding.
 *
 *     procprobe ATTACK [ARGS...]
 *
 * prints one line "ATTACK: VERDICT: observation" with the exit status
 *
 *     escaped      0   the attack worked (the hole is open)
 *     blocked     10   the attack failed; the observation says how
 *     unsupported  4   the kernel lacks the feature
 *     untestable   3   the attack could not be set up
 *     usage        2
 *
 * as tests/helpers/escape.c does, so that a harness error never passes
 * for "blocked".  Attacks whose effect only the host can see (a signal to
 * the launcher's other processes, a file written in the home) report what
 * the calls returned, and the test decides.
 *
 * Besides the attacks:
 *     exec PROG ARGS...   runs a program
 *     readloop            prints "ready", then "got: LINE" for every line
 *                         read from stdin ("sigints: N" for the line
 *                         "sigints": how many SIGINTs arrived); "eof"
 *     catch               prints "waiting", then "caught N" for the first
 *                         of INT TERM HUP QUIT USR1 USR2, and exits 100+N */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attack.h"

/* ------------------------------------------------------------ signals */

/* signal-group: SIGTERM to the caller's process group by every name it
 * has (kill(0), killpg(getpgrp())), the probe itself ignoring it.  The
 * host sees whether the launcher's other processes got it. */
static int attack_signal_group(int argc, char **argv)
{
	(void)argc, (void)argv;
	signal(SIGTERM, SIG_IGN);
	int r0 = kill(0, SIGTERM);
	int e0 = errno;
	pid_t pgrp = getpgrp();
	/* (in a PID namespace the launcher's group has no number: 0) */
	int r1 = pgrp > 1 ? killpg(pgrp, SIGTERM) : -1;
	int e1 = pgrp > 1 ? errno : 0;
	return report(ESCAPED, "kill(0, SIGTERM) = %d (%s); killpg(%d, SIGTERM) = %d (%s)", r0,
	              r0 < 0 ? strerror(e0) : "sent", (int)pgrp, r1,
	              pgrp > 1 ? (r1 < 0 ? strerror(e1) : "sent") : "not tried");
}

/* ------------------------------------------------------------ descriptors */

/* fds: escaped if the probe holds a descriptor >= 3 (it opens none). */
static int attack_fds(int argc, char **argv)
{
	(void)argc, (void)argv;
	char seen[512] = "";
	int found = 0;
	for (int fd = 3; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		char link[64], target[256];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		size_t len = strlen(seen);
		snprintf(seen + len, sizeof seen - len, " %d -> %s", fd, target);
		found++;
	}
	if (found)
		return report(ESCAPED, "%d inherited descriptor(s):%s", found, seen);
	return report(BLOCKED, "no descriptor beyond 0, 1, 2");
}

/* Reads path; true if it holds marker. */
static bool holds(const char *path, const char *marker)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, marker) != NULL;
}

/* fdwalk FD DIRNAME FILE MARKER: FILE, holding MARKER, read through the
 * descriptor FD of the directory DIRNAME: /proc/self/fd/FD/FILE, and by a
 * walk up and down again, /proc/self/fd/FD/../DIRNAME/FILE. */
static int attack_fdwalk(int argc, char **argv)
{
	if (argc != 5)
		return report(USAGE, "fdwalk FD DIRNAME FILE MARKER");
	char direct[512], walked[512];
	snprintf(direct, sizeof direct, "/proc/self/fd/%s/%s", argv[1], argv[3]);
	snprintf(walked, sizeof walked, "/proc/self/fd/%s/../%s/%s", argv[1], argv[2], argv[3]);
	if (holds(direct, argv[4]))
		return report(ESCAPED, "read %s", direct);
	int e = errno;
	if (holds(walked, argv[4]))
		return report(ESCAPED, "read %s", walked);
	return report(BLOCKED, "%s: %s; %s: %s", direct, strerror(e), walked, strerror(errno));
}

/* fdwrite FD FILE MARKER: creates FILE holding MARKER through the
 * descriptor FD of a directory (the host checks). */
static int attack_fdwrite(int argc, char **argv)
{
	if (argc != 4)
		return report(USAGE, "fdwrite FD FILE MARKER");
	char path[512];
	snprintf(path, sizeof path, "/proc/self/fd/%s/%s", argv[1], argv[2]);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return report(BLOCKED, "%s: %s", path, strerror(errno));
	fprintf(f, "%s\n", argv[3]);
	if (fclose(f) != 0)
		return report(BLOCKED, "%s: %s", path, strerror(errno));
	return report(ESCAPED, "wrote %s", path);
}

/* ------------------------------------------------------------ io_uring, sockets */

static long uring_setup(unsigned entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

/* iouring-setup: an io_uring instance at all. */
static int attack_iouring_setup(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	long fd = uring_setup(4, &p);
	if (fd >= 0)
		return report(ESCAPED, "io_uring_setup gave descriptor %ld", fd);
	return report(errno == ENOSYS || errno == EPERM ? BLOCKED : UNTESTABLE,
	              "io_uring_setup: %s", strerror(errno));
}

/* iouring-socket: IORING_OP_SOCKET of AF_VSOCK, a family socket() refuses
 * in the sandbox. */
static int attack_iouring_socket(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	int fd = (int)uring_setup(4, &p);
	if (fd < 0)
		return report(errno == ENOSYS || errno == EPERM ? BLOCKED : UNTESTABLE,
		              "io_uring_setup: %s", strerror(errno));
	size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
	size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_size = cq_size = sq_size > cq_size ? sq_size : cq_size;
	char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
	                IORING_OFF_SQ_RING);
	char *cq = (p.features & IORING_FEAT_SINGLE_MMAP)
	               ? sq
	               : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
	                      IORING_OFF_CQ_RING);
	struct io_uring_sqe *sqes =
	    mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
	         MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return report(UNTESTABLE, "mmap of the rings: %s", strerror(errno));
	struct io_uring_sqe *sqe = &sqes[0];
	memset(sqe, 0, sizeof *sqe);
	sqe->opcode = IORING_OP_SOCKET;
	sqe->fd = AF_VSOCK;     /* domain */
	sqe->off = SOCK_STREAM; /* type */
	sqe->len = 0;           /* protocol */
	uint32_t *tail = (uint32_t *)(sq + p.sq_off.tail);
	uint32_t mask = *(uint32_t *)(sq + p.sq_off.ring_mask);
	uint32_t *array = (uint32_t *)(sq + p.sq_off.array);
	array[*tail & mask] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return report(BLOCKED, "io_uring_enter: %s", strerror(errno));
	uint32_t head = __atomic_load_n((uint32_t *)(cq + p.cq_off.head), __ATOMIC_ACQUIRE);
	uint32_t cmask = *(uint32_t *)(cq + p.cq_off.ring_mask);
	struct io_uring_cqe *cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) + (head & cmask);
	int res = cqe->res;
	if (res >= 0)
		return report(ESCAPED, "IORING_OP_SOCKET made an AF_VSOCK socket (descriptor %d)",
		              res);
	if (res == -EINVAL || res == -EOPNOTSUPP || res == -EAFNOSUPPORT)
		return report(UNSUPPORTED, "IORING_OP_SOCKET(AF_VSOCK): %s", strerror(-res));
	return report(BLOCKED, "IORING_OP_SOCKET(AF_VSOCK): %s", strerror(-res));
}

/* ia32-iouring: io_uring_setup through the 32-bit system call table. */
static int attack_ia32_iouring(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct io_uring_params *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED)
		return report(UNTESTABLE, "mmap(MAP_32BIT): %s", strerror(errno));
	long ret;
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(425L /* i386 io_uring_setup */), "b"(4L), "c"((long)(uintptr_t)p)
	                 : "memory", "r8", "r9", "r10", "r11");
	ret = (int)ret;
	if (ret >= 0)
		return report(ESCAPED, "int 0x80 io_uring_setup gave descriptor %ld", ret);
	return report(ret == -ENOSYS || ret == -EPERM ? BLOCKED : UNTESTABLE,
	              "int 0x80 io_uring_setup: %s", strerror((int)-ret));
}

/* socketpair-af: a pair of sockets of a family other than AF_UNIX (only
 * some families make pairs: TIPC does). */
static int attack_socketpair_af(int argc, char **argv)
{
	(void)argc, (void)argv;
	static const struct {
		int family, type;
		const char *name;
	} fams[] = {{AF_TIPC, SOCK_STREAM, "AF_TIPC"},   {AF_TIPC, SOCK_DGRAM, "AF_TIPC"},
	            {AF_VSOCK, SOCK_STREAM, "AF_VSOCK"}, {AF_PACKET, SOCK_RAW, "AF_PACKET"},
	            {AF_KEY, SOCK_RAW, "AF_KEY"},        {AF_ALG, SOCK_SEQPACKET, "AF_ALG"}};
	char tried[512] = "";
	bool filtered = false;
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
		int sv[2];
		if (socketpair(fams[i].family, fams[i].type, 0, sv) == 0)
			return report(ESCAPED, "socketpair(%s) succeeded", fams[i].name);
		size_t len = strlen(tried);
		snprintf(tried + len, sizeof tried - len, " %s:%s", fams[i].name, strerror(errno));
		/* without a filter the kernel says the family makes no pairs,
		 * or is not built in */
		filtered |= errno == EAFNOSUPPORT && fams[i].family == AF_VSOCK;
	}
	return report(filtered ? BLOCKED : UNSUPPORTED, "no socket pair of another family:%s",
	              tried);
}

/* ------------------------------------------------------------ interactive */

static volatile sig_atomic_t sigints;

static void count_sigint(int sig)
{
	(void)sig;
	sigints++;
}

static int run_readloop(void)
{
	struct sigaction sa = {.sa_handler = count_sigint, .sa_flags = SA_RESTART};
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	char line[512];
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "sigints") == 0)
			printf("sigints: %d\n", (int)sigints);
		else
			printf("got: %s\n", line);
		fflush(stdout);
	}
	printf("eof\n");
	return 0;
}

static int run_catch(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("waiting %d\n", (int)getpid());
	fflush(stdout);
	int sig;
	if (sigwait(&set, &sig) != 0)
		return UNTESTABLE;
	printf("caught %d\n", sig);
	fflush(stdout);
	return 100 + sig;
}

static const attack attacks[] = {
    {"signal-group", attack_signal_group},
    {"fds", attack_fds},
    {"fdwalk", attack_fdwalk},
    {"fdwrite", attack_fdwrite},
    {"iouring-setup", attack_iouring_setup},
    {"iouring-socket", attack_iouring_socket},
    {"ia32-iouring", attack_ia32_iouring},
    {"socketpair-af", attack_socketpair_af},
};

int main(int argc, char **argv)
{
	attack_name = "procprobe";
	if (argc < 2) {
		fprintf(stderr,
		        "usage: procprobe ATTACK [ARGS...] | exec PROG [ARGS...] | readloop "
		        "| catch\n");
		return USAGE;
	}
	const char *what = argv[1];
	if (strcmp(what, "exec") == 0 && argc > 2) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "procprobe: exec %s: %s\n", argv[2], strerror(errno));
		return 127;
	}
	if (strcmp(what, "readloop") == 0)
		return run_readloop();
	if (strcmp(what, "catch") == 0)
		return run_catch();
	const attack *a = find_attack(attacks, sizeof attacks / sizeof attacks[0], what);
	return a ? a->run(argc - 1, argv + 1) : USAGE;
}
