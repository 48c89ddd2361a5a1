/* SPDX-License-Identifier: MIT */
/* escape: the sandbox-escape attempts of tests/security/escape.sh, one
 * multi-call program.
 *
 *     escape ATTACK [ARGS...]
 *
 * runs one attack and prints one line "ATTACK: VERDICT: observation" where
 * VERDICT and the exit status are
 *
 *     escaped      0   the attack worked (the hole is open)
 *     blocked     10   the attack failed; the observation says how
 *     unsupported  4   the kernel lacks the feature (ENOSYS where no filter is)
 *     untestable   3   the attack could not be set up (any other status too)
 *     usage        2
 *
 * so that a harness error is never taken for "blocked".  The attack runs in
 * a child process: one killed by SIGSYS was stopped by a seccomp filter
 * (blocked), one killed by another signal could not be tested.
 *
 * Besides the attacks: "exec PROG ARGS..." runs a program (bash, xeyes),
 * "euid" is what a setuid copy runs, "serve-tcp" and "serve-abstract NAME"
 * are the servers the network attacks try to reach. */
#include <dlfcn.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "attack.h"

#define GREETING "bento-escape-server\n"

/* Appends to the string in buf (of size bytes), truncating. */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t size, const char *fmt,
                                                         ...)
{
	size_t n = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* The verdict on a call that succeeds when the hole is open: rc >= 0. */
static int verdict_of(long rc, const char *what)
{
	if (rc >= 0)
		return report(ESCAPED, "%s succeeded", what);
	return report(BLOCKED, "%s: %s", what, strerror(errno));
}

/* The same for calls the kernel may lack: ENOSYS outside any filter means
 * that the kernel was built without them. */
static int verdict_of_optional(long rc, const char *what)
{
	if (rc < 0 && errno == ENOSYS)
		return report(UNSUPPORTED, "%s: %s", what, strerror(errno));
	return verdict_of(rc, what);
}

/* ------------------------------------------------------------ terminals */

/* Opens a new pseudo-terminal as the controlling terminal of a new session
 * (TIOCSTI needs the target to be the caller's controlling terminal): the
 * caller must not be a process group leader.  Returns the slave's fd. */
static int controlling_pty(int *master)
{
	char name[128];
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof name) != 0)
		return -1;
	if (setsid() < 0)
		return -1;
	int s = open(name, O_RDWR);
	if (s < 0)
		return -1;
	ioctl(s, TIOCSCTTY, 0);
	*master = m;
	return s;
}

/* Before an injection: the terminal in raw mode without echo (so that an
 * injected byte can be read back at once and shows nowhere). */
static void raw_terminal(int fd, struct termios *saved)
{
	struct termios t;
	if (tcgetattr(fd, saved) < 0)
		return;
	t = *saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

/* After an injection that "worked", the byte must be readable from the
 * terminal: then it was really pushed into the input queue. */
static bool injected(int fd, char c, const struct termios *saved)
{
	char got[64];
	ssize_t n = read(fd, got, sizeof got);
	tcsetattr(fd, TCSANOW, saved);
	/* (a terminal may hold other bytes already: script(1)'s holds a NUL) */
	return n > 0 && memchr(got, c, (size_t)n) != NULL;
}

static int attack_tiocsti(int argc, char **argv, unsigned long high)
{
	int master;
	int s = controlling_pty(&master);
	if (s < 0)
		return report(UNTESTABLE, "no pseudo-terminal: %s", strerror(errno));
	char c = 'Z';
	struct termios saved;
	raw_terminal(s, &saved);
	long rc = syscall(SYS_ioctl, s, high | (unsigned long)TIOCSTI, &c);
	if (rc < 0)
		return report(BLOCKED, "ioctl(TIOCSTI%s): %s", high ? " | 1<<32" : "",
		              strerror(errno));
	if (!injected(s, c, &saved))
		return report(UNTESTABLE, "TIOCSTI returned 0 but nothing was injected");
	return report(ESCAPED, "TIOCSTI pushed a byte into the terminal's input");
}

/* The terminal the app was started from (the CVE's setting: a sandboxed
 * app typing commands into the user's shell).  No controlling terminal at
 * all, as in a new session, blocks it as well. */
static int attack_tiocsti_tty(int argc, char **argv)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return report(BLOCKED, "no controlling terminal: /dev/tty: %s", strerror(errno));
	char c = 'X';
	struct termios saved;
	raw_terminal(fd, &saved);
	if (ioctl(fd, TIOCSTI, &c) < 0) {
		int e = errno;
		tcsetattr(fd, TCSANOW, &saved);
		return report(BLOCKED, "ioctl(/dev/tty, TIOCSTI): %s", strerror(e));
	}
	if (!injected(fd, c, &saved))
		return report(UNTESTABLE, "TIOCSTI returned 0 but nothing was injected");
	return report(ESCAPED, "TIOCSTI typed into the terminal the app was started from");
}

