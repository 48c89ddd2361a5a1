/* SPDX-License-Identifier: MIT */
/* The verbs around an AppDir before it is packed:
 *   bento-builder bundle APPDIR     copy the libraries it needs, set RUNPATHs, check
 *   bento-builder integrate APPDIR  AppRun, desktop entry, icon, metainfo, metadata
 *   bento-builder validate APPDIR   every check, nothing changed */
#include "cmd/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "appdir/appdir.h"
#include "appdir/bundle.h"
#include "appdir/desktop.h"
#include "core/util.h"

#define PROG "bento-builder"
#define EXIT_USAGE 2
#define MAX_LIST_FILE (1 << 20)

static int finish(bento_error *err)
{
	if (err != NULL)
		return bento_error_report(err, PROG, 1);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

static int usage_error(const char *verb, const char *fmt, const char *arg)
{
	fprintf(stderr, PROG " %s: ", verb);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " PROG " %s --help)\n", verb);
	return EXIT_USAGE;
}

/* getopt_long with its own messages off; returns EXIT_USAGE on an unknown
 * option or a missing argument, -1 at the end, else the option. */
static int next_option(const char *verb, int argc, char **argv, const struct option *opts,
                       int *status)
{
	int c = getopt_long(argc, argv, ":hq", opts, NULL);
	if (c == '?' || c == ':') {
		*status = usage_error(
		    verb, c == ':' ? "option %s needs an argument" : "unknown option %s",
		    argv[optind - 1]);
		return 0;
	}
	return c;
}

/* The single APPDIR operand. */
static int appdir_operand(const char *verb, int argc, char **argv, const char **appdir)
{
	if (optind >= argc)
		return usage_error(verb, "%s", "APPDIR is missing");
	if (optind + 1 < argc)
		return usage_error(verb, "unexpected argument %s", argv[optind + 1]);
	*appdir = argv[optind];
	return 0;
}

/* ---------------------------------------------------------------- bundle */

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

enum { OPT_CHECK = 256, OPT_EXCLUDE_LIST, OPT_PRINT_EXCLUDE_LIST };

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
	while ((c = next_option("bundle", argc, argv, opts, &status)) != -1) {
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
			return finish(NULL);
		case 'q':
			quiet = true;
			break;
		case 'h':
			bento_builder_bundle_usage(stdout);
			return finish(NULL);
		}
	}
	if ((status = appdir_operand("bundle", argc, argv, &appdir)) != 0)
		return status;

	bento_error *err = NULL;
	autofree char *list = NULL;
	size_t len;
	if (list_file != NULL &&
	    bento_read_file_at(AT_FDCWD, list_file, MAX_LIST_FILE, &list, &len, &err) < 0) {
		bento_error_prefix(&err, "--exclude-list");
		return finish(err);
	}
	bento_bundle_options o = {.exclude_list = list, .log = quiet ? NULL : stdout};
	if (check_only)
		bento_bundle_check(appdir, &o, &err);
	else
		bento_bundle_libraries(appdir, &o, &err);
	return finish(err);
}

/* ---------------------------------------------------------------- integrate */

void bento_builder_integrate_usage(FILE *out)
{
	fputs("Usage: " PROG " integrate [OPTION...] APPDIR --id ID --name NAME --command CMD\n"
	      "                                   --icon FILE\n"
	      "\n"
	      "Write the AppDir's desktop integration files: AppRun (a symbolic link to the\n"
	      "command, unless there is one), the desktop entry ID.desktop and the icon\n"
	      "(ICON.png or .svg, and .DirIcon) at the top, the AppStream metainfo\n"
	      "share/metainfo/ID.metainfo.xml, and .bento/metadata.  Desktop entry and\n"
	      "metainfo are generated unless given; either way desktop-file-validate and\n"
	      "'appstreamcli validate' must accept them (their warnings are shown).\n"
	      "\n"
	      "Options:\n"
	      "      --id ID              the app id, e.g. org.example.Viewer\n"
	      "      --name NAME          the app's name\n"
	      "      --command CMD        its command: bin/foo or /app/bin/foo\n"
	      "      --icon FILE          its icon, a PNG or SVG file\n"
	      "      --summary TEXT       one line about it (needed for a generated metainfo)\n"
	      "      --license SPDX       its license, e.g. MIT or GPL-3.0-or-later\n"
	      "      --version VERSION    its version; with --release-date, a release entry\n"
	      "      --release-date DATE  YYYY-MM-DD\n"
	      "      --categories LIST    Categories= of a generated entry (Utility;)\n"
	      "      --desktop FILE       install FILE as the desktop entry\n"
	      "      --metainfo FILE      install FILE as the metainfo\n"
	      "      --permissions FILE   append FILE's groups ([Context] ...) to\n"
	      "                           .bento/metadata (see bento-metadata(5))\n"
	      "      --no-metadata        write no .bento/metadata\n"
	      "  -q, --quiet              show no warnings\n"
	      "  -h, --help               show this help and exit\n",
	      out);
}

