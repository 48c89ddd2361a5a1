/* SPDX-License-Identifier: MIT */
/* A module's sources: which keys each type of source takes and how they are
 * read (bento-manifest(5), SOURCES). */
#include "manifest/parse.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void bento_mf_source_clear(bento_source *s)
{
	char *texts[] = {s->url, s->path, s->sha256, s->dest, s->dest_filename, s->suite, s->key};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		free(texts[i]);
	bento_mf_strv_free(s->options);
	bento_mf_strv_free(s->commands);
	bento_mf_strv_free(s->packages);
	bento_mf_strv_free(s->exclude);
	bento_mf_strv_free(s->components);
}

static const char *const source_type_names[] = {
    [BENTO_SOURCE_ARCHIVE] = "archive", [BENTO_SOURCE_FILE] = "file",
    [BENTO_SOURCE_DIR] = "dir",         [BENTO_SOURCE_PATCH] = "patch",
    [BENTO_SOURCE_DEB] = "deb",         [BENTO_SOURCE_SHELL] = "shell",
    [BENTO_SOURCE_APT] = "apt",         NULL,
};

const char *bento_source_type_name(bento_source_type t)
{
	return (unsigned)t < ARRAY_SIZE(source_type_names) - 1 ? source_type_names[t] : "?";
}

static const char *const src_keys_archive[] = {"type", "url", "path", "sha256", "strip-components",
                                               "dest", NULL};
static const char *const src_keys_file[] = {"type",          "url",  "path", "sha256",
                                            "dest-filename", "dest", NULL};
static const char *const src_keys_dir[] = {"type", "path", "dest", NULL};
static const char *const src_keys_patch[] = {
    "type", "url", "path", "sha256", "strip-components", "options", "dest", NULL};
static const char *const src_keys_deb[] = {"type", "url", "path", "sha256", NULL};
static const char *const src_keys_shell[] = {"type", "commands", NULL};
static const char *const src_keys_apt[] = {"type",     "url",     "suite", "components",
                                           "packages", "exclude", "key",   NULL};
static const char *const *const src_keys[] = {
    [BENTO_SOURCE_ARCHIVE] = src_keys_archive, [BENTO_SOURCE_FILE] = src_keys_file,
    [BENTO_SOURCE_DIR] = src_keys_dir,         [BENTO_SOURCE_PATCH] = src_keys_patch,
    [BENTO_SOURCE_DEB] = src_keys_deb,         [BENTO_SOURCE_SHELL] = src_keys_shell,
    [BENTO_SOURCE_APT] = src_keys_apt,
};
static const char *const src_all_keys[] = {
    "type",       "url",      "path",     "sha256",        "strip-components",
    "dest",       "options",  "commands", "dest-filename", "suite",
    "components", "packages", "key",      "exclude",       NULL,
};

/* One source being read, for the readers of its keys. */
typedef struct source_read {
	ctx *c;
	scope sc; /* the source's mapping, its subject "source 1 of module \"m\"" */
	bento_source *s;
	struct fy_node *url_n, *path_n; /* the url and path keys, when given */
	char *last; /* the last element of the url or path: the file's own name */
} source_read;

/* url or path, and sha256 with url. */
static void read_location(source_read *r)
{
	ctx *c = r->c;
	const scope *sc = &r->sc;
	bento_source *s = r->s;
	bool dir = s->type == BENTO_SOURCE_DIR;
	bool remote_ok = bento_mf_in_words("url", src_keys[s->type]);
	struct fy_node *sha_n = NULL;
	autofree char *url =
	    remote_ok ? bento_mf_get_string(c, sc, "url", TEXT_NONEMPTY, &r->url_n) : NULL;
	autofree char *path = bento_mf_get_string(c, sc, "path", TEXT_NONEMPTY, &r->path_n);
	autofree char *sha =
	    remote_ok ? bento_mf_get_string(c, sc, "sha256", TEXT_NONEMPTY, &sha_n) : NULL;

	if (dir && r->path_n == NULL)
		bento_mf_missing(c, sc, "path", " (the directory to copy)");
	if (remote_ok && r->url_n && r->path_n)
		bento_mf_report(c, sc->map, NULL,
		                "%s has both \"url\" and \"path\": give one of them", sc->subject);
	else if (remote_ok && r->url_n == NULL && r->path_n == NULL)
		bento_mf_missing(c, sc, "url", " or \"path\"");
	if (url && bento_mf_check_url(c, sc, "url", r->url_n, url, &r->last))
		s->url = steal_pointer(&url);
	if (path) {
		s->path = bento_mf_local_path(c, sc, "path", r->path_n, path, dir);
		const char *slash = strrchr(path, '/');
		free(r->last);
		r->last = xstrdup(slash ? slash + 1 : path);
	}
	if (sha && !bento_mf_sha256_ok(sha)) {
		bento_mf_report_found(c, sc, "sha256", sha_n, sha,
		                      " must be 64 hexadecimal digits (the SHA-256 of the file)");
	} else if (sha) {
		s->sha256 = steal_pointer(&sha);
	} else if (r->url_n && sha_n == NULL) {
		bento_mf_missing(c, sc, "sha256",
		                 " (required with \"url\": the SHA-256 of the download)");
	}
}

