/* x86_64 half of the vDSO clocks (hal/common/vdso/vdso_clock.h). */
#ifndef HAL_X64_VDSO_ARCH_H
#define HAL_X64_VDSO_ARCH_H
#include <stdint.h>
#include "vdso_data.h"

/* Linux x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define VDSO_NR_gettimeofday 96
#define VDSO_NR_time 201
#define VDSO_NR_clock_gettime 228
#define VDSO_NR_clock_getres 229
#define VDSO_NR_getcpu 309

/* The data page sits one page below our ELF header (hal/vdso.h); the
 * linker defines __ehdr_start, reached PC-relative (no relocation). */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static inline const struct vdso_data *vdso_data(void)
{
	return (const struct vdso_data *)(__ehdr_start - 4096);
}

/* The TSC, not read before earlier loads complete: LFENCE waits for
 * every prior instruction to finish locally before RDTSC executes
 * [Intel SDM Vol. 2B RDTSC: "If software requires RDTSC to be executed
 * only after all previous instructions have executed ... LFENCE"]. */
static inline uint64_t vdso_counter(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void vdso_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* The system call: number in rax, arguments in rdi, rsi; rcx and r11 are
 * clobbered by SYSCALL [Intel SDM Vol. 2B SYSCALL; System V ABI x86-64
 * §A.2.1]. */
static inline long vdso_syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline long vdso_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
