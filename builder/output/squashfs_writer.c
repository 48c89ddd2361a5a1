/* SPDX-License-Identifier: MIT */
/* Directory tree -> SquashFS image, with libsquashfs 1.2.
 *
 * The work happens in three passes over an in-memory copy of the tree:
 *   1. scan: read every directory, sort its entries bytewise (strcmp), refuse
 *      file types an AppDir has no business containing;
 *   2. data: feed every regular file, in tree order, through libsquashfs's
 *      block processor (worker threads compress, but blocks are written in
 *      submission order, so the bytes do not depend on the thread count);
 *   3. metadata: write the inodes bottom-up (a directory listing needs its
 *      children's inode locations), then the directory, fragment and ID
 *      tables, and finally the super block in front.
 *
 * What the image records of each file is chosen for reproducibility: the type
 * and permission bits (including setuid/setgid/sticky: the runtime drops them
 * when it extracts), uid = gid = 0, and one fixed time stamp.  Extended
 * attributes are not read at all: an AppImage is run by unprivileged users,
 * who could not apply security.* or trusted.* attributes anyway, and
 * user.* attributes would only make the image depend on the build host.
 * Hard links are stored as separate inodes that share their data: the data
 * is compressed once and the later links copy the first one's block list,
 * which is exactly what deduplication would have produced, only without
 * compressing it all again (Mesa's drivers are a dozen links to one 25 MB
 * file).  So the image is the same whether or not a copy of the AppDir kept
 * its hard links. */
#include "output/squashfs_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>

#include "core/util.h"
#include "util/beneath.h"

/* Bytes read from a source file per read(); the block processor cuts them
 * into blocks itself, so this only trades syscalls against memory. */
#define READ_CHUNK (1024 * 1024)
/* Blocks in flight per worker thread: enough to keep every worker busy while
 * the main thread reads, few enough to bound memory (jobs * 8 * block size). */
#define BACKLOG_PER_JOB 8
/* SquashFS images are padded to this, as mksquashfs does (block devices). */
#define IMAGE_ALIGN 4096u
#define NO_XATTR 0xFFFFFFFFu

/* ---- an sqfs_file_t that starts at an offset of a file descriptor ---- */

/* libsquashfs writes its image from position 0 of an sqfs_file_t.  This one
 * shifts every access by `offset`, so the image lands right behind the runtime
 * in the same file and never has to be copied. */
typedef struct offset_file {
	sqfs_file_t base;
	int fd;          /* borrowed, not closed */
	uint64_t offset; /* where position 0 is in fd */
	uint64_t size;   /* bytes written so far, relative to offset */
	int saved_errno; /* of the last failed system call, for the message */
} offset_file;

static int offset_file_read_at(sqfs_file_t *base, sqfs_u64 pos, void *buf, size_t len)
{
	offset_file *f = (offset_file *)base;
	if (pos > f->size || len > f->size - pos)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	ssize_t n = bento_pread_all(f->fd, buf, len, (off_t)(f->offset + pos));
	if (n < 0) {
		f->saved_errno = errno;
		return SQFS_ERROR_IO;
	}
	return (size_t)n == len ? 0 : SQFS_ERROR_OUT_OF_BOUNDS;
}

static int offset_file_write_at(sqfs_file_t *base, sqfs_u64 pos, const void *buf, size_t len)
{
	offset_file *f = (offset_file *)base;
	const char *p = buf;
	off_t at = (off_t)(f->offset + pos);
	for (size_t left = len; left > 0;) {
		ssize_t n = pwrite(f->fd, p, left, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			f->saved_errno = n < 0 ? errno : EIO;
			return SQFS_ERROR_IO;
		}
		p += n;
		at += n;
		left -= (size_t)n;
	}
	if (pos + len > f->size)
		f->size = pos + len;
	return 0;
}

static sqfs_u64 offset_file_get_size(const sqfs_file_t *base)
{
	return ((const offset_file *)base)->size;
}

