/* SPDX-License-Identifier: MIT */
/* The finishing steps of an AppDir (see finish.h).  The AppDir's files are
 * the build's: directories are looked at without following a link, and
 * every tool runs in the sandbox on /app paths. */
#include "appdir/finish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#endif

/* Where a Debian package's libraries and a built one's land in the AppDir. */
static const char *const lib_dirs[] = {"lib/" MULTIARCH, "lib"};

static bool is_dir_at(const char *appdir, const char *rel)
{
	autofree char *path = xasprintf("%s/%s", appdir, rel);
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file_at(const char *appdir, const char *rel)
{
	autofree char *path = xasprintf("%s/%s", appdir, rel);
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in APPDIR/rel ending in suffix (NULL: all but . and ..),
 * sorted: tools given them in this order write the same bytes each time. */
static void list_dir(const char *appdir, const char *rel, const char *suffix, bento_strv *out)
{
	autofree char *path = xasprintf("%s/%s", appdir, rel);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name), s = suffix ? strlen(suffix) : 0;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (suffix && (n <= s || strcmp(de->d_name + n - s, suffix) != 0))
			continue;
		bento_strv_add(out, xstrdup(de->d_name));
	}
	closedir(d);
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), compare_strings);
}

/* The first of APPDIR/lib_dirs[i]/sub that is a directory, as a path
 * relative to the AppDir; NULL: none. */
static char *find_lib_subdir(const char *appdir, const char *sub)
{
	for (size_t i = 0; i < ARRAY_SIZE(lib_dirs); i++) {
		autofree char *rel = xasprintf("%s/%s", lib_dirs[i], sub);
		if (is_dir_at(appdir, rel))
			return steal_pointer(&rel);
	}
	return NULL;
}

/* A tool at /app/REL when the AppDir has it, else the host's at path. */
static char *pick_tool(const char *appdir, const char *const *image_rels, const char *host)
{
	for (; image_rels && *image_rels; image_rels++)
		if (is_file_at(appdir, *image_rels))
			return xasprintf("/app/%s", *image_rels);
	return access(host, X_OK) == 0 ? xstrdup(host) : NULL;
}

typedef struct step {
	const char *appdir;
	const bento_finish_options *o;
} step;

/* Runs argv in the sandbox; with out_rel, its standard output becomes
 * /app/OUT_REL.  A tool that fails is an error naming it and its output, or
 * with warn_only a warning. */
static int run_tool_step(const step *s, const char *what, char **argv, const char *out_rel,
                         bool warn_only, bento_error **err)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	autofree char *epoch_var =
	    xasprintf("SOURCE_DATE_EPOCH=%s", epoch && epoch[0] ? epoch : "0");
	char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C.UTF-8",
	                /* (set literals in .pyc files come out in one order) */
	                "PYTHONHASHSEED=0", epoch_var, NULL};
	bento_strv args = {0};
	autofree char *out_path = out_rel ? xasprintf("/app/%s", out_rel) : NULL;
	if (out_path) {
		bento_strv_add(&args, xstrdup("/bin/sh"));
		bento_strv_add(&args, xstrdup("-c"));
		bento_strv_add(&args, xstrdup("out=$1; shift; exec \"$@\" >\"$out\""));
		bento_strv_add(&args, xstrdup("sh"));
		bento_strv_add(&args, xstrdup(out_path));
	}
	for (char **a = argv; *a; a++)
		bento_strv_add(&args, xstrdup(*a));
	autofree char *output = NULL;
	int status = 0;
	int r = s->o->run(s->o->run_data, args.items, envp, &output, &status, err);
	bento_strv_free(&args);
	if (r < 0) {
		bento_error_prefix(err, "%s: %s", s->appdir, what);
		return -1;
	}
	if (status != 0 && warn_only) {
		bento_warn("%s: %s: %s failed (status %d):\n%s", s->appdir, what, argv[0], status,
		           output ? output : "");
		return 0;
	}
	if (status != 0)
		return bento_error_set(err, 0, "%s: %s: %s failed (status %d):\n%s", s->appdir,
		                       what, argv[0], status, output ? output : "");
	if (s->o->log)
		fprintf(s->o->log, "finish: %s\n", what);
	return 0;
}

static int run_step(const step *s, const char *what, char **argv, const char *out_rel,
                    bento_error **err)
{
	return run_tool_step(s, what, argv, out_rel, false, err);
}

/* ---- Python ---- */

