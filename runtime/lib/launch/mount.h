/* SPDX-License-Identifier: MIT */
/* Mounting the image in the app's new mount namespace: served over FUSE by
 * the runtime itself, with a read-only overlayfs over it.  A
 * bento_mount_image_fn (sandbox/sandbox.h), called in the child that makes
 * the namespace: it shares the runtime's memory and allocates nothing. */
#ifndef BENTO_LAUNCH_MOUNT_H
#define BENTO_LAUNCH_MOUNT_H

#include <stdbool.h>
#include <sys/types.h>

#include "fuse/server.h"

typedef struct bento_image_mount {
	bento_server *server; /* gets the device, and answers at once */
	uid_t uid;            /* the mount's user and group */
	gid_t gid;
	bool no_overlay;   /* BENTO_IMAGE_OVERLAY=0 */
	int overlay_errno; /* out: why there is no overlayfs, when one was wanted */
} bento_image_mount;

/* Mounts the image (ctx: a bento_image_mount) on the empty directory
 * dir_fd, which name, relative to parent, reaches once something is mounted
 * there.  Sets errno and returns -1 when FUSE cannot be mounted. */
int bento_image_mount_at(void *ctx, int dir_fd, int parent, const char *name);

#endif
