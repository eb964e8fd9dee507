/* hal_percpu_get() inline for arm64 (see <hal/cpu.h>): one MRS of
 * TPIDR_EL1 [Arm ARM D17.2.140], as Linux's __my_cpu_offset
 * (arch/arm64/include/asm/percpu.h). `current` and need_resched read it
 * several times per system call; an out-of-line call cost four
 * instructions each. Only included by <hal/cpu.h>. */
#ifndef HAL_ARCH_PERCPU_H
#define HAL_ARCH_PERCPU_H
#include <hal/types.h>

/* Volatile: the register's value is the running CPU's, and a task may
 * move to another CPU between two reads. */
static inline void *hal_percpu_get(void)
{
	uint64_t p;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(p));
	return (void *)(uintptr_t)p;
}

#endif