static int offset_file_truncate(sqfs_file_t *base, sqfs_u64 size)
{
	offset_file *f = (offset_file *)base;
	if (ftruncate(f->fd, (off_t)(f->offset + size)) < 0) {
		f->saved_errno = errno;
		return SQFS_ERROR_IO;
	}
	f->size = size;
	return 0;
}

static void offset_file_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static offset_file *offset_file_new(int fd, uint64_t offset)
{
	offset_file *f = xcalloc(1, sizeof(*f));
	f->base.base.destroy = offset_file_destroy;
	f->base.base.copy = NULL; /* writable files are not copyable (io.h) */
	f->base.read_at = offset_file_read_at;
	f->base.write_at = offset_file_write_at;
	f->base.get_size = offset_file_get_size;
	f->base.truncate = offset_file_truncate;
	f->fd = fd;
	f->offset = offset;
	return f;
}

/* ---- a compressor that never makes a block larger ---- */

/* libsquashfs 1.2's lz4 compressor returns its output even when it is larger
 * than the input (4 bytes of ID table become 5), and squashfs-tools'
 * unsquashfs rejects such a block as corrupt.  The SquashFS convention, which
 * mksquashfs and libsquashfs's other compressors follow, is to store a block
 * that does not shrink uncompressed; this wrapper enforces it for all of them
 * (do_block returning 0 means just that). */
typedef struct shrink_only {
	sqfs_compressor_t base;
	sqfs_compressor_t *inner;
} shrink_only;

static sqfs_s32 shrink_only_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size,
                                     sqfs_u8 *out, sqfs_u32 outsize)
{
	sqfs_compressor_t *inner = ((shrink_only *)base)->inner;
	sqfs_s32 r = inner->do_block(inner, in, size, out, outsize);
	return r > 0 && (sqfs_u32)r >= size ? 0 : r;
}

static void shrink_only_get_configuration(const sqfs_compressor_t *base,
                                          sqfs_compressor_config_t *cfg)
{
	const sqfs_compressor_t *inner = ((const shrink_only *)base)->inner;
	inner->get_configuration(inner, cfg);
}

static int shrink_only_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	sqfs_compressor_t *inner = ((shrink_only *)base)->inner;
	return inner->write_options(inner, file);
}

static int shrink_only_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	sqfs_compressor_t *inner = ((shrink_only *)base)->inner;
	return inner->read_options(inner, file);
}

static void shrink_only_destroy(sqfs_object_t *obj)
{
	sqfs_destroy(((shrink_only *)obj)->inner);
	free(obj);
}

static sqfs_compressor_t *shrink_only_new(sqfs_compressor_t *inner);

/* The block processor gives each worker thread its own copy. */
static sqfs_object_t *shrink_only_copy(const sqfs_object_t *obj)
{
	sqfs_compressor_t *inner = sqfs_copy(((const shrink_only *)obj)->inner);
	return inner ? (sqfs_object_t *)shrink_only_new(inner) : NULL;
}

/* Takes ownership of inner. */
static sqfs_compressor_t *shrink_only_new(sqfs_compressor_t *inner)
{
	shrink_only *s = xcalloc(1, sizeof(*s));
	s->base.base.destroy = shrink_only_destroy;
	s->base.base.copy = shrink_only_copy;
	s->base.get_configuration = shrink_only_get_configuration;
	s->base.write_options = shrink_only_write_options;
	s->base.read_options = shrink_only_read_options;
	s->base.do_block = shrink_only_do_block;
	s->inner = inner;
	return &s->base;
}

/* ---- the in-memory tree ---- */

typedef struct node {
	char *name;             /* entry name; "" for the root */
	char *path;             /* relative to the source directory; "." for the root */
	mode_t mode;            /* file type and permission bits */
	char *target;           /* symbolic links */
	struct node **children; /* directories, sorted by name */
	size_t n_children;
	size_t n_subdirs;
	/* Regular files: the block processor creates this inode and keeps
	 * updating it until sqfs_block_processor_finish() returns. */
	sqfs_inode_generic_t *inode;
	/* Regular files with more than one link: their identity, and the
	 * earlier link whose data this one shares (NULL if it is the first). */
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	struct node *data_of;
	uint32_t inode_num;
	uint64_t inode_ref; /* where its inode was written: block << 16 | offset */
} node;

