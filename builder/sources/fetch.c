/* SPDX-License-Identifier: MIT */
/* Downloads with libcurl into the SHA-256 keyed cache (see fetch.h).  The
 * digest is OpenSSL's, fed with every byte as it is written to the .part
 * file; the .part file is locked (flock) while a download owns it, so two
 * builders fetching the same file wait for each other instead of mixing
 * their bytes. */
#include "sources/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/util.h"
#include "util/digest.h"

#define USER_AGENT "bento-builder/" BENTO_VERSION

enum {
	DEFAULT_ATTEMPTS = 4,
	DEFAULT_RETRY_DELAY_MS = 1000,
	MAX_RETRY_DELAY_MS = 30000,
	DEFAULT_CONNECT_TIMEOUT = 30,
	DEFAULT_STALL_TIMEOUT = 60,
	STALL_SPEED = 1024, /* bytes per second */
	MAX_REDIRECTS = 10,
};

/* ---- small helpers ---- */

bool bento_sha256_hex_valid(const char *s)
{
	size_t i;
	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return i == BENTO_SHA256_HEX_LEN;
}

char *bento_fetch_default_cache_dir(bento_error **err)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	/* The XDG base directory spec: relative values are to be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/bento-builder/downloads", xdg);
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] != '/') {
		bento_error_set(err, 0,
		                "no download cache: neither XDG_CACHE_HOME nor HOME is an "
		                "absolute path");
		return NULL;
	}
	return xasprintf("%s/.cache/bento-builder/downloads", home);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "512 B", "12.3 KiB", "4.5 MiB", "1.2 GiB" */
static void human_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* ---- the cache ---- */

/* 1 if path holds a file whose SHA-256 is hex, 0 if there is none; a file
 * with other contents is removed (and reported in offline mode). */
static int cache_lookup(const char *path, const char *url, const char *hex, bool offline,
                        bento_error **err)
{
	autoclose int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return bento_error_errno(err, "%s: cannot open the cached file %s", url, path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s: cannot stat the cached file %s", url, path);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "%s: the cached %s is not a regular file", url,
		                       path);
	auto_bento_digest digest = bento_digest_new();
	if (bento_digest_add_fd(digest, fd, path, NULL, err) < 0)
		return -1;
	autofree char *got = bento_digest_hex(digest);
	if (strcmp(got, hex) == 0)
		return 1;
	if (unlink(path) < 0 && errno != ENOENT)
		return bento_error_errno(err, "%s: cannot remove the corrupt cached file %s", url,
		                         path);
	if (offline)
		return bento_error_set(err, 0,
		                       "%s: the cached file %s was corrupt (sha256 %s, expected "
		                       "%s) and was removed; offline mode cannot fetch it again",
		                       url, path, got, hex);
	return 0;
}

/* ---- one download ---- */

typedef struct download {
	const char *url;
	const char *part_path;
	int fd;
	bento_digest *sha;
	uint64_t size;         /* bytes in the .part file, all of them hashed */
	uint64_t resumed_from; /* where the current transfer started */
	uint64_t max_size;     /* 0: none */
	bool too_big;
	int write_errno;
	/* the progress bar */
	bool progress;
	bool drawn;
	const char *name;
	double t0, last_draw;
} download;

static int download_reset(download *d, bento_error **err)
{
	if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
		return bento_error_errno(err, "%s: cannot truncate %s", d->url, d->part_path);
	bento_digest_reset(d->sha);
	d->size = 0;
	return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	download *d = userdata;
	size_t n = size * nmemb;
	if (d->max_size != 0 && (n > d->max_size || d->size > d->max_size - n)) {
		d->too_big = true;
		return 0;
	}
	if (bento_write_all(d->fd, ptr, n) < 0) {
		d->write_errno = errno;
		return 0;
	}
	bento_digest_add(d->sha, ptr, n);
	d->size += n;
	return n;
}

