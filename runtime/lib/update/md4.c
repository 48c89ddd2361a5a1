/* SPDX-License-Identifier: MIT */
#include "update/md4.h"

#include <string.h>

#define F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define G(x, y, z) (((x) & (y)) | ((x) & (z)) | ((y) & (z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))
#define R1(a, b, c, d, k, s) a = ROTL(a + F(b, c, d) + x[k], s)
#define R2(a, b, c, d, k, s) a = ROTL(a + G(b, c, d) + x[k] + 0x5a827999u, s)
#define R3(a, b, c, d, k, s) a = ROTL(a + H(b, c, d) + x[k] + 0x6ed9eba1u, s)

/* The 48 steps on st[4] with the words x[16]: written once for a plain
 * uint32_t and for GCC's vectors of them, whose operators work lane by lane. */
#define MD4_ROUNDS(T, st, x)                                                                       \
	do {                                                                                       \
		T a = st[0], b = st[1], c = st[2], d = st[3];                                      \
		for (int i = 0; i < 16; i += 4) {                                                  \
			R1(a, b, c, d, i, 3);                                                      \
			R1(d, a, b, c, i + 1, 7);                                                  \
			R1(c, d, a, b, i + 2, 11);                                                 \
			R1(b, c, d, a, i + 3, 19);                                                 \
		}                                                                                  \
		for (int i = 0; i < 4; i++) {                                                      \
			R2(a, b, c, d, i, 3);                                                      \
			R2(d, a, b, c, i + 4, 5);                                                  \
			R2(c, d, a, b, i + 8, 9);                                                  \
			R2(b, c, d, a, i + 12, 13);                                                \
		}                                                                                  \
		static const int order[4] = {0, 2, 1, 3};                                          \
		for (int j = 0; j < 4; j++) {                                                      \
			int i = order[j];                                                          \
			R3(a, b, c, d, i, 3);                                                      \
			R3(d, a, b, c, i + 8, 9);                                                  \
			R3(c, d, a, b, i + 4, 11);                                                 \
			R3(b, c, d, a, i + 12, 15);                                                \
		}                                                                                  \
		st[0] += a;                                                                        \
		st[1] += b;                                                                        \
		st[2] += c;                                                                        \
		st[3] += d;                                                                        \
	} while (0)

static const uint32_t md4_init[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};

static void md4_block(uint32_t st[4], const unsigned char *p)
{
	uint32_t x[16];
	memcpy(x, p, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	for (int i = 0; i < 16; i++)
		x[i] = __builtin_bswap32(x[i]);
#endif
	MD4_ROUNDS(uint32_t, st, x);
}

/* The padding after the last whole 64 bytes of a message of len bytes whose
 * remainder is at p: a 0x80 byte, zeros, the length in bits (little-endian);
 * returns its length, 64 or 128. */
static size_t md4_tail(const unsigned char *p, size_t len, unsigned char tail[128])
{
	size_t left = len % 64;
	memset(tail, 0, 128);
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tail_len = left < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tail_len - 8 + i] = (unsigned char)(bits >> (8 * i));
	return tail_len;
}

static void md4_out(const uint32_t st[4], unsigned char out[16])
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(st[i] >> (8 * j));
}

void bento_md4(const void *data, size_t len, unsigned char out[16])
{
	uint32_t st[4];
	memcpy(st, md4_init, sizeof(st));
	const unsigned char *p = data;
	for (size_t left = len; left >= 64; left -= 64, p += 64)
		md4_block(st, p);
	unsigned char tail[128];
	size_t tail_len = md4_tail(p, len, tail);
	for (size_t t = 0; t < tail_len; t += 64)
		md4_block(st, tail + t);
	md4_out(st, out);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* N blocks at once, lane j holding block j: each 64-byte step loads word k
 * of every block into x[k]'s lane j (LOAD(x, p, stride, used)).  The
 * padding is the same for all, as they have the same length.  With fewer
 * blocks (used < N), the last lanes repeat the last block: one call still
 * costs less than three blocks one by one. */
#define MD4_LANES(NAME, N, TARGET, LOAD)                                                           \
	typedef uint32_t NAME##_vec __attribute__((vector_size(4 * (N))));                         \
	TARGET static void NAME##_step(NAME##_vec st[4], const unsigned char *p, size_t stride,    \
	                               int used)                                                   \
	{                                                                                          \
		NAME##_vec x[16];                                                                  \
		LOAD(x, p, stride, used);                                                          \
		MD4_ROUNDS(NAME##_vec, st, x);                                                     \
	}                                                                                          \
	TARGET static void NAME(const unsigned char *p, size_t stride, size_t len, int used,       \
	                        unsigned char(*out)[16])                                           \
	{                                                                                          \
		NAME##_vec st[4];                                                                  \
		for (int i = 0; i < 4; i++)                                                        \
			st[i] = (NAME##_vec){0} + md4_init[i];                                     \
		size_t whole = len & ~(size_t)63;                                                  \
		for (size_t off = 0; off < whole; off += 64)                                       \
			NAME##_step(st, p + off, stride, used);                                    \
		unsigned char tail[N][128];                                                        \
		size_t tail_len = 0;                                                               \
		for (int j = 0; j < used; j++)                                                     \
			tail_len = md4_tail(p + (size_t)j * stride + whole, len, tail[j]);         \
		for (size_t t = 0; t < tail_len; t += 64)                                          \
			NAME##_step(st, tail[0] + t, 128, used);                                   \
		for (int j = 0; j < used; j++) {                                                   \
			uint32_t one[4] = {st[0][j], st[1][j], st[2][j], st[3][j]};                \
			md4_out(one, out[j]);                                                      \
		}                                                                                  \
	}

typedef uint32_t vec4 __attribute__((vector_size(16)));
typedef uint32_t md4_x16_vec_t __attribute__((vector_size(64)));

/* SSE2 has no gather: word by word. */
static inline void load4(vec4 x[16], const unsigned char *p, size_t stride, int used)
{
	uint32_t w[16][4];
	for (int j = 0; j < 4; j++)
		for (int k = 0; k < 16; k++)
			memcpy(&w[k][j], p + (size_t)(j < used ? j : used - 1) * stride + 4 * k, 4);
	memcpy(x, w, sizeof(w));
}

/* AVX2: a gather per word (bento_md4_blocks keeps 7 * stride + 64 in an int). */
#define GATHER8(x, p, stride, used)                                                                \
	do {                                                                                       \
		__m256i at =                                                                       \
		    _mm256_mullo_epi32(_mm256_min_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), \
		                                        _mm256_set1_epi32((used)-1)),              \
		                       _mm256_set1_epi32((int)(stride)));                          \
		for (int k = 0; k < 16; k++)                                                       \
			x[k] = (md4_x8_vec)_mm256_i32gather_epi32(                                 \
			    (const int *)(const void *)((p) + 4 * k), at, 1);                      \
	} while (0)

