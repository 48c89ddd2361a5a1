/* SPDX-License-Identifier: MIT */
#include "util/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "util/beneath.h"

/* fork and exec rather than posix_spawn: <spawn.h> is shadowed by the
 * runtime's spawn.h on the include path. */
static int spawn_tool(char *const argv[], int out_fd, pid_t *pid, bento_error **err)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		return bento_error_errno(err, "cannot run %s: /dev/null", argv[0]);
	/* The child reports a failed exec through this pipe (closed by exec). */
	int status_pipe[2];
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		close(null_fd);
		return bento_error_errno(err, "cannot run %s: pipe", argv[0]);
	}
	pid_t child = fork();
	if (child < 0) {
		close(null_fd);
		close(status_pipe[0]);
		close(status_pipe[1]);
		return bento_error_errno(err, "cannot run %s: fork", argv[0]);
	}
	if (child == 0) {
		/* Only async-signal-safe calls from here on. */
		sigset_t none;
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		for (int s = 1; s < NSIG; s++)
			sigaction(s, &dfl, NULL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(null_fd, STDIN_FILENO) >= 0 && dup2(out_fd, STDOUT_FILENO) >= 0 &&
		    dup2(out_fd, STDERR_FILENO) >= 0)
			execvp(argv[0], argv);
		int e = errno;
		(void)!write(status_pipe[1], &e, sizeof(e));
		_exit(127);
	}
	close(null_fd);
	close(status_pipe[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(status_pipe[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(status_pipe[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		errno = e;
		return bento_error_errno(err, "cannot run %s%s", argv[0],
		                         e == ENOENT ? " (is it installed?)" : "");
	}
	*pid = child;
	return 0;
}

int bento_run_tool(char *const argv[], char **output, int *status, bento_error **err)
{
	int fds[2];
	pid_t pid = 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return bento_error_errno(err, "cannot run %s: pipe", argv[0]);
	autoclose int rd = fds[0];
	int wr = fds[1];
	int rc = spawn_tool(argv, wr, &pid, err);
	close(wr);
	if (rc < 0)
		return -1;

	size_t len = 0, cap = 4096;
	autofree char *buf = xmalloc(cap);
	for (;;) {
		char chunk[8192];
		ssize_t n = read(rd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t keep = (size_t)n;
		if (len + keep > BENTO_TOOL_OUTPUT_MAX)
			keep = BENTO_TOOL_OUTPUT_MAX - len;
		if (len + keep + 1 > cap) {
			while (len + keep + 1 > cap)
				cap *= 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		memcpy(buf + len, chunk, keep);
		len += keep;
	}
	buf[len] = '\0';

	int ws;
	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR)
			return bento_error_errno(err, "cannot wait for %s", argv[0]);
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	*output = steal_pointer(&buf);
	return 0;
}

int bento_copy_data(int in, int out, off_t size, const char *src, const char *dst,
                    bento_error **err)
{
	/* A clone where the file system can share the blocks (cp --reflink=auto). */
	if (size > 0 && ioctl(out, FICLONE, in) == 0)
		return 0;
	off_t left = size;
	while (left > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 &&
		    (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
			char buf[65536];
			n = read(in, buf, sizeof(buf));
			if (n > 0 && bento_write_all(out, buf, (size_t)n) < 0)
				n = -1;
		}
		if (n < 0)
			return bento_error_errno(err, "cannot copy %s to %s", src, dst);
		if (n == 0)
			return bento_error_set(err, 0, "%s shrank while it was copied", src);
		left -= n;
	}
	return 0;
}

int bento_copy_file(const char *src, int dir_fd, const char *name, bento_error **err)
{
	autoclose int in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0)
		return bento_error_errno(err, "cannot read %s", src);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "%s: not a regular file", src);
	autofree char *tmp = NULL;
	autoclose int out = bento_beneath_tmpfile(dir_fd, name, &tmp);
	if (out < 0)
		return bento_error_errno(err, "cannot create a file beside %s", name);
	int rc = bento_copy_data(in, out, st.st_size, src, name, err);
	if (rc == 0 && fchmod(out, st.st_mode & 0777) < 0)
		rc = bento_error_errno(err, "cannot set the mode of %s", name);
	if (rc == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		rc = bento_error_errno(err, "cannot write %s", name);
	if (rc < 0)
		unlinkat(dir_fd, tmp, 0);
	return rc;
}
