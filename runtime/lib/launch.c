/* SPDX-License-Identifier: MIT */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "extract.h"
#include "keyfile.h"
#include "serve.h"
#include "util.h"

/* Signals a user sends to "the app" reach the runtime; it passes them on. */
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static const struct {
	const char *name;
	bento_strategy strategy;
} strategy_names[] = {
    {"userns", BENTO_STRATEGY_USERNS},
    {"fusermount", BENTO_STRATEGY_FUSERMOUNT},
    {"extract", BENTO_STRATEGY_EXTRACT},
    {"extract-and-run", BENTO_STRATEGY_EXTRACT_AND_RUN},
};

int bento_strategy_parse(const char *name, bento_strategy *out, bento_error **err)
{
	for (size_t i = 0; i < sizeof(strategy_names) / sizeof(strategy_names[0]); i++) {
		if (strcmp(name, strategy_names[i].name) == 0) {
			*out = strategy_names[i].strategy;
			return 0;
		}
	}
	return bento_error_set(err, EINVAL,
	                       "unknown strategy \"%s\" (expected userns, fusermount, extract "
	                       "or extract-and-run)",
	                       name);
}

const char *bento_strategy_name(bento_strategy s)
{
	for (size_t i = 0; i < sizeof(strategy_names) / sizeof(strategy_names[0]); i++)
		if (strategy_names[i].strategy == s)
			return strategy_names[i].name;
	return "auto";
}

/* ---- what a child reports before it becomes the app ---------------------- */

/* A child reports over a close-on-exec socket: that it has mounted the image
 * (passing the /dev/fuse descriptor, which only a process inside the new user
 * namespace may open for that mount), or why it could not get as far as
 * exec.  A successful exec closes the socket without a report. */
typedef enum stage {
	STAGE_NONE,
	STAGE_USERNS,
	STAGE_MOUNT,
	STAGE_MOUNTED,
	STAGE_EXEC,
} stage;

typedef struct child_report {
	stage stage;
	int errnum;
} child_report;