static unsigned terminal_columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* NAME  45%  12.3 MiB of 27.0 MiB  1.5 MiB/s  0:10 left */
static void draw_bar(download *d, uint64_t total, bool done)
{
	double elapsed = now_s() - d->t0;
	uint64_t now = d->size;
	uint64_t fresh = now - d->resumed_from;
	double rate = elapsed > 0 ? (double)fresh / elapsed : 0;
	char have[32], all[32], speed[32], rest[192];
	human_bytes((double)now, have, sizeof(have));
	human_bytes(rate, speed, sizeof(speed));
	if (total > 0 && now <= total) {
		unsigned pct = (unsigned)(now * 100 / total);
		human_bytes((double)total, all, sizeof(all));
		if (done) {
			snprintf(rest, sizeof(rest), "%3u%%  %s  %s/s", pct, all, speed);
		} else if (rate > 0) {
			unsigned long left = (unsigned long)((double)(total - now) / rate + 0.5);
			snprintf(rest, sizeof(rest), "%3u%%  %s of %s  %s/s  %lu:%02lu left", pct,
			         have, all, speed, left / 60, left % 60);
		} else {
			snprintf(rest, sizeof(rest), "%3u%%  %s of %s", pct, have, all);
		}
	} else {
		snprintf(rest, sizeof(rest), "%s  %s/s", have, speed);
	}
	unsigned cols = terminal_columns();
	size_t room = cols > strlen(rest) + 3 ? cols - strlen(rest) - 3 : 0;
	int name_len = (int)(strlen(d->name) < room ? strlen(d->name) : room);
	fprintf(stderr, "\r%.*s  %s\033[K%s", name_len, d->name, rest, done ? "\n" : "");
	fflush(stderr);
	d->drawn = !done;
	d->last_draw = now_s();
}

static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	download *d = p;
	if ((dltotal > 0 || dlnow > 0) && now_s() - d->last_draw >= 0.1)
		draw_bar(d, dltotal > 0 ? d->resumed_from + (uint64_t)dltotal : 0, false);
	return 0;
}

static void end_bar(download *d)
{
	if (d->drawn) {
		fputc('\n', stderr);
		d->drawn = false;
	}
}

typedef struct outcome {
	CURLcode rc;
	long http_code;
	long redirects;
	char *effective_url; /* owned */
	char errbuf[CURL_ERROR_SIZE];
} outcome;

static void curl_cleanupp(CURL **c)
{
	if (*c)
		curl_easy_cleanup(*c);
}
#define auto_curl __attribute__((cleanup(curl_cleanupp))) CURL *

#define SETOPT(c, opt, val)                                                                        \
	do {                                                                                       \
		if (curl_easy_setopt((c), (opt), (val)) != CURLE_OK)                               \
			return bento_error_set(err, 0, "%s: libcurl refused option %s", d->url,    \
			                       #opt);                                              \
	} while (0)

/* A libcurl handle for url with what every request of the builder's shares:
 * the protocols, redirects, failing on HTTP errors, the timeout to connect,
 * the error buffer and where the body goes. */
static int curl_for(CURL *c, const download *d, const bento_fetch_options *opt,
                    curl_write_callback write_fn, void *write_data, outcome *out, bento_error **err)
{
	out->errbuf[0] = '\0';
	SETOPT(c, CURLOPT_URL, d->url);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	SETOPT(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(c, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(c, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	SETOPT(c, CURLOPT_FAILONERROR, 1L);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_ERRORBUFFER, out->errbuf);
	SETOPT(c, CURLOPT_USERAGENT, USER_AGENT);
	SETOPT(c, CURLOPT_WRITEFUNCTION, write_fn);
	SETOPT(c, CURLOPT_WRITEDATA, write_data);
	SETOPT(c, CURLOPT_CONNECTTIMEOUT,
	       (long)(opt->connect_timeout ? opt->connect_timeout : DEFAULT_CONNECT_TIMEOUT));
	return 0;
}

/* One transfer from d->size on.  Returns -1 only when libcurl cannot be set
 * up; the transfer's own result is in *out. */
static int transfer(download *d, const bento_fetch_options *opt, outcome *out, bento_error **err)
{
	auto_curl c = curl_easy_init();
	if (c == NULL)
		return bento_error_set(err, 0, "%s: cannot initialise libcurl", d->url);
	if (curl_for(c, d, opt, on_data, d, out, err) < 0)
		return -1;
	SETOPT(c, CURLOPT_LOW_SPEED_LIMIT, (long)STALL_SPEED);
	SETOPT(c, CURLOPT_LOW_SPEED_TIME,
	       (long)(opt->stall_timeout ? opt->stall_timeout : DEFAULT_STALL_TIMEOUT));
	if (d->size > 0)
		SETOPT(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)d->size);
	if (d->max_size != 0)
		SETOPT(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(d->max_size - d->size));
	if (d->progress) {
		SETOPT(c, CURLOPT_NOPROGRESS, 0L);
		SETOPT(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		SETOPT(c, CURLOPT_XFERINFODATA, d);
	}
	d->resumed_from = d->size;
	d->t0 = now_s();
	d->last_draw = 0;
	d->too_big = false;
	d->write_errno = 0;
	out->rc = curl_easy_perform(c);
	out->http_code = 0;
	out->redirects = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_code);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &out->redirects);
	char *eff = NULL;
	free(out->effective_url);
	out->effective_url = NULL;
	if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff != NULL)
		out->effective_url = xstrdup(eff);
	if (out->rc == CURLE_OK && d->progress)
		draw_bar(d, d->size, true);
	end_bar(d);
	return 0;
}

