/* SPDX-License-Identifier: MIT */
/* The build manifest (manifests/foo.yml): what an app is, which permissions
 * it asks for, which modules make it and where their sources come from.
 * bento-manifest(5) describes the format; this is its data model.
 *
 * bento_manifest_load() reads and checks a whole manifest: every error in the
 * file is reported (not only the first), each as "FILE:LINE:COLUMN: what was
 * found, what was expected".  A loaded manifest is valid: the other parts of
 * the builder may rely on every rule the man page states (ids, names, paths
 * that stay inside, checksums, URL schemes, option values). */
#ifndef BENTO_BUILDER_MANIFEST_H
#define BENTO_BUILDER_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "permissions/permissions.h" /* bento_env_var */

/* Largest manifest file accepted, most modules, deepest nesting of modules. */
#define BENTO_MANIFEST_MAX_SIZE (1024 * 1024)
#define BENTO_MANIFEST_MAX_MODULES 1000
#define BENTO_MANIFEST_MAX_MODULE_DEPTH 16

/* Exit status of `bento-builder check` (and err->status of a failed load)
 * for a manifest that is unreadable or invalid. */
#define BENTO_EXIT_MANIFEST 1

typedef enum bento_buildsystem {
	BENTO_BUILD_SIMPLE,      /* build-commands only */
	BENTO_BUILD_AUTOTOOLS,   /* ./configure --prefix=PREFIX; make; make install */
	BENTO_BUILD_CMAKE,       /* cmake with Unix Makefiles */
	BENTO_BUILD_CMAKE_NINJA, /* cmake -G Ninja */
	BENTO_BUILD_MESON,       /* meson setup; ninja; ninja install */
} bento_buildsystem;

typedef enum bento_source_type {
	BENTO_SOURCE_ARCHIVE, /* a tar or zip archive, unpacked */
	BENTO_SOURCE_FILE,    /* one file, copied */
	BENTO_SOURCE_DIR,     /* a local directory, copied */
	BENTO_SOURCE_PATCH,   /* a patch applied with patch(1) */
	BENTO_SOURCE_DEB,     /* a Debian binary package: its data unpacked into /app */
	BENTO_SOURCE_SHELL,   /* commands run in the source directory */
	BENTO_SOURCE_APT,     /* Debian packages by name, resolved with apt (sources/apt.h) */
} bento_source_type;

/* Lists of strings are NULL-terminated arrays, never NULL themselves (an
 * absent key gives an empty list). */

typedef struct bento_source {
	bento_source_type type;
	char *url;                 /* http://, https:// or file:// URL, or NULL */
	char *path;                /* a local file or directory as an absolute path (relative
	                              paths are resolved against the manifest's directory), or NULL */
	char *sha256;              /* 64 lowercase hex digits; set whenever url is */
	unsigned strip_components; /* archive, patch: leading path elements dropped (default 1) */
	char *dest;                /* relative directory in the module's source tree, or NULL */
	char *dest_filename;       /* file: the name to give the file (default: the url's
	                              or path's last element) */
	char **options;            /* patch: extra arguments to patch(1) */
	char **commands;           /* shell: command lines for sh -c */
	char **packages;           /* apt: package names, as given */
	char **exclude;            /* apt: packages left out (taken as the host's) */
	char *suite;               /* apt: the archive's suite ("bookworm") */
	char **components;         /* apt: its components (default: main) */
	char *key;                 /* apt: absolute path of the archive's OpenPGP public key */
	int line, column;          /* where the source starts in the manifest */
} bento_source;

typedef struct bento_build_options {
	char *cflags, *cxxflags, *ldflags; /* NULL when not set */
	char *prefix;                      /* "/app" or a directory below it */
	bento_env_var *env;                /* variables set for the build, in manifest order */
	size_t n_env;
	bool network; /* the build may reach the network (default false) */
} bento_build_options;

typedef struct bento_module {
	char *name; /* unique in the manifest: [A-Za-z0-9][A-Za-z0-9._+-]* */
	bento_buildsystem buildsystem;
	char **config_opts;       /* arguments to configure, cmake or meson setup */
	char **make_args;         /* arguments to make or ninja */
	char **make_install_args; /* arguments to make install or ninja install */
	char **build_commands;    /* command lines; for simple, the whole build */
	char **post_install;      /* command lines run after the install step */
	char **cleanup;           /* "/path/below/prefix" or "name-pattern" (any depth) */
	char *subdir;             /* relative directory of the sources to build in, or NULL */
	bento_build_options build_options;
	bento_source *sources;
	size_t n_sources;
	struct bento_module *modules; /* nested modules: built before this one */
	size_t n_modules;
	int line, column; /* where the module starts in the manifest */
} bento_module;

typedef struct bento_manifest_permissions {
	char **shared;      /* network, ipc */
	char **sockets;     /* x11, wayland, fallback-x11, pulseaudio, session-bus, ... */
	char **devices;     /* dri, kvm, input, shm, all */
	char **features;    /* devel, multiarch */
	char **filesystems; /* home, host, xdg-download/sub, ~/path, /path, with :ro :rw :create */
	char **persistent;  /* relative paths below $HOME */
	char **talk_names, **own_names;               /* session bus names or "prefix.*" */
	char **system_talk_names, **system_own_names; /* system bus names */
	bento_env_var *env;                           /* environment of the app */
	size_t n_env;
} bento_manifest_permissions;

