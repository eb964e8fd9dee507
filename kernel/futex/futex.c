/* [futex(2)]: FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
 * FUTEX_WAKE_OP, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, with or without
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME; the priority-inheritance
 * operations are in pi.c, the robust lists in robust.c. Linux
 * kernel/futex/{syscalls,core,waitwake,requeue}.c.
 *
 * Waiters are kept in hash buckets keyed by the physical address of the
 * futex word (<kernel/futex.h>); locking: futex_internal.h.
 *
 * An interrupted wait returns -ERESTARTSYS: restarted after a handler
 * with SA_RESTART (the C libraries retry on EINTR anyway); a relative
 * timeout then starts over in full. */
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <hal/usercopy.h>
#include <kernel/errno.h>
#include <kernel/futex.h>
#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/spinlock.h>

#include "futex_internal.h"

/* lock protects waiters (futex_internal.h says what else). */
struct futex_hash_bucket {
	spinlock_t lock;
	struct list_head waiters;
};
static struct futex_hash_bucket buckets[FUTEX_NR_BUCKETS];
/* Protects the one-time set-up of the buckets (buckets_ready). */
static DEFINE_SPINLOCK(buckets_init_lock);
static bool buckets_ready;

static struct futex_hash_bucket *bucket_nr(unsigned i)
{
	if (!__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE)) {
		irqflags_t f = spin_lock_irqsave(&buckets_init_lock);

		if (!buckets_ready) {
			for (unsigned b = 0; b < FUTEX_NR_BUCKETS; b++) {
				spin_lock_init(&buckets[b].lock, "futex_bucket.lock");
				list_init(&buckets[b].waiters);
			}
			__atomic_store_n(&buckets_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&buckets_init_lock, f);
	}
	return &buckets[i];
}

static unsigned bucket_index(paddr_t key)
{
	return (unsigned)((key >> 2) % FUTEX_NR_BUCKETS);
}

struct list_head *futex_bucket_nr(unsigned i)
{
	return &bucket_nr(i)->waiters;
}

spinlock_t *futex_bucket_lock_nr(unsigned i)
{
	return &bucket_nr(i)->lock;
}

struct list_head *futex_bucket(paddr_t key)
{
	return futex_bucket_nr(bucket_index(key));
}

spinlock_t *futex_bucket_lock(paddr_t key)
{
	return futex_bucket_lock_nr(bucket_index(key));
}

irqflags_t futex_lock_pair(paddr_t key, paddr_t key2)
{
	unsigned a = bucket_index(key), b = bucket_index(key2);
	irqflags_t f = hal_irq_save();

	if (a > b) {
		unsigned t = a;
		a = b;
		b = t;
	}
	spin_lock(futex_bucket_lock_nr(a));
	if (b != a)
		spin_lock(futex_bucket_lock_nr(b));
	return f;
}

void futex_unlock_pair(paddr_t key, paddr_t key2, irqflags_t f)
{
	unsigned a = bucket_index(key), b = bucket_index(key2);

	if (a > b) {
		unsigned t = a;
		a = b;
		b = t;
	}
	if (b != a)
		spin_unlock(futex_bucket_lock_nr(b));
	spin_unlock(futex_bucket_lock_nr(a));
	hal_irq_restore(f);
}

uint32_t futex_word_at(paddr_t key)
{
	return __atomic_load_n((const uint32_t *)hal_phys_to_virt(key), __ATOMIC_ACQUIRE);
}

paddr_t futex_key(struct mm *mm, uintptr_t uaddr)
{
	paddr_t pa;
	unsigned prot;

	if (!mm || !hal_query_page(mm->as, PAGE_ALIGN_DOWN(uaddr), &pa, &prot))
		return 0;
	return pa + (uaddr & (PAGE_SIZE - 1));
}

int futex_get_value(uintptr_t uaddr, uint32_t *val)
{
	if (uaddr & 3)
		return -EINVAL;
	return copy_from_user(val, uaddr, sizeof *val) ? -EFAULT : 0;
}

