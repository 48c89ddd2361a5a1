/* SPDX-License-Identifier: MIT */
/* bento update [--check] [--allow-new-key] [--output NEWFILE] [--seed FILE]... FILE
 * bento update [--user|--system] [ID...] */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "core/state.h"
#include "core/util.h"
#include "image/image.h"
#include "image/metadata.h"
#include "launch/identity.h"
#include "repo/repo.h"
#include "sig/signature.h"
#include "update/probe.h"
#include "update/replace.h"
#include "verbs.h"

/* Exit statuses (bento(1), bento update). */
#define EXIT_UPDATE_AVAILABLE 1 /* --check */
#define EXIT_REFUSED 1
#define EXIT_ERROR 3
/* BENTO_EXIT_BUSY (4): another bento updates the file. */

/* How long the new file's runtime may take to print its version. */
#define START_CHECK_SECONDS 20

extern char **environ;

static void print_help(void)
{
	printf("Usage: bento update [OPTIONS] FILE\n"
	       "       bento update [--user|--system] [ID...]\n"
	       "\n"
	       "The second form updates the installed apps ID (every installed app of\n"
	       "the installation when none is named), each installed branch from its\n"
	       "remote, by static delta when the remote has one; the new commit is\n"
	       "deployed beside the old one, which `bento rollback ID` returns to.  Its\n"
	       "exit status: 0 updated or up to date, 2 usage error, 3 an app could not\n"
	       "be updated (it stays as it was), 4 another bento is changing the\n"
	       "installation.\n"
	       "\n"
	       "Updates FILE, a bento file or AppImage, to the newest version its update\n"
	       "information names (zsync|URL or gh-releases-zsync|USER|REPO|TAG|PATTERN,\n"
	       "see `bento info FILE`), downloading only the blocks that changed.\n"
	       "\n"
	       "The new version is built beside FILE under a temporary name, checked (its\n"
	       "SHA-1, its signature, that its runtime starts), given FILE's mode and\n"
	       "renamed over FILE; the version it replaces is kept for `bento rollback\n"
	       "FILE`.  If FILE is signed, the new version must be signed by the same key;\n"
	       "an interrupted update leaves FILE as it was, and the next one reuses what\n"
	       "was downloaded.\n"
	       "\n"
	       "Options:\n"
	       "  --check            only say whether an update is available (exit status 0:\n"
	       "                     no, 1: yes)\n"
	       "  --allow-new-key    accept a new version signed by another key than FILE's\n"
	       "                     (and hand the app id over to it, see bento trust)\n"
	       "  -o, --output NEW   write the new version to NEW (which must not exist)\n"
	       "                     and leave FILE alone\n"
	       "  --seed SEED        another file that may hold blocks of the new version\n"
	       "                     (an older download, another copy); repeatable\n"
	       "  -h, --help         show this help and exit\n"
	       "\n"
	       "Environment: BENTO_GITHUB_API_URL (default https://api.github.com), the\n"
	       "GitHub API that gh-releases-zsync asks for the release.\n"
	       "\n"
	       "Exit status: 0 updated or up to date (--check: up to date); 1 the update\n"
	       "was refused (its signature, or it does not start; --check: an update is\n"
	       "available); 2 usage error; 3 the update could not be done (FILE has no\n"
	       "update information, the server, the network, the disk): FILE is unchanged;\n"
	       "4 FILE is being updated by another bento; 127 FILE is not a valid image.\n");
}

typedef struct options {
	bool check, allow_new_key;
	const char *output;
	bento_strv seeds;
} options;

static void options_clear(options *o)
{
	bento_strv_free(&o->seeds);
}

static int fail_with(bento_error **err, int status)
{
	if (*err && (*err)->status == 0)
		(*err)->status = status;
	return -1;
}

