/* Host unit test of the Fortress lock debugger (kernel/lock_debug.c): each
 * mistake it exists for is provoked on purpose and its BUG report must
 * name the locks involved; correct nesting must report nothing.
 *   - a lock-order inversion (A then B, later B then A), reported once;
 *   - a sleep (mutex_lock, schedule) with a spinlock held;
 *   - a return to user mode with a spinlock or a mutex held;
 *   - a lock taken again by its holder;
 *   - mutexes follow their task across a context switch, spinlocks their
 *     CPU.
 * Built with the Fortress profile forced (LOCK_DEBUG on), under ASan/UBSan.
 * Exit status 0 only if every check passed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <kernel/lock_debug.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/task.h>

#include "tests/host/check.h"

#ifndef LOCK_DEBUG
#error "the lock debugger must be compiled in (Fortress)"
#endif

/* ---- stand-ins for the HAL and the rest of the core ---------------------- */

static char log_buf[16384];
static size_t log_len;

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
	va_end(ap);
	if (n > 0 && log_len + (size_t)n < sizeof log_buf)
		log_len += (size_t)n;
}
void dump_backtrace(uintptr_t fp)
{
	(void)fp;
	printk("Call trace:\n");
}
uintptr_t hal_current_fp(void)
{
	return 0;
}
static bool irqs_on = true;
irqflags_t hal_irq_save(void)
{
	irqflags_t f = irqs_on;
	irqs_on = false;
	return f;
}
void hal_irq_restore(irqflags_t f)
{
	irqs_on = f != 0;
}
void hal_cpu_relax(void)
{
}
static struct percpu cpu0;
void *hal_percpu_get(void)
{
	return &cpu0;
}

static struct task task_a, task_b;

/* ---- helpers --------------------------------------------------------------- */

