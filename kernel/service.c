/* Ring-2 services: start-up (SERVICE_INIT) and, under the containment
 * profiles, the boundary the core calls them through (<kernel/service.h>,
 * DESIGN §5, docs/safety-profiles.md).
 *
 * Containment is the C counterpart of Rust's catch_unwind: svc_call() pushes
 * a struct svc_frame on the calling task (task->svc_frame, innermost first)
 * holding a hal_recovery_point. panic() and kernel_fault() ask
 * svc_contain_fault() first; if the innermost frame names a live service
 * instance and we are not in an interrupt handler, the fault is logged, the
 * mutexes the call still holds are released, the instance is marked failed,
 * and the task resumes at the recovery point, where svc_call() returns -EIO.
 *
 * Allocation accounting: kmalloc() made while a service call runs is charged
 * to that call's instance (a small record in a hash table keyed by the
 * pointer, so the heap's layout is unchanged); kfree() uncharges it. When a
 * failed instance is torn down, svc_instance_release() frees what is still
 * charged: the memory the faulting call leaked and the state the service can
 * no longer tear down itself.
 *
 * Several CPUs make service calls at once: a frame stack is its task's own;
 * the charge records are under charge_lock (a leaf spinlock, irqsave, never
 * held across kmalloc/kfree); the recursion guards ("charging" for the
 * record's own allocation, "containing" for a fault while containing one)
 * are per CPU, since neither section sleeps nor returns to user mode (so the
 * task cannot move meanwhile); counters are atomic.
 */
#include <hal/cpu.h>
#include <hal/irq.h>
#include <kernel/blkdev.h>
#include <kernel/kmalloc.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/service.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

extern const struct service_init __service_init_start[], __service_init_end[];

void services_init(void)
{
	for (const struct service_init *s = __service_init_start; s < __service_init_end; s++) {
		int err;

		if (!s->init)
			continue;
		err = s->init();
		if (err)
			pr_err("service %s: init failed (%d)\n", s->name ? s->name : "?", err);
	}
}

static struct svc_stats stats;

/* The first few contained faults get a full report (backtrace, reclaim);
 * after that one line each (a fault-injection loop would flood the console). */
#define SVC_REPORT_BACKTRACES 8

void svc_get_stats(struct svc_stats *out)
{
	*out = stats;
}

static uint64_t next_serial = 1;

void svc_instance_init(struct svc_instance *inst, const char *name)
{
	inst->name = name;
	inst->failed = false;
	inst->faults = 0;
	list_init(&inst->charged);
	inst->charged_bytes = 0;
	inst->serial = __atomic_fetch_add(&next_serial, 1, __ATOMIC_RELAXED);
	cap_mint(&inst->caps, inst->serial);
}

#ifndef SVC_CONTAIN

size_t svc_instance_release(struct svc_instance *inst)
{
	cap_revoke(inst->serial);
	return 0;
}

uint64_t svc_current_serial(void)
{
	return 0;
}

#else

/* ---- the frame stack ----------------------------------------------------- */

/* Service calls made before the first task exists (boot) use this slot. */
static struct svc_frame *boot_frame;

static struct svc_frame **frame_slot(void)
{
	return current ? &current->svc_frame : &boot_frame;
}

bool svc_frame_push(struct svc_frame *f, struct svc_instance *inst)
{
	struct svc_frame **slot = frame_slot();

	if (inst && inst->failed)
		return false;
	f->inst = inst;
	f->nlocks = 0;
	f->prev = *slot;
	*slot = f;
	return true;
}

uint64_t svc_current_serial(void)
{
	struct svc_frame *f = *frame_slot();

	return f && f->inst ? f->inst->serial : 0;
}

void svc_frame_pop(struct svc_frame *f)
{
	struct svc_frame **slot = frame_slot();

	KASSERT(*slot == f);
	*slot = f->prev;
}

/* ---- mutexes held by a call ---------------------------------------------- */

void svc_note_lock(struct mutex *m)
{
	struct svc_frame *f = *frame_slot();

	if (!f || !f->inst)
		return;
	/* More than SVC_MAX_LOCKS nested locks in one call: not tracked (the
	 * fault path then cannot release it; logged once). */
	if (f->nlocks < SVC_MAX_LOCKS) {
		f->locks[f->nlocks++] = m;
		return;
	}
	static bool warned;
	if (!warned) {
		warned = true;
		printk("service %s: more than %d mutexes held in one call\n", f->inst->name,
		       SVC_MAX_LOCKS);
	}
}

void svc_note_unlock(struct mutex *m)
{
	/* Usually the innermost frame's last lock; search every frame, since a
	 * lock may be released by a nested call. */
	for (struct svc_frame *f = *frame_slot(); f; f = f->prev) {
		for (unsigned i = f->nlocks; i-- > 0;) {
			if (f->locks[i] != m)
				continue;
			f->locks[i] = f->locks[--f->nlocks];
			return;
		}
	}
}

/* ---- allocation accounting ----------------------------------------------- */

struct charge {
	struct list_head inst_node; /* in inst->charged */
	struct charge *hash_next;
	void *p;
	size_t size;
	struct svc_instance *inst;
};

#define CHARGE_HASH 4096 /* 32 KiB of buckets: short chains with thousands of tmpfs objects */
/* charge_lock protects charge_hash, every instance's charged list and
 * charged_bytes, and stats.bytes_charged. A leaf: nothing is taken under it. */
static DEFINE_SPINLOCK(charge_lock);
static struct charge *charge_hash[CHARGE_HASH];
/* Per CPU: this CPU is allocating or freeing a charge record, which is not
 * itself charged (kmalloc/kfree come back here). */