static void read_strip_components(source_read *r)
{
	unsigned long strip;
	if (bento_mf_get_uint(r->c, &r->sc, "strip-components", 255, &strip))
		r->s->strip_components = (unsigned)strip;
}

static void read_dest(source_read *r)
{
	struct fy_node *dn = NULL;
	autofree char *dest = bento_mf_get_string(r->c, &r->sc, "dest", TEXT_NONEMPTY, &dn);
	if (dest && bento_mf_check_relpath(r->c, &r->sc, "dest", dn, dest))
		r->s->dest = steal_pointer(&dest);
}

/* The file's name: given, or the last element of its url or path. */
static void read_dest_filename(source_read *r)
{
	ctx *c = r->c;
	const scope *sc = &r->sc;
	bento_source *s = r->s;
	struct fy_node *fn = NULL;
	autofree char *name = bento_mf_get_string(c, sc, "dest-filename", TEXT_NONEMPTY, &fn);
	if (name && !bento_mf_filename_ok(name)) {
		bento_mf_report_found(c, sc, "dest-filename", fn, name,
		                      " must be a file name (no \"/\", not \".\" or \"..\")");
	} else if (name) {
		s->dest_filename = steal_pointer(&name);
	} else if (fn == NULL && (r->url_n || r->path_n) && r->last &&
	           bento_mf_filename_ok(r->last)) {
		s->dest_filename = steal_pointer(&r->last);
	} else if (fn == NULL && (s->url || s->path)) {
		bento_mf_report(c, sc->map, NULL,
		                "%s: its URL or path does not end in a file name: add "
		                "\"dest-filename\"",
		                sc->subject);
	}
}

static void read_options(source_read *r)
{
	r->s->options = bento_mf_get_list(r->c, &r->sc, "options", TEXT_LINE, NULL, NULL);
}

static void read_commands(source_read *r)
{
	struct fy_node *cmds = NULL;
	r->s->commands =
	    bento_mf_get_list(r->c, &r->sc, "commands", TEXT_LINES | TEXT_REQUIRED, NULL, &cmds);
	if (cmds && fy_node_is_sequence(cmds) && fy_node_sequence_item_count(cmds) == 0)
		bento_mf_report_key(r->c, &r->sc, "commands", cmds, NULL,
		                    " is empty: a shell source needs a command");
}

/* A Debian package name (Debian Policy 5.6.1), a suite or a component: the
 * characters apt and URLs take without quoting, no "/" or "..". */
static bool debian_word_ok(const char *s, bool package)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9') ||
	      (!package && s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
		      *p == '-' || *p == '.' ||
		      (!package && ((*p >= 'A' && *p <= 'Z') || *p == '_'))))
			return false;
	return strlen(s) >= (package ? 2 : 1) && strstr(s, "..") == NULL && strlen(s) <= 100;
}

static bool check_package(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                          const char *value)
{
	return debian_word_ok(value, true) ||
	       bento_mf_report_found(c, sc, key, item, value,
	                             " items must be Debian package names (lowercase letters, "
	                             "digits, \"+\", \"-\" and \".\")");
}

static bool check_component(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                            const char *value)
{
	return debian_word_ok(value, false) ||
	       bento_mf_report_found(c, sc, key, item, value,
	                             " items must be component names (letters, digits, "
	                             "\"+-._\")");
}

