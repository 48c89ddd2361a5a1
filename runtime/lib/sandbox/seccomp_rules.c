/* SPDX-License-Identifier: MIT */
#include "sandbox/seccomp_rules.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/util.h"
#include "sandbox/seccomp_filter.h"

typedef struct filter_ctx {
	scmp_filter_ctx ctx;
} filter_ctx;

static void filter_ctx_release(filter_ctx *f)
{
	if (f->ctx)
		seccomp_release(f->ctx);
}

/* Adds a rule for a call named by name; calls the running architectures do
 * not have (vm86 on x86-64, say) are skipped. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
                    const struct scmp_arg_cmp *args, bento_error **err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int r = seccomp_rule_add_array(ctx, action, nr, n_args, args);
	if (r == -EFAULT || r == -EDOM)
		return 0;
	if (r < 0)
		return bento_error_set(err, -r, "seccomp: cannot add a rule for %s: %s", name,
		                       strerror(-r));
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n,
                     bento_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (add_rule(ctx, action, names[i], 0, NULL, err) < 0)
			return -1;
	return 0;
}

/* Compiles ctx into out->prog (through a memfd: libseccomp 2.5 exports BPF
 * only to a file descriptor). */
static int export_bpf(scmp_filter_ctx ctx, bento_bpf *out, bento_error **err)
{
	autoclose int fd = memfd_create("bento-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "seccomp: memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return bento_error_set(err, -r, "seccomp: cannot compile the filter: %s",
		                       strerror(-r));
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return bento_error_set(err, EINVAL, "seccomp: compiled filter has a bad size");
	struct sock_filter *insns = malloc((size_t)size);
	if (insns == NULL)
		abort();
	if (bento_pread_all(fd, insns, (size_t)size, 0) < 0) {
		free(insns);
		return bento_error_errno(err, "seccomp: reading the compiled filter");
	}
	out->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
	out->prog.filter = insns;
	return 0;
}

/* Denied with EPERM, as Flatpak denies them: kernel keyrings, the kernel log,
 * NUMA policy (information leaks and a history of bugs), accounting and
 * quotas, and everything that changes namespaces or the mount table. */
static const char *const denied_eperm[] = {
    "syslog",
    "uselib",
    "acct",
    "quotactl",
    "add_key",
    "keyctl",
    "request_key",
    "move_pages",
    "mbind",
    "get_mempolicy",
    "set_mempolicy",
    "migrate_pages",
    "unshare",
    "setns",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "bpf",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "swapon",
    "swapoff",
    "reboot",
    "lookup_dcookie",
    "vm86",
    "vm86old",
    "nfsservctl",
    "open_by_handle_at",
    "name_to_handle_at",
    "userfaultfd",
    "modify_ldt",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
};

/* Denied with ENOSYS: newer calls whose arguments a filter cannot inspect
 * (clone3's flags are behind a pointer) or that bypass the rules above (the
 * new mount API).  ENOSYS makes libraries fall back to the older call. */
static const char *const denied_enosys[] = {
    "clone3",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    /* io_uring runs system calls on the app's behalf where no filter sees
     * them (IORING_OP_SOCKET makes sockets of any family) and is a large
     * kernel surface; Flatpak and Docker deny it too.  Its users fall back
     * to plain system calls on ENOSYS. */
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
};

/* Debugging and profiling: only with features=devel. */
static const char *const devel_only[] = {"ptrace", "perf_event_open", "process_vm_readv",
                                         "process_vm_writev", "kcmp"};

/* Socket families an app may create; the others fail with EAFNOSUPPORT. */
static bool family_allowed(int family)
{
	return family == AF_UNIX || family == AF_INET || family == AF_INET6 || family == AF_NETLINK;
}

static int add_app_rules(scmp_filter_ctx ctx, const bento_app_filter_options *opt,
                         bento_error **err)
{
	if (add_rules(ctx, SCMP_ACT_ERRNO(EPERM), denied_eperm, ARRAY_SIZE(denied_eperm), err) <
	        0 ||
	    add_rules(ctx, SCMP_ACT_ERRNO(ENOSYS), denied_enosys, ARRAY_SIZE(denied_enosys), err) <
	        0)
		return -1;
	if (!opt->devel) {
		if (add_rules(ctx, SCMP_ACT_ERRNO(EPERM), devel_only, ARRAY_SIZE(devel_only), err) <
		    0)
			return -1;
		/* personality: only the default Linux one (ADDR_NO_RANDOMIZE
		 * and friends would help an exploit). */
		struct scmp_arg_cmp not_linux = SCMP_A0_64(SCMP_CMP_NE, 0);
		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "personality", 1, &not_linux, err) < 0)
			return -1;
	}
	/* No nested user namespace: clone with CLONE_NEWUSER. */
	struct scmp_arg_cmp newuser = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
	if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &newuser, err) < 0)
		return -1;
	/* Typing into the terminal (TIOCSTI) or the console (TIOCLINUX): the
	 * kernel looks at the low 32 bits of the request only, so the rule
	 * does too (CVE-2019-10063). */
	static const unsigned long tty_requests[] = {TIOCSTI, TIOCLINUX};
	for (size_t i = 0; i < ARRAY_SIZE(tty_requests); i++) {
		struct scmp_arg_cmp req =
		    SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, tty_requests[i]);
		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &req, err) < 0)
			return -1;
	}
	/* Socket families, for socket() and socketpair() alike (TIPC, for
	 * one, makes pairs): one rule per refused value below the largest
	 * allowed one, one for everything above it (including values with
	 * high bits set, which the kernel would truncate). */
	static const char *const socket_calls[] = {"socket", "socketpair"};
	for (size_t i = 0; i < ARRAY_SIZE(socket_calls); i++) {
		for (int family = 0; family <= AF_NETLINK; family++) {
			if (family_allowed(family))
				continue;
			struct scmp_arg_cmp eq = SCMP_A0_64(SCMP_CMP_EQ, (uint64_t)family);
			if (add_rule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socket_calls[i], 1, &eq,
			             err) < 0)
				return -1;
		}
		struct scmp_arg_cmp above = SCMP_A0_64(SCMP_CMP_GT, AF_NETLINK);
		if (add_rule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), socket_calls[i], 1, &above, err) <
		    0)
			return -1;
	}
	return 0;
}

