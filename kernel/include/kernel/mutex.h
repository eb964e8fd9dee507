/* Sleeping locks (kernel/sched/mutex.c), as Linux's struct mutex
 * [Documentation/locking/mutex-design.rst]: one owner, may sleep while
 * held, never taken in IRQ context, not recursive.
 *
 * A mutex taken inside a ring-2 service call (svc_call(), <kernel/service.h>)
 * is recorded in that call's frame under the containment profiles (Fortress,
 * Balanced): if the service faults while holding it, the core releases it
 * when it unwinds to the boundary, so nobody waits on it forever. */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H
#include <hal/types.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>

struct task;

struct mutex {
	spinlock_t lock;      /* protects owner (the wait list has wq.lock) */
	struct task *owner;   /* NULL when free */
	struct wait_queue wq; /* tasks waiting for it */
	const char *name;     /* for messages */
};
#define MUTEX_INIT(m, n)                                                                           \
	{                                                                                          \
		.lock = SPINLOCK_INIT("mutex.lock"), .owner = NULL, .wq = WAIT_QUEUE_INIT((m).wq), \
		.name = (n)                                                                        \
	}

void mutex_init(struct mutex *m, const char *name);
/* Take m, sleeping (uninterruptibly) while another task holds it.
 * Process context only; the caller must not hold m already (a recursive
 * take panics: it could never be woken). */
void mutex_lock(struct mutex *m);
/* Take m if it is free: true if taken. */
bool mutex_trylock(struct mutex *m);
/* Release m, which the caller must own (panics otherwise), and wake its
 * waiters. */
void mutex_unlock(struct mutex *m);
/* For the containment path only (kernel/service.c): release m on behalf of
 * the task whose service call faulted while holding it. */
void mutex_force_release(struct mutex *m);
/* True if some task holds m (racy by nature: for assertions). */
static inline bool mutex_is_locked(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != NULL;
}

#endif
