/* SPDX-License-Identifier: MIT */
/* The build manifest: YAML parsed by libfyaml into a document, then walked
 * key by key into the data model of manifest.h.  The walk does not stop at
 * the first problem: every error is recorded with its line and column and
 * they are reported together, in file order. */
#include "manifest/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <sqfs/super.h>

#include "core/util.h"
#include "output/squashfs_writer.h"

/* More errors than this are not worth reading: the file is not a manifest. */
#define MAX_ERRORS 100

/* ---- small helpers ---- */

static char **strv_new(size_t n)
{
	return xcalloc(n + 1, sizeof(char *));
}

static void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void env_free(bento_env_var *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(env[i].name);
		free(env[i].value);
	}
	free(env);
}

static void source_clear(bento_source *s)
{
	free(s->url);
	free(s->path);
	free(s->sha256);
	free(s->dest);
	free(s->dest_filename);
	strv_free(s->options);
	strv_free(s->commands);
}

static void module_clear(bento_module *mod)
{
	free(mod->name);
	strv_free(mod->config_opts);
	strv_free(mod->make_args);
	strv_free(mod->make_install_args);
	strv_free(mod->build_commands);
	strv_free(mod->post_install);
	strv_free(mod->cleanup);
	free(mod->subdir);
	free(mod->build_options.cflags);
	free(mod->build_options.cxxflags);
	free(mod->build_options.ldflags);
	free(mod->build_options.prefix);
	env_free(mod->build_options.env, mod->build_options.n_env);
	for (size_t i = 0; i < mod->n_sources; i++)
		source_clear(&mod->sources[i]);
	free(mod->sources);
	for (size_t i = 0; i < mod->n_modules; i++)
		module_clear(&mod->modules[i]);
	free(mod->modules);
}

void bento_manifest_free(bento_manifest *m)
{
	if (m == NULL)
		return;
	free(m->path);
	free(m->base_dir);
	free(m->id);
	free(m->name);
	free(m->version);
	free(m->summary);
	free(m->license);
	free(m->command);
	bento_manifest_permissions *p = &m->permissions;
	strv_free(p->shared);
	strv_free(p->sockets);
	strv_free(p->devices);
	strv_free(p->features);
	strv_free(p->filesystems);
	strv_free(p->persistent);
	strv_free(p->talk_names);
	strv_free(p->own_names);
	strv_free(p->system_talk_names);
	strv_free(p->system_own_names);
	env_free(p->env, p->n_env);
	free(m->desktop);
	free(m->icon);
	free(m->appstream);
	free(m->bundle.compression);
	free(m->bundle.update_information);
	free(m->bundle.sign_key);
	for (size_t i = 0; i < m->n_modules; i++)
		module_clear(&m->modules[i]);
	free(m->modules);
	free(m->build_order);
	free(m);
}

static const char *const buildsystem_names[] = {
    [BENTO_BUILD_SIMPLE] = "simple", [BENTO_BUILD_AUTOTOOLS] = "autotools",
    [BENTO_BUILD_CMAKE] = "cmake",   [BENTO_BUILD_CMAKE_NINJA] = "cmake-ninja",
    [BENTO_BUILD_MESON] = "meson",   NULL,
};

static const char *const source_type_names[] = {
    [BENTO_SOURCE_ARCHIVE] = "archive",
    [BENTO_SOURCE_FILE] = "file",
    [BENTO_SOURCE_DIR] = "dir",
    [BENTO_SOURCE_PATCH] = "patch",
    [BENTO_SOURCE_DEB] = "deb",
    [BENTO_SOURCE_SHELL] = "shell",
    NULL,
};

const char *bento_buildsystem_name(bento_buildsystem b)
{
	return (unsigned)b < ARRAY_SIZE(buildsystem_names) - 1 ? buildsystem_names[b] : "?";
}

const char *bento_source_type_name(bento_source_type t)
{
	return (unsigned)t < ARRAY_SIZE(source_type_names) - 1 ? source_type_names[t] : "?";
}

