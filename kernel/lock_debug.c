/* Lock debugging under Fortress (<kernel/lock_debug.h>), in the spirit of
 * Linux's lockdep [Documentation/locking/lockdep-design.rst], much
 * smaller: locks are grouped in classes by name (every wait queue is one
 * class, every sighand lock another), and for each pair of classes the
 * order in which they were first nested is remembered. Taking B while
 * holding A after B -> A was seen is an inversion: two CPUs doing both
 * can deadlock, even if it never happened yet.
 *
 * Reports start with "BUG: " and end with a backtrace; each distinct
 * problem is reported once and the kernel goes on (as lockdep does), so
 * a test can provoke one and read it from the log. */
#include <hal/cpu.h>
#include <kernel/lock_debug.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

#ifdef LOCK_DEBUG

#define NR_PAIRS 2048 /* power of two: open addressing */

/* Class pairs seen nested: outer -> inner. */
struct lock_pair {
	uint64_t outer, inner; /* class hashes; outer == 0: empty slot */
	bool reported;	       /* an inversion of this pair was reported */
};
/* pairs_lock (raw: taking it is not itself checked) protects pairs. */
static spinlock_t pairs_lock = SPINLOCK_INIT("lock_debug.pairs");
static struct lock_pair pairs[NR_PAIRS];
static bool pairs_full;

/* A class is its name (FNV-1a), so equal names in different files agree. */
static uint64_t class_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = name ? name : "?"; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return h | 1; /* never 0 */
}

/* The slot of (outer, inner), or the empty slot where it would go; NULL
 * when the table is full. pairs_lock held. */
static struct lock_pair *pair_slot(uint64_t outer, uint64_t inner)
{
	unsigned i = (unsigned)((outer * 31 + inner) & (NR_PAIRS - 1));

	for (unsigned probe = 0; probe < NR_PAIRS; probe++, i = (i + 1) & (NR_PAIRS - 1)) {
		if (!pairs[i].outer || (pairs[i].outer == outer && pairs[i].inner == inner))
			return &pairs[i];
	}
	return NULL;
}

/* The spinlocks this CPU holds, innermost last (struct percpu). */
static struct lock_debug_held *this_cpu_held(void)
{
	struct percpu *c = this_cpu();

	return c ? &c->spin_held : NULL;
}

static struct lock_debug_held *task_held(void)
{
	return current ? &current->locks_held : NULL;
}

static void report_end(void)
{
	dump_backtrace(hal_current_fp());
	printk("---[ end lock report ]---\n");
}

static bool holds(const struct lock_debug_held *h, const void *lock)
{
	for (unsigned i = 0; h && i < h->n; i++)
		if (h->lock[i] == lock)
			return true;
	return false;
}

/* Record outer -> inner (class hashes); true if inner -> outer was seen
 * before and not yet reported (the caller reports it). */
static bool note_order(uint64_t co, uint64_t ci)
{
	struct lock_pair *p, *rev;
	bool inversion = false;

	if (co == ci)
		return false; /* same class nested (two buckets in order) */
	raw_spin_lock(&pairs_lock);
	rev = pair_slot(ci, co);
	if (rev && rev->outer && !rev->reported) {
		rev->reported = true;
		inversion = true;
	}
	p = pair_slot(co, ci);
	if (p && !p->outer) {
		p->outer = co;
		p->inner = ci;
	} else if (!p) {
		pairs_full = true;
	}
	raw_spin_unlock(&pairs_lock);
	return inversion;
}

/* h is this CPU's or this task's list, interrupts masked: its class
 * hashes are filled in here the first time they are needed. */
static void check_against(struct lock_debug_held *h, const char *name, uint64_t cls)
{
	for (unsigned i = 0; h && i < h->n; i++) {
		if (!h->cls[i])
			h->cls[i] = class_of(h->name[i]);
		if (!note_order(h->cls[i], cls))
			continue;
		printk("BUG: lock order inversion: taking %s while holding %s, "
		       "but %s was taken while holding %s before (task %d)\n",
		       name, h->name[i], h->name[i], name, current ? current->tid : -1);
		report_end();
	}
}

static void push(struct lock_debug_held *h, const void *lock, const char *name, uint64_t cls)
{
	if (!h)
		return;
	if (h->n == LOCK_DEBUG_MAX_HELD) {
		printk("BUG: more than %d locks held, %s not tracked\n", LOCK_DEBUG_MAX_HELD, name);
		return;
	}
	h->lock[h->n] = lock;
	h->name[h->n] = name;
	h->cls[h->n] = cls;
	h->n++;
}

static bool pop(struct lock_debug_held *h, const void *lock)
{
	for (unsigned i = h ? h->n : 0; i-- > 0;) {
		if (h->lock[i] != lock)
			continue;
		for (; i + 1 < h->n; i++) {
			h->lock[i] = h->lock[i + 1];
			h->name[i] = h->name[i + 1];
			h->cls[i] = h->cls[i + 1];
		}
		h->n--;
		return true;
	}
	return false;
}

void lock_debug_acquire(const void *lock, const char *name, bool sleeping)
{
	irqflags_t f = hal_irq_save(); /* this CPU's list, not a lock */
	struct lock_debug_held *cpu = this_cpu_held(), *task = task_held();
	uint64_t cls;

	name = name ? name : "?";
	if (holds(cpu, lock) || holds(task, lock)) {
		printk("BUG: lock %s taken again by its holder (task %d)\n", name,
		       current ? current->tid : -1);
		report_end();
	}
	/* A class hash once per lock, and only when another is held: it was
	 * computed twice per held lock and acquire (a quarter of a Fortress
	 * fork); 0 means "not computed yet" (class_of() is never 0). */
	cls = (task && task->n) || (cpu && cpu->n) ? class_of(name) : 0;
	check_against(task, name, cls);
	check_against(cpu, name, cls);
	push(sleeping ? task : cpu, lock, name, cls);
	hal_irq_restore(f);
}

void lock_debug_release(const void *lock)
{
	irqflags_t f = hal_irq_save();

	if (!pop(this_cpu_held(), lock))
		pop(task_held(), lock);
	hal_irq_restore(f);
}

void lock_debug_might_sleep(const char *what)
{
	struct lock_debug_held *cpu = this_cpu_held();

	if (!cpu || !cpu->n)
		return;
	printk("BUG: sleeping function %s called with spinlock %s held (task %d)\n", what,
	       cpu->name[cpu->n - 1], current ? current->tid : -1);
	report_end();
}

void lock_debug_switch(void)
{
	struct lock_debug_held *cpu = this_cpu_held();

	/* sched_lock itself is dropped just before the switch. */
	if (!cpu || !cpu->n)
		return;
	printk("BUG: context switch with spinlock %s held (task %d)\n", cpu->name[cpu->n - 1],
	       current ? current->tid : -1);
	report_end();
	cpu->n = 0;
}

void lock_debug_user_return(void)
{
	struct lock_debug_held *cpu = this_cpu_held(), *task = task_held();
	struct lock_debug_held *h = cpu && cpu->n ? cpu : task && task->n ? task : NULL;

	if (!h)
		return;
	printk("BUG: returning to user mode with %s %s held (task %d)\n",
	       h == cpu ? "spinlock" : "mutex", h->name[h->n - 1], current ? current->tid : -1);
	report_end();
	h->n = 0; /* reported once; the lock itself stays taken */
}

#endif
