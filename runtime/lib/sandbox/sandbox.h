/* SPDX-License-Identifier: MIT */
/* The sandbox an app runs in.
 *
 * It is made in two halves.  bento_sandbox_prepare, in the runtime, turns
 * the app's permissions into a plan: the namespaces to create, the list of
 * mounts that build the app's root, the environment, the seccomp filter.
 * Everything that allocates, reads host configuration or starts a helper
 * (the D-Bus proxy) happens there.  The child that becomes the sandbox then
 * carries the plan out (bento_sandbox_build_root, _finish_in_pid_ns,
 * _confine_app) with system calls only, since it shares the runtime's
 * memory.
 *
 * The app's root is a tmpfs built on a directory of the user's; after
 * pivot_root it holds (see plan.c for why each is there):
 *   /app            the image, read-only
 *   /usr            the image's tree layered over the host's /usr, read-only
 *                   (an overlayfs; the host's alone where it cannot be had),
 *                   with the image's .bento layers the host needs
 *   /bin, /lib* ... the host's, read-only
 *   /etc            a few files of the host's, passwd and group generated
 *   /proc /dev /sys a new proc, a minimal dev, a read-only part of sys
 *   /tmp, /run/user/UID   private, empty
 *   $HOME           empty but for ~/.var/app/APPID (the app's own, on the
 *                   host at the same place) and what is granted
 *   /.flatpak-info  the app's identity, for xdg-desktop-portal */
#ifndef BENTO_SANDBOX_H
#define BENTO_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/util.h"
#include "permissions/permissions.h"
#include "sandbox/seccomp_filter.h"

typedef enum bento_mount_kind {
	BENTO_MOUNT_TMPFS,   /* a new tmpfs at dest (mode of its root) */
	BENTO_MOUNT_DIR,     /* a directory at dest */
	BENTO_MOUNT_BIND,    /* the host's src at dest */
	BENTO_MOUNT_SYMLINK, /* dest -> src */
	BENTO_MOUNT_FILE,    /* a file at dest holding src */
	BENTO_MOUNT_DEVPTS,  /* a new devpts instance at dest */
	BENTO_MOUNT_IMAGE,   /* the image at dest (the caller mounts it) */
	/* An empty tmpfs over dest, when dest exists (read-only with
	 * BENTO_MOUNT_RO): hides what a grant would show there. */
	BENTO_MOUNT_MASK,
	/* At dest (already the host's src bound read-only): a read-only
	 * overlayfs of the image at /app over the host's src (see
	 * bento_usr_overlay_mount).  Ordered after the image's op. */
	BENTO_MOUNT_USR_OVERLAY,
	/* At dest (the host's src, /lib or /lib64, a real directory bound
	 * read-only): the image's .bento/glibc/lib or lib64 over it, for a
	 * host without merged /usr.  Ordered after the image's op. */
	BENTO_MOUNT_GLIBC_OVERLAY,
} bento_mount_kind;

enum {
	BENTO_MOUNT_RO = 1u << 0,       /* read-only, recursively */
	BENTO_MOUNT_OPTIONAL = 1u << 1, /* skip a bind whose source is missing */
	/* src is relative to the trusted directory beneath and is resolved
	 * without following any symlink (a directory the app can write to:
	 * CVE-2024-42472). */
	BENTO_MOUNT_NO_SYMLINKS = 1u << 2,
	/* A filesystems= grant: refused if what it opens is one of the
	 * protected directories or below one (bento_sandbox.protected). */
	BENTO_MOUNT_GRANT = 1u << 3,
};

/* A directory no grant may reach, by identity. */
typedef struct bento_dir_id {
	dev_t dev;
	ino_t ino;
} bento_dir_id;

typedef struct bento_mount_op {
	bento_mount_kind kind;
	unsigned flags;
	mode_t mode;
	char *src;
	char *beneath;
	char *dest; /* absolute, inside the sandbox */
	/* BENTO_MOUNT_TMPFS: its size in bytes, which also bounds its inodes
	 * (0: the kernel's default, half the memory). */
	uint64_t size;
} bento_mount_op;

/* The layers of the /usr overlay besides the host's /usr
 * (bento-sandbox(7), "/usr"), top first: the image's .bento/glibc where the
 * host's C library is older than the image's, .bento/libstdc++ where the
 * host's is missing or older, the image's tree, and under the host's /usr
 * .bento/fallback where the host lacks a library the image bundles for that
 * case.  The .bento layers are needed (launch/requires.c decides): without
 * them the app cannot run, so that failing to mount them is an error. */
typedef struct bento_usr_layers {
	bool image;
	bool glibc;
	bool libstdcxx;
	bool fallback;
} bento_usr_layers;

/* Whether layers has a .bento layer. */
static inline bool bento_usr_layers_needed(const bento_usr_layers *layers)
{
	return layers->glibc || layers->libstdcxx || layers->fallback;
}