/* A copy of len bytes of text, NUL-terminated. */
static char *dup_text(const char *s, size_t len)
{
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* ---- the error list ---- */

typedef struct diag {
	int line, column; /* 0: no position */
	size_t seq;       /* order of discovery, for a stable sort */
	char *msg;
} diag;

typedef struct module_name {
	const char *name;
	int line, column;
} module_name;

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

/* A node's start as libfyaml knows it.  libfyaml 0.7 has no public accessor
 * for the start mark of a mapping or sequence node, but its node reports
 * carry it: report into a private diagnostic object that collects instead of
 * printing, and read the position back. */
static bool node_mark(struct fy_node *n, int *line, int *column)
{
	if (n == NULL)
		return false;
	struct fy_diag_cfg cfg;
	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.colorize = false;
	struct fy_diag *d = fy_diag_create(&cfg);
	if (d == NULL)
		abort();
	fy_diag_set_collect_errors(d, true);
	fy_diag_node_report(d, n, FYET_ERROR, "%s", "mark");
	void *it = NULL;
	struct fy_diag_error *e = fy_diag_errors_iterate(d, &it);
	bool found = e != NULL && e->line > 0;
	if (found) {
		*line = e->line;
		*column = e->column;
	}
	fy_diag_destroy(d);
	return found;
}

static void add_diag(ctx *c, int line, int column, char *msg)
{
	if (c->n_diags >= MAX_ERRORS) {
		c->too_many = true;
		free(msg);
		return;
	}
	c->diags = realloc(c->diags, (c->n_diags + 1) * sizeof(*c->diags));
	if (c->diags == NULL)
		abort();
	c->diags[c->n_diags] = (diag){line, column, c->n_diags, msg};
	c->n_diags++;
}

/* Records an error at node n, or at fallback when n has no position (an
 * empty value has none: the key before it stands in). */
static void report(ctx *c, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(ctx *c, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
{
	if (c->n_diags >= MAX_ERRORS) {
		c->too_many = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	int line = 0, column = 0;
	if (!node_mark(n, &line, &column))
		node_mark(fallback, &line, &column);
	add_diag(c, line, column, msg);
}

static int diag_cmp(const void *a, const void *b)
{
	const diag *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The error value of an invalid manifest: a summary line, then one line per
 * error in file order. */
static int diags_to_error(ctx *c, bento_error **err)
{
	qsort(c->diags, c->n_diags, sizeof(*c->diags), diag_cmp);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		abort();
	fprintf(f, "%s: invalid manifest (%zu error%s%s)", c->name, c->n_diags,
	        c->n_diags == 1 ? "" : "s", c->too_many ? ", then too many to list" : "");
	for (size_t i = 0; i < c->n_diags; i++) {
		if (c->diags[i].line > 0)
			fprintf(f, "\n%s:%d:%d: %s", c->name, c->diags[i].line, c->diags[i].column,
			        c->diags[i].msg);
		else
			fprintf(f, "\n%s: %s", c->name, c->diags[i].msg);
	}
	if (fclose(f) != 0)
		abort();
	bento_error_set(err, 0, "%s", text);
	free(text);
	if (*err)
		(*err)->status = BENTO_EXIT_MANIFEST;
	return -1;
}

/* ---- "did you mean" ---- */

/* Optimal string alignment distance (a swap of two neighbours costs 1),
 * ignoring case; words longer than 63 bytes are never close. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return UINT_MAX;
	unsigned d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* " (did you mean \"x\"?)" when one word is close enough, else "". */
static char *suggest(const char *word, const char *const *words)
{
	const char *best = NULL;
	unsigned best_d = UINT_MAX;
	size_t len = strlen(word);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	for (const char *const *w = words; *w; w++) {
		unsigned d = edit_distance(word, *w);
		if (d <= limit && d < best_d) {
			best = *w;
			best_d = d;
		}
	}
	return best ? xasprintf(" (did you mean \"%s\"?)", best) : xstrdup("");
}

static char *join_words(const char *const *words)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		abort();
	for (const char *const *w = words; *w; w++)
		fprintf(f, "%s%s", w == words ? "" : ", ", *w);
	if (fclose(f) != 0)
		abort();
	return text;
}

/* ---- reading nodes ---- */

/* A printable form of a scalar for messages: quoted, control characters
 * escaped, long values cut. */
static char *quote(const char *s, size_t len)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	if (f == NULL)
		abort();
	fputc('"', f);
	for (size_t i = 0; i < len && i < 80; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputs(len > 80 ? "\"..." : "\"", f);
	if (fclose(f) != 0)
		abort();
	return text;
}

static bool is_null(struct fy_node *n)
{
	if (n == NULL)
		return true;
	if (!fy_node_is_scalar(n) || fy_node_is_alias(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	return s == NULL || len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
	                     memcmp(s, "NULL", 4) == 0));
}

/* "a string", "a sequence", ... for "found ..." */
static const char *kind(struct fy_node *n)
{
	if (is_null(n))
		return "nothing";
	if (fy_node_is_alias(n))
		return "an alias (aliases are not supported)";
	if (fy_node_is_sequence(n))
		return "a sequence";
	if (fy_node_is_mapping(n))
		return "a mapping";
	return "a string";
}

/* The scalar text of n if it is a string (not null, not an alias). */
static const char *scalar(struct fy_node *n, size_t *len)
{
	if (is_null(n) || fy_node_is_alias(n) || !fy_node_is_scalar(n))
		return NULL;
	const char *s = fy_node_get_scalar(n, len);
	if (s == NULL) {
		s = "";
		*len = 0;
	}
	return s;
}

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

static struct fy_node_pair *find_pair(struct fy_node *map, const char *key)
{
	void *it = NULL;
	struct fy_node_pair *p;
	size_t klen = strlen(key);
	while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
		size_t len;
		const char *s = scalar(fy_node_pair_key(p), &len);
		if (s && len == klen && memcmp(s, key, len) == 0)
			return p;
	}
	return NULL;
}

static void missing(ctx *c, const scope *sc, const char *key, const char *hint)
{
	report(c, sc->map, NULL, "%s has no \"%s%s\"%s", sc->subject ? sc->subject : "the manifest",
	       sc->prefix, key, hint ? hint : "");
}

/* Finds key in the scope; reports it missing when required.  *keyp gets the
 * key node (for errors about an empty value). */
static struct fy_node *lookup(ctx *c, const scope *sc, const char *key, bool required,
                              struct fy_node **keyp)
{
	struct fy_node_pair *p = find_pair(sc->map, key);
	*keyp = p ? fy_node_pair_key(p) : NULL;
	if (p == NULL) {
		if (required)
			missing(c, sc, key, NULL);
		return NULL;
	}
	return fy_node_pair_value(p);
}

static bool text_ok(ctx *c, const scope *sc, const char *key, struct fy_node *n, struct fy_node *k,
                    const char *s, size_t len, unsigned rules)
{
	if ((rules & TEXT_NONEMPTY) && len == 0) {
		report(c, n, k, "\"%s%s\"%s must not be empty", sc->prefix, key, sc->owner);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool allowed = (rules & TEXT_LINES) && (ch == '\n' || ch == '\t');
		if ((ch < 0x20 || ch == 0x7f) && !allowed) {
			autofree char *q = quote(s, len);
			report(c, n, k,
			       "\"%s%s\"%s must not contain control characters%s, found %s",
			       sc->prefix, key, sc->owner,
			       ch == 0                ? " (NUL)"
			       : (rules & TEXT_LINES) ? ""
			                              : " or line breaks",
			       q);
			return false;
		}
	}
	return true;
}

/* A string value; NULL when absent or wrong (then reported). */
static char *get_string(ctx *c, const scope *sc, const char *key, unsigned rules,
                        struct fy_node **nodep)
{
	struct fy_node *k;
	struct fy_node *n = lookup(c, sc, key, rules & TEXT_REQUIRED, &k);
	if (nodep)
		*nodep = n ? n : k;
	if (k == NULL)
		return NULL;
	size_t len;
	const char *s = scalar(n, &len);
	if (s == NULL) {
		report(c, n, k, "\"%s%s\"%s must be a string, found %s", sc->prefix, key, sc->owner,
		       kind(n));
		return NULL;
	}
	if (!text_ok(c, sc, key, n, k, s, len, rules))
		return NULL;
	return dup_text(s, len);
}

/* Reports a repeated item of a list (the first one is kept). */
static bool repeated(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                     const char *value)
{
	struct fy_node *seq = fy_node_get_parent(item);
	void *it = NULL;
	struct fy_node *other;
	while ((other = fy_node_sequence_iterate(seq, &it)) != NULL && other != item) {
		size_t len;
		const char *s = scalar(other, &len);
		if (s && len == strlen(value) && memcmp(s, value, len) == 0) {
			autofree char *q = quote(value, len);
			report(c, item, NULL, "%s is listed twice in \"%s%s\"%s", q, sc->prefix,
			       key, sc->owner);
			return true;
		}
	}
	return false;
}

/* A list of strings; an empty list when absent or wrong.  Each element is
 * handed to check (if not NULL), which reports and returns false to drop it,
 * and must be one of words (if not NULL). */
typedef bool (*item_check)(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                           const char *value);

static bool check_word(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                       const char *value, const char *const *words);

static char **get_list(ctx *c, const scope *sc, const char *key, unsigned rules, item_check check,
                       const char *const *words, struct fy_node **nodep)
{
	struct fy_node *k;
	struct fy_node *n = lookup(c, sc, key, rules & TEXT_REQUIRED, &k);
	if (nodep)
		*nodep = n ? n : k;
	if (k == NULL)
		return strv_new(0);
	if (!fy_node_is_sequence(n) || fy_node_is_alias(n)) {
		report(c, n, k, "\"%s%s\"%s must be a list of strings, found %s", sc->prefix, key,
		       sc->owner, kind(n));
		return strv_new(0);
	}
	int count = fy_node_sequence_item_count(n);
	if ((rules & TEXT_SET) && count > MAX_SET) {
		report(c, n, k, "\"%s%s\"%s has %d items, more than the %d allowed", sc->prefix,
		       key, sc->owner, count, MAX_SET);
		return strv_new(0);
	}
	char **v = strv_new(count > 0 ? (size_t)count : 0);
	size_t out = 0;
	void *it = NULL;
	struct fy_node *item;
	for (int i = 1; (item = fy_node_sequence_iterate(n, &it)) != NULL; i++) {
		size_t len;
		const char *s = scalar(item, &len);
		if (s == NULL) {
			report(c, item, n, "item %d of \"%s%s\"%s must be a string, found %s", i,
			       sc->prefix, key, sc->owner, kind(item));
			continue;
		}
		if (len == 0) {
			report(c, item, n, "item %d of \"%s%s\"%s must not be empty", i, sc->prefix,
			       key, sc->owner);
			continue;
		}
		if (!text_ok(c, sc, key, item, n, s, len, rules))
			continue;
		autofree char *value = dup_text(s, len);
		if (check && !check(c, sc, key, item, value))
			continue;
		if (words && !check_word(c, sc, key, item, value, words))
			continue;
		if ((rules & TEXT_SET) && repeated(c, sc, key, item, value))
			continue;
		v[out++] = steal_pointer(&value);
	}
	return v;
}

/* Strict unsigned decimal. */
static bool get_uint(ctx *c, const scope *sc, const char *key, unsigned long max,
                     unsigned long *out)
{
	struct fy_node *k;
	struct fy_node *n = lookup(c, sc, key, false, &k);
	if (k == NULL)
		return false;
	size_t len;
	const char *s = scalar(n, &len);
	bool ok = s != NULL && len > 0 && len <= 10 && fy_node_get_style(n) == FYNS_PLAIN;
	unsigned long v = 0;
	for (size_t i = 0; ok && i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			ok = false;
		else
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!ok || v > max) {
		autofree char *q = s ? quote(s, len) : NULL;
		report(c, n, k, "\"%s%s\"%s must be a whole number from 0 to %lu, found %s",
		       sc->prefix, key, sc->owner, max, q ? q : kind(n));
		return false;
	}
	*out = v;
	return true;
}

static bool get_bool(ctx *c, const scope *sc, const char *key, bool *out)
{
	struct fy_node *k;
	struct fy_node *n = lookup(c, sc, key, false, &k);
	if (k == NULL)
		return false;
	size_t len;
	const char *s = scalar(n, &len);
	if (s && fy_node_get_style(n) == FYNS_PLAIN) {
		static const char *const yes[] = {"true", "True", "TRUE"};
		static const char *const no[] = {"false", "False", "FALSE"};
		for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
			if (len == strlen(yes[i]) && memcmp(s, yes[i], len) == 0)
				return *out = true, true;
			if (len == strlen(no[i]) && memcmp(s, no[i], len) == 0)
				return *out = false, true;
		}
	}
	autofree char *q = s ? quote(s, len) : NULL;
	report(c, n, k, "\"%s%s\"%s must be true or false, found %s", sc->prefix, key, sc->owner,
	       q ? q : kind(n));
	return false;
}

/* A mapping value: returns its node, or NULL when absent or wrong. */
static struct fy_node *get_mapping(ctx *c, const scope *sc, const char *key)
{
	struct fy_node *k;
	struct fy_node *n = lookup(c, sc, key, false, &k);
	if (k == NULL)
		return NULL;
	if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		report(c, n, k, "\"%s%s\"%s must be a mapping, found %s", sc->prefix, key,
		       sc->owner, kind(n));
		return NULL;
	}
	return n;
}

/* Reports keys of the scope that are not in allowed (nor in other, the keys
 * that exist but do not apply here, explained by other_why), keys that are
 * not strings, and known keys given twice.  (libfyaml's own check for
 * repeated keys is turned off: it takes quadratic time.) */
static void check_keys(ctx *c, const scope *sc, const char *const *allowed,
                       const char *const *other, const char *other_why)
{
	struct fy_node *first[32] = {NULL}; /* the key node of each allowed key seen */
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(sc->map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p);
		size_t len;
		const char *s = scalar(k, &len);
		if (s == NULL) {
			report(c, k, fy_node_pair_value(p), "keys must be strings, found %s%s%s",
			       kind(k), sc->subject ? " in " : " at the top level",
			       sc->subject ? sc->subject : "");
			continue;
		}
		size_t i = 0;
		while (allowed[i] &&
		       !(strlen(allowed[i]) == len && memcmp(allowed[i], s, len) == 0))
			i++;
		if (allowed[i] && i < ARRAY_SIZE(first) && first[i] == NULL) {
			first[i] = k;
			continue;
		}
		if (allowed[i]) {
			int line = 0, column = 0;
			node_mark(first[i], &line, &column);
			report(c, k, NULL, "key \"%s\" is given twice %s%s (first at line %d)",
			       allowed[i], sc->subject ? "in " : "at the top level",
			       sc->subject ? sc->subject : "", line);
			continue;
		}
		if (c->n_diags >= MAX_ERRORS) { /* (no use spelling out what is not shown) */
			c->too_many = true;
			continue;
		}
		autofree char *q = quote(s, len);
		bool elsewhere = false;
		for (const char *const *a = other; a && *a && !elsewhere; a++)
			elsewhere = strlen(*a) == len && memcmp(*a, s, len) == 0;
		if (elsewhere) {
			autofree char *list = join_words(allowed);
			report(c, k, NULL, "key %s does not apply to %s (its keys: %s)", q,
			       other_why, list);
			continue;
		}
		autofree char *word = dup_text(s, len);
		autofree char *hint = suggest(word, allowed);
		report(c, k, NULL, "unknown key %s %s%s%s", q,
		       sc->subject ? "in " : "at the top level", sc->subject ? sc->subject : "",
		       hint);
	}
}

