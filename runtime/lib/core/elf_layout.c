/* SPDX-License-Identifier: MIT */
#include "core/elf_layout.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "core/version.h"

/* Upper bounds that no real runtime comes near: they keep a hostile header from
 * making us allocate or loop without end. */
#define MAX_SECTIONS 4096
#define MAX_SHSTRTAB (1 << 20)
/* Version definitions: glibc has about 50, libstdc++ about 60. */
#define MAX_VERDEF_SIZE (1 << 16)
#define MAX_VERDEFS 1024

static int truncated(bento_error **err, const char *what, uint64_t end, uint64_t file_size)
{
	return bento_error_set(err, ENOEXEC,
	                       "truncated file: %s end at %llu, beyond the end of the file (%llu "
	                       "bytes)",
	                       what, (unsigned long long)end, (unsigned long long)file_size);
}

static int read_ehdr(int fd, uint64_t file_size, Elf64_Ehdr *eh, bento_error **err)
{
	ssize_t n = bento_pread_all(fd, eh, sizeof(*eh), 0);
	if (n < 0)
		return bento_error_errno(err, "cannot read ELF header");
	if ((size_t)n < EI_NIDENT || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return bento_error_set(err, ENOEXEC, "not an ELF executable (no AppImage runtime)");
	if ((size_t)n < sizeof(*eh))
		return bento_error_set(err, ENOEXEC, "truncated ELF header");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bento_error_set(err, ENOEXEC, "not a 64-bit little-endian ELF file");
	if (eh->e_shnum == 0 || eh->e_shnum > MAX_SECTIONS ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum)
		return bento_error_set(err, ENOEXEC,
		                       "ELF section header table is missing or invalid");
	uint64_t table_end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;
	if (eh->e_shoff < sizeof(*eh) || table_end < eh->e_shoff || table_end > file_size)
		return truncated(err, "the ELF section headers", table_end, file_size);
	return 0;
}

/* Reads and checks the ELF header and the section header table. */
static Elf64_Shdr *read_headers(int fd, uint64_t file_size, Elf64_Ehdr *eh, bento_error **err)
{
	if (read_ehdr(fd, file_size, eh, err) < 0)
		return NULL;
	size_t len = (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	autofree Elf64_Shdr *sh = xmalloc(len);
	ssize_t n = bento_pread_all(fd, sh, len, (off_t)eh->e_shoff);
	if (n < 0) {
		bento_error_errno(err, "cannot read ELF section headers");
		return NULL;
	}
	if ((size_t)n != len) {
		bento_error_set(err, ENOEXEC, "truncated ELF section headers");
		return NULL;
	}
	return steal_pointer(&sh);
}

int bento_elf_payload_offset(int fd, uint64_t file_size, uint64_t *offset, bento_error **err)
{
	Elf64_Ehdr eh;
	autofree Elf64_Shdr *sh = read_headers(fd, file_size, &eh, err);
	if (sh == NULL)
		return -1;
	uint64_t end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_type == SHT_NOBITS)
			continue;
		uint64_t section_end = sh[i].sh_offset + sh[i].sh_size;
		if (section_end < sh[i].sh_offset)
			return bento_error_set(err, ENOEXEC, "ELF section %u overflows", i);
		if (section_end > end)
			end = section_end;
	}
	if (end > file_size)
		return truncated(err, "the runtime's ELF sections", end, file_size);
	*offset = end;
	return 0;
}

int bento_elf_find_section(int fd, uint64_t file_size, const char *name, bento_elf_section *out,
                           bento_error **err)
{
	Elf64_Ehdr eh;
	autofree Elf64_Shdr *sh = read_headers(fd, file_size, &eh, err);
	if (sh == NULL)
		return -1;
	const Elf64_Shdr *strtab = &sh[eh.e_shstrndx];
	if (strtab->sh_size == 0 || strtab->sh_size > MAX_SHSTRTAB || strtab->sh_size > file_size ||
	    strtab->sh_offset > file_size - strtab->sh_size)
		return bento_error_set(err, ENOEXEC, "ELF section name table is invalid");
	autofree char *names = xmalloc(strtab->sh_size + 1);
	if (bento_pread_all(fd, names, strtab->sh_size, (off_t)strtab->sh_offset) !=
	    (ssize_t)strtab->sh_size)
		return bento_error_set(err, ENOEXEC, "cannot read ELF section names");
	names[strtab->sh_size] = '\0';
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_name >= strtab->sh_size || strcmp(names + sh[i].sh_name, name) != 0)
			continue;
		if (sh[i].sh_size > file_size || sh[i].sh_offset > file_size - sh[i].sh_size ||
		    sh[i].sh_type == SHT_NOBITS)
			return bento_error_set(err, ENOEXEC, "ELF section %s lies outside the file",
			                       name);
		out->offset = sh[i].sh_offset;
		out->size = sh[i].sh_size;
		return 1;
	}
	return 0;
}

/* The name at offset name of the string table strtab, if it is prefix
 * followed by a version: that version copied to out. */
