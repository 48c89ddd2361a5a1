/* SPDX-License-Identifier: MIT */
/* bento info FILE */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "keyfile.h"
#include "util.h"
#include "verbs.h"

static void print_help(void)
{
	printf("Usage: bento info FILE\n"
	       "\n"
	       "Describes a bento file or AppImage: where its image starts, how it is\n"
	       "compressed, the app it holds, its update information and whether it is\n"
	       "signed. Exit status: 0, 127 if FILE is not a valid image, 2 on a usage error.\n");
}

/* The desktop entry at the top of the image names the app. */
static char *desktop_name(bento_image *img)
{
	sqfs_inode root;
	sqfs_dir dir;
	if (bento_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) != SQFS_OK ||
	    sqfs_dir_open(&img->fs, &root, &dir, 0) != SQFS_OK)
		return NULL;
	autofree bento_sqfs_name *namebuf = xmalloc(sizeof(*namebuf));
	sqfs_dir_entry entry;
	sqfs_dentry_init(&entry, namebuf->name);
	sqfs_err sqerr;
	while (sqfs_dir_next(&img->fs, &dir, &entry, &sqerr)) {
		const char *name = sqfs_dentry_name(&entry);
		size_t n = strlen(name);
		if (n < 8 || strcmp(name + n - 8, ".desktop") != 0)
			continue;
		autofree char *data = NULL;
		size_t len;
		auto_bento_keyfile kf = NULL;
		if (bento_image_read_file(img, name, 1 << 20, &data, &len, NULL) <= 0 ||
		    bento_keyfile_parse(name, data, len, &kf, NULL) < 0)
			return NULL;
		const char *value = bento_keyfile_get(kf, "Desktop Entry", "Name");
		return value ? xstrdup(value) : NULL;
	}
	return NULL;
}

static int print_info(bento_image *img, bento_error **err)
{
	autofree char *updinfo = NULL, *sig = NULL;
	size_t len;
	if (bento_image_read_section(img, ".upd_info", &updinfo, &len, err) < 0 ||
	    bento_image_read_section(img, ".sha256_sig", &sig, &len, err) < 0)
		return -1;
	autofree char *name = desktop_name(img);
	printf("File: %s\n", img->path);
	printf("Offset: %llu\n", (unsigned long long)img->offset);
	printf("Payload size: %llu\n", (unsigned long long)le64toh(img->sb.bytes_used));
	printf("File size: %llu\n", (unsigned long long)img->st.st_size);
	printf("Compression: %s\n", bento_image_compression_name(img));
	printf("Block size: %u\n", le32toh(img->sb.block_size));
	printf("Name: %s\n", name ? name : "(no desktop entry)");
	printf("Update information: %s\n", updinfo && updinfo[0] ? updinfo : "none");
	printf("Signature: %s\n", sig && sig[0] ? "present" : "none");
	return 0;
}

int bento_cmd_info(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help();
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return bento_usage_error("info", "expected exactly one FILE");
	auto_bento_error err = NULL;
	auto_bento_image img = NULL;
	if (bento_image_open(argv[1], &img, &err) < 0 || print_info(img, &err) < 0)
		return bento_error_report(steal_pointer(&err), "bento info", BENTO_EXIT_RUNTIME);
	return 0;
}
