/* SPDX-License-Identifier: MIT */
#include "update/probe.h"

#include <errno.h>
#include <strings.h>

#include "core/util.h"

void bento_update_probe_clear(bento_update_probe *p)
{
	bento_updinfo_clear(&p->info);
	free(p->control_url);
	if (p->control)
		bento_zsync_control_free(p->control);
	*p = (bento_update_probe){0};
}

int bento_update_probe_run(bento_image *img, int fd, bento_update_probe *p, bento_error **err)
{
	*p = (bento_update_probe){0};
	int found = bento_updinfo_read(img, &p->info, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return bento_error_set(err, ENOENT,
		                       "%s: has no update information: its publisher did not say "
		                       "where its updates are",
		                       img->path);
	if (bento_updinfo_control_url(&p->info, &p->control_url, err) < 0 ||
	    bento_zsync_control_fetch(p->control_url, NULL, &p->control, err) < 0 ||
	    bento_zsync_sha1_of_fd(fd, p->sha1, err) < 0)
		return -1;
	p->available = strcasecmp(p->sha1, bento_zsync_control_sha1_hex(p->control)) != 0;
	return 1;
}
