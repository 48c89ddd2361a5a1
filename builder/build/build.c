/* SPDX-License-Identifier: MIT */
/* The pipeline of a build: the modules in build order, each built in the
 * sandbox in the state directory (state.h) on top of the ones before it or
 * taken from the module cache (cache.h); then the AppDir, made of /app, and
 * the single file packed from it.
 *
 * Everything a build made is hostile (see state.h): the builder reaches every
 * path below the state directory without following a link, and runs what
 * works on the files the build made (patchelf, the dynamic loader's check)
 * in the sandbox. */
#include "build/build.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appdir/bundle.h"
#include "appdir/desktop.h"
#include "appdir/finish.h"
#include "appdir/requires.h"
#include "build/cache.h"
#include "build/state.h"
#include "core/util.h"
#include "output/pack.h"
#include "permissions/permissions.h"
#include "sandbox/sandbox.h"
#include "sources/apt.h"
#include "sources/unpack.h"
#include "util/beneath.h"
#include "util/digest.h"
#include "util/tool.h"
#include "util/tree_copy.h"

/* Lines of a failed step's log shown with the error. */
#define LOG_TAIL_LINES 25

typedef struct build_ctx {
	const bento_manifest *m;
	const bento_build_config *o;
	bento_build_state state;
	/* The key of the cache's digests; NULL: no cache. */
	char *cache_key;
	/* The packages of the apt sources (NULL: none). */
	bento_apt_lock *apt;
} build_ctx;

/* ---- the sandbox ------------------------------------------------------ */

static char *log_tail(const build_ctx *c, const char *log)
{
	autofree char *data = NULL;
	size_t len = 0;
	int r =
	    bento_beneath_read_file(c->state.fd, c->state.path, log, 64 << 20, &data, &len, NULL);
	if (r < 0 || len == 0)
		return xstrdup("    (nothing)\n");
	size_t start = len, lines = 0;
	while (start > 0 && lines <= LOG_TAIL_LINES)
		if (data[--start] == '\n' && start + 1 < len)
			lines++;
	if (lines > LOG_TAIL_LINES)
		start++;
	char *out = xstrdup("");
	for (char *line = strtok(data + start, "\n"); line; line = strtok(NULL, "\n")) {
		char *more = xasprintf("%s    | %s\n", out, line);
		free(out);
		out = more;
	}
	return out;
}

static char *join_args(char *const argv[])
{
	char *s = xstrdup("");
	for (size_t i = 0; argv[i]; i++) {
		char *more = xasprintf("%s%s%s", s, i ? " " : "", argv[i]);
		free(s);
		s = more;
	}
	return s;
}

/* The environment of a module's build steps. */
static void module_env(const build_ctx *c, const bento_module *mod, bento_strv *env)
{
	const bento_build_options *o = &mod->build_options;
	const char *prefix = o->prefix ? o->prefix : "/app";
	bento_strv_setenv(env, "PREFIX", prefix);
	bento_strv_setenv(env, "HOME", "/tmp");
	bento_strv_setenv(env, "PKG_CONFIG_PATH",
	                  "/app/lib/pkgconfig:/app/lib/x86_64-linux-gnu/pkgconfig:"
	                  "/app/share/pkgconfig");
	bento_strv_setenv(env, "LD_LIBRARY_PATH", "/app/lib:/app/lib/x86_64-linux-gnu");
	bento_strv_setenv(env, "ACLOCAL_PATH", "/app/share/aclocal");
	bento_strv_setenv(env, "BENTO_APP_ID", c->m->id);
	/* Timestamps that tools embed come from here: the same build gives
	 * the same bytes. */
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	bento_strv_setenv(env, "SOURCE_DATE_EPOCH", epoch && epoch[0] ? epoch : "0");
	if (o->cflags)
		bento_strv_setenv(env, "CFLAGS", o->cflags);
	if (o->cxxflags)
		bento_strv_setenv(env, "CXXFLAGS", o->cxxflags);
	if (o->ldflags)
		bento_strv_setenv(env, "LDFLAGS", o->ldflags);
	for (size_t i = 0; i < o->n_env; i++)
		bento_strv_setenv(env, o->env[i].name, o->env[i].value);
}

