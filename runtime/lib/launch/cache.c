/* SPDX-License-Identifier: MIT */
#include "launch/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "core/util.h"
#include "image/image.h"
#include "image/seal.h"

/* Extracted trees are at most this deep (image/extract.c refuses deeper);
 * the size of a deeper one is counted down to here. */
#define MAX_DEPTH 256
/* Beside the cache: RECORDS/NAME names the file the tree NAME came from. */
#define RECORDS_SUFFIX ".sources"
#define LEFTOVER_MARK ".tmp-"

char *bento_cache_dir(bool make, bento_error **err)
{
	autofree char *base = bento_state_dir(BENTO_STATE_CACHE, err);
	if (base == NULL)
		return NULL;
	autofree char *dir = xasprintf("%s/extract", base);
	if (make) {
		if (bento_private_dir(base, err) < 0 || bento_private_dir(dir, err) < 0)
			return NULL;
		return steal_pointer(&dir);
	}
	struct stat st;
	if (lstat(dir, &st) < 0 && errno == ENOENT)
		return NULL;
	if (!bento_is_private_dir(dir)) {
		bento_error_set(err, EPERM,
		                "%s is not a private directory of yours: bento does not use it",
		                dir);
		return NULL;
	}
	return steal_pointer(&dir);
}

/* The names bento gives entries: an identity (hex digits, '-' and '.'),
 * and for a leftover, ".tmp-" and mkdtemp's letters. */
static bool entry_name(const char *name, bool *leftover)
{
	const char *mark = strstr(name, LEFTOVER_MARK);
	*leftover = mark != NULL;
	size_t len = mark ? (size_t)(mark - name) : strlen(name);
	if (len == 0 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef-.", name[i]))
			return false;
	return true;
}

/* Disk usage of the tree below dir_fd (closed here), never following a
 * symbolic link nor crossing into another file system. */
static uint64_t tree_bytes(int dir_fd, dev_t dev, int depth)
{
	DIR *d = fdopendir(dir_fd);
	if (d == NULL) {
		close(dir_fd);
		return 0;
	}
	uint64_t total = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		total += (uint64_t)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			int sub = openat(dirfd(d), de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				total += tree_bytes(sub, dev, depth + 1);
		}
	}
	closedir(d);
	return total;
}

/* The file the entry name of the cache dir came from, as recorded, or
 * NULL; *last_used: the record's time. */
static char *read_source(const char *dir, const char *name, struct timespec *last_used)
{
	autofree char *record = xasprintf("%s" RECORDS_SUFFIX "/%s", dir, name);
	autoclose int fd = open(record, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 2 ||
	    st.st_size >= PATH_MAX)
		return NULL;
	*last_used = st.st_mtim;
	autofree char *data = xmalloc((size_t)st.st_size + 1);
	if (bento_pread_all(fd, data, (size_t)st.st_size, 0) != st.st_size)
		return NULL;
	data[st.st_size] = '\0';
	if (data[0] != '/' || strlen(data) != (size_t)st.st_size)
		return NULL;
	return steal_pointer(&data);
}

/* Whether source still is the file the entry name was extracted from: its
 * identity names the entry. */
static bento_cache_source source_state(const char *source, const char *name)
{
	if (source == NULL)
		return BENTO_CACHE_SOURCE_UNKNOWN;
	bento_image file = {0};
	if (stat(source, &file.st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? BENTO_CACHE_SOURCE_GONE
		                                           : BENTO_CACHE_SOURCE_UNKNOWN;
	/* (the identity depends on the file's status alone) */
	autofree char *identity = bento_image_identity(&file);
	return strcmp(identity, name) == 0 ? BENTO_CACHE_SOURCE_PRESENT : BENTO_CACHE_SOURCE_GONE;
}

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const bento_cache_entry *)a)->name, ((const bento_cache_entry *)b)->name);
}

