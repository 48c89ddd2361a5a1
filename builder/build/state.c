/* SPDX-License-Identifier: MIT */
#include "build/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"
#include "util/beneath.h"
#include "util/tree_copy.h"

void bento_build_state_close(bento_build_state *s)
{
	free(s->path);
	free(s->cache);
	free(s->builds);
	free(s->logs);
	free(s->app);
	free(s->appdir);
	free(s->root);
	if (s->fd >= 0)
		close(s->fd);
	*s = (bento_build_state){.fd = -1};
}

int bento_build_state_fresh_dir(const bento_build_state *s, const char *rel, bento_error **err)
{
	if (bento_beneath_remove(s->fd, s->path, rel, err) < 0)
		return -1;
	return bento_beneath_dir(s->fd, s->path, rel, true, err);
}

int bento_build_state_dir(const bento_build_state *s, const char *rel, bento_error **err)
{
	return bento_beneath_dir(s->fd, s->path, rel, false, err);
}

int bento_build_state_copy_tree(const bento_build_state *s, const char *from, const char *to,
                                bento_error **err)
{
	autoclose int src = bento_build_state_dir(s, from, err);
	if (src < 0)
		return -1;
	autoclose int dst = bento_build_state_fresh_dir(s, to, err);
	if (dst < 0)
		return -1;
	autofree char *src_label = xasprintf("%s/%s", s->path, from);
	autofree char *dst_label = xasprintf("%s/%s", s->path, to);
	return bento_tree_copy(src, src_label, dst, dst_label, err);
}

int bento_build_state_open(bento_build_state *s, const char *path, bool given, bento_error **err)
{
	*s = (bento_build_state){.fd = -1};
	if (bento_mkdir_p(path, 0755, err) < 0)
		return -1;
	s->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (given ? 0 : O_NOFOLLOW));
	if (s->fd < 0 && !given && (errno == ELOOP || errno == ENOTDIR))
		return bento_error_set(err, 0,
		                       "%s is a symbolic link: the default state directory is not "
		                       "taken through a link (give --state-dir=%s to use it)",
		                       path, path);
	if (s->fd < 0)
		return bento_error_errno(err, "%s", path);
	char fd_path[32];
	bento_fd_path(fd_path, s->fd);
	s->path = realpath(fd_path, NULL);
	if (s->path == NULL)
		return bento_error_errno(err, "%s", path);
	static const char *const parts[] = {"cache", "build", "logs", "root"};
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		int fd = bento_beneath_dir(s->fd, s->path, parts[i], true, err);
		if (fd < 0)
			return -1;
		close(fd);
	}
	s->cache = xasprintf("%s/cache", s->path);
	s->builds = xasprintf("%s/build", s->path);
	s->logs = xasprintf("%s/logs", s->path);
	s->app = xasprintf("%s/app", s->path);
	s->appdir = xasprintf("%s/appdir", s->path);
	s->root = xasprintf("%s/root", s->path);
	return 0;
}
