/* Priority-inheritance futexes [futex(2)] "Priority-inheritance futexes",
 * Linux Documentation/locking/pi-futex.rst, kernel/futex/pi.c.
 *
 * The word holds the owner's TID (FUTEX_TID_MASK), FUTEX_WAITERS while
 * tasks may be queued in the kernel and FUTEX_OWNER_DIED once an owner
 * died holding it (robust.c). User space takes a free lock with a
 * compare-and-swap 0 -> TID and comes here only when that fails.
 *
 * Ownership is handed over by the kernel: FUTEX_UNLOCK_PI writes the TID
 * of the first waiter (FIFO) with FUTEX_WAITERS into the word and wakes
 * it, so the woken task owns the lock without racing for it, as on Linux.
 *
 * Priority boosting is not done: the scheduler has no priorities yet
 * (every task is round-robin, sched_setscheduler() only records the
 * policy), so "inheriting" a waiter's priority would change nothing; the
 * FIFO hand-over bounds a waiter's wait by the owners ahead of it.
 * Deadlock detection is limited to a task locking a lock it owns
 * (-EDEADLK); Linux also walks chains of owners.
 *
 * Lock: the queues as in futex_internal.h (bucket locks). The word is
 * read and written with no lock held (a write may fault in a page), which
 * is safe only because nothing else runs between the read and the write
 * on one CPU in a non-preemptible kernel: before SMP these become
 * compare-and-swap loops on the word, and a waiter found under the bucket
 * lock must stay locked (or pinned) until it is handed the lock. */
#include <hal/cpu.h>
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "futex_internal.h"

/* Has the task with this tid exited (or never existed)? Linux
 * attach_to_pi_owner() gives -ESRCH for such an owner. */
static bool owner_gone(int tid)
{
	struct task *t = task_lookup(tid);
	bool gone = !t || t->state == TASK_ZOMBIE || t->state == TASK_DEAD;

	put_task(t);
	return gone;
}

/* The PI waiters on key now wait behind owner (so they are told if it
 * exits). The bucket lock of key held. */
static void set_pi_owner(paddr_t key, int owner)
{
	struct futex_waiter *w;
	list_for_each_entry(w, futex_bucket(key), node)
		if (w->key == key && w->pi)
			w->pi_owner = owner;
}

int futex_pi_handoff(uintptr_t uaddr, paddr_t key, uint32_t keep, uint32_t newval_if_none)
{
	struct futex_waiter *w;
	spinlock_t *lock = futex_bucket_lock(key);
	irqflags_t f = spin_lock_irqsave(lock);
	int r;

	w = futex_first_waiter(key, true);
	spin_unlock_irqrestore(lock, f);
	if (!w)
		return futex_put_value(uaddr, newval_if_none);
	r = futex_put_value(uaddr, (uint32_t)w->task->tid | FUTEX_WAITERS | keep);
	if (r)
		return r;
	f = spin_lock_irqsave(lock);
	futex_wake_waiter(w, FW_OWNER);
	set_pi_owner(key, w->task->tid);
	spin_unlock_irqrestore(lock, f);
	return 0;
}

void futex_pi_owner_exit(int tid)
{
	struct futex_waiter *w, *n;

	for (unsigned b = 0; b < FUTEX_NR_BUCKETS; b++) {
		irqflags_t f = spin_lock_irqsave(futex_bucket_lock_nr(b));

		list_for_each_entry_safe(w, n, futex_bucket_nr(b), node)
			if (w->pi && w->pi_owner == tid)
				futex_wake_waiter(w, FW_RETRY);
		spin_unlock_irqrestore(futex_bucket_lock_nr(b), f);
	}
}

/* Take the lock at uaddr for current, sleeping behind its owner unless
 * trylock. takeover: we were queued behind an owner that has exited since
 * (FW_RETRY), so a dead owner's lock is ours (Linux hands the rt_mutex to
 * the top waiter in exit_pi_state_list()). */
