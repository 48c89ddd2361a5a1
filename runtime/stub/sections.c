/* SPDX-License-Identifier: MIT */
/* The AppImage Type 2 sections.  Their sizes are fixed by the AppImage
 * specification; bento-builder and other tools patch them in the file (update
 * information, signature, key, digest), so they must occupy file space. */
__attribute__((section(".upd_info"), used, retain)) char bento_upd_info[1024] = {0};
__attribute__((section(".sha256_sig"), used, retain)) char bento_sha256_sig[1024] = {0};
__attribute__((section(".sig_key"), used, retain)) char bento_sig_key[8192] = {0};
__attribute__((section(".digest_md5"), used, retain)) char bento_digest_md5[16] = {0};
