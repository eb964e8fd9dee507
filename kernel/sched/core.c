/* The run queues and the context switch: round robin over the runnable
 * tasks of each CPU's queue, the idle task when there are none. With
 * smp_sched on, every online CPU takes tasks: a task made runnable goes to
 * an idle CPU it may use (a reschedule IPI wakes that CPU from HLT/WFI),
 * an idle CPU steals from the busiest queue, and sched_setaffinity(2)
 * moves tasks. Non-preemptible kernel: a task gives up the CPU only in
 * schedule() (sleeping, yielding, exiting, or on the way back to user mode
 * after the tick or a wake-up set need_resched).
 *
 * sched_lock (irqsave; taken last, after any wait-queue or subsystem lock)
 * protects: every CPU's run queue (struct percpu runq, nr_queued), every
 * task's state / wake_result /
 * wake_deadline_ns / run_list / sleep_list, the sleeper list (sleep.c), the
 * dead-task list, and the tick's accounting (tick.c). */
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <hal/recover.h>
#include <hal/timer.h>
#include <kernel/errno.h>
#include <kernel/list.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/task.h>
#include <kernel/spinlock.h>

#include "../proc/proc_internal.h"
#include "sched_internal.h"

bool sched_running;

DEFINE_SPINLOCK(sched_lock);

/* Autoreaped tasks whose stacks are freed by the next schedule(); reaped
 * ones still on their CPU (sched_destroy_later()). */
static LIST_HEAD(dead_tasks);
static LIST_HEAD(released_tasks);

void wait_queue_init(struct wait_queue *wq)
{
	spin_lock_init(&wq->lock, "wait_queue");
	list_init(&wq->waiters);
	list_init(&wq->callbacks);
}

uint64_t sched_clock_ns(void)
{
	return hal_timer_now_ns();
}

static bool on_run_queue(const struct task *t)
{
	return !list_empty(&t->run_list);
}

/* CPUs that take tasks: the boot CPU, and each secondary once it entered
 * its idle task with smp_sched on (sched_ap_run()). Under sched_lock. */
static unsigned long sched_cpus = 1;
bool sched_smp;

void sched_wait_off_cpu(struct task *t)
{
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
}

void sched_cpu_activate(unsigned cpu)
{
	__atomic_fetch_or(&sched_cpus, 1UL << cpu, __ATOMIC_RELAXED);
}

unsigned long sched_active_mask(void)
{
	return __atomic_load_n(&sched_cpus, __ATOMIC_RELAXED);
}

/* The CPUs t may run on now: its affinity among the CPUs taking tasks,
 * or all of those if none is left (Linux's select_fallback_rq()). */
unsigned long sched_task_allowed(const struct task *t)
{
	unsigned long m = sched_active_mask();

	if (t->cpus_allowed && (t->cpus_allowed & m))
		m &= t->cpus_allowed;
	return m;
}

static bool cpu_is_idle(unsigned c)
{
	struct percpu *p = percpu_of(c);

	return p->curr == p->idle && p->nr_queued == 0;
}

/* Where a task that becomes runnable goes: its last CPU or this one if
 * idle, else any idle CPU it may use, else its last CPU, else the least
 * loaded. sched_lock held. */
static unsigned select_cpu(const struct task *t)
{
	unsigned long allowed = sched_task_allowed(t);
	unsigned self = this_cpu()->cpu, best = 0, best_load = ~0u;

	if ((allowed >> t->cpu) & 1 && cpu_is_idle(t->cpu))
		return t->cpu;
	if ((allowed >> self) & 1 && cpu_is_idle(self))
		return self;
	for (unsigned c = 0; c < KEVLAR_MAX_CPUS; c++)
		if ((allowed >> c) & 1 && cpu_is_idle(c))
			return c;
	if ((allowed >> t->cpu) & 1)
		return t->cpu;
	for (unsigned c = 0; c < KEVLAR_MAX_CPUS; c++) {
		struct percpu *p = percpu_of(c);
		unsigned load = p->nr_queued + (p->curr != p->idle);

		if ((allowed >> c) & 1 && load < best_load) {
			best = c;
			best_load = load;
		}
	}
	return best;
}

/* Queue t on CPU c's run queue. sched_lock held. */
static void rq_add(unsigned c, struct task *t)
{
	struct percpu *p = percpu_of(c);

	if (t->cpu != c)
		t->rseq_notify = true; /* [rseq(2)]: a new cpu_id */
	t->cpu = c;
	list_add_tail(&t->run_list, &p->runq);
	p->nr_queued++;
}

