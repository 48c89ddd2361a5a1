/* SPDX-License-Identifier: MIT */
/* Creating the app's process quickly.
 *
 * fork() copies the runtime's page tables and a user + mount namespace costs
 * a kernel RCU grace period when its last process exits: on a small virtual
 * machine each is worth milliseconds, more than the app's own start-up.  So
 * the child is created the way posix_spawn creates one - sharing memory and
 * descriptors, with the parent suspended until it has exec'd - and, when it
 * makes a namespace, leaves a holder process in it so that the app's exit
 * does not wait for the namespace to be torn down.
 *
 * The child shares the parent's memory: everything it needs is prepared in
 * struct bento_spawn beforehand, and it calls nothing that allocates. */
#ifndef BENTO_APPSPAWN_H
#define BENTO_APPSPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/error.h"
#include "sandbox/sandbox.h"

typedef enum bento_spawn_stage {
	BENTO_SPAWN_OK,
	BENTO_SPAWN_USERNS,  /* the kernel refused the user namespace */
	BENTO_SPAWN_MOUNT,   /* the image could not be mounted in it */
	BENTO_SPAWN_SANDBOX, /* the sandbox could not be built (failure says where) */
	BENTO_SPAWN_EXEC,    /* the app could not be executed */
} bento_spawn_stage;

/* A host file the app is likely meant to reach: its working directory, or
 * a file one of its arguments names.  The caller fills path (a relative one
 * resolves from the app's working directory, as the app would resolve it)
 * and host, the file's identity on the host.  With a sandbox, once the app
 * runs, hidden says whether the sandbox shows another file at path, or
 * none. */
typedef struct bento_spawn_path {
	const char *path;
	struct stat host;
	bool hidden;
} bento_spawn_path;

typedef struct bento_spawn {
	/* What to run: path, argv and envp prepared by the caller.  With
	 * exec false the child only sets up (and holds) the namespace. */
	const char *path;
	char *const *argv;
	char *const *envp;
	bool exec;
	const sigset_t *exec_mask; /* signal mask the app starts with */
	/* A new user + mount namespace mapping only uid/gid, with the image
	 * mounted by mount_image(mount_ctx, ...): at mountpoint, or at /app in
	 * the sandbox.  (The caller knows how: launch/mount.c serves it over
	 * FUSE; the sandbox's code needs no FUSE server.) */
	bool new_namespace;
	const char *mountpoint;
	uid_t uid;
	gid_t gid;
	bento_mount_image_fn *mount_image;
	void *mount_ctx;
	/* With new_namespace: the app runs in this sandbox, in a new PID
	 * namespace whose PID 1 (a child of the caller, sharing its memory)
	 * reaps and passes signals on; pid is then that PID 1.  The app starts
	 * in cwd, or in fallback_cwd where cwd does not exist inside. */
	const bento_sandbox *sandbox;
	const char *cwd;
	const char *fallback_cwd;
	/* With a sandbox: the host files to look for in it, checked once the
	 * app is in its working directory (see bento_spawn_path). */
	bento_spawn_path *paths;
	size_t n_paths;
	/* The app's stdout and stderr, or -1 to keep the caller's. */
	int out_fd, err_fd;
	/* With a sandbox: a session of its own, no controlling terminal and
	 * stdin from /dev/null (a build step); otherwise a process group of its
	 * own in the caller's session, with job control (below). */
	bool detached;

	/* Results. */
	pid_t pid;    /* the app, a child of the caller */
	pid_t holder; /* the namespace holder, a child of the caller, or 0;
	               * the caller kills it when done, bento_spawn_run reaps it */
	bento_spawn_stage stage;
	int errnum;
	bento_sandbox_failure failure; /* with BENTO_SPAWN_SANDBOX */
	/* With a sandbox, once pid has been reaped: whether the app ended and
	 * its wait status (written by PID 1). */
	bool app_exited;
	int app_status;
	/* Job control, with a sandbox that is not detached: the app's process
	 * group is PID 1's (pid).  tty is the caller's controlling terminal (or
	 * -1); tty_handed says that the app's group was made its foreground
	 * group (the caller's was).  stop_fd, an eventfd, becomes readable when
	 * the app stops; app_stop_sig is the signal that stopped it, 0 once it
	 * runs again (see bento_spawn_stopped). */
	int tty;
	bool tty_handed;
	int stop_fd;
	int app_stop_sig;
	bool stop_by_terminal;

	/* Private. */
	pid_t parent;
	struct holder_slot *holder_slot;
	char uid_map[32], gid_map[32];
	bool job_fds;        /* tty and stop_fd are set (and closed by release) */
	pid_t own_group;     /* the caller's process group */
	uint32_t pid1_ready; /* futex: PID 1 has started the app (or failed) */
	pid_t app_pid;       /* in the new PID namespace */
	char *pid1_stack;
} bento_spawn;

/* Creates the child.  Returns 0 once the app runs (or, without exec, the
 * namespace is ready), 1 when sp->stage says why it could not, -1 on a
 * system error. */
int bento_spawn_run(bento_spawn *sp, bento_error **err);

/* Job control of a sandboxed app (the caller's part: it shares its
 * terminal with the app's process group, which it must stop and continue
 * with it so that the user's shell sees one job).
 *
 * When stop_fd is readable: the signal that keeps the app stopped, or 0 if
 * it runs; *by_terminal: the terminal stopped it (Ctrl-Z, or a background
 * read or write), not the app itself or another process. */
int bento_spawn_stopped(bento_spawn *sp, bool *by_terminal);
/* Sends sig to the app's process group; -1 if it has none of its own. */
int bento_spawn_signal_group(const bento_spawn *sp, int sig);
/* The app was stopped by sig (or the caller was sent it): stops the caller,
 * so that the user's shell sees its job stopped, and once continued,
 * continues the app (as below).  With whole_job (a stop the terminal sent)
 * the caller's whole process group stops, as the terminal would have
 * stopped it without a sandbox; a stop of the app's own making stops only
 * the caller, so that the app cannot stop the launcher's other processes.
 * The caller has sig blocked. */
void bento_spawn_stop_job(bento_spawn *sp, int sig, bool whole_job);
/* Once the caller runs again after a stop (SIGCONT): gives the terminal to
 * the app's group if the caller's group is in the foreground (fg, not bg),
 * and continues the app's group. */
void bento_spawn_continue(bento_spawn *sp);
/* Once the app has ended: takes the terminal back if the app's group had
 * it. */
void bento_spawn_reclaim_terminal(bento_spawn *sp);

/* After pid has been reaped: releases what the sandbox's PID 1 used. */
void bento_spawn_release(bento_spawn *sp);

#endif
