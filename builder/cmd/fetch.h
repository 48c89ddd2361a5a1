/* SPDX-License-Identifier: MIT */
/* `bento-builder fetch URL SHA256` and `bento-builder unpack ARCHIVE DIR`:
 * the source handling of a build, one step at a time, for publishers who
 * check a manifest's sources and for the tests. */
#ifndef BENTO_BUILDER_FETCH_CMD_H
#define BENTO_BUILDER_FETCH_CMD_H

#include <stdio.h>

/* argv[0] is the verb itself.  Return the exit status: 0, 1 on failure, 2 on
 * a usage error. */
int bento_builder_fetch(int argc, char **argv);
void bento_builder_fetch_usage(FILE *out);

int bento_builder_unpack(int argc, char **argv);
void bento_builder_unpack_usage(FILE *out);

#endif
