/* SPDX-License-Identifier: MIT */
#include "core/version.h"

#include <string.h>

#define MAX_NUMBERS 6
#define MAX_DIGITS 9

bool bento_version_valid(const char *s, size_t len)
{
	if (len == 0 || len > BENTO_VERSION_MAX)
		return false;
	unsigned numbers = 1, digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > MAX_DIGITS)
				return false;
		} else if (s[i] == '.' && digits > 0 && ++numbers <= MAX_NUMBERS) {
			digits = 0;
		} else {
			return false;
		}
	}
	return digits > 0;
}

/* The number at *s (0 at the end), moving *s past it and its dot. */
static unsigned long next_number(const char **s)
{
	unsigned long n = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++)
		n = n * 10 + (unsigned long)(**s - '0');
	if (**s == '.')
		(*s)++;
	return n;
}

int bento_version_compare(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = next_number(&a), y = next_number(&b);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}
