/*
 * readcheck — compare a mounted image with the tree it was made from, from
 * several threads at once:
 *
 *   readcheck [--threads N] [--seconds S] [--seed X] [--mtime] [--merged-root]
 *             SOURCE_DIR MOUNTED_DIR
 *
 * N threads (default 8) for S seconds (default 10) each pick random
 * operations:
 *
 *  - pread of random ranges on descriptors shared by all threads, and
 *    open/lseek/read/close of fresh ones, with ranges that cross 128 KiB
 *    block boundaries, end exactly at the end of the file, start at or beyond
 *    it, from 1 byte to 4 MiB; the page cache is sometimes dropped first
 *    (POSIX_FADV_DONTNEED) so that the reads reach the server;
 *  - whole files read from start to end in chunks of one size (4 KiB to
 *    4 MiB) with their page cache dropped first: the sequential reads the
 *    server reads ahead of, while the other threads read elsewhere;
 *  - lstat/stat (type, mode & 07777, size, st_nlink, owner = the caller;
 *    mtime with --mtime), readlink, the names of hard links; with
 *    --merged-root the top directory's st_nlink is 1, as overlayfs reports
 *    for a directory it merges from two layers (the runtime's own mount);
 *  - opendir/readdir (the set of names, d_type, d_ino = st_ino, "." and
 *    ".." once each, seekdir to a telldir position gives the same rest);
 *  - listxattr/getxattr (the set of names, values, ERANGE for a short
 *    buffer, ENODATA for a missing name).
 *
 * Then one pass over every entry: lstat, and names that are hard links of
 * one inode in the source must share one st_ino on the mount, other names
 * must not.
 *
 * Every result is compared byte for byte with the same operation on
 * SOURCE_DIR.  Prints the first few mismatches of each kind (path, offset,
 * length, first differing byte for data) and a summary; exits 0 if all
 * matched, 1 on any mismatch or error, 2 on bad usage.  Run it as the user
 * that mounted the image (the mount reports every file as that user's).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 131072
#define MAX_READ (4 << 20)
#define MAX_SHARED 64
#define MAX_PER_KIND 3
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define XATTR_LIST_MAX_SIZE 65536
#define XATTR_VALUE_MAX_SIZE 65536

typedef struct entry {
	char *path; /* relative to the roots; "." for the roots themselves */
	struct stat st;
	size_t group;  /* first entry with the same source inode (itself if none) */
	bool readable; /* a regular file the caller can open in the source */
} entry;

typedef struct shared_file {
	size_t entry;
	int src, mnt;
} shared_file;

typedef struct counters {
	atomic_ullong reads, fresh_opens, sequential, bytes, stats, readlinks, dirs, xattrs,
	    hardlinks;
	atomic_ullong mismatches, errors;
} counters;

static struct {
	const char *src, *mnt;
	bool check_mtime;
	bool merged_root;
	entry *entries;
	size_t n_entries, cap_entries;
	size_t *files, n_files;     /* readable regular files */
	size_t *special, n_special; /* empty, sparse-ish, block-sized, the largest */
	size_t *dirs, n_dirs;
	size_t *links, n_links;
	size_t *linked, n_linked; /* non-directories with st_nlink > 1 */
	shared_file shared[MAX_SHARED];
	size_t n_shared;
	struct timespec deadline;
	counters c;
	pthread_mutex_t report_lock;
} g = {.report_lock = PTHREAD_MUTEX_INITIALIZER};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "readcheck: out of memory\n");
		exit(2);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "readcheck: out of memory\n");
		exit(2);
	}
	return p;
}

/* Reports: at most MAX_PER_KIND examples of each kind of mismatch (so that
 * one frequent kind does not hide the others), counted by kind. */
static const char *const kinds[] = {"data",  "open",    "stat",     "nlink", "inode",
                                    "d_ino", "readdir", "readlink", "xattr", "error"};
static unsigned long long kind_count[ARRAY_LEN(kinds)];

static void report(const char *kind, const char *fmt, va_list ap)
{
	size_t k = 0;
	while (k + 1 < ARRAY_LEN(kinds) && strcmp(kinds[k], kind) != 0)
		k++;
	pthread_mutex_lock(&g.report_lock);
	if (kind_count[k]++ < MAX_PER_KIND) {
		printf("%s (%s): ", k + 1 == ARRAY_LEN(kinds) ? "ERROR" : "MISMATCH", kinds[k]);
		vprintf(fmt, ap);
		putchar('\n');
		fflush(stdout);
	}
	pthread_mutex_unlock(&g.report_lock);
}

/* A difference between the mount and the source, of a kind in kinds[]. */
__attribute__((format(printf, 2, 3))) static void mismatch(const char *kind, const char *fmt, ...)
{
	atomic_fetch_add(&g.c.mismatches, 1);
	va_list ap;
	va_start(ap, fmt);
	report(kind, fmt, ap);
	va_end(ap);
}

/* Something that went wrong on the source side, or in readcheck itself. */
__attribute__((format(printf, 1, 2))) static void failure(const char *fmt, ...)
{
	atomic_fetch_add(&g.c.errors, 1);
	va_list ap;
	va_start(ap, fmt);
	report("error", fmt, ap);
	va_end(ap);
}

/* ---- random numbers (xorshift64*, one state per thread) ------------------ */

static uint64_t next_random(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* A number in [0, n) (0 if n is 0). */
static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? next_random(s) % n : 0;
}

static size_t pick(uint64_t *s, const size_t *list, size_t n)
{
	return list[below(s, n)];
}

/* ---- paths ---------------------------------------------------------------- */

typedef struct pathbuf {
	char p[PATH_MAX];
} pathbuf;

