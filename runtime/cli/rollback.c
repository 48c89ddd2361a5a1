/* SPDX-License-Identifier: MIT */
/* bento rollback FILE, bento rollback [--user|--system] ID */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "repo/repo.h"
#include "sig/signature.h"
#include "update/replace.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento rollback FILE\n"
	       "       bento rollback [--user|--system] ID\n"
	       "\n"
	       "For an installed app ID, makes the deployment that the last update (or\n"
	       "rollback) replaced active again, in ID's current branch; a second\n"
	       "rollback returns to the other.\n"
	       "\n"
	       "Puts back the version of FILE that the last `bento update FILE` replaced,\n"
	       "and keeps the current one in its place: a second rollback returns to it.\n"
	       "The kept version is in ${XDG_DATA_HOME:-~/.local/share}/bento/previous/\n"
	       "DIGEST/file, DIGEST being the SHA-256 of FILE's canonical path.\n"
	       "\n"
	       "When the two versions are signed by different keys (an update taken\n"
	       "with --allow-new-key), the app id goes back to the restored one's key.\n"
	       "\n"
	       "Exit status: 0, 2 on a usage error, 3 if no version is kept or it cannot\n"
	       "be put back (FILE or ID is unchanged), 4 if FILE or the installation is\n"
	       "being changed by another bento.\n");
}

/* The fingerprint of the key that validly signed the file open as fd. */
static char *signer(int fd, const char *name)
{
	bento_sig_result r = {0};
	auto_bento_error err = NULL;
	char *fpr = NULL;
	if (bento_sig_verify(fd, name, NULL, &r, &err) == 0 && r.status == BENTO_SIG_VALID)
		fpr = steal_pointer(&r.fingerprint);
	bento_sig_result_clear(&r);
	return fpr;
}

/* bento rollback ID: the previous deployment of ID's current branch
 * becomes active, the active one previous. */
static int rollback_installed(bool system, const char *app_id)
{
	auto_bento_inst inst = NULL;
	int status = bento_inst_open_cli("rollback", system, true, &inst);
	if (status != 0)
		return status;
	auto_bento_error err = NULL;
	bento_deployment d = {0};
	if (bento_deploy_rollback(inst, app_id, &d, &err) < 0 ||
	    bento_export_app(inst, &d, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento rollback", 3);
	printf("%s (%s): rolled back to %s%s%s%s; `bento rollback %s` returns to commit %s\n",
	       app_id, d.branch, d.version ? "version " : "", d.version ? d.version : "",
	       d.version ? ", commit " : "commit ", d.active, app_id,
	       d.previous ? d.previous : "?");
	bento_deployment_clear(&d);
	return 0;
}

int bento_cmd_rollback(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	bool system = false;
	if (argc == 3 && (strcmp(argv[1], "--system") == 0 || strcmp(argv[1], "--user") == 0)) {
		system = strcmp(argv[1], "--system") == 0;
		argc--, argv++;
		if (bento_arg_is_file(argv[1]))
			return bento_usage_error("rollback",
			                         "--user and --system are for installed apps");
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("rollback", "expected exactly one FILE or ID");
	if (!bento_arg_is_file(argv[1]))
		return bento_arg_app_id("rollback", argv[1]) ?: rollback_installed(system, argv[1]);
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_target_close))) bento_target t = {.fd = -1, .dir_fd = -1};
	if (bento_target_open(argv[1], true, &t, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento rollback", 3);
	autofree char *before = signer(t.fd, t.path);
	if (bento_target_rollback(&t, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento rollback", 3);
	autoclose int fd = open(t.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	autofree char *after = fd >= 0 ? signer(fd, t.path) : NULL;
	auto_bento_error id_err = NULL;
	if (before && after && strcasecmp(before, after) != 0 &&
	    bento_hand_over_id(t.path, &id_err) < 0)
		bento_warn("%s: %s; run `bento trust %s`", t.path, id_err->message, argv[1]);
	autofree char *dir = bento_previous_dir(t.path, false, NULL);
	printf("%s: rolled back; the version it replaced is kept in %s/file (bento rollback "
	       "%s returns to it)\n",
	       t.path, dir ? dir : "?", argv[1]);
	return 0;
}
