/* SPDX-License-Identifier: MIT */
#include "util/tree_copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "util/beneath.h"
#include "util/tool.h"

/* A file with more than one name, as first copied. */
typedef struct linked_file {
	dev_t dev;
	ino_t ino;
	char *path; /* its copy, relative to the destination */
} linked_file;

typedef struct copier {
	const char *src_label, *dst_label;
	int dst_root;
	void *links; /* tsearch tree of linked_file */
} copier;

static int compare_links(const void *a, const void *b)
{
	const linked_file *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void free_link(void *p)
{
	linked_file *l = p;
	free(l->path);
	free(l);
}

static char *join(const char *rel, const char *name)
{
	return rel[0] ? xasprintf("%s/%s", rel, name) : xstrdup(name);
}

/* Makes room for a file or link at rel (name in dst_fd): a file or link of
 * that name is removed, a directory refused. */
static int clear_place(const copier *cp, int dst_fd, const char *name, const char *rel,
                       bento_error **err)
{
	struct stat st;
	if (fstatat(dst_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bento_error_errno(err, "%s/%s", cp->dst_label, rel);
	if (S_ISDIR(st.st_mode))
		return bento_error_set(
		    err, EISDIR, "%s/%s is a directory, %s/%s is not: the two cannot be merged",
		    cp->dst_label, rel, cp->src_label, rel);
	if (unlinkat(dst_fd, name, 0) < 0)
		return bento_error_errno(err, "cannot replace %s/%s", cp->dst_label, rel);
	return 0;
}

/* A second name of a file already copied: a hard link to the copy.
 * Returns 1 if made, 0 if the file is to be copied after all. */
static int link_to_copy(copier *cp, int dst_fd, const char *name, const struct stat *st,
                        bento_error **err)
{
	linked_file key = {.dev = st->st_dev, .ino = st->st_ino};
	linked_file **found = tfind(&key, &cp->links, compare_links);
	if (found == NULL)
		return 0;
	autofree char *dir = NULL;
	const char *leaf;
	bento_beneath_split((*found)->path, &dir, &leaf);
	autoclose int first = bento_beneath_dir(cp->dst_root, cp->dst_label, dir, false, err);
	if (first < 0)
		return -1;
	/* (too many links, say: a copy of its own then) */
	return linkat(first, leaf, dst_fd, name, 0) == 0 ? 1 : 0;
}

static void remember_copy(copier *cp, const struct stat *st, const char *rel)
{
	linked_file *l = xcalloc(1, sizeof(*l));
	*l = (linked_file){.dev = st->st_dev, .ino = st->st_ino, .path = xstrdup(rel)};
	linked_file **slot = tsearch(l, &cp->links, compare_links);
	if (slot == NULL)
		abort();
	if (*slot != l)
		free_link(l);
}

static int copy_file(copier *cp, int src_fd, int dst_fd, const char *name, const char *rel,
                     const struct stat *st, bento_error **err)
{
	if (clear_place(cp, dst_fd, name, rel, err) < 0)
		return -1;
	int linked = st->st_nlink > 1 ? link_to_copy(cp, dst_fd, name, st, err) : 0;
	if (linked != 0)
		return linked < 0 ? -1 : 0;
	autoclose int in =
	    openat(src_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat now;
	if (in < 0 || fstat(in, &now) < 0)
		return bento_error_errno(err, "cannot read %s/%s", cp->src_label, rel);
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino)
		return bento_error_set(err, 0, "%s/%s changed while it was copied", cp->src_label,
		                       rel);
	autoclose int out =
	    openat(dst_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return bento_error_errno(err, "cannot create %s/%s", cp->dst_label, rel);
	autofree char *from = xasprintf("%s/%s", cp->src_label, rel);
	autofree char *to = xasprintf("%s/%s", cp->dst_label, rel);
	if (bento_copy_data(in, out, now.st_size, from, to, err) < 0)
		return -1;
	struct timespec times[2] = {now.st_atim, now.st_mtim};
	if (fchmod(out, now.st_mode & 07777) < 0 || futimens(out, times) < 0)
		return bento_error_errno(err, "cannot set the mode and time of %s", to);
	if (st->st_nlink > 1)
		remember_copy(cp, st, rel);
	return 0;
}

static int copy_link(const copier *cp, int src_fd, int dst_fd, const char *name, const char *rel,
                     const struct stat *st, bento_error **err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_fd, name, target, sizeof(target) - 1);
	if (n < 0)
		return bento_error_errno(err, "cannot read the symbolic link %s/%s", cp->src_label,
		                         rel);
	target[n] = '\0';
	if (clear_place(cp, dst_fd, name, rel, err) < 0)
		return -1;
	if (symlinkat(target, dst_fd, name) < 0)
		return bento_error_errno(err, "cannot create %s/%s", cp->dst_label, rel);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	utimensat(dst_fd, name, times, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* The mode and times of src (which the contents' copy changed) on dst. */
static int copy_dir_attributes(const copier *cp, int dst, const char *rel, const struct stat *st,
                               bento_error **err)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (fchmod(dst, st->st_mode & 07777) < 0 || futimens(dst, times) < 0)
		return bento_error_errno(err, "cannot set the mode and time of %s%s%s",
		                         cp->dst_label, rel[0] ? "/" : "", rel);
	return 0;
}

static int copy_dir(copier *cp, int src_fd, int dst_fd, const char *rel, int depth,
                    bento_error **err);

static int copy_subdir(copier *cp, int src_fd, int dst_fd, const char *name, const char *rel,
                       const struct stat *st, int depth, bento_error **err)
{
	if (depth >= BENTO_TREE_COPY_MAX_DEPTH)
		return bento_error_set(err, 0, "%s/%s: directories nested more than %d deep",
		                       cp->src_label, rel, BENTO_TREE_COPY_MAX_DEPTH);
	struct stat there;
	if (fstatat(dst_fd, name, &there, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT || mkdirat(dst_fd, name, 0700) < 0)
			return bento_error_errno(err, "cannot create %s/%s", cp->dst_label, rel);
	} else if (S_ISLNK(there.st_mode)) {
		return bento_error_set(err, ELOOP,
		                       "%s/%s is a symbolic link where %s/%s is a directory: the "
		                       "builder follows no link in what a build made",
		                       cp->dst_label, rel, cp->src_label, rel);
	} else if (!S_ISDIR(there.st_mode)) {
		return bento_error_set(
		    err, ENOTDIR, "%s/%s is not a directory, %s/%s is: the two cannot be merged",
		    cp->dst_label, rel, cp->src_label, rel);
	}
	autoclose int from = openat(src_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (from < 0)
		return bento_error_errno(err, "cannot open %s/%s", cp->src_label, rel);
	autoclose int to = openat(dst_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0)
		return bento_error_errno(err, "cannot open %s/%s", cp->dst_label, rel);
	if (copy_dir(cp, from, to, rel, depth + 1, err) < 0)
		return -1;
	return copy_dir_attributes(cp, to, rel, st, err);
}

static int copy_entry(copier *cp, int src_fd, int dst_fd, const char *name, const char *rel,
                      int depth, bento_error **err)
{
	struct stat st;
	autofree char *sub = join(rel, name);
	if (fstatat(src_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return bento_error_errno(err, "%s/%s", cp->src_label, sub);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_subdir(cp, src_fd, dst_fd, name, sub, &st, depth, err);
	case S_IFREG:
		return copy_file(cp, src_fd, dst_fd, name, sub, &st, err);
	case S_IFLNK:
		return copy_link(cp, src_fd, dst_fd, name, sub, &st, err);
	default:
		return bento_error_set(err, 0,
		                       "%s/%s is %s: only regular files, directories and symbolic "
		                       "links are copied",
		                       cp->src_label, sub, bento_file_type_name(st.st_mode));
	}
}

static int copy_dir(copier *cp, int src_fd, int dst_fd, const char *rel, int depth,
                    bento_error **err)
{
	int fd = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return bento_error_errno(err, "cannot read %s%s%s", cp->src_label,
		                         rel[0] ? "/" : "", rel);
	}
	int r = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				r = bento_error_errno(err, "cannot read %s%s%s", cp->src_label,
				                      rel[0] ? "/" : "", rel);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((r = copy_entry(cp, dirfd(d), dst_fd, de->d_name, rel, depth, err)) < 0)
			break;
	}
	closedir(d);
	return r;
}

int bento_tree_copy(int src_fd, const char *src_label, int dst_fd, const char *dst_label,
                    bento_error **err)
{
	copier cp = {.src_label = src_label, .dst_label = dst_label, .dst_root = dst_fd};
	struct stat st;
	int r = fstat(src_fd, &st) < 0 ? bento_error_errno(err, "%s", src_label) : 0;
	if (r == 0)
		r = copy_dir(&cp, src_fd, dst_fd, "", 0, err);
	/* As `cp -a SRC/. DST`: the top directory's mode and times too. */
	if (r == 0)
		r = copy_dir_attributes(&cp, dst_fd, "", &st, err);
	tdestroy(cp.links, free_link);
	return r;
}
