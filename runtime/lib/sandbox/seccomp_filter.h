/* SPDX-License-Identifier: MIT */
/* The seccomp filters bento installs, compiled at build time from the rules
 * in seccomp_rules.c: the app's, and the serving runtime's own. */
#ifndef BENTO_SECCOMP_FILTER_H
#define BENTO_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The app's filter for features=devel and features=multiarch as given. */
const struct sock_fprog *bento_seccomp_app_filter(bool devel, bool multiarch);

/* The processes the serving runtime may still signal once confined: known
 * only at run time, so the compiled program compares them with placeholders
 * that are replaced just before it is installed.  0 where there is none. */
typedef struct bento_runtime_peers {
	pid_t self;        /* the runtime itself: tgkill to its own threads */
	pid_t own_group;   /* its process group: stop signals only (job control) */
	pid_t child;       /* its child: the app, or the sandbox's PID 1 */
	pid_t child_group; /* the sandbox's process group (PID 1's), any signal */
	pid_t holder;      /* the namespace holder */
	pid_t helper;      /* the D-Bus proxy */
} bento_runtime_peers;

/* The placeholders: values no pid can take (PID_MAX_LIMIT is 2^22), so one
 * that is left in place (a peer that does not exist) matches no process.
 * The NEG_ ones stand for the negated group id (kill(-pgid, ...)).  The
 * build checks that each occurs in the compiled program. */
enum bento_runtime_placeholder {
	BENTO_PEER_SELF = 0x7e5c0001,
	BENTO_PEER_CHILD,
	BENTO_PEER_HOLDER,
	BENTO_PEER_HELPER,
	BENTO_PEER_NEG_CHILD_GROUP,
	BENTO_PEER_NEG_OWN_GROUP,
	BENTO_PEER_END
};

/* Installs the runtime's own allowlist on every thread of the process,
 * with its placeholders replaced by peers.  Returns -1 with errno set. */
int bento_seccomp_install_runtime(const bento_runtime_peers *peers);

/* Installs prog on the calling thread (on all threads with tsync), with
 * PR_SET_NO_NEW_PRIVS.  Allocation-free: callable in a vfork-style child.
 * Returns -1 with errno set. */
int bento_seccomp_install(const struct sock_fprog *prog, bool tsync);

#endif
