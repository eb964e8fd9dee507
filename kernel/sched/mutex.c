/* Sleeping locks (<kernel/mutex.h>). m->lock (a spinlock) protects the
 * owner; the owner test and the queueing on m->wq happen under it, and
 * sched_sleep_locked() releases it only once the task is queued, so an
 * unlock on another CPU cannot slip in between and its wake-up is never
 * lost. Order: m->lock -> m->wq.lock -> sched_lock. */
#include <hal/cpu.h>
#include <kernel/lock_debug.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

void mutex_init(struct mutex *m, const char *name)
{
	spin_lock_init(&m->lock, "mutex.lock");
	m->owner = NULL;
	wait_queue_init(&m->wq);
	m->name = name;
}

/* m->lock held. */
static void take(struct mutex *m)
{
	m->owner = current;
#ifdef SVC_CONTAIN
	svc_note_lock(m);
#endif
}

void mutex_lock(struct mutex *m)
{
	irqflags_t f;

	lock_debug_might_sleep(m->name);
	f = spin_lock_irqsave(&m->lock);
	if (m->owner == current)
		panic("mutex %s: taken twice by task %d", m->name ? m->name : "?",
		      current ? current->tid : 0);
	while (m->owner)
		sched_sleep_locked(&m->wq, &m->lock, 0, false);
	take(m);
	spin_unlock_irqrestore(&m->lock, f);
	/* Checked outside m->lock, which every mutex shares a class with;
	 * &m->owner names the mutex (m itself is &m->lock). */
	lock_debug_acquire(&m->owner, m->name, true);
}

bool mutex_trylock(struct mutex *m)
{
	irqflags_t f = spin_lock_irqsave(&m->lock);
	bool ok = !m->owner;

	if (ok)
		take(m);
	spin_unlock_irqrestore(&m->lock, f);
	if (ok)
		lock_debug_acquire(&m->owner, m->name, true);
	return ok;
}

/* m->lock held. */
static void release(struct mutex *m)
{
	m->owner = NULL;
	wake_up(&m->wq);
}

void mutex_unlock(struct mutex *m)
{
	irqflags_t f;

	lock_debug_release(&m->owner);
	f = spin_lock_irqsave(&m->lock);

	if (m->owner != current)
		panic("mutex %s: released by task %d, not its owner", m->name ? m->name : "?",
		      current ? current->tid : 0);
#ifdef SVC_CONTAIN
	svc_note_unlock(m);
#endif
	release(m);
	spin_unlock_irqrestore(&m->lock, f);
}

void mutex_force_release(struct mutex *m)
{
	irqflags_t f;

	lock_debug_release(&m->owner);
	f = spin_lock_irqsave(&m->lock);

	release(m);
	spin_unlock_irqrestore(&m->lock, f);
}
