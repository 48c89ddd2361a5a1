/* SPDX-License-Identifier: MIT */
/* Reading ELF headers: where the runtime's payload starts (AppImage Type 2
 * rule), where its special sections are, and which symbol versions a shared
 * library defines.  Every value read from the file is checked against the
 * file's size: the file may be hostile. */
#ifndef BENTO_ELF_LAYOUT_H
#define BENTO_ELF_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* AppImage Type 2 magic at file offset 8 (EI_ABIVERSION and padding). */
#define BENTO_APPIMAGE_MAGIC "AI\x02"
#define BENTO_APPIMAGE_MAGIC_OFFSET 8

typedef struct bento_elf_section {
	uint64_t offset;
	uint64_t size;
} bento_elf_section;

/* The payload offset: the larger of the end of the section header table and
 * the end of the last section that occupies file space.  Fails unless the file
 * is a 64-bit little-endian ELF with consistent headers. */
int bento_elf_payload_offset(int fd, uint64_t file_size, uint64_t *offset, bento_error **err);

/* Looks up a section by name.  Returns 1 and fills *out if found, 0 if absent. */
int bento_elf_find_section(int fd, uint64_t file_size, const char *name, bento_elf_section *out,
                           bento_error **err);

/* Replaces the contents of the section name of the file open as fd (for
 * writing) with len bytes of data followed by NULs; fails, naming the file,
 * if the section is missing or data does not fit. */
int bento_elf_write_section(int fd, const char *file, const char *name, const void *data,
                            size_t len, bento_error **err);

/* The newest version the shared library open as fd defines (its
 * .gnu.version_d) among those named prefix followed by a version
 * (core/version.h): "GLIBC_2.36" for prefix "GLIBC_" gives "2.36" in out
 * (BENTO_VERSION_MAX + 1 bytes).  Returns 1, or 0 when it defines none of
 * them (or has no version definitions), -1 when the file is not a 64-bit
 * ELF file with consistent headers. */
int bento_elf_newest_version(int fd, uint64_t file_size, const char *prefix, char *out,
                             bento_error **err);

/* Whether the AppImage Type 2 magic is present. */
int bento_elf_has_appimage_magic(int fd, bento_error **err);

#endif
