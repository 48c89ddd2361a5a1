/* SPDX-License-Identifier: MIT */
/* The permission model: layers, the checks of each permission, merging,
 * command-line options, the key-file form and plain words.  The strict
 * reader of .bento/metadata and override files is metadata.c. */
#include "permissions/permissions.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "permissions/layer.h"

/* ---- names ------------------------------------------------------------------ */

/* The values of each kind of flag, NULL-terminated, in the order of their
 * bits: names[i] is the flag 1u << i of permissions.h's enums, words[i] what
 * it grants in plain words (bento_permissions_describe). */
static const char *const share_names[] = {"network", "ipc", NULL};
static const char *const share_words[] = {
    "the network",
    "shared memory and System V IPC with host programs",
};

static const char *const socket_names[] = {
    "x11",        "wayland",  "fallback-x11", "pulseaudio", "session-bus",
    "system-bus", "ssh-auth", "cups",         "pcsc",       NULL,
};
static const char *const socket_words[] = {
    "the X11 display (X11 apps can see other windows and keystrokes)",
    "the Wayland display",
    "the X11 display when there is no Wayland",
    "sound (PulseAudio)",
    "the whole session bus, unfiltered",
    "the whole system bus, unfiltered",
    "the SSH agent (your SSH keys)",
    "printing (CUPS)",
    "smart cards (PC/SC)",
};

static const char *const device_names[] = {"dri", "kvm", "input", "shm", "all", NULL};
static const char *const device_words[] = {
    "graphics acceleration (/dev/dri)",
    "virtual machines (/dev/kvm)",
    "input devices (/dev/input)",
    "the host's shared memory (/dev/shm)",
    "every device (/dev)",
};

static const char *const feature_names[] = {"devel", "multiarch", NULL};
static const char *const feature_words[] = {
    "debugging and profiling (ptrace, perf)",
    "32-bit x86 programs",
};

