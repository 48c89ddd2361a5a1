/* SPDX-License-Identifier: MIT */
#include "sandbox/process.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <termios.h>
#include <unistd.h>

#include "core/exit.h"
#include "core/util.h"

/* The child's stack is needed only until it execs.  Holders share our memory
 * and sleep for as long as they live, each on a stack of its own from a small
 * pool; a slot is reused once its holder has been reaped.  Without a free
 * slot a launch goes without a holder (its app's exit then pays for the
 * namespace's teardown).  Generous sizes, for sanitizer builds. */
#define CHILD_STACK_SIZE (256 * 1024)
#define HOLDER_SLOTS 4
static struct holder_slot {
	pid_t pid;
	char stack[64 * 1024] __attribute__((aligned(64)));
} holder_slots[HOLDER_SLOTS];

/* In the parent, before the child starts: a slot whose holder is gone. */
static struct holder_slot *free_holder_slot(void)
{
	for (size_t i = 0; i < HOLDER_SLOTS; i++) {
		struct holder_slot *slot = &holder_slots[i];
		if (slot->pid > 0 && waitpid(slot->pid, NULL, WNOHANG) == slot->pid)
			slot->pid = 0;
		if (slot->pid == 0)
			return slot;
	}
	return NULL;
}

static int fail(bento_spawn *sp, bento_spawn_stage stage)
{
	sp->stage = stage;
	sp->errnum = errno;
	return -1;
}

/* The holder keeps the namespace alive until the runtime ends, so that the
 * app's exit is not delayed by the namespace's teardown. */
static int holder_main(void *arg)
{
	pid_t parent = (pid_t)(intptr_t)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}

/* Raw system calls for the sandbox's PID 1 once the runtime runs again
 * beside it: it shares the runtime's memory and thread-local storage, so it
 * must not touch errno or anything else of libc's. */
static inline long raw_syscall4(long nr, long a, long b, long c, long d)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
	                 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	ret = x0;
#else
#error "raw_syscall4: add this architecture"
#endif
	return ret;
}

/* In the child: a user namespace mapping only the user, a mount namespace,
 * and those of extra_flags. */
static int enter_namespaces(bento_spawn *sp, int extra_flags)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra_flags) < 0)
		return fail(sp, BENTO_SPAWN_USERNS);
	/* With a NULL error, bento_write_file allocates nothing. */
	if (bento_write_file("/proc/self/setgroups", "deny", NULL) < 0 ||
	    bento_write_file("/proc/self/uid_map", sp->uid_map, NULL) < 0 ||
	    bento_write_file("/proc/self/gid_map", sp->gid_map, NULL) < 0)
		return fail(sp, BENTO_SPAWN_USERNS);
	return 0;
}

/* The caller's mount_image, a failure of which is the mount's stage. */
static int mount_image(void *arg, int dir_fd, int parent, const char *name)
{
	bento_spawn *sp = arg;
	if (sp->mount_image(sp->mount_ctx, dir_fd, parent, name) < 0)
		return fail(sp, BENTO_SPAWN_MOUNT);
	return 0;
}

static int enter_namespace(bento_spawn *sp)
{
	if (enter_namespaces(sp, 0) < 0)
		return -1;
	int dir_fd = open(sp->mountpoint, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return fail(sp, BENTO_SPAWN_MOUNT);
	int r = mount_image(sp, dir_fd, AT_FDCWD, sp->mountpoint);
	close(dir_fd);
	return r;
}

/* ---- the sandbox: PID 1 and the app -------------------------------------- */

#define PID1_STACK_SIZE (256 * 1024)

static void pid1_report_ready(bento_spawn *sp)
{
	__atomic_store_n(&sp->pid1_ready, 1, __ATOMIC_RELEASE);
	raw_syscall4(SYS_futex, (long)&sp->pid1_ready, FUTEX_WAKE, 1, 0);
}

/* fd becomes the sandbox's /dev/null. */
static int null_onto(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return -1;
	int r = dup2(null, fd);
	close(null);
	return r < 0 ? -1 : 0;
}

/* A standard descriptor that names a directory (./app </home/u) or only a
 * path (O_PATH) is no stream but a way out of the sandbox: through
 * /proc/self/fd/N the app would walk the directory, or reopen the file.
 * It becomes /dev/null. */
static int std_fds_without_paths(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int flags = fcntl(fd, F_GETFL);
		struct stat st;
		if (flags >= 0 &&
		    ((flags & O_PATH) || (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))) &&
		    null_onto(fd) < 0)
			return -1;
	}
	return 0;
}

