/* SPDX-License-Identifier: MIT */
/* Loading a manifest: the file, its YAML document (libfyaml), then the walk
 * of parse.h; a manifest with every error found, or the error list. */
#include "manifest/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqfs/super.h>

#include "core/util.h"
#include "output/squashfs_writer.h"

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
	bento_mf_permissions_clear(&m->permissions);
	free(m->desktop);
	free(m->icon);
	free(m->appstream);
	bento_mf_env_free(m->commands, m->n_commands);
	bento_mf_strv_free(m->categories);
	bento_mf_strv_free(m->keywords);
	bento_mf_strv_free(m->mime_types);
	free(m->bundle.compression);
	free(m->bundle.update_information);
	free(m->bundle.sign_key);
	for (size_t i = 0; i < m->n_modules; i++)
		bento_mf_module_clear(&m->modules[i]);
	free(m->modules);
	free(m->build_order);
	free(m);
}

/* libfyaml's own messages (syntax errors), with their positions. */
static void collect_yaml_errors(ctx *c, struct fy_diag *d)
{
	void *it = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(d, &it)) != NULL)
		if (e->type >= FYET_ERROR)
			bento_mf_add_diag(c, e->line > 0 ? e->line : 0, e->line > 0 ? e->column : 0,
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
		bento_mf_add_diag(&c, line, column, xstrdup("a NUL byte: a manifest is text"));
		bento_mf_diags_to_error(&c, err);
		free(c.diags[0].msg);
		free(c.diags);
		bento_manifest_free(m);
		return -1;
	}

	struct fy_diag *ydiag = bento_mf_collecting_diag();
	/* no mmap, no file access: the text is in memory; YAML 1.2; no
	 * resolution of aliases (they are refused: a few aliases can expand
	 * into a huge document); repeated keys are found by bento_mf_check_keys */
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
		bento_mf_add_diag(&c, 0, 0, xstrdup("the manifest is empty"));
	else if (doc && fy_diag_got_error(ydiag) == false) {
		struct fy_document *next = fy_parse_load_document(fyp);
		if (next) {
			bento_mf_report(
			    &c, fy_document_root(next), NULL,
			    "a second YAML document: the manifest must be one document");
			fy_document_destroy(next);
		}
	}
	collect_yaml_errors(&c, ydiag);
	if (doc && c.n_diags == 0)
		bento_mf_parse_root(&c, fy_document_root(doc), m);
	bento_mf_ensure_lists(&m->permissions);
	if (doc)
		fy_document_destroy(doc);
	fy_parser_destroy(fyp);
	fy_diag_destroy(ydiag);
	free(c.names);

	int rc = 0;
	if (c.n_diags > 0) {
		rc = bento_mf_diags_to_error(&c, err);
		bento_manifest_free(m);
	} else {
		size_t cap = 0;
		bento_mf_add_build_order(m, m->modules, m->n_modules, &cap);
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
