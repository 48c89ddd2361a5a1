/* SPDX-License-Identifier: MIT */
/* The sandbox's plan: from the app's permissions to the list of mounts, the
 * namespaces, the environment and the seccomp filter.  Carried out by
 * setup.c in the child. */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/state.h"
#include "sandbox/dbus_proxy.h"

/* ---- the list of mounts ---------------------------------------------------- */

static bento_mount_op *add_op(bento_sandbox *sb, bento_mount_kind kind, unsigned flags,
                              const char *src, const char *dest)
{
	sb->ops = realloc(sb->ops, (sb->n_ops + 1) * sizeof(*sb->ops));
	if (sb->ops == NULL)
		abort();
	bento_mount_op *op = &sb->ops[sb->n_ops++];
	*op = (bento_mount_op){.kind = kind,
	                       .flags = flags,
	                       .mode = 0755,
	                       .src = src ? xstrdup(src) : NULL,
	                       .dest = xstrdup(dest)};
	return op;
}

static void add_dir(bento_sandbox *sb, const char *dest, mode_t mode)
{
	add_op(sb, BENTO_MOUNT_DIR, 0, NULL, dest)->mode = mode;
}

/* Every tmpfs of the sandbox's has a size (the kernel's default, half the
 * memory for each, would let an app pin several times the memory in them). */
static void add_tmpfs(bento_sandbox *sb, const char *dest, mode_t mode, uint64_t size)
{
	bento_mount_op *op = add_op(sb, BENTO_MOUNT_TMPFS, 0, NULL, dest);
	op->mode = mode;
	op->size = size;
}

static void add_bind(bento_sandbox *sb, const char *src, const char *dest, unsigned flags)
{
	add_op(sb, BENTO_MOUNT_BIND, flags, src, dest);
}

static void add_symlink(bento_sandbox *sb, const char *target, const char *dest)
{
	add_op(sb, BENTO_MOUNT_SYMLINK, 0, target, dest);
}

static void add_file(bento_sandbox *sb, const char *contents, const char *dest)
{
	add_op(sb, BENTO_MOUNT_FILE, 0, contents, dest)->mode = 0444;
}

static bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* ---- the host's operating system ------------------------------------------- */

/* /usr, and the top-level directories that merged-/usr systems make symlinks
 * into it and older ones keep as directories: the app sees them as the host
 * has them, so that /bin/sh and the dynamic loader's path work. */
