/* Kernel entry and exit: IDT stubs, the SYSCALL entry, the return paths.
 *
 * Every entry saves a struct hal_trapframe (include/hal/arch/context.h) and
 * calls C with %rdi = the frame. From ring 3 the frame lands in the slot at
 * the top of the task's kernel stack: the CPU switches to TSS.rsp0 for
 * interrupts and exceptions [Intel SDM Vol. 3A §6.14.2], and the SYSCALL
 * entry switches to the same top (x64_percpu0.kstack_top) by hand.
 *
 * GS discipline (Linux's): in the kernel, GS.base is the per-CPU area; in
 * user mode it is the user's. Every entry from ring 3 and every exit to
 * ring 3 does SWAPGS [Intel SDM Vol. 2B SWAPGS]; entries from ring 0 do not.
 * NMI, #DF and #MC run on IST stacks and do not use GS.
 */
#include "x64.h"

/* Push the general registers and the cr2 word, completing the frame
 * above whose orig_rax slot the caller has already filled. */
.macro SAVE_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq $0                        /* cr2 */
.endm

.macro RESTORE_GPRS
	addq $8, %rsp                   /* cr2 */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

	.text

/* ---- IDT stubs: one per vector, 16 bytes apart (trap.c computes the
 * addresses). Vectors whose exceptions push an error code [Intel SDM
 * Vol. 3A §6.15, Table 6-1] push only the vector; the others push a zero
 * error code first so every frame has the same shape. ---- */
	.balign 16
	.globl x64_isr_stubs
x64_isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp x64_trap_common
	.set vec, vec + 1
	.endr

x64_trap_common:
	testb $3, 24(%rsp)              /* cs: above vector, error, rip */
	jz 1f
	swapgs
1:	pushq $-1                       /* orig_rax: not a syscall */
	SAVE_GPRS
	cld
	/* RFLAGS.AC survives an interrupt or exception from ring 3 (only
	 * SYSCALL masks it): clear it so SMAP holds in the handler; IRETQ
	 * restores the interrupted value [Intel SDM Vol. 3A §4.6.1, §6.12.1]. */
	testb $1, x64_smap_enabled(%rip)
	jz 3f
	clac
3:	movq %rsp, %rdi
	call x64_trap
	/* FALLTHROUGH */

/* Return through IRETQ with the frame at %rsp; interrupts must be masked. */
x64_trap_exit:
	RESTORE_GPRS
	addq $24, %rsp                  /* orig_rax, vector, error */
	testb $3, 8(%rsp)               /* cs */
	jz 2f
	swapgs
2:	iretq

/* __noreturn void x64_trap_exit_to(struct hal_trapframe *tf) */
	.globl x64_trap_exit_to
x64_trap_exit_to:
	cli
	movq %rdi, %rsp
	jmp x64_trap_exit

/* ---- SYSCALL entry [Intel SDM Vol. 2B SYSCALL]: rcx = user rip,
 * r11 = user rflags, RFLAGS masked with SFMASK (IF, DF, TF, AC... clear),
 * CS/SS from STAR, rsp unchanged (still the user's). ---- */
	.globl x64_syscall_entry
x64_syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	pushq $GDT_USER_DS              /* ss */
	pushq %gs:PERCPU_USER_RSP       /* rsp */
	pushq %r11                      /* rflags */
	pushq $GDT_USER_CS              /* cs */
	pushq %rcx                      /* rip */
	pushq $0                        /* error */
	pushq $VEC_SYSCALL              /* vector */
	pushq %rax                      /* orig_rax */
	SAVE_GPRS
	movq %rsp, %rdi
	call x64_syscall                /* returns with interrupts masked */
	testl %eax, %eax
	jz x64_trap_exit                /* IRETQ: the frame was changed (signal, execve...) */

	/* SYSRETQ: x64_syscall checked rcx == rip, r11 == rflags, rip canonical
	 * and below USER_TOP, and no TF/RF [Intel SDM Vol. 2B SYSRET]. */
	RESTORE_GPRS
	movq 48(%rsp), %rsp             /* rsp slot: above orig_rax, vector, error, rip, cs, rflags */
	swapgs
	sysretq
