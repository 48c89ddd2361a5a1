/* SPDX-License-Identifier: MIT */
/* Serving an image from threads of their own.
 *
 * The launcher's main thread waits for the app and, while a child it has
 * created execs the app from the mount, is suspended (vfork semantics); the
 * image is therefore served by other threads: one that starts at once and,
 * once the app reads more than a handful of files, more, so that requests -
 * the kernel's read-ahead among them - are answered in parallel. */
#ifndef BENTO_SERVER_H
#define BENTO_SERVER_H

#include <sys/types.h>

#include "core/error.h"
#include "fuse/serve.h"
#include "image/image.h"

typedef struct bento_server bento_server;

/* Starts serving.  With srv (already mounted) it serves at once; with srv
 * NULL it waits for bento_server_serve_fd().  BENTO_SERVE_THREADS overrides
 * the number of threads (default: the online CPUs, at least 4, at most 16). */
int bento_server_start(bento_image *img, bento_serve *srv, uid_t owner_uid, gid_t owner_gid,
                       bento_server **out, bento_error **err);
/* Hands over a /dev/fuse descriptor that has just been mounted.  Safe to call
 * from a child sharing the server's memory: it stores an int and writes to
 * an eventfd, nothing else. */
void bento_server_serve_fd(bento_server *server, int fuse_fd);
/* Stops serving, joins the threads and frees the session (unmounting what
 * libfuse mounted). */
void bento_server_stop(bento_server *server);
static inline void bento_server_stopp(bento_server **server)
{
	if (*server)
		bento_server_stop(*server);
}
#define auto_bento_server __attribute__((cleanup(bento_server_stopp))) bento_server *

#endif
