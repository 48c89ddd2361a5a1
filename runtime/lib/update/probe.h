/* SPDX-License-Identifier: MIT */
/* Whether a file has an update: its update information, the control file it
 * leads to, and the file's SHA-1 against the control file's.  Shared by
 * `bento update` (and its --check) and `bento info --check-update`. */
#ifndef BENTO_UPDATE_PROBE_H
#define BENTO_UPDATE_PROBE_H

#include <stdbool.h>

#include "core/error.h"
#include "image/image.h"
#include "update/updinfo.h"
#include "update/zsync.h"

typedef struct bento_update_probe {
	bento_updinfo info;
	char *control_url;
	bento_zsync_control *control;
	char sha1[41]; /* of the file */
	bool available;
} bento_update_probe;

/* For the image img whose bytes fd reads: 1 with *p filled, or an error
 * (ENOENT when the file has no update information). */
int bento_update_probe_run(bento_image *img, int fd, bento_update_probe *p, bento_error **err);
void bento_update_probe_clear(bento_update_probe *p);

#endif
