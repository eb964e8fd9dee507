/* Wait queues: sleeping until a condition holds, and waking the sleepers
 * (kernel/sched/sleep.c). Part of the service API: a service or driver
 * blocks the calling task only through these.
 *
 * The protocol is Linux's prepare_to_wait()/finish_wait()
 * [Documentation/scheduler/completion.rst, include/linux/wait.h]: the
 * sleeper puts itself on the queue and marks itself sleeping *before* it
 * tests its condition for the last time, and the waker changes the
 * condition *before* wake_up(). Whichever comes second sees the other's
 * write, so a wake-up from another CPU or an IRQ handler is never lost.
 *
 * Locks: wq->lock protects wq->waiters only (taken inside any lock of the
 * caller, before sched_lock; docs/architecture.md "Locking"). */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H
#include <hal/cpu.h>
#include <hal/types.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

struct mutex;

struct wait_queue {
	spinlock_t lock;	    /* protects waiters and callbacks */
	struct list_head waiters;   /* struct task.wait_list of the sleepers */
	struct list_head callbacks; /* struct wait_entry: called on every wake_up */
};
#define WAIT_QUEUE_INIT(name)                                                                   \
	{                                                                                       \
		.lock = SPINLOCK_INIT("wait_queue"), .waiters = LIST_HEAD_INIT((name).waiters), \
		.callbacks = LIST_HEAD_INIT((name).callbacks)                                   \
	}
void wait_queue_init(struct wait_queue *wq);

/* A callback on a wait queue (Linux's wait_queue_entry with a wake
 * function, what poll_wait() hooks for epoll): wake_up(wq) calls func for
 * every entry, with interrupts masked and wq->lock held, in any context
 * (IRQ handlers too), so func must not sleep and must not hook or unhook
 * entries of wq itself (others' it may). func returns true if it woke
 * somebody. Exclusive entries ([epoll_ctl(2)] EPOLLEXCLUSIVE): one
 * wake_up() calls every non-exclusive entry but stops at the first
 * exclusive entry that woke somebody (Linux __wake_up_common()). */
struct wait_entry;
typedef bool (*wait_func_t)(struct wait_entry *we);
struct wait_entry {
	struct list_head link; /* in wait_queue.callbacks, under wq->lock */
	struct wait_queue *wq; /* the queue it is hooked on, NULL if none */
	wait_func_t func;
	void *private; /* the owner's */
	bool exclusive;
};
/* Hook we (func set by the caller) on wq / unhook it (no-op if not hooked;
 * the entry is then free to reuse). Any context; takes wq->lock. */
void add_wait_entry(struct wait_queue *wq, struct wait_entry *we);
void remove_wait_entry(struct wait_entry *we);

/* Step 1 of a sleep: queue current on wq (may be NULL: deadline or signal
 * only) and mark it sleeping (interruptible or not), with deadline_ns of
 * hal_timer_now_ns() (0 = none). Then test the condition; if it does not
 * hold, sched_wait(); in every case finish with finish_wait(). Takes
 * wq->lock and sched_lock; any context a task may sleep from. */
void prepare_to_wait(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible);
/* Step 2: give up the CPU unless a waker already made current runnable, a
 * signal is pending (interruptible sleeps) or the deadline passed.
 * Returns 0 when woken (or never put to sleep), -ETIMEDOUT at the
 * deadline, -EINTR for a signal. The caller must hold no spinlock. */
int sched_wait(void);
/* Step 3: current is running again and off wq. */
void finish_wait(struct wait_queue *wq);

/* The three steps at once, for callers whose condition is protected by
 * interrupt masking on one CPU (the pre-SMP contract: call with interrupts
 * masked, returns with them masked). New code uses sched_sleep_locked().
 * Returns 0 when woken, -ETIMEDOUT at the deadline, -EINTR when a signal
 * is pending (callers usually turn that into -ERESTARTSYS or -EINTR). */
int sched_sleep(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible);

/* Sleep on wq with the caller's spinlock `lock` held (taken with
 * spin_lock_irqsave()): current is queued, then `lock` is released, the
 * CPU given up, and `lock` taken again before returning (interrupts stay
 * masked throughout). The waker changes the condition under `lock`, so no
 * wake-up is lost between the test and the sleep. Results as sched_sleep(). */
int sched_sleep_locked(struct wait_queue *wq, spinlock_t *lock, uint64_t deadline_ns,
		       bool interruptible);
/* The same with a sleeping lock: m is released while asleep and taken
 * again (uninterruptibly) before returning. Process context. */
int sched_sleep_mutex(struct wait_queue *wq, struct mutex *m, uint64_t deadline_ns,
		      bool interruptible);

/* Sleep on no queue until deadline_ns (hal_timer_now_ns(); 0 = none) or,
 * if interruptible, a signal: nanosleep, polling loops. Needs no lock.
 * 0 (woken early), -ETIMEDOUT or -EINTR. */
int sched_sleep_until(uint64_t deadline_ns, bool interruptible);

/* Wake every task sleeping on wq. Any context, any CPU, including IRQ
 * handlers; takes wq->lock, then sched_lock. */
void wake_up(struct wait_queue *wq);

/* Sleep on wq until cond is true (Linux's wait_event_interruptible()).
 * cond is evaluated with no lock held and current marked sleeping: it must
 * not sleep itself. Result: 0 when cond became true, -EINTR if a signal
 * interrupted. */
#define wait_event_interruptible(wq, cond)               \
	({                                               \
		int __r = 0;                             \
		for (;;) {                               \
			prepare_to_wait(&(wq), 0, true); \
			if (cond)                        \
				break;                   \
			__r = sched_wait();              \
			if (__r == -ETIMEDOUT)           \
				__r = 0;                 \
			if (__r)                         \
				break;                   \
		}                                        \
		finish_wait(&(wq));                      \
		__r;                                     \
	})

#endif
