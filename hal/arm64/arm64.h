/* Private to hal/arm64: the kernel address map, translation table
 * descriptor bits, system register values and the functions the HAL files
 * share. Usable from assembly (numbers only under __ASSEMBLER__).
 *
 * Kernel virtual address map (TTBR1_EL1, 48-bit, 4 KiB granule):
 *   0xffff000000000000  direct map: va = DMAP_BASE + pa, all RAM (L0 0..253)
 *   0xffff7f0000000000  I/O window for hal_ioremap() (L0 254..255)
 *   0xffff800000000000  the kernel image (KIMAGE_VADDR, L0 256), 2 MiB blocks
 * TTBR0_EL1 holds user address spaces ([USER_BASE, USER_TOP)); during early
 * boot it holds an identity map of the image used to turn the MMU on.
 */
#ifndef HAL_ARM64_PRIVATE_H
#define HAL_ARM64_PRIVATE_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define DMAP_BASE _UL(0xffff000000000000)
#define IOMAP_BASE _UL(0xffff7f0000000000)
#define IOMAP_END _UL(0xffff800000000000)
#define KIMAGE_VADDR _UL(0xffff800000000000)
#define DMAP_MAX_PA (IOMAP_BASE - DMAP_BASE) /* 127 TiB */

#define SZ_4K _UL(0x1000)
#define SZ_2M _UL(0x200000)
#define SZ_1G _UL(0x40000000)

/* Stage 1 VMSAv8-64 descriptors, 4 KiB granule [Arm ARM D8.3]. */
#define PTE_VALID _UL(1)
#define PTE_TABLE _UL(3)	      /* L0-L2 table descriptor */
#define PTE_BLOCK _UL(1)	      /* L1/L2 block descriptor */
#define PTE_PAGE _UL(3)		      /* L3 page descriptor */
#define PTE_ATTR_DEVICE (_UL(0) << 2) /* AttrIndx -> MAIR attr0 */
#define PTE_ATTR_NORMAL (_UL(1) << 2) /* MAIR attr1 */
#define PTE_ATTR_NC (_UL(2) << 2)     /* MAIR attr2 */
#define PTE_ATTR_MASK (_UL(7) << 2)
#define PTE_AP_EL0 (_UL(1) << 6) /* AP[1]: EL0 access */
#define PTE_AP_RO (_UL(1) << 7)	 /* AP[2]: read-only */
#define PTE_SH_INNER (_UL(3) << 8)
#define PTE_AF (_UL(1) << 10)
#define PTE_NG (_UL(1) << 11)
#define PTE_PXN (_UL(1) << 53)
#define PTE_UXN (_UL(1) << 54)
#define PTE_SW_PROTNONE (_UL(1) << 58) /* software: user page with no access, descriptor invalid */
#define PTE_TBL_PXN (_UL(1) << 59)     /* PXNTable [Arm ARM D8.3.1.1] */
#define PTE_ADDR_MASK _UL(0x0000fffffffff000)

/* The kernel image, 4 KiB pages (boot.S): never executable at EL0 (UXN);
 * W^X at EL1 [Arm ARM D8.4]: text read-only, rodata read-only and PXN,
 * data/bss read-write and PXN. Ludicrous maps it all KIMG_PAGE_ATTR (RWX). */
#define KIMG_PAGE_ATTR (PTE_PAGE | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define KIMG_TEXT_ATTR (KIMG_PAGE_ATTR | PTE_AP_RO)
#define KIMG_RODATA_ATTR (KIMG_PAGE_ATTR | PTE_AP_RO | PTE_PXN)
#define KIMG_DATA_ATTR (KIMG_PAGE_ATTR | PTE_PXN)
#define KIMG_L3_TABLES 8 /* the image may span 8 * 2 MiB (kernel.ld checks) */
#define DMAP_ATTR (PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_UXN | PTE_PXN)
#define DMAP_BLOCK_ATTR (PTE_BLOCK | DMAP_ATTR)
#define IDMAP_BLOCK_ATTR (PTE_BLOCK | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF)
#define IOMAP_PAGE_ATTR (PTE_PAGE | PTE_ATTR_DEVICE | PTE_AF | PTE_UXN | PTE_PXN)

/* MAIR_EL1: attr0 Device-nGnRE, attr1 Normal WB RW-allocate, attr2 Normal
 * non-cacheable. [Arm ARM D17.2.97] */
#define MAIR_VALUE 0x44ff04

/* TCR_EL1 [Arm ARM D17.2.131]: T0SZ=T1SZ=16 (48-bit), 4 KiB granules
 * (TG0=0b00, TG1=0b10), walks inner/outer WB-WA inner-shareable, TBI0 (top
 * byte ignored for EL0 addresses, as Linux), 8-bit ASIDs. IPS is filled
 * in at boot from ID_AA64MMFR0_EL1.PARange (max 48 bits). */
