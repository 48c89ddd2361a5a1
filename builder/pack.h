/* SPDX-License-Identifier: MIT */
/* `bento-builder pack APPDIR -o FILE`: checks an AppDir, packs it into a
 * SquashFS image behind the runtime stub and writes the single file atomically. */
#ifndef BENTO_BUILDER_PACK_H
#define BENTO_BUILDER_PACK_H

#include <stdio.h>

/* argv[0] is the verb itself.  Returns the exit status: 0, 1 on failure,
 * 2 on a usage error. */
int bento_builder_pack(int argc, char **argv);

void bento_builder_pack_usage(FILE *out);

#endif
