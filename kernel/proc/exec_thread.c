/* execve() in a multi-threaded process: [execve(2)] "All threads other
 * than the calling thread are destroyed during an execve()... If any of
 * the threads in a thread group performs an execve(), then all threads
 * other than the thread group leader are terminated, and the new program
 * is executed in the thread group leader" — which, if the caller was not
 * the leader, means the caller takes over the leader's pid. Linux
 * fs/exec.c de_thread(). */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "../sched/sched_internal.h"
#include "../signal/signal_internal.h"
#include "proc_internal.h"

/* t (current, not the leader) becomes the leader of its now single-thread
 * process; the old leader, a zombie nobody waits for, is freed.
 * tasklist_lock held. */
static void take_over_leader(struct task *t, struct task *leader)
{
	struct task *c, *n;
	int tid = t->tid;

	t->tid = leader->tid;
	leader->tid = tid; /* freed with the old leader */
	t->parent = leader->parent;
	t->exit_signal = leader->exit_signal;
	list_add_tail(&t->sibling, &leader->sibling);
	list_del(&leader->sibling);
	list_for_each_entry_safe(c, n, &leader->children, sibling) {
		list_del(&c->sibling);
		c->parent = t;
		list_add_tail(&c->sibling, &t->children);
	}
	t->itimer_real_deadline = leader->itimer_real_deadline;
	t->itimer_real_interval = leader->itimer_real_interval;
	t->itimer_virt_left = leader->itimer_virt_left;
	t->itimer_virt_interval = leader->itimer_virt_interval;
	t->itimer_prof_left = leader->itimer_prof_left;
	t->itimer_prof_interval = leader->itimer_prof_interval;
	if (!list_empty(&leader->itimer_node)) {
		list_add_tail(&t->itimer_node, &leader->itimer_node);
		list_del(&leader->itimer_node);
	}
	/* The process keeps the CPU time of the old leader and the rest. */
	t->dead_utime_ticks = leader->dead_utime_ticks + leader->utime_ticks;
	t->dead_stime_ticks = leader->dead_stime_ticks + leader->stime_ticks;
	list_del(&t->thread_node);
	list_del(&leader->thread_node);
	list_add_tail(&t->thread_node, &t->threads);
	t->group_leader = t;
	t->nr_live = 1;
	t->group_exiting = false;

	sched_set_state(leader, TASK_DEAD);
	task_unlink(leader);
	sched_free_later(leader);
}

int exec_de_thread(void)
{
	struct task *t = current, *leader = t->group_leader, *it;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	if (leader->nr_live == 1 && leader == t) {
		spin_unlock_irqrestore(&tasklist_lock, f);
		return 0;
	}
	if (leader->group_exiting) {
		spin_unlock_irqrestore(&tasklist_lock,
				       f); /* an exit_group won the race: we are dying */
		return -EAGAIN;
	}
	for_each_thread(leader, it) if (it != t) send_signal_locked(it, SIGKILL, NULL);
	while (leader->nr_live > 1)
		sched_sleep_locked(&leader->group_wq, &tasklist_lock, 0, false);
	if (t != leader)
		take_over_leader(t, leader);
	spin_unlock_irqrestore(&tasklist_lock, f);
	return 0;
}
