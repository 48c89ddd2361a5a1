/* SPDX-License-Identifier: MIT */
/* Pulls: an app's ref from its remote (and the remote's mirrors when one
 * fails), with the signatures checked by libostree, progress on stderr,
 * then the checks of what arrived before anything is deployed. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "image/metadata.h"
#include "permissions/permissions.h"
#include "repo/repo_private.h"

/* .bento/metadata is a small key file: anything bigger is no metadata. */
#define METADATA_MAX (256 * 1024)

void bento_pulled_clear(bento_pulled *p)
{
	free(p->commit);
	free(p->version);
	free(p->key);
	*p = (bento_pulled){0};
}

char *bento_app_ref(const char *app_id, const char *branch)
{
	struct utsname u;
	uname(&u);
	return xasprintf("app/%s/%s/%s", app_id, u.machine, branch);
}

/* ---- progress ---- */

typedef struct progress {
	bool tty;
	char last[256]; /* the last line printed without a terminal */
	double start, last_print;
	bool bar_shown;
} progress;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human_bytes(char *buf, size_t n, guint64 bytes)
{
	if (bytes >= 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
	else if (bytes >= 1024)
		snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
	else
		snprintf(buf, n, "%u B", (unsigned)bytes);
}

/* On a terminal one line redrawn (objects, bytes, rate); otherwise a line
 * per event: a new status, a delta part, and the objects at most once a
 * second. */
static void on_progress(OstreeAsyncProgress *p, gpointer data)
{
	progress *pr = data;
	g_autofree char *status = NULL;
	guint fetched = 0, requested = 0, outstanding = 0, parts = 0, total_parts = 0;
	guint64 bytes = 0;
	ostree_async_progress_get(p, "status", "s", &status, "fetched", "u", &fetched, "requested",
	                          "u", &requested, "outstanding-fetches", "u", &outstanding,
	                          "fetched-delta-parts", "u", &parts, "total-delta-parts", "u",
	                          &total_parts, "bytes-transferred", "t", &bytes, NULL);
	double elapsed = now() - pr->start;
	char size[32], rate[32];
	human_bytes(size, sizeof(size), bytes);
	human_bytes(rate, sizeof(rate), elapsed > 0.1 ? (guint64)((double)bytes / elapsed) : 0);
	char line[256];
	if (status && status[0])
		snprintf(line, sizeof(line), "%s", status);
	else if (total_parts > 0)
		snprintf(line, sizeof(line), "delta parts %u/%u, %s", parts, total_parts, size);
	else
		snprintf(line, sizeof(line), "objects %u/%u, %s", fetched, requested, size);
	if (pr->tty) {
		fprintf(stderr, "\r\033[K%s, %s/s", line, rate);
		pr->bar_shown = true;
		return;
	}
	double t = now();
	bool objects_only = (!status || !status[0]) && total_parts == 0;
	if (strcmp(line, pr->last) == 0 || (objects_only && t - pr->last_print < 1.0))
		return;
	snprintf(pr->last, sizeof(pr->last), "%s", line);
	pr->last_print = t;
	fprintf(stderr, "%s\n", line);
}

static void progress_end(progress *pr, OstreeAsyncProgress *p)
{
	guint64 bytes = 0;
	guint fetched = 0;
	ostree_async_progress_get(p, "bytes-transferred", "t", &bytes, "fetched", "u", &fetched,
	                          NULL);
	char size[32];
	human_bytes(size, sizeof(size), bytes);
	if (pr->bar_shown)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "received %s (%u objects) in %.1f s\n", size, fetched, now() - pr->start);
}

/* ---- the pull ---- */

/* Whether the remote's key signed the summary.  libostree checks it when
 * the remote says gpg-verify-summary (remote-add sets it): this is for a
 * configuration changed since. */