/* Each list has a name for every bit up to the kind's last one. */
#define BITS_NAMED(names, words, last)                                                             \
	_Static_assert(ARRAY_SIZE(names) == ARRAY_SIZE(words) + 1 &&                               \
	                   (last) == 1u << (ARRAY_SIZE(words) - 1),                                \
	               #names " names the bits of permissions.h")
BITS_NAMED(share_names, share_words, BENTO_SHARE_IPC);
BITS_NAMED(socket_names, socket_words, BENTO_SOCKET_PCSC);
BITS_NAMED(device_names, device_words, BENTO_DEVICE_ALL);
BITS_NAMED(feature_names, feature_words, BENTO_FEATURE_MULTIARCH);

typedef struct flag_kind {
	const char *key;   /* [Context] key */
	const char *what;  /* one value, in messages */
	const char *label; /* bento_permissions_describe */
	const char *const *names;
	const char *const *words;
	size_t n_names;
	size_t offset; /* of the bento_flags in bento_permissions */
} flag_kind;

#define KIND(key, what, label, names, words, field)                                                \
	{                                                                                          \
		key, what, label, names, words, ARRAY_SIZE(words),                                 \
		    offsetof(bento_permissions, field)                                             \
	}
static const flag_kind kinds[] = {
    KIND("shared", "shared resource", "Shares", share_names, share_words, shared),
    KIND("sockets", "socket", "Socket", socket_names, socket_words, sockets),
    KIND("devices", "device", "Device", device_names, device_words, devices),
    KIND("features", "feature", "Feature", feature_names, feature_words, features),
};
enum { KIND_SHARED, KIND_SOCKETS, KIND_DEVICES, KIND_FEATURES };

const char *const *bento_permission_flag_names(const char *key)
{
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		if (strcmp(kinds[k].key, key) == 0)
			return kinds[k].names;
	return NULL;
}

static bento_flags *kind_flags(bento_permissions *p, const flag_kind *k)
{
	return (bento_flags *)((char *)p + k->offset);
}

static const bento_flags *kind_flags_const(const bento_permissions *p, const flag_kind *k)
{
	return (const bento_flags *)((const char *)p + k->offset);
}

static int flag_lookup(const flag_kind *k, const char *name, unsigned *bit, bento_error **err)
{
	for (size_t i = 0; i < k->n_names; i++)
		if (strcmp(k->names[i], name) == 0) {
			*bit = 1u << i;
			return 0;
		}
	autofree char *known = xstrdup("");
	for (size_t i = 0; i < k->n_names; i++) {
		char *more = xasprintf("%s%s%s", known, i ? ", " : "", k->names[i]);
		free(known);
		known = more;
	}
	return bento_error_set(err, EINVAL, "unknown %s \"%s\" (known: %s)", k->what, name, known);
}

/* ---- checks ----------------------------------------------------------------- */

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An element of an app id or bus name: [A-Za-z0-9_-]+, not starting with a
 * digit (D-Bus forbids it, and an app owns its id on the session bus). */
static bool name_element_valid(const char *s, size_t n)
{
	if (n == 0 || is_digit(s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* Dot-separated elements, at least min_elements. */
static bool dotted_name_valid(const char *s, size_t len, size_t min_elements)
{
	size_t elements = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!name_element_valid(s + start, i - start))
			return false;
		elements++;
		start = i + 1;
	}
	return elements >= min_elements;
}

/* Names that belong to the desktop, its services and the portals: an app
 * owns its id on the session bus, and one whose id began with these could
 * own the names of services other programs trust. */
static const char *const reserved_id_prefixes[] = {
    "org.freedesktop.", "org.gnome.",     "org.kde.",    "org.gtk.",      "org.a11y.",
    "org.mpris.",       "com.canonical.", "com.ubuntu.", "io.snapcraft.", "org.flatpak.",
};

const char *bento_app_id_reserved_prefix(const char *id, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(reserved_id_prefixes); i++) {
		size_t n = strlen(reserved_id_prefixes[i]);
		if (len >= n && strncasecmp(id, reserved_id_prefixes[i], n) == 0)
			return reserved_id_prefixes[i];
	}
	return NULL;
}

const char *bento_app_id_problem(const char *id, size_t len)
{
	if (len == 0)
		return "is empty";
	if (memchr(id, '\0', len) != NULL)
		return "contains a NUL byte";
	if (len > 255)
		return "is longer than 255 bytes";
	if (memchr(id, '/', len) != NULL)
		return "contains '/'";
	if (memmem(id, len, "..", 2) != NULL)
		return "contains \"..\"";
	if (id[0] == '.')
		return "starts with '.'";
	if (id[0] == '-')
		return "starts with '-'";
	if (!dotted_name_valid(id, len, 2))
		return "is not a reverse-DNS name (three or more elements separated by dots, "
		       "each of letters, digits, '_' and '-', not starting with a digit)";
	if (!dotted_name_valid(id, len, 3))
		return "has fewer than three elements (an app owns its id on the session bus: "
		       "org.example.App, not org.example)";
	if (bento_app_id_reserved_prefix(id, len))
		return "starts with a prefix reserved for the desktop's own services "
		       "(org.freedesktop., org.gnome., org.kde., org.gtk., com.canonical. ...)";
	return NULL;
}

const char *bento_bus_own_problem(const char *app_id, const char *name)
{
	size_t id_len = strlen(app_id), n = strlen(name);
	if (n >= 2 && strcmp(name + n - 2, ".*") == 0)
		n -= 2;
	static const char mpris[] = "org.mpris.MediaPlayer2.";
	const char *below = name;
	if (strncmp(name, mpris, strlen(mpris)) == 0)
		below = name + strlen(mpris), n -= strlen(mpris);
	if (n >= id_len && strncmp(below, app_id, id_len) == 0 &&
	    (n == id_len || below[id_len] == '.'))
		return NULL;
	return "an app may own only its id, names below it and org.mpris.MediaPlayer2.ID";
}

bool bento_app_id_valid(const char *id, size_t len)
{
	return bento_app_id_problem(id, len) == NULL;
}

int bento_app_id_check(const char *id, bento_error **err)
{
	const char *problem = bento_app_id_problem(id, strlen(id));
	if (problem)
		return bento_error_set(err, EINVAL, "invalid app id \"%s\": it %s", id, problem);
	return 0;
}

/* A D-Bus well-known name, or a prefix "a.b.*". */
int bento_bus_name_check(const char *name, bento_error **err)
{
	size_t n = strlen(name);
	if (n >= 2 && strcmp(name + n - 2, ".*") == 0)
		n -= 2;
	if (n > 255 || !dotted_name_valid(name, n, 2))
		return bento_error_set(
		    err, EINVAL,
		    "invalid bus name \"%s\" (a D-Bus name such as "
		    "org.freedesktop.Notifications, or a prefix such as org.foo.*)",
		    name);
	return 0;
}

static bool env_name_valid(const char *name)
{
	if (!is_alpha(name[0]) && name[0] != '_')
		return false;
	for (const char *c = name; *c; c++)
		if (!is_alpha(*c) && !is_digit(*c) && *c != '_')
			return false;
	return true;
}

int bento_env_name_check(const char *name, bento_error **err)
{
	if (!env_name_valid(name))
		return bento_error_set(err, EINVAL,
		                       "invalid environment variable name \"%s\" (letters, digits "
		                       "and '_', not starting with a digit)",
		                       name);
	return 0;
}

/* Any text but control characters other than tab and newline (written as
 * \t and \n in key files, they stay visible). */
static int check_env_value(const char *name, const char *value, bento_error **err)
{
	for (const char *c = value; *c; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n') || *c == 0x7f)
			return bento_error_set(
			    err, EINVAL, "the value of %s contains a control character", name);
	return 0;
}

/* A relative path: no empty, "." or ".." element, no control character.
 * Messages name shown, the text path is part of. */
static int check_path_in(const char *what, const char *shown, const char *path, bento_error **err)
{
	if (path[0] == '\0')
		return bento_error_set(err, EINVAL, "empty %s", what);
	if (path[0] == '/')
		return bento_error_set(err, EINVAL, "%s \"%s\" %s", what, shown,
		                       shown == path ? "must be a relative path"
		                                     : "has an empty element");
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return bento_error_set(err, EINVAL, "%s contains a control character",
			                       what);
	const char *start = path;
	for (;;) {
		const char *end = strchrnul(start, '/');
		size_t n = (size_t)(end - start);
		if (n == 0)
			return bento_error_set(err, EINVAL, "%s \"%s\" has an empty element", what,
			                       shown);
		if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
			return bento_error_set(err, EINVAL, "%s \"%s\" contains \"%.*s\"", what,
			                       shown, (int)n, start);
		if (*end == '\0')
			return 0;
		start = end + 1;
	}
}

static int check_relative_path(const char *what, const char *path, bento_error **err)
{
	return check_path_in(what, path, path, err);
}

int bento_command_check(const char *command, bento_error **err)
{
	return check_relative_path("command", command, err);
}

/* ---- filesystem locations ----------------------------------------------------- */

typedef struct location_name {
	const char *name;
	const char *words;
	int subpath; /* 0: none allowed, 1: optional, 2: required */
} location_name;

static const location_name locations[] = {
    {"host", "every file of the host (except its system folders)", 0},
    {"host-os", "the host's operating system (/usr, /lib...)", 0},
    {"host-etc", "the host's configuration (/etc)", 0},
    {"home", "your home folder", 0},
    {"xdg-desktop", "your Desktop folder", 1},
    {"xdg-documents", "your Documents folder", 1},
    {"xdg-download", "your Downloads folder", 1},
    {"xdg-music", "your Music folder", 1},
    {"xdg-pictures", "your Pictures folder", 1},
    {"xdg-public-share", "your Public folder", 1},
    {"xdg-templates", "your Templates folder", 1},
    {"xdg-videos", "your Videos folder", 1},
    {"xdg-config", "your configuration folder (~/.config)", 1},
    {"xdg-data", "your data folder (~/.local/share)", 1},
    {"xdg-cache", "your cache folder (~/.cache)", 1},
    {"xdg-run", "the runtime folder ($XDG_RUNTIME_DIR)", 2},
};

/* Host paths the sandbox builds itself: granting them by path would replace
 * its own /proc, /dev, /sys or /app, or the host's system folders it already
 * shows read-only (host-os and host-etc grant those). */
static const struct {
	const char *path;
	const char *hint;
} reserved[] = {
    {"/app", "the image"},
    {"/proc", "the sandbox's own"},
    {"/dev", "use devices="},
    {"/sys", "the sandbox's own"},
    {"/usr", "use host-os"},
    {"/bin", "use host-os"},
    {"/sbin", "use host-os"},
    {"/lib", "use host-os"},
    {"/lib32", "use host-os"},
    {"/lib64", "use host-os"},
    {"/libx32", "use host-os"},
    {"/etc", "use host-etc"},
    {"/.flatpak-info", "the sandbox's own"},
};

static const location_name *location_lookup(const char *loc, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(locations); i++)
		if (strlen(locations[i].name) == n && strncmp(locations[i].name, loc, n) == 0)
			return &locations[i];
	return NULL;
}

bool bento_fs_location_known(const char *name)
{
	return location_lookup(name, strlen(name)) != NULL;
}

static int check_location(const char *loc, bento_error **err)
{
	if (loc[0] == '\0')
		return bento_error_set(err, EINVAL, "empty filesystem location");
	if (loc[0] == '/') {
		if (loc[1] == '\0')
			return bento_error_set(err, EINVAL,
			                       "filesystem location \"/\": use host instead");
		if (check_path_in("filesystem location", loc, loc + 1, err) < 0)
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
			if (bento_path_is_under(loc, reserved[i].path))
				return bento_error_set(
				    err, EINVAL, "filesystem location \"%s\" is reserved (%s)", loc,
				    reserved[i].hint);
		return 0;
	}
	if (loc[0] == '~') {
		if (loc[1] != '/' || loc[2] == '\0')
			return bento_error_set(err, EINVAL,
			                       "filesystem location \"%s\": expected ~/PATH (home "
			                       "stands for the whole home folder)",
			                       loc);
		return check_path_in("filesystem location", loc, loc + 2, err);
	}
	const char *slash = strchrnul(loc, '/');
	const location_name *l = location_lookup(loc, (size_t)(slash - loc));
	if (l == NULL)
		return bento_error_set(err, EINVAL,
		                       "unknown filesystem location \"%s\" (known: host, host-os, "
		                       "host-etc, home, xdg-desktop, xdg-documents, xdg-download, "
		                       "xdg-music, xdg-pictures, xdg-public-share, xdg-templates, "
		                       "xdg-videos, xdg-config, xdg-data, xdg-cache, xdg-run/PATH, "
		                       "~/PATH, /PATH)",
		                       loc);
	if (*slash == '\0' && l->subpath == 2)
		return bento_error_set(err, EINVAL, "filesystem location %s needs a path: %s/PATH",
		                       loc, loc);
	if (*slash != '\0' && l->subpath == 0)
		return bento_error_set(err, EINVAL,
		                       "filesystem location \"%s\": %s takes no path (use ~/PATH "
		                       "or /PATH)",
		                       loc, l->name);
	if (*slash != '\0')
		return check_path_in("filesystem location", loc, slash + 1, err);
	return 0;
}

/* "LOCATION[:ro|:rw|:create]", or with remove "LOCATION" alone. */
static int parse_fs(const char *text, bool remove, char **location, bento_fs_mode *mode,
                    bento_error **err)
{
	autofree char *loc = xstrdup(text);
	char *colon = strrchr(loc, ':');
	*mode = remove ? BENTO_FS_REMOVE : BENTO_FS_RW;
	if (colon) {
		if (remove)
			return bento_error_set(err, EINVAL,
			                       "\"%s\": a removed location takes no :MODE", text);
		if (strcmp(colon + 1, "ro") == 0)
			*mode = BENTO_FS_RO;
		else if (strcmp(colon + 1, "rw") == 0)
			*mode = BENTO_FS_RW;
		else if (strcmp(colon + 1, "create") == 0)
			*mode = BENTO_FS_CREATE;
		else
			return bento_error_set(err, EINVAL,
			                       "\"%s\": unknown mode \"%s\" (ro, rw or create; a "
			                       "location cannot contain ':')",
			                       text, colon + 1);
		*colon = '\0';
		if (strchr(loc, ':'))
			return bento_error_set(err, EINVAL, "\"%s\": a location cannot contain ':'",
			                       text);
	}
	if (check_location(loc, err) < 0)
		return -1;
	*location = steal_pointer(&loc);
	return 0;
}

/* ---- limits ------------------------------------------------------------------- */

#define KIB UINT64_C(1024)
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

/* [Limits] keys, their defaults and bounds.  Why these defaults: see LIMITS
 * in bento-sandbox(7). */
typedef struct limit_name {
	const char *key;
	const char *before, *after; /* bento_permissions_describe: around the value */
	bool size;                  /* bytes (with a K, M, G or T suffix), else a count */
	uint64_t dflt, min, max;
} limit_name;

static const limit_name limit_names[BENTO_N_LIMITS] = {
    [BENTO_LIMIT_ROOT_SIZE] = {"root-size", "the root folder holds at most ", "", true, 8 * MIB,
                               4 * KIB, TIB},
    [BENTO_LIMIT_DEV_SIZE] = {"dev-size", "/dev holds at most ", "", true, 1 * MIB, 4 * KIB, TIB},
    [BENTO_LIMIT_SHM_SIZE] = {"shm-size", "shared memory (/dev/shm) holds at most ", "", true,
                              1 * GIB, 4 * KIB, TIB},
    [BENTO_LIMIT_RUN_SIZE] = {"run-size", "/run (with the runtime folder) holds at most ", "", true,
                              64 * MIB, 4 * KIB, TIB},
    [BENTO_LIMIT_TMP_SIZE] = {"tmp-size", "/tmp holds at most ", "", true, 2 * GIB, 4 * KIB, TIB},
    [BENTO_LIMIT_PROCESSES] = {"processes", "at most ", " processes and threads at once", false,
                               8192, 1, 4194304},
};

uint64_t bento_limit_value(const bento_permissions *p, bento_limit which)
{
	return p->limits[which] ? p->limits[which] : limit_names[which].dflt;
}

static const limit_name *limit_lookup(const char *key, bento_limit *which)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_names); i++)
		if (strcmp(limit_names[i].key, key) == 0) {
			*which = (bento_limit)i;
			return &limit_names[i];
		}
	return NULL;
}

