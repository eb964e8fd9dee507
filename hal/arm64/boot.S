/* arm64 entry: the Linux Image header, EL2 -> EL1, the boot page tables,
 * MMU on, and the jump to C (arm64_boot_main in setup.c).
 *
 * Loader contract (Linux Documentation/arm64/booting.rst): the image is
 * placed 2 MiB aligned (header flags bit 3: anywhere in RAM) + text_offset
 * (0), x0 = physical address of the DTB, x1-x3 = 0, entered at EL2 or EL1,
 * MMU off, D-cache off, the image cleaned to the PoC, interrupts masked.
 * Nothing here assumes where RAM is: until the MMU is on, every address is
 * formed PC-relatively (adrp) and so is physical.
 */
#include <hal/arch/context.h>
#include <kevlar/profile.h>
#include "arm64.h"

	.arch	armv8-a

/* -------------------------------------------------------------------------
 * The 64-byte Image header [booting.rst "Call the kernel image"].
 */
	.section .text.head, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_image_size		/* image_size: text..bss, little endian */
	.quad	0xa			/* flags: LE, 4K pages, anywhere in RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic 0x644d5241 */
	.long	0			/* res5 (no PE/COFF header) */

/* -------------------------------------------------------------------------
 * Code that runs with the MMU off. Kept right after the header so that it
 * lies in the 1 GiB the identity map covers.
 */
	.section .text.boot, "ax"

/* Index of va's entry in a table of the level whose entries span 1 << shift. */
.macro	pt_index, dst, va, shift
	ubfx	\dst, \va, #\shift, #9
.endm

primary_entry:
	mov	x19, x0			/* DTB physical address (may be 0) */
	mrs	x21, CurrentEL		/* entry exception level << 2 */

	mov	x0, x21
	cmp	x0, #(2 << 2)
	b.ne	1f
	bl	el2_to_el1		/* returns at EL1 */
1:
	/* EL1, MMU off. Known SCTLR: little endian, caches and MMU off. */
	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	isb

	adrp	x20, _start		/* physical load address of the image */
	tst	x20, #(SZ_2M - 1)
	b.ne	boot_hang		/* booting.rst: must be 2 MiB aligned */

	/* Zero .bss before anything lives there. Stale cache lines covering
	 * it are discarded first and after (data written with the MMU off
	 * goes straight to memory) [Arm ARM D7.4.1 (cache maintenance)]. */
	adrp	x0, __bss_start
	adrp	x1, __bss_end
	bl	dcache_inval_range
	adrp	x0, __bss_start
	adrp	x1, __bss_end
2:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	2b

	bl	create_boot_page_tables

	adrp	x0, __bss_start
	adrp	x1, __bss_end
	bl	dcache_inval_range

	adrp	x0, boot_pg_id_l0
	bl	mmu_on
	ldr	x0, =primary_virt	/* link (high) address */
	br	x0

/* Translation regime [Arm ARM D8.2] with TTBR0 = x0 (an identity map of
 * this code), TTBR1 = boot_pg_l0, then the MMU on. Same on every CPU.
 * Clobbers x0-x2. */
mmu_on:
	msr	ttbr0_el1, x0
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	mrs	x1, id_aa64mmfr0_el1
	ubfx	x1, x1, #0, #4		/* PARange */
	mov	x2, #5			/* at most 48 bits with 4 KiB pages */
	cmp	x1, x2
	csel	x1, x1, x2, ls
	bfi	x0, x1, #TCR_IPS_SHIFT, #3
	msr	tcr_el1, x0
	adrp	x0, boot_pg_l0
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb

	ldr	x0, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	ic	iallu			/* drop instructions fetched with the MMU off */
	dsb	nsh
	isb
	ret

/* Secondary CPUs start here, at this physical address, MMU off, at EL2 or
 * EL1, from PSCI CPU_ON (x0 = context id) or a spin-table release (smp.c).
 * The boot CPU filled smp_idmap_l0 (identity map of the image's gigabyte),
 * arm64_cpu_hwid[] and arm64_cpu_stack_top[] before kicking us. */
	.globl	secondary_entry
secondary_entry:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	1f
	bl	el2_to_el1		/* returns at EL1 */
1:	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	isb
	adrp	x0, smp_idmap_l0
	bl	mmu_on
	ldr	x0, =secondary_virt
	br	x0

/* EL2 -> EL1h with every EL1 facility the kernel needs left untrapped
 * [Arm ARM D1.6 (EL2 configuration), booting.rst "EL2 setup"]. */