/* What every build sandbox shares: the app's id, the state directory's
 * root, the builder's own uid and gid, and app_dir at /app. */
static bento_sandbox_config build_sandbox(const build_ctx *c, const char *app_dir)
{
	return (bento_sandbox_config){.app_id = c->m->id,
	                              .root = c->state.root,
	                              .uid = getuid(),
	                              .gid = getgid(),
	                              .app_dir = app_dir,
	                              .build = true};
}

/* Runs argv in the module's sandbox: the host's /usr as the SDK, /app and
 * the module's sources writable, no home, the network only when the module
 * asks for it; its output goes to the module's log. */
static int sandbox_step(const build_ctx *c, const bento_module *mod, char *const argv[],
                        const char *cwd, bento_error **err)
{
	autofree char *dest = xasprintf("/run/build/%s", mod->name);
	autofree char *log = xasprintf("logs/%s.log", mod->name);
	bento_mount_op sources = {.kind = BENTO_MOUNT_BIND,
	                          .flags = BENTO_MOUNT_NO_SYMLINKS,
	                          .src = mod->name,
	                          .beneath = c->state.builds,
	                          .dest = dest};
	bento_permissions perms = {0};
	if (mod->build_options.network)
		perms.shared.enabled = perms.shared.valid = BENTO_SHARE_NETWORK;
	bento_sandbox_config cfg = build_sandbox(c, c->state.app);
	cfg.permissions = &perms;
	cfg.app_dir_writable = true;
	cfg.extra = &sources;
	cfg.n_extra = 1;
	autoclose int log_fd = bento_beneath_open(c->state.fd, c->state.path, log,
	                                          O_WRONLY | O_CREAT | O_APPEND, 0644, err);
	if (log_fd < 0)
		return -1;
	bento_strv env = {0};
	module_env(c, mod, &env);
	autofree char *cmdline = join_args(argv);
	dprintf(log_fd, "$ %s\n", cmdline);
	bento_sandbox_command cmd = {.config = &cfg,
	                             .argv = argv,
	                             .env = env.items,
	                             .cwd = cwd,
	                             .out_fd = c->o->verbose ? -1 : log_fd,
	                             .err_fd = c->o->verbose ? -1 : log_fd};
	int status = 0;
	int r = bento_sandbox_run(&cmd, &status, err);
	bento_strv_free(&env);
	if (r < 0) {
		bento_error_prefix(err, "module %s: %s", mod->name, cmdline);
		return -1;
	}
	if (status != 0) {
		autofree char *tail = log_tail(c, log);
		return bento_error_set(
		    err, 0, "module %s: `%s` failed (exit status %d); the end of %s/%s:\n%s",
		    mod->name, cmdline, status, c->state.path, log, tail);
	}
	return 0;
}

/* ---- sources ----------------------------------------------------------- */

/* The local file of a source: downloaded (into the cache) or given. */
static char *source_file(const build_ctx *c, const bento_source *s, bento_error **err)
{
	if (s->url == NULL && s->sha256) {
		/* A local file may name its digest too: checked like a download. */
		auto_bento_digest d = bento_digest_new();
		if (bento_digest_add_path(d, s->path, err) < 0)
			return NULL;
		autofree char *actual = bento_digest_hex(d);
		if (strcasecmp(actual, s->sha256) != 0) {
			bento_error_set(err, 0, "%s: checksum mismatch: expected sha256 %s, got %s",
			                s->path, s->sha256, actual);
			return NULL;
		}
	}
	if (s->url == NULL)
		return xstrdup(s->path);
	char *path = NULL;
	if (bento_fetch(&c->o->fetch, s->url, s->sha256, &path, err) < 0)
		return NULL;
	return path;
}

static const char *url_basename(const char *url)
{
	const char *slash = strrchr(url, '/');
	return slash ? slash + 1 : url;
}

/* Unpacks archive into the directory dst_fd (dst_label), which may already
 * hold files: unpacked aside first (bento_unpack wants an empty directory),
 * then merged in without following or writing through a link there. */
