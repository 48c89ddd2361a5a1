/* SPDX-License-Identifier: MIT */
/* bento-builder validate APPDIR: every check of an AppDir, nothing changed:
 * what pack needs (appdir/appdir.h), the desktop entry and metainfo
 * (appdir/desktop.h), the libraries (appdir/bundle.h). */
#include <stdbool.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "appdir/appdir.h"
#include "appdir/bundle.h"
#include "appdir/desktop.h"
#include "core/util.h"

enum { OPT_EXCLUDE_LIST = 256 };

void bento_builder_validate_usage(FILE *out)
{
	fputs("Usage: " PROG " validate [OPTION...] APPDIR\n"
	      "\n"
	      "Check an AppDir without changing it: the checks of 'pack' (AppRun, one\n"
	      "desktop entry and its icon), desktop-file-validate on the desktop entry,\n"
	      "'appstreamcli validate' on each share/metainfo/*.xml, and that every library\n"
	      "the ELF files need is found at run time (as 'bundle --check').\n"
	      "\n"
	      "Options:\n"
	      "      --exclude-list FILE  use FILE instead of the built-in exclude list\n"
	      "  -q, --quiet              show no warnings\n"
	      "  -h, --help               show this help and exit\n"
	      "\n"
	      "Exit status: 0 valid, 1 invalid (the first problem is named), 2 usage error.\n",
	      out);
}

int bento_builder_validate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"exclude-list", required_argument, NULL, OPT_EXCLUDE_LIST},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *list_file = NULL, *appdir;
	bool quiet = false;
	int c, status = 0;
	optind = 1;
	opterr = 0;
	while ((c = bento_cmd_next_option("validate", argc, argv, opts, &status)) != -1) {
		switch (c) {
		case 0:
			return status;
		case OPT_EXCLUDE_LIST:
			list_file = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			bento_builder_validate_usage(stdout);
			return bento_cmd_finish(NULL);
		}
	}
	if ((status = bento_cmd_appdir_operand("validate", argc, argv, &appdir)) != 0)
		return status;

	bento_error *err = NULL;
	autofree char *list = NULL;
	FILE *log = quiet ? NULL : stdout;
	if (list_file != NULL &&
	    bento_cmd_read_option_file("--exclude-list", list_file, &list, &err) < 0)
		return bento_cmd_finish(err);
	auto_bento_appdir_info info = {0};
	bento_bundle_options o = {.exclude_list = list, .log = log};
	if (bento_appdir_check(appdir, &info, &err) == 0) {
		autofree char *desktop = xasprintf("%s/%s", appdir, info.desktop_file);
		if (bento_desktop_validate_entry(desktop, log, &err) == 0 &&
		    bento_desktop_validate_metainfo_dir(appdir, log, &err) == 0)
			bento_bundle_check(appdir, &o, &err);
	}
	if (err == NULL && log)
		fprintf(log, "%s: valid\n", appdir);
	return bento_cmd_finish(err);
}