static void add_host_os(bento_sandbox *sb, const char *prefix)
{
	static const char *const top[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	autofree char *usr = xasprintf("%s/usr", prefix);
	add_bind(sb, "/usr", usr, BENTO_MOUNT_RO);
	for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
		autofree char *host = xasprintf("/%s", top[i]);
		autofree char *dest = xasprintf("%s/%s", prefix, top[i]);
		struct stat st;
		if (lstat(host, &st) < 0)
			continue;
		char target[PATH_MAX];
		ssize_t n;
		if (S_ISLNK(st.st_mode) && (n = readlink(host, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			add_symlink(sb, target, dest);
		} else if (S_ISDIR(st.st_mode)) {
			add_bind(sb, host, dest, BENTO_MOUNT_RO);
		}
	}
}

/* /usr as the image's tree over the host's (setup.c says why, and what
 * stays the host's), with the .bento layers the app needs: after the host's
 * /usr, which stays bound below it for when overlayfs cannot be had, and
 * after the image's op (the overlay's layers come from /app as mounted).
 * A host whose /lib or /lib64 is a directory of its own, not a link into
 * /usr, gets the image's C library over that too: the loader finds it
 * there first (its path, its cache's entries). */
static void add_usr_overlay(bento_sandbox *sb, const bento_sandbox_config *cfg)
{
	sb->usr_layers = cfg->usr_layers;
	sb->usr_layers.image = cfg->usr_overlay;
	if ((!cfg->usr_overlay && !bento_usr_layers_needed(&cfg->usr_layers)) || cfg->no_host_os ||
	    cfg->build)
		return;
	add_op(sb, BENTO_MOUNT_USR_OVERLAY, 0, "/usr", "/usr");
	sb->usr_overlay = xcalloc(1, sizeof(*sb->usr_overlay));
	sb->usr_overlay->asked = cfg->usr_overlay_asked;
	static const char *const lib_dirs[] = {"/lib", "/lib64"};
	for (size_t i = 0; cfg->usr_layers.glibc && i < ARRAY_SIZE(lib_dirs); i++) {
		struct stat st;
		if (lstat(lib_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			add_op(sb, BENTO_MOUNT_GLIBC_OVERLAY, 0, lib_dirs[i], lib_dirs[i]);
	}
}

void bento_usr_overlay_report(const bento_usr_overlay_state *state)
{
	/* (nothing at all: the setup ended before the overlay's turn) */
	if (state == NULL || state->mounted || (state->shadowed == NULL && state->errnum == 0))
		return;
	if (state->shadowed) {
		bento_warn("/usr is the host's alone: the image's %s would replace /usr/%s, "
		           "which must stay the host's",
		           state->shadowed, state->shadowed);
		return;
	}
	if (state->asked)
		bento_warn("/usr is the host's alone (the image asks for its tree over it): "
		           "overlayfs refused: %s",
		           strerror(state->errnum));
	else
		bento_debug("/usr is the host's alone: overlayfs refused: %s",
		            strerror(state->errnum));
}

/* Of the host's /etc, what programs need to start and behave as the user
 * expects: the loader's cache, Debian's alternatives (/usr/bin links point
 * there), name service configuration, fonts, certificates, time zone,
 * locale and MIME data, the machine id. */
static const char *const etc_entries[] = {
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "nsswitch.conf", "host.conf",
    "gai.conf",    "protocols",  "services",     "fonts",        "ssl",           "ca-certificates",
    "pki",         "localtime",  "timezone",     "locale.alias", "locale.conf",   "default/locale",
    "mime.types",  "machine-id", "os-release",   "xdg",          "gtk-2.0",       "gtk-3.0",
    "X11/xkb",     "pulse",      "drirc",        "vulkan",       "glvnd",         "egl",
    "asound.conf", "inputrc",    "profile",      "bash.bashrc",  "shells",
};
static const char *const etc_network_entries[] = {"resolv.conf", "hosts"};

/* One entry of /etc: a symlink whose target stays in /usr is recreated (the
 * time zone), anything else is bound read-only from where it resolves on
 * the host (resolv.conf often points into /run). */
static void add_etc_entry(bento_sandbox *sb, const char *name)
{
	autofree char *host = xasprintf("/etc/%s", name);
	autofree char *dest = xasprintf("/etc/%s", name);
	struct stat st;
	if (lstat(host, &st) < 0)
		return;
	if (strchr(name, '/')) {
		autofree char *parent = xstrdup(dest);
		*strrchr(parent, '/') = '\0';
		add_dir(sb, parent, 0755);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(host, target, sizeof(target) - 1);
		if (n <= 0)
			return;
		target[n] = '\0';
		autofree char *resolved = realpath(host, NULL);
		if (resolved && bento_path_is_under(resolved, "/usr")) {
			add_symlink(sb, target, dest);
			return;
		}
		if (resolved)
			add_bind(sb, resolved, dest, BENTO_MOUNT_RO | BENTO_MOUNT_OPTIONAL);
		return;
	}
	add_bind(sb, host, dest, BENTO_MOUNT_RO | BENTO_MOUNT_OPTIONAL);
}

typedef struct passwd_entry {
	char *f[7]; /* name, password, uid, gid, gecos, home, shell */
} passwd_entry;

static void passwd_entry_free(passwd_entry *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(e->f); i++)
		free(e->f[i]);
}

static char *host_group_name(gid_t gid)
{
	char *f[3] = {0};
	if (bento_account_fields("/etc/group", gid, f, 3) < 0)
		return NULL;
	free(f[1]);
	free(f[2]);
	return f[0];
}

/* passwd and group with the user (as the host knows them) and nobody: enough
 * for `id`, `whoami` and shells, without the host's list of accounts. */
static void add_passwd_group(bento_sandbox *sb)
{
	passwd_entry pw = {0};
	bool found = bento_account_fields("/etc/passwd", sb->uid, pw.f, 7) == 0;
	const char *name = found ? pw.f[0] : "user";
	const char *gecos = found ? pw.f[4] : "";
	const char *shell = found && pw.f[6][0] ? pw.f[6] : "/bin/sh";
	autofree char *group_name = host_group_name(sb->gid);
	autofree char *passwd = NULL;
	autofree char *group = NULL;
	if (sb->uid == 65534)
		passwd = xasprintf("nobody:x:65534:65534:nobody:%s:%s\n", sb->home, shell);
	else
		passwd =
		    xasprintf("%s:x:%u:%u:%s:%s:%s\n"
		              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
		              name, (unsigned)sb->uid, (unsigned)sb->gid, gecos, sb->home, shell);
	if (sb->gid == 65534)
		group = xasprintf("nogroup:x:65534:\n");
	else
		group = xasprintf("%s:x:%u:\nnogroup:x:65534:\n", group_name ? group_name : name,
		                  (unsigned)sb->gid);
	add_file(sb, passwd, "/etc/passwd");
	add_file(sb, group, "/etc/group");
	passwd_entry_free(&pw);
}

static void add_etc(bento_sandbox *sb, bool network)
{
	add_dir(sb, "/etc", 0755);
	for (size_t i = 0; i < ARRAY_SIZE(etc_entries); i++)
		add_etc_entry(sb, etc_entries[i]);
	if (network)
		for (size_t i = 0; i < ARRAY_SIZE(etc_network_entries); i++)
			add_etc_entry(sb, etc_network_entries[i]);
	add_passwd_group(sb);
}

/* ---- /dev, /sys, /tmp, /run ------------------------------------------------- */

static void add_dev(bento_sandbox *sb, const bento_permissions *p)
{
	unsigned devices = p->devices.enabled;
	if (devices & BENTO_DEVICE_ALL) {
		/* Every device of the host, as Flatpak's devices=all. */
		add_bind(sb, "/dev", "/dev", 0);
		return;
	}
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	add_tmpfs(sb, "/dev", 0755, bento_limit_value(p, BENTO_LIMIT_DEV_SIZE));
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		autofree char *path = xasprintf("/dev/%s", nodes[i]);
		add_bind(sb, path, path, BENTO_MOUNT_OPTIONAL);
	}
	/* A devpts of the sandbox's own: its terminals are not the host's. */
	add_op(sb, BENTO_MOUNT_DEVPTS, 0, NULL, "/dev/pts");
	add_symlink(sb, "pts/ptmx", "/dev/ptmx");
	add_symlink(sb, "/proc/self/fd", "/dev/fd");
	add_symlink(sb, "/proc/self/fd/0", "/dev/stdin");
	add_symlink(sb, "/proc/self/fd/1", "/dev/stdout");
	add_symlink(sb, "/proc/self/fd/2", "/dev/stderr");
	if (devices & BENTO_DEVICE_SHM)
		add_bind(sb, "/dev/shm", "/dev/shm", BENTO_MOUNT_OPTIONAL);
	else
		add_tmpfs(sb, "/dev/shm", 01777, bento_limit_value(p, BENTO_LIMIT_SHM_SIZE));
	if (devices & BENTO_DEVICE_DRI) {
		add_bind(sb, "/dev/dri", "/dev/dri", BENTO_MOUNT_OPTIONAL);
		/* NVIDIA's proprietary driver has its nodes at the top. */
		static const char *const nvidia[] = {"nvidiactl", "nvidia0", "nvidia-modeset",
		                                     "nvidia-uvm", "nvidia-uvm-tools"};
		for (size_t i = 0; i < ARRAY_SIZE(nvidia); i++) {
			autofree char *path = xasprintf("/dev/%s", nvidia[i]);
			add_bind(sb, path, path, BENTO_MOUNT_OPTIONAL);
		}
	}
	if (devices & BENTO_DEVICE_KVM)
		add_bind(sb, "/dev/kvm", "/dev/kvm", BENTO_MOUNT_OPTIONAL);
	if (devices & BENTO_DEVICE_INPUT)
		add_bind(sb, "/dev/input", "/dev/input", BENTO_MOUNT_OPTIONAL);
}

/* Of /sys, what libraries read to find devices (udev enumeration, GPUs),
 * read-only; not the kernel's tunables and debugging interfaces. */
static void add_sys(bento_sandbox *sb)
{
	static const char *const parts[] = {"block", "bus", "class", "dev", "devices"};
	add_dir(sb, "/sys", 0755);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		autofree char *path = xasprintf("/sys/%s", parts[i]);
		add_bind(sb, path, path, BENTO_MOUNT_RO | BENTO_MOUNT_OPTIONAL);
	}
}

/* ---- the user's files ---------------------------------------------------- */

/* XDG user directories (xdg-download ...) as the user configured them in
 * ~/.config/user-dirs.dirs, or their English defaults. */
static char *xdg_user_dir(const char *home, const char *which)
{
	static const struct {
		const char *name, *key, *fallback;
	} dirs[] = {
	    {"desktop", "XDG_DESKTOP_DIR", "Desktop"},
	    {"documents", "XDG_DOCUMENTS_DIR", "Documents"},
	    {"download", "XDG_DOWNLOAD_DIR", "Downloads"},
	    {"music", "XDG_MUSIC_DIR", "Music"},
	    {"pictures", "XDG_PICTURES_DIR", "Pictures"},
	    {"public-share", "XDG_PUBLICSHARE_DIR", "Public"},
	    {"templates", "XDG_TEMPLATES_DIR", "Templates"},
	    {"videos", "XDG_VIDEOS_DIR", "Videos"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (strcmp(dirs[i].name, which) != 0)
			continue;
		autofree char *conf = xasprintf("%s/.config/user-dirs.dirs", home);
		autofree char *data = NULL;
		size_t len = 0;
		if (bento_read_file_at(AT_FDCWD, conf, 64 * 1024, &data, &len, NULL) == 0) {
			size_t klen = strlen(dirs[i].key);
			for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
				if (strncmp(line, dirs[i].key, klen) != 0 || line[klen] != '=' ||
				    line[klen + 1] != '"')
					continue;
				char *value = line + klen + 2;
				char *end = strchr(value, '"');
				if (end == NULL)
					break;
				*end = '\0';
				if (strncmp(value, "$HOME/", 6) == 0 && !strstr(value, ".."))
					return xasprintf("%s/%s", home, value + 6);
				if (value[0] == '/' && !strstr(value, ".."))
					return xstrdup(value);
				break;
			}
		}
		return xasprintf("%s/%s", home, dirs[i].fallback);
	}
	return NULL;
}

/* Destinations a filesystems= grant may not cover: the sandbox's own
 * structure. */
static bool reserved_destination(const char *dest)
{
	static const char *const reserved[] = {
	    "/",     "/app", "/usr",   "/etc",   "/proc",   "/dev",      "/sys",          "/bin",
	    "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/run/host", "/.flatpak-info"};
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		if (strcmp(reserved[i], "/") == 0 ? strcmp(dest, "/") == 0
		                                  : bento_path_is_under(dest, reserved[i]))
			return true;
	}
	return false;
}