static void node_free(node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n_children; i++)
		node_free(n->children[i]);
	free(n->children);
	sqfs_free(n->inode);
	free(n->target);
	free(n->path);
	free(n->name);
	free(n);
}

static void node_freep(node **n)
{
	node_free(*n);
}
#define autotree __attribute__((cleanup(node_freep)))

static node *node_new(const node *parent, const char *name, mode_t mode)
{
	node *n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	if (parent == NULL)
		n->path = xstrdup(".");
	else if (strcmp(parent->path, ".") == 0)
		n->path = xstrdup(name);
	else
		n->path = xasprintf("%s/%s", parent->path, name);
	n->mode = (mode & S_IFMT) | (mode & 07777);
	return n;
}

static void node_add_child(node *dir, node *child)
{
	dir->children = realloc(dir->children, (dir->n_children + 1) * sizeof(*dir->children));
	if (dir->children == NULL)
		abort();
	dir->children[dir->n_children++] = child;
}

/* ---- pass 1: scan ---- */

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* What the image cannot hold, described, or NULL. */
static const char *unsupported_type(mode_t mode)
{
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode) ? NULL : bento_file_type_name(mode);
}

static int read_link(int dir_fd, const char *src, node *n, bento_error **err)
{
	char buf[PATH_MAX];
	ssize_t len = readlinkat(dir_fd, n->name, buf, sizeof(buf));
	if (len < 0)
		return bento_error_errno(err, "cannot read symbolic link %s/%s", src, n->path);
	if ((size_t)len >= sizeof(buf))
		return bento_error_set(err, ENAMETOOLONG, "%s/%s: symbolic link target too long",
		                       src, n->path);
	n->target = xasprintf("%.*s", (int)len, buf);
	return 0;
}

static int add_entry(int dir_fd, const char *src, node *dir, const char *name, bento_error **err)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return bento_error_errno(err, "cannot stat %s/%s/%s", src, dir->path, name);
	node *n = node_new(dir, name, st.st_mode);
	node_add_child(dir, n);
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->nlink = st.st_nlink;
	const char *bad = unsupported_type(st.st_mode);
	if (bad)
		return bento_error_set(err, 0,
		                       "%s/%s: is %s; only regular files, directories and "
		                       "symbolic links can be packed",
		                       src, n->path, bad);
	if (S_ISLNK(st.st_mode))
		return read_link(dir_fd, src, n, err);
	return 0;
}

static int read_dir_entries(int root_fd, const char *src, node *dir, bento_error **err)
{
	/* Walked from the top without following a link: the tree may be
	 * what a build made, and what was a directory when it was listed must
	 * still be one. */
	int fd = bento_beneath_dir(root_fd, src, dir->path, false, err);
	if (fd < 0)
		return -1;
	__attribute__((cleanup(closedirp))) DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return bento_error_errno(err, "cannot read directory %s/%s", src, dir->path);
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				return bento_error_errno(err, "cannot read directory %s/%s", src,
				                         dir->path);
			return 0;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (add_entry(dirfd(d), src, dir, de->d_name, err) < 0)
			return -1;
	}
}

static int compare_nodes(const void *a, const void *b)
{
	return strcmp((*(node *const *)a)->name, (*(node *const *)b)->name);
}

/* Sorted by bytes, not by locale: the directory table requires it and it
 * makes the image independent of the order readdir() happens to return. */
static void sort_children(node *dir)
{
	if (dir->n_children > 1) /* (qsort wants an array, an empty one has none) */
		qsort(dir->children, dir->n_children, sizeof(*dir->children), compare_nodes);
	dir->n_subdirs = 0;
	for (size_t i = 0; i < dir->n_children; i++)
		if (S_ISDIR(dir->children[i]->mode))
			dir->n_subdirs++;
}

