/* SPDX-License-Identifier: MIT */
/* bento-builder fetch [OPTION...] URL SHA256: bento_fetch() (sources/fetch.h)
 * one download at a time, for publishers who check a manifest's sources and
 * for the tests. */
#include <getopt.h>
#include <stdint.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/exit.h"
#include "core/util.h"
#include "sources/fetch.h"

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
		if (bento_cmd_parse_number("--max-size", optarg, true, &v, err) < 0)
			return -1;
		if (v == 0)
			return bento_error_usage(err, "--max-size 0: must be at least 1 byte");
		o->max_size = v;
		return 0;
	case OPT_ATTEMPTS:
		if (bento_cmd_parse_number("--attempts", optarg, false, &v, err) < 0)
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
			return bento_cmd_option_error("fetch", c, argv, err);
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
		return bento_cmd_finish(NULL);
	return bento_error_report(err, PROG, BENTO_EXIT_FAILURE);
}