typedef struct grant_bind {
	char *src, *dest;
	unsigned flags;
} grant_bind;

typedef struct grant_list {
	grant_bind *items;
	size_t count;
} grant_list;

static void grant_add(grant_list *l, const char *src, const char *dest, unsigned flags)
{
	l->items = realloc(l->items, (l->count + 1) * sizeof(*l->items));
	if (l->items == NULL)
		abort();
	l->items[l->count++] =
	    (grant_bind){.src = xstrdup(src), .dest = xstrdup(dest), .flags = flags};
}

static int grant_compare(const void *a, const void *b)
{
	return strcmp(((const grant_bind *)a)->dest, ((const grant_bind *)b)->dest);
}

/* The host path behind a filesystems= location, or NULL when it names
 * something else (host, host-os, host-etc: handled by the caller). */
static char *grant_location_path(const bento_sandbox *sb, const char *location,
                                 const char *runtime_dir)
{
	const char *slash = strchr(location, '/');
	size_t head = slash ? (size_t)(slash - location) : strlen(location);
	const char *sub = slash ? slash : "";
	if (location[0] == '/')
		return xstrdup(location);
	if (location[0] == '~')
		return xasprintf("%s%s", sb->home, location + 1);
	if (head == 4 && strncmp(location, "home", 4) == 0)
		return xasprintf("%s%s", sb->home, sub);
	if (strncmp(location, "xdg-config", head) == 0 && head == 10)
		return xasprintf("%s/.config%s", sb->home, sub);
	if (strncmp(location, "xdg-data", head) == 0 && head == 8)
		return xasprintf("%s/.local/share%s", sb->home, sub);
	if (strncmp(location, "xdg-cache", head) == 0 && head == 9)
		return xasprintf("%s/.cache%s", sb->home, sub);
	if (strncmp(location, "xdg-run", head) == 0 && head == 7)
		return runtime_dir ? xasprintf("%s%s", runtime_dir, sub) : NULL;
	if (strncmp(location, "xdg-", 4) == 0) {
		autofree char *which = strndup(location + 4, head - 4);
		autofree char *dir = xdg_user_dir(sb->home, which);
		return dir ? xasprintf("%s%s", dir, sub) : NULL;
	}
	return NULL;
}

/* The host's own top-level directories that "host" shares at the same
 * place (everything but what the sandbox provides itself). */
static void grant_host(grant_list *l, unsigned flags)
{
	static const char *const shared[] = {"/home", "/media",     "/mnt", "/opt",
	                                     "/srv",  "/run/media", "/var", "/root"};
	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		grant_add(l, shared[i], shared[i], flags | BENTO_MOUNT_OPTIONAL);
}

/* Where a grant would reach bento's own state or the apps' data
 * (bento_state_protected_paths), as canonical host paths. */
typedef struct protected_set {
	bento_strv canonical;
	const char *apps_data; /* the last one: home/.var/app */
} protected_set;

static void protected_set_init(protected_set *ps, bento_sandbox *sb)
{
	bento_strv paths = {0};
	bento_state_protected_paths(sb->home, &paths);
	*ps = (protected_set){0};
	for (size_t i = 0; i < paths.count; i++) {
		char *canonical = bento_resolve_existing(paths.items[i]);
		bento_strv_add(&ps->canonical, canonical);
		struct stat st;
		if (stat(canonical, &st) == 0 && S_ISDIR(st.st_mode)) {
			sb->protected =
			    realloc(sb->protected, (sb->n_protected + 1) * sizeof(*sb->protected));
			if (sb->protected == NULL)
				abort();
			sb->protected[sb->n_protected++] =
			    (bento_dir_id){.dev = st.st_dev, .ino = st.st_ino};
		}
	}
	bento_strv_free(&paths);
	ps->apps_data = ps->canonical.count ? ps->canonical.items[ps->canonical.count - 1] : NULL;
}

