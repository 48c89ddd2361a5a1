/* SPDX-License-Identifier: MIT */
/* Library bundling: reads ELF files with libelf, resolves their DT_NEEDED
 * names the way ld.so does (see bundle.h), copies and patches.  patchelf
 * rewrites RUNPATHs: no ELF file is rewritten here. */
#include "appdir/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "util/tool.h"

#if defined(__x86_64__)
#define NATIVE_CLASS ELFCLASS64
#define NATIVE_MACHINE EM_X86_64
#define MULTIARCH "x86_64-linux-gnu"
#define NATIVE_LOADER "/lib64/ld-linux-x86-64.so.2"
#elif defined(__aarch64__)
#define NATIVE_CLASS ELFCLASS64
#define NATIVE_MACHINE EM_AARCH64
#define MULTIARCH "aarch64-linux-gnu"
#define NATIVE_LOADER "/lib/ld-linux-aarch64.so.1"
#else
#error "bento-builder: library bundling knows x86-64 and aarch64 only"
#endif

/* Limits on what a (hostile) ELF file may make us read. */
#define MAX_PHDRS 4096
#define MAX_DYNAMIC_SIZE ((uint64_t)1 << 20)
#define MAX_STRTAB_SIZE ((uint64_t)64 << 20)
#define MAX_NEEDED 1024
#define MAX_NAME_LEN NAME_MAX
#define MAX_PATH_LIST_LEN 65536
/* Limits on the AppDir and on one closure. */
#define MAX_TREE_DEPTH 64
#define MAX_FILES 1000000
#define MAX_CLOSURE 20000
/* Lines of a "cannot be found" error before "... and N more". */
#define MAX_REPORTED 30

extern const char bento_excludelist_blob[];

const char *bento_bundle_builtin_exclude_list(void)
{
	return bento_excludelist_blob;
}

/* ---------------------------------------------------------------- small containers */

typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

static void strv_push(strv *s, char *owned)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (s->v == NULL)
			abort();
	}
	s->v[s->n++] = owned;
}

static void strv_clear(strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (strv){0};
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates. */
static void strv_sort_unique(strv *s)
{
	size_t out = 0;
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), compare_strings);
	for (size_t i = 0; i < s->n; i++) {
		if (out > 0 && strcmp(s->v[out - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[out++] = s->v[i];
	}
	s->n = out;
}

/* A string -> int map (open addressing); keys are copied. */
typedef struct strmap {
	char **keys;
	int *vals;
	size_t cap, n;
} strmap;

static size_t hash_string(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int *strmap_find(const strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = hash_string(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == NULL)
			return NULL;
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
	}
}

static void strmap_put(strmap *m, const char *key, int val);

static void strmap_grow(strmap *m)
{
	strmap bigger = {.cap = m->cap ? m->cap * 2 : 64};
	bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
	bigger.vals = xcalloc(bigger.cap, sizeof(*bigger.vals));
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		strmap_put(&bigger, m->keys[i], m->vals[i]);
		free(m->keys[i]);
	}
	free(m->keys);
	free(m->vals);
	*m = bigger;
}

static void strmap_put(strmap *m, const char *key, int val)
{
	int *v = strmap_find(m, key);
	if (v != NULL) {
		*v = val;
		return;
	}
	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m);
	size_t i = hash_string(key) & (m->cap - 1);
	while (m->keys[i] != NULL)
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
}

static void strmap_clear(strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	*m = (strmap){0};
}

/* ---------------------------------------------------------------- ELF files */

typedef struct elf_obj {
	char *path;   /* the real path */
	char *origin; /* its directory: what $ORIGIN expands to */
	bool in_appdir;
	unsigned char cls, data;
	uint16_t machine;
	char **needed;
	size_t n_needed;
	char *rpath, *runpath, *soname; /* NULL when absent */
} elf_obj;

static void elf_obj_free(elf_obj *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n_needed; i++)
		free(o->needed[i]);
	free(o->needed);
	free(o->path);
	free(o->origin);
	free(o->rpath);
	free(o->runpath);
	free(o->soname);
	free(o);
}

static int malformed(bento_error **err, const char *shown, const char *what)
{
	return bento_error_set(err, 0, "%s: malformed ELF file: %s", shown, what);
}

/* The PT_LOAD segment whose file contents hold the address vaddr. */
static bool load_holding(Elf *e, size_t phnum, uint64_t vaddr, GElf_Phdr *out)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*out = ph;
			return true;
		}
	}
	return false;
}

/* File offset of the virtual address range [vaddr, vaddr + size) inside the
 * file contents of PT_LOAD segments.  The range may run on from one segment
 * into the next when they follow each other without a gap both in memory
 * and in the file (patchelf's rewrites put .dynstr across such a seam): the
 * loader maps the bytes exactly as they lie in the file. */
static bool vaddr_to_offset(Elf *e, size_t phnum, uint64_t vaddr, uint64_t size, uint64_t *off)
{
	GElf_Phdr ph;
	if (!load_holding(e, phnum, vaddr, &ph))
		return false;
	*off = ph.p_offset + (vaddr - ph.p_vaddr);
	uint64_t at = vaddr, left = size;
	for (size_t hops = 0; hops <= phnum; hops++) {
		uint64_t in_this = ph.p_filesz - (at - ph.p_vaddr);
		if (left <= in_this)
			return true;
		/* (bytes beyond p_filesz are zeros in memory, not the file's) */
		if (ph.p_memsz != ph.p_filesz)
			return false;
		GElf_Phdr next;
		uint64_t seam = ph.p_vaddr + ph.p_filesz;
		if (!load_holding(e, phnum, seam, &next) || next.p_vaddr != seam ||
		    next.p_offset != ph.p_offset + ph.p_filesz)
			return false;
		left -= in_this;
		at = seam;
		ph = next;
	}
	return false;
}

typedef struct strtab {
	const char *data;
	uint64_t size;
} strtab;

/* A NUL-terminated string of at most max bytes at offset off of the table. */
static char *strtab_get(const strtab *t, uint64_t off, size_t max)
{
	if (t->data == NULL || off >= t->size)
		return NULL;
	const char *s = t->data + off;
	const char *end = memchr(s, '\0', t->size - off);
	if (end == NULL || (size_t)(end - s) > max)
		return NULL;
	return xstrdup(s);
}

