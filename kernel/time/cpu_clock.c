/* CPU-time clocks: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and
 * the clock ids clock_getcpuclockid(3) and pthread_getcpuclockid(3) make
 * for another process or thread. [clock_gettime(2)], [clock_getres(2)].
 *
 * Encoding (Linux include/linux/posix-timers.h): a negative id is
 * (~pid << 3) | (per-thread << 2) | which, which being PROF (user +
 * system), VIRT (user) or SCHED (user + system; the one libc makes). pid
 * 0 is the caller. A thread clock must name a thread of the caller's
 * process; a process clock a process (or the caller's own tid), as Linux's
 * pid_for_clock(). Anything else is -EINVAL, which glibc turns into
 * ESRCH for clock_getcpuclockid(3).
 *
 * CPU time is counted in scheduler ticks (kernel/sched/tick.c), so these
 * clocks step by NSEC_PER_TICK and clock_getres() says so (Linux counts
 * the SCHED clocks in ns and reports 1 ns). */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

#include "time_internal.h"

#define NSEC_PER_TICK (NSEC_PER_SEC / SCHED_HZ)

#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_MAX 3
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_WHICH(c) ((c)&3)
#define CPUCLOCK_PID(c) ((int)~((c) >> 3))

bool clock_is_cpu(int clk)
{
	return clk < 0 || clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID;
}

/* The task the clock names, with a reference (put_task()), and whether
 * it is a thread clock; NULL for a malformed id or no such task. Whether
 * it may be read is checked by the caller under tasklist_lock. */
static struct task *clock_task(int clk, bool *thread)
{
	int pid;

	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID) {
		*thread = clk == CLOCK_THREAD_CPUTIME_ID;
		return get_task(current);
	}
	if (CPUCLOCK_WHICH(clk) >= CPUCLOCK_MAX)
		return NULL;
	*thread = (clk & CPUCLOCK_PERTHREAD_MASK) != 0;
	pid = CPUCLOCK_PID(clk);
	return pid == 0 ? get_task(current) : task_lookup(pid);
}

/* Linux's pid_for_clock(): a thread clock names a thread of the caller's
 * process, a process clock a process or the caller itself. tasklist_lock
 * held. */
static bool clock_allowed(const struct task *t, bool thread)
{
	if (t->state == TASK_DEAD || !t->group_leader)
		return false;
	if (thread)
		return t->group_leader == current->group_leader;
	return t == current || t->tid == t->tgid;
}

int cpu_clock_read_ns(int clk, int64_t *ns)
{
	bool thread = false;
	uint64_t ut, st;
	int which = clk < 0 ? CPUCLOCK_WHICH(clk) : CPUCLOCK_SCHED;
	struct task *t = clock_task(clk, &thread);
	irqflags_t f;

	if (!t)
		return -EINVAL;
	f = spin_lock_irqsave(&tasklist_lock);
	if (!clock_allowed(t, thread)) {
		spin_unlock_irqrestore(&tasklist_lock, f);
		put_task(t);
		return -EINVAL;
	}
	if (thread) {
		ut = t->utime_ticks;
		st = t->stime_ticks;
	} else {
		task_group_cputime_locked(t, &ut, &st);
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	put_task(t);
	if (which == CPUCLOCK_VIRT)
		st = 0;
	*ns = (int64_t)(ut + st) * NSEC_PER_TICK;
	return 0;
}
