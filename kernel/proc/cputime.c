/* CPU time of a process: the sum over its threads, live and exited
 * (Linux kernel/sched/cputime.c thread_group_cputime()). [getrusage(2)]
 * RUSAGE_SELF, [times(2)], [clock_gettime(2)] CLOCK_PROCESS_CPUTIME_ID. */
#include <kernel/spinlock.h>
#include <kernel/task.h>

void task_group_cputime_locked(const struct task *t, uint64_t *utime, uint64_t *stime)
{
	const struct task *leader = t->group_leader ? t->group_leader : t;
	struct task *it;
	uint64_t u = leader->dead_utime_ticks, s = leader->dead_stime_ticks;

	list_for_each_entry(it, &leader->threads, thread_node) {
		u += it->utime_ticks;
		s += it->stime_ticks;
	}
	*utime = u;
	*stime = s;
}

void task_group_cputime(const struct task *t, uint64_t *utime, uint64_t *stime)
{
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	task_group_cputime_locked(t, utime, stime);
	spin_unlock_irqrestore(&tasklist_lock, f);
}
