/* SPDX-License-Identifier: MIT */
/* Where bento keeps its own state on the user's machine, and the checks
 * that make a directory safe to keep it in.
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/bento        mount points, extraction cache
 *   ${XDG_DATA_HOME:-~/.local/share}/bento   overrides, app identities, seals
 *   $XDG_RUNTIME_DIR/bento                   the D-Bus proxies' sockets
 *     (or $TMPDIR/bento-UID without a runtime directory of the user's)
 *
 * A sandboxed app must never reach these (its grants are cut around them,
 * see sandbox/plan.c), nor the apps' data in ~/.var/app but its own. */
#ifndef BENTO_STATE_H
#define BENTO_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/util.h"

typedef enum bento_state_kind {
	BENTO_STATE_CACHE,
	BENTO_STATE_DATA,
	BENTO_STATE_RUNTIME,
} bento_state_kind;

/* The directory of that kind (not created).  (err is kept for callers that
 * may one day have no answer; today there always is one: the home comes
 * from HOME or, without it, from /etc/passwd.) */
char *bento_state_dir(bento_state_kind kind, bento_error **err);

/* The user's home: $HOME when it is an absolute path without "..", else
 * the user's entry in /etc/passwd, else /home/UID. */
char *bento_user_home(uid_t uid);

/* The fields of the line of a colon-separated account file (/etc/passwd,
 * /etc/group) whose third field is id, n of them (newly allocated).  The
 * runtime is static: no NSS modules, so directory services are not asked;
 * and a few lines of parsing instead of fgetpwent, which would pull scanf
 * into the runtime. */
int bento_account_fields(const char *file, unsigned long id, char **fields, size_t n);

/* $XDG_RUNTIME_DIR when it is an absolute path to a directory of the
 * user's that no one else may enter, else NULL. */
const char *bento_user_runtime_dir(void);

/* Makes path (and its missing parents, mode 0700) and checks that it is a
 * directory, not a symlink, owned by the user and closed to everyone else;
 * refused with a message naming the problem otherwise (a directory in a
 * shared place like /tmp that another user made first). */
int bento_private_dir(const char *path, bento_error **err);

/* Whether path is an existing directory that bento_private_dir accepts. */
bool bento_is_private_dir(const char *path);

/* The directories no grant of a sandboxed app may reach: bento's state of
 * every kind and home/.var/app (the apps' data).  Absolute paths, existing
 * or not. */
void bento_state_protected_paths(const char *home, bento_strv *out);

/* path with its symlinks resolved as far as it exists, the rest appended
 * as written (path is absolute, without "." or ".." elements). */
char *bento_resolve_existing(const char *path);

#endif
