/* SPDX-License-Identifier: MIT */
/* The installation: where it is, its lock, its repository. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "core/util.h"
#include "repo/repo_private.h"

#define SYSTEM_DIR "/var/lib/bento/installation"

char *bento_inst_dir(bool system)
{
	if (system) {
		const char *dir = getenv("BENTO_SYSTEM_DIR");
		return xstrdup(dir && dir[0] == '/' ? dir : SYSTEM_DIR);
	}
	autofree char *data = bento_state_dir(BENTO_STATE_DATA, NULL);
	return xasprintf("%s/installation", data);
}

char *bento_inst_app_dir(const bento_inst *inst, const char *app_id, const char *branch)
{
	if (branch)
		return xasprintf("%s/app/%s/%s", inst->dir, app_id, branch);
	return xasprintf("%s/app/%s", inst->dir, app_id);
}

char *bento_read_link(const char *path)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Removes the deployments that an interrupted command left half made:
 * INST/app/ID/BRANCH/.tmp-*. */
static void remove_unfinished(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		autofree char *path = xasprintf("%s/%s", dir, e->d_name);
		if (depth == 2 && strncmp(e->d_name, ".tmp-", 5) == 0) {
			bento_debug("removing the unfinished deployment %s", path);
			bento_remove_tree(path, NULL);
		} else if (depth < 2 && e->d_type == DT_DIR) {
			remove_unfinished(path, depth + 1);
		}
	}
	closedir(d);
}

static int take_lock(bento_inst *inst, bento_error **err)
{
	autofree char *path = xasprintf("%s/lock", inst->dir);
	/* Whoever can open the lock can flock it: readable by others, it would
	 * let any user of the system keep root's updates out for ever. */
	inst->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (inst->lock_fd < 0 || fchmod(inst->lock_fd, 0600) < 0)
		return bento_error_errno(err, "%s", path);
	if (flock(inst->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return bento_error_errno(err, "%s", path);
	bento_error_set(err, EBUSY,
	                "%s: another bento is changing this installation; try again when it "
	                "is done",
	                inst->dir);
	(*err)->status = BENTO_EXIT_BUSY;
	return -1;
}

static int open_repo(bento_inst *inst, bool create, bento_error **err)
{
	g_autoptr(GFile) file = g_file_new_for_path(inst->repo_path);
	g_autoptr(OstreeRepo) repo = ostree_repo_new(file);
	GError *gerror = NULL;
	struct stat st;
	if (stat(inst->repo_path, &st) < 0) {
		if (!create)
			return 0;
		if (!ostree_repo_create(repo, OSTREE_REPO_MODE_BARE_USER_ONLY, NULL, &gerror))
			return bento_error_from_gerror(err, gerror, "%s", inst->repo_path);
	} else if (!ostree_repo_open(repo, NULL, &gerror)) {
		return bento_error_from_gerror(err, gerror, "%s", inst->repo_path);
	}
	inst->repo = (struct OstreeRepo *)g_steal_pointer(&repo);
	return 0;
}

int bento_inst_open(bool system, bool writer, bento_inst **out, bento_error **err)
{
	bento_inst *inst = xcalloc(1, sizeof(*inst));
	inst->system = system;
	inst->lock_fd = -1;
	inst->dir = bento_inst_dir(system);
	inst->repo_path = xasprintf("%s/repo", inst->dir);
	/* The system's installation is root's, readable by every user (who
	 * run its apps); the user's is the user's alone. */
	if (writer && (bento_mkdir_p(inst->dir, system ? 0755 : 0700, err) < 0 ||
	               take_lock(inst, err) < 0 || open_repo(inst, true, err) < 0)) {
		bento_inst_free(inst);
		return bento_error_prefix(err, "%s installation", system ? "the system" : "your");
	}
	if (!writer && open_repo(inst, false, err) < 0) {
		bento_inst_free(inst);
		return -1;
	}
	if (writer) {
		autofree char *apps = xasprintf("%s/app", inst->dir);
		remove_unfinished(apps, 0);
	}
	*out = inst;
	return 0;
}

void bento_inst_free(bento_inst *inst)
{
	if (inst == NULL)
		return;
	if (inst->repo)
		g_object_unref((OstreeRepo *)inst->repo);
	if (inst->lock_fd >= 0)
		close(inst->lock_fd);
	free(inst->dir);
	free(inst->repo_path);
	free(inst);
}
