/* SPDX-License-Identifier: MIT */
/* Remotes: where apps come from (a URL and its mirrors) and the key that
 * signs them, kept in the repository's config and ostree's keyring of the
 * remote (repo/NAME.trustedkeys.gpg). */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/util.h"
#include "permissions/permissions.h"
#include "repo/repo_private.h"

#define MIRRORS_KEY "bento-mirrors"

static const char *remote_name_problem(const char *name)
{
	if (name[0] == '\0')
		return "it is empty";
	if (strlen(name) > 64)
		return "it is longer than 64 bytes";
	if (name[0] == '-' || name[0] == '.')
		return "it starts with '-' or '.'";
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return "only letters, digits, '-', '_' and '.' may name a remote";
	return NULL;
}

static const char *url_problem(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "file:///", 8) != 0)
		return "a remote's URL starts with https://, http:// or file:///";
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f || *c == ';')
			return "a URL holds no spaces, control characters or ';'";
	return NULL;
}

bool bento_remote_exists(bento_inst *inst, const char *name)
{
	if (inst->repo == NULL)
		return false;
	g_auto(GStrv) names = ostree_repo_remote_list((OstreeRepo *)inst->repo, NULL);
	for (char **n = names; n && *n; n++)
		if (strcmp(*n, name) == 0)
			return true;
	return false;
}

static int import_key(OstreeRepo *repo, const char *name, const char *key_file, bento_error **err)
{
	g_autoptr(GFile) file = g_file_new_for_path(key_file);
	GError *gerror = NULL;
	g_autoptr(GFileInputStream) in = g_file_read(file, NULL, &gerror);
	if (in == NULL)
		return bento_error_from_gerror(err, gerror, "%s", key_file);
	guint imported = 0;
	if (!ostree_repo_remote_gpg_import(repo, name, G_INPUT_STREAM(in), NULL, &imported, NULL,
	                                   &gerror))
		return bento_error_from_gerror(err, gerror, "%s: cannot import its keys", key_file);
	if (imported == 0)
		return bento_error_set(err, EINVAL, "%s: holds no OpenPGP public key", key_file);
	return 0;
}

int bento_remote_add(bento_inst *inst, const char *name, const char *url,
                     const bento_remote_options *opts, bento_error **err)
{
	const char *problem = remote_name_problem(name);
	if (problem)
		return bento_error_usage(err, "\"%s\" cannot name a remote: %s", name, problem);
	const char *const *mirrors = opts->mirrors;
	if ((problem = url_problem(url)) != NULL)
		return bento_error_usage(err, "%s: %s", url, problem);
	for (const char *const *m = mirrors; m && *m; m++)
		if ((problem = url_problem(*m)) != NULL)
			return bento_error_usage(err, "--mirror=%s: %s", *m, problem);
	if (opts->gpg_import == NULL && !opts->no_gpg_verify)
		return bento_error_usage(err,
		                         "remote %s: without its key (--gpg-import=FILE) bento "
		                         "cannot check what it serves; pass --no-gpg-verify to add "
		                         "it unverified all the same",
		                         name);
	if (opts->gpg_import && opts->no_gpg_verify)
		return bento_error_usage(err,
		                         "--gpg-import and --no-gpg-verify contradict each other");
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	if (bento_remote_exists(inst, name)) {
		if (opts->if_not_exists)
			return 0;
		return bento_error_set(err, EEXIST,
		                       "a remote named %s exists already (bento remote-delete %s "
		                       "removes it)",
		                       name, name);
	}
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
	bool verify = !opts->no_gpg_verify;
	g_variant_builder_add(&b, "{sv}", "gpg-verify", g_variant_new_boolean(verify));
	g_variant_builder_add(&b, "{sv}", "gpg-verify-summary", g_variant_new_boolean(verify));
	if (mirrors && mirrors[0])
		g_variant_builder_add(&b, "{sv}", MIRRORS_KEY,
		                      g_variant_new_strv((const char *const *)mirrors, -1));
	g_autoptr(GVariant) options = g_variant_ref_sink(g_variant_builder_end(&b));
	GError *gerror = NULL;
	if (!ostree_repo_remote_change(repo, NULL, OSTREE_REPO_REMOTE_CHANGE_ADD, name, url,
	                               options, NULL, &gerror))
		return bento_error_from_gerror(err, gerror, "remote %s", name);
	if (opts->gpg_import && import_key(repo, name, opts->gpg_import, err) < 0) {
		/* Nothing half made: a remote without its key would refuse
		 * everything, or worse, look added. */
		ostree_repo_remote_change(repo, NULL, OSTREE_REPO_REMOTE_CHANGE_DELETE_IF_EXISTS,
		                          name, NULL, NULL, NULL, NULL);
		return bento_error_prefix(err, "remote %s not added", name);
	}
	return 0;
}

