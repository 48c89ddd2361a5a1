/* SPDX-License-Identifier: MIT */
/* The fetch and unpack verbs: option parsing around bento_fetch() and
 * bento_unpack(). */
#include "cmd/fetch.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sources/fetch.h"
#include "sources/unpack.h"

#define PROG "bento-builder"
#define EXIT_USAGE 2

void bento_builder_fetch_usage(FILE *out)
{
	fputs("Usage: " PROG " fetch [OPTION...] URL SHA256\n"
	      "\n"
	      "Download URL into the download cache, check that its SHA-256 digest is SHA256\n"
	      "and print the path of the cached file.  A file already in the cache is not\n"
	      "downloaded again.  Only http, https and file URLs are fetched; redirects are\n"
	      "followed to http and https URLs only.  Interrupted downloads are resumed and\n"
	      "transient failures retried.\n"
	      "\n"
	      "Options:\n"
	      "      --cache DIR         the download cache (default:\n"
	      "                          ${XDG_CACHE_HOME:-~/.cache}/bento-builder/downloads)\n"
	      "      --offline           use only the cache; never download\n"
	      "      --max-size SIZE     refuse files larger than SIZE bytes (K, M, G suffixes)\n"
	      "      --attempts N        tries in all for transient failures (default: 4)\n"
	      "      --no-progress       no progress bar (there is one only on a terminal)\n"
	      "  -h, --help              show this help and exit\n"
	      "\n"
	      "Exit status: 0 on success, 1 on failure (checksum mismatch, download error,\n"
	      "missing cache entry in offline mode), 2 on a usage error.\n",
	      out);
}

void bento_builder_unpack_usage(FILE *out)
{
	fputs("Usage: " PROG " unpack [OPTION...] ARCHIVE DIR\n"
	      "\n"
	      "Unpack ARCHIVE (tar, optionally compressed with gzip, bzip2, xz, lzma or\n"
	      "zstd; zip; or with --deb, the files of a Debian package) into DIR, which must\n"
	      "be missing or empty, as a build unpacks a source.\n"
	      "\n"
	      "Absolute paths, '..' components, links leading out of DIR, writing through a\n"
	      "symbolic link, device nodes, fifos and sockets are refused; setuid and setgid\n"
	      "bits are dropped.  On failure DIR is left empty (removed if it was missing).\n"
	      "\n"
	      "Options:\n"
	      "      --strip-components N  drop N leading path components; entries with no\n"
	      "                            more components are skipped\n"
	      "      --deb                 ARCHIVE is a .deb: unpack its data.tar, with usr/\n"
	      "                            lifted to the top (as --lift-dir usr)\n"
	      "      --lift-dir NAME       paths starting with the directory NAME lose it\n"
	      "                            (after --strip-components); empty: none\n"
	      "      --max-size SIZE       refuse archives unpacking to more than SIZE bytes\n"
	      "                            (K, M, G suffixes; default: 16G)\n"
	      "      --max-entries N       refuse archives of more than N entries\n"
	      "                            (default: 1000000)\n"
	      "  -h, --help                show this help and exit\n"
	      "\n"
	      "Exit status: 0 on success, 1 on failure, 2 on a usage error.\n",
	      out);
}

/* A decimal number, with an optional K, M or G (powers of 1024) suffix when
 * sized is set; nothing else, no overflow. */
static int parse_number(const char *opt, const char *arg, bool sized, uint64_t *out,
                        bento_error **err)
{
	uint64_t v = 0, unit = 1;
	const char *p = arg;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return bento_error_usage(err, "%s %s: too large", opt, arg);
		v = v * 10 + d;
	}
	if (sized && p[0] != '\0' && p[1] == '\0') {
		const char *units = "KMG";
		const char *u = strchr(units, p[0] & ~0x20);
		if (u != NULL) {
			unit = 1ULL << (10 * (u - units + 1));
			p++;
		}
	}
	if (p == arg || *p != '\0')
		return bento_error_usage(
		    err, "%s %s: not a number%s", opt, arg,
		    sized ? " of bytes (digits, optionally followed by K, M or G)" : "");
	if (v > UINT64_MAX / unit)
		return bento_error_usage(err, "%s %s: too large", opt, arg);
	*out = v * unit;
	return 0;
}

static int getopt_error(const char *verb, int c, char **argv, bento_error **err)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		return bento_error_usage(err, "%s: option %s needs an argument", verb, arg);
	return bento_error_usage(err, "%s: unknown option %s (see " PROG " %s --help)", verb, arg,
	                         verb);
}

/* ---- fetch ---- */

enum { OPT_CACHE = 256, OPT_OFFLINE, OPT_MAX_SIZE, OPT_ATTEMPTS, OPT_NO_PROGRESS };

