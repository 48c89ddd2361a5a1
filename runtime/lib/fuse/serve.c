/* SPDX-License-Identifier: MIT */
#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>

#include "fuse/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <pthread.h>
#include <unistd.h>

#include "core/util.h"
#include "fuse/blockcache.h"

/* The image never changes while it is served, so the kernel may cache names
 * and attributes for as long as it likes. */
#define CACHE_TIMEOUT 86400.0
/* Metadata blocks (8 KiB each) libsquashfuse keeps decompressed: enough for
 * the inode and directory tables of a large app, so that a walk or a start-up
 * decompresses each metadata block once. */
#define METADATA_CACHE_BLOCKS 128
/* At most this much metadata is read ahead when serving starts. */
#define METADATA_PREFETCH_MAX (8u << 20)
/* Bytes of data and fragment blocks kept decompressed (blockcache.c). */
#define BLOCK_CACHE_BYTES (8u << 20)
/* Files whose last read is remembered, to tell sequential reads. */
#define RECENT_READS 64
/* How far a sequential read is read ahead, in blocks and at most in bytes. */
#define READ_AHEAD_BLOCKS 4
#define READ_AHEAD_BYTES (1u << 20)

/* An open file or directory.  The kernel sends no RELEASE when the mount
 * goes away with its namespace, so handles are also kept in a list and freed
 * with the session. */
typedef struct handle {
	sqfs_inode inode;
	struct handle *prev, *next;
} handle;