/* The index of value in names, or -1 (reported). */
static int get_enum(ctx *c, const scope *sc, const char *key, const char *const *names,
                    bool required)
{
	struct fy_node *n;
	autofree char *list = join_words(names);
	if (required && find_pair(sc->map, key) == NULL) {
		autofree char *hint = xasprintf(" (one of %s)", list);
		missing(c, sc, key, hint);
		return -1;
	}
	autofree char *value = get_string(c, sc, key, 0, &n);
	if (value == NULL)
		return -1;
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	autofree char *q = quote(value, strlen(value));
	autofree char *hint = suggest(value, names);
	report(c, n, NULL, "\"%s%s\"%s must be one of %s, found %s%s", sc->prefix, key, sc->owner,
	       list, q, hint);
	return -1;
}

/* ---- value rules ---- */

/* A relative path whose elements are neither empty, "." nor "..". */
static bool relative_path_ok(const char *p)
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

static bool check_relpath(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *value)
{
	if (relative_path_ok(value))
		return true;
	autofree char *q = quote(value, strlen(value));
	report(c, n, NULL,
	       "\"%s%s\"%s must be a relative path that stays inside (no leading \"/\", no \".\", "
	       "\"..\" or empty elements), found %s",
	       sc->prefix, key, sc->owner, q);
	return false;
}

