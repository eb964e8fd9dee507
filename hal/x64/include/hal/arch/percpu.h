/* hal_percpu_get() inline for x86_64 (see <hal/cpu.h>): one GS-relative
 * load of the core's slot in the HAL's per-CPU area, as Linux's
 * this_cpu_read() [Intel SDM Vol. 2B SWAPGS; arch/x86/include/asm/percpu.h].
 * `current` and need_resched read it several times per system call; an
 * out-of-line call cost five instructions each (about 35 per getpid).
 * Only included by <hal/cpu.h>. */
#ifndef HAL_ARCH_PERCPU_H
#define HAL_ARCH_PERCPU_H

/* Byte offset of struct x64_percpu.core (hal/x64/x64.h; checked in cpu.c). */
#define HAL_X64_PERCPU_CORE 24

/* Volatile: the register's value is the running CPU's, and a task may
 * move to another CPU between two reads. */
static inline void *hal_percpu_get(void)
{
	void *p;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(p) : "i"(HAL_X64_PERCPU_CORE));
	return p;
}

#endif
