/* Segmentation (what long mode still needs of it): the GDT with Linux's
 * selectors, the TSS with rsp0 and the IST stacks, the per-CPU GS area and
 * the SYSCALL MSRs. [Intel SDM Vol. 3A §3.4.5 (descriptors), §7.7 (64-bit
 * TSS), §5.8.8 (SYSCALL/SYSRET)] */
#include <hal/cpu.h>
#include <hal/types.h>
#include "x64.h"

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

#define IST_STACK_SIZE 8192

struct x64_percpu x64_percpu0;
_Static_assert(__builtin_offsetof(struct x64_percpu, kstack_top) == PERCPU_KSTACK_TOP,
	       "asm offset");
_Static_assert(__builtin_offsetof(struct x64_percpu, user_rsp) == PERCPU_USER_RSP, "asm offset");

static uint64_t gdt[GDT_ENTRIES] __aligned(16);
static struct tss64 tss __aligned(16);
static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);

/* The secondary CPUs' own GDT (its TSS descriptor differs), TSS, IST
 * stacks and GS area, indexed by logical CPU (entry 0 unused: the boot
 * CPU has the ones above). Each written only by its CPU after bring-up. */
static struct {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
	uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
	struct x64_percpu percpu;
} ap_tables[HAL_MAX_CPUS];

struct descriptor_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

/* Code/data descriptors: base 0, limit 4 GiB; in long mode only L, D,
 * DPL, P and the type matter. */
#define SEG_CODE64_KERNEL 0x00af9a000000ffffULL
#define SEG_CODE32_KERNEL 0x00cf9a000000ffffULL
#define SEG_DATA_KERNEL 0x00cf92000000ffffULL
#define SEG_CODE32_USER 0x00cffa000000ffffULL
#define SEG_DATA_USER 0x00cff2000000ffffULL
#define SEG_CODE64_USER 0x00affa000000ffffULL

/* Fill one CPU's GDT and TSS, load them, and set its GS base. */
static void gdt_setup(uint64_t *g, struct tss64 *t, uint8_t (*ist)[IST_STACK_SIZE],
		      struct x64_percpu *pc)
{
	uint64_t base = (uintptr_t)t, limit = sizeof(*t) - 1;
	struct descriptor_ptr gdtr;

	g[0] = 0;
	g[1] = SEG_CODE32_KERNEL; /* 0x08, unused (Linux's __KERNEL32_CS) */
	g[GDT_KERNEL_CS >> 3] = SEG_CODE64_KERNEL;
	g[GDT_KERNEL_DS >> 3] = SEG_DATA_KERNEL;
	g[GDT_USER32_CS >> 3] = SEG_CODE32_USER;
	g[GDT_USER_DS >> 3] = SEG_DATA_USER;
	g[GDT_USER_CS >> 3] = SEG_CODE64_USER;
	/* 16-byte available 64-bit TSS descriptor (type 9, P) [SDM Vol. 3A
	 * §7.2.3, Figure 7-4]. */
	g[GDT_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	g[(GDT_TSS >> 3) + 1] = base >> 32;

	t->ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)ist[0] + IST_STACK_SIZE;
	t->ist[IST_NMI - 1] = (uintptr_t)ist[1] + IST_STACK_SIZE;
	t->ist[IST_MACHINE_CHECK - 1] = (uintptr_t)ist[2] + IST_STACK_SIZE;
	t->iomap_base = sizeof(*t); /* no I/O bitmap: ring 3 gets no ports */

	gdtr.limit = GDT_ENTRIES * 8 - 1;
	gdtr.base = (uintptr_t)g;
	/* Load the GDT, reload CS with a far return and the data segments;
	 * FS/GS get the null selector (their bases live in MSRs). */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "r"(GDT_TSS)
			 : "rax", "memory");
	wrmsr(MSR_GS_BASE, (uintptr_t)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
}

void x64_gdt_init(void)
{
	gdt_setup(gdt, &tss, ist_stacks, &x64_percpu0);
	x64_set_kernel_stack((uintptr_t)x64_boot_stack_top);
}

void x64_gdt_init_ap(unsigned cpu, uint64_t stack_top)
{
	if (cpu == 0 || cpu >= HAL_MAX_CPUS)
		return;
	ap_tables[cpu].percpu.cpu = cpu;
	gdt_setup(ap_tables[cpu].gdt, &ap_tables[cpu].tss, ap_tables[cpu].ist_stacks,
		  &ap_tables[cpu].percpu);
	ap_tables[cpu].tss.rsp[0] = stack_top;
	ap_tables[cpu].percpu.kstack_top = stack_top;
}

/* The stack the CPU switches to on an interrupt from ring 3 (TSS.rsp0) and
 * the one the SYSCALL entry loads: the running task's kernel stack top. */
void x64_set_kernel_stack(uint64_t top)
{
	unsigned cpu = hal_cpu_id();

	if (cpu == 0) {
		tss.rsp[0] = top;
		x64_percpu0.kstack_top = top;
	} else if (cpu < HAL_MAX_CPUS) {
		ap_tables[cpu].tss.rsp[0] = top;
		ap_tables[cpu].percpu.kstack_top = top;
	}
}

/* SYSCALL: CS = STAR[47:32], SS = +8; SYSRET: CS = STAR[63:48] + 16,
 * SS = STAR[63:48] + 8; entry at LSTAR; RFLAGS &= ~SFMASK. */
void x64_syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)GDT_USER32_CS << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uintptr_t)x64_syscall_entry);
	wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
}