static int attack_tiocsti_plain(int argc, char **argv)
{
	return attack_tiocsti(argc, argv, 0);
}

static int attack_tiocsti_high(int argc, char **argv)
{
	return attack_tiocsti(argc, argv, 1ul << 32);
}

/* TIOCLINUX (selection paste, CVE-2023-28100) only works on a virtual
 * console.  Where one can be opened it is used with the harmless subcode 12
 * (which console is in front); elsewhere the request goes to a pty, where a
 * tty driver answers ENOTTY: the request got past any filter. */
static int attack_tioclinux(int argc, char **argv, unsigned long high)
{
	const char *where = "/dev/tty0";
	int fd = open(where, O_RDONLY | O_NOCTTY);
	if (fd < 0) {
		where = "a pty";
		fd = posix_openpt(O_RDWR | O_NOCTTY);
		if (fd < 0)
			return report(UNTESTABLE, "no terminal: %s", strerror(errno));
	}
	char sub = 12; /* TIOCL_GETFGCONSOLE */
	long rc = syscall(SYS_ioctl, fd, high | (unsigned long)TIOCLINUX, &sub);
	if (rc >= 0)
		return report(ESCAPED, "TIOCLINUX on %s answered", where);
	if (errno == ENOTTY || errno == EINVAL)
		return report(ESCAPED, "TIOCLINUX on %s reached the tty driver (%s)", where,
		              strerror(errno));
	return report(BLOCKED, "TIOCLINUX on %s: %s", where, strerror(errno));
}

static int attack_tioclinux_plain(int argc, char **argv)
{
	return attack_tioclinux(argc, argv, 0);
}

static int attack_tioclinux_high(int argc, char **argv)
{
	return attack_tioclinux(argc, argv, 1ul << 32);
}

/* ------------------------------------------------------------ mounts */

/* Whether path is a mount point, from /proc/self/mountinfo. */
static bool is_mount_point(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (f == NULL)
		return false;
	char line[4096], mp[4096];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0)
			found = true;
	fclose(f);
	return found;
}

/* The attacks below take a scratch directory: a writable directory (mount
 * attacks) or a mount point (umount2, pivot_root, mount_setattr). */
static const char *scratch(int argc, char **argv, bool mount_point)
{
	if (argc < 2)
		return NULL;
	if (mount_point && !is_mount_point(argv[1]))
		return NULL;
	return argv[1];
}

static char *sub_dir(const char *dir, const char *name)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return NULL;
	return path;
}

static int attack_mount(int argc, char **argv)
{
	const char *s = scratch(argc, argv, false);
	char *d = s ? sub_dir(s, "mount") : NULL;
	if (d == NULL)
		return report(UNTESTABLE, "no writable scratch directory");
	return verdict_of(mount("escape", d, "tmpfs", 0, NULL), "mount(tmpfs)");
}

static int attack_umount2(int argc, char **argv)
{
	const char *s = scratch(argc, argv, true);
	if (s == NULL)
		return report(UNTESTABLE, "the scratch directory is not a mount point");
	return verdict_of(umount2(s, MNT_DETACH), "umount2(MNT_DETACH)");
}

static int attack_pivot_root(int argc, char **argv)
{
	const char *s = scratch(argc, argv, true);
	if (s == NULL || chdir(s) < 0)
		return report(UNTESTABLE, "the scratch directory is not a mount point");
	return verdict_of(syscall(SYS_pivot_root, ".", "."), "pivot_root(\".\", \".\")");
}

static int attack_chroot(int argc, char **argv)
{
	return verdict_of(chroot("/"), "chroot(\"/\")");
}

static int attack_fsmount(int argc, char **argv)
{
	const char *s = scratch(argc, argv, false);
	char *d = s ? sub_dir(s, "fsmount") : NULL;
	if (d == NULL)
		return report(UNTESTABLE, "no writable scratch directory");
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return report(BLOCKED, "fsopen: %s", strerror(errno));
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return report(BLOCKED, "fsconfig(CMD_CREATE): %s", strerror(errno));
	int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return report(BLOCKED, "fsmount: %s", strerror(errno));
	return verdict_of(syscall(SYS_move_mount, mnt, "", AT_FDCWD, d, MOVE_MOUNT_F_EMPTY_PATH),
	                  "fsopen + fsconfig + fsmount + move_mount");
}

static int attack_open_tree(int argc, char **argv)
{
	const char *s = scratch(argc, argv, false);
	if (s == NULL)
		return report(UNTESTABLE, "no scratch directory");
	return verdict_of(
	    syscall(SYS_open_tree, AT_FDCWD, s, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE),
	    "open_tree(OPEN_TREE_CLONE)");
}

