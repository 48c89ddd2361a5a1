/* SPDX-License-Identifier: MIT */
#include "update/updinfo.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

int bento_updinfo_read(bento_image *img, bento_updinfo *out, bento_error **err)
{
	autofree char *text = NULL;
	size_t len;
	*out = (bento_updinfo){0};
	if (bento_image_read_section(img, ".upd_info", &text, &len, err) < 0)
		return -1;
	if (text == NULL || len == 0)
		return 0;
	if (bento_updinfo_parse(text, img->path, out, err) < 0)
		return -1;
	return 1;
}

int bento_updinfo_control_url(const bento_updinfo *u, char **url, bento_error **err)
{
	if (u->kind == BENTO_UPDINFO_PLING)
		return bento_error_set(err, ENOTSUP,
		                       "update information \"%s\": the pling-v1-zsync transport "
		                       "(Pling/OpenDesktop) is not supported by bento: download "
		                       "the new version from the store's page",
		                       u->text);
	if (u->kind == BENTO_UPDINFO_ZSYNC) {
		*url = xstrdup(u->url);
		return 0;
	}
	return bento_github_control_url(u, url, err);
}