/* Tell CPU c it has work: its need_resched, and a reschedule IPI if it
 * sits in its idle task (an idle CPU waits in HLT/WFI). sched_lock held. */
static void rq_kick(unsigned c)
{
	struct percpu *p = percpu_of(c);

	p->resched = true;
	if (c != this_cpu()->cpu && p->curr == p->idle)
		hal_ipi_send(c, HAL_IPI_RESCHEDULE);
}

void rq_enqueue(struct task *t)
{
	struct percpu *p = percpu_of(t->cpu);
	unsigned c;

	if (t == p->curr || t == p->idle || on_run_queue(t))
		return;
	c = select_cpu(t);
	rq_add(c, t);
	rq_kick(c);
}

void rq_dequeue(struct task *t)
{
	if (!on_run_queue(t))
		return;
	list_del(&t->run_list);
	percpu_of(t->cpu)->nr_queued--;
}

/* A queued task of another CPU that may run on CPU self, taken from the
 * CPU with the most queued tasks (work stealing by an idle CPU), or NULL.
 * sched_lock held. */
static struct task *steal_task(unsigned self)
{
	unsigned long m = sched_active_mask() & ~(1UL << self);
	struct percpu *busiest = NULL;
	struct task *t;

	for (unsigned c = 0; c < KEVLAR_MAX_CPUS; c++) {
		struct percpu *p = percpu_of(c);

		if ((m >> c) & 1 && p->nr_queued && (!busiest || p->nr_queued > busiest->nr_queued))
			busiest = p;
	}
	if (!busiest)
		return NULL;
	list_for_each_entry(t, &busiest->runq, run_list) {
		if (!((sched_task_allowed(t) >> self) & 1))
			continue;
		list_del(&t->run_list);
		busiest->nr_queued--;
		return t;
	}
	return NULL;
}

unsigned rq_nr_running(void)
{
	unsigned n = 0;

	for (unsigned c = 0; c < KEVLAR_MAX_CPUS; c++) {
		struct percpu *p = percpu_of(c);

		if (!p->online)
			continue;
		n += p->nr_queued;
		if (p->curr && p->curr != p->idle && p->curr->state == TASK_RUNNING)
			n++;
	}
	return n;
}

unsigned sched_nr_running(void)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	unsigned n = rq_nr_running();

	spin_unlock_irqrestore(&sched_lock, f);
	return n;
}

/* [sched(7)]: a new or woken task goes to the back of the queue. */
void sched_add(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	t->state = TASK_RUNNING;
	rq_enqueue(t);
	spin_unlock_irqrestore(&sched_lock, f);
}

int sched_set_affinity(struct task *t, unsigned long mask)
{
	irqflags_t f;

	if (!(mask & sched_active_mask()))
		return -EINVAL; /* [sched_setaffinity(2)]: no usable CPU */
	f = spin_lock_irqsave(&sched_lock);
	t->cpus_allowed = mask;
	if (on_run_queue(t) && !((sched_task_allowed(t) >> t->cpu) & 1)) {
		rq_dequeue(t);
		rq_enqueue(t);
	} else if (t == percpu_of(t->cpu)->curr && !((sched_task_allowed(t) >> t->cpu) & 1)) {
		/* Running elsewhere (or here): its next schedule() moves it. */
		rq_kick(t->cpu);
		if (t->cpu != this_cpu()->cpu)
			hal_ipi_send(t->cpu, HAL_IPI_RESCHEDULE);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	if (t == current && !((sched_task_allowed(t) >> t->cpu) & 1))
		schedule(); /* move now: back from here on an allowed CPU */
	return 0;
}

/* struct percpu.active_mm: the address space the MMU uses now. Tasks
 * without an mm (the idle task, kernel threads) borrow it; an mm is only
 * freed after its last user switched away from it (do_exit, execve), so
 * the borrowed one stays valid. */

void sched_switch_mm(struct mm *mm)
{
	if (mm)
		mm_activate(mm);
	else
		hal_aspace_switch(NULL);
	this_cpu()->active_mm = mm;
}

void sched_destroy_later(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);

	list_add_tail(&t->run_list, &released_tasks);
	spin_unlock_irqrestore(&sched_lock, f);
}

