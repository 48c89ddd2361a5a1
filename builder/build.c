/* SPDX-License-Identifier: MIT */
/* bento-builder build [OPTION...] MANIFEST
 *
 * The state directory (default .bento-builder in the working directory):
 *   cache/HASH/   /app as it was after the module whose chained hash is HASH
 *   build/NAME/   the sources of module NAME, built in place
 *   logs/NAME.log what building NAME printed
 *   app/          /app while a module builds
 *   appdir/       the AppDir packed at the end
 *   root/         an empty directory the sandbox's root is built on
 *
 * A module's hash covers the hash of the module before it, everything of the
 * module that affects its build (bento_module_canonical) and the contents of
 * its local sources: a module whose definition, sources and preceding modules
 * are unchanged is taken from the cache, as flatpak-builder does. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "desktop.h"
#include "digest.h"
#include "fetch.h"
#include "manifest.h"
#include "pack.h"
#include "permissions.h"
#include "sandbox.h"
#include "tool.h"
#include "unpack.h"
#include "util.h"

#define PROG "bento-builder build"
#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* Changes to how modules are built invalidate every cached module. */
#define BUILD_RECIPE_VERSION "bento-builder build 1"
/* Lines of a failed step's log shown with the error. */
#define LOG_TAIL_LINES 25

void bento_builder_build_usage(FILE *out)
{
	fputs("Usage: bento-builder build [OPTION...] MANIFEST\n"
	      "\n"
	      "Build the app MANIFEST describes (bento-manifest(5)) into a single file:\n"
	      "fetch the sources, build every module in the sandbox, bundle the libraries,\n"
	      "write the desktop entry, icon and metainfo, then pack, sign and describe.\n"
	      "\n"
	      "  -o, --output=FILE     the file to write (default: NAME-VERSION-x86_64.AppImage)\n"
	      "      --state-dir=DIR   where sources, logs and the module cache live\n"
	      "                        (default: .bento-builder)\n"
	      "      --force-clean     start from empty build and /app directories\n"
	      "      --disable-cache   build every module, even an unchanged one\n"
	      "      --offline         use only downloads already in the cache\n"
	      "      --download-dir=DIR  the download cache (default:\n"
	      "                        ~/.cache/bento-builder/downloads)\n"
	      "      --sign-key=KEYID  sign with this key (overrides bundle: sign-key)\n"
	      "      --runtime=FILE    the runtime to put in front of the image\n"
	      "  -j, --jobs=N          parallel jobs of make and ninja (default: CPUs)\n"
	      "  -v, --verbose         show the build's output as it runs\n"
	      "  -h, --help            print this help\n"
	      "\n"
	      "Exit status: 0, 1 when the build fails (nothing is written at the\n"
	      "output path), 2 on a usage error.\n",
	      out);
}

typedef struct build_ctx {
	const bento_manifest *m;
	char *state, *cache, *builds, *logs, *app, *appdir, *root;
	bento_fetch_options fetch;
	bool disable_cache, verbose;
	int jobs;
} build_ctx;

static void build_ctx_free(build_ctx *c)
{
	free(c->state);
	free(c->cache);
	free(c->builds);
	free(c->logs);
	free(c->app);
	free(c->appdir);
	free(c->root);
}

/* ---- host commands ---------------------------------------------------- */

static int run_host(char *const argv[], bento_error **err)
{
	autofree char *output = NULL;
	int status = 0;
	if (builder_run_tool(argv, &output, &status, err) < 0)
		return -1;
	if (status != 0)
		return bento_error_set(err, 0, "%s failed (exit status %d): %s", argv[0], status,
		                       output);
	return 0;
}

/* Copies the contents of directory src into directory dst (which exists). */
static int copy_tree(const char *src, const char *dst, bento_error **err)
{
	autofree char *from = xasprintf("%s/.", src);
	char *argv[] = {"cp", "-a", "--reflink=auto", "--", from, (char *)dst, NULL};
	return run_host(argv, err);
}

static int fresh_dir(const char *path, bento_error **err)
{
	if (bento_remove_tree(path, err) < 0)
		return -1;
	return bento_mkdir_p(path, 0755, err);
}

/* ---- the sandbox ------------------------------------------------------ */

static char *log_tail(const char *path)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, path, 64 << 20, &data, &len, NULL) < 0 || len == 0)
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
	                              .root = c->root,
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
	autofree char *src = xasprintf("%s/%s", c->builds, mod->name);
	autofree char *dest = xasprintf("/run/build/%s", mod->name);
	autofree char *log = xasprintf("%s/%s.log", c->logs, mod->name);
	bento_mount_op sources = {.kind = BENTO_MOUNT_BIND, .src = src, .dest = dest};
	bento_permissions perms = {0};
	if (mod->build_options.network)
		perms.shared.enabled = perms.shared.valid = BENTO_SHARE_NETWORK;
	bento_sandbox_config cfg = build_sandbox(c, c->app);
	cfg.permissions = &perms;
	cfg.app_dir_writable = true;
	cfg.extra = &sources;
	cfg.n_extra = 1;
	bento_strv env = {0};
	module_env(c, mod, &env);
	autoclose int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return bento_error_errno(err, "%s", log);
	autofree char *cmdline = join_args(argv);
	dprintf(log_fd, "$ %s\n", cmdline);
	bento_sandbox_command cmd = {.config = &cfg,
	                             .argv = argv,
	                             .env = env.items,
	                             .cwd = cwd,
	                             .out_fd = c->verbose ? -1 : log_fd,
	                             .err_fd = c->verbose ? -1 : log_fd};
	int status = 0;
	int r = bento_sandbox_run(&cmd, &status, err);
	bento_strv_free(&env);
	if (r < 0) {
		bento_error_prefix(err, "module %s: %s", mod->name, cmdline);
		return -1;
	}
	if (status != 0) {
		autofree char *tail = log_tail(log);
		return bento_error_set(
		    err, 0, "module %s: `%s` failed (exit status %d); the end of %s:\n%s",
		    mod->name, cmdline, status, log, tail);
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
	if (bento_fetch(&c->fetch, s->url, s->sha256, &path, err) < 0)
		return NULL;
	return path;
}

static const char *url_basename(const char *url)
{
	const char *slash = strrchr(url, '/');
	return slash ? slash + 1 : url;
}

/* Unpacks archive into dir, which may already hold files: unpacked aside
 * first (bento_unpack wants an empty directory), then merged in. */
static int unpack_into(const build_ctx *c, const char *archive, const char *dir,
                       const bento_unpack_options *opt, bento_error **err)
{
	autofree char *aside = xasprintf("%s/.unpack", c->builds);
	if (bento_remove_tree(aside, err) < 0 || bento_unpack(opt, archive, aside, err) < 0 ||
	    bento_mkdir_p(dir, 0755, err) < 0 || copy_tree(aside, dir, err) < 0)
		return -1;
	return bento_remove_tree(aside, err);
}