static int scan_dir(int root_fd, const char *src, node *dir, bento_error **err)
{
	if (read_dir_entries(root_fd, src, dir, err) < 0)
		return -1;
	sort_children(dir);
	for (size_t i = 0; i < dir->n_children; i++)
		if (S_ISDIR(dir->children[i]->mode) &&
		    scan_dir(root_fd, src, dir->children[i], err) < 0)
			return -1;
	return 0;
}

static int add_extra_links(node *root, const bento_sqfs_symlink *extra, size_t n_extra,
                           const char *src, bento_error **err)
{
	for (size_t i = 0; i < n_extra; i++) {
		for (size_t j = 0; j < root->n_children; j++)
			if (strcmp(root->children[j]->name, extra[i].name) == 0)
				return bento_error_set(err, EEXIST, "%s/%s already exists", src,
				                       extra[i].name);
		node *n = node_new(root, extra[i].name, S_IFLNK | 0777);
		n->target = xstrdup(extra[i].target);
		node_add_child(root, n);
	}
	sort_children(root);
	return 0;
}

static node *scan_tree(int root_fd, const char *src, const bento_sqfs_symlink *extra,
                       size_t n_extra, bento_error **err)
{
	struct stat st;
	if (fstat(root_fd, &st) < 0) {
		bento_error_errno(err, "cannot stat %s", src);
		return NULL;
	}
	autotree node *root = node_new(NULL, "", st.st_mode);
	if (scan_dir(root_fd, src, root, err) < 0)
		return NULL;
	if (add_extra_links(root, extra, n_extra, src, err) < 0)
		return NULL;
	return steal_pointer(&root);
}

/* Inode numbers follow the order in which pass 3 writes the inodes: a
 * directory's contents first, then the directory; the root comes last. */
static void number_inodes(node *dir, uint32_t *next)
{
	for (size_t i = 0; i < dir->n_children; i++) {
		node *c = dir->children[i];
		if (S_ISDIR(c->mode))
			number_inodes(c, next);
		else
			c->inode_num = (*next)++;
	}
	dir->inode_num = (*next)++;
}

/* ---- the libsquashfs objects of one image ---- */

typedef struct image {
	offset_file *file;
	sqfs_compressor_t *cmp;
	sqfs_compressor_t *uncmp; /* reads fragment blocks back to verify deduplication */
	sqfs_block_writer_t *blkwr;
	sqfs_frag_table_t *frags;
	sqfs_block_processor_t *proc;
	sqfs_id_table_t *ids;
	sqfs_meta_writer_t *inode_mw;
	sqfs_meta_writer_t *dir_mw;
	sqfs_dir_writer_t *dirwr;
	sqfs_super_t super;
	sqfs_u16 root_id; /* ID table index of uid/gid 0 */
	const char *out_name;
	uint32_t mtime;
} image;

/* Reverse order of creation: each object may still refer to the earlier ones. */
static void image_cleanup(image *im)
{
	sqfs_destroy(im->dirwr);
	sqfs_destroy(im->dir_mw);
	sqfs_destroy(im->inode_mw);
	sqfs_destroy(im->ids);
	sqfs_destroy(im->proc);
	sqfs_destroy(im->frags);
	sqfs_destroy(im->blkwr);
	sqfs_destroy(im->uncmp);
	sqfs_destroy(im->cmp);
	sqfs_destroy(im->file);
}
#define autoimage __attribute__((cleanup(image_cleanup)))

static const char *sqfs_error_text(int code)
{
	switch (code) {
	case SQFS_ERROR_ALLOC:
		return "out of memory";
	case SQFS_ERROR_IO:
		return "input/output error";
	case SQFS_ERROR_COMPRESSOR:
		return "the compressor failed";
	case SQFS_ERROR_CORRUPTED:
		return "corrupted data";
	case SQFS_ERROR_UNSUPPORTED:
		return "unsupported by this libsquashfs";
	case SQFS_ERROR_OVERFLOW:
	case SQFS_ERROR_OUT_OF_BOUNDS:
		return "the image is too large";
	case SQFS_ERROR_ARG_INVALID:
		return "invalid setting";
	default:
		return "internal error";
	}
}

