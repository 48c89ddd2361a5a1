/* SPDX-License-Identifier: MIT */
/* Packing an AppDir into a single file: the AppDir checked, the runtime
 * followed by a SquashFS image of it (squashfs_writer.h), then update
 * information, the signature and the .zsync file, all written atomically
 * (outfile.h).  `bento-builder pack` and `build` both end here. */
#ifndef BENTO_BUILDER_PACK_H
#define BENTO_BUILDER_PACK_H

#include "core/error.h"
#include "output/squashfs_writer.h"

typedef struct bento_pack_options {
	const char *appdir;
	const char *output;
	const char *runtime;            /* NULL: the one embedded in bento-builder */
	const char *update_information; /* NULL: none, and no .zsync */
	const char *sign_key;           /* NULL: unsigned */
	bento_sqfs_options sqfs;        /* (the time stamp is SOURCE_DATE_EPOCH's) */
} bento_pack_options;

/* The defaults: zstd at its own level, 128 KiB blocks, a compression thread
 * per online CPU, the built-in runtime, no update information, unsigned. */
void bento_pack_options_init(bento_pack_options *o);

/* Set what a publisher gives after checking it: update information in one
 * of the forms of updinfo.h, a key that names something.  A usage error
 * otherwise. */
int bento_pack_set_update_information(bento_pack_options *o, const char *s, bento_error **err);
int bento_pack_set_sign_key(bento_pack_options *o, const char *keyid, bento_error **err);

/* Packs o->appdir into o->output (and writes OUTPUT.zsync beside it when
 * there is update information).  On failure nothing is written; an output
 * that names a directory or lies inside the AppDir is a usage error. */
int bento_pack(const bento_pack_options *o, bento_error **err);

#endif
