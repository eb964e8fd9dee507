/* Kernel thread switch. The C side (context.c) switches the FPU state, FS
 * base and TSS.rsp0; this file saves the callee-saved registers [System V
 * AMD64 ABI §3.2.1], rsp, the resume address and rflags of `from`, and
 * loads those of `to`. */
#include "x64.h"

	.text

/* void x64_switch_stack(struct hal_context *from, struct hal_context *to,
 *                       int *from_on_cpu)
 * Once from is saved, *from_on_cpu = 0 (if not NULL): x86 stores are
 * release stores [Intel SDM Vol. 3A §8.2.2], and nothing below touches
 * from's stack again, so another CPU may resume from at once. */
	.globl x64_switch_stack
x64_switch_stack:
	movq %rbx, CTX_RBX(%rdi)
	movq %rbp, CTX_RBP(%rdi)
	movq %r12, CTX_R12(%rdi)
	movq %r13, CTX_R13(%rdi)
	movq %r14, CTX_R14(%rdi)
	movq %r15, CTX_R15(%rdi)
	movq (%rsp), %rax               /* resume at our return address ... */
	movq %rax, CTX_RIP(%rdi)
	leaq 8(%rsp), %rax              /* ... with the stack as after a ret */
	movq %rax, CTX_RSP(%rdi)
	pushfq
	popq CTX_RFLAGS(%rdi)
	testq %rdx, %rdx
	jz 1f
	movl $0, (%rdx)
1:
	movq CTX_RBX(%rsi), %rbx
	movq CTX_RBP(%rsi), %rbp
	movq CTX_R12(%rsi), %r12
	movq CTX_R13(%rsi), %r13
	movq CTX_R14(%rsi), %r14
	movq CTX_R15(%rsi), %r15
	movq CTX_RSP(%rsi), %rsp
	pushq CTX_RFLAGS(%rsi)
	popfq
	jmpq *CTX_RIP(%rsi)

/* First instruction of a new thread (hal_context_init): %r12 = fn,
 * %r13 = arg, %rsp 16-byte aligned, %rbp = 0 (ends backtraces). */
	.globl x64_task_entry
x64_task_entry:
	sti
	movq %r13, %rdi
	callq *%r12
	ud2                             /* fn must not return */

/* Recovery points (<hal/recover.h>). Offsets: struct hal_recovery_point in
 * <hal/arch/context.h>, checked in context.c. */
#define RP_RBX 0
#define RP_RBP 8
#define RP_R12 16
#define RP_R13 24
#define RP_R14 32
#define RP_R15 40
#define RP_RSP 48
#define RP_RIP 56
#define RP_RFLAGS 64

/* int hal_recovery_save(struct hal_recovery_point *rp) */
	.globl hal_recovery_save
hal_recovery_save:
	movq %rbx, RP_RBX(%rdi)
	movq %rbp, RP_RBP(%rdi)
	movq %r12, RP_R12(%rdi)
	movq %r13, RP_R13(%rdi)
	movq %r14, RP_R14(%rdi)
	movq %r15, RP_R15(%rdi)
	movq (%rsp), %rax
	movq %rax, RP_RIP(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, RP_RSP(%rdi)
	pushfq
	popq RP_RFLAGS(%rdi)
	xorl %eax, %eax
	ret

/* void hal_recovery_resume(struct hal_recovery_point *rp, int val) */
	.globl hal_recovery_resume
hal_recovery_resume:
	cli                             /* no interrupt on a half-restored stack */
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	movl $1, %eax
1:	movq RP_RBX(%rdi), %rbx
	movq RP_RBP(%rdi), %rbp
	movq RP_R12(%rdi), %r12
	movq RP_R13(%rdi), %r13
	movq RP_R14(%rdi), %r14
	movq RP_R15(%rdi), %r15
	movq RP_RSP(%rdi), %rsp
	pushq RP_RFLAGS(%rdi)
	popfq
	jmpq *RP_RIP(%rdi)
