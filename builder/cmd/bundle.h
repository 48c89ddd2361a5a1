/* SPDX-License-Identifier: MIT */
/* `bento-builder bundle`, `integrate` and `validate`: the AppDir's libraries
 * and desktop integration files (bundle.h, desktop.h) from the command line.
 * Each takes argv[0] = the verb and returns the exit status (0, 1 failure,
 * 2 usage error). */
#ifndef BENTO_BUILDER_BUNDLE_VERB_H
#define BENTO_BUILDER_BUNDLE_VERB_H

#include <stdio.h>

int bento_builder_bundle(int argc, char **argv);
void bento_builder_bundle_usage(FILE *out);
int bento_builder_integrate(int argc, char **argv);
void bento_builder_integrate_usage(FILE *out);
int bento_builder_validate(int argc, char **argv);
void bento_builder_validate_usage(FILE *out);

#endif
