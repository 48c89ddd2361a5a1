/* SPDX-License-Identifier: MIT */
/* Private to runtime/lib/permissions: setting one permission of a layer,
 * checked as bento-metadata(5) states it.  The command-line options
 * (permissions.c) and the reader of .bento/metadata and override files
 * (metadata.c) build layers with the same setters, so that a value means the
 * same and is refused with the same message in either.  Each returns 0, or -1
 * with *err set and the layer unchanged. */
#ifndef BENTO_PERMISSIONS_LAYER_H
#define BENTO_PERMISSIONS_LAYER_H

#include <stdbool.h>

#include "core/error.h"
#include "permissions/permissions.h"

/* Grants (on) or revokes the flag name of the [Context] key (shared,
 * sockets, devices or features; another key is a caller's mistake). */
int bento_layer_set_flag(bento_permissions *p, const char *key, const char *name, bool on,
                         bento_error **err);

/* "LOCATION[:ro|:rw|:create]", or with remove "LOCATION" alone. */
int bento_layer_set_filesystem(bento_permissions *p, const char *text, bool remove,
                               bento_error **err);

/* A relative path under $HOME kept in the app's data directory. */
int bento_layer_add_persistent(bento_permissions *p, const char *path, bento_error **err);

/* Sets the variable name to value, or with value NULL unsets it. */
int bento_layer_set_env(bento_permissions *p, const char *name, const char *value,
                        bento_error **err);

/* A rule for the bus name (or prefix "a.b.*") on the system or session bus. */
int bento_layer_set_bus(bento_permissions *p, bool system, const char *name,
                        bento_bus_policy policy, bento_error **err);

/* The [Limits] key set from its text ("512M", "1000"). */
int bento_layer_set_limit(bento_permissions *p, const char *key, const char *value,
                          bento_error **err);

/* Whether key is a [Limits] key. */
bool bento_limit_known(const char *key);

/* The checks of names the setters make, for a reader that checks a name
 * before it reads the value that goes with it. */
int bento_app_id_check(const char *id, bento_error **err);
int bento_bus_name_check(const char *name, bento_error **err);
int bento_env_name_check(const char *name, bento_error **err);

/* "none", "see", "talk", "own": key-file words of each bento_bus_policy. */
extern const char *const bento_bus_policy_names[BENTO_BUS_OWN + 1];

#endif
