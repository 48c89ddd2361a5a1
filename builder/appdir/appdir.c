/* SPDX-License-Identifier: MIT */
#include "appdir/appdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keyfile.h"
#include "core/util.h"

#define MAX_SYMLINK_HOPS 40

void bento_appdir_info_clear(bento_appdir_info *info)
{
	free(info->icon_file);
	free(info->desktop_file);
}

static int open_appdir(const char *appdir, bento_error **err)
{
	int fd = open(appdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return bento_error_set(err, errno, "%s: the AppDir does not exist", appdir);
	if (errno == ENOTDIR)
		return bento_error_set(err, errno, "%s: the AppDir is not a directory", appdir);
	return bento_error_errno(err, "%s: cannot open the AppDir", appdir);
}

/* Follows the symbolic link AppRun the way it will be followed inside the
 * image: every target must be relative (an absolute one would point into the
 * host) and the end must lie inside the AppDir. */
static int resolve_apprun_link(const char *appdir, struct stat *st, bento_error **err)
{
	autofree char *root = realpath(appdir, NULL);
	autofree char *path = xasprintf("%s/AppRun", appdir);
	if (root == NULL)
		return bento_error_errno(err, "%s: cannot resolve the AppDir's path", appdir);
	for (int hops = 0;; hops++) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0 && errno == EINVAL)
			break; /* not a symbolic link: the end of the chain */
		if (n < 0 && errno == ENOENT)
			return bento_error_set(err, ENOENT,
			                       "%s: AppRun is a dangling symbolic link", appdir);
		if (n < 0)
			return bento_error_errno(err, "%s: cannot follow the symbolic link AppRun",
			                         appdir);
		if (hops == MAX_SYMLINK_HOPS)
			return bento_error_set(err, ELOOP, "%s: AppRun is a loop of symbolic links",
			                       appdir);
		target[n] = '\0';
		if (target[0] == '/')
			return bento_error_set(err, 0,
			                       "%s: AppRun is a symbolic link to the absolute path "
			                       "%s, which points outside the AppDir",
			                       appdir, target);
		size_t dir_len = (size_t)(strrchr(path, '/') - path);
		char *next = xasprintf("%.*s/%s", (int)dir_len, path, target);
		free(path);
		path = next;
	}
	autofree char *real = realpath(path, NULL);
	if (real == NULL && errno == ENOENT)
		return bento_error_set(err, ENOENT, "%s: AppRun is a dangling symbolic link",
		                       appdir);
	if (real == NULL || stat(real, st) < 0)
		return bento_error_errno(err, "%s: cannot follow the symbolic link AppRun", appdir);
	if (!bento_path_is_under(real, root))
		return bento_error_set(err, 0,
		                       "%s: AppRun is a symbolic link that points outside the "
		                       "AppDir (to %s)",
		                       appdir, real);
	return 0;
}