/* Closes every descriptor from 3 up: the ones the launcher had open (a
 * directory of the home, say, which /proc/self/fd/N would open from inside)
 * and bento's own.  Without close_range (before Linux 5.9) they are read
 * from the sandbox's /proc/self/fd. */
static int close_fd_entry(int dir, const char *name, void *data)
{
	(void)data;
	int fd = 0;
	for (const char *c = name; *c >= '0' && *c <= '9'; c++)
		fd = fd * 10 + (*c - '0');
	if (fd >= 3 && fd != dir)
		close(fd);
	return 0;
}

static int close_inherited_fds(void)
{
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return 0;
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	int rc = bento_dir_each(dir, close_fd_entry, NULL);
	close(dir);
	return rc;
}

/* Whether a and b are the same file.  An overlay (an image's tree over the
 * host's) shows a host file under a device of its own, with the same type,
 * size and modification time. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	if (a->st_dev == b->st_dev && a->st_ino == b->st_ino)
		return true;
	return (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT) && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* In the app's process, in its working directory: which of the host files
 * the caller asked about the sandbox hides (so that the runtime can say so;
 * the app itself would just find nothing, or another file, and the user's
 * data would go nowhere). */
static void check_paths(bento_spawn *sp)
{
	for (size_t i = 0; i < sp->n_paths; i++) {
		struct stat inside;
		bento_spawn_path *p = &sp->paths[i];
		p->hidden = stat(p->path, &inside) < 0 || !same_file(&inside, &p->host);
	}
}

/* The app's process, a vfork-style child of PID 1: confined last, then
 * exec'd with only the descriptors it is meant to have.  Failures are
 * reported in *sp. */
static int sandboxed_app_main(void *arg)
{
	bento_spawn *sp = arg;
	if (bento_sandbox_confine_app(sp->sandbox, &sp->failure) < 0) {
		sp->stage = BENTO_SPAWN_SANDBOX;
		_exit(BENTO_EXIT_RUNTIME);
	}
	if (sp->cwd == NULL || chdir(sp->cwd) < 0)
		if (chdir(sp->fallback_cwd) < 0 && chdir("/") < 0)
			_exit(BENTO_EXIT_RUNTIME);
	check_paths(sp);
	if ((sp->detached && null_onto(STDIN_FILENO) < 0) ||
	    (sp->out_fd >= 0 && dup2(sp->out_fd, STDOUT_FILENO) < 0) ||
	    (sp->err_fd >= 0 && dup2(sp->err_fd, STDERR_FILENO) < 0)) {
		fail(sp, BENTO_SPAWN_EXEC);
		_exit(BENTO_EXIT_RUNTIME);
	}
	if (std_fds_without_paths() < 0 || close_inherited_fds() < 0) {
		sp->failure = (bento_sandbox_failure){
		    .step = "cannot close the descriptors the app must not inherit",
		    .errnum = errno};
		sp->stage = BENTO_SPAWN_SANDBOX;
		_exit(BENTO_EXIT_RUNTIME);
	}
	sigprocmask(SIG_SETMASK, sp->exec_mask, NULL);
	execve(sp->path, sp->argv, sp->envp);
	fail(sp, BENTO_SPAWN_EXEC);
	_exit(BENTO_EXIT_RUNTIME);
}

/* Makes pgrp the terminal's foreground process group, from whichever group
 * the caller is in (a background group's tcsetpgrp raises SIGTTOU unless it
 * is blocked).  Returns 0 or -1. */
static int set_foreground(int tty, pid_t pgrp)
{
	sigset_t ttou, saved;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &saved);
	int r = tcsetpgrp(tty, pgrp);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

/* The stop signals of job control, which a terminal sends to its
 * foreground group (Ctrl-Z) or to a background group that touches it. */
