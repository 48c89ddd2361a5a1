/* SPDX-License-Identifier: MIT */
/* Seals of extracted trees: the extraction cache and the kept
 * extract-and-run directories are reused from one launch to the next, and
 * what runs from them runs with the user's rights.  A seal records, when
 * bento has written a tree from its image, the identity of every entry:
 * type, mode, inode, size and change time.  Writing a file, replacing,
 * adding, renaming or removing an entry, or changing a mode changes an
 * inode's change time, which no unprivileged program can set back; so a
 * tree that matches its seal is the one bento extracted.
 *
 * Seals live in bento's data directory (seals/), apart from the trees: a
 * program that can write a tree (through a grant of /tmp, say) cannot
 * rewrite its seal in the same stroke. */
#ifndef BENTO_SEAL_H
#define BENTO_SEAL_H

#include "core/error.h"

/* Records the tree at dir (an absolute path) as it is now. */
int bento_seal_tree(const char *dir, bento_error **err);

/* 1 when the tree at dir matches its seal; 0 when it does not, or has
 * none (*why, if not NULL, says what differs, for BENTO_DEBUG); -1 when
 * it cannot be checked. */
int bento_seal_check(const char *dir, char **why, bento_error **err);

/* Forgets the seal of dir (its tree is being removed). */
void bento_seal_forget(const char *dir);

/* Takes the user's lock on sealing (one launch at a time checks, extracts
 * and seals a tree); returns a descriptor to close to release it. */
int bento_seal_lock(bento_error **err);

#endif
