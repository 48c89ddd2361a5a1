/* SPDX-License-Identifier: MIT */
/* Debian's libsquashfuse is built with LZO support and so refers to liblzo2,
 * which is GPL-2.0-or-later; linking it would put GPL code into every bento
 * file.  bento refuses LZO-compressed images up front (bento_image_open says
 * so), and this definition satisfies the reference without the library. */
#include <stddef.h>

int lzo1x_decompress_safe(const unsigned char *src, unsigned long src_len, unsigned char *dst,
                          unsigned long *dst_len, void *wrkmem);

int lzo1x_decompress_safe(const unsigned char *src, unsigned long src_len, unsigned char *dst,
                          unsigned long *dst_len, void *wrkmem)
{
	return -1; /* LZO_E_ERROR */
}