static bool version_name(int fd, const Elf64_Shdr *strtab, uint32_t name, const char *prefix,
                         char *out)
{
	size_t plen = strlen(prefix);
	char buf[64];
	if (name >= strtab->sh_size || plen + BENTO_VERSION_MAX + 1 > sizeof(buf))
		return false;
	uint64_t avail = strtab->sh_size - name;
	size_t want = avail < sizeof(buf) - 1 ? (size_t)avail : sizeof(buf) - 1;
	ssize_t n = bento_pread_all(fd, buf, want, (off_t)(strtab->sh_offset + name));
	if (n <= 0)
		return false;
	buf[n] = '\0';
	size_t len = strnlen(buf, (size_t)n);
	if (len == (size_t)n || len <= plen || strncmp(buf, prefix, plen) != 0 ||
	    !bento_version_valid(buf + plen, len - plen))
		return false;
	memcpy(out, buf + plen, len - plen + 1);
	return true;
}

int bento_elf_newest_version(int fd, uint64_t file_size, const char *prefix, char *out,
                             bento_error **err)
{
	Elf64_Ehdr eh;
	autofree Elf64_Shdr *sh = read_headers(fd, file_size, &eh, err);
	if (sh == NULL)
		return -1;
	const Elf64_Shdr *verdef = NULL;
	for (unsigned i = 0; i < eh.e_shnum && verdef == NULL; i++)
		if (sh[i].sh_type == SHT_GNU_verdef)
			verdef = &sh[i];
	if (verdef == NULL)
		return 0;
	if (verdef->sh_size > MAX_VERDEF_SIZE || verdef->sh_size > file_size ||
	    verdef->sh_offset > file_size - verdef->sh_size || verdef->sh_link >= eh.e_shnum)
		return bento_error_set(err, ENOEXEC,
		                       "ELF version definitions lie outside the file");
	const Elf64_Shdr *strtab = &sh[verdef->sh_link];
	if (strtab->sh_type != SHT_STRTAB || strtab->sh_size > file_size ||
	    strtab->sh_offset > file_size - strtab->sh_size)
		return bento_error_set(err, ENOEXEC, "ELF version names lie outside the file");
	size_t size = (size_t)verdef->sh_size;
	autofree unsigned char *defs = xmalloc(size ? size : 1);
	if (bento_pread_all(fd, defs, size, (off_t)verdef->sh_offset) != (ssize_t)size)
		return bento_error_set(err, ENOEXEC, "cannot read ELF version definitions");
	int found = 0;
	char version[BENTO_VERSION_MAX + 1];
	/* Each definition says where the next one is: checked to stay inside
	 * the section, and counted, so that a loop in them ends. */
	size_t off = 0;
	for (unsigned count = 0; count < MAX_VERDEFS; count++) {
		Elf64_Verdef vd;
		Elf64_Verdaux aux;
		if (off > size || size - off < sizeof(vd))
			return bento_error_set(err, ENOEXEC,
			                       "ELF version definition %u is truncated", count);
		memcpy(&vd, defs + off, sizeof(vd));
		if (vd.vd_cnt > 0 && !(vd.vd_flags & VER_FLG_BASE)) {
			if (vd.vd_aux > size - off || size - off - vd.vd_aux < sizeof(aux))
				return bento_error_set(
				    err, ENOEXEC, "ELF version definition %u is truncated", count);
			memcpy(&aux, defs + off + vd.vd_aux, sizeof(aux));
			if (version_name(fd, strtab, aux.vda_name, prefix, version) &&
			    (!found || bento_version_compare(version, out) > 0)) {
				memcpy(out, version, sizeof(version));
				found = 1;
			}
		}
		if (vd.vd_next == 0)
			return found;
		off += vd.vd_next;
	}
	return bento_error_set(err, ENOEXEC, "more than %d ELF version definitions", MAX_VERDEFS);
}

int bento_elf_has_appimage_magic(int fd, bento_error **err)
{
	char magic[3];
	ssize_t n = bento_pread_all(fd, magic, sizeof(magic), BENTO_APPIMAGE_MAGIC_OFFSET);
	if (n < 0)
		return bento_error_errno(err, "cannot read AppImage magic");
	return n == sizeof(magic) && memcmp(magic, BENTO_APPIMAGE_MAGIC, sizeof(magic)) == 0;
}

int bento_elf_write_section(int fd, const char *file, const char *name, const void *data,
                            size_t len, bento_error **err)
{
	struct stat st;
	bento_elf_section sec;
	if (fstat(fd, &st) < 0)
		return bento_error_errno(err, "%s", file);
	int found = bento_elf_find_section(fd, (uint64_t)st.st_size, name, &sec, err);
	if (found < 0)
		return bento_error_prefix(err, "%s", file);
	if (found == 0)
		return bento_error_set(err, ENOEXEC, "%s: the runtime has no %s section", file,
		                       name);
	if (len > sec.size)
		return bento_error_set(err, EFBIG,
		                       "%s: %zu bytes do not fit in its %s section (%llu bytes)",
		                       file, len, name, (unsigned long long)sec.size);
	autofree char *buf = xcalloc(1, (size_t)sec.size);
	memcpy(buf, data, len);
	if (pwrite(fd, buf, (size_t)sec.size, (off_t)sec.offset) != (ssize_t)sec.size)
		return bento_error_errno(err, "%s: cannot write its %s section", file, name);
	return 0;
}
