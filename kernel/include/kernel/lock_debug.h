/* Lock debugging (kernel/lib/lock_debug.c), Fortress only: every spinlock
 * and mutex a CPU holds is on that CPU's held-lock list, and three
 * mistakes are a kernel BUG report naming the locks involved:
 *   - a lock-order inversion: A then B somewhere, B then A elsewhere (the
 *     first order seen for each pair is remembered);
 *   - a sleep (schedule(), mutex_lock()) with a spinlock held;
 *   - a return to user mode with any lock held.
 * In the other profiles every hook compiles to nothing. */
#ifndef KERNEL_LOCK_DEBUG_H
#define KERNEL_LOCK_DEBUG_H
#include <hal/types.h>
#include <kevlar/profile.h>

#if defined(KEVLAR_PROFILE_FORTRESS)
#define LOCK_DEBUG 1
#define LOCK_DEBUG_MAX_HELD 16

/* A held-lock list: the spinlocks of one CPU, or the mutexes of one task
 * (struct task.locks_held: a mutex stays held while its task sleeps). */
struct lock_debug_held {
	const void *lock[LOCK_DEBUG_MAX_HELD];
	const char *name[LOCK_DEBUG_MAX_HELD];
	uint64_t cls[LOCK_DEBUG_MAX_HELD]; /* class hash of name[]; 0: not computed yet */
	unsigned n;
};

/* A lock was taken / released on this CPU. `lock` identifies the lock
 * instance; `name` is its class name (what reports print); sleeping is
 * true for a mutex. */
void lock_debug_acquire(const void *lock, const char *name, bool sleeping);
void lock_debug_release(const void *lock);
/* The caller is about to sleep: BUG if a spinlock other than sched_lock
 * is held. what names the sleeping call. */
void lock_debug_might_sleep(const char *what);
/* The context switch: the sleeping task's held mutexes go with it; the
 * list is per CPU, so this only checks. */
void lock_debug_switch(void);
/* On the way back to user mode: BUG if anything is held. */
void lock_debug_user_return(void);
#else
static inline void lock_debug_acquire(const void *lock, const char *name, bool sleeping)
{
	(void)lock;
	(void)name;
	(void)sleeping;
}
static inline void lock_debug_release(const void *lock)
{
	(void)lock;
}
static inline void lock_debug_might_sleep(const char *what)
{
	(void)what;
}
static inline void lock_debug_switch(void)
{
}
static inline void lock_debug_user_return(void)
{
}
#endif

#endif
