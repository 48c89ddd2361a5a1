/* SPDX-License-Identifier: MIT */
/* Signing single files the AppImage way (see runtime/lib/signature.h for
 * what is signed), and `bento-builder sign --key KEYID FILE`. */
#ifndef BENTO_BUILDER_SIGN_H
#define BENTO_BUILDER_SIGN_H

#include <stdio.h>

#include "core/error.h"

/* Signs the file open as fd (read and written in place) with the secret
 * key keyid from the GnuPG home ($GNUPGHOME or ~/.gnupg): writes the
 * signature into .sha256_sig and the public key into .sig_key.  file names
 * the file in messages. */
int bento_sign_fd(int fd, const char *file, const char *keyid, bento_error **err);

int bento_builder_sign(int argc, char **argv);
void bento_builder_sign_usage(FILE *out);

#endif
