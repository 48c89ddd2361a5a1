/* SPDX-License-Identifier: MIT */
/* Signing single files the AppImage way (see runtime/lib/sig/signature.h
 * for what is signed). */
#ifndef BENTO_BUILDER_SIGN_H
#define BENTO_BUILDER_SIGN_H

#include "core/error.h"

/* Signs the file open as fd (read and written in place) with the secret
 * key keyid from the GnuPG home ($GNUPGHOME or ~/.gnupg): writes the
 * signature into .sha256_sig and the public key into .sig_key.  file names
 * the file in messages. */
int bento_sign_fd(int fd, const char *file, const char *keyid, bento_error **err);

/* Signs the file at path file with keyid: a signed copy replaces it
 * atomically, and a FILE.zsync beside it is rewritten to match.  On failure
 * nothing is changed. */
int bento_sign_file(const char *file, const char *keyid, bento_error **err);

#endif
