/* SPDX-License-Identifier: MIT */
#include "image/metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "core/util.h"

char *bento_image_desktop_file(bento_image *img)
{
	sqfs_inode root;
	sqfs_dir dir;
	if (bento_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) != SQFS_OK ||
	    sqfs_dir_open(&img->fs, &root, &dir, 0) != SQFS_OK)
		return NULL;
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	sqfs_err sqerr;
	while (sqfs_dir_next(&img->fs, &dir, &entry, &sqerr)) {
		const char *name = sqfs_dentry_name(&entry);
		size_t n = strlen(name);
		if (n > 8 && strcmp(name + n - 8, ".desktop") == 0)
			return xstrdup(name);
	}
	return NULL;
}

static bool has_suffix_ci(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

#define DERIVED_ID_PREFIX "appimage.local."

/* DERIVED_ID_PREFIX + stem with every character outside [A-Za-z0-9_-] made
 * '_': three elements, under no reserved prefix. */
static char *derived_app_id(const char *stem, size_t n)
{
	if (n > 200)
		n = 200;
	char *id =
	    xasprintf(DERIVED_ID_PREFIX "%s%.*s",
	              n == 0 || (stem[0] >= '0' && stem[0] <= '9') || stem[0] == '-' ? "_" : "",
	              (int)n, stem);
	for (char *c = id + strlen(DERIVED_ID_PREFIX); *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			*c = '_';
	return id;
}

static char *default_app_id(bento_image *img)
{
	autofree char *desktop = bento_image_desktop_file(img);
	if (desktop) {
		size_t n = strlen(desktop) - strlen(".desktop");
		if (bento_app_id_valid(desktop, n))
			return xasprintf("%.*s", (int)n, desktop);
		return derived_app_id(desktop, n);
	}
	const char *base = strrchr(img->path, '/');
	base = base ? base + 1 : img->path;
	size_t n = strlen(base);
	if (has_suffix_ci(base, n, ".AppImage"))
		n -= strlen(".AppImage");
	return derived_app_id(base, n);
}

/* The image may let its app own only the names its id covers (the user's
 * overrides may grant more). */
static int check_own_rules(const char *name, const bento_metadata *md, bento_error **err)
{
	const bento_permissions *p = &md->permissions;
	const struct {
		const bento_bus_rule *rules;
		size_t n;
		const char *group;
	} buses[] = {{p->session_bus, p->n_session_bus, "Session Bus Policy"},
	             {p->system_bus, p->n_system_bus, "System Bus Policy"}};
	for (size_t b = 0; b < ARRAY_SIZE(buses); b++)
		for (size_t i = 0; i < buses[b].n; i++) {
			const bento_bus_rule *r = &buses[b].rules[i];
			const char *problem = r->policy == BENTO_BUS_OWN
			                          ? bento_bus_own_problem(md->app_id, r->name)
			                          : NULL;
			if (problem == NULL)
				continue;
			bento_error_set(err, EPERM, "%s: [%s] %s=own is refused: %s (%s)", name,
			                buses[b].group, r->name, problem, md->app_id);
			if (err)
				(*err)->status = BENTO_EXIT_RUNTIME;
			return -1;
		}
	return 0;
}

int bento_metadata_load(const char *name, const char *data, size_t len, bento_metadata *out,
                        bento_error **err)
{
	if (bento_metadata_parse(name, data, len, out, err) < 0)
		return -1;
	out->present = true;
	if (out->app_id == NULL) {
		bento_metadata_clear(out);
		bento_error_set(err, EINVAL, "%s: no app id ([Application] name=)", name);
		if (err)
			(*err)->status = BENTO_EXIT_RUNTIME;
		return -1;
	}
	if (check_own_rules(name, out, err) < 0) {
		bento_metadata_clear(out);
		return -1;
	}
	return 0;
}

/* .bento/metadata is a small key file: anything bigger is no metadata. */
#define METADATA_MAX (1 << 20)

int bento_dir_load_metadata(const char *dir, bento_metadata *out, bento_error **err)
{
	*out = (bento_metadata){0};
	autofree char *path = xasprintf("%s/.bento/metadata", dir);
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, path, METADATA_MAX, &data, &len, err) < 0)
		return -1;
	return bento_metadata_load(path, data, len, out, err);
}

int bento_image_load_metadata(bento_image *img, bento_metadata *out, bento_error **err)
{
	memset(out, 0, sizeof(*out));
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_image_read_file(img, ".bento/metadata", METADATA_MAX, &data, &len, err);
	if (found < 0)
		return -1;
	if (found == 0) {
		out->app_id = default_app_id(img);
		return 0;
	}
	autofree char *name = xasprintf("%s:.bento/metadata", img->path);
	return bento_metadata_load(name, data, len, out, err);
}
