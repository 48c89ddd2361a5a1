/* SPDX-License-Identifier: MIT */
/* The rules of bento's seccomp filters, written with libseccomp.  They are
 * compiled at build time (seccomp_gen.c) into the BPF programs that
 * seccomp_filter.h hands out, so that the runtime neither carries
 * libseccomp nor spends a launch compiling the same filter again. */
#ifndef BENTO_SECCOMP_RULES_H
#define BENTO_SECCOMP_RULES_H

#include <linux/filter.h>
#include <stdbool.h>

#include "core/error.h"

typedef struct bento_bpf {
	struct sock_fprog prog;
} bento_bpf;

typedef struct bento_app_filter_options {
	bool devel;     /* features=devel: ptrace, perf_event_open, personality */
	bool multiarch; /* features=multiarch: 32-bit x86 syscalls, same rules */
} bento_app_filter_options;

/* The app's filter, a denylist at least as strict as Flatpak's.  Denied
 * calls fail with EPERM (the classic ones), ENOSYS (calls newer than the
 * rules and io_uring, so that libraries fall back) or EAFNOSUPPORT (socket
 * and socketpair of families other than UNIX, INET, INET6, NETLINK).  Without multiarch every
 * 32-bit x86 or x32 call fails with ENOSYS. */
int bento_bpf_app(const bento_app_filter_options *opt, bento_bpf *out, bento_error **err);

/* The serving runtime's filter, an allowlist: once the app runs, the
 * runtime only serves FUSE requests, passes signals on and waits; anything
 * else fails with EPERM.  Whom it may signal is compared with placeholders
 * (enum bento_runtime_placeholder) that the runtime fills in. */
int bento_bpf_runtime(bento_bpf *out, bento_error **err);

void bento_bpf_free(bento_bpf *bpf);

#endif