static int python_compile(const step *s, bento_error **err)
{
	bento_strv libs = {0};
	list_dir(s->appdir, "lib", NULL, &libs);
	int r = 0;
	for (size_t i = 0; i < libs.count && r == 0; i++) {
		const char *v = libs.items[i];
		if (strncmp(v, "python3.", 8) != 0 ||
		    strspn(v + 8, "0123456789") != strlen(v + 8) || v[8] == '\0')
			continue;
		autofree char *lib_rel = xasprintf("lib/%s", v);
		if (!is_dir_at(s->appdir, lib_rel))
			continue;
		autofree char *bin_rel = xasprintf("bin/%s", v);
		autofree char *host = xasprintf("/usr/bin/%s", v);
		const char *image[] = {bin_rel, NULL};
		autofree char *python = pick_tool(s->appdir, image, host);
		if (python == NULL) {
			bento_warn(
			    "%s: lib/%s holds Python modules, but neither the image nor this "
			    "system has %s to byte-compile them: each launch will compile "
			    "them again",
			    s->appdir, v, v);
			continue;
		}
		bento_strv argv = {0};
		bento_strv_add(&argv, xstrdup(python));
		bento_strv_add(&argv, xstrdup("-s"));
		bento_strv_add(&argv, xstrdup("-m"));
		bento_strv_add(&argv, xstrdup("compileall"));
		bento_strv_add(&argv, xstrdup("-q"));
		bento_strv_add(&argv, xstrdup("-f"));
		bento_strv_add(&argv, xstrdup("--invalidation-mode"));
		bento_strv_add(&argv, xstrdup("unchecked-hash"));
		bento_strv_add(&argv, xasprintf("/app/%s", lib_rel));
		if (is_dir_at(s->appdir, "lib/python3"))
			bento_strv_add(&argv, xstrdup("/app/lib/python3"));
		autofree char *what = xasprintf("Python modules byte-compiled by %s", python);
		/* (a module that does not compile, as a package's Python 2
		 * leftovers, is Python's to report when it is imported: the
		 * others keep their byte code) */
		r = run_tool_step(s, what, argv.items, NULL, true, err);
		bento_strv_free(&argv);
	}
	bento_strv_free(&libs);
	return r;
}

/* ---- GLib, gdk-pixbuf, GTK ---- */

static int gsettings_schemas(const step *s, bento_strv *env, bento_error **err)
{
	static const char rel[] = "share/glib-2.0/schemas";
	bento_strv xml = {0};
	list_dir(s->appdir, rel, ".gschema.xml", &xml);
	size_t n = xml.count;
	bento_strv_free(&xml);
	if (n == 0)
		return 0;
	const char *image[] = {"bin/glib-compile-schemas", NULL};
	autofree char *tool = pick_tool(s->appdir, image, "/usr/bin/glib-compile-schemas");
	if (tool == NULL)
		return bento_error_set(err, 0,
		                       "%s: %s holds GSettings schemas, but there is no "
		                       "glib-compile-schemas to compile them (Debian: "
		                       "libglib2.0-bin)",
		                       s->appdir, rel);
	char *argv[] = {tool, "--strict", "/app/share/glib-2.0/schemas", NULL};
	if (run_step(s, "GSettings schemas compiled", argv, NULL, err) < 0)
		return -1;
	bento_strv_setenv(env, "GSETTINGS_SCHEMA_DIR", "/app/share/glib-2.0/schemas");
	return 0;
}

static int pixbuf_loaders(const step *s, bento_strv *env, bento_error **err)
{
	autofree char *base = find_lib_subdir(s->appdir, "gdk-pixbuf-2.0/2.10.0/loaders");
	if (base == NULL)
		return 0;
	bento_strv so = {0};
	list_dir(s->appdir, base, ".so", &so);
	if (so.count == 0) {
		bento_strv_free(&so);
		return 0;
	}
	autofree char *image_tool = xasprintf("%.*s/gdk-pixbuf-query-loaders",
	                                      (int)(strstr(base, "/2.10.0/") - base), base);
	const char *image[] = {image_tool, "bin/gdk-pixbuf-query-loaders", NULL};
	autofree char *tool = pick_tool(
	    s->appdir, image, "/usr/lib/" MULTIARCH "/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders");
	if (tool == NULL) {
		bento_strv_free(&so);
		return bento_error_set(err, 0,
		                       "%s: %s holds gdk-pixbuf loaders, but there is no "
		                       "gdk-pixbuf-query-loaders to list them (Debian: "
		                       "libgdk-pixbuf-2.0-0)",
		                       s->appdir, base);
	}
	/* The loaders named by their /app paths: the cache says where they
	 * are at run time. */
	bento_strv argv = {0};
	bento_strv_add(&argv, xstrdup(tool));
	for (size_t i = 0; i < so.count; i++)
		bento_strv_add(&argv, xasprintf("/app/%s/%s", base, so.items[i]));
	bento_strv_free(&so);
	autofree char *cache =
	    xasprintf("%.*s/loaders.cache", (int)(strrchr(base, '/') - base), base);
	int r = run_step(s, "gdk-pixbuf loaders cache written", argv.items, cache, err);
	bento_strv_free(&argv);
	if (r < 0)
		return -1;
	autofree char *file = xasprintf("/app/%s", cache);
	autofree char *dir = xasprintf("/app/%s", base);
	bento_strv_setenv(env, "GDK_PIXBUF_MODULE_FILE", file);
	bento_strv_setenv(env, "GDK_PIXBUF_MODULEDIR", dir);
	return 0;
}