static int unpack_into(const build_ctx *c, const char *archive, int dst_fd, const char *dst_label,
                       const bento_unpack_options *opt, bento_error **err)
{
	autofree char *aside = xasprintf("%s/.unpack", c->state.builds);
	if (bento_beneath_remove(c->state.fd, c->state.path, "build/.unpack", err) < 0 ||
	    bento_unpack(opt, archive, aside, err) < 0)
		return -1;
	autoclose int aside_fd = bento_build_state_dir(&c->state, "build/.unpack", err);
	if (aside_fd < 0 || bento_tree_copy(aside_fd, archive, dst_fd, dst_label, err) < 0)
		return -1;
	return bento_beneath_remove(c->state.fd, c->state.path, "build/.unpack", err);
}

/* A Debian package's data into /app: its usr/ is the app's /app. */
static int unpack_deb(const build_ctx *c, const char *file, const char *label, bento_error **err)
{
	bento_unpack_options opt = {.deb = true, .lift_dir = "usr", .label = label};
	autoclose int app_fd = bento_build_state_dir(&c->state, "app", err);
	return app_fd < 0 ? -1 : unpack_into(c, file, app_fd, "/app", &opt, err);
}

/* An apt source: the packages the lock file pins, each fetched by its URL
 * and SHA-256 and unpacked as a deb source is. */
static int prepare_apt(const build_ctx *c, const bento_source *s, bento_error **err)
{
	const bento_apt_pins *p = bento_apt_pins_of(c->apt, s);
	for (size_t i = 0; p && i < p->n; i++) {
		const bento_apt_package *k = &p->packages[i];
		autofree char *file = NULL;
		if (bento_fetch(&c->o->fetch, k->url, k->sha256, &file, err) < 0 ||
		    unpack_deb(c, file, k->url, err) < 0) {
			bento_error_prefix(err, "package %s %s", k->name, k->version);
			return -1;
		}
	}
	return 0;
}

/* Puts source s in place in the module's sources (src_fd, srcdir). */
static int prepare_source(const build_ctx *c, const bento_module *mod, int src_fd,
                          const char *srcdir, const bento_source *s, size_t index,
                          bento_error **err)
{
	autofree char *dest = s->dest ? xasprintf("%s/%s", srcdir, s->dest) : xstrdup(srcdir);
	autofree char *inside =
	    xasprintf("/run/build/%s%s%s", mod->name, s->dest ? "/" : "", s->dest ? s->dest : "");
	/* (the directory s->dest names, made where missing: nothing in the
	 * sources, which earlier sources and steps made, is followed) */
	autoclose int dest_fd = -1;
	if (s->type != BENTO_SOURCE_SHELL && s->type != BENTO_SOURCE_DEB &&
	    s->type != BENTO_SOURCE_APT &&
	    (dest_fd = bento_beneath_dir(src_fd, srcdir, s->dest ? s->dest : "", true, err)) < 0)
		return -1;
	autofree char *file = NULL;
	if (s->type != BENTO_SOURCE_SHELL && s->type != BENTO_SOURCE_DIR &&
	    s->type != BENTO_SOURCE_APT && (file = source_file(c, s, err)) == NULL)
		return -1;
	switch (s->type) {
	case BENTO_SOURCE_ARCHIVE: {
		bento_unpack_options opt = {.strip_components = s->strip_components};
		return unpack_into(c, file, dest_fd, dest, &opt, err);
	}
	case BENTO_SOURCE_DEB:
		return unpack_deb(c, file, s->url ? s->url : s->path, err);
	case BENTO_SOURCE_APT:
		return prepare_apt(c, s, err);
	case BENTO_SOURCE_FILE: {
		const char *name =
		    s->dest_filename ? s->dest_filename : url_basename(s->url ? s->url : s->path);
		return bento_copy_file(file, dest_fd, name, err);
	}
	case BENTO_SOURCE_DIR: {
		autoclose int dir_fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			return bento_error_errno(err, "%s", s->path);
		return bento_tree_copy(dir_fd, s->path, dest_fd, dest, err);
	}
	case BENTO_SOURCE_PATCH: {
		/* Applied in the sandbox, by the host's patch(1). */
		autofree char *name = xasprintf(".bento-patch-%zu", index);
		if (bento_copy_file(file, src_fd, name, err) < 0)
			return -1;
		autofree char *strip = xasprintf("-p%u", s->strip_components);
		autofree char *patch = xasprintf("/run/build/%s/%s", mod->name, name);
		bento_strv argv = {0};
		bento_strv_add(&argv, xstrdup("patch"));
		bento_strv_add(&argv, xstrdup(strip));
		bento_strv_add(&argv, xstrdup("--batch"));
		for (char **o = s->options; *o; o++)
			bento_strv_add(&argv, xstrdup(*o));
		bento_strv_add(&argv, xstrdup("-i"));
		bento_strv_add(&argv, xstrdup(patch));
		int r = sandbox_step(c, mod, argv.items, inside, err);
		bento_strv_free(&argv);
		return r;
	}
	case BENTO_SOURCE_SHELL:
		for (char **line = s->commands; *line; line++) {
			char *argv[] = {"/bin/sh", "-c", *line, NULL};
			if (sandbox_step(c, mod, argv, inside, err) < 0)
				return -1;
		}
		return 0;
	}
	return 0;
}

