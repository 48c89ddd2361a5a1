/* SPDX-License-Identifier: MIT */
/* Publishing to an OSTree repository (bento-repository(7)): an app's image
 * tree becomes a commit on the ref app/ID/ARCH/BRANCH of an archive-mode
 * repository, with the commit metadata bento's clients check; and the way
 * back, a commit checked out as an AppDir (for `bundle --repo`).  libostree
 * does the object store and the signing; its GErrors become bento_errors
 * here.
 *
 * A repository is written only when it is a directory of the user's own,
 * not reached through a symbolic link, and either an OSTree repository in
 * archive mode or empty (then made one). */
#ifndef BENTO_BUILDER_OSTREE_EXPORT_H
#define BENTO_BUILDER_OSTREE_EXPORT_H

#include <stdbool.h>

#include <ostree.h>

#include "core/error.h"
#include "core/gerror.h"
#include "output/pack.h"

#define BENTO_REPO_DEFAULT_BRANCH "stable"

typedef struct bento_export_options {
	const char *repo;        /* the repository, created when missing */
	const char *branch;      /* NULL: BENTO_REPO_DEFAULT_BRANCH */
	const char *gpg_key;     /* sign the commit with this key; NULL: unsigned */
	const char *gpg_homedir; /* GnuPG home of gpg_key; NULL: GnuPG's default */
	const char *subject;     /* the commit's subject; NULL: "ID VERSION" */
	/* The app's version (a build's manifest says it); NULL: the tree's, from
	 * its desktop entry's X-AppImage-Version, else its metainfo's first
	 * release. */
	const char *version;
} bento_export_options;

/* Exports source, a bento file or an AppDir, as a commit (see above): its
 * app id is the one .bento/metadata names (which must be valid), setuid and
 * setgid bits are dropped (and reported), device nodes, fifos and sockets
 * refused.  A tree identical to the ref's current commit's makes no new
 * commit.  The ref moves only once the commit is whole (and signed). */
int bento_ostree_export(const char *source, const bento_export_options *o, bento_error **err);

/* Opens the repository at path.  With write, as described above (and with
 * create, made when missing or empty); without, any OSTree repository.
 * Errors name path. */
int bento_repo_open(const char *path, bool write, bool create, OstreeRepo **out, bento_error **err);

/* A usage error unless branch may be the last element of a ref: 1 to 64 of
 * [A-Za-z0-9._-], starting with a letter or digit. */
int bento_repo_check_branch(const char *branch, bento_error **err);

/* "app/ID/ARCH/BRANCH" for this machine's ARCH (newly allocated). */
char *bento_repo_ref(const char *app_id, const char *branch);

/* This machine's architecture as refs name it (uname -m: "x86_64"). */
const char *bento_repo_arch(void);

/* The way back (`bundle --repo`): the commit of app/ID/ARCH/BRANCH
 * (branch NULL: the default) checked out into a temporary directory and
 * packed as pack->output by bento_pack (pack->appdir is set here). */
int bento_repo_bundle(const char *repo, const char *app_id, const char *branch,
                      bento_pack_options *pack, bento_error **err);

#endif
