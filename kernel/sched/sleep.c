/* Sleeping and waking: wait queues, deadlines (checked by the tick, so a
 * timeout is honoured within one tick, 10 ms) and signal interruption.
 * Every function here may race with IRQ handlers that wake tasks, so all
 * list work happens with interrupts masked. */
#include <hal/cpu.h>
#include <hal/timer.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>

#include "sched_internal.h"

/* Sleepers with a deadline, earliest first. */
static LIST_HEAD(sleepers);

static void sleeper_insert(struct task *t)
{
	struct list_head *pos;
	list_for_each(pos, &sleepers) {
		struct task *o = list_entry(pos, struct task, sleep_list);
		if (o->wake_deadline_ns > t->wake_deadline_ns)
			break;
	}
	/* insert before pos (the first later deadline, or the head) */
	list_add_tail(&t->sleep_list, pos);
}

static bool is_sleeping(const struct task *t)
{
	return t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE;
}

bool sched_wake(struct task *t, int result, bool only_interruptible)
{
	irqflags_t f = hal_irq_save();
	bool woken = false;
	if (is_sleeping(t) && (!only_interruptible || t->state == TASK_INTERRUPTIBLE)) {
		list_del(&t->wait_list);
		list_del(&t->sleep_list);
		t->wake_result = result;
		t->state = TASK_RUNNING;
		rq_enqueue(t);
		need_resched = true;
		woken = true;
	}
	hal_irq_restore(f);
	return woken;
}

void sched_resume_stopped(struct task *t)
{
	irqflags_t f = hal_irq_save();
	if (t->state == TASK_STOPPED) {
		t->state = TASK_RUNNING;
		rq_enqueue(t);
		need_resched = true;
	}
	hal_irq_restore(f);
}

/* Contract in <kernel/sched.h>. A waker (wake_up, the tick, a signal)
 * stores the result in t->wake_result before making t runnable. */
int sched_sleep(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible)
{
	struct task *t = current;

	KASSERT(!hal_irq_enabled());
	KASSERT(t != idle_task);
	if (interruptible && signal_pending(t))
		return -EINTR;
	if (deadline_ns && hal_timer_now_ns() >= deadline_ns)
		return -ETIMEDOUT;

	t->state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	t->wake_result = 0;
	t->wake_deadline_ns = deadline_ns;
	if (wq)
		list_add_tail(&t->wait_list, &wq->waiters);
	if (deadline_ns)
		sleeper_insert(t);

	schedule();

	/* Woken: the waker already unlinked us; be safe if it did not. */
	list_del(&t->wait_list);
	list_del(&t->sleep_list);
	t->wake_deadline_ns = 0;
	t->state = TASK_RUNNING;
	return t->wake_result;
}

void add_wait_entry(struct wait_queue *wq, struct wait_entry *we)
{
	irqflags_t f = hal_irq_save();

	if (we->exclusive)
		list_add_tail(&we->link, &wq->callbacks);
	else
		list_add(&we->link, &wq->callbacks); /* non-exclusive first, as Linux */
	hal_irq_restore(f);
}

void remove_wait_entry(struct wait_entry *we)
{
	irqflags_t f = hal_irq_save();

	if (we->link.next) {
		list_del(&we->link);
		we->link.next = we->link.prev = NULL;
	}
	hal_irq_restore(f);
}

/* Contract in <kernel/wait.h>: callbacks may hook or unhook other entries
 * of other queues, and unhook themselves. */
static void wake_callbacks(struct wait_queue *wq)
{
	struct wait_entry *we, *n;
	bool exclusive_done = false;

	list_for_each_entry_safe(we, n, &wq->callbacks, link) {
		if (we->exclusive && exclusive_done)
			continue;
		if (we->func(we) && we->exclusive)
			exclusive_done = true;
	}
}

void wake_up(struct wait_queue *wq)
{
	irqflags_t f = hal_irq_save();
	if (wq->callbacks.next)
		wake_callbacks(wq);
	while (!list_empty(&wq->waiters)) {
		struct task *t = list_first_entry(&wq->waiters, struct task, wait_list);
		if (!sched_wake(t, 0, false))
			list_del(&t->wait_list); /* not sleeping: stale entry */
	}
	hal_irq_restore(f);
}

void wake_up_task(struct task *t)
{
	sched_wake(t, 0, false);
}

void sleepers_expire(uint64_t now_ns)
{
	while (!list_empty(&sleepers)) {
		struct task *t = list_first_entry(&sleepers, struct task, sleep_list);
		if (t->wake_deadline_ns > now_ns)
			break;
		if (!sched_wake(t, -ETIMEDOUT, false))
			list_del(&t->sleep_list);
	}
}
