/* SPDX-License-Identifier: MIT */
#include "output/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf_layout.h"
#include "core/util.h"
#include "output/crypto.h"
#include "output/gpgme_cleanup.h"
#include "output/outfile.h"
#include "output/zsync.h"
#include "sig/signature.h"

static void gpgme_freep(char **p)
{
	if (*p)
		gpgme_free(*p);
}

static const char *gnupg_home(void)
{
	const char *h = getenv("GNUPGHOME");
	return h && *h ? h : "~/.gnupg";
}

static int find_key(gpgme_ctx_t ctx, const char *keyid, gpgme_key_t *key, bento_error **err)
{
	gpgme_error_t e = gpgme_get_key(ctx, keyid, key, 1);
	if (gpg_err_code(e) == GPG_ERR_EOF || (e == 0 && *key == NULL))
		return bento_error_set(err, 0, "signing key %s: no such secret key in %s", keyid,
		                       gnupg_home());
	if (e != 0)
		return bento_error_set(err, 0, "signing key %s: %s", keyid, gpgme_strerror(e));
	if (!(*key)->can_sign || (*key)->revoked || (*key)->expired || (*key)->disabled)
		return bento_error_set(err, 0,
		                       "signing key %s: this key cannot sign (revoked, "
		                       "expired, disabled or without a signing subkey)",
		                       keyid);
	return 0;
}

/* gpgme data to a NUL-terminated buffer owned by gpgme; releases d. */
static char *take_mem(gpgme_data_t *d, size_t *len)
{
	char *p = gpgme_data_release_and_get_mem(*d, len);
	*d = NULL;
	return p;
}

static int make_signature(gpgme_ctx_t ctx, const char *file, const char *keyid, const char *hex,
                          char **sig, size_t *sig_len, bento_error **err)
{
	auto_gpgme_data in = NULL, out = NULL;
	gpgme_error_t e = gpgme_data_new_from_mem(&in, hex, strlen(hex), 0);
	if (e == 0)
		e = gpgme_data_new(&out);
	if (e == 0)
		e = gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_DETACH);
	gpgme_sign_result_t r = e == 0 ? gpgme_op_sign_result(ctx) : NULL;
	if (e == 0 && (r == NULL || r->invalid_signers != NULL || r->signatures == NULL))
		e = r && r->invalid_signers ? r->invalid_signers->reason : GPG_ERR_GENERAL;
	if (e != 0)
		return bento_error_set(err, 0, "%s: cannot sign with key %s: %s", file, keyid,
		                       gpgme_strerror(e));
	*sig = take_mem(&out, sig_len);
	return 0;
}

static int export_key(gpgme_ctx_t ctx, gpgme_key_t key, const char *file, char **out, size_t *len,
                      bento_error **err)
{
	auto_gpgme_data d = NULL;
	gpgme_key_t keys[] = {key, NULL};
	gpgme_error_t e = gpgme_data_new(&d);
	/* Minimal: the key, its user ids and self-signatures, no third-party
	 * signatures, so that it fits the section. */
	if (e == 0)
		e = gpgme_op_export_keys(ctx, keys, GPGME_EXPORT_MODE_MINIMAL, d);
	if (e != 0)
		return bento_error_set(err, 0, "%s: cannot export the public key %s: %s", file,
		                       key->fpr, gpgme_strerror(e));
	*out = take_mem(&d, len);
	return 0;
}

int bento_sign_fd(int fd, const char *file, const char *keyid, bento_error **err)
{
	struct stat st;
	bento_sig_sections secs;
	char hex[65];
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", file);
	if (bento_sig_find_sections(fd, (uint64_t)st.st_size, file, &secs, err) < 0 ||
	    bento_sig_digest(fd, (uint64_t)st.st_size, &secs, file, hex, err) < 0)
		return -1;
	auto_gpgme_ctx ctx = NULL;
	bento_crypto_init();
	gpgme_error_t e = gpgme_new(&ctx);
	if (e != 0)
		return bento_error_set(err, 0, "cannot start GnuPG: %s", gpgme_strerror(e));
	/* As appimagetool does: an armoured text signature of the hex digest. */
	gpgme_set_armor(ctx, 1);
	gpgme_set_textmode(ctx, 1);
	auto_gpgme_key key = NULL;
	if (find_key(ctx, keyid, &key, err) < 0)
		return -1;
	if ((e = gpgme_signers_add(ctx, key)) != 0)
		return bento_error_set(err, 0, "signing key %s: %s", keyid, gpgme_strerror(e));
	__attribute__((cleanup(gpgme_freep))) char *sig = NULL, *pub = NULL;
	size_t sig_len, pub_len;
	if (make_signature(ctx, file, keyid, hex, &sig, &sig_len, err) < 0 ||
	    export_key(ctx, key, file, &pub, &pub_len, err) < 0)
		return -1;
	if (bento_elf_write_section(fd, file, BENTO_SIG_SECTION, sig, sig_len, err) < 0 ||
	    bento_elf_write_section(fd, file, BENTO_KEY_SECTION, pub, pub_len, err) < 0)
		return -1;
	return 0;
}

/* ---- a file signed in place ---- */

static int copy_contents(int from, int to, uint64_t len, const char *file, bento_error **err)
{
	for (uint64_t done = 0; done < len;) {
		ssize_t n = copy_file_range(from, NULL, to, NULL, (size_t)(len - done), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bento_error_errno(err, "%s: cannot copy", file);
		if (n == 0)
			return bento_error_set(err, EIO, "%s: file shrank while copying it", file);
		done += (uint64_t)n;
	}
	return 0;
}

int bento_sign_file(const char *file, const char *keyid, bento_error **err)
{
	autoclose int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", file);
	if (!S_ISREG(st.st_mode))
		return bento_error_set(err, 0, "%s: not a regular file", file);
	bento_outfile_watch_signals();
	auto_bento_outfile t = {.fd = -1};
	auto_bento_outfile zs = {.fd = -1};
	if (bento_outfile_create(file, &t, err) < 0 ||
	    copy_contents(fd, t.fd, (uint64_t)st.st_size, file, err) < 0 ||
	    bento_sign_fd(t.fd, file, keyid, err) < 0)
		return -1;
	autofree char *zsync = xasprintf("%s.zsync", file);
	struct stat zst;
	bool has_zsync = lstat(zsync, &zst) == 0 && S_ISREG(zst.st_mode);
	if (has_zsync && bento_zsync_write(t.fd, file, &zs, err) < 0)
		return -1;
	if (bento_outfile_commit(&t, file, st.st_mode & 07777, err) < 0)
		return -1;
	if (has_zsync && bento_outfile_commit(&zs, zsync, zst.st_mode & 07777, err) < 0)
		return -1;
	return 0;
}
