/* SPDX-License-Identifier: MIT */
/* bento-builder unpack [OPTION...] ARCHIVE DIR: bento_unpack()
 * (sources/unpack.h) as a build unpacks a source, one archive at a time. */
#include <getopt.h>
#include <stdint.h>
#include <string.h>

#include "cmd/options.h"
#include "cmd/verbs.h"
#include "core/exit.h"
#include "sources/unpack.h"

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
		if (bento_cmd_parse_number("--strip-components", optarg, false, &v, err) < 0)
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
		if (bento_cmd_parse_number(c == OPT_UMAX_SIZE ? "--max-size" : "--max-entries",
		                           optarg, c == OPT_UMAX_SIZE, &v, err) < 0)
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
			return bento_cmd_option_error("unpack", c, argv, err);
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
	return bento_error_report(err, PROG, BENTO_EXIT_FAILURE);
}