/* A size as its largest exact unit: "2G", "640K", "1000" (words: "2 GiB"). */
static void format_limit(const limit_name *l, uint64_t v, bool words, char *buf, size_t n)
{
	static const struct {
		uint64_t unit;
		const char *suffix, *word;
	} units[] = {
	    {TIB, "T", " TiB"}, {GIB, "G", " GiB"}, {MIB, "M", " MiB"}, {KIB, "K", " KiB"}};
	for (size_t i = 0; l->size && i < ARRAY_SIZE(units); i++)
		if (v % units[i].unit == 0) {
			snprintf(buf, n, "%llu%s", (unsigned long long)(v / units[i].unit),
			         words ? units[i].word : units[i].suffix);
			return;
		}
	snprintf(buf, n, "%llu%s", (unsigned long long)v, words && l->size ? " bytes" : "");
}

/* "DIGITS[K|M|G|T]" (powers of 1024, either case) for a size, "DIGITS" for
 * a count, within the limit's bounds. */
static int parse_limit(const char *key, const char *text, bento_limit *which, uint64_t *out,
                       bento_error **err)
{
	const limit_name *l = limit_lookup(key, which);
	if (l == NULL)
		return bento_error_set(
		    err, EINVAL,
		    "unknown limit \"%s\" (known: root-size, dev-size, shm-size, "
		    "run-size, tmp-size, processes)",
		    key);
	uint64_t v = 0;
	const char *c = text;
	bool overflow = false;
	for (; is_digit(*c); c++) {
		overflow |= v > (UINT64_MAX - 9) / 10;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	unsigned shift = 0;
	if (l->size && c != text && *c) {
		const char *units = "KkMmGgTt", *u = strchr(units, *c);
		if (u)
			shift = 10 * (unsigned)((u - units) / 2 + 1), c++;
	}
	if (c == text || *c != '\0')
		return bento_error_set(err, EINVAL, "%s=%s: expected %s", key, text,
		                       l->size ? "a size: a number of bytes, or of K, M, G or T "
		                                 "(KiB, MiB, GiB, TiB) such as 512M"
		                               : "a number");
	overflow |= shift && v > (UINT64_MAX >> shift);
	v = overflow ? UINT64_MAX : v << shift;
	if (v < l->min || v > l->max) {
		char min[32], max[32];
		format_limit(l, l->min, false, min, sizeof(min));
		format_limit(l, l->max, false, max, sizeof(max));
		return bento_error_set(err, EINVAL, "%s=%s: out of range (%s to %s)", key, text,
		                       min, max);
	}
	*out = v;
	return 0;
}

/* ---- layers ----------------------------------------------------------------- */

static void grow(void *array, size_t n, size_t size)
{
	void **a = array;
	*a = realloc(*a, (n + 1) * size);
	if (*a == NULL)
		abort();
}

static void fs_set(bento_permissions *p, const char *location, bento_fs_mode mode)
{
	if (mode == BENTO_FS_REMOVE && strcmp(location, "host") == 0) {
		for (size_t i = 0; i < p->n_filesystems; i++)
			free(p->filesystems[i].location);
		p->n_filesystems = 0;
	}
	for (size_t i = 0; i < p->n_filesystems; i++)
		if (strcmp(p->filesystems[i].location, location) == 0) {
			p->filesystems[i].mode = mode;
			return;
		}
	grow(&p->filesystems, p->n_filesystems, sizeof(*p->filesystems));
	p->filesystems[p->n_filesystems++] = (bento_fs_grant){xstrdup(location), mode};
}

static void bus_set(bento_bus_rule **rules, size_t *n, const char *name, bento_bus_policy policy)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*rules)[i].name, name) == 0) {
			(*rules)[i].policy = policy;
			return;
		}
	grow(rules, *n, sizeof(**rules));
	(*rules)[(*n)++] = (bento_bus_rule){xstrdup(name), policy};
}

