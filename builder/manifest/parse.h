/* SPDX-License-Identifier: MIT */
/* Private to builder/manifest: what the files of the manifest parser share.
 *
 * The manifest is YAML parsed by libfyaml into a document, then walked key by
 * key into the data model of manifest.h.  The walk does not stop at the
 * first problem: every error is recorded with its line and column and they
 * are reported together, in file order.
 *
 *   manifest.c     loading: the file, the YAML document, the result or the errors
 *   toplevel.c     the top-level keys and the bundle
 *   permissions.c  the permissions the app asks for
 *   entry.c        the desktop entry's keys (terminal, categories, ...) and
 *                  the image's commands
 *   modules.c      modules, their build options, the build order
 *   sources.c      a module's sources, by type
 *   nodes.c        reading YAML nodes: strings, lists, numbers, mappings, keys
 *   values.c       the rules of values: paths, names, URLs, checksums...
 *   diagnostics.c  the error list and its messages: positions, quoting,
 *                  "did you mean", the final error text
 *   canonical.c    the canonical text of a module (the module cache's key)
 *
 * The functions they share are named bento_mf_... (manifest, private): the
 * interface of the folder is manifest.h alone. */
#ifndef BENTO_BUILDER_MANIFEST_PARSE_H
#define BENTO_BUILDER_MANIFEST_PARSE_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "manifest/manifest.h"

typedef struct diag {
	int line, column; /* 0: no position */
	size_t seq;       /* order of discovery, for a stable sort */
	char *msg;
} diag;

typedef struct module_name {
	const char *name;
	int line, column;
} module_name;

/* One parse of one manifest. */
typedef struct ctx {
	const char *name;        /* the manifest's name in messages */
	const char *base_dir;    /* resolves relative paths */
	const char *source_root; /* local files must be below it (canonical) */
	diag *diags;
	size_t n_diags;
	bool too_many;
	unsigned n_modules_seen; /* modules are numbered in file order */
	module_name *names;      /* module names seen so far */
	size_t n_names;
	const char *app_id; /* the manifest's id, once read and valid */
} ctx;

/* Where a key lives, for messages: subject names the mapping ("module
 * \"hello\"", or NULL for the top level), prefix goes before key names
 * ("permissions."), owner after them (" of module \"hello\""). */
typedef struct scope {
	struct fy_node *map;
	const char *subject;
	const char *prefix;
	const char *owner;
} scope;

/* Text rules for strings. */
enum {
	TEXT_LINE = 0,     /* one line: no control characters */
	TEXT_LINES = 1,    /* command lines: newlines and tabs allowed */
	TEXT_NONEMPTY = 2, /* not "" */
	TEXT_REQUIRED = 4, /* the key must be present */
	TEXT_SET = 8,      /* a list without repeated items, of at most MAX_SET items */
};

/* Lists whose items must differ are compared item by item: keep them short. */
#define MAX_SET 256

/* A check of one item of a list (or of one value): reports and returns
 * false when value is not acceptable. */
typedef bool (*item_check)(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                           const char *value);

/* ---- diagnostics.c ---- */

/* Text written with stdio: bento_mf_text_open gives the stream, and
 * bento_mf_text_close the text written (the caller frees it). */
typedef struct bento_mf_text {
	char *data;
	size_t len;
	FILE *f;
} bento_mf_text;
FILE *bento_mf_text_open(bento_mf_text *t);
char *bento_mf_text_close(bento_mf_text *t);

/* A libfyaml diagnostic object that collects errors instead of printing them. */
struct fy_diag *bento_mf_collecting_diag(void);

bool bento_mf_node_mark(struct fy_node *n, int *line, int *column);
/* Whether the list holds as many errors as are worth reading; then the error
 * text will say that more were found. */
bool bento_mf_diags_full(ctx *c);
void bento_mf_add_diag(ctx *c, int line, int column, char *msg);
/* Records an error at node n, or at fallback when n has no position (an
 * empty value has none: the key before it stands in). */