char **bento_remote_urls(bento_inst *inst, const char *name, bento_error **err)
{
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	GError *gerror = NULL;
	g_autofree char *url = NULL;
	if (!bento_remote_exists(inst, name)) {
		bento_error_set(err, ENOENT, "no remote named %s (bento remote-list lists them)",
		                name);
		return NULL;
	}
	if (!ostree_repo_remote_get_url(repo, name, &url, &gerror)) {
		bento_error_from_gerror(err, gerror, "remote %s", name);
		return NULL;
	}
	g_auto(GStrv) mirrors = NULL;
	if (!ostree_repo_get_remote_list_option(repo, name, MIRRORS_KEY, &mirrors, &gerror)) {
		bento_error_from_gerror(err, gerror, "remote %s", name);
		return NULL;
	}
	bento_strv urls = {0};
	bento_strv_add(&urls, xstrdup(url));
	for (char **m = mirrors; m && *m; m++)
		bento_strv_add(&urls, xstrdup(*m));
	return urls.items;
}

/* The fingerprints of the remote's keys, ", "-separated, or NULL. */
static char *remote_keys(OstreeRepo *repo, const char *name)
{
	g_autoptr(GPtrArray) keys = NULL;
	if (!ostree_repo_remote_get_gpg_keys(repo, name, NULL, &keys, NULL, NULL) || keys->len == 0)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < keys->len; i++) {
		/* (aa{sv}aa{sv}a{sv}): the first subkey is the primary key. */
		g_autoptr(GVariant) subkeys = g_variant_get_child_value(keys->pdata[i], 0);
		if (g_variant_n_children(subkeys) == 0)
			continue;
		g_autoptr(GVariant) primary = g_variant_get_child_value(subkeys, 0);
		const char *fpr = NULL;
		if (g_variant_lookup(primary, "fingerprint", "&s", &fpr))
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", fpr);
	}
	char *out = s->len ? xstrdup(s->str) : NULL;
	g_string_free(s, TRUE);
	return out;
}

int bento_remote_list(bento_inst *inst, FILE *out, bento_error **err)
{
	if (inst->repo == NULL)
		return 0;
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	g_auto(GStrv) names = ostree_repo_remote_list(repo, NULL);
	for (char **n = names; n && *n; n++) {
		auto_bento_error url_err = NULL;
		char **urls = bento_remote_urls(inst, *n, &url_err);
		gboolean verify = TRUE;
		ostree_repo_remote_get_gpg_verify(repo, *n, &verify, NULL);
		autofree char *keys = remote_keys(repo, *n);
		fprintf(out, "%s\t%s\t%s", *n, urls ? urls[0] : "?",
		        !verify ? "no-gpg-verify"
		        : keys  ? keys
		                : "no key");
		for (char **u = urls ? urls + 1 : NULL; u && *u; u++)
			fprintf(out, "\tmirror=%s", *u);
		fputc('\n', out);
		g_strfreev(urls);
	}
	return 0;
}

