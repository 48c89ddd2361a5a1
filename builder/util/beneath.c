/* SPDX-License-Identifier: MIT */
#include "util/beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* "label/path", or label alone for an empty path. */
static char *shown(const char *label, const char *path, size_t len)
{
	return len ? xasprintf("%s/%.*s", label, (int)len, path) : xstrdup(label);
}

/* The error for the element of path ending at len that cannot be opened
 * (errnum) from parent; errno is left as errnum. */
static int element_error(bento_error **err, int parent, const char *name, const char *label,
                         const char *path, size_t len, int errnum)
{
	struct stat st;
	bool link = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
	autofree char *where = shown(label, path, len);
	if (link)
		bento_error_set(
		    err, ELOOP,
		    "%s is a symbolic link: the builder follows no link in what a build "
		    "made",
		    where);
	else if (errnum == ENOTDIR)
		bento_error_set(err, errnum, "%s is not a directory", where);
	else
		bento_error_set(err, errnum, "%s: %s", where, strerror(errnum));
	errno = link ? ELOOP : errnum;
	return -1;
}

/* The path's elements must stay below: no absolute path, no "..". */
static int check_relative(const char *label, const char *path, bento_error **err)
{
	bool up = false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		up |= n == 2 && p[0] == '.' && p[1] == '.';
		p += n;
		p += *p == '/';
	}
	if (path[0] == '/' || up) {
		bento_error_set(err, EXDEV, "%s: %s leads out of it, refused", label, path);
		errno = EXDEV;
		return -1;
	}
	return 0;
}

void bento_beneath_split(const char *path, char **dir, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	*dir = slash ? xasprintf("%.*s", (int)(slash - path), path) : xstrdup("");
	*leaf = slash ? slash + 1 : path;
}

int bento_beneath_dir(int dir_fd, const char *label, const char *path, bool create,
                      bento_error **err)
{
	if (check_relative(label, path, err) < 0)
		return -1;
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "%s", label);
	autofree char *copy = xstrdup(path);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		size_t end = (size_t)(c - copy) + strlen(c);
		if (strcmp(c, ".") == 0)
			continue;
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				autofree char *where = shown(label, path, end);
				close(fd);
				bento_error_set(err, e, "cannot create directory %s: %s", where,
				                strerror(e));
				errno = e;
				return -1;
			}
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			element_error(err, fd, c, label, path, end, errno);
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* The directory of path, opened below dir_fd, and its last element, which
 * must be a name. */
static int open_parent(int dir_fd, const char *label, const char *path, bool create,
                       const char **leaf, bento_error **err)
{
	autofree char *dir = NULL;
	bento_beneath_split(path, &dir, leaf);
	if ((*leaf)[0] == '\0' || strcmp(*leaf, ".") == 0 || strcmp(*leaf, "..") == 0) {
		bento_error_set(err, EINVAL, "%s: %s names no file", label, path);
		errno = EINVAL;
		return -1;
	}
	return bento_beneath_dir(dir_fd, label, dir, create, err);
}

int bento_beneath_open(int dir_fd, const char *label, const char *path, int flags, mode_t mode,
                       bento_error **err)
{
	const char *leaf;
	autoclose int parent = open_parent(dir_fd, label, path, false, &leaf, err);
	if (parent < 0)
		return -1;
	int fd = openat(parent, leaf, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return element_error(err, parent, leaf, label, path, strlen(path), errno);
	return fd;
}

int bento_beneath_read_file(int dir_fd, const char *label, const char *path, size_t max,
                            char **data, size_t *len, bento_error **err)
{
	autoclose int fd = bento_beneath_open(dir_fd, label, path, O_RDONLY | O_NONBLOCK, 0, err);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s/%s", label, path);
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		return bento_error_set(err, EINVAL,
		                       "%s/%s is not a regular file of at most %zu bytes", label,
		                       path, max);
	autofree char *buf = xmalloc((size_t)st.st_size + 1);
	ssize_t n = bento_pread_all(fd, buf, (size_t)st.st_size, 0);
	if (n < 0)
		return bento_error_errno(err, "cannot read %s/%s", label, path);
	buf[n] = '\0';
	*len = (size_t)n;
	*data = steal_pointer(&buf);
	return 0;
}

int bento_beneath_tmpfile(int dir_fd, const char *name, char **tmp)
{
	*tmp = xasprintf(".%s.XXXXXX", name);
	char *x = *tmp + strlen(*tmp) - 6;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(x, 7, "%06x", (unsigned)random() & 0xffffff);
		int fd = openat(dir_fd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		                0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

int bento_beneath_replace_file(int dir_fd, const char *label, const char *path,
                               const char *contents, mode_t mode, bento_error **err)
{
	const char *leaf;
	autoclose int parent = open_parent(dir_fd, label, path, false, &leaf, err);
	if (parent < 0)
		return -1;
	autofree char *tmp = NULL;
	autoclose int fd = bento_beneath_tmpfile(parent, leaf, &tmp);
	if (fd < 0)
		return bento_error_errno(err, "cannot create a file beside %s/%s", label, path);
	if (fchmod(fd, mode) < 0 || bento_write_all(fd, contents, strlen(contents)) < 0 ||
	    fsync(fd) < 0 || renameat(parent, tmp, parent, leaf) < 0) {
		bento_error_errno(err, "cannot write %s/%s", label, path);
		unlinkat(parent, tmp, 0);
		return -1;
	}
	return 0;
}

int bento_beneath_remove(int dir_fd, const char *label, const char *path, bento_error **err)
{
	const char *leaf;
	auto_bento_error e = NULL;
	autoclose int parent = open_parent(dir_fd, label, path, false, &leaf, &e);
	if (parent < 0 && errno == ENOENT)
		return 0;
	if (parent < 0) {
		if (err != NULL && *err == NULL)
			*err = steal_pointer(&e);
		return -1;
	}
	/* Through the descriptor's own path: the parent is the directory just
	 * opened, and bento_remove_tree follows nothing below it. */
	char fd_path[32];
	bento_fd_path(fd_path, parent);
	autofree char *where = xasprintf("%s/%s", fd_path, leaf);
	if (bento_remove_tree(where, err) < 0) {
		bento_error_prefix(err, "%s/%s", label, path);
		return -1;
	}
	return 0;
}