int futex_put_value(uintptr_t uaddr, uint32_t val)
{
	return copy_to_user(uaddr, &val, sizeof val) ? -EFAULT : 0;
}

void futex_wake_waiter(struct futex_waiter *w, enum futex_wake_state s)
{
	list_del(&w->node);
	w->state = s;
	wake_up(&w->wq);
}

struct futex_waiter *futex_first_waiter(paddr_t key, bool pi)
{
	struct futex_waiter *w;
	list_for_each_entry(w, futex_bucket(key), node)
		if (w->key == key && (!pi || w->pi))
			return w;
	return NULL;
}

/* Linux futex_wake(): the count is checked after each wake-up, so 0 and
 * negative counts wake one waiter; a PI waiter, or one waiting to be
 * requeued to a PI futex, is not for FUTEX_WAKE (-EINVAL). */
int futex_wake_key(paddr_t key, int nr, uint32_t bitset)
{
	struct futex_waiter *w, *n;
	int woken = 0;

	list_for_each_entry_safe(w, n, futex_bucket(key), node) {
		if (w->key != key)
			continue;
		if (w->pi || w->requeue_pi_key)
			return -EINVAL;
		if (!(w->bitset & bitset))
			continue;
		futex_wake_waiter(w, FW_WOKEN);
		if (++woken >= nr)
			break;
	}
	return woken;
}

int futex_wake(struct mm *mm, uintptr_t uaddr, int nr, uint32_t bitset)
{
	paddr_t key = futex_key(mm, uaddr);
	irqflags_t f;
	int n;

	if (!key)
		return 0;
	f = spin_lock_irqsave(futex_bucket_lock(key));
	n = futex_wake_key(key, nr, bitset);
	spin_unlock_irqrestore(futex_bucket_lock(key), f);
	return n;
}

enum futex_wake_state futex_queue_sleep(struct futex_waiter *w, uint64_t deadline, int *err)
{
	w->state = FW_WAITING;
	w->task = current;
	w->lock = futex_bucket_lock(w->key);
	wait_queue_init(&w->wq);
	list_add_tail(&w->node, futex_bucket(w->key));
	*err = 0;
	for (;;) {
		int s;

		prepare_to_wait(&w->wq, deadline, true);
		spin_unlock(w->lock);
		s = sched_wait();
		finish_wait(&w->wq);
		/* A requeue may have moved w to another bucket meanwhile:
		 * take the lock w names once it stops changing. */
		for (;;) {
			spinlock_t *l = __atomic_load_n(&w->lock, __ATOMIC_ACQUIRE);

			spin_lock(l);
			if (l == w->lock)
				break;
			spin_unlock(l);
		}
		if (w->state != FW_WAITING)
			return w->state;
		if (s == -ETIMEDOUT || s == -EINTR) {
			list_del(&w->node);
			*err = s;
			return FW_WAITING;
		}
	}
}

/* Sleep on uaddr while it holds val, until woken, deadline (monotonic ns,
 * 0 = none) or a signal. 0, -EAGAIN (value differs), -ETIMEDOUT,
 * -ERESTARTSYS, -EFAULT, -EINVAL. */
static long futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { 0 };
	uint32_t cur;
	irqflags_t f;
	int r;

	if (!bitset)
		return -EINVAL;
	r = futex_get_value(uaddr, &cur);
	if (r)
		return r;
	if (cur != val)
		return -EAGAIN;
	w.key = futex_key(current->mm, uaddr);
	if (!w.key)
		return -EFAULT;
	w.bitset = bitset;
	f = spin_lock_irqsave(futex_bucket_lock(w.key));
	/* Again under the bucket lock: a waker that changed the word before
	 * we queue would otherwise be missed (Linux futex_wait_setup()). */
	if (futex_word_at(w.key) != val) {
		spin_unlock_irqrestore(futex_bucket_lock(w.key), f);
		return -EAGAIN;
	}
	futex_queue_sleep(&w, deadline, &r);
	spin_unlock_irqrestore(w.lock, f);
	return r == -EINTR ? -ERESTARTSYS : r;
}

