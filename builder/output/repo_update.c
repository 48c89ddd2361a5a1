/* SPDX-License-Identifier: MIT */
#include "output/repo_update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ostree.h>

#include "core/util.h"
#include "output/appstream.h"
#include "output/ostree_export.h"
#include "util/beneath.h"

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every ref of the repository, sorted (NULL-terminated, g_strfreev). */
static char **list_refs(OstreeRepo *repo, const char *label, bento_error **err)
{
	GError *gerr = NULL;
	g_autoptr(GHashTable) refs = NULL;
	if (!ostree_repo_list_refs_ext(repo, NULL, &refs, OSTREE_REPO_LIST_REFS_EXT_NONE, NULL,
	                               &gerr)) {
		bento_error_from_gerror(err, gerr, "%s: cannot list its refs", label);
		return NULL;
	}
	g_autofree const char **names = (const char **)g_hash_table_get_keys_as_array(refs, NULL);
	char **out = g_strdupv((char **)names);
	qsort(out, g_strv_length(out), sizeof(*out), compare_names);
	return out;
}

static bool has_commit(OstreeRepo *repo, const char *checksum)
{
	gboolean have = FALSE;
	return ostree_validate_checksum_string(checksum, NULL) &&
	       ostree_repo_has_object(repo, OSTREE_OBJECT_TYPE_COMMIT, checksum, &have, NULL,
	                              NULL) &&
	       have;
}

/* Removes the deltas from a commit the repository no longer holds, which
 * ostree's prune leaves (it removes those to such a commit): the directory
 * deltas/FF/ROM-TO of ostree's layout (modified base64 names), then the
 * delta indexes made again. */
static int prune_deltas_from_gone(OstreeRepo *repo, const char *label, bento_error **err)
{
	GError *gerr = NULL;
	g_autoptr(GPtrArray) names = NULL;
	if (!ostree_repo_list_static_delta_names(repo, &names, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot list its static deltas",
		                               label);
	bool removed = false;
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i], *dash = strchr(name, '-');
		if (dash == NULL)
			continue;
		g_autofree char *from = g_strndup(name, (gsize)(dash - name));
		const char *to = dash + 1;
		if (has_commit(repo, from) || !ostree_validate_checksum_string(to, NULL))
			continue;
		g_autofree guchar *from_bytes = ostree_checksum_to_bytes(from);
		g_autofree guchar *to_bytes = ostree_checksum_to_bytes(to);
		g_autofree char *f = ostree_checksum_b64_from_bytes(from_bytes);
		g_autofree char *t = ostree_checksum_b64_from_bytes(to_bytes);
		g_autofree char *path = g_strdup_printf("deltas/%.2s/%s-%s", f, f + 2, t);
		if (bento_beneath_remove(ostree_repo_get_dfd(repo), label, path, err) < 0)
			return -1;
		printf("%s: removed the static delta %s (from a pruned commit)\n", label, name);
		removed = true;
	}
	if (removed && !ostree_repo_static_delta_reindex(repo, OSTREE_STATIC_DELTA_INDEX_FLAGS_NONE,
	                                                 NULL, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot index its static deltas",
		                               label);
	return 0;
}

/* Keeps keep commits of each ref's history: ostree's prune to that depth,
 * which also drops the deltas to what it removes; then those from it. */
