/* Multiprocessing on arm64 (<hal/cpu.h>): starting secondary CPUs and
 * sending them IPIs.
 *
 * A secondary is started through its "enable-method" [Linux
 * Documentation/devicetree/bindings/arm/cpus.yaml]:
 *  - "psci": CPU_ON (SMC64 0xc4000003: target MPIDR, entry point PA,
 *    context id) through the conduit the /psci node names [DEN0022 §5.6];
 *  - "spin-table": the entry point's PA written to cpu-release-addr, the
 *    line cleaned to the PoC, then SEV; the CPU polls the address with WFE
 *    [Linux Documentation/arm64/booting.rst §5 "spin-table"].
 * Either way it enters boot.S's secondary_entry with the MMU off, possibly
 * at EL2, drops to EL1, turns the MMU on with the boot CPU's TTBR1 and the
 * identity map below in TTBR0, finds its index by looking its MPIDR up in
 * arm64_cpu_hwid[], takes its stack from arm64_cpu_stack_top[] and calls
 * arm64_secondary_main(). */
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <hal/upcall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <string.h>
#include "arm64.h"

_Static_assert(ARM64_MAX_CPUS == HAL_MAX_CPUS, "boot.S's table size");

/* Written by the boot CPU before it starts a CPU, read-only afterwards:
 * the MPIDR affinity of each logical CPU (~0: none) and the top of its
 * stack. boot.S reads both. */
uint64_t arm64_cpu_hwid[ARM64_MAX_CPUS] = { [0 ... ARM64_MAX_CPUS - 1] = ~0ULL };
uintptr_t arm64_cpu_stack_top[ARM64_MAX_CPUS];

/* The secondaries' first stacks (the boot CPU has boot.S's boot_stack). */
static uint8_t cpu_stacks[ARM64_MAX_CPUS - 1][HAL_KSTACK_SIZE] __attribute__((aligned(16)));

/* The identity map of the image's gigabyte the secondaries turn their MMU
 * on with (boot.S's own was emptied by hal_mm_init()): in boot.S's
 * .bss.pgtables, filled once by build_idmap(). */
extern uint64_t smp_idmap_l0[512], smp_idmap_l1[512];
extern char secondary_entry[];
static bool idmap_built;

/* The root interrupt controller's per-CPU set-up and IPI sender. */
static const struct arm64_ipi_ops *ipi_ops;

void arm64_set_ipi_ops(const struct arm64_ipi_ops *ops)
{
	ipi_ops = ops;
}

uint64_t hal_cpu_hwid(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
}

#include "arm64.h"

/* TPIDR_EL1 holds the core's per-CPU pointer; its reset value is UNKNOWN
 * [Arm ARM D17.2.140], so arm64_boot_main() clears it first. The boot CPU
 * is CPU 0, whatever its MPIDR affinity says. */
void hal_percpu_set(void *p)
{
	write_sysreg(tpidr_el1, (uintptr_t)p);
}

bool hal_smp_tasks_ok(void)
{
	return !arm64_sw_pan; /* arm64_user_ttbr0 is one for all CPUs */
}

unsigned hal_cpu_id(void)
{
	uint64_t self = hal_cpu_hwid();

	for (unsigned i = 1; i < ARM64_MAX_CPUS; i++)
		if (arm64_cpu_hwid[i] == self)
			return i;
	return 0;
}

void arm64_smp_boot_cpu(void)
{
	arm64_cpu_hwid[0] = hal_cpu_hwid();
}

/* Clean [va, va + len) to the Point of Coherency, for a CPU whose MMU and
 * caches are still off [Arm ARM D7.5.9 DC CVAC]. */
