/* SPDX-License-Identifier: MIT */
#include "image/seal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "core/state.h"
#include "core/util.h"

/* Deeper than an extraction ever makes (extract.c refuses deeper images). */
#define MAX_DEPTH 300
#define SEAL_MAX ((size_t)256 << 20)

typedef struct listing {
	char *text;
	size_t len, cap;
} listing;

static void listing_printf(listing *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void listing_printf(listing *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *line = xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(line);
	if (l->len + n + 1 > l->cap) {
		l->cap = (l->len + n + 1) * 2;
		l->text = realloc(l->text, l->cap);
		if (l->text == NULL)
			abort();
	}
	memcpy(l->text + l->len, line, n + 1);
	l->len += n;
}

static void list_entry(listing *l, const struct stat *st, const char *rel)
{
	listing_printf(l, "%06o %llu %llu %lld.%09ld %s\n", (unsigned)st->st_mode,
	               (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	               (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, rel);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Byte order, whatever the locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every entry below the directory fd (which is rel), never following a
 * symlink. */
static int list_dir(int fd, const char *rel, unsigned depth, listing *l, bento_error **err)
{
	if (depth > MAX_DEPTH)
		return bento_error_set(err, ELOOP, "%s: nested too deep", rel);
	struct dirent **names = NULL;
	int n = scandirat(fd, ".", &names, not_dots, by_name);
	if (n < 0)
		return bento_error_errno(err, "cannot list %s", rel);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		autofree char *path = xasprintf("%s/%s", rel, name);
		struct stat st;
		if (r == 0 && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = bento_error_errno(err, "cannot stat %s", path);
		if (r == 0)
			list_entry(l, &st, path);
		if (r == 0 && S_ISDIR(st.st_mode)) {
			autoclose int sub =
			    openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				r = bento_error_errno(err, "cannot open %s", path);
			else
				r = list_dir(sub, path, depth + 1, l, err);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int list_tree(const char *dir, listing *l, bento_error **err)
{
	autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return bento_error_errno(err, "cannot open %s", dir);
	list_entry(l, &st, ".");
	return list_dir(fd, ".", 0, l, err);
}

/* seals/NAME in bento's data directory, NAME a hash of dir's path. */
static char *seal_path(const char *dir, bool make, bento_error **err)
{
	autofree char *data = bento_state_dir(BENTO_STATE_DATA, err);
	if (data == NULL)
		return NULL;
	autofree char *seals = xasprintf("%s/seals", data);
	if (make && (bento_private_dir(data, err) < 0 || bento_private_dir(seals, err) < 0))
		return NULL;
	/* FNV-1a: a name, not a defence (a collision only costs a rebuild). */
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *c = (const unsigned char *)dir; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return xasprintf("%s/%016llx", seals, (unsigned long long)h);
}

int bento_seal_tree(const char *dir, bento_error **err)
{
	autofree char *path = seal_path(dir, true, err);
	if (path == NULL)
		return -1;
	listing l = {0};
	listing_printf(&l, "bento seal 1 %s\n", dir);
	int r = list_tree(dir, &l, err);
	if (r == 0)
		r = bento_replace_file(path, l.text, 0600, err);
	free(l.text);
	if (r < 0)
		bento_error_prefix(err, "cannot seal %s", dir);
	return r;
}

int bento_seal_check(const char *dir, char **why, bento_error **err)
{
	autofree char *path = seal_path(dir, false, err);
	if (path == NULL)
		return -1;
	autofree char *sealed = NULL;
	size_t sealed_len = 0;
	auto_bento_error read_err = NULL;
	if (bento_read_file_at(AT_FDCWD, path, SEAL_MAX, &sealed, &sealed_len, &read_err) < 0) {
		if (why)
			*why = xasprintf("it has no seal (%s)", read_err->message);
		return 0;
	}
	listing l = {0};
	listing_printf(&l, "bento seal 1 %s\n", dir);
	auto_bento_error list_err = NULL;
	int r = list_tree(dir, &l, &list_err);
	if (r == 0 && l.len == sealed_len && memcmp(l.text, sealed, sealed_len) == 0) {
		free(l.text);
		return 1;
	}
	if (why && r < 0) {
		*why = xstrdup(list_err->message);
	} else if (why) {
		/* The first line that differs, for the curious. */
		size_t i = 0, line = 0;
		while (i < l.len && i < sealed_len && l.text[i] == sealed[i])
			if (l.text[i++] == '\n')
				line = i;
		const char *eol = strchr(l.text + line, '\n');
		*why = xasprintf("it changed since it was extracted, at: %.*s",
		                 eol ? (int)(eol - l.text - line) : 0, l.text + line);
	}
	free(l.text);
	return 0;
}

void bento_seal_forget(const char *dir)
{
	autofree char *path = seal_path(dir, false, NULL);
	if (path)
		unlink(path);
}

int bento_seal_lock(bento_error **err)
{
	autofree char *seals = seal_path("", true, err);
	if (seals == NULL)
		return -1;
	*strrchr(seals, '/') = '\0';
	int fd = open(seals, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "%s", seals);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return bento_error_errno(err, "cannot lock %s", seals);
		}
	}
	return fd;
}