static bool is_transient(const outcome *o)
{
	switch (o->rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	case CURLE_HTTP_RETURNED_ERROR:
		return o->http_code >= 500 || o->http_code == 408 || o->http_code == 429;
	default:
		return false;
	}
}

/* The server could not continue from where the .part file ends. */
static bool cannot_resume(const outcome *o)
{
	return o->rc == CURLE_RANGE_ERROR || o->rc == CURLE_BAD_DOWNLOAD_RESUME ||
	       (o->rc == CURLE_HTTP_RETURNED_ERROR && o->http_code == 416);
}

/* What went wrong, in words (newly allocated). */
static char *describe(const download *d, const outcome *o)
{
	if (o->rc == CURLE_HTTP_RETURNED_ERROR)
		return xasprintf("the server answered with HTTP status %ld", o->http_code);
	if (o->rc == CURLE_UNSUPPORTED_PROTOCOL && o->redirects > 0)
		return xasprintf("redirected to %s, but redirects are followed only to http and "
		                 "https URLs",
		                 o->effective_url ? o->effective_url : "another scheme");
	if (o->rc == CURLE_TOO_MANY_REDIRECTS)
		return xasprintf("more than %d redirects", MAX_REDIRECTS);
	if (o->rc == CURLE_FILESIZE_EXCEEDED || d->too_big)
		return xasprintf("larger than the size limit of %llu bytes",
		                 (unsigned long long)d->max_size);
	if (o->rc == CURLE_WRITE_ERROR && d->write_errno != 0)
		return xasprintf("cannot write %s: %s", d->part_path, strerror(d->write_errno));
	return xstrdup(o->errbuf[0] ? o->errbuf : curl_easy_strerror(o->rc));
}

static void outcome_clear(outcome *o)
{
	free(o->effective_url);
}

static void notice(const bento_fetch_options *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void notice(const bento_fetch_options *opt, const char *fmt, ...)
{
	if (opt->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	autofree char *message = xvasprintf(fmt, ap);
	va_end(ap);
	bento_note("%s", message);
}

static int fsync_dir_of(const char *path)
{
	autofree char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	autoclose int fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -1 : fsync(fd);
}

/* Downloads url into the locked, open .part file d->fd and renames it to
 * final_path once its digest is hex. */
static int download_into(download *d, const bento_fetch_options *opt, const char *hex,
                         const char *final_path, bento_error **err)
{
	unsigned attempts = opt->attempts ? opt->attempts : DEFAULT_ATTEMPTS;
	unsigned delay = opt->retry_delay_ms ? opt->retry_delay_ms : DEFAULT_RETRY_DELAY_MS;
	bool restarted_after_mismatch = false;
	outcome o = {0};
	int r = -1;

	/* What an earlier, interrupted download left. */
	if (bento_digest_add_fd(d->sha, d->fd, d->part_path, &d->size, err) < 0)
		goto out;
	if (d->max_size != 0 && d->size > d->max_size && download_reset(d, err) < 0)
		goto out;
	if (lseek(d->fd, (off_t)d->size, SEEK_SET) < 0) {
		bento_error_errno(err, "%s: cannot seek in %s", d->url, d->part_path);
		goto out;
	}
	for (unsigned attempt = 1;;) {
		if (transfer(d, opt, &o, err) < 0)
			goto out;
		if (o.rc == CURLE_OK && !d->too_big) {
			autofree char *got = bento_digest_hex(d->sha);
			if (strcmp(got, hex) == 0)
				break;
			if (d->resumed_from > 0 && !restarted_after_mismatch) {
				/* The .part file may be the start of another file. */
				notice(opt,
				       "%s: checksum mismatch after resuming; downloading it "
				       "again from the start",
				       d->url);
				restarted_after_mismatch = true;
				if (download_reset(d, err) < 0)
					goto out;
				continue;
			}
			unlink(d->part_path);
			bento_error_set(err, 0,
			                "%s: checksum mismatch: expected sha256 %s, got %s (%llu "
			                "bytes, discarded)",
			                d->url, hex, got, (unsigned long long)d->size);
			goto out;
		}
		if (cannot_resume(&o) && d->resumed_from > 0) {
			notice(opt, "%s: the server cannot resume at byte %llu; starting again",
			       d->url, (unsigned long long)d->resumed_from);
			if (download_reset(d, err) < 0)
				goto out;
			continue;
		}
		autofree char *why = describe(d, &o);
		if (o.rc == CURLE_FILESIZE_EXCEEDED || d->too_big || d->write_errno != 0) {
			unlink(d->part_path);
			bento_error_set(err, d->write_errno, "%s: %s", d->url, why);
			goto out;
		}
		if (is_transient(&o) && attempt < attempts) {
			notice(opt, "%s: %s; retrying in %u.%u s (attempt %u of %u)", d->url, why,
			       delay / 1000, delay % 1000 / 100, attempt + 1, attempts);
			sleep_ms(delay);
			delay = delay > MAX_RETRY_DELAY_MS / 2 ? MAX_RETRY_DELAY_MS : delay * 2;
			attempt++;
			continue;
		}
		if (d->size == 0)
			unlink(d->part_path);
		if (is_transient(&o) && attempts > 1)
			bento_error_set(err, 0, "%s: %s (gave up after %u attempts)", d->url, why,
			                attempts);
		else
			bento_error_set(err, 0, "%s: %s", d->url, why);
		goto out;
	}
	if (fsync(d->fd) < 0) {
		bento_error_errno(err, "%s: cannot write %s", d->url, d->part_path);
		goto out;
	}
	if (rename(d->part_path, final_path) < 0) {
		bento_error_errno(err, "%s: cannot rename %s to %s", d->url, d->part_path,
		                  final_path);
		goto out;
	}
	fsync_dir_of(final_path);
	r = 0;
out:
	outcome_clear(&o);
	return r;
}

/* ---- the record of the URLs an entry was fetched from ---- */

static char *record_path(const char *final_path)
{
	return xasprintf("%s.urls", final_path);
}

static bool url_recorded(const char *final_path, const char *url)
{
	autofree char *path = record_path(final_path);
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_if_present(path, 1 << 20, &data, &len, NULL) <= 0)
		return false;
	size_t n = strlen(url);
	for (const char *line = data; *line;) {
		const char *eol = strchrnul(line, '\n');
		if ((size_t)(eol - line) == n && memcmp(line, url, n) == 0)
			return true;
		line = *eol ? eol + 1 : eol;
	}
	return false;
}

/* Adds url to the record (one line appended whole: O_APPEND, one write).
 * Best effort: without the record, the URL is only asked again. */
static void record_url(const char *final_path, const char *url)
{
	if (strchr(url, '\n') != NULL || url_recorded(final_path, url))
		return;
	autofree char *path = record_path(final_path);
	autofree char *line = xasprintf("%s\n", url);
	autoclose int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || bento_write_all(fd, line, strlen(line)) < 0)
		bento_warn("cannot record %s in %s: %s", url, path, strerror(errno));
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb;
}

