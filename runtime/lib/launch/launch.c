/* SPDX-License-Identifier: MIT */
#include "launch/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/state.h"
#include "core/util.h"
#include "fuse/serve.h"
#include "fuse/server.h"
#include "image/extract.h"
#include "image/metadata.h"
#include "image/seal.h"
#include "launch/cache.h"
#include "launch/identity.h"
#include "launch/mount.h"
#include "launch/nosandbox.h"
#include "launch/requires.h"
#include "permissions/override.h"
#include "sandbox/process.h"
#include "sandbox/sandbox.h"
#include "sandbox/seccomp_filter.h"

/* Signals a user sends to "the app" reach the runtime; it passes them on. */
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* A sandboxed app has a process group of its own (sandbox/process.c): the runtime
 * stops and continues the user's job with it (see supervise). */
static const int job_control_signals[] = {SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT};

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
	for (size_t i = 0; i < ARRAY_SIZE(strategy_names); i++) {
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
	for (size_t i = 0; i < ARRAY_SIZE(strategy_names); i++)
		if (strategy_names[i].strategy == s)
			return strategy_names[i].name;
	return "auto";
}

/* ---- the app's process ------------------------------------------------ */

typedef struct run_ctx {
	const bento_launch *launch;
	const char *command; /* relative to the app directory */
	/* The app's identity and permissions (metadata, the user's override,
	 * this run's options), and whether it runs sandboxed. */
	bento_metadata metadata;
	bento_permissions permissions;
	bool sandboxed;
	/* A bento image run unsandboxed: it gets its /app all the same
	 * (nosandbox.h). */
	bool app_root;
	/* /usr's layers: the image's tree (usr-overlay) and the .bento layers
	 * this host needs (launch/requires.h). */
	bento_usr_layers usr_layers;
	sigset_t saved_mask;
	int sigfd;
	char owd[PATH_MAX];
	uid_t uid;
	gid_t gid;
} run_ctx;

/* What messages name: the image file, or the installed app's deployment. */
static const char *subject(const run_ctx *ctx)
{
	return ctx->launch->img ? ctx->launch->img->path : ctx->launch->app_dir;
}

/* What AppImage's runtime gives the app, and its portable mode: FILE.home
 * and FILE.config beside the file become HOME and XDG_CONFIG_HOME.  In a
 * sandbox the environment starts from the sandbox's, already cleaned of the
 * host's loader and interpreter variables, and there is no portable mode
 * (the app's data lives in ~/.var/app). */
static void app_environment(const run_ctx *ctx, const char *appdir, const bento_sandbox *sb,
                            bento_strv *env)
{
	extern char **environ;
	const bento_launch *l = ctx->launch;
	char *const *base = sb ? sb->env.items : environ;
	for (char *const *e = base; e && *e; e++)
		bento_strv_add(env, xstrdup(*e));
	/* A sandboxed app learns the file's name, not where it is on the
	 * host (it could not reach it anyway). */
	const char *appimage = l->appimage, *argv0 = l->argv0;
	if (sb) {
		if (appimage && strrchr(appimage, '/'))
			appimage = strrchr(appimage, '/') + 1;
		argv0 = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	}
	/* An installed app is no AppImage: no $APPIMAGE, and no portable
	 * mode beside a file. */
	if (appimage)
		bento_strv_setenv(env, "APPIMAGE", appimage);
	bento_strv_setenv(env, "APPDIR", appdir);
	bento_strv_setenv(env, "ARGV0", argv0);
	bento_strv_setenv(env, "OWD", ctx->owd);
	if (sb || appimage == NULL)
		return;
	struct stat st;
	autofree char *home = xasprintf("%s.home", l->appimage);
	autofree char *config = xasprintf("%s.config", l->appimage);
	if (stat(home, &st) == 0 && S_ISDIR(st.st_mode))
		bento_strv_setenv(env, "HOME", home);
	if (stat(config, &st) == 0 && S_ISDIR(st.st_mode))
		bento_strv_setenv(env, "XDG_CONFIG_HOME", config);
}

/* At most this many of the app's arguments are looked for in its sandbox. */
#define MAX_ARGUMENT_CHECKS 32

/* The app's process, prepared for bento_spawn_run. */
typedef struct app_process {
	bento_spawn spawn;
	char *path;
	bento_strv argv, env;
	/* With a sandbox: the host files the app may be meant to reach (the
	 * working directory first, if cwd_checked), see warn_hidden_paths. */
	bento_spawn_path paths[1 + MAX_ARGUMENT_CHECKS];
	bool cwd_checked;
} app_process;

/* The host files a sandboxed app is likely meant to use: its working
 * directory and the existing files or directories its arguments name
 * (an option, "-x" or "--x=...", names none). */
