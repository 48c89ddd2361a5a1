/* SPDX-License-Identifier: MIT */
#include "appdir/desktop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "util/beneath.h"
#include "util/tool.h"

#define MAX_TEXT_FILE (1 << 20) /* a desktop entry or a metainfo file */
#define MAX_FIELD 4096          /* one field of bento_desktop_info */

/* ---------------------------------------------------------------- validators */

/* Prints a validator's output on log, each line indented. */
static void print_report(FILE *log, const char *what, const char *output)
{
	if (log == NULL || output[0] == '\0')
		return;
	fprintf(log, "%s:\n", what);
	for (const char *p = output; *p;) {
		const char *eol = strchrnul(p, '\n');
		if (eol > p)
			fprintf(log, "  %.*s\n", (int)(eol - p), p);
		p = *eol ? eol + 1 : eol;
	}
}

static int run_validator(char *const argv[], const char *path, const char *tool, FILE *log,
                         bento_error **err)
{
	autofree char *output = NULL;
	int status;
	if (bento_run_tool(argv, &output, &status, err) < 0)
		return -1;
	/* (the validator's own last newline is not part of the message) */
	size_t len = strlen(output);
	while (len > 0 && output[len - 1] == '\n')
		output[--len] = '\0';
	if (status != 0)
		return bento_error_set(err, 0, "%s: %s rejects it (status %d):\n%s", path, tool,
		                       status, output);
	autofree char *what = xasprintf("%s: %s", path, tool);
	print_report(log, what, output);
	return 0;
}

int bento_desktop_validate_entry(const char *path, FILE *log, bento_error **err)
{
	char *argv[] = {"desktop-file-validate", (char *)path, NULL};
	return run_validator(argv, path, "desktop-file-validate", log, err);
}

int bento_desktop_validate_metainfo(const char *path, FILE *log, bento_error **err)
{
	char *argv[] = {"appstreamcli", "validate", "--no-net", (char *)path, NULL};
	return run_validator(argv, path, "appstreamcli validate", log, err);
}

int bento_desktop_validate_metainfo_dir(const char *appdir, FILE *log, bento_error **err)
{
	autofree char *dir = xasprintf("%s/share/metainfo", appdir);
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 4 || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		autofree char *path = xasprintf("%s/%s", dir, de->d_name);
		rc = bento_desktop_validate_metainfo(path, log, err);
	}
	closedir(d);
	return rc;
}

/* ---------------------------------------------------------------- fields */

/* A field of the manifest that goes into a generated file: one line of at most
 * MAX_FIELD bytes, no control character. */
static int check_field(const char *what, const char *value, bool required, bento_error **err)
{
	if (value == NULL || value[0] == '\0') {
		if (required)
			return bento_error_set(err, 0, "the app's %s is missing", what);
		return 0;
	}
	if (strlen(value) > MAX_FIELD)
		return bento_error_set(err, 0, "the app's %s is longer than %d bytes", what,
		                       MAX_FIELD);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return bento_error_set(
			    err, 0, "the app's %s has a control character (byte 0x%02x)", what, *p);
	return 0;
}

/* The id names files: ID.desktop, ID.png, ID.metainfo.xml. */
static int check_id(const char *id, bento_error **err)
{
	if (id == NULL || id[0] == '\0')
		return bento_error_set(err, 0, "the app id is missing");
	if (strlen(id) > 255 || id[0] == '.' || id[0] == '-' ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
	        strlen(id))
		return bento_error_set(err, 0,
		                       "app id '%s': only letters, digits, '.', '_' and '-' (not "
		                       "first), at most 255 bytes",
		                       id);
	return 0;
}

/* The command as a path relative to the AppDir: "bin/foo" or "/app/bin/foo"
 * give "bin/foo"; no empty, "." or ".." element. */