static gboolean summary_signed(OstreeRepo *repo, const char *remote, GBytes *summary,
                               GBytes *signatures, GError **gerror)
{
	gboolean checked = FALSE;
	if (ostree_repo_remote_get_gpg_verify_summary(repo, remote, &checked, NULL) && checked)
		return TRUE;
	if (signatures == NULL)
		return g_set_error(gerror, OSTREE_GPG_ERROR, OSTREE_GPG_ERROR_NO_SIGNATURE,
		                   "the summary is not signed"),
		       FALSE;
	g_autoptr(OstreeGpgVerifyResult) result =
	    ostree_repo_verify_summary(repo, remote, summary, signatures, NULL, gerror);
	return result && ostree_gpg_verify_result_require_valid_signature(result, gerror);
}

/* libostree's pull of ref from url (NULL: the remote's own).  The
 * summary's signature is checked unless the remote was added with
 * --no-gpg-verify, whatever the remote's config says since; and the new
 * commit may not be older than the one pulled last. */
static gboolean pull_from(bento_inst *inst, const char *remote, const char *ref, const char *url,
                          bool verify, GError **gerror)
{
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	/* The summary, checked by the remote's key as it arrives, serves
	 * both the delta applied ahead (delta.c) and the pull. */
	g_auto(GVariantBuilder) fb = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
	if (url)
		g_variant_builder_add(&fb, "{sv}", "override-url", g_variant_new_string(url));
	g_autoptr(GVariant) fetch_options = g_variant_ref_sink(g_variant_builder_end(&fb));
	g_autoptr(GBytes) summary = NULL, signatures = NULL;
	if (!ostree_repo_remote_fetch_summary_with_options(repo, remote, fetch_options, &summary,
	                                                   &signatures, NULL, gerror))
		return FALSE;
	if (summary == NULL)
		return g_set_error(gerror, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		                   "the server has no summary"),
		       FALSE;
	if (verify && !summary_signed(repo, remote, summary, signatures, gerror))
		return FALSE;
	auto_bento_error ahead_err = NULL;
	if (bento_delta_apply_ahead(inst, remote, ref, url, summary, &ahead_err) < 0)
		bento_debug("no delta applied ahead: %s", ahead_err->message);
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));
	/* libostree takes the summary's bytes only with its signature's (a
	 * remote added with --no-gpg-verify may serve none: its pull fetches
	 * the summary again). */
	if (signatures) {
		g_variant_builder_add(
		    &b, "{sv}", "summary-bytes",
		    g_variant_new_from_bytes(G_VARIANT_TYPE("ay"), summary, TRUE));
		g_variant_builder_add(
		    &b, "{sv}", "summary-sig-bytes",
		    g_variant_new_from_bytes(G_VARIANT_TYPE("ay"), signatures, TRUE));
	}
	const char *refs[] = {ref, NULL};
	g_variant_builder_add(&b, "{sv}", "refs", g_variant_new_strv(refs, -1));
	/* No setuid, setgid or world-writable file enters the repository
	 * (libostree refuses them while pulling). */
	g_variant_builder_add(&b, "{sv}", "flags",
	                      g_variant_new_int32(OSTREE_REPO_PULL_FLAGS_BAREUSERONLY_FILES));
	/* Each signature is checked once: the summary's above, as it arrived
	 * (these are its bytes), the commit's by bento_pull_app
	 * (commit_signer), which needs its signer, before anything is
	 * deployed.  The summary names the commit by its checksum, so the
	 * objects pulled are the ones the remote's key vouches for. */
	g_variant_builder_add(&b, "{sv}", "gpg-verify", g_variant_new_boolean(FALSE));
	g_variant_builder_add(&b, "{sv}", "gpg-verify-summary", g_variant_new_boolean(FALSE));
	/* A commit older than the one pulled before is refused: the server (or
	 * whoever stands in its way) could otherwise hand back an old signed
	 * version, with the flaws its successor fixed. */
	g_variant_builder_add(&b, "{sv}", "timestamp-check", g_variant_new_boolean(TRUE));
	if (url)
		g_variant_builder_add(&b, "{sv}", "override-url", g_variant_new_string(url));
	g_autoptr(GVariant) options = g_variant_ref_sink(g_variant_builder_end(&b));
	progress pr = {.tty = isatty(2), .start = now()};
	g_autoptr(OstreeAsyncProgress) p = ostree_async_progress_new_and_connect(on_progress, &pr);
	gboolean ok = ostree_repo_pull_with_options(repo, remote, options, p, NULL, gerror);
	ostree_async_progress_finish(p);
	if (ok)
		progress_end(&pr, p);
	else if (pr.bar_shown)
		fprintf(stderr, "\r\033[K");
	return ok;
}

