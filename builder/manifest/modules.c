/* SPDX-License-Identifier: MIT */
/* Modules: their keys, build options, nesting and the order they are
 * built in (bento-manifest(5), MODULES). */
#include "manifest/parse.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The lists of a module, in the order they are read (and the canonical text
 * has them). */
enum { CONFIG_OPTS, MAKE_ARGS, MAKE_INSTALL_ARGS, BUILD_COMMANDS, POST_INSTALL, CLEANUP, N_LISTS };

#define LIST(field) offsetof(bento_module, field)

static const struct {
	const char *key;
	size_t offset; /* of the list in bento_module */
	unsigned rules;
	item_check check; /* of each item, or NULL */
	bool simple;      /* applies to buildsystem simple */
} lists[N_LISTS] = {
    [CONFIG_OPTS] = {"config-opts", LIST(config_opts), TEXT_LINE, NULL, false},
    [MAKE_ARGS] = {"make-args", LIST(make_args), TEXT_LINE, NULL, false},
    [MAKE_INSTALL_ARGS] = {"make-install-args", LIST(make_install_args), TEXT_LINE, NULL, false},
    [BUILD_COMMANDS] = {"build-commands", LIST(build_commands), TEXT_LINES, NULL, true},
    [POST_INSTALL] = {"post-install", LIST(post_install), TEXT_LINES, NULL, true},
    [CLEANUP] = {"cleanup", LIST(cleanup), TEXT_LINE, bento_mf_check_cleanup, true},
};

static char ***list_at(bento_module *mod, size_t i)
{
	return (char ***)((char *)mod + lists[i].offset);
}

void bento_mf_module_clear(bento_module *mod)
{
	free(mod->name);
	for (size_t i = 0; i < N_LISTS; i++)
		bento_mf_strv_free(*list_at(mod, i));
	free(mod->subdir);
	free(mod->build_options.cflags);
	free(mod->build_options.cxxflags);
	free(mod->build_options.ldflags);
	free(mod->build_options.prefix);
	bento_mf_env_free(mod->build_options.env, mod->build_options.n_env);
	for (size_t i = 0; i < mod->n_sources; i++)
		bento_mf_source_clear(&mod->sources[i]);
	free(mod->sources);
	for (size_t i = 0; i < mod->n_modules; i++)
		bento_mf_module_clear(&mod->modules[i]);
	free(mod->modules);
}

static const char *const buildsystem_names[] = {
    [BENTO_BUILD_SIMPLE] = "simple", [BENTO_BUILD_AUTOTOOLS] = "autotools",
    [BENTO_BUILD_CMAKE] = "cmake",   [BENTO_BUILD_CMAKE_NINJA] = "cmake-ninja",
    [BENTO_BUILD_MESON] = "meson",   NULL,
};

const char *bento_buildsystem_name(bento_buildsystem b)
{
	return (unsigned)b < ARRAY_SIZE(buildsystem_names) - 1 ? buildsystem_names[b] : "?";
}

/* Every key of a module, in the order messages list them. */
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
	bento_mf_check_keys(c, &sc, build_option_keys, NULL, NULL);
	bo->cflags = bento_mf_get_string(c, &sc, "cflags", TEXT_LINE, NULL);
	bo->cxxflags = bento_mf_get_string(c, &sc, "cxxflags", TEXT_LINE, NULL);
	bo->ldflags = bento_mf_get_string(c, &sc, "ldflags", TEXT_LINE, NULL);
	struct fy_node *pn = NULL;
	autofree char *prefix = bento_mf_get_string(c, &sc, "prefix", TEXT_NONEMPTY, &pn);
	if (prefix && strcmp(prefix, "/app") != 0 &&
	    !(strncmp(prefix, "/app/", 5) == 0 && bento_mf_relative_path_ok(prefix + 5))) {
		bento_mf_report_found(c, &sc, "prefix", pn, prefix,
		                      " must be /app or a directory below it");
	} else if (prefix) {
		bo->prefix = steal_pointer(&prefix);
	}
	bo->env = bento_mf_get_env(c, &sc, "env", &bo->n_env);
	bento_mf_get_bool(c, &sc, "network", &bo->network);
}

