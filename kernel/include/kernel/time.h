/* Kernel time keeping (kernel/time/). CLOCK_MONOTONIC is
 * hal_timer_now_ns(); CLOCK_REALTIME adds an offset set from the RTC at
 * boot and by settimeofday/clock_settime. [clock_gettime(2)] */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H
#include <hal/types.h>
#include <kernel/list.h>

#define NSEC_PER_SEC 1000000000LL

/* Nanoseconds since the Unix epoch / since boot. */
int64_t time_realtime_ns(void);
uint64_t time_monotonic_ns(void);
/* Set the wall clock (RTC drivers call this at probe; settimeofday).
 * Also published to the vDSO. Any context. */
void time_set_realtime_ns(int64_t ns);
/* The tick (IRQ context, interrupts masked): the COARSE clocks move on
 * and the vDSO's data page is refreshed (hal_vdso_publish()). */
void time_tick(void);
/* First publication to the vDSO, once hal_vdso_init() succeeded. */
void time_vdso_start(void);

/* struct timespec / struct timeval of the 64-bit Linux ABI (x86_64 and
 * arm64: two 64-bit fields). */
struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Read a user struct timespec as nanoseconds: 0, -EFAULT, or -EINVAL if
 * tv_nsec is outside [0, 999999999] or tv_sec is negative. For timeouts
 * of nanosleep, ppoll, futex, ... (kernel/time/clock.c). */
int timespec_from_user(uintptr_t uts, int64_t *ns);
/* Write ns (>= 0) as a struct timespec: 0 or -EFAULT. */
int timespec_to_user(uintptr_t uts, int64_t ns);

/* Interval timers [setitimer(2)], kept in the group leader (kernel/time/itimer.c).
 * itimer_exit: the process ended, disarm its timers (interrupts masked).
 * itimer_tick: from the scheduler tick (IRQ context) for the task that
 * was running (NULL: the idle task), user_mode says where: counts ITIMER_VIRTUAL/ITIMER_PROF down
 * and fires every ITIMER_REAL whose deadline (monotonic ns) is <= now. */
struct task;
void itimer_exit(struct task *leader);
void itimer_tick(struct task *t, bool user_mode, uint64_t now_ns);
/* The process of leader exits or execs: delete its POSIX timers
 * ([timer_create(2)] NOTES; kernel/time/posix_timers.c). Any context. */
void posix_timers_exit(struct task *leader);
/* A POSIX timer's signal is being taken by t (kernel/signal/queue.c,
 * interrupts masked): fill info's si_overrun with the expirations since it
 * was queued, which timer_getoverrun() then reports (Linux
 * posixtimer_rearm()). */
struct linux_siginfo;
void posix_timer_dequeued(struct task *t, struct linux_siginfo *info);

/* Kernel timers (kernel/time/ktimer.c): fn(timer) runs from the scheduler
 * tick (IRQ context, interrupts masked, so it must not sleep) once
 * time_monotonic_ns() >= expires_ns, i.e. within one tick (1/SCHED_HZ s)
 * after it. A timer fires once; fn may re-arm it. Used by timerfd and the
 * POSIX timers. ktimer_arm() on an armed timer moves it; ktimer_cancel()
 * on a disarmed one does nothing. Any context; ktimer_lock inside. */
struct ktimer {
	struct list_head node; /* in the armed list while armed */
	uint64_t expires_ns;   /* monotonic */
	void (*fn)(struct ktimer *t);
	bool armed;
};
void ktimer_arm(struct ktimer *t, uint64_t expires_ns);
void ktimer_cancel(struct ktimer *t);
/* From the tick: run every timer due at now_ns. */
void ktimers_expire(uint64_t now_ns);

#endif