/* Whether the remote's signatures are checked: unless remote-add was given
 * --no-gpg-verify. */
static bool remote_verifies(OstreeRepo *repo, const char *remote)
{
	gboolean verify = TRUE;
	ostree_repo_remote_get_gpg_verify(repo, remote, &verify, NULL);
	return verify;
}

/* Pulls from the remote's URL, then from each mirror while the failure is
 * no signature's (a bad signature is no server's accident: it ends the
 * pull, and the next command starts again). */
static int pull_any(bento_inst *inst, const char *remote, const char *ref, bool verify,
                    bento_error **err)
{
	g_auto(GStrv) urls = bento_remote_urls(inst, remote, err);
	if (urls == NULL)
		return -1;
	bento_remote_forget_summary(inst, remote);
	g_autoptr(GString) why = g_string_new(NULL);
	for (char **u = urls; *u; u++) {
		GError *gerror = NULL;
		const char *override = u == urls ? NULL : *u;
		if (u != urls)
			fprintf(stderr, "trying the mirror %s\n", *u);
		if (pull_from(inst, remote, ref, override, verify, &gerror))
			return 0;
		/* (libostree's precondition failures return without a GError) */
		g_string_append_printf(why, "%s%s: %s", why->len ? "; " : "", *u,
		                       gerror ? gerror->message : "the pull failed");
		bool signature = gerror && gerror->domain == OSTREE_GPG_ERROR;
		g_clear_error(&gerror);
		if (signature)
			break;
	}
	return bento_error_set(err, EIO, "cannot pull %s from remote %s: %s", ref, remote,
	                       why->str);
}

/* The key that signed the commit, as the remote's keyring verified it. */
static int commit_signer(OstreeRepo *repo, const char *remote, const char *commit, char **key,
                         bento_error **err)
{
	GError *gerror = NULL;
	g_autoptr(OstreeGpgVerifyResult) result =
	    ostree_repo_verify_commit_for_remote(repo, commit, remote, NULL, &gerror);
	if (result == NULL)
		return bento_error_from_gerror(err, gerror, "commit %s", commit);
	guint n = ostree_gpg_verify_result_count_all(result);
	for (guint i = 0; i < n; i++) {
		g_autoptr(GVariant) sig = ostree_gpg_verify_result_get_all(result, i);
		gboolean valid = FALSE;
		const char *fpr = NULL;
		g_variant_get_child(sig, OSTREE_GPG_SIGNATURE_ATTR_VALID, "b", &valid);
		g_variant_get_child(sig, OSTREE_GPG_SIGNATURE_ATTR_FINGERPRINT_PRIMARY, "&s", &fpr);
		if (valid && fpr && fpr[0]) {
			*key = xstrdup(fpr);
			return 0;
		}
	}
	return bento_error_set(err, EPERM, "commit %s: no valid signature by the remote %s's key",
	                       commit, remote);
}

/* .bento/metadata of the commit, parsed and checked as the runtime does
 * (bento_metadata_parse, bento_metadata_load). */
