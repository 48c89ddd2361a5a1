/* SPDX-License-Identifier: MIT */
/* AppImage-compatible signatures.  The signed text is the SHA-256 digest, as
 * 64 lowercase hexadecimal characters, of the whole file read with the
 * .sha256_sig and .sig_key sections zeroed; .sha256_sig holds an
 * ASCII-armoured detached OpenPGP signature of that text and .sig_key the
 * signer's ASCII-armoured public key, both NUL padded.
 *
 * The embedded key proves that the file is intact since it was signed, not
 * who signed it: anyone can re-sign a modified file with a key of their own.
 * Trusting a fingerprint is the user's decision (or pass a keyring of keys
 * already trusted).  Verification runs gpgv (GnuPG's verifier, on every
 * Debian-like system); the digest is libcrypto's SHA-256: both fit the
 * static runtime, which checks signatures to tell which key an app belongs
 * to (identity.h). */
#ifndef BENTO_SIGNATURE_H
#define BENTO_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/elf_layout.h"
#include "core/error.h"

#define BENTO_SIG_SECTION ".sha256_sig"
#define BENTO_KEY_SECTION ".sig_key"
/* Bigger sections than this are refused as hostile (the specification
 * reserves 1024 and 8192 bytes). */
#define BENTO_SECTION_MAX (64 * 1024)

/* The two sections of a file, found and checked against its size. */
typedef struct bento_sig_sections {
	bento_elf_section sig;
	bento_elf_section key;
} bento_sig_sections;

int bento_sig_find_sections(int fd, uint64_t file_size, const char *name, bento_sig_sections *out,
                            bento_error **err);

/* The text that is signed (see above), NUL-terminated. */
int bento_sig_digest(int fd, uint64_t file_size, const bento_sig_sections *sections,
                     const char *name, char hex[65], bento_error **err);

/* Reads a section as NUL-terminated text (what comes before its first NUL);
 * what names it in messages. */
int bento_sig_read_section(int fd, const bento_elf_section *sec, const char *name, const char *what,
                           char **text, size_t *len, bento_error **err);

typedef enum bento_sig_status {
	BENTO_SIG_UNSIGNED,
	BENTO_SIG_VALID,
	BENTO_SIG_INVALID,
} bento_sig_status;

typedef struct bento_sig_result {
	bento_sig_status status;
	char *signer;      /* VALID: the key's first user id, if any */
	char *fingerprint; /* VALID (and INVALID when known): the primary key's */
	char *reason;      /* INVALID: why */
} bento_sig_result;

void bento_sig_result_clear(bento_sig_result *r);

/* Checks the signature of the file open as fd.  The key comes from the
 * file's .sig_key, or, when keyring is not NULL, only from that file of
 * OpenPGP public keys (armoured or binary).  Verification happens in a
 * temporary directory below $TMPDIR that is removed afterwards.  Returns 0
 * with *res filled, or -1 when the file cannot be checked at all (not an
 * ELF file with these sections, unreadable, or gpgv missing). */
int bento_sig_verify(int fd, const char *name, const char *keyring, bento_sig_result *res,
                     bento_error **err);

#endif
