/* SPDX-License-Identifier: MIT */
/* bento run [--strategy=NAME] [--sandbox|--no-sandbox] [PERMISSIONS] FILE|ID [ARGS...] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "image/image.h"
#include "launch/launch.h"
#include "permissions/permissions.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento run [OPTIONS] FILE|ID [ARGUMENTS...]\n"
	       "\n"
	       "Runs the app packed in FILE (a bento file or any AppImage Type 2) with\n"
	       "ARGUMENTS, exactly as running FILE itself would. Options end at FILE.\n"
	       "An ID that names no file (no '/' in it) is an installed app (bento\n"
	       "install), from your installation or else the system's: its active\n"
	       "deployment runs at /app, in the same sandbox, with the same permissions\n"
	       "(--strategy does not apply).\n"
	       "\n"
	       "  --strategy=NAME  how to open the image: userns, fusermount, extract,\n"
	       "                   extract-and-run (default: the first that works)\n"
	       "  --debug          say which strategy was used\n"
	       "  --sandbox        run it in the sandbox, even a plain AppImage without\n"
	       "                   .bento/metadata (which runs unconfined by default)\n"
	       "  --no-sandbox     run it unconfined, with the user's rights (a warning)\n"
	       "  -h, --help       print this help\n"
	       "\n");
	bento_perm_print_help();
	printf("These change this run only, over the image's .bento/metadata and the\n"
	       "user's override (bento override).\n"
	       "\n"
	       "Exit status: the app's, 128+N if signal N ended it, 127 if it could not\n"
	       "be started, 2 on a usage error.\n");
}

/* bento run ID: the active deployment of the installed app ID, found once
 * (an update while it runs changes what the next run finds). */
static int run_installed(bento_launch *launch, const char *app_id, char **args)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_installed_clear))) bento_installed app = {0};
	int found = bento_installed_find(app_id, &app, &err);
	if (found > 0)
		bento_error_set(&err, ENOENT,
		                "%s: no such file, and no app of that id is installed (bento "
		                "list lists them)",
		                app_id);
	if (found != 0)
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	launch->app_dir = app.dir;
	launch->app_home = app.home;
	launch->app_key = app.key;
	launch->app_origin = app.origin;
	launch->argv0 = app_id;
	launch->args = args;
	int status = 0;
	if (bento_launch_apply_env(launch, &err) < 0 || bento_launch_run(launch, &status, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	return status;
}

int bento_cmd_run(int argc, char **argv)
{
	static const struct option fixed[] = {
	    {"strategy", required_argument, NULL, 's'}, {"debug", no_argument, NULL, 'd'},
	    {"sandbox", no_argument, NULL, 'S'},        {"no-sandbox", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
	autofree struct option *longopts = bento_perm_longopts(fixed);
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions perms = {0};
	bento_launch launch = {.strategy = BENTO_STRATEGY_AUTO};
	auto_bento_error err = NULL;
	int c;
	/* "+": stop at the first non-option, the file; what follows is the app's. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (bento_strategy_parse(optarg, &launch.strategy, &err) < 0)
				return bento_usage_error("run", "%s", err->message);
			break;
		case 'd':
			bento_debug_enable(true);
			break;
		case 'S':
			launch.sandbox = BENTO_SANDBOX_ON;
			break;
		case 'N':
			launch.sandbox = BENTO_SANDBOX_OFF;
			break;
		case 'h':
			print_help();
			return 0;
		default:
			if (c < BENTO_PERM_OPT_BASE)
				return bento_usage_error("run", "invalid option");
			int status = bento_perm_apply("run", &perms, c, optarg);
			if (status)
				return status;
		}
	}
	if (!bento_permissions_empty(&perms))
		launch.run_permissions = &perms;
	if (optind >= argc)
		return bento_usage_error("run", "missing FILE or ID");
	if (!bento_arg_is_file(argv[optind]) &&
	    bento_app_id_valid(argv[optind], strlen(argv[optind])))
		return run_installed(&launch, argv[optind], argv + optind + 1);
	autofree char *path = realpath(argv[optind], NULL);
	if (path == NULL) {
		bento_error_errno(&err, "%s", argv[optind]);
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	}
	auto_bento_image img = NULL;
	launch.argv0 = argv[optind];
	launch.appimage = path;
	launch.args = argv + optind + 1;
	int status = 0;
	if (bento_image_open(path, &img, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	launch.img = img;
	if (bento_launch_apply_env(&launch, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	if (bento_launch_run(&launch, &status, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento run", BENTO_EXIT_RUNTIME);
	return status;
}
