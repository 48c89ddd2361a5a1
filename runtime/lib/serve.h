/* SPDX-License-Identifier: MIT */
/* Serving an image over FUSE (libfuse3 low-level API on top of libsquashfuse)
 * from the calling process.  The caller owns the event loop: it polls
 * bento_serve_fd() and calls bento_serve_dispatch() when it is readable, so
 * that the same loop can also supervise the app. */
#ifndef BENTO_SERVE_H
#define BENTO_SERVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "image.h"

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
int bento_serve_fd(const bento_serve *srv);
/* Handles the pending requests.  Returns 1 while the file system is mounted,
 * 0 once the kernel has ended the session (unmounted), -1 on error. */
int bento_serve_dispatch(bento_serve *srv);
/* Unmounts (when this side mounted) and frees. */
void bento_serve_free(bento_serve *srv);
static inline void bento_serve_freep(bento_serve **srv)
{
	if (*srv)
		bento_serve_free(*srv);
}
#define auto_bento_serve __attribute__((cleanup(bento_serve_freep))) bento_serve *

/* The mount options a caller that mounts itself passes to mount(2). */
char *bento_serve_mount_options(int fuse_fd, uid_t uid, gid_t gid);

/* libfuse logs to stderr; while strategies are being tried its messages are
 * kept and only shown if every strategy fails. */
void bento_serve_capture_log(bool capture);
const char *bento_serve_captured_log(void);

/* ---- serving from a thread --------------------------------------------------
 * The launcher's main thread waits for the app and, while a child it has
 * created execs the app from the mount, is suspended (vfork semantics); the
 * image is therefore served from a thread of its own. */
typedef struct bento_server bento_server;

/* Starts the serving thread.  With srv (already mounted) it serves at once;
 * with srv NULL it waits for bento_server_serve_fd(). */
int bento_server_start(bento_image *img, bento_serve *srv, uid_t owner_uid, gid_t owner_gid,
                       bento_server **out, bento_error **err);
/* Hands over a /dev/fuse descriptor that has just been mounted.  Safe to call
 * from a child sharing the server's memory: it stores an int and writes to
 * an eventfd, nothing else. */
void bento_server_serve_fd(bento_server *server, int fuse_fd);
/* Stops serving, joins the thread and frees the session (unmounting what
 * libfuse mounted). */
void bento_server_stop(bento_server *server);
static inline void bento_server_stopp(bento_server **server)
{
	if (*server)
		bento_server_stop(*server);
}
#define auto_bento_server __attribute__((cleanup(bento_server_stopp))) bento_server *
#endif
