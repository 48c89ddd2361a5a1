/* SPDX-License-Identifier: MIT */
#include "update/replace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>

#include "core/state.h"

#define TEMP_TAG ".bento-update-"
/* Keeps temporary names within NAME_MAX whatever the file's name. */
#define BASE_IN_TEMP_MAX 200

static void close_leftovers(bento_target *t)
{
	for (size_t i = 0; i < t->leftover_seeds.count; i++)
		close(t->leftover_fds[i]);
	free(t->leftover_fds);
	t->leftover_fds = NULL;
	bento_strv_free(&t->leftover_seeds);
	bento_strv_free(&t->leftover_names);
}

void bento_target_close(bento_target *t)
{
	close_leftovers(t);
	if (t->fd >= 0)
		close(t->fd);
	if (t->dir_fd >= 0)
		close(t->dir_fd);
	free(t->path);
	free(t->base);
	*t = (bento_target){.fd = -1, .dir_fd = -1};
}

static int finish_rollback(bento_target *t, bento_error **err);

int bento_target_open(const char *file, bool lock, bento_target *t, bento_error **err)
{
	*t = (bento_target){.fd = -1, .dir_fd = -1};
	/* Another update may rename a new file over the one locked here between
	 * open and flock: then the lock is taken again on the new one. */
	for (int attempt = 0; attempt < 5; attempt++) {
		bento_target_close(t);
		t->path = realpath(file, NULL);
		if (t->path == NULL)
			return bento_error_errno(err, "%s", file);
		char *slash = strrchr(t->path, '/');
		t->base = xstrdup(slash + 1);
		autofree char *dir = xasprintf("%.*s", (int)(slash - t->path), t->path);
		t->dir_fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (t->dir_fd < 0)
			return bento_error_errno(err, "%s", dir[0] ? dir : "/");
		t->fd = openat(t->dir_fd, t->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (t->fd < 0 || fstat(t->fd, &t->st) < 0)
			return bento_error_errno(err, "%s", t->path);
		if (!S_ISREG(t->st.st_mode))
			return bento_error_set(err, EINVAL, "%s: is %s, not a regular file",
			                       t->path, bento_file_type_name(t->st.st_mode));
		if (!lock)
			return 0;
		if (flock(t->fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == EWOULDBLOCK) {
				bento_error_set(err, EWOULDBLOCK,
				                "%s: is being updated (or rolled back) by another "
				                "bento; try again when it has finished",
				                t->path);
				(*err)->status = BENTO_EXIT_BUSY;
				return -1;
			}
			return bento_error_errno(err, "%s: cannot lock it", t->path);
		}
		struct stat now;
		if (fstatat(t->dir_fd, t->base, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_dev == t->st.st_dev && now.st_ino == t->st.st_ino)
			return finish_rollback(t, err);
	}
	return bento_error_set(err, EAGAIN, "%s: keeps being replaced; try again", t->path);
}

/* ".BASE.bento-update-" */
static char *temp_prefix(const char *base)
{
	return xasprintf(".%.*s" TEMP_TAG, BASE_IN_TEMP_MAX, base);
}

int bento_target_find_leftovers(bento_target *t, bento_error **err)
{
	close_leftovers(t);
	autofree char *prefix = temp_prefix(t->base);
	size_t plen = strlen(prefix);
	int fd = openat(t->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return bento_error_errno(err, "%s: cannot read its directory", t->path);
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		int lfd = openat(t->dir_fd, e->d_name,
		                 O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		struct stat st;
		if (lfd < 0)
			continue;
		/* Only the user's own regular files: in a shared directory
		 * another user may plant anything under this name. */
		if (fstat(lfd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    st.st_nlink != 1) {
			close(lfd);
			continue;
		}
		size_t n = t->leftover_seeds.count;
		t->leftover_fds = realloc(t->leftover_fds, (n + 1) * sizeof(int));
		if (t->leftover_fds == NULL)
			abort();
		t->leftover_fds[n] = lfd;
		bento_strv_add(&t->leftover_seeds, xasprintf("/proc/self/fd/%d", lfd));
		bento_strv_add(&t->leftover_names, xstrdup(e->d_name));
	}
	closedir(d);
	return 0;
}

void bento_target_remove_leftovers(bento_target *t)
{
	for (size_t i = 0; i < t->leftover_names.count; i++) {
		struct stat a, b;
		/* Only if the name still is the file checked. */
		if (fstat(t->leftover_fds[i], &a) == 0 &&
		    fstatat(t->dir_fd, t->leftover_names.items[i], &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			unlinkat(t->dir_fd, t->leftover_names.items[i], 0);
	}
	close_leftovers(t);
}

int bento_temp_create(int dir_fd, const char *base, char **name, int *fd, bento_error **err)
{
	autofree char *prefix = temp_prefix(base);
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[6];
		char hex[13];
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			return bento_error_errno(err, "getrandom");
		bento_hex(hex, rnd, sizeof rnd);
		autofree char *candidate = xasprintf("%s%s", prefix, hex);
		int f = openat(dir_fd, candidate,
		               O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (f >= 0) {
			*fd = f;
			*name = steal_pointer(&candidate);
			return 0;
		}
		/* A name taken (or planted: O_EXCL does not follow a symlink)
		 * is passed over. */
		if (errno != EEXIST)
			return bento_error_errno(
			    err, "%s: cannot create a temporary file beside it", base);
	}
	return bento_error_set(err, EEXIST, "%s: no free temporary name beside it", base);
}

char *bento_previous_dir(const char *path, bool make, bento_error **err)
{
	autofree char *data = bento_state_dir(BENTO_STATE_DATA, err);
	if (data == NULL)
		return NULL;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	SHA256((const unsigned char *)path, strlen(path), md);
	bento_hex(hex, md, sizeof md);
	autofree char *store = xasprintf("%s/previous", data);
	autofree char *dir = xasprintf("%s/%s", store, hex);
	if (make && (bento_private_dir(data, err) < 0 || bento_private_dir(store, err) < 0 ||
	             bento_private_dir(dir, err) < 0))
		return NULL;
	return steal_pointer(&dir);
}

/* Copies all of in (from offset 0) into out. */
static int copy_fd(int in, int out, const char *what, bento_error **err)
{
	off_t off = 0;
	for (;;) {
		ssize_t n = copy_file_range(in, &off, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return bento_error_errno(err, "%s: cannot copy", what);
		break;
	}
	char buf[1 << 16];
	for (;;) {
		ssize_t n = pread(in, buf, sizeof buf, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bento_error_errno(err, "%s: cannot read", what);
		if (n == 0)
			return 0;
		if (bento_write_all(out, buf, (size_t)n) < 0)
			return bento_error_errno(err, "%s: cannot copy", what);
		off += n;
	}
}

/* A complete, fsynced copy of the file open as src in dir_fd, under a
 * temporary name (*name); copy_file_range shares the blocks where the
 * file system can (btrfs, XFS). */
static int copy_into(int src, int dir_fd, const char *base, const char *what, char **name,
                     bento_error **err)
{
	autoclose int fd = -1;
	autofree char *tmp = NULL;
	if (bento_temp_create(dir_fd, base, &tmp, &fd, err) < 0)
		return -1;
	struct stat st;
	if (copy_fd(src, fd, what, err) < 0 || fstat(src, &st) < 0 ||
	    fchmod(fd, st.st_mode & 0777) < 0 || fsync(fd) < 0) {
		if (err && *err == NULL)
			bento_error_errno(err, "%s", what);
		unlinkat(dir_fd, tmp, 0);
		return -1;
	}
	*name = steal_pointer(&tmp);
	return 0;
}

/* The store's directory for path, made and opened. */
static int open_store(const char *path, char **dir_out, bento_error **err)
{
	autofree char *dir = bento_previous_dir(path, true, err);
	if (dir == NULL)
		return -1;
	int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0)
		return bento_error_errno(err, "%s", dir);
	*dir_out = steal_pointer(&dir);
	return dir_fd;
}

/* A complete copy of the file open as fd in the store, as name ("file", or
 * "swap" while a rollback exchanges the two versions). */
static int keep_in_store(const char *path, int fd, const char *name, bento_error **err)
{
	autofree char *dir = NULL;
	autoclose int dir_fd = open_store(path, &dir, err);
	if (dir_fd < 0)
		return -1;
	autofree char *tmp = NULL;
	if (copy_into(fd, dir_fd, "file", path, &tmp, err) < 0)
		return bento_error_prefix(err, "keeping the current version in %s", dir);
	if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
		bento_error_errno(err, "%s/%s", dir, name);
		unlinkat(dir_fd, tmp, 0);
		return -1;
	}
	autofree char *path_file = xasprintf("%s/path", dir);
	autofree char *text = xasprintf("%s\n", path);
	if (bento_replace_file(path_file, text, 0600, err) < 0)
		return -1;
	if (fsync(dir_fd) < 0)
		return bento_error_errno(err, "%s", dir);
	return 0;
}

/* Whether the files open as a and b hold the same bytes. */
static bool same_bytes(int a, int b)
{
	struct stat sa, sb;
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0 || sa.st_size != sb.st_size)
		return false;
	char ba[1 << 16], bb[1 << 16];
	for (off_t off = 0; off < sa.st_size;) {
		ssize_t n = bento_pread_all(a, ba, sizeof ba, off);
		if (n <= 0 || bento_pread_all(b, bb, (size_t)n, off) != n ||
		    memcmp(ba, bb, (size_t)n))
			return false;
		off += n;
	}
	return true;
}

/* The store's temporary copies that a killed update or rollback left. */
static int remove_store_temp(int dir_fd, const char *name, void *data)
{
	const char *prefix = data;
	if (strncmp(name, prefix, strlen(prefix)) == 0)
		unlinkat(dir_fd, name, 0);
	return 0;
}

/* A rollback killed between its two renames leaves "swap" (the newer
 * version, complete) in the store: if the file was already put back (it
 * holds what "file" holds), "swap" takes the place of "file"; otherwise
 * the rollback did not happen and "swap" goes.  Unfinished copies go too. */
static int finish_rollback(bento_target *t, bento_error **err)
{
	autofree char *dir = bento_previous_dir(t->path, false, err);
	if (dir == NULL)
		return -1;
	autoclose int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0)
		return 0;
	autofree char *prefix = temp_prefix("file");
	bento_dir_each(dir_fd, remove_store_temp, prefix);
	struct stat st;
	if (fstatat(dir_fd, "swap", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	autoclose int kept = openat(dir_fd, "file", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (kept >= 0 && same_bytes(kept, t->fd)) {
		bento_note("%s: finishing a rollback that was interrupted", t->path);
		if (renameat(dir_fd, "swap", dir_fd, "file") < 0)
			return bento_error_errno(err, "%s/swap", dir);
	} else if (unlinkat(dir_fd, "swap", 0) < 0) {
		return bento_error_errno(err, "%s/swap", dir);
	}
	if (fsync(dir_fd) < 0)
		return bento_error_errno(err, "%s", dir);
	return 0;
}

/* Renames name over dest in dir_fd, if name still is the file open as fd. */
static int rename_checked(int dir_fd, const char *name, int fd, const char *dest, unsigned flags,
                          const char *what, bento_error **err)
{
	struct stat a, b;
	if (fstat(fd, &a) < 0 || fstatat(dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return bento_error_set(err, EPERM,
		                       "%s: the temporary file %s was replaced by someone else: "
		                       "nothing was changed",
		                       what, name);
	if (renameat2(dir_fd, name, dir_fd, dest, flags) < 0)
		return bento_error_errno(err, "%s", what);
	if (fsync(dir_fd) < 0)
		return bento_error_errno(err, "%s: its directory", what);
	return 0;
}

int bento_target_install(bento_target *t, const char *name, int tmp_fd, bento_error **err)
{
	if (keep_in_store(t->path, t->fd, "file", err) < 0)
		return -1;
	return rename_checked(t->dir_fd, name, tmp_fd, t->base, 0, t->path, err);
}

int bento_temp_publish(int dir_fd, const char *name, int tmp_fd, const char *dest,
                       bento_error **err)
{
	return rename_checked(dir_fd, name, tmp_fd, dest, RENAME_NOREPLACE, dest, err);
}

int bento_target_rollback(bento_target *t, bento_error **err)
{
	autofree char *dir = bento_previous_dir(t->path, false, err);
	if (dir == NULL)
		return -1;
	autofree char *kept = xasprintf("%s/file", dir);
	autoclose int kept_fd = open(kept, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (kept_fd < 0) {
		if (errno == ENOENT)
			return bento_error_set(err, ENOENT,
			                       "%s: no earlier version is kept (bento update keeps "
			                       "the one it replaces, in %s)",
			                       t->path, dir);
		return bento_error_errno(err, "%s", kept);
	}
	/* The kept version beside the file, complete; the current one into
	 * the store as "swap", complete; the kept one over the file; "swap"
	 * over "file" (finish_rollback completes that if this is killed
	 * between the two renames). */
	autofree char *tmp = NULL;
	if (copy_into(kept_fd, t->dir_fd, t->base, kept, &tmp, err) < 0)
		return -1;
	autoclose int tmp_fd = openat(t->dir_fd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (tmp_fd < 0 || keep_in_store(t->path, t->fd, "swap", err) < 0) {
		if (tmp_fd < 0)
			bento_error_errno(err, "%s", tmp);
		unlinkat(t->dir_fd, tmp, 0);
		return -1;
	}
	if (rename_checked(t->dir_fd, tmp, tmp_fd, t->base, 0, t->path, err) < 0) {
		unlinkat(t->dir_fd, tmp, 0);
		return -1;
	}
	autofree char *swap = xasprintf("%s/swap", dir);
	if (rename(swap, kept) < 0)
		return bento_error_errno(err, "%s", swap);
	autoclose int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0 || fsync(dir_fd) < 0)
		return bento_error_errno(err, "%s", dir);
	return 0;
}
