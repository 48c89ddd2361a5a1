/* SPDX-License-Identifier: MIT */
#include "output/crypto.h"

#include <gcrypt.h>
#include <gpgme.h>
#include <pthread.h>

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
