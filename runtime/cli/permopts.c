/* SPDX-License-Identifier: MIT */
/* The permission options that `bento run` and `bento override` share. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "permissions/permissions.h"
#include "verbs.h"

struct option *bento_perm_longopts(const struct option *fixed)
{
	size_t n_fixed = 0, n_perm = 0;
	while (fixed[n_fixed].name)
		n_fixed++;
	while (bento_permission_options[n_perm])
		n_perm++;
	struct option *all = xcalloc(n_fixed + n_perm + 1, sizeof(*all));
	memcpy(all, fixed, n_fixed * sizeof(*all));
	for (size_t i = 0; i < n_perm; i++)
		all[n_fixed + i] = (struct option){bento_permission_options[i], required_argument,
		                                   NULL, BENTO_PERM_OPT_BASE + (int)i};
	return all;
}

int bento_perm_apply(const char *verb, bento_permissions *layer, int c, const char *arg)
{
	auto_bento_error err = NULL;
	const char *option = bento_permission_options[c - BENTO_PERM_OPT_BASE];
	if (bento_permissions_apply_option(layer, option, arg, &err) != 0)
		return bento_usage_error(verb, "%s", err ? err->message : "unknown option");
	return 0;
}

void bento_perm_print_help(void)
{
	printf("Permissions (repeatable; the values are those of bento-metadata(5)):\n"
	       "  --share=WHAT, --unshare=WHAT      network, ipc\n"
	       "  --socket=WHAT, --nosocket=WHAT    x11, wayland, fallback-x11, pulseaudio,\n"
	       "                                    session-bus, system-bus, ssh-auth, cups, pcsc\n"
	       "  --device=WHAT, --nodevice=WHAT    dri, kvm, input, shm, all\n"
	       "  --allow=WHAT, --disallow=WHAT     devel, multiarch\n"
	       "  --filesystem=LOCATION[:ro|:rw|:create], --nofilesystem=LOCATION\n"
	       "                                    home, host, host-os, host-etc, xdg-download,\n"
	       "                                    xdg-documents[/PATH] ..., ~/PATH, /PATH\n"
	       "  --persist=PATH                    keep ~/PATH in the app's own data folder\n"
	       "  --env=VAR=VALUE, --unset-env=VAR  set or unset an environment variable (the\n"
	       "                                    app gets few of yours: bento-sandbox(7))\n"
	       "  --limit=LIMIT=VALUE               root-size, dev-size, shm-size, run-size,\n"
	       "                                    tmp-size (bytes, K, M, G, T), processes\n"
	       "  --talk-name=NAME, --no-talk-name=NAME, --own-name=NAME, --see-name=NAME\n"
	       "                                    session bus names (NAME or PREFIX.*)\n"
	       "  --system-talk-name=NAME, --system-no-talk-name=NAME,\n"
	       "  --system-own-name=NAME, --system-see-name=NAME   system bus names\n");
}
