/* SPDX-License-Identifier: MIT */
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		abort();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int bento_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t bento_pread_all(int fd, void *buf, size_t len, off_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int bento_read_file_at(int dirfd, const char *name, size_t max, char **data, size_t *len,
                       bento_error **err)
{
	autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return bento_error_errno(err, "cannot read %s", name);
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		return bento_error_set(err, EINVAL, "%s is not a regular file of at most %zu bytes",
		                       name, max);
	/* Files of /proc and /sys say they are empty: read those to their
	 * end (at most max bytes). */
	size_t cap = st.st_size > 0 ? (size_t)st.st_size : (max < 4096 ? max : 4096);
	autofree char *buf = xmalloc(cap + 1);
	size_t got = 0;
	for (;;) {
		ssize_t n = bento_pread_all(fd, buf + got, cap - got, (off_t)got);
		if (n < 0)
			return bento_error_errno(err, "cannot read %s", name);
		got += (size_t)n;
		if (got < cap || st.st_size > 0 || cap == max)
			break;
		cap = cap * 2 < max ? cap * 2 : max;
		buf = realloc(buf, cap + 1);
		if (buf == NULL)
			abort();
	}
	buf[got] = '\0';
	*len = got;
	*data = steal_pointer(&buf);
	return 0;
}

int bento_read_file_if_present(const char *path, size_t max, char **data, size_t *len,
                               bento_error **err)
{
	auto_bento_error read_err = NULL;
	*data = NULL;
	if (bento_read_file_at(AT_FDCWD, path, max, data, len, &read_err) == 0)
		return 1;
	if (read_err->errnum == ENOENT)
		return 0;
	if (err && *err == NULL)
		*err = steal_pointer(&read_err);
	return -1;
}

int bento_write_file(const char *path, const char *contents, bento_error **err)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "cannot open %s", path);
	if (bento_write_all(fd, contents, strlen(contents)) < 0)
		return bento_error_errno(err, "cannot write %s", path);
	return 0;
}

int bento_replace_file(const char *path, const char *contents, mode_t mode, bento_error **err)
{
	autofree char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return bento_error_set(err, EINVAL, "%s: not an absolute path", path);
	slash[slash == dir ? 1 : 0] = '\0';
	autofree char *tmp = xasprintf("%s.XXXXXX", path);
	autoclose int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "cannot create a file beside %s", path);
	if (fchmod(fd, mode) < 0 || bento_write_all(fd, contents, strlen(contents)) < 0 ||
	    fsync(fd) < 0 || rename(tmp, path) < 0) {
		bento_error_errno(err, "cannot write %s", path);
		unlink(tmp);
		return -1;
	}
	/* The rename is made durable; failing that does not undo a whole file. */
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

const char *bento_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	if (t == NULL || t[0] != '/')
		return "/tmp";
	return t;
}

int bento_mkdir_p(const char *path, mode_t mode, bento_error **err)
{
	autofree char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return bento_error_errno(err, "cannot create directory %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return bento_error_errno(err, "cannot create directory %s", copy);
	return 0;
}

bool bento_path_is_under(const char *path, const char *root)
{
	size_t len = strlen(root);
	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(path, root, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static int remove_tree_at(int parent, const char *name, bento_error **err)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP) {
			if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
				return bento_error_errno(err, "cannot remove %s", name);
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		return bento_error_errno(err, "cannot open %s", name);
	}
	/* The directory may be read-only (an extracted tree keeps the image's modes). */
	fchmod(fd, 0700);
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return bento_error_errno(err, "cannot read %s", name);
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_tree_at(dirfd(d), de->d_name, err) < 0) {
			bento_error_prefix(err, "%s", name);
			r = -1;
			break;
		}
	}
	closedir(d);
	if (r == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return bento_error_errno(err, "cannot remove %s", name);
	return r;
}

int bento_remove_tree(const char *path, bento_error **err)
{
	return remove_tree_at(AT_FDCWD, path, err);
}

void bento_strv_add(bento_strv *v, char *item)
{
	v->items = realloc(v->items, (v->count + 2) * sizeof(char *));
	if (v->items == NULL)
		abort();
	v->items[v->count++] = item;
	v->items[v->count] = NULL;
}

void bento_strv_free(bento_strv *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->items[i]);
	free(v->items);
	*v = (bento_strv){0};
}

static ssize_t strv_find_env(const bento_strv *env, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < env->count; i++)
		if (strncmp(env->items[i], name, len) == 0 && env->items[i][len] == '=')
			return (ssize_t)i;
	return -1;
}

bool bento_env_flag(const char *name, bool dflt)
{
	const char *value = getenv(name);
	if (value == NULL || value[0] == '\0')
		return dflt;
	return strcmp(value, "0") != 0;
}

void bento_hex(char *hex, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * n] = '\0';
}

const char *bento_strv_getenv(const bento_strv *env, const char *name)
{
	ssize_t i = strv_find_env(env, name);
	return i < 0 ? NULL : env->items[i] + strlen(name) + 1;
}

void bento_strv_setenv(bento_strv *env, const char *name, const char *value)
{
	ssize_t i = strv_find_env(env, name);
	if (i >= 0) {
		free(env->items[i]);
		if (value) {
			env->items[i] = xasprintf("%s=%s", name, value);
			return;
		}
		memmove(&env->items[i], &env->items[i + 1],
		        (env->count - (size_t)i) * sizeof(char *));
		env->count--;
		return;
	}
	if (value)
		bento_strv_add(env, xasprintf("%s=%s", name, value));
}

const char *bento_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a fifo";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "of an unknown file type";
	}
}

int bento_dir_each(int dir_fd, bento_dirent_fn fn, void *data)
{
	char buf[4096] __attribute__((aligned(8)));
	long n;
	while ((n = syscall(SYS_getdents64, dir_fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (const void *)(buf + off);
			off += d->reclen;
			if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
				continue;
			int rc = fn(dir_fd, d->name, data);
			if (rc != 0)
				return rc;
		}
	}
	return n < 0 ? -1 : 0;
}
