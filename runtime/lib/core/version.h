/* SPDX-License-Identifier: MIT */
/* Version numbers as the GNU C library and libstdc++ name their symbol
 * versions ("2.36", "3.4.30"): numbers separated by dots, compared number by
 * number, a missing number counting as 0 ("2.31" == "2.31.0"). */
#ifndef BENTO_VERSION_H
#define BENTO_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* The longest version text accepted, without its NUL. */
#define BENTO_VERSION_MAX 31

/* Whether the len bytes at s are a version: 1 to 6 numbers of 1 to 9
 * digits each, separated by single dots, at most BENTO_VERSION_MAX bytes. */
bool bento_version_valid(const char *s, size_t len);

/* <0, 0, >0 as a is older than, the same as, or newer than b (both valid). */
int bento_version_compare(const char *a, const char *b);

#endif
