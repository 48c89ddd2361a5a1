/* SPDX-License-Identifier: MIT */
/* Installing apps from OSTree repositories (libostree): the installation
 * (installation.c), its remotes (remote.c), pulls and the checks of what
 * they bring (pull.c), deployments (deploy.c) and the desktop's view of
 * them (export.c).  Linked into `bento` only, never the runtime stub.
 *
 * INST is ${XDG_DATA_HOME:-~/.local/share}/bento/installation for the user,
 * /var/lib/bento/installation (or $BENTO_SYSTEM_DIR) with --system:
 *
 *   INST/repo/                   OSTree repository (bare-user-only), remotes
 *   INST/lock                    flock: one writer at a time
 *   INST/app/ID/current          symlink -> BRANCH, the branch `bento run ID` runs
 *   INST/app/ID/BRANCH/origin    [Origin] remote= ref= key=
 *   INST/app/ID/BRANCH/COMMIT/   a deployment (hard links into repo/)
 *   INST/app/ID/BRANCH/active    symlink -> COMMIT
 *   INST/app/ID/BRANCH/previous  symlink -> COMMIT (what rollback returns to)
 *   INST/app/ID/BRANCH/.tmp-*    a deployment being made */
#ifndef BENTO_REPO_H
#define BENTO_REPO_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

struct OstreeRepo;

typedef struct bento_inst {
	bool system;
	char *dir; /* INST */
	char *repo_path;
	struct OstreeRepo *repo; /* NULL when a reader finds no repository */
	int lock_fd;             /* held by a writer */
} bento_inst;

/* Opens the user's or the system installation.  A writer takes the lock
 * (refusal: status BENTO_EXIT_BUSY), creates the repository if missing and
 * removes the .tmp-* deployments an interrupted command left. */
int bento_inst_open(bool system, bool writer, bento_inst **out, bento_error **err);
void bento_inst_free(bento_inst *inst);
static inline void bento_inst_freep(bento_inst **p)
{
	bento_inst_free(*p);
}
#define auto_bento_inst __attribute__((cleanup(bento_inst_freep))) bento_inst *

/* The installation's directory (not opened). */
char *bento_inst_dir(bool system);

/* ---- remotes (remote.c) ---- */
typedef struct bento_remote_options {
	const char *gpg_import; /* a key file (binary or armoured) */
	bool no_gpg_verify;
	bool if_not_exists;
	const char *const *mirrors; /* NULL-terminated, or NULL */
} bento_remote_options;

int bento_remote_add(bento_inst *inst, const char *name, const char *url,
                     const bento_remote_options *opts, bento_error **err);
int bento_remote_list(bento_inst *inst, FILE *out, bento_error **err);
/* Refuses a remote that installed apps come from, unless force. */
int bento_remote_delete(bento_inst *inst, const char *name, bool force, bento_error **err);
/* Lines "ID BRANCH VERSION COMMIT" of the apps in the remote's summary. */
int bento_remote_ls(bento_inst *inst, const char *name, FILE *out, bento_error **err);
/* The URLs to try: the remote's, then its mirrors.  NULL-terminated. */
char **bento_remote_urls(bento_inst *inst, const char *name, bento_error **err);
bool bento_remote_exists(bento_inst *inst, const char *name);
/* Drops libostree's cached copy of the remote's summary (a writer's): the
 * cache is revalidated by Last-Modified and ETag, which a summary
 * regenerated with the same size and modification time (a publisher
 * setting SOURCE_DATE_EPOCH) leaves unchanged, so the next pull would
 * not see new commits. */
void bento_remote_forget_summary(bento_inst *inst, const char *name);

/* ---- pulls (pull.c) ---- */
typedef struct bento_pulled {
	char *commit;  /* checksum */
	char *version; /* or NULL */
	char *key;     /* fingerprint of the primary key that signed it, or NULL */
} bento_pulled;
void bento_pulled_clear(bento_pulled *p);

/* The ref of an app's branch: app/ID/ARCH/BRANCH. */
char *bento_app_ref(const char *app_id, const char *branch);

/* Pulls ref from the remote (its URLs in turn), then checks the commit:
 * ref binding, bento.app-id, .bento/metadata (its app id == app_id). */
int bento_pull_app(bento_inst *inst, const char *remote, const char *app_id, const char *ref,
                   bento_pulled *out, bento_error **err);

/* ---- deployments (deploy.c) ---- */
typedef struct bento_deployment {
	char *app_id, *branch;
	char *remote, *ref, *key; /* origin; key NULL without one */
	char *active, *previous;  /* commit checksums; previous may be NULL */
	char *version;            /* the active commit's, or NULL */
	char *path;               /* INST/app/ID/BRANCH/ACTIVE */
	bool current;             /* the branch `bento run ID` runs */
} bento_deployment;
void bento_deployment_clear(bento_deployment *d);

/* Reads ID's BRANCH (NULL: its current branch).  Returns 0, or 1 when not
 * installed (no error), -1 on errors. */
int bento_deployment_read(bento_inst *inst, const char *app_id, const char *branch,
                          bento_deployment *out, bento_error **err);
/* The installed app ids, sorted, NULL-terminated; and the branches of one. */
char **bento_installed_apps(bento_inst *inst);
char **bento_installed_branches(bento_inst *inst, const char *app_id);

/* Makes the pulled commit ID BRANCH's active deployment, the old active
 * previous, writing origin; the first branch of an app becomes current. */
int bento_deploy(bento_inst *inst, const char *app_id, const char *branch, const char *remote,
                 const bento_pulled *pulled, bento_error **err);
/* Swaps active and previous of ID's current branch. */
int bento_deploy_rollback(bento_inst *inst, const char *app_id, bento_deployment *out,
                          bento_error **err);
int bento_deploy_set_current(bento_inst *inst, const char *app_id, const char *branch,
                             bento_error **err);
/* Removes every branch of ID, its desktop files and unreferenced objects. */
int bento_deploy_remove(bento_inst *inst, const char *app_id, bento_error **err);
/* Removes objects no deployment or remote ref needs. */
void bento_repo_prune(bento_inst *inst);

/* ---- the desktop (export.c) ---- */
/* Exports the active deployment's desktop entry (Exec=bento run ID) and
 * icon; unexport removes what bento exported. */
int bento_export_app(bento_inst *inst, const bento_deployment *d, bento_error **err);
void bento_unexport_app(bento_inst *inst, const char *app_id);

/* ---- bento run ID ---- */
typedef struct bento_installed {
	char *dir;    /* the active deployment of the current branch, canonical */
	char *home;   /* INST/app/ID, canonical: what the id of an app from a
	               * remote without a key is bound to (it outlives updates) */
	char *key;    /* the remote's key's fingerprint, or NULL without one */
	char *origin; /* "installed from remote NAME (user)" */
} bento_installed;
void bento_installed_clear(bento_installed *app);

/* Finds the installed app: the user's installation, then the system's.
 * Returns 0, 1 when not installed, -1 on errors. */
int bento_installed_find(const char *app_id, bento_installed *out, bento_error **err);

#endif
