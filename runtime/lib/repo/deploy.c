/* SPDX-License-Identifier: MIT */
/* Deployments: checkouts of pulled commits beside each other, the one an
 * app runs named by a symbolic link that is switched atomically (rename of
 * a new link over it), so that an interrupted command leaves the app as it
 * was.  See repo.h for the layout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "permissions/permissions.h"
#include "repo/repo_private.h"

#define ORIGIN_MAX (16 * 1024)

void bento_deployment_clear(bento_deployment *d)
{
	free(d->app_id);
	free(d->branch);
	free(d->remote);
	free(d->ref);
	free(d->key);
	free(d->active);
	free(d->previous);
	free(d->version);
	free(d->path);
	*d = (bento_deployment){0};
}

static bool branch_valid(const char *b)
{
	if (b[0] == '\0' || b[0] == '.' || b[0] == '-' || strlen(b) > 64)
		return false;
	for (const char *c = b; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return false;
	return true;
}

static char *link_in(const char *dir, const char *name)
{
	autofree char *path = xasprintf("%s/%s", dir, name);
	char *target = bento_read_link(path);
	/* Only names made here: a commit checksum or a branch. */
	if (target && (strchr(target, '/') || !branch_valid(target))) {
		free(target);
		return NULL;
	}
	return target;
}

int bento_deployment_read(bento_inst *inst, const char *app_id, const char *branch,
                          bento_deployment *out, bento_error **err)
{
	*out = (bento_deployment){0};
	if (!bento_app_id_valid(app_id, strlen(app_id)))
		return bento_error_usage(err, "\"%s\" is no valid app id", app_id);
	autofree char *app_dir = bento_inst_app_dir(inst, app_id, NULL);
	autofree char *current = link_in(app_dir, "current");
	if (branch == NULL)
		branch = current;
	if (branch == NULL)
		return 1;
	if (!branch_valid(branch))
		return bento_error_usage(err, "\"%s\" is no valid branch name", branch);
	autofree char *dir = bento_inst_app_dir(inst, app_id, branch);
	autofree char *origin_path = xasprintf("%s/origin", dir);
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_read_file_if_present(origin_path, ORIGIN_MAX, &data, &len, err);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	auto_bento_keyfile kf = NULL;
	if (bento_keyfile_parse(origin_path, data, len, &kf, err) < 0)
		return -1;
	const char *remote = bento_keyfile_get(kf, "Origin", "remote");
	const char *ref = bento_keyfile_get(kf, "Origin", "ref");
	const char *key = bento_keyfile_get(kf, "Origin", "key");
	autofree char *active = link_in(dir, "active");
	if (remote == NULL || ref == NULL || active == NULL)
		return bento_error_set(err, EINVAL,
		                       "%s: an incomplete installation (no remote, ref "
		                       "or active deployment)",
		                       dir);
	out->app_id = xstrdup(app_id);
	out->branch = xstrdup(branch);
	out->remote = xstrdup(remote);
	out->ref = xstrdup(ref);
	out->key = key && key[0] ? xstrdup(key) : NULL;
	out->active = steal_pointer(&active);
	out->previous = link_in(dir, "previous");
	out->path = xasprintf("%s/%s", dir, out->active);
	out->current = current && strcmp(current, branch) == 0;
	g_autoptr(GVariant) commit = NULL;
	const char *version = NULL;
	if (inst->repo &&
	    ostree_repo_load_commit((OstreeRepo *)inst->repo, out->active, &commit, NULL, NULL)) {
		g_autoptr(GVariant) meta = g_variant_get_child_value(commit, 0);
		if (g_variant_lookup(meta, OSTREE_COMMIT_META_KEY_VERSION, "&s", &version))
			out->version = xstrdup(version);
	}
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir that keep(dir, name) accepts, sorted. */
static char **list_dir(const char *dir, bool (*keep)(const char *dir, const char *name))
{
	bento_strv v = {0};
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && keep(dir, e->d_name))
			bento_strv_add(&v, xstrdup(e->d_name));
	if (d)
		closedir(d);
	if (v.count)
		qsort(v.items, v.count, sizeof(char *), compare_names);
	if (v.items == NULL)
		v.items = xcalloc(1, sizeof(char *));
	return v.items;
}

