/* Sleeping locks (<kernel/mutex.h>). One CPU, non-preemptive core: the
 * owner test and the sleep happen with interrupts masked, so a wake-up
 * between them is not lost (sched_sleep() contract). */
#include <hal/cpu.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/task.h>

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	wait_queue_init(&m->wq);
	m->name = name;
}

static void take(struct mutex *m)
{
	m->owner = current;
#ifdef SVC_CONTAIN
	svc_note_lock(m);
#endif
}

void mutex_lock(struct mutex *m)
{
	irqflags_t f = hal_irq_save();

	if (m->owner == current)
		panic("mutex %s: taken twice by task %d", m->name ? m->name : "?",
		      current ? current->tid : 0);
	while (m->owner)
		sched_sleep(&m->wq, 0, false);
	take(m);
	hal_irq_restore(f);
}

bool mutex_trylock(struct mutex *m)
{
	irqflags_t f = hal_irq_save();
	bool ok = !m->owner;

	if (ok)
		take(m);
	hal_irq_restore(f);
	return ok;
}

static void release(struct mutex *m)
{
	m->owner = NULL;
	wake_up(&m->wq);
}

void mutex_unlock(struct mutex *m)
{
	irqflags_t f = hal_irq_save();

	if (m->owner != current)
		panic("mutex %s: released by task %d, not its owner", m->name ? m->name : "?",
		      current ? current->tid : 0);
#ifdef SVC_CONTAIN
	svc_note_unlock(m);
#endif
	release(m);
	hal_irq_restore(f);
}

void mutex_force_release(struct mutex *m)
{
	irqflags_t f = hal_irq_save();

	release(m);
	hal_irq_restore(f);
}