static int gio_modules(const step *s, bento_strv *env, bento_error **err)
{
	autofree char *base = find_lib_subdir(s->appdir, "gio/modules");
	if (base == NULL)
		return 0;
	bento_strv so = {0};
	list_dir(s->appdir, base, ".so", &so);
	size_t n = so.count;
	bento_strv_free(&so);
	autofree char *dir = xasprintf("/app/%s", base);
	if (n > 0) {
		const char *image[] = {"lib/" MULTIARCH "/glib-2.0/gio-querymodules", NULL};
		autofree char *tool =
		    pick_tool(s->appdir, image, "/usr/lib/" MULTIARCH "/glib-2.0/gio-querymodules");
		if (tool == NULL)
			return bento_error_set(err, 0,
			                       "%s: %s holds GIO modules, but there is no "
			                       "gio-querymodules to list them (Debian: "
			                       "libglib2.0-bin)",
			                       s->appdir, base);
		char *argv[] = {tool, dir, NULL};
		if (run_step(s, "GIO modules listed", argv, NULL, err) < 0)
			return -1;
	}
	/* (the app's modules, and never the host's: a module built for
	 * another GLib may crash the app's) */
	bento_strv_setenv(env, "GIO_MODULE_DIR", dir);
	return 0;
}

static int gtk3(const step *s, bento_strv *env, bento_error **err)
{
	autofree char *base = find_lib_subdir(s->appdir, "gtk-3.0");
	if (base == NULL)
		return 0;
	autofree char *gtk_path = xasprintf("/app/%s", base);
	bento_strv_setenv(env, "GTK_PATH", gtk_path);
	autofree char *immodules = xasprintf("%s/3.0.0/immodules", base);
	bento_strv so = {0};
	list_dir(s->appdir, immodules, ".so", &so);
	if (so.count == 0) {
		bento_strv_free(&so);
		return 0;
	}
	const char *image[] = {"lib/" MULTIARCH "/libgtk-3-0/gtk-query-immodules-3.0",
	                       "bin/gtk-query-immodules-3.0", NULL};
	autofree char *tool = pick_tool(
	    s->appdir, image, "/usr/lib/" MULTIARCH "/libgtk-3-0/gtk-query-immodules-3.0");
	if (tool == NULL) {
		bento_strv_free(&so);
		bento_warn("%s: %s holds GTK input method modules, but there is no "
		           "gtk-query-immodules-3.0 to list them: they stay unused",
		           s->appdir, immodules);
		return 0;
	}
	bento_strv argv = {0};
	bento_strv_add(&argv, xstrdup(tool));
	for (size_t i = 0; i < so.count; i++)
		bento_strv_add(&argv, xasprintf("/app/%s/%s", immodules, so.items[i]));
	bento_strv_free(&so);
	autofree char *cache = xasprintf("%s/3.0.0/immodules.cache", base);
	int r = run_step(s, "GTK input method modules listed", argv.items, cache, err);
	bento_strv_free(&argv);
	if (r == 0) {
		autofree char *file = xasprintf("/app/%s", cache);
		bento_strv_setenv(env, "GTK_IM_MODULE_FILE", file);
	}
	return r;
}

static int icon_caches(const step *s, bento_error **err)
{
	bento_strv themes = {0};
	list_dir(s->appdir, "share/icons", NULL, &themes);
	int r = 0;
	for (size_t i = 0; i < themes.count && r == 0; i++) {
		/* (hicolor's icons come without its index.theme, which the host
		 * has: every theme directory gets its cache) */
		autofree char *theme = xasprintf("share/icons/%s", themes.items[i]);
		if (!is_dir_at(s->appdir, theme))
			continue;
		const char *image[] = {"bin/gtk-update-icon-cache", NULL};
		autofree char *tool = pick_tool(s->appdir, image, "/usr/bin/gtk-update-icon-cache");
		if (tool == NULL) {
			bento_warn("%s: no gtk-update-icon-cache (Debian: gtk-update-icon-cache): "
			           "the icon themes below share/icons have no cache",
			           s->appdir);
			break;
		}
		autofree char *dir = xasprintf("/app/share/icons/%s", themes.items[i]);
		autofree char *what = xasprintf("icon cache of %s written", dir);
		char *argv[] = {tool, "--quiet", "--force", "--ignore-theme-index", dir, NULL};
		r = run_step(s, what, argv, NULL, err);
	}
	bento_strv_free(&themes);
	return r;
}