static char *command_path(const char *command, bento_error **err)
{
	if (check_field("command", command, true, err) < 0)
		return NULL;
	const char *rel = command;
	if (strncmp(rel, "/app/", 5) == 0)
		rel += 5;
	else if (rel[0] == '/') {
		bento_error_set(err, 0,
		                "command %s: an absolute command must lie below /app (the AppDir)",
		                command);
		return NULL;
	}
	for (const char *p = rel;;) {
		const char *slash = strchrnul(p, '/');
		size_t n = (size_t)(slash - p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			bento_error_set(
			    err, 0,
			    "command %s: a path inside the AppDir without empty, '.' or "
			    "'..' elements",
			    command);
			return NULL;
		}
		if (*slash == '\0')
			break;
		p = slash + 1;
	}
	return xstrdup(rel);
}

/* Appends s to *buf as a desktop entry string value (backslash escaped). */
static void append_desktop_string(char **buf, const char *s)
{
	size_t len = strlen(*buf);
	char *out = xmalloc(len + 2 * strlen(s) + 1);
	memcpy(out, *buf, len);
	for (; *s; s++) {
		if (*s == '\\')
			out[len++] = '\\';
		out[len++] = *s;
	}
	out[len] = '\0';
	free(*buf);
	*buf = out;
}

/* Appends s to *buf with XML's special characters escaped. */
static void append_xml(char **buf, const char *s)
{
	size_t len = strlen(*buf);
	char *out = xmalloc(len + 6 * strlen(s) + 1);
	memcpy(out, *buf, len);
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&apos;";
			break;
		default:
			out[len++] = *s;
			continue;
		}
		memcpy(out + len, rep, strlen(rep));
		len += strlen(rep);
	}
	out[len] = '\0';
	free(*buf);
	*buf = out;
}

static void append(char **buf, const char *s)
{
	char *out = xasprintf("%s%s", *buf, s);
	free(*buf);
	*buf = out;
}

/* ---------------------------------------------------------------- generated files */

/* "KEY=a;b;\n" for a list of strings (nothing for an empty list); an item
 * with a ';' (the separator) or a '\\' is refused. */
static int append_list(char **buf, const char *key, const char *what, const char *const *items,
                       bento_error **err)
{
	if (items == NULL || items[0] == NULL)
		return 0;
	append(buf, key);
	append(buf, "=");
	for (const char *const *p = items; *p; p++) {
		if (check_field(what, *p, true, err) < 0)
			return -1;
		if (strpbrk(*p, ";\\"))
			return bento_error_set(err, 0, "the app's %s \"%s\" has a ';' or a '\\'",
			                       what, *p);
		append(buf, *p);
		append(buf, ";");
	}
	append(buf, "\n");
	return 0;
}

/* The icon of a terminal app that has none: a terminal window with a
 * prompt. */
static const char terminal_icon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" "
    "viewBox=\"0 0 64 64\">\n"
    "  <rect x=\"4\" y=\"8\" width=\"56\" height=\"48\" rx=\"6\" fill=\"#2e3436\"/>\n"
    "  <rect x=\"4\" y=\"8\" width=\"56\" height=\"9\" rx=\"4\" fill=\"#555753\"/>\n"
    "  <path d=\"M14 26 l10 8 l-10 8\" fill=\"none\" stroke=\"#8ae234\" "
    "stroke-width=\"4\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>\n"
    "  <path d=\"M30 44 h16\" stroke=\"#eeeeec\" stroke-width=\"4\" "
    "stroke-linecap=\"round\"/>\n"
    "</svg>\n";

/* The Exec= word that starts the command: its file name, quoted when it has
 * characters the desktop entry specification reserves. */
static char *exec_word(const char *rel, bento_error **err)
{
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (strpbrk(base, "\"`$\\%=") != NULL) {
		bento_error_set(err, 0,
		                "command %s: a generated desktop entry cannot start a file name "
		                "with \", `, $, \\, %% or =",
		                rel);
		return NULL;
	}
	if (strpbrk(base, " \t'><~|&;*?#()") != NULL)
		return xasprintf("\"%s\"", base);
	return xstrdup(base);
}