static void look_for_host_paths(app_process *app, const run_ctx *ctx)
{
	size_t n = 0;
	if (ctx->owd[0] && stat(ctx->owd, &app->paths[n].host) == 0) {
		app->paths[n++].path = ctx->owd;
		app->cwd_checked = true;
	}
	for (char **a = ctx->launch->args; *a && n < ARRAY_SIZE(app->paths); a++)
		if ((*a)[0] != '\0' && (*a)[0] != '-' && stat(*a, &app->paths[n].host) == 0)
			app->paths[n++].path = *a;
	app->spawn.paths = app->paths;
	app->spawn.n_paths = n;
}

/* s as a terminal shows it as it is: control bytes and backslashes as \xNN. */
static char *visible_text(const char *s)
{
	size_t len = strlen(s);
	char *out = xmalloc(4 * len + 1), *o = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\')
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* Once a sandboxed app runs: says which of the host files it was likely
 * meant to use its sandbox hides, and the option that grants each, so that
 * the user learns why the app finds nothing there, or why what it writes
 * there never reaches the host. */
static void warn_hidden_paths(const app_process *app)
{
	for (size_t i = 0; i < app->spawn.n_paths; i++) {
		const bento_spawn_path *p = &app->paths[i];
		if (!p->hidden)
			continue;
		char resolved[PATH_MAX];
		autofree char *name = visible_text(p->path);
		/* A file is granted by its directory. */
		autofree char *dir = xstrdup(realpath(p->path, resolved) ? resolved : p->path);
		char *slash = strrchr(dir, '/');
		if (!S_ISDIR(p->host.st_mode) && slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		autofree char *grant = visible_text(dir);
		if (i == 0 && app->cwd_checked)
			bento_warn(
			    "the sandbox hides the working directory %s: the app neither sees "
			    "its files nor writes there; to grant it, pass "
			    "--bento-filesystem=%s (bento run --filesystem=%s)",
			    name, grant, grant);
		else
			bento_warn("the sandbox hides %s, which an argument names: the app cannot "
			           "reach it; to grant it, pass --bento-filesystem=%s (bento run "
			           "--filesystem=%s)",
			           name, grant, grant);
	}
}

static void app_process_init(app_process *app, const run_ctx *ctx, const char *appdir,
                             const bento_sandbox *sb)
{
	*app = (app_process){0};
	if (sb)
		appdir = "/app";
	app->path = xasprintf("%s/%s", appdir, ctx->command);
	bento_strv_add(&app->argv, xstrdup(app->path));
	for (char **a = ctx->launch->args; *a; a++)
		bento_strv_add(&app->argv, xstrdup(*a));
	app_environment(ctx, appdir, sb, &app->env);
	app->spawn = (bento_spawn){.path = app->path,
	                           .argv = app->argv.items,
	                           .envp = app->env.items,
	                           .exec = !ctx->launch->mount_only,
	                           .exec_mask = &ctx->saved_mask,
	                           .uid = ctx->uid,
	                           .gid = ctx->gid,
	                           .sandbox = sb,
	                           .cwd = ctx->owd[0] ? ctx->owd : NULL,
	                           .fallback_cwd = sb ? sb->home : NULL,
	                           .out_fd = -1,
	                           .err_fd = -1};
	if (sb)
		look_for_host_paths(app, ctx);
}

static void app_process_free(app_process *app)
{
	bento_spawn_release(&app->spawn);
	free(app->path);
	bento_strv_free(&app->argv);
	bento_strv_free(&app->env);
}

/* ---- supervision ---------------------------------------------------------- */

typedef struct supervisor {
	int sigfd;
	bento_spawn *spawn; /* the app's process, for job control */
	pid_t child;        /* the app, 0 when there is none (--appimage-mount) */
	bool mount_only;
	bool child_exited;
	int wait_status;
	bool stop;
} supervisor;

/* Job control of a sandboxed app, whose process group is not ours (the
 * signals are blocked only then, see setup_signals).  SIGCONT: the shell
 * continued our job (fg, bg), so the app's group is continued, given the
 * terminal if we have it.  A stop signal sent to the runtime (kill -TSTP)
 * goes to the app's group; the app's stop then stops the job (stop_fd in
 * supervise). */
static void on_job_control(supervisor *sv, int sig)
{
	if (sv->child_exited)
		return;
	if (sig == SIGCONT)
		bento_spawn_continue(sv->spawn);
	else if (bento_spawn_signal_group(sv->spawn, sig) < 0)
		bento_spawn_stop_job(sv->spawn, sig, false);
}

static void on_signal(supervisor *sv, int sig)
{
	if (sig == SIGCHLD) {
		if (sv->child > 0 && !sv->child_exited &&
		    waitpid(sv->child, &sv->wait_status, WNOHANG) == sv->child)
			sv->child_exited = true;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(job_control_signals); i++)
		if (sig == job_control_signals[i]) {
			on_job_control(sv, sig);
			return;
		}
	if (sv->mount_only)
		sv->stop = true;
	else if (sv->child > 0 && !sv->child_exited)
		kill(sv->child, sig);
}

/* Waits for the app to end (or, for --appimage-mount, for a signal to stop),
 * passing signals on.  The image is served meanwhile by the server thread.
 * A sandboxed app stopped (Ctrl-Z, or reading the terminal in the
 * background) stops the user's job with it. */
static int supervise(supervisor *sv, int *exit_status, bento_error **err)
{
	while (sv->mount_only ? !sv->stop : !sv->child_exited) {
		struct pollfd pfd[2] = {{.fd = sv->sigfd, .events = POLLIN},
		                        {.fd = sv->spawn->stop_fd, .events = POLLIN}};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return bento_error_errno(err, "poll");
		}
		/* (before the signals: a SIGCONT read first would continue the
		 * app, and this stop, then seen, would stop the job again) */
		bool by_terminal = false;
		int stopped_by = pfd[1].revents ? bento_spawn_stopped(sv->spawn, &by_terminal) : 0;
		if (stopped_by != 0 && !sv->child_exited)
			bento_spawn_stop_job(sv->spawn, stopped_by, by_terminal);
		struct signalfd_siginfo si;
		while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si))
			on_signal(sv, (int)si.ssi_signo);
	}
	if (sv->mount_only || sv->child == 0)
		*exit_status = 0;
	else if (WIFSIGNALED(sv->wait_status))
		*exit_status = 128 + WTERMSIG(sv->wait_status);
	else
		*exit_status = WEXITSTATUS(sv->wait_status);
	return 0;
}