static void report(int sock, stage st, int errnum, int passfd)
{
	child_report r = {st, errnum};
	struct iovec iov = {.iov_base = &r, .iov_len = sizeof(r)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (passfd >= 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Reads one report; returns false at end of file.  *passfd is -1 unless a
 * descriptor came with it. */
static bool receive_report(int sock, child_report *r, int *passfd)
{
	struct iovec iov = {.iov_base = r, .iov_len = sizeof(*r)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = sizeof(control.buf)};
	*passfd = -1;
	ssize_t n;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(passfd, CMSG_DATA(cm), sizeof(int));
	return n == sizeof(*r);
}

static int report_channel(int sv[2], bento_error **err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return bento_error_errno(err, "socketpair");
	return 0;
}

static __attribute__((noreturn)) void report_and_exit(int fd, stage st)
{
	report(fd, st, errno, -1);
	_exit(BENTO_EXIT_RUNTIME);
}

/* ---- the app's process ------------------------------------------------ */

typedef struct run_ctx {
	const bento_launch *launch;
	const char *command; /* relative to the app directory */
	sigset_t saved_mask;
	int sigfd;
	char owd[PATH_MAX];
	uid_t uid;
	gid_t gid;
} run_ctx;

/* AppImage's portable mode: FILE.home / FILE.config beside the file. */
static void set_portable_dirs(const char *appimage)
{
	struct stat st;
	autofree char *home = xasprintf("%s.home", appimage);
	autofree char *config = xasprintf("%s.config", appimage);
	if (stat(home, &st) == 0 && S_ISDIR(st.st_mode))
		setenv("HOME", home, 1);
	if (stat(config, &st) == 0 && S_ISDIR(st.st_mode))
		setenv("XDG_CONFIG_HOME", config, 1);
}

/* In a forked child: becomes the app, or reports why not. */
static __attribute__((noreturn)) void exec_app(const run_ctx *ctx, const char *appdir,
                                               int report_fd)
{
	const bento_launch *l = ctx->launch;
	setenv("APPIMAGE", l->appimage, 1);
	setenv("APPDIR", appdir, 1);
	setenv("ARGV0", l->argv0, 1);
	setenv("OWD", ctx->owd, 1);
	set_portable_dirs(l->appimage);
	size_t nargs = 0;
	while (l->args[nargs])
		nargs++;
	char **argv = xcalloc(nargs + 2, sizeof(char *));
	argv[0] = xasprintf("%s/%s", appdir, ctx->command);
	memcpy(argv + 1, l->args, nargs * sizeof(char *));
	sigprocmask(SIG_SETMASK, &ctx->saved_mask, NULL);
	execv(argv[0], argv);
	report_and_exit(report_fd, STAGE_EXEC);
}

/* The app must not outlive the runtime that serves its files. */
static void die_with_parent(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(BENTO_EXIT_RUNTIME);
}

/* ---- supervision ---------------------------------------------------------- */

typedef struct supervisor {
	int sigfd;
	pid_t child;      /* 0 when there is none */
	int report_fd;    /* -1 once closed */
	bento_serve *srv; /* NULL when nothing is served */
	/* Where a descriptor passed with STAGE_MOUNTED is served from. */
	const run_ctx *ctx;
	const char *mountpoint;
	/* Requests can be read only once the mount exists: before that the
	 * device answers EPERM. */
	bool mounted;
	bool mount_only;
	child_report report;
	bool child_exited;
	int wait_status;
	bool stop;
} supervisor;

static void on_signal(supervisor *sv, int sig)
{
	if (sig == SIGCHLD) {
		if (sv->child > 0 && !sv->child_exited &&
		    waitpid(sv->child, &sv->wait_status, WNOHANG) == sv->child)
			sv->child_exited = true;
		return;
	}
	if (sv->mount_only) {
		sv->stop = true;
		if (sv->child > 0)
			kill(sv->child, SIGKILL);
		return;
	}
	if (sv->child > 0 && !sv->child_exited)
		kill(sv->child, sig);
}

static int serve_passed_fd(supervisor *sv, int fuse_fd, bento_error **err)
{
	const run_ctx *ctx = sv->ctx;
	if (bento_serve_new(ctx->launch->img, BENTO_MOUNT_FD, fuse_fd, sv->mountpoint, ctx->uid,
	                    ctx->gid, &sv->srv, err) < 0) {
		close(fuse_fd);
		return -1;
	}
	return 0;
}

/* One round of waiting: a report, a signal or FUSE requests. */
static int supervisor_step(supervisor *sv, bento_error **err)
{
	struct pollfd fds[3] = {
	    {.fd = sv->sigfd, .events = POLLIN},
	    {.fd = sv->report_fd, .events = POLLIN},
	    {.fd = sv->srv && sv->mounted ? bento_serve_fd(sv->srv) : -1, .events = POLLIN}};
	if (poll(fds, 3, -1) < 0) {
		if (errno == EINTR)
			return 0;
		return bento_error_errno(err, "poll");
	}
	if (fds[2].revents) {
		int r = bento_serve_dispatch(sv->srv);
		if (r < 0)
			return bento_error_set(err, EIO, "serving the image failed");
		if (r == 0) {
			/* Unmounted: nothing more to serve. */
			sv->srv = NULL;
			if (sv->mount_only)
				sv->stop = true;
		}
	}
	if (fds[1].revents) {
		int passfd;
		bool got = receive_report(sv->report_fd, &sv->report, &passfd);
		if (got && sv->report.stage == STAGE_MOUNTED) {
			if (passfd >= 0 && serve_passed_fd(sv, passfd, err) < 0)
				return -1;
			sv->mounted = true;
		} else {
			if (passfd >= 0)
				close(passfd);
			if (!got)
				sv->report.stage = STAGE_NONE;
			close(sv->report_fd);
			sv->report_fd = -1;
		}
	}
	if (fds[0].revents) {
		struct signalfd_siginfo si;
		while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si))
			on_signal(sv, (int)si.ssi_signo);
	}
	return 0;
}

/* Waits until the child has reported (or exec'd, or died). */
static int supervise_start(supervisor *sv, bento_error **err)
{
	while (sv->report_fd >= 0 && !sv->child_exited && !(sv->mount_only && sv->mounted))
		if (supervisor_step(sv, err) < 0)
			return -1;
	if (sv->child_exited && sv->report_fd >= 0) {
		/* Died before exec: its report, if any, is in the socket. */
		int passfd;
		if (!receive_report(sv->report_fd, &sv->report, &passfd))
			sv->report.stage = STAGE_NONE;
		if (passfd >= 0)
			close(passfd);
		close(sv->report_fd);
		sv->report_fd = -1;
	}
	return 0;
}

static int supervise_until_exit(supervisor *sv, int *exit_status, bento_error **err)
{
	while (!sv->child_exited && !(sv->mount_only && sv->stop && sv->child == 0))
		if (supervisor_step(sv, err) < 0)
			return -1;
	if (sv->child == 0 || sv->mount_only)
		*exit_status = 0;
	else if (WIFSIGNALED(sv->wait_status))
		*exit_status = 128 + WTERMSIG(sv->wait_status);
	else
		*exit_status = WEXITSTATUS(sv->wait_status);
	return 0;
}

static void reap_child(supervisor *sv)
{
	if (sv->child > 0 && !sv->child_exited) {
		kill(sv->child, SIGKILL);
		waitpid(sv->child, &sv->wait_status, 0);
		sv->child_exited = true;
	}
}

/* ---- mount point ------------------------------------------------------------ */

/* The directory the image is mounted on.  It must exist on the host even when
 * the mount itself lives in a private namespace, so a small reaper process
 * removes it if the runtime is killed before it can clean up. */
typedef struct mount_dir {
	char *path;
	int keepalive; /* the reaper exits when this closes */
	pid_t reaper;
} mount_dir;

static void reaper_main(const char *path, int keepalive)
{
	/* Interrupts meant for the app (Ctrl-C reaches the whole process group)
	 * must not end the reaper early. */
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		signal(forwarded_signals[i], SIG_IGN);
	char c;
	while (read(keepalive, &c, 1) < 0 && errno == EINTR)
		;
	if (rmdir(path) == 0 || errno != EBUSY)
		_exit(0);
	/* Still mounted, so it was a fusermount3 mount.  fusermount3's own
	 * auto_unmount gives up when it is denied access to the dead mount
	 * (it runs as root, and FUSE admits only the mounting user), so
	 * unmount it as that user. */
	pid_t pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", "-z", "-q", "--", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int i = 0; i < 100 && rmdir(path) < 0 && errno == EBUSY; i++)
		usleep(10000);
	_exit(0);
}

static int mount_dir_create(mount_dir *md, const run_ctx *ctx, bento_error **err)
{
	md->path = xasprintf("%s/.mount_bento-XXXXXX", bento_tmpdir());
	if (mkdtemp(md->path) == NULL) {
		bento_error_errno(err, "cannot create a mount point in %s", bento_tmpdir());
		free(md->path);
		md->path = NULL;
		return -1;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return bento_error_errno(err, "pipe");
	md->reaper = fork();
	if (md->reaper < 0)
		return bento_error_errno(err, "fork");
	if (md->reaper == 0) {
		close(pipefd[1]);
		sigprocmask(SIG_SETMASK, &ctx->saved_mask, NULL);
		reaper_main(md->path, pipefd[0]);
	}
	close(pipefd[0]);
	md->keepalive = pipefd[1];
	return 0;
}

static void mount_dir_remove(mount_dir *md)
{
	if (md->path)
		rmdir(md->path);
	if (md->reaper > 0) {
		close(md->keepalive);
		waitpid(md->reaper, NULL, 0);
	}
	free(md->path);
	*md = (mount_dir){0};
}

/* ---- strategies ------------------------------------------------------------- */

typedef enum attempt {
	ATTEMPT_RAN,
	ATTEMPT_UNAVAILABLE, /* try the next strategy; err says why */
	ATTEMPT_FAILED,
} attempt;

static void debug_strategy(const run_ctx *ctx, bento_strategy s)
{
	if (ctx->launch->debug)
		fprintf(stderr, "bento: strategy: %s\n", bento_strategy_name(s));
}

static int open_fuse_device(bento_error **err)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "cannot open /dev/fuse");
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(10, 229)) {
		close(fd);
		errno = ENODEV;
		return bento_error_set(err, ENODEV, "/dev/fuse is not the FUSE device");
	}
	return fd;
}

