/* SPDX-License-Identifier: MIT */
/* The files bento-builder writes (the single file, its .zsync, a file signed
 * in place) appear whole or not at all: each is written to a temporary file
 * next to the file it will replace (.NAME.XXXXXX, so that rename() is
 * atomic), given its mode, made durable and renamed into place.  One not
 * committed is removed, also when the program is killed by SIGINT, SIGTERM
 * or SIGHUP once bento_outfile_watch_signals() ran.  At most two may be
 * pending at once.
 *
 * The directory of the output is created when missing (mode 0755 less the
 * umask), one element at a time: an element that exists is used as it is,
 * a symbolic link that leads to a directory included (a path the user
 * named), but nothing is created through a link (one that leads nowhere is
 * refused) and a directory just created is opened without following links.
 * The temporary file is made, and renamed, in the directory opened then: a
 * link put in the path while the build runs cannot send the file elsewhere. */
#ifndef BENTO_BUILDER_OUTFILE_H
#define BENTO_BUILDER_OUTFILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"

typedef struct bento_outfile {
	char *path; /* NULL once renamed into place */
	int fd;
	int dir_fd;     /* the output's directory (0 in a zeroed struct: see dir_open) */
	bool dir_open;  /* dir_fd is ours */
	char *tmp_name; /* the temporary file's name in it */
} bento_outfile;

void bento_outfile_watch_signals(void);
int bento_outfile_create(const char *output, bento_outfile *t, bento_error **err);
/* Gives the file its mode, makes it durable and renames it to output. */
int bento_outfile_commit(bento_outfile *t, const char *output, mode_t mode, bento_error **err);
void bento_outfile_clear(bento_outfile *t);
#define auto_bento_outfile __attribute__((cleanup(bento_outfile_clear))) bento_outfile

/* Opens (creating what is missing, as described above) the directory
 * output goes to; what names output in messages ("-o FILE"). */
int bento_outfile_open_dir(const char *output, bento_error **err);

/* The directory part of path, with its trailing slash: "dir/" or "./" (newly
 * allocated): where the temporary file of path goes. */
char *bento_outfile_dir(const char *path);

#endif
