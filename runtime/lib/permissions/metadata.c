/* SPDX-License-Identifier: MIT */
/* The strict reader of .bento/metadata and override files
 * (docs/man/bento-metadata.5): a key file whose groups name the app and
 * state one layer of permissions.  Each value goes through the setters of
 * layer.h, as the command-line options do. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "permissions/layer.h"
#include "permissions/permissions.h"

/* What GKeyFile's escape \e stands for, or '\0' for no escape (\; only in
 * lists). */
static char unescaped(char e, bool list)
{
	static const char escapes[][2] = {
	    {'s', ' '}, {'n', '\n'}, {'t', '\t'}, {'r', '\r'}, {'\\', '\\'}, {';', ';'},
	};
	for (size_t i = 0; i < ARRAY_SIZE(escapes) - !list; i++)
		if (escapes[i][0] == e)
			return escapes[i][1];
	return '\0';
}

/* Undoes GKeyFile's escapes (\s \n \t \r \\, and in lists \;); with list,
 * splits at the other ';' (a final ';' ends the list, as GKeyFile writes it).
 * A value that is not a list gives one item. */
static int unescape_into(const char *value, bool list, bento_strv *items, bento_error **err)
{
	size_t len = strlen(value);
	autofree char *cur = xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0;; i++) {
		char c = value[i];
		if (c == '\0' || (list && c == ';')) {
			cur[n] = '\0';
			if (c == '\0' && n == 0 && list && (items->count > 0 || i == 0))
				break; /* after a final ';', or an empty list */
			if (list && n == 0)
				return bento_error_set(err, EINVAL, "empty element in list \"%s\"",
				                       value);
			bento_strv_add(items, xstrdup(cur));
			n = 0;
			if (c == '\0')
				break;
			continue;
		}
		if (c != '\\') {
			cur[n++] = c;
			continue;
		}
		char to = unescaped(value[++i], list);
		if (to == '\0')
			return bento_error_set(err, EINVAL, "invalid escape sequence in \"%s\"",
			                       value);
		cur[n++] = to;
	}
	return 0;
}

static int unescape(const char *value, bool list, bento_strv *items, bento_error **err)
{
	*items = (bento_strv){0};
	if (unescape_into(value, list, items, err) < 0) {
		bento_strv_free(items);
		return -1;
	}
	return 0;
}

