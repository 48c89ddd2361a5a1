/* SPDX-License-Identifier: MIT */
/* The rules of a manifest's values (bento-manifest(5), PATHS among them):
 * relative paths, file names, app ids, bus names, filesystem permissions,
 * local files below the source root, URLs and checksums.  Each check
 * reports what it refuses. */
#include "manifest/parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "core/util.h"
#include "permissions/permissions.h"

/* A relative path whose elements are neither empty, "." nor "..". */
bool bento_mf_relative_path_ok(const char *p)
{
	if (*p == '\0' || *p == '/')
		return false;
	for (const char *e = p; *e;) {
		size_t n = strcspn(e, "/");
		if (n == 0 || (n == 1 && e[0] == '.') || (n == 2 && e[0] == '.' && e[1] == '.'))
			return false;
		e += n;
		if (*e == '/')
			e++;
		if (*e == '\0' && e[-1] == '/')
			return false;
	}
	return true;
}

bool bento_mf_check_relpath(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value)
{
	return bento_mf_relative_path_ok(value) ||
	       bento_mf_report_found(c, sc, key, n, value,
	                             " must be a relative path that stays inside (no leading "
	                             "\"/\", no \".\", \"..\" or empty elements)");
}

bool bento_mf_filename_ok(const char *s)
{
	return *s && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Cleanup entries: "/path/below/prefix" or a name pattern without "/". */
bool bento_mf_check_cleanup(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value)
{
	if ((value[0] == '/' && bento_mf_relative_path_ok(value + 1)) ||
	    bento_mf_filename_ok(value))
		return true;
	autofree char *q = bento_mf_quote(value, strlen(value));
	autofree char *label = bento_mf_key_label(sc, key);
	bento_mf_report(
	    c, n, NULL,
	    "item of %s must be \"/path\" (below the prefix) or a file name pattern without "
	    "\"/\" (matched at any depth), with no \".\", \"..\" or empty elements, found %s",
	    label, q);
	return false;
}

/* The number of dot-separated elements of letters, digits, "_" and "-" in
 * s, or 0 if s is not such a name (an empty element, another character, or
 * with no_digit an element that starts with a digit). */
static size_t dotted_elements(const char *s, bool no_digit)
{
	size_t elements = 0;
	for (const char *e = s;; e++) {
		size_t n =
		    strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
		if (n == 0 || (no_digit && isdigit((unsigned char)*e)))
			return 0;
		elements++;
		e += n;
		if (*e == '\0')
			return elements;
		if (*e != '.')
			return 0;
	}
}

/* The app id as the runtime checks it (bento_app_id_valid). */
bool bento_mf_app_id_ok(const char *id)
{
	return bento_app_id_valid(id, strlen(id));
}

/* A D-Bus well-known name, or a prefix "a.b.*". */
static bool bus_name_ok(const char *s)
{
	size_t len = strlen(s);
	if (len > 255)
		return false;
	autofree char *name = xstrdup(s);
	if (len > 2 && strcmp(name + len - 2, ".*") == 0)
		name[len - 2] = '\0';
	return dotted_elements(name, true) >= 2;
}

bool bento_mf_in_words(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(*words, s) == 0)
			return true;
	return false;
}

bool bento_mf_check_word(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                         const char *value, const char *const *words)
{
	if (!bento_mf_in_words(value, words)) {
		autofree char *list = bento_mf_join_words(words);
		autofree char *q = bento_mf_quote(value, strlen(value));
		autofree char *hint = bento_mf_suggest(value, words);
		bento_mf_report_key(c, sc, key, item, NULL, ": unknown value %s%s (known: %s)", q,
		                    hint, list);
		return false;
	}
	return true;
}

/* home, host, xdg-download/sub (a location the runtime knows by name), ~/path
 * or /path, then :ro, :rw or :create. */
bool bento_mf_check_filesystem(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                               const char *value)
{
	autofree char *loc = xstrdup(value);
	char *colon = strrchr(loc, ':');
	bool ok = true;
	if (colon) {
		ok = strcmp(colon, ":ro") == 0 || strcmp(colon, ":rw") == 0 ||
		     strcmp(colon, ":create") == 0;
		*colon = '\0';
	}
	if (ok && loc[0] == '/')
		ok = loc[1] == '\0' || bento_mf_relative_path_ok(loc + 1);
	else if (ok && loc[0] == '~')
		ok = loc[1] == '\0' || (loc[1] == '/' && bento_mf_relative_path_ok(loc + 2));
	else if (ok) {
		char *slash = strchr(loc, '/');
		if (slash) {
			ok = strncmp(loc, "xdg-", 4) == 0 && bento_mf_relative_path_ok(slash + 1);
			*slash = '\0';
		}
		ok = ok && bento_fs_location_known(loc);
	}
	return ok || bento_mf_report_is_not(
	                 c, sc, key, item, value,
	                 "a filesystem permission (home, host, host-os, host-etc, "
	                 "xdg-DIR[/path], ~/path or /path, optionally followed by :ro, :rw or "
	                 ":create; no \".\", \"..\" or empty elements)");
}

