/* Process termination: [_exit(2)], [exit_group(2)]; Linux kernel/exit.c
 * do_exit(). A dead task keeps its struct and kernel stack as a zombie
 * until its parent reaps it with wait4/waitid, or, if the parent said it
 * will not wait (SIGCHLD ignored / SA_NOCLDWAIT), is freed right after it
 * switched away for the last time. */
#include <hal/cpu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/ipc.h>
#include <kernel/fdtable.h>
#include <kernel/futex.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "../sched/sched_internal.h"
#include "../signal/signal_internal.h"
#include "proc_internal.h"

/* [set_tid_address(2)], [clone(2)] CLONE_CHILD_CLEARTID: on exit, if the
 * memory is shared with someone (another thread, a vfork parent), write 0
 * at clear_child_tid and wake one futex waiter there (pthread_join). */
void clear_child_tid(struct task *t)
{
	uint32_t zero = 0;
	if (t->clear_child_tid && t->mm && mm_users(t->mm) > 1 &&
	    !copy_to_user(t->clear_child_tid, &zero, sizeof zero))
		futex_wake(t->mm, t->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
	t->clear_child_tid = 0;
}

/* Who adopts the children of t: the nearest live ancestor that made itself
 * a child subreaper, else init. [prctl(2)] PR_SET_CHILD_SUBREAPER; Linux
 * find_new_reaper(). */
static struct task *find_reaper(struct task *t)
{
	struct task *a;
	for (a = t->parent; a && a != init_task; a = a->parent)
		if (a->child_subreaper && a->nr_live > 0 && !a->group_exiting)
			return a;
	return init_task;
}

/* Give t's children to their new reaper; zombies among them are announced
 * to it (or freed at once if it does not wait). tasklist_lock held. */
static void reparent_children(struct task *t)
{
	struct task *c, *n, *reaper = find_reaper(t);
	list_for_each_entry_safe(c, n, &t->children, sibling) {
		list_del(&c->sibling);
		c->parent = reaper;
		list_add_tail(&c->sibling, &reaper->children);
		if (c->pdeath_signal)
			send_group_signal_locked(c, c->pdeath_signal, NULL);
		if (c->state == TASK_ZOMBIE && c->nr_live == 0 && notify_parent_exit(c))
			task_release(c);
	}
}

/* The last thread of leader's process has exited: the process is a zombie
 * now, announced to its parent (or freed at once if the parent will not
 * wait). tasklist_lock held. */
static void process_exit(struct task *leader)
{
	if (leader->group_exiting)
		leader->exit_status = leader->group_exit_status;
	itimer_exit(leader);
	posix_timers_exit(leader);
	pidfd_task_exit(leader);
	reparent_children(leader);
	if (notify_parent_exit(leader)) {
		sched_set_state(leader, TASK_DEAD);
		task_unlink(leader);
		sched_free_later(leader);
	}
}

__noreturn void do_exit(int status)
{
	struct task *t = current, *leader = t->group_leader;
	irqflags_t f;

	if (leader == init_task && leader->nr_live == 1)
		panic("Attempted to kill init! exitcode=0x%08x", (unsigned)status);
	KASSERT(t != idle_task);

	futex_exit_release();
	clear_child_tid(t);
	vfork_release(t);
	if (leader->nr_live == 1)
		sem_exit_undo(t->tgid); /* the process's SEM_UNDO adjustments */
	/* Cleared under alloc_lock so /proc readers (get_task_files() ...)
	 * either get a reference first or see NULL. */
	spin_lock(&t->alloc_lock);
	struct files *files = t->files;
	struct fs_struct *fs = t->fs;
	struct mm *mm = t->mm;
	t->files = NULL;
	t->fs = NULL;
	t->mm = NULL;
	spin_unlock(&t->alloc_lock);
	if (files)
		files_put(files);
	if (fs)
		fs_put(fs);
	if (mm) {
		sched_switch_mm(NULL);
		mm_put(mm);
	}
	t->exit_status = status;

	/* Interrupts stay masked from here on (f is never restored: we
	 * switch away for good), so on one CPU nobody frees t before the
	 * switch. */
	f = spin_lock_irqsave(&tasklist_lock);
	(void)f;
	leader->nr_live--;
	if (t == leader) {
		/* A leader whose threads live on stays a zombie nobody can
		 * reap until the last of them exits (Linux delay_group_leader). */
		sched_set_state(t, TASK_ZOMBIE);
	} else {
		/* Another thread: nobody waits for it. Its CPU time stays the
		 * process's (CLOCK_PROCESS_CPUTIME_ID, getrusage). */
		leader->dead_utime_ticks += t->utime_ticks;
		leader->dead_stime_ticks += t->stime_ticks;
		sched_set_state(t, TASK_DEAD);
		task_unlink(t);
		list_del(&t->thread_node);
		sched_free_later(t);
	}
	wake_up(&leader->group_wq);
	if (leader->nr_live == 0)
		process_exit(leader);
	spin_unlock(&tasklist_lock);
	futex_pi_owner_exit(t->tid); /* t is a zombie or dead now: waiters may take over */
	schedule();
	panic("do_exit: dead task %d was scheduled again", t->tid);
}

__noreturn void do_group_exit(int status)
{
	struct task *t = current, *leader = t->group_leader, *it;
	irqflags_t f = spin_lock_irqsave(&tasklist_lock);

	if (leader->group_exiting) {
		status = leader->group_exit_status; /* another thread got here first */
	} else {
		leader->group_exiting = true;
		leader->group_exit_status = status;
		for_each_thread(leader, it) if (it != t) send_signal_locked(it, SIGKILL, NULL);
	}
	spin_unlock_irqrestore(&tasklist_lock, f);
	do_exit(status);
}

/* [_exit(2)] as the raw syscall: ends the calling thread only. */
SYSCALL_DEFINE1(exit, int, code)
{
	do_exit(W_EXITCODE(code, 0));
}

/* [exit_group(2)]: ends every thread of the process. */
SYSCALL_DEFINE1(exit_group, int, code)
{
	do_group_exit(W_EXITCODE(code, 0));
}