/* Runs after mounting: prints the mount point for --appimage-mount, or waits
 * for the app.  path is what other processes of the user can open. */
static attempt finish_mounted(const run_ctx *ctx, supervisor *sv, bento_strategy s,
                              const char *path, int *exit_status, bento_error **err)
{
	debug_strategy(ctx, s);
	if (ctx->launch->mount_only) {
		printf("%s\n", path);
		fflush(stdout);
	}
	if (supervise_until_exit(sv, exit_status, err) < 0)
		return ATTEMPT_FAILED;
	return ATTEMPT_RAN;
}

static attempt exec_failed(const run_ctx *ctx, const char *appdir, int errnum, bento_error **err)
{
	bento_error_set(err, errnum, "%s: cannot run %s/%s: %s", ctx->launch->img->path, appdir,
	                ctx->command, strerror(errnum));
	return ATTEMPT_FAILED;
}

static __attribute__((noreturn)) void userns_child(const run_ctx *ctx, const char *mountpoint,
                                                   int report_fd)
{
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		report_and_exit(report_fd, STAGE_USERNS);
	/* Map only ourselves, so that the app sees its own uid and gid. */
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ctx->uid, (unsigned)ctx->uid);
	if (bento_write_file("/proc/self/setgroups", "deny", NULL) < 0 ||
	    bento_write_file("/proc/self/uid_map", map, NULL) < 0)
		report_and_exit(report_fd, STAGE_USERNS);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ctx->gid, (unsigned)ctx->gid);
	if (bento_write_file("/proc/self/gid_map", map, NULL) < 0)
		report_and_exit(report_fd, STAGE_USERNS);
	/* The kernel accepts a FUSE mount only with a device opened inside the
	 * mounting user namespace. */
	int fuse_fd = open_fuse_device(NULL);
	if (fuse_fd < 0)
		report_and_exit(report_fd, STAGE_MOUNT);
	/* The new mount namespace's mounts are slaves of the host's, so this
	 * mount stays private to the app. */
	autofree char *opts = bento_serve_mount_options(fuse_fd, ctx->uid, ctx->gid);
	if (mount("bento", mountpoint, "fuse.bento", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0)
		report_and_exit(report_fd, STAGE_MOUNT);
	report(report_fd, STAGE_MOUNTED, 0, fuse_fd);
	close(fuse_fd);
	if (ctx->launch->mount_only)
		for (;;)
			pause();
	exec_app(ctx, mountpoint, report_fd);
}