/* ---- mount point ------------------------------------------------------------ */

/* The directory the image is mounted on.
 *
 * A mount in a private namespace goes on the user's own directory
 * $XDG_RUNTIME_DIR/bento/mnt (or ~/.cache/bento/mnt), the same for every
 * launch: each launch mounts there in its own namespace, invisible to the
 * others, so nothing is created or removed per launch.
 *
 * A host-visible mount (fusermount3) needs a directory of its own; a small
 * reaper process removes it, and the mount, if the runtime is killed
 * before it can clean up. */
typedef struct mount_dir {
	char *path;
	bool temporary;
	int keepalive; /* the reaper exits when this closes */
	pid_t reaper;
} mount_dir;

static void reaper_main(const char *path, int keepalive)
{
	/* Interrupts meant for the app (Ctrl-C reaches the whole process group)
	 * must not end the reaper early. */
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
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

/* NAME in bento's cache, a private directory of the user's, made if
 * needed. */
static char *user_cache_dir(const char *name, bento_error **err)
{
	autofree char *base = bento_state_dir(BENTO_STATE_CACHE, err);
	if (base == NULL || bento_private_dir(base, err) < 0)
		return NULL;
	autofree char *dir = xasprintf("%s/%s", base, name);
	if (bento_private_dir(dir, err) < 0)
		return NULL;
	return steal_pointer(&dir);
}

/* $XDG_RUNTIME_DIR/bento/mnt, or bento's cache's mnt: the same for every
 * launch, each mounting there in a namespace of its own. */
static char *shared_mount_point(bento_error **err)
{
	if (bento_user_runtime_dir()) {
		autofree char *base = bento_state_dir(BENTO_STATE_RUNTIME, NULL);
		autofree char *path = xasprintf("%s/mnt", base);
		if (bento_private_dir(base, NULL) == 0 && bento_private_dir(path, NULL) == 0)
			return steal_pointer(&path);
	}
	return user_cache_dir("mnt", err);
}

static int temporary_mount_point(mount_dir *md, const run_ctx *ctx, bento_error **err)
{
	md->path = xasprintf("%s/.mount_bento-XXXXXX", bento_tmpdir());
	if (mkdtemp(md->path) == NULL) {
		bento_error_errno(err, "cannot create a mount point in %s", bento_tmpdir());
		free(md->path);
		md->path = NULL;
		return -1;
	}
	md->temporary = true;
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

static int mount_dir_create(mount_dir *md, const run_ctx *ctx, bool private_mount,
                            bento_error **err)
{
	*md = (mount_dir){.keepalive = -1};
	if (private_mount && (md->path = shared_mount_point(NULL)) != NULL)
		return 0;
	return temporary_mount_point(md, ctx, err);
}

static void mount_dir_remove(mount_dir *md)
{
	if (md->path && md->temporary)
		rmdir(md->path);
	if (md->reaper > 0) {
		close(md->keepalive);
		waitpid(md->reaper, NULL, 0);
	}
	free(md->path);
	*md = (mount_dir){.keepalive = -1};
}

/* ---- strategies ------------------------------------------------------------- */

typedef enum attempt {
	ATTEMPT_RAN,
	ATTEMPT_UNAVAILABLE, /* try the next strategy; err says why */
	ATTEMPT_FAILED,
} attempt;

/* Creates the app's process (or, for --appimage-mount, only what it needs). */
static attempt start_app(const run_ctx *ctx, app_process *app, bento_error **err)
{
	int r = bento_spawn_run(&app->spawn, err);
	if (r <= 0)
		return r < 0 ? ATTEMPT_FAILED : ATTEMPT_RAN;
	int e = app->spawn.errnum;
	const bento_sandbox_failure *f = &app->spawn.failure;
	switch (app->spawn.stage) {
	case BENTO_SPAWN_USERNS:
		if (ctx->sandboxed) {
			autofree char *why = bento_userns_refusal_reason(e);
			bento_error_set(err, e,
			                "%s: cannot start %s in its sandbox: %s.  To run it "
			                "unconfined, with all your rights, pass --bento-no-sandbox "
			                "(bento run --no-sandbox)",
			                subject(ctx), ctx->metadata.app_id, why);
			return ATTEMPT_FAILED;
		}
		bento_error_set(err, e, "unprivileged user namespaces are not available: %s",
		                strerror(e));
		return ATTEMPT_UNAVAILABLE;
	case BENTO_SPAWN_MOUNT:
		bento_error_set(err, e, "cannot mount FUSE in a user namespace: %s", strerror(e));
		return ATTEMPT_UNAVAILABLE;
	case BENTO_SPAWN_SANDBOX:
		bento_error_set(err, f->errnum, "%s: cannot set up the sandbox: %s%s%s: %s",
		                subject(ctx), f->step, f->path ? " " : "", f->path ? f->path : "",
		                strerror(f->errnum));
		return ATTEMPT_FAILED;
	default:
		bento_error_set(err, e, "%s: cannot run %s: %s", subject(ctx), app->path,
		                strerror(e));
		return ATTEMPT_FAILED;
	}
}

/* The sandbox for this launch, its root built on root; app_dir is bound at
 * /app, or NULL when the image is mounted there. */
static int prepare_sandbox(const run_ctx *ctx, const char *root, const char *app_dir,
                           bento_sandbox **sb, bento_error **err)
{
	extern char **environ;
	bento_sandbox_config cfg = {.app_id = ctx->metadata.app_id,
	                            .permissions = &ctx->permissions,
	                            .root = root,
	                            .uid = ctx->uid,
	                            .gid = ctx->gid,
	                            .app_dir = app_dir,
	                            .usr_overlay = ctx->usr_layers.image,
	                            .usr_overlay_asked =
	                                ctx->metadata.usr_overlay == BENTO_USR_OVERLAY_ON,
	                            .usr_layers = ctx->usr_layers};
	if (bento_sandbox_prepare(&cfg, environ, sb, err) < 0)
		return bento_error_prefix(err, "%s: cannot prepare the sandbox", subject(ctx));
	return 0;
}

/* Once the app runs, the runtime only serves the image and waits: it gives
 * up every other system call, since what it serves is an untrusted file,
 * and may signal only its own processes (see bento_runtime_peers).
 * (Not under AddressSanitizer, whose leak checker needs ptrace at exit.) */
static void confine_runtime(const run_ctx *ctx, const app_process *app, const bento_sandbox *sb)
{
#if !defined(__SANITIZE_ADDRESS__)
	bento_runtime_peers peers = {.self = getpid(),
	                             .own_group = app->spawn.own_group,
	                             .child = app->spawn.pid,
	                             .child_group = sb ? app->spawn.pid : 0,
	                             .holder = app->spawn.holder,
	                             .helper = sb ? sb->dbus_proxy : 0};
	if (bento_seccomp_install_runtime(&peers) < 0)
		bento_debug("cannot confine the runtime: %s", strerror(errno));
#else
	(void)ctx, (void)app, (void)sb;
#endif
}

/* Waits for the started app; for --appimage-mount, prints where the image
 * can be reached and waits for a signal instead. */
static attempt wait_app(const run_ctx *ctx, app_process *app, bento_strategy s,
                        const char *visible_path, int *exit_status, bento_error **err)
{
	bento_debug("strategy: %s", bento_strategy_name(s));
	if (ctx->launch->mount_only) {
		printf("%s\n", visible_path);
		fflush(stdout);
	}
	supervisor sv = {.sigfd = ctx->sigfd,
	                 .spawn = &app->spawn,
	                 .child = app->spawn.pid,
	                 .mount_only = ctx->launch->mount_only};
	int r = supervise(&sv, exit_status, err);
	bento_spawn_reclaim_terminal(&app->spawn);
	if (sv.child > 0 && !sv.child_exited) {
		kill(sv.child, SIGKILL);
		waitpid(sv.child, NULL, 0);
	}
	/* In a sandbox the child was its PID 1, which left the app's status. */
	if (r == 0 && app->spawn.sandbox && sv.child_exited &&
	    __atomic_load_n(&app->spawn.app_exited, __ATOMIC_ACQUIRE)) {
		int st = app->spawn.app_status;
		*exit_status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	}
	/* The holder takes the namespace's teardown with it; nobody needs to
	 * wait for that. */
	if (app->spawn.holder > 0)
		kill(app->spawn.holder, SIGKILL);
	return r < 0 ? ATTEMPT_FAILED : ATTEMPT_RAN;
}

/* An unsandboxed bento app's /app (nosandbox.h): the app's namespace gets
 * the root bento_app_root_enter builds, the image mounted in it by image
 * (FUSE), or else the directory it is called on bound there. */
static void app_root_attach(const run_ctx *ctx, app_process *app, bento_app_root *root,
                            bento_image_mount *image)
{
	*root =
	    (bento_app_root){.mount_image = image ? bento_image_mount_at : NULL,
	                     .mount_ctx = image,
	                     .cwd = ctx->owd,
	                     .usr_layers = ctx->usr_layers,
	                     .usr = {.asked = ctx->metadata.usr_overlay == BENTO_USR_OVERLAY_ON}};
	app->spawn.new_namespace = true;
	app->spawn.mount_image = bento_app_root_enter;
	app->spawn.mount_ctx = root;
}

/* After start_app with an app root whose .bento layers could not be
 * mounted: the app cannot run without them, so no fallback runs it. */
static attempt layers_failed(const run_ctx *ctx, const app_process *app, bento_error **err)
{
	bento_error_freep(err);
	*err = NULL;
	bento_error_set(err, app->spawn.errnum,
	                "%s: cannot mount the libraries %s needs from its image (.bento) over "
	                "/usr: %s",
	                subject(ctx), ctx->metadata.app_id, strerror(app->spawn.errnum));
	return ATTEMPT_FAILED;
}

/* After start_app with an app root: false when the namespace or the root
 * could not be made, so that the caller can do without (and, with
 * fallback, says so on stderr: the app then runs without /app). */
static bool app_root_report(const run_ctx *ctx, const app_process *app, const bento_app_root *root,
                            bool fallback)
{
	bento_spawn_stage stage = app->spawn.stage;
	if (stage != BENTO_SPAWN_USERNS && stage != BENTO_SPAWN_MOUNT) {
		bento_usr_overlay_report(&root->usr);
		return true;
	}
	if (fallback && !bento_usr_layers_needed(&root->usr_layers))
		bento_warn(
		    "%s: no /app for %s (%s: %s): it runs from where the image is, and what it "
		    "finds at /app paths is the host's",
		    subject(ctx), ctx->metadata.app_id,
		    stage == BENTO_SPAWN_USERNS ? "no user namespace"
		    : root->step                ? root->step
		                                : "cannot mount the image",
		    strerror(app->spawn.errnum));
	return false;
}

/* Runs the app in appdir, served (if at all) by server already. */
static attempt run_in(const run_ctx *ctx, const char *appdir, bento_strategy s, int *exit_status,
                      bento_error **err)
{
	auto_bento_sandbox sb = NULL;
	autofree char *root = NULL;
	if (ctx->sandboxed) {
		root = shared_mount_point(err);
		if (root == NULL) {
			bento_error_prefix(err, "no private directory for the sandbox's root");
			return ATTEMPT_FAILED;
		}
		if (prepare_sandbox(ctx, root, appdir, &sb, err) < 0)
			return ATTEMPT_FAILED;
	}
	app_process app;
	bool app_root = ctx->app_root && sb == NULL;
	app_process_init(&app, ctx, app_root ? "/app" : appdir, sb);
	app.spawn.new_namespace = sb != NULL;
	bento_app_root own_root;
	if (app_root) {
		app.spawn.mountpoint = appdir;
		app_root_attach(ctx, &app, &own_root, NULL);
	}
	attempt a = start_app(ctx, &app, err);
	if (sb)
		bento_usr_overlay_report(sb->usr_overlay);
	if (app_root && own_root.layers_failed)
		a = layers_failed(ctx, &app, err);
	else if (app_root && !app_root_report(ctx, &app, &own_root, true)) {
		/* Where no namespace can be had, the app runs as AppImage's
		 * runtime would run it: from appdir, without /app. */
		app_process_free(&app);
		app_process_init(&app, ctx, appdir, NULL);
		bento_error_freep(err);
		*err = NULL;
		a = start_app(ctx, &app, err);
	}
	if (a == ATTEMPT_RAN && sb)
		bento_sandbox_app_started(sb);
	if (a == ATTEMPT_RAN)
		warn_hidden_paths(&app);
	if (a == ATTEMPT_RAN)
		a = wait_app(ctx, &app, s, appdir, exit_status, err);
	app_process_free(&app);
	return a;
}

static attempt try_userns(const run_ctx *ctx, const mount_dir *md, int *exit_status,
                          bento_error **err)
{
	auto_bento_sandbox sb = NULL;
	if (ctx->sandboxed && prepare_sandbox(ctx, md->path, NULL, &sb, err) < 0)
		return ATTEMPT_FAILED;
	auto_bento_server server = NULL;
	if (bento_server_start(ctx->launch->img, NULL, ctx->uid, ctx->gid, &server, err) < 0)
		return ATTEMPT_FAILED;
	app_process app;
	app_process_init(&app, ctx, ctx->app_root ? "/app" : md->path, sb);
	bento_image_mount image = {.server = server,
	                           .uid = ctx->uid,
	                           .gid = ctx->gid,
	                           .no_overlay = !bento_env_flag("BENTO_IMAGE_OVERLAY", true)};
	/* The .bento layers make a second overlayfs over /usr's, and
	 * overlayfs stacks two deep at most: the image's own (mount.c) must
	 * then give way. */
	if (ctx->usr_layers.image && bento_usr_layers_needed(&ctx->usr_layers))
		image.no_overlay = true;
	app.spawn.new_namespace = true;
	app.spawn.mountpoint = md->path;
	app.spawn.mount_image = bento_image_mount_at;
	app.spawn.mount_ctx = &image;
	bento_app_root app_root;
	if (ctx->app_root)
		app_root_attach(ctx, &app, &app_root, &image);
	attempt a = start_app(ctx, &app, err);
	if (sb)
		bento_usr_overlay_report(sb->usr_overlay);
	if (ctx->app_root && app_root.layers_failed)
		a = layers_failed(ctx, &app, err);
	else if (ctx->app_root)
		app_root_report(ctx, &app, &app_root, false);
	if (image.overlay_errno)
		bento_debug("the image has no overlayfs over it: %s",
		            strerror(image.overlay_errno));
	if (a == ATTEMPT_RAN) {
		if (sb)
			bento_sandbox_app_started(sb);
		warn_hidden_paths(&app);
		confine_runtime(ctx, &app, sb);
	}
	if (a == ATTEMPT_RAN && ctx->launch->mount_only && app.spawn.holder <= 0) {
		bento_error_set(err, EAGAIN, "cannot keep the private mount alive");
		a = ATTEMPT_FAILED;
	}
	if (a == ATTEMPT_RAN) {
		/* Other processes of the user reach the private mount through
		 * the holder's root (printed by --appimage-mount). */
		autofree char *visible =
		    xasprintf("/proc/%d/root%s", (int)app.spawn.holder, md->path);
		a = wait_app(ctx, &app, BENTO_STRATEGY_USERNS, visible, exit_status, err);
	}
	app_process_free(&app);
	return a;
}

static attempt try_fusermount(const run_ctx *ctx, const mount_dir *md, int *exit_status,
                              bento_error **err)
{
	bento_serve *srv = NULL;
	if (bento_serve_new(ctx->launch->img, BENTO_MOUNT_FUSERMOUNT, -1, md->path, ctx->uid,
	                    ctx->gid, &srv, err) < 0)
		return ATTEMPT_UNAVAILABLE;
	auto_bento_server server = NULL;
	if (bento_server_start(ctx->launch->img, srv, ctx->uid, ctx->gid, &server, err) < 0) {
		bento_serve_free(srv);
		return ATTEMPT_FAILED;
	}
	return run_in(ctx, md->path, BENTO_STRATEGY_FUSERMOUNT, exit_status, err);
}

/* Whether dir holds, unchanged, what bento extracted there before: its
 * seal matches (seal.h).  A tree that does not (changed by a program that
 * could write there, or made by one) is removed, to be extracted again. */
static bool reuse_extracted(const run_ctx *ctx, const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) < 0)
		return false;
	autofree char *why = NULL;
	auto_bento_error check_err = NULL;
	if (bento_seal_check(dir, &why, &check_err) == 1)
		return true;
	bento_debug("extracting %s again: %s", dir, why ? why : check_err->message);
	bento_seal_forget(dir);
	bento_remove_tree(dir, NULL);
	return false;
}

