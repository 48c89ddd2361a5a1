/*
 * restrict — run a command on a machine made less capable, the way real
 * machines are, to test the runtime's fallbacks.  Run as root:
 *
 *   restrict [--no-userns] [--no-fuse] [--] CMD [ARGS...]
 *
 * --no-userns  user namespaces are refused the way Ubuntu's AppArmor
 *              restriction refuses them: unshare() and clone() with
 *              CLONE_NEWUSER fail with EPERM, and clone3() fails with ENOSYS
 *              (so that libc falls back to clone(), whose flags a filter can
 *              see).  The seccomp filter is installed without no_new_privs,
 *              so setuid programs (fusermount3) still work for CMD.
 * --no-fuse    FUSE is unusable: CMD runs in a private mount namespace in
 *              which /dev/null is bind-mounted over /dev/fuse.
 *
 * CMD typically drops privileges itself (setpriv --reuid=... the-appimage).
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, int err)
{
	fprintf(stderr, "restrict: %s: %s\n", what, strerror(err));
	exit(127);
}

static void usage(void)
{
	fprintf(stderr, "usage: restrict [--no-userns] [--no-fuse] [--] CMD [ARGS...]\n");
	exit(2);
}

static void no_fuse(void)
{
	struct stat st;

	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)", errno);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("making / private", errno);
	if (stat("/dev/fuse", &st) < 0)
		return; /* no FUSE device at all: unusable already */
	if (mount("/dev/null", "/dev/fuse", NULL, MS_BIND, NULL) < 0)
		die("bind-mounting /dev/null over /dev/fuse", errno);
}

static void no_userns(void)
{
	scmp_filter_ctx ctx;
	int rc;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		die("seccomp_init", ENOMEM);
	/* We are root: no need for no_new_privs, and without it a setuid
	 * fusermount3 keeps working under the filter. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
		                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	/* x86-64: clone(flags, stack, parent_tid, child_tid, tls) */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	/* clone3 passes its flags in memory, out of a filter's sight. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		die("installing the seccomp filter", -rc);
}

int main(int argc, char **argv)
{
	int i, userns = 1, fuse = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-userns") == 0)
			userns = 0;
		else if (strcmp(argv[i], "--no-fuse") == 0)
			fuse = 0;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-')
			usage();
		else
			break;
	}
	if (i >= argc)
		usage();
	if (!fuse)
		no_fuse();
	if (!userns)
		no_userns();
	execvp(argv[i], argv + i);
	die(argv[i], errno);
	return 127;
}
