/* SPDX-License-Identifier: MIT */
/* bento-builder bundle APPDIR: copies the libraries the AppDir needs into
 * it and sets the RUNPATHs (bento_bundle_libraries), or checks them
 * (bento_bundle_check); appdir/bundle.h.  bento-builder bundle --repo=REPO
 * ID -o FILE: the single file of the app's commit in an OSTree repository
 * (bento_repo_bundle, output/ostree_export.h). */
#include <stdbool.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "appdir/bundle.h"
#include "output/ostree_export.h"
#include "output/pack.h"
#include "core/util.h"

enum {
	OPT_CHECK = 256,
	OPT_EXCLUDE_LIST,
	OPT_PRINT_EXCLUDE_LIST,
	OPT_REPO,
	OPT_BRANCH,
	OPT_SIGN_KEY,
};

void bento_builder_bundle_usage(FILE *out)
{
	fputs("Usage: " PROG " bundle [OPTION...] APPDIR\n"
	      "       " PROG " bundle --repo=REPO [--branch=BRANCH] [--sign-key=KEYID] ID -o FILE\n"
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
	      "With --repo, pack the commit of the ref app/ID/ARCH/BRANCH of the OSTree\n"
	      "repository REPO (bento-builder export) into the single file FILE, as\n"
	      "bento-builder pack does (written whole or not at all):\n"
	      "      --repo=REPO           the repository (a path)\n"
	      "      --branch=BRANCH       the ref's branch (default: " BENTO_REPO_DEFAULT_BRANCH
	      ")\n"
	      "  -o, --output=FILE         the file to write (required with --repo)\n"
	      "      --sign-key=KEYID      sign FILE with this GnuPG secret key\n"
	      "\n"
	      "Exit status: 0 done, 1 failure (e.g. a library that cannot be found: each file\n"
	      "and the library it needs are named), 2 usage error.\n",
	      out);
}

/* bundle --repo=REPO ID -o FILE */
static int bundle_from_repo(const char *repo, const char *branch, const char *output,
                            const char *sign_key, int argc, char **argv)
{
	if (optind >= argc)
		return bento_cmd_usage_error("bundle", "%s", "ID is missing");
	if (optind + 1 < argc)
		return bento_cmd_usage_error("bundle", "unexpected argument %s", argv[optind + 1]);
	if (output == NULL)
		return bento_cmd_usage_error("bundle", "%s", "-o FILE is missing");
	bento_error *err = NULL;
	bento_pack_options po;
	bento_pack_options_init(&po);
	po.output = output;
	if (sign_key == NULL || bento_pack_set_sign_key(&po, sign_key, &err) == 0)
		bento_repo_bundle(repo, argv[optind], branch, &po, &err);
	return bento_cmd_finish(err);
}

int bento_builder_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"exclude-list", required_argument, NULL, OPT_EXCLUDE_LIST},
	    {"print-exclude-list", no_argument, NULL, OPT_PRINT_EXCLUDE_LIST},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"repo", required_argument, NULL, OPT_REPO},
	    {"branch", required_argument, NULL, OPT_BRANCH},
	    {"output", required_argument, NULL, 'o'},
	    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	    {NULL, 0, NULL, 0},
	};
	bool check_only = false, quiet = false;
	const char *list_file = NULL, *appdir, *repo = NULL, *branch = NULL, *output = NULL,
	           *sign_key = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqo:", opts, NULL)) != -1) {
		switch (c) {
		case '?':
		case ':':
			return bento_cmd_usage_error("bundle",
			                             c == ':' ? "option %s needs an argument"
			                                      : "unknown option %s",
			                             argv[optind - 1]);
		case OPT_REPO:
			repo = optarg;
			break;
		case OPT_BRANCH:
			branch = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SIGN_KEY:
			sign_key = optarg;
			break;
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
	if (repo != NULL && (check_only || list_file || quiet))
		return bento_cmd_usage_error("bundle", "%s does not go with --repo",
		                             check_only  ? "--check"
		                             : list_file ? "--exclude-list"
		                                         : "-q");
	if (repo != NULL)
		return bundle_from_repo(repo, branch, output, sign_key, argc, argv);
	if (output || branch || sign_key)
		return bento_cmd_usage_error("bundle", "%s goes with --repo",
		                             output   ? "-o"
		                             : branch ? "--branch"
		                                      : "--sign-key");
	int status;
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