static bool charging[HAL_MAX_CPUS];

static bool *this_charging(void)
{
	return &charging[hal_cpu_id() % HAL_MAX_CPUS];
}

static void *record_alloc(size_t size)
{
	bool *g = this_charging();
	void *p;

	*g = true;
	p = kmalloc(size);
	*g = false;
	return p;
}

static void record_free(void *p)
{
	bool *g = this_charging();

	*g = true;
	kfree(p);
	*g = false;
}

static unsigned hash_ptr(const void *p)
{
	uintptr_t v = (uintptr_t)p >> 4; /* objects are 16-byte aligned */
	return (unsigned)((v ^ (v >> 8) ^ (v >> 16)) % CHARGE_HASH);
}

void svc_charge(void *p, size_t size)
{
	struct svc_frame *f;
	struct charge *c;

	irqflags_t flags;

	if (*this_charging() || !p || hal_in_irq())
		return;
	f = *frame_slot();
	if (!f || !f->inst)
		return;
	c = record_alloc(sizeof(*c));
	if (!c)
		return; /* not accounted; the allocation itself stands */
	c->p = p;
	c->size = size;
	c->inst = f->inst;
	flags = spin_lock_irqsave(&charge_lock);
	list_add_tail(&c->inst_node, &f->inst->charged);
	f->inst->charged_bytes += size;
	stats.bytes_charged += size;
	c->hash_next = charge_hash[hash_ptr(p)];
	charge_hash[hash_ptr(p)] = c;
	spin_unlock_irqrestore(&charge_lock, flags);
}

/* Remove p's record from the hash; returns it (or NULL if p was not charged).
 * Under charge_lock. */
static struct charge *unhash(void *p)
{
	struct charge **pp = &charge_hash[hash_ptr(p)];

	for (struct charge *c = *pp; c; pp = &c->hash_next, c = c->hash_next) {
		if (c->p == p) {
			*pp = c->hash_next;
			return c;
		}
	}
	return NULL;
}

/* Take c off its instance's list and counts. Under charge_lock; the caller
 * frees it with record_free() after dropping the lock. */
static void unlink_charge(struct charge *c)
{
	list_del(&c->inst_node);
	c->inst->charged_bytes -= c->size;
	stats.bytes_charged -= c->size;
}

void svc_uncharge(void *p)
{
	struct charge *c;
	irqflags_t flags;

	if (*this_charging() || !p || !__atomic_load_n(&stats.bytes_charged, __ATOMIC_RELAXED))
		return;
	flags = spin_lock_irqsave(&charge_lock);
	c = unhash(p);
	if (c)
		unlink_charge(c);
	spin_unlock_irqrestore(&charge_lock, flags);
	if (c)
		record_free(c);
}

size_t svc_instance_release(struct svc_instance *inst)
{
	size_t freed = 0;

	cap_revoke(inst->serial);
	for (;;) {
		irqflags_t flags = spin_lock_irqsave(&charge_lock);
		struct charge *c;
		void *p;

		if (list_empty(&inst->charged)) {
			spin_unlock_irqrestore(&charge_lock, flags);
			break;
		}
		c = list_first_entry(&inst->charged, struct charge, inst_node);
		p = c->p;
		unhash(p);
		unlink_charge(c);
		spin_unlock_irqrestore(&charge_lock, flags);
		if (inst->failed)
			freed += c->size;
		record_free(c);
		if (inst->failed)
			kfree(p); /* no longer charged: svc_uncharge() finds nothing */
	}
	/* The block devices it claimed: its put_super (blkdev_put) was skipped. */
	if (inst->failed)
		blk_release_failed(inst->serial);
	__atomic_fetch_add(&stats.bytes_reclaimed, freed, __ATOMIC_RELAXED);
	if (freed &&
	    __atomic_load_n(&stats.calls_contained, __ATOMIC_RELAXED) <= SVC_REPORT_BACKTRACES)
		printk("service %s: reclaimed %zu bytes of a failed instance\n", inst->name, freed);
	return freed;
}

/* ---- containment ----------------------------------------------------------- */

/* Per CPU: a fault while this CPU contains one is a real panic. Faults on
 * other CPUs, in their own tasks' calls, are contained at the same time. */
static bool containing[HAL_MAX_CPUS];

void svc_contain_fault(const char *what, uintptr_t fp)
{
	struct svc_frame **slot = frame_slot();
	struct svc_frame *f = *slot;
	bool *busy = &containing[hal_cpu_id() % HAL_MAX_CPUS];
	struct svc_instance *inst;
	unsigned long nr;

	if (!f || !f->inst || hal_in_irq() || *busy)
		return;
	*busy = true;
	inst = f->inst;
	printk("service %s: %s\n", inst->name, what);
	nr = __atomic_fetch_add(&stats.calls_contained, 1, __ATOMIC_RELAXED) + 1;
	if (nr <= SVC_REPORT_BACKTRACES)
		dump_backtrace(fp);
	/* Release in reverse order what the call still holds. */
	while (f->nlocks > 0) {
		struct mutex *m = f->locks[--f->nlocks];
		printk("service %s: releasing mutex %s\n", inst->name, m->name ? m->name : "?");
		mutex_force_release(m);
	}
	if (!inst->failed)
		__atomic_fetch_add(&stats.instances_failed, 1, __ATOMIC_RELAXED);
	inst->failed = true;
	inst->faults++;
	if (nr <= SVC_REPORT_BACKTRACES)
		pr_err("service %s: contained; instance marked failed, the call returns -EIO\n",
		       inst->name);
	*slot = f->prev;
	*busy = false;
	hal_recovery_resume(&f->rp, 1);
}

#endif /* SVC_CONTAIN */