/* The protected path a grant of canonical source would reach (it is one,
 * or below one), or NULL. */
static const char *protected_reached(const protected_set *ps, const char *source)
{
	for (size_t i = 0; i < ps->canonical.count; i++)
		if (bento_path_is_under(source, ps->canonical.items[i]))
			return ps->canonical.items[i];
	return NULL;
}

/* What a grant of src shows at dest is hidden where it holds a protected
 * directory: bento's state under an empty read-only tmpfs, the apps' data
 * (the last protected path) under an empty writable one, in which the
 * app's own data is bound afterwards. */
static void add_masks(bento_sandbox *sb, const protected_set *ps, const char *src, const char *dest)
{
	autofree char *source = bento_resolve_existing(src);
	size_t len = strcmp(source, "/") == 0 ? 0 : strlen(source);
	for (size_t i = 0; i < ps->canonical.count; i++) {
		const char *p = ps->canonical.items[i];
		if (strcmp(p, source) == 0 || !bento_path_is_under(p, source))
			continue;
		autofree char *at = xasprintf("%s%s", strcmp(dest, "/") == 0 ? "" : dest, p + len);
		add_op(sb, BENTO_MOUNT_MASK, p == ps->apps_data ? 0 : BENTO_MOUNT_RO, NULL, at);
	}
}

static void add_filesystems(bento_sandbox *sb, const bento_permissions *p, const char *runtime_dir,
                            const char *sandbox_runtime_dir)
{
	/* (Resolving the protected paths costs a few dozen system calls: only
	 * for an app with grants.) */
	protected_set ps = {0};
	if (p->n_filesystems > 0)
		protected_set_init(&ps, sb);
	grant_list l = {0};
	for (size_t i = 0; i < p->n_filesystems; i++) {
		const bento_fs_grant *g = &p->filesystems[i];
		if (g->mode == BENTO_FS_REMOVE)
			continue;
		unsigned flags = BENTO_MOUNT_GRANT | (g->mode == BENTO_FS_RO ? BENTO_MOUNT_RO : 0);
		if (strcmp(g->location, "host-os") == 0 || strcmp(g->location, "host") == 0)
			add_host_os(sb, "/run/host");
		if (strcmp(g->location, "host-etc") == 0 || strcmp(g->location, "host") == 0)
			add_bind(sb, "/etc", "/run/host/etc", BENTO_MOUNT_RO);
		if (strcmp(g->location, "host") == 0) {
			grant_host(&l, flags);
			continue;
		}
		if (strncmp(g->location, "host-", 5) == 0)
			continue;
		autofree char *path = grant_location_path(sb, g->location, runtime_dir);
		if (path == NULL)
			continue;
		/* xdg-run/ entries appear in the sandbox's runtime directory. */
		autofree char *dest = NULL;
		if (runtime_dir && strncmp(g->location, "xdg-run", 7) == 0)
			dest = xasprintf("%s%s", sandbox_runtime_dir, path + strlen(runtime_dir));
		else
			dest = xstrdup(path);
		if (reserved_destination(dest)) {
			bento_warn("filesystems=%s is not allowed to cover %s", g->location, dest);
			continue;
		}
		autofree char *source = bento_resolve_existing(path);
		const char *reached = protected_reached(&ps, source);
		if (reached) {
			bento_warn("filesystems=%s is refused: %s is %s", g->location, source,
			           reached == ps.apps_data
			               ? "in the apps' data (each app gets its own)"
			               : "in bento's own state");
			continue;
		}
		if (g->mode == BENTO_FS_CREATE)
			bento_mkdir_p(path, 0755, NULL);
		grant_add(&l, path, dest, flags | BENTO_MOUNT_OPTIONAL);
	}
	/* Parents before children, so that ~/Documents:ro stays read-only
	 * under home:rw. */
	if (l.count)
		qsort(l.items, l.count, sizeof(*l.items), grant_compare);
	for (size_t i = 0; i < l.count; i++)
		add_bind(sb, l.items[i].src, l.items[i].dest, l.items[i].flags);
	for (size_t i = 0; i < l.count; i++) {
		add_masks(sb, &ps, l.items[i].src, l.items[i].dest);
		free(l.items[i].src);
		free(l.items[i].dest);
	}
	free(l.items);
	bento_strv_free(&ps.canonical);
}

/* Creates rel (its missing elements) below the directory dirfd without
 * following any symlink: an element that is a symlink (or not a directory)
 * fails with ELOOP or ENOTDIR.  The directories the app can write to are
 * made this way, so that a symlink the app planted there never makes the
 * runtime create anything elsewhere on the host. */
