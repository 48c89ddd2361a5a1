/* SPDX-License-Identifier: MIT */
/* `bento-builder pack APPDIR -o FILE`: checks an AppDir, packs it into a
 * SquashFS image behind the runtime stub and writes the single file atomically. */
#ifndef BENTO_BUILDER_PACK_H
#define BENTO_BUILDER_PACK_H

#include <stdio.h>
#include <sys/types.h>

#include "core/error.h"

/* argv[0] is the verb itself.  Returns the exit status: 0, 1 on failure,
 * 2 on a usage error. */
int bento_builder_pack(int argc, char **argv);

void bento_builder_pack_usage(FILE *out);

/* A temporary file next to the file it will replace (.NAME.XXXXXX, so that
 * rename() is atomic), removed unless committed, also when the program is
 * killed by SIGINT, SIGTERM or SIGHUP once bento_watch_signals() ran.  At
 * most two may be pending at once. */
typedef struct bento_tmp_output {
	char *path; /* NULL once renamed into place */
	int fd;
} bento_tmp_output;

void bento_watch_signals(void);
int bento_tmp_create(const char *output, bento_tmp_output *t, bento_error **err);
/* Gives the file its mode, makes it durable and renames it to output. */
int bento_tmp_commit(bento_tmp_output *t, const char *output, mode_t mode, bento_error **err);
void bento_tmp_clear(bento_tmp_output *t);

/* Writes the zsync control file of the file open as fd into a temporary
 * file zs for OUTPUT.zsync (the caller commits it).  Its MTime is
 * SOURCE_DATE_EPOCH when set, else the file's. */
int bento_pack_zsync(int fd, const char *output, bento_tmp_output *zs, bento_error **err);

#endif