/* apt: the archive (url, suite, components, key) and the packages wanted. */
static void read_apt(source_read *r)
{
	ctx *c = r->c;
	const scope *sc = &r->sc;
	bento_source *s = r->s;
	struct fy_node *n = NULL;
	autofree char *url = bento_mf_get_string(c, sc, "url", TEXT_NONEMPTY | TEXT_REQUIRED, &n);
	if (url && bento_mf_check_url(c, sc, "url", n, url, &r->last))
		s->url = steal_pointer(&url);
	autofree char *suite =
	    bento_mf_get_string(c, sc, "suite", TEXT_NONEMPTY | TEXT_REQUIRED, &n);
	if (suite && !debian_word_ok(suite, false))
		bento_mf_report_found(c, sc, "suite", n, suite,
		                      " must be a suite or codename (letters, digits, \"+-._\")");
	else if (suite)
		s->suite = steal_pointer(&suite);
	s->components = bento_mf_get_list(c, sc, "components", TEXT_SET, check_component, &n);
	if (s->components[0] == NULL) {
		bento_mf_strv_free(s->components);
		s->components = bento_mf_strv_new(1);
		s->components[0] = xstrdup("main");
	}
	s->packages =
	    bento_mf_get_list(c, sc, "packages", TEXT_SET | TEXT_REQUIRED, check_package, &n);
	if (n && fy_node_is_sequence(n) && fy_node_sequence_item_count(n) == 0)
		bento_mf_report_key(c, sc, "packages", n, NULL,
		                    " is empty: name the packages the app is made of");
	s->exclude = bento_mf_get_list(c, sc, "exclude", TEXT_SET, check_package, NULL);
	autofree char *key = bento_mf_get_string(c, sc, "key", TEXT_NONEMPTY | TEXT_REQUIRED, &n);
	if (key)
		s->key = bento_mf_local_path(c, sc, "key", n, key, false);
}

/* The readers, in the order they read; each runs when the source's type
 * takes its key (src_keys). */
static const struct {
	const char *key;
	void (*read)(source_read *r);
} readers[] = {
    {"path", read_location}, /* with url and sha256 */
    {"strip-components", read_strip_components},
    {"dest", read_dest},
    {"dest-filename", read_dest_filename},
    {"options", read_options},
    {"commands", read_commands},
    {"packages", read_apt}, /* with url, suite, components and key */
};

static void read_source(ctx *c, struct fy_node *n, int index, const char *owner, bento_source *s)
{
	bento_mf_node_mark(n, &s->line, &s->column);
	autofree char *subject = xasprintf("source %d%s", index, owner);
	autofree char *of = xasprintf(" of %s", subject);
	if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		bento_mf_report(c, n, NULL, "%s must be a mapping, found %s", subject,
		                bento_mf_kind(n));
		return;
	}
	source_read r = {c, {n, subject, "", of}, s, NULL, NULL, NULL};
	int type = bento_mf_get_enum(c, &r.sc, "type", source_type_names, true);
	if (type < 0) {
		bento_mf_check_keys(c, &r.sc, src_all_keys, NULL, NULL);
		return;
	}
	s->type = (bento_source_type)type;
	autofree char *what = xasprintf("%s sources", source_type_names[type]);
	bento_mf_check_keys(c, &r.sc, src_keys[type], src_all_keys, what);

	/* (keys of other types were reported by bento_mf_check_keys: they are not read) */
	s->strip_components = 1;
	for (size_t i = 0; i < ARRAY_SIZE(readers); i++)
		if (bento_mf_in_words(readers[i].key, src_keys[type]))
			readers[i].read(&r);
	free(r.last);
}

void bento_mf_parse_source(ctx *c, struct fy_node *n, int index, const char *owner, bento_source *s)
{
	read_source(c, n, index, owner, s);
	/* every list exists, as in modules */
	if (s->options == NULL)
		s->options = bento_mf_strv_new(0);
	if (s->commands == NULL)
		s->commands = bento_mf_strv_new(0);
	if (s->packages == NULL)
		s->packages = bento_mf_strv_new(0);
	if (s->exclude == NULL)
		s->exclude = bento_mf_strv_new(0);
	if (s->components == NULL)
		s->components = bento_mf_strv_new(0);
}
