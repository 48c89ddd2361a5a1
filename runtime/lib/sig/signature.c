/* SPDX-License-Identifier: MIT */
#include "sig/signature.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/util.h"

/* OpenSSL 3 calls SHA256_Init and friends deprecated in favour of EVP,
 * whose providers would add a megabyte to the static runtime; these three
 * are all a file's digest needs. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static int find_one(int fd, uint64_t file_size, const char *name, const char *section,
                    bento_elf_section *out, bento_error **err)
{
	int found = bento_elf_find_section(fd, file_size, section, out, err);
	if (found < 0)
		return bento_error_prefix(err, "%s", name);
	if (found == 0)
		return bento_error_set(err, ENOEXEC, "%s: has no %s section (not an AppImage)",
		                       name, section);
	if (out->size == 0 || out->size > BENTO_SECTION_MAX)
		return bento_error_set(err, ENOEXEC,
		                       "%s: section %s has %llu bytes (expected 1 to %d)", name,
		                       section, (unsigned long long)out->size, BENTO_SECTION_MAX);
	return 0;
}

int bento_sig_find_sections(int fd, uint64_t file_size, const char *name, bento_sig_sections *out,
                            bento_error **err)
{
	if (find_one(fd, file_size, name, BENTO_SIG_SECTION, &out->sig, err) < 0 ||
	    find_one(fd, file_size, name, BENTO_KEY_SECTION, &out->key, err) < 0)
		return -1;
	return 0;
}

/* Zeroes the part of buf (file bytes [pos, pos + len)) that sec covers. */
static void zero_overlap(unsigned char *buf, uint64_t pos, size_t len, const bento_elf_section *sec)
{
	uint64_t start = sec->offset > pos ? sec->offset : pos;
	uint64_t end = sec->offset + sec->size < pos + len ? sec->offset + sec->size : pos + len;
	if (start < end)
		memset(buf + (start - pos), 0, (size_t)(end - start));
}

int bento_sig_digest(int fd, uint64_t file_size, const bento_sig_sections *sections,
                     const char *name, char hex[65], bento_error **err)
{
	enum { CHUNK = 1 << 20 };
	SHA256_CTX md;
	SHA256_Init(&md);
	autofree unsigned char *buf = xmalloc(CHUNK);
	uint64_t pos = 0;
	while (pos < file_size) {
		size_t want = file_size - pos < CHUNK ? (size_t)(file_size - pos) : CHUNK;
		ssize_t n = bento_pread_all(fd, buf, want, (off_t)pos);
		if (n < 0 || (size_t)n != want) {
			if (n >= 0)
				return bento_error_set(err, EIO, "%s: file shrank while reading it",
				                       name);
			return bento_error_errno(err, "%s: cannot read", name);
		}
		zero_overlap(buf, pos, want, &sections->sig);
		zero_overlap(buf, pos, want, &sections->key);
		SHA256_Update(&md, buf, want);
		pos += want;
	}
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256_Final(d, &md);
	bento_hex(hex, d, sizeof(d));
	return 0;
}

int bento_sig_read_section(int fd, const bento_elf_section *sec, const char *name, const char *what,
                           char **text, size_t *len, bento_error **err)
{
	autofree char *buf = xmalloc((size_t)sec->size + 1);
	if (bento_pread_all(fd, buf, (size_t)sec->size, (off_t)sec->offset) != (ssize_t)sec->size)
		return bento_error_errno(err, "%s: cannot read its %s", name, what);
	buf[sec->size] = '\0';
	*len = strlen(buf);
	*text = steal_pointer(&buf);
	return 0;
}

void bento_sig_result_clear(bento_sig_result *r)
{
	free(r->signer);
	free(r->fingerprint);
	free(r->reason);
	*r = (bento_sig_result){0};
}

/* ---- verification ----------------------------------------------------------
 *
 * By gpgv, GnuPG's verifier for exactly this (apt checks its repositories
 * with it, so it is on every Debian-like system): given a keyring, a
 * detached signature and the signed text, it says on its status descriptor
 * whether the signature is good and whose key made it.  It needs no agent,
 * no trust database and no state of the user's, and no library in the
 * static runtime. */

static int invalid(bento_sig_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int invalid(bento_sig_result *res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	res->status = BENTO_SIG_INVALID;
	free(res->reason);
	res->reason = s;
	return 0;
}

/* A directory of our own for gpgv's files, removed with everything in it. */
typedef struct work_dir {
	char *path;
} work_dir;

static void work_dir_clear(work_dir *w)
{
	if (w->path == NULL)
		return;
	bento_remove_tree(w->path, NULL);
	free(w->path);
}

static int write_work_file(const work_dir *w, const char *name, const void *data, size_t len,
                           bento_error **err)
{
	autofree char *path = xasprintf("%s/%s", w->path, name);
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || bento_write_all(fd, data, len) < 0)
		return bento_error_errno(err, "cannot write %s", path);
	return 0;
}

