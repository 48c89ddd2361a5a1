/* SPDX-License-Identifier: MIT */
/* zsyncget CONTROL-URL OUTPUT [SEED...]: builds OUTPUT with the zsync client
 * library (runtime/lib/update) the way `bento update` does - a temporary
 * file beside OUTPUT, renamed over it only once its SHA-1 is verified, removed
 * otherwise - and prints "length reused downloaded requests" on stdout.
 * Options before the URL: --retries N, --lanes N (the scan's SIMD paths at
 * most N lanes wide: 1, 4, 8, 16); or alone: --parse FILE (parses a
 * local control file, prints its length and SHA-1), --md4 STRING (prints the
 * MD4 of STRING, for RFC 1320's test suite), --md4-lanes SEED (compares
 * bento_md4_blocks on each SIMD path this CPU has with bento_md4, on
 * pseudo-random data from SEED, printing the paths checked), --rsum-lanes SEED
 * (the same for zsync_rsum_roll against zsync_rsum_block at every offset).  Exit 0 on success, 1 on
 * an error. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/util.h"
#include "update/md4.h"
#include "update/rsum.h"
#include "update/zsync.h"

static int fail(bento_error *err)
{
	return bento_error_report(err, "zsyncget", 1);
}

/* Every path of bento_md4_blocks against bento_md4: lengths around the
 * padding's cases and zsync's block sizes, 1 to 40 blocks (so that each
 * path also runs with a remainder), strides longer than the blocks. */
static void fill_random(unsigned char *data, size_t len, unsigned long seed)
{
	uint64_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		data[i] = (unsigned char)x;
	}
}

/* Every path of zsync_rsum_roll against each offset's checksum from
 * scratch: zsync's masks, counts around the lane widths, long runs. */
static int rsum_lanes_check(unsigned long seed)
{
	static const uint32_t masks[][2] = {
	    {0, 0xff}, {0, 0xffff}, {0xff, 0xffff}, {0xffff, 0xffff}};
	static const size_t sizes[] = {512, 1024, 4096};
	enum { MAX_COUNT = 5000 };
	autofree unsigned char *data = xmalloc(MAX_COUNT + 4096);
	autofree uint32_t *m = xmalloc(MAX_COUNT * sizeof(*m));
	fill_random(data, MAX_COUNT + 4096, seed);
	/* Runs of equal bytes and of 0xff, where sums carry the most. */
	memset(data + 700, 0xff, 3000);
	unsigned widest = zsync_rsum_lanes(), bad = 0;
	for (unsigned want = widest;; want = want == 4 ? 1 : want / 2) {
		unsigned lanes = zsync_rsum_limit_lanes(want);
		for (size_t k = 0; k < sizeof(masks) / sizeof(*masks); k++)
			for (size_t z = 0; z < sizeof(sizes) / sizeof(*sizes); z++)
				for (size_t count = 0; count <= MAX_COUNT;
				     count += count < 70 ? 1 : 1733) {
					size_t bs = sizes[z], from = count % 7;
					uint32_t a, b, want_a, want_b;
					zsync_rsum_block(data + from, bs, &a, &b);
					zsync_rsum_roll(data + from, bs, count, masks[k][0],
					                masks[k][1], &a, &b, m);
					for (size_t j = 0; j <= count; j++) {
						zsync_rsum_block(data + from + j, bs, &want_a,
						                 &want_b);
						uint32_t want_m = (want_a & masks[k][0]) << 16 |
						                  (want_b & masks[k][1]);
						bool ok = j < count ? m[j] == want_m
						                    : a == want_a && b == want_b;
						if (!ok && bad++ < 5)
							printf("lanes %u: offset %zu of %zu, block "
							       "%zu: wrong checksum\n",
							       lanes, j, count, bs);
					}
				}
		printf("lanes %u: checked\n", lanes);
		if (lanes == 1)
			break;
	}
	zsync_rsum_limit_lanes(widest);
	return bad ? 1 : 0;
}