static void env_set(bento_permissions *p, const char *name, const char *value)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strcmp(p->env[i].name, name) == 0) {
			free(p->env[i].value);
			p->env[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	grow(&p->env, p->n_env, sizeof(*p->env));
	p->env[p->n_env++] = (bento_env_var){xstrdup(name), value ? xstrdup(value) : NULL};
}

static void persist_add(bento_permissions *p, const char *path)
{
	for (size_t i = 0; i < p->n_persistent; i++)
		if (strcmp(p->persistent[i], path) == 0)
			return;
	grow(&p->persistent, p->n_persistent, sizeof(*p->persistent));
	p->persistent[p->n_persistent++] = xstrdup(path);
}

static void flags_set(bento_flags *f, unsigned bit, bool on)
{
	f->valid |= bit;
	f->enabled = on ? f->enabled | bit : f->enabled & ~bit;
}

void bento_permissions_clear(bento_permissions *p)
{
	for (size_t i = 0; i < p->n_filesystems; i++)
		free(p->filesystems[i].location);
	free(p->filesystems);
	for (size_t i = 0; i < p->n_persistent; i++)
		free(p->persistent[i]);
	free(p->persistent);
	for (size_t i = 0; i < p->n_session_bus; i++)
		free(p->session_bus[i].name);
	free(p->session_bus);
	for (size_t i = 0; i < p->n_system_bus; i++)
		free(p->system_bus[i].name);
	free(p->system_bus);
	for (size_t i = 0; i < p->n_env; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	memset(p, 0, sizeof(*p));
}

void bento_permissions_merge(bento_permissions *base, const bento_permissions *layer)
{
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		bento_flags *b = kind_flags(base, &kinds[k]);
		const bento_flags *l = kind_flags_const(layer, &kinds[k]);
		b->enabled = (b->enabled & ~l->valid) | (l->enabled & l->valid);
		b->valid |= l->valid;
	}
	for (size_t i = 0; i < layer->n_filesystems; i++)
		fs_set(base, layer->filesystems[i].location, layer->filesystems[i].mode);
	for (size_t i = 0; i < layer->n_persistent; i++)
		persist_add(base, layer->persistent[i]);
	for (size_t i = 0; i < layer->n_session_bus; i++)
		bus_set(&base->session_bus, &base->n_session_bus, layer->session_bus[i].name,
		        layer->session_bus[i].policy);
	for (size_t i = 0; i < layer->n_system_bus; i++)
		bus_set(&base->system_bus, &base->n_system_bus, layer->system_bus[i].name,
		        layer->system_bus[i].policy);
	for (size_t i = 0; i < layer->n_env; i++)
		env_set(base, layer->env[i].name, layer->env[i].value);
	for (size_t i = 0; i < BENTO_N_LIMITS; i++)
		if (layer->limits[i])
			base->limits[i] = layer->limits[i];
}

bool bento_permissions_empty(const bento_permissions *p)
{
	for (size_t i = 0; i < BENTO_N_LIMITS; i++)
		if (p->limits[i])
			return false;
	return p->shared.valid == 0 && p->sockets.valid == 0 && p->devices.valid == 0 &&
	       p->features.valid == 0 && p->n_filesystems == 0 && p->n_persistent == 0 &&
	       p->n_session_bus == 0 && p->n_system_bus == 0 && p->n_env == 0;
}

/* ---- one permission at a time (layer.h) ---------------------------------------- */

int bento_layer_set_flag(bento_permissions *p, const char *key, const char *name, bool on,
                         bento_error **err)
{
	const flag_kind *k = kinds;
	while (strcmp(k->key, key) != 0)
		if (++k == kinds + ARRAY_SIZE(kinds))
			abort(); /* not a [Context] key of flags: a caller's mistake */
	unsigned bit = 0;
	if (flag_lookup(k, name, &bit, err) < 0)
		return -1;
	flags_set(kind_flags(p, k), bit, on);
	return 0;
}

int bento_layer_set_filesystem(bento_permissions *p, const char *text, bool remove,
                               bento_error **err)
{
	autofree char *location = NULL;
	bento_fs_mode mode;
	if (parse_fs(text, remove, &location, &mode, err) < 0)
		return -1;
	fs_set(p, location, mode);
	return 0;
}

int bento_layer_add_persistent(bento_permissions *p, const char *path, bento_error **err)
{
	if (check_relative_path("persistent path", path, err) < 0)
		return -1;
	persist_add(p, path);
	return 0;
}

int bento_layer_set_env(bento_permissions *p, const char *name, const char *value,
                        bento_error **err)
{
	if (bento_env_name_check(name, err) < 0 || (value && check_env_value(name, value, err) < 0))
		return -1;
	env_set(p, name, value);
	return 0;
}

int bento_layer_set_bus(bento_permissions *p, bool system, const char *name,
                        bento_bus_policy policy, bento_error **err)
{
	if (bento_bus_name_check(name, err) < 0)
		return -1;
	if (system)
		bus_set(&p->system_bus, &p->n_system_bus, name, policy);
	else
		bus_set(&p->session_bus, &p->n_session_bus, name, policy);
	return 0;
}

int bento_layer_set_limit(bento_permissions *p, const char *key, const char *value,
                          bento_error **err)
{
	bento_limit which = 0;
	uint64_t v = 0;
	if (parse_limit(key, value, &which, &v, err) < 0)
		return -1;
	p->limits[which] = v;
	return 0;
}

bool bento_limit_known(const char *key)
{
	bento_limit which;
	return limit_lookup(key, &which) != NULL;
}

/* ---- command-line options ----------------------------------------------------- */

const char *const bento_permission_options[] = {
    "share",
    "unshare",
    "socket",
    "nosocket",
    "device",
    "nodevice",
    "allow",
    "disallow",
    "filesystem",
    "nofilesystem",
    "persist",
    "env",
    "unset-env",
    "limit",
    "talk-name",
    "no-talk-name",
    "own-name",
    "see-name",
    "system-talk-name",
    "system-no-talk-name",
    "system-own-name",
    "system-see-name",
    NULL,
};

static int apply_option(bento_permissions *p, const char *option, const char *value,
                        bento_error **err)
{
	static const struct {
		const char *on, *off;
		const char *key; /* of the flags in [Context] */
	} flag_options[] = {
	    {"share", "unshare", "shared"},
	    {"socket", "nosocket", "sockets"},
	    {"device", "nodevice", "devices"},
	    {"allow", "disallow", "features"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(flag_options); i++) {
		bool on = strcmp(option, flag_options[i].on) == 0;
		if (on || strcmp(option, flag_options[i].off) == 0)
			return bento_layer_set_flag(p, flag_options[i].key, value, on, err);
	}
	if (strcmp(option, "filesystem") == 0 || strcmp(option, "nofilesystem") == 0)
		return bento_layer_set_filesystem(p, value, option[0] == 'n', err);
	if (strcmp(option, "persist") == 0)
		return bento_layer_add_persistent(p, value, err);
	if (strcmp(option, "env") == 0) {
		const char *eq = strchr(value, '=');
		if (eq == NULL)
			return bento_error_set(err, EINVAL, "expected VAR=VALUE");
		autofree char *name = xasprintf("%.*s", (int)(eq - value), value);
		return bento_layer_set_env(p, name, eq + 1, err);
	}
	if (strcmp(option, "unset-env") == 0)
		return bento_layer_set_env(p, value, NULL, err);
	if (strcmp(option, "limit") == 0) {
		const char *eq = strchr(value, '=');
		if (eq == NULL)
			return bento_error_set(err, EINVAL,
			                       "expected LIMIT=VALUE, e.g. tmp-size=4G");
		autofree char *key = xasprintf("%.*s", (int)(eq - value), value);
		return bento_layer_set_limit(p, key, eq + 1, err);
	}
	static const struct {
		const char *name;
		bool system;
		bento_bus_policy policy;
	} bus_options[] = {
	    {"talk-name", false, BENTO_BUS_TALK},
	    {"no-talk-name", false, BENTO_BUS_NONE},
	    {"own-name", false, BENTO_BUS_OWN},
	    {"see-name", false, BENTO_BUS_SEE},
	    {"system-talk-name", true, BENTO_BUS_TALK},
	    {"system-no-talk-name", true, BENTO_BUS_NONE},
	    {"system-own-name", true, BENTO_BUS_OWN},
	    {"system-see-name", true, BENTO_BUS_SEE},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bus_options); i++)
		if (strcmp(option, bus_options[i].name) == 0)
			return bento_layer_set_bus(p, bus_options[i].system, value,
			                           bus_options[i].policy, err);
	return 1;
}

int bento_permissions_apply_option(bento_permissions *layer, const char *option, const char *value,
                                   bento_error **err)
{
	int r = apply_option(layer, option, value, err);
	if (r < 0)
		bento_error_prefix(err, "--%s=%s", option, value);
	return r;
}

int bento_permissions_apply_words(bento_permissions *layer, const char *words, bento_error **err)
{
	autofree char *copy = xstrdup(words);
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(w, '=');
		if (strncmp(w, "--", 2) != 0 || eq == NULL)
			return bento_error_set(err, EINVAL, "\"%s\": expected --OPTION=VALUE", w);
		*eq = '\0';
		int r = bento_permissions_apply_option(layer, w + 2, eq + 1, err);
		if (r < 0)
			return -1;
		if (r > 0)
			return bento_error_set(err, EINVAL, "--%s: not a permission option", w + 2);
	}
	return 0;
}