/* "glibc:": whether the image carries the build host's C library (and
 * libstdc++), for systems whose own is older (bento-manifest(5)). */
typedef enum bento_glibc_mode {
	BENTO_GLIBC_AUTO,   /* when the app needs a glibc newer than the oldest supported */
	BENTO_GLIBC_BUNDLE, /* always */
	BENTO_GLIBC_HOST,   /* never: the file requires the glibc it was built against */
} bento_glibc_mode;

typedef struct bento_bundle {
	char *compression;        /* gzip, xz, lz4 or zstd (default zstd) */
	int compressor;           /* the same as an SQFS_COMPRESSOR id */
	int level;                /* BENTO_SQFS_DEFAULT_LEVEL (-1) for the compressor's own */
	uint32_t block_size;      /* power of two, 4096 .. 1048576 (default 131072) */
	char *update_information; /* "zsync|URL" or "gh-releases-zsync|...", or NULL */
	char *sign_key;           /* gpg key id or fingerprint, or NULL: not signed */
} bento_bundle;

typedef struct bento_manifest {
	char *path;     /* the manifest file as it was named */
	char *base_dir; /* its directory, absolute: relative paths are resolved against it */
	char *id;       /* reverse-DNS app id */
	char *name, *version, *summary, *license; /* summary and license may be NULL */
	char *command;                            /* relative to /app, e.g. "bin/hello" */
	bento_manifest_permissions permissions;
	/* Commands by name ("commands:"), NAME -> path relative to /app; the
	 * default's path is command.  Empty (and NULL) for a single command. */
	bento_env_var *commands;
	size_t n_commands;
	char *desktop;   /* absolute path of the .desktop file, or NULL: generated */
	char *icon;      /* absolute path of the icon (.png, .svg, .svgz, .xpm), or NULL:
	                    generated (only for a terminal app) */
	char *appstream; /* absolute path of the AppStream metainfo, or NULL: generated */
	/* Given as /app/PATH: the field above is PATH, relative to the AppDir,
	 * and is read from there (through no link that leaves it) once the
	 * modules are built. */
	bool desktop_in_appdir, icon_in_appdir, appstream_in_appdir;
	/* The generated desktop entry's keys. */
	bool terminal;     /* Terminal=true */
	char **categories; /* Categories=, each a registered category or X-...; one
	                      main category at least (default: Utility) */
	char **keywords;   /* Keywords= */
	char **mime_types; /* MimeType=, each TYPE/SUBTYPE */
	bento_bundle bundle;
	bool python_compile;    /* python-compile: byte-compile Python modules (default true) */
	bento_glibc_mode glibc; /* glibc: auto (default), bundle or host */
	bento_module *modules;  /* top level modules, in manifest order */
	size_t n_modules;
	/* Every module in build order: depth first, a module's nested modules
	 * (in their order) before the module itself.  Points into modules. */
	const bento_module **build_order;
	size_t n_build_order;
} bento_manifest;

/* Reads and checks the manifest at path.  On failure *err says why: for an
 * invalid manifest its message is "PATH: invalid manifest (N errors)"
 * followed by one line per error, "PATH:LINE:COLUMN: message", in file order;
 * err->status is BENTO_EXIT_MANIFEST.  Every local file the manifest names
 * (path:, icon, desktop, appstream, file: URLs) must lie, its symlinks
 * followed, below source_root; NULL means the repository the manifest is in
 * (the closest directory up from it with a .git), or its own directory. */
int bento_manifest_load(const char *path, const char *source_root, bento_manifest **out,
                        bento_error **err);

/* The same for a manifest already in memory: name is used in messages,
 * base_dir (absolute) resolves relative paths, source_root (canonical;
 * NULL: base_dir) bounds them.  data need not be NUL-terminated. */
int bento_manifest_parse(const char *name, const char *base_dir, const char *source_root,
                         const char *data, size_t len, bento_manifest **out, bento_error **err);

void bento_manifest_free(bento_manifest *m);

static inline void bento_manifest_freep(bento_manifest **m)
{
	if (*m)
		bento_manifest_free(*m);
}
#define auto_bento_manifest __attribute__((cleanup(bento_manifest_freep))) bento_manifest *

/* "simple", "autotools", ... and "archive", "file", ... */
const char *bento_buildsystem_name(bento_buildsystem b);
const char *bento_source_type_name(bento_source_type t);

/* A stable text of everything in one module that affects what building it
 * produces: its name, build system, every option list, subdir, build
 * options and sources, in a fixed order with escaped values (format in
 * bento-manifest(5)).  Nested modules are not part of it: the builder chains
 * the hashes of the modules in build order.  The contents of local files and
 * directories (path sources) are not part of it either: the builder hashes
 * them.  The caller frees the result. */
char *bento_module_canonical(const bento_module *mod);

#endif
