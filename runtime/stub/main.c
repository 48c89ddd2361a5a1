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

static const char help[] =
    "Usage: APPIMAGE [OPTION] [ARGUMENTS...]\n"
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
    "runtime could not start it (a broken file; a system older than the app\n"
    "requires, see bento info FILE).\n";

static const char version[] = "bento runtime " BENTO_VERSION "\n";

static const char bento_help[] =
    "bento runtime options (first argument only):\n"
    "  --bento-strategy=NAME  open the image with NAME: userns (FUSE in a private\n"
    "                         user namespace), fusermount (setuid fusermount3),\n"
    "                         extract (cached extraction), extract-and-run\n"
    "  --bento-sandbox        run the app in the sandbox, even without\n"
    "                         .bento/metadata\n"
    "  --bento-no-sandbox     run the app unconfined, with your rights\n"
    "  --bento-command=NAME   run the image's command NAME instead of its default\n"
    "                         (`bento info FILE` lists them); a symbolic link to\n"
    "                         the file named NAME does the same\n"
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
    "even one that looks like these options.\n";

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

/* What an option's handler gets: the option, the app's command line, and
 * the file and its opened image as far as the option needs them. */
typedef struct invocation {
	const struct runtime_option *option;
	const char *value; /* what follows the '=' of an option whose key ends in one */
	const char *argv0;
	char **args; /* the arguments after the runtime's option, if any */
	const char *appimage;
	bento_image *img;
} invocation;

/* What the first argument may change about the launch. */
typedef struct run_options {
	bento_strategy strategy;
	bool mount_only;
	bento_sandbox_choice sandbox;
	const bento_permissions *permissions; /* NULL for none */
	const char *command_name;             /* --bento-command=NAME, or NULL */
} run_options;

/* How far the runtime gets before an option acts: options about the runtime
 * need nothing, those about the file its path, the others its image (so a
 * broken image is reported first). */
typedef enum { NEEDS_NOTHING, NEEDS_PATH, NEEDS_IMAGE } option_needs;

/* One option (bit-fields: every file carries the table). */
typedef struct runtime_option {
	const char *key; /* the whole argument, or its start when it ends in '=' */
	int (*handle)(const invocation *inv);
	/* print_text's text, print_section's section, make_portable_dir's suffix */
	const char *arg;
	option_needs needs : 8;
	/* for run_app: what the option changes about the launch */
	bento_strategy strategy : 8;
	bento_sandbox_choice sandbox : 8;
	bool mount_only : 1;
} runtime_option;

static int print_offset(const invocation *inv)
{
	const char *path = inv->appimage;
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

static int print_section(const invocation *inv)
{
	autofree char *data = NULL;
	size_t len;
	auto_bento_error err = NULL;
	if (bento_image_read_section(inv->img, inv->option->arg, &data, &len, &err) < 0)
		return fail(steal_pointer(&err));
	printf("%s\n", data ? data : "");
	return 0;
}

static int make_portable_dir(const invocation *inv)
{
	const char *suffix = inv->option->arg;
	autofree char *dir = xasprintf("%s.%s", inv->appimage, suffix);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, PROG ": cannot create %s: %s\n", dir, strerror(errno));
		return BENTO_EXIT_RUNTIME;
	}
	printf("Portable %s directory created at %s\n", suffix, dir);
	return 0;
}

static int print_text(const invocation *inv)
{
	fputs(inv->option->arg, stdout);
	return 0;
}

static int extract(const invocation *inv)
{
	auto_bento_error err = NULL;
	bento_extract_options eo = {.pattern = inv->args[0], .verbose = true};
	if (bento_extract(inv->img, "squashfs-root", &eo, &err) < 0)
		return fail(steal_pointer(&err));
	return 0;
}

/* Runs the app.  One copy, not one per caller: every file carries the stub. */
__attribute__((noinline)) static int run(const invocation *inv, const run_options *o)
{
	auto_bento_error err = NULL;
	bento_launch launch = {.img = inv->img,
	                       .appimage = inv->appimage,
	                       .argv0 = inv->argv0,
	                       .args = inv->args,
	                       .strategy = o->strategy,
	                       .mount_only = o->mount_only,
	                       .sandbox = o->sandbox,
	                       .run_permissions = o->permissions,
	                       .command_name = o->command_name};
	int status = 0;
	if (bento_launch_apply_env(&launch, &err) < 0 ||
	    bento_launch_run(&launch, &status, &err) < 0)
		return fail(steal_pointer(&err));
	return status;
}

static int run_app(const invocation *inv)
{
	const runtime_option *o = inv->option;
	return run(inv, &(run_options){.strategy = o->strategy,
	                               .mount_only = o->mount_only,
	                               .sandbox = o->sandbox});
}

static int run_strategy(const invocation *inv)
{
	auto_bento_error err = NULL;
	run_options ro = {0};
	if (bento_strategy_parse(inv->value, &ro.strategy, &err) < 0)
		return fail(steal_pointer(&err));
	return run(inv, &ro);
}

