/* SPDX-License-Identifier: MIT */
/* requirescheck: the runtime's [Requires] logic on its own, for
 * tests/runtime/requires.sh (the parts a test cannot reach through a real
 * host: another host's versions, hostile ELF files and loader caches).
 *
 *   requirescheck compare A B           prints -1, 0 or 1
 *   requirescheck releases VERSION      the releases bento_glibc_releases names
 *   requirescheck version FILE PREFIX   the newest PREFIX version FILE defines,
 *                                       "none", or the error (exit 1)
 *   requirescheck cache FILE NAME       the path an ld.so.cache gives, or "none"
 *   requirescheck decide METADATA GLIBC LIBSTDCXX [HOSTLIB...]
 *       decides for a host whose versions are GLIBC and LIBSTDCXX ("-": none)
 *       and which has the libraries HOSTLIB: prints "layers: ..." or the
 *       refusal (exit 127).
 *   requirescheck no-overlayfs CMD [ARGS...]
 *       (as root) runs CMD on a machine whose kernel refuses overlayfs, the
 *       way Linux before 5.11 (Debian 11's) refuses it in a user namespace:
 *       a seccomp filter, installed without no_new_privs, fails with EPERM
 *       every mount(2) whose flags are exactly MS_RDONLY | MS_NOSUID |
 *       MS_NODEV - the runtime's overlayfs mounts, and its FUSE mount too,
 *       so that only BENTO_STRATEGY=extract runs under it.
 *   requirescheck time METADATA N
 *       runs the launch's check on this host N times: the layers, and the
 *       mean time of one check in microseconds (for bench/README.md). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/elf_layout.h"
#include "core/exit.h"
#include "core/util.h"
#include "core/version.h"
#include "launch/hostlibs.h"
#include "launch/requires.h"
#include "permissions/permissions.h"

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	*len = n;
	return buf;
}

typedef struct host_list {
	char **names;
	int n;
} host_list;

static bool has_library(void *ctx, const char *name)
{
	const host_list *h = ctx;
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return true;
	return false;
}

static int decide(int argc, char **argv)
{
	size_t len;
	autofree char *data = read_whole(argv[2], &len);
	bento_metadata md;
	auto_bento_error err = NULL;
	if (bento_metadata_parse(argv[2], data, len, &md, &err) < 0) {
		printf("invalid: %s\n", err->message);
		return 1;
	}
	host_list h = {.names = argv + 5, .n = argc - 5};
	bento_host_facts host = {.glibc = strcmp(argv[3], "-") ? argv[3] : NULL,
	                         .libstdcxx = strcmp(argv[4], "-") ? argv[4] : NULL,
	                         .has_library = has_library,
	                         .ctx = &h};
	bento_usr_layers layers = {0};
	int r = bento_requirements_decide(&md.requirements, "APP", &host, &layers, &err);
	bento_metadata_clear(&md);
	if (r < 0) {
		printf("%s\n", err->message);
		return err->status;
	}
	printf("layers:%s%s%s%s\n", layers.glibc ? " glibc" : "",
	       layers.libstdcxx ? " libstdc++" : "", layers.fallback ? " fallback" : "",
	       bento_usr_layers_needed(&layers) ? "" : " none");
	return 0;
}

static int time_check(const char *path, long n)
{
	size_t len;
	autofree char *data = read_whole(path, &len);
	bento_metadata md;
	auto_bento_error err = NULL;
	if (bento_metadata_parse(path, data, len, &md, &err) < 0) {
		printf("invalid: %s\n", err->message);
		return 1;
	}
	bento_usr_layers layers = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (bento_requirements_check(&md.requirements, "APP", true, &layers, &err) < 0) {
			printf("%s\n", err->message);
			return err->status;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	            1e3 / (double)n;
	printf("layers:%s%s%s; %.1f us per check\n", layers.glibc ? " glibc" : "",
	       layers.libstdcxx ? " libstdc++" : "", layers.fallback ? " fallback" : "", us);
	bento_metadata_clear(&md);
	return 0;
}

static int no_overlayfs(char **cmd)
{
	struct sock_filter filter[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MS_RDONLY | MS_NOSUID | MS_NODEV, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(filter), .filter = filter};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("seccomp");
		return 2;
	}
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "compare") == 0) {
		if (!bento_version_valid(argv[2], strlen(argv[2])) ||
		    !bento_version_valid(argv[3], strlen(argv[3]))) {
			printf("invalid\n");
			return 1;
		}
		int c = bento_version_compare(argv[2], argv[3]);
		printf("%d\n", c < 0 ? -1 : c > 0);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "releases") == 0) {
		autofree char *r = bento_glibc_releases(argv[2]);
		printf("%s\n", r ? r : "none");
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "version") == 0) {
		autoclose int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			perror(argv[2]);
			return 2;
		}
		char out[BENTO_VERSION_MAX + 1];
		auto_bento_error err = NULL;
		int r = bento_elf_newest_version(fd, (uint64_t)st.st_size, argv[3], out, &err);
		if (r < 0) {
			printf("error: %s\n", err->message);
			return 1;
		}
		printf("%s\n", r ? out : "none");
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "cache") == 0) {
		size_t len;
		autofree char *cache = read_whole(argv[2], &len);
		const char *path = bento_ld_so_cache_lookup(cache, len, argv[3]);
		printf("%s\n", path ? path : "none");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "no-overlayfs") == 0)
		return no_overlayfs(argv + 2);
	if (argc == 4 && strcmp(argv[1], "time") == 0)
		return time_check(argv[2], atol(argv[3]) > 0 ? atol(argv[3]) : 1);
	if (argc >= 5 && strcmp(argv[1], "decide") == 0)
		return decide(argc, argv);
	fprintf(
	    stderr,
	    "usage: requirescheck compare|releases|version|cache|decide|no-overlayfs|time ...\n");
	return 2;
}