static int attack_fspick(int argc, char **argv)
{
	const char *s = scratch(argc, argv, true);
	if (s == NULL)
		return report(UNTESTABLE, "the scratch directory is not a mount point");
	int fd = (int)syscall(SYS_fspick, AT_FDCWD, s, FSPICK_CLOEXEC);
	if (fd < 0)
		return report(BLOCKED, "fspick: %s", strerror(errno));
	return verdict_of(syscall(SYS_fsconfig, fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0),
	                  "fspick + fsconfig(CMD_RECONFIGURE)");
}

static int attack_mount_setattr(int argc, char **argv)
{
	const char *s = scratch(argc, argv, true);
	if (s == NULL)
		return report(UNTESTABLE, "the scratch directory is not a mount point");
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID};
	return verdict_of(syscall(SYS_mount_setattr, AT_FDCWD, s, 0, &attr, sizeof attr),
	                  "mount_setattr(MOUNT_ATTR_NOSUID)");
}

/* ------------------------------------------------------------ namespaces */

/* A child made by clone/clone3 without a stack of its own: it exits at once. */
static int reap(long pid, const char *what)
{
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return report(BLOCKED, "%s: %s", what, strerror(errno));
	int st;
	waitpid((pid_t)pid, &st, 0);
	return report(ESCAPED, "%s made a child in a new user namespace", what);
}

static int attack_clone3(int argc, char **argv)
{
	struct clone_args ca = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	return reap(syscall(SYS_clone3, &ca, sizeof ca), "clone3(CLONE_NEWUSER)");
}

static int attack_clone_newuser(int argc, char **argv)
{
	return reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
	            "clone(CLONE_NEWUSER)");
}

static int attack_unshare(int argc, char **argv)
{
	return verdict_of(unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)");
}

/* Joining a namespace again: a process that owns its UTS namespace may;
 * one under a filter may not. */
static int attack_setns(int argc, char **argv)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report(UNTESTABLE, "/proc/self/ns/uts: %s", strerror(errno));
	return verdict_of(setns(fd, CLONE_NEWUTS), "setns(own UTS namespace)");
}

/* ------------------------------------------------------------ processes */

static bool numeric(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Reads /proc/PID/FILE (NULs turned into spaces). */
static size_t read_proc(const char *pid, const char *file, char *buf, size_t size)
{
	char path[320];
	snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return (size_t)n;
}

/* A process that the harness started on the host, recognised by a marker
 * in its command line.  The marker comes reversed, so that the command line
 * of this very launch (the runtime's, a PID 1 forked from it) never holds it. */
static int attack_hostproc(int argc, char **argv)
{
	if (argc < 2 || strlen(argv[1]) < 8)
		return report(USAGE, "usage: hostproc REVERSED-MARKER");
	size_t n = strlen(argv[1]);
	char marker[256];
	if (n >= sizeof marker)
		return report(USAGE, "marker too long");
	for (size_t i = 0; i < n; i++)
		marker[i] = argv[1][n - 1 - i];
	marker[n] = '\0';
	DIR *d = opendir("/proc");
	if (d == NULL)
		return report(UNTESTABLE, "/proc: %s", strerror(errno));
	int seen = 0;
	struct dirent *e;
	char buf[4096];
	while ((e = readdir(d))) {
		if (!numeric(e->d_name))
			continue;
		seen++;
		if (read_proc(e->d_name, "cmdline", buf, sizeof buf) && strstr(buf, marker)) {
			closedir(d);
			return report(ESCAPED, "host process %s is visible: %s", e->d_name, buf);
		}
	}
	closedir(d);
	if (seen == 0)
		return report(UNTESTABLE, "no process at all in /proc");
	return report(BLOCKED, "%d processes visible, none is the host's marker process", seen);
}

/* Every process visible besides PID 1 and this one (and its children). */
static int attack_procs(int argc, char **argv)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return report(UNTESTABLE, "/proc: %s", strerror(errno));
	char self[32], parent[32], buf[512], stat[512];
	snprintf(self, sizeof self, "%d", (int)getpid());
	snprintf(parent, sizeof parent, "%d", (int)getppid());
	int others = 0, total = 0;
	char first[800] = "";
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!numeric(e->d_name))
			continue;
		total++;
		/* this attack runs in a child of the escape process */
		if (strcmp(e->d_name, "1") == 0 || strcmp(e->d_name, self) == 0 ||
		    strcmp(e->d_name, parent) == 0)
			continue;
		read_proc(e->d_name, "stat", stat, sizeof stat);
		int ppid = 0;
		char *close_paren = strrchr(stat, ')');
		if (close_paren && sscanf(close_paren + 1, " %*c %d", &ppid) == 1 &&
		    (ppid == (int)getpid()))
			continue;
		if (others++ == 0) {
			read_proc(e->d_name, "cmdline", buf, sizeof buf);
			snprintf(first, sizeof first, "%s (%s)", e->d_name, buf);
		}
	}
	closedir(d);
	if (total == 0)
		return report(UNTESTABLE, "no process at all in /proc");
	if (others > 0)
		return report(ESCAPED, "%d processes visible besides PID 1 and the app, e.g. %s",
		              others, first);
	return report(BLOCKED, "only PID 1 and the app are visible");
}