/* Signature of the file open as fd, described for messages. */
static char *describe_sig(const bento_sig_result *r)
{
	switch (r->status) {
	case BENTO_SIG_VALID:
		return xasprintf("signed by key %s%s%s%s", r->fingerprint, r->signer ? " (" : "",
		                 r->signer ? r->signer : "", r->signer ? ")" : "");
	case BENTO_SIG_UNSIGNED:
		return xstrdup("unsigned");
	default:
		return xasprintf("carries an invalid signature (%s)",
		                 r->reason ? r->reason : "no reason given");
	}
}

/* Trust: a signed file is updated only by the same key (or, with
 * --allow-new-key, another valid one); *key_changed tells which. */
static int check_trust(const char *file, int old_fd, int new_fd, const char *new_name,
                       const options *o, bool *key_changed, bento_error **err)
{
	bento_sig_result old = {0}, new = {0};
	*key_changed = false;
	if (bento_sig_verify(old_fd, file, NULL, &old, err) < 0 ||
	    bento_sig_verify(new_fd, new_name, NULL, &new, err) < 0) {
		bento_sig_result_clear(&old);
		return fail_with(err, EXIT_ERROR);
	}
	autofree char *old_text = describe_sig(&old);
	autofree char *new_text = describe_sig(&new);
	int r = 0;
	if (new.status == BENTO_SIG_INVALID) {
		r = bento_error_set(err, EPERM, "%s: the new version %s: refused", file, new_text);
	} else if (old.status == BENTO_SIG_INVALID && !o->allow_new_key) {
		r = bento_error_set(err, EPERM,
		                    "%s: FILE itself %s, so bento cannot tell which key its update "
		                    "must carry; the new version is %s.  Run `bento update "
		                    "--allow-new-key %s` to accept it",
		                    file, old_text, new_text, file);
	} else if (old.status != BENTO_SIG_UNSIGNED && new.status == BENTO_SIG_UNSIGNED) {
		r = bento_error_set(err, EPERM,
		                    "%s: the file is %s, and the new version is unsigned: refused "
		                    "(an unsigned file can be anyone's)",
		                    file, old_text);
	} else if (old.status == BENTO_SIG_VALID && new.status == BENTO_SIG_VALID &&
	           strcasecmp(old.fingerprint, new.fingerprint) != 0) {
		if (!o->allow_new_key)
			r = bento_error_set(err, EPERM,
			                    "%s: the file is signed by key %s, the new version by "
			                    "another key, %s: refused.  If you trust the new key, "
			                    "run `bento update --allow-new-key %s`",
			                    file, old.fingerprint, new.fingerprint, file);
		else {
			bento_note("%s: the new version is signed by another key, %s (the file "
			           "was signed by %s): accepted (--allow-new-key)",
			           file, new.fingerprint, old.fingerprint);
			*key_changed = true;
		}
	} else if (old.status == BENTO_SIG_UNSIGNED && new.status == BENTO_SIG_VALID) {
		bento_note("%s: the file was unsigned; the new version is %s, which its updates "
		           "must carry from now on",
		           file, new_text);
	}
	bento_sig_result_clear(&old);
	bento_sig_result_clear(&new);
	return r < 0 ? fail_with(err, EXIT_REFUSED) : 0;
}

/* The new file's runtime starts: it prints its version, as the user, within
 * START_CHECK_SECONDS. */
