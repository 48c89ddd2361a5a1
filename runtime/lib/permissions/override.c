/* SPDX-License-Identifier: MIT */
#include "permissions/override.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "core/state.h"
#include "core/util.h"
#include "permissions/layer.h"

/* Override files are the user's own, small by nature. */
#define OVERRIDE_MAX (1 << 20)

static char *overrides_dir(bento_error **err)
{
	autofree char *data = bento_state_dir(BENTO_STATE_DATA, err);
	if (data == NULL) {
		bento_error_prefix(err, "cannot find the overrides");
		return NULL;
	}
	return xasprintf("%s/overrides", data);
}

char *bento_override_path(const char *app_id, bento_error **err)
{
	if (bento_app_id_check(app_id, err) < 0)
		return NULL;
	autofree char *dir = overrides_dir(err);
	return dir ? xasprintf("%s/%s", dir, app_id) : NULL;
}

int bento_override_load(const char *app_id, bento_permissions *layer, bento_error **err)
{
	autofree char *path = bento_override_path(app_id, err);
	if (path == NULL)
		return -1;
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_read_file_if_present(path, OVERRIDE_MAX, &data, &len, err);
	if (found <= 0)
		return found;
	bento_metadata md;
	if (bento_metadata_parse(path, data, len, &md, err) < 0)
		return -1;
	/* An override changes permissions only; [Application] means nothing here. */
	bento_permissions_merge(layer, &md.permissions);
	bento_metadata_clear(&md);
	return 0;
}

int bento_override_save(const char *app_id, const bento_permissions *layer, bento_error **err)
{
	if (bento_permissions_empty(layer))
		return bento_override_reset(app_id, err);
	autofree char *dir = overrides_dir(err);
	autofree char *path = bento_override_path(app_id, err);
	if (dir == NULL || path == NULL || bento_mkdir_p(dir, 0755, err) < 0)
		return -1;
	autofree char *text = bento_permissions_to_keyfile(layer);
	return bento_replace_file(path, text, 0644, err);
}

int bento_override_reset(const char *app_id, bento_error **err)
{
	autofree char *path = bento_override_path(app_id, err);
	if (path == NULL)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return bento_error_errno(err, "cannot remove %s", path);
	return 0;
}
