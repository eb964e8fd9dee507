/* x86_64 entry: from 32-bit protected mode (PVH or multiboot2) to 64-bit
 * long mode at the kernel's link address, then x64_boot_main().
 *
 * Both loaders enter in 32-bit protected mode with paging off, flat CS/DS,
 * interrupts masked and no usable stack:
 *  - PVH (QEMU -kernel, Xen): %ebx = physical address of struct
 *    hvm_start_info [Xen arch/x86 hvm/start_info.h, "HVM direct boot ABI"];
 *  - multiboot2 (GRUB): %eax = 0x36d76289, %ebx = physical address of the
 *    boot information [Multiboot2 spec §3.3 "I386 machine state"].
 *
 * Long mode is entered as [Intel SDM Vol. 3A §9.8.5] describes: PAE page
 * tables in CR3, CR4.PAE, EFER.LME, then CR0.PG; a far jump loads a 64-bit
 * code segment. The boot page tables use 2 MiB pages and map:
 *   0 .. 4 GiB  identity (for the instructions around the switch),
 *   0 .. 4 GiB  at DIRECT_MAP_BASE (hal_phys_to_virt until mmu.c is up),
 *   0 .. 1 GiB  at KERNEL_VMA (the image: virtual = KERNEL_VMA + physical).
 * hal/x64/mmu.c replaces them with the final tables (W^X image, NX direct
 * map of RAM only, no identity map) before kernel_main().
 */
#include "x64.h"

#define PHYS(x) ((x) - KERNEL_VMA)
#define BOOT_STACK_SIZE 32768

/* ---- Multiboot2 header [Multiboot2 spec §3.1] ---- */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long 0xe85250d6                /* magic */
	.long 0                         /* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (0xe85250d6 + (mb2_header_end - mb2_header))
	/* entry address tag (type 3): the 32-bit physical entry point */
	.balign 8
	.short 3, 0
	.long 12
	.long PHYS(x64_mb2_entry)
	/* end tag */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

/* ---- PVH entry note: XEN_ELFNOTE_PHYS32_ENTRY (18), name "Xen". The Xen
 * ABI defines a 32-bit value; Linux emits a pointer-sized one and QEMU 7.2
 * reads 8 bytes, so it is a .quad with the upper half zero. ---- */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                         /* namesz */
	.long 8                         /* descsz */
	.long 18                        /* type */
	.asciz "Xen"
	.balign 4
	.quad PHYS(x64_pvh_entry)

/* ---- 32-bit entry code, run at its physical address ---- */
	.section .text.boot, "ax"
	.code32
	.globl x64_pvh_entry
x64_pvh_entry:
	cli
	cld
	movl $PVH_START_MAGIC, %eax     /* tag: %ebx is a PVH start_info */
	jmp 1f

	.globl x64_mb2_entry
x64_mb2_entry:
	cli
	cld
1:	movl %eax, %ebp                 /* loader magic, kept in %ebp */
	movl %ebx, %esi                 /* loader info (physical), kept in %esi */

	/* Zero .bss (boot page tables and stack live there). Loaders zero
	 * p_memsz - p_filesz, but do not rely on it. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* Long mode available? CPUID 0x80000001 EDX bit 29 (LM). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc .Lno_long_mode
	movl %edx, %ebx                 /* keep the extended feature bits (NX: bit 20) */

	/* Four page directories of 2 MiB pages: 0 .. 4 GiB. */
	movl $PHYS(x64_boot_pd), %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	/* PDPT for the identity and direct maps: entries 0..3 -> the PDs. */
	movl $PHYS(x64_boot_pdpt), %edi
	movl $(PHYS(x64_boot_pd) + PTE_P + PTE_W), %eax
	movl %eax, 0(%edi)
	addl $4096, %eax
	movl %eax, 8(%edi)
	addl $4096, %eax
	movl %eax, 16(%edi)
	addl $4096, %eax
	movl %eax, 24(%edi)

	/* PDPT for the image: KERNEL_VMA is PDPT entry 510 of PML4 slot 511. */
	movl $PHYS(x64_boot_pdpt_image), %edi
	movl $(PHYS(x64_boot_pd) + PTE_P + PTE_W), %eax
	movl %eax, 510 * 8(%edi)

	movl $PHYS(x64_boot_pml4), %edi
	movl $(PHYS(x64_boot_pdpt) + PTE_P + PTE_W), %eax
	movl %eax, 0(%edi)
	movl %eax, PML4_DIRECT_MAP * 8(%edi)
	movl $(PHYS(x64_boot_pdpt_image) + PTE_P + PTE_W), %eax
	movl %eax, PML4_IMAGE * 8(%edi)

	/* CR4.PAE, CR3, EFER.LME (+NXE if the CPU has NX), CR0.PG. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(x64_boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	btl $20, %ebx
	jnc 3f
	orl $EFER_NXE, %eax
3:	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt PHYS(boot_gdtr)
	ljmp $0x08, $PHYS(.Lstart64)

.Lno_long_mode:
	hlt
	jmp .Lno_long_mode

	.code64
.Lstart64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $.Lhigh64, %rax
	jmpq *%rax
.Lhigh64:
	/* Now at the link address. The upper halves of the GPRs are undefined
	 * after the mode switch [Intel SDM Vol. 1 §3.4.1.1]: 32-bit moves
	 * zero-extend. */
	movq $x64_boot_stack_top, %rsp
	movl %ebp, %edi                 /* magic */
	movl %esi, %esi                 /* info */
	xorl %ebp, %ebp                 /* end of the frame-pointer chain */
	call x64_boot_main
	ud2

/* Temporary GDT for the switch: null, 64-bit code (0x08), data (0x10).
 * gdt.c installs the real one. lgdt in 32-bit mode reads a 6-byte
 * pseudo-descriptor; the base is physical. */
	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
boot_gdt_end:
	.balign 8
boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)
	.long 0

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl x64_boot_pml4, x64_boot_stack_bottom, x64_boot_stack_top
x64_boot_pml4:
	.skip 4096
x64_boot_pdpt:
	.skip 4096
x64_boot_pdpt_image:
	.skip 4096
x64_boot_pd:
	.skip 4 * 4096
x64_boot_stack_bottom:
	.skip BOOT_STACK_SIZE
x64_boot_stack_top:
