/* SPDX-License-Identifier: MIT */
/* A range request's answer is taken apart as it arrives: 206 with
 * multipart/byteranges (each part's Content-Range says where its bytes go),
 * 206 with one Content-Range, or 200 with the whole file (a server that
 * ignores Range).  Every part must describe a file of the control file's
 * Length; bytes go straight into the output file with pwrite, and a block
 * counts as had only once all of it arrived, so a request cut short is
 * retried for what it did not deliver.  The SHA-1 check at the end is the
 * last word: a server lying within those rules gives a refused file, never a
 * wrong one. */
#include "update/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/util.h"

enum {
	DEFAULT_RETRIES = 5,
	RETRY_BASE_MS = 250,
	RETRY_MAX_MS = 8000,
	CONNECT_TIMEOUT = 30,
	STALL_TIMEOUT = 30, /* seconds below STALL_SPEED */
	STALL_SPEED = 1,
	MAX_REDIRECTS = 10,
	RANGES_PER_REQUEST = 64,
	MAX_PART_LINE = 1024,
	PROBE_RANGES = 2,
	PROBE_RCVBUF = 16 * 1024,
};

/* ---- shared by both kinds of request ---- */

static CURL *easy_for(const char *url, const zsync_http_options *o)
{
	CURL *h = curl_easy_init();
	if (h == NULL)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_USERAGENT,
	                 o->user_agent ? o->user_agent : "bento/" BENTO_VERSION);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)STALL_SPEED);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)STALL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	/* Identity only: ranges are offsets into the file as stored. */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
	return h;
}

/* A small receive buffer for the first multi-range request: a server that
 * answers it with the whole file is stopped before the kernel has taken in
 * megabytes of it. */
static int small_receive_buffer(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	int size = PROBE_RCVBUF;
	if (purpose == CURLSOCKTYPE_IPCXN)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return CURL_SOCKOPT_OK;
}

static void easy_cleanup(CURL **h)
{
	if (*h)
		curl_easy_cleanup(*h);
}
#define auto_easy __attribute__((cleanup(easy_cleanup))) CURL *

static bool transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status >= 500;
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static void backoff(unsigned attempt)
{
	unsigned ms = RETRY_BASE_MS;
	for (unsigned i = 1; i < attempt && ms < RETRY_MAX_MS; i++)
		ms *= 2;
	if (ms > RETRY_MAX_MS)
		ms = RETRY_MAX_MS;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static unsigned retries_of(const zsync_http_options *o)
{
	return o->max_retries ? o->max_retries : DEFAULT_RETRIES;
}

static const char *failure(CURLcode rc, long status, char buf[64])
{
	if (rc != CURLE_OK)
		return curl_easy_strerror(rc);
	snprintf(buf, 64, "HTTP status %ld", status);
	return buf;
}

/* ---- a whole small file (the control file) ---- */

typedef struct memory {
	char *data;
	size_t len, max;
	bool too_big;
} memory;

static size_t to_memory(char *ptr, size_t size, size_t n, void *arg)
{
	memory *m = arg;
	size_t add = size * n;
	if (add > m->max - m->len) {
		m->too_big = true;
		return 0;
	}
	char *grown = realloc(m->data, m->len + add + 1);
	if (grown == NULL)
		return 0;
	m->data = grown;
	memcpy(m->data + m->len, ptr, add);
	m->len += add;
	m->data[m->len] = '\0';
	return add;
}

int zsync_http_get(const char *url, const zsync_http_options *o, size_t max, char **data,
                   size_t *len, char **final_url, bento_error **err)
{
	for (unsigned attempt = 0;; attempt++) {
		auto_easy h = easy_for(url, o);
		if (h == NULL)
			return bento_error_set(err, ENOMEM, "%s: cannot set up a transfer", url);
		memory m = {.max = max};
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_memory);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &m);
		CURLcode rc = curl_easy_perform(h);
		long status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status == 200) {
			char *eff = NULL;
			curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
			*final_url = xstrdup(eff ? eff : url);
			*data = m.data ? m.data : xstrdup("");
			*len = m.len;
			return 0;
		}
		free(m.data);
		if (m.too_big)
			return bento_error_set(err, EFBIG, "%s: larger than %zu bytes", url, max);
		char buf[64];
		if (!transient(rc, status) || attempt >= retries_of(o))
			return bento_error_set(err, 0, "%s: %s%s", url, failure(rc, status, buf),
			                       attempt ? " (gave up after retries)" : "");
		backoff(attempt + 1);
	}
}

