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
int bento_cmd_remote_add(int argc, char **argv);
int bento_cmd_remote_list(int argc, char **argv);
int bento_cmd_remote_delete(int argc, char **argv);
int bento_cmd_remote_ls(int argc, char **argv);
int bento_cmd_install(int argc, char **argv);
int bento_cmd_list(int argc, char **argv);
int bento_cmd_remove(int argc, char **argv);
int bento_cmd_switch(int argc, char **argv);

/* Installed apps (installed.c).  An argument holding '/' or naming an
 * existing file is a file; anything else an app id. */
#include <stdbool.h>
typedef struct bento_inst bento_inst;
bool bento_arg_is_file(const char *arg);
/* 0 when arg is a valid app id, else the usage status (with a message). */
int bento_arg_app_id(const char *verb, const char *arg);
/* Opens the installation, reporting a failure: 0 or the exit status. */
int bento_inst_open_cli(const char *verb, bool system, bool writer, bento_inst **inst);
/* Pulls ID's BRANCH from remote and deploys it if it changed (install and
 * update), exporting it to the desktop when it is the current branch. */
int bento_bring_up_to_date(bento_inst *inst, const char *app_id, const char *branch,
                           const char *remote, bento_error **err);

/* Parses the options of a verb on installations (remote.c): --user,
 * --system, --help and extra (each handled by own, which returns 0 or an
 * exit status).  Returns -1 to go on (the arguments start at optind), or
 * the status to exit with. */
struct option;
int bento_inst_parse(const char *verb, int argc, char **argv, const struct option *extra,
                     int (*own)(int c, const char *arg, void *data), void *data, void (*help)(void),
                     bool *system);

/* --user and --system, for getopt_long's option tables. */
#define BENTO_INST_OPTIONS                                                                         \
	{"user", no_argument, NULL, 'U'},                                                          \
	{                                                                                          \
		"system", no_argument, NULL, 'Y'                                                   \
	}
#define BENTO_INST_HELP                                                                            \
	"  --user       the user's installation (the default)\n"                                   \
	"  --system     the system's installation, /var/lib/bento/installation\n"                  \
	"               ($BENTO_SYSTEM_DIR), which root manages and every user runs\n"

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