/* ---- key-file form -------------------------------------------------------------- */

/* Escapes as GKeyFile does: backslash, control characters, spaces at either
 * end (the reader trims them), and with list ';'. */
static void append_escaped(char **buf, size_t *len, const char *s, bool list)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		char one[2] = {s[i], '\0'};
		switch (s[i]) {
		case '\\':
			rep = "\\\\";
			break;
		case '\n':
			rep = "\\n";
			break;
		case '\t':
			rep = "\\t";
			break;
		case '\r':
			rep = "\\r";
			break;
		case ';':
			rep = list ? "\\;" : one;
			break;
		case ' ':
			rep = i == 0 || i == n - 1 ? "\\s" : one;
			break;
		default:
			rep = one;
		}
		size_t r = strlen(rep);
		*buf = realloc(*buf, *len + r + 1);
		if (*buf == NULL)
			abort();
		memcpy(*buf + *len, rep, r + 1);
		*len += r;
	}
}

typedef struct strbuf {
	char *data;
	size_t len;
} strbuf;

static void sb_add(strbuf *b, const char *s)
{
	size_t n = strlen(s);
	b->data = realloc(b->data, b->len + n + 1);
	if (b->data == NULL)
		abort();
	memcpy(b->data + b->len, s, n + 1);
	b->len += n;
}

