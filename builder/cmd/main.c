/* SPDX-License-Identifier: MIT */
/* bento-builder: finds the verb and hands it the rest of the command line. */
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/exit.h"

typedef struct verb {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the verb */
	void (*usage)(FILE *out);
	const char *summary;
} verb;

static const verb verbs[] = {
    {"build", bento_builder_build, bento_builder_build_usage,
     "build an app from its manifest into a single file"},
    {"pack", bento_builder_pack, bento_builder_pack_usage,
     "pack an AppDir into a single-file AppImage"},
    {"fetch", bento_builder_fetch, bento_builder_fetch_usage,
     "download a file into the cache, checked by SHA-256"},
    {"unpack", bento_builder_unpack, bento_builder_unpack_usage,
     "unpack a source archive safely into an empty directory"},
    {"sign", bento_builder_sign, bento_builder_sign_usage, "sign a single-file AppImage in place"},
    {"check", bento_builder_check, bento_builder_check_usage,
     "check a build manifest and print what it describes"},
    {"bundle", bento_builder_bundle, bento_builder_bundle_usage,
     "copy the libraries an AppDir needs; or a repository's commit as a file"},
    {"export", bento_builder_export, bento_builder_export_usage,
     "commit a bento file or AppDir to an OSTree repository"},
    {"update-repo", bento_builder_update_repo, bento_builder_update_repo_usage,
     "prune, make deltas, the AppStream catalogue and the signed summary"},
    {"integrate", bento_builder_integrate, bento_builder_integrate_usage,
     "write an AppDir's AppRun, desktop entry, icon and metainfo"},
    {"validate", bento_builder_validate, bento_builder_validate_usage,
     "check an AppDir: desktop entry, metainfo, libraries"},
};

static const verb *find_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static void usage(FILE *out)
{
	fputs("Usage: " PROG " COMMAND [OPTION...]\n"
	      "       " PROG " --help | --version\n"
	      "\n"
	      "Build bento applications: single executable files that run on any recent\n"
	      "x86-64 Linux desktop.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "  %-11s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n"
	      "'" PROG " COMMAND --help' describes a command.\n",
	      out);
}

/* `help` and `help VERB` */
static int help(int argc, char **argv)
{
	if (argc < 3) {
		usage(stdout);
		return bento_cmd_finish(NULL);
	}
	const verb *v = find_verb(argv[2]);
	if (v == NULL) {
		fprintf(stderr, PROG ": unknown command '%s' (see " PROG " --help)\n", argv[2]);
		return BENTO_EXIT_USAGE;
	}
	v->usage(stdout);
	return bento_cmd_finish(NULL);
}

int main(int argc, char **argv)
{
	bento_program_init(PROG);
	if (argc < 2) {
		usage(stderr);
		return BENTO_EXIT_USAGE;
	}
	const char *arg = argv[1];
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0)
		return help(argc, argv);
	if (strcmp(arg, "--version") == 0) {
		puts(PROG " " BENTO_VERSION);
		return bento_cmd_finish(NULL);
	}
	const verb *v = find_verb(arg);
	if (v != NULL)
		return v->run(argc - 1, argv + 1);
	if (arg[0] == '-')
		fprintf(stderr, PROG ": unknown option '%s' (see " PROG " --help)\n", arg);
	else
		fprintf(stderr, PROG ": unknown command '%s' (see " PROG " --help)\n", arg);
	return BENTO_EXIT_USAGE;
}
