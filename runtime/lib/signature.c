/* SPDX-License-Identifier: MIT */
#include "signature.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <gpgme.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpgme_cleanup.h"
#include "util.h"

static void crypto_init_once(void)
{
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	gpgme_check_version(NULL);
}

void bento_crypto_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, crypto_init_once);
}

static int find_one(int fd, uint64_t file_size, const char *name, const char *section,
                    bento_elf_section *out, bento_error **err)
{
	int found = bento_elf_find_section(fd, file_size, section, out, err);
	if (found < 0) {
		bento_error_prefix(err, "%s", name);
		return -1;
	}
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
	bento_crypto_init();
	gcry_md_hd_t md;
	if (gcry_md_open(&md, GCRY_MD_SHA256, 0) != 0)
		return bento_error_set(err, 0, "%s: SHA-256 is not available from libgcrypt", name);
	autofree unsigned char *buf = xmalloc(CHUNK);
	uint64_t pos = 0;
	while (pos < file_size) {
		size_t want = file_size - pos < CHUNK ? (size_t)(file_size - pos) : CHUNK;
		ssize_t n = bento_pread_all(fd, buf, want, (off_t)pos);
		if (n < 0 || (size_t)n != want) {
			gcry_md_close(md);
			if (n >= 0)
				return bento_error_set(err, EIO, "%s: file shrank while reading it",
				                       name);
			return bento_error_errno(err, "%s: cannot read", name);
		}
		zero_overlap(buf, pos, want, &sections->sig);
		zero_overlap(buf, pos, want, &sections->key);
		gcry_md_write(md, buf, want);
		pos += want;
	}
	const unsigned char *d = gcry_md_read(md, GCRY_MD_SHA256);
	bento_hex(hex, d, 32);
	gcry_md_close(md);
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

/* ---- verification ---- */

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

/* A temporary GnuPG home, removed with everything in it. */
typedef struct tmp_home {
	char *path;
} tmp_home;

static void tmp_home_clear(tmp_home *h)
{
	if (h->path == NULL)
		return;
	bento_remove_tree(h->path, NULL);
	free(h->path);
}

static int gpgme_failure(bento_error **err, gpgme_error_t e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int gpgme_failure(bento_error **err, gpgme_error_t e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	autofree char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return bento_error_set(err, 0, "%s: %s", s, gpgme_strerror(e));
}

static int open_context(const char *home, gpgme_ctx_t *ctx, bento_error **err)
{
	gpgme_error_t e = gpgme_new(ctx);
	if (e == 0)
		e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
	if (e != 0)
		return gpgme_failure(err, e, "cannot start GnuPG");
	return 0;
}

/* Imports the keys in data; returns how many it held (0 for none). */
static int import_keys(gpgme_ctx_t ctx, gpgme_data_t data, int *count, bento_error **err)
{
	gpgme_error_t e = gpgme_op_import(ctx, data);
	*count = 0;
	if (gpg_err_code(e) == GPG_ERR_NO_DATA)
		return 0;
	if (e != 0)
		return gpgme_failure(err, e, "cannot import keys");
	gpgme_import_result_t r = gpgme_op_import_result(ctx);
	if (r != NULL)
		*count = r->imported + r->unchanged;
	return 0;
}

static int import_keyring(gpgme_ctx_t ctx, const char *keyring, bento_error **err)
{
	autofree char *data = NULL;
	size_t len;
	if (bento_read_file_at(AT_FDCWD, keyring, 16 << 20, &data, &len, err) < 0) {
		bento_error_prefix(err, "--keyring");
		return -1;
	}
	auto_gpgme_data d = NULL;
	int count;
	if (gpgme_data_new_from_mem(&d, data, len, 0) != 0)
		return bento_error_set(err, ENOMEM, "--keyring %s: cannot read it", keyring);
	if (import_keys(ctx, d, &count, err) < 0) {
		bento_error_prefix(err, "--keyring %s", keyring);
		return -1;
	}
	if (count == 0)
		return bento_error_set(err, 0, "--keyring %s: holds no OpenPGP public key",
		                       keyring);
	return 0;
}

/* The signer's primary fingerprint and first user id, as GnuPG knows them. */
static void describe_signer(gpgme_ctx_t ctx, const char *fpr, bento_sig_result *res)
{
	auto_gpgme_key key = NULL;
	free(res->fingerprint);
	res->fingerprint = xstrdup(fpr);
	if (gpgme_get_key(ctx, fpr, &key, 0) != 0 || key == NULL)
		return;
	if (key->fpr != NULL) {
		free(res->fingerprint);
		res->fingerprint = xstrdup(key->fpr);
	}
	if (key->uids != NULL && key->uids->uid != NULL)
		res->signer = xstrdup(key->uids->uid);
}

static int check_signatures(gpgme_ctx_t ctx, bool own_key, bento_sig_result *res)
{
	gpgme_verify_result_t vr = gpgme_op_verify_result(ctx);
	if (vr == NULL || vr->signatures == NULL)
		return invalid(res, "the embedded signature holds no OpenPGP signature");
	for (gpgme_signature_t s = vr->signatures; s != NULL; s = s->next) {
		gpgme_error_t code = gpg_err_code(s->status);
		if (code == GPG_ERR_NO_PUBKEY)
			return invalid(res, "signed by key %s, %s", s->fpr ? s->fpr : "(unknown)",
			               own_key ? "which the file does not hold"
			                       : "which is not in the keyring");
		/* An expired key made the signature while it was still valid. */
		if (code != GPG_ERR_NO_ERROR && code != GPG_ERR_KEY_EXPIRED) {
			if (s->fpr != NULL)
				describe_signer(ctx, s->fpr, res);
			if (code == GPG_ERR_BAD_SIGNATURE)
				return invalid(res, "the file does not match its signature (it was "
				                    "changed after signing)");
			return invalid(res, "%s", gpgme_strerror(s->status));
		}
		if (s->fpr == NULL)
			return invalid(res, "the signature names no key");
		if (s->next == NULL)
			describe_signer(ctx, s->fpr, res);
	}
	res->status = BENTO_SIG_VALID;
	return 0;
}

static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static int verify_with(gpgme_ctx_t ctx, int fd, uint64_t size, const bento_sig_sections *secs,
                       const char *name, const char *keyring, bento_sig_result *res,
                       bento_error **err)
{
	autofree char *sig = NULL, *key = NULL;
	size_t sig_len, key_len;
	if (bento_sig_read_section(fd, &secs->sig, name, "signature", &sig, &sig_len, err) < 0 ||
	    bento_sig_read_section(fd, &secs->key, name, "key", &key, &key_len, err) < 0)
		return -1;
	if (sig_len == 0) {
		if (!all_zero(sig, (size_t)secs->sig.size))
			return invalid(res, "the %s section does not start with a signature",
			               BENTO_SIG_SECTION);
		res->status = BENTO_SIG_UNSIGNED;
		return 0;
	}
	if (keyring != NULL) {
		if (import_keyring(ctx, keyring, err) < 0)
			return -1;
	} else {
		auto_gpgme_data kd = NULL;
		int count;
		if (key_len == 0)
			return invalid(res, "signed, but the file holds no key to check it with");
		if (gpgme_data_new_from_mem(&kd, key, key_len, 0) != 0 ||
		    import_keys(ctx, kd, &count, err) < 0)
			return -1;
		if (count == 0)
			return invalid(res, "the embedded key is not an OpenPGP public key");
	}
	char hex[65];
	if (bento_sig_digest(fd, size, secs, name, hex, err) < 0)
		return -1;
	auto_gpgme_data sd = NULL, td = NULL;
	if (gpgme_data_new_from_mem(&sd, sig, sig_len, 0) != 0 ||
	    gpgme_data_new_from_mem(&td, hex, 64, 0) != 0)
		return bento_error_set(err, ENOMEM, "%s: out of memory", name);
	gpgme_error_t e = gpgme_op_verify(ctx, sd, td, NULL);
	if (e != 0)
		return invalid(res, "the embedded signature cannot be read: %s", gpgme_strerror(e));
	return check_signatures(ctx, keyring == NULL, res);
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
	bento_crypto_init();
	__attribute__((cleanup(tmp_home_clear))) tmp_home home = {0};
	home.path = xasprintf("%s/bento-verify.XXXXXX", bento_tmpdir());
	if (mkdtemp(home.path) == NULL) {
		bento_error_errno(err, "cannot create a temporary directory in %s", bento_tmpdir());
		free(steal_pointer(&home.path));
		return -1;
	}
	/* Public keys need no agent: none is started, so none outlives us. */
	autofree char *conf = xasprintf("%s/gpg.conf", home.path);
	autoclose int conf_fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	static const char options[] = "no-autostart\nno-auto-key-retrieve\n";
	if (conf_fd < 0 || bento_write_all(conf_fd, options, sizeof(options) - 1) < 0)
		return bento_error_errno(err, "cannot write %s", conf);
	auto_gpgme_ctx ctx = NULL;
	if (open_context(home.path, &ctx, err) < 0)
		return -1;
	return verify_with(ctx, fd, (uint64_t)st.st_size, &secs, name, keyring, res, err);
}
