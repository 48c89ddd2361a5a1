/* SPDX-License-Identifier: MIT */
/* The AppStream catalogue of a repository, what software centres read:
 * REPO/appstream/ARCH/appstream.xml.gz, one <components> document with a
 * <component> for each ref app/ID/ARCH/BRANCH: the app's own metainfo
 * (BENTO_METAINFO_PATHS), else one made
 * from its desktop entry ID.desktop, and <bundle type="bento">REF</bundle>.
 * The metainfo is the app's, so hostile: it is parsed and written out again
 * element by element (its <id> and <bundle> replaced by the repository's),
 * so that the catalogue is well-formed whatever an app holds; a metainfo
 * that does not parse is replaced by the desktop entry's, with a warning. */
#ifndef BENTO_BUILDER_APPSTREAM_H
#define BENTO_BUILDER_APPSTREAM_H

#include <ostree.h>

#include "core/error.h"

/* Where an app's metainfo may be, in this order (printf formats of the
 * app id): usr/share/metainfo (an AppDir's /usr), share/metainfo (what
 * bento-builder build writes: the AppDir is /app), .metainfo.xml then the
 * older .appdata.xml. */
#define BENTO_METAINFO_PATHS                                                                       \
	{                                                                                          \
		"usr/share/metainfo/%s.metainfo.xml", "share/metainfo/%s.metainfo.xml",            \
		    "usr/share/metainfo/%s.appdata.xml", "share/metainfo/%s.appdata.xml"           \
	}

/* The version of the first <release> of a metainfo text, or NULL (g_free). */
char *bento_metainfo_version(const char *text, size_t len);

/* Writes the catalogue atomically (a temporary file, then a rename);
 * label names the repository in messages.  *count gets the number of
 * components. */
int bento_appstream_write(OstreeRepo *repo, const char *label, unsigned *count, bento_error **err);

#endif
