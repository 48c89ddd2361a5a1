/* SPDX-License-Identifier: MIT */
/* Unpacking with libarchive's reader and our own writer (see unpack.h for
 * the rules).  libarchive's archive_write_disk is not used: its checks
 * follow the process's current directory and leave the created tree behind
 * on failure, and the writer here is short. */
#include "sources/unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/util.h"

enum { READ_BLOCK = 1 << 16 };

typedef struct dir_time {
	char *path;
	struct timespec mtime;
} dir_time;

typedef struct unpacker {
	const bento_unpack_options *opt;
	const char *archive;
	int root;
	uint64_t bytes, entries, max_bytes, max_entries;
	const char *entry; /* the entry being unpacked, as the archive names it */
	/* the directory of the last entry, kept open */
	char *cached_dir;
	int cached_fd;
	/* directories whose time stamp is set at the end */
	dir_time *dirs;
	size_t ndirs, dirs_cap;
} unpacker;

#define refuse(err, u, ...) entry_error((err), (u), 0, __VA_ARGS__)

static int entry_error(bento_error **err, const unpacker *u, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int entry_error(bento_error **err, const unpacker *u, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *what = NULL;
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (errnum != 0)
		return bento_error_set(err, errnum, "%s: entry '%s': %s: %s", u->archive, u->entry,
		                       what ? what : "?", strerror(errnum));
	return bento_error_set(err, 0, "%s: entry '%s': %s", u->archive, u->entry,
	                       what ? what : "?");
}

/* ---- paths ---- */

/* Where raw (an entry's path, or a hard link's target) goes below the
 * destination: "./pkg-1.0/src/a.c" with strip_components 1 is "src/a.c".
 * Returns 1 and sets *out, 0 if nothing is left of it (skipped), -1 if it is
 * absolute or has a ".." component.  what names raw in messages (NULL: the
 * entry's own path). */
static int map_path(const unpacker *u, const char *raw, const char *what, char **out,
                    bento_error **err)
{
	*out = NULL;
	if (raw[0] == '/')
		return what ? refuse(err, u, "%s '%s' is an absolute path, refused", what, raw)
		            : refuse(err, u, "absolute path, refused");
	autofree char *copy = xstrdup(raw);
	autofree char **v = xcalloc(strlen(raw) / 2 + 2, sizeof(*v));
	size_t n = 0;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return what ? refuse(err, u, "%s '%s' has a '..' component, refused", what,
			                     raw)
			            : refuse(err, u, "'..' component in the path, refused");
		v[n++] = c;
	}
	size_t first = u->opt->strip_components;
	if (n <= first)
		return 0;
	if (u->opt->lift_dir != NULL && strcmp(v[first], u->opt->lift_dir) == 0)
		first++;
	if (n <= first)
		return 0;
	size_t len = 0;
	for (size_t i = first; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = xmalloc(len), *p = s;
	for (size_t i = first; i < n; i++) {
		size_t l = strlen(v[i]);
		memcpy(p, v[i], l);
		p += l;
		*p++ = i + 1 < n ? '/' : '\0';
	}
	*out = s;
	return 1;
}

/* Splits "a/b/c" into the directory "a/b" (newly allocated) and the leaf
 * "c" (inside path); "c" alone into "" and "c". */
static void split_path(const char *path, char **dir, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	*dir = slash != NULL ? strndup(path, (size_t)(slash - path)) : xstrdup("");
	if (*dir == NULL)
		abort();
	*leaf = slash != NULL ? slash + 1 : path;
}

/* Opens the directory dir ("" is the destination, else "a/b") one component
 * at a time, never following a symbolic link, creating missing directories
 * when create is set.  Returns a new descriptor. */
static int open_dir(const unpacker *u, const char *dir, bool create, bento_error **err)
{
	int fd = fcntl(u->root, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return entry_error(err, u, errno, "cannot open the destination");
	autofree char *copy = xstrdup(dir);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		int prefix = (int)(c - copy + (ptrdiff_t)strlen(c));
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
				int e = errno;
				close(fd);
				return entry_error(err, u, e, "cannot create directory '%.*s'",
				                   prefix, dir);
			}
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			struct stat st;
			bool is_link =
			    fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
			close(fd);
			if (is_link)
				return refuse(err, u,
				              "'%.*s' is a symbolic link: writing through it is "
				              "refused",
				              prefix, dir);
			if (e == ENOTDIR)
				return refuse(err, u, "'%.*s' is not a directory", prefix, dir);
			return entry_error(err, u, e, "cannot open directory '%.*s'", prefix, dir);
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* The (borrowed) descriptor of directory dir, created if missing. */
static int parent_fd(unpacker *u, const char *dir, bento_error **err)
{
	if (u->cached_dir != NULL && strcmp(u->cached_dir, dir) == 0)
		return u->cached_fd;
	int fd = open_dir(u, dir, true, err);
	if (fd < 0)
		return -1;
	if (u->cached_fd >= 0)
		close(u->cached_fd);
	free(u->cached_dir);
	u->cached_dir = xstrdup(dir);
	u->cached_fd = fd;
	return fd;
}

/* ---- entries ---- */

/* A later entry replaces an earlier file or link, never a directory. */
static int remove_existing(const unpacker *u, int parent, const char *leaf, bento_error **err)
{
	struct stat st;
	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : entry_error(err, u, errno, "cannot stat it");
	if (S_ISDIR(st.st_mode))
		return refuse(err, u, "a directory of that name is already there");
	if (unlinkat(parent, leaf, 0) < 0)
		return entry_error(err, u, errno, "cannot replace the earlier entry of that name");
	return 0;
}

static int charge(unpacker *u, uint64_t n, bento_error **err)
{
	if (n > u->max_bytes - u->bytes)
		return refuse(err, u, "the archive unpacks to more than %llu bytes (the limit)",
		              (unsigned long long)u->max_bytes);
	u->bytes += n;
	return 0;
}

static struct timespec entry_mtime(struct archive_entry *e)
{
	return (struct timespec){.tv_sec = archive_entry_mtime(e),
	                         .tv_nsec = archive_entry_mtime_nsec(e)};
}

static int make_dir(unpacker *u, int parent, const char *leaf, const char *path,
                    struct archive_entry *e, bento_error **err)
{
	mode_t mode = (archive_entry_perm(e) & 0777) | 0700;
	if (mkdirat(parent, leaf, mode) < 0 && errno != EEXIST)
		return entry_error(err, u, errno, "cannot create the directory");
	autoclose int fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
		return refuse(err, u, "a file or link of that name is already there");
	if (fd < 0)
		return entry_error(err, u, errno, "cannot open the directory");
	if (fchmod(fd, mode) < 0)
		return entry_error(err, u, errno, "cannot set the directory's mode");
	if (archive_entry_mtime_is_set(e)) {
		if (u->ndirs == u->dirs_cap) {
			u->dirs_cap = u->dirs_cap ? 2 * u->dirs_cap : 64;
			u->dirs = realloc(u->dirs, u->dirs_cap * sizeof(*u->dirs));
			if (u->dirs == NULL)
				abort();
		}
		u->dirs[u->ndirs++] = (dir_time){xstrdup(path), entry_mtime(e)};
	}
	return 0;
}

static int write_file(unpacker *u, struct archive *a, int parent, const char *leaf,
                      struct archive_entry *e, bento_error **err)
{
	if (remove_existing(u, parent, leaf, err) < 0)
		return -1;
	autoclose int fd =
	    openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return entry_error(err, u, errno, "cannot create the file");
	uint64_t size = 0;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
		size = (uint64_t)archive_entry_size(e);
	if (charge(u, size, err) < 0)
		return -1;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN || off < 0)
			return refuse(err, u, "%s", archive_error_string(a));
		/* Zip entries may not tell their size up front: count as it comes. */
		uint64_t end = (uint64_t)off + len;
		if (end > size) {
			if (charge(u, end - size, err) < 0)
				return -1;
			size = end;
		}
		if (len == 0)
			continue;
		if (lseek(fd, off, SEEK_SET) < 0 || bento_write_all(fd, buf, len) < 0)
			return entry_error(err, u, errno, "cannot write the file");
	}
	/* Holes at the end of a sparse file. */
	if (ftruncate(fd, (off_t)size) < 0)
		return entry_error(err, u, errno, "cannot write the file");
	/* No setuid, setgid or sticky bits. */
	if (fchmod(fd, archive_entry_perm(e) & 0777) < 0)
		return entry_error(err, u, errno, "cannot set the file's mode");
	if (archive_entry_mtime_is_set(e)) {
		struct timespec t[2] = {entry_mtime(e), entry_mtime(e)};
		futimens(fd, t);
	}
	return 0;
}