/* Reads the dynamic section of the open ELF e into o. */
static int read_dynamic(Elf *e, size_t phnum, const GElf_Phdr *dyn_ph, off_t file_size,
                        const char *shown, elf_obj *o, bento_error **err)
{
	if (dyn_ph->p_filesz > MAX_DYNAMIC_SIZE)
		return malformed(err, shown, "the dynamic section is implausibly large");
	if (dyn_ph->p_offset > (uint64_t)file_size ||
	    dyn_ph->p_filesz > (uint64_t)file_size - dyn_ph->p_offset)
		return malformed(err, shown, "the dynamic section lies beyond the end of the file");
	Elf_Data *d =
	    elf_getdata_rawchunk(e, (int64_t)dyn_ph->p_offset, dyn_ph->p_filesz, ELF_T_DYN);
	size_t entsize = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);
	if (d == NULL || entsize == 0)
		return malformed(err, shown, "the dynamic section cannot be read");
	size_t count = d->d_size / entsize;
	uint64_t strtab_addr = 0, strtab_size = 0, rpath = 0, runpath = 0, soname = 0;
	bool has_strtab = false, has_strsz = false, has_rpath = false, has_runpath = false,
	     has_soname = false;
	autofree uint64_t *needed = xcalloc(MAX_NEEDED, sizeof(*needed));
	size_t n_needed = 0;
	for (size_t i = 0; i < count; i++) {
		GElf_Dyn dyn;
		if (gelf_getdyn(d, (int)i, &dyn) == NULL)
			return malformed(err, shown, "the dynamic section cannot be read");
		if (dyn.d_tag == DT_NULL)
			break;
		switch (dyn.d_tag) {
		case DT_NEEDED:
			if (n_needed == MAX_NEEDED)
				return malformed(err, shown, "more than 1024 DT_NEEDED entries");
			needed[n_needed++] = dyn.d_un.d_val;
			break;
		case DT_STRTAB:
			strtab_addr = dyn.d_un.d_ptr;
			has_strtab = true;
			break;
		case DT_STRSZ:
			strtab_size = dyn.d_un.d_val;
			has_strsz = true;
			break;
		case DT_RPATH:
			rpath = dyn.d_un.d_val;
			has_rpath = true;
			break;
		case DT_RUNPATH:
			runpath = dyn.d_un.d_val;
			has_runpath = true;
			break;
		case DT_SONAME:
			soname = dyn.d_un.d_val;
			has_soname = true;
			break;
		default:
			break;
		}
	}
	if (n_needed == 0 && !has_rpath && !has_runpath && !has_soname)
		return 0;
	if (!has_strtab || !has_strsz)
		return malformed(err, shown, "a dynamic section without its string table");
	if (strtab_size > MAX_STRTAB_SIZE)
		return malformed(err, shown, "the dynamic string table is implausibly large");
	uint64_t strtab_off;
	if (!vaddr_to_offset(e, phnum, strtab_addr, strtab_size, &strtab_off) ||
	    strtab_off > (uint64_t)file_size || strtab_size > (uint64_t)file_size - strtab_off)
		return malformed(err, shown,
		                 "the dynamic string table lies outside the file's segments");
	Elf_Data *sd = elf_getdata_rawchunk(e, (int64_t)strtab_off, strtab_size, ELF_T_BYTE);
	if (sd == NULL)
		return malformed(err, shown, "the dynamic string table cannot be read");
	strtab t = {.data = sd->d_buf, .size = sd->d_size};

	o->needed = xcalloc(n_needed ? n_needed : 1, sizeof(*o->needed));
	for (size_t i = 0; i < n_needed; i++) {
		/* (counted at once: an empty name is freed with the object) */
		o->needed[o->n_needed++] = strtab_get(&t, needed[i], MAX_NAME_LEN);
		if (o->needed[i] == NULL || o->needed[i][0] == '\0')
			return malformed(err, shown,
			                 "a DT_NEEDED name is outside the string table, empty or "
			                 "too long");
	}
	if (has_rpath && (o->rpath = strtab_get(&t, rpath, MAX_PATH_LIST_LEN)) == NULL)
		return malformed(err, shown, "the DT_RPATH is outside the string table");
	if (has_runpath && (o->runpath = strtab_get(&t, runpath, MAX_PATH_LIST_LEN)) == NULL)
		return malformed(err, shown, "the DT_RUNPATH is outside the string table");
	if (has_soname && (o->soname = strtab_get(&t, soname, MAX_NAME_LEN)) == NULL)
		return malformed(err, shown, "the DT_SONAME is outside the string table");
	return 0;
}

/* Reads the ELF file fd.  Returns 1 with *out for a dynamically linked
 * executable or shared library, 0 for anything else (not ELF, static,
 * relocatable, core ...), -1 for a malformed ELF file. */
static int read_elf(int fd, const char *shown, elf_obj **out, bento_error **err)
{
	unsigned char ident[EI_NIDENT];
	struct stat st;
	*out = NULL;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s: cannot stat", shown);
	ssize_t n = bento_pread_all(fd, ident, sizeof(ident), 0);
	if (n < 0)
		return bento_error_errno(err, "%s: cannot read", shown);
	if ((size_t)n < SELFMAG || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return 0;
	if ((size_t)n < EI_NIDENT)
		return malformed(err, shown, "truncated ELF header");
	if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
		return malformed(err, shown, "unknown ELF class");
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
		return malformed(err, shown, "unknown byte order");

	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (e == NULL)
		return malformed(err, shown, elf_errmsg(-1));
	int rc = -1;
	GElf_Ehdr eh;
	size_t phnum;
	elf_obj *o = NULL;
	if (elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL) {
		malformed(err, shown, "truncated ELF header");
		goto out;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		rc = 0;
		goto out;
	}
	if (elf_getphdrnum(e, &phnum) != 0) {
		malformed(err, shown, "the program headers cannot be read");
		goto out;
	}
	if (phnum > MAX_PHDRS) {
		malformed(err, shown, "implausibly many program headers");
		goto out;
	}
	GElf_Phdr dyn_ph = {0};
	bool has_dynamic = false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) == NULL) {
			malformed(err, shown, "the program headers lie beyond the end of the file");
			goto out;
		}
		if (ph.p_type == PT_DYNAMIC && !has_dynamic) {
			dyn_ph = ph;
			has_dynamic = true;
		}
	}
	if (!has_dynamic) {
		rc = 0; /* statically linked */
		goto out;
	}
	o = xcalloc(1, sizeof(*o));
	o->cls = ident[EI_CLASS];
	o->data = ident[EI_DATA];
	o->machine = eh.e_machine;
	if (read_dynamic(e, phnum, &dyn_ph, st.st_size, shown, o, err) < 0)
		goto out;
	*out = steal_pointer(&o);
	rc = 1;
out:
	elf_obj_free(o);
	elf_end(e);
	return rc;
}

/* ---------------------------------------------------------------- the resolver */

typedef enum {
	MODE_COLLECT, /* everything ld.so could find at build time, host included */
	MODE_PLAN,    /* the AppDir only, lib dirs included; excluded names are the host's */
	MODE_CHECK,   /* the AppDir through the RPATHs/RUNPATHs only, as ld.so at run time */
} resolve_mode;

typedef enum {
	FOUND_NONE,
	FOUND_EXCLUDED,
	FOUND_PATH,       /* through a RPATH, RUNPATH, or a name with a '/' */
	FOUND_APPDIR_LIB, /* in one of the AppDir's lib dirs, no RUNPATH leads there */
	FOUND_HOST,
} found_how;

typedef struct cache_entry {
	char *name; /* for ldconfig -p: the library's name */
	char *path;
} cache_entry;