/* /proc/PID/root of every visible process, towards a host file. */
static int attack_procroot(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] != '/')
		return report(USAGE, "usage: procroot /HOST/FILE");
	DIR *d = opendir("/proc");
	if (d == NULL)
		return report(UNTESTABLE, "/proc: %s", strerror(errno));
	char path[4096], tried[256] = "";
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!numeric(e->d_name) && strcmp(e->d_name, "self") != 0)
			continue;
		snprintf(path, sizeof path, "/proc/%s/root%s", e->d_name, argv[1]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			closedir(d);
			return report(ESCAPED, "%s opens the host file", path);
		}
		if (strlen(tried) < 200)
			append(tried, sizeof tried, " %s:%s", e->d_name, strerror(errno));
	}
	closedir(d);
	return report(BLOCKED, "no /proc/*/root leads to it:%s", tried);
}

/* /proc/PID/exe of every visible process: none may open one of the host
 * files given as DEV:INO, none may open for writing. */
static int attack_procexe(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: procexe DEV:INO...");
	DIR *d = opendir("/proc");
	if (d == NULL)
		return report(UNTESTABLE, "/proc: %s", strerror(errno));
	char path[320], tried[256] = "";
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!numeric(e->d_name) && strcmp(e->d_name, "self") != 0)
			continue;
		snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
		int w = open(path, O_WRONLY | O_CLOEXEC);
		if (w >= 0) {
			closedir(d);
			return report(ESCAPED, "%s opens for writing", path);
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0) {
			n++;
			for (int i = 1; i < argc; i++) {
				unsigned long long dev, ino;
				if (sscanf(argv[i], "%llu:%llu", &dev, &ino) == 2 &&
				    dev == st.st_dev && ino == st.st_ino) {
					closedir(d);
					return report(ESCAPED, "%s is the host file %s", path,
					              argv[i]);
				}
			}
			if (strlen(tried) < 200)
				append(tried, sizeof tried, " %s=%llu:%llu", e->d_name,
				       (unsigned long long)st.st_dev,
				       (unsigned long long)st.st_ino);
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	if (n == 0)
		return report(UNTESTABLE, "no /proc/*/exe could be opened at all");
	return report(BLOCKED, "%d executables seen, none a host file:%s", n, tried);
}

static int attack_ptrace(int argc, char **argv)
{
	pid_t child = fork();
	if (child < 0)
		return report(UNTESTABLE, "fork: %s", strerror(errno));
	if (child == 0) {
		pause();
		_exit(0);
	}
	long rc = ptrace(PTRACE_ATTACH, child, NULL, NULL);
	int saved = errno;
	if (rc == 0)
		waitpid(child, NULL, __WALL);
	kill(child, SIGKILL);
	waitpid(child, NULL, __WALL);
	errno = saved;
	return verdict_of(rc, "ptrace(PTRACE_ATTACH) on a child");
}

/* ------------------------------------------------------------ kernel */

static int attack_keyctl(int argc, char **argv)
{
	return verdict_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0),
	                  "keyctl(GET_KEYRING_ID, user keyring)");
}

static int attack_add_key(int argc, char **argv)
{
	return verdict_of(
	    syscall(SYS_add_key, "user", "bento-escape", "x", (size_t)1, KEY_SPEC_PROCESS_KEYRING),
	    "add_key(user, process keyring)");
}

static int attack_bpf(int argc, char **argv)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return verdict_of_optional(syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a),
	                           "bpf(BPF_MAP_CREATE)");
}

static int attack_perf(int argc, char **argv)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return verdict_of_optional(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0),
	                           "perf_event_open(task clock, self)");
}

/* Module loading and kexec: real ones are out of the question.  The calls
 * get arguments the kernel rejects only after its privilege check: EPERM
 * is the check (or a filter), any other error means it was passed. */