#define TCR_T0SZ 16
#define TCR_T1SZ (16 << 16)
#define TCR_IRGN0_WBWA (1 << 8)
#define TCR_ORGN0_WBWA (1 << 10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_IRGN1_WBWA (1 << 24)
#define TCR_ORGN1_WBWA (1 << 26)
#define TCR_SH1_INNER (3 << 28)
#define TCR_TG1_4K (_UL(2) << 30)
#define TCR_IPS_SHIFT 32
#define TCR_TBI0 (_UL(1) << 37)
#define TCR_VALUE                                                                                 \
	(TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_T1SZ | TCR_IRGN1_WBWA | \
	 TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K | TCR_TBI0)

/* SCTLR_EL1 [Arm ARM D17.2.118]. RES1 bits of Armv8.0 (29, 28, 23, 22,
 * 20, 11) plus: M, C, SA, SA0, I, DZE (EL0 DC ZVA), UCT (EL0 reads CTR_EL0:
 * glibc needs it), nTWE (EL0 WFE not trapped), UCI (EL0 cache maintenance).
 * A=0 (no alignment check), WXN=0 (<hal/hardening.h> says why), EE=E0E=0
 * (little endian), nTWI=0 (EL0 WFI traps and is skipped, like Linux).
 * SPAN (bit 23) starts at 1, as RES1; arm64_hardening_init() clears it when
 * the CPU has PAN. */
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_SA (1 << 3)
#define SCTLR_SA0 (1 << 4)
#define SCTLR_I (1 << 12)
#define SCTLR_DZE (1 << 14)
#define SCTLR_UCT (1 << 15)
#define SCTLR_NTWE (1 << 18)
#define SCTLR_UCI (1 << 26)
#define SCTLR_SPAN (1 << 23) /* 0: exceptions to EL1 set PSTATE.PAN (RES1 without FEAT_PAN) */
/* ID_AA64MMFR1_EL1.PAN, bits [23:20]: nonzero if FEAT_PAN [Arm ARM D17.2.65] */
#define ID_AA64MMFR1_PAN_SHIFT 20
#define SCTLR_EL1_MMU_OFF SCTLR_EL1_RES1
#define SCTLR_EL1_MMU_ON                                                                   \
	(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_SA0 | SCTLR_I | SCTLR_DZE | \
	 SCTLR_UCT | SCTLR_NTWE | SCTLR_UCI)

/* SMP (smp.c, boot.S): most CPUs (= HAL_MAX_CPUS), and the MPIDR_EL1 bits
 * that name a CPU: Aff3 (39:32), Aff2..Aff0 (23:0) [Arm ARM D17.2.101]. */
#define ARM64_MAX_CPUS 8
#define MPIDR_HWID_MASK _UL(0xff00ffffff)

/* EL2 -> EL1 hand-over [Arm ARM D17.2.48 HCR_EL2, D17.2.31 CPTR_EL2]. */
#define HCR_EL2_RW (_UL(1) << 31)
#define CPTR_EL2_RES1 0x33ff
#define SPSR_EL1H_DAIF_MASKED 0x3c5
#define CPACR_EL1_FPEN (3 << 20)
#define CNTKCTL_EL0VCTEN (1 << 1)

/* PSTATE / SPSR bits [Arm ARM C5.2.18] */
#define PSR_MODE_MASK 0xf
#define PSR_MODE_EL0T 0x0
#define PSR_MODE32 (1 << 4)
#define PSR_F (1 << 6)
#define PSR_I (1 << 7)
#define PSR_A (1 << 8)
#define PSR_D (1 << 9)
#define PSR_NZCV_MASK _UL(0xf0000000)

#ifndef __ASSEMBLER__
#include <hal/types.h>
#include <hal/context.h>

#define read_sysreg(r)                                       \
	({                                                   \
		uint64_t __v;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)); \
		__v;                                         \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")

/* Linker script symbols. */
extern char __kernel_start[], __text_end[], __data_start[], __kernel_end[];
extern char __bss_start[], __bss_end[];

/* setup.c: the physical address the image was loaded at (2 MiB aligned). */
extern paddr_t arm64_kimage_phys;
/* The exception level the loader entered the kernel at (1 or 2). */
extern unsigned arm64_boot_el;
/* Highest RAM address + 1 (direct map extent) after hal_mm_init(). */
extern paddr_t arm64_dmap_end;

/* mmu_kernel.c */
void arm64_sync_icache(uintptr_t va, size_t len); /* D-cache clean to PoU + I-cache invalidate */
paddr_t arm64_empty_ttbr0(void);		  /* TTBR0 root with no mappings */

/* mmu.c */
/* Is the user page at va mapped PROT_NONE in the current address space? */
bool arm64_user_page_protnone(uintptr_t va);

