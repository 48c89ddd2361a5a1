/* SPDX-License-Identifier: MIT */
/* bento list [--user|--system] */
#include <getopt.h>
#include <stdio.h>

#include "core/util.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento list [--user|--system]\n"
	       "\n"
	       "Lists the installed apps, one branch a line: ID, BRANCH, VERSION (- if\n"
	       "none), the active COMMIT, the REMOTE it comes from, and \"current\" for\n"
	       "the branch `bento run ID` runs, separated by tabs.\n"
	       "\n" BENTO_INST_HELP "\n"
	       "Exit status: 0, 1 on an error, 2 on a usage error.\n");
}

int bento_cmd_list(int argc, char **argv)
{
	bool system = false;
	int status = bento_inst_parse("list", argc, argv, NULL, NULL, NULL, print_help, &system);
	if (status < 0 && optind != argc)
		status = bento_usage_error("list", "expected no argument");
	if (status >= 0)
		return status;
	auto_bento_inst inst = NULL;
	if ((status = bento_inst_open_cli("list", system, false, &inst)) != 0)
		return status;
	char **apps = bento_installed_apps(inst);
	for (char **a = apps; *a; a++) {
		char **branches = bento_installed_branches(inst, *a);
		for (char **b = branches; *b; b++) {
			bento_deployment d = {0};
			auto_bento_error err = NULL;
			if (bento_deployment_read(inst, *a, *b, &d, &err) == 0)
				printf("%s\t%s\t%s\t%s\t%s%s\n", d.app_id, d.branch,
				       d.version ? d.version : "-", d.active, d.remote,
				       d.current ? "\tcurrent" : "");
			else if (err)
				bento_warn("%s", err->message);
			bento_deployment_clear(&d);
			free(*b);
		}
		free(branches);
		free(*a);
	}
	free(apps);
	return fflush(stdout) == 0 ? 0 : BENTO_EXIT_FAILURE;
}
