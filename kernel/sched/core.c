/* The run queue and the context switch: round robin over runnable tasks,
 * the idle task when there are none. Non-preemptible kernel: a task gives
 * up the CPU only in schedule() (sleeping, yielding, exiting, or on the way
 * back to user mode after the tick set need_resched).
 *
 * sched_lock (irqsave; taken last, after any wait-queue or subsystem lock)
 * protects: every CPU's run queue (struct percpu runq, nr_queued), every
 * task's state / wake_result /
 * wake_deadline_ns / run_list / sleep_list, the sleeper list (sleep.c), the
 * dead-task list, and the tick's accounting (tick.c). */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <hal/recover.h>
#include <hal/timer.h>
#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "../proc/proc_internal.h"
#include "sched_internal.h"

bool sched_running;

DEFINE_SPINLOCK(sched_lock);

/* Autoreaped tasks whose stacks are freed by the next schedule(). */
static LIST_HEAD(dead_tasks);

void wait_queue_init(struct wait_queue *wq)
{
	spin_lock_init(&wq->lock, "wait_queue");
	list_init(&wq->waiters);
	list_init(&wq->callbacks);
}

uint64_t sched_clock_ns(void)
{
	return hal_timer_now_ns();
}

static bool on_run_queue(const struct task *t)
{
	return !list_empty(&t->run_list);
}

void rq_enqueue(struct task *t)
{
	if (t == current || t == idle_task || on_run_queue(t))
		return;
	list_add_tail(&t->run_list, &this_cpu()->runq);
	this_cpu()->nr_queued++;
}

void rq_dequeue(struct task *t)
{
	if (!on_run_queue(t))
		return;
	list_del(&t->run_list);
	this_cpu()->nr_queued--;
}

unsigned rq_nr_running(void)
{
	unsigned n = this_cpu()->nr_queued;
	if (current && current != idle_task && current->state == TASK_RUNNING)
		n++;
	return n;
}

unsigned sched_nr_running(void)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	unsigned n = rq_nr_running();

	spin_unlock_irqrestore(&sched_lock, f);
	return n;
}

/* [sched(7)]: a new or woken task goes to the back of the queue. */
void sched_add(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	t->state = TASK_RUNNING;
	rq_enqueue(t);
	need_resched = true;
	spin_unlock_irqrestore(&sched_lock, f);
}

/* struct percpu.active_mm: the address space the MMU uses now. Tasks
 * without an mm (the idle task, kernel threads) borrow it; an mm is only
 * freed after its last user switched away from it (do_exit, execve), so
 * the borrowed one stays valid. */

void sched_switch_mm(struct mm *mm)
{
	if (mm)
		mm_activate(mm);
	else
		hal_aspace_switch(NULL);
	this_cpu()->active_mm = mm;
}

void sched_free_later(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	list_add_tail(&t->run_list, &dead_tasks);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Free the autoreaped tasks that are not running any more. Called from
 * schedule() in process context, without sched_lock (task_free() takes
 * the allocators' locks); the task that is switching away for the last
 * time is still current and stays on the list. */
static void free_dead_tasks(void)
{
	struct task *t, *n;
	LIST_HEAD(gone);
	irqflags_t f = spin_lock_irqsave(&sched_lock);

	list_for_each_entry_safe(t, n, &dead_tasks, run_list) {
		if (t == current)
			continue;
		list_del(&t->run_list);
		list_add_tail(&t->run_list, &gone);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	list_for_each_entry_safe(t, n, &gone, run_list) {
		list_del(&t->run_list);
		task_free(t);
	}
}

void cond_resched(void)
{
	if (!need_resched || !sched_running || current == idle_task ||
	    current->state != TASK_RUNNING || !hal_irq_enabled() || hal_in_irq())
		return;
	schedule();
}

void schedule_locked(void)
{
	struct percpu *cpu = this_cpu();
	struct task *prev = cpu->curr, *next;

	KASSERT(sched_running);
	KASSERT(!hal_irq_enabled());
	cpu->resched = false;
	if (prev->state == TASK_RUNNING && prev != cpu->idle) {
		list_add_tail(&prev->run_list, &cpu->runq);
		cpu->nr_queued++;
	}
	if (!list_empty(&cpu->runq)) {
		next = list_first_entry(&cpu->runq, struct task, run_list);
		list_del(&next->run_list);
		cpu->nr_queued--;
	} else {
		next = cpu->idle;
	}
	if (next != prev) {
		if (next->mm && next->mm != cpu->active_mm)
			sched_switch_mm(next->mm);
		cpu->curr = next;
		cpu->stats.switches++;
		/* Interrupts stay masked across the switch; the HAL restores
		 * next's own state. sched_lock is not held across it (a new
		 * task starts in its entry function without it): with one
		 * CPU, masked interrupts keep prev's half-saved context from
		 * being picked. Before another CPU may run tasks, prev must
		 * stay unpickable until its context is saved (Linux's
		 * p->on_cpu handoff in finish_task_switch()). */
		spin_unlock(&sched_lock);
		lock_debug_switch();
		hal_context_switch(&prev->ctx, &next->ctx);
		/* We resume here when switched back to. */
		spin_lock(&sched_lock);
	}
}

void schedule(void)
{
	irqflags_t f;

	free_dead_tasks();
	lock_debug_might_sleep("schedule");
	f = spin_lock_irqsave(&sched_lock);
	schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}
