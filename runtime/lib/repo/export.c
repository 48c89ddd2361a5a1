/* SPDX-License-Identifier: MIT */
/* The desktop's view of installed apps: each app's desktop entry, its
 * command made `bento run ID`, and its icon, in the user's data directory
 * (or /usr/local/share for the system installation), where menus find
 * them.  A desktop file bento did not write (it has no X-Bento-Installation
 * key) is never overwritten nor removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "core/util.h"
#include "repo/repo_private.h"

#define DESKTOP_MAX (256 * 1024)
#define ICON_MAX (8 * 1024 * 1024)
#define MARKER "X-Bento-Installation="

/* $XDG_DATA_HOME, or /usr/local/share ($BENTO_SYSTEM_EXPORT_DIR). */
static char *share_dir(const bento_inst *inst)
{
	if (inst->system) {
		const char *dir = getenv("BENTO_SYSTEM_EXPORT_DIR");
		return xstrdup(dir && dir[0] == '/' ? dir : "/usr/local/share");
	}
	autofree char *bento = bento_state_dir(BENTO_STATE_DATA, NULL);
	/* bento_state_dir's answer is DATA/bento. */
	*strrchr(bento, '/') = '\0';
	return steal_pointer(&bento);
}

static char *desktop_path(const bento_inst *inst, const char *app_id)
{
	autofree char *share = share_dir(inst);
	return xasprintf("%s/applications/%s.desktop", share, app_id);
}

/* 1 when path is a desktop file bento exported, 0 when it is absent,
 * -1 when someone else's. */
static int exported_by_bento(const char *path)
{
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_read_file_if_present(path, DESKTOP_MAX, &data, &len, NULL);
	if (found == 0)
		return 0;
	return found > 0 && (strncmp(data, MARKER, strlen(MARKER)) == 0 ||
	                     strstr(data, "\n" MARKER) != NULL)
	           ? 1
	           : -1;
}

/* Writes len bytes to path atomically (temporary file, fsync, rename). */
static int write_bytes(const char *path, const char *data, size_t len, mode_t mode,
                       bento_error **err)
{
	autofree char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (bento_mkdir_p(dir, 0755, err) < 0)
		return -1;
	autofree char *tmp = xasprintf("%s.bento-XXXXXX", path);
	autoclose int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "%s", tmp);
	if (bento_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		unlink(tmp);
		return bento_error_errno(err, "%s", path);
	}
	return 0;
}

/* The key of a key file line ("Exec" of "Exec = x", "Name[de]" of
 * "Name[de]=y"), as GLib reads it: spaces around it do not count; NULL for
 * a comment, a group or a line without '='. */
static char *line_key(const char *line)
{
	const char *eq = strchr(line, '=');
	if (line[0] == '#' || line[0] == '[' || eq == NULL)
		return NULL;
	const char *start = line, *end = eq;
	while (*start == ' ' || *start == '\t')
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return xasprintf("%.*s", (int)(end - start), start);
}

/* The field codes of an Exec value that pass files or URLs (%f %F %u %U):
 * the only arguments the exported command keeps, since the rest was meant
 * for a command inside the app and a launcher must not be handed more. */
static void field_codes(const char *value, GString *out)
{
	for (const char *p = strchr(value, '%'); p; p = strchr(p + 1, '%'))
		if (strchr("fFuU", p[1]) && p[1] && (p[2] == ' ' || p[2] == '\0'))
			g_string_append_printf(out, " %%%c", p[1]);
}

/* The desktop entry with every command made `bento run ID` (with the
 * original's field codes), TryExec and D-Bus activation dropped, the
 * exported icon's name, and the marker.  Each key is compared as a
 * launcher reads it (line_key), so that "Exec = x" is no way around. */
static char *rewrite_desktop(const char *data, const char *app_id, bool system, bool icon)
{
	GString *out = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	bool in_entry = false;
	for (char **l = lines; *l; l++) {
		const char *line = *l;
		if (line[0] == '\0' && l[1] == NULL)
			break;
		if (line[0] == '[') {
			in_entry = strcmp(line, "[Desktop Entry]") == 0;
			g_string_append_printf(out, "%s\n", line);
			if (in_entry)
				g_string_append_printf(out, MARKER "%s\n",
				                       system ? "system" : "user");
			continue;
		}
		autofree char *key = line_key(line);
		if (key == NULL) {
			if (line[0] == '#' || line[0] == '\0')
				g_string_append_printf(out, "%s\n", line);
			continue;
		}
		if (strcmp(key, "Exec") == 0) {
			g_string_append_printf(out, "Exec=bento run %s", app_id);
			field_codes(strchr(line, '=') + 1, out);
			g_string_append_c(out, '\n');
			continue;
		}
		if (strncmp(key, "Exec", 4) == 0 || strncmp(key, "TryExec", 7) == 0 ||
		    strcmp(key, "DBusActivatable") == 0 || strncmp(key, "X-Bento-", 8) == 0)
			continue;
		if (in_entry && icon && strcmp(key, "Icon") == 0) {
			g_string_append_printf(out, "Icon=%s\n", app_id);
			continue;
		}
		g_string_append_printf(out, "%s\n", line);
	}
	return g_string_free(out, FALSE);
}