static attempt try_userns(const run_ctx *ctx, const mount_dir *md, int *exit_status,
                          bento_error **err)
{
	int channel[2];
	if (report_channel(channel, err) < 0)
		return ATTEMPT_FAILED;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return bento_error_errno(err, "fork"), ATTEMPT_FAILED;
	if (pid == 0) {
		close(channel[0]);
		die_with_parent(parent);
		userns_child(ctx, md->path, channel[1]);
	}
	close(channel[1]);
	supervisor sv = {.sigfd = ctx->sigfd,
	                 .child = pid,
	                 .report_fd = channel[0],
	                 .ctx = ctx,
	                 .mountpoint = md->path,
	                 .mount_only = ctx->launch->mount_only};
	auto_bento_serve srv = NULL;
	int r = supervise_start(&sv, err);
	srv = sv.srv;
	if (r < 0) {
		reap_child(&sv);
		return ATTEMPT_FAILED;
	}
	switch (sv.report.stage) {
	case STAGE_USERNS:
	case STAGE_MOUNT:
		reap_child(&sv);
		bento_error_set(err, sv.report.errnum, "%s: %s",
		                sv.report.stage == STAGE_USERNS
		                    ? "unprivileged user namespaces are not available"
		                    : "cannot mount FUSE in a user namespace",
		                strerror(sv.report.errnum));
		return ATTEMPT_UNAVAILABLE;
	case STAGE_EXEC:
		reap_child(&sv);
		return exec_failed(ctx, md->path, sv.report.errnum, err);
	default:
		break;
	}
	/* Other processes of the user reach the private mount through the
	 * child's root (used by --appimage-mount). */
	autofree char *visible = xasprintf("/proc/%d/root%s", (int)pid, md->path);
	attempt a = finish_mounted(ctx, &sv, BENTO_STRATEGY_USERNS, visible, exit_status, err);
	reap_child(&sv);
	return a;
}

/* Forks the app directly (no namespace) in appdir and supervises it. */
static attempt run_plain(const run_ctx *ctx, bento_serve *srv, const char *appdir, bento_strategy s,
                         int *exit_status, bento_error **err)
{
	supervisor sv = {.sigfd = ctx->sigfd,
	                 .report_fd = -1,
	                 .srv = srv,
	                 .mounted = true,
	                 .mount_only = ctx->launch->mount_only};
	if (!ctx->launch->mount_only) {
		int pipefd[2];
		if (report_channel(pipefd, err) < 0)
			return ATTEMPT_FAILED;
		pid_t parent = getpid();
		sv.child = fork();
		if (sv.child < 0)
			return bento_error_errno(err, "fork"), ATTEMPT_FAILED;
		if (sv.child == 0) {
			close(pipefd[0]);
			die_with_parent(parent);
			exec_app(ctx, appdir, pipefd[1]);
		}
		close(pipefd[1]);
		sv.report_fd = pipefd[0];
		if (supervise_start(&sv, err) < 0) {
			reap_child(&sv);
			return ATTEMPT_FAILED;
		}
		if (sv.report.stage == STAGE_EXEC) {
			reap_child(&sv);
			return exec_failed(ctx, appdir, sv.report.errnum, err);
		}
	}
	return finish_mounted(ctx, &sv, s, appdir, exit_status, err);
}

