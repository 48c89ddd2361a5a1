/* SPDX-License-Identifier: MIT */
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>

#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <pthread.h>
#include <unistd.h>

#include "decompress.h"
#include "util.h"

/* The image never changes while it is served, so the kernel may cache names
 * and attributes for as long as it likes. */
#define CACHE_TIMEOUT 86400.0

/* An open file or directory.  The kernel sends no RELEASE when the mount
 * goes away with its namespace, so handles are also kept in a list and freed
 * with the session. */
typedef struct handle {
	sqfs_inode inode;
	struct handle *prev, *next;
} handle;

struct bento_serve {
	bento_image *img;
	pthread_mutex_t handles_lock;
	handle open_handles; /* list head */
	struct fuse_session *se;
	bento_mount_via via;
	/* The kernel sends no OPEN/RELEASE (OPENDIR/RELEASEDIR) at all: read
	 * and readdir find the inode from the node id. */
	bool no_open;
	bool mounted;
	uid_t uid;
	gid_t gid;
	sqfs_inode_id root_id;
};

/* FUSE node ids: 1 is the root; every other inode is its SquashFS inode
 * reference (48 bits) plus 2, so the mapping needs no table. */
static fuse_ino_t to_node(const bento_serve *srv, sqfs_inode_id id)
{
	return id == srv->root_id ? FUSE_ROOT_ID : (fuse_ino_t)id + 2;
}

static sqfs_inode_id to_inode_id(const bento_serve *srv, fuse_ino_t node)
{
	return node == FUSE_ROOT_ID ? srv->root_id : (sqfs_inode_id)(node - 2);
}

