/* SPDX-License-Identifier: MIT */
/* bento: the user's command for bento files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "verbs.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
    {"run", bento_cmd_run, "run the app of a bento file, AppImage or installed app"},
    {"info", bento_cmd_info, "describe a bento file, AppImage or installed app"},
    {"extract", bento_cmd_extract, "extract the contents of a file into a directory"},
    {"override", bento_cmd_override, "change an app's permissions for good"},
    {"verify", bento_cmd_verify, "check the signature of a bento file or AppImage"},
    {"trust", bento_cmd_trust, "hand an app id (its data, permissions, bus names) to a file"},
    {"cache", bento_cmd_cache, "list and clean the extraction cache"},
    {"update", bento_cmd_update, "update a file or installed apps, by delta"},
    {"rollback", bento_cmd_rollback, "put back the version an update replaced (file or app)"},
    {"remote-add", bento_cmd_remote_add, "add a repository to install apps from"},
    {"remote-list", bento_cmd_remote_list, "list the repositories"},
    {"remote-delete", bento_cmd_remote_delete, "remove a repository"},
    {"remote-ls", bento_cmd_remote_ls, "list the apps a repository offers"},
    {"install", bento_cmd_install, "install an app from a repository"},
    {"list", bento_cmd_list, "list the installed apps"},
    {"remove", bento_cmd_remove, "remove an installed app"},
    {"switch", bento_cmd_switch, "run another branch of an installed app"},
};

static void print_help(void)
{
	printf("Usage: bento VERB [OPTIONS] [ARGUMENTS...]\n\nVerbs:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		printf("  %-13s %s\n", verbs[i].name, verbs[i].summary);
	printf("\n`bento VERB --help` describes a verb; see also bento(1).\n");
}

int bento_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bento%s%s: ", verb ? " " : "", verb ? verb : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry `bento%s%s --help`.\n", verb ? " " : "", verb ? verb : "");
	va_end(ap);
	return BENTO_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	bento_program_init("bento");
	if (argc < 2)
		return print_help(), BENTO_EXIT_USAGE;
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			char *help_argv[] = {argv[2], "--help", NULL};
			for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
				if (strcmp(verbs[i].name, argv[2]) == 0)
					return verbs[i].run(2, help_argv);
			return bento_usage_error(NULL, "unknown verb \"%s\"", argv[2]);
		}
		print_help();
		return 0;
	}
	if (strcmp(name, "--version") == 0) {
		printf("bento %s\n", BENTO_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	return bento_usage_error(NULL, "unknown verb \"%s\"", name);
}