/* Move up to nr_requeue waiters of uaddr (after waking nr_wake) to
 * uaddr2. With cmp, only if *uaddr still holds val3 (-EAGAIN otherwise).
 * Returns woken + requeued. The queue of key is walked once, in order:
 * the first nr_wake matching waiters are woken and the next nr_requeue
 * moved (Linux futex_requeue()). */
static long futex_requeue(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake, int nr_requeue, bool cmp,
			  uint32_t val3)
{
	struct futex_waiter *w, *n;
	paddr_t key, key2;
	irqflags_t f;
	uint32_t cur;
	long r, woken = 0, moved = 0;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	r = futex_get_value(uaddr2, &cur);
	if (r)
		return r;
	r = futex_get_value(uaddr, &cur);
	if (r)
		return r;
	if (cmp && cur != val3)
		return -EAGAIN;
	key = futex_key(current->mm, uaddr);
	key2 = futex_key(current->mm, uaddr2);
	if (!key || !key2)
		return -EFAULT;
	f = futex_lock_pair(key, key2);
	if (cmp && futex_word_at(key) != val3) {
		futex_unlock_pair(key, key2, f);
		return -EAGAIN;
	}
	list_for_each_entry_safe(w, n, futex_bucket(key), node) {
		if (w->key != key || w->pi)
			continue;
		if (w->requeue_pi_key) {
			/* A FUTEX_WAIT_REQUEUE_PI waiter may only be moved by
			 * FUTEX_CMP_REQUEUE_PI [futex(2)]. */
			r = -EINVAL;
			break;
		}
		if (woken < nr_wake) {
			futex_wake_waiter(w, FW_WOKEN);
			woken++;
			continue;
		}
		if (moved >= nr_requeue)
			break;
		if (key2 != key) {
			list_del(&w->node);
			w->key = key2;
			__atomic_store_n(&w->lock, futex_bucket_lock(key2), __ATOMIC_RELEASE);
			list_add_tail(&w->node, futex_bucket(key2));
		}
		moved++;
	}
	futex_unlock_pair(key, key2, f);
	return r < 0 ? r : woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg) atomically (see the lock
 * rule in futex_internal.h), wake nr on uaddr and, if cmp(old, cmparg)
 * holds, nr2 on uaddr2. */
static long futex_wake_op(uintptr_t uaddr, uintptr_t uaddr2, int nr, int nr2, uint32_t encoded)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)((encoded >> 12) & 0xfff), cmparg = (int32_t)(encoded & 0xfff);
	int32_t old, nv;
	bool hit;
	long r, woken;

	oparg = (oparg << 20) >> 20; /* sign-extend the 12-bit fields */
	cmparg = (cmparg << 20) >> 20;
	if (encoded & (8u << 28)) /* FUTEX_OP_OPARG_SHIFT */
		oparg = (int32_t)(1u << (oparg & 31));
	r = futex_get_value(uaddr2, (uint32_t *)&old);
	if (r)
		return r;
	switch (op) {
	case 0: nv = oparg; break;	  /* FUTEX_OP_SET */
	case 1: nv = old + oparg; break;  /* FUTEX_OP_ADD */
	case 2: nv = old | oparg; break;  /* FUTEX_OP_OR */
	case 3: nv = old & ~oparg; break; /* FUTEX_OP_ANDN */
	case 4: nv = old ^ oparg; break;  /* FUTEX_OP_XOR */
	default: return -ENOSYS;
	}
	switch (cmp) {
	case 0: hit = old == cmparg; break; /* FUTEX_OP_CMP_EQ */
	case 1: hit = old != cmparg; break;
	case 2: hit = old < cmparg; break;
	case 3: hit = old <= cmparg; break;
	case 4: hit = old > cmparg; break;
	case 5: hit = old >= cmparg; break;
	default: return -ENOSYS;
	}
	if (futex_put_value(uaddr2, (uint32_t)nv))
		return -EFAULT;
	woken = futex_wake(current->mm, uaddr, nr, FUTEX_BITSET_MATCH_ANY);
	if (hit && woken >= 0) {
		r = futex_wake(current->mm, uaddr2, nr2, FUTEX_BITSET_MATCH_ANY);
		woken = r < 0 ? r : woken + r;
	}
	return woken;
}

