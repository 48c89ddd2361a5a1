/* SPDX-License-Identifier: MIT */
/* The update information of a file (its .upd_info section), as the AppImage
 * specification has it, and where it leads: the URL of the zsync control
 * file of the newest version.
 *     zsync|URL                                the control file itself
 *     gh-releases-zsync|USER|REPO|TAG|PATTERN  the asset of a GitHub release
 *                                              whose name matches PATTERN
 *                                              (fnmatch: * and ?); TAG may be
 *                                              "latest"
 *     pling-v1-zsync|...                       recognised, refused
 * (the string's syntax: core/updinfo.h)
 * The string comes from a file that may be hostile, and the release list
 * from a server that may be: every field is checked before it is used. */
#ifndef BENTO_UPDATE_UPDINFO_H
#define BENTO_UPDATE_UPDINFO_H

#include "core/error.h"
#include "core/updinfo.h"
#include "image/image.h"

/* Reads and parses the update information of an open image: 1 when it has
 * some, 0 when it has none (no section, or an empty one). */
int bento_updinfo_read(bento_image *img, bento_updinfo *out, bento_error **err);

/* The URL of the control file it names; for gh-releases-zsync the release
 * list is read from $BENTO_GITHUB_API_URL (default https://api.github.com)
 * (github.c). */
int bento_updinfo_control_url(const bento_updinfo *u, char **url, bento_error **err);

/* What gh-releases-zsync asks GitHub's API (github.c). */
int bento_github_control_url(const bento_updinfo *u, char **url, bento_error **err);

#endif