/* ---- building ------------------------------------------------------------ */

static int run_list(const build_ctx *c, const bento_module *mod, char **lines, const char *cwd,
                    bento_error **err)
{
	for (char **line = lines; *line; line++) {
		char *argv[] = {"/bin/sh", "-c", *line, NULL};
		if (sandbox_step(c, mod, argv, cwd, err) < 0)
			return -1;
	}
	return 0;
}

/* argv: head, then the items of list. */
static void argv_with(bento_strv *argv, const char *const *head, char **list)
{
	for (; *head; head++)
		bento_strv_add(argv, xstrdup(*head));
	for (; list && *list; list++)
		bento_strv_add(argv, xstrdup(*list));
}

static int run_argv(const build_ctx *c, const bento_module *mod, const char *const *head,
                    char **list, const char *cwd, bento_error **err)
{
	bento_strv argv = {0};
	argv_with(&argv, head, list);
	int r = sandbox_step(c, mod, argv.items, cwd, err);
	bento_strv_free(&argv);
	return r;
}

/* configure with the module's config-opts, make with its make-args, install
 * with install_args: the three steps of every build system but "simple". */
static int configure_make_install(const build_ctx *c, const bento_module *mod,
                                  const char *const *configure, const char *const *make,
                                  const char *const *install, char **install_args, const char *cwd,
                                  bento_error **err)
{
	return run_argv(c, mod, configure, mod->config_opts, cwd, err) < 0 ||
	               run_argv(c, mod, make, mod->make_args, cwd, err) < 0 ||
	               run_argv(c, mod, install, install_args, cwd, err) < 0
	           ? -1
	           : 0;
}

/* Configure, build, install, as the build system does it; then the
 * build-commands (the whole build for simple) and post-install. */
static int build_module(const build_ctx *c, const bento_module *mod, bento_error **err)
{
	const char *prefix = mod->build_options.prefix ? mod->build_options.prefix : "/app";
	autofree char *cwd = xasprintf("/run/build/%s%s%s", mod->name, mod->subdir ? "/" : "",
	                               mod->subdir ? mod->subdir : "");
	autofree char *prefix_opt = xasprintf("--prefix=%s", prefix);
	autofree char *cmake_prefix = xasprintf("-DCMAKE_INSTALL_PREFIX=%s", prefix);
	autofree char *jobs = xasprintf("-j%d", c->o->jobs);
	autofree char *njobs = xasprintf("%d", c->o->jobs);
	int r = 0;
	switch (mod->buildsystem) {
	case BENTO_BUILD_SIMPLE:
		return run_list(c, mod, mod->build_commands, cwd, err) < 0 ||
		               run_list(c, mod, mod->post_install, cwd, err) < 0
		           ? -1
		           : 0;
	case BENTO_BUILD_AUTOTOOLS: {
		const char *configure[] = {"./configure", prefix_opt, NULL};
		const char *make[] = {"make", jobs, NULL};
		const char *install[] = {"make", "install", NULL};
		r = configure_make_install(c, mod, configure, make, install, mod->make_install_args,
		                           cwd, err);
		break;
	}
	case BENTO_BUILD_CMAKE:
	case BENTO_BUILD_CMAKE_NINJA: {
		bool ninja = mod->buildsystem == BENTO_BUILD_CMAKE_NINJA;
		const char *configure[] = {"cmake",
		                           "-S",
		                           ".",
		                           "-B",
		                           "_build",
		                           cmake_prefix,
		                           "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
		                           ninja ? "-GNinja" : "-GUnix Makefiles",
		                           NULL};
		const char *make[] = {"cmake", "--build", "_build", "--parallel",
		                      njobs,   "--",      NULL};
		const char *install[] = {"cmake", "--install", "_build", NULL};
		r = configure_make_install(c, mod, configure, make, install, NULL, cwd, err);
		break;
	}
	case BENTO_BUILD_MESON: {
		const char *configure[] = {"meson", "setup", "_build", prefix_opt, NULL};
		const char *make[] = {"ninja", "-C", "_build", jobs, NULL};
		const char *install[] = {"meson", "install", "-C", "_build", "--no-rebuild", NULL};
		r = configure_make_install(c, mod, configure, make, install, mod->make_install_args,
		                           cwd, err);
		break;
	}
	}
	if (r < 0)
		return -1;
	/* The other build systems' build-commands run after their install. */
	if (run_list(c, mod, mod->build_commands, cwd, err) < 0)
		return -1;
	return run_list(c, mod, mod->post_install, cwd, err);
}