struct bento_serve {
	bento_image *img;
	/* libsquashfuse's handle (the image's) is shared by the serving
	 * threads; its metadata caches are not thread-safe, so every use of it
	 * holds fs_lock.  Data and fragment blocks come from cache, without the
	 * lock. */
	pthread_mutex_t fs_lock;
	bento_blockcache *cache;
	struct {
		fuse_ino_t node;
		uint64_t end;
	} recent[RECENT_READS]; /* with fs_lock */
	char *zeros;            /* a block of zeros for holes (calloc'd: no memory until read) */
	pthread_mutex_t handles_lock;
	handle open_handles; /* list head */
	struct fuse_session *se;
	bento_mount_via via;
	/* The kernel sends no OPEN/RELEASE (OPENDIR/RELEASEDIR) at all: read
	 * and readdir find the inode from the node id. */
	bool no_open;
	/* Blocks read in part go into the page cache whole (store_rest);
	 * BENTO_FUSE_STORE=0 turns it off. */
	bool store_rest;
	uint64_t page_size;
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

/* The handle; callers hold fs_lock. */
static sqfs *fs_of(bento_serve *srv)
{
	return &srv->img->fs;
}

static void fs_lock(bento_serve *srv)
{
	pthread_mutex_lock(&srv->fs_lock);
}

static void fs_unlock(bento_serve *srv)
{
	pthread_mutex_unlock(&srv->fs_lock);
}

/* With fs_lock held. */
static int inode_get(bento_serve *srv, fuse_ino_t node, sqfs_inode *inode)
{
	if (node < FUSE_ROOT_ID)
		return -EINVAL;
	return bento_inode_get(fs_of(srv), inode, to_inode_id(srv, node)) == SQFS_OK ? 0 : -EIO;
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

/* With fs_lock held: the entry of name in the directory parent (e->ino 0
 * when there is none). */
static int lookup_locked(bento_serve *srv, fuse_ino_t parent, const char *name,
                         struct fuse_entry_param *e)
{
	sqfs_inode dir;
	int r = inode_get(srv, parent, &dir);
	if (r < 0)
		return r;
	if (!S_ISDIR(inode_mode(&dir)))
		return -ENOTDIR;
	if (strlen(name) > SQUASHFS_NAME_LEN)
		return -ENAMETOOLONG;
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	bool found = false;
	if (bento_dir_lookup(fs_of(srv), &dir, name, &entry, &found) != SQFS_OK)
		return -EIO;
	if (!found)
		return 0;
	sqfs_inode inode;
	if (bento_inode_get(fs_of(srv), &inode, sqfs_dentry_inode(&entry)) != SQFS_OK)
		return -EIO;
	e->ino = to_node(srv, sqfs_dentry_inode(&entry));
	inode_stat(srv, &inode, &e->attr);
	return 0;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	bento_serve *srv = serve_of(req);
	/* A zero node id (not found) caches the negative answer: start-up
	 * probes many names that do not exist. */
	struct fuse_entry_param e = {.attr_timeout = CACHE_TIMEOUT, .entry_timeout = CACHE_TIMEOUT};
	fs_lock(srv);
	int r = lookup_locked(srv, parent, name, &e);
	fs_unlock(srv);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t node, struct fuse_file_info *fi)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode inode;
	fs_lock(srv);
	int r = inode_get(srv, node, &inode);
	fs_unlock(srv);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	struct stat st;
	inode_stat(srv, &inode, &st);
	fuse_reply_attr(req, &st, CACHE_TIMEOUT);
}

/* With fs_lock held: the target of a symlink, in target (PATH_MAX + 2 bytes). */
static int readlink_locked(bento_serve *srv, fuse_ino_t node, char *target)
{
	sqfs_inode inode;
	int r = inode_get(srv, node, &inode);
	if (r < 0)
		return r;
	if (!S_ISLNK(inode_mode(&inode)))
		return -EINVAL;
	if (inode.xtra.symlink_size > PATH_MAX) /* the image's 32-bit size is not to be trusted */
		return -EIO;
	size_t size = inode.xtra.symlink_size + 1;
	return sqfs_readlink(fs_of(srv), &inode, target, &size) == SQFS_OK ? 0 : -EIO;
}

static void op_readlink(fuse_req_t req, fuse_ino_t node)
{
	bento_serve *srv = serve_of(req);
	autofree char *target = xcalloc(1, PATH_MAX + 2);
	fs_lock(srv);
	int r = readlink_locked(srv, node, target);
	fs_unlock(srv);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
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

/* With fs_lock held: the inode a read or readdir is about: the open
 * handle's copy, or (when the kernel does not open files) read again into
 * *scratch. */
static int request_inode(bento_serve *srv, fuse_ino_t node, const struct fuse_file_info *fi,
                         sqfs_inode *scratch, const sqfs_inode **inode)
{
	if (fi->fh != 0) {
		*inode = &((handle *)(uintptr_t)fi->fh)->inode;
		return 0;
	}
	*inode = scratch;
	return inode_get(srv, node, scratch);
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
	fs_lock(srv);
	int r = inode_get(srv, node, &inode);
	fs_unlock(srv);
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

/* A piece of a read: part of a data or fragment block, or of a hole. */
typedef struct span {
	uint64_t pos; /* of the block in the image */
	uint32_t hdr; /* its data header; 0 for a hole */
	size_t from;  /* where the piece starts in the block */
	size_t len;
	/* The whole of the file that the block holds: part_len bytes from
	 * part_from in the block, which are the file's from part_file on. */
	size_t part_from, part_len;
	uint64_t part_file;
} span;

/* With fs_lock held: whether a read at off follows the last read of node
 * (which then ends at end). */
static bool sequential(bento_serve *srv, fuse_ino_t node, uint64_t off, uint64_t end)
{
	__typeof__(srv->recent[0]) *r = &srv->recent[node % RECENT_READS];
	bool seq = r->node == node && r->end == off;
	r->node = node;
	r->end = end;
	return seq;
}

/* With fs_lock held: the pieces of the blocks that hold [off, off + size)
 * of a regular file (size > 0, within the file), into spans (one per block
 * the range touches); and, in ahead, up to max_ahead blocks that follow (the
 * next blocks of the file, or the fragment block after the file's). */
static int plan_read(bento_serve *srv, const sqfs_inode *inode, uint64_t off, size_t size,
                     span *spans, size_t max_spans, size_t *nspans, span *ahead, size_t max_ahead,
                     size_t *nahead)
{
	sqfs *fs = fs_of(srv);
	uint64_t bs = fs->sb.block_size, end = off + size;
	size_t blocks = sqfs_blocklist_count(fs, (sqfs_inode *)inode);
	bool fragment = inode->xtra.reg.frag_idx != SQUASHFS_INVALID_FRAG;
	*nspans = *nahead = 0;
	if (off / bs < blocks) {
		sqfs_blocklist bl;
		if (sqfs_blockidx_blocklist(fs, (sqfs_inode *)inode, &bl, (sqfs_off_t)off) !=
		    SQFS_OK)
			return -EIO;
		while (bl.remain > 0) {
			if (sqfs_blocklist_next(&bl) != SQFS_OK)
				return -EIO;
			if (bl.pos + bs <= off)
				continue;
			bool compressed;
			uint32_t stored;
			sqfs_data_header(bl.header, &compressed, &stored);
			span s = {.pos = bl.block,
			          .hdr = stored == 0 ? 0 : bl.header,
			          .part_len = (size_t)(inode->xtra.reg.file_size - bl.pos < bs
			                                   ? inode->xtra.reg.file_size - bl.pos
			                                   : bs),
			          .part_file = bl.pos};
			if (bl.pos >= end) {
				if (*nahead == max_ahead)
					break;
				if (s.hdr != 0)
					ahead[(*nahead)++] = s;
				continue;
			}
			s.from = off > bl.pos ? (size_t)(off - bl.pos) : 0;
			s.len = (size_t)((end < bl.pos + bs ? end : bl.pos + bs) - bl.pos) - s.from;
			if (*nspans == max_spans)
				return -EIO;
			spans[(*nspans)++] = s;
		}
	}
	uint64_t tail = (uint64_t)blocks * bs;
	if (end > tail) {
		if (!fragment)
			return -EIO; /* a block list shorter than the file */
		struct squashfs_fragment_entry frag;
		if (*nspans == max_spans ||
		    sqfs_frag_entry(fs, &frag, inode->xtra.reg.frag_idx) != SQFS_OK)
			return -EIO;
		uint64_t from = off > tail ? off - tail : 0;
		spans[(*nspans)++] = (span){.pos = frag.start_block,
		                            .hdr = frag.size,
		                            .from = (size_t)(inode->xtra.reg.frag_off + from),
		                            .len = (size_t)(end - tail - from),
		                            .part_from = inode->xtra.reg.frag_off,
		                            .part_len = (size_t)(inode->xtra.reg.file_size - tail),
		                            .part_file = tail};
		/* Small files are packed into fragments in the order they are
		 * read most often (a directory's files one after the other). */
		if (max_ahead > 0 && inode->xtra.reg.frag_idx + 1 < fs->sb.fragments &&
		    sqfs_frag_entry(fs, &frag, inode->xtra.reg.frag_idx + 1) == SQFS_OK)
			ahead[(*nahead)++] = (span){.pos = frag.start_block, .hdr = frag.size};
	}
	/* A corrupt block list may end before the range does. */
	size_t covered = 0;
	for (size_t i = 0; i < *nspans; i++)
		covered += spans[i].len;
	return covered == size ? 0 : -EIO;
}

/* Fills the kernel's page cache with part of a block (on the read-ahead
 * thread): arg is the node, the offset in the file, the offset in the block
 * and the length.  Failures are not errors: the kernel may have forgotten the
 * node since, and the app's own read will get the data anyway. */
static void store_in_page_cache(void *ctx, const bento_block *block, const uint64_t arg[4])
{
	bento_serve *srv = ctx;
	if (arg[2] > block->len || arg[3] > block->len - arg[2])
		return; /* the block is shorter than the file says */
	struct fuse_bufvec bufv = FUSE_BUFVEC_INIT((size_t)arg[3]);
	bufv.buf[0].mem = (char *)block->data + arg[2];
	fuse_lowlevel_notify_store(srv->se, (fuse_ino_t)arg[0], (off_t)arg[1], &bufv, 0);
}

/* Queues the storing of the file's bytes [from, to) that s's block holds, in
 * whole pages (and the file's last, partial one). */
static void store_part(bento_serve *srv, fuse_ino_t node, const span *s, uint64_t from, uint64_t to)
{
	uint64_t page = srv->page_size, part_end = s->part_file + s->part_len;
	from = from < s->part_file ? s->part_file : (from + page - 1) & ~(page - 1);
	to = to >= part_end ? part_end : to & ~(page - 1);
	if (s->hdr == 0 || from >= to)
		return;
	bento_block_task t = {store_in_page_cache,
	                      srv,
	                      {node, from, s->part_from + (from - s->part_file), to - from}};
	bento_blockcache_prefetch(srv->cache, s->pos, s->hdr, &t);
}

/* After a read that was not sequential: the rest of the file in the blocks
 * it decompressed goes into the page cache as well.  The kernel asks for
 * 128 KiB around a page fault, which straddles two blocks; its own squashfs
 * driver keeps every page of the blocks it decompresses.  Without this, a
 * program run from the image (which pages its code in at random) faulted
 * about seven times as often from bento as from the kernel's driver.  Done on
 * the read-ahead thread, not here: storing a page waits for any read of it
 * in flight, which another serving thread may have to answer. */
static void store_rest(bento_serve *srv, fuse_ino_t node, const span *s)
{
	uint64_t start = s->part_file + (s->from - s->part_from);
	store_part(srv, node, s, 0, start);
	store_part(srv, node, s, start + s->len, UINT64_MAX);
}

static void op_read(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode scratch;
	const sqfs_inode *inode;
	uint64_t bs = srv->img->fs.sb.block_size;
	fs_lock(srv);
	int r = request_inode(srv, node, fi, &scratch, &inode);
	uint64_t file_size = r == 0 ? inode->xtra.reg.file_size : 0;
	if (r == 0 && !S_ISREG(inode_mode(inode)))
		r = -EISDIR;
	if (r < 0 || off < 0 || (uint64_t)off >= file_size || size == 0) {
		fs_unlock(srv);
		if (r < 0)
			fuse_reply_err(req, -r);
		else
			fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > file_size - (uint64_t)off)
		size = (size_t)(file_size - (uint64_t)off);
	/* Sequential reads are read ahead by as much as they read, within
	 * bounds; a whole small file read at once, by the fragment after its. */
	size_t nblocks = (size_t)(((uint64_t)off + size - 1) / bs - (uint64_t)off / bs + 1);
	bool seq = sequential(srv, node, (uint64_t)off, (uint64_t)off + size);
	size_t max_ahead = 0;
	if (seq || off == 0) {
		max_ahead = nblocks < READ_AHEAD_BLOCKS ? READ_AHEAD_BLOCKS : nblocks;
		if (max_ahead * bs > READ_AHEAD_BYTES)
			max_ahead = READ_AHEAD_BYTES / bs ? READ_AHEAD_BYTES / bs : 1;
	}
	autofree span *spans = xmalloc((nblocks + max_ahead) * sizeof(span));
	span *ahead = spans + nblocks;
	size_t nspans, nahead;
	r = plan_read(srv, inode, (uint64_t)off, size, spans, nblocks, &nspans, ahead, max_ahead,
	              &nahead);
	fs_unlock(srv);

	autofree const bento_block **held = xcalloc(nspans, sizeof(*held));
	autofree struct iovec *iov = xcalloc(nspans, sizeof(*iov));
	for (size_t i = 0; r == 0 && i < nspans; i++) {
		if (spans[i].hdr == 0) {
			iov[i] = (struct iovec){.iov_base = srv->zeros, .iov_len = spans[i].len};
			continue;
		}
		r = bento_blockcache_get(srv->cache, spans[i].pos, spans[i].hdr, &held[i]);
		if (r == 0 &&
		    (held[i]->len < spans[i].from || held[i]->len - spans[i].from < spans[i].len))
			r = -EIO; /* the block is shorter than the file says */
		if (r == 0)
			iov[i] = (struct iovec){.iov_base = (char *)held[i]->data + spans[i].from,
			                        .iov_len = spans[i].len};
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_iov(req, iov, (int)nspans);
	for (size_t i = 0; i < nspans; i++)
		if (held[i])
			bento_blockcache_release(srv->cache, held[i]);
	for (size_t i = 0; r == 0 && !seq && srv->store_rest && i < nspans; i++)
		store_rest(srv, node, &spans[i]);
	for (size_t i = 0; i < nahead; i++)
		bento_blockcache_prefetch(srv->cache, ahead[i].pos, ahead[i].hdr, NULL);
}

/* With fs_lock held: adds one directory entry to buf; with plus, its
 * attributes too (so that a walk that stats every entry needs no LOOKUP for
 * each).  Returns the size it needs, which is more than room when it did not
 * fit. */
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

/* With fs_lock held: fills buf (size bytes) with the entries of a directory
 * from off on; returns the bytes used or -errno.
 *
 * Directory offsets: 1 and 2 stand for "." and ".."; SquashFS's own entry
 * offsets (which start after a 12-byte header, so are never below 3) follow.
 * "." and ".." carry no attributes (the kernel does not take them). */
static ssize_t list_dir_locked(fuse_req_t req, fuse_ino_t node, char *buf, size_t size, off_t off,
                               struct fuse_file_info *fi, bool plus)
{
	bento_serve *srv = serve_of(req);
	sqfs_inode scratch;
	const sqfs_inode *inode;
	int r = request_inode(srv, node, fi, &scratch, &inode);
	if (r < 0)
		return r;
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
			return (ssize_t)used;
		used += n;
	}
	sqfs_dir dir;
	if (sqfs_dir_open(fs_of(srv), (sqfs_inode *)inode, &dir, off > 2 ? off : 0) != SQFS_OK)
		return -EIO;
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
	if (sqerr != SQFS_OK || failed)
		return -EIO;
	return (ssize_t)used;
}

static void list_dir(fuse_req_t req, fuse_ino_t node, size_t size, off_t off,
                     struct fuse_file_info *fi, bool plus)
{
	bento_serve *srv = serve_of(req);
	autofree char *buf = xmalloc(size);
	fs_lock(srv);
	ssize_t used = list_dir_locked(req, node, buf, size, off, fi, plus);
	fs_unlock(srv);
	if (used < 0)
		fuse_reply_err(req, (int)-used);
	else
		fuse_reply_buf(req, buf, (size_t)used);
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

/* The prefixes of squashfs's xattr types, in the format's order: user,
 * trusted, security (as the kernel's fs/squashfs/xattr.c has them).
 * libsquashfuse 0.1's own table swaps the last two, which served an image's
 * security.capability as trusted.capability and its trusted.* as
 * security.*: names are built here instead. */
static const char *const xattr_prefixes[] = {"user.", "trusted.", "security."};
#define XATTR_TRUSTED 1

/* With fs_lock held, after sqfs_xattr_read: x's whole name into *name
 * (malloc'd, NUL-terminated) and its length into *len.  A name with a NUL
 * in it (a corrupt image) gives -EINVAL: it cannot be listed. */
static int xattr_full_name(sqfs_xattr *x, char **name, size_t *len)
{
	if (x->type >= ARRAY_SIZE(xattr_prefixes))
		return -EIO;
	const char *prefix = xattr_prefixes[x->type];
	size_t plen = strlen(prefix), nlen = x->entry.size;
	autofree char *full = xmalloc(plen + nlen + 1);
	memcpy(full, prefix, plen);
	if (sqfs_xattr_name(x, full + plen, false) != SQFS_OK)
		return -EIO;
	full[plen + nlen] = '\0';
	if (memchr(full + plen, '\0', nlen) != NULL)
		return -EINVAL;
	*len = plen + nlen;
	*name = steal_pointer(&full);
	return 0;
}

/* With fs_lock held: the size of the attribute name of node in *vsize
 * and, when size > 0, its value in *value (malloc'd); -ERANGE when the value
 * is longer than size (checked before anything is allocated). */
static int getxattr_locked(bento_serve *srv, fuse_ino_t node, const char *name, size_t size,
                           char **value, size_t *vsize)
{
	sqfs_inode inode;
	sqfs_xattr x;
	bool found = false;
	int r = inode_get(srv, node, &inode);
	if (r < 0)
		return r;
	/* Looked up name by name: sqfs_xattr_lookup() cannot tell a missing
	 * attribute from an empty one, and sqfs_xattr_find() overflows its
	 * buffer on longer names of the same namespace. */
	size_t want = strlen(name);
	if (sqfs_xattr_open(fs_of(srv), &inode, &x) != SQFS_OK)
		return -EIO;
	while (!found && x.remain > 0) {
		if (sqfs_xattr_read(&x) != SQFS_OK)
			return -EIO;
		autofree char *stored = NULL;
		size_t n;
		r = xattr_full_name(&x, &stored, &n);
		if (r == -EIO)
			return r;
		found = r == 0 && n == want && memcmp(stored, name, n) == 0;
	}
	if (!found)
		return -ENODATA;
	if (sqfs_xattr_value_size(&x, vsize) != SQFS_OK)
		return -EIO;
	if (size == 0)
		return 0;
	if (*vsize > size)
		return -ERANGE;
	*value = xmalloc(*vsize ? *vsize : 1);
	if (sqfs_xattr_value(&x, *value) != SQFS_OK)
		return -EIO;
	return 0;
}

static void op_getxattr(fuse_req_t req, fuse_ino_t node, const char *name, size_t size)
{
	bento_serve *srv = serve_of(req);
	autofree char *value = NULL;
	size_t vsize = 0;
	fs_lock(srv);
	int r = getxattr_locked(srv, node, name, size, &value, &vsize);
	fs_unlock(srv);
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (size == 0)
		fuse_reply_xattr(req, vsize);
	else
		fuse_reply_buf(req, value, vsize);
}

/* With fs_lock held: the names of node's attributes, with their prefix
 * ("user.") and a NUL each, into *names (malloc'd) and *used.  trusted.*
 * only with trusted: the kernel lets no one else read them, and its own
 * squashfs driver lists them only to those who may. */
static int listxattr_locked(bento_serve *srv, fuse_ino_t node, bool trusted, char **names,
                            size_t *used)
{
	sqfs_inode inode;
	sqfs_xattr x;
	int r = inode_get(srv, node, &inode);
	if (r < 0)
		return r;
	if (sqfs_xattr_open(fs_of(srv), &inode, &x) != SQFS_OK)
		return -EIO;
	size_t cap = 256;
	*names = xmalloc(cap);
	*used = 0;
	while (x.remain > 0) {
		if (sqfs_xattr_read(&x) != SQFS_OK)
			return -EIO;
		autofree char *name = NULL;
		size_t n;
		r = xattr_full_name(&x, &name, &n);
		if (r == -EIO)
			return r;
		if (r < 0 || (x.type == XATTR_TRUSTED && !trusted))
			continue;
		if (*used + n + 1 > cap) {
			cap = (*used + n + 1) * 2;
			char *bigger = realloc(*names, cap);
			if (bigger == NULL)
				abort();
			*names = bigger;
		}
		memcpy(*names + *used, name, n + 1);
		*used += n + 1;
	}
	return 0;
}

static void op_listxattr(fuse_req_t req, fuse_ino_t node, size_t size)
{
	bento_serve *srv = serve_of(req);
	autofree char *names = NULL;
	size_t used = 0;
	fs_lock(srv);
	/* Root of the initial namespace is the only requester that may read
	 * trusted.* (the app of a user namespace never may). */
	int r = listxattr_locked(srv, node, fuse_req_ctx(req)->uid == 0, &names, &used);
	fs_unlock(srv);
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (size == 0)
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
	srv->no_open =
	    (conn->capable & no_open) == no_open && !bento_env_flag("BENTO_FUSE_OPEN", false);
	/* READDIRPLUS for every part of a listing, not only its first page
	 * (readdirplus_auto): the entries of the later pages came without
	 * attributes, so a walk that stats every entry sent a LOOKUP for each
	 * of them (277 in bench/read's cold walk). */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	/* Nothing can change under the page cache: no attribute check on every
	 * read (which auto_inval_data does, to drop the cache of files that
	 * changed). */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
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

/* Replaces libsquashfuse's metadata cache of 8 blocks with a larger one
 * (kept as it is if memory for it cannot be had). */
static void enlarge_metadata_cache(sqfs *fs)
{
	if (fs->md_cache.count >= METADATA_CACHE_BLOCKS)
		return;
	sqfs_cache larger;
	if (sqfs_block_cache_init(&larger, METADATA_CACHE_BLOCKS) != SQFS_OK)
		return;
	sqfs_cache_destroy(&fs->md_cache);
	fs->md_cache = larger;
}

/* Asks the kernel to read the image's metadata (its inode and directory
 * tables and the tables after them, which the writers put after the data)
 * in the background: a walk or a start-up then finds it in the page cache
 * instead of waiting for the disk one 8 KiB block at a time. */
static void prefetch_metadata(const bento_image *img)
{
	const struct squashfs_super_block *sb = &img->fs.sb;
	uint64_t start = sb->inode_table_start < sb->directory_table_start
	                     ? sb->inode_table_start
	                     : sb->directory_table_start;
	if (start >= sb->bytes_used)
		return;
	uint64_t len = sb->bytes_used - start;
	if (len > METADATA_PREFETCH_MAX)
		len = METADATA_PREFETCH_MAX;
	posix_fadvise(img->fd, (off_t)(img->offset + start), (off_t)len, POSIX_FADV_WILLNEED);
}

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
	pthread_mutex_init(&srv->fs_lock, NULL);
	enlarge_metadata_cache(&img->fs);
	prefetch_metadata(img);
	srv->cache = bento_blockcache_new(img, BLOCK_CACHE_BYTES);
	srv->zeros = xcalloc(1, img->fs.sb.block_size);
	srv->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	srv->store_rest = bento_env_flag("BENTO_FUSE_STORE", true);
	srv->se = fuse_session_new(&args, &serve_ops, sizeof(serve_ops), srv);
	fuse_opt_free_args(&args);
	if (srv->se == NULL) {
		bento_serve_free(srv);
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
};

bento_serve_worker *bento_serve_worker_new(bento_serve *srv)
{
	bento_serve_worker *w = xcalloc(1, sizeof(*w));
	w->srv = srv;
	return w;
}

int bento_serve_worker_dispatch(bento_serve_worker *w)
{
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
	free(w->buf.mem);
	free(w);
}

void bento_serve_stop_background(bento_serve *srv)
{
	bento_blockcache_stop(srv->cache);
}

void bento_serve_free(bento_serve *srv)
{
	if (srv->se) {
		if (srv->mounted)
			fuse_session_unmount(srv->se);
		fuse_session_destroy(srv->se);
	}
	while (srv->open_handles.next != &srv->open_handles)
		handle_unlink(srv, srv->open_handles.next);
	bento_blockcache_free(srv->cache);
	free(srv->zeros);
	pthread_mutex_destroy(&srv->fs_lock);
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
