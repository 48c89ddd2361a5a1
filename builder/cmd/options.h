/* SPDX-License-Identifier: MIT */
/* What the verbs share in reading their command lines. */
#ifndef BENTO_BUILDER_CMD_OPTIONS_H
#define BENTO_BUILDER_CMD_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* The usage error for what getopt_long returned as c, '?' (an unknown
 * option) or ':' (a missing argument), when its own messages are turned off
 * (opterr = 0) so that every usage error looks alike: "VERB: option X needs
 * an argument" or "VERB: unknown option X (see bento-builder VERB --help)". */
int bento_cmd_option_error(const char *verb, int c, char **argv, bento_error **err);

/* A decimal number, with an optional K, M or G (powers of 1024) suffix when
 * sized is set; nothing else, no overflow.  opt names the option in the
 * usage error. */
int bento_cmd_parse_number(const char *opt, const char *arg, bool sized, uint64_t *out,
                           bento_error **err);

/* The end of a verb: err reported (with its status, else
 * BENTO_EXIT_FAILURE), or without one BENTO_EXIT_FAILURE if what went to
 * stdout could not be written, else 0. */
int bento_cmd_finish(bento_error *err);

/* ---- the verbs around an AppDir (bundle, integrate, validate) ----
 * Their usage errors are printed at once, as "bento-builder VERB: MESSAGE
 * (see bento-builder VERB --help)", and return BENTO_EXIT_USAGE. */

/* The usage error of fmt, which formats arg. */
int bento_cmd_usage_error(const char *verb, const char *fmt, const char *arg);

/* getopt_long (-h and -q besides opts) with its own messages off: the next
 * option, -1 at the end, or 0 after an unknown option or a missing argument,
 * with *status the usage error's. */
int bento_cmd_next_option(const char *verb, int argc, char **argv, const struct option *opts,
                          int *status);

/* The single APPDIR operand: 0, or the usage error's status. */
int bento_cmd_appdir_operand(const char *verb, int argc, char **argv, const char **appdir);

/* The whole of the file an option names (an exclude list, permissions):
 * at most 1 MiB; an error names the option. */
int bento_cmd_read_option_file(const char *option, const char *path, char **data,
                               bento_error **err);

#endif
