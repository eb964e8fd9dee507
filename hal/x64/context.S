/* Kernel thread switch. The C side (context.c) switches the FPU state, FS
 * base and TSS.rsp0; this file saves the callee-saved registers [System V
 * AMD64 ABI §3.2.1], rsp, the resume address and rflags of `from`, and
 * loads those of `to`. */
#include "x64.h"

	.text

/* void x64_switch_stack(struct hal_context *from, struct hal_context *to) */
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
