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

/* Runs when this CPU has nothing to run: wait for an interrupt with its
 * queue checked under masked interrupts (hal_cpu_idle enables them
 * atomically with the wait, so a wake-up cannot slip in between), then
 * reschedule. The check takes no lock: a task queued here comes with
 * need_resched and, from another CPU, a reschedule IPI (rq_kick()), which
 * ends the wait. Work to steal from other CPUs is looked for by
 * schedule() after every wake-up, the tick (which sets need_resched) at
 * the latest: idle CPUs do not spin on sched_lock. */
static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		irqflags_t f = hal_irq_save();

		if (!need_resched && !__atomic_load_n(&this_cpu()->nr_queued, __ATOMIC_RELAXED))
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
	t->cpu = cpu;
	t->cpus_allowed = 1UL << cpu;
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
	t->on_cpu = 1;
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
	init->cpu = 0;
	init->on_cpu = 1;
	idle_task->on_cpu = 0;
	this_cpu()->curr = init;
	hal_context_switch(&boot_ctx, &init->ctx, NULL);
	panic("sched_start: the boot context was resumed");
}

__noreturn void sched_ap_run(void)
{
	struct hal_context boot_ctx; /* on this CPU's boot stack, never resumed */
	struct percpu *cpu = this_cpu();

	KASSERT(sched_smp && cpu && cpu->idle);
	hal_irq_disable();
	spin_lock(&sched_lock);
	cpu->idle->on_cpu = 1;
	cpu->curr = cpu->idle;
	sched_cpu_activate(cpu->cpu);
	spin_unlock(&sched_lock);
	hal_context_switch(&boot_ctx, &cpu->idle->ctx, NULL);
	panic("sched_ap_run: the boot context was resumed");
}
