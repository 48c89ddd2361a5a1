/* SPDX-License-Identifier: MIT */
#include "output/updinfo.h"

#include <stdbool.h>
#include <string.h>

#include "core/elf_layout.h"
#include "core/util.h"

#define MAX_FIELDS 6

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* GitHub user and repository names, Pling product ids: a plain name. */
static bool is_plain_name(const char *s, bool digits_only)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (digits_only ? (*s < '0' || *s > '9') : !is_name_char(*s))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* scheme://host... with a non-empty host. */
static bool is_http_url(const char *s)
{
	const char *rest;
	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return false;
	return *rest != '\0' && *rest != '/' && *rest != ':';
}

static int bad(bento_error **err, const char *s, const char *why)
{
	return bento_error_set(err, 0, "--update-information '%s': %s", s, why);
}

int bento_updinfo_check(const char *s, bento_error **err)
{
	size_t len = strlen(s);
	if (len == 0)
		return bad(err, s, "is empty");
	if (len > BENTO_UPDINFO_MAX)
		return bento_error_set(
		    err, 0,
		    "--update-information: %zu bytes, more than the %d that fit in "
		    "the .upd_info section",
		    len, BENTO_UPDINFO_MAX);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return bento_error_set(
			    err, 0,
			    "--update-information: byte %zu is a space, a control "
			    "character or not ASCII (URLs are percent-encoded)",
			    (size_t)(p - s) + 1);
	autofree char *copy = xstrdup(s);
	char *field[MAX_FIELDS + 1];
	int n = 0;
	for (char *p = copy, *bar; n <= MAX_FIELDS; p = bar + 1) {
		field[n++] = p;
		bar = strchr(p, '|');
		if (bar == NULL)
			break;
		*bar = '\0';
	}
	if (strcmp(field[0], "zsync") == 0) {
		if (n != 2 || !is_http_url(field[1]))
			return bad(err, s, "expected zsync|URL with an http:// or https:// URL");
		return 0;
	}
	if (strcmp(field[0], "gh-releases-zsync") == 0) {
		if (n != 5 || !is_plain_name(field[1], false) || !is_plain_name(field[2], false) ||
		    field[3][0] == '\0' || !ends_with(field[4], ".zsync"))
			return bad(
			    err, s,
			    "expected gh-releases-zsync|USER|REPO|TAG|NAME.zsync (TAG may be "
			    "latest)");
		return 0;
	}
	if (strcmp(field[0], "pling-v1-zsync") == 0) {
		if (n != 3 || !is_plain_name(field[1], true) || !ends_with(field[2], ".zsync"))
			return bad(err, s, "expected pling-v1-zsync|PRODUCT-ID|NAME.zsync");
		return 0;
	}
	return bad(err, s,
	           "unknown transport (expected zsync, gh-releases-zsync or pling-v1-zsync)");
}

int bento_updinfo_write(int fd, const char *file, const char *s, bento_error **err)
{
	/* With its NUL, so that readers need not rely on the padding. */
	return bento_elf_write_section(fd, file, ".upd_info", s, strlen(s) + 1, err);
}