static int mkdir_below_nofollow(int dirfd, const char *rel)
{
	autofree char *copy = xstrdup(rel);
	autoclose int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	char *rest = copy;
	for (char *el; fd >= 0 && (el = strsep(&rest, "/")) != NULL;) {
		if (el[0] == '\0')
			continue;
		if (mkdirat(fd, el, 0755) < 0 && errno != EEXIST)
			return -1;
		int next = openat(fd, el, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (next < 0 && fstatat(fd, el, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;
		if (next < 0)
			return -1;
		close(fd);
		fd = next;
	}
	return fd < 0 ? -1 : 0;
}

/* ~/.var/app/APPID on the host, with the XDG directories the app is told to
 * use, and the persistent= directories inside it.  The app can write there,
 * so what it may have left (a symlink to ~/.ssh in place of a persistent
 * directory, of .local, or of its own directory) is never followed, neither
 * when making the directories nor when binding them. */
static int add_app_data(bento_sandbox *sb, const char *app_id, const bento_permissions *p,
                        bento_error **err)
{
	autofree char *apps = xasprintf("%s/.var/app", sb->home);
	if (bento_mkdir_p(apps, 0755, err) < 0)
		return -1;
	autofree char *apps_real = realpath(apps, NULL);
	autoclose int apps_fd =
	    apps_real ? open(apps_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (apps_fd < 0)
		return bento_error_errno(err, "%s", apps);
	if (mkdir_below_nofollow(apps_fd, app_id) < 0)
		return bento_error_set(
		    err, errno, "%s/%s: refusing to use the app's data directory: %s", apps, app_id,
		    errno == ELOOP ? "it is or goes through a symbolic link" : strerror(errno));
	autoclose int data_fd =
	    openat(apps_fd, app_id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (data_fd < 0)
		return bento_error_errno(err, "%s/%s", apps, app_id);
	/* Where the app replaced one of these by a symlink, it gets what its
	 * symlink means inside the sandbox: nothing is made on the host. */
	static const char *const subdirs[] = {"config", "data", "cache", ".local/state"};
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
		mkdir_below_nofollow(data_fd, subdirs[i]);
	autofree char *dest = xasprintf("%s/.var/app/%s", sb->home, app_id);
	bento_mount_op *op = add_op(sb, BENTO_MOUNT_BIND, BENTO_MOUNT_NO_SYMLINKS, app_id, dest);
	op->beneath = xstrdup(apps_real);
	for (size_t i = 0; i < p->n_persistent; i++) {
		const char *dir = p->persistent[i];
		if (mkdir_below_nofollow(data_fd, dir) < 0)
			return bento_error_set(
			    err, errno, "%s/%s/%s: refusing to use the persistent directory: %s",
			    apps, app_id, dir,
			    errno == ELOOP ? "it is or goes through a symbolic link"
			                   : strerror(errno));
		autofree char *src = xasprintf("%s/%s", app_id, dir);
		autofree char *pdest = xasprintf("%s/%s", sb->home, dir);
		op = add_op(sb, BENTO_MOUNT_BIND, BENTO_MOUNT_NO_SYMLINKS, src, pdest);
		op->beneath = xstrdup(apps_real);
	}
	return 0;
}

/* ---- sockets ----------------------------------------------------------------- */

/* The X server's socket for $DISPLAY (":N" or ":N.S", local only). */
static char *x11_socket(const char *display)
{
	if (display == NULL || display[0] != ':')
		return NULL;
	char *end;
	long n = strtol(display + 1, &end, 10);
	if (end == display + 1 || (*end != '\0' && *end != '.') || n < 0 || n > 65535)
		return NULL;
	return xasprintf("/tmp/.X11-unix/X%ld", n);
}

/* The path of a D-Bus address "unix:path=/x[,...]", or NULL. */
static char *dbus_socket_path(const char *address)
{
	if (address == NULL || strncmp(address, "unix:path=", 10) != 0)
		return NULL;
	const char *path = address + 10;
	size_t len = strcspn(path, ",;");
	return strndup(path, len);
}

static void add_sockets(bento_sandbox *sb, unsigned sockets, const char *runtime_dir,
                        const char *sandbox_runtime_dir)
{
	const char *wayland = bento_strv_getenv(&sb->env, "WAYLAND_DISPLAY");
	bool have_wayland = false;
	if (sockets & (BENTO_SOCKET_WAYLAND | BENTO_SOCKET_FALLBACK_X11)) {
		autofree char *path =
		    runtime_dir ? xasprintf("%s/%s", runtime_dir, wayland ? wayland : "wayland-0")
		                : NULL;
		have_wayland = path && !strchr(wayland ? wayland : "", '/') && path_exists(path);
		if (have_wayland && (sockets & BENTO_SOCKET_WAYLAND)) {
			autofree char *dest = xasprintf("%s/wayland-0", sandbox_runtime_dir);
			add_bind(sb, path, dest, 0);
			bento_strv_setenv(&sb->env, "WAYLAND_DISPLAY", "wayland-0");
		}
	}
	if (!(sockets & BENTO_SOCKET_WAYLAND) || !have_wayland)
		bento_strv_setenv(&sb->env, "WAYLAND_DISPLAY", NULL);
	bool x11 = (sockets & BENTO_SOCKET_X11) ||
	           ((sockets & BENTO_SOCKET_FALLBACK_X11) && !have_wayland);
	autofree char *xsock = x11 ? x11_socket(bento_strv_getenv(&sb->env, "DISPLAY")) : NULL;
	if (xsock && path_exists(xsock)) {
		add_dir(sb, "/tmp/.X11-unix", 01777);
		add_bind(sb, xsock, xsock, 0);
		const char *xauth = bento_strv_getenv(&sb->env, "XAUTHORITY");
		autofree char *default_xauth = xasprintf("%s/.Xauthority", sb->home);
		if (xauth == NULL)
			xauth = default_xauth;
		if (xauth[0] == '/' && path_exists(xauth)) {
			autofree char *dest = xasprintf("%s/Xauthority", sandbox_runtime_dir);
			add_bind(sb, xauth, dest, BENTO_MOUNT_RO);
			bento_strv_setenv(&sb->env, "XAUTHORITY", dest);
		} else {
			bento_strv_setenv(&sb->env, "XAUTHORITY", NULL);
		}
	} else {
		bento_strv_setenv(&sb->env, "DISPLAY", NULL);
		bento_strv_setenv(&sb->env, "XAUTHORITY", NULL);
	}
	if (sockets & BENTO_SOCKET_PULSEAUDIO) {
		autofree char *path =
		    runtime_dir ? xasprintf("%s/pulse/native", runtime_dir) : NULL;
		if (path && path_exists(path)) {
			autofree char *dest = xasprintf("%s/pulse/native", sandbox_runtime_dir);
			add_bind(sb, path, dest, 0);
			autofree char *server = xasprintf("unix:%s", dest);
			bento_strv_setenv(&sb->env, "PULSE_SERVER", server);
		}
	}
	const char *ssh = bento_strv_getenv(&sb->env, "SSH_AUTH_SOCK");
	if ((sockets & BENTO_SOCKET_SSH_AUTH) && ssh && ssh[0] == '/' && path_exists(ssh)) {
		autofree char *dest = xasprintf("%s/ssh-auth", sandbox_runtime_dir);
		add_bind(sb, ssh, dest, 0);
		bento_strv_setenv(&sb->env, "SSH_AUTH_SOCK", dest);
	} else {
		bento_strv_setenv(&sb->env, "SSH_AUTH_SOCK", NULL);
	}
	if (sockets & BENTO_SOCKET_CUPS)
		add_bind(sb, "/run/cups/cups.sock", "/run/cups/cups.sock", BENTO_MOUNT_OPTIONAL);
	if (sockets & BENTO_SOCKET_PCSC)
		add_bind(sb, "/run/pcscd/pcscd.comm", "/run/pcscd/pcscd.comm",
		         BENTO_MOUNT_OPTIONAL);
}

/* The session and system buses: the host's socket itself with
 * sockets=session-bus / system-bus, else a filtering proxy when the app has
 * bus rules, else no bus at all. */
static int add_buses(bento_sandbox *sb, const char *app_id, const bento_permissions *p,
                     unsigned sockets, const char *runtime_dir, const char *sandbox_runtime_dir,
                     bento_error **err)
{
	const char *session_address = bento_strv_getenv(&sb->env, "DBUS_SESSION_BUS_ADDRESS");
	autofree char *session_path = dbus_socket_path(session_address);
	if (session_path == NULL && runtime_dir) {
		autofree char *guess = xasprintf("%s/bus", runtime_dir);
		if (path_exists(guess))
			session_path = steal_pointer(&guess);
	}
	const char *system_address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	autofree char *system_path = dbus_socket_path(system_address);
	if (system_path == NULL)
		system_path = xstrdup("/run/dbus/system_bus_socket");

	bool session_rules = false, system_rules = false;
	for (size_t i = 0; i < p->n_session_bus; i++)
		session_rules |= p->session_bus[i].policy != BENTO_BUS_NONE;
	for (size_t i = 0; i < p->n_system_bus; i++)
		system_rules |= p->system_bus[i].policy != BENTO_BUS_NONE;

	bento_dbus_proxy_request req = {.app_id = app_id, .permissions = p};
	if (session_address && !(sockets & BENTO_SOCKET_SESSION_BUS) && session_rules)
		req.session_address = session_address;
	if (!(sockets & BENTO_SOCKET_SYSTEM_BUS) && system_rules && path_exists(system_path))
		req.system_address =
		    system_address ? system_address : "unix:path=/run/dbus/system_bus_socket";
	bento_dbus_proxy_result res = {.sync_fd = -1};
	if ((req.session_address || req.system_address) &&
	    bento_dbus_proxy_start(&req, &res, err) < 0)
		return -1;
	sb->dbus_proxy = res.pid;
	sb->dbus_proxy_sync = res.sync_fd;
	sb->dbus_proxy_dir = res.dir;

	autofree char *session_dest = xasprintf("%s/bus", sandbox_runtime_dir);
	autofree char *session_env = xasprintf("unix:path=%s", session_dest);
	const char *session_src = NULL;
	if ((sockets & BENTO_SOCKET_SESSION_BUS) && session_path && path_exists(session_path))
		session_src = session_path;
	else if (res.session_socket)
		session_src = res.session_socket;
	if (session_src) {
		add_bind(sb, session_src, session_dest, 0);
		bento_strv_setenv(&sb->env, "DBUS_SESSION_BUS_ADDRESS", session_env);
	} else {
		bento_strv_setenv(&sb->env, "DBUS_SESSION_BUS_ADDRESS", NULL);
	}
	const char *system_src = NULL;
	if ((sockets & BENTO_SOCKET_SYSTEM_BUS) && path_exists(system_path))
		system_src = system_path;
	else if (res.system_socket)
		system_src = res.system_socket;
	if (system_src) {
		add_bind(sb, system_src, "/run/dbus/system_bus_socket", 0);
		bento_strv_setenv(&sb->env, "DBUS_SYSTEM_BUS_ADDRESS",
		                  "unix:path=/run/dbus/system_bus_socket");
	} else {
		bento_strv_setenv(&sb->env, "DBUS_SYSTEM_BUS_ADDRESS", NULL);
	}
	free(res.session_socket);
	free(res.system_socket);
	return 0;
}

/* ---- /.flatpak-info ------------------------------------------------------------ */

/* What xdg-desktop-portal reads to tell which app is calling: the app id in
 * [Application], the instance in [Instance], the permissions in [Context].
 * Not where the file is on the host: none of the app's business. */
static char *flatpak_info(const bento_sandbox_config *cfg, const bento_permissions *p,
                          bool session_proxy, bool system_proxy)
{
	autofree char *context = bento_permissions_to_keyfile(p);
	return xasprintf("[Application]\n"
	                 "name=%s\n"
	                 "runtime=runtime/org.bento.Host/x86_64/1\n"
	                 "\n"
	                 "[Instance]\n"
	                 "instance-id=%ld\n"
	                 "app-path=/app\n"
	                 "arch=x86_64\n"
	                 "session-bus-proxy=%s\n"
	                 "system-bus-proxy=%s\n"
	                 "bento-version=%s\n"
	                 "\n"
	                 "%s",
	                 cfg->app_id, (long)getpid(), session_proxy ? "true" : "false",
	                 system_proxy ? "true" : "false", BENTO_VERSION, context ? context : "");
}

/* ---- the environment ---------------------------------------------------------- */

/* The caller's variables that reach the app: what a desktop program needs
 * to speak the user's language, reach the display, look, scale and take
 * input like the rest of the desktop, use the terminal and the proxy, and
 * pick the GPU driver.  Nothing else: the caller's environment holds
 * secrets (tokens, keys, credential caches, session cookies) and host
 * paths (loaders' and interpreters' search paths, TMPDIR) that are none of
 * the app's business; the app's own variables come from [Environment],
 * --env and --bento-env (bento-sandbox(7), ENVIRONMENT).  DISPLAY,
 * WAYLAND_DISPLAY, XAUTHORITY, DBUS_SESSION_BUS_ADDRESS and SSH_AUTH_SOCK
 * are read by add_sockets and add_buses, which set them to the sandbox's
 * sockets or remove them. */
static const char *const passed_variables[] = {
    /* locale and time */
    "LANG", "LANGUAGE", "TZ",
    /* the display and the desktop session */
    "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP",
    "XDG_SESSION_TYPE", "DESKTOP_SESSION", "KDE_FULL_SESSION", "KDE_SESSION_VERSION",
    /* toolkits: theme, scaling, backend */
    "GTK_THEME", "GTK_USE_PORTAL", "GDK_BACKEND", "GDK_SCALE", "GDK_DPI_SCALE", "QT_QPA_PLATFORM",
    "QT_QPA_PLATFORMTHEME", "QT_STYLE_OVERRIDE", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS",
    "QT_AUTO_SCREEN_SCALE_FACTOR", "QT_ENABLE_HIGHDPI_SCALING", "QT_SCALE_FACTOR_ROUNDING_POLICY",
    "QT_FONT_DPI", "QT_WAYLAND_DISABLE_WINDOWDECORATION", "XCURSOR_THEME", "XCURSOR_SIZE",
    "ELECTRON_OZONE_PLATFORM_HINT", "MOZ_ENABLE_WAYLAND", "SDL_VIDEODRIVER",
    "_JAVA_AWT_WM_NONREPARENTING",
    /* input methods */
    "GTK_IM_MODULE", "QT_IM_MODULE", "XMODIFIERS", "SDL_IM_MODULE", "GLFW_IM_MODULE",
    "CLUTTER_IM_MODULE",
    /* the terminal */
    "TERM", "COLORTERM", "COLUMNS", "LINES", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE",
    "FORCE_COLOR", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "VTE_VERSION",
    /* the user and their preferred programs (found in the sandbox) */
    "USER", "LOGNAME", "SHELL", "EDITOR", "VISUAL", "PAGER",
    /* proxies, both spellings */
    "http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY",
    "FTP_PROXY", "ALL_PROXY", "NO_PROXY",
    /* which of the host's GPU drivers (by name, never by path) */
    "__GLX_VENDOR_LIBRARY_NAME", "__NV_PRIME_RENDER_OFFLOAD", "__NV_PRIME_RENDER_OFFLOAD_PROVIDER",
    "__VK_LAYER_NV_optimus", "DRI_PRIME", "MESA_LOADER_DRIVER_OVERRIDE", "LIBGL_ALWAYS_SOFTWARE",
    "GALLIUM_DRIVER", "MESA_VK_DEVICE_SELECT", "LIBVA_DRIVER_NAME", "VDPAU_DRIVER",
    /* the buses and the SSH agent, for add_buses and add_sockets */
    "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK"};

/* item ("NAME=VALUE") is one of passed_variables, or LC_*. */
static bool passed_variable(const char *item)
{
	size_t n = strcspn(item, "=");
	if (item[n] != '=')
		return false;
	if (strncmp(item, "LC_", 3) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(passed_variables); i++)
		if (strlen(passed_variables[i]) == n && strncmp(item, passed_variables[i], n) == 0)
			return true;
	return false;
}

/* A search path with its empty and relative elements removed: an empty
 * element means the current directory to the dynamic loader, which an
 * attacker may control (CVE-2020-27348). */
static char *clean_search_path(const char *value)
{
	autofree char *copy = xstrdup(value);
	char *out = xcalloc(1, strlen(value) + 1);
	char *rest = copy;
	for (char *el; (el = strsep(&rest, ":")) != NULL;) {
		if (el[0] != '/')
			continue;
		if (out[0])
			strcat(out, ":");
		strcat(out, el);
	}
	return out;
}

static void build_environment(bento_sandbox *sb, const char *app_id, char *const *host_env,
                              const char *sandbox_runtime_dir)
{
	for (char *const *e = host_env; *e; e++)
		if (passed_variable(*e))
			bento_strv_add(&sb->env, xstrdup(*e));
	autofree char *data = xasprintf("%s/.var/app/%s", sb->home, app_id);
	struct {
		const char *name, *sub;
	} xdg[] = {{"XDG_CONFIG_HOME", "config"},
	           {"XDG_DATA_HOME", "data"},
	           {"XDG_CACHE_HOME", "cache"},
	           {"XDG_STATE_HOME", ".local/state"}};
	for (size_t i = 0; i < ARRAY_SIZE(xdg); i++) {
		autofree char *v = xasprintf("%s/%s", data, xdg[i].sub);
		bento_strv_setenv(&sb->env, xdg[i].name, v);
	}
	bento_strv_setenv(&sb->env, "HOME", sb->home);
	bento_strv_setenv(&sb->env, "PATH", "/app/bin:/app/usr/bin:/usr/local/bin:/usr/bin:/bin");
	bento_strv_setenv(&sb->env, "XDG_RUNTIME_DIR", sandbox_runtime_dir);
	bento_strv_setenv(&sb->env, "XDG_DATA_DIRS", "/app/share:/app/usr/share:/usr/share");
	bento_strv_setenv(&sb->env, "XDG_CONFIG_DIRS", "/app/etc/xdg:/etc/xdg");
	bento_strv_setenv(&sb->env, "container", "bento");
	bento_strv_setenv(&sb->env, "FLATPAK_ID", app_id);
	bento_strv_setenv(&sb->env, "BENTO_APP_ID", app_id);
}

/* [Environment] of the metadata, after the sandbox's own. */
static void apply_app_environment(bento_sandbox *sb, const bento_permissions *p)
{
	for (size_t i = 0; i < p->n_env; i++) {
		const bento_env_var *v = &p->env[i];
		if (v->value &&
		    (strcmp(v->name, "LD_LIBRARY_PATH") == 0 || strcmp(v->name, "PATH") == 0)) {
			autofree char *clean = clean_search_path(v->value);
			bento_strv_setenv(&sb->env, v->name, clean[0] ? clean : NULL);
			continue;
		}
		bento_strv_setenv(&sb->env, v->name, v->value);
	}
}

/* ---- the plan ------------------------------------------------------------------ */

int bento_sandbox_prepare(const bento_sandbox_config *cfg, char *const *host_env,
                          bento_sandbox **out, bento_error **err)
{
	static const bento_permissions none;
	const bento_permissions *p = cfg->permissions ? cfg->permissions : &none;
	auto_bento_sandbox sb = xcalloc(1, sizeof(*sb));
	sb->dbus_proxy_sync = -1;
	sb->root = xstrdup(cfg->root);
	sb->uid = cfg->uid;
	sb->gid = cfg->gid;
	sb->home = bento_user_home(cfg->uid);
	char host[256] = "bento";
	if (gethostname(host, sizeof(host) - 1) == 0)
		host[sizeof(host) - 1] = '\0';
	sb->hostname = xstrdup(host);

	bool network = (p->shared.enabled & BENTO_SHARE_NETWORK) != 0;
	sb->clone_flags = CLONE_NEWUTS | CLONE_NEWCGROUP;
	if (!(p->shared.enabled & BENTO_SHARE_IPC))
		sb->clone_flags |= CLONE_NEWIPC;
	if (!network) {
		sb->clone_flags |= CLONE_NEWNET;
		sb->loopback = true;
	}

	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
	if (runtime_dir && (runtime_dir[0] != '/' || strstr(runtime_dir, "..")))
		runtime_dir = NULL;
	autofree char *sandbox_runtime_dir = xasprintf("/run/user/%u", (unsigned)cfg->uid);
	build_environment(sb, cfg->app_id, host_env, sandbox_runtime_dir);

	/* The root, and the image in it. */
	add_tmpfs(sb, "/", 0755, bento_limit_value(p, BENTO_LIMIT_ROOT_SIZE));
	add_dir(sb, "/app", 0755);
	if (cfg->app_dir)
		add_bind(sb, cfg->app_dir, "/app", cfg->app_dir_writable ? 0 : BENTO_MOUNT_RO);
	else
		add_op(sb, BENTO_MOUNT_IMAGE, 0, NULL, "/app");
	if (!cfg->no_host_os)
		add_host_os(sb, "");
	add_usr_overlay(sb, cfg);
	add_etc(sb, network);
	add_dir(sb, "/proc", 0555);
	add_dev(sb, p);
	add_sys(sb);
	add_tmpfs(sb, "/tmp", 01777, bento_limit_value(p, BENTO_LIMIT_TMP_SIZE));
	add_dir(sb, "/var", 0755);
	add_symlink(sb, "/tmp", "/var/tmp");
	add_tmpfs(sb, "/run", 0755, bento_limit_value(p, BENTO_LIMIT_RUN_SIZE));
	add_dir(sb, sandbox_runtime_dir, 0700);
	add_dir(sb, sb->home, 0700);

	add_filesystems(sb, p, runtime_dir, sandbox_runtime_dir);
	if (!cfg->build && add_app_data(sb, cfg->app_id, p, err) < 0)
		return -1;
	add_sockets(sb, p->sockets.enabled, runtime_dir, sandbox_runtime_dir);
	if (!cfg->build && add_buses(sb, cfg->app_id, p, p->sockets.enabled, runtime_dir,
	                             sandbox_runtime_dir, err) < 0)
		return -1;
	if (cfg->build)
		bento_strv_setenv(&sb->env, "DBUS_SESSION_BUS_ADDRESS", NULL);
	for (size_t i = 0; i < cfg->n_extra; i++) {
		const bento_mount_op *e = &cfg->extra[i];
		bento_mount_op *op = add_op(sb, e->kind, e->flags, e->src, e->dest);
		op->mode = e->mode;
		op->size = e->size;
		op->beneath = e->beneath ? xstrdup(e->beneath) : NULL;
	}
	autofree char *info = flatpak_info(cfg, p, sb->dbus_proxy > 0, false);
	add_file(sb, info, "/.flatpak-info");
	apply_app_environment(sb, p);

	bento_sandbox_pids_prepare(sb, bento_limit_value(p, BENTO_LIMIT_PROCESSES));
	sb->filter = bento_seccomp_app_filter((p->features.enabled & BENTO_FEATURE_DEVEL) != 0,
	                                      (p->features.enabled & BENTO_FEATURE_MULTIARCH) != 0);
	*out = steal_pointer(&sb);
	return 0;
}

void bento_sandbox_app_started(bento_sandbox *sb)
{
	/* The proxy's sockets are bound into the sandbox and the proxy keeps
	 * listening: their names on the host are no longer needed. */
	if (sb->dbus_proxy_dir) {
		bento_remove_tree(sb->dbus_proxy_dir, NULL);
		free(sb->dbus_proxy_dir);
		sb->dbus_proxy_dir = NULL;
	}
}

void bento_sandbox_free(bento_sandbox *sb)
{
	for (size_t i = 0; i < sb->n_ops; i++) {
		free(sb->ops[i].src);
		free(sb->ops[i].beneath);
		free(sb->ops[i].dest);
	}
	free(sb->ops);
	free(sb->protected);
	free(sb->usr_overlay);
	bento_strv_free(&sb->env);
	bento_sandbox_pids_free(sb->pids);
	bento_dbus_proxy_stop(sb->dbus_proxy, sb->dbus_proxy_sync, sb->dbus_proxy_dir);
	free(sb->dbus_proxy_dir);
	free(sb->root);
	free(sb->home);
	free(sb->hostname);
	free(sb);
}

/* ---- when user namespaces are refused ------------------------------------------ */

static long read_sysctl(const char *path)
{
	autofree char *data = NULL;
	size_t len = 0;
	if (bento_read_file_at(AT_FDCWD, path, 64, &data, &len, NULL) < 0 || len == 0)
		return -1;
	char *end;
	long value = strtol(data, &end, 10);
	return end == data ? -1 : value;
}

char *bento_userns_refusal_reason(int errnum)
{
	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return xasprintf(
		    "AppArmor refuses unprivileged user namespaces "
		    "(kernel.apparmor_restrict_unprivileged_userns=1); allow them with "
		    "`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor "
		    "profile for this file");
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return xasprintf("the kernel refuses unprivileged user namespaces "
		                 "(kernel.unprivileged_userns_clone=0); allow them with "
		                 "`sudo sysctl kernel.unprivileged_userns_clone=1`");
	if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
		return xasprintf("user namespaces are disabled (user.max_user_namespaces=0); "
		                 "allow them with `sudo sysctl user.max_user_namespaces=15000`");
	if (errnum == ENOSPC)
		return xasprintf("the limit of user namespaces is reached "
		                 "(user.max_user_namespaces); raise it with sysctl");
	return xasprintf("the system refuses unprivileged user namespaces (%s), perhaps a "
	                 "container's or a security module's seccomp policy; run the file "
	                 "outside that container or allow user namespaces in it",
	                 strerror(errnum));
}
