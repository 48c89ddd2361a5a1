/* SPDX-License-Identifier: MIT */
/* Launching the app of an image: choosing how the image becomes a directory
 * (strategies), running the app there and supervising it until it ends. */
#ifndef BENTO_LAUNCH_H
#define BENTO_LAUNCH_H

#include <stdbool.h>

#include "core/error.h"
#include "image/image.h"
#include "permissions/permissions.h"

typedef enum bento_strategy {
	BENTO_STRATEGY_AUTO = 0,
	/* FUSE served by the runtime, mounted in a new user + mount namespace. */
	BENTO_STRATEGY_USERNS,
	/* FUSE mounted through the setuid fusermount3 (host-visible mount). */
	BENTO_STRATEGY_FUSERMOUNT,
	/* Extracted once into a cache keyed by the image's identity. */
	BENTO_STRATEGY_EXTRACT,
	/* Extracted into $TMPDIR for this run only (AppImage's
	 * --appimage-extract-and-run; kept when NO_CLEANUP is set). */
	BENTO_STRATEGY_EXTRACT_AND_RUN,
} bento_strategy;

/* Parses "userns", "fusermount", "extract", "extract-and-run". */
int bento_strategy_parse(const char *name, bento_strategy *out, bento_error **err);
const char *bento_strategy_name(bento_strategy s);

typedef enum bento_sandbox_choice {
	/* Sandboxed when the image carries .bento/metadata. */
	BENTO_SANDBOX_AUTO = 0,
	/* --sandbox / --bento-sandbox: sandboxed, also a plain AppImage. */
	BENTO_SANDBOX_ON,
	/* --no-sandbox / --bento-no-sandbox: unconfined, with a warning. */
	BENTO_SANDBOX_OFF,
} bento_sandbox_choice;

typedef struct bento_launch {
	/* What to run: an image, or (img NULL) an installed app's deployment,
	 * the directory app_dir, bound at /app as an extracted image is. */
	bento_image *img;
	const char *app_dir;
	/* An installed app's identity: the fingerprint of its remote's key
	 * (NULL for a remote without one) and "installed from remote NAME". */
	const char *app_key;
	const char *app_origin;
	/* What the id of an installed app without a key is bound to, in its
	 * place: its directory in the installation (INST/app/ID), which
	 * outlives its deployments. */
	const char *app_home;
	const char *appimage; /* absolute path of the file, for $APPIMAGE (NULL with app_dir) */
	const char *argv0;    /* for $ARGV0, and the command a symbolic link names */
	/* --bento-command=NAME: the image's command to run, or NULL for the one
	 * argv0 names or the default (bento_metadata_choose_command). */
	const char *command_name;
	char **args; /* the app's arguments, NULL-terminated */
	bento_strategy strategy;
	/* --appimage-mount: print where the image is mounted and serve it until
	 * SIGINT/SIGTERM/SIGHUP, running nothing. */
	bool mount_only;
	bento_sandbox_choice sandbox;
	/* This run's permission changes (--share=network ...), applied over
	 * the image's metadata and the user's overrides; NULL for none. */
	const bento_permissions *run_permissions;
} bento_launch;

/* Runs the app and waits for it.  *exit_status is its exit status, or 128+N
 * when signal N ended it.  Errors carry status BENTO_EXIT_RUNTIME. */
int bento_launch_run(const bento_launch *launch, int *exit_status, bento_error **err);

/* Applies the environment a user may set for any launch: BENTO_STRATEGY and
 * APPIMAGE_EXTRACT_AND_RUN (AppImage's meaning); BENTO_DEBUG is the error
 * module's (bento_program_init). */
int bento_launch_apply_env(bento_launch *launch, bento_error **err);
#endif
