/* Private to kernel/futex: the wait queues shared by the plain operations
 * (futex.c), the priority-inheritance operations (pi.c) and the robust
 * list walk at exit (robust.c).
 *
 * Locks: each hash bucket has a spinlock (Linux's hb->lock, irqsave since
 * a timeout or a signal wakes a waiter from the tick) that protects its
 * waiter list and every queued waiter's key, state, pi_owner and lock.
 * futex_wait() tests the word under the bucket lock (reading it through
 * the kernel's mapping of the frame, which cannot fault), so a FUTEX_WAKE
 * on another CPU after the word changed always finds the waiter queued.
 * Two buckets (requeue) are locked in index order. Not yet SMP-safe: the
 * read-modify-write of a word in FUTEX_WAKE_OP and of a PI word (pi.c)
 * is a read and a write with interrupts enabled, atomic only because a
 * non-preemptible kernel on one CPU runs nothing in between; SMP needs
 * Linux's futex_atomic_cmpxchg_inatomic() there. */
#ifndef KERNEL_FUTEX_INTERNAL_H
#define KERNEL_FUTEX_INTERNAL_H
#include <hal/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>

struct mm;
struct task;

/* include/uapi/linux/futex.h */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* The PI futex word [futex(2)] "Priority-inheritance futexes". */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

/* What woke a waiter (struct futex_waiter.state). */
enum futex_wake_state {
	FW_WAITING = 0,
	FW_WOKEN, /* FUTEX_WAKE and friends */
	FW_OWNER, /* PI: the lock was handed to this waiter (word already written) */
	FW_RETRY, /* PI: the owner exited; look at the word again */
};

struct futex_waiter {
	struct list_head node; /* in its bucket */
	spinlock_t *lock;      /* its bucket's lock (changes on requeue) */
	paddr_t key;
	uint32_t bitset;
	enum futex_wake_state state;
	struct task *task;
	bool pi;      /* waits for a PI lock (FUTEX_LOCK_PI, or requeued by CMP_REQUEUE_PI) */
	int pi_owner; /* pi: the owner's tid when it queued */
	paddr_t requeue_pi_key; /* FUTEX_WAIT_REQUEUE_PI: the PI futex it may be moved to, else 0 */
	struct wait_queue wq;	/* only this waiter sleeps here */
};

#define FUTEX_NR_BUCKETS 64

/* The hash bucket of key (the queues are created on first use): its
 * waiter list and the lock that protects it. */
struct list_head *futex_bucket(paddr_t key);
spinlock_t *futex_bucket_lock(paddr_t key);
/* Bucket number i (0 <= i < FUTEX_NR_BUCKETS), to visit every waiter. */
struct list_head *futex_bucket_nr(unsigned i);
spinlock_t *futex_bucket_lock_nr(unsigned i);
/* Mask interrupts and take the bucket locks of key and key2 (the same
 * one once if they share a bucket) in bucket order; returns the interrupt
 * state for futex_unlock_pair(). */
irqflags_t futex_lock_pair(paddr_t key, paddr_t key2);
void futex_unlock_pair(paddr_t key, paddr_t key2, irqflags_t f);
/* The word at key (a physical address futex_key() returned) read through
 * the kernel's mapping: never faults. */
uint32_t futex_word_at(paddr_t key);
/* The key of the 4-byte aligned word at uaddr of mm: its physical address;
 * 0 if the page is not mapped. */
paddr_t futex_key(struct mm *mm, uintptr_t uaddr);
/* Read the user word (faults the page in, so futex_key() then finds it):
 * 0, -EINVAL (not 4-byte aligned), -EFAULT. */
int futex_get_value(uintptr_t uaddr, uint32_t *val);
/* Write the user word: 0 or -EFAULT. */
int futex_put_value(uintptr_t uaddr, uint32_t val);
/* Remove w from its queue and wake it with state s. Its bucket lock held. */
void futex_wake_waiter(struct futex_waiter *w, enum futex_wake_state s);
/* The first waiter on key (PI waiters only if pi), or NULL. The bucket
 * lock of key held. */
struct futex_waiter *futex_first_waiter(paddr_t key, bool pi);
/* Wake up to nr (at least 1, Linux's rule) plain waiters on key whose
 * bitset matches. The bucket lock of key held. Returns how many, or
 * -EINVAL when a PI waiter is met. */
int futex_wake_key(paddr_t key, int nr, uint32_t bitset);
/* Queue w (key, bitset, pi... set by the caller) and sleep until it is
 * woken, deadline (monotonic ns, 0 = none) passes or a signal is pending.
 * Returns the wake state, with *err = 0, -ETIMEDOUT or -EINTR when it is
 * still FW_WAITING (then w is off the queue). Called with the bucket lock
 * of w->key held (spin_lock_irqsave()); returns with w->lock held, which
 * a requeue may have changed: the caller releases w->lock. */
enum futex_wake_state futex_queue_sleep(struct futex_waiter *w, uint64_t deadline, int *err);

/* pi.c: FUTEX_LOCK_PI(2) (deadline: monotonic ns, 0 = none), FUTEX_TRYLOCK_PI,
 * FUTEX_UNLOCK_PI, FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI. */
long futex_lock_pi(uintptr_t uaddr, uint64_t deadline, bool trylock);
long futex_unlock_pi(uintptr_t uaddr);
long futex_wait_requeue_pi(uintptr_t uaddr, uint32_t val, uint64_t deadline, uintptr_t uaddr2);
long futex_cmp_requeue_pi(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake, int nr_requeue,
			  uint32_t val3);
/* Hand the PI futex at uaddr (key, current value val, owned by the
 * caller or by the exiting caller) to its first PI waiter, keeping the
 * bits in keep (FUTEX_OWNER_DIED); no waiter: write newval_if_none.
 * Process context, interrupts enabled (it masks them around the queue).
 * 0 or -EFAULT. */
int futex_pi_handoff(uintptr_t uaddr, paddr_t key, uint32_t keep, uint32_t newval_if_none);

#endif
