/* SPDX-License-Identifier: MIT */
#include "output/ostree_export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/keyfile.h"
#include "core/util.h"
#include "image/extract.h"
#include "image/image.h"
#include "output/appstream.h"
#include "permissions/permissions.h"
#include "util/beneath.h"
#include "util/digest.h"
#include "util/tree_copy.h"

int bento_error_from_gerror(bento_error **err, GError *gerr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *what = xvasprintf(fmt, ap);
	va_end(ap);
	bento_error_set(err, 0, "%s: %s", what, gerr ? gerr->message : "unknown error");
	if (gerr)
		g_error_free(gerr);
	return -1;
}

const char *bento_repo_arch(void)
{
	static struct utsname u;
	if (u.machine[0] == '\0' && uname(&u) < 0)
		return "x86_64";
	return u.machine;
}

char *bento_repo_ref(const char *app_id, const char *branch)
{
	return xasprintf("app/%s/%s/%s", app_id, bento_repo_arch(), branch);
}

int bento_repo_check_branch(const char *branch, bento_error **err)
{
	size_t n = strlen(branch);
	bool ok = n >= 1 && n <= 64 && g_ascii_isalnum(branch[0]);
	for (size_t i = 0; ok && i < n; i++)
		ok = g_ascii_isalnum(branch[i]) || strchr("._-", branch[i]) != NULL;
	if (!ok)
		return bento_error_usage(
		    err,
		    "--branch=%s: a branch is 1 to 64 letters, digits, '.', '_' "
		    "and '-', starting with a letter or digit",
		    branch);
	return 0;
}

