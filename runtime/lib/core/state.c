/* SPDX-License-Identifier: MIT */
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *absolute_env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] == '/' ? v : NULL;
}

int bento_account_fields(const char *file, unsigned long id, char **fields, size_t n)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, file, 16 << 20, &data, &len, NULL) < 0)
		return -1;
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		char *f[7] = {0};
		size_t count = 0;
		for (char *rest = line; rest && count < ARRAY_SIZE(f);)
			f[count++] = strsep(&rest, ":");
		char *end;
		if (count < 3 || count < n || strtoul(f[2], &end, 10) != id || *end || !f[2][0])
			continue;
		for (size_t i = 0; i < n; i++)
			fields[i] = xstrdup(f[i]);
		return 0;
	}
	return -1;
}

char *bento_user_home(uid_t uid)
{
	const char *home = absolute_env("HOME");
	if (home && !strstr(home, "/..") && strlen(home) > 1)
		return xstrdup(home);
	char *f[7] = {0};
	char *dir = NULL;
	if (bento_account_fields("/etc/passwd", uid, f, 7) == 0) {
		if (f[5][0] == '/' && strlen(f[5]) > 1)
			dir = steal_pointer(&f[5]);
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			free(f[i]);
	}
	return dir ? dir : xasprintf("/home/%u", (unsigned)uid);
}

const char *bento_user_runtime_dir(void)
{
	const char *dir = absolute_env("XDG_RUNTIME_DIR");
	struct stat st;
	if (dir == NULL || strstr(dir, "/..") || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 077) != 0)
		return NULL;
	return dir;
}

char *bento_state_dir(bento_state_kind kind, bento_error **err)
{
	static const struct {
		const char *xdg, *below_home;
	} places[] = {
	    [BENTO_STATE_CACHE] = {"XDG_CACHE_HOME", ".cache"},
	    [BENTO_STATE_DATA] = {"XDG_DATA_HOME", ".local/share"},
	};
	if (kind == BENTO_STATE_RUNTIME) {
		const char *runtime = bento_user_runtime_dir();
		if (runtime)
			return xasprintf("%s/bento", runtime);
		return xasprintf("%s/bento-%u", bento_tmpdir(), (unsigned)getuid());
	}
	const char *xdg = absolute_env(places[kind].xdg);
	if (xdg)
		return xasprintf("%s/bento", xdg);
	autofree char *home = bento_user_home(getuid());
	return xasprintf("%s/%s/bento", home, places[kind].below_home);
}

/* Why st is no private directory of the user's, or NULL. */
static const char *private_dir_problem(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "it is a symbolic link";
	if (!S_ISDIR(st->st_mode))
		return "it is not a directory";
	if (st->st_uid != getuid())
		return "it belongs to another user";
	if ((st->st_mode & 077) != 0)
		return "others may enter or change it (its mode should be 0700)";
	return NULL;
}

bool bento_is_private_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && private_dir_problem(&st) == NULL;
}

int bento_private_dir(const char *path, bento_error **err)
{
	/* Others who may rename entries of its parent could swap it for a
	 * directory of theirs once checked: the parent must be the user's,
	 * root's, or sticky (as /tmp is). */
	autofree char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	if (slash)
		slash[slash == parent ? 1 : 0] = '\0';
	struct stat st;
	if (slash && lstat(parent, &st) == 0 && (st.st_mode & 022) && !(st.st_mode & S_ISVTX) &&
	    st.st_uid != getuid() && st.st_uid != 0)
		return bento_error_set(err, EPERM,
		                       "refusing to use %s: others may replace it in %s, which is "
		                       "neither yours nor sticky",
		                       path, parent);
	/* (Made only when missing: mkdir -p tries every component.) */
	if (lstat(path, &st) < 0 && (bento_mkdir_p(path, 0700, err) < 0 || lstat(path, &st) < 0))
		return err && *err ? -1 : bento_error_errno(err, "%s", path);
	const char *problem = private_dir_problem(&st);
	if (problem)
		return bento_error_set(err, EPERM,
		                       "refusing to use %s: %s; remove it, or ask its owner to",
		                       path, problem);
	return 0;
}

void bento_state_protected_paths(const char *home, bento_strv *out)
{
	static const bento_state_kind kinds[] = {BENTO_STATE_CACHE, BENTO_STATE_DATA,
	                                         BENTO_STATE_RUNTIME};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *dir = bento_state_dir(kinds[i], NULL);
		if (dir)
			bento_strv_add(out, dir);
	}
	/* Without a runtime directory of the user's the proxies' sockets go
	 * to $TMPDIR/bento-UID; with one, a stale directory there still is
	 * bento's. */
	bento_strv_add(out, xasprintf("%s/bento-%u", bento_tmpdir(), (unsigned)getuid()));
	if (home)
		bento_strv_add(out, xasprintf("%s/.var/app", home));
}

char *bento_resolve_existing(const char *path)
{
	autofree char *head = xstrdup(path);
	for (;;) {
		char *real = realpath(head, NULL);
		if (real) {
			const char *tail = path + strlen(head);
			char *out = xasprintf("%s%s%s", strcmp(real, "/") == 0 ? "" : real,
			                      tail[0] == '/' || tail[0] == '\0' ? "" : "/", tail);
			free(real);
			return out[0] ? out : (free(out), xstrdup("/"));
		}
		char *slash = strrchr(head, '/');
		if (slash == NULL || slash == head)
			return xstrdup(path);
		*slash = '\0';
	}
}