static char *generate_desktop(const bento_desktop_info *info, const char *rel, const char *icon,
                              bento_error **err)
{
	const char *cats = info->categories ? info->categories : "Utility;";
	if (check_field("categories", cats, true, err) < 0)
		return NULL;
	autofree char *exec = exec_word(rel, err);
	if (exec == NULL)
		return NULL;
	char *s = xstrdup("[Desktop Entry]\nType=Application\nName=");
	append_desktop_string(&s, info->name);
	append(&s, "\n");
	if (info->summary && info->summary[0]) {
		append(&s, "Comment=");
		append_desktop_string(&s, info->summary);
		append(&s, "\n");
	}
	append(&s, "Exec=");
	append_desktop_string(&s, exec);
	/* (an app that opens files takes them as arguments) */
	if (info->mime_types && info->mime_types[0])
		append(&s, " %F");
	append(&s, "\nIcon=");
	append(&s, icon);
	append(&s, "\nCategories=");
	append_desktop_string(&s, cats);
	if (cats[strlen(cats) - 1] != ';')
		append(&s, ";");
	append(&s, info->terminal ? "\nTerminal=true\n" : "\nTerminal=false\n");
	if (append_list(&s, "Keywords", "keyword", info->keywords, err) < 0 ||
	    append_list(&s, "MimeType", "MIME type", info->mime_types, err) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static bool valid_date(const char *d)
{
	/* YYYY-MM-DD */
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return false;
	int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static char *generate_metainfo(const bento_desktop_info *info, bento_error **err)
{
	if (check_field("summary", info->summary, true, err) < 0 ||
	    check_field("license", info->license, false, err) < 0 ||
	    check_field("version", info->version, false, err) < 0 ||
	    check_field("release date", info->release_date, false, err) < 0)
		return NULL;
	if (info->release_date && info->release_date[0] && !valid_date(info->release_date)) {
		bento_error_set(err, 0, "release date %s: YYYY-MM-DD expected", info->release_date);
		return NULL;
	}
	char *s = xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                  "<component type=\"desktop-application\">\n  <id>");
	append_xml(&s, info->id);
	append(&s, "</id>\n  <metadata_license>CC0-1.0</metadata_license>\n");
	if (info->license && info->license[0]) {
		append(&s, "  <project_license>");
		append_xml(&s, info->license);
		append(&s, "</project_license>\n");
	}
	append(&s, "  <name>");
	append_xml(&s, info->name);
	append(&s, "</name>\n  <summary>");
	append_xml(&s, info->summary);
	append(&s, "</summary>\n  <description>\n    <p>");
	append_xml(&s, info->summary);
	append(&s, "</p>\n  </description>\n  <launchable type=\"desktop-id\">");
	append_xml(&s, info->id);
	append(&s, ".desktop</launchable>\n");
	if (info->version && info->version[0] && info->release_date && info->release_date[0]) {
		append(&s, "  <releases>\n    <release version=\"");
		append_xml(&s, info->version);
		append(&s, "\" date=\"");
		append(&s, info->release_date);
		append(&s, "\"/>\n  </releases>\n");
	}
	append(&s, "</component>\n");
	return s;
}

/* ---------------------------------------------------------------- installing */

/* A file the app gives (icon, desktop entry, metainfo), opened: a host
 * path as it is, a path inside the AppDir beneath it.  label names it in
 * messages ("/app/share/icons/foo.svg"); path opens the same file again
 * ("/proc/self/fd/N" for one in the AppDir, so that nothing resolves the
 * name a second time). */
typedef struct given_file {
	int fd; /* -1: not given */
	char *label;
	char *path;
} given_file;

static void given_file_clear(given_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->label);
	free(f->path);
	*f = (given_file){.fd = -1};
}

/* openat2(2) with RESOLVE_BENEATH: symbolic links are followed while they
 * stay below the AppDir; an absolute link, a ".." above it or a magic link
 * fails with EXDEV or ELOOP. */
static int open_beneath(int dir_fd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
}

static int open_given(int dir_fd, const char *what, const char *path, bool in_appdir,
                      given_file *out, bento_error **err)
{
	*out = (given_file){.fd = -1};
	if (path == NULL)
		return 0;
	autofree char *label = in_appdir ? xasprintf("/app/%s", path) : xstrdup(path);
	int fd = in_appdir ? open_beneath(dir_fd, path)
	                   : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && in_appdir && (errno == EXDEV || errno == ELOOP))
		return bento_error_set(err, 0,
		                       "the %s %s leads outside the AppDir (through \"..\" or a "
		                       "symbolic link that leaves /app), refused",
		                       what, label);
	if (fd < 0)
		return bento_error_errno(err, "the %s %s", what, label);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bento_error_set(err, 0, "the %s %s is not a regular file", what, label);
	}
	out->fd = fd;
	out->label = steal_pointer(&label);
	out->path = in_appdir ? xasprintf("/proc/self/fd/%d", fd) : xstrdup(path);
	return 0;
}

