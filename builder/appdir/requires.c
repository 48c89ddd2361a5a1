/* SPDX-License-Identifier: MIT */
/* The requirements of an AppDir and the host's copies that lower them (see
 * requires.h): symbol versions read with libelf, packages from dpkg-query,
 * copies made below .bento without following a link the build left there. */
#include "appdir/requires.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/beneath.h"
#include "util/tool.h"
#include "util/tree_copy.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#define LOADER "ld-linux-x86-64.so.2"
/* Where executables name the loader (PT_INTERP), besides the multiarch
 * directory: a copy there too, for a system whose /lib64 the layer covers. */
#define LOADER_ALSO_IN "lib64"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#define LOADER "ld-linux-aarch64.so.1"
#define LOADER_ALSO_IN "lib"
#else
#error "bento-builder: the requirements step knows x86-64 and aarch64 only"
#endif

#define LIBDIR "lib/" MULTIARCH
/* Limits on what a (hostile) ELF file may make us read. */
#define MAX_VERSION_ENTRIES 65536

/* The C library's parts (.bento/glibc takes them from one build). */
static const char *const glibc_files[] = {
    "libc.so.6",
    LOADER,
    "libm.so.6",
    "libmvec.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libresolv.so.2",
    "libutil.so.1",
    "libanl.so.1",
    "libnss_files.so.2",
    "libnss_dns.so.2",
    "libBrokenLocale.so.1",
    "libnsl.so.1",
    "libthread_db.so.1",
    "libc_malloc_debug.so.0",
};
static const char *const glibc_patterns[] = {
    "ld-linux*.so.*", "libnss_*.so.2", "libmemusage.so", "libpcprofile.so", NULL,
};
static const char *const libstdcxx_files[] = {"libstdc++.so.6", "libgcc_s.so.1"};
/* The user-space half of a graphics driver: always the host's. */
static const char *const driver_patterns[] = {
    "libGL*",  "libEGL*",    "libGLES*", "libOpenGL*", "libGLX*",  "libGLdispatch*", "libglapi*",
    "libgbm*", "libvulkan*", "libdrm*",  "libOpenCL*", "libcuda*", "libnvidia-*",    NULL,
};

void bento_requires_clear(bento_requires *r)
{
	free(r->glibc);
	free(r->glibc_bundled);
	free(r->libstdcxx);
	free(r->libstdcxx_bundled);
	bento_strv_free(&r->host_libraries);
	bento_strv_free(&r->fallback_libraries);
	*r = (bento_requires){0};
}

/* ---------------------------------------------------------------- names and versions */

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static bool matches(const char *name, const char *const *patterns)
{
	for (; *patterns; patterns++)
		if (fnmatch(*patterns, name, 0) == 0)
			return true;
	return false;
}

static bool is_glibc(const char *name)
{
	return in_list(name, glibc_files, ARRAY_SIZE(glibc_files)) || matches(name, glibc_patterns);
}

static bool is_libstdcxx(const char *name)
{
	return in_list(name, libstdcxx_files, ARRAY_SIZE(libstdcxx_files));
}

/* A name that goes into .bento/metadata and a file name: nothing that
 * could end a value or a line there. */
static bool library_name_ok(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strlen(name) <= 255 &&
	       name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                         "0123456789._+-")] == '\0';
}

/* Numerically, per dot-separated component (2.9 < 2.10; 2.31 = 2.31.0). */
static int version_cmp(const char *a, const char *b)
{
	for (;;) {
		char *ea, *eb;
		unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*ea != '.' && *eb != '.')
			return 0;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The version of a symbol version name PREFIXx.y[.z], or NULL. */
static const char *version_of(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(name, prefix, n) != 0 || !isdigit((unsigned char)name[n]))
		return NULL;
	const char *v = name + n;
	if (strlen(v) > 32 || v[strspn(v, "0123456789.")] != '\0' || strstr(v, "..") ||
	    v[strlen(v) - 1] == '.')
		return NULL;
	return v;
}

static void keep_highest(char **best, const char *v)
{
	if (v != NULL && (*best == NULL || version_cmp(v, *best) > 0)) {
		free(*best);
		*best = xstrdup(v);
	}
}

typedef struct versions {
	char *glibc, *glibcxx; /* highest GLIBC_ and GLIBCXX_ */
} versions;

static void versions_clear(versions *v)
{
	free(v->glibc);
	free(v->glibcxx);
}

static void consider(versions *v, const char *name)
{
	if (name == NULL)
		return;
	keep_highest(&v->glibc, version_of(name, "GLIBC_"));
	keep_highest(&v->glibcxx, version_of(name, "GLIBCXX_"));
}

/* Reads one version section: the versions an ELF file needs
 * (SHT_GNU_verneed) or those it defines (SHT_GNU_verdef). */
static bool read_version_section(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, versions *v)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (d == NULL)
		return false;
	size_t off = 0;
	for (size_t i = 0; i < sh->sh_info && i < MAX_VERSION_ENTRIES; i++) {
		if (off >= d->d_size)
			return false;
		if (sh->sh_type == SHT_GNU_verneed) {
			GElf_Verneed vn;
			if (gelf_getverneed(d, (int)off, &vn) == NULL)
				return false;
			size_t aux = off + vn.vn_aux;
			for (size_t j = 0; j < vn.vn_cnt && j < MAX_VERSION_ENTRIES; j++) {
				GElf_Vernaux a;
				if (aux >= d->d_size || gelf_getvernaux(d, (int)aux, &a) == NULL)
					return false;
				consider(v, elf_strptr(e, sh->sh_link, a.vna_name));
				if (a.vna_next == 0)
					break;
				aux += a.vna_next;
			}
			if (vn.vn_next == 0)
				break;
			off += vn.vn_next;
		} else {
			GElf_Verdef vd;
			GElf_Verdaux a;
			if (gelf_getverdef(d, (int)off, &vd) == NULL)
				return false;
			if ((vd.vd_flags & VER_FLG_BASE) == 0 && vd.vd_cnt > 0) {
				if (off + vd.vd_aux >= d->d_size ||
				    gelf_getverdaux(d, (int)(off + vd.vd_aux), &a) == NULL)
					return false;
				consider(v, elf_strptr(e, sh->sh_link, a.vda_name));
			}
			if (vd.vd_next == 0)
				break;
			off += vd.vd_next;
		}
	}
	return true;
}

/* Adds to v the versions path needs (definitions: those it defines). */
static int read_versions(const char *path, const char *shown, bool definitions, versions *v,
                         bento_error **err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return bento_error_errno(err, "cannot open %s", shown);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "%s is not a regular file", shown);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bento_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		return bento_error_set(err, 0, "%s: not an ELF file", shown);
	}
	Elf64_Word wanted = definitions ? SHT_GNU_verdef : SHT_GNU_verneed;
	bool ok = true;
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn != NULL && ok; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) == NULL)
			ok = false;
		else if (sh.sh_type == wanted)
			ok = read_version_section(e, scn, &sh, v);
	}
	elf_end(e);
	if (!ok)
		return bento_error_set(
		    err, 0, "%s: malformed ELF file: its symbol versions cannot be read", shown);
	return 0;
}

/* ---------------------------------------------------------------- packages */

static bool package_name_ok(const char *p, size_t n)
{
	if (n == 0 || n > 128 || !isalnum((unsigned char)p[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)p[i]) && !isdigit((unsigned char)p[i]) &&
		    strchr("+-.", p[i]) == NULL)
			return false;
	return true;
}

/* The Debian package that installed path, from `dpkg-query -S PATH`
 * ("PKG[:ARCH][, PKG2...]: PATH"), or NULL. */
