/* SPDX-License-Identifier: MIT */
/* The top level of a manifest (bento-manifest(5), TOP-LEVEL KEYS and BUNDLE):
 * the app's id, name, version, command, files (desktop, icon, AppStream) and
 * the bundle's settings. */
#include "manifest/parse.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/super.h>

#include "core/util.h"
#include "output/squashfs_writer.h"

static const char *const top_keys[] = {
    "id",
    "name",
    "version",
    "summary",
    "license",
    "command",
    "permissions",
    "modules",
    "desktop",
    "icon",
    "appstream",
    "bundle",
    "python-compile",
    "glibc",
    /* entry.c: the desktop entry's keys and the commands */
    "terminal",
    "categories",
    "keywords",
    "mime-types",
    "commands",
    NULL,
};
static const char *const bundle_keys[] = {"compression",        "compression-level", "block-size",
                                          "update-information", "sign-key",          NULL};
static const char *const compression_names[] = {"gzip", "xz", "lz4", "zstd", NULL};
/* In the order of bento_glibc_mode. */
static const char *const glibc_mode_names[] = {"auto", "bundle", "host", NULL};

/* "zsync|URL" or "gh-releases-zsync|user|repo|tag|filename", as the AppImage
 * update information specification has them. */
static void check_update_information(ctx *c, const scope *sc, struct fy_node *n, const char *s)
{
	if (strlen(s) > 1023) {
		bento_mf_report(c, n, NULL,
		                "\"bundle.update-information\" is longer than 1023 bytes");
		return;
	}
	if (strncmp(s, "zsync|", 6) == 0) {
		if (!bento_mf_check_url(c, sc, "update-information", n, s + 6, NULL))
			return;
		if (strncmp(s + 6, "http://", 7) != 0 && strncmp(s + 6, "https://", 8) != 0)
			bento_mf_report_found(c, sc, "update-information", n, s,
			                      ": the zsync URL must be http or https");
		return;
	}
	if (strncmp(s, "gh-releases-zsync|", 18) == 0) {
		int fields = 1;
		bool empty = false;
		for (const char *p = s + 18;; fields++) {
			size_t len = strcspn(p, "|");
			empty |= len == 0;
			if (p[len] == '\0')
				break;
			p += len + 1;
		}
		if (fields == 4 && !empty)
			return;
	}
	bento_mf_report_found(c, sc, "update-information", n, s,
	                      " must be \"zsync|URL\" or "
	                      "\"gh-releases-zsync|USER|REPO|TAG|FILENAME\"");
}

static void parse_bundle(ctx *c, struct fy_node *map, bento_bundle *b)
{
	scope sc = {map, "\"bundle\"", "bundle.", ""};
	bento_mf_check_keys(c, &sc, bundle_keys, NULL, NULL);
	int comp = bento_mf_get_enum(c, &sc, "compression", compression_names, false);
	if (comp >= 0) {
		free(b->compression);
		b->compression = xstrdup(compression_names[comp]);
		b->compressor = bento_sqfs_compressor_from_name(b->compression);
	}
	unsigned long v;
	struct fy_node *k;
	if (bento_mf_get_uint(c, &sc, "compression-level", INT_MAX, &v)) {
		int min, max;
		struct fy_node *n = bento_mf_lookup(c, &sc, "compression-level", false, &k);
		if (bento_sqfs_level_range(b->compressor, &min, &max) < 0)
			bento_mf_report(c, n, NULL,
			                "\"bundle.compression-level\": %s has no levels",
			                b->compression);
		else if ((long)v < min || (long)v > max)
			bento_mf_report(
			    c, n, NULL,
			    "\"bundle.compression-level\" must be from %d to %d for %s, found %lu",
			    min, max, b->compression, v);
		else
			b->level = (int)v;
	}
	if (bento_mf_get_uint(c, &sc, "block-size", SQFS_MAX_BLOCK_SIZE * 2UL, &v)) {
		if (v < SQFS_MIN_BLOCK_SIZE || v > SQFS_MAX_BLOCK_SIZE || (v & (v - 1)) != 0)
			bento_mf_report(
			    c, bento_mf_lookup(c, &sc, "block-size", false, &k), NULL,
			    "\"bundle.block-size\" must be a power of two from %d to %d bytes, "
			    "found %lu",
			    SQFS_MIN_BLOCK_SIZE, SQFS_MAX_BLOCK_SIZE, v);
		else
			b->block_size = (uint32_t)v;
	}
	struct fy_node *un = NULL;
	b->update_information =
	    bento_mf_get_string(c, &sc, "update-information", TEXT_NONEMPTY, &un);
	if (b->update_information)
		check_update_information(c, &sc, un, b->update_information);
	struct fy_node *kn = NULL;
	autofree char *key = bento_mf_get_string(c, &sc, "sign-key", TEXT_NONEMPTY, &kn);
	if (key) {
		const char *hex = strncmp(key, "0x", 2) == 0 ? key + 2 : key;
		size_t len = strlen(hex);
		if (strspn(hex, "0123456789abcdefABCDEF") != len ||
		    (len != 8 && len != 16 && len != 40 && len != 64)) {
			bento_mf_report_found(c, &sc, "sign-key", kn, key,
			                      " must be a gpg key id or fingerprint (8, 16, 40 or "
			                      "64 hexadecimal digits)");
		} else {
			b->sign_key = steal_pointer(&key);
		}
	}
}

/* A path key of the top level: a regular file whose name ends in one of
 * exts; "/app/PATH" names one the modules install (*in_appdir is set and
 * PATH returned, checked when the AppDir is made). */
