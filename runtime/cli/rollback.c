/* SPDX-License-Identifier: MIT */
/* bento rollback FILE */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "update/replace.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento rollback FILE\n"
	       "\n"
	       "Puts back the version of FILE that the last `bento update FILE` replaced,\n"
	       "and keeps the current one in its place: a second rollback returns to it.\n"
	       "The kept version is in ${XDG_DATA_HOME:-~/.local/share}/bento/previous/\n"
	       "DIGEST/file, DIGEST being the SHA-256 of FILE's canonical path.\n"
	       "\n"
	       "Exit status: 0, 2 on a usage error, 3 if no version is kept or it cannot\n"
	       "be put back (FILE is unchanged), 4 if FILE is being updated by another\n"
	       "bento.\n");
}

int bento_cmd_rollback(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("rollback", "expected exactly one FILE");
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_target_close))) bento_target t = {.fd = -1, .dir_fd = -1};
	if (bento_target_open(argv[1], true, &t, &err) < 0 || bento_target_rollback(&t, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento rollback", 3);
	autofree char *dir = bento_previous_dir(t.path, false, NULL);
	printf("%s: rolled back; the version it replaced is kept in %s/file (bento rollback "
	       "%s returns to it)\n",
	       t.path, dir ? dir : "?", argv[1]);
	return 0;
}