static const struct option fetch_long_options[] = {
    {"cache", required_argument, NULL, OPT_CACHE},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"attempts", required_argument, NULL, OPT_ATTEMPTS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int fetch_option(int c, bento_fetch_options *o, bento_error **err)
{
	uint64_t v;
	switch (c) {
	case OPT_CACHE:
		o->cache_dir = optarg;
		return 0;
	case OPT_OFFLINE:
		o->offline = true;
		return 0;
	case OPT_MAX_SIZE:
		if (parse_number("--max-size", optarg, true, &v, err) < 0)
			return -1;
		if (v == 0)
			return bento_error_usage(err, "--max-size 0: must be at least 1 byte");
		o->max_size = v;
		return 0;
	case OPT_ATTEMPTS:
		if (parse_number("--attempts", optarg, false, &v, err) < 0)
			return -1;
		if (v == 0 || v > 100)
			return bento_error_usage(err, "--attempts %s: must be from 1 to 100",
			                         optarg);
		o->attempts = (unsigned)v;
		return 0;
	case OPT_NO_PROGRESS:
		o->progress = BENTO_FETCH_PROGRESS_NEVER;
		return 0;
	default:
		return -1;
	}
}

static int fetch(int argc, char **argv, bento_error **err)
{
	bento_fetch_options o = {0};
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", fetch_long_options, NULL)) != -1) {
		if (c == 'h') {
			bento_builder_fetch_usage(stdout);
			return 0;
		}
		if (c == '?' || c == ':')
			return getopt_error("fetch", c, argv, err);
		if (fetch_option(c, &o, err) < 0)
			return -1;
	}
	if (argc - optind != 2)
		return bento_error_usage(err,
		                         "fetch: needs URL and SHA256 (see " PROG " fetch --help)");
	const char *url = argv[optind], *sha = argv[optind + 1];
	if (!bento_sha256_hex_valid(sha))
		return bento_error_usage(
		    err, "fetch: '%s' is not a SHA-256 digest (64 hexadecimal digits)", sha);
	autofree char *path = NULL;
	if (bento_fetch(&o, url, sha, &path, err) < 0)
		return -1;
	printf("%s\n", path);
	return 0;
}

int bento_builder_fetch(int argc, char **argv)
{
	bento_error *err = NULL;
	if (fetch(argc, argv, &err) == 0)
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	return bento_error_report(err, PROG, 1);
}

/* ---- unpack ---- */

enum { OPT_STRIP = 256, OPT_DEB, OPT_LIFT, OPT_UMAX_SIZE, OPT_MAX_ENTRIES };

static const struct option unpack_long_options[] = {
    {"strip-components", required_argument, NULL, OPT_STRIP},
    {"deb", no_argument, NULL, OPT_DEB},
    {"lift-dir", required_argument, NULL, OPT_LIFT},
    {"max-size", required_argument, NULL, OPT_UMAX_SIZE},
    {"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int unpack_option(int c, bento_unpack_options *o, const char **lift, bento_error **err)
{
	uint64_t v;
	switch (c) {
	case OPT_STRIP:
		if (parse_number("--strip-components", optarg, false, &v, err) < 0)
			return -1;
		if (v > 1000)
			return bento_error_usage(err, "--strip-components %s: at most 1000",
			                         optarg);
		o->strip_components = (unsigned)v;
		return 0;
	case OPT_DEB:
		o->deb = true;
		return 0;
	case OPT_LIFT:
		if (strchr(optarg, '/') != NULL || strcmp(optarg, ".") == 0 ||
		    strcmp(optarg, "..") == 0)
			return bento_error_usage(
			    err, "--lift-dir %s: must be a single directory name", optarg);
		*lift = optarg;
		return 0;
	case OPT_UMAX_SIZE:
	case OPT_MAX_ENTRIES:
		if (parse_number(c == OPT_UMAX_SIZE ? "--max-size" : "--max-entries", optarg,
		                 c == OPT_UMAX_SIZE, &v, err) < 0)
			return -1;
		if (v == 0)
			return bento_error_usage(err, "%s 0: must be at least 1",
			                         c == OPT_UMAX_SIZE ? "--max-size"
			                                            : "--max-entries");
		*(c == OPT_UMAX_SIZE ? &o->max_bytes : &o->max_entries) = v;
		return 0;
	default:
		return -1;
	}
}

static int unpack(int argc, char **argv, bento_error **err)
{
	bento_unpack_options o = {0};
	const char *lift = NULL; /* NULL: not given */
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", unpack_long_options, NULL)) != -1) {
		if (c == 'h') {
			bento_builder_unpack_usage(stdout);
			return 0;
		}
		if (c == '?' || c == ':')
			return getopt_error("unpack", c, argv, err);
		if (unpack_option(c, &o, &lift, err) < 0)
			return -1;
	}
	if (argc - optind != 2)
		return bento_error_usage(err, "unpack: needs ARCHIVE and DIR (see " PROG
		                              " unpack --help)");
	if (lift == NULL)
		lift = o.deb ? "usr" : "";
	o.lift_dir = lift[0] != '\0' ? lift : NULL;
	return bento_unpack(&o, argv[optind], argv[optind + 1], err);
}

int bento_builder_unpack(int argc, char **argv)
{
	bento_error *err = NULL;
	if (unpack(argc, argv, &err) == 0)
		return 0;
	return bento_error_report(err, PROG, 1);
}
