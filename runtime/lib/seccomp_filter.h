/* SPDX-License-Identifier: MIT */
/* The seccomp filters bento installs, compiled at build time from the rules
 * in seccomp_rules.c: the app's, and the serving runtime's own. */
#ifndef BENTO_SECCOMP_FILTER_H
#define BENTO_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>

/* The app's filter for features=devel and features=multiarch as given. */
const struct sock_fprog *bento_seccomp_app_filter(bool devel, bool multiarch);

/* The runtime's own allowlist, installed once the app runs. */
const struct sock_fprog *bento_seccomp_runtime_filter(void);

/* Installs prog on the calling thread (on all threads with tsync), with
 * PR_SET_NO_NEW_PRIVS.  Allocation-free: callable in a vfork-style child.
 * Returns -1 with errno set. */
int bento_seccomp_install(const struct sock_fprog *prog, bool tsync);

#endif