/* A symbolic link's target may only go up from the link's directory first
 * (leading ".." components, at most as many as the directory is deep) and
 * then down.  Followed by the kernel, such links stay below the destination
 * whatever other links they meet, in whatever order they were created: each
 * starts from a real directory at the depth where it was created. */
static int check_link_target(const unpacker *u, const char *path, const char *target,
                             bento_error **err)
{
	if (target[0] == '\0')
		return refuse(err, u, "symbolic link with an empty target, refused");
	if (target[0] == '/')
		return refuse(err, u, "symbolic link to the absolute path '%s', refused", target);
	unsigned depth = 0, ups = 0;
	for (const char *p = path; *p; p++)
		depth += *p == '/';
	autofree char *copy = xstrdup(target);
	bool named = false;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") != 0) {
			named = true;
			continue;
		}
		if (named)
			return refuse(err, u,
			              "symbolic link to '%s' has '..' after a name, refused (only "
			              "leading '..' components are allowed)",
			              target);
		ups++;
	}
	if (ups > depth)
		return refuse(err, u,
		              "symbolic link to '%s' points outside the destination, refused",
		              target);
	return 0;
}

/* A Debian package names files of its own tree by absolute paths
 * (/usr/lib/x86_64-linux-gnu/libfoo.so -> /usr/lib/...): such a target, once
 * mapped as an entry's path would be, becomes relative to the link's
 * directory.  Returns 1 with *out, 0 when the target lies outside the tree
 * the package is unpacked from (outside lift_dir when there is one), -1 on a
 * refused target. */
