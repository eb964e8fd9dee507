/* size_t arm64_copy_from_user(void *dst, const void *usrc, size_t n)
 * size_t arm64_copy_to_user(void *udst, const void *src, size_t n)
 *
 * Copy n bytes and return how many were NOT copied (0 on success).
 * The user side is reached only with the unprivileged LDTR/STTR family
 * [Arm ARM C6.2 "LDTR", D5.4 "unprivileged load/store"]: executed at EL1
 * they are checked against the EL0 permissions, so a kernel address posing
 * as a user pointer faults even where access_ok() is compiled out
 * (Ludicrous), and they are allowed while PSTATE.PAN is set.
 *
 * Every user access has an __ex_table entry { faulting pc, fixup pc }: a
 * fault there that kernel_page_fault() cannot resolve resumes at the fixup
 * (trap.c) instead of oopsing; faults on the kernel side are bugs and
 * oops. A fault in the 16-byte loop falls back to the byte loop, which
 * stops at the exact first inaccessible byte. The kernel side uses LDP/STP;
 * unaligned accesses are fine (SCTLR_EL1.A = 0, Normal memory, B2.5.2).
 */
	.arch	armv8-a
	.text

.macro	uaccess, fixup, insn:vararg
9999:	\insn
	.pushsection __ex_table, "a"
	.balign	8
	.quad	9999b, \fixup
	.popsection
.endm

	/* x0 = dst, x1 = src, x2 = bytes left */
	.globl	arm64_copy_from_user
arm64_copy_from_user:
1:	cmp	x2, #16
	b.lo	2f
	uaccess	2f, ldtr x3, [x1]
	uaccess	2f, ldtr x4, [x1, #8]
	stp	x3, x4, [x0]
	add	x0, x0, #16
	add	x1, x1, #16
	sub	x2, x2, #16
	b	1b
2:	cbz	x2, 3f
	uaccess	4f, ldtrb w3, [x1]
	strb	w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	2b
3:	mov	x0, #0
	ret
4:	mov	x0, x2
	ret

	.globl	arm64_copy_to_user
arm64_copy_to_user:
1:	cmp	x2, #16
	b.lo	2f
	ldp	x3, x4, [x1]
	uaccess	2f, sttr x3, [x0]
	uaccess	2f, sttr x4, [x0, #8]
	add	x0, x0, #16
	add	x1, x1, #16
	sub	x2, x2, #16
	b	1b
2:	cbz	x2, 3f
	ldrb	w3, [x1]
	uaccess	4f, sttrb w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	2b
3:	mov	x0, #0
	ret
4:	mov	x0, x2
	ret
