/* SPDX-License-Identifier: MIT */
/* The pack verb: options, the AppDir checks, and the atomic output file.
 * The SquashFS itself is squashfs_writer.c's business. */
#include "output/pack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/super.h>

#include "appdir/appdir.h"
#include "core/elf_layout.h"
#include "core/error.h"
#include "core/util.h"
#include "output/runtime_blob.h"
#include "output/sign.h"
#include "output/squashfs_writer.h"
#include "output/updinfo.h"
#include "output/zsync.h"

#define PROG "bento-builder"
#define EXIT_USAGE 2

typedef struct pack_options {
	const char *appdir;
	const char *output;
	const char *runtime;            /* NULL: the one embedded in bento-builder */
	const char *update_information; /* NULL: none, and no .zsync */
	const char *sign_key;           /* NULL: unsigned */
	bento_sqfs_options sqfs;
} pack_options;

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

/* ---- option parsing ---- */

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. */
static bool parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
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
	if (!parse_decimal(digits, SQFS_MAX_BLOCK_SIZE, &v) || v * unit < SQFS_MIN_BLOCK_SIZE ||
	    v * unit > SQFS_MAX_BLOCK_SIZE || ((v * unit) & (v * unit - 1)) != 0)
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
	if (!parse_decimal(arg, 1024, &v) || v == 0)
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

static int check_level(const pack_options *o, const char *level_arg, bento_error **err)
{
	int min, max;
	uint64_t v;
	if (level_arg == NULL)
		return 0;
	if (bento_sqfs_level_range(o->sqfs.compressor, &min, &max) < 0)
		return bento_error_usage(err, "--compression-level: this compressor has no levels");
	if (!parse_decimal(level_arg, INT_MAX, &v) || (int)v < min || (int)v > max)
		return bento_error_usage(err,
		                         "--compression-level %s: must be from %d to %d for this "
		                         "compressor",
		                         level_arg, min, max);
	return 0;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
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

/* getopt's own messages are turned off so that every usage error looks alike. */
static int getopt_error(int c, char **argv, bento_error **err)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		return bento_error_usage(err, "pack: option %s needs an argument", arg);
	return bento_error_usage(err, "pack: unknown option %s (see " PROG " pack --help)", arg);
}

static int parse_one(int c, pack_options *o, const char **level_arg, bento_error **err)
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
		if (bento_updinfo_check(optarg, err) < 0) {
			(*err)->status = EXIT_USAGE;
			return -1;
		}
		o->update_information = optarg;
		return 0;
	case OPT_SIGN_KEY:
		if (optarg[0] == '\0')
			return bento_error_usage(err, "--sign-key: names no key");
		o->sign_key = optarg;
		return 0;
	default:
		return -1;
	}
}

