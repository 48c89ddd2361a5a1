/* SPDX-License-Identifier: MIT */
#include "output/zsync.h"

#include <errno.h>
#include <gcrypt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/util.h"
#include "output/crypto.h"
#include "output/epoch.h"
#include "sig/signature.h"

/* zsyncmake's rule: 2 KiB blocks below 100 MB, 4 KiB above; enough bits of
 * weak and strong checksum that false matches stay unlikely for the file's
 * size, spread over two consecutive blocks when there are several. */
void bento_zsync_choose(uint64_t len, bento_zsync_params *p)
{
	p->block_size = len < 100000000 ? 2048 : 4096;
	double l = len > 0 ? (double)len : 1, bs = p->block_size;
	double blocks = 1 + (double)(len / p->block_size);
	p->seq_matches = len > p->block_size ? 2 : 1;
	int rsum = (int)ceil(((log(l) + log(bs)) / log(2) - 8.6) / p->seq_matches / 8);
	p->rsum_bytes = rsum > 4 ? 4 : rsum < 2 ? 2 : rsum;
	int strong = (int)ceil((20 + (log(l) + log(blocks)) / log(2)) / p->seq_matches / 8);
	int floor_strong = (int)((7.9 + (20 + log(blocks) / log(2))) / 8);
	if (strong < floor_strong)
		strong = floor_strong;
	p->checksum_bytes = strong > 16 ? 16 : strong;
}

/* The rolling checksum of one block: a = sum of the bytes, b = sum of each
 * byte times its distance from the block's end, both modulo 2^16, stored
 * big-endian as a then b. */
static void rsum(const unsigned char *block, size_t len, unsigned char out[4])
{
	uint16_t a = 0, b = 0;
	for (size_t i = 0; i < len; i++) {
		a = (uint16_t)(a + block[i]);
		b = (uint16_t)(b + (len - i) * block[i]);
	}
	out[0] = (unsigned char)(a >> 8);
	out[1] = (unsigned char)a;
	out[2] = (unsigned char)(b >> 8);
	out[3] = (unsigned char)b;
}

static char *header(const bento_zsync_params *p, uint64_t len, const char *file_name, int64_t mtime,
                    const char *sha1)
{
	char date[64];
	time_t t = (time_t)mtime;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return xasprintf("zsync: 0.6.2\n"
	                 "Filename: %s\n"
	                 "MTime: %s\n"
	                 "Blocksize: %u\n"
	                 "Length: %llu\n"
	                 "Hash-Lengths: %d,%d,%d\n"
	                 "URL: %s\n"
	                 "SHA-1: %s\n"
	                 "\n",
	                 file_name, date, p->block_size, (unsigned long long)len, p->seq_matches,
	                 p->rsum_bytes, p->checksum_bytes, file_name, sha1);
}

/* The per-block checksums and the whole file's SHA-1 (as hex). */
static int block_sums(int fd, uint64_t len, const bento_zsync_params *p, const char *name,
                      unsigned char *sums, char sha1[41], bento_error **err)
{
	enum { CHUNK = 1 << 20 }; /* a multiple of every block size */
	gcry_md_hd_t md;
	if (gcry_md_open(&md, GCRY_MD_SHA1, 0) != 0)
		return bento_error_set(err, 0, "%s: SHA-1 is not available from libgcrypt", name);
	autofree unsigned char *buf = xmalloc(CHUNK);
	size_t per_block = (size_t)(p->rsum_bytes + p->checksum_bytes);
	unsigned char r[4], md4[16];
	for (uint64_t pos = 0; pos < len;) {
		size_t want = len - pos < CHUNK ? (size_t)(len - pos) : CHUNK;
		ssize_t n = bento_pread_all(fd, buf, want, (off_t)pos);
		if (n < 0 || (size_t)n != want) {
			gcry_md_close(md);
			return n < 0 ? bento_error_errno(err, "%s: cannot read", name)
			             : bento_error_set(err, EIO, "%s: file shrank while reading it",
			                               name);
		}
		gcry_md_write(md, buf, want);
		/* The last block is hashed padded with zeros to a whole block. */
		size_t padded = (want + p->block_size - 1) / p->block_size * p->block_size;
		memset(buf + want, 0, padded - want);
		for (size_t off = 0; off < padded; off += p->block_size) {
			rsum(buf + off, p->block_size, r);
			gcry_md_hash_buffer(GCRY_MD_MD4, md4, buf + off, p->block_size);
			memcpy(sums, r + 4 - p->rsum_bytes, (size_t)p->rsum_bytes);
			memcpy(sums + p->rsum_bytes, md4, (size_t)p->checksum_bytes);
			sums += per_block;
		}
		pos += want;
	}
	const unsigned char *d = gcry_md_read(md, GCRY_MD_SHA1);
	bento_hex(sha1, d, 20);
	gcry_md_close(md);
	return 0;
}

int bento_zsync_make(int fd, uint64_t len, const char *file_name, int64_t mtime, const char *name,
                     char **out, size_t *out_len, bento_error **err)
{
	bento_crypto_init();
	bento_zsync_params p;
	bento_zsync_choose(len, &p);
	uint64_t blocks = (len + p.block_size - 1) / p.block_size;
	size_t sums_len = (size_t)blocks * (size_t)(p.rsum_bytes + p.checksum_bytes);
	autofree unsigned char *sums = xmalloc(sums_len);
	char sha1[41];
	if (block_sums(fd, len, &p, name, sums, sha1, err) < 0)
		return -1;
	autofree char *head = header(&p, len, file_name, mtime, sha1);
	size_t head_len = strlen(head);
	char *all = xmalloc(head_len + sums_len);
	memcpy(all, head, head_len);
	memcpy(all + head_len, sums, sums_len);
	*out = all;
	*out_len = head_len + sums_len;
	return 0;
}

int bento_zsync_write(int fd, const char *output, bento_outfile *zs, bento_error **err)
{
	struct stat st;
	uint32_t epoch = 0;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", output);
	if (bento_source_date_epoch(&epoch, err) < 0)
		return -1;
	/* The time a client gives the file it rebuilds. */
	int64_t mtime = getenv("SOURCE_DATE_EPOCH") ? (int64_t)epoch : (int64_t)st.st_mtime;
	const char *slash = strrchr(output, '/');
	autofree char *data = NULL;
	size_t len;
	if (bento_zsync_make(fd, (uint64_t)st.st_size, slash ? slash + 1 : output, mtime, output,
	                     &data, &len, err) < 0)
		return -1;
	autofree char *path = xasprintf("%s.zsync", output);
	if (bento_outfile_create(path, zs, err) < 0)
		return -1;
	if (bento_write_all(zs->fd, data, len) < 0)
		return bento_error_errno(err, "%s: cannot write", zs->path);
	return 0;
}