static char *package_of_path(const char *path)
{
	char *argv[] = {"dpkg-query", "-S", (char *)path, NULL};
	autofree char *output = NULL;
	int status;
	auto_bento_error e = NULL;
	if (access("/usr/bin/dpkg-query", X_OK) != 0 ||
	    bento_run_tool(argv, &output, &status, &e) < 0 || status != 0)
		return NULL;
	for (char *line = output; *line;) {
		char *eol = strchrnul(line, '\n');
		size_t n = strcspn(line, ":, \n");
		if (strncmp(line, "diversion ", 10) != 0 && package_name_ok(line, n))
			return xasprintf("%.*s", (int)n, line);
		line = *eol ? eol + 1 : eol;
	}
	return NULL;
}

/* dpkg knows a file by the path its package ships it at: with a merged
 * /usr that may be /lib/... or /usr/lib/... of the one found. */
static char *package_of(const char *path)
{
	char *pkg = package_of_path(path);
	if (pkg == NULL && strncmp(path, "/usr/", 5) == 0)
		pkg = package_of_path(path + 4);
	if (pkg == NULL && strncmp(path, "/usr/", 5) != 0) {
		autofree char *usr = xasprintf("/usr%s", path);
		pkg = package_of_path(usr);
	}
	return pkg;
}

/* ---------------------------------------------------------------- copies */

typedef struct copy_ctx {
	const char *appdir;
	int appdir_fd;
	FILE *log;
} copy_ctx;

/* Copies the regular file src into TREE/DIR/name of the AppDir. */
static int copy_into(const copy_ctx *cc, const char *tree, const char *dir, const char *src,
                     const char *name, bento_error **err)
{
	autofree char *where = xasprintf("%s/%s", tree, dir);
	autoclose int fd = bento_beneath_dir(cc->appdir_fd, cc->appdir, where, true, err);
	if (fd < 0 || bento_copy_file(src, fd, name, err) < 0)
		return -1;
	if (cc->log)
		fprintf(cc->log, "bundled %s/%s (from %s)\n", where, name, src);
	return 0;
}

/* The host file of name: where the needs found it, else in the C
 * library's directories. */
static char *host_path(const bento_bundle_needs *needs, const char *name)
{
	for (size_t i = 0; i < needs->n_host; i++)
		if (strcmp(needs->host[i].name, name) == 0 && needs->host[i].path)
			return xstrdup(needs->host[i].path);
	static const char *const dirs[] = {"/usr/" LIBDIR, "/" LIBDIR};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		autofree char *p = xasprintf("%s/%s", dirs[i], name);
		char *real = realpath(p, NULL);
		struct stat st;
		if (real != NULL && stat(real, &st) == 0 && S_ISREG(st.st_mode))
			return real;
		free(real);
	}
	return NULL;
}

static int copy_glibc(const copy_ctx *cc, const bento_bundle_needs *needs, bento_error **err)
{
	autofree char *libc = host_path(needs, "libc.so.6");
	if (libc == NULL)
		return bento_error_set(err, ENOENT,
		                       "%s: this system's C library (libc.so.6) cannot be found",
		                       cc->appdir);
	autofree char *dir = xstrdup(libc);
	*strrchr(dir, '/') = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(glibc_files); i++) {
		autofree char *src = xasprintf("%s/%s", dir, glibc_files[i]);
		struct stat st;
		bool required =
		    strcmp(glibc_files[i], "libc.so.6") == 0 || strcmp(glibc_files[i], LOADER) == 0;
		if (stat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
			if (required)
				return bento_error_set(err, ENOENT, "%s: %s is missing beside %s",
				                       cc->appdir, glibc_files[i], libc);
			continue;
		}
		if (copy_into(cc, ".bento/glibc", LIBDIR, src, glibc_files[i], err) < 0)
			return -1;
	}
	autofree char *loader = xasprintf("%s/%s", dir, LOADER);
	if (copy_into(cc, ".bento/glibc", LOADER_ALSO_IN, loader, LOADER, err) < 0)
		return -1;
	autofree char *gconv = xasprintf("%s/gconv", dir);
	autoclose int src_fd = open(gconv, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src_fd < 0)
		return 0; /* (a glibc without its character set converters) */
	autoclose int dst_fd = bento_beneath_dir(cc->appdir_fd, cc->appdir,
	                                         ".bento/glibc/" LIBDIR "/gconv", true, err);
	if (dst_fd < 0 ||
	    bento_tree_copy(src_fd, gconv, dst_fd, ".bento/glibc/" LIBDIR "/gconv", err) < 0)
		return -1;
	if (cc->log)
		fprintf(cc->log, "bundled .bento/glibc/%s/gconv (from %s)\n", LIBDIR, gconv);
	return 0;
}

/* ---------------------------------------------------------------- the requirements */

static const bento_bundle_host_lib *find_host(const bento_bundle_needs *needs, const char *name)
{
	for (size_t i = 0; i < needs->n_host; i++)
		if (strcmp(needs->host[i].name, name) == 0)
			return &needs->host[i];
	return NULL;
}

static bool fallback_candidate(const char *name)
{
	return !is_glibc(name) && !is_libstdcxx(name) && !matches(name, driver_patterns) &&
	       library_name_ok(name);
}

/* The fallbacks: the excluded libraries the AppDir's files need that are
 * neither glibc, libstdc++ nor a driver's, and what they need in turn
 * (minus those), as far as this system has them.  Sorted. */
static void fallback_closure(const bento_bundle_needs *needs, bento_strv *out)
{
	for (size_t i = 0; i < needs->n_host; i++)
		if (needs->host[i].direct && needs->host[i].path &&
		    fallback_candidate(needs->host[i].name))
			bento_strv_add(out, xstrdup(needs->host[i].name));
	for (size_t i = 0; i < out->count; i++) {
		const bento_bundle_host_lib *h = find_host(needs, out->items[i]);
		for (size_t j = 0; h && j < h->needed.count; j++) {
			const char *dep = h->needed.items[j];
			const bento_bundle_host_lib *d = find_host(needs, dep);
			bool have = false;
			for (size_t k = 0; k < out->count && !have; k++)
				have = strcmp(out->items[k], dep) == 0;
			if (!have && d && d->path && fallback_candidate(dep))
				bento_strv_add(out, xstrdup(dep));
		}
	}
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(char *), compare_strings);
}

/* Whether an ELF file of the AppDir or a fallback needs libstdc++ or
 * libgcc_s (a driver's needs are the system's business). */
static bool needs_libstdcxx(const bento_bundle_needs *needs, const bento_strv *fallbacks)
{
	for (size_t i = 0; i < needs->n_host; i++)
		if (needs->host[i].direct && is_libstdcxx(needs->host[i].name))
			return true;
	for (size_t i = 0; i < fallbacks->count; i++) {
		const bento_bundle_host_lib *h = find_host(needs, fallbacks->items[i]);
		for (size_t j = 0; h && j < h->needed.count; j++)
			if (is_libstdcxx(h->needed.items[j]))
				return true;
	}
	return false;
}

