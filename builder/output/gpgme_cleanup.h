/* SPDX-License-Identifier: MIT */
/* __attribute__((cleanup)) helpers for gpgme's objects, for the signing and
 * verifying code (never the runtime stub, which links no gpgme). */
#ifndef BENTO_GPGME_CLEANUP_H
#define BENTO_GPGME_CLEANUP_H

#include <gpgme.h>

static inline void bento_gpgme_ctx_releasep(gpgme_ctx_t *ctx)
{
	if (*ctx)
		gpgme_release(*ctx);
}
static inline void bento_gpgme_data_releasep(gpgme_data_t *d)
{
	if (*d)
		gpgme_data_release(*d);
}
static inline void bento_gpgme_key_releasep(gpgme_key_t *k)
{
	if (*k)
		gpgme_key_unref(*k);
}
#define auto_gpgme_ctx __attribute__((cleanup(bento_gpgme_ctx_releasep))) gpgme_ctx_t
#define auto_gpgme_data __attribute__((cleanup(bento_gpgme_data_releasep))) gpgme_data_t
#define auto_gpgme_key __attribute__((cleanup(bento_gpgme_key_releasep))) gpgme_key_t

#endif
