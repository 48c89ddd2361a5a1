/* SPDX-License-Identifier: MIT */
/* The runtime's entry point: check that the file is complete before the C
 * library starts.
 *
 * A download cut short can end inside the runtime itself.  The kernel still
 * maps such a file, and the first touch of a page past its end (glibc's
 * start-up writes to the data segment at once) kills the process with
 * SIGBUS.  So before jumping to _start, this code - which touches nothing
 * but the stack and the ELF header in the first page, and calls nothing but
 * the kernel - compares the file's size with the end of its last loadable
 * segment and exits with status 127 and a message if the file is shorter.
 * pad.ld makes sure the kernel's loader itself does not fault first. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* .text.unlikely.* is placed first in .text, close to the start of the file. */
#define ENTRY_CODE __attribute__((section(".text.unlikely.bento_entry"), no_stack_protector))

/* String constants would land in .rodata, far into the file: keep them in
 * the entry's own section. */
#define ENTRY_STRING(name, text)                                                                   \
	static const char name[] __attribute__((section(".text.unlikely.bento_entry_strings"))) =  \
	    text

ENTRY_STRING(proc_exe, "/proc/self/exe");
ENTRY_STRING(msg_prefix, "bento-runtime: ");
ENTRY_STRING(msg_needs, ": truncated file: the runtime alone needs ");
ENTRY_STRING(msg_has, " bytes but the file has ");
ENTRY_STRING(msg_hint, " (an interrupted download?)");

extern const Elf64_Ehdr __ehdr_start;
void bento_entry(void);
void bento_check_complete(void);

ENTRY_CODE static long raw_syscall3(long n, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return ret;
}

ENTRY_CODE static unsigned put_str(char *buf, unsigned pos, unsigned cap, const char *s)
{
	while (*s && pos < cap)
		buf[pos++] = *s++;
	return pos;
}

ENTRY_CODE static unsigned put_num(char *buf, unsigned pos, unsigned cap, uint64_t v)
{
	char digits[24];
	unsigned n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && pos < cap)
		buf[pos++] = digits[--n];
	return pos;
}

/* Runs on the kernel's initial stack, before TLS exists: hence no stack
 * protector, no libc. */
ENTRY_CODE __attribute__((used)) void bento_check_complete(void)
{
	const Elf64_Phdr *ph =
	    (const Elf64_Phdr *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
	uint64_t need = 0;
	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > need)
			need = ph[i].p_offset + ph[i].p_filesz;
	long fd = raw_syscall3(SYS_open, (long)proc_exe, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	struct stat st;
	long r = raw_syscall3(SYS_fstat, fd, (long)&st, 0);
	raw_syscall3(SYS_close, fd, 0, 0);
	if (r < 0 || (uint64_t)st.st_size >= need)
		return;
	char path[512], msg[768];
	long len = raw_syscall3(SYS_readlink, (long)proc_exe, (long)path, sizeof(path) - 1);
	path[len > 0 ? len : 0] = '\0';
	unsigned n = put_str(msg, 0, sizeof(msg), msg_prefix);
	n = put_str(msg, n, sizeof(msg), path);
	n = put_str(msg, n, sizeof(msg), msg_needs);
	n = put_num(msg, n, sizeof(msg), need);
	n = put_str(msg, n, sizeof(msg), msg_has);
	n = put_num(msg, n, sizeof(msg), (uint64_t)st.st_size);
	n = put_str(msg, n, sizeof(msg) - 1, msg_hint);
	msg[n++] = '\n';
	raw_syscall3(SYS_write, 2, (long)msg, n);
	raw_syscall3(SYS_exit_group, 127, 0, 0);
}

/* rdx carries the kernel's (null) exit-function pointer to _start; pushed
 * twice to keep the stack 16-byte aligned across the call. */
__attribute__((naked, section(".text.unlikely.bento_entry"))) void bento_entry(void)
{
	__asm__("push %rdx\n\t"
	        "push %rdx\n\t"
	        "call bento_check_complete\n\t"
	        "pop %rdx\n\t"
	        "pop %rdx\n\t"
	        "jmp _start\n\t");
}