static int check_apprun(const char *appdir, int dir_fd, bento_error **err)
{
	struct stat st;
	if (fstatat(dir_fd, "AppRun", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return bento_error_set(
			    err, ENOENT,
			    "%s: AppRun is missing (the AppDir's entry point, an "
			    "executable at its top level)",
			    appdir);
		return bento_error_errno(err, "%s: cannot stat AppRun", appdir);
	}
	if (S_ISLNK(st.st_mode) && resolve_apprun_link(appdir, &st, err) < 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "%s: AppRun is not a regular file", appdir);
	if ((st.st_mode & 0111) == 0)
		return bento_error_set(err, 0, "%s: AppRun is not executable (chmod +x it)",
		                       appdir);
	return 0;
}

static bool is_desktop_file_name(const char *name)
{
	static const char suffix[] = ".desktop";
	size_t len = strlen(name), slen = sizeof(suffix) - 1;
	/* As the shell glob *.desktop: hidden files do not count. */
	return name[0] != '.' && len > slen && strcmp(name + len - slen, suffix) == 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct name_list {
	char **names;
	size_t n;
} name_list;

static void name_list_clear(name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

static int list_desktop_files(const char *appdir, int dir_fd, name_list *out, bento_error **err)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return bento_error_errno(err, "%s: cannot read the AppDir", appdir);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_desktop_file_name(de->d_name))
			continue;
		out->names = realloc(out->names, (out->n + 1) * sizeof(*out->names));
		if (out->names == NULL)
			abort();
		out->names[out->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (out->n > 1) /* (none found: no array to sort) */
		qsort(out->names, out->n, sizeof(*out->names), compare_strings);
	return 0;
}

static char *find_desktop_file(const char *appdir, int dir_fd, bento_error **err)
{
	__attribute__((cleanup(name_list_clear))) name_list l = {0};
	if (list_desktop_files(appdir, dir_fd, &l, err) < 0)
		return NULL;
	if (l.n == 0) {
		bento_error_set(
		    err, 0, "%s: no .desktop file at the top level (exactly one needed)", appdir);
		return NULL;
	}
	if (l.n > 1) {
		bento_error_set(err, 0,
		                "%s: %zu .desktop files at the top level (%s, %s%s); exactly one "
		                "needed",
		                appdir, l.n, l.names[0], l.names[1], l.n > 2 ? ", ..." : "");
		return NULL;
	}
	return steal_pointer(&l.names[0]);
}

static char *read_icon_name(const char *appdir, int dir_fd, const char *desktop, bento_error **err)
{
	autofree char *data = NULL;
	size_t len = 0;
	auto_bento_keyfile kf = NULL;
	autofree char *label = xasprintf("%s/%s", appdir, desktop);
	if (bento_read_file_at(dir_fd, desktop, 1 << 20, &data, &len, err) < 0 ||
	    bento_keyfile_parse(label, data, len, &kf, err) < 0) {
		bento_error_prefix(err, "%s", appdir);
		return NULL;
	}
	const char *value = bento_keyfile_get(kf, "Desktop Entry", "Icon");
	autofree char *icon = value ? xstrdup(value) : NULL;
	if (icon == NULL || icon[0] == '\0') {
		bento_error_set(err, 0, "%s: %s has no Icon= key in its [Desktop Entry] group",
		                appdir, desktop);
		return NULL;
	}
	if (strchr(icon, '/') != NULL) {
		bento_error_set(err, 0,
		                "%s: %s: Icon=%s must be an icon name (a file ICON.png, .svg, "
		                ".svgz or .xpm at the top level), not a path",
		                appdir, desktop, icon);
		return NULL;
	}
	return steal_pointer(&icon);
}

static char *find_icon_file(const char *appdir, int dir_fd, const char *icon, bento_error **err)
{
	static const char *const exts[] = {".png", ".svg", ".svgz", ".xpm"};
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		autofree char *name = xasprintf("%s%s", icon, exts[i]);
		struct stat st;
		if (fstatat(dir_fd, name, &st, 0) == 0 && S_ISREG(st.st_mode))
			return steal_pointer(&name);
	}
	bento_error_set(err, 0,
	                "%s: the icon is missing: Icon=%s, but there is no %s.png, %s.svg, %s.svgz "
	                "or %s.xpm at the top level%s",
	                appdir, icon, icon, icon, icon, icon,
	                strchr(icon, '.') ? " (Icon= takes a name without extension)" : "");
	return NULL;
}

int bento_appdir_check(const char *appdir, bento_appdir_info *info, bento_error **err)
{
	autoclose int dir_fd = open_appdir(appdir, err);
	if (dir_fd < 0 || check_apprun(appdir, dir_fd, err) < 0)
		return -1;
	autofree char *desktop = find_desktop_file(appdir, dir_fd, err);
	if (desktop == NULL)
		return -1;
	autofree char *icon = read_icon_name(appdir, dir_fd, desktop, err);
	if (icon == NULL)
		return -1;
	info->icon_file = find_icon_file(appdir, dir_fd, icon, err);
	if (info->icon_file == NULL)
		return -1;
	struct stat st;
	info->has_diricon = fstatat(dir_fd, ".DirIcon", &st, AT_SYMLINK_NOFOLLOW) == 0;
	info->desktop_file = steal_pointer(&desktop);
	return 0;
}
