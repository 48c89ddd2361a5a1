/* SPDX-License-Identifier: MIT */
#include "cmd/options.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cmd/verbs.h"
#include "core/exit.h"
#include "core/util.h"

#define OPTION_FILE_MAX (1 << 20)

int bento_cmd_option_error(const char *verb, int c, char **argv, bento_error **err)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		return bento_error_usage(err, "%s: option %s needs an argument", verb, arg);
	return bento_error_usage(err, "%s: unknown option %s (see " PROG " %s --help)", verb, arg,
	                         verb);
}

int bento_cmd_parse_number(const char *opt, const char *arg, bool sized, uint64_t *out,
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

int bento_cmd_finish(bento_error *err)
{
	if (err != NULL)
		return bento_error_report(err, PROG, BENTO_EXIT_FAILURE);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : BENTO_EXIT_FAILURE;
}

int bento_cmd_usage_error(const char *verb, const char *fmt, const char *arg)
{
	fprintf(stderr, PROG " %s: ", verb);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " PROG " %s --help)\n", verb);
	return BENTO_EXIT_USAGE;
}

int bento_cmd_next_option(const char *verb, int argc, char **argv, const struct option *opts,
                          int *status)
{
	int c = getopt_long(argc, argv, ":hq", opts, NULL);
	if (c == '?' || c == ':') {
		*status = bento_cmd_usage_error(
		    verb, c == ':' ? "option %s needs an argument" : "unknown option %s",
		    argv[optind - 1]);
		return 0;
	}
	return c;
}

int bento_cmd_appdir_operand(const char *verb, int argc, char **argv, const char **appdir)
{
	if (optind >= argc)
		return bento_cmd_usage_error(verb, "%s", "APPDIR is missing");
	if (optind + 1 < argc)
		return bento_cmd_usage_error(verb, "unexpected argument %s", argv[optind + 1]);
	*appdir = argv[optind];
	return 0;
}

int bento_cmd_read_option_file(const char *option, const char *path, char **data, bento_error **err)
{
	size_t len;
	if (bento_read_file_at(AT_FDCWD, path, OPTION_FILE_MAX, data, &len, err) < 0) {
		bento_error_prefix(err, "%s", option);
		return -1;
	}
	return 0;
}