/* The module's name: valid and not taken by an earlier module. */
static void read_name(ctx *c, struct fy_node *n, unsigned number, bento_module *mod)
{
	autofree char *numbered = xasprintf("module %u", number);
	scope sc = {n, numbered, "", ""};
	struct fy_node *nn = NULL;
	autofree char *name = bento_mf_get_string(c, &sc, "name", TEXT_REQUIRED, &nn);
	if (name == NULL)
		return;
	if (!module_name_ok(name)) {
		autofree char *q = bento_mf_quote(name, strlen(name));
		bento_mf_report(
		    c, nn, NULL,
		    "\"name\" of module %u must be 1 to 128 letters, digits, \".\", \"_\", \"+\" "
		    "or \"-\", starting with a letter or digit, found %s",
		    number, q);
		return;
	}
	for (size_t i = 0; i < c->n_names; i++) {
		if (strcmp(c->names[i].name, name) == 0) {
			bento_mf_report(
			    c, nn, NULL,
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
	bento_mf_node_mark(nn, &c->names[c->n_names].line, &c->names[c->n_names].column);
	c->n_names++;
	mod->name = steal_pointer(&name);
}

/* The lists, and with simple (buildsystem simple as written, not the default
 * that stands in for a wrong one) what it asks of them. */
static void read_lists(ctx *c, const scope *sc, bool simple, bento_module *mod)
{
	struct fy_node *nodes[N_LISTS];
	for (size_t i = 0; i < N_LISTS; i++)
		*list_at(mod, i) = bento_mf_get_list(c, sc, lists[i].key, lists[i].rules,
		                                     lists[i].check, &nodes[i]);
	if (!simple)
		return;
	for (size_t i = 0; i < N_LISTS; i++)
		if (nodes[i] && !lists[i].simple)
			bento_mf_report_key(c, sc, lists[i].key, nodes[i], NULL,
			                    " does not apply to buildsystem simple (its build is "
			                    "\"build-commands\" alone)");
	struct fy_node *bn = nodes[BUILD_COMMANDS];
	if (bn == NULL)
		bento_mf_missing(c, sc, "build-commands", " (required by buildsystem simple)");
	else if (mod->build_commands[0] == NULL && fy_node_is_sequence(bn))
		bento_mf_report_key(c, sc, "build-commands", bn, NULL,
		                    " is empty: buildsystem simple needs at least one command");
}

static void read_sources(ctx *c, const scope *sc, bento_module *mod)
{
	struct fy_node *k;
	struct fy_node *srcs = bento_mf_lookup(c, sc, "sources", false, &k);
	if (k == NULL)
		return;
	if (!fy_node_is_sequence(srcs) || fy_node_is_alias(srcs)) {
		bento_mf_report_key(c, sc, "sources", srcs, k,
		                    " must be a list of sources, found %s", bento_mf_kind(srcs));
		return;
	}
	int count = fy_node_sequence_item_count(srcs);
	mod->sources = xcalloc(count > 0 ? (size_t)count : 1, sizeof(*mod->sources));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(srcs, &it)) != NULL) {
		bento_source *s = &mod->sources[mod->n_sources++];
		bento_mf_parse_source(c, item, (int)mod->n_sources, sc->owner, s);
	}
}

static void parse_module_keys(ctx *c, struct fy_node *n, int depth, unsigned number,
                              bento_module *mod)
{
	read_name(c, n, number, mod);
	autofree char *subject =
	    mod->name ? xasprintf("module \"%s\"", mod->name) : xasprintf("module %u", number);
	autofree char *owner = xasprintf(" of %s", subject);
	scope sc = {n, subject, "", owner};
	bento_mf_check_keys(c, &sc, module_keys, NULL, NULL);

	int bs = bento_mf_get_enum(c, &sc, "buildsystem", buildsystem_names, true);
	mod->buildsystem = bs < 0 ? BENTO_BUILD_SIMPLE : (bento_buildsystem)bs;
	read_lists(c, &sc, bs == BENTO_BUILD_SIMPLE, mod);

	struct fy_node *sn = NULL;
	autofree char *subdir = bento_mf_get_string(c, &sc, "subdir", TEXT_NONEMPTY, &sn);
	if (subdir && bento_mf_check_relpath(c, &sc, "subdir", sn, subdir))
		mod->subdir = steal_pointer(&subdir);

	struct fy_node *bo = bento_mf_get_mapping(c, &sc, "build-options");
	if (bo)
		parse_build_options(c, bo, owner, &mod->build_options);

	read_sources(c, &sc, mod);

	struct fy_node *k;
	struct fy_node *kids = bento_mf_lookup(c, &sc, "modules", false, &k);
	if (k)
		bento_mf_parse_modules(c, kids, k, depth + 1, subject, &mod->modules,
		                       &mod->n_modules);
}

static void parse_module(ctx *c, struct fy_node *n, int depth, bento_module *mod)
{
	unsigned number = ++c->n_modules_seen;
	if (number <= BENTO_MANIFEST_MAX_MODULES)
		bento_mf_node_mark(n, &mod->line, &mod->column);
	if (number > BENTO_MANIFEST_MAX_MODULES) {
		if (number == BENTO_MANIFEST_MAX_MODULES + 1)
			bento_mf_report(c, n, NULL, "more than %d modules",
			                BENTO_MANIFEST_MAX_MODULES);
	} else if (!fy_node_is_mapping(n) || fy_node_is_alias(n)) {
		bento_mf_report(c, n, NULL, "module %u must be a mapping, found %s", number,
		                bento_mf_kind(n));
	} else {
		parse_module_keys(c, n, depth, number, mod);
	}
	/* every list exists, even in a module with errors, so that freeing and
	 * the canonical text need no special cases */
	for (size_t i = 0; i < N_LISTS; i++)
		if (*list_at(mod, i) == NULL)
			*list_at(mod, i) = bento_mf_strv_new(0);
	if (mod->build_options.prefix == NULL)
		mod->build_options.prefix = xstrdup("/app");
}

void bento_mf_parse_modules(ctx *c, struct fy_node *seq, struct fy_node *key, int depth,
                            const char *parent, bento_module **out, size_t *n_out)
{
	const char *where = parent ? parent : "the manifest";
	if (!fy_node_is_sequence(seq) || fy_node_is_alias(seq)) {
		bento_mf_report(c, seq, key,
		                "\"modules\" of %s must be a list of modules, found %s", where,
		                bento_mf_kind(seq));
		return;
	}
	int count = fy_node_sequence_item_count(seq);
	if (count <= 0) {
		if (parent == NULL)
			bento_mf_report(c, seq, key,
			                "\"modules\" is empty: the manifest needs a module");
		return;
	}
	if (depth > BENTO_MANIFEST_MAX_MODULE_DEPTH) {
		bento_mf_report(c, seq, key, "modules are nested more than %d deep (in %s)",
		                BENTO_MANIFEST_MAX_MODULE_DEPTH, where);
		return;
	}
	*out = xcalloc((size_t)count, sizeof(**out));
	void *it = NULL;
	struct fy_node *item;
	while ((item = fy_node_sequence_iterate(seq, &it)) != NULL)
		parse_module(c, item, depth, &(*out)[(*n_out)++]);
}

void bento_mf_add_build_order(bento_manifest *m, const bento_module *mods, size_t n, size_t *cap)
{
	for (size_t i = 0; i < n; i++) {
		bento_mf_add_build_order(m, mods[i].modules, mods[i].n_modules, cap);
		if (m->n_build_order == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			m->build_order = realloc(m->build_order, *cap * sizeof(*m->build_order));
			if (m->build_order == NULL)
				abort();
		}
		m->build_order[m->n_build_order++] = &mods[i];
	}
}