static int bundle(const char *appdir, int appdir_fd, bento_requires_glibc mode,
                  const bento_bundle_options *o, const bento_bundle_needs *needs, bento_requires *r,
                  bento_error **err)
{
	copy_ctx cc = {.appdir = appdir, .appdir_fd = appdir_fd, .log = o ? o->log : NULL};
	versions need = {0};
	int rc = 0;
	/* (a hostile DT_NEEDED matching a pattern of the exclude list must not
	 * write into the metadata) */
	for (size_t i = 0; i < needs->n_host; i++) {
		if (!needs->host[i].direct || library_name_ok(needs->host[i].name))
			continue;
		autofree char *shown = xasprintf("%.255s", needs->host[i].name);
		for (char *p = shown; *p; p++)
			if (!isgraph((unsigned char)*p))
				*p = '?';
		return bento_error_set(
		    err, 0,
		    "%s: an ELF file needs \"%s\" (on the exclude list): a library "
		    "name may hold only letters, digits, \".\", \"_\", \"+\" and "
		    "\"-\"",
		    appdir, shown);
	}
	for (size_t i = 0; i < needs->n_host; i++) {
		const bento_bundle_host_lib *h = &needs->host[i];
		if (!h->direct || is_glibc(h->name) || is_libstdcxx(h->name))
			continue;
		autofree char *pkg = h->path ? package_of(h->path) : NULL;
		bento_strv_add(&r->host_libraries, xasprintf("%s=%s", h->name, pkg ? pkg : ""));
	}
	fallback_closure(needs, &r->fallback_libraries);
	bool with_libstdcxx =
	    mode != BENTO_REQUIRES_GLIBC_HOST && needs_libstdcxx(needs, &r->fallback_libraries);

	/* What the app's files need, and the copies that come along. */
	for (size_t i = 0; rc == 0 && i < needs->elf_files.count; i++) {
		const char *path = needs->elf_files.items[i];
		rc = read_versions(path, path, false, &need, err);
	}
	for (size_t i = 0; rc == 0 && i < r->fallback_libraries.count; i++)
		rc = read_versions(find_host(needs, r->fallback_libraries.items[i])->path,
		                   r->fallback_libraries.items[i], false, &need, err);
	autofree char *libstdcxx = with_libstdcxx ? host_path(needs, "libstdc++.so.6") : NULL;
	autofree char *libgcc = with_libstdcxx ? host_path(needs, "libgcc_s.so.1") : NULL;
	if (rc == 0 && libstdcxx)
		rc = read_versions(libstdcxx, libstdcxx, false, &need, err);
	if (rc == 0 && libgcc)
		rc = read_versions(libgcc, libgcc, false, &need, err);
	if (rc < 0) {
		versions_clear(&need);
		return -1;
	}
	r->glibc = steal_pointer(&need.glibc);
	r->libstdcxx = steal_pointer(&need.glibcxx);
	versions_clear(&need);

	bool with_glibc = mode == BENTO_REQUIRES_GLIBC_BUNDLE ||
	                  (mode == BENTO_REQUIRES_GLIBC_AUTO && r->glibc != NULL &&
	                   version_cmp(r->glibc, BENTO_REQUIRES_GLIBC_BASELINE) > 0);
	if (with_glibc) {
		versions def = {0};
		autofree char *libc = host_path(needs, "libc.so.6");
		rc = copy_glibc(&cc, needs, err);
		if (rc == 0)
			rc = read_versions(libc, libc, true, &def, err);
		r->glibc_bundled = steal_pointer(&def.glibc);
		versions_clear(&def);
		if (rc == 0 && r->glibc_bundled == NULL)
			rc = bento_error_set(err, 0, "%s: %s defines no GLIBC_ version", appdir,
			                     libc);
	}
	if (rc == 0 && libgcc)
		rc = copy_into(&cc, ".bento/libstdc++", LIBDIR, libgcc, "libgcc_s.so.1", err);
	if (rc == 0 && libstdcxx) {
		versions def = {0};
		rc = copy_into(&cc, ".bento/libstdc++", LIBDIR, libstdcxx, "libstdc++.so.6", err);
		if (rc == 0)
			rc = read_versions(libstdcxx, libstdcxx, true, &def, err);
		r->libstdcxx_bundled = steal_pointer(&def.glibcxx);
		versions_clear(&def);
	}
	for (size_t i = 0; rc == 0 && i < r->fallback_libraries.count; i++) {
		const char *name = r->fallback_libraries.items[i];
		rc = copy_into(&cc, ".bento/fallback", LIBDIR, find_host(needs, name)->path, name,
		               err);
	}
	return rc;
}

int bento_requires_bundle(const char *appdir, bento_requires_glibc mode,
                          const bento_bundle_options *o, bento_requires *r, bento_error **err)
{
	*r = (bento_requires){0};
	autoclose int appdir_fd = open(appdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (appdir_fd < 0)
		return bento_error_errno(err, "%s: cannot open the AppDir", appdir);
	/* (what the build left there is not the host's) */
	static const char *const trees[] = {".bento/glibc", ".bento/libstdc++", ".bento/fallback"};
	for (size_t i = 0; i < ARRAY_SIZE(trees); i++)
		if (bento_beneath_remove(appdir_fd, appdir, trees[i], err) < 0)
			return -1;
	bento_bundle_needs needs;
	if (bento_bundle_needs_of(appdir, o, &needs, err) < 0)
		return -1;
	int rc = bundle(appdir, appdir_fd, mode, o, &needs, r, err);
	bento_bundle_needs_clear(&needs);
	if (rc < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
			auto_bento_error ignored = NULL;
			bento_beneath_remove(appdir_fd, appdir, trees[i], &ignored);
		}
		bento_requires_clear(r);
	}
	return rc;
}

