/* SPDX-License-Identifier: MIT */
/* bento remote-add, remote-list, remote-delete, remote-ls: the repositories
 * apps are installed from. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "repo/repo.h"
#include "verbs.h"

static void help_add(void)
{
	printf("Usage: bento remote-add [OPTIONS] NAME URL\n"
	       "\n"
	       "Adds the OSTree repository at URL (https://, http:// or file:///), as\n"
	       "bento-builder export and update-repo publish it, under the name NAME.\n"
	       "Everything pulled from it (its summary and commits) must be signed by\n"
	       "the key imported here; a remote without a key is refused unless\n"
	       "--no-gpg-verify says so explicitly.\n"
	       "\n"
	       "  --gpg-import=FILE  the publisher's public key (binary or armoured)\n"
	       "  --no-gpg-verify    add it without a key: nothing it serves is checked\n"
	       "  --mirror=URL       another URL serving the same repository, tried when\n"
	       "                     the first cannot be reached (repeatable)\n"
	       "  --if-not-exists    do nothing if a remote of that name exists\n" BENTO_INST_HELP
	       "  -h, --help         print this help\n"
	       "\n"
	       "Exit status: 0, 1 on an error (the remote is not added), 2 on a usage\n"
	       "error, 4 if another bento is changing the installation.\n");
}

typedef struct add_options {
	bento_remote_options opts;
	bento_strv mirrors;
} add_options;

static int add_option(int c, const char *arg, void *data)
{
	add_options *a = data;
	if (c == 'g')
		a->opts.gpg_import = arg;
	else if (c == 'n')
		a->opts.no_gpg_verify = true;
	else if (c == 'm')
		bento_strv_add(&a->mirrors, xstrdup(arg));
	else if (c == 'e')
		a->opts.if_not_exists = true;
	return 0;
}

int bento_cmd_remote_add(int argc, char **argv)
{
	static const struct option extra[] = {{"gpg-import", required_argument, NULL, 'g'},
	                                      {"no-gpg-verify", no_argument, NULL, 'n'},
	                                      {"mirror", required_argument, NULL, 'm'},
	                                      {"if-not-exists", no_argument, NULL, 'e'},
	                                      {NULL, 0, NULL, 0}};
	add_options a = {0};
	bool system = false;
	int status =
	    bento_inst_parse("remote-add", argc, argv, extra, add_option, &a, help_add, &system);
	if (status < 0 && optind != argc - 2)
		status = bento_usage_error("remote-add", "expected NAME and URL");
	if (status >= 0) {
		bento_strv_free(&a.mirrors);
		return status;
	}
	a.opts.mirrors = (const char *const *)a.mirrors.items;
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("remote-add", system, true, &inst)) == 0 &&
	    bento_remote_add(inst, argv[optind], argv[optind + 1], &a.opts, &err) < 0)
		status =
		    bento_error_report(steal_pointer(&err), "bento remote-add", BENTO_EXIT_FAILURE);
	bento_strv_free(&a.mirrors);
	return status;
}

static void help_list(void)
{
	printf("Usage: bento remote-list [--user|--system]\n"
	       "\n"
	       "Lists the remotes, one a line: NAME, URL, the fingerprints of its keys\n"
	       "(or no-gpg-verify), and its mirrors (mirror=URL), separated by tabs.\n"
	       "\n" BENTO_INST_HELP "\n"
	       "Exit status: 0, 1 on an error, 2 on a usage error.\n");
}

int bento_cmd_remote_list(int argc, char **argv)
{
	bool system = false;
	int status =
	    bento_inst_parse("remote-list", argc, argv, NULL, NULL, NULL, help_list, &system);
	if (status < 0 && optind != argc)
		status = bento_usage_error("remote-list", "expected no argument");
	if (status >= 0)
		return status;
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("remote-list", system, false, &inst)) != 0)
		return status;
	if (bento_remote_list(inst, stdout, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento remote-list",
		                          BENTO_EXIT_FAILURE);
	return 0;
}

static void help_delete(void)
{
	printf("Usage: bento remote-delete [--force] [--user|--system] NAME\n"
	       "\n"
	       "Removes the remote NAME and its keys.  A remote that installed apps come\n"
	       "from is kept unless --force is given (those apps then get no updates).\n"
	       "\n"
	       "  --force      remove it even though apps are installed from it\n" BENTO_INST_HELP
	       "\n"
	       "Exit status: 0, 1 on an error, 2 on a usage error, 4 if another bento is\n"
	       "changing the installation.\n");
}

static int delete_option(int c, const char *arg, void *data)
{
	*(bool *)data = true;
	return 0;
}

int bento_cmd_remote_delete(int argc, char **argv)
{
	static const struct option extra[] = {{"force", no_argument, NULL, 'f'},
	                                      {NULL, 0, NULL, 0}};
	bool system = false, force = false;
	int status = bento_inst_parse("remote-delete", argc, argv, extra, delete_option, &force,
	                              help_delete, &system);
	if (status < 0 && optind != argc - 1)
		status = bento_usage_error("remote-delete", "expected one NAME");
	if (status >= 0)
		return status;
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	if ((status = bento_inst_open_cli("remote-delete", system, true, &inst)) != 0)
		return status;
	if (bento_remote_delete(inst, argv[optind], force, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento remote-delete",
		                          BENTO_EXIT_FAILURE);
	return 0;
}

static void help_ls(void)
{
	printf("Usage: bento remote-ls [--user|--system] NAME\n"
	       "\n"
	       "Lists the apps the remote NAME offers for this machine, from its signed\n"
	       "summary: one line each, ID, BRANCH, VERSION (- if none) and COMMIT,\n"
	       "separated by tabs.\n"
	       "\n" BENTO_INST_HELP "\n"
	       "Exit status: 0, 1 on an error (the summary cannot be fetched or is not\n"
	       "signed by the remote's key), 2 on a usage error.\n");
}

int bento_cmd_remote_ls(int argc, char **argv)
{
	bool system = false;
	int status = bento_inst_parse("remote-ls", argc, argv, NULL, NULL, NULL, help_ls, &system);
	if (status < 0 && optind != argc - 1)
		status = bento_usage_error("remote-ls", "expected one NAME");
	if (status >= 0)
		return status;
	auto_bento_inst inst = NULL;
	auto_bento_error err = NULL;
	/* A reader: any user lists the system's remotes (libostree caches the
	 * summary only where it may write). */
	if ((status = bento_inst_open_cli("remote-ls", system, false, &inst)) != 0)
		return status;
	if (bento_remote_ls(inst, argv[optind], stdout, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento remote-ls",
		                          BENTO_EXIT_FAILURE);
	return 0;
}
