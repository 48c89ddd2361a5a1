/* SPDX-License-Identifier: MIT */
#include "output/epoch.h"

#include <stdlib.h>

#include "util/decimal.h"

int bento_source_date_epoch(uint32_t *out, bento_error **err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;
	if (s == NULL) {
		*out = 0;
		return 0;
	}
	if (!bento_parse_decimal(s, UINT32_MAX, &v))
		return bento_error_set(err, 0, "SOURCE_DATE_EPOCH='%s' is not a number of seconds",
		                       s);
	*out = (uint32_t)v;
	return 0;
}