static attempt try_extract(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	autofree char *base = bento_cache_dir(true, err);
	if (base == NULL)
		return ATTEMPT_FAILED;
	autofree char *identity = bento_image_identity(ctx->launch->img);
	autofree char *dir = xasprintf("%s/%s", base, identity);
	/* One launch at a time checks, extracts and seals, and cleans the
	 * cache of the trees whose files are gone. */
	autoclose int lock = bento_seal_lock(err);
	if (lock < 0)
		return ATTEMPT_FAILED;
	bento_cache_prune(base);
	if (!reuse_extracted(ctx, dir) &&
	    (bento_extract_atomic(ctx->launch->img, dir, err) < 0 || bento_seal_tree(dir, err) < 0))
		return ATTEMPT_FAILED;
	/* Held while the app runs: `bento cache` leaves the tree alone. */
	autoclose int in_use = bento_cache_use(base, identity, ctx->launch->appimage, err);
	if (in_use < 0)
		return ATTEMPT_FAILED;
	close(steal_fd(&lock));
	return run_in(ctx, dir, BENTO_STRATEGY_EXTRACT, exit_status, err);
}

/* $TMPDIR/appimage_extracted_KEY, AppImage's directory for NO_CLEANUP, made
 * private or reused when it is the user's private directory, sealed. */
