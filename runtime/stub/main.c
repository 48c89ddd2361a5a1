/* SPDX-License-Identifier: MIT */
/* bento-runtime: the program at the start of every bento file.  It finds the
 * SquashFS image appended to itself and runs the app inside.  As in AppImage's
 * runtime, only the first argument may be an option for the runtime. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/elf_layout.h"
#include "core/util.h"
#include "image/extract.h"
#include "image/image.h"
#include "launch/launch.h"

#define PROG "bento-runtime"

static void print_help(void)
{
	printf("Usage: APPIMAGE [OPTION] [ARGUMENTS...]\n"
	       "\n"
	       "Runs the application packed in this file. Only the first argument is\n"
	       "examined for these options; all other arguments go to the application.\n"
	       "\n"
	       "  --appimage-extract [PATTERN]  extract the contents into ./squashfs-root\n"
	       "                                (only paths matching the glob PATTERN)\n"
	       "  --appimage-extract-and-run    extract into $TMPDIR, run, remove afterwards\n"
	       "                                (kept and reused when NO_CLEANUP is set)\n"
	       "  --appimage-mount              mount the image, print where, serve until\n"
	       "                                interrupted\n"
	       "  --appimage-offset             print the offset of the SquashFS image\n"
	       "  --appimage-updateinformation  print the embedded update information\n"
	       "  --appimage-signature          print the embedded signature\n"
	       "  --appimage-portable-home      create FILE.home, used as $HOME from then on\n"
	       "  --appimage-portable-config    create FILE.config, used as $XDG_CONFIG_HOME\n"
	       "  --appimage-version            print the runtime's version\n"
	       "  --appimage-help               print this help\n"
	       "  --bento-help                  list bento's own options\n"
	       "\n"
	       "Environment: APPIMAGE_EXTRACT_AND_RUN=1, NO_CLEANUP=1, TARGET_APPIMAGE=FILE,\n"
	       "TMPDIR, BENTO_STRATEGY=userns|fusermount|extract|extract-and-run, BENTO_DEBUG=1.\n"
	       "Exit status: the application's, 128+N if signal N ended it, 127 if the\n"
	       "runtime could not start it.\n");
}

static void print_bento_help(void)
{
	printf(
	    "bento runtime options (first argument only):\n"
	    "  --bento-strategy=NAME  open the image with NAME: userns (FUSE in a private\n"
	    "                         user namespace), fusermount (setuid fusermount3),\n"
	    "                         extract (cached extraction), extract-and-run\n"
	    "  --bento-sandbox        run the app in the sandbox, even without\n"
	    "                         .bento/metadata\n"
	    "  --bento-no-sandbox     run the app unconfined, with your rights\n"
	    "  --bento-permissions=\"--OPTION=VALUE ...\"\n"
	    "                         change permissions for this run, with the options\n"
	    "                         of `bento run` separated by spaces, e.g.\n"
	    "                         --bento-permissions=\"--share=network --nofilesystem=home\"\n"
	    "  --bento-OPTION=VALUE   one of them alone, e.g. --bento-share=network,\n"
	    "                         --bento-filesystem=xdg-download:ro\n"
	    "  --bento-help           print this help\n"
	    "  --bento-version        print the runtime's version\n"
	    "The automatic order is userns, fusermount, extract. See also --appimage-help.\n"
	    "Permission options: share, unshare, socket, nosocket, device, nodevice, allow,\n"
	    "disallow, filesystem, nofilesystem, persist, env, unset-env, limit,\n"
	    "talk-name, no-talk-name, own-name, see-name, system-talk-name,\n"
	    "system-no-talk-name, system-own-name, system-see-name (bento-metadata(5);\n"
	    "`bento run --help`), e.g. --bento-env=NAME=VALUE, --bento-limit=tmp-size=4G.\n"
	    "Only the first argument is the runtime's: every later one goes to the app,\n"
	    "even one that looks like these options.\n");
}

static int fail(bento_error *err)
{
	return bento_error_report(err, PROG, BENTO_EXIT_RUNTIME);
}

/* The file to open: TARGET_APPIMAGE, or ourselves (the kernel's link is
 * already canonical, and one readlink is cheaper than realpath's walk). */
static char *image_path(bento_error **err)
{
	const char *target = getenv("TARGET_APPIMAGE");
	char *path = NULL;
	if (target && target[0]) {
		path = realpath(target, NULL);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = '\0';
			path = xstrdup(self);
		}
	}
	if (path == NULL) {
		bento_error_errno(err, "%s", target && target[0] ? target : "/proc/self/exe");
		(*err)->status = BENTO_EXIT_RUNTIME;
	}
	return path;
}

static int print_offset(const char *path)
{
	auto_bento_error err = NULL;
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t offset = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		bento_error_errno(&err, "%s", path);
	else if (bento_elf_payload_offset(fd, (uint64_t)st.st_size, &offset, &err) < 0)
		bento_error_prefix(&err, "%s", path);
	if (err)
		return fail(steal_pointer(&err));
	printf("%llu\n", (unsigned long long)offset);
	return 0;
}

static int print_section(bento_image *img, const char *name)
{
	autofree char *data = NULL;
	size_t len;
	auto_bento_error err = NULL;
	if (bento_image_read_section(img, name, &data, &len, &err) < 0)
		return fail(steal_pointer(&err));
	printf("%s\n", data ? data : "");
	return 0;
}

