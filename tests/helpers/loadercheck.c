/* SPDX-License-Identifier: MIT */
/* loadercheck APPDIR: runs the builder's run-time library check
 * (bento_bundle_check_in_sandbox) with a bwrap sandbox standing in for the
 * builder's own: APPDIR at /app, the host's /usr read-only.  Exit status 0
 * when the dynamic loader finds every library, 1 otherwise (the error on
 * stderr). */
#include <stdio.h>
#include <string.h>

#include "appdir/bundle.h"
#include "core/util.h"
#include "util/tool.h"

static int run_in_bwrap(void *data, char *const argv[], char *const envp[], char **output,
                        int *status, bento_error **err)
{
	const char *appdir = data;
	char *cmd[64] = {"bwrap",
	                 "--unshare-all",
	                 "--die-with-parent",
	                 "--ro-bind",
	                 "/usr",
	                 "/usr",
	                 "--symlink",
	                 "usr/lib",
	                 "/lib",
	                 "--symlink",
	                 "usr/lib64",
	                 "/lib64",
	                 "--symlink",
	                 "usr/bin",
	                 "/bin",
	                 "--ro-bind",
	                 "/etc/ld.so.cache",
	                 "/etc/ld.so.cache",
	                 "--proc",
	                 "/proc",
	                 "--dev",
	                 "/dev",
	                 "--ro-bind",
	                 (char *)appdir,
	                 "/app",
	                 "--"};
	size_t n = 0;
	while (cmd[n] != NULL)
		n++;
	n--; /* before "--" */
	cmd[n++] = "--clearenv";
	for (size_t i = 0; envp[i] != NULL && n < 48; i++) {
		char *eq = strchr(envp[i], '=');
		if (eq == NULL)
			continue;
		cmd[n++] = "--setenv";
		cmd[n++] = xasprintf("%.*s", (int)(eq - envp[i]), envp[i]);
		cmd[n++] = eq + 1;
	}
	cmd[n++] = "--";
	for (size_t i = 0; argv[i] != NULL && n < 63; i++)
		cmd[n++] = argv[i];
	cmd[n] = NULL;
	int rc = bento_run_tool(cmd, output, status, err);
	for (size_t i = 0; cmd[i] != NULL; i++)
		if (strcmp(cmd[i], "--setenv") == 0)
			free(cmd[++i]);
	return rc;
}

int main(int argc, char **argv)
{
	bento_error *err = NULL;
	if (argc != 2) {
		fprintf(stderr, "usage: loadercheck APPDIR\n");
		return 2;
	}
	if (bento_bundle_check_in_sandbox(argv[1], run_in_bwrap, argv[1], &err) < 0)
		return bento_error_report(err, "loadercheck", 1);
	return 0;
}
