/* SPDX-License-Identifier: MIT */
/* bento-builder check [OPTION...] MANIFEST: loads a manifest (which reports
 * every error in it) and prints a summary, or the canonical text of each
 * module, or asks every source URL whether it still answers. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/error.h"
#include "core/exit.h"
#include "core/util.h"
#include "manifest/manifest.h"
#include "sources/fetch.h"

void bento_builder_check_usage(FILE *out)
{
	fputs("Usage: " PROG " check [OPTION...] MANIFEST\n"
	      "\n"
	      "Parse and check the build manifest MANIFEST (see bento-manifest(5)) and print\n"
	      "what it describes: the app, its permissions, its bundle settings and its\n"
	      "modules in build order with their sources.  Every error in the file is\n"
	      "reported, each as MANIFEST:LINE:COLUMN: MESSAGE.\n"
	      "\n"
	      "Options:\n"
	      "      --canonical   print the canonical text of each module (what the build\n"
	      "                    cache hashes) instead of the summary\n"
	      "      --urls        ask every source URL whether it still answers (a HEAD\n"
	      "                    request, or a GET of one byte), even when the download\n"
	      "                    cache holds its file: the cache is keyed by checksum, so\n"
	      "                    a wrong URL builds where the file is cached and fails\n"
	      "                    everywhere else\n"
	      "      --cache=DIR   the download cache --urls looks in (default:\n"
	      "                    ${XDG_CACHE_HOME:-~/.cache}/bento-builder/downloads)\n"
	      "      --source-root=DIR  the directory the manifest's local files must be\n"
	      "                    in (default: its repository, or its own directory)\n"
	      "  -h, --help        show this help and exit\n"
	      "\n"
	      "Exit status: 0 if the manifest is valid (and with --urls every source URL\n"
	      "answers), 1 if it is invalid or cannot be read or (with --urls) a source URL\n"
	      "does not answer, 2 on a usage error.\n",
	      out);
}

static void print_list(const char *label, char *const *v)
{
	if (v == NULL || v[0] == NULL)
		return;
	printf("  %s:", label);
	for (; *v; v++)
		printf(" %s", *v);
	putchar('\n');
}

static void print_permissions(const bento_manifest_permissions *p)
{
	char *const *lists[] = {
	    p->shared,     p->sockets,    p->devices,   p->features,          p->filesystems,
	    p->persistent, p->talk_names, p->own_names, p->system_talk_names, p->system_own_names};
	static const char *const labels[] = {
	    "shared",     "sockets",    "devices",   "features",          "filesystems",
	    "persistent", "talk-names", "own-names", "system-talk-names", "system-own-names"};
	bool any = p->n_env > 0;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		any |= lists[i][0] != NULL;
	if (!any) {
		puts("permissions: none");
		return;
	}
	puts("permissions:");
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		print_list(labels[i], lists[i]);
	if (p->n_env > 0) {
		printf("  env:");
		for (size_t i = 0; i < p->n_env; i++)
			printf(" %s=%s", p->env[i].name, p->env[i].value);
		putchar('\n');
	}
}

/* The module that contains mod, or NULL at the top level. */
static const bento_module *parent_of(const bento_manifest *m, const bento_module *mod)
{
	for (size_t i = 0; i < m->n_build_order; i++) {
		const bento_module *p = m->build_order[i];
		if (mod >= p->modules && mod < p->modules + p->n_modules)
			return p;
	}
	return NULL;
}

static void print_source(const bento_source *s)
{
	printf("       %s", bento_source_type_name(s->type));
	if (s->type == BENTO_SOURCE_SHELL) {
		size_t n = 0;
		while (s->commands[n])
			n++;
		printf(" (%zu command%s)", n, n == 1 ? "" : "s");
	} else {
		printf(" %s", s->url ? s->url : s->path);
	}
	if (s->dest || s->dest_filename)
		printf(" -> %s%s%s", s->dest ? s->dest : "", s->dest && s->dest_filename ? "/" : "",
		       s->dest_filename ? s->dest_filename : "");
	putchar('\n');
}

