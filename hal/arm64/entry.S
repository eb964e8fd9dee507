/* Exception vectors and the kernel entry/exit paths.
 *
 * VBAR_EL1 table: 16 entries of 0x80 bytes, 2 KiB aligned, in four groups:
 * current EL with SP_EL0, current EL with SP_ELx, lower EL AArch64, lower
 * EL AArch32; each with Synchronous, IRQ, FIQ, SError [Arm ARM D1.10.2].
 *
 * Every entry saves a full struct hal_trapframe on SP_EL1. The kernel runs
 * in EL1h on the current task's kernel stack; while a task is in user mode
 * its kernel stack is empty, so an exception from EL0 puts the trapframe
 * exactly in the top slot (hal_kstack_trapframe()). Interrupts stay masked
 * in IRQ handlers (no nesting). The exception-return path to EL0 is only
 * taken with the kernel stack back at that slot.
 */
#include <hal/arch/context.h>
#include "arm64.h"

	.arch	armv8-a

/* Save x0-x30, sp, elr, spsr; orig_x0 = x0, syscallno = -1. */
.macro	kernel_entry, el
	sub	sp, sp, #HAL_TF_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	.if	\el == 0
	mrs	x21, sp_el0
	.else
	add	x21, sp, #HAL_TF_SIZE
	.endif
	stp	x30, x21, [sp, #HAL_TF_OFF_REGS + 30 * 8]
	mrs	x22, elr_el1
	mrs	x23, spsr_el1
	stp	x22, x23, [sp, #HAL_TF_OFF_PC]
	mov	x24, #-1
	stp	x0, x24, [sp, #HAL_TF_OFF_ORIG_X0]
	.if	\el == 0
	mov	x29, #0			/* backtraces stop at the user boundary */
	.endif
.endm

/* Restore everything from the trapframe at sp and return from the
 * exception. Interrupts must be masked. */
.macro	kernel_exit, el
	ldp	x22, x23, [sp, #HAL_TF_OFF_PC]
	ldp	x30, x21, [sp, #HAL_TF_OFF_REGS + 30 * 8]
	.if	\el == 0
	/* Only EL0t AArch64 with DAIF clear can be returned to: whatever the
	 * trapframe says, never eret to EL1 from here. */
	mov	x24, #(PSR_MODE_MASK | PSR_MODE32 | PSR_F | PSR_I | PSR_A | PSR_D)
	bic	x23, x23, x24
	msr	sp_el0, x21
	.endif
	msr	elr_el1, x22
	msr	spsr_el1, x23
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	add	sp, sp, #HAL_TF_SIZE
	eret
	dsb	nsh			/* no speculation past eret */
	isb
.endm

/* Emulated PAN (arm64_sw_pan, <hal/hardening.h>): load TTBR0_EL1 from var,
 * arm64_kernel_ttbr0 (the empty table) on entry from EL0, arm64_user_ttbr0
 * on the way back. Clobbers x16. */
.macro	sw_pan_ttbr0, var
	adrp	x16, arm64_sw_pan
	ldrb	w16, [x16, :lo12:arm64_sw_pan]
	cbz	w16, 9997f
	adrp	x16, \var
	ldr	x16, [x16, :lo12:\var]
	msr	ttbr0_el1, x16
	isb
9997:
.endm

.macro	ventry, label
	.balign	0x80
	b	\label
.endm

	.text
	.balign	2048
	.globl	arm64_vectors
arm64_vectors:
	ventry	el1t_sync		/* current EL, SP_EL0: never used */
	ventry	el1t_irq
	ventry	el1t_fiq
	ventry	el1t_serror
	ventry	el1h_sync		/* current EL, SP_EL1: the kernel */
	ventry	el1h_irq
	ventry	el1h_fiq
	ventry	el1h_serror
	ventry	el0_sync		/* lower EL, AArch64: user */
	ventry	el0_irq
	ventry	el0_fiq
	ventry	el0_serror
	ventry	el0_32_sync		/* lower EL, AArch32: never runs */
	ventry	el0_32_irq
	ventry	el0_32_fiq
	ventry	el0_32_serror

/* Unexpected exceptions: kind = vector index (0-15). */
.macro	bad_vector, name, el, kind
\name:
	kernel_entry \el
	mov	x0, sp
	mov	x1, #\kind
	mrs	x2, esr_el1
	bl	arm64_bad_exception	/* does not return */
.endm

	bad_vector el1t_sync, 1, 0
	bad_vector el1t_irq, 1, 1
	bad_vector el1t_fiq, 1, 2
	bad_vector el1t_serror, 1, 3
	bad_vector el1h_fiq, 1, 6
	bad_vector el1h_serror, 1, 7
	bad_vector el0_fiq, 0, 10
	bad_vector el0_serror, 0, 11
	bad_vector el0_32_sync, 0, 12
	bad_vector el0_32_irq, 0, 13
	bad_vector el0_32_fiq, 0, 14
	bad_vector el0_32_serror, 0, 15

el1h_sync:
	kernel_entry 1
	mov	x0, sp
	mrs	x1, esr_el1
	mrs	x2, far_el1
	bl	arm64_el1_sync
	msr	daifset, #2
	kernel_exit 1

el1h_irq:
	kernel_entry 1
	mov	x0, sp
	bl	arm64_handle_irq
	kernel_exit 1

el0_sync:
	kernel_entry 0
	sw_pan_ttbr0 arm64_kernel_ttbr0
	mov	x0, sp
	mrs	x1, esr_el1
	mrs	x2, far_el1		/* read before anything can fault again */
	msr	daifclr, #2		/* syscalls and faults run with IRQs on */
	bl	arm64_el0_sync
	b	ret_to_user_work

el0_irq:
	kernel_entry 0
	sw_pan_ttbr0 arm64_kernel_ttbr0
	mov	x0, sp
	bl	arm64_handle_irq
	msr	daifclr, #2
	/* FALLTHROUGH */
ret_to_user_work:
	mov	x0, sp
	bl	kernel_return_to_user	/* reschedule, signals; IRQs on */
	/* FALLTHROUGH */
ret_to_user:
	msr	daifset, #2
	sw_pan_ttbr0 arm64_user_ttbr0
	kernel_exit 0

/* __noreturn void hal_return_to_user(struct hal_trapframe *tf): tf is the
 * trapframe slot at the top of the current kernel stack; drop everything
 * below it and return to EL0. Does not call kernel_return_to_user(). */
	.globl	hal_return_to_user
hal_return_to_user:
	msr	daifset, #2
	mov	sp, x0
	b	ret_to_user
