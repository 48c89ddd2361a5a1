/* SPDX-License-Identifier: MIT */
/* The error list of a manifest and how its messages are made (bento-manifest(5),
 * ERRORS): where a node starts, quoting hostile text, "did you mean", and the
 * final error text with one "FILE:LINE:COLUMN: message" line per error in
 * file order. */
#include "manifest/parse.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* More errors than this are not worth reading: the file is not a manifest. */
#define MAX_ERRORS 100

FILE *bento_mf_text_open(bento_mf_text *t)
{
	*t = (bento_mf_text){NULL, 0, NULL};
	t->f = open_memstream(&t->data, &t->len);
	if (t->f == NULL)
		abort();
	return t->f;
}

char *bento_mf_text_close(bento_mf_text *t)
{
	if (fclose(t->f) != 0)
		abort();
	return t->data;
}

struct fy_diag *bento_mf_collecting_diag(void)
{
	struct fy_diag_cfg cfg;
	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.colorize = false;
	struct fy_diag *d = fy_diag_create(&cfg);
	if (d == NULL)
		abort();
	fy_diag_set_collect_errors(d, true);
	return d;
}

/* A node's start as libfyaml knows it.  libfyaml 0.7 has no public accessor
 * for the start mark of a mapping or sequence node, but its node reports
 * carry it: report into a private diagnostic object that collects instead of
 * printing, and read the position back. */
bool bento_mf_node_mark(struct fy_node *n, int *line, int *column)
{
	if (n == NULL)
		return false;
	struct fy_diag *d = bento_mf_collecting_diag();
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

bool bento_mf_diags_full(ctx *c)
{
	if (c->n_diags < MAX_ERRORS)
		return false;
	c->too_many = true;
	return true;
}

void bento_mf_add_diag(ctx *c, int line, int column, char *msg)
{
	if (bento_mf_diags_full(c)) {
		free(msg);
		return;
	}
	c->diags = realloc(c->diags, (c->n_diags + 1) * sizeof(*c->diags));
	if (c->diags == NULL)
		abort();
	c->diags[c->n_diags] = (diag){line, column, c->n_diags, msg};
	c->n_diags++;
}

static void add_at(ctx *c, struct fy_node *n, struct fy_node *fallback, char *msg)
{
	int line = 0, column = 0;
	if (!bento_mf_node_mark(n, &line, &column))
		bento_mf_node_mark(fallback, &line, &column);
	bento_mf_add_diag(c, line, column, msg);
}

void bento_mf_report(ctx *c, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
{
	if (bento_mf_diags_full(c))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	add_at(c, n, fallback, msg);
}

char *bento_mf_key_label(const scope *sc, const char *key)
{
	return xasprintf("\"%s%s\"%s", sc->prefix, key, sc->owner);
}

void bento_mf_report_key(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                         struct fy_node *fallback, const char *fmt, ...)
{
	if (bento_mf_diags_full(c))
		return;
	va_list ap;
	va_start(ap, fmt);
	autofree char *what = xvasprintf(fmt, ap);
	va_end(ap);
	autofree char *label = bento_mf_key_label(sc, key);
	add_at(c, n, fallback, xasprintf("%s%s", label, what));
}

/* -1, 0 or 1 as a is less than, equal to or greater than b */
#define ORDER(a, b) (((a) > (b)) - ((a) < (b)))

/* File order: line, column, then order of discovery (a stable sort). */
static int diag_cmp(const void *a, const void *b)
{
	const diag *x = a, *y = b;
	int by_line = ORDER(x->line, y->line), by_column = ORDER(x->column, y->column);
	return by_line ? by_line : by_column ? by_column : ORDER(x->seq, y->seq);
}

/* The error value of an invalid manifest: a summary line, then one line per
 * error in file order. */
bool bento_mf_report_found(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                           const char *value, const char *what)
{
	autofree char *q = bento_mf_quote(value, strlen(value));
	bento_mf_report_key(c, sc, key, n, NULL, "%s, found %s", what, q);
	return false;
}

bool bento_mf_report_is_not(ctx *c, const scope *sc, const char *key, struct fy_node *n,
                            const char *value, const char *what)
{
	autofree char *q = bento_mf_quote(value, strlen(value));
	bento_mf_report_key(c, sc, key, n, NULL, ": %s is not %s", q, what);
	return false;
}

int bento_mf_diags_to_error(ctx *c, bento_error **err)
{
	qsort(c->diags, c->n_diags, sizeof(*c->diags), diag_cmp);
	bento_mf_text t;
	FILE *f = bento_mf_text_open(&t);
	fprintf(f, "%s: invalid manifest (%zu error%s%s)", c->name, c->n_diags,
	        c->n_diags == 1 ? "" : "s", c->too_many ? ", then too many to list" : "");
	for (size_t i = 0; i < c->n_diags; i++) {
		if (c->diags[i].line > 0)
			fprintf(f, "\n%s:%d:%d: %s", c->name, c->diags[i].line, c->diags[i].column,
			        c->diags[i].msg);
		else
			fprintf(f, "\n%s: %s", c->name, c->diags[i].msg);
	}
	autofree char *text = bento_mf_text_close(&t);
	bento_error_set(err, 0, "%s", text);
	if (*err)
		(*err)->status = BENTO_EXIT_MANIFEST;
	return -1;
}

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
char *bento_mf_suggest(const char *word, const char *const *words)
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

char *bento_mf_join_words(const char *const *words)
{
	bento_mf_text t;
	FILE *f = bento_mf_text_open(&t);
	for (const char *const *w = words; *w; w++)
		fprintf(f, "%s%s", w == words ? "" : ", ", *w);
	return bento_mf_text_close(&t);
}

/* A printable form of a scalar for messages: quoted, control characters
 * escaped, long values cut. */
char *bento_mf_quote(const char *s, size_t len)
{
	bento_mf_text t;
	FILE *f = bento_mf_text_open(&t);
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
	return bento_mf_text_close(&t);
}
