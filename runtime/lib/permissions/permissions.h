/* SPDX-License-Identifier: MIT */
/* What an app may reach outside its sandbox, in Flatpak's vocabulary.
 *
 * Permissions come in layers: the image's .bento/metadata, then the user's
 * lasting overrides (`bento override APPID ...`), then the options of one run
 * (`bento run --share=network ...`).  Every layer may grant or revoke: for
 * the flag sets a layer records which flags it speaks about (`valid`) and
 * their value (`enabled`); for filesystems it records a mode or a removal.
 * bento_permissions_merge applies a layer on top of the result so far. */
#ifndef BENTO_PERMISSIONS_H
#define BENTO_PERMISSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "permissions/requires.h"

/* [Context] shared= */
enum {
	BENTO_SHARE_NETWORK = 1u << 0,
	BENTO_SHARE_IPC = 1u << 1,
};

/* [Context] sockets= */
enum {
	BENTO_SOCKET_X11 = 1u << 0,
	BENTO_SOCKET_WAYLAND = 1u << 1,
	BENTO_SOCKET_FALLBACK_X11 = 1u << 2, /* X11 only when there is no Wayland */
	BENTO_SOCKET_PULSEAUDIO = 1u << 3,
	BENTO_SOCKET_SESSION_BUS = 1u << 4, /* the whole session bus, unfiltered */
	BENTO_SOCKET_SYSTEM_BUS = 1u << 5,  /* the whole system bus, unfiltered */
	BENTO_SOCKET_SSH_AUTH = 1u << 6,
	BENTO_SOCKET_CUPS = 1u << 7,
	BENTO_SOCKET_PCSC = 1u << 8,
};

/* [Context] devices= */
enum {
	BENTO_DEVICE_DRI = 1u << 0,
	BENTO_DEVICE_KVM = 1u << 1,
	BENTO_DEVICE_INPUT = 1u << 2,
	BENTO_DEVICE_SHM = 1u << 3,
	BENTO_DEVICE_ALL = 1u << 4,
};

/* [Context] features= */
enum {
	BENTO_FEATURE_DEVEL = 1u << 0,     /* ptrace, perf_event_open, personality */
	BENTO_FEATURE_MULTIARCH = 1u << 1, /* 32-bit x86 syscalls */
};

/* The values the [Context] key (shared, sockets, devices or features)
 * takes, NULL-terminated, in the order of their bits (the first is 1u << 0
 * of the enum above); NULL for another key. */
const char *const *bento_permission_flag_names(const char *key);

/* A set of flags as one layer states it. */
typedef struct bento_flags {
	unsigned enabled; /* flags granted (a subset of valid) */
	unsigned valid;   /* flags this layer grants or revokes */
} bento_flags;

typedef enum bento_fs_mode {
	BENTO_FS_REMOVE = 0, /* nofilesystem=: revoke an earlier grant */
	BENTO_FS_RO,
	BENTO_FS_RW,
	BENTO_FS_CREATE, /* rw, and created on the host if missing */
} bento_fs_mode;

/* One filesystems= entry.  location is as written, validated and without
 * the mode suffix: "home", "host", "host-os", "host-etc", "xdg-download",
 * "xdg-documents/sub", "~/path" or "/path" (no "..", no empty element). */
typedef struct bento_fs_grant {
	char *location;
	bento_fs_mode mode;
} bento_fs_grant;

/* Whether name is one of the locations filesystems= knows by name ("home",
 * "host", "xdg-download"...: not "~/PATH" or "/PATH"), without a subpath or
 * mode. */
bool bento_fs_location_known(const char *name);

typedef enum bento_bus_policy {
	BENTO_BUS_NONE = 0, /* revokes an earlier rule */
	BENTO_BUS_SEE,
	BENTO_BUS_TALK,
	BENTO_BUS_OWN,
} bento_bus_policy;

typedef struct bento_bus_rule {
	char *name; /* a bus name, or a prefix ending in ".*" */
	bento_bus_policy policy;
} bento_bus_rule;

/* [Limits]: what the sandbox's own tmpfs mounts may hold, in bytes, and how
 * many processes (and threads) it may run at once.  0: the layer does not
 * say; the default of bento-sandbox(7) applies (bento_limit_value). */
typedef enum bento_limit {
	BENTO_LIMIT_ROOT_SIZE, /* root-size: the root's tmpfs */
	BENTO_LIMIT_DEV_SIZE,  /* dev-size: /dev */
	BENTO_LIMIT_SHM_SIZE,  /* shm-size: /dev/shm */
	BENTO_LIMIT_RUN_SIZE,  /* run-size: /run, XDG_RUNTIME_DIR among it */
	BENTO_LIMIT_TMP_SIZE,  /* tmp-size: /tmp */
	BENTO_LIMIT_PROCESSES, /* processes */
	BENTO_N_LIMITS
} bento_limit;

/* One environment change: value NULL unsets the variable. */
typedef struct bento_env_var {
	char *name;
	char *value;
} bento_env_var;

typedef struct bento_permissions {
	bento_flags shared, sockets, devices, features;
	bento_fs_grant *filesystems;
	size_t n_filesystems;
	char **persistent; /* relative paths under $HOME, kept per app */
	size_t n_persistent;
	bento_bus_rule *session_bus, *system_bus;
	size_t n_session_bus, n_system_bus;
	bento_env_var *env;
	size_t n_env;
	uint64_t limits[BENTO_N_LIMITS];
} bento_permissions;

/* The limit which as p states it, or its default. */
uint64_t bento_limit_value(const bento_permissions *p, bento_limit which);

