/* SPDX-License-Identifier: MIT */
/* The files bento-builder writes (the single file, its .zsync, a file signed
 * in place) appear whole or not at all: each is written to a temporary file
 * next to the file it will replace (.NAME.XXXXXX, so that rename() is
 * atomic), given its mode, made durable and renamed into place.  One not
 * committed is removed, also when the program is killed by SIGINT, SIGTERM
 * or SIGHUP once bento_outfile_watch_signals() ran.  At most two may be
 * pending at once. */
#ifndef BENTO_BUILDER_OUTFILE_H
#define BENTO_BUILDER_OUTFILE_H

#include <sys/types.h>

#include "core/error.h"

typedef struct bento_outfile {
	char *path; /* NULL once renamed into place */
	int fd;
} bento_outfile;

void bento_outfile_watch_signals(void);
int bento_outfile_create(const char *output, bento_outfile *t, bento_error **err);
/* Gives the file its mode, makes it durable and renames it to output. */
int bento_outfile_commit(bento_outfile *t, const char *output, mode_t mode, bento_error **err);
void bento_outfile_clear(bento_outfile *t);
#define auto_bento_outfile __attribute__((cleanup(bento_outfile_clear))) bento_outfile

/* The directory part of path, with its trailing slash: "dir/" or "./" (newly
 * allocated): where the temporary file of path goes. */
char *bento_outfile_dir(const char *path);

#endif
