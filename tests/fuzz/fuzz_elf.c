/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the builder's ELF reading (builder/appdir/bundle.c with libelf)
 * on arbitrary bytes, as `bento-builder build` meets the files a build made.
 * The input is put into an AppDir twice, as bin/app and lib/libfuzz.so.1 (so
 * that a DT_NEEDED or a RUNPATH of it can find the other), and
 * bento_bundle_check() reads every ELF file there and resolves what each needs
 * inside the AppDir: program headers, the dynamic section, its string table,
 * DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME, $ORIGIN.  It must either
 * succeed or fail with a message; nothing else. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appdir/bundle.h"
#include "core/error.h"
#include "core/util.h"

/* bundle.c's built-in exclude list (not used: the input's is given). */
const char bento_excludelist_blob[] = "";

static char appdir[64];

static void write_file(const char *rel, const uint8_t *data, size_t size)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", appdir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || (size && bento_write_all(fd, data, size) < 0))
		abort();
	close(fd);
}

static void remove_appdir(void)
{
	bento_remove_tree(appdir, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (appdir[0] == '\0') {
		const char *dir = getenv("BENTO_FUZZ_WORKDIR");
		snprintf(appdir, sizeof(appdir), "%s/fuzz-elf.XXXXXX", dir ? dir : "/dev/shm");
		if (mkdtemp(appdir) == NULL)
			abort();
		atexit(remove_appdir);
		char sub[128];
		snprintf(sub, sizeof(sub), "%s/bin", appdir);
		mkdir(sub, 0755);
		snprintf(sub, sizeof(sub), "%s/lib", appdir);
		mkdir(sub, 0755);
	}
	write_file("bin/app", data, size);
	write_file("lib/libfuzz.so.1", data, size);
	bento_error *err = NULL;
	bento_bundle_options o = {.exclude_list = "libc.so.6\nld-linux-x86-64.so.2\n"};
	if (bento_bundle_check(appdir, &o, &err) < 0 && (err == NULL || err->message == NULL))
		__builtin_trap(); /* a failure must say why */
	bento_error_free(err);
	return 0;
}
