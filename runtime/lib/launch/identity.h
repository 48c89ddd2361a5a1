/* SPDX-License-Identifier: MIT */
/* App identity: which file an app id belongs to.
 *
 * An app id in metadata is a claim anyone can write.  What it unlocks - its
 * data directory ~/.var/app/ID, the user's override of it, its names on the
 * session bus - belongs to the file that first used it, as bento records in
 * its data directory (ids/ID), trust on first use:
 *   - a signed file binds the id to its signing key (the primary key's
 *     fingerprint, as gpgv checked it): every file signed by that key, its
 *     updates, keeps the id;
 *   - an unsigned file binds the id to itself, by path: that file, and a
 *     new version put in its place, keeps the id (and a signed one put in
 *     its place takes it over for its key);
 *   - any other file claiming the id is refused, with a message that names
 *     both and how to hand the id over (`bento trust FILE`);
 *   - an app installed from a remote (bento install) is signed by the
 *     remote's key: its id is bound to that key as a signed file's is;
 *   - bento never hands over a ~/.var/app/ID it did not make: an id whose
 *     data directory exists without a record (Flatpak keeps its apps' data
 *     there) is refused until the user trusts a file with it.
 * Checking a signature means reading the whole file: the result is kept
 * in the record for the file's identity (device, inode, size, times), so
 * that a launch of the same file reads one small file. */
#ifndef BENTO_IDENTITY_H
#define BENTO_IDENTITY_H

#include <stdbool.h>

#include "core/error.h"
#include "image/image.h"

typedef struct bento_identity_request {
	/* A file: img and its canonical path file.  An installed app (img
	 * NULL): file is its directory in the installation, key the fingerprint of the key its
	 * remote verified (NULL for a remote without one: the app is then
	 * bound to its path, like an unsigned file), origin says where it
	 * came from ("installed from remote NAME (user)"). */
	bento_image *img;
	const char *file;
	const char *key;
	const char *origin;
	const char *app_id; /* valid */
	const char *home;   /* where ~/.var/app is */
} bento_identity_request;

/* Whether the file may use app_id, recording it on first use (see above).
 * Refusals carry status BENTO_EXIT_RUNTIME and say why. */
int bento_identity_check(const bento_identity_request *req, bento_error **err);

/* Hands app_id to the file, whatever it belonged to (the user's decision,
 * `bento trust`); an existing ~/.var/app/ID becomes the file's.  *owner
 * describes the new owner ("the key FPR (USER-ID)", "the unsigned file
 * PATH"). */
int bento_identity_trust(const bento_identity_request *req, char **owner, bento_error **err);

#endif
