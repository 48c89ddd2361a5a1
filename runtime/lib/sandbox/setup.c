/* SPDX-License-Identifier: MIT */
/* Carrying out the sandbox's plan, in the child that becomes the sandbox.
 *
 * The child shares the runtime's memory, so nothing here allocates: paths
 * are built in buffers on the stack.  Every path inside the new root is
 * walked one component at a time with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), so that a symlink left in a directory the app can
 * write (its data directory, a granted home) never sends a mount elsewhere;
 * mounts then go through /proc/self/fd/N of what was opened.
 *
 * As bubblewrap does, the new root is built while the host's tree is out
 * of its way: a private base tmpfs becomes the root directory and the
 * host's tree moves below it to /oldroot.  Had the new root stayed mounted
 * on a directory of the host's tree, a grant of a directory above it (a
 * home, ~/.cache) would carry a writable copy of the sandbox's own root
 * into the sandbox, /.flatpak-info and /etc included.  Sources are opened
 * in the host's tree with RESOLVE_IN_ROOT, so that its absolute symlinks
 * mean what they mean on the host. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox.h"

static int failed(bento_sandbox_failure *why, const char *step, const char *path)
{
	why->step = step;
	why->path = path;
	why->errnum = errno;
	return -1;
}

static int openat2_resolve(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {.flags = (unsigned)(flags | O_CLOEXEC), .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static int openat2_beneath(int dirfd, const char *path, int flags)
{
	return openat2_resolve(dirfd, path, flags,
	                       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

/* A host path, as the host resolves it, in the host's tree host_fd. */
static int open_host(int host_fd, const char *path, int flags)
{
	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	return openat2_resolve(host_fd, path[1] ? path + 1 : ".", flags, RESOLVE_IN_ROOT);
}

static int set_mount_attr(int fd, uint64_t set, bool recursive)
{
	struct mount_attr attr = {.attr_set = set};
	return (int)syscall(SYS_mount_setattr, fd, "",
	                    AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr));
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
#define scoped_fd __attribute__((cleanup(close_fd))) int

/* Opens the parent directory of rel (relative to the new root), creating
 * missing directories; *name is set to rel's last component. */
static int open_parent(int rootfd, char *rel, const char **name)
{
	char *slash = strrchr(rel, '/');
	if (slash == NULL) {
		*name = rel;
		return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	}
	*name = slash + 1;
	*slash = '\0';
	int dirfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	for (char *comp = rel; dirfd >= 0 && comp && *comp;) {
		char *next = strchr(comp, '/');
		if (next)
			*next = '\0';
		int fd = openat2_beneath(dirfd, comp, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT && mkdirat(dirfd, comp, 0755) == 0)
			fd = openat2_beneath(dirfd, comp, O_PATH | O_DIRECTORY);
		int saved = errno;
		close(dirfd);
		errno = saved;
		dirfd = fd;
		if (next)
			*next = '/';
		comp = next ? next + 1 : NULL;
	}
	*slash = '/';
	return dirfd;
}

/* Creates (if needed) what will be mounted over: a directory, or an empty
 * file when the source is not a directory; returns it opened O_PATH. */