static long lock_pi(uintptr_t uaddr, uint64_t deadline, bool trylock, bool takeover)
{
	int me = current->tid;

	for (;;) {
		struct futex_waiter w = { 0 };
		enum futex_wake_state s;
		uint32_t val, owner, nv;
		irqflags_t f;
		int r;

		r = futex_get_value(uaddr, &val);
		if (r)
			return r;
		w.key = futex_key(current->mm, uaddr);
		if (!w.key)
			return -EFAULT;
		owner = val & FUTEX_TID_MASK;
		if (owner == (uint32_t)me)
			return -EDEADLK;
		if (!owner || (takeover && owner_gone((int)owner))) {
			nv = (val & FUTEX_OWNER_DIED) | (uint32_t)me;
			f = spin_lock_irqsave(futex_bucket_lock(w.key));
			if (futex_first_waiter(w.key, true))
				nv |= FUTEX_WAITERS;
			spin_unlock_irqrestore(futex_bucket_lock(w.key), f);
			return futex_put_value(uaddr, nv);
		}
		if (owner_gone((int)owner))
			return -ESRCH;
		if (trylock)
			return -EAGAIN; /* EWOULDBLOCK */
		if (!(val & FUTEX_WAITERS) && futex_put_value(uaddr, val | FUTEX_WAITERS))
			return -EFAULT;
		w.pi = true;
		w.pi_owner = (int)owner;
		w.bitset = FUTEX_BITSET_MATCH_ANY;
		f = spin_lock_irqsave(futex_bucket_lock(w.key));
		s = futex_queue_sleep(&w, deadline, &r);
		spin_unlock_irqrestore(w.lock, f);
		if (s == FW_OWNER)
			return 0;
		if (s == FW_RETRY) {
			takeover = true;
			continue;
		}
		/* A signal: the handler runs, then the lock is tried again
		 * (Linux returns -ERESTARTNOINTR: never EINTR). */
		return r == -EINTR ? -ERESTARTNOINTR : r;
	}
}

long futex_lock_pi(uintptr_t uaddr, uint64_t deadline, bool trylock)
{
	return lock_pi(uaddr, deadline, trylock, false);
}

/* Only the owner may unlock (-EPERM); the lock goes to the first waiter,
 * else the word becomes 0 (FUTEX_OWNER_DIED is cleared too). */
long futex_unlock_pi(uintptr_t uaddr)
{
	uint32_t val;
	paddr_t key;
	int r;

	r = futex_get_value(uaddr, &val);
	if (r)
		return r;
	if ((val & FUTEX_TID_MASK) != (uint32_t)current->tid)
		return -EPERM;
	key = futex_key(current->mm, uaddr);
	if (!key)
		return -EFAULT;
	return futex_pi_handoff(uaddr, key, 0, 0);
}

/* FUTEX_WAIT_REQUEUE_PI: wait on the plain futex uaddr (a condition
 * variable) for FUTEX_CMP_REQUEUE_PI to move us to the PI futex uaddr2;
 * returns 0 owning uaddr2. -EAGAIN if *uaddr != val or if a plain
 * FUTEX_WAKE on uaddr woke us first; -EINVAL if uaddr == uaddr2. */
