/* SPDX-License-Identifier: MIT */
/* The one place that includes libsquashfuse's headers.  Its config.h redefines
 * _POSIX_C_SOURCE, which features.h has already set for _GNU_SOURCE; undefining
 * it first keeps the build warning-free and changes nothing (features.h has
 * been processed by then). */
#ifndef BENTO_SQFS_H
#define BENTO_SQFS_H

#include <stdio.h>
#undef _POSIX_C_SOURCE
#undef FUSE_USE_VERSION
#include <squashfuse.h>

#endif
