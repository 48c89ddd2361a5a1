/* SPDX-License-Identifier: MIT */
/* bento extract FILE [DIR] */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "image/extract.h"
#include "image/image.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento extract FILE [DIR]\n"
	       "\n"
	       "Extracts the image of FILE into DIR (default: squashfs-root), safely: nothing\n"
	       "is written outside DIR, symlinks are created but never followed, device\n"
	       "nodes and fifos are skipped and setuid/setgid bits are dropped.\n"
	       "Exit status: 0, 127 if FILE is not a valid image, 1 if writing failed,\n"
	       "2 on a usage error.\n");
}

int bento_cmd_extract(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc < 2 || argc > 3 || argv[1][0] == '-')
		return bento_usage_error("extract", "expected FILE [DIR]");
	const char *dest = argc == 3 ? argv[2] : "squashfs-root";
	auto_bento_error err = NULL;
	auto_bento_image img = NULL;
	if (bento_image_open(argv[1], &img, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento extract", BENTO_EXIT_RUNTIME);
	if (bento_extract(img, dest, NULL, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento extract", 1);
	return 0;
}
