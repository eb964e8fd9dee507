/* The ELF note Linux's vDSO carries: name "Linux", type 0, the kernel
 * version as LINUX_VERSION_CODE (6.1.0, what uname(2) reports). glibc
 * may read it to learn the running kernel version. [elf(5) "Notes"] */
	.section .note.Linux, "a", @note
	.balign 4
	.long 6f - 5f		/* namesz */
	.long 8f - 7f		/* descsz */
	.long 0			/* type */
5:	.asciz "Linux"
6:	.balign 4
7:	.long (6 << 16) | (1 << 8) | 0
8:	.balign 4
	.section .note.GNU-stack, "", @progbits
