/* SPDX-License-Identifier: MIT */
/* The zsync client's steps: the seeds first (the old file, --seed files, a
 * previous partial output), then the download of what they lacked, then the
 * SHA-1 of the whole result against the control file. */
#include "update/zsync.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "core/util.h"
#include "update/control.h"
#include "update/fetch.h"
#include "update/progress.h"
#include "update/scan.h"

enum { MAX_CONTROL_BYTES = 64 << 20 };

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int bento_zsync_control_fetch(const char *control_url, const char *user_agent,
                              bento_zsync_control **out, bento_error **err)
{
	pthread_once(&curl_once, curl_init);
	zsync_http_options o = {.user_agent = user_agent};
	autofree char *data = NULL, *final_url = NULL;
	size_t len;
	if (zsync_http_get(control_url, &o, MAX_CONTROL_BYTES, &data, &len, &final_url, err) < 0)
		return -1;
	/* Relative URLs are relative to where the control file was found. */
	if (bento_zsync_control_parse(data, len, final_url, out, err) < 0)
		return -1;
	if (strcmp(final_url, control_url) != 0) {
		free((*out)->source);
		(*out)->source = xstrdup(control_url);
	}
	return 0;
}

int bento_zsync_sha1_of_fd(int fd, char hex[41], bento_error **err)
{
	enum { CHUNK = 1 << 20 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return bento_error_set(err, 0, "SHA-1 is not available from libcrypto");
	}
	autofree unsigned char *buf = xmalloc(CHUNK);
	off_t pos = 0;
	for (;;) {
		ssize_t n = bento_pread_all(fd, buf, CHUNK, pos);
		if (n < 0) {
			EVP_MD_CTX_free(ctx);
			return bento_error_errno(err, "cannot read");
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		pos += n;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	EVP_DigestFinal_ex(ctx, md, &md_len);
	EVP_MD_CTX_free(ctx);
	bento_hex(hex, md, 20);
	return 0;
}

static void scan_freep(zsync_scan **s)
{
	zsync_scan_free(*s);
}

/* One seed into the output; a seed that cannot be used is skipped. */
static int use_seed(zsync_scan *s, const char *path, const struct stat *out_st, int out_fd,
                    zsync_progress *pr, bento_zsync_stats *stats, bento_error **err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		bento_warn("%s: not used as a seed: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		bento_warn("%s: not used as a seed: not a regular file", path);
		return 0;
	}
	if (st.st_dev == out_st->st_dev && st.st_ino == out_st->st_ino) {
		bento_warn("%s: not used as a seed: it is the output file", path);
		return 0;
	}
	double t0 = zsync_now();
	uint64_t found = 0;
	if (zsync_scan_seed(s, fd, (uint64_t)st.st_size, path, out_fd, &found, err) < 0)
		return -1;
	stats->reused += found;
	pr->reused += found;
	char got[32], size[32];
	zsync_human_bytes((double)found, got, sizeof(got));
	zsync_human_bytes((double)st.st_size, size, sizeof(size));
	zsync_progress_event(pr, "%s: %s of the new file found (scanned %s in %.3f s)", path, got,
	                     size, zsync_now() - t0);
	return 0;
}

int bento_zsync_build(const bento_zsync_control *c, const bento_zsync_options *o, int out_fd,
                      bento_zsync_stats *stats, bento_error **err)
{
	pthread_once(&curl_once, curl_init);
	bento_zsync_stats local;
	if (stats == NULL)
		stats = &local;
	*stats = (bento_zsync_stats){.length = c->length};
	struct stat out_st;
	if (fstat(out_fd, &out_st) < 0)
		return bento_error_errno(err, "cannot use the output file");
	if (!S_ISREG(out_st.st_mode))
		return bento_error_set(err, 0, "the output is not a regular file");
	if (ftruncate(out_fd, 0) < 0 || ftruncate(out_fd, (off_t)c->length) < 0)
		return bento_error_errno(err, "cannot size the new file to %" PRIu64 " bytes",
		                         c->length);
	zsync_progress pr;
	zsync_progress_init(&pr, o->progress_fd, o->progress_tty, c->length);
	__attribute__((cleanup(scan_freep))) zsync_scan *s = zsync_scan_new(c);
	for (size_t i = 0; i < o->n_seeds; i++)
		if (use_seed(s, o->seeds[i], &out_st, out_fd, &pr, stats, err) < 0)
			return -1;
	zsync_http_options http = {.user_agent = o->user_agent, .max_retries = o->max_retries};
	if (zsync_fetch_missing(c, s, out_fd, &http, &pr, stats, err) < 0)
		return -1;
	char got[41];
	if (bento_zsync_sha1_of_fd(out_fd, got, err) < 0)
		return bento_error_prefix(err, "the new file");
	if (strcmp(got, c->sha1) != 0)
		return bento_error_set(err, 0,
		                       "%s: the file built has SHA-1 %s, the control file %s says "
		                       "%s: the server's file or the control file is corrupt",
		                       c->url, got, c->source, c->sha1);
	char reused[32], downloaded[32];
	zsync_human_bytes((double)stats->reused, reused, sizeof(reused));
	zsync_human_bytes((double)stats->downloaded, downloaded, sizeof(downloaded));
	pr.finished = true;
	zsync_progress_event(
	    &pr, "done: %s reused, %s downloaded in %" PRIu64 " requests, SHA-1 verified (%.1f s)",
	    reused, downloaded, stats->requests, zsync_now() - pr.start);
	return 0;
}
