/* SPDX-License-Identifier: MIT */
#include "update/updinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/util.h"

/* The .upd_info section is 1024 bytes, NUL-terminated. */
#define UPDINFO_MAX 1023
#define MAX_FIELDS 6

void bento_updinfo_clear(bento_updinfo *u)
{
	free(u->text);
	free(u->url);
	free(u->user);
	free(u->repo);
	free(u->tag);
	free(u->pattern);
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

/* GitHub user and repository names: letters, digits, '-', '_', '.', and
 * not "." or ".." (they go into the API's URL path). */
static bool is_github_name(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > 100)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static int bad(bento_error **err, const char *where, const char *s, const char *why)
{
	return bento_error_set(err, EINVAL, "%s: update information \"%s\": %s", where, s, why);
}

int bento_updinfo_parse(const char *s, const char *where, bento_updinfo *out, bento_error **err)
{
	*out = (bento_updinfo){0};
	if (strlen(s) > UPDINFO_MAX)
		return bento_error_set(err, EINVAL, "%s: update information longer than %d bytes",
		                       where, UPDINFO_MAX);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return bento_error_set(err, EINVAL,
			                       "%s: update information: byte %zu is a space, a "
			                       "control character or not ASCII",
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
		if (n != 5 || !is_github_name(field[1]) || !is_github_name(field[2]) ||
		    field[3][0] == '\0' || field[4][0] == '\0')
			return bad(
			    err, where, s,
			    "expected gh-releases-zsync|USER|REPO|TAG|PATTERN (USER and REPO "
			    "plain names, TAG a tag or latest)");
		out->kind = BENTO_UPDINFO_GH_RELEASES;
		out->user = xstrdup(field[1]);
		out->repo = xstrdup(field[2]);
		out->tag = xstrdup(field[3]);
		out->pattern = xstrdup(field[4]);
	} else if (strcmp(field[0], "pling-v1-zsync") == 0) {
		return bad(err, where, s,
		           "the pling-v1-zsync transport (Pling/OpenDesktop) is not supported by "
		           "bento: download the new version from the store's page");
	} else {
		return bad(err, where, s,
		           "unknown transport (bento knows zsync and gh-releases-zsync)");
	}
	out->text = xstrdup(s);
	return 0;
}

int bento_updinfo_read(bento_image *img, bento_updinfo *out, bento_error **err)
{
	autofree char *text = NULL;
	size_t len;
	*out = (bento_updinfo){0};
	if (bento_image_read_section(img, ".upd_info", &text, &len, err) < 0)
		return -1;
	if (text == NULL || len == 0)
		return 0;
	if (bento_updinfo_parse(text, img->path, out, err) < 0)
		return -1;
	return 1;
}

int bento_updinfo_control_url(const bento_updinfo *u, char **url, bento_error **err)
{
	if (u->kind == BENTO_UPDINFO_ZSYNC) {
		*url = xstrdup(u->url);
		return 0;
	}
	return bento_github_control_url(u, url, err);
}
