/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a hostile bento file / AppImage, read the way the runtime,
 * `bento info`, `bento extract` and the FUSE server read it.
 *
 * Input: one mode byte, then the rest.
 *   mode & 1 == 0  "payload": the rest is a SquashFS image; it is appended to a
 *                  fixed, valid runtime ELF part (a small synthetic one, or the
 *                  ELF part of BENTO_FUZZ_RUNTIME if that names a bento file).
 *   mode & 1 == 1  "whole": the rest is the whole file, ELF part included.
 *   mode & 2       extract only what matches the pattern "usr/" + "*".
 *
 * For each input: bento_image_open(); the ELF sections `bento info` reads; the
 * whole tree walked (depth- and budget-limited) with the libsquashfuse calls
 * serve.c makes (sqfs_inode_get, sqfs_dir_open/next with and without a resume
 * offset, sqfs_dir_lookup, sqfs_read_range in odd-sized chunks, sqfs_readlink,
 * sqfs_xattr_open/read/name/lookup); the files launch.c and info.c read
 * (.bento/metadata, the top-level *.desktop) through bento_image_read_file()
 * and bento_keyfile_parse(); and bento_extract() into a fresh directory that
 * is removed afterwards.
 *
 * Environment:
 *   BENTO_FUZZ_RUNTIME=FILE  take the runtime part of FILE as the prefix.
 *   BENTO_FUZZ_STRICT=N      do what bento does even where that is known to
 *                            exhaust memory, disk or time: N & 1, read
 *                            symlinks of any declared size as serve.c does
 *                            (a calloc of up to 4 GiB); N & 2, extract trees
 *                            the walk found cyclic or huge.
 *   BENTO_FUZZ_WORKDIR=DIR   where bento_extract() writes (default /dev/shm,
 *                            else $TMPDIR); give STRICT runs a small tmpfs.
 *   BENTO_FUZZ_VERBOSE=1     say what the walk saw, on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf_layout.h"
#include "core/error.h"
#include "image/extract.h"
#include "image/image.h"
#include "core/keyfile.h"
#include "core/util.h"

/* Budgets that keep one input well under the 5 s timeout.  A tree that needs
 * more than this is reported (BENTO_FUZZ_VERBOSE) and not extracted. */
#define WALK_MAX_DEPTH 40
#define WALK_MAX_ENTRIES 4000
#define WALK_MAX_READ (8u << 20)        /* bytes read through sqfs_read_range */
#define WALK_FULL_READ_LIMIT (1u << 20) /* files up to this are read whole */
#define EXTRACT_MAX_FILE (4u << 20)     /* larger files: extraction skipped */
#define EXTRACT_MAX_TOTAL (16u << 20)
#define MAX_DIRS 4096

static uint8_t *prefix;
static size_t prefix_len;
static int mem_fd = -1;
static char mem_path[64];
static char work_dir[256];
static unsigned strict; /* STRICT_* bits */
static bool verbose;
#define STRICT_SYMLINK 1
#define STRICT_EXTRACT 2

/* ---- the fixed runtime part ------------------------------------------------ */

/* A minimal ELF64 file that bento_image_open() accepts as a runtime: the
 * AppImage magic at offset 8 and section headers for .shstrtab, .upd_info and
 * .sha256_sig (what `bento info` reads); the payload starts where they end. */
