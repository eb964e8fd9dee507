/* The run queue and the context switch: round robin over runnable tasks,
 * the idle task when there are none. One CPU, non-preemptible kernel: a
 * task gives up the CPU only in schedule() (sleeping, yielding, exiting, or
 * on the way back to user mode after the tick set need_resched). */
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

#include "../proc/proc_internal.h"
#include "sched_internal.h"

struct task *current;
volatile bool need_resched;
struct task *idle_task;
bool sched_running;

static LIST_HEAD(run_queue);
static unsigned rq_len;
/* Autoreaped tasks whose stacks are freed by the next schedule(). */
static LIST_HEAD(dead_tasks);

void wait_queue_init(struct wait_queue *wq)
{
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
	list_add_tail(&t->run_list, &run_queue);
	rq_len++;
}

void rq_dequeue(struct task *t)
{
	if (!on_run_queue(t))
		return;
	list_del(&t->run_list);
	rq_len--;
}

unsigned rq_nr_running(void)
{
	unsigned n = rq_len;
	if (current && current != idle_task && current->state == TASK_RUNNING)
		n++;
	return n;
}

unsigned sched_nr_running(void)
{
	irqflags_t f = hal_irq_save();
	unsigned n = rq_nr_running();
	hal_irq_restore(f);
	return n;
}

/* [sched(7)]: a new or woken task goes to the back of the queue. */
void sched_add(struct task *t)
{
	irqflags_t f = hal_irq_save();
	t->state = TASK_RUNNING;
	rq_enqueue(t);
	need_resched = true;
	hal_irq_restore(f);
}

/* The address space the MMU uses now. Tasks without an mm (the idle task,
 * kernel threads) borrow it; an mm is only freed after its last user
 * switched away from it (do_exit, execve), so the borrowed one stays valid. */
static struct mm *active_mm;

void sched_switch_mm(struct mm *mm)
{
	if (mm)
		mm_activate(mm);
	else
		hal_aspace_switch(NULL);
	active_mm = mm;
}

void sched_free_later(struct task *t)
{
	irqflags_t f = hal_irq_save();
	list_add_tail(&t->run_list, &dead_tasks);
	hal_irq_restore(f);
}

/* Free the autoreaped tasks that are not running any more. Called from
 * schedule() in process context; the task that is switching away for the
 * last time is still current and stays on the list. */
static void free_dead_tasks(void)
{
	struct task *t, *n;
	list_for_each_entry_safe(t, n, &dead_tasks, run_list) {
		if (t == current)
			continue;
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

void schedule(void)
{
	irqflags_t f = hal_irq_save();
	struct task *prev = current, *next;

	KASSERT(sched_running);
	free_dead_tasks();
	need_resched = false;
	if (prev->state == TASK_RUNNING && prev != idle_task) {
		list_add_tail(&prev->run_list, &run_queue);
		rq_len++;
	}
	if (!list_empty(&run_queue)) {
		next = list_first_entry(&run_queue, struct task, run_list);
		list_del(&next->run_list);
		rq_len--;
	} else {
		next = idle_task;
	}
	if (next != prev) {
		if (next->mm && next->mm != active_mm)
			sched_switch_mm(next->mm);
		current = next;
		/* Interrupts stay masked across the switch; the HAL restores
		 * next's own state. We resume here when switched back to. */
		hal_context_switch(&prev->ctx, &next->ctx);
	}
	hal_irq_restore(f);
}
