/* SPDX-License-Identifier: MIT */
/* Unpacking source archives (tar with gzip, xz, lzma, bzip2 or zstd; zip;
 * the data of a Debian package) with libarchive, treating every archive as
 * hostile.
 *
 * Everything is created relative to directory descriptors, walking each path
 * one component at a time with O_NOFOLLOW, so that nothing is ever written
 * through a symbolic link, whether it came with the archive or not.  Refused,
 * with a message naming the archive and the entry: absolute paths, ".."
 * components, symbolic links whose target is absolute or leads out of the
 * destination (".." components are allowed only at the start of a target,
 * and no more of them than the link's depth below the destination), hard
 * links to anything outside the destination, device nodes, fifos and sockets.
 * setuid, setgid and sticky bits are dropped; directories are always
 * writable and searchable by their owner; owners are not restored (the files
 * belong to the caller); modification times are.
 *
 * A Debian package's absolute symbolic links are its own: one whose target
 * lies in the package's tree (below lift_dir when there is one: /usr/lib/...)
 * is made relative, pointing where that target is unpacked; any other
 * (/etc/python3.11/sitecustomize.py) is left out with a warning naming it.
 *
 * Later entries replace earlier files of the same name, as tar does, but an
 * entry never replaces a directory and a directory never replaces anything. */
#ifndef BENTO_BUILDER_UNPACK_H
#define BENTO_BUILDER_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define BENTO_UNPACK_DEFAULT_MAX_BYTES (16ULL << 30)
#define BENTO_UNPACK_DEFAULT_MAX_ENTRIES 1000000ULL

/* Zero-initialised options are the defaults. */
typedef struct bento_unpack_options {
	/* Drop this many leading components from every path; entries with no
	 * more components than that are skipped (tar --strip-components). */
	unsigned strip_components;
	/* The archive is a Debian binary package (.deb): its data.tar member
	 * is what is unpacked. */
	bool deb;
	/* After strip_components, paths whose first component is this
	 * directory lose it: with "usr", usr/bin/jq lands at DEST/bin/jq and
	 * usr/lib/x86_64-linux-gnu/libjq.so.1 at DEST/lib/x86_64-linux-gnu/;
	 * other paths (etc/...) keep their place.  NULL: none. */
	const char *lift_dir;
	/* Archive bomb caps: the total size of the files (apparent size,
	 * holes included) and the number of entries (0: the defaults above). */
	uint64_t max_bytes;
	uint64_t max_entries;
	/* How warnings name the archive (a source's URL rather than the
	 * download cache's file); NULL: its path. */
	const char *label;
} bento_unpack_options;

/* Unpacks archive into dest, which must be missing (it is created) or an
 * empty directory.  On failure nothing is left in dest (it is removed if this
 * call created it).  Returns 0 or -1. */
int bento_unpack(const bento_unpack_options *opt, const char *archive, const char *dest,
                 bento_error **err);

#endif
