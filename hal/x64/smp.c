/* Multiprocessing on x86_64 (<hal/cpu.h>): starting the other CPUs with
 * INIT-SIPI-SIPI and sending them IPIs through the local APIC.
 *
 * [Intel SDM Vol. 3A §8.4.4.1 "Typical BSP initialization sequence" (INIT,
 *  10 ms, STARTUP, 200 us, STARTUP), §10.6.1 (the ICR: delivery modes INIT
 *  101b, Start Up 110b, Fixed 000b; level assert), §10.4.6 (APIC ID),
 *  §10.12.9 (the x2APIC ICR)]
 *
 * A secondary starts in real mode at the trampoline (trampoline.S) copied
 * to X64_TRAMPOLINE_PA, reaches 64-bit mode on trampoline page tables (the
 * kernel half of the kernel's PML4 plus an identity map of the low 2 MiB)
 * and jumps to x64_ap_main() on its own stack, which loads its own GDT, TSS
 * and GS area, the kernel's page tables, the IDT, the boot CPU's CR0/CR4
 * bits and SMEP/SMAP, the SYSCALL MSRs, its local APIC and its LAPIC timer,
 * and enters the core's secondary_start(). */
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <hal/timer.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <string.h>
#include "x64.h"

#define ICR_FIXED 0x0000
#define ICR_INIT 0x0500
#define ICR_STARTUP 0x0600
#define ICR_LEVEL_ASSERT 0x4000

extern const char x64_trampoline_start[], x64_trampoline_data[], x64_trampoline_end[];

/* The data block at the end of the trampoline (trampoline.S). */
struct trampoline_data {
	uint32_t cr3;
	uint32_t efer;
	uint64_t entry;
	uint64_t stack;
	uint32_t cpu;
	uint32_t pad;
};

/* Written by the boot CPU before a CPU starts, read-only afterwards: the
 * APIC ID of each logical CPU (~0: none; entry 0, the boot CPU's, is
 * recorded by the first hal_cpu_start()) and the secondaries' first stacks. */
static uint32_t cpu_apic_id[HAL_MAX_CPUS] = { [0 ... HAL_MAX_CPUS - 1] = ~0u };
static uint8_t cpu_stacks[HAL_MAX_CPUS - 1][HAL_KSTACK_SIZE] __aligned(16);

/* The trampoline's page tables (below 4 GiB: the image is at 1 MiB). */
static uint64_t tramp_pml4[512] __aligned(4096) __section(".bss.page_aligned");
static uint64_t tramp_pdpt[512] __aligned(4096) __section(".bss.page_aligned");
static uint64_t tramp_pd[512] __aligned(4096) __section(".bss.page_aligned");
static bool ipi_ready;

bool hal_smp_tasks_ok(void)
{
	return true;
}

uint64_t hal_cpu_hwid(void)
{
	return x64_lapic_id();
}

/* From the CPU's GS area (gdt.c sets it before anything else runs on a
 * CPU; in the kernel GS always points there): one load, no APIC read. */
unsigned hal_cpu_id(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(id)
			 : "i"(__builtin_offsetof(struct x64_percpu, cpu)));
	return id;
}

static void ipi_handler(void *arg)
{
	kernel_ipi((unsigned)(uintptr_t)arg);
}

static void ipi_init(void)
{
	if (ipi_ready)
		return;
	x64_irq_set_vector_handler(VEC_IPI_RESCHEDULE, ipi_handler, (void *)HAL_IPI_RESCHEDULE);
	x64_irq_set_vector_handler(VEC_IPI_CALL_FUNC, ipi_handler, (void *)HAL_IPI_CALL_FUNC);
	x64_irq_set_vector_handler(VEC_IPI_STOP, ipi_handler, (void *)HAL_IPI_STOP);
	x64_irq_set_vector_handler(VEC_IPI_TLB, x64_tlb_ipi, NULL);
	ipi_ready = true;
}

int x64_ipi_send_vector(unsigned cpu, unsigned vector)
{
	uint32_t dest;

	if (cpu >= HAL_MAX_CPUS)
		return -EINVAL;
	if (!x64_lapic_ready())
		return -ENODEV;
	dest = cpu == 0 && hal_cpu_id() == 0 ? x64_lapic_id() : cpu_apic_id[cpu];
	if (dest == ~0u)
		return -EINVAL; /* never started; CPU 0's is recorded by hal_cpu_start() */
	ipi_init();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return x64_lapic_send_icr(dest, ICR_FIXED | ICR_LEVEL_ASSERT | vector) ? 0 : -EIO;
}

