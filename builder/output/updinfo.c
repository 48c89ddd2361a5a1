/* SPDX-License-Identifier: MIT */
#include "output/updinfo.h"

#include <string.h>

#include "core/elf_layout.h"
#include "core/util.h"

int bento_updinfo_write(int fd, const char *file, const char *s, bento_error **err)
{
	/* With its NUL, so that readers need not rely on the padding. */
	return bento_elf_write_section(fd, file, ".upd_info", s, strlen(s) + 1, err);
}