static bento_serve *serve_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* libsquashfuse's caches are not thread-safe, so every serving thread reads
 * through a handle of its own (the first one through the image's). */
static _Thread_local sqfs *thread_fs;

static sqfs *fs_of(bento_serve *srv)
{
	return thread_fs ? thread_fs : &srv->img->fs;
}

static int inode_get(bento_serve *srv, fuse_ino_t node, sqfs_inode *inode)
{
	if (node < FUSE_ROOT_ID)
		return -EINVAL;
	return bento_inode_get(fs_of(srv), inode, to_inode_id(srv, node)) == SQFS_OK ? 0 : -EIO;
}

/* Reads the inode of a request; on failure answers the request and returns
 * false. */
static bool inode_for_request(fuse_req_t req, fuse_ino_t node, sqfs_inode *inode)
{
	int r = inode_get(fuse_req_userdata(req), node, inode);
	if (r < 0)
		fuse_reply_err(req, -r);
	return r == 0;
}

static mode_t inode_mode(const sqfs_inode *inode)
{
	return inode->base.mode | sqfs_mode(inode->base.inode_type);
}

/* st_ino is SquashFS's inode number, as readdir reports it (hard links share
 * it); the FUSE node id is the inode's position, which the kernel keeps to
 * itself. */
static void inode_stat(bento_serve *srv, const sqfs_inode *inode, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = inode->base.inode_number;
	st->st_mode = inode_mode(inode);
	st->st_nlink = (nlink_t)inode->nlink;
	st->st_uid = srv->uid;
	st->st_gid = srv->gid;
	st->st_mtim.tv_sec = st->st_atim.tv_sec = st->st_ctim.tv_sec = inode->base.mtime;
	st->st_blksize = (blksize_t)le32toh(srv->img->sb.block_size);
	if (S_ISREG(st->st_mode)) {
		st->st_size = (off_t)inode->xtra.reg.file_size;
		st->st_blocks = (blkcnt_t)((inode->xtra.reg.file_size + 511) / 512);
	} else if (S_ISLNK(st->st_mode)) {
		st->st_size = (off_t)inode->xtra.symlink_size;
	} else if (S_ISDIR(st->st_mode)) {
		st->st_size = (off_t)inode->xtra.dir.dir_size;
	} else if (S_ISBLK(st->st_mode) || S_ISCHR(st->st_mode)) {
		st->st_rdev =
		    makedev((unsigned)inode->xtra.dev.major, (unsigned)inode->xtra.dev.minor);
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode dir;
	if (!inode_for_request(req, parent, &dir))
		return;
	if (!S_ISDIR(inode_mode(&dir))) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (strlen(name) > SQUASHFS_NAME_LEN) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	bool found = false;
	if (bento_dir_lookup(fs_of(srv), &dir, name, &entry, &found) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	struct fuse_entry_param e = {.attr_timeout = CACHE_TIMEOUT, .entry_timeout = CACHE_TIMEOUT};
	if (!found) {
		/* A zero node id caches the negative answer: start-up probes many
		 * names that do not exist. */
		fuse_reply_entry(req, &e);
		return;
	}
	sqfs_inode inode;
	if (bento_inode_get(fs_of(srv), &inode, sqfs_dentry_inode(&entry)) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	e.ino = to_node(srv, sqfs_dentry_inode(&entry));
	inode_stat(srv, &inode, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode inode;
	if (!inode_for_request(req, node, &inode))
		return;
	struct stat st;
	inode_stat(srv, &inode, &st);
	fuse_reply_attr(req, &st, CACHE_TIMEOUT);
}

static void op_readlink(fuse_req_t req, fuse_ino_t node)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode inode;
	if (!inode_for_request(req, node, &inode))
		return;
	if (!S_ISLNK(inode_mode(&inode))) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (inode.xtra.symlink_size > PATH_MAX) { /* the image's 32-bit size is not to be trusted */
		fuse_reply_err(req, EIO);
		return;
	}
	size_t size = inode.xtra.symlink_size + 1;
	autofree char *target = xcalloc(1, size + 1);
	if (sqfs_readlink(fs_of(srv), &inode, target, &size) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	fuse_reply_readlink(req, target);
}

static void handle_unlink(bento_serve *srv, handle *h)
{
	pthread_mutex_lock(&srv->handles_lock);
	h->prev->next = h->next;
	h->next->prev = h->prev;
	pthread_mutex_unlock(&srv->handles_lock);
	free(h);
}

/* The inode a read or readdir is about: the open handle's copy, or (when
 * the kernel does not open files) read again into *scratch.  On failure the
 * request has been answered and NULL is returned. */
static sqfs_inode *request_inode(fuse_req_t req, fuse_ino_t node, const struct fuse_file_info *fi,
                                 sqfs_inode *scratch)
{
	if (fi->fh != 0)
		return &((handle *)(uintptr_t)fi->fh)->inode;
	return inode_for_request(req, node, scratch) ? scratch : NULL;
}

/* Opened files and directories keep a copy of their inode in fi->fh. */
static void open_inode(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi, bool want_dir)
{
	bento_serve *srv = serve_of(req);
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (srv->no_open) {
		/* ENOSYS tells the kernel to stop sending opens (and their
		 * releases): two round trips fewer per file and directory. */
		fuse_reply_err(req, ENOSYS);
		return;
	}
	sqfs_inode inode;
	int r = inode_get(srv, node, &inode);
	if (r == 0 && want_dir != S_ISDIR(inode_mode(&inode)))
		r = want_dir ? -ENOTDIR : -EISDIR;
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	handle *h = xmalloc(sizeof(*h));
	h->inode = inode;
	pthread_mutex_lock(&srv->handles_lock);
	h->prev = &srv->open_handles;
	h->next = srv->open_handles.next;
	h->next->prev = h;
	srv->open_handles.next = h;
	pthread_mutex_unlock(&srv->handles_lock);
	fi->fh = (uint64_t)(uintptr_t)h;
	/* The contents cannot change: keep the page cache across opens. */
	fi->keep_cache = 1;
	if (want_dir)
		fi->cache_readdir = 1;
	if (fuse_reply_open(req, fi) != 0)
		handle_unlink(srv, h);
}

static void op_open(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	open_inode(req, node, fi, false);
}

static void op_opendir(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	open_inode(req, node, fi, true);
}

static void op_release(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	handle_unlink(serve_of(req), (handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_read(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode scratch, *inode = request_inode(req, node, fi, &scratch);
	if (inode == NULL)
		return;
	uint64_t file_size = inode->xtra.reg.file_size;
	if (off < 0 || (uint64_t)off >= file_size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > file_size - (uint64_t)off)
		size = (size_t)(file_size - (uint64_t)off);
	autofree char *buf = xmalloc(size);
	sqfs_off_t got = (sqfs_off_t)size;
	if (sqfs_read_range(fs_of(srv), inode, off, &got, buf) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	fuse_reply_buf(req, buf, (size_t)got);
}

/* Adds one directory entry to buf; with plus, its attributes too (so that
 * a walk that stats every entry needs no LOOKUP for each).  Returns the
 * size it needs, which is more than room when it did not fit. */
static size_t add_entry(fuse_req_t req, bool plus, char *buf, size_t room, const char *name,
                        const struct stat *st, sqfs_inode_id id, off_t next, bool *failed)
{
	if (!plus)
		return fuse_add_direntry(req, buf, room, name, st, next);
	struct fuse_entry_param e = {
	    .attr = *st, .attr_timeout = CACHE_TIMEOUT, .entry_timeout = CACHE_TIMEOUT};
	if (id != 0) {
		bento_serve *srv = serve_of(req);
		sqfs_inode inode;
		if (bento_inode_get(fs_of(srv), &inode, id) != SQFS_OK) {
			*failed = true;
			return 0;
		}
		e.ino = to_node(srv, id);
		inode_stat(srv, &inode, &e.attr);
	}
	return fuse_add_direntry_plus(req, buf, room, name, &e, next);
}

/* Directory offsets: 1 and 2 stand for "." and ".."; SquashFS's own entry
 * offsets (which start after a 12-byte header, so are never below 3) follow.
 * "." and ".." carry no attributes (the kernel does not take them). */
static void list_dir(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                     struct fuse_file_info *fi, bool plus)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode scratch, *inode = request_inode(req, node, fi, &scratch);
	if (inode == NULL)
		return;
	autofree char *buf = xmalloc(size);
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	size_t used = 0;
	bool failed = false;
	struct stat st = {.st_mode = S_IFDIR};
	static const char *const dots[] = {".", ".."};
	for (off_t i = off; i < 2; i++) {
		st.st_ino = i == 0 ? inode->base.inode_number : inode->xtra.dir.parent_inode;
		size_t n =
		    add_entry(req, plus, buf + used, size - used, dots[i], &st, 0, i + 1, &failed);
		if (n > size - used)
			goto reply;
		used += n;
	}
	sqfs_dir dir;
	if (sqfs_dir_open(fs_of(srv), inode, &dir, off > 2 ? off : 0) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	sqfs_err sqerr = SQFS_OK;
	while (sqfs_dir_next(fs_of(srv), &dir, &entry, &sqerr)) {
		if (sqfs_dentry_name_size(&entry) > SQUASHFS_NAME_LEN) {
			failed = true;
			break;
		}
		st.st_ino = sqfs_dentry_inode_num(&entry);
		st.st_mode = sqfs_dentry_mode(&entry);
		size_t n =
		    add_entry(req, plus, buf + used, size - used, sqfs_dentry_name(&entry), &st,
		              sqfs_dentry_inode(&entry), sqfs_dentry_next_offset(&entry), &failed);
		if (failed || n > size - used)
			break;
		used += n;
	}
	if (sqerr != SQFS_OK || failed) {
		fuse_reply_err(req, EIO);
		return;
	}
reply:
	fuse_reply_buf(req, buf, used);
}

static void op_readdir(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
	list_dir(req, node, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
	list_dir(req, node, size, off, fi, true);
}

static void op_statfs(fuse_req_t req, fuse_ino_t node)
{
	bento_serve *srv = serve_of(req);
	const struct squashfs_super_block *sb = &srv->img->sb;
	uint32_t bsize = le32toh(sb->block_size);
	struct statvfs sv = {
	    .f_bsize = bsize,
	    .f_frsize = bsize,
	    .f_blocks = (le64toh(sb->bytes_used) + bsize - 1) / bsize,
	    .f_files = le32toh(sb->inodes),
	    .f_namemax = SQUASHFS_NAME_LEN,
	    .f_flag = ST_RDONLY,
	};
	fuse_reply_statfs(req, &sv);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t node, const char *name, size_t size)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode inode;
	sqfs_xattr x;
	bool found = false;
	size_t vsize = 0;
	if (!inode_for_request(req, node, &inode))
		return;
	/* Looked up name by name: sqfs_xattr_lookup() cannot tell a missing
	 * attribute from an empty one, and sqfs_xattr_find() overflows its
	 * buffer on longer names of the same namespace. */
	size_t want = strlen(name);
	bool failed = sqfs_xattr_open(fs_of(srv), &inode, &x) != SQFS_OK;
	while (!failed && !found && x.remain > 0) {
		if (sqfs_xattr_read(&x) != SQFS_OK) {
			failed = true;
			break;
		}
		size_t n = sqfs_xattr_name_size(&x);
		autofree char *stored = xmalloc(n + 1);
		failed = sqfs_xattr_name(&x, stored, true) != SQFS_OK;
		found = !failed && n == want && memcmp(stored, name, n) == 0;
	}
	if (found && !failed)
		failed = sqfs_xattr_value_size(&x, &vsize) != SQFS_OK;
	if (failed) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (!found) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if (size == 0) {
		fuse_reply_xattr(req, vsize);
		return;
	}
	if (vsize > size) {
		fuse_reply_err(req, ERANGE);
		return;
	}
	autofree char *buf = xmalloc(vsize);
	if (sqfs_xattr_value(&x, buf) != SQFS_OK) {
		fuse_reply_err(req, EIO);
		return;
	}
	fuse_reply_buf(req, buf, vsize);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t node, size_t size)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode inode;
	sqfs_xattr x;
	int r = inode_get(srv, node, &inode);
	if (r == 0 && sqfs_xattr_open(fs_of(srv), &inode, &x) != SQFS_OK)
		r = -EIO;
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	/* Names come with their prefix ("user.") and a NUL each. */
	size_t cap = 256, used = 0;
	autofree char *names = xmalloc(cap);
	while (x.remain > 0) {
		if (sqfs_xattr_read(&x) != SQFS_OK) {
			fuse_reply_err(req, EIO);
			return;
		}
		size_t n = sqfs_xattr_name_size(&x);
		if (used + n + 1 > cap) {
			cap = (used + n + 1) * 2;
			char *bigger = realloc(names, cap);
			if (bigger == NULL)
				abort();
			names = bigger;
		}
		if (sqfs_xattr_name(&x, names + used, true) != SQFS_OK) {
			fuse_reply_err(req, EIO);
			return;
		}
		used += n;
		names[used++] = '\0';
	}
	if (size == 0)
		fuse_reply_xattr(req, used);
	else if (used > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, names, used);
}

/* The image never changes: opening a file tells us nothing, and symlink
 * targets may live in the page cache.  (In no-open mode the kernel keeps
 * files' and directories' caches as keep_cache and cache_readdir would.) */
static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	bento_serve *srv = userdata;
	const unsigned no_open = FUSE_CAP_NO_OPEN_SUPPORT | FUSE_CAP_NO_OPENDIR_SUPPORT;
	srv->no_open = (conn->capable & no_open) == no_open && getenv("BENTO_FUSE_OPEN") == NULL;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
}

static const struct fuse_lowlevel_ops serve_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .open = op_open,
    .read = op_read,
    .release = op_release,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_release,
    .statfs = op_statfs,
    .getxattr = op_getxattr,
    .listxattr = op_listxattr,
};

int bento_serve_new(bento_image *img, bento_mount_via via, int fuse_fd, const char *mountpoint,
                    uid_t owner_uid, gid_t owner_gid, bento_serve **out, bento_error **err)
{
	autofree char *fd_path = xasprintf("/dev/fd/%d", fuse_fd);
	char *argv_fd[] = {"bento", NULL};
	char *argv_fusermount[] = {
	    "bento", "-o", "ro,auto_unmount,default_permissions,fsname=bento,subtype=bento", NULL};
	struct fuse_args args = FUSE_ARGS_INIT(via == BENTO_MOUNT_FD ? 1 : 3,
	                                       via == BENTO_MOUNT_FD ? argv_fd : argv_fusermount);
	bento_serve *srv = xcalloc(1, sizeof(*srv));
	srv->img = img;
	srv->via = via;
	srv->uid = owner_uid;
	srv->gid = owner_gid;
	srv->root_id = sqfs_inode_root(&img->fs);
	srv->open_handles.prev = srv->open_handles.next = &srv->open_handles;
	pthread_mutex_init(&srv->handles_lock, NULL);
	srv->se = fuse_session_new(&args, &serve_ops, sizeof(serve_ops), srv);
	fuse_opt_free_args(&args);
	if (srv->se == NULL) {
		free(srv);
		return bento_error_set(err, EINVAL, "cannot create the FUSE session");
	}
	const char *target = via == BENTO_MOUNT_FD ? fd_path : mountpoint;
	if (fuse_session_mount(srv->se, target) != 0) {
		bento_serve_free(srv);
		return bento_error_set(err, EPERM, "cannot mount the image at %s with fusermount3",
		                       mountpoint);
	}
	srv->mounted = via == BENTO_MOUNT_FUSERMOUNT;
	*out = srv;
	return 0;
}

int bento_serve_fd(const bento_serve *srv)
{
	return fuse_session_fd(srv->se);
}

struct bento_serve_worker {
	bento_serve *srv;
	struct fuse_buf buf;
	sqfs fs; /* the worker's own handle, unless it uses the image's */
	bool own_fs;
};

bento_serve_worker *bento_serve_worker_new(bento_serve *srv, bool own_handle, bento_error **err)
{
	bento_serve_worker *w = xcalloc(1, sizeof(*w));
	w->srv = srv;
	if (own_handle) {
		bento_image *img = srv->img;
		if (sqfs_init(&w->fs, img->fd, (size_t)img->offset) != SQFS_OK) {
			free(w);
			bento_error_set(err, EIO, "%s: cannot open the image again", img->path);
			return NULL;
		}
		bento_decompress_tune(&w->fs);
		w->own_fs = true;
	}
	return w;
}

int bento_serve_worker_dispatch(bento_serve_worker *w)
{
	thread_fs = w->own_fs ? &w->fs : NULL;
	int r = fuse_session_receive_buf(w->srv->se, &w->buf);
	if (r == -EINTR || r == -EAGAIN)
		return 1;
	if (r <= 0)
		return r == 0 || r == -ENODEV ? 0 : -1;
	fuse_session_process_buf(w->srv->se, &w->buf);
	return fuse_session_exited(w->srv->se) ? 0 : 2;
}

void bento_serve_worker_free(bento_serve_worker *w)
{
	if (w->own_fs)
		bento_sqfs_destroy(&w->fs);
	free(w->buf.mem);
	free(w);
}

void bento_serve_free(bento_serve *srv)
{
	if (srv->mounted)
		fuse_session_unmount(srv->se);
	fuse_session_destroy(srv->se);
	while (srv->open_handles.next != &srv->open_handles)
		handle_unlink(srv, srv->open_handles.next);
	pthread_mutex_destroy(&srv->handles_lock);
	free(srv);
}

static bool log_capturing;
static char log_buffer[2048];

static void capture_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(log_buffer);
	if (used < sizeof(log_buffer) - 1)
		vsnprintf(log_buffer + used, sizeof(log_buffer) - used, fmt, ap);
}

void bento_serve_capture_log(bool capture)
{
	log_capturing = capture;
	log_buffer[0] = '\0';
	fuse_set_log_func(capture ? capture_log : NULL);
}

const char *bento_serve_captured_log(void)
{
	return log_capturing ? log_buffer : "";
}