bool bento_mf_check_bus_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                             const char *value)
{
	return bus_name_ok(value) ||
	       bento_mf_report_is_not(c, sc, key, item, value,
	                              "a D-Bus name (two or more dot-separated elements of "
	                              "letters, digits, \"_\" and \"-\", not starting with a "
	                              "digit, optionally ending in \".*\")");
}

/* An own-names item: a bus name the app may own (bento_bus_own_problem). */
bool bento_mf_check_own_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                             const char *value)
{
	if (!bento_mf_check_bus_name(c, sc, key, item, value))
		return false;
	const char *problem = c->app_id ? bento_bus_own_problem(c->app_id, value) : NULL;
	if (problem == NULL)
		return true;
	autofree char *q = bento_mf_quote(value, strlen(value));
	bento_mf_report_key(c, sc, key, item, NULL, ": %s: %s (%s)", q, problem, c->app_id);
	return false;
}

/* A path relative to the manifest's directory, made absolute and tidied
 * ("." and empty elements dropped; ".." is kept: it is resolved by the file
 * system, which knows about symbolic links). */
static char *resolve_path(const char *base, const char *p)
{
	autofree char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", base, p);
	char *out = xmalloc(strlen(joined) + 2);
	size_t o = 0;
	for (const char *e = joined; *e;) {
		while (*e == '/')
			e++;
		size_t n = strcspn(e, "/");
		if (n == 0 || (n == 1 && e[0] == '.')) {
			e += n;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, e, n);
		o += n;
		e += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* Whether the file at path, its links followed, lies below the source
 * root: a manifest someone else wrote (a pull request a CI machine builds)
 * must not put the builder's ~/.ssh/id_rsa into the image, by path, "..", or
 * a symlink in its repository. */
static bool in_source_root(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                           const char *path)
{
	autofree char *real = realpath(path, NULL);
	if (real && bento_path_is_under(real, c->source_root))
		return true;
	bento_mf_report_key(
	    c, sc, key, n, NULL,
	    ": %s is outside %s, the directory the manifest's files must be in (its "
	    "repository, or its own directory; --source-root=DIR names another)",
	    real ? real : path, c->source_root);
	return false;
}

/* A local path: resolved; it must exist, lie below the source root and be
 * a directory (want_dir) or a regular file.  Returns the absolute path, or
 * NULL (reported). */
char *bento_mf_local_path(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *value, bool want_dir)
{
	char *abs = resolve_path(c->base_dir, value);
	struct stat st;
	if (stat(abs, &st) < 0) {
		int e = errno;
		bento_mf_report_key(c, sc, key, n, NULL, ": cannot use %s: %s", abs, strerror(e));
	} else if (!in_source_root(c, sc, key, n, abs)) {
		/* reported */
	} else if (want_dir && !S_ISDIR(st.st_mode)) {
		bento_mf_report_key(c, sc, key, n, NULL, ": %s is not a directory", abs);
	} else if (!want_dir && !S_ISREG(st.st_mode)) {
		bento_mf_report_key(c, sc, key, n, NULL, ": %s is not a regular file", abs);
	} else {
		return abs;
	}
	free(abs);
	return NULL;
}

/* http, https or file URL as libcurl understands it.  *last gets the URL's
 * last path element (decoded), if there is one. */
bool bento_mf_check_url(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                        const char *value, char **last)
{
	CURLU *u = curl_url();
	if (u == NULL)
		abort();
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME);
	char *scheme = NULL, *path = NULL;
	bool ok = false;
	autofree char *q = bento_mf_quote(value, strlen(value));
	if (rc != CURLUE_OK) {
		bento_mf_report_key(c, sc, key, n, NULL, ": %s is not a URL: %s", q,
		                    curl_url_strerror(rc));
	} else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	           (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
	            strcmp(scheme, "file") != 0)) {
		bento_mf_report_key(
		    c, sc, key, n, NULL,
		    ": %s: the URL scheme must be http, https or file, found \"%s\"", q,
		    scheme ? scheme : "");
	} else {
		ok = true;
		if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK)
			path = NULL;
		/* A file: URL is a local path too. */
		if (path && strcmp(scheme, "file") == 0) {
			autofree char *abs = resolve_path(c->base_dir, path);
			struct stat st;
			ok = stat(abs, &st) < 0 || in_source_root(c, sc, key, n, abs);
		}
		if (last && path) {
			const char *slash = strrchr(path, '/');
			*last = xstrdup(slash ? slash + 1 : path);
		}
	}
	curl_free(scheme);
	curl_free(path);
	curl_url_cleanup(u);
	return ok;
}

bool bento_mf_sha256_ok(char *s)
{
	if (strlen(s) != 64)
		return false;
	for (char *p = s; *p; p++) {
		if (!isxdigit((unsigned char)*p))
			return false;
		*p = (char)tolower((unsigned char)*p);
	}
	return true;
}