static char *get_file(ctx *c, const scope *sc, const char *key, const char *const *exts,
                      bool *in_appdir)
{
	struct fy_node *n = NULL;
	autofree char *value = bento_mf_get_string(c, sc, key, TEXT_NONEMPTY, &n);
	if (value == NULL)
		return NULL;
	bool ext_ok = false;
	for (const char *const *e = exts; *e && !ext_ok; e++) {
		size_t vl = strlen(value), el = strlen(*e);
		ext_ok = vl > el && strcmp(value + vl - el, *e) == 0 && value[vl - el - 1] != '/';
	}
	if (!ext_ok) {
		autofree char *list = bento_mf_join_words(exts);
		autofree char *q = bento_mf_quote(value, strlen(value));
		bento_mf_report(c, n, NULL, "\"%s\" must name a file ending in %s, found %s", key,
		                list, q);
		return NULL;
	}
	if (strncmp(value, "/app/", 5) == 0) {
		if (!bento_mf_relative_path_ok(value + 5)) {
			bento_mf_report_found(c, sc, key, n, value,
			                      ": a path below /app has no \".\", \"..\" or empty "
			                      "elements");
			return NULL;
		}
		*in_appdir = true;
		return xstrdup(value + 5);
	}
	return bento_mf_local_path(c, sc, key, n, value, false);
}

void bento_mf_parse_root(ctx *c, struct fy_node *root, bento_manifest *m)
{
	if (bento_mf_is_null(root)) {
		bento_mf_add_diag(c, 0, 0, xstrdup("the manifest is empty"));
		return;
	}
	if (!fy_node_is_mapping(root) || fy_node_is_alias(root)) {
		bento_mf_report(c, root, NULL,
		                "the manifest must be a mapping of keys to values, found %s",
		                bento_mf_kind(root));
		return;
	}
	scope sc = {root, NULL, "", ""};
	bento_mf_check_keys(c, &sc, top_keys, NULL, NULL);

	struct fy_node *n;
	m->id = bento_mf_get_string(c, &sc, "id", TEXT_REQUIRED, &n);
	if (m->id && !bento_mf_app_id_ok(m->id)) {
		autofree char *q = bento_mf_quote(m->id, strlen(m->id));
		bento_mf_report(
		    c, n, NULL,
		    "\"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 "
		    "bytes; three or more elements of letters, digits, \"_\" and \"-\" separated "
		    "by dots, not under a prefix of the desktop's own services), found %s: it %s",
		    q, bento_app_id_problem(m->id, strlen(m->id)));
	} else if (m->id) {
		c->app_id = m->id;
	}
	m->name = bento_mf_get_string(c, &sc, "name", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	if (m->name && (strchr(m->name, '/') || strlen(m->name) > 255)) {
		bento_mf_report_found(c, &sc, "name", n, m->name,
		                      " must be at most 255 bytes without \"/\"");
	}
	m->version = bento_mf_get_string(c, &sc, "version", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	if (m->version &&
	    (!isalnum((unsigned char)m->version[0]) || strlen(m->version) > 128 ||
	     m->version[strspn(m->version, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                   "0123456789.+~_-")] != '\0')) {
		bento_mf_report_found(c, &sc, "version", n, m->version,
		                      " must be 1 to 128 letters, digits, \".\", \"+\", \"~\", "
		                      "\"_\" or \"-\", starting with a letter or digit");
	}
	m->summary = bento_mf_get_string(c, &sc, "summary", TEXT_NONEMPTY, NULL);
	m->license = bento_mf_get_string(c, &sc, "license", TEXT_NONEMPTY, NULL);

	autofree char *command =
	    bento_mf_get_string(c, &sc, "command", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	bento_mf_parse_commands(c, &sc, command, n, m);

	struct fy_node *perm = bento_mf_get_mapping(c, &sc, "permissions");
	if (perm)
		bento_mf_parse_permissions(c, perm, &m->permissions);

	static const char *const desktop_ext[] = {".desktop", NULL};
	static const char *const icon_ext[] = {".png", ".svg", ".svgz", ".xpm", NULL};
	static const char *const appstream_ext[] = {".xml", NULL};
	m->desktop = get_file(c, &sc, "desktop", desktop_ext, &m->desktop_in_appdir);
	m->icon = get_file(c, &sc, "icon", icon_ext, &m->icon_in_appdir);
	m->appstream = get_file(c, &sc, "appstream", appstream_ext, &m->appstream_in_appdir);
	bento_mf_parse_entry(c, &sc, m);
	/* (a terminal app without one gets a generic icon) */
	struct fy_node *icon_key;
	bento_mf_lookup(c, &sc, "icon", false, &icon_key);
	if (!m->terminal && icon_key == NULL)
		bento_mf_missing(c, &sc, "icon",
		                 " (only an app with \"terminal: true\" may go without one)");

	m->python_compile = true;
	bento_mf_get_bool(c, &sc, "python-compile", &m->python_compile);
	int glibc = bento_mf_get_enum(c, &sc, "glibc", glibc_mode_names, false);
	m->glibc = glibc >= 0 ? (bento_glibc_mode)glibc : BENTO_GLIBC_AUTO;

	struct fy_node *bundle = bento_mf_get_mapping(c, &sc, "bundle");
	if (bundle)
		parse_bundle(c, bundle, &m->bundle);

	struct fy_node *k;
	struct fy_node *mods = bento_mf_lookup(c, &sc, "modules", true, &k);
	if (k)
		bento_mf_parse_modules(c, mods, k, 1, NULL, &m->modules, &m->n_modules);
}
