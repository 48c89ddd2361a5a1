/* SPDX-License-Identifier: MIT */
/* bento remove [--delete-data] [--user|--system] ID */
#include <getopt.h>
#include <stdio.h>

#include "core/state.h"
#include "core/util.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento remove [--delete-data] [--user|--system] ID\n"
	       "\n"
	       "Removes the installed app ID: every branch's deployments, its desktop\n"
	       "entry and icon, and the objects no other app shares.\n"
	       "\n"
	       "  --delete-data  also remove its data, ~/.var/app/ID\n" BENTO_INST_HELP
	       "  -h, --help     print this help\n"
	       "\n"
	       "Exit status: 0, 1 on an error (ID is not installed), 2 on a usage error,\n"
	       "4 if another bento is changing the installation.\n");
}

static int data_option(int c, const char *arg, void *data)
{
	*(bool *)data = true;
	return 0;
}

int bento_cmd_remove(int argc, char **argv)
{
	static const struct option extra[] = {{"delete-data", no_argument, NULL, 'd'},
	                                      {NULL, 0, NULL, 0}};
	bool system = false, delete_data = false;
	int status = bento_inst_parse("remove", argc, argv, extra, data_option, &delete_data,
	                              print_help, &system);
	if (status < 0 && optind != argc - 1)
		status = bento_usage_error("remove", "expected one ID");
	if (status < 0 && bento_arg_app_id("remove", argv[optind]) != 0)
		status = BENTO_EXIT_USAGE;
	if (status >= 0)
		return status;
	const char *app_id = argv[optind];
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("remove", system, true, &inst)) != 0)
		return status;
	bento_deployment d = {0};
	int installed = bento_deployment_read(inst, app_id, NULL, &d, &err);
	bento_deployment_clear(&d);
	if (installed > 0)
		bento_error_set(&err, 0, "%s is not installed (in %s)", app_id, inst->dir);
	if (installed != 0 || bento_deploy_remove(inst, app_id, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento remove", BENTO_EXIT_FAILURE);
	if (delete_data) {
		autofree char *home = bento_user_home(getuid());
		autofree char *data = xasprintf("%s/.var/app/%s", home, app_id);
		if (bento_remove_tree(data, &err) < 0)
			return bento_error_report(steal_pointer(&err), "bento remove",
			                          BENTO_EXIT_FAILURE);
	}
	printf("%s: removed%s\n", app_id, delete_data ? ", with its data" : "");
	return 0;
}
