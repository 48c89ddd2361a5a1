/* SPDX-License-Identifier: MIT */
/* The verbs of `bento`, one file each.  Each gets the arguments after the
 * verb's name (argv[0] is the verb) and returns the exit status. */
#ifndef BENTO_CLI_VERBS_H
#define BENTO_CLI_VERBS_H

#include "core/error.h"
#include "core/exit.h"

int bento_cmd_run(int argc, char **argv);
int bento_cmd_info(int argc, char **argv);
int bento_cmd_extract(int argc, char **argv);
int bento_cmd_override(int argc, char **argv);
int bento_cmd_verify(int argc, char **argv);
int bento_cmd_trust(int argc, char **argv);
int bento_cmd_cache(int argc, char **argv);
int bento_cmd_update(int argc, char **argv);
int bento_cmd_rollback(int argc, char **argv);

/* update.c: hands the app id of the file at path (if it has metadata) to
 * it, as `bento trust` does, when an update or rollback changed its key. */
int bento_hand_over_id(const char *path, bento_error **err);

/* Prints "bento: MESSAGE" and returns the usage status. */
int bento_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Permission options (permopts.c): bento_perm_longopts appends one entry per
 * permission option to the fixed ones (getopt returns BENTO_PERM_OPT_BASE +
 * its index); bento_perm_apply applies it, returning 0 or the usage status. */
struct option;
typedef struct bento_permissions bento_permissions;
#define BENTO_PERM_OPT_BASE 0x1000
struct option *bento_perm_longopts(const struct option *fixed);
int bento_perm_apply(const char *verb, bento_permissions *layer, int c, const char *arg);
void bento_perm_print_help(void);

#endif