/* Returns 1 if --help was printed, 0 to go on, -1 on a usage error. */
static int parse_options(int argc, char **argv, pack_options *o, bento_error **err)
{
	const char *level_arg = NULL;
	*o = (pack_options){.sqfs = {.compressor = SQFS_COMP_ZSTD,
	                             .level = BENTO_SQFS_DEFAULT_LEVEL,
	                             .block_size = SQFS_DEFAULT_BLOCK_SIZE,
	                             .jobs = online_cpus()}};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:j:h", long_options, NULL)) != -1) {
		if (c == 'h') {
			bento_builder_pack_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':')
			return getopt_error(c, argv, err);
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

/* https://reproducible-builds.org/specs/source-date-epoch/: unset means 0
 * here; a value that is not a plain decimal number is an error rather than
 * something to guess about.  SquashFS time stamps are unsigned 32-bit. */
static int source_date_epoch(uint32_t *out, bento_error **err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;
	if (s == NULL) {
		*out = 0;
		return 0;
	}
	if (!parse_decimal(s, UINT32_MAX, &v))
		return bento_error_set(err, 0, "SOURCE_DATE_EPOCH='%s' is not a number of seconds",
		                       s);
	*out = (uint32_t)v;
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

/* The temporary files (the image and its .zsync) are removed on every way
 * out that is not success, including SIGINT, SIGTERM and SIGHUP. */
static char *volatile pending_tmp[2];

static void remove_pending_tmp(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++) {
		char *path = pending_tmp[i];
		if (path != NULL)
			unlink(path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void forget_pending(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++)
		if (pending_tmp[i] == path)
			pending_tmp[i] = NULL;
}

void bento_tmp_clear(bento_tmp_output *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path != NULL) {
		forget_pending(t->path);
		unlink(t->path);
		free(t->path);
		t->path = NULL;
	}
}

void bento_watch_signals(void)
{
	struct sigaction sa = {.sa_handler = remove_pending_tmp};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The directory part of path, with its trailing slash: "dir/" or "./". */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xasprintf("%.*s", (int)(slash - path + 1), path) : xstrdup("./");
}

int bento_tmp_create(const char *output, bento_tmp_output *t, bento_error **err)
{
	const char *slash = strrchr(output, '/');
	const char *base = slash ? slash + 1 : output;
	autofree char *dir = dir_of(output);
	if (*base == '\0')
		return bento_error_usage(err, "-o %s: names a directory, not a file", output);
	t->path = xasprintf("%s.%s.XXXXXX", dir, base);
	t->fd = mkostemp(t->path, O_CLOEXEC);
	if (t->fd < 0) {
		int saved = errno;
		free(t->path);
		t->path = NULL;
		errno = saved;
		return bento_error_errno(err, "cannot create a temporary file next to %s", output);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pending_tmp); i++)
		if (pending_tmp[i] == NULL) {
			pending_tmp[i] = t->path;
			break;
		}
	return 0;
}

/* The output must not land inside the AppDir: the scan would pack the
 * half-written file into itself. */
static int check_output_location(const pack_options *o, bento_error **err)
{
	autofree char *dir = dir_of(o->output);
	autofree char *real_dir = realpath(dir, NULL);
	if (real_dir == NULL)
		return bento_error_errno(err, "-o %s: cannot use the directory %s", o->output, dir);
	autofree char *real_appdir = realpath(o->appdir, NULL);
	if (real_appdir != NULL && bento_path_is_under(real_dir, real_appdir))
		return bento_error_usage(
		    err, "-o %s: the output file must not be inside the AppDir", o->output);
	return 0;
}

/* Makes the rename durable; a failure here does not undo a complete file. */
static void sync_parent_dir(const char *output)
{
	autofree char *dir = dir_of(output);
	autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

int bento_tmp_commit(bento_tmp_output *t, const char *output, mode_t mode, bento_error **err)
{
	if (fchmod(t->fd, mode) < 0 || fsync(t->fd) < 0)
		return bento_error_errno(err, "%s: cannot write", t->path);
	if (rename(t->path, output) < 0)
		return bento_error_errno(err, "cannot rename %s to %s", t->path, output);
	forget_pending(t->path);
	free(steal_pointer(&t->path));
	sync_parent_dir(output);
	return 0;
}

int bento_pack_zsync(int fd, const char *output, bento_tmp_output *zs, bento_error **err)
{
	struct stat st;
	uint32_t epoch = 0;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", output);
	if (source_date_epoch(&epoch, err) < 0)
		return -1;
	/* The time a client gives the file it rebuilds. */
	int64_t mtime = getenv("SOURCE_DATE_EPOCH") ? (int64_t)epoch : (int64_t)st.st_mtime;
	const char *slash = strrchr(output, '/');
	autofree char *data = NULL;
	size_t len;
	if (bento_zsync_make(fd, (uint64_t)st.st_size, slash ? slash + 1 : output, mtime, output,
	                     &data, &len, err) < 0)
		return -1;
	autofree char *path = xasprintf("%s.zsync", output);
	if (bento_tmp_create(path, zs, err) < 0)
		return -1;
	if (bento_write_all(zs->fd, data, len) < 0)
		return bento_error_errno(err, "%s: cannot write", zs->path);
	return 0;
}

/* Update information, signature, then the .zsync: the signature covers
 * .upd_info, and the .zsync describes the final bytes. */
static int finish_output(const pack_options *o, bento_tmp_output *img, bento_tmp_output *zs,
                         bento_error **err)
{
	if (o->update_information != NULL &&
	    bento_updinfo_write(img->fd, o->output, o->update_information, err) < 0)
		return -1;
	if (o->sign_key != NULL && bento_sign_fd(img->fd, o->output, o->sign_key, err) < 0)
		return -1;
	if (o->update_information != NULL && bento_pack_zsync(img->fd, o->output, zs, err) < 0)
		return -1;
	return 0;
}

static int write_output(const pack_options *o, const runtime *rt, const bento_appdir_info *info,
                        bento_error **err)
{
	__attribute__((cleanup(bento_tmp_clear))) bento_tmp_output t = {.fd = -1};
	__attribute__((cleanup(bento_tmp_clear))) bento_tmp_output zs = {.fd = -1};
	if (bento_tmp_create(o->output, &t, err) < 0)
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
	if (finish_output(o, &t, &zs, err) < 0 || bento_tmp_commit(&t, o->output, 0755, err) < 0)
		return -1;
	if (zs.fd >= 0) {
		autofree char *path = xasprintf("%s.zsync", o->output);
		if (bento_tmp_commit(&zs, path, 0644, err) < 0)
			return -1;
	}
	return 0;
}

static int pack(int argc, char **argv, bento_error **err)
{
	pack_options o;
	int r = parse_options(argc, argv, &o, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (source_date_epoch(&o.sqfs.mtime, err) < 0)
		return -1;
	__attribute__((cleanup(bento_appdir_info_clear))) bento_appdir_info info = {0};
	if (bento_appdir_check(o.appdir, &info, err) < 0 || check_output_location(&o, err) < 0)
		return -1;
	__attribute__((cleanup(runtime_clear))) runtime rt = {0};
	if (load_runtime(o.runtime, &rt, err) < 0)
		return -1;
	bento_watch_signals();
	return write_output(&o, &rt, &info, err);
}

int bento_builder_pack(int argc, char **argv)
{
	bento_error *err = NULL;
	if (pack(argc, argv, &err) == 0)
		return fflush(stdout) == 0 ? 0 : 1;
	return bento_error_report(err, PROG, 1);
}