static bool filename_ok(const char *s)
{
	return *s && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Cleanup entries: "/path/below/prefix" or a name pattern without "/". */
static bool check_cleanup(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                          const char *value)
{
	if ((value[0] == '/' && relative_path_ok(value + 1)) || filename_ok(value))
		return true;
	autofree char *q = quote(value, strlen(value));
	report(c, n, NULL,
	       "item of \"%s\"%s must be \"/path\" (below the prefix) or a file name pattern "
	       "without \"/\" (matched at any depth), with no \".\", \"..\" or empty elements, "
	       "found %s",
	       key, sc->owner, q);
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
static bool app_id_ok(const char *id)
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

static bool env_name_ok(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* The permission vocabulary of .bento/metadata (runtime/lib/permissions.h),
 * as lists so that an unknown value can be answered with the known ones and
 * a suggestion; `build` passes every value through
 * bento_permissions_apply_option as well. */
static const char *const shared_names[] = {"network", "ipc", NULL};
static const char *const socket_names[] = {
    "x11",        "wayland",  "fallback-x11", "pulseaudio", "session-bus",
    "system-bus", "ssh-auth", "cups",         "pcsc",       NULL,
};
static const char *const device_names[] = {"dri", "kvm", "input", "shm", "all", NULL};
static const char *const feature_names[] = {"devel", "multiarch", NULL};
static const char *const fs_names[] = {
    "home",          "host",         "host-os",    "host-etc",     "xdg-desktop",
    "xdg-documents", "xdg-download", "xdg-music",  "xdg-pictures", "xdg-public-share",
    "xdg-templates", "xdg-videos",   "xdg-config", "xdg-cache",    "xdg-data",
    "xdg-run",       NULL,
};

static bool in_words(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(*words, s) == 0)
			return true;
	return false;
}

static bool check_word(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                       const char *value, const char *const *words)
{
	if (!in_words(value, words)) {
		autofree char *list = join_words(words);
		autofree char *q = quote(value, strlen(value));
		autofree char *hint = suggest(value, words);
		report(c, item, NULL, "\"%s%s\"%s: unknown value %s%s (known: %s)", sc->prefix, key,
		       sc->owner, q, hint, list);
		return false;
	}
	return true;
}

/* home, host, xdg-download/sub, ~/path or /path, then :ro, :rw or :create. */
static bool check_filesystem(ctx *c, const scope *sc, const char *key, struct fy_node *item,
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
		ok = loc[1] == '\0' || relative_path_ok(loc + 1);
	else if (ok && loc[0] == '~')
		ok = loc[1] == '\0' || (loc[1] == '/' && relative_path_ok(loc + 2));
	else if (ok) {
		char *slash = strchr(loc, '/');
		if (slash) {
			ok = strncmp(loc, "xdg-", 4) == 0 && relative_path_ok(slash + 1);
			*slash = '\0';
		}
		ok = ok && in_words(loc, fs_names);
	}
	if (!ok) {
		autofree char *q = quote(value, strlen(value));
		report(c, item, NULL,
		       "\"%s%s\"%s: %s is not a filesystem permission (home, host, host-os, "
		       "host-etc, xdg-DIR[/path], ~/path or /path, optionally followed by :ro, "
		       ":rw or :create; no \".\", \"..\" or empty elements)",
		       sc->prefix, key, sc->owner, q);
		return false;
	}
	return true;
}

static bool check_bus_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                           const char *value)
{
	if (!bus_name_ok(value)) {
		autofree char *q = quote(value, strlen(value));
		report(c, item, NULL,
		       "\"%s%s\"%s: %s is not a D-Bus name (two or more dot-separated elements of "
		       "letters, digits, \"_\" and \"-\", not starting with a digit, optionally "
		       "ending in \".*\")",
		       sc->prefix, key, sc->owner, q);
		return false;
	}
	return true;
}

/* An own-names item: a bus name the app may own (bento_bus_own_problem). */
static bool check_own_name(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                           const char *value)
{
	if (!check_bus_name(c, sc, key, item, value))
		return false;
	const char *problem = c->app_id ? bento_bus_own_problem(c->app_id, value) : NULL;
	if (problem == NULL)
		return true;
	autofree char *q = quote(value, strlen(value));
	report(c, item, NULL, "\"%s%s\"%s: %s: %s (%s)", sc->prefix, key, sc->owner, q, problem,
	       c->app_id);
	return false;
}

/* A mapping of environment variables to string values. */
static bento_env_var *get_env(ctx *c, const scope *sc, const char *key, size_t *n_out)
{
	*n_out = 0;
	struct fy_node *map = get_mapping(c, sc, key);
	if (map == NULL)
		return NULL;
	int count = fy_node_mapping_item_count(map);
	if (count > MAX_SET) {
		report(c, map, NULL, "\"%s%s\"%s has %d variables, more than the %d allowed",
		       sc->prefix, key, sc->owner, count, MAX_SET);
		return NULL;
	}
	bento_env_var *env = xcalloc(count > 0 ? (size_t)count : 1, sizeof(*env));
	size_t n = 0;
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		size_t klen, vlen;
		const char *name = scalar(k, &klen);
		if (name == NULL || memchr(name, '\0', klen)) {
			report(c, k, v, "\"%s%s\"%s: variable names must be strings, found %s",
			       sc->prefix, key, sc->owner, kind(k));
			continue;
		}
		autofree char *nm = dup_text(name, klen);
		if (!env_name_ok(nm)) {
			autofree char *q = quote(name, klen);
			report(
			    c, k, NULL,
			    "\"%s%s\"%s: %s is not a variable name (letters, digits and \"_\", not "
			    "starting with a digit)",
			    sc->prefix, key, sc->owner, q);
			continue;
		}
		bool twice = false;
		for (size_t i = 0; i < n && !twice; i++)
			twice = strcmp(env[i].name, nm) == 0;
		if (twice) {
			report(c, k, NULL, "\"%s%s\"%s: variable %s is given twice", sc->prefix,
			       key, sc->owner, nm);
			continue;
		}
		const char *value = scalar(v, &vlen);
		if (value == NULL) {
			report(c, v, k, "\"%s%s.%s\"%s must be a string, found %s", sc->prefix, key,
			       nm, sc->owner, kind(v));
			continue;
		}
		autofree char *label = xasprintf("%s.%s", key, nm);
		if (!text_ok(c, sc, label, v, k, value, vlen, TEXT_LINE))
			continue;
		env[n].name = steal_pointer(&nm);
		env[n].value = dup_text(value, vlen);
		n++;
	}
	*n_out = n;
	return env;
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
	report(c, n, NULL,
	       "\"%s%s\"%s: %s is outside %s, the directory the manifest's files must be in (its "
	       "repository, or its own directory; --source-root=DIR names another)",
	       sc->prefix, key, sc->owner, real ? real : path, c->source_root);
	return false;
}

/* A local path: resolved; it must exist, lie below the source root and be
 * a directory (want_dir) or a regular file.  Returns the absolute path, or
 * NULL (reported). */
static char *local_path(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                        const char *value, bool want_dir)
{
	char *abs = resolve_path(c->base_dir, value);
	struct stat st;
	if (stat(abs, &st) < 0) {
		int e = errno;
		report(c, n, NULL, "\"%s%s\"%s: cannot use %s: %s", sc->prefix, key, sc->owner, abs,
		       strerror(e));
	} else if (!in_source_root(c, sc, key, n, abs)) {
		/* reported */
	} else if (want_dir && !S_ISDIR(st.st_mode)) {
		report(c, n, NULL, "\"%s%s\"%s: %s is not a directory", sc->prefix, key, sc->owner,
		       abs);
	} else if (!want_dir && !S_ISREG(st.st_mode)) {
		report(c, n, NULL, "\"%s%s\"%s: %s is not a regular file", sc->prefix, key,
		       sc->owner, abs);
	} else {
		return abs;
	}
	free(abs);
	return NULL;
}

/* http, https or file URL as libcurl understands it.  *last gets the URL's
 * last path element (decoded), if there is one. */
