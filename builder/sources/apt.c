/* SPDX-License-Identifier: MIT */
/* Debian packages by name: apt with a private configuration, the lock file
 * (see apt.h). */
#include "sources/apt.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appdir/bundle.h"
#include "core/util.h"
#include "sources/fetch.h"
#include "util/digest.h"

extern char **environ;

#define LOCK_MAX (16 << 20)
#define LOCK_HEADER "bento-apt-lock 1"
/* The private directories' names: enough of the archive's digest. */
#define ROOT_DIGEST_LEN 16
/* Lines of apt's output shown with an error. */
#define APT_OUTPUT_MAX 4000

/* ---- running apt --------------------------------------------------------- */

/* Called with each line of a command's stdout (without its newline). */
typedef int (*line_fn)(void *data, char *line, bento_error **err);

/* Runs argv (looked up in PATH) with APT_CONFIG=root/apt.conf and the C
 * locale, each line of its stdout given to fn; its stderr (and, without fn,
 * its stdout) is kept for the error when it fails. */
static int run_apt(const char *root, const char *const *args, line_fn fn, void *data,
                   bento_error **err)
{
	autofree char *config = xasprintf("APT_CONFIG=%s/apt.conf", root);
	bento_strv env = {0};
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "APT_CONFIG=", 11) != 0 && strncmp(*e, "LC_", 3) != 0 &&
		    strncmp(*e, "LANG", 4) != 0)
			bento_strv_add(&env, xstrdup(*e));
	bento_strv_add(&env, xstrdup(config));
	bento_strv_add(&env, xstrdup("LC_ALL=C"));
	autoclose int log_fd = memfd_create("bento-apt", MFD_CLOEXEC);
	int out[2] = {-1, -1};
	if (log_fd < 0 || pipe2(out, O_CLOEXEC) < 0) {
		bento_strv_free(&env);
		return bento_error_errno(err, "cannot run %s", args[0]);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fn ? out[1] : log_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, log_fd, STDERR_FILENO);
	pid_t pid;
	int r = posix_spawnp(&pid, args[0], &fa, NULL, (char *const *)args, env.items);
	posix_spawn_file_actions_destroy(&fa);
	bento_strv_free(&env);
	close(out[1]);
	if (r != 0) {
		close(out[0]);
		return bento_error_set(err, r, "cannot run %s: %s (Debian: apt)", args[0],
		                       strerror(r));
	}
	int rc = 0;
	FILE *f = fdopen(out[0], "r");
	autofree char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (f && (len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (rc == 0 && fn)
			rc = fn(data, line, err);
	}
	if (f)
		fclose(f);
	else
		close(out[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		autofree char *log = xcalloc(1, APT_OUTPUT_MAX + 1);
		off_t size = lseek(log_fd, 0, SEEK_END);
		off_t from = size > APT_OUTPUT_MAX ? size - APT_OUTPUT_MAX : 0;
		ssize_t n = pread(log_fd, log, APT_OUTPUT_MAX, from);
		log[n > 0 ? n : 0] = '\0';
		autofree char *cmd = xstrdup(args[0]);
		for (size_t i = 1; args[i]; i++) {
			char *more = xasprintf("%s %s", cmd, args[i]);
			free(cmd);
			cmd = more;
		}
		return bento_error_set(
		    err, 0, "`%s` failed (exit status %d):\n%s", cmd,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log);
	}
	return 0;
}

/* ---- the private apt directory of an archive ----------------------------- */

static bool is_armored(const char *data)
{
	return strstr(data, "-----BEGIN PGP PUBLIC KEY BLOCK-----") != NULL;
}

/* STATE/apt/DIGEST, its digest over the archive's address and key. */
static char *archive_root(const char *state_dir, const bento_source *s, bento_error **err)
{
	auto_bento_digest d = bento_digest_new();
	bento_digest_add_str(d, "bento-apt-archive 1");
	bento_digest_add_str(d, s->url);
	bento_digest_add_str(d, s->suite);
	for (char **c = s->components; *c; c++)
		bento_digest_add_str(d, *c);
	if (bento_digest_add_path(d, s->key, err) < 0)
		return NULL;
	autofree char *hex = bento_digest_hex(d);
	return xasprintf("%s/apt/%.*s", state_dir, ROOT_DIGEST_LEN, hex);
}

static const char *const apt_conf_fmt =
    "// Written by bento-builder: apt with a configuration and state of its own.\n"
    "Dir \"/\";\n"
    "Dir::Etc \"%1$s/etc\";\n"
    "Dir::Etc::main \"apt.conf\";\n"
    "Dir::Etc::parts \"apt.conf.d\";\n"
    "Dir::Etc::sourcelist \"sources.list\";\n"
    "Dir::Etc::sourceparts \"sources.list.d\";\n"
    "Dir::Etc::preferences \"preferences\";\n"
    "Dir::Etc::preferencesparts \"preferences.d\";\n"
    "Dir::Etc::trusted \"trusted.gpg\";\n"
    "Dir::Etc::trustedparts \"trusted.gpg.d\";\n"
    "Dir::State \"%1$s/state\";\n"
    "Dir::State::lists \"lists\";\n"
    "Dir::State::status \"%1$s/state/status\";\n"
    "Dir::State::extended_states \"%1$s/state/extended_states\";\n"
    "Dir::Cache \"%1$s/cache\";\n"
    "Dir::Cache::pkgcache \"\";\n"
    "Dir::Cache::srcpkgcache \"\";\n"
    "Dir::Log \"%1$s/log\";\n"
    "Debug::NoLocking \"true\";\n"
    "APT::Sandbox::User \"%2$s\";\n"
    "APT::Architecture \"amd64\";\n"
    "APT::Architectures { \"amd64\"; };\n"
    "APT::Install-Recommends \"false\";\n"
    "APT::Install-Suggests \"false\";\n"
    "Acquire::Languages \"none\";\n"
    "Acquire::IndexTargets::deb::Contents-deb {\n"
    "  MetaKey \"$(COMPONENT)/Contents-$(ARCHITECTURE)\";\n"
    "  ShortDescription \"Contents-$(ARCHITECTURE)\";\n"
    "  Description \"$(RELEASE)/$(COMPONENT) $(ARCHITECTURE) Contents (deb)\";\n"
    "  flatMetaKey \"Contents-$(ARCHITECTURE)\";\n"
    "  flatDescription \"$(RELEASE) Contents (deb)\";\n"
    "  KeepCompressed \"true\";\n"
    "};\n";

/* Makes root's directories, configuration, sources list and key. */
static int setup_root(const char *root, const bento_source *s, bento_error **err)
{
	/* (the path goes into apt's configuration and a sources.list line) */
	if (root[strcspn(root, " \t\n\"[]\\")] != '\0')
		return bento_error_set(err, 0,
		                       "%s: apt cannot be given a path with spaces, quotes, "
		                       "brackets or backslashes: use --state-dir",
		                       root);
	static const char *const dirs[] = {"etc/apt.conf.d",
	                                   "etc/preferences.d",
	                                   "etc/sources.list.d",
	                                   "etc/trusted.gpg.d",
	                                   "state/lists/partial",
	                                   "cache/archives/partial",
	                                   "log"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		autofree char *d = xasprintf("%s/%s", root, dirs[i]);
		if (bento_mkdir_p(d, 0755, err) < 0)
			return -1;
	}
	autofree char *key = NULL;
	size_t key_len = 0;
	if (bento_read_file_at(AT_FDCWD, s->key, 1 << 20, &key, &key_len, err) < 0)
		return -1;
	/* apt tells an armored key from a binary one by the file's name. */
	autofree char *key_path =
	    xasprintf("%s/etc/archive-key.%s", root, is_armored(key) ? "asc" : "gpg");
	autoclose int kfd = open(key_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (kfd < 0 || bento_write_all(kfd, key, key_len) < 0)
		return bento_error_errno(err, "%s", key_path);
	struct passwd *pw = getpwuid(geteuid());
	autofree char *conf = xasprintf(apt_conf_fmt, root, pw ? pw->pw_name : "root");
	autofree char *conf_path = xasprintf("%s/apt.conf", root);
	autofree char *url = xstrdup(s->url);
	for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
		url[n - 1] = '\0';
	autofree char *components = xstrdup("");
	for (char **c = s->components; *c; c++) {
		char *more = xasprintf("%s %s", components, *c);
		free(components);
		components = more;
	}
	autofree char *list = xasprintf("deb [signed-by=%s arch=amd64] %s %s%s\n", key_path, url,
	                                s->suite, components);
	autofree char *list_path = xasprintf("%s/etc/sources.list", root);
	return bento_replace_file(conf_path, conf, 0644, err) < 0 ||
	               bento_replace_file(list_path, list, 0644, err) < 0
	           ? -1
	           : 0;
}

static int write_status(const char *root, const char *text, bento_error **err)
{
	autofree char *path = xasprintf("%s/state/status", root);
	return bento_replace_file(path, text, 0644, err);
}

/* The archive's indexes in root, fetched and verified by apt (with nothing
 * installed). */
static int read_archive(const char *root, const bento_source *s, bento_error **err)
{
	const char *update[] = {"apt-get", "update", "-q", "--error-on=any", NULL};
	return setup_root(root, s, err) < 0 || write_status(root, "", err) < 0 ||
	               run_apt(root, update, NULL, NULL, err) < 0
	           ? -1
	           : 0;
}

/* ---- the Contents index ---------------------------------------------------- */

typedef struct contents_scan {
	/* either: */
	char **patterns; /* excluded library names: collect their packages */
	/* or: */
	const char *library; /* a file name: collect its packages */
	bento_strv found;
} contents_scan;

static int line_lines(void *data, char *line, bento_error **err)
{
	(void)err;
	if (line[0] == '/')
		bento_strv_add(data, xstrdup(line));
	return 0;
}

/* The directories the dynamic loader searches (as Contents spells them). */
static bool in_loader_dir(const char *path, size_t dir_len)
{
	static const char *const dirs[] = {"lib",
	                                   "lib64",
	                                   "usr/lib",
	                                   "usr/lib64",
	                                   "lib/x86_64-linux-gnu",
	                                   "usr/lib/x86_64-linux-gnu"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (strlen(dirs[i]) == dir_len && strncmp(path, dirs[i], dir_len) == 0)
			return true;
	return false;
}

static void add_unique(bento_strv *v, const char *s, size_t len)
{
	for (size_t i = 0; i < v->count; i++)
		if (strlen(v->items[i]) == len && strncmp(v->items[i], s, len) == 0)
			return;
	bento_strv_add(v, xasprintf("%.*s", (int)len, s));
}

/* "PATH   [section/]package[,[section/]package...]" */
static int line_contents(void *data, char *line, bento_error **err)
{
	(void)err;
	contents_scan *s = data;
	char *end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	char *sep = end;
	while (sep > line && sep[-1] != ' ' && sep[-1] != '\t')
		sep--;
	if (sep == line)
		return 0;
	char *pkgs = sep;
	while (sep > line && (sep[-1] == ' ' || sep[-1] == '\t'))
		sep--;
	*sep = '\0';
	const char *slash = strrchr(line, '/');
	const char *name = slash ? slash + 1 : line;
	bool match = false;
	if (s->library) {
		match = strcmp(name, s->library) == 0;
	} else if (in_loader_dir(line, slash ? (size_t)(slash - line) : 0)) {
		for (char **p = s->patterns; *p && !match; p++)
			match = fnmatch(*p, name, 0) == 0;
	}
	if (!match)
		return 0;
	for (char *p = pkgs; *p;) {
		size_t len = strcspn(p, ",");
		const char *pkg = memrchr(p, '/', len);
		pkg = pkg ? pkg + 1 : p;
		add_unique(&s->found, pkg, len - (size_t)(pkg - p));
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The Essential: yes packages of a Packages index (into s->found). */
typedef struct essential_scan {
	char *package;
	bento_strv *found;
} essential_scan;

static int line_essential(void *data, char *line, bento_error **err)
{
	(void)err;
	essential_scan *e = data;
	if (strncmp(line, "Package: ", 9) == 0) {
		free(e->package);
		e->package = xstrdup(line + 9);
	} else if (strcmp(line, "Essential: yes") == 0 && e->package) {
		add_unique(e->found, e->package, strlen(e->package));
	}
	return 0;
}

/* Each file of the index target identifier, through apt-helper cat-file
 * (which reads every compression apt keeps), line by line to fn; *have says
 * whether there was one. */
static int cat_index(const char *root, const char *identifier, line_fn fn, void *data, bool *have,
                     bento_error **err);

/* Scans root's Contents index(es) with s; 0 (s->found empty) when there is
 * none. *have says whether there was one. */
static int scan_contents(const char *root, contents_scan *s, bool *have, bento_error **err)
{
	return cat_index(root, "Contents-deb", line_contents, s, have, err);
}

static int cat_index(const char *root, const char *identifier, line_fn fn, void *data, bool *have,
                     bento_error **err)
{
	*have = false;
	autofree char *filter = xasprintf("Identifier: %s", identifier);
	const char *list[] = {"apt-get", "indextargets", "--format", "$(FILENAME)", filter, NULL};
	bento_strv paths = {0};
	if (run_apt(root, list, line_lines, &paths, err) < 0) {
		bento_strv_free(&paths);
		return -1;
	}
	int r = 0;
	/* (indextargets names a file without the compression suffix apt keeps
	 * it with: apt-helper cat-file finds and reads it) */
	const char *exts[] = {"", ".lz4", ".zst", ".gz", ".xz", ".bz2", ".lzma"};
	for (size_t i = 0; r == 0 && i < paths.count; i++) {
		for (size_t j = 0; j < ARRAY_SIZE(exts); j++) {
			autofree char *f = xasprintf("%s%s", paths.items[i], exts[j]);
			if (access(f, R_OK) != 0)
				continue;
			*have = true;
			const char *cat[] = {"/usr/lib/apt/apt-helper", "cat-file", f, NULL};
			r = run_apt(root, cat, fn, data, err);
			break;
		}
	}
	bento_strv_free(&paths);
	return r;
}

/* ---- resolving one source ---------------------------------------------------- */

/* A record of apt-cache show: the fields we read. */
typedef struct record {
	char *package, *version, *architecture, *multi_arch, *provides, *filename, *sha256;
} record;

typedef struct records {
	record *v;
	size_t n;
	bool open;
} records;

static void record_clear(record *r)
{
	char *f[] = {r->package,  r->version,  r->architecture, r->multi_arch,
	             r->provides, r->filename, r->sha256};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		free(f[i]);
}

static void records_free(records *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		record_clear(&rs->v[i]);
	free(rs->v);
}

static int line_record(void *data, char *line, bento_error **err)
{
	(void)err;
	records *rs = data;
	if (line[0] == '\0') {
		rs->open = false;
		return 0;
	}
	if (!rs->open) {
		rs->v = realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		if (rs->v == NULL)
			abort();
		rs->v[rs->n++] = (record){0};
		rs->open = true;
	}
	record *r = &rs->v[rs->n - 1];
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
	    {"Package", offsetof(record, package)},
	    {"Version", offsetof(record, version)},
	    {"Architecture", offsetof(record, architecture)},
	    {"Multi-Arch", offsetof(record, multi_arch)},
	    {"Provides", offsetof(record, provides)},
	    {"Filename", offsetof(record, filename)},
	    {"SHA256", offsetof(record, sha256)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		size_t len = strlen(fields[i].name);
		if (strncmp(line, fields[i].name, len) == 0 && line[len] == ':') {
			char **slot = (char **)((char *)r + fields[i].offset);
			if (*slot == NULL)
				*slot = xstrdup(line + len + 1 + (line[len + 1] == ' '));
		}
	}
	return 0;
}

/* "Inst NAME [OLD] (VERSION ARCHIVE [ARCH])" of apt-get -s install. */
static int line_inst(void *data, char *line, bento_error **err)
{
	(void)err;
	bento_strv *v = data;
	if (strncmp(line, "Inst ", 5) != 0)
		return 0;
	char *name = line + 5;
	char *sp = strchr(name, ' ');
	char *paren = sp ? strchr(sp, '(') : NULL;
	if (paren == NULL)
		return 0;
	*sp = '\0';
	char *version = paren + 1;
	version[strcspn(version, " )")] = '\0';
	bento_strv_add(v, xasprintf("%s=%s", name, version));
	return 0;
}

static int apt_cache_show(const char *root, char **names, size_t n, records *out, bento_error **err)
{
	bento_strv args = {0};
	bento_strv_add(&args, xstrdup("apt-cache"));
	bento_strv_add(&args, xstrdup("show"));
	bento_strv_add(&args, xstrdup("--no-all-versions"));
	for (size_t i = 0; i < n; i++)
		bento_strv_add(&args, xstrdup(names[i]));
	int r = run_apt(root, (const char *const *)args.items, line_record, out, err);
	bento_strv_free(&args);
	return r;
}

static char **exclude_patterns(const char *text)
{
	bento_strv v = {0};
	autofree char *copy = xstrdup(text);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		line[strcspn(line, "#")] = '\0';
		char *s = line + strspn(line, " \t");
		size_t len = strcspn(s, " \t");
		if (len > 0)
			bento_strv_add(&v, xasprintf("%.*s", (int)len, s));
	}
	if (v.items == NULL)
		bento_strv_add(&v, NULL);
	return v.items;
}

/* The status file that says the host's packages are installed. */
static char *host_status(const records *rs)
{
	char *text = xstrdup("");
	for (size_t i = 0; i < rs->n; i++) {
		const record *r = &rs->v[i];
		if (r->package == NULL || r->version == NULL || r->architecture == NULL)
			continue;
		char *more = xasprintf("%sPackage: %s\nStatus: install ok installed\nVersion: "
		                       "%s\nArchitecture: %s\n%s%s%s%s%s%s\n",
		                       text, r->package, r->version, r->architecture,
		                       r->multi_arch ? "Multi-Arch: " : "",
		                       r->multi_arch ? r->multi_arch : "",
		                       r->multi_arch ? "\n" : "", r->provides ? "Provides: " : "",
		                       r->provides ? r->provides : "", r->provides ? "\n" : "");
		free(text);
		text = more;
	}
	return text;
}

static bool token_ok(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* A pool path: relative, no "..", no odd characters. */
static bool filename_ok(const char *f)
{
	return token_ok(f) && f[0] != '/' && strstr(f, "..") == NULL && strlen(f) > 4 &&
	       strcmp(f + strlen(f) - 4, ".deb") == 0;
}

/* The pool path in a URL: every byte but [A-Za-z0-9/._~+-] escaped, as apt
 * does ("1:2.0" is "1%3a2.0" in the pool's file names, "1%253a2.0" in URLs). */
static char *url_path(const char *f)
{
	char *out = xcalloc(3 * strlen(f) + 1, 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)f; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~+-", *p))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	return out;
}

static int compare_packages(const void *a, const void *b)
{
	const bento_apt_package *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* Resolves source s with apt into pins. */
static int resolve(const char *root, const bento_source *s, const char *exclude_list,
                   bento_apt_pins *pins, bento_error **err)
{
	if (read_archive(root, s, err) < 0) {
		bento_error_prefix(err, "the archive %s %s could not be read and verified", s->url,
		                   s->suite);
		return -1;
	}
	/* The host's packages, from the Contents index. */
	autofree char **patterns = exclude_patterns(exclude_list);
	contents_scan scan = {.patterns = patterns};
	bool have = false;
	int r = scan_contents(root, &scan, &have, err);
	for (char **p = patterns; *p; p++)
		free(*p);
	if (r < 0) {
		bento_strv_free(&scan.found);
		return -1;
	}
	if (!have) {
		bento_strv_free(&scan.found);
		return bento_error_set(
		    err, 0,
		    "the archive %s %s has no Contents-amd64 index: bento-builder "
		    "needs it to leave out the packages the host provides "
		    "(apt-ftparchive contents makes one)",
		    s->url, s->suite);
	}
	/* Essential packages too: Debian's packages do not declare their
	 * dependencies on them (Debian Policy 3.8), they are the system's. */
	essential_scan ess = {.found = &scan.found};
	r = cat_index(root, "Packages", line_essential, &ess, &have, err);
	free(ess.package);
	for (char **p = s->exclude; r == 0 && *p; p++)
		add_unique(&scan.found, *p, strlen(*p));
	for (char **p = s->packages; r == 0 && *p; p++)
		for (size_t i = 0; i < scan.found.count; i++)
			if (strcmp(*p, scan.found.items[i]) == 0)
				printf("apt: %s is left out: the host provides it\n", *p);
	records host = {0};
	if (r == 0 && scan.found.count)
		r = apt_cache_show(root, scan.found.items, scan.found.count, &host, err);
	bento_strv_free(&scan.found);
	autofree char *status = r == 0 ? host_status(&host) : NULL;
	records_free(&host);
	if (r < 0 || write_status(root, status, err) < 0)
		return -1;

	/* What apt would install on top of them. */
	bento_strv args = {0};
	const char *head[] = {"apt-get", "install", "-s", "-q", "--no-install-recommends"};
	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		bento_strv_add(&args, xstrdup(head[i]));
	for (char **p = s->packages; *p; p++)
		bento_strv_add(&args, xstrdup(*p));
	bento_strv inst = {0};
	r = run_apt(root, (const char *const *)args.items, line_inst, &inst, err);
	bento_strv_free(&args);
	if (r < 0) {
		bento_strv_free(&inst);
		bento_error_prefix(err, "apt cannot install %s from %s %s", s->packages[0], s->url,
		                   s->suite);
		return -1;
	}
	records got = {0};
	r = inst.count ? apt_cache_show(root, inst.items, inst.count, &got, err) : 0;
	size_t wanted = inst.count;
	bento_strv_free(&inst);
	if (r == 0 && got.n != wanted)
		r = bento_error_set(err, 0, "apt-cache show gave %zu records for %zu packages",
		                    got.n, wanted);
	autofree char *url = xstrdup(s->url);
	for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
		url[n - 1] = '\0';
	pins->packages = xcalloc(got.n + 1, sizeof(*pins->packages));
	for (size_t i = 0; r == 0 && i < got.n; i++) {
		record *g = &got.v[i];
		if (!token_ok(g->package) || !token_ok(g->version) || !filename_ok(g->filename) ||
		    !bento_sha256_hex_valid(g->sha256 ? g->sha256 : "")) {
			r = bento_error_set(
			    err, 0,
			    "the archive's Packages index gives package %s no usable "
			    "Filename and SHA256",
			    g->package ? g->package : "?");
			break;
		}
		bento_apt_package *p = &pins->packages[pins->n++];
		p->name = steal_pointer(&g->package);
		p->version = steal_pointer(&g->version);
		p->sha256 = steal_pointer(&g->sha256);
		for (char *c = p->sha256; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c);
		autofree char *path = url_path(g->filename);
		p->url = xasprintf("%s/%s", url, path);
	}
	records_free(&got);
	if (r == 0)
		qsort(pins->packages, pins->n, sizeof(*pins->packages), compare_packages);
	return r;
}

/* ---- the lock file ---------------------------------------------------------- */

char *bento_apt_lock_path(const char *manifest_path)
{
	size_t n = strlen(manifest_path);
	if (n > 4 && strcmp(manifest_path + n - 4, ".yml") == 0)
		n -= 4;
	else if (n > 5 && strcmp(manifest_path + n - 5, ".yaml") == 0)
		n -= 5;
	return xasprintf("%.*s.lock", (int)n, manifest_path);
}

static char *source_digest(const bento_source *s, bento_error **err)
{
	auto_bento_digest d = bento_digest_new();
	bento_digest_add_str(d, "bento-apt-source 1");
	bento_digest_add_str(d, s->url);
	bento_digest_add_str(d, s->suite);
	for (char **c = s->components; *c; c++)
		bento_digest_add_str(d, *c);
	bento_digest_add_str(d, "");
	for (char **p = s->packages; *p; p++)
		bento_digest_add_str(d, *p);
	bento_digest_add_str(d, "");
	for (char **p = s->exclude; *p; p++)
		bento_digest_add_str(d, *p);
	bento_digest_add_str(d, "");
	if (bento_digest_add_path(d, s->key, err) < 0)
		return NULL;
	return bento_digest_hex(d);
}

static void pins_clear(bento_apt_pins *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->packages[i].name);
		free(p->packages[i].version);
		free(p->packages[i].sha256);
		free(p->packages[i].url);
	}
	free(p->packages);
	free(p->digest);
	*p = (bento_apt_pins){0};
}

void bento_apt_lock_free(bento_apt_lock *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		pins_clear(&l->sources[i]);
	free(l->sources);
	for (size_t i = 0; i < l->n_roots; i++)
		free(l->roots[i]);
	free(l->roots);
	free(l->root_sources);
	free(l->path);
	free(l);
}

static bento_apt_pins *add_pins(bento_apt_lock *l)
{
	l->sources = realloc(l->sources, (l->n + 1) * sizeof(*l->sources));
	if (l->sources == NULL)
		abort();
	l->sources[l->n] = (bento_apt_pins){0};
	return &l->sources[l->n++];
}

static bool url_ok(const char *u)
{
	return token_ok(u) && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0 ||
	                       strncmp(u, "file://", 7) == 0);
}

/* Reads the lock file's text into l: every line checked, an error names the
 * file and the line. */
static int parse_lock(bento_apt_lock *l, char *text, bento_error **err)
{
	bool header = false;
	size_t lineno = 0;
	for (char *line = text, *next; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *f[6] = {0};
		size_t n = 0;
		for (char *t = strtok(line, " "); t && n < ARRAY_SIZE(f); t = strtok(NULL, " "))
			f[n++] = t;
		bool ok = false;
		if (!header) {
			ok =
			    n == 2 && strcmp(f[0], "bento-apt-lock") == 0 && strcmp(f[1], "1") == 0;
			header = ok;
		} else if (n == 2 && strcmp(f[0], "source") == 0 && bento_sha256_hex_valid(f[1])) {
			add_pins(l)->digest = xstrdup(f[1]);
			ok = true;
		} else if (n == 5 && strcmp(f[0], "package") == 0 && l->n > 0 && token_ok(f[1]) &&
		           token_ok(f[2]) && bento_sha256_hex_valid(f[3]) && url_ok(f[4])) {
			bento_apt_pins *p = &l->sources[l->n - 1];
			p->packages = realloc(p->packages, (p->n + 1) * sizeof(*p->packages));
			if (p->packages == NULL)
				abort();
			p->packages[p->n++] = (bento_apt_package){xstrdup(f[1]), xstrdup(f[2]),
			                                          xstrdup(f[3]), xstrdup(f[4])};
			ok = true;
		}
		if (!ok)
			return bento_error_set(
			    err, 0, "%s:%zu: not a line of a lock file (expected %s)", l->path,
			    lineno,
			    !header ? "\"" LOCK_HEADER "\" first"
			            : "\"source DIGEST\" or \"package NAME VERSION "
			              "SHA256 URL\"");
	}
	if (!header)
		return bento_error_set(err, 0, "%s: empty, or not a lock file", l->path);
	return 0;
}

static int write_lock(const bento_apt_lock *l, const char *manifest, bento_error **err)
{
	char *text =
	    xasprintf("# The Debian packages of %s's apt sources, pinned by bento-builder\n"
	              "# (bento-manifest(5), LOCK FILE).  Refresh with\n"
	              "#     bento-builder build --update-lock %s\n" LOCK_HEADER "\n",
	              manifest, manifest);
	for (size_t i = 0; i < l->n; i++) {
		const bento_apt_pins *p = &l->sources[i];
		char *more = xasprintf("%s\nsource %s\n", text, p->digest);
		free(text);
		text = more;
		for (size_t j = 0; j < p->n; j++) {
			const bento_apt_package *k = &p->packages[j];
			more = xasprintf("%spackage %s %s %s %s\n", text, k->name, k->version,
			                 k->sha256, k->url);
			free(text);
			text = more;
		}
	}
	int r = bento_replace_file(l->path, text, 0644, err);
	free(text);
	return r;
}

static const bento_apt_pins *find_pins(const bento_apt_lock *l, const char *digest)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->sources[i].digest, digest) == 0)
			return &l->sources[i];
	return NULL;
}

