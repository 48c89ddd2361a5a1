/* SPDX-License-Identifier: MIT */
/* An AppImage-style file opened for reading: the runtime's ELF part, where the
 * SquashFS payload starts, and the payload itself through libsquashfuse. */
#ifndef BENTO_IMAGE_H
#define BENTO_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/error.h"
#include "image/sqfs.h"

typedef struct bento_image {
	char *path; /* as the user named it, for messages */
	int fd;
	struct stat st;
	uint64_t offset; /* payload offset */
	struct squashfs_super_block sb;
	sqfs fs;
	bool fs_ready;
} bento_image;

/* Opens and validates an image.  Errors carry status BENTO_EXIT_RUNTIME and
 * a message that starts with the path. */
int bento_image_open(const char *path, bento_image **out, bento_error **err);
void bento_image_free(bento_image *img);
static inline void bento_image_freep(bento_image **img)
{
	if (*img)
		bento_image_free(*img);
}
#define auto_bento_image __attribute__((cleanup(bento_image_freep))) bento_image *

/* Frees what sqfs_init() allocated (all of it, unlike sqfs_destroy()). */
void bento_sqfs_destroy(sqfs *fs);

const char *bento_image_compression_name(const bento_image *img);

/* Reads a regular file of the image (following no symlinks) into a
 * NUL-terminated buffer of at most max bytes.  Returns 1 if read, 0 if there
 * is no such regular file. */
int bento_image_read_file(bento_image *img, const char *path, size_t max, char **data, size_t *len,
                          bento_error **err);

/* Reads an ELF section of the runtime part as a NUL-terminated string (the
 * section is NUL-padded); *data is NULL when the section is absent. */
int bento_image_read_section(bento_image *img, const char *name, char **data, size_t *len,
                             bento_error **err);

/* A short string that changes whenever the file's contents may have changed
 * (device, inode, size, modification and change times): the key of
 * extraction caches. */
char *bento_image_identity(const bento_image *img);

#endif
