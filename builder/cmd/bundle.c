/* SPDX-License-Identifier: MIT */
/* bento-builder bundle APPDIR: copies the libraries the AppDir needs into
 * it and sets the RUNPATHs (bento_bundle_libraries), or checks them
 * (bento_bundle_check); appdir/bundle.h. */
#include <stdbool.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "appdir/bundle.h"
#include "core/util.h"

enum { OPT_CHECK = 256, OPT_EXCLUDE_LIST, OPT_PRINT_EXCLUDE_LIST };

void bento_builder_bundle_usage(FILE *out)
{
	fputs("Usage: " PROG " bundle [OPTION...] APPDIR\n"
	      "\n"
	      "Copy into APPDIR/lib every shared library that the ELF files in APPDIR need,\n"
	      "directly or not, except those on the exclude list (they come from the host),\n"
	      "give the files RUNPATHs ($ORIGIN/...) that lead to them, then check that\n"
	      "every library is found.  APPDIR is the app's /app: the sandbox mounts it there.\n"
	      "\n"
	      "Options:\n"
	      "      --check               only check that every library is found; change\n"
	      "                            nothing\n"
	      "      --exclude-list FILE   use FILE instead of the built-in exclude list\n"
	      "      --print-exclude-list  print the built-in exclude list and exit\n"
	      "  -q, --quiet               do not list what is copied and changed\n"
	      "  -h, --help                show this help and exit\n"
	      "\n"
	      "Exit status: 0 done, 1 failure (e.g. a library that cannot be found: each file\n"
	      "and the library it needs are named), 2 usage error.\n",
	      out);
}

int bento_builder_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"exclude-list", required_argument, NULL, OPT_EXCLUDE_LIST},
	    {"print-exclude-list", no_argument, NULL, OPT_PRINT_EXCLUDE_LIST},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool check_only = false, quiet = false;
	const char *list_file = NULL, *appdir;
	int c, status = 0;
	optind = 1;
	opterr = 0;
	while ((c = bento_cmd_next_option("bundle", argc, argv, opts, &status)) != -1) {
		switch (c) {
		case 0:
			return status;
		case OPT_CHECK:
			check_only = true;
			break;
		case OPT_EXCLUDE_LIST:
			list_file = optarg;
			break;
		case OPT_PRINT_EXCLUDE_LIST:
			fputs(bento_bundle_builtin_exclude_list(), stdout);
			return bento_cmd_finish(NULL);
		case 'q':
			quiet = true;
			break;
		case 'h':
			bento_builder_bundle_usage(stdout);
			return bento_cmd_finish(NULL);
		}
	}
	if ((status = bento_cmd_appdir_operand("bundle", argc, argv, &appdir)) != 0)
		return status;

	bento_error *err = NULL;
	autofree char *list = NULL;
	if (list_file != NULL &&
	    bento_cmd_read_option_file("--exclude-list", list_file, &list, &err) < 0)
		return bento_cmd_finish(err);
	bento_bundle_options o = {.exclude_list = list, .log = quiet ? NULL : stdout};
	if (check_only)
		bento_bundle_check(appdir, &o, &err);
	else
		bento_bundle_libraries(appdir, &o, &err);
	return bento_cmd_finish(err);
}