/* ---- ranges ---- */

typedef struct range {
	uint64_t start, end; /* [start, end) */
} range;

/* Up to max ranges of missing blocks from block *from on (merging adjacent
 * blocks); *from moves to the first missing block. */
static size_t missing_ranges(const bento_zsync_control *c, const zsync_scan *s, uint64_t *from,
                             range *out, size_t max)
{
	while (*from < c->blocks && zsync_scan_have(s, *from))
		(*from)++;
	size_t n = 0;
	for (uint64_t id = *from; id < c->blocks; id++) {
		if (zsync_scan_have(s, id))
			continue;
		uint64_t start = id << c->block_shift;
		uint64_t end = start + c->block_size;
		if (end > c->length)
			end = c->length;
		if (n > 0 && out[n - 1].end == start)
			out[n - 1].end = end;
		else if (n < max)
			out[n++] = (range){start, end};
		else
			break;
	}
	return n;
}

static uint64_t missing_bytes(const bento_zsync_control *c, const zsync_scan *s)
{
	uint64_t sum = 0;
	for (uint64_t id = 0; id < c->blocks; id++)
		if (!zsync_scan_have(s, id)) {
			uint64_t start = id << c->block_shift;
			sum +=
			    c->length - start < c->block_size ? c->length - start : c->block_size;
		}
	return sum;
}

/* ---- one range request and its answer ---- */

typedef enum answer {
	UNDECIDED,
	MULTIPART, /* 206 multipart/byteranges */
	ONE_PART,  /* 206 with one Content-Range */
	WHOLE,     /* 200: the whole file */
	REFUSED,   /* 200 to a multi-range request: try single ranges */
	NOT_DATA,  /* an error status: its body is ignored */
} answer;

typedef enum part_state { PREAMBLE, PART_HEADERS, PART_DATA, AFTER_DATA, EPILOGUE } part_state;

typedef struct request {
	CURL *easy;
	const bento_zsync_control *c;
	zsync_scan *s;
	int out_fd;
	zsync_progress *pr;
	bento_zsync_stats *stats;
	size_t n_ranges;
	/* the answer's headers (of the last response, after redirects) */
	long status;
	char content_type[256];
	char content_range[128];
	bool accepts_ranges; /* Accept-Ranges: bytes */
	answer kind;
	/* where the current part's bytes go */
	uint64_t part_start, pos, part_end;
	bool in_part;
	/* the multipart parser */
	part_state state;
	char boundary[80];
	char line[MAX_PART_LINE];
	size_t line_len;
	uint64_t progress; /* blocks marked by this request */
	CURLcode curl_rc;
	char *problem; /* why the answer was rejected */
	int errnum;
} request;

static size_t reject(request *r, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t reject(request *r, int errnum, const char *fmt, ...)
{
	if (r->problem == NULL) {
		va_list ap;
		va_start(ap, fmt);
		r->problem = xvasprintf(fmt, ap);
		va_end(ap);
		r->errnum = errnum;
	}
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	request *r = arg;
	size_t len = size * n;
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100): forget the last one's. */
		r->content_type[0] = r->content_range[0] = '\0';
		r->accepts_ranges = false;
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (colon == NULL)
		return len;
	size_t key_len = (size_t)(colon - buf);
	const char *v = colon + 1;
	size_t v_len = len - key_len - 1;
	while (v_len > 0 && (*v == ' ' || *v == '\t'))
		v++, v_len--;
	while (v_len > 0 && (v[v_len - 1] == '\r' || v[v_len - 1] == '\n' || v[v_len - 1] == ' '))
		v_len--;
	char *dst = NULL;
	size_t dst_size = 0;
	if (key_len == 12 && strncasecmp(buf, "Content-Type", 12) == 0)
		dst = r->content_type, dst_size = sizeof(r->content_type);
	else if (key_len == 13 && strncasecmp(buf, "Content-Range", 13) == 0)
		dst = r->content_range, dst_size = sizeof(r->content_range);
	if (key_len == 13 && strncasecmp(buf, "Accept-Ranges", 13) == 0)
		r->accepts_ranges = v_len >= 5 && strncasecmp(v, "bytes", 5) == 0;
	if (dst != NULL) {
		if (v_len >= dst_size)
			v_len = dst_size - 1;
		memcpy(dst, v, v_len);
		dst[v_len] = '\0';
	}
	return len;
}