static int relative_deb_target(const unpacker *u, const char *path, const char *target, char **out,
                               bento_error **err)
{
	*out = NULL;
	const char *rel = target;
	while (*rel == '/')
		rel++;
	size_t lift = u->opt->lift_dir ? strlen(u->opt->lift_dir) : 0;
	if (lift > 0 && (strncmp(rel, u->opt->lift_dir, lift) != 0 || rel[lift] != '/'))
		return 0;
	autofree char *mapped = NULL;
	int r = map_path(u, rel, "symbolic link target", &mapped, err);
	if (r <= 0)
		return r;
	size_t ups = 0;
	for (const char *p = path; *p; p++)
		ups += *p == '/';
	char *s = xcalloc(1, ups * 3 + strlen(mapped) + 1);
	for (size_t i = 0; i < ups; i++)
		strcat(s, "../");
	strcat(s, mapped);
	*out = s;
	return 1;
}

static int make_symlink(unpacker *u, int parent, const char *leaf, const char *path,
                        struct archive_entry *e, bento_error **err)
{
	const char *target = archive_entry_symlink(e);
	if (target == NULL)
		target = archive_entry_symlink_utf8(e);
	if (target == NULL)
		return refuse(err, u, "symbolic link without a readable target");
	autofree char *rewritten = NULL;
	if (u->opt->deb && target[0] == '/') {
		int r = relative_deb_target(u, path, target, &rewritten, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* (/etc/..., /var/...: the host's at run time, not the app's) */
			bento_warn("%s: symbolic link %s -> %s points outside the package's "
			           "tree: left out",
			           u->opt->label ? u->opt->label : u->archive, u->entry, target);
			return 0;
		}
		target = rewritten;
	}
	if (check_link_target(u, path, target, err) < 0 ||
	    remove_existing(u, parent, leaf, err) < 0)
		return -1;
	if (symlinkat(target, parent, leaf) < 0)
		return entry_error(err, u, errno, "cannot create the symbolic link");
	if (archive_entry_mtime_is_set(e)) {
		struct timespec t[2] = {entry_mtime(e), entry_mtime(e)};
		utimensat(parent, leaf, t, AT_SYMLINK_NOFOLLOW);
	}
	return 0;
}

