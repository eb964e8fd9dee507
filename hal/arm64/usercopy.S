/* size_t hal_user_copy(void *dst, const void *src, size_t n)
 *
 * Copies n bytes and returns how many were NOT copied (0 on success).
 * Every load and store that may touch user memory has an __ex_table entry
 * { faulting pc, fixup pc }: a fault there that kernel_page_fault() cannot
 * resolve resumes at the fixup (trap.c) instead of oopsing. A fault in the
 * 16-byte loop falls back to the byte loop, which stops at the exact first
 * inaccessible byte. Unaligned ldp/stp are fine: SCTLR_EL1.A = 0 and user
 * memory is Normal memory [Arm ARM B2.5.2].
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

	.globl	hal_user_copy
hal_user_copy:
	/* x0 = dst, x1 = src, x2 = bytes left */
1:	cmp	x2, #16
	b.lo	2f
	uaccess	2f, ldp	x3, x4, [x1]
	uaccess	2f, stp	x3, x4, [x0]
	add	x0, x0, #16
	add	x1, x1, #16
	sub	x2, x2, #16
	b	1b
2:	cbz	x2, 3f
	uaccess	4f, ldrb w3, [x1]
	uaccess	4f, strb w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	2b
3:	mov	x0, #0
	ret
4:	mov	x0, x2
	ret
