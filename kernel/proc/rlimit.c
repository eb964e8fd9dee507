/* Resource limits and usage: [getrlimit(2)] (getrlimit, setrlimit,
 * prlimit64), [getrusage(2)], [times(2)]. Limits are stored and inherited;
 * RLIMIT_NOFILE (the fd table), RLIMIT_CORE (the core flag of a signal
 * death), RLIMIT_CPU (below), RLIMIT_SIGPENDING (kernel/signal/queue.c)
 * and RLIMIT_RTPRIO (sched_setscheduler) are the ones that act. Times are
 * tick-accurate (10 ms). */
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

#include "proc_internal.h"

#define NR_OPEN_MAX 1048576 /* /proc/sys/fs/nr_open */

/* [getrlimit(2)] RLIMIT_CPU, as Linux's check_process_timers(): once the
 * process has used the soft limit of CPU time (user + system, all its
 * threads), SIGXCPU, and the soft limit moves up by one second so the
 * next comes a second later; at the hard limit, SIGKILL. The limit is read
 * from the running thread (limits are per thread here; setrlimit(2) from
 * any thread of a single-threaded process is the common case). Tick, IRQ
 * context, interrupts masked. */
void rlimit_cpu_tick(struct task *t)
{
	struct rlimit64 *r = &t->rlim[RLIMIT_CPU];
	struct task *it;
	uint64_t ticks = 0;

	if (r->rlim_cur == RLIM_INFINITY)
		return;
	for_each_thread(t, it) ticks += it->utime_ticks + it->stime_ticks;
	if (r->rlim_max != RLIM_INFINITY && ticks >= r->rlim_max * SCHED_HZ) {
		send_group_signal(t, SIGKILL, NULL);
		return;
	}
	if (ticks >= r->rlim_cur * SCHED_HZ) {
		send_group_signal(t, SIGXCPU, NULL);
		r->rlim_cur++;
	}
}

/* Check and apply new (if non-NULL) to t->rlim[res]; *old gets the
 * previous value. */
static long do_prlimit(struct task *t, unsigned res, const struct rlimit64 *new,
		       struct rlimit64 *old)
{
	struct rlimit64 *r;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	r = &t->rlim[res];
	if (new) {
		if (new->rlim_cur > new->rlim_max)
			return -EINVAL;
		if (res == RLIMIT_NOFILE && new->rlim_max > NR_OPEN_MAX)
			return -EPERM; /* infinity included */
		if (new->rlim_max > r->rlim_max && current->euid != 0)
			return -EPERM;
	}
	if (old)
		*old = *r;
	if (new)
		*r = *new;
	return 0;
}

SYSCALL_DEFINE4(prlimit64, int, pid, unsigned, res, uintptr_t, unew, uintptr_t, uold)
{
	struct task *t;
	struct rlimit64 new, old;
	long r;

	/* Linux copies the new limit in before it looks the pid up. */
	if (unew && copy_from_user(&new, unew, sizeof new))
		return -EFAULT;
	t = pid > 0 ? task_lookup(pid) : pid == 0 ? get_task(current) : NULL;
	if (!t || t->state == TASK_ZOMBIE)
		r = -ESRCH;
	else
		r = do_prlimit(t, res, unew ? &new : NULL, &old);
	put_task(t);
	if (r)
		return r;
	if (uold && copy_to_user(uold, &old, sizeof old))
		return -EFAULT;
	return 0;
}

/* The 64-bit struct rlimit is the same as struct rlimit64. */
SYSCALL_DEFINE2(getrlimit, unsigned, res, uintptr_t, uold)
{
	struct rlimit64 old;
	long r = do_prlimit(current, res, NULL, &old);
	if (r)
		return r;
	return copy_to_user(uold, &old, sizeof old) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(setrlimit, unsigned, res, uintptr_t, unew)
{
	struct rlimit64 new;
	if (copy_from_user(&new, unew, sizeof new))
		return -EFAULT;
	return do_prlimit(current, res, &new, NULL);
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

SYSCALL_DEFINE2(getrusage, int, who, uintptr_t, uru)
{
	const struct task *t = current;
	struct linux_rusage ru;
	uint64_t ut, st;

	switch (who) {
	case RUSAGE_SELF: /* every thread of the process, live or exited */
		task_group_cputime(t, &ut, &st);
		rusage_fill(&ru, ut, st);
		break;
	case RUSAGE_THREAD: rusage_fill(&ru, t->utime_ticks, t->stime_ticks); break;
	case RUSAGE_CHILDREN: rusage_fill(&ru, t->cutime_ticks, t->cstime_ticks); break;
	default: return -EINVAL;
	}
	return copy_to_user(uru, &ru, sizeof ru) ? -EFAULT : 0;
}

/* struct tms in clock ticks (USER_HZ = SCHED_HZ); returns the ticks since
 * boot. */
SYSCALL_DEFINE1(times, uintptr_t, ubuf)
{
	const struct task *t = current;
	uint64_t ut, st;

	task_group_cputime(t, &ut, &st); /* [times(2)]: the whole process */
	int64_t tms[4] = { (int64_t)ut, (int64_t)st, (int64_t)t->cutime_ticks,
			   (int64_t)t->cstime_ticks };
	if (ubuf && copy_to_user(ubuf, tms, sizeof tms))
		return -EFAULT;
	return (long)(sched_clock_ns() / (1000000000ULL / SCHED_HZ));
}