/* OpenPGP data as gpgv's keyring wants it: binary.  ASCII armour (RFC
 * 4880, 6.2) is undone: the base64 between the blank line after the
 * header and the checksum line; several armoured blocks are concatenated.
 * Binary data is returned as it is. */
static int dearmor(const char *data, size_t len, unsigned char **out, size_t *out_len)
{
	static const char begin[] = "-----BEGIN PGP ";
	*out = NULL;
	*out_len = 0;
	if (memmem(data, len, begin, sizeof(begin) - 1) == NULL) {
		*out = xmalloc(len);
		memcpy(*out, data, len);
		*out_len = len;
		return 0;
	}
	autofree char *b64 = xmalloc(len + 1);
	unsigned char *bin = xmalloc(len + 1);
	const char *p = data, *end = data + len;
	enum { OUTSIDE, HEADERS, BODY } state = OUTSIDE;
	size_t n64 = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = (size_t)((eol ? eol : end) - p);
		while (line_len > 0 && (p[line_len - 1] == '\r' || p[line_len - 1] == ' '))
			line_len--;
		if (state == OUTSIDE && line_len >= sizeof(begin) - 1 &&
		    memcmp(p, begin, sizeof(begin) - 1) == 0) {
			state = HEADERS;
		} else if (state == HEADERS && line_len == 0) {
			state = BODY;
		} else if (state == BODY && (line_len == 0 || p[0] == '=' || p[0] == '-')) {
			/* The checksum line or the end: decode this block. */
			if (n64 % 4 != 0)
				break;
			int got =
			    EVP_DecodeBlock(bin + *out_len, (const unsigned char *)b64, (int)n64);
			if (got < 0)
				break;
			size_t pad = n64 >= 2 ? (b64[n64 - 1] == '=') + (b64[n64 - 2] == '=') : 0;
			*out_len += (size_t)got - pad;
			n64 = 0;
			state = OUTSIDE;
		} else if (state == BODY) {
			memcpy(b64 + n64, p, line_len);
			n64 += line_len;
		}
		p = eol ? eol + 1 : end;
	}
	*out = bin;
	return *out_len > 0 ? 0 : -1;
}

/* Runs gpgv on the files of w; *status gets what it wrote on its status
 * descriptor.  Nothing of ours reaches it but its arguments: no
 * descriptor, a fixed environment. */
