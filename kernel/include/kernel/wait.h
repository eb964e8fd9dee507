/* Wait queues: sleeping until a condition holds, and waking the sleepers
 * (kernel/sched/). Part of the service API: a service or driver blocks the
 * calling task only through these. */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H
#include <hal/cpu.h>
#include <hal/types.h>
#include <kernel/list.h>

struct wait_queue {
	struct list_head waiters;   /* sleeping tasks (task.wait_list) */
	struct list_head callbacks; /* struct wait_entry: called on every wake_up */
};
#define WAIT_QUEUE_INIT(name)                                                    \
	{                                                                        \
		LIST_HEAD_INIT((name).waiters), LIST_HEAD_INIT((name).callbacks) \
	}
void wait_queue_init(struct wait_queue *wq);

/* A callback on a wait queue (Linux's wait_queue_entry with a wake
 * function, what poll_wait() hooks for epoll): wake_up(wq) calls func for
 * every entry, with interrupts masked, in any context (IRQ handlers too),
 * so func must not sleep. func returns true if it woke somebody. Exclusive
 * entries ([epoll_ctl(2)] EPOLLEXCLUSIVE): one wake_up() calls every
 * non-exclusive entry but stops at the first exclusive entry that woke
 * somebody (Linux __wake_up_common()). */
struct wait_entry;
typedef bool (*wait_func_t)(struct wait_entry *we);
struct wait_entry {
	struct list_head link; /* in wait_queue.callbacks */
	wait_func_t func;
	void *private; /* the owner's */
	bool exclusive;
};
/* Hook we (func set by the caller) on wq / unhook it (no-op if not hooked;
 * the entry is then free to reuse). Any context. */
void add_wait_entry(struct wait_queue *wq, struct wait_entry *we);
void remove_wait_entry(struct wait_entry *we);

/* Put current to sleep on wq (may be NULL: timeout only) until woken, until
 * deadline_ns of hal_timer_now_ns() (0 = none) passes, or, if
 * interruptible, until a signal is pending.
 * MUST be called with interrupts masked (so a wake-up between testing the
 * condition and sleeping is not lost); returns with them masked.
 * Returns 0 when woken, -ETIMEDOUT at the deadline, -EINTR when a signal
 * is pending (callers usually turn that into -ERESTARTSYS or -EINTR). */
int sched_sleep(struct wait_queue *wq, uint64_t deadline_ns, bool interruptible);

/* Wake every task sleeping on wq. Any context, including IRQ handlers. */
void wake_up(struct wait_queue *wq);

/* Sleep on wq until cond is true. Evaluates cond with interrupts masked.
 * Result: 0 when cond became true, -EINTR if a signal interrupted.  */
#define wait_event_interruptible(wq, cond)                 \
	({                                                 \
		int __r = 0;                               \
		irqflags_t __f = hal_irq_save();           \
		while (!(cond)) {                          \
			__r = sched_sleep(&(wq), 0, true); \
			if (__r == -ETIMEDOUT)             \
				__r = 0;                   \
			if (__r)                           \
				break;                     \
		}                                          \
		hal_irq_restore(__f);                      \
		__r;                                       \
	})

#endif