static int kept_extraction(const run_ctx *ctx, const char *dir, bento_error **err)
{
	autoclose int lock = bento_seal_lock(err);
	if (lock < 0)
		return -1;
	struct stat st;
	/* A name anyone can compute: another user may have made it first. */
	if (lstat(dir, &st) == 0 && !bento_is_private_dir(dir))
		return bento_private_dir(dir, err);
	if (reuse_extracted(ctx, dir))
		return 0;
	if (bento_private_dir(dir, err) < 0 ||
	    bento_extract(ctx->launch->img, dir, NULL, err) < 0 || chmod(dir, 0700) < 0 ||
	    bento_seal_tree(dir, err) < 0) {
		if (err && *err == NULL)
			bento_error_errno(err, "%s", dir);
		bento_seal_forget(dir);
		bento_remove_tree(dir, NULL);
		return -1;
	}
	return 0;
}

static attempt try_extract_and_run(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	/* With NO_CLEANUP the directory has a fixed name, so that the next run
	 * finds and reuses it (AppImage's behaviour); otherwise a unique one, so
	 * that concurrent runs do not remove each other's files. */
	autofree char *identity = bento_image_identity(ctx->launch->img);
	const char *no_cleanup = getenv("NO_CLEANUP");
	bool keep = no_cleanup && no_cleanup[0];
	autofree char *dir = xasprintf("%s/appimage_extracted_%s%s", bento_tmpdir(), identity,
	                               keep ? "" : "-XXXXXX");
	if (keep) {
		if (kept_extraction(ctx, dir, err) < 0)
			return ATTEMPT_FAILED;
	} else if (mkdtemp(dir) == NULL) {
		bento_error_errno(err, "cannot create a directory in %s", bento_tmpdir());
		return ATTEMPT_FAILED;
	} else if (bento_extract(ctx->launch->img, dir, NULL, err) < 0) {
		bento_remove_tree(dir, NULL);
		return ATTEMPT_FAILED;
	}
	attempt a = run_in(ctx, dir, BENTO_STRATEGY_EXTRACT_AND_RUN, exit_status, err);
	if (!keep)
		bento_remove_tree(dir, NULL);
	return a;
}

