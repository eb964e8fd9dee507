/* Clocks: the wall clock and the POSIX clock syscalls.
 * CLOCK_MONOTONIC (and BOOTTIME, MONOTONIC_RAW) is the HAL's monotonic
 * nanosecond counter; CLOCK_REALTIME adds an offset set by the RTC driver
 * at probe and by settimeofday/clock_settime. The COARSE clocks read the
 * value of the last tick. There is no suspend, so BOOTTIME equals
 * MONOTONIC. CPU-time clocks count scheduler ticks of the calling task
 * (1/SCHED_HZ s resolution).
 * Every tick and every change of the wall clock is published to the vDSO
 * (hal_vdso_publish()), which answers the same values without a syscall.
 * [clock_gettime(2)], [gettimeofday(2)], [time(2)]. times(2) lives with
 * getrusage(2) in kernel/proc/rlimit.c.
 */
#include <hal/cpu.h>
#include <hal/timer.h>
#include <hal/usercopy.h>
#include <hal/vdso.h>
#include <kernel/errno.h>
#include <kernel/eventpoll.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "time_internal.h"

#define NSEC_PER_TICK (NSEC_PER_SEC / SCHED_HZ)

/* timekeeping_lock (irqsave: the tick writes) protects realtime_offset_ns
 * and coarse_mono_ns, and makes the caller of hal_vdso_publish() the only
 * writer of the vDSO page. */
static DEFINE_SPINLOCK(timekeeping_lock);
static int64_t realtime_offset_ns; /* realtime = monotonic + offset */
static uint64_t coarse_mono_ns;	   /* monotonic at the last tick */

/* Tell the vDSO. timekeeping_lock held. */
static void publish(void)
{
	struct hal_vdso_time vt = {
		.realtime_offset_ns = realtime_offset_ns,
		.coarse_mono_ns = coarse_mono_ns,
		.coarse_res_ns = NSEC_PER_TICK,
	};

	hal_vdso_publish(&vt);
}

void time_tick(void)
{
	irqflags_t f = spin_lock_irqsave(&timekeeping_lock);

	coarse_mono_ns = hal_timer_now_ns();
	publish();
	spin_unlock_irqrestore(&timekeeping_lock, f);
}

void time_vdso_start(void)
{
	irqflags_t f = spin_lock_irqsave(&timekeeping_lock);

	coarse_mono_ns = hal_timer_now_ns();
	publish();
	spin_unlock_irqrestore(&timekeeping_lock, f);
}

/* May the caller set the wall clock? CAP_SYS_TIME, which only root
 * (euid 0) has here [settimeofday(2) EPERM, clock_settime(2) EPERM]. */
static bool may_set_time(void)
{
	return current->euid == 0;
}

uint64_t time_monotonic_ns(void)
{
	return hal_timer_now_ns();
}

int64_t time_realtime_ns(void)
{
	return (int64_t)hal_timer_now_ns() + __atomic_load_n(&realtime_offset_ns, __ATOMIC_RELAXED);
}

void time_set_realtime_ns(int64_t ns)
{
	irqflags_t f = spin_lock_irqsave(&timekeeping_lock);

	realtime_offset_ns = ns - (int64_t)hal_timer_now_ns();
	/* The COARSE clocks start from the new time too, as Linux's
	 * do_settimeofday64() moves xtime: never behind what was set. */
	coarse_mono_ns = hal_timer_now_ns();
	publish();
	spin_unlock_irqrestore(&timekeeping_lock, f);
	timerfd_clock_was_set();
}

