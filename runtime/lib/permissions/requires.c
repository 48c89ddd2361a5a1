/* SPDX-License-Identifier: MIT */
#include "permissions/requires.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/version.h"

/* The releases whose GNU C library is a version's floor, oldest first: the
 * first of each distribution at or above a version is its oldest release
 * that runs an app needing that version. */
static const struct {
	const char *glibc;
	const char *release;
} releases[] = {
    {"2.27", "Ubuntu 18.04"}, {"2.28", "Debian 10"}, {"2.31", "Debian 11"},
    {"2.31", "Ubuntu 20.04"}, {"2.31", "Fedora 32"}, {"2.32", "Fedora 33"},
    {"2.33", "Fedora 34"},    {"2.34", "Fedora 35"}, {"2.35", "Ubuntu 22.04"},
    {"2.35", "Fedora 36"},    {"2.36", "Debian 12"}, {"2.36", "Fedora 37"},
    {"2.37", "Fedora 38"},    {"2.38", "Fedora 39"}, {"2.39", "Ubuntu 24.04"},
    {"2.39", "Fedora 40"},    {"2.40", "Fedora 41"}, {"2.41", "Debian 13"},
    {"2.41", "Ubuntu 25.04"}, {"2.41", "Fedora 42"}, {"2.42", "Ubuntu 25.10"},
    {"2.42", "Fedora 43"},
};

char *bento_glibc_releases(const char *version)
{
	/* Per distribution, the first release at or above version. */
	static const char *const distributions[] = {"Debian ", "Ubuntu ", "Fedora "};
	autofree char *text = NULL;
	for (size_t d = 0; d < ARRAY_SIZE(distributions); d++) {
		for (size_t i = 0; i < ARRAY_SIZE(releases); i++) {
			if (strncmp(releases[i].release, distributions[d],
			            strlen(distributions[d])) != 0 ||
			    bento_version_compare(releases[i].glibc, version) < 0)
				continue;
			char *more = xasprintf("%s%s%s", text ? text : "", text ? ", " : "",
			                       releases[i].release);
			free(text);
			text = more;
			break;
		}
	}
	return text ? xasprintf("%s or later", text) : NULL;
}

/* A library's file name: what the loader looks for in a directory. */
static bool library_name_valid(const char *s)
{
	size_t len = strlen(s);
	return len > 0 && len <= 255 && s[0] != '.' && strstr(s, ".so") != NULL &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") ==
	           len;
}

/* A Debian package name (with an architecture, as dpkg -S may give it). */
static bool package_name_valid(const char *s)
{
	size_t len = strlen(s);
	return len <= 128 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-:") ==
	           len;
}

static int set_version(char **slot, const char *key, char *const *items, size_t n,
                       bento_error **err)
{
	if (n != 1 || !bento_version_valid(items[0], strlen(items[0])))
		return bento_error_set(err, EINVAL,
		                       "%s: \"%s\" is not a version (numbers separated by dots)",
		                       key, n ? items[0] : "");
	free(*slot);
	*slot = xstrdup(items[0]);
	return 0;
}

static int set_host_libraries(bento_requirements *req, char *const *items, size_t n,
                              bento_error **err)
{
	for (size_t i = 0; i < req->n_host_libraries; i++) {
		free(req->host_libraries[i].name);
		free(req->host_libraries[i].package);
	}
	free(req->host_libraries);
	req->host_libraries = xcalloc(n ? n : 1, sizeof(*req->host_libraries));
	req->n_host_libraries = 0;
	for (size_t i = 0; i < n; i++) {
		autofree char *name = xstrdup(items[i]);
		char *eq = strchr(name, '=');
		const char *package = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		if (!library_name_valid(name))
			return bento_error_set(
			    err, EINVAL, "host-libraries: \"%s\" is not a library's file name",
			    name);
		if (!package_name_valid(package))
			return bento_error_set(
			    err, EINVAL, "host-libraries: \"%s\" is not a package name", package);
		req->host_libraries[req->n_host_libraries++] =
		    (bento_host_library){.name = xstrdup(name), .package = xstrdup(package)};
	}
	return 0;
}

static int set_fallback_libraries(bento_requirements *req, char *const *items, size_t n,
                                  bento_error **err)
{
	for (size_t i = 0; i < req->n_fallback_libraries; i++)
		free(req->fallback_libraries[i]);
	free(req->fallback_libraries);
	req->fallback_libraries = xcalloc(n ? n : 1, sizeof(*req->fallback_libraries));
	req->n_fallback_libraries = 0;
	for (size_t i = 0; i < n; i++) {
		if (!library_name_valid(items[i]))
			return bento_error_set(
			    err, EINVAL, "fallback-libraries: \"%s\" is not a library's file name",
			    items[i]);
		req->fallback_libraries[req->n_fallback_libraries++] = xstrdup(items[i]);
	}
	return 0;
}

int bento_requirements_set(bento_requirements *req, const char *key, char *const *items,
                           size_t n_items, bento_error **err)
{
	req->present = true;
	if (strcmp(key, "glibc") == 0)
		return set_version(&req->glibc, key, items, n_items, err);
	if (strcmp(key, "glibc-bundled") == 0)
		return set_version(&req->glibc_bundled, key, items, n_items, err);
	if (strcmp(key, "libstdc++") == 0)
		return set_version(&req->libstdcxx, key, items, n_items, err);
	if (strcmp(key, "libstdc++-bundled") == 0)
		return set_version(&req->libstdcxx_bundled, key, items, n_items, err);
	if (strcmp(key, "host-libraries") == 0)
		return set_host_libraries(req, items, n_items, err);
	if (strcmp(key, "fallback-libraries") == 0)
		return set_fallback_libraries(req, items, n_items, err);
	return 1;
}

bool bento_requirements_has_fallback(const bento_requirements *req, const char *name)
{
	for (size_t i = 0; i < req->n_fallback_libraries; i++)
		if (strcmp(req->fallback_libraries[i], name) == 0)
			return true;
	return false;
}

void bento_requirements_clear(bento_requirements *req)
{
	free(req->glibc);
	free(req->glibc_bundled);
	free(req->libstdcxx);
	free(req->libstdcxx_bundled);
	for (size_t i = 0; i < req->n_host_libraries; i++) {
		free(req->host_libraries[i].name);
		free(req->host_libraries[i].package);
	}
	free(req->host_libraries);
	for (size_t i = 0; i < req->n_fallback_libraries; i++)
		free(req->fallback_libraries[i]);
	free(req->fallback_libraries);
	memset(req, 0, sizeof(*req));
}