static bool is_job_stop(long sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* In PID 1, before the app starts: the sandbox gets a process group of its
 * own, so that kill(0, ...) or killpg(getpgrp(), ...) inside reaches only
 * the sandbox and never the launcher or its other children.  A build step
 * gets a session of its own too (it has no use for a terminal); an app
 * stays in the launcher's session and, if the launcher's group had the
 * terminal, gets it, so that it reads from it without being stopped and
 * Ctrl-C, Ctrl-Z reach it.  PID 1, in that group, keeps the stop signals
 * blocked: what the terminal sends the group it then finds pending, sent
 * by the kernel (pid1_main). */
static void pid1_own_group(bento_spawn *sp)
{
	if (sp->detached) {
		setsid();
		return;
	}
	setpgid(0, 0);
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	if (sp->tty_handed && set_foreground(sp->tty, getpgrp()) < 0)
		sp->tty_handed = false;
}

/* In PID 1, once the app has stopped: whether the terminal sent a stop
 * signal to the group (it reaches PID 1 at the same time as the app, and
 * stays pending until read). */
static bool pid1_terminal_stop_pending(void)
{
	sigset_t stops;
	__builtin_memset(&stops, 0, sizeof(stops));
	stops.__val[0] = 1ul << (SIGTSTP - 1) | 1ul << (SIGTTIN - 1) | 1ul << (SIGTTOU - 1);
	struct timespec now = {0, 0};
	siginfo_t info;
	bool terminal = false;
	while (raw_syscall4(SYS_rt_sigtimedwait, (long)&stops, (long)&info, (long)&now, 8) > 0)
		terminal |= info.si_code == SI_KERNEL;
	return terminal;
}

/* In PID 1: the app stopped (sig, by_terminal) or runs again (0); a stop
 * wakes the runtime, which stops the user's job with it. */
static void pid1_note_stop(bento_spawn *sp, int sig, bool by_terminal)
{
	__atomic_store_n(&sp->stop_by_terminal, by_terminal, __ATOMIC_RELAXED);
	__atomic_store_n(&sp->app_stop_sig, sig, __ATOMIC_RELEASE);
	uint64_t one = 1;
	if (sig != 0)
		raw_syscall4(SYS_write, sp->stop_fd, (long)&one, sizeof(one), 0);
}

/* PID 1 of the sandbox's PID namespace: the runtime's child (CLONE_PARENT).
 * It starts the app, then reaps every orphan of the sandbox and passes on
 * the signals the runtime forwards, until the app ends; its own end then
 * kills whatever the app left running.  The runtime reads the app's status
 * from *sp. */
static int pid1_main(void *arg)
{
	bento_spawn *sp = arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid1_own_group(sp);
	if (bento_sandbox_finish_in_pid_ns(sp->sandbox, &sp->failure) < 0) {
		sp->stage = BENTO_SPAWN_SANDBOX;
		pid1_report_ready(sp);
		_exit(BENTO_EXIT_RUNTIME);
	}
	char app_stack[32 * 1024] __attribute__((aligned(16)));
	pid_t app = clone(sandboxed_app_main, app_stack + sizeof(app_stack),
	                  CLONE_VM | CLONE_VFORK | SIGCHLD, sp);
	if (app < 0)
		fail(sp, BENTO_SPAWN_EXEC);
	sp->app_pid = app;
	bool started = sp->stage == BENTO_SPAWN_OK;
	/* PID 1 needs no privilege to reap and pass signals on: it gives up
	 * its capabilities, and becomes undumpable so that the app cannot
	 * reach the runtime's memory or executable through /proc/1. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct no_caps[2] = {{0}};
	syscall(SYS_capset, &header, no_caps);
	pid1_report_ready(sp);
	/* From here on the runtime runs beside us: raw system calls only. */
	sigset_t set;
	__builtin_memset(&set, 0xff, sizeof(set));
	long wait_flags = WNOHANG | (sp->stop_fd >= 0 ? WUNTRACED | WCONTINUED : 0);
	bool terminal_stop = false; /* the terminal sent the group a stop */
	for (;;) {
		siginfo_t info;
		long sig = raw_syscall4(SYS_rt_sigtimedwait, (long)&set, (long)&info, 0, 8);
		if (sig == SIGCHLD || !started) {
			int status;
			long pid;
			while ((pid = raw_syscall4(SYS_wait4, -1, (long)&status, wait_flags, 0)) >
			       0) {
				if (pid != app)
					continue;
				if (WIFSTOPPED(status)) {
					terminal_stop |= pid1_terminal_stop_pending();
					pid1_note_stop(sp, WSTOPSIG(status), terminal_stop);
					terminal_stop = false;
					continue;
				}
				if (WIFCONTINUED(status)) {
					pid1_note_stop(sp, 0, false);
					continue;
				}
				sp->app_status = status;
				__atomic_store_n(&sp->app_exited, started, __ATOMIC_RELEASE);
				raw_syscall4(SYS_exit_group, 0, 0, 0, 0);
			}
		} else if (is_job_stop(sig) || sig == SIGCONT) {
			/* Sent to the whole group, the app included: not passed
			 * on, but a stop from the terminal is noted. */
			terminal_stop |= is_job_stop(sig) && info.si_code == SI_KERNEL;
		} else if (sig > 0 && info.si_code != SI_KERNEL) {
			/* What the runtime forwards.  The terminal's other
			 * signals (Ctrl-C, Ctrl-\) went to the whole group too:
			 * passing them on would repeat them. */
			raw_syscall4(SYS_kill, app, sig, 0, 0);
		}
	}
}

/* In the vfork-style child: the namespaces, the root, then PID 1.  Returns
 * once PID 1 has started the app. */
static int enter_sandbox(bento_spawn *sp)
{
	const bento_sandbox *sb = sp->sandbox;
	if (enter_namespaces(sp, sb->clone_flags) < 0)
		return -1;
	if (bento_sandbox_build_root(sb, mount_image, sp, &sp->failure) < 0) {
		if (sp->stage == BENTO_SPAWN_OK)
			sp->stage = BENTO_SPAWN_SANDBOX;
		return -1;
	}
	if (unshare(CLONE_NEWPID) < 0)
		return fail(sp, BENTO_SPAWN_USERNS);
	pid_t pid1 = clone(pid1_main, sp->pid1_stack + PID1_STACK_SIZE,
	                   CLONE_VM | CLONE_FILES | CLONE_PARENT | SIGCHLD, sp);
	if (pid1 < 0)
		return fail(sp, BENTO_SPAWN_EXEC);
	while (__atomic_load_n(&sp->pid1_ready, __ATOMIC_ACQUIRE) == 0)
		raw_syscall4(SYS_futex, (long)&sp->pid1_ready, FUTEX_WAIT, 0, 0);
	sp->holder = pid1;
	return sp->stage == BENTO_SPAWN_OK ? 0 : -1;
}

static int child_main(void *arg)
{
	bento_spawn *sp = arg;
	/* The app must not outlive the runtime that serves its files. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sp->parent)
		_exit(BENTO_EXIT_RUNTIME);
	if (sp->sandbox) {
		enter_sandbox(sp);
		_exit(0);
	}
	if (sp->new_namespace) {
		if (enter_namespace(sp) < 0)
			_exit(BENTO_EXIT_RUNTIME);
		/* A child of the runtime (CLONE_PARENT), not of the app, so that
		 * the app never sees it among its children. */
		struct holder_slot *slot = sp->holder_slot;
		if (slot != NULL) {
			sp->holder =
			    clone(holder_main, slot->stack + sizeof(slot->stack),
			          CLONE_VM | CLONE_PARENT | SIGCHLD, (void *)(intptr_t)sp->parent);
			slot->pid = sp->holder > 0 ? sp->holder : 0;
		}
		if (sp->holder < 0)
			sp->holder = 0;
	}
	if (!sp->exec)
		_exit(0);
	sigprocmask(SIG_SETMASK, sp->exec_mask, NULL);
	execve(sp->path, sp->argv, sp->envp);
	fail(sp, BENTO_SPAWN_EXEC);
	_exit(BENTO_EXIT_RUNTIME);
}

