/* SPDX-License-Identifier: MIT */
#include "launch/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/util.h"
#include "fuse/serve.h"

/* The image mounted on the directory path from a device opened here (the
 * kernel accepts a FUSE mount only with a device opened inside the mounting
 * namespace); the server starts answering at once. */
static int mount_fuse(bento_image_mount *im, const char *path)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(10, 229)) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	/* The new mount namespace's mounts are slaves of the host's, so this
	 * mount stays private to the app. */
	char opts[128];
	snprintf(opts, sizeof(opts), BENTO_FUSE_MOUNT_OPTIONS, fd, (unsigned)im->uid,
	         (unsigned)im->gid);
	if (mount("bento", path, "fuse.bento", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	bento_server_serve_fd(im->server, fd);
	return 0;
}

/* A read-only overlayfs over the image's mount, its layers the image and,
 * below it, the empty tmpfs the image is mounted on (overlayfs wants two
 * layers when none is writable).  Why: FUSE forwards every ioctl on a file
 * to the server and does not remember that it has none, so each isatty() -
 * which Python, for one, calls on every file it opens - costs a round trip
 * to the server (about 100 us on the reference VM, 10 % of a warm Python
 * start-up).  overlayfs has no ioctl for files: the kernel answers ENOTTY
 * itself.  Reads, mmap and lookups go through to the image's mount and its
 * page cache; xino keeps inode numbers unique across the two layers.  Only
 * the top directory, which both layers have, shows a link count of 1.  Best
 * effort: where overlayfs cannot be mounted the image's mount is used alone.
 * No redirects or metacopy: an image's xattrs must not steer overlayfs. */
static int stack_overlay(int empty_fd, int parent, const char *name)
{
	int image_fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (image_fd < 0)
		return -1;
	/* FUSE's root starts as mode 0 (rootmode=40000) until it is first
	 * asked for its attributes; overlayfs copies them once. */
	struct stat st;
	if (fstat(image_fd, &st) < 0) {
		close(image_fd);
		return -1;
	}
	/* /proc/self/fd/N names the directory the descriptor was opened on,
	 * not what was mounted there since: empty_fd is the tmpfs under the
	 * image's mount, image_fd the image's root. */
	char opts[160], target[32];
	snprintf(opts, sizeof(opts),
	         "lowerdir=/proc/self/fd/%d:/proc/self/fd/%d,redirect_dir=nofollow,metacopy=off,"
	         "xino=on",
	         image_fd, empty_fd);
	bento_fd_path(target, image_fd);
	int r = mount("bento", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, opts);
	int saved = errno;
	close(image_fd);
	errno = saved;
	return r;
}

/* A read-only tmpfs on the directory dir_fd: an empty directory that
 * nothing can write to and only this mount namespace reaches, for the
 * overlayfs's lower layer (the mount point itself is shared by every
 * launch and writable by the user's other programs).  Returns it, opened
 * O_PATH, or -1. */
static int mount_empty_layer(int dir_fd, int parent, const char *name)
{
	char path[32];
	bento_fd_path(path, dir_fd);
	if (mount("bento", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
	          "mode=0755") < 0)
		return -1;
	return openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int bento_image_mount_at(void *ctx, int dir_fd, int parent, const char *name)
{
	bento_image_mount *im = ctx;
	int empty_fd = im->no_overlay ? -1 : mount_empty_layer(dir_fd, parent, name);
	if (!im->no_overlay && empty_fd < 0)
		im->overlay_errno = errno;
	char path[32];
	bento_fd_path(path, empty_fd >= 0 ? empty_fd : dir_fd);
	int r = mount_fuse(im, path);
	int saved = errno;
	if (r == 0 && empty_fd >= 0 && stack_overlay(empty_fd, parent, name) < 0)
		im->overlay_errno = errno;
	if (empty_fd >= 0)
		close(empty_fd);
	errno = saved;
	return r;
}