static int run_gpgv(const work_dir *w, char **status, bento_error **err)
{
	autofree char *home = xasprintf("--homedir=%s", w->path);
	autofree char *keyring = xasprintf("--keyring=%s/keyring.gpg", w->path);
	autofree char *sig = xasprintf("%s/signature.asc", w->path);
	autofree char *text = xasprintf("%s/signed.txt", w->path);
	char *argv[] = {"gpgv", home, "--status-fd=1", keyring, "--", sig, text, NULL};
	char *envp[] = {"LC_ALL=C", NULL};
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return bento_error_errno(err, "pipe");
	autoclose int rd = fds[0];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	pid_t pid;
	int r = posix_spawnp(&pid, "gpgv", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0)
		return bento_error_set(
		    err, r, "cannot check signatures: gpgv%s: %s",
		    r == ENOENT ? " is not installed (Debian: apt install gpgv)" : "", strerror(r));
	/* A few lines; what goes beyond this is not read (gpgv then ends on
	 * SIGPIPE). */
	enum { STATUS_MAX = 64 * 1024 };
	char *out = xmalloc(STATUS_MAX + 1);
	size_t len = 0;
	ssize_t n;
	while (len < STATUS_MAX &&
	       ((n = read(rd, out + len, STATUS_MAX - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	out[len] = '\0';
	close(steal_fd(&rd));
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	*status = out;
	return 0;
}

/* The value after "[GNUPG:] KEYWORD " in gpgv's status lines, up to the end
 * of its line, or NULL. */
static char *status_value(const char *status, const char *keyword)
{
	size_t n = strlen(keyword);
	for (const char *line = status; line && *line;) {
		const char *eol = strchrnul(line, '\n');
		if (strncmp(line, "[GNUPG:] ", 9) == 0 && strncmp(line + 9, keyword, n) == 0 &&
		    (line[9 + n] == ' ' || line + 9 + n == eol)) {
			const char *v = line + 9 + n + (line + 9 + n == eol ? 0 : 1);
			return strndup(v, (size_t)(eol - v));
		}
		line = *eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* Field i (from 0) of a status value, or NULL. */
static char *status_field(const char *value, unsigned i)
{
	const char *p = value;
	for (; i > 0 && p; i--) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strndup(p, strcspn(p, " ")) : NULL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A user id from a status line: its control characters %XX-escaped.  (By
 * hand: sscanf would add 35 KB to the static runtime.) */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	for (; *s; s++) {
		int hi = s[0] == '%' ? hex_digit(s[1]) : -1, lo = hi >= 0 ? hex_digit(s[2]) : -1;
		if (lo >= 0) {
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int read_verdict(const char *status, bool own_key, bento_sig_result *res)
{
	autofree char *valid = status_value(status, "VALIDSIG");
	autofree char *good = status_value(status, "GOODSIG");
	/* An expired key made the signature while it was still valid. */
	if (good == NULL)
		good = status_value(status, "EXPKEYSIG");
	autofree char *bad = status_value(status, "BADSIG");
	autofree char *revoked = status_value(status, "REVKEYSIG");
	autofree char *missing = status_value(status, "NO_PUBKEY");
	autofree char *error = status_value(status, "ERRSIG");
	if (valid && good && !bad && !revoked) {
		/* VALIDSIG's last field is the primary key's fingerprint. */
		const char *last = strrchr(valid, ' ');
		res->fingerprint = xstrdup(last ? last + 1 : valid);
		const char *uid = strchr(good, ' ');
		if (uid && uid[1])
			res->signer = unescape(uid + 1);
		res->status = BENTO_SIG_VALID;
		return 0;
	}
	if (bad)
		return invalid(res, "the file does not match its signature (it was changed after "
		                    "signing)");
	if (revoked)
		return invalid(res, "the key that made it was revoked");
	if (missing || error) {
		autofree char *fpr = error ? status_field(error, 6) : NULL;
		autofree char *keyid = missing ? xstrdup(missing) : status_field(error, 0);
		return invalid(res, "signed by key %s, %s", fpr && fpr[0] ? fpr : keyid,
		               !missing  ? "which cannot be checked"
		               : own_key ? "which the file does not hold"
		                         : "which is not in the keyring");
	}
	if (strstr(status, "[GNUPG:] NEWSIG") == NULL)
		return invalid(res, "the embedded signature holds no OpenPGP signature");
	return invalid(res, "the signature cannot be checked");
}

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int bento_sig_verify(int fd, const char *name, const char *keyring, bento_sig_result *res,
                     bento_error **err)
{
	struct stat st;
	*res = (bento_sig_result){0};
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", name);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, EINVAL, "%s: not a regular file", name);
	bento_sig_sections secs;
	if (bento_sig_find_sections(fd, (uint64_t)st.st_size, name, &secs, err) < 0)
		return -1;
	autofree char *sig = NULL, *key = NULL;
	size_t sig_len, key_len;
	if (bento_sig_read_section(fd, &secs.sig, name, "signature", &sig, &sig_len, err) < 0 ||
	    bento_sig_read_section(fd, &secs.key, name, "key", &key, &key_len, err) < 0)
		return -1;
	if (sig_len == 0) {
		if (!all_zero(sig, (size_t)secs.sig.size))
			return invalid(res, "the %s section does not start with a signature",
			               BENTO_SIG_SECTION);
		res->status = BENTO_SIG_UNSIGNED;
		return 0;
	}
	autofree char *keys = NULL;
	size_t keys_len = 0;
	if (keyring != NULL) {
		if (bento_read_file_at(AT_FDCWD, keyring, 16 << 20, &keys, &keys_len, err) < 0)
			return bento_error_prefix(err, "--keyring");
	} else {
		if (key_len == 0)
			return invalid(res, "signed, but the file holds no key to check it with");
		keys = steal_pointer(&key);
		keys_len = key_len;
	}
	autofree unsigned char *binary_keys = NULL;
	size_t binary_len = 0;
	if (dearmor(keys, keys_len, &binary_keys, &binary_len) < 0 || binary_len == 0) {
		if (keyring != NULL)
			return bento_error_set(err, 0, "--keyring %s: holds no OpenPGP public key",
			                       keyring);
		return invalid(res, "the embedded key is not an OpenPGP public key");
	}
	char hex[65];
	if (bento_sig_digest(fd, (uint64_t)st.st_size, &secs, name, hex, err) < 0)
		return -1;
	__attribute__((cleanup(work_dir_clear))) work_dir w = {0};
	w.path = xasprintf("%s/bento-verify.XXXXXX", bento_tmpdir());
	if (mkdtemp(w.path) == NULL) {
		bento_error_errno(err, "cannot create a temporary directory in %s", bento_tmpdir());
		free(steal_pointer(&w.path));
		return -1;
	}
	if (write_work_file(&w, "keyring.gpg", binary_keys, binary_len, err) < 0 ||
	    write_work_file(&w, "signature.asc", sig, sig_len, err) < 0 ||
	    write_work_file(&w, "signed.txt", hex, 64, err) < 0)
		return -1;
	autofree char *status = NULL;
	if (run_gpgv(&w, &status, err) < 0)
		return bento_error_prefix(err, "%s", name);
	return read_verdict(status, keyring == NULL, res);
}
