/* SPDX-License-Identifier: MIT */
#include "launch/nosandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"

/* As in sandbox/setup.c: the root is built while the host's tree sits
 * below a private base at OLD_ROOT, so that binding the host's top-level
 * directories never copies the root being built (it is mounted in one of
 * them, the runtime's mount point) into itself. */
#define NEW_ROOT "newroot"
#define OLD_ROOT "oldroot"

static int failed(bento_app_root *r, const char *step)
{
	r->step = step;
	return -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
#define scoped_fd __attribute__((cleanup(close_fd))) int

static int set_mount_attr(int fd, uint64_t set, bool recursive)
{
	struct mount_attr attr = {.attr_set = set};
	return (int)syscall(SYS_mount_setattr, fd, "",
	                    AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr));
}

/* mount(2) of what fd names (O_PATH), or of a file system (src_fd -1). */
static int mount_fds(int src_fd, int dest_fd, const char *type, unsigned long flags,
                     const char *data)
{
	char src[32], dest[32];
	bento_fd_path(src, src_fd);
	bento_fd_path(dest, dest_fd);
	return mount(src_fd >= 0 ? src : type, dest, type, flags, data);
}

/* One top-level entry of the host's root (in old) at the same place in new:
 * a symlink copied, anything else bound with what is mounted below it. */
static int add_entry(int old, int new, const char *name)
{
	struct stat st;
	if (fstatat(old, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(old, name, target, sizeof(target) - 1);
		if (n < 0)
			return -1;
		target[n] = '\0';
		return symlinkat(target, new, name);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(new, name, 0755) < 0)
			return -1;
	} else {
		int fd =
		    openat(new, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
		if (fd < 0)
			return -1;
		close(fd);
	}
	scoped_fd src = openat(old, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	scoped_fd dest = openat(new, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0 || dest < 0)
		return -1;
	return mount_fds(src, dest, NULL, MS_BIND | (S_ISDIR(st.st_mode) ? MS_REC : 0), NULL);
}

typedef struct host_roots {
	int old, new;
} host_roots;

static int add_host_entry(int dir, const char *name, void *data)
{
	(void)dir;
	const host_roots *r = data;
	return strcmp(name, "app") == 0 ? 0 : add_entry(r->old, r->new, name);
}

/* Every entry of the host's root but app (the image's place). */
static int add_host_entries(int old, int new)
{
	scoped_fd dir = openat(old, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	host_roots r = {old, new};
	return bento_dir_each(dir, add_host_entry, &r);
}

/* /app: the image mounted there, or the directory app_fd bound read-only. */
static int add_app(bento_app_root *r, int app_fd, int new)
{
	if (mkdirat(new, "app", 0755) < 0)
		return -1;
	scoped_fd dest = openat(new, "app", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dest < 0)
		return -1;
	if (r->mount_image)
		return r->mount_image(r->mount_ctx, dest, new, "app");
	if (mount_fds(app_fd, dest, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	scoped_fd mnt = openat(new, "app", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return mnt < 0 ? -1
	               : set_mount_attr(
	                     mnt, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true);
}

/* /usr as in the sandbox: the image's tree and the .bento layers the app
 * needs over the host's (old's usr), or the host's alone where the image's
 * tree cannot be had (r->usr says why); the image's C library over the
 * host's /lib and /lib64 where they are directories.  -1 when a .bento
 * layer could not be mounted. */
static int add_usr_overlay(bento_app_root *r, int old, int new)
{
	bool needed = bento_usr_layers_needed(&r->usr_layers);
	scoped_fd app = openat(new, "app", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	scoped_fd usr = openat(old, "usr", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (app < 0 || usr < 0) {
		r->usr.errnum = errno;
		return needed ? -1 : 0;
	}
	if (bento_usr_overlay_mount(app, usr, new, "usr", &r->usr_layers, &r->usr) < 0)
		return -1;
	static const char *const lib_dirs[] = {"lib", "lib64"};
	for (size_t i = 0; r->usr_layers.glibc && i < ARRAY_SIZE(lib_dirs); i++) {
		struct stat st;
		if (fstatat(old, lib_dirs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		scoped_fd host =
		    openat(old, lib_dirs[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (host < 0 || bento_glibc_overlay_mount(app, host, new, lib_dirs[i]) < 0)
			return -1;
	}
	return 0;
}

int bento_app_root_enter(void *ctx, int dir_fd, int parent, const char *name)
{
	(void)parent, (void)name;
	bento_app_root *r = ctx;
	/* Nothing mounted here may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return failed(r, "cannot make the mounts private");
	/* The base: a private tmpfs on the mount point, which becomes the
	 * root while the host's tree moves below it.  /proc and /dev lead to
	 * the host's, for /proc/self/fd paths and /dev/fuse. */
	scoped_fd app_dir = r->mount_image ? -1 : fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	if (mount_fds(-1, dir_fd, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	              "mode=0700,size=64k,nr_inodes=64") < 0)
		return failed(r, "cannot mount a tmpfs on the mount point");
	/* (dir_fd names the directory below the tmpfs: the tmpfs is reached
	 * through the path, opened again) */
	scoped_fd base_fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (base_fd < 0 || fchdir(base_fd) < 0 || mkdir(NEW_ROOT, 0755) < 0 ||
	    mkdir(OLD_ROOT, 0755) < 0 || symlink(OLD_ROOT "/proc", "proc") < 0 ||
	    symlink(OLD_ROOT "/dev", "dev") < 0)
		return failed(r, "cannot prepare the base of the root");
	if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		return failed(r, "cannot mount the root's tmpfs");
	if (syscall(SYS_pivot_root, ".", OLD_ROOT) < 0 || chdir("/") < 0)
		return failed(r, "cannot move the host's tree aside");
	scoped_fd old = open("/" OLD_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	scoped_fd new = open("/" NEW_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old < 0 || new < 0)
		return failed(r, "cannot open the root");
	if (add_app(r, app_dir, new) < 0)
		return failed(r, "cannot mount the image at /app");
	if (add_host_entries(old, new) < 0)
		return failed(r, "cannot bind the host's root");
	if ((r->usr_layers.image || bento_usr_layers_needed(&r->usr_layers)) &&
	    add_usr_overlay(r, old, new) < 0) {
		r->layers_failed = true;
		return failed(r, "cannot mount the libraries the app needs from its image (.bento) "
		                 "over /usr");
	}
	/* Read-only, as the host's root is to the user. */
	if (set_mount_attr(new, MOUNT_ATTR_RDONLY, false) < 0)
		return failed(r, "cannot make the root read-only");
	/* pivot_root(".", ".") stacks the base (and the host's tree below it)
	 * under the new root; the detached unmount takes them away. */
	if (fchdir(new) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return failed(r, "cannot change the root");
	/* (every path of the host's is where it was: only one that names
	 * /app itself is gone) */
	if (r->cwd && r->cwd[0] && chdir(r->cwd) == 0)
		return 0;
	return chdir("/") < 0 ? failed(r, "cannot change the working directory") : 0;
}