static int make_portable_dir(const char *appimage, const char *suffix)
{
	autofree char *dir = xasprintf("%s.%s", appimage, suffix);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", dir, strerror(errno));
		return BENTO_EXIT_RUNTIME;
	}
	printf("Portable %s directory created at %s\n", suffix, dir);
	return 0;
}

/* What the first argument may change about the launch. */
typedef struct run_options {
	bento_strategy strategy;
	bool mount_only;
	bento_sandbox_choice sandbox;
	const bento_permissions *permissions; /* NULL for none */
} run_options;

static int run(bento_image *img, const char *appimage, char **argv, char **args,
               const run_options *o)
{
	auto_bento_error err = NULL;
	bento_launch launch = {.img = img,
	                       .appimage = appimage,
	                       .argv0 = argv[0],
	                       .args = args,
	                       .strategy = o->strategy,
	                       .mount_only = o->mount_only,
	                       .sandbox = o->sandbox,
	                       .run_permissions = o->permissions};
	int status = 0;
	if (bento_launch_apply_env(&launch, &err) < 0 ||
	    bento_launch_run(&launch, &status, &err) < 0)
		return fail(steal_pointer(&err));
	return status;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int main(int argc, char **argv)
{
	bento_program_init(PROG);
	const char *opt =
	    argc > 1 && (has_prefix(argv[1], "--appimage-") || has_prefix(argv[1], "--bento-"))
	        ? argv[1]
	        : NULL;
	if (opt && strcmp(opt, "--appimage-help") == 0) {
		print_help();
		return 0;
	}
	if (opt && strcmp(opt, "--bento-help") == 0) {
		print_bento_help();
		return 0;
	}
	if (opt &&
	    (strcmp(opt, "--appimage-version") == 0 || strcmp(opt, "--bento-version") == 0)) {
		printf("bento runtime %s\n", BENTO_VERSION);
		return 0;
	}
	auto_bento_error err = NULL;
	autofree char *appimage = image_path(&err);
	if (appimage == NULL)
		return fail(steal_pointer(&err));
	if (opt && strcmp(opt, "--appimage-offset") == 0)
		return print_offset(appimage);
	if (opt && strcmp(opt, "--appimage-portable-home") == 0)
		return make_portable_dir(appimage, "home");
	if (opt && strcmp(opt, "--appimage-portable-config") == 0)
		return make_portable_dir(appimage, "config");

	auto_bento_image img = NULL;
	if (bento_image_open(appimage, &img, &err) < 0)
		return fail(steal_pointer(&err));
	run_options ro = {.strategy = BENTO_STRATEGY_AUTO};
	if (opt == NULL)
		return run(img, appimage, argv, argv + 1, &ro);
	if (strcmp(opt, "--appimage-extract") == 0) {
		bento_extract_options eo = {.pattern = argc > 2 ? argv[2] : NULL, .verbose = true};
		if (bento_extract(img, "squashfs-root", &eo, &err) < 0)
			return fail(steal_pointer(&err));
		return 0;
	}
	if (strcmp(opt, "--appimage-extract-and-run") == 0) {
		ro.strategy = BENTO_STRATEGY_EXTRACT_AND_RUN;
		return run(img, appimage, argv, argv + 2, &ro);
	}
	if (strcmp(opt, "--appimage-mount") == 0) {
		ro.mount_only = true;
		return run(img, appimage, argv, argv + 2, &ro);
	}
	if (strcmp(opt, "--appimage-updateinformation") == 0 ||
	    strcmp(opt, "--appimage-updateinfo") == 0)
		return print_section(img, ".upd_info");
	if (strcmp(opt, "--appimage-signature") == 0)
		return print_section(img, ".sha256_sig");
	if (has_prefix(opt, "--bento-strategy=")) {
		if (bento_strategy_parse(opt + strlen("--bento-strategy="), &ro.strategy, &err) < 0)
			return fail(steal_pointer(&err));
		return run(img, appimage, argv, argv + 2, &ro);
	}
	if (strcmp(opt, "--bento-sandbox") == 0 || strcmp(opt, "--bento-no-sandbox") == 0) {
		ro.sandbox =
		    strcmp(opt, "--bento-sandbox") == 0 ? BENTO_SANDBOX_ON : BENTO_SANDBOX_OFF;
		return run(img, appimage, argv, argv + 2, &ro);
	}
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions perms = {0};
	ro.permissions = &perms;
	if (has_prefix(opt, "--bento-permissions=")) {
		if (bento_permissions_apply_words(&perms, opt + strlen("--bento-permissions="),
		                                  &err) < 0)
			return fail(steal_pointer(&err));
		return run(img, appimage, argv, argv + 2, &ro);
	}
	/* --bento-OPTION=VALUE, a single permission option */
	autofree char *name = xstrdup(opt + strlen("--bento-"));
	char *eq = strchr(name, '=');
	if (eq) {
		*eq = '\0';
		int r = bento_permissions_apply_option(&perms, name, eq + 1, &err);
		if (r < 0)
			return fail(steal_pointer(&err));
		if (r == 0)
			return run(img, appimage, argv, argv + 2, &ro);
	}
	fprintf(stderr, PROG ": unknown option %s (see --appimage-help and --bento-help)\n", opt);
	return BENTO_EXIT_RUNTIME;
}
