/* Multiprocessing on arm64.
 *
 * This version runs on the boot CPU only: secondary CPUs stay where the
 * firmware parked them (PSCI: powered off until CPU_ON; spin-table: polling
 * their cpu-release-addr). Bringing them up later means, per CPU listed in
 * board_info.cpus: PSCI CPU_ON (0xc4000003: target MPIDR, entry point PA,
 * context id) [DEN0022 §5.6] or a write of the entry point to
 * cpu-release-addr followed by `sev` [Linux Documentation/arm64/booting.rst
 * "spin-table"], an entry path in boot.S that reuses the boot page tables
 * with its own stack, per-CPU data through TPIDR_EL1, and the GIC
 * redistributor/CPU interface set-up of irq_gicv3.c per CPU.
 */
#include <hal/cpu.h>

#include "arm64.h"

/* TPIDR_EL1 holds the core's per-CPU pointer; its reset value is UNKNOWN
 * [Arm ARM D17.2.140], so arm64_boot_main() clears it first. The boot CPU
 * is CPU 0, whatever its MPIDR affinity says. */
void hal_percpu_set(void *p)
{
	write_sysreg(tpidr_el1, (uintptr_t)p);
}

void *hal_percpu_get(void)
{
	return (void *)(uintptr_t)read_sysreg(tpidr_el1);
}

unsigned hal_cpu_id(void)
{
	const unsigned *p = hal_percpu_get();

	return p ? *p : 0;
}