long futex_wait_requeue_pi(uintptr_t uaddr, uint32_t val, uint64_t deadline, uintptr_t uaddr2)
{
	struct futex_waiter w = { 0 };
	enum futex_wake_state s;
	uint32_t cur;
	irqflags_t f;
	int r;

	if (uaddr == uaddr2)
		return -EINVAL;
	r = futex_get_value(uaddr2, &cur);
	if (r)
		return r;
	r = futex_get_value(uaddr, &cur);
	if (r)
		return r;
	if (cur != val)
		return -EAGAIN;
	w.key = futex_key(current->mm, uaddr);
	w.requeue_pi_key = futex_key(current->mm, uaddr2);
	if (!w.key || !w.requeue_pi_key)
		return -EFAULT;
	w.bitset = FUTEX_BITSET_MATCH_ANY;
	f = spin_lock_irqsave(futex_bucket_lock(w.key));
	s = futex_queue_sleep(&w, deadline, &r);
	spin_unlock_irqrestore(w.lock, f);
	switch (s) {
	case FW_OWNER: return 0;
	case FW_WOKEN: return -EAGAIN;
	case FW_RETRY: return lock_pi(uaddr2, deadline, false, true);
	default:
		if (r == -EINTR)
			/* Requeued already: Linux gives -EWOULDBLOCK rather
			 * than restart a wait on a changed word. */
			return w.pi ? -EAGAIN : -ERESTARTNOINTR;
		return r;
	}
}

/* FUTEX_CMP_REQUEUE_PI: if *uaddr == val3, try to take uaddr2 for the
 * first waiter (it wakes owning it), then move up to nr_requeue waiters
 * behind uaddr2's owner. nr_wake must be 1 [futex(2)]. Returns how many
 * were woken or moved. */
long futex_cmp_requeue_pi(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake, int nr_requeue,
			  uint32_t val3)
{
	struct futex_waiter *w, *n;
	uint32_t cur, val2, owner;
	paddr_t key, key2;
	irqflags_t f;
	long done = 0;
	int r;

	if (nr_wake < 0 || nr_requeue < 0 || uaddr == uaddr2 || nr_wake != 1)
		return -EINVAL;
	r = futex_get_value(uaddr2, &val2);
	if (r)
		return r;
	r = futex_get_value(uaddr, &cur);
	if (r)
		return r;
	if (cur != val3)
		return -EAGAIN;
	key = futex_key(current->mm, uaddr);
	key2 = futex_key(current->mm, uaddr2);
	if (!key || !key2)
		return -EFAULT;

	/* The top waiter takes uaddr2 if it is free (Linux
	 * futex_proxy_trylock_atomic()). */
	f = spin_lock_irqsave(futex_bucket_lock(key));
	w = futex_first_waiter(key, false);
	spin_unlock_irqrestore(futex_bucket_lock(key), f);
	if (!w)
		return 0;
	if (w->requeue_pi_key != key2)
		return -EINVAL;
	owner = val2 & FUTEX_TID_MASK;
	if (owner == (uint32_t)w->task->tid)
		return -EDEADLK;
	if (!owner) {
		r = futex_put_value(uaddr2, (val2 & FUTEX_OWNER_DIED) | FUTEX_WAITERS |
						    (uint32_t)w->task->tid);
		if (r)
			return r;
		f = futex_lock_pair(key, key2);
		futex_wake_waiter(w, FW_OWNER);
		set_pi_owner(key2, w->task->tid);
		futex_unlock_pair(key, key2, f);
		done = 1;
		owner = (uint32_t)w->task->tid;
		val2 = (uint32_t)w->task->tid | FUTEX_WAITERS;
	} else if (owner_gone((int)owner)) {
		return -ESRCH;
	}
	if (nr_requeue > 0 && !(val2 & FUTEX_WAITERS) &&
	    futex_put_value(uaddr2, val2 | FUTEX_WAITERS))
		return -EFAULT;

	f = futex_lock_pair(key, key2);
	list_for_each_entry_safe(w, n, futex_bucket(key), node) {
		if (done - 1 >= nr_requeue)
			break;
		if (w->key != key || w->pi)
			continue;
		if (w->requeue_pi_key != key2) {
			r = -EINVAL;
			break;
		}
		list_del(&w->node);
		w->key = key2;
		w->pi = true;
		w->pi_owner = (int)owner;
		__atomic_store_n(&w->lock, futex_bucket_lock(key2), __ATOMIC_RELEASE);
		list_add_tail(&w->node, futex_bucket(key2));
		done++;
	}
	futex_unlock_pair(key, key2, f);
	return r < 0 ? r : done;
}
