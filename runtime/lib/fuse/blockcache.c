/* SPDX-License-Identifier: MIT */
#include "fuse/blockcache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

#define MIN_SLOTS 8
#define MAX_SLOTS 256
/* Blocks the read-ahead thread may have waiting to be read. */
#define QUEUE_LEN 32
/* While blocks are read from the image in its order, the kernel is asked to
 * read this much of the image ahead (the device's own read-ahead, often
 * 128 KiB, keeps a cold disk idle between requests). */
#define ADVISE_WINDOW (2u << 20)
/* How far a block may start from where the last one ended for the reads to
 * count as in the image's order (threads finish out of order). */
#define NEAR (1u << 20)

typedef struct slot {
	bento_block block; /* first: a held bento_block is its slot */
	char *buf;         /* block_size bytes, allocated at the first use */
	uint64_t pos;
	uint32_t hdr;
	unsigned refs;
	bool loading;  /* a thread is reading it (pos and hdr are set) */
	bool valid;    /* it holds the block at pos */
	bool own;      /* not in the table: freed when released */
	uint64_t used; /* the clock at its last use, for LRU eviction */
} slot;

typedef struct job {
	uint64_t pos;
	uint32_t hdr;
	bento_block_task task; /* task.run NULL: only read the block ahead */
} job;

struct bento_blockcache {
	int fd;
	uint64_t offset; /* of the SquashFS part in the file */
	size_t block_size;
	sqfs_decompressor decompress;

	pthread_mutex_t lock;
	pthread_cond_t loaded; /* a slot stopped loading */
	pthread_cond_t queued; /* a job was queued, or stop */
	slot *slots;
	size_t nslots;
	uint64_t clock;
	uint64_t last_end;    /* in the file: of the block read last */
	uint64_t advised_end; /* in the file: read ahead up to there */
	/* Buffers for compressed blocks, kept for the next reader. */
	char **spare;
	size_t nspare, spare_cap;

	job queue[QUEUE_LEN];
	size_t queue_head, queue_len;
	pthread_t reader;
	bool reader_started, reader_joined, stop;
};

bento_blockcache *bento_blockcache_new(bento_image *img, size_t budget)
{
	bento_blockcache *cache = xcalloc(1, sizeof(*cache));
	cache->fd = img->fd;
	cache->offset = img->offset;
	cache->block_size = img->fs.sb.block_size;
	cache->decompress = img->fs.decompressor;
	/* Slots are searched one by one: few enough for that to stay cheap. */
	cache->nslots = budget / cache->block_size;
	if (cache->nslots < MIN_SLOTS)
		cache->nslots = MIN_SLOTS;
	if (cache->nslots > MAX_SLOTS)
		cache->nslots = MAX_SLOTS;
	cache->slots = xcalloc(cache->nslots, sizeof(slot));
	pthread_mutex_init(&cache->lock, NULL);
	pthread_cond_init(&cache->loaded, NULL);
	pthread_cond_init(&cache->queued, NULL);
	return cache;
}

void bento_blockcache_stop(bento_blockcache *cache)
{
	pthread_mutex_lock(&cache->lock);
	cache->stop = true;
	pthread_cond_broadcast(&cache->queued);
	bool join = cache->reader_started && !cache->reader_joined;
	cache->reader_joined = true;
	pthread_mutex_unlock(&cache->lock);
	if (join)
		pthread_join(cache->reader, NULL);
}