/* A directory (not a link to one, like current) dir/name. */
static bool is_dir(const char *dir, const char *name)
{
	autofree char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_app(const char *dir, const char *name)
{
	return bento_app_id_valid(name, strlen(name)) && is_dir(dir, name);
}

static bool is_branch(const char *dir, const char *name)
{
	autofree char *origin = xasprintf("%s/%s/origin", dir, name);
	return branch_valid(name) && is_dir(dir, name) && access(origin, F_OK) == 0;
}

char **bento_installed_apps(bento_inst *inst)
{
	autofree char *dir = xasprintf("%s/app", inst->dir);
	return list_dir(dir, is_app);
}

char **bento_installed_branches(bento_inst *inst, const char *app_id)
{
	autofree char *dir = bento_inst_app_dir(inst, app_id, NULL);
	return list_dir(dir, is_branch);
}

/* Points the link dir/name at target, atomically. */
static int set_link(const char *dir, const char *name, const char *target, bento_error **err)
{
	autofree char *path = xasprintf("%s/%s", dir, name);
	autofree char *tmp = xasprintf("%s/.%s.new", dir, name);
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return bento_error_errno(err, "%s", tmp);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return bento_error_errno(err, "%s", path);
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

/* Keeps the objects of every deployment in the repository: a local ref
 * per deployment (deploy/ID/BRANCH/active, .../previous), so that a prune
 * leaves them and a rollback finds them. */
static void set_deploy_ref(bento_inst *inst, const char *app_id, const char *branch,
                           const char *which, const char *commit)
{
	g_autofree char *ref = g_strdup_printf("deploy/%s/%s/%s", app_id, branch, which);
	ostree_repo_set_ref_immediate((OstreeRepo *)inst->repo, NULL, ref, commit, NULL, NULL);
}

void bento_repo_prune(bento_inst *inst)
{
	gint total = 0, pruned = 0;
	guint64 freed = 0;
	GError *gerror = NULL;
	if (!ostree_repo_prune((OstreeRepo *)inst->repo, OSTREE_REPO_PRUNE_FLAGS_REFS_ONLY, 0,
	                       &total, &pruned, &freed, NULL, &gerror)) {
		bento_warn("%s: cannot remove unused objects: %s", inst->repo_path,
		           gerror->message);
		g_clear_error(&gerror);
		return;
	}
	bento_debug("pruned %d of %d objects, %llu bytes", pruned, total,
	            (unsigned long long)freed);
}

/* Removes the deployments of dir that are neither active nor previous. */
static void remove_old(const char *dir, const char *active, const char *previous)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		if (strlen(n) != 64 || !ostree_validate_checksum_string(n, NULL) ||
		    strcmp(n, active) == 0 || (previous && strcmp(n, previous) == 0))
			continue;
		autofree char *path = xasprintf("%s/%s", dir, n);
		bento_remove_tree(path, NULL);
	}
	if (d)
		closedir(d);
}

/* dir/COMMIT: a checkout with hard links into the repository, made under a
 * temporary name and renamed when complete. */