/* A given text file, read whole (at most MAX_TEXT_FILE bytes, no NUL). */
static char *read_text(const given_file *f, const char *what, bento_error **err)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, f->path, MAX_TEXT_FILE, &data, &len, err) < 0) {
		bento_error_prefix(err, "the %s %s", what, f->label);
		return NULL;
	}
	if (strlen(data) != len) {
		bento_error_set(err, 0, "%s: the %s has a NUL byte", f->label, what);
		return NULL;
	}
	return steal_pointer(&data);
}

/* The Icon= name of a given desktop entry (strictly parsed). */
static char *desktop_icon_name(const char *path, const char *text, bento_error **err)
{
	auto_bento_keyfile kf = NULL;
	if (bento_keyfile_parse(path, text, strlen(text), &kf, err) < 0)
		return NULL;
	const char *icon = bento_keyfile_get(kf, "Desktop Entry", "Icon");
	if (icon == NULL || icon[0] == '\0') {
		bento_error_set(err, 0, "%s: no Icon= key in its [Desktop Entry] group", path);
		return NULL;
	}
	if (strchr(icon, '/') != NULL || icon[0] == '.') {
		bento_error_set(err, 0,
		                "%s: Icon=%s must be an icon name (the icon is installed as "
		                "NAME.png or NAME.svg beside it), not a path",
		                path, icon);
		return NULL;
	}
	return xstrdup(icon);
}

/* ".png" or ".svg" from the icon's first bytes (".svg" for the generated
 * one of a terminal app). */
static const char *icon_type(const given_file *icon, bool terminal, bento_error **err)
{
	if (icon->fd < 0 && terminal)
		return ".svg";
	if (icon->fd < 0) {
		bento_error_set(err, 0, "the app's icon is missing");
		return NULL;
	}
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char head[4096];
	const char *path = icon->label;
	ssize_t n = bento_pread_all(icon->fd, head, sizeof(head) - 1, 0);
	if (n < 0) {
		bento_error_errno(err, "cannot read the icon %s", path);
		return NULL;
	}
	if (n >= 8 && memcmp(head, png, 8) == 0)
		return ".png";
	head[n] = '\0';
	if (memchr(head, '\0', (size_t)n) == NULL && strstr(head, "<svg") != NULL)
		return ".svg";
	bento_error_set(err, 0, "the icon %s is neither a PNG nor an SVG image", path);
	return NULL;
}

/* Makes the symbolic link name -> target at the AppDir's top level unless
 * name exists. */
static int link_unless_present(int dir_fd, const char *appdir, const char *name, const char *target,
                               FILE *log, bento_error **err)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (symlinkat(target, dir_fd, name) < 0)
		return bento_error_errno(err, "%s: cannot create %s", appdir, name);
	if (log)
		fprintf(log, "%s -> %s\n", name, target);
	return 0;
}

/* The command exists, inside the AppDir, and is executable: AppRun will be a
 * symbolic link to it. */
static int check_command(const char *appdir, const char *rel, bento_error **err)
{
	autofree char *root = realpath(appdir, NULL);
	autofree char *cmd = xasprintf("%s/%s", appdir, rel);
	autofree char *real = realpath(cmd, NULL);
	struct stat st;
	if (root == NULL)
		return bento_error_errno(err, "%s: cannot resolve the AppDir's path", appdir);
	if (real == NULL || stat(real, &st) < 0)
		return bento_error_errno(err, "%s: the command %s", appdir, rel);
	if (!bento_path_is_under(real, root))
		return bento_error_set(err, 0, "%s: the command %s leads outside the AppDir",
		                       appdir, rel);
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return bento_error_set(err, 0, "%s: the command %s is not an executable file",
		                       appdir, rel);
	return 0;
}

