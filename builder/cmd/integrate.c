/* SPDX-License-Identifier: MIT */
/* bento-builder integrate APPDIR: the AppRun, desktop entry, icon, metainfo
 * and .bento/metadata of an AppDir (bento_desktop_install, appdir/desktop.h). */
#include <stdbool.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "appdir/desktop.h"
#include "core/util.h"

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
	while ((c = bento_cmd_next_option("integrate", argc, argv, opts, &status)) != -1) {
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
			return bento_cmd_finish(NULL);
		}
	}
	if ((status = bento_cmd_appdir_operand("integrate", argc, argv, &appdir)) != 0)
		return status;
	static const char *const required[] = {"--id", "--name", "--command", "--icon"};
	const char *values[] = {info.id, info.name, info.command, info.icon};
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (values[i] == NULL)
			return bento_cmd_usage_error("integrate", "%s is required", required[i]);
	if (no_metadata && permissions_file != NULL)
		return bento_cmd_usage_error("integrate", "%s",
		                             "--permissions and --no-metadata exclude each other");

	bento_error *err = NULL;
	autofree char *permissions = NULL;
	if (permissions_file != NULL) {
		if (bento_cmd_read_option_file("--permissions", permissions_file, &permissions,
		                               &err) < 0)
			return bento_cmd_finish(err);
		info.permissions = permissions;
	}
	if (no_metadata)
		info.permissions = NULL;
	bento_desktop_install(appdir, &info, quiet ? NULL : stdout, &err);
	return bento_cmd_finish(err);
}
