/* Spinning locks, as Linux's spinlock_t [Documentation/locking/spinlocks.rst]:
 * a short critical section that never sleeps, safe in any context.
 *
 * A ticket lock: spin_lock() takes the next ticket and spins (with
 * hal_cpu_relax()) until the owner counter reaches it, so CPUs get the lock
 * in the order they asked for it. Acquire/release ordering comes from the
 * compiler's __atomic built-ins (C11 memory model), no arch code.
 *
 * Rules (docs/architecture.md "Locking" has the lock order):
 *   - Never sleep (sched_sleep(), mutex_lock(), copy_*_user() of a page that
 *     may fault in) with a spinlock held.
 *   - A lock also taken from an interrupt handler is always taken with
 *     spin_lock_irqsave() outside that handler; otherwise the handler could
 *     spin on the lock its own CPU holds.
 *   - Every lock has a name and a comment at its definition saying what it
 *     protects.
 *
 * Part of the service API: a service or driver protects its own shared state
 * with these, never with bare interrupt masking. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H
#include <hal/cpu.h>
#include <hal/types.h>
#include <kernel/lock_debug.h>

typedef struct spinlock {
	uint16_t next;	  /* next ticket to hand out */
	uint16_t owner;	  /* ticket now allowed in */
	const char *name; /* for lock-debugging reports */
} spinlock_t;

#define SPINLOCK_INIT(n)                           \
	{                                          \
		.next = 0, .owner = 0, .name = (n) \
	}
/* A file-scope lock: DEFINE_SPINLOCK(tty_lock); */
#define DEFINE_SPINLOCK(var) spinlock_t var = SPINLOCK_INIT(#var)

static inline void spin_lock_init(spinlock_t *l, const char *name)
{
	l->next = 0;
	l->owner = 0;
	l->name = name;
}

/* The bare ticket lock, without lock debugging: for the lock debugger's
 * own lock only. */
static inline void raw_spin_lock(spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		hal_cpu_relax();
}

static inline void raw_spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

/* Take l, spinning while another CPU holds it. The caller must not hold l
 * (a recursive take spins forever; under Fortress it is a BUG report).
 * Interrupts are left as they are. */
static inline void spin_lock(spinlock_t *l)
{
	lock_debug_acquire(l, l->name, false);
	raw_spin_lock(l);
}

/* Take l if it is free right now: true if taken. */
static inline bool spin_trylock(spinlock_t *l)
{
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t expect = owner;
	bool ok = __atomic_compare_exchange_n(&l->next, &expect, (uint16_t)(owner + 1), false,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);

	if (ok)
		lock_debug_acquire(l, l->name, false);
	return ok;
}

/* Release l, which the caller holds. */
static inline void spin_unlock(spinlock_t *l)
{
	lock_debug_release(l);
	raw_spin_unlock(l);
}

/* Mask interrupts on this CPU, then take l; returns the previous interrupt
 * state for spin_unlock_irqrestore(). */
static inline irqflags_t spin_lock_irqsave(spinlock_t *l)
{
	irqflags_t flags = hal_irq_save();

	spin_lock(l);
	return flags;
}

/* Release l, then restore the interrupt state spin_lock_irqsave() saved. */
static inline void spin_unlock_irqrestore(spinlock_t *l, irqflags_t flags)
{
	spin_unlock(l);
	hal_irq_restore(flags);
}

/* True if some CPU holds l (for assertions only: racy by nature). */
static inline bool spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#endif