static int prepare_source(const build_ctx *c, const bento_module *mod, const bento_source *s,
                          size_t index, bento_error **err)
{
	autofree char *srcdir = xasprintf("%s/%s", c->builds, mod->name);
	autofree char *dest = s->dest ? xasprintf("%s/%s", srcdir, s->dest) : xstrdup(srcdir);
	autofree char *inside =
	    xasprintf("/run/build/%s%s%s", mod->name, s->dest ? "/" : "", s->dest ? s->dest : "");
	if (s->type != BENTO_SOURCE_SHELL && s->type != BENTO_SOURCE_DEB &&
	    bento_mkdir_p(dest, 0755, err) < 0)
		return -1;
	autofree char *file = NULL;
	if (s->type != BENTO_SOURCE_SHELL && s->type != BENTO_SOURCE_DIR &&
	    (file = source_file(c, s, err)) == NULL)
		return -1;
	switch (s->type) {
	case BENTO_SOURCE_ARCHIVE: {
		bento_unpack_options opt = {.strip_components = s->strip_components};
		return unpack_into(c, file, dest, &opt, err);
	}
	case BENTO_SOURCE_DEB: {
		/* A package's usr/ is the app's /app. */
		bento_unpack_options opt = {.deb = true, .lift_dir = "usr"};
		return unpack_into(c, file, c->app, &opt, err);
	}
	case BENTO_SOURCE_FILE: {
		const char *name =
		    s->dest_filename ? s->dest_filename : url_basename(s->url ? s->url : s->path);
		autoclose int dirfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return bento_error_errno(err, "%s", dest);
		return builder_copy_file(file, dirfd, name, err);
	}
	case BENTO_SOURCE_DIR:
		return copy_tree(s->path, dest, err);
	case BENTO_SOURCE_PATCH: {
		/* Applied in the sandbox, by the host's patch(1). */
		autofree char *name = xasprintf(".bento-patch-%zu", index);
		autoclose int dirfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0 || builder_copy_file(file, dirfd, name, err) < 0)
			return dirfd < 0 ? bento_error_errno(err, "%s", srcdir) : -1;
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
	autofree char *jobs = xasprintf("-j%d", c->jobs);
	autofree char *njobs = xasprintf("%d", c->jobs);
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
static int apply_cleanup(const build_ctx *c, const bento_module *mod, bento_error **err)
{
	const char *prefix = mod->build_options.prefix ? mod->build_options.prefix : "/app";
	const char *below = prefix + strlen("/app");
	for (char **p = mod->cleanup; *p; p++) {
		if ((*p)[0] == '/') {
			autofree char *path = xasprintf("%s%s%s", c->appdir, below, *p);
			if (bento_remove_tree(path, err) < 0)
				return -1;
			continue;
		}
		cleanup_pattern = *p;
		/* Depth first, so that a removed directory is not entered. */
		nftw(c->appdir, cleanup_visit, 16, FTW_PHYS | FTW_DEPTH);
	}
	return 0;
}

/* ---- the chain of modules ---------------------------------------------- */

static char *module_hash(const char *previous, const bento_module *mod, bento_error **err)
{
	auto_bento_digest d = bento_digest_new();
	bento_digest_add_str(d, BUILD_RECIPE_VERSION);
	bento_digest_add_str(d, previous);
	autofree char *canonical = bento_module_canonical(mod);
	bento_digest_add_str(d, canonical);
	for (size_t i = 0; i < mod->n_sources; i++) {
		const bento_source *s = &mod->sources[i];
		if (s->path && bento_digest_add_path(d, s->path, err) < 0)
			return NULL;
	}
	return bento_digest_hex(d);
}

/* Builds (or takes from the cache) every module; *result is the directory
 * holding /app after the last one. */
static int build_modules(build_ctx *c, char **result, bento_error **err)
{
	autofree char *hash = xstrdup("");
	autofree char *current = NULL; /* the snapshot the next module starts from */
	for (size_t i = 0; i < c->m->n_build_order; i++) {
		const bento_module *mod = c->m->build_order[i];
		autofree char *h = module_hash(hash, mod, err);
		if (h == NULL)
			return -1;
		free(hash);
		hash = steal_pointer(&h);
		autofree char *snapshot = xasprintf("%s/%s", c->cache, hash);
		struct stat st;
		if (!c->disable_cache && stat(snapshot, &st) == 0 && S_ISDIR(st.st_mode)) {
			printf("module %s: from the cache (%.12s)\n", mod->name, hash);
			fflush(stdout);
			free(current);
			current = steal_pointer(&snapshot);
			continue;
		}
		printf("module %s: building\n", mod->name);
		fflush(stdout);
		autofree char *srcdir = xasprintf("%s/%s", c->builds, mod->name);
		autofree char *log = xasprintf("%s/%s.log", c->logs, mod->name);
		unlink(log);
		if (fresh_dir(c->app, err) < 0 ||
		    (current && copy_tree(current, c->app, err) < 0) || fresh_dir(srcdir, err) < 0)
			return -1;
		for (size_t j = 0; j < mod->n_sources; j++)
			if (prepare_source(c, mod, &mod->sources[j], j, err) < 0) {
				bento_error_prefix(err, "module %s: source %zu (%s:%d)", mod->name,
				                   j + 1, c->m->path, mod->sources[j].line);
				return -1;
			}
		if (build_module(c, mod, err) < 0)
			return -1;
		/* Into the cache atomically: copied aside, then renamed. */
		autofree char *tmp = xasprintf("%s/.tmp-%s", c->cache, hash);
		if (fresh_dir(tmp, err) < 0 || copy_tree(c->app, tmp, err) < 0)
			return -1;
		if (bento_remove_tree(snapshot, err) < 0 || rename(tmp, snapshot) < 0)
			return bento_error_errno(err, "cannot store %s in the cache", mod->name);
		free(current);
		current = steal_pointer(&snapshot);
	}
	if (current == NULL) {
		/* No module: an empty /app. */
		if (fresh_dir(c->app, err) < 0)
			return -1;
		current = xstrdup(c->app);
	}
	*result = steal_pointer(&current);
	return 0;
}

/* ---- the AppDir ------------------------------------------------------------ */

/* The manifest's permissions as .bento/metadata groups. */
static int metadata_permissions(const bento_manifest *m, char **out, bento_error **err)
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
	for (size_t i = 0; i < mp->n_env && r == 0; i++) {
		autofree char *v = xasprintf("%s=%s", mp->env[i].name, mp->env[i].value);
		r = bento_permissions_apply_option(&p, "env", v, err) < 0 ? -1 : 0;
	}
	if (r == 0)
		*out = bento_permissions_to_keyfile(&p);
	bento_permissions_clear(&p);
	return r;
}

/* The loader's own check runs in a sandbox holding only the AppDir at /app
 * and the host's excluded libraries. */
static int run_in_check_sandbox(void *data, char *const argv[], char *const envp[], char **output,
                                int *status, bento_error **err)
{
	const build_ctx *c = data;
	autofree char *out_path = xasprintf("%s/check.out", c->state);
	autoclose int fd = open(out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return bento_error_errno(err, "%s", out_path);
	bento_mount_op *ops = NULL;
	size_t n_ops = 0;
	if (bundle_host_excluded_paths(NULL, &ops, &n_ops, err) < 0)
		return -1;
	bento_sandbox_config cfg = build_sandbox(c, c->appdir);
	cfg.no_host_os = true;
	cfg.extra = ops;
	cfg.n_extra = n_ops;
	bento_sandbox_command cmd = {
	    .config = &cfg, .argv = argv, .env = envp, .cwd = "/", .out_fd = fd, .err_fd = fd};
	int r = bento_sandbox_run(&cmd, status, err);
	bundle_host_excluded_paths_free(ops, n_ops);
	size_t len = 0;
	if (r == 0 && bento_read_file_at(AT_FDCWD, out_path, 16 << 20, output, &len, err) < 0)
		r = -1;
	unlink(out_path);
	return r;
}

static int make_appdir(build_ctx *c, const char *app, bento_error **err)
{
	const bento_manifest *m = c->m;
	if (fresh_dir(c->appdir, err) < 0 || copy_tree(app, c->appdir, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_build_order; i++)
		if (apply_cleanup(c, m->build_order[i], err) < 0)
			return -1;
	bundle_options bo = {.log = c->verbose ? stdout : NULL};
	if (bundle_libraries(c->appdir, &bo, err) < 0)
		return -1;
	autofree char *permissions = NULL;
	if (metadata_permissions(m, &permissions, err) < 0)
		return -1;
	desktop_info info = {.id = m->id,
	                     .name = m->name,
	                     .summary = m->summary,
	                     .license = m->license,
	                     .version = m->version,
	                     .command = m->command,
	                     .icon = m->icon,
	                     .desktop = m->desktop,
	                     .metainfo = m->appstream,
	                     .permissions = permissions};
	if (desktop_install(c->appdir, &info, c->verbose ? stdout : NULL, err) < 0)
		return -1;
	return bundle_check_in_sandbox(c->appdir, run_in_check_sandbox, c, err);
}

/* NAME-VERSION-x86_64.AppImage, with characters a shell would trip on
 * replaced. */
static char *default_output(const bento_manifest *m)
{
	char *out = xasprintf("%s-%s-x86_64.AppImage", m->name, m->version);
	for (char *p = out; *p; p++)
		if (!(*p == '.' || *p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '_';
	return out;
}

static int pack_appdir(const build_ctx *c, const char *output, const char *sign_key,
                       const char *runtime)
{
	const bento_bundle *b = &c->m->bundle;
	bento_strv argv = {0};
	bento_strv_add(&argv, xstrdup("pack"));
	bento_strv_add(&argv, xasprintf("--output=%s", output));
	if (b->compression)
		bento_strv_add(&argv, xasprintf("--compression=%s", b->compression));
	if (b->level >= 0)
		bento_strv_add(&argv, xasprintf("--compression-level=%d", b->level));
	if (b->block_size)
		bento_strv_add(&argv, xasprintf("--block-size=%u", b->block_size));
	if (b->update_information)
		bento_strv_add(&argv, xasprintf("--update-information=%s", b->update_information));
	if (sign_key)
		bento_strv_add(&argv, xasprintf("--sign-key=%s", sign_key));
	if (runtime)
		bento_strv_add(&argv, xasprintf("--runtime=%s", runtime));
	bento_strv_add(&argv, xstrdup(c->appdir));
	optind = 0;
	int status = bento_builder_pack((int)argv.count, argv.items);
	bento_strv_free(&argv);
	return status;
}

static long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int bento_builder_build(int argc, char **argv)
{
	enum {
		OPT_STATE = 256,
		OPT_FORCE,
		OPT_NOCACHE,
		OPT_OFFLINE,
		OPT_DOWNLOADS,
		OPT_SIGN,
		OPT_RUNTIME
	};
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"state-dir", required_argument, NULL, OPT_STATE},
	    {"force-clean", no_argument, NULL, OPT_FORCE},
	    {"disable-cache", no_argument, NULL, OPT_NOCACHE},
	    {"offline", no_argument, NULL, OPT_OFFLINE},
	    {"download-dir", required_argument, NULL, OPT_DOWNLOADS},
	    {"sign-key", required_argument, NULL, OPT_SIGN},
	    {"runtime", required_argument, NULL, OPT_RUNTIME},
	    {"jobs", required_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *output = NULL, *state = ".bento-builder", *sign_key = NULL, *runtime = NULL;
	bool force_clean = false;
	build_ctx c = {.jobs = (int)cpu_count()};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:j:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_FORCE:
			force_clean = true;
			break;
		case OPT_NOCACHE:
			c.disable_cache = true;
			break;
		case OPT_OFFLINE:
			c.fetch.offline = true;
			break;
		case OPT_DOWNLOADS:
			c.fetch.cache_dir = optarg;
			break;
		case OPT_SIGN:
			sign_key = optarg;
			break;
		case OPT_RUNTIME:
			runtime = optarg;
			break;
		case 'j':
			c.jobs = atoi(optarg);
			if (c.jobs < 1 || c.jobs > 1024) {
				fprintf(stderr, PROG ": --jobs wants a number from 1 to 1024\n");
				return EXIT_USAGE;
			}
			break;
		case 'v':
			c.verbose = true;
			break;
		case 'h':
			bento_builder_build_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'bento-builder build --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": %s (see bento-builder build --help)\n",
		        optind >= argc ? "which MANIFEST?" : "only one MANIFEST, please");
		return EXIT_USAGE;
	}
	auto_bento_error err = NULL;
	auto_bento_manifest m = NULL;
	if (bento_manifest_load(argv[optind], &m, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	c.m = m;
	if (bento_mkdir_p(state, 0755, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	c.state = realpath(state, NULL);
	if (c.state == NULL) {
		bento_error_errno(&err, "%s", state);
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	}
	c.cache = xasprintf("%s/cache", c.state);
	c.builds = xasprintf("%s/build", c.state);
	c.logs = xasprintf("%s/logs", c.state);
	c.app = xasprintf("%s/app", c.state);
	c.appdir = xasprintf("%s/appdir", c.state);
	c.root = xasprintf("%s/root", c.state);
	autofree char *out = output ? xstrdup(output) : default_output(m);
	autofree char *result = NULL;
	int r = 0;
	if (force_clean &&
	    (bento_remove_tree(c.builds, &err) < 0 || bento_remove_tree(c.app, &err) < 0))
		r = -1;
	if (r == 0 &&
	    (bento_mkdir_p(c.cache, 0755, &err) < 0 || bento_mkdir_p(c.builds, 0755, &err) < 0 ||
	     bento_mkdir_p(c.logs, 0755, &err) < 0 || bento_mkdir_p(c.root, 0755, &err) < 0))
		r = -1;
	if (r == 0)
		r = build_modules(&c, &result, &err);
	if (r == 0)
		r = make_appdir(&c, result, &err);
	if (r < 0) {
		build_ctx_free(&c);
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	}
	int status = pack_appdir(&c, out, sign_key ? sign_key : m->bundle.sign_key, runtime);
	if (status == 0)
		printf("%s\n", out);
	build_ctx_free(&c);
	return status;
}
