/* SPDX-License-Identifier: MIT */
/* bento-builder pack [OPTION...] APPDIR -o FILE: the options of
 * bento_pack() (output/pack.h). */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/super.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/exit.h"
#include "core/util.h"
#include "output/pack.h"
#include "util/decimal.h"

void bento_builder_pack_usage(FILE *out)
{
	fputs("Usage: " PROG " pack [OPTION...] APPDIR -o FILE\n"
	      "\n"
	      "Pack the AppDir APPDIR into FILE, a single executable file: the bento runtime\n"
	      "followed by a SquashFS image of APPDIR (an AppImage of type 2).\n"
	      "\n"
	      "APPDIR needs an executable AppRun, exactly one .desktop file and the icon its\n"
	      "Icon= key names (ICON.png, .svg, .svgz or .xpm), all at its top level.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE          the file to write (required)\n"
	      "      --compression NAME     gzip, xz, lz4 or zstd (default: zstd)\n"
	      "      --compression-level N  compressor level (default: the compressor's own)\n"
	      "      --block-size SIZE      data block size, a power of two from 4K to 1M\n"
	      "                             (default: 128K)\n"
	      "  -j, --jobs N               compression threads (default: online CPUs)\n"
	      "      --runtime FILE         prepend FILE instead of the built-in runtime\n"
	      "      --update-information STRING\n"
	      "                             embed STRING, where updates come from, and write\n"
	      "                             FILE.zsync beside FILE; STRING is one of\n"
	      "                               zsync|http(s)://HOST/PATH.zsync\n"
	      "                               gh-releases-zsync|USER|REPO|TAG|NAME.zsync\n"
	      "                               pling-v1-zsync|PRODUCT-ID|NAME.zsync\n"
	      "                             (NAME may hold * wildcards; TAG may be latest)\n"
	      "      --sign-key KEYID       sign FILE with this GnuPG secret key (from\n"
	      "                             $GNUPGHOME or ~/.gnupg) and embed its public key\n"
	      "  -h, --help                 show this help and exit\n"
	      "\n"
	      "Files are stored owned by root with their permission bits; every time stamp is\n"
	      "SOURCE_DATE_EPOCH (0 when unset), so the same AppDir gives the same bytes.\n",
	      out);
}

/* "131072", "128K" or "1M". */
static int parse_block_size(const char *arg, uint32_t *out, bento_error **err)
{
	autofree char *digits = xstrdup(arg);
	size_t len = strlen(digits);
	uint64_t unit = 1, v;
	if (len > 0 && (digits[len - 1] == 'K' || digits[len - 1] == 'k'))
		unit = 1024;
	else if (len > 0 && (digits[len - 1] == 'M' || digits[len - 1] == 'm'))
		unit = 1024 * 1024;
	if (unit != 1)
		digits[len - 1] = '\0';
	if (!bento_parse_decimal(digits, SQFS_MAX_BLOCK_SIZE, &v) ||
	    v * unit < SQFS_MIN_BLOCK_SIZE || v * unit > SQFS_MAX_BLOCK_SIZE ||
	    ((v * unit) & (v * unit - 1)) != 0)
		return bento_error_usage(
		    err,
		    "--block-size %s: must be a power of two from 4096 (4K) to "
		    "1048576 (1M)",
		    arg);
	*out = (uint32_t)(v * unit);
	return 0;
}

static int parse_jobs(const char *arg, unsigned *out, bento_error **err)
{
	uint64_t v;
	if (!bento_parse_decimal(arg, 1024, &v) || v == 0)
		return bento_error_usage(err, "--jobs %s: must be a number from 1 to 1024", arg);
	*out = (unsigned)v;
	return 0;
}

static int parse_compression(const char *arg, int *out, bento_error **err)
{
	*out = bento_sqfs_compressor_from_name(arg);
	if (*out < 0)
		return bento_error_usage(err, "--compression %s: must be gzip, xz, lz4 or zstd",
		                         arg);
	return 0;
}

static int check_level(const bento_pack_options *o, const char *level_arg, bento_error **err)
{
	int min, max;
	uint64_t v;
	if (level_arg == NULL)
		return 0;
	if (bento_sqfs_level_range(o->sqfs.compressor, &min, &max) < 0)
		return bento_error_usage(err, "--compression-level: this compressor has no levels");
	if (!bento_parse_decimal(level_arg, INT_MAX, &v) || (int)v < min || (int)v > max)
		return bento_error_usage(err,
		                         "--compression-level %s: must be from %d to %d for this "
		                         "compressor",
		                         level_arg, min, max);
	return 0;
}

enum {
	OPT_COMPRESSION = 256,
	OPT_LEVEL,
	OPT_BLOCK_SIZE,
	OPT_RUNTIME,
	OPT_UPDATE_INFORMATION,
	OPT_SIGN_KEY
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"compression", required_argument, NULL, OPT_COMPRESSION},
    {"compression-level", required_argument, NULL, OPT_LEVEL},
    {"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
    {"jobs", required_argument, NULL, 'j'},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"update-information", required_argument, NULL, OPT_UPDATE_INFORMATION},
    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_one(int c, bento_pack_options *o, const char **level_arg, bento_error **err)
{
	switch (c) {
	case 'o':
		o->output = optarg;
		return 0;
	case OPT_COMPRESSION:
		return parse_compression(optarg, &o->sqfs.compressor, err);
	case OPT_LEVEL:
		*level_arg = optarg;
		return 0;
	case OPT_BLOCK_SIZE:
		return parse_block_size(optarg, &o->sqfs.block_size, err);
	case 'j':
		return parse_jobs(optarg, &o->sqfs.jobs, err);
	case OPT_RUNTIME:
		o->runtime = optarg;
		return 0;
	case OPT_UPDATE_INFORMATION:
		return bento_pack_set_update_information(o, optarg, err);
	case OPT_SIGN_KEY:
		return bento_pack_set_sign_key(o, optarg, err);
	default:
		return -1;
	}
}

/* Returns 1 if --help was printed, 0 to go on, -1 on a usage error. */
static int parse_options(int argc, char **argv, bento_pack_options *o, bento_error **err)
{
	const char *level_arg = NULL;
	bento_pack_options_init(o);
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:j:h", long_options, NULL)) != -1) {
		if (c == 'h') {
			bento_builder_pack_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':')
			return bento_cmd_option_error("pack", c, argv, err);
		if (parse_one(c, o, &level_arg, err) < 0)
			return -1;
	}
	if (optind != argc - 1)
		return bento_error_usage(err, "pack: %s (see " PROG " pack --help)",
		                         optind == argc ? "APPDIR is missing"
		                                        : "only one APPDIR, please");
	o->appdir = argv[optind];
	if (o->output == NULL)
		return bento_error_usage(err,
		                         "pack: -o FILE is missing (see " PROG " pack --help)");
	if (check_level(o, level_arg, err) < 0)
		return -1;
	if (level_arg != NULL)
		o->sqfs.level = atoi(level_arg);
	return 0;
}

int bento_builder_pack(int argc, char **argv)
{
	bento_error *err = NULL;
	bento_pack_options o;
	int r = parse_options(argc, argv, &o, &err);
	if (r == 0)
		r = bento_pack(&o, &err);
	if (r >= 0)
		return fflush(stdout) == 0 ? 0 : BENTO_EXIT_FAILURE;
	return bento_error_report(err, PROG, BENTO_EXIT_FAILURE);
}
