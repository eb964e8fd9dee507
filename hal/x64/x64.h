/* hal/x64 private definitions: memory layout, segment selectors, control
 * register and MSR bits, structure offsets used from assembly, and the
 * interfaces between the files of hal/x64. Included by .c and .S files. */
#ifndef HAL_X64_X64_H
#define HAL_X64_X64_H

/* ---- Virtual memory layout (Linux's x86_64 layout, 4-level paging) ---- */
#define KERNEL_VMA 0xffffffff80000000	   /* image: virtual = KERNEL_VMA + physical */
#define KERNEL_PHYS 0x100000		   /* the image's load address (1 MiB) */
#define DIRECT_MAP_BASE 0xffff888000000000 /* hal_phys_to_virt(pa) = pa + this */
#define IOREMAP_BASE 0xffffc90000000000	   /* hal_ioremap() window */
#define IOREMAP_SIZE 0x40000000		   /* 1 GiB of I/O window */

/* PML4 slots of the kernel half the HAL uses (index = va[47:39]). */
#define PML4_DIRECT_MAP 273
#define PML4_IOREMAP 402
#define PML4_IMAGE 511

/* ---- Segment selectors: Linux's GDT layout, so that user space sees the
 * same cs/ss values (0x33/0x2b) in signal frames. SYSCALL loads CS from
 * STAR[47:32] and SS = that + 8; SYSRET (64-bit) loads CS = STAR[63:48] + 16
 * and SS = STAR[63:48] + 8, both with RPL 3 [Intel SDM Vol. 2B SYSCALL,
 * SYSRET]. ---- */
#define GDT_KERNEL_CS 0x10
#define GDT_KERNEL_DS 0x18
#define GDT_USER32_CS 0x23 /* STAR[63:48] base for SYSRET; no 32-bit user code runs */
#define GDT_USER_DS 0x2b
#define GDT_USER_CS 0x33
#define GDT_TSS 0x40
#define GDT_ENTRIES 10

/* ---- Control registers [Intel SDM Vol. 3A §2.5] ---- */
#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_SMEP (1 << 20)
#define CR4_SMAP (1 << 21)

/* ---- MSRs [Intel SDM Vol. 4 §2.1] ---- */
#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103 /* [Intel SDM Vol. 4 Table 2-2 IA32_TSC_AUX] */
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* ---- RFLAGS [Intel SDM Vol. 1 §3.4.3] ---- */
#define RFLAGS_CF 0x1
#define RFLAGS_FIXED 0x2
#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_IOPL 0x3000
#define RFLAGS_NT 0x4000
#define RFLAGS_RF 0x10000
#define RFLAGS_VM 0x20000
#define RFLAGS_AC 0x40000
/* What user space may set: CF PF AF ZF SF TF DF OF AC ID (Linux FIX_EFLAGS
 * minus RF). */
#define RFLAGS_USER_MASK 0x240dd5
/* SYSCALL clears these in RFLAGS (the SFMASK MSR) */
#define SYSCALL_RFLAGS_MASK \
	(RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC)

/* ---- Page-table entry bits [Intel SDM Vol. 3A §4.5, Tables 4-14..4-20] ---- */
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_U 0x4
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_A 0x20
#define PTE_D 0x40
#define PTE_PS 0x80 /* 2 MiB / 1 GiB leaf in a PD / PDPT entry */
#define PTE_G 0x100
#define PTE_SW_NONE 0x200 /* software (AVL) bit: a PROT_NONE user page, kept non-present */
#define PTE_NX 0x8000000000000000

/* ---- SMP: where the real-mode AP trampoline runs (trampoline.S): a page
 * of the first MiB, which setup.c keeps from the frame allocator; the
 * STARTUP IPI's vector is its page number [Intel SDM Vol. 3A §8.4.4.1]. */
#define X64_TRAMPOLINE_PA 0x8000

/* ---- Loader magics: PVH hvm_start_info.magic; multiboot2 %eax at entry ---- */
#define PVH_START_MAGIC 0x336ec578
#define MB2_BOOT_MAGIC 0x36d76289

/* ---- IDT vectors ---- */
#define VEC_IRQ_BASE 32	   /* I/O APIC GSI n -> vector 32 + n */
#define VEC_MSI_FIRST 0xc0 /* MSI vectors (hal_msi_alloc), below the I/O APIC's */
#define VEC_MSI_LAST 0xdf
#define VEC_LAPIC_TIMER 0xec
#define VEC_IPI_RESCHEDULE 0xf0 /* enum hal_ipi kind n -> vector 0xf0 + n */
#define VEC_IPI_CALL_FUNC 0xf1
#define VEC_IPI_STOP 0xf2
#define VEC_IPI_TLB 0xf8 /* the HAL's own: TLB shootdown (tlb.c) */
#define VEC_SPURIOUS 0xff
/* Interrupt stack table slots (TSS.ist[n - 1]) [Intel SDM Vol. 3A §6.14.5] */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

