/* SPDX-License-Identifier: MIT */
/* `bento-builder update-repo`: what a repository serves besides its commits
 * (bento-repository(7)): old commits pruned, static deltas (each ref's
 * parent to its head, and from scratch), the summary regenerated and signed,
 * and the AppStream catalogue (appstream.h). */
#ifndef BENTO_BUILDER_REPO_UPDATE_H
#define BENTO_BUILDER_REPO_UPDATE_H

#include <stdbool.h>

#include "core/error.h"

typedef struct bento_repo_update_options {
	const char *repo;
	const char *gpg_key;     /* sign the summary; NULL: unsigned */
	const char *gpg_homedir; /* NULL: GnuPG's default */
	bool static_deltas;      /* generate the missing static deltas */
	unsigned keep;           /* 0: prune nothing; else keep this many commits of each ref */
} bento_repo_update_options;

/* Prunes (with keep), makes the deltas, writes the catalogue, then the
 * summary (and summary.sig): a client sees the summary only once what it
 * lists is there. */
int bento_repo_update(const bento_repo_update_options *o, bento_error **err);

#endif
