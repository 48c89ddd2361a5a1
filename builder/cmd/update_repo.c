/* SPDX-License-Identifier: MIT */
/* bento-builder update-repo REPO [OPTION...]: prune, static deltas, the
 * AppStream catalogue and the signed summary (output/repo_update.h). */
#include <getopt.h>
#include <stdio.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "output/repo_update.h"

enum { OPT_GPG_SIGN = 256, OPT_GPG_HOMEDIR, OPT_DELTAS, OPT_PRUNE, OPT_KEEP };

void bento_builder_update_repo_usage(FILE *out)
{
	fputs("Usage: " PROG " update-repo [OPTION...] REPO\n"
	      "\n"
	      "Make the OSTree repository REPO ready to serve (bento-repository(7)): prune\n"
	      "old commits, make static deltas, write the AppStream catalogue\n"
	      "REPO/appstream/ARCH/appstream.xml.gz and regenerate the summary, signed.\n"
	      "\n"
	      "Options:\n"
	      "      --gpg-sign=KEYID          sign the summary with this GnuPG key\n"
	      "      --gpg-homedir=DIR         the GnuPG home of the key (default: GnuPG's)\n"
	      "      --generate-static-deltas  make the missing static deltas of each ref:\n"
	      "                                from its parent commit and from scratch\n"
	      "      --prune                   remove commits older than the last N of each\n"
	      "                                ref (and their objects and deltas)\n"
	      "      --keep=N                  N for --prune (required with it, at least 1)\n"
	      "  -h, --help                    show this help and exit\n"
	      "\n"
	      "Exit status: 0 done, 1 failure, 2 usage error.\n",
	      out);
}

int bento_builder_update_repo(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"gpg-sign", required_argument, NULL, OPT_GPG_SIGN},
	    {"gpg-homedir", required_argument, NULL, OPT_GPG_HOMEDIR},
	    {"generate-static-deltas", no_argument, NULL, OPT_DELTAS},
	    {"prune", no_argument, NULL, OPT_PRUNE},
	    {"keep", required_argument, NULL, OPT_KEEP},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bento_repo_update_options o = {0};
	bento_error *err = NULL;
	bool prune = false;
	uint64_t keep = 0;
	int c;
	optind = 1;
	opterr = 0;
	while (err == NULL && (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_GPG_SIGN:
			o.gpg_key = optarg;
			break;
		case OPT_GPG_HOMEDIR:
			o.gpg_homedir = optarg;
			break;
		case OPT_DELTAS:
			o.static_deltas = true;
			break;
		case OPT_PRUNE:
			prune = true;
			break;
		case OPT_KEEP:
			if (bento_cmd_parse_number("--keep", optarg, false, &keep, &err) == 0 &&
			    (keep < 1 || keep > 100000))
				bento_error_usage(&err, "--keep=%s: must be from 1 to 100000",
				                  optarg);
			break;
		case 'h':
			bento_builder_update_repo_usage(stdout);
			return bento_cmd_finish(NULL);
		default:
			bento_cmd_option_error("update-repo", c, argv, &err);
		}
	}
	if (err == NULL && prune != (keep > 0))
		bento_error_usage(&err, "update-repo: %s (see " PROG " update-repo --help)",
		                  prune ? "--prune needs --keep=N" : "--keep=N goes with --prune");
	if (err == NULL && optind != argc - 1)
		bento_error_usage(&err, "update-repo: %s (see " PROG " update-repo --help)",
		                  optind == argc ? "REPO is missing" : "only one REPO, please");
	if (err == NULL) {
		o.repo = argv[optind];
		o.keep = (unsigned)keep;
		bento_repo_update(&o, &err);
	}
	return bento_cmd_finish(err);
}
