/* The real-mode entry of the secondary CPUs [Intel SDM Vol. 3A §8.4.4.2
 * "Typical AP initialization sequence", §9.8 (switching to protected
 * mode), §9.8.5 (initializing IA-32e mode)].
 *
 * smp.c copies x64_trampoline_start..x64_trampoline_end to
 * X64_TRAMPOLINE_PA (a page of the first MiB, which setup.c keeps out of
 * the frame allocator), fills the data block at its end and sends the
 * STARTUP IPI with vector X64_TRAMPOLINE_PA >> 12: the CPU starts here in
 * real mode with CS = vector << 8, IP = 0. It loads a flat GDT, enters
 * protected mode, turns on PAE, loads the trampoline's page tables (the
 * kernel half plus an identity map of the low 2 MiB), sets EFER.LME (and
 * NXE), turns paging on, and jumps in 64-bit mode to the kernel's AP
 * entry (x64_ap_main in smp.c, a high address) on its own stack with the
 * CPU index in %edi. Assembled here, never executed in place. */
#include "x64.h"

#define TR(sym) ((sym) - x64_trampoline_start + X64_TRAMPOLINE_PA)

	.section .rodata.trampoline, "a"
	.balign	16
	.globl	x64_trampoline_start, x64_trampoline_data, x64_trampoline_end
x64_trampoline_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tr_gdtr - x64_trampoline_start
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $TR(tr_pm32)

	.code32
tr_pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	TR(tr_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	TR(tr_efer), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $TR(tr_lm64)

	.code64
tr_lm64:
	movq	TR(tr_stack), %rsp
	movl	TR(tr_cpu), %edi
	xorl	%ebp, %ebp
	jmpq	*TR(tr_entry)

	.balign	8
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code, flat */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdtr:
	.word	4 * 8 - 1
	.long	TR(tr_gdt)

/* Filled by smp.c (struct trampoline_data). */
	.balign	8
x64_trampoline_data:
tr_cr3:		.long	0	/* the trampoline PML4, below 4 GiB */
tr_efer:	.long	0	/* EFER bits to set: LME, NXE */
tr_entry:	.quad	0	/* 64-bit entry, kernel address */
tr_stack:	.quad	0	/* initial rsp */
tr_cpu:		.long	0	/* logical CPU index */
		.long	0
x64_trampoline_end:
