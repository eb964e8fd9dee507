/* Kernel context switch and FP/SIMD state save/restore.
 * [AAPCS64 §6.1.1: x19-x29, sp are callee-saved], [Arm ARM C5.2.7 FPCR,
 * C5.2.8 FPSR, D17.2.139 TPIDR_EL0]. The kernel is compiled
 * -mgeneral-regs-only, so the FP/SIMD registers hold only the user's state
 * and are switched eagerly here. */
#include <hal/arch/context.h>

	.arch	armv8-a+fp+simd
	.text

/* void arm64_fpsimd_save(struct hal_fpsimd_state *st) */
	.globl	arm64_fpsimd_save
arm64_fpsimd_save:
	stp	q0, q1, [x0, #32 * 0]
	stp	q2, q3, [x0, #32 * 1]
	stp	q4, q5, [x0, #32 * 2]
	stp	q6, q7, [x0, #32 * 3]
	stp	q8, q9, [x0, #32 * 4]
	stp	q10, q11, [x0, #32 * 5]
	stp	q12, q13, [x0, #32 * 6]
	stp	q14, q15, [x0, #32 * 7]
	stp	q16, q17, [x0, #32 * 8]
	stp	q18, q19, [x0, #32 * 9]
	stp	q20, q21, [x0, #32 * 10]
	stp	q22, q23, [x0, #32 * 11]
	stp	q24, q25, [x0, #32 * 12]
	stp	q26, q27, [x0, #32 * 13]
	stp	q28, q29, [x0, #32 * 14]
	stp	q30, q31, [x0, #32 * 15]
	mrs	x1, fpsr
	mrs	x2, fpcr
	str	w1, [x0, #HAL_FPSIMD_OFF_FPSR]
	str	w2, [x0, #HAL_FPSIMD_OFF_FPCR]
	ret

/* void arm64_fpsimd_load(const struct hal_fpsimd_state *st) */
	.globl	arm64_fpsimd_load
arm64_fpsimd_load:
	ldp	q0, q1, [x0, #32 * 0]
	ldp	q2, q3, [x0, #32 * 1]
	ldp	q4, q5, [x0, #32 * 2]
	ldp	q6, q7, [x0, #32 * 3]
	ldp	q8, q9, [x0, #32 * 4]
	ldp	q10, q11, [x0, #32 * 5]
	ldp	q12, q13, [x0, #32 * 6]
	ldp	q14, q15, [x0, #32 * 7]
	ldp	q16, q17, [x0, #32 * 8]
	ldp	q18, q19, [x0, #32 * 9]
	ldp	q20, q21, [x0, #32 * 10]
	ldp	q22, q23, [x0, #32 * 11]
	ldp	q24, q25, [x0, #32 * 12]
	ldp	q26, q27, [x0, #32 * 13]
	ldp	q28, q29, [x0, #32 * 14]
	ldp	q30, q31, [x0, #32 * 15]
	ldr	w1, [x0, #HAL_FPSIMD_OFF_FPSR]
	ldr	w2, [x0, #HAL_FPSIMD_OFF_FPCR]
	msr	fpsr, x1
	msr	fpcr, x2
	ret

/* void arm64_context_switch(struct hal_context *from, struct hal_context *to,
 *                           int *from_on_cpu)
 * Interrupts masked by the caller. Returns in `to`'s context. Once from is
 * saved (FP/SIMD included), *from_on_cpu = 0 with a store-release
 * [Arm ARM C6.2.283 STLR] if not NULL; from's stack is not touched after. */
	.globl	arm64_context_switch
arm64_context_switch:
	mov	x9, sp
	stp	x19, x20, [x0, #HAL_CTX_OFF_X19 + 16 * 0]
	stp	x21, x22, [x0, #HAL_CTX_OFF_X19 + 16 * 1]
	stp	x23, x24, [x0, #HAL_CTX_OFF_X19 + 16 * 2]
	stp	x25, x26, [x0, #HAL_CTX_OFF_X19 + 16 * 3]
	stp	x27, x28, [x0, #HAL_CTX_OFF_X19 + 16 * 4]
	stp	x29, x9, [x0, #HAL_CTX_OFF_FP]
	mrs	x10, tpidr_el0
	stp	x30, x10, [x0, #HAL_CTX_OFF_LR]
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	add	x0, x19, #HAL_CTX_OFF_FPSIMD
	bl	arm64_fpsimd_save
	cbz	x21, 1f
	stlr	wzr, [x21]
1:	add	x0, x20, #HAL_CTX_OFF_FPSIMD
	bl	arm64_fpsimd_load

	ldp	x30, x10, [x20, #HAL_CTX_OFF_LR]
	msr	tpidr_el0, x10
	ldp	x29, x9, [x20, #HAL_CTX_OFF_FP]
	mov	sp, x9
	mov	x0, x20
	ldp	x19, x20, [x0, #HAL_CTX_OFF_X19 + 16 * 0]
	ldp	x21, x22, [x0, #HAL_CTX_OFF_X19 + 16 * 1]
	ldp	x23, x24, [x0, #HAL_CTX_OFF_X19 + 16 * 2]
	ldp	x25, x26, [x0, #HAL_CTX_OFF_X19 + 16 * 3]
	ldp	x27, x28, [x0, #HAL_CTX_OFF_X19 + 16 * 4]
	ret

/* First code of a task made by hal_context_init(): x19 = fn, x20 = arg.
 * fn must not return. */
	.globl	arm64_task_entry
arm64_task_entry:
	msr	daifclr, #2
	mov	x0, x20
	blr	x19
	brk	#0x100			/* fn returned: kernel_fault via the EL1 BRK path */

/* int hal_recovery_save(struct hal_recovery_point *rp) (<hal/recover.h>) */
	.globl	hal_recovery_save
hal_recovery_save:
	stp	x19, x20, [x0, #HAL_RP_OFF_X19 + 0]
	stp	x21, x22, [x0, #HAL_RP_OFF_X19 + 16]
	stp	x23, x24, [x0, #HAL_RP_OFF_X19 + 32]
	stp	x25, x26, [x0, #HAL_RP_OFF_X19 + 48]
	stp	x27, x28, [x0, #HAL_RP_OFF_X19 + 64]
	stp	x29, x30, [x0, #HAL_RP_OFF_FP]
	mov	x1, sp
	mrs	x2, daif
	stp	x1, x2, [x0, #HAL_RP_OFF_SP]
	mov	x0, #0
	ret

/* void hal_recovery_resume(struct hal_recovery_point *rp, int val) */
	.globl	hal_recovery_resume
hal_recovery_resume:
	msr	daifset, #0xf			/* no exception on a half-restored stack */
	cmp	w1, #0
	csinc	w1, w1, wzr, ne			/* 0 becomes 1 */
	ldp	x19, x20, [x0, #HAL_RP_OFF_X19 + 0]
	ldp	x21, x22, [x0, #HAL_RP_OFF_X19 + 16]
	ldp	x23, x24, [x0, #HAL_RP_OFF_X19 + 32]
	ldp	x25, x26, [x0, #HAL_RP_OFF_X19 + 48]
	ldp	x27, x28, [x0, #HAL_RP_OFF_X19 + 64]
	ldp	x29, x30, [x0, #HAL_RP_OFF_FP]
	ldp	x2, x3, [x0, #HAL_RP_OFF_SP]
	mov	sp, x2
	msr	daif, x3
	mov	w0, w1
	ret