static attempt try_fusermount(const run_ctx *ctx, const mount_dir *md, int *exit_status,
                              bento_error **err)
{
	auto_bento_serve srv = NULL;
	if (bento_serve_new(ctx->launch->img, BENTO_MOUNT_FUSERMOUNT, -1, md->path, ctx->uid,
	                    ctx->gid, &srv, err) < 0)
		return ATTEMPT_UNAVAILABLE;
	return run_plain(ctx, srv, md->path, BENTO_STRATEGY_FUSERMOUNT, exit_status, err);
}

static char *cache_dir(bento_error **err)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/bento/extract", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/bento/extract", home);
	bento_error_set(err, ENOENT, "neither XDG_CACHE_HOME nor HOME is set to an absolute path");
	return NULL;
}

static attempt try_extract(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	autofree char *base = cache_dir(err);
	if (base == NULL || bento_mkdir_p(base, 0700, err) < 0)
		return ATTEMPT_FAILED;
	autofree char *identity = bento_image_identity(ctx->launch->img);
	autofree char *dir = xasprintf("%s/%s", base, identity);
	struct stat st;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (bento_extract_atomic(ctx->launch->img, dir, err) < 0)
			return ATTEMPT_FAILED;
	}
	return run_plain(ctx, NULL, dir, BENTO_STRATEGY_EXTRACT, exit_status, err);
}

static attempt try_extract_and_run(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	autofree char *identity = bento_image_identity(ctx->launch->img);
	autofree char *dir = xasprintf("%s/appimage_extracted_%s", bento_tmpdir(), identity);
	const char *no_cleanup = getenv("NO_CLEANUP");
	bool keep = no_cleanup && no_cleanup[0];
	struct stat st;
	if (!(keep && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)) &&
	    bento_extract(ctx->launch->img, dir, NULL, err) < 0) {
		bento_remove_tree(dir, NULL);
		return ATTEMPT_FAILED;
	}
	attempt a = run_plain(ctx, NULL, dir, BENTO_STRATEGY_EXTRACT_AND_RUN, exit_status, err);
	if (!keep)
		bento_remove_tree(dir, NULL);
	return a;
}

/* ---- the whole launch -------------------------------------------------------- */

/* The command is AppRun unless .bento/metadata names another path inside the
 * image. */
static int resolve_command(bento_image *img, char **command, bento_error **err)
{
	autofree char *data = NULL;
	size_t len = 0;
	int found = bento_image_read_file(img, ".bento/metadata", 1 << 20, &data, &len, err);
	if (found < 0)
		return -1;
	const char *cmd = NULL;
	auto_bento_keyfile kf = NULL;
	if (found) {
		autofree char *name = xasprintf("%s:.bento/metadata", img->path);
		if (bento_keyfile_parse(name, data, len, &kf, err) < 0)
			return -1;
		cmd = bento_keyfile_get(kf, "Application", "command");
	}
	if (cmd == NULL || cmd[0] == '\0')
		cmd = "AppRun";
	if (cmd[0] == '/' || strstr(cmd, "..") != NULL)
		return bento_error_set(err, EINVAL,
		                       "%s: .bento/metadata: command \"%s\" must be a path inside "
		                       "the image",
		                       img->path, cmd);
	*command = xstrdup(cmd);
	return 0;
}

static int setup_signals(run_ctx *ctx, bento_error **err)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&mask, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &ctx->saved_mask) < 0)
		return bento_error_errno(err, "sigprocmask");
	ctx->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ctx->sigfd < 0)
		return bento_error_errno(err, "signalfd");
	return 0;
}