static int mime_database(const step *s, bento_error **err)
{
	if (!is_dir_at(s->appdir, "share/mime/packages"))
		return 0;
	const char *image[] = {"bin/update-mime-database", NULL};
	autofree char *tool = pick_tool(s->appdir, image, "/usr/bin/update-mime-database");
	if (tool == NULL) {
		bento_warn("%s: no update-mime-database (Debian: shared-mime-info): share/mime "
		           "stays as it is",
		           s->appdir);
		return 0;
	}
	char *argv[] = {tool, "/app/share/mime", NULL};
	return run_step(s, "MIME database built", argv, NULL, err);
}

int bento_appdir_finish(const char *appdir, const bento_finish_options *o, bento_strv *env,
                        bento_error **err)
{
	step s = {.appdir = appdir, .o = o};
	if (o->python_compile && python_compile(&s, err) < 0)
		return -1;
	if (gsettings_schemas(&s, env, err) < 0 || pixbuf_loaders(&s, env, err) < 0 ||
	    gio_modules(&s, env, err) < 0 || gtk3(&s, env, err) < 0 || icon_caches(&s, err) < 0 ||
	    mime_database(&s, err) < 0)
		return -1;
	return 0;
}

/* ---- what will be the host's ---- */

#define MAX_HOST_PATH_WARNINGS 20
#define MAX_SCANNED_FILE (256u << 20)
#define MAX_SCAN_DEPTH 64

typedef struct scan {
	const char *appdir;
	bento_strv seen; /* "FILE\tPATH" reported, and the count beyond the limit */
	size_t more;
} scan;

/* Warns once per missing path (key), at most MAX_HOST_PATH_WARNINGS times;
 * message (owned) follows the AppDir's name. */
static void report(scan *sc, const char *key, char *message)
{
	autofree char *owned = message;
	for (size_t i = 0; i < sc->seen.count; i++)
		if (strcmp(sc->seen.items[i], key) == 0)
			return;
	bento_strv_add(&sc->seen, xstrdup(key));
	if (sc->seen.count > MAX_HOST_PATH_WARNINGS) {
		sc->more++;
		return;
	}
	bento_warn("%s: %s", sc->appdir, owned);
}

/* /usr/X (or /bin/X, /sbin/X) as the AppDir path X; NULL for other paths. */
static const char *image_rel(const char *path)
{
	if (strncmp(path, "/usr/", 5) == 0)
		return path + 5;
	if (strncmp(path, "/bin/", 5) == 0 || strncmp(path, "/sbin/", 6) == 0)
		return path + 1;
	return NULL;
}

static bool in_image(const char *appdir, const char *rel)
{
	autofree char *path = xasprintf("%s/%s", appdir, rel);
	struct stat st;
	return lstat(path, &st) == 0;
}

/* An interpreter the host is expected to have (the shells, env). */
static bool host_interpreter(const char *name)
{
	static const char *const host[] = {"sh", "bash", "dash", "env"};
	for (size_t i = 0; i < ARRAY_SIZE(host); i++)
		if (strcmp(name, host[i]) == 0)
			return true;
	return false;
}

static void check_interpreter(scan *sc, const char *rel, const char *data, size_t len)
{
	size_t eol = 2;
	while (eol < len && eol < 256 && data[eol] != '\n')
		eol++;
	autofree char *line = xasprintf("%.*s", (int)(eol - 2), data + 2);
	char *save = NULL;
	char *interp = strtok_r(line, " \t\r", &save);
	if (interp == NULL)
		return;
	const char *base = strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
	if (strcmp(base, "env") == 0) {
		/* #!/usr/bin/env NAME: NAME from PATH, /app/bin first */
		char *name = strtok_r(NULL, " \t\r", &save);
		while (name != NULL && name[0] == '-')
			name = strtok_r(NULL, " \t\r", &save);
		if (name == NULL || strchr(name, '/') || host_interpreter(name))
			return;
		autofree char *bin = xasprintf("bin/%s", name);
		if (!in_image(sc->appdir, bin))
			report(sc, bin,
			       xasprintf("%s: its interpreter (#!%s %s) is the host's: the image "
			                 "has no /app/bin/%s",
			                 rel, interp, name, name));
		return;
	}
	const char *irel = image_rel(interp);
	if (irel == NULL || host_interpreter(base) || in_image(sc->appdir, irel))
		return;
	report(sc, interp,
	       xasprintf("%s: its interpreter %s is the host's: the image has no /app/%s", rel,
	                 interp, irel));
}

