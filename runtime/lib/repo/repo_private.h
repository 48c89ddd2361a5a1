/* SPDX-License-Identifier: MIT */
/* What the files of runtime/lib/repo share and nothing else sees: libostree
 * and GLib, and the turn of a GError into a bento_error. */
#ifndef BENTO_REPO_PRIVATE_H
#define BENTO_REPO_PRIVATE_H

#include <ostree.h>

#include "core/gerror.h"
#include "repo/repo.h"

/* INST/app/ID[/BRANCH]. */
char *bento_inst_app_dir(const bento_inst *inst, const char *app_id, const char *branch);

/* The target of the symbolic link at path, or NULL. */
char *bento_read_link(const char *path);

/* Applies the static delta from the installed commit of ref to the one
 * the summary (already checked by the remote's key) names, when the
 * server has one and it needs nothing fetched whole (delta.c); url is the
 * server's (NULL: the remote's).  0 when there is nothing to apply. */
int bento_delta_apply_ahead(bento_inst *inst, const char *remote, const char *ref, const char *url,
                            GBytes *summary_bytes, bento_error **err);

#endif
