/* Kernel timers: callbacks run by the scheduler tick at a monotonic
 * deadline (contract in <kernel/time.h>). Few timers are armed at a time
 * (timerfds, POSIX timers), so the armed list is unsorted and the tick
 * scans it. */
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

/* The armed list and every ktimer's node/armed fields. */
static DEFINE_SPINLOCK(ktimer_lock);
static LIST_HEAD(ktimers);

void ktimer_arm(struct ktimer *t, uint64_t expires_ns)
{
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);

	if (t->armed)
		list_del(&t->node);
	t->expires_ns = expires_ns;
	t->armed = true;
	list_add_tail(&t->node, &ktimers);
	spin_unlock_irqrestore(&ktimer_lock, f);
}

void ktimer_cancel(struct ktimer *t)
{
	irqflags_t f = spin_lock_irqsave(&ktimer_lock);

	if (t->armed)
		list_del(&t->node);
	t->armed = false;
	spin_unlock_irqrestore(&ktimer_lock, f);
}

/* fn runs without ktimer_lock held (it may re-arm its timer). */
void ktimers_expire(uint64_t now_ns)
{
	struct ktimer *t, *n;
	bool again = true;

	while (again) {
		again = false;
		spin_lock(&ktimer_lock);
		list_for_each_entry_safe(t, n, &ktimers, node) {
			if (t->expires_ns > now_ns)
				continue;
			list_del(&t->node);
			t->armed = false;
			spin_unlock(&ktimer_lock);
			t->fn(t);
			again = true; /* the list may have changed: rescan */
			break;
		}
		if (!again)
			spin_unlock(&ktimer_lock);
	}
}
