/* Per-CPU state (<kernel/percpu.h>): one struct percpu per possible CPU,
 * installed in each CPU's per-CPU register. */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

#include "sched_internal.h"

/* Written by each CPU for itself (online once, by percpu_init_*()). */
static struct percpu percpu_area[KEVLAR_MAX_CPUS];
/* Serialises CPUs coming online (percpu_area[].online). */
static DEFINE_SPINLOCK(percpu_online_lock);

struct percpu *percpu_of(unsigned cpu)
{
	KASSERT(cpu < KEVLAR_MAX_CPUS);
	return &percpu_area[cpu];
}

static void percpu_setup(struct percpu *c, unsigned cpu)
{
	c->cpu = cpu;
	list_init(&c->runq);
	c->online = true;
	hal_percpu_set(c);
}

void percpu_init_boot(void)
{
	percpu_setup(&percpu_area[0], 0);
}

int percpu_init_secondary(unsigned cpu)
{
	struct percpu *c;
	struct task *idle;
	irqflags_t f;

	if (cpu == 0 || cpu >= KEVLAR_MAX_CPUS)
		return -EINVAL;
	c = &percpu_area[cpu];
	f = spin_lock_irqsave(&percpu_online_lock);
	if (c->online) {
		spin_unlock_irqrestore(&percpu_online_lock, f);
		return -EINVAL;
	}
	c->online = true; /* claimed */
	spin_unlock_irqrestore(&percpu_online_lock, f);
	percpu_setup(c, cpu); /* current reads NULL until the idle task */
	idle = sched_make_idle(cpu);
	if (!idle) {
		hal_percpu_set(NULL);
		c->online = false;
		return -ENOMEM;
	}
	c->idle = idle;
	c->curr = idle;
	return 0;
}