/* ---- the whole launch -------------------------------------------------------- */

/* The app's metadata and its permissions, layer upon layer: the image's,
 * the user's lasting override, this run's options.  The command is AppRun
 * unless the metadata names another path inside the image. */
static int load_app(run_ctx *ctx, bento_error **err)
{
	const bento_launch *l = ctx->launch;
	if (l->app_dir ? bento_dir_load_metadata(l->app_dir, &ctx->metadata, err) < 0
	               : bento_image_load_metadata(l->img, &ctx->metadata, err) < 0)
		return -1;
	if (bento_metadata_choose_command(&ctx->metadata, l->command_name, l->argv0, l->appimage,
	                                  &ctx->command, err) < 0)
		return -1;
	/* --appimage-mount runs nothing, so it builds no sandbox either. */
	ctx->sandboxed =
	    !l->mount_only && (l->sandbox == BENTO_SANDBOX_ON ||
	                       (l->sandbox == BENTO_SANDBOX_AUTO && ctx->metadata.present));
	ctx->app_root = !ctx->sandboxed && ctx->metadata.present && !l->mount_only;
	/* Before any strategy: a system the app cannot run on is told so
	 * plainly, not by the loader once the sandbox is built. */
	ctx->usr_layers.image = ctx->metadata.usr_overlay != BENTO_USR_OVERLAY_OFF;
	if (!l->mount_only &&
	    bento_requirements_check(&ctx->metadata.requirements, ctx->metadata.app_id,
	                             ctx->sandboxed, &ctx->usr_layers, err) < 0)
		return bento_error_prefix(err, "%s", subject(ctx));
	if (l->sandbox == BENTO_SANDBOX_OFF && !l->mount_only)
		bento_warn("running %s without its sandbox: it can read and change all your files",
		           ctx->metadata.app_id);
	if (!ctx->sandboxed)
		return 0;
	/* The id's data, override and bus names belong to the file that first
	 * used it, or to its signing key (identity.h). */
	autofree char *home = bento_user_home(ctx->uid);
	bento_identity_request id = {.img = l->img,
	                             .file = l->img ? l->appimage : l->app_home,
	                             .key = l->app_key,
	                             .origin = l->app_origin,
	                             .app_id = ctx->metadata.app_id,
	                             .home = home};
	if (bento_identity_check(&id, err) < 0)
		return -1;
	bento_permissions user = {0};
	if (bento_override_load(ctx->metadata.app_id, &user, err) < 0)
		return -1;
	bento_permissions_merge(&ctx->permissions, &ctx->metadata.permissions);
	bento_permissions_merge(&ctx->permissions, &user);
	bento_permissions_clear(&user);
	if (l->run_permissions)
		bento_permissions_merge(&ctx->permissions, l->run_permissions);
	return 0;
}

