/* arm64 half of the vDSO clocks (hal/common/vdso/vdso_clock.h). */
#ifndef HAL_ARM64_VDSO_ARCH_H
#define HAL_ARM64_VDSO_ARCH_H
#include <stdint.h>
#include "vdso_data.h"

/* Linux generic syscall numbers (include/uapi/asm-generic/unistd.h). */
#define VDSO_NR_clock_gettime 113
#define VDSO_NR_clock_getres 114
#define VDSO_NR_rt_sigreturn 139
#define VDSO_NR_gettimeofday 169

/* The data page sits one page below our ELF header (hal/vdso.h); the
 * linker defines __ehdr_start, reached with ADRP/ADD (no relocation). */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static inline const struct vdso_data *vdso_data(void)
{
	return (const struct vdso_data *)(__ehdr_start - 4096);
}

/* The virtual counter, readable at EL0 because hal/arm64/boot.S sets
 * CNTKCTL_EL1.EL0VCTEN [Arm ARM D11.2.2, D17.10 CNTKCTL_EL1]. The ISB
 * keeps the read from being performed ahead of earlier instructions
 * (the seqlock's loads) [Arm ARM D11.2.2 "reads of CNTVCT_EL0 can occur
 * speculatively and out of order"]. */
static inline uint64_t vdso_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static inline void vdso_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* The system call: number in x8, arguments and result in x0, x1
 * [Linux arm64 syscall ABI; Arm ARM C6.2.317 SVC]. */
static inline long vdso_syscall2(long nr, long a, long b)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	return x0;
}

#endif