/* "bytes A-B/TOTAL" with A <= B < TOTAL == the control file's Length. */
static bool parse_content_range(request *r, const char *v)
{
	uint64_t a, b, total;
	char extra;
	if (strncasecmp(v, "bytes ", 6) != 0 ||
	    sscanf(v + 6, "%" SCNu64 "-%" SCNu64 "/%" SCNu64 "%c", &a, &b, &total, &extra) != 3 ||
	    a > b) {
		reject(r, 0, "invalid Content-Range \"%s\"", v);
		return false;
	}
	if (total != r->c->length || b >= total) {
		reject(r, 0,
		       "the server's file has %" PRIu64 " bytes, the control file says %" PRIu64
		       ": they do not describe the same file",
		       total, r->c->length);
		return false;
	}
	r->part_start = r->pos = a;
	r->part_end = b + 1;
	r->in_part = true;
	return true;
}

/* Marks the blocks wholly inside [start, end). */
static void mark_blocks(request *r, uint64_t start, uint64_t end)
{
	const bento_zsync_control *c = r->c;
	uint64_t first = (start + c->block_size - 1) >> c->block_shift;
	for (uint64_t id = first; id < c->blocks; id++) {
		uint64_t b_start = id << c->block_shift;
		uint64_t b_end =
		    b_start + c->block_size < c->length ? b_start + c->block_size : c->length;
		if (b_end > end)
			break;
		if (!zsync_scan_have(r->s, id)) {
			zsync_scan_mark(r->s, id);
			r->progress++;
		}
	}
}

/* Writes part data; false when it cannot. */
static bool part_data(request *r, const char *p, size_t len)
{
	if (len > r->part_end - r->pos) {
		reject(r, 0, "the server sent more bytes than %s",
		       r->kind == WHOLE ? "the control file's Length" : "its Content-Range says");
		return false;
	}
	if (pwrite(r->out_fd, p, len, (off_t)r->pos) != (ssize_t)len) {
		reject(r, errno ? errno : EIO, "cannot write the new file: %s",
		       strerror(errno ? errno : EIO));
		return false;
	}
	r->pos += len;
	r->stats->downloaded += len;
	r->pr->downloaded += len;
	if (r->pos == r->part_end) {
		mark_blocks(r, r->part_start, r->part_end);
		r->in_part = false;
	}
	zsync_progress_update(r->pr);
	return true;
}

static bool find_boundary(request *r)
{
	const char *b = strcasestr(r->content_type, "boundary=");
	if (b == NULL)
		return false;
	b += 9;
	bool quoted = *b == '"';
	b += quoted;
	size_t len = strcspn(b, quoted ? "\"" : "; \t");
	if (len == 0 || len > 70)
		return false;
	memcpy(r->boundary, b, len);
	r->boundary[len] = '\0';
	return true;
}