enum {
	OPT_ID = 256,
	OPT_NAME,
	OPT_COMMAND,
	OPT_ICON,
	OPT_SUMMARY,
	OPT_LICENSE,
	OPT_VERSION,
	OPT_RELEASE_DATE,
	OPT_CATEGORIES,
	OPT_DESKTOP,
	OPT_METAINFO,
	OPT_PERMISSIONS,
	OPT_NO_METADATA,
};

int bento_builder_integrate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"id", required_argument, NULL, OPT_ID},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"command", required_argument, NULL, OPT_COMMAND},
	    {"icon", required_argument, NULL, OPT_ICON},
	    {"summary", required_argument, NULL, OPT_SUMMARY},
	    {"license", required_argument, NULL, OPT_LICENSE},
	    {"version", required_argument, NULL, OPT_VERSION},
	    {"release-date", required_argument, NULL, OPT_RELEASE_DATE},
	    {"categories", required_argument, NULL, OPT_CATEGORIES},
	    {"desktop", required_argument, NULL, OPT_DESKTOP},
	    {"metainfo", required_argument, NULL, OPT_METAINFO},
	    {"permissions", required_argument, NULL, OPT_PERMISSIONS},
	    {"no-metadata", no_argument, NULL, OPT_NO_METADATA},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bento_desktop_info info = {.permissions = ""};
	const char *permissions_file = NULL, *appdir;
	bool quiet = false, no_metadata = false;
	int c, status = 0;
	optind = 1;
	opterr = 0;
	while ((c = next_option("integrate", argc, argv, opts, &status)) != -1) {
		switch (c) {
		case 0:
			return status;
		case OPT_ID:
			info.id = optarg;
			break;
		case OPT_NAME:
			info.name = optarg;
			break;
		case OPT_COMMAND:
			info.command = optarg;
			break;
		case OPT_ICON:
			info.icon = optarg;
			break;
		case OPT_SUMMARY:
			info.summary = optarg;
			break;
		case OPT_LICENSE:
			info.license = optarg;
			break;
		case OPT_VERSION:
			info.version = optarg;
			break;
		case OPT_RELEASE_DATE:
			info.release_date = optarg;
			break;
		case OPT_CATEGORIES:
			info.categories = optarg;
			break;
		case OPT_DESKTOP:
			info.desktop = optarg;
			break;
		case OPT_METAINFO:
			info.metainfo = optarg;
			break;
		case OPT_PERMISSIONS:
			permissions_file = optarg;
			break;
		case OPT_NO_METADATA:
			no_metadata = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			bento_builder_integrate_usage(stdout);
			return finish(NULL);
		}
	}
	if ((status = appdir_operand("integrate", argc, argv, &appdir)) != 0)
		return status;
	static const char *const required[] = {"--id", "--name", "--command", "--icon"};
	const char *values[] = {info.id, info.name, info.command, info.icon};
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (values[i] == NULL)
			return usage_error("integrate", "%s is required", required[i]);
	if (no_metadata && permissions_file != NULL)
		return usage_error("integrate", "%s",
		                   "--permissions and --no-metadata exclude each other");

	bento_error *err = NULL;
	autofree char *permissions = NULL;
	size_t len;
	if (permissions_file != NULL) {
		if (bento_read_file_at(AT_FDCWD, permissions_file, MAX_LIST_FILE, &permissions,
		                       &len, &err) < 0) {
			bento_error_prefix(&err, "--permissions");
			return finish(err);
		}
		info.permissions = permissions;
	}
	if (no_metadata)
		info.permissions = NULL;
	bento_desktop_install(appdir, &info, quiet ? NULL : stdout, &err);
	return finish(err);
}

/* ---------------------------------------------------------------- validate */

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

static int validate_metainfo_dir(const char *appdir, FILE *log, bento_error **err)
{
	autofree char *dir = xasprintf("%s/share/metainfo", appdir);
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 4 || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		autofree char *path = xasprintf("%s/%s", dir, de->d_name);
		rc = bento_desktop_validate_metainfo(path, log, err);
	}
	closedir(d);
	return rc;
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
	while ((c = next_option("validate", argc, argv, opts, &status)) != -1) {
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
			return finish(NULL);
		}
	}
	if ((status = appdir_operand("validate", argc, argv, &appdir)) != 0)
		return status;

	bento_error *err = NULL;
	autofree char *list = NULL;
	size_t len;
	FILE *log = quiet ? NULL : stdout;
	if (list_file != NULL &&
	    bento_read_file_at(AT_FDCWD, list_file, MAX_LIST_FILE, &list, &len, &err) < 0) {
		bento_error_prefix(&err, "--exclude-list");
		return finish(err);
	}
	__attribute__((cleanup(bento_appdir_info_clear))) bento_appdir_info info = {0};
	bento_bundle_options o = {.exclude_list = list, .log = log};
	if (bento_appdir_check(appdir, &info, &err) == 0) {
		autofree char *desktop = xasprintf("%s/%s", appdir, info.desktop_file);
		if (bento_desktop_validate_entry(desktop, log, &err) == 0 &&
		    validate_metainfo_dir(appdir, log, &err) == 0)
			bento_bundle_check(appdir, &o, &err);
	}
	if (err == NULL && log)
		fprintf(log, "%s: valid\n", appdir);
	return finish(err);
}