static int past_privilege_check(long rc, const char *what)
{
	if (rc >= 0)
		return report(ESCAPED, "%s succeeded", what);
	if (errno == ENOSYS)
		return report(UNSUPPORTED, "%s: %s", what, strerror(errno));
	if (errno == EPERM || errno == EACCES)
		return report(BLOCKED, "%s: %s", what, strerror(errno));
	return report(ESCAPED, "%s passed the privilege check (then: %s)", what, strerror(errno));
}

static int attack_init_module(int argc, char **argv)
{
	static const char junk[4] = "junk";
	return past_privilege_check(syscall(SYS_init_module, junk, sizeof junk, ""),
	                            "init_module(4 bytes of junk)");
}

static int attack_kexec_load(int argc, char **argv)
{
	/* an unknown flag: EINVAL right after the privilege check */
	return past_privilege_check(syscall(SYS_kexec_load, 0ul, 0ul, NULL, 0x8000ul),
	                            "kexec_load(unknown flag)");
}

static int attack_personality(int argc, char **argv)
{
	long rc = personality(PER_LINUX | ADDR_NO_RANDOMIZE);
	if (rc < 0)
		return report(BLOCKED, "personality(ADDR_NO_RANDOMIZE): %s", strerror(errno));
	long now = personality(0xffffffff);
	if (now >= 0 && (now & ADDR_NO_RANDOMIZE))
		return report(ESCAPED, "personality(ADDR_NO_RANDOMIZE) took effect");
	return report(BLOCKED, "personality(ADDR_NO_RANDOMIZE) had no effect (0x%lx)", now);
}

static int attack_socket_af(int argc, char **argv)
{
	static const struct {
		int family, type;
		const char *name;
	} fams[] = {
	    {AF_VSOCK, SOCK_STREAM, "AF_VSOCK"}, {AF_PACKET, SOCK_RAW, "AF_PACKET"},
	    {AF_ALG, SOCK_SEQPACKET, "AF_ALG"},  {AF_XDP, SOCK_RAW, "AF_XDP"},
	    {AF_KEY, SOCK_RAW, "AF_KEY"},        {AF_BLUETOOTH, SOCK_STREAM, "AF_BLUETOOTH"},
	    {AF_TIPC, SOCK_STREAM, "AF_TIPC"},   {AF_APPLETALK, SOCK_DGRAM, "AF_APPLETALK"},
	};
	char tried[512] = "";
	for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
		int fd = socket(fams[i].family, fams[i].type | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			close(fd);
			return report(ESCAPED, "socket(%s) succeeded", fams[i].name);
		}
		append(tried, sizeof tried, " %s:%s", fams[i].name, strerror(errno));
	}
	return report(BLOCKED, "no unusual socket family:%s", tried);
}

/* ------------------------------------------------------------ 32-bit */

/* A 32-bit system call from this 64-bit program (the ia32 table). */
static long int80(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a), "c"(b), "d"(c)
	                 : "memory", "r8", "r9", "r10", "r11");
	return (int)ret;
}

/* i386 system call numbers */
enum { I386_IOCTL = 54, I386_KEYCTL = 288, I386_UNSHARE = 310 };

static int int80_verdict(long ret, const char *what)
{
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return report(BLOCKED, "%s: %s", what, strerror(errno));
	}
	return report(ESCAPED, "%s succeeded", what);
}

static int attack_ia32_unshare(int argc, char **argv)
{
	return int80_verdict(int80(I386_UNSHARE, CLONE_NEWUSER, 0, 0),
	                     "int 0x80 unshare(CLONE_NEWUSER)");
}

static int attack_ia32_keyctl(int argc, char **argv)
{
	return int80_verdict(int80(I386_KEYCTL, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0),
	                     "int 0x80 keyctl(GET_KEYRING_ID)");
}

static int attack_ia32_tiocsti(int argc, char **argv)
{
	int master;
	int s = controlling_pty(&master);
	if (s < 0)
		return report(UNTESTABLE, "no pseudo-terminal: %s", strerror(errno));
	/* a 32-bit call needs its pointer below 4 GiB */
	char *c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
	               -1, 0);
	if (c == MAP_FAILED)
		return report(UNTESTABLE, "mmap(MAP_32BIT): %s", strerror(errno));
	*c = 'Y';
	struct termios saved;
	raw_terminal(s, &saved);
	long ret = int80(I386_IOCTL, s, TIOCSTI, (long)(uintptr_t)c);
	if (ret < 0 && ret > -4096)
		return int80_verdict(ret, "int 0x80 ioctl(TIOCSTI)");
	if (!injected(s, 'Y', &saved))
		return report(UNTESTABLE, "TIOCSTI returned 0 but nothing was injected");
	return report(ESCAPED, "int 0x80 ioctl(TIOCSTI) pushed a byte into the terminal");
}

/* ------------------------------------------------------------ files */