/* ---------------------------------------------------------------- the results */

static char *joined(const bento_strv *v, const char *sep, bool trailing)
{
	size_t len = 1;
	for (size_t i = 0; i < v->count; i++)
		len += strlen(v->items[i]) + strlen(sep);
	char *out = xcalloc(1, len);
	for (size_t i = 0; i < v->count; i++) {
		strcat(out, v->items[i]);
		if (trailing || i + 1 < v->count)
			strcat(out, sep);
	}
	return out;
}

char *bento_requires_group(const bento_requires *r)
{
	autofree char *hosts = joined(&r->host_libraries, ";", true);
	autofree char *fallbacks = joined(&r->fallback_libraries, ";", true);
	autofree char *glibc = r->glibc ? xasprintf("glibc=%s\n", r->glibc) : xstrdup("");
	autofree char *glibc_b =
	    r->glibc_bundled ? xasprintf("glibc-bundled=%s\n", r->glibc_bundled) : xstrdup("");
	autofree char *cxx = r->libstdcxx ? xasprintf("libstdc++=%s\n", r->libstdcxx) : xstrdup("");
	autofree char *cxx_b = r->libstdcxx_bundled
	                           ? xasprintf("libstdc++-bundled=%s\n", r->libstdcxx_bundled)
	                           : xstrdup("");
	autofree char *h = hosts[0] ? xasprintf("host-libraries=%s\n", hosts) : xstrdup("");
	autofree char *f =
	    fallbacks[0] ? xasprintf("fallback-libraries=%s\n", fallbacks) : xstrdup("");
	return xasprintf("[Requires]\n%s%s%s%s%s%s", glibc, glibc_b, cxx, cxx_b, h, f);
}

void bento_requires_print(const bento_requires *r, FILE *out)
{
	if (r->glibc == NULL)
		fprintf(out, "requires: no GNU C Library (no dynamically linked ELF file)\n");
	else if (r->glibc_bundled)
		fprintf(out,
		        "requires: glibc %s or newer, else the bundled glibc %s takes its place\n",
		        r->glibc, r->glibc_bundled);
	else
		fprintf(out, "requires: glibc %s or newer (none bundled)\n", r->glibc);
	if (r->libstdcxx || r->libstdcxx_bundled)
		fprintf(out, "requires: libstdc++ %s or newer%s%s%s\n",
		        r->libstdcxx ? r->libstdcxx : "(any)",
		        r->libstdcxx_bundled ? ", else the bundled libstdc++ " : " (none bundled)",
		        r->libstdcxx_bundled ? r->libstdcxx_bundled : "",
		        r->libstdcxx_bundled ? " takes its place" : "");
	if (r->host_libraries.count > 0) {
		fprintf(out, "relies on this system for %zu librar%s:", r->host_libraries.count,
		        r->host_libraries.count == 1 ? "y" : "ies");
		for (size_t i = 0; i < r->host_libraries.count; i++) {
			const char *item = r->host_libraries.items[i];
			const char *eq = strchr(item, '=');
			fprintf(out, " %.*s (%s)", (int)(eq - item), item,
			        eq[1] ? eq + 1 : "package unknown");
		}
		fputc('\n', out);
	}
	if (r->fallback_libraries.count > 0) {
		autofree char *list = joined(&r->fallback_libraries, " ", false);
		fprintf(out, "bundled %zu fallback%s, used where the system has none: %s\n",
		        r->fallback_libraries.count, r->fallback_libraries.count == 1 ? "" : "s",
		        list);
	}
}