static const char *full_path(pathbuf *b, const char *root, const char *rel)
{
	int n = strcmp(rel, ".") == 0 ? snprintf(b->p, sizeof(b->p), "%s", root)
	                              : snprintf(b->p, sizeof(b->p), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(b->p)) {
		fprintf(stderr, "readcheck: path too long: %s/%s\n", root, rel);
		exit(2);
	}
	return b->p;
}

static bool past_deadline(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > g.deadline.tv_sec ||
	       (now.tv_sec == g.deadline.tv_sec && now.tv_nsec >= g.deadline.tv_nsec);
}

/* ---- the source tree -------------------------------------------------------- */

static int walk_one(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_NS || type == FTW_DNR) {
		fprintf(stderr, "readcheck: cannot read %s in the source\n", fpath);
		return 1;
	}
	if (g.n_entries == g.cap_entries) {
		g.cap_entries = g.cap_entries ? 2 * g.cap_entries : 1024;
		g.entries = xrealloc(g.entries, g.cap_entries * sizeof(*g.entries));
	}
	entry *e = &g.entries[g.n_entries];
	const char *rel = fpath + strlen(g.src);
	while (*rel == '/')
		rel++;
	e->path = strdup(*rel ? rel : ".");
	if (e->path == NULL) {
		fprintf(stderr, "readcheck: out of memory\n");
		exit(2);
	}
	e->st = *st;
	e->group = g.n_entries;
	e->readable = false;
	if (S_ISREG(st->st_mode)) {
		int fd = open(fpath, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			e->readable = true;
			close(fd);
		}
	}
	g.n_entries++;
	return 0;
}