typedef struct bento_sandbox_config {
	const char *app_id;
	const bento_permissions *permissions;
	const char *root; /* the host directory the root is built on */
	uid_t uid;
	gid_t gid;
	/* /app: the image mounted by the caller (app_dir NULL), or app_dir
	 * bound read-only (an extracted image, or a build's /app, writable
	 * with app_dir_writable). */
	const char *app_dir;
	bool app_dir_writable;
	/* Builds: no data directory of the app's, no D-Bus, extra binds. */
	bool build;
	const bento_mount_op *extra;
	size_t n_extra;
	/* No /usr, /bin, /lib* of the host's (extra ops provide what is
	 * needed: the builder's check that an AppDir is self-contained). */
	bool no_host_os;
	/* /usr layers the image's tree over the host's (an app's launch;
	 * never a build, whose /usr is its SDK); usr_overlay_asked: the image
	 * asked for it (usr-overlay=true), so that going without is a
	 * warning. */
	bool usr_overlay;
	bool usr_overlay_asked;
	/* The image's .bento layers the app needs (.image is usr_overlay). */
	bento_usr_layers usr_layers;
} bento_sandbox_config;

/* What became of the /usr overlay, written where it is mounted (the
 * sandbox's child, or the unsandboxed app's namespace). */
typedef struct bento_usr_overlay_state {
	bool asked;           /* the image asked for it (usr-overlay=true) */
	bool mounted;         /* it was mounted */
	bool layered;         /* the .bento layers were mounted over it ... */
	bool bound;           /* ... file by file, without overlayfs */
	int errnum;           /* else why not (the kernel's refusal) ... */
	const char *shadowed; /* ... or the path below /usr of the host's that
	                       * the image would shadow (a static string) */
} bento_usr_overlay_state;

/* The host's files that no image may replace in /usr: the dynamic loader
 * and the parts of glibc bound to it (the app runs on the host's loader, as
 * do the host's programs in the sandbox), relative to /usr. */
extern const char *const bento_usr_host_only[];

/* Mounts on name in parent (a directory, reached as the host's /usr) a
 * read-only, nosuid, nodev overlayfs of layers over the host's /usr
 * (host_usr_fd), taken from the image's root app_fd.  The image's xattrs
 * steer nothing (no redirects, no metacopy; trusted.* is out of a user
 * namespace's reach and user.* is not asked for); its .bento trees are
 * opened without following a symlink.  The image's tree is left out, with
 * state->shadowed and state->errnum EEXIST, when it holds one of
 * bento_usr_host_only (or a non-directory on its way).  Returns -1 with
 * errno set when a .bento layer could not be mounted, else 0 (the image's
 * tree alone is best effort: state says what became of it).  Where the
 * kernel refuses overlayfs, the .bento/glibc and .bento/libstdc++ files are
 * bound one by one over the host's of the same name instead (not a
 * fallback library, which the host lacks).  app_fd must
 * not be an overlayfs itself when .bento layers are asked for (overlayfs
 * stacks two deep at most).  No allocation: for the child. */
int bento_usr_overlay_mount(int app_fd, int host_usr_fd, int parent, const char *name,
                            const bento_usr_layers *layers, bento_usr_overlay_state *state);

/* Mounts on name in parent (the host's /lib or /lib64, a real directory,
 * host_fd) a read-only overlayfs of the image's .bento/glibc/NAME over it,
 * or binds its files over the host's where overlayfs is refused.  Returns
 * -1 with errno set on failure.  For the child. */
int bento_glibc_overlay_mount(int app_fd, int host_fd, int parent, const char *name);

/* In the runtime, once the sandbox was made (whether the app could be
 * started or not): says why there is no overlay, if there is none (a
 * warning where the image asked for it or would shadow the host's loader,
 * a debugging note otherwise). */
void bento_usr_overlay_report(const bento_usr_overlay_state *state);

/* How many processes and threads the sandbox may run at once
 * (limits.c): pids.max of a cgroup of its own, made under the user's
 * delegated cgroup when there is one, else RLIMIT_NPROC. */
typedef struct bento_sandbox_pids {
	unsigned long max;
	int cgroup_fd; /* the sandbox's cgroup, opened O_PATH, or -1 */
	char *cgroup;  /* its path, removed by bento_sandbox_free */
	/* Set by bento_sandbox_clone: the sandbox's first process was created
	 * in the cgroup (else the app gets RLIMIT_NPROC). */
	bool in_cgroup;
} bento_sandbox_pids;