int hal_ipi_send(unsigned cpu, enum hal_ipi kind)
{
	if (kind >= HAL_IPI_NR)
		return -EINVAL;
	return x64_ipi_send_vector(cpu, VEC_IPI_RESCHEDULE + kind);
}

/* From the trampoline: 64-bit mode, on our stack, trampoline page tables,
 * interrupts masked. */
__noreturn void x64_ap_main(unsigned cpu);
__noreturn void x64_ap_main(unsigned cpu)
{
	x64_gdt_init_ap(cpu, (uintptr_t)cpu_stacks[cpu - 1] + HAL_KSTACK_SIZE);
	write_cr3(x64_kernel_pml4_pa());
	x64_lapic_cpu_init(); /* x2APIC mode before anything reads the APIC ID */
	x64_idt_load();
	x64_cpu_init_ap(cpu);
	x64_syscall_init();
	x64_timer_cpu_init();
	x64_cpu_hardening();
	secondary_start(cpu);
}

static void build_tramp_tables(void)
{
	const uint64_t *kpml4 = hal_phys_to_virt(x64_kernel_pml4_pa());

	memset(tramp_pml4, 0, sizeof(tramp_pml4));
	memcpy(&tramp_pml4[256], &kpml4[256], 256 * sizeof(uint64_t));
	tramp_pml4[0] = hal_virt_to_phys(tramp_pdpt) | PTE_P | PTE_W;
	tramp_pdpt[0] = hal_virt_to_phys(tramp_pd) | PTE_P | PTE_W;
	tramp_pd[0] = PTE_P | PTE_W | PTE_PS; /* 0-2 MiB, executable */
}

int hal_cpu_start(unsigned cpu, const struct hal_cpu_boot *b)
{
	size_t size = (size_t)(x64_trampoline_end - x64_trampoline_start);
	uint8_t *tramp = hal_phys_to_virt(X64_TRAMPOLINE_PA);
	struct trampoline_data *d;
	uint32_t apic = (uint32_t)b->hwid;

	if (cpu == 0 || cpu >= HAL_MAX_CPUS ||
	    b->hwid >= (x64_lapic_x2apic() ? 0xffffffffULL : 0xffULL))
		return -EINVAL; /* all-ones is the broadcast ID */
	/* PCs start CPUs one way only; the tree may say so (the name the
	 * ACPI fold writes) or not. */
	if (b->enable_method[0] && strcmp(b->enable_method, "intel,apic-init-sipi"))
		return -ENODEV;
	if (!x64_lapic_ready())
		return -ENODEV;
	if (apic == x64_lapic_id())
		return -EINVAL;
	ipi_init();
	if (cpu_apic_id[0] == ~0u)
		cpu_apic_id[0] = x64_lapic_id(); /* APs send CPU 0 its IPIs with it */
	build_tramp_tables();
	memcpy(tramp, x64_trampoline_start, size);
	d = (struct trampoline_data *)(tramp + (x64_trampoline_data - x64_trampoline_start));
	d->cr3 = (uint32_t)hal_virt_to_phys(tramp_pml4);
	d->efer = EFER_LME | (x64_cpu.nx ? EFER_NXE : 0);
	d->entry = (uintptr_t)x64_ap_main;
	/* As if called: (rsp + 8) is 16-byte aligned at function entry. */
	d->stack = (uintptr_t)cpu_stacks[cpu - 1] + HAL_KSTACK_SIZE - 8;
	d->cpu = cpu;
	cpu_apic_id[cpu] = apic;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	if (!x64_lapic_send_icr(apic, ICR_INIT | ICR_LEVEL_ASSERT))
		return -EIO;
	hal_timer_delay_ns(10000000); /* 10 ms */
	for (int i = 0; i < 2; i++) {
		if (!x64_lapic_send_icr(apic, ICR_STARTUP | (X64_TRAMPOLINE_PA >> 12)))
			return -EIO;
		hal_timer_delay_ns(200000); /* 200 us */
	}
	return 0;
}
