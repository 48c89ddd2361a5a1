/* SPDX-License-Identifier: MIT */
/* bento-builder build [OPTION...] MANIFEST
 *
 * The state directory (default .bento-builder in the working directory):
 *   cache/HASH/        /app as it was after the module whose chained hash is HASH
 *   cache/HASH.digest  the keyed digest of that tree, recorded when it was made
 *   build/NAME/   the sources of module NAME, built in place
 *   logs/NAME.log what building NAME printed
 *   app/          /app while a module builds
 *   appdir/       the AppDir packed at the end
 *   root/         an empty directory the sandbox's root is built on
 *
 * A module's hash covers the hash of the module before it, everything of the
 * module that affects its build (bento_module_canonical) and the contents of
 * its local sources: a module whose definition, sources and preceding modules
 * are unchanged is taken from the cache, as flatpak-builder does.
 *
 * Everything a build made is hostile: the build steps write /app and their
 * sources, and may leave symbolic links there that point anywhere on the
 * host.  So the builder reaches every path below the state directory one
 * element at a time without following a link (beneath.h), copies trees
 * without following or writing through one (tree_copy.h), takes a cache
 * entry only if its tree still has the digest recorded when it was made, with
 * a key of the user's that no manifest can know (so that a state directory a
 * manifest's repository brings along is no shortcut either), and runs what
 * works on the files the build made (patchelf, the dynamic loader's check)
 * in the sandbox. */
#include "build/build.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appdir/bundle.h"
#include "appdir/desktop.h"
#include "core/util.h"
#include "manifest/manifest.h"
#include "output/pack.h"
#include "permissions/permissions.h"
#include "sandbox/sandbox.h"
#include "sources/fetch.h"
#include "sources/unpack.h"
#include "util/beneath.h"
#include "util/digest.h"
#include "util/tool.h"
#include "util/tree_copy.h"

#define PROG "bento-builder build"
#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* Changes to how modules are built invalidate every cached module. */
#define BUILD_RECIPE_VERSION "bento-builder build 1"
/* Lines of a failed step's log shown with the error. */
#define LOG_TAIL_LINES 25
#define DEFAULT_STATE_DIR ".bento-builder"
/* The user's key for the cache's digests, beside the download cache. */
#define CACHE_KEY_NAME "cache-key"
#define CACHE_KEY_BYTES 32

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
	      "                        (default: .bento-builder, which must not be a link)\n"
	      "      --force-clean     start from empty build and /app directories\n"
	      "      --disable-cache   build every module, even an unchanged one\n"
	      "      --offline         use only downloads already in the cache\n"
	      "      --download-dir=DIR  the download cache (default:\n"
	      "                        ~/.cache/bento-builder/downloads)\n"
	      "      --sign            sign with the key the manifest names (bundle: sign-key);\n"
	      "                        without it a manifest's key is not used\n"
	      "      --sign-key=KEYID  sign with this key\n"
	      "      --runtime=FILE    the runtime to put in front of the image\n"
	      "      --source-root=DIR the directory the manifest's local files must be in\n"
	      "                        (default: its repository, or its own directory)\n"
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
	/* The state directory (its real path) and its parts, which the
	 * builder made: below it, nothing is followed. */
	char *state, *cache, *builds, *logs, *app, *appdir, *root;
	int state_fd;
	/* The key of the cache's digests; NULL: no cache. */
	char *cache_key;
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
	free(c->cache_key);
	if (c->state_fd >= 0)
		close(c->state_fd);
}

/* ---- the state directory ------------------------------------------------ */

/* The part rel ("app", "build/NAME") of the state directory, emptied (or
 * made): its descriptor. */
static int fresh_dir(const build_ctx *c, const char *rel, bento_error **err)
{
	if (bento_beneath_remove(c->state_fd, c->state, rel, err) < 0)
		return -1;
	return bento_beneath_dir(c->state_fd, c->state, rel, true, err);
}

static int state_dir(const build_ctx *c, const char *rel, bento_error **err)
{
	return bento_beneath_dir(c->state_fd, c->state, rel, false, err);
}

/* Copies the part from of the state directory into its part to, which is
 * made empty first. */
static int copy_state_tree(const build_ctx *c, const char *from, const char *to, bento_error **err)
{
	autoclose int src = state_dir(c, from, err);
	if (src < 0)
		return -1;
	autoclose int dst = fresh_dir(c, to, err);
	if (dst < 0)
		return -1;
	autofree char *src_label = xasprintf("%s/%s", c->state, from);
	autofree char *dst_label = xasprintf("%s/%s", c->state, to);
	return bento_tree_copy(src, src_label, dst, dst_label, err);
}

/* The state directory as given; the default one is not taken through a
 * symbolic link (a repository a manifest comes from could hold one). */
static int open_state(build_ctx *c, const char *state, bool given, bento_error **err)
{
	if (bento_mkdir_p(state, 0755, err) < 0)
		return -1;
	c->state_fd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (given ? 0 : O_NOFOLLOW));
	if (c->state_fd < 0 && !given && (errno == ELOOP || errno == ENOTDIR))
		return bento_error_set(err, 0,
		                       "%s is a symbolic link: the default state directory is not "
		                       "taken through a link (give --state-dir=%s to use it)",
		                       state, state);
	if (c->state_fd < 0)
		return bento_error_errno(err, "%s", state);
	char fd_path[32];
	bento_fd_path(fd_path, c->state_fd);
	c->state = realpath(fd_path, NULL);
	if (c->state == NULL)
		return bento_error_errno(err, "%s", state);
	static const char *const parts[] = {"cache", "build", "logs", "root"};
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		int fd = bento_beneath_dir(c->state_fd, c->state, parts[i], true, err);
		if (fd < 0)
			return -1;
		close(fd);
	}
	c->cache = xasprintf("%s/cache", c->state);
	c->builds = xasprintf("%s/build", c->state);
	c->logs = xasprintf("%s/logs", c->state);
	c->app = xasprintf("%s/app", c->state);
	c->appdir = xasprintf("%s/appdir", c->state);
	c->root = xasprintf("%s/root", c->state);
	return 0;
}

/* ---- the cache's key and digests ---------------------------------------- */

/* The user's key (hex), made on first use: a file only the user reads,
 * beside the download cache, where no build step reaches. */
static char *cache_key(bento_error **err)
{
	autofree char *downloads = bento_fetch_default_cache_dir(err);
	if (downloads == NULL)
		return NULL;
	autofree char *dir = xstrdup(downloads);
	*strrchr(dir, '/') = '\0';
	if (bento_mkdir_p(dir, 0700, err) < 0)
		return NULL;
	autofree char *path = xasprintf("%s/" CACHE_KEY_NAME, dir);
	autofree char *data = NULL;
	size_t len = 0;
	for (int tries = 0; tries < 2; tries++) {
		autoclose int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			char fd_path[32];
			bento_fd_path(fd_path, fd);
			if (bento_read_file_at(AT_FDCWD, fd_path, 1024, &data, &len, err) < 0)
				return NULL;
			if (len != 2 * CACHE_KEY_BYTES + 1 ||
			    strspn(data, "0123456789abcdef") != 2 * CACHE_KEY_BYTES) {
				bento_error_set(err, 0, "%s: not a key this builder made", path);
				return NULL;
			}
			data[2 * CACHE_KEY_BYTES] = '\0';
			return steal_pointer(&data);
		}
		if (errno != ENOENT) {
			bento_error_errno(err, "%s", path);
			return NULL;
		}
		/* Written whole aside, then linked in: a builder running at the
		 * same time reads either no key or the whole of one. */
		unsigned char key[CACHE_KEY_BYTES];
		char hex[2 * CACHE_KEY_BYTES + 2];
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
			bento_error_errno(err, "cannot make a key for %s", path);
			return NULL;
		}
		bento_hex(hex, key, sizeof(key));
		strcat(hex, "\n");
		autofree char *tmp = xasprintf("%s.XXXXXX", path);
		autoclose int out = mkostemp(tmp, O_CLOEXEC);
		if (out < 0 || bento_write_all(out, hex, strlen(hex)) < 0 || fsync(out) < 0) {
			bento_error_errno(err, "cannot write %s", path);
			if (out >= 0)
				unlink(tmp);
			return NULL;
		}
		if (link(tmp, path) < 0 && errno != EEXIST) {
			bento_error_errno(err, "cannot write %s", path);
			unlink(tmp);
			return NULL;
		}
		unlink(tmp);
	}
	bento_error_set(err, 0, "%s: cannot be read", path);
	return NULL;
}

/* The keyed digest of the tree rel of the state directory (which must be a
 * directory reached without a link). */
static char *tree_digest(const build_ctx *c, const char *rel, bento_error **err)
{
	autoclose int fd = state_dir(c, rel, err);
	if (fd < 0)
		return NULL;
	char fd_path[32];
	bento_fd_path(fd_path, fd);
	auto_bento_digest tree = bento_digest_new();
	if (bento_digest_add_path(tree, fd_path, err) < 0) {
		bento_error_prefix(err, "%s/%s", c->state, rel);
		return NULL;
	}
	autofree char *tree_hex = bento_digest_hex(tree);
	/* Both parts of fixed length: no other pair gives the same text. */
	auto_bento_digest keyed = bento_digest_new();
	bento_digest_add_str(keyed, c->cache_key);
	bento_digest_add_str(keyed, tree_hex);
	return bento_digest_hex(keyed);
}

/* Whether the cache entry of hash can be used: a directory whose tree has
 * the digest recorded when this builder made it.  Says why not, unless
 * there is no entry at all. */
static int cache_entry_usable(const build_ctx *c, const bento_module *mod, const char *hash,
                              bool *usable, bento_error **err)
{
	*usable = false;
	autofree char *entry = xasprintf("cache/%s", hash);
	autofree char *record = xasprintf("cache/%s.digest", hash);
	struct stat st;
	autoclose int cache_fd = state_dir(c, "cache", err);
	if (cache_fd < 0)
		return -1;
	if (fstatat(cache_fd, hash, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bento_error_errno(err, "%s/%s", c->cache, hash);
	const char *why = NULL;
	autofree char *recorded = NULL, *actual = NULL, *expected = NULL;
	size_t len = 0;
	auto_bento_error e = NULL;
	if (!S_ISDIR(st.st_mode))
		why = "is not a directory";
	else if (bento_beneath_read_file(c->state_fd, c->state, record, 256, &recorded, &len, &e) <
	         0)
		why = e->errnum == ENOENT ? "has no recorded digest" : e->message;
	else if ((actual = tree_digest(c, entry, &e)) == NULL)
		why = e->message;
	else if (strcmp(recorded, expected = xasprintf("%s\n", actual)) != 0)
		why = "was changed since it was made (its digest is not the one recorded)";
	if (why != NULL) {
		fprintf(stderr,
		        "bento-builder: module %s: the cache entry %s %s: building it again\n",
		        mod->name, hash, why);
		return 0;
	}
	*usable = true;
	return 0;
}

/* Stores the tree of app as the cache entry of hash, with its digest:
 * copied aside, its digest recorded, then renamed into place. */
static int store_in_cache(const build_ctx *c, const char *hash, bento_error **err)
{
	autofree char *tmp = xasprintf("cache/.tmp-%s", hash);
	autofree char *entry = xasprintf("cache/%s", hash);
	autofree char *record = xasprintf("cache/%s.digest", hash);
	if (copy_state_tree(c, "app", tmp, err) < 0)
		return -1;
	autofree char *digest = tree_digest(c, tmp, err);
	if (digest == NULL)
		return -1;
	autofree char *text = xasprintf("%s\n", digest);
	autoclose int cache_fd = state_dir(c, "cache", err);
	if (cache_fd < 0 || bento_beneath_remove(c->state_fd, c->state, record, err) < 0 ||
	    bento_beneath_remove(c->state_fd, c->state, entry, err) < 0 ||
	    bento_beneath_replace_file(c->state_fd, c->state, record, text, 0644, err) < 0)
		return -1;
	if (renameat(cache_fd, tmp + strlen("cache/"), cache_fd, hash) < 0)
		return bento_error_errno(err, "cannot store %s/%s", c->state, entry);
	return 0;
}

/* ---- the sandbox ------------------------------------------------------ */

static char *log_tail(const build_ctx *c, const char *log)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_beneath_read_file(c->state_fd, c->state, log, 64 << 20, &data, &len, NULL) < 0 ||
	    len == 0)
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
	autofree char *dest = xasprintf("/run/build/%s", mod->name);
	autofree char *log = xasprintf("logs/%s.log", mod->name);
	bento_mount_op sources = {.kind = BENTO_MOUNT_BIND,
	                          .flags = BENTO_MOUNT_NO_SYMLINKS,
	                          .src = mod->name,
	                          .beneath = c->builds,
	                          .dest = dest};
	bento_permissions perms = {0};
	if (mod->build_options.network)
		perms.shared.enabled = perms.shared.valid = BENTO_SHARE_NETWORK;
	bento_sandbox_config cfg = build_sandbox(c, c->app);
	cfg.permissions = &perms;
	cfg.app_dir_writable = true;
	cfg.extra = &sources;
	cfg.n_extra = 1;
	autoclose int log_fd = bento_beneath_open(c->state_fd, c->state, log,
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
		autofree char *tail = log_tail(c, log);
		return bento_error_set(
		    err, 0, "module %s: `%s` failed (exit status %d); the end of %s/%s:\n%s",
		    mod->name, cmdline, status, c->state, log, tail);
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

/* Unpacks archive into the directory dst_fd (dst_label), which may already
 * hold files: unpacked aside first (bento_unpack wants an empty directory),
 * then merged in without following or writing through a link there. */
static int unpack_into(const build_ctx *c, const char *archive, int dst_fd, const char *dst_label,
                       const bento_unpack_options *opt, bento_error **err)
{
	autofree char *aside = xasprintf("%s/.unpack", c->builds);
	if (bento_beneath_remove(c->state_fd, c->state, "build/.unpack", err) < 0 ||
	    bento_unpack(opt, archive, aside, err) < 0)
		return -1;
	autoclose int aside_fd = state_dir(c, "build/.unpack", err);
	if (aside_fd < 0 || bento_tree_copy(aside_fd, archive, dst_fd, dst_label, err) < 0)
		return -1;
	return bento_beneath_remove(c->state_fd, c->state, "build/.unpack", err);
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
	    (dest_fd = bento_beneath_dir(src_fd, srcdir, s->dest ? s->dest : "", true, err)) < 0)
		return -1;
	autofree char *file = NULL;
	if (s->type != BENTO_SOURCE_SHELL && s->type != BENTO_SOURCE_DIR &&
	    (file = source_file(c, s, err)) == NULL)
		return -1;
	switch (s->type) {
	case BENTO_SOURCE_ARCHIVE: {
		bento_unpack_options opt = {.strip_components = s->strip_components};
		return unpack_into(c, file, dest_fd, dest, &opt, err);
	}
	case BENTO_SOURCE_DEB: {
		/* A package's usr/ is the app's /app. */
		bento_unpack_options opt = {.deb = true, .lift_dir = "usr"};
		autoclose int app_fd = state_dir(c, "app", err);
		return app_fd < 0 ? -1 : unpack_into(c, file, app_fd, "/app", &opt, err);
	}
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

/* Builds module mod on top of the /app of the cache entry start (none:
 * empty) and stores the result as the cache entry of hash. */
static int build_one(build_ctx *c, const bento_module *mod, const char *start, const char *hash,
                     bento_error **err)
{
	printf("module %s: building\n", mod->name);
	fflush(stdout);
	autofree char *log = xasprintf("logs/%s.log", mod->name);
	autofree char *src_rel = xasprintf("build/%s", mod->name);
	autofree char *srcdir = xasprintf("%s/%s", c->builds, mod->name);
	if (bento_beneath_remove(c->state_fd, c->state, log, err) < 0)
		return -1;
	/* (start "app": the module before this one was built there) */
	autoclose int app_fd = start ? -1 : fresh_dir(c, "app", err);
	if (start ? strcmp(start, "app") != 0 && copy_state_tree(c, start, "app", err) < 0
	          : app_fd < 0)
		return -1;
	autoclose int src_fd = fresh_dir(c, src_rel, err);
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
	return c->cache_key ? store_in_cache(c, hash, err) : 0;
}

/* Builds (or takes from the cache) every module; *result is the part of the
 * state directory holding /app after the last one. */
static int build_modules(build_ctx *c, char **result, bento_error **err)
{
	size_t n = c->m->n_build_order;
	bento_strv hashes = {0};
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char *h = module_hash(i ? hashes.items[i - 1] : "", c->m->build_order[i], err);
		if (h == NULL)
			r = -1;
		else
			bento_strv_add(&hashes, h);
	}
	/* The last module whose cache entry is usable: its /app holds the work
	 * of every module before it, which need not be looked at. */
	size_t cached = 0;
	for (size_t i = n; r == 0 && i-- > 0 && c->cache_key && !c->disable_cache;) {
		bool usable = false;
		r = cache_entry_usable(c, c->m->build_order[i], hashes.items[i], &usable, err);
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
		autoclose int app_fd = fresh_dir(c, "app", err);
		if (app_fd < 0)
			return -1;
		current = xstrdup("app");
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
	bento_sandbox_config cfg = build_sandbox(c, c->appdir);
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
	bento_sandbox_config cfg = build_sandbox(c, c->appdir);
	cfg.app_dir_writable = true;
	return run_on_appdir(&cfg, argv, envp, output, status, err);
}

static int make_appdir(build_ctx *c, const char *app, bento_error **err)
{
	const bento_manifest *m = c->m;
	if (copy_state_tree(c, app, "appdir", err) < 0)
		return -1;
	autoclose int appdir_fd = state_dir(c, "appdir", err);
	if (appdir_fd < 0)
		return -1;
	for (size_t i = 0; i < m->n_build_order; i++)
		if (apply_cleanup(c, appdir_fd, m->build_order[i], err) < 0)
			return -1;
	bento_bundle_options bo = {
	    .log = c->verbose ? stdout : NULL, .run_patchelf = run_in_patch_sandbox, .run_data = c};
	if (bento_bundle_libraries(c->appdir, &bo, err) < 0)
		return -1;
	autofree char *permissions = NULL;
	if (metadata_permissions(m, &permissions, err) < 0)
		return -1;
	bento_desktop_info info = {.id = m->id,
	                           .name = m->name,
	                           .summary = m->summary,
	                           .license = m->license,
	                           .version = m->version,
	                           .command = m->command,
	                           .icon = m->icon,
	                           .desktop = m->desktop,
	                           .metainfo = m->appstream,
	                           .permissions = permissions};
	if (bento_desktop_install(c->appdir, &info, c->verbose ? stdout : NULL, err) < 0)
		return -1;
	return bento_bundle_check_in_sandbox(c->appdir, run_in_check_sandbox, c, err);
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
                       const char *runtime, bento_error **err)
{
	const bento_bundle *b = &c->m->bundle;
	bento_pack_options o;
	bento_pack_options_init(&o);
	o.appdir = c->appdir;
	o.output = output;
	o.runtime = runtime;
	if (b->compression)
		o.sqfs.compressor = b->compressor;
	if (b->level >= 0)
		o.sqfs.level = b->level;
	if (b->block_size)
		o.sqfs.block_size = b->block_size;
	if (b->update_information &&
	    bento_pack_set_update_information(&o, b->update_information, err) < 0)
		return -1;
	if (sign_key && bento_pack_set_sign_key(&o, sign_key, err) < 0)
		return -1;
	return bento_pack(&o, err);
}

static long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* The key to sign with: --sign-key's, or with --sign the manifest's.  A
 * manifest cannot make the builder use one of the publisher's keys by
 * itself: without --sign its key is left alone, and the build says so. */
static int signing_key(const bento_manifest *m, const char *given, bool sign, const char **key,
                       bento_error **err)
{
	*key = given;
	if (given != NULL)
		return 0;
	if (sign && m->bundle.sign_key == NULL)
		return bento_error_usage(err,
		                         "--sign: the manifest names no key (bundle: sign-key); "
		                         "give --sign-key=KEYID");
	if (sign) {
		*key = m->bundle.sign_key;
		return 0;
	}
	if (m->bundle.sign_key != NULL)
		fprintf(stderr,
		        "bento-builder: not signing: the manifest names the key %s (bundle: "
		        "sign-key), which is used only with --sign; the file is unsigned\n",
		        m->bundle.sign_key);
	return 0;
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
		OPT_SIGN_KEY,
		OPT_RUNTIME,
		OPT_SOURCE_ROOT
	};
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"state-dir", required_argument, NULL, OPT_STATE},
	    {"force-clean", no_argument, NULL, OPT_FORCE},
	    {"disable-cache", no_argument, NULL, OPT_NOCACHE},
	    {"offline", no_argument, NULL, OPT_OFFLINE},
	    {"download-dir", required_argument, NULL, OPT_DOWNLOADS},
	    {"sign", no_argument, NULL, OPT_SIGN},
	    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	    {"runtime", required_argument, NULL, OPT_RUNTIME},
	    {"source-root", required_argument, NULL, OPT_SOURCE_ROOT},
	    {"jobs", required_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *output = NULL, *state = DEFAULT_STATE_DIR, *sign_key = NULL, *runtime = NULL,
	           *source_root = NULL;
	bool force_clean = false, state_given = false, sign = false;
	build_ctx c = {.jobs = (int)cpu_count(), .state_fd = -1};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:j:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			state_given = true;
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
			sign = true;
			break;
		case OPT_SIGN_KEY:
			sign_key = optarg;
			break;
		case OPT_RUNTIME:
			runtime = optarg;
			break;
		case OPT_SOURCE_ROOT:
			source_root = optarg;
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
	if (bento_manifest_load(argv[optind], source_root, &m, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	c.m = m;
	const char *key = NULL;
	if (signing_key(m, sign_key, sign, &key, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	autofree char *out = output ? xstrdup(output) : default_output(m);
	autofree char *result = NULL;
	int r = open_state(&c, state, state_given, &err);
	if (r == 0) {
		auto_bento_error no_key = NULL;
		c.cache_key = cache_key(&no_key);
		if (c.cache_key == NULL)
			fprintf(stderr, "bento-builder: the module cache is off: %s\n",
			        no_key->message);
	}
	if (r == 0 && force_clean) {
		autoclose int builds = fresh_dir(&c, "build", &err);
		if (builds < 0 || bento_beneath_remove(c.state_fd, c.state, "app", &err) < 0)
			r = -1;
	}
	if (r == 0)
		r = build_modules(&c, &result, &err);
	if (r == 0)
		r = make_appdir(&c, result, &err);
	if (r < 0) {
		build_ctx_free(&c);
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	}
	r = pack_appdir(&c, out, key, runtime, &err);
	build_ctx_free(&c);
	if (r < 0)
		return bento_error_report(steal_pointer(&err), "bento-builder", EXIT_FAILED);
	if (fflush(stdout) != 0)
		return EXIT_FAILED;
	printf("%s\n", out);
	return 0;
}