typedef struct bento_sandbox {
	char *root;
	int clone_flags; /* namespaces beyond user and mount */
	bool loopback;   /* bring lo up in the new network namespace */
	bento_mount_op *ops;
	size_t n_ops;
	const struct sock_fprog *filter;
	char *home;
	char *hostname;
	uid_t uid;
	gid_t gid;
	/* The environment the app starts with: the caller's variables of an
	 * allowlist, the sandbox's own, the metadata's. */
	bento_strv env;
	/* bento's own state and the apps' data directories, as they were
	 * when the plan was made. */
	bento_dir_id *protected;
	size_t n_protected;
	/* Written by the process that creates the sandbox (bento_sandbox_clone),
	 * hence a pointer. */
	bento_sandbox_pids *pids;
	/* The /usr overlay's outcome, written by the child; NULL without one. */
	bento_usr_overlay_state *usr_overlay;
	/* Its layers (.image: the config's usr_overlay). */
	bento_usr_layers usr_layers;
	/* The D-Bus proxy, if one was started: it exits when sync_fd closes. */
	pid_t dbus_proxy;
	int dbus_proxy_sync;
	char *dbus_proxy_dir;
} bento_sandbox;

int bento_sandbox_prepare(const bento_sandbox_config *cfg, char *const *host_env,
                          bento_sandbox **out, bento_error **err);
/* Once the app runs: removes what the host no longer needs (the proxy's
 * socket directory), before the runtime confines itself. */
void bento_sandbox_app_started(bento_sandbox *sb);
void bento_sandbox_free(bento_sandbox *sb);
static inline void bento_sandbox_freep(bento_sandbox **sb)
{
	if (*sb)
		bento_sandbox_free(*sb);
}
#define auto_bento_sandbox __attribute__((cleanup(bento_sandbox_freep))) bento_sandbox *

/* Runs argv (argv[0] a path inside the sandbox, or a name looked up in its
 * PATH) in a sandbox made from cfg,
 * in cwd (inside), with env's NAME=VALUE entries added to the sandbox's
 * environment, its stdout and stderr on out_fd and err_fd (-1: ours), and
 * waits for it: *exit_status is its status, or 128+N for signal N.  For the
 * builder, whose commands need no image. */
typedef struct bento_sandbox_command {
	const bento_sandbox_config *config;
	char *const *argv;
	char *const *env;
	const char *cwd;
	int out_fd, err_fd;
} bento_sandbox_command;

int bento_sandbox_run(const bento_sandbox_command *cmd, int *exit_status, bento_error **err);

/* ---- in the child, which shares the runtime's memory: no allocation ---- */

/* Where a step of the setup failed, for the runtime's message. */
typedef struct bento_sandbox_failure {
	const char *step; /* a static string */
	const char *path; /* the op's path, or NULL */
	int errnum;
} bento_sandbox_failure;

/* Mounts the image on the empty directory dir_fd (opened O_PATH), which
 * name, relative to parent, reaches once something is mounted on it. */
typedef int bento_mount_image_fn(void *ctx, int dir_fd, int parent, const char *name);

/* After unshare(CLONE_NEWUSER | CLONE_NEWNS | sb->clone_flags) and the id
 * maps: builds the root on sb->root, calling mount_image for the image.
 * Returns -1 and fills *why on failure. */
int bento_sandbox_build_root(const bento_sandbox *sb, bento_mount_image_fn *mount_image, void *ctx,
                             bento_sandbox_failure *why);

/* In PID 1 of the new PID namespace: mounts /proc, read-only where it
 * could change the host, and makes the root read-only. */
int bento_sandbox_finish_in_pid_ns(const bento_sandbox *sb, bento_sandbox_failure *why);

/* In the app's process, last before execve: drops every capability,
 * bounding set included, and installs the seccomp filter (with
 * no_new_privs). */
int bento_sandbox_confine_app(const bento_sandbox *sb, bento_sandbox_failure *why);

/* For bento_sandbox_prepare and _free (limits.c): the process
 * limit, and the cgroup that carries it when the user has a delegated one. */
void bento_sandbox_pids_prepare(bento_sandbox *sb, unsigned long max);
void bento_sandbox_pids_free(bento_sandbox_pids *pids);

/* Creates the sandbox's first process as clone(2) would (fn(arg) on stack,
 * of stack_size bytes; flags with the exit signal), in the sandbox's cgroup
 * when it has one (clone3's CLONE_INTO_CGROUP: writing to cgroup.procs
 * would cost an RCU grace period, milliseconds); sb may be NULL. */
pid_t bento_sandbox_clone(const bento_sandbox *sb, int (*fn)(void *), char *stack,
                          size_t stack_size, int flags, void *arg);

/* In the app's process, from bento_sandbox_confine_app: RLIMIT_NPROC when
 * the sandbox is not in a cgroup of its own. */
int bento_sandbox_limit_processes(const bento_sandbox *sb);

/* Why unprivileged user namespaces are refused here, and the fix, as a
 * sentence for an error message. */
char *bento_userns_refusal_reason(int errnum);

#endif