static int make_hardlink(unpacker *u, int parent, const char *leaf, const char *path,
                         const char *raw_target, bento_error **err)
{
	autofree char *target = NULL;
	int r = map_path(u, raw_target, "hard link target", &target, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return refuse(err, u, "hard link to '%s', which is not unpacked", raw_target);
	if (strcmp(target, path) == 0)
		return 0;
	autofree char *tdir_path = NULL;
	const char *tleaf;
	split_path(target, &tdir_path, &tleaf);
	autoclose int tdir = open_dir(u, tdir_path, false, err);
	if (tdir < 0)
		return -1;
	struct stat st;
	if (fstatat(tdir, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return refuse(err, u, "hard link to '%s', which is not in the archive before it",
		              raw_target);
	if (S_ISDIR(st.st_mode))
		return refuse(err, u, "hard link to the directory '%s', refused", raw_target);
	if (remove_existing(u, parent, leaf, err) < 0)
		return -1;
	if (linkat(tdir, tleaf, parent, leaf, 0) < 0)
		return entry_error(err, u, errno, "cannot create a hard link to '%s'", raw_target);
	return 0;
}

static const char *type_name(mode_t type)
{
	switch (type) {
	case AE_IFCHR:
		return "a character device";
	case AE_IFBLK:
		return "a block device";
	case AE_IFIFO:
		return "a fifo";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "of an unknown type";
	}
}

static int unpack_entry(unpacker *u, struct archive *a, struct archive_entry *e, bento_error **err)
{
	const char *raw = archive_entry_pathname(e);
	if (raw == NULL)
		raw = archive_entry_pathname_utf8(e);
	u->entry = raw != NULL ? raw : "?";
	if (raw == NULL)
		return refuse(err, u, "the entry's name cannot be read");
	mode_t type = archive_entry_filetype(e);
	const char *hardlink = archive_entry_hardlink(e);
	if (hardlink == NULL && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return refuse(err, u, "the entry is %s, refused", type_name(type));
	autofree char *path = NULL;
	int r = map_path(u, raw, NULL, &path, err);
	if (r <= 0)
		return r;
	autofree char *dir = NULL;
	const char *leaf;
	split_path(path, &dir, &leaf);
	int parent = parent_fd(u, dir, err);
	if (parent < 0)
		return -1;
	if (hardlink != NULL)
		return make_hardlink(u, parent, leaf, path, hardlink, err);
	switch (type) {
	case AE_IFDIR:
		return make_dir(u, parent, leaf, path, e, err);
	case AE_IFLNK:
		return make_symlink(u, parent, leaf, path, e, err);
	default:
		return write_file(u, a, parent, leaf, e, err);
	}
}

static int unpack_entries(unpacker *u, struct archive *a, bento_error **err)
{
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return bento_error_set(err, 0, "%s: %s", u->archive,
			                       archive_error_string(a));
		if (++u->entries > u->max_entries)
			return bento_error_set(err, 0, "%s: more than %llu entries (the limit)",
			                       u->archive, (unsigned long long)u->max_entries);
		if (unpack_entry(u, a, e, err) < 0)
			return -1;
	}
}

/* Directory time stamps, last: creating entries inside changes them. */
static void set_dir_times(unpacker *u)
{
	for (size_t i = u->ndirs; i-- > 0;) {
		autofree char *dir = NULL;
		const char *leaf;
		split_path(u->dirs[i].path, &dir, &leaf);
		u->entry = u->dirs[i].path;
		int fd = open_dir(u, dir, false, NULL);
		if (fd < 0)
			continue;
		struct timespec t[2] = {u->dirs[i].mtime, u->dirs[i].mtime};
		utimensat(fd, leaf, t, AT_SYMLINK_NOFOLLOW);
		close(fd);
	}
}

/* ---- archives ---- */

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define auto_archive __attribute__((cleanup(archive_freep))) struct archive *

static void support_filters(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
}

static int unpack_plain(unpacker *u, bento_error **err)
{
	auto_archive a = archive_read_new();
	if (a == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot initialise libarchive", u->archive);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	support_filters(a);
	if (archive_read_open_filename(a, u->archive, READ_BLOCK) != ARCHIVE_OK)
		return bento_error_set(err, 0, "%s: %s", u->archive, archive_error_string(a));
	return unpack_entries(u, a, err);
}

typedef struct member {
	struct archive *outer;
	char buf[READ_BLOCK];
} member;

/* Feeds the current member of the .deb to the reader of the data.tar. */
static la_ssize_t read_member(struct archive *inner, void *client, const void **buf)
{
	member *m = client;
	la_ssize_t n = archive_read_data(m->outer, m->buf, sizeof(m->buf));
	if (n < 0)
		archive_set_error(inner, archive_errno(m->outer), "%s",
		                  archive_error_string(m->outer));
	*buf = m->buf;
	return n;
}

static int unpack_deb_data(unpacker *u, struct archive *outer, bento_error **err)
{
	auto_archive inner = archive_read_new();
	autofree member *m = xmalloc(sizeof(*m));
	m->outer = outer;
	if (inner == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot initialise libarchive", u->archive);
	archive_read_support_format_tar(inner);
	support_filters(inner);
	if (archive_read_open(inner, m, NULL, read_member, NULL) != ARCHIVE_OK)
		return bento_error_set(err, 0, "%s: data member: %s", u->archive,
		                       archive_error_string(inner));
	if (unpack_entries(u, inner, err) < 0)
		return -1;
	return 0;
}

/* A .deb is an ar archive: debian-binary ("2.0\n"), control.tar.*, data.tar.*. */
static int unpack_deb(unpacker *u, bento_error **err)
{
	auto_archive a = archive_read_new();
	if (a == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot initialise libarchive", u->archive);
	archive_read_support_format_ar(a);
	if (archive_read_open_filename(a, u->archive, READ_BLOCK) != ARCHIVE_OK)
		return bento_error_set(err, 0, "%s: not a Debian package: %s", u->archive,
		                       archive_error_string(a));
	bool version_seen = false;
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return bento_error_set(err, 0, "%s: not a Debian package: %s", u->archive,
			                       archive_error_string(a));
		const char *name = archive_entry_pathname(e);
		if (name == NULL)
			continue;
		if (strcmp(name, "debian-binary") == 0) {
			char v[16] = {0};
			if (archive_read_data(a, v, sizeof(v) - 1) < 2 || strncmp(v, "2.", 2) != 0)
				return bento_error_set(
				    err, 0, "%s: not a Debian package of format 2.x", u->archive);
			version_seen = true;
		} else if (strncmp(name, "data.tar", 8) == 0) {
			if (!version_seen)
				break;
			return unpack_deb_data(u, a, err);
		}
	}
	return bento_error_set(err, 0,
	                       "%s: not a Debian package (no debian-binary member followed by "
	                       "a data.tar member)",
	                       u->archive);
}

/* ---- the destination ---- */

static int prepare_dest(const char *dest, bool *created, bento_error **err)
{
	*created = false;
	if (mkdir(dest, 0755) == 0 || (errno == ENOENT && bento_mkdir_p(dest, 0755, err) == 0)) {
		*created = true;
		return 0;
	}
	if (errno != EEXIST)
		return bento_error_errno(err, "cannot create %s", dest);
	DIR *d = opendir(dest);
	if (d == NULL)
		return bento_error_errno(err, "cannot open %s", dest);
	struct dirent *de;
	bool empty = true;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (!empty)
		return bento_error_set(err, 0, "%s: not empty (unpacking needs an empty directory)",
		                       dest);
	return 0;
}

/* Undoes a failed unpacking. */
static void clear_dest(const char *dest, bool created)
{
	if (created) {
		bento_remove_tree(dest, NULL);
		return;
	}
	DIR *d = opendir(dest);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		autofree char *path = xasprintf("%s/%s", dest, de->d_name);
		bento_remove_tree(path, NULL);
	}
	closedir(d);
}

int bento_unpack(const bento_unpack_options *opt, const char *archive, const char *dest,
                 bento_error **err)
{
	static const bento_unpack_options defaults = {0};
	if (opt == NULL)
		opt = &defaults;
	/* The archive first: a missing one leaves no directory behind. */
	autoclose int probe = open(archive, O_RDONLY | O_CLOEXEC);
	if (probe < 0)
		return bento_error_errno(err, "cannot open %s", archive);
	bool created;
	if (prepare_dest(dest, &created, err) < 0)
		return -1;
	unpacker u = {
	    .opt = opt,
	    .archive = archive,
	    .max_bytes = opt->max_bytes ? opt->max_bytes : BENTO_UNPACK_DEFAULT_MAX_BYTES,
	    .max_entries = opt->max_entries ? opt->max_entries : BENTO_UNPACK_DEFAULT_MAX_ENTRIES,
	    .cached_fd = -1,
	};
	int r;
	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.root < 0)
		r = bento_error_errno(err, "cannot open %s", dest);
	else
		r = opt->deb ? unpack_deb(&u, err) : unpack_plain(&u, err);
	if (r == 0)
		set_dir_times(&u);
	if (u.cached_fd >= 0)
		close(u.cached_fd);
	if (u.root >= 0)
		close(u.root);
	free(u.cached_dir);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	if (r < 0)
		clear_dest(dest, created);
	return r;
}