void bento_permissions_clear(bento_permissions *p);

/* Applies layer on top of base: flags the layer states replace the base's;
 * a filesystem, bus name or variable the layer names replaces (or removes)
 * the base's entry of the same name; "nofilesystem=host" removes every
 * filesystem grant. */
void bento_permissions_merge(bento_permissions *base, const bento_permissions *layer);

/* Applies one command-line style option to a layer: option is the name
 * without dashes ("share", "unshare", "socket", "nosocket", "device",
 * "nodevice", "allow", "disallow", "filesystem", "nofilesystem", "persist",
 * "env", "unset-env", "limit" (KEY=VALUE of [Limits]), "talk-name",
 * "no-talk-name", "own-name", "see-name", "system-talk-name",
 * "system-no-talk-name", "system-own-name"), value its
 * argument.  Returns 1 when option is not a permission option. */
int bento_permissions_apply_option(bento_permissions *layer, const char *option, const char *value,
                                   bento_error **err);

/* The layer as key-file groups ([Context], bus policies, [Environment],
 * [Limits]),
 * using "!name" for revoked flags and "!location" for removed filesystems:
 * the format of override files and of /.flatpak-info's [Context]. */
char *bento_permissions_to_keyfile(const bento_permissions *layer);

/* The option names bento_permissions_apply_option knows (see above, plus
 * "system-see-name"), NULL-terminated: for getopt tables. */
extern const char *const bento_permission_options[];

/* Applies several options written in one string, separated by blanks:
 * "--share=network --nofilesystem=home" (the runtime's --bento-permissions=).
 * A value cannot contain a blank. */
int bento_permissions_apply_words(bento_permissions *layer, const char *words, bento_error **err);

/* Whether the layer states nothing at all. */
bool bento_permissions_empty(const bento_permissions *p);

/* Lists the permissions in plain words, one per line, each line starting
 * with indent ("Network: yes", "Files: your home folder (read/write)"...). */
void bento_permissions_describe(const bento_permissions *p, const char *indent, FILE *out);

/* [Application] usr-overlay: whether the sandbox's /usr layers the image
 * over the host's (bento-metadata(5)).  Unset means yes, quietly. */
typedef enum bento_usr_overlay {
	BENTO_USR_OVERLAY_DEFAULT, /* the key is absent: on, a refusal noted for debugging */
	BENTO_USR_OVERLAY_ON,      /* usr-overlay=true: on, a refusal is a warning */
	BENTO_USR_OVERLAY_OFF,     /* usr-overlay=false: the host's /usr alone */
} bento_usr_overlay;

/* The application description of an image: .bento/metadata parsed. */
typedef struct bento_metadata {
	char *app_id;  /* [Application] name, validated */
	char *command; /* [Application] command, a path inside the image, or NULL */
	/* [Commands]: more commands by name (NAME -> path inside the image), in
	 * file order; command is the default. */
	bento_env_var *commands;
	size_t n_commands;
	bento_permissions permissions;
	bento_usr_overlay usr_overlay;
	bento_requirements requirements; /* [Requires] */
	bool present;                    /* the image has .bento/metadata */
} bento_metadata;

/* Parses a .bento/metadata (or override file) text, as bento-metadata(5)
 * describes it.  name is used in messages ("NAME:LINE: ...").  Unknown keys
 * and groups are reported on stderr as warnings; malformed lines, unknown
 * values and invalid app ids are errors (status BENTO_EXIT_RUNTIME).  *out
 * needs no initialisation; free it with bento_metadata_clear(). */
int bento_metadata_parse(const char *name, const char *data, size_t len, bento_metadata *out,
                         bento_error **err);
void bento_metadata_clear(bento_metadata *md);

/* Whether id is acceptable as an app id: 1 to 255 bytes, no '/', no "..",
 * no NUL, no leading '.'; reverse-DNS (at least three dot-separated elements
 * of [A-Za-z0-9_-]).  Like D-Bus names (an app may own its id on the bus), no
 * element starts with a digit; and the id does not start with '-'.  Since
 * the app owns its id and the names below it on the session bus, ids under a
 * prefix of the desktop's own services (org.freedesktop., org.gnome.,
 * org.kde. ...: bento_app_id_reserved_prefix) are refused. */
bool bento_app_id_valid(const char *id, size_t len);

/* Why id is not a valid app id ("contains '/'", ...), or NULL if it is. */
const char *bento_app_id_problem(const char *id, size_t len);

/* The reserved prefix id starts with (compared without case), or NULL. */
const char *bento_app_id_reserved_prefix(const char *id, size_t len);

/* Why the app app_id may not own the bus name (or prefix "a.b.*") name, or
 * NULL when it may: its id, the names below it and
 * org.mpris.MediaPlayer2.APPID (and below). */
const char *bento_bus_own_problem(const char *app_id, const char *name);

/* The command a launch runs, as bento-metadata(5) COMMANDS says: name
 * (--bento-command=NAME) must be one of [Commands] (otherwise an error that
 * lists them, status BENTO_EXIT_RUNTIME); without it, the command named
 * like the last element of argv0 (a symbolic link named after it, busybox
 * style) unless that is the file's own name (appimage's last element);
 * otherwise the default: command, or "AppRun".  *path points into md. */
int bento_metadata_choose_command(const bento_metadata *md, const char *name, const char *argv0,
                                  const char *appimage, const char **path, bento_error **err);

/* Checks [Application] command: a relative path inside the image without
 * empty, "." or ".." elements or control characters. */
int bento_command_check(const char *command, bento_error **err);

#endif