static int make_mountpoint(int parent, const char *name, bool dir, mode_t mode)
{
	if (dir) {
		if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
			return -1;
	} else {
		int fd = openat(parent, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
		if (fd < 0 && errno != EISDIR)
			return -1;
		if (fd >= 0)
			close(fd);
	}
	return openat2_beneath(parent, name, O_PATH | (dir ? O_DIRECTORY : 0));
}

/* The source of a bind: followed as the host has it, or, with
 * BENTO_MOUNT_NO_SYMLINKS, resolved beneath a trusted directory without any
 * symlink. */
static int open_source(const bento_mount_op *op, int host_fd)
{
	if (!(op->flags & BENTO_MOUNT_NO_SYMLINKS))
		return open_host(host_fd, op->src, O_PATH);
	scoped_fd base = open_host(host_fd, op->beneath, O_PATH | O_DIRECTORY);
	if (base < 0)
		return -1;
	/* O_PATH | O_NOFOLLOW opens a final symlink itself: refused too. */
	int fd = openat2_beneath(base, op->src, O_PATH | O_NOFOLLOW);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

/* Whether the directory (or file) fd is one of the sandbox's protected
 * directories or lies below one: walked up with "..", each step compared
 * by device and inode.  What was checked when the plan was made can have
 * changed since (another program renamed a directory): a grant must never
 * bind bento's own state or another app's data, whatever path led there. */
static bool below_protected(const bento_sandbox *sb, int fd)
{
	scoped_fd cur = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	for (int depth = 0; cur >= 0 && depth < 4096; depth++) {
		struct stat st;
		if (fstat(cur, &st) < 0)
			return true;
		for (size_t i = 0; i < sb->n_protected; i++)
			if (sb->protected[i].dev == st.st_dev && sb->protected[i].ino == st.st_ino)
				return true;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat up_st;
		if (up < 0 || fstat(up, &up_st) < 0) {
			if (up >= 0)
				close(up);
			return true;
		}
		bool top = up_st.st_dev == st.st_dev && up_st.st_ino == st.st_ino;
		close(cur);
		cur = up;
		if (top)
			return false;
	}
	return true;
}

static int do_bind(const bento_sandbox *sb, const bento_mount_op *op, int host_fd, int parent,
                   const char *name, bento_sandbox_failure *why)
{
	scoped_fd src = open_source(op, host_fd);
	if (src < 0) {
		if (errno == ENOENT && (op->flags & BENTO_MOUNT_OPTIONAL))
			return 0;
		return failed(why,
		              errno == ELOOP || errno == EXDEV
		                  ? "refusing to follow a symlink or leave the directory at"
		                  : "cannot open",
		              op->src);
	}
	if ((op->flags & BENTO_MOUNT_GRANT) && below_protected(sb, src)) {
		errno = EPERM;
		return failed(why, "refusing to grant bento's own state or another app's data at",
		              op->src);
	}
	struct stat st;
	if (fstat(src, &st) < 0)
		return failed(why, "cannot stat", op->src);
	scoped_fd dest = make_mountpoint(parent, name, S_ISDIR(st.st_mode), 0755);
	if (dest < 0)
		return failed(why, "cannot create the mount point", op->dest);
	char src_path[32], dest_path[32];
	bento_fd_path(src_path, src);
	bento_fd_path(dest_path, dest);
	if (mount(src_path, dest_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return failed(why, "cannot bind", op->src);
	/* The new mount, to set its flags: never set-user-id, devices only
	 * where devices are the point, read-only when asked. */
	scoped_fd mnt = openat2_beneath(parent, name, O_PATH);
	if (mnt < 0)
		return failed(why, "cannot open the new mount", op->dest);
	uint64_t attrs = MOUNT_ATTR_NOSUID;
	if (strncmp(op->src, "/dev/", 5) != 0 && strcmp(op->src, "/dev") != 0)
		attrs |= MOUNT_ATTR_NODEV;
	if (op->flags & BENTO_MOUNT_RO)
		attrs |= MOUNT_ATTR_RDONLY;
	if (set_mount_attr(mnt, attrs, true) < 0)
		return failed(why, "cannot set the flags of", op->dest);
	return 0;
}

/* The options of a tmpfs of the sandbox's: the mode of its root, its size,
 * and one inode per 4 KiB of it (the kernel's own ratio for its default
 * size; the inodes' memory is not counted in the size), at least 1024. */
static void tmpfs_options(char *buf, size_t n, const bento_mount_op *op)
{
	if (op->size == 0) {
		snprintf(buf, n, "mode=%04o", (unsigned)op->mode);
		return;
	}
	unsigned long long inodes = op->size / 4096;
	snprintf(buf, n, "mode=%04o,size=%llu,nr_inodes=%llu", (unsigned)op->mode,
	         (unsigned long long)op->size, inodes < 1024 ? 1024 : inodes);
}

/* An empty read-only tmpfs over what dest names, if it exists: bento's own
 * state inside a granted directory.  Nothing is created, no symlink is
 * followed (the path was free of them when the plan was made). */
static int do_mask(const bento_mount_op *op, int rootfd, bento_sandbox_failure *why)
{
	scoped_fd dir = openat2_beneath(rootfd, op->dest + 1, O_PATH | O_DIRECTORY);
	if (dir < 0 && errno == ENOENT)
		return 0;
	if (dir < 0)
		return failed(why, "refusing to hide what is reached through a symlink at",
		              op->dest);
	char path[32];
	bento_fd_path(path, dir);
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (op->flags & BENTO_MOUNT_RO)
		flags |= MS_RDONLY;
	if (mount("tmpfs", path, "tmpfs", flags, "mode=0755,size=64k,nr_inodes=256") < 0)
		return failed(why, "cannot hide", op->dest);
	return 0;
}

/* ---- /usr: the image's tree over the host's ------------------------------ */

/* Programs from distribution packages keep the paths they were built with:
 * /usr/share/... data, /usr/bin/... helpers, #!/usr/bin/python3.  The
 * builder maps a package's usr/X to /app/X, so a /usr that shows the image's
 * tree above the host's lets them find the bundled copies unchanged, without
 * rewriting a binary (bento-sandbox(7), "/usr").  What must stay the
 * host's: the dynamic loader and glibc, which the app and the host's
 * programs in the sandbox run on. */
#define MULTIARCH_LIB "lib/x86_64-linux-gnu/"
const char *const bento_usr_host_only[] = {
    "lib64/ld-linux-x86-64.so.2",
    MULTIARCH_LIB "ld-linux-x86-64.so.2",
    MULTIARCH_LIB "libc.so.6",
    MULTIARCH_LIB "libm.so.6",
    MULTIARCH_LIB "libmvec.so.1",
    MULTIARCH_LIB "libdl.so.2",
    MULTIARCH_LIB "libpthread.so.0",
    MULTIARCH_LIB "librt.so.1",
    MULTIARCH_LIB "libresolv.so.2",
    MULTIARCH_LIB "libutil.so.1",
    MULTIARCH_LIB "libanl.so.1",
    MULTIARCH_LIB "libnsl.so.1",
    MULTIARCH_LIB "libBrokenLocale.so.1",
    MULTIARCH_LIB "libthread_db.so.1",
    MULTIARCH_LIB "libc_malloc_debug.so.0",
    MULTIARCH_LIB "libnss_files.so.2",
    MULTIARCH_LIB "libnss_dns.so.2",
    MULTIARCH_LIB "libnss_compat.so.2",
    MULTIARCH_LIB "gconv",
    "lib/locale/locale-archive",
    NULL,
};

/* Whether the image's tree (app_fd) has something at rel, or a
 * non-directory in place of one of its directories (which would hide the
 * host's whole directory): either way the overlay would show the image's
 * thing at /usr/rel.  An error other than "not there" counts as yes. */
static bool image_shadows(int app_fd, const char *rel)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path))
		return true;
	scoped_fd dir = fcntl(app_fd, F_DUPFD_CLOEXEC, 3);
	for (char *comp = path; dir >= 0;) {
		char *next = strchr(comp, '/');
		if (next)
			*next = '\0';
		struct stat st;
		if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno != ENOENT;
		if (next == NULL || !S_ISDIR(st.st_mode))
			return true;
		int fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		dir = fd;
		comp = next + 1;
	}
	return true;
}

/* The image's tree rel (".bento/glibc") below app_fd, opened without
 * following a symlink or leaving the image's mount: an image must not make
 * a layer of the host's files. */
static int open_image_tree(int app_fd, const char *rel)
{
	return openat2_resolve(app_fd, rel, O_PATH | O_DIRECTORY,
	                       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
	                           RESOLVE_NO_XDEV);
}

/* Mounts on name in parent a read-only overlayfs of the n directories
 * layers (opened O_PATH), top first. */
static int mount_layers(int parent, const char *name, const int *layers, size_t n)
{
	char opts[256], target[32];
	int len = snprintf(opts, sizeof(opts), "redirect_dir=nofollow,metacopy=off,lowerdir=");
	for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof(opts); i++)
		len += snprintf(opts + len, sizeof(opts) - (size_t)len, "%s/proc/self/fd/%d",
		                i ? ":" : "", layers[i]);
	if (len < 0 || (size_t)len >= sizeof(opts)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	scoped_fd target_fd = openat2_beneath(parent, name, O_PATH | O_DIRECTORY);
	if (target_fd < 0)
		return -1;
	bento_fd_path(target, target_fd);
	return mount("bento-usr", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, opts);
}

/* ---- without overlayfs: the bundled libraries file by file ------------- */

typedef struct layer_binding {
	int root;
	const char *to;
	const char *primary;
	bool *bound;
} layer_binding;

static int bind_layer_file(int dir, const char *name, void *data)
{
	const layer_binding *l = data;
	struct stat src_st, dest_st;
	char path[PATH_MAX], src_path[32], dest_path[32];
	if (fstatat(dir, name, &src_st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !(S_ISREG(src_st.st_mode) || S_ISDIR(src_st.st_mode)) ||
	    snprintf(path, sizeof(path), "%s/%s", l->to, name) >= (int)sizeof(path))
		return 0;
	scoped_fd dest =
	    openat2_resolve(l->root, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (dest < 0 || fstat(dest, &dest_st) < 0 ||
	    S_ISDIR(dest_st.st_mode) != S_ISDIR(src_st.st_mode))
		return 0;
	scoped_fd src = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return -1;
	bento_fd_path(src_path, src);
	bento_fd_path(dest_path, dest);
	if (mount(src_path, dest_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	scoped_fd mnt =
	    openat2_resolve(l->root, path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (mnt < 0 ||
	    set_mount_attr(mnt, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true) < 0)
		return -1;
	if (l->primary && strcmp(name, l->primary) == 0)
		*l->bound = true;
	return 0;
}

/* Binds, read-only, each file and directory of the layer's directory from
 * over the one of the same name in to, a directory of the new root (root),
 * resolved as the root resolves it (Debian 11's libc.so.6 is a link to
 * libc-2.31.so): where the loader's path and cache find the host's.  A name
 * the host lacks cannot be added this way and is skipped.  Sets *bound when
 * the file named primary was bound. */
static int bind_layer_files(int layer_fd, const char *from, int root, const char *to,
                            const char *primary, bool *bound)
{
	scoped_fd dir = openat2_resolve(layer_fd, from, O_RDONLY | O_DIRECTORY,
	                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                                    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (dir < 0)
		return errno == ENOENT ? 0 : -1;
	layer_binding l = {root, to, primary, bound};
	return bento_dir_each(dir, bind_layer_file, &l);
}

/* Where the kernel refuses overlayfs in a user namespace (before Linux
 * 5.11: Debian 11's), the .bento/glibc and .bento/libstdc++ files bound over
 * the host's in root's usr/lib/x86_64-linux-gnu and usr/lib64: the host
 * has every file of its C library and libstdc++ that a program loads (a
 * newer glibc's extra ones, libc_malloc_debug.so.0, are loaded only on
 * request; a host without merged /usr keeps libc.so.6 in /lib, bound by
 * the op for /lib).  A fallback library is one the host lacks, so that it
 * cannot be had this way: -1, as when the host has no libstdc++.so.6 to
 * bind over. */
static int bind_usr_layers(int glibc, int libstdcxx, int fallback, int root)
{
	if (fallback >= 0) {
		errno = EPERM;
		return -1;
	}
	bool cxx = false;
	if (glibc >= 0 &&
	    (bind_layer_files(glibc, MULTIARCH_LIB, root, "usr/" MULTIARCH_LIB, NULL, NULL) < 0 ||
	     bind_layer_files(glibc, "lib64", root, "usr/lib64", NULL, NULL) < 0))
		return -1;
	if (libstdcxx >= 0 && bind_layer_files(libstdcxx, MULTIARCH_LIB, root, "usr/" MULTIARCH_LIB,
	                                       "libstdc++.so.6", &cxx) < 0)
		return -1;
	if (libstdcxx >= 0 && !cxx) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* overlayfs refuses a layer below another of the same mount ("overlapping
 * lowerdir path"), and .bento/glibc lies below the image's root.  So the
 * .bento layers go on a second overlayfs stacked over the first (the
 * image's tree over the host's /usr), whose root is not one of the image's
 * directories: [glibc] : [libstdc++] : (image : host /usr) : [fallback]. */
int bento_usr_overlay_mount(int app_fd, int host_usr_fd, int parent, const char *name,
                            const bento_usr_layers *layers, bento_usr_overlay_state *state)
{
	bool image = layers->image;
	for (size_t i = 0; image && bento_usr_host_only[i]; i++) {
		if (image_shadows(app_fd, bento_usr_host_only[i])) {
			state->shadowed = bento_usr_host_only[i];
			state->errnum = EEXIST;
			image = false;
		}
	}
	scoped_fd image_over_host = -1;
	if (image) {
		/* No upper layer: read-only whatever the flags say.
		 * redirect_dir and metacopy off: an image's xattrs must not
		 * send a lookup elsewhere in a layer (the trusted.* ones are
		 * out of a user namespace's reach anyway, and userxattr, which
		 * would honour user.*, is not set). */
		int both[] = {app_fd, host_usr_fd};
		if (mount_layers(parent, name, both, 2) < 0) {
			state->errnum = errno;
		} else {
			state->mounted = true;
			image_over_host = openat2_beneath(parent, name, O_PATH | O_DIRECTORY);
		}
	}
	if (!bento_usr_layers_needed(layers))
		return 0;
	if (state->mounted && image_over_host < 0)
		return -1;
	scoped_fd glibc = layers->glibc ? open_image_tree(app_fd, ".bento/glibc") : -1;
	scoped_fd libstdcxx = layers->libstdcxx ? open_image_tree(app_fd, ".bento/libstdc++") : -1;
	scoped_fd fallback = layers->fallback ? open_image_tree(app_fd, ".bento/fallback") : -1;
	if ((layers->glibc && glibc < 0) || (layers->libstdcxx && libstdcxx < 0) ||
	    (layers->fallback && fallback < 0))
		return -1;
	int fds[4];
	size_t n = 0;
	if (glibc >= 0)
		fds[n++] = glibc;
	if (libstdcxx >= 0)
		fds[n++] = libstdcxx;
	fds[n++] = state->mounted ? image_over_host : host_usr_fd;
	if (fallback >= 0)
		fds[n++] = fallback;
	if (mount_layers(parent, name, fds, n) < 0) {
		int saved = errno;
		if (bind_usr_layers(glibc, libstdcxx, fallback, parent) < 0) {
			errno = saved;
			return -1;
		}
		state->bound = true;
	}
	state->layered = true;
	return 0;
}

int bento_glibc_overlay_mount(int app_fd, int host_fd, int parent, const char *name)
{
	char rel[64];
	if (snprintf(rel, sizeof(rel), ".bento/glibc/%s", name) >= (int)sizeof(rel)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	scoped_fd glibc = open_image_tree(app_fd, rel);
	if (glibc < 0)
		return -1;
	int both[] = {glibc, host_fd};
	if (mount_layers(parent, name, both, 2) == 0)
		return 0;
	/* (as bind_usr_layers does for /usr) */
	int saved = errno;
	bool lib = strcmp(name, "lib") == 0;
	if (bind_layer_files(glibc, lib ? "x86_64-linux-gnu" : ".", parent,
	                     lib ? MULTIARCH_LIB : name, NULL, NULL) < 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

/* The overlay over the host's /usr already bound at op->dest, the image
 * being at /app.  Where overlayfs cannot be had, that bind stays (the
 * outcome goes to sb->usr_overlay, for the runtime's message) unless the
 * app needs a .bento layer: then it is an error. */
static int do_usr_overlay(const bento_sandbox *sb, const bento_mount_op *op, int host_fd,
                          int rootfd, bento_sandbox_failure *why)
{
	static const char step[] = "cannot mount the libraries the app needs from its image "
	                           "(.bento) over";
	bool needed = bento_usr_layers_needed(&sb->usr_layers);
	scoped_fd app = openat2_beneath(rootfd, "app", O_PATH | O_DIRECTORY);
	scoped_fd host = open_host(host_fd, op->src, O_PATH | O_DIRECTORY);
	if (app < 0 || host < 0) {
		sb->usr_overlay->errnum = errno;
		return needed ? failed(why, step, op->dest) : 0;
	}
	if (op->kind == BENTO_MOUNT_GLIBC_OVERLAY)
		return bento_glibc_overlay_mount(app, host, rootfd, op->dest + 1) < 0
		           ? failed(why, step, op->dest)
		           : 0;
	if (bento_usr_overlay_mount(app, host, rootfd, op->dest + 1, &sb->usr_layers,
	                            sb->usr_overlay) < 0)
		return failed(why, step, op->dest);
	return 0;
}

static int do_op(const bento_sandbox *sb, const bento_mount_op *op, int host_fd, int rootfd,
                 bento_mount_image_fn *mount_image, void *ctx, bento_sandbox_failure *why)
{
	if (op->kind == BENTO_MOUNT_MASK)
		return do_mask(op, rootfd, why);
	if (op->kind == BENTO_MOUNT_USR_OVERLAY || op->kind == BENTO_MOUNT_GLIBC_OVERLAY)
		return do_usr_overlay(sb, op, host_fd, rootfd, why);
	char rel[PATH_MAX];
	if (snprintf(rel, sizeof(rel), "%s", op->dest + 1) >= (int)sizeof(rel)) {
		errno = ENAMETOOLONG;
		return failed(why, "path too long", op->dest);
	}
	const char *name;
	scoped_fd parent = open_parent(rootfd, rel, &name);
	if (parent < 0)
		return failed(why, "cannot create the parent directories of", op->dest);
	char path[32];
	switch (op->kind) {
	case BENTO_MOUNT_DIR:
		if (mkdirat(parent, name, op->mode) < 0 && errno != EEXIST)
			return failed(why, "cannot create the directory", op->dest);
		return 0;
	case BENTO_MOUNT_SYMLINK:
		if (symlinkat(op->src, parent, name) < 0)
			return failed(why, "cannot create the symlink", op->dest);
		return 0;
	case BENTO_MOUNT_FILE: {
		scoped_fd fd = openat(
		    parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, op->mode);
		if (fd < 0 || bento_write_all(fd, op->src, strlen(op->src)) < 0)
			return failed(why, "cannot write", op->dest);
		return 0;
	}
	case BENTO_MOUNT_BIND:
		return do_bind(sb, op, host_fd, parent, name, why);
	case BENTO_MOUNT_TMPFS:
	case BENTO_MOUNT_DEVPTS:
	case BENTO_MOUNT_IMAGE:
	case BENTO_MOUNT_MASK:
	case BENTO_MOUNT_USR_OVERLAY:
	case BENTO_MOUNT_GLIBC_OVERLAY:
		break;
	}
	scoped_fd dir = make_mountpoint(parent, name, true, 0755);
	if (dir < 0)
		return failed(why, "cannot create the mount point", op->dest);
	if (op->kind == BENTO_MOUNT_IMAGE)
		return mount_image(ctx, dir, parent, name) < 0
		           ? failed(why, "cannot mount the image at", op->dest)
		           : 0;
	bento_fd_path(path, dir);
	if (op->kind == BENTO_MOUNT_DEVPTS) {
		/* A new instance: the sandbox's terminals only, and not all
		 * of those the kernel has for instances other than the host's
		 * (kernel.pty.max less kernel.pty.reserve, 3072 by default):
		 * 512. */
		if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
		          "newinstance,ptmxmode=0666,mode=620,max=512") < 0)
			return failed(why, "cannot mount devpts at", op->dest);
		return 0;
	}
	char opts[80];
	tmpfs_options(opts, sizeof(opts), op);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return failed(why, "cannot mount a tmpfs at", op->dest);
	return 0;
}

/* The new network namespace has a loopback interface, down. */
static int loopback_up(void)
{
	scoped_fd s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* Where the new root is built, below the base tmpfs that becomes the root
 * directory while the host's tree sits at OLD_ROOT. */
#define NEW_ROOT "newroot"
#define OLD_ROOT "oldroot"

/* Mounts the base tmpfs on sb->root and moves the host's tree below it:
 * afterwards "/" is the base, /oldroot the host's tree, /newroot the root's
 * tmpfs, and /proc and /dev lead to the host's (for /proc/self/fd paths and
 * /dev/fuse). */
static int enter_base(const bento_sandbox *sb, bento_sandbox_failure *why)
{
	if (mount("tmpfs", sb->root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "mode=0700,size=64k,nr_inodes=64") < 0)
		return failed(why, "cannot mount a tmpfs on", sb->root);
	if (chdir(sb->root) < 0 || mkdir(NEW_ROOT, 0755) < 0 || mkdir(OLD_ROOT, 0755) < 0 ||
	    symlink(OLD_ROOT "/proc", "proc") < 0 || symlink(OLD_ROOT "/dev", "dev") < 0)
		return failed(why, "cannot prepare the base of the root in", sb->root);
	/* The first op is the root's tmpfs. */
	const bento_mount_op *root_op = &sb->ops[0];
	char opts[80];
	tmpfs_options(opts, sizeof(opts), root_op);
	if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return failed(why, "cannot mount the root's tmpfs on", sb->root);
	if (syscall(SYS_pivot_root, ".", OLD_ROOT) < 0 || chdir("/") < 0)
		return failed(why, "cannot move the host's tree aside in", sb->root);
	return 0;
}

int bento_sandbox_build_root(const bento_sandbox *sb, bento_mount_image_fn *mount_image, void *ctx,
                             bento_sandbox_failure *why)
{
	/* Nothing mounted here may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return failed(why, "cannot make the mounts private", NULL);
	/* The host's tree, as this namespace has it: where sources are
	 * opened (still the host's tree once it has moved to /oldroot). */
	scoped_fd host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_fd < 0)
		return failed(why, "cannot open", "/");
	if (enter_base(sb, why) < 0)
		return -1;
	scoped_fd rootfd = open("/" NEW_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return failed(why, "cannot open the new root in", sb->root);
	for (size_t i = 1; i < sb->n_ops; i++)
		if (do_op(sb, &sb->ops[i], host_fd, rootfd, mount_image, ctx, why) < 0)
			return -1;
	if (sb->loopback && loopback_up() < 0)
		return failed(why, "cannot bring the loopback interface up", NULL);
	if (sb->hostname && sethostname(sb->hostname, strlen(sb->hostname)) < 0)
		return failed(why, "cannot set the host name", NULL);
	return 0;
}

int bento_sandbox_finish_in_pid_ns(const bento_sandbox *sb, bento_sandbox_failure *why)
{
	/* The kernel mounts a new proc only where the host's is still in
	 * view: before the pivot. */
	scoped_fd rootfd = open("/" NEW_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return failed(why, "cannot open the new root in", sb->root);
	scoped_fd procfd = openat2_beneath(rootfd, "proc", O_PATH | O_DIRECTORY);
	char path[32];
	bento_fd_path(path, procfd);
	if (procfd < 0 || mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return failed(why, "cannot mount", "/proc");
	/* pivot_root(".", ".") stacks the old root (the base, the host's
	 * tree below it) under the new one; the detached unmount then takes
	 * them away. */
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return failed(why, "cannot change the root to", sb->root);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return failed(why, "cannot detach the host's root", NULL);
	/* What in /proc acts on the whole machine stays read-only (a
	 * process with a capability in its namespace must not reach it). */
	static const char *const host_wide[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
	                                        "/proc/bus", "/proc/fs"};
	for (size_t i = 0; i < sizeof(host_wide) / sizeof(host_wide[0]); i++) {
		scoped_fd fd = open(host_wide[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		bento_fd_path(path, fd);
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
			return failed(why, "cannot bind", host_wide[i]);
		scoped_fd mnt = open(host_wide[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (mnt < 0 || set_mount_attr(mnt,
		                              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
		                                  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		                              true) < 0)
			return failed(why, "cannot make read-only", host_wide[i]);
	}
	/* PID 1 shares the runtime's memory, so its command line is the
	 * runtime's: the file's path on the host, which is none of the app's
	 * business.  /dev/null reads empty. */
	static const char *const cmdlines[] = {"/proc/1/cmdline", "/proc/1/task/1/cmdline"};
	scoped_fd null = open("/dev/null", O_PATH | O_CLOEXEC);
	for (size_t i = 0; null >= 0 && i < sizeof(cmdlines) / sizeof(cmdlines[0]); i++) {
		scoped_fd fd = open(cmdlines[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
		char src[32];
		bento_fd_path(src, null);
		bento_fd_path(path, fd);
		if (fd < 0 || mount(src, path, NULL, MS_BIND, NULL) < 0)
			return failed(why, "cannot hide", cmdlines[i]);
	}
	/* The root's tmpfs itself: the app writes only where it was given a
	 * place (its data, /tmp, granted paths). */
	scoped_fd root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || set_mount_attr(root, MOUNT_ATTR_RDONLY, false) < 0)
		return failed(why, "cannot make the root read-only", "/");
	return 0;
}

int bento_sandbox_confine_app(const bento_sandbox *sb, bento_sandbox_failure *why)
{
	if (bento_sandbox_limit_processes(sb) < 0)
		return failed(why, "cannot limit the number of processes", NULL);
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return failed(why, "cannot drop the capability bounding set", NULL);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return failed(why, "cannot clear the ambient capabilities", NULL);
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	if (syscall(SYS_capset, &header, data) < 0)
		return failed(why, "cannot drop capabilities", NULL);
	if (bento_seccomp_install(sb->filter, false) < 0)
		return failed(why, "cannot install the seccomp filter", NULL);
	return 0;
}
