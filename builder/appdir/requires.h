/* SPDX-License-Identifier: MIT */
/* What a file needs of the system it runs on, and the host's copies that
 * make it need less (issue 15; bento-builder(1) REQUIREMENTS).  After the
 * libraries are bundled, every ELF file of the AppDir (bundled libraries
 * included) is read for
 *   - the highest GLIBC_x.y and GLIBCXX_x.y.z versions it needs (its
 *     .gnu.version_r), and
 *   - the exclude list's libraries it takes from the host,
 * and the build host's copies are put where the runtime layers them over
 * (or under) the system's /usr, each tree shaped like /usr:
 *   .bento/glibc/     the C library, its loader (also at lib64/) and gconv,
 *                     when the app needs a glibc newer than 2.31 (Debian 11)
 *                     or the manifest says "glibc: bundle";
 *   .bento/libstdc++/ libstdc++.so.6 and libgcc_s.so.1, when an ELF file
 *                     needs either;
 *   .bento/fallback/  the excluded libraries that are not glibc, libstdc++ or
 *                     a graphics driver's, with what they need in turn: used
 *                     only where the system has none of its own.
 * "glibc: host" puts neither the C library nor libstdc++ there.  The copies
 * keep their names and bytes (no patchelf).  The result is the [Requires]
 * group of .bento/metadata and a few lines for the publisher. */
#ifndef BENTO_BUILDER_REQUIRES_H
#define BENTO_BUILDER_REQUIRES_H

#include <stdio.h>

#include "appdir/bundle.h"
#include "core/error.h"
#include "core/util.h"

typedef enum bento_requires_glibc {
	BENTO_REQUIRES_GLIBC_AUTO,   /* bundled when the app needs more than 2.31 */
	BENTO_REQUIRES_GLIBC_BUNDLE, /* always bundled */
	BENTO_REQUIRES_GLIBC_HOST,   /* never: the system must have what the app needs */
} bento_requires_glibc;

/* The oldest glibc that "glibc: auto" expects a system to have (Debian 11). */
#define BENTO_REQUIRES_GLIBC_BASELINE "2.31"

typedef struct bento_requires {
	char *glibc;                   /* highest GLIBC_ version needed, or NULL */
	char *glibc_bundled;           /* version of .bento/glibc, or NULL */
	char *libstdcxx;               /* highest GLIBCXX_ version needed, or NULL */
	char *libstdcxx_bundled;       /* version of .bento/libstdc++, or NULL */
	bento_strv host_libraries;     /* "NAME=PACKAGE" ("NAME=" when unknown), sorted */
	bento_strv fallback_libraries; /* names in .bento/fallback, sorted */
} bento_requires;

void bento_requires_clear(bento_requires *r);
#define auto_bento_requires __attribute__((cleanup(bento_requires_clear))) bento_requires

/* Computes what appdir's ELF files need and puts the host's copies into
 * appdir/.bento (replacing what was there).  o: the exclude list and the
 * log, as for bundling. */
int bento_requires_bundle(const char *appdir, bento_requires_glibc mode,
                          const bento_bundle_options *o, bento_requires *r, bento_error **err);

/* The [Requires] group of .bento/metadata ("[Requires]\n" and its keys). */
char *bento_requires_group(const bento_requires *r);

/* The requirements for the publisher, in a few lines. */
void bento_requires_print(const bento_requires *r, FILE *out);

#endif
