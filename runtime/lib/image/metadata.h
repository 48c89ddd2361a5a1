/* SPDX-License-Identifier: MIT */
/* The application description of an image: its .bento/metadata, or for an
 * image without one (a plain AppImage) an app id derived from it. */
#ifndef BENTO_IMAGE_METADATA_H
#define BENTO_IMAGE_METADATA_H

#include "core/error.h"
#include "image/image.h"
#include "permissions/permissions.h"

/* Reads and checks .bento/metadata (bento_metadata_parse; messages name
 * "FILE:.bento/metadata:LINE").  The file must name the app id
 * ([Application] name).  Without the file, out->present is false, the
 * permissions are empty and the app id is derived:
 *   - from the top-level desktop file's name when it is a valid app id
 *     (org.foo.Bar.desktop -> org.foo.Bar);
 *   - else "appimage.local." followed by that name without ".desktop" (or,
 *     without a desktop file, the image file's name without ".AppImage"), each
 *     character other than letters, digits, '_' and '-' made '_' (hello.desktop
 *     -> appimage.local.hello, My App-1.2.AppImage -> appimage.local.My_App-1_2).
 * An image's metadata may let its app own only the bus names its id covers
 * (bento_bus_own_problem).
 * Errors carry status BENTO_EXIT_RUNTIME. */
int bento_image_load_metadata(bento_image *img, bento_metadata *out, bento_error **err);

/* The checks above of a .bento/metadata text (name names it in messages),
 * for a tree that is no image: an installed app's deployment. */
int bento_metadata_load(const char *name, const char *data, size_t len, bento_metadata *out,
                        bento_error **err);
/* The same of DIR/.bento/metadata, which must exist (a deployment's). */
int bento_dir_load_metadata(const char *dir, bento_metadata *out, bento_error **err);

/* The name of the first regular-looking "*.desktop" entry at the top of the
 * image (in directory order), or NULL. */
char *bento_image_desktop_file(bento_image *img);

#endif
