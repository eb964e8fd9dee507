/* Multiprocessor bring-up on x86_64 (<hal/cpu.h>).
 *
 * Not in this version: hal_cpu_start() answers -ENODEV, so the core reports
 * every other CPU of the board as not started and goes on with the boot CPU.
 * The plan [Intel SDM Vol. 3A §8.4.4 "MP initialization example"]: copy a
 * real-mode trampoline below 1 MiB (a page reserved from the frame
 * allocator), send INIT, wait 10 ms, send two STARTUP IPIs with the
 * trampoline's page number through the local APIC ICR (0x300/0x310) to the
 * APIC ID the tree's /cpus/cpu@N names; the trampoline enters long mode on
 * the kernel's page tables, loads a per-CPU GDT/TSS/GS area and stack and
 * calls secondary_start(). */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include "x64.h"

uint64_t hal_cpu_hwid(void)
{
	return x64_lapic_id();
}

unsigned hal_cpu_id(void)
{
	return 0; /* only the boot CPU runs */
}

int hal_cpu_start(unsigned cpu, const struct hal_cpu_boot *b)
{
	(void)cpu, (void)b;
	return -ENODEV;
}

int hal_ipi_send(unsigned cpu, enum hal_ipi kind)
{
	if (cpu != 0 || kind >= HAL_IPI_NR)
		return -EINVAL;
	return -ENODEV;
}
