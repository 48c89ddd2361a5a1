/* SPDX-License-Identifier: MIT */
/* SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/):
 * the time the files a build writes carry, so that the same inputs give the
 * same bytes. */
#ifndef BENTO_BUILDER_EPOCH_H
#define BENTO_BUILDER_EPOCH_H

#include <stdint.h>

#include "core/error.h"

/* Its value; unset means 0 here.  A value that is not a plain decimal
 * number is an error rather than something to guess about.  SquashFS time
 * stamps are unsigned 32-bit. */
int bento_source_date_epoch(uint32_t *out, bento_error **err);

#endif
