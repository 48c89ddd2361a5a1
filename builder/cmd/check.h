/* SPDX-License-Identifier: MIT */
/* `bento-builder check MANIFEST`: parses and checks a build manifest and
 * prints what it describes. */
#ifndef BENTO_BUILDER_CHECK_H
#define BENTO_BUILDER_CHECK_H

#include <stdio.h>

/* argv[0] is the verb itself.  Returns the exit status: 0 for a valid
 * manifest, 1 for an unreadable or invalid one, 2 on a usage error. */
int bento_builder_check(int argc, char **argv);

void bento_builder_check_usage(FILE *out);

#endif
