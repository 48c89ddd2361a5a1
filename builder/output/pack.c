/* SPDX-License-Identifier: MIT */
#include "output/pack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/super.h>

#include "appdir/appdir.h"
#include "core/exit.h"
#include "core/util.h"
#include "output/epoch.h"
#include "output/outfile.h"
#include "output/runtime_blob.h"
#include "output/sign.h"
#include "output/updinfo.h"
#include "output/zsync.h"

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}

void bento_pack_options_init(bento_pack_options *o)
{
	*o = (bento_pack_options){.sqfs = {.compressor = SQFS_COMP_ZSTD,
	                                   .level = BENTO_SQFS_DEFAULT_LEVEL,
	                                   .block_size = SQFS_DEFAULT_BLOCK_SIZE,
	                                   .jobs = online_cpus()}};
}

int bento_pack_set_update_information(bento_pack_options *o, const char *s, bento_error **err)
{
	bento_updinfo parsed;
	if (bento_updinfo_parse(s, "--update-information", &parsed, err) < 0) {
		(*err)->status = BENTO_EXIT_USAGE;
		return -1;
	}
	bento_updinfo_clear(&parsed);
	o->update_information = s;
	return 0;
}

int bento_pack_set_sign_key(bento_pack_options *o, const char *keyid, bento_error **err)
{
	if (keyid[0] == '\0')
		return bento_error_usage(err, "--sign-key: names no key");
	o->sign_key = keyid;
	return 0;
}

/* ---- the runtime ---- */

typedef struct runtime {
	const unsigned char *data;
	size_t len;
	unsigned char *owned; /* when read from --runtime */
} runtime;

static void runtime_clear(runtime *rt)
{
	free(rt->owned);
}

static int read_runtime_file(const char *path, runtime *rt, bento_error **err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return bento_error_errno(err, "--runtime %s", path);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "--runtime %s: not a regular file", path);
	rt->owned = xmalloc((size_t)st.st_size);
	ssize_t n = bento_pread_all(fd, rt->owned, (size_t)st.st_size, 0);
	if (n < 0)
		return bento_error_errno(err, "--runtime %s: cannot read it", path);
	rt->data = rt->owned;
	rt->len = (size_t)n;
	return 0;
}

/* The ELF magic, and the AppImage type 2 magic "AI\2" in the ELF header's
 * padding at offset 8, which tells desktop tools what the file is. */
static int check_runtime(const char *what, const runtime *rt, bento_error **err)
{
	static const unsigned char elf[] = {0x7f, 'E', 'L', 'F'};
	static const unsigned char ai2[] = {'A', 'I', 0x02};
	if (rt->len < 16 || memcmp(rt->data, elf, sizeof(elf)) != 0 ||
	    memcmp(rt->data + 8, ai2, sizeof(ai2)) != 0)
		return bento_error_set(err, 0, "%s: not an AppImage type 2 runtime", what);
	return 0;
}

static int load_runtime(const char *path, runtime *rt, bento_error **err)
{
	if (path != NULL) {
		autofree char *what = xasprintf("--runtime %s", path);
		if (read_runtime_file(path, rt, err) < 0)
			return -1;
		return check_runtime(what, rt, err);
	}
	rt->data = bento_runtime_blob;
	rt->len = (size_t)(bento_runtime_blob_end - bento_runtime_blob);
	return check_runtime("the built-in runtime", rt, err);
}

/* ---- the output file ---- */

/* The output must not land inside the AppDir: the scan would pack the
 * half-written file into itself. */
static int check_output_location(const bento_pack_options *o, bento_error **err)
{
	autofree char *dir = bento_outfile_dir(o->output);
	/* (its directories may be created yet: the closest one that exists) */
	autofree char *real_dir = realpath(dir, NULL);
	while (real_dir == NULL && errno == ENOENT && strcmp(dir, "./") != 0 &&
	       strcmp(dir, "/") != 0) {
		dir[strlen(dir) - 1] = '\0';
		char *up = bento_outfile_dir(dir);
		free(dir);
		dir = up;
		real_dir = realpath(dir, NULL);
	}
	if (real_dir == NULL)
		return bento_error_errno(err, "-o %s: cannot use the directory %s", o->output, dir);
	autofree char *real_appdir = realpath(o->appdir, NULL);
	if (real_appdir != NULL && bento_path_is_under(real_dir, real_appdir))
		return bento_error_usage(
		    err, "-o %s: the output file must not be inside the AppDir", o->output);
	return 0;
}

/* Update information, signature, then the .zsync: the signature covers
 * .upd_info, and the .zsync describes the final bytes. */
static int finish_output(const bento_pack_options *o, bento_outfile *img, bento_outfile *zs,
                         bento_error **err)
{
	if (o->update_information != NULL &&
	    bento_updinfo_write(img->fd, o->output, o->update_information, err) < 0)
		return -1;
	if (o->sign_key != NULL && bento_sign_fd(img->fd, o->output, o->sign_key, err) < 0)
		return -1;
	if (o->update_information != NULL && bento_zsync_write(img->fd, o->output, zs, err) < 0)
		return -1;
	return 0;
}

static int write_output(const bento_pack_options *o, const runtime *rt,
                        const bento_appdir_info *info, bento_error **err)
{
	auto_bento_outfile t = {.fd = -1};
	auto_bento_outfile zs = {.fd = -1};
	if (bento_outfile_create(o->output, &t, err) < 0)
		return -1;
	if (bento_write_all(t.fd, rt->data, rt->len) < 0)
		return bento_error_errno(err, "%s: cannot write", t.path);
	const bento_sqfs_symlink diricon = {".DirIcon", info->icon_file};
	/* The image starts right where the runtime ends: the runtime finds it
	 * there from its own ELF headers. */
	const bento_sqfs_output out = {.fd = t.fd, .offset = rt->len, .name = o->output};
	if (bento_sqfs_write_tree(o->appdir, &diricon, info->has_diricon ? 0 : 1, &out, &o->sqfs,
	                          NULL, err) < 0)
		return -1;
	if (finish_output(o, &t, &zs, err) < 0 ||
	    bento_outfile_commit(&t, o->output, 0755, err) < 0)
		return -1;
	if (zs.fd >= 0) {
		autofree char *path = xasprintf("%s.zsync", o->output);
		if (bento_outfile_commit(&zs, path, 0644, err) < 0)
			return -1;
	}
	return 0;
}

int bento_pack(const bento_pack_options *options, bento_error **err)
{
	bento_pack_options o = *options;
	if (bento_source_date_epoch(&o.sqfs.mtime, err) < 0)
		return -1;
	auto_bento_appdir_info info = {0};
	if (bento_appdir_check(o.appdir, &info, err) < 0 || check_output_location(&o, err) < 0)
		return -1;
	__attribute__((cleanup(runtime_clear))) runtime rt = {0};
	if (load_runtime(o.runtime, &rt, err) < 0)
		return -1;
	bento_outfile_watch_signals();
	return write_output(&o, &rt, &info, err);
}
