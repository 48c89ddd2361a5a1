/* SPDX-License-Identifier: MIT */
/* The scan keeps zsync's semantics: with seq_matches 2 a block counts only
 * when the block after it matches too (both rolling checksums form the hash
 * key, both MD4s are compared), except right after a match, where the next
 * block alone is enough; the seed is read as if followed by zeros, as the
 * last block of the new file is padded with zeros.
 *
 * Identical blocks of the new file (runs of zeros, repeated data) form one
 * group: found once, written everywhere, and looked at no more.  A bitmap in
 * front of the hash table rejects almost every offset with one memory read,
 * so the scan runs at the speed of reading the seed: the rolling checksums
 * of a span of offsets are computed first (rsum.c), then tested against the
 * bitmap, both in SIMD lanes; the block after a match is tried first, and a
 * run of matches is checked RUN_BATCH blocks at a time, their MD4s in SIMD
 * lanes too (md4.c). */
#include "update/scan.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "update/md4.h"
#include "update/rsum.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#define NONE UINT32_MAX
enum {
	WINDOW = 1 << 20,          /* offsets scanned per read, per thread */
	THREAD_MIN_SEED = 8 << 20, /* below this one thread is enough */
	MAX_DEDUP_CHAIN = 64,      /* groups compared when building, per key */
	RUN_BATCH = 16,            /* blocks of a run of matches tried at once */
	SPAN = 2048,               /* offsets whose checksums are computed at once */
};

typedef struct group {
	uint64_t key;
	uint32_t first; /* its first block; the others follow member_next */
	uint32_t next;  /* the next group in the same bucket */
	uint8_t done;   /* set (atomically) by the thread that found it */
} group;

struct zsync_scan {
	const bento_zsync_control *c;
	group *groups;
	uint32_t n_groups;
	uint32_t done_groups;  /* atomic */
	uint32_t *group_of;    /* per block */
	uint32_t *member_next; /* per block */
	uint32_t *bucket;      /* first group per bucket */
	unsigned bucket_bits;
	uint64_t *bitmap;
	unsigned bitmap_bits;
	uint8_t *have; /* per block, atomic */
};

static inline uint64_t mix(uint64_t key)
{
	return key * UINT64_C(0x9e3779b97f4a7c15);
}

/* The bitmap's own hash of a key: 32 bits, cheap (it runs at every offset
 * of a changed region), mixing both halves into the top bits it keeps. */
static inline uint32_t filter_bit(uint32_t hi, uint32_t lo, unsigned bits)
{
	return ((hi * 0x9e3779b1u) ^ lo) * 0x85ebca77u >> (32 - bits);
}

static unsigned bits_for(uint64_t n)
{
	unsigned b = 10;
	while ((UINT64_C(1) << b) < n && b < 40)
		b++;
	return b;
}

/* The key of block id: its rolling checksum, and with seq_matches 2 the next
 * block's (a virtual block of zeros after the last, whose checksum is 0). */
static uint64_t block_key(const bento_zsync_control *c, uint64_t id)
{
	uint64_t k = (uint64_t)c->rsum[id] << 32;
	if (c->seq_matches == 2 && id + 1 < c->blocks)
		k |= c->rsum[id + 1];
	return k;
}

static const unsigned char *strong_of(const bento_zsync_control *c, uint64_t id)
{
	return c->strong + id * c->checksum_bytes;
}

static bool same_blocks(const bento_zsync_control *c, uint64_t x, uint64_t y)
{
	if (memcmp(strong_of(c, x), strong_of(c, y), c->checksum_bytes) != 0)
		return false;
	if (c->seq_matches == 1)
		return true;
	bool x_last = x + 1 == c->blocks, y_last = y + 1 == c->blocks;
	if (x_last || y_last)
		return x_last == y_last;
	return memcmp(strong_of(c, x + 1), strong_of(c, y + 1), c->checksum_bytes) == 0;
}