/* Messages quote hostile text: no control character reaches the terminal. */
static void make_visible(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void warn(const char *name, unsigned line, const char *what, const char *which)
{
	autofree char *msg = xasprintf("%s:%u: warning: %s %s, ignored", name, line, what, which);
	make_visible(msg);
	fprintf(stderr, "%s\n", msg);
}

static void warn_unknown_key(const char *name, const bento_keyfile_entry *e)
{
	autofree char *k = xasprintf("\"%s\" in [%s]", e->key, e->group);
	warn(name, e->line, "unknown key", k);
}

/* ---- [Context]: lists of permissions ---- */

typedef int context_item(bento_permissions *p, const char *key, const char *item,
                         bento_error **err);

/* "name" grants, "!name" revokes. */
static int context_flag(bento_permissions *p, const char *key, const char *item, bento_error **err)
{
	bool on = item[0] != '!';
	return bento_layer_set_flag(p, key, item + !on, on, err);
}

/* "location[:mode]" grants, "!location" removes. */
static int context_filesystem(bento_permissions *p, const char *key, const char *item,
                              bento_error **err)
{
	bool remove = item[0] == '!';
	return bento_layer_set_filesystem(p, item + remove, remove, err);
}

static int context_persistent(bento_permissions *p, const char *key, const char *item,
                              bento_error **err)
{
	return bento_layer_add_persistent(p, item, err);
}

static int context_unset_env(bento_permissions *p, const char *key, const char *item,
                             bento_error **err)
{
	return bento_layer_set_env(p, item, NULL, err);
}

static const struct {
	const char *key;
	context_item *set;
} context_keys[] = {
    {"shared", context_flag},
    {"sockets", context_flag},
    {"devices", context_flag},
    {"features", context_flag},
    {"filesystems", context_filesystem},
    {"persistent", context_persistent},
    {"unset-environment", context_unset_env},
};

/* ---- the groups ---- */

typedef int group_reader(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                         bento_error **err);

static int read_application(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                            bento_error **err)
{
	if (strcmp(e->key, "name") == 0) {
		if (bento_app_id_check(e->value, err) < 0)
			return -1;
		free(md->app_id);
		md->app_id = xstrdup(e->value);
	} else if (strcmp(e->key, "command") == 0) {
		bento_strv items;
		if (unescape(e->value, false, &items, err) < 0)
			return -1;
		int r = bento_command_check(items.items[0], err);
		if (r == 0) {
			free(md->command);
			md->command = xstrdup(items.items[0]);
		}
		bento_strv_free(&items);
		return r;
	} else if (strcmp(e->key, "usr-overlay") == 0) {
		if (strcmp(e->value, "true") != 0 && strcmp(e->value, "false") != 0)
			return bento_error_set(
			    err, EINVAL, "usr-overlay must be true or false, not \"%s\"", e->value);
		md->usr_overlay =
		    strcmp(e->value, "true") == 0 ? BENTO_USR_OVERLAY_ON : BENTO_USR_OVERLAY_OFF;
	} else {
		warn_unknown_key(name, e);
	}
	return 0;
}

static int read_context(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                        bento_error **err)
{
	size_t k = 0;
	while (k < ARRAY_SIZE(context_keys) && strcmp(e->key, context_keys[k].key) != 0)
		k++;
	if (k == ARRAY_SIZE(context_keys)) {
		warn_unknown_key(name, e);
		return 0;
	}
	bento_strv items;
	int r = unescape(e->value, true, &items, err);
	for (size_t i = 0; r == 0 && i < items.count; i++)
		r = context_keys[k].set(&md->permissions, e->key, items.items[i], err);
	bento_strv_free(&items);
	if (r < 0)
		bento_error_prefix(err, "%s", e->key);
	return r;
}

/* [Commands] NAME=PATH: a name a symbolic link can have (letters, digits,
 * ".", "_", "+", "-", starting with a letter or digit, at most 64 bytes). */
static int read_command(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                        bento_error **err)
{
	size_t len = strlen(e->key);
	if (len == 0 || len > 64 || !isalnum((unsigned char)e->key[0]) ||
	    strspn(e->key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") !=
	        len)
		return bento_error_set(
		    err, EINVAL,
		    "command name \"%s\": letters, digits, \".\", \"_\", \"+\" "
		    "and \"-\", starting with a letter or digit, at most 64 bytes",
		    e->key);
	bento_strv items;
	if (unescape(e->value, false, &items, err) < 0)
		return -1;
	int r = bento_command_check(items.items[0], err);
	if (r == 0) {
		bento_env_var *more =
		    realloc(md->commands, (md->n_commands + 1) * sizeof(*md->commands));
		if (more == NULL)
			abort();
		md->commands = more;
		md->commands[md->n_commands++] =
		    (bento_env_var){.name = xstrdup(e->key), .value = xstrdup(items.items[0])};
	}
	bento_strv_free(&items);
	return r;
}

static int read_bus_policy(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                           bento_error **err)
{
	/* (the name first: its problem is reported before the policy's) */
	if (bento_bus_name_check(e->key, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(bento_bus_policy_names); i++)
		if (strcmp(e->value, bento_bus_policy_names[i]) == 0)
			return bento_layer_set_bus(&md->permissions,
			                           strcmp(e->group, "System Bus Policy") == 0,
			                           e->key, (bento_bus_policy)i, err);
	return bento_error_set(err, EINVAL, "unknown bus policy \"%s\" (talk, own, see or none)",
	                       e->value);
}

static int read_environment(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                            bento_error **err)
{
	bento_strv items;
	/* (the name first: its problem is reported before the value's) */
	if (bento_env_name_check(e->key, err) < 0 || unescape(e->value, false, &items, err) < 0)
		return -1;
	int r = bento_layer_set_env(&md->permissions, e->key, items.items[0], err);
	bento_strv_free(&items);
	return r;
}

static int read_limit(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                      bento_error **err)
{
	if (!bento_limit_known(e->key)) {
		warn_unknown_key(name, e);
		return 0;
	}
	return bento_layer_set_limit(&md->permissions, e->key, e->value, err);
}

/* [Requires]: versions, and lists of libraries; a key a later builder
 * may write is ignored without a word (bento-metadata(5)). */
static int read_requires(bento_metadata *md, const char *name, const bento_keyfile_entry *e,
                         bento_error **err)
{
	bento_strv items;
	if (unescape(e->value, true, &items, err) < 0)
		return -1;
	int r = bento_requirements_set(&md->requirements, e->key, items.items, items.count, err);
	bento_strv_free(&items);
	if (r > 0)
		bento_debug("%s:%u: [Requires] %s is not known here, ignored", name, e->line,
		            e->key);
	return r < 0 ? -1 : 0;
}

static const struct {
	const char *name;
	group_reader *read;
} groups[] = {
    {"Application", read_application},
    {"Context", read_context},
    {"Session Bus Policy", read_bus_policy},
    {"System Bus Policy", read_bus_policy},
    {"Environment", read_environment},
    {"Limits", read_limit},
    {"Commands", read_command},
    {"Requires", read_requires},
};

/* The reader of group, or NULL for an unknown group. */
static group_reader *group_of(const char *group)
{
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if (strcmp(group, groups[i].name) == 0)
			return groups[i].read;
	return NULL;
}

static int set_status(bento_error **err)
{
	if (err && *err) {
		(*err)->status = BENTO_EXIT_RUNTIME;
		make_visible((*err)->message);
	}
	return -1;
}

int bento_metadata_parse(const char *name, const char *data, size_t len, bento_metadata *out,
                         bento_error **err)
{
	memset(out, 0, sizeof(*out));
	auto_bento_keyfile kf = NULL;
	if (bento_keyfile_parse(name, data, len, &kf, err) < 0)
		return set_status(err);
	for (size_t i = 0; i < bento_keyfile_n_groups(kf); i++) {
		unsigned line;
		const char *group = bento_keyfile_group(kf, i, &line);
		if (group_of(group) == NULL) {
			autofree char *g = xasprintf("[%s]", group);
			warn(name, line, "unknown group", g);
		}
	}
	for (size_t i = 0; i < bento_keyfile_n_entries(kf); i++) {
		bento_keyfile_entry e = bento_keyfile_nth(kf, i);
		if (bento_keyfile_get(kf, e.group, e.key) != e.value) {
			autofree char *k = xasprintf("\"%s\" in [%s] (a later line sets it again)",
			                             e.key, e.group);
			warn(name, e.line, "repeated key", k);
			continue;
		}
		group_reader *read = group_of(e.group);
		if (read == NULL)
			continue; /* in an unknown group, warned about at its header */
		if (read(out, name, &e, err) < 0) {
			bento_error_prefix(err, "%s:%u", name, e.line);
			bento_metadata_clear(out);
			return set_status(err);
		}
	}
	return 0;
}

int bento_metadata_choose_command(const bento_metadata *md, const char *name, const char *argv0,
                                  const char *appimage, const char **path, bento_error **err)
{
	const char *fallback = md->command && md->command[0] ? md->command : "AppRun";
	*path = fallback;
	const char *wanted = name;
	if (wanted == NULL && argv0 && argv0[0]) {
		const char *called = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
		const char *own =
		    appimage && strrchr(appimage, '/') ? strrchr(appimage, '/') + 1 : appimage;
		if (own == NULL || strcmp(called, own) != 0)
			wanted = called;
	}
	if (wanted == NULL)
		return 0;
	for (size_t i = 0; i < md->n_commands; i++)
		if (strcmp(md->commands[i].name, wanted) == 0) {
			*path = md->commands[i].value;
			return 0;
		}
	if (name == NULL)
		return 0; /* (a file named otherwise runs the default) */
	autofree char *list = xstrdup("");
	for (size_t i = 0; i < md->n_commands; i++) {
		char *more = xasprintf("%s%s%s", list, i ? ", " : "", md->commands[i].name);
		free(list);
		list = more;
	}
	autofree char *shown = xstrdup(name);
	make_visible(shown);
	if (md->n_commands == 0)
		bento_error_set(err, ENOENT,
		                "--bento-command=%s: this image has a single command (%s) and no "
		                "named ones",
		                shown, fallback);
	else
		bento_error_set(err, ENOENT,
		                "--bento-command=%s: no such command; this image has: %s", shown,
		                list);
	(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

void bento_metadata_clear(bento_metadata *md)
{
	free(md->app_id);
	free(md->command);
	for (size_t i = 0; i < md->n_commands; i++) {
		free(md->commands[i].name);
		free(md->commands[i].value);
	}
	free(md->commands);
	bento_permissions_clear(&md->permissions);
	bento_requirements_clear(&md->requirements);
	memset(md, 0, sizeof(*md));
}
