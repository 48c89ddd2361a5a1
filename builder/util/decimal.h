/* SPDX-License-Identifier: MIT */
/* Numbers from the command line and the environment, read strictly. */
#ifndef BENTO_BUILDER_DECIMAL_H
#define BENTO_BUILDER_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

/* An unsigned decimal number no larger than max: digits only, no sign, no
 * spaces, no overflow.  False for anything else (*out untouched). */
bool bento_parse_decimal(const char *s, uint64_t max, uint64_t *out);

#endif
