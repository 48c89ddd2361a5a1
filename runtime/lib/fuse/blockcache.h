/* SPDX-License-Identifier: MIT */
/* Decompressed data and fragment blocks of an image, shared by the serving
 * threads, and a read-ahead thread that fills it ahead of sequential reads.
 *
 * libsquashfuse keeps its block caches in its handle and they are not
 * thread-safe: with a handle per thread, every thread decompressed the same
 * fragment blocks again (a fragment holds the tails of many small files,
 * read one after the other by different threads).  Here a block is
 * decompressed once, by whichever thread needs it first; the others wait for
 * it.  The cache reads the image with pread() and decompresses with the
 * image's decompressor; it never touches libsquashfuse's handle, so no lock
 * on that handle is held while a block is decompressed. */
#ifndef BENTO_BLOCKCACHE_H
#define BENTO_BLOCKCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

typedef struct bento_blockcache bento_blockcache;

/* A decompressed block: len bytes at data.  Valid until released. */
typedef struct bento_block {
	const char *data;
	size_t len;
} bento_block;

/* A cache of about budget bytes of blocks of img (at least 8 blocks, at most
 * 256).  The read-ahead thread is called "bento-readahead".
 * The image's block size must already have been checked (image.c). */
bento_blockcache *bento_blockcache_new(bento_image *img, size_t budget);
/* Stops the read-ahead thread (if it was started), once it has finished
 * the job it is on; later prefetches do nothing.  May be called more than
 * once, from any thread. */
void bento_blockcache_stop(bento_blockcache *cache);
/* Stops the read-ahead thread and frees everything; no block may still be
 * held. */
void bento_blockcache_free(bento_blockcache *cache);

/* The block that starts at pos (from the start of the SquashFS part) with
 * the data header hdr (its stored size and whether it is compressed), read
 * and decompressed unless it is cached or being read by another thread.
 * Returns 0 and a held block, or -errno (EIO for a corrupt block). */
int bento_blockcache_get(bento_blockcache *cache, uint64_t pos, uint32_t hdr,
                         const bento_block **out);
void bento_blockcache_release(bento_blockcache *cache, const bento_block *block);

/* Something the read-ahead thread does with a block once it has it:
 * run(ctx, block, arg) with the block held.  It may block (on the kernel, say)
 * but must not wait for the read-ahead thread itself. */
typedef struct bento_block_task {
	void (*run)(void *ctx, const bento_block *block, const uint64_t arg[4]);
	void *ctx;
	uint64_t arg[4];
} bento_block_task;

/* Asks the read-ahead thread (started at the first call) to have that block
 * ready and, with a task, to run it on the block.  Without a task it does
 * nothing if the block is cached or queued; with or without, nothing if the
 * queue is full. */
void bento_blockcache_prefetch(bento_blockcache *cache, uint64_t pos, uint32_t hdr,
                               const bento_block_task *then);

#endif