/* ---- Offsets used from assembly (checked by _Static_assert in C) ---- */
#define TF_CR2 0
#define TF_RCX 104
#define TF_R11 40
#define TF_RAX 120
#define TF_ORIG_RAX 128
#define TF_VECTOR 136
#define TF_ERROR 144
#define TF_RIP 152
#define TF_CS 160
#define TF_RFLAGS 168
#define TF_RSP 176
#define TF_SS 184
#define TF_SIZE 192

#define CTX_RBX 0
#define CTX_RBP 8
#define CTX_R12 16
#define CTX_R13 24
#define CTX_R14 32
#define CTX_R15 40
#define CTX_RSP 48
#define CTX_RIP 56
#define CTX_RFLAGS 64

#define PERCPU_KSTACK_TOP 0
#define PERCPU_USER_RSP 8

#define VEC_SYSCALL 0x100 /* == HAL_X64_VEC_SYSCALL */

#ifndef __ASSEMBLER__
#include <hal/cpu.h>
#include <hal/types.h>
#include <hal/context.h>

/* ---- Port I/O and MSRs [Intel SDM Vol. 2] ---- */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
/* STI/CLI inline, for the syscall and user-return paths (hal_irq_enable()
 * and hal_irq_disable() are calls) [Intel SDM Vol. 2B STI, CLI]. */
static inline void x64_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void x64_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void cpu_pause(void)
{
	__asm__ volatile("pause");
}

/* Linux signal numbers and si_codes the trap handlers raise [signal(7),
 * sigaction(2)]: ABI facts, so the HAL need not include kernel headers. */
#define X64_SIGILL 4
#define X64_SIGTRAP 5
#define X64_SIGBUS 7
#define X64_SIGFPE 8
#define X64_SIGSEGV 11
#define X64_SI_KERNEL 0x80
#define X64_ILL_ILLOPN 2
#define X64_ILL_PRVOPC 5
#define X64_FPE_INTDIV 1
#define X64_FPE_FLTDIV 3
#define X64_FPE_FLTOVF 4
#define X64_FPE_FLTUND 5
#define X64_FPE_FLTRES 6
#define X64_FPE_FLTINV 7
#define X64_SEGV_MAPERR 1
#define X64_SEGV_ACCERR 2
#define X64_BUS_ADRALN 1
#define X64_BUS_ADRERR 2
#define X64_TRAP_BRKPT 1
#define X64_TRAP_TRACE 2

/* Per-CPU area reached through GS in the SYSCALL entry. */
struct x64_percpu {
	uint64_t kstack_top; /* top of the running task's kernel stack */
	uint64_t user_rsp;   /* scratch: user rsp during SYSCALL entry */
	uint32_t cpu;	     /* this CPU's index (hal_cpu_id()) */
	void *core;	     /* the core's per-CPU data (hal_percpu_set()) */
};
extern struct x64_percpu x64_percpu0;

/* Features detected once at boot (cpu.c). */
struct x64_features {
	bool nx, pdpe1gb, pge, rdrand, apic, x2apic, tsc_invariant, fxsr, smep, smap, rdtscp, rdpid;
	uint32_t max_leaf, max_ext_leaf;
	uint32_t mxcsr_mask;
};
extern struct x64_features x64_cpu;

/* Exception table entry (usercopy.S): a fault at fault_ip resumes at fixup_ip. */
struct x64_extable {
	uint64_t fault_ip;
	uint64_t fixup_ip;
};

/* Linker-script symbols (hal/x64/kernel.ld). */
extern char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __bss_start[], __bss_end[];
extern const struct x64_extable __ex_table_start[], __ex_table_end[];
extern char x64_boot_stack_bottom[], x64_boot_stack_top[];

/* setup.c */
__noreturn void x64_boot_main(uint32_t magic, uint32_t info_pa);
/* pvh.c / multiboot2.c: fill bi from the loader's structures; 0 or -EINVAL. */
struct hal_boot_info;
int x64_pvh_parse(uint32_t start_info_pa, struct hal_boot_info *bi);
int x64_mb2_parse(uint32_t mbi_pa, struct hal_boot_info *bi);
/* acpi.c: where the ACPI RSDP may be (hal_boot_info.acpi_*): a copy of
 * the loader's (multiboot2 tags 14/15), the EFI system table's
 * configuration table, the BIOS areas to scan. */
void x64_acpi_rsdp_copy(struct hal_boot_info *bi, const void *rsdp, uint32_t len, bool v2);
void x64_acpi_efi_systab(struct hal_boot_info *bi, uint64_t systab_pa, bool is64);
void x64_acpi_bios_areas(struct hal_boot_info *bi);
/* Shared by both parsers: keep a copy of the command line in the image. */
const char *x64_boot_save_cmdline(const char *s, size_t max);
void x64_boot_add_ram(struct hal_boot_info *bi, uint64_t base, uint64_t size);