typedef struct ctx {
	const char *appdir; /* as given, for messages */
	char *root;         /* its real path */
	size_t root_len;
	FILE *log;
	FILE *summary;
	bento_bundle_run_fn run_patchelf; /* NULL: on the host */
	void *run_data;
	const bento_bundle_options *opts; /* NULL: the defaults */
	strv exclude;                     /* patterns */
	/* Every file looked at: path (as tried and real) -> index in objs, or
	 * -1 when it is absent or unusable. */
	strmap files;
	elf_obj **objs;
	size_t n_objs;
	/* The host's ld.so.cache, read once. */
	cache_entry *cache;
	size_t n_cache;
	bool cache_read;
} ctx;

static const char *shown(const ctx *c, const char *path)
{
	if (strncmp(path, c->root, c->root_len) == 0 && path[c->root_len] == '/')
		return path + c->root_len + 1;
	return path;
}

static int parse_exclude_list(ctx *c, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *eol = strchrnul(p, '\n');
		const char *s = p, *e = eol;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s < e && *s != '#')
			strv_push(&c->exclude, xasprintf("%.*s", (int)(e - s), s));
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

static bool is_excluded(const ctx *c, const char *name)
{
	for (size_t i = 0; i < c->exclude.n; i++)
		if (fnmatch(c->exclude.v[i], name, 0) == 0)
			return true;
	return false;
}

static int ctx_init(ctx *c, const char *appdir, const bento_bundle_options *o, bento_error **err)
{
	*c = (ctx){.appdir = appdir,
	           .log = o ? o->log : NULL,
	           .summary = o ? o->summary : NULL,
	           .run_patchelf = o ? o->run_patchelf : NULL,
	           .run_data = o ? o->run_data : NULL,
	           .opts = o};
	struct stat st;
	if (stat(appdir, &st) < 0)
		return bento_error_errno(err, "%s: cannot open the AppDir", appdir);
	if (!S_ISDIR(st.st_mode))
		return bento_error_set(err, ENOTDIR, "%s: the AppDir is not a directory", appdir);
	c->root = realpath(appdir, NULL);
	if (c->root == NULL)
		return bento_error_errno(err, "%s: cannot resolve the AppDir's path", appdir);
	c->root_len = strlen(c->root);
	if (strcmp(c->root, "/") == 0)
		return bento_error_set(err, 0, "%s: the AppDir cannot be the root directory",
		                       appdir);
	parse_exclude_list(c, o && o->exclude_list ? o->exclude_list
	                                           : bento_bundle_builtin_exclude_list());
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bento_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
	return 0;
}

static void ctx_clear(ctx *c)
{
	free(c->root);
	strv_clear(&c->exclude);
	strmap_clear(&c->files);
	for (size_t i = 0; i < c->n_objs; i++)
		elf_obj_free(c->objs[i]);
	free(c->objs);
	for (size_t i = 0; i < c->n_cache; i++) {
		free(c->cache[i].name);
		free(c->cache[i].path);
	}
	free(c->cache);
}

/* The ELF object at path, parsed once.  *out is NULL when there is no such
 * file, or it is no dynamically linked ELF file. */
static int load(ctx *c, const char *path, elf_obj **out, bento_error **err)
{
	*out = NULL;
	int *idx = strmap_find(&c->files, path);
	if (idx != NULL) {
		*out = *idx >= 0 ? c->objs[*idx] : NULL;
		return 0;
	}
	autofree char *real = realpath(path, NULL);
	if (real == NULL) {
		strmap_put(&c->files, path, -1);
		return 0;
	}
	idx = strmap_find(&c->files, real);
	if (idx != NULL) {
		/* (read before the put, which may move the map's entries) */
		int known = *idx;
		strmap_put(&c->files, path, known);
		*out = known >= 0 ? c->objs[known] : NULL;
		return 0;
	}
	/* O_NONBLOCK: a FIFO must not hang us; only regular files are read. */
	autoclose int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	elf_obj *o = NULL;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		strmap_put(&c->files, real, -1);
		strmap_put(&c->files, path, -1);
		return 0;
	}
	if (read_elf(fd, shown(c, real), &o, err) < 0) {
		bento_error_prefix(err, "%s", c->appdir);
		return -1;
	}
	int val = -1;
	if (o != NULL) {
		o->path = steal_pointer(&real);
		o->origin = xstrdup(o->path);
		*strrchr(o->origin, '/') = '\0';
		if (o->origin[0] == '\0')
			strcpy(o->origin, "/");
		o->in_appdir =
		    strncmp(o->path, c->root, c->root_len) == 0 && o->path[c->root_len] == '/';
		c->objs = realloc(c->objs, (c->n_objs + 1) * sizeof(*c->objs));
		if (c->objs == NULL)
			abort();
		val = (int)c->n_objs;
		c->objs[c->n_objs++] = o;
		strmap_put(&c->files, o->path, val);
	} else {
		strmap_put(&c->files, real, -1);
	}
	strmap_put(&c->files, path, val);
	*out = o;
	return 0;
}

static bool compatible(const elf_obj *a, const elf_obj *b)
{
	return a->cls == b->cls && a->data == b->data && a->machine == b->machine;
}

/* Loads path as a candidate for requester: NULL unless a compatible ELF
 * library is there.  In MODE_PLAN and MODE_CHECK, and with appdir_only,
 * only files in the AppDir count. */
static int try_candidate(ctx *c, const char *path, const elf_obj *requester, resolve_mode mode,
                         bool appdir_only, elf_obj **out, bento_error **err)
{
	elf_obj *o;
	*out = NULL;
	if (load(c, path, &o, err) < 0)
		return -1;
	if (o == NULL || !compatible(o, requester))
		return 0;
	if ((mode != MODE_COLLECT || appdir_only) && !o->in_appdir)
		return 0;
	*out = o;
	return 0;
}

/* An element of a RPATH or RUNPATH as a directory, or NULL when it is to be
 * skipped. */
static char *expand_dir(const ctx *c, const elf_obj *o, const char *elem, size_t len,
                        resolve_mode mode)
{
	autofree char *e = xasprintf("%.*s", (int)len, elem);
	const char *rest = NULL;
	if (strncmp(e, "$ORIGIN", 7) == 0)
		rest = e + 7;
	else if (strncmp(e, "${ORIGIN}", 9) == 0)
		rest = e + 9;
	if (rest != NULL && (*rest == '\0' || *rest == '/')) {
		if (strchr(rest, '$') != NULL)
			return NULL;
		return xasprintf("%s%s", o->origin, rest);
	}
	if (e[0] != '/' || strchr(e, '$') != NULL)
		return NULL; /* empty, relative, or another $TOKEN */
	if (strncmp(e, "/app", 4) == 0 && (e[4] == '\0' || e[4] == '/'))
		return xasprintf("%s%s", c->root, e + 4);
	/* A package's own directory (libpulse's /usr/lib/MULTIARCH/pulseaudio)
	 * is, in the AppDir, where the package's usr/ went: while bundling it
	 * counts as /app/X, and the planned path list names it so. */
	if (o->in_appdir && mode != MODE_CHECK && strncmp(e, "/usr/", 5) == 0)
		return xasprintf("%s%s", c->root, e + 4);
	/* A host directory: the AppDir cannot count on it, and what the
	 * build's files name is not searched on the host. */
	return mode == MODE_COLLECT && !o->in_appdir ? steal_pointer(&e) : NULL;
}

