/* SPDX-License-Identifier: MIT */
/* How many processes and threads a sandbox may run at once.
 *
 * Where the user has a delegated cgroup v2 subtree (systemd's
 * user@UID.service, or a directory an administrator made and gave the user
 * the same way): a cgroup of the sandbox's own with pids.max, made beside
 * the runtime's under the closest of its ancestors that is the user's and
 * enables the pids controller for its children.  The sandbox's first
 * process is created in it (its PID 1 and the app follow), and its cgroup
 * namespace is rooted there; it is removed when the sandbox is freed.
 *
 * Elsewhere RLIMIT_NPROC, set in the app's process before execve.  Since
 * Linux 5.14 the kernel counts it per user namespace: in the sandbox's new
 * one only the sandbox's own processes count, not the user's others (whose
 * own limit still bounds them all, counted in the parent namespace).  The
 * kernel does not apply it to root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

/* ---- in the runtime: the cgroup ------------------------------------------ */

/* The runtime's cgroup in the v2 hierarchy ("0::/PATH" of /proc/self/cgroup). */
static char *own_cgroup(void)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, "/proc/self/cgroup", 64 * 1024, &data, &len, NULL) < 0)
		return NULL;
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::/", 4) == 0 && !strstr(line, "/.."))
			return xstrdup(line + 3);
	return NULL;
}

/* Where the v2 hierarchy is mounted: /sys/fs/cgroup (v2 only) or
 * /sys/fs/cgroup/unified (systemd's hybrid layout). */