/* Whether the directory open at fd holds nothing. */
static int dir_is_empty(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	int empty = 1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

/* The repository's directory, opened without following a link; with write,
 * only the user's own (someone else's directory may be swapped under us or
 * serve their files as ours), not writable by others.  Created (0755) when
 * missing and create is set. */
static int open_repo_dir(const char *path, bool write, bool create, bento_error **err)
{
	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return bento_error_errno(err, "repository %s: cannot create it", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return bento_error_set(err, ELOOP,
			                       "repository %s is a symbolic link: name the "
			                       "directory itself",
			                       path);
		if (errno == ENOTDIR)
			return bento_error_set(err, ENOTDIR, "repository %s is not a directory",
			                       path);
		return bento_error_errno(err, "repository %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		bento_error_errno(err, "repository %s", path);
		close(fd);
		return -1;
	}
	if (write && st.st_uid != geteuid()) {
		close(fd);
		return bento_error_set(err, EPERM,
		                       "repository %s belongs to uid %u, not to you (uid %u): "
		                       "refusing to publish into someone else's directory",
		                       path, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if (write && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return bento_error_set(err, EPERM,
		                       "repository %s is writable by others (mode %04o): "
		                       "anyone could change what it serves; chmod go-w it",
		                       path, (unsigned)(st.st_mode & 07777));
	}
	return fd;
}

int bento_repo_open(const char *path, bool write, bool create, OstreeRepo **out, bento_error **err)
{
	autoclose int fd = open_repo_dir(path, write, create, err);
	if (fd < 0)
		return -1;
	GError *gerr = NULL;
	struct stat st;
	g_autoptr(OstreeRepo) repo = NULL;
	if (fstatat(fd, "config", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int empty = dir_is_empty(fd);
		if (!create || empty != 1)
			return bento_error_set(err, ENOENT,
			                       "repository %s is not an OSTree repository (no "
			                       "config)%s",
			                       path,
			                       create ? " and not empty: refusing to make one in "
			                                "a directory that holds other files"
			                              : "");
		repo = ostree_repo_create_at(fd, ".", OSTREE_REPO_MODE_ARCHIVE, NULL, NULL, &gerr);
		if (repo == NULL)
			return bento_error_from_gerror(err, gerr, "repository %s: cannot create it",
			                               path);
		printf("created the repository %s (archive mode)\n", path);
	} else {
		if (!S_ISREG(st.st_mode))
			return bento_error_set(
			    err, EINVAL, "repository %s: its config is not a regular file", path);
		repo = ostree_repo_open_at(fd, ".", NULL, &gerr);
		if (repo == NULL)
			return bento_error_from_gerror(err, gerr, "repository %s", path);
	}
	if (write && ostree_repo_get_mode(repo) != OSTREE_REPO_MODE_ARCHIVE)
		return bento_error_set(err, EINVAL,
		                       "repository %s is not in archive mode: a repository to "
		                       "serve over HTTP must be (ostree init --mode=archive)",
		                       path);
	*out = g_steal_pointer(&repo);
	return 0;
}

/* ------------------------------------------------------------ the tree */

/* What an export learns of its source on the way. */
typedef struct export_source {
	const char *label; /* the source as named */
	char *tmp;         /* the temporary directory (0700) */
	char *tree;        /* tmp/tree: the tree to commit */
	char *sha256;      /* of a bento file, NULL for an AppDir */
	char *metadata;    /* the text of .bento/metadata */
	char *app_id;      /* from it, valid */
	char *version;     /* X-AppImage-Version of the desktop entry, or NULL */
	bool from_file;
} export_source;

static void export_source_clear(export_source *s)
{
	if (s->tmp) {
		bento_error *e = NULL;
		if (bento_remove_tree(s->tmp, &e) < 0) {
			bento_warn("cannot remove %s: %s", s->tmp, e->message);
			bento_error_free(e);
		}
	}
	free(s->tmp);
	free(s->tree);
	free(s->sha256);
	free(s->metadata);
	free(s->app_id);
	free(s->version);
}

/* A bento file: its SHA-256 and its tree extracted as a publisher must
 * (extract.h's strict: devices refused, setuid/setgid dropped and said). */
static int tree_from_file(export_source *s, bento_error **err)
{
	auto_bento_image img = NULL;
	if (bento_image_open(s->label, &img, err) < 0)
		return -1;
	auto_bento_digest d = bento_digest_new();
	if (bento_digest_add_fd(d, img->fd, s->label, NULL, err) < 0)
		return -1;
	s->sha256 = bento_digest_hex(d);
	bento_extract_options opts = {.strict = true};
	return bento_extract(img, s->tree, &opts, err);
}

/* An AppDir: copied, so that what is committed cannot change under the
 * commit, and so that anything but files, directories and links is refused
 * (tree_copy.h). */
static int tree_from_dir(export_source *s, bento_error **err)
{
	autoclose int src = open(s->label, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return bento_error_errno(err, "%s", s->label);
	if (mkdir(s->tree, 0755) < 0)
		return bento_error_errno(err, "cannot create %s", s->tree);
	autoclose int dst = open(s->tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return bento_error_errno(err, "cannot open %s", s->tree);
	return bento_tree_copy(src, s->label, dst, "the copy to commit", err);
}

/* The name of the first (by name) regular *.desktop file at the top of the
 * tree, or NULL. */
static char *first_desktop_file(int tree_fd)
{
	struct dirent **list = NULL;
	autofree char *path = xasprintf("/proc/self/fd/%d", tree_fd);
	int n = scandir(path, &list, NULL, alphasort);
	char *found = NULL;
	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;
		size_t len = strlen(d);
		struct stat st;
		if (!found && len > 8 && strcmp(d + len - 8, ".desktop") == 0 &&
		    fstatat(tree_fd, d, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			found = xstrdup(d);
		free(list[i]);
	}
	free(list);
	return found;
}

/* X-AppImage-Version of the tree's desktop entry (ID.desktop, else the
 * first *.desktop at the top), or NULL: the version AppImage tools give a
 * file. */
static char *tree_version(int tree_fd, const char *label, const char *app_id)
{
	autofree char *name = xasprintf("%s.desktop", app_id);
	struct stat st;
	if (fstatat(tree_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		free(name);
		name = first_desktop_file(tree_fd);
		if (name == NULL)
			return NULL;
	}
	autofree char *text = NULL;
	size_t len = 0;
	bento_error *e = NULL;
	if (bento_beneath_read_file(tree_fd, label, name, 1 << 20, &text, &len, &e) < 0) {
		bento_error_free(e);
		return NULL;
	}
	auto_bento_keyfile kf = NULL;
	autofree char *kf_name = xasprintf("%s:%s", label, name);
	if (bento_keyfile_parse(kf_name, text, len, &kf, &e) < 0) {
		bento_warn("%s; the commit has no version", e->message);
		bento_error_free(e);
		return NULL;
	}
	const char *v = bento_keyfile_get(kf, "Desktop Entry", "X-AppImage-Version");
	return v && *v ? xstrdup(v) : NULL;
}

/* The version of the tree's metainfo's first release, or NULL. */
static char *metainfo_version(int tree_fd, const char *label, const char *app_id)
{
	const char *paths[] = BENTO_METAINFO_PATHS;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		autofree char *path = xasprintf(paths[i], app_id);
		autofree char *text = NULL;
		size_t len = 0;
		bento_error *e = NULL;
		if (bento_beneath_read_file(tree_fd, label, path, 1 << 20, &text, &len, &e) < 0) {
			bento_error_free(e);
			continue;
		}
		g_autofree char *version = bento_metainfo_version(text, len);
		return version ? xstrdup(version) : NULL;
	}
	return NULL;
}

/* The app id and version of the tree (its .bento/metadata, parsed as the
 * runtime parses it). */
static int tree_identity(export_source *s, bento_error **err)
{
	autoclose int tree_fd = open(s->tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tree_fd < 0)
		return bento_error_errno(err, "cannot open %s", s->tree);
	size_t len = 0;
	bento_error *e = NULL;
	if (bento_beneath_read_file(tree_fd, s->label, ".bento/metadata", 1 << 20, &s->metadata,
	                            &len, &e) < 0) {
		bool missing = errno == ENOENT;
		bento_error_free(e);
		if (missing)
			return bento_error_set(err, ENOENT,
			                       "%s has no .bento/metadata: an app in a repository "
			                       "needs the app id it names ([Application] name=)",
			                       s->label);
		return bento_error_set(err, EINVAL, "%s: cannot read .bento/metadata", s->label);
	}
	bento_metadata md;
	autofree char *name = xasprintf("%s:.bento/metadata", s->label);
	if (bento_metadata_parse(name, s->metadata, len, &md, err) < 0) {
		(*err)->status = BENTO_EXIT_FAILURE;
		return -1;
	}
	/* (the parser validated it; checked again since it becomes a ref) */
	if (md.app_id == NULL || !bento_app_id_valid(md.app_id, strlen(md.app_id))) {
		bento_metadata_clear(&md);
		return bento_error_set(err, EINVAL, "%s: no valid app id", name);
	}
	s->app_id = xstrdup(md.app_id);
	bento_metadata_clear(&md);
	s->version = tree_version(tree_fd, s->label, s->app_id);
	if (s->version == NULL)
		s->version = metainfo_version(tree_fd, s->label, s->app_id);
	return 0;
}

static int prepare_source(export_source *s, bento_error **err)
{
	struct stat st;
	if (stat(s->label, &st) < 0)
		return bento_error_errno(err, "%s", s->label);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return bento_error_set(err, EINVAL, "%s is %s, neither a bento file nor an AppDir",
		                       s->label, bento_file_type_name(st.st_mode));
	s->from_file = S_ISREG(st.st_mode);
	s->tmp = xasprintf("%s/bento-export-XXXXXX", bento_tmpdir());
	if (mkdtemp(s->tmp) == NULL) {
		int e = errno;
		free(s->tmp);
		s->tmp = NULL;
		errno = e;
		return bento_error_errno(err, "cannot create a temporary directory in %s",
		                         bento_tmpdir());
	}
	s->tree = xasprintf("%s/tree", s->tmp);
	if ((s->from_file ? tree_from_file(s, err) : tree_from_dir(s, err)) < 0)
		return -1;
	return tree_identity(s, err);
}

/* ------------------------------------------------------------ the commit */

/* Every file of the commit: owned by root, no xattrs (the modifier's
 * flag), no setuid, setgid or sticky bit and nothing writable by others
 * (what bare-user-only clients accept: modes within 0775). */
static OstreeRepoCommitFilterResult commit_filter(OstreeRepo *repo, const char *path,
                                                  GFileInfo *info, gpointer data)
{
	(void)repo;
	const char *label = data;
	guint32 mode = g_file_info_get_attribute_uint32(info, "unix::mode");
	if (mode & (S_ISUID | S_ISGID))
		bento_note("%s: %s: setuid/setgid bits dropped", label, path);
	/* A symbolic link's mode is 0777 wherever it is checked out: a commit
	 * saying otherwise would not match its own checksum in a client's
	 * bare-user-only repository (ostree fsck: "Corrupted file object"). */
	guint32 perms = S_ISLNK(mode) ? 0777 : mode & 0775;
	g_file_info_set_attribute_uint32(info, "unix::mode", (mode & S_IFMT) | perms);
	g_file_info_set_attribute_uint32(info, "unix::uid", 0);
	g_file_info_set_attribute_uint32(info, "unix::gid", 0);
	return OSTREE_REPO_COMMIT_FILTER_ALLOW;
}

static GVariant *commit_metadata(const export_source *s, const char *ref, const char *branch)
{
	g_auto(GVariantBuilder) b;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	const char *refs[] = {ref, NULL};
	g_variant_builder_add(&b, "{sv}", "ostree.ref-binding", g_variant_new_strv(refs, -1));
	if (s->version)
		g_variant_builder_add(&b, "{sv}", "version", g_variant_new_string(s->version));
	g_variant_builder_add(&b, "{sv}", "bento.app-id", g_variant_new_string(s->app_id));
	g_variant_builder_add(&b, "{sv}", "bento.branch", g_variant_new_string(branch));
	g_variant_builder_add(&b, "{sv}", "bento.arch", g_variant_new_string(bento_repo_arch()));
	g_variant_builder_add(&b, "{sv}", "bento.metadata", g_variant_new_string(s->metadata));
	if (s->sha256) {
		g_autofree char *base = g_path_get_basename(s->label);
		g_variant_builder_add(&b, "{sv}", "bento.source-sha256",
		                      g_variant_new_string(s->sha256));
		g_variant_builder_add(&b, "{sv}", "bento.source-name", g_variant_new_string(base));
	}
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* The commit's time: SOURCE_DATE_EPOCH when set (a plain number), else now. */
static int commit_time(guint64 *out, bento_error **err)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	if (v == NULL || *v == '\0') {
		*out = (guint64)time(NULL);
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long t = strtoull(v, &end, 10);
	if (errno || *end || !g_ascii_isdigit(v[0]))
		return bento_error_usage(err, "SOURCE_DATE_EPOCH=%s: not a number of seconds", v);
	*out = t;
	return 0;
}

/* Whether root holds the same tree as the commit rev (contents and the
 * root directory's metadata). */
static int same_tree(OstreeRepo *repo, GFile *root, const char *rev, bool *same, bento_error **err)
{
	GError *gerr = NULL;
	g_autoptr(GFile) old_root = NULL;
	if (!ostree_repo_read_commit(repo, rev, &old_root, NULL, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "cannot read commit %s", rev);
	OstreeRepoFile *a = OSTREE_REPO_FILE(root), *b = OSTREE_REPO_FILE(old_root);
	if (!ostree_repo_file_ensure_resolved(a, &gerr) ||
	    !ostree_repo_file_ensure_resolved(b, &gerr))
		return bento_error_from_gerror(err, gerr, "cannot read commit %s", rev);
	*same = strcmp(ostree_repo_file_tree_get_contents_checksum(a),
	               ostree_repo_file_tree_get_contents_checksum(b)) == 0 &&
	        strcmp(ostree_repo_file_tree_get_metadata_checksum(a),
	               ostree_repo_file_tree_get_metadata_checksum(b)) == 0;
	return 0;
}

/* Writes the tree and, unless it is the parent's, the commit; the objects
 * are in the repository when this returns (no ref names them yet).
 * *checksum is NULL when nothing changed. */
static int write_commit(OstreeRepo *repo, const export_source *s, const char *ref,
                        const char *branch, const char *parent, const char *subject,
                        char **checksum, bento_error **err)
{
	GError *gerr = NULL;
	guint64 when = 0;
	if (commit_time(&when, err) < 0)
		return -1;
	if (!ostree_repo_prepare_transaction(repo, NULL, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot start a transaction",
		                               s->label);
	g_autoptr(OstreeMutableTree) mtree = ostree_mutable_tree_new();
	g_autoptr(OstreeRepoCommitModifier) modifier = ostree_repo_commit_modifier_new(
	    OSTREE_REPO_COMMIT_MODIFIER_FLAGS_SKIP_XATTRS, commit_filter, (gpointer)s->label, NULL);
	g_autoptr(GFile) root = NULL;
	g_autoptr(GVariant) metadata = commit_metadata(s, ref, branch);
	g_autofree char *sum = NULL;
	bool same = false;
	if (!ostree_repo_write_dfd_to_mtree(repo, AT_FDCWD, s->tree, mtree, modifier, NULL,
	                                    &gerr) ||
	    !ostree_repo_write_mtree(repo, mtree, &root, NULL, &gerr)) {
		bento_error_from_gerror(err, gerr, "%s: cannot write its tree", s->label);
		goto abort;
	}
	if (parent && same_tree(repo, root, parent, &same, err) < 0)
		goto abort;
	if (same) {
		ostree_repo_abort_transaction(repo, NULL, NULL);
		*checksum = NULL;
		return 0;
	}
	if (!ostree_repo_write_commit_with_time(repo, parent, subject, NULL, metadata,
	                                        OSTREE_REPO_FILE(root), when, &sum, NULL, &gerr)) {
		bento_error_from_gerror(err, gerr, "%s: cannot write the commit", s->label);
		goto abort;
	}
	if (!ostree_repo_commit_transaction(repo, NULL, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot complete the commit",
		                               s->label);
	*checksum = g_steal_pointer(&sum);
	return 0;
abort:
	ostree_repo_abort_transaction(repo, NULL, NULL);
	return -1;
}

int bento_ostree_export(const char *source, const bento_export_options *o, bento_error **err)
{
	const char *branch = o->branch ? o->branch : BENTO_REPO_DEFAULT_BRANCH;
	if (bento_repo_check_branch(branch, err) < 0)
		return -1;
	__attribute__((cleanup(export_source_clear))) export_source s = {.label = source};
	if (prepare_source(&s, err) < 0)
		return -1;
	if (o->version) {
		free(s.version);
		s.version = xstrdup(o->version);
	}
	g_autoptr(OstreeRepo) repo = NULL;
	if (bento_repo_open(o->repo, true, true, &repo, err) < 0)
		return -1;
	autofree char *ref = bento_repo_ref(s.app_id, branch);
	GError *gerr = NULL;
	g_autofree char *parent = NULL;
	if (!ostree_repo_resolve_rev(repo, ref, TRUE, &parent, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: ref %s", o->repo, ref);
	autofree char *subject = o->subject ? xstrdup(o->subject)
	                                    : xasprintf("%s%s%s", s.app_id, s.version ? " " : "",
	                                                s.version ? s.version : "");
	autofree char *checksum = NULL;
	if (write_commit(repo, &s, ref, branch, parent, subject, &checksum, err) < 0)
		return -1;
	if (checksum == NULL) {
		printf("%s: %s holds this tree already (commit %s): no new commit\n", o->repo, ref,
		       parent);
		return 0;
	}
	if (o->gpg_key &&
	    !ostree_repo_sign_commit(repo, checksum, o->gpg_key, o->gpg_homedir, NULL, &gerr))
		return bento_error_from_gerror(err, gerr,
		                               "%s: cannot sign commit %s with the key %s (the ref "
		                               "is left as it was)",
		                               o->repo, checksum, o->gpg_key);
	if (!ostree_repo_set_ref_immediate(repo, NULL, ref, checksum, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot move %s", o->repo, ref);
	printf("%s: %s -> %s (%s%s%s)\n", o->repo, ref, checksum, s.app_id, s.version ? " " : "",
	       s.version ? s.version : "");
	return 0;
}

/* ------------------------------------------------------------ the way back */

int bento_repo_bundle(const char *repo_path, const char *app_id, const char *branch,
                      bento_pack_options *pack, bento_error **err)
{
	branch = branch ? branch : BENTO_REPO_DEFAULT_BRANCH;
	const char *problem = bento_app_id_problem(app_id, strlen(app_id));
	if (problem)
		return bento_error_usage(err, "invalid app id \"%s\": %s", app_id, problem);
	if (bento_repo_check_branch(branch, err) < 0)
		return -1;
	g_autoptr(OstreeRepo) repo = NULL;
	if (bento_repo_open(repo_path, false, false, &repo, err) < 0)
		return -1;
	autofree char *ref = bento_repo_ref(app_id, branch);
	GError *gerr = NULL;
	g_autofree char *commit = NULL;
	if (!ostree_repo_resolve_rev(repo, ref, FALSE, &commit, &gerr))
		return bento_error_from_gerror(err, gerr, "repository %s", repo_path);
	__attribute__((cleanup(export_source_clear))) export_source s = {.label = repo_path};
	s.tmp = xasprintf("%s/bento-bundle-XXXXXX", bento_tmpdir());
	if (mkdtemp(s.tmp) == NULL) {
		free(s.tmp);
		s.tmp = NULL;
		return bento_error_errno(err, "cannot create a temporary directory in %s",
		                         bento_tmpdir());
	}
	s.tree = xasprintf("%s/%s", s.tmp, app_id);
	OstreeRepoCheckoutAtOptions opts = {
	    .mode = OSTREE_REPO_CHECKOUT_MODE_USER,
	    .overwrite_mode = OSTREE_REPO_CHECKOUT_OVERWRITE_NONE,
	};
	if (!ostree_repo_checkout_at(repo, &opts, AT_FDCWD, s.tree, commit, NULL, &gerr))
		return bento_error_from_gerror(err, gerr, "%s: cannot check out %s (%s)", repo_path,
		                               ref, commit);
	printf("%s: %s is commit %s\n", repo_path, ref, commit);
	pack->appdir = s.tree;
	return bento_pack(pack, err);
}