static void dcache_clean_poc(const void *va, size_t len)
{
	uintptr_t line = 4u << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t p = (uintptr_t)va & ~(line - 1);

	for (; p < (uintptr_t)va + len; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	dsb(sy);
}

static void build_idmap(void)
{
	paddr_t pa = arm64_kimage_phys;

	if (idmap_built)
		return;
	smp_idmap_l0[(pa >> 39) & 511] = hal_virt_to_phys(smp_idmap_l1) | PTE_TABLE;
	smp_idmap_l1[(pa >> 30) & 511] = (pa & ~(SZ_1G - 1)) | IDMAP_BLOCK_ATTR;
	dcache_clean_poc(smp_idmap_l0, 4096);
	dcache_clean_poc(smp_idmap_l1, 4096);
	idmap_built = true;
}

/* Does va translate for a kernel write right now? [Arm ARM C5.5.3 AT S1E1W,
 * D17.2.112 PAR_EL1.F] */
static bool kernel_writable(uintptr_t va)
{
	uint64_t par;

	__asm__ volatile("at s1e1w, %0" ::"r"(va) : "memory");
	isb();
	par = read_sysreg(par_el1);
	return !(par & 1);
}

/* [booting.rst §5]: the CPU spins in WFE on *release_addr until it reads a
 * non-zero entry point. */
static int spin_table_release(uint64_t release_addr, paddr_t entry)
{
	volatile uint64_t *slot;

	if (!release_addr || (release_addr & 7) || release_addr >= DMAP_MAX_PA)
		return -EINVAL;
	slot = hal_phys_to_virt(release_addr);
	if (!kernel_writable((uintptr_t)slot)) {
		printk("smp: cpu-release-addr %#llx is not in RAM\n",
		       (unsigned long long)release_addr);
		return -EINVAL;
	}
	*slot = entry;
	dcache_clean_poc((const void *)slot, sizeof(*slot));
	__asm__ volatile("sev" ::: "memory");
	return 0;
}

static int psci_cpu_on(uint64_t hwid, paddr_t entry, unsigned cpu)
{
	int64_t ret = arm64_psci_cpu_on(hwid, entry, cpu);

	if (ret == 0)
		return 0;
	printk("smp: PSCI CPU_ON(%#llx) failed: %s (%lld)\n", (unsigned long long)hwid,
	       arm64_psci_error_name(ret), (long long)ret);
	return ret == PSCI_RET_NOT_SUPPORTED ? -ENODEV : -EIO;
}

int hal_cpu_start(unsigned cpu, const struct hal_cpu_boot *b)
{
	paddr_t entry = hal_virt_to_phys(secondary_entry);

	if (cpu == 0 || cpu >= ARM64_MAX_CPUS || (b->hwid & ~MPIDR_HWID_MASK))
		return -EINVAL;
	if (!ipi_ops)
		return -ENODEV; /* no interrupt controller that can serve it */
	build_idmap();
	arm64_cpu_hwid[cpu] = b->hwid;
	arm64_cpu_stack_top[cpu] = (uintptr_t)cpu_stacks[cpu - 1] + HAL_KSTACK_SIZE;
	dsb(ish);
	if (!strcmp(b->enable_method, "psci"))
		return psci_cpu_on(b->hwid, entry, cpu);
	if (!strcmp(b->enable_method, "spin-table"))
		return spin_table_release(b->release_addr, entry);
	return -ENODEV;
}

/* boot.S, on the new CPU: MMU on, at the link address, on its own stack,
 * vectors installed, interrupts masked. TTBR0 still holds the identity map. */
__noreturn void arm64_secondary_main(unsigned cpu);
__noreturn void arm64_secondary_main(unsigned cpu)
{
	hal_percpu_set(NULL); /* TPIDR_EL1 resets to an UNKNOWN value */
	write_sysreg(ttbr0_el1, arm64_kernel_ttbr0);
	isb();
	__asm__ volatile("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
	arm64_hardening_cpu_init();
	if (ipi_ops && ipi_ops->cpu_init)
		ipi_ops->cpu_init();
	arm64_timer_cpu_init();
	secondary_start(cpu);
}

int hal_ipi_send(unsigned cpu, enum hal_ipi kind)
{
	if (cpu >= ARM64_MAX_CPUS || arm64_cpu_hwid[cpu] == ~0ULL || kind >= HAL_IPI_NR)
		return -EINVAL;
	if (!ipi_ops)
		return -ENODEV;
	dsb(ish); /* our stores before the interrupt [IHI 0069 §12.2.23 note] */
	ipi_ops->send(cpu, kind);
	return 0;
}

/* An IPI arrived (the root controller's entry routine, IRQ context). */
void arm64_ipi_dispatch(unsigned kind)
{
	kernel_ipi(kind);
}