static void synthetic_prefix(void)
{
	static const char names[] = "\0.shstrtab\0.upd_info\0.sha256_sig\0";
	static const char updinfo[32] = "zsync|https://example.org/x.zs";
	const size_t names_off = 64, upd_off = 128, sig_off = 160, sh_off = 192;
	const unsigned shnum = 4;
	prefix_len = sh_off + shnum * 64;
	prefix = calloc(1, prefix_len);
	uint8_t *p = prefix;
	memcpy(p, "\177ELF", 4);
	p[4] = 2; /* ELFCLASS64 */
	p[5] = 1; /* little endian */
	p[6] = 1; /* EV_CURRENT */
	memcpy(p + 8, "AI\002", 3);
#define W16(o, v) (p[(o)] = (uint8_t)(v), p[(o) + 1] = (uint8_t)((v) >> 8))
#define W32(o, v) (W16((o), (v)), W16((o) + 2, (uint32_t)(v) >> 16))
#define W64(o, v) (W32((o), (v)), W32((o) + 4, (uint64_t)(v) >> 32))
	W16(16, 2);      /* ET_EXEC */
	W16(18, 62);     /* EM_X86_64 */
	W32(20, 1);      /* e_version */
	W64(40, sh_off); /* e_shoff */
	W16(52, 64);     /* e_ehsize */
	W16(58, 64);     /* e_shentsize */
	W16(60, shnum);  /* e_shnum */
	W16(62, 1);      /* e_shstrndx */
	memcpy(p + names_off, names, sizeof(names));
	memcpy(p + upd_off, updinfo, sizeof(updinfo));
	/* section 1: .shstrtab */
	size_t s = sh_off + 64;
	W32(s, 1);
	W32(s + 4, 3); /* SHT_STRTAB */
	W64(s + 24, names_off);
	W64(s + 32, sizeof(names));
	/* section 2: .upd_info */
	s += 64;
	W32(s, 11);
	W32(s + 4, 1); /* SHT_PROGBITS */
	W64(s + 24, upd_off);
	W64(s + 32, sizeof(updinfo));
	/* section 3: .sha256_sig (all zero: unsigned) */
	s += 64;
	W32(s, 21);
	W32(s + 4, 1);
	W64(s + 24, sig_off);
	W64(s + 32, 32);
#undef W16
#undef W32
#undef W64
}

static void runtime_prefix(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t off = 0;
	auto_bento_error err = NULL;
	if (fd < 0 || fstat(fd, &st) < 0 ||
	    bento_elf_payload_offset(fd, (uint64_t)st.st_size, &off, &err) < 0) {
		fprintf(stderr, "fuzz_image: cannot use %s as the runtime: %s\n", path,
		        err ? err->message : strerror(errno));
		exit(1);
	}
	prefix_len = off;
	prefix = malloc(prefix_len);
	if (bento_pread_all(fd, prefix, prefix_len, 0) != (ssize_t)prefix_len) {
		fprintf(stderr, "fuzz_image: cannot read %s\n", path);
		exit(1);
	}
	close(fd);
}