/* One line of the multipart framing (CR LF already removed). */
static bool part_line(request *r, const char *line)
{
	bool delimiter = line[0] == '-' && line[1] == '-' &&
	                 strncmp(line + 2, r->boundary, strlen(r->boundary)) == 0;
	const char *rest = delimiter ? line + 2 + strlen(r->boundary) : NULL;
	switch (r->state) {
	case PREAMBLE:
	case AFTER_DATA:
		if (delimiter && strcmp(rest, "--") == 0) {
			r->state = EPILOGUE;
		} else if (delimiter && rest[0] == '\0') {
			r->state = PART_HEADERS;
			r->content_range[0] = '\0';
			r->in_part = false;
		} else if (r->state == AFTER_DATA && line[0] != '\0') {
			reject(r, 0, "malformed multipart answer: \"%.60s\" after a part", line);
			return false;
		}
		return true;
	case PART_HEADERS:
		if (line[0] == '\0') {
			if (!r->in_part) {
				reject(r, 0, "a part of the multipart answer has no Content-Range");
				return false;
			}
			r->state = PART_DATA;
			return true;
		}
		if (strncasecmp(line, "Content-Range:", 14) == 0) {
			const char *v = line + 14;
			while (*v == ' ' || *v == '\t')
				v++;
			return parse_content_range(r, v);
		}
		return true;
	default:
		return true;
	}
}

static bool multipart(request *r, const char *p, size_t len)
{
	while (len > 0) {
		if (r->state == PART_DATA) {
			size_t take =
			    r->part_end - r->pos < len ? (size_t)(r->part_end - r->pos) : len;
			if (!part_data(r, p, take))
				return false;
			p += take, len -= take;
			if (r->pos == r->part_end)
				r->state = AFTER_DATA;
			continue;
		}
		if (r->state == EPILOGUE)
			return true;
		const char *nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p) + 1 : len;
		if (r->line_len + take >= sizeof(r->line)) {
			reject(r, 0, "malformed multipart answer: a line of more than %d bytes",
			       MAX_PART_LINE);
			return false;
		}
		memcpy(r->line + r->line_len, p, take);
		r->line_len += take;
		p += take, len -= take;
		if (nl == NULL)
			continue;
		r->line[--r->line_len] = '\0';
		if (r->line_len > 0 && r->line[r->line_len - 1] == '\r')
			r->line[--r->line_len] = '\0';
		r->line_len = 0;
		if (!part_line(r, r->line))
			return false;
	}
	return true;
}

/* The first bytes of the body: what kind of answer is it? */
static bool decide(request *r, CURL *h)
{
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status == 206) {
		if (strncasecmp(r->content_type, "multipart/byteranges", 20) == 0) {
			if (!find_boundary(r)) {
				reject(r, 0, "a multipart answer without a usable boundary");
				return false;
			}
			r->kind = MULTIPART;
			r->state = PREAMBLE;
			return true;
		}
		r->kind = ONE_PART;
		if (r->content_range[0] == '\0') {
			reject(r, 0, "a 206 answer without Content-Range");
			return false;
		}
		return parse_content_range(r, r->content_range);
	}
	if (r->status == 200) {
		/* A server that says it serves ranges refuses only several at
		 * once: stop this whole file and ask for one range at a time.
		 * One that does not is sending the whole file anyway: take it. */
		if (r->n_ranges > 1 && r->accepts_ranges) {
			r->kind = REFUSED;
			return false;
		}
		r->kind = WHOLE;
		r->part_start = r->pos = 0;
		r->part_end = r->c->length;
		r->in_part = true;
		return true;
	}
	r->kind = NOT_DATA;
	return false;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	request *r = arg;
	size_t len = size * n;
	if (r->kind == UNDECIDED && !decide(r, r->easy))
		return 0;
	switch (r->kind) {
	case MULTIPART:
		return multipart(r, p, len) ? len : 0;
	case ONE_PART:
	case WHOLE:
		if (!r->in_part)
			return reject(r, 0,
			              "the server sent more bytes than its Content-Range says");
		return part_data(r, p, len) ? len : 0;
	default:
		return 0;
	}
}

static char *range_header(const range *rs, size_t n)
{
	size_t cap = n * 44 + 1, used = 0;
	char *s = xmalloc(cap);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(s + used, cap - used, "%s%" PRIu64 "-%" PRIu64,
		                         i ? "," : "", rs[i].start, rs[i].end - 1);
	return s;
}

/* One request for rs; 0 done (maybe partly: the blocks say), 1 retry, 2 the
 * server refuses multi-range, -1 an error that no retry mends. */
