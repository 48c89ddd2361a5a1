/* SPDX-License-Identifier: MIT */
/* The verbs of `bento`, one file each.  Each gets the arguments after the
 * verb's name (argv[0] is the verb) and returns the exit status. */
#ifndef BENTO_CLI_VERBS_H
#define BENTO_CLI_VERBS_H

#define BENTO_EXIT_USAGE 2

int bento_cmd_run(int argc, char **argv);
int bento_cmd_info(int argc, char **argv);
int bento_cmd_extract(int argc, char **argv);
int bento_cmd_verify(int argc, char **argv);

/* Prints "bento: MESSAGE" and returns the usage status. */
int bento_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