/* cleanup: "/path" below the prefix, or a name pattern at any depth. */
static const char *cleanup_pattern;
static int cleanup_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	if (ftw->level > 0 && fnmatch(cleanup_pattern, path + ftw->base, 0) == 0)
		bento_remove_tree(path, NULL);
	return 0;
}

/* Every module's cleanup, once all are built (a library's headers are
 * needed by the modules after it), over the AppDir. */
static int apply_cleanup(const build_ctx *c, int appdir_fd, const bento_module *mod,
                         bento_error **err)
{
	const char *prefix = mod->build_options.prefix ? mod->build_options.prefix : "/app";
	const char *below = prefix + strlen("/app");
	for (char **p = mod->cleanup; *p; p++) {
		if ((*p)[0] == '/') {
			/* (below the AppDir, through no link the build left there) */
			autofree char *path = xasprintf("%s%s%s", below[0] ? below + 1 : "",
			                                below[0] ? "/" : "", *p + 1);
			if (bento_beneath_remove(appdir_fd, "/app", path, err) < 0) {
				bento_error_prefix(err, "module %s: cleanup %s", mod->name, *p);
				return -1;
			}
			continue;
		}
		cleanup_pattern = *p;
		/* Depth first, so that a removed directory is not entered. */
		nftw(c->state.appdir, cleanup_visit, 16, FTW_PHYS | FTW_DEPTH);
	}
	return 0;
}

/* ---- the chain of modules ---------------------------------------------- */

/* Builds module mod on top of the /app of the cache entry start (none:
 * empty) and stores the result as the cache entry of hash. */
static int build_one(build_ctx *c, const bento_module *mod, const char *start, const char *hash,
                     bento_error **err)
{
	printf("module %s: building\n", mod->name);
	fflush(stdout);
	autofree char *log = xasprintf("logs/%s.log", mod->name);
	autofree char *src_rel = xasprintf("build/%s", mod->name);
	autofree char *srcdir = xasprintf("%s/%s", c->state.builds, mod->name);
	if (bento_beneath_remove(c->state.fd, c->state.path, log, err) < 0)
		return -1;
	/* (start "app": the module before this one was built there) */
	autoclose int app_fd = start ? -1 : bento_build_state_fresh_dir(&c->state, "app", err);
	if (start ? strcmp(start, "app") != 0 &&
	                bento_build_state_copy_tree(&c->state, start, "app", err) < 0
	          : app_fd < 0)
		return -1;
	autoclose int src_fd = bento_build_state_fresh_dir(&c->state, src_rel, err);
	if (src_fd < 0)
		return -1;
	for (size_t j = 0; j < mod->n_sources; j++)
		if (prepare_source(c, mod, src_fd, srcdir, &mod->sources[j], j, err) < 0) {
			bento_error_prefix(err, "module %s: source %zu (%s:%d)", mod->name, j + 1,
			                   c->m->path, mod->sources[j].line);
			return -1;
		}
	if (build_module(c, mod, err) < 0)
		return -1;
	return c->cache_key ? bento_cache_store(&c->state, c->cache_key, hash, err) : 0;
}