static int search_path_list(ctx *c, const elf_obj *dirs_of, const char *list,
                            const elf_obj *requester, const char *name, resolve_mode mode,
                            elf_obj **out, bento_error **err)
{
	*out = NULL;
	for (const char *p = list; p != NULL && *out == NULL;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		autofree char *dir = expand_dir(c, dirs_of, p, len, mode);
		if (dir != NULL) {
			/* (an AppDir file's path leads into the AppDir only, even
			 * through $ORIGIN/.. or a link) */
			autofree char *cand = xasprintf("%s/%s", dir, name);
			if (try_candidate(c, cand, requester, mode, dirs_of->in_appdir, out, err) <
			    0)
				return -1;
		}
		p = colon ? colon + 1 : NULL;
	}
	return 0;
}

/* Reads the host's ld.so.cache through `ldconfig -p`: lines
 * "\tNAME (FLAGS) => PATH", in the cache's order. */
static void read_host_cache(ctx *c)
{
	static const char *const ldconfigs[] = {"/sbin/ldconfig", "/usr/sbin/ldconfig"};
	c->cache_read = true;
	for (size_t i = 0; i < ARRAY_SIZE(ldconfigs); i++) {
		if (access(ldconfigs[i], X_OK) != 0)
			continue;
		char *argv[] = {(char *)ldconfigs[i], (char *)"-p", NULL};
		autofree char *output = NULL;
		int status;
		auto_bento_error e = NULL;
		if (bento_run_tool(argv, &output, &status, &e) < 0 || status != 0)
			return;
		for (char *line = output; *line;) {
			char *eol = strchrnul(line, '\n');
			char *next = *eol ? eol + 1 : eol;
			*eol = '\0';
			char *arrow = strstr(line, " => ");
			char *paren = strstr(line, " (");
			while (*line == ' ' || *line == '\t')
				line++;
			if (arrow != NULL && paren != NULL && paren > line && paren < arrow &&
			    arrow[4] == '/') {
				c->cache = realloc(c->cache, (c->n_cache + 1) * sizeof(*c->cache));
				if (c->cache == NULL)
					abort();
				c->cache[c->n_cache].name =
				    xasprintf("%.*s", (int)(paren - line), line);
				c->cache[c->n_cache].path = xstrdup(arrow + 4);
				c->n_cache++;
			}
			line = next;
		}
		return;
	}
}

static int search_host(ctx *c, const elf_obj *requester, const char *name, elf_obj **out,
                       bento_error **err)
{
	static const char *const dirs[] = {
	    "/lib/" MULTIARCH, "/usr/lib/" MULTIARCH, "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
	*out = NULL;
	if (!c->cache_read)
		read_host_cache(c);
	for (size_t i = 0; i < c->n_cache && *out == NULL; i++) {
		if (strcmp(c->cache[i].name, name) == 0 &&
		    try_candidate(c, c->cache[i].path, requester, MODE_COLLECT, false, out, err) <
		        0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && *out == NULL; i++) {
		autofree char *cand = xasprintf("%s/%s", dirs[i], name);
		if (try_candidate(c, cand, requester, MODE_COLLECT, false, out, err) < 0)
			return -1;
	}
	return 0;
}

/* The loader chain of the object being resolved: itself, what loaded it, ...
 * up to the root of the walk. */
typedef struct chain {
	const elf_obj *obj;
	const struct chain *up;
} chain;

/* The AppDir's own library directories, where the bundler puts what it copies. */
static int search_appdir_libs(ctx *c, const elf_obj *req, const char *name, resolve_mode mode,
                              elf_obj **out, bento_error **err)
{
	static const char *const appdir_libs[] = {"lib", "lib/" MULTIARCH, "lib64"};
	*out = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(appdir_libs) && *out == NULL; i++) {
		autofree char *cand = xasprintf("%s/%s/%s", c->root, appdir_libs[i], name);
		if (try_candidate(c, cand, req, mode, true, out, err) < 0)
			return -1;
	}
	return 0;
}

static int resolve(ctx *c, const chain *ch, const char *name, resolve_mode mode, elf_obj **out,
                   found_how *how, bento_error **err)
{
	const elf_obj *req = ch->obj;
	*out = NULL;
	*how = FOUND_NONE;
	if (is_excluded(c, name)) {
		*how = FOUND_EXCLUDED;
		return 0;
	}
	if (strchr(name, '/') != NULL) {
		autofree char *path = NULL;
		if (strncmp(name, "/app/", 5) == 0)
			path = xasprintf("%s%s", c->root, name + 4);
		else if (name[0] == '/' && mode == MODE_COLLECT && !req->in_appdir)
			path = xstrdup(name);
		/* (a relative path depends on the working directory: never found;
		 * a host path an AppDir file names is not looked at) */
		if (path != NULL && try_candidate(c, path, req, mode, req->in_appdir, out, err) < 0)
			return -1;
		*how = *out ? FOUND_PATH : FOUND_NONE;
		return 0;
	}
	if (req->runpath == NULL) {
		for (const chain *l = ch; l != NULL && *out == NULL; l = l->up) {
			if (l->obj->runpath != NULL || l->obj->rpath == NULL)
				continue;
			if (search_path_list(c, l->obj, l->obj->rpath, req, name, mode, out, err) <
			    0)
				return -1;
		}
	} else if (search_path_list(c, req, req->runpath, req, name, mode, out, err) < 0) {
		return -1;
	}
	if (*out != NULL) {
		*how = FOUND_PATH;
		return 0;
	}
	if (mode == MODE_CHECK)
		return 0;
	if (search_appdir_libs(c, req, name, mode, out, err) < 0)
		return -1;
	if (*out != NULL) {
		*how = FOUND_APPDIR_LIB;
		return 0;
	}
	if (mode == MODE_COLLECT && search_host(c, req, name, out, err) < 0)
		return -1;
	if (*out != NULL)
		*how = (*out)->in_appdir ? FOUND_APPDIR_LIB : FOUND_HOST;
	return 0;
}

/* One DT_NEEDED of one object, as resolved in a walk. */
typedef struct edge {
	const elf_obj *from;
	const char *name;
	elf_obj *to; /* NULL: excluded or not found */
	found_how how;
} edge;

typedef int (*edge_fn)(ctx *c, const edge *e, void *data, bento_error **err);

/* Resolves the needs of root, and with transitive those of everything it
 * loads, breadth first as ld.so does; calls fn for each. */
static int walk(ctx *c, elf_obj *root, resolve_mode mode, bool transitive, edge_fn fn, void *data,
                bento_error **err)
{
	strmap loaded = {0};
	chain *queue = xcalloc(MAX_CLOSURE, sizeof(*queue));
	size_t head = 0, tail = 0;
	int rc = 0;
	queue[tail++] = (chain){.obj = root};
	strmap_put(&loaded, root->path, 0);
	if (root->soname)
		strmap_put(&loaded, root->soname, 0);
	while (head < tail && rc == 0) {
		const chain *ch = &queue[head++];
		for (size_t i = 0; i < ch->obj->n_needed && rc == 0; i++) {
			const char *name = ch->obj->needed[i];
			if (strmap_find(&loaded, name) != NULL)
				continue;
			edge e = {.from = ch->obj, .name = name};
			if (resolve(c, ch, name, mode, &e.to, &e.how, err) < 0) {
				rc = -1;
				break;
			}
			rc = fn(c, &e, data, err);
			strmap_put(&loaded, name, 0);
			if (e.to == NULL || !transitive)
				continue;
			if (strmap_find(&loaded, e.to->path) != NULL)
				continue;
			strmap_put(&loaded, e.to->path, 0);
			if (e.to->soname)
				strmap_put(&loaded, e.to->soname, 0);
			if (tail == MAX_CLOSURE) {
				rc = bento_error_set(
				    err, 0, "%s: %s: more than %d libraries in its closure",
				    c->appdir, shown(c, root->path), MAX_CLOSURE);
				break;
			}
			queue[tail++] = (chain){.obj = e.to, .up = ch};
		}
	}
	strmap_clear(&loaded);
	free(queue);
	return rc;
}

/* ---------------------------------------------------------------- the AppDir's ELF files */

static int scan_dir(ctx *c, int dir_fd, const char *rel, int depth, strv *files, bento_error **err)
{
	if (depth > MAX_TREE_DEPTH)
		return bento_error_set(err, 0, "%s: %s: directories nested too deep", c->appdir,
		                       rel);
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return bento_error_errno(err, "%s: cannot read %s", c->appdir, rel[0] ? rel : ".");
	}
	strv names = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&names, xstrdup(de->d_name));
	if (names.n > 1) /* (an empty directory has no array to sort) */
		qsort(names.v, names.n, sizeof(*names.v), compare_strings);
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		struct stat st;
		autofree char *path =
		    rel[0] ? xasprintf("%s/%s", rel, names.v[i]) : xstrdup(names.v[i]);
		if (fstatat(dirfd(d), names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			if (files->n == MAX_FILES)
				rc = bento_error_set(err, 0, "%s: more than %d files", c->appdir,
				                     MAX_FILES);
			else
				strv_push(files, steal_pointer(&path));
		} else if (S_ISDIR(st.st_mode)) {
			/* Separate debug information: ELF files without contents.
			 * .bento: the runtime's (the metadata) and the host's
			 * copies the requirements step puts there (requires.h),
			 * each a /usr tree of its own that is no part of /app's. */
			if (strcmp(path, "lib/debug") == 0 || strcmp(path, ".bento") == 0)
				continue;
			int sub = openat(dirfd(d), names.v[i],
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = bento_error_errno(err, "%s: cannot open %s", c->appdir, path);
				break;
			}
			rc = scan_dir(c, sub, path, depth + 1, files, err);
			close(sub);
		}
	}
	strv_clear(&names);
	closedir(d);
	return rc;
}

