/* SPDX-License-Identifier: MIT */
/* What an AppDir must hold before it is packed: an executable AppRun (a
 * symlink to one inside the AppDir will do), exactly one desktop entry at the
 * top level, and the icon it names.  Each problem is one error naming the
 * AppDir. */
#ifndef BENTO_BUILDER_APPDIR_H
#define BENTO_BUILDER_APPDIR_H

#include <stdbool.h>

#include "core/error.h"

typedef struct bento_appdir_info {
	char *icon_file; /* ICON.png (or .svg ...) at the top level */
	bool has_diricon;
	char *desktop_file; /* NAME.desktop at the top level */
} bento_appdir_info;

void bento_appdir_info_clear(bento_appdir_info *info);
#define auto_bento_appdir_info __attribute__((cleanup(bento_appdir_info_clear))) bento_appdir_info
int bento_appdir_check(const char *appdir, bento_appdir_info *info, bento_error **err);

#endif