static void sb_add_escaped(strbuf *b, const char *s, bool list)
{
	if (b->data == NULL)
		sb_add(b, "");
	append_escaped(&b->data, &b->len, s, list);
}

const char *const bento_bus_policy_names[] = {
    [BENTO_BUS_NONE] = "none",
    [BENTO_BUS_SEE] = "see",
    [BENTO_BUS_TALK] = "talk",
    [BENTO_BUS_OWN] = "own",
};

static void write_bus(strbuf *b, const char *group, const bento_bus_rule *rules, size_t n)
{
	if (n == 0)
		return;
	sb_add(b, b->len ? "\n[" : "[");
	sb_add(b, group);
	sb_add(b, "]\n");
	for (size_t i = 0; i < n; i++) {
		sb_add(b, rules[i].name);
		sb_add(b, "=");
		sb_add(b, bento_bus_policy_names[rules[i].policy]);
		sb_add(b, "\n");
	}
}

char *bento_permissions_to_keyfile(const bento_permissions *layer)
{
	strbuf b = {xstrdup(""), 0};
	strbuf ctx = {xstrdup(""), 0};
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		const bento_flags *f = kind_flags_const(layer, &kinds[k]);
		if (f->valid == 0)
			continue;
		sb_add(&ctx, kinds[k].key);
		sb_add(&ctx, "=");
		for (size_t i = 0; i < kinds[k].n_names; i++) {
			unsigned bit = 1u << i;
			if (!(f->valid & bit))
				continue;
			sb_add(&ctx, f->enabled & bit ? "" : "!");
			sb_add(&ctx, kinds[k].names[i]);
			sb_add(&ctx, ";");
		}
		sb_add(&ctx, "\n");
	}
	if (layer->n_filesystems) {
		static const char *const suffix[] = {
		    [BENTO_FS_REMOVE] = "",
		    [BENTO_FS_RO] = ":ro",
		    [BENTO_FS_RW] = "",
		    [BENTO_FS_CREATE] = ":create",
		};
		sb_add(&ctx, "filesystems=");
		for (size_t i = 0; i < layer->n_filesystems; i++) {
			const bento_fs_grant *g = &layer->filesystems[i];
			sb_add(&ctx, g->mode == BENTO_FS_REMOVE ? "!" : "");
			sb_add_escaped(&ctx, g->location, true);
			sb_add(&ctx, suffix[g->mode]);
			sb_add(&ctx, ";");
		}
		sb_add(&ctx, "\n");
	}
	if (layer->n_persistent) {
		sb_add(&ctx, "persistent=");
		for (size_t i = 0; i < layer->n_persistent; i++) {
			sb_add_escaped(&ctx, layer->persistent[i], true);
			sb_add(&ctx, ";");
		}
		sb_add(&ctx, "\n");
	}
	bool unset = false;
	for (size_t i = 0; i < layer->n_env; i++) {
		if (layer->env[i].value != NULL)
			continue;
		sb_add(&ctx, unset ? "" : "unset-environment=");
		sb_add(&ctx, layer->env[i].name);
		sb_add(&ctx, ";");
		unset = true;
	}
	if (unset)
		sb_add(&ctx, "\n");
	if (ctx.len) {
		sb_add(&b, "[Context]\n");
		sb_add(&b, ctx.data);
	}
	free(ctx.data);
	write_bus(&b, "Session Bus Policy", layer->session_bus, layer->n_session_bus);
	write_bus(&b, "System Bus Policy", layer->system_bus, layer->n_system_bus);
	bool env = false;
	for (size_t i = 0; i < layer->n_env; i++) {
		if (layer->env[i].value == NULL)
			continue;
		if (!env)
			sb_add(&b, b.len ? "\n[Environment]\n" : "[Environment]\n");
		env = true;
		sb_add(&b, layer->env[i].name);
		sb_add(&b, "=");
		sb_add_escaped(&b, layer->env[i].value, false);
		sb_add(&b, "\n");
	}
	bool limits = false;
	for (size_t i = 0; i < BENTO_N_LIMITS; i++) {
		if (layer->limits[i] == 0)
			continue;
		if (!limits)
			sb_add(&b, b.len ? "\n[Limits]\n" : "[Limits]\n");
		limits = true;
		char v[32];
		format_limit(&limit_names[i], layer->limits[i], false, v, sizeof(v));
		sb_add(&b, limit_names[i].key);
		sb_add(&b, "=");
		sb_add(&b, v);
		sb_add(&b, "\n");
	}
	return b.data;
}

