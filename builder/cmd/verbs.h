/* SPDX-License-Identifier: MIT */
/* bento-builder's verbs, one file each (cmd/VERB.c); main.c finds the verb
 * and hands it the rest of the command line.  Each takes argv[0] = the verb
 * itself and returns the exit status: 0, BENTO_EXIT_FAILURE on failure,
 * BENTO_EXIT_USAGE on a usage error (core/exit.h).  VERB_usage prints what
 * --help shows. */
#ifndef BENTO_BUILDER_VERBS_H
#define BENTO_BUILDER_VERBS_H

#include <stdio.h>

/* The program's name, in messages and usage texts. */
#define PROG "bento-builder"

/* build MANIFEST: nothing is written at the output path when it fails. */
int bento_builder_build(int argc, char **argv);
void bento_builder_build_usage(FILE *out);

/* pack APPDIR -o FILE */
int bento_builder_pack(int argc, char **argv);
void bento_builder_pack_usage(FILE *out);

/* sign --key KEYID FILE: nothing is changed when it fails. */
int bento_builder_sign(int argc, char **argv);
void bento_builder_sign_usage(FILE *out);

/* check MANIFEST: BENTO_EXIT_MANIFEST for an unreadable or invalid one. */
int bento_builder_check(int argc, char **argv);
void bento_builder_check_usage(FILE *out);

/* fetch URL SHA256 */
int bento_builder_fetch(int argc, char **argv);
void bento_builder_fetch_usage(FILE *out);

/* unpack ARCHIVE DIR */
int bento_builder_unpack(int argc, char **argv);
void bento_builder_unpack_usage(FILE *out);

/* bundle APPDIR, or bundle --repo=REPO ID -o FILE */
int bento_builder_bundle(int argc, char **argv);
void bento_builder_bundle_usage(FILE *out);

/* export --repo=REPO SOURCE: the ref is left as it was when it fails. */
int bento_builder_export(int argc, char **argv);
void bento_builder_export_usage(FILE *out);

/* update-repo REPO */
int bento_builder_update_repo(int argc, char **argv);
void bento_builder_update_repo_usage(FILE *out);

/* integrate APPDIR --id ID --name NAME --command CMD --icon FILE */
int bento_builder_integrate(int argc, char **argv);
void bento_builder_integrate_usage(FILE *out);

/* validate APPDIR */
int bento_builder_validate(int argc, char **argv);
void bento_builder_validate_usage(FILE *out);

#endif