zsync_scan *zsync_scan_new(const bento_zsync_control *c)
{
	zsync_scan *s = xcalloc(1, sizeof(*s));
	s->c = c;
	uint64_t n = c->blocks ? c->blocks : 1;
	s->groups = xmalloc(n * sizeof(*s->groups));
	s->group_of = xmalloc(n * sizeof(*s->group_of));
	s->member_next = xmalloc(n * sizeof(*s->member_next));
	s->have = xcalloc(n, 1);
	s->bucket_bits = bits_for(n * 2);
	s->bucket = xmalloc((sizeof(*s->bucket)) << s->bucket_bits);
	memset(s->bucket, 0xff, sizeof(*s->bucket) << s->bucket_bits);
	/* 256 bits per block (under 0.4 % of the bitmap set) up to 1 MiB, which
	 * stays in a core's L2 cache, and no fewer than 64 bits per block
	 * beyond: few offsets of a changed region reach the hash table's
	 * chains, whose cache misses were a quarter of a 10 %-changed scan
	 * with 16 bits per block. */
	s->bitmap_bits = bits_for(n * 256);
	if (s->bitmap_bits > 23)
		s->bitmap_bits = bits_for(n * 64) > 23 ? bits_for(n * 64) : 23;
	if (s->bitmap_bits > 32) /* filter_bit's limit; denser is still right */
		s->bitmap_bits = 32;
	s->bitmap = xcalloc((UINT64_C(1) << s->bitmap_bits) / 64 + 1, sizeof(uint64_t));
	/* Last member of each group, so members stay in block order. */
	autofree uint32_t *last = xmalloc(n * sizeof(*last));
	for (uint64_t id = 0; id < c->blocks; id++) {
		uint64_t key = block_key(c, id);
		uint64_t h = mix(key);
		uint32_t *head = &s->bucket[h >> (64 - s->bucket_bits)];
		uint32_t g = *head;
		for (unsigned seen = 0; g != NONE && seen < MAX_DEDUP_CHAIN;
		     seen++, g = s->groups[g].next)
			if (s->groups[g].key == key && same_blocks(c, s->groups[g].first, id))
				break;
		s->member_next[id] = NONE;
		if (g != NONE && s->groups[g].key == key) {
			s->member_next[last[g]] = (uint32_t)id;
			last[g] = (uint32_t)id;
		} else {
			g = s->n_groups++;
			s->groups[g] = (group){.key = key, .first = (uint32_t)id, .next = *head};
			*head = g;
			last[g] = (uint32_t)id;
			uint32_t bit =
			    filter_bit((uint32_t)(key >> 32), (uint32_t)key, s->bitmap_bits);
			s->bitmap[bit / 64] |= UINT64_C(1) << (bit % 64);
		}
		s->group_of[id] = g;
	}
	return s;
}

void zsync_scan_free(zsync_scan *s)
{
	if (s == NULL)
		return;
	free(s->groups);
	free(s->group_of);
	free(s->member_next);
	free(s->bucket);
	free(s->bitmap);
	free(s->have);
	free(s);
}

bool zsync_scan_have(const zsync_scan *s, uint64_t block)
{
	return __atomic_load_n(&s->have[block], __ATOMIC_RELAXED) != 0;
}

void zsync_scan_mark(zsync_scan *s, uint64_t block)
{
	__atomic_store_n(&s->have[block], 1, __ATOMIC_RELAXED);
}

/* ---- one thread's part of a seed ---- */

typedef struct scanner {
	zsync_scan *s;
	int fd, out_fd;
	uint64_t size;
	uint64_t *next_window; /* shared by the threads, atomic */
	const char *name;
	uint64_t found;
	/* Blocks found one after the other, in the seed as in the new file,
	 * go out in one pwrite. */
	const unsigned char *run;
	uint64_t run_off;
	size_t run_len;
	int errnum;       /* a write or read error, reported by the caller */
	bool write_error; /* errnum is about the output, not the seed */
	/* The masked rolling checksums of the blocks at offsets [base, base +
	 * filled) of the window are sums[0 ..  filled); a, b: at base + filled. */
	uint32_t *sums;
	size_t sums_cap, base, filled;
	uint32_t a, b;
} scanner;

static bool flush(scanner *sc)
{
	size_t done = 0;
	while (done < sc->run_len) {
		ssize_t n = pwrite(sc->out_fd, sc->run + done, sc->run_len - done,
		                   (off_t)(sc->run_off + done));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			sc->errnum = n < 0 ? errno : EIO;
			sc->write_error = true;
			return false;
		}
		done += (size_t)n;
	}
	sc->run_len = 0;
	return true;
}

static bool put(scanner *sc, const unsigned char *p, uint64_t off, size_t len)
{
	if (sc->run_len > 0 && sc->run + sc->run_len == p && sc->run_off + sc->run_len == off) {
		sc->run_len += len;
		return true;
	}
	if (!flush(sc))
		return false;
	sc->run = p;
	sc->run_off = off;
	sc->run_len = len;
	return true;
}