static void remove_work_dir(void)
{
	bento_remove_tree(work_dir, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *rt = getenv("BENTO_FUZZ_RUNTIME");
	if (rt && rt[0])
		runtime_prefix(rt);
	else
		synthetic_prefix();
	strict = getenv("BENTO_FUZZ_STRICT") ? (unsigned)atoi(getenv("BENTO_FUZZ_STRICT")) : 0;
	verbose = getenv("BENTO_FUZZ_VERBOSE") && atoi(getenv("BENTO_FUZZ_VERBOSE"));
	mem_fd = memfd_create("bento-fuzz-image", MFD_CLOEXEC);
	if (mem_fd < 0) {
		perror("memfd_create");
		exit(1);
	}
	snprintf(mem_path, sizeof(mem_path), "/proc/self/fd/%d", mem_fd);
	const char *base = getenv("BENTO_FUZZ_WORKDIR");
	if (base == NULL || base[0] == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : bento_tmpdir();
	snprintf(work_dir, sizeof(work_dir), "%s/bento-fuzz-%d", base, (int)getpid());
	if (mkdir(work_dir, 0700) < 0 && errno != EEXIST) {
		perror(work_dir);
		exit(1);
	}
	atexit(remove_work_dir);
	return 0;
}

/* ---- the walk -------------------------------------------------------------- */

typedef struct walk {
	bento_image *img;
	sqfs *fs;
	unsigned entries;
	uint64_t read_bytes;
	uint64_t file_bytes; /* sum of regular file sizes: what extraction writes */
	uint64_t largest_file;
	bool too_big;   /* a budget ran out */
	bool dir_twice; /* a directory reached twice (cycle or shared) */
	sqfs_inode_id dirs[MAX_DIRS];
	unsigned ndirs;
	char *chunk;
} walk;

static mode_t inode_mode(const sqfs_inode *inode)
{
	return inode->base.mode | sqfs_mode(inode->base.inode_type);
}

/* What serve.c's inode_stat() computes; the values are consumed so that
 * nothing is optimised away and UBSan sees the conversions. */
static volatile uint64_t sink;
static void consume_stat(const walk *w, const sqfs_inode *inode)
{
	mode_t mode = inode_mode(inode);
	uint64_t v = mode ^ (uint64_t)inode->nlink ^ (uint64_t)inode->base.mtime ^
	             le32toh(w->img->sb.block_size);
	if (S_ISREG(mode))
		v ^= inode->xtra.reg.file_size + (inode->xtra.reg.file_size + 511) / 512;
	else if (S_ISLNK(mode))
		v ^= inode->xtra.symlink_size;
	else if (S_ISDIR(mode))
		v ^= inode->xtra.dir.dir_size ^ inode->xtra.dir.parent_inode;
	else if (S_ISBLK(mode) || S_ISCHR(mode))
		v ^= (uint64_t)inode->xtra.dev.major << 20 ^ (uint64_t)inode->xtra.dev.minor;
	sink = v;
}

/* serve.c op_read(): reads of at most `size` bytes at `off`, clamped to the
 * file size. */
static void read_at(walk *w, sqfs_inode *inode, uint64_t off, size_t size)
{
	uint64_t file_size = inode->xtra.reg.file_size;
	if (off >= file_size)
		return;
	if (size > file_size - off)
		size = (size_t)(file_size - off);
	sqfs_off_t got = (sqfs_off_t)size;
	if (sqfs_read_range(w->fs, inode, (sqfs_off_t)off, &got, w->chunk) != SQFS_OK)
		return;
	if (got < 0 || (uint64_t)got > size)
		__builtin_trap(); /* sqfs_read_range said it wrote more than asked */
	w->read_bytes += (uint64_t)got;
	if (got > 0)
		sink = (uint8_t)w->chunk[got - 1];
}

static void read_file(walk *w, sqfs_inode *inode)
{
	static const size_t sizes[] = {4093, 131072, 1, 65521, 8192, 12289};
	uint64_t size = inode->xtra.reg.file_size;
	if (size > w->largest_file)
		w->largest_file = size;
	w->file_bytes += size;
	if (size <= WALK_FULL_READ_LIMIT) {
		uint64_t off = 0;
		for (unsigned i = 0; off < size && w->read_bytes < WALK_MAX_READ; i++) {
			size_t n = sizes[i % ARRAY_SIZE(sizes)];
			read_at(w, inode, off, n);
			off += n;
		}
	} else {
		/* Big (or claims to be): the start, the middle (through the block
		 * index), an unaligned spot and the end. */
		read_at(w, inode, 0, 65536);
		read_at(w, inode, size / 2, 4093);
		read_at(w, inode, size / 3 + 4097, 131072);
		read_at(w, inode, size - 1, 131072);
		read_at(w, inode, size - 70000 < size ? size - 70000 : 0, 131072);
	}
	/* What the kernel may send: a read at the end and past it. */
	read_at(w, inode, size, 4096);
}

/* serve.c op_readlink(): a buffer of symlink_size + 2 bytes. */
static void read_link(walk *w, sqfs_inode *inode)
{
	size_t want = inode->xtra.symlink_size;
	if (want > (64u << 20) && !(strict & STRICT_SYMLINK)) {
		/* serve.c and extract.c xcalloc() this much: up to 4 GiB. */
		if (verbose)
			fprintf(stderr, "fuzz_image: symlink of %zu bytes\n", want);
		w->too_big = true;
		return;
	}
	size_t size = want + 1;
	char *target = xcalloc(1, size + 1);
	if (sqfs_readlink(w->fs, inode, target, &size) == SQFS_OK)
		sink = strlen(target);
	free(target);
}

/* serve.c op_getxattr(): sqfs_xattr_open, sqfs_xattr_find, then the value's
 * size and, asked again with a buffer that large, the value.  Also
 * sqfs_xattr_lookup(), the one-call form. */
static void getxattr_twice(walk *w, sqfs_inode *inode, const char *name)
{
	size_t want = 0;
	for (int pass = 0; pass < 2; pass++) {
		sqfs_xattr x;
		bool found = false;
		size_t vsize = 0;
		if (sqfs_xattr_open(w->fs, inode, &x) != SQFS_OK ||
		    sqfs_xattr_find(&x, name, &found) != SQFS_OK || !found ||
		    sqfs_xattr_value_size(&x, &vsize) != SQFS_OK)
			return;
		if (pass == 0) {
			want = vsize;
			continue;
		}
		if (vsize > want || vsize > (1u << 20))
			return;
		char *buf = xmalloc(vsize);
		if (sqfs_xattr_value(&x, buf) == SQFS_OK && vsize > 0)
			sink = (uint8_t)buf[vsize - 1];
		free(buf);
	}
	size_t size = want;
	char *buf = xmalloc(size);
	if (sqfs_xattr_lookup(w->fs, inode, name, buf, &size) == SQFS_OK && size > 0 &&
	    size <= want)
		sink = (uint8_t)buf[size - 1];
	free(buf);
}

/* serve.c op_listxattr(), then getxattr of what it lists. */
static void xattrs(walk *w, sqfs_inode *inode)
{
	sqfs_xattr x;
	if (sqfs_xattr_open(w->fs, inode, &x) != SQFS_OK)
		return;
	size_t cap = 256, used = 0;
	char *names = xmalloc(cap);
	unsigned n_attrs = 0;
	while (x.remain > 0 && n_attrs++ < 256) {
		if (sqfs_xattr_read(&x) != SQFS_OK)
			break;
		size_t n = sqfs_xattr_name_size(&x);
		if (used + n + 1 > cap) {
			cap = (used + n + 1) * 2;
			names = realloc(names, cap);
			if (names == NULL)
				abort();
		}
		if (sqfs_xattr_name(&x, names + used, true) != SQFS_OK)
			break;
		used += n;
		names[used++] = '\0';
	}
	/* getxattr of every listed name, as "getfattr -d" does (first the size,
	 * then the value), and of a few names programs ask for. */
	static const char *const probes[] = {"user.a", "security.selinux", "security.capability",
	                                     "trusted.x", "system.posix_acl_access"};
	for (const char *n = names; n < names + used; n += strlen(n) + 1)
		getxattr_twice(w, inode, n);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		getxattr_twice(w, inode, probes[i]);
	free(names);
}

static bool seen_dir(walk *w, sqfs_inode_id id)
{
	for (unsigned i = 0; i < w->ndirs; i++)
		if (w->dirs[i] == id)
			return true;
	if (w->ndirs < MAX_DIRS)
		w->dirs[w->ndirs++] = id;
	return false;
}

static void walk_dir(walk *w, sqfs_inode *dir_inode, unsigned depth);

static void walk_entry(walk *w, sqfs_inode *dir_inode, sqfs_dir_entry *entry, unsigned depth)
{
	const char *name = sqfs_dentry_name(entry);
	size_t namelen = strlen(name);
	sink = sqfs_dentry_inode_num(entry) ^ sqfs_dentry_mode(entry);

	/* serve.c op_lookup() of this name in its directory. */
	sqfs_name lookbuf;
	sqfs_dir_entry found_entry;
	sqfs_dentry_init(&found_entry, lookbuf);
	bool found = false;
	if (namelen > 0 &&
	    sqfs_dir_lookup(w->fs, dir_inode, name, namelen, &found_entry, &found) == SQFS_OK &&
	    found)
		sink = sqfs_dentry_inode(&found_entry);

	sqfs_inode inode;
	if (sqfs_inode_get(w->fs, &inode, sqfs_dentry_inode(entry)) != SQFS_OK)
		return;
	consume_stat(w, &inode);
	xattrs(w, &inode);
	mode_t mode = inode_mode(&inode);
	if (S_ISREG(mode))
		read_file(w, &inode);
	else if (S_ISLNK(mode))
		read_link(w, &inode);
	else if (S_ISDIR(mode)) {
		if (seen_dir(w, sqfs_dentry_inode(entry))) {
			w->dir_twice = true;
			return;
		}
		walk_dir(w, &inode, depth + 1);
	}
}

static void walk_dir(walk *w, sqfs_inode *dir_inode, unsigned depth)
{
	if (depth > WALK_MAX_DEPTH) {
		w->too_big = true;
		return;
	}
	sqfs_dir dir;
	if (sqfs_dir_open(w->fs, dir_inode, &dir, 0) != SQFS_OK)
		return;
	sqfs_name namebuf;
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf);
	sqfs_err sqerr = SQFS_OK;
	sqfs_off_t resume = 0;
	unsigned i = 0;
	while (sqfs_dir_next(w->fs, &dir, &entry, &sqerr)) {
		if (++w->entries > WALK_MAX_ENTRIES) {
			w->too_big = true;
			return;
		}
		if (i++ == 1)
			resume = sqfs_dentry_next_offset(&entry);
		walk_entry(w, dir_inode, &entry, depth);
	}
	/* serve.c op_readdir() resumes a listing at an offset it handed out,
	 * or at any offset a program gave seekdir()/lseek(). */
	sqfs_off_t offsets[] = {resume, resume + 1, 3, 1 << 20};
	for (size_t k = 0; k < ARRAY_SIZE(offsets); k++) {
		sqfs_dir again;
		if (offsets[k] <= 2 ||
		    sqfs_dir_open(w->fs, dir_inode, &again, offsets[k]) != SQFS_OK)
			continue;
		sqfs_dir_entry e2;
		sqfs_name buf2;
		sqfs_dentry_init(&e2, buf2);
		for (unsigned n = 0; n < 64 && sqfs_dir_next(w->fs, &again, &e2, &sqerr); n++)
			sink = sqfs_dentry_next_offset(&e2);
	}
	/* A name that is not there, before and after everything. */
	sqfs_name lookbuf;
	sqfs_dir_entry miss;
	sqfs_dentry_init(&miss, lookbuf);
	bool found;
	sqfs_dir_lookup(w->fs, dir_inode, "zzzz-not-there", 14, &miss, &found);
	sqfs_dir_lookup(w->fs, dir_inode, "!", 1, &miss, &found);
}

/* launch.c resolve_command() and info.c desktop_name(). */
static void read_keyfile(bento_image *img, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	auto_bento_error err = NULL;
	if (bento_image_read_file(img, path, 1 << 20, &data, &len, &err) <= 0)
		return;
	auto_bento_keyfile kf = NULL;
	auto_bento_error perr = NULL;
	if (bento_keyfile_parse(path, data, len, &kf, &perr) == 0) {
		const char *v = bento_keyfile_get(kf, "Application", "command");
		if (v)
			sink = strlen(v);
		v = bento_keyfile_get(kf, "Desktop Entry", "Name");
		if (v)
			sink = strlen(v);
	}
	free(data);
}

static void desktop_entries(bento_image *img)
{
	sqfs_inode root;
	sqfs_dir dir;
	if (sqfs_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) != SQFS_OK ||
	    sqfs_dir_open(&img->fs, &root, &dir, 0) != SQFS_OK)
		return;
	sqfs_name namebuf;
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf);
	sqfs_err sqerr;
	for (unsigned i = 0; i < 256 && sqfs_dir_next(&img->fs, &dir, &entry, &sqerr); i++) {
		const char *name = sqfs_dentry_name(&entry);
		size_t n = strlen(name);
		if (n < 8 || strcmp(name + n - 8, ".desktop") != 0)
			continue;
		/* A copy: bento_image_read_file() looks the name up again. */
		char copy[sizeof(sqfs_name)];
		snprintf(copy, sizeof(copy), "%s", name);
		read_keyfile(img, copy);
		break;
	}
}

