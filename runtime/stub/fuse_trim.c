/* SPDX-License-Identifier: MIT */
/* Keeps libfuse's high-level API out of the static runtime.
 *
 * libfuse3's fuse_lowlevel.o handles CUSE_INIT by calling cuse_lowlevel_init,
 * whose object file pulls in the daemonising helpers, those the high-level
 * API (fuse.o), and that iconv, locales and dlopen from glibc: about 40% of
 * the runtime.  CUSE_INIT only ever arrives on /dev/cuse, never on the
 * /dev/fuse sessions bento serves, so this definition (linked before
 * libfuse3.a, so the archive member is never needed) answers it with ENOSYS. */
#define FUSE_USE_VERSION 34
#include <errno.h>
#include <fuse_lowlevel.h>

void cuse_lowlevel_init(fuse_req_t req, fuse_ino_t nodeid, const void *inarg);

void cuse_lowlevel_init(fuse_req_t req, fuse_ino_t nodeid, const void *inarg)
{
	fuse_reply_err(req, ENOSYS);
}