/* One question to url: HEAD, or a GET of byte 0 (head false). */
static int probe(const char *url, const bento_fetch_options *opt, bool head, outcome *out,
                 bento_error **err)
{
	const download dl = {.url = url}, *d = &dl; /* (for SETOPT's message) */
	auto_curl c = curl_easy_init();
	if (c == NULL)
		return bento_error_set(err, 0, "%s: cannot initialise libcurl", d->url);
	if (curl_for(c, d, opt, discard, NULL, out, err) < 0)
		return -1;
	SETOPT(c, CURLOPT_TIMEOUT,
	       (long)(opt->stall_timeout ? opt->stall_timeout : DEFAULT_STALL_TIMEOUT));
	if (head)
		SETOPT(c, CURLOPT_NOBODY, 1L);
	else
		SETOPT(c, CURLOPT_RANGE, "0-0");
	out->rc = curl_easy_perform(c);
	out->http_code = 0;
	out->redirects = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_code);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &out->redirects);
	return 0;
}

void bento_url_check_clear(bento_url_check *c)
{
	free(c->why);
	*c = (bento_url_check){0};
}

/* The cache entry's path for hex (lower case), or NULL (*err). */
static char *entry_path(const bento_fetch_options *opt, const char *hex, bento_error **err)
{
	if (opt->cache_dir)
		return xasprintf("%s/sha256/%s", opt->cache_dir, hex);
	autofree char *dir = bento_fetch_default_cache_dir(err);
	return dir ? xasprintf("%s/sha256/%s", dir, hex) : NULL;
}

static int check_url_at(const bento_fetch_options *opt, const char *url, const char *final_path,
                        bento_url_check *out, bento_error **err)
{
	*out = (bento_url_check){0};
	out->cached = access(final_path, F_OK) == 0;
	outcome o = {0};
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return bento_error_set(err, 0, "%s: cannot initialise libcurl", url);
	int r = probe(url, opt, true, &o, err);
	/* Some servers refuse HEAD (405, 501) where GET works. */
	if (r == 0 && o.rc == CURLE_HTTP_RETURNED_ERROR &&
	    (o.http_code == 405 || o.http_code == 501 || o.http_code == 403))
		r = probe(url, opt, false, &o, err);
	curl_global_cleanup();
	if (r < 0)
		return -1;
	out->answers = o.rc == CURLE_OK;
	if (out->answers) {
		if (out->cached)
			record_url(final_path, url);
		return 0;
	}
	out->transient = is_transient(&o);
	const download d = {.url = url};
	out->why = describe(&d, &o);
	return 0;
}

/* The cache's name for sha256_hex: its lower-case form, in hex. */
static int cache_hex(const char *url, const char *sha256_hex, char hex[BENTO_SHA256_HEX_LEN + 1],
                     bento_error **err)
{
	if (!bento_sha256_hex_valid(sha256_hex))
		return bento_error_set(err, 0, "%s: sha256 '%s' is not 64 hexadecimal digits", url,
		                       sha256_hex);
	for (size_t i = 0; i <= BENTO_SHA256_HEX_LEN; i++)
		hex[i] = (char)tolower((unsigned char)sha256_hex[i]);
	return 0;
}

int bento_fetch_check_url(const bento_fetch_options *opt, const char *url, const char *sha256_hex,
                          bento_url_check *out, bento_error **err)
{
	*out = (bento_url_check){0};
	char hex[BENTO_SHA256_HEX_LEN + 1];
	if (cache_hex(url, sha256_hex, hex, err) < 0)
		return -1;
	autofree char *final_path = entry_path(opt, hex, err);
	if (final_path == NULL)
		return -1;
	return check_url_at(opt, url, final_path, out, err);
}

/* A cache hit for a URL this cache never fetched it from: the URL is asked
 * once, so that a wrong URL fails here as it would for anyone without the
 * entry.  No answer for now (no connection, 5xx) is a warning: it is asked
 * again next time. */