/* cpu.c */
void x64_cpu_init(void);
/* Turn on SMEP and SMAP if the CPU has them [Intel SDM Vol. 3A §4.6.1]
 * (the hardened safety profiles; not called yet). */
void x64_cpu_hardening(void); /* SMEP/SMAP per profile (cpu.c) */
/* A secondary CPU's CR0/CR4/FPU set-up and TSC_AUX (= cpu, for the vDSO's
 * getcpu), as x64_cpu_init() did on the boot CPU (features are not
 * detected again). */
void x64_cpu_init_ap(unsigned cpu);
extern bool x64_smap_enabled; /* SMAP on: read by usercopy.S and entry.S */
extern bool x64_kernel_wx;    /* the image is mapped W^X (mmu.c) */

/* usercopy.S: copy n bytes with fault fixup (one side is user memory);
 * returns the number of bytes NOT copied (0 on success). */
size_t hal_user_copy(void *dst, const void *src, size_t n);
/* usercopy.S: zero n user bytes; returns the bytes not zeroed. */
size_t x64_user_zero(void *udst, size_t n);

/* gdt.c */
void x64_gdt_init(void);
/* A secondary CPU's own GDT, TSS (rsp0 = stack_top) and GS area, loaded. */
void x64_gdt_init_ap(unsigned cpu, uint64_t stack_top);
void x64_set_kernel_stack(uint64_t top);
void x64_syscall_init(void);

/* trap.c */
void x64_idt_init(void);
void x64_idt_load(void); /* the same IDT on a secondary CPU */
void x64_trap(struct hal_trapframe *tf);
int x64_syscall(struct hal_trapframe *tf);
void x64_user_return(struct hal_trapframe *tf);
bool x64_user_frame_fixup(struct hal_trapframe *tf);

/* irq.c: the vector table and the controller registry */
void x64_irq_dispatch(struct hal_trapframe *tf);
void x64_irq_set_vector_handler(unsigned vector, void (*fn)(void *), void *arg);

/* irq_apic.c: the local APIC */
void x64_lapic_eoi(void);
uint32_t x64_lapic_read(unsigned reg);
void x64_lapic_write(unsigned reg, uint32_t v);
bool x64_lapic_ready(void);
uint32_t x64_lapic_id(void);
bool x64_lapic_x2apic(void); /* x2APIC mode: 32-bit IDs */
/* A secondary CPU's local APIC: enabled and set up as the boot CPU's. */
void x64_lapic_cpu_init(void);
/* Write the ICR: destination APIC ID, low word (vector, delivery mode,
 * level, ...), and wait until the APIC has sent it [Intel SDM Vol. 3A
 * §10.6.1]. false if it stayed pending. */
bool x64_lapic_send_icr(uint32_t apic_id, uint32_t low);
/* timer.c: a secondary CPU's own LAPIC timer tick, if the boot CPU's runs. */
void x64_timer_cpu_init(void);

/* timer.c */
uint64_t x64_tsc_hz(void);

/* mmu.c */
void x64_mmu_early_init(const struct hal_boot_info *bi);
uint64_t x64_kernel_pml4_pa(void);

/* entry.S */
extern char x64_isr_stubs[];
void x64_syscall_entry(void);
__noreturn void x64_trap_exit_to(struct hal_trapframe *tf);

/* context.S */
/* tlb.c: TLB shootdown. x64_current_as[cpu] is the aspace CPU cpu's CR3
 * holds (mmu.c). x64_tlb_shootdown() makes every other CPU holding as
 * drop its translations of [start, end) (all of as's if start >= end) and
 * waits for them; x64_tlb_service() answers a pending request (the IPI,
 * and every spin-wait through hal_cpu_relax(), so that two CPUs waiting on
 * each other with interrupts masked still progress); x64_tlb_flush_local()
 * is the local INVLPG / CR3 reload. */
struct hal_aspace;
extern struct hal_aspace *x64_current_as[HAL_MAX_CPUS];
void x64_tlb_shootdown(struct hal_aspace *as, uintptr_t start, uintptr_t end);
void x64_tlb_flush_local(struct hal_aspace *as, uintptr_t start, uintptr_t end);
void x64_tlb_service(void);
void x64_tlb_ipi(void *arg);
/* smp.c: send vector to CPU cpu's local APIC: 0, -EINVAL, -ENODEV, -EIO. */
int x64_ipi_send_vector(unsigned cpu, unsigned vector);

void x64_switch_stack(struct hal_context *from, struct hal_context *to, int *from_on_cpu);
void x64_task_entry(void);

/* context.c: the user FPU state of ctx as a 512-byte FXSAVE image. */
void x64_fpu_save_user(struct hal_context *ctx, void *buf);
void x64_fpu_load_user(struct hal_context *ctx, const void *buf);

#endif /* !__ASSEMBLER__ */
#endif