void sched_free_later(struct task *t)
{
	irqflags_t f = spin_lock_irqsave(&sched_lock);
	list_add_tail(&t->run_list, &dead_tasks);
	spin_unlock_irqrestore(&sched_lock, f);
}

/* Free the autoreaped tasks that are not running any more. Called from
 * schedule() in process context, without sched_lock (task_free() takes
 * the allocators' locks); a task still switching away for the last time
 * (on this CPU or another) has on_cpu set and stays on the list. */
static void free_dead_tasks(void)
{
	struct task *t, *n;
	LIST_HEAD(gone);
	LIST_HEAD(released);
	irqflags_t f;

	if (list_empty(&dead_tasks) && list_empty(&released_tasks))
		return; /* racy peek: a task added now waits for the next call */
	f = spin_lock_irqsave(&sched_lock);
	list_for_each_entry_safe(t, n, &dead_tasks, run_list) {
		if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
			continue;
		list_del(&t->run_list);
		list_add_tail(&t->run_list, &gone);
	}
	list_for_each_entry_safe(t, n, &released_tasks, run_list) {
		if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
			continue;
		list_del(&t->run_list);
		list_add_tail(&t->run_list, &released);
	}
	spin_unlock_irqrestore(&sched_lock, f);
	list_for_each_entry_safe(t, n, &gone, run_list) {
		list_del(&t->run_list);
		task_free(t);
	}
	list_for_each_entry_safe(t, n, &released, run_list) {
		list_del(&t->run_list);
		task_destroy_released(t);
	}
}

void cond_resched(void)
{
	if (!need_resched || !sched_running || current == idle_task ||
	    current->state != TASK_RUNNING || !hal_irq_enabled() || hal_in_irq())
		return;
	schedule();
}

/* The task this CPU runs next: its own queue's first, else (SMP) one
 * stolen from the busiest queue, else the idle task. sched_lock held. */
static struct task *pick_next(struct percpu *cpu)
{
	struct task *next;

	if (!list_empty(&cpu->runq)) {
		next = list_first_entry(&cpu->runq, struct task, run_list);
		list_del(&next->run_list);
		cpu->nr_queued--;
		return next;
	}
	next = sched_smp ? steal_task(cpu->cpu) : NULL;
	return next ? next : cpu->idle;
}

void schedule_locked(void)
{
	struct percpu *cpu = this_cpu();
	struct task *prev = cpu->curr, *next;

	KASSERT(sched_running);
	KASSERT(!hal_irq_enabled());
	cpu->resched = false;
	if (prev->state == TASK_RUNNING && prev != cpu->idle) {
		if ((sched_task_allowed(prev) >> cpu->cpu) & 1) {
			rq_add(cpu->cpu, prev);
		} else { /* sched_setaffinity moved it away from here */
			unsigned c = select_cpu(prev);

			rq_add(c, prev);
			rq_kick(c);
		}
	}
	next = pick_next(cpu);
	if (next != prev) {
		if (next->cpu != cpu->cpu)
			next->rseq_notify = true; /* [rseq(2)]: a new cpu_id */
		next->cpu = cpu->cpu;
		/* The handoff: next may still be saving its registers on the
		 * CPU it ran on last (it became runnable, or was stolen, right
		 * after that CPU picked another task); that CPU holds no lock
		 * from there to the store in hal_context_switch(). */
		while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
			hal_cpu_relax();
		__atomic_store_n(&next->on_cpu, 1, __ATOMIC_RELAXED);
		/* Tasks without an mm run on the kernel's tables: no CPU keeps
		 * an address space loaded that no task of it runs, so a freed
		 * mm is on no CPU and a shootdown reaches only its users. */
		if (next->mm != cpu->active_mm)
			sched_switch_mm(next->mm);
		cpu->curr = next;
		cpu->stats.switches++;
		/* Interrupts stay masked across the switch; the HAL restores
		 * next's own state and clears prev->on_cpu once prev is saved.
		 * sched_lock is not held across it (a new task starts in its
		 * entry function without it). */
		spin_unlock(&sched_lock);
		lock_debug_switch();
		hal_context_switch(&prev->ctx, &next->ctx, &prev->on_cpu);
		/* We resume here when switched back to. */
		spin_lock(&sched_lock);
	}
}

void schedule(void)
{
	irqflags_t f;

	free_dead_tasks();
	lock_debug_might_sleep("schedule");
	f = spin_lock_irqsave(&sched_lock);
	schedule_locked();
	spin_unlock_irqrestore(&sched_lock, f);
}