static void log_clear(void)
{
	log_len = 0;
	log_buf[0] = 0;
}
static bool logged(const char *s)
{
	return strstr(log_buf, s) != NULL;
}
static unsigned count(const char *s)
{
	unsigned n = 0;

	for (const char *p = log_buf; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* Distinct lock objects; the debugger only uses their addresses and names. */
static spinlock_t lock_a = SPINLOCK_INIT("test_lock_a");
static spinlock_t lock_b = SPINLOCK_INIT("test_lock_b");
static spinlock_t lock_c = SPINLOCK_INIT("test_lock_c");
static spinlock_t wq1 = SPINLOCK_INIT("wait_queue"), wq2 = SPINLOCK_INIT("wait_queue");
static int mutex_m, mutex_n; /* stand-ins: a mutex is named by &m->owner */

static void take(spinlock_t *l)
{
	lock_debug_acquire(l, l->name, false);
}
static void drop(spinlock_t *l)
{
	lock_debug_release(l);
}

int main(void)
{
	cpu0.curr = &task_a;
	task_a.tid = 11;
	task_b.tid = 12;

	/* Nesting in one order, again and again: silent. */
	log_clear();
	for (int i = 0; i < 3; i++) {
		take(&lock_a);
		take(&lock_b);
		drop(&lock_b);
		drop(&lock_a);
	}
	CHECK(log_len == 0, "consistent order reported: %s", log_buf);
	CHECK(cpu0.spin_held.n == 0, "held list not empty: %u", cpu0.spin_held.n);

	/* Two locks of one class nested (futex bucket pairs, wait queues):
	 * not an inversion whatever the order. */
	take(&wq1);
	take(&wq2);
	drop(&wq2);
	drop(&wq1);
	take(&wq2);
	take(&wq1);
	drop(&wq1);
	drop(&wq2);
	CHECK(log_len == 0, "same-class nesting reported: %s", log_buf);

	/* The inversion: B then A after A then B. Both names, both orders. */
	take(&lock_b);
	take(&lock_a);
	CHECK(logged("BUG: lock order inversion: taking test_lock_a while holding test_lock_b, "
		     "but test_lock_b was taken while holding test_lock_a before (task 11)"),
	      "no inversion report: %s", log_buf);
	CHECK(logged("Call trace:") && logged("---[ end lock report ]---"), "no backtrace");
	drop(&lock_a);
	drop(&lock_b);
	/* Reported once per pair. */
	log_clear();
	take(&lock_b);
	take(&lock_a);
	drop(&lock_a);
	drop(&lock_b);
	CHECK(!logged("inversion"), "reported twice: %s", log_buf);

	/* A chain: C inside A is fine, A inside C is the inversion. */
	take(&lock_a);
	take(&lock_c);
	drop(&lock_c);
	drop(&lock_a);
	CHECK(log_len == 0, "A->C reported: %s", log_buf);
	take(&lock_c);
	take(&lock_a);
	CHECK(logged("taking test_lock_a while holding test_lock_c"), "C->A not reported: %s",
	      log_buf);
	drop(&lock_a);
	drop(&lock_c);

	/* A mutex and a spinlock: mutex M then spinlock A is fine; A then
	 * M (a sleep under a spinlock anyway) is also an inversion. */
	log_clear();
	lock_debug_acquire(&mutex_m, "test_mutex_m", true);
	take(&lock_a);
	drop(&lock_a);
	lock_debug_release(&mutex_m);
	CHECK(log_len == 0, "M->A reported: %s", log_buf);

	/* Sleeping with a spinlock held. */
	log_clear();
	take(&lock_b);
	lock_debug_might_sleep("mutex_lock");
	CHECK(logged("BUG: sleeping function mutex_lock called with spinlock test_lock_b held "
		     "(task 11)"),
	      "no might-sleep report: %s", log_buf);
	drop(&lock_b);
	log_clear();
	lock_debug_might_sleep("schedule");
	CHECK(log_len == 0, "might_sleep without locks reported: %s", log_buf);
	/* A mutex held across a sleep is normal. */
	lock_debug_acquire(&mutex_m, "test_mutex_m", true);
	lock_debug_might_sleep("schedule");
	CHECK(log_len == 0, "sleep holding a mutex reported: %s", log_buf);

	/* Mutexes belong to their task: task B on this CPU holds nothing and
	 * returns to user mode cleanly; task A does not. */
	cpu0.curr = &task_b;
	lock_debug_switch();
	lock_debug_user_return();
	CHECK(log_len == 0, "task B blamed for task A's mutex: %s", log_buf);
	cpu0.curr = &task_a;
	lock_debug_user_return();
	CHECK(logged("BUG: returning to user mode with mutex test_mutex_m held (task 11)"),
	      "no user-return report for a mutex: %s", log_buf);

	/* Returning to user mode with a spinlock held. */
	log_clear();
	take(&lock_c);
	lock_debug_user_return();
	CHECK(logged("BUG: returning to user mode with spinlock test_lock_c held (task 11)"),
	      "no user-return report for a spinlock: %s", log_buf);
	CHECK(cpu0.spin_held.n == 0, "reported locks stay on the list");

	/* A context switch with a spinlock held. */
	log_clear();
	take(&lock_a);
	lock_debug_switch();
	CHECK(logged("BUG: context switch with spinlock test_lock_a held"), "no switch report: %s",
	      log_buf);

	/* Taken again by its holder (would spin forever). */
	log_clear();
	take(&lock_b);
	take(&lock_b);
	CHECK(logged("BUG: lock test_lock_b taken again by its holder (task 11)"),
	      "no recursion report: %s", log_buf);
	drop(&lock_b);
	drop(&lock_b);
	lock_debug_acquire(&mutex_n, "test_mutex_n", true);
	lock_debug_acquire(&mutex_n, "test_mutex_n", true);
	CHECK(logged("BUG: lock test_mutex_n taken again by its holder"),
	      "no mutex recursion report: %s", log_buf);

	/* Releasing what is not held is ignored (a contained service's
	 * mutexes are released on its behalf). */
	log_clear();
	lock_debug_release(&lock_c);
	CHECK(log_len == 0, "spurious release reported: %s", log_buf);

	printf("lock_debug_test: %d checks, %d failures\n", checks, failures);
	return failures != 0;
}