int bento_cache_list(const char *dir, bento_cache_entry **entries, size_t *n, bento_error **err)
{
	*entries = NULL;
	*n = 0;
	int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return bento_error_errno(err, "cannot open %s", dir);
	DIR *d = fdopendir(dir_fd);
	if (d == NULL) {
		close(dir_fd);
		return bento_error_errno(err, "cannot read %s", dir);
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		bool leftover;
		struct stat st;
		if (!entry_name(de->d_name, &leftover) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*entries = realloc(*entries, cap * sizeof(**entries));
			if (*entries == NULL)
				abort();
		}
		bento_cache_entry *e = &(*entries)[(*n)++];
		*e = (bento_cache_entry){
		    .name = xstrdup(de->d_name), .leftover = leftover, .last_used = st.st_mtim};
		e->source = leftover ? NULL : read_source(dir, de->d_name, &e->last_used);
		e->source_state = source_state(e->source, e->name);
		int tree =
		    openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		e->bytes =
		    (uint64_t)st.st_blocks * 512 + (tree >= 0 ? tree_bytes(tree, st.st_dev, 1) : 0);
	}
	closedir(d);
	if (*n > 1)
		qsort(*entries, *n, sizeof(**entries), compare_entries);
	return 0;
}

void bento_cache_entries_free(bento_cache_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].name);
		free(entries[i].source);
	}
	free(entries);
}

int bento_cache_remove(const char *dir, const char *name, bento_error **err)
{
	bool leftover;
	if (!entry_name(name, &leftover))
		return bento_error_set(err, EINVAL, "%s: no entry of the extraction cache", name);
	autofree char *path = xasprintf("%s/%s", dir, name);
	/* Opened without following a link: what is locked is what goes. */
	autoclose int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
		return bento_error_errno(err, "cannot open %s", path);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return 0;
		return bento_error_errno(err, "cannot lock %s", path);
	}
	autofree char *record = xasprintf("%s" RECORDS_SUFFIX "/%s", dir, name);
	if (unlink(record) < 0 && errno != ENOENT)
		return bento_error_errno(err, "cannot remove %s", record);
	bento_seal_forget(path);
	if (bento_remove_tree(path, err) < 0)
		return -1;
	return 1;
}

/* Removes the records whose tree is gone (removed by hand, say). */
static void remove_orphan_records(const char *dir)
{
	autofree char *records = xasprintf("%s" RECORDS_SUFFIX, dir);
	if (!bento_is_private_dir(records))
		return;
	DIR *d = opendir(records);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		bool leftover;
		autofree char *tree = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (entry_name(de->d_name, &leftover) && !leftover && lstat(tree, &st) < 0 &&
		    errno == ENOENT)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

void bento_cache_prune(const char *dir)
{
	bento_cache_entry *entries = NULL;
	size_t n = 0;
	if (bento_cache_list(dir, &entries, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const bento_cache_entry *e = &entries[i];
		if (!e->leftover && e->source_state != BENTO_CACHE_SOURCE_GONE)
			continue;
		auto_bento_error why = NULL;
		int r = bento_cache_remove(dir, e->name, &why);
		if (r > 0)
			bento_debug("extraction cache: removed %s (%s)", e->name,
			            e->leftover ? "an unfinished extraction" : "its file is gone");
		else if (r < 0)
			bento_debug("extraction cache: cannot remove %s: %s", e->name,
			            why->message);
	}
	bento_cache_entries_free(entries, n);
	remove_orphan_records(dir);
}

int bento_cache_use(const char *dir, const char *name, const char *source, bento_error **err)
{
	autofree char *path = xasprintf("%s/%s", dir, name);
	autoclose int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "cannot open %s", path);
	if (flock(fd, LOCK_SH) < 0)
		return bento_error_errno(err, "cannot lock %s", path);
	/* The record's time is this launch's; its text is written only when it
	 * changes (a file moved), since writing it durably costs two syncs. */
	autofree char *records = xasprintf("%s" RECORDS_SUFFIX, dir);
	if (bento_private_dir(records, err) < 0)
		return -1;
	struct timespec ignored;
	autofree char *recorded = read_source(dir, name, &ignored);
	autofree char *record = xasprintf("%s/%s", records, name);
	if (recorded && strcmp(recorded, source) == 0 &&
	    utimensat(AT_FDCWD, record, NULL, AT_SYMLINK_NOFOLLOW) == 0)
		return steal_fd(&fd);
	if (bento_replace_file(record, source, 0600, err) < 0)
		return -1;
	return steal_fd(&fd);
}