/* Claims group g found at p and writes its blocks; false on a write error. */
static bool claim(scanner *sc, uint32_t g, const unsigned char *p)
{
	zsync_scan *s = sc->s;
	const bento_zsync_control *c = s->c;
	if (__atomic_exchange_n(&s->groups[g].done, 1, __ATOMIC_ACQ_REL))
		return true;
	__atomic_add_fetch(&s->done_groups, 1, __ATOMIC_RELAXED);
	for (uint32_t id = s->groups[g].first; id != NONE; id = s->member_next[id]) {
		uint64_t off = (uint64_t)id << c->block_shift;
		size_t len =
		    c->length - off < c->block_size ? (size_t)(c->length - off) : c->block_size;
		if (!put(sc, p, off, len))
			return false;
		zsync_scan_mark(s, id);
		sc->found += len;
	}
	return true;
}

/* The group whose blocks lie at p (key already matched the bitmap), NONE. */
static uint32_t lookup(scanner *sc, const unsigned char *p, uint64_t key)
{
	zsync_scan *s = sc->s;
	const bento_zsync_control *c = s->c;
	unsigned char md[16], md_next[16];
	bool have_md = false, have_next = false;
	for (uint32_t g = s->bucket[mix(key) >> (64 - s->bucket_bits)]; g != NONE;
	     g = s->groups[g].next) {
		const group *gr = &s->groups[g];
		if (gr->key != key || __atomic_load_n(&gr->done, __ATOMIC_RELAXED))
			continue;
		if (!have_md) {
			bento_md4(p, c->block_size, md);
			have_md = true;
		}
		if (memcmp(md, strong_of(c, gr->first), c->checksum_bytes) != 0)
			continue;
		if (c->seq_matches == 2 && gr->first + 1 < c->blocks) {
			if (!have_next) {
				bento_md4(p + c->block_size, c->block_size, md_next);
				have_next = true;
			}
			if (memcmp(md_next, strong_of(c, gr->first + 1), c->checksum_bytes) != 0)
				continue;
		}
		return g;
	}
	return NONE;
}

/* Right after a match at p - bs: how many of the blocks id, id + 1, ... of
 * the new file follow at p, p + bs, ... (at most room of them, each claimed
 * in turn); *all says whether each one tried matched, so the run may go on.
 * No rolling checksum first: inside a run the MD4 almost always matches, so
 * the blocks are tried RUN_BATCH at a time in the SIMD lanes of
 * bento_md4_blocks, and the run's end costs one batch.  Returns -1 on a
 * write error. */