int bento_bpf_app(const bento_app_filter_options *opt, bento_bpf *out, bento_error **err)
{
	*out = (bento_bpf){0};
	__attribute__((cleanup(filter_ctx_release))) filter_ctx f = {seccomp_init(SCMP_ACT_ALLOW)};
	if (f.ctx == NULL)
		return bento_error_set(err, ENOMEM, "seccomp: cannot create a filter");
	/* Calls of an architecture the filter does not list (32-bit x86 and
	 * x32 without multiarch) fail instead of slipping past the rules. */
	int r = seccomp_attr_set(f.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	if (r == 0 && opt->multiarch && seccomp_arch_native() == SCMP_ARCH_X86_64)
		r = seccomp_arch_add(f.ctx, SCMP_ARCH_X86);
	if (r < 0 && r != -EEXIST)
		return bento_error_set(err, -r, "seccomp: %s", strerror(-r));
	if (add_app_rules(f.ctx, opt, err) < 0)
		return -1;
	return export_bpf(f.ctx, out, err);
}

/* What the runtime does once the app runs: its serving threads read requests
 * from /dev/fuse and write replies, decompress into memory, start more
 * threads; the launching thread waits for signals and children and passes
 * signals on.  No file is opened, nothing is executed.  Signals, ioctl and
 * prctl are allowed only as add_runtime_rules says. */
static const char *const runtime_allowed[] = {
    "read",
    "readv",
    "write",
    "writev",
    "pread64",
    "preadv",
    "preadv2",
    "pwrite64",
    "close",
    "lseek",
    "fstat",
    "newfstatat",
    "statx",
    "poll",
    "ppoll",
    "epoll_wait",
    "epoll_pwait",
    "epoll_ctl",
    "futex",
    "futex_waitv",
    "munmap",
    "mremap",
    "madvise",
    "brk",
    "membarrier",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigaction",
    "rt_sigtimedwait",
    "sigaltstack",
    "restart_syscall",
    "exit",
    "exit_group",
    "clock_gettime",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "gettid",
    "getpid",
    "getppid",
    "getuid",
    "getgid",
    "geteuid",
    "getegid",
    "wait4",
    "waitid",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "sched_yield",
    "sched_getaffinity",
    "getrandom",
    "splice",
    "vmsplice",
    "pipe2",
    "eventfd2",
    "dup",
    "uname",
    "getrlimit",
    "sysinfo",
    "set_tid_address",
    "rmdir", /* the sandbox's cgroup, once the app has ended */
};

/* A comparison of argument arg's low 32 bits with value: the kernel reads
 * pids, signals, ioctl requests and prctl options as ints. */
static struct scmp_arg_cmp low32_eq(unsigned arg, uint32_t value)
{
	return (struct scmp_arg_cmp){
	    .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = value};
}

/* Signals only to the runtime's own (see bento_runtime_peers): its child
 * (the app or the sandbox's PID 1), the sandbox's process group, the
 * namespace holder, the D-Bus proxy; to its own process group only the stop
 * signals of job control; tgkill only to its own threads.  Never kill(0) or
 * kill(-1), no tkill, rt_sigqueueinfo or pidfd_send_signal.  ioctl only
 * what stdio (TCGETS) and job control (TIOCGPGRP, TIOCSPGRP) ask of a
 * terminal: serving FUSE needs none, and TIOCSTI or TIOCLINUX on the
 * user's terminal would reach the user's shell.  fcntl only on descriptor
 * flags, status flags and pipe sizes, prlimit64 only on itself.  prctl only
 * PR_SET_NAME (threads started later name themselves). */
static int add_runtime_rules(scmp_filter_ctx ctx, bento_error **err)
{
	static const uint32_t kill_targets[] = {BENTO_PEER_CHILD, BENTO_PEER_HOLDER,
	                                        BENTO_PEER_HELPER, BENTO_PEER_NEG_CHILD_GROUP};
	for (size_t i = 0; i < ARRAY_SIZE(kill_targets); i++) {
		struct scmp_arg_cmp pid = low32_eq(0, kill_targets[i]);
		if (add_rule(ctx, SCMP_ACT_ALLOW, "kill", 1, &pid, err) < 0)
			return -1;
	}
	static const int stop_signals[] = {SIGTSTP, SIGTTIN, SIGTTOU};
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		struct scmp_arg_cmp group_stop[] = {low32_eq(0, BENTO_PEER_NEG_OWN_GROUP),
		                                    low32_eq(1, (uint32_t)stop_signals[i])};
		if (add_rule(ctx, SCMP_ACT_ALLOW, "kill", 2, group_stop, err) < 0)
			return -1;
	}
	struct scmp_arg_cmp own_threads = low32_eq(0, BENTO_PEER_SELF);
	if (add_rule(ctx, SCMP_ACT_ALLOW, "tgkill", 1, &own_threads, err) < 0)
		return -1;
	static const unsigned long tty_requests[] = {TCGETS, TIOCGPGRP, TIOCSPGRP};
	for (size_t i = 0; i < ARRAY_SIZE(tty_requests); i++) {
		struct scmp_arg_cmp req = low32_eq(1, (uint32_t)tty_requests[i]);
		if (add_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &req, err) < 0)
			return -1;
	}
	/* fcntl: no F_SETOWN, F_SETOWN_EX, F_SETSIG (the kernel would send
	 * SIGIO, or any signal, to any process the runtime names), F_NOTIFY or
	 * F_SETLEASE. */
	static const int fcntl_commands[] = {F_GETFD,         F_SETFD,      F_GETFL,     F_SETFL,
	                                     F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_SETPIPE_SZ};
	for (size_t i = 0; i < ARRAY_SIZE(fcntl_commands); i++) {
		struct scmp_arg_cmp cmd = low32_eq(1, (uint32_t)fcntl_commands[i]);
		if (add_rule(ctx, SCMP_ACT_ALLOW, "fcntl", 1, &cmd, err) < 0)
			return -1;
	}
	/* prlimit64 of itself only: a limit set on another process (RLIMIT_CPU)
	 * is a signal the kernel sends it. */
	struct scmp_arg_cmp self = low32_eq(0, 0);
	if (add_rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1, &self, err) < 0)
		return -1;
	struct scmp_arg_cmp set_name = low32_eq(0, PR_SET_NAME);
	return add_rule(ctx, SCMP_ACT_ALLOW, "prctl", 1, &set_name, err);
}

