/* The x86_64 vDSO's entry points, named and versioned as Linux's
 * (LINUX_2.6, see vdso.ver): __vdso_clock_gettime, __vdso_gettimeofday,
 * __vdso_time, __vdso_clock_getres, __vdso_getcpu, each with the weak
 * unprefixed alias Linux exports. [vdso(7) "x86-64 functions"] */
#include "vdso_arch.h"
#include "vdso_clock.h"

long __vdso_clock_gettime(long clk, struct vdso_timespec *ts);
long __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz);
long __vdso_time(int64_t *t);
long __vdso_clock_getres(long clk, struct vdso_timespec *res);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);

long __vdso_clock_gettime(long clk, struct vdso_timespec *ts)
{
	return vdso_clock_gettime(clk, ts);
}

long __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	return vdso_gettimeofday(tv, tz);
}

/* [time(2)]: seconds of CLOCK_REALTIME, also stored at t unless NULL.
 * Linux reads the tick's (coarse) seconds here; we read the counter, so
 * time() never lags gettimeofday(). */
long __vdso_time(int64_t *t)
{
	int64_t ns, rem, s;

	if (vdso_clock_ns(VDSO_CLOCK_REALTIME, &ns))
		return vdso_syscall2(VDSO_NR_time, (long)t, 0);
	s = vdso_split_ns(ns, &rem);
	if (t)
		*t = s;
	return s;
}

long __vdso_clock_getres(long clk, struct vdso_timespec *res)
{
	return vdso_clock_getres(clk, res);
}

/* [getcpu(2)]: the CPU and NUMA node the caller runs on; it may move right
 * after, so the answer is a hint. Read from IA32_TSC_AUX, which the kernel
 * set to (node << 12) | cpu on every CPU (hal/x64/cpu.c), with RDPID or
 * RDTSCP as Linux's vdso_read_cpunode(); the system call where the CPU has
 * neither. The third argument is ignored, as by Linux since 2.6.24. */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	uint32_t mode = __atomic_load_n(&vdso_data()->getcpu_mode, __ATOMIC_RELAXED);
	uint32_t aux, lo, hi;
	uint64_t aux64;

	(void)cache;
	if (mode == VDSO_GETCPU_RDPID) {
		__asm__ volatile("rdpid %0" : "=r"(aux64));
		aux = (uint32_t)aux64;
	} else if (mode == VDSO_GETCPU_RDTSCP) {
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		(void)lo;
		(void)hi;
	} else {
		return vdso_syscall3(VDSO_NR_getcpu, (long)cpu, (long)node, (long)cache);
	}
	if (cpu)
		*cpu = aux & 0xfff;
	if (node)
		*node = aux >> 12;
	return 0;
}

long clock_gettime(long clk, struct vdso_timespec *ts)
	__attribute__((weak, alias("__vdso_clock_gettime")));
long gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
	__attribute__((weak, alias("__vdso_gettimeofday")));
long time(int64_t *t) __attribute__((weak, alias("__vdso_time")));
long clock_getres(long clk, struct vdso_timespec *res)
	__attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *cpu, unsigned *node, void *cache)
	__attribute__((weak, alias("__vdso_getcpu")));