int bento_remote_delete(bento_inst *inst, const char *name, bool force, bento_error **err)
{
	if (!bento_remote_exists(inst, name))
		return bento_error_set(err, ENOENT, "no remote named %s", name);
	g_auto(GStrv) apps = bento_installed_apps(inst);
	for (char **a = apps; a && *a && !force; a++) {
		g_auto(GStrv) branches = bento_installed_branches(inst, *a);
		for (char **b = branches; b && *b; b++) {
			bento_deployment d = {0};
			int r = bento_deployment_read(inst, *a, *b, &d, NULL);
			bool from = r == 0 && strcmp(d.remote, name) == 0;
			bento_deployment_clear(&d);
			if (from)
				return bento_error_set(
				    err, EBUSY,
				    "remote %s: %s (%s) is installed from it; remove it first, "
				    "or pass --force (the app then gets no updates)",
				    name, *a, *b);
		}
	}
	GError *gerror = NULL;
	if (!ostree_repo_remote_change((OstreeRepo *)inst->repo, NULL,
	                               OSTREE_REPO_REMOTE_CHANGE_DELETE, name, NULL, NULL, NULL,
	                               &gerror))
		return bento_error_from_gerror(err, gerror, "remote %s", name);
	return 0;
}

void bento_remote_forget_summary(bento_inst *inst, const char *name)
{
	static const char *const suffixes[] = {"", ".sig"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		autofree char *path =
		    xasprintf("%s/tmp/cache/summaries/%s%s", inst->repo_path, name, suffixes[i]);
		unlink(path);
	}
}

/* The summary of the remote, verified as the remote says, from its URLs in
 * turn. */
static GVariant *fetch_summary(bento_inst *inst, const char *name, bento_error **err)
{
	g_auto(GStrv) urls = bento_remote_urls(inst, name, err);
	if (urls == NULL)
		return NULL;
	g_autoptr(GString) why = g_string_new(NULL);
	if (inst->lock_fd >= 0)
		bento_remote_forget_summary(inst, name);
	for (char **u = urls; *u; u++) {
		g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
		if (u != urls)
			g_variant_builder_add(&b, "{sv}", "override-url", g_variant_new_string(*u));
		g_autoptr(GVariant) options = g_variant_ref_sink(g_variant_builder_end(&b));
		g_autoptr(GBytes) summary = NULL, sigs = NULL;
		GError *gerror = NULL;
		if (ostree_repo_remote_fetch_summary_with_options(
		        (OstreeRepo *)inst->repo, name, options, &summary, &sigs, NULL, &gerror))
			return g_variant_ref_sink(g_variant_new_from_bytes(
			    OSTREE_SUMMARY_GVARIANT_FORMAT, summary, FALSE));
		g_string_append_printf(why, "%s%s: %s", why->len ? "; " : "", *u, gerror->message);
		g_clear_error(&gerror);
	}
	bento_error_set(err, EIO, "remote %s: no summary: %s", name, why->str);
	return NULL;
}

int bento_remote_ls(bento_inst *inst, const char *name, FILE *out, bento_error **err)
{
	g_autoptr(GVariant) summary = fetch_summary(inst, name, err);
	if (summary == NULL)
		return -1;
	struct utsname u;
	uname(&u);
	g_autoptr(GVariant) refs = g_variant_get_child_value(summary, 0);
	for (gsize i = 0; i < g_variant_n_children(refs); i++) {
		const char *ref = NULL;
		g_autoptr(GVariant) csum = NULL, meta = NULL;
		guint64 size;
		g_variant_get_child(refs, i, "(&s(t@ay@a{sv}))", &ref, &size, &csum, &meta);
		g_auto(GStrv) parts = g_strsplit(ref, "/", -1);
		/* A summary is the server's word: only valid ids are shown. */
		if (g_strv_length(parts) != 4 || strcmp(parts[0], "app") != 0 ||
		    strcmp(parts[2], u.machine) != 0 ||
		    !bento_app_id_valid(parts[1], strlen(parts[1])))
			continue;
		const char *version = NULL;
		g_variant_lookup(meta, "ostree.commit.version", "&s", &version);
		for (const char *c = version; c && *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				version = "(invalid)";
				break;
			}
		if (g_variant_get_size(csum) != OSTREE_SHA256_DIGEST_LEN)
			continue;
		g_autofree char *commit = ostree_checksum_from_bytes_v(csum);
		fprintf(out, "%s\t%s\t%s\t%s\n", parts[1], parts[3], version ? version : "-",
		        commit);
	}
	return 0;
}
