/* SPDX-License-Identifier: MIT */
/* zsync 0.6 control files: "Key: value" lines, an empty line, then for each
 * block rsum_bytes of its rolling checksum (the low bytes of a and b, each
 * big-endian) and checksum_bytes of its MD4.  Everything is checked: the
 * file comes from a server. */
#include "update/control.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/util.h"

enum { MAX_HEADER_BYTES = 64 * 1024 };

void bento_zsync_control_free(bento_zsync_control *c)
{
	if (c == NULL)
		return;
	free(c->source);
	free(c->filename);
	free(c->url);
	free(c->rsum);
	free(c->strong);
	free(c);
}

static void control_freep(bento_zsync_control **c)
{
	bento_zsync_control_free(*c);
}
#define auto_control __attribute__((cleanup(control_freep))) bento_zsync_control *

const char *bento_zsync_control_sha1_hex(const bento_zsync_control *c)
{
	return c->sha1;
}
uint64_t bento_zsync_control_length(const bento_zsync_control *c)
{
	return c->length;
}
const char *bento_zsync_control_filename(const bento_zsync_control *c)
{
	return c->filename;
}
const char *bento_zsync_control_url(const bento_zsync_control *c)
{
	return c->url;
}
int64_t bento_zsync_control_mtime(const bento_zsync_control *c)
{
	return c->mtime;
}

/* A decimal number with nothing around it, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* The new file's URL: the URL: header resolved against the control file's
 * own URL, http or https only. */
static int resolve_url(bento_zsync_control *c, const char *base, const char *rel, bento_error **err)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return bento_error_set(err, ENOMEM, "%s: out of memory", c->source);
	CURLUcode rc = CURLUE_OK;
	if (base != NULL)
		rc = curl_url_set(u, CURLUPART_URL, base, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_set(u, CURLUPART_URL, rel, 0);
	char *full = NULL, *scheme = NULL;
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_URL, &full, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_cleanup(u);
	int ret = 0;
	if (rc != CURLUE_OK)
		ret =
		    bento_error_set(err, 0, "%s: invalid URL: header \"%s\"%s: %s", c->source, rel,
		                    base ? "" : " (a relative URL needs the control file's URL)",
		                    curl_url_strerror(rc));
	else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		ret = bento_error_set(err, 0, "%s: URL: header \"%s\" is not http or https",
		                      c->source, rel);
	else
		c->url = xstrdup(full);
	curl_free(full);
	curl_free(scheme);
	return ret;
}

static int parse_hash_lengths(bento_zsync_control *c, const char *v, bento_error **err)
{
	unsigned s, r, k;
	char extra;
	if (sscanf(v, "%u,%u,%u%c", &s, &r, &k, &extra) != 3 || s < 1 || s > 2 || r < 1 || r > 4 ||
	    k < 3 || k > ZSYNC_MAX_CHECKSUM)
		return bento_error_set(
		    err, 0,
		    "%s: invalid Hash-Lengths \"%s\" (expected SEQ,RSUM,CHECKSUM "
		    "with SEQ 1-2, RSUM 1-4, CHECKSUM 3-16)",
		    c->source, v);
	c->seq_matches = s;
	c->rsum_bytes = r;
	c->checksum_bytes = k;
	return 0;
}

/* One "Key: value" line; what it sets goes into c, the URL: into *url. */
static int parse_header(bento_zsync_control *c, char *line, char **url, bool *z_url,
                        bento_error **err)
{
	char *colon = strchr(line, ':');
	if (colon == NULL || colon[1] != ' ')
		return bento_error_set(err, 0, "%s: malformed header line \"%.80s\"", c->source,
		                       line);
	*colon = '\0';
	const char *key = line, *v = colon + 2;
	uint64_t n;
	if (strcmp(key, "zsync") == 0) {
		/* 0.6.x and the first 0.x that wrote this format are read alike. */
	} else if (strcmp(key, "Min-Version") == 0) {
		if (strncmp(v, "0.", 2) != 0 || atoi(v + 2) > 6)
			return bento_error_set(err, 0, "%s: needs zsync %s, this client reads 0.6",
			                       c->source, v);
	} else if (strcmp(key, "Filename") == 0) {
		free(c->filename);
		c->filename = xstrdup(v);
	} else if (strcmp(key, "MTime") == 0) {
		struct tm tm = {0};
		const char *end = strptime(v, "%a, %d %b %Y %H:%M:%S %z", &tm);
		if (end == NULL || *end != '\0')
			return bento_error_set(err, 0, "%s: invalid MTime \"%s\"", c->source, v);
		c->mtime = (int64_t)timegm(&tm) - tm.tm_gmtoff;
	} else if (strcmp(key, "Blocksize") == 0) {
		if (!parse_u64(v, ZSYNC_MAX_BLOCK, &n) || n < ZSYNC_MIN_BLOCK || (n & (n - 1)) != 0)
			return bento_error_set(
			    err, 0,
			    "%s: invalid Blocksize \"%s\" (expected a power of two "
			    "from %d to %d)",
			    c->source, v, ZSYNC_MIN_BLOCK, ZSYNC_MAX_BLOCK);
		c->block_size = (uint32_t)n;
	} else if (strcmp(key, "Length") == 0) {
		if (!parse_u64(v, ZSYNC_MAX_LENGTH, &n))
			return bento_error_set(err, 0, "%s: invalid Length \"%s\"", c->source, v);
		c->length = n;
	} else if (strcmp(key, "Hash-Lengths") == 0) {
		return parse_hash_lengths(c, v, err);
	} else if (strcmp(key, "URL") == 0) {
		if (*url == NULL) /* mirrors after the first are not used */
			*url = xstrdup(v);
	} else if (strcmp(key, "Z-URL") == 0 || strcmp(key, "Z-Map2") == 0 ||
	           strcmp(key, "Recompress") == 0) {
		*z_url = true;
	} else if (strcmp(key, "SHA-1") == 0) {
		size_t len = strlen(v);
		bool hex = len == 40;
		for (size_t i = 0; hex && i < len; i++)
			hex = isxdigit((unsigned char)v[i]);
		if (!hex)
			return bento_error_set(err, 0, "%s: invalid SHA-1 \"%.80s\"", c->source, v);
		for (size_t i = 0; i <= len; i++)
			c->sha1[i] = (char)tolower((unsigned char)v[i]);
	}
	/* Other headers (Safe:, future ones) are ignored, as zsync does. */
	return 0;
}