static int by_inode(const void *a, const void *b)
{
	const entry *x = &g.entries[*(const size_t *)a], *y = &g.entries[*(const size_t *)b];
	if (x->st.st_dev != y->st.st_dev)
		return x->st.st_dev < y->st.st_dev ? -1 : 1;
	if (x->st.st_ino != y->st.st_ino)
		return x->st.st_ino < y->st.st_ino ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static bool special_size(off_t size, off_t largest)
{
	off_t r = size % BLOCK;
	return size == 0 || size == largest || r <= 2 || r >= BLOCK - 2 || size >= 16 * BLOCK;
}

static void load_source(void)
{
	if (nftw(g.src, walk_one, 32, FTW_PHYS) != 0) {
		fprintf(stderr, "readcheck: cannot walk %s: %s\n", g.src, strerror(errno));
		exit(2);
	}
	size_t n = g.n_entries;
	g.files = xmalloc(n * sizeof(size_t));
	g.special = xmalloc(n * sizeof(size_t));
	g.dirs = xmalloc(n * sizeof(size_t));
	g.links = xmalloc(n * sizeof(size_t));
	g.linked = xmalloc(n * sizeof(size_t));
	off_t largest = 0;
	for (size_t i = 0; i < n; i++)
		if (g.entries[i].readable && g.entries[i].st.st_size > largest)
			largest = g.entries[i].st.st_size;
	for (size_t i = 0; i < n; i++) {
		const entry *e = &g.entries[i];
		if (e->readable) {
			g.files[g.n_files++] = i;
			if (special_size(e->st.st_size, largest))
				g.special[g.n_special++] = i;
		}
		if (S_ISDIR(e->st.st_mode) && (e->st.st_mode & 0500) == 0500)
			g.dirs[g.n_dirs++] = i;
		if (S_ISLNK(e->st.st_mode))
			g.links[g.n_links++] = i;
		if (!S_ISDIR(e->st.st_mode) && e->st.st_nlink > 1)
			g.linked[g.n_linked++] = i;
	}
	/* hard link groups */
	size_t *order = xmalloc(g.n_linked * sizeof(size_t));
	memcpy(order, g.linked, g.n_linked * sizeof(size_t));
	qsort(order, g.n_linked, sizeof(size_t), by_inode);
	for (size_t i = 1; i < g.n_linked; i++) {
		entry *prev = &g.entries[order[i - 1]], *cur = &g.entries[order[i]];
		if (prev->st.st_dev == cur->st.st_dev && prev->st.st_ino == cur->st.st_ino)
			cur->group = prev->group;
	}
	free(order);
	if (g.n_files == 0) {
		fprintf(stderr, "readcheck: no readable regular file in %s\n", g.src);
		exit(2);
	}
}

/* ---- reading ---------------------------------------------------------------- */

/* Reads up to len bytes at off (pread when off >= 0, else read from the
 * current position, in chunks of at most chunk bytes); returns the count, or
 * -1 with errno. */
static ssize_t read_fully(int fd, char *buf, size_t len, off_t off, size_t chunk)
{
	size_t got = 0;
	while (got < len) {
		size_t want = len - got;
		if (chunk && want > chunk)
			want = chunk;
		ssize_t n = off >= 0 ? pread(fd, buf + got, want, off + (off_t)got)
		                     : read(fd, buf + got, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* A random range of a file of this size: offsets at 0, anywhere, around
 * block boundaries, at or near the end and beyond it; lengths from 1 byte to
 * MAX_READ, or exactly up to the end. */
static void pick_range(uint64_t *s, off_t size, off_t *off, size_t *len)
{
	uint64_t usize = (uint64_t)size;
	uint64_t o;
	switch (below(s, 6)) {
	case 0:
		o = 0;
		break;
	case 1:
		o = below(s, usize + 1);
		break;
	case 2: { /* around a block boundary (possibly the last one) */
		uint64_t b = below(s, usize / BLOCK + 2) * BLOCK;
		uint64_t d = below(s, 129);
		o = below(s, 2) && b >= 64 ? b - 64 + d : b + d;
		break;
	}
	case 3: /* shortly before the end */
		o = usize - below(s, usize < 2 * BLOCK ? usize + 1 : 2 * BLOCK);
		break;
	case 4: /* at or beyond the end */
		o = usize + (below(s, 3) == 0 ? 0 : below(s, 2) ? 1 + below(s, 4096) : 1 << 20);
		break;
	default:
		o = usize > 0 ? below(s, usize) : 0;
		break;
	}
	uint64_t l;
	switch (below(s, 7)) {
	case 0:
		l = 1 + below(s, 16);
		break;
	case 1:
		l = 1 + below(s, 4096);
		break;
	case 2:
		l = 4096 + below(s, 2 * BLOCK);
		break;
	case 3:
		l = 1 + below(s, MAX_READ);
		break;
	case 4: /* exactly to the end */
		l = o < usize ? usize - o : 1 + below(s, 4096);
		if (l > MAX_READ)
			l = MAX_READ;
		break;
	case 5: /* across one or two block boundaries */
		l = BLOCK * (1 + below(s, 2)) + below(s, 129) - 64;
		break;
	default:
		l = below(s, 2) ? BLOCK : 2 * BLOCK;
		break;
	}
	if (below(s, 200) == 0)
		l = 0;
	*off = (off_t)o;
	*len = (size_t)l;
}

/* Compares two reads of the same range. */
static void compare_data(const entry *e, const char *how, off_t off, size_t len, ssize_t src_n,
                         int src_errno, const char *src_buf, ssize_t mnt_n, int mnt_errno,
                         const char *mnt_buf)
{
	if (src_n < 0) {
		failure("%s: %s off=%jd len=%zu in the source: %s", e->path, how, (intmax_t)off,
		        len, strerror(src_errno));
		return;
	}
	if (mnt_n < 0) {
		mismatch("data",
		         "%s: %s off=%jd len=%zu: the mount failed with %s, the source read %zd "
		         "bytes",
		         e->path, how, (intmax_t)off, len, strerror(mnt_errno), src_n);
		return;
	}
	atomic_fetch_add(&g.c.bytes, (unsigned long long)mnt_n);
	size_t common = (size_t)(src_n < mnt_n ? src_n : mnt_n);
	for (size_t i = 0; i < common; i++) {
		if (src_buf[i] != mnt_buf[i]) {
			mismatch(
			    "data",
			    "%s: %s off=%jd len=%zu: first difference at byte %zu (file offset "
			    "%jd): mount 0x%02x, source 0x%02x",
			    e->path, how, (intmax_t)off, len, i, (intmax_t)(off + (off_t)i),
			    (unsigned char)mnt_buf[i], (unsigned char)src_buf[i]);
			return;
		}
	}
	if (src_n != mnt_n)
		mismatch("data",
		         "%s: %s off=%jd len=%zu: the mount read %zd bytes, the source %zd (file "
		         "size %jd)",
		         e->path, how, (intmax_t)off, len, mnt_n, src_n, (intmax_t)e->st.st_size);
}

typedef struct worker {
	pthread_t thread;
	uint64_t rng;
	char *src_buf, *mnt_buf;
} worker;

static size_t pick_file(worker *w)
{
	return below(&w->rng, 5) < 2 && g.n_special ? pick(&w->rng, g.special, g.n_special)
	                                            : pick(&w->rng, g.files, g.n_files);
}

static void maybe_drop_cache(worker *w, int fd, off_t off, size_t len)
{
	if (below(&w->rng, 4) == 0)
		posix_fadvise(fd, below(&w->rng, 2) ? off : 0, below(&w->rng, 2) ? (off_t)len : 0,
		              POSIX_FADV_DONTNEED);
}

static void read_shared(worker *w)
{
	const shared_file *f = &g.shared[below(&w->rng, g.n_shared)];
	const entry *e = &g.entries[f->entry];
	off_t off;
	size_t len;
	pick_range(&w->rng, e->st.st_size, &off, &len);
	maybe_drop_cache(w, f->mnt, off, len);
	errno = 0;
	ssize_t m = read_fully(f->mnt, w->mnt_buf, len, off, 0);
	int merr = errno;
	ssize_t s = read_fully(f->src, w->src_buf, len, off, 0);
	int serr = errno;
	atomic_fetch_add(&g.c.reads, 1);
	compare_data(e, "pread (shared fd)", off, len, s, serr, w->src_buf, m, merr, w->mnt_buf);
}

/* e opened on the mount (*mfd) and in the source (*sfd); false, with the
 * problem reported, when either fails. */
static bool open_both(const entry *e, int *mfd, int *sfd)
{
	pathbuf sp, mp;
	*mfd = open(full_path(&mp, g.mnt, e->path), O_RDONLY | O_CLOEXEC);
	if (*mfd < 0) {
		mismatch("open", "%s: open on the mount: %s", e->path, strerror(errno));
		return false;
	}
	*sfd = open(full_path(&sp, g.src, e->path), O_RDONLY | O_CLOEXEC);
	if (*sfd < 0) {
		failure("%s: open in the source: %s", e->path, strerror(errno));
		close(*mfd);
		return false;
	}
	return true;
}

static void read_fresh(worker *w)
{
	const entry *e = &g.entries[pick_file(w)];
	off_t off;
	size_t len;
	pick_range(&w->rng, e->st.st_size, &off, &len);
	int mfd, sfd;
	if (!open_both(e, &mfd, &sfd))
		return;
	atomic_fetch_add(&g.c.fresh_opens, 1);
	struct stat st;
	if (fstat(mfd, &st) < 0)
		mismatch("stat", "%s: fstat of a fresh descriptor: %s", e->path, strerror(errno));
	else if (st.st_size != e->st.st_size || !S_ISREG(st.st_mode))
		mismatch("stat",
		         "%s: fstat of a fresh descriptor: size %jd mode 0%o, source %jd 0%o",
		         e->path, (intmax_t)st.st_size, st.st_mode, (intmax_t)e->st.st_size,
		         e->st.st_mode);
	maybe_drop_cache(w, mfd, off, len);
	/* read(2) from an lseek'd position, in random chunks */
	size_t chunk = below(&w->rng, 2) ? 0 : 1 + below(&w->rng, 3 * BLOCK);
	ssize_t m = -1, s = -1;
	int merr = 0, serr = 0;
	if (lseek(mfd, off, SEEK_SET) != off) {
		merr = errno;
	} else {
		m = read_fully(mfd, w->mnt_buf, len, -1, chunk);
		merr = errno;
	}
	if (lseek(sfd, off, SEEK_SET) != off) {
		serr = errno;
	} else {
		s = read_fully(sfd, w->src_buf, len, -1, chunk);
		serr = errno;
	}
	atomic_fetch_add(&g.c.reads, 1);
	compare_data(e, "open+lseek+read", off, len, s, serr, w->src_buf, m, merr, w->mnt_buf);
	close(mfd);
	close(sfd);
}

/* A whole file, from its start to its end, in chunks of one size. */
static void read_whole(worker *w)
{
	static const size_t chunks[] = {4096, BLOCK / 2, BLOCK, 1 << 20, MAX_READ};
	const entry *e = &g.entries[pick_file(w)];
	size_t chunk = chunks[below(&w->rng, ARRAY_LEN(chunks))];
	int mfd, sfd;
	if (!open_both(e, &mfd, &sfd))
		return;
	atomic_fetch_add(&g.c.sequential, 1);
	posix_fadvise(mfd, 0, 0, POSIX_FADV_DONTNEED);
	off_t off = 0;
	for (;;) {
		errno = 0;
		ssize_t m = read_fully(mfd, w->mnt_buf, chunk, -1, 0);
		int merr = errno;
		ssize_t s = read_fully(sfd, w->src_buf, chunk, -1, 0);
		int serr = errno;
		atomic_fetch_add(&g.c.reads, 1);
		compare_data(e, "sequential read", off, chunk, s, serr, w->src_buf, m, merr,
		             w->mnt_buf);
		if (m != s || m < (ssize_t)chunk)
			break;
		off += m;
	}
	close(mfd);
	close(sfd);
}

/* ---- metadata ------------------------------------------------------------------ */

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec;
}

/* Compares a stat of the mount with the source's. */
static void compare_stat(const char *path, const char *how, const struct stat *m,
                         const struct stat *s)
{
	if ((m->st_mode & S_IFMT) != (s->st_mode & S_IFMT)) {
		mismatch("stat", "%s: %s: type 0%o, source 0%o", path, how, m->st_mode & S_IFMT,
		         s->st_mode & S_IFMT);
		return;
	}
	if ((m->st_mode & 07777) != (s->st_mode & 07777))
		mismatch("stat", "%s: %s: mode 0%04o, source 0%04o", path, how, m->st_mode & 07777,
		         s->st_mode & 07777);
	/* directory sizes are the file system's own */
	if (!S_ISDIR(s->st_mode) && m->st_size != s->st_size)
		mismatch("stat", "%s: %s: size %jd, source %jd", path, how, (intmax_t)m->st_size,
		         (intmax_t)s->st_size);
	nlink_t expected = g.merged_root && strcmp(path, ".") == 0 ? 1 : s->st_nlink;
	if (m->st_nlink != expected)
		mismatch("nlink", "%s: %s: st_nlink %ju, expected %ju", path, how,
		         (uintmax_t)m->st_nlink, (uintmax_t)expected);
	if (m->st_uid != geteuid() || m->st_gid != getegid())
		mismatch("stat", "%s: %s: owner %u:%u, not the mounting user %u:%u", path, how,
		         (unsigned)m->st_uid, (unsigned)m->st_gid, (unsigned)geteuid(),
		         (unsigned)getegid());
	if (g.check_mtime && !same_time(&m->st_mtim, &s->st_mtim))
		mismatch("stat", "%s: %s: mtime %jd, source %jd", path, how,
		         (intmax_t)m->st_mtim.tv_sec, (intmax_t)s->st_mtim.tv_sec);
}

static void check_stat(worker *w, const entry *e)
{
	pathbuf sp, mp;
	struct stat ms, ss;
	atomic_fetch_add(&g.c.stats, 1);
	if (lstat(full_path(&mp, g.mnt, e->path), &ms) < 0) {
		mismatch("stat", "%s: lstat on the mount: %s", e->path, strerror(errno));
		return;
	}
	compare_stat(e->path, "lstat", &ms, &e->st);
	if (!S_ISLNK(e->st.st_mode) || below(&w->rng, 2))
		return;
	/* through the link */
	int sr = stat(full_path(&sp, g.src, e->path), &ss), serr = errno;
	int mr = stat(mp.p, &ms), merr = errno;
	if (sr < 0 || mr < 0) {
		if (sr != mr || serr != merr)
			mismatch("stat", "%s: stat (following the link): mount %s, source %s",
			         e->path, mr < 0 ? strerror(merr) : "ok",
			         sr < 0 ? strerror(serr) : "ok");
		return;
	}
	/* the target may be outside the tree (absolute links): compare only what
	 * does not depend on which file system it is on */
	if ((ms.st_mode & S_IFMT) != (ss.st_mode & S_IFMT) ||
	    (ms.st_mode & 07777) != (ss.st_mode & 07777) ||
	    (S_ISREG(ss.st_mode) && ms.st_size != ss.st_size))
		mismatch("stat", "%s: stat (following the link): mode 0%o size %jd, source 0%o %jd",
		         e->path, ms.st_mode, (intmax_t)ms.st_size, ss.st_mode,
		         (intmax_t)ss.st_size);
}

static void check_readlink(const entry *e)
{
	pathbuf sp, mp;
	char st[PATH_MAX + 1], mt[PATH_MAX + 1];
	atomic_fetch_add(&g.c.readlinks, 1);
	ssize_t sn = readlink(full_path(&sp, g.src, e->path), st, sizeof(st) - 1);
	if (sn < 0) {
		failure("%s: readlink in the source: %s", e->path, strerror(errno));
		return;
	}
	ssize_t mn = readlink(full_path(&mp, g.mnt, e->path), mt, sizeof(mt) - 1);
	if (mn < 0) {
		mismatch("readlink", "%s: readlink on the mount: %s", e->path, strerror(errno));
		return;
	}
	st[sn] = mt[mn] = '\0';
	if (sn != mn || memcmp(st, mt, (size_t)sn) != 0)
		mismatch("readlink", "%s: readlink: \"%s\", source \"%s\"", e->path, mt, st);
	/* a short buffer gets the start of the target, as on any file system */
	if (sn > 1) {
		char part[PATH_MAX];
		ssize_t pn = readlink(mp.p, part, (size_t)sn - 1);
		if (pn != sn - 1 || memcmp(part, st, (size_t)pn) != 0)
			mismatch("readlink", "%s: readlink with a buffer of %zd bytes returned %zd",
			         e->path, sn - 1, pn);
	}
}

/* Hard links: every name of a source inode has one st_ino on the mount. */
static void check_hardlinks(worker *w)
{
	const entry *e = &g.entries[pick(&w->rng, g.linked, g.n_linked)];
	pathbuf p;
	struct stat first;
	atomic_fetch_add(&g.c.hardlinks, 1);
	if (lstat(full_path(&p, g.mnt, e->path), &first) < 0) {
		mismatch("stat", "%s: lstat on the mount: %s", e->path, strerror(errno));
		return;
	}
	if (first.st_nlink != e->st.st_nlink)
		mismatch("nlink", "%s: st_nlink %ju, source %ju", e->path,
		         (uintmax_t)first.st_nlink, (uintmax_t)e->st.st_nlink);
	for (size_t i = 0; i < g.n_linked; i++) {
		const entry *o = &g.entries[g.linked[i]];
		if (o->group != e->group || o == e)
			continue;
		struct stat st;
		if (lstat(full_path(&p, g.mnt, o->path), &st) < 0) {
			mismatch("stat", "%s: lstat on the mount: %s", o->path, strerror(errno));
			continue;
		}
		if (st.st_ino != first.st_ino)
			mismatch("inode",
			         "%s and %s are hard links in the source, but st_ino %ju != %ju on "
			         "the mount",
			         e->path, o->path, (uintmax_t)first.st_ino, (uintmax_t)st.st_ino);
	}
}

/* ---- directories ---------------------------------------------------------------- */

typedef struct dir_list {
	char **names;
	unsigned char *types;
	ino_t *inos;
	size_t n, cap;
} dir_list;

static void list_add(dir_list *l, const struct dirent *d)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
		l->types = xrealloc(l->types, l->cap * sizeof(*l->types));
		l->inos = xrealloc(l->inos, l->cap * sizeof(*l->inos));
	}
	l->names[l->n] = strdup(d->d_name);
	if (l->names[l->n] == NULL) {
		fprintf(stderr, "readcheck: out of memory\n");
		exit(2);
	}
	l->types[l->n] = d->d_type;
	l->inos[l->n] = d->d_ino;
	l->n++;
}

static void list_free(dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->types);
	free(l->inos);
	*l = (dir_list){0};
}

