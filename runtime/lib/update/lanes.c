/* SPDX-License-Identifier: MIT */
#include "update/lanes.h"

static unsigned lanes_max(const zsync_lanes *l)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") &&
	    (!l->needs_avx512vl || __builtin_cpu_supports("avx512vl")))
		return 16;
	if (__builtin_cpu_supports("avx2"))
		return 8;
	return 4; /* SSE2 is part of x86-64 */
#else
	(void)l;
	return 1;
#endif
}

unsigned zsync_lanes_get(zsync_lanes *l)
{
	unsigned n = __atomic_load_n(&l->limit, __ATOMIC_RELAXED);
	if (n == 0) {
		n = lanes_max(l);
		__atomic_store_n(&l->limit, n, __ATOMIC_RELAXED);
	}
	return n;
}

unsigned zsync_lanes_limit(zsync_lanes *l, unsigned max)
{
	unsigned n = lanes_max(l);
	while (n > 1 && n > max)
		n = n == 4 ? 1 : n / 2;
	__atomic_store_n(&l->limit, n, __ATOMIC_RELAXED);
	return n;
}
