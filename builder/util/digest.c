/* SPDX-License-Identifier: MIT */
#include "util/digest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

struct bento_digest {
	EVP_MD_CTX *ctx;
};

bento_digest *bento_digest_new(void)
{
	bento_digest *d = xcalloc(1, sizeof(*d));
	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		abort();
	return d;
}

void bento_digest_free(bento_digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void bento_digest_reset(bento_digest *d)
{
	if (EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		abort();
}

void bento_digest_add(bento_digest *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void bento_digest_add_str(bento_digest *d, const char *s)
{
	bento_digest_add(d, s, strlen(s) + 1);
}

char *bento_digest_hex(const bento_digest *d)
{
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (copy == NULL || EVP_MD_CTX_copy_ex(copy, d->ctx) != 1 ||
	    EVP_DigestFinal_ex(copy, md, &len) != 1)
		abort();
	EVP_MD_CTX_free(copy);
	char *hex = xmalloc(2 * len + 1);
	bento_hex(hex, md, len);
	return hex;
}

int bento_digest_add_fd(bento_digest *d, int fd, const char *path, uint64_t *size,
                        bento_error **err)
{
	autofree char *buf = xmalloc(1 << 20);
	uint64_t pos = 0;
	for (;;) {
		ssize_t n = bento_pread_all(fd, buf, 1 << 20, (off_t)pos);
		if (n < 0)
			return bento_error_errno(err, "cannot read %s", path);
		if (n == 0)
			break;
		bento_digest_add(d, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	if (size)
		*size = pos;
	return 0;
}

static int add_file(bento_digest *d, int dirfd, const char *name, const char *path,
                    bento_error **err)
{
	autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return bento_error_errno(err, "%s", path);
	return bento_digest_add_fd(d, fd, path, NULL, err);
}

static int add_tree(bento_digest *d, int dirfd, const char *rel, const char *path,
                    bento_error **err)
{
	struct dirent **entries = NULL;
	autoclose int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n = fd < 0 ? -1 : scandirat(fd, ".", &entries, NULL, alphasort);
	if (n < 0)
		return bento_error_errno(err, "%s", path);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = entries[i]->d_name;
		if (r < 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			free(entries[i]);
			continue;
		}
		autofree char *sub = xasprintf("%s%s%s", rel, rel[0] ? "/" : "", name);
		autofree char *full = xasprintf("%s/%s", path, name);
		struct stat st;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = bento_error_errno(err, "%s", full);
		} else if (S_ISDIR(st.st_mode)) {
			bento_digest_add_str(d, "d");
			bento_digest_add_str(d, sub);
			autoclose int subfd =
			    openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = subfd < 0 ? bento_error_errno(err, "%s", full)
			              : add_tree(d, subfd, sub, full, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(fd, name, target, sizeof(target) - 1);
			if (len < 0) {
				r = bento_error_errno(err, "%s", full);
			} else {
				target[len] = '\0';
				bento_digest_add_str(d, "l");
				bento_digest_add_str(d, sub);
				bento_digest_add_str(d, target);
			}
		} else if (S_ISREG(st.st_mode)) {
			bento_digest_add_str(d, st.st_mode & 0111 ? "x" : "f");
			bento_digest_add_str(d, sub);
			r = add_file(d, fd, name, full, err);
		}
		free(entries[i]);
	}
	free(entries);
	return r;
}

int bento_digest_add_path(bento_digest *d, const char *path, bento_error **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return bento_error_errno(err, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return add_file(d, AT_FDCWD, path, path, err);
	autoclose int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bento_error_errno(err, "%s", path);
	return add_tree(d, fd, "", path, err);
}