static void sections(bento_image *img)
{
	static const char *const names[] = {".upd_info", ".sha256_sig", ".sig_key", ".digest_md5"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *data = NULL;
		size_t len;
		auto_bento_error err = NULL;
		if (bento_image_read_section(img, names[i], &data, &len, &err) > 0)
			sink = len;
		free(data);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (ftruncate(mem_fd, 0) < 0)
		abort();
	if ((mode & 1) == 0 && bento_write_all(mem_fd, prefix, prefix_len) < 0)
		abort();
	if (size > 0 &&
	    pwrite(mem_fd, data, size, (mode & 1) == 0 ? (off_t)prefix_len : 0) != (ssize_t)size)
		abort();

	bento_image *img = NULL;
	auto_bento_error err = NULL;
	if (bento_image_open(mem_path, &img, &err) < 0)
		return 0;
	sink = strlen(bento_image_compression_name(img));
	free(bento_image_identity(img));
	sections(img);

	walk *w = xcalloc(1, sizeof(*w));
	w->img = img;
	w->fs = &img->fs;
	w->chunk = xmalloc(131072);
	sqfs_inode root;
	if (sqfs_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) == SQFS_OK) {
		consume_stat(w, &root);
		xattrs(w, &root);
		if (S_ISDIR(inode_mode(&root))) {
			seen_dir(w, sqfs_inode_root(&img->fs));
			walk_dir(w, &root, 0);
		}
		/* sqfs_lookup_path() of paths that are and are not there. */
		static const char *const paths[] = {"AppRun",       "usr/bin/hello",
		                                    "/a/b/c/d/e/f", ".bento/metadata/x",
		                                    "//",           "usr/../usr"};
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			sqfs_inode in;
			bool found;
			if (sqfs_inode_get(&img->fs, &in, sqfs_inode_root(&img->fs)) == SQFS_OK &&
			    sqfs_lookup_path(&img->fs, &in, paths[i], &found) == SQFS_OK && found)
				consume_stat(w, &in);
		}
	}
	read_keyfile(img, ".bento/metadata");
	desktop_entries(img);

	bool skip_extract = w->too_big || w->dir_twice || w->largest_file > EXTRACT_MAX_FILE ||
	                    w->file_bytes > EXTRACT_MAX_TOTAL;
	if (verbose)
		fprintf(
		    stderr,
		    "fuzz_image: %u entries, %llu bytes read, %llu in files (largest %llu)%s%s%s\n",
		    w->entries, (unsigned long long)w->read_bytes,
		    (unsigned long long)w->file_bytes, (unsigned long long)w->largest_file,
		    w->too_big ? ", over budget" : "", w->dir_twice ? ", a directory twice" : "",
		    skip_extract
		        ? (strict & STRICT_EXTRACT ? ", extracting anyway" : ", not extracted")
		        : "");
	if (!skip_extract || (strict & STRICT_EXTRACT)) {
		char dest[300];
		snprintf(dest, sizeof(dest), "%s/x", work_dir);
		bento_extract_options opts = {.pattern = (mode & 2) ? "usr/*" : NULL};
		auto_bento_error xerr = NULL;
		bento_extract(img, dest, &opts, &xerr);
		bento_remove_tree(dest, NULL);
	}
	free(w->chunk);
	free(w);
	bento_image_free(img);
	return 0;
}
