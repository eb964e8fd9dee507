/* __kernel_rt_sigreturn: where a signal handler installed without
 * SA_RESTORER returns to (the kernel puts this address in x30 when it
 * builds the signal frame, hal/arm64/signal.c). It calls rt_sigreturn(2)
 * with sp at the frame. As in Linux (arch/arm64/kernel/vdso/sigreturn.S)
 * a NOP precedes the symbol, so an unwinder that looks up "return
 * address - 1" finds this function. [sigreturn(2)] */
#define NR_rt_sigreturn 139

	.text
	.balign 16
	nop
	.globl __kernel_rt_sigreturn
	.type __kernel_rt_sigreturn, %function
__kernel_rt_sigreturn:
	mov	x8, #NR_rt_sigreturn
	svc	#0
	brk	#0		/* rt_sigreturn does not return here */
	.size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn

	.section .note.GNU-stack, "", %progbits
