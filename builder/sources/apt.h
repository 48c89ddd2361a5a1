/* SPDX-License-Identifier: MIT */
/* Debian packages by name (a manifest's `type: apt` sources), resolved with
 * Debian's own apt and pinned in a lock file beside the manifest.
 *
 * Resolving a source runs apt-get and apt-cache with a private configuration
 * and state (APT_CONFIG naming a file of ours that points Dir::Etc,
 * Dir::State, Dir::Cache and the dpkg status file into STATE/apt/ARCHIVE/):
 * the host's sources, keys, lists, preferences and configuration are never
 * read, and nothing needs root (Debug::NoLocking; APT::Sandbox::User is the
 * builder's own user).  The archive is trusted through the manifest's key
 * only (signed-by=): apt checks the signature of InRelease (or Release.gpg)
 * and the hashes of the Packages and Contents indexes against it
 * (`apt-get update --error-on=any`: any failure is an error); the SHA-256 of
 * every .deb comes from that verified Packages index, and the download
 * (sources/fetch.h) is checked against it.
 *
 * The packages the host provides are left out: a package that ships, in one
 * of the dynamic loader's directories, a library on the exclude list of
 * library bundling (builder/appdir/excludelist) is the host's, according to
 * the archive's Contents-amd64 index, which apt fetches and verifies as an
 * extra index target.  Those packages are written into the private dpkg
 * status file as installed, at the archive's version and without their
 * dependencies, before apt resolves the rest: so apt neither installs them
 * nor pulls in what only they need (libc6's, libgl1's, libx11-6's own
 * dependencies), and dependencies on them are satisfied.  So are the
 * archive's Essential packages (Debian packages do not declare their
 * dependencies on those) and the packages the source's exclude: names.  Resolving fully and
 * dropping them afterwards would keep their dependencies, and guessing
 * package names from library names misses glibc's many libraries; the
 * Contents index is what apt-file uses and is part of every Debian archive
 * (apt-ftparchive contents makes it for a private one).
 *
 * The lock file, NAME.lock beside NAME.yml (bento-manifest(5), LOCK FILE):
 *     # comment lines
 *     bento-apt-lock 1
 *     source DIGEST
 *     package NAME VERSION SHA256 URL
 *     ...
 * one "source" group per apt source, DIGEST the SHA-256 of the source's
 * definition (url, suite, components, packages, the key's bytes), packages in
 * name order.  With a lock file, a source whose digest it holds is not
 * resolved again: its packages are fetched by URL and SHA-256 (from the
 * download cache when there, so --offline works) and the build is
 * byte-identical.  A source it does not pin is an error (its definition
 * changed: --update-lock resolves every source again and rewrites it).  The
 * file is written atomically. */
#ifndef BENTO_BUILDER_APT_H
#define BENTO_BUILDER_APT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "manifest/manifest.h"

typedef struct bento_apt_package {
	char *name, *version, *sha256, *url;
} bento_apt_package;

/* The packages of one source. */
typedef struct bento_apt_pins {
	char *digest; /* of the source's definition */
	bento_apt_package *packages;
	size_t n;
} bento_apt_pins;

typedef struct bento_apt_lock {
	char *path;
	bento_apt_pins *sources;
	size_t n;
	/* The private apt directories of the manifest's archives, whether or
	 * not they have been used yet, and a source of each (for
	 * bento_apt_library_package). */
	char **roots;
	const bento_source **root_sources;
	size_t n_roots;
	bool offline; /* no apt-get update for bento_apt_library_package */
} bento_apt_lock;

typedef struct bento_apt_options {
	const char *state_dir;    /* the private apt directories are STATE_DIR/apt/ */
	bool update_lock;         /* resolve every source again, rewrite the lock */
	bool offline;             /* never run apt: the lock must pin every source */
	const char *exclude_list; /* NULL: the one built into bento-builder */
} bento_apt_options;

/* Reads the lock file of manifest m, resolving (and writing the lock) where
 * needed as described above.  *out is NULL when m has no apt source. */
int bento_apt_prepare(const bento_manifest *m, const bento_apt_options *o, bento_apt_lock **out,
                      bento_error **err);

/* The lock path of a manifest: NAME.lock for NAME.yml or NAME.yaml, else
 * MANIFEST.lock (newly allocated). */
char *bento_apt_lock_path(const char *manifest_path);

/* The pinned packages of apt source s of the manifest (never NULL for a
 * source of the manifest bento_apt_prepare was given). */
const bento_apt_pins *bento_apt_pins_of(const bento_apt_lock *l, const bento_source *s);

/* The module cache's hash of mod (hex, taken over) chained with the pins of
 * its apt sources, so that new pins build it again; hash itself when it has
 * none (or when hash is NULL). */
char *bento_apt_chain_hash(const bento_apt_lock *l, const bento_module *mod, char *hash);

/* The packages of the manifest's archives that ship a file named library
 * ("libpulse0", "libfoo1, libfoo1-compat"), from their Contents index
 * (fetched first, unless offline, when a lock file spared the resolution);
 * NULL when apt does not know (offline and never resolved here, no such
 * file).
 * data is the lock: the shape of bento_bundle_options' library_package. */
char *bento_apt_library_package(void *data, const char *library);

void bento_apt_lock_free(bento_apt_lock *l);

#endif
