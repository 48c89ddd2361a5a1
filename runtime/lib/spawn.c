/* SPDX-License-Identifier: MIT */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Status of a child that could not become the app (it reports why in
 * struct bento_spawn). */
#define BENTO_EXIT_CHILD 127

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

/* In the child: a user namespace mapping only the user, a mount namespace,
 * and the image mounted from a device opened there (the kernel accepts a
 * FUSE mount only with a device opened inside the mounting namespace). */
static int enter_namespace(bento_spawn *sp)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return fail(sp, BENTO_SPAWN_USERNS);
	/* With a NULL error, bento_write_file allocates nothing. */
	if (bento_write_file("/proc/self/setgroups", "deny", NULL) < 0 ||
	    bento_write_file("/proc/self/uid_map", sp->uid_map, NULL) < 0 ||
	    bento_write_file("/proc/self/gid_map", sp->gid_map, NULL) < 0)
		return fail(sp, BENTO_SPAWN_USERNS);
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(sp, BENTO_SPAWN_MOUNT);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(10, 229)) {
		close(fd);
		errno = ENODEV;
		return fail(sp, BENTO_SPAWN_MOUNT);
	}
	/* The new mount namespace's mounts are slaves of the host's, so this
	 * mount stays private to the app. */
	char opts[128];
	snprintf(opts, sizeof(opts), BENTO_FUSE_MOUNT_OPTIONS, fd, (unsigned)sp->uid,
	         (unsigned)sp->gid);
	if (mount("bento", sp->mountpoint, "fuse.bento", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) <
	    0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return fail(sp, BENTO_SPAWN_MOUNT);
	}
	bento_server_serve_fd(sp->server, fd);
	return 0;
}

static int child_main(void *arg)
{
	bento_spawn *sp = arg;
	/* The app must not outlive the runtime that serves its files. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sp->parent)
		_exit(BENTO_EXIT_CHILD);
	if (sp->new_namespace) {
		if (enter_namespace(sp) < 0)
			_exit(BENTO_EXIT_CHILD);
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
	_exit(BENTO_EXIT_CHILD);
}

int bento_spawn_run(bento_spawn *sp, bento_error **err)
{
	sp->parent = getpid();
	sp->holder_slot = sp->new_namespace ? free_holder_slot() : NULL;
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
	sp->pid = clone(child_main, stack + CHILD_STACK_SIZE,
	                CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, sp);
	int saved = errno;
	munmap(stack, CHILD_STACK_SIZE);
	if (sp->pid < 0) {
		errno = saved;
		return bento_error_errno(err, "cannot create a process");
	}
	if (sp->stage != BENTO_SPAWN_OK || !sp->exec) {
		waitpid(sp->pid, NULL, 0);
		sp->pid = 0;
	}
	return sp->stage == BENTO_SPAWN_OK ? 0 : 1;
}