static void print_summary(const bento_manifest *m)
{
	printf("id: %s\n", m->id);
	printf("name: %s\n", m->name);
	printf("version: %s\n", m->version);
	if (m->summary)
		printf("summary: %s\n", m->summary);
	if (m->license)
		printf("license: %s\n", m->license);
	printf("command: /app/%s\n", m->command);
	for (size_t i = 0; i < m->n_commands; i++)
		printf("  %s: /app/%s%s\n", m->commands[i].name, m->commands[i].value,
		       strcmp(m->commands[i].value, m->command) == 0 ? " (default)" : "");
	print_permissions(&m->permissions);
	printf("desktop: %s%s\n", m->desktop && m->desktop_in_appdir ? "/app/" : "",
	       m->desktop ? m->desktop : "generated");
	printf("icon: %s%s\n", m->icon && m->icon_in_appdir ? "/app/" : "",
	       m->icon ? m->icon : "generated (a terminal)");
	printf("appstream: %s%s\n", m->appstream && m->appstream_in_appdir ? "/app/" : "",
	       m->appstream ? m->appstream : "generated");
	if (m->terminal)
		printf("terminal: true\n");
	print_list("categories", m->categories);
	print_list("keywords", m->keywords);
	print_list("mime-types", m->mime_types);
	printf("bundle: %s", m->bundle.compression);
	if (m->bundle.level >= 0)
		printf(" level %d", m->bundle.level);
	printf(", %u-byte blocks\n", m->bundle.block_size);
	if (m->bundle.update_information)
		printf("update-information: %s\n", m->bundle.update_information);
	printf("sign-key: %s\n", m->bundle.sign_key ? m->bundle.sign_key : "none (unsigned)");
	printf("modules, in build order:\n");
	for (size_t i = 0; i < m->n_build_order; i++) {
		const bento_module *mod = m->build_order[i];
		const bento_module *parent = parent_of(m, mod);
		printf("  %2zu. %s (%s)", i + 1, mod->name,
		       bento_buildsystem_name(mod->buildsystem));
		if (parent)
			printf(", for %s", parent->name);
		putchar('\n');
		for (size_t j = 0; j < mod->n_sources; j++)
			print_source(&mod->sources[j]);
	}
}

/* --urls: asks each source URL; the number that do not answer, or -1. */
static int check_urls(const bento_manifest *m, const char *cache_dir, bento_error **err)
{
	bento_fetch_options fo = {.cache_dir = cache_dir};
	int dead = 0;
	for (size_t i = 0; i < m->n_build_order; i++) {
		const bento_module *mod = m->build_order[i];
		for (size_t j = 0; j < mod->n_sources; j++) {
			const bento_source *s = &mod->sources[j];
			if (s->url == NULL || s->sha256 == NULL)
				continue;
			bento_url_check c = {0};
			if (bento_fetch_check_url(&fo, s->url, s->sha256, &c, err) < 0)
				return -1;
			if (c.answers)
				printf("ok: %s\n", s->url);
			else
				printf("%s: %s (module %s, %s:%d): %s%s\n",
				       c.transient ? "no answer now" : "dead", s->url, mod->name,
				       m->path, s->line, c.why,
				       c.cached ? "; the download cache holds its file, so it "
				                  "builds here and fails where it is not cached"
				                : "");
			dead += !c.answers;
			bento_url_check_clear(&c);
		}
	}
	return dead;
}

static const struct option long_options[] = {
    {"canonical", no_argument, NULL, 'c'},   {"urls", no_argument, NULL, 'u'},
    {"cache", required_argument, NULL, 'C'}, {"source-root", required_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
};

int bento_builder_check(int argc, char **argv)
{
	bool canonical = false, urls = false;
	const char *source_root = NULL, *cache_dir = NULL;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			canonical = true;
			break;
		case 'r':
			source_root = optarg;
			break;
		case 'u':
			urls = true;
			break;
		case 'C':
			cache_dir = optarg;
			break;
		case 'h':
			bento_builder_check_usage(stdout);
			return bento_cmd_finish(NULL);
		default:
			fprintf(stderr,
			        PROG " check: unknown option '%s' (see " PROG " check --help)\n",
			        argv[optind - 1]);
			return BENTO_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, PROG " check: %s (see " PROG " check --help)\n",
		        argc == optind ? "no manifest given" : "only one manifest at a time");
		return BENTO_EXIT_USAGE;
	}
	auto_bento_error err = NULL;
	auto_bento_manifest m = NULL;
	if (bento_manifest_load(argv[optind], source_root, &m, &err) < 0)
		return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_MANIFEST);
	int dead = 0;
	if (urls) {
		dead = check_urls(m, cache_dir, &err);
		if (dead < 0)
			return bento_error_report(steal_pointer(&err), PROG, BENTO_EXIT_FAILURE);
	} else if (canonical) {
		for (size_t i = 0; i < m->n_build_order; i++) {
			autofree char *text = bento_module_canonical(m->build_order[i]);
			printf("%s%s", i ? "\n" : "", text);
		}
	} else {
		print_summary(m);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG " check: cannot write the output\n");
		return BENTO_EXIT_FAILURE;
	}
	if (dead > 0) {
		fprintf(stderr, PROG " check: %s: %d source URL%s do%s not answer\n", argv[optind],
		        dead, dead == 1 ? "" : "s", dead == 1 ? "es" : "");
		return BENTO_EXIT_FAILURE;
	}
	return 0;
}