/* Reads the rest of dir; returns false (with errno) on an error. */
static bool read_rest(DIR *dir, dir_list *l)
{
	struct dirent *d;
	errno = 0;
	while ((d = readdir(dir)) != NULL)
		list_add(l, d);
	return errno == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_dir(worker *w)
{
	const entry *e = &g.entries[pick(&w->rng, g.dirs, g.n_dirs)];
	pathbuf sp, mp;
	dir_list sl = {0}, ml = {0}, r1 = {0}, r2 = {0};
	atomic_fetch_add(&g.c.dirs, 1);
	DIR *sd = opendir(full_path(&sp, g.src, e->path));
	if (sd == NULL) {
		failure("%s: opendir in the source: %s", e->path, strerror(errno));
		return;
	}
	DIR *md = opendir(full_path(&mp, g.mnt, e->path));
	if (md == NULL) {
		mismatch("readdir", "%s: opendir on the mount: %s", e->path, strerror(errno));
		closedir(sd);
		return;
	}
	if (!read_rest(sd, &sl)) {
		failure("%s: readdir in the source: %s", e->path, strerror(errno));
		goto out;
	}
	if (!read_rest(md, &ml)) {
		mismatch("readdir", "%s: readdir on the mount: %s", e->path, strerror(errno));
		goto out;
	}
	/* the same names, each once */
	char **sn = xmalloc(sl.n * sizeof(char *)), **mn = xmalloc(ml.n * sizeof(char *));
	memcpy(sn, sl.names, sl.n * sizeof(char *));
	memcpy(mn, ml.names, ml.n * sizeof(char *));
	qsort(sn, sl.n, sizeof(char *), by_name);
	qsort(mn, ml.n, sizeof(char *), by_name);
	size_t i = 0, j = 0;
	unsigned reported = 0;
	while ((i < sl.n || j < ml.n) && reported < 3) {
		int c = i == sl.n ? 1 : j == ml.n ? -1 : strcmp(sn[i], mn[j]);
		if (c == 0 && j + 1 < ml.n && strcmp(mn[j], mn[j + 1]) == 0) {
			mismatch("readdir", "%s: readdir on the mount lists \"%s\" more than once",
			         e->path, mn[j]);
			reported++;
			j++;
		} else if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			mismatch("readdir",
			         "%s: readdir on the mount misses \"%s\" (%zu names, source %zu)",
			         e->path, sn[i++], ml.n, sl.n);
			reported++;
		} else {
			mismatch("readdir",
			         "%s: readdir on the mount has \"%s\", the source does not",
			         e->path, mn[j++]);
			reported++;
		}
	}
	free(sn);
	free(mn);
	/* d_type and d_ino of a few entries against lstat on the mount */
	struct stat dst, pst;
	bool is_root = strcmp(e->path, ".") == 0;
	int dfd = dirfd(md);
	if (fstat(dfd, &dst) < 0 || (!is_root && fstatat(dfd, "..", &pst, 0) < 0)) {
		mismatch("readdir", "%s: fstat of the open directory on the mount: %s", e->path,
		         strerror(errno));
		goto out;
	}
	for (size_t k = 0; k < ml.n && reported < 3; k++) {
		const char *name = ml.names[k];
		bool dot = strcmp(name, ".") == 0, dotdot = strcmp(name, "..") == 0;
		if (dot || dotdot) {
			if ((dot && ml.inos[k] != dst.st_ino) ||
			    (dotdot && !is_root && ml.inos[k] != pst.st_ino)) {
				mismatch("d_ino",
				         "%s: readdir gives \"%s\" d_ino %ju, but stat says %ju",
				         e->path, name, (uintmax_t)ml.inos[k],
				         (uintmax_t)(dot ? dst.st_ino : pst.st_ino));
				reported++;
			}
			continue;
		}
		if (ml.n > 16 && below(&w->rng, ml.n / 8) != 0)
			continue;
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			mismatch("readdir", "%s/%s: listed, but lstat on the mount: %s", e->path,
			         name, strerror(errno));
			reported++;
			continue;
		}
		if (ml.types[k] != DT_UNKNOWN && ml.types[k] != IFTODT(st.st_mode)) {
			mismatch("readdir", "%s/%s: d_type %u, but lstat says type 0%o", e->path,
			         name, ml.types[k], st.st_mode & S_IFMT);
			reported++;
		}
		if (ml.inos[k] != st.st_ino) {
			mismatch("d_ino", "%s/%s: d_ino %ju, but st_ino %ju", e->path, name,
			         (uintmax_t)ml.inos[k], (uintmax_t)st.st_ino);
			reported++;
		}
	}
	/* seekdir to a telldir position: the same rest */
	rewinddir(md);
	size_t skip = below(&w->rng, ml.n + 1);
	for (size_t k = 0; k < skip; k++)
		if (readdir(md) == NULL)
			break;
	long pos = telldir(md);
	if (!read_rest(md, &r1)) {
		mismatch("readdir", "%s: readdir after %zu entries on the mount: %s", e->path, skip,
		         strerror(errno));
		goto out;
	}
	seekdir(md, pos);
	if (!read_rest(md, &r2)) {
		mismatch("readdir", "%s: readdir after seekdir on the mount: %s", e->path,
		         strerror(errno));
		goto out;
	}
	bool same = r1.n == r2.n && skip + r1.n == ml.n;
	for (size_t k = 0; same && k < r1.n; k++)
		same = strcmp(r1.names[k], r2.names[k]) == 0 &&
		       strcmp(r1.names[k], ml.names[skip + k]) == 0;
	if (!same)
		mismatch("readdir",
		         "%s: %zu entries in, telldir/seekdir then readdir gives %zu entries, "
		         "%zu before (of %zu in all, or they differ)",
		         e->path, skip, r2.n, r1.n, ml.n);
