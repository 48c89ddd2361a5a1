/* SPDX-License-Identifier: MIT */
/* How many 32-bit SIMD lanes the scan's vector paths (md4.c, rsum.c) use:
 * the widest this CPU has (SSE2 4, AVX2 8, AVX-512 16; 1 elsewhere), or
 * fewer when a test asks for a narrower path. */
#ifndef BENTO_UPDATE_LANES_H
#define BENTO_UPDATE_LANES_H

#include <stdbool.h>

typedef struct zsync_lanes {
	/* Its 16-lane path also needs AVX-512VL (128/256-bit forms). */
	bool needs_avx512vl;
	unsigned limit; /* 0: not yet known */
} zsync_lanes;

/* The lanes to use: the CPU's widest, unless zsync_lanes_limit said fewer. */
unsigned zsync_lanes_get(zsync_lanes *l);
/* At most max lanes from now on (16, 8, 4 or 1); returns the number set. */
unsigned zsync_lanes_limit(zsync_lanes *l, unsigned max);

#endif