static attempt try_strategy(const run_ctx *ctx, bento_strategy s, mount_dir *md, int *exit_status,
                            bento_error **err)
{
	bool mounts = s == BENTO_STRATEGY_USERNS || s == BENTO_STRATEGY_FUSERMOUNT;
	if (mounts && md->path == NULL && mount_dir_create(md, ctx, err) < 0)
		return ATTEMPT_FAILED;
	switch (s) {
	case BENTO_STRATEGY_USERNS:
		return try_userns(ctx, md, exit_status, err);
	case BENTO_STRATEGY_FUSERMOUNT:
		return try_fusermount(ctx, md, exit_status, err);
	case BENTO_STRATEGY_EXTRACT:
		return try_extract(ctx, exit_status, err);
	case BENTO_STRATEGY_EXTRACT_AND_RUN:
	default:
		return try_extract_and_run(ctx, exit_status, err);
	}
}

/* Tries the strategies in order until one runs the app. */
static int run_strategies(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	const bento_launch *launch = ctx->launch;
	/* Automatic order: a private mount needs nothing from the system; the
	 * setuid helper works where user namespaces are refused; extraction
	 * works wherever FUSE does not.  --appimage-mount prefers a mount that
	 * other processes can see. */
	bento_strategy order[3] = {BENTO_STRATEGY_USERNS, BENTO_STRATEGY_FUSERMOUNT,
	                           BENTO_STRATEGY_EXTRACT};
	size_t count = launch->mount_only ? 2 : 3;
	if (launch->mount_only) {
		order[0] = BENTO_STRATEGY_FUSERMOUNT;
		order[1] = BENTO_STRATEGY_USERNS;
	}
	if (launch->strategy != BENTO_STRATEGY_AUTO) {
		order[0] = launch->strategy;
		count = 1;
	}
	mount_dir md = {0};
	bento_serve_capture_log(true);
	autofree char *reasons = xstrdup("");
	attempt a = ATTEMPT_UNAVAILABLE;
	for (size_t i = 0; i < count && a == ATTEMPT_UNAVAILABLE; i++) {
		auto_bento_error why = NULL;
		a = try_strategy(ctx, order[i], &md, exit_status, &why);
		if (a == ATTEMPT_FAILED)
			*err = steal_pointer(&why);
		if (a != ATTEMPT_UNAVAILABLE)
			break;
		const char *msg = why ? why->message : "unavailable";
		char *more = xasprintf("%s; %s: %s", reasons, bento_strategy_name(order[i]), msg);
		free(reasons);
		reasons = more;
		if (launch->debug)
			fprintf(stderr, "bento: %s unavailable: %s\n",
			        bento_strategy_name(order[i]), msg);
	}
	mount_dir_remove(&md);
	const char *fuse_log = bento_serve_captured_log();
	if (a == ATTEMPT_UNAVAILABLE)
		bento_error_set(err, ENOSYS, "%s: no way to open the image (%s)%s%s",
		                launch->img->path, reasons + 2, fuse_log[0] ? "; libfuse: " : "",
		                fuse_log);
	bento_serve_capture_log(false);
	return a == ATTEMPT_RAN ? 0 : -1;
}

int bento_launch_run(const bento_launch *launch, int *exit_status, bento_error **err)
{
	run_ctx ctx = {.launch = launch, .sigfd = -1, .uid = getuid(), .gid = getgid()};
	autofree char *command = NULL;
	int r = resolve_command(launch->img, &command, err);
	ctx.command = command;
	if (getcwd(ctx.owd, sizeof(ctx.owd)) == NULL)
		ctx.owd[0] = '\0';
	if (r == 0)
		r = setup_signals(&ctx, err);
	if (r == 0) {
		r = run_strategies(&ctx, exit_status, err);
		close(ctx.sigfd);
		sigprocmask(SIG_SETMASK, &ctx.saved_mask, NULL);
	}
	if (r < 0 && *err)
		(*err)->status = BENTO_EXIT_RUNTIME;
	return r;
}

int bento_launch_apply_env(bento_launch *launch, bento_error **err)
{
	const char *debug = getenv("BENTO_DEBUG");
	launch->debug = debug && debug[0] && strcmp(debug, "0") != 0;
	const char *extract_and_run = getenv("APPIMAGE_EXTRACT_AND_RUN");
	if (extract_and_run && extract_and_run[0] && launch->strategy == BENTO_STRATEGY_AUTO)
		launch->strategy = BENTO_STRATEGY_EXTRACT_AND_RUN;
	const char *forced = getenv("BENTO_STRATEGY");
	if (forced && forced[0] && launch->strategy == BENTO_STRATEGY_AUTO &&
	    bento_strategy_parse(forced, &launch->strategy, err) < 0) {
		bento_error_prefix(err, "BENTO_STRATEGY");
		(*err)->status = BENTO_EXIT_RUNTIME;
		return -1;
	}
	return 0;
}