static int setup_signals(run_ctx *ctx, bento_error **err)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&mask, forwarded_signals[i]);
	for (size_t i = 0; ctx->sandboxed && i < ARRAY_SIZE(job_control_signals); i++)
		sigaddset(&mask, job_control_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &ctx->saved_mask) < 0)
		return bento_error_errno(err, "sigprocmask");
	ctx->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ctx->sigfd < 0)
		return bento_error_errno(err, "signalfd");
	return 0;
}

static attempt try_strategy(const run_ctx *ctx, bento_strategy s, int *exit_status,
                            bento_error **err)
{
	if (s == BENTO_STRATEGY_EXTRACT)
		return try_extract(ctx, exit_status, err);
	if (s == BENTO_STRATEGY_EXTRACT_AND_RUN)
		return try_extract_and_run(ctx, exit_status, err);
	mount_dir md;
	if (mount_dir_create(&md, ctx, s == BENTO_STRATEGY_USERNS, err) < 0) {
		mount_dir_remove(&md);
		return ATTEMPT_FAILED;
	}
	attempt a = s == BENTO_STRATEGY_USERNS ? try_userns(ctx, &md, exit_status, err)
	                                       : try_fusermount(ctx, &md, exit_status, err);
	mount_dir_remove(&md);
	return a;
}