el2_to_el1:
	mov	x0, #HCR_EL2_RW		/* EL1 is AArch64, no stage 2, no traps */
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #3		/* EL1PCTEN | EL1PCEN: EL1 counter + timer access */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr	/* virtual count == physical count */
	msr	vttbr_el2, xzr
	mov	x0, #CPTR_EL2_RES1	/* no FP/SIMD trap to EL2 */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	/* GICv3 CPU interface: let EL1 use the system registers
	 * [IHI 0069 §12.7.7 ICC_SRE_EL2]. */
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4		/* GIC field */
	cbz	x0, 1f
	mrs	x0, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	orr	x0, x0, #0x1		/* SRE */
	orr	x0, x0, #0x8		/* Enable: EL1 may set its own SRE */
	msr	S3_4_C12_C9_5, x0
	isb
	msr	S3_4_C12_C11_0, xzr	/* ICH_HCR_EL2 */
1:
	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_DAIF_MASKED
	msr	spsr_el2, x0
	msr	elr_el2, x30
	isb
	eret

/* Invalidate data cache lines of [x0, x1) to the PoC. x0, x1 line aligned.
 * Clobbers x0, x2, x3. */
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

/* Boot translation tables, all in .bss (x20 = image PA, x19 = DTB PA):
 *  TTBR1: L0[256] -> L1 -> L2 -> L3: the image at KIMAGE_VADDR in 4 KiB
 *         pages (W^X, <hal/hardening.h>);
 *         L0[pa >> 39] -> L1: 1 GiB direct-map blocks for the image's and
 *         the DTB's gigabytes (hal_mm_init() replaces them by exact RAM).
 *  TTBR0: identity map of the image's gigabyte, to turn the MMU on.
 * [Arm ARM D8.2.6 (translation table walk), D8.3 (descriptors)] */
