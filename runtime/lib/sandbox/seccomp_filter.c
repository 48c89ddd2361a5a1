/* SPDX-License-Identifier: MIT */
#include "sandbox/seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_programs.h"

const struct sock_fprog *bento_seccomp_app_filter(bool devel, bool multiarch)
{
	return &bento_seccomp_app_programs[(devel ? 1 : 0) + (multiarch ? 2 : 0)];
}

/* What placeholder p becomes: the pid (or negated group id) it stands for,
 * or itself where there is no such process, so that it matches nothing;
 * never 0 or -1 (kill's "my group" and "everyone"). */
static uint32_t peer_value(const bento_runtime_peers *peers, uint32_t p)
{
	/* in the order of enum bento_runtime_placeholder */
	const pid_t values[] = {peers->self,   peers->child,        peers->holder,
	                        peers->helper, -peers->child_group, -peers->own_group};
	pid_t v = values[p - BENTO_PEER_SELF];
	bool real = p >= BENTO_PEER_NEG_CHILD_GROUP ? v < -1 : v > 0;
	return real ? (uint32_t)v : p;
}

int bento_seccomp_install_runtime(const bento_runtime_peers *peers)
{
	const struct sock_fprog *prog = &bento_seccomp_runtime_program;
	struct sock_filter *insns = malloc(prog->len * sizeof(*insns));
	if (insns == NULL)
		return -1;
	memcpy(insns, prog->filter, prog->len * sizeof(*insns));
	for (unsigned i = 0; i < prog->len; i++)
		if (insns[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && insns[i].k >= BENTO_PEER_SELF &&
		    insns[i].k < BENTO_PEER_END)
			insns[i].k = peer_value(peers, insns[i].k);
	struct sock_fprog patched = {.len = prog->len, .filter = insns};
	int r = bento_seccomp_install(&patched, true);
	int saved = errno;
	free(insns);
	errno = saved;
	return r;
}

int bento_seccomp_install(const struct sock_fprog *prog, bool tsync)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	if (!tsync)
		return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0);
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, prog);
	if (r > 0) { /* the id of a thread that could not be synchronised */
		errno = EAGAIN;
		return -1;
	}
	return (int)r;
}
