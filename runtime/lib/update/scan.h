/* SPDX-License-Identifier: MIT */
/* Finding the new file's blocks in seed files: zsync's rolling checksum at
 * every byte offset, confirmed by MD4, each block found written at once into
 * the output file.  A large seed is scanned by two threads, one half each. */
#ifndef BENTO_UPDATE_SCAN_H
#define BENTO_UPDATE_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "update/control.h"

typedef struct zsync_scan zsync_scan;

/* The index of the control file's blocks (c must outlive it). */
zsync_scan *zsync_scan_new(const bento_zsync_control *c);
void zsync_scan_free(zsync_scan *s);

/* Scans the seed fd (size bytes, name for messages), writing every block
 * not yet had into out_fd; adds the bytes it supplied to *found. */
int zsync_scan_seed(zsync_scan *s, int fd, uint64_t size, const char *name, int out_fd,
                    uint64_t *found, bento_error **err);

/* Whether a block of the new file is in the output file already; marking
 * one says so after a download. */
bool zsync_scan_have(const zsync_scan *s, uint64_t block);
void zsync_scan_mark(zsync_scan *s, uint64_t block);

#endif