static int checkout(bento_inst *inst, const char *dir, const char *commit, bento_error **err)
{
	autofree char *final = xasprintf("%s/%s", dir, commit);
	struct stat st;
	if (lstat(final, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	autofree char *tmp = xasprintf("%s/.tmp-%s-XXXXXX", dir, commit);
	/* A fresh name (the lock keeps others out until the rename). */
	if (mkdtemp(tmp) == NULL || rmdir(tmp) < 0)
		return bento_error_errno(err, "%s", dir);
	OstreeRepoCheckoutAtOptions opts = {.mode = OSTREE_REPO_CHECKOUT_MODE_USER,
	                                    .overwrite_mode = OSTREE_REPO_CHECKOUT_OVERWRITE_NONE,
	                                    .enable_fsync = TRUE};
	GError *gerror = NULL;
	if (!ostree_repo_checkout_at((OstreeRepo *)inst->repo, &opts, AT_FDCWD, tmp, commit, NULL,
	                             &gerror)) {
		bento_remove_tree(tmp, NULL);
		return bento_error_from_gerror(err, gerror, "cannot check out %s", commit);
	}
	/* A deployment is a read-only tree (its files are the repository's
	 * objects, hard linked). */
	chmod(tmp, 0755);
	sync_dir(tmp);
	if (rename(tmp, final) < 0) {
		bento_remove_tree(tmp, NULL);
		return bento_error_errno(err, "%s", final);
	}
	sync_dir(dir);
	return 0;
}

static int write_origin(const char *dir, const char *remote, const char *ref, const char *key,
                        bento_error **err)
{
	autofree char *path = xasprintf("%s/origin", dir);
	autofree char *text = xasprintf("[Origin]\nremote=%s\nref=%s\n%s%s%s", remote, ref,
	                                key ? "key=" : "", key ? key : "", key ? "\n" : "");
	return bento_replace_file(path, text, 0644, err);
}

int bento_deploy(bento_inst *inst, const char *app_id, const char *branch, const char *remote,
                 const bento_pulled *pulled, bento_error **err)
{
	if (!branch_valid(branch))
		return bento_error_usage(err, "\"%s\" is no valid branch name", branch);
	autofree char *dir = bento_inst_app_dir(inst, app_id, branch);
	if (bento_mkdir_p(dir, 0755, err) < 0)
		return -1;
	autofree char *old = link_in(dir, "active");
	autofree char *ref = bento_app_ref(app_id, branch);
	if (checkout(inst, dir, pulled->commit, err) < 0 ||
	    write_origin(dir, remote, ref, pulled->key, err) < 0)
		return -1;
	const char *previous = NULL;
	autofree char *kept = link_in(dir, "previous");
	if (old && strcmp(old, pulled->commit) != 0)
		previous = old;
	else if (kept && strcmp(kept, pulled->commit) != 0)
		previous = kept;
	if (previous && set_link(dir, "previous", previous, err) < 0)
		return -1;
	if (set_link(dir, "active", pulled->commit, err) < 0)
		return -1;
	sync_dir(dir);
	set_deploy_ref(inst, app_id, branch, "active", pulled->commit);
	set_deploy_ref(inst, app_id, branch, "previous", previous);
	remove_old(dir, pulled->commit, previous);
	autofree char *app_dir = bento_inst_app_dir(inst, app_id, NULL);
	autofree char *current = link_in(app_dir, "current");
	if (current == NULL && bento_deploy_set_current(inst, app_id, branch, err) < 0)
		return -1;
	bento_repo_prune(inst);
	return 0;
}

int bento_deploy_rollback(bento_inst *inst, const char *app_id, bento_deployment *out,
                          bento_error **err)
{
	bento_deployment d = {0};
	int r = bento_deployment_read(inst, app_id, NULL, &d, err);
	if (r != 0) {
		if (r > 0)
			bento_error_set(err, ENOENT, "%s is not installed", app_id);
		return -1;
	}
	autofree char *dir = bento_inst_app_dir(inst, app_id, d.branch);
	autofree char *prev_path = d.previous ? xasprintf("%s/%s", dir, d.previous) : NULL;
	struct stat st;
	if (prev_path == NULL || lstat(prev_path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		bento_error_set(err, ENOENT, "%s (%s): no previous deployment to go back to",
		                app_id, d.branch);
		bento_deployment_clear(&d);
		return -1;
	}
	if (set_link(dir, "active", d.previous, err) < 0 ||
	    set_link(dir, "previous", d.active, err) < 0) {
		bento_deployment_clear(&d);
		return -1;
	}
	sync_dir(dir);
	set_deploy_ref(inst, app_id, d.branch, "active", d.previous);
	set_deploy_ref(inst, app_id, d.branch, "previous", d.active);
	bento_deployment_clear(&d);
	return bento_deployment_read(inst, app_id, NULL, out, err) == 0 ? 0 : -1;
}

int bento_deploy_set_current(bento_inst *inst, const char *app_id, const char *branch,
                             bento_error **err)
{
	autofree char *app_dir = bento_inst_app_dir(inst, app_id, NULL);
	if (set_link(app_dir, "current", branch, err) < 0)
		return -1;
	sync_dir(app_dir);
	return 0;
}

int bento_deploy_remove(bento_inst *inst, const char *app_id, bento_error **err)
{
	g_auto(GStrv) branches = bento_installed_branches(inst, app_id);
	for (char **b = branches; b && *b; b++) {
		bento_deployment d = {0};
		if (bento_deployment_read(inst, app_id, *b, &d, NULL) == 0)
			ostree_repo_set_ref_immediate((OstreeRepo *)inst->repo, d.remote, d.ref,
			                              NULL, NULL, NULL);
		bento_deployment_clear(&d);
		set_deploy_ref(inst, app_id, *b, "active", NULL);
		set_deploy_ref(inst, app_id, *b, "previous", NULL);
	}
	bento_unexport_app(inst, app_id);
	autofree char *app_dir = bento_inst_app_dir(inst, app_id, NULL);
	/* Unlinking current first: a half-removed app is no installed app. */
	autofree char *current = xasprintf("%s/current", app_dir);
	unlink(current);
	if (bento_remove_tree(app_dir, err) < 0)
		return -1;
	bento_repo_prune(inst);
	return 0;
}

void bento_installed_clear(bento_installed *app)
{
	free(app->dir);
	free(app->home);
	free(app->key);
	free(app->origin);
	*app = (bento_installed){0};
}

int bento_installed_find(const char *app_id, bento_installed *out, bento_error **err)
{
	*out = (bento_installed){0};
	for (int system = 0; system <= 1; system++) {
		auto_bento_inst inst = NULL;
		if (bento_inst_open(system, false, &inst, err) < 0)
			return -1;
		bento_deployment d = {0};
		int r = bento_deployment_read(inst, app_id, NULL, &d, err);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		/* Resolved once: an update or rollback while the app runs
		 * switches links, not what this run has bound. */
		autofree char *home = bento_inst_app_dir(inst, app_id, NULL);
		out->dir = realpath(d.path, NULL);
		out->home = realpath(home, NULL);
		if (out->dir == NULL || out->home == NULL) {
			bento_error_errno(err, "%s", d.path);
			bento_deployment_clear(&d);
			bento_installed_clear(out);
			return -1;
		}
		out->key = steal_pointer(&d.key);
		out->origin = xasprintf("installed from remote %s (%s)", d.remote,
		                        system ? "system" : "user");
		bento_deployment_clear(&d);
		return 0;
	}
	return 1;
}
