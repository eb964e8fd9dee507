/* [futex(2)]: FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
 * FUTEX_WAKE_OP, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, with or without
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. The priority-inheritance
 * operations return -ENOSYS, as on a kernel built without them.
 *
 * Waiters are kept in hash buckets keyed by the physical address of the
 * futex word (<kernel/futex.h>). One CPU and a non-preemptible kernel:
 * between reading the word and going to sleep no other task runs, so a
 * wake-up cannot be lost; interrupts are masked around the queues since a
 * timeout or signal wakes a waiter from the tick.
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

/* include/uapi/linux/futex.h */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define NR_BUCKETS 64

struct futex_waiter {
	struct list_head node;  /* in its bucket */
	paddr_t key;
	uint32_t bitset;
	bool woken;
	struct wait_queue wq;   /* only this waiter sleeps here */
};

static struct list_head buckets[NR_BUCKETS];
static bool buckets_ready;

static struct list_head *bucket(paddr_t key)
{
	if (!buckets_ready) {
		for (unsigned i = 0; i < NR_BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[(key >> 2) % NR_BUCKETS];
}

/* The key of the word at uaddr of mm: its physical address, 0 if the page
 * is not mapped. uaddr is 4-byte aligned. */
static paddr_t futex_key(struct mm *mm, uintptr_t uaddr)
{
	paddr_t pa;
	unsigned prot;

	if (!mm || !hal_query_page(mm->as, PAGE_ALIGN_DOWN(uaddr), &pa, &prot))
		return 0;
	return pa + (uaddr & (PAGE_SIZE - 1));
}

/* Read the user word; faults it in, so futex_key() finds it mapped. */
static int get_futex_value(uintptr_t uaddr, uint32_t *val)
{
	if (uaddr & 3)
		return -EINVAL;
	return copy_from_user(val, uaddr, sizeof *val) ? -EFAULT : 0;
}

/* Wake up to nr waiters on key whose bitset matches. Interrupts masked. */
static int wake_key(paddr_t key, int nr, uint32_t bitset)
{
	struct list_head *b = bucket(key);
	struct futex_waiter *w, *n;
	int woken = 0;

	list_for_each_entry_safe(w, n, b, node) {
		if (woken >= nr)
			break;
		if (w->key != key || !(w->bitset & bitset))
			continue;
		list_del(&w->node);
		w->woken = true;
		wake_up(&w->wq);
		woken++;
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
	f = hal_irq_save();
	n = wake_key(key, nr, bitset);
	hal_irq_restore(f);
	return n;
}

/* Sleep on uaddr while it holds val, until woken, deadline (monotonic ns,
 * 0 = none) or a signal. 0, -EAGAIN (value differs), -ETIMEDOUT,
 * -ERESTARTSYS, -EFAULT, -EINVAL. */
static long futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w;
	uint32_t cur;
	irqflags_t f;
	long r;

	if (!bitset)
		return -EINVAL;
	r = get_futex_value(uaddr, &cur);
	if (r)
		return r;
	if (cur != val)
		return -EAGAIN;
	w.key = futex_key(current->mm, uaddr);
	if (!w.key)
		return -EFAULT;
	w.bitset = bitset;
	w.woken = false;
	wait_queue_init(&w.wq);

	f = hal_irq_save();
	list_add_tail(&w.node, bucket(w.key));
	for (;;) {
		int s = sched_sleep(&w.wq, deadline, true);
		if (w.woken) {
			r = 0;
			break;
		}
		if (s == -ETIMEDOUT || s == -EINTR) {
			list_del(&w.node);
			r = s == -EINTR ? -ERESTARTSYS : -ETIMEDOUT;
			break;
		}
	}
	hal_irq_restore(f);
	return r;
}

/* Move up to nr_requeue waiters of uaddr (after waking nr_wake) to
 * uaddr2. With cmp, only if *uaddr still holds val3 (-EAGAIN otherwise).
 * Returns woken + requeued. */
static long futex_requeue(uintptr_t uaddr, uintptr_t uaddr2, int nr_wake, int nr_requeue,
			  bool cmp, uint32_t val3)
{
	paddr_t key, key2;
	struct futex_waiter *w, *n;
	irqflags_t f;
	uint32_t cur;
	long r, done = 0;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	r = get_futex_value(uaddr, &cur);
	if (r)
		return r;
	if (cmp && cur != val3)
		return -EAGAIN;
	r = get_futex_value(uaddr2, &cur);
	if (r)
		return r;
	key = futex_key(current->mm, uaddr);
	key2 = futex_key(current->mm, uaddr2);
	if (!key || !key2)
		return -EFAULT;
	f = hal_irq_save();
	done = wake_key(key, nr_wake, FUTEX_BITSET_MATCH_ANY);
	list_for_each_entry_safe(w, n, bucket(key), node) {
		if (nr_requeue <= 0)
			break;
		if (w->key != key)
			continue;
		list_del(&w->node);
		w->key = key2;
		list_add_tail(&w->node, bucket(key2));
		nr_requeue--;
		done++;
	}
	hal_irq_restore(f);
	return done;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg) atomically (one CPU, no
 * preemption: the read-modify-write cannot be interleaved), wake nr on
 * uaddr and, if cmp(old, cmparg) holds, nr2 on uaddr2. */
static long futex_wake_op(uintptr_t uaddr, uintptr_t uaddr2, int nr, int nr2, uint32_t encoded)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)((encoded >> 12) & 0xfff), cmparg = (int32_t)(encoded & 0xfff);
	int32_t old, nv;
	bool hit;
	long r, woken;

