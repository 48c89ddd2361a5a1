/* SPDX-License-Identifier: MIT */
/* The permissions a manifest asks for (bento-manifest(5), PERMISSIONS), in
 * the vocabulary of .bento/metadata: the runtime's names (runtime/lib/
 * permissions) are the ones allowed. */
#include "manifest/parse.h"

#include <stddef.h>

#include "core/util.h"
#include "permissions/permissions.h"

/* A value of shared, sockets, devices or features: one of the names the
 * runtime knows for that [Context] key (an unknown one is answered with the
 * known ones and a suggestion).  `build` passes every value through
 * bento_permissions_apply_option as well. */
static bool check_flag(ctx *c, const scope *sc, const char *key, struct fy_node *item,
                       const char *value)
{
	return bento_mf_check_word(c, sc, key, item, value, bento_permission_flag_names(key));
}

#define LIST(field) offsetof(bento_manifest_permissions, field)

/* The lists of permissions:, in the order they are read, then "env". */
static const struct {
	const char *key;
	size_t offset;    /* of the list in bento_manifest_permissions */
	item_check check; /* of each item */
} lists[] = {
    {"shared", LIST(shared), check_flag},
    {"sockets", LIST(sockets), check_flag},
    {"devices", LIST(devices), check_flag},
    {"features", LIST(features), check_flag},
    {"filesystems", LIST(filesystems), bento_mf_check_filesystem},
    {"persistent", LIST(persistent), bento_mf_check_relpath},
    {"talk-names", LIST(talk_names), bento_mf_check_bus_name},
    {"own-names", LIST(own_names), bento_mf_check_own_name},
    {"system-talk-names", LIST(system_talk_names), bento_mf_check_bus_name},
    {"system-own-names", LIST(system_own_names), bento_mf_check_own_name},
};

static char ***list_at(bento_manifest_permissions *p, size_t i)
{
	return (char ***)((char *)p + lists[i].offset);
}

void bento_mf_parse_permissions(ctx *c, struct fy_node *map, bento_manifest_permissions *p)
{
	scope sc = {map, "\"permissions\"", "permissions.", ""};
	const char *keys[ARRAY_SIZE(lists) + 2];
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		keys[i] = lists[i].key;
	keys[ARRAY_SIZE(lists)] = "env";
	keys[ARRAY_SIZE(lists) + 1] = NULL;
	bento_mf_check_keys(c, &sc, keys, NULL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		*list_at(p, i) =
		    bento_mf_get_list(c, &sc, lists[i].key, TEXT_SET, lists[i].check, NULL);
	p->env = bento_mf_get_env(c, &sc, "env", &p->n_env);
}

void bento_mf_ensure_lists(bento_manifest_permissions *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (*list_at(p, i) == NULL)
			*list_at(p, i) = bento_mf_strv_new(0);
}

void bento_mf_permissions_clear(bento_manifest_permissions *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		bento_mf_strv_free(*list_at(p, i));
	bento_mf_env_free(p->env, p->n_env);
}
