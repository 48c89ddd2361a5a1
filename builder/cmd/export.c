/* SPDX-License-Identifier: MIT */
/* bento-builder export --repo=REPO [OPTION...] SOURCE: a bento file or an
 * AppDir as a commit of an OSTree repository (output/ostree_export.h). */
#include <getopt.h>
#include <stdio.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "output/ostree_export.h"

enum { OPT_REPO = 256, OPT_BRANCH, OPT_GPG_SIGN, OPT_GPG_HOMEDIR, OPT_SUBJECT };

void bento_builder_export_usage(FILE *out)
{
	fputs("Usage: " PROG " export --repo=REPO [OPTION...] SOURCE\n"
	      "\n"
	      "Commit the tree of SOURCE, a bento file or an AppDir, to the ref\n"
	      "app/ID/ARCH/BRANCH of the OSTree repository REPO (archive mode; created when\n"
	      "missing or empty), ID being the app id its .bento/metadata names.  The commit\n"
	      "carries the app's metadata, version and, for a file, its SHA-256\n"
	      "(bento-repository(7)).  A tree identical to the ref's last commit makes no\n"
	      "new commit.  Then run " PROG " update-repo REPO to publish it.\n"
	      "\n"
	      "Options:\n"
	      "      --repo=REPO           the repository (a directory of yours, not a link)\n"
	      "      --branch=BRANCH       the ref's branch (default: " BENTO_REPO_DEFAULT_BRANCH
	      ")\n"
	      "      --gpg-sign=KEYID      sign the commit with this GnuPG key\n"
	      "      --gpg-homedir=DIR     the GnuPG home of the key (default: GnuPG's)\n"
	      "      --subject=TEXT        the commit's subject (default: \"ID VERSION\")\n"
	      "  -h, --help                show this help and exit\n"
	      "\n"
	      "setuid and setgid bits are dropped (and reported); device nodes, fifos and\n"
	      "sockets are refused.  Exit status: 0 done (or nothing to commit), 1 failure\n"
	      "(the ref is left as it was), 2 usage error.\n",
	      out);
}

int bento_builder_export(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"repo", required_argument, NULL, OPT_REPO},
	    {"branch", required_argument, NULL, OPT_BRANCH},
	    {"gpg-sign", required_argument, NULL, OPT_GPG_SIGN},
	    {"gpg-homedir", required_argument, NULL, OPT_GPG_HOMEDIR},
	    {"subject", required_argument, NULL, OPT_SUBJECT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bento_export_options o = {0};
	bento_error *err = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_REPO:
			o.repo = optarg;
			break;
		case OPT_BRANCH:
			o.branch = optarg;
			break;
		case OPT_GPG_SIGN:
			o.gpg_key = optarg;
			break;
		case OPT_GPG_HOMEDIR:
			o.gpg_homedir = optarg;
			break;
		case OPT_SUBJECT:
			o.subject = optarg;
			break;
		case 'h':
			bento_builder_export_usage(stdout);
			return bento_cmd_finish(NULL);
		default:
			bento_cmd_option_error("export", c, argv, &err);
			return bento_cmd_finish(err);
		}
	}
	if (o.repo == NULL)
		bento_error_usage(&err,
		                  "export: --repo=REPO is missing (see " PROG " export --help)");
	else if (optind != argc - 1)
		bento_error_usage(&err, "export: %s (see " PROG " export --help)",
		                  optind == argc ? "SOURCE is missing" : "only one SOURCE, please");
	if (err == NULL)
		bento_ostree_export(argv[optind], &o, &err);
	return bento_cmd_finish(err);
}