/* 16 blocks' 64 bytes, one vector each, transposed into 16 vectors of one
 * word each: 32-bit and 64-bit interleaves within 128-bit lanes, then a
 * 4 x 4 transpose of the 128-bit lanes (cheaper than 16 gathers). */
__attribute__((target("avx512f"))) static inline void
load16(md4_x16_vec_t x[16], const unsigned char *p, size_t stride, int used)
{
	__m512i r[16], a[16], b[16];
	for (int i = 0; i < 16; i++)
		r[i] = _mm512_loadu_si512(p + (size_t)(i < used ? i : used - 1) * stride);
	for (int i = 0; i < 16; i += 2) {
		a[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
		a[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
	}
	/* b[4i + m], 128-bit lane l: word 4l + m of rows 4i to 4i + 3 */
	for (int i = 0; i < 16; i += 4) {
		b[i] = _mm512_unpacklo_epi64(a[i], a[i + 2]);
		b[i + 1] = _mm512_unpackhi_epi64(a[i], a[i + 2]);
		b[i + 2] = _mm512_unpacklo_epi64(a[i + 1], a[i + 3]);
		b[i + 3] = _mm512_unpackhi_epi64(a[i + 1], a[i + 3]);
	}
	for (int m = 0; m < 4; m++) {
		__m512i t0 = _mm512_shuffle_i32x4(b[m], b[4 + m], 0x44);
		__m512i t1 = _mm512_shuffle_i32x4(b[m], b[4 + m], 0xee);
		__m512i t2 = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0x44);
		__m512i t3 = _mm512_shuffle_i32x4(b[8 + m], b[12 + m], 0xee);
		x[m] = (md4_x16_vec_t)_mm512_shuffle_i32x4(t0, t2, 0x88);
		x[4 + m] = (md4_x16_vec_t)_mm512_shuffle_i32x4(t0, t2, 0xdd);
		x[8 + m] = (md4_x16_vec_t)_mm512_shuffle_i32x4(t1, t3, 0x88);
		x[12 + m] = (md4_x16_vec_t)_mm512_shuffle_i32x4(t1, t3, 0xdd);
	}
}

MD4_LANES(md4_x4, 4, , load4)
MD4_LANES(md4_x8, 8, __attribute__((target("avx2"))), GATHER8)
MD4_LANES(md4_x16, 16, __attribute__((target("avx512f,avx512vl"))), load16)

static unsigned lanes_max(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
		return 16;
	if (__builtin_cpu_supports("avx2"))
		return 8;
	return 4; /* SSE2 is part of x86-64 */
}
#else
static unsigned lanes_max(void)
{
	return 1;
}
#endif

static unsigned lanes_limit = 0; /* 0: not yet known */

unsigned bento_md4_lanes(void)
{
	unsigned l = __atomic_load_n(&lanes_limit, __ATOMIC_RELAXED);
	if (l == 0) {
		l = lanes_max();
		__atomic_store_n(&lanes_limit, l, __ATOMIC_RELAXED);
	}
	return l;
}

unsigned bento_md4_limit_lanes(unsigned max)
{
	unsigned l = lanes_max();
	while (l > 1 && l > max)
		l = l == 4 ? 1 : l / 2;
	__atomic_store_n(&lanes_limit, l, __ATOMIC_RELAXED);
	return l;
}

void bento_md4_blocks(const void *data, size_t stride, size_t len, size_t n,
                      unsigned char (*out)[16])
{
	const unsigned char *p = data;
	unsigned lanes = bento_md4_lanes();
	if (stride > (1u << 26)) /* the gathers' offsets are ints */
		lanes = 1;
	while (n > 0) {
		size_t done = 1;
#if defined(__x86_64__) && defined(__GNUC__)
		/* From 3 blocks on, the widest path, its lanes filled or not. */
		if (lanes >= 4 && n >= 3) {
			done = n < lanes ? n : lanes;
			if (lanes == 16)
				md4_x16(p, stride, len, (int)done, out);
			else if (lanes == 8)
				md4_x8(p, stride, len, (int)done, out);
			else
				md4_x4(p, stride, len, (int)done, out);
		} else
#endif
			bento_md4(p, len, out[0]);
		p += done * stride;
		out += done;
		n -= done;
	}
}
