/* Wait queues: sleeping until a condition holds, and waking the sleepers
 * (kernel/sched/). Part of the service API: a service or driver blocks the
 * calling task only through these. */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H
#include <hal/cpu.h>
#include <hal/types.h>
#include <kernel/list.h>

struct wait_queue {
	struct list_head waiters;
};
#define WAIT_QUEUE_INIT(name)                  \
	{                                      \
		LIST_HEAD_INIT((name).waiters) \
	}
void wait_queue_init(struct wait_queue *wq);

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