static const char *cgroup2_mount(void)
{
	static const char *const places[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	for (size_t i = 0; i < ARRAY_SIZE(places); i++) {
		struct statfs st;
		if (statfs(places[i], &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
			return places[i];
	}
	return NULL;
}

/* Whether dir's children have the pids controller. */
static bool enables_pids(const char *dir)
{
	autofree char *path = xasprintf("%s/cgroup.subtree_control", dir);
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, path, 64 * 1024, &data, &len, NULL) < 0)
		return false;
	char *save = NULL;
	for (char *word = strtok_r(data, " \n", &save); word; word = strtok_r(NULL, " \n", &save))
		if (strcmp(word, "pids") == 0)
			return true;
	return false;
}

/* Whether the user may make cgroups in dir and move processes below it. */
static bool delegated(const char *dir)
{
	autofree char *procs = xasprintf("%s/cgroup.procs", dir);
	return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0 &&
	       faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
}

/* The closest of the runtime's cgroup and its ancestors that is the user's
 * and enables the pids controller for its children; or NULL, and why. */
static char *delegated_cgroup(char **why)
{
	const char *mount = cgroup2_mount();
	autofree char *own = own_cgroup();
	if (mount == NULL || own == NULL) {
		*why = mount
		           ? xasprintf("this process is in no cgroup of the hierarchy at %s", mount)
		           : xstrdup("no cgroup v2 hierarchy at /sys/fs/cgroup or "
		                     "/sys/fs/cgroup/unified");
		return NULL;
	}
	autofree char *start = xasprintf("%s%s", mount, strcmp(own, "/") == 0 ? "" : own);
	autofree char *dir = xstrdup(start);
	for (;;) {
		/* Above a cgroup that is not the user's, none is. */
		if (!delegated(dir))
			break;
		if (enables_pids(dir))
			return steal_pointer(&dir);
		if (strlen(dir) <= strlen(mount))
			break;
		*strrchr(dir, '/') = '\0';
	}
	*why = xasprintf("no delegated cgroup: neither %s nor a parent of it is the user's with "
	                 "the pids controller for its children",
	                 start);
	return NULL;
}

/* Makes PARENT/bento-PID-N with pids.max. */
static int make_cgroup(bento_sandbox_pids *pids, const char *parent, char **why)
{
	static unsigned count;
	autofree char *path = xasprintf("%s/bento-%ld-%u", parent, (long)getpid(), count++);
	/* One left by a runtime of the same pid that was killed: empty. */
	if (mkdir(path, 0755) < 0 &&
	    (errno != EEXIST || rmdir(path) < 0 || mkdir(path, 0755) < 0)) {
		*why = xasprintf("cannot create the cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	autofree char *max_path = xasprintf("%s/pids.max", path);
	char max[32];
	snprintf(max, sizeof(max), "%lu", pids->max);
	int fd = -1;
	if (bento_write_file(max_path, max, NULL) < 0 ||
	    (fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*why = xasprintf("cannot set up the cgroup %s: %s", path, strerror(errno));
		rmdir(path);
		return -1;
	}
	pids->cgroup_fd = fd;
	pids->cgroup = steal_pointer(&path);
	return 0;
}

void bento_sandbox_pids_prepare(bento_sandbox *sb, unsigned long max)
{
	bento_sandbox_pids *pids = xcalloc(1, sizeof(*pids));
	pids->max = max;
	pids->cgroup_fd = -1;
	sb->pids = pids;
	autofree char *why = NULL;
	autofree char *parent = delegated_cgroup(&why);
	if (parent)
		make_cgroup(pids, parent, &why);
	if (pids->cgroup)
		bento_debug("processes: at most %lu, by the cgroup %s (pids.max)", max,
		            pids->cgroup);
	else
		bento_debug("processes: at most %lu, by RLIMIT_NPROC%s (%s)", max,
		            getuid() == 0 ? ", which the kernel does not apply to root" : "", why);
}

void bento_sandbox_pids_free(bento_sandbox_pids *pids)
{
	if (pids == NULL)
		return;
	if (pids->cgroup_fd >= 0)
		close(pids->cgroup_fd);
	/* The sandbox's processes are gone: its PID 1's end waits for them.
	 * The cgroup may still count as populated for a moment. */
	for (int i = 0; pids->cgroup && rmdir(pids->cgroup) < 0 && errno == EBUSY && i < 100; i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
	free(pids->cgroup);
	free(pids);
}

/* ---- creating the sandbox's first process --------------------------------- */

/* clone3 running fn(arg) on the stack of args in the child, then exiting
 * with its value, as glibc's clone() does for clone (glibc offers no
 * clone3).  Returns the child's pid or -errno. */
static long clone3_run(struct clone_args *args, int (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
	long ret;
	/* Callee-saved registers: the same in the child, whose stack is new. */
	register int (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;
	__asm__ volatile("syscall\n\t"
	                 "test %%rax, %%rax\n\t"
	                 "jnz 1f\n\t"
	                 "xor %%ebp, %%ebp\n\t"
	                 "mov %%r13, %%rdi\n\t"
	                 "call *%%r12\n\t"
	                 "mov %%eax, %%edi\n\t"
	                 "mov %[exit], %%eax\n\t"
	                 "syscall\n\t"
	                 "hlt\n"
	                 "1:"
	                 : "=a"(ret)
	                 : "a"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "r"(r12),
	                   "r"(r13), [exit] "i"(SYS_exit)
	                 : "rcx", "r11", "cc", "memory");
	return ret;
#else
	/* Elsewhere the sandbox goes without its cgroup (RLIMIT_NPROC). */
	(void)args, (void)fn, (void)arg;
	return -ENOSYS;
#endif
}

pid_t bento_sandbox_clone(const bento_sandbox *sb, int (*fn)(void *), char *stack,
                          size_t stack_size, int flags, void *arg)
{
	bento_sandbox_pids *pids = sb ? sb->pids : NULL;
	if (pids && pids->cgroup_fd >= 0) {
		struct clone_args args = {
		    .flags = (uint64_t)(flags & ~CSIGNAL) | CLONE_INTO_CGROUP,
		    .exit_signal = (uint64_t)(flags & CSIGNAL),
		    .stack = (uint64_t)(uintptr_t)stack,
		    .stack_size = stack_size,
		    .cgroup = (uint64_t)pids->cgroup_fd,
		};
		/* Set before: with CLONE_VFORK the app has run by the time
		 * clone3 returns. */
		pids->in_cgroup = true;
		long pid = clone3_run(&args, fn, arg);
		if (pid > 0)
			return (pid_t)pid;
		pids->in_cgroup = false;
		bento_debug("processes: not in the cgroup %s (clone3: %s), by RLIMIT_NPROC",
		            pids->cgroup, strerror((int)-pid));
	}
	return clone(fn, stack + stack_size, flags, arg);
}

/* ---- in the app's process: no allocation --------------------------------- */

int bento_sandbox_limit_processes(const bento_sandbox *sb)
{
	if (sb->pids == NULL || sb->pids->in_cgroup)
		return 0;
	/* Never above the user's own hard limit (only a privileged process
	 * may raise it). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NPROC, &rl) < 0)
		return -1;
	rlim_t max = (rlim_t)sb->pids->max;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < max)
		max = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = max;
	return setrlimit(RLIMIT_NPROC, &rl);
}
