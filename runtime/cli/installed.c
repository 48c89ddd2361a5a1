/* SPDX-License-Identifier: MIT */
/* What the verbs on installed apps share: which argument names a file and
 * which an installed app, opening an installation, and bringing one
 * branch of an app to its remote's newest commit. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "permissions/permissions.h"
#include "repo/repo.h"
#include "verbs.h"

bool bento_arg_is_file(const char *arg)
{
	struct stat st;
	return strchr(arg, '/') != NULL || lstat(arg, &st) == 0;
}

int bento_arg_app_id(const char *verb, const char *arg)
{
	const char *problem = bento_app_id_problem(arg, strlen(arg));
	if (problem)
		return bento_usage_error(verb, "\"%s\" is neither a file nor a valid app id (%s)",
		                         arg, problem);
	return 0;
}

int bento_inst_open_cli(const char *verb, bool system, bool writer, bento_inst **inst)
{
	auto_bento_error err = NULL;
	if (bento_inst_open(system, writer, inst, &err) < 0) {
		autofree char *prog = xasprintf("bento %s", verb);
		return bento_error_report(steal_pointer(&err), prog, BENTO_EXIT_FAILURE);
	}
	return 0;
}

int bento_bring_up_to_date(bento_inst *inst, const char *app_id, const char *branch,
                           const char *remote, bento_error **err)
{
	autofree char *ref = bento_app_ref(app_id, branch);
	bento_deployment before = {0};
	int installed = bento_deployment_read(inst, app_id, branch, &before, err);
	if (installed < 0)
		return -1;
	__attribute__((cleanup(bento_pulled_clear))) bento_pulled pulled = {0};
	fprintf(stderr, "%s %s (%s) from %s\n", installed == 0 ? "updating" : "installing", app_id,
	        branch, remote);
	if (bento_pull_app(inst, remote, app_id, ref, &pulled, err) < 0) {
		bento_deployment_clear(&before);
		return -1;
	}
	bool same = installed == 0 && strcmp(before.active, pulled.commit) == 0;
	bento_deployment_clear(&before);
	autofree char *what =
	    pulled.version ? xasprintf("version %s, commit %.12s", pulled.version, pulled.commit)
	                   : xasprintf("commit %.12s", pulled.commit);
	if (same) {
		printf("%s (%s): up to date, %s\n", app_id, branch, what);
		return 0;
	}
	if (bento_deploy(inst, app_id, branch, remote, &pulled, err) < 0)
		return -1;
	bento_deployment now = {0};
	if (bento_deployment_read(inst, app_id, branch, &now, err) != 0)
		return -1;
	int r = now.current ? bento_export_app(inst, &now, err) : 0;
	if (r == 0)
		printf("%s (%s): %s %s\n", app_id, branch,
		       installed == 0 ? "updated to" : "installed", what);
	bento_deployment_clear(&now);
	return r;
}

int bento_inst_parse(const char *verb, int argc, char **argv, const struct option *extra,
                     int (*own)(int c, const char *arg, void *data), void *data, void (*help)(void),
                     bool *system)
{
	struct option longopts[16] = {BENTO_INST_OPTIONS, {"help", no_argument, NULL, 'h'}};
	size_t n = 3;
	for (const struct option *o = extra; o && o->name && n < ARRAY_SIZE(longopts) - 1; o++)
		longopts[n++] = *o;
	longopts[n] = (struct option){0};
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help();
			return 0;
		case 'U':
			*system = false;
			break;
		case 'Y':
			*system = true;
			break;
		case ':':
			return bento_usage_error(verb, "option %s needs an argument",
			                         argv[optind - 1]);
		case '?':
			return bento_usage_error(verb, "unknown option %s", argv[optind - 1]);
		default: {
			int status = own ? own(c, optarg, data) : BENTO_EXIT_USAGE;
			if (status)
				return status;
		}
		}
	}
	return -1;
}