/* read MARKER PATH...: one of the files can be read and holds MARKER */
static int attack_read(int argc, char **argv)
{
	if (argc < 3)
		return report(USAGE, "usage: read MARKER PATH...");
	char tried[1024] = "";
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			append(tried, sizeof tried, " %s:%s", argv[i], strerror(errno));
			continue;
		}
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		int saved = errno;
		close(fd);
		if (n < 0) {
			append(tried, sizeof tried, " %s:%s", argv[i], strerror(saved));
			continue;
		}
		buf[n] = '\0';
		if (strstr(buf, argv[1]))
			return report(ESCAPED, "read the host's %s", argv[i]);
		append(tried, sizeof tried, " %s:not the host's file", argv[i]);
	}
	return report(BLOCKED, "%s", tried);
}

/* write MARKER PATH...: creates each file with MARKER in it.  Whether that
 * reached the host is for the harness to see (a write into the sandbox's
 * own tmpfs is harmless), so the verdict says what happened here. */
static int attack_write(int argc, char **argv)
{
	if (argc < 3)
		return report(USAGE, "usage: write MARKER PATH...");
	char done[1024] = "";
	int ok = 0;
	for (int i = 2; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		bool w = fd >= 0 && write(fd, argv[1], strlen(argv[1])) == (ssize_t)strlen(argv[1]);
		int saved = errno;
		if (fd >= 0)
			close(fd);
		ok += w;
		append(done, sizeof done, " %s:%s", argv[i], w ? "written" : strerror(saved));
	}
	return report(ok ? ESCAPED : BLOCKED, "%s", done);
}

/* openw PATH...: any of them opens for writing (nothing is written);
 * "unsupported" when none exists (a kernel without them, a sandbox that
 * hides them) */
static int attack_openw(int argc, char **argv)
{
	char tried[1024] = "";
	int absent = 0;
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_NOCTTY | O_CLOEXEC);
		absent += fd < 0 && errno == ENOENT;
		if (fd >= 0) {
			close(fd);
			return report(ESCAPED, "%s opens for writing", argv[i]);
		}
		append(tried, sizeof tried, " %s:%s", argv[i], strerror(errno));
	}
	if (argc < 2)
		return report(USAGE, "usage: openw PATH...");
	if (absent == argc - 1)
		return report(UNSUPPORTED, "none of them exists here:%s", tried);
	return report(BLOCKED, "%s", tried);
}

/* suid PATH: runs PATH (a setuid-root copy of this program) as "euid" */
static int attack_suid(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: suid PATH");
	struct stat st;
	if (stat(argv[1], &st) < 0)
		return report(UNTESTABLE, "%s: %s", argv[1], strerror(errno));
	if (!(st.st_mode & S_ISUID))
		return report(UNTESTABLE, "%s is not setuid here (mode %o, owner %u)", argv[1],
		              (unsigned)st.st_mode & 07777, (unsigned)st.st_uid);
	fflush(stdout);
	execl(argv[1], argv[1], "euid", (char *)NULL);
	return report(UNTESTABLE, "exec %s: %s", argv[1], strerror(errno));
}

static int mode_euid(void)
{
	attack_name = "suid";
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	if (e == 0 || e != r)
		return report(ESCAPED, "the setuid program runs with euid %u (uid %u)", (unsigned)e,
		              (unsigned)r);
	return report(BLOCKED, "the setuid program runs with euid %u, like its caller",
	              (unsigned)e);
}

/* ------------------------------------------------------------ sockets */

static int connect_read(int fd, const struct sockaddr *sa, socklen_t len, const char *what,
                        bool greeting)
{
	if (connect(fd, sa, len) < 0) {
		int e = errno;
		close(fd);
		return report(BLOCKED, "connect to %s: %s", what, strerror(e));
	}
	if (!greeting) {
		close(fd);
		return report(ESCAPED, "connected to %s", what);
	}
	char buf[64] = "";
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0 && (size_t)n == strlen(GREETING) && memcmp(buf, GREETING, (size_t)n) == 0)
		return report(ESCAPED, "talked to the server at %s", what);
	return report(BLOCKED, "connected to %s but it is not the host's server", what);
}

static int attack_tcp(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: tcp PORT");
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)atoi(argv[1])),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(BLOCKED, "socket(AF_INET): %s", strerror(errno));
	char what[64];
	snprintf(what, sizeof what, "127.0.0.1:%s", argv[1]);
	return connect_read(fd, (struct sockaddr *)&sa, sizeof sa, what, true);
}

static socklen_t unix_address(struct sockaddr_un *sa, const char *name, bool abstract)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n > sizeof sa->sun_path - 2)
		n = sizeof sa->sun_path - 2;
	memcpy(sa->sun_path + abstract, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + n + !abstract);
}

