/* SPDX-License-Identifier: MIT */
/* hello: the example app that bento packs and the tests run.  It prints its
 * arguments one per line, in brackets so that empty ones and spaces show.
 * Environment knobs make it useful to tests and benchmarks:
 *   HELLO_EXIT=N     exit with status N
 *   HELLO_SLEEP=S    print "sleeping PID", then sleep S seconds
 *   HELLO_ENV=1      also print APPIMAGE, APPDIR, ARGV0, OWD, the cwd, uid and gid
 *   HELLO_CATCH=1    catch SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2:
 *                    print "caught N" and exit with 100+N */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

static void print_env(const char *name)
{
	const char *value = getenv(name);
	printf("%s=[%s]\n", name, value ? value : "");
}

int main(int argc, char **argv)
{
	printf("Hello from bento!\n");
	for (int i = 1; i < argc; i++)
		printf("arg[%d]=[%s]\n", i, argv[i]);
	const char *env = getenv("HELLO_ENV");
	if (env && strcmp(env, "1") == 0) {
		char cwd[PATH_MAX];
		print_env("APPIMAGE");
		print_env("APPDIR");
		print_env("ARGV0");
		print_env("OWD");
		printf("cwd=[%s]\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
		printf("uid=%u gid=%u\n", (unsigned)getuid(), (unsigned)getgid());
	}
	const char *catch = getenv("HELLO_CATCH");
	if (catch && strcmp(catch, "1") == 0) {
		static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], on_signal);
	}
	const char *sleep_s = getenv("HELLO_SLEEP");
	if (sleep_s) {
		printf("sleeping %d\n", (int)getpid());
		fflush(stdout);
		for (int left = atoi(sleep_s) * 10; left > 0 && !caught; left--)
			usleep(100000);
	}
	if (caught) {
		printf("caught %d\n", (int)caught);
		return 100 + caught;
	}
	const char *status = getenv("HELLO_EXIT");
	return status ? atoi(status) : 0;
}
