/* SPDX-License-Identifier: MIT */
/* Running an external tool (patchelf, desktop-file-validate, appstreamcli,
 * ldconfig) and collecting what it says; copying a file into the AppDir. */
#ifndef BENTO_BUILDER_TOOL_H
#define BENTO_BUILDER_TOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

/* At most this much of a tool's output is kept; the rest is read and dropped. */
#define BENTO_TOOL_OUTPUT_MAX ((size_t)4 << 20)

/* Runs argv (argv[0] looked up in PATH) with stdin from /dev/null and its
 * stdout and stderr collected, in that order of arrival, into *output
 * (NUL-terminated, never NULL on success).  *status is its exit status, or
 * 128 + the signal that killed it.  Fails only when the tool cannot be run
 * at all. */
int bento_run_tool(char *const argv[], char **output, int *status, bento_error **err);

/* Copies size bytes from in to out (both at offset 0): a clone of the
 * blocks where the file system can, else copy_file_range or read and write.
 * src and dst name them in messages. */
int bento_copy_data(int in, int out, off_t size, const char *src, const char *dst,
                    bento_error **err);

/* Copies the regular file src to dir_fd/name through a temporary file beside
 * it and a rename: the contents and the permission bits (set-id bits
 * dropped).  An existing name is replaced; on failure nothing is left. */
int bento_copy_file(const char *src, int dir_fd, const char *name, bento_error **err);

#endif
