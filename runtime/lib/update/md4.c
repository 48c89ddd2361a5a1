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

static void md4_block(uint32_t st[4], const unsigned char *p)
{
	uint32_t x[16];
	memcpy(x, p, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	for (int i = 0; i < 16; i++)
		x[i] = __builtin_bswap32(x[i]);
#endif
	uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
	for (int i = 0; i < 16; i += 4) {
		R1(a, b, c, d, i, 3);
		R1(d, a, b, c, i + 1, 7);
		R1(c, d, a, b, i + 2, 11);
		R1(b, c, d, a, i + 3, 19);
	}
	for (int i = 0; i < 4; i++) {
		R2(a, b, c, d, i, 3);
		R2(d, a, b, c, i + 4, 5);
		R2(c, d, a, b, i + 8, 9);
		R2(b, c, d, a, i + 12, 13);
	}
	static const int order[4] = {0, 2, 1, 3};
	for (int j = 0; j < 4; j++) {
		int i = order[j];
		R3(a, b, c, d, i, 3);
		R3(d, a, b, c, i + 8, 9);
		R3(c, d, a, b, i + 4, 11);
		R3(b, c, d, a, i + 12, 15);
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
}

void bento_md4(const void *data, size_t len, unsigned char out[16])
{
	uint32_t st[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
	const unsigned char *p = data;
	size_t left = len;
	for (; left >= 64; left -= 64, p += 64)
		md4_block(st, p);
	/* The tail, a 0x80 byte, zeros, and the length in bits (little-endian). */
	unsigned char tail[128] = {0};
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tail_len = left < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tail_len - 8 + i] = (unsigned char)(bits >> (8 * i));
	md4_block(st, tail);
	if (tail_len == 128)
		md4_block(st, tail + 64);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(st[i] >> (8 * j));
}
