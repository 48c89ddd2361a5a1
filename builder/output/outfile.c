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
		unlinkat(t->dir_fd, t->tmp_name, 0);
		free(t->path);
		t->path = NULL;
	}
	if (t->dir_open)
		close(t->dir_fd);
	t->dir_open = false;
	free(t->tmp_name);
	t->tmp_name = NULL;
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

/* The next element of dir below parent: opened, followed when it is a link
 * to a directory that exists, created when missing. */
static int open_element(int parent, const char *name, const char *output, const char *shown,
                        bento_error **err)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	struct stat st;
	if ((errno == ELOOP || errno == ENOTDIR) &&
	    fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno == ENOENT)
			bento_error_set(err, ENOENT,
			                "-o %s: %s is a symbolic link that leads nowhere: no "
			                "directory is created through a link",
			                output, shown);
		else
			bento_error_errno(err, "-o %s: %s", output, shown);
		return -1;
	}
	if (errno != ENOENT) {
		bento_error_errno(err, "-o %s: %s", output, shown);
		return -1;
	}
	if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
		bento_error_errno(err, "-o %s: cannot create the directory %s", output, shown);
		return -1;
	}
	/* (what was just made, never a link put in its place since) */
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		bento_error_errno(err, "-o %s: %s", output, shown);
	return fd;
}

int bento_outfile_open_dir(const char *output, bento_error **err)
{
	autofree char *dir = bento_outfile_dir(output);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0)
			bento_error_errno(err, "-o %s: cannot use the directory %s", output, dir);
		return fd;
	}
	fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "-o %s", output);
	for (char *p = dir; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0) {
			p++;
			continue;
		}
		char saved = p[n];
		p[n] = '\0';
		autofree char *shown = xstrdup(dir);
		int next = open_element(fd, p, output, shown, err);
		p[n] = saved;
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		p += n;
	}
	return fd;
}

int bento_outfile_create(const char *output, bento_outfile *t, bento_error **err)
{
	const char *slash = strrchr(output, '/');
	const char *base = slash ? slash + 1 : output;
	autofree char *dir = bento_outfile_dir(output);
	if (*base == '\0')
		return bento_error_usage(err, "-o %s: names a directory, not a file", output);
	t->dir_fd = bento_outfile_open_dir(output, err);
	if (t->dir_fd < 0)
		return -1;
	t->dir_open = true;
	t->tmp_name = xasprintf(".%s.XXXXXX", base);
	char *x = t->tmp_name + strlen(t->tmp_name) - 6;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(x, 7, "%06x", (unsigned)random() & 0xffffff);
		t->fd = openat(t->dir_fd, t->tmp_name,
		               O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (t->fd >= 0 || errno != EEXIST)
			break;
	}
	if (t->fd < 0)
		return bento_error_errno(err, "cannot create a temporary file next to %s", output);
	t->path = xasprintf("%s%s", dir, t->tmp_name);
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++)
		if (pending_tmp[i] == NULL) {
			pending_tmp[i] = t->path;
			break;
		}
	return 0;
}

int bento_outfile_commit(bento_outfile *t, const char *output, mode_t mode, bento_error **err)
{
	const char *slash = strrchr(output, '/');
	const char *base = slash ? slash + 1 : output;
	if (fchmod(t->fd, mode) < 0 || fsync(t->fd) < 0)
		return bento_error_errno(err, "%s: cannot write", t->path);
	if (renameat(t->dir_fd, t->tmp_name, t->dir_fd, base) < 0)
		return bento_error_errno(err, "cannot rename %s to %s", t->path, output);
	forget_pending(t->path);
	free(steal_pointer(&t->path));
	/* (makes the rename durable; a failure here does not undo a complete
	 * file) */
	fsync(t->dir_fd);
	return 0;
}