int timespec_from_user(uintptr_t uts, int64_t *ns)
{
	struct linux_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	/* Saturate absurd timeouts (~292 years) instead of overflowing. */
	if (ts.tv_sec >= INT64_MAX / NSEC_PER_SEC - 1)
		*ns = INT64_MAX;
	else
		*ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

int timespec_to_user(uintptr_t uts, int64_t ns)
{
	struct linux_timespec ts;

	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* Write a possibly negative (pre-1970) time as a normalised timespec. */
static int put_timespec_signed(uintptr_t uts, int64_t ns)
{
	struct linux_timespec ts;

	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	if (ts.tv_nsec < 0) {
		ts.tv_nsec += NSEC_PER_SEC;
		ts.tv_sec--;
	}
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

int clock_read_ns(int clk, int64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_TAI: *ns = time_realtime_ns(); return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME: *ns = (int64_t)time_monotonic_ns(); return 0;
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE: {
		irqflags_t f = spin_lock_irqsave(&timekeeping_lock);

		*ns = (int64_t)coarse_mono_ns;
		if (clk == CLOCK_REALTIME_COARSE)
			*ns += realtime_offset_ns;
		spin_unlock_irqrestore(&timekeeping_lock, f);
		return 0;
	}
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: return cpu_clock_read_ns(clk, ns);
	default: return clk < 0 ? cpu_clock_read_ns(clk, ns) : -EINVAL;
	}
}

/* [clock_gettime(2)]: 0, -EINVAL (unknown clock), -EFAULT. */
SYSCALL_DEFINE2(clock_gettime, int, clk, unsigned long, tp)
{
	int64_t ns;
	int err = clock_read_ns(clk, &ns);

	if (err)
		return err;
	return put_timespec_signed(tp, ns);
}

/* [clock_getres(2)]: 1 ns for the high-resolution clocks, one tick for
 * the COARSE ones; res may be NULL. 0, -EINVAL, -EFAULT. */
SYSCALL_DEFINE2(clock_getres, int, clk, unsigned long, res)
{
	int64_t ns, r;
	int err = clock_read_ns(clk, &ns);

	if (err)
		return err;
	/* The CPU clocks count ticks (kernel/time/cpu_clock.c). */
	r = (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE || clock_is_cpu(clk)) ?
		    NSEC_PER_TICK :
		    1;
	return res ? timespec_to_user(res, r) : 0;
}

/* [clock_settime(2)]: only CLOCK_REALTIME can be set, and only by root.
 * Checked in Linux's order: the clock (-EINVAL: not settable or
 * unknown), the copy (-EFAULT), the value (-EINVAL), the privilege
 * (-EPERM). 0 on success; the vDSO sees the new time at once. */
SYSCALL_DEFINE2(clock_settime, int, clk, unsigned long, tp)
{
	struct linux_timespec ts;

	if (clk != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(&ts, tp, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC || ts.tv_sec < 0 ||
	    ts.tv_sec > INT64_MAX / NSEC_PER_SEC - 1)
		return -EINVAL;
	if (!may_set_time())
		return -EPERM;
	time_set_realtime_ns(ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec);
	return 0;
}

/* [gettimeofday(2)]: tv and tz may each be NULL; the time zone is always
 * UTC (minuteswest 0, dsttime 0). 0 or -EFAULT. */
SYSCALL_DEFINE2(gettimeofday, unsigned long, tv, unsigned long, tz)
{
	if (tv) {
		int64_t ns = time_realtime_ns();
		struct linux_timeval t = { ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000 };

		if (t.tv_usec < 0) {
			t.tv_usec += 1000000;
			t.tv_sec--;
		}
		if (copy_to_user(tv, &t, sizeof(t)))
			return -EFAULT;
	}
	if (tz) {
		int32_t z[2] = { 0, 0 };

		if (copy_to_user(tz, z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}

/* [settimeofday(2)]: sets the wall clock from tv (tz is read and ignored).
 * 0, -EFAULT, -EINVAL (tv_usec out of range, negative time), -EPERM (not
 * root; checked after the value, as Linux). The vDSO sees it at once. */
SYSCALL_DEFINE2(settimeofday, unsigned long, tv, unsigned long, tz)
{
	struct linux_timeval t;
	int32_t z[2];

	if (tz && copy_from_user(z, tz, sizeof(z)))
		return -EFAULT;
	if (!tv)
		return may_set_time() ? 0 : -EPERM; /* only tz: still privileged */
	if (copy_from_user(&t, tv, sizeof(t)))
		return -EFAULT;
	if (t.tv_usec < 0 || t.tv_usec >= 1000000 || t.tv_sec < 0 ||
	    t.tv_sec > INT64_MAX / NSEC_PER_SEC - 1)
		return -EINVAL;
	if (!may_set_time())
		return -EPERM;
	time_set_realtime_ns(t.tv_sec * NSEC_PER_SEC + t.tv_usec * 1000);
	return 0;
}

/* [time(2)] (x86_64 only; arm64 has no such syscall): seconds since the
 * epoch, also stored at tloc unless NULL. -EFAULT if tloc is bad. */
SYSCALL_DEFINE1(time, unsigned long, tloc)
{
	int64_t ns = time_realtime_ns(), s = ns / NSEC_PER_SEC;

	if (ns < 0 && ns % NSEC_PER_SEC)
		s--;
	if (tloc && copy_to_user(tloc, &s, sizeof(s)))
		return -EFAULT;
	return (long)s;
}
