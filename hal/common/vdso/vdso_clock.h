/* The clocks of the vDSO, shared by both arches. Included once by
 * hal/<arch>/vdso/vdso.c, after its "vdso_arch.h", which provides:
 *   uint64_t vdso_counter(void)          the clocksource, ordered
 *   long vdso_syscall2(long nr, long a, long b)   the real system call
 *   const struct vdso_data *vdso_data(void)       the data page
 *
 * Served here: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (= MONOTONIC:
 * no suspend), and the two *_COARSE clocks (the value at the last tick).
 * Every other clock id, and every clock while the data page says the
 * counter is unusable, goes to the system call, whose return value (0 or
 * -errno, e.g. -EINVAL for a bad id) is returned unchanged, as Linux's
 * vDSO does: libc turns it into errno. [vdso(7)], [clock_gettime(2)],
 * [gettimeofday(2)], [time(2)], [clock_getres(2)].
 */
#ifndef HAL_VDSO_CLOCK_H
#define HAL_VDSO_CLOCK_H
#include <stdint.h>
#include "vdso_data.h"

#define VDSO_CLOCK_REALTIME 0
#define VDSO_CLOCK_MONOTONIC 1
#define VDSO_CLOCK_REALTIME_COARSE 5
#define VDSO_CLOCK_MONOTONIC_COARSE 6
#define VDSO_CLOCK_BOOTTIME 7
#define VDSO_NSEC_PER_SEC 1000000000LL

struct vdso_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
struct vdso_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
struct vdso_timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};

#define VDSO_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Begin a read: the sequence, once even (a writer on another CPU is done). */
static inline uint32_t vdso_read_begin(const struct vdso_data *d)
{
	uint32_t s;

	while ((s = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE)) & 1)
		vdso_cpu_relax();
	return s;
}

/* Did a write overlap the read that began with s? */
static inline int vdso_read_retry(const struct vdso_data *d, uint32_t s)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return VDSO_LOAD(d->seq) != s;
}

/* The value of clock clk in ns into *ns: 0, or -1 if the vDSO cannot
 * serve it (the caller falls back to the syscall). */
static inline int vdso_clock_ns(int clk, int64_t *ns)
{
	const struct vdso_data *d = vdso_data();
	uint32_t s;
	int64_t v;

	do {
		s = vdso_read_begin(d);
		if (VDSO_LOAD(d->clock_mode) != VDSO_CLOCK_COUNTER)
			return -1;
		switch (clk) {
		case VDSO_CLOCK_REALTIME:
		case VDSO_CLOCK_MONOTONIC:
		case VDSO_CLOCK_BOOTTIME: {
			uint64_t delta = vdso_counter() - VDSO_LOAD(d->cycle_base);
			unsigned __int128 p = (unsigned __int128)delta * VDSO_LOAD(d->mult);

			v = (int64_t)(VDSO_LOAD(d->base_ns) + (uint64_t)(p >> VDSO_LOAD(d->shift)));
			break;
		}
		case VDSO_CLOCK_REALTIME_COARSE:
		case VDSO_CLOCK_MONOTONIC_COARSE: v = (int64_t)VDSO_LOAD(d->coarse_mono_ns); break;
		default: return -1;
		}
		if (clk == VDSO_CLOCK_REALTIME || clk == VDSO_CLOCK_REALTIME_COARSE)
			v += VDSO_LOAD(d->realtime_offset_ns);
	} while (vdso_read_retry(d, s));
	*ns = v;
	return 0;
}

/* ns as whole seconds and a remainder in [0, 1e9), also before 1970. */
static inline int64_t vdso_split_ns(int64_t ns, int64_t *rem)
{
	int64_t sec = ns / VDSO_NSEC_PER_SEC;

	*rem = ns % VDSO_NSEC_PER_SEC;
	if (*rem < 0) {
		*rem += VDSO_NSEC_PER_SEC;
		sec--;
	}
	return sec;
}

/* [clock_gettime(2)]: 0 or what the syscall returns (-EINVAL, -EFAULT). */
static inline long vdso_clock_gettime(long clk, struct vdso_timespec *ts)
{
	int64_t ns, rem;

	if (vdso_clock_ns((int)clk, &ns))
		return vdso_syscall2(VDSO_NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = vdso_split_ns(ns, &rem);
	ts->tv_nsec = rem;
	return 0;
}

/* [gettimeofday(2)]: tv and tz may be NULL; the zone is always UTC, as
 * the kernel reports it. 0 or what the syscall returns. */
static inline long vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
	int64_t ns, rem;

	if (tv) {
		if (vdso_clock_ns(VDSO_CLOCK_REALTIME, &ns))
			return vdso_syscall2(VDSO_NR_gettimeofday, (long)tv, (long)tz);
		tv->tv_sec = vdso_split_ns(ns, &rem);
		tv->tv_usec = rem / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

/* [clock_getres(2)]: 1 ns for the counter clocks, one tick for the
 * COARSE ones; res may be NULL. 0 or what the syscall returns. */
static inline long vdso_clock_getres(long clk, struct vdso_timespec *res)
{
	const struct vdso_data *d = vdso_data();
	int64_t r;

	if (VDSO_LOAD(d->clock_mode) != VDSO_CLOCK_COUNTER)
		return vdso_syscall2(VDSO_NR_clock_getres, clk, (long)res);
	switch (clk) {
	case VDSO_CLOCK_REALTIME:
	case VDSO_CLOCK_MONOTONIC:
	case VDSO_CLOCK_BOOTTIME: r = 1; break;
	case VDSO_CLOCK_REALTIME_COARSE:
	case VDSO_CLOCK_MONOTONIC_COARSE: r = VDSO_LOAD(d->coarse_res_ns); break;
	default: return vdso_syscall2(VDSO_NR_clock_getres, clk, (long)res);
	}
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = r;
	}
	return 0;
}

#endif
