/* SPDX-License-Identifier: MIT */
/* The AppDir's desktop integration: AppRun, the desktop entry ID.desktop and
 * the icon at the top level with .DirIcon, the AppStream metainfo
 * share/metainfo/ID.metainfo.xml and .bento/metadata.  Given files are
 * installed, missing ones generated from the manifest's fields; the desktop
 * entry is validated with desktop-file-validate and the metainfo with
 * `appstreamcli validate --no-net`: their errors fail, their warnings are
 * reported. */
#ifndef BENTO_BUILDER_DESKTOP_H
#define BENTO_BUILDER_DESKTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "permissions/permissions.h" /* bento_env_var */

typedef struct bento_desktop_info {
	const char *id;           /* the app id, e.g. org.example.Viewer (required) */
	const char *name;         /* the app's name (required) */
	const char *summary;      /* one line: Comment= and <summary> (required to generate
	                           * the metainfo) */
	const char *license;      /* SPDX expression: <project_license>, or NULL */
	const char *version;      /* <release version=...>, or NULL */
	const char *release_date; /* its date, YYYY-MM-DD (no <releases> without both) */
	const char *command;      /* the command: bin/foo or /app/bin/foo (required) */
	const char *icon;         /* an icon file, PNG or SVG; NULL for a terminal app:
	                           * a generic terminal icon is generated */
	const char *desktop;      /* a desktop entry to install, or NULL to generate one */
	const char *metainfo;     /* a metainfo file to install, or NULL to generate one */
	/* Whether icon, desktop, metainfo are paths relative to the AppDir (the
	 * manifest's /app/PATH): opened beneath it, never through a ".." or a
	 * symbolic link that leaves it. */
	bool icon_in_appdir, desktop_in_appdir, metainfo_in_appdir;
	const char *categories;        /* Categories= of a generated entry (default "Utility;") */
	bool terminal;                 /* Terminal= of a generated entry */
	const char *const *keywords;   /* Keywords= of a generated entry, or NULL */
	const char *const *mime_types; /* MimeType= of a generated entry (Exec= then takes
	                                * %F), or NULL */
	/* More commands by name (NAME -> path relative to the AppDir), written
	 * to .bento/metadata's [Commands] group; command is the default. */
	const bento_env_var *commands;
	size_t n_commands;
	/* .bento/metadata: the permission groups ([Context] ...) to write after
	 * the [Application] group, "" for none; NULL writes no metadata. */
	const char *permissions;
} bento_desktop_info;

/* Installs and validates every file; on failure the files it wrote that
 * failed validation are removed.  Warnings go to log (may be NULL). */
int bento_desktop_install(const char *appdir, const bento_desktop_info *info, FILE *log,
                          bento_error **err);

/* Runs desktop-file-validate on path: 0 when it reports no error. */
int bento_desktop_validate_entry(const char *path, FILE *log, bento_error **err);

/* Runs `appstreamcli validate --no-net` on path: 0 when it reports no error
 * (warnings and hints are printed on log). */
int bento_desktop_validate_metainfo(const char *path, FILE *log, bento_error **err);

/* The same for each .xml file in APPDIR/share/metainfo, up to the first
 * that has an error. */
int bento_desktop_validate_metainfo_dir(const char *appdir, FILE *log, bento_error **err);

#endif
