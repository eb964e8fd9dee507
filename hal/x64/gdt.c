/* Segmentation (what long mode still needs of it): the GDT with Linux's
 * selectors, the TSS with rsp0 and the IST stacks, the per-CPU GS area and
 * the SYSCALL MSRs. [Intel SDM Vol. 3A §3.4.5 (descriptors), §7.7 (64-bit
 * TSS), §5.8.8 (SYSCALL/SYSRET)] */
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

void x64_gdt_init(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct descriptor_ptr gdtr;

	gdt[0] = 0;
	gdt[1] = SEG_CODE32_KERNEL; /* 0x08, unused (Linux's __KERNEL32_CS) */
	gdt[GDT_KERNEL_CS >> 3] = SEG_CODE64_KERNEL;
	gdt[GDT_KERNEL_DS >> 3] = SEG_DATA_KERNEL;
	gdt[GDT_USER32_CS >> 3] = SEG_CODE32_USER;
	gdt[GDT_USER_DS >> 3] = SEG_DATA_USER;
	gdt[GDT_USER_CS >> 3] = SEG_CODE64_USER;
	/* 16-byte available 64-bit TSS descriptor (type 9, P) [SDM Vol. 3A
	 * §7.2.3, Figure 7-4]. */
	gdt[GDT_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[(GDT_TSS >> 3) + 1] = base >> 32;

	tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)ist_stacks[0] + IST_STACK_SIZE;
	tss.ist[IST_NMI - 1] = (uintptr_t)ist_stacks[1] + IST_STACK_SIZE;
	tss.ist[IST_MACHINE_CHECK - 1] = (uintptr_t)ist_stacks[2] + IST_STACK_SIZE;
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
	x64_set_kernel_stack((uintptr_t)x64_boot_stack_top);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uintptr_t)gdt;
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
	wrmsr(MSR_GS_BASE, (uintptr_t)&x64_percpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
}

/* The stack the CPU switches to on an interrupt from ring 3 (TSS.rsp0) and
 * the one the SYSCALL entry loads: the running task's kernel stack top. */
void x64_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
	x64_percpu0.kstack_top = top;
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