create_boot_page_tables:
	adrp	x0, boot_pg_l0
	adrp	x1, boot_pg_kimg_l1
	adrp	x2, boot_pg_kimg_l2
	adrp	x3, boot_pg_dmap_l1
	adrp	x4, boot_pg_id_l0
	adrp	x5, boot_pg_id_l1

	/* Kernel image. KIMAGE_VADDR is L0 index 256, L1 index 0; each L2
	 * entry points to one of the consecutive L3 tables, so the L3 entry
	 * of image page i is at boot_pg_kimg_l3 + 8 * i. */
	orr	x6, x1, #PTE_TABLE
	str	x6, [x0, #(256 * 8)]
	orr	x6, x2, #PTE_TABLE
	str	x6, [x1]
	adrp	x7, __kernel_end
	sub	x7, x7, x20		/* image size in bytes (page multiple) */
	adrp	x11, boot_pg_kimg_l3
	mov	x9, x2
	mov	x10, x11
	mov	x12, #0
1:	orr	x6, x10, #PTE_TABLE
	str	x6, [x9], #8
	add	x10, x10, #4096
	add	x12, x12, #SZ_2M
	cmp	x12, x7
	b.lo	1b

	/* 4 KiB pages, W^X: text, then rodata from __text_end, then data
	 * and bss from __data_start [Arm ARM D8.4]; Ludicrous: all RWX. */
	adrp	x12, __text_end
	sub	x12, x12, x20
	adrp	x13, __data_start
	sub	x13, x13, x20
	mov	x9, x11
	mov	x10, #0			/* offset in the image */
2:
#ifdef KEVLAR_PROFILE_LUDICROUS
	ldr	x8, =KIMG_PAGE_ATTR
#else
	ldr	x8, =KIMG_TEXT_ATTR
	cmp	x10, x12
	b.lo	3f
	ldr	x8, =KIMG_RODATA_ATTR
	cmp	x10, x13
	b.lo	3f
	ldr	x8, =KIMG_DATA_ATTR
#endif
3:	orr	x8, x8, x20
	add	x8, x8, x10
	str	x8, [x9], #8
	add	x10, x10, #SZ_4K
	cmp	x10, x7
	b.lo	2b

	/* Direct map. */
	pt_index x6, x20, 39
	orr	x7, x3, #PTE_TABLE
	str	x7, [x0, x6, lsl #3]
	ldr	x8, =DMAP_BLOCK_ATTR
	pt_index x6, x20, 30
	and	x7, x20, #~(SZ_1G - 1)
	orr	x7, x7, x8
	str	x7, [x3, x6, lsl #3]
	cbz	x19, 2f			/* no DTB */
	eor	x6, x19, x20
	lsr	x6, x6, #39
	cbnz	x6, 2f			/* not in the image's 512 GiB: left out */
	pt_index x6, x19, 30
	and	x7, x19, #~(SZ_1G - 1)
	orr	x7, x7, x8
	str	x7, [x3, x6, lsl #3]
2:
	/* Identity map of the image's gigabyte (EL1 only, executable). */
	pt_index x6, x20, 39
	orr	x7, x5, #PTE_TABLE
	str	x7, [x4, x6, lsl #3]
	ldr	x8, =IDMAP_BLOCK_ATTR
	pt_index x6, x20, 30
	and	x7, x20, #~(SZ_1G - 1)
	orr	x7, x7, x8
	str	x7, [x5, x6, lsl #3]
	ret

boot_hang:
	wfe
	b	boot_hang

	.ltorg

/* -------------------------------------------------------------------------
 * MMU on, running at the link address.
 */
	.text
primary_virt:
	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	adrp	x0, arm64_vectors
	add	x0, x0, :lo12:arm64_vectors
	msr	vbar_el1, x0
	mov	x0, #CPACR_EL1_FPEN	/* FP/SIMD at EL0 and EL1, untrapped */
	msr	cpacr_el1, x0
	mov	x0, #CNTKCTL_EL0VCTEN	/* EL0 may read CNTVCT_EL0, as on Linux */
	msr	cntkctl_el1, x0
	isb
	msr	fpcr, xzr
	msr	sp_el0, xzr
	mov	x29, #0
	mov	x30, #0
	mov	x0, x19
	mov	x1, x20
	lsr	x2, x21, #2
	bl	arm64_boot_main		/* does not return */
3:	wfi
	b	3b

/* A secondary CPU with the MMU on: find our logical index (our MPIDR in
 * arm64_cpu_hwid[]), take our stack, the same EL1 set-up as the boot CPU,
 * then arm64_secondary_main(index) in smp.c. */
secondary_virt:
	mrs	x1, mpidr_el1
	ldr	x2, =MPIDR_HWID_MASK
	and	x1, x1, x2
	adrp	x2, arm64_cpu_hwid
	add	x2, x2, :lo12:arm64_cpu_hwid
	mov	x0, #1			/* index 0 is the boot CPU */
1:	ldr	x3, [x2, x0, lsl #3]
	cmp	x3, x1
	b.eq	2f
	add	x0, x0, #1
	cmp	x0, #ARM64_MAX_CPUS
	b.lo	1b
3:	wfe				/* not a CPU we started: stay parked */
	b	3b
2:	adrp	x2, arm64_cpu_stack_top
	add	x2, x2, :lo12:arm64_cpu_stack_top
	ldr	x2, [x2, x0, lsl #3]
	cbz	x2, 3b
	mov	sp, x2
	adrp	x1, arm64_vectors
	add	x1, x1, :lo12:arm64_vectors
	msr	vbar_el1, x1
	mov	x1, #CPACR_EL1_FPEN
	msr	cpacr_el1, x1
	mov	x1, #CNTKCTL_EL0VCTEN
	msr	cntkctl_el1, x1
	isb
	msr	fpcr, xzr
	msr	sp_el0, xzr
	mov	x29, #0
	mov	x30, #0
	bl	arm64_secondary_main	/* does not return */
4:	wfi
	b	4b

/* -------------------------------------------------------------------------
 * Boot page tables and stack.
 */
	.section .bss.pgtables, "aw", %nobits
	.balign	4096
	.globl	boot_pg_l0, boot_pg_dmap_l1, boot_pg_kimg_l1, boot_pg_kimg_l2, boot_pg_id_l0
boot_pg_l0:		.skip	4096	/* TTBR1 root, lives forever */
boot_pg_kimg_l1:	.skip	4096
boot_pg_kimg_l2:	.skip	4096
boot_pg_kimg_l3:	.skip	4096 * KIMG_L3_TABLES
boot_pg_dmap_l1:	.skip	4096	/* direct map, first 512 GiB of PA */
boot_pg_id_l0:		.skip	4096	/* identity map, dropped by hal_mm_init() */
boot_pg_id_l1:		.skip	4096
	.globl	smp_idmap_l0, smp_idmap_l1
smp_idmap_l0:		.skip	4096	/* secondaries' identity map (smp.c) */
smp_idmap_l1:		.skip	4096

	.section .bss, "aw", %nobits
	.balign	16
	.globl	boot_stack, boot_stack_top
boot_stack:
	.skip	HAL_KSTACK_SIZE
boot_stack_top:
