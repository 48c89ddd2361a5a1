/* SPDX-License-Identifier: MIT */
#include "image/decompress.h"

#include <pthread.h>
#include <zstd.h>

/* libsquashfuse decompresses each zstd block with ZSTD_decompress(), which
 * creates and frees a decompression context (about 100 KiB) every time: a
 * malloc, fresh pages and their faults per block.  A context per thread,
 * kept for the life of the thread, does the same work without that. */
static _Thread_local ZSTD_DCtx *thread_dctx;
/* Frees a thread's context when the thread ends. */
static pthread_key_t dctx_key;
static pthread_once_t dctx_key_once = PTHREAD_ONCE_INIT;

static void free_dctx(void *dctx)
{
	ZSTD_freeDCtx(dctx);
}

static void create_dctx_key(void)
{
	pthread_key_create(&dctx_key, free_dctx);
}

static ZSTD_DCtx *dctx_of_thread(void)
{
	if (thread_dctx == NULL) {
		thread_dctx = ZSTD_createDCtx();
		pthread_once(&dctx_key_once, create_dctx_key);
		pthread_setspecific(dctx_key, thread_dctx);
	}
	return thread_dctx;
}

static sqfs_err zstd_decompress_reusing(void *in, size_t insz, void *out, size_t *outsz)
{
	ZSTD_DCtx *dctx = dctx_of_thread();
	if (dctx == NULL)
		return SQFS_ERR;
	size_t n = ZSTD_decompressDCtx(dctx, out, *outsz, in, insz);
	if (ZSTD_isError(n))
		return SQFS_ERR;
	*outsz = n;
	return SQFS_OK;
}

void bento_decompress_tune(sqfs *fs)
{
	if (sqfs_compression(fs) == ZSTD_COMPRESSION)
		fs->decompressor = zstd_decompress_reusing;
}
