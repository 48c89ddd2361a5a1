/* SPDX-License-Identifier: MIT */
/* bento switch [--user|--system] ID BRANCH */
#include <getopt.h>
#include <stdio.h>

#include "core/util.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento switch [--user|--system] ID BRANCH\n"
	       "\n"
	       "Makes `bento run ID` run the branch BRANCH (a channel: stable, beta...),\n"
	       "installing it first from the remote of ID's current branch when it is\n"
	       "not installed.  The other branches stay installed.\n"
	       "\n" BENTO_INST_HELP "\n"
	       "Exit status: 0, 1 on an error (ID is not installed, the remote has no\n"
	       "such branch: nothing changes), 2 on a usage error, 4 if another bento is\n"
	       "changing the installation.\n");
}

int bento_cmd_switch(int argc, char **argv)
{
	bool system = false;
	int status = bento_inst_parse("switch", argc, argv, NULL, NULL, NULL, print_help, &system);
	if (status < 0 && optind != argc - 2)
		status = bento_usage_error("switch", "expected ID and BRANCH");
	if (status < 0 && bento_arg_app_id("switch", argv[optind]) != 0)
		status = BENTO_EXIT_USAGE;
	if (status >= 0)
		return status;
	const char *app_id = argv[optind], *branch = argv[optind + 1];
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("switch", system, true, &inst)) != 0)
		return status;
	bento_deployment current = {0}, target = {0};
	int r = bento_deployment_read(inst, app_id, NULL, &current, &err);
	if (r > 0)
		bento_error_set(&err, 0, "%s is not installed (in %s)", app_id, inst->dir);
	if (r == 0) {
		int has = bento_deployment_read(inst, app_id, branch, &target, &err);
		if (has > 0)
			r = bento_bring_up_to_date(inst, app_id, branch, current.remote, &err);
		else
			r = has;
	}
	bento_deployment_clear(&target);
	if (r == 0 && (bento_deploy_set_current(inst, app_id, branch, &err) < 0 ||
	               bento_deployment_read(inst, app_id, NULL, &target, &err) != 0 ||
	               bento_export_app(inst, &target, &err) < 0))
		r = -1;
	bento_deployment_clear(&current);
	if (r != 0)
		return bento_error_report(steal_pointer(&err), "bento switch", BENTO_EXIT_FAILURE);
	printf("%s: runs its branch %s (%s)\n", app_id, branch, target.active);
	bento_deployment_clear(&target);
	return 0;
}