/* Builds (or takes from the cache) every module; *result is the part of the
 * state directory holding /app after the last one. */
static int build_modules(build_ctx *c, char **result, bento_error **err)
{
	size_t n = c->m->n_build_order;
	bento_strv hashes = {0};
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char *h = bento_apt_chain_hash(
		    c->apt, c->m->build_order[i],
		    bento_module_hash(i ? hashes.items[i - 1] : "", c->m->build_order[i], err));
		if (h == NULL)
			r = -1;
		else
			bento_strv_add(&hashes, h);
	}
	/* The last module whose cache entry is usable: its /app holds the work
	 * of every module before it, which need not be looked at. */
	size_t cached = 0;
	for (size_t i = n; r == 0 && i-- > 0 && c->cache_key && !c->o->disable_cache;) {
		bool usable = false;
		r = bento_cache_entry_usable(&c->state, c->cache_key, c->m->build_order[i]->name,
		                             hashes.items[i], &usable, err);
		if (usable) {
			cached = i + 1;
			break;
		}
	}
	for (size_t i = 0; r == 0 && i < cached; i++)
		printf("module %s: from the cache (%.12s)\n", c->m->build_order[i]->name,
		       hashes.items[i]);
	fflush(stdout);
	autofree char *current = cached ? xasprintf("cache/%s", hashes.items[cached - 1]) : NULL;
	for (size_t i = cached; r == 0 && i < n; i++) {
		r = build_one(c, c->m->build_order[i], current, hashes.items[i], err);
		/* (the next module starts from this one's /app) */
		free(current);
		current = xstrdup("app");
	}
	bento_strv_free(&hashes);
	if (r < 0)
		return -1;
	if (current == NULL) {
		/* No module: an empty /app. */
		autoclose int app_fd = bento_build_state_fresh_dir(&c->state, "app", err);
		if (app_fd < 0)
			return -1;
		current = xstrdup("app");
	}
	*result = steal_pointer(&current);
	return 0;
}

/* ---- the AppDir ------------------------------------------------------------ */

/* The manifest's permissions as .bento/metadata groups; env (NAME=VALUE,
 * the finishing steps') goes to [Environment] before the manifest's own. */
static int metadata_permissions(const bento_manifest *m, const bento_strv *env, char **out,
                                bento_error **err)
{
	const bento_manifest_permissions *mp = &m->permissions;
	bento_permissions p = {0};
	static const struct {
		const char *option;
		size_t offset;
	} lists[] = {
	    {"share", offsetof(bento_manifest_permissions, shared)},
	    {"socket", offsetof(bento_manifest_permissions, sockets)},
	    {"device", offsetof(bento_manifest_permissions, devices)},
	    {"allow", offsetof(bento_manifest_permissions, features)},
	    {"filesystem", offsetof(bento_manifest_permissions, filesystems)},
	    {"persist", offsetof(bento_manifest_permissions, persistent)},
	    {"talk-name", offsetof(bento_manifest_permissions, talk_names)},
	    {"own-name", offsetof(bento_manifest_permissions, own_names)},
	    {"system-talk-name", offsetof(bento_manifest_permissions, system_talk_names)},
	    {"system-own-name", offsetof(bento_manifest_permissions, system_own_names)},
	};
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(lists) && r == 0; i++) {
		char **values = *(char ***)((const char *)mp + lists[i].offset);
		for (; values && *values && r == 0; values++)
			r = bento_permissions_apply_option(&p, lists[i].option, *values, err) < 0
			        ? -1
			        : 0;
	}
	for (size_t i = 0; i < env->count && r == 0; i++)
		r = bento_permissions_apply_option(&p, "env", env->items[i], err) < 0 ? -1 : 0;
	for (size_t i = 0; i < mp->n_env && r == 0; i++) {
		autofree char *v = xasprintf("%s=%s", mp->env[i].name, mp->env[i].value);
		r = bento_permissions_apply_option(&p, "env", v, err) < 0 ? -1 : 0;
	}
	if (r == 0)
		*out = bento_permissions_to_keyfile(&p);
	bento_permissions_clear(&p);
	return r;
}

/* Runs argv in a sandbox with the AppDir at /app (writable or not) and
 * collects what it prints (in memory: no file of the state directory). */
