/* SPDX-License-Identifier: MIT */
/* A static delta applied before the pull that needs it.
 *
 * libostree 2022.7 (Debian 12's) applies a delta during a pull into a
 * bare-user-only repository and then fetches the changed files whole all
 * the same (ostree's issue 2680): an update costs the delta plus every
 * changed file.  Applied beforehand with
 * ostree_repo_static_delta_execute_offline, the pull that follows finds
 * every object present and fetches only the commit's signature.
 *
 * What comes from the server is checked link by link before anything is
 * written: the summary by the remote's key (as libostree's pull checks it),
 * the delta's superblock by the SHA-256 the signed summary gives it, each
 * part by the checksum in the superblock and each object by its own
 * checksum (execute_offline without skip_validation).  The commit then
 * goes through the pull's and bento_pull_app's checks like any other.
 * Nothing here is needed for correctness: whatever fails, the pull does
 * the whole work itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "repo/repo_private.h"
#include "update/fetch.h"

/* libostree's superblock layout (ostree-repo-static-delta-private.h): its
 * metadata, timestamp, from, to, the commit, dependencies, the parts
 * (version, checksum, size, uncompressed size, objects) and the fallback
 * objects fetched whole. */
#define SUPERBLOCK_FORMAT "(a{sv}tayay(a{sv}aya(say)sstayay)aya(uayttay)a(yaytt))"
#define SUPERBLOCK_MAX (16u << 20)
/* A part bigger than this is no update of an app. */
#define PART_MAX (1u << 30)

/* The commit the summary names for ref, or NULL. */
static char *summary_commit(GVariant *summary, const char *ref)
{
	g_autoptr(GVariant) refs = g_variant_get_child_value(summary, 0);
	for (gsize i = 0; i < g_variant_n_children(refs); i++) {
		const char *name = NULL;
		g_autoptr(GVariant) csum = NULL, meta = NULL;
		guint64 size;
		g_variant_get_child(refs, i, "(&s(t@ay@a{sv}))", &name, &size, &csum, &meta);
		if (strcmp(name, ref) == 0 && g_variant_get_size(csum) == OSTREE_SHA256_DIGEST_LEN)
			return ostree_checksum_from_bytes_v(csum);
	}
	return NULL;
}

/* The SHA-256 of the superblock of the delta from -> to, as the summary
 * lists it, or NULL. */
static GVariant *summary_delta(GVariant *summary, const char *from, const char *to)
{
	g_autoptr(GVariant) meta = g_variant_get_child_value(summary, 1);
	g_autoptr(GVariant) deltas =
	    g_variant_lookup_value(meta, "ostree.static-deltas", G_VARIANT_TYPE("a{sv}"));
	if (deltas == NULL)
		return NULL;
	g_autofree char *name = g_strconcat(from, "-", to, NULL);
	GVariant *csum = g_variant_lookup_value(deltas, name, G_VARIANT_TYPE("ay"));
	if (csum && g_variant_get_size(csum) != OSTREE_SHA256_DIGEST_LEN)
		g_clear_pointer(&csum, g_variant_unref);
	return csum;
}

/* deltas/FR/OM-TO, libostree's path of a delta, in its modified base64. */
static char *delta_path(const char *from, const char *to)
{
	guint8 bytes[OSTREE_SHA256_DIGEST_LEN];
	ostree_checksum_inplace_to_bytes(from, bytes);
	g_autofree char *from64 = ostree_checksum_b64_from_bytes(bytes);
	ostree_checksum_inplace_to_bytes(to, bytes);
	g_autofree char *to64 = ostree_checksum_b64_from_bytes(bytes);
	return xasprintf("deltas/%.2s/%s-%s", from64, from64 + 2, to64);
}

static int fetch_to(const char *url, size_t max, int dirfd, const char *name, GBytes **out,
                    bento_error **err)
{
	zsync_http_options o = {.max_retries = 2};
	autofree char *data = NULL, *final_url = NULL;
	size_t len = 0;
	if (zsync_http_get(url, &o, max, &data, &len, &final_url, err) < 0)
		return -1;
	autoclose int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || bento_write_all(fd, data, len) < 0)
		return bento_error_errno(err, "%s", name);
	if (out)
		*out = g_bytes_new(data, len);
	return 0;
}

static bool sha256_is(GBytes *data, GVariant *expected)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(data, &len);
	g_checksum_update(sum, p, len);
	guint8 digest[OSTREE_SHA256_DIGEST_LEN];
	gsize n = sizeof(digest);
	g_checksum_get_digest(sum, digest, &n);
	return memcmp(digest, g_variant_get_data(expected), sizeof(digest)) == 0;
}

