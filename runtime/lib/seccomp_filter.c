/* SPDX-License-Identifier: MIT */
#include "seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_programs.h"

const struct sock_fprog *bento_seccomp_app_filter(bool devel, bool multiarch)
{
	return &bento_seccomp_app_programs[(devel ? 1 : 0) + (multiarch ? 2 : 0)];
}

const struct sock_fprog *bento_seccomp_runtime_filter(void)
{
	return &bento_seccomp_runtime_program;
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