static int parse_block_table(bento_zsync_control *c, const unsigned char *p, size_t len,
                             bento_error **err)
{
	size_t per_block = c->rsum_bytes + c->checksum_bytes;
	uint64_t want = c->blocks * per_block;
	if (len < want)
		return bento_error_set(err, 0,
		                       "%s: truncated block table: %zu bytes, %" PRIu64
		                       " blocks of %zu bytes need %" PRIu64,
		                       c->source, len, c->blocks, per_block, want);
	if (len > want)
		return bento_error_set(err, 0,
		                       "%s: the block table has %zu bytes, more than the %" PRIu64
		                       " that Length %" PRIu64 " and Blocksize %u give (%" PRIu64
		                       " blocks): the block count does not match the length",
		                       c->source, len, want, c->length, c->block_size, c->blocks);
	c->a_mask = c->rsum_bytes < 3 ? 0 : c->rsum_bytes == 3 ? 0xff : 0xffff;
	c->b_mask = c->rsum_bytes == 1 ? 0xff : 0xffff;
	c->rsum = xcalloc(c->blocks ? c->blocks : 1, sizeof(*c->rsum));
	c->strong = xmalloc(c->blocks ? c->blocks * c->checksum_bytes : 1);
	for (uint64_t i = 0; i < c->blocks; i++, p += per_block) {
		unsigned char r[4] = {0};
		memcpy(r + 4 - c->rsum_bytes, p, c->rsum_bytes);
		uint16_t a = (uint16_t)(r[0] << 8 | r[1]), b = (uint16_t)(r[2] << 8 | r[3]);
		c->rsum[i] = zsync_rsum_masked(c, a, b);
		memcpy(c->strong + i * c->checksum_bytes, p + c->rsum_bytes, c->checksum_bytes);
	}
	return 0;
}

int bento_zsync_control_parse(const char *data, size_t len, const char *control_url,
                              bento_zsync_control **out, bento_error **err)
{
	auto_control c = xcalloc(1, sizeof(*c));
	c->source = xstrdup(control_url ? control_url : "control file");
	c->mtime = -1;
	c->seq_matches = 1; /* zsync's defaults when Hash-Lengths is absent */
	c->rsum_bytes = 4;
	c->checksum_bytes = 16;
	if (len < 7 || memcmp(data, "zsync: ", 7) != 0)
		return bento_error_set(err, 0, "%s: not a zsync control file (no \"zsync:\" line)",
		                       c->source);
	autofree char *url = NULL;
	bool z_url = false, have_length = false;
	size_t pos = 0;
	for (;;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		if (nl == NULL || (size_t)(nl - data) > MAX_HEADER_BYTES)
			return bento_error_set(
			    err, 0, "%s: the headers do not end with an empty line", c->source);
		size_t line_len = (size_t)(nl - (data + pos));
		autofree char *line = xmalloc(line_len + 1);
		memcpy(line, data + pos, line_len);
		line[line_len] = '\0';
		if (line_len > 0 && line[line_len - 1] == '\r')
			line[--line_len] = '\0';
		pos = (size_t)(nl - data) + 1;
		if (line_len == 0)
			break;
		if (memchr(line, '\0', line_len) != NULL)
			return bento_error_set(err, 0, "%s: a NUL byte in the headers", c->source);
		if (strncmp(line, "Length:", 7) == 0)
			have_length = true;
		if (parse_header(c, line, &url, &z_url, err) < 0)
			return -1;
	}
	if (!have_length)
		return bento_error_set(err, 0, "%s: no Length header", c->source);
	if (c->block_size == 0)
		return bento_error_set(err, 0, "%s: no Blocksize header", c->source);
	if (c->sha1[0] == '\0')
		return bento_error_set(
		    err, 0, "%s: no SHA-1 header: the result could not be checked", c->source);
	if (url == NULL)
		return bento_error_set(err, 0,
		                       z_url ? "%s: only a compressed download (Z-URL) is offered, "
		                               "which bento does not read"
		                             : "%s: no URL header",
		                       c->source);
	if (resolve_url(c, control_url, url, err) < 0)
		return -1;
	c->block_shift = (unsigned)__builtin_ctz(c->block_size);
	c->blocks = (c->length + c->block_size - 1) / c->block_size;
	if (parse_block_table(c, (const unsigned char *)data + pos, len - pos, err) < 0)
		return -1;
	*out = steal_pointer(&c);
	return 0;
}
