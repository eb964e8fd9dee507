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
 * oops.
 *
 * Shape: a byte loop until the user address is 8-byte aligned, then 64
 * bytes per step as eight aligned 8-byte LDTR/STTR (they have no pair
 * form; an aligned access never straddles a page) with four LDP/STP on the
 * kernel side (unaligned is fine there: SCTLR_EL1.A = 0, Normal memory,
 * B2.5.2), as Linux's copy_template unrolls; then 16 bytes per step, then
 * a byte loop for the tail. A fault in a 64-byte step goes on with 16-byte
 * steps from the start of that step, and a fault in one of those with the
 * byte loop, which stops at the exact first inaccessible byte, so the
 * count returned is exact (a step moves its pointers only once all of its
 * accesses are done; copy_to_user may store a step's first bytes twice).
 *
 * Emulated PAN (arm64_sw_pan, <hal/hardening.h>): user memory is mapped
 * only between uaccess_open and uaccess_close; a fault in between runs its
 * handler closed and comes back open (trap.c).
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

.macro	uaccess_ttbr0, var
	adrp	x16, arm64_sw_pan
	ldrb	w16, [x16, :lo12:arm64_sw_pan]
	cbz	w16, 9998f
	adrp	x16, \var
	ldr	x16, [x16, :lo12:\var]
	msr	ttbr0_el1, x16
	isb
9998:
.endm

	/* x0 = dst, x1 = user src, x2 = bytes left */
	.globl	arm64_copy_from_user
arm64_copy_from_user:
	uaccess_ttbr0 arm64_user_ttbr0
1:	tst	x1, #7			/* head, to an aligned user address */
	b.eq	7f
	cbz	x2, 5f
	uaccess	6f, ldtrb w3, [x1]
	strb	w3, [x0], #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	1b
7:	cmp	x2, #64			/* bulk, 64 bytes a step */
	b.lo	2f
	uaccess	2f, ldtr x3, [x1]
	uaccess	2f, ldtr x4, [x1, #8]
	uaccess	2f, ldtr x5, [x1, #16]
	uaccess	2f, ldtr x6, [x1, #24]
	uaccess	2f, ldtr x7, [x1, #32]
	uaccess	2f, ldtr x8, [x1, #40]
	uaccess	2f, ldtr x9, [x1, #48]
	uaccess	2f, ldtr x10, [x1, #56]
	stp	x3, x4, [x0]
	stp	x5, x6, [x0, #16]
	stp	x7, x8, [x0, #32]
	stp	x9, x10, [x0, #48]
	add	x0, x0, #64
	add	x1, x1, #64
	sub	x2, x2, #64
	b	7b
2:	cmp	x2, #16			/* 16 bytes a step */
	b.lo	3f
	uaccess	3f, ldtr x3, [x1]
	uaccess	3f, ldtr x4, [x1, #8]
	stp	x3, x4, [x0], #16
	add	x1, x1, #16
	sub	x2, x2, #16
	b	2b
3:	cbz	x2, 5f			/* tail, or the rest after a bulk fault */
	uaccess	6f, ldtrb w3, [x1]
	strb	w3, [x0], #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	3b
5:	mov	x2, #0
6:	uaccess_ttbr0 arm64_kernel_ttbr0
	mov	x0, x2
	ret

	/* x0 = user dst, x1 = src, x2 = bytes left */
	.globl	arm64_copy_to_user
arm64_copy_to_user:
	uaccess_ttbr0 arm64_user_ttbr0
1:	tst	x0, #7			/* head, to an aligned user address */
	b.eq	7f
	cbz	x2, 5f
	ldrb	w3, [x1]
	uaccess	6f, sttrb w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	1b
7:	cmp	x2, #64			/* bulk, 64 bytes a step */
	b.lo	2f
	ldp	x3, x4, [x1]
	ldp	x5, x6, [x1, #16]
	ldp	x7, x8, [x1, #32]
	ldp	x9, x10, [x1, #48]
	uaccess	2f, sttr x3, [x0]
	uaccess	2f, sttr x4, [x0, #8]
	uaccess	2f, sttr x5, [x0, #16]
	uaccess	2f, sttr x6, [x0, #24]
	uaccess	2f, sttr x7, [x0, #32]
	uaccess	2f, sttr x8, [x0, #40]
	uaccess	2f, sttr x9, [x0, #48]
	uaccess	2f, sttr x10, [x0, #56]
	add	x0, x0, #64
	add	x1, x1, #64
	sub	x2, x2, #64
	b	7b
2:	cmp	x2, #16			/* 16 bytes a step */
	b.lo	3f
	ldp	x3, x4, [x1]
	uaccess	3f, sttr x3, [x0]
	uaccess	3f, sttr x4, [x0, #8]
	add	x0, x0, #16
	add	x1, x1, #16
	sub	x2, x2, #16
	b	2b
3:	cbz	x2, 5f			/* tail, or the rest after a bulk fault */
	ldrb	w3, [x1]
	uaccess	6f, sttrb w3, [x0]
	add	x0, x0, #1
	add	x1, x1, #1
	sub	x2, x2, #1
	b	3b
5:	mov	x2, #0
6:	uaccess_ttbr0 arm64_kernel_ttbr0
	mov	x0, x2
	ret