/* The AppDir's dynamically linked ELF files of the builder's own
 * architecture, in path order. */
static int appdir_elves(ctx *c, elf_obj ***out, size_t *n_out, bento_error **err)
{
	strv files = {0};
	autoclose int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*out = NULL;
	*n_out = 0;
	if (fd < 0)
		return bento_error_errno(err, "%s: cannot open the AppDir", c->appdir);
	if (scan_dir(c, fd, "", 0, &files, err) < 0) {
		strv_clear(&files);
		return -1;
	}
	elf_obj **v = xcalloc(files.n ? files.n : 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < files.n; i++) {
		autofree char *path = xasprintf("%s/%s", c->root, files.v[i]);
		elf_obj *o;
		if (load(c, path, &o, err) < 0) {
			free(v);
			strv_clear(&files);
			return -1;
		}
		if (o == NULL || !o->in_appdir)
			continue;
		if (o->cls != NATIVE_CLASS || o->machine != NATIVE_MACHINE) {
			if (c->log)
				fprintf(c->log, "skipped %s: not for this architecture\n",
				        files.v[i]);
			continue;
		}
		/* (two names of one file count once) */
		bool seen = false;
		for (size_t j = 0; j < n && !seen; j++)
			seen = v[j] == o;
		if (!seen)
			v[n++] = o;
	}
	strv_clear(&files);
	*out = v;
	*n_out = n;
	return 0;
}

/* ---------------------------------------------------------------- missing libraries */

static void add_missing(ctx *c, strv *missing, const edge *e)
{
	/* (and which package has it, when the caller knows: apt sources) */
	autofree char *pkg = c->opts && c->opts->library_package && strchr(e->name, '/') == NULL
	                         ? c->opts->library_package(c->opts->library_package_data, e->name)
	                         : NULL;
	strv_push(missing,
	          xasprintf("%s needs %s%s%s%s", shown(c, e->from->path), e->name,
	                    pkg ? " (in the Debian package " : "", pkg ? pkg : "", pkg ? ")" : ""));
}

static int missing_error(ctx *c, strv *missing, const char *what, bento_error **err)
{
	strv_sort_unique(missing);
	size_t len = 0;
	for (size_t i = 0; i < missing->n && i < MAX_REPORTED; i++)
		len += strlen(missing->v[i]) + 4;
	autofree char *list = xcalloc(1, len + 1);
	for (size_t i = 0; i < missing->n && i < MAX_REPORTED; i++) {
		strcat(list, "\n  ");
		strcat(list, missing->v[i]);
	}
	autofree char *more = missing->n > MAX_REPORTED
	                          ? xasprintf("\n  ... and %zu more", missing->n - MAX_REPORTED)
	                          : xstrdup("");
	return bento_error_set(err, 0, "%s: %zu librar%s %s:%s%s", c->appdir, missing->n,
	                       missing->n == 1 ? "y" : "ies", what, list, more);
}

/* ---------------------------------------------------------------- the check */

static int check_edge(ctx *c, const edge *e, void *data, bento_error **err)
{
	(void)err;
	if (e->to == NULL && e->how != FOUND_EXCLUDED)
		add_missing(c, data, e);
	return 0;
}