/* abstract NAME [greeting]: connects to the abstract socket @NAME */
static int attack_unix(int argc, char **argv, bool abstract)
{
	if (argc < 2)
		return report(USAGE, "usage: %s NAME [greeting]", attack_name);
	struct sockaddr_un sa;
	socklen_t len = unix_address(&sa, argv[1], abstract);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report(UNTESTABLE, "socket(AF_UNIX): %s", strerror(errno));
	char what[160];
	snprintf(what, sizeof what, "%s%s", abstract ? "@" : "", argv[1]);
	return connect_read(fd, (struct sockaddr *)&sa, len, what,
	                    argc > 2 && strcmp(argv[2], "greeting") == 0);
}

static int attack_abstract(int argc, char **argv)
{
	return attack_unix(argc, argv, true);
}

static int attack_unixpath(int argc, char **argv)
{
	return attack_unix(argc, argv, false);
}

static void stop(int sig)
{
	_exit(0);
}

/* serve-tcp | serve-abstract NAME: greets every connection; the TCP port
 * (on 127.0.0.1, chosen by the kernel) or "ready" goes to stdout. */
static int serve(int argc, char **argv, bool tcp)
{
	signal(SIGTERM, stop);
	signal(SIGPIPE, SIG_IGN);
	int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return perror("socket"), 1;
	if (tcp) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
		                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof sa;
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
			return perror("bind"), 1;
		if (listen(fd, 16) < 0)
			return perror("listen"), 1;
		printf("%u\n", (unsigned)ntohs(sa.sin_port));
	} else {
		if (argc < 2)
			return fprintf(stderr, "usage: serve-abstract NAME\n"), USAGE;
		struct sockaddr_un sa;
		socklen_t len = unix_address(&sa, argv[1], true);
		if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0)
			return perror("bind"), 1;
		printf("ready\n");
	}
	fflush(stdout);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (write(c, GREETING, strlen(GREETING)) < 0)
			perror("write");
		close(c);
	}
}

/* ------------------------------------------------------------ D-Bus */

/* dbus NAME: pings NAME on the session bus with gdbus (an ordinary D-Bus
 * client); a D-Bus error is "blocked", gdbus missing is "untestable". */
