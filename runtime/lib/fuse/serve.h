/* SPDX-License-Identifier: MIT */
/* Serving an image over FUSE (libfuse3 low-level API on top of libsquashfuse)
 * from the calling process.  The caller owns the event loop: it polls
 * bento_serve_fd() and calls bento_serve_dispatch() when it is readable, so
 * that the same loop can also supervise the app. */
#ifndef BENTO_SERVE_H
#define BENTO_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "image/image.h"

typedef struct bento_serve bento_serve;

typedef enum bento_mount_via {
	/* The caller has opened /dev/fuse as fuse_fd and mounts it itself (in
	 * its own namespace); the session only serves. */
	BENTO_MOUNT_FD,
	/* libfuse mounts at the mount point through the setuid fusermount3,
	 * which also unmounts if this process dies (auto_unmount). */
	BENTO_MOUNT_FUSERMOUNT,
} bento_mount_via;

/* Files appear owned by owner_uid/owner_gid (the user running the app). */
int bento_serve_new(bento_image *img, bento_mount_via via, int fuse_fd, const char *mountpoint,
                    uid_t owner_uid, gid_t owner_gid, bento_serve **out, bento_error **err);
/* ---- for the serving threads (server.c) ----
 * Each thread reads requests into a buffer of its own; they share the
 * image's libsquashfuse handle (under a lock) and a cache of decompressed
 * blocks (blockcache.h). */
typedef struct bento_serve_worker bento_serve_worker;
int bento_serve_fd(const bento_serve *srv);
bento_serve_worker *bento_serve_worker_new(bento_serve *srv);
/* Reads and answers one request, in the calling thread.  Returns 2 when it
 * answered one, 1 when the read was interrupted or found nothing, 0 once
 * the kernel has ended the session (unmounted), -1 on error. */
int bento_serve_worker_dispatch(bento_serve_worker *w);
void bento_serve_worker_free(bento_serve_worker *w);

/* Stops what serving does in the background (reading ahead, filling the
 * kernel's page cache) and waits for it.  Call it while requests are still
 * answered: filling the page cache may wait for the answer to a read. */
void bento_serve_stop_background(bento_serve *srv);

/* Unmounts (when this side mounted) and frees. */
void bento_serve_free(bento_serve *srv);
static inline void bento_serve_freep(bento_serve **srv)
{
	if (*srv)
		bento_serve_free(*srv);
}
#define auto_bento_serve __attribute__((cleanup(bento_serve_freep))) bento_serve *

/* The options of a FUSE mount made with mount(2) (printf format: the device's
 * descriptor, uid, gid).  default_permissions: the kernel checks the modes
 * in the image, as for any file system. */
#define BENTO_FUSE_MOUNT_OPTIONS "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions"

/* libfuse logs to stderr; while strategies are being tried its messages are
 * kept and only shown if every strategy fails. */
void bento_serve_capture_log(bool capture);
const char *bento_serve_captured_log(void);

#endif