/* ---- plain words ---------------------------------------------------------------- */

static const char *location_words(const char *loc, const char **rest)
{
	*rest = NULL;
	if (loc[0] == '/' || loc[0] == '~')
		return NULL;
	const char *slash = strchrnul(loc, '/');
	const location_name *l = location_lookup(loc, (size_t)(slash - loc));
	if (l && *slash)
		*rest = slash + 1;
	return l ? l->words : NULL;
}

/* A value as text a terminal shows as it is: control bytes as \xNN. */
static void print_visible(const char *s, FILE *out)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
}

void bento_permissions_describe(const bento_permissions *p, const char *indent, FILE *out)
{
	fprintf(out, "%sNetwork: %s\n", indent,
	        p->shared.enabled & BENTO_SHARE_NETWORK ? "yes" : "no");
	fprintf(out, "%sHost IPC (%s): %s\n", indent, share_words[1],
	        p->shared.enabled & BENTO_SHARE_IPC ? "yes" : "no");
	for (size_t k = KIND_SOCKETS; k < ARRAY_SIZE(kinds); k++) {
		const bento_flags *f = kind_flags_const(p, &kinds[k]);
		for (size_t i = 0; i < kinds[k].n_names; i++)
			if (f->enabled & 1u << i)
				fprintf(out, "%s%s: %s\n", indent, kinds[k].label,
				        kinds[k].words[i]);
	}
	static const char *const modes[] = {
	    [BENTO_FS_REMOVE] = "",
	    [BENTO_FS_RO] = "read-only",
	    [BENTO_FS_RW] = "read/write",
	    [BENTO_FS_CREATE] = "read/write, created if missing",
	};
	size_t files = 0;
	for (size_t i = 0; i < p->n_filesystems; i++) {
		const bento_fs_grant *g = &p->filesystems[i];
		if (g->mode == BENTO_FS_REMOVE)
			continue;
		const char *rest;
		const char *words = location_words(g->location, &rest);
		if (words && rest)
			fprintf(out, "%sFiles: %s, only %s (%s)\n", indent, words, rest,
			        modes[g->mode]);
		else
			fprintf(out, "%sFiles: %s (%s)\n", indent, words ? words : g->location,
			        modes[g->mode]);
		files++;
	}
	if (files == 0)
		fprintf(out, "%sFiles: only the app's own data folders\n", indent);
	for (size_t i = 0; i < p->n_persistent; i++)
		fprintf(out, "%sKept in the app's data folder: ~/%s\n", indent, p->persistent[i]);
	static const char *const verbs[] = {
	    [BENTO_BUS_NONE] = "",
	    [BENTO_BUS_SEE] = "may see",
	    [BENTO_BUS_TALK] = "may talk to",
	    [BENTO_BUS_OWN] = "may own",
	};
	for (int sys = 0; sys < 2; sys++) {
		const bento_bus_rule *rules = sys ? p->system_bus : p->session_bus;
		size_t n = sys ? p->n_system_bus : p->n_session_bus;
		for (size_t i = 0; i < n; i++) {
			if (rules[i].policy == BENTO_BUS_NONE)
				continue;
			size_t len = strlen(rules[i].name);
			bool prefix = len >= 2 && strcmp(rules[i].name + len - 2, ".*") == 0;
			fprintf(out, "%s%s bus: %s %s%.*s\n", indent, sys ? "System" : "Session",
			        verbs[rules[i].policy], prefix ? "every name in " : "",
			        (int)(prefix ? len - 2 : len), rules[i].name);
		}
	}
	for (size_t i = 0; i < p->n_env; i++) {
		if (p->env[i].value) {
			fprintf(out, "%sEnvironment: %s=", indent, p->env[i].name);
			print_visible(p->env[i].value, out);
			fputc('\n', out);
		} else
			fprintf(out, "%sEnvironment: %s unset\n", indent, p->env[i].name);
	}
	for (size_t i = 0; i < BENTO_N_LIMITS; i++) {
		if (p->limits[i] == 0)
			continue;
		char v[32];
		format_limit(&limit_names[i], p->limits[i], true, v, sizeof(v));
		fprintf(out, "%sLimit: %s%s%s\n", indent, limit_names[i].before, v,
		        limit_names[i].after);
	}
}
