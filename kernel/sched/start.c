/* Scheduler bring-up: the idle task (pid 0, "swapper") and the switch from
 * the boot stack to PID 1. */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/timer.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>
#include <string.h>

#include "../proc/proc_internal.h"
#include "sched_internal.h"

/* Runs when the run queue is empty: wait for an interrupt with the queue
 * checked under masked interrupts (hal_cpu_idle enables them atomically
 * with the wait, so a wake-up cannot slip in between), then reschedule. */
static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&sched_lock);
		bool empty = rq_nr_running() == 0;

		/* Drop the lock, keep interrupts masked: a wake-up comes from
		 * an interrupt on this CPU, which hal_cpu_idle() lets in. */
		spin_unlock(&sched_lock);
		if (empty)
			hal_cpu_idle();
		hal_irq_restore(f);
		schedule();
	}
}

struct task *sched_make_idle(unsigned cpu)
{
	struct task *t = task_alloc();

	if (!t)
		return NULL;
	t->tid = t->tgid = 0;
	snprintf(t->comm, sizeof t->comm, "swapper/%u", cpu);
	hal_context_init(&t->ctx, task_kstack_top(t), idle_loop, NULL);
	return t;
}

void sched_init(void)
{
	struct task *t = sched_make_idle(0);

	if (!t)
		panic("sched_init: no memory for the idle task");
	this_cpu()->idle = t;
	/* Until sched_start(), boot code runs "as" the idle task: current is
	 * never NULL, has no mm, files or fs, and may not sleep. */
	this_cpu()->curr = t;
}

__noreturn void sched_start(void (*init_fn)(void *), void *arg)
{
	static struct hal_context boot_ctx; /* written once, never resumed */
	struct task *init;
	int r;

	KASSERT(idle_task);
	init = kthread_create("init", init_fn, arg);
	if (!init)
		panic("sched_start: cannot create PID 1");
	KASSERT(init->tid == 1);
	init->pgid = init->sid = 1;
	init->sig_unkillable = true; /* [kill(2)]: init only gets signals it handles */
	init_task = init;

	hal_irq_disable();
	r = hal_timer_start_tick(SCHED_HZ);
	if (r)
		printk("sched: no timer tick (%d): no time slices, no timeouts\n", r);
	sched_running = true;
	init->state = TASK_RUNNING;
	this_cpu()->curr = init;
	hal_context_switch(&boot_ctx, &init->ctx);
	panic("sched_start: the boot context was resumed");
}
