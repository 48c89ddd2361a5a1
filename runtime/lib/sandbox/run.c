/* SPDX-License-Identifier: MIT */
/* A command in a sandbox, without an image: the builder's build steps and
 * checks.  The same sandbox as an app's, run and waited for, detached from
 * the builder's terminal: a session of its own, stdin from /dev/null, no
 * descriptor of the builder's but stdout and stderr. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"

#include "sandbox/process.h"
#include "sandbox/sandbox.h"

/* argv[0] looked up as the sandbox's PATH would find it: the host's
 * directories are the sandbox's (/usr and friends), /app is app_dir. */
static char *find_in_sandbox(const bento_sandbox_config *cfg, const bento_strv *env,
                             const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = bento_strv_getenv(env, "PATH");
	autofree char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	char *rest = copy;
	for (char *dir; (dir = strsep(&rest, ":")) != NULL;) {
		if (dir[0] != '/')
			continue;
		autofree char *host = NULL;
		if (bento_path_is_under(dir, "/app"))
			host =
			    cfg->app_dir ? xasprintf("%s%s/%s", cfg->app_dir, dir + 4, name) : NULL;
		else if (!cfg->no_host_os)
			host = xasprintf("%s/%s", dir, name);
		if (host && access(host, X_OK) == 0)
			return xasprintf("%s/%s", dir, name);
	}
	return xstrdup(name);
}

int bento_sandbox_run(const bento_sandbox_command *cmd, int *exit_status, bento_error **err)
{
	extern char **environ;
	auto_bento_sandbox sb = NULL;
	if (bento_sandbox_prepare(cmd->config, environ, &sb, err) < 0)
		return -1;
	bento_strv env = {0};
	for (size_t i = 0; i < sb->env.count; i++)
		bento_strv_add(&env, xstrdup(sb->env.items[i]));
	for (char *const *e = cmd->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq == NULL || eq == *e)
			continue;
		autofree char *name = strndup(*e, (size_t)(eq - *e));
		bento_strv_setenv(&env, name, eq + 1);
	}
	/* SIGCHLD blocked: PID 1 must find it pending (it waits for it with
	 * sigtimedwait), and we wait for PID 1 with waitpid. */
	sigset_t mask, saved;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &saved);
	autofree char *exe = find_in_sandbox(cmd->config, &env, cmd->argv[0]);
	bento_spawn sp = {.path = exe,
	                  .argv = cmd->argv,
	                  .envp = env.items,
	                  .exec = true,
	                  .exec_mask = &saved,
	                  .new_namespace = true,
	                  .uid = cmd->config->uid,
	                  .gid = cmd->config->gid,
	                  .sandbox = sb,
	                  .cwd = cmd->cwd,
	                  .fallback_cwd = "/",
	                  .out_fd = cmd->out_fd,
	                  .err_fd = cmd->err_fd,
	                  .detached = true};
	int r = bento_spawn_run(&sp, err);
	if (r == 1) {
		const bento_sandbox_failure *f = &sp.failure;
		if (sp.stage == BENTO_SPAWN_SANDBOX)
			bento_error_set(err, f->errnum, "cannot set up the sandbox: %s%s%s: %s",
			                f->step, f->path ? " " : "", f->path ? f->path : "",
			                strerror(f->errnum));
		else if (sp.stage == BENTO_SPAWN_USERNS) {
			autofree char *why = bento_userns_refusal_reason(sp.errnum);
			bento_error_set(err, sp.errnum, "cannot create a sandbox: %s", why);
		} else
			bento_error_set(err, sp.errnum, "cannot run %s: %s", cmd->argv[0],
			                strerror(sp.errnum));
		r = -1;
	} else if (r == 0) {
		int status = 0;
		while (waitpid(sp.pid, &status, 0) < 0 && errno == EINTR)
			;
		if (__atomic_load_n(&sp.app_exited, __ATOMIC_ACQUIRE))
			status = sp.app_status;
		*exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	}
	bento_spawn_release(&sp);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	bento_strv_free(&env);
	return r < 0 ? -1 : 0;
}