/* Writes text to rel below the AppDir (reached through no link) and
 * validates it; removes it if it is invalid. */
static int write_validated(int dir_fd, const char *appdir, const char *rel, const char *text,
                           int (*validate)(const char *, FILE *, bento_error **), FILE *log,
                           bento_error **err)
{
	if (bento_beneath_replace_file(dir_fd, appdir, rel, text, 0644, err) < 0)
		return -1;
	/* (the validator reads it by name: nothing runs that could change
	 * what the name leads to since it was written) */
	autofree char *path = xasprintf("%s/%s", appdir, rel);
	if (validate(path, log, err) < 0) {
		bento_beneath_remove(dir_fd, appdir, rel, NULL);
		return -1;
	}
	return 0;
}

/* The desktop entry's text and the icon name it uses: a given entry read
 * and validated where it is (so that messages name the given file), or a
 * generated one. */
static char *desktop_entry_text(const bento_desktop_info *info, const given_file *desktop,
                                const char *rel, char **icon_name, FILE *log, bento_error **err)
{
	autofree char *text = NULL;
	if (desktop->fd < 0) {
		*icon_name = xstrdup(info->id);
		return generate_desktop(info, rel, *icon_name, err);
	}
	text = read_text(desktop, "desktop entry", err);
	/* (one in the AppDir is validated once written where it goes) */
	if (text == NULL ||
	    (!info->desktop_in_appdir && bento_desktop_validate_entry(desktop->path, log, err) < 0))
		return NULL;
	*icon_name = desktop_icon_name(desktop->label, text, err);
	return *icon_name ? steal_pointer(&text) : NULL;
}

static char *metainfo_text(const bento_desktop_info *info, const given_file *metainfo, FILE *log,
                           bento_error **err)
{
	if (metainfo->fd < 0)
		return generate_metainfo(info, err);
	autofree char *text = read_text(metainfo, "metainfo file", err);
	if (text == NULL || (!info->metainfo_in_appdir &&
	                     bento_desktop_validate_metainfo(metainfo->path, log, err) < 0))
		return NULL;
	return steal_pointer(&text);
}

static int install_icon(const char *appdir, int dir_fd, const given_file *icon, bool terminal,
                        const char *icon_name, FILE *log, bento_error **err)
{
	const char *ext = icon_type(icon, terminal, err);
	if (ext == NULL)
		return -1;
	autofree char *name = xasprintf("%s%s", icon_name, ext);
	int r = icon->fd < 0
	            ? bento_beneath_replace_file(dir_fd, appdir, name, terminal_icon_svg, 0644, err)
	            : bento_copy_file(icon->path, dir_fd, name, err);
	if (r < 0) {
		bento_error_prefix(err, "%s", appdir);
		return -1;
	}
	if (log)
		fprintf(log, "%s (%s %s)\n", name, icon->fd < 0 ? "generated:" : "from",
		        icon->fd < 0 ? "a terminal" : icon->label);
	return link_unless_present(dir_fd, appdir, ".DirIcon", name, log, err);
}

/* .bento/metadata: the app's id, its default command, its other commands
 * by name ([Commands]) and its permissions. */
static int install_metadata(int dir_fd, const char *appdir, const bento_desktop_info *info,
                            const char *rel, bento_error **err)
{
	if (info->permissions == NULL)
		return 0;
	autoclose int bento_dir = bento_beneath_dir(dir_fd, appdir, ".bento", true, err);
	if (bento_dir < 0)
		return -1;
	autofree char *commands = xstrdup("");
	for (size_t i = 0; i < info->n_commands; i++) {
		char *more = xasprintf("%s%s%s=%s\n", commands, i == 0 ? "\n[Commands]\n" : "",
		                       info->commands[i].name, info->commands[i].value);
		free(commands);
		commands = more;
	}
	autofree char *text =
	    xasprintf("[Application]\nname=%s\ncommand=%s\n%s%s%s", info->id, rel, commands,
	              info->permissions[0] ? "\n" : "", info->permissions);
	return bento_beneath_replace_file(dir_fd, appdir, ".bento/metadata", text, 0644, err);
}

