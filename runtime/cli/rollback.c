/* SPDX-License-Identifier: MIT */
/* bento rollback FILE */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "sig/signature.h"
#include "update/replace.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento rollback FILE\n"
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
	       "be put back (FILE is unchanged), 4 if FILE is being updated by another\n"
	       "bento.\n");
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

int bento_cmd_rollback(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("rollback", "expected exactly one FILE");
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
