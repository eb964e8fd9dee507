/* Fast user-space locking: the wait queues behind [futex(2)]
 * (kernel/futex/futex.c).
 *
 * A futex is identified by the physical address of its 32-bit word, so
 * the same word waited on and woken through different mappings (threads,
 * MAP_SHARED between processes, the kernel's own wake on thread exit)
 * meets in one queue. */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H
#include <hal/types.h>

struct mm;

#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* Wake up to nr tasks waiting on the word at user address uaddr of mm
 * whose wait bitset shares a bit with bitset. Returns how many were woken
 * (0 if the page is not mapped: nobody can be waiting there), or -EINVAL
 * if a priority-inheritance waiter is queued there (kernel/futex/pi.c).
 * Process context, interrupts enabled or masked. */
int futex_wake(struct mm *mm, uintptr_t uaddr, int nr, uint32_t bitset);

/* The current thread is exiting: walk its robust list (FUTEX_OWNER_DIED,
 * wake a waiter; robust-futex-ABI.rst) while its mm is still there.
 * Process context, interrupts enabled. */
void futex_exit_release(void);
/* The thread tid has exited for good (it is a zombie or dead and will not
 * run again): PI waiters queued behind it look at their word again and
 * take a lock it still holds (kernel/futex/pi.c). Any context. */
void futex_pi_owner_exit(int tid);

#endif