	if (encoded & (8u << 28)) /* FUTEX_OP_OPARG_SHIFT */
		oparg = 1 << (oparg & 31);
	oparg = (oparg << 20) >> 20; /* sign-extend the 12-bit fields */
	cmparg = (cmparg << 20) >> 20;
	r = get_futex_value(uaddr2, (uint32_t *)&old);
	if (r)
		return r;
	switch (op) {
	case 0: nv = oparg; break;          /* FUTEX_OP_SET */
	case 1: nv = old + oparg; break;    /* FUTEX_OP_ADD */
	case 2: nv = old | oparg; break;    /* FUTEX_OP_OR */
	case 3: nv = old & ~oparg; break;   /* FUTEX_OP_ANDN */
	case 4: nv = old ^ oparg; break;    /* FUTEX_OP_XOR */
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
	if (copy_to_user(uaddr2, &nv, sizeof nv))
		return -EFAULT;
	woken = futex_wake(current->mm, uaddr, nr, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		woken += futex_wake(current->mm, uaddr2, nr2, FUTEX_BITSET_MATCH_ANY);
	return woken;
}

/* The deadline for a wait: FUTEX_WAIT's timeout is relative, the
 * BITSET one absolute on CLOCK_MONOTONIC (or CLOCK_REALTIME with the
 * flag). 0 with *deadline = 0 when utime is NULL (wait forever). */
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
	} else if (op & FUTEX_CLOCK_REALTIME) {
		int64_t delta = ns - time_realtime_ns();
		*deadline = delta > 0 ? time_monotonic_ns() + (uint64_t)delta : 1;
	} else {
		*deadline = ns > 0 ? (uint64_t)ns : 1; /* 1: already passed */
	}
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
SYSCALL_DEFINE6(futex, uintptr_t, uaddr, int, op, uint32_t, val, uintptr_t, utime,
		uintptr_t, uaddr2, uint32_t, val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	uint64_t deadline;
	int r;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* FALLTHROUGH */
	case FUTEX_WAIT_BITSET:
		r = wait_deadline(cmd, op, utime, &deadline);
		if (r)
			return r;
		return futex_wait(uaddr, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* FALLTHROUGH */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		if (uaddr & 3)
			return -EINVAL;
		return futex_wake(current->mm, uaddr, (int)(val > INT32_MAX ? INT32_MAX : val), val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)utime, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)utime, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, uaddr2, (int)val, (int)utime, val3);
	default: /* FUTEX_FD (removed in 2.6.26), the PI operations */
		return -ENOSYS;
	}
}
