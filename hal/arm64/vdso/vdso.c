/* The arm64 vDSO's entry points, named and versioned as Linux's
 * (LINUX_2.6.39, see vdso.ver): __kernel_clock_gettime,
 * __kernel_gettimeofday, __kernel_clock_getres; __kernel_rt_sigreturn is
 * in sigreturn.S. [vdso(7) "ARM functions (aarch64)"] */
#include "vdso_arch.h"
#include "vdso_clock.h"

long __kernel_clock_gettime(long clk, struct vdso_timespec *ts);
long __kernel_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz);
long __kernel_clock_getres(long clk, struct vdso_timespec *res);

long __kernel_clock_gettime(long clk, struct vdso_timespec *ts)
{
	return vdso_clock_gettime(clk, ts);
}

long __kernel_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	return vdso_gettimeofday(tv, tz);
}

long __kernel_clock_getres(long clk, struct vdso_timespec *res)
{
	return vdso_clock_getres(clk, res);
}