static int64_t follow_run(scanner *sc, const unsigned char *p, size_t room, uint32_t id, bool *all)
{
	zsync_scan *s = sc->s;
	const bento_zsync_control *c = s->c;
	size_t m = 0;
	while (m < RUN_BATCH && m < room && id + m < c->blocks &&
	       !__atomic_load_n(&s->groups[s->group_of[id + m]].done, __ATOMIC_RELAXED))
		m++;
	*all = m > 0;
	if (m == 0)
		return 0;
	unsigned char md[RUN_BATCH][16];
	bento_md4_blocks(p, c->block_size, c->block_size, m, md);
	for (size_t k = 0; k < m; k++) {
		uint32_t g = s->group_of[id + k];
		/* A group of identical blocks may have been claimed just now. */
		if (memcmp(md[k], strong_of(c, id + k), c->checksum_bytes) != 0 ||
		    __atomic_load_n(&s->groups[g].done, __ATOMIC_RELAXED)) {
			*all = false;
			return (int64_t)k;
		}
		if (!claim(sc, g, p + k * c->block_size))
			return -1;
	}
	return (int64_t)m;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* filter_bit and the bitmap test of 16 (8) offsets at once, a gather of
 * their bitmap words (the bitmap read as 32-bit words); returns the first
 * offset let through, or where it stopped (n rounded down). */
__attribute__((target("avx512f"))) static size_t first_candidate_x16(const uint32_t *bitmap,
                                                                     unsigned bits,
                                                                     const uint32_t *sums, size_t n,
                                                                     size_t ahead)
{
	const __m512i k1 = _mm512_set1_epi32((int)0x9e3779b1u);
	const __m512i k2 = _mm512_set1_epi32((int)0x85ebca77u);
	const __m512i low5 = _mm512_set1_epi32(31), one = _mm512_set1_epi32(1);
	const __m128i shift = _mm_cvtsi32_si128((int)(32 - bits));
	size_t t = 0;
	for (; t + 16 <= n; t += 16) {
		__m512i hi = _mm512_loadu_si512(sums + t);
		__m512i lo = ahead ? _mm512_loadu_si512(sums + t + ahead) : _mm512_setzero_si512();
		__m512i h = _mm512_srl_epi32(
		    _mm512_mullo_epi32(_mm512_xor_si512(_mm512_mullo_epi32(hi, k1), lo), k2),
		    shift);
		__m512i words = _mm512_i32gather_epi32(_mm512_srli_epi32(h, 5), bitmap, 4);
		__mmask16 hit = _mm512_test_epi32_mask(
		    _mm512_srlv_epi32(words, _mm512_and_si512(h, low5)), one);
		if (hit)
			return t + (size_t)__builtin_ctz(hit);
	}
	return t;
}

__attribute__((target("avx2"))) static size_t first_candidate_x8(const uint32_t *bitmap,
                                                                 unsigned bits,
                                                                 const uint32_t *sums, size_t n,
                                                                 size_t ahead)
{
	const __m256i k1 = _mm256_set1_epi32((int)0x9e3779b1u);
	const __m256i k2 = _mm256_set1_epi32((int)0x85ebca77u);
	const __m256i low5 = _mm256_set1_epi32(31), one = _mm256_set1_epi32(1);
	const __m128i shift = _mm_cvtsi32_si128((int)(32 - bits));
	size_t t = 0;
	for (; t + 8 <= n; t += 8) {
		__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(sums + t));
		__m256i lo =
		    ahead ? _mm256_loadu_si256((const __m256i *)(const void *)(sums + t + ahead))
		          : _mm256_setzero_si256();
		__m256i h = _mm256_srl_epi32(
		    _mm256_mullo_epi32(_mm256_xor_si256(_mm256_mullo_epi32(hi, k1), lo), k2),
		    shift);
		__m256i words = _mm256_i32gather_epi32((const int *)(const void *)bitmap,
		                                       _mm256_srli_epi32(h, 5), 4);
		__m256i set =
		    _mm256_and_si256(_mm256_srlv_epi32(words, _mm256_and_si256(h, low5)), one);
		int hit = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(set, one)));
		if (hit)
			return t + (size_t)__builtin_ctz((unsigned)hit);
	}
	return t;
}
#endif

/* The first offset in [from, to) whose key the bitmap lets through (to if
 * none); sums[t] is the checksum of the block at offset from + t, ahead
 * how far the second block of the key lies (bs with seq_matches 2, 0 for
 * none).  In SIMD lanes as wide as zsync_rsum_roll's, then one by one. */
static size_t first_candidate(const zsync_scan *s, const uint32_t *sums, size_t from, size_t to,
                              size_t ahead)
{
	const uint64_t *bitmap = s->bitmap;
	const unsigned bits = s->bitmap_bits;
	size_t t = 0, n = to - from;
#if defined(__x86_64__) && defined(__GNUC__)
	unsigned lanes = zsync_rsum_lanes();
	if (lanes >= 16)
		t = first_candidate_x16((const uint32_t *)(const void *)bitmap, bits, sums, n,
		                        ahead);
	else if (lanes >= 8)
		t = first_candidate_x8((const uint32_t *)(const void *)bitmap, bits, sums, n,
		                       ahead);
#endif
	for (; t < n; t++) {
		uint32_t bit = filter_bit(sums[t], ahead ? sums[t + ahead] : 0, bits);
		if (bitmap[bit / 64] & (UINT64_C(1) << (bit % 64)))
			break;
	}
	return from + t;
}

/* Offsets [0, wlen) of buf (which holds wlen + context + 1 bytes); returns
 * how far it got, possibly past wlen after a match. */