/* FUTEX_WAKE(_BITSET): Linux get_futex_key() refuses an unaligned word
 * (-EINVAL) and an address beyond user space (-EFAULT); a private futex is
 * keyed by its address alone, so an unmapped one has nobody to wake (0),
 * while a shared one must be mapped (-EFAULT). */
static long futex_wake_op_wake(uintptr_t uaddr, int op, uint32_t val, uint32_t bitset)
{
	uint32_t cur;

	if (!bitset || (uaddr & 3))
		return -EINVAL;
	if (!access_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	if (!(op & FUTEX_PRIVATE_FLAG) && futex_get_value(uaddr, &cur))
		return -EFAULT;
	return futex_wake(current->mm, uaddr, (int)val, bitset);
}

static bool has_timeout(int cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 ||
	       cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAIT_REQUEUE_PI;
}

/* The deadline (monotonic ns, 0 = none) of a waiting operation: relative
 * for FUTEX_WAIT, absolute otherwise, on CLOCK_REALTIME for FUTEX_LOCK_PI
 * and with FUTEX_CLOCK_REALTIME, else CLOCK_MONOTONIC (Linux
 * futex_init_timeout()). -EINVAL for a bad timespec, -EFAULT. */
static int wait_deadline(int cmd, int op, uintptr_t utime, uint64_t *deadline)
{
	int64_t ns;
	int r;

	*deadline = 0;
	if (!utime)
		return 0;
	r = timespec_from_user(utime, &ns);
	if (r)
		return r;
	if (cmd == FUTEX_WAIT) {
		*deadline = time_monotonic_ns() + (uint64_t)ns;
	} else if (cmd == FUTEX_LOCK_PI || (op & FUTEX_CLOCK_REALTIME)) {
		int64_t delta = ns - time_realtime_ns();
		*deadline = delta > 0 ? time_monotonic_ns() + (uint64_t)delta : 1;
	} else {
		*deadline = ns > 0 ? (uint64_t)ns : 1; /* 1: already passed */
	}
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3); Linux do_futex(). */
SYSCALL_DEFINE6(futex, uintptr_t, uaddr, int, op, uint32_t, val, uintptr_t, utime, uintptr_t,
		uaddr2, uint32_t, val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	int val2 = (int)utime;
	uint64_t deadline = 0;
	int r;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	if (has_timeout(cmd)) {
		r = wait_deadline(cmd, op, utime, &deadline);
		if (r)
			return r;
	}
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* FALLTHROUGH */
	case FUTEX_WAIT_BITSET: return futex_wait(uaddr, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* FALLTHROUGH */
	case FUTEX_WAKE_BITSET: return futex_wake_op_wake(uaddr, op, val, val3);
	case FUTEX_REQUEUE: return futex_requeue(uaddr, uaddr2, (int)val, val2, false, 0);
	case FUTEX_CMP_REQUEUE: return futex_requeue(uaddr, uaddr2, (int)val, val2, true, val3);
	case FUTEX_WAKE_OP: return futex_wake_op(uaddr, uaddr2, (int)val, val2, val3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2: return futex_lock_pi(uaddr, deadline, false);
	case FUTEX_TRYLOCK_PI: return futex_lock_pi(uaddr, 0, true);
	case FUTEX_UNLOCK_PI: return futex_unlock_pi(uaddr);
	case FUTEX_WAIT_REQUEUE_PI: return futex_wait_requeue_pi(uaddr, val, deadline, uaddr2);
	case FUTEX_CMP_REQUEUE_PI: return futex_cmp_requeue_pi(uaddr, uaddr2, (int)val, val2, val3);
	default: /* FUTEX_FD (removed in 2.6.26), unknown */ return -ENOSYS;
	}
}
