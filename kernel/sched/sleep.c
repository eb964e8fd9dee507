/* Sleeping and waking: wait queues, deadlines (checked by the tick, so a
 * timeout is honoured within one tick, 10 ms) and signal interruption.
 *
 * Locks: a wait queue's waiter list is under wq->lock; a task's state, its
 * wake_result and the deadline-ordered sleeper list are under sched_lock
 * (core.c). Order: caller's lock -> wq->lock -> sched_lock. A waker never
 * touches a sleeper's wait_list except under that queue's lock; the
 * sleeper takes itself off its queue in finish_wait(). */
#include <hal/cpu.h>
#include <hal/timer.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "sched_internal.h"

/* Sleepers with a deadline, earliest first; under sched_lock. */
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

/* sched_lock held. */
static bool wake_locked(struct task *t, int result, bool only_interruptible)
{
	if (!is_sleeping(t) || (only_interruptible && t->state != TASK_INTERRUPTIBLE))
		return false;
	list_del(&t->sleep_list);
	t->wake_result = result;
	t->state = TASK_RUNNING;
	rq_enqueue(t); /* and tells the CPU it chose */
	return true;
}

bool sched_wake(struct task *t, int result, bool only_interruptible)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	bool woken = wake_locked(t, result, only_interruptible);

	spin_unlock_irqrestore(&sched_lock, f);
	return woken;
}

void sched_set_state(struct task *t, enum task_state state)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);

	t->state = state;
	spin_unlock_irqrestore(&sched_lock, f);
}

void sched_resume_stopped(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	if (t->state == TASK_STOPPED) {
		t->state = TASK_RUNNING;
		rq_enqueue(t);
	}
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Take current off the queue it was put on last, if any. */
static void wait_unlink(struct task *t)
{
	struct wait_queue *wq = t->wait_wq;

	if (!wq)
		return;
	spin_lock(&wq->lock);
	list_del(&t->wait_list);
	spin_unlock(&wq->lock);
	t->wait_wq = NULL;
}

void prepare_to_wait(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible)
{
	struct task *t = current;
	irqflags_t f = hal_irq_save();

	KASSERT(t != idle_task);
	/* A sleep nested in the test of another's condition (a poll method
	 * taking a mutex) moves the task to the new queue; the outer wait
	 * then sees a spurious wake-up and tests again. */
	if (t->wait_wq != wq)
		wait_unlink(t);
	if (wq) {
		spin_lock(&wq->lock);
		if (list_empty(&t->wait_list))
			list_add_tail(&t->wait_list, &wq->waiters);
		spin_unlock(&wq->lock);
		t->wait_wq = wq;
	}
	spin_lock(&sched_lock);
	list_del(&t->sleep_list);
	t->state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	t->wake_result = 0;
	t->wake_deadline_ns = deadline_ns;
	if (deadline_ns)
		sleeper_insert(t);
	spin_unlock(&sched_lock);
	hal_irq_restore(f);
}

/* Contract in <kernel/wait.h>. A waker (wake_up, the tick, a signal)
 * stores the result in t->wake_result before making t runnable; the signal
 * and deadline tests come after the state was set (prepare_to_wait), so a
 * signal sent in between finds t sleeping and wakes it. */
int sched_wait(void)
{
	struct task *t = current;
	irqflags_t f;
	int r = 0;

	lock_debug_might_sleep("sched_wait");
	f = spin_lock_irqsave(&sched_lock);
	if (is_sleeping(t)) {
		if (t->state == TASK_INTERRUPTIBLE && signal_pending(t))
			r = -EINTR;
		else if (t->wake_deadline_ns && hal_timer_now_ns() >= t->wake_deadline_ns)
			r = -ETIMEDOUT;
		if (r) {
			list_del(&t->sleep_list);
			t->state = TASK_RUNNING;
		} else {
			schedule_locked();
		}
	}
	if (!r)
		r = t->wake_result;
	spin_unlock_irqrestore(&sched_lock, f);
	return r;
}

void finish_wait(struct wait_queue *wq)
{
	struct task *t = current;
	irqflags_t f = hal_irq_save();

	(void)wq; /* t->wait_wq says which queue t is on (or NULL) */
	spin_lock(&sched_lock);
	list_del(&t->sleep_list);
	t->wake_deadline_ns = 0;
	t->state = TASK_RUNNING;
	spin_unlock(&sched_lock);
	wait_unlink(t);
	hal_irq_restore(f);
}

int sched_sleep(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible)
{
	int r;

	KASSERT(!hal_irq_enabled());
	prepare_to_wait(wq, deadline_ns, interruptible);
	r = sched_wait();
	finish_wait(wq);
	return r;
}

int sched_sleep_until(uint64_t deadline_ns, bool interruptible)
{
	int r;

	prepare_to_wait(NULL, deadline_ns, interruptible);
	r = sched_wait();
	finish_wait(NULL);
	return r;
}

int sched_sleep_locked(struct wait_queue *wq, spinlock_t *lock, uint64_t deadline_ns,
		       bool interruptible)
{
	int r;

	KASSERT(!hal_irq_enabled());
	prepare_to_wait(wq, deadline_ns, interruptible);
	spin_unlock(lock);
	r = sched_wait();
	finish_wait(wq);
	spin_lock(lock);
	return r;
}

int sched_sleep_mutex(struct wait_queue *wq, struct mutex *m, uint64_t deadline_ns,
		      bool interruptible)
{
	int r;

	prepare_to_wait(wq, deadline_ns, interruptible);
	mutex_unlock(m);
	r = sched_wait();
	finish_wait(wq);
	mutex_lock(m);
	return r;
}

void add_wait_entry(struct wait_queue *wq, struct wait_entry *we)
{
	irqflags_t f = spin_lock_irqsave(&wq->lock);

	if (we->exclusive)
		list_add_tail(&we->link, &wq->callbacks);
	else
		list_add(&we->link, &wq->callbacks); /* non-exclusive first, as Linux */
	we->wq = wq;
	spin_unlock_irqrestore(&wq->lock, f);
}

void remove_wait_entry(struct wait_entry *we)
{
	struct wait_queue *wq = we->wq;
	irqflags_t f;

	if (!wq)
		return;
	f = spin_lock_irqsave(&wq->lock);
	if (we->link.next) {
		list_del(&we->link);
		we->link.next = we->link.prev = NULL;
	}
	we->wq = NULL;
	spin_unlock_irqrestore(&wq->lock, f);
}

/* Contract in <kernel/wait.h>: wq->lock held; callbacks may hook or unhook
 * entries of other queues. */
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
	irqflags_t f = spin_lock_irqsave(&wq->lock);

	if (wq->callbacks.next)
		wake_callbacks(wq);
	while (!list_empty(&wq->waiters)) {
		struct task *t = list_first_entry(&wq->waiters, struct task, wait_list);

		/* Off the queue whether or not it still sleeps (a signal or
		 * its deadline may have woken it first); finish_wait() then
		 * finds nothing to unlink. */
		list_del(&t->wait_list);
		sched_wake(t, 0, false);
	}
	spin_unlock_irqrestore(&wq->lock, f);
}

void wake_up_task(struct task *t)
{
	sched_wake(t, 0, false);
}

void sleepers_expire(uint64_t now_ns)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);

	while (!list_empty(&sleepers)) {
		struct task *t = list_first_entry(&sleepers, struct task, sleep_list);
		if (t->wake_deadline_ns > now_ns)
			break;
		if (!wake_locked(t, -ETIMEDOUT, false))
			list_del(&t->sleep_list);
	}
	spin_unlock_irqrestore(&sched_lock, f);
}