void bento_mf_report(ctx *c, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for the value of key in sc: the message follows the key's label
 * (" must be a string, found ...", ": unknown value ..."). */
void bento_mf_report_key(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                         struct fy_node *fallback, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A value of key refused: the key's label, what (" must be ...", with its
 * own separator), then ", found \"VALUE\"" -- or the label, then ": \"VALUE\" is
 * not WHAT".  They return false, for checks to return. */
bool bento_mf_report_found(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                           const char *value, const char *what);
bool bento_mf_report_is_not(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value, const char *what);
/* How messages name key in sc: "\"permissions.sockets\"", "\"dest\" of source 1
 * of module \"hello\"". */
char *bento_mf_key_label(const scope *sc, const char *key);
int bento_mf_diags_to_error(ctx *c, bento_error **err);
char *bento_mf_suggest(const char *word, const char *const *words);
char *bento_mf_join_words(const char *const *words);
char *bento_mf_quote(const char *s, size_t len);

/* ---- nodes.c ---- */

char **bento_mf_strv_new(size_t n);
void bento_mf_strv_free(char **v);
void bento_mf_env_free(bento_env_var *env, size_t n);
bool bento_mf_is_null(struct fy_node *n);
const char *bento_mf_kind(struct fy_node *n);
void bento_mf_missing(ctx *c, const scope *sc, const char *key, const char *hint);
struct fy_node *bento_mf_lookup(ctx *c, const scope *sc, const char *key, bool required,
                                struct fy_node **keyp);
char *bento_mf_get_string(ctx *c, const scope *sc, const char *key, unsigned rules,
                          struct fy_node **nodep);
char **bento_mf_get_list(ctx *c, const scope *sc, const char *key, unsigned rules, item_check check,
                         struct fy_node **nodep);
bool bento_mf_get_uint(ctx *c, const scope *sc, const char *key, unsigned long max,
                       unsigned long *out);
bool bento_mf_get_bool(ctx *c, const scope *sc, const char *key, bool *out);
struct fy_node *bento_mf_get_mapping(ctx *c, const scope *sc, const char *key);
void bento_mf_check_keys(ctx *c, const scope *sc, const char *const *allowed,
                         const char *const *other, const char *other_why);
int bento_mf_get_enum(ctx *c, const scope *sc, const char *key, const char *const *names,
                      bool required);
bento_env_var *bento_mf_get_env(ctx *c, const scope *sc, const char *key, size_t *n_out);
bento_env_var *bento_mf_get_map(ctx *c, const scope *sc, const char *key, const char *word,
                                bool (*name_ok)(const char *), const char *name_rule,
                                size_t *n_out);

/* ---- values.c ---- */

bool bento_mf_relative_path_ok(const char *p);
bool bento_mf_filename_ok(const char *s);
bool bento_mf_app_id_ok(const char *id);
bool bento_mf_in_words(const char *s, const char *const *words);
bool bento_mf_sha256_ok(char *s);
bool bento_mf_check_relpath(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value);
bool bento_mf_check_cleanup(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value);
bool bento_mf_check_word(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                         const char *value, const char *const *words);
bool bento_mf_check_filesystem(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                               const char *value);
bool bento_mf_check_bus_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                             const char *value);
bool bento_mf_check_own_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                             const char *value);
char *bento_mf_local_path(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *value, bool want_dir);
bool bento_mf_check_url(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                        const char *value, char **last);

/* ---- the parts of a manifest ---- */

void bento_mf_parse_root(ctx *c, struct fy_node *root, bento_manifest *m);
/* entry.c: the keys of the desktop entry (after m->desktop is read) and the
 * commands; command is the "command" value (n its node), which names the
 * default among "commands" when there are several.  Sets m->command. */
void bento_mf_parse_entry(ctx *c, const scope *sc, bento_manifest *m);
void bento_mf_parse_commands(ctx *c, const scope *sc, const char *command, struct fy_node *n,
                             bento_manifest *m);
void bento_mf_parse_permissions(ctx *c, struct fy_node *map, bento_manifest_permissions *p);
/* Every list exists, empty when the manifest does not say. */
void bento_mf_ensure_lists(bento_manifest_permissions *p);
void bento_mf_permissions_clear(bento_manifest_permissions *p);
void bento_mf_parse_modules(ctx *c, struct fy_node *seq, struct fy_node *key, int depth,
                            const char *parent, bento_module **out, size_t *n_out);
void bento_mf_add_build_order(bento_manifest *m, const bento_module *mods, size_t n, size_t *cap);
void bento_mf_module_clear(bento_module *mod);
void bento_mf_parse_source(ctx *c, struct fy_node *n, int index, const char *owner,
                           bento_source *s);
void bento_mf_source_clear(bento_source *s);

#endif
