/* SPDX-License-Identifier: MIT */
/* Finishing an AppDir after its libraries are bundled, so that what it
 * carries works without the publisher knowing the toolkits' internals (as
 * flatpak-builder's finish and linuxdeploy's GTK plugin do):
 *
 *   - Python: the modules below lib/python3.N and lib/python3 are
 *     byte-compiled (unchecked-hash .pyc files: no time stamps, so the same
 *     sources give the same bytes; a read-only image could not cache them at
 *     run time), by the image's own bin/python3.N, or else the host's
 *     /usr/bin/python3.N of the same version, or not at all;
 *   - GSettings: share/glib-2.0/schemas compiled (glib-compile-schemas);
 *   - gdk-pixbuf: the loaders the AppDir carries listed in a loaders.cache
 *     that names them at /app (gdk-pixbuf-query-loaders);
 *   - GIO: the AppDir's gio/modules listed (gio-querymodules);
 *   - GTK 3: the input method modules' cache (gtk-query-immodules-3.0);
 *   - icon themes below share/icons cached (gtk-update-icon-cache), and
 *     share/mime's database built (update-mime-database);
 * and the variables that make the app's GLib and GTK read those files, not
 * the host's (GSETTINGS_SCHEMA_DIR, GDK_PIXBUF_MODULE_FILE, GIO_MODULE_DIR,
 * GTK_PATH, GTK_IM_MODULE_FILE), are returned for the image's
 * [Environment].  A step runs only when the AppDir holds what it works on;
 * the tools are the image's own where it has them, else the host's.
 *
 * Every tool runs through run (as bento_bundle_options.run_patchelf: in a
 * sandbox with the AppDir, writable, at /app and the host's /usr). */
#ifndef BENTO_BUILDER_FINISH_H
#define BENTO_BUILDER_FINISH_H

#include <stdbool.h>
#include <stdio.h>

#include "appdir/bundle.h"
#include "core/error.h"
#include "core/util.h"

typedef struct bento_finish_options {
	bool python_compile; /* byte-compile Python modules */
	FILE *log;           /* what each step did; NULL: nowhere */
	bento_bundle_run_fn run;
	void *run_data;
} bento_finish_options;

/* Runs the steps on appdir; adds "NAME=VALUE" items to env. */
int bento_appdir_finish(const char *appdir, const bento_finish_options *o, bento_strv *env,
                        bento_error **err);

/* Warns (bento_warn, a bounded list) about what will be the host's at run
 * time because the image does not hold it: a script's #! interpreter under
 * /usr or /bin, and /usr/X paths named by the AppDir's ELF files and scripts
 * whose /app/X is missing while the image does carry the directory above
 * it (the app's own area: a missing file there is most likely a mistake). */
void bento_appdir_warn_host_paths(const char *appdir);

#endif