/* cpu.c: PAN, or its TTBR0 emulation, per profile (<hal/hardening.h>);
 * called once at boot before any user space. */
void arm64_hardening_init(void);
/* The same hardening on a secondary CPU (the boot CPU's choice, this CPU's
 * SCTLR_EL1.SPAN and PSTATE.PAN). */
void arm64_hardening_cpu_init(void);
/* PAN emulated through TTBR0_EL1 (CPU without FEAT_PAN): while the kernel
 * runs TTBR0_EL1 = arm64_kernel_ttbr0 (an empty table, ASID 0); the user's
 * value, arm64_user_ttbr0 (kept by hal_aspace_switch()), is loaded only by
 * the usercopy routines and on the return to EL0 (entry.S). */
extern bool arm64_sw_pan;
extern uint64_t arm64_user_ttbr0, arm64_kernel_ttbr0;
/* With arm64_sw_pan: open / close the kernel's view of user memory. */
void arm64_uaccess_open(void);
void arm64_uaccess_close(void);

/* irq.c: called by the root interrupt controller's entry routine. */
void arm64_irq_dispatch(unsigned irq);
/* The root controller's "take one interrupt exception" routine (read IAR,
 * dispatch, EOI), installed by the GIC driver. */
void arm64_set_irq_entry(void (*entry)(void));

/* smp.c: the root interrupt controller's SMP half. cpu_init sets up the
 * calling CPU's banked state (GICv2 CPU interface, GICv3 redistributor and
 * ICC_* registers, BCM2836 per-core routing) on a secondary CPU; send raises
 * IPI kind (enum hal_ipi) on logical CPU cpu. The controller's entry routine
 * calls arm64_ipi_dispatch(kind) for an IPI instead of arm64_irq_dispatch(). */
struct arm64_ipi_ops {
	void (*cpu_init)(void);
	void (*send)(unsigned cpu, unsigned kind);
};
void arm64_set_ipi_ops(const struct arm64_ipi_ops *ops);
void arm64_ipi_dispatch(unsigned kind);
/* MPIDR affinity of each logical CPU (~0: none), for the controllers. */
extern uint64_t arm64_cpu_hwid[ARM64_MAX_CPUS];
/* Records the boot CPU as logical CPU 0 (setup.c, first thing). */
void arm64_smp_boot_cpu(void);

/* power.c: PSCI CPU_ON [DEN0022 §5.6]: the PSCI return code (0 success,
 * PSCI_RET_* below); PSCI_RET_NOT_SUPPORTED without a conduit. */
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_INVALID_ADDRESS (-9)
int64_t arm64_psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context_id);
const char *arm64_psci_error_name(int64_t ret);

/* A board's power controller for boards without PSCI (power.c tries PSCI
 * first): power_off and reset must not return if they worked. */
struct arm64_power_ops {
	void (*power_off)(void);
	void (*reset)(void);
};
void arm64_power_register(const struct arm64_power_ops *ops);
/* entry.S -> irq.c */
void arm64_handle_irq(struct hal_trapframe *tf);

/* trap.c (from entry.S) */
void arm64_el0_sync(struct hal_trapframe *tf, uint64_t esr, uint64_t far);
void arm64_el1_sync(struct hal_trapframe *tf, uint64_t esr, uint64_t far);
__noreturn void arm64_bad_exception(struct hal_trapframe *tf, unsigned kind, uint64_t esr);

/* context.S */
void arm64_context_switch(struct hal_context *from, struct hal_context *to, int *from_on_cpu);
void arm64_task_entry(void);
void arm64_fpsimd_save(struct hal_fpsimd_state *st);
void arm64_fpsimd_load(const struct hal_fpsimd_state *st);

/* context.c: are ctx's user FP/SIMD registers and TLS the ones live in the
 * CPU (ctx is the running task's; before the first context switch every
 * context counts as live)? */
bool arm64_context_is_live(const struct hal_context *ctx);

/* timer.c: counter frequency (Hz), valid from boot. */
void arm64_timer_early_init(void);
uint64_t arm64_timer_freq(void);
/* timer.c: a secondary CPU's own tick (its CNTV_* registers), if the boot
 * CPU's runs; only the boot CPU's calls kernel_timer_tick(). */
void arm64_timer_cpu_init(void);
unsigned long arm64_timer_cpu_ticks(unsigned cpu);

/* usercopy.S: copy n bytes from/to user memory with fault fixup, the user
 * side through unprivileged LDTR/STTR. Return the bytes NOT copied. */
size_t arm64_copy_from_user(void *dst, const void *usrc, size_t n);
size_t arm64_copy_to_user(void *udst, const void *src, size_t n);
#endif /* !__ASSEMBLER__ */

#endif
