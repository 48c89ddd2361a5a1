/* SPDX-License-Identifier: MIT */
#include "image/extract.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

/* Deeper trees than this are refused: a hostile image could make a directory
 * its own child. */
#define MAX_DEPTH 256
#define COPY_CHUNK (1 << 20)

/* A directory on the way down; created on demand so that a pattern only
 * creates the directories leading to what it matches. */
typedef struct level {
	struct level *up;
	const char *name;
	int fd;
	mode_t mode;
} level;

/* Directories seen so far.  In a well-formed image each directory has one
 * parent; a hostile one can make many entries name the same directory, and
 * a chain of such directories would take exponentially long to extract. */
typedef struct dir_set {
	sqfs_inode_id *ids;
	size_t count, cap; /* open addressing; cap is a power of two */
} dir_set;

/* Adds id; returns false if it was there already. */
static bool dir_set_add(dir_set *set, sqfs_inode_id id)
{
	if (2 * (set->count + 1) > set->cap) {
		dir_set bigger = {.cap = set->cap ? 2 * set->cap : 64};
		bigger.ids = xcalloc(bigger.cap, sizeof(sqfs_inode_id));
		for (size_t i = 0; i < set->cap; i++)
			if (set->ids[i] != 0)
				dir_set_add(&bigger, set->ids[i] - 1);
		free(set->ids);
		*set = bigger;
	}
	/* Stored plus one, so that 0 marks a free slot. */
	size_t mask = set->cap - 1;
	for (size_t i = (size_t)(id * 0x9e3779b97f4a7c15ull) & mask;; i = (i + 1) & mask) {
		if (set->ids[i] == id + 1)
			return false;
		if (set->ids[i] == 0) {
			set->ids[i] = id + 1;
			set->count++;
			return true;
		}
	}
}

typedef struct extractor {
	bento_image *img;
	const bento_extract_options *opts;
	char path[4096];
	unsigned skipped;
	dir_set dirs;
} extractor;

static int level_open(level *lv, bento_error **err)
{
	if (lv->fd >= 0)
		return 0;
	if (level_open(lv->up, err) < 0)
		return -1;
	if (mkdirat(lv->up->fd, lv->name, 0700) < 0 && errno != EEXIST)
		return bento_error_errno(err, "cannot create directory %s", lv->name);
	lv->fd = openat(lv->up->fd, lv->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (lv->fd < 0)
		return bento_error_errno(err, "cannot open directory %s", lv->name);
	return 0;
}

static bool name_is_safe(const char *name)
{
	return name[0] != '\0' && strlen(name) <= SQUASHFS_NAME_LEN && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int replace_prepare(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
}

static bool is_zero(const char *buf, size_t len)
{
	return len == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, len - 1) == 0);
}

static int write_file(extractor *ex, int dirfd, const char *name, sqfs_inode *inode,
                      bento_error **err)
{
	if (replace_prepare(dirfd, name) < 0)
		return bento_error_errno(err, "cannot replace %s", ex->path);
	autoclose int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return bento_error_errno(err, "cannot create %s", ex->path);
	uint64_t size = inode->xtra.reg.file_size;
	autofree char *buf = xmalloc(COPY_CHUNK);
	for (uint64_t pos = 0; pos < size;) {
		sqfs_off_t n = (sqfs_off_t)(size - pos < COPY_CHUNK ? size - pos : COPY_CHUNK);
		if (sqfs_read_range(&ex->img->fs, inode, (sqfs_off_t)pos, &n, buf) != SQFS_OK ||
		    n <= 0)
			return bento_error_set(err, EIO, "%s: cannot read %s from the image",
			                       ex->img->path, ex->path);
		/* Zeros become holes: a hostile image can declare a huge file of
		 * nothing at all, and must not fill the disk with it. */
		if (is_zero(buf, (size_t)n)) {
			if (lseek(fd, n, SEEK_CUR) < 0)
				return bento_error_errno(err, "cannot write %s", ex->path);
		} else if (bento_write_all(fd, buf, (size_t)n) < 0) {
			return bento_error_errno(err, "cannot write %s", ex->path);
		}
		pos += (uint64_t)n;
	}
	if (ftruncate(fd, (off_t)size) < 0)
		return bento_error_errno(err, "cannot write %s", ex->path);
	/* setuid and setgid bits never survive extraction. */
	if (ex->opts->strict && (inode->base.mode & (S_ISUID | S_ISGID)))
		bento_note("%s: %s: setuid/setgid bits dropped", ex->img->path, ex->path);
	if (fchmod(fd, inode->base.mode & 0777) < 0)
		return bento_error_errno(err, "cannot set the mode of %s", ex->path);
	struct timespec times[2] = {{.tv_sec = inode->base.mtime}, {.tv_sec = inode->base.mtime}};
	futimens(fd, times);
	return 0;
}

static int write_symlink(extractor *ex, int dirfd, const char *name, sqfs_inode *inode,
                         bento_error **err)
{
	if (inode->xtra.symlink_size > PATH_MAX)
		return bento_error_set(err, EINVAL,
		                       "%s: corrupt image: symlink %s is %zu bytes long",
		                       ex->img->path, ex->path, inode->xtra.symlink_size);
	size_t size = inode->xtra.symlink_size + 1;
	autofree char *target = xcalloc(1, size + 1);
	if (sqfs_readlink(&ex->img->fs, inode, target, &size) != SQFS_OK)
		return bento_error_set(err, EIO, "%s: cannot read symlink %s", ex->img->path,
		                       ex->path);
	if (replace_prepare(dirfd, name) < 0)
		return bento_error_errno(err, "cannot replace %s", ex->path);
	if (symlinkat(target, dirfd, name) < 0)
		return bento_error_errno(err, "cannot create symlink %s", ex->path);
	return 0;
}

static bool matches(const extractor *ex)
{
	return ex->opts->pattern == NULL ||
	       fnmatch(ex->opts->pattern, ex->path, FNM_PATHNAME | FNM_LEADING_DIR) == 0;
}

static int extract_dir(extractor *ex, level *lv, sqfs_inode *dir_inode, unsigned depth,
                       bento_error **err);

static int extract_entry(extractor *ex, level *lv, sqfs_dir_entry *entry, unsigned depth,
                         bento_error **err)
{
	const char *name = sqfs_dentry_name(entry);
	size_t base = strlen(ex->path);
	if (!name_is_safe(name))
		return bento_error_set(err, EINVAL, "%s: unsafe name \"%s\" in directory \"%s\"",
		                       ex->img->path, name, ex->path);
	if (base + strlen(name) + 2 >= sizeof(ex->path))
		return bento_error_set(err, ENAMETOOLONG, "%s: path too long under %s",
		                       ex->img->path, ex->path);
	snprintf(ex->path + base, sizeof(ex->path) - base, "%s%s", base ? "/" : "", name);

	sqfs_inode inode;
	int r = 0;
	if (bento_inode_get(&ex->img->fs, &inode, sqfs_dentry_inode(entry)) != SQFS_OK) {
		r = bento_error_set(err, EIO, "%s: cannot read the inode of %s", ex->img->path,
		                    ex->path);
		goto out;
	}
	mode_t mode = inode.base.mode | sqfs_mode(inode.base.inode_type);
	if (S_ISDIR(mode)) {
		if (!dir_set_add(&ex->dirs, sqfs_dentry_inode(entry))) {
			r = bento_error_set(
			    err, ELOOP, "%s: corrupt image: directory %s appears more than once",
			    ex->img->path, ex->path);
			goto out;
		}
		level child = {.up = lv, .name = name, .fd = -1, .mode = mode};
		if (matches(ex))
			r = level_open(&child, err);
		if (r == 0)
			r = extract_dir(ex, &child, &inode, depth + 1, err);
		if (child.fd >= 0) {
			fchmod(child.fd, (child.mode & 0777) | S_IRWXU);
			close(child.fd);
		}
		goto out;
	}
	if (!matches(ex))
		goto out;
	if (!S_ISREG(mode) && !S_ISLNK(mode) && ex->opts->strict) {
		r = bento_error_set(err, EINVAL,
		                    "%s: %s is a device node, fifo or socket, which an app may "
		                    "not hold",
		                    ex->img->path, ex->path);
		goto out;
	}
	if (!S_ISREG(mode) && !S_ISLNK(mode)) {
		bento_note("%s: skipping %s (device nodes, fifos and sockets are never extracted)",
		           ex->img->path, ex->path);
		ex->skipped++;
		goto out;
	}
	if (ex->opts->verbose)
		printf("%s\n", ex->path);
	r = level_open(lv, err);
	if (r == 0)
		r = S_ISREG(mode) ? write_file(ex, lv->fd, name, &inode, err)
		                  : write_symlink(ex, lv->fd, name, &inode, err);
out:
	ex->path[base] = '\0';
	return r;
}

static int extract_dir(extractor *ex, level *lv, sqfs_inode *dir_inode, unsigned depth,
                       bento_error **err)
{
	if (depth > MAX_DEPTH)
		return bento_error_set(err, ELOOP, "%s: directories nested deeper than %d at %s",
		                       ex->img->path, MAX_DEPTH, ex->path);
	sqfs_dir dir;
	if (sqfs_dir_open(&ex->img->fs, dir_inode, &dir, 0) != SQFS_OK)
		return bento_error_set(err, EIO, "%s: cannot read directory %s", ex->img->path,
		                       ex->path[0] ? ex->path : "/");
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	sqfs_err sqerr = SQFS_OK;
	while (sqfs_dir_next(&ex->img->fs, &dir, &entry, &sqerr))
		if (extract_entry(ex, lv, &entry, depth, err) < 0)
			return -1;
	if (sqerr != SQFS_OK)
		return bento_error_set(err, EIO, "%s: cannot read directory %s", ex->img->path,
		                       ex->path[0] ? ex->path : "/");
	return 0;
}

int bento_extract(bento_image *img, const char *dest, const bento_extract_options *opts,
                  bento_error **err)
{
	static const bento_extract_options defaults = {0};
	extractor ex = {.img = img, .opts = opts ? opts : &defaults};
	dir_set_add(&ex.dirs, sqfs_inode_root(&img->fs)); /* an entry naming the root is a loop */
	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return bento_error_errno(err, "cannot create %s", dest);
	level top = {.name = dest,
	             .fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
	if (top.fd < 0)
		return bento_error_errno(err, "cannot open %s", dest);
	sqfs_inode root;
	int r;
	if (bento_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) != SQFS_OK)
		r = bento_error_set(err, EIO, "%s: cannot read the root directory", img->path);
	else
		r = extract_dir(&ex, &top, &root, 0, err);
	if (r == 0)
		fchmod(top.fd, (root.base.mode & 0777) | S_IRWXU);
	close(top.fd);
	free(ex.dirs.ids);
	return r;
}

int bento_extract_atomic(bento_image *img, const char *dest, bento_error **err)
{
	autofree char *tmpl = xasprintf("%s.tmp-XXXXXX", dest);
	if (mkdtemp(tmpl) == NULL)
		return bento_error_errno(err, "cannot create a temporary directory beside %s",
		                         dest);
	autoclose int fd = -1;
	if (bento_extract(img, tmpl, NULL, err) < 0)
		goto fail;
	/* One syncfs makes every file durable before the rename publishes them. */
	fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0) {
		bento_error_errno(err, "cannot sync %s", tmpl);
		goto fail;
	}
	if (rename(tmpl, dest) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			/* Another launch finished first; its copy is as good. */
			bento_remove_tree(tmpl, NULL);
			return 0;
		}
		bento_error_errno(err, "cannot rename %s to %s", tmpl, dest);
		goto fail;
	}
	return 0;
fail:
	bento_remove_tree(tmpl, NULL);
	return -1;
}
