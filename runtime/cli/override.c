/* SPDX-License-Identifier: MIT */
/* bento override [--show | --reset | PERMISSIONS...] APPID */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "permissions/override.h"
#include "permissions/permissions.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento override [PERMISSIONS...] APPID\n"
	       "       bento override --show APPID\n"
	       "       bento override --reset APPID\n"
	       "\n"
	       "Changes what the app APPID may reach, for every later run, over what its\n"
	       "image's .bento/metadata asks for. New changes are merged into the ones\n"
	       "already made. The changes are kept in\n"
	       "${XDG_DATA_HOME:-~/.local/share}/bento/overrides/APPID (bento-metadata(5)).\n"
	       "`bento info FILE` shows an image's app id and its permissions.\n"
	       "\n"
	       "  --show           print the override (nothing if there is none)\n"
	       "  --reset          remove the override\n"
	       "  -h, --help       print this help\n"
	       "\n");
	bento_perm_print_help();
	printf("\n"
	       "Exit status: 0, 1 if the override could not be read or written, 2 on a\n"
	       "usage error (an invalid APPID or permission included).\n");
}

/* One status for every failure of this verb, whatever the library chose. */
static int fail(bento_error *err)
{
	err->status = BENTO_EXIT_FAILURE;
	return bento_error_report(err, "bento override", BENTO_EXIT_FAILURE);
}

static int show(const char *app_id)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions layer = {0};
	if (bento_override_load(app_id, &layer, &err) < 0)
		return fail(steal_pointer(&err));
	autofree char *text = bento_permissions_to_keyfile(&layer);
	fputs(text, stdout);
	return 0;
}

static int change(const char *app_id, const bento_permissions *changes)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions layer = {0};
	if (bento_override_load(app_id, &layer, &err) < 0)
		return fail(steal_pointer(&err));
	bento_permissions_merge(&layer, changes);
	if (bento_override_save(app_id, &layer, &err) < 0)
		return fail(steal_pointer(&err));
	return 0;
}

int bento_cmd_override(int argc, char **argv)
{
	static const struct option fixed[] = {{"show", no_argument, NULL, 's'},
	                                      {"reset", no_argument, NULL, 'r'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	autofree struct option *longopts = bento_perm_longopts(fixed);
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions changes = {0};
	bool show_it = false, reset = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			show_it = true;
			break;
		case 'r':
			reset = true;
			break;
		case 'h':
			print_help();
			return 0;
		default:
			if (c < BENTO_PERM_OPT_BASE)
				return bento_usage_error("override", "invalid option");
			int status = bento_perm_apply("override", &changes, c, optarg);
			if (status)
				return status;
		}
	}
	if (optind != argc - 1)
		return bento_usage_error("override", "expected exactly one APPID");
	const char *app_id = argv[optind];
	const char *problem = bento_app_id_problem(app_id, strlen(app_id));
	if (problem)
		return bento_usage_error("override", "invalid app id \"%s\": it %s", app_id,
		                         problem);
	bool changing = !bento_permissions_empty(&changes);
	if (show_it + reset + changing != 1)
		return bento_usage_error("override", "give either --show, --reset or permissions");
	if (show_it)
		return show(app_id);
	if (reset) {
		auto_bento_error err = NULL;
		if (bento_override_reset(app_id, &err) < 0)
			return fail(steal_pointer(&err));
		return 0;
	}
	return change(app_id, &changes);
}