void bento_blockcache_free(bento_blockcache *cache)
{
	bento_blockcache_stop(cache);
	for (size_t i = 0; i < cache->nslots; i++)
		free(cache->slots[i].buf);
	for (size_t i = 0; i < cache->nspare; i++)
		free(cache->spare[i]);
	free(cache->spare);
	free(cache->slots);
	pthread_cond_destroy(&cache->queued);
	pthread_cond_destroy(&cache->loaded);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

/* With the lock held: the slot that holds or is loading the block. */
static slot *find(bento_blockcache *cache, uint64_t pos, uint32_t hdr)
{
	for (size_t i = 0; i < cache->nslots; i++) {
		slot *s = &cache->slots[i];
		if ((s->valid || s->loading) && s->pos == pos && s->hdr == hdr)
			return s;
	}
	return NULL;
}

/* With the lock held: the least recently used slot that nobody holds. */
static slot *victim(bento_blockcache *cache)
{
	slot *best = NULL;
	for (size_t i = 0; i < cache->nslots; i++) {
		slot *s = &cache->slots[i];
		if (s->refs == 0 && !s->loading && (best == NULL || s->used < best->used))
			best = s;
	}
	return best;
}

/* Asks the kernel to read the image ahead of [start, end) when reads follow
 * the image's order. */
static void advise(bento_blockcache *cache, uint64_t start, uint64_t end)
{
	uint64_t from = 0, to = 0;
	pthread_mutex_lock(&cache->lock);
	bool in_order = start + NEAR >= cache->last_end && start <= cache->last_end + NEAR;
	cache->last_end = end;
	if (in_order && end + ADVISE_WINDOW / 2 > cache->advised_end) {
		from = cache->advised_end > end && cache->advised_end < end + ADVISE_WINDOW
		           ? cache->advised_end
		           : end;
		to = cache->advised_end = end + ADVISE_WINDOW;
	}
	pthread_mutex_unlock(&cache->lock);
	if (to > from)
		posix_fadvise(cache->fd, (off_t)from, (off_t)(to - from), POSIX_FADV_WILLNEED);
}

/* Reads and decompresses the block into s->buf, without the lock.  The
 * header's size is the image's word: it must fit in a block, and the block
 * must decompress to at most a block. */
static int load(bento_blockcache *cache, slot *s)
{
	bool compressed;
	uint32_t stored;
	sqfs_data_header(s->hdr, &compressed, &stored);
	if (stored == 0 || stored > cache->block_size || s->pos > UINT64_MAX - cache->offset)
		return -EIO;
	if (s->buf == NULL)
		s->buf = xmalloc(cache->block_size);
	char *in = s->buf;
	if (compressed) {
		pthread_mutex_lock(&cache->lock);
		in = cache->nspare > 0 ? cache->spare[--cache->nspare] : NULL;
		pthread_mutex_unlock(&cache->lock);
		if (in == NULL)
			in = xmalloc(cache->block_size);
	}
	int r = 0;
	advise(cache, cache->offset + s->pos, cache->offset + s->pos + stored);
	ssize_t n = pread(cache->fd, in, stored, (off_t)(cache->offset + s->pos));
	if (n != (ssize_t)stored) {
		r = n < 0 ? -errno : -EIO;
	} else if (compressed) {
		size_t out = cache->block_size;
		if (cache->decompress(in, stored, s->buf, &out) != SQFS_OK)
			r = -EIO;
		s->block.len = out;
	} else {
		s->block.len = stored;
	}
	s->block.data = s->buf;
	if (compressed) {
		pthread_mutex_lock(&cache->lock);
		if (cache->nspare == cache->spare_cap) {
			cache->spare_cap = cache->spare_cap ? 2 * cache->spare_cap : 4;
			char **bigger = realloc(cache->spare, cache->spare_cap * sizeof(char *));
			if (bigger == NULL)
				abort();
			cache->spare = bigger;
		}
		cache->spare[cache->nspare++] = in;
		pthread_mutex_unlock(&cache->lock);
	}
	return r;
}

/* With the lock held: marks s loaded (or empty, on failure) and wakes the
 * threads waiting for it. */
static void loaded(bento_blockcache *cache, slot *s, int r)
{
	s->loading = false;
	s->valid = r == 0;
	pthread_cond_broadcast(&cache->loaded);
}

int bento_blockcache_get(bento_blockcache *cache, uint64_t pos, uint32_t hdr,
                         const bento_block **out)
{
	pthread_mutex_lock(&cache->lock);
	slot *s;
	while ((s = find(cache, pos, hdr)) != NULL && s->loading)
		pthread_cond_wait(&cache->loaded, &cache->lock);
	if (s != NULL) {
		s->refs++;
		s->used = ++cache->clock;
		pthread_mutex_unlock(&cache->lock);
		*out = &s->block;
		return 0;
	}
	s = victim(cache);
	if (s != NULL) {
		s->valid = false;
		s->loading = true;
		s->pos = pos;
		s->hdr = hdr;
		s->refs = 1;
		s->used = ++cache->clock;
	}
	pthread_mutex_unlock(&cache->lock);
	if (s == NULL) {
		/* Every slot is held: a block of the caller's own. */
		s = xcalloc(1, sizeof(*s));
		s->own = true;
		s->pos = pos;
		s->hdr = hdr;
		s->refs = 1;
		int r = load(cache, s);
		if (r < 0) {
			free(s->buf);
			free(s);
			return r;
		}
		*out = &s->block;
		return 0;
	}
	int r = load(cache, s);
	pthread_mutex_lock(&cache->lock);
	loaded(cache, s, r);
	if (r < 0)
		s->refs = 0;
	pthread_mutex_unlock(&cache->lock);
	if (r < 0)
		return r;
	*out = &s->block;
	return 0;
}

void bento_blockcache_release(bento_blockcache *cache, const bento_block *block)
{
	slot *s = (slot *)block;
	if (s->own) {
		free(s->buf);
		free(s);
		return;
	}
	pthread_mutex_lock(&cache->lock);
	s->refs--;
	pthread_mutex_unlock(&cache->lock);
}

/* The read-ahead thread: reads queued blocks into free slots. */
static void *reader_main(void *arg)
{
	bento_blockcache *cache = arg;
	/* Named, so that one can tell it at work (tests/serve looks for it). */
	pthread_setname_np(pthread_self(), "bento-readahead");
	pthread_mutex_lock(&cache->lock);
	for (;;) {
		while (cache->queue_len == 0 && !cache->stop)
			pthread_cond_wait(&cache->queued, &cache->lock);
		if (cache->stop)
			break;
		job j = cache->queue[cache->queue_head];
		cache->queue_head = (cache->queue_head + 1) % QUEUE_LEN;
		cache->queue_len--;
		if (j.task.run != NULL) {
			pthread_mutex_unlock(&cache->lock);
			const bento_block *b;
			if (bento_blockcache_get(cache, j.pos, j.hdr, &b) == 0) {
				j.task.run(j.task.ctx, b, j.task.arg);
				bento_blockcache_release(cache, b);
			}
			pthread_mutex_lock(&cache->lock);
			continue;
		}
		slot *s;
		if (find(cache, j.pos, j.hdr) != NULL || (s = victim(cache)) == NULL)
			continue;
		s->valid = false;
		s->loading = true;
		s->pos = j.pos;
		s->hdr = j.hdr;
		s->used = ++cache->clock;
		pthread_mutex_unlock(&cache->lock);
		int r = load(cache, s);
		pthread_mutex_lock(&cache->lock);
		loaded(cache, s, r);
	}
	pthread_mutex_unlock(&cache->lock);
	return NULL;
}

void bento_blockcache_prefetch(bento_blockcache *cache, uint64_t pos, uint32_t hdr,
                               const bento_block_task *then)
{
	pthread_mutex_lock(&cache->lock);
	bool wanted = !cache->stop && cache->queue_len < QUEUE_LEN &&
	              (then != NULL || find(cache, pos, hdr) == NULL);
	for (size_t i = 0; wanted && then == NULL && i < cache->queue_len; i++) {
		const job *j = &cache->queue[(cache->queue_head + i) % QUEUE_LEN];
		wanted = j->pos != pos || j->hdr != hdr;
	}
	if (wanted && !cache->reader_started) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1 << 20);
		/* Without the thread, nothing is read ahead: only slower. */
		cache->reader_started =
		    pthread_create(&cache->reader, &attr, reader_main, cache) == 0;
		pthread_attr_destroy(&attr);
		wanted = cache->reader_started;
	}
	if (wanted) {
		cache->queue[(cache->queue_head + cache->queue_len) % QUEUE_LEN] =
		    (job){.pos = pos, .hdr = hdr, .task = then ? *then : (bento_block_task){0}};
		cache->queue_len++;
		pthread_cond_signal(&cache->queued);
	}
	pthread_mutex_unlock(&cache->lock);
}
