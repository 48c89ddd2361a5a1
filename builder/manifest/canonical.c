/* SPDX-License-Identifier: MIT */
/* The canonical text of a module (bento-manifest(5), CANONICAL MODULE TEXT): what
 * the module cache hashes to know whether a module must be built again. */
#include "manifest/parse.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"

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
	bento_mf_text t;
	FILE *f = bento_mf_text_open(&t);
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
		put(f, "source.suite", s->suite);
		put_list(f, "source.components", s->components);
		put_list(f, "source.packages", s->packages);
		put_list(f, "source.exclude", s->exclude);
		put(f, "source.key", s->key);
	}
	return bento_mf_text_close(&t);
}
