/* SPDX-License-Identifier: MIT */
/* Rolling from offset j to j + 1 takes the byte out = p[j] out and in =
 * p[j + bs] in: a += in - out, b += a - bs * out (the new a).  Over N
 * offsets at once these are prefix sums: with d = in - out and A the
 * inclusive prefix sum of d plus a, a at offset j + k + 1 is A[k]; with
 * q = A - bs * out and Q its inclusive prefix sum, b at j + k + 1 is b +
 * Q[k].  A prefix sum over N lanes is log2(N) shifts and adds. */
#include "update/rsum.h"

#include <string.h>

void zsync_rsum_block(const unsigned char *p, size_t len, uint32_t *a, uint32_t *b)
{
	/* b = sum of (len - i) * p[i] = the sum of a after each byte. */
	uint32_t ra = 0, rb = 0;
	for (size_t i = 0; i < len; i++) {
		ra += p[i];
		rb += ra;
	}
	*a = ra & 0xffff;
	*b = rb & 0xffff;
}

static void roll_plain(const unsigned char *p, size_t bs, size_t count, uint32_t a_mask,
                       uint32_t b_mask, uint32_t *a, uint32_t *b, uint32_t *m)
{
	uint32_t ra = *a, rb = *b;
	for (size_t j = 0; j < count; j++) {
		m[j] = (ra & a_mask) << 16 | (rb & b_mask);
		uint32_t out = p[j], in = p[j + bs];
		ra += in - out;
		rb += ra - out * (uint32_t)bs;
	}
	*a = ra & 0xffff;
	*b = rb & 0xffff;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* NAME(...) as roll_plain for the first multiple of N offsets, returning
 * how many it did; LOAD reads N bytes into N lanes, PREFIX is the inclusive
 * prefix sum over N lanes. */
#define ROLL_LANES(NAME, N, TARGET, LOAD, PREFIX)                                                  \
	TARGET static size_t NAME(const unsigned char *p, size_t bs, size_t count,                 \
	                          uint32_t a_mask, uint32_t b_mask, uint32_t *a, uint32_t *b,      \
	                          uint32_t *m)                                                     \
	{                                                                                          \
		typedef uint32_t vec __attribute__((vector_size(4 * (N))));                        \
		uint32_t ra = *a, rb = *b, bs32 = (uint32_t)bs;                                    \
		size_t j = 0;                                                                      \
		for (; j + (N) <= count; j += (N)) {                                               \
			vec out = LOAD(p + j), in = LOAD(p + j + bs);                              \
			vec d = in - out;                                                          \
			vec a_next = PREFIX(d) + ra;                                               \
			vec q = a_next - out * bs32;                                               \
			vec b_next = PREFIX(q) + rb;                                               \
			vec here = ((a_next - d) & a_mask) << 16 | ((b_next - q) & b_mask);        \
			memcpy(m + j, &here, sizeof(here));                                        \
			ra = a_next[(N)-1];                                                        \
			rb = b_next[(N)-1];                                                        \
		}                                                                                  \
		*a = ra & 0xffff;                                                                  \
		*b = rb & 0xffff;                                                                  \
		return j;                                                                          \
	}

typedef uint32_t vec4 __attribute__((vector_size(16)));
typedef uint32_t vec8 __attribute__((vector_size(32)));
typedef uint32_t vec16 __attribute__((vector_size(64)));

static inline vec4 load4(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	__m128i z = _mm_setzero_si128();
	return (vec4)_mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128((int)w), z), z);
}

__attribute__((target("avx2"))) static inline vec8 load8(const unsigned char *p)
{
	return (vec8)_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p));
}

__attribute__((target("avx512f"))) static inline vec16 load16(const unsigned char *p)
{
	return (vec16)_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/* __builtin_shufflevector is GCC's from version 12 on, and clang's. */
#if defined(__clang__) || __GNUC__ >= 12
#define SHIFTED(z, v, ...) __builtin_shufflevector(z, v, __VA_ARGS__)
#else
#define SHIFTED(z, v, ...) __builtin_shuffle(z, v, (__typeof__(v)){__VA_ARGS__})
#endif

/* Each step adds the vector moved up by 1, 2, 4, 8 lanes, zeros shifted in. */
static inline vec4 prefix4(vec4 v)
{
	const vec4 z = {0};
	v += SHIFTED(z, v, 0, 4, 5, 6);
	v += SHIFTED(z, v, 0, 0, 4, 5);
	return v;
}

__attribute__((target("avx2"))) static inline vec8 prefix8(vec8 v)
{
	const vec8 z = {0};
	v += SHIFTED(z, v, 0, 8, 9, 10, 11, 12, 13, 14);
	v += SHIFTED(z, v, 0, 0, 8, 9, 10, 11, 12, 13);
	v += SHIFTED(z, v, 0, 0, 0, 0, 8, 9, 10, 11);
	return v;
}

__attribute__((target("avx512f"))) static inline vec16 prefix16(vec16 v)
{
	const vec16 z = {0};
	v += SHIFTED(z, v, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
	v += SHIFTED(z, v, 0, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
	v += SHIFTED(z, v, 0, 0, 0, 0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27);
	v += SHIFTED(z, v, 0, 0, 0, 0, 0, 0, 0, 0, 16, 17, 18, 19, 20, 21, 22, 23);
	return v;
}

ROLL_LANES(roll_x4, 4, , load4, prefix4)
ROLL_LANES(roll_x8, 8, __attribute__((target("avx2"))), load8, prefix8)
ROLL_LANES(roll_x16, 16, __attribute__((target("avx512f"))), load16, prefix16)

static unsigned lanes_max(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
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

unsigned zsync_rsum_lanes(void)
{
	unsigned l = __atomic_load_n(&lanes_limit, __ATOMIC_RELAXED);
	if (l == 0) {
		l = lanes_max();
		__atomic_store_n(&lanes_limit, l, __ATOMIC_RELAXED);
	}
	return l;
}

unsigned zsync_rsum_limit_lanes(unsigned max)
{
	unsigned l = lanes_max();
	while (l > 1 && l > max)
		l = l == 4 ? 1 : l / 2;
	__atomic_store_n(&lanes_limit, l, __ATOMIC_RELAXED);
	return l;
}

void zsync_rsum_roll(const unsigned char *p, size_t bs, size_t count, uint32_t a_mask,
                     uint32_t b_mask, uint32_t *a, uint32_t *b, uint32_t *m)
{
	size_t done = 0;
#if defined(__x86_64__) && defined(__GNUC__)
	unsigned lanes = zsync_rsum_lanes();
	if (lanes >= 16)
		done = roll_x16(p, bs, count, a_mask, b_mask, a, b, m);
	else if (lanes >= 8)
		done = roll_x8(p, bs, count, a_mask, b_mask, a, b, m);
	else if (lanes >= 4)
		done = roll_x4(p, bs, count, a_mask, b_mask, a, b, m);
#endif
	roll_plain(p + done, bs, count - done, a_mask, b_mask, a, b, m + done);
}