static void add_root(bento_apt_lock *l, const char *root, const bento_source *s)
{
	for (size_t i = 0; i < l->n_roots; i++)
		if (strcmp(l->roots[i], root) == 0)
			return;
	l->roots = realloc(l->roots, (l->n_roots + 1) * sizeof(*l->roots));
	l->root_sources = realloc(l->root_sources, (l->n_roots + 1) * sizeof(*l->root_sources));
	if (l->roots == NULL || l->root_sources == NULL)
		abort();
	l->root_sources[l->n_roots] = s;
	l->roots[l->n_roots++] = xstrdup(root);
}

/* Sets up the pins of one source of module mod (index j) in *l. */
static int prepare_source(const bento_manifest *m, const bento_apt_options *o,
                          const bento_apt_lock *old, const bento_module *mod, size_t j,
                          bento_apt_lock *l, bool *resolved, bento_error **err)
{
	const bento_source *s = &mod->sources[j];
	autofree char *digest = source_digest(s, err);
	autofree char *root = digest ? archive_root(o->state_dir, s, err) : NULL;
	if (root == NULL)
		return -1;
	add_root(l, root, s);
	if (find_pins(l, digest))
		return 0;
	const bento_apt_pins *have = o->update_lock ? NULL : find_pins(old, digest);
	bento_apt_pins *p = add_pins(l);
	p->digest = steal_pointer(&digest);
	if (have) {
		p->packages = xcalloc(have->n + 1, sizeof(*p->packages));
		for (size_t i = 0; i < have->n; i++, p->n++)
			p->packages[i] = (bento_apt_package){
			    xstrdup(have->packages[i].name), xstrdup(have->packages[i].version),
			    xstrdup(have->packages[i].sha256), xstrdup(have->packages[i].url)};
		return 0;
	}
	autofree char *where =
	    xasprintf("source %zu of module %s (%s:%d)", j + 1, mod->name, m->path, s->line);
	int r = 0;
	if (o->offline)
		r = bento_error_set(err, 0,
		                    "%s: --offline, and %s pins no packages for it: build once "
		                    "online to write the lock file",
		                    where, l->path);
	else if (old && !o->update_lock)
		r = bento_error_set(
		    err, 0,
		    "%s: %s pins no packages for it (the source is new or changed): "
		    "run `bento-builder build --update-lock %s`",
		    where, l->path, m->path);
	if (r == 0) {
		printf("apt: resolving %s with apt from %s %s\n", where, s->url, s->suite);
		fflush(stdout);
		r = resolve(root, s,
		            o->exclude_list ? o->exclude_list : bento_bundle_builtin_exclude_list(),
		            p, err);
		if (r < 0)
			bento_error_prefix(err, "%s", where);
		*resolved = true;
	}
	return r;
}

int bento_apt_prepare(const bento_manifest *m, const bento_apt_options *o, bento_apt_lock **out,
                      bento_error **err)
{
	*out = NULL;
	bool any = false;
	for (size_t i = 0; i < m->n_build_order; i++)
		for (size_t j = 0; j < m->build_order[i]->n_sources; j++)
			any |= m->build_order[i]->sources[j].type == BENTO_SOURCE_APT;
	if (!any)
		return 0;
	bento_apt_lock *l = xcalloc(1, sizeof(*l));
	l->path = bento_apt_lock_path(m->path);
	l->offline = o->offline;
	bento_apt_lock *old = xcalloc(1, sizeof(*old));
	old->path = xstrdup(l->path);
	autofree char *text = NULL;
	size_t len = 0;
	int r = bento_read_file_if_present(l->path, LOCK_MAX, &text, &len, err);
	if (r == 1 && strlen(text) != len)
		r = bento_error_set(err, 0, "%s: not a text file", l->path);
	if (r == 1)
		r = parse_lock(old, text, err) < 0 ? -1 : 1;
	bool had_lock = r == 1;
	if (r == 0) {
		bento_apt_lock_free(old);
		old = NULL;
	}
	bool resolved = false;
	for (size_t i = 0; r >= 0 && i < m->n_build_order; i++) {
		const bento_module *mod = m->build_order[i];
		for (size_t j = 0; r >= 0 && j < mod->n_sources; j++)
			if (mod->sources[j].type == BENTO_SOURCE_APT)
				r = prepare_source(m, o, had_lock ? old : NULL, mod, j, l,
				                   &resolved, err);
	}
	bento_apt_lock_free(old);
	if (r >= 0 && (resolved || !had_lock || o->update_lock)) {
		r = write_lock(l, m->path, err);
		if (r == 0) {
			size_t n = 0;
			for (size_t i = 0; i < l->n; i++)
				n += l->sources[i].n;
			printf("apt: wrote %s (%zu package%s)\n", l->path, n, n == 1 ? "" : "s");
			fflush(stdout);
		}
	}
	if (r < 0) {
		bento_apt_lock_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

const bento_apt_pins *bento_apt_pins_of(const bento_apt_lock *l, const bento_source *s)
{
	autofree char *digest = source_digest(s, NULL);
	return digest ? find_pins(l, digest) : NULL;
}

char *bento_apt_chain_hash(const bento_apt_lock *l, const bento_module *mod, char *hash)
{
	auto_bento_digest d = NULL;
	for (size_t j = 0; hash && l && j < mod->n_sources; j++) {
		const bento_apt_pins *p = mod->sources[j].type == BENTO_SOURCE_APT
		                              ? bento_apt_pins_of(l, &mod->sources[j])
		                              : NULL;
		if (p == NULL)
			continue;
		if (d == NULL) {
			d = bento_digest_new();
			bento_digest_add_str(d, hash);
		}
		for (size_t i = 0; i < p->n; i++) {
			bento_digest_add_str(d, p->packages[i].name);
			bento_digest_add_str(d, p->packages[i].sha256);
		}
	}
	if (d == NULL)
		return hash;
	free(hash);
	return bento_digest_hex(d);
}

char *bento_apt_library_package(void *data, const char *library)
{
	const bento_apt_lock *l = data;
	contents_scan scan = {.library = library};
	for (size_t i = 0; l && i < l->n_roots; i++) {
		autofree char *conf = xasprintf("%s/apt.conf", l->roots[i]);
		bool have = false;
		if (access(conf, R_OK) == 0)
			(void)scan_contents(l->roots[i], &scan, &have, NULL);
		if (!have && !l->offline &&
		    read_archive(l->roots[i], l->root_sources[i], NULL) == 0)
			(void)scan_contents(l->roots[i], &scan, &have, NULL);
	}
	if (scan.found.count == 0) {
		bento_strv_free(&scan.found);
		return NULL;
	}
	char *out = xstrdup("");
	for (size_t i = 0; i < scan.found.count; i++) {
		char *more = xasprintf("%s%s%s", out, i ? ", " : "", scan.found.items[i]);
		free(out);
		out = more;
	}
	bento_strv_free(&scan.found);
	return out;
}