/* A directory of the image's own that a missing path lies in: neither the
 * top (a program's /usr/lib/locale is the host's) nor lib/MULTIARCH. */
static bool own_directory(const char *appdir, const char *rel)
{
	autofree char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	static const char *const generic[] = {"lib",   "lib/" MULTIARCH, "share", "include",
	                                      "lib64", "local",          "etc"};
	for (size_t i = 0; i < ARRAY_SIZE(generic); i++)
		if (strcmp(dir, generic[i]) == 0)
			return false;
	return is_dir_at(appdir, dir);
}

static bool path_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '/' || ch == '.' || ch == '_' || ch == '-' || ch == '+';
}

static void check_usr_paths(scan *sc, const char *rel, const char *data, size_t len)
{
	for (const char *p = data; (p = memmem(p, len - (size_t)(p - data), "/usr/", 5));) {
		size_t n = 5;
		bool starts = p == data || !path_char(p[-1]);
		while (p + n < data + len && path_char(p[n]) && n < 512)
			n++;
		autofree char *path = xasprintf("%.*s", (int)n, p);
		p += n;
		while (strlen(path) > 5 && path[strlen(path) - 1] == '/')
			path[strlen(path) - 1] = '\0';
		const char *irel = image_rel(path);
		if (!starts || irel == NULL || host_interpreter(strrchr(path, '/') + 1) ||
		    strstr(path, "/.") || strstr(path, "//") || in_image(sc->appdir, irel) ||
		    !own_directory(sc->appdir, irel))
			continue;
		report(sc, path,
		       xasprintf("%s names %s, which will be the host's at run time: the image "
		                 "has no /app/%s",
		                 rel, path, irel));
	}
}

static void scan_file(scan *sc, int dir_fd, const char *name, const char *rel)
{
	autoclose int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 4 ||
	    (uint64_t)st.st_size > MAX_SCANNED_FILE)
		return;
	char head[4];
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		return;
	/* (a script only when it can be run: a library's module with a #!
	 * line is not) */
	bool script = head[0] == '#' && head[1] == '!' && (st.st_mode & 0111) != 0;
	bool elf = memcmp(head, "\177ELF", 4) == 0;
	if (!script && !elf)
		return;
	autofree char *data = xmalloc((size_t)st.st_size);
	if (bento_pread_all(fd, data, (size_t)st.st_size, 0) != (ssize_t)st.st_size)
		return;
	if (script)
		check_interpreter(sc, rel, data, (size_t)st.st_size);
	check_usr_paths(sc, rel, data, (size_t)st.st_size);
}

/* Scans the directory fd (rel in the AppDir; the descriptor is consumed). */
static void scan_tree(scan *sc, int fd, const char *rel, int depth)
{
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	bento_strv names = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			bento_strv_add(&names, xstrdup(de->d_name));
	if (names.count > 1)
		qsort(names.items, names.count, sizeof(*names.items), compare_strings);
	for (size_t i = 0; i < names.count; i++) {
		struct stat st;
		autofree char *sub =
		    rel[0] ? xasprintf("%s/%s", rel, names.items[i]) : xstrdup(names.items[i]);
		if (fstatat(dirfd(d), names.items[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* (Python's standard library has executable modules with #! lines,
		 * which the app imports and never runs) */
		bool skipped =
		    strcmp(sub, "lib/debug") == 0 || strncmp(sub, "lib/python3", 11) == 0;
		if (S_ISDIR(st.st_mode) && depth < MAX_SCAN_DEPTH && !skipped)
			scan_tree(sc,
			          openat(dirfd(d), names.items[i],
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
			          sub, depth + 1);
		else if (S_ISREG(st.st_mode))
			scan_file(sc, dirfd(d), names.items[i], sub);
	}
	bento_strv_free(&names);
	closedir(d);
}

void bento_appdir_warn_host_paths(const char *appdir)
{
	scan sc = {.appdir = appdir};
	scan_tree(&sc, open(appdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "", 0);
	if (sc.more > 0)
		bento_warn("%s: ... and %zu more paths that will be the host's", appdir, sc.more);
	bento_strv_free(&sc.seen);
}