static int check_tree_metadata(OstreeRepo *repo, const char *commit, const char *app_id,
                               bento_error **err)
{
	GError *gerror = NULL;
	g_autoptr(GFile) root = NULL;
	if (!ostree_repo_read_commit(repo, commit, &root, NULL, NULL, &gerror))
		return bento_error_from_gerror(err, gerror, "commit %s", commit);
	g_autoptr(GFile) file = g_file_resolve_relative_path(root, ".bento/metadata");
	g_autoptr(GFileInfo) info =
	    g_file_query_info(file, "standard::type,standard::size",
	                      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &gerror);
	if (info == NULL)
		return bento_error_from_gerror(err, gerror, "commit %s: .bento/metadata", commit);
	if (g_file_info_get_file_type(info) != G_FILE_TYPE_REGULAR ||
	    g_file_info_get_size(info) > METADATA_MAX)
		return bento_error_set(err, EINVAL,
		                       "commit %s: .bento/metadata is no regular file of at most "
		                       "%d bytes",
		                       commit, METADATA_MAX);
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!g_file_load_contents(file, NULL, &data, &len, NULL, &gerror))
		return bento_error_from_gerror(err, gerror, "commit %s: .bento/metadata", commit);
	autofree char *name = xasprintf("commit %.12s: .bento/metadata", commit);
	bento_metadata md = {0};
	int r = bento_metadata_load(name, data, len, &md, err);
	if (r == 0 && strcmp(md.app_id, app_id) != 0)
		r = bento_error_set(err, EPERM, "%s names the app id %s, not %s", name, md.app_id,
		                    app_id);
	bento_metadata_clear(&md);
	return r;
}

/* What the commit's metadata must say of itself: the ref it was published
 * under (libostree also checks the binding when pulling) and the app id. */
static int check_commit(OstreeRepo *repo, const char *commit, const char *ref, const char *app_id,
                        char **version, bento_error **err)
{
	GError *gerror = NULL;
	g_autoptr(GVariant) variant = NULL;
	if (!ostree_repo_load_commit(repo, commit, &variant, NULL, &gerror))
		return bento_error_from_gerror(err, gerror, "commit %s", commit);
	g_autoptr(GVariant) meta = g_variant_get_child_value(variant, 0);
	g_autofree const char **bindings = NULL;
	if (!g_variant_lookup(meta, OSTREE_COMMIT_META_KEY_REF_BINDING, "^a&s", &bindings) ||
	    !g_strv_contains(bindings, ref))
		return bento_error_set(err, EPERM,
		                       "commit %s is not bound to %s (ostree.ref-binding): it was "
		                       "published for another ref",
		                       commit, ref);
	const char *id = NULL;
	if (!g_variant_lookup(meta, "bento.app-id", "&s", &id) || strcmp(id, app_id) != 0)
		return bento_error_set(err, EPERM, "commit %s: its bento.app-id is %s, not %s",
		                       commit,
		                       id == NULL                           ? "missing"
		                       : bento_app_id_valid(id, strlen(id)) ? id
		                                                            : "no valid app id",
		                       app_id);
	const char *v = NULL;
	if (g_variant_lookup(meta, OSTREE_COMMIT_META_KEY_VERSION, "&s", &v)) {
		/* Shown by list and info: no terminal control sequences. */
		for (const char *c = v; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f || c - v > 128)
				return bento_error_set(
				    err, EINVAL,
				    "commit %s: its version is longer than 128 bytes "
				    "or holds control characters",
				    commit);
		*version = xstrdup(v);
	}
	return check_tree_metadata(repo, commit, app_id, err);
}

int bento_pull_app(bento_inst *inst, const char *remote, const char *app_id, const char *ref,
                   bento_pulled *out, bento_error **err)
{
	OstreeRepo *repo = (OstreeRepo *)inst->repo;
	bool verify = remote_verifies(repo, remote);
	if (pull_any(inst, remote, ref, verify, err) < 0)
		return -1;
	GError *gerror = NULL;
	g_autofree char *remote_ref = g_strdup_printf("%s:%s", remote, ref);
	g_autofree char *commit = NULL;
	if (!ostree_repo_resolve_rev(repo, remote_ref, FALSE, &commit, &gerror))
		return bento_error_from_gerror(err, gerror, "%s", remote_ref);
	*out = (bento_pulled){.commit = xstrdup(commit)};
	/* The signature first: nothing of a commit is read before its signer
	 * is known. */
	if ((verify && commit_signer(repo, remote, commit, &out->key, err) < 0) ||
	    check_commit(repo, commit, ref, app_id, &out->version, err) < 0) {
		bento_pulled_clear(out);
		/* A refusal of the command's (install: 1, update: 3), not the
		 * runtime's status that the metadata parser gives its errors. */
		if (err && *err)
			(*err)->status = 0;
		return bento_error_prefix(err, "%s from remote %s refused", app_id, remote);
	}
	return 0;
}