static int check_hit(const bento_fetch_options *opt, const char *url, const char *hex,
                     const char *final_path, bento_error **err)
{
	if (opt->offline || url_recorded(final_path, url))
		return 0;
	bento_url_check c = {0};
	if (check_url_at(opt, url, final_path, &c, err) < 0)
		return -1;
	int r = 0;
	if (!c.answers && c.transient)
		bento_warn("%s: the download cache has its file (sha256 %s), but the URL cannot "
		           "be checked now (%s); it is asked again on the next build",
		           url, hex, c.why);
	else if (!c.answers)
		r = bento_error_set(err, 0,
		                    "%s: %s.  The download cache has a file with its sha256 %s, "
		                    "fetched from another URL: this source works only where that "
		                    "file is cached.  Fix the URL (`bento-builder check --urls` "
		                    "asks every source)",
		                    url, c.why, hex);
	bento_url_check_clear(&c);
	return r;
}

/* The scheme of url, lower case, or NULL if url is no URL at all. */
static char *url_scheme(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *copy = NULL;
	if (u == NULL)
		return NULL;
	/* NON_SUPPORT_SCHEME: parse ftp:// and others too, to refuse them by name. */
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && scheme != NULL) {
		copy = xstrdup(scheme);
		for (char *p = copy; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	return copy;
}

int bento_fetch(const bento_fetch_options *opt, const char *url, const char *sha256_hex,
                char **cached_path, bento_error **err)
{
	static const bento_fetch_options defaults = {0};
	if (opt == NULL)
		opt = &defaults;
	*cached_path = NULL;
	char hex[BENTO_SHA256_HEX_LEN + 1];
	if (cache_hex(url, sha256_hex, hex, err) < 0)
		return -1;

	autofree char *scheme = url_scheme(url);
	if (scheme == NULL)
		return bento_error_set(err, 0, "%s: not a valid URL", url);
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
	    strcmp(scheme, "file") != 0)
		return bento_error_set(err, 0,
		                       "%s: %s URLs are not supported (only http, https and file)",
		                       url, scheme);

	autofree char *default_dir = NULL;
	const char *cache = opt->cache_dir;
	if (cache == NULL) {
		default_dir = bento_fetch_default_cache_dir(err);
		if (default_dir == NULL)
			return -1;
		cache = default_dir;
	}
	autofree char *dir = xasprintf("%s/sha256", cache);
	autofree char *final_path = xasprintf("%s/%s", dir, hex);
	autofree char *part_path = xasprintf("%s.part", final_path);

	autoclose int fd = -1;
	for (;;) {
		int hit = cache_lookup(final_path, url, hex, opt->offline, err);
		if (hit < 0)
			return -1;
		if (hit) {
			if (check_hit(opt, url, hex, final_path, err) < 0)
				return -1;
			*cached_path = steal_pointer(&final_path);
			return 0;
		}
		if (opt->offline)
			return bento_error_set(err, 0,
			                       "%s: not in the download cache (sha256 %s, looked "
			                       "for %s) and offline mode forbids downloading",
			                       url, hex, final_path);
		if (bento_mkdir_p(dir, 0755, err) < 0)
			return -1;
		fd = open(part_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return bento_error_errno(err, "%s: cannot open %s", url, part_path);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return bento_error_errno(err, "%s: cannot lock %s", url, part_path);
		/* Whoever held the lock may have finished: then the .part file we
		 * hold is the cached file or gone, and the cache has it now. */
		struct stat held, named;
		if (fstat(fd, &held) == 0 && stat(part_path, &named) == 0 &&
		    held.st_dev == named.st_dev && held.st_ino == named.st_ino &&
		    access(final_path, F_OK) < 0)
			break;
		close(steal_fd(&fd));
	}

	auto_bento_digest sha = bento_digest_new();
	const char *slash = strrchr(url, '/');
	download d = {
	    .url = url,
	    .part_path = part_path,
	    .fd = fd,
	    .sha = sha,
	    .max_size = opt->max_size,
	    .progress = opt->progress == BENTO_FETCH_PROGRESS_ALWAYS ||
	                (opt->progress == BENTO_FETCH_PROGRESS_AUTO && isatty(STDERR_FILENO)),
	    .name = slash != NULL && slash[1] != '\0' ? slash + 1 : url,
	};
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return bento_error_set(err, 0, "%s: cannot initialise libcurl", url);
	int r = download_into(&d, opt, hex, final_path, err);
	curl_global_cleanup();
	if (r < 0)
		return -1;
	record_url(final_path, url);
	*cached_path = steal_pointer(&final_path);
	return 0;
}
