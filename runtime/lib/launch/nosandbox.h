/* SPDX-License-Identifier: MIT */
/* An unsandboxed bento app (--bento-no-sandbox) still gets its /app.
 *
 * A bento image is built for /app: its programs, desktop files and
 * configuration name /app/... paths.  Unsandboxed, it runs in a user and
 * mount namespace of its own (the user's uid and gid mapped to themselves)
 * whose root is a read-only tmpfs holding every top-level entry of the
 * host's root, bound recursively as it is (symlinks copied), plus /app: the
 * image (or the directory it was extracted to), and /usr with the image's
 * tree and the .bento layers the app needs over it as in the sandbox
 * (bento-sandbox(7); /lib and /lib64 too where they are directories).  Everything else is the
 * host's, at the same paths, with the same rights, and mounts the host makes
 * later under those entries reach it.
 *
 * A bento_mount_image_fn (sandbox/sandbox.h): the child that makes the
 * namespace calls it on the mount point; it builds the root and moves the
 * child into it.  Shares the runtime's memory: allocates nothing. */
#ifndef BENTO_LAUNCH_NOSANDBOX_H
#define BENTO_LAUNCH_NOSANDBOX_H

#include <stdbool.h>

#include "sandbox/sandbox.h"

typedef struct bento_app_root {
	/* The image at /app: mounted by mount_image(mount_ctx, ...) (FUSE in
	 * the new namespace), or, with mount_image NULL, the directory the
	 * child was called on bound read-only (an extraction, a fusermount3
	 * mount). */
	bento_mount_image_fn *mount_image;
	void *mount_ctx;
	const char *cwd; /* where the app starts (the same path as outside) */
	/* /usr's layers (.image: usr-overlay), as in the sandbox; a .bento
	 * layer that cannot be mounted fails the whole root (layers_failed). */
	bento_usr_layers usr_layers;
	bento_usr_overlay_state usr; /* out */
	const char *step;            /* out: what failed, with errno */
	bool layers_failed;          /* out: it was a .bento layer */
} bento_app_root;

/* ctx: a bento_app_root.  Returns -1 with errno set on failure. */
int bento_app_root_enter(void *ctx, int dir_fd, int parent, const char *name);

#endif
