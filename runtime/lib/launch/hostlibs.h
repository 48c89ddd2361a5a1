/* SPDX-License-Identifier: MIT */
/* What the host offers an app's loader: the version of its GNU C library and
 * of its libstdc++ (the newest symbol version each defines, read from the
 * files themselves: the runtime is static, it loads nothing), and whether a
 * library is where the loader looks (its default directories, then
 * /etc/ld.so.cache).  The host's files are read as hostile input too:
 * bounded, every offset checked. */
#ifndef BENTO_LAUNCH_HOSTLIBS_H
#define BENTO_LAUNCH_HOSTLIBS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/version.h"

/* The newest version prefix ("GLIBC_", "GLIBCXX_") that the host's library
 * file name ("libc.so.6", "libstdc++.so.6") defines, into out
 * (BENTO_VERSION_MAX + 1 bytes), the library found in /usr/lib/x86_64-linux-gnu,
 * /lib/x86_64-linux-gnu or /lib64 (the first that has it).  Returns 1, 0 when
 * the host has no such library (or one that defines no such version), -1 when
 * the file found is not a shared library that can be read.  For libc.so.6,
 * the release its link names (libc-2.31.so) when that is newer. */
int bento_host_library_version(const char *name, const char *prefix, char *out, bento_error **err);

/* Searches of the host's libraries, for one launch. */
typedef struct bento_host_libs {
	/* Only paths the sandbox shows (under /usr and /lib*): a library the
	 * cache places elsewhere (/opt) does not count. */
	bool sandboxed;
	/* /etc/ld.so.cache, read once when first needed. */
	char *cache;
	size_t cache_len;
	bool cache_read;
} bento_host_libs;

/* Whether the host has the library name (a file name) where the loader of
 * a program in the sandbox finds it. */
bool bento_host_has_library(bento_host_libs *libs, const char *name);

void bento_host_libs_clear(bento_host_libs *libs);

/* The path that the loader's cache (the len bytes of an /etc/ld.so.cache at
 * cache) gives for the x86-64 library name, pointing into cache, or NULL. */
const char *bento_ld_so_cache_lookup(const char *cache, size_t len, const char *name);

#endif