static int check_in(ctx *c, bento_error **err)
{
	elf_obj **elves = NULL;
	size_t n;
	strv missing = {0};
	if (appdir_elves(c, &elves, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = walk(c, elves[i], MODE_CHECK, true, check_edge, &missing, err);
	if (rc == 0 && missing.n > 0)
		rc = missing_error(c, &missing,
		                   "cannot be found at run time (neither in the AppDir through a "
		                   "RUNPATH nor on the exclude list)",
		                   err);
	if (rc == 0 && c->log)
		fprintf(c->log, "checked %zu ELF file%s: every library is found\n", n,
		        n == 1 ? "" : "s");
	strv_clear(&missing);
	free(elves);
	return rc;
}

int bento_bundle_check(const char *appdir, const bento_bundle_options *o, bento_error **err)
{
	ctx c;
	int rc = ctx_init(&c, appdir, o, err);
	if (rc == 0)
		rc = check_in(&c, err);
	ctx_clear(&c);
	return rc;
}

/* ---------------------------------------------------------------- collecting and copying */

typedef struct collect_state {
	strv missing;
	strmap copy; /* name -> index in objs of the host library */
	strv copy_names;
} collect_state;

static int collect_edge(ctx *c, const edge *e, void *data, bento_error **err)
{
	collect_state *s = data;
	(void)err;
	if (e->to == NULL && e->how != FOUND_EXCLUDED) {
		add_missing(c, &s->missing, e);
	} else if (e->to != NULL && !e->to->in_appdir && strchr(e->name, '/') == NULL &&
	           strmap_find(&s->copy, e->name) == NULL) {
		for (size_t i = 0; i < c->n_objs; i++) {
			if (c->objs[i] == e->to) {
				strmap_put(&s->copy, e->name, (int)i);
				strv_push(&s->copy_names, xstrdup(e->name));
				break;
			}
		}
	}
	return 0;
}

static int copy_all(ctx *c, collect_state *s, bento_error **err)
{
	if (s->copy_names.n == 0)
		return 0;
	autofree char *lib = xasprintf("%s/lib", c->root);
	if (mkdir(lib, 0755) < 0 && errno != EEXIST)
		return bento_error_errno(err, "%s: cannot create lib", c->appdir);
	autoclose int dir_fd = open(lib, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return bento_error_errno(err, "%s: lib is not a directory inside the AppDir",
		                         c->appdir);
	qsort(s->copy_names.v, s->copy_names.n, sizeof(char *), compare_strings);
	for (size_t i = 0; i < s->copy_names.n; i++) {
		const char *name = s->copy_names.v[i];
		const elf_obj *src = c->objs[*strmap_find(&s->copy, name)];
		struct stat st;
		if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return bento_error_set(
			    err, EEXIST,
			    "%s: lib/%s exists, but a RUNPATH leads to %s first; "
			    "remove one of them",
			    c->appdir, name, src->path);
		if (bento_copy_file(src->path, dir_fd, name, err) < 0) {
			bento_error_prefix(err, "%s", c->appdir);
			return -1;
		}
		if (c->log)
			fprintf(c->log, "bundled lib/%s (from %s)\n", name, src->path);
	}
	if (c->summary) {
		fprintf(c->summary,
		        "bundled %zu librar%s from this system into lib/:", s->copy_names.n,
		        s->copy_names.n == 1 ? "y" : "ies");
		for (size_t i = 0; i < s->copy_names.n; i++)
			fprintf(c->summary, " %s", s->copy_names.v[i]);
		fputc('\n', c->summary);
	}
	return 0;
}

/* ---------------------------------------------------------------- RUNPATHs */

/* The path from directory from to directory to, both absolute and real. */
static char *relative_dir(const char *from, const char *to)
{
	size_t common = 0;
	for (size_t i = 0;; i++) {
		bool from_end = from[i] == '\0' || from[i] == '/';
		bool to_end = to[i] == '\0' || to[i] == '/';
		if (from_end && to_end)
			common = i;
		if (from[i] != to[i] || from[i] == '\0')
			break;
	}
	size_t len = 16;
	for (const char *p = from + common; *p; p++)
		len += *p == '/' ? 3 : 0;
	len += strlen(to + common);
	char *out = xcalloc(1, len);
	strcpy(out, "$ORIGIN");
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			strcat(out, "/..");
	strcat(out, to + common);
	return out;
}

typedef struct plan_state {
	strv add; /* directories to add to the object's path */
} plan_state;

static int plan_edge(ctx *c, const edge *e, void *data, bento_error **err)
{
	plan_state *s = data;
	(void)c;
	(void)err;
	if (e->to != NULL && e->how == FOUND_APPDIR_LIB)
		strv_push(&s->add, relative_dir(e->from->origin, e->to->origin));
	return 0;
}

/* A /usr/X element of an AppDir file's path list that leads to a directory
 * of the AppDir, as $ORIGIN/...; NULL for any other element. */
static char *usr_dir_in_appdir(ctx *c, const elf_obj *o, const char *elem, size_t n)
{
	if (!o->in_appdir || n < 5 || strncmp(elem, "/usr/", 5) != 0)
		return NULL;
	autofree char *dir = expand_dir(c, o, elem, n, MODE_PLAN);
	autofree char *real = dir ? realpath(dir, NULL) : NULL;
	if (real == NULL || strncmp(real, c->root, c->root_len) != 0 ||
	    (real[c->root_len] != '/' && real[c->root_len] != '\0'))
		return NULL;
	return relative_dir(o->origin, real);
}

/* The object's path list with the elements kept (those inside the AppDir),
 * the /usr/X ones that lead into it made relative, and the ones to add.
 * *changed: a /usr/X element was made relative. */
static char *new_path_list(ctx *c, const elf_obj *o, const strv *add, bool *changed)
{
	const char *old = o->runpath ? o->runpath : o->rpath;
	size_t len = 1;
	for (size_t i = 0; i < add->n; i++)
		len += strlen(add->v[i]) + 1;
	len += old ? strlen(old) + 1 : 0;
	*changed = false;
	for (const char *p = old; p != NULL;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		autofree char *rel = usr_dir_in_appdir(c, o, p, n);
		len += rel ? strlen(rel) + 1 : 0;
		p = colon ? colon + 1 : NULL;
	}
	char *out = xcalloc(1, len);
	for (const char *p = old; p != NULL;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		autofree char *rel = usr_dir_in_appdir(c, o, p, n);
		autofree char *dir = rel ? NULL : expand_dir(c, o, p, n, MODE_CHECK);
		if (rel != NULL) {
			if (out[0])
				strcat(out, ":");
			strcat(out, rel);
			*changed = true;
		} else if (dir != NULL) {
			if (out[0])
				strcat(out, ":");
			strncat(out, p, n);
		} else if (c->log && n > 0) {
			fprintf(c->log, "%s: dropped %.*s from its RUNPATH (outside the AppDir)\n",
			        shown(c, o->path), (int)n, p);
		}
		p = colon ? colon + 1 : NULL;
	}
	for (size_t i = 0; i < add->n; i++) {
		if (out[0])
			strcat(out, ":");
		strcat(out, add->v[i]);
	}
	return out;
}

static int set_path_list(ctx *c, const elf_obj *o, const char *list, bento_error **err)
{
	struct stat st;
	if (stat(o->path, &st) < 0)
		return bento_error_errno(err, "%s: cannot stat %s", c->appdir, shown(c, o->path));
	/* patchelf rewrites the file in place: a file with other names (hard
	 * links, maybe to files outside the AppDir) first becomes a copy of its
	 * own. */
	if (st.st_nlink > 1) {
		autofree char *dir = xstrdup(o->path);
		*strrchr(dir, '/') = '\0';
		autoclose int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0 ||
		    bento_copy_file(o->path, dir_fd, strrchr(o->path, '/') + 1, err) < 0) {
			if (dir_fd < 0)
				bento_error_errno(err, "cannot open %s", dir);
			bento_error_prefix(err, "%s", c->appdir);
			return -1;
		}
	}
	bool writable = (st.st_mode & S_IWUSR) != 0;
	if (!writable && chmod(o->path, (st.st_mode & 07777) | S_IWUSR) < 0)
		return bento_error_errno(err, "%s: cannot make %s writable", c->appdir,
		                         shown(c, o->path));
	/* A file with a DT_RPATH and no DT_RUNPATH keeps a DT_RPATH: its
	 * meaning (it also serves the libraries it loads) stays. */
	bool keep_rpath = o->rpath != NULL && o->runpath == NULL;
	/* In the sandbox, the file is at /app/REL, and patchelf is the host's
	 * (not one of the AppDir's bin directories). */
	autofree char *inside = xasprintf("/app/%s", shown(c, o->path));
	const char *file = c->run_patchelf ? inside : o->path;
	char *argv[] = {"patchelf",
	                "--set-rpath",
	                (char *)list,
	                keep_rpath ? "--force-rpath" : (char *)file,
	                keep_rpath ? (char *)file : NULL,
	                NULL};
	char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
	autofree char *output = NULL;
	int status = 0;
	int rc = c->run_patchelf ? c->run_patchelf(c->run_data, argv, envp, &output, &status, err)
	                         : bento_run_tool(argv, &output, &status, err);
	if (!writable)
		chmod(o->path, st.st_mode & 07777);
	if (rc < 0) {
		bento_error_prefix(err, "%s", c->appdir);
		return -1;
	}
	if (status != 0)
		return bento_error_set(err, 0, "%s: patchelf cannot set the RUNPATH of %s:\n%s",
		                       c->appdir, shown(c, o->path), output);
	if (c->log)
		fprintf(c->log, "%s: %s %s\n", shown(c, o->path), keep_rpath ? "RPATH" : "RUNPATH",
		        list);
	return 0;
}

static int patch_all(ctx *c, bento_error **err)
{
	elf_obj **elves = NULL;
	size_t n;
	if (appdir_elves(c, &elves, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		plan_state s = {0};
		rc = walk(c, elves[i], MODE_PLAN, false, plan_edge, &s, err);
		strv_sort_unique(&s.add);
		bool changed = false;
		autofree char *list = rc == 0 ? new_path_list(c, elves[i], &s.add, &changed) : NULL;
		if (rc == 0 && (s.add.n > 0 || changed))
			rc = set_path_list(c, elves[i], list, err);
		strv_clear(&s.add);
	}
	free(elves);
	return rc;
}

int bento_bundle_libraries(const char *appdir, const bento_bundle_options *o, bento_error **err)
{
	elf_obj **elves = NULL;
	size_t n;
	collect_state s = {0};
	ctx c;
	int rc = ctx_init(&c, appdir, o, err);
	if (rc == 0)
		rc = appdir_elves(&c, &elves, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = walk(&c, elves[i], MODE_COLLECT, true, collect_edge, &s, err);
	if (rc == 0 && s.missing.n > 0)
		rc = missing_error(&c, &s.missing,
		                   "cannot be found (neither in the AppDir nor on this system)",
		                   err);
	if (rc == 0)
		rc = copy_all(&c, &s, err);
	free(elves);
	strv_clear(&s.missing);
	strv_clear(&s.copy_names);
	strmap_clear(&s.copy);
	ctx_clear(&c);
	if (rc < 0)
		return -1;

	/* Once more on the AppDir as it is now: the copies read afresh. */
	rc = ctx_init(&c, appdir, o, err);
	if (rc == 0)
		rc = patch_all(&c, err);
	ctx_clear(&c);
	if (rc < 0)
		return -1;
	return bento_bundle_check(appdir, o, err);
}

/* ---------------------------------------------------------------- the loader's own check */

int bento_bundle_check_in_sandbox(const char *appdir, bento_bundle_run_fn run, void *data,
                                  bento_error **err)
{
	elf_obj **elves = NULL;
	size_t n;
	strv missing = {0};
	ctx c;
	int rc = ctx_init(&c, appdir, NULL, err);
	if (rc == 0)
		rc = appdir_elves(&c, &elves, &n, err);
	if (rc < 0) {
		ctx_clear(&c);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *rel = shown(&c, elves[i]->path);
		autofree char *inside = xasprintf("/app/%s", rel);
		char *argv[] = {(char *)NATIVE_LOADER, inside, NULL};
		char *envp[] = {(char *)"LD_TRACE_LOADED_OBJECTS=1", NULL};
		autofree char *output = NULL;
		int status;
		if (run(data, argv, envp, &output, &status, err) < 0) {
			rc = -1;
			break;
		}
		bool found_missing = false;
		for (char *line = output; *line;) {
			char *eol = strchrnul(line, '\n');
			char *next = *eol ? eol + 1 : eol;
			*eol = '\0';
			char *nf = strstr(line, " => not found");
			if (nf != NULL) {
				while (*line == ' ' || *line == '\t')
					line++;
				strv_push(&missing,
				          xasprintf("%s needs %.*s", rel, (int)(nf - line), line));
				found_missing = true;
			}
			line = next;
		}
		if (status != 0 && !found_missing)
			rc = bento_error_set(err, 0, "%s: the dynamic loader cannot load %s:\n%s",
			                     appdir, rel, output);
	}
	if (rc == 0 && missing.n > 0)
		rc = missing_error(&c, &missing,
		                   "cannot be found by the dynamic loader in the sandbox", err);
	strv_clear(&missing);
	free(elves);
	ctx_clear(&c);
	return rc;
}

/* ---------------------------------------------------------------- the check's sandbox */

static void add_host_bind(bento_mount_op **ops, size_t *n_ops, const char *path)
{
	for (size_t i = 0; i < *n_ops; i++)
		if (strcmp((*ops)[i].dest, path) == 0)
			return;
	char *real = realpath(path, NULL);
	if (real == NULL)
		return;
	*ops = realloc(*ops, (*n_ops + 1) * sizeof(**ops));
	if (*ops == NULL)
		abort();
	(*ops)[(*n_ops)++] = (bento_mount_op){
	    .kind = BENTO_MOUNT_BIND, .flags = BENTO_MOUNT_RO, .src = real, .dest = xstrdup(path)};
}

int bento_bundle_host_excluded_paths(const bento_bundle_options *o, bento_mount_op **ops,
                                     size_t *n_ops, bento_error **err)
{
	/* No AppDir: every file is the host's. */
	ctx c = {
	    .appdir = "(host)", .root = xstrdup("/nonexistent/appdir"), .log = o ? o->log : NULL};
	c.root_len = strlen(c.root);
	parse_exclude_list(&c, o && o->exclude_list ? o->exclude_list
	                                            : bento_bundle_builtin_exclude_list());
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bento_error_set(err, 0, "libelf: %s", elf_errmsg(-1));
	read_host_cache(&c);
	*ops = NULL;
	*n_ops = 0;
	/* The loader, at the path executables name in PT_INTERP. */
	add_host_bind(ops, n_ops, NATIVE_LOADER);
	for (size_t i = 0; i < c.n_cache; i++)
		if (is_excluded(&c, c.cache[i].name))
			add_host_bind(ops, n_ops, c.cache[i].path);
	/* The excluded libraries' own needs come from the host as well (their
	 * needs are not bundled): the closure, through the host's cache. */
	int r = 0;
	for (size_t i = 0; i < *n_ops && r == 0; i++) {
		elf_obj *obj = NULL;
		r = load(&c, (*ops)[i].dest, &obj, err);
		for (size_t j = 0; r == 0 && obj && j < obj->n_needed; j++)
			for (size_t k = 0; k < c.n_cache; k++)
				if (strcmp(c.cache[k].name, obj->needed[j]) == 0) {
					add_host_bind(ops, n_ops, c.cache[k].path);
					break;
				}
	}
	ctx_clear(&c);
	if (r == 0 && *n_ops < 2)
		r = bento_error_set(err, ENOENT,
		                    "no excluded library found in the host's ld.so.cache");
	if (r < 0) {
		bento_bundle_host_excluded_paths_free(*ops, *n_ops);
		*ops = NULL;
		*n_ops = 0;
	}
	return r;
}

void bento_bundle_host_excluded_paths_free(bento_mount_op *ops, size_t n_ops)
{
	for (size_t i = 0; i < n_ops; i++) {
		free(ops[i].src);
		free(ops[i].dest);
	}
	free(ops);
}

/* ---------------------------------------------------------------- what the host provides */

static bento_bundle_host_lib *host_lib_add(bento_bundle_needs *n, const char *name)
{
	for (size_t i = 0; i < n->n_host; i++)
		if (strcmp(n->host[i].name, name) == 0)
			return &n->host[i];
	n->host = realloc(n->host, (n->n_host + 1) * sizeof(*n->host));
	if (n->host == NULL)
		abort();
	bento_bundle_host_lib *h = &n->host[n->n_host++];
	*h = (bento_bundle_host_lib){.name = xstrdup(name)};
	return h;
}

/* Where ld.so would find name for requester, a host library or an AppDir
 * file asking for an excluded name: the host's file, through the
 * requester's own path list when it is a host library. */
static int find_on_host(ctx *c, const elf_obj *req, const char *name, elf_obj **out,
                        bento_error **err)
{
	*out = NULL;
	const char *list = req->runpath ? req->runpath : req->rpath;
	if (!req->in_appdir && list != NULL &&
	    search_path_list(c, req, list, req, name, MODE_COLLECT, out, err) < 0)
		return -1;
	if (*out == NULL && search_host(c, req, name, out, err) < 0)
		return -1;
	if (*out != NULL && (*out)->in_appdir)
		*out = NULL;
	return 0;
}

/* Whether an AppDir file finds name in the AppDir itself: a package's own
 * copy of an excluded library (libwayland-egl beside a deb's GTK) is the
 * app's, not something the host must provide. */
static int find_in_appdir(ctx *c, const elf_obj *req, const char *name, elf_obj **out,
                          bento_error **err)
{
	const char *list = req->runpath ? req->runpath : req->rpath;
	*out = NULL;
	if (list != NULL && search_path_list(c, req, list, req, name, MODE_PLAN, out, err) < 0)
		return -1;
	return *out != NULL ? 0 : search_appdir_libs(c, req, name, MODE_PLAN, out, err);
}

static int compare_host_libs(const void *a, const void *b)
{
	return strcmp(((const bento_bundle_host_lib *)a)->name,
	              ((const bento_bundle_host_lib *)b)->name);
}

int bento_bundle_needs_of(const char *appdir, const bento_bundle_options *o,
                          bento_bundle_needs *out, bento_error **err)
{
	*out = (bento_bundle_needs){0};
	elf_obj **elves = NULL;
	size_t n = 0;
	ctx c;
	int rc = ctx_init(&c, appdir, o, err);
	if (rc == 0)
		rc = appdir_elves(&c, &elves, &n, err);
	/* The excluded names the AppDir's files need ... */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bento_strv_add(&out->elf_files, xstrdup(elves[i]->path));
		for (size_t j = 0; j < elves[i]->n_needed; j++) {
			const char *name = elves[i]->needed[j];
			elf_obj *own = NULL;
			if (!is_excluded(&c, name))
				continue;
			rc = find_in_appdir(&c, elves[i], name, &own, err);
			if (rc < 0)
				break;
			if (own != NULL)
				continue;
			bento_bundle_host_lib *h = host_lib_add(out, name);
			h->direct = true;
			h->excluded = true;
			if (h->path == NULL && !h->looked_up) {
				elf_obj *found;
				h->looked_up = true;
				rc = find_on_host(&c, elves[i], name, &found, err);
				if (rc == 0 && found != NULL)
					h->path = xstrdup(found->path);
			}
		}
	}
	/* ... and, transitively, what those need from the host. */
	for (size_t i = 0; rc == 0 && i < out->n_host; i++) {
		if (out->host[i].path == NULL)
			continue;
		elf_obj *lib;
		rc = load(&c, out->host[i].path, &lib, err);
		for (size_t j = 0; rc == 0 && lib != NULL && j < lib->n_needed; j++) {
			if (out->n_host == MAX_CLOSURE) {
				rc = bento_error_set(
				    err, 0, "%s: more than %d host libraries in the closure",
				    appdir, MAX_CLOSURE);
				break;
			}
			bento_strv_add(&out->host[i].needed, xstrdup(lib->needed[j]));
			bento_bundle_host_lib *h = host_lib_add(out, lib->needed[j]);
			h->excluded = is_excluded(&c, h->name);
			if (h->looked_up)
				continue;
			elf_obj *found;
			h->looked_up = true;
			rc = find_on_host(&c, lib, h->name, &found, err);
			if (rc == 0 && found != NULL)
				h->path = xstrdup(found->path);
		}
	}
	free(elves);
	ctx_clear(&c);
	if (rc < 0) {
		bento_bundle_needs_clear(out);
		return -1;
	}
	if (out->n_host > 1)
		qsort(out->host, out->n_host, sizeof(*out->host), compare_host_libs);
	return 0;
}

void bento_bundle_needs_clear(bento_bundle_needs *n)
{
	bento_strv_free(&n->elf_files);
	for (size_t i = 0; i < n->n_host; i++) {
		free(n->host[i].name);
		free(n->host[i].path);
		bento_strv_free(&n->host[i].needed);
	}
	free(n->host);
	*n = (bento_bundle_needs){0};
}
