/* SPDX-License-Identifier: MIT */
/* bento install [--branch=B] [--user|--system] NAME ID */
#include <getopt.h>
#include <stdio.h>

#include "core/util.h"
#include "repo/repo.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento install [--branch=BRANCH] [--user|--system] REMOTE ID\n"
	       "\n"
	       "Installs the app ID from the remote REMOTE (bento remote-add): pulls its\n"
	       "ref app/ID/ARCH/BRANCH, checks the signatures of the summary and the\n"
	       "commit against the remote's key, that the commit was published for that\n"
	       "ref and that its .bento/metadata names ID, then deploys it beside any\n"
	       "other branch and exports its desktop entry and icon.  `bento run ID`\n"
	       "runs it.  The first branch installed is the one `bento run ID` runs\n"
	       "(bento switch changes it).\n"
	       "\n"
	       "  --branch=BRANCH  the channel to install (default: stable)\n" BENTO_INST_HELP
	       "  -h, --help       print this help\n"
	       "\n"
	       "Exit status: 0 installed (or installed already), 1 on an error (nothing\n"
	       "is installed), 2 on a usage error, 4 if another bento is changing the\n"
	       "installation.\n");
}

static int branch_option(int c, const char *arg, void *data)
{
	*(const char **)data = arg;
	return 0;
}

int bento_cmd_install(int argc, char **argv)
{
	static const struct option extra[] = {{"branch", required_argument, NULL, 'b'},
	                                      {NULL, 0, NULL, 0}};
	const char *branch = "stable";
	bool system = false;
	int status = bento_inst_parse("install", argc, argv, extra, branch_option, &branch,
	                              print_help, &system);
	if (status < 0 && optind != argc - 2)
		status = bento_usage_error("install", "expected REMOTE and ID");
	if (status < 0 && bento_arg_app_id("install", argv[optind + 1]) != 0)
		status = BENTO_EXIT_USAGE;
	if (status >= 0)
		return status;
	const char *remote = argv[optind], *app_id = argv[optind + 1];
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("install", system, true, &inst)) != 0)
		return status;
	if (!bento_remote_exists(inst, remote)) {
		bento_error_set(&err, 0, "no remote named %s (bento remote-list lists them)",
		                remote);
		return bento_error_report(steal_pointer(&err), "bento install", BENTO_EXIT_FAILURE);
	}
	bento_deployment d = {0};
	int installed = bento_deployment_read(inst, app_id, branch, &d, &err);
	bento_deployment_clear(&d);
	if (installed < 0)
		return bento_error_report(steal_pointer(&err), "bento install", BENTO_EXIT_FAILURE);
	if (installed == 0) {
		printf("%s (%s) is installed already; `bento update %s` updates it\n", app_id,
		       branch, app_id);
		return 0;
	}
	if (bento_bring_up_to_date(inst, app_id, branch, remote, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento install", BENTO_EXIT_FAILURE);
	if (bento_deployment_read(inst, app_id, branch, &d, NULL) == 0 && !d.current)
		printf("%s runs another branch; `bento switch %s %s` makes it run %s\n", app_id,
		       app_id, branch, branch);
	bento_deployment_clear(&d);
	return 0;
}
