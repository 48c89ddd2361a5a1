/* SPDX-License-Identifier: MIT */
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* The temporary files (the image and its .zsync) are removed on every way
 * out that is not success, including SIGINT, SIGTERM and SIGHUP. */
static char *volatile pending_tmp[2];

static void remove_pending_tmp(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++) {
		char *path = pending_tmp[i];
		if (path != NULL)
			unlink(path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void forget_pending(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++)
		if (pending_tmp[i] == path)
			pending_tmp[i] = NULL;
}

void bento_outfile_clear(bento_outfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path != NULL) {
		forget_pending(t->path);
		unlink(t->path);
		free(t->path);
		t->path = NULL;
	}
}

void bento_outfile_watch_signals(void)
{
	struct sigaction sa = {.sa_handler = remove_pending_tmp};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

char *bento_outfile_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xasprintf("%.*s", (int)(slash - path + 1), path) : xstrdup("./");
}

int bento_outfile_create(const char *output, bento_outfile *t, bento_error **err)
{
	const char *slash = strrchr(output, '/');
	const char *base = slash ? slash + 1 : output;
	autofree char *dir = bento_outfile_dir(output);
	if (*base == '\0')
		return bento_error_usage(err, "-o %s: names a directory, not a file", output);
	t->path = xasprintf("%s.%s.XXXXXX", dir, base);
	t->fd = mkostemp(t->path, O_CLOEXEC);
	if (t->fd < 0) {
		int saved = errno;
		free(t->path);
		t->path = NULL;
		errno = saved;
		return bento_error_errno(err, "cannot create a temporary file next to %s", output);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++)
		if (pending_tmp[i] == NULL) {
			pending_tmp[i] = t->path;
			break;
		}
	return 0;
}

/* Makes the rename durable; a failure here does not undo a complete file. */
static void sync_parent_dir(const char *output)
{
	autofree char *dir = bento_outfile_dir(output);
	autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

int bento_outfile_commit(bento_outfile *t, const char *output, mode_t mode, bento_error **err)
{
	if (fchmod(t->fd, mode) < 0 || fsync(t->fd) < 0)
		return bento_error_errno(err, "%s: cannot write", t->path);
	if (rename(t->path, output) < 0)
		return bento_error_errno(err, "cannot rename %s to %s", t->path, output);
	forget_pending(t->path);
	free(steal_pointer(&t->path));
	sync_parent_dir(output);
	return 0;
}
