/* SPDX-License-Identifier: MIT */
/* Faster block decompression than libsquashfuse's defaults, where they
 * waste work (see decompress.c). */
#ifndef BENTO_DECOMPRESS_H
#define BENTO_DECOMPRESS_H

#include "image/sqfs.h"

/* Replaces the decompressor of an opened image where bento has a better one. */
void bento_decompress_tune(sqfs *fs);

#endif