static int run_on_appdir(const bento_sandbox_config *cfg, char *const argv[], char *const envp[],
                         char **output, int *status, bento_error **err)
{
	autoclose int fd = memfd_create("bento-builder-output", MFD_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "memfd_create");
	bento_sandbox_command cmd = {
	    .config = cfg, .argv = argv, .env = envp, .cwd = "/", .out_fd = fd, .err_fd = fd};
	if (bento_sandbox_run(&cmd, status, err) < 0)
		return -1;
	char fd_path[32];
	bento_fd_path(fd_path, fd);
	size_t len = 0;
	return bento_read_file_at(AT_FDCWD, fd_path, BENTO_TOOL_OUTPUT_MAX, output, &len, err);
}

/* The loader's own check runs in a sandbox holding only the AppDir at /app
 * and the host's excluded libraries. */
static int run_in_check_sandbox(void *data, char *const argv[], char *const envp[], char **output,
                                int *status, bento_error **err)
{
	const build_ctx *c = data;
	bento_mount_op *ops = NULL;
	size_t n_ops = 0;
	if (bento_bundle_host_excluded_paths(NULL, &ops, &n_ops, err) < 0)
		return -1;
	bento_sandbox_config cfg = build_sandbox(c, c->state.appdir);
	cfg.no_host_os = true;
	cfg.extra = ops;
	cfg.n_extra = n_ops;
	int r = run_on_appdir(&cfg, argv, envp, output, status, err);
	bento_bundle_host_excluded_paths_free(ops, n_ops);
	return r;
}

/* patchelf rewrites ELF files the build made: in a sandbox of its own with
 * the AppDir, writable, at /app and the host's /usr, where a file crafted
 * to make it misbehave reaches nothing else. */
static int run_in_patch_sandbox(void *data, char *const argv[], char *const envp[], char **output,
                                int *status, bento_error **err)
{
	const build_ctx *c = data;
	bento_sandbox_config cfg = build_sandbox(c, c->state.appdir);
	cfg.app_dir_writable = true;
	return run_on_appdir(&cfg, argv, envp, output, status, err);
}

/* The host's copies that let the file run on older systems, and the
 * [Requires] group of its metadata; the requirements are printed. */
static int bundle_requirements(const build_ctx *c, char **group, bento_error **err)
{
	static const bento_requires_glibc modes[] = {
	    [BENTO_GLIBC_AUTO] = BENTO_REQUIRES_GLIBC_AUTO,
	    [BENTO_GLIBC_BUNDLE] = BENTO_REQUIRES_GLIBC_BUNDLE,
	    [BENTO_GLIBC_HOST] = BENTO_REQUIRES_GLIBC_HOST,
	};
	bento_bundle_options bo = {.log = c->o->verbose ? stdout : NULL};
	auto_bento_requires r = {0};
	if (bento_requires_bundle(c->state.appdir, modes[c->m->glibc], &bo, &r, err) < 0)
		return -1;
	bento_requires_print(&r, stdout);
	*group = bento_requires_group(&r);
	return 0;
}