static int check_starts(const char *file, int fd, bento_error **err)
{
	char path[32];
	bento_fd_path(path, fd);
	char *argv[] = {path, "--appimage-version", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int r = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return bento_error_set(err, r, "%s: the new version cannot be run: %s", file,
		                       strerror(r));
	int status = 0;
	for (int waited = 0;; waited++) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return bento_error_errno(err, "waitpid");
		if (waited >= START_CHECK_SECONDS * 20) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return bento_error_set(err, ETIMEDOUT,
			                       "%s: the new version's runtime did not answer "
			                       "--appimage-version within %d s: refused",
			                       file, START_CHECK_SECONDS);
		}
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bento_error_set(err, EINVAL,
		                       "%s: the new version's runtime fails (--appimage-version "
		                       "ended with %s %d): refused",
		                       file, WIFEXITED(status) ? "status" : "signal",
		                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

int bento_hand_over_id(const char *path, bento_error **err)
{
	auto_bento_image img = NULL;
	__attribute__((cleanup(bento_metadata_clear))) bento_metadata md = {0};
	if (bento_image_open(path, &img, err) < 0 || bento_image_load_metadata(img, &md, err) < 0)
		return -1;
	if (!md.present)
		return 0;
	autofree char *home = bento_user_home(getuid());
	bento_identity_request req = {.img = img, .file = path, .app_id = md.app_id, .home = home};
	autofree char *owner = NULL;
	if (bento_identity_trust(&req, &owner, err) < 0)
		return -1;
	bento_note("the app id %s now belongs to %s", md.app_id, owner);
	return 0;
}

/* Where the new version is written: beside FILE, or beside --output's. */
typedef struct destination {
	int dir_fd; /* borrowed or owned (owned_dir) */
	bool owned_dir;
	char *base; /* of the final name */
	char *tmp;  /* the temporary file's name in dir_fd */
	int fd;
	bool keep; /* a partial download worth keeping as a seed */
} destination;

static void destination_clear(destination *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->tmp && !d->keep)
		unlinkat(d->dir_fd, d->tmp, 0);
	if (d->owned_dir && d->dir_fd >= 0)
		close(d->dir_fd);
	free(d->base);
	free(d->tmp);
}

static int open_destination(const bento_target *t, const options *o, destination *d,
                            bento_error **err)
{
	if (o->output == NULL) {
		d->dir_fd = t->dir_fd;
		d->base = xstrdup(t->base);
	} else {
		autofree char *copy = xstrdup(o->output);
		char *slash = strrchr(copy, '/');
		const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
		if (slash)
			*slash = '\0';
		d->base = xstrdup(slash ? slash + 1 : copy);
		if (d->base[0] == '\0' || strcmp(d->base, ".") == 0 || strcmp(d->base, "..") == 0)
			return bento_error_usage(err, "--output %s: not a file name", o->output);
		d->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->dir_fd < 0)
			return bento_error_errno(err, "--output %s", o->output);
		d->owned_dir = true;
		struct stat st;
		if (fstatat(d->dir_fd, d->base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return bento_error_usage(err, "--output %s: exists already", o->output);
	}
	return bento_temp_create(d->dir_fd, d->base, &d->tmp, &d->fd, err);
}

static int update(const char *file, const options *o, bento_error **err)
{
	__attribute__((cleanup(bento_target_close))) bento_target t = {.fd = -1, .dir_fd = -1};
	if (bento_target_open(file, !o->check, &t, err) < 0)
		return fail_with(err, EXIT_ERROR);
	auto_bento_image img = NULL;
	__attribute__((cleanup(bento_update_probe_clear))) bento_update_probe p = {0};
	if (bento_image_open(t.path, &img, err) < 0 ||
	    bento_update_probe_run(img, t.fd, &p, err) < 0)
		return fail_with(err, EXIT_ERROR);
	const char *new_sha1 = bento_zsync_control_sha1_hex(p.control);
	if (o->check) {
		if (!p.available)
			printf("%s: up to date (SHA-1 %s)\n", t.path, p.sha1);
		else
			printf("%s: an update is available (SHA-1 %s, now %s; %s)\n", t.path,
			       new_sha1, p.sha1, p.control_url);
		return p.available ? EXIT_UPDATE_AVAILABLE : 0;
	}
	if (!p.available) {
		printf("%s: up to date (SHA-1 %s): nothing to do\n", t.path, p.sha1);
		return 0;
	}

	if (bento_target_find_leftovers(&t, err) < 0)
		return fail_with(err, EXIT_ERROR);
	__attribute__((cleanup(destination_clear))) destination d = {.fd = -1, .dir_fd = -1};
	if (open_destination(&t, o, &d, err) < 0)
		return fail_with(err, EXIT_ERROR);
	/* Seeds: the file, its earlier partial downloads, --seed. */
	char file_seed[32];
	bento_fd_path(file_seed, t.fd);
	size_t n_seeds = 1 + t.leftover_seeds.count + o->seeds.count;
	autofree const char **seeds = xcalloc(n_seeds, sizeof *seeds);
	size_t n = 0;
	seeds[n++] = file_seed;
	for (size_t i = 0; i < t.leftover_seeds.count; i++)
		seeds[n++] = t.leftover_seeds.items[i];
	for (size_t i = 0; i < o->seeds.count; i++)
		seeds[n++] = o->seeds.items[i];
	if (t.leftover_seeds.count)
		bento_note("%s: reusing %zu partial download(s) of an interrupted update", t.path,
		           t.leftover_seeds.count);
	bento_zsync_options zo = {
	    .seeds = seeds,
	    .n_seeds = n_seeds,
	    .progress_fd = 2,
	    .progress_tty = isatty(2),
	};
	bento_zsync_stats stats = {0};
	int built = bento_zsync_build(p.control, &zo, d.fd, &stats, err);
	/* The earlier partial downloads have given what they held. */
	if (o->output == NULL)
		bento_target_remove_leftovers(&t);
	if (built < 0) {
		/* What was fetched seeds the next attempt - unless the disk
		 * is full. */
		int e = *err ? (*err)->errnum : 0;
		d.keep = e != ENOSPC && e != EDQUOT;
		return fail_with(err, EXIT_ERROR);
	}
	if (fsync(d.fd) < 0) {
		bento_error_errno(err, "%s: writing the new version", t.path);
		return fail_with(err, EXIT_ERROR);
	}
	/* Read-only from here: the check runs it (a file open for writing
	 * cannot be executed). */
	char rw_path[32];
	bento_fd_path(rw_path, d.fd);
	int ro = open(rw_path, O_RDONLY | O_CLOEXEC);
	if (ro < 0) {
		bento_error_errno(err, "%s: the new version", t.path);
		return fail_with(err, EXIT_ERROR);
	}
	close(d.fd);
	d.fd = ro;
	autofree char *new_name = xasprintf("the new version of %s", t.path);
	bool key_changed = false;
	auto_bento_image new_img = NULL;
	char ro_path[32];
	bento_fd_path(ro_path, d.fd);
	if (bento_image_open(ro_path, &new_img, err) < 0) {
		bento_error_prefix(err, "%s: the new version is no bento file or AppImage", t.path);
		(*err)->status = EXIT_REFUSED;
		return -1;
	}
	if (check_trust(t.path, t.fd, d.fd, new_name, o, &key_changed, err) < 0)
		return -1;
	if (fchmod(d.fd, 0700) < 0 || check_starts(t.path, d.fd, err) < 0)
		return fail_with(err, EXIT_REFUSED);
	/* (root updating someone's file gives it back to them) */
	if (fchmod(d.fd, t.st.st_mode & 0777) < 0 ||
	    (geteuid() == 0 && fchown(d.fd, t.st.st_uid, t.st.st_gid) < 0)) {
		bento_error_errno(err, "%s: the new version", t.path);
		return fail_with(err, EXIT_ERROR);
	}
	if (o->output) {
		if (bento_temp_publish(d.dir_fd, d.tmp, d.fd, d.base, err) < 0)
			return fail_with(err, EXIT_ERROR);
		free(steal_pointer(&d.tmp));
		printf("%s: the new version is %s (%llu bytes downloaded, %llu reused)\n", t.path,
		       o->output, (unsigned long long)stats.downloaded,
		       (unsigned long long)stats.reused);
		return 0;
	}
	if (bento_target_install(&t, d.tmp, d.fd, err) < 0)
		return fail_with(err, EXIT_ERROR);
	free(steal_pointer(&d.tmp));
	autofree char *kept = bento_previous_dir(t.path, false, NULL);
	printf("%s: updated (SHA-1 %s; %llu bytes downloaded, %llu reused); the previous "
	       "version is kept in %s/file (bento rollback %s)\n",
	       t.path, new_sha1, (unsigned long long)stats.downloaded,
	       (unsigned long long)stats.reused, kept ? kept : "?", file);
	auto_bento_error id_err = NULL;
	if (key_changed && bento_hand_over_id(t.path, &id_err) < 0)
		bento_warn("%s: %s; run `bento trust %s`", t.path, id_err->message, file);
	return 0;
}

/* bento update [ID...]: each named installed app (all of the installation's
 * when none is named), every branch of it, from its remote. */
static int update_installed(bool system, char **ids, int n)
{
	autofree char *dir = bento_inst_dir(system);
	struct stat st;
	/* Nothing installed: no installation is made just to say so. */
	if (n == 0 && stat(dir, &st) < 0) {
		printf("no app is installed (in %s)\n", dir);
		return 0;
	}
	auto_bento_inst inst = NULL;
	int status = bento_inst_open_cli("update", system, true, &inst);
	if (status != 0)
		return status;
	char **all = n == 0 ? bento_installed_apps(inst) : NULL;
	if (all) {
		ids = all;
		for (n = 0; all[n]; n++)
			;
	}
	for (int i = 0; i < n; i++) {
		auto_bento_error err = NULL;
		char **branches = bento_installed_branches(inst, ids[i]);
		if (branches[0] == NULL) {
			bento_error_set(&err, ENOENT, "%s is not installed (in %s)", ids[i],
			                inst->dir);
			status =
			    bento_error_report(steal_pointer(&err), "bento update", EXIT_ERROR);
		}
		for (char **b = branches; *b; b++) {
			bento_deployment d = {0};
			if (bento_deployment_read(inst, ids[i], *b, &d, &err) != 0 ||
			    bento_bring_up_to_date(inst, ids[i], *b, d.remote, &err) < 0)
				status = bento_error_report(steal_pointer(&err), "bento update",
				                            EXIT_ERROR);
			bento_deployment_clear(&d);
			free(*b);
		}
		free(branches);
	}
	for (char **a = all; a && *a; a++)
		free(*a);
	free(all);
	return status;
}

int bento_cmd_update(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"check", no_argument, NULL, 'c'},
	    {"allow-new-key", no_argument, NULL, 'k'},
	    {"output", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    BENTO_INST_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	__attribute__((cleanup(options_clear))) options o = {0};
	bool system = false, inst_option = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help();
			return 0;
		case 'c':
			o.check = true;
			break;
		case 'k':
			o.allow_new_key = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 's':
			bento_strv_add(&o.seeds, xstrdup(optarg));
			break;
		case 'U':
		case 'Y':
			system = c == 'Y';
			inst_option = true;
			break;
		case ':':
			return bento_usage_error("update", "option %s needs an argument",
			                         argv[optind - 1]);
		default:
			return bento_usage_error("update", "unknown option %s", argv[optind - 1]);
		}
	}
	bool file_options = o.check || o.allow_new_key || o.output || o.seeds.count;
	if ((optind == argc || !bento_arg_is_file(argv[optind])) && !file_options) {
		for (int i = optind; i < argc; i++)
			if (bento_arg_app_id("update", argv[i]) != 0)
				return BENTO_EXIT_USAGE;
		return update_installed(system, argv + optind, argc - optind);
	}
	if (inst_option)
		return bento_usage_error("update", "--user and --system are for installed apps");
	if (optind != argc - 1)
		return bento_usage_error("update", "expected exactly one FILE");
	if (o.check && o.output)
		return bento_usage_error("update", "--check and --output exclude each other");
	auto_bento_error err = NULL;
	int status = update(argv[optind], &o, &err);
	if (status < 0)
		return bento_error_report(steal_pointer(&err), "bento update", EXIT_ERROR);
	if (fflush(stdout) != 0)
		return EXIT_ERROR;
	return status;
}
