/* SPDX-License-Identifier: MIT */
#include "core/updinfo.h"

#include <errno.h>
#include <string.h>

#include "core/util.h"

#define MAX_FIELDS 6

void bento_updinfo_clear(bento_updinfo *u)
{
	free(u->text);
	free(u->url);
	free(u->user);
	free(u->repo);
	free(u->tag);
	free(u->pattern);
	free(u->product);
	*u = (bento_updinfo){0};
}

bool bento_updinfo_is_http_url(const char *s)
{
	const char *rest;
	if (strncmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		rest = s + 7;
	else
		return false;
	if (*rest == '\0' || *rest == '/' || *rest == ':')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/* GitHub user and repository names (letters, digits, '-', '_', '.', not "."
 * or "..": they go into the API's URL path), or Pling product ids (digits). */
static bool is_plain_name(const char *s, bool digits_only)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > 100)
		return false;
	for (; *s; s++) {
		bool digit = *s >= '0' && *s <= '9';
		bool letter = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
		if (digits_only ? !digit
		                : !(digit || letter || *s == '-' || *s == '_' || *s == '.'))
			return false;
	}
	return true;
}

static bool names_zsync_file(const char *s)
{
	size_t n = strlen(s);
	return n > 6 && strcmp(s + n - 6, ".zsync") == 0;
}

static int bad(bento_error **err, const char *where, const char *s, const char *why)
{
	return bento_error_set(err, EINVAL, "%s: update information \"%s\": %s", where, s, why);
}

int bento_updinfo_parse(const char *s, const char *where, bento_updinfo *out, bento_error **err)
{
	*out = (bento_updinfo){0};
	if (*s == '\0')
		return bad(err, where, s, "is empty");
	if (strlen(s) > BENTO_UPDINFO_MAX)
		return bento_error_set(err, EINVAL,
		                       "%s: update information of %zu bytes, more than the %d "
		                       "that fit in the .upd_info section",
		                       where, strlen(s), BENTO_UPDINFO_MAX);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return bento_error_set(err, EINVAL,
			                       "%s: update information: byte %zu is a space, a "
			                       "control character or not ASCII (URLs are "
			                       "percent-encoded)",
			                       where, (size_t)(p - s) + 1);
	autofree char *copy = xstrdup(s);
	char *field[MAX_FIELDS];
	size_t n = 0;
	for (char *p = copy;;) {
		if (n == MAX_FIELDS)
			return bad(err, where, s, "too many |-separated fields");
		field[n++] = p;
		char *bar = strchr(p, '|');
		if (bar == NULL)
			break;
		*bar = '\0';
		p = bar + 1;
	}
	if (strcmp(field[0], "zsync") == 0) {
		if (n != 2 || !bento_updinfo_is_http_url(field[1]))
			return bad(err, where, s,
			           "expected zsync|URL with an http:// or https:// URL");
		out->kind = BENTO_UPDINFO_ZSYNC;
		out->url = xstrdup(field[1]);
	} else if (strcmp(field[0], "gh-releases-zsync") == 0) {
		if (n != 5 || !is_plain_name(field[1], false) || !is_plain_name(field[2], false) ||
		    field[3][0] == '\0' || !names_zsync_file(field[4]))
			return bad(err, where, s,
			           "expected gh-releases-zsync|USER|REPO|TAG|NAME.zsync (USER and "
			           "REPO plain names, TAG a tag or latest)");
		out->kind = BENTO_UPDINFO_GH_RELEASES;
		out->user = xstrdup(field[1]);
		out->repo = xstrdup(field[2]);
		out->tag = xstrdup(field[3]);
		out->pattern = xstrdup(field[4]);
	} else if (strcmp(field[0], "pling-v1-zsync") == 0) {
		if (n != 3 || !is_plain_name(field[1], true) || !names_zsync_file(field[2]))
			return bad(err, where, s, "expected pling-v1-zsync|PRODUCT-ID|NAME.zsync");
		out->kind = BENTO_UPDINFO_PLING;
		out->product = xstrdup(field[1]);
		out->pattern = xstrdup(field[2]);
	} else {
		return bad(err, where, s,
		           "unknown transport (expected zsync, gh-releases-zsync or "
		           "pling-v1-zsync)");
	}
	out->text = xstrdup(s);
	return 0;
}
