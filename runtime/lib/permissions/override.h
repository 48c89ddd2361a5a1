/* SPDX-License-Identifier: MIT */
/* The user's lasting permission changes for one app (`bento override`):
 * ${XDG_DATA_HOME:-~/.local/share}/bento/overrides/APPID, in the key-file
 * format of .bento/metadata without [Application] (bento-metadata(5)). */
#ifndef BENTO_OVERRIDE_H
#define BENTO_OVERRIDE_H

#include "core/error.h"
#include "permissions/permissions.h"

/* The override file of app_id (which must be valid: bento_app_id_valid).
 * XDG_DATA_HOME counts only when absolute; HOME must be absolute. */
char *bento_override_path(const char *app_id, bento_error **err);

/* Reads the user's override of app_id into layer (which must be empty); no
 * file gives an empty layer.  A malformed file is an error naming its line
 * (status BENTO_EXIT_RUNTIME). */
int bento_override_load(const char *app_id, bento_permissions *layer, bento_error **err);

/* Replaces the override of app_id with layer, atomically, creating the
 * directories as needed; an empty layer removes the file. */
int bento_override_save(const char *app_id, const bento_permissions *layer, bento_error **err);

/* Removes the override of app_id; no override is fine. */
int bento_override_reset(const char *app_id, bento_error **err);

#endif
