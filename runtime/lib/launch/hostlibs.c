/* SPDX-License-Identifier: MIT */
#include "launch/hostlibs.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf_layout.h"
#include "core/util.h"

/* Where Debian, Ubuntu (multiarch) and Fedora (lib64) keep the C library;
 * merged /usr makes some of them the same directory. */
static const char *const version_dirs[] = {
    "/usr/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/lib64",
};

/* The loader's default directories for x86-64, in its order. */
static const char *const default_dirs[] = {
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
};

/* glibc before 2.34 installs libc.so.6 as a link to libc-2.31.so, whose
 * name is its release: newer than its newest symbol version when a release
 * added none (2.31 did not).  That release into out, if the link says. */
static void release_from_link(const char *path, char *out)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	size_t len = strlen(base);
	if (strncmp(base, "libc-", 5) != 0 || len < 9 || strcmp(base + len - 3, ".so") != 0 ||
	    !bento_version_valid(base + 5, len - 8))
		return;
	char release[BENTO_VERSION_MAX + 1];
	memcpy(release, base + 5, len - 8);
	release[len - 8] = '\0';
	if (bento_version_compare(release, out) > 0)
		memcpy(out, release, sizeof(release));
}

int bento_host_library_version(const char *name, const char *prefix, char *out, bento_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(version_dirs); i++) {
		autofree char *path = xasprintf("%s/%s", version_dirs[i], name);
		autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			return bento_error_set(err, ENOEXEC, "%s is not a regular file", path);
		int r = bento_elf_newest_version(fd, (uint64_t)st.st_size, prefix, out, err);
		if (r < 0)
			return bento_error_prefix(err, "%s", path);
		if (r > 0 && strcmp(name, "libc.so.6") == 0)
			release_from_link(path, out);
		return r;
	}
	return 0;
}

/* ---- /etc/ld.so.cache ---------------------------------------------------- */

/* glibc's cache (elf/cache.c): the format of glibc 2.32 and later, which
 * older ones (Debian 11) write after one of the old format. */
#define LD_SO_CACHE "/etc/ld.so.cache"
#define MAX_LD_SO_CACHE (16u << 20)
#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define OLD_HEADER_SIZE 16 /* magic, padding, nlibs */
#define OLD_ENTRY_SIZE 12  /* flags, key, value */
#define NEW_HEADER_SIZE 48 /* magic and version, nlibs, len_strings, flags... */
#define NEW_ENTRY_SIZE 24  /* flags, key, value, osversion, hwcap */
#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00
#define FLAG_X8664_LIB64 0x0300

static uint32_t read_u32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* The string at offset off of the cache, if it lies wholly inside. */
static const char *cache_string(const char *cache, size_t len, uint64_t off)
{
	if (off >= len || memchr(cache + off, '\0', len - off) == NULL)
		return NULL;
	return cache + off;
}

/* Where the new format starts in the cache: 0, or after the old format's
 * table, aligned to 8; SIZE_MAX when it has none. */
static size_t new_format_start(const char *cache, size_t len)
{
	size_t start = 0;
	if (len >= OLD_HEADER_SIZE && memcmp(cache, OLD_MAGIC, sizeof(OLD_MAGIC) - 1) == 0) {
		uint64_t end = OLD_HEADER_SIZE + (uint64_t)read_u32(cache + 12) * OLD_ENTRY_SIZE;
		start = (size_t)((end + 7) & ~(uint64_t)7);
		if (end > len)
			return SIZE_MAX;
	}
	if (start > len || len - start < NEW_HEADER_SIZE ||
	    memcmp(cache + start, NEW_MAGIC, sizeof(NEW_MAGIC) - 1) != 0)
		return SIZE_MAX;
	return start;
}

const char *bento_ld_so_cache_lookup(const char *cache, size_t len, const char *name)
{
	size_t start = new_format_start(cache, len);
	if (start == SIZE_MAX)
		return NULL;
	uint64_t n = read_u32(cache + start + 20);
	uint64_t room = (len - start - NEW_HEADER_SIZE) / NEW_ENTRY_SIZE;
	if (n > room)
		n = room;
	for (uint64_t i = 0; i < n; i++) {
		const char *e = cache + start + NEW_HEADER_SIZE + i * NEW_ENTRY_SIZE;
		uint32_t flags = read_u32(e);
		if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
		    (flags & FLAG_REQUIRED_MASK) != FLAG_X8664_LIB64)
			continue;
		/* (offsets count from the start of the new format's header) */
		const char *key = cache_string(cache, len, start + (uint64_t)read_u32(e + 4));
		const char *value = cache_string(cache, len, start + (uint64_t)read_u32(e + 8));
		if (key && value && strcmp(key, name) == 0)
			return value;
	}
	return NULL;
}

static void read_cache(bento_host_libs *libs)
{
	libs->cache_read = true;
	autoclose int fd = open(LD_SO_CACHE, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_LD_SO_CACHE)
		return;
	libs->cache = xmalloc((size_t)st.st_size);
	ssize_t n = bento_pread_all(fd, libs->cache, (size_t)st.st_size, 0);
	libs->cache_len = n > 0 ? (size_t)n : 0;
}

/* Whether path is one a program in the sandbox reaches. */
static bool path_visible(const bento_host_libs *libs, const char *path)
{
	if (path[0] != '/' || strstr(path, "/../"))
		return false;
	if (!libs->sandboxed)
		return true;
	return strncmp(path, "/usr/", 5) == 0 || strncmp(path, "/lib", 4) == 0;
}

bool bento_host_has_library(bento_host_libs *libs, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_dirs); i++) {
		autofree char *path = xasprintf("%s/%s", default_dirs[i], name);
		if (access(path, F_OK) == 0)
			return true;
	}
	if (!libs->cache_read)
		read_cache(libs);
	const char *path =
	    libs->cache ? bento_ld_so_cache_lookup(libs->cache, libs->cache_len, name) : NULL;
	return path && path_visible(libs, path) && access(path, F_OK) == 0;
}

void bento_host_libs_clear(bento_host_libs *libs)
{
	free(libs->cache);
	*libs = (bento_host_libs){0};
}