/* Every named command is a path inside the AppDir to an executable file. */
static int check_commands(const char *appdir, const bento_desktop_info *info, bento_error **err)
{
	for (size_t i = 0; i < info->n_commands; i++) {
		const bento_env_var *c = &info->commands[i];
		if (check_field("command name", c->name, true, err) < 0)
			return -1;
		if (strpbrk(c->name, "=[]/") != NULL)
			return bento_error_set(
			    err, 0, "command name \"%s\": no '=', '[', ']' or '/'", c->name);
		autofree char *rel = command_path(c->value, err);
		if (rel == NULL || check_command(appdir, rel, err) < 0) {
			bento_error_prefix(err, "command \"%s\"", c->name);
			return -1;
		}
	}
	return 0;
}

int bento_desktop_install(const char *appdir, const bento_desktop_info *info, FILE *log,
                          bento_error **err)
{
	if (check_id(info->id, err) < 0 || check_field("name", info->name, true, err) < 0 ||
	    check_field("summary", info->summary, false, err) < 0)
		return -1;
	autofree char *rel = command_path(info->command, err);
	if (rel == NULL)
		return -1;
	autoclose int dir_fd = open(appdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return bento_error_errno(err, "%s: cannot open the AppDir", appdir);
	/* Everything that can be checked before anything is written, first. */
	__attribute__((cleanup(given_file_clear))) given_file icon = {.fd = -1};
	__attribute__((cleanup(given_file_clear))) given_file given_desktop = {.fd = -1};
	__attribute__((cleanup(given_file_clear))) given_file given_metainfo = {.fd = -1};
	if (open_given(dir_fd, "icon", info->icon, info->icon_in_appdir, &icon, err) < 0 ||
	    open_given(dir_fd, "desktop entry", info->desktop, info->desktop_in_appdir,
	               &given_desktop, err) < 0 ||
	    open_given(dir_fd, "metainfo file", info->metainfo, info->metainfo_in_appdir,
	               &given_metainfo, err) < 0)
		return -1;
	autofree char *icon_name = NULL;
	autofree char *desktop = NULL, *metainfo = NULL;
	if (check_command(appdir, rel, err) < 0 || check_commands(appdir, info, err) < 0 ||
	    icon_type(&icon, info->terminal, err) == NULL ||
	    (desktop = desktop_entry_text(info, &given_desktop, rel, &icon_name, log, err)) ==
	        NULL ||
	    (metainfo = metainfo_text(info, &given_metainfo, log, err)) == NULL)
		return -1;
	/* Below the AppDir, whose contents a build may have made: through no
	 * link (share/metainfo or .bento could point anywhere on the host). */
	autofree char *desktop_rel = xasprintf("%s.desktop", info->id);
	autofree char *metainfo_rel = xasprintf("share/metainfo/%s.metainfo.xml", info->id);
	if (write_validated(dir_fd, appdir, desktop_rel, desktop, bento_desktop_validate_entry, log,
	                    err) < 0)
		return -1;
	autoclose int metainfo_dir = bento_beneath_dir(dir_fd, appdir, "share/metainfo", true, err);
	if (metainfo_dir < 0 || write_validated(dir_fd, appdir, metainfo_rel, metainfo,
	                                        bento_desktop_validate_metainfo, log, err) < 0) {
		bento_beneath_remove(dir_fd, appdir, desktop_rel, NULL);
		return -1;
	}
	if (install_icon(appdir, dir_fd, &icon, info->terminal, icon_name, log, err) < 0 ||
	    link_unless_present(dir_fd, appdir, "AppRun", rel, log, err) < 0 ||
	    install_metadata(dir_fd, appdir, info, rel, err) < 0)
		return -1;
	return 0;
}
