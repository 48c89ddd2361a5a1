/* SPDX-License-Identifier: MIT */
/* The module cache, in the state directory (state.h):
 *   cache/HASH/        /app as it was after the module whose chained hash is HASH
 *   cache/HASH.digest  the keyed digest of that tree, recorded when it was made
 *
 * A module's hash covers the hash of the module before it, everything of the
 * module that affects its build (bento_module_canonical) and the contents of
 * its local sources: a module whose definition, sources and preceding modules
 * are unchanged is taken from the cache, as flatpak-builder does.
 *
 * The build steps write /app, so a cache entry is as hostile as the rest:
 * it is taken only if its tree still has the digest recorded when it was
 * made, with a key of the user's that no manifest can know (so that a state
 * directory a manifest's repository brings along is no shortcut either). */
#ifndef BENTO_BUILDER_CACHE_H
#define BENTO_BUILDER_CACHE_H

#include <stdbool.h>

#include "build/state.h"
#include "core/error.h"
#include "manifest/manifest.h"

/* The chained hash of mod (hex), built after the module whose hash is
 * previous ("" for the first): the name of its cache entry. */
char *bento_module_hash(const char *previous, const bento_module *mod, bento_error **err);

/* The user's key of the cache's digests (hex), made on first use: a file
 * only the user reads, beside the download cache, where no build step
 * reaches.  NULL (and *err) when there is none: then there is no cache. */
char *bento_cache_digest_key(bento_error **err);

/* Whether the cache entry of hash can be used: a directory whose tree has
 * the digest, with key, recorded when this builder made it.  Says why not
 * (module names the module), unless there is no entry at all. */
int bento_cache_entry_usable(const bento_build_state *s, const char *key, const char *module,
                             const char *hash, bool *usable, bento_error **err);

/* Stores the tree of the state directory's app/ as the cache entry of hash,
 * with its digest: copied aside, its digest recorded, then renamed into
 * place. */
int bento_cache_store(const bento_build_state *s, const char *key, const char *hash,
                      bento_error **err);

#endif
