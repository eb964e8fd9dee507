/* Multiprocessor bring-up: not in this version. Only the boot CPU runs;
 * hal_cpu_id() is always 0 and the per-CPU area (x64_percpu0), TSS and
 * IST stacks exist once.
 *
 * The plan for SMP [Intel SDM Vol. 3A §8.4.4 "MP initialization example"]:
 * copy a real-mode trampoline below 1 MiB (reserved by setup.c), send
 * INIT, wait 10 ms, send two STARTUP IPIs with the trampoline's page number
 * through the local APIC ICR (0x300/0x310) to each APIC ID listed in the
 * DT's /cpus; the trampoline enters long mode on the shared kernel page
 * tables, loads a per-CPU GDT/TSS/GS area and stack, and joins the
 * scheduler. */
#include "x64.h"

/* Start every other CPU of the board; returns how many were started. */
unsigned x64_smp_start_secondaries(void)
{
	return 0;
}