static size_t scan_window(scanner *sc, const unsigned char *buf, size_t wlen)
{
	zsync_scan *s = sc->s;
	const bento_zsync_control *c = s->c;
	const size_t bs = c->block_size;
	const size_t ahead = c->seq_matches == 2 ? bs : 0;
	bool fresh = true;
	uint32_t next = NONE;
	size_t i = 0;
	while (i < wlen) {
		const unsigned char *p = buf + i;
		if (next != NONE) {
			bool all;
			int64_t k = follow_run(sc, p, (wlen - i + bs - 1) / bs, next, &all);
			if (k < 0)
				return wlen;
			next = all ? next + (uint32_t)k : NONE;
			if (k > 0) {
				i += (size_t)k * bs;
				continue;
			}
		}
		if (fresh) {
			if (__atomic_load_n(&s->done_groups, __ATOMIC_RELAXED) == s->n_groups)
				return wlen;
			zsync_rsum_block(p, bs, &sc->a, &sc->b);
			sc->base = i;
			sc->filled = 0;
			fresh = false;
		}
		/* The checksums up to end + ahead, the first sums dropped when
		 * there is no room (they are behind i). */
		size_t end = wlen - i < SPAN ? wlen : i + SPAN;
		if (end + ahead - sc->base > sc->sums_cap) {
			size_t gone = i - sc->base;
			memmove(sc->sums, sc->sums + gone, (sc->filled - gone) * sizeof(*sc->sums));
			sc->filled -= gone;
			sc->base = i;
		}
		size_t want = end + ahead - sc->base;
		if (sc->filled < want) {
			zsync_rsum_roll(buf + sc->base + sc->filled, bs, want - sc->filled,
			                c->a_mask, c->b_mask, &sc->a, &sc->b,
			                sc->sums + sc->filled);
			sc->filled = want;
		}
		const uint32_t *sums = sc->sums + (i - sc->base);
		size_t t = first_candidate(s, sums, i, end, ahead);
		if (t >= end) {
			i = end;
			continue;
		}
		sums += t - i;
		i = t;
		p = buf + i;
		uint64_t key = (uint64_t)sums[0] << 32 | (ahead ? sums[ahead] : 0);
		uint32_t g = lookup(sc, p, key);
		if (g != NONE) {
			if (!claim(sc, g, p))
				return wlen;
			next = s->groups[g].first + 1;
			i += bs;
			fresh = true;
			continue;
		}
		i++;
	}
	return i;
}

/* Takes windows of the seed one after the other from the shared counter
 * until none is left, so that two threads share the work evenly wherever
 * the changed parts lie.  A match that ends past its window is kept; the
 * next window starts afresh at its own start. */
static void *scan_part(void *arg)
{
	scanner *sc = arg;
	const bento_zsync_control *c = sc->s->c;
	size_t context = (size_t)c->block_size * c->seq_matches + 1;
	autofree unsigned char *buf = xmalloc(WINDOW + context);
	sc->sums_cap = 4 * SPAN + (size_t)c->block_size * c->seq_matches;
	autofree uint32_t *sums = sc->sums = xmalloc(sc->sums_cap * sizeof(*sums));
	while (sc->errnum == 0 &&
	       __atomic_load_n(&sc->s->done_groups, __ATOMIC_RELAXED) < sc->s->n_groups) {
		uint64_t x = __atomic_fetch_add(sc->next_window, 1, __ATOMIC_RELAXED) * WINDOW;
		if (x >= sc->size)
			break;
		size_t wlen = sc->size - x < WINDOW ? (size_t)(sc->size - x) : WINDOW;
		size_t want = wlen + context;
		size_t avail = sc->size - x < want ? (size_t)(sc->size - x) : want;
		ssize_t n = bento_pread_all(sc->fd, buf, avail, (off_t)x);
		if (n < 0) {
			sc->errnum = errno;
			break;
		}
		/* Past the end (or a seed that shrank meanwhile): zeros. */
		memset(buf + n, 0, want - (size_t)n);
		scan_window(sc, buf, wlen);
		if (!flush(sc)) /* before buf is read into again */
			break;
	}
	return NULL;
}

int zsync_scan_seed(zsync_scan *s, int fd, uint64_t size, const char *name, int out_fd,
                    uint64_t *found, bento_error **err)
{
	if (s->c->blocks == 0 || size == 0)
		return 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned parts = size >= THREAD_MIN_SEED && cpus >= 2 ? 2 : 1;
	scanner sc[2];
	uint64_t next_window = 0;
	for (unsigned i = 0; i < parts; i++)
		sc[i] = (scanner){.s = s,
		                  .fd = fd,
		                  .out_fd = out_fd,
		                  .size = size,
		                  .next_window = &next_window,
		                  .name = name};
	pthread_t helper;
	bool threaded = parts == 2 && pthread_create(&helper, NULL, scan_part, &sc[1]) == 0;
	scan_part(&sc[0]);
	if (threaded)
		pthread_join(helper, NULL);
	for (unsigned i = 0; i < parts; i++) {
		*found += sc[i].found;
		if (sc[i].errnum != 0)
			return sc[i].write_error
			           ? bento_error_set(
			                 err, sc[i].errnum,
			                 "cannot write the new file (from the seed %s): %s", name,
			                 strerror(sc[i].errnum))
			           : bento_error_set(err, sc[i].errnum,
			                             "%s: cannot read the seed: %s", name,
			                             strerror(sc[i].errnum));
	}
	return 0;
}