static int prune(OstreeRepo *repo, const char *label, unsigned keep, bento_error **err)
{
	GError *gerr = NULL;
	gint total = 0, pruned = 0;
	guint64 size = 0;
	if (!ostree_repo_prune(repo, OSTREE_REPO_PRUNE_FLAGS_REFS_ONLY, (gint)keep - 1, &total,
	                       &pruned, &size, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot prune", label);
	if (prune_deltas_from_gone(repo, label, err) < 0)
		return -1;
	printf("%s: pruned %d of %d objects (%" G_GUINT64_FORMAT " bytes), keeping %u commit%s "
	       "of each ref\n",
	       label, pruned, total, size, keep, keep == 1 ? "" : "s");
	return 0;
}

/* The parent of commit, when the repository holds it; NULL otherwise. */
static char *present_parent(OstreeRepo *repo, const char *commit)
{
	g_autoptr(GVariant) v = NULL;
	if (!ostree_repo_load_commit(repo, commit, &v, NULL, NULL))
		return NULL;
	g_autofree char *parent = ostree_commit_get_parent(v);
	g_autoptr(GVariant) pv = NULL;
	if (parent == NULL || !ostree_repo_load_commit(repo, parent, &pv, NULL, NULL))
		return NULL;
	return g_steal_pointer(&parent);
}

static bool has_delta(GPtrArray *names, const char *name)
{
	for (guint i = 0; i < names->len; i++)
		if (strcmp(names->pdata[i], name) == 0)
			return true;
	return false;
}

/* The deltas of each ref that are missing: from its parent (what an
 * update fetches) and from scratch (a first install). */
static int make_deltas(OstreeRepo *repo, const char *label, char **refs, bento_error **err)
{
	GError *gerr = NULL;
	g_autoptr(GPtrArray) names = NULL;
	if (!ostree_repo_list_static_delta_names(repo, &names, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot list its static deltas",
		                               label);
	for (char **ref = refs; *ref; ref++) {
		g_autofree char *head = NULL;
		if (!ostree_repo_resolve_rev(repo, *ref, FALSE, &head, &gerr))
			return bento_error_from_gerror(err, gerr, "%s: ref %s", label, *ref);
		g_autofree char *parent = present_parent(repo, head);
		const char *froms[] = {parent, NULL};
		for (size_t i = 0; i < 2; i++) {
			if (i == 0 && parent == NULL)
				continue;
			const char *from = froms[i];
			g_autofree char *name =
			    from ? g_strconcat(from, "-", head, NULL) : g_strdup(head);
			if (has_delta(names, name))
				continue;
			/* An update's delta holds every object it needs (no fallback
			 * fetched whole), so that a client can apply it on its own
			 * before the pull (runtime/lib/repo/delta.c).  A first
			 * install's leaves files over 1 MB to be fetched one by one,
			 * as Flatpak's do: the libraries another installed app
			 * shares are not downloaded again. */
			g_auto(GVariantBuilder) pb =
			    G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
			g_variant_builder_add(&pb, "{sv}", "min-fallback-size",
			                      g_variant_new_uint32(from ? 0 : 1));
			g_autoptr(GVariant) params = g_variant_ref_sink(g_variant_builder_end(&pb));
			if (!ostree_repo_static_delta_generate(
			        repo, OSTREE_STATIC_DELTA_GENERATE_OPT_MAJOR, from, head, NULL,
			        params, NULL, &gerr))
				return bento_error_from_gerror(
				    err, gerr, "%s: cannot make the static delta %s of %s", label,
				    name, *ref);
			printf("%s: static delta %s of %s (%s)\n", label, name, *ref,
			       from ? "from its parent" : "from scratch");
		}
	}
	return 0;
}

static int write_summary(OstreeRepo *repo, const bento_repo_update_options *o, bento_error **err)
{
	GError *gerr = NULL;
	if (!ostree_repo_regenerate_summary(repo, NULL, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot write the summary", o->repo);
	if (o->gpg_key == NULL) {
		printf("%s: summary written, unsigned\n", o->repo);
		return 0;
	}
	const char *keys[] = {o->gpg_key, NULL};
	if (!ostree_repo_add_gpg_signature_summary(repo, keys, o->gpg_homedir, NULL, &gerr))
		return bento_error_from_gerror(
		    err, gerr, "%s: cannot sign the summary with the key %s", o->repo, o->gpg_key);
	printf("%s: summary written and signed with %s\n", o->repo, o->gpg_key);
	return 0;
}

int bento_repo_update(const bento_repo_update_options *o, bento_error **err)
{
	g_autoptr(OstreeRepo) repo = NULL;
	if (bento_repo_open(o->repo, true, false, &repo, err) < 0)
		return -1;
	if (o->keep > 0 && prune(repo, o->repo, o->keep, err) < 0)
		return -1;
	g_auto(GStrv) refs = list_refs(repo, o->repo, err);
	if (refs == NULL)
		return -1;
	if (o->static_deltas && make_deltas(repo, o->repo, refs, err) < 0)
		return -1;
	unsigned apps = 0;
	if (bento_appstream_write(repo, o->repo, &apps, err) < 0)
		return -1;
	printf("%s: AppStream catalogue of %u app%s\n", o->repo, apps, apps == 1 ? "" : "s");
	return write_summary(repo, o, err);
}