static bool check_url(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                      const char *value, char **last)
{
	CURLU *u = curl_url();
	if (u == NULL)
		abort();
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME);
	char *scheme = NULL, *path = NULL;
	bool ok = false;
	autofree char *q = quote(value, strlen(value));
	if (rc != CURLUE_OK) {
		report(c, n, NULL, "\"%s%s\"%s: %s is not a URL: %s", sc->prefix, key, sc->owner, q,
		       curl_url_strerror(rc));
	} else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	           (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
	            strcmp(scheme, "file") != 0)) {
		report(c, n, NULL,
		       "\"%s%s\"%s: %s: the URL scheme must be http, https or file, found \"%s\"",
		       sc->prefix, key, sc->owner, q, scheme ? scheme : "");
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

static bool sha256_ok(char *s)
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

/* ---- sources ---- */

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

static void parse_source(ctx *c, struct fy_node *n, int index, const char *owner, bento_source *s)
{
	node_mark(n, &s->line, &s->column);
	autofree char *subject = xasprintf("source %d%s", index, owner);
	autofree char *of = xasprintf(" of %s", subject);
	if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		report(c, n, NULL, "%s must be a mapping, found %s", subject, kind(n));
		return;
	}
	scope sc = {n, subject, "", of};
	int type = get_enum(c, &sc, "type", source_type_names, true);
	if (type < 0) {
		check_keys(c, &sc, src_all_keys, NULL, NULL);
		return;
	}
	s->type = (bento_source_type)type;
	autofree char *what = xasprintf("%s sources", source_type_names[type]);
	check_keys(c, &sc, src_keys[type], src_all_keys, what);

	/* (keys of other types were reported by check_keys: they are not read) */
	const char *const *keys = src_keys[type];
	bool remote_ok = in_words("url", keys);
	struct fy_node *url_n = NULL, *path_n = NULL, *sha_n = NULL;
	autofree char *url = remote_ok ? get_string(c, &sc, "url", TEXT_NONEMPTY, &url_n) : NULL;
	autofree char *path =
	    in_words("path", keys) ? get_string(c, &sc, "path", TEXT_NONEMPTY, &path_n) : NULL;
	autofree char *sha = remote_ok ? get_string(c, &sc, "sha256", TEXT_NONEMPTY, &sha_n) : NULL;
	autofree char *last = NULL;

	if (s->type == BENTO_SOURCE_DIR && path_n == NULL)
		missing(c, &sc, "path", " (the directory to copy)");
	if (remote_ok && url_n && path_n)
		report(c, n, NULL, "%s has both \"url\" and \"path\": give one of them", subject);
	else if (remote_ok && url_n == NULL && path_n == NULL)
		missing(c, &sc, "url", " or \"path\"");
	if (url && check_url(c, &sc, "url", url_n, url, &last))
		s->url = steal_pointer(&url);
	if (path) {
		s->path = local_path(c, &sc, "path", path_n, path, s->type == BENTO_SOURCE_DIR);
		const char *slash = strrchr(path, '/');
		free(last);
		last = xstrdup(slash ? slash + 1 : path);
	}
	if (sha && !sha256_ok(sha)) {
		autofree char *q = quote(sha, strlen(sha));
		report(
		    c, sha_n, NULL,
		    "\"sha256\"%s must be 64 hexadecimal digits (the SHA-256 of the file), found "
		    "%s",
		    of, q);
	} else if (sha) {
		s->sha256 = steal_pointer(&sha);
	} else if (url_n && sha_n == NULL) {
		missing(c, &sc, "sha256", " (required with \"url\": the SHA-256 of the download)");
	}

	s->strip_components = 1;
	unsigned long strip;
	if (in_words("strip-components", keys) && get_uint(c, &sc, "strip-components", 255, &strip))
		s->strip_components = (unsigned)strip;

	struct fy_node *dn = NULL;
	autofree char *dest =
	    in_words("dest", keys) ? get_string(c, &sc, "dest", TEXT_NONEMPTY, &dn) : NULL;
	if (dest && check_relpath(c, &sc, "dest", dn, dest))
		s->dest = steal_pointer(&dest);

	if (s->type == BENTO_SOURCE_FILE) {
		struct fy_node *fn = NULL;
		autofree char *name = get_string(c, &sc, "dest-filename", TEXT_NONEMPTY, &fn);
		if (name && !filename_ok(name)) {
			autofree char *q = quote(name, strlen(name));
			report(c, fn, NULL,
			       "\"dest-filename\"%s must be a file name (no \"/\", not \".\" or "
			       "\"..\"), found %s",
			       of, q);
		} else if (name) {
			s->dest_filename = steal_pointer(&name);
		} else if (fn == NULL && (url_n || path_n) && last && filename_ok(last)) {
			s->dest_filename = steal_pointer(&last);
		} else if (fn == NULL && (s->url || s->path)) {
			report(c, n, NULL,
			       "%s: its URL or path does not end in a file name: add "
			       "\"dest-filename\"",
			       subject);
		}
	}
	s->options = s->type == BENTO_SOURCE_PATCH
	                 ? get_list(c, &sc, "options", TEXT_LINE, NULL, NULL, NULL)
	                 : strv_new(0);
	struct fy_node *cmds = NULL;
	s->commands =
	    s->type == BENTO_SOURCE_SHELL
	        ? get_list(c, &sc, "commands", TEXT_LINES | TEXT_REQUIRED, NULL, NULL, &cmds)
	        : strv_new(0);
	if (cmds && fy_node_is_sequence(cmds) && fy_node_sequence_item_count(cmds) == 0)
		report(c, cmds, NULL, "\"commands\"%s is empty: a shell source needs a command",
		       of);
}

/* ---- modules ---- */

static const char *const module_keys[] = {
    "name",           "buildsystem",  "config-opts", "make-args", "make-install-args",
    "build-commands", "post-install", "cleanup",     "subdir",    "build-options",
    "sources",        "modules",      NULL,
};
static const char *const build_option_keys[] = {"cflags", "cxxflags", "ldflags", "prefix",
                                                "env",    "network",  NULL};

static bool module_name_ok(const char *s)
{
	if (!isalnum((unsigned char)*s) || strlen(s) > 128)
		return false;
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-")] ==
	       '\0';
}

static void parse_build_options(ctx *c, struct fy_node *map, const char *owner,
                                bento_build_options *bo)
{
	autofree char *subject = xasprintf("\"build-options\"%s", owner);
	scope sc = {map, subject, "build-options.", owner};
	check_keys(c, &sc, build_option_keys, NULL, NULL);
	bo->cflags = get_string(c, &sc, "cflags", TEXT_LINE, NULL);
	bo->cxxflags = get_string(c, &sc, "cxxflags", TEXT_LINE, NULL);
	bo->ldflags = get_string(c, &sc, "ldflags", TEXT_LINE, NULL);
	struct fy_node *pn = NULL;
	autofree char *prefix = get_string(c, &sc, "prefix", TEXT_NONEMPTY, &pn);
	if (prefix && strcmp(prefix, "/app") != 0 &&
	    !(strncmp(prefix, "/app/", 5) == 0 && relative_path_ok(prefix + 5))) {
		autofree char *q = quote(prefix, strlen(prefix));
		report(c, pn, NULL,
		       "\"build-options.prefix\"%s must be /app or a directory below it, found %s",
		       owner, q);
	} else if (prefix) {
		bo->prefix = steal_pointer(&prefix);
	}
	bo->env = get_env(c, &sc, "env", &bo->n_env);
	get_bool(c, &sc, "network", &bo->network);
}

static void parse_modules(ctx *c, struct fy_node *seq, struct fy_node *key, int depth,
                          const char *parent, bento_module **out, size_t *n_out);

static void parse_module_keys(ctx *c, struct fy_node *n, int depth, unsigned number,
                              bento_module *mod)
{
	autofree char *numbered = xasprintf("module %u", number);
	scope sc = {n, numbered, "", ""};
	struct fy_node *nn = NULL;
	autofree char *name = get_string(c, &sc, "name", TEXT_REQUIRED, &nn);
	if (name && !module_name_ok(name)) {
		autofree char *q = quote(name, strlen(name));
		report(
		    c, nn, NULL,
		    "\"name\" of module %u must be 1 to 128 letters, digits, \".\", \"_\", \"+\" "
		    "or \"-\", starting with a letter or digit, found %s",
		    number, q);
		free(name);
		name = NULL;
	}
	if (name) {
		for (size_t i = 0; i < c->n_names; i++) {
			if (strcmp(c->names[i].name, name) == 0) {
				report(c, nn, NULL,
				       "duplicate module name \"%s\" (module names must be unique; "
				       "the first is at line %d)",
				       name, c->names[i].line);
				break;
			}
		}
		c->names = realloc(c->names, (c->n_names + 1) * sizeof(*c->names));
		if (c->names == NULL)
			abort();
		c->names[c->n_names] = (module_name){name, mod->line, mod->column};
		node_mark(nn, &c->names[c->n_names].line, &c->names[c->n_names].column);
		c->n_names++;
		mod->name = steal_pointer(&name);
	}
	autofree char *subject =
	    mod->name ? xasprintf("module \"%s\"", mod->name) : xasprintf("module %u", number);
	autofree char *owner = xasprintf(" of %s", subject);
	sc = (scope){n, subject, "", owner};
	check_keys(c, &sc, module_keys, NULL, NULL);

	int bs = get_enum(c, &sc, "buildsystem", buildsystem_names, true);
	mod->buildsystem = bs < 0 ? BENTO_BUILD_SIMPLE : (bento_buildsystem)bs;
	struct fy_node *cn = NULL, *mn = NULL, *mi = NULL, *bn = NULL;
	mod->config_opts = get_list(c, &sc, "config-opts", TEXT_LINE, NULL, NULL, &cn);
	mod->make_args = get_list(c, &sc, "make-args", TEXT_LINE, NULL, NULL, &mn);
	mod->make_install_args = get_list(c, &sc, "make-install-args", TEXT_LINE, NULL, NULL, &mi);
	mod->build_commands = get_list(c, &sc, "build-commands", TEXT_LINES, NULL, NULL, &bn);
	mod->post_install = get_list(c, &sc, "post-install", TEXT_LINES, NULL, NULL, NULL);
	mod->cleanup = get_list(c, &sc, "cleanup", TEXT_LINE, check_cleanup, NULL, NULL);
	if (bs == BENTO_BUILD_SIMPLE) {
		struct fy_node *nodes[] = {cn, mn, mi};
		const char *keys[] = {"config-opts", "make-args", "make-install-args"};
		for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
			if (nodes[i])
				report(
				    c, nodes[i], NULL,
				    "\"%s\"%s does not apply to buildsystem simple (its build is "
				    "\"build-commands\" alone)",
				    keys[i], owner);
		if (bn == NULL)
			missing(c, &sc, "build-commands", " (required by buildsystem simple)");
		else if (mod->build_commands[0] == NULL && fy_node_is_sequence(bn))
			report(
			    c, bn, NULL,
			    "\"build-commands\"%s is empty: buildsystem simple needs at least one "
			    "command",
			    owner);
	}
	struct fy_node *sn = NULL;
	autofree char *subdir = get_string(c, &sc, "subdir", TEXT_NONEMPTY, &sn);
	if (subdir && check_relpath(c, &sc, "subdir", sn, subdir))
		mod->subdir = steal_pointer(&subdir);

	struct fy_node *bo = get_mapping(c, &sc, "build-options");
	if (bo)
		parse_build_options(c, bo, owner, &mod->build_options);

	struct fy_node *k;
	struct fy_node *srcs = lookup(c, &sc, "sources", false, &k);
	if (k && (!fy_node_is_sequence(srcs) || fy_node_is_alias(srcs))) {
		report(c, srcs, k, "\"sources\"%s must be a list of sources, found %s", owner,
		       kind(srcs));
	} else if (k) {
		int count = fy_node_sequence_item_count(srcs);
		mod->sources = xcalloc(count > 0 ? (size_t)count : 1, sizeof(*mod->sources));
		void *it = NULL;
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(srcs, &it)) != NULL) {
			bento_source *s = &mod->sources[mod->n_sources++];
			parse_source(c, item, (int)mod->n_sources, owner, s);
			if (s->options == NULL)
				s->options = strv_new(0);
			if (s->commands == NULL)
				s->commands = strv_new(0);
		}
	}

	struct fy_node *kids = lookup(c, &sc, "modules", false, &k);
	if (k)
		parse_modules(c, kids, k, depth + 1, subject, &mod->modules, &mod->n_modules);
}

