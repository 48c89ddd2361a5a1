/* SPDX-License-Identifier: MIT */
/* limits: the attacks of tests/security/limits.sh on the sandbox's resource
 * limits and environment, run inside the sandbox and in the control runs.
 * Each reports one line "NAME: escaped|blocked|unsupported: detail" and
 * exits 0 (escaped), 10 (blocked) or 1 (could not test):
 *
 *   limits fill DIR BYTES     write BYTES bytes into a new file in DIR
 *   limits files DIR COUNT    create COUNT empty files in DIR
 *   limits forkbomb COUNT     start COUNT processes at once (each waits, all
 *                             are killed before the report)
 *   limits secrets NAME...    whether any of these variables is set
 *   limits ptys COUNT         open COUNT terminals (/dev/ptmx) at once
 *   limits present NAME=VALUE...  whether all of these are set so (prints
 *                             "present: all", exit 0, or "present: missing")
 *   limits cat FILE...        prints the files (what the app sees)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ESCAPED 0
#define BLOCKED 10
#define ERROR 1

static int report(const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int report(const char *name, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s: %s: ", name,
	       status == ESCAPED   ? "escaped"
	       : status == BLOCKED ? "blocked"
	                           : "error");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	return status;
}

/* Out of space (or a read-only file system, which holds nothing either). */
static bool full(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS;
}

static int fill(const char *dir, unsigned long long bytes)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%slimits-fill.%d", dir, strcmp(dir, "/") ? "/" : "",
	         (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return report("fill", full(errno) ? BLOCKED : ERROR, "cannot create %s: %s", path,
		              strerror(errno));
	static char chunk[1 << 20];
	memset(chunk, 'x', sizeof(chunk));
	unsigned long long done = 0;
	int status = ESCAPED, e = 0;
	while (done < bytes) {
		size_t n = bytes - done < sizeof(chunk) ? (size_t)(bytes - done) : sizeof(chunk);
		ssize_t w = write(fd, chunk, n);
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			status = full(e) ? BLOCKED : ERROR;
			break;
		}
		done += (unsigned long long)w;
	}
	close(fd);
	unlink(path);
	if (status == ESCAPED)
		return report("fill", status, "wrote %llu bytes into %s", done, dir);
	return report("fill", status, "%s after %llu of %llu bytes into %s", strerror(e), done,
	              bytes, dir);
}

static int files(const char *dir, unsigned long count)
{
	char path[4096];
	unsigned long made = 0;
	int status = ESCAPED, e = 0;
	for (; made < count; made++) {
		snprintf(path, sizeof(path), "%s/limits-file.%d.%lu", dir, (int)getpid(), made);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			e = errno;
			status = full(e) ? BLOCKED : ERROR;
			break;
		}
		close(fd);
	}
	for (unsigned long i = 0; i < made; i++) {
		snprintf(path, sizeof(path), "%s/limits-file.%d.%lu", dir, (int)getpid(), i);
		unlink(path);
	}
	if (status == ESCAPED)
		return report("files", status, "created %lu files in %s", made, dir);
	return report("files", status, "%s after %lu of %lu files in %s", strerror(e), made, count,
	              dir);
}

static int forkbomb(unsigned long count)
{
	pid_t *kids = calloc(count, sizeof(*kids));
	if (kids == NULL)
		return report("forkbomb", ERROR, "out of memory");
	pid_t self = getpid();
	unsigned long started = 0;
	int e = 0;
	for (; started < count; started++) {
		pid_t pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != self)
				_exit(0);
			for (;;)
				pause();
		}
		if (pid < 0) {
			e = errno;
			break;
		}
		kids[started] = pid;
	}
	for (unsigned long i = 0; i < started; i++)
		kill(kids[i], SIGKILL);
	for (unsigned long i = 0; i < started; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	if (started == count)
		return report("forkbomb", ESCAPED, "started %lu of %lu processes", started, count);
	return report("forkbomb", e == EAGAIN ? BLOCKED : ERROR,
	              "started %lu of %lu processes, then fork: %s", started, count, strerror(e));
}

static int ptys(unsigned long count)
{
	int *fds = calloc(count, sizeof(*fds));
	if (fds == NULL)
		return report("ptys", ERROR, "out of memory");
	unsigned long opened = 0;
	int e = 0;
	for (; opened < count; opened++) {
		fds[opened] = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fds[opened] < 0) {
			e = errno;
			break;
		}
	}
	for (unsigned long i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	if (opened == count)
		return report("ptys", ESCAPED, "opened %lu terminals", opened);
	return report("ptys", e == ENOSPC ? BLOCKED : ERROR, "opened %lu of %lu terminals, then %s",
	              opened, count, strerror(e));
}

static int cat(char **paths)
{
	int status = 0;
	for (; *paths; paths++) {
		FILE *f = fopen(*paths, "r");
		if (f == NULL) {
			printf("cat: %s: %s\n", *paths, strerror(errno));
			status = ERROR;
			continue;
		}
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(f);
	}
	return status;
}

static int secrets(char **names)
{
	char seen[4096] = "";
	for (; *names; names++) {
		const char *v = getenv(*names);
		if (v == NULL)
			continue;
		size_t len = strlen(seen);
		snprintf(seen + len, sizeof(seen) - len, "%s%s=%s", len ? " " : "", *names, v);
	}
	if (seen[0])
		return report("secrets", ESCAPED, "in the environment: %s", seen);
	return report("secrets", BLOCKED, "none of them in the environment");
}

static int present(char **items)
{
	for (; *items; items++) {
		const char *eq = strchr(*items, '=');
		if (eq == NULL)
			return report("present", ERROR, "expected NAME=VALUE: %s", *items);
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *items), *items);
		const char *v = getenv(name);
		if (v == NULL || strcmp(v, eq + 1) != 0) {
			printf("present: missing: %s (%s)\n", *items, v ? v : "unset");
			return BLOCKED;
		}
	}
	printf("present: all\n");
	return ESCAPED;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "fill") == 0)
		return fill(argv[2], strtoull(argv[3], NULL, 10));
	if (argc >= 4 && strcmp(argv[1], "files") == 0)
		return files(argv[2], strtoul(argv[3], NULL, 10));
	if (argc >= 3 && strcmp(argv[1], "forkbomb") == 0)
		return forkbomb(strtoul(argv[2], NULL, 10));
	if (argc >= 3 && strcmp(argv[1], "ptys") == 0)
		return ptys(strtoul(argv[2], NULL, 10));
	if (argc >= 2 && strcmp(argv[1], "cat") == 0)
		return cat(argv + 2);
	if (argc >= 2 && strcmp(argv[1], "secrets") == 0)
		return secrets(argv + 2);
	if (argc >= 2 && strcmp(argv[1], "present") == 0)
		return present(argv + 2);
	fprintf(stderr, "usage: limits fill DIR BYTES | files DIR COUNT | forkbomb COUNT | "
	                "ptys COUNT | secrets NAME... | present NAME=VALUE... | cat FILE...\n");
	return 2;
}