/* Tries the strategies in order until one runs the app. */
static int run_strategies(const run_ctx *ctx, int *exit_status, bento_error **err)
{
	const bento_launch *launch = ctx->launch;
	/* An installed app is a directory already: it is bound at /app as an
	 * extracted image is. */
	if (launch->app_dir)
		return run_in(ctx, launch->app_dir, BENTO_STRATEGY_EXTRACT, exit_status, err) ==
		               ATTEMPT_RAN
		           ? 0
		           : -1;
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
	} else if (ctx->sandboxed) {
		/* A sandbox is made of user namespaces: where they are refused
		 * the setuid helper is no help. */
		order[1] = BENTO_STRATEGY_EXTRACT;
		count = 2;
	}
	if (launch->strategy != BENTO_STRATEGY_AUTO) {
		order[0] = launch->strategy;
		count = 1;
	}
	bento_serve_capture_log(true);
	autofree char *reasons = xstrdup("");
	attempt a = ATTEMPT_UNAVAILABLE;
	for (size_t i = 0; i < count && a == ATTEMPT_UNAVAILABLE; i++) {
		auto_bento_error why = NULL;
		a = try_strategy(ctx, order[i], exit_status, &why);
		if (a == ATTEMPT_FAILED)
			*err = steal_pointer(&why);
		if (a != ATTEMPT_UNAVAILABLE)
			break;
		const char *msg = why ? why->message : "unavailable";
		char *more = xasprintf("%s; %s: %s", reasons, bento_strategy_name(order[i]), msg);
		free(reasons);
		reasons = more;
		bento_debug("%s unavailable: %s", bento_strategy_name(order[i]), msg);
	}
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
	int r = load_app(&ctx, err);
	if (getcwd(ctx.owd, sizeof(ctx.owd)) == NULL)
		ctx.owd[0] = '\0';
	if (r == 0)
		r = setup_signals(&ctx, err);
	if (r == 0) {
		r = run_strategies(&ctx, exit_status, err);
		close(ctx.sigfd);
		sigprocmask(SIG_SETMASK, &ctx.saved_mask, NULL);
	}
	bento_metadata_clear(&ctx.metadata);
	bento_permissions_clear(&ctx.permissions);
	if (r < 0 && *err)
		(*err)->status = BENTO_EXIT_RUNTIME;
	return r;
}

int bento_launch_apply_env(bento_launch *launch, bento_error **err)
{
	const char *extract_and_run = getenv("APPIMAGE_EXTRACT_AND_RUN");
	if (extract_and_run && extract_and_run[0] && launch->strategy == BENTO_STRATEGY_AUTO)
		launch->strategy = BENTO_STRATEGY_EXTRACT_AND_RUN;
	const char *forced = getenv("BENTO_STRATEGY");
	if (forced && forced[0] && launch->strategy == BENTO_STRATEGY_AUTO &&
	    bento_strategy_parse(forced, &launch->strategy, err) < 0) {
		(*err)->status = BENTO_EXIT_RUNTIME;
		return bento_error_prefix(err, "BENTO_STRATEGY");
	}
	return 0;
}