/* The value of Icon= in the [Desktop Entry] group, if a plain name. */
static char *icon_name(const char *data)
{
	const char *p = strstr(data, "\nIcon=");
	if (p == NULL)
		return NULL;
	p += 6;
	size_t n = strcspn(p, "\n");
	char *name = xasprintf("%.*s", (int)n, p);
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') || n > 200) {
		free(name);
		return NULL;
	}
	return name;
}

/* "scalable" for an SVG, "WxH" from a PNG's header, or NULL. */
static char *icon_size(const char *data, size_t len, bool svg)
{
	if (svg)
		return xstrdup("scalable");
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (len < 24 || memcmp(data, png, 8) != 0)
		return NULL;
	const unsigned char *u = (const unsigned char *)data;
	uint32_t w = (uint32_t)u[16] << 24 | (uint32_t)u[17] << 16 | (uint32_t)u[18] << 8 | u[19];
	uint32_t h = (uint32_t)u[20] << 24 | (uint32_t)u[21] << 16 | (uint32_t)u[22] << 8 | u[23];
	if (w == 0 || w > 1024 || h == 0 || h > 1024)
		return NULL;
	return xasprintf("%ux%u", w, h);
}

/* Exports the deployment's icon NAME.png or NAME.svg (its top directory,
 * as AppImage keeps it) as hicolor/SIZE/apps/ID.EXT; true when done. */
static bool export_icon(const bento_inst *inst, const char *root, const char *name,
                        const char *app_id)
{
	static const char *const exts[] = {"png", "svg"};
	autofree char *share = share_dir(inst);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		autofree char *src = xasprintf("%s/%s.%s", root, name, exts[i]);
		struct stat st;
		if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ICON_MAX)
			continue;
		autofree char *data = NULL;
		size_t len = 0;
		if (bento_read_file_at(AT_FDCWD, src, ICON_MAX, &data, &len, NULL) < 0)
			continue;
		autofree char *size = icon_size(data, len, i == 1);
		if (size == NULL)
			continue;
		autofree char *dst =
		    xasprintf("%s/icons/hicolor/%s/apps/%s.%s", share, size, app_id, exts[i]);
		auto_bento_error err = NULL;
		if (write_bytes(dst, data, len, 0644, &err) < 0) {
			bento_warn("%s", err->message);
			continue;
		}
		return true;
	}
	return false;
}

/* The deployment's desktop entry: ID.desktop at its top, as Flatpak names
 * it, else the first regular *.desktop there (AppImage's), or NULL. */
static char *find_desktop(const bento_deployment *d)
{
	char *path = xasprintf("%s/%s.desktop", d->path, d->app_id);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		return path;
	free(path);
	path = NULL;
	DIR *dir = opendir(d->path);
	struct dirent *e;
	while (dir && path == NULL && (e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n <= 8 || strcmp(e->d_name + n - 8, ".desktop") != 0)
			continue;
		char *candidate = xasprintf("%s/%s", d->path, e->d_name);
		if (lstat(candidate, &st) == 0 && S_ISREG(st.st_mode))
			path = candidate;
		else
			free(candidate);
	}
	if (dir)
		closedir(dir);
	return path;
}

int bento_export_app(bento_inst *inst, const bento_deployment *d, bento_error **err)
{
	autofree char *src = find_desktop(d);
	autofree char *data = NULL;
	size_t len = 0;
	if (src == NULL)
		return 0; /* an app without a desktop entry has nothing to show */
	if (bento_read_file_at(AT_FDCWD, src, DESKTOP_MAX, &data, &len, err) < 0)
		return -1;
	if (strlen(data) != len)
		return bento_error_set(err, EINVAL, "%s: holds a NUL byte", src);
	autofree char *dst = desktop_path(inst, d->app_id);
	if (exported_by_bento(dst) < 0) {
		bento_warn("%s exists and bento did not write it: left as it is", dst);
		return 0;
	}
	autofree char *icon = icon_name(data);
	bool icon_done = icon && export_icon(inst, d->path, icon, d->app_id);
	g_autofree char *text = rewrite_desktop(data, d->app_id, inst->system, icon_done);
	return write_bytes(dst, text, strlen(text), 0644, err);
}

void bento_unexport_app(bento_inst *inst, const char *app_id)
{
	autofree char *desktop = desktop_path(inst, app_id);
	if (exported_by_bento(desktop) <= 0)
		return;
	unlink(desktop);
	autofree char *share = share_dir(inst);
	autofree char *hicolor = xasprintf("%s/icons/hicolor", share);
	DIR *d = opendir(hicolor);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		static const char *const exts[] = {"png", "svg"};
		for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
			autofree char *icon =
			    xasprintf("%s/%s/apps/%s.%s", hicolor, e->d_name, app_id, exts[i]);
			unlink(icon);
		}
	}
	if (d)
		closedir(d);
}
