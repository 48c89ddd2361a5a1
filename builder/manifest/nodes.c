/* SPDX-License-Identifier: MIT */
/* Reading the YAML nodes of a manifest: strings, lists, whole numbers,
 * booleans, mappings and environment variables, with the text rules of
 * parse.h; the check of a mapping's keys.  A value that is missing or of the
 * wrong kind is reported with the key's place in the manifest. */
#include "manifest/parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

char **bento_mf_strv_new(size_t n)
{
	return xcalloc(n + 1, sizeof(char *));
}

void bento_mf_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void bento_mf_env_free(bento_env_var *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(env[i].name);
		free(env[i].value);
	}
	free(env);
}

/* A copy of len bytes of text, NUL-terminated. */
static char *dup_text(const char *s, size_t len)
{
	char *d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

bool bento_mf_is_null(struct fy_node *n)
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
const char *bento_mf_kind(struct fy_node *n)
{
	if (bento_mf_is_null(n))
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
	if (bento_mf_is_null(n) || fy_node_is_alias(n) || !fy_node_is_scalar(n))
		return NULL;
	const char *s = fy_node_get_scalar(n, len);
	if (s == NULL) {
		s = "";
		*len = 0;
	}
	return s;
}

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

void bento_mf_missing(ctx *c, const scope *sc, const char *key, const char *hint)
{
	bento_mf_report(c, sc->map, NULL, "%s has no \"%s%s\"%s",
	                sc->subject ? sc->subject : "the manifest", sc->prefix, key,
	                hint ? hint : "");
}

/* Finds key in the scope; reports it missing when required.  *keyp gets the
 * key node (for errors about an empty value). */
struct fy_node *bento_mf_lookup(ctx *c, const scope *sc, const char *key, bool required,
                                struct fy_node **keyp)
{
	struct fy_node_pair *p = find_pair(sc->map, key);
	*keyp = p ? fy_node_pair_key(p) : NULL;
	if (p == NULL) {
		if (required)
			bento_mf_missing(c, sc, key, NULL);
		return NULL;
	}
	return fy_node_pair_value(p);
}

static bool text_ok(ctx *c, const scope *sc, const char *key, struct fy_node *n, struct fy_node *k,
                    const char *s, size_t len, unsigned rules)
{
	if ((rules & TEXT_NONEMPTY) && len == 0) {
		bento_mf_report_key(c, sc, key, n, k, " must not be empty");
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool allowed = (rules & TEXT_LINES) && (ch == '\n' || ch == '\t');
		if ((ch < 0x20 || ch == 0x7f) && !allowed) {
			autofree char *q = bento_mf_quote(s, len);
			bento_mf_report_key(c, sc, key, n, k,
			                    " must not contain control characters%s, found %s",
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
char *bento_mf_get_string(ctx *c, const scope *sc, const char *key, unsigned rules,
                          struct fy_node **nodep)
{
	struct fy_node *k;
	struct fy_node *n = bento_mf_lookup(c, sc, key, rules & TEXT_REQUIRED, &k);
	if (nodep)
		*nodep = n ? n : k;
	if (k == NULL)
		return NULL;
	size_t len;
	const char *s = scalar(n, &len);
	if (s == NULL) {
		bento_mf_report_key(c, sc, key, n, k, " must be a string, found %s",
		                    bento_mf_kind(n));
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
			autofree char *q = bento_mf_quote(value, len);
			autofree char *label = bento_mf_key_label(sc, key);
			bento_mf_report(c, item, NULL, "%s is listed twice in %s", q, label);
			return true;
		}
	}
	return false;
}

/* A list of strings; an empty list when absent or wrong.  Each element is
 * handed to check (if not NULL), which reports and returns false to drop it. */
char **bento_mf_get_list(ctx *c, const scope *sc, const char *key, unsigned rules, item_check check,
                         struct fy_node **nodep)
{
	struct fy_node *k;
	struct fy_node *n = bento_mf_lookup(c, sc, key, rules & TEXT_REQUIRED, &k);
	if (nodep)
		*nodep = n ? n : k;
	if (k == NULL)
		return bento_mf_strv_new(0);
	if (!fy_node_is_sequence(n) || fy_node_is_alias(n)) {
		bento_mf_report_key(c, sc, key, n, k, " must be a list of strings, found %s",
		                    bento_mf_kind(n));
		return bento_mf_strv_new(0);
	}
	int count = fy_node_sequence_item_count(n);
	if ((rules & TEXT_SET) && count > MAX_SET) {
		bento_mf_report_key(c, sc, key, n, k, " has %d items, more than the %d allowed",
		                    count, MAX_SET);
		return bento_mf_strv_new(0);
	}
	char **v = bento_mf_strv_new(count > 0 ? (size_t)count : 0);
	size_t out = 0;
	void *it = NULL;
	struct fy_node *item;
	for (int i = 1; (item = fy_node_sequence_iterate(n, &it)) != NULL; i++) {
		size_t len;
		const char *s = scalar(item, &len);
		if (s == NULL || len == 0) {
			autofree char *label = bento_mf_key_label(sc, key);
			if (s == NULL)
				bento_mf_report(c, item, n,
				                "item %d of %s must be a string, found %s", i,
				                label, bento_mf_kind(item));
			else
				bento_mf_report(c, item, n, "item %d of %s must not be empty", i,
				                label);
			continue;
		}
		if (!text_ok(c, sc, key, item, n, s, len, rules))
			continue;
		autofree char *value = dup_text(s, len);
		if (check && !check(c, sc, key, item, value))
			continue;
		if ((rules & TEXT_SET) && repeated(c, sc, key, item, value))
			continue;
		v[out++] = steal_pointer(&value);
	}
	return v;
}

/* The value of a key whose text is not quoted in YAML: a number, a boolean. */
typedef struct plain_value {
	struct fy_node *key, *node;
	const char *text; /* NULL when the value is not a plain (unquoted) string */
	size_t len;
} plain_value;

/* Finds key in sc; false when it is absent. */
static bool find_plain(ctx *c, const scope *sc, const char *key, plain_value *v)
{
	v->node = bento_mf_lookup(c, sc, key, false, &v->key);
	v->text =
	    v->node && fy_node_get_style(v->node) == FYNS_PLAIN ? scalar(v->node, &v->len) : NULL;
	return v->key != NULL;
}

/* What a value is, for "found ...": its text quoted, or what else it is. */
static char *found(struct fy_node *n)
{
	size_t len;
	const char *s = scalar(n, &len);
	return s ? bento_mf_quote(s, len) : xstrdup(bento_mf_kind(n));
}

/* Strict unsigned decimal. */
bool bento_mf_get_uint(ctx *c, const scope *sc, const char *key, unsigned long max,
                       unsigned long *out)
{
	plain_value v;
	if (!find_plain(c, sc, key, &v))
		return false;
	bool ok = v.text != NULL && v.len > 0 && v.len <= 10;
	unsigned long number = 0;
	for (size_t i = 0; ok && i < v.len; i++) {
		if (v.text[i] < '0' || v.text[i] > '9')
			ok = false;
		else
			number = number * 10 + (unsigned long)(v.text[i] - '0');
	}
	if (!ok || number > max) {
		autofree char *what = found(v.node);
		bento_mf_report_key(c, sc, key, v.node, v.key,
		                    " must be a whole number from 0 to %lu, found %s", max, what);
		return false;
	}
	*out = number;
	return true;
}

bool bento_mf_get_bool(ctx *c, const scope *sc, const char *key, bool *out)
{
	plain_value v;
	if (!find_plain(c, sc, key, &v))
		return false;
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	for (size_t i = 0; v.text && i < ARRAY_SIZE(yes); i++) {
		if (v.len == strlen(yes[i]) && memcmp(v.text, yes[i], v.len) == 0)
			return *out = true, true;
		if (v.len == strlen(no[i]) && memcmp(v.text, no[i], v.len) == 0)
			return *out = false, true;
	}
	autofree char *what = found(v.node);
	bento_mf_report_key(c, sc, key, v.node, v.key, " must be true or false, found %s", what);
	return false;
}

/* A mapping value: returns its node, or NULL when absent or wrong. */
struct fy_node *bento_mf_get_mapping(ctx *c, const scope *sc, const char *key)
{
	struct fy_node *k;
	struct fy_node *n = bento_mf_lookup(c, sc, key, false, &k);
	if (k == NULL)
		return NULL;
	if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		bento_mf_report_key(c, sc, key, n, k, " must be a mapping, found %s",
		                    bento_mf_kind(n));
		return NULL;
	}
	return n;
}

/* Reports keys of the scope that are not in allowed (nor in other, the keys
 * that exist but do not apply here, explained by other_why), keys that are
 * not strings, and known keys given twice.  (libfyaml's own check for
 * repeated keys is turned off: it takes quadratic time.) */
void bento_mf_check_keys(ctx *c, const scope *sc, const char *const *allowed,
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
			bento_mf_report(c, k, fy_node_pair_value(p),
			                "keys must be strings, found %s%s%s", bento_mf_kind(k),
			                sc->subject ? " in " : " at the top level",
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
			bento_mf_node_mark(first[i], &line, &column);
			bento_mf_report(c, k, NULL,
			                "key \"%s\" is given twice %s%s (first at line %d)",
			                allowed[i], sc->subject ? "in " : "at the top level",
			                sc->subject ? sc->subject : "", line);
			continue;
		}
		if (bento_mf_diags_full(c)) /* (no use spelling out what is not shown) */
			continue;
		autofree char *q = bento_mf_quote(s, len);
		bool elsewhere = false;
		for (const char *const *a = other; a && *a && !elsewhere; a++)
			elsewhere = strlen(*a) == len && memcmp(*a, s, len) == 0;
		if (elsewhere) {
			autofree char *list = bento_mf_join_words(allowed);
			bento_mf_report(c, k, NULL, "key %s does not apply to %s (its keys: %s)", q,
			                other_why, list);
			continue;
		}
		autofree char *word = dup_text(s, len);
		autofree char *hint = bento_mf_suggest(word, allowed);
		bento_mf_report(c, k, NULL, "unknown key %s %s%s%s", q,
		                sc->subject ? "in " : "at the top level",
		                sc->subject ? sc->subject : "", hint);
	}
}

/* The index of value in names, or -1 (reported). */
int bento_mf_get_enum(ctx *c, const scope *sc, const char *key, const char *const *names,
                      bool required)
{
	struct fy_node *n;
	autofree char *list = bento_mf_join_words(names);
	if (required && find_pair(sc->map, key) == NULL) {
		autofree char *hint = xasprintf(" (one of %s)", list);
		bento_mf_missing(c, sc, key, hint);
		return -1;
	}
	autofree char *value = bento_mf_get_string(c, sc, key, 0, &n);
	if (value == NULL)
		return -1;
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	autofree char *q = bento_mf_quote(value, strlen(value));
	autofree char *hint = bento_mf_suggest(value, names);
	bento_mf_report_key(c, sc, key, n, NULL, " must be one of %s, found %s%s", list, q, hint);
	return -1;
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

/* A mapping of names to one-line strings (environment variables, commands):
 * word names the items in messages ("variable"), name_ok checks each name
 * and name_rule says what it must be. */
bento_env_var *bento_mf_get_map(ctx *c, const scope *sc, const char *key, const char *word,
                                bool (*name_ok)(const char *), const char *name_rule, size_t *n_out)
{
	*n_out = 0;
	struct fy_node *map = bento_mf_get_mapping(c, sc, key);
	if (map == NULL)
		return NULL;
	int count = fy_node_mapping_item_count(map);
	if (count > MAX_SET) {
		bento_mf_report_key(c, sc, key, map, NULL, " has %d %ss, more than the %d allowed",
		                    count, word, MAX_SET);
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
			bento_mf_report_key(c, sc, key, k, v,
			                    ": %s names must be strings, found %s", word,
			                    bento_mf_kind(k));
			continue;
		}
		autofree char *nm = dup_text(name, klen);
		if (!name_ok(nm)) {
			autofree char *what = xasprintf("a %s name (%s)", word, name_rule);
			bento_mf_report_is_not(c, sc, key, k, nm, what);
			continue;
		}
		bool twice = false;
		for (size_t i = 0; i < n && !twice; i++)
			twice = strcmp(env[i].name, nm) == 0;
		if (twice) {
			bento_mf_report_key(c, sc, key, k, NULL, ": %s %s is given twice", word,
			                    nm);
			continue;
		}
		const char *value = scalar(v, &vlen);
		autofree char *item_key = xasprintf("%s.%s", key, nm);
		if (value == NULL) {
			bento_mf_report_key(c, sc, item_key, v, k, " must be a string, found %s",
			                    bento_mf_kind(v));
			continue;
		}
		if (!text_ok(c, sc, item_key, v, k, value, vlen, TEXT_LINE))
			continue;
		env[n].name = steal_pointer(&nm);
		env[n].value = dup_text(value, vlen);
		n++;
	}
	*n_out = n;
	return env;
}

/* A mapping of environment variables to string values. */
bento_env_var *bento_mf_get_env(ctx *c, const scope *sc, const char *key, size_t *n_out)
{
	return bento_mf_get_map(c, sc, key, "variable", env_name_ok,
	                        "letters, digits and \"_\", not starting with a digit", n_out);
}