int bento_bpf_runtime(bento_bpf *out, bento_error **err)
{
	*out = (bento_bpf){0};
	__attribute__((cleanup(filter_ctx_release)))
	filter_ctx f = {seccomp_init(SCMP_ACT_ERRNO(EPERM))};
	if (f.ctx == NULL)
		return bento_error_set(err, ENOMEM, "seccomp: cannot create a filter");
	int r = seccomp_attr_set(f.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return bento_error_set(err, -r, "seccomp: %s", strerror(-r));
	if (add_rules(f.ctx, SCMP_ACT_ALLOW, runtime_allowed, ARRAY_SIZE(runtime_allowed), err) <
	        0 ||
	    add_runtime_rules(f.ctx, err) < 0)
		return -1;
	/* Memory, but never executable memory: new code cannot be mapped in. */
	struct scmp_arg_cmp no_exec = SCMP_A2_64(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	if (add_rule(f.ctx, SCMP_ACT_ALLOW, "mmap", 1, &no_exec, err) < 0 ||
	    add_rule(f.ctx, SCMP_ACT_ALLOW, "mprotect", 1, &no_exec, err) < 0)
		return -1;
	/* Threads (pthread_create), but no new processes.  clone3 fails with
	 * ENOSYS so that glibc falls back to clone, whose flags are checked. */
	struct scmp_arg_cmp thread = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	if (add_rule(f.ctx, SCMP_ACT_ALLOW, "clone", 1, &thread, err) < 0 ||
	    add_rule(f.ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err) < 0)
		return -1;
	return export_bpf(f.ctx, out, err);
}

void bento_bpf_free(bento_bpf *bpf)
{
	free(bpf->prog.filter);
	*bpf = (bento_bpf){0};
}