out:
	list_free(&sl);
	list_free(&ml);
	list_free(&r1);
	list_free(&r2);
	closedir(sd);
	closedir(md);
}

/* ---- extended attributes --------------------------------------------------------- */

/* The sorted, NUL-separated names of path's attributes: count, or -1. */
static ssize_t xattr_names(const char *path, char *buf, size_t size, char ***names, size_t *n)
{
	ssize_t len = llistxattr(path, buf, size);
	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		len = 0;
	*n = 0;
	*names = NULL;
	if (len < 0)
		return -1;
	size_t count = 0;
	for (ssize_t i = 0; i < len; i++)
		count += buf[i] == '\0';
	*names = xmalloc(count * sizeof(char *));
	for (char *p = buf; p < buf + len; p += strlen(p) + 1)
		(*names)[(*n)++] = p;
	qsort(*names, *n, sizeof(char *), by_name);
	return len;
}

static void check_xattrs(worker *w)
{
	const entry *e = &g.entries[below(&w->rng, g.n_entries)];
	pathbuf sp, mp;
	char *sbuf = w->src_buf, *mbuf = w->mnt_buf; /* (MAX_READ bytes each) */
	char **sn = NULL, **mn = NULL;
	size_t sc, mc;
	atomic_fetch_add(&g.c.xattrs, 1);
	const char *s = full_path(&sp, g.src, e->path), *m = full_path(&mp, g.mnt, e->path);
	if (xattr_names(s, sbuf, XATTR_LIST_MAX_SIZE, &sn, &sc) < 0) {
		failure("%s: llistxattr in the source: %s", e->path, strerror(errno));
		goto out;
	}
	/* the size alone first */
	ssize_t msize = llistxattr(m, NULL, 0);
	ssize_t mlen = xattr_names(m, mbuf, XATTR_LIST_MAX_SIZE, &mn, &mc);
	if (mlen < 0) {
		mismatch("xattr", "%s: llistxattr on the mount: %s", e->path, strerror(errno));
		goto out;
	}
	if (msize >= 0 && msize != mlen)
		mismatch("xattr", "%s: llistxattr(NULL, 0) says %zd bytes, the list has %zd",
		         e->path, msize, mlen);
	bool same = sc == mc;
	for (size_t i = 0; same && i < sc; i++)
		same = strcmp(sn[i], mn[i]) == 0;
	if (!same) {
		mismatch("xattr",
		         "%s: llistxattr: %zu names (first \"%s\"), source %zu (first \"%s\")",
		         e->path, mc, mc ? mn[0] : "", sc, sc ? sn[0] : "");
		goto out;
	}
	char *sv = sbuf + XATTR_LIST_MAX_SIZE, *mv = mbuf + XATTR_LIST_MAX_SIZE;
	for (size_t i = 0; i < sc; i++) {
		ssize_t sl = lgetxattr(s, sn[i], sv, XATTR_VALUE_MAX_SIZE);
		if (sl < 0) {
			failure("%s: lgetxattr %s in the source: %s", e->path, sn[i],
			        strerror(errno));
			continue;
		}
		ssize_t ml = lgetxattr(m, mn[i], NULL, 0);
		if (ml != sl) {
			mismatch("xattr", "%s: lgetxattr %s with no buffer: %zd (%s), source %zd",
			         e->path, sn[i], ml, ml < 0 ? strerror(errno) : "ok", sl);
			continue;
		}
		ml = lgetxattr(m, mn[i], mv, XATTR_VALUE_MAX_SIZE);
		if (ml != sl || memcmp(sv, mv, (size_t)sl) != 0) {
			mismatch("xattr",
			         "%s: lgetxattr %s: %zd bytes (%s), source %zd, or they differ",
			         e->path, sn[i], ml, ml < 0 ? strerror(errno) : "ok", sl);
			continue;
		}
		if (sl > 1) { /* (a size of 0 asks for the size) */
			ml = lgetxattr(m, mn[i], mv, (size_t)sl - 1);
			if (ml >= 0 || errno != ERANGE)
				mismatch(
				    "xattr",
				    "%s: lgetxattr %s with a buffer 1 byte short: %zd (%s), not "
				    "ERANGE",
				    e->path, sn[i], ml, ml < 0 ? strerror(errno) : "ok");
		}
	}
	/* a missing attribute */
	ssize_t sl = lgetxattr(s, "user.readcheck.missing", sv, 16);
	int serr = errno;
	ssize_t ml = lgetxattr(m, "user.readcheck.missing", mv, 16);
	int merr = errno;
	if (sl < 0 && (ml >= 0 || merr != serr))
		mismatch("xattr", "%s: lgetxattr of a missing attribute: %zd (%s), source %s",
		         e->path, ml, ml < 0 ? strerror(merr) : "ok", strerror(serr));
out:
	free(sn);
	free(mn);
}

