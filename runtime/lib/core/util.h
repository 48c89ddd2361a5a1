/* SPDX-License-Identifier: MIT */
/* Cleanup helpers and small system utilities shared by every bento program. */
#ifndef BENTO_UTIL_H
#define BENTO_UTIL_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/error.h"

static inline void bento_freep(void *p)
{
	free(*(void **)p);
}
static inline void bento_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void bento_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define autofree __attribute__((cleanup(bento_freep)))
#define autoclose __attribute__((cleanup(bento_closep)))
#define autofclose __attribute__((cleanup(bento_fclosep)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Hands ownership out of an auto variable. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xvasprintf(const char *fmt, va_list ap);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "/proc/self/fd/N" into buf: the path of the file or directory fd was
 * opened on - not of what has been mounted there since.  Allocates
 * nothing (a vfork-style child may use it). */
static inline void bento_fd_path(char buf[32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

/* An on/off switch in the environment: unset or empty gives dflt, "0"
 * off, anything else on. */
bool bento_env_flag(const char *name, bool dflt);

/* The n bytes at bytes as 2n lowercase hex digits and a NUL, into hex. */
void bento_hex(char *hex, const unsigned char *bytes, size_t n);

/* read()/write()/pread() that retry on EINTR and short counts. */
int bento_write_all(int fd, const void *buf, size_t len);
ssize_t bento_pread_all(int fd, void *buf, size_t len, off_t offset);

/* Reads a whole small file (at most max bytes) relative to dirfd, NUL-terminated. */
int bento_read_file_at(int dirfd, const char *name, size_t max, char **data, size_t *len,
                       bento_error **err);

/* The same for a file that may not exist (an override, a record): 1 when
 * read, 0 when there is no such file (*data NULL), -1 on another error. */
int bento_read_file_if_present(const char *path, size_t max, char **data, size_t *len,
                               bento_error **err);

/* Writes a whole small file (e.g. /proc/self/uid_map). */
int bento_write_file(const char *path, const char *contents, bento_error **err);

/* Replaces path with a new file of the given mode holding contents,
 * atomically: a temporary file beside it, fsync, rename, fsync of the
 * directory.  On failure path is left as it was and nothing else remains. */
int bento_replace_file(const char *path, const char *contents, mode_t mode, bento_error **err);

/* $TMPDIR or /tmp. */
const char *bento_tmpdir(void);

/* mkdir -p with the given mode for components it creates. */
int bento_mkdir_p(const char *path, mode_t mode, bento_error **err);

/* Whether the canonical path lies at or below the canonical root. */
bool bento_path_is_under(const char *path, const char *root);

/* "a regular file", "a fifo", "a block device"... for messages. */
const char *bento_file_type_name(mode_t mode);

/* Calls fn for each entry of the directory open at dir_fd but "." and "..",
 * reading with getdents64 into a buffer on the stack: it allocates nothing,
 * so it serves between fork and exec too.  Stops at the first fn that
 * returns non-zero and returns that; -1 with errno when reading fails. */
typedef int (*bento_dirent_fn)(int dir_fd, const char *name, void *data);
int bento_dir_each(int dir_fd, bento_dirent_fn fn, void *data);

/* rm -rf of a directory tree without following symlinks; tolerates absence. */
int bento_remove_tree(const char *path, bento_error **err);

/* A growable NULL-terminated array of strings it owns (argv, environment). */
typedef struct bento_strv {
	char **items;
	size_t count;
} bento_strv;

/* Appends item, which the array now owns. */
void bento_strv_add(bento_strv *v, char *item);
void bento_strv_free(bento_strv *v);
/* For environments ("NAME=VALUE" items): the value of name, or NULL. */
const char *bento_strv_getenv(const bento_strv *env, const char *name);
/* Replaces or appends NAME=VALUE; a NULL value removes NAME. */
void bento_strv_setenv(bento_strv *env, const char *name, const char *value);

#endif