static int make_appdir(build_ctx *c, const char *app, bento_error **err)
{
	const bento_manifest *m = c->m;
	if (bento_build_state_copy_tree(&c->state, app, "appdir", err) < 0)
		return -1;
	autoclose int appdir_fd = bento_build_state_dir(&c->state, "appdir", err);
	if (appdir_fd < 0)
		return -1;
	for (size_t i = 0; i < m->n_build_order; i++)
		if (apply_cleanup(c, appdir_fd, m->build_order[i], err) < 0)
			return -1;
	/* (before bundling: the host's libraries are not the publisher's) */
	bento_appdir_warn_host_paths(c->state.appdir);
	bento_bundle_options bo = {.log = c->o->verbose ? stdout : NULL,
	                           .summary = c->o->verbose ? NULL : stdout,
	                           .run_patchelf = run_in_patch_sandbox,
	                           .run_data = c,
	                           .library_package = c->apt ? bento_apt_library_package : NULL,
	                           .library_package_data = c->apt};
	if (bento_bundle_libraries(c->state.appdir, &bo, err) < 0)
		return -1;
	bento_finish_options fo = {.python_compile = m->python_compile,
	                           .log = c->o->verbose ? stdout : NULL,
	                           .run = run_in_patch_sandbox,
	                           .run_data = c};
	__attribute__((cleanup(bento_strv_free))) bento_strv env = {0};
	if (bento_appdir_finish(c->state.appdir, &fo, &env, err) < 0)
		return -1;
	autofree char *permissions = NULL;
	if (metadata_permissions(m, &env, &permissions, err) < 0)
		return -1;
	autofree char *requires = NULL;
	if (bundle_requirements(c, &requires, err) < 0)
		return -1;
	char *metadata = xasprintf("%s%s%s", permissions, permissions[0] ? "\n" : "", requires);
	free(permissions);
	permissions = metadata;
	autofree char *categories = NULL; /* "A;B;" */
	for (char **cat = m->categories; *cat; cat++) {
		char *more = xasprintf("%s%s;", categories ? categories : "", *cat);
		free(categories);
		categories = more;
	}
	bento_desktop_info info = {.id = m->id,
	                           .name = m->name,
	                           .summary = m->summary,
	                           .license = m->license,
	                           .version = m->version,
	                           .command = m->command,
	                           .icon = m->icon,
	                           .desktop = m->desktop,
	                           .metainfo = m->appstream,
	                           .icon_in_appdir = m->icon_in_appdir,
	                           .desktop_in_appdir = m->desktop_in_appdir,
	                           .metainfo_in_appdir = m->appstream_in_appdir,
	                           .categories = categories,
	                           .terminal = m->terminal,
	                           .keywords = (const char *const *)m->keywords,
	                           .mime_types = (const char *const *)m->mime_types,
	                           .commands = m->commands,
	                           .n_commands = m->n_commands,
	                           .permissions = permissions};
	if (bento_desktop_install(c->state.appdir, &info, c->o->verbose ? stdout : NULL, err) < 0)
		return -1;
	return bento_bundle_check_in_sandbox(c->state.appdir, run_in_check_sandbox, c, err);
}

static int pack_appdir(const build_ctx *c, bento_error **err)
{
	const bento_bundle *b = &c->m->bundle;
	bento_pack_options o;
	bento_pack_options_init(&o);
	o.appdir = c->state.appdir;
	o.output = c->o->output;
	o.runtime = c->o->runtime;
	if (b->compression)
		o.sqfs.compressor = b->compressor;
	if (b->level >= 0)
		o.sqfs.level = b->level;
	if (b->block_size)
		o.sqfs.block_size = b->block_size;
	if (b->update_information &&
	    bento_pack_set_update_information(&o, b->update_information, err) < 0)
		return -1;
	if (c->o->sign_key && bento_pack_set_sign_key(&o, c->o->sign_key, err) < 0)
		return -1;
	return bento_pack(&o, err);
}

static int build(build_ctx *c, bento_error **err)
{
	const bento_build_config *o = c->o;
	if (bento_build_state_open(&c->state, o->state_dir ? o->state_dir : BENTO_BUILD_STATE_DIR,
	                           o->state_dir != NULL, err) < 0)
		return -1;
	auto_bento_error no_key = NULL;
	c->cache_key = bento_cache_digest_key(&no_key);
	if (c->cache_key == NULL)
		bento_warn("the module cache is off: %s", no_key->message);
	if (o->force_clean) {
		autoclose int builds = bento_build_state_fresh_dir(&c->state, "build", err);
		if (builds < 0 || bento_beneath_remove(c->state.fd, c->state.path, "app", err) < 0)
			return -1;
	}
	bento_apt_options apt = {
	    .state_dir = c->state.path, .update_lock = o->update_lock, .offline = o->fetch.offline};
	if (bento_apt_prepare(c->m, &apt, &c->apt, err) < 0)
		return -1;
	autofree char *result = NULL;
	if (build_modules(c, &result, err) < 0 || make_appdir(c, result, err) < 0)
		return -1;
	return pack_appdir(c, err);
}

int bento_build(const bento_manifest *m, const bento_build_config *o, bento_error **err)
{
	build_ctx c = {.m = m, .o = o, .state = {.fd = -1}};
	int r = build(&c, err);
	bento_build_state_close(&c.state);
	free(c.cache_key);
	bento_apt_lock_free(c.apt);
	return r;
}
