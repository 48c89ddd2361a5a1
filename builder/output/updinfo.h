/* SPDX-License-Identifier: MIT */
/* Update information: the string in .upd_info that tells update tools where
 * a newer version of the file and its zsync control file are.  The forms
 * are the AppImage specification's transports:
 *     zsync|URL                          (an http or https URL)
 *     gh-releases-zsync|USER|REPO|TAG|NAME
 *     pling-v1-zsync|PRODUCT-ID|NAME
 * where NAME names a .zsync file and may hold * wildcards. */
#ifndef BENTO_BUILDER_UPDINFO_H
#define BENTO_BUILDER_UPDINFO_H

#include "core/error.h"
#include "core/updinfo.h"

/* Writes s into the .upd_info section of the file open as fd. */
int bento_updinfo_write(int fd, const char *file, const char *s, bento_error **err);

#endif