static int attack_dbus(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: dbus NAME");
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return report(UNTESTABLE, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return report(UNTESTABLE, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execlp("gdbus", "gdbus", "call", "--session", "--timeout", "10", "--dest", argv[1],
		       "--object-path", "/", "--method", "org.freedesktop.DBus.Peer.Ping",
		       (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char out[1024] = "";
	size_t n = 0;
	ssize_t r;
	while (n < sizeof out - 1 && (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	for (char *q = out; *q; q++)
		if (*q == '\n')
			*q = ' ';
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return report(ESCAPED, "called %s", argv[1]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return report(UNTESTABLE, "gdbus could not be run");
	return report(BLOCKED, "calling %s: %s", argv[1], out);
}

/* ------------------------------------------------------------ arguments, environment */

/* Whether this process looks confined the way the sandbox promises. */
static bool confined(void)
{
	const char *c = getenv("container");
	return access("/.flatpak-info", F_OK) == 0 && c && strcmp(c, "bento") == 0;
}

/* argcheck N ARG...: the app got exactly N arguments after N, and runs
 * confined: nothing in them was taken as an option by the runtime. */
static int attack_argcheck(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: argcheck N ARG...");
	int want = atoi(argv[1]);
	if (argc - 2 != want)
		return report(ESCAPED, "%d arguments arrived instead of %d", argc - 2, want);
	if (!confined())
		return report(ESCAPED, "the app runs unconfined (no /.flatpak-info, container=%s)",
		              getenv("container") ? getenv("container") : "(unset)");
	return report(BLOCKED, "the %d arguments arrived unchanged, the app is confined", want);
}

/* env-ld MARKER: the host's LD_PRELOAD / LD_LIBRARY_PATH (holding MARKER)
 * reached the app */
static int attack_env_ld(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: env-ld MARKER");
	const char *pre = getenv("LD_PRELOAD"), *lib = getenv("LD_LIBRARY_PATH");
	if (pre && *pre)
		return report(ESCAPED, "LD_PRELOAD=%s", pre);
	if (lib && strstr(lib, argv[1]))
		return report(ESCAPED, "LD_LIBRARY_PATH=%s", lib);
	return report(BLOCKED, "LD_PRELOAD unset, LD_LIBRARY_PATH=%s", lib ? lib : "(unset)");
}

/* ldpath LIBNAME: LIBNAME exists only in the working directory; dlopen
 * finds it only if an empty element of LD_LIBRARY_PATH means "here". */
static int attack_ldpath(int argc, char **argv)
{
	if (argc < 2)
		return report(USAGE, "usage: ldpath LIBNAME");
	char cwd[4096];
	if (access(argv[1], R_OK) < 0)
		return report(UNTESTABLE, "%s is not in the working directory %s", argv[1],
		              getcwd(cwd, sizeof cwd) ? cwd : "?");
	const char *lib = getenv("LD_LIBRARY_PATH");
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h)
		return report(ESCAPED,
		              "dlopen found %s in the working directory (LD_LIBRARY_PATH=%s)",
		              argv[1], lib ? lib : "(unset)");
	if (lib && (lib[0] == ':' || strstr(lib, "::") || lib[strlen(lib) - 1] == ':'))
		return report(ESCAPED, "LD_LIBRARY_PATH=%s has an empty element", lib);
	return report(BLOCKED, "LD_LIBRARY_PATH=%s", lib ? lib : "(unset)");
}

/* ------------------------------------------------------------ main */

static const attack attacks[] = {
    {"tiocsti", attack_tiocsti_plain},
    {"tiocsti-high", attack_tiocsti_high},
    {"tiocsti-tty", attack_tiocsti_tty},
    {"tioclinux", attack_tioclinux_plain},
    {"tioclinux-high", attack_tioclinux_high},
    {"mount", attack_mount},
    {"umount2", attack_umount2},
    {"pivot_root", attack_pivot_root},
    {"chroot", attack_chroot},
    {"fsmount", attack_fsmount},
    {"open_tree", attack_open_tree},
    {"fspick", attack_fspick},
    {"mount_setattr", attack_mount_setattr},
    {"clone3", attack_clone3},
    {"clone-newuser", attack_clone_newuser},
    {"unshare", attack_unshare},
    {"setns", attack_setns},
    {"hostproc", attack_hostproc},
    {"procs", attack_procs},
    {"procroot", attack_procroot},
    {"procexe", attack_procexe},
    {"ptrace", attack_ptrace},
    {"keyctl", attack_keyctl},
    {"add_key", attack_add_key},
    {"bpf", attack_bpf},
    {"perf", attack_perf},
    {"init_module", attack_init_module},
    {"kexec_load", attack_kexec_load},
    {"personality", attack_personality},
    {"socket-af", attack_socket_af},
    {"ia32-unshare", attack_ia32_unshare},
    {"ia32-keyctl", attack_ia32_keyctl},
    {"ia32-tiocsti", attack_ia32_tiocsti},
    {"read", attack_read},
    {"write", attack_write},
    {"openw", attack_openw},
    {"suid", attack_suid},
    {"tcp", attack_tcp},
    {"abstract", attack_abstract},
    {"unixpath", attack_unixpath},
    {"dbus", attack_dbus},
    {"argcheck", attack_argcheck},
    {"env-ld", attack_env_ld},
    {"ldpath", attack_ldpath},
};

int main(int argc, char **argv)
{
	attack_name = "escape";
	if (argc < 2) {
		fprintf(stderr, "usage: escape ATTACK [ARGS...] | exec PROG [ARGS...] | "
		                "serve-tcp | serve-abstract NAME\n");
		return USAGE;
	}
	const char *what = argv[1];
	/* A setuid copy (the control of the setuid attack) answers "euid" and
	 * nothing else: it must not hand out exec or files as its owner. */
	if (strcmp(what, "euid") == 0)
		return mode_euid();
	if (geteuid() != getuid() || getegid() != getgid()) {
		fprintf(stderr, "escape: run setuid/setgid, only \"euid\" is allowed\n");
		return USAGE;
	}
	if (strcmp(what, "exec") == 0 && argc > 2) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "escape: exec %s: %s\n", argv[2], strerror(errno));
		return 127;
	}
	if (strcmp(what, "serve-tcp") == 0)
		return serve(argc - 1, argv + 1, true);
	if (strcmp(what, "serve-abstract") == 0)
		return serve(argc - 1, argv + 1, false);
	const attack *a = find_attack(attacks, sizeof attacks / sizeof attacks[0], what);
	if (a == NULL)
		return USAGE;
	/* In a child: a process killed by a seccomp filter is a verdict too;
	 * and the child is no process group leader (setsid works). */
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return report(UNTESTABLE, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(a->run(argc - 1, argv + 1));
	int sig, verdict = child_verdict(pid, &sig);
	if (verdict >= 0)
		return verdict;
	/* int 0x80 without an IDT entry (32-bit emulation disabled) */
	if (sig == SIGSEGV && strncmp(what, "ia32-", 5) == 0)
		return report(UNSUPPORTED,
		              "int 0x80 faults: this kernel runs no 32-bit system calls");
	return report(UNTESTABLE, "killed by signal %d", sig);
}
