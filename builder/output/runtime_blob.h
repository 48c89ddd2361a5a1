/* SPDX-License-Identifier: MIT */
/* The runtime stub, embedded into bento-builder at build time (builder/meson.build
 * generates runtime_blob.S, which .incbin's the stripped static runtime), so that
 * the builder needs no data file to produce an image. */
#ifndef BENTO_RUNTIME_BLOB_H
#define BENTO_RUNTIME_BLOB_H

extern const unsigned char bento_runtime_blob[], bento_runtime_blob_end[];

#endif