static void parse_module(ctx *c, struct fy_node *n, int depth, bento_module *mod)
{
	unsigned number = ++c->n_modules_seen;
	if (number <= BENTO_MANIFEST_MAX_MODULES)
		node_mark(n, &mod->line, &mod->column);
	if (number > BENTO_MANIFEST_MAX_MODULES) {
		if (number == BENTO_MANIFEST_MAX_MODULES + 1)
			report(c, n, NULL, "more than %d modules", BENTO_MANIFEST_MAX_MODULES);
	} else if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		report(c, n, NULL, "module %u must be a mapping, found %s", number, kind(n));
	} else {
		parse_module_keys(c, n, depth, number, mod);
	}
	/* every list exists, even in a module with errors, so that freeing and
	 * the canonical text need no special cases */
	if (mod->config_opts == NULL)
		mod->config_opts = strv_new(0);
	if (mod->make_args == NULL)
		mod->make_args = strv_new(0);
	if (mod->make_install_args == NULL)
		mod->make_install_args = strv_new(0);
	if (mod->build_commands == NULL)
		mod->build_commands = strv_new(0);
	if (mod->post_install == NULL)
		mod->post_install = strv_new(0);
	if (mod->cleanup == NULL)
		mod->cleanup = strv_new(0);
	if (mod->build_options.prefix == NULL)
		mod->build_options.prefix = xstrdup("/app");
}

static void parse_modules(ctx *c, struct fy_node *seq, struct fy_node *key, int depth,
                          const char *parent, bento_module **out, size_t *n_out)
{
	const char *where = parent ? parent : "the manifest";
	if (!fy_node_is_sequence(seq) || fy_node_is_alias(seq)) {
		report(c, seq, key, "\"modules\" of %s must be a list of modules, found %s", where,
		       kind(seq));
		return;
	}
	int count = fy_node_sequence_item_count(seq);
	if (count <= 0) {
		if (parent == NULL)
			report(c, seq, key, "\"modules\" is empty: the manifest needs a module");
		return;
	}
	if (depth > BENTO_MANIFEST_MAX_MODULE_DEPTH) {
		report(c, seq, key, "modules are nested more than %d deep (in %s)",
		       BENTO_MANIFEST_MAX_MODULE_DEPTH, where);
		return;
	}
	*out = xcalloc((size_t)count, sizeof(**out));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(seq, &it)) != NULL)
		parse_module(c, item, depth, &(*out)[(*n_out)++]);
}

static void add_build_order(bento_manifest *m, const bento_module *mods, size_t n, size_t *cap)
{
	for (size_t i = 0; i < n; i++) {
		add_build_order(m, mods[i].modules, mods[i].n_modules, cap);
		if (m->n_build_order == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			m->build_order = realloc(m->build_order, *cap * sizeof(*m->build_order));
			if (m->build_order == NULL)
				abort();
		}
		m->build_order[m->n_build_order++] = &mods[i];
	}
}

/* ---- the top level ---- */

static const char *const top_keys[] = {
    "id",      "name",    "version", "summary",   "license", "command", "permissions",
    "modules", "desktop", "icon",    "appstream", "bundle",  NULL,
};
static const char *const permission_keys[] = {
    "shared",     "sockets",   "devices",           "features",         "filesystems", "persistent",
    "talk-names", "own-names", "system-talk-names", "system-own-names", "env",         NULL,
};
static const char *const bundle_keys[] = {"compression",        "compression-level", "block-size",
                                          "update-information", "sign-key",          NULL};
static const char *const compression_names[] = {"gzip", "xz", "lz4", "zstd", NULL};

static void parse_permissions(ctx *c, struct fy_node *map, bento_manifest_permissions *p)
{
	scope sc = {map, "\"permissions\"", "permissions.", ""};
	check_keys(c, &sc, permission_keys, NULL, NULL);
	p->shared = get_list(c, &sc, "shared", TEXT_SET, NULL, shared_names, NULL);
	p->sockets = get_list(c, &sc, "sockets", TEXT_SET, NULL, socket_names, NULL);
	p->devices = get_list(c, &sc, "devices", TEXT_SET, NULL, device_names, NULL);
	p->features = get_list(c, &sc, "features", TEXT_SET, NULL, feature_names, NULL);
	p->filesystems = get_list(c, &sc, "filesystems", TEXT_SET, check_filesystem, NULL, NULL);
	p->persistent = get_list(c, &sc, "persistent", TEXT_SET, check_relpath, NULL, NULL);
	p->talk_names = get_list(c, &sc, "talk-names", TEXT_SET, check_bus_name, NULL, NULL);
	p->own_names = get_list(c, &sc, "own-names", TEXT_SET, check_own_name, NULL, NULL);
	p->system_talk_names =
	    get_list(c, &sc, "system-talk-names", TEXT_SET, check_bus_name, NULL, NULL);
	p->system_own_names =
	    get_list(c, &sc, "system-own-names", TEXT_SET, check_own_name, NULL, NULL);
	p->env = get_env(c, &sc, "env", &p->n_env);
}

/* "zsync|URL" or "gh-releases-zsync|user|repo|tag|filename", as the AppImage
 * update information specification has them. */
