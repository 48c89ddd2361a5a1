/* SPDX-License-Identifier: MIT */
#include "launch/requires.h"

#include <errno.h>
#include <string.h>

#include "core/exit.h"
#include "core/util.h"
#include "core/version.h"
#include "launch/hostlibs.h"

/* Whether the newer of the host's version and, when layered, the bundled
 * one reaches needed.  *layer: whether the bundled one is newer than the
 * host's (or the host has none), so that it goes on top. */
static bool version_served(const char *host, const char *bundled, const char *needed, bool *layer)
{
	*layer = bundled && (host == NULL || bento_version_compare(host, bundled) < 0);
	const char *served = *layer ? bundled : host;
	return needed == NULL || (served && bento_version_compare(served, needed) >= 0);
}

static int refuse_glibc(const char *app, const char *needed, const char *host, bento_error **err)
{
	autofree char *releases = bento_glibc_releases(needed);
	autofree char *has = host ? xasprintf("this system has %s", host)
	                          : xstrdup("this system has none that this runtime can read");
	bento_error_set(err, ENOEXEC, "%s needs the GNU C Library %s or newer (%s); %s", app,
	                needed, releases ? releases : "newer than every release this runtime knows",
	                has);
	(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

static int refuse_libstdcxx(const char *app, const char *needed, const char *host,
                            bento_error **err)
{
	autofree char *has =
	    host ? xasprintf("this system has GLIBCXX_%s", host) : xstrdup("this system has none");
	bento_error_set(err, ENOEXEC,
	                "%s needs the GNU C++ Library (libstdc++.so.6) GLIBCXX_%s or newer; %s",
	                app, needed, has);
	(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

static char *package_words(const bento_host_library *lib)
{
	return lib->package[0] ? xasprintf("Debian package %s", lib->package)
	                       : xstrdup("Debian package unknown");
}

/* The host libraries the host lacks and the image does not bundle: one
 * message naming each with its package. */
static int refuse_libraries(const char *app, const bento_host_library *const *missing, size_t n,
                            bento_error **err)
{
	if (n == 1) {
		autofree char *package = package_words(missing[0]);
		bento_error_set(err, ENOENT, "%s needs %s from this system (%s), which it lacks",
		                app, missing[0]->name, package);
	} else {
		autofree char *list = xstrdup("");
		for (size_t i = 0; i < n; i++) {
			autofree char *package = package_words(missing[i]);
			char *more = xasprintf("%s%s%s (%s)", list,
			                       i == 0       ? ""
			                       : i + 1 == n ? " and "
			                                    : ", ",
			                       missing[i]->name, package);
			free(list);
			list = more;
		}
		bento_error_set(err, ENOENT, "%s needs %s from this system, which it lacks", app,
		                list);
	}
	(*err)->status = BENTO_EXIT_RUNTIME;
	return -1;
}

int bento_requirements_decide(const bento_requirements *req, const char *app,
                              const bento_host_facts *host, bento_usr_layers *layers,
                              bento_error **err)
{
	layers->glibc = layers->libstdcxx = layers->fallback = false;
	if (!req->present)
		return 0;
	if (!version_served(host->glibc, req->glibc_bundled, req->glibc, &layers->glibc))
		return refuse_glibc(app, req->glibc, host->glibc, err);
	if (!version_served(host->libstdcxx, req->libstdcxx_bundled, req->libstdcxx,
	                    &layers->libstdcxx))
		return refuse_libstdcxx(app, req->libstdcxx, host->libstdcxx, err);
	/* A fallback goes under the host's /usr when the host lacks one of
	 * them: the host's own copies, where it has them, still win. */
	autofree const bento_host_library **missing =
	    xcalloc(req->n_host_libraries + 1, sizeof(*missing));
	size_t n_missing = 0;
	for (size_t i = 0; i < req->n_host_libraries; i++) {
		const bento_host_library *lib = &req->host_libraries[i];
		if (host->has_library(host->ctx, lib->name))
			continue;
		if (bento_requirements_has_fallback(req, lib->name))
			layers->fallback = true;
		else
			missing[n_missing++] = lib;
	}
	for (size_t i = 0; !layers->fallback && i < req->n_fallback_libraries; i++)
		if (!host->has_library(host->ctx, req->fallback_libraries[i]))
			layers->fallback = true;
	if (n_missing > 0)
		return refuse_libraries(app, missing, n_missing, err);
	return 0;
}

static bool host_has(void *ctx, const char *name)
{
	return bento_host_has_library(ctx, name);
}

/* The host's version of library (prefix) into buf, or NULL: one that
 * cannot be read counts as none (said when debugging). */
static const char *host_version(const char *library, const char *prefix, char *buf)
{
	auto_bento_error err = NULL;
	int r = bento_host_library_version(library, prefix, buf, &err);
	if (r < 0)
		bento_debug("the host's %s: %s", library, err->message);
	return r > 0 ? buf : NULL;
}

int bento_requirements_check(const bento_requirements *req, const char *app, bool sandboxed,
                             bento_usr_layers *layers, bento_error **err)
{
	if (!req->present)
		return 0;
	char glibc[BENTO_VERSION_MAX + 1], libstdcxx[BENTO_VERSION_MAX + 1];
	bento_host_libs libs = {.sandboxed = sandboxed};
	bento_host_facts host = {.has_library = host_has, .ctx = &libs};
	if (req->glibc || req->glibc_bundled)
		host.glibc = host_version("libc.so.6", "GLIBC_", glibc);
	if (req->libstdcxx || req->libstdcxx_bundled)
		host.libstdcxx = host_version("libstdc++.so.6", "GLIBCXX_", libstdcxx);
	int r = bento_requirements_decide(req, app, &host, layers, err);
	bento_debug("host: glibc %s, libstdc++ %s; layers:%s%s%s", host.glibc ? host.glibc : "-",
	            host.libstdcxx ? host.libstdcxx : "-", layers->glibc ? " glibc" : "",
	            layers->libstdcxx ? " libstdc++" : "", layers->fallback ? " fallback" : "");
	bento_host_libs_clear(&libs);
	return r;
}
