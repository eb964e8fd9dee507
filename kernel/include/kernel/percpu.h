/* Per-CPU state of the core (kernel/sched/percpu.c): one struct percpu
 * per CPU, reached through the arch's per-CPU register (hal_percpu_get(),
 * <hal/cpu.h>), so `current` costs one register read and no lock.
 *
 * Everything in it belongs to its CPU: only that CPU writes it, except
 * where a field says which lock another CPU must hold (the run queue,
 * need_resched: sched_lock, kernel/sched/core.c). docs/architecture.md
 * "Per-CPU state" lists it next to the shared state and its locks. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H
#include <hal/cpu.h>
#include <hal/types.h>
#include <kernel/list.h>
#include <kernel/lock_debug.h>

struct task;
struct mm;

/* CPUs the core can run on (indexes 0 .. KEVLAR_MAX_CPUS-1). */
#define KEVLAR_MAX_CPUS HAL_MAX_CPUS

/* Ticks and events counted per CPU (the tick and the scheduler; read
 * without a lock by /proc, so a sum may lag by one tick). */
struct cpu_stats {
	uint64_t idle_ticks; /* ticks spent in the idle task */
	uint64_t user_ticks; /* ticks that interrupted user mode */
	uint64_t sys_ticks;  /* ticks that interrupted a task in the kernel */
	uint64_t switches;   /* context switches */
	uint64_t irqs;	     /* timer ticks taken */
};

struct percpu {
	unsigned cpu;	      /* this CPU's index: first, hal_cpu_id() reads it */
	bool online;	      /* percpu_init_*() ran for it */
	struct task *curr;    /* the running task (`current`) */
	struct task *idle;    /* this CPU's idle task (pid 0, "swapper/N") */
	struct mm *active_mm; /* the address space the MMU uses (sched/core.c) */
	/* The run queue (round robin) of this CPU; under sched_lock, which
	 * other CPUs take to queue a task here. */
	struct list_head runq;
	unsigned nr_queued;
	volatile bool resched;	/* need_resched: set by the tick and wake-ups */
	unsigned preempt_count; /* preempt_disable() depth */
	unsigned irq_depth;	/* interrupt handlers running (nesting) */
	struct cpu_stats stats;
#ifdef LOCK_DEBUG
	struct lock_debug_held spin_held; /* spinlocks this CPU holds */
#endif
};

/* The running CPU's state: NULL only before percpu_init_boot(). */
static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)hal_percpu_get();
}
/* CPU cpu's state (cpu < KEVLAR_MAX_CPUS), online or not. */
struct percpu *percpu_of(unsigned cpu);

/* Boot CPU, first thing in kernel_main(): CPU 0's state is installed
 * (current is NULL until sched_init() makes the idle task current). */
void percpu_init_boot(void);
/* Each secondary CPU, called by the bring-up code on that CPU before it
 * runs any kernel C code that uses `current` (the heap must be up): its
 * state is installed in the per-CPU register, an idle task "swapper/cpu"
 * is made and becomes current. 0, -EINVAL (cpu 0 or >= KEVLAR_MAX_CPUS,
 * or already online), -ENOMEM. The CPU then runs only its idle task until
 * the scheduler hands it work (the SMP scheduler's step). */
int percpu_init_secondary(unsigned cpu);

/* The kernel is not preemptible yet: the count documents sections that
 * must stay on this CPU and will matter once it is. */
static inline void preempt_disable(void)
{
	this_cpu()->preempt_count++;
}
static inline void preempt_enable(void)
{
	this_cpu()->preempt_count--;
}

#endif