static void check_update_information(ctx *c, const scope *sc, struct fy_node *n, const char *s)
{
	autofree char *q = quote(s, strlen(s));
	if (strlen(s) > 1023) {
		report(c, n, NULL, "\"bundle.update-information\" is longer than 1023 bytes");
		return;
	}
	if (strncmp(s, "zsync|", 6) == 0) {
		if (!check_url(c, sc, "update-information", n, s + 6, NULL))
			return;
		if (strncmp(s + 6, "http://", 7) != 0 && strncmp(s + 6, "https://", 8) != 0)
			report(
			    c, n, NULL,
			    "\"bundle.update-information\": the zsync URL must be http or https, "
			    "found %s",
			    q);
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
	report(c, n, NULL,
	       "\"bundle.update-information\" must be \"zsync|URL\" or "
	       "\"gh-releases-zsync|USER|REPO|TAG|FILENAME\", found %s",
	       q);
}

static void parse_bundle(ctx *c, struct fy_node *map, bento_bundle *b)
{
	scope sc = {map, "\"bundle\"", "bundle.", ""};
	check_keys(c, &sc, bundle_keys, NULL, NULL);
	int comp = get_enum(c, &sc, "compression", compression_names, false);
	if (comp >= 0) {
		free(b->compression);
		b->compression = xstrdup(compression_names[comp]);
		b->compressor = bento_sqfs_compressor_from_name(b->compression);
	}
	unsigned long v;
	struct fy_node *k;
	if (get_uint(c, &sc, "compression-level", INT_MAX, &v)) {
		int min, max;
		struct fy_node *n = lookup(c, &sc, "compression-level", false, &k);
		if (bento_sqfs_level_range(b->compressor, &min, &max) < 0)
			report(c, n, NULL, "\"bundle.compression-level\": %s has no levels",
			       b->compression);
		else if ((long)v < min || (long)v > max)
			report(
			    c, n, NULL,
			    "\"bundle.compression-level\" must be from %d to %d for %s, found %lu",
			    min, max, b->compression, v);
		else
			b->level = (int)v;
	}
	if (get_uint(c, &sc, "block-size", SQFS_MAX_BLOCK_SIZE * 2UL, &v)) {
		if (v < SQFS_MIN_BLOCK_SIZE || v > SQFS_MAX_BLOCK_SIZE || (v & (v - 1)) != 0)
			report(c, lookup(c, &sc, "block-size", false, &k), NULL,
			       "\"bundle.block-size\" must be a power of two from %d to %d bytes, "
			       "found %lu",
			       SQFS_MIN_BLOCK_SIZE, SQFS_MAX_BLOCK_SIZE, v);
		else
			b->block_size = (uint32_t)v;
	}
	struct fy_node *un = NULL;
	b->update_information = get_string(c, &sc, "update-information", TEXT_NONEMPTY, &un);
	if (b->update_information)
		check_update_information(c, &sc, un, b->update_information);
	struct fy_node *kn = NULL;
	autofree char *key = get_string(c, &sc, "sign-key", TEXT_NONEMPTY, &kn);
	if (key) {
		const char *hex = strncmp(key, "0x", 2) == 0 ? key + 2 : key;
		size_t len = strlen(hex);
		if (strspn(hex, "0123456789abcdefABCDEF") != len ||
		    (len != 8 && len != 16 && len != 40 && len != 64)) {
			autofree char *q = quote(key, strlen(key));
			report(
			    c, kn, NULL,
			    "\"bundle.sign-key\" must be a gpg key id or fingerprint (8, 16, 40 or "
			    "64 hexadecimal digits), found %s",
			    q);
		} else {
			b->sign_key = steal_pointer(&key);
		}
	}
}

/* A path key of the top level: a regular file whose name ends in one of
 * exts. */
static char *get_file(ctx *c, const scope *sc, const char *key, bool required,
                      const char *const *exts)
{
	struct fy_node *n = NULL;
	autofree char *value =
	    get_string(c, sc, key, TEXT_NONEMPTY | (required ? TEXT_REQUIRED : 0), &n);
	if (value == NULL)
		return NULL;
	bool ext_ok = false;
	for (const char *const *e = exts; *e && !ext_ok; e++) {
		size_t vl = strlen(value), el = strlen(*e);
		ext_ok = vl > el && strcmp(value + vl - el, *e) == 0 && value[vl - el - 1] != '/';
	}
	if (!ext_ok) {
		autofree char *list = join_words(exts);
		autofree char *q = quote(value, strlen(value));
		report(c, n, NULL, "\"%s\" must name a file ending in %s, found %s", key, list, q);
		return NULL;
	}
	return local_path(c, sc, key, n, value, false);
}

static void parse_root(ctx *c, struct fy_node *root, bento_manifest *m)
{
	if (is_null(root)) {
		add_diag(c, 0, 0, xstrdup("the manifest is empty"));
		return;
	}
	if (!fy_node_is_mapping(root) || fy_node_is_alias(root)) {
		report(c, root, NULL, "the manifest must be a mapping of keys to values, found %s",
		       kind(root));
		return;
	}
	scope sc = {root, NULL, "", ""};
	check_keys(c, &sc, top_keys, NULL, NULL);

	struct fy_node *n;
	m->id = get_string(c, &sc, "id", TEXT_REQUIRED, &n);
	if (m->id && !app_id_ok(m->id)) {
		autofree char *q = quote(m->id, strlen(m->id));
		report(
		    c, n, NULL,
		    "\"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 "
		    "bytes; three or more elements of letters, digits, \"_\" and \"-\" separated "
		    "by dots, not under a prefix of the desktop's own services), found %s: it %s",
		    q, bento_app_id_problem(m->id, strlen(m->id)));
	} else if (m->id) {
		c->app_id = m->id;
	}
	m->name = get_string(c, &sc, "name", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	if (m->name && (strchr(m->name, '/') || strlen(m->name) > 255)) {
		autofree char *q = quote(m->name, strlen(m->name));
		report(c, n, NULL, "\"name\" must be at most 255 bytes without \"/\", found %s", q);
	}
	m->version = get_string(c, &sc, "version", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	if (m->version &&
	    (!isalnum((unsigned char)m->version[0]) || strlen(m->version) > 128 ||
	     m->version[strspn(m->version, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                   "0123456789.+~_-")] != '\0')) {
		autofree char *q = quote(m->version, strlen(m->version));
		report(c, n, NULL,
		       "\"version\" must be 1 to 128 letters, digits, \".\", \"+\", \"~\", \"_\" "
		       "or \"-\", starting with a letter or digit, found %s",
		       q);
	}
	m->summary = get_string(c, &sc, "summary", TEXT_NONEMPTY, NULL);
	m->license = get_string(c, &sc, "license", TEXT_NONEMPTY, NULL);

	autofree char *command = get_string(c, &sc, "command", TEXT_REQUIRED | TEXT_NONEMPTY, &n);
	if (command && filename_ok(command))
		m->command = xasprintf("bin/%s", command);
	else if (command && relative_path_ok(command))
		m->command = steal_pointer(&command);
	else if (command) {
		autofree char *q = quote(command, strlen(command));
		report(c, n, NULL,
		       "\"command\" must be a path relative to /app (bin/hello) or a name in "
		       "/app/bin (hello), with no \".\", \"..\" or empty elements, found %s",
		       q);
	}

	struct fy_node *perm = get_mapping(c, &sc, "permissions");
	if (perm)
		parse_permissions(c, perm, &m->permissions);

	static const char *const desktop_ext[] = {".desktop", NULL};
	static const char *const icon_ext[] = {".png", ".svg", ".svgz", ".xpm", NULL};
	static const char *const appstream_ext[] = {".xml", NULL};
	m->desktop = get_file(c, &sc, "desktop", false, desktop_ext);
	m->icon = get_file(c, &sc, "icon", true, icon_ext);
	m->appstream = get_file(c, &sc, "appstream", false, appstream_ext);

	struct fy_node *bundle = get_mapping(c, &sc, "bundle");
	if (bundle)
		parse_bundle(c, bundle, &m->bundle);

	struct fy_node *k;
	struct fy_node *mods = lookup(c, &sc, "modules", true, &k);
	if (k)
		parse_modules(c, mods, k, 1, NULL, &m->modules, &m->n_modules);
}

/* ---- loading ---- */

static void ensure_lists(bento_manifest_permissions *p)
{
	char ***lists[] = {&p->shared,          &p->sockets,     &p->devices,
	                   &p->features,        &p->filesystems, &p->persistent,
	                   &p->talk_names,      &p->own_names,   &p->system_talk_names,
	                   &p->system_own_names};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (*lists[i] == NULL)
			*lists[i] = strv_new(0);
}

/* libfyaml's own messages (syntax errors), with their positions. */
static void collect_yaml_errors(ctx *c, struct fy_diag *d)
{
	void *it = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(d, &it)) != NULL)
		if (e->type >= FYET_ERROR)
			add_diag(c, e->line > 0 ? e->line : 0, e->line > 0 ? e->column : 0,
			         xasprintf("%s", e->msg ? e->msg : "YAML error"));
}

int bento_manifest_parse(const char *name, const char *base_dir, const char *source_root,
                         const char *data, size_t len, bento_manifest **out, bento_error **err)
{
	*out = NULL;
	if (len > BENTO_MANIFEST_MAX_SIZE) {
		bento_error_set(err, EFBIG, "%s: the manifest is larger than %d bytes", name,
		                BENTO_MANIFEST_MAX_SIZE);
		if (*err)
			(*err)->status = BENTO_EXIT_MANIFEST;
		return -1;
	}
	ctx c = {.name = name,
	         .base_dir = base_dir,
	         .source_root = source_root ? source_root : base_dir};
	bento_manifest *m = xcalloc(1, sizeof(*m));
	m->base_dir = xstrdup(base_dir);
	m->path = xstrdup(name);
	m->bundle = (bento_bundle){.compression = xstrdup("zstd"),
	                           .compressor = bento_sqfs_compressor_from_name("zstd"),
	                           .level = BENTO_SQFS_DEFAULT_LEVEL,
	                           .block_size = SQFS_DEFAULT_BLOCK_SIZE};

	/* YAML streams cannot contain NUL; libfyaml would take one for the end */
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		int line = 1, column = 1;
		for (const char *p = data; p < nul; p++, column++)
			if (*p == '\n')
				line++, column = 0;
		add_diag(&c, line, column, xstrdup("a NUL byte: a manifest is text"));
		diags_to_error(&c, err);
		free(c.diags[0].msg);
		free(c.diags);
		bento_manifest_free(m);
		return -1;
	}

	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.colorize = false;
	struct fy_diag *ydiag = fy_diag_create(&dcfg);
	if (ydiag == NULL)
		abort();
	fy_diag_set_collect_errors(ydiag, true);
	/* no mmap, no file access: the text is in memory; YAML 1.2; no
	 * resolution of aliases (they are refused: a few aliases can expand
	 * into a huge document); repeated keys are found by check_keys */
	struct fy_parse_cfg cfg = {
	    .flags = FYPCF_QUIET | FYPCF_DISABLE_MMAP_OPT | FYPCF_DEFAULT_VERSION_1_2 |
	             FYPCF_JSON_NONE | FYPCF_ALLOW_DUPLICATE_KEYS,
	    .diag = ydiag,
	};
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (fyp == NULL)
		abort();
	struct fy_document *doc = NULL;
	if (fy_parser_set_string(fyp, data, len) == 0)
		doc = fy_parse_load_document(fyp);
	if (doc == NULL && !fy_diag_got_error(ydiag))
		add_diag(&c, 0, 0, xstrdup("the manifest is empty"));
	else if (doc && fy_diag_got_error(ydiag) == false) {
		struct fy_document *next = fy_parse_load_document(fyp);
		if (next) {
			report(&c, fy_document_root(next), NULL,
			       "a second YAML document: the manifest must be one document");
			fy_document_destroy(next);
		}
	}
	collect_yaml_errors(&c, ydiag);
	if (doc && c.n_diags == 0)
		parse_root(&c, fy_document_root(doc), m);
	ensure_lists(&m->permissions);
	if (doc)
		fy_document_destroy(doc);
	fy_parser_destroy(fyp);
	fy_diag_destroy(ydiag);
	free(c.names);

	int rc = 0;
	if (c.n_diags > 0) {
		rc = diags_to_error(&c, err);
		bento_manifest_free(m);
	} else {
		size_t cap = 0;
		add_build_order(m, m->modules, m->n_modules, &cap);
		*out = m;
	}
	for (size_t i = 0; i < c.n_diags; i++)
		free(c.diags[i].msg);
	free(c.diags);
	return rc;
}