/* Downloads the superblock and parts of the delta into dirfd; 1 when
 * it can be applied offline, 0 when it has objects to fetch whole. */
static int download_delta(const char *base, const char *path, GVariant *expected, int dirfd,
                          bento_error **err)
{
	autofree char *url = xasprintf("%s/%s/superblock", base, path);
	g_autoptr(GBytes) superblock = NULL;
	if (fetch_to(url, SUPERBLOCK_MAX, dirfd, "superblock", &superblock, err) < 0)
		return -1;
	if (!sha256_is(superblock, expected))
		return bento_error_set(err, EBADMSG,
		                       "%s: its SHA-256 is not the one the summary gives", url);
	g_autoptr(GVariant) sb = g_variant_ref_sink(
	    g_variant_new_from_bytes(G_VARIANT_TYPE(SUPERBLOCK_FORMAT), superblock, FALSE));
	g_autoptr(GVariant) parts = g_variant_get_child_value(sb, 6);
	g_autoptr(GVariant) fallbacks = g_variant_get_child_value(sb, 7);
	if (g_variant_n_children(fallbacks) > 0)
		return 0;
	for (gsize i = 0; i < g_variant_n_children(parts); i++) {
		guint32 version;
		guint64 size, usize;
		g_autoptr(GVariant) csum = NULL, objects = NULL;
		g_variant_get_child(parts, i, "(u@aytt@ay)", &version, &csum, &size, &usize,
		                    &objects);
		if (size > PART_MAX)
			return bento_error_set(err, EFBIG,
			                       "%s: part %zu of %" G_GUINT64_FORMAT " bytes", path,
			                       (size_t)i, size);
		autofree char *name = xasprintf("%zu", (size_t)i);
		autofree char *part_url = xasprintf("%s/%s/%s", base, path, name);
		if (fetch_to(part_url, (size_t)size, dirfd, name, NULL, err) < 0)
			return -1;
	}
	return 1;
}

int bento_delta_apply_ahead(bento_inst *inst, const char *remote, const char *ref, const char *url,
                            GBytes *summary_bytes, bento_error **err)
{
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	GError *gerror = NULL;
	g_autofree char *remote_ref = g_strdup_printf("%s:%s", remote, ref);
	g_autofree char *from = NULL;
	if (!ostree_repo_resolve_rev(repo, remote_ref, TRUE, &from, &gerror))
		return bento_error_from_gerror(err, gerror, "%s", remote_ref);
	g_autoptr(GVariant) summary = g_variant_ref_sink(
	    g_variant_new_from_bytes(OSTREE_SUMMARY_GVARIANT_FORMAT, summary_bytes, FALSE));
	g_autofree char *to = summary_commit(summary, ref);
	if (from == NULL || to == NULL || strcmp(from, to) == 0)
		return 0;
	gboolean present = FALSE;
	if (ostree_repo_has_object(repo, OSTREE_OBJECT_TYPE_COMMIT, to, &present, NULL, NULL) &&
	    present)
		return 0;
	g_autoptr(GVariant) expected = summary_delta(summary, from, to);
	if (expected == NULL)
		return 0;
	g_autofree char *base = NULL;
	if (url == NULL && !ostree_repo_remote_get_url(repo, remote, &base, &gerror))
		return bento_error_from_gerror(err, gerror, "remote %s", remote);
	autofree char *path = delta_path(from, to);
	autofree char *dir = xasprintf("%s/tmp/bento-delta-XXXXXX", inst->repo_path);
	if (mkdtemp(dir) == NULL)
		return bento_error_errno(err, "%s", dir);
	autoclose int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = dirfd < 0 ? bento_error_errno(err, "%s", dir)
	                  : download_delta(url ? url : base, path, expected, dirfd, err);
	if (r == 1) {
		g_autoptr(GFile) file = g_file_new_for_path(dir);
		if (!ostree_repo_prepare_transaction(repo, NULL, NULL, &gerror) ||
		    !ostree_repo_static_delta_execute_offline(repo, file, FALSE, NULL, &gerror) ||
		    !ostree_repo_commit_transaction(repo, NULL, NULL, &gerror)) {
			ostree_repo_abort_transaction(repo, NULL, NULL);
			r = bento_error_from_gerror(err, gerror, "the delta %s", path);
		}
	}
	bento_remove_tree(dir, NULL);
	return r;
}
