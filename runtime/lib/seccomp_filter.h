/* SPDX-License-Identifier: MIT */
/* The seccomp filters bento installs: the app's (a denylist at least as
 * strict as Flatpak's) and the serving runtime's own (an allowlist of what
 * serving an image needs).
 *
 * Filters are compiled by libseccomp into a BPF program in memory before any
 * child is created, so that a child sharing our memory can install one with
 * a single prctl and without allocating. */
#ifndef BENTO_SECCOMP_FILTER_H
#define BENTO_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>

#include "error.h"

typedef struct bento_bpf {
	struct sock_fprog prog;
} bento_bpf;

typedef struct bento_app_filter_options {
	bool devel;     /* features=devel: ptrace, perf_event_open, personality */
	bool multiarch; /* features=multiarch: 32-bit x86 syscalls, same rules */
} bento_app_filter_options;

/* The app's filter.  Denied calls fail with EPERM (the classic ones),
 * ENOSYS (calls newer than the rules, so that libraries fall back) or
 * EAFNOSUPPORT (socket families other than UNIX, INET, INET6, NETLINK).
 * Without multiarch every 32-bit x86 or x32 call fails with ENOSYS. */
int bento_bpf_app(const bento_app_filter_options *opt, bento_bpf *out, bento_error **err);

/* The serving runtime's filter: once the app runs, it only serves FUSE
 * requests, passes signals on and waits; anything else fails with EPERM. */
int bento_bpf_runtime(bento_bpf *out, bento_error **err);

void bento_bpf_free(bento_bpf *bpf);

/* Installs bpf on the calling thread (all threads with tsync), with
 * PR_SET_NO_NEW_PRIVS.  Allocation-free: callable in a vfork-style child.
 * Returns -1 with errno set. */
int bento_bpf_install(const bento_bpf *bpf, bool tsync);

#endif
