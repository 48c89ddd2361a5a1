/* SPDX-License-Identifier: MIT */
/* A module's sources: which keys each type of source takes and how they are
 * read (bento-manifest(5), SOURCES). */
#include "manifest/parse.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void bento_mf_source_clear(bento_source *s)
{
	free(s->url);
	free(s->path);
	free(s->sha256);
	free(s->dest);
	free(s->dest_filename);
	bento_mf_strv_free(s->options);
	bento_mf_strv_free(s->commands);
}

static const char *const source_type_names[] = {
    [BENTO_SOURCE_ARCHIVE] = "archive",
    [BENTO_SOURCE_FILE] = "file",
    [BENTO_SOURCE_DIR] = "dir",
    [BENTO_SOURCE_PATCH] = "patch",
    [BENTO_SOURCE_DEB] = "deb",
    [BENTO_SOURCE_SHELL] = "shell",
    NULL,
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
static const char *const *const src_keys[] = {
    [BENTO_SOURCE_ARCHIVE] = src_keys_archive, [BENTO_SOURCE_FILE] = src_keys_file,
    [BENTO_SOURCE_DIR] = src_keys_dir,         [BENTO_SOURCE_PATCH] = src_keys_patch,
    [BENTO_SOURCE_DEB] = src_keys_deb,         [BENTO_SOURCE_SHELL] = src_keys_shell,
};
static const char *const src_all_keys[] = {
    "type", "url",     "path",     "sha256",        "strip-components",
    "dest", "options", "commands", "dest-filename", NULL,
};

void bento_mf_parse_source(ctx *c, struct fy_node *n, int index, const char *owner, bento_source *s)
{
	bento_mf_node_mark(n, &s->line, &s->column);
	autofree char *subject = xasprintf("source %d%s", index, owner);
	autofree char *of = xasprintf(" of %s", subject);
	if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		bento_mf_report(c, n, NULL, "%s must be a mapping, found %s", subject,
		                bento_mf_kind(n));
		return;
	}
	scope sc = {n, subject, "", of};
	int type = bento_mf_get_enum(c, &sc, "type", source_type_names, true);
	if (type < 0) {
		bento_mf_check_keys(c, &sc, src_all_keys, NULL, NULL);
		return;
	}
	s->type = (bento_source_type)type;
	autofree char *what = xasprintf("%s sources", source_type_names[type]);
	bento_mf_check_keys(c, &sc, src_keys[type], src_all_keys, what);

	/* (keys of other types were reported by bento_mf_check_keys: they are not read) */
	const char *const *keys = src_keys[type];
	bool remote_ok = bento_mf_in_words("url", keys);
	struct fy_node *url_n = NULL, *path_n = NULL, *sha_n = NULL;
	autofree char *url =
	    remote_ok ? bento_mf_get_string(c, &sc, "url", TEXT_NONEMPTY, &url_n) : NULL;
	autofree char *path = bento_mf_in_words("path", keys)
	                          ? bento_mf_get_string(c, &sc, "path", TEXT_NONEMPTY, &path_n)
	                          : NULL;
	autofree char *sha =
	    remote_ok ? bento_mf_get_string(c, &sc, "sha256", TEXT_NONEMPTY, &sha_n) : NULL;
	autofree char *last = NULL;

	if (s->type == BENTO_SOURCE_DIR && path_n == NULL)
		bento_mf_missing(c, &sc, "path", " (the directory to copy)");
	if (remote_ok && url_n && path_n)
		bento_mf_report(c, n, NULL, "%s has both \"url\" and \"path\": give one of them",
		                subject);
	else if (remote_ok && url_n == NULL && path_n == NULL)
		bento_mf_missing(c, &sc, "url", " or \"path\"");
	if (url && bento_mf_check_url(c, &sc, "url", url_n, url, &last))
		s->url = steal_pointer(&url);
	if (path) {
		s->path =
		    bento_mf_local_path(c, &sc, "path", path_n, path, s->type == BENTO_SOURCE_DIR);
		const char *slash = strrchr(path, '/');
		free(last);
		last = xstrdup(slash ? slash + 1 : path);
	}
	if (sha && !bento_mf_sha256_ok(sha)) {
		autofree char *q = bento_mf_quote(sha, strlen(sha));
		bento_mf_report(
		    c, sha_n, NULL,
		    "\"sha256\"%s must be 64 hexadecimal digits (the SHA-256 of the file), found "
		    "%s",
		    of, q);
	} else if (sha) {
		s->sha256 = steal_pointer(&sha);
	} else if (url_n && sha_n == NULL) {
		bento_mf_missing(c, &sc, "sha256",
		                 " (required with \"url\": the SHA-256 of the download)");
	}

	s->strip_components = 1;
	unsigned long strip;
	if (bento_mf_in_words("strip-components", keys) &&
	    bento_mf_get_uint(c, &sc, "strip-components", 255, &strip))
		s->strip_components = (unsigned)strip;

	struct fy_node *dn = NULL;
	autofree char *dest = bento_mf_in_words("dest", keys)
	                          ? bento_mf_get_string(c, &sc, "dest", TEXT_NONEMPTY, &dn)
	                          : NULL;
	if (dest && bento_mf_check_relpath(c, &sc, "dest", dn, dest))
		s->dest = steal_pointer(&dest);

	if (s->type == BENTO_SOURCE_FILE) {
		struct fy_node *fn = NULL;
		autofree char *name =
		    bento_mf_get_string(c, &sc, "dest-filename", TEXT_NONEMPTY, &fn);
		if (name && !bento_mf_filename_ok(name)) {
			autofree char *q = bento_mf_quote(name, strlen(name));
			bento_mf_report(
			    c, fn, NULL,
			    "\"dest-filename\"%s must be a file name (no \"/\", not \".\" or "
			    "\"..\"), found %s",
			    of, q);
		} else if (name) {
			s->dest_filename = steal_pointer(&name);
		} else if (fn == NULL && (url_n || path_n) && last && bento_mf_filename_ok(last)) {
			s->dest_filename = steal_pointer(&last);
		} else if (fn == NULL && (s->url || s->path)) {
			bento_mf_report(c, n, NULL,
			                "%s: its URL or path does not end in a file name: add "
			                "\"dest-filename\"",
			                subject);
		}
	}
	s->options = s->type == BENTO_SOURCE_PATCH
	                 ? bento_mf_get_list(c, &sc, "options", TEXT_LINE, NULL, NULL)
	                 : bento_mf_strv_new(0);
	struct fy_node *cmds = NULL;
	s->commands =
	    s->type == BENTO_SOURCE_SHELL
	        ? bento_mf_get_list(c, &sc, "commands", TEXT_LINES | TEXT_REQUIRED, NULL, &cmds)
	        : bento_mf_strv_new(0);
	if (cmds && fy_node_is_sequence(cmds) && fy_node_sequence_item_count(cmds) == 0)
		bento_mf_report(c, cmds, NULL,
		                "\"commands\"%s is empty: a shell source needs a command", of);
}
