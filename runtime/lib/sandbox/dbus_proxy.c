/* SPDX-License-Identifier: MIT */
#include "sandbox/dbus_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/state.h"
#include "core/util.h"

/* How long the proxy may take to listen. */
#define PROXY_START_TIMEOUT_MS 5000

/* The policy arguments of one bus. */
static void add_policy(bento_strv *argv, const bento_bus_rule *rules, size_t n, const char *app_id)
{
	bento_strv_add(argv, xstrdup("--filter"));
	if (app_id) {
		/* The app may own its id (and names under it, for MPRIS-style
		 * suffixes) and reach the portals, as in Flatpak. */
		bento_strv_add(argv, xasprintf("--own=%s", app_id));
		bento_strv_add(argv, xasprintf("--own=%s.*", app_id));
		bento_strv_add(argv, xstrdup("--call=org.freedesktop.portal.*=*"));
		bento_strv_add(
		    argv,
		    xstrdup("--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*"));
	}
	static const char *const option[] = {
	    [BENTO_BUS_SEE] = "see", [BENTO_BUS_TALK] = "talk", [BENTO_BUS_OWN] = "own"};
	for (size_t i = 0; i < n; i++)
		if (rules[i].policy != BENTO_BUS_NONE)
			bento_strv_add(
			    argv, xasprintf("--%s=%s", option[rules[i].policy], rules[i].name));
}

static int wait_ready(int fd, bento_error **err)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;
	while ((r = poll(&pfd, 1, PROXY_START_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	char c;
	if (r == 1 && read(fd, &c, 1) == 1)
		return 0;
	return bento_error_set(err, ETIMEDOUT,
	                       "the D-Bus proxy (xdg-dbus-proxy) did not start; is the "
	                       "xdg-dbus-proxy package installed?");
}

int bento_dbus_proxy_start(const bento_dbus_proxy_request *req, bento_dbus_proxy_result *res,
                           bento_error **err)
{
	*res = (bento_dbus_proxy_result){.sync_fd = -1};
	/* A directory of the user's that no one else can enter or prepare:
	 * another user who made $TMPDIR/bento-UID first could hand the app
	 * a socket of theirs. */
	autofree char *base = bento_state_dir(BENTO_STATE_RUNTIME, err);
	if (base == NULL || bento_private_dir(base, err) < 0)
		return -1;
	autofree char *dir = xasprintf("%s/dbus-proxy-XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		return bento_error_errno(err, "cannot create a directory in %s", base);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rmdir(dir);
		return bento_error_errno(err, "pipe");
	}
	bento_strv argv = {0};
	bento_strv_add(&argv, xstrdup("xdg-dbus-proxy"));
	bento_strv_add(&argv, xstrdup("--fd=3"));
	if (req->session_address) {
		res->session_socket = xasprintf("%s/session", dir);
		bento_strv_add(&argv, xstrdup(req->session_address));
		bento_strv_add(&argv, xstrdup(res->session_socket));
		add_policy(&argv, req->permissions->session_bus, req->permissions->n_session_bus,
		           req->app_id);
	}
	if (req->system_address) {
		res->system_socket = xasprintf("%s/system", dir);
		bento_strv_add(&argv, xstrdup(req->system_address));
		bento_strv_add(&argv, xstrdup(res->system_socket));
		add_policy(&argv, req->permissions->system_bus, req->permissions->n_system_bus,
		           NULL);
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 3);
	/* The proxy reads what the untrusted app sends: it gets no descriptor
	 * of the launcher's (or of ours) beyond its standard ones and fd 3. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	posix_spawnattr_init(&attr);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	extern char **environ;
	int r = posix_spawnp(&res->pid, "xdg-dbus-proxy", &fa, &attr, argv.items, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	bento_strv_free(&argv);
	close(pipefd[1]);
	res->sync_fd = pipefd[0];
	res->dir = xstrdup(dir);
	if (r != 0) {
		res->pid = 0;
		bento_error_set(err, r, "cannot start xdg-dbus-proxy: %s", strerror(r));
	} else if (wait_ready(res->sync_fd, err) == 0) {
		return 0;
	}
	bento_dbus_proxy_stop(res->pid, res->sync_fd, res->dir);
	free(res->dir);
	free(res->session_socket);
	free(res->system_socket);
	*res = (bento_dbus_proxy_result){.sync_fd = -1};
	return -1;
}

void bento_dbus_proxy_stop(pid_t pid, int sync_fd, const char *dir)
{
	if (sync_fd >= 0)
		close(sync_fd);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	if (dir)
		bento_remove_tree(dir, NULL);
}
