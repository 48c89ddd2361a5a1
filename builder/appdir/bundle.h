/* SPDX-License-Identifier: MIT */
/* Library bundling: makes an AppDir carry every shared library its ELF files
 * need, except those that must come from the host (builder/excludelist), and
 * makes the dynamic loader find the bundled ones.
 *
 * The AppDir is the app's /app: the sandbox mounts the image there, so an
 * absolute /app/... path in a RUNPATH or a DT_NEEDED means the AppDir.
 *
 * How a DT_NEEDED name is looked for, as ld.so does (LD_LIBRARY_PATH left
 * out: the sandbox drops it):
 *   1. a name with a '/' is a path (only absolute /app/... ones can work,
 *      and no other is looked for);
 *   2. unless the object has a DT_RUNPATH: the DT_RPATH of the object, then
 *      of the object that loaded it, ... up to the executable;
 *   3. the object's DT_RUNPATH;
 *   4. while bundling only: the AppDir's lib, lib/MULTIARCH and lib64;
 *   5. while bundling only: the host, in the order of its ld.so.cache
 *      (`ldconfig -p`), then /lib/MULTIARCH, /usr/lib/MULTIARCH, /lib64,
 *      /usr/lib64, /lib, /usr/lib.
 * In paths, $ORIGIN and ${ORIGIN} expand to the directory of the object's
 * real file; an element that is empty, relative or uses another $TOKEN is
 * skipped ($LIB and $PLATFORM differ from host to host).  The ELF files of the
 * AppDir are the build's, so they do not choose which of the host's files go
 * into the image: their RPATHs and RUNPATHs, and the AppDir's lib
 * directories, lead only to files that really lie in the AppDir (a host
 * directory they name, one $ORIGIN/.. climbs to, a link out of the AppDir,
 * are not searched); the host is searched in step 5 only.  A host library's
 * own RPATH or RUNPATH is the distribution's, and followed.  A candidate counts
 * only if its ELF class, byte order and machine are the requester's.  A name
 * on the exclude list is the host's: it is not looked for and its own needs
 * are not followed.  A name already loaded (as DT_NEEDED name or SONAME) is
 * not looked for again.
 *
 * Bundling copies each library found on the host into APPDIR/lib under the
 * name it was asked for (the real file, not a symbolic link; its permission
 * bits kept), then gives every ELF file of the AppDir whose needs were found
 * only through step 4 a RUNPATH ($ORIGIN/relative) that reaches them, with
 * patchelf.  An AppDir file's RPATH or RUNPATH element /usr/X is a package's
 * own directory (libpulse's /usr/lib/MULTIARCH/pulseaudio): while bundling it
 * is searched as /app/X, and rewritten $ORIGIN-relative to it.  RUNPATH rather than
 * LD_LIBRARY_PATH: it travels with each file, so the app's command works whether it is started by
 * AppRun, by the bento runtime or by another program of the app, and the processes the app starts
 * (host programs among them) do not inherit a library path that would load
 * the app's libraries into them. */
#ifndef BENTO_BUILDER_BUNDLE_H
#define BENTO_BUILDER_BUNDLE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "core/util.h"
#include "sandbox/sandbox.h"

typedef int (*bento_bundle_run_fn)(void *data, char *const argv[], char *const envp[],
                                   char **output, int *status, bento_error **err);

typedef struct bento_bundle_options {
	/* The exclude list's text (builder/excludelist's format); NULL: the
	 * one built into bento-builder. */
	const char *exclude_list;
	/* Where to say what is copied and patched; NULL: nowhere. */
	FILE *log;
	/* Where to list, in one line, the libraries copied from this system
	 * (a publisher sees what the file carries of the host's); NULL:
	 * nowhere. */
	FILE *summary;
	/* Runs patchelf (argv, with envp added to the environment) in a
	 * sandbox that holds the AppDir, writable, at /app and the host's /usr
	 * (as bento_bundle_check_in_sandbox's run does): argv names the files by
	 * their /app paths.  NULL: patchelf runs on the host, on the files'
	 * own paths. */
	bento_bundle_run_fn run_patchelf;
	void *run_data;
	/* The package that provides a library no search finds, for the
	 * message ("libfoo1"; freed), or NULL; NULL: no such hint.  The
	 * build's is sources/apt.h's bento_apt_library_package. */
	char *(*library_package)(void *data, const char *library);
	void *library_package_data;
} bento_bundle_options;

/* The exclude list built into bento-builder (builder/excludelist). */
const char *bento_bundle_builtin_exclude_list(void);

/* Copies the missing libraries into appdir, sets the RUNPATHs, then runs
 * bento_bundle_check.  Fails before changing anything if a library cannot be found
 * at all, naming each file and the library it needs. */
int bento_bundle_libraries(const char *appdir, const bento_bundle_options *o, bento_error **err);

/* The static check: every ELF file in appdir finds each library it needs,
 * transitively, the way ld.so will at run time: inside the AppDir (through
 * the RPATHs and RUNPATHs) or on the exclude list (from the host).  The error
 * lists each file and the library it cannot find. */
int bento_bundle_check(const char *appdir, const bento_bundle_options *o, bento_error **err);

/* ---- The run-time check ----
 * bento_bundle_check_in_sandbox asks the dynamic loader itself: for every ELF file
 * of the AppDir it runs LOADER /app/REL with LD_TRACE_LOADED_OBJECTS=1 (what
 * ldd does: the loader lists what it finds and runs nothing) through run,
 * which must run the command inside a sandbox that holds only the AppDir at
 * /app and the host's excluded libraries, with envp as its whole environment.
 * The build's run (build/build.c) is its check sandbox; the test helper
 * tests/helpers/loadercheck.c's is bwrap.  run sets *output
 * (the command's stdout and stderr) and *status (its exit status) and fails
 * only when it cannot run the command.  Each "=> not found" the loader reports
 * becomes a line of the error. */
int bento_bundle_check_in_sandbox(const char *appdir, bento_bundle_run_fn run, void *data,
                                  bento_error **err);

/* Bind mounts, for that sandbox, of the host's excluded libraries at the
 * paths of the host's ld.so.cache (the dynamic loader among them).  Free with
 * bento_bundle_host_excluded_paths_free. */
int bento_bundle_host_excluded_paths(const bento_bundle_options *o, bento_mount_op **ops,
                                     size_t *n_ops, bento_error **err);
void bento_bundle_host_excluded_paths_free(bento_mount_op *ops, size_t n_ops);

/* ---- What the app takes from the host ----
 * A library on the exclude list that an ELF file of the AppDir needs, or
 * that such a library needs in turn (excluded or not), and the file this
 * system has for it (as ld.so would find it here). */
typedef struct bento_bundle_host_lib {
	char *name;        /* the DT_NEEDED name */
	char *path;        /* this system's file (its real path), or NULL: none */
	bool direct;       /* an ELF file of the AppDir needs it */
	bool excluded;     /* on the exclude list */
	bool looked_up;    /* (while it is collected) */
	bento_strv needed; /* its own DT_NEEDED names (none when path is NULL) */
} bento_bundle_host_lib;

typedef struct bento_bundle_needs {
	bento_strv elf_files;        /* the AppDir's ELF files (real paths), .bento left out */
	bento_bundle_host_lib *host; /* sorted by name */
	size_t n_host;
} bento_bundle_needs;

/* The AppDir's ELF files and the host libraries they need (o's exclude list
 * and log are used). */
int bento_bundle_needs_of(const char *appdir, const bento_bundle_options *o,
                          bento_bundle_needs *out, bento_error **err);
void bento_bundle_needs_clear(bento_bundle_needs *n);

#endif
