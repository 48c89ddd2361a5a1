/* SPDX-License-Identifier: MIT */
#include "build/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/fetch.h"
#include "util/beneath.h"
#include "util/digest.h"

/* Changes to how modules are built invalidate every cached module. */
#define BUILD_RECIPE_VERSION "bento-builder build 1"
/* The user's key for the cache's digests, beside the download cache. */
#define CACHE_KEY_NAME "cache-key"
#define CACHE_KEY_BYTES 32

char *bento_module_hash(const char *previous, const bento_module *mod, bento_error **err)
{
	auto_bento_digest d = bento_digest_new();
	bento_digest_add_str(d, BUILD_RECIPE_VERSION);
	bento_digest_add_str(d, previous);
	autofree char *canonical = bento_module_canonical(mod);
	bento_digest_add_str(d, canonical);
	for (size_t i = 0; i < mod->n_sources; i++) {
		const bento_source *s = &mod->sources[i];
		if (s->path && bento_digest_add_path(d, s->path, err) < 0)
			return NULL;
	}
	return bento_digest_hex(d);
}

char *bento_cache_digest_key(bento_error **err)
{
	autofree char *downloads = bento_fetch_default_cache_dir(err);
	if (downloads == NULL)
		return NULL;
	autofree char *dir = xstrdup(downloads);
	*strrchr(dir, '/') = '\0';
	if (bento_mkdir_p(dir, 0700, err) < 0)
		return NULL;
	autofree char *path = xasprintf("%s/" CACHE_KEY_NAME, dir);
	autofree char *data = NULL;
	size_t len = 0;
	for (int tries = 0; tries < 2; tries++) {
		autoclose int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			char fd_path[32];
			bento_fd_path(fd_path, fd);
			if (bento_read_file_at(AT_FDCWD, fd_path, 1024, &data, &len, err) < 0)
				return NULL;
			if (len != 2 * CACHE_KEY_BYTES + 1 ||
			    strspn(data, "0123456789abcdef") != 2 * CACHE_KEY_BYTES) {
				bento_error_set(err, 0, "%s: not a key this builder made", path);
				return NULL;
			}
			data[2 * CACHE_KEY_BYTES] = '\0';
			return steal_pointer(&data);
		}
		if (errno != ENOENT) {
			bento_error_errno(err, "%s", path);
			return NULL;
		}
		/* Written whole aside, then linked in: a builder running at the
		 * same time reads either no key or the whole of one. */
		unsigned char key[CACHE_KEY_BYTES];
		char hex[2 * CACHE_KEY_BYTES + 2];
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
			bento_error_errno(err, "cannot make a key for %s", path);
			return NULL;
		}
		bento_hex(hex, key, sizeof(key));
		strcat(hex, "\n");
		autofree char *tmp = xasprintf("%s.XXXXXX", path);
		autoclose int out = mkostemp(tmp, O_CLOEXEC);
		if (out < 0 || bento_write_all(out, hex, strlen(hex)) < 0 || fsync(out) < 0) {
			bento_error_errno(err, "cannot write %s", path);
			if (out >= 0)
				unlink(tmp);
			return NULL;
		}
		if (link(tmp, path) < 0 && errno != EEXIST) {
			bento_error_errno(err, "cannot write %s", path);
			unlink(tmp);
			return NULL;
		}
		unlink(tmp);
	}
	bento_error_set(err, 0, "%s: cannot be read", path);
	return NULL;
}

/* The digest, with key, of the tree rel of the state directory (which must
 * be a directory reached without a link). */
static char *tree_digest(const bento_build_state *s, const char *key, const char *rel,
                         bento_error **err)
{
	autoclose int fd = bento_build_state_dir(s, rel, err);
	if (fd < 0)
		return NULL;
	char fd_path[32];
	bento_fd_path(fd_path, fd);
	auto_bento_digest tree = bento_digest_new();
	if (bento_digest_add_path(tree, fd_path, err) < 0) {
		bento_error_prefix(err, "%s/%s", s->path, rel);
		return NULL;
	}
	autofree char *tree_hex = bento_digest_hex(tree);
	/* Both parts of fixed length: no other pair gives the same text. */
	auto_bento_digest keyed = bento_digest_new();
	bento_digest_add_str(keyed, key);
	bento_digest_add_str(keyed, tree_hex);
	return bento_digest_hex(keyed);
}

int bento_cache_entry_usable(const bento_build_state *s, const char *key, const char *module,
                             const char *hash, bool *usable, bento_error **err)
{
	*usable = false;
	autofree char *entry = xasprintf("cache/%s", hash);
	autofree char *record = xasprintf("cache/%s.digest", hash);
	struct stat st;
	autoclose int cache_fd = bento_build_state_dir(s, "cache", err);
	if (cache_fd < 0)
		return -1;
	if (fstatat(cache_fd, hash, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bento_error_errno(err, "%s/%s", s->cache, hash);
	const char *why = NULL;
	autofree char *recorded = NULL, *actual = NULL, *expected = NULL;
	size_t len = 0;
	auto_bento_error e = NULL;
	if (!S_ISDIR(st.st_mode))
		why = "is not a directory";
	else if (bento_beneath_read_file(s->fd, s->path, record, 256, &recorded, &len, &e) < 0)
		why = e->errnum == ENOENT ? "has no recorded digest" : e->message;
	else if ((actual = tree_digest(s, key, entry, &e)) == NULL)
		why = e->message;
	else if (strcmp(recorded, expected = xasprintf("%s\n", actual)) != 0)
		why = "was changed since it was made (its digest is not the one recorded)";
	if (why != NULL) {
		bento_note("module %s: the cache entry %s %s: building it again", module, hash,
		           why);
		return 0;
	}
	*usable = true;
	return 0;
}

int bento_cache_store(const bento_build_state *s, const char *key, const char *hash,
                      bento_error **err)
{
	autofree char *tmp = xasprintf("cache/.tmp-%s", hash);
	autofree char *entry = xasprintf("cache/%s", hash);
	autofree char *record = xasprintf("cache/%s.digest", hash);
	if (bento_build_state_copy_tree(s, "app", tmp, err) < 0)
		return -1;
	autofree char *digest = tree_digest(s, key, tmp, err);
	if (digest == NULL)
		return -1;
	autofree char *text = xasprintf("%s\n", digest);
	autoclose int cache_fd = bento_build_state_dir(s, "cache", err);
	if (cache_fd < 0 || bento_beneath_remove(s->fd, s->path, record, err) < 0 ||
	    bento_beneath_remove(s->fd, s->path, entry, err) < 0 ||
	    bento_beneath_replace_file(s->fd, s->path, record, text, 0644, err) < 0)
		return -1;
	if (renameat(cache_fd, tmp + strlen("cache/"), cache_fd, hash) < 0)
		return bento_error_errno(err, "cannot store %s/%s", s->path, entry);
	return 0;
}
