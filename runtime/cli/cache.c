/* SPDX-License-Identifier: MIT */
/* bento cache [--older-than=DURATION | --all] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "image/seal.h"
#include "launch/cache.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento cache [--older-than=DURATION | --all]\n"
	       "\n"
	       "The extraction cache: where the runtime extracts an image when it cannot\n"
	       "mount it (the extract strategy), ${XDG_CACHE_HOME:-~/.cache}/bento/extract.\n"
	       "Without options, lists each entry: its size, its last use and the file it\n"
	       "came from (\"gone\" when that file was removed or changed since; the next\n"
	       "launch that extracts removes such entries by itself).\n"
	       "\n"
	       "Options:\n"
	       "  --older-than=DURATION  remove the entries not used for DURATION: a number\n"
	       "                         and a unit, s, m, h, d or w (30d, 12h)\n"
	       "  --all                  remove every entry\n"
	       "  -h, --help             show this help and exit\n"
	       "\n"
	       "An entry an app runs from is never removed (it is listed as in use).\n"
	       "\n"
	       "Exit status: 0 done, 2 on a usage error, 1 when an entry cannot be removed.\n");
}

/* DURATION in seconds: digits and one unit. */
static int parse_duration(const char *text, time_t *seconds)
{
	static const struct {
		char unit;
		time_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	char *end;
	errno = 0;
	unsigned long long n = strtoull(text, &end, 10);
	if (errno != 0 || end == text || text[0] == '-' || end[0] == '\0' || end[1] != '\0')
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (units[i].unit == end[0]) {
			if (n > (unsigned long long)(INT64_MAX / units[i].seconds))
				return -1;
			*seconds = (time_t)n * units[i].seconds;
			return 0;
		}
	return -1;
}

static void print_size(uint64_t bytes, FILE *out)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	fprintf(out, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

/* A path as a terminal shows it as it is: control bytes and backslashes as
 * \xNN. */
static void print_visible(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void print_source(const bento_cache_entry *e, FILE *out)
{
	if (e->leftover) {
		fputs("(an extraction that never finished)", out);
		return;
	}
	if (e->source == NULL) {
		fputs("(not recorded)", out);
		return;
	}
	print_visible(e->source, out);
	if (e->source_state == BENTO_CACHE_SOURCE_GONE)
		fputs(" (gone)", out);
}

static void print_entry(const bento_cache_entry *e, FILE *out)
{
	char when[32];
	struct tm tm;
	time_t t = e->last_used.tv_sec;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	fprintf(out, "%s  ", e->name);
	print_size(e->bytes, out);
	fprintf(out, "  %s  ", when);
	print_source(e, out);
	fputc('\n', out);
}

static int list(const char *dir, const bento_cache_entry *entries, size_t n)
{
	uint64_t total = 0;
	if (n > 0)
		printf("ENTRY  SIZE  LAST USE  SOURCE\n");
	for (size_t i = 0; i < n; i++) {
		print_entry(&entries[i], stdout);
		total += entries[i].bytes;
	}
	printf("%zu entr%s, ", n, n == 1 ? "y" : "ies");
	print_size(total, stdout);
	printf(", in %s\n", dir);
	return 0;
}

/* Removes every entry, or those last used before cutoff. */
static int clean(const char *dir, const bento_cache_entry *entries, size_t n, bool every,
                 time_t cutoff)
{
	auto_bento_error err = NULL;
	autoclose int lock = bento_seal_lock(&err);
	if (lock < 0) {
		fprintf(stderr, "bento cache: %s\n", err->message);
		return BENTO_EXIT_FAILURE;
	}
	int status = 0;
	uint64_t freed = 0;
	size_t removed = 0;
	for (size_t i = 0; i < n; i++) {
		const bento_cache_entry *e = &entries[i];
		if (!every && e->last_used.tv_sec >= cutoff)
			continue;
		auto_bento_error why = NULL;
		int r = bento_cache_remove(dir, e->name, &why);
		if (r < 0) {
			fprintf(stderr, "bento cache: cannot remove %s: %s\n", e->name,
			        why->message);
			status = BENTO_EXIT_FAILURE;
			continue;
		}
		printf(r > 0 ? "removed " : "in use, kept ");
		print_entry(e, stdout);
		if (r > 0) {
			freed += e->bytes;
			removed++;
		}
	}
	printf("%zu entr%s removed, ", removed, removed == 1 ? "y" : "ies");
	print_size(freed, stdout);
	printf(" freed\n");
	return status;
}

int bento_cmd_cache(int argc, char **argv)
{
	static const struct option options[] = {
	    {"older-than", required_argument, NULL, 'o'},
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool all = false, older = false;
	time_t age = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help();
			return 0;
		case 'a':
			all = true;
			break;
		case 'o':
			if (parse_duration(optarg, &age) < 0)
				return bento_usage_error(
				    "cache",
				    "--older-than: \"%s\" is no duration (a number "
				    "and s, m, h, d or w: 30d)",
				    optarg);
			older = true;
			break;
		case ':':
			return bento_usage_error("cache", "%s needs a value", argv[optind - 1]);
		default:
			return bento_usage_error("cache", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bento_usage_error("cache", "unexpected argument \"%s\"", argv[optind]);
	if (all && older)
		return bento_usage_error("cache", "--all and --older-than exclude each other");
	auto_bento_error err = NULL;
	autofree char *dir = bento_cache_dir(false, &err);
	if (dir == NULL && err) {
		fprintf(stderr, "bento cache: %s\n", err->message);
		return BENTO_EXIT_FAILURE;
	}
	bento_cache_entry *entries = NULL;
	size_t n = 0;
	if (dir && bento_cache_list(dir, &entries, &n, &err) < 0) {
		fprintf(stderr, "bento cache: %s\n", err->message);
		return BENTO_EXIT_FAILURE;
	}
	int status = 0;
	if (dir == NULL)
		printf("the extraction cache is empty\n");
	else if (all || older)
		status = clean(dir, entries, n, all, time(NULL) - age);
	else
		status = list(dir, entries, n);
	bento_cache_entries_free(entries, n);
	return status;
}
