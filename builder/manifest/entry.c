/* SPDX-License-Identifier: MIT */
/* The keys of a manifest that shape how the app is started
 * (bento-manifest(5), DESKTOP ENTRY and COMMANDS): terminal, categories,
 * keywords and mime-types of the generated desktop entry, and the image's
 * commands with their default. */
#include "manifest/parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The main categories of the freedesktop menu specification: a desktop entry
 * names at least one, or menus file it under "Other". */
static const char *const main_categories[] = {
    "AudioVideo", "Audio",  "Video",   "Development", "Education", "Game",    "Graphics",
    "Network",    "Office", "Science", "Settings",    "System",    "Utility", NULL,
};

/* A category's spelling: letters, digits and "-" (X-Vendor-Thing for an
 * unregistered one).  Additional categories (TextEditor, Emulator ...) are
 * checked against the registry by desktop-file-validate when the entry is
 * written. */
static bool check_category(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                           const char *value)
{
	size_t len = strlen(value);
	if (len <= 64 && isalpha((unsigned char)value[0]) &&
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == len)
		return true;
	return bento_mf_report_is_not(
	    c, sc, key, n, value,
	    "a desktop category (letters, digits and \"-\", at most 64 bytes), e.g. Utility");
}

/* A keyword is one item of a desktop entry list: no ";" (the separator), no
 * "\\" (an escape). */
static bool check_keyword(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *value)
{
	if (strpbrk(value, ";\\") == NULL && strlen(value) <= 256)
		return true;
	return bento_mf_report_is_not(c, sc, key, n, value,
	                              "a keyword (at most 256 bytes, without \";\" or \"\\\")");
}

/* RFC 6838's restricted names: TYPE/SUBTYPE. */
static bool mime_part_ok(const char *s, size_t len)
{
	return len > 0 && len <= 127 && isalnum((unsigned char)s[0]) &&
	       strspn(s,
	              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-") >=
	           len;
}

static bool check_mime_type(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value)
{
	const char *slash = strchr(value, '/');
	if (slash && mime_part_ok(value, (size_t)(slash - value)) &&
	    mime_part_ok(slash + 1, strlen(slash + 1)))
		return true;
	return bento_mf_report_is_not(c, sc, key, n, value,
	                              "a MIME type such as text/plain (TYPE/SUBTYPE of letters, "
	                              "digits and !#$&^_.+-)");
}

static bool listed(char **list, const char *word)
{
	for (char **p = list; *p; p++)
		if (strcmp(*p, word) == 0)
			return true;
	return false;
}

void bento_mf_parse_entry(ctx *c, const scope *sc, bento_manifest *m)
{
	bento_mf_get_bool(c, sc, "terminal", &m->terminal);
	struct fy_node *n = NULL;
	m->categories = bento_mf_get_list(c, sc, "categories", TEXT_SET, check_category, &n);
	m->keywords = bento_mf_get_list(c, sc, "keywords", TEXT_SET, check_keyword, NULL);
	m->mime_types = bento_mf_get_list(c, sc, "mime-types", TEXT_SET, check_mime_type, NULL);
	/* (a given entry has its own: two sources of truth would differ) */
	static const char *const generated_only[] = {"categories", "keywords", "mime-types"};
	for (size_t i = 0; m->desktop && i < ARRAY_SIZE(generated_only); i++) {
		struct fy_node *k;
		struct fy_node *v = bento_mf_lookup(c, sc, generated_only[i], false, &k);
		if (k)
			bento_mf_report_key(
			    c, sc, generated_only[i], v, k,
			    " describes the generated desktop entry: with \"desktop\" "
			    "the given file's own keys apply");
	}
	if (m->categories[0] == NULL)
		return;
	bool main_found = false;
	for (char **p = m->categories; *p && !main_found; p++)
		main_found = bento_mf_in_words(*p, main_categories);
	if (!main_found) {
		autofree char *list = bento_mf_join_words(main_categories);
		bento_mf_report_key(c, sc, "categories", n, NULL,
		                    " must name at least one main category (%s)", list);
	}
	/* (the menu specification files Audio and Video below AudioVideo) */
	if ((listed(m->categories, "Audio") || listed(m->categories, "Video")) &&
	    !listed(m->categories, "AudioVideo"))
		bento_mf_report_key(c, sc, "categories", n, NULL,
		                    ": Audio and Video need AudioVideo beside them");
}

/* A command's name: a file name a symbolic link can have and a key of
 * .bento/metadata's [Commands] group. */
static bool command_name_ok(const char *s)
{
	size_t len = strlen(s);
	return len <= 64 && isalnum((unsigned char)s[0]) &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") ==
	           len;
}

/* "hello" (in /app/bin) or "bin/hello": the path relative to /app, or NULL
 * (reported). */
static char *command_path(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *command)
{
	if (bento_mf_filename_ok(command))
		return xasprintf("bin/%s", command);
	if (bento_mf_relative_path_ok(command))
		return xstrdup(command);
	bento_mf_report_found(c, sc, key, n, command,
	                      " must be a path relative to /app (bin/hello) or a name in "
	                      "/app/bin (hello), with no \".\", \"..\" or empty elements");
	return NULL;
}

void bento_mf_parse_commands(ctx *c, const scope *sc, const char *command, struct fy_node *n,
                             bento_manifest *m)
{
	bento_env_var *cmds =
	    bento_mf_get_map(c, sc, "commands", "command", command_name_ok,
	                     "letters, digits, \".\", \"_\", \"+\" and \"-\", starting with a "
	                     "letter or digit, at most 64 bytes",
	                     &m->n_commands);
	m->commands = cmds;
	/* (a valid mapping when there are commands: read again for positions) */
	scope in_map = {cmds ? bento_mf_get_mapping(c, sc, "commands") : NULL, NULL, "commands.",
	                ""};
	size_t kept = 0;
	for (size_t i = 0; i < m->n_commands; i++) {
		autofree char *key = xasprintf("commands.%s", cmds[i].name);
		struct fy_node *k;
		struct fy_node *v = bento_mf_lookup(c, &in_map, cmds[i].name, false, &k);
		char *path = command_path(c, sc, key, v, cmds[i].value);
		free(cmds[i].value);
		if (path == NULL) {
			free(cmds[i].name);
			continue;
		}
		cmds[kept].name = cmds[i].name;
		cmds[kept++].value = path;
	}
	m->n_commands = kept;
	if (command == NULL)
		return;
	if (m->commands == NULL) {
		m->command = command_path(c, sc, "command", n, command);
		return;
	}
	for (size_t i = 0; i < m->n_commands; i++)
		if (strcmp(cmds[i].name, command) == 0) {
			m->command = xstrdup(cmds[i].value);
			return;
		}
	autofree char **names = xcalloc(m->n_commands + 1, sizeof(char *));
	for (size_t i = 0; i < m->n_commands; i++)
		names[i] = cmds[i].name;
	autofree char *list = bento_mf_join_words((const char *const *)names);
	autofree char *what = xasprintf(" must name the default among \"commands\" (%s)",
	                                m->n_commands ? list : "none");
	bento_mf_report_found(c, sc, "command", n, command, what);
}