/* Sets *err for a failed libsquashfs call.  An I/O error comes from our own
 * file object, which kept the errno behind it. */
static int sqfs_fail(const image *im, int code, const char *what, bento_error **err)
{
	if (code == SQFS_ERROR_IO && im->file != NULL && im->file->saved_errno != 0) {
		errno = im->file->saved_errno;
		return bento_error_errno(err, "%s: %s: cannot write the image", im->out_name, what);
	}
	return bento_error_set(err, 0, "%s: %s: %s (libsquashfs error %d)", im->out_name, what,
	                       sqfs_error_text(code), code);
}

static int open_compressors(image *im, const bento_sqfs_options *o, bento_error **err)
{
	sqfs_compressor_config_t cfg;
	int r = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)o->compressor, o->block_size, 0);
	if (r != 0)
		return sqfs_fail(im, r, "configuring the compressor", err);
	if (o->level != BENTO_SQFS_DEFAULT_LEVEL)
		cfg.level = (sqfs_u32)o->level;
	sqfs_compressor_t *cmp;
	r = sqfs_compressor_create(&cfg, &cmp);
	if (r != 0)
		return sqfs_fail(im, r, "creating the compressor", err);
	im->cmp = shrink_only_new(cmp);
	cfg.flags |= SQFS_COMP_FLAG_UNCOMPRESS;
	r = sqfs_compressor_create(&cfg, &im->uncmp);
	if (r != 0)
		return sqfs_fail(im, r, "creating the decompressor", err);
	return 0;
}

/* The super block is written once now to reserve its space (the compressor
 * options, if any, follow it directly) and again at the end, complete. */
static int write_head(image *im, const bento_sqfs_options *o, bento_error **err)
{
	sqfs_file_t *file = &im->file->base;
	int r =
	    sqfs_super_init(&im->super, o->block_size, o->mtime, (SQFS_COMPRESSOR)o->compressor);
	if (r != 0)
		return sqfs_fail(im, r, "initialising the super block", err);
	im->super.flags |= SQFS_FLAG_NO_XATTRS;
	r = sqfs_super_write(&im->super, file);
	if (r != 0)
		return sqfs_fail(im, r, "writing the super block", err);
	r = im->cmp->write_options(im->cmp, file);
	if (r < 0)
		return sqfs_fail(im, r, "writing the compressor options", err);
	if (r > 0)
		im->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
	return 0;
}

static int open_data_writers(image *im, const bento_sqfs_options *o, bento_error **err)
{
	sqfs_file_t *file = &im->file->base;
	im->blkwr = sqfs_block_writer_create(file, SQFS_DEVBLK_SIZE, 0);
	im->frags = sqfs_frag_table_create(0);
	if (im->blkwr == NULL || im->frags == NULL)
		return sqfs_fail(im, SQFS_ERROR_ALLOC, "creating the block writer", err);
	sqfs_block_processor_desc_t desc = {
	    .size = sizeof(desc),
	    .max_block_size = o->block_size,
	    .num_workers = o->jobs,
	    .max_backlog = o->jobs * BACKLOG_PER_JOB,
	    .cmp = im->cmp,
	    .wr = im->blkwr,
	    .tbl = im->frags,
	    .file = file,
	    .uncmp = im->uncmp,
	};
	int r = sqfs_block_processor_create_ex(&desc, &im->proc);
	if (r != 0)
		return sqfs_fail(im, r, "creating the block processor", err);
	return 0;
}