/* ---- the first pass: every entry once, inode numbers ------------------------------- */

typedef struct ino_pair {
	size_t entry;
	ino_t mnt;
} ino_pair;

static int by_mnt_ino(const void *a, const void *b)
{
	const ino_pair *x = a, *y = b;
	if (x->mnt != y->mnt)
		return x->mnt < y->mnt ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static void first_pass(void)
{
	ino_pair *pairs = xmalloc(g.n_entries * sizeof(*pairs));
	size_t n = 0;
	for (size_t i = 0; i < g.n_entries; i++) {
		const entry *e = &g.entries[i];
		pathbuf p;
		struct stat st;
		atomic_fetch_add(&g.c.stats, 1);
		if (lstat(full_path(&p, g.mnt, e->path), &st) < 0) {
			mismatch("stat", "%s: lstat on the mount: %s", e->path, strerror(errno));
			continue;
		}
		compare_stat(e->path, "lstat", &st, &e->st);
		pairs[n++] = (ino_pair){.entry = i, .mnt = st.st_ino};
	}
	/* names of one source inode share an st_ino; other names do not */
	qsort(pairs, n, sizeof(*pairs), by_mnt_ino);
	for (size_t i = 1; i < n; i++) {
		const entry *a = &g.entries[pairs[i - 1].entry], *b = &g.entries[pairs[i].entry];
		if (pairs[i - 1].mnt == pairs[i].mnt && a->group != b->group)
			mismatch("inode",
			         "%s and %s are different files in the source but share st_ino %ju "
			         "on the mount",
			         a->path, b->path, (uintmax_t)pairs[i].mnt);
	}
	for (size_t i = 0; i < n; i++) {
		const entry *e = &g.entries[pairs[i].entry];
		if (e->group == pairs[i].entry)
			continue;
		/* find the group leader's mount inode */
		for (size_t j = 0; j < n; j++) {
			if (pairs[j].entry == e->group) {
				if (pairs[j].mnt != pairs[i].mnt)
					mismatch(
					    "inode",
					    "%s and %s are hard links in the source, but st_ino "
					    "%ju != %ju on the mount",
					    g.entries[e->group].path, e->path,
					    (uintmax_t)pairs[j].mnt, (uintmax_t)pairs[i].mnt);
				break;
			}
		}
	}
	free(pairs);
}

static void open_shared(void)
{
	/* the special files first (the largest among them), then any */
	uint64_t s = 0x9E3779B97F4A7C15ULL;
	for (size_t k = 0; k < 2 * MAX_SHARED && g.n_shared < MAX_SHARED; k++) {
		size_t i = k < MAX_SHARED && g.n_special ? g.special[k % g.n_special]
		                                         : pick(&s, g.files, g.n_files);
		bool dup = false;
		for (size_t j = 0; j < g.n_shared; j++)
			dup |= g.shared[j].entry == i;
		if (dup)
			continue;
		pathbuf sp, mp;
		int sfd = open(full_path(&sp, g.src, g.entries[i].path), O_RDONLY | O_CLOEXEC);
		int mfd = open(full_path(&mp, g.mnt, g.entries[i].path), O_RDONLY | O_CLOEXEC);
		if (sfd < 0 || mfd < 0) {
			if (mfd < 0)
				mismatch("open", "%s: open on the mount: %s", g.entries[i].path,
				         strerror(errno));
			else
				failure("%s: open in the source: %s", g.entries[i].path,
				        strerror(errno));
			if (sfd >= 0)
				close(sfd);
			if (mfd >= 0)
				close(mfd);
			continue;
		}
		g.shared[g.n_shared++] = (shared_file){.entry = i, .src = sfd, .mnt = mfd};
	}
}

/* ---- threads -------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
	worker *w = arg;
	while (!past_deadline()) {
		uint64_t op = below(&w->rng, 100);
		if (op < 40 && g.n_shared)
			read_shared(w);
		else if (op < 56)
			read_fresh(w);
		else if (op < 62)
			read_whole(w);
		else if (op < 74)
			check_stat(w, &g.entries[below(&w->rng, g.n_entries)]);
		else if (op < 80 && g.n_links)
			check_readlink(&g.entries[pick(&w->rng, g.links, g.n_links)]);
		else if (op < 88 && g.n_dirs)
			check_dir(w);
		else if (op < 92 && g.n_linked)
			check_hardlinks(w);
		else
			check_xattrs(w);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: readcheck [--threads N] [--seconds S] [--seed X] [--mtime] "
	                "[--merged-root] SOURCE_DIR MOUNTED_DIR\n");
	exit(2);
}

static unsigned long long number(const char *opt, const char *s, unsigned long long max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "readcheck: bad value for %s: %s\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned threads = 8;
	unsigned long long seconds = 10;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(opt, "--mtime") == 0) {
			g.check_mtime = true;
			continue;
		}
		if (strcmp(opt, "--merged-root") == 0) {
			g.merged_root = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(opt, "--threads") == 0)
			threads = (unsigned)number(opt, argv[++i], 256);
		else if (strcmp(opt, "--seconds") == 0)
			seconds = number(opt, argv[++i], 86400);
		else if (strcmp(opt, "--seed") == 0)
			seed = number(opt, argv[++i], UINT64_MAX);
		else
			usage();
	}
	if (argc - i != 2 || threads == 0)
		usage();
	g.src = argv[i];
	g.mnt = argv[i + 1];
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct stat st;
	if (stat(g.src, &st) < 0 || !S_ISDIR(st.st_mode) || stat(g.mnt, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "readcheck: %s and %s must be directories\n", g.src, g.mnt);
		return 2;
	}
	load_source();
	off_t largest = 0;
	for (size_t k = 0; k < g.n_files; k++)
		if (g.entries[g.files[k]].st.st_size > largest)
			largest = g.entries[g.files[k]].st.st_size;
	printf("readcheck: %s vs %s: %zu entries (%zu readable files, the largest %jd bytes; "
	       "%zu directories, %zu symlinks, %zu hard-linked names), %u threads, %llu s, seed "
	       "%" PRIu64 "\n",
	       g.src, g.mnt, g.n_entries, g.n_files, (intmax_t)largest, g.n_dirs, g.n_links,
	       g.n_linked, threads, seconds, seed);

	open_shared();

	clock_gettime(CLOCK_MONOTONIC, &g.deadline);
	g.deadline.tv_sec += (time_t)seconds;
	worker *workers = xmalloc(threads * sizeof(*workers));
	uint64_t s = seed ? seed : 1;
	unsigned started = 0;
	for (unsigned k = 0; k < threads; k++) {
		worker *w = &workers[k];
		w->rng = next_random(&s) | 1;
		w->src_buf = xmalloc(MAX_READ);
		w->mnt_buf = xmalloc(MAX_READ);
		int r = pthread_create(&w->thread, NULL, worker_main, w);
		if (r != 0) {
			failure("pthread_create: %s", strerror(r));
			free(w->src_buf);
			free(w->mnt_buf);
			break;
		}
		started++;
	}
	for (unsigned k = 0; k < started; k++)
		pthread_join(workers[k].thread, NULL);
	/* after the threads, so that their lookups were the first */
	first_pass();

	unsigned long long mism = atomic_load(&g.c.mismatches), errs = atomic_load(&g.c.errors);
	printf("readcheck: %llu reads (%llu through fresh descriptors, %llu whole files in "
	       "order), %llu bytes compared; "
	       "%llu stat, %llu readlink, %llu readdir, %llu xattr, %llu hard link checks; "
	       "%llu mismatches, %llu errors\n",
	       (unsigned long long)atomic_load(&g.c.reads),
	       (unsigned long long)atomic_load(&g.c.fresh_opens),
	       (unsigned long long)atomic_load(&g.c.sequential),
	       (unsigned long long)atomic_load(&g.c.bytes),
	       (unsigned long long)atomic_load(&g.c.stats),
	       (unsigned long long)atomic_load(&g.c.readlinks),
	       (unsigned long long)atomic_load(&g.c.dirs),
	       (unsigned long long)atomic_load(&g.c.xattrs),
	       (unsigned long long)atomic_load(&g.c.hardlinks), mism, errs);
	if (mism || errs) {
		printf("readcheck: by kind:");
		for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
			if (kind_count[k])
				printf(" %s %llu", kinds[k], kind_count[k]);
		putchar('\n');
	}
	for (size_t k = 0; k < g.n_shared; k++) {
		close(g.shared[k].src);
		close(g.shared[k].mnt);
	}
	for (unsigned k = 0; k < started; k++) {
		free(workers[k].src_buf);
		free(workers[k].mnt_buf);
	}
	free(workers);
	return mism || errs ? 1 : 0;
}
