/* SPDX-License-Identifier: MIT */
/* The permissions a manifest asks for (bento-manifest(5), PERMISSIONS): the
 * vocabulary of .bento/metadata, as lists. */
#include "manifest/parse.h"

#include <stdlib.h>

#include "core/util.h"

/* The permission vocabulary of .bento/metadata (runtime/lib/permissions.h),
 * as lists so that an unknown value can be answered with the known ones and
 * a suggestion; `build` passes every value through
 * bento_permissions_apply_option as well. */
static const char *const shared_names[] = {"network", "ipc", NULL};
static const char *const socket_names[] = {
    "x11",        "wayland",  "fallback-x11", "pulseaudio", "session-bus",
    "system-bus", "ssh-auth", "cups",         "pcsc",       NULL,
};
static const char *const device_names[] = {"dri", "kvm", "input", "shm", "all", NULL};
static const char *const feature_names[] = {"devel", "multiarch", NULL};
static const char *const permission_keys[] = {
    "shared",     "sockets",   "devices",           "features",         "filesystems", "persistent",
    "talk-names", "own-names", "system-talk-names", "system-own-names", "env",         NULL,
};

void bento_mf_parse_permissions(ctx *c, struct fy_node *map, bento_manifest_permissions *p)
{
	scope sc = {map, "\"permissions\"", "permissions.", ""};
	bento_mf_check_keys(c, &sc, permission_keys, NULL, NULL);
	p->shared = bento_mf_get_list(c, &sc, "shared", TEXT_SET, NULL, shared_names, NULL);
	p->sockets = bento_mf_get_list(c, &sc, "sockets", TEXT_SET, NULL, socket_names, NULL);
	p->devices = bento_mf_get_list(c, &sc, "devices", TEXT_SET, NULL, device_names, NULL);
	p->features = bento_mf_get_list(c, &sc, "features", TEXT_SET, NULL, feature_names, NULL);
	p->filesystems = bento_mf_get_list(c, &sc, "filesystems", TEXT_SET,
	                                   bento_mf_check_filesystem, NULL, NULL);
	p->persistent =
	    bento_mf_get_list(c, &sc, "persistent", TEXT_SET, bento_mf_check_relpath, NULL, NULL);
	p->talk_names =
	    bento_mf_get_list(c, &sc, "talk-names", TEXT_SET, bento_mf_check_bus_name, NULL, NULL);
	p->own_names =
	    bento_mf_get_list(c, &sc, "own-names", TEXT_SET, bento_mf_check_own_name, NULL, NULL);
	p->system_talk_names = bento_mf_get_list(c, &sc, "system-talk-names", TEXT_SET,
	                                         bento_mf_check_bus_name, NULL, NULL);
	p->system_own_names = bento_mf_get_list(c, &sc, "system-own-names", TEXT_SET,
	                                        bento_mf_check_own_name, NULL, NULL);
	p->env = bento_mf_get_env(c, &sc, "env", &p->n_env);
}

void bento_mf_ensure_lists(bento_manifest_permissions *p)
{
	char ***lists[] = {&p->shared,          &p->sockets,     &p->devices,
	                   &p->features,        &p->filesystems, &p->persistent,
	                   &p->talk_names,      &p->own_names,   &p->system_talk_names,
	                   &p->system_own_names};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (*lists[i] == NULL)
			*lists[i] = bento_mf_strv_new(0);
}