static int md4_lanes_check(unsigned long seed)
{
	static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 512, 1000, 4096};
	enum { MAX_BLOCKS = 40, MAX_STRIDE = 4096 + 24 };
	autofree unsigned char *data = xmalloc(MAX_BLOCKS * MAX_STRIDE);
	fill_random(data, MAX_BLOCKS * MAX_STRIDE, seed);
	size_t page = 8192 > (size_t)sysconf(_SC_PAGESIZE) ? 8192 : (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *guarded =
	    mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guarded == MAP_FAILED || mprotect(guarded + page, page, PROT_NONE) < 0) {
		perror("zsyncget: mmap");
		return 1;
	}
	unsigned widest = bento_md4_lanes(), bad = 0;
	for (unsigned want = widest;; want = want == 4 ? 1 : want / 2) {
		unsigned lanes = bento_md4_limit_lanes(want);
		for (size_t l = 0; l < sizeof(lens) / sizeof(*lens); l++)
			for (size_t n = 1; n <= MAX_BLOCKS; n++) {
				size_t stride = lens[l] + n % 3 * 8;
				unsigned char got[MAX_BLOCKS][16], one[16];
				bento_md4_blocks(data, stride, lens[l], n, got);
				for (size_t j = 0; j < n; j++) {
					bento_md4(data + j * stride, lens[l], one);
					if (memcmp(one, got[j], 16) != 0 && bad++ < 5)
						printf("lanes %u: block %zu of %zu, %zu bytes: "
						       "wrong MD4\n",
						       lanes, j, n, lens[l]);
				}
			}
		/* 3 to 15 blocks right before an unmapped page: lanes left
		 * unused must not read past the last block. */
		for (size_t n = 3; n < 16; n++) {
			size_t stride = 512, len = 512;
			unsigned char got[16][16];
			bento_md4_blocks(guarded + page - n * stride, stride, len, n, got);
		}
		printf("lanes %u: checked\n", lanes);
		if (lanes == 1)
			break;
	}
	bento_md4_limit_lanes(widest);
	munmap(guarded, 2 * page);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	bento_program_init("zsyncget");
	bento_error *err = NULL;
	unsigned retries = 0;
	int i = 1;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--retries") == 0) {
			retries = (unsigned)atoi(argv[i + 1]);
		} else if (strcmp(argv[i], "--lanes") == 0) {
			unsigned max = (unsigned)atoi(argv[i + 1]);
			bento_md4_limit_lanes(max);
			zsync_rsum_limit_lanes(max);
		} else if (strcmp(argv[i], "--md4") == 0) {
			unsigned char md[16];
			char hex[33];
			bento_md4(argv[i + 1], strlen(argv[i + 1]), md);
			bento_hex(hex, md, 16);
			printf("%s\n", hex);
			return 0;
		} else if (strcmp(argv[i], "--md4-lanes") == 0) {
			return md4_lanes_check(strtoul(argv[i + 1], NULL, 10));
		} else if (strcmp(argv[i], "--rsum-lanes") == 0) {
			return rsum_lanes_check(strtoul(argv[i + 1], NULL, 10));
		} else if (strcmp(argv[i], "--parse") == 0) {
			char *data;
			size_t len;
			if (bento_read_file_at(AT_FDCWD, argv[i + 1], 1 << 28, &data, &len, &err) <
			    0)
				return fail(err);
			bento_zsync_control *c;
			if (bento_zsync_control_parse(data, len, "http://localhost/x.zsync", &c,
			                              &err) < 0)
				return fail(err);
			printf("%" PRIu64 " %s\n", bento_zsync_control_length(c),
			       bento_zsync_control_sha1_hex(c));
			bento_zsync_control_free(c);
			free(data);
			return 0;
		} else {
			fprintf(stderr, "zsyncget: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (argc - i < 2) {
		fprintf(stderr,
		        "usage: zsyncget [--retries N] [--lanes N] CONTROL-URL OUTPUT [SEED...]\n");
		return 2;
	}
	const char *url = argv[i], *output = argv[i + 1];
	bento_zsync_control *c;
	if (bento_zsync_control_fetch(url, NULL, &c, &err) < 0)
		return fail(err);
	autofree char *tmp = xasprintf("%s.part-XXXXXX", output);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		bento_error_errno(&err, "%s", tmp);
		return fail(err);
	}
	bento_zsync_options o = {
	    .seeds = (const char *const *)argv + i + 2,
	    .n_seeds = (size_t)(argc - i - 2),
	    .progress_fd = 2,
	    .progress_tty = isatty(2),
	    .max_retries = retries,
	};
	bento_zsync_stats st;
	int rc = bento_zsync_build(c, &o, fd, &st, &err);
	bento_zsync_control_free(c);
	if (rc == 0 && fsync(fd) < 0)
		rc = bento_error_errno(&err, "%s", tmp);
	close(fd);
	if (rc == 0 && rename(tmp, output) < 0)
		rc = bento_error_errno(&err, "%s", output);
	if (rc < 0) {
		unlink(tmp);
		return fail(err);
	}
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", st.length, st.reused,
	       st.downloaded, st.requests);
	return 0;
}
