/* Sleeping syscalls: nanosleep(2) and clock_nanosleep(2).
 *
 * The task sleeps in sched_sleep() with a deadline on the monotonic clock.
 * A signal ends the sleep: relative sleeps store the time left in *rem
 * and return -ERESTART_RESTARTBLOCK, absolute ones -ERESTARTNOHAND; the
 * signal code turns both into -EINTR when a handler runs and restarts the
 * call otherwise (a stop/continue). A restarted relative sleep starts over
 * with the original request (Linux resumes with the remainder; the
 * difference is only visible after SIGSTOP/SIGCONT).
 * An absolute CLOCK_REALTIME deadline is converted to the monotonic clock
 * when the sleep starts; a later settimeofday does not move it.
 * [nanosleep(2)], [clock_nanosleep(2)].
 * (Interval timers, alarm(2): itimer.c.)
 */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/time.h>

#include "time_internal.h"

/* Sleep until the monotonic deadline. 0 when it passed, or the restart
 * code after storing the remaining time in rem (if rem != 0). */
static long sleep_until(uint64_t deadline, uintptr_t rem, long restart)
{
	for (;;) {
		uint64_t now = time_monotonic_ns();
		int r;

		if (now >= deadline)
			return 0;
		r = sched_sleep_until(deadline, true);
		if (r == -EINTR) {
			now = time_monotonic_ns();
			if (rem &&
			    timespec_to_user(rem, now < deadline ? (int64_t)(deadline - now) : 0))
				return -EFAULT;
			return restart;
		}
		/* 0 (spurious wake-up) or -ETIMEDOUT: re-check the clock. */
	}
}

static uint64_t deadline_after(int64_t ns)
{
	uint64_t now = time_monotonic_ns();

	return (uint64_t)ns > UINT64_MAX - now ? UINT64_MAX : now + (uint64_t)ns;
}

/* [nanosleep(2)]: 0, -EINTR (rem set), -EINVAL (bad timespec), -EFAULT. */
SYSCALL_DEFINE2(nanosleep, unsigned long, req, unsigned long, rem)
{
	int64_t ns;
	int err = timespec_from_user(req, &ns);

	if (err)
		return err;
	if (ns == 0) {
		schedule();
		return 0;
	}
	return sleep_until(deadline_after(ns), rem, -ERESTART_RESTARTBLOCK);
}

/* [clock_nanosleep(2)]: clocks REALTIME, MONOTONIC, BOOTTIME and TAI;
 * flags 0 or TIMER_ABSTIME (rem is not written for absolute sleeps).
 * Errors: -EINVAL (unknown clock, CLOCK_THREAD_CPUTIME_ID, bad flags or
 * timespec), -EOPNOTSUPP (CLOCK_PROCESS_CPUTIME_ID: no CPU-time timers
 * here), -EFAULT, -EINTR. Returned negative like every syscall; the C
 * library turns them into its positive return value. */
SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags, unsigned long, req, unsigned long, rem)
{
	int64_t ns, now;
	int err;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI: break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL; /* [clock_nanosleep(2)] EINVAL: thread CPU clock */
	case CLOCK_PROCESS_CPUTIME_ID:
		return -EOPNOTSUPP; /* not supported here (Linux supports it) */
	default: return -EINVAL;
	}
	if (flags & ~TIMER_ABSTIME)
		return -EINVAL;
	err = timespec_from_user(req, &ns);
	if (err)
		return err;
	if (!(flags & TIMER_ABSTIME)) {
		if (ns == 0) {
			schedule();
			return 0;
		}
		return sleep_until(deadline_after(ns), rem, -ERESTART_RESTARTBLOCK);
	}
	clock_read_ns(clk, &now);
	if (ns <= now)
		return 0;
	return sleep_until(deadline_after(ns - now), 0, -ERESTARTNOHAND);
}