static int open_meta_writers(image *im, bento_error **err)
{
	sqfs_file_t *file = &im->file->base;
	im->ids = sqfs_id_table_create(0);
	im->inode_mw = sqfs_meta_writer_create(file, im->cmp, 0);
	/* Directory listings are kept in memory: they go behind the inode
	 * table, which is still being written while they are produced. */
	im->dir_mw = sqfs_meta_writer_create(file, im->cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
	if (im->ids == NULL || im->inode_mw == NULL || im->dir_mw == NULL)
		return sqfs_fail(im, SQFS_ERROR_ALLOC, "creating the metadata writers", err);
	im->dirwr = sqfs_dir_writer_create(im->dir_mw, 0);
	if (im->dirwr == NULL)
		return sqfs_fail(im, SQFS_ERROR_ALLOC, "creating the directory writer", err);
	int r = sqfs_id_table_id_to_index(im->ids, 0, &im->root_id);
	if (r != 0)
		return sqfs_fail(im, r, "creating the ID table", err);
	return 0;
}

static int image_open(image *im, const bento_sqfs_output *out, const bento_sqfs_options *o,
                      bento_error **err)
{
	im->out_name = out->name;
	im->file = offset_file_new(out->fd, out->offset);
	im->mtime = o->mtime;
	if (open_compressors(im, o, err) < 0 || write_head(im, o, err) < 0 ||
	    open_data_writers(im, o, err) < 0 || open_meta_writers(im, err) < 0)
		return -1;
	return 0;
}

/* ---- pass 2: file data ---- */

typedef struct data_pass {
	image *im;
	int root_fd;
	const char *src;
	void *buf;   /* READ_CHUNK bytes */
	void *links; /* tsearch() tree of the first link of each multiply linked file */
} data_pass;

/* The tree's keys are nodes, which the tree of nodes owns. */
static void free_nothing(void *key)
{
	(void)key;
}

static void data_pass_clear(data_pass *p)
{
	tdestroy(p->links, free_nothing);
	free(p->buf);
}

static int compare_file_ids(const void *a, const void *b)
{
	const node *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* True if n is a further link to a file already packed; n then shares its data. */
static bool is_known_link(data_pass *p, node *n)
{
	if (n->nlink < 2)
		return false;
	node **first = tsearch(n, &p->links, compare_file_ids);
	if (first == NULL)
		abort();
	if (*first == n)
		return false;
	n->data_of = *first;
	return true;
}

static int pack_file(data_pass *p, node *n, bento_error **err)
{
	if (is_known_link(p, n))
		return 0;
	autoclose int fd = bento_beneath_open(p->root_fd, p->src, n->path, O_RDONLY, 0, err);
	if (fd < 0)
		return -1;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	autofree char *what = xasprintf("packing %s", n->path);
	int r = sqfs_block_processor_begin_file(p->im->proc, &n->inode, NULL, 0);
	for (;;) {
		if (r != 0)
			return sqfs_fail(p->im, r, what, err);
		ssize_t got = read(fd, p->buf, READ_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return bento_error_errno(err, "cannot read %s/%s", p->src, n->path);
		if (got == 0)
			break;
		r = sqfs_block_processor_append(p->im->proc, p->buf, (size_t)got);
	}
	r = sqfs_block_processor_end_file(p->im->proc);
	return r != 0 ? sqfs_fail(p->im, r, what, err) : 0;
}

/* Files in tree order, the order in which their inodes are numbered. */
static int pack_data(data_pass *p, node *dir, bento_error **err)
{
	for (size_t i = 0; i < dir->n_children; i++) {
		node *c = dir->children[i];
		int r = 0;
		if (S_ISREG(c->mode))
			r = pack_file(p, c, err);
		else if (S_ISDIR(c->mode))
			r = pack_data(p, c, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ---- pass 3: inodes and directory listings ---- */

static int write_inode(image *im, node *n, sqfs_inode_generic_t *inode, bento_error **err)
{
	inode->base.mode = (sqfs_u16)n->mode;
	inode->base.uid_idx = im->root_id;
	inode->base.gid_idx = im->root_id;
	inode->base.mod_time = im->mtime;
	inode->base.inode_number = n->inode_num;
	sqfs_u64 block;
	sqfs_u32 offset;
	sqfs_meta_writer_get_position(im->inode_mw, &block, &offset);
	n->inode_ref = (block << 16) | offset;
	int r = sqfs_meta_writer_write_inode(im->inode_mw, inode);
	return r != 0 ? sqfs_fail(im, r, "writing the inode table", err) : 0;
}

static sqfs_inode_generic_t *symlink_inode(const node *n)
{
	size_t len = strlen(n->target);
	sqfs_inode_generic_t *inode = xcalloc(1, sizeof(*inode) + len);
	inode->base.type = SQFS_INODE_SLINK;
	inode->payload_bytes_available = (sqfs_u32)len;
	inode->payload_bytes_used = (sqfs_u32)len;
	inode->data.slink.nlink = 1;
	inode->data.slink.target_size = (sqfs_u32)len;
	memcpy(inode->extra, n->target, len);
	return inode;
}

/* A further hard link gets a copy of the first link's inode: same blocks,
 * same fragment, its own inode number.  (The first link's inode stays
 * allocated until the tree is freed for this reason.) */
static sqfs_inode_generic_t *shared_data_inode(const node *n)
{
	const sqfs_inode_generic_t *first = n->data_of->inode;
	size_t size = sizeof(*first) + first->payload_bytes_available;
	sqfs_inode_generic_t *inode = xmalloc(size);
	memcpy(inode, first, size);
	return inode;
}

static int write_leaf(image *im, node *n, bento_error **err)
{
	if (S_ISLNK(n->mode)) {
		autofree sqfs_inode_generic_t *inode = symlink_inode(n);
		return write_inode(im, n, inode, err);
	}
	if (n->data_of != NULL) {
		autofree sqfs_inode_generic_t *inode = shared_data_inode(n);
		return write_inode(im, n, inode, err);
	}
	return write_inode(im, n, n->inode, err);
}

static int write_listing(image *im, const node *dir, bento_error **err)
{
	int r = sqfs_dir_writer_begin(im->dirwr, 0);
	for (size_t i = 0; r == 0 && i < dir->n_children; i++) {
		const node *c = dir->children[i];
		r = sqfs_dir_writer_add_entry(im->dirwr, c->name, c->inode_num, c->inode_ref,
		                              (sqfs_u16)c->mode);
	}
	if (r == 0)
		r = sqfs_dir_writer_end(im->dirwr);
	return r != 0 ? sqfs_fail(im, r, "writing the directory table", err) : 0;
}

static int write_dir(image *im, node *dir, uint32_t parent_num, bento_error **err)
{
	for (size_t i = 0; i < dir->n_children; i++) {
		node *c = dir->children[i];
		int r = S_ISDIR(c->mode) ? write_dir(im, c, dir->inode_num, err)
		                         : write_leaf(im, c, err);
		if (r < 0)
			return -1;
	}
	if (write_listing(im, dir, err) < 0)
		return -1;
	sqfs_inode_generic_t *inode =
	    sqfs_dir_writer_create_inode(im->dirwr, 0, NO_XATTR, parent_num);
	if (inode == NULL)
		return sqfs_fail(im, SQFS_ERROR_ALLOC, "writing the directory table", err);
	/* The classic link count (itself, "." and each subdirectory's ".."),
	 * as the kernel and mksquashfs count it. */
	sqfs_u32 nlink = (sqfs_u32)(2 + dir->n_subdirs);
	if (inode->base.type == SQFS_INODE_DIR)
		inode->data.dir.nlink = nlink;
	else
		inode->data.dir_ext.nlink = nlink;
	int r = write_inode(im, dir, inode, err);
	sqfs_free(inode);
	return r;
}

/* Inode table (written directly), directory table (kept in memory until the
 * inode table is complete), then the tables the super block points to. */
static int write_tables(image *im, node *root, uint32_t inode_count, bento_error **err)
{
	sqfs_file_t *file = &im->file->base;
	im->super.inode_count = inode_count;
	im->super.inode_table_start = file->get_size(file);
	/* The root has no parent; mksquashfs gives it one past the last inode. */
	if (write_dir(im, root, inode_count + 1, err) < 0)
		return -1;
	int r = sqfs_meta_writer_flush(im->inode_mw);
	if (r == 0)
		r = sqfs_meta_writer_flush(im->dir_mw);
	if (r != 0)
		return sqfs_fail(im, r, "writing the inode table", err);
	im->super.root_inode_ref = root->inode_ref;
	im->super.directory_table_start = file->get_size(file);
	r = sqfs_meta_write_write_to_file(im->dir_mw);
	if (r != 0)
		return sqfs_fail(im, r, "writing the directory table", err);
	r = sqfs_frag_table_write(im->frags, file, &im->super, im->cmp);
	if (r != 0)
		return sqfs_fail(im, r, "writing the fragment table", err);
	r = sqfs_id_table_write(im->ids, file, &im->super, im->cmp);
	if (r != 0)
		return sqfs_fail(im, r, "writing the ID table", err);
	return 0;
}

static int write_super_and_pad(image *im, uint64_t *image_size, bento_error **err)
{
	sqfs_file_t *file = &im->file->base;
	im->super.bytes_used = file->get_size(file);
	int r = sqfs_super_write(&im->super, file);
	if (r != 0)
		return sqfs_fail(im, r, "writing the super block", err);
	static const unsigned char zeros[IMAGE_ALIGN];
	size_t pad = (IMAGE_ALIGN - im->super.bytes_used % IMAGE_ALIGN) % IMAGE_ALIGN;
	r = file->write_at(file, im->super.bytes_used, zeros, pad);
	if (r != 0)
		return sqfs_fail(im, r, "padding the image", err);
	if (image_size)
		*image_size = im->super.bytes_used + pad;
	return 0;
}

static int image_finish(image *im, node *root, uint32_t inode_count, uint64_t *image_size,
                        bento_error **err)
{
	int r = sqfs_block_processor_finish(im->proc);
	if (r != 0)
		return sqfs_fail(im, r, "writing the file data", err);
	if (write_tables(im, root, inode_count, err) < 0)
		return -1;
	return write_super_and_pad(im, image_size, err);
}

int bento_sqfs_write_tree(const char *src_dir, const bento_sqfs_symlink *extra, size_t n_extra,
                          const bento_sqfs_output *out, const bento_sqfs_options *opts,
                          uint64_t *image_size, bento_error **err)
{
	autoclose int root_fd = open(src_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return bento_error_errno(err, "cannot open %s", src_dir);
	/* Declared before the image so that it is freed after it: the block
	 * processor holds pointers into the tree until it is destroyed. */
	autotree node *root = scan_tree(root_fd, src_dir, extra, n_extra, err);
	if (root == NULL)
		return -1;
	uint32_t next = 1;
	number_inodes(root, &next);

	autoimage image im = {0};
	if (image_open(&im, out, opts, err) < 0)
		return -1;
	{
		__attribute__((cleanup(data_pass_clear))) data_pass p = {
		    .im = &im, .root_fd = root_fd, .src = src_dir, .buf = xmalloc(READ_CHUNK)};
		if (pack_data(&p, root, err) < 0)
			return -1;
	}
	return image_finish(&im, root, next - 1, image_size, err);
}

/* ---- compressor names and levels ---- */

static const struct {
	const char *name;
	int id;
	int min_level, max_level; /* max < min: no levels */
} compressors[] = {
    {"gzip", SQFS_COMP_GZIP, SQFS_GZIP_MIN_LEVEL, SQFS_GZIP_MAX_LEVEL},
    {"xz", SQFS_COMP_XZ, SQFS_XZ_MIN_LEVEL, SQFS_XZ_MAX_LEVEL},
    {"lz4", SQFS_COMP_LZ4, 1, 0},
    {"zstd", SQFS_COMP_ZSTD, SQFS_ZSTD_MIN_LEVEL, SQFS_ZSTD_MAX_LEVEL},
};

int bento_sqfs_compressor_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (strcmp(compressors[i].name, name) == 0)
			return compressors[i].id;
	return -1;
}

int bento_sqfs_level_range(int compressor, int *min, int *max)
{
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++) {
		if (compressors[i].id != compressor)
			continue;
		if (compressors[i].max_level < compressors[i].min_level)
			return -1;
		*min = compressors[i].min_level;
		*max = compressors[i].max_level;
		return 0;
	}
	return -1;
}