static int one_request(CURL *h, request *r, const range *rs, size_t n, bento_error **err)
{
	autofree char *ranges = range_header(rs, n);
	r->easy = h;
	curl_easy_setopt(h, CURLOPT_RANGE, ranges);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	r->stats->requests++;
	CURLcode rc = curl_easy_perform(h);
	r->curl_rc = rc;
	if (r->status == 0)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	const char *url = r->c->url;
	if (r->problem != NULL)
		return bento_error_set(err, r->errnum, "%s: %s", url, r->problem);
	if (r->kind == REFUSED)
		return 2;
	if (rc == CURLE_OK && r->kind == UNDECIDED && (r->status == 206 || r->status == 200))
		return bento_error_set(err, 0, "%s: an empty answer to a range request", url);
	if (rc == CURLE_OK && (r->status == 206 || r->status == 200)) {
		if (r->kind == WHOLE && r->pos != r->c->length)
			return bento_error_set(err, 0,
			                       "%s: the server's file has %" PRIu64
			                       " bytes, the control file says %" PRIu64,
			                       url, r->pos, r->c->length);
		return 0;
	}
	char buf[64];
	if (rc == CURLE_WRITE_ERROR && r->kind == NOT_DATA)
		rc = r->curl_rc = CURLE_OK; /* we stopped reading an error page */
	if (transient(rc, r->status))
		return 1;
	return bento_error_set(err, 0, "%s: %s", url, failure(rc, r->status, buf));
}

int zsync_fetch_missing(const bento_zsync_control *c, zsync_scan *s, int out_fd,
                        const zsync_http_options *o, zsync_progress *pr, bento_zsync_stats *stats,
                        bento_error **err)
{
	pr->needed = missing_bytes(c, s);
	if (pr->needed == 0)
		return 0;
	char need[32];
	zsync_human_bytes((double)pr->needed, need, sizeof(need));
	zsync_progress_event(pr, "fetching %s (%" PRIu64 " bytes) from %s", need, pr->needed,
	                     c->url);
	pr->fetch_start = zsync_now();
	auto_easy h = easy_for(c->url, o);
	if (h == NULL)
		return bento_error_set(err, ENOMEM, "%s: cannot set up a transfer", c->url);
	/* Until a server has answered several ranges with a multipart answer,
	 * it is probed with a small request on a connection of its own. */
	bool probing = true;
	size_t per_request = RANGES_PER_REQUEST;
	unsigned failures = 0;
	uint64_t from = 0;
	range rs[RANGES_PER_REQUEST];
	for (;;) {
		size_t n = missing_ranges(c, s, &from, rs, probing ? PROBE_RANGES : per_request);
		if (n == 0)
			break;
		probing = probing && n > 1;
		curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, probing ? small_receive_buffer : NULL);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, probing ? 1L : 0L);
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, probing ? 1L : 0L);
		request r = {
		    .c = c, .s = s, .out_fd = out_fd, .pr = pr, .stats = stats, .n_ranges = n};
		int rc = one_request(h, &r, rs, n, err);
		free(r.problem);
		if (rc < 0) {
			zsync_progress_clear(pr);
			return -1;
		}
		if (r.kind == MULTIPART)
			probing = false;
		if (rc == 2) {
			probing = false;
			zsync_progress_event(pr,
			                     "%s: the server refuses multi-range requests: "
			                     "asking for one range at a time",
			                     c->url);
			per_request = 1;
			continue;
		}
		if (r.progress > 0)
			failures = 0;
		else if (rc == 0)
			/* An answer that delivered none of what was asked (a part
			 * elsewhere, cut short): as good as a transient failure. */
			rc = 1;
		if (rc == 1) {
			char buf[64];
			if (++failures > retries_of(o)) {
				zsync_progress_clear(pr);
				return bento_error_set(
				    err, 0, "%s: giving up after %u attempts: %s", c->url, failures,
				    failure(r.curl_rc, r.status, buf));
			}
			zsync_progress_event(pr, "%s: %s, retrying (%u of %u)", c->url,
			                     failure(r.curl_rc, r.status, buf), failures,
			                     retries_of(o));
			backoff(failures);
		}
	}
	zsync_progress_clear(pr);
	return 0;
}
