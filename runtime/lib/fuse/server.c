/* SPDX-License-Identifier: MIT */
#include "fuse/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/util.h"

#define MAX_THREADS 16
/* Helper threads cost their creation and a request buffer each: worth
 * it for an app that reads a lot, not for one that starts and ends at once.
 * They start after the first thread has answered this many requests. */
#define HELPERS_AFTER_REQUESTS 48

typedef struct worker {
	struct bento_server *server;
	pthread_t thread;
	bento_serve_worker *serve;
	bool started;
	/* The thread's own epoll instance over the FUSE device (exclusive) and
	 * the stop eventfd; -1: plain poll(). */
	int epoll_fd;
} worker;

struct bento_server {
	bento_image *img;
	bento_serve *srv;
	uid_t uid;
	gid_t gid;
	int start_fd; /* eventfd: a descriptor is in fuse_fd */
	int stop_fd;  /* eventfd: stop serving (never read, so it wakes every thread) */
	volatile int fuse_fd;
	/* Both atomic: bento_server_stop and the first thread, which makes srv,
	 * each see the other's write, so one of them stops srv's background
	 * work before the serving threads stop. */
	bool stopping;
	unsigned nthreads;
	worker workers[MAX_THREADS];
};

static unsigned thread_count(void)
{
	const char *forced = getenv("BENTO_SERVE_THREADS");
	long n = forced ? strtol(forced, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (!forced && n < 4)
		n = 4; /* cold reads wait for the disk: more requests in flight help */
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* Waits until fd or stop is readable; returns true for fd. */
static bool poll_readable(int fd, int stop_fd)
{
	struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = stop_fd, .events = POLLIN}};
	while (poll(fds, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return fds[1].revents == 0;
}

/* Sets up w's wait for requests: with poll() every idle thread wakes for
 * each request and all but one find nothing to read, which costs two system
 * calls per thread and request; EPOLLEXCLUSIVE wakes one of them. */
static void worker_wait_init(worker *w, int fd)
{
	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epoll_fd < 0)
		return;
	struct epoll_event dev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = fd};
	struct epoll_event stop = {.events = EPOLLIN, .data.fd = w->server->stop_fd};
	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &dev) < 0 ||
	    epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->server->stop_fd, &stop) < 0) {
		close(w->epoll_fd);
		w->epoll_fd = -1;
	}
}

/* Waits until a request may be read; false once serving is to stop. */
static bool worker_wait(worker *w, int fd)
{
	if (w->epoll_fd < 0)
		return poll_readable(fd, w->server->stop_fd);
	struct epoll_event ev[2];
	int n;
	while ((n = epoll_wait(w->epoll_fd, ev, 2, -1)) < 0)
		if (errno != EINTR)
			return false;
	for (int i = 0; i < n; i++)
		if (ev[i].data.fd == w->server->stop_fd)
			return false;
	return true;
}

static void start_helpers(bento_server *server);

/* helpers_after: start the helpers after that many requests (0: never). */
static void serve_until_stopped(worker *w, unsigned helpers_after)
{
	int fd = bento_serve_fd(w->server->srv);
	unsigned answered = 0;
	worker_wait_init(w, fd);
	while (worker_wait(w, fd)) {
		int r = bento_serve_worker_dispatch(w->serve);
		if (r <= 0)
			break;
		if (r == 2 && ++answered == helpers_after)
			start_helpers(w->server);
	}
}

static void *helper_main(void *arg)
{
	serve_until_stopped(arg, 0);
	return NULL;
}

/* More threads.  Any that cannot be had are simply not there: one thread
 * serves correctly, only slower. */
static void start_helpers(bento_server *server)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	/* Serving needs little stack; a small one is cheaper to map. */
	pthread_attr_setstacksize(&attr, 1 << 20);
	for (unsigned i = 1; i < server->nthreads; i++) {
		worker *w = &server->workers[i];
		w->server = server;
		w->serve = bento_serve_worker_new(server->srv);
		if (pthread_create(&w->thread, &attr, helper_main, w) != 0) {
			bento_serve_worker_free(w->serve);
			w->serve = NULL;
			break;
		}
		w->started = true;
	}
	pthread_attr_destroy(&attr);
}

static void *server_main(void *arg)
{
	bento_server *server = arg;
	worker *w = &server->workers[0];
	if (server->srv == NULL) {
		if (!poll_readable(server->start_fd, server->stop_fd))
			return NULL;
		auto_bento_error err = NULL;
		bento_serve *srv;
		if (bento_serve_new(server->img, BENTO_MOUNT_FD, server->fuse_fd, NULL, server->uid,
		                    server->gid, &srv, &err) < 0) {
			/* Closing the device aborts the mount: the app fails instead of
			 * waiting for answers. */
			close(server->fuse_fd);
			bento_note("%s", err->message);
			return NULL;
		}
		__atomic_store_n(&server->srv, srv, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&server->stopping, __ATOMIC_SEQ_CST))
			bento_serve_stop_background(srv);
	}
	w->server = server;
	w->serve = bento_serve_worker_new(server->srv);
	/* An idle thread may wake for a request another one has already
	 * read: a blocking read would keep it from seeing the stop. */
	int fd = bento_serve_fd(server->srv);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	serve_until_stopped(w, server->nthreads > 1 ? HELPERS_AFTER_REQUESTS : 0);
	return NULL;
}

int bento_server_start(bento_image *img, bento_serve *srv, uid_t owner_uid, gid_t owner_gid,
                       bento_server **out, bento_error **err)
{
	bento_server *server = xcalloc(1, sizeof(*server));
	server->img = img;
	server->srv = srv;
	server->uid = owner_uid;
	server->gid = owner_gid;
	server->fuse_fd = -1;
	server->nthreads = thread_count();
	for (unsigned i = 0; i < MAX_THREADS; i++)
		server->workers[i].epoll_fd = -1;
	server->start_fd = eventfd(0, EFD_CLOEXEC);
	server->stop_fd = eventfd(0, EFD_CLOEXEC);
	int r = server->start_fd < 0 || server->stop_fd < 0 ? errno : 0;
	if (r == 0) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1 << 20);
		r = pthread_create(&server->workers[0].thread, &attr, server_main, server);
		pthread_attr_destroy(&attr);
	}
	if (r != 0) {
		errno = r;
		bento_error_errno(err, "cannot start serving the image");
		if (server->start_fd >= 0)
			close(server->start_fd);
		if (server->stop_fd >= 0)
			close(server->stop_fd);
		free(server);
		return -1;
	}
	server->workers[0].started = true;
	*out = server;
	return 0;
}

void bento_server_serve_fd(bento_server *server, int fuse_fd)
{
	uint64_t one = 1;
	server->fuse_fd = fuse_fd;
	while (write(server->start_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void bento_server_stop(bento_server *server)
{
	/* First, while requests are still answered (see serve.h). */
	__atomic_store_n(&server->stopping, true, __ATOMIC_SEQ_CST);
	bento_serve *srv = __atomic_load_n(&server->srv, __ATOMIC_SEQ_CST);
	if (srv)
		bento_serve_stop_background(srv);
	uint64_t one = 1;
	while (write(server->stop_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	/* The first thread starts the others, so it is joined first. */
	for (unsigned i = 0; i < server->nthreads; i++) {
		worker *w = &server->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		if (w->serve)
			bento_serve_worker_free(w->serve);
		if (w->epoll_fd >= 0)
			close(w->epoll_fd);
	}
	if (server->srv)
		bento_serve_free(server->srv);
	close(server->start_fd);
	close(server->stop_fd);
	free(server);
}
