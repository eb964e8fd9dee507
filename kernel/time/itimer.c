/* Interval timers: [setitimer(2)], [getitimer(2)], [alarm(2)].
 *
 * One set per process, kept in the thread-group leader:
 *  - ITIMER_REAL counts monotonic time and sends SIGALRM; armed timers are
 *    on a list the scheduler tick scans (so expiry is seen with the tick's
 *    granularity, 1/SCHED_HZ s, as on a Linux kernel without hrtimers);
 *  - ITIMER_VIRTUAL counts the process's user time and sends SIGVTALRM;
 *  - ITIMER_PROF counts user + system time and sends SIGPROF;
 *    both in scheduler ticks, charged to the task the tick interrupted.
 * A child of fork() starts with every timer disarmed; execve() keeps them.
 */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "../signal/signal_internal.h"

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_TICK (NSEC_PER_SEC / SCHED_HZ)

/* struct itimerval of the 64-bit ABI. */
struct linux_itimerval {
	struct linux_timeval it_interval;
	struct linux_timeval it_value;
};

/* Leaders with ITIMER_REAL armed (struct task.itimer_node). The timers
 * (this list and the itimer_* fields of every leader) are under
 * tasklist_lock: they are read and changed together with the thread
 * group they signal. */
static LIST_HEAD(real_timers);

static uint64_t tv_to_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

static struct linux_timeval ns_to_tv(uint64_t ns)
{
	struct linux_timeval tv = {
		.tv_sec = (int64_t)(ns / NSEC_PER_SEC),
		.tv_usec = (int64_t)((ns % NSEC_PER_SEC + NSEC_PER_USEC - 1) / NSEC_PER_USEC),
	};
	if (tv.tv_usec == 1000000) {
		tv.tv_sec++;
		tv.tv_usec = 0;
	}
	return tv;
}

/* ns to ticks, rounded up: a timer never fires early. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return (ns + NSEC_PER_TICK - 1) / NSEC_PER_TICK;
}

static bool tv_valid(const struct linux_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

/* The current value of timer which of leader l. tasklist_lock held. */
static void itimer_get(struct task *l, int which, struct linux_itimerval *v)
{
	uint64_t now = time_monotonic_ns();

	switch (which) {
	case ITIMER_REAL:
		v->it_value =
			ns_to_tv(l->itimer_real_deadline > now ? l->itimer_real_deadline - now :
				 l->itimer_real_deadline       ? 1 :
								 0);
		v->it_interval = ns_to_tv(l->itimer_real_interval);
		break;
	case ITIMER_VIRTUAL:
		v->it_value = ns_to_tv(l->itimer_virt_left * NSEC_PER_TICK);
		v->it_interval = ns_to_tv(l->itimer_virt_interval * NSEC_PER_TICK);
		break;
	default:
		v->it_value = ns_to_tv(l->itimer_prof_left * NSEC_PER_TICK);
		v->it_interval = ns_to_tv(l->itimer_prof_interval * NSEC_PER_TICK);
		break;
	}
}

/* Arm (value != 0) or disarm timer which of leader l. tasklist_lock held. */
static void itimer_set(struct task *l, int which, uint64_t value_ns, uint64_t interval_ns)
{
	switch (which) {
	case ITIMER_REAL:
		list_del(&l->itimer_node);
		l->itimer_real_deadline = value_ns ? time_monotonic_ns() + value_ns : 0;
		l->itimer_real_interval = value_ns ? interval_ns : 0;
		if (value_ns)
			list_add_tail(&l->itimer_node, &real_timers);
		break;
	case ITIMER_VIRTUAL:
		l->itimer_virt_left = ns_to_ticks(value_ns);
		l->itimer_virt_interval = value_ns ? ns_to_ticks(interval_ns) : 0;
		break;
	default:
		l->itimer_prof_left = ns_to_ticks(value_ns);
		l->itimer_prof_interval = value_ns ? ns_to_ticks(interval_ns) : 0;
		break;
	}
}

void itimer_exit(struct task *leader)
{
	itimer_set(leader, ITIMER_REAL, 0, 0);
	leader->itimer_virt_left = leader->itimer_prof_left = 0;
}

/* Count a tick-based timer down; true when it expired (and was reloaded
 * from its interval, or disarmed). */
static bool tick_down(uint64_t *left, uint64_t interval)
{
	if (!*left || --*left)
		return false;
	*left = interval;
	return true;
}

void itimer_tick(struct task *t, bool user_mode, uint64_t now_ns)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	struct task *l, *n;

	list_for_each_entry_safe(l, n, &real_timers, itimer_node) {
		if (l->itimer_real_deadline > now_ns)
			continue;
		if (l->itimer_real_interval) {
			/* Overruns are lost, as Linux counts them but sends one. */
			while (l->itimer_real_deadline <= now_ns)
				l->itimer_real_deadline += l->itimer_real_interval;
		} else {
			l->itimer_real_deadline = 0;
			list_del(&l->itimer_node);
		}
		send_group_signal_locked(l, SIGALRM, NULL);
	}
	if (t) {
		l = t->group_leader;
		if (user_mode && tick_down(&l->itimer_virt_left, l->itimer_virt_interval))
			send_group_signal_locked(l, SIGVTALRM, NULL);
		if (tick_down(&l->itimer_prof_left, l->itimer_prof_interval))
			send_group_signal_locked(l, SIGPROF, NULL);
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
}

SYSCALL_DEFINE2(getitimer, int, which, uintptr_t, uvalue)
{
	struct linux_itimerval v;
	irqflags_t f;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	f = spin_lock_irqsave(&tasklist_lock);
	itimer_get(current->group_leader, which, &v);
	spin_unlock_irqrestore(&tasklist_lock, f);
	return copy_to_user(uvalue, &v, sizeof v) ? -EFAULT : 0;
}

/* new may be 0 (Linux treats it as a zero value: disarm). */
SYSCALL_DEFINE3(setitimer, int, which, uintptr_t, unew, uintptr_t, uold)
{
	struct linux_itimerval nv = { 0 }, ov;
	irqflags_t f;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (unew && copy_from_user(&nv, unew, sizeof nv))
		return -EFAULT;
	if (!tv_valid(&nv.it_value) || !tv_valid(&nv.it_interval))
		return -EINVAL;
	f = spin_lock_irqsave(&tasklist_lock);
	itimer_get(current->group_leader, which, &ov);
	itimer_set(current->group_leader, which, tv_to_ns(&nv.it_value), tv_to_ns(&nv.it_interval));
	spin_unlock_irqrestore(&tasklist_lock, f);
	if (uold && copy_to_user(uold, &ov, sizeof ov))
		return -EFAULT;
	return 0;
}

/* [alarm(2)] (x86_64 only; arm64 libcs use setitimer): SIGALRM in seconds
 * seconds (0 cancels); returns the seconds left of the previous alarm,
 * rounded to the nearest, at least 1 if one was pending. */
SYSCALL_DEFINE1(alarm, unsigned, seconds)
{
	struct linux_itimerval ov;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);
	long left;

	itimer_get(current->group_leader, ITIMER_REAL, &ov);
	itimer_set(current->group_leader, ITIMER_REAL, (uint64_t)seconds * NSEC_PER_SEC, 0);
	spin_unlock_irqrestore(&tasklist_lock, f);
	left = ov.it_value.tv_sec + (ov.it_value.tv_usec >= 500000);
	if (!left && ov.it_value.tv_usec)
		left = 1;
	return left;
}
