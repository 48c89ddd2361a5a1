/* SPDX-License-Identifier: MIT */
/* `bento-builder build MANIFEST`: fetches the sources of every module, builds
 * each in the sandbox on top of the ones before it (taking it from the cache
 * when nothing it depends on changed), bundles the libraries, writes the
 * desktop integration files and packs, signs and describes the result. */
#ifndef BENTO_BUILDER_BUILD_H
#define BENTO_BUILDER_BUILD_H

#include <stdio.h>

/* argv[0] is the verb itself.  Returns the exit status: 0, 1 when the build
 * fails (nothing is written at the output path), 2 on a usage error. */
int bento_builder_build(int argc, char **argv);
void bento_builder_build_usage(FILE *out);

#endif