static int run_permissions(const invocation *inv)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions perms = {0};
	if (bento_permissions_apply_words(&perms, inv->value, &err) < 0)
		return fail(steal_pointer(&err));
	return run(inv, &(run_options){.permissions = &perms});
}

static int run_command(const invocation *inv)
{
	return run(inv, &(run_options){.command_name = inv->value});
}

static const runtime_option options[] = {
    {"--appimage-help", print_text, .needs = NEEDS_NOTHING, .arg = help},
    {"--bento-help", print_text, .needs = NEEDS_NOTHING, .arg = bento_help},
    {"--appimage-version", print_text, .needs = NEEDS_NOTHING, .arg = version},
    {"--bento-version", print_text, .needs = NEEDS_NOTHING, .arg = version},
    {"--appimage-offset", print_offset, .needs = NEEDS_PATH},
    {"--appimage-portable-home", make_portable_dir, .needs = NEEDS_PATH, .arg = "home"},
    {"--appimage-portable-config", make_portable_dir, .needs = NEEDS_PATH, .arg = "config"},
    {"--appimage-extract", extract, .needs = NEEDS_IMAGE},
    {"--appimage-extract-and-run", run_app, .needs = NEEDS_IMAGE,
     .strategy = BENTO_STRATEGY_EXTRACT_AND_RUN},
    {"--appimage-mount", run_app, .needs = NEEDS_IMAGE, .mount_only = true},
    {"--appimage-updateinformation", print_section, .needs = NEEDS_IMAGE, .arg = ".upd_info"},
    {"--appimage-updateinfo", print_section, .needs = NEEDS_IMAGE, .arg = ".upd_info"},
    {"--appimage-signature", print_section, .needs = NEEDS_IMAGE, .arg = ".sha256_sig"},
    {"--bento-strategy=", run_strategy, .needs = NEEDS_IMAGE},
    {"--bento-sandbox", run_app, .needs = NEEDS_IMAGE, .sandbox = BENTO_SANDBOX_ON},
    {"--bento-no-sandbox", run_app, .needs = NEEDS_IMAGE, .sandbox = BENTO_SANDBOX_OFF},
    {"--bento-permissions=", run_permissions, .needs = NEEDS_IMAGE},
    {"--bento-command=", run_command, .needs = NEEDS_IMAGE},
};

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The table's entry for arg, setting inv->value for a KEY= entry. */
static const runtime_option *find_option(invocation *inv, const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const char *key = options[i].key;
		size_t len = strlen(key);
		if (key[len - 1] == '=' ? strncmp(arg, key, len) != 0 : strcmp(arg, key) != 0)
			continue;
		inv->value = key[len - 1] == '=' ? arg + len : NULL;
		return &options[i];
	}
	return NULL;
}

/* --bento-OPTION=VALUE: one permission option, as `bento run --OPTION=VALUE`. */
static int run_permission_option(const invocation *inv, const char *arg)
{
	auto_bento_error err = NULL;
	__attribute__((cleanup(bento_permissions_clear))) bento_permissions perms = {0};
	autofree char *name = xstrdup(arg + strlen("--bento-"));
	char *eq = has_prefix(arg, "--bento-") ? strchr(name, '=') : NULL;
	if (eq) {
		*eq = '\0';
		int r = bento_permissions_apply_option(&perms, name, eq + 1, &err);
		if (r < 0)
			return fail(steal_pointer(&err));
		if (r == 0)
			return run(inv, &(run_options){.permissions = &perms});
	}
	fprintf(stderr, PROG ": unknown option %s (see --appimage-help and --bento-help)\n", arg);
	return BENTO_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	bento_program_init(PROG);
	const char *arg =
	    argc > 1 && (has_prefix(argv[1], "--appimage-") || has_prefix(argv[1], "--bento-"))
	        ? argv[1]
	        : NULL;
	invocation inv = {.argv0 = argv[0], .args = argv + (arg ? 2 : 1)};
	inv.option = arg ? find_option(&inv, arg) : NULL;
	option_needs needs = inv.option ? inv.option->needs : NEEDS_IMAGE;
	if (needs == NEEDS_NOTHING)
		return inv.option->handle(&inv);
	auto_bento_error err = NULL;
	autofree char *appimage = image_path(&err);
	if (appimage == NULL)
		return fail(steal_pointer(&err));
	inv.appimage = appimage;
	if (needs == NEEDS_PATH)
		return inv.option->handle(&inv);
	auto_bento_image img = NULL;
	if (bento_image_open(appimage, &img, &err) < 0)
		return fail(steal_pointer(&err));
	inv.img = img;
	if (inv.option)
		return inv.option->handle(&inv);
	if (arg == NULL)
		return run(&inv, &(run_options){0});
	return run_permission_option(&inv, arg);
}