/* The closest directory from dir up that holds .git: the repository the
 * manifest is part of; or dir itself. */
static char *repository_of(const char *dir)
{
	autofree char *cur = xstrdup(dir);
	for (;;) {
		autofree char *git = xasprintf("%s/.git", strcmp(cur, "/") == 0 ? "" : cur);
		struct stat st;
		if (lstat(git, &st) == 0)
			return steal_pointer(&cur);
		char *slash = strrchr(cur, '/');
		if (slash == NULL || strcmp(cur, "/") == 0)
			return xstrdup(dir);
		slash[slash == cur ? 1 : 0] = '\0';
	}
}

int bento_manifest_load(const char *path, const char *source_root, bento_manifest **out,
                        bento_error **err)
{
	*out = NULL;
	struct stat st;
	autofree char *data = NULL;
	size_t len = 0;
	/* (stat first: opening a FIFO would block) */
	if (stat(path, &st) < 0) {
		bento_error_errno(err, "cannot read %s", path);
	} else if (!S_ISREG(st.st_mode)) {
		bento_error_set(err, EINVAL, "%s is not a regular file", path);
	} else {
		bento_read_file_at(AT_FDCWD, path, BENTO_MANIFEST_MAX_SIZE, &data, &len, err);
	}
	if (data == NULL) {
		if (*err)
			(*err)->status = BENTO_EXIT_MANIFEST;
		return -1;
	}
	/* the manifest's directory, absolute */
	autofree char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	autofree char *base = realpath(dir, NULL);
	if (base == NULL) {
		bento_error_errno(err, "%s: cannot resolve the directory %s", path, dir);
		(*err)->status = BENTO_EXIT_MANIFEST;
		return -1;
	}
	autofree char *root = source_root ? realpath(source_root, NULL) : repository_of(base);
	if (root == NULL) {
		bento_error_errno(err, "--source-root %s", source_root);
		(*err)->status = BENTO_EXIT_MANIFEST;
		return -1;
	}
	return bento_manifest_parse(path, base, root, data, len, out, err);
}

/* ---- the canonical text of a module ---- */

static void put(FILE *f, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(f, "%s ", key);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

static void put_list(FILE *f, const char *key, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		put(f, key, v[i]);
}

char *bento_module_canonical(const bento_module *mod)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		abort();
	fputs("bento-module 1\n", f);
	put(f, "name", mod->name);
	put(f, "buildsystem", bento_buildsystem_name(mod->buildsystem));
	put_list(f, "config-opts", mod->config_opts);
	put_list(f, "make-args", mod->make_args);
	put_list(f, "make-install-args", mod->make_install_args);
	put_list(f, "build-commands", mod->build_commands);
	put_list(f, "post-install", mod->post_install);
	put_list(f, "cleanup", mod->cleanup);
	put(f, "subdir", mod->subdir);
	const bento_build_options *bo = &mod->build_options;
	put(f, "build-options.cflags", bo->cflags);
	put(f, "build-options.cxxflags", bo->cxxflags);
	put(f, "build-options.ldflags", bo->ldflags);
	put(f, "build-options.prefix", bo->prefix);
	for (size_t i = 0; i < bo->n_env; i++) {
		autofree char *kv = xasprintf("%s=%s", bo->env[i].name, bo->env[i].value);
		put(f, "build-options.env", kv);
	}
	put(f, "build-options.network", bo->network ? "true" : "false");
	for (size_t i = 0; i < mod->n_sources; i++) {
		const bento_source *s = &mod->sources[i];
		put(f, "source", bento_source_type_name(s->type));
		put(f, "source.url", s->url);
		put(f, "source.path", s->path);
		put(f, "source.sha256", s->sha256);
		if (s->type == BENTO_SOURCE_ARCHIVE || s->type == BENTO_SOURCE_PATCH) {
			autofree char *n = xasprintf("%u", s->strip_components);
			put(f, "source.strip-components", n);
		}
		put(f, "source.dest", s->dest);
		put(f, "source.dest-filename", s->dest_filename);
		put_list(f, "source.options", s->options);
		put_list(f, "source.commands", s->commands);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}