/* The descriptors of job control (see struct bento_spawn): the caller's
 * controlling terminal, if any, and the eventfd PID 1 wakes it with. */
static int open_job_fds(bento_spawn *sp, bento_error **err)
{
	sp->job_fds = true;
	sp->tty = sp->stop_fd = -1;
	if (sp->sandbox == NULL || sp->detached)
		return 0;
	sp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sp->stop_fd < 0)
		return bento_error_errno(err, "eventfd");
	/* (O_NONBLOCK: a serial line's open must not wait for its carrier) */
	sp->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return 0;
}

int bento_spawn_run(bento_spawn *sp, bento_error **err)
{
	if (!sp->job_fds && open_job_fds(sp, err) < 0)
		return -1;
	sp->own_group = getpgrp();
	sp->tty_handed = sp->tty >= 0 && tcgetpgrp(sp->tty) == sp->own_group;
	sp->app_stop_sig = 0;
	sp->parent = getpid();
	sp->holder_slot = sp->new_namespace && !sp->sandbox ? free_holder_slot() : NULL;
	sp->pid1_ready = 0;
	sp->app_exited = false;
	sp->failure = (bento_sandbox_failure){0};
	if (sp->sandbox && sp->pid1_stack == NULL) {
		sp->pid1_stack = mmap(NULL, PID1_STACK_SIZE, PROT_READ | PROT_WRITE,
		                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (sp->pid1_stack == MAP_FAILED) {
			sp->pid1_stack = NULL;
			return bento_error_errno(err, "cannot allocate a stack");
		}
	}
	sp->stage = BENTO_SPAWN_OK;
	sp->errnum = 0;
	sp->holder = 0;
	snprintf(sp->uid_map, sizeof(sp->uid_map), "%u %u 1\n", (unsigned)sp->uid,
	         (unsigned)sp->uid);
	snprintf(sp->gid_map, sizeof(sp->gid_map), "%u %u 1\n", (unsigned)sp->gid,
	         (unsigned)sp->gid);
	char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return bento_error_errno(err, "cannot allocate a stack");
	/* CLONE_VFORK: this thread resumes once the child has exec'd or
	 * exited, so its results are in *sp; CLONE_FILES: the device it opens
	 * is ours too (exec gives the app its own table, without it). */
	sp->pid = bento_sandbox_clone(sp->sandbox, child_main, stack, CHILD_STACK_SIZE,
	                              CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, sp);
	int saved = errno;
	munmap(stack, CHILD_STACK_SIZE);
	if (sp->pid < 0) {
		errno = saved;
		return bento_error_errno(err, "cannot create a process");
	}
	if (sp->sandbox) {
		/* The vfork-style child has done its part; PID 1 (in holder)
		 * is the process to watch now. */
		waitpid(sp->pid, NULL, 0);
		sp->pid = sp->holder;
		sp->holder = 0;
		if (sp->stage != BENTO_SPAWN_OK && sp->pid > 0) {
			waitpid(sp->pid, NULL, 0);
			sp->pid = 0;
		}
		return sp->stage == BENTO_SPAWN_OK ? 0 : 1;
	}
	if (sp->stage != BENTO_SPAWN_OK || !sp->exec) {
		waitpid(sp->pid, NULL, 0);
		sp->pid = 0;
	}
	return sp->stage == BENTO_SPAWN_OK ? 0 : 1;
}

int bento_spawn_stopped(bento_spawn *sp, bool *by_terminal)
{
	uint64_t count;
	if (sp->stop_fd >= 0)
		while (read(sp->stop_fd, &count, sizeof(count)) < 0 && errno == EINTR)
			;
	int sig = __atomic_load_n(&sp->app_stop_sig, __ATOMIC_ACQUIRE);
	*by_terminal = __atomic_load_n(&sp->stop_by_terminal, __ATOMIC_RELAXED);
	return sig;
}

int bento_spawn_signal_group(const bento_spawn *sp, int sig)
{
	/* (PID 1 leads the group) */
	if (sp->sandbox == NULL || sp->detached || sp->pid <= 0)
		return -1;
	kill(-sp->pid, sig);
	return 0;
}

void bento_spawn_continue(bento_spawn *sp)
{
	if (sp->tty >= 0 && sp->pid > 0) {
		/* fg made our group the foreground one again; after bg, the
		 * shell keeps the terminal.  (Still the app's: a SIGCONT while
		 * it ran, or a stop the kernel discarded.) */
		pid_t fg = tcgetpgrp(sp->tty);
		if ((fg == sp->own_group || fg == sp->pid) && set_foreground(sp->tty, sp->pid) == 0)
			sp->tty_handed = true;
	}
	__atomic_store_n(&sp->app_stop_sig, 0, __ATOMIC_RELEASE);
	bento_spawn_signal_group(sp, SIGCONT);
}

void bento_spawn_reclaim_terminal(bento_spawn *sp)
{
	if (sp->tty >= 0 && sp->tty_handed && set_foreground(sp->tty, sp->own_group) == 0)
		sp->tty_handed = false;
}

void bento_spawn_stop_job(bento_spawn *sp, int sig, bool whole_job)
{
	/* A launcher that ignores a stop signal keeps its job running: the
	 * app (which changed its own disposition) is continued instead. */
	struct sigaction sa;
	if (sig == SIGSTOP || (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)) {
		/* The terminal goes back to our group first: a shell sees our
		 * job stopped and takes it anyway, and where our group holds
		 * more (a script that runs the app), Ctrl-Z then stops the
		 * rest of it.  Our own share of the signal is blocked (it is in
		 * the runtime's signalfd) until it is let through here. */
		bento_spawn_reclaim_terminal(sp);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		if (whole_job && is_job_stop(sig))
			kill(-sp->own_group, sig);
		else
			raise(sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		sigprocmask(SIG_BLOCK, &one, NULL);
	}
	bento_spawn_continue(sp);
}

void bento_spawn_release(bento_spawn *sp)
{
	if (sp->job_fds) {
		if (sp->tty >= 0)
			close(sp->tty);
		if (sp->stop_fd >= 0)
			close(sp->stop_fd);
		sp->job_fds = false;
	}
	/* PID 1 made our shared memory undumpable; once it is gone, the
	 * process may make another sandbox (its /proc/self/uid_map must be
	 * its own again). */
	if (sp->sandbox && sp->pid1_stack)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (sp->pid1_stack)
		munmap(sp->pid1_stack, PID1_STACK_SIZE);
	sp->pid1_stack = NULL;
}
